//! features/STEPS.md is what `ssap-harness steps --markdown` writes today, and every step has
//! a doc comment: a new or changed step without both fails here, not later in a QA engineer's
//! hands.

use crate::common::{harness, repo, text};

const REGENERATE: &str = "run `cargo run --release -- steps --markdown > features/STEPS.md`";

#[test]
fn steps_md_is_current_and_every_step_has_a_doc_comment() {
    let out = harness()
        .current_dir(repo())
        .args(["steps", "--markdown"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
    let generated = String::from_utf8_lossy(&out.stdout);
    let undocumented: Vec<&str> = generated
        .lines()
        .filter(|l| l.contains(ssap_harness::step_doc::UNDOCUMENTED))
        .collect();
    // The step's own lines are just above the marker; name them.
    let mut missing = Vec::new();
    let lines: Vec<&str> = generated.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.contains(ssap_harness::step_doc::UNDOCUMENTED) {
            let steps = lines[..i]
                .iter()
                .rev()
                .skip_while(|s| s.trim().is_empty())
                .take_while(|s| s.starts_with("- **"))
                .copied()
                .collect::<Vec<_>>();
            missing.push(steps.join(" / "));
        }
    }
    assert!(
        undocumented.is_empty(),
        "{} step(s) have no doc comment (one line: what it does, what it asserts, where it \
         leaves the screen), then {REGENERATE}:\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert!(
        !generated.contains("(not described yet"),
        "an audit action has no description in harness/runner/src/test_data.rs"
    );
    let path = repo().join("features/STEPS.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "features/STEPS.md is stale: {REGENERATE} (first difference at line {}: committed \
             {:?}, generated {:?})",
            first + 1,
            committed.lines().nth(first).unwrap_or("<end of file>"),
            generated.lines().nth(first).unwrap_or("<end of file>")
        );
    }
}
