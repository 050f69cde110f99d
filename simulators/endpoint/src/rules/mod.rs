//! Each OS's local account naming and matching rules, in one place (R39, R43).
//!
//! Every other module (the account store, the login window, the credential provider, the
//! agent applying admin binds) goes through these functions, so the OS rules can never drift
//! between the places that create or compare account names.

pub mod macos;
pub mod windows;

use ssap_api::Os;

/// Why a name cannot be a local account name on an OS; the sentence is shown on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing to create an account from.
    Empty,
    /// Longer than the OS allows.
    TooLong {
        /// The name's length in characters.
        len: usize,
        /// The most the OS allows.
        max: usize,
    },
    /// A character the OS refuses in account names.
    ForbiddenChar(char),
    /// macOS short names start with a letter.
    MustStartWithLetter,
    /// macOS short names are lowercase.
    Uppercase,
    /// Windows refuses a trailing period.
    TrailingPeriod,
    /// Windows refuses names made only of periods and spaces.
    OnlyDotsOrSpaces,
    /// Tabs, newlines and other control characters.
    ControlChar,
    /// A name the OS keeps for itself (root, Administrator, ...).
    Reserved,
}

/// A name refused by the OS rules: which name, which OS and why (R39).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct NameError {
    /// The OS whose rules refused it.
    pub os: Os,
    /// The name as asked.
    pub name: String,
    /// Which rule refused it.
    pub problem: NameProblem,
}

impl NameError {
    /// One sentence for the screen and the audit reason.
    pub fn sentence(&self) -> String {
        let n = &self.name;
        let os = self.os;
        let why = match &self.problem {
            NameProblem::Empty => "the name is empty".to_string(),
            NameProblem::TooLong { len, max } => {
                format!("it is {len} characters long and {os} allows at most {max}")
            }
            // The character as typed (a backslash shows as one), not Rust's escaped form.
            NameProblem::ForbiddenChar(c) => format!("{os} does not allow '{c}' in account names"),
            NameProblem::MustStartWithLetter => "it must start with a letter".to_string(),
            NameProblem::Uppercase => "macOS account names are lowercase".to_string(),
            NameProblem::TrailingPeriod => "it must not end with a period".to_string(),
            NameProblem::OnlyDotsOrSpaces => {
                "it must not consist only of periods and spaces".to_string()
            }
            NameProblem::ControlChar => "it contains a control character".to_string(),
            NameProblem::Reserved => format!("{os} reserves this name for itself"),
        };
        format!("The account name \"{n}\" cannot be used on {os}: {why}.")
    }
}

/// Checks a local account name against the OS's rules.
pub fn validate_local_name(os: Os, name: &str) -> Result<(), NameError> {
    let problem = match os {
        Os::Macos => macos::problem(name),
        Os::Windows => windows::problem(name),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(NameError {
            os,
            name: name.to_string(),
            problem,
        }),
    }
}

/// The local account name SSAP creates for a directory user (R39): the system username where
/// one is set (non-blank), else the directory username, normalised the way the OS would
/// (see [`macos::normalise`]; Windows keeps the name as typed), then checked against the OS's
/// rules. Invalid names are refused, never silently rewritten: a rewritten name could collide
/// with, or impersonate, another account.
pub fn local_name_for(
    os: Os,
    username: &str,
    system_username: Option<&str>,
) -> Result<String, NameError> {
    let chosen = match system_username {
        Some(s) if !s.trim().is_empty() => s,
        _ => username,
    };
    let name = match os {
        Os::Macos => macos::normalise(chosen),
        Os::Windows => chosen.to_string(),
    };
    validate_local_name(os, &name)?;
    Ok(name)
}

/// Whether two account names denote the same local account under the OS's own comparison
/// (case-insensitive on both, R43).
pub fn names_match(os: Os, a: &str, b: &str) -> bool {
    match os {
        Os::Macos => macos::fold(a) == macos::fold(b),
        Os::Windows => windows::fold(a) == windows::fold(b),
    }
}
