//! Federated sign-in (R46) against a wiremock identity provider: the code exchange, the ID
//! token checks, single-use state, and every refusal with its audit reason.

use ssap_api::federation::{form_decode, form_value, REDIRECT_URI};
use ssap_api::{
    codes, DeviceClient, FederatedSignIn, Http, NewUser, SignInKind, SignInMethod,
    SignInMethodRequest, SignInPurpose, UserPatch,
};
use ssap_mock::{MockIdp, TokenMode};

use crate::common::*;

const IDP_PASSWORD: &str = "idp-password-1";

/// An org with both toggles on, an IdP set up, one federated user known to the IdP, and a Mac.
struct Fed {
    env: Env,
    org: Org,
    idp: MockIdp,
    user: ssap_api::User,
    device: DeviceClient,
}

async fn fed() -> Fed {
    let env = Env::new().await;
    let org = env.org("fed").await;
    org.admin
        .update_settings(&ssap_api::OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggles");
    let idp = MockIdp::start("Okta").await;
    org.admin
        .set_identity_provider(&idp.config())
        .await
        .expect("set IdP");
    let user = org
        .admin
        .create_user(&federated("ryan@fed.test"))
        .await
        .expect("federated user");
    idp.add_user("ryan@fed.test", IDP_PASSWORD);
    let device = org.device(mac()).await;
    Fed {
        env,
        org,
        idp,
        user,
        device,
    }
}

pub fn federated(email: &str) -> NewUser {
    NewUser {
        password: None,
        federated: true,
        ..user(email)
    }
}

async fn method(device: &DeviceClient, email: &str, purpose: SignInPurpose) -> SignInMethod {
    device
        .sign_in_method(&SignInMethodRequest {
            email: email.into(),
            purpose,
        })
        .await
        .expect("sign-in method")
}

/// What the device's web view does at the IdP's page: submit the credentials to the
/// authorize URL and read the code off the redirect.
pub async fn at_idp(
    http: &Http,
    m: &SignInMethod,
    username: &str,
    password: &str,
) -> FederatedSignIn {
    let url = m.authorize_url.as_deref().expect("authorize URL");
    let reply = http
        .submit_form(url, &[("username", username), ("password", password)])
        .await
        .expect("the IdP answers");
    assert_eq!(reply.status, 302, "IdP: {}", reply.body);
    let location = reply.location.expect("redirect");
    let (base, query) = location.split_once('?').expect("query");
    assert_eq!(base, REDIRECT_URI);
    let pairs = form_decode(query);
    FederatedSignIn {
        code: form_value(&pairs, "code").expect("code").to_string(),
        state: form_value(&pairs, "state").expect("state").to_string(),
        redirect_uri: REDIRECT_URI.into(),
    }
}

async fn start(f: &Fed) -> FederatedSignIn {
    let m = method(&f.device, &f.user.email, SignInPurpose::Provision).await;
    at_idp(&f.env.http, &m, &f.user.email, IDP_PASSWORD).await
}

async fn audit_reasons(org: &Org) -> Vec<String> {
    org.admin
        .audit()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.outcome == "refused")
        .filter_map(|e| e.reason)
        .collect()
}

#[tokio::test]
async fn a_federated_user_provisions_through_the_idp() {
    let f = fed().await;
    let m = method(&f.device, "RYAN@fed.test", SignInPurpose::Provision).await;
    assert_eq!(m.method, SignInKind::Federated);
    assert_eq!(m.identity_provider.as_deref(), Some("Okta"));
    let url = m.authorize_url.clone().expect("url");
    assert!(
        url.starts_with(&format!("{}/authorize?", f.idp.issuer())),
        "{url}"
    );
    for key in [
        "client_id=",
        "redirect_uri=",
        "state=",
        "nonce=",
        "login_hint=",
    ] {
        assert!(url.contains(key), "{url} lacks {key}");
    }
    let back = at_idp(&f.env.http, &m, "ryan@fed.test", IDP_PASSWORD).await;
    assert_eq!(Some(back.state.as_str()), m.state.as_deref());
    let auth = f
        .device
        .authenticate_federated(&back)
        .await
        .expect("ticket");
    assert_eq!(auth.user_id, f.user.id);
    assert!(auth.password_sync);
    let assoc = f
        .device
        .provision(&provision_req(&auth.ticket, "k1"))
        .await
        .expect("provisioned");
    assert_eq!(assoc.user_id, f.user.id);
    assert_eq!(f.idp.token_requests(), 1);
    let events = f.org.admin.audit().await.expect("audit");
    assert!(events.iter().any(|e| e.action == "authenticate"
        && e.outcome == "success"
        && e.reason.as_deref() == Some("federated (Okta)")));

    // The secret never comes back, and the user shows as federated without a password.
    let shown = f.org.admin.identity_provider().await.expect("IdP");
    assert_eq!(shown.client_id, f.idp.client_id());
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/api/admin/identity-provider",
            f.env.server.url()
        ))
        .header("x-api-key", &f.org.created.api_key)
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    assert!(!raw.contains(f.idp.client_secret()), "{raw}");
    let u = f.org.admin.user(&f.user.id).await.expect("user");
    assert!(u.federated && !u.has_password);
}

#[tokio::test]
async fn password_users_and_unknown_emails_sign_in_with_a_password() {
    let f = fed().await;
    f.org.user("pam@fed.test").await;
    for email in ["pam@fed.test", "nobody@fed.test"] {
        let m = method(&f.device, email, SignInPurpose::Provision).await;
        assert_eq!(m.method, SignInKind::Password, "{email}");
        assert!(m.authorize_url.is_none() && m.state.is_none());
    }
    // A federated user cannot use the password route, with or without a directory password.
    assert_eq!(
        code(f.device.authenticate(&login("ryan@fed.test", "x")).await),
        (403, codes::USE_FEDERATION.to_string())
    );
    assert!(audit_reasons(&f.org)
        .await
        .contains(&codes::USE_FEDERATION.to_string()));
}

#[tokio::test]
async fn every_untrustworthy_id_token_is_refused_and_audited() {
    let f = fed().await;
    let cases = [
        (TokenMode::ForeignKey, "id_token_signature"),
        (TokenMode::WrongAudience, "id_token_audience"),
        (TokenMode::WrongIssuer, "id_token_issuer"),
        (TokenMode::Expired, "id_token_expired"),
        (TokenMode::WrongNonce, "id_token_nonce"),
        (TokenMode::WrongEmail, "id_token_email"),
    ];
    for (mode, reason) in cases {
        f.idp.set_mode(mode);
        let back = start(&f).await;
        let err = f
            .device
            .authenticate_federated(&back)
            .await
            .expect_err("refused");
        assert_eq!(
            (err.status(), err.code()),
            (Some(401), Some(codes::FEDERATION_FAILED)),
            "{mode:?}: {err}"
        );
        assert!(
            audit_reasons(&f.org).await.contains(&reason.to_string()),
            "{mode:?}: no audit reason {reason}"
        );
        // The state was spent: the same answer cannot be tried again.
        assert_eq!(
            code(f.device.authenticate_federated(&back).await),
            (401, codes::FEDERATION_STATE_INVALID.to_string()),
            "{mode:?}"
        );
    }
    assert!(f
        .org
        .admin
        .associations(f.device.device_id())
        .await
        .expect("associations")
        .is_empty());
}

#[tokio::test]
async fn state_is_single_use_and_bound_to_device_purpose_and_redirect() {
    let f = fed().await;
    // Another device cannot redeem this device's state.
    let back = start(&f).await;
    let other = f.org.device(windows()).await;
    assert_eq!(
        code(other.authenticate_federated(&back).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    // A different redirect URI spends the state and is refused.
    let back = start(&f).await;
    let mut wrong = back.clone();
    wrong.redirect_uri = "https://attacker.test/callback".into();
    assert_eq!(
        code(f.device.authenticate_federated(&wrong).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    // A login state does not provision.
    let m = method(&f.device, &f.user.email, SignInPurpose::Login).await;
    let back = at_idp(&f.env.http, &m, &f.user.email, IDP_PASSWORD).await;
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    // Replaying a successful answer is refused.
    let back = start(&f).await;
    f.device
        .authenticate_federated(&back)
        .await
        .expect("first use");
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    let unknown = FederatedSignIn {
        code: "c".into(),
        state: "never-issued".into(),
        redirect_uri: REDIRECT_URI.into(),
    };
    assert_eq!(
        code(f.device.authenticate_federated(&unknown).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
    assert!(audit_reasons(&f.org)
        .await
        .contains(&codes::FEDERATION_STATE_INVALID.to_string()));
}

#[tokio::test]
async fn a_refused_code_and_an_idp_that_is_down_get_clear_errors_not_500() {
    let f = fed().await;
    // A code the IdP never issued: the IdP refuses it.
    let mut back = start(&f).await;
    back.code = "forged-code".into();
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (401, codes::FEDERATION_FAILED.to_string())
    );
    assert!(audit_reasons(&f.org)
        .await
        .contains(&"idp_refused_code".to_string()));
    // The IdP failing.
    f.idp.set_mode(TokenMode::ServerError);
    let back = start(&f).await;
    let err = f
        .device
        .authenticate_federated(&back)
        .await
        .expect_err("refused");
    assert_eq!(
        (err.status(), err.code()),
        (Some(502), Some(codes::IDP_UNAVAILABLE))
    );
    assert!(err.to_string().contains("Okta"), "{err}");
    // The IdP gone altogether, after the web view got its code.
    f.idp.set_mode(TokenMode::Honest);
    let back = start(&f).await;
    let Fed {
        env,
        org,
        device,
        idp,
        ..
    } = f;
    drop(idp);
    let err = device
        .authenticate_federated(&back)
        .await
        .expect_err("refused");
    assert_eq!(
        (err.status(), err.code()),
        (Some(502), Some(codes::IDP_UNAVAILABLE)),
        "{err}"
    );
    assert!(audit_reasons(&org)
        .await
        .contains(&codes::IDP_UNAVAILABLE.to_string()));
    drop(env);
}

#[tokio::test]
async fn the_same_user_checks_apply_after_the_idp() {
    let f = fed().await;
    f.org
        .admin
        .update_user(
            &f.user.id,
            &UserPatch {
                locked: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("lock");
    let back = start(&f).await;
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (403, codes::USER_LOCKED.to_string())
    );
    // MFA is not asked while provisioning (R45).
    f.org
        .admin
        .update_user(
            &f.user.id,
            &UserPatch {
                locked: Some(false),
                mfa_enforced: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("unlock");
    let back = start(&f).await;
    let auth = f
        .device
        .authenticate_federated(&back)
        .await
        .expect("ticket");
    assert!(auth.mfa_enforced);
    // Toggle off: refused like a password sign-in.
    f.org
        .admin
        .update_settings(&ssap_api::OrgSettingsPatch {
            macos_ssap: Some(false),
            ..Default::default()
        })
        .await
        .expect("toggle off");
    let back = start(&f).await;
    assert_eq!(
        code(f.device.authenticate_federated(&back).await),
        (403, codes::SSAP_DISABLED.to_string())
    );
}

#[tokio::test]
async fn login_through_federation_needs_a_binding_on_this_device() {
    let f = fed().await;
    let m = method(&f.device, &f.user.email, SignInPurpose::Login).await;
    let back = at_idp(&f.env.http, &m, &f.user.email, IDP_PASSWORD).await;
    assert_eq!(
        code(f.device.login_federated(&back).await),
        (403, codes::NOT_BOUND.to_string())
    );
    let auth = f
        .device
        .authenticate_federated(&start(&f).await)
        .await
        .expect("ticket");
    f.device
        .provision(&provision_req(&auth.ticket, "k"))
        .await
        .expect("provisioned");
    let m = method(&f.device, &f.user.email, SignInPurpose::Login).await;
    let back = at_idp(&f.env.http, &m, &f.user.email, IDP_PASSWORD).await;
    let a = f.device.login_federated(&back).await.expect("login");
    assert_eq!(a.user_id, f.user.id);
    // Provisioning states do not log in.
    let back = start(&f).await;
    assert_eq!(
        code(f.device.login_federated(&back).await),
        (401, codes::FEDERATION_STATE_INVALID.to_string())
    );
}

#[tokio::test]
async fn no_idp_set_up_is_a_clear_refusal() {
    let f = fed().await;
    f.org.admin.clear_identity_provider().await.expect("clear");
    assert_eq!(
        code(f.org.admin.identity_provider().await),
        (404, codes::NOT_FOUND.to_string())
    );
    assert_eq!(
        code(
            f.device
                .sign_in_method(&SignInMethodRequest {
                    email: f.user.email.clone(),
                    purpose: SignInPurpose::Provision,
                })
                .await
        ),
        (403, codes::FEDERATION_NOT_CONFIGURED.to_string())
    );
    let mut bad = f.idp.config();
    bad.issuer = "ftp://idp.test".into();
    assert_eq!(
        code(f.org.admin.set_identity_provider(&bad).await),
        (400, codes::BAD_REQUEST.to_string())
    );
}
