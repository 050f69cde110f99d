//! Confusable and odd directory usernames at the sign-in of both OSes (R39, R43): each is
//! refused with a clear reason before anything is created — no local account, no association,
//! the existing local account untouched, the refusal in the audit log — or, where the OS holds
//! the name, it becomes a distinct account that collides with nothing.
//!
//! Decision (documented here and in README "Reliability"): a Cyrillic look-alike ("hаnk" with
//! U+0430) is refused on macOS, whose short names are ASCII only. On Windows, which holds
//! Unicode account names and compares them case-insensitively (not by look-alike skeleton),
//! it is a distinct account next to "hank": nothing of "hank" is touched or taken over. The
//! directory username is set by the admin, not chosen by the person signing in, so a
//! look-alike cannot be used by a user to reach another's account; the new tile shows the
//! directory display name.

use ssap_api::{NewUser, Os};
use ssap_endpoint::{Endpoint, ScreenKind};

use crate::common::{click, env, type_into, Env};

const PW: &str = "Directory-pw-1";
const PIN: &str = "246810";

async fn sign_in(ep: &mut Endpoint, email: &str) {
    click(ep, "Sign in with JumpCloud").await;
    if ep.os() == Os::Windows {
        click(ep, "Click here to sign in").await;
    }
    type_into(ep, "Email", email);
    click(ep, "Continue").await;
    type_into(ep, "Password", PW);
    click(ep, "Login").await;
    // Windows asks for the password again and a PIN once the name was accepted.
    if ep.os() == Os::Windows && ep.screen().error.is_none() && ep.type_into("Password", PW).is_ok()
    {
        click(ep, "Next").await;
        type_into(ep, "PIN", PIN);
        type_into(ep, "Confirm PIN", PIN);
        click(ep, "OK").await;
    }
}

async fn device(env: &Env, os: Os) -> Endpoint {
    match os {
        Os::Macos => {
            env.macos_ssap(true).await;
            env.mac(1).await
        }
        Os::Windows => {
            env.windows_ssap(true).await;
            env.windows(1).await
        }
    }
}

/// The directory user `username` signs in on a device of `os` that has a local "hank";
/// returns the device and the screen's error text, if any.
async fn attempt(os: Os, username: &str, email: &str) -> (Env, Endpoint, Option<String>) {
    let env = env().await;
    env.user_with(NewUser {
        email: email.into(),
        username: username.into(),
        firstname: "Odd".into(),
        lastname: "Name".into(),
        password: Some(PW.into()),
        ..Default::default()
    })
    .await;
    let mut ep = device(&env, os).await;
    ep.add_local_account("hank", "Hank the Local", "local-pw", true)
        .expect("local hank");
    // A fresh presentation so the window knows the device state.
    ep.reboot().await.expect("reboot");
    sign_in(&mut ep, email).await;
    let error = ep.screen().error.clone();
    (env, ep, error)
}

/// Nothing was made: "hank" is as it was, no managed account, no association, and the audit
/// log holds the refusal with `reason`.
async fn nothing_made(env: &Env, ep: &Endpoint, reason: &str, what: &str) {
    let hank = ep.accounts().find("hank").expect("hank still there");
    assert!(!hank.managed, "{what}: hank taken over");
    assert_eq!(hank.full_name, "Hank the Local", "{what}");
    assert_eq!(ep.accounts().all().len(), 1, "{what}: {:?}", ep.accounts());
    let id = ep.device_id().expect("registered");
    assert!(
        env.admin.associations(id).await.expect("assocs").is_empty(),
        "{what}: an association was stored"
    );
    let audit = env.admin.audit().await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.outcome == "refused" && e.reason.as_deref() == Some(reason)),
        "{what}: no refusal {reason} in the audit log: {audit:#?}"
    );
    assert!(
        !audit
            .iter()
            .any(|e| e.action == "provision" && e.outcome == "success"),
        "{what}: a provision succeeded"
    );
}

#[tokio::test]
async fn refused_names_make_nothing_and_say_why() {
    // (OS, directory username, what the screen must say, audit reason)
    let cases: &[(Os, &str, &str, &str)] = &[
        // Cyrillic а (U+0430): macOS short names are ASCII.
        (
            Os::Macos,
            "h\u{430}nk",
            "does not allow",
            "invalid_local_name",
        ),
        // Letter case: the same account to both OSes (R43).
        (
            Os::Macos,
            "HANK",
            "Account already exists",
            "account_exists",
        ),
        (
            Os::Windows,
            "HANK",
            "Account already exists",
            "account_exists",
        ),
        (
            Os::Windows,
            "Hank",
            "Account already exists",
            "account_exists",
        ),
        // Windows: no trailing period, at most 20 characters, no forbidden characters.
        (
            Os::Windows,
            "hank.",
            "must not end with a period",
            "invalid_local_name",
        ),
        (
            Os::Windows,
            "h.",
            "must not end with a period",
            "invalid_local_name",
        ),
        (
            Os::Windows,
            "abcdefghijklmnopqrstu",
            "at most 20",
            "invalid_local_name",
        ),
        (
            Os::Windows,
            "hank;drop",
            "does not allow",
            "invalid_local_name",
        ),
        (
            Os::Windows,
            "...",
            "periods and spaces",
            "invalid_local_name",
        ),
        (
            Os::Windows,
            "Administrator",
            "reserves",
            "invalid_local_name",
        ),
        // macOS: must start with a letter, no spaces or quotes.
        (
            Os::Macos,
            "1hank",
            "start with a letter",
            "invalid_local_name",
        ),
        (
            Os::Macos,
            "hank ' or 1=1",
            "does not allow",
            "invalid_local_name",
        ),
    ];
    for &(os, username, says, reason) in cases {
        let what = format!("{os} {username:?}");
        let email = format!("odd{}@sabre.example", username.len());
        let (env, ep, error) = attempt(os, username, &email).await;
        let error = error.unwrap_or_else(|| panic!("{what}: no refusal on {:?}", ep.screen()));
        assert!(
            error.contains(says),
            "{what}: {error:?} does not say {says:?}"
        );
        assert!(
            error.contains("Contact your admin"),
            "{what}: {error:?} does not say what to do"
        );
        assert_ne!(ep.screen().kind, ScreenKind::Desktop, "{what}");
        nothing_made(&env, &ep, reason, &what).await;
    }
}

#[tokio::test]
async fn a_21_character_name_is_refused_and_20_fit_on_windows() {
    let twenty = "abcdefghijklmnopqrst";
    let (env, ep, error) = attempt(Os::Windows, twenty, "twenty@sabre.example").await;
    assert_eq!(error, None, "{:?}", ep.screen());
    let made = ep.accounts().find(twenty).expect("20 characters fit");
    assert!(made.managed);
    let id = ep.device_id().expect("registered");
    assert_eq!(env.admin.associations(id).await.expect("assocs").len(), 1);
}

/// The decision for Windows: a look-alike is a distinct account, "hank" is untouched.
#[tokio::test]
async fn a_cyrillic_look_alike_is_a_distinct_account_on_windows() {
    let look_alike = "h\u{430}nk";
    let (env, ep, error) = attempt(Os::Windows, look_alike, "lookalike@sabre.example").await;
    assert_eq!(error, None, "{:?}", ep.screen());
    let hank = ep.accounts().find("hank").expect("hank");
    assert!(!hank.managed, "hank taken over");
    assert_eq!(hank.full_name, "Hank the Local");
    let made = ep
        .accounts()
        .find(look_alike)
        .expect("the look-alike account");
    assert!(made.managed);
    assert_eq!(
        made.full_name, "Odd Name",
        "the tile shows the directory name"
    );
    assert_eq!(ep.accounts().all().len(), 2);
    let assocs = env
        .admin
        .associations(ep.device_id().expect("registered"))
        .await
        .expect("assocs");
    assert_eq!(assocs.len(), 1);
    assert_eq!(assocs[0].local_name.as_deref(), Some(look_alike));
}
