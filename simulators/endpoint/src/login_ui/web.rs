//! The web view both UIs open for "Sign in with JumpCloud": JumpCloud's email and password
//! pages, then, for federated users (R46), the identity provider's page. The flows return a
//! [`Step`] each UI maps to its own views (macOS provisions at once, Windows asks for the
//! password again and a PIN first).

use ssap_api::{AuthenticateResponse, Os, SignInPurpose};

use super::Form;
use crate::accounts::LocalSecret;
use crate::agent::{IdpOutcome, Refusal, OFFLINE_MESSAGE};
use crate::device::{Device, FedStart, LoginCheck};
use crate::screen::{Screen, ScreenKind};

/// A page of the web view.
#[derive(Debug, Clone)]
pub(crate) enum WebPage {
    /// JumpCloud's email page.
    Email,
    /// JumpCloud's password page for `email`.
    Password { email: String },
    /// The identity provider's page (R46), to provision or to log in to `start.account`.
    IdentityProvider(Box<FedStart>),
}

impl WebPage {
    /// The page as the web view shows it, the same on both OSes.
    pub fn screen(&self, os: Os, form: &Form) -> Screen {
        match self {
            WebPage::Email => email_screen(os, form),
            WebPage::Password { email } => password_screen(os, email, form),
            WebPage::IdentityProvider(start) => idp_screen(os, start, form),
        }
    }

    /// The form the page opens with: the identity provider's has the username pre-filled.
    pub fn opening_form(&self) -> Form {
        let mut form = Form::default();
        if let WebPage::IdentityProvider(start) = self {
            form.inputs.push(("Username".into(), start.email.clone()));
        }
        form
    }

    /// The page's button other than `Cancel` (`Continue`, `Login`, `Sign In`).
    pub async fn submit(self, form: &mut Form, dev: &mut Device) -> Step {
        match self {
            WebPage::Email => submit_email(form, dev).await,
            WebPage::Password { email } => submit_password(form, dev, &email).await,
            WebPage::IdentityProvider(start) => submit_idp(form, dev, *start).await,
        }
    }
}

/// Where a submitted page of the web view leads.
#[derive(Debug)]
pub(crate) enum Step {
    /// Stay on the page; the form holds the error to show, if any.
    Stay,
    /// Another page of the web view.
    Open(WebPage),
    /// A refusal to show as a notice.
    Notice(Refusal),
    /// The user is authenticated and the local name checked (R39, R43): the account may be
    /// created, opened by `secret` when password sync is on.
    Authenticated {
        auth: Box<AuthenticateResponse>,
        name: String,
        secret: LocalSecret,
    },
    /// A login to `account` through its identity provider, checked as at a user tile.
    Login { account: String, check: LoginCheck },
}

/// JumpCloud's email page.
fn email_screen(os: Os, form: &Form) -> Screen {
    let mut s = Screen::new(os, ScreenKind::JumpCloudEmail, "JumpCloud User Login");
    s.fields.push(form.field("Email", false));
    s.buttons = vec!["Continue".into(), "Cancel".into()];
    s
}

/// JumpCloud's password page for `email`.
fn password_screen(os: Os, email: &str, form: &Form) -> Screen {
    let mut s = Screen::new(os, ScreenKind::JumpCloudPassword, "JumpCloud User Login");
    s.message = Some(format!("Signing in as {email}"));
    s.fields.push(form.field("Password", true));
    s.buttons = vec!["Login".into(), "Cancel".into()];
    s
}

/// The identity provider's page as the web view shows it (R46), the same on both OSes:
/// fields `Username` (pre-filled with the email) and `Password`, buttons `Sign In`, `Cancel`.
fn idp_screen(os: Os, start: &FedStart, form: &Form) -> Screen {
    let mut s = Screen::new(
        os,
        ScreenKind::IdentityProviderSignIn,
        format!("Sign in to {}", start.idp),
    );
    s.message = Some(match start.purpose {
        SignInPurpose::Provision => format!("{} · to continue to JumpCloud", start.idp),
        SignInPurpose::Login => format!("{} · to log in to this computer", start.idp),
    });
    s.fields = vec![form.field("Username", false), form.field("Password", true)];
    s.buttons = vec!["Sign In".into(), "Cancel".into()];
    s
}

/// Label of the button that logs in to a federated account through its identity provider.
pub(crate) fn federated_button(idp: &str) -> String {
    format!("Sign in with {idp}")
}

/// The identity provider of a federated account (R46), if the account is one.
pub(crate) fn federated_idp(dev: &Device, account: &str) -> Option<String> {
    match &dev.accounts.find(account)?.password {
        LocalSecret::Federated { idp, .. } => Some(idp.clone()),
        _ => None,
    }
}

/// The directory email of a federated account (R46).
fn federated_email(dev: &Device, account: &str) -> Option<String> {
    match &dev.accounts.find(account)?.password {
        LocalSecret::Federated { email, .. } => Some(email.clone()),
        _ => None,
    }
}

/// `Continue` on the email page: the password page, or the identity provider's for a
/// federated user (R46).
async fn submit_email(form: &mut Form, dev: &mut Device) -> Step {
    let email = form.input("Email").trim().to_string();
    if email.is_empty() || !email.contains('@') {
        form.error = Some("Enter your email address.".into());
        return Step::Stay;
    }
    match dev
        .start_federation(&email, SignInPurpose::Provision, None)
        .await
    {
        Ok(None) => Step::Open(WebPage::Password { email }),
        Ok(Some(start)) => Step::Open(WebPage::IdentityProvider(Box::new(start))),
        Err(r) => Step::Notice(r),
    }
}

/// `Login` on the password page: authenticates, then checks the local name (R39, R43).
async fn submit_password(form: &mut Form, dev: &mut Device, email: &str) -> Step {
    let pw = form.input("Password");
    form.inputs.clear();
    if pw.is_empty() {
        form.error = Some("Enter your password.".into());
        return Step::Stay;
    }
    if !dev.online() {
        form.error = Some(OFFLINE_MESSAGE.into());
        return Step::Stay;
    }
    match dev.authenticate_and_check(email, &pw).await {
        Err(r) if stays_on_password(&r) => {
            form.error = Some(r.message);
            Step::Stay
        }
        Err(r) => Step::Notice(r),
        Ok((auth, name)) => Step::Authenticated {
            auth: Box::new(auth),
            name,
            secret: LocalSecret::DirectoryPassword(pw),
        },
    }
}

/// A federated account's `Sign in with <IdP>`: the identity provider's sign-in again (R46).
pub(crate) async fn start_federated_login(
    form: &mut Form,
    dev: &mut Device,
    account: String,
) -> Step {
    let Some(email) = federated_email(dev, &account) else {
        return Step::Stay;
    };
    if !dev.online() {
        form.error = Some(OFFLINE_MESSAGE.into());
        return Step::Stay;
    }
    match dev
        .start_federation(&email, SignInPurpose::Login, Some(account))
        .await
    {
        Ok(Some(start)) => Step::Open(WebPage::IdentityProvider(Box::new(start))),
        Ok(None) => {
            form.error = Some(
                "Your account no longer signs in through an identity provider. Contact your admin."
                    .into(),
            );
            Step::Stay
        }
        Err(r) => Step::Notice(r),
    }
}

/// `Sign In` on the identity provider's page, then the provisioning checks or the login to
/// the account the sign-in was started for (R46).
async fn submit_idp(form: &mut Form, dev: &mut Device, start: FedStart) -> Step {
    let (user, pw) = (form.input("Username"), form.input("Password"));
    form.inputs.retain(|(l, _)| l != "Password");
    if pw.is_empty() {
        form.error = Some("Enter your password.".into());
        return Step::Stay;
    }
    let back = match dev.submit_idp_page(&start, user.trim(), &pw).await {
        IdpOutcome::Redirected(back) => back,
        IdpOutcome::Refused(m) | IdpOutcome::Unreachable(m) => {
            form.error = Some(m);
            return Step::Stay;
        }
    };
    match (start.purpose, start.account.clone()) {
        (SignInPurpose::Login, Some(account)) => match dev.federated_login(&account, &back).await {
            Ok(check) => Step::Login { account, check },
            Err(r) => Step::Notice(r),
        },
        _ => match dev.federated_authenticate_and_check(&start, &back).await {
            Err(r) => Step::Notice(r),
            Ok((auth, name)) => Step::Authenticated {
                auth: Box::new(auth),
                name,
                secret: LocalSecret::Federated {
                    email: start.email.clone(),
                    idp: start.idp.clone(),
                },
            },
        },
    }
}

/// Wrong password and throttling keep the user on the password step to try again (R42).
fn stays_on_password(r: &Refusal) -> bool {
    matches!(
        r.code.as_deref(),
        Some(ssap_api::codes::INVALID_CREDENTIALS) | Some(ssap_api::codes::TOO_MANY_ATTEMPTS)
    ) || r.message == OFFLINE_MESSAGE
}
