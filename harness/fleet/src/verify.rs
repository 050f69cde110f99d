//! After the flow: ask the control plane (as the org's admin) for every device's associations
//! and hold them against what the device's local account store ended with. Every device lands
//! in exactly one bucket, so nothing is hidden: duplicates and half-made accounts are counted.

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ssap_api::{AdminClient, Association};
use ssap_endpoint::local_name_for;

use crate::flow::DeviceRecord;
use crate::naming::FleetNames;
use crate::records::RecordReader;

/// How many distinct refusal reasons are listed before the rest are counted as "other".
const MAX_REASONS: usize = 32;

/// What one device turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// One association, one managed local account, and they agree (user and name).
    Provisioned,
    /// Nothing on either side: the flow was refused, cleanly.
    Refused(String),
    /// More than one association or more than one managed local account on the device.
    Duplicate,
    /// An association without a local account, or a local account without an association.
    HalfMade,
    /// One of each, but for different users or under another name than the OS rules give.
    Mismatched,
    /// The control plane could not be asked (the reason says why).
    Unverified(String),
}

/// Classifies one device from its record and the control plane's associations for it.
pub fn classify(rec: &DeviceRecord, assocs: &[Association]) -> Verdict {
    let local = rec.managed_accounts;
    match (assocs.len(), local) {
        (n, l) if n > 1 || l > 1 => Verdict::Duplicate,
        (0, 0) => Verdict::Refused(
            rec.stopped
                .as_deref()
                .unwrap_or("no account and no association, for no reason shown")
                .to_string(),
        ),
        (1, 1) => {
            let a = &assocs[0];
            let expected = local_name_for(rec.os, &a.username, a.system_username.as_deref()).ok();
            let same_user = rec.user_id.as_deref() == Some(a.user_id.as_str());
            let same_name = match (expected.as_deref(), rec.local_name.as_deref()) {
                (Some(e), Some(l)) => ssap_endpoint::rules::names_match(rec.os, e, l),
                _ => false,
            };
            if same_user && same_name {
                Verdict::Provisioned
            } else {
                Verdict::Mismatched
            }
        }
        _ => Verdict::HalfMade,
    }
}

/// Counts of every verdict, plus the devices that got their account but not to the desktop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Devices with one association and one matching managed local account.
    pub provisioned: u64,
    /// Devices with neither.
    pub refused: u64,
    /// Devices with more than one of either, or whose user is bound elsewhere too.
    pub duplicates: u64,
    /// Devices with one without the other.
    pub half_made: u64,
    /// Devices with one of each, for another user or under another name.
    pub mismatched: u64,
    /// Devices the control plane could not be asked about.
    pub unverified: u64,
    /// Provisioned and consistent, but the first login did not reach the desktop.
    pub incomplete: u64,
    /// Why devices were refused, stopped or could not be checked.
    pub reasons: BTreeMap<String, u64>,
}

/// The users bound so far, shared by the verification workers, to catch one user bound on two
/// devices (each device had its own user). The fleet's own users (`<tag>-<i>` with `i` in the
/// run's slice) take one bit each, so this stays small for a million devices; any other
/// username (which would itself be a bug) is remembered by its hash.
#[derive(Debug)]
pub struct SeenUsers {
    prefix: String,
    slice: Range<u32>,
    bits: Mutex<Vec<u64>>,
    others: Mutex<HashSet<u64>>,
}

impl SeenUsers {
    /// Nobody seen yet, for the fleet users of `slice`.
    pub fn new(names: &FleetNames, slice: Range<u32>) -> Self {
        let words = slice.len().div_ceil(64);
        Self {
            prefix: format!("{}-", names.tag()),
            slice,
            bits: Mutex::new(vec![0; words]),
            others: Mutex::new(HashSet::new()),
        }
    }

    /// False when the user was already seen on another device.
    fn first_time(&self, username: &str) -> bool {
        let index = username
            .strip_prefix(self.prefix.as_str())
            .filter(|digits| !digits.starts_with('0') || *digits == "0")
            .and_then(|digits| digits.parse::<u32>().ok())
            .filter(|i| self.slice.contains(i));
        match index {
            Some(i) => {
                let bit = (i - self.slice.start) as usize;
                let mut bits = self.bits.lock().unwrap_or_else(|p| p.into_inner());
                let (word, mask) = (bit / 64, 1u64 << (bit % 64));
                let first = bits[word] & mask == 0;
                bits[word] |= mask;
                first
            }
            None => {
                let mut h = DefaultHasher::new();
                username.hash(&mut h);
                // A poisoned set only means another worker panicked; keep counting.
                let mut others = self.others.lock().unwrap_or_else(|p| p.into_inner());
                others.insert(h.finish())
            }
        }
    }
}

impl Tally {
    /// Counts one device. A user already bound on another device makes it a duplicate,
    /// whatever else it looks like.
    pub fn add(
        &mut self,
        rec: &DeviceRecord,
        verdict: Verdict,
        assocs: &[Association],
        seen: &SeenUsers,
    ) {
        let mut shared_user = false;
        for a in assocs {
            shared_user |= !seen.first_time(&a.username);
        }
        let verdict = if shared_user {
            Verdict::Duplicate
        } else {
            verdict
        };
        match verdict {
            Verdict::Provisioned => {
                self.provisioned += 1;
                if let Some(why) = rec.stopped.as_deref() {
                    self.incomplete += 1;
                    self.reason(why);
                }
            }
            Verdict::Refused(why) => {
                self.refused += 1;
                self.reason(&why);
            }
            Verdict::Duplicate => self.duplicates += 1,
            Verdict::HalfMade => self.half_made += 1,
            Verdict::Mismatched => self.mismatched += 1,
            Verdict::Unverified(why) => {
                self.unverified += 1;
                self.reason(&format!("not verified: {why}"));
            }
        }
    }

    fn reason(&mut self, why: &str) {
        if self.reasons.len() >= MAX_REASONS && !self.reasons.contains_key(why) {
            *self.reasons.entry("other".into()).or_default() += 1;
        } else {
            *self.reasons.entry(why.to_string()).or_default() += 1;
        }
    }

    /// Adds another worker's tally.
    pub fn merge(&mut self, other: Tally) {
        self.provisioned += other.provisioned;
        self.refused += other.refused;
        self.duplicates += other.duplicates;
        self.half_made += other.half_made;
        self.mismatched += other.mismatched;
        self.unverified += other.unverified;
        self.incomplete += other.incomplete;
        for (k, v) in other.reasons {
            if self.reasons.len() >= MAX_REASONS && !self.reasons.contains_key(&k) {
                *self.reasons.entry("other".into()).or_default() += v;
            } else {
                *self.reasons.entry(k).or_default() += v;
            }
        }
    }

    /// Every device counted once.
    pub fn total(&self) -> u64 {
        self.provisioned
            + self.refused
            + self.duplicates
            + self.half_made
            + self.mismatched
            + self.unverified
    }
}

/// Checks records against the control plane until none are left; several workers share
/// `records`, each taking the next.
pub async fn verify(
    admin: &AdminClient,
    records: &RecordReader,
    seen: &SeenUsers,
    done: &AtomicU64,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    while let Some(rec) = records.next_record() {
        let rec = &rec?;
        let (verdict, assocs) = match rec.device_id.as_deref() {
            // Never registered: nothing can exist on the control plane for it, but a local
            // account could (that would be half-made).
            None if rec.managed_accounts == 0 => (
                Verdict::Refused(
                    rec.stopped
                        .as_deref()
                        .unwrap_or("not registered")
                        .to_string(),
                ),
                Vec::new(),
            ),
            None => (Verdict::HalfMade, Vec::new()),
            Some(id) => match admin.associations(id).await {
                Ok(assocs) => (classify(rec, &assocs), assocs),
                Err(e) => (
                    Verdict::Unverified(crate::flow::fold_numbers(&e.to_string())),
                    Vec::new(),
                ),
            },
        };
        tally.add(rec, verdict, &assocs, seen);
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssap_api::{BindSource, Os, PermissionLevel};

    fn rec(managed: u8, user: Option<&str>, name: Option<&str>) -> DeviceRecord {
        DeviceRecord {
            index: 0,
            os: Os::Macos,
            device_id: Some("d1".into()),
            local_name: name.map(Box::from),
            user_id: user.map(Box::from),
            managed_accounts: managed,
            stopped: None,
        }
    }

    fn assoc(user: &str, username: &str) -> Association {
        Association {
            device_id: "d1".into(),
            user_id: user.into(),
            username: username.into(),
            system_username: None,
            display_name: "X".into(),
            permission: PermissionLevel::Standard,
            source: BindSource::SelfService,
            password_sync: true,
            mfa_enforced: false,
            mfa_enrolled: false,
            local_name: None,
            disabled: false,
        }
    }

    #[test]
    fn every_combination_lands_in_one_bucket() {
        let ok = rec(1, Some("u1"), Some("ann"));
        assert_eq!(classify(&ok, &[assoc("u1", "ann")]), Verdict::Provisioned);
        assert_eq!(classify(&ok, &[assoc("u2", "ann")]), Verdict::Mismatched);
        assert_eq!(classify(&ok, &[assoc("u1", "bob")]), Verdict::Mismatched);
        assert_eq!(classify(&ok, &[]), Verdict::HalfMade);
        assert_eq!(
            classify(&ok, &[assoc("u1", "ann"), assoc("u2", "bob")]),
            Verdict::Duplicate
        );
        assert_eq!(
            classify(&rec(2, Some("u1"), Some("ann")), &[assoc("u1", "ann")]),
            Verdict::Duplicate
        );
        assert_eq!(
            classify(&rec(0, None, None), &[assoc("u1", "ann")]),
            Verdict::HalfMade
        );
        let mut refused = rec(0, None, None);
        refused.stopped = Some("Can't sign in".into());
        assert_eq!(
            classify(&refused, &[]),
            Verdict::Refused("Can't sign in".into())
        );
    }

    #[test]
    fn one_user_on_two_devices_is_a_duplicate_and_totals_add_up() {
        let ok = rec(1, Some("u1"), Some("ann"));
        let a = [assoc("u1", "ann")];
        let seen = SeenUsers::new(&FleetNames::new(1, 0.5), 0..10);
        let mut t = Tally::default();
        t.add(&ok, classify(&ok, &a), &a, &seen);
        let mut other = Tally::default();
        other.add(&ok, classify(&ok, &a), &a, &seen);
        t.merge(other);
        assert_eq!(t.provisioned, 1);
        assert_eq!(t.duplicates, 1, "the second device with the same user");
        let refused = rec(0, None, None);
        t.add(&refused, classify(&refused, &[]), &[], &seen);
        assert_eq!(t.refused, 1);
        assert_eq!(t.total(), 3, "every device counted once");
    }

    #[test]
    fn fleet_users_are_seen_once_each_by_their_bit() {
        let names = FleetNames::new(7, 0.5);
        let seen = SeenUsers::new(&names, 100..300);
        assert!(seen.first_time(&names.username(100)));
        assert!(seen.first_time(&names.username(299)));
        assert!(seen.first_time(&names.username(163)));
        assert!(!seen.first_time(&names.username(163)), "the second device");
        assert!(!seen.first_time(&names.username(299)));
        // Outside the slice, or not the fleet's shape: remembered by hash, still once each.
        let zero_padded = format!("{}-0163", names.tag());
        for other in [names.username(300), zero_padded, "ann".to_string()] {
            assert!(seen.first_time(&other), "{other}");
            assert!(!seen.first_time(&other), "{other} twice");
        }
    }
}
