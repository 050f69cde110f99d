//! A cucumber writer that turns the event stream into the report model ([`RunResult`]) and
//! prints one progress line per finished scenario.
//!
//! cucumber's own JUnit/JSON writers count a scenario that passed on retry as failed-then-passed
//! and drop the steps that never ran; the reports need flaky scenarios called flaky, undefined
//! steps called failures, and every step of a failed scenario listed, so results are gathered
//! here once and every report is written from them.
//!
//! Generic over the World, as cucumber's own writers are: it reads events, the journal and the
//! feature paths, never the World itself, so the run depends on it and not the reverse.

use std::collections::HashMap;
use std::io::Write as _;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cucumber::event::{self, Cucumber, RetryableScenario, StepError};
use cucumber::{gherkin, parser, Event, Writer};
use ssap_reports::{FeatureResult, RunResult, ScenarioResult, Screen, Status, StepResult};

use crate::gherkin_paths::{feature_uri, parse_file_error_text, ScenarioKey};
use crate::journal::Journal;

/// What the runner prints while scenarios finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A line per scenario, failures with their step and error.
    Lines,
    /// Only failures.
    Quiet,
}

/// Why a step is undefined, and what to write instead (the step library knows; see
/// `step_catalog::explain_undefined`).
pub type ExplainUndefined = fn(&gherkin::Step) -> String;

/// Collects a run of World `W`. `journal` is where the World deposits screens, exchanges and
/// logs at the end of each scenario (cucumber's events do not carry them).
pub struct Collector<W> {
    progress: Progress,
    journal: Journal,
    explain_undefined: ExplainUndefined,
    state: Arc<Mutex<Collected>>,
    running: HashMap<ScenarioKey, Running>,
    world: PhantomData<fn() -> W>,
}

/// The collected results, shared with the caller so it can read them after the run.
#[derive(Debug, Default)]
pub struct Collected {
    /// Finished scenarios by feature, in the order they finished.
    pub features: Vec<FeatureResult>,
    /// Parse errors and other problems that are not scenarios: each fails the run.
    pub errors: Vec<String>,
    /// Scenarios finished so far.
    pub scenarios_total: usize,
}

struct Running {
    started: Instant,
    attempt: u32,
    failed_before: Vec<String>,
    steps: Vec<StepResult>,
    step_started: Option<Instant>,
}

impl<W> Collector<W> {
    /// A collector and the results it fills, to read after the run.
    pub fn new(
        progress: Progress,
        journal: Journal,
        explain_undefined: ExplainUndefined,
    ) -> (Self, Arc<Mutex<Collected>>) {
        let state = Arc::new(Mutex::new(Collected::default()));
        (
            Self {
                progress,
                journal,
                explain_undefined,
                state: state.clone(),
                running: HashMap::new(),
                world: PhantomData,
            },
            state,
        )
    }

    fn with_state(&self, f: impl FnOnce(&mut Collected)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: RetryableScenario<W>,
    ) {
        let key = ScenarioKey::of(feature, scenario);
        let retries_left = ev.retries.map(|r| r.left).unwrap_or(0);
        match ev.event {
            event::Scenario::Started => {
                let entry = self.running.entry(key).or_insert_with(|| Running {
                    started: Instant::now(),
                    attempt: 0,
                    failed_before: Vec::new(),
                    steps: Vec::new(),
                    step_started: None,
                });
                entry.attempt += 1;
                entry.steps.clear();
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                if let Some(run) = self.running.get_mut(&key) {
                    record_step(run, &step, ev, self.explain_undefined);
                }
            }
            event::Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some(run) = self.running.get_mut(&key) {
                    run.steps.push(StepResult {
                        keyword: format!("{kind:?} hook"),
                        text: String::new(),
                        line: scenario.position.line,
                        status: Status::Failed,
                        duration_ns: 0,
                        error: Some(panic_text(&info)),
                        screen: None,
                    });
                }
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
            event::Scenario::Finished => {
                let Some(mut run) = self.running.remove(&key) else {
                    return;
                };
                fill_unrun_steps(&mut run.steps, feature, rule, scenario);
                let failed = run.steps.iter().any(|s| s.status != Status::Passed);
                if failed && retries_left > 0 {
                    // Another attempt follows: keep what this one did for the log.
                    let first = run
                        .steps
                        .iter()
                        .find(|s| s.status != Status::Passed)
                        .map(describe_step)
                        .unwrap_or_default();
                    run.failed_before
                        .push(format!("attempt {} failed: {first}", run.attempt));
                    self.journal.take(&key);
                    self.running.insert(key, run);
                    return;
                }
                let status = scenario_status(&run.steps, run.attempt);
                let deposit = self.journal.take(&key);
                let mut log = deposit.log;
                for line in &run.failed_before {
                    log.push_str(line);
                    log.push('\n');
                }
                attach_screens(&mut run.steps, deposit.screens);
                let result = ScenarioResult {
                    name: scenario.name.clone(),
                    line: scenario.position.line,
                    tags: all_tags(feature, rule, scenario),
                    status,
                    attempts: run.attempt,
                    duration_ms: run.started.elapsed().as_millis() as u64,
                    steps: run.steps,
                    log,
                    exchanges: deposit.exchanges,
                };
                self.print_scenario(feature, &result);
                let uri = feature_uri(feature);
                self.with_state(|s| {
                    s.scenarios_total += 1;
                    match s.features.iter_mut().find(|f| f.uri == uri) {
                        Some(f) => f.scenarios.push(result),
                        None => s.features.push(FeatureResult {
                            uri,
                            name: feature.name.clone(),
                            description: feature
                                .description
                                .clone()
                                .unwrap_or_default()
                                .trim()
                                .to_string(),
                            tags: feature.tags.clone(),
                            scenarios: vec![result],
                        }),
                    }
                });
            }
        }
    }

    fn print_scenario(&self, feature: &gherkin::Feature, s: &ScenarioResult) {
        let mark = match s.status {
            Status::Passed => "PASS ",
            Status::Flaky => "FLAKY",
            Status::Undefined => "UNDEF",
            _ => "FAIL ",
        };
        if self.progress == Progress::Quiet && !s.status.is_failure() && s.status != Status::Flaky {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{mark} {}:{}  {} › {} ({} ms)",
            feature_uri(feature),
            s.line,
            feature.name,
            s.name,
            s.duration_ms
        );
        if s.status.is_failure() {
            if let Some(step) = s.first_failing_step() {
                let _ = writeln!(out, "      {}", describe_step(step));
            }
        }
    }
}

fn record_step<W>(
    run: &mut Running,
    step: &gherkin::Step,
    ev: event::Step<W>,
    explain_undefined: ExplainUndefined,
) {
    let elapsed = |run: &Running| {
        run.step_started
            .map(|t| t.elapsed().as_nanos() as u64)
            .unwrap_or(0)
    };
    let (status, error) = match ev {
        event::Step::Started => {
            run.step_started = Some(Instant::now());
            return;
        }
        event::Step::Passed(..) => (Status::Passed, None),
        event::Step::Skipped => (Status::Undefined, Some(explain_undefined(step))),
        event::Step::Failed(_, _, _, err) => (Status::Failed, Some(step_error_text(&err))),
    };
    let duration_ns = elapsed(run);
    run.steps.push(StepResult {
        keyword: step.keyword.clone(),
        text: step.value.clone(),
        line: step.position.line,
        status,
        duration_ns,
        error,
        screen: None,
    });
}

/// Steps cucumber never ran (after a failure) are listed as skipped so the report shows the
/// whole scenario.
fn fill_unrun_steps(
    steps: &mut Vec<StepResult>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) {
    let all: Vec<&gherkin::Step> = feature
        .background
        .iter()
        .flat_map(|b| b.steps.iter())
        .chain(
            rule.iter()
                .flat_map(|r| r.background.iter())
                .flat_map(|b| b.steps.iter()),
        )
        .chain(scenario.steps.iter())
        .collect();
    for step in all.into_iter().skip(steps.len()) {
        steps.push(StepResult {
            keyword: step.keyword.clone(),
            text: step.value.clone(),
            line: step.position.line,
            status: Status::Skipped,
            duration_ns: 0,
            error: None,
            screen: None,
        });
    }
}

fn scenario_status(steps: &[StepResult], attempts: u32) -> Status {
    if steps.iter().any(|s| s.status == Status::Undefined) {
        Status::Undefined
    } else if steps.iter().any(|s| s.status == Status::Failed) {
        Status::Failed
    } else if steps.iter().any(|s| s.status == Status::Skipped) || steps.is_empty() {
        // A scenario with no steps, or skipped ones without a failure, proved nothing.
        Status::Skipped
    } else if attempts > 1 {
        Status::Flaky
    } else {
        Status::Passed
    }
}

/// Screens are recorded by step line; attach each to its step.
fn attach_screens(steps: &mut [StepResult], screens: Vec<(usize, Screen)>) {
    for (line, screen) in screens {
        if let Some(step) = steps.iter_mut().rev().find(|s| s.line == line) {
            step.screen = Some(screen);
        }
    }
}

fn describe_step(step: &StepResult) -> String {
    format!(
        "{}{} (line {}): {}",
        step.keyword,
        step.text,
        step.line,
        step.error.as_deref().unwrap_or(match step.status {
            Status::Skipped => "skipped",
            _ => "failed",
        })
    )
}

fn step_error_text(err: &StepError) -> String {
    match err {
        StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "step panicked".to_string()
    }
}

fn all_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter())
    {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags
}

impl<W: cucumber::World> Writer<W> for Collector<W> {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, ev: parser::Result<Event<Cucumber<W>>>, _cli: &Self::Cli) {
        match ev {
            Err(e) => {
                let text = parse_error_text(&e);
                eprintln!("ERROR {text}");
                self.with_state(|s| s.errors.push(text));
            }
            Ok(ev) => match ev.value {
                Cucumber::Feature(feature, event::Feature::Scenario(scenario, ev)) => {
                    self.on_scenario(&feature, None, &scenario, ev);
                }
                Cucumber::Feature(
                    feature,
                    event::Feature::Rule(rule, event::Rule::Scenario(sc, ev)),
                ) => {
                    self.on_scenario(&feature, Some(&rule), &sc, ev);
                }
                _ => {}
            },
        }
    }
}

/// A parse error as "path:line:col: what was expected".
fn parse_error_text(e: &parser::Error) -> String {
    match e {
        parser::Error::Parsing(err) => parse_file_error_text(err),
        parser::Error::ExampleExpansion(err) => format!(
            "{}:{}: cannot expand the Examples table: {err}",
            err.path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            err.pos.line
        ),
    }
}

/// Builds the final run result from what was collected.
pub fn finish(collected: &Collected, mut run: RunResult) -> RunResult {
    let mut features = collected.features.clone();
    features.sort_by(|a, b| a.uri.cmp(&b.uri));
    for f in &mut features {
        f.scenarios.sort_by_key(|s| s.line);
    }
    run.features = features;
    run
}
impl<W> cucumber::writer::Normalized for Collector<W> {}

#[cfg(test)]
mod tests {
    //! The collector's verdicts, fed with the events cucumber sends.

    use std::sync::Arc;

    use cucumber::event::{Retries, Scenario, Step};
    use cucumber::gherkin::GherkinEnv;

    use super::*;
    use crate::world::SsapWorld;

    const FEATURE: &str = "Feature: f\n  Scenario: s\n    Given one\n    Then two\n";

    struct Feed {
        collector: Collector<SsapWorld>,
        state: Arc<Mutex<Collected>>,
        feature: event::Source<gherkin::Feature>,
        scenario: event::Source<gherkin::Scenario>,
    }

    impl Feed {
        fn new() -> Self {
            let mut feature = gherkin::Feature::parse(FEATURE, GherkinEnv::default()).unwrap();
            feature.path = Some("features/f.feature".into());
            let scenario = feature.scenarios[0].clone();
            let (collector, state) = Collector::new(
                Progress::Quiet,
                Journal::default(),
                crate::step_catalog::explain_undefined,
            );
            Self {
                collector,
                state,
                feature: event::Source::new(feature),
                scenario: event::Source::new(scenario),
            }
        }

        async fn send(&mut self, ev: Scenario<SsapWorld>, retries: Option<Retries>) {
            let ev = Cucumber::Feature(
                self.feature.clone(),
                event::Feature::Scenario(
                    self.scenario.clone(),
                    RetryableScenario { event: ev, retries },
                ),
            );
            self.collector
                .handle_event(Ok(Event::new(ev)), &cucumber::cli::Empty)
                .await;
        }

        async fn step(&mut self, i: usize, ev: Step<SsapWorld>, retries: Option<Retries>) {
            let step = event::Source::new(self.scenario.steps[i].clone());
            self.send(Scenario::Step(step.clone(), Step::Started), retries)
                .await;
            self.send(Scenario::Step(step, ev), retries).await;
        }

        fn status(&self) -> (Status, u32, String) {
            let s = self.state.lock().unwrap();
            let sc = &s.features[0].scenarios[0];
            (sc.status, sc.attempts, sc.log.clone())
        }
    }

    fn failed() -> Step<SsapWorld> {
        Step::Failed(
            None,
            None,
            None,
            StepError::Panic(Arc::new("boom".to_string())),
        )
    }

    fn passed() -> Step<SsapWorld> {
        let re = cucumber::codegen::Regex::new("x").unwrap();
        Step::Passed(re.capture_locations(), None)
    }

    #[tokio::test]
    async fn a_scenario_that_passes_only_on_retry_is_flaky_not_passed() {
        let mut f = Feed::new();
        let first = Some(Retries {
            current: 0,
            left: 1,
        });
        f.send(Scenario::Started, first).await;
        f.step(0, failed(), first).await;
        f.send(Scenario::Finished, first).await;
        let second = Some(Retries {
            current: 1,
            left: 0,
        });
        f.send(Scenario::Started, second).await;
        f.step(0, passed(), second).await;
        f.step(1, passed(), second).await;
        f.send(Scenario::Finished, second).await;
        let (status, attempts, log) = f.status();
        assert_eq!(status, Status::Flaky);
        assert_eq!(attempts, 2);
        assert!(log.contains("attempt 1 failed"), "{log}");
    }

    #[tokio::test]
    async fn a_failure_stops_the_scenario_and_lists_the_rest_as_skipped() {
        let mut f = Feed::new();
        f.send(Scenario::Started, None).await;
        f.step(0, failed(), None).await;
        f.send(Scenario::Finished, None).await;
        let s = f.state.lock().unwrap();
        let sc = &s.features[0].scenarios[0];
        assert_eq!(sc.status, Status::Failed);
        assert_eq!(sc.steps.len(), 2);
        assert_eq!(sc.steps[1].status, Status::Skipped);
        assert_eq!(sc.steps[0].error.as_deref(), Some("boom"));
    }

    #[tokio::test]
    async fn an_undefined_step_is_a_failure_with_a_definition_to_paste() {
        let mut f = Feed::new();
        f.send(Scenario::Started, None).await;
        f.step(0, Step::Skipped, None).await;
        f.send(Scenario::Finished, None).await;
        let s = f.state.lock().unwrap();
        let sc = &s.features[0].scenarios[0];
        assert_eq!(sc.status, Status::Undefined);
        assert!(sc.status.is_failure());
        let err = sc.steps[0].error.as_deref().unwrap_or_default();
        assert!(err.contains("#[given(regex = r#\"^one$\"#)]"), "{err}");
    }

    #[tokio::test]
    async fn a_scenario_whose_retries_all_fail_is_failed() {
        let mut f = Feed::new();
        for (current, left) in [(0, 1), (1, 0)] {
            let r = Some(Retries { current, left });
            f.send(Scenario::Started, r).await;
            f.step(0, failed(), r).await;
            f.send(Scenario::Finished, r).await;
        }
        let (status, attempts, _) = f.status();
        assert_eq!(status, Status::Failed);
        assert_eq!(attempts, 2);
    }
}
