//! Network state of a device: Wi-Fi radio, Ethernet, the networks in range, saved networks,
//! and whether the internet is reachable beyond them (R12, R13).
//!
//! "Internet reachable" is deliberately separate from "control plane reachable": the
//! indicator tracks the internet (R13), and without internet the agent makes no HTTP call at
//! all; a control plane that is down while the internet is up is a real HTTP failure.

/// A Wi-Fi network in range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiNetwork {
    /// The network's name, as the Wireless menu lists it.
    pub ssid: String,
    /// `None`: open network.
    pub password: Option<String>,
    /// Whether this network leads to the internet (a hotspot without data does not).
    pub has_internet: bool,
}

/// Why joining a Wi-Fi network failed; shown in the join dialog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// Wi-Fi is off; turn it on first.
    #[error("Wi-Fi is turned off.")]
    WifiOff,
    /// No network of that name in range.
    #[error("The Wi-Fi network \"{0}\" could not be found.")]
    NotInRange(String),
    /// A secured network was joined without a password.
    #[error("The Wi-Fi network \"{0}\" requires a password.")]
    PasswordRequired(String),
    /// The password did not match the network's.
    #[error("The password for \"{0}\" is incorrect.")]
    WrongPassword(String),
}

/// Network state of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    wifi_on: bool,
    ethernet_plugged: bool,
    /// The world beyond the local links: the ISP, DNS, the internet itself.
    upstream_up: bool,
    in_range: Vec<WifiNetwork>,
    /// Saved networks with their passwords, most recently joined first.
    saved: Vec<(String, Option<String>)>,
    joined: Option<String>,
}

impl Network {
    /// A Mac on Wi-Fi: joined to the saved network "Office" (password `office-pass`), with
    /// "Guest" (open) and "Hotspot" (password `hotspot-pass`, no internet) also in range.
    pub fn macos_default() -> Self {
        let mut n = Self::bare();
        n.wifi_on = true;
        n.in_range = default_networks();
        n.saved = vec![("Office".into(), Some("office-pass".into()))];
        n.joined = Some("Office".into());
        n
    }

    /// A Windows PC on Ethernet, with the same Wi-Fi networks in range and the radio on.
    pub fn windows_default() -> Self {
        let mut n = Self::bare();
        n.wifi_on = true;
        n.ethernet_plugged = true;
        n.in_range = default_networks();
        n
    }

    /// No links at all, internet upstream up.
    pub fn bare() -> Self {
        Self {
            wifi_on: false,
            ethernet_plugged: false,
            upstream_up: true,
            in_range: Vec::new(),
            saved: Vec::new(),
            joined: None,
        }
    }

    /// Whether the internet answers from this device (R13): a link that leads somewhere, and
    /// the upstream up.
    pub fn internet_reachable(&self) -> bool {
        if !self.upstream_up {
            return false;
        }
        if self.ethernet_plugged {
            return true;
        }
        match (&self.joined, self.wifi_on) {
            (Some(ssid), true) => self
                .in_range
                .iter()
                .any(|n| &n.ssid == ssid && n.has_internet),
            _ => false,
        }
    }

    /// Whether Wi-Fi is on.
    pub fn wifi_on(&self) -> bool {
        self.wifi_on
    }

    /// Whether an Ethernet cable is plugged in.
    pub fn ethernet_plugged(&self) -> bool {
        self.ethernet_plugged
    }

    /// Whether the network beyond the device (router, ISP) reaches the internet.
    pub fn upstream_up(&self) -> bool {
        self.upstream_up
    }

    /// The joined Wi-Fi network, if any.
    pub fn joined(&self) -> Option<&str> {
        self.joined.as_deref()
    }

    /// Networks in range (the Wireless menu's scan list); empty with the radio off.
    pub fn scan(&self) -> Vec<&WifiNetwork> {
        if self.wifi_on {
            self.in_range.iter().collect()
        } else {
            Vec::new()
        }
    }

    /// Saved network names, most recently joined first.
    pub fn saved(&self) -> Vec<&str> {
        self.saved.iter().map(|(s, _)| s.as_str()).collect()
    }

    /// Whether `ssid` is saved.
    pub fn is_saved(&self, ssid: &str) -> bool {
        self.saved.iter().any(|(s, _)| s == ssid)
    }

    /// Turns the radio on or off; off drops the Wi-Fi link (saved networks stay).
    pub fn set_wifi(&mut self, on: bool) {
        self.wifi_on = on;
        if !on {
            self.joined = None;
        } else if self.joined.is_none() {
            self.auto_join();
        }
    }

    /// Plugs or unplugs the Ethernet cable.
    pub fn set_ethernet(&mut self, plugged: bool) {
        self.ethernet_plugged = plugged;
    }

    /// Cuts or restores the internet beyond the local links (the links stay up).
    pub fn set_upstream(&mut self, up: bool) {
        self.upstream_up = up;
    }

    /// Puts a network in range (or replaces one with the same name).
    pub fn add_in_range(&mut self, net: WifiNetwork) {
        self.in_range.retain(|n| n.ssid != net.ssid);
        self.in_range.push(net);
    }

    /// Takes a network out of range; drops the link if it was joined.
    pub fn remove_from_range(&mut self, ssid: &str) {
        self.in_range.retain(|n| n.ssid != ssid);
        if self.joined.as_deref() == Some(ssid) {
            self.joined = None;
        }
    }

    /// Joins a network. `password` is ignored for open networks; for a saved secured network
    /// `None` uses the saved password. Success saves the network (R12).
    pub fn join(&mut self, ssid: &str, password: Option<&str>) -> Result<(), JoinError> {
        if !self.wifi_on {
            return Err(JoinError::WifiOff);
        }
        let net = self
            .in_range
            .iter()
            .find(|n| n.ssid == ssid)
            .ok_or_else(|| JoinError::NotInRange(ssid.to_string()))?
            .clone();
        if let Some(expected) = &net.password {
            let saved = self
                .saved
                .iter()
                .find(|(s, _)| s == ssid)
                .and_then(|(_, p)| p.clone());
            let given = password.map(str::to_string).or(saved);
            match given {
                None => return Err(JoinError::PasswordRequired(ssid.to_string())),
                Some(p) if &p != expected => {
                    return Err(JoinError::WrongPassword(ssid.to_string()))
                }
                Some(_) => {}
            }
        }
        self.saved.retain(|(s, _)| s != ssid);
        self.saved
            .insert(0, (ssid.to_string(), net.password.clone()));
        self.joined = Some(ssid.to_string());
        Ok(())
    }

    /// Forgets a saved network; leaves it if joined.
    pub fn forget(&mut self, ssid: &str) {
        self.saved.retain(|(s, _)| s != ssid);
        if self.joined.as_deref() == Some(ssid) {
            self.joined = None;
        }
    }

    /// Drops the Wi-Fi link without forgetting (what a reboot does before auto-join).
    pub fn disconnect(&mut self) {
        self.joined = None;
    }

    /// Joins the most recently used saved network in range, as the OS does at boot with
    /// nobody logged in (R12). Returns the joined network.
    pub fn auto_join(&mut self) -> Option<&str> {
        if !self.wifi_on {
            return None;
        }
        let candidate = self
            .saved
            .iter()
            .find(|(s, p)| {
                self.in_range
                    .iter()
                    .any(|n| &n.ssid == s && (n.password.is_none() || n.password == *p))
            })
            .map(|(s, _)| s.clone());
        if let Some(ssid) = candidate {
            self.joined = Some(ssid);
        }
        self.joined.as_deref()
    }
}

fn default_networks() -> Vec<WifiNetwork> {
    vec![
        WifiNetwork {
            ssid: "Office".into(),
            password: Some("office-pass".into()),
            has_internet: true,
        },
        WifiNetwork {
            ssid: "Guest".into(),
            password: None,
            has_internet: true,
        },
        WifiNetwork {
            ssid: "Hotspot".into(),
            password: Some("hotspot-pass".into()),
            has_internet: false,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_password_fails_and_saves_nothing() {
        let mut n = Network::macos_default();
        n.set_wifi(false);
        n.set_wifi(true);
        assert_eq!(
            n.join("Hotspot", Some("nope")),
            Err(JoinError::WrongPassword("Hotspot".into()))
        );
        assert!(!n.is_saved("Hotspot"));
        assert_eq!(n.joined(), Some("Office"));
    }

    #[test]
    fn saved_network_auto_joins_after_disconnect() {
        let mut n = Network::macos_default();
        n.join("Guest", None).unwrap();
        assert_eq!(n.saved(), vec!["Guest", "Office"]);
        n.disconnect();
        assert!(!n.internet_reachable());
        assert_eq!(n.auto_join(), Some("Guest"));
        n.forget("Guest");
        n.disconnect();
        assert_eq!(n.auto_join(), Some("Office"));
    }

    #[test]
    fn internet_needs_a_link_and_the_upstream() {
        let mut n = Network::windows_default();
        assert!(n.internet_reachable());
        n.set_upstream(false);
        assert!(!n.internet_reachable());
        n.set_upstream(true);
        n.set_ethernet(false);
        assert!(!n.internet_reachable());
        n.join("Hotspot", Some("hotspot-pass")).unwrap();
        assert!(!n.internet_reachable(), "hotspot has no data");
    }
}
