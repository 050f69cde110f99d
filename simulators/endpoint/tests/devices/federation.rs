//! Federated sign-in (R46) on both OSes: the identity provider's page in the web view, real
//! HTTP to a wiremock IdP and to the reference control plane, and logging in afterwards
//! through federation.

use crate::common::{click, env, type_into, Env};
use insta::assert_snapshot;
use ssap_api::{NewUser, User};
use ssap_endpoint::{Endpoint, LocalSecret, ScreenKind};
use ssap_mock::{MockIdp, TokenMode};

const IDP_PW: &str = "Idp-pw-1";

async fn federated_org(env: &Env) -> (MockIdp, User) {
    env.macos_ssap(true).await;
    env.windows_ssap(true).await;
    let idp = MockIdp::start("Okta").await;
    env.admin
        .set_identity_provider(&idp.config())
        .await
        .expect("IdP");
    let user = env
        .user_with(NewUser {
            email: "ryan@sabre.example".into(),
            username: "ryan.howard".into(),
            firstname: "Ryan".into(),
            lastname: "Howard".into(),
            federated: true,
            ..Default::default()
        })
        .await;
    idp.add_user(&user.email, IDP_PW);
    (idp, user)
}

/// Up to the IdP's page: Sign in with JumpCloud (-> Click here) -> Email -> Continue.
async fn to_idp_page(ep: &mut Endpoint, email: &str) {
    click(ep, "Sign in with JumpCloud").await;
    if ep.os() == ssap_api::Os::Windows {
        click(ep, "Click here to sign in").await;
    }
    type_into(ep, "Email", email);
    click(ep, "Continue").await;
}

async fn at_idp(ep: &mut Endpoint, password: &str) {
    type_into(ep, "Password", password);
    click(ep, "Sign In").await;
}

#[tokio::test]
async fn macos_provisions_and_logs_in_through_the_idp() {
    let env = env().await;
    let (idp, user) = federated_org(&env).await;
    let mut ep = env.mac(1).await;
    to_idp_page(&mut ep, &user.email).await;
    let s = ep.screen();
    assert_eq!(s.kind, ScreenKind::IdentityProviderSignIn);
    assert_snapshot!("mac_idp_page", s.render_text());
    at_idp(&mut ep, IDP_PW).await;
    let acct = ep.accounts().find("ryan.howard").expect("account").clone();
    assert!(acct.managed);
    assert_eq!(
        acct.password,
        LocalSecret::Federated {
            email: user.email.clone(),
            idp: "Okta".into()
        }
    );
    assert_eq!(idp.token_requests(), 1);

    // At the next login: the tile offers the IdP, which runs the code flow again.
    ep.reboot().await.expect("reboot");
    click(&mut ep, "Ryan Howard").await;
    let s = ep.screen();
    assert!(!s.has_field("Password"), "{}", s.render_text());
    assert_snapshot!("mac_federated_tile", s.render_text());
    click(&mut ep, "Sign in with Okta").await;
    assert_eq!(ep.screen().kind, ScreenKind::IdentityProviderSignIn);
    at_idp(&mut ep, "wrong").await;
    assert_eq!(
        ep.screen().error_text(),
        Some("Incorrect username or password.")
    );
    at_idp(&mut ep, IDP_PW).await;
    for _ in 0..3 {
        if ep.screen().kind == ScreenKind::SetupAssistant {
            click(&mut ep, "Continue").await;
        }
    }
    assert_eq!(ep.logged_in_user(), Some("ryan.howard"));
    assert_eq!(idp.token_requests(), 2);
}

#[tokio::test]
async fn windows_skips_the_password_reconfirmation_but_asks_for_a_pin() {
    let env = env().await;
    let (_idp, user) = federated_org(&env).await;
    let mut ep = env.windows(1).await;
    to_idp_page(&mut ep, &user.email).await;
    assert_snapshot!("win_idp_page", ep.screen().render_text());
    at_idp(&mut ep, IDP_PW).await;
    assert_eq!(ep.screen().kind, ScreenKind::CreatePin);
    type_into(&mut ep, "PIN", "246810");
    type_into(&mut ep, "Confirm PIN", "246810");
    click(&mut ep, "OK").await;
    assert_eq!(ep.logged_in_user(), Some("ryan.howard"));

    // Later: the PIN, or Sign-in options -> Sign in with Okta.
    ep.sign_out().await.expect("sign out");
    click(&mut ep, "Ryan Howard").await;
    click(&mut ep, "Sign-in options").await;
    assert_snapshot!("win_federated_tile", ep.screen().render_text());
    click(&mut ep, "Sign in with Okta").await;
    at_idp(&mut ep, IDP_PW).await;
    assert_eq!(ep.logged_in_user(), Some("ryan.howard"));
}

#[tokio::test]
async fn refusals_create_nothing() {
    let env = env().await;
    let (idp, user) = federated_org(&env).await;
    // A wrong IdP password: the IdP's page says so, nothing reaches provisioning.
    let mut ep = env.mac(1).await;
    to_idp_page(&mut ep, &user.email).await;
    at_idp(&mut ep, "not-it").await;
    assert_eq!(ep.screen().kind, ScreenKind::IdentityProviderSignIn);
    assert_eq!(idp.token_requests(), 0);
    // A forged token: the control plane refuses, the screen says so, nothing is created.
    idp.set_mode(TokenMode::ForeignKey);
    at_idp(&mut ep, IDP_PW).await;
    let s = ep.screen();
    assert_eq!(s.kind, ScreenKind::Notice, "{}", s.render_text());
    assert!(s
        .error_text()
        .is_some_and(|e| e.contains("could not be verified")));
    assert!(ep.accounts().find("ryan.howard").is_none());
    // Replaying the answer is refused too.
    let back = ep.last_federation().expect("answer").clone();
    let client = ep.agent().device_client().expect("client").clone();
    let err = client
        .authenticate_federated(&back)
        .await
        .expect_err("replay");
    assert_eq!(err.code(), Some(ssap_api::codes::FEDERATION_STATE_INVALID));
    assert!(env
        .admin
        .associations(ep.device_id().expect("id"))
        .await
        .expect("assocs")
        .is_empty());
}

#[tokio::test]
async fn orgs_without_an_idp_make_no_extra_request() {
    let env = env().await;
    env.macos_ssap(true).await;
    let u = env.user("pam", "Pam", "Beesly").await;
    let mut ep = env.mac(1).await;
    click(&mut ep, "Sign in with JumpCloud").await;
    type_into(&mut ep, "Email", &u.email);
    click(&mut ep, "Continue").await;
    assert_eq!(ep.screen().kind, ScreenKind::JumpCloudPassword);
}
