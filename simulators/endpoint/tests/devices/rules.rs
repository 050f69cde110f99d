//! Both OSes' naming and matching rules (R39, R43).

use rstest::rstest;
use ssap_endpoint::{
    local_name_for, rules::names_match, validate_local_name, LocalAccount, LocalAccountStore,
    NameProblem, Os,
};

#[rstest]
#[case::plain("holly", None)]
#[case::dotted("holly.flax", None)]
#[case::digits_dash_underscore("h0lly-f_1", None)]
#[case::max_len(&"a".repeat(255), None)]
#[case::too_long(&"a".repeat(256), Some(NameProblem::TooLong { len: 256, max: 255 }))]
#[case::empty("", Some(NameProblem::Empty))]
#[case::uppercase("Holly", Some(NameProblem::Uppercase))]
#[case::space("holly flax", Some(NameProblem::ForbiddenChar(' ')))]
#[case::at_sign("holly@sabre", Some(NameProblem::ForbiddenChar('@')))]
#[case::accent("hollé", Some(NameProblem::ForbiddenChar('é')))]
#[case::leading_digit("1holly", Some(NameProblem::MustStartWithLetter))]
#[case::leading_dot(".holly", Some(NameProblem::MustStartWithLetter))]
#[case::leading_underscore("_holly", Some(NameProblem::MustStartWithLetter))]
#[case::control("hol\tly", Some(NameProblem::ControlChar))]
#[case::root("root", Some(NameProblem::Reserved))]
#[case::admin_group("admin", Some(NameProblem::Reserved))]
#[case::nobody("nobody", Some(NameProblem::Reserved))]
fn macos_names(#[case] name: &str, #[case] problem: Option<NameProblem>) {
    assert_eq!(
        validate_local_name(Os::Macos, name)
            .err()
            .map(|e| e.problem),
        problem
    );
}

#[rstest]
#[case::plain("Holly", None)]
#[case::space_inside("Holly Flax", None)]
#[case::dot_inside("holly.flax", None)]
#[case::at_sign("holly@sabre", None)]
#[case::twenty("abcdefghijklmnopqrst", None)]
#[case::twenty_one("abcdefghijklmnopqrstu", Some(NameProblem::TooLong { len: 21, max: 20 }))]
#[case::empty("", Some(NameProblem::Empty))]
#[case::trailing_period("holly.", Some(NameProblem::TrailingPeriod))]
#[case::only_dots("...", Some(NameProblem::OnlyDotsOrSpaces))]
#[case::only_spaces("   ", Some(NameProblem::OnlyDotsOrSpaces))]
#[case::quote("ho\"lly", Some(NameProblem::ForbiddenChar('"')))]
#[case::slash("ho/lly", Some(NameProblem::ForbiddenChar('/')))]
#[case::backslash("ho\\lly", Some(NameProblem::ForbiddenChar('\\')))]
#[case::lbracket("ho[lly", Some(NameProblem::ForbiddenChar('[')))]
#[case::rbracket("ho]lly", Some(NameProblem::ForbiddenChar(']')))]
#[case::colon("ho:lly", Some(NameProblem::ForbiddenChar(':')))]
#[case::pipe("ho|lly", Some(NameProblem::ForbiddenChar('|')))]
#[case::lt("ho<lly", Some(NameProblem::ForbiddenChar('<')))]
#[case::gt("ho>lly", Some(NameProblem::ForbiddenChar('>')))]
#[case::plus("ho+lly", Some(NameProblem::ForbiddenChar('+')))]
#[case::equals("ho=lly", Some(NameProblem::ForbiddenChar('=')))]
#[case::semicolon("ho;lly", Some(NameProblem::ForbiddenChar(';')))]
#[case::question("ho?lly", Some(NameProblem::ForbiddenChar('?')))]
#[case::star("ho*lly", Some(NameProblem::ForbiddenChar('*')))]
#[case::comma("ho,lly", Some(NameProblem::ForbiddenChar(',')))]
#[case::control("ho\u{7}lly", Some(NameProblem::ControlChar))]
#[case::administrator("Administrator", Some(NameProblem::Reserved))]
#[case::administrator_lower("administrator", Some(NameProblem::Reserved))]
#[case::guest("GUEST", Some(NameProblem::Reserved))]
#[case::default_account("DefaultAccount", Some(NameProblem::Reserved))]
#[case::system("SYSTEM", Some(NameProblem::Reserved))]
#[case::device_name("con", Some(NameProblem::Reserved))]
fn windows_names(#[case] name: &str, #[case] problem: Option<NameProblem>) {
    assert_eq!(
        validate_local_name(Os::Windows, name)
            .err()
            .map(|e| e.problem),
        problem
    );
}

#[rstest]
#[case::mac_username(Os::Macos, "holly.flax", None, Ok("holly.flax"))]
#[case::mac_system_username_wins(Os::Macos, "holly.flax", Some("hflax"), Ok("hflax"))]
#[case::mac_blank_system_username(Os::Macos, "holly.flax", Some("  "), Ok("holly.flax"))]
#[case::mac_lowercases(Os::Macos, "Hank.Declan", None, Ok("hank.declan"))]
#[case::mac_lowercases_system(Os::Macos, "x", Some("HDeclan"), Ok("hdeclan"))]
#[case::mac_refuses_space(Os::Macos, "hank declan", None, Err(NameProblem::ForbiddenChar(' ')))]
#[case::win_keeps_case(Os::Windows, "Hank.Declan", None, Ok("Hank.Declan"))]
#[case::win_system_username(Os::Windows, "hank.declan", Some("HDeclan"), Ok("HDeclan"))]
#[case::win_too_long(Os::Windows, "hank.declan.the.third", None, Err(NameProblem::TooLong { len: 21, max: 20 }))]
#[case::win_trailing_period(Os::Windows, "hank.", None, Err(NameProblem::TrailingPeriod))]
#[case::win_reserved(
    Os::Windows,
    "admin",
    Some("Administrator"),
    Err(NameProblem::Reserved)
)]
fn local_names(
    #[case] os: Os,
    #[case] username: &str,
    #[case] system: Option<&str>,
    #[case] expected: Result<&str, NameProblem>,
) {
    let got = local_name_for(os, username, system);
    assert_eq!(got.as_deref().map_err(|e| e.problem.clone()), expected);
}

#[rstest]
#[case(Os::Macos, "hank", "HANK", true)]
#[case(Os::Macos, "hank", "Hank", true)]
#[case(Os::Macos, "hank", "hank2", false)]
#[case(Os::Windows, "Hank", "hank", true)]
#[case(Os::Windows, "HANK.DECLAN", "hank.declan", true)]
#[case(Os::Windows, "Hank", "Hank ", false)]
fn matching_is_case_insensitive(
    #[case] os: Os,
    #[case] a: &str,
    #[case] b: &str,
    #[case] same: bool,
) {
    assert_eq!(names_match(os, a, b), same);
    let mut store = LocalAccountStore::new(os);
    let stored = if os == Os::Macos {
        a.to_lowercase()
    } else {
        a.to_string()
    };
    store
        .add(LocalAccount::local(&stored, "Hank Declan", "pw", false, os))
        .expect("valid name");
    assert_eq!(store.find(b).is_some(), same, "find({b:?}) in [{stored}]");
}

#[test]
fn sentence_names_the_rule() {
    let e = local_name_for(Os::Windows, "hank.", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "The account name \"hank.\" cannot be used on Windows: it must not end with a period."
    );
    let e = local_name_for(Os::Macos, "hank declan", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "The account name \"hank declan\" cannot be used on macOS: macOS does not allow ' ' in account names."
    );
}
