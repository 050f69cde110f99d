//! What an explorer does: admin changes, device calls and reads, as plain data that replays
//! the same way on any control plane. Entities are named by small indices (user 3, device 1)
//! that each target maps to its own ids, so a sequence means the same thing everywhere and
//! still means something after shrinking removes the action that created an entity (the
//! action is then skipped on every target alike).

use rand::rngs::StdRng;
use rand::Rng;
use serde::Serialize;
use ssap_api::{JoinState, Mdm, Os, WindowsSsapMode};
use ssap_endpoint::Screen;

/// Directory users an exploration may create (indices 0..USERS); higher indices are emails the
/// directory does not know.
pub const USERS: u8 = 6;

/// One step of an exploration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Action {
    /// The admin turns one OS's SSAP toggle on or off.
    Toggle {
        /// Which toggle.
        os: Os,
        /// On or off.
        on: bool,
    },
    /// The admin sets the permission level.
    Permission {
        /// Administrator (else standard).
        admin: bool,
    },
    /// The admin turns password sync on or off.
    PasswordSync {
        /// On or off.
        on: bool,
    },
    /// The admin creates a directory user.
    CreateUser {
        /// Which user (an index below [`USERS`]).
        user: u8,
        /// With a directory password.
        password: bool,
        /// With a local account name set by the admin.
        system_username: bool,
        /// The name the local account would take (the system username where set, else the
        /// username), plain or at an edge of the OSes' naming rules (R39).
        name: NameChoice,
    },
    /// The admin or the directory changes a user.
    ChangeUser {
        /// Which user.
        user: u8,
        /// What changes.
        change: UserChange,
    },
    /// An agent registers a new device.
    RegisterDevice {
        /// Its facts.
        device: DeviceKind,
    },
    /// The admin binds a user to a device.
    Bind {
        /// Which device (in registration order).
        device: u8,
        /// Which user.
        user: u8,
    },
    /// The admin removes an association.
    Unbind {
        /// Which device.
        device: u8,
        /// Which user.
        user: u8,
    },
    /// The admin binds or removes a device's Windows SSAP policy.
    WindowsPolicy {
        /// Which device.
        device: u8,
        /// The mode, or `None` to remove the policy.
        mode: Option<WindowsSsapMode>,
    },
    /// The admin binds or removes a device's MFA policy (R45): MFA at the next login for every
    /// user bound there.
    MfaPolicy {
        /// Which device.
        device: u8,
        /// Bind (`true`) or remove (`false`) the policy.
        on: bool,
    },
    /// The admin binds or removes a device's login-window text.
    LoginText {
        /// Which device.
        device: u8,
        /// Which of a few texts, or `None` to remove it.
        text: Option<u8>,
    },
    /// A device signs a user in with a password.
    Authenticate {
        /// Which device.
        device: u8,
        /// Which user (an index at or above [`USERS`] is an unknown email).
        user: u8,
        /// The user's password, or a wrong one.
        right_password: bool,
    },
    /// A device provisions with a ticket.
    Provision {
        /// Which device.
        device: u8,
        /// Which ticket it presents.
        ticket: TicketChoice,
        /// Which idempotency key it sends.
        key: KeyChoice,
    },
    /// A device reports a refusal decided on the endpoint.
    ReportAttempt {
        /// Which device.
        device: u8,
        /// Which user's email.
        user: u8,
    },
    /// A device reads its login-window configuration.
    ReadLoginWindow {
        /// Which device.
        device: u8,
    },
    /// A device reads its associations.
    ReadAssociations {
        /// Which device.
        device: u8,
    },
    /// The admin lists the users.
    ReadUsers,
    /// Time passes on the org's clock, which stands still otherwise (explore freezes it): 61 s
    /// ends every throttle window (R42), an hour expires every ticket issued before.
    TimePasses {
        /// Seconds: 61 or 3601, or exactly on or just before an edge (60 s, the throttle's
        /// window; 600 s, a ticket's life), which only a frozen clock can land on.
        seconds: u32,
    },
    /// The admin reads the audit log.
    ReadAudit,
    /// The admin sets the org's identity provider (the explorer's own mock one, which knows
    /// every user by their email and directory password) or removes it (R46).
    IdentityProvider {
        /// Set (`true`) or removed.
        on: bool,
    },
    /// A device signs a user in through the identity provider: asks how the email signs in,
    /// signs in at the provider's page, and redeems the code it redirects with (R46).
    FederatedSignIn {
        /// Which device.
        device: u8,
        /// Which user.
        user: u8,
        /// What the provider answers, honest or not, or the honest answer redeemed twice.
        token: TokenChoice,
    },
    /// A user enrols in TOTP MFA at the User Portal (R45), proving who they are with their
    /// password or failing to.
    EnrollMfa {
        /// Which user.
        user: u8,
        /// The user's password, or a wrong one.
        right_password: bool,
    },
    /// A device signs a user in with a wrong password several times in a row (R42's lock
    /// after five, which single attempts among other actions rarely reach).
    WrongPasswords {
        /// Which device.
        device: u8,
        /// Which user.
        user: u8,
        /// How many attempts: 4 to 6, around the lock's threshold.
        times: u8,
    },
    /// A simulated device (macOS login window or Windows credential provider) is switched on
    /// for the first time: its agent registers it and it presents its login screen.
    BootDevice {
        /// Its facts.
        device: DeviceKind,
    },
    /// Someone at a simulated device types into every field the screen shows (what `typing`
    /// says) and presses one button or tile.
    Press {
        /// Which device.
        device: u8,
        /// Who is at the keyboard and what they type.
        typing: Typing,
        /// What they press.
        button: Button,
    },
    /// Something happens to a simulated device.
    DeviceEvent {
        /// Which device.
        device: u8,
        /// What happens.
        event: DeviceEvent,
    },
    /// Someone at a simulated device creates a local-only account whose name is the one
    /// provisioning would give a directory user (R43's collision, R49's admin bind).
    LocalAccount {
        /// Which device.
        device: u8,
        /// Whose local name it takes.
        user: u8,
        /// Written in capitals (the OSes compare names ignoring case).
        capitals: bool,
    },
    /// A device checks the code a user typed at the next-login MFA prompt (R45).
    VerifyMfa {
        /// Which device.
        device: u8,
        /// Which user.
        user: u8,
        /// Which code they type.
        code: CodeChoice,
    },
}

/// Which MFA code a user types, computed from the secret this control plane gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CodeChoice {
    /// What their authenticator app shows now (on the control plane's clock).
    Current,
    /// The code this user typed last on this control plane (a replay, or a wrong code again).
    Again,
    /// What the app showed two minutes ago: outside the one step of drift allowed.
    Expired,
    /// A code the app never shows in the allowed window.
    Wrong,
}

/// Where a user's local name sits among the OSes' naming rules (R39). The name is built on the
/// user's username (`u3`) or system username (`sys3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NameChoice {
    /// `u3`: fine everywhere.
    Plain,
    /// Padded to exactly 20 characters: Windows' longest.
    Chars20,
    /// 21 characters: one past Windows' longest.
    Chars21,
    /// `U3.Name`: macOS lowercases it, Windows keeps it.
    Capitals,
    /// Ending in a period: Windows refuses it, macOS does not.
    TrailingPeriod,
    /// Starting with a digit: macOS refuses it, Windows does not.
    DigitFirst,
    /// With one of the characters Windows forbids (an index into [`FORBIDDEN`]).
    Forbidden(u8),
}

/// The characters R39 forbids in Windows names, as the catalog lists them.
pub const FORBIDDEN: [char; 15] = [
    '"', '/', '\\', '[', ']', ':', '|', '<', '>', '+', '=', ';', '?', '*', ',',
];

/// Who is at a simulated device's keyboard and what they type into the fields on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Typing {
    /// Whose email they type (an index at or above [`USERS`] is an unknown email).
    pub user: u8,
    /// Their password where one is asked (else one wrong password); on a local password
    /// prompt, the same password twice (else two that differ).
    pub right: bool,
    /// The PIN they create (Windows).
    pub pin: PinChoice,
    /// The MFA code they type, from the secret this control plane gave them.
    pub code: CodeChoice,
}

/// A PIN a Windows user creates (R32: at least six characters, typed the same twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PinChoice {
    /// `12345`: one short.
    Five,
    /// `123456`: the shortest allowed.
    Six,
    /// `1234567`.
    Seven,
    /// `abcdef`: letters count as characters.
    Letters,
    /// `123456`, confirmed as `123465`.
    Mismatch,
}

impl PinChoice {
    /// The PIN and its confirmation.
    pub fn typed(self) -> (&'static str, &'static str) {
        match self {
            PinChoice::Five => ("12345", "12345"),
            PinChoice::Six => ("123456", "123456"),
            PinChoice::Seven => ("1234567", "1234567"),
            PinChoice::Letters => ("abcdef", "abcdef"),
            PinChoice::Mismatch => ("123456", "123465"),
        }
    }
}

/// Which button or tile someone presses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Button {
    /// The first button that moves on (not Cancel, Back, Wireless, Info, Refresh, ...), else
    /// the first tile.
    Next,
    /// The n-th of everything clickable on screen (modulo how many there are).
    Nth(u8),
    /// The button, tile or menu item with this label; written counterexamples use it.
    Named(String),
}

/// Labels that do not move a sign-in on: [`Button::Next`] skips them.
const DETOURS: &[&str] = &[
    "Cancel",
    "Back",
    "Wireless",
    "Refresh",
    "Info",
    "Close",
    "Restart",
    "Sign out",
    "Log Out",
    "Sign-in options",
];

/// The label [`Button::Next`] presses on `screen`.
fn next_button(screen: &Screen) -> Option<String> {
    let moving = |b: &&String| {
        !DETOURS
            .iter()
            .any(|d| ssap_endpoint::screen::same_label(b, d))
    };
    screen
        .buttons
        .iter()
        .find(moving)
        .cloned()
        .or_else(|| {
            (screen.dialog.is_none())
                .then(|| screen.tiles.first().map(|t| t.label.clone()))
                .flatten()
        })
        .or_else(|| screen.clickables().first().cloned())
}

impl Button {
    /// What this names on `screen`, if anything.
    pub fn label_on(&self, screen: &Screen) -> Option<String> {
        match self {
            Button::Next => next_button(screen),
            Button::Nth(i) => {
                let all = screen.clickables();
                (!all.is_empty()).then(|| all[usize::from(*i) % all.len()].clone())
            }
            Button::Named(l) => screen.has_button(l).then(|| l.clone()),
        }
    }
}

/// Something that happens to a simulated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceEvent {
    /// It restarts (R10: a fresh presentation with the current configuration).
    Restart,
    /// Its agent checks in (R14: admin binds and unbinds reach the local accounts).
    CheckIn,
    /// The internet goes away (Wi-Fi and Ethernet stay up, R13, R21).
    InternetDown,
    /// The internet comes back.
    InternetUp,
}

/// An admin or directory change to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UserChange {
    /// Activated.
    Active,
    /// Back to staged.
    Staged,
    /// Suspended.
    Suspended,
    /// Locked.
    Locked,
    /// Unlocked.
    Unlocked,
    /// Password marked expired.
    PasswordExpired,
    /// MFA enforced.
    MfaEnforced,
    /// Removed from the directory (R63): unknown to sign-ins, associations kept disabled.
    Removed,
    /// Signs in through the org's identity provider from now on (R46).
    Federated,
}

/// What the identity provider answers a federated sign-in with (R46): an honest ID token, the
/// honest answer redeemed a second time (a replay), or a token a control plane must refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TokenChoice {
    /// A correct token.
    Honest,
    /// The honest code and state redeemed twice; the second answer is observed.
    Replayed,
    /// Signed with a key that is not the client secret.
    ForeignKey,
    /// Issued for another client.
    WrongAudience,
    /// Claiming another issuer.
    WrongIssuer,
    /// Expired an hour ago.
    Expired,
    /// Answering another sign-in (another nonce).
    WrongNonce,
    /// For another email than the one that signed in.
    WrongEmail,
}

impl TokenChoice {
    /// Every choice, in the order sentences list them.
    pub const ALL: [TokenChoice; 8] = [
        TokenChoice::Honest,
        TokenChoice::Replayed,
        TokenChoice::ForeignKey,
        TokenChoice::WrongAudience,
        TokenChoice::WrongIssuer,
        TokenChoice::Expired,
        TokenChoice::WrongNonce,
        TokenChoice::WrongEmail,
    ];
}

/// Which ticket a provisioning presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TicketChoice {
    /// The last ticket this device was issued.
    Own,
    /// The last ticket another device was issued (an attacker replaying it).
    OtherDevice(u8),
    /// A ticket no control plane issued.
    Forged,
}

/// Which idempotency key a provisioning sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyChoice {
    /// A new key for a new attempt.
    Fresh,
    /// The key of this device's previous provisioning (a retry after a lost reply).
    Repeat,
}

/// The facts of a device an exploration registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeviceKind {
    /// macOS or Windows.
    pub os: Os,
    /// Windows edition: 0 Pro, 1 Enterprise, 2 Home (unsupported).
    pub edition: u8,
    /// An arm64 machine (else x86_64).
    pub arm: bool,
    /// Domain join.
    pub join: JoinState,
    /// Device management.
    pub mdm: Mdm,
}

/// Draws actions with weights that reach deep states: many users created and provisioned,
/// policies bound, users changed after provisioning, attackers replaying tickets.
pub fn random_action(rng: &mut StdRng, devices: u8) -> Action {
    let devices = devices.max(1);
    if rng.gen_bool(0.4) {
        return device_action(rng, devices);
    }
    let device = rng.gen_range(0..devices);
    let user = rng.gen_range(0..USERS + 1);
    let os = if rng.gen_bool(0.5) {
        Os::Macos
    } else {
        Os::Windows
    };
    match rng.gen_range(0..114u32) {
        0..=5 => Action::Toggle {
            os,
            on: rng.gen_bool(0.8),
        },
        6..=7 => Action::Permission {
            admin: rng.gen_bool(0.5),
        },
        8..=9 => Action::PasswordSync {
            on: rng.gen_bool(0.7),
        },
        10..=19 => Action::CreateUser {
            user: rng.gen_range(0..USERS),
            password: rng.gen_bool(0.85),
            system_username: rng.gen_bool(0.3),
            name: match rng.gen_range(0..14) {
                0 => NameChoice::Chars20,
                1 => NameChoice::Chars21,
                2 => NameChoice::Capitals,
                3 => NameChoice::TrailingPeriod,
                4 => NameChoice::DigitFirst,
                5 => NameChoice::Forbidden(rng.gen_range(0..FORBIDDEN.len() as u8)),
                _ => NameChoice::Plain,
            },
        },
        20..=25 => Action::ChangeUser {
            user,
            change: match rng.gen_range(0..9) {
                0 => UserChange::Active,
                1 => UserChange::Staged,
                2 => UserChange::Suspended,
                3 => UserChange::Locked,
                4 => UserChange::Unlocked,
                5 => UserChange::PasswordExpired,
                6 => UserChange::MfaEnforced,
                7 => UserChange::Removed,
                _ => UserChange::Federated,
            },
        },
        26..=32 => Action::RegisterDevice {
            device: device_kind(rng, os),
        },
        33..=36 => Action::Bind { device, user },
        37..=39 => Action::Unbind { device, user },
        40..=42 => Action::WindowsPolicy {
            device,
            mode: match rng.gen_range(0..3) {
                0 => None,
                1 => Some(WindowsSsapMode::FirstUserOnly),
                _ => Some(WindowsSsapMode::MultipleUsers),
            },
        },
        43..=44 => Action::LoginText {
            device,
            text: rng.gen_bool(0.7).then(|| rng.gen_range(0..3)),
        },
        45..=46 => Action::MfaPolicy {
            device,
            on: rng.gen_bool(0.7),
        },
        47..=62 => Action::Authenticate {
            device,
            user,
            right_password: rng.gen_bool(0.75),
        },
        63..=77 => Action::Provision {
            device,
            ticket: match rng.gen_range(0..10) {
                0 => TicketChoice::Forged,
                1 => TicketChoice::OtherDevice(rng.gen_range(0..devices)),
                _ => TicketChoice::Own,
            },
            key: if rng.gen_bool(0.2) {
                KeyChoice::Repeat
            } else {
                KeyChoice::Fresh
            },
        },
        78..=80 => Action::ReportAttempt { device, user },
        81..=87 => Action::ReadLoginWindow { device },
        88..=93 => Action::ReadAssociations { device },
        94..=95 => Action::ReadUsers,
        96 => Action::TimePasses {
            seconds: [61, 61, 3601, 60, 59, 600, 599][rng.gen_range(0..7)],
        },
        97..=99 => Action::ReadAudit,
        100..=101 => Action::EnrollMfa {
            user: rng.gen_range(0..USERS),
            right_password: rng.gen_bool(0.85),
        },
        102..=105 => Action::VerifyMfa {
            device,
            user: rng.gen_range(0..USERS),
            code: match rng.gen_range(0..10) {
                0..=4 => CodeChoice::Current,
                5..=6 => CodeChoice::Again,
                7 => CodeChoice::Expired,
                _ => CodeChoice::Wrong,
            },
        },
        106..=107 => Action::WrongPasswords {
            device,
            user: rng.gen_range(0..USERS),
            times: rng.gen_range(4..=6),
        },
        108..=109 => Action::IdentityProvider {
            on: rng.gen_bool(0.8),
        },
        _ => Action::FederatedSignIn {
            device,
            user: rng.gen_range(0..USERS),
            token: if rng.gen_bool(0.5) {
                TokenChoice::Honest
            } else {
                TokenChoice::ALL[rng.gen_range(1..TokenChoice::ALL.len())]
            },
        },
    }
}

fn device_kind(rng: &mut StdRng, os: Os) -> DeviceKind {
    DeviceKind {
        os,
        edition: if rng.gen_bool(0.85) {
            rng.gen_range(0..2)
        } else {
            2
        },
        arm: rng.gen_bool(0.1),
        join: match rng.gen_range(0..20) {
            0 => JoinState::ActiveDirectory,
            1 => JoinState::EntraId,
            _ => JoinState::Workgroup,
        },
        mdm: match rng.gen_range(0..3) {
            0 => Mdm::None,
            1 => Mdm::Jumpcloud,
            _ => Mdm::OtherVendor,
        },
    }
}

/// What people do at simulated devices: mostly pressing on through the screen in front of
/// them, with admin changes and other devices' actions landing between any two presses.
fn device_action(rng: &mut StdRng, devices: u8) -> Action {
    let device = rng.gen_range(0..devices);
    let os = if rng.gen_bool(0.5) {
        Os::Macos
    } else {
        Os::Windows
    };
    match rng.gen_range(0..20u32) {
        0..=1 => Action::BootDevice {
            device: device_kind(rng, os),
        },
        2..=15 => Action::Press {
            device,
            typing: Typing {
                user: if rng.gen_bool(0.9) {
                    rng.gen_range(0..USERS)
                } else {
                    USERS
                },
                right: rng.gen_bool(0.85),
                pin: match rng.gen_range(0..10) {
                    0 => PinChoice::Five,
                    1 => PinChoice::Seven,
                    2 => PinChoice::Letters,
                    3 => PinChoice::Mismatch,
                    _ => PinChoice::Six,
                },
                code: match rng.gen_range(0..10) {
                    0 => CodeChoice::Again,
                    1 => CodeChoice::Expired,
                    2 => CodeChoice::Wrong,
                    _ => CodeChoice::Current,
                },
            },
            button: if rng.gen_bool(0.75) {
                Button::Next
            } else {
                Button::Nth(rng.gen_range(0..8))
            },
        },
        16..=18 => Action::DeviceEvent {
            device,
            event: match rng.gen_range(0..20) {
                0..=6 => DeviceEvent::Restart,
                7..=13 => DeviceEvent::CheckIn,
                14..=16 => DeviceEvent::InternetDown,
                _ => DeviceEvent::InternetUp,
            },
        },
        _ => Action::LocalAccount {
            device,
            user: rng.gen_range(0..USERS),
            capitals: rng.gen_bool(0.3),
        },
    }
}

/// A seeded sequence of `n` actions over the default number of devices (the same seed gives
/// the same sequence).
pub fn sequence(seed: u64, n: usize) -> Vec<Action> {
    sequence_over(seed, n, crate::target::MAX_DEVICES as u8)
}

/// A seeded sequence of `n` actions naming devices `0..devices`.
pub fn sequence_over(seed: u64, n: usize, devices: u8) -> Vec<Action> {
    use rand::SeedableRng;
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| random_action(&mut rng, devices)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_sequence_and_another_seed_another() {
        assert_eq!(sequence(7, 200), sequence(7, 200));
        assert_ne!(sequence(7, 200), sequence(8, 200));
    }

    #[test]
    fn every_kind_of_action_is_drawn() {
        let seq = sequence(1, 5_000);
        let kinds: std::collections::BTreeSet<String> = seq
            .iter()
            .map(|a| {
                format!("{a:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        assert_eq!(kinds.len(), 28, "{kinds:?}");
    }
}
