//! Thresholds of the contract. The reference server and the mock's model both enforce them
//! (each with its own code: the rules stay written twice on purpose), and the step reference
//! prints them, so the number lives here once.

/// Consecutive wrong passwords that lock a directory user, as the directory's own login does
/// (R42); audited as `user.lock`.
pub const LOCK_AFTER_WRONG_PASSWORDS: u32 = 5;

/// Failed sign-ins (wrong or unknown credentials, refused identity-provider answers, wrong or
/// replayed MFA codes) one device may make within [`THROTTLE_WINDOW_SECS`] before its next
/// sign-ins are refused with HTTP 429 `too_many_attempts` and Retry-After (R42).
pub const THROTTLE_MAX_FAILURES: usize = 10;

/// The window of [`THROTTLE_MAX_FAILURES`], in seconds.
pub const THROTTLE_WINDOW_SECS: u64 = 60;

/// How long a sign-in ticket (password or identity provider, R46) may be used to provision or
/// log in, in seconds; the federated sign-in state lives as long.
pub const TICKET_TTL_SECS: u64 = 600;

/// The most one `POST /api/admin/clock/advance` may move an org's virtual clock: a year.
pub const MAX_CLOCK_ADVANCE_SECS: u64 = 365 * 24 * 60 * 60;
