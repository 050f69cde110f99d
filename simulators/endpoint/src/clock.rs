//! A virtual millisecond clock: simulators advance it instead of sleeping, so a scenario that
//! "waits 30 seconds for Retry-After" runs in no time and always the same way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Milliseconds since the simulated device was first powered on. Clones share one counter,
/// so the agent, the login window and the steps all see the same time.
#[derive(Debug, Clone, Default)]
pub struct VirtualClock(Arc<AtomicU64>);

impl VirtualClock {
    /// A clock at 0 ms.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current virtual time in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Moves time forward; used where a real device would wait (Retry-After, back-off).
    pub fn advance_ms(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Moves time forward by whole seconds.
    pub fn advance_secs(&self, secs: u64) {
        self.advance_ms(secs.saturating_mul(1000));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_time() {
        let a = VirtualClock::new();
        let b = a.clone();
        a.advance_ms(250);
        b.advance_secs(2);
        assert_eq!(a.now_ms(), 2250);
        assert_eq!(b.now_ms(), 2250);
    }
}
