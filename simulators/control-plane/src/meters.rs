//! Counts of the work an org's device sign-ins did, on a server started for testing (the
//! same servers that have a virtual clock): `GET /api/admin/sign-in-work`. R62 says a refusal
//! before proof comes "after the same work" whoever was named; timings on a shared machine are
//! too noisy to assert, so tests count the work itself: one password-hash check per attempt,
//! against a dummy hash when the email is unknown or has no password.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Per-org counts; `None` on a production server, which keeps no such counters.
#[derive(Clone, Default)]
pub(crate) struct Meters {
    password_checks: Option<Arc<Mutex<HashMap<String, u64>>>>,
}

impl Meters {
    /// `on`: whether the server was started for testing.
    pub fn new(on: bool) -> Self {
        Self {
            password_checks: on.then(Default::default),
        }
    }

    /// A device sign-in of the org checked a password against a hash.
    pub fn password_checked(&self, org: &str) {
        if let Some(counts) = &self.password_checks {
            let mut map = counts.lock().unwrap_or_else(PoisonError::into_inner);
            *map.entry(org.to_string()).or_insert(0) += 1;
        }
    }

    /// How many password hashes the org's device sign-ins have checked; `None` when the server
    /// keeps no counters.
    pub fn password_checks(&self, org: &str) -> Option<u64> {
        let counts = self.password_checks.as_ref()?;
        let map = counts.lock().unwrap_or_else(PoisonError::into_inner);
        Some(map.get(org).copied().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::Meters;

    #[test]
    fn orgs_count_apart_and_only_on_a_test_server() {
        let m = Meters::new(true);
        m.password_checked("a");
        m.password_checked("a");
        m.password_checked("b");
        assert_eq!(m.password_checks("a"), Some(2));
        assert_eq!(m.password_checks("b"), Some(1));
        assert_eq!(m.password_checks("c"), Some(0));
        let off = Meters::new(false);
        off.password_checked("a");
        assert_eq!(off.password_checks("a"), None);
    }
}
