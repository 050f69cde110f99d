//! What the macOS login window and the Windows credential provider have in common: the form
//! the user types into, JumpCloud's web view and the identity provider's page (R46), the MFA
//! prompt (R45), refusal notices, and what a click asks of the endpoint. Each flow returns an
//! outcome ([`Step`]) that each UI maps to its own views, so `macos/` and `windows/` hold only
//! what differs between the OSes and depend on nothing of each other.

mod form;
pub(crate) mod prompts;
mod web;

pub(crate) use form::Form;
pub(crate) use prompts::{
    local_password, local_password_screen, login_next, mfa_screen, submit_mfa, LoginNext, Notice,
    NoticeStep,
};
pub(crate) use web::{federated_button, federated_idp, start_federated_login, Step, WebPage};

use crate::device::Device;
use crate::screen::Tile;

/// A tile per local account, by full name; `badges`: managed accounts show the JumpCloud
/// badge (only macOS's JumpCloud window has one).
pub(crate) fn account_tiles(dev: &Device, selected: Option<&str>, badges: bool) -> Vec<Tile> {
    dev.accounts
        .all()
        .iter()
        .map(|a| Tile {
            label: a.full_name.clone(),
            account: Some(a.name.clone()),
            managed: badges && a.managed,
            selected: selected == Some(a.name.as_str()),
        })
        .collect()
}

/// What the endpoint must do after a click that leaves the login UI's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    None,
    SignOut,
    Reboot,
}
