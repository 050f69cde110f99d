//! Windows local account name rules (R39): at most 20 characters, none of
//! `" / \ [ ] : | < > + = ; ? * ,`, no control characters, no trailing period, not only
//! periods and spaces, and not a name Windows keeps for built-in accounts, groups or devices.

use super::NameProblem;

/// Longest SAM account name Windows accepts.
pub const MAX_LEN: usize = 20;

/// Characters Windows refuses in user names.
pub const FORBIDDEN: &[char] = &[
    '"', '/', '\\', '[', ']', ':', '|', '<', '>', '+', '=', ';', '?', '*', ',',
];

/// Built-in accounts, well-known groups and DOS device names (a profile folder by that name
/// cannot be created). Compared case-insensitively, as Windows does.
pub const RESERVED: &[&str] = &[
    "administrator",
    "guest",
    "defaultaccount",
    "wdagutilityaccount",
    "system",
    "localsystem",
    "localservice",
    "networkservice",
    "administrators",
    "users",
    "guests",
    "everyone",
    "interactive",
    "network",
    "service",
    "batch",
    "anonymous logon",
    "authenticated users",
    "creator owner",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// Windows compares account names case-insensitively (R43).
pub fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// The first rule `name` breaks, if any.
pub fn problem(name: &str) -> Option<NameProblem> {
    if name.is_empty() {
        return Some(NameProblem::Empty);
    }
    if name.chars().any(|c| c.is_control()) {
        return Some(NameProblem::ControlChar);
    }
    if let Some(c) = name.chars().find(|c| FORBIDDEN.contains(c)) {
        return Some(NameProblem::ForbiddenChar(c));
    }
    if name.chars().all(|c| c == '.' || c == ' ') {
        return Some(NameProblem::OnlyDotsOrSpaces);
    }
    let len = name.chars().count();
    if len > MAX_LEN {
        return Some(NameProblem::TooLong { len, max: MAX_LEN });
    }
    if name.ends_with('.') {
        return Some(NameProblem::TrailingPeriod);
    }
    if RESERVED.contains(&fold(name).as_str()) {
        return Some(NameProblem::Reserved);
    }
    None
}
