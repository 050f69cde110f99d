//! `ssap-harness explore`: random walks over the SSAP API that no scenario author wrote down,
//! played on two independent implementations of the contract at once (the reference server
//! over SQL, and the mock's in-memory model), compared after every action. When they disagree,
//! the walk is shrunk to the shortest sequence that still disagrees, and printed with the seed
//! that reproduces it.
//!
//! A run is a series of episodes: each starts a fresh org on both sides and plays
//! [`EPISODE_LEN`] actions in it, so that histories stay short enough to read when they fail
//! and every action still meets a state built by many before it.

#![warn(missing_docs)]

pub mod action;
pub mod counterexample;
pub mod devices;
pub mod oracle;
pub mod sentence;
pub mod shrink;
pub mod target;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use ssap_api::Http;

pub use action::Action;
pub use target::{Observation, Target};

/// Actions per episode (one fresh org on each side).
pub const EPISODE_LEN: usize = 150;

/// A control plane an exploration can play against.
pub enum Side {
    /// The reference server in-process over a temporary SQLite file.
    Embedded(ssap_control_plane::EmbeddedServer),
    /// The mock's model on wiremock.
    Mock(ssap_mock::MockControlPlane),
    /// Any control plane at a URL (operator token given).
    Remote {
        /// Base URL.
        url: String,
        /// Operator token, to create an org per episode.
        token: String,
    },
}

impl Side {
    /// Starts the reference server (cheap password hashing: explorations sign in a lot).
    pub async fn embedded() -> anyhow::Result<Self> {
        let server = ssap_control_plane::EmbeddedServer::start()
            .await
            .map_err(|e| anyhow::anyhow!("starting the embedded control plane: {e}"))?;
        Ok(Side::Embedded(server))
    }

    /// Starts the mock's model with no stub files.
    pub async fn mock() -> anyhow::Result<Self> {
        Ok(Side::Mock(
            ssap_mock::MockControlPlane::start_with(&[], None).await?,
        ))
    }

    fn url(&self) -> String {
        match self {
            Side::Embedded(server) => server.url().to_string(),
            Side::Mock(m) => m.url(),
            Side::Remote { url, .. } => url.clone(),
        }
    }

    fn token(&self) -> String {
        match self {
            Side::Embedded(server) => server.operator_token().to_string(),
            Side::Remote { token, .. } => token.clone(),
            Side::Mock(m) => m.operator_token().unwrap_or_default().to_string(),
        }
    }

    /// What reports call it.
    pub fn name(&self) -> &'static str {
        match self {
            Side::Embedded(_) => "reference server (embedded)",
            Side::Mock(_) => "mock model",
            Side::Remote { .. } => "remote control plane",
        }
    }
}

/// The two sides of a differential exploration.
pub struct Pair {
    /// The first side (the reference server unless told otherwise).
    pub left: Side,
    /// The second side (the mock's model unless told otherwise).
    pub right: Side,
    left_http: Http,
    right_http: Http,
    devices: usize,
}

impl Pair {
    /// A pair of sides, each with its own HTTP client.
    pub fn new(left: Side, right: Side) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs(30);
        Ok(Self {
            left_http: Http::new(&left.url(), timeout)?,
            right_http: Http::new(&right.url(), timeout)?,
            devices: target::MAX_DEVICES,
            left,
            right,
        })
    }

    /// The same pair, with at most `n` devices an episode (1 to 255; default
    /// [`target::MAX_DEVICES`]).
    pub fn with_devices(mut self, n: usize) -> Self {
        self.devices = n.clamp(1, 255);
        self
    }

    /// Devices an episode registers at most.
    pub fn devices(&self) -> usize {
        self.devices
    }

    async fn orgs(&self) -> anyhow::Result<(Target, Target)> {
        let (lt, rt) = (self.left.token(), self.right.token());
        let (l, r) = tokio::join!(
            Target::new_org(&self.left_http, &lt),
            Target::new_org(&self.right_http, &rt)
        );
        Ok((
            l.with_context(|| format!("creating an org on the {}", self.left.name()))?
                .with_max_devices(self.devices),
            r.with_context(|| format!("creating an org on the {}", self.right.name()))?
                .with_max_devices(self.devices),
        ))
    }

    /// `actions` with the device numbers each one meant when it was played (see
    /// [`Target::resolve`]), read on a fresh org of the first side.
    pub async fn resolve(&self, actions: &[Action]) -> anyhow::Result<Vec<Action>> {
        let (mut l, _) = self.orgs().await?;
        let mut out = Vec::with_capacity(actions.len());
        for a in actions {
            let resolved = l.resolve(a);
            l.play(&resolved).await;
            out.push(resolved);
        }
        Ok(out)
    }

    /// Plays `actions` on fresh orgs; the index and both answers of the first disagreement.
    pub async fn first_divergence(&self, actions: &[Action]) -> anyhow::Result<Option<Divergence>> {
        let (mut l, mut r) = self.orgs().await?;
        for (i, a) in actions.iter().enumerate() {
            let (lo, ro) = tokio::join!(l.play(a), r.play(a));
            if lo != ro || lo.is_failure() || ro.is_failure() {
                return Ok(Some(Divergence {
                    index: i,
                    left: lo,
                    right: ro,
                }));
            }
        }
        Ok(None)
    }
}

/// Where two control planes first answered differently.
#[derive(Debug, Clone, Serialize)]
pub struct Divergence {
    /// The action both sides answered differently (0-based).
    pub index: usize,
    /// The first side's answer.
    pub left: Observation,
    /// The second side's answer.
    pub right: Observation,
}

/// What `explore` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seeds every episode, so a run can be repeated.
    pub seed: u64,
    /// Actions to play in all.
    pub actions: usize,
    /// Stop early after this long (the episode under way finishes).
    pub time_limit: Option<Duration>,
}

/// A disagreement, shrunk.
#[derive(Debug, Clone, Serialize)]
pub struct Counterexample {
    /// The run's seed.
    pub seed: u64,
    /// The episode that disagreed.
    pub episode: usize,
    /// Actions of the episode up to the first disagreement, before shrinking.
    pub original_len: usize,
    /// The shortest sequence found that still disagrees.
    pub actions: Vec<Action>,
    /// Where the shrunk sequence disagrees, and the two answers.
    pub divergence: Divergence,
    /// The first side's name.
    pub left: &'static str,
    /// The second side's name.
    pub right: &'static str,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The run's seed.
    pub seed: u64,
    /// Actions played.
    pub actions_run: usize,
    /// Episodes started.
    pub episodes: usize,
    /// Devices an episode registered at most (`--devices`).
    pub devices: usize,
    /// Wall time.
    pub seconds: f64,
    /// Actions per kind that were sent (not skipped), to see what the walk reached.
    pub coverage: std::collections::BTreeMap<String, usize>,
    /// Actions sent per catalog id they exercise (see [`counterexample::catalog_ids`]).
    pub catalog: std::collections::BTreeMap<String, usize>,
    /// Simulated devices' screens reached, by title, after each device action: how deep the
    /// walks got into sign-ins ("Desktop" is someone logged in).
    #[serde(default)]
    pub screens: std::collections::BTreeMap<String, usize>,
    /// The first disagreement, shrunk; `None` when the sides agreed throughout.
    pub counterexample: Option<Counterexample>,
}

/// The seed of one episode: the run's seed and the episode number, mixed (splitmix64).
pub fn episode_seed(seed: u64, episode: usize) -> u64 {
    let mut z = seed ^ (episode as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs episodes until `opts.actions` actions ran, the time limit passed, or the sides
/// disagreed (then shrinks the disagreement).
pub async fn explore(pair: &Pair, opts: &Options) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary {
        seed: opts.seed,
        actions_run: 0,
        episodes: 0,
        devices: pair.devices,
        seconds: 0.0,
        coverage: Default::default(),
        catalog: Default::default(),
        screens: Default::default(),
        counterexample: None,
    };
    let mut episode = 0;
    while summary.actions_run < opts.actions {
        if opts.time_limit.is_some_and(|t| started.elapsed() >= t) {
            break;
        }
        let n = EPISODE_LEN.min(opts.actions - summary.actions_run);
        let devices = u8::try_from(pair.devices).unwrap_or(u8::MAX);
        let actions = action::sequence_over(episode_seed(opts.seed, episode), n, devices);
        let (mut l, mut r) = pair.orgs().await?;
        let mut divergence = None;
        for (i, a) in actions.iter().enumerate() {
            let (lo, ro) = tokio::join!(l.play(a), r.play(a));
            summary.actions_run += 1;
            if lo != Observation::Skipped {
                *summary.coverage.entry(kind(a)).or_default() += 1;
                for id in counterexample::catalog_ids(a) {
                    *summary.catalog.entry((*id).to_string()).or_default() += 1;
                }
                if let Some(title) = screen_title(&lo) {
                    *summary.screens.entry(title).or_default() += 1;
                }
            }
            if lo != ro || lo.is_failure() || ro.is_failure() {
                divergence = Some(i);
                break;
            }
        }
        summary.episodes += 1;
        if let Some(i) = divergence {
            let prefix = actions[..=i].to_vec();
            let (shrunk, _) = shrink::shrink(pair, prefix).await?;
            // Written with the device numbers each action meant, then checked once more.
            let shrunk = pair.resolve(&shrunk).await?;
            let divergence = pair.first_divergence(&shrunk).await?.ok_or_else(|| {
                anyhow::anyhow!(
                    "the shrunk disagreement did not happen again with its device numbers \
                     resolved: {shrunk:?}"
                )
            })?;
            summary.counterexample = Some(Counterexample {
                seed: opts.seed,
                episode,
                original_len: i + 1,
                actions: shrunk,
                divergence,
                left: pair.left.name(),
                right: pair.right.name(),
            });
            break;
        }
        episode += 1;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The title of the screen a device action left on screen ("macOS — JumpCloud User Login").
fn screen_title(o: &Observation) -> Option<String> {
    let Observation::Ok(v) = o else { return None };
    let text = v.get("screen")?.as_str()?;
    let first = text.lines().next()?;
    Some(first.strip_prefix("screen: ").unwrap_or(first).to_string())
}

/// An action's kind ("Authenticate"), for coverage.
pub fn kind(a: &Action) -> String {
    let text = format!("{a:?}");
    text.split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Plays `actions` on a fresh org of the control plane at `http` and returns every answer: the
/// second implementation's side of a differential scenario (`ssap-harness run`).
pub async fn replay(
    http: &Http,
    operator_token: &str,
    actions: &[Action],
) -> anyhow::Result<Vec<Observation>> {
    // A scenario registers the devices it names: no cap.
    let mut target = Target::new_org(http, operator_token)
        .await?
        .with_max_devices(255);
    let mut answers = Vec::with_capacity(actions.len());
    for a in actions {
        answers.push(target.play(a).await);
    }
    Ok(answers)
}
