//! The step catalog behind `ssap-harness steps`: every step definition with its pattern, where
//! it is defined, and an example of its use taken from the feature files, so a QA engineer can
//! write a scenario without reading Rust. Also explains an undefined step: the keyword it was
//! meant for, or a ready-to-paste definition.

use std::path::Path;

use cucumber::codegen::{StepConstructor, WorldInventory};
use cucumber::gherkin::{self, StepType};

use crate::world::SsapWorld;

/// One step definition.
#[derive(Debug, Clone)]
pub struct StepDef {
    /// Given, When or Then.
    pub kind: StepType,
    /// The regex as written in the definition.
    pub pattern: String,
    /// "harness/runner/src/steps/admin.rs:12".
    pub defined_at: String,
    /// A step from the features that uses it, and where ("features/x.feature:7").
    pub example: Option<(String, String)>,
    regex: cucumber::codegen::Regex,
}

/// Every registered step definition, in file and line order.
pub fn definitions() -> Vec<StepDef> {
    fn collect<T: StepConstructor<SsapWorld> + 'static>(
        kind: StepType,
        items: impl Iterator<Item = &'static T>,
    ) -> Vec<StepDef> {
        items
            .map(|item| {
                let (loc, regex, _) = item.inner();
                let regex = regex();
                StepDef {
                    kind,
                    pattern: regex.as_str().to_string(),
                    defined_at: format!("{}:{}", loc.path, loc.line),
                    example: None,
                    regex,
                }
            })
            .collect()
    }
    let mut all = Vec::new();
    all.extend(collect(
        StepType::Given,
        cucumber::codegen::inventory::iter::<<SsapWorld as WorldInventory>::Given>.into_iter(),
    ));
    all.extend(collect(
        StepType::When,
        cucumber::codegen::inventory::iter::<<SsapWorld as WorldInventory>::When>.into_iter(),
    ));
    all.extend(collect(
        StepType::Then,
        cucumber::codegen::inventory::iter::<<SsapWorld as WorldInventory>::Then>.into_iter(),
    ));
    all.sort_by(|a, b| {
        let key = |d: &StepDef| {
            let (file, line) = d
                .defined_at
                .rsplit_once(':')
                .unwrap_or((&d.defined_at, "0"));
            (
                file.to_string(),
                line.parse::<u32>().unwrap_or(0),
                kind_order(d.kind),
            )
        };
        key(a).cmp(&key(b))
    });
    all
}

fn kind_order(k: StepType) -> u8 {
    match k {
        StepType::Given => 0,
        StepType::When => 1,
        StepType::Then => 2,
    }
}

/// "Given", "When" or "Then".
pub fn kind_word(k: StepType) -> &'static str {
    match k {
        StepType::Given => "Given",
        StepType::When => "When",
        StepType::Then => "Then",
    }
}

/// Fills each definition's example from the feature files under `features`. Files that do
/// not parse are reported in the returned list (path and reason), not skipped silently.
pub fn attach_examples(defs: &mut [StepDef], features: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for path in crate::gherkin_paths::feature_files(features) {
        let feature = match gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default()) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()));
        let mut steps: Vec<(StepType, String, usize)> = feature
            .background
            .iter()
            .flat_map(|b| b.steps.iter())
            .map(|st| (st.ty, st.value.clone(), st.position.line))
            .collect();
        for scenario in scenarios {
            // Outlines: every Examples row, so each placeholder value shows up once.
            let rows = outline_rows(scenario);
            for st in &scenario.steps {
                if rows.is_empty() {
                    steps.push((st.ty, st.value.clone(), st.position.line));
                }
                for row in &rows {
                    let mut text = st.value.clone();
                    for (k, v) in row {
                        text = text.replace(&format!("<{k}>"), v);
                    }
                    steps.push((st.ty, text, st.position.line));
                }
            }
        }
        for (ty, text, line) in steps {
            for def in defs.iter_mut() {
                if def.example.is_none() && def.kind == ty && def.regex.is_match(&text) {
                    def.example = Some((
                        format!("{} {}", kind_word(ty), text),
                        format!("{}:{}", path.display(), line),
                    ));
                }
            }
        }
    }
    problems
}

/// (placeholder, value) pairs of every Examples row of an outline; empty for a plain scenario.
fn outline_rows(scenario: &gherkin::Scenario) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for ex in &scenario.examples {
        let Some(table) = &ex.table else { continue };
        let Some((header, rows)) = table.rows.split_first() else {
            continue;
        };
        for row in rows {
            out.push(header.iter().cloned().zip(row.iter().cloned()).collect());
        }
    }
    out
}

/// The catalog as text: one block per step.
pub fn render(defs: &[StepDef]) -> String {
    let mut out = String::new();
    for d in defs {
        out.push_str(&format!(
            "{:<5} {}\n      defined at {}\n",
            kind_word(d.kind),
            d.pattern,
            d.defined_at
        ));
        match &d.example {
            Some((text, at)) => out.push_str(&format!("      e.g.  {text}    ({at})\n")),
            None => out.push_str("      e.g.  (not used by any feature yet)\n"),
        }
    }
    out.push_str(&format!("\n{} step definitions\n", defs.len()));
    out
}

/// A definition to paste for a step nothing matches: quoted values become `"([^"]*)"`
/// captures (String) and whole numbers `(\d+)` captures (u32), so the definition serves other
/// values too, not only the ones of this scenario.
pub fn suggest_definition(kind: StepType, text: &str) -> String {
    let mut pattern = String::from("^");
    let mut args = Vec::new();
    let mut literal = String::new();
    // The function's name comes from the words around the captures.
    let mut words = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let closing = (c == '"')
            .then(|| chars[i + 1..].iter().position(|&d| d == '"'))
            .flatten();
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if let Some(len) = closing {
            words.push_str(&literal);
            words.push(' ');
            pattern.push_str(&regex_escape(&std::mem::take(&mut literal)));
            pattern.push_str("\"([^\"]*)\"");
            args.push(format!("arg{}: String", args.len() + 1));
            i += len + 2;
        } else if c.is_ascii_digit() && word_start {
            let end = (i..chars.len())
                .find(|&j| !chars[j].is_ascii_digit())
                .unwrap_or(chars.len());
            if end < chars.len() && chars[end].is_alphanumeric() {
                literal.extend(&chars[i..end]);
            } else {
                words.push_str(&literal);
                words.push(' ');
                pattern.push_str(&regex_escape(&std::mem::take(&mut literal)));
                pattern.push_str("(\\d+)");
                args.push(format!("arg{}: u32", args.len() + 1));
            }
            i = end;
        } else {
            literal.push(c);
            i += 1;
        }
    }
    words.push_str(&literal);
    pattern.push_str(&regex_escape(&literal));
    pattern.push('$');
    let attr = kind_word(kind).to_lowercase();
    let name: String = words
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .take(6)
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase();
    let name = if name.is_empty() {
        "new_step".to_string()
    } else {
        name
    };
    let mut params = vec!["w: &mut SsapWorld".to_string()];
    params.extend(args);
    format!(
        "/// What it does, what it asserts, where it leaves the screen.\n\
         #[{attr}(regex = r#\"{pattern}\"#)]\nasync fn {name}({}) -> StepResult {{\n    \
         let _ = w;\n    crate::fail!(\"step not written yet\")\n}}",
        params.join(", ")
    )
}

/// The keyword of a definition that matches `text` when none of keyword `kind` does: the
/// step was written under the wrong keyword (a Given's text used as a Then).
pub fn other_keyword(kind: StepType, text: &str) -> Option<StepType> {
    static DEFS: std::sync::OnceLock<Vec<StepDef>> = std::sync::OnceLock::new();
    let defs = DEFS.get_or_init(definitions);
    if defs
        .iter()
        .any(|d| d.kind == kind && d.regex.is_match(text))
    {
        return None;
    }
    defs.iter()
        .find(|d| d.kind != kind && d.regex.is_match(text))
        .map(|d| d.kind)
}

/// Why a step is undefined: a step of another keyword written under the wrong one (a Given
/// used as a Then) needs moving, not new Rust; anything else gets a definition to paste.
pub fn explain_undefined(step: &gherkin::Step) -> String {
    if let Some(kind) = other_keyword(step.ty, &step.value) {
        let word = kind_word(kind);
        return format!(
            "no {} step has this text, but this text is a {word} step; write it as {word}/And \
             after a {word} (an And or But takes the keyword of the step above it)",
            kind_word(step.ty)
        );
    }
    if step.value.contains("\\\"") {
        return "no step definition matches this step: a quoted value cannot hold a double \
                quote (Gherkin has no escape for it in step text, so `\\\"` ends the value); \
                quote a part of the text without it, or for a directory user's fields use \
                `a directory user with these fields:` and a table"
            .to_string();
    }
    format!(
        "no step definition matches this step. features/STEPS.md (or `ssap-harness steps`) \
         lists the library; a new definition starts like:\n{}",
        suggest_definition(step.ty, &step.value)
    )
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_captures_quoted_values() {
        let s = suggest_definition(StepType::When, r#"the admin renames "Holly" to "Jo""#);
        assert!(
            s.contains(r#"^the admin renames "([^"]*)" to "([^"]*)"$"#),
            "{s}"
        );
        assert!(s.contains("arg1: String, arg2: String"), "{s}");
        assert!(s.contains("async fn the_admin_renames_to("), "{s}");
        let re =
            cucumber::codegen::Regex::new(r#"^the admin renames "([^"]*)" to "([^"]*)"$"#).unwrap();
        assert!(re.is_match(r#"the admin renames "Holly" to "Jo""#));
    }

    #[test]
    fn suggestion_captures_numbers_but_not_digits_inside_words() {
        let s = suggest_definition(StepType::Given, "the org allows 3 devices per R42 user");
        assert!(
            s.contains(r##"regex = r#"^the org allows (\d+) devices per R42 user$"#"##),
            "{s}"
        );
        assert!(s.contains("arg1: u32"), "{s}");
        assert!(
            s.contains("async fn the_org_allows_devices_per_r42("),
            "{s}"
        );
    }

    #[test]
    fn a_given_text_under_then_is_recognised_as_a_given() {
        assert_eq!(
            other_keyword(StepType::Then, "the macOS SSAP toggle is on"),
            Some(StepType::Given)
        );
        assert_eq!(
            other_keyword(StepType::Given, "the macOS SSAP toggle is on"),
            None
        );
        assert_eq!(other_keyword(StepType::Then, "the moon is cheese"), None);
    }

    #[test]
    fn every_definition_has_a_location() {
        let defs = definitions();
        assert!(
            defs.len() > 10,
            "only {} step definitions found",
            defs.len()
        );
        for d in &defs {
            assert!(d.defined_at.contains("steps/"), "{d:?}");
        }
    }
}
