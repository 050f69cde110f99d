//! The device-side rules written a second time, from the catalog's words alone, so the endpoint
//! simulators have something independent to be checked against (the control plane has the
//! mock's model). Both sides of a differential run drive the same endpoint code, so a bug in it
//! shows the same on both and only these rules can catch it.
//!
//! They cover the values explorations type and name (see [`crate::action::NameChoice`] and
//! [`crate::action::PinChoice`]), not every corner of each rule: names the OSes reserve for
//! themselves (`root`, `Administrator`, ...) are the endpoint tests' and fuzzers' to check.

use ssap_api::Os;

use crate::action::FORBIDDEN;

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
}
