//! Operator and admin routes.

use ssap_api::{
    codes, AuditFilter, BindSource, ClockAdvance, IdentityProvider, IdentityProviderConfig,
    LoginWindowText, MfaPolicy, NewAssociation, NewOrg, NewUser, OrgCreated, OrgSettingsPatch, Os,
    SignInWork, User, UserPatch, VirtualClock, WindowsSsapPolicy,
};
use wiremock::Request;

use super::routes::AdminRoute;
use super::wire::{bad_request, body, header, not_found, page_of, position, unauthorized};
use super::{wall_ms, Answer, AssocRec, Model, Org, State, UserRec};
use crate::reply::Reply;

impl Model {
    /// `POST /api/operator/orgs`: a new org with fresh keys, for the operator token only.
    pub(super) fn create_org(&self, st: &mut State, req: &Request) -> Answer {
        let token = header(req, "authorization")
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        if token != Some(self.operator_token.as_str()) {
            return Err(unauthorized(
                "operator routes need Authorization: Bearer <operator token>",
            ));
        }
        let new: NewOrg = body(req)?;
        if new.name.trim().is_empty() {
            return Err(bad_request("name must not be empty"));
        }
        let id = st.id("org");
        let created = OrgCreated {
            org_id: id.clone(),
            name: new.name.trim().to_string(),
            api_key: format!("mock_ak_{}", uuid::Uuid::new_v4().simple()),
            connect_key: format!("mock_ck_{}", uuid::Uuid::new_v4().simple()),
        };
        let mut org = Org {
            id,
            api_key: created.api_key.clone(),
            connect_key: created.connect_key.clone(),
            ..Org::default()
        };
        org.audit(
            &mut st.clock_ms,
            "operator",
            "org.create",
            &created.name,
            true,
            None,
        );
        st.orgs.push(org);
        Ok(Reply::json(201, &created))
    }

    /// The admin routes of org `o`: settings, users, devices, associations, policies, audit, clock,
    /// identity provider.
    pub(super) fn admin(
        &self,
        st: &mut State,
        o: usize,
        req: &Request,
        route: AdminRoute,
    ) -> Answer {
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        match route {
            AdminRoute::Settings => Ok(Reply::json(200, &org.settings)),
            AdminRoute::UpdateSettings => {
                let p: OrgSettingsPatch = body(req)?;
                let before = org.settings.clone();
                let s = &mut org.settings;
                s.macos_ssap = p.macos_ssap.unwrap_or(s.macos_ssap);
                s.windows_ssap = p.windows_ssap.unwrap_or(s.windows_ssap);
                s.permission_level = p.permission_level.unwrap_or(s.permission_level);
                s.password_sync = p.password_sync.unwrap_or(s.password_sync);
                let after = s.clone();
                if let Some(changes) = after.changes_since(&before) {
                    org.audit(
                        clock,
                        "admin",
                        "settings.update",
                        "org settings",
                        true,
                        Some(&changes),
                    );
                }
                Ok(Reply::json(200, &after))
            }
            AdminRoute::Users => page_of(
                req,
                org.users
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (position(i), u.user.clone())),
            ),
            AdminRoute::CreateUser => {
                let n: NewUser = body(req)?;
                if !n.email.contains('@') || n.username.trim().is_empty() {
                    return Err(bad_request("email and username are required"));
                }
                let taken = org.users.iter().any(|u| {
                    u.user.email.eq_ignore_ascii_case(n.email.trim())
                        || u.user.username.eq_ignore_ascii_case(n.username.trim())
                });
                if taken {
                    return Err(Reply::error(
                        409,
                        codes::CONFLICT,
                        "a user with this email or username already exists in this org",
                    ));
                }
                let user = User {
                    id: format!("user-{}", uuid::Uuid::new_v4().simple()),
                    email: n.email.trim().to_string(),
                    username: n.username.trim().to_string(),
                    system_username: n.system_username.map(|s| s.trim().to_string()),
                    firstname: n.firstname,
                    lastname: n.lastname,
                    has_password: n.password.is_some(),
                    state: n.state,
                    locked: n.locked,
                    password_expired: n.password_expired,
                    mfa_enforced: n.mfa_enforced,
                    mfa_enrolled: n.mfa_enrolled,
                    federated: n.federated,
                };
                org.audit(clock, "admin", "user.create", &user.email, true, None);
                org.users.push(UserRec {
                    user: user.clone(),
                    password: n.password,
                    failures: 0,
                    mfa: None,
                });
                Ok(Reply::json(201, &user))
            }
            AdminRoute::User(id) => Ok(Reply::json(200, &org.users[org.user(&id)?].user)),
            AdminRoute::UpdateUser(id) => {
                let i = org.user(&id)?;
                let p: UserPatch = body(req)?;
                let r = &mut org.users[i];
                let before = r.user.clone();
                let password_set = p.password.is_some();
                let u = &mut r.user;
                u.state = p.state.unwrap_or(u.state);
                if let Some(v) = p.locked {
                    u.locked = v;
                    if !v {
                        r.failures = 0;
                    }
                }
                u.password_expired = p.password_expired.unwrap_or(u.password_expired);
                u.mfa_enforced = p.mfa_enforced.unwrap_or(u.mfa_enforced);
                u.mfa_enrolled = p.mfa_enrolled.unwrap_or(u.mfa_enrolled);
                u.federated = p.federated.unwrap_or(u.federated);
                if let Some(s) = p.system_username {
                    u.system_username = Some(s.trim().to_string()).filter(|s| !s.is_empty());
                }
                if let Some(pw) = p.password {
                    r.password = Some(pw);
                    r.user.has_password = true;
                    r.failures = 0;
                }
                let user = r.user.clone();
                // As the reference server: a patch that changes nothing is not an admin change.
                if user != before || password_set {
                    org.audit(clock, "admin", "user.update", &user.email, true, None);
                }
                Ok(Reply::json(200, &user))
            }
            AdminRoute::RemoveUser(id) => {
                // As the reference server (R63): out of the directory, email and username free
                // again, associations kept (disabled).
                let rec = org.users.remove(org.user(&id)?);
                org.audit(clock, "admin", "user.delete", &rec.user.email, true, None);
                org.removed_users.push(rec);
                Ok(Reply::empty(204))
            }
            AdminRoute::Devices => page_of(
                req,
                org.devices
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (position(i), d.device.clone())),
            ),
            AdminRoute::Device(id) => Ok(Reply::json(200, &org.devices[org.device(&id)?].device)),
            AdminRoute::Associations(id) => {
                org.device(&id)?;
                page_of(
                    req,
                    org.associations(&id)
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| (position(i), a)),
                )
            }
            AdminRoute::Bind(id) => {
                org.device(&id)?;
                let n: NewAssociation = body(req)?;
                let u = org.user(&n.user_id)?;
                let email = org.users[u].user.email.clone();
                if org
                    .assocs
                    .iter()
                    .any(|a| a.device_id == id && a.user_id == n.user_id)
                {
                    return Err(Reply::error(
                        409,
                        codes::ALREADY_BOUND,
                        &format!("user {email} is already bound to device {id}"),
                    ));
                }
                let rec = AssocRec {
                    device_id: id.clone(),
                    user_id: n.user_id,
                    permission: n.permission.unwrap_or(org.settings.permission_level),
                    source: BindSource::Admin,
                    password_sync: org.settings.password_sync,
                    local_name: None,
                };
                let a = org.association(&rec).ok_or_else(|| not_found("user"))?;
                org.assocs.push(rec);
                org.audit(
                    clock,
                    "admin",
                    "association.create",
                    &format!("device {id} / user {email}"),
                    true,
                    None,
                );
                Ok(Reply::json(201, &a))
            }
            AdminRoute::Unbind(id, user) => {
                org.device(&id)?;
                // A removed user is still unbound by id (R63).
                let email = org
                    .users
                    .iter()
                    .chain(&org.removed_users)
                    .find(|u| u.user.id == user)
                    .map(|u| u.user.email.clone())
                    .ok_or_else(|| not_found("user"))?;
                let before = org.assocs.len();
                org.assocs
                    .retain(|a| !(a.device_id == id && a.user_id == user));
                if org.assocs.len() == before {
                    return Err(Reply::error(
                        404,
                        codes::NOT_FOUND,
                        &format!("user {email} is not bound to device {id}"),
                    ));
                }
                org.audit(
                    clock,
                    "admin",
                    "association.delete",
                    &format!("device {id} / user {email}"),
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
            AdminRoute::SetText(id) => {
                let d = org.device(&id)?;
                let t: LoginWindowText = body(req)?;
                if t.text.trim().is_empty() {
                    return Err(bad_request("text must not be empty"));
                }
                org.devices[d].login_window_text = Some(t.text);
                let target = format!("device {id}");
                org.audit(
                    clock,
                    "admin",
                    "policy.login_window_text.set",
                    &target,
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
            AdminRoute::ClearText(id) => {
                let d = org.device(&id)?;
                org.devices[d].login_window_text = None;
                let target = format!("device {id}");
                org.audit(
                    clock,
                    "admin",
                    "policy.login_window_text.delete",
                    &target,
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
            AdminRoute::SetWindows(id) => {
                let d = org.device(&id)?;
                let p: WindowsSsapPolicy = body(req)?;
                if org.devices[d].device.facts.os != Os::Windows {
                    return Err(bad_request(
                        "the Windows SSAP policy applies to Windows devices only",
                    ));
                }
                org.devices[d].windows_mode = Some(p.mode);
                let target = format!("device {id}");
                org.audit(
                    clock,
                    "admin",
                    "policy.windows_ssap.set",
                    &target,
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
            AdminRoute::ClearWindows(id) => {
                let d = org.device(&id)?;
                org.devices[d].windows_mode = None;
                let target = format!("device {id}");
                org.audit(
                    clock,
                    "admin",
                    "policy.windows_ssap.delete",
                    &target,
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
            AdminRoute::SetMfa(id) => {
                let d = org.device(&id)?;
                let p: MfaPolicy = body(req)?;
                org.devices[d].mfa_policy = Some(p.factor);
                let target = format!("device {id}");
                org.audit(clock, "admin", "policy.mfa.set", &target, true, None);
                Ok(Reply::empty(204))
            }
            AdminRoute::ClearMfa(id) => {
                let d = org.device(&id)?;
                org.devices[d].mfa_policy = None;
                let target = format!("device {id}");
                org.audit(clock, "admin", "policy.mfa.delete", &target, true, None);
                Ok(Reply::empty(204))
            }
            AdminRoute::Audit => {
                let filter = AuditFilter::parse(req.url.query()).map_err(|e| bad_request(e.0))?;
                page_of(
                    req,
                    org.audit
                        .iter()
                        .filter(|e| filter.matches(e))
                        .map(|e| (e.seq, e.clone())),
                )
            }
            route @ (AdminRoute::Clock | AdminRoute::AdvanceClock | AdminRoute::FreezeClock) => {
                let wall = wall_ms();
                match route {
                    AdminRoute::AdvanceClock => {
                        let a: ClockAdvance = body(req)?;
                        let step = i64::try_from(a.seconds).unwrap_or(i64::MAX);
                        org.clock_offset_ms = org
                            .clock_offset_ms
                            .saturating_add(step.saturating_mul(1000));
                    }
                    AdminRoute::FreezeClock => {
                        org.clock_frozen_at_ms.get_or_insert(wall);
                    }
                    _ => {}
                }
                let now = org.now_ms();
                Ok(Reply::json(
                    200,
                    &VirtualClock {
                        offset_seconds: u64::try_from(now.saturating_sub(wall) / 1000).unwrap_or(0),
                        now_seconds: u64::try_from(now / 1000).unwrap_or(0),
                        frozen: org.clock_frozen_at_ms.is_some(),
                    },
                ))
            }
            AdminRoute::SignInWork => Ok(Reply::json(
                200,
                &SignInWork {
                    password_checks: org.password_checks,
                },
            )),
            AdminRoute::GetIdp => match &org.idp {
                Some(p) => Ok(Reply::json(200, &public_idp(p))),
                None => Err(Reply::error(
                    404,
                    codes::NOT_FOUND,
                    "no identity provider is set up for this org",
                )),
            },
            AdminRoute::SetIdp => {
                let mut p: IdentityProviderConfig = body(req)?;
                p.issuer = p.issuer.trim().trim_end_matches('/').to_string();
                if [&p.name, &p.issuer, &p.client_id, &p.client_secret]
                    .iter()
                    .any(|v| v.trim().is_empty())
                    || !(p.issuer.starts_with("http://") || p.issuer.starts_with("https://"))
                {
                    return Err(bad_request(
                        "name, an http(s) issuer, client_id and client_secret are required",
                    ));
                }
                org.audit(clock, "admin", "identity_provider.set", &p.name, true, None);
                let shown = public_idp(&p);
                org.idp = Some(p);
                Ok(Reply::json(200, &shown))
            }
            AdminRoute::ClearIdp => {
                org.idp = None;
                org.audit(
                    clock,
                    "admin",
                    "identity_provider.delete",
                    "identity provider",
                    true,
                    None,
                );
                Ok(Reply::empty(204))
            }
        }
    }
}

/// An identity provider as admins may read it: without the client secret.
fn public_idp(p: &IdentityProviderConfig) -> IdentityProvider {
    IdentityProvider {
        name: p.name.clone(),
        issuer: p.issuer.clone(),
        client_id: p.client_id.clone(),
    }
}
