//! One control plane under exploration: it plays actions over real HTTP through the project's
//! one client and answers each with an [`Observation`] in which its own ids are replaced by the
//! symbols the actions use, so two control planes' answers compare directly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;
use ssap_api::{
    AdminClient, ApiError, AttemptReport, AuthenticateRequest, DeviceClient, DeviceFacts,
    EnrollmentClient, FederatedSignIn, Http, MfaEnrollRequest, MfaFactor, MfaVerifyRequest,
    NewAssociation, NewUser, OperatorClient, OrgSettingsPatch, Os, PermissionLevel, PortalClient,
    ProvisionRequest, SignInMethodRequest, SignInPurpose, UserPatch, UserState, WindowsSsapMode,
};

use crate::action::{
    Action, Button, CodeChoice, DeviceKind, KeyChoice, NameChoice, TicketChoice, TokenChoice,
    UserChange, FORBIDDEN, USERS,
};
use crate::oracle::Settings;
use ssap_mock::TokenMode;

/// Devices one episode registers at most unless told otherwise (`explore --devices`); more
/// registrations are skipped.
pub const MAX_DEVICES: usize = 4;

/// What a control plane answered to one action, ids replaced by symbols.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Observation {
    /// The action named an entity this episode has not created (or a device over the cap):
    /// nothing was sent.
    Skipped,
    /// A success and its body.
    Ok(Value),
    /// A refusal: status and code (messages are prose and may differ).
    Refused {
        /// HTTP status.
        status: u16,
        /// Refusal code.
        code: String,
    },
    /// No usable answer (transport failure or a body that breaks the contract).
    Broken(String),
    /// A device broke a rule that holds whatever the control plane answers (see
    /// [`crate::oracle`]): a failure even when both sides broke it alike.
    RuleBroken(String),
}

impl Observation {
    /// Whether this answer is a failure on its own, whatever the other side answered.
    pub fn is_failure(&self) -> bool {
        matches!(self, Observation::RuleBroken(_))
    }

    /// For people: a device's answer as its screen and local accounts, one account a line; a
    /// broken rule as its sentence; anything else as indented JSON.
    pub fn readable(&self) -> String {
        if let Observation::RuleBroken(rule) = self {
            return format!("a device broke a rule: {rule}");
        }
        if let Observation::Ok(v) = self {
            if let Some(screen) = v.get("screen").and_then(Value::as_str) {
                let mut out = screen.to_string();
                out.push_str("local accounts:\n");
                for a in v
                    .get("accounts")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.push_str(&format!("  {a}\n"));
                }
                return out;
            }
        }
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("(not JSON: {e})"))
    }
}

pub(crate) struct DeviceState {
    pub(crate) client: DeviceClient,
    /// The last ticket issued here, with the username it was issued for.
    pub(crate) ticket: Option<(String, String)>,
    pub(crate) last_key: Option<String>,
    pub(crate) keys: u32,
    /// The simulated device, when it is one (else only its agent's calls are made).
    pub(crate) endpoint: Option<Box<ssap_endpoint::Endpoint>>,
    /// The Windows SSAP policy bound to it.
    pub(crate) windows_policy: Option<WindowsSsapMode>,
    /// Who is at its keyboard: the user whose email was typed or whose tile was chosen last.
    pub(crate) who: Option<u8>,
    /// Local-only accounts people created there (R43: never taken over).
    pub(crate) own_accounts: Vec<String>,
    /// What kind of device it is, when it was started as a simulated device.
    pub(crate) kind: Option<DeviceKind>,
    /// Its internet is down (R21).
    pub(crate) offline: bool,
    /// Self-service was on for it at some moment since its login window was last presented
    /// (R10: a change shows at the next presentation), so it may offer Sign in with JumpCloud.
    pub(crate) may_offer: bool,
    /// The multiple-users Windows policy was bound to it at some moment (R03, R30).
    pub(crate) ever_multiple: bool,
    /// The admin's change count when someone typed an email there last (see
    /// [`Settings::changes`]).
    pub(crate) sign_in_began: Option<u32>,
    /// The login-window text the admin set for it (R17), and whether its login window was
    /// presented since (R10).
    pub(crate) login_text: (Option<String>, bool),
}

/// A control plane with this episode's org, users and devices.
pub struct Target {
    admin: AdminClient,
    enrolment: EnrollmentClient,
    pub(crate) http: Http,
    pub(crate) connect_key: String,
    pub(crate) users: BTreeMap<u8, String>,
    /// Each user's local-name source: the system username where set, else the username.
    pub(crate) names: BTreeMap<u8, String>,
    /// Every user id this org ever had (a removed user's account stays, R63), with the user's
    /// number and local-name source.
    pub(crate) ever: HashMap<String, (u8, String)>,
    pub(crate) devices: Vec<DeviceState>,
    /// Devices this episode registers at most.
    pub(crate) max_devices: usize,
    /// Real id -> symbol ("user3", "device1", "org").
    pub(crate) symbols: HashMap<String, String>,
    portal: PortalClient,
    /// The TOTP secret this control plane gave each user that enrolled.
    mfa_secrets: BTreeMap<u8, String>,
    /// The code each user typed last.
    last_codes: BTreeMap<u8, String>,
    /// The org's settings as the admin's accepted changes left them.
    pub(crate) settings: Settings,
    /// This target's own mock identity provider, started the first time the admin sets one;
    /// it knows every user by their email and directory password (R46).
    idp: Option<ssap_mock::MockIdp>,
    /// Users made federated (they sign in at the identity provider, R46).
    pub(crate) federated: BTreeSet<u8>,
}

pub(crate) fn email(user: u8) -> String {
    if user < USERS {
        format!("u{user}@explore.test")
    } else {
        "nobody@explore.test".to_string()
    }
}

pub(crate) fn password(user: u8) -> String {
    format!("Pw-{user}-Secret!")
}

/// What a user types: their password, or the one wrong password every action uses.
pub(crate) fn typed_password(user: u8, right: bool) -> String {
    if right {
        password(user)
    } else {
        "not-the-password".to_string()
    }
}

pub(crate) fn facts(kind: &DeviceKind, n: usize) -> DeviceFacts {
    let edition = match (kind.os, kind.edition) {
        (Os::Macos, _) => "",
        (Os::Windows, 0) => "Pro",
        (Os::Windows, 1) => "Enterprise",
        (Os::Windows, _) => "Home",
    };
    DeviceFacts {
        os: kind.os,
        edition: edition.to_string(),
        architecture: if kind.arm { "arm64" } else { "x86_64" }.to_string(),
        join_state: kind.join,
        mdm: kind.mdm,
        hostname: format!("explore-{n}"),
        serial: format!("EXPL{n:04}"),
        mac: format!("02:00:00:00:00:{n:02x}"),
        ip: format!("10.9.0.{}", n + 2),
        os_version: match kind.os {
            Os::Macos => "macOS 14.5".to_string(),
            Os::Windows => format!("Windows 11 {edition}"),
        },
    }
}

const LOGIN_TEXTS: [&str; 3] = ["Welcome", "Authorized use only", "Ünïcode ✓ text"];

impl Target {
    /// A new org on the control plane at `http` (each episode and each shrinking replay gets
    /// its own, so they never see each other's state).
    pub async fn new_org(http: &Http, operator_token: &str) -> anyhow::Result<Self> {
        let org = OperatorClient::new(http.clone(), operator_token)
            .create_org("explore")
            .await?;
        let mut symbols = HashMap::new();
        symbols.insert(org.org_id.clone(), "org".to_string());
        let admin = AdminClient::new(http.clone(), org.api_key);
        // The org's time stands still between actions, so the same sequence lands on the same
        // instants on both sides and time can land exactly on a limit (a control plane without
        // a virtual clock keeps the wall's).
        match admin.freeze_clock().await {
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(Self {
            admin,
            enrolment: EnrollmentClient::new(http.clone(), org.connect_key.clone()),
            http: http.clone(),
            connect_key: org.connect_key,
            users: BTreeMap::new(),
            names: BTreeMap::new(),
            ever: HashMap::new(),
            devices: Vec::new(),
            max_devices: MAX_DEVICES,
            symbols,
            portal: PortalClient::new(http.clone()),
            mfa_secrets: BTreeMap::new(),
            last_codes: BTreeMap::new(),
            settings: Settings::default(),
            idp: None,
            federated: BTreeSet::new(),
        })
    }

    /// The same target, registering at most `n` devices (1 to 255).
    pub fn with_max_devices(mut self, n: usize) -> Self {
        self.max_devices = n.clamp(1, 255);
        self
    }

    fn user_id(&self, user: u8) -> Option<String> {
        self.users.get(&user).cloned()
    }

    pub(crate) fn device_index(&self, device: u8) -> Option<usize> {
        (!self.devices.is_empty()).then(|| device as usize % self.devices.len())
    }

    fn device_id(&self, device: u8) -> Option<String> {
        let d = self.device_index(device)?;
        Some(self.devices[d].client.device_id().to_string())
    }

    /// `action` with its device numbers as this target reads them now: a device number
    /// counts modulo the devices registered so far, so `device5` with two devices is
    /// `device1`. A sequence written with resolved numbers replays the same and reads plainly.
    pub fn resolve(&self, action: &Action) -> Action {
        let n = self.devices.len();
        let fix = |d: u8| -> u8 {
            if n == 0 {
                d
            } else {
                u8::try_from(d as usize % n).unwrap_or(d)
            }
        };
        let mut a = action.clone();
        match &mut a {
            Action::Bind { device, .. }
            | Action::Unbind { device, .. }
            | Action::WindowsPolicy { device, .. }
            | Action::MfaPolicy { device, .. }
            | Action::LoginText { device, .. }
            | Action::Authenticate { device, .. }
            | Action::ReportAttempt { device, .. }
            | Action::ReadLoginWindow { device }
            | Action::VerifyMfa { device, .. }
            | Action::WrongPasswords { device, .. }
            | Action::FederatedSignIn { device, .. }
            | Action::ReadAssociations { device } => *device = fix(*device),
            Action::Provision { device, ticket, .. } => {
                *device = fix(*device);
                if let TicketChoice::OtherDevice(o) = ticket {
                    *o = fix(*o);
                }
            }
            Action::DeviceEvent { device, .. } | Action::LocalAccount { device, .. } => {
                if let Some(d) = self.endpoint_index(*device) {
                    *device = u8::try_from(d).unwrap_or(*device);
                }
            }
            Action::Press { device, button, .. } => {
                let d = self.endpoint_index(*device);
                if let Some(d) = d {
                    *device = u8::try_from(d).unwrap_or(*device);
                }
                let screen = d
                    .and_then(|d| self.devices[d].endpoint.as_deref())
                    .map(|ep| ep.screen());
                if let Some(label) = screen.and_then(|s| button.label_on(&s)) {
                    *button = Button::Named(label);
                }
            }
            Action::Toggle { .. }
            | Action::Permission { .. }
            | Action::PasswordSync { .. }
            | Action::CreateUser { .. }
            | Action::ChangeUser { .. }
            | Action::RegisterDevice { .. }
            | Action::BootDevice { .. }
            | Action::ReadUsers
            | Action::TimePasses { .. }
            | Action::EnrollMfa { .. }
            | Action::IdentityProvider { .. }
            | Action::ReadAudit => {}
        }
        a
    }

    /// Plays one action and observes the answer.
    pub async fn play(&mut self, action: &Action) -> Observation {
        if let Some(seen) = self.play_on_device(action).await {
            return seen;
        }
        let out = self.send(action).await;
        if out.is_ok() {
            self.settings.apply(action);
            if let Action::Toggle { os, on: true } = action {
                for state in &mut self.devices {
                    state.may_offer |= state.kind.is_some_and(|k| k.os == *os);
                }
            }
        }
        self.observe(out)
    }

    /// Adds a registered device (simulated when `endpoint` is given, of kind `kind`) as the
    /// next device number; its index.
    pub(crate) fn add_device(
        &mut self,
        client: DeviceClient,
        endpoint: Option<(Box<ssap_endpoint::Endpoint>, DeviceKind)>,
    ) -> usize {
        let n = self.devices.len();
        self.symbols
            .insert(client.device_id().to_string(), format!("device{n}"));
        let kind = endpoint.as_ref().map(|(_, k)| *k);
        let may_offer = kind.is_some_and(|k| self.settings.toggle(k.os));
        self.devices.push(DeviceState {
            client,
            ticket: None,
            last_key: None,
            keys: 0,
            endpoint: endpoint.map(|(ep, _)| ep),
            windows_policy: None,
            who: None,
            own_accounts: Vec::new(),
            kind,
            offline: false,
            may_offer,
            ever_multiple: false,
            sign_in_began: None,
            login_text: (None, true),
        });
        n
    }

    async fn send(&mut self, action: &Action) -> Result<Option<Value>, ApiError> {
        let admin = self.admin.clone();
        let v = match action {
            Action::Toggle { os, on } => {
                let patch = match os {
                    Os::Macos => OrgSettingsPatch {
                        macos_ssap: Some(*on),
                        ..Default::default()
                    },
                    Os::Windows => OrgSettingsPatch {
                        windows_ssap: Some(*on),
                        ..Default::default()
                    },
                };
                json(admin.update_settings(&patch).await?)
            }
            Action::Permission { admin: a } => {
                let level = if *a {
                    PermissionLevel::Administrator
                } else {
                    PermissionLevel::Standard
                };
                json(
                    admin
                        .update_settings(&OrgSettingsPatch {
                            permission_level: Some(level),
                            ..Default::default()
                        })
                        .await?,
                )
            }
            Action::PasswordSync { on } => json(
                admin
                    .update_settings(&OrgSettingsPatch {
                        password_sync: Some(*on),
                        ..Default::default()
                    })
                    .await?,
            ),
            Action::CreateUser {
                user,
                password: with_password,
                system_username,
                name,
            } => {
                let source = local_name_source(*user, *system_username, *name);
                let new = NewUser {
                    email: email(*user),
                    username: if *system_username {
                        format!("u{user}")
                    } else {
                        source.clone()
                    },
                    system_username: system_username.then(|| source.clone()),
                    firstname: "User".into(),
                    lastname: format!("{user}"),
                    password: with_password.then(|| password(*user)),
                    ..Default::default()
                };
                let created = admin.create_user(&new).await?;
                self.symbols
                    .insert(created.id.clone(), format!("user{user}"));
                self.users.insert(*user, created.id.clone());
                self.ever
                    .insert(created.id.clone(), (*user, source.clone()));
                self.names.insert(*user, source);
                json(created)
            }
            Action::ChangeUser { user, change } => {
                let Some(id) = self.user_id(*user) else {
                    return Ok(None);
                };
                let patch = match change {
                    UserChange::Active => UserPatch {
                        state: Some(UserState::Active),
                        ..Default::default()
                    },
                    UserChange::Staged => UserPatch {
                        state: Some(UserState::Staged),
                        ..Default::default()
                    },
                    UserChange::Suspended => UserPatch {
                        state: Some(UserState::Suspended),
                        ..Default::default()
                    },
                    UserChange::Locked => UserPatch {
                        locked: Some(true),
                        ..Default::default()
                    },
                    UserChange::Unlocked => UserPatch {
                        locked: Some(false),
                        ..Default::default()
                    },
                    UserChange::PasswordExpired => UserPatch {
                        password_expired: Some(true),
                        ..Default::default()
                    },
                    UserChange::MfaEnforced => UserPatch {
                        mfa_enforced: Some(true),
                        ..Default::default()
                    },
                    UserChange::Removed => return Ok(json(admin.remove_user(&id).await?)),
                    UserChange::Federated => {
                        let changed = admin
                            .update_user(
                                &id,
                                &UserPatch {
                                    federated: Some(true),
                                    ..Default::default()
                                },
                            )
                            .await?;
                        self.federated.insert(*user);
                        return Ok(json(changed));
                    }
                };
                json(admin.update_user(&id, &patch).await?)
            }
            Action::RegisterDevice { device } => {
                if self.devices.len() >= self.max_devices {
                    return Ok(None);
                }
                let n = self.devices.len();
                let client = self.enrolment.register(&facts(device, n)).await?;
                self.add_device(client, None);
                Some(Value::String(format!("device{n}")))
            }
            Action::Bind { device, user } => {
                let (Some(d), Some(u)) = (self.device_id(*device), self.user_id(*user)) else {
                    return Ok(None);
                };
                json(
                    admin
                        .bind(
                            &d,
                            &NewAssociation {
                                user_id: u,
                                permission: None,
                            },
                        )
                        .await?,
                )
            }
            Action::Unbind { device, user } => {
                let (Some(d), Some(u)) = (self.device_id(*device), self.user_id(*user)) else {
                    return Ok(None);
                };
                admin.unbind(&d, &u).await?;
                Some(Value::Null)
            }
            Action::WindowsPolicy { device, mode } => {
                let Some(d) = self.device_id(*device) else {
                    return Ok(None);
                };
                admin.set_windows_policy(&d, *mode).await?;
                if let Some(i) = self.device_index(*device) {
                    let state = &mut self.devices[i];
                    state.windows_policy = *mode;
                    state.may_offer |= mode.is_some();
                    state.ever_multiple |= *mode == Some(WindowsSsapMode::MultipleUsers);
                }
                Some(Value::Null)
            }
            Action::MfaPolicy { device, on } => {
                let Some(d) = self.device_id(*device) else {
                    return Ok(None);
                };
                admin
                    .set_mfa_policy(&d, on.then_some(MfaFactor::Totp))
                    .await?;
                Some(Value::Null)
            }
            Action::LoginText { device, text } => {
                let Some(d) = self.device_id(*device) else {
                    return Ok(None);
                };
                let text = text.map(|i| LOGIN_TEXTS[i as usize % LOGIN_TEXTS.len()]);
                admin.set_login_window_text(&d, text).await?;
                if let Some(i) = self.device_index(*device) {
                    self.devices[i].login_text = (text.map(str::to_string), false);
                }
                Some(Value::Null)
            }
            Action::Authenticate {
                device,
                user,
                right_password,
            } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                let req = AuthenticateRequest {
                    email: email(*user),
                    password: typed_password(*user, *right_password),
                };
                match self.devices[d].client.authenticate(&req).await {
                    Ok(auth) => {
                        self.devices[d].ticket = Some((auth.ticket.clone(), auth.username.clone()));
                        json(auth)
                    }
                    Err(e) => return Err(e),
                }
            }
            Action::IdentityProvider { on: true } => {
                let idp = match self.idp.take() {
                    Some(idp) => idp,
                    None => {
                        let idp = ssap_mock::MockIdp::start("Okta").await;
                        for u in 0..USERS {
                            idp.add_user(&email(u), &password(u));
                        }
                        idp
                    }
                };
                let set = admin.set_identity_provider(&idp.config()).await;
                self.idp = Some(idp);
                // Each target has its own provider, at its own address: the name is the answer.
                Some(serde_json::json!({ "name": set?.name }))
            }
            Action::IdentityProvider { on: false } => {
                admin.clear_identity_provider().await?;
                Some(Value::Null)
            }
            Action::FederatedSignIn {
                device,
                user,
                token,
            } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                return self.federated_sign_in(d, *user, *token).await;
            }
            Action::WrongPasswords {
                device,
                user,
                times,
            } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                let req = AuthenticateRequest {
                    email: email(*user),
                    password: typed_password(*user, false),
                };
                let mut answers = Vec::with_capacity(usize::from(*times));
                for _ in 0..*times {
                    let out = self.devices[d].client.authenticate(&req).await;
                    let seen = self.observe(out.map(json));
                    answers.push(serde_json::to_value(seen).unwrap_or(Value::Null));
                }
                // Already normalised, attempt by attempt.
                return Ok(Some(Value::Array(answers)));
            }
            Action::Provision {
                device,
                ticket,
                key,
            } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                let presented = match ticket {
                    TicketChoice::Own => self.devices[d].ticket.clone(),
                    TicketChoice::OtherDevice(o) => self
                        .device_index(*o)
                        .and_then(|o| self.devices[o].ticket.clone()),
                    TicketChoice::Forged => Some(("ssap_tk_forged".into(), "forged".into())),
                };
                let Some((ticket, username)) = presented else {
                    return Ok(None);
                };
                let dev = &mut self.devices[d];
                let idempotency_key = match key {
                    KeyChoice::Repeat => match dev.last_key.clone() {
                        Some(k) => k,
                        None => return Ok(None),
                    },
                    KeyChoice::Fresh => {
                        dev.keys += 1;
                        format!("key-{d}-{}", dev.keys)
                    }
                };
                dev.last_key = Some(idempotency_key.clone());
                let req = ProvisionRequest {
                    ticket,
                    local_name: username,
                    idempotency_key,
                };
                json(dev.client.provision(&req).await?)
            }
            Action::ReportAttempt { device, user } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                self.devices[d]
                    .client
                    .report_attempt(&AttemptReport {
                        email: email(*user),
                        reason: "account_exists".into(),
                    })
                    .await?;
                Some(Value::Null)
            }
            Action::ReadLoginWindow { device } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                json(self.devices[d].client.login_window().await?)
            }
            Action::ReadAssociations { device } => {
                let Some(d) = self.device_index(*device) else {
                    return Ok(None);
                };
                json(self.devices[d].client.associations().await?)
            }
            Action::ReadUsers => json(admin.users().await?),
            // The org's time itself differs between two control planes (each froze its clock
            // at its own instant); whether it stands still does not.
            Action::TimePasses { seconds } => {
                let clock = admin.advance_clock(u64::from(*seconds)).await?;
                Some(serde_json::json!({ "frozen": clock.frozen }))
            }
            Action::EnrollMfa {
                user,
                right_password,
            } => {
                let Some(id) = self.user_id(*user) else {
                    return Ok(None);
                };
                let req = MfaEnrollRequest {
                    password: typed_password(*user, *right_password),
                };
                let enrolled = self.portal.enroll_mfa(&id, &req).await?;
                self.mfa_secrets.insert(*user, enrolled.secret.clone());
                json(enrolled)
            }
            Action::VerifyMfa { device, user, code } => {
                let (Some(d), Some(id)) = (self.device_index(*device), self.user_id(*user)) else {
                    return Ok(None);
                };
                let Some(code) = self.mfa_code(*user, *code).await? else {
                    return Ok(None);
                };
                self.devices[d]
                    .client
                    .verify_mfa(&MfaVerifyRequest { user_id: id, code })
                    .await?;
                Some(Value::Null)
            }
            Action::BootDevice { .. }
            | Action::Press { .. }
            | Action::DeviceEvent { .. }
            | Action::LocalAccount { .. } => return Ok(None),
            Action::ReadAudit => {
                // The reason of a success is prose about the change ("macos_ssap: false ->
                // true"), which each implementation words its own way; a refusal's reason is a
                // code of the contract and is compared.
                let events: Vec<_> = admin
                    .audit()
                    .await?
                    .into_iter()
                    .map(|mut e| {
                        if e.outcome == "success" {
                            e.reason = None;
                        }
                        e
                    })
                    .collect();
                json(events)
            }
        };
        Ok(v)
    }

    /// The MFA code `user` types for `choice`, remembered as the one they typed last; `None`
    /// for [`CodeChoice::Again`] before they typed any.
    pub(crate) async fn mfa_code(
        &mut self,
        user: u8,
        choice: CodeChoice,
    ) -> Result<Option<String>, ApiError> {
        let code = match (choice, self.mfa_secrets.get(&user)) {
            (CodeChoice::Again, _) => match self.last_codes.get(&user) {
                Some(c) => c.clone(),
                None => return Ok(None),
            },
            // Never enrolled here: any code is as good as another.
            (_, None) => "123456".to_string(),
            (choice, Some(secret)) => {
                let now = self.control_plane_now().await?;
                totp_code(secret, choice, now)
            }
        };
        self.last_codes.insert(user, code.clone());
        Ok(Some(code))
    }

    /// A federated sign-in at device `d` (R46): how the email signs in; for a federated one, the
    /// provider's page submitted as the web view does, and the code it redirects with redeemed
    /// (twice for a replay), the provider answering as `token` says.
    async fn federated_sign_in(
        &mut self,
        d: usize,
        user: u8,
        token: TokenChoice,
    ) -> Result<Option<Value>, ApiError> {
        let client = self.devices[d].client.clone();
        let method = client
            .sign_in_method(&SignInMethodRequest {
                email: email(user),
                purpose: SignInPurpose::Provision,
            })
            .await?;
        // The addresses are each target's own; what the method is and names is the answer.
        let asked = serde_json::json!({
            "method": method.method,
            "identity_provider": method.identity_provider,
        });
        let (Some(url), Some(state), Some(redirect_uri), Some(idp)) = (
            method.authorize_url,
            method.state,
            method.redirect_uri,
            self.idp.as_ref(),
        ) else {
            return Ok(Some(asked));
        };
        let page = self
            .http
            .submit_form(
                &url,
                &[("username", &email(user)), ("password", &password(user))],
            )
            .await?;
        let code = page
            .location
            .as_deref()
            .and_then(|l| l.split_once('?'))
            .map(|(_, q)| ssap_api::federation::form_decode(q))
            .and_then(|pairs| ssap_api::federation::form_value(&pairs, "code").map(str::to_string));
        let Some(code) = code else {
            return Ok(Some(
                serde_json::json!({ "identity_provider_refused": page.status }),
            ));
        };
        let req = FederatedSignIn {
            code,
            state,
            redirect_uri,
        };
        idp.set_mode(match token {
            TokenChoice::Honest | TokenChoice::Replayed => TokenMode::Honest,
            TokenChoice::ForeignKey => TokenMode::ForeignKey,
            TokenChoice::WrongAudience => TokenMode::WrongAudience,
            TokenChoice::WrongIssuer => TokenMode::WrongIssuer,
            TokenChoice::Expired => TokenMode::Expired,
            TokenChoice::WrongNonce => TokenMode::WrongNonce,
            TokenChoice::WrongEmail => TokenMode::WrongEmail,
        });
        let mut out = client.authenticate_federated(&req).await;
        if token == TokenChoice::Replayed {
            if let Ok(auth) = &out {
                self.devices[d].ticket = Some((auth.ticket.clone(), auth.username.clone()));
            }
            out = client.authenticate_federated(&req).await;
        }
        idp.set_mode(TokenMode::Honest);
        let auth = out?;
        self.devices[d].ticket = Some((auth.ticket.clone(), auth.username.clone()));
        Ok(json(auth))
    }

    /// The control plane's time for this org (its virtual clock's lead over the wall clock).
    async fn control_plane_now(&self) -> Result<u64, ApiError> {
        match self.admin.clock().await {
            Ok(clock) => Ok(clock.now_seconds),
            Err(e) if e.status() == Some(404) => Ok(ssap_api::mfa::unix_now()),
            Err(e) => Err(e),
        }
    }

    fn observe(&self, out: Result<Option<Value>, ApiError>) -> Observation {
        match out {
            Ok(None) => Observation::Skipped,
            Ok(Some(v)) => Observation::Ok(self.normalise(v)),
            Err(ApiError::Status { status, code, .. }) => Observation::Refused { status, code },
            Err(e) => Observation::Broken(self.replace_ids(&e.to_string())),
        }
    }

    /// Ids become symbols; secrets, sequence numbers and timestamps go.
    fn normalise(&self, v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(k, _)| !VOLATILE_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k, self.normalise(v)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.normalise(v)).collect())
            }
            Value::String(s) => Value::String(self.replace_ids(&s)),
            other => other,
        }
    }

    pub(crate) fn replace_ids(&self, s: &str) -> String {
        if let Some(sym) = self.symbols.get(s) {
            return sym.clone();
        }
        let mut out = s.to_string();
        for (id, sym) in &self.symbols {
            if out.contains(id.as_str()) {
                out = out.replace(id.as_str(), sym);
            }
        }
        out
    }
}

/// Keys whose values differ between any two control planes by design.
const VOLATILE_KEYS: &[&str] = &[
    "ticket",
    "device_credential",
    "at_ms",
    "seq",
    "secret",
    "otpauth_uri",
];

/// The code a user types for `choice` at `now`, from their secret. A wrong or expired code is
/// made so that it cannot match any step the control plane accepts at `now` (a random six
/// digits would, once in a few hundred thousand, and make the two sides differ by chance).
fn totp_code(secret: &str, choice: CodeChoice, now: u64) -> String {
    use ssap_api::mfa::{code_at, matching_step};
    let at = |t: u64| code_at(secret, t).unwrap_or_else(|_| "000000".to_string());
    let accepted = |c: &str| matches!(matching_step(secret, c, now), Ok(Some(_)));
    let mut code = match choice {
        CodeChoice::Current | CodeChoice::Again => return at(now),
        CodeChoice::Expired => at(now.saturating_sub(120)),
        CodeChoice::Wrong => at(now),
    };
    // Every digit moved on by one until no accepted step shows it.
    while accepted(&code) {
        code = code
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .map_or('0', |d| char::from(b'0' + ((d + 1) % 10) as u8))
            })
            .collect();
    }
    code
}

/// The local-name source of `user`: `u3` (or `sys3` with a system username), at the edge
/// `choice` names.
fn local_name_source(user: u8, system_username: bool, choice: NameChoice) -> String {
    let base = if system_username {
        format!("sys{user}")
    } else {
        format!("u{user}")
    };
    let pad = |n: usize| format!("{base:x<n$}");
    match choice {
        NameChoice::Plain => base,
        NameChoice::Chars20 => pad(20),
        NameChoice::Chars21 => pad(21),
        NameChoice::Capitals => format!("{}.Name", base.to_uppercase()),
        NameChoice::TrailingPeriod => format!("{base}."),
        NameChoice::DigitFirst => format!("{user}{base}"),
        NameChoice::Forbidden(i) => {
            let c = FORBIDDEN[usize::from(i) % FORBIDDEN.len()];
            format!("{base}{c}x")
        }
    }
}

fn json<T: Serialize>(v: T) -> Option<Value> {
    Some(serde_json::to_value(v).unwrap_or(Value::Null))
}
