//! Device-agent routes: registration (`x-connect-key`), then everything else with the
//! per-device credential (`x-device-key`):
//!
//! - [`registration`]: `POST /api/device/register`;
//! - [`login_window`]: what the login window shows (`GET /api/device/login-window`) and the
//!   device's associations;
//! - [`sign_in`]: checking a directory password for a ticket (`POST /api/device/authenticate`),
//!   with the throttle and the lock after wrong passwords;
//! - [`provision`]: redeeming the ticket for an association, and endpoint-side refusal reports;
//! - [`refusals`]: the refusals and audit outcomes the sign-in routes share (federated and MFA
//!   included).

mod login_window;
mod provision;
mod refusals;
mod registration;
mod sign_in;

pub(crate) use login_window::{associations, login_window};
pub(crate) use provision::{provision, report_attempt};
pub(crate) use refusals::{refusal_error, user_state_refusal, REFUSED, SUCCESS};
pub(crate) use registration::register;
pub(crate) use sign_in::{authenticate, authenticated, too_many_attempts, TICKET_TTL_MS};
