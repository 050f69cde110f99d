//! A shrunk disagreement written as a `.feature` file: one `When over the API, <action>` step
//! per action (see [`crate::sentence`]), the two answers of the action they disagreed on as
//! comments, and `Then the reference server and the mock model answer every action alike`,
//! which replays the actions on the second implementation and compares. So the file fails
//! under `ssap-harness run` as the exploration did, and passes once the wrong side is mended.

use std::collections::BTreeSet;

use ssap_api::{JoinState, Mdm, Os};

use crate::action::USERS;
use crate::action::{
    Action, CodeChoice, DeviceEvent, KeyChoice, NameChoice, PinChoice, TicketChoice, UserChange,
};
use crate::Counterexample;

/// The step that ends every written counterexample.
pub const AGREE_STEP: &str = "the reference server and the mock model answer every action alike";

/// The step that plays `action`: `over the API, <sentence>`, or `on a simulated device,
/// <sentence>` for what people do at a device.
pub fn step_text(action: &Action) -> String {
    if crate::sentence::on_a_device(action) {
        format!("on a simulated device, {action}")
    } else {
        format!("over the API, {action}")
    }
}

/// Catalog ids (features/catalog.md) an action exercises, for the scenario's tags.
pub fn catalog_ids(action: &Action) -> &'static [&'static str] {
    match action {
        Action::Toggle { .. } => &["R01"],
        Action::Permission { .. } => &["R02"],
        Action::PasswordSync { .. } => &["R06"],
        Action::CreateUser {
            password: false, ..
        } => &["R41"],
        Action::CreateUser {
            system_username: true,
            ..
        } => &["R39"],
        Action::CreateUser { name, .. } if *name != NameChoice::Plain => &["R39"],
        Action::CreateUser { .. } => &[],
        Action::ChangeUser { change, .. } => match change {
            UserChange::Removed => &["R63"],
            UserChange::Federated => &["R46"],
            UserChange::MfaEnforced => &["R45"],
            _ => &["R47"],
        },
        Action::RegisterDevice { device } if device.mdm != Mdm::None => &["R48"],
        Action::RegisterDevice { .. } => &[],
        Action::Bind { .. } | Action::Unbind { .. } => &["R05"],
        Action::WindowsPolicy { .. } => &["R03"],
        Action::MfaPolicy { .. } => &["R45"],
        Action::LoginText { .. } => &[],
        Action::Authenticate {
            right_password: false,
            ..
        } => &["R42"],
        Action::Authenticate { user, .. } if *user >= crate::action::USERS => &["R40"],
        Action::Authenticate { .. } => &[],
        Action::Provision {
            ticket: TicketChoice::Own,
            key: KeyChoice::Fresh,
            ..
        } => &["R44"],
        Action::Provision { .. } => &["R60"],
        Action::ReportAttempt { .. } | Action::ReadAudit => &["R07"],
        Action::TimePasses { .. } => &["R42", "R60"],
        Action::IdentityProvider { .. } => &["R46"],
        Action::FederatedSignIn { user, .. } if *user >= USERS => &["R46", "R40", "R62"],
        Action::FederatedSignIn { .. } => &["R46"],
        Action::EnrollMfa { .. } | Action::VerifyMfa { .. } => &["R45"],
        Action::WrongPasswords { .. } => &["R42"],
        Action::ReadLoginWindow { .. } | Action::ReadAssociations { .. } | Action::ReadUsers => &[],
        Action::BootDevice { device } if device.os == Os::Windows && device.edition == 2 => {
            &["R18"]
        }
        Action::BootDevice { device } if device.arm && device.os == Os::Windows => &["R18"],
        Action::BootDevice { device } if device.join != JoinState::Workgroup => &["R18"],
        Action::BootDevice { device } if device.mdm != Mdm::None => &["R48"],
        Action::BootDevice { .. } => &["R10"],
        Action::Press { typing, .. } if !typing.right => &["R42"],
        Action::Press { typing, .. } if typing.pin != PinChoice::Six => &["R32"],
        Action::Press { typing, .. } if typing.code != CodeChoice::Current => &["R45"],
        Action::Press { .. } => &["R20", "R31"],
        Action::DeviceEvent {
            event: DeviceEvent::Restart,
            ..
        } => &["R10"],
        Action::DeviceEvent {
            event: DeviceEvent::CheckIn,
            ..
        } => &["R14"],
        Action::DeviceEvent { .. } => &["R13", "R21"],
        Action::LocalAccount { .. } => &["R43", "R49"],
    }
}

/// The file's name under `<report-dir>/explore/`: `<seed>-<episode>.feature`.
pub fn file_name(c: &Counterexample) -> String {
    format!("{}-{}.feature", c.seed, c.episode)
}

/// The `.feature` text of a counterexample. `explored` is the command that reproduces the
/// exploration; `run` the command that runs this file.
pub fn feature_text(c: &Counterexample, explored: &str, run: &str) -> String {
    // The rules the sequence is about: those of the action answered differently and of every
    // action that is not mere setup (turning a toggle on, creating users, registering devices
    // come first in nearly every sequence and would tag them all alike).
    let setup = |a: &Action| {
        matches!(
            a,
            Action::Toggle { .. } | Action::CreateUser { .. } | Action::RegisterDevice { .. }
        )
    };
    let ids: BTreeSet<&str> = c
        .actions
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == c.divergence.index || !setup(a))
        .flat_map(|(_, a)| catalog_ids(a).iter().copied())
        .collect();
    let n = c.divergence.index + 1;
    let broken = match (&c.divergence.left, &c.divergence.right) {
        (crate::Observation::RuleBroken(rule), _) | (_, crate::Observation::RuleBroken(rule)) => {
            Some(rule.as_str())
        }
        _ => None,
    };
    // A broken device rule names its catalog id first ("R06: ..."): the file is about it.
    let rule_id = broken
        .and_then(|r| r.split_once(':'))
        .map(|(id, _)| id)
        .filter(|id| id.len() == 3 && id.starts_with('R'));
    let mut ids = ids;
    ids.extend(rule_id);
    let mut tags = vec!["@explore".to_string()];
    tags.extend(ids.iter().map(|id| format!("@{id}")));
    let (what, title) = match broken {
        Some(rule) => (
            format!("action {n} broke a rule every device keeps ({rule})"),
            format!(
                "{} actions after which a device breaks {} at action {n}",
                c.actions.len(),
                rule_id.unwrap_or("a device rule")
            ),
        ),
        None => (
            format!(
                "the {} and the {} answered action {n} differently",
                c.left, c.right
            ),
            format!(
                "{} actions on which the two implementations disagree at action {n}",
                c.actions.len()
            ),
        ),
    };
    let answer = |o| serde_json::to_string(o).unwrap_or_else(|e| format!("(not JSON: {e})"));
    let mut out = String::new();
    out.push_str(&format!(
        "# Written by `ssap-harness explore`: {what}.\n\
         #   exploration: {explored}\n\
         #   (episode {}, {} actions, shrunk to {})\n\
         #   run this file: {run}\n\
         # To keep it: look the rule up in features/catalog.md, mend the side that is wrong, name the\n\
         # scenario after the rule, and move the file into features/ as a regression scenario.\n",
        c.episode,
        c.original_len,
        c.actions.len()
    ));
    out.push_str(&tags.join(" "));
    out.push('\n');
    out.push_str(&format!(
        "Feature: Explore counterexample, seed {}, episode {}\n\n",
        c.seed, c.episode
    ));
    out.push_str(&format!("  Scenario: {title}\n"));
    for (i, a) in c.actions.iter().enumerate() {
        let keyword = if i == 0 { "When" } else { "And" };
        out.push_str(&format!("    {keyword} {}\n", step_text(a)));
        if i == c.divergence.index {
            out.push_str(&format!(
                "    # action {n}: the {} answered {}\n",
                c.left,
                answer(&c.divergence.left)
            ));
            out.push_str(&format!(
                "    # action {n}: the {} answered {}\n",
                c.right,
                answer(&c.divergence.right)
            ));
        }
    }
    out.push_str(&format!("    Then {AGREE_STEP}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Observation;
    use crate::Divergence;

    #[test]
    fn a_counterexample_reads_as_a_scenario_of_api_steps() {
        let actions = crate::action::sequence(3, 6);
        let c = Counterexample {
            seed: 3,
            episode: 2,
            original_len: 40,
            actions: actions.clone(),
            divergence: Divergence {
                index: 5,
                left: Observation::Refused {
                    status: 409,
                    code: "ticket_used".into(),
                },
                right: Observation::Ok(serde_json::json!({"username": "u1"})),
            },
            left: "reference server (embedded)",
            right: "mock model",
        };
        let text = feature_text(
            &c,
            "ssap-harness explore --seed 3",
            "ssap-harness run --features x",
        );
        assert_eq!(file_name(&c), "3-2.feature");
        assert!(text.contains("\n@explore"), "{text}");
        assert!(text.contains("Feature: Explore counterexample, seed 3, episode 2"));
        for a in &actions {
            assert!(
                text.contains(&format!(" {}\n", step_text(a))),
                "{a} missing:\n{text}"
            );
        }
        assert!(text.contains("# action 6: the reference server (embedded) answered {\"refused\""));
        assert!(text.trim_end().ends_with(AGREE_STEP));
        assert!(text.contains("disagree at action 6"), "{text}");
    }

    #[test]
    fn a_broken_device_rule_tags_and_names_the_scenario() {
        let c = Counterexample {
            seed: 1,
            episode: 4,
            original_len: 20,
            actions: crate::action::sequence(1, 3),
            divergence: Divergence {
                index: 2,
                left: Observation::RuleBroken("R06: the account opens".into()),
                right: Observation::RuleBroken("R06: the account opens".into()),
            },
            left: "reference server (embedded)",
            right: "mock model",
        };
        let text = feature_text(&c, "explore", "run");
        assert!(text.contains(" @R06"), "{text}");
        assert!(
            text.contains("Scenario: 3 actions after which a device breaks R06 at action 3"),
            "{text}"
        );
    }
}
