//! The step library. Steps are thin: they translate Gherkin into admin calls, endpoint clicks
//! and assertions; the behaviour lives in the simulators and the control plane.
//!
//! - [`api`]: the API explorer's actions as steps, compared with a second implementation.
//! - [`admin`]: org settings, directory users, binds, policies; control-plane assertions.
//! - [`credentials`]: pages that ask for a local password, a re-confirmed password, a PIN.
//! - [`device`]: building devices and driving their screens.
//! - [`screen`]: assertions on what a device shows and holds.
//! - [`faults`]: scripted control-plane faults (mock mode, or `@faults` via a fault proxy).
//! - [`federation`]: the scenario's mock identity provider and federated users (R46).
//! - [`fleet`]: several devices and users at once (toggle rollback).
//! - [`isolation`]: a second org against this scenario's device.
//! - [`mfa`]: MFA enrolment in the User Portal and codes from the user's authenticator (R45).
//! - [`network`]: networks in and out of range, without internet, cables (R12, R13).
//! - [`refusals`]: two sign-in attempts compared (R62).
//! - [`time`]: time passing on the control plane's virtual clock (throttle windows, tickets).

pub mod admin;
pub mod api;
pub mod credentials;
pub mod device;
pub mod faults;
pub mod federation;
pub mod fleet;
pub mod isolation;
pub mod mfa;
pub mod network;
pub mod refusals;
pub mod screen;
pub mod time;

use std::fmt;

/// A step's failure. Displays the whole error chain, because cucumber shows only `Display`
/// and the cause ("HTTP 409 conflict: ...") is usually the useful part.
#[derive(Debug)]
pub struct StepFailure(anyhow::Error);

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl<E: Into<anyhow::Error>> From<E> for StepFailure {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

/// What every step returns.
pub type StepResult = Result<(), StepFailure>;

/// Fails the step with a formatted message.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => {
        return Err($crate::steps::StepFailure::from(anyhow::anyhow!($($arg)*)))
    };
}

/// Parses "on"/"off" and friends as written in steps.
pub fn on_off(word: &str) -> anyhow::Result<bool> {
    match word {
        "on" | "enabled" => Ok(true),
        "off" | "disabled" => Ok(false),
        other => Err(anyhow::anyhow!("expected on or off, found {other:?}")),
    }
}
