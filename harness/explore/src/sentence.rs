//! Every action as one English sentence and back, so a counterexample can be written as a
//! `.feature` file (`When over the API, <sentence>`) and a QA engineer can write the same
//! sequences by hand. [`Action`]'s `Display` writes the sentence; [`parse`] reads it. The two
//! are one table of words, tested to round-trip for every kind of action.

use std::fmt;

use ssap_api::{JoinState, Mdm, Os, WindowsSsapMode};

use crate::action::{
    Action, Button, CodeChoice, DeviceEvent, DeviceKind, KeyChoice, NameChoice, PinChoice,
    TicketChoice, TokenChoice, Typing, UserChange, FORBIDDEN, USERS,
};

const CHANGES: [(UserChange, &str); 9] = [
    (UserChange::Active, "active"),
    (UserChange::Staged, "staged"),
    (UserChange::Suspended, "suspended"),
    (UserChange::Locked, "locked"),
    (UserChange::Unlocked, "unlocked"),
    (UserChange::PasswordExpired, "password expired"),
    (UserChange::MfaEnforced, "MFA enforced"),
    (UserChange::Removed, "removed"),
    (UserChange::Federated, "federated"),
];

const TOKENS: [(TokenChoice, &str); 8] = [
    (TokenChoice::Honest, "an honest token"),
    (TokenChoice::Replayed, "its answer replayed"),
    (TokenChoice::ForeignKey, "a token signed with a foreign key"),
    (TokenChoice::WrongAudience, "a token for another client"),
    (TokenChoice::WrongIssuer, "a token from another issuer"),
    (TokenChoice::Expired, "an expired token"),
    (TokenChoice::WrongNonce, "a token for another sign-in"),
    (TokenChoice::WrongEmail, "a token for another email"),
];

const CODES: [(CodeChoice, &str); 4] = [
    (CodeChoice::Current, "the current one"),
    (CodeChoice::Again, "the one they typed last"),
    (CodeChoice::Expired, "the one from two minutes ago"),
    (CodeChoice::Wrong, "a wrong one"),
];

const NAMES: [(NameChoice, &str); 6] = [
    (NameChoice::Chars20, "20 characters"),
    (NameChoice::Chars21, "21 characters"),
    (NameChoice::Capitals, "with capitals"),
    (NameChoice::TrailingPeriod, "ending in a period"),
    (NameChoice::DigitFirst, "starting with a digit"),
    (NameChoice::Plain, "plain"),
];

const PINS: [(PinChoice, &str); 5] = [
    (PinChoice::Five, "PIN 12345"),
    (PinChoice::Six, "PIN 123456"),
    (PinChoice::Seven, "PIN 1234567"),
    (PinChoice::Letters, "PIN abcdef"),
    (PinChoice::Mismatch, "PIN 123456 confirmed as 123465"),
];

const EVENTS: [(DeviceEvent, &str); 4] = [
    (DeviceEvent::Restart, "restarts"),
    (DeviceEvent::CheckIn, "checks in with the control plane"),
    (DeviceEvent::InternetDown, "loses the internet"),
    (DeviceEvent::InternetUp, "gets the internet back"),
];

fn name_choice(n: NameChoice) -> String {
    match n {
        NameChoice::Forbidden(i) => {
            format!("with '{}'", FORBIDDEN[usize::from(i) % FORBIDDEN.len()])
        }
        other => NAMES
            .iter()
            .find(|(c, _)| *c == other)
            .map_or("?", |p| p.1)
            .to_string(),
    }
}

fn read_name_choice(s: &str) -> Option<NameChoice> {
    if let Some(c) = s.strip_prefix("with '").and_then(|r| r.strip_suffix('\'')) {
        let mut chars = c.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        let i = FORBIDDEN.iter().position(|f| *f == c)?;
        return Some(NameChoice::Forbidden(u8::try_from(i).ok()?));
    }
    word(&NAMES, s)
}

fn typing_words(t: &Typing) -> String {
    let pin = PINS.iter().find(|(p, _)| *p == t.pin).map_or("?", |p| p.1);
    let code = CODES
        .iter()
        .find(|(c, _)| *c == t.code)
        .map_or("?", |p| p.1);
    format!(
        "{} password, {pin}, code: {code}",
        if t.right { "right" } else { "wrong" }
    )
}

const EDITIONS: [&str; 3] = ["Pro", "Enterprise", "Home"];

const JOINS: [(JoinState, &str); 3] = [
    (JoinState::Workgroup, "workgroup"),
    (JoinState::ActiveDirectory, "Active Directory"),
    (JoinState::EntraId, "Entra ID"),
];

const MDMS: [(Mdm, &str); 3] = [
    (Mdm::None, "no MDM"),
    (Mdm::Jumpcloud, "JumpCloud MDM"),
    (Mdm::OtherVendor, "another vendor's MDM"),
];

fn os_name(os: Os) -> &'static str {
    match os {
        Os::Macos => "macOS",
        Os::Windows => "Windows",
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// `user3`, or `an unknown user` for an index the directory never has.
fn user_name(user: u8) -> String {
    if user < USERS {
        format!("user{user}")
    } else {
        "an unknown user".to_string()
    }
}

fn describe(d: &DeviceKind) -> String {
    let join = JOINS
        .iter()
        .find(|(j, _)| *j == d.join)
        .map_or("?", |p| p.1);
    let mdm = MDMS.iter().find(|(m, _)| *m == d.mdm).map_or("?", |p| p.1);
    let arch = if d.arm { "arm64" } else { "x86_64" };
    match d.os {
        Os::Macos => format!("macOS, {arch}, {join}, {mdm}"),
        Os::Windows => {
            let edition = EDITIONS[usize::from(d.edition).min(2)];
            format!("Windows {edition}, {arch}, {join}, {mdm}")
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Toggle { os, on } => write!(
                f,
                "the admin turns {} self-service {}",
                os_name(*os),
                on_off(*on)
            ),
            Action::Permission { admin } => write!(
                f,
                "the admin sets the permission level to {}",
                if *admin { "administrator" } else { "standard" }
            ),
            Action::PasswordSync { on } => {
                write!(f, "the admin turns password sync {}", on_off(*on))
            }
            Action::CreateUser {
                user,
                password,
                system_username,
                name,
            } => {
                write!(
                    f,
                    "the admin creates user{user} (password: {}, system username: {}",
                    yes_no(*password),
                    yes_no(*system_username)
                )?;
                if *name != NameChoice::Plain {
                    write!(f, ", name: {}", name_choice(*name))?;
                }
                write!(f, ")")
            }
            Action::BootDevice { device } => {
                write!(f, "a device starts: {}", describe(device))
            }
            Action::Press {
                device,
                typing,
                button,
            } => {
                let button = match button {
                    Button::Next => "the next button".to_string(),
                    Button::Nth(n) => format!("button {n}"),
                    Button::Named(l) => serde_json::to_string(l).unwrap_or_default(),
                };
                write!(
                    f,
                    "{} presses {button} at device{device} ({})",
                    user_name(typing.user),
                    typing_words(typing)
                )
            }
            Action::DeviceEvent { device, event } => {
                let word = EVENTS.iter().find(|(e, _)| e == event).map_or("?", |p| p.1);
                write!(f, "device{device} {word}")
            }
            Action::LocalAccount {
                device,
                user,
                capitals,
            } => write!(
                f,
                "someone at device{device} creates a local account named like {}{}",
                user_name(*user),
                if *capitals { ", in capitals" } else { "" }
            ),
            Action::ChangeUser { user, change } => {
                let word = CHANGES
                    .iter()
                    .find(|(c, _)| c == change)
                    .map_or("?", |p| p.1);
                write!(f, "the admin sets {} to {word}", user_name(*user))
            }
            Action::RegisterDevice { device } => {
                write!(f, "a device registers: {}", describe(device))
            }
            Action::Bind { device, user } => {
                write!(f, "the admin binds {} to device{device}", user_name(*user))
            }
            Action::Unbind { device, user } => {
                write!(
                    f,
                    "the admin unbinds {} from device{device}",
                    user_name(*user)
                )
            }
            Action::WindowsPolicy { device, mode } => match mode {
                Some(WindowsSsapMode::FirstUserOnly) => write!(
                    f,
                    "the admin sets device{device}'s Windows SSAP policy to first user only"
                ),
                Some(WindowsSsapMode::MultipleUsers) => write!(
                    f,
                    "the admin sets device{device}'s Windows SSAP policy to multiple users"
                ),
                None => write!(f, "the admin removes device{device}'s Windows SSAP policy"),
            },
            Action::MfaPolicy { device, on: true } => {
                write!(f, "the admin binds an MFA policy to device{device}")
            }
            Action::MfaPolicy { device, on: false } => {
                write!(f, "the admin removes device{device}'s MFA policy")
            }
            Action::LoginText {
                device,
                text: Some(t),
            } => write!(
                f,
                "the admin sets device{device}'s login-window text to text {t}"
            ),
            Action::LoginText { device, text: None } => {
                write!(f, "the admin removes device{device}'s login-window text")
            }
            Action::Authenticate {
                device,
                user,
                right_password,
            } => write!(
                f,
                "device{device} signs in {} with {} password",
                user_name(*user),
                if *right_password {
                    "the right"
                } else {
                    "a wrong"
                }
            ),
            Action::Provision {
                device,
                ticket,
                key,
            } => {
                let ticket = match ticket {
                    TicketChoice::Own => "its own ticket".to_string(),
                    TicketChoice::OtherDevice(o) => format!("device{o}'s ticket"),
                    TicketChoice::Forged => "a forged ticket".to_string(),
                };
                let key = match key {
                    KeyChoice::Fresh => "a fresh key",
                    KeyChoice::Repeat => "its previous key",
                };
                write!(f, "device{device} provisions with {ticket} and {key}")
            }
            Action::ReportAttempt { device, user } => write!(
                f,
                "device{device} reports a refused attempt by {}",
                user_name(*user)
            ),
            Action::ReadLoginWindow { device } => {
                write!(f, "device{device} reads its login-window configuration")
            }
            Action::ReadAssociations { device } => {
                write!(f, "device{device} reads its associations")
            }
            Action::ReadUsers => write!(f, "the admin lists the users"),
            Action::TimePasses { seconds } => {
                write!(f, "{seconds} seconds pass on the control plane's clock")
            }
            Action::ReadAudit => write!(f, "the admin reads the audit log"),
            Action::IdentityProvider { on: true } => {
                write!(f, "the admin federates sign-in to the identity provider")
            }
            Action::IdentityProvider { on: false } => {
                write!(f, "the admin removes the identity provider")
            }
            Action::FederatedSignIn {
                device,
                user,
                token,
            } => {
                let token = TOKENS.iter().find(|(t, _)| t == token).map_or("?", |p| p.1);
                write!(
                    f,
                    "device{device} signs in {} through the identity provider, with {token}",
                    user_name(*user)
                )
            }
            Action::EnrollMfa {
                user,
                right_password,
            } => write!(
                f,
                "{} enrols in MFA at the User Portal with {} password",
                user_name(*user),
                if *right_password {
                    "the right"
                } else {
                    "a wrong"
                }
            ),
            Action::WrongPasswords {
                device,
                user,
                times,
            } => write!(
                f,
                "device{device} signs in {} with a wrong password {times} times",
                user_name(*user)
            ),
            Action::VerifyMfa { device, user, code } => {
                let code = CODES.iter().find(|(c, _)| c == code).map_or("?", |p| p.1);
                write!(
                    f,
                    "device{device} checks {}'s MFA code: {code}",
                    user_name(*user)
                )
            }
        }
    }
}

/// The forms [`parse`] reads, one per line, for error messages and the step's documentation.
pub const FORMS: &str = "\
the admin turns macOS|Windows self-service on|off
the admin sets the permission level to administrator|standard
the admin turns password sync on|off
the admin creates userN (password: yes|no, system username: yes|no[, name: 20 characters|21 characters|with capitals|ending in a period|starting with a digit|with '+'])
the admin sets userN to active|staged|suspended|locked|unlocked|password expired|MFA enforced|removed|federated
the admin federates sign-in to the identity provider
the admin removes the identity provider
deviceN signs in userN|an unknown user through the identity provider, with an honest token|its answer replayed|a token signed with a foreign key|a token for another client|a token from another issuer|an expired token|a token for another sign-in|a token for another email
a device registers: macOS, x86_64|arm64, workgroup|Active Directory|Entra ID, no MDM|JumpCloud MDM|another vendor's MDM
a device registers: Windows Pro|Enterprise|Home, x86_64|arm64, <join>, <MDM>
the admin binds userN to deviceN
the admin unbinds userN from deviceN
the admin sets deviceN's Windows SSAP policy to first user only|multiple users
the admin removes deviceN's Windows SSAP policy
the admin binds an MFA policy to deviceN
the admin removes deviceN's MFA policy
the admin sets deviceN's login-window text to text 0|1|2
the admin removes deviceN's login-window text
deviceN signs in userN|an unknown user with the right|a wrong password
deviceN signs in userN with a wrong password N times (N: 1 to 20)
deviceN provisions with its own ticket|deviceN's ticket|a forged ticket and a fresh key|its previous key
deviceN reports a refused attempt by userN|an unknown user
deviceN reads its login-window configuration
deviceN reads its associations
the admin lists the users
N seconds pass on the control plane's clock
the admin reads the audit log
userN enrols in MFA at the User Portal with the right|a wrong password
deviceN checks userN's MFA code: the current one|the one they typed last|the one from two minutes ago|a wrong one
a device starts: macOS|Windows Pro|..., x86_64|arm64, <join>, <MDM>
userN|an unknown user presses \"Label\"|the next button|button N at deviceN [(right|wrong password, PIN 123456|PIN 12345|PIN 1234567|PIN abcdef|PIN 123456 confirmed as 123465, code: <as above>)]
deviceN restarts|checks in with the control plane|loses the internet|gets the internet back
someone at deviceN creates a local account named like userN[, in capitals]";

/// Whether an action happens at a simulated device (written `on a simulated device, ...` in a
/// feature) rather than over the API.
pub fn on_a_device(action: &Action) -> bool {
    matches!(
        action,
        Action::BootDevice { .. }
            | Action::Press { .. }
            | Action::DeviceEvent { .. }
            | Action::LocalAccount { .. }
    )
}

/// Reads a sentence [`Action`]'s `Display` writes. The error says what was expected.
pub fn parse(sentence: &str) -> Result<Action, String> {
    let s = sentence.trim();
    read(s).ok_or_else(|| {
        format!(
            "{s:?} is not an action; the actions are (users user0 to user5, devices device0 up \
             in the order they register):\n{FORMS}"
        )
    })
}

fn number<T: std::str::FromStr>(s: &str, prefix: &str) -> Option<T> {
    s.strip_prefix(prefix)?.parse().ok()
}

fn user(s: &str) -> Option<u8> {
    if s == "an unknown user" {
        return Some(USERS);
    }
    number::<u8>(s, "user").filter(|u| *u < USERS)
}

fn device(s: &str) -> Option<u8> {
    number(s, "device")
}

fn word<T: Copy>(table: &[(T, &str)], s: &str) -> Option<T> {
    table.iter().find(|(_, w)| *w == s).map(|(t, _)| *t)
}

fn switch(s: &str) -> Option<bool> {
    match s {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

fn yes(s: &str) -> Option<bool> {
    match s {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn device_kind(s: &str) -> Option<DeviceKind> {
    let parts: Vec<&str> = s.split(", ").collect();
    let [system, arch, join, mdm] = parts.as_slice() else {
        return None;
    };
    let (os, edition) = match *system {
        "macOS" => (Os::Macos, 0),
        other => {
            let edition = other.strip_prefix("Windows ")?;
            let i = EDITIONS.iter().position(|e| *e == edition)?;
            (Os::Windows, u8::try_from(i).ok()?)
        }
    };
    let arm = match *arch {
        "arm64" => true,
        "x86_64" => false,
        _ => return None,
    };
    Some(DeviceKind {
        os,
        edition,
        arm,
        join: word(&JOINS, join)?,
        mdm: word(&MDMS, mdm)?,
    })
}

fn read(s: &str) -> Option<Action> {
    if let Some(rest) = s.strip_prefix("the admin ") {
        return admin(rest);
    }
    if let Some(rest) = s.strip_prefix("a device starts: ") {
        return Some(Action::BootDevice {
            device: device_kind(rest)?,
        });
    }
    if s.contains(" presses ") {
        return press(s);
    }
    if let Some(rest) = s.strip_prefix("someone at ") {
        let (d, rest) = rest.split_once(" creates a local account named like ")?;
        let (u, capitals) = match rest.strip_suffix(", in capitals") {
            Some(u) => (u, true),
            None => (rest, false),
        };
        return Some(Action::LocalAccount {
            device: device(d)?,
            user: user(u).filter(|u| *u < USERS)?,
            capitals,
        });
    }
    if let Some(rest) = s.strip_prefix("a device registers: ") {
        return Some(Action::RegisterDevice {
            device: device_kind(rest)?,
        });
    }
    if let Some(seconds) = s.strip_suffix(" seconds pass on the control plane's clock") {
        return Some(Action::TimePasses {
            seconds: seconds.parse().ok()?,
        });
    }
    let (who, rest) = s.split_once(' ')?;
    if let Some(rest) = rest.strip_prefix("enrols in MFA at the User Portal with ") {
        return Some(Action::EnrollMfa {
            user: user(who).filter(|u| *u < USERS)?,
            right_password: match rest {
                "the right password" => true,
                "a wrong password" => false,
                _ => return None,
            },
        });
    }
    let d = device(who)?;
    if let Some(event) = word(&EVENTS, rest) {
        return Some(Action::DeviceEvent { device: d, event });
    }
    if let Some(rest) = rest.strip_prefix("checks ") {
        let (u, code) = rest.split_once("'s MFA code: ")?;
        return Some(Action::VerifyMfa {
            device: d,
            user: user(u).filter(|u| *u < USERS)?,
            code: word(&CODES, code)?,
        });
    }
    if let Some(rest) = rest.strip_prefix("signs in ") {
        if let Some((u, token)) = rest.split_once(" through the identity provider, with ") {
            return Some(Action::FederatedSignIn {
                device: d,
                user: user(u)?,
                token: word(&TOKENS, token)?,
            });
        }
        if let Some((u, times)) = rest
            .strip_suffix(" times")
            .and_then(|r| r.split_once(" with a wrong password "))
        {
            return Some(Action::WrongPasswords {
                device: d,
                user: user(u).filter(|u| *u < USERS)?,
                times: times.parse().ok().filter(|t| (1..=20).contains(t))?,
            });
        }
        let (u, right) = if let Some(u) = rest.strip_suffix(" with the right password") {
            (u, true)
        } else {
            (rest.strip_suffix(" with a wrong password")?, false)
        };
        return Some(Action::Authenticate {
            device: d,
            user: user(u)?,
            right_password: right,
        });
    }
    if let Some(rest) = rest.strip_prefix("provisions with ") {
        let (ticket, key) = rest.split_once(" and ")?;
        let ticket = match ticket {
            "its own ticket" => TicketChoice::Own,
            "a forged ticket" => TicketChoice::Forged,
            other => TicketChoice::OtherDevice(device(other.strip_suffix("'s ticket")?)?),
        };
        let key = match key {
            "a fresh key" => KeyChoice::Fresh,
            "its previous key" => KeyChoice::Repeat,
            _ => return None,
        };
        return Some(Action::Provision {
            device: d,
            ticket,
            key,
        });
    }
    if let Some(u) = rest.strip_prefix("reports a refused attempt by ") {
        return Some(Action::ReportAttempt {
            device: d,
            user: user(u)?,
        });
    }
    match rest {
        "reads its login-window configuration" => Some(Action::ReadLoginWindow { device: d }),
        "reads its associations" => Some(Action::ReadAssociations { device: d }),
        _ => None,
    }
}

/// `userN presses <button> at deviceN (<typing>)`; without the parenthesis, the right
/// password, PIN 123456 and the current code.
fn press(s: &str) -> Option<Action> {
    let (rest, typing) = match s.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        Some((rest, typing)) if typing.contains(" password, ") => (rest, typing),
        _ => (s, "right password, PIN 123456, code: the current one"),
    };
    let (rest, d) = rest.rsplit_once(" at ")?;
    let (u, button) = rest.split_once(" presses ")?;
    let button = if button == "the next button" {
        Button::Next
    } else if let Some(n) = button.strip_prefix("button ") {
        Button::Nth(n.parse().ok()?)
    } else {
        Button::Named(serde_json::from_str::<String>(button).ok()?)
    };
    let (pw, rest) = typing.split_once(" password, ")?;
    let (pin, code) = rest.split_once(", code: ")?;
    Some(Action::Press {
        device: device(d)?,
        typing: Typing {
            user: user(u)?,
            right: match pw {
                "right" => true,
                "wrong" => false,
                _ => return None,
            },
            pin: word(&PINS, pin)?,
            code: word(&CODES, code)?,
        },
        button,
    })
}

fn admin(s: &str) -> Option<Action> {
    match s {
        "lists the users" => return Some(Action::ReadUsers),
        "reads the audit log" => return Some(Action::ReadAudit),
        "federates sign-in to the identity provider" => {
            return Some(Action::IdentityProvider { on: true })
        }
        "removes the identity provider" => return Some(Action::IdentityProvider { on: false }),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("turns password sync ") {
        return Some(Action::PasswordSync { on: switch(rest)? });
    }
    if let Some(rest) = s.strip_prefix("turns ") {
        let (os, on) = rest.split_once(" self-service ")?;
        let os = match os {
            "macOS" => Os::Macos,
            "Windows" => Os::Windows,
            _ => return None,
        };
        return Some(Action::Toggle {
            os,
            on: switch(on)?,
        });
    }
    if let Some(level) = s.strip_prefix("sets the permission level to ") {
        return Some(Action::Permission {
            admin: match level {
                "administrator" => true,
                "standard" => false,
                _ => return None,
            },
        });
    }
    if let Some(rest) = s.strip_prefix("creates ") {
        let (u, flags) = rest.split_once(" (password: ")?;
        let (password, system) = flags.strip_suffix(')')?.split_once(", system username: ")?;
        let (system, name) = match system.split_once(", name: ") {
            Some((system, name)) => (system, read_name_choice(name)?),
            None => (system, NameChoice::Plain),
        };
        return Some(Action::CreateUser {
            user: user(u).filter(|u| *u < USERS)?,
            password: yes(password)?,
            system_username: yes(system)?,
            name,
        });
    }
    if let Some(rest) = s.strip_prefix("binds an MFA policy to ") {
        return Some(Action::MfaPolicy {
            device: device(rest)?,
            on: true,
        });
    }
    if let Some(rest) = s.strip_prefix("binds ") {
        let (u, d) = rest.split_once(" to ")?;
        return Some(Action::Bind {
            device: device(d)?,
            user: user(u)?,
        });
    }
    if let Some(rest) = s.strip_prefix("unbinds ") {
        let (u, d) = rest.split_once(" from ")?;
        return Some(Action::Unbind {
            device: device(d)?,
            user: user(u)?,
        });
    }
    if let Some(rest) = s.strip_prefix("removes ") {
        let (d, what) = rest.split_once("'s ")?;
        let device = device(d)?;
        return match what {
            "Windows SSAP policy" => Some(Action::WindowsPolicy { device, mode: None }),
            "MFA policy" => Some(Action::MfaPolicy { device, on: false }),
            "login-window text" => Some(Action::LoginText { device, text: None }),
            _ => None,
        };
    }
    let rest = s.strip_prefix("sets ")?;
    let (who, to) = rest.split_once(" to ")?;
    if let Some((d, what)) = who.split_once("'s ") {
        let device = device(d)?;
        return match what {
            "Windows SSAP policy" => Some(Action::WindowsPolicy {
                device,
                mode: Some(match to {
                    "first user only" => WindowsSsapMode::FirstUserOnly,
                    "multiple users" => WindowsSsapMode::MultipleUsers,
                    _ => return None,
                }),
            }),
            "login-window text" => Some(Action::LoginText {
                device,
                text: Some(number(to, "text ")?),
            }),
            _ => None,
        };
    }
    Some(Action::ChangeUser {
        user: user(who)?,
        change: word(&CHANGES, to)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::sequence;

    #[test]
    fn every_drawn_action_reads_back_as_itself() {
        for seed in 1..=4 {
            for a in sequence(seed, 3_000) {
                let text = a.to_string();
                let back = parse(&text).unwrap_or_else(|e| panic!("{e}"));
                // A Mac's edition is not part of what it is (every Mac reads back as 0).
                let same = match (&a, &back) {
                    (
                        Action::RegisterDevice { device: x },
                        Action::RegisterDevice { device: y },
                    )
                    | (Action::BootDevice { device: x }, Action::BootDevice { device: y })
                        if x.os == Os::Macos =>
                    {
                        DeviceKind { edition: 0, ..*x } == *y
                    }
                    _ => a == back,
                };
                assert!(same, "{text:?} read back as {back:?}, not {a:?}");
            }
        }
    }

    #[test]
    fn a_sentence_that_is_no_action_lists_the_forms() {
        let e = parse("the admin binds user9 to device0").unwrap_err();
        assert!(e.contains("is not an action") && e.contains("the admin binds userN to deviceN"));
        assert!(parse("device0 signs in user1 with the right password").is_ok());
        assert!(parse("device0 signs in user1 with the rightish password").is_err());
    }

    #[test]
    fn a_press_without_its_parenthesis_types_the_right_things() {
        let Ok(Action::Press { typing, button, .. }) =
            parse("user1 presses \"Sign in with JumpCloud\" at device0")
        else {
            panic!("not read as a press");
        };
        assert_eq!(button, Button::Named("Sign in with JumpCloud".into()));
        assert!(typing.right && typing.pin == PinChoice::Six && typing.code == CodeChoice::Current);
    }

    #[test]
    fn a_named_button_reads_back_even_with_quotes_and_parentheses() {
        for label in [
            "Continue",
            "Join \"Hotspot (5 GHz)\"",
            "Sign in with JumpCloud",
        ] {
            let a = Action::Press {
                device: 1,
                typing: Typing {
                    user: 2,
                    right: false,
                    pin: PinChoice::Mismatch,
                    code: CodeChoice::Expired,
                },
                button: Button::Named(label.to_string()),
            };
            assert_eq!(parse(&a.to_string()), Ok(a.clone()), "{a}");
        }
        for c in FORBIDDEN {
            let a = Action::CreateUser {
                user: 1,
                password: true,
                system_username: false,
                name: NameChoice::Forbidden(
                    FORBIDDEN.iter().position(|f| *f == c).unwrap_or(0) as u8
                ),
            };
            assert_eq!(parse(&a.to_string()), Ok(a.clone()), "{a}");
        }
    }
}
