//! cucumber.json: the standard Cucumber JSON format, read by existing report tools (Jenkins
//! cucumber-reports, cucumber-html-reporter, Xray, ...).
//!
//! A flaky scenario is reported with the steps of its passing attempt, so tools count it as
//! passed; its earlier failure is told in its description and in the extra `flaky` and
//! `attempts` fields, which those tools ignore but people and scripts can read.

use serde::Serialize;

use crate::model::{FeatureResult, RunResult, ScenarioResult, Status, StepResult};
use crate::text::{base64, slug, strip_ansi};

#[derive(Serialize)]
struct Feature<'a> {
    uri: &'a str,
    id: String,
    keyword: &'static str,
    name: &'a str,
    description: &'a str,
    /// The model does not keep the `Feature:` line: the top of the file, below its tags.
    line: usize,
    tags: Vec<Tag>,
    elements: Vec<Element<'a>>,
}

#[derive(Serialize)]
struct Tag {
    name: String,
    line: usize,
}

#[derive(Serialize)]
struct Element<'a> {
    id: String,
    keyword: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    description: String,
    line: usize,
    tags: Vec<Tag>,
    steps: Vec<Step<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    flaky: bool,
    #[serde(skip_serializing_if = "is_one")]
    attempts: u32,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

#[derive(Serialize)]
struct Step<'a> {
    keyword: &'a str,
    name: &'a str,
    line: usize,
    result: StepOutcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    embeddings: Vec<Embedding>,
}

#[derive(Serialize)]
struct StepOutcome {
    status: &'static str,
    /// Nanoseconds, as the format specifies.
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

#[derive(Serialize)]
struct Embedding {
    mime_type: &'static str,
    data: String,
    /// Which device's screen, for tools that caption embeddings.
    name: String,
}

/// Step statuses of the format; a step is never flaky (the scenario is).
fn step_status(s: Status) -> &'static str {
    match s {
        Status::Passed | Status::Flaky => "passed",
        Status::Failed => "failed",
        Status::Undefined => "undefined",
        Status::Skipped => "skipped",
    }
}

/// Tags of a scenario sit on the line above it by convention; the model keeps no tag lines.
fn tags(names: &[String], line: usize) -> Vec<Tag> {
    names
        .iter()
        .map(|t| Tag {
            name: format!("@{t}"),
            line,
        })
        .collect()
}

fn step(s: &StepResult) -> Step<'_> {
    Step {
        keyword: &s.keyword,
        name: &s.text,
        line: s.line,
        result: StepOutcome {
            status: step_status(s.status),
            duration: s.duration_ns,
            error_message: s.error.as_deref().map(strip_ansi),
        },
        embeddings: s
            .screen
            .iter()
            .map(|screen| Embedding {
                mime_type: "image/svg+xml",
                data: base64(screen.svg.as_bytes()),
                name: format!("{}: {}", screen.device, screen.text),
            })
            .collect(),
    }
}

fn element<'a>(f: &FeatureResult, feature_id: &str, s: &'a ScenarioResult) -> Element<'a> {
    // Examples rows of an outline share a name: the line keeps ids unique.
    let duplicate = f.scenarios.iter().filter(|o| o.name == s.name).count() > 1;
    let mut id = format!("{feature_id};{}", slug(&s.name));
    if duplicate {
        id.push_str(&format!(";{}", s.line));
    }
    let description = if s.status == Status::Flaky {
        format!(
            "Flaky: failed on an earlier attempt and passed on attempt {} of {}. The earlier failure is in the harness log (junit.xml, index.html).",
            s.attempts, s.attempts
        )
    } else {
        String::new()
    };
    Element {
        id,
        keyword: "Scenario",
        kind: "scenario",
        name: &s.name,
        description,
        line: s.line,
        tags: tags(&s.tags, s.line.saturating_sub(1).max(1)),
        steps: s.steps.iter().map(step).collect(),
        flaky: s.status == Status::Flaky,
        attempts: s.attempts.max(1),
    }
}

/// Renders cucumber.json.
pub fn render(run: &RunResult) -> String {
    let run = run.normalized();
    let features: Vec<Feature> = run
        .features
        .iter()
        .map(|f| {
            let id = slug(&f.name);
            Feature {
                uri: &f.uri,
                elements: f.scenarios.iter().map(|s| element(f, &id, s)).collect(),
                id,
                keyword: "Feature",
                name: &f.name,
                description: &f.description,
                line: if f.tags.is_empty() { 1 } else { 2 },
                tags: tags(&f.tags, 1),
            }
        })
        .collect();
    match serde_json::to_string_pretty(&features) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Serializing plain structs of strings and numbers cannot fail; an empty array keeps the
        // file readable should it ever.
        Err(_) => "[]\n".to_string(),
    }
}
