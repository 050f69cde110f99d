//! Control-plane faults (R21, R60): script the control plane's replies to one call (error
//! statuses, Retry-After, late replies, dropped connections, malformed bodies, replies lost
//! after the change was made), drive a sign-in into them, and check that nothing is half-made.
//!
//! The stubs go to the scenario's own wiremock server: in mock mode the mock control plane
//! itself; in the embedded and remote modes a fault proxy in front of the real control plane,
//! which the World starts for a scenario that uses one of these steps (or is tagged
//! `@faults`), so the same feature file runs, and passes, in every mode.

use std::time::Duration;

use anyhow::anyhow;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ssap_api::{codes, Os};
use ssap_endpoint::ScreenKind;
use ssap_mock::{Fault, Stub};

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// How much later than the client's timeout a "late" reply comes.
const PAST_TIMEOUT: Duration = Duration::from_millis(200);

/// How the steps that script the control plane begin: a scenario using one gets a fault
/// proxy before its first step (the devices must reach the control plane through it from the
/// start). A test checks every such step's pattern begins with one of these.
const SCRIPTING_STEPS: [&str; 6] = [
    "the control plane answers ",
    "the control plane loses the reply to ",
    "the control plane follows the script ",
    "the control plane is unreachable",
    "the control plane becomes unreachable",
    "the control plane recovers",
];

/// Whether a step's text scripts the control plane (see [`SCRIPTING_STEPS`]).
pub fn scripts_the_control_plane(step_text: &str) -> bool {
    SCRIPTING_STEPS.iter().any(|p| step_text.starts_with(p))
}

/// PIN used by the Windows flow of these steps.
const PIN: &str = "246810";

/// Adds `stub` to the scenario's control plane (starting it if needed).
async fn add(w: &mut SsapWorld, step: &Step, stub: Stub) -> StepResult {
    w.org().await?;
    let Some(cp) = w.control_plane().cloned() else {
        fail!(
            "this scenario has no fault proxy: the runner gives one to a scenario whose own \
             steps (or backgrounds) script the control plane, or that is tagged @faults; a \
             fault step called from elsewhere needs that tag"
        );
    };
    w.note(format!(
        "stub {} at step line {}",
        describe(&stub),
        step.position.line
    ));
    cp.add_stub(stub.origin(format!("step at line {}", step.position.line)))
        .await;
    Ok(())
}

fn describe(s: &Stub) -> String {
    let mut parts = vec![format!("{} {}", s.method, s.path)];
    if let Some(st) = s.status {
        parts.push(format!("status {st}"));
    }
    if let Some(f) = s.fault {
        parts.push(format!("{f:?}"));
    }
    if let Some(d) = s.delay {
        parts.push(format!("delay {} ms", d.as_millis()));
    }
    if s.commit {
        parts.push("after commit".into());
    }
    if let Some(t) = s.times {
        parts.push(format!("{t} time(s)"));
    }
    parts.join(", ")
}

/// "POST /api/device/provision" -> (method, path).
fn call(text: &str) -> anyhow::Result<(String, String)> {
    let (m, p) = text.split_once(' ').ok_or_else(|| {
        anyhow!("{text:?}: write the call as METHOD PATH, e.g. \"POST /api/device/provision\"")
    })?;
    if !p.starts_with('/') {
        return Err(anyhow!("{text:?}: the path must start with /"));
    }
    let m = m.to_ascii_uppercase();
    // A typo would otherwise script a call nobody makes, and the scenario would pass for
    // nothing: the call must be an operation of the API document.
    let known = crate::test_data::api_calls();
    if !known.iter().any(|(km, kp)| *km == m && path_matches(kp, p)) {
        let device: Vec<String> = known
            .iter()
            .filter(|(_, kp)| kp.starts_with("/api/device/"))
            .map(|(km, kp)| format!("{km} {kp}"))
            .collect();
        return Err(anyhow!(
            "{text:?} is not a call of the control plane's API; a device makes these: {}",
            device.join(", ")
        ));
    }
    Ok((m, p.to_string()))
}

/// Whether a concrete path fits a document path, where `{name}` stands for one segment.
fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// Error code a scripted status carries (what a real server would say).
fn code_for(status: u16) -> &'static str {
    match status {
        429 => codes::TOO_MANY_ATTEMPTS,
        500 => codes::INTERNAL,
        _ => "unavailable",
    }
}

/// Builds the stub for a fault phrase of the feature files.
fn fault_stub(w: &SsapWorld, method: &str, path: &str, fault: &str) -> anyhow::Result<Stub> {
    let stub = Stub::on(method, path);
    let words: Vec<&str> = fault.split_whitespace().collect();
    Ok(match words.as_slice() {
        ["status", n] => {
            let s: u16 = n
                .parse()
                .map_err(|_| anyhow!("status {n:?} is not a number"))?;
            stub.status(s, code_for(s))
        }
        ["status", n, "and", "Retry-After", secs] => {
            let s: u16 = n
                .parse()
                .map_err(|_| anyhow!("status {n:?} is not a number"))?;
            let r: u64 = secs
                .parse()
                .map_err(|_| anyhow!("Retry-After {secs:?} is not a number of seconds"))?;
            stub.status(s, code_for(s)).retry_after(r)
        }
        ["a", "connection", "reset"] => stub.fault(Fault::ConnectionReset),
        ["malformed", "JSON"] => stub.fault(Fault::MalformedJson),
        ["a", "delay", "past", "the", "client", "timeout"] => {
            stub.delay(w.http_timeout() + PAST_TIMEOUT)
        }
        _ => {
            return Err(anyhow!(
                "unknown fault {fault:?}: use `status N`, `status N and Retry-After S`, \
                 `a connection reset`, `malformed JSON` or `a delay past the client timeout`"
            ))
        }
    })
}

/// A fault on every call to the route (until the control plane recovers), or only once.
#[given(
    regex = r#"^the control plane answers "([^"]+)" (?:with|after) (status \d+(?: and Retry-After \d+)?|a connection reset|malformed JSON|a delay past the client timeout)( once)?$"#
)]
async fn answers_with(
    w: &mut SsapWorld,
    #[step] step: &Step,
    which: String,
    fault: String,
    once: String,
) -> StepResult {
    let (m, p) = call(&which)?;
    let mut stub = fault_stub(w, &m, &p, &fault)?;
    if !once.is_empty() {
        stub = stub.times(1);
    }
    add(w, step, stub).await
}

/// The control plane makes the change, then its answer is lost: by a dropped connection
/// (default), a body cut off mid-object, or an answer after the client gave up (R60).
#[given(
    regex = r#"^the control plane loses the reply to "([^"]+)" after committing it(?: (by a connection reset|with malformed JSON|by answering too late))?( once)?$"#
)]
async fn loses_reply(
    w: &mut SsapWorld,
    #[step] step: &Step,
    which: String,
    how: String,
    once: String,
) -> StepResult {
    let (m, p) = call(&which)?;
    let stub = Stub::on(&m, &p).commit();
    let mut stub = match how.as_str() {
        "with malformed JSON" => stub.fault(Fault::MalformedJson),
        "by answering too late" => stub.delay(w.http_timeout() + PAST_TIMEOUT),
        _ => stub.fault(Fault::ConnectionReset),
    };
    if !once.is_empty() {
        stub = stub.times(1);
    }
    add(w, step, stub).await
}

/// Mounts `fixtures/mock/scripts/NAME.yaml` (or `--mock-stubs DIR/scripts/NAME.yaml`).
#[given(regex = r#"^the control plane follows the script "([^"]+)"$"#)]
async fn follows_script(w: &mut SsapWorld, name: String) -> StepResult {
    w.org().await?;
    let Some(cp) = w.control_plane().cloned() else {
        fail!(
            "this scenario has no fault proxy (see the fault steps' section of the step reference)"
        );
    };
    let n = cp.follow_script(&name).await?;
    w.note(format!("script {name}: {n} stub(s)"));
    Ok(())
}

/// The control plane cannot be reached while the device's internet works (a DNS failure, a
/// firewall, an outage): every call a device makes (the list under Test data) has its
/// connection reset, until `the control plane recovers`. The indicator stays green (R13);
/// screens say what the device shows when JumpCloud does not answer. Works in every mode (the
/// scenario gets a fault proxy).
#[given(regex = r"^the control plane is unreachable$")]
#[when(regex = r"^the control plane becomes unreachable$")]
async fn unreachable(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    let device_calls: Vec<(String, String)> = crate::test_data::api_calls()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/device/"))
        .collect();
    if device_calls.is_empty() {
        fail!("the API document lists no device calls to cut off");
    }
    for (m, p) in device_calls {
        add(w, step, Stub::on(&m, &p).fault(Fault::ConnectionReset)).await?;
    }
    Ok(())
}

/// Every scripted fault stops; the baseline (model or real server) answers again.
#[when(regex = r"^the control plane recovers$")]
async fn recovers(w: &mut SsapWorld) -> StepResult {
    match w.control_plane() {
        Some(cp) => cp.clear_stubs(),
        None => fail!("there is no scripted control plane in this scenario to recover"),
    }
    Ok(())
}

/// The whole sign-in of the device's OS (Windows: re-confirm and a PIN), stopping where the
/// control plane's failure puts a notice on screen; the Then steps say what it must say.
#[when(regex = r#"^"([^"]+)" goes through Sign in with JumpCloud using password "([^"]*)"$"#)]
async fn goes_through(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    let email = w.person(&name)?.user.email.clone();
    let mut script: Vec<(&str, Option<String>)> = vec![("Sign in with JumpCloud", None)];
    if w.device()?.os() == Os::Windows {
        script.push(("Click here to sign in", None));
    }
    script.extend([
        ("Email", Some(email)),
        ("Continue", None),
        ("Password", Some(password.clone())),
        ("Login", None),
    ]);
    if w.device()?.os() == Os::Windows {
        script.extend([
            ("Password", Some(password)),
            ("Next", None),
            ("PIN", Some(PIN.into())),
            ("Confirm PIN", Some(PIN.into())),
            ("OK", None),
        ]);
    }
    for (label, text) in script {
        let screen = w.device()?.screen();
        if screen.kind == ScreenKind::Notice {
            break;
        }
        let outcome = match text {
            Some(t) => w
                .device_mut()?
                .type_into(label, &t)
                .map_err(anyhow::Error::from),
            None => w
                .device_mut()?
                .click(label)
                .await
                .map_err(anyhow::Error::from),
        };
        if let Err(e) = outcome {
            w.snap(step);
            fail!("{e:#}");
        }
    }
    w.snap(step);
    Ok(())
}

/// Whether the device holds a managed account for the user, and the control plane an
/// association of the user with the device (how many).
async fn both_sides(w: &mut SsapWorld, name: &str) -> anyhow::Result<(Option<String>, usize)> {
    let user_id = w.person(name)?.user.id.clone();
    let device_id = w.device_id()?;
    let local = w
        .device()?
        .accounts()
        .find_by_user_id(&user_id)
        .filter(|a| a.managed)
        .map(|a| a.name.clone());
    let bound = w
        .admin()
        .await?
        .associations(&device_id)
        .await?
        .iter()
        .filter(|a| a.user_id == user_id)
        .count();
    Ok((local, bound))
}

/// R60: the local account exists AND the association is recorded, or neither.
#[then(regex = r#"^the device and the control plane agree about "([^"]+)"$"#)]
async fn agree(w: &mut SsapWorld, name: String) -> StepResult {
    match both_sides(w, &name).await? {
        (Some(_), 1) | (None, 0) => Ok(()),
        (Some(a), 0) => fail!(
            "half-made: the device has the managed account {a:?} for {name:?}, but the control plane has no association"
        ),
        (None, n) if n > 0 => fail!(
            "half-made: the control plane binds {name:?} to the device, but the device has no account for them"
        ),
        (_, n) => fail!("{name:?} is bound to the device {n} times"),
    }
}

/// Asserts the user has a managed local account on the device and exactly one association on the control plane; prints the screen if not.
#[then(
    regex = r#"^"([^"]+)" has a managed local account and exactly one association on the device$"#
)]
async fn provisioned_once(w: &mut SsapWorld, name: String) -> StepResult {
    match both_sides(w, &name).await? {
        (Some(_), 1) => Ok(()),
        (local, n) => fail!(
            "expected {name:?} provisioned once; the device account: {local:?}, associations: {n}; the screen shows:\n{}",
            w.device()?.screen().render_text()
        ),
    }
}

/// Asserts the user has no local account on the device and no association on the control plane (nothing half-made). Screen unchanged.
#[then(regex = r#"^"([^"]+)" has no local account and no association on the device$"#)]
async fn nothing_made(w: &mut SsapWorld, name: String) -> StepResult {
    match both_sides(w, &name).await? {
        (None, 0) => Ok(()),
        (local, n) => fail!(
            "expected nothing made for {name:?}; the device account: {local:?}, associations: {n}"
        ),
    }
}

/// Replays of a lost reply are not provisionings (R60): one success in the audit log.
#[then(regex = r#"^the control plane recorded exactly one provisioning of "([^"]+)"$"#)]
async fn one_provisioning(w: &mut SsapWorld, name: String) -> StepResult {
    let email = w.person(&name)?.user.email.clone();
    let events = w.admin().await?.audit().await?;
    let n = events
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success" && e.target == email)
        .count();
    if n != 1 {
        fail!("expected one successful provisioning of {name:?} in the audit log, found {n}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use cucumber::gherkin::StepType;

    use super::{scripts_the_control_plane, SCRIPTING_STEPS};

    /// Every Given or When of this file that speaks of the control plane scripts it, and is
    /// known as such, so its scenario gets a fault proxy; and every prefix is some step's.
    #[test]
    fn every_fault_step_is_known_to_script_the_control_plane() {
        let ours: Vec<String> = crate::step_catalog::definitions()
            .into_iter()
            .filter(|d| d.defined_at.contains("steps/faults.rs:"))
            .filter(|d| d.kind != StepType::Then)
            .map(|d| d.pattern.trim_start_matches('^').to_string())
            .filter(|p| p.starts_with("the control plane "))
            .collect();
        assert!(ours.len() >= SCRIPTING_STEPS.len(), "found only {ours:?}");
        for p in &ours {
            assert!(
                scripts_the_control_plane(p),
                "{p:?} is not in SCRIPTING_STEPS"
            );
        }
        for prefix in SCRIPTING_STEPS {
            assert!(
                ours.iter().any(|p| p.starts_with(prefix)),
                "no fault step begins with {prefix:?}"
            );
        }
        assert!(!scripts_the_control_plane(
            "the control plane recorded exactly one provisioning of \"X\""
        ));
    }
}
