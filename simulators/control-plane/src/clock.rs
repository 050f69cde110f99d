//! The clock time-bound rules read: the sign-in throttle's window (R42), ticket and
//! federated-state expiry, MFA codes (R45). A server started for testing gives every org a
//! virtual clock an admin can move forward (`POST /api/admin/clock/advance`), so a scenario
//! lets 61 seconds pass without sleeping; orgs are apart, so scenarios running side by side
//! in one server never move each other's time. Elsewhere it is the wall clock.
//!
//! Audit times and identity-provider tokens stay on the wall clock: the audit log records
//! when things really happened, and a token's issuer reads its own clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Per-org offsets from the wall clock, in ms; `None` when the server has no virtual clock.
#[derive(Clone, Default)]
pub(crate) struct Clock {
    offsets: Option<Arc<Mutex<HashMap<String, i64>>>>,
}

impl Clock {
    /// `virtual_time`: whether admins may move their org's clock.
    pub fn new(virtual_time: bool) -> Self {
        Self {
            offsets: virtual_time.then(Default::default),
        }
    }

    /// The org's time in ms since the epoch.
    pub fn now_ms(&self, org: &str) -> i64 {
        crate::db::now_ms().saturating_add(self.offset_ms(org).unwrap_or(0))
    }

    /// The org's time in seconds since the epoch (TOTP steps).
    pub fn now_secs(&self, org: &str) -> u64 {
        u64::try_from(self.now_ms(org) / 1000).unwrap_or(0)
    }

    /// How far the org's clock runs ahead; `None` without a virtual clock.
    pub fn offset_ms(&self, org: &str) -> Option<i64> {
        let offsets = self.offsets.as_ref()?;
        let map = offsets.lock().unwrap_or_else(PoisonError::into_inner);
        Some(map.get(org).copied().unwrap_or(0))
    }

    /// Moves the org's clock forward; the new offset, or `None` without a virtual clock.
    pub fn advance(&self, org: &str, seconds: u64) -> Option<i64> {
        let offsets = self.offsets.as_ref()?;
        let mut map = offsets.lock().unwrap_or_else(PoisonError::into_inner);
        let step = i64::try_from(seconds)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let offset = map.entry(org.to_string()).or_insert(0);
        *offset = offset.saturating_add(step);
        Some(*offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orgs_move_apart_and_only_with_a_virtual_clock() {
        let clock = Clock::new(true);
        assert_eq!(clock.advance("a", 61), Some(61_000));
        assert_eq!(clock.offset_ms("a"), Some(61_000));
        assert_eq!(clock.offset_ms("b"), Some(0));
        assert!(clock.now_ms("a") - clock.now_ms("b") >= 60_000);
        let wall = Clock::new(false);
        assert_eq!(wall.advance("a", 61), None);
        assert_eq!(wall.offset_ms("a"), None);
    }
}
