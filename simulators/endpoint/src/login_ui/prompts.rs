//! The prompts both UIs show the same way: the MFA code (R45), refusal notices with
//! `Try Again` (R60), and a new local password when password sync is off.

use ssap_api::{codes, Os};

use super::Form;
use crate::agent::{refusal_for, CallError, Refusal, OFFLINE_MESSAGE};
use crate::device::{Device, LoginCheck, PendingProvision};
use crate::screen::{Screen, ScreenKind};

/// Sentence for a managed account whose user the directory suspended or locked (R63).
pub const DISABLED_MESSAGE: &str =
    "This account has been disabled by your organization. Contact your admin.";

/// What an MFA prompt says to a wrong, old or replayed code (R45); the prompt stays.
pub const MFA_CODE_WRONG_MESSAGE: &str =
    "That code didn't work. Enter the current code from your authenticator app.";

/// Sentence for a user whose admin enforces MFA but who has not enrolled (R45).
pub const MFA_ENROL_MESSAGE: &str = "Your admin requires multi-factor authentication (MFA). Enroll in MFA in the JumpCloud User Portal from a browser, then log in again.";

/// Where a checked login (password, PIN, or identity provider) leads.
#[derive(Debug)]
pub(crate) enum LoginNext {
    /// The account opens (macOS may still show its setup prompts).
    Open,
    /// The MFA prompt (R45).
    Mfa,
    /// Stay at the tile with this error.
    Error(String),
    /// A notice (MFA enrolment required, R45).
    Notice(Notice),
}

/// Where `check` leads, in the words both OSes use; `wrong` is each OS's sentence for a wrong
/// password or PIN.
pub(crate) fn login_next(os: Os, check: LoginCheck, wrong: &str) -> LoginNext {
    let device = match os {
        Os::Macos => "Mac",
        Os::Windows => "PC",
    };
    match check {
        LoginCheck::Ok => LoginNext::Open,
        LoginCheck::WrongPassword => LoginNext::Error(wrong.into()),
        LoginCheck::NotSynced => LoginNext::Error(format!(
            "This account's password has not been synced to this {device} yet. Contact your admin."
        )),
        LoginCheck::Disabled => LoginNext::Error(DISABLED_MESSAGE.into()),
        LoginCheck::MfaPrompt => LoginNext::Mfa,
        LoginCheck::MfaNotEnrolled => LoginNext::Notice(mfa_not_enrolled().into()),
    }
}

/// The notice for a user whose admin enforces MFA but who has not enrolled (R45).
fn mfa_not_enrolled() -> Refusal {
    Refusal {
        title: "MFA enrollment required".into(),
        message: MFA_ENROL_MESSAGE.into(),
        retryable: false,
        code: None,
    }
}

/// An account's full name as its tile shows it (its name if there is none).
fn full_name(dev: &Device, account: &str) -> String {
    dev.accounts
        .find(account)
        .map(|a| a.full_name.clone())
        .unwrap_or_else(|| account.to_string())
}

/// The MFA prompt for `account` (R45).
pub(crate) fn mfa_screen(os: Os, dev: &Device, account: &str, form: &Form) -> Screen {
    let mut s = Screen::new(os, ScreenKind::MfaPrompt, "Multi-factor authentication");
    s.message = Some(format!(
        "{}: enter the 6-digit code from your authenticator app.",
        full_name(dev, account)
    ));
    s.fields.push(form.field("Verification code", false));
    s.buttons = vec!["Verify".into(), "Cancel".into()];
    s
}

/// `Verify` on the MFA prompt: whether the code lets the user in (else the form says why).
pub(crate) async fn submit_mfa(form: &mut Form, dev: &Device, account: &str) -> bool {
    let code = form.input("Verification code");
    form.inputs.clear();
    match mfa_refusal(dev, account, code.trim()).await {
        None => true,
        Some(why) => {
            form.error = Some(why);
            false
        }
    }
}

/// A refusal on screen: `Try Again` and `Cancel` when the provisioning may be re-sent
/// (R60), else `OK`.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub title: String,
    pub message: String,
    /// What `Try Again` re-sends, with the same idempotency key.
    pub retry: Option<Box<PendingProvision>>,
}

impl From<Refusal> for Notice {
    fn from(r: Refusal) -> Self {
        Self {
            title: r.title,
            message: r.message,
            retry: None,
        }
    }
}

/// Where a click on a refusal notice leads.
#[derive(Debug)]
pub(crate) enum NoticeStep {
    /// Stay on the notice; the form says why.
    Stay,
    /// Re-send the provisioning with the same idempotency key (R60).
    Retry(Box<PendingProvision>),
    /// The notice is closed; `created`: a reply lost on the way back had provisioned after
    /// all, and the account now exists (R60).
    Closed { created: bool },
}

impl Notice {
    /// A provisioning that failed: `Try Again` re-sends it when the refusal allows.
    pub fn failed(r: Refusal, p: PendingProvision) -> Self {
        let retry = r.retryable.then(|| Box::new(p));
        Self { retry, ..r.into() }
    }

    /// The notice as both OSes show it.
    pub fn screen(&self, os: Os) -> Screen {
        let mut s = Screen::new(os, ScreenKind::Notice, self.title.clone());
        s.error = Some(self.message.clone());
        s.buttons = if self.retry.is_some() {
            vec!["Try Again".into(), "Cancel".into()]
        } else {
            vec!["OK".into()]
        };
        s
    }

    /// A click on the notice: `Try Again` re-sends a provisioning that may be re-sent;
    /// anything else closes it, first agreeing with the control plane about a lost reply.
    pub async fn click(self, form: &mut Form, dev: &mut Device, try_again: bool) -> NoticeStep {
        match self.retry {
            Some(p) if try_again => {
                if dev.online() {
                    NoticeStep::Retry(p)
                } else {
                    form.error = Some(OFFLINE_MESSAGE.into());
                    NoticeStep::Stay
                }
            }
            Some(p) => NoticeStep::Closed {
                created: dev.reconcile(&p).await.is_some(),
            },
            None => NoticeStep::Closed { created: false },
        }
    }
}

/// The prompt for a new local password when password sync is off: `message` says what it
/// opens, `confirm` and `submit` are each OS's labels.
pub(crate) fn local_password_screen(
    os: Os,
    form: &Form,
    message: &str,
    confirm: &str,
    submit: &str,
) -> Screen {
    let mut s = Screen::new(
        os,
        ScreenKind::CreateLocalPassword,
        "Create a local password",
    );
    s.message = Some(message.into());
    s.fields.push(form.field("New password", true));
    s.fields.push(form.field(confirm, true));
    s.buttons = vec![submit.into(), "Cancel".into()];
    s
}

/// The new local password typed twice into `New password` and `confirm` (password sync
/// off), or `None` with the form saying why.
pub(crate) fn local_password(form: &mut Form, confirm: &str) -> Option<String> {
    let (a, b) = (form.input("New password"), form.input(confirm));
    form.inputs.clear();
    if a.is_empty() {
        form.error = Some("Enter a password.".into());
        None
    } else if a != b {
        form.error = Some("The passwords don't match.".into());
        None
    } else {
        Some(a)
    }
}

/// A TOTP code as an authenticator app shows it: six digits (checked before asking the
/// control plane, which decides whether it is the right one, R45).
fn plausible_totp(code: &str) -> bool {
    code.len() == 6 && code.chars().all(|c| c.is_ascii_digit())
}

/// What the MFA prompt shows after the control plane answered a code (R45); `None` lets the
/// user in.
async fn mfa_refusal(dev: &Device, account: &str, code: &str) -> Option<String> {
    if !plausible_totp(code) {
        return Some("Enter the 6-digit code from your authenticator app.".into());
    }
    let Some(user_id) = dev
        .accounts
        .find(account)
        .and_then(|a| a.jumpcloud_user_id.clone())
    else {
        return Some("This account is not bound to a JumpCloud user.".into());
    };
    match dev.agent.verify_mfa(dev.online(), &user_id, code).await {
        Ok(()) => None,
        Err(CallError::Offline) => {
            Some("Connect to the internet to check your code, then try again.".into())
        }
        Err(e) if refusal_for(&e).code.as_deref() == Some(codes::MFA_CODE_INVALID) => {
            Some(MFA_CODE_WRONG_MESSAGE.into())
        }
        Err(e) => Some(refusal_for(&e).message),
    }
}
