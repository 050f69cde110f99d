//! The macOS login window (R10-R17, R20, R21, R39, R43, R45).
//!
//! Which window shows (stock or JumpCloud) is decided when the window is *presented* (boot,
//! reboot, sign-out) from the SSAP toggle in the configuration fetched then, and never changes
//! mid-session (R10). Refresh pulls association changes (users, badges, the button, the
//! login-window text) but not the window kind.
//!
//! Labels (verbatim, compared ignoring case, spaces and hyphens):
//! - JumpCloud window: buttons `Wireless`, `Refresh`, `Info`, `Sign in with JumpCloud` (only
//!   when offered, R11); tiles by full name (or short name). Stock window: tiles only.
//! - Wireless menu: `Turn Wi-Fi Off`/`Turn Wi-Fi On`, one item per network (its SSID),
//!   `Forget <SSID>` per saved network; join dialog: field `Password`, buttons `Join`, `Cancel`.
//! - Info panel: button `Close` (or `Info` again).
//! - Tile chosen: field `Password`, buttons `Log In`, `Cancel`.
//! - JumpCloud User Login: field `Email`, buttons `Continue`, `Cancel`; then field `Password`,
//!   buttons `Login`, `Cancel`.
//! - Password sync off: fields `New password`, `Verify password`, buttons `Create Account`, `Cancel`.
//! - Federated users (R46): after `Continue`, the identity provider's page "Sign in to <IdP>":
//!   fields `Username` (pre-filled with the email), `Password`, buttons `Sign In`, `Cancel`.
//!   A federated account's tile offers `Sign in with <IdP>` and `Cancel` instead of a password.
//! - Refusal notice: button `OK`, or `Try Again` and `Cancel` when the request may be re-sent.
//! - MFA: field `Verification code`, buttons `Verify`, `Cancel`.
//! - Setup prompts: button `Continue` on each. Desktop: buttons `Log Out`, `Restart`.

use ssap_api::{AuthenticateResponse, Os};

use crate::accounts::LocalSecret;
use crate::agent::OFFLINE_MESSAGE;
use crate::device::{Device, LoginCheck, PendingProvision};
use crate::login_ui::{
    account_tiles, federated_button, federated_idp, local_password, local_password_screen,
    login_next, mfa_screen, start_federated_login, submit_mfa, Action, Form, LoginNext, Notice,
    NoticeStep, Step, WebPage,
};
use crate::screen::{same_label, Colour, Indicator, InfoPanel, Menu, MenuItem, Screen, ScreenKind};

/// What the login window says when Refresh could not reach the control plane (R14): the
/// window stays as it was.
pub fn refresh_failed_message(why: &crate::agent::Refusal) -> String {
    format!(
        "{}: the list of accounts was not refreshed. Try again later.",
        why.title
    )
}

/// The macOS first-login setup prompts, in order (R20).
pub const SETUP_STEPS: &[&str] = &[
    "Sign In with Your Apple ID",
    "Terms and Conditions",
    "Choose Your Look",
];

#[derive(Debug, Clone)]
enum View {
    Window,
    Password {
        account: String,
    },
    /// JumpCloud User Login, then the identity provider's page for federated users (R46).
    Web(WebPage),
    LocalPassword {
        auth: Box<AuthenticateResponse>,
        name: String,
    },
    Notice(Notice),
    Mfa {
        account: String,
    },
    Setup {
        account: String,
        step: usize,
    },
    Desktop {
        account: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Overlay {
    None,
    Wireless,
    Join { ssid: String },
    Info,
}

/// The login window's state; [`LoginWindow::screen`] turns it into a [`Screen`].
#[derive(Debug, Clone)]
pub struct LoginWindow {
    jumpcloud: bool,
    view: View,
    overlay: Overlay,
    form: Form,
}

impl Default for LoginWindow {
    fn default() -> Self {
        Self::present(false)
    }
}

impl LoginWindow {
    /// A freshly presented window: JumpCloud's when the toggle was on at presentation (R10).
    pub fn present(jumpcloud: bool) -> Self {
        Self {
            jumpcloud,
            view: View::Window,
            overlay: Overlay::None,
            form: Form::default(),
        }
    }

    /// Whether this presentation is the JumpCloud window.
    pub fn is_jumpcloud(&self) -> bool {
        self.jumpcloud
    }

    fn go(&mut self, view: View) {
        self.view = view;
        self.overlay = Overlay::None;
        self.form = match &self.view {
            View::Web(page) => page.opening_form(),
            _ => Form::default(),
        };
    }

    /// What is on screen now.
    pub(crate) fn screen(&self, dev: &Device) -> Screen {
        let mut s = match &self.view {
            View::Window | View::Password { .. } => self.window_screen(dev),
            View::Web(page) => page.screen(Os::Macos, &self.form),
            View::LocalPassword { .. } => local_password_screen(
                Os::Macos,
                &self.form,
                "Create the password you will use to log in to this Mac. Your JumpCloud password will not open this account.",
                "Verify password",
                "Create Account",
            ),
            View::Notice(notice) => notice.screen(Os::Macos),
            View::Mfa { account } => mfa_screen(Os::Macos, dev, account, &self.form),
            View::Setup { step, .. } => {
                let title = SETUP_STEPS.get(*step).copied().unwrap_or("Setup");
                let mut s = Screen::new(Os::Macos, ScreenKind::SetupAssistant, title);
                s.message = Some(format!("Setup step {} of {}", step + 1, SETUP_STEPS.len()));
                s.buttons = vec!["Continue".into()];
                s
            }
            View::Desktop { account } => {
                let mut s = Screen::new(Os::Macos, ScreenKind::Desktop, "macOS desktop");
                s.user = Some(account.clone());
                s.buttons = vec!["Log Out".into(), "Restart".into()];
                s
            }
        };
        if !matches!(self.view, View::Desktop { .. } | View::Setup { .. }) && self.jumpcloud {
            s.indicator = Some(indicator(dev));
        }
        self.form.show_on(&mut s);
        s
    }

    fn window_screen(&self, dev: &Device) -> Screen {
        let (kind, title) = if self.jumpcloud {
            (ScreenKind::MacJumpCloudLoginWindow, "macOS login window")
        } else {
            (ScreenKind::MacStockLoginWindow, "stock macOS login window")
        };
        let mut s = Screen::new(Os::Macos, kind, title);
        let selected = match &self.view {
            View::Password { account } => Some(account.as_str()),
            _ => None,
        };
        s.tiles = account_tiles(dev, selected, self.jumpcloud);
        s.login_window_text = dev
            .agent
            .config()
            .and_then(|c| c.login_window_text.clone())
            .filter(|t| !t.trim().is_empty());
        if let Some(account) = selected {
            match federated_idp(dev, account) {
                Some(idp) => s.buttons = vec![federated_button(&idp), "Cancel".into()],
                None => {
                    s.fields.push(self.form.field("Password", true));
                    s.buttons = vec!["Log In".into(), "Cancel".into()];
                }
            }
            return s;
        }
        if !self.jumpcloud {
            return s;
        }
        s.buttons = vec!["Wireless".into(), "Refresh".into(), "Info".into()];
        if dev.offer_sign_in() {
            s.buttons.push("Sign in with JumpCloud".into());
        }
        match &self.overlay {
            Overlay::None => {}
            Overlay::Wireless => s.menu = Some(wireless_menu(dev)),
            Overlay::Join { ssid } => {
                s.dialog = Some(format!("Join \"{ssid}\""));
                s.message = Some(format!("The Wi-Fi network \"{ssid}\" requires a password."));
                s.fields.push(self.form.field("Password", true));
                s.buttons = vec!["Join".into(), "Cancel".into()];
            }
            Overlay::Info => {
                let sp = &dev.spec;
                s.info_panel = Some(InfoPanel {
                    hostname: sp.hostname.clone(),
                    serial: sp.serial.clone(),
                    mac: sp.mac.clone(),
                    ip: sp.ip.clone(),
                    os_version: sp.os_version.clone(),
                });
                s.buttons.push("Close".into());
            }
        }
        s
    }

    /// The form under the current view, to type into.
    pub(crate) fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    /// Clicks `label`, a button, tile or menu item of `screen` (what is on screen now).
    pub(crate) async fn click(&mut self, dev: &mut Device, label: &str, screen: Screen) -> Action {
        let is = |l: &str| same_label(l, label);
        // Modal join dialog first: only its buttons respond.
        if let Overlay::Join { ssid } = self.overlay.clone() {
            if is("Join") {
                let pw = self.form.input("Password");
                match dev.network.join(&ssid, Some(&pw)) {
                    Ok(()) => {
                        self.overlay = Overlay::None;
                        self.form.inputs.clear();
                        self.form.error = None;
                    }
                    Err(e) => {
                        self.form.inputs.clear();
                        self.form.error = Some(e.to_string());
                    }
                }
            } else {
                self.overlay = Overlay::Wireless;
                self.form.inputs.clear();
                self.form.error = None;
            }
            return Action::None;
        }
        match self.view.clone() {
            View::Window => self.click_window(dev, label, &screen).await,
            View::Password { account } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Action::None;
                }
                if let Some(t) = screen.tile(label) {
                    let acct = t.account.clone().unwrap_or_default();
                    self.go(View::Password { account: acct });
                    return Action::None;
                }
                if let Some(idp) = federated_idp(dev, &account) {
                    if is(&federated_button(&idp)) {
                        let step = start_federated_login(&mut self.form, dev, account).await;
                        self.follow(dev, step).await;
                    }
                    return Action::None;
                }
                let pw = self.form.input("Password");
                self.form.inputs.clear();
                let check = dev.check_login(&account, &pw);
                self.after_check(dev, account, check);
                Action::None
            }
            View::Web(page) => {
                if is("Cancel") {
                    self.go(View::Window);
                } else {
                    let step = page.submit(&mut self.form, dev).await;
                    self.follow(dev, step).await;
                }
                Action::None
            }
            View::LocalPassword { auth, name } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Action::None;
                }
                if let Some(a) = local_password(&mut self.form, "Verify password") {
                    if !dev.online() {
                        self.form.error = Some(OFFLINE_MESSAGE.into());
                    } else {
                        let p = dev.prepare(*auth, &name, LocalSecret::LocalPassword(a), None);
                        self.run_provision(dev, p).await;
                    }
                }
                Action::None
            }
            View::Notice(notice) => {
                match notice.click(&mut self.form, dev, is("Try Again")).await {
                    NoticeStep::Stay => {}
                    NoticeStep::Retry(p) => self.run_provision(dev, *p).await,
                    NoticeStep::Closed { created } => {
                        self.go(View::Window);
                        if created {
                            self.form.message = Some(
                                "Your account is ready. Click your name and enter your password."
                                    .into(),
                            );
                        }
                    }
                }
                Action::None
            }
            View::Mfa { account } => {
                if is("Cancel") {
                    self.go(View::Window);
                } else if submit_mfa(&mut self.form, dev, &account).await {
                    self.finish_login(dev, &account);
                }
                Action::None
            }
            View::Setup { account, step } => {
                if step + 1 >= SETUP_STEPS.len() {
                    if let Some(a) = dev.accounts.find_mut(&account) {
                        a.setup_complete = true;
                    }
                    dev.logged_in = Some(account.clone());
                    self.go(View::Desktop { account });
                } else {
                    self.go(View::Setup {
                        account,
                        step: step + 1,
                    });
                }
                Action::None
            }
            View::Desktop { .. } if is("Restart") => Action::Reboot,
            View::Desktop { .. } => Action::SignOut,
        }
    }

    async fn click_window(&mut self, dev: &mut Device, label: &str, screen: &Screen) -> Action {
        let is = |l: &str| same_label(l, label);
        if is("Wireless") {
            self.overlay = if self.overlay == Overlay::Wireless {
                Overlay::None
            } else {
                Overlay::Wireless
            };
        } else if is("Info") {
            self.overlay = if self.overlay == Overlay::Info {
                Overlay::None
            } else {
                Overlay::Info
            };
        } else if is("Close") {
            self.overlay = Overlay::None;
        } else if is("Refresh") {
            self.overlay = Overlay::None;
            self.form.message = None;
            self.form.error = if !dev.online() {
                Some("You're offline. Connect to the internet to refresh.".into())
            } else {
                match dev.sync().await {
                    Ok(()) => None,
                    Err(e) => Some(refresh_failed_message(&crate::agent::refusal_for(&e))),
                }
            };
        } else if is("Sign in with JumpCloud") {
            if dev.online() {
                self.go(View::Web(WebPage::Email));
            } else {
                self.overlay = Overlay::None;
                self.form.error = Some(OFFLINE_MESSAGE.into());
            }
        } else if let Some(t) = screen.tile(label) {
            let account = t.account.clone().unwrap_or_default();
            self.go(View::Password { account });
        } else if self.overlay == Overlay::Wireless {
            self.click_wireless(dev, label);
        }
        Action::None
    }

    fn click_wireless(&mut self, dev: &mut Device, label: &str) {
        let is = |l: &str| same_label(l, label);
        self.form.error = None;
        if is("Turn Wi-Fi Off") {
            dev.network.set_wifi(false);
            return;
        }
        if is("Turn Wi-Fi On") {
            dev.network.set_wifi(true);
            return;
        }
        let forget = dev
            .network
            .saved()
            .into_iter()
            .find(|s| is(&format!("Forget {s}")))
            .map(str::to_string);
        if let Some(ssid) = forget {
            dev.network.forget(&ssid);
            return;
        }
        let net = dev
            .network
            .scan()
            .into_iter()
            .find(|n| is(&n.ssid))
            .cloned();
        if let Some(net) = net {
            if net.password.is_none() || dev.network.is_saved(&net.ssid) {
                match dev.network.join(&net.ssid, None) {
                    Ok(()) => self.overlay = Overlay::None,
                    Err(_) => {
                        self.overlay = Overlay::Join { ssid: net.ssid };
                    }
                }
            } else {
                self.overlay = Overlay::Join { ssid: net.ssid };
                self.form.inputs.clear();
            }
        }
    }

    /// Follows the web view to its next page, or to the notice, provisioning or login it
    /// leads to.
    async fn follow(&mut self, dev: &mut Device, step: Step) {
        match step {
            Step::Stay => {}
            Step::Open(page) => self.go(View::Web(page)),
            Step::Notice(r) => self.go(View::Notice(r.into())),
            Step::Authenticated { auth, name, secret } if auth.password_sync => {
                let p = dev.prepare(*auth, &name, secret, None);
                self.run_provision(dev, p).await;
            }
            Step::Authenticated { auth, name, .. } => self.go(View::LocalPassword { auth, name }),
            Step::Login {
                check: LoginCheck::WrongPassword | LoginCheck::NotSynced,
                ..
            } => self.form.error = Some("This account cannot be opened.".into()),
            Step::Login { account, check } => self.after_check(dev, account, check),
        }
    }

    /// After a password (or the identity provider) opened `account`: MFA, setup, the desktop,
    /// or why not.
    fn after_check(&mut self, dev: &mut Device, account: String, check: LoginCheck) {
        match login_next(Os::Macos, check, "Incorrect password.") {
            LoginNext::Open => self.finish_login(dev, &account),
            LoginNext::Mfa => self.go(View::Mfa { account }),
            LoginNext::Error(e) => self.form.error = Some(e),
            LoginNext::Notice(n) => self.go(View::Notice(n)),
        }
    }

    async fn run_provision(&mut self, dev: &mut Device, p: PendingProvision) {
        match dev.provision(&p).await {
            Ok(_) => {
                self.go(View::Window);
                self.form.message = Some(match &p.secret {
                    LocalSecret::Federated { idp, .. } => {
                        format!("Your account is ready. Click your name and sign in with {idp}.")
                    }
                    _ => "Your account is ready. Click your name and enter your password.".into(),
                });
            }
            Err(r) => self.go(View::Notice(Notice::failed(r, p))),
        }
    }

    fn finish_login(&mut self, dev: &mut Device, account: &str) {
        let setup_done = dev
            .accounts
            .find(account)
            .map(|a| a.setup_complete)
            .unwrap_or(true);
        if setup_done {
            dev.logged_in = Some(account.to_string());
            self.go(View::Desktop {
                account: account.to_string(),
            });
        } else {
            self.go(View::Setup {
                account: account.to_string(),
                step: 0,
            });
        }
    }
}

/// The connectivity indicator: a Wi-Fi glyph, green when the internet answers (R13).
pub(crate) fn indicator(dev: &Device) -> Indicator {
    let online = dev.online();
    Indicator {
        kind: "Wi-Fi".into(),
        colour: if online { Colour::Green } else { Colour::Red },
        label: if online { "Online" } else { "Offline" }.into(),
    }
}

fn wireless_menu(dev: &Device) -> Menu {
    let net = &dev.network;
    let mut items = vec![MenuItem {
        label: if net.wifi_on() {
            "Turn Wi-Fi Off"
        } else {
            "Turn Wi-Fi On"
        }
        .into(),
        checked: false,
        detail: String::new(),
    }];
    for n in net.scan() {
        let mut detail = vec![if n.password.is_some() {
            "secured"
        } else {
            "open"
        }];
        if net.is_saved(&n.ssid) {
            detail.push("saved");
        }
        items.push(MenuItem {
            label: n.ssid.clone(),
            checked: net.joined() == Some(n.ssid.as_str()),
            detail: detail.join(", "),
        });
    }
    for s in net.saved() {
        items.push(MenuItem {
            label: format!("Forget {s}"),
            checked: false,
            detail: String::new(),
        });
    }
    Menu {
        title: "Wireless".into(),
        items,
    }
}
