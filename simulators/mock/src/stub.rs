//! Scripted replies: the [`Stub`] type, its YAML file form, and loading with errors that name
//! `file:line` and say what was wrong.
//!
//! A stub file is a YAML list of stubs:
//!
//! ```yaml
//! - name: provisioning is down for maintenance       # optional, shown in messages
//!   match:
//!     method: POST                                   # required
//!     path: /api/device/provision                    # exactly one of path / path_regex
//!     # path_regex: ^/api/admin/devices/[^/]+$
//!     # body_contains: '"email":"holly'              # a substring of the request body
//!     # nth: 2                                       # only the 2nd call to method+path
//!   respond:
//!     status: 503                                    # default 200 (or the baseline's, with commit)
//!     json: {code: unavailable, message: Down for maintenance}   # or body: "raw text"
//!     headers: {Retry-After: "1"}                    # retry_after: 1 is a shorthand
//!     # delay_ms: 2000                               # answer late (past the client timeout)
//!     # fault: connection_reset | malformed_json
//!     # commit: true   # the baseline (model or real server) handles the request first: the
//!     #                # change is made, and this reply replaces its answer ("reply lost")
//!   times: 1                                         # answers this many times, then falls through
//!   priority: 1                                      # 1 (first) .. 199; default 5
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use serde::Deserialize;

/// Priorities at and above this belong to the baseline (model or upstream).
pub const BASELINE_PRIORITY: u8 = 200;
/// Priority of a stub that does not say.
pub const DEFAULT_PRIORITY: u8 = 5;

/// A transport-level fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed without an answer.
    ConnectionReset,
    /// A success status with a body that is not JSON.
    MalformedJson,
}

/// How a stub picks its requests.
#[derive(Debug, Clone)]
pub enum PathMatch {
    /// The path, exactly.
    Exact(String),
    /// Any path the regex matches (`path_regex` in YAML; shown as `~regex`).
    Regex(regex::Regex),
}

impl PathMatch {
    /// Whether `path` is one this stub picks.
    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Exact(p) => p == path,
            PathMatch::Regex(r) => r.is_match(path),
        }
    }
}

impl std::fmt::Display for PathMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathMatch::Exact(p) => f.write_str(p),
            PathMatch::Regex(r) => write!(f, "~{}", r.as_str()),
        }
    }
}

/// One scripted reply.
#[derive(Debug, Clone)]
pub struct Stub {
    /// A name for messages: the YAML's `name`, else `METHOD path`.
    pub name: String,
    /// Where it was written: `fixtures/mock/x.yaml:12`, or the step that made it.
    pub origin: String,
    /// The HTTP method it answers, upper case.
    pub method: String,
    /// The paths it answers.
    pub path: PathMatch,
    /// Only requests whose body contains this text.
    pub body_contains: Option<String>,
    /// 1-based: only the nth request to `method` + `path` (whoever answered the others).
    pub nth: Option<u64>,
    /// The status to answer; 200 when left out.
    pub status: Option<u16>,
    /// A JSON body to answer.
    pub json: Option<serde_json::Value>,
    /// A raw text body to answer (instead of `json`).
    pub body: Option<String>,
    /// Extra reply headers, such as Retry-After.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// How long to wait before answering (to outlast a client's timeout).
    pub delay: Option<Duration>,
    /// A broken answer instead of a reply (dropped connection, bad JSON).
    pub fault: Option<Fault>,
    /// Let the baseline act on the request first, then answer with this stub.
    pub commit: bool,
    /// Answers this many requests, then falls through; always when `None`.
    pub times: Option<u64>,
    /// Which stub answers first: 1 (first) to 199; the model comes after all.
    pub priority: u8,
}

impl Stub {
    /// A stub for `method path` that answers 200 with no body until told otherwise.
    pub fn on(method: &str, path: &str) -> Self {
        Self {
            name: format!("{} {path}", method.to_ascii_uppercase()),
            origin: "code".into(),
            method: method.to_ascii_uppercase(),
            path: PathMatch::Exact(path.to_string()),
            body_contains: None,
            nth: None,
            status: None,
            json: None,
            body: None,
            headers: Vec::new(),
            delay: None,
            fault: None,
            commit: false,
            times: None,
            priority: DEFAULT_PRIORITY,
        }
    }

    /// Says where the stub was made, for messages.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// Answers `status` with an `ApiErrorBody` of `code` (for error statuses).
    pub fn status(mut self, status: u16, code: &str) -> Self {
        self.status = Some(status);
        self.json = Some(serde_json::json!({
            "code": code,
            "message": format!("scripted by the mock ({})", self.name),
        }));
        self
    }

    /// Adds a Retry-After header of `secs` seconds (at least 1).
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.headers.push((
            http::header::RETRY_AFTER,
            http::HeaderValue::from(secs.max(1)),
        ));
        self
    }

    /// Answers with `fault` instead of a reply.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Waits `delay` before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The baseline handles the request first (it commits), then this stub's reply replaces
    /// its answer: "the reply was lost after the change was made".
    pub fn commit(mut self) -> Self {
        self.commit = true;
        self
    }

    /// Answers only `n` requests (at least 1), then falls through.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n.max(1));
        self
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStub {
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "match")]
    when: RawMatch,
    respond: RawRespond,
    #[serde(default)]
    times: Option<u64>,
    #[serde(default)]
    priority: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    method: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    path_regex: Option<String>,
    #[serde(default)]
    body_contains: Option<String>,
    #[serde(default)]
    nth: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRespond {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    json: Option<serde_json::Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, HeaderText>,
    #[serde(default)]
    retry_after: Option<u64>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    fault: Option<String>,
    #[serde(default)]
    commit: bool,
}

/// A header value as YAML may write it: `"1"` or `1`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum HeaderText {
    Text(String),
    Number(u64),
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Parses the stubs of one file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> anyhow::Result<Vec<Stub>> {
    let raws: Vec<RawStub> = match serde_norway::from_str::<Option<Vec<RawStub>>>(text) {
        Ok(v) => v.unwrap_or_default(),
        Err(e) => {
            let place = match e.location() {
                Some(l) => format!("{file}:{}:{}", l.line(), l.column()),
                None => file.to_string(),
            };
            let what = e.to_string();
            // serde_norway appends " at line X column Y"; the place already says it.
            let what = what.split(" at line ").next().unwrap_or(&what);
            bail!("{place}: {what} (a stub file is a YAML list of stubs with `match` and `respond`; see fixtures/mock/README.md)");
        }
    };
    let lines = item_lines(text);
    raws.into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let line = lines.get(i).copied().unwrap_or(1);
            let origin = format!("{file}:{line}");
            let label = match &raw.name {
                Some(n) => format!("stub {} ({n:?})", i + 1),
                None => format!("stub {}", i + 1),
            };
            build(raw, &origin).map_err(|e| anyhow!("{origin}: {label}: {e}"))
        })
        .collect()
}

/// 1-based line of each top-level list item (`- ...` at the list's indentation).
fn item_lines(text: &str) -> Vec<usize> {
    let mut indent = None;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if !(trimmed.starts_with("- ") || trimmed == "-") {
            continue;
        }
        let here = line.len() - trimmed.len();
        match indent {
            None => {
                indent = Some(here);
                out.push(n + 1);
            }
            Some(i) if i == here => out.push(n + 1),
            _ => {}
        }
    }
    out
}

fn build(raw: RawStub, origin: &str) -> anyhow::Result<Stub> {
    let method = raw.when.method.trim().to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        bail!(
            "match.method {:?} is not an HTTP method (one of {})",
            raw.when.method,
            METHODS.join(", ")
        );
    }
    let path = match (raw.when.path, raw.when.path_regex) {
        (Some(p), None) => {
            if !p.starts_with('/') {
                bail!("match.path {p:?} must start with /");
            }
            PathMatch::Exact(p)
        }
        (None, Some(r)) => PathMatch::Regex(
            regex::Regex::new(&r)
                .with_context(|| format!("match.path_regex {r:?} is not a regex"))?,
        ),
        (Some(_), Some(_)) => bail!("match has both path and path_regex; give one"),
        (None, None) => bail!("match needs path (exact) or path_regex"),
    };
    if raw.when.nth == Some(0) {
        bail!("match.nth counts from 1");
    }
    let r = raw.respond;
    if let Some(s) = r.status {
        if !(100..=599).contains(&s) {
            bail!("respond.status {s} is not an HTTP status (100-599)");
        }
    }
    if r.json.is_some() && r.body.is_some() {
        bail!("respond has both json and body; give one");
    }
    let fault = match r.fault.as_deref() {
        None => None,
        Some("connection_reset") => Some(Fault::ConnectionReset),
        Some("malformed_json") => Some(Fault::MalformedJson),
        Some(other) => {
            bail!("respond.fault {other:?} is not a fault: use connection_reset or malformed_json")
        }
    };
    if fault == Some(Fault::ConnectionReset)
        && (r.status.is_some() || r.json.is_some() || r.body.is_some() || !r.headers.is_empty())
    {
        bail!("respond.fault connection_reset sends no answer, so status, json, body and headers mean nothing; remove them");
    }
    let mut headers = Vec::new();
    for (k, v) in r.headers {
        let value = match v {
            HeaderText::Text(t) => t,
            HeaderText::Number(n) => n.to_string(),
        };
        headers.push(header(&k, &value)?);
    }
    if let Some(s) = r.retry_after {
        headers.push(header("retry-after", &s.to_string())?);
    }
    let priority = match raw.priority {
        None => DEFAULT_PRIORITY,
        Some(p) if (1..u64::from(BASELINE_PRIORITY)).contains(&p) => p as u8,
        Some(p) => bail!(
            "priority {p} is out of range: 1 (first) to {} ({} and above belong to the mock's model)",
            BASELINE_PRIORITY - 1,
            BASELINE_PRIORITY
        ),
    };
    if raw.times == Some(0) {
        bail!("times must be at least 1 (leave it out for always)");
    }
    let name = raw.name.unwrap_or_else(|| format!("{method} {path}"));
    Ok(Stub {
        name,
        origin: origin.to_string(),
        method,
        path,
        body_contains: raw.when.body_contains,
        nth: raw.when.nth,
        status: r.status,
        json: r.json,
        body: r.body,
        headers,
        delay: r.delay_ms.map(Duration::from_millis),
        fault,
        commit: r.commit,
        times: raw.times,
        priority,
    })
}

/// A checked header, so that building the reply can never panic.
pub(crate) fn header(
    name: &str,
    value: &str,
) -> anyhow::Result<(http::HeaderName, http::HeaderValue)> {
    let n = http::HeaderName::from_bytes(name.trim().to_ascii_lowercase().as_bytes())
        .map_err(|_| anyhow!("header name {name:?} is not valid"))?;
    let v = http::HeaderValue::from_str(value)
        .map_err(|_| anyhow!("header {name}: value {value:?} is not valid in a header"))?;
    Ok((n, v))
}

/// Reads and parses one stub file.
pub fn load_file(path: &Path) -> anyhow::Result<Vec<Stub>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading stub file {}", path.display()))?;
    parse(&path.display().to_string(), &text)
}

/// Every `*.yaml` / `*.yml` directly in `dir` (not its subfolders), in name order.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Stub>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "no stub folder at {}: create it or pass --mock-stubs DIR",
            dir.display()
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(load_file(&f)?);
    }
    Ok(out)
}
