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

use ssap_api::{AuthenticateResponse, Os};

use crate::accounts::LocalSecret;
use crate::agent::OFFLINE_MESSAGE;
use crate::device::{Device, LoginCheck, PendingProvision};
use crate::login_ui::{
    account_tiles, federated_button, federated_idp, local_password, local_password_screen,
    login_next, mfa_screen, start_federated_login, submit_mfa, Action, Form, LoginNext, Notice,
    NoticeStep, Step, WebPage,
};
use crate::screen::{same_label, Screen, ScreenKind, Tile};

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
    /// The web view: JumpCloud User Login, then the identity provider's page for federated
    /// users (R46).
    Web(WebPage),
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
    Notice(Notice),
    /// The account was created but a GPO blocks the PIN (R33): only `Restart` is offered.
    Restart {
        title: String,
        message: String,
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
    form: Form,
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
            form: Form::default(),
        }
    }

    /// Whether SSAP was on for this device when the screen was presented.
    pub fn is_jumpcloud(&self) -> bool {
        self.jumpcloud
    }

    fn go(&mut self, view: View) {
        self.form = match &view {
            View::Web(page) => page.opening_form(),
            _ => Form::default(),
        };
        self.view = view;
    }

    fn tiles(&self, dev: &Device, selected: Option<&str>) -> Vec<Tile> {
        let mut tiles = account_tiles(dev, selected, false); // Windows shows no JumpCloud badge
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
                    s.fields.push(self.form.field("PIN", true));
                    s.buttons.push("Sign in".into());
                } else if let Some(idp) = &idp {
                    s.buttons.push(federated_button(idp));
                } else {
                    s.fields.push(self.form.field("Password", true));
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
            View::Web(page) => page.screen(Os::Windows, &self.form),
            View::ConfirmPassword { auth, .. } => {
                let mut s = new(ScreenKind::ConfirmPassword, "Confirm your password");
                s.message = Some(format!(
                    "{}: enter your JumpCloud password again to set up this PC.",
                    auth.display_name
                ));
                s.fields.push(self.form.field("Password", true));
                s.buttons = vec!["Next".into(), "Cancel".into()];
                s
            }
            View::LocalPassword { .. } => local_password_screen(
                Os::Windows,
                &self.form,
                "Create the password you will use on this PC. Your JumpCloud password will not open this account.",
                "Confirm password",
                "Next",
            ),
            View::CreatePin { .. } => {
                let mut s = new(ScreenKind::CreatePin, "Set up a PIN");
                s.message = Some(format!(
                    "Create a PIN to use instead of your password. It must be at least {MIN_PIN_LEN} characters."
                ));
                s.fields.push(self.form.field("PIN", true));
                s.fields.push(self.form.field("Confirm PIN", true));
                s.buttons = vec!["OK".into(), "Cancel".into()];
                s
            }
            View::Restart { title, message } => {
                let mut s = new(ScreenKind::Notice, title);
                s.message = Some(message.clone());
                s.buttons = vec!["Restart".into()];
                s
            }
            View::Notice(notice) => notice.screen(Os::Windows),
            View::Mfa { account } => mfa_screen(Os::Windows, dev, account, &self.form),
            View::Desktop { account } => {
                let mut s = new(ScreenKind::Desktop, "Windows desktop");
                s.user = Some(account.clone());
                s.buttons = vec!["Sign out".into(), "Restart".into()];
                s
            }
        };
        self.form.show_on(&mut s);
        s
    }

    /// The form under the current view, to type into.
    pub(crate) fn form_mut(&mut self) -> &mut Form {
        &mut self.form
    }

    /// Clicks `label`, a button or tile of `screen` (what is on screen now).
    pub(crate) async fn click(&mut self, dev: &mut Device, label: &str, screen: Screen) -> Action {
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
                return Action::None;
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
                    let step = start_federated_login(&mut self.form, dev, account).await;
                    self.follow(dev, step);
                } else {
                    let check = if use_pin {
                        dev.check_pin(&account, &self.form.input("PIN"))
                    } else {
                        dev.check_login(&account, &self.form.input("Password"))
                    };
                    self.form.inputs.clear();
                    self.after_check(dev, account, check, use_pin);
                }
            }
            View::JumpCloudTile => {
                if dev.online() {
                    self.go(View::Web(WebPage::Email));
                } else {
                    self.form.error = Some(OFFLINE_MESSAGE.into());
                }
            }
            View::Web(page) => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else {
                    let step = page.submit(&mut self.form, dev).await;
                    self.follow(dev, step);
                }
            }
            View::ConfirmPassword {
                auth,
                name,
                password,
            } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else if self.form.input("Password") == password {
                    self.go(View::CreatePin {
                        auth,
                        name,
                        secret: LocalSecret::DirectoryPassword(password),
                    });
                } else {
                    self.form.inputs.clear();
                    self.form.error = Some(WRONG_PASSWORD_MESSAGE.into());
                }
            }
            View::LocalPassword { auth, name } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                    return Action::None;
                }
                if let Some(a) = local_password(&mut self.form, "Confirm password") {
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
                    return Action::None;
                }
                let (pin, confirm) = (self.form.input("PIN"), self.form.input("Confirm PIN"));
                self.form.inputs.clear();
                if let Some(problem) = pin_problem(&pin, &confirm) {
                    self.form.error = Some(problem);
                } else if !dev.online() {
                    self.form.error = Some(OFFLINE_MESSAGE.into());
                } else {
                    // A GPO that blocks PIN sign-in also blocks enrolling one (R33).
                    let pin = (!dev.spec.pin_blocked_by_gpo).then_some(pin);
                    let p = dev.prepare(*auth, &name, secret, pin);
                    self.run_provision(dev, p).await;
                }
            }
            View::Restart { .. } => return Action::Reboot,
            View::Notice(notice) => {
                match notice.click(&mut self.form, dev, is("Try Again")).await {
                    NoticeStep::Stay => {}
                    NoticeStep::Retry(p) => self.run_provision(dev, *p).await,
                    // A lost reply may have provisioned: Notice::click agreed with the control plane.
                    NoticeStep::Closed { .. } => self.go(View::SignIn),
                }
            }
            View::Mfa { account } => {
                if is("Cancel") {
                    self.go(View::SignIn);
                } else if submit_mfa(&mut self.form, dev, &account).await {
                    dev.logged_in = Some(account.clone());
                    self.go(View::Desktop { account });
                }
            }
            View::Desktop { .. } => {
                return if is("Restart") {
                    Action::Reboot
                } else {
                    Action::SignOut
                };
            }
        }
        Action::None
    }

    fn after_check(&mut self, dev: &mut Device, account: String, check: LoginCheck, pin: bool) {
        let wrong = if pin {
            WRONG_PIN_MESSAGE
        } else {
            WRONG_PASSWORD_MESSAGE
        };
        match login_next(Os::Windows, check, wrong) {
            LoginNext::Open => {
                dev.logged_in = Some(account.clone());
                self.go(View::Desktop { account });
            }
            LoginNext::Mfa => self.go(View::Mfa { account }),
            LoginNext::Error(e) => self.form.error = Some(e),
            LoginNext::Notice(n) => self.go(View::Notice(n)),
        }
    }

    /// Follows the web view to its next page: a notice, the password re-confirmation
    /// (password sync), straight to the PIN (federated users: the identity provider confirmed
    /// the user moments ago, R46), a new local password (sync off), or a login.
    fn follow(&mut self, dev: &mut Device, step: Step) {
        match step {
            Step::Stay => {}
            Step::Open(page) => self.go(View::Web(page)),
            Step::Notice(r) => self.go(View::Notice(r.into())),
            Step::Authenticated { auth, name, secret } if auth.password_sync => match secret {
                LocalSecret::DirectoryPassword(password) => self.go(View::ConfirmPassword {
                    auth,
                    name,
                    password,
                }),
                secret => self.go(View::CreatePin { auth, name, secret }),
            },
            Step::Authenticated { auth, name, .. } => self.go(View::LocalPassword { auth, name }),
            Step::Login { account, check } => self.after_check(dev, account, check, false),
        }
    }

    async fn run_provision(&mut self, dev: &mut Device, p: PendingProvision) {
        match dev.provision(&p).await {
            Ok(name) if dev.spec.pin_blocked_by_gpo => self.go(View::Restart {
                title: "Account created".into(),
                message: format!(
                    "Your account {name} was created, but PIN sign-in is blocked on this PC by a group policy. Restart this PC, then sign in with your password."
                ),
            }),
            Ok(name) => {
                dev.logged_in = Some(name.clone());
                self.go(View::Desktop { account: name });
            }
            Err(r) => self.go(View::Notice(Notice::failed(r, p))),
        }
    }
}

/// The account has a PIN and no GPO blocks PIN sign-in.
fn pin_available(dev: &Device, account: &str) -> bool {
    !dev.spec.pin_blocked_by_gpo && dev.accounts.find(account).is_some_and(|a| a.pin.is_some())
}

/// What the re-confirmation page (R31) and a password login say to a wrong password.
pub const WRONG_PASSWORD_MESSAGE: &str = "The password is incorrect. Try again.";
/// What a PIN login says to a wrong PIN.
pub const WRONG_PIN_MESSAGE: &str = "That PIN is incorrect. Try again.";

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
