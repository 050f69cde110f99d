//! The Windows credential provider against the real reference control plane over HTTP.

use crate::common::{click, env, type_into};
use insta::assert_snapshot;
use rstest::rstest;
use ssap_api::{JoinState, OrgSettingsPatch, PermissionLevel, WindowsSsapMode};
use ssap_endpoint::{DeviceSpec, Endpoint, LocalSecret, ScreenKind};

const PW: &str = "Directory-pw-1";

/// Tile -> Click here to sign in -> email -> Continue -> password -> Login (R31).
async fn web_sign_in(ep: &mut Endpoint, email: &str, password: &str) {
    click(ep, "Sign in with JumpCloud").await;
    click(ep, "Click here to sign in").await;
    type_into(ep, "Email", email);
    click(ep, "Continue").await;
    type_into(ep, "Password", password);
    click(ep, "Login").await;
}

async fn confirm_and_pin(ep: &mut Endpoint, pin: &str) {
    type_into(ep, "Password", PW);
    click(ep, "Next").await;
    type_into(ep, "PIN", pin);
    type_into(ep, "Confirm PIN", pin);
    click(ep, "OK").await;
}

#[rstest]
#[case::pro_on("Pro", "x86_64", JoinState::Workgroup, true, true)]
#[case::enterprise_on("Enterprise", "x86_64", JoinState::Workgroup, true, true)]
#[case::pro_off("Pro", "x86_64", JoinState::Workgroup, false, false)]
#[case::home("Home", "x86_64", JoinState::Workgroup, true, false)]
#[case::server("Server 2022 Datacenter", "x86_64", JoinState::Workgroup, true, false)]
#[case::arm("Pro", "arm64", JoinState::Workgroup, true, false)]
#[case::active_directory("Pro", "x86_64", JoinState::ActiveDirectory, true, false)]
#[case::entra("Enterprise", "x86_64", JoinState::EntraId, true, false)]
#[tokio::test]
async fn tile_only_where_supported_and_enabled_r18_r30(
    #[case] edition: &str,
    #[case] arch: &str,
    #[case] join: JoinState,
    #[case] toggle: bool,
    #[case] tile: bool,
) {
    let env = env().await;
    env.windows_ssap(toggle).await;
    let mut spec = DeviceSpec::windows(1);
    spec.edition = edition.into();
    spec.architecture = arch.into();
    spec.join_state = join;
    let mut ep = env.endpoint(spec);
    ep.power_on().await.unwrap();
    let s = ep.screen();
    assert_eq!(s.kind, ScreenKind::WindowsSignIn);
    assert_eq!(
        s.has_tile("Sign in with JumpCloud"),
        tile,
        "{}",
        s.render_text()
    );
}

#[tokio::test]
async fn provisions_with_confirm_and_pin_r31_r32() {
    let env = env().await;
    env.windows_ssap(true).await;
    let holly = env.user("holly.flax", "Holly", "Flax").await;
    let mut ep = env.windows(2).await;
    ep.add_local_account("Pam", "Pam Beesly", "pam-pw", false)
        .unwrap();
    assert_snapshot!("win_sign_in_with_tile", ep.screen().render_text());
    click(&mut ep, "Sign in with JumpCloud").await;
    assert_snapshot!("win_jumpcloud_tile", ep.screen().render_text());
    assert_snapshot!("win_jumpcloud_tile_svg", ep.screen().render_svg());
    click(&mut ep, "Click here to sign in").await;
    type_into(&mut ep, "Email", &holly.email);
    click(&mut ep, "Continue").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Login").await;
    assert_snapshot!("win_confirm_password", ep.screen().render_text());

    type_into(&mut ep, "Password", "not-it");
    click(&mut ep, "Next").await;
    let s = ep.screen();
    assert_eq!(
        s.kind,
        ScreenKind::ConfirmPassword,
        "mismatch lets the user retry"
    );
    assert_eq!(
        s.error_text(),
        Some("The password is incorrect. Try again.")
    );
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Next").await;
    assert_snapshot!("win_create_pin", ep.screen().render_text());
    assert_snapshot!("win_create_pin_svg", ep.screen().render_svg());

    type_into(&mut ep, "PIN", "12345");
    type_into(&mut ep, "Confirm PIN", "12345");
    click(&mut ep, "OK").await;
    let s = ep.screen();
    assert_snapshot!("win_pin_too_short", s.render_text());
    assert_eq!(s.kind, ScreenKind::CreatePin, "no starting over (R32)");
    assert!(ep.accounts().find("holly.flax").is_none());
    type_into(&mut ep, "PIN", "123456");
    type_into(&mut ep, "Confirm PIN", "654321");
    click(&mut ep, "OK").await;
    assert_eq!(
        ep.screen().error_text(),
        Some("The PINs don't match. Try again.")
    );
    type_into(&mut ep, "PIN", "123456");
    type_into(&mut ep, "Confirm PIN", "123456");
    click(&mut ep, "OK").await;

    assert_eq!(ep.logged_in_user(), Some("holly.flax"));
    assert_snapshot!("win_desktop", ep.screen().render_text());
    let a = ep.accounts().find("HOLLY.FLAX").unwrap();
    assert_eq!(a.groups, ["Users"]);
    assert_eq!(a.pin.as_deref(), Some("123456"));
    assert_eq!(a.password, LocalSecret::DirectoryPassword(PW.into()));

    // Next sign-in: the PIN, or the password through Sign-in options; tile gone (first user only).
    click(&mut ep, "Sign out").await;
    assert!(!ep.screen().has_tile("Sign in with JumpCloud"));
    click(&mut ep, "Holly Flax").await;
    assert_snapshot!("win_user_pin_prompt", ep.screen().render_text());
    click(&mut ep, "Sign-in options").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Sign in").await;
    assert_eq!(ep.logged_in_user(), Some("holly.flax"));
}

#[tokio::test]
async fn gpo_blocking_pin_provisions_without_signing_in_r33() {
    let env = env().await;
    env.windows_ssap(true).await;
    env.set(OrgSettingsPatch {
        permission_level: Some(PermissionLevel::Administrator),
        ..Default::default()
    })
    .await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut spec = DeviceSpec::windows(3);
    spec.pin_blocked_by_gpo = true;
    let mut ep = env.endpoint(spec);
    ep.power_on().await.unwrap();
    web_sign_in(&mut ep, &holly.email, PW).await;
    confirm_and_pin(&mut ep, "123456").await;
    let s = ep.screen();
    assert_snapshot!("win_gpo_restart", s.render_text());
    assert_eq!(ep.logged_in_user(), None);
    let a = ep.accounts().find("holly").unwrap();
    assert!(a.managed && a.is_admin() && a.pin.is_none());
    click(&mut ep, "Restart").await;
    assert_eq!(ep.screen().kind, ScreenKind::WindowsSignIn);
    click(&mut ep, "Holly Flax").await;
    let s = ep.screen();
    assert!(s.has_field("Password") && !s.has_button("Sign-in options"));
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Sign in").await;
    assert_eq!(ep.logged_in_user(), Some("holly"));
}

#[rstest]
#[case::multiple(Some(WindowsSsapMode::MultipleUsers), false, true)]
#[case::first_only(Some(WindowsSsapMode::FirstUserOnly), false, false)]
#[case::org_toggle_only(None, true, false)]
#[tokio::test]
async fn windows_policy_decides_second_user_r03(
    #[case] policy: Option<WindowsSsapMode>,
    #[case] toggle: bool,
    #[case] second_offered: bool,
) {
    let env = env().await;
    env.windows_ssap(toggle).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.windows(4).await;
    if policy.is_some() {
        env.admin
            .set_windows_policy(ep.device_id().unwrap(), policy)
            .await
            .unwrap();
        ep.reboot().await.unwrap();
    }
    web_sign_in(&mut ep, &holly.email, PW).await;
    confirm_and_pin(&mut ep, "123456").await;
    assert_eq!(ep.logged_in_user(), Some("holly"));
    click(&mut ep, "Sign out").await;
    assert_eq!(
        ep.screen().has_tile("Sign in with JumpCloud"),
        second_offered
    );
    if second_offered {
        let jim = env.user("jim", "Jim", "Halpert").await;
        web_sign_in(&mut ep, &jim.email, PW).await;
        confirm_and_pin(&mut ep, "2468013").await;
        assert_eq!(ep.logged_in_user(), Some("jim"));
        assert_eq!(ep.accounts().managed_count(), 2);
    }
}

#[tokio::test]
async fn collision_is_case_insensitive_on_windows_r43() {
    let env = env().await;
    env.windows_ssap(true).await;
    let hank = env.user("hank", "Hank", "Declan").await;
    let mut ep = env.windows(5).await;
    ep.add_local_account("HANK", "Hank (local)", "local-pw", true)
        .unwrap();
    web_sign_in(&mut ep, &hank.email, PW).await;
    let s = ep.screen();
    assert_snapshot!("win_account_exists", s.render_text());
    assert_eq!(
        s.error_text(),
        Some("Account already exists. Hank Declan. Contact your admin.")
    );
    let a = ep.accounts().find("hank").unwrap();
    assert!(!a.managed && a.name == "HANK" && a.is_admin());
}

#[tokio::test]
async fn password_sync_off_creates_local_password_then_pin_r06() {
    let env = env().await;
    env.windows_ssap(true).await;
    env.set(OrgSettingsPatch {
        password_sync: Some(false),
        ..Default::default()
    })
    .await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.windows(6).await;
    web_sign_in(&mut ep, &holly.email, PW).await;
    assert_snapshot!("win_create_local_password", ep.screen().render_text());
    type_into(&mut ep, "New password", "local-pass");
    type_into(&mut ep, "Confirm password", "local-pass");
    click(&mut ep, "Next").await;
    type_into(&mut ep, "PIN", "123456");
    type_into(&mut ep, "Confirm PIN", "123456");
    click(&mut ep, "OK").await;
    assert_eq!(ep.logged_in_user(), Some("holly"));
    click(&mut ep, "Sign out").await;
    click(&mut ep, "Holly Flax").await;
    click(&mut ep, "Sign-in options").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Sign in").await;
    assert_eq!(
        ep.screen().error_text(),
        Some("The password is incorrect. Try again.")
    );
    type_into(&mut ep, "Password", "local-pass");
    click(&mut ep, "Sign in").await;
    assert_eq!(ep.logged_in_user(), Some("holly"));
}

#[tokio::test]
async fn offline_refuses_at_click_here_r21() {
    let env = env().await;
    env.windows_ssap(true).await;
    let mut ep = env.windows(7).await;
    ep.network_mut().set_ethernet(false);
    click(&mut ep, "Sign in with JumpCloud").await;
    click(&mut ep, "Click here to sign in").await;
    let s = ep.screen();
    assert_snapshot!("win_offline", s.render_text());
    assert_eq!(s.kind, ScreenKind::JumpCloudTile);
}

#[test]
fn pin_rules_r32() {
    use ssap_endpoint::windows::credential_provider::pin_problem;
    assert!(pin_problem("12345", "12345")
        .unwrap()
        .contains("at least 6"));
    assert!(pin_problem("", "").is_some());
    assert_eq!(pin_problem("123456", "123456"), None);
    assert_eq!(
        pin_problem("abcdef", "abcdef"),
        None,
        "characters, not only digits"
    );
    assert!(pin_problem(&"1".repeat(128), &"1".repeat(128)).is_some());
}
