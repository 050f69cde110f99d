//! The macOS login window against the real reference control plane over HTTP.

use crate::common::{click, env, mac_sign_in, type_into};
use insta::assert_snapshot;
use rstest::rstest;
use ssap_api::{BindSource, NewAssociation, NewUser, OrgSettingsPatch, PermissionLevel, UserPatch};
use ssap_endpoint::{Colour, LocalSecret, ScreenKind};

const PW: &str = "Directory-pw-1";

#[rstest]
#[case::off_none_online(false, false, true, ScreenKind::MacStockLoginWindow, false)]
#[case::off_none_offline(false, false, false, ScreenKind::MacStockLoginWindow, false)]
#[case::off_managed_online(false, true, true, ScreenKind::MacStockLoginWindow, false)]
#[case::on_none_online(true, false, true, ScreenKind::MacJumpCloudLoginWindow, true)]
#[case::on_none_offline(true, false, false, ScreenKind::MacJumpCloudLoginWindow, true)]
#[case::on_managed_online(true, true, true, ScreenKind::MacJumpCloudLoginWindow, false)]
#[case::on_managed_offline(true, true, false, ScreenKind::MacJumpCloudLoginWindow, false)]
#[tokio::test]
async fn login_window_table(
    #[case] toggle: bool,
    #[case] managed: bool,
    #[case] online: bool,
    #[case] kind: ScreenKind,
    #[case] button: bool,
) {
    let env = env().await;
    env.macos_ssap(toggle).await;
    let mut ep = env.mac(1).await;
    if managed {
        let hank = env.user("hank", "Hank", "Declan").await;
        env.bind(&ep, &hank).await;
        ep.agent_check_in().await.unwrap();
    }
    ep.network_mut().set_upstream(online);
    ep.reboot().await.unwrap();
    let s = ep.screen();
    assert_eq!(s.kind, kind, "{}", s.render_text());
    assert_eq!(
        s.has_button("Sign in with JumpCloud"),
        button,
        "{}",
        s.render_text()
    );
    if toggle {
        let i = s
            .indicator
            .clone()
            .expect("indicator on the JumpCloud window");
        assert_eq!(i.kind, "Wi-Fi");
        assert_eq!(i.colour, if online { Colour::Green } else { Colour::Red });
        assert!(s.has_button("Wireless") && s.has_button("Refresh") && s.has_button("Info"));
    } else {
        assert!(s.indicator.is_none() && s.buttons.is_empty());
    }
    let managed_tiles = s.tiles.iter().filter(|t| t.managed).count();
    assert_eq!(managed_tiles, usize::from(managed && toggle));
    assert_eq!(ep.accounts().managed_count(), usize::from(managed));
}

#[tokio::test]
async fn provisions_end_to_end_r20_r44() {
    let env = env().await;
    env.macos_ssap(true).await;
    env.set(OrgSettingsPatch {
        permission_level: Some(PermissionLevel::Administrator),
        ..Default::default()
    })
    .await;
    let holly = env.user("holly.flax", "Holly", "Flax").await;
    let mut ep = env.mac(2).await;
    assert_snapshot!("mac_window_offering_sign_in", ep.screen().render_text());

    click(&mut ep, "Sign In with JumpCloud").await; // help-center spelling works too
    assert_snapshot!("mac_email", ep.screen().render_text());
    type_into(&mut ep, "Email", &holly.email);
    click(&mut ep, "Continue").await;
    type_into(&mut ep, "Password", PW);
    assert_snapshot!("mac_directory_password", ep.screen().render_text());
    click(&mut ep, "Login").await;

    let s = ep.screen();
    assert_snapshot!("mac_window_after_provisioning", s.render_text());
    assert_eq!(s.kind, ScreenKind::MacJumpCloudLoginWindow);
    assert!(!s.has_button("Sign in with JumpCloud"), "one-time (R44)");
    let tile = s.tile("Holly Flax").expect("new tile");
    assert!(tile.managed);
    let acct = ep.accounts().find("holly.flax").expect("local account");
    assert!(acct.managed && acct.is_admin());
    assert_eq!(acct.groups, ["admin", "staff"]);
    assert_eq!(acct.password, LocalSecret::DirectoryPassword(PW.into()));
    let assoc = env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap();
    assert_eq!(assoc.len(), 1);
    assert_eq!(assoc[0].source, BindSource::SelfService);

    click(&mut ep, "Holly Flax").await;
    type_into(&mut ep, "Password", "wrong");
    click(&mut ep, "Log In").await;
    assert_eq!(ep.screen().error_text(), Some("Incorrect password."));
    type_into(&mut ep, "Password", PW);
    assert_snapshot!("mac_tile_password", ep.screen().render_text());
    click(&mut ep, "Log In").await;
    for (i, _) in ssap_endpoint::macos::login_window::SETUP_STEPS
        .iter()
        .enumerate()
    {
        let s = ep.screen();
        assert_eq!(s.kind, ScreenKind::SetupAssistant);
        if i == 0 {
            assert_snapshot!("mac_setup_first", s.render_text());
        }
        click(&mut ep, "Continue").await;
    }
    assert_eq!(ep.logged_in_user(), Some("holly.flax"));
    assert_snapshot!("mac_desktop", ep.screen().render_text());

    // Next login: no setup again; another user sees no button after sign-out (R44).
    click(&mut ep, "Log Out").await;
    assert!(!ep.screen().has_button("Sign in with JumpCloud"));
    click(&mut ep, "holly.flax").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Log In").await;
    assert_eq!(ep.screen().kind, ScreenKind::Desktop);
}

#[tokio::test]
async fn collision_refused_untouched_and_audited_r43_r07() {
    let env = env().await;
    env.macos_ssap(true).await;
    let hank = env.user("Hank", "Hank", "Declan").await;
    let mut ep = env.mac(3).await;
    ep.add_local_account("hank", "Hank (local)", "local-pw", false)
        .unwrap();
    let before = ep.accounts().clone();
    mac_sign_in(&mut ep, &hank.email, PW).await;
    let s = ep.screen();
    assert_snapshot!("mac_account_exists", s.render_text());
    assert_snapshot!("mac_account_exists_svg", s.render_svg());
    assert_eq!(s.kind, ScreenKind::Notice);
    assert_eq!(
        s.error_text(),
        Some("Account already exists. Hank Declan. Contact your admin.")
    );
    assert_eq!(ep.accounts(), &before, "local account untouched");
    assert!(env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap()
        .is_empty());
    let audit = env.admin.audit().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.outcome == "refused" && e.reason.as_deref() == Some("account_exists")),
        "{audit:#?}"
    );
    assert!(ep.agent().pending_reports().is_empty());
    click(&mut ep, "OK").await;
    assert!(ep.screen().has_button("Sign in with JumpCloud"));
}

#[tokio::test]
async fn invalid_local_name_refused_with_reason_r39() {
    let env = env().await;
    env.macos_ssap(true).await;
    let u = env
        .user_with(NewUser {
            email: "dwight@sabre.example".into(),
            username: "dwight".into(),
            system_username: Some("dwight schrute".into()),
            firstname: "Dwight".into(),
            lastname: "Schrute".into(),
            password: Some(PW.into()),
            ..Default::default()
        })
        .await;
    let mut ep = env.mac(4).await;
    mac_sign_in(&mut ep, &u.email, PW).await;
    let s = ep.screen();
    assert_snapshot!("mac_invalid_name", s.render_text());
    assert!(s
        .error_text()
        .unwrap()
        .contains("\"dwight schrute\" cannot be used on macOS"));
    assert!(ep.accounts().all().is_empty());
    let audit = env.admin.audit().await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.reason.as_deref() == Some("invalid_local_name")));
}

#[tokio::test]
async fn offline_refuses_and_creates_nothing_r21() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.mac(5).await;
    click(&mut ep, "Wireless").await;
    click(&mut ep, "Turn Wi-Fi Off").await;
    click(&mut ep, "Wireless").await;
    let s = ep.screen();
    assert_eq!(s.indicator.as_ref().unwrap().colour, Colour::Red);
    click(&mut ep, "Sign in with JumpCloud").await;
    assert_snapshot!("mac_offline_refused", ep.screen().render_text());
    assert!(ep.screen().error_text().unwrap().contains("offline"));

    // Internet drops between Continue and Login.
    ep.network_mut().set_wifi(true);
    click(&mut ep, "Sign in with JumpCloud").await;
    type_into(&mut ep, "Email", &holly.email);
    click(&mut ep, "Continue").await;
    ep.network_mut().set_upstream(false);
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Login").await;
    assert_eq!(ep.screen().kind, ScreenKind::JumpCloudPassword);
    assert!(ep.screen().error_text().unwrap().contains("offline"));
    assert!(ep.accounts().all().is_empty());
    ep.network_mut().set_upstream(true);
    assert!(env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn wrong_password_and_user_states_r42_r47_r40() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.mac(6).await;
    mac_sign_in(&mut ep, &holly.email, "nope").await;
    let s = ep.screen();
    assert_eq!(s.kind, ScreenKind::JumpCloudPassword);
    assert_eq!(s.error_text(), Some("Incorrect email or password."));
    click(&mut ep, "Cancel").await;
    mac_sign_in(&mut ep, "nobody@sabre.example", PW).await;
    assert_eq!(
        ep.screen().error_text(),
        Some("Incorrect email or password.")
    );
    click(&mut ep, "Cancel").await;

    env.admin
        .update_user(
            &holly.id,
            &UserPatch {
                state: Some(ssap_api::UserState::Suspended),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    mac_sign_in(&mut ep, &holly.email, PW).await;
    let s = ep.screen();
    assert_snapshot!("mac_suspended", s.render_text());
    assert!(s.error_text().unwrap().contains("suspended"));
    assert!(ep.accounts().all().is_empty());
}

#[tokio::test]
async fn password_sync_off_asks_for_a_local_password_r06() {
    let env = env().await;
    env.macos_ssap(true).await;
    env.set(OrgSettingsPatch {
        password_sync: Some(false),
        ..Default::default()
    })
    .await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.mac(7).await;
    mac_sign_in(&mut ep, &holly.email, PW).await;
    assert_snapshot!("mac_create_local_password", ep.screen().render_text());
    type_into(&mut ep, "New password", "local-1");
    type_into(&mut ep, "Verify password", "local-2");
    click(&mut ep, "Create Account").await;
    assert_eq!(ep.screen().error_text(), Some("The passwords don't match."));
    type_into(&mut ep, "New password", "local-1");
    type_into(&mut ep, "Verify password", "local-1");
    click(&mut ep, "Create Account").await;
    let acct = ep.accounts().find("holly").unwrap();
    assert_eq!(acct.password, LocalSecret::LocalPassword("local-1".into()));
    click(&mut ep, "Holly Flax").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Log In").await;
    assert_eq!(ep.screen().error_text(), Some("Incorrect password."));
}

#[rstest]
#[case::enforced_enrolled(true, true)]
#[case::enforced_not_enrolled(true, false)]
#[case::not_enforced(false, false)]
#[tokio::test]
async fn mfa_ignored_while_provisioning_then_asked_r45(
    #[case] enforced: bool,
    #[case] enrolled: bool,
) {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env
        .user_with(NewUser {
            email: "holly@sabre.example".into(),
            username: "holly".into(),
            firstname: "Holly".into(),
            lastname: "Flax".into(),
            password: Some(PW.into()),
            mfa_enforced: enforced,
            ..Default::default()
        })
        .await;
    // Enrolment is the User Portal's: it issues the secret the authenticator app keeps.
    let secret = if enrolled {
        let e = ssap_api::PortalClient::new(env.http.clone())
            .enroll_mfa(
                &holly.id,
                &ssap_api::MfaEnrollRequest {
                    password: PW.into(),
                },
            )
            .await
            .expect("MFA enrolment in the User Portal");
        Some(e.secret)
    } else {
        None
    };
    let mut ep = env.mac(8).await;
    mac_sign_in(&mut ep, &holly.email, PW).await;
    assert!(ep.accounts().find("holly").is_some(), "MFA ignored (R45)");
    click(&mut ep, "Holly Flax").await;
    type_into(&mut ep, "Password", PW);
    click(&mut ep, "Log In").await;
    let s = ep.screen();
    match (enforced, enrolled) {
        (true, true) => {
            assert_snapshot!("mac_mfa_prompt", s.render_text());
            type_into(&mut ep, "Verification code", "12ab");
            click(&mut ep, "Verify").await;
            assert!(ep.screen().error_text().is_some());
            let secret = secret.expect("enrolled");
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock after 1970")
                .as_secs();
            // A code of another time window (ten minutes ago) is refused...
            let stale = ssap_api::mfa::code_at(&secret, now - 600).expect("code");
            type_into(&mut ep, "Verification code", &stale);
            click(&mut ep, "Verify").await;
            assert!(
                ep.screen().error_text().is_some(),
                "{}",
                ep.screen().render_text()
            );
            assert_eq!(ep.screen().kind, ScreenKind::MfaPrompt);
            // ...the current one lets the user in.
            let code = ssap_api::mfa::code_at(&secret, now).expect("code");
            type_into(&mut ep, "Verification code", &code);
            click(&mut ep, "Verify").await;
            assert_eq!(ep.screen().kind, ScreenKind::SetupAssistant);
        }
        (true, false) => {
            assert_snapshot!("mac_mfa_enrol", s.render_text());
            assert!(s.error_text().unwrap().contains("User Portal"));
            assert_eq!(ep.logged_in_user(), None);
        }
        _ => assert_eq!(s.kind, ScreenKind::SetupAssistant),
    }
}

#[tokio::test]
async fn refresh_pulls_binds_and_unbinds_r14_r16_r49() {
    let env = env().await;
    env.macos_ssap(true).await;
    let hank = env.user("hank", "Hank", "Declan").await;
    let mut ep = env.mac(9).await;
    ep.add_local_account("hank", "Hank Declan", "local-pw", false)
        .unwrap();
    ep.add_local_account("pam", "Pam Beesly", "pam-pw", false)
        .unwrap();
    env.bind(&ep, &hank).await;
    assert!(
        ep.screen().has_button("Sign in with JumpCloud"),
        "not yet refreshed"
    );
    click(&mut ep, "Refresh").await;
    let s = ep.screen();
    assert_snapshot!("mac_after_refresh_bound", s.render_text());
    assert_snapshot!("mac_after_refresh_bound_svg", s.render_svg());
    assert!(!s.has_button("Sign in with JumpCloud"));
    assert!(s.tile("Hank Declan").unwrap().managed);
    assert!(!s.tile("Pam Beesly").unwrap().managed);
    let h = ep.accounts().find("hank").unwrap();
    assert_eq!(
        h.password,
        LocalSecret::LocalPassword("local-pw".into()),
        "converted (R49)"
    );

    env.unbind(&ep, &hank).await;
    click(&mut ep, "Refresh").await;
    let s = ep.screen();
    assert!(s.has_button("Sign in with JumpCloud"));
    assert!(!s.tile("Hank Declan").unwrap().managed);
    assert_eq!(ep.accounts().all().len(), 2, "unbind removes nothing (R04)");

    // A new admin bind with no local account creates one (managed, password to be synced).
    let jim = env.user("jim", "Jim", "Halpert").await;
    env.admin
        .bind(
            ep.device_id().unwrap(),
            &NewAssociation {
                user_id: jim.id.clone(),
                permission: Some(PermissionLevel::Administrator),
            },
        )
        .await
        .unwrap();
    click(&mut ep, "Refresh").await;
    let j = ep.accounts().find("jim").unwrap();
    assert!(j.managed && j.is_admin());
    assert_eq!(j.password, LocalSecret::PendingSync);
}

#[tokio::test]
async fn toggle_change_shows_only_at_next_presentation_r10_r50() {
    let env = env().await;
    let mut ep = env.mac(10).await;
    assert_snapshot!("mac_stock_window", ep.screen().render_text());
    env.macos_ssap(true).await;
    ep.agent_check_in().await.unwrap();
    assert_eq!(
        ep.screen().kind,
        ScreenKind::MacStockLoginWindow,
        "never mid-session"
    );
    ep.sign_out().await.unwrap();
    assert_eq!(ep.screen().kind, ScreenKind::MacJumpCloudLoginWindow);
    env.macos_ssap(false).await;
    click(&mut ep, "Refresh").await;
    assert_eq!(ep.screen().kind, ScreenKind::MacJumpCloudLoginWindow);
    ep.reboot().await.unwrap();
    assert_eq!(ep.screen().kind, ScreenKind::MacStockLoginWindow);
}

#[tokio::test]
async fn wireless_menu_join_forget_autojoin_r12_r13() {
    let env = env().await;
    env.macos_ssap(true).await;
    let mut ep = env.mac(11).await;
    click(&mut ep, "Wireless").await;
    assert_snapshot!("mac_wireless_menu", ep.screen().render_text());
    assert_snapshot!("mac_wireless_menu_svg", ep.screen().render_svg());
    click(&mut ep, "Hotspot").await;
    assert_snapshot!("mac_join_dialog", ep.screen().render_text());
    assert_snapshot!("mac_join_dialog_svg", ep.screen().render_svg());
    let err = ep.click("Refresh").await.unwrap_err().to_string();
    assert!(err.contains("dialog open"), "{err}");
    type_into(&mut ep, "Password", "wrong");
    click(&mut ep, "Join").await;
    assert_eq!(
        ep.screen().error_text(),
        Some("The password for \"Hotspot\" is incorrect.")
    );
    type_into(&mut ep, "Password", "hotspot-pass");
    click(&mut ep, "Join").await;
    assert_eq!(ep.network().joined(), Some("Hotspot"));
    // Hotspot has no data: red, even though the control plane on loopback answers (R13).
    assert_eq!(ep.screen().indicator.unwrap().colour, Colour::Red);
    click(&mut ep, "Wireless").await;
    click(&mut ep, "Forget Hotspot").await;
    assert!(!ep.network().is_saved("Hotspot"));
    click(&mut ep, "Guest").await;
    assert_eq!(ep.network().joined(), Some("Guest"));
    ep.reboot().await.unwrap();
    assert_eq!(
        ep.network().joined(),
        Some("Guest"),
        "auto-joined after reboot"
    );
    // Ethernet only: still a Wi-Fi indicator, green.
    ep.network_mut().set_wifi(false);
    ep.network_mut().set_ethernet(true);
    let i = ep.screen().indicator.unwrap();
    assert_eq!((i.kind.as_str(), i.colour), ("Wi-Fi", Colour::Green));
}

#[tokio::test]
async fn info_panel_and_login_window_text_r15_r17() {
    let env = env().await;
    env.macos_ssap(true).await;
    let mut ep = env.mac(12).await;
    env.admin
        .set_login_window_text(
            ep.device_id().unwrap(),
            Some("Login troubleshooting tip: Connect to hotspot or Wi-Fi"),
        )
        .await
        .unwrap();
    click(&mut ep, "Refresh").await;
    click(&mut ep, "Info").await;
    let s = ep.screen();
    assert_snapshot!("mac_info_panel", s.render_text());
    let p = s.info_panel.clone().unwrap();
    assert_eq!(p.hostname, "mac-0012");
    assert_eq!(
        s.login_window_text.as_deref(),
        Some("Login troubleshooting tip: Connect to hotspot or Wi-Fi")
    );
    assert_snapshot!("mac_info_panel_svg", s.render_svg());
    click(&mut ep, "Close").await;
    assert!(ep.screen().info_panel.is_none());
}

#[tokio::test]
async fn control_plane_down_with_internet_up_is_an_http_failure() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let mut ep = env.mac(13).await;
    click(&mut ep, "Sign in with JumpCloud").await;
    type_into(&mut ep, "Email", &holly.email);
    click(&mut ep, "Continue").await;
    type_into(&mut ep, "Password", PW);
    let crate::common::Env { server, .. } = env;
    server.shutdown().await;
    click(&mut ep, "Login").await;
    let s = ep.screen();
    assert_eq!(s.indicator.as_ref().unwrap().colour, Colour::Green);
    assert_eq!(s.title, "Can't reach JumpCloud");
    assert!(ep.accounts().all().is_empty());
    click(&mut ep, "OK").await;
    click(&mut ep, "Refresh").await;
    assert!(ep
        .screen()
        .error_text()
        .unwrap()
        .contains("Try again later"));
}

#[tokio::test]
async fn ui_error_says_what_is_on_screen() {
    let env = env().await;
    let mut ep = env.mac(14).await;
    let e = ep.click("Sign in with JumpCloud").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "no button \"Sign in with JumpCloud\" on the stock macOS login window; buttons: (none); fields: (none)"
    );
    let e = ep.type_into("Email", "x").unwrap_err();
    assert!(e.to_string().starts_with("no field \"Email\""));
}
