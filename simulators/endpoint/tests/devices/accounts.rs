//! Local account store: collisions, groups (R02), conversion (R49), release (R04).

use ssap_api::PermissionLevel;
use ssap_endpoint::{
    accounts::groups_for, AccountError, LocalAccount, LocalAccountStore, LocalSecret, Os,
};

#[test]
fn add_refuses_a_case_insensitive_duplicate_and_an_invalid_name() {
    let mut s = LocalAccountStore::new(Os::Windows);
    s.add(LocalAccount::local(
        "Hank",
        "Hank Declan",
        "pw",
        false,
        Os::Windows,
    ))
    .unwrap();
    assert!(matches!(
        s.add(LocalAccount::local(
            "HANK",
            "Other",
            "pw",
            false,
            Os::Windows
        )),
        Err(AccountError::AlreadyExists { .. })
    ));
    assert!(matches!(
        s.add(LocalAccount::local(
            "bad|name",
            "Bad",
            "pw",
            false,
            Os::Windows
        )),
        Err(AccountError::InvalidName(_))
    ));
    assert_eq!(s.all().len(), 1);
    assert_eq!(s.remove("hank").unwrap().name, "Hank");
    assert!(s.all().is_empty());
}

#[test]
fn groups_follow_permission_level() {
    assert_eq!(
        groups_for(Os::Macos, PermissionLevel::Administrator),
        ["admin", "staff"]
    );
    assert_eq!(groups_for(Os::Macos, PermissionLevel::Standard), ["staff"]);
    assert_eq!(
        groups_for(Os::Windows, PermissionLevel::Administrator),
        ["Administrators"]
    );
    assert_eq!(
        groups_for(Os::Windows, PermissionLevel::Standard),
        ["Users"]
    );
}

#[test]
fn convert_keeps_password_and_release_keeps_account() {
    let mut s = LocalAccountStore::new(Os::Macos);
    s.add(LocalAccount::local(
        "hank",
        "Hank Declan",
        "local-pw",
        false,
        Os::Macos,
    ))
    .unwrap();
    let a = s
        .convert_to_managed("HANK", "u1", PermissionLevel::Administrator)
        .unwrap();
    assert!(a.managed && a.is_admin());
    assert_eq!(a.password, LocalSecret::LocalPassword("local-pw".into()));
    assert_eq!(s.managed_count(), 1);
    assert_eq!(s.find_by_user_id("u1").unwrap().name, "hank");
    s.release("u1");
    assert_eq!(s.managed_count(), 0);
    assert_eq!(s.all().len(), 1);
}
