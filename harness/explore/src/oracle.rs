//! The device-side rules written a second time, from the catalog's words alone, so the endpoint
//! simulators have something independent to be checked against (the control plane has the
//! mock's model). Both sides of a differential run drive the same endpoint code, so a bug in it
//! shows the same on both and only these rules can catch it.
//!
//! They cover the values explorations type and name (see [`crate::action::NameChoice`] and
//! [`crate::action::PinChoice`]), not every corner of each rule: names the OSes reserve for
//! themselves (`root`, `Administrator`, ...) are the endpoint tests' and fuzzers' to check.

use ssap_api::{JoinState, Os};

use crate::action::{Action, DeviceKind, FORBIDDEN};

/// The org's settings as the admin's accepted changes left them, from the catalog's defaults
/// (R01: both toggles off; R06: password sync on; the standard permission level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// R01: the macOS toggle.
    pub macos: bool,
    /// R01: the Windows toggle.
    pub windows: bool,
    /// R02: the administrator permission level (else standard).
    pub administrator: bool,
    /// R06: password sync.
    pub sync: bool,
    /// How many changes the admin made, so a check can tell whether one landed in the middle
    /// of a sign-in (which the catalog does not decide).
    pub changes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            macos: false,
            windows: false,
            administrator: false,
            sync: true,
            changes: 0,
        }
    }
}

impl Settings {
    /// The settings after `action`, which the control plane accepted.
    pub fn apply(&mut self, action: &Action) {
        match *action {
            Action::Toggle { os: Os::Macos, on } => self.macos = on,
            Action::Toggle {
                os: Os::Windows,
                on,
            } => self.windows = on,
            Action::Permission { admin } => self.administrator = admin,
            Action::PasswordSync { on } => self.sync = on,
            Action::WindowsPolicy { .. } => {}
            _ => return,
        }
        self.changes += 1;
    }

    /// R01: whether `os`'s toggle is on.
    pub fn toggle(&self, os: Os) -> bool {
        match os {
            Os::Macos => self.macos,
            Os::Windows => self.windows,
        }
    }
}

/// R18: whether a device may ever offer Sign in with JumpCloud: not Windows Home, Server or
/// on ARM, and not joined to Active Directory or Entra ID.
pub fn supported(kind: &DeviceKind) -> bool {
    kind.join == JoinState::Workgroup && (kind.os == Os::Macos || (kind.edition != 2 && !kind.arm))
}

/// R02: whether an account in `groups` has local administrator rights on `os` (macOS: the
/// `admin` group; Windows: `Administrators`).
pub fn has_admin_rights(os: Os, groups: &[String]) -> bool {
    let group = match os {
        Os::Macos => "admin",
        Os::Windows => "Administrators",
    };
    groups.iter().any(|g| g == group)
}

/// R39: the local account name provisioning gives a user whose name source (system username
/// where set, else username) is `source`, or why the OS cannot hold it.
pub fn local_name(os: Os, source: &str) -> Result<String, String> {
    match os {
        // "lowercase letters, digits, -, _, ., starting with a letter"; directory usernames
        // are case-insensitive, so capitals are lowered rather than refused.
        Os::Macos => {
            let name = source.to_ascii_lowercase();
            if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                return Err(format!("{name:?} does not start with a letter"));
            }
            match name
                .chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(*c)))
            {
                Some(c) => Err(format!("{name:?} holds {c:?}")),
                None => Ok(name),
            }
        }
        // "at most 20 characters, none of \" / \ [ ] : | < > + = ; ? * , , no trailing period".
        Os::Windows => {
            let len = source.chars().count();
            if len > 20 {
                Err(format!("{source:?} is {len} characters long"))
            } else if let Some(c) = source.chars().find(|c| FORBIDDEN.contains(c)) {
                Err(format!("{source:?} holds {c:?}"))
            } else if source.ends_with('.') {
                Err(format!("{source:?} ends with a period"))
            } else {
                Ok(source.to_string())
            }
        }
    }
}

/// R43: the OSes compare account names ignoring case.
pub fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// R32: a PIN is at least six characters, typed the same twice.
pub fn pin_accepted(pin: &str, confirm: &str) -> bool {
    pin.chars().count() >= 6 && pin == confirm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_at_the_edges() {
        let twenty = "u1xxxxxxxxxxxxxxxxxx";
        assert_eq!(twenty.len(), 20);
        assert!(local_name(Os::Windows, twenty).is_ok());
        assert!(local_name(Os::Windows, &format!("{twenty}x")).is_err());
        assert!(local_name(Os::Windows, "u1.").is_err());
        assert_eq!(local_name(Os::Macos, "U1.Name").as_deref(), Ok("u1.name"));
        assert!(local_name(Os::Macos, "1u").is_err());
        assert!(local_name(Os::Windows, "1u").is_ok());
        for c in FORBIDDEN {
            assert!(local_name(Os::Windows, &format!("u{c}x")).is_err(), "{c}");
        }
        assert!(pin_accepted("123456", "123456") && !pin_accepted("12345", "12345"));
        assert!(!pin_accepted("123456", "123465"));
    }

    #[test]
    fn settings_start_at_the_catalogs_defaults_and_count_changes() {
        let mut s = Settings::default();
        assert!(!s.toggle(Os::Macos) && !s.toggle(Os::Windows) && s.sync && !s.administrator);
        s.apply(&Action::Toggle {
            os: Os::Windows,
            on: true,
        });
        s.apply(&Action::ReadUsers);
        assert!(s.toggle(Os::Windows) && !s.toggle(Os::Macos));
        assert_eq!(s.changes, 1);
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(has_admin_rights(Os::Macos, &groups(&["admin", "staff"])));
        assert!(!has_admin_rights(Os::Windows, &groups(&["Users"])));
    }
}
