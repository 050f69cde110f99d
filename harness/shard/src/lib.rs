//! `--shard I/N`: which slice of a run one of several CI machines takes. The suite gives each
//! machine the scenarios [`Shard::owns`] (by feature path and line) and the fleet the devices
//! of [`Shard::slice`] (by global index); either way every machine agrees without talking, and
//! the slices of all shards cover the run exactly once.
//!
//! A crate of its own because the runner and the fleet both take `--shard` and neither should
//! depend on the other for it.

#![warn(missing_docs)]

use std::ops::Range;

/// Slice `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1 to `count`.
    pub index: u32,
    /// How many slices the run is cut into.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("--shard {s:?}: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let index: u32 = i.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if index == 0 || count == 0 || index > count {
            return Err(err());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole run as one slice: what an unsharded run reports as its shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// The contiguous global indices this slice owns out of `devices`; the slices of all
    /// shards cover `0..devices` exactly once.
    pub fn slice(&self, devices: u32) -> Range<u32> {
        let n = u64::from(devices);
        let start = n * u64::from(self.index - 1) / u64::from(self.count);
        let end = n * u64::from(self.index) / u64::from(self.count);
        // Both bounds are at most `devices`, so they fit in u32.
        start as u32..end as u32
    }

    /// Whether this slice runs the scenario at `uri`:`line`: a stable assignment by feature
    /// path and line (FNV-1a), so every machine agrees without talking.
    pub fn owns(&self, uri: &str, line: usize) -> bool {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in uri.bytes().chain(line.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        (h % u64::from(self.count)) as u32 == self.index - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_device_once() {
        for devices in [0u32, 1, 7, 100, 1001] {
            for count in 1..=5u32 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.slice(devices);
                    assert_eq!(r.start, next, "{devices} {index}/{count}");
                    next = r.end;
                }
                assert_eq!(next, devices);
            }
        }
    }

    #[test]
    fn shard_parses_and_refuses() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1-2", "a/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_scenario_has_exactly_one_owner() {
        for count in 1..=4u32 {
            for line in 1..50usize {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.owns("features/x.feature", line))
                    .count();
                assert_eq!(owners, 1, "line {line} of {count} shards");
            }
        }
    }
}
