//! What the macOS login window and the Windows credential provider have in common: the form
//! the user types into, JumpCloud's web view and the identity provider's page (R46), the MFA
//! prompt (R45), refusal notices, and what a click asks of the endpoint. Each flow returns an
//! outcome ([`Step`]) that each UI maps to its own views, so `macos/` and `windows/` hold only
//! what differs between the OSes and depend on nothing of each other.

mod form;
mod prompts;
mod web;

pub(crate) use form::Form;
pub(crate) use prompts::{
    local_password, mfa_not_enrolled, mfa_screen, notice_click, notice_screen, submit_mfa,
    NoticeStep, DISABLED_MESSAGE,
};
pub(crate) use web::{
    email_screen, federated_button, federated_idp, idp_screen, password_screen,
    start_federated_login, submit_email, submit_idp, submit_password, Step,
};

/// What the endpoint must do after a click that leaves the login UI's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    None,
    SignOut,
    Reboot,
}
