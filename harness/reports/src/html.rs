//! index.html for product managers: one self-contained file (inline CSS, a few lines of inline
//! JS, screens as data URIs) that opens from disk, a CI artifact or a mail attachment and
//! fetches nothing. A Content-Security-Policy forbids any load, so a stray external reference
//! would show as a console error in `scripts/check-report-in-browser.sh` rather than leak.
//!
//! Every piece of text is escaped; screens are embedded as `<img>` data URIs, where an SVG can
//! run no script and cannot break the page's markup; exchange bodies are redacted again.

use std::fmt::Write as _;

use crate::coverage::{coverage, tally, unknown_ids};
use crate::model::{FeatureResult, RunResult, ScenarioResult, Screen, Status, StepResult};
use crate::stats::{counts_by_os, failure_reason, secs, shard_note, Counts};
use crate::summary_md::verdict;
use crate::text::{base64, html, redact_body, redact_path, slug, strip_ansi};

const CSS: &str = r#"
:root{--pass:#1a7f37;--fail:#cf222e;--flaky:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff}
main,header>div,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{color:#fff;padding:20px 0 18px}
header.pass{background:var(--pass)}header.fail{background:var(--fail)}
header h1{margin:0;font-size:30px}
header a{color:#fff}
header p{margin:4px 0 0}
h2{margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{margin:24px 0 6px}
.muted{color:var(--muted)}
.grid{display:flex;flex-wrap:wrap;gap:24px}
.grid>div{flex:1 1 420px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.b-passed,.b-covered-passing{background:var(--pass)}
.b-failed,.b-failing{background:var(--fail)}
.b-flaky{background:var(--flaky)}
.b-undefined,.b-skipped{background:#8250df}
.b-not-covered{background:#6e7781}
.bar{display:flex;height:14px;border-radius:7px;overflow:hidden;background:#6e7781;margin:8px 0;max-width:600px}
.bar span{display:block;height:100%}
.bar .p{background:var(--pass)}.bar .f{background:var(--fail)}
ul.fails{padding-left:20px}ul.fails li{margin:6px 0}
details.scenario{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:#fff}
details.scenario>summary{cursor:pointer;padding:8px 12px;background:var(--bg);border-radius:6px}
details.scenario[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details.scenario>div{padding:8px 16px 12px}
.tag{font-size:12px;color:var(--muted);margin-left:6px}
ol.steps{padding-left:24px}
ol.steps li{margin:6px 0}
li.st-failed,li.st-undefined{color:var(--fail)}
li.st-skipped{color:var(--muted)}
.kw{font-weight:700}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:13px;margin:6px 0}
pre.err{border-color:var(--fail);background:#ffebe9;color:#1f2328}
figure{margin:8px 0}
img.screen{display:block;width:360px;max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px}
figcaption{font-size:12px;color:var(--muted)}
.note{border-left:4px solid var(--flaky);background:#fff8c5;padding:6px 10px;margin:6px 0}
table.ex td pre{margin:0;max-height:240px}
button{font:inherit;padding:3px 10px;margin-right:6px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
footer{color:var(--muted);font-size:13px;margin-top:40px;padding-bottom:24px}
"#;

/// Expand/collapse all, and open a scenario when a link points at it. Plain ES5, no globals.
const JS: &str = r#"
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') { el.open = true; }
  }
  var buttons = document.querySelectorAll('button[data-open]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (ev) {
      var open = ev.currentTarget.getAttribute('data-open') === 'all';
      var all = document.querySelectorAll('details.scenario');
      for (var j = 0; j < all.length; j++) { all[j].open = open; }
    });
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
"#;

fn anchor(uri: &str, line: usize) -> String {
    format!("s-{}-{}", slug(uri), line)
}

fn badge(class: &str, label: &str) -> String {
    format!(
        "<span class=\"badge b-{}\">{}</span>",
        slug(class),
        html(label)
    )
}

fn status_badge(s: Status) -> String {
    badge(s.as_str(), s.as_str())
}

fn counts_table(out: &mut String, first: &str, rows: &[(String, Counts)]) {
    let _ = writeln!(
        out,
        "<table><thead><tr><th>{}</th><th class=\"n\">Passed</th><th class=\"n\">Flaky</th><th class=\"n\">Failed</th><th class=\"n\">Total</th></tr></thead><tbody>",
        html(first)
    );
    for (label, c) in rows {
        let _ = writeln!(
            out,
            "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            c.passed,
            c.flaky,
            c.failures(),
            c.total()
        );
    }
    out.push_str("</tbody></table>\n");
}

/// A screen as an `<img>` data URI. An SVG without its namespace renders nothing as an image,
/// so one is added when missing.
fn screen_img(screen: &Screen) -> String {
    let svg = screen.svg.trim();
    let svg = if svg.contains("xmlns=\"http://www.w3.org/2000/svg\"")
        || svg.contains("xmlns='http://www.w3.org/2000/svg'")
    {
        svg.to_string()
    } else {
        svg.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1)
    };
    let caption = format!("{}: {}", screen.device, screen.text);
    format!(
        "<figure><img class=\"screen\" src=\"data:image/svg+xml;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
        base64(svg.as_bytes()),
        html(&format!("Screen of {caption}")),
        html(&caption)
    )
}

fn step_html(out: &mut String, uri: &str, st: &StepResult) {
    let _ = write!(
        out,
        "<li class=\"st-{}\"><span class=\"kw\">{}</span> {} <span class=\"muted\">({}:{} · {:.1} ms)</span>",
        st.status.as_str(),
        html(st.keyword.trim()),
        html(&st.text),
        html(uri),
        st.line,
        st.duration_ns as f64 / 1e6
    );
    if st.status != Status::Passed {
        let _ = write!(out, " {}", status_badge(st.status));
    }
    if let Some(e) = &st.error {
        let _ = write!(out, "<pre class=\"err\">{}</pre>", html(&strip_ansi(e)));
    }
    if let Some(screen) = &st.screen {
        out.push_str(&screen_img(screen));
    }
    out.push_str("</li>\n");
}

/// Pretty-prints a (redacted) JSON body for reading; anything else as it is.
fn body_html(body: Option<&str>) -> String {
    match body {
        None => "<span class=\"muted\">none</span>".to_string(),
        Some(b) => {
            let redacted = redact_body(b);
            let shown = serde_json::from_str::<serde_json::Value>(&redacted)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(redacted);
            format!("<pre>{}</pre>", html(&shown))
        }
    }
}

fn scenario_html(out: &mut String, f: &FeatureResult, s: &ScenarioResult) {
    let open = if s.status.is_failure() { " open" } else { "" };
    let _ = write!(
        out,
        "<details class=\"scenario\" id=\"{}\"{open}><summary>{} <strong>{}</strong> <span class=\"muted\">{}:{} · {} s</span>",
        anchor(&f.uri, s.line),
        status_badge(s.status),
        html(&s.name),
        html(&f.uri),
        s.line,
        secs(s.duration_ms),
    );
    for t in &s.tags {
        let _ = write!(out, "<span class=\"tag\">@{}</span>", html(t));
    }
    out.push_str("</summary><div>\n");
    if s.status == Status::Flaky {
        let _ = writeln!(
            out,
            "<p class=\"note\">Flaky: failed on an earlier attempt and passed on attempt {}. It does not fail the run, but it may hide a real problem: the earlier failure is in the log below.</p>",
            s.attempts
        );
    }
    if s.steps.is_empty() {
        out.push_str("<p class=\"muted\">No steps recorded.</p>\n");
    } else {
        out.push_str("<ol class=\"steps\">\n");
        for st in &s.steps {
            step_html(out, &f.uri, st);
        }
        out.push_str("</ol>\n");
    }
    if !s.exchanges.is_empty() {
        let _ = writeln!(
            out,
            "<h4>HTTP exchanges ({})</h4><table class=\"ex\"><thead><tr><th>#</th><th>Request</th><th>Status</th><th>Request body</th><th>Response body</th><th class=\"n\">ms</th></tr></thead><tbody>",
            s.exchanges.len()
        );
        for (i, e) in s.exchanges.iter().enumerate() {
            let status = match e.status {
                Some(code) => code.to_string(),
                None => "no reply".to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td><code>{} {}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                i + 1,
                html(&e.method),
                html(&redact_path(&e.path)),
                html(&status),
                body_html(e.request_body.as_deref()),
                body_html(e.response_body.as_deref()),
                e.millis
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !s.log.is_empty() {
        let _ = writeln!(out, "<h4>Log</h4><pre>{}</pre>", html(&strip_ansi(&s.log)));
    }
    out.push_str("</div></details>\n");
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0".into()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

/// Renders index.html.
pub fn render(run: &RunResult) -> String {
    let run = run.normalized();
    let counts = run.counts();
    let passed = run.passed();
    let rows = coverage(&run);
    let (cov_pass, cov_fail, cov_none) = tally(&rows);
    let title = verdict(&run);

    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<link rel=\"icon\" href=\"data:,\">\n<title>ssap-harness: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        html(&title)
    );

    // Verdict first: the one thing a reader must not miss. Plain check marks rather than
    // emoji, which many machines (CI runners among them) have no font for.
    let _ = writeln!(
        out,
        "<header class=\"{}\"><div><h1>{}</h1><p>{} passed · {} flaky · {} failed · {} undefined · {} skipped: {} scenarios</p><p>Requirements: {} of {} covered by passing scenarios · {} failing · {} not covered</p><p>Seed {} · control plane {} · {} s · <a href=\"#reproduce\">how to reproduce</a></p></div></header>",
        if passed { "pass" } else { "fail" },
        if passed {
            "✓ PASSED"
        } else if counts.total() == 0 {
            "✗ FAILED: no scenario ran"
        } else {
            "✗ FAILED"
        },
        counts.passed,
        counts.flaky,
        counts.failed,
        counts.undefined,
        counts.skipped,
        counts.total(),
        cov_pass,
        rows.len(),
        cov_fail,
        cov_none,
        run.seed,
        html(&run.control_plane),
        secs(run.duration_ms),
    );
    if let Some(e) = &run.explore {
        // Inside the header's block, after its last line.
        let line = crate::explore_section::header_line(e);
        if let Some(at) = out.rfind("</div></header>") {
            out.insert_str(at, &line);
        }
    }
    out.push_str("<main>\n");

    // Overview tables.
    out.push_str("<h2 id=\"overview\">Overview</h2>\n<div class=\"grid\"><div><h3>By operating system</h3>\n");
    let os_rows: Vec<(String, Counts)> = counts_by_os(&run)
        .into_iter()
        .map(|(label, c)| (html(label), c))
        .collect();
    counts_table(&mut out, "OS", &os_rows);
    out.push_str("</div><div><h3>By area</h3>\n");
    let area_rows: Vec<(String, Counts)> = run
        .features
        .iter()
        .map(|f| {
            (
                format!("<a href=\"#f-{}\">{}</a>", slug(&f.uri), html(&f.name)),
                f.counts(),
            )
        })
        .collect();
    counts_table(&mut out, "Area", &area_rows);
    out.push_str("</div></div>\n");

    // What failed, in one list with links.
    let failing: Vec<_> = run
        .scenarios()
        .filter(|(_, s)| s.status.is_failure() || s.status == Status::Flaky)
        .collect();
    if !failing.is_empty() {
        out.push_str("<h2 id=\"failures\">Needs attention</h2>\n<ul class=\"fails\">\n");
        for (f, s) in failing {
            let _ = write!(
                out,
                "<li>{} <a href=\"#{}\">{}</a> <span class=\"muted\">({})</span>",
                status_badge(s.status),
                anchor(&f.uri, s.line),
                html(&s.name),
                html(&f.name)
            );
            if s.status.is_failure() {
                let (step, detail) = failure_reason(&f.uri, s);
                let first_line = detail.lines().next().unwrap_or("");
                let _ = write!(
                    out,
                    "<br><span class=\"muted\">at</span> {}<br><span class=\"muted\">error:</span> {}",
                    html(&step),
                    html(&crate::text::truncate(first_line, 300))
                );
            } else {
                let _ = write!(
                    out,
                    "<br><span class=\"muted\">passed on attempt {}</span>",
                    s.attempts
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }

    // Traceability matrix.
    let _ = writeln!(
        out,
        "<h2 id=\"matrix\">Requirements traceability</h2>\n<p>Of {1} catalog requirements: {0} covered by passing scenarios, {2} with a failing scenario, {3} not covered by any scenario.</p>\n<div class=\"bar\" title=\"green: covered and passing, red: failing, grey: not covered\"><span class=\"p\" style=\"width:{4}%\"></span><span class=\"f\" style=\"width:{5}%\"></span></div>",
        cov_pass,
        rows.len(),
        cov_fail,
        cov_none,
        pct(cov_pass, rows.len()),
        pct(cov_fail, rows.len())
    );
    out.push_str("<table><thead><tr><th>ID</th><th>Requirement</th><th>Covering scenarios</th><th>Status</th></tr></thead><tbody>\n");
    for r in &rows {
        let scenarios = if r.refs.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            r.refs
                .iter()
                .map(|sr| {
                    format!(
                        "{} <a href=\"#{}\">{}</a>",
                        status_badge(sr.status),
                        anchor(&sr.uri, sr.line),
                        html(&sr.name)
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = writeln!(
            out,
            "<tr id=\"req-{}\"><td><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            slug(&r.id),
            html(&r.id),
            html(&r.text),
            scenarios,
            badge(r.status.as_str(), r.status.as_str())
        );
    }
    out.push_str("</tbody></table>\n");
    let unknown = unknown_ids(&run);
    if !unknown.is_empty() {
        out.push_str(
            "<p class=\"note\">Tags that name no catalog requirement (typos cover nothing): ",
        );
        let items: Vec<String> = unknown
            .iter()
            .map(|(id, scenarios)| {
                format!(
                    "<strong>@{}</strong> on {}",
                    html(id),
                    html(&scenarios.join("; "))
                )
            })
            .collect();
        out.push_str(&items.join(", "));
        out.push_str("</p>\n");
    }

    // Every scenario.
    out.push_str("<h2 id=\"scenarios\">Scenarios</h2>\n<p><button type=\"button\" data-open=\"all\">Expand all</button><button type=\"button\" data-open=\"none\">Collapse all</button> <span class=\"muted\">Failed scenarios start expanded.</span></p>\n");
    for f in &run.features {
        let _ = writeln!(
            out,
            "<h3 id=\"f-{}\">{} <span class=\"muted\">{}</span></h3>",
            slug(&f.uri),
            html(&f.name),
            html(&f.uri)
        );
        if !f.description.trim().is_empty() {
            let _ = writeln!(out, "<p>{}</p>", html(f.description.trim()));
        }
        for s in &f.scenarios {
            scenario_html(&mut out, f, s);
        }
    }

    if let Some(e) = &run.explore {
        crate::explore_section::section(&mut out, e);
    }

    // Reproduce.
    let _ = writeln!(
        out,
        "<h2 id=\"reproduce\">Reproduce</h2>\n<p>Seed <code>{}</code> · control plane {} · run took {} s</p>\n<pre>{}</pre>",
        run.seed,
        html(&run.control_plane),
        secs(run.duration_ms),
        html(&run.command)
    );
    out.push_str("</main>\n<footer>Generated by ssap-harness.");
    if let Some(note) = shard_note(&run) {
        let _ = write!(out, " {}.", html(&note));
    }
    let _ = write!(out, "</footer>\n<script>{JS}</script>\n</body>\n</html>\n");
    out
}
