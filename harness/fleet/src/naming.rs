//! Who is who in a fleet: every name comes from the seed and the device's *global* index, so
//! the slices of a sharded run (`--shard I/N`) never collide even in one org, and a rerun with
//! the same seed rebuilds the same fleet.

use ssap_api::{NewUser, Os};
use ssap_endpoint::DeviceSpec;

/// Names, secrets and device facts of a fleet, all derived from the seed and global index.
#[derive(Debug, Clone)]
pub struct FleetNames {
    tag: String,
    /// Windows devices per million.
    windows_ppm: u64,
}

/// Characters of the seed tag: lowercase letters and digits, valid in every OS's account names.
const TAG_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const TAG_LEN: usize = 5;

impl FleetNames {
    /// `windows_share` is clamped to 0..=1.
    pub fn new(seed: u64, windows_share: f64) -> Self {
        // splitmix64, so neighbouring seeds get unrelated tags.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // First character a letter: macOS short names must start with one.
        let mut tag = String::with_capacity(TAG_LEN);
        tag.push(char::from(TAG_ALPHABET[(z % 26) as usize]));
        z /= 26;
        for _ in 1..TAG_LEN {
            tag.push(char::from(TAG_ALPHABET[(z % 36) as usize]));
            z /= 36;
        }
        let share = if windows_share.is_nan() {
            0.0
        } else {
            windows_share.clamp(0.0, 1.0)
        };
        Self {
            tag,
            windows_ppm: (share * 1_000_000.0).round() as u64,
        }
    }

    /// The same fleet's shape under another tag (its first letter moved on by one), so its
    /// users and devices never meet this fleet's: the client floor's second set of devices.
    pub fn other(&self) -> Self {
        let mut tag = self.tag.clone().into_bytes();
        tag[0] = b'a' + (tag[0] - b'a' + 1) % 26;
        Self {
            tag: String::from_utf8(tag).unwrap_or_else(|_| self.tag.clone()),
            windows_ppm: self.windows_ppm,
        }
    }

    /// Five characters standing for the seed in every name.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Which OS device `i` runs. Spread evenly: exactly round(share * n) of any first n
    /// devices (to within one) are Windows, whatever the slice.
    pub fn os(&self, i: u32) -> Os {
        let i = u64::from(i);
        if (i + 1) * self.windows_ppm / 1_000_000 > i * self.windows_ppm / 1_000_000 {
            Os::Windows
        } else {
            Os::Macos
        }
    }

    /// Directory username of device `i`'s user: at most 17 characters, lowercase, starting
    /// with a letter, so it is a valid local account name on both OSes (R39).
    pub fn username(&self, i: u32) -> String {
        format!("{}-{i}", self.tag)
    }

    /// The directory email of device `i`'s user.
    pub fn email(&self, i: u32) -> String {
        format!("{}-{i}@fleet.example", self.tag)
    }

    /// The user's directory password (deterministic: this is a load test, not a secret).
    pub fn password(&self, i: u32) -> String {
        format!("Fleet-{}-{i}!", self.tag)
    }

    /// The Windows Hello PIN the user creates (R32: at least 6 characters).
    pub fn pin(&self, i: u32) -> String {
        format!("{:06}", 100_000 + i % 900_000)
    }

    /// The admin API request creating device `i`'s user.
    pub fn new_user(&self, i: u32) -> NewUser {
        NewUser {
            email: self.email(i),
            username: self.username(i),
            firstname: "Fleet".into(),
            lastname: format!("User {i}"),
            password: Some(self.password(i)),
            ..Default::default()
        }
    }

    /// Hardware facts of device `i`, unique across seeds and slices.
    pub fn spec(&self, i: u32) -> DeviceSpec {
        match self.os(i) {
            Os::Macos => {
                let mut s = DeviceSpec::macos(i);
                s.hostname = format!("mac-{}-{i}", self.tag);
                s.serial = format!("C02{}{i:07}", self.tag.to_ascii_uppercase());
                s
            }
            Os::Windows => {
                let mut s = DeviceSpec::windows(i);
                s.hostname = format!("win-{}-{i}", self.tag);
                s.serial = format!("W{}{i:08}", self.tag.to_ascii_uppercase());
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssap_endpoint::local_name_for;

    #[test]
    fn windows_share_is_exact_and_spread() {
        let n = FleetNames::new(1, 0.3);
        let win = (0..1000).filter(|&i| n.os(i) == Os::Windows).count();
        assert_eq!(win, 300);
        let first = (0..10).filter(|&i| n.os(i) == Os::Windows).count();
        assert_eq!(first, 3);
        assert!((0..50).all(|i| FleetNames::new(1, 0.0).os(i) == Os::Macos));
        assert!((0..50).all(|i| FleetNames::new(1, 1.0).os(i) == Os::Windows));
    }

    #[test]
    fn names_are_valid_local_names_on_both_oses_even_for_the_largest_index() {
        for seed in [0u64, 1, 42, u64::MAX] {
            let n = FleetNames::new(seed, 0.5);
            for i in [0, 1, 99_999, u32::MAX] {
                let u = n.username(i);
                for os in [Os::Macos, Os::Windows] {
                    assert_eq!(local_name_for(os, &u, None).as_deref(), Ok(u.as_str()));
                }
            }
        }
    }

    #[test]
    fn seeds_give_different_tags_and_the_same_seed_the_same() {
        assert_eq!(FleetNames::new(7, 0.5).tag(), FleetNames::new(7, 0.5).tag());
        assert_ne!(FleetNames::new(7, 0.5).tag(), FleetNames::new(8, 0.5).tag());
    }
}
