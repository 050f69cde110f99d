//! One device's whole first-use flow through the screen model, as a person would do it, and
//! the compact record kept of it once the [`Endpoint`] is dropped.
//!
//! macOS (R20): power on -> Sign in with JumpCloud -> Email -> Continue -> Password -> Login
//! -> (provisioning) -> the new tile -> Password -> Log In -> setup prompts -> desktop.
//! Windows (R31): power on -> the Sign in with JumpCloud tile -> Click here to sign in ->
//! Email -> Continue -> Password -> Login -> re-confirm Password -> Next -> PIN, Confirm PIN
//! -> OK -> (provisioning) -> desktop.

use ssap_api::Os;
use ssap_endpoint::{Endpoint, EndpointError, Screen, ScreenKind};

use crate::naming::FleetNames;

/// How many times a user clicks Try Again when a notice offers it (a lost reply, a 5xx).
const TRY_AGAIN: usize = 3;
/// Setup prompts clicked through at most (macOS has three).
const MAX_SETUP_STEPS: usize = 10;

/// What is kept per device for the verification: one line of a temporary file (see
/// [`crate::records`]) instead of a whole endpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceRecord {
    /// The device's global index: its names and facts derive from it.
    pub index: u32,
    /// The device's OS.
    pub os: Os,
    /// The control plane's id, once registered.
    pub device_id: Option<Box<str>>,
    /// The managed local account (the first, if there are several).
    pub local_name: Option<Box<str>>,
    /// The JumpCloud user that account is bound to.
    pub user_id: Option<Box<str>>,
    /// How many JumpCloud-managed local accounts the device ended with (1 when all is well).
    pub managed_accounts: u8,
    /// Why the flow stopped before the desktop; `None` when the user got there.
    pub stopped: Option<Box<str>>,
}

/// Runs device `i`'s flow to the end (or to where it stops) and records the outcome. Never
/// panics and never returns early without a record: a failure is an outcome to count.
pub async fn run_device(ep: &mut Endpoint, names: &FleetNames, i: u32) -> DeviceRecord {
    let os = ep.os();
    let stopped = match os {
        Os::Macos => macos(ep, names, i).await,
        Os::Windows => windows(ep, names, i).await,
    }
    .err();
    record(ep, i, stopped)
}

fn record(ep: &Endpoint, index: u32, stopped: Option<String>) -> DeviceRecord {
    let mut managed = ep.accounts().all().iter().filter(|a| a.managed);
    let first = managed.next();
    let count = 1 + managed.count();
    DeviceRecord {
        index,
        os: ep.os(),
        device_id: ep.device_id().map(Box::from),
        local_name: first.map(|a| Box::from(a.name.as_str())),
        user_id: first.and_then(|a| a.jumpcloud_user_id.as_deref().map(Box::from)),
        managed_accounts: if first.is_some() {
            u8::try_from(count).unwrap_or(u8::MAX)
        } else {
            0
        },
        stopped: stopped.map(String::into_boxed_str),
    }
}

async fn macos(ep: &mut Endpoint, names: &FleetNames, i: u32) -> Result<(), String> {
    power_on(ep).await?;
    let (email, password) = (names.email(i), names.password(i));
    click(ep, "Sign in with JumpCloud").await?;
    type_into(ep, "Email", &email)?;
    click(ep, "Continue").await?;
    type_into(ep, "Password", &password)?;
    click(ep, "Login").await?;
    let name = provisioned(ep).await?;
    // First login into the new account (R20): its tile, the password, the setup prompts.
    click(ep, &name).await?;
    type_into(ep, "Password", &password)?;
    click(ep, "Log In").await?;
    for _ in 0..MAX_SETUP_STEPS {
        if ep.screen().kind != ScreenKind::SetupAssistant {
            break;
        }
        click(ep, "Continue").await?;
    }
    logged_in_as(ep, &name)
}

async fn windows(ep: &mut Endpoint, names: &FleetNames, i: u32) -> Result<(), String> {
    power_on(ep).await?;
    let (email, password, pin) = (names.email(i), names.password(i), names.pin(i));
    click(ep, "Sign in with JumpCloud").await?;
    click(ep, "Click here to sign in").await?;
    type_into(ep, "Email", &email)?;
    click(ep, "Continue").await?;
    type_into(ep, "Password", &password)?;
    click(ep, "Login").await?;
    // Re-confirm the directory password, then create the PIN (R31, R32).
    type_into(ep, "Password", &password)?;
    click(ep, "Next").await?;
    type_into(ep, "PIN", &pin)?;
    type_into(ep, "Confirm PIN", &pin)?;
    click(ep, "OK").await?;
    let name = provisioned(ep).await?;
    logged_in_as(ep, &name)
}

async fn power_on(ep: &mut Endpoint) -> Result<(), String> {
    match ep.power_on().await {
        Ok(()) => Ok(()),
        Err(EndpointError::Registration(e)) => Err(format!("registration refused: {e}")),
        Err(e) => Err(format!("power on: {e}")),
    }
}

/// After the provisioning click: Try Again while a notice offers it, then the new managed
/// account's name, or why there is none.
async fn provisioned(ep: &mut Endpoint) -> Result<String, String> {
    for _ in 0..TRY_AGAIN {
        let s = ep.screen();
        if s.kind == ScreenKind::Notice && s.has_button("Try Again") {
            click(ep, "Try Again").await?;
        } else {
            break;
        }
    }
    ep.accounts()
        .all()
        .iter()
        .find(|a| a.managed)
        .map(|a| a.name.clone())
        .ok_or_else(|| match reason(&ep.screen()) {
            Some(r) => r,
            None => format!("no account created ({})", ep.screen().describe()),
        })
}

fn logged_in_as(ep: &Endpoint, name: &str) -> Result<(), String> {
    match ep.logged_in_user() {
        Some(u) if u == name => Ok(()),
        _ => Err(format!(
            "provisioned, but not logged in ({})",
            reason(&ep.screen()).unwrap_or_else(|| ep.screen().describe())
        )),
    }
}

async fn click(ep: &mut Endpoint, label: &str) -> Result<(), String> {
    match ep.click(label).await {
        Ok(()) => Ok(()),
        Err(e) => Err(ui_failure(ep, label, &e)),
    }
}

fn type_into(ep: &mut Endpoint, field: &str, text: &str) -> Result<(), String> {
    match ep.type_into(field, text) {
        Ok(()) => Ok(()),
        Err(e) => Err(ui_failure(ep, field, &e)),
    }
}

/// Why the flow could not go on: what the screen says if it says something (a refusal),
/// else which control was missing where.
fn ui_failure(ep: &Endpoint, control: &str, e: &ssap_endpoint::UiError) -> String {
    let s = ep.screen();
    reason(&s).unwrap_or_else(|| match e {
        ssap_endpoint::UiError::PoweredOff => "powered off".to_string(),
        _ => format!("no {control:?} on the {}", s.describe()),
    })
}

/// The refusal a screen shows, with numbers and ids folded to `N` so that reasons group (a message
/// naming "Fleet User 12" and one naming "Fleet User 13" are the same reason).
pub fn reason(s: &Screen) -> Option<String> {
    let text = s.error.as_deref()?;
    let full = if s.kind == ScreenKind::Notice && !text.starts_with(s.title.as_str()) {
        format!("{}: {text}", s.title)
    } else {
        format!("{}: {text}", s.describe())
    };
    Some(fold_numbers(&full))
}

/// Replaces every number and id with `N`: each run of ASCII letters, digits and hyphens that
/// holds a digit (`12`, `R42`, a device's UUID). Folding digits alone turned each UUID into a
/// string of its own (`NaNf-dN-...`), so every unverified device made its own reason.
pub fn fold_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric() || c == '-') {
        out.push_str(&rest[..start]);
        let token = &rest[start..];
        let len = token
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(token.len());
        let word = &token[..len];
        if word.bytes().any(|b| b.is_ascii_digit()) {
            out.push('N');
        } else {
            out.push_str(word);
        }
        rest = &token[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ids_fold_so_reasons_group() {
        assert_eq!(
            fold_numbers("Account already exists. Fleet User 12. Try in 30 s"),
            "Account already exists. Fleet User N. Try in N s"
        );
        assert_eq!(fold_numbers(""), "");
        // A device id is one N, so every unverified device shares one reason.
        assert_eq!(
            fold_numbers(
                "not verified: GET /api/admin/devices/0194a5f2-7c1e-7b3a-9e4d-1a2b3c4d5e6f/associations: HTTP 503"
            ),
            "not verified: GET /api/admin/devices/N/associations: HTTP N"
        );
        assert_eq!(fold_numbers("one-time code, R42"), "one-time code, N");
        assert_eq!(fold_numbers("Größe 3 ü"), "Größe N ü");
    }

    #[test]
    fn a_notice_reason_names_its_title_once() {
        let mut s = Screen::new(Os::Macos, ScreenKind::Notice, "Can't sign in");
        assert_eq!(reason(&s), None);
        s.error = Some("Your JumpCloud account is suspended. Contact your admin.".into());
        assert_eq!(
            reason(&s).as_deref(),
            Some("Can't sign in: Your JumpCloud account is suspended. Contact your admin.")
        );
    }
}
