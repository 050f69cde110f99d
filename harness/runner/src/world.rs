//! The World of one scenario: its own org on the control plane, its directory users, its
//! simulated devices, and what the report needs (screens after each step, HTTP exchanges).

use std::fmt;
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use cucumber::gherkin;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::rngs::StdRng;
use fake::rand::SeedableRng;
use fake::Fake;
use ssap_api::{AdminClient, ExchangeLog, Http, NewUser, OperatorClient, User};
use ssap_endpoint::{DeviceSpec, Endpoint, LocalAccount};
use ssap_reports::Screen;

use crate::context::{self, RunContext};
use crate::gherkin_paths::ScenarioKey;
use crate::journal::Deposit;

/// The scenario's org: its admin client and the key its agents register with.
#[derive(Debug, Clone)]
pub struct Org {
    /// The org's id.
    pub id: String,
    /// The org's admin.
    pub admin: AdminClient,
    /// What the scenario's agents register with.
    pub connect_key: String,
}

/// A directory user the scenario created, with the password it gave them.
#[derive(Debug, Clone)]
pub struct Person {
    /// How steps name the user ("Holly Flax").
    pub name: String,
    /// The user as the control plane returned it.
    pub user: User,
    /// Their directory password, if they have one.
    pub password: Option<String>,
    /// The TOTP secret the User Portal issued at MFA enrolment (R45): the user's authenticator.
    pub mfa_secret: Option<String>,
    /// The last code the user typed from it, so a scenario can replay it.
    pub last_mfa_code: Option<String>,
}

/// A simulated device of the scenario.
pub struct Machine {
    /// How steps and reports name it ("macOS mac-01").
    pub label: String,
    /// The simulated endpoint.
    pub endpoint: Endpoint,
    last_screen: String,
    /// Wi-Fi networks a step took out of range, kept to bring them back as they were.
    pub out_of_range: Vec<ssap_endpoint::WifiNetwork>,
}

/// One of two sign-in attempts compared for R62.
#[derive(Debug, Clone)]
pub struct ComparedAttempt {
    /// The user or email it named.
    pub who: String,
    /// What the screen said, the email replaced by `<email>`.
    pub said: String,
    /// Password checks the control plane counted for it, or why none could be read.
    pub password_checks: Result<u64, String>,
}

/// What the over-the-API steps of one scenario played (`steps::api`): the org they play in
/// and every action with its answer.
pub struct ApiWalk {
    /// This run's control plane, in an org of these steps' own.
    pub target: ssap_explore::Target,
    /// The actions played so far, with their answers.
    pub played: Vec<(ssap_explore::Action, ssap_explore::Observation)>,
}

/// The World: one per scenario, dropped at its end.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct SsapWorld {
    ctx: Option<Arc<RunContext>>,
    key: Option<ScenarioKey>,
    /// Fake data of this scenario, seeded from the run seed and the scenario's place.
    pub rng: StdRng,
    exchanges: ExchangeLog,
    org: Option<Org>,
    /// Directory users of the scenario, in creation order.
    pub people: Vec<Person>,
    /// Devices of the scenario, in creation order.
    pub machines: Vec<Machine>,
    /// Index into `machines` of the device steps talk about.
    pub current: usize,
    screens: Vec<(usize, Screen)>,
    log: String,
    /// In a shared org: five characters put into this scenario's names, and the names
    /// (usernames, system usernames) that get it.
    name_tag: String,
    names: Vec<String>,
    /// A second tenant, created only by isolation scenarios.
    other_org: Option<Org>,
    /// Users of the second tenant, by name.
    pub other_people: Vec<Person>,
    /// Local accounts the scenario put on devices, as they were, to prove they stay untouched.
    locals: Vec<LocalAccount>,
    /// The scenario's own mock control plane (mock mode), or fault proxy in front of the
    /// run's control plane (in the other modes, for a scenario tagged `@faults` or using a
    /// fault step); started by `org()`.
    control: Option<Arc<ssap_mock::MockControlPlane>>,
    /// Tags of the feature, rule and scenario (`@faults`, ...).
    tags: Vec<String>,
    /// Whether a step of the scenario (its backgrounds included) scripts the control plane.
    uses_fault_steps: bool,
    /// The scenario's own mock identity provider (R46), started only by a federation step
    /// and dropped (stopped) with the World.
    idp: Option<ssap_mock::MockIdp>,
    /// The screens two sign-in attempts ended at (R62), for `both attempts end at the same
    /// screen` and the work each cost.
    pub compared_attempts: Option<[ComparedAttempt; 2]>,
    /// The actions the over-the-API steps played and their answers, with the org they play
    /// in (see `steps::api`).
    pub api_walk: Option<ApiWalk>,
}

/// Client timeout of `@faults` scenarios behind the fault proxy: short, so that replies later
/// than it stay fast, yet ample for a real server on loopback.
pub const FAULT_PROXY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(300);

impl fmt::Debug for SsapWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsapWorld")
            .field("scenario", &self.key)
            .field("org", &self.org.as_ref().map(|o| &o.id))
            .field(
                "people",
                &self.people.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .field(
                "devices",
                &self.machines.iter().map(|m| &m.label).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl SsapWorld {
    fn new() -> Self {
        Self {
            ctx: context::current(),
            key: None,
            rng: StdRng::seed_from_u64(0),
            exchanges: ExchangeLog::default(),
            org: None,
            people: Vec::new(),
            machines: Vec::new(),
            current: 0,
            screens: Vec::new(),
            log: String::new(),
            locals: Vec::new(),
            compared_attempts: None,
            api_walk: None,
            control: None,
            tags: Vec::new(),
            uses_fault_steps: false,
            idp: None,
            other_org: None,
            name_tag: String::new(),
            names: Vec::new(),
            other_people: Vec::new(),
        }
    }

    /// Called before the first step: ties the World to its scenario and seeds its data.
    pub fn begin(&mut self, key: ScenarioKey) {
        let seed = self.ctx.as_ref().map(|c| c.seed).unwrap_or(0);
        let mut h: u64 = seed ^ 0x9e3779b97f4a7c15;
        for b in key.uri.bytes().chain(key.line.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        self.rng = StdRng::seed_from_u64(h);
        self.note(format!("seed {seed} (scenario data seed {h:#x})"));
        self.key = Some(key);
    }

    /// Called after the last step: hands screens, exchanges and the log to the collector.
    pub async fn finish(&mut self) {
        let (Some(ctx), Some(key)) = (&self.ctx, &self.key) else {
            return;
        };
        ctx.journal.deposit(
            key.clone(),
            Deposit {
                screens: std::mem::take(&mut self.screens),
                exchanges: self.exchanges.snapshot(),
                log: std::mem::take(&mut self.log),
            },
        );
    }

    /// Appends a line to the scenario's log (shown in the reports).
    pub fn note(&mut self, line: impl AsRef<str>) {
        self.log.push_str(line.as_ref());
        self.log.push('\n');
    }

    fn ctx(&self) -> anyhow::Result<&Arc<RunContext>> {
        self.ctx.as_ref().ok_or_else(|| {
            anyhow!("no run context: scenarios must be started by `ssap-harness run`")
        })
    }

    /// An HTTP connection to the control plane that records this scenario's exchanges.
    pub fn http(&self) -> anyhow::Result<Http> {
        let ctx = self.ctx()?;
        let base = match &self.control {
            Some(c) => c.url(),
            None if self.wants_own_control_plane() => {
                return Err(anyhow!(
                    "the scenario's own control plane is not started yet: call org() first"
                ))
            }
            None => ctx.base_url.clone(),
        };
        Ok(Http::new(&base, self.http_timeout())
            .context("building the HTTP client")?
            .with_log(self.exchanges.clone()))
    }

    /// Called before the first step with every tag that applies to the scenario.
    pub fn set_tags(&mut self, tags: Vec<String>) {
        self.tags = tags;
    }

    /// Called before the first step: whether a step of the scenario scripts the control
    /// plane, so that it gets a fault proxy without the `@faults` tag.
    pub fn set_uses_fault_steps(&mut self, uses: bool) {
        self.uses_fault_steps = uses;
    }

    /// Whether the scenario carries `tag` (its feature's and rule's tags included).
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Mock mode, or a scenario tagged `@faults` or using a fault step (which goes through a
    /// fault proxy in the other modes).
    fn wants_own_control_plane(&self) -> bool {
        self.ctx.as_ref().is_some_and(|c| c.mock.is_some())
            || self.has_tag("faults")
            || self.uses_fault_steps
    }

    /// The client timeout of this scenario's calls.
    pub fn http_timeout(&self) -> std::time::Duration {
        let t = self
            .ctx
            .as_ref()
            .map(|c| c.http_timeout)
            .unwrap_or(FAULT_PROXY_TIMEOUT);
        if self.control.is_some() {
            t.min(FAULT_PROXY_TIMEOUT)
        } else {
            t
        }
    }

    /// The scenario's mock control plane or fault proxy, where fault steps add stubs.
    pub fn control_plane(&self) -> Option<&Arc<ssap_mock::MockControlPlane>> {
        self.control.as_ref()
    }

    /// Starts the scenario's own mock (mock mode) or fault proxy (fault steps or `@faults`), once.
    async fn ensure_control_plane(&mut self) -> anyhow::Result<()> {
        if self.control.is_some() || !self.wants_own_control_plane() {
            return Ok(());
        }
        let ctx = self.ctx()?.clone();
        let started = match &ctx.mock {
            Some(stubs) => {
                ssap_mock::MockControlPlane::start_with(stubs, Some(ctx.scripts.clone())).await?
            }
            None => {
                ssap_mock::MockControlPlane::proxy(&ctx.base_url, Some(ctx.scripts.clone())).await?
            }
        };
        self.note(format!(
            "{} at {}",
            if ctx.mock.is_some() {
                "mock control plane"
            } else {
                "fault proxy"
            },
            started.url()
        ));
        self.control = Some(Arc::new(started));
        Ok(())
    }

    /// A fresh org of this scenario's control plane, apart from the scenario's own, for the
    /// over-the-API steps: they name users and devices by number (`user2`, `device0`) and
    /// compare whole answers, so they play in an org nothing else touches.
    pub async fn api_target(&mut self) -> anyhow::Result<ssap_explore::Target> {
        self.ensure_control_plane().await?;
        if self.ctx()?.shared_org.is_some() {
            return Err(anyhow!(
                "the over-the-API steps create an org of their own, which needs the operator \
                 token (SSAP_OPERATOR_TOKEN); a staging account's one org cannot give one"
            ));
        }
        let token = self.operator_token()?;
        let http = self.http()?;
        // A scenario registers the devices it names: no cap.
        Ok(ssap_explore::Target::new_org(&http, &token)
            .await
            .context("creating an org for the over-the-API steps")?
            .with_max_devices(255))
    }

    /// Whether this run's control plane is the mock's model (`--control-plane mock`).
    pub fn mock_mode(&self) -> bool {
        self.ctx.as_ref().is_some_and(|c| c.mock.is_some())
    }

    /// The operator token for this scenario's control plane.
    fn operator_token(&self) -> anyhow::Result<String> {
        if let Some(t) = self.control.as_ref().and_then(|c| c.operator_token()) {
            return Ok(t.to_string());
        }
        Ok(self.ctx()?.operator_token.clone())
    }

    /// The scenario's org, created on first use so every scenario is isolated.
    pub async fn org(&mut self) -> anyhow::Result<Org> {
        if let Some(org) = &self.org {
            return Ok(org.clone());
        }
        self.ensure_control_plane().await?;
        if let Some(shared) = self.ctx()?.shared_org.clone() {
            return self.shared_org(shared).await;
        }
        let token = self.operator_token()?;
        let http = self.http()?;
        let name = match &self.key {
            Some(k) => format!("{}:{}", k.uri, k.line),
            None => "scenario".to_string(),
        };
        let created = OperatorClient::new(http.clone(), token)
            .create_org(&name)
            .await
            .context("creating the scenario's org")?;
        self.note(format!("org {} ({name})", created.org_id));
        let org = Org {
            id: created.org_id,
            admin: AdminClient::new(http, created.api_key),
            connect_key: created.connect_key,
        };
        self.org = Some(org.clone());
        Ok(org)
    }

    /// The one org of a staging account: reset to the default settings, because earlier
    /// scenarios (which ran alone, see `run`) may have changed them.
    async fn shared_org(&mut self, shared: crate::context::SharedOrg) -> anyhow::Result<Org> {
        let http = self.http()?;
        let admin = AdminClient::new(http, shared.api_key);
        let d = ssap_api::OrgSettings::default();
        admin
            .update_settings(&ssap_api::OrgSettingsPatch {
                macos_ssap: Some(d.macos_ssap),
                windows_ssap: Some(d.windows_ssap),
                permission_level: Some(d.permission_level),
                password_sync: Some(d.password_sync),
            })
            .await
            .context("resetting the shared org to the default settings")?;
        // A federation scenario's identity provider (R46) is gone with its World. Older
        // control planes have no such route, hence the error is not the scenario's concern.
        if let Err(e) = admin.clear_identity_provider().await {
            self.note(format!("identity provider not cleared: {e}"));
        }
        let mut h = shared.run_nonce;
        if let Some(k) = &self.key {
            for b in k.uri.bytes().chain(k.line.to_le_bytes()) {
                h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
            }
        }
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
        self.name_tag = (0..5)
            .map(|i| ALPHABET[((h >> (i * 5)) & 31) as usize] as char)
            .collect();
        self.note(format!(
            "shared org; names made unique with \"{}\" after their first letter",
            self.name_tag
        ));
        let org = Org {
            id: "shared".into(),
            admin,
            connect_key: shared.connect_key,
        };
        self.org = Some(org.clone());
        Ok(org)
    }

    /// The name a scenario's username (or a local account named like one) really has: the
    /// same in an org of its own; in a shared org the scenario's tag goes after the first
    /// letter, which keeps what the naming rules check (length limits grow by five, first
    /// character, trailing period, case) and keeps case-insensitive matches matching.
    pub fn real_name(&self, name: &str) -> String {
        if self.name_tag.is_empty() || !self.names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return name.to_string();
        }
        tagged(name, &self.name_tag)
    }

    /// Makes `name` one that [`Self::real_name`] translates from now on.
    fn register_name(&mut self, name: &str) -> String {
        if !self.name_tag.is_empty() && !name.is_empty() {
            self.names.push(name.to_string());
        }
        self.real_name(name)
    }

    /// An email whose local part is a registered name, translated the same way.
    pub fn real_email(&self, email: &str) -> String {
        match email.split_once('@') {
            Some((local, domain)) if !self.name_tag.is_empty() => {
                format!("{}@{domain}", tagged(local, &self.name_tag))
            }
            _ => email.to_string(),
        }
    }

    /// Registers a system username (translated like usernames).
    pub fn system_name(&mut self, name: &str) -> String {
        self.register_name(name)
    }

    /// The org's admin client (creating the org first if needed).
    pub async fn admin(&mut self) -> anyhow::Result<AdminClient> {
        Ok(self.org().await?.admin)
    }

    /// Creates a directory user; `name` is how steps refer to them.
    pub async fn add_person(&mut self, name: &str, mut new: NewUser) -> anyhow::Result<&Person> {
        if self.people.iter().any(|p| p.name == name) {
            return Err(anyhow!("the scenario already has a user named {name:?}"));
        }
        let admin = self.admin().await?;
        new.username = self.register_name(&new.username);
        new.email = self.real_email(&new.email);
        let password = new.password.clone();
        let user = admin
            .create_user(&new)
            .await
            .with_context(|| format!("creating directory user {name:?}"))?;
        self.note(format!("user {name}: {} <{}>", user.username, user.email));
        self.people.push(Person {
            name: name.to_string(),
            user,
            password,
            mfa_secret: None,
            last_mfa_code: None,
        });
        self.people
            .last()
            .ok_or_else(|| anyhow!("user list empty after insert"))
    }

    /// The user steps call `name`: this org's, else one `another org has a directory user` made.
    pub fn person(&self, name: &str) -> anyhow::Result<&Person> {
        self.people
            .iter()
            .chain(&self.other_people)
            .find(|p| p.name == name)
            .ok_or_else(|| {
                anyhow!(
                    "no user named {name:?} in this scenario; known: {}",
                    known_names(self.people.iter().chain(&self.other_people))
                )
            })
    }

    /// The user steps call `name`, to change.
    pub fn person_mut(&mut self, name: &str) -> anyhow::Result<&mut Person> {
        let known = known_names(self.people.iter());
        self.people
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| anyhow!("no user named {name:?} in this scenario's org; known: {known}"))
    }

    /// Builds a device from `spec` and powers it on (first boot registers it).
    pub async fn add_machine(&mut self, spec: DeviceSpec) -> anyhow::Result<()> {
        let org = self.org().await?;
        let http = self.http()?;
        let label = format!("{} {}", spec.os, spec.hostname);
        let mut endpoint = Endpoint::new(spec, http, org.connect_key.clone());
        endpoint
            .power_on()
            .await
            .with_context(|| format!("powering on {label}"))?;
        self.note(format!(
            "device {label}: {}",
            endpoint.device_id().unwrap_or("unregistered")
        ));
        self.machines.push(Machine {
            label,
            endpoint,
            last_screen: String::new(),
            out_of_range: Vec::new(),
        });
        self.current = self.machines.len() - 1;
        Ok(())
    }

    /// The device steps talk about.
    pub fn machine(&self) -> anyhow::Result<&Machine> {
        self.machines.get(self.current).ok_or_else(|| {
            anyhow!(
                "no device yet: start with a step like `Given a macOS device at the login window`"
            )
        })
    }

    /// The device steps talk about, to change.
    pub fn machine_mut(&mut self) -> anyhow::Result<&mut Machine> {
        self.machines.get_mut(self.current).ok_or_else(|| {
            anyhow!(
                "no device yet: start with a step like `Given a macOS device at the login window`"
            )
        })
    }

    /// The endpoint of the device steps talk about.
    pub fn device(&self) -> anyhow::Result<&Endpoint> {
        Ok(&self.machine()?.endpoint)
    }

    /// The endpoint of the device steps talk about, to change.
    pub fn device_mut(&mut self) -> anyhow::Result<&mut Endpoint> {
        Ok(&mut self.machine_mut()?.endpoint)
    }

    /// The control-plane id of the device steps talk about; an error before it registered.
    pub fn device_id(&self) -> anyhow::Result<String> {
        self.device()?
            .device_id()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("the device has not registered with the control plane"))
    }

    /// Records the screens of all devices that changed since the last record, against `step`.
    pub fn snap(&mut self, step: &gherkin::Step) {
        for m in &mut self.machines {
            let screen = m.endpoint.screen();
            let text = screen.render_text();
            if text != m.last_screen {
                self.screens.push((
                    step.position.line,
                    Screen {
                        device: m.label.clone(),
                        svg: screen.render_svg(),
                        text: text.clone(),
                    },
                ));
                m.last_screen = text;
            }
        }
    }

    /// Keeps a copy of a local account the scenario created.
    pub fn remember_local(&mut self, account: LocalAccount) {
        self.locals.push(account);
    }

    /// The account as the scenario created it.
    pub fn local_before(&self, name: &str) -> Option<&LocalAccount> {
        self.locals.iter().find(|a| a.name == name)
    }

    /// How many local accounts the scenario created.
    pub fn locals_created(&self) -> usize {
        self.locals.len()
    }

    /// A directory user with a seeded fake name, username and password, for scenarios that
    /// need many users (fleets, rollback) and do not care who they are.
    pub async fn add_fake_person(&mut self) -> anyhow::Result<Person> {
        let first: String = FirstName().fake_with_rng(&mut self.rng);
        let last: String = LastName().fake_with_rng(&mut self.rng);
        let n = self.people.len() + 1;
        let ascii = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .flat_map(char::to_lowercase)
                .collect()
        };
        // Initial + last name + index: unique even when the generator repeats a name, and
        // within Windows' 20-character limit (R39) whatever the generator returns, even with
        // the five characters a shared org adds.
        let initial: String = ascii(&first).chars().take(1).collect();
        let mut base = format!("{initial}{}", ascii(&last));
        base.truncate(12);
        let username = format!("{base}{n}");
        let password: String = format!(
            "Pw-{}-{}",
            (100_000u32..999_999).fake_with_rng::<u32, _>(&mut self.rng),
            ascii(&last)
        );
        let name = format!("{first} {last}");
        let new = NewUser {
            email: format!("{username}@example.test"),
            username,
            firstname: first,
            lastname: last,
            password: Some(password),
            ..Default::default()
        };
        Ok(self.add_person(&name, new).await?.clone())
    }

    /// Starts the scenario's mock identity provider (R46) and sets it up as the org's.
    pub async fn start_idp(&mut self, name: &str) -> anyhow::Result<&ssap_mock::MockIdp> {
        if self.idp.is_some() {
            return Err(anyhow!("the scenario already has an identity provider"));
        }
        let idp = ssap_mock::MockIdp::start(name).await;
        self.admin()
            .await?
            .set_identity_provider(&idp.config())
            .await
            .with_context(|| format!("setting up {name:?} as the org's identity provider"))?;
        self.note(format!(
            "identity provider {name} at {} (client {})",
            idp.issuer(),
            idp.client_id()
        ));
        Ok(self.idp.insert(idp))
    }

    /// The scenario's mock identity provider.
    pub fn idp(&self) -> anyhow::Result<&ssap_mock::MockIdp> {
        self.idp.as_ref().ok_or_else(|| {
            anyhow!(
                "no identity provider yet: start with `Given the org federates sign-in to a mock identity provider \"Okta\"`"
            )
        })
    }

    /// A second org with its own admin, for isolation checks (R61).
    pub async fn other_org(&mut self) -> anyhow::Result<Org> {
        if let Some(org) = &self.other_org {
            return Ok(org.clone());
        }
        self.ensure_control_plane().await?;
        if self.ctx()?.shared_org.is_some() {
            return Err(anyhow!(
                "this scenario needs a second org, which one org's keys cannot make: run it with \
                 SSAP_OPERATOR_TOKEN, or leave it out with --tags 'not @R61'"
            ));
        }
        let token = self.operator_token()?;
        let http = self.http()?;
        let created = OperatorClient::new(http.clone(), token)
            .create_org("other org")
            .await
            .context("creating the other org")?;
        self.note(format!("other org {}", created.org_id));
        let org = Org {
            id: created.org_id,
            admin: AdminClient::new(http, created.api_key),
            connect_key: created.connect_key,
        };
        self.other_org = Some(org.clone());
        Ok(org)
    }
}

/// `name` with `tag` after its first character.
fn tagged(name: &str, tag: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{tag}{}", chars.as_str()),
        None => name.to_string(),
    }
}

/// The names steps may use, for an error message: "(none)" when a scenario made no user.
fn known_names<'a>(people: impl Iterator<Item = &'a Person>) -> String {
    let names: Vec<&str> = people.map(|p| p.name.as_str()).collect();
    if names.is_empty() {
        "(none: a `Given a directory user ...` step makes one)".to_string()
    } else {
        names.join(", ")
    }
}
