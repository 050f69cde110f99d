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

use ssap_api::{AuthenticateResponse, Os, SignInPurpose};

use crate::accounts::LocalSecret;
use crate::agent::{IdpOutcome, Refusal, OFFLINE_MESSAGE};
use crate::device::{
    federated_button, idp_screen, mfa_refusal, Device, FedStart, LoginCheck, PendingProvision,
    DISABLED_MESSAGE, MFA_ENROL_MESSAGE,
};
use crate::screen::{
    mask, same_label, Colour, Field, Indicator, InfoPanel, Menu, MenuItem, Screen, ScreenKind,
    Tile, UiError,
};

/// The macOS first-login setup prompts, in order (R20).
pub const SETUP_STEPS: &[&str] = &[
    "Sign In with Your Apple ID",
    "Terms and Conditions",
    "Choose Your Look",
];

/// What the endpoint must do after a click that leaves the login window's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    None,
    SignOut,
    Reboot,
}

#[derive(Debug, Clone)]
enum View {
    Window,
    Password {
        account: String,
    },
    Email,
    DirectoryPassword {
        email: String,
    },
    /// The identity provider's page (R46), to provision or to log in to `start.account`.
    IdpSignIn {
        start: Box<FedStart>,
    },
    LocalPassword {
        auth: Box<AuthenticateResponse>,
        name: String,
    },
    Notice {
        title: String,
        message: String,
        retry: Option<Box<PendingProvision>>,
    },
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
    inputs: Vec<(String, String)>,
    error: Option<String>,
    message: Option<String>,
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
            inputs: Vec::new(),
            error: None,
            message: None,
        }
    }

    /// Whether this presentation is the JumpCloud window.
    pub fn is_jumpcloud(&self) -> bool {
        self.jumpcloud
    }

    fn go(&mut self, view: View) {
        self.view = view;
        self.overlay = Overlay::None;
        self.inputs.clear();
        self.error = None;
        self.message = None;
    }

    fn input(&self, label: &str) -> String {
        self.inputs
            .iter()
            .find(|(l, _)| same_label(l, label))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn field(&self, label: &str, secret: bool) -> Field {
        let v = self.input(label);
        Field {
            label: label.to_string(),
            shown: if secret { mask(&v) } else { v },
            secret,
        }
    }

    /// What is on screen now.
    pub(crate) fn screen(&self, dev: &Device) -> Screen {
        let mut s = match &self.view {
            View::Window | View::Password { .. } => self.window_screen(dev),
            View::Email => {
                let mut s = Screen::new(
                    Os::Macos,
                    ScreenKind::JumpCloudEmail,
                    "JumpCloud User Login",
                );
                s.fields.push(self.field("Email", false));
                s.buttons = vec!["Continue".into(), "Cancel".into()];
                s
            }
            View::DirectoryPassword { email } => {
                let mut s = Screen::new(
                    Os::Macos,
                    ScreenKind::JumpCloudPassword,
                    "JumpCloud User Login",
                );
                s.message = Some(format!("Signing in as {email}"));
                s.fields.push(self.field("Password", true));
                s.buttons = vec!["Login".into(), "Cancel".into()];
                s
            }
            View::IdpSignIn { start } => idp_screen(
                Os::Macos,
                start,
                self.field("Username", false),
                self.field("Password", true),
            ),
            View::LocalPassword { .. } => {
                let mut s = Screen::new(
                    Os::Macos,
                    ScreenKind::CreateLocalPassword,
                    "Create a local password",
                );
                s.message = Some(
                    "Create the password you will use to log in to this Mac. Your JumpCloud password will not open this account."
                        .into(),
                );
                s.fields.push(self.field("New password", true));
                s.fields.push(self.field("Verify password", true));
                s.buttons = vec!["Create Account".into(), "Cancel".into()];
                s
            }
            View::Notice {
                title,
                message,
                retry,
            } => {
                let mut s = Screen::new(Os::Macos, ScreenKind::Notice, title.clone());
                s.error = Some(message.clone());
                s.buttons = if retry.is_some() {
                    vec!["Try Again".into(), "Cancel".into()]
                } else {
                    vec!["OK".into()]
                };
                s
            }
            View::Mfa { account } => {
                let mut s = Screen::new(
                    Os::Macos,
                    ScreenKind::MfaPrompt,
                    "Multi-factor authentication",
                );
                s.message = Some(format!(
                    "{}: enter the 6-digit code from your authenticator app.",
                    full_name(dev, account)
                ));
                s.fields.push(self.field("Verification code", false));
                s.buttons = vec!["Verify".into(), "Cancel".into()];
                s
            }
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
        if self.error.is_some() {
            s.error = self.error.clone();
        }
        if self.message.is_some() {
            s.message = self.message.clone();
        }
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
        s.tiles = dev
            .accounts
            .all()
            .iter()
            .map(|a| Tile {
                label: a.full_name.clone(),
                account: Some(a.name.clone()),
                managed: a.managed && self.jumpcloud,
                selected: selected.is_some_and(|n| n == a.name),
            })
            .collect();
        s.login_window_text = dev
            .agent
            .config()
            .and_then(|c| c.login_window_text.clone())
            .filter(|t| !t.trim().is_empty());
        if let Some(account) = selected {
            match federated_idp(dev, account) {
                Some(idp) => s.buttons = vec![federated_button(&idp), "Cancel".into()],
                None => {
                    s.fields.push(self.field("Password", true));
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
                s.fields.push(self.field("Password", true));
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

    /// Types into a visible field.
    pub(crate) fn type_into(
        &mut self,
        dev: &Device,
        field: &str,
        text: &str,
    ) -> Result<(), UiError> {
        let screen = self.screen(dev);
        let Some(f) = screen.fields.iter().find(|f| same_label(&f.label, field)) else {
            return Err(UiError::no_field(&screen, field));
        };
        let label = f.label.clone();
        self.inputs.retain(|(l, _)| l != &label);
        self.inputs.push((label, text.to_string()));
        Ok(())
    }

    /// Clicks a visible button, tile or menu item.
    pub(crate) async fn click(&mut self, dev: &mut Device, label: &str) -> Result<Action, UiError> {
        let screen = self.screen(dev);
        if !screen.has_button(label) {
            return Err(UiError::no_control(&screen, label));
        }
        let is = |l: &str| same_label(l, label);
        // Modal join dialog first: only its buttons respond.
        if let Overlay::Join { ssid } = self.overlay.clone() {
            if is("Join") {
                let pw = self.input("Password");
                match dev.network.join(&ssid, Some(&pw)) {
                    Ok(()) => {
                        self.overlay = Overlay::None;
                        self.inputs.clear();
                        self.error = None;
                    }
                    Err(e) => {
                        self.inputs.clear();
                        self.error = Some(e.to_string());
                    }
                }
            } else {
                self.overlay = Overlay::Wireless;
                self.inputs.clear();
                self.error = None;
            }
            return Ok(Action::None);
        }
        match self.view.clone() {
            View::Window => self.click_window(dev, label, &screen).await,
            View::Password { account } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Ok(Action::None);
                }
                if let Some(t) = screen.tile(label) {
                    let acct = t.account.clone().unwrap_or_default();
                    self.go(View::Password { account: acct });
                    return Ok(Action::None);
                }
                if let Some(idp) = federated_idp(dev, &account) {
                    if is(&federated_button(&idp)) {
                        self.start_federated_login(dev, account).await;
                    }
                    return Ok(Action::None);
                }
                let pw = self.input("Password");
                self.inputs.clear();
                match dev.check_login(&account, &pw) {
                    LoginCheck::Ok => self.finish_login(dev, &account),
                    LoginCheck::WrongPassword => self.error = Some("Incorrect password.".into()),
                    LoginCheck::NotSynced => {
                        self.error = Some(
                            "This account's password has not been synced to this Mac yet. Contact your admin."
                                .into(),
                        )
                    }
                    LoginCheck::Disabled => self.error = Some(DISABLED_MESSAGE.into()),
                    LoginCheck::MfaPrompt => self.go(View::Mfa { account }),
                    LoginCheck::MfaNotEnrolled => self.go(View::Notice {
                        title: "MFA enrollment required".into(),
                        message: MFA_ENROL_MESSAGE.into(),
                        retry: None,
                    }),
                }
                Ok(Action::None)
            }
            View::Email => {
                if is("Cancel") {
                    self.go(View::Window);
                } else {
                    let email = self.input("Email").trim().to_string();
                    if email.is_empty() || !email.contains('@') {
                        self.error = Some("Enter your email address.".into());
                    } else {
                        match dev
                            .start_federation(&email, SignInPurpose::Provision, None)
                            .await
                        {
                            Ok(None) => self.go(View::DirectoryPassword { email }),
                            Ok(Some(start)) => self.go_idp(start),
                            Err(r) => self.notice(r, None),
                        }
                    }
                }
                Ok(Action::None)
            }
            View::IdpSignIn { start } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Ok(Action::None);
                }
                self.submit_idp(dev, *start).await;
                Ok(Action::None)
            }
            View::DirectoryPassword { email } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Ok(Action::None);
                }
                let pw = self.input("Password");
                self.inputs.clear();
                if pw.is_empty() {
                    self.error = Some("Enter your password.".into());
                    return Ok(Action::None);
                }
                if !dev.online() {
                    self.error = Some(OFFLINE_MESSAGE.into());
                    return Ok(Action::None);
                }
                match dev.authenticate_and_check(&email, &pw).await {
                    Err(r) if stays_on_password(&r) => self.error = Some(r.message),
                    Err(r) => self.notice(r, None),
                    Ok((auth, name)) => {
                        if auth.password_sync {
                            let p =
                                dev.prepare(auth, &name, LocalSecret::DirectoryPassword(pw), None);
                            self.run_provision(dev, p).await;
                        } else {
                            self.go(View::LocalPassword {
                                auth: Box::new(auth),
                                name,
                            });
                        }
                    }
                }
                Ok(Action::None)
            }
            View::LocalPassword { auth, name } => {
                if is("Cancel") {
                    self.go(View::Window);
                    return Ok(Action::None);
                }
                let (a, b) = (self.input("New password"), self.input("Verify password"));
                self.inputs.clear();
                if a.is_empty() {
                    self.error = Some("Enter a password.".into());
                } else if a != b {
                    self.error = Some("The passwords don't match.".into());
                } else if !dev.online() {
                    self.error = Some(OFFLINE_MESSAGE.into());
                } else {
                    let p = dev.prepare(*auth, &name, LocalSecret::LocalPassword(a), None);
                    self.run_provision(dev, p).await;
                }
                Ok(Action::None)
            }
            View::Notice { retry, .. } => {
                match retry {
                    Some(p) if is("Try Again") => {
                        if dev.online() {
                            self.run_provision(dev, *p).await;
                        } else {
                            self.error = Some(OFFLINE_MESSAGE.into());
                        }
                    }
                    Some(p) => {
                        let created = dev.reconcile(&p).await;
                        self.go(View::Window);
                        if created.is_some() {
                            self.message = Some(
                                "Your account is ready. Click your name and enter your password."
                                    .into(),
                            );
                        }
                    }
                    None => self.go(View::Window),
                }
                Ok(Action::None)
            }
            View::Mfa { account } => {
                if is("Cancel") {
                    self.go(View::Window);
                } else {
                    let code = self.input("Verification code");
                    self.inputs.clear();
                    match mfa_refusal(dev, &account, code.trim()).await {
                        None => self.finish_login(dev, &account),
                        Some(why) => self.error = Some(why),
                    }
                }
                Ok(Action::None)
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
                Ok(Action::None)
            }
            View::Desktop { .. } => Ok(if is("Restart") {
                Action::Reboot
            } else {
                Action::SignOut
            }),
        }
    }

    async fn click_window(
        &mut self,
        dev: &mut Device,
        label: &str,
        screen: &Screen,
    ) -> Result<Action, UiError> {
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
            self.message = None;
            self.error = if !dev.online() {
                Some("You're offline. Connect to the internet to refresh.".into())
            } else {
                match dev.sync().await {
                    Ok(()) => None,
                    Err(e) => Some(format!(
                        "{} Try again later.",
                        crate::agent::refusal_for(&e).message
                    )),
                }
            };
        } else if is("Sign in with JumpCloud") {
            if dev.online() {
                self.go(View::Email);
            } else {
                self.overlay = Overlay::None;
                self.error = Some(OFFLINE_MESSAGE.into());
            }
        } else if let Some(t) = screen.tile(label) {
            let account = t.account.clone().unwrap_or_default();
            self.go(View::Password { account });
        } else if self.overlay == Overlay::Wireless {
            self.click_wireless(dev, label);
        }
        Ok(Action::None)
    }

    fn click_wireless(&mut self, dev: &mut Device, label: &str) {
        let is = |l: &str| same_label(l, label);
        self.error = None;
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
                self.inputs.clear();
            }
        }
    }

    /// Shows the identity provider's page with the username pre-filled (R46).
    fn go_idp(&mut self, start: FedStart) {
        let email = start.email.clone();
        self.go(View::IdpSignIn {
            start: Box::new(start),
        });
        self.inputs.push(("Username".into(), email));
    }

    /// A federated account's tile: runs the identity provider's sign-in again (R46).
    async fn start_federated_login(&mut self, dev: &mut Device, account: String) {
        let Some(email) = federated_email(dev, &account) else {
            return;
        };
        if !dev.online() {
            self.error = Some(OFFLINE_MESSAGE.into());
            return;
        }
        match dev
            .start_federation(&email, SignInPurpose::Login, Some(account))
            .await
        {
            Ok(Some(start)) => self.go_idp(start),
            Ok(None) => self.error = Some(
                "Your account no longer signs in through an identity provider. Contact your admin."
                    .into(),
            ),
            Err(r) => self.notice(r, None),
        }
    }

    /// Submits the identity provider's page, then provisions or logs in (R46).
    async fn submit_idp(&mut self, dev: &mut Device, start: FedStart) {
        let (user, pw) = (self.input("Username"), self.input("Password"));
        self.inputs.retain(|(l, _)| l != "Password");
        if pw.is_empty() {
            self.error = Some("Enter your password.".into());
            return;
        }
        let back = match dev.submit_idp_page(&start, user.trim(), &pw).await {
            IdpOutcome::Redirected(back) => back,
            IdpOutcome::Refused(m) | IdpOutcome::Unreachable(m) => {
                self.error = Some(m);
                return;
            }
        };
        match (start.purpose, start.account.clone()) {
            (SignInPurpose::Login, Some(account)) => {
                match dev.federated_login(&account, &back).await {
                    Ok(LoginCheck::Ok) => self.finish_login(dev, &account),
                    Ok(LoginCheck::Disabled) => self.error = Some(DISABLED_MESSAGE.into()),
                    Ok(LoginCheck::MfaPrompt) => self.go(View::Mfa { account }),
                    Ok(LoginCheck::MfaNotEnrolled) => self.go(View::Notice {
                        title: "MFA enrollment required".into(),
                        message: MFA_ENROL_MESSAGE.into(),
                        retry: None,
                    }),
                    Ok(_) => self.error = Some("This account cannot be opened.".into()),
                    Err(r) => self.notice(r, None),
                }
            }
            _ => match dev.federated_authenticate_and_check(&start, &back).await {
                Err(r) => self.notice(r, None),
                Ok((auth, name)) if auth.password_sync => {
                    let secret = LocalSecret::Federated {
                        email: start.email.clone(),
                        idp: start.idp.clone(),
                    };
                    let p = dev.prepare(auth, &name, secret, None);
                    self.run_provision(dev, p).await;
                }
                Ok((auth, name)) => self.go(View::LocalPassword {
                    auth: Box::new(auth),
                    name,
                }),
            },
        }
    }

    async fn run_provision(&mut self, dev: &mut Device, p: PendingProvision) {
        match dev.provision(&p).await {
            Ok(_) => {
                self.go(View::Window);
                self.message = Some(match &p.secret {
                    LocalSecret::Federated { idp, .. } => {
                        format!("Your account is ready. Click your name and sign in with {idp}.")
                    }
                    _ => "Your account is ready. Click your name and enter your password.".into(),
                });
            }
            Err(r) => {
                let retry = r.retryable.then(|| Box::new(p));
                self.notice(r, retry);
            }
        }
    }

    fn notice(&mut self, r: Refusal, retry: Option<Box<PendingProvision>>) {
        self.go(View::Notice {
            title: r.title,
            message: r.message,
            retry,
        });
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

/// Wrong password and throttling keep the user on the password step to try again (R42).
fn stays_on_password(r: &Refusal) -> bool {
    matches!(
        r.code.as_deref(),
        Some(ssap_api::codes::INVALID_CREDENTIALS) | Some(ssap_api::codes::TOO_MANY_ATTEMPTS)
    ) || r.message == OFFLINE_MESSAGE
}

/// The identity provider of a federated account (R46), if the account is one.
pub(crate) fn federated_idp(dev: &Device, account: &str) -> Option<String> {
    match &dev.accounts.find(account)?.password {
        LocalSecret::Federated { idp, .. } => Some(idp.clone()),
        _ => None,
    }
}

/// The directory email of a federated account (R46).
pub(crate) fn federated_email(dev: &Device, account: &str) -> Option<String> {
    match &dev.accounts.find(account)?.password {
        LocalSecret::Federated { email, .. } => Some(email.clone()),
        _ => None,
    }
}

fn full_name(dev: &Device, account: &str) -> String {
    dev.accounts
        .find(account)
        .map(|a| a.full_name.clone())
        .unwrap_or_else(|| account.to_string())
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
