//! One run of the suite: start (or reach) the control plane, run the features through
//! cucumber with the [`Collector`], write the reports, and say whether the run passed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use cucumber::{gherkin, World as _};
use ssap_reports::RunResult;

use ssap_shard::Shard;

use crate::catalog;
use crate::collector::{self, Collector, Progress};
use crate::context::{self, RunContext};
use crate::control_plane::{ControlPlaneMode, MOCK_HTTP_TIMEOUT};
use crate::gherkin_paths::{feature_uri, ScenarioKey};
use crate::journal::Journal;
use crate::select::{Parsed, Selection, Target};
use crate::step_catalog;
use crate::watchdog::{Watch, Watchdog, Watched};
use crate::world::SsapWorld;

/// Everything `ssap-harness run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Feature files, folders and `FILE:LINE`s (at least one).
    pub targets: Vec<Target>,
    /// Only scenarios whose name matches this regular expression.
    pub name: Option<String>,
    /// Where the reports are written.
    pub report_dir: PathBuf,
    /// Which control plane the scenarios run against.
    pub control_plane: ControlPlaneMode,
    /// The fake-data seed.
    pub seed: u64,
    /// Scenarios in flight at once.
    pub concurrency: usize,
    /// A cucumber tag expression selecting scenarios.
    pub tags: Option<String>,
    /// Times a failed scenario is run again (a pass then is flaky).
    pub retries: usize,
    /// Run only this slice of the scenarios.
    pub shard: Option<Shard>,
    /// Print only failures while running.
    pub quiet: bool,
    /// A step running longer than this (or a run silent this long) stops the run.
    pub step_timeout: Duration,
    /// Printed in the reports as the command that reproduces the run.
    pub command_line: String,
}

/// What a run ended with.
#[derive(Debug)]
pub struct RunOutcome {
    /// Every scenario passed and every feature file parsed.
    pub passed: bool,
    /// Everything the reports were written from.
    pub result: RunResult,
    /// The report files written.
    pub report_files: Vec<PathBuf>,
}

/// Runs the suite and writes the reports. An `Err` is a usage or infrastructure problem
/// (no scenario ran: exit 2); a failed scenario is `passed: false` in the outcome.
pub async fn run(options: RunOptions) -> anyhow::Result<RunOutcome> {
    let started = Instant::now();
    let selection = Selection::load(&options.targets, options.name.as_deref())?;
    let tags = match &options.tags {
        Some(expr) => Some(
            expr.parse::<gherkin::tagexpr::TagOperation>()
                .map_err(|e| anyhow::anyhow!("--tags {expr:?} is not a tag expression: {e}"))?,
        ),
        None => None,
    };
    let catalog_entries = match options.targets.first() {
        Some(t) => catalog::load(&t.path)?,
        None => Vec::new(),
    };
    crate::preflight::check(&options.control_plane).await?;

    // Keep the embedded server (and its temporary database) alive for the whole run.
    let mut embedded = None;
    let mut mock = None;
    let mut scripts = PathBuf::from("fixtures/mock/scripts");
    let (base_url, operator_token, label) = match &options.control_plane {
        ControlPlaneMode::Mock { stubs } => {
            // Load once, so a mistake in a stub file stops the run before any scenario.
            match stubs {
                Some(stubs) => {
                    mock = Some(Arc::new(ssap_mock::load_dir(stubs)?));
                    scripts = stubs.join("scripts");
                }
                None => {
                    eprintln!(
                        "mock mode: no stub folder (fixtures/mock does not exist here and \
                         --mock-stubs was not given): the mock's own model answers every request"
                    );
                    mock = Some(Arc::new(Vec::new()));
                }
            }
            (
                "one wiremock server per scenario".to_string(),
                String::new(),
                "mock".to_string(),
            )
        }
        ControlPlaneMode::Embedded => {
            let server = ssap_control_plane::EmbeddedServer::start()
                .await
                .map_err(|e| anyhow::anyhow!("starting the embedded control plane: {e}"))?;
            let url = server.url().to_string();
            let token = server.operator_token().to_string();
            embedded = Some(server);
            (url, token, "embedded".to_string())
        }
        ControlPlaneMode::Remote {
            url,
            operator_token,
        } => (url.clone(), operator_token.clone(), url.clone()),
        ControlPlaneMode::RemoteSharedOrg { url, .. } => (
            url.clone(),
            String::new(),
            format!("{url} (one shared org)"),
        ),
    };
    let shared_org = match &options.control_plane {
        ControlPlaneMode::RemoteSharedOrg {
            api_key,
            connect_key,
            ..
        } => Some(context::SharedOrg {
            api_key: api_key.clone(),
            connect_key: connect_key.clone(),
            run_nonce: rand::random::<u64>(),
        }),
        _ => None,
    };
    let one_at_a_time = shared_org.is_some();

    let journal = Journal::default();
    let ctx = Arc::new(RunContext {
        base_url: base_url.clone(),
        operator_token,
        seed: options.seed,
        http_timeout: if mock.is_some() {
            MOCK_HTTP_TIMEOUT
        } else {
            Duration::from_secs(10)
        },
        journal: journal.clone(),
        mock,
        scripts,
        shared_org,
    });
    context::install(ctx.clone());

    println!(
        "ssap-harness: control plane {label} ({base_url}), seed {} (rerun with --seed {}), {} in flight{}",
        options.seed,
        options.seed,
        options.concurrency,
        options
            .shard
            .map(|s| format!(", shard {s}"))
            .unwrap_or_default()
    );

    let progress = if options.quiet {
        Progress::Quiet
    } else {
        Progress::Lines
    };
    let (writer, collected) =
        Collector::<SsapWorld>::new(progress, journal, step_catalog::explain_undefined);
    let watch = Watch::default();
    let watchdog = Watchdog::start(watch.clone(), options.step_timeout);
    let shard = options.shard;
    let parsed = Parsed(selection.features.clone());
    let filter = move |feature: &gherkin::Feature,
                       rule: Option<&gherkin::Rule>,
                       scenario: &gherkin::Scenario| {
        if !selection.wants(feature, scenario) {
            return false;
        }
        if let Some(expr) = &tags {
            let all = feature
                .tags
                .iter()
                .chain(rule.iter().flat_map(|r| r.tags.iter()))
                .chain(scenario.tags.iter());
            if !cucumber::tag::Ext::eval(expr, all) {
                return false;
            }
        }
        match shard {
            Some(s) => s.owns(&feature_uri(feature), scenario.position.line),
            None => true,
        }
    };

    let cucumber = SsapWorld::cucumber::<PathBuf>()
        .with_parser::<_, ()>(parsed)
        .with_writer(Watched::new(writer, watch.clone()))
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .max_concurrent_scenarios(options.concurrency.max(1))
        .retries(options.retries)
        .which_scenario(move |feature, rule, scenario| {
            // A shared org's settings are everyone's: then every scenario runs alone.
            let serial = one_at_a_time
                || scenario
                    .tags
                    .iter()
                    .chain(rule.iter().flat_map(|r| r.tags.iter()))
                    .chain(feature.tags.iter())
                    .any(|t| t == "serial");
            if serial {
                cucumber::runner::ScenarioType::Serial
            } else {
                cucumber::runner::ScenarioType::Concurrent
            }
        })
        .before(|feature, rule, scenario, world| {
            Box::pin(async move {
                world.begin(ScenarioKey::of(feature, scenario));
                world.set_tags(
                    feature
                        .tags
                        .iter()
                        .chain(rule.iter().flat_map(|r| r.tags.iter()))
                        .chain(scenario.tags.iter())
                        .cloned()
                        .collect(),
                );
                world.set_uses_fault_steps(
                    feature
                        .background
                        .iter()
                        .chain(rule.iter().flat_map(|r| r.background.iter()))
                        .flat_map(|b| b.steps.iter())
                        .chain(scenario.steps.iter())
                        .any(|s| crate::steps::faults::scripts_the_control_plane(&s.value)),
                );
            })
        })
        .after(|_feature, _rule, _scenario, _finished, world| {
            Box::pin(async move {
                if let Some(world) = world {
                    world.finish().await;
                }
            })
        });
    // A stuck step ends the run here (the watchdog names it); the reports keep what ran.
    let stuck = tokio::select! {
        _ = cucumber.filter_run((), filter) => Vec::new(),
        stuck = watchdog.fired() => stuck,
    };

    // The guard lives only in this block: clippy cannot see through an explicit drop().
    let (mut result, errors) = {
        let collected = collected
            .lock()
            .map_err(|_| anyhow::anyhow!("the result collector was poisoned by a panic"))?;
        let result = collector::finish(
            &collected,
            RunResult {
                seed: options.seed,
                command: reproduce_command(&options),
                control_plane: label,
                shards: options
                    .shard
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default(),
                features: Vec::new(),
                catalog: catalog_entries,
                duration_ms: 0,
                explore: None,
            },
        );
        let mut errors = collected.errors.clone();
        errors.extend(stuck.iter().map(|s| format!("stopped, no progress: {s}")));
        (result, errors)
    };
    result.duration_ms = started.elapsed().as_millis() as u64;

    let report_files = ssap_reports::write_all(&result, &options.report_dir)
        .with_context(|| format!("writing the reports to {}", options.report_dir.display()))?;
    watch.finished();
    if let Some(server) = embedded {
        server.shutdown().await;
    }

    // The same verdict every report prints, plus parse errors (which are not scenarios).
    let passed = errors.is_empty() && result.passed();
    print_summary(&options, &result, &errors, &report_files);
    Ok(RunOutcome {
        passed,
        result,
        report_files,
    })
}

fn print_summary(options: &RunOptions, result: &RunResult, errors: &[String], files: &[PathBuf]) {
    println!();
    for e in errors {
        println!("ERROR {e}");
    }
    let c = result.counts();
    if c.total() == 0 && errors.is_empty() {
        println!(
            "no scenario ran{}: a run that tests nothing fails",
            options
                .tags
                .as_ref()
                .map(|t| format!(" (tags {t})"))
                .unwrap_or_default()
        );
    }
    let verdict = if errors.is_empty() && result.passed() {
        "PASSED"
    } else {
        "FAILED"
    };
    // Failed and undefined apart, as summary.md counts them: an undefined step needs a
    // definition (or another keyword), a failed one a fix.
    println!(
        "{verdict}: {} scenario{}, {} passed, {} failed, {} undefined, {} skipped, {} flaky in {:.2} s (seed {})",
        c.total(),
        if c.total() == 1 { "" } else { "s" },
        c.passed,
        c.failed,
        c.undefined,
        c.skipped,
        c.flaky,
        result.duration_ms as f64 / 1000.0,
        result.seed
    );
    if c.failures() > 0 {
        println!("reproduce: {}", result.command);
    }
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    println!("reports: {}", names.join(", "));
}

fn reproduce_command(o: &RunOptions) -> String {
    let targets: Vec<String> = o.targets.iter().map(Target::to_string).collect();
    let mut cmd = format!("ssap-harness run {} --seed {}", targets.join(" "), o.seed);
    if let Some(n) = &o.name {
        cmd.push_str(&format!(" --name '{n}'"));
    }
    match &o.control_plane {
        ControlPlaneMode::Remote { url, .. } | ControlPlaneMode::RemoteSharedOrg { url, .. } => {
            cmd.push_str(&format!(" --control-plane {url}"));
        }
        ControlPlaneMode::Mock { stubs } => {
            cmd.push_str(" --control-plane mock");
            if let Some(stubs) = stubs.as_ref().filter(|s| *s != Path::new("fixtures/mock")) {
                cmd.push_str(&format!(" --mock-stubs {}", stubs.display()));
            }
        }
        ControlPlaneMode::Embedded => {}
    }
    if let Some(t) = &o.tags {
        cmd.push_str(&format!(" --tags '{t}'"));
    }
    if let Some(s) = o.shard {
        cmd.push_str(&format!(" --shard {s}"));
    }
    cmd
}
