//! Property-based fuzzing of the OS naming rules (R39, R43): no input panics, an accepted name
//! obeys every rule of its OS, the name chosen for a user is always one the OS accepts, and
//! matching is reflexive, symmetric and ignores letter case.
//!
//! `cargo test` runs proptest's default 256 cases per property; CI runs a million each:
//! `PROPTEST_CASES=1000000 cargo test --release -p ssap-endpoint --test devices fuzz_names`.

use proptest::prelude::*;
use ssap_api::Os;
use ssap_endpoint::rules::{self, local_name_for, names_match, validate_local_name};

fn os() -> impl Strategy<Value = Os> {
    prop_oneof![Just(Os::Macos), Just(Os::Windows)]
}

/// Any Unicode, plus strings dense in what the rules care about: forbidden characters, dots,
/// spaces, control characters, upper case, Cyrillic look-alikes, reserved names, lengths
/// around the Windows limit.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9._ \\-\"/\\\\\\[\\]:|<>+=;?*,\u{0}-\u{1f}\u{7f}\u{430}\u{435}\u{43e}\u{130}\u{131}\u{df}]{0,24}",
        "[a-z][a-z0-9._\\-]{0,22}\\.?",
        prop::sample::select(vec![
            "administrator", "Administrator", "root", "ROOT", "con", "CON", "nul", "guest",
            "admin", "hank", "HANK", "h\u{430}nk", "hank.", "...", " ", "", ". .",
        ])
        .prop_map(str::to_string),
    ]
}

fn invariants(os: Os, name: &str) {
    if validate_local_name(os, name).is_err() {
        return;
    }
    assert!(!name.is_empty());
    assert!(!name.chars().any(char::is_control), "{name:?}");
    match os {
        Os::Windows => {
            assert!(name.chars().count() <= rules::windows::MAX_LEN, "{name:?}");
            assert!(
                !name.chars().any(|c| rules::windows::FORBIDDEN.contains(&c)),
                "{name:?}"
            );
            assert!(!name.ends_with('.'), "{name:?}");
            assert!(!name.chars().all(|c| c == '.' || c == ' '), "{name:?}");
            assert!(
                !rules::windows::RESERVED.contains(&name.to_lowercase().as_str()),
                "{name:?}"
            );
        }
        Os::Macos => {
            assert!(name.chars().count() <= rules::macos::MAX_LEN, "{name:?}");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, '-' | '_' | '.')),
                "{name:?}"
            );
            assert!(
                name.starts_with(|c: char| c.is_ascii_lowercase()),
                "{name:?}"
            );
            assert!(!rules::macos::RESERVED.contains(&name), "{name:?}");
        }
    }
}

proptest! {
    #[test]
    fn an_accepted_name_obeys_every_rule(os in os(), name in name()) {
        invariants(os, &name);
        // The refusal's sentence names the name and never panics either.
        if let Err(e) = validate_local_name(os, &name) {
            prop_assert!(e.sentence().contains("cannot be used"));
        }
    }

    #[test]
    fn the_chosen_name_is_one_the_os_accepts(
        os in os(),
        username in name(),
        system in proptest::option::of(name()),
    ) {
        if let Ok(chosen) = local_name_for(os, &username, system.as_deref()) {
            prop_assert!(validate_local_name(os, &chosen).is_ok(), "{chosen:?}");
            invariants(os, &chosen);
            let source = match system.as_deref() {
                Some(s) if !s.trim().is_empty() => s,
                _ => username.as_str(),
            };
            prop_assert!(names_match(os, &chosen, source), "{chosen:?} from {source:?}");
        }
    }

    #[test]
    fn matching_is_reflexive_symmetric_and_ignores_case(
        os in os(),
        a in name(),
        b in name(),
        ascii in "[a-zA-Z0-9._\\-]{0,24}",
    ) {
        prop_assert!(names_match(os, &a, &a));
        prop_assert_eq!(names_match(os, &a, &b), names_match(os, &b, &a));
        prop_assert!(names_match(os, &ascii, &ascii.to_ascii_uppercase()));
        prop_assert!(names_match(os, &ascii.to_ascii_lowercase(), &ascii));
        // A look-alike letter is another letter: never the same account.
        if ascii.contains('a') {
            let look_alike = ascii.replacen('a', "\u{430}", 1);
            prop_assert!(!names_match(os, &ascii, &look_alike));
        }
    }
}
