//! summary.md, for CI job summaries (GitHub `$GITHUB_STEP_SUMMARY`, GitLab, PR comments):
//! the verdict first, then where it failed and how to reproduce it. Kept short on purpose:
//! errors are truncated and the failure list capped, since job summaries have a size limit and
//! index.html holds the full story.

use std::fmt::Write as _;

use crate::coverage::{coverage, tally, unknown_ids, CoverageStatus};
use crate::model::{RunResult, Status};
use crate::stats::{counts_by_os, failure_reason, secs, shard_note, Counts};

/// Failures listed in full; more are only counted.
const MAX_FAILURES: usize = 50;
/// Characters of one error shown.
const MAX_ERROR_CHARS: usize = 1500;

/// Escapes text for inline Markdown: markup characters are backslash-escaped, HTML ones become
/// entities (job summaries render HTML), line breaks become spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inline code span that survives backticks inside `s`.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .filter(|c| !c.is_control() || *c == '\t')
        .collect();
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// Fenced block that survives fences inside `s`.
fn fenced(lang: &str, s: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(s) + 1).max(3));
    let body = crate::text::strip_controls(s);
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end())
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn counts_row(label: &str, c: &Counts) -> String {
    format!(
        "| {} | {} | {} | {} | {} |\n",
        label,
        c.passed,
        c.flaky,
        c.failures(),
        c.total()
    )
}

/// The verdict line, also used as the first line of the file.
pub fn verdict(run: &RunResult) -> String {
    let c = run.counts();
    let mark = if run.passed() {
        "✅ PASSED"
    } else {
        "❌ FAILED"
    };
    if c.total() == 0 {
        return format!("{mark}: no scenario ran");
    }
    format!(
        "{mark}: {} passed, {} flaky, {} failed, {} undefined, {} skipped of {} scenarios",
        c.passed,
        c.flaky,
        c.failed,
        c.undefined,
        c.skipped,
        c.total()
    )
}

/// Renders summary.md.
pub fn render(run: &RunResult) -> String {
    let run = run.normalized();
    let mut out = String::new();
    let _ = writeln!(out, "## ssap-harness: {}\n", verdict(&run));
    let _ = writeln!(
        out,
        "Control plane: {} · seed `{}` · {} s\n",
        md(&run.control_plane),
        run.seed,
        secs(run.duration_ms)
    );

    out.push_str(
        "### By OS\n\n| OS | Passed | Flaky | Failed | Total |\n|---|---:|---:|---:|---:|\n",
    );
    for (label, c) in counts_by_os(&run) {
        out.push_str(&counts_row(label, &c));
    }

    out.push_str(
        "\n### By area\n\n| Area | Passed | Flaky | Failed | Total |\n|---|---:|---:|---:|---:|\n",
    );
    for f in &run.features {
        let label = format!("{} ({})", md(&f.name), code(&f.uri));
        out.push_str(&counts_row(&label, &f.counts()));
    }

    let failed: Vec<_> = run
        .scenarios()
        .filter(|(_, s)| s.status.is_failure())
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n### Failed scenarios ({})", failed.len());
        for (f, s) in failed.iter().take(MAX_FAILURES) {
            let (step, detail) = failure_reason(&f.uri, s);
            let _ = writeln!(
                out,
                "\n#### ❌ {}: {}\n\n{} — {}\n",
                s.status.as_str(),
                md(&s.name),
                code(&format!("{}:{}", f.uri, s.line)),
                code(&step),
            );
            out.push_str(&fenced(
                "text",
                &crate::text::truncate(&detail, MAX_ERROR_CHARS),
            ));
        }
        if failed.len() > MAX_FAILURES {
            let _ = writeln!(
                out,
                "\n…and {} more failed scenarios: see index.html.",
                failed.len() - MAX_FAILURES
            );
        }
    }

    let flaky: Vec<_> = run
        .scenarios()
        .filter(|(_, s)| s.status == Status::Flaky)
        .collect();
    if !flaky.is_empty() {
        let _ = writeln!(out, "\n### Flaky scenarios ({})\n", flaky.len());
        for (f, s) in flaky {
            let _ = writeln!(
                out,
                "- ⚠️ {} ({}): passed only on attempt {}",
                md(&s.name),
                code(&format!("{}:{}", f.uri, s.line)),
                s.attempts
            );
        }
    }

    let rows = coverage(&run);
    let (passing, failing, missing) = tally(&rows);
    let ids = |st: CoverageStatus| {
        rows.iter()
            .filter(|r| r.status == st)
            .map(|r| md(&r.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        out,
        "\n### Coverage\n\n**{passing}/{}** catalog ids covered by passing scenarios",
        rows.len()
    );
    if failing > 0 {
        let _ = write!(
            out,
            " · {failing} failing: {}",
            ids(CoverageStatus::Failing)
        );
    }
    if missing > 0 {
        let _ = write!(
            out,
            " · {missing} not covered: {}",
            ids(CoverageStatus::NotCovered)
        );
    }
    out.push('\n');
    for (id, scenarios) in unknown_ids(&run) {
        let _ = writeln!(
            out,
            "\n⚠️ Tag @{} names no catalog entry (used by {}).",
            md(&id),
            scenarios
                .iter()
                .map(|s| md(s))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }

    let _ = writeln!(out, "\n### Reproduce\n\nSeed: `{}`\n", run.seed);
    out.push_str(&fenced("sh", &run.command));
    if let Some(note) = shard_note(&run) {
        let _ = writeln!(out, "\n{}", md(&note));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes() {
        assert_eq!(md("a|b *c* <x>\n"), "a\\|b \\*c\\* &lt;x&gt; ");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(fenced("", "```x"), "````\n```x\n````\n");
    }
}
