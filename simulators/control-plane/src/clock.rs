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

/// Per-org virtual clocks; `None` when the server has none.
#[derive(Clone, Default)]
pub(crate) struct Clock {
    orgs: Option<Arc<Mutex<HashMap<String, OrgClock>>>>,
}

/// One org's clock: its lead over the wall clock in ms, and the wall time it was frozen at,
/// if it stands still.
#[derive(Clone, Copy, Default)]
pub(crate) struct OrgClock {
    offset_ms: i64,
    frozen_at_ms: Option<i64>,
}

impl OrgClock {
    /// The org's time in ms, the wall clock reading `wall_ms`.
    pub fn now_ms(self, wall_ms: i64) -> i64 {
        self.frozen_at_ms
            .unwrap_or(wall_ms)
            .saturating_add(self.offset_ms)
    }

    /// Whether it stands still.
    pub fn frozen(self) -> bool {
        self.frozen_at_ms.is_some()
    }
}

impl Clock {
    /// `virtual_time`: whether admins may move their org's clock.
    pub fn new(virtual_time: bool) -> Self {
        Self {
            orgs: virtual_time.then(Default::default),
        }
    }

    /// The org's time in ms since the epoch.
    pub fn now_ms(&self, org: &str) -> i64 {
        let wall = crate::db::now_ms();
        self.read(org).map_or(wall, |c| c.now_ms(wall))
    }

    /// The org's time in seconds since the epoch (TOTP steps).
    pub fn now_secs(&self, org: &str) -> u64 {
        u64::try_from(self.now_ms(org) / 1000).unwrap_or(0)
    }

    /// The org's clock; `None` without a virtual clock.
    pub fn read(&self, org: &str) -> Option<OrgClock> {
        self.change(org, |_| {})
    }

    /// Moves the org's clock forward; the clock after, or `None` without a virtual clock.
    pub fn advance(&self, org: &str, seconds: u64) -> Option<OrgClock> {
        let step = i64::try_from(seconds)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        self.change(org, |c| c.offset_ms = c.offset_ms.saturating_add(step))
    }

    /// Stops the org's clock where it stands (it moves only when advanced from then on).
    pub fn freeze(&self, org: &str) -> Option<OrgClock> {
        let wall = crate::db::now_ms();
        self.change(org, |c| {
            c.frozen_at_ms.get_or_insert(wall);
        })
    }

    fn change(&self, org: &str, f: impl FnOnce(&mut OrgClock)) -> Option<OrgClock> {
        let orgs = self.orgs.as_ref()?;
        let mut map = orgs.lock().unwrap_or_else(PoisonError::into_inner);
        let c = map.entry(org.to_string()).or_default();
        f(c);
        Some(*c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orgs_move_apart_and_only_with_a_virtual_clock() {
        let clock = Clock::new(true);
        assert!(clock.advance("a", 61).is_some());
        assert!(clock.now_ms("a") - clock.now_ms("b") >= 60_000);
        let wall = Clock::new(false);
        assert!(wall.advance("a", 61).is_none());
        assert!(wall.read("a").is_none());
    }

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let c = OrgClock {
            offset_ms: 0,
            frozen_at_ms: Some(1_000),
        };
        assert_eq!(c.now_ms(5_000), 1_000);
        let clock = Clock::new(true);
        let frozen = clock.freeze("a").map(|c| c.now_ms(i64::MAX));
        let later = clock.advance("a", 600).map(|c| c.now_ms(0));
        assert_eq!(later.zip(frozen).map(|(l, f)| l - f), Some(600_000));
        assert_eq!(clock.read("a").map(OrgClock::frozen), Some(true));
        assert_eq!(clock.read("b").map(OrgClock::frozen), Some(false));
    }
}
