//! State and behaviour shared by both OSes' screens: the local account store, the network,
//! the agent, and the provisioning protocol (authenticate -> check the local name -> provision
//! -> create the account only once the association is confirmed).

use ssap_api::{
    codes, Association, AuthenticateResponse, BindSource, DeviceFacts, FederatedSignIn, JoinState,
    Mdm, Os, ProvisionRequest, SignInKind, SignInPurpose,
};

use crate::accounts::{groups_for, LocalAccount, LocalAccountStore, LocalSecret};
use crate::agent::{refusal_for, Agent, CallError, IdpOutcome, Refusal};
use crate::clock::VirtualClock;
use crate::network::Network;
use crate::rules;

/// The hardware and OS facts of a simulated device (also what the agent registers, R15, R18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSpec {
    /// Which OS the device runs: picks the login UI and the naming rules.
    pub os: Os,
    /// Windows: "Pro", "Enterprise", "Home", "Server"; macOS: "".
    pub edition: String,
    /// "x86_64" or "arm64".
    pub architecture: String,
    /// Workgroup, or joined to AD/Entra (which cannot host SSAP, R18).
    pub join_state: JoinState,
    /// The MDM besides the agent, if any (R48): reported, never needed.
    pub mdm: Mdm,
    /// Shown in the info panel (R15) and reported at registration.
    pub hostname: String,
    /// Serial number, shown in the info panel (R15).
    pub serial: String,
    /// MAC address, shown in the info panel (R15).
    pub mac: String,
    /// IP address, shown in the info panel (R15).
    pub ip: String,
    /// Full OS version, shown in the info panel (R15).
    pub os_version: String,
    /// Windows: a GPO blocks PIN sign-in (R33).
    pub pin_blocked_by_gpo: bool,
}

impl DeviceSpec {
    /// What the device's agent tells the control plane when it registers.
    pub fn facts(&self) -> DeviceFacts {
        let s = self;
        DeviceFacts {
            os: s.os,
            edition: s.edition.clone(),
            architecture: s.architecture.clone(),
            join_state: s.join_state,
            mdm: s.mdm,
            hostname: s.hostname.clone(),
            serial: s.serial.clone(),
            mac: s.mac.clone(),
            ip: s.ip.clone(),
            os_version: s.os_version.clone(),
        }
    }

    /// The `n`th Mac of a fleet, with deterministic facts (same `n`, same device).
    pub fn macos(n: u32) -> Self {
        Self {
            os: Os::Macos,
            edition: String::new(),
            architecture: "arm64".into(),
            join_state: JoinState::Workgroup,
            mdm: Mdm::None,
            hostname: format!("mac-{n:04}"),
            serial: format!("C02SIM{n:06}"),
            mac: mac_address(0xa4, n),
            ip: ip_address(1, n),
            os_version: "macOS 14.5 (23F79)".into(),
            pin_blocked_by_gpo: false,
        }
    }

    /// The `n`th Windows PC of a fleet: Windows 11 Pro on x86_64, in a workgroup (supported).
    pub fn windows(n: u32) -> Self {
        Self {
            os: Os::Windows,
            edition: "Pro".into(),
            architecture: "x86_64".into(),
            join_state: JoinState::Workgroup,
            mdm: Mdm::None,
            hostname: format!("WIN-{n:04}"),
            serial: format!("SIMW{n:08}"),
            mac: mac_address(0x00, n),
            ip: ip_address(2, n),
            os_version: "Windows 11 Pro 23H2 (22631.3593)".into(),
            pin_blocked_by_gpo: false,
        }
    }
}

fn mac_address(first: u8, n: u32) -> String {
    let b = n.to_be_bytes();
    format!("{first:02x}:83:e7:{:02x}:{:02x}:{:02x}", b[1], b[2], b[3])
}

fn ip_address(net: u8, n: u32) -> String {
    format!("10.{net}.{}.{}", (n / 250) % 256, n % 250 + 2)
}

/// A provisioning that has been authenticated and checked, ready to send (and to re-send with
/// the same idempotency key after a lost reply).
#[derive(Debug, Clone)]
pub(crate) struct PendingProvision {
    pub auth: AuthenticateResponse,
    pub request: ProvisionRequest,
    pub secret: LocalSecret,
    pub pin: Option<String>,
}

/// A federated sign-in under way (R46): the identity provider's page is on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FedStart {
    /// The identity provider's name ("Okta").
    pub idp: String,
    pub authorize_url: String,
    pub state: String,
    /// The directory email being signed in (also the page's pre-filled username).
    pub email: String,
    pub purpose: SignInPurpose,
    /// Login through federation: the local account being logged in to.
    pub account: Option<String>,
}

/// Outcome of checking a password at a user tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoginCheck {
    Ok,
    WrongPassword,
    NotSynced,
    MfaPrompt,
    MfaNotEnrolled,
    /// The directory no longer lets the user log in (R63): the account stays, disabled.
    Disabled,
}

#[derive(Debug)]
pub(crate) struct Device {
    pub spec: DeviceSpec,
    pub clock: VirtualClock,
    pub accounts: LocalAccountStore,
    pub network: Network,
    pub agent: Agent,
    pub logged_in: Option<String>,
    pub powered: bool,
    /// The last answer the identity provider redirected back with (R46), kept so tests can
    /// replay it and prove the control plane refuses a second use.
    pub last_federation: Option<FederatedSignIn>,
}

impl Device {
    pub fn os(&self) -> Os {
        self.spec.os
    }

    /// Internet reachable; without it the agent sends nothing (R21).
    pub fn online(&self) -> bool {
        self.network.internet_reachable()
    }

    pub fn facts(&self) -> DeviceFacts {
        self.spec.facts()
    }

    /// Whether this endpoint can host SSAP at all (R18): Windows Home, Server, ARM and
    /// AD/Entra-joined devices cannot, whatever the control plane says (same rule as the
    /// reference server's `device_supported`).
    pub fn supported(&self) -> bool {
        if self.spec.join_state != JoinState::Workgroup {
            return false;
        }
        match self.spec.os {
            Os::Macos => true,
            Os::Windows => {
                let e = self.spec.edition.to_ascii_lowercase();
                let arch = self.spec.architecture.trim().to_ascii_lowercase();
                !(e.contains("home")
                    || e.contains("server")
                    || arch == "arm64"
                    || arch == "aarch64")
            }
        }
    }

    /// Registers if needed, fetches the configuration and applies the associations to the
    /// local accounts (admin binds create or convert accounts, unbinds release them).
    pub async fn sync(&mut self) -> Result<(), CallError> {
        let online = self.online();
        let facts = self.facts();
        self.agent.ensure_registered(online, &facts).await?;
        let users = self.agent.fetch_config(online).await?.managed_users.clone();
        self.apply_associations(&users);
        Ok(())
    }

    /// Makes the local accounts agree with the control plane's associations.
    pub fn apply_associations(&mut self, assocs: &[Association]) {
        let os = self.os();
        for a in assocs {
            if self.accounts.find_by_user_id(&a.user_id).is_some() {
                continue;
            }
            let Ok(name) = rules::local_name_for(os, &a.username, a.system_username.as_deref())
            else {
                continue; // the OS cannot hold it; the agent leaves it unbound locally
            };
            match self.accounts.find(&name) {
                Some(existing) if existing.managed => {} // bound to someone else: never steal
                Some(_) if a.source == BindSource::Admin => {
                    // R49: an admin bind takes over a same-named local account.
                    let _ = self
                        .accounts
                        .convert_to_managed(&name, &a.user_id, a.permission);
                }
                // R43: a self-service association never takes over a local-only account, even
                // one made elsewhere with this device's credential (found by explore).
                Some(_) => {}
                None => {
                    let _ = self.accounts.add(LocalAccount {
                        name,
                        full_name: a.display_name.clone(),
                        groups: groups_for(os, a.permission),
                        managed: true,
                        jumpcloud_user_id: Some(a.user_id.clone()),
                        password: LocalSecret::PendingSync,
                        pin: None,
                        setup_complete: false,
                    });
                }
            }
        }
        let bound: Vec<String> = self
            .accounts
            .all()
            .iter()
            .filter(|a| a.managed)
            .filter_map(|a| a.jumpcloud_user_id.clone())
            .collect();
        for id in bound {
            if !assocs.iter().any(|a| a.user_id == id) {
                self.accounts.release(&id);
            }
        }
    }

    /// Sign in with JumpCloud may be offered (R11, R18, R30): the presented configuration says
    /// so, the device is supported, and on macOS there is no managed local account.
    pub fn offer_sign_in(&self) -> bool {
        let Some(cfg) = self.agent.config() else {
            return false;
        };
        cfg.ssap_enabled
            && cfg.offer_sign_in
            && self.supported()
            && (self.os() == Os::Windows || self.accounts.managed_count() == 0)
    }

    fn association(&self, user_id: &str) -> Option<&Association> {
        self.agent
            .config()?
            .managed_users
            .iter()
            .find(|a| a.user_id == user_id)
    }

    /// Authenticates, then checks the local name (R39) and collisions (R43) BEFORE anything is
    /// created; refusals decided here are reported to the control plane (R07).
    pub async fn authenticate_and_check(
        &mut self,
        email: &str,
        password: &str,
    ) -> Result<(AuthenticateResponse, String), Refusal> {
        let online = self.online();
        let auth = self
            .agent
            .authenticate(online, email, password)
            .await
            .map_err(|e| refusal_for(&e))?;
        self.check_local_name(email, auth).await
    }

    /// The local name checks after any authentication (R39, R43), reported when refused.
    async fn check_local_name(
        &mut self,
        email: &str,
        auth: AuthenticateResponse,
    ) -> Result<(AuthenticateResponse, String), Refusal> {
        let online = self.online();
        let name =
            match rules::local_name_for(self.os(), &auth.username, auth.system_username.as_deref())
            {
                Ok(n) => n,
                Err(e) => {
                    self.agent
                        .report_attempt(online, email, codes::INVALID_LOCAL_NAME)
                        .await;
                    return Err(Refusal {
                        title: "Can't create your account".into(),
                        message: format!("{} Contact your admin.", e.sentence()),
                        retryable: false,
                        code: Some(codes::INVALID_LOCAL_NAME.into()),
                    });
                }
            };
        if self.accounts.find(&name).is_some() {
            self.agent
                .report_attempt(online, email, codes::ACCOUNT_EXISTS)
                .await;
            return Err(Refusal {
                title: "Account already exists".into(),
                message: format!(
                    "Account already exists. {}. Contact your admin.",
                    auth.display_name
                ),
                retryable: false,
                code: Some(codes::ACCOUNT_EXISTS.into()),
            });
        }
        Ok((auth, name))
    }

    /// Asks how `email` signs in, but only where the org has an identity provider (the login
    /// window configuration says so), so password-only orgs make no extra request (R46).
    /// `Ok(None)`: the password step.
    pub async fn start_federation(
        &mut self,
        email: &str,
        purpose: SignInPurpose,
        account: Option<String>,
    ) -> Result<Option<FedStart>, Refusal> {
        let offered = self
            .agent
            .config()
            .is_some_and(|c| c.identity_provider.is_some());
        if !offered && purpose == SignInPurpose::Provision {
            return Ok(None);
        }
        let m = self
            .agent
            .sign_in_method(self.online(), email, purpose)
            .await
            .map_err(|e| refusal_for(&e))?;
        match (m.method, m.identity_provider, m.authorize_url, m.state) {
            (SignInKind::Federated, Some(idp), Some(authorize_url), Some(state)) => {
                Ok(Some(FedStart {
                    idp,
                    authorize_url,
                    state,
                    email: email.to_string(),
                    purpose,
                    account,
                }))
            }
            (SignInKind::Federated, ..) => Err(Refusal {
                title: "Can't sign in".into(),
                message: "JumpCloud did not say where to sign in. Contact your admin.".into(),
                retryable: false,
                code: None,
            }),
            (SignInKind::Password, ..) => Ok(None),
        }
    }

    /// Submits the identity provider's page (R46).
    pub async fn submit_idp_page(
        &mut self,
        start: &FedStart,
        username: &str,
        password: &str,
    ) -> IdpOutcome {
        let out = self
            .agent
            .submit_idp_page(
                self.online(),
                &start.authorize_url,
                &start.state,
                username,
                password,
            )
            .await;
        if let IdpOutcome::Redirected(back) = &out {
            self.last_federation = Some(back.clone());
        }
        out
    }

    /// Redeems the identity provider's answer for a ticket, then the same local-name and
    /// collision checks as a password sign-in (R46, R39, R43).
    pub async fn federated_authenticate_and_check(
        &mut self,
        start: &FedStart,
        back: &FederatedSignIn,
    ) -> Result<(AuthenticateResponse, String), Refusal> {
        let auth = self
            .agent
            .authenticate_federated(self.online(), back)
            .await
            .map_err(|e| refusal_for(&e))?;
        self.check_local_name(&start.email, auth).await
    }

    /// Confirms a login through federation with the control plane: the association it returns
    /// must be this account's user; then MFA as at any login (R45, R46).
    pub async fn federated_login(
        &mut self,
        account: &str,
        back: &FederatedSignIn,
    ) -> Result<LoginCheck, Refusal> {
        let assoc = self
            .agent
            .login_federated(self.online(), back)
            .await
            .map_err(|e| refusal_for(&e))?;
        let Some(acct) = self.accounts.find(account) else {
            return Ok(LoginCheck::WrongPassword);
        };
        if acct.jumpcloud_user_id.as_deref() != Some(assoc.user_id.as_str()) {
            return Err(Refusal {
                title: "Can't sign in".into(),
                message: "You signed in as someone else than this account's owner.".into(),
                retryable: false,
                code: None,
            });
        }
        Ok(self.after_password(acct))
    }

    /// Builds the provisioning request (one idempotency key per attempt).
    pub fn prepare(
        &mut self,
        auth: AuthenticateResponse,
        local_name: &str,
        secret: LocalSecret,
        pin: Option<String>,
    ) -> PendingProvision {
        let request = self.agent.provision_request(&auth.ticket, local_name);
        PendingProvision {
            auth,
            request,
            secret,
            pin,
        }
    }

    /// Sends the provisioning (bounded retries with the same key) and creates the local
    /// account only once the association is confirmed; on any failure nothing is created
    /// here (R60). When the answer never came (lost replies, 5xx) or the control plane says
    /// the user is already bound, the device's association list is asked once: a
    /// self-service association for this user IS the confirmation, and the account is created.
    /// Returns the new account's name.
    pub async fn provision(&mut self, p: &PendingProvision) -> Result<String, Refusal> {
        let online = self.online();
        let assoc = match self.agent.provision(online, &p.request, &self.clock).await {
            Ok(a) => a,
            Err(e) => {
                let refusal = refusal_for(&e);
                let ask =
                    refusal.retryable || refusal.code.as_deref() == Some(codes::ALREADY_BOUND);
                if !ask {
                    return Err(refusal);
                }
                match self.confirmed_association(p).await {
                    Some(a) => a,
                    None => return Err(refusal),
                }
            }
        };
        self.create_provisioned(p, assoc).await
    }

    /// After the user gives up on a failed provisioning: if the control plane did record it
    /// (a reply lost on the way back), create the account now so that the device and the
    /// control plane agree (R60). Returns the account name if there was one to create.
    pub async fn reconcile(&mut self, p: &PendingProvision) -> Option<String> {
        let assoc = self.confirmed_association(p).await?;
        self.create_provisioned(p, assoc).await.ok()
    }

    async fn confirmed_association(&self, p: &PendingProvision) -> Option<Association> {
        let list = self.agent.associations(self.online()).await.ok()?;
        list.into_iter()
            .find(|a| a.user_id == p.auth.user_id && a.source == BindSource::SelfService)
    }

    async fn create_provisioned(
        &mut self,
        p: &PendingProvision,
        assoc: Association,
    ) -> Result<String, Refusal> {
        let online = self.online();
        let os = self.os();
        let name = p.request.local_name.clone();
        let account = LocalAccount {
            name: name.clone(),
            full_name: p.auth.display_name.clone(),
            groups: groups_for(os, assoc.permission),
            managed: true,
            jumpcloud_user_id: Some(assoc.user_id.clone()),
            password: p.secret.clone(),
            pin: p.pin.clone(),
            setup_complete: os == Os::Windows,
        };
        if let Err(e) = self.accounts.add(account) {
            return Err(Refusal {
                title: "Can't create your account".into(),
                message: format!("{e}. Contact your admin."),
                retryable: false,
                code: None,
            });
        }
        // Pick up the new state (button gone, MFA flags); if that fails, apply it locally.
        if self.agent.fetch_config(online).await.is_err() {
            if let Some(cfg) = self.agent.config_mut() {
                cfg.managed_users.push(assoc);
                // The device now has a managed user, so nothing may be offered until the
                // control plane says otherwise: on Windows too, where only a multiple-users
                // policy (which the device cannot see offline) would allow more (R30, R03).
                cfg.offer_sign_in = false;
            }
        }
        Ok(name)
    }

    /// Checks a password at a user tile, then what MFA the admin enforces (R45).
    pub fn check_login(&self, account: &str, password: &str) -> LoginCheck {
        let Some(acct) = self.accounts.find(account) else {
            return LoginCheck::WrongPassword;
        };
        if acct.password == LocalSecret::PendingSync {
            return LoginCheck::NotSynced;
        }
        if !acct.password.opens_with(password) {
            return LoginCheck::WrongPassword;
        }
        self.after_password(acct)
    }

    /// Checks a Windows PIN.
    pub fn check_pin(&self, account: &str, pin: &str) -> LoginCheck {
        match self.accounts.find(account) {
            Some(a) if a.pin.as_deref() == Some(pin) => self.after_password(a),
            _ => LoginCheck::WrongPassword,
        }
    }

    /// What follows a correct password or PIN: a disabled account stops here (R63), else the
    /// MFA the admin enforces (R45), as the control plane last said at check-in.
    fn after_password(&self, acct: &LocalAccount) -> LoginCheck {
        let assoc = acct
            .jumpcloud_user_id
            .as_deref()
            .filter(|_| acct.managed)
            .and_then(|id| self.association(id));
        match assoc {
            Some(a) if a.disabled => LoginCheck::Disabled,
            Some(a) if a.mfa_enforced && a.mfa_enrolled => LoginCheck::MfaPrompt,
            Some(a) if a.mfa_enforced => LoginCheck::MfaNotEnrolled,
            _ => LoginCheck::Ok,
        }
    }

    /// Whether the local account is disabled because the directory no longer lets its user log
    /// in, as of the last check-in (R63).
    pub fn account_disabled(&self, name: &str) -> bool {
        self.accounts.find(name).is_some_and(|acct| {
            acct.managed
                && acct
                    .jumpcloud_user_id
                    .as_deref()
                    .and_then(|id| self.association(id))
                    .is_some_and(|a| a.disabled)
        })
    }
}
