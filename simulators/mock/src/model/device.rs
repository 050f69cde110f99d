//! Device routes.

use ssap_api::limits::LOCK_AFTER_WRONG_PASSWORDS as LOCK_AFTER;
use ssap_api::{
    codes, mfa, AttemptReport, AuthenticateRequest, BindSource, Device, DeviceFacts,
    DeviceRegistered, LoginWindowConfig, MfaVerifyRequest, ProvisionRequest,
};
use wiremock::Request;

use super::federation::sign_in_method;
use super::rules::{eligibility, record_failure, ssap_enabled, state_refusal, throttled};
use super::wire::{bad_request, body, not_found, refusal_code};
use super::{Answer, AssocRec, DeviceRec, Model, State};
use crate::reply::Reply;

impl Model {
    /// `POST /api/device/register`: a new device of org `o` and its credential.
    pub(super) fn register(&self, st: &mut State, o: usize, req: &Request) -> Answer {
        let facts: DeviceFacts = body(req)?;
        if facts.hostname.trim().is_empty() {
            return Err(bad_request("hostname must not be empty"));
        }
        let id = st.id("dev");
        let credential = format!("mock_dk_{}", uuid::Uuid::new_v4().simple());
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        org.audit(
            clock,
            &format!("device:{id}"),
            "device.register",
            &facts.hostname,
            true,
            Some(&format!("{} {}", facts.os, facts.os_version)),
        );
        org.devices.push(DeviceRec {
            device: Device {
                id: id.clone(),
                facts,
            },
            credential: credential.clone(),
            login_window_text: None,
            windows_mode: None,
            mfa_policy: None,
            sign_in_failures: Vec::new(),
        });
        Ok(Reply::json(
            201,
            &DeviceRegistered {
                device_id: id,
                device_credential: credential,
            },
        ))
    }

    /// The device routes of device `d` of org `o`: login window, associations, authenticate,
    /// provision, sign-in method, MFA verify, attempts.
    pub(super) fn device(
        &self,
        st: &mut State,
        o: usize,
        d: usize,
        req: &Request,
        route: &str,
    ) -> Answer {
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        let dev = org.devices[d].clone();
        let device_id = dev.device.id.clone();
        let actor = format!("device:{device_id}");
        match route {
            "login-window" => Ok(Reply::json(
                200,
                &LoginWindowConfig {
                    ssap_enabled: ssap_enabled(&dev, &org.settings),
                    offer_sign_in: eligibility(&dev, &org.settings, org.managed(&device_id))
                        .is_ok(),
                    login_window_text: dev.login_window_text.clone(),
                    managed_users: org.associations(&device_id),
                    identity_provider: org.idp.as_ref().map(|p| p.name.clone()),
                },
            )),
            "associations" => Ok(Reply::json(200, &org.associations(&device_id))),
            "authenticate" => {
                let r: AuthenticateRequest = body(req)?;
                let email = r.email.trim().to_string();
                if let Some(e) = throttled(&dev, org.now_ms()) {
                    let code = refusal_code(&e);
                    org.audit(clock, &actor, "authenticate", &email, false, Some(&code));
                    return Err(e);
                }
                if let Err(e) = eligibility(&dev, &org.settings, org.managed(&device_id)) {
                    let code = refusal_code(&e);
                    org.audit(clock, &actor, "authenticate", &email, false, Some(&code));
                    return Err(e);
                }
                let invalid = || {
                    Reply::error(
                        401,
                        codes::INVALID_CREDENTIALS,
                        "The email or password is incorrect",
                    )
                };
                let Some(u) = org
                    .users
                    .iter()
                    .position(|u| u.user.email.eq_ignore_ascii_case(&email))
                else {
                    org.password_checks += 1;
                    org.audit(
                        clock,
                        &actor,
                        "authenticate",
                        &email,
                        false,
                        Some("unknown_user"),
                    );
                    let now = org.now_ms();
                    record_failure(&mut org.devices[d], now);
                    return Err(invalid());
                };
                if org.users[u].user.federated {
                    org.audit(
                        clock,
                        &actor,
                        "authenticate",
                        &email,
                        false,
                        Some(codes::USE_FEDERATION),
                    );
                    return Err(Reply::error(
                        403,
                        codes::USE_FEDERATION,
                        "Your account signs in through your organization's identity provider",
                    ));
                }
                // R62: before the password proves who signs in, one refusal for everyone after
                // one password check; the audit keeps the real reason.
                org.password_checks += 1;
                let rec = &mut org.users[u];
                if rec.password.as_deref() != Some(r.password.as_str()) {
                    let reason = match (&rec.password, state_refusal(rec)) {
                        (None, _) => codes::NO_PASSWORD.to_string(),
                        (Some(_), Some(e)) => refusal_code(&e),
                        (Some(_), None) => "wrong_password".to_string(),
                    };
                    let mut lock = false;
                    if rec.password.is_some() {
                        rec.failures += 1;
                        lock = rec.failures >= LOCK_AFTER && !rec.user.locked;
                        if lock {
                            rec.user.locked = true;
                        }
                    }
                    org.audit(clock, &actor, "authenticate", &email, false, Some(&reason));
                    if lock {
                        org.audit(clock, &actor, "user.lock", &email, true, None);
                    }
                    let now = org.now_ms();
                    record_failure(&mut org.devices[d], now);
                    return Err(invalid());
                }
                if let Some(e) = state_refusal(&org.users[u]) {
                    let code = refusal_code(&e);
                    org.audit(clock, &actor, "authenticate", &email, false, Some(&code));
                    return Err(e);
                }
                let rec = &mut org.users[u];
                rec.failures = 0;
                let user = rec.user.clone();
                let reply = org.issue_ticket(&device_id, user);
                org.audit(clock, &actor, "authenticate", &email, true, None);
                Ok(Reply::json(200, &reply))
            }
            "provision" => {
                let p: ProvisionRequest = body(req)?;
                if p.idempotency_key.trim().is_empty() || p.local_name.trim().is_empty() {
                    return Err(bad_request(
                        "idempotency_key and local_name must not be empty",
                    ));
                }
                let ticket_invalid = || {
                    Reply::error(
                        401,
                        codes::TICKET_INVALID,
                        "The sign-in has expired or was not made on this device; sign in again",
                    )
                };
                let ticket = org
                    .tickets
                    .get(&p.ticket)
                    .filter(|t| t.device_id == device_id)
                    .cloned();
                let key = (device_id.clone(), p.idempotency_key.clone());
                // Refusals are audited with the ticket's user when there is one, else "ticket".
                if let Some((first_user, reply)) = org.replies.get(&key).cloned() {
                    let (target, refusal) = match ticket {
                        Some(t) if t.user_id == first_user => return Ok(Reply::json(200, &reply)),
                        Some(_) => (
                            format!("idempotency key {}", p.idempotency_key),
                            Reply::error(
                                409,
                                codes::IDEMPOTENCY_MISMATCH,
                                "This idempotency key was already used to provision another user",
                            ),
                        ),
                        None => ("ticket".to_string(), ticket_invalid()),
                    };
                    let code = refusal_code(&refusal);
                    org.audit(clock, &actor, "provision", &target, false, Some(&code));
                    return Err(refusal);
                }
                // No such ticket, or its user was removed from the directory since (R63).
                let Some((t, u)) = ticket.and_then(|t| org.user(&t.user_id).ok().map(|u| (t, u)))
                else {
                    org.audit(
                        clock,
                        &actor,
                        "provision",
                        "ticket",
                        false,
                        Some(codes::TICKET_INVALID),
                    );
                    return Err(ticket_invalid());
                };
                let email = org.users[u].user.email.clone();
                if t.used || t.expires_ms <= org.now_ms() {
                    org.audit(
                        clock,
                        &actor,
                        "provision",
                        &email,
                        false,
                        Some(codes::TICKET_INVALID),
                    );
                    return Err(ticket_invalid());
                }
                if let Some(e) = state_refusal(&org.users[u]) {
                    let code = refusal_code(&e);
                    org.audit(clock, &actor, "provision", &email, false, Some(&code));
                    return Err(e);
                }
                let existing = org
                    .assocs
                    .iter()
                    .find(|a| a.device_id == device_id && a.user_id == t.user_id)
                    .cloned();
                let (assoc, reason) = match existing {
                    Some(a) => (a, Some("already bound to this device")),
                    None => {
                        if let Err(e) = eligibility(&dev, &org.settings, org.managed(&device_id)) {
                            let code = refusal_code(&e);
                            org.audit(clock, &actor, "provision", &email, false, Some(&code));
                            return Err(e);
                        }
                        let rec = AssocRec {
                            device_id: device_id.clone(),
                            user_id: t.user_id.clone(),
                            permission: org.settings.permission_level,
                            source: BindSource::SelfService,
                            password_sync: org.settings.password_sync,
                            local_name: Some(p.local_name.trim().to_string()),
                        };
                        org.assocs.push(rec.clone());
                        (rec, None)
                    }
                };
                let reply = org.association(&assoc).ok_or_else(ticket_invalid)?;
                if let Some(t) = org.tickets.get_mut(&p.ticket) {
                    t.used = true;
                }
                org.replies
                    .insert(key, (assoc.user_id.clone(), reply.clone()));
                org.audit(clock, &actor, "provision", &email, true, reason);
                Ok(Reply::json(200, &reply))
            }
            "sign-in-method" => sign_in_method(org, clock, &actor, &device_id, req),
            "mfa" => {
                let r: MfaVerifyRequest = body(req)?;
                if let Some(e) = throttled(&dev, org.now_ms()) {
                    return Err(e);
                }
                if !org
                    .assocs
                    .iter()
                    .any(|a| a.device_id == device_id && a.user_id == r.user_id)
                {
                    return Err(not_found("association"));
                }
                let u = org.user(&r.user_id)?;
                let now = u64::try_from(org.now_ms() / 1000).unwrap_or(0);
                let rec = &mut org.users[u];
                let verdict = match &rec.mfa {
                    None => Err("not_enrolled"),
                    Some((secret, last)) => match mfa::matching_step(secret, &r.code, now) {
                        Ok(Some(step)) if step > *last => Ok(step),
                        Ok(Some(_)) => Err("replayed_code"),
                        Ok(None) | Err(_) => Err("wrong_code"),
                    },
                };
                let email = rec.user.email.clone();
                match verdict {
                    Ok(step) => {
                        if let Some((_, last)) = rec.mfa.as_mut() {
                            *last = step;
                        }
                        org.audit(clock, &actor, "mfa.verify", &email, true, None);
                        Ok(Reply::empty(204))
                    }
                    Err(reason) => {
                        org.audit(clock, &actor, "mfa.verify", &email, false, Some(reason));
                        let now = org.now_ms();
                        record_failure(&mut org.devices[d], now);
                        Err(Reply::error(
                            401,
                            codes::MFA_CODE_INVALID,
                            "That code is not valid; enter the current code from your authenticator app",
                        ))
                    }
                }
            }
            _ => {
                let r: AttemptReport = body(req)?;
                if r.reason.trim().is_empty() {
                    return Err(bad_request("reason must not be empty"));
                }
                org.audit(
                    clock,
                    &actor,
                    "provision",
                    r.email.trim(),
                    false,
                    Some(r.reason.trim()),
                );
                Ok(Reply::empty(204))
            }
        }
    }
}
