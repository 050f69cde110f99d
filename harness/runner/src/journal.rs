//! Where a scenario's World leaves what cucumber's events do not carry: the screens after each
//! step, the HTTP exchanges and a log. The World deposits at the end of the scenario (in the
//! `after` hook, which runs before cucumber reports the scenario finished); the collector takes
//! it when it sees that event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ssap_api::Exchange;
use ssap_reports::Screen;

use crate::gherkin_paths::ScenarioKey;

/// What one scenario leaves behind.
#[derive(Debug, Default)]
pub struct Deposit {
    /// (step line, screen after that step).
    pub screens: Vec<(usize, Screen)>,
    /// HTTP exchanges, secrets redacted.
    pub exchanges: Vec<Exchange>,
    /// The scenario's log (seed, org, devices).
    pub log: String,
}

/// Shared between the World (writer side) and the collector (reader side).
#[derive(Debug, Clone, Default)]
pub struct Journal(Arc<Mutex<HashMap<ScenarioKey, Deposit>>>);

impl Journal {
    /// Leaves `deposit` for the scenario at `key` (a retry's replaces the earlier one).
    pub fn deposit(&self, key: ScenarioKey, deposit: Deposit) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, deposit);
        }
    }

    /// Takes what the scenario at `key` left; empty when it left nothing.
    pub fn take(&self, key: &ScenarioKey) -> Deposit {
        self.0
            .lock()
            .ok()
            .and_then(|mut map| map.remove(key))
            .unwrap_or_default()
    }
}
