//! The HTML report's Explore section: what the last `ssap-harness explore` into the same
//! report directory played (actions per kind, per catalog id, and the simulated devices'
//! screens they reached), and its counterexample as the scenario it wrote, with the two answers
//! of the differing action: a device's screen and local accounts, or a reply.

use std::fmt::Write as _;

use crate::model::ExploreDigest;
use crate::text::html;

/// One line for the header: the exploration's verdict, linking to the section.
pub(crate) fn header_line(e: &ExploreDigest) -> String {
    let verdict = if e.counterexample.is_some() {
        "✗ the two implementations disagreed"
    } else {
        "✓ agreed"
    };
    format!(
        "<p>Explore: {} actions, seed {}: {verdict} · <a href=\"#explore\">details</a></p>",
        e.actions_run, e.seed
    )
}

fn counts_table(out: &mut String, first: &str, counted: &str, rows: &[(String, usize)]) {
    let _ = writeln!(
        out,
        "<table><tr><th>{}</th><th class=\"n\">{}</th></tr>",
        html(first),
        html(counted)
    );
    for (name, n) in rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            html(name)
        );
    }
    out.push_str("</table>\n");
}

/// The section itself.
pub(crate) fn section(out: &mut String, e: &ExploreDigest) {
    let rate = e.actions_run as f64 / e.seconds.max(1e-9);
    let _ = writeln!(
        out,
        "<h2 id=\"explore\">Explore</h2>\n<p>{} random actions in {} episodes (a fresh org each) on the {} and the {}, compared after every action: {:.1} s, {rate:.0} actions/s, seed <code>{}</code>.</p>\n<pre>{}</pre>",
        e.actions_run,
        e.episodes,
        html(&e.sides[0]),
        html(&e.sides[1]),
        e.seconds,
        e.seed,
        html(&e.command)
    );
    match &e.counterexample {
        None => out.push_str("<p>The two implementations answered every action alike.</p>\n"),
        Some(c) => {
            let _ = writeln!(
                out,
                "<h3>Counterexample</h3>\n<p class=\"note\">Episode {} disagreed after {} actions; shrunk to {}. Written as <code>{}</code>: run it with <code>ssap-harness run {}</code>.</p>\n<ol class=\"steps\">",
                c.episode,
                c.original_len,
                c.actions.len(),
                html(&c.feature),
                html(&c.feature)
            );
            for (i, a) in c.actions.iter().enumerate() {
                let class = if i == c.index {
                    " class=\"st-failed\""
                } else {
                    ""
                };
                let _ = writeln!(out, "<li{class}>{}</li>", html(a));
            }
            out.push_str("</ol>\n<table class=\"ex\">");
            for (side, answer) in e.sides.iter().zip(&c.answers) {
                let _ = writeln!(
                    out,
                    "<tr><th>{}</th><td><pre>{}</pre></td></tr>",
                    html(side),
                    html(answer)
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("<div class=\"grid\"><div>\n");
    counts_table(out, "action", "actions sent", &e.actions_by_kind);
    out.push_str("</div><div>\n");
    counts_table(out, "catalog id", "actions sent", &e.actions_by_id);
    if !e.screens_reached.is_empty() {
        out.push_str("</div><div>\n");
        counts_table(out, "screen reached", "times", &e.screens_reached);
    }
    out.push_str("</div></div>\n");
}
