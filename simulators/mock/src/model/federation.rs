//! Federated sign-in.

use ssap_api::client::DEVICE_KEY_HEADER;
use ssap_api::{
    codes, federation, FederatedSignIn, IdentityProviderConfig, SignInKind, SignInMethod,
    SignInMethodRequest, SignInPurpose,
};
use wiremock::Request;

use super::rules::{eligibility, record_failure, state_refusal, throttled, TICKET_TTL_MS};
use super::wire::{bad_request, body, refusal_code, unauthorized};
use super::{Answer, Caller, FedState, Model, Org};
use crate::reply::Reply;

impl Model {
    /// at the IdP over HTTP (without the model's lock), check the ID token, then the same
    /// user and device rules as a password. Refusals are audited with the same reasons.
    pub(super) fn federated(&self, req: &Request, purpose: SignInPurpose) -> Answer {
        let poisoned = || Reply::error(500, codes::INTERNAL, "the mock's model was poisoned");
        let fed: FederatedSignIn;
        let (o, d, user_id, email, nonce, idp) = {
            let mut guard = self.state.lock().map_err(|_| poisoned())?;
            let st = &mut *guard;
            let Caller::Device(o, d) = self.caller(st, req, DEVICE_KEY_HEADER)? else {
                return Err(unauthorized("device routes need the device credential"));
            };
            fed = body(req)?;
            let clock = &mut st.clock_ms;
            let org = &mut st.orgs[o];
            let dev = org.devices[d].clone();
            let actor = format!("device:{}", dev.device.id);
            let managed = org.managed(&dev.device.id);
            // The device's throttle first (R42), as for a password: a throttled attempt leaves
            // the state usable.
            if let Some(e) = throttled(&dev, org.now_ms()) {
                let code = refusal_code(&e);
                org.audit(
                    clock,
                    &actor,
                    fed_action(purpose),
                    "federated sign-in",
                    false,
                    Some(&code),
                );
                return Err(e);
            }
            // Only this device's states exist for it (as the reference server's lookup).
            let spent = org
                .fed_states
                .get_mut(&fed.state)
                .filter(|s| s.device_id == dev.device.id)
                .map(|s| {
                    let was = s.clone();
                    s.used = true;
                    was
                });
            let email_of = |org: &Org, id: &str| {
                org.users
                    .iter()
                    .find(|u| u.user.id == id)
                    .map(|u| u.user.email.clone())
            };
            let target = spent
                .as_ref()
                .and_then(|s| email_of(org, &s.user_id))
                .unwrap_or_else(|| "federated sign-in".into());
            let refuse = |org: &mut Org, clock: &mut i64, e: Reply| {
                let code = refusal_code(&e);
                org.audit(
                    clock,
                    &actor,
                    fed_action(purpose),
                    &target,
                    false,
                    Some(&code),
                );
                Err(e)
            };
            let Some(s) = spent.filter(|s| {
                !s.used
                    && s.expires_ms > org.now_ms()
                    && s.purpose == purpose
                    && fed.redirect_uri == federation::REDIRECT_URI
            }) else {
                return refuse(org, clock, state_invalid());
            };
            let Some(idp) = org.idp.clone() else {
                return refuse(
                    org,
                    clock,
                    Reply::error(
                        403,
                        codes::FEDERATION_NOT_CONFIGURED,
                        "No identity provider is set up for your organization",
                    ),
                );
            };
            if purpose == SignInPurpose::Provision {
                if let Err(e) = eligibility(&dev, &org.settings, managed) {
                    return refuse(org, clock, e);
                }
            }
            (o, d, s.user_id, target, s.nonce, idp)
        };

        let exchanged = exchange_code(&idp, &fed);
        let now_secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.as_secs() as i64)
            .unwrap_or(0);
        let checked = exchanged.and_then(|token| {
            let expected = federation::Expected {
                issuer: &idp.issuer,
                client_id: &idp.client_id,
                client_secret: &idp.client_secret,
                nonce: &nonce,
                email: &email,
            };
            federation::validate_id_token(&token, &expected, now_secs).map_err(|p| {
                (
                    p.reason().to_string(),
                    Reply::error(
                        401,
                        codes::FEDERATION_FAILED,
                        &format!("The answer from {} could not be trusted ({p})", idp.name),
                    ),
                )
            })
        });

        let mut guard = self.state.lock().map_err(|_| poisoned())?;
        let st = &mut *guard;
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        let dev = org.devices[d].clone();
        let device_id = dev.device.id.clone();
        let actor = format!("device:{device_id}");
        let action = fed_action(purpose);
        if let Err((reason, reply)) = checked {
            // A code the provider refused or a token that failed the checks counts towards the
            // device's throttle like a wrong password (R42); an unreachable provider does not.
            if reason != codes::IDP_UNAVAILABLE {
                let now = org.now_ms();
                record_failure(&mut org.devices[d], now);
            }
            org.audit(clock, &actor, action, &email, false, Some(&reason));
            return Err(reply);
        }
        let Some(u) = org.users.iter().position(|u| u.user.id == user_id) else {
            return Err(Reply::error(
                401,
                codes::FEDERATION_FAILED,
                "This account no longer exists",
            ));
        };
        if let Some(e) = state_refusal(&org.users[u]) {
            let code = refusal_code(&e);
            org.audit(clock, &actor, action, &email, false, Some(&code));
            return Err(e);
        }
        let user = org.users[u].user.clone();
        let how = format!("federated ({})", idp.name);
        match purpose {
            SignInPurpose::Login => {
                let Some(a) = org
                    .assocs
                    .iter()
                    .find(|a| a.device_id == device_id && a.user_id == user.id)
                    .and_then(|a| org.association(a))
                else {
                    org.audit(clock, &actor, action, &email, false, Some(codes::NOT_BOUND));
                    return Err(Reply::error(
                        403,
                        codes::NOT_BOUND,
                        "Your account is not set up on this device; contact your admin",
                    ));
                };
                org.audit(clock, &actor, action, &email, true, Some(&how));
                Ok(Reply::json(200, &a))
            }
            SignInPurpose::Provision => {
                if let Err(e) = eligibility(&dev, &org.settings, org.managed(&device_id)) {
                    let code = refusal_code(&e);
                    org.audit(clock, &actor, action, &email, false, Some(&code));
                    return Err(e);
                }
                let reply = org.issue_ticket(&device_id, user);
                org.audit(clock, &actor, action, &email, true, Some(&how));
                Ok(Reply::json(200, &reply))
            }
        }
    }
}

/// `POST /api/device/sign-in-method` (R46): password, or the IdP's authorize URL with a fresh state
/// for a federated user.
pub(super) fn sign_in_method(
    org: &mut Org,
    clock: &mut i64,
    actor: &str,
    device_id: &str,
    req: &Request,
) -> Answer {
    let r: SignInMethodRequest = body(req)?;
    let email = r.email.trim().to_string();
    if email.is_empty() {
        return Err(bad_request("email must not be empty"));
    }
    let password = SignInMethod {
        method: SignInKind::Password,
        identity_provider: None,
        authorize_url: None,
        state: None,
        redirect_uri: None,
    };
    let Some(user) = org
        .users
        .iter()
        .find(|u| u.user.email.eq_ignore_ascii_case(&email) && u.user.federated)
        .map(|u| u.user.clone())
    else {
        return Ok(Reply::json(200, &password));
    };
    let Some(idp) = org.idp.clone() else {
        org.audit(
            clock,
            actor,
            fed_action(r.purpose),
            &email,
            false,
            Some(codes::FEDERATION_NOT_CONFIGURED),
        );
        return Err(Reply::error(
            403,
            codes::FEDERATION_NOT_CONFIGURED,
            "Your account signs in through an identity provider, but none is set up",
        ));
    };
    let state = format!("mock_st_{}", uuid::Uuid::new_v4().simple());
    let nonce = format!("mock_nc_{}", uuid::Uuid::new_v4().simple());
    org.fed_states.insert(
        state.clone(),
        FedState {
            device_id: device_id.to_string(),
            user_id: user.id.clone(),
            purpose: r.purpose,
            nonce: nonce.clone(),
            used: false,
            expires_ms: org.now_ms() + TICKET_TTL_MS,
        },
    );
    let url = format!(
        "{}/authorize?{}",
        idp.issuer,
        federation::form_encode(&[
            ("response_type", "code"),
            ("scope", "openid email"),
            ("client_id", &idp.client_id),
            ("redirect_uri", federation::REDIRECT_URI),
            ("state", &state),
            ("nonce", &nonce),
            ("login_hint", &user.email),
        ])
    );
    Ok(Reply::json(
        200,
        &SignInMethod {
            method: SignInKind::Federated,
            identity_provider: Some(idp.name),
            authorize_url: Some(url),
            state: Some(state),
            redirect_uri: Some(federation::REDIRECT_URI.into()),
        },
    ))
}

/// The audit action of a federated sign-in for `p`.
fn fed_action(p: SignInPurpose) -> &'static str {
    match p {
        SignInPurpose::Provision => "authenticate",
        SignInPurpose::Login => "login",
    }
}

/// The 401 for a federated state that is unknown, spent, expired or for another purpose.
fn state_invalid() -> Reply {
    Reply::error(
        401,
        codes::FEDERATION_STATE_INVALID,
        "This sign-in has expired or was already used; start again",
    )
}

/// The code exchange at `{issuer}/token`. wiremock calls responders on its server's own
/// runtime, so the HTTP runs on a short-lived thread with its own runtime (as `upstream`).
/// `Err((audit reason, reply))`.
fn exchange_code(
    idp: &IdentityProviderConfig,
    fed: &FederatedSignIn,
) -> Result<String, (String, Reply)> {
    let url = format!("{}/token", idp.issuer);
    let body = federation::form_encode(&[
        ("grant_type", "authorization_code"),
        ("code", &fed.code),
        ("redirect_uri", &fed.redirect_uri),
        ("client_id", &idp.client_id),
        ("client_secret", &idp.client_secret),
    ]);
    let name = idp.name.clone();
    let unavailable = move |detail: &str| {
        (
            codes::IDP_UNAVAILABLE.to_string(),
            Reply::error(
                502,
                codes::IDP_UNAVAILABLE,
                &format!("{name} did not answer the sign-in ({detail}); try again later"),
            ),
        )
    };
    let outcome = std::thread::spawn(move || -> Result<(u16, String), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("no runtime: {e}"))?;
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("no client: {e}"))?;
            let resp = client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|_| "cannot connect".to_string())?;
            let status = resp.status().as_u16();
            Ok((status, resp.text().await.unwrap_or_default()))
        })
    })
    .join()
    .unwrap_or_else(|_| Err("the exchange thread failed".into()));
    match outcome {
        Err(detail) => Err(unavailable(&detail)),
        Ok((status, _)) if status >= 500 => Err(unavailable(&format!("HTTP {status}"))),
        Ok((status, _)) if !(200..300).contains(&status) => Err((
            "idp_refused_code".to_string(),
            Reply::error(
                401,
                codes::FEDERATION_FAILED,
                &format!("{} refused the sign-in code (HTTP {status})", idp.name),
            ),
        )),
        Ok((_, text)) => serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("id_token")?.as_str().map(str::to_string))
            .ok_or_else(|| unavailable("a reply without an id_token")),
    }
}
