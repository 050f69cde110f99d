//! What an explorer does: admin changes, device calls and reads, as plain data that replays
//! the same way on any control plane. Entities are named by small indices (user 3, device 1)
//! that each target maps to its own ids, so a sequence means the same thing everywhere and
//! still means something after shrinking removes the action that created an entity (the
//! action is then skipped on every target alike).

use rand::rngs::StdRng;
use rand::Rng;
use serde::Serialize;
use ssap_api::{JoinState, Mdm, Os, WindowsSsapMode};

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
    /// Time passes on the control plane's clock for the org: 61 s ends every throttle window
    /// (R42), an hour expires every ticket issued before.
    TimePasses {
        /// Seconds: 61 or 3601, well clear of the 60 s and 600 s edges, so the wall time an
        /// exploration itself takes cannot tip a comparison either way.
        seconds: u32,
    },
    /// The admin reads the audit log.
    ReadAudit,
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
pub fn random_action(rng: &mut StdRng) -> Action {
    let device = rng.gen_range(0..4u8);
    let user = rng.gen_range(0..USERS + 1);
    let os = if rng.gen_bool(0.5) {
        Os::Macos
    } else {
        Os::Windows
    };
    match rng.gen_range(0..108u32) {
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
        },
        20..=25 => Action::ChangeUser {
            user,
            change: match rng.gen_range(0..8) {
                0 => UserChange::Active,
                1 => UserChange::Staged,
                2 => UserChange::Suspended,
                3 => UserChange::Locked,
                4 => UserChange::Unlocked,
                5 => UserChange::PasswordExpired,
                6 => UserChange::MfaEnforced,
                _ => UserChange::Removed,
            },
        },
        26..=32 => Action::RegisterDevice {
            device: DeviceKind {
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
            },
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
                1 => TicketChoice::OtherDevice(rng.gen_range(0..4)),
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
            seconds: if rng.gen_bool(0.7) { 61 } else { 3601 },
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
        _ => Action::WrongPasswords {
            device,
            user: rng.gen_range(0..USERS),
            times: rng.gen_range(4..=6),
        },
    }
}

/// A seeded sequence of `n` actions (the same seed gives the same sequence).
pub fn sequence(seed: u64, n: usize) -> Vec<Action> {
    use rand::SeedableRng;
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| random_action(&mut rng)).collect()
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
        assert_eq!(kinds.len(), 22, "{kinds:?}");
    }
}
