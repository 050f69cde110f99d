//! junit.xml for CI gates (GitLab, Jenkins, GitHub Actions reporters).
//!
//! We write it ourselves rather than using cucumber's writer because cucumber reports a
//! scenario that passed on retry twice, once as a failure; here a flaky scenario is one passing
//! testcase that says it was flaky. Only widely read elements and attributes are used: suites
//! per feature, `classname`/`name`/`time`/`file`, `<failure message type>`, `<system-out>`.

use std::fmt::Write as _;

use crate::model::{RunResult, ScenarioResult, Status};
use crate::stats::{failure_reason, secs};
use crate::text::{xml_attr, xml_text};

/// Renders junit.xml.
pub fn render(run: &RunResult) -> String {
    let run = run.normalized();
    let counts = run.counts();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // `fmt::Write` for String never fails, so results are ignored with `let _`.
    let _ = writeln!(
        out,
        "<testsuites name=\"ssap-harness\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\">",
        counts.total(),
        counts.failures(),
        secs(run.scenario_time_ms()),
    );
    for f in &run.features {
        let c = f.counts();
        let time: u64 = f.scenarios.iter().map(|s| s.duration_ms).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\" file=\"{}\">",
            xml_attr(&f.name),
            c.total(),
            c.failures(),
            secs(time),
            xml_attr(&f.uri),
        );
        let _ = writeln!(out, "    <properties>");
        let _ = writeln!(
            out,
            "      <property name=\"uri\" value=\"{}\"/>",
            xml_attr(&f.uri)
        );
        let _ = writeln!(
            out,
            "      <property name=\"seed\" value=\"{}\"/>",
            run.seed
        );
        let _ = writeln!(out, "    </properties>");
        for s in &f.scenarios {
            // Examples rows of an outline share a name; CI tools that key results by
            // classname + name would fold them into one, so the line tells them apart.
            let shared = f.scenarios.iter().filter(|o| o.name == s.name).count() > 1;
            let name = if shared {
                format!("{} (line {})", s.name, s.line)
            } else {
                s.name.clone()
            };
            testcase(&mut out, &f.name, &name, &f.uri, s);
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, feature: &str, name: &str, uri: &str, s: &ScenarioResult) {
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\" file=\"{}\" line=\"{}\">",
        xml_attr(feature),
        xml_attr(name),
        secs(s.duration_ms),
        xml_attr(uri),
        s.line,
    );
    if s.status == Status::Flaky {
        let _ = writeln!(out, "      <properties>");
        let _ = writeln!(out, "        <property name=\"flaky\" value=\"true\"/>");
        let _ = writeln!(
            out,
            "        <property name=\"attempts\" value=\"{}\"/>",
            s.attempts
        );
        let _ = writeln!(out, "      </properties>");
    }
    if s.status.is_failure() {
        let (message, detail) = failure_reason(uri, s);
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            xml_attr(&message),
            s.status.as_str(),
            xml_text(&format!("{message}\n{detail}")),
        );
    }
    let mut system_out = String::new();
    if s.status == Status::Flaky {
        let _ = writeln!(
            system_out,
            "FLAKY: passed only on attempt {}; the earlier failure is in the log below.",
            s.attempts
        );
    }
    system_out.push_str(&crate::text::strip_ansi(&s.log));
    if !system_out.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            xml_text(&system_out)
        );
    }
    let _ = writeln!(out, "    </testcase>");
}
