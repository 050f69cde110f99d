//! The facade the step library drives: one simulated device, its screen, its local accounts,
//! its network and its clock. Every control-plane call goes through the agent over real HTTP.

use ssap_api::{Http, LoginWindowConfig, Os};

use crate::accounts::{AccountError, LocalAccount, LocalAccountStore};
use crate::agent::{Agent, CallError};
use crate::clock::VirtualClock;
use crate::device::Device;
pub use crate::device::DeviceSpec;
use crate::login_ui::Action;
use crate::macos::LoginWindow;
use crate::network::Network;
use crate::screen::{Screen, ScreenKind, UiError};
use crate::windows::CredentialProvider;

/// Why a device-level action failed (UI failures are [`UiError`]; refusals show on screen).
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// Asked to act on a device that is off.
    #[error("the device is powered off; power it on first")]
    PoweredOff,
    /// The first boot could not register the device (control plane down or refusing while
    /// the internet is up). The login window is still presented, without JumpCloud.
    #[error("the agent could not register the device: {0}")]
    Registration(CallError),
    /// A check-in (or presentation) could not reach the control plane.
    #[error("the agent could not check in: {0}")]
    CheckIn(CallError),
}

#[derive(Debug)]
enum Ui {
    Mac(LoginWindow),
    Win(CredentialProvider),
}

/// One simulated endpoint.
#[derive(Debug)]
pub struct Endpoint {
    dev: Device,
    ui: Ui,
}

impl Endpoint {
    /// A powered-off device of `spec`, whose agent will register with `connect_key` through
    /// `http` on first boot.
    pub fn new(spec: DeviceSpec, http: Http, connect_key: String) -> Self {
        let os = spec.os;
        let network = match os {
            Os::Macos => Network::macos_default(),
            Os::Windows => Network::windows_default(),
        };
        let ui = match os {
            Os::Macos => Ui::Mac(LoginWindow::default()),
            Os::Windows => Ui::Win(CredentialProvider::default()),
        };
        Self {
            dev: Device {
                spec,
                clock: VirtualClock::new(),
                accounts: LocalAccountStore::new(os),
                network,
                agent: Agent::new(http, connect_key),
                logged_in: None,
                powered: false,
                last_federation: None,
            },
            ui,
        }
    }

    /// Boots: joins saved Wi-Fi, registers the device on first boot (if online), fetches the
    /// configuration and presents the login screen. Offline, it presents from the last
    /// configuration (the stock window if there never was one) and returns Ok.
    pub async fn power_on(&mut self) -> Result<(), EndpointError> {
        if self.dev.powered {
            return Ok(());
        }
        self.dev.powered = true;
        self.dev.network.auto_join();
        let online = self.dev.online();
        let facts = self.dev.facts();
        let reg = self.dev.agent.ensure_registered(online, &facts).await;
        self.present().await;
        match reg {
            Err(e @ CallError::Api(_)) => Err(EndpointError::Registration(e)),
            _ => Ok(()),
        }
    }

    /// Powers off (nothing is lost; the agent keeps its registration and last configuration).
    pub fn power_off(&mut self) {
        self.dev.powered = false;
        self.dev.logged_in = None;
        self.dev.network.disconnect();
    }

    /// Restarts: logs everyone out, drops and auto-joins Wi-Fi with nobody logged in (R12), and
    /// presents a fresh login screen with the current configuration (R10, R50).
    pub async fn reboot(&mut self) -> Result<(), EndpointError> {
        self.require_power()?;
        self.dev.network.disconnect();
        self.dev.network.auto_join();
        self.present().await;
        Ok(())
    }

    /// Signs the current user out and presents a fresh login screen (R10).
    pub async fn sign_out(&mut self) -> Result<(), EndpointError> {
        self.require_power()?;
        self.present().await;
        Ok(())
    }

    /// The agent's periodic check-in: pulls the configuration and applies admin binds and
    /// unbinds to local accounts, without re-presenting the screen (the window kind stays).
    pub async fn agent_check_in(&mut self) -> Result<(), EndpointError> {
        self.require_power()?;
        self.dev.sync().await.map_err(EndpointError::CheckIn)
    }

    async fn present(&mut self) {
        self.dev.logged_in = None;
        if self.dev.online() {
            // Unreachable control plane: present from the last configuration.
            let _ = self.dev.sync().await;
        }
        let ssap = self.dev.agent.config().is_some_and(|c| c.ssap_enabled);
        self.ui = match self.dev.os() {
            Os::Macos => Ui::Mac(LoginWindow::present(ssap)),
            Os::Windows => Ui::Win(CredentialProvider::present(ssap)),
        };
    }

    fn require_power(&self) -> Result<(), EndpointError> {
        if self.dev.powered {
            Ok(())
        } else {
            Err(EndpointError::PoweredOff)
        }
    }

    /// Which OS the device runs.
    pub fn os(&self) -> Os {
        self.dev.os()
    }

    /// The control plane's id for this device, once registered.
    pub fn device_id(&self) -> Option<&str> {
        self.dev.agent.device_id()
    }

    /// The device's hardware and OS facts.
    pub fn spec(&self) -> &DeviceSpec {
        &self.dev.spec
    }

    /// The device's local accounts, to check what provisioning created.
    pub fn accounts(&self) -> &LocalAccountStore {
        &self.dev.accounts
    }

    /// The local accounts, to arrange a scenario's starting state.
    pub fn accounts_mut(&mut self) -> &mut LocalAccountStore {
        &mut self.dev.accounts
    }

    /// Whether the managed account is disabled because the directory no longer lets its user
    /// log in, as of the agent's last check-in (R63). The account itself is kept.
    pub fn account_disabled(&self, name: &str) -> bool {
        self.dev.account_disabled(name)
    }

    /// Adds a local-only account, as someone at the device would (for collision scenarios).
    pub fn add_local_account(
        &mut self,
        name: &str,
        full_name: &str,
        password: &str,
        admin: bool,
    ) -> Result<(), AccountError> {
        let os = self.os();
        self.dev
            .accounts
            .add(LocalAccount::local(name, full_name, password, admin, os))
    }

    /// Wi-Fi, Ethernet and internet state.
    pub fn network(&self) -> &Network {
        &self.dev.network
    }

    /// Wi-Fi, Ethernet and internet state, to cut or restore connectivity.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.dev.network
    }

    /// The device's virtual clock (no test waits for real time).
    pub fn clock(&self) -> &VirtualClock {
        &self.dev.clock
    }

    /// The last answer an identity provider redirected this device back with (R46), so a
    /// test can replay it to the control plane.
    pub fn last_federation(&self) -> Option<&ssap_api::FederatedSignIn> {
        self.dev.last_federation.as_ref()
    }

    /// The agent (registration, last configuration, undelivered reports).
    pub fn agent(&self) -> &Agent {
        &self.dev.agent
    }

    /// The configuration the agent last fetched.
    pub fn config(&self) -> Option<&LoginWindowConfig> {
        self.dev.agent.config()
    }

    /// Whether the internet is reachable from the device (what the indicator shows, R13).
    pub fn online(&self) -> bool {
        self.dev.online()
    }

    /// Whether this presentation is the JumpCloud window (macOS) / has the JumpCloud
    /// credential provider active (Windows), i.e. the toggle was on when it was presented.
    pub fn jumpcloud_presented(&self) -> bool {
        match &self.ui {
            Ui::Mac(w) => w.is_jumpcloud(),
            Ui::Win(c) => c.is_jumpcloud(),
        }
    }

    /// What is on screen now.
    pub fn screen(&self) -> Screen {
        if !self.dev.powered {
            return Screen::new(self.os(), ScreenKind::PoweredOff, "powered off");
        }
        match &self.ui {
            Ui::Mac(w) => w.screen(&self.dev),
            Ui::Win(c) => c.screen(&self.dev),
        }
    }

    /// Clicks any visible button, tile or menu item by its label (case, spaces and hyphens
    /// ignored). Refusals are not errors: they show on screen.
    pub async fn click(&mut self, label: &str) -> Result<(), UiError> {
        if !self.dev.powered {
            return Err(UiError::PoweredOff);
        }
        let screen = self.screen();
        if !screen.has_button(label) {
            return Err(UiError::no_control(&screen, label));
        }
        let action = match &mut self.ui {
            Ui::Mac(w) => w.click(&mut self.dev, label, screen).await,
            Ui::Win(c) => c.click(&mut self.dev, label, screen).await,
        };
        match action {
            Action::None => {}
            Action::SignOut => self.present().await,
            Action::Reboot => {
                self.dev.network.disconnect();
                self.dev.network.auto_join();
                self.present().await;
            }
        }
        Ok(())
    }

    /// Types into a visible field by its label ("Email", "Password", "PIN", ...).
    pub fn type_into(&mut self, field: &str, text: &str) -> Result<(), UiError> {
        if !self.dev.powered {
            return Err(UiError::PoweredOff);
        }
        let screen = self.screen();
        let form = match &mut self.ui {
            Ui::Mac(w) => w.form_mut(),
            Ui::Win(c) => c.form_mut(),
        };
        form.type_into(&screen, field, text)
    }

    /// The local account name of whoever is logged in.
    pub fn logged_in_user(&self) -> Option<&str> {
        self.dev.logged_in.as_deref()
    }
}
