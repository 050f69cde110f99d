//! Simulated devices under exploration: a Mac's login window or a Windows PC's credential
//! provider ([`ssap_endpoint::Endpoint`]), registered in the episode's org like any device,
//! driven by presses on whatever its screen shows. After each device action the target
//! observes the screen and the local accounts (compared between the two control planes like
//! any answer) and checks the device-side rules of [`crate::oracle`], which hold whatever
//! either control plane says.

use serde_json::{json, Value};
use ssap_api::{ApiError, Association, BindSource, Os, WindowsSsapMode};
use ssap_endpoint::{
    agent::CallError, DeviceSpec, Endpoint, EndpointError, LocalAccount, Screen, ScreenKind,
};

use crate::action::{Action, Button, DeviceEvent, DeviceKind, Typing, USERS};
use crate::oracle;
use crate::target::{email, facts, password, typed_password, Observation, Target};

/// The password a user creates at the local password prompt (password sync off, R06).
pub const LOCAL_PASSWORD: &str = "Local-Pw-1!";
/// What a user types as the confirmation of a local password they mistype.
const MISTYPED_LOCAL_PASSWORD: &str = "Local-Pw-2!";
/// The password of the local-only accounts people create themselves.
pub const OWN_PASSWORD: &str = "Own-Pw-1!";
/// What a device action did that the device rules need to know.
#[derive(Debug, Default)]
struct Acted {
    /// The PIN and its confirmation submitted on the PIN screen (R32).
    pin: Option<(String, String)>,
    /// A check-in reached the control plane (R14).
    checked_in: bool,
    /// The device was offline: how many associations it had before (R21).
    associations_before: Option<usize>,
    /// Whom a press may have provisioned (R02, R06).
    signing_in: Option<u8>,
}

/// What both OSes call the self-service sign-in (R11, R30).
const SIGN_IN: &str = "Sign in with JumpCloud";
/// A PIN nobody created.
const WRONG_PIN: &str = "000000";

fn spec(kind: &DeviceKind, n: usize) -> DeviceSpec {
    let f = facts(kind, n);
    DeviceSpec {
        os: f.os,
        edition: f.edition,
        architecture: f.architecture,
        join_state: f.join_state,
        mdm: f.mdm,
        hostname: f.hostname,
        serial: f.serial,
        mac: f.mac,
        ip: f.ip,
        os_version: f.os_version,
        pin_blocked_by_gpo: false,
    }
}

impl Target {
    /// The simulated device a device action's number means: device `n` modulo the devices
    /// registered, or the next simulated one after it (so a number written by
    /// [`Target::resolve`] means itself).
    pub(crate) fn endpoint_index(&self, device: u8) -> Option<usize> {
        let n = self.devices.len();
        let start = self.device_index(device)?;
        (0..n)
            .map(|k| (start + k) % n)
            .find(|i| self.devices[*i].endpoint.is_some())
    }

    /// What simulated device `device` shows now (`None` when no simulated device started).
    pub fn screen_of(&self, device: u8) -> Option<ssap_endpoint::Screen> {
        let d = self.endpoint_index(device)?;
        self.devices[d].endpoint.as_deref().map(Endpoint::screen)
    }

    /// The number and local-name source of the user `account` is bound to, if this org ever
    /// had that user.
    fn user_of_account(&self, account: &LocalAccount) -> Option<(u8, &str)> {
        let id = account.jumpcloud_user_id.as_deref()?;
        self.ever.get(id).map(|(u, name)| (*u, name.as_str()))
    }

    /// Plays a device action; `None` for an action that is not one.
    pub(crate) async fn play_on_device(&mut self, action: &Action) -> Option<Observation> {
        let out = match action {
            Action::BootDevice { device } => self.boot(device).await,
            Action::Press {
                device,
                typing,
                button,
            } => self.press(*device, typing, button).await,
            Action::DeviceEvent { device, event } => self.device_event(*device, *event).await,
            Action::LocalAccount {
                device,
                user,
                capitals,
            } => self.local_account(*device, *user, *capitals).await,
            _ => return None,
        };
        Some(out)
    }

    async fn boot(&mut self, kind: &DeviceKind) -> Observation {
        if self.devices.len() >= self.max_devices {
            return Observation::Skipped;
        }
        let n = self.devices.len();
        let mut ep = Endpoint::new(spec(kind, n), self.http.clone(), self.connect_key.clone());
        match ep.power_on().await {
            Ok(()) => {}
            Err(EndpointError::Registration(CallError::Api(ApiError::Status {
                status,
                code,
                ..
            }))) => return Observation::Refused { status, code },
            Err(e) => return Observation::Broken(e.to_string()),
        }
        let Some(client) = ep.agent().device_client().cloned() else {
            return Observation::Broken("the device booted without registering".into());
        };
        self.add_device(client, Some((Box::new(ep), *kind)));
        self.device_view(n)
    }

    async fn press(&mut self, device: u8, typing: &Typing, button: &Button) -> Observation {
        let Some(d) = self.endpoint_index(device) else {
            return Observation::Skipped;
        };
        let Some(screen) = self.devices[d].endpoint.as_deref().map(|ep| ep.screen()) else {
            return Observation::Skipped;
        };
        let Some(label) = button.label_on(&screen) else {
            return Observation::Skipped;
        };
        let who = self.devices[d].who.unwrap_or(typing.user);
        let code = if screen.has_field("Verification code") {
            match self.mfa_code(who, typing.code).await {
                Ok(c) => c,
                Err(e) => return Observation::Broken(self.replace_ids(&e.to_string())),
            }
        } else {
            None
        };
        let Some(ep) = self.devices[d].endpoint.as_deref() else {
            return Observation::Skipped;
        };
        let selected = screen
            .tiles
            .iter()
            .find(|t| t.selected)
            .and_then(|t| t.account.clone())
            .and_then(|name| ep.accounts().find(&name).cloned());
        let mut typed = Vec::new();
        if screen.dialog.is_none() {
            for f in &screen.fields {
                let text = match (f.label.as_str(), screen.kind) {
                    ("Email", _) => email(typing.user),
                    ("Username", _) => email(who),
                    (
                        "Password",
                        ScreenKind::JumpCloudPassword
                        | ScreenKind::ConfirmPassword
                        | ScreenKind::IdentityProviderSignIn,
                    ) => typed_password(who, typing.right),
                    ("Password", _) => match &selected {
                        Some(a) if typing.right => self.password_of(a),
                        _ => typed_password(who, false),
                    },
                    ("PIN", ScreenKind::CreatePin) => typing.pin.typed().0.to_string(),
                    ("Confirm PIN", _) => typing.pin.typed().1.to_string(),
                    ("PIN", _) => match &selected {
                        Some(a) if typing.right => a.pin.clone().unwrap_or_default(),
                        _ => WRONG_PIN.to_string(),
                    },
                    ("New password", _) => LOCAL_PASSWORD.to_string(),
                    ("Verification code", _) => code.clone().unwrap_or_default(),
                    (_, ScreenKind::CreateLocalPassword) if typing.right => {
                        LOCAL_PASSWORD.to_string()
                    }
                    (_, ScreenKind::CreateLocalPassword) => MISTYPED_LOCAL_PASSWORD.to_string(),
                    _ => continue,
                };
                typed.push((f.label.clone(), text));
            }
        }
        let tile_user = screen
            .tile(&label)
            .and_then(|t| t.account.as_deref())
            .and_then(|name| ep.accounts().find(name))
            .and_then(|a| self.user_of_account(a))
            .map(|(u, _)| u);
        let before: Vec<LocalAccount> = ep.accounts().all().to_vec();
        // R21: offline, nothing is created on the control plane either.
        let offline_assocs = match self.devices[d].offline || !ep.online() {
            true => self.devices[d]
                .client
                .associations()
                .await
                .ok()
                .map(|a| a.len()),
            false => None,
        };
        let Some(ep) = self.devices[d].endpoint.as_deref_mut() else {
            return Observation::Skipped;
        };
        for (field, text) in &typed {
            if let Err(e) = ep.type_into(field, text) {
                return Observation::Broken(format!("typing into {field}: {e}"));
            }
        }
        if let Err(e) = ep.click(&label).await {
            return Observation::Broken(format!("pressing {label}: {e}"));
        }
        if typed.iter().any(|(f, _)| f == "Email") {
            self.devices[d].who = Some(typing.user);
            self.devices[d].sign_in_began = Some(self.settings.changes);
        } else if tile_user.is_some() {
            self.devices[d].who = tile_user;
        }
        // Who a press may have provisioned (Refresh makes accounts from associations instead).
        let signing_in = self.devices[d].who.filter(|_| label != "Refresh");
        let pin = (screen.kind == ScreenKind::CreatePin && label != "Cancel").then(|| {
            let (p, c) = typing.pin.typed();
            (p.to_string(), c.to_string())
        });
        let acted = Acted {
            pin,
            associations_before: offline_assocs,
            signing_in,
            ..Acted::default()
        };
        if let Some(broken) = self.check_rules(d, &before, acted).await {
            return Observation::RuleBroken(broken);
        }
        self.device_view(d)
    }

    /// The password that opens `account` for whoever it belongs to.
    fn password_of(&self, account: &LocalAccount) -> String {
        let user = self.user_of_account(account).map(|(u, _)| u);
        let mut candidates: Vec<String> = user.map(password).into_iter().collect();
        candidates.push(LOCAL_PASSWORD.to_string());
        candidates.push(OWN_PASSWORD.to_string());
        candidates
            .iter()
            .find(|p| account.password.opens_with(p))
            .cloned()
            // A bound account learns its password at its first login (checked online).
            .unwrap_or_else(|| user.map_or(OWN_PASSWORD.to_string(), password))
    }

    async fn device_event(&mut self, device: u8, event: DeviceEvent) -> Observation {
        let Some(d) = self.endpoint_index(device) else {
            return Observation::Skipped;
        };
        let Some(ep) = self.devices[d].endpoint.as_deref_mut() else {
            return Observation::Skipped;
        };
        let before: Vec<LocalAccount> = ep.accounts().all().to_vec();
        let out = match event {
            DeviceEvent::Restart => ep.reboot().await,
            DeviceEvent::CheckIn => ep.agent_check_in().await,
            DeviceEvent::InternetDown => {
                ep.network_mut().set_upstream(false);
                Ok(())
            }
            DeviceEvent::InternetUp => {
                ep.network_mut().set_upstream(true);
                Ok(())
            }
        };
        let state = &mut self.devices[d];
        match event {
            DeviceEvent::InternetDown => state.offline = true,
            DeviceEvent::InternetUp => state.offline = false,
            DeviceEvent::Restart | DeviceEvent::CheckIn => {}
        }
        // Offline by either account: the internet taken away here, or Wi-Fi turned off (or
        // its network forgotten) at the screen's menu.
        let online = !state.offline && state.endpoint.as_deref().is_some_and(Endpoint::online);
        if event == DeviceEvent::Restart {
            state.who = None;
            // R10: the login window presented anew shows the settings as they are now
            // (offline, the device cannot know of a change).
            let on = state.kind.is_some_and(|k| self.settings.toggle(k.os))
                || state.windows_policy.is_some();
            state.may_offer = on || (!online && state.may_offer);
            state.login_text.1 |= online;
        }
        let checked_in =
            out.is_ok() && online && matches!(event, DeviceEvent::Restart | DeviceEvent::CheckIn);
        if let Err(e) = out {
            // An offline check-in is no news; anything else is part of the answer.
            if !matches!(e, EndpointError::CheckIn(CallError::Offline)) {
                return Observation::Broken(self.replace_ids(&e.to_string()));
            }
        }
        let acted = Acted {
            checked_in,
            ..Acted::default()
        };
        if let Some(broken) = self.check_rules(d, &before, acted).await {
            return Observation::RuleBroken(broken);
        }
        self.device_view(d)
    }

    async fn local_account(&mut self, device: u8, user: u8, capitals: bool) -> Observation {
        let (Some(d), Some(source)) = (self.endpoint_index(device), self.names.get(&user)) else {
            return Observation::Skipped;
        };
        let Some(ep) = self.devices[d].endpoint.as_deref_mut() else {
            return Observation::Skipped;
        };
        let name = match ep.os() {
            Os::Macos => source.to_ascii_lowercase(),
            Os::Windows => source.clone(),
        };
        let name = if capitals { name.to_uppercase() } else { name };
        if let Err(e) = ep.add_local_account(&name, &format!("Own {name}"), OWN_PASSWORD, false) {
            return Observation::Broken(format!("no local account {name:?} was added: {e}"));
        }
        self.devices[d].own_accounts.push(name);
        self.device_view(d)
    }

    /// The device's screen and local accounts, ids as symbols.
    fn device_view(&self, d: usize) -> Observation {
        let Some(ep) = self.devices[d].endpoint.as_deref() else {
            return Observation::Skipped;
        };
        let accounts: Vec<Value> = ep
            .accounts()
            .all()
            .iter()
            .map(|a| {
                let opens = self
                    .users
                    .keys()
                    .map(|u| (format!("user{u}'s password"), password(*u)))
                    .chain([
                        ("a local password".to_string(), LOCAL_PASSWORD.to_string()),
                        ("its own password".to_string(), OWN_PASSWORD.to_string()),
                    ])
                    .find(|(_, p)| a.password.opens_with(p))
                    .map_or("no password it was given".to_string(), |(w, _)| w);
                json!({
                    "name": a.name,
                    "full_name": a.full_name,
                    "groups": a.groups,
                    "managed": a.managed,
                    "user": a.jumpcloud_user_id.as_deref().map(|id| self.replace_ids(id)),
                    "opens_with": opens,
                    "pin": a.pin.is_some(),
                    "disabled": ep.account_disabled(&a.name),
                })
            })
            .collect();
        Observation::Ok(json!({
            "screen": self.replace_ids(&ep.screen().render_text()),
            "accounts": accounts,
        }))
    }

    /// R10, R11, R16, R18, R30: what the login window or credential provider offers, and
    /// the badges on its tiles.
    fn check_offer(&self, d: usize, screen: &Screen, accounts: &[LocalAccount]) -> Option<String> {
        let state = &self.devices[d];
        let kind = state.kind?;
        let dev = format!("device{d}");
        let offered = match kind.os {
            Os::Macos => screen.buttons.iter().any(|b| b == SIGN_IN),
            Os::Windows => screen.tiles.iter().any(|t| t.label == SIGN_IN),
        };
        let managed = accounts.iter().find(|a| a.managed);
        if offered {
            if !oracle::supported(&kind) {
                return Some(format!(
                    "R18: {dev} offers {SIGN_IN}, though it is unsupported ({kind:?})"
                ));
            }
            if !state.may_offer {
                return Some(format!(
                    "R10: {dev} offers {SIGN_IN}, though self-service has been off for it since \
                     its login window was presented"
                ));
            }
            match (kind.os, managed) {
                (Os::Macos, Some(a)) => {
                    return Some(format!(
                        "R11: {dev} offers {SIGN_IN} beside managed account {:?}",
                        a.name
                    ))
                }
                (Os::Windows, Some(a)) if !state.ever_multiple => {
                    return Some(format!(
                        "R30: {dev} offers {SIGN_IN} beside managed account {:?}, without the \
                         multiple-users policy",
                        a.name
                    ))
                }
                _ => {}
            }
        }
        // R16: the badge marks managed accounts, on the JumpCloud login window (the one with
        // Refresh), and never a local-only account.
        let jumpcloud_window = screen.buttons.iter().any(|b| b == "Refresh");
        // R17: that window shows the admin's login-window text, once presented after it was set.
        if let (Os::Macos, true, (text, true)) = (kind.os, jumpcloud_window, &state.login_text) {
            if screen.login_window_text != *text {
                let said =
                    |t: &Option<String>| t.as_ref().map_or("no text".into(), |t| format!("{t:?}"));
                return Some(format!(
                    "R17: {dev}'s login window shows {}, not the admin's {}",
                    said(&screen.login_window_text),
                    said(text)
                ));
            }
        }
        for t in &screen.tiles {
            let Some(a) = t
                .account
                .as_deref()
                .and_then(|n| accounts.iter().find(|a| a.name == n))
            else {
                continue;
            };
            if t.managed && !a.managed {
                return Some(format!(
                    "R16: local-only account {:?} on {dev} carries the JumpCloud badge",
                    a.name
                ));
            }
            if kind.os == Os::Macos && jumpcloud_window && a.managed && !t.managed {
                return Some(format!(
                    "R16: managed account {:?} on {dev} has no JumpCloud badge",
                    a.name
                ));
            }
        }
        None
    }

    /// The device-side rules of [`oracle`] and the invariants no control plane may break,
    /// after an action on device `d` (`before`: its accounts before; `acted`: what the action
    /// did).
    async fn check_rules(&self, d: usize, before: &[LocalAccount], acted: Acted) -> Option<String> {
        let Acted {
            pin,
            checked_in,
            associations_before,
            signing_in,
        } = acted;
        let state = &self.devices[d];
        let ep = state.endpoint.as_deref()?;
        let os = ep.os();
        let screen = ep.screen();
        let shown = screen.render_text();
        let dev = format!("device{d}");
        // R32: a PIN of six characters or more, typed the same twice, is taken; no other.
        if let Some((p, c)) = pin {
            let refused = screen.kind == ScreenKind::CreatePin
                && screen.error.as_deref().is_some_and(|e| e.contains("PIN"));
            match (oracle::pin_accepted(&p, &c), refused) {
                (true, true) => {
                    return Some(format!(
                        "R32: {dev} refused the PIN {p:?} (confirmed as {c:?}): {}",
                        screen.error.as_deref().unwrap_or_default()
                    ))
                }
                (false, false) => {
                    return Some(format!(
                        "R32: {dev} took the PIN {p:?} confirmed as {c:?}, which R32 refuses"
                    ))
                }
                _ => {}
            }
        }
        // R39: a name the OS can hold is not refused.
        if shown.contains("cannot be used on") {
            if let Some(u) = state.who.filter(|u| *u < USERS) {
                if let Some(Ok(name)) = self.names.get(&u).map(|s| oracle::local_name(os, s)) {
                    return Some(format!(
                        "R39: {dev} ({os}) refused user{u}'s local name {name:?}, which {os} can \
                         hold: {}",
                        screen
                            .error
                            .as_deref()
                            .or(screen.message.as_deref())
                            .unwrap_or_default()
                    ));
                }
            }
        }
        let after = ep.accounts().all();
        let assocs: Vec<Association> = state.client.associations().await.unwrap_or_default();
        let self_service = |a: &LocalAccount| {
            assocs.iter().any(|x| {
                Some(x.user_id.as_str()) == a.jumpcloud_user_id.as_deref()
                    && x.source == BindSource::SelfService
            })
        };
        if let Some(broken) = self.check_offer(d, &screen, after) {
            return Some(broken);
        }
        // R21: offline, a sign-in creates nothing on the device or the control plane.
        if let Some(n) = associations_before {
            if let Some(a) = after
                .iter()
                .find(|a| a.managed && !before.iter().any(|b| b.name == a.name && b.managed))
            {
                return Some(format!(
                    "R21: {dev} created managed account {:?} while offline",
                    a.name
                ));
            }
            if assocs.len() > n {
                return Some(format!(
                    "R21: an association was made for {dev} while it was offline"
                ));
            }
        }
        // R14: after a check-in, the managed accounts are the device's associations: every
        // managed account has one, and every association a managed account, unless its name
        // cannot be held or an account of that name is already there.
        if checked_in {
            for a in after.iter().filter(|a| a.managed) {
                if !assocs
                    .iter()
                    .any(|x| Some(&x.user_id) == a.jumpcloud_user_id.as_ref())
                {
                    return Some(format!(
                        "R14: {dev} still has managed account {:?} after a check-in, without an \
                         association",
                        a.name
                    ));
                }
            }
            for x in &assocs {
                let Some((u, source)) = self.ever.get(&x.user_id) else {
                    continue;
                };
                if after
                    .iter()
                    .any(|a| a.jumpcloud_user_id.as_ref() == Some(&x.user_id))
                {
                    continue;
                }
                if let Ok(name) = oracle::local_name(os, source) {
                    if !after.iter().any(|a| oracle::same_name(&a.name, &name)) {
                        return Some(format!(
                            "R14: user{u} is bound to {dev}, yet after a check-in it has no \
                             account {name:?}"
                        ));
                    }
                }
            }
        }
        // R02, R06: the account a sign-in at the device provisions has the permission level's
        // groups and the password the sync setting gives, where no setting changed during the
        // sign-in.
        let settled = state.sign_in_began == Some(self.settings.changes);
        for a in after
            .iter()
            .filter(|a| a.managed && self_service(a) && settled)
        {
            if before.iter().any(|b| b.name == a.name && b.managed) {
                continue;
            }
            let Some((u, _)) = self.user_of_account(a) else {
                continue;
            };
            if signing_in != Some(u) {
                continue;
            }
            let admin = oracle::has_admin_rights(os, &a.groups);
            if admin != self.settings.administrator {
                return Some(format!(
                    "R02: user{u}'s new account {:?} on {dev} is in groups {:?} at the {} \
                     permission level",
                    a.name,
                    a.groups,
                    if self.settings.administrator {
                        "administrator"
                    } else {
                        "standard"
                    }
                ));
            }
            // A federated user's account opens through the identity provider (R46).
            let directory = a.password.opens_with(&password(u));
            if directory != self.settings.sync && !self.federated.contains(&u) {
                return Some(format!(
                    "R06: user{u}'s new account {:?} on {dev} {} with the directory password \
                     while password sync is {}",
                    a.name,
                    if directory { "opens" } else { "does not open" },
                    if self.settings.sync { "on" } else { "off" }
                ));
            }
        }
        for a in after.iter().filter(|a| a.managed) {
            // No account for a user of another org.
            let Some((u, source)) = self.user_of_account(a) else {
                return Some(format!(
                    "{dev} has managed account {:?} bound to a user this org does not have",
                    a.name
                ));
            };
            // R39: the name is the one the user's name source gives on this OS.
            match oracle::local_name(os, source) {
                Ok(name) if !oracle::same_name(&name, &a.name) => {
                    return Some(format!(
                        "R39: user{u}'s account on {dev} ({os}) is named {:?}, not {name:?}",
                        a.name
                    ))
                }
                Err(why) => {
                    return Some(format!(
                        "R39: {dev} ({os}) holds account {:?} for user{u}, whose name it cannot \
                         hold: {why}",
                        a.name
                    ))
                }
                _ => {}
            }
            let new = !before.iter().any(|b| b.name == a.name && b.managed);
            // No half-made account: a new managed account has its association.
            if new
                && !assocs
                    .iter()
                    .any(|x| Some(&x.user_id) == a.jumpcloud_user_id.as_ref())
            {
                return Some(format!(
                    "{dev} created managed account {:?} for user{u} without an association",
                    a.name
                ));
            }
            // R43: self-service never provisions next to a local account of the same name
            // (the OSes compare names ignoring case).
            if new && self_service(a) {
                if let Some(twin) = after
                    .iter()
                    .find(|b| !b.managed && oracle::same_name(&b.name, &a.name))
                {
                    return Some(format!(
                        "R43: {dev} ({os}) provisioned {:?} for user{u} next to local account \
                         {:?}, which has the same name to {os}",
                        a.name, twin.name
                    ));
                }
            }
            // Never two self-service accounts without the multiple-users policy (R03, R44).
            let multiple =
                os == Os::Windows && state.windows_policy == Some(WindowsSsapMode::MultipleUsers);
            if new && self_service(a) && !multiple {
                if let Some(other) = after
                    .iter()
                    .find(|b| b.managed && b.name != a.name && self_service(b))
                {
                    return Some(format!(
                        "R44: {dev} ({os}) provisioned {:?} for user{u} next to self-service \
                         account {:?}, without the multiple-users policy",
                        a.name, other.name
                    ));
                }
            }
        }
        // R43: a local-only account is never taken over by self-service (R49: an admin bind
        // may convert it).
        for name in &state.own_accounts {
            let Some(a) = after.iter().find(|a| &a.name == name) else {
                return Some(format!("R43: local account {name:?} on {dev} is gone"));
            };
            if a.managed && self_service(a) {
                return Some(format!(
                    "R43: local account {name:?} on {dev} was taken over by self-service"
                ));
            }
            if !a.managed && !a.password.opens_with(OWN_PASSWORD) {
                return Some(format!(
                    "R43: local account {name:?} on {dev} no longer opens with its own password"
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::action::{CodeChoice, PinChoice};
    use crate::sentence::parse;

    /// Presses "the next button" as `user` until the screen's title says `title`.
    async fn press_until(t: &mut Target, user: u8, title: &str) -> Vec<Observation> {
        let mut seen = Vec::new();
        for _ in 0..15 {
            let o = t
                .play(&Action::Press {
                    device: 0,
                    typing: Typing {
                        user,
                        right: true,
                        pin: PinChoice::Six,
                        code: CodeChoice::Current,
                    },
                    button: Button::Next,
                })
                .await;
            let done = o.readable().contains(title);
            seen.push(o);
            if done {
                break;
            }
        }
        seen
    }

    #[tokio::test]
    async fn a_windows_user_with_a_twenty_character_name_presses_through_to_the_desktop() {
        let server = ssap_control_plane::EmbeddedServer::start()
            .await
            .unwrap_or_else(|e| panic!("starting the server: {e}"));
        let http = ssap_api::Http::new(server.url(), Duration::from_secs(30)).unwrap();
        let mut t = Target::new_org(&http, server.operator_token())
            .await
            .unwrap();
        for s in [
            "the admin creates user1 (password: yes, system username: no, name: 20 characters)",
            "the admin turns Windows self-service on",
            "a device starts: Windows Pro, x86_64, workgroup, no MDM",
        ] {
            let o = t.play(&parse(s).unwrap()).await;
            assert!(matches!(o, Observation::Ok(_)), "{s}: {o:?}");
        }
        let seen = press_until(&mut t, 1, "Windows desktop").await;
        let last = seen.last().map(Observation::readable).unwrap_or_default();
        assert!(last.contains("Windows desktop"), "{seen:#?}");
        assert!(
            last.contains(r#""name":"u1xxxxxxxxxxxxxxxxxx""#) && last.contains(r#""managed":true"#),
            "{last}"
        );
        assert!(!seen.iter().any(Observation::is_failure), "{seen:#?}");
    }

    #[tokio::test]
    async fn a_short_pin_stays_on_the_pin_screen_and_the_oracle_objects_when_one_is_taken() {
        // The device is right and the oracle agrees: a five-character PIN stays on the PIN
        // screen with its error, and no rule is reported broken.
        let server = ssap_control_plane::EmbeddedServer::start()
            .await
            .unwrap_or_else(|e| panic!("starting the server: {e}"));
        let http = ssap_api::Http::new(server.url(), Duration::from_secs(30)).unwrap();
        let mut t = Target::new_org(&http, server.operator_token())
            .await
            .unwrap();
        for s in [
            "the admin creates user2 (password: yes, system username: no)",
            "the admin turns Windows self-service on",
            "a device starts: Windows Pro, x86_64, workgroup, no MDM",
        ] {
            t.play(&parse(s).unwrap()).await;
        }
        press_until(&mut t, 2, "Set up a PIN").await;
        let short = Action::Press {
            device: 0,
            typing: Typing {
                user: 2,
                right: true,
                pin: PinChoice::Five,
                code: CodeChoice::Current,
            },
            button: Button::Next,
        };
        let o = t.play(&short).await;
        assert!(o.readable().contains("at least 6 characters"), "{o:?}");
        assert!(!o.is_failure());
        // And a check that can fail: told the PIN was accepted, the oracle objects.
        let pin = Some(("12345".to_string(), "12345".to_string()));
        let before = t.devices[0]
            .endpoint
            .as_deref()
            .map(|e| e.accounts().all().to_vec())
            .unwrap_or_default();
        if let Some(ep) = t.devices[0].endpoint.as_deref_mut() {
            ep.reboot().await.unwrap();
        }
        let broken = t
            .check_rules(
                0,
                &before,
                Acted {
                    pin,
                    ..Acted::default()
                },
            )
            .await;
        assert!(
            broken.as_deref().is_some_and(|b| b.starts_with("R32")),
            "{broken:?}"
        );
    }
}
