//! The mock's own in-memory model of the control plane: the baseline every stub overrides.
//!
//! This is NOT the reference server. It is a small, separate implementation of the contract
//! (`ssap_api` types, `simulators/api/openapi.json`), kept to what scenarios need: orgs,
//! settings, users, devices, associations, the three policies, the audit log, authentication,
//! provisioning with idempotency keys, attempt reports, the per-device sign-in throttle (429)
//! and ticket expiry on a per-org virtual clock. What it leaves out, on purpose: persistence and
//! password hashing (passwords are compared as given). A scenario that needs those runs
//! against the reference server (`--control-plane embedded`).
//!
//! Requests are handled one at a time (wiremock holds its mock set locked while a responder
//! runs), so every handler sees and changes a consistent state under one mutex.

mod admin;
mod device;
mod federation;
mod portal;
mod routes;
mod rules;
mod wire;

use std::collections::HashMap;
use std::sync::Mutex;

use ssap_api::client::{API_KEY_HEADER, CONNECT_KEY_HEADER, DEVICE_KEY_HEADER};
use ssap_api::{
    codes, Association, AuditEvent, BindSource, Device, IdentityProviderConfig, MfaFactor,
    OrgSettings, PermissionLevel, SignInPurpose, User, UserState, WindowsSsapMode,
};
use wiremock::Request;

use crate::reply::Reply;
use routes::{admin_route, unknown};
use wire::{header, not_found, unauthorized};

/// A user of an org, with what the server keeps beside the wire `User`.
#[derive(Debug, Clone)]
struct UserRec {
    user: User,
    /// The directory password, compared as given; `None` before the admin sets one.
    password: Option<String>,
    /// Wrong passwords in a row (R62's lock after `LOCK_AFTER_WRONG_PASSWORDS`).
    failures: u32,
    /// TOTP secret from the User Portal and the last step a login used (R45).
    mfa: Option<(String, u64)>,
}

/// A registered device, its credential and its per-device policies.
#[derive(Debug, Clone)]
struct DeviceRec {
    device: Device,
    /// The device credential it sends in the device-key header.
    credential: String,
    /// The login-window-text policy, when set.
    login_window_text: Option<String>,
    /// The windows-ssap policy, when set: SSAP on whatever the org toggle, one or many users.
    windows_mode: Option<WindowsSsapMode>,
    /// The MFA policy (R45), when set: every user bound here answers MFA at the next login.
    mfa_policy: Option<MfaFactor>,
    /// When this device's failed sign-ins within the throttle window happened (R42), in the
    /// org's time (ms).
    sign_in_failures: Vec<i64>,
}

/// A user bound to a device (an association).
#[derive(Debug, Clone)]
struct AssocRec {
    device_id: String,
    user_id: String,
    permission: PermissionLevel,
    source: BindSource,
    password_sync: bool,
    local_name: Option<String>,
}

/// A ticket from authenticate, redeemed once by provision.
#[derive(Debug, Clone)]
struct Ticket {
    device_id: String,
    user_id: String,
    used: bool,
    /// In the org's time (ms).
    expires_ms: i64,
}

/// One org: its keys, settings, directory, devices, audit log and pending sign-ins.
#[derive(Debug, Default)]
struct Org {
    id: String,
    api_key: String,
    connect_key: String,
    settings: OrgSettings,
    users: Vec<UserRec>,
    /// Users removed from the directory (R63): out of every lookup, kept only so the
    /// associations that name them still show (disabled).
    removed_users: Vec<UserRec>,
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
    /// The wall time the org's clock was frozen at (`POST /api/admin/clock/freeze`): from then
    /// on it moves only when advanced.
    clock_frozen_at_ms: Option<i64>,
    /// Attempts of `POST /api/device/authenticate` that got as far as the password, whoever
    /// they named (R62: the same work for every refusal before proof).
    password_checks: u64,
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

/// Everything the model holds, behind `Model`'s mutex.
#[derive(Debug, Default)]
struct State {
    orgs: Vec<Org>,
    /// The sequence of ids handed out (orgs, devices, users).
    next_id: u64,
    /// The audit log's logical clock: one tick per event.
    clock_ms: i64,
}

impl State {
    /// A fresh id: `prefix`, a sequence number and a random part.
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

/// A handler's outcome: the reply either way; `Err` lets `?` return a refusal early.
type Answer = Result<Reply, Reply>;

impl Org {
    /// The org's time in ms: the wall clock (or the time it was frozen at) plus its virtual
    /// clock's lead.
    fn now_ms(&self) -> i64 {
        self.clock_frozen_at_ms
            .unwrap_or_else(wall_ms)
            .saturating_add(self.clock_offset_ms)
    }

    /// Appends an audit event, stamped with the next tick of `clock`.
    /// A sign-in that proved who the user is: a ticket for this device (good for
    /// [`rules::TICKET_TTL_MS`]) and what the device learns of the user, as the reference server's
    /// `authenticated` answers for password and federated sign-ins alike.
    fn issue_ticket(&mut self, device_id: &str, user: User) -> ssap_api::AuthenticateResponse {
        let ticket = format!("mock_tk_{}", uuid::Uuid::new_v4().simple());
        self.tickets.insert(
            ticket.clone(),
            Ticket {
                device_id: device_id.to_string(),
                user_id: user.id.clone(),
                used: false,
                expires_ms: self.now_ms() + rules::TICKET_TTL_MS,
            },
        );
        let device = self.devices.iter().find(|d| d.device.id == device_id);
        let mfa_enforced = rules::mfa_enforced(&user, device);
        ssap_api::AuthenticateResponse {
            ticket,
            display_name: user.display_name(),
            user_id: user.id,
            username: user.username,
            system_username: user.system_username,
            permission: self.settings.permission_level,
            password_sync: self.settings.password_sync,
            mfa_enforced,
            mfa_enrolled: user.mfa_enrolled,
        }
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

    /// The index of a device of this org, or 404.
    fn device(&self, id: &str) -> Result<usize, Reply> {
        self.devices
            .iter()
            .position(|d| d.device.id == id)
            .ok_or_else(|| not_found("device"))
    }

    /// The index of a user of this org, or 404.
    fn user(&self, id: &str) -> Result<usize, Reply> {
        self.users
            .iter()
            .position(|u| u.user.id == id)
            .ok_or_else(|| not_found("user"))
    }

    /// The wire form of an association, with its user's details (a removed user's shows
    /// disabled, R63); `None` if there is no such user at all.
    fn association(&self, a: &AssocRec) -> Option<Association> {
        let (u, removed) = match self.users.iter().find(|u| u.user.id == a.user_id) {
            Some(u) => (u, false),
            None => (
                self.removed_users.iter().find(|u| u.user.id == a.user_id)?,
                true,
            ),
        };
        let device = self.devices.iter().find(|d| d.device.id == a.device_id);
        Some(Association {
            mfa_enforced: rules::mfa_enforced(&u.user, device),
            device_id: a.device_id.clone(),
            user_id: a.user_id.clone(),
            username: u.user.username.clone(),
            system_username: u.user.system_username.clone(),
            display_name: u.user.display_name(),
            permission: a.permission,
            source: a.source,
            password_sync: a.password_sync,
            mfa_enrolled: u.user.mfa_enrolled,
            local_name: a.local_name.clone(),
            disabled: removed || u.user.state != UserState::Active || u.user.locked,
        })
    }

    /// A device's associations, in the wire form.
    fn associations(&self, device: &str) -> Vec<Association> {
        self.assocs
            .iter()
            .filter(|a| a.device_id == device)
            .filter_map(|a| self.association(a))
            .collect()
    }

    /// How many users are bound to a device.
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

    /// The bearer token that may create orgs (`POST /api/operator/orgs`).
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

    /// Dispatches a request to its area (operator, admin, device, portal), checking its caller.
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
                self.register(st, o, req)
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

    /// The org (and device) whose credential is in header `name`, or 401.
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

    /// The org id of an admin API key (for tests and messages).
    pub fn org_of_api_key(&self, api_key: &str) -> Option<String> {
        let st = self.state.lock().ok()?;
        st.orgs
            .iter()
            .find(|o| o.api_key == api_key)
            .map(|o| o.id.clone())
    }
}

/// Milliseconds since the epoch: an org's time is this plus its virtual clock's lead.
fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
