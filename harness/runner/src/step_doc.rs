//! `ssap-harness steps --markdown`: the step reference committed as `features/STEPS.md`, so a
//! QA engineer writes scenarios from one page: every step with its doc comment and a real
//! use, then the test data the steps rely on (default emails and PIN, networks, thresholds,
//! refusal codes, audit actions).
//!
//! Doc comments and the control plane's constants are read from the source tree, so the page
//! says what the code says; a test regenerates it and fails when the committed copy differs
//! or a step has no doc comment.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::step_catalog::{self, StepDef};

/// Written in place of a missing doc comment; the STEPS.md test fails on it.
pub const UNDOCUMENTED: &str = "(no doc comment: add one above the step's attribute)";

/// The checkout the binary runs in: the working directory when it is the repository root,
/// else the one the binary was built from.
pub fn source_root() -> anyhow::Result<PathBuf> {
    let here = PathBuf::from(".");
    if here.join("harness/runner/src/steps").is_dir() {
        return Ok(here);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if built.join("harness/runner/src/steps").is_dir() {
        return Ok(built);
    }
    anyhow::bail!(
        "the step reference reads the source: run it from the repository root (no \
         harness/runner/src/steps here or at {})",
        built.display()
    )
}

fn read(root: &Path, rel: &str) -> anyhow::Result<String> {
    let path = root.join(rel);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// The `///` comment of the function a step attribute at `file:line` belongs to, as one line.
pub fn doc_comment(source: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let fn_line = (line.saturating_sub(1)..lines.len()).find(|&i| {
        let t = lines[i].trim_start();
        t.starts_with("async fn ") || t.starts_with("fn ") || t.starts_with("pub")
    })?;
    let mut doc = Vec::new();
    for l in lines[..fn_line].iter().rev() {
        let t = l.trim();
        if let Some(text) = t.strip_prefix("///") {
            doc.push(text.trim());
        } else if t.is_empty()
            || l.starts_with('}')
            || t.starts_with("//!")
            || (!l.starts_with(' ') && t.ends_with(';'))
        {
            break;
        }
    }
    doc.reverse();
    let text = doc.join(" ").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Every step's "file:line" and its doc comment (None when it has none).
pub fn step_docs(root: &Path, defs: &[StepDef]) -> anyhow::Result<Vec<Option<String>>> {
    let mut out = Vec::new();
    for d in defs {
        let (file, line) = split_at(&d.defined_at);
        let source = read(root, file)?;
        out.push(doc_comment(&source, line));
    }
    Ok(out)
}

fn split_at(defined_at: &str) -> (&str, usize) {
    match defined_at.rsplit_once(':') {
        Some((f, l)) => (f, l.parse().unwrap_or(0)),
        None => (defined_at, 0),
    }
}

/// A regex as a reader sees it: without the anchors.
fn shown_pattern(p: &str) -> String {
    let p = p.strip_prefix('^').unwrap_or(p);
    let p = p.strip_suffix('$').unwrap_or(p);
    if p.contains('`') {
        format!("`` {p} ``")
    } else {
        format!("`{p}`")
    }
}

/// The whole page.
pub fn markdown(root: &Path, features: &Path) -> anyhow::Result<String> {
    let mut defs = step_catalog::definitions();
    let problems = step_catalog::attach_examples(&mut defs, features);
    if let Some(p) = problems.first() {
        anyhow::bail!("the examples need every feature file to parse: {p}");
    }
    let docs = step_docs(root, &defs)?;
    let mut out = String::new();
    out.push_str(
        "# Step reference\n\n\
         Every step the harness defines, with what it does and a real use from `features/`, then \
         the test data the steps rely on. Generated: `cargo run --release -- steps --markdown > \
         features/STEPS.md` (a test fails when this file is stale or a step has no doc \
         comment). Quoted values are yours to choose, except that one cannot hold a `\"` (Gherkin has no escape for it in step text; a directory user's fields can take one in the table of `a directory user with these fields:`, where a cell writes `\\\\` for a backslash); `(a|b)` means one of the words.\n",
    );
    let mut file = "";
    let mut i = 0;
    while i < defs.len() {
        let (f, _) = split_at(&defs[i].defined_at);
        if f != file {
            file = f;
            // The module's `//!` comment, its paragraphs kept.
            let module = read(root, f)?
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .map(|l| l.trim_start_matches("//!").trim())
                .collect::<Vec<_>>()
                .split(|l| l.is_empty())
                .map(|p| p.join(" "))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            let _ = write!(out, "\n## {}\n\n{module}\n", module_name(f));
        }
        // Attributes on one function share its doc comment and are listed together.
        let mut j = i + 1;
        while j < defs.len() && docs[j] == docs[i] && same_fn(root, &defs[i], &defs[j]) {
            j += 1;
        }
        out.push('\n');
        for d in &defs[i..j] {
            let _ = writeln!(
                out,
                "- **{}** {}",
                step_catalog::kind_word(d.kind),
                shown_pattern(&d.pattern)
            );
        }
        let _ = writeln!(out, "\n  {}\n", docs[i].as_deref().unwrap_or(UNDOCUMENTED));
        for d in &defs[i..j] {
            match &d.example {
                Some((text, at)) => {
                    let _ = writeln!(out, "  Example: `{text}` ({})", relative(root, at));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  Example: no example in features/ for the {} form",
                        step_catalog::kind_word(d.kind)
                    );
                }
            }
        }
        i = j;
    }
    out.push_str(&crate::test_data::markdown(root)?);
    Ok(out)
}

fn module_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    format!("{stem} steps (`{file}`)")
}

/// Whether two definitions sit on the same function (one fn, several attributes).
fn same_fn(root: &Path, a: &StepDef, b: &StepDef) -> bool {
    let ((fa, la), (fb, lb)) = (split_at(&a.defined_at), split_at(&b.defined_at));
    if fa != fb {
        return false;
    }
    let Ok(source) = read(root, fa) else {
        return false;
    };
    let lines: Vec<&str> = source.lines().collect();
    let (lo, hi) = (la.min(lb), la.max(lb));
    // Nothing but attributes between them.
    (lo..hi).all(|n| {
        lines
            .get(n.saturating_sub(1))
            .is_some_and(|l| !l.trim_start().starts_with("async fn") && !l.trim().is_empty())
    })
}

/// "features/x.feature:7" whatever folder the features were read from.
fn relative(root: &Path, at: &str) -> String {
    let root = root.display().to_string();
    at.strip_prefix(&format!("{root}/"))
        .map(str::to_string)
        .unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doc_comment_above_stacked_attributes_belongs_to_each() {
        let src = "}\n\n/// Turns it on.\n/// Then checks.\n#[given(regex = r\"^a$\")]\n#[when(\n    regex = r\"^b$\"\n)]\nasync fn a(w: &mut W) {}\n\n#[then(regex = r\"^c$\")]\nasync fn c() {}\n";
        assert_eq!(
            doc_comment(src, 5).as_deref(),
            Some("Turns it on. Then checks.")
        );
        assert_eq!(
            doc_comment(src, 6).as_deref(),
            Some("Turns it on. Then checks.")
        );
        assert_eq!(doc_comment(src, 11), None);
    }
}
