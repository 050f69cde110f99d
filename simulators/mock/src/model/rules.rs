//! The rules every sign-in path shares: device eligibility, user-state refusals, the throttle.

use ssap_api::limits::{THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_SECS};
use ssap_api::{codes, DeviceFacts, JoinState, OrgSettings, Os, User, UserState, WindowsSsapMode};

use super::{DeviceRec, UserRec};
use crate::reply::Reply;

/// Whether a device can provision at all: a workgroup Mac, or a workgroup Windows that is not Home,
/// Server or ARM.
fn supported(f: &DeviceFacts) -> bool {
    if f.join_state != JoinState::Workgroup {
        return false;
    }
    let edition = f.edition.to_ascii_lowercase();
    let arch = f.architecture.trim().to_ascii_lowercase();
    f.os == Os::Macos
        || !(edition.contains("home")
            || edition.contains("server")
            || arch == "arm64"
            || arch == "aarch64")
}

/// Whether self-service provisioning is on for the device: its OS's org toggle, or its windows-ssap
/// policy.
pub(super) fn ssap_enabled(d: &DeviceRec, s: &OrgSettings) -> bool {
    match d.device.facts.os {
        Os::Macos => s.macos_ssap,
        Os::Windows => d.windows_mode.is_some() || s.windows_ssap,
    }
}

/// Whether a user answers MFA at their next login on a device (R45): MFA enforced on them, or
/// an MFA policy bound to the device (macOS and Windows alike). Provisioning never asks.
pub(super) fn mfa_enforced(u: &User, d: Option<&DeviceRec>) -> bool {
    u.mfa_enforced || d.is_some_and(|d| d.mfa_policy.is_some())
}

/// The same order of checks as the reference server: toggle, support, managed users.
pub(super) fn eligibility(d: &DeviceRec, s: &OrgSettings, managed: usize) -> Result<(), Reply> {
    let os = d.device.facts.os;
    if !ssap_enabled(d, s) {
        return Err(Reply::error(
            403,
            codes::SSAP_DISABLED,
            &format!("Self-service account provisioning is turned off for {os} devices"),
        ));
    }
    if !supported(&d.device.facts) {
        return Err(Reply::error(
            403,
            codes::DEVICE_NOT_SUPPORTED,
            "This device does not support self-service account provisioning",
        ));
    }
    let many = os == Os::Windows && d.windows_mode == Some(WindowsSsapMode::MultipleUsers);
    if managed > 0 && !many {
        return Err(Reply::error(
            409,
            codes::DEVICE_HAS_MANAGED_USERS,
            "This device already has a JumpCloud-managed user; ask your admin to bind you to it",
        ));
    }
    Ok(())
}

/// The 403 a user's state earns at sign-in (no password, staged, suspended, locked, expired
/// password), if any.
pub(super) fn state_refusal(u: &UserRec) -> Option<Reply> {
    let f = |code: &str, m: &str| Some(Reply::error(403, code, m));
    // Federated users (R46) have no directory password, and no expiry of one.
    if u.password.is_none() && !u.user.federated {
        return f(
            codes::NO_PASSWORD,
            "Your account has no password yet; ask your admin to set one",
        );
    }
    match u.user.state {
        UserState::Staged => {
            return f(
                codes::USER_STAGED,
                "Your account is not activated yet; contact your admin",
            )
        }
        UserState::Suspended => {
            return f(
                codes::USER_SUSPENDED,
                "Your account is suspended; contact your admin",
            )
        }
        UserState::Active => {}
    }
    if u.user.locked {
        return f(
            codes::USER_LOCKED,
            "Your account is locked; contact your admin",
        );
    }
    if u.user.password_expired && !u.user.federated {
        return f(
            codes::PASSWORD_EXPIRED,
            "Your password has expired; change it in the User Portal, then try again",
        );
    }
    None
}

/// The throttle's sliding window (R42), in ms.
const THROTTLE_WINDOW_MS: i64 = THROTTLE_WINDOW_SECS as i64 * 1000;
/// How long a ticket or a federated state lives, in ms.
pub(super) const TICKET_TTL_MS: i64 = ssap_api::limits::TICKET_TTL_SECS as i64 * 1000;

/// 429 once the device has used up its failed sign-ins in the sliding window (R42), as the
/// reference server: Retry-After is when the oldest of the counted failures leaves it.
pub(super) fn throttled(dev: &DeviceRec, now_ms: i64) -> Option<Reply> {
    let mut recent: Vec<i64> = dev
        .sign_in_failures
        .iter()
        .copied()
        .filter(|&t| t > now_ms - THROTTLE_WINDOW_MS)
        .collect();
    if recent.len() < THROTTLE_MAX_FAILURES {
        return None;
    }
    recent.sort_unstable_by(|a, b| b.cmp(a));
    let oldest = recent[THROTTLE_MAX_FAILURES - 1];
    let wait_ms = (THROTTLE_WINDOW_MS - (now_ms - oldest)).max(0);
    let wait = ((wait_ms + 999) / 1000).max(1);
    Some(
        Reply::error(
            429,
            codes::TOO_MANY_ATTEMPTS,
            &format!("Too many failed sign-ins on this device; try again in {wait} seconds"),
        )
        .with_header(http::header::RETRY_AFTER, http::HeaderValue::from(wait)),
    )
}

/// Counts one failed sign-in of a device and forgets those that left the window.
pub(super) fn record_failure(dev: &mut DeviceRec, now_ms: i64) {
    dev.sign_in_failures
        .retain(|&t| t > now_ms - THROTTLE_WINDOW_MS);
    dev.sign_in_failures.push(now_ms);
}
