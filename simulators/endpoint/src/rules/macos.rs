//! macOS short-name rules (R39): lowercase ASCII letters, digits, `-`, `_` and `.`, starting
//! with a letter, at most 255 characters (the directory's RecordName limit), and not one of
//! the names the system keeps for its own accounts and groups.

use super::NameProblem;

/// Longest short name macOS accepts (255 single-byte characters).
pub const MAX_LEN: usize = 255;

/// Names macOS keeps for system accounts and groups; an account by that name would shadow them.
pub const RESERVED: &[&str] = &[
    "root",
    "daemon",
    "nobody",
    "admin",
    "staff",
    "wheel",
    "everyone",
    "guest",
    "operator",
    "localaccounts",
    "sys",
    "tty",
];

/// Directory usernames are case-insensitive (JumpCloud stores them lowercase) and macOS short
/// names are lowercase, so a directory name with capitals (`Hank.Declan`) becomes
/// `hank.declan`, which is what the Users & Groups pane itself would propose. Nothing else is
/// rewritten: a name with other illegal characters is refused with a reason, not "fixed".
pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// macOS compares short names case-insensitively (R43).
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
    let len = name.chars().count();
    if len > MAX_LEN {
        return Some(NameProblem::TooLong { len, max: MAX_LEN });
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(NameProblem::Uppercase);
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')))
    {
        return Some(NameProblem::ForbiddenChar(c));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some(NameProblem::MustStartWithLetter);
    }
    if RESERVED.contains(&name) {
        return Some(NameProblem::Reserved);
    }
    None
}
