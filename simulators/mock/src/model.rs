//! The mock's own in-memory model of the control plane: the baseline every stub overrides.
//!
//! This is NOT the reference server. It is a small, separate implementation of the contract
//! (`ssap_api` types, `simulators/api/openapi.json`), kept to what scenarios need: orgs,
//! settings, users, devices, associations, the two policies, the audit log, authentication,
//! provisioning with idempotency keys, attempt reports, the per-device sign-in throttle (429)
//! and ticket expiry on a per-org virtual clock. What it leaves out, on purpose: persistence and
//! password hashing (passwords are compared as given). A scenario that needs those runs
//! against the reference server (`--control-plane embedded`).
//!
//! Requests are handled one at a time (wiremock holds its mock set locked while a responder
//! runs), so every handler sees and changes a consistent state under one mutex.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use ssap_api::client::{API_KEY_HEADER, CONNECT_KEY_HEADER, DEVICE_KEY_HEADER};
use ssap_api::input::Validate;
use ssap_api::{
    codes, Association, AttemptReport, AuditEvent, AuthenticateRequest, AuthenticateResponse,
    BindSource, ClockAdvance, Device, DeviceFacts, DeviceRegistered, JoinState, LoginWindowConfig,
    LoginWindowText, MfaEnrollRequest, MfaEnrollment, MfaVerifyRequest, NewAssociation, NewOrg,
    NewUser, OrgCreated, OrgSettings, OrgSettingsPatch, Os, PermissionLevel, ProvisionRequest,
    User, UserPatch, UserState, VirtualClock, WindowsSsapMode, WindowsSsapPolicy,
};
use ssap_api::{federation, mfa, paging, AuditFilter, ListQuery, Page};
use ssap_api::{
    FederatedSignIn, IdentityProvider, IdentityProviderConfig, SignInKind, SignInMethod,
    SignInMethodRequest, SignInPurpose,
};
use wiremock::Request;

use crate::reply::Reply;

use ssap_api::limits::{
    LOCK_AFTER_WRONG_PASSWORDS as LOCK_AFTER, THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_SECS,
};

#[derive(Debug, Clone)]
struct UserRec {
    user: User,
    password: Option<String>,
    failures: u32,
    /// TOTP secret from the User Portal and the last step a login used (R45).
    mfa: Option<(String, u64)>,
}

#[derive(Debug, Clone)]
struct DeviceRec {
    device: Device,
    credential: String,
    login_window_text: Option<String>,
    windows_mode: Option<WindowsSsapMode>,
    /// When this device's failed sign-ins within the throttle window happened (R42), in the
    /// org's time (ms).
    sign_in_failures: Vec<i64>,
}

#[derive(Debug, Clone)]
struct AssocRec {
    device_id: String,
    user_id: String,
    permission: PermissionLevel,
    source: BindSource,
    password_sync: bool,
    local_name: Option<String>,
}

#[derive(Debug, Clone)]
struct Ticket {
    device_id: String,
    user_id: String,
    used: bool,
    /// In the org's time (ms).
    expires_ms: i64,
}

#[derive(Debug, Default)]
struct Org {
    id: String,
    api_key: String,
    connect_key: String,
    settings: OrgSettings,
    users: Vec<UserRec>,
    devices: Vec<DeviceRec>,
    assocs: Vec<AssocRec>,
    audit: Vec<AuditEvent>,
    tickets: HashMap<String, Ticket>,
    /// (device, idempotency key) -> (user, first reply).
    replies: HashMap<(String, String), (String, Association)>,
    /// Federated sign-in (R46): the org's identity provider and pending states by value.
    idp: Option<IdentityProviderConfig>,
    fed_states: HashMap<String, FedState>,
    /// How far the org's virtual clock runs ahead of the wall clock (ms), moved by
    /// `POST /api/admin/clock/advance`, as on a reference server started for testing.
    clock_offset_ms: i64,
}

/// A pending federated sign-in of the model.
#[derive(Debug, Clone)]
struct FedState {
    device_id: String,
    user_id: String,
    purpose: SignInPurpose,
    nonce: String,
    used: bool,
    /// In the org's time (ms).
    expires_ms: i64,
}

#[derive(Debug, Default)]
struct State {
    orgs: Vec<Org>,
    next_id: u64,
    clock_ms: i64,
}

impl State {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!(
            "{prefix}-{:06}-{}",
            self.next_id,
            uuid::Uuid::new_v4().simple()
        )
    }
}

/// The in-memory control plane.
#[derive(Debug)]
pub struct Model {
    operator_token: String,
    state: Mutex<State>,
}

/// Who is calling.
enum Caller {
    Admin(usize),
    Connect(usize),
    Device(usize, usize),
}

type Answer = Result<Reply, Reply>;

fn bad_request(message: impl AsRef<str>) -> Reply {
    Reply::error(400, codes::BAD_REQUEST, message.as_ref())
}

fn not_found(what: &str) -> Reply {
    Reply::error(
        404,
        codes::NOT_FOUND,
        &format!("no such {what} in this org"),
    )
}

fn unauthorized(message: &str) -> Reply {
    Reply::error(401, codes::UNAUTHORIZED, message)
}

/// The ordering key of the item at index `i` of a list: its position, from 1.
fn position(i: usize) -> i64 {
    i64::try_from(i).map_or(i64::MAX, |i| i.saturating_add(1))
}

/// One page of `items` (ordering key, item; keys ascending) as the request's `limit` and
/// `cursor` ask, in the envelope the server answers (`ssap_api::paging`). The cursor holds the
/// last key sent: the server's row sequence, the mock's position (or audit `seq`).
fn page_of<T: serde::Serialize>(
    req: &Request,
    items: impl Iterator<Item = (i64, T)>,
) -> Result<Reply, Reply> {
    let q = ListQuery::parse(req.url.query()).map_err(|e| bad_request(e.0))?;
    let after = match &q.cursor {
        None => 0,
        Some(c) => paging::key_of_cursor(c).map_err(|e| bad_request(e.0))?,
    };
    let mut kept: Vec<(i64, T)> = items
        .filter(|(k, _)| *k > after)
        .take(q.limit().saturating_add(1))
        .collect();
    let more = kept.len() > q.limit();
    kept.truncate(q.limit());
    let next_cursor = match kept.last() {
        Some((k, _)) if more => Some(paging::cursor_after(*k)),
        _ => None,
    };
    Ok(Reply::json(
        200,
        &Page {
            items: kept.into_iter().map(|(_, t)| t).collect::<Vec<_>>(),
            next_cursor,
        },
    ))
}

/// The request's JSON body, refused as the server refuses it: not the type, or breaking a rule
/// of the wire (`ssap_api::input`, the rules the document states).
fn body<T: DeserializeOwned + Validate>(req: &Request) -> Result<T, Reply> {
    let body: T = serde_json::from_slice(&req.body)
        .map_err(|e| bad_request(format!("the JSON body is not valid for this route: {e}")))?;
    body.validate().map_err(|e| bad_request(e.to_string()))?;
    Ok(body)
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn supported(f: &DeviceFacts) -> bool {
    if f.join_state != JoinState::Workgroup {
        return false;
    }
    let edition = f.edition.to_ascii_lowercase();
    let arch = f.architecture.trim().to_ascii_lowercase();
    f.os == Os::Macos
        || !(edition.contains("home")
            || edition.contains("server")
            || arch == "arm64"
            || arch == "aarch64")
}

fn ssap_enabled(d: &DeviceRec, s: &OrgSettings) -> bool {
    match d.device.facts.os {
        Os::Macos => s.macos_ssap,
        Os::Windows => d.windows_mode.is_some() || s.windows_ssap,
    }
}

/// The same order of checks as the reference server: toggle, support, managed users.
fn eligibility(d: &DeviceRec, s: &OrgSettings, managed: usize) -> Result<(), Reply> {
    let os = d.device.facts.os;
    if !ssap_enabled(d, s) {
        return Err(Reply::error(
            403,
            codes::SSAP_DISABLED,
            &format!("Self-service account provisioning is turned off for {os} devices"),
        ));
    }
    if !supported(&d.device.facts) {
        return Err(Reply::error(
            403,
            codes::DEVICE_NOT_SUPPORTED,
            "This device does not support self-service account provisioning",
        ));
    }
    let many = os == Os::Windows && d.windows_mode == Some(WindowsSsapMode::MultipleUsers);
    if managed > 0 && !many {
        return Err(Reply::error(
            409,
            codes::DEVICE_HAS_MANAGED_USERS,
            "This device already has a JumpCloud-managed user; ask your admin to bind you to it",
        ));
    }
    Ok(())
}

fn state_refusal(u: &UserRec) -> Option<Reply> {
    let f = |code: &str, m: &str| Some(Reply::error(403, code, m));
    // Federated users (R46) have no directory password, and no expiry of one.
    if u.password.is_none() && !u.user.federated {
        return f(
            codes::NO_PASSWORD,
            "Your account has no password yet; ask your admin to set one",
        );
    }
    match u.user.state {
        UserState::Staged => {
            return f(
                codes::USER_STAGED,
                "Your account is not activated yet; contact your admin",
            )
        }
        UserState::Suspended => {
            return f(
                codes::USER_SUSPENDED,
                "Your account is suspended; contact your admin",
            )
        }
        UserState::Active => {}
    }
    if u.user.locked {
        return f(
            codes::USER_LOCKED,
            "Your account is locked; contact your admin",
        );
    }
    if u.user.password_expired && !u.user.federated {
        return f(
            codes::PASSWORD_EXPIRED,
            "Your password has expired; change it in the User Portal, then try again",
        );
    }
    None
}

const THROTTLE_WINDOW_MS: i64 = THROTTLE_WINDOW_SECS as i64 * 1000;
const TICKET_TTL_MS: i64 = ssap_api::limits::TICKET_TTL_SECS as i64 * 1000;

/// 429 once the device has used up its failed sign-ins in the sliding window (R42), as the
/// reference server: Retry-After is when the oldest of the counted failures leaves it.
fn throttled(dev: &DeviceRec, now_ms: i64) -> Option<Reply> {
    let mut recent: Vec<i64> = dev
        .sign_in_failures
        .iter()
        .copied()
        .filter(|&t| t > now_ms - THROTTLE_WINDOW_MS)
        .collect();
    if recent.len() < THROTTLE_MAX_FAILURES {
        return None;
    }
    recent.sort_unstable_by(|a, b| b.cmp(a));
    let oldest = recent[THROTTLE_MAX_FAILURES - 1];
    let wait_ms = (THROTTLE_WINDOW_MS - (now_ms - oldest)).max(0);
    let wait = ((wait_ms + 999) / 1000).max(1);
    Some(
        Reply::error(
            429,
            codes::TOO_MANY_ATTEMPTS,
            &format!("Too many failed sign-ins on this device; try again in {wait} seconds"),
        )
        .with_header(http::header::RETRY_AFTER, http::HeaderValue::from(wait)),
    )
}

/// Counts one failed sign-in of a device and forgets those that left the window.
fn record_failure(dev: &mut DeviceRec, now_ms: i64) {
    dev.sign_in_failures
        .retain(|&t| t > now_ms - THROTTLE_WINDOW_MS);
    dev.sign_in_failures.push(now_ms);
}

impl Org {
    /// The org's time in ms: the wall clock plus its virtual clock's lead.
    fn now_ms(&self) -> i64 {
        wall_ms().saturating_add(self.clock_offset_ms)
    }

    fn audit(
        &mut self,
        clock: &mut i64,
        actor: &str,
        action: &str,
        target: &str,
        ok: bool,
        reason: Option<&str>,
    ) {
        *clock += 1;
        self.audit.push(AuditEvent {
            seq: self.audit.len() as i64 + 1,
            at_ms: *clock,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            outcome: if ok { "success" } else { "refused" }.to_string(),
            reason: reason.map(str::to_string),
        });
    }

    fn device(&self, id: &str) -> Result<usize, Reply> {
        self.devices
            .iter()
            .position(|d| d.device.id == id)
            .ok_or_else(|| not_found("device"))
    }

    fn user(&self, id: &str) -> Result<usize, Reply> {
        self.users
            .iter()
            .position(|u| u.user.id == id)
            .ok_or_else(|| not_found("user"))
    }

    fn association(&self, a: &AssocRec) -> Option<Association> {
        let u = self.users.iter().find(|u| u.user.id == a.user_id)?;
        Some(Association {
            device_id: a.device_id.clone(),
            user_id: a.user_id.clone(),
            username: u.user.username.clone(),
            system_username: u.user.system_username.clone(),
            display_name: u.user.display_name(),
            permission: a.permission,
            source: a.source,
            password_sync: a.password_sync,
            mfa_enforced: u.user.mfa_enforced,
            mfa_enrolled: u.user.mfa_enrolled,
            local_name: a.local_name.clone(),
            disabled: u.user.state != UserState::Active || u.user.locked,
        })
    }

    fn associations(&self, device: &str) -> Vec<Association> {
        self.assocs
            .iter()
            .filter(|a| a.device_id == device)
            .filter_map(|a| self.association(a))
            .collect()
    }

    fn managed(&self, device: &str) -> usize {
        self.assocs.iter().filter(|a| a.device_id == device).count()
    }
}

impl Model {
    /// A model with no orgs; `operator_token` is the only bearer that may create one.
    pub fn new(operator_token: impl Into<String>) -> Self {
        Self {
            operator_token: operator_token.into(),
            state: Mutex::new(State::default()),
        }
    }

    pub fn operator_token(&self) -> &str {
        &self.operator_token
    }

    /// Answers one request as the control plane would.
    pub fn handle(&self, req: &Request) -> Reply {
        let Ok(mut state) = self.state.lock() else {
            return Reply::error(
                500,
                codes::INTERNAL,
                "the mock's model was poisoned by a panic",
            );
        };
        let path = req.url.path().to_string();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = req.method.as_str().to_ascii_uppercase();
        if method == "POST" {
            let purpose = match segs.as_slice() {
                ["api", "device", "authenticate", "federated"] => Some(SignInPurpose::Provision),
                ["api", "device", "login", "federated"] => Some(SignInPurpose::Login),
                _ => None,
            };
            if let Some(purpose) = purpose {
                // The code exchange is HTTP to the IdP: not while holding the model's lock.
                drop(state);
                return match self.federated(req, purpose) {
                    Ok(r) | Err(r) => r,
                };
            }
        }
        match self.route(&mut state, req, &method, &segs) {
            Ok(r) | Err(r) => r,
        }
    }

    fn route(&self, st: &mut State, req: &Request, method: &str, segs: &[&str]) -> Answer {
        let m = method;
        match segs {
            ["openapi.json"] if m == "GET" => Ok(Reply::raw(
                200,
                ssap_api::openapi::DOCUMENT,
                "application/json",
            )),
            ["api", "operator", "orgs"] if m == "POST" => self.create_org(st, req),
            ["api", "admin", ..] => {
                let Some(route) = admin_route(m, &segs[2..]) else {
                    return Err(unknown(m, segs));
                };
                let Caller::Admin(o) = self.caller(st, req, API_KEY_HEADER)? else {
                    return Err(unauthorized("admin routes need the org's API key"));
                };
                self.admin(st, o, req, route)
            }
            ["api", "device", "register"] if m == "POST" => {
                let Caller::Connect(o) = self.caller(st, req, CONNECT_KEY_HEADER)? else {
                    return Err(unauthorized("registration needs the org's connect key"));
                };
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
            ["api", "device", "mfa", "verify"] if m == "POST" => {
                let Caller::Device(o, d) = self.caller(st, req, DEVICE_KEY_HEADER)? else {
                    return Err(unauthorized("device routes need the device credential"));
                };
                self.device(st, o, d, req, "mfa")
            }
            ["api", "portal", "users", id, "mfa", "enroll"] if m == "POST" => {
                self.enroll_mfa(st, req, id)
            }
            ["api", "device", route]
                if matches!(
                    (m, *route),
                    ("GET", "login-window")
                        | ("GET", "associations")
                        | ("POST", "authenticate")
                        | ("POST", "provision")
                        | ("POST", "attempts")
                        | ("POST", "sign-in-method")
                        | ("POST", "mfa")
                ) =>
            {
                let Caller::Device(o, d) = self.caller(st, req, DEVICE_KEY_HEADER)? else {
                    return Err(unauthorized("device routes need the device credential"));
                };
                self.device(st, o, d, req, route)
            }
            _ => Err(unknown(m, segs)),
        }
    }

    fn caller(&self, st: &State, req: &Request, name: &str) -> Result<Caller, Reply> {
        let key = header(req, name)
            .ok_or_else(|| unauthorized(&format!("this route needs the {name} header")))?;
        for (o, org) in st.orgs.iter().enumerate() {
            match name {
                API_KEY_HEADER if org.api_key == key => return Ok(Caller::Admin(o)),
                CONNECT_KEY_HEADER if org.connect_key == key => return Ok(Caller::Connect(o)),
                DEVICE_KEY_HEADER => {
                    if let Some(d) = org.devices.iter().position(|d| d.credential == key) {
                        return Ok(Caller::Device(o, d));
                    }
                }
                _ => {}
            }
        }
        Err(unauthorized(&format!("unknown credential in {name}")))
    }

    fn create_org(&self, st: &mut State, req: &Request) -> Answer {
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

    fn admin(&self, st: &mut State, o: usize, req: &Request, route: AdminRoute) -> Answer {
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
                if after != before {
                    org.audit(
                        clock,
                        "admin",
                        "settings.update",
                        "org settings",
                        true,
                        None,
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
                let u = org.user(&user)?;
                let email = org.users[u].user.email.clone();
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
            AdminRoute::Clock => Ok(Reply::json(
                200,
                &VirtualClock {
                    offset_seconds: u64::try_from(org.clock_offset_ms / 1000).unwrap_or(0),
                },
            )),
            AdminRoute::AdvanceClock => {
                let a: ClockAdvance = body(req)?;
                let step = i64::try_from(a.seconds).unwrap_or(i64::MAX);
                org.clock_offset_ms = org
                    .clock_offset_ms
                    .saturating_add(step.saturating_mul(1000));
                Ok(Reply::json(
                    200,
                    &VirtualClock {
                        offset_seconds: u64::try_from(org.clock_offset_ms / 1000).unwrap_or(0),
                    },
                ))
            }
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

    fn device(&self, st: &mut State, o: usize, d: usize, req: &Request, route: &str) -> Answer {
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
                // R62: before the password proves who signs in, one refusal for everyone; the
                // audit keeps the real reason.
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
                let ticket = format!("mock_tk_{}", uuid::Uuid::new_v4().simple());
                org.tickets.insert(
                    ticket.clone(),
                    Ticket {
                        device_id: device_id.clone(),
                        user_id: user.id.clone(),
                        used: false,
                        expires_ms: org.now_ms() + TICKET_TTL_MS,
                    },
                );
                org.audit(clock, &actor, "authenticate", &email, true, None);
                Ok(Reply::json(
                    200,
                    &AuthenticateResponse {
                        ticket,
                        display_name: user.display_name(),
                        user_id: user.id,
                        username: user.username,
                        system_username: user.system_username,
                        permission: org.settings.permission_level,
                        password_sync: org.settings.password_sync,
                        mfa_enforced: user.mfa_enforced,
                        mfa_enrolled: user.mfa_enrolled,
                    },
                ))
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
                let Some(t) = ticket else {
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
                let u = org.user(&t.user_id).map_err(|_| ticket_invalid())?;
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
            "sign-in-method" => {
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
                        &actor,
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
                        device_id: device_id.clone(),
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

    /// Federated sign-in (R46), as the reference server: spend the state, exchange the code
    /// at the IdP over HTTP (without the model's lock), check the ID token, then the same
    /// user and device rules as a password. Refusals are audited with the same reasons.
    fn federated(&self, req: &Request, purpose: SignInPurpose) -> Answer {
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
                let ticket = format!("mock_tk_{}", uuid::Uuid::new_v4().simple());
                org.tickets.insert(
                    ticket.clone(),
                    Ticket {
                        device_id: device_id.clone(),
                        user_id: user.id.clone(),
                        used: false,
                        expires_ms: org.now_ms() + TICKET_TTL_MS,
                    },
                );
                org.audit(clock, &actor, action, &email, true, Some(&how));
                Ok(Reply::json(
                    200,
                    &AuthenticateResponse {
                        ticket,
                        display_name: user.display_name(),
                        user_id: user.id,
                        username: user.username,
                        system_username: user.system_username,
                        permission: org.settings.permission_level,
                        password_sync: org.settings.password_sync,
                        mfa_enforced: user.mfa_enforced,
                        mfa_enrolled: user.mfa_enrolled,
                    },
                ))
            }
        }
    }

    /// The org id of an admin API key (for tests and messages).
    /// The User Portal's MFA enrolment (R45): the user proves who they are with their password
    /// and gets a fresh TOTP secret.
    fn enroll_mfa(&self, st: &mut State, req: &Request, user_id: &str) -> Answer {
        let r: MfaEnrollRequest = body(req)?;
        let refused = || Reply::error(401, codes::INVALID_CREDENTIALS, "The password is incorrect");
        let found = st.orgs.iter().enumerate().find_map(|(o, org)| {
            let u = org.users.iter().position(|u| u.user.id == user_id)?;
            Some((o, u))
        });
        let Some((o, u)) = found else {
            return Err(refused());
        };
        let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        bytes.truncate(mfa::SECRET_BYTES);
        let secret = mfa::encode_secret(&bytes);
        let clock = &mut st.clock_ms;
        let org = &mut st.orgs[o];
        let rec = &mut org.users[u];
        if rec.password.as_deref() != Some(r.password.as_str()) {
            return Err(refused());
        }
        if let Some(e) = state_refusal(rec) {
            return Err(e);
        }
        rec.mfa = Some((secret.clone(), 0));
        rec.user.mfa_enrolled = true;
        let email = rec.user.email.clone();
        org.audit(
            clock,
            &format!("user:{user_id}"),
            "mfa.enroll",
            &email,
            true,
            None,
        );
        Ok(Reply::json(
            200,
            &MfaEnrollment {
                otpauth_uri: mfa::otpauth_uri(&secret, &email),
                secret,
            },
        ))
    }

    pub fn org_of_api_key(&self, api_key: &str) -> Option<String> {
        let st = self.state.lock().ok()?;
        st.orgs
            .iter()
            .find(|o| o.api_key == api_key)
            .map(|o| o.id.clone())
    }
}

fn public_idp(p: &IdentityProviderConfig) -> IdentityProvider {
    IdentityProvider {
        name: p.name.clone(),
        issuer: p.issuer.clone(),
        client_id: p.client_id.clone(),
    }
}

fn fed_action(p: SignInPurpose) -> &'static str {
    match p {
        SignInPurpose::Provision => "authenticate",
        SignInPurpose::Login => "login",
    }
}

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

fn refusal_code(r: &Reply) -> String {
    serde_json::from_slice::<ssap_api::ApiErrorBody>(&r.body)
        .map(|b| b.code)
        .unwrap_or_default()
}

/// 404 for unknown paths, 405 for known paths with another method (as the reference server).
fn unknown(method: &str, segs: &[&str]) -> Reply {
    let path = format!("/{}", segs.join("/"));
    let doc = ssap_api::openapi::document().unwrap_or_default();
    // /healthz is not modelled: fixtures/mock/healthz.yaml serves it, which proves in every
    // mock run that the stub files are loaded.
    let known = path != "/healthz"
        && ssap_api::openapi::operations(&doc)
            .iter()
            .any(|o| ssap_api::openapi::path_matches(&o.path, &path));
    if known {
        Reply::error(
            405,
            codes::METHOD_NOT_ALLOWED,
            &format!("{path} does not accept {method}"),
        )
    } else {
        Reply::error(
            404,
            codes::NOT_FOUND,
            "no such route in the SSAP control-plane API",
        )
    }
}

enum AdminRoute {
    Settings,
    UpdateSettings,
    Users,
    CreateUser,
    User(String),
    UpdateUser(String),
    Devices,
    Device(String),
    Associations(String),
    Bind(String),
    Unbind(String, String),
    SetText(String),
    ClearText(String),
    SetWindows(String),
    ClearWindows(String),
    Audit,
    GetIdp,
    SetIdp,
    ClearIdp,
    Clock,
    AdvanceClock,
}

fn admin_route(m: &str, rest: &[&str]) -> Option<AdminRoute> {
    use AdminRoute::*;
    let s = |x: &str| x.to_string();
    Some(match (m, rest) {
        ("GET", ["settings"]) => Settings,
        ("PATCH", ["settings"]) => UpdateSettings,
        ("GET", ["users"]) => Users,
        ("POST", ["users"]) => CreateUser,
        ("GET", ["users", id]) => User(s(id)),
        ("PATCH", ["users", id]) => UpdateUser(s(id)),
        ("GET", ["devices"]) => Devices,
        ("GET", ["devices", id]) => Device(s(id)),
        ("GET", ["devices", id, "associations"]) => Associations(s(id)),
        ("POST", ["devices", id, "associations"]) => Bind(s(id)),
        ("DELETE", ["devices", id, "associations", user]) => Unbind(s(id), s(user)),
        ("PUT", ["devices", id, "policies", "login-window-text"]) => SetText(s(id)),
        ("DELETE", ["devices", id, "policies", "login-window-text"]) => ClearText(s(id)),
        ("PUT", ["devices", id, "policies", "windows-ssap"]) => SetWindows(s(id)),
        ("DELETE", ["devices", id, "policies", "windows-ssap"]) => ClearWindows(s(id)),
        ("GET", ["audit"]) => Audit,
        ("GET", ["clock"]) => Clock,
        ("POST", ["clock", "advance"]) => AdvanceClock,
        ("GET", ["identity-provider"]) => GetIdp,
        ("PUT", ["identity-provider"]) => SetIdp,
        ("DELETE", ["identity-provider"]) => ClearIdp,
        _ => return None,
    })
}

/// Milliseconds since the epoch: an org's time is this plus its virtual clock's lead.
fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
