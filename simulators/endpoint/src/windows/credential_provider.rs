//! The Windows sign-in screen with the JumpCloud credential provider (R18, R30-R33, R03).
//!
//! Windows lets no vendor replace the sign-in screen, so SSAP is a credential provider: a
//! "Sign in with JumpCloud" tile in the bottom-left user list, shown only where the control
//! plane offers it (toggle or Windows policy, zero managed users unless the policy allows
//! more) and the device is supported (not Home, Server, ARM, AD- or Entra-joined). The tile
//! list is computed live from the last configuration, which the agent refreshes at each
//! presentation (restart, sign-out) and check-in.
//!
//! Labels (verbatim, compared ignoring case, spaces and hyphens):
//! - Sign-in screen: tiles by full name (or account name), plus the tile `Sign in with JumpCloud`.
//! - JumpCloud tile chosen: button `Click here to sign in`.
//! - Web view "JumpCloud User Login": field `Email`, buttons `Continue`, `Cancel`; then field
//!   `Password`, buttons `Login`, `Cancel`.
//! - Federated users (R46): after `Continue`, the identity provider's page "Sign in to <IdP>":
//!   fields `Username` (pre-filled), `Password`, buttons `Sign In`, `Cancel`; then, with
//!   password sync on, straight to the PIN: there is no JumpCloud password to re-confirm (the
//!   identity provider confirmed the user moments ago). A federated user's tile offers the PIN,
//!   and under `Sign-in options` the button `Sign in with <IdP>` instead of a password.
//! - Re-confirm: field `Password`, buttons `Next`, `Cancel` (password sync off instead: fields
//!   `New password`, `Confirm password`, buttons `Next`, `Cancel`).
//! - PIN: fields `PIN`, `Confirm PIN`, buttons `OK`, `Cancel`.
//! - Refusal notice: `OK`, or `Try Again` and `Cancel`; GPO-blocked outcome: `Restart`.
//! - User tile chosen: field `PIN` (when the account has one and no GPO blocks it) or
//!   `Password`, buttons `Sign in`, `Sign-in options` (switches PIN/password, when a PIN
//!   exists), `Back`.
//! - MFA: field `Verification code`, buttons `Verify`, `Cancel`. Desktop: `Sign out`, `Restart`.
//!
//! GPO blocking PIN sign-in (R33): the PIN step is still shown (the provider always asks, as
//! the help center says a PIN is required), but Windows refuses to enrol it, so no PIN is
//! stored, the user is not signed in, and the screen asks for a restart, after which the user
//! signs in with the password.

use ssap_api::{AuthenticateResponse, Os, SignInPurpose};

use crate::accounts::LocalSecret;
use crate::agent::{IdpOutcome, Refusal, OFFLINE_MESSAGE};
use crate::device::{
    federated_button, idp_screen, mfa_refusal, Device, FedStart, LoginCheck, PendingProvision,
    DISABLED_MESSAGE, MFA_ENROL_MESSAGE,
};
use crate::macos::login_window::{federated_email, federated_idp, Action};
use crate::screen::{mask, same_label, Field, Screen, ScreenKind, Tile, UiError};

/// Shortest PIN the provider accepts (R32).
pub const MIN_PIN_LEN: usize = 6;
/// Longest PIN Windows accepts.
pub const MAX_PIN_LEN: usize = 127;

/// Label of the credential provider's tile.
pub const JUMPCLOUD_TILE: &str = "Sign in with JumpCloud";

#[derive(Debug, Clone)]
enum View {
    SignIn,
    User {
        account: String,
        use_pin: bool,
    },
    JumpCloudTile,
    Email,
    DirectoryPassword {
        email: String,
    },
    /// The identity provider's page in the web view (R46).
    IdpSignIn {
        start: Box<FedStart>,
    },
    ConfirmPassword {
        auth: Box<AuthenticateResponse>,
        name: String,
        password: String,
    },
    LocalPassword {
        auth: Box<AuthenticateResponse>,
        name: String,
    },
    CreatePin {
        auth: Box<AuthenticateResponse>,
        name: String,
        secret: LocalSecret,
    },
    Notice {
        title: String,
        message: String,
        retry: Option<Box<PendingProvision>>,
        restart: bool,
    },
    Mfa {
        account: String,
    },
    Desktop {
        account: String,
    },
}

/// The credential provider's state; [`CredentialProvider::screen`] turns it into a [`Screen`].
#[derive(Debug, Clone)]
pub struct CredentialProvider {
    jumpcloud: bool,
    view: View,
    inputs: Vec<(String, String)>,
    error: Option<String>,
    message: Option<String>,
}

impl Default for CredentialProvider {
    fn default() -> Self {
        Self::present(false)
    }
}

impl CredentialProvider {
    /// A freshly presented sign-in screen; `jumpcloud` records whether SSAP was on then.
    pub fn present(jumpcloud: bool) -> Self {
        Self {
            jumpcloud,
            view: View::SignIn,
            inputs: Vec::new(),
            error: None,
            message: None,
        }
    }

    /// Whether SSAP was on for this device when the screen was presented.
    pub fn is_jumpcloud(&self) -> bool {
        self.jumpcloud
    }

    fn go(&mut self, view: View) {
        self.view = view;
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

    fn tiles(&self, dev: &Device, selected: Option<&str>) -> Vec<Tile> {
        let mut tiles: Vec<Tile> = dev
            .accounts
            .all()
            .iter()
            .map(|a| Tile {
                label: a.full_name.clone(),
                account: Some(a.name.clone()),
                managed: false, // Windows shows no JumpCloud badge
                selected: selected == Some(a.name.as_str()),
            })
            .collect();
        if dev.offer_sign_in() {
            tiles.push(Tile {
                label: JUMPCLOUD_TILE.into(),
                account: None,
                managed: false,
                selected: selected == Some(JUMPCLOUD_TILE),
            });
        }
        tiles
    }

    /// What is on screen now.
    pub(crate) fn screen(&self, dev: &Device) -> Screen {
        let new = |kind, title: &str| Screen::new(Os::Windows, kind, title);
        let mut s = match &self.view {
            View::SignIn => {
                let mut s = new(ScreenKind::WindowsSignIn, "Windows sign-in screen");
                s.tiles = self.tiles(dev, None);
                s
            }
            View::User { account, use_pin } => {
                let mut s = new(ScreenKind::PasswordPrompt, "Windows sign-in screen");
                s.tiles = self.tiles(dev, Some(account));
                let idp = federated_idp(dev, account);
                if *use_pin {
                    s.fields.push(self.field("PIN", true));
                    s.buttons.push("Sign in".into());
                } else if let Some(idp) = &idp {
                    s.buttons.push(federated_button(idp));
                } else {
                    s.fields.push(self.field("Password", true));
                    s.buttons.push("Sign in".into());
                }
                if pin_available(dev, account) {
                    s.buttons.push("Sign-in options".into());
                }
                s.buttons.push("Back".into());
                s
            }
            View::JumpCloudTile => {
                let mut s = new(ScreenKind::JumpCloudTile, "Windows sign-in screen");
                s.tiles = self.tiles(dev, Some(JUMPCLOUD_TILE));
                s.message = Some("JumpCloud".into());
                s.buttons = vec!["Click here to sign in".into()];
                s
            }
            View::Email => {
                let mut s = new(ScreenKind::JumpCloudEmail, "JumpCloud User Login");
                s.fields.push(self.field("Email", false));
                s.buttons = vec!["Continue".into(), "Cancel".into()];
                s
            }
            View::DirectoryPassword { email } => {
                let mut s = new(ScreenKind::JumpCloudPassword, "JumpCloud User Login");
                s.message = Some(format!("Signing in as {email}"));
                s.fields.push(self.field("Password", true));
                s.buttons = vec!["Login".into(), "Cancel".into()];
                s
            }
            View::IdpSignIn { start } => idp_screen(
                Os::Windows,
                start,
                self.field("Username", false),
                self.field("Password", true),
            ),
            View::ConfirmPassword { auth, .. } => {
                let mut s = new(ScreenKind::ConfirmPassword, "Confirm your password");
                s.message = Some(format!(
                    "{}: enter your JumpCloud password again to set up this PC.",
                    auth.display_name
                ));
                s.fields.push(self.field("Password", true));
                s.buttons = vec!["Next".into(), "Cancel".into()];
                s
            }
            View::LocalPassword { .. } => {
                let mut s = new(ScreenKind::CreateLocalPassword, "Create a local password");
                s.message = Some(
                    "Create the password you will use on this PC. Your JumpCloud password will not open this account."
                        .into(),
                );
                s.fields.push(self.field("New password", true));
                s.fields.push(self.field("Confirm password", true));
                s.buttons = vec!["Next".into(), "Cancel".into()];
                s
            }
            View::CreatePin { .. } => {
                let mut s = new(ScreenKind::CreatePin, "Set up a PIN");
                s.message = Some(format!(
                    "Create a PIN to use instead of your password. It must be at least {MIN_PIN_LEN} characters."
                ));
                s.fields.push(self.field("PIN", true));
                s.fields.push(self.field("Confirm PIN", true));
                s.buttons = vec!["OK".into(), "Cancel".into()];
                s
            }
            View::Notice {
                title,
                message,
                retry,
                restart,
            } => {
                let mut s = new(ScreenKind::Notice, title);
                if *restart {
                    s.message = Some(message.clone());
                    s.buttons = vec!["Restart".into()];
                } else {
                    s.error = Some(message.clone());
                    s.buttons = if retry.is_some() {
                        vec!["Try Again".into(), "Cancel".into()]
                    } else {
                        vec!["OK".into()]
                    };
                }
                s
            }
            View::Mfa { account } => {
                let mut s = new(ScreenKind::MfaPrompt, "Multi-factor authentication");
                let full = dev
                    .accounts
                    .find(account)
                    .map(|a| a.full_name.clone())
                    .unwrap_or_else(|| account.clone());
                s.message = Some(format!(
                    "{full}: enter the 6-digit code from your authenticator app."
                ));
                s.fields.push(self.field("Verification code", false));
                s.buttons = vec!["Verify".into(), "Cancel".into()];
                s
            }
            View::Desktop { account } => {
                let mut s = new(ScreenKind::Desktop, "Windows desktop");
                s.user = Some(account.clone());
                s.buttons = vec!["Sign out".into(), "Restart".into()];
                s
            }
        };
        if self.error.is_some() {
            s.error = self.error.clone();
        }
        if self.message.is_some() {
            s.message = self.message.clone();
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

    /// Clicks a visible button or tile.
    pub(crate) async fn click(&mut self, dev: &mut Device, label: &str) -> Result<Action, UiError> {
        let screen = self.screen(dev);
        if !screen.has_button(label) {
            return Err(UiError::no_control(&screen, label));
        }
        let is = |l: &str| same_label(l, label);
        // Tiles respond on every screen that shows them.
        if !screen.buttons.iter().any(|b| is(b)) {
            if let Some(t) = screen.tile(label) {
                match &t.account {
                    None => self.go(View::JumpCloudTile),
                    Some(a) => {
                        let use_pin = pin_available(dev, a);
                        self.go(View::User {
                            account: a.clone(),
                            use_pin,
                        });
                    }
                }
                return Ok(Action::None);
            }
        }
        match self.view.clone() {
            View::SignIn => {}
            View::User { account, use_pin } => {
                if is("Back") {
                    self.go(View::SignIn);
                } else if is("Sign-in options") {
                    self.go(View::User {
                        account,
                        use_pin: !use_pin,
                    });
                } else if !use_pin && federated_idp(dev, &account).is_some() {
                    self.start_federated_login(dev, account).await;
                } else {
                    let check = if use_pin {
                        dev.check_pin(&account, &self.input("PIN"))
                    } else {
                        dev.check_login(&account, &self.input("Password"))
                    };
                    self.inputs.clear();
                    self.after_check(dev, account, check, use_pin);
                }
            }
            View::JumpCloudTile => {
                if dev.online() {
                    self.go(View::Email);
                } else {
                    self.error = Some(OFFLINE_MESSAGE.into());
                }
            }
            View::Email => {
                if is("Cancel") {
                    self.go(View::SignIn);
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
            }
            View::IdpSignIn { start } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else {
                    self.submit_idp(dev, *start).await;
                }
            }
            View::DirectoryPassword { email } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                    return Ok(Action::None);
                }
                let pw = self.input("Password");
                self.inputs.clear();
                if pw.is_empty() {
                    self.error = Some("Enter your password.".into());
                } else if !dev.online() {
                    self.error = Some(OFFLINE_MESSAGE.into());
                } else {
                    match dev.authenticate_and_check(&email, &pw).await {
                        Err(r) if stays(&r) => self.error = Some(r.message),
                        Err(r) => self.notice(r, None),
                        Ok((auth, name)) => {
                            let auth = Box::new(auth);
                            if auth.password_sync {
                                self.go(View::ConfirmPassword {
                                    auth,
                                    name,
                                    password: pw,
                                });
                            } else {
                                self.go(View::LocalPassword { auth, name });
                            }
                        }
                    }
                }
            }
            View::ConfirmPassword {
                auth,
                name,
                password,
            } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else if self.input("Password") == password {
                    self.go(View::CreatePin {
                        auth,
                        name,
                        secret: LocalSecret::DirectoryPassword(password),
                    });
                } else {
                    self.inputs.clear();
                    self.error = Some("The password is incorrect. Try again.".into());
                }
            }
            View::LocalPassword { auth, name } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                    return Ok(Action::None);
                }
                let (a, b) = (self.input("New password"), self.input("Confirm password"));
                self.inputs.clear();
                if a.is_empty() {
                    self.error = Some("Enter a password.".into());
                } else if a != b {
                    self.error = Some("The passwords don't match.".into());
                } else {
                    self.go(View::CreatePin {
                        auth,
                        name,
                        secret: LocalSecret::LocalPassword(a),
                    });
                }
            }
            View::CreatePin { auth, name, secret } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                    return Ok(Action::None);
                }
                let (pin, confirm) = (self.input("PIN"), self.input("Confirm PIN"));
                self.inputs.clear();
                if let Some(problem) = pin_problem(&pin, &confirm) {
                    self.error = Some(problem);
                } else if !dev.online() {
                    self.error = Some(OFFLINE_MESSAGE.into());
                } else {
                    // A GPO that blocks PIN sign-in also blocks enrolling one (R33).
                    let pin = (!dev.spec.pin_blocked_by_gpo).then_some(pin);
                    let p = dev.prepare(*auth, &name, secret, pin);
                    self.run_provision(dev, p).await;
                }
            }
            View::Notice { retry, restart, .. } => {
                if restart {
                    return Ok(Action::Reboot);
                }
                match retry {
                    Some(p) if is("Try Again") => {
                        if dev.online() {
                            self.run_provision(dev, *p).await;
                        } else {
                            self.error = Some(OFFLINE_MESSAGE.into());
                        }
                    }
                    Some(p) => {
                        // A lost reply may still have provisioned: agree with the control plane.
                        let _ = dev.reconcile(&p).await;
                        self.go(View::SignIn);
                    }
                    None => self.go(View::SignIn),
                }
            }
            View::Mfa { account } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else {
                    let code = self.input("Verification code");
                    self.inputs.clear();
                    match mfa_refusal(dev, &account, code.trim()).await {
                        None => {
                            dev.logged_in = Some(account.clone());
                            self.go(View::Desktop { account });
                        }
                        Some(why) => self.error = Some(why),
                    }
                }
            }
            View::Desktop { .. } => {
                return Ok(if is("Restart") {
                    Action::Reboot
                } else {
                    Action::SignOut
                });
            }
        }
        Ok(Action::None)
    }

    fn after_check(&mut self, dev: &mut Device, account: String, check: LoginCheck, pin: bool) {
        match check {
            LoginCheck::Ok => {
                dev.logged_in = Some(account.clone());
                self.go(View::Desktop { account });
            }
            LoginCheck::WrongPassword => {
                self.error = Some(if pin {
                    "That PIN is incorrect. Try again.".into()
                } else {
                    "The password is incorrect. Try again.".into()
                })
            }
            LoginCheck::NotSynced => self.error = Some(
                "This account's password has not been synced to this PC yet. Contact your admin."
                    .into(),
            ),
            LoginCheck::Disabled => self.error = Some(DISABLED_MESSAGE.into()),
            LoginCheck::MfaPrompt => self.go(View::Mfa { account }),
            LoginCheck::MfaNotEnrolled => self.go(View::Notice {
                title: "MFA enrollment required".into(),
                message: MFA_ENROL_MESSAGE.into(),
                retry: None,
                restart: false,
            }),
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

    /// A federated account's `Sign in with <IdP>`: the identity provider's sign-in again (R46).
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

    /// Submits the identity provider's page, then goes on to the PIN (provisioning, no
    /// password to re-confirm) or signs in to the account (login) (R46).
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
                    Ok(check) => self.after_check(dev, account, check, false),
                    Err(r) => self.notice(r, None),
                }
            }
            _ => match dev.federated_authenticate_and_check(&start, &back).await {
                Err(r) => self.notice(r, None),
                Ok((auth, name)) if auth.password_sync => self.go(View::CreatePin {
                    auth: Box::new(auth),
                    name,
                    secret: LocalSecret::Federated {
                        email: start.email.clone(),
                        idp: start.idp.clone(),
                    },
                }),
                Ok((auth, name)) => self.go(View::LocalPassword {
                    auth: Box::new(auth),
                    name,
                }),
            },
        }
    }

    async fn run_provision(&mut self, dev: &mut Device, p: PendingProvision) {
        match dev.provision(&p).await {
            Ok(name) if dev.spec.pin_blocked_by_gpo => self.go(View::Notice {
                title: "Account created".into(),
                message: format!(
                    "Your account {name} was created, but PIN sign-in is blocked on this PC by a group policy. Restart this PC, then sign in with your password."
                ),
                retry: None,
                restart: true,
            }),
            Ok(name) => {
                dev.logged_in = Some(name.clone());
                self.go(View::Desktop { account: name });
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
            restart: false,
        });
    }
}

/// The account has a PIN and no GPO blocks PIN sign-in.
fn pin_available(dev: &Device, account: &str) -> bool {
    !dev.spec.pin_blocked_by_gpo && dev.accounts.find(account).is_some_and(|a| a.pin.is_some())
}

/// Why a PIN is refused (R32); the user stays on the PIN step to try again.
pub fn pin_problem(pin: &str, confirm: &str) -> Option<String> {
    let len = pin.chars().count();
    if len < MIN_PIN_LEN {
        Some(format!(
            "Your PIN must be at least {MIN_PIN_LEN} characters."
        ))
    } else if len > MAX_PIN_LEN {
        Some(format!("Your PIN can be at most {MAX_PIN_LEN} characters."))
    } else if pin.chars().any(char::is_control) {
        Some("Your PIN contains a character that can't be used.".into())
    } else if pin != confirm {
        Some("The PINs don't match. Try again.".into())
    } else {
        None
    }
}

/// Wrong password and throttling keep the user on the password step (R42).
fn stays(r: &Refusal) -> bool {
    matches!(
        r.code.as_deref(),
        Some(ssap_api::codes::INVALID_CREDENTIALS) | Some(ssap_api::codes::TOO_MANY_ATTEMPTS)
    ) || r.message == OFFLINE_MESSAGE
}
