//! The "Test data" section of `features/STEPS.md`: facts a scenario writer needs that live in
//! code, not in steps (the email a directory user gets, the PIN Windows uses, a new device's
//! networks, thresholds, refusal codes, audit actions). Constants of this crate and the
//! endpoint are used directly; the control plane's private ones and its audit calls are read
//! from its source, so the page cannot drift from the code.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// When each audit action appears, and the reasons its refusals carry. An action found in the
/// control plane's source without an entry here fails a test (and shows as undescribed in
/// STEPS.md), as does a reason written in the source that its entry does not list.
const AUDIT_WHEN: &[(&str, &str, &str)] = &[
    ("org.create", "", "an operator creates an org (every scenario's own org, embedded and remote modes)"),
    ("settings.update", "", "the admin changes org settings: an SSAP toggle, the permission level, password sync"),
    ("user.create", "", "the admin creates a directory user (`Given a directory user ...`)"),
    ("user.update", "", "the admin changes a user: state, system username, password, federation"),
    ("user.delete", "", "the admin removes a user from the directory (`\"...\" is removed from the directory`) (R63)"),
    ("mfa.enroll", "", "a user enrolls in MFA in the User Portal (`\"...\" enrolls in MFA in the User Portal`, or `has MFA enforced`) (R45)"),
    ("mfa.verify", "`wrong_code`, `replayed_code`, `not_enrolled`", "a device checks an MFA code at the next login (R45)"),
    ("user.lock", "", "consecutive wrong passwords lock the user (the lock threshold under Thresholds) (R42)"),
    ("association.create", "", "the admin binds a user to a device (admin bind)"),
    ("association.delete", "", "the admin removes a user's bind to a device"),
    ("policy.login_window_text.set", "", "the admin sets the login-window text policy"),
    ("policy.login_window_text.delete", "", "the admin removes the login-window text policy"),
    ("policy.windows_ssap.set", "", "the admin binds the Windows SSAP policy (first user only / multiple users) to a device"),
    ("policy.windows_ssap.delete", "", "the admin removes the Windows SSAP policy from a device"),
    ("policy.mfa.set", "", "the admin binds the MFA policy to a device: MFA at the next login for every user bound there (R45)"),
    ("policy.mfa.delete", "", "the admin removes the MFA policy from a device (R45)"),
    ("identity_provider.set", "", "the admin sets the org's identity provider (R46)"),
    ("identity_provider.delete", "", "the admin removes the org's identity provider"),
    ("device.register", "", "an agent registers its device with the org's connect key (a device's first power-on)"),
    ("authenticate", "`unknown_user`, `no_password`, `wrong_password`, `user_staged`, `user_suspended`, `user_locked`, `password_expired`, `too_many_attempts`, `use_federation`, `federation_not_configured`, a device rule (`ssap_disabled`, `device_not_supported`, `device_has_managed_users`); through the identity provider `idp_refused_code`, `idp_unavailable` and the ID token checks (*Why a sign-in was refused* below)", "a sign-in at the login window before provisioning, by password or through the identity provider: `success`, or `refused` with the reason"),
    ("provision", "`ticket_invalid`, `idempotency_mismatch`, the user's state (`user_staged`, `user_suspended`, `user_locked`, `password_expired`), a device rule (`ssap_disabled`, `device_not_supported`, `device_has_managed_users`); reported by the device: `account_exists`, `invalid_local_name`", "a self-service provisioning: `success` when the local account is bound, `refused` with the reason (also refusals the device reports, e.g. `account_exists`)"),
    ("login", "`not_bound`, `federation_not_configured`, and those of `authenticate` through the identity provider", "a federated user logs in through the identity provider on a device they are bound to (R46)"),
];

/// Where the control plane's handlers are.
const CONTROL_PLANE_SRC: &str = "simulators/control-plane/src";

/// The section, from `##` on.
pub fn markdown(root: &Path) -> anyhow::Result<String> {
    let mut out = String::from("\n## Test data\n\n");
    directory_users(&mut out);
    networks(&mut out);
    thresholds(&mut out);
    refusal_codes(root, &mut out)?;
    device_messages(&mut out);
    audit_actions(root, &mut out)?;
    sign_in_reasons(&mut out);
    device_calls(&mut out);
    screen_labels(root, &mut out)?;
    Ok(out)
}

/// The reasons a refused sign-in is audited with: the device shows less than the admin sees.
fn sign_in_reasons(out: &mut String) {
    use ssap_api::codes;
    use ssap_api::federation::TokenProblem;
    let tokens: Vec<String> = TokenProblem::ALL
        .iter()
        .map(|p| format!("`{}`", p.reason()))
        .collect();
    let _ = write!(
        out,
        "### Why a sign-in was refused, as the audit log says\n\n\
         Before the password proves who is signing in, the device shows one refusal, \
         \"Incorrect email or password\" (R62); the `authenticate` event keeps the real reason:\n\n\
         - `unknown_user`: no directory user has that email.\n\
         - `{}`: the user has no password.\n\
         - `wrong_password`: the password is wrong and the user may sign in.\n\
         - `{}`, `{}`, `{}`, `{}`: the user's state, whether the password was right (the device \
         then shows the state) or wrong (it does not).\n\
         - `{}`: the device had used up its failed sign-ins (R42).\n\
         - a device rule's code (`{}`, `{}`, ...) when the device may not provision at all.\n\n\
         A federated sign-in (R46) whose answer cannot be trusted shows `{}` on the device; its \
         event's reason says why: `idp_refused_code` (the provider refused the code) or the ID \
         token check that failed: {}. A provider that cannot be reached is `{}` on both.\n\n",
        codes::NO_PASSWORD,
        codes::USER_STAGED,
        codes::USER_SUSPENDED,
        codes::USER_LOCKED,
        codes::PASSWORD_EXPIRED,
        codes::TOO_MANY_ATTEMPTS,
        codes::SSAP_DISABLED,
        codes::DEVICE_HAS_MANAGED_USERS,
        codes::FEDERATION_FAILED,
        tokens.join(", "),
        codes::IDP_UNAVAILABLE,
    );
}

/// The labels `they click` and `they type ... into` take, from the endpoint crate's README
/// (written once, there, next to the screens).
fn screen_labels(root: &Path, out: &mut String) -> anyhow::Result<()> {
    let file = root.join("simulators/endpoint/README.md");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("reading the screen labels from {}", file.display()))?;
    let Some(start) = text.find("## Labels") else {
        anyhow::bail!("{} has no \"## Labels\" section", file.display());
    };
    let body = &text[start..];
    let body = body[2..].find("\n## ").map_or(body, |end| &body[..end + 2]);
    let body = body
        .trim_end()
        .replacen("## Labels", "### Screen labels", 1);
    out.push_str(&format!(
        "\n{body}\n\nFrom `simulators/endpoint/README.md`; a failing click or type prints every \
         label the screen has at that moment.\n"
    ));
    Ok(())
}

/// Every call of the API document as (METHOD, path template such as `/api/admin/users/{id}`).
pub fn api_calls() -> Vec<(String, String)> {
    let Ok(doc) = ssap_api::openapi::document() else {
        return Vec::new();
    };
    ssap_api::openapi::operations(&doc)
        .into_iter()
        .map(|o| (o.method, o.path))
        .collect()
}

/// The device's calls, which the fault steps script (`the control plane answers "POST
/// /api/device/provision" with status 500`).
fn device_calls(out: &mut String) {
    out.push_str(
        "\n### Calls a device makes\n\nThe fault steps take one of these as `\"METHOD PATH\"` \
         (a `{name}` is one path segment); any other call is refused, so a typo cannot pass \
         for nothing. The whole API is in `/openapi.json` of any control plane.\n\n",
    );
    for (m, p) in api_calls() {
        if p.starts_with("/api/device/") {
            out.push_str(&format!("- `{m} {p}`\n"));
        }
    }
}

fn directory_users(out: &mut String) {
    let example = crate::steps::admin::new_user("Holly Flax", "holly", None);
    let odd = crate::steps::admin::new_user("Hank Tate", "hank tate!", None);
    let _ = write!(
        out,
        "### Directory users\n\n\
         - `Given a directory user \"Holly Flax\" with username \"holly\" and password \"...\"` \
         creates first name `{}`, last name `{}` (the name split at its first space) and email \
         `{}`: the username with every character other than a letter, digit, `.`, `-` or `_` \
         made `_` (`hank tate!` gives `{}`), then `@example.test`; an empty username gives \
         `user@example.test`.\n\
         - In remote mode with one shared org, usernames and emails get five characters after \
         their first letter (`holly` becomes `h7kq2xolly`), unique per scenario and run; steps \
         keep using the names you wrote.\n\
         - Names in quotes (\"Holly Flax\") are how later steps refer to that user, also a \
         user of `another org has a directory user ...`: signing them in at this org's device \
         types their email there, which this org does not know (R61).\n\n\
         ### A new org\n\n\
         - Each scenario starts in a new org: both SSAP toggles off, permission level \
         Standard (so setting Standard changes nothing and writes no audit entry), password \
         sync on, no MFA, no identity provider, no policies.\n\n\
         ### First login\n\n\
         - macOS shows {} setup prompts after the first login into a new account ({}), each \
         with `Continue` (\"Setup step 1 of {}\" ...); the login steps click through them.\n\n\
         ### Windows sign-in\n\n\
         - A Windows sign-in that names no PIN creates the PIN `{}` (`... and PIN \"...\"` \
         chooses another); a PIN is {} to {} characters (letters allowed, no control \
         characters).\n\n",
        example.firstname,
        example.lastname,
        example.email,
        odd.email,
        ssap_endpoint::macos::login_window::SETUP_STEPS.len(),
        ssap_endpoint::macos::login_window::SETUP_STEPS.join(", "),
        ssap_endpoint::macos::login_window::SETUP_STEPS.len(),
        crate::steps::device::DEFAULT_PIN,
        ssap_endpoint::windows::credential_provider::MIN_PIN_LEN,
        ssap_endpoint::windows::credential_provider::MAX_PIN_LEN,
    );
}

fn networks(out: &mut String) {
    let describe = |n: &ssap_endpoint::Network| {
        n.scan()
            .iter()
            .map(|w| {
                format!(
                    "`{}` ({}{})",
                    w.ssid,
                    w.password
                        .as_deref()
                        .map(|p| format!("password `{p}`"))
                        .unwrap_or_else(|| "open".into()),
                    if w.has_internet { "" } else { ", no internet" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mac = ssap_endpoint::Network::macos_default();
    let win = ssap_endpoint::Network::windows_default();
    let _ = write!(
        out,
        "### A new device's networks\n\n\
         - macOS: Wi-Fi on, joined to {}, saved networks {}; in range: {}.\n\
         - Windows: Ethernet {}, Wi-Fi on, joined to {}; in range: {}.\n\
         - The internet upstream is up until a step takes it down.\n\n",
        mac.joined()
            .map(|s| format!("`{s}`"))
            .unwrap_or_else(|| "nothing".into()),
        mac.saved()
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", "),
        describe(&mac),
        if win.ethernet_plugged() {
            "plugged in"
        } else {
            "unplugged"
        },
        win.joined()
            .map(|s| format!("`{s}`"))
            .unwrap_or_else(|| "nothing".into()),
        describe(&win),
    );
}

fn thresholds(out: &mut String) {
    use ssap_api::limits::{
        LOCK_AFTER_WRONG_PASSWORDS, THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_SECS, TICKET_TTL_SECS,
    };
    let (lock, failures, window) = (
        LOCK_AFTER_WRONG_PASSWORDS,
        THROTTLE_MAX_FAILURES,
        format!("{THROTTLE_WINDOW_SECS} s"),
    );
    let ticket = TICKET_TTL_SECS;
    let _ = write!(
        out,
        "### Thresholds\n\n\
         - **Lock**: {lock} consecutive wrong passwords lock the directory user (`user_locked` \
         from then on; audit `user.lock`) (R42).\n\
         - **Device throttle**: after {failures} failed sign-ins from one device within \
         {window}, its next sign-ins are refused with HTTP 429 `too_many_attempts` and \
         Retry-After; the count is stored, so several servers sharing a database count together \
         (R42). The window slides: a failure stops counting {window} after it happened.\n\
         - **Sign-in lifetime**: a sign-in (its ticket) must be used to make the account within \
         {ticket} s, else the device shows \"Sign-in expired\" (`ticket_invalid`).\n\
         - **Time**: `When N seconds pass` moves the control plane's clock for the scenario's \
         org (embedded and mock mode, `serve --virtual-clock`); audit times stay real.\n\
         - **Provisioning retries**: a device sends one provisioning request at most {} times \
         (same idempotency key) before it shows the error.\n\
         - **Local names**: macOS short names up to {} characters, Windows account names up to {}.\n\n",
        ssap_endpoint::agent::MAX_PROVISION_ATTEMPTS,
        ssap_endpoint::rules::macos::MAX_LEN,
        ssap_endpoint::rules::windows::MAX_LEN,
    );
}

/// (name, value, doc) of every `pub const` in the codes module, a doc shared by the consts
/// right under it.
fn codes(root: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let path = root.join("simulators/api/src/codes.rs");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    let mut doc = String::new();
    let mut doc_done = false;
    for l in text.lines() {
        let t = l.trim();
        if let Some(d) = t.strip_prefix("///") {
            if doc_done {
                doc.clear();
                doc_done = false;
            }
            if !doc.is_empty() {
                doc.push(' ');
            }
            doc.push_str(d.trim());
        } else if let Some(rest) = t.strip_prefix("pub const ") {
            doc_done = true;
            let name = rest
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            let value = rest.split('"').nth(1).unwrap_or_default().to_string();
            out.push((name, value, doc.clone()));
        }
    }
    Ok(out)
}

fn refusal_codes(root: &Path, out: &mut String) -> anyhow::Result<()> {
    out.push_str(
        "### Refusal codes\n\n\
         The `code` of every refusal the API sends (`simulators/api/src/codes.rs`); the audit \
         log records it as the reason.\n\n| code | meaning |\n|---|---|\n",
    );
    for (_, value, doc) in codes(root)? {
        let _ = writeln!(out, "| `{value}` | {} |", doc.replace('|', "\\|"));
    }
    out.push('\n');
    Ok(())
}

/// What a device's screen says for each refusal and failure, generated by the endpoint's own
/// mapping (`refusal_for`) and name rules, so `the screen says "..."` can quote it.
fn device_messages(out: &mut String) {
    use ssap_api::{codes, ApiError, Os};
    use ssap_endpoint::agent::{refusal_for, CallError};
    let status = |status: u16, code: &str, retry_after_secs: Option<u64>| {
        CallError::Api(ApiError::Status {
            method: "POST".into(),
            path: "/api/device/authenticate".into(),
            status,
            code: code.into(),
            message: String::new(),
            retry_after_secs,
        })
    };
    let throttled = format!("`{}` (HTTP 429, Retry-After 60)", codes::TOO_MANY_ATTEMPTS);
    let mut rows: Vec<(String, CallError)> = vec![
        ("no internet: no call is made".into(), CallError::Offline),
        (
            "no answer: connection refused or reset, or the client timeout".into(),
            CallError::Api(ApiError::Transport {
                method: "POST".into(),
                path: "/api/device/provision".into(),
                base: String::new(),
                detail: String::new(),
                timed_out: false,
            }),
        ),
        (
            "HTTP 500 or 503 (retried first)".into(),
            status(503, "unavailable", None),
        ),
        (throttled, status(429, codes::TOO_MANY_ATTEMPTS, Some(60))),
    ];
    for code in [
        codes::INVALID_CREDENTIALS,
        codes::NO_PASSWORD,
        codes::USER_STAGED,
        codes::USER_SUSPENDED,
        codes::USER_LOCKED,
        codes::PASSWORD_EXPIRED,
        codes::SSAP_DISABLED,
        codes::DEVICE_NOT_SUPPORTED,
        codes::DEVICE_HAS_MANAGED_USERS,
        codes::TICKET_INVALID,
        codes::ALREADY_BOUND,
        codes::USE_FEDERATION,
        codes::NOT_BOUND,
        codes::FEDERATION_FAILED,
        codes::FEDERATION_STATE_INVALID,
        codes::FEDERATION_NOT_CONFIGURED,
        codes::IDP_UNAVAILABLE,
        codes::UNAUTHORIZED,
    ] {
        rows.push((format!("`{code}`"), status(403, code, None)));
    }
    out.push_str(
        "### What a device says\n\n\
         The title and sentence a device shows for each refusal or failure (the same on both \
         OSes), generated from the endpoint's own mapping; `the screen says \"...\"` matches \
         any part of it, ignoring case. Before the password proves who is signing in, every \
         refused state shows `invalid_credentials`' sentence (R62). Where it shows: a device \
         offline says so in an error line on the screen the user clicked on (the login window, \
         the password page, the PIN page), without the title; a refused password is the error \
         line of the password page (`the screen shows the error \"...\"`), and so is a \
         throttled device's (`too_many_attempts`: the seconds are those left in the window, \
         from Retry-After); the others are a notice with that title and OK. A refusal of the local name (R39, R43) comes right \
         after Login, before any Windows re-confirmation or PIN. Try Again (beside Cancel) is \
         offered only where the device can send the same request again: provisioning, which \
         carries its idempotency key (R60); a sign-in that got no answer shows OK.\n\n\
         | when | title | the screen says |\n|---|---|---|\n",
    );
    for (when, err) in rows {
        let r = refusal_for(&err);
        let _ = writeln!(
            out,
            "| {when} | {} | {}{} |",
            r.title,
            r.message.replace('|', "\\|"),
            if r.retryable {
                " (Try Again, at provisioning)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        out,
        "| the local account name exists on the device (R43, `{}`) | Account already exists | \
         Account already exists. *Full Name*. Contact your admin. |",
        codes::ACCOUNT_EXISTS
    );
    let _ = writeln!(
        out,
        "| a managed account whose user the directory suspended, locked or removed, at login \
         after the agent checked in (R63) | (error line at the tile) | {} |",
        ssap_endpoint::DISABLED_MESSAGE
    );
    let _ = writeln!(
        out,
        "| a login of a user whose admin enforces MFA but who has not enrolled (R45) | MFA \
         enrollment required | {} |",
        ssap_endpoint::MFA_ENROL_MESSAGE
    );
    let pin_short = ssap_endpoint::pin_problem("123", "123").unwrap_or_default();
    let pin_mismatch = ssap_endpoint::pin_problem("123456", "654321").unwrap_or_default();
    let refresh =
        ssap_endpoint::refresh_failed_message(&refusal_for(&CallError::Api(ApiError::Transport {
            method: "GET".into(),
            path: "/api/device/login-window".into(),
            base: String::new(),
            detail: String::new(),
            timed_out: false,
        })));
    let _ = write!(
        out,
        "\nErrors that keep the user on the page to try again (`the screen shows the error \
         \"...\"`); `the screen says` also matches a page's help text, so check an error with \
         `shows the error`:\n\n\
         | where | the error line |\n|---|---|\n\
         | Windows PIN page, a PIN too short or empty (R32) | {pin_short} |\n\
         | Windows PIN page, the two PINs differ (R32) | {pin_mismatch} |\n\
         | Windows re-confirmation page, or a Windows password login, a wrong password (R31) | {} |\n\
         | Windows PIN login, a wrong PIN | {} |\n\
         | MFA prompt, a wrong, old or replayed code (R45) | {} |\n\
         | macOS login window, Refresh without an answer from the control plane (R14) | {refresh} |\n",
        ssap_endpoint::WRONG_PASSWORD_MESSAGE,
        ssap_endpoint::WRONG_PIN_MESSAGE,
        ssap_endpoint::MFA_CODE_WRONG_MESSAGE,
    );
    out.push_str(
        "\nA name the OS cannot hold (R39, `invalid_local_name`) shows *Can't create your \
         account* and one of these sentences, then \"Contact your admin.\":\n\n",
    );
    for (os, name) in [
        (Os::Macos, "9lives"),
        (Os::Macos, "holly:flax"),
        (Os::Windows, "holly.flax.the.regional"),
        (Os::Windows, "holly*flax"),
        (Os::Windows, "holly."),
        (Os::Windows, "Administrator"),
    ] {
        if let Err(e) = ssap_endpoint::validate_local_name(os, name) {
            let _ = writeln!(out, "- {}", e.sentence());
        }
    }
    out.push('\n');
}

/// One `db::audit(...)` call's arguments as written.
fn audit_calls(source: &str) -> Vec<Vec<String>> {
    let mut calls = Vec::new();
    for (start, _) in source.match_indices("db::audit(") {
        let body = &source[start + "db::audit(".len()..];
        let (mut depth, mut in_str, mut arg) = (0usize, false, String::new());
        let mut args = Vec::new();
        for c in body.chars() {
            match c {
                '"' => in_str = !in_str,
                '(' if !in_str => depth += 1,
                ')' if !in_str && depth == 0 => break,
                ')' if !in_str => depth -= 1,
                ',' if !in_str && depth == 0 => {
                    args.push(arg.trim().to_string());
                    arg.clear();
                    continue;
                }
                _ => {}
            }
            arg.push(c);
        }
        if !arg.trim().is_empty() {
            args.push(arg.trim().to_string());
        }
        calls.push(args);
    }
    calls
}

/// The string literals of `fn name(` in `source` (an action chosen by a helper).
fn literals_of_fn(source: &str, name: &str) -> Vec<String> {
    let Some(start) = source.find(&format!("fn {name}(")) else {
        return Vec::new();
    };
    let body = &source[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// What the control plane's source says of one audit action.
#[derive(Debug, Default)]
pub struct AuditAction {
    /// `success`, `refused`.
    pub outcomes: Vec<String>,
    /// Reasons of refusals written as literals or refusal codes.
    pub reasons: Vec<String>,
}

/// Every audit action name in the control plane's source, with the outcomes and literal
/// reasons written next to it.
pub fn audit_actions_in(root: &Path) -> anyhow::Result<BTreeMap<String, AuditAction>> {
    let codes: BTreeMap<String, String> = codes(root)?
        .into_iter()
        .map(|(n, v, _)| (format!("codes::{n}"), v))
        .collect();
    let mut found: BTreeMap<String, AuditAction> = BTreeMap::new();
    let dir = root.join(CONTROL_PLANE_SRC);
    let mut files = vec![dir.join("lib.rs"), dir.join("db.rs")];
    // The route modules, and the folders some of them are (routes/device/).
    let mut folders = vec![dir.join("routes")];
    while let Some(folder) = folders.pop() {
        let entries =
            std::fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))?;
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
    {
        let source =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        for args in audit_calls(&source) {
            let Some(action) = args.get(3) else { continue };
            let names = match action.strip_prefix('"') {
                Some(lit) => vec![lit.trim_end_matches('"').to_string()],
                None => literals_of_fn(&source, action.split('(').next().unwrap_or_default()),
            };
            let outcome = match args.get(5).map(String::as_str) {
                Some("SUCCESS") | Some("\"success\"") => "success",
                Some("REFUSED") | Some("\"refused\"") => "refused",
                _ => "",
            };
            let reason = args.get(6).and_then(|r| {
                let inner = r.strip_prefix("Some(")?.strip_suffix(')')?;
                codes.get(inner).cloned().or_else(|| {
                    inner
                        .strip_prefix('"')
                        .and_then(|s| s.strip_suffix('"'))
                        .map(str::to_string)
                })
            });
            for name in names {
                let entry = found.entry(name).or_default();
                if !outcome.is_empty() && !entry.outcomes.iter().any(|o| o == outcome) {
                    entry.outcomes.push(outcome.to_string());
                }
                if let Some(r) = &reason {
                    if !entry.reasons.contains(r) && outcome == "refused" {
                        entry.reasons.push(r.clone());
                    }
                }
            }
        }
    }
    Ok(found)
}

/// The description of an audit action, if written.
pub fn audit_when(action: &str) -> Option<&'static str> {
    AUDIT_WHEN
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, _, w)| *w)
}

/// The reasons an audit action's refusals carry, as written for the reference (empty: none).
fn audit_reasons(action: &str) -> &'static str {
    AUDIT_WHEN
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, r, _)| *r)
        .unwrap_or_default()
}

fn audit_actions(root: &Path, out: &mut String) -> anyhow::Result<()> {
    out.push_str(
        "### Audit actions\n\n\
         What `Then the audit log records \"ACTION\" with outcome \"...\"` can name, from the \
         control plane's `db::audit(` calls, with the reasons its refusals carry (the refusal \
         codes above and the audit-only reasons below).\n\n\
         | action | outcomes | reasons of refusals | when it appears |\n|---|---|---|---|\n",
    );
    for (action, AuditAction { outcomes, .. }) in audit_actions_in(root)? {
        let _ = writeln!(
            out,
            "| `{action}` | {} | {} | {} |",
            outcomes.join(", "),
            audit_reasons(&action),
            audit_when(&action).unwrap_or(
                "(not described yet: add it to AUDIT_WHEN in harness/runner/src/test_data.rs)"
            )
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn every_audit_action_in_the_control_plane_is_described() {
        let found = audit_actions_in(&root()).expect("reads the control plane's source");
        assert!(found.contains_key("provision"), "{found:?}");
        assert!(found.contains_key("login"), "{found:?}");
        let missing: Vec<&String> = found.keys().filter(|a| audit_when(a).is_none()).collect();
        assert!(
            missing.is_empty(),
            "audit actions without a description in AUDIT_WHEN: {missing:?}"
        );
        // A reason written as a literal or code next to an audit call is listed for its action.
        let unlisted: Vec<String> = found
            .iter()
            .flat_map(|(a, found)| {
                found
                    .reasons
                    .iter()
                    .filter(|r| !audit_reasons(a).contains(&format!("`{r}`")))
                    .map(move |r| format!("{a}: {r}"))
            })
            .collect();
        assert!(
            unlisted.is_empty(),
            "reasons in the control plane's audit calls missing from AUDIT_WHEN: {unlisted:?}"
        );
    }
}
