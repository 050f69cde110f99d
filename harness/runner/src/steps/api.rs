//! The API explorer's actions as steps: `When over the API, <action>` plays one action of
//! `ssap-harness explore` (an admin change, a device's call, a read, time passing) on this
//! run's control plane, in an org of its own, and keeps the answer with ids replaced by the
//! names the actions use (`user2`, `device0`). `explore` writes its counterexamples with these
//! steps; a QA engineer can write any sequence of API calls with them too.
//!
//! Two ways to check the answers: against a second implementation of the contract (the
//! reference server and the mock's model, as explore does), or against an answer written in
//! the scenario.

use anyhow::{anyhow, Context as _};
use cucumber::gherkin::Step;
use cucumber::then;
use cucumber::when;
use ssap_explore::{Action, Observation};

use super::StepResult;
use crate::fail;
use crate::world::{ApiWalk, SsapWorld};

/// One answer in a line, whole: `ok {...}`, `refused 401 ticket_invalid`, `broken ...`.
fn whole(o: &Observation) -> String {
    match o {
        Observation::Skipped => "skipped (it names a user or device not created yet)".to_string(),
        Observation::Ok(v) => format!("ok {v}"),
        Observation::Refused { status, code } => format!("refused {status} {code}"),
        Observation::Broken(e) => format!("broken: {e}"),
        Observation::RuleBroken(rule) => format!("a device broke a rule: {rule}"),
    }
}

/// The same, cut to 600 characters, for the scenario's log.
fn short(o: &Observation) -> String {
    let text = whole(o);
    if text.chars().count() > 600 {
        format!("{}...", text.chars().take(600).collect::<String>())
    } else {
        text
    }
}

/// Plays one action of the API explorer on this run's control plane, in an org of the
/// scenario's own that only these steps use, and keeps the answer. Users are `user0` to
/// `user5` (`an unknown user` is an email the directory does not know); devices are numbered
/// from `device0` in the order they register. The sentences, `[a|b]` being one of the words:
/// `the admin turns [macOS|Windows] self-service [on|off]`;
/// `the admin sets the permission level to [administrator|standard]`;
/// `the admin turns password sync [on|off]`;
/// `the admin creates userN (password: [yes|no], system username: [yes|no])`, or with `, name:
/// [20 characters|21 characters|with capitals|ending in a period|starting with a digit|with
/// 'C']` before the closing parenthesis (C one of the characters Windows forbids) for a local
/// name at an edge of R39, built on `uN` (or `sysN` with a system username): `u1xxxxxxxxxxxxxxxxxx`,
/// `U1.Name`, `u1.`, `1u1`, `u1+x`;
/// `the admin sets userN to [active|staged|suspended|locked|unlocked|password expired|MFA
/// enforced|removed|federated]`;
/// `the admin federates sign-in to the identity provider` (the step's own mock provider, which
/// knows every user by email and password) and `the admin removes the identity provider`;
/// `a device registers: macOS, [x86_64|arm64], JOIN, MDM` or `a device registers: Windows
/// [Pro|Enterprise|Home], [x86_64|arm64], JOIN, MDM`, where JOIN is `[workgroup|Active
/// Directory|Entra ID]` and MDM `[no MDM|JumpCloud MDM|another vendor's MDM]`;
/// `the admin binds userN to deviceN`; `the admin unbinds userN from deviceN`;
/// `the admin sets deviceN's Windows SSAP policy to [first user only|multiple users]`;
/// `the admin removes deviceN's [Windows SSAP policy|MFA policy|login-window text]`;
/// `the admin binds an MFA policy to deviceN`;
/// `the admin sets deviceN's login-window text to text [0|1|2]`;
/// `deviceN signs in [userN|an unknown user] with [the right|a wrong] password` (a success
/// gives the device a ticket for that user);
/// `deviceN signs in userN with a wrong password N times` (1 to 20 attempts in a row; the
/// answer is the list of the attempts' answers);
/// `deviceN provisions with [its own ticket|deviceN's ticket|a forged ticket] and [a fresh
/// key|its previous key]` (the ticket's user is the one provisioned; the previous key is the
/// idempotency key of that device's last provisioning, a retry);
/// `deviceN signs in [userN|an unknown user] through the identity provider, with [an honest
/// token|its answer replayed|a token signed with a foreign key|a token for another client|a
/// token from another issuer|an expired token|a token for another sign-in|a token for another
/// email]` (asks how the email signs in; for a federated user, signs in at the provider's page
/// and redeems the code it redirects with, twice for a replay: the answer is the last one);
/// `deviceN reports a refused attempt by [userN|an unknown user]`;
/// `deviceN reads its login-window configuration`; `deviceN reads its associations`;
/// `the admin lists the users`; `the admin reads the audit log`;
/// `N seconds pass on the control plane's clock`;
/// `userN enrols in MFA at the User Portal with [the right|a wrong] password`;
/// `deviceN checks userN's MFA code: [the current one|the one they typed last|the one from two
/// minutes ago|a wrong one]` (codes from the secret the control plane gave at enrolment).
///
/// In the answers: user `userN` has email `uN@explore.test`, username `uN`, system username
/// `sysN`, name `User N` and password `Pw-N-Secret!` (a wrong one is `not-the-password`); an
/// unknown user is `nobody@explore.test`; device N's hostname is `explore-N` and its actor in
/// the audit log `device:deviceN`; the org is named `explore` and its creation is the log's
/// first entry. The step fails when the sentence is not one of these, or when it names a user
/// or device not created yet (nothing is sent); what the control plane answered is checked by
/// the `Then` steps below.
#[when(regex = r"^over the API, (.+)$")]
async fn over_the_api(w: &mut SsapWorld, sentence: String) -> StepResult {
    let action = ssap_explore::sentence::parse(&sentence).map_err(|e| anyhow!(e))?;
    if ssap_explore::sentence::on_a_device(&action) {
        fail!("\"{action}\" happens at a device: write it `on a simulated device, {action}`");
    }
    play(w, action).await
}

/// Plays one thing people do at a simulated device of the explorer's org (a Mac's login window
/// or a Windows PC's credential provider, registered like any device and numbered with the
/// devices above), then checks the device-side rules that hold whatever the control plane
/// answers: a PIN of six characters or more typed the same twice is taken and no other (R32);
/// a local name the OS can hold is not refused, and every managed account has the name R39
/// gives its user (`u3` or `sys3`, at an edge where the user was created so); a new managed
/// account has its association; no second self-service account without the multiple-users
/// policy (R44, R03); a local-only account is never taken over by self-service (R43). The
/// sentences:
/// `a device starts: macOS, [x86_64|arm64], JOIN, MDM` (or `Windows [Pro|Enterprise|Home], ...`
/// as above);
/// `[userN|an unknown user] presses [\"LABEL\"|the next button|button N] at deviceN (PASSWORD,
/// PIN, code: CODE)`, where PASSWORD is `[right|wrong] password` (typed where the screen asks for one; right is the password that opens the
/// chosen tile, or the directory password of the user whose email was typed there last), PIN
/// is `[PIN 123456|PIN 12345|PIN 1234567|PIN abcdef|PIN 123456 confirmed as 123465]` and CODE
/// one of the MFA codes above (the whole parenthesis may be left out, meaning right password,
/// PIN 123456, the current code; written, it names all three); the user types their email, password, PIN or code into every field on
/// screen that asks for one, then presses the button, tile or menu item LABEL (`the next
/// button` presses the first one that moves on, `button N` the N-th thing clickable);
/// `deviceN [restarts|checks in with the control plane|loses the internet|gets the internet
/// back]`;
/// `someone at deviceN creates a local account named like userN[, in capitals]` (password
/// `Own-Pw-1!`).
/// A device action's answer is the device's screen and local accounts, as JSON
/// (`{"accounts": [{"name", "full_name", "groups", "managed", "user", "opens_with", "pin",
/// "disabled"}], "screen": "<the screen as text>"}`): a refusal shows on the screen, not as a
/// refused answer. The step fails when a rule is broken, naming it; when the label is not on
/// the device's screen (listing what is); when the device has not started; and when the device
/// could not do it (a local account macOS cannot hold, such as one in capitals). The screen and
/// accounts are compared by `Then the reference server and the mock model answer every action
/// alike`; the screen steps of the rest of the library (`Then the screen says ...`) talk about
/// the scenario's own devices, not these.
#[when(regex = r"^on a simulated device, (.+)$")]
async fn on_a_simulated_device(w: &mut SsapWorld, sentence: String) -> StepResult {
    let action = ssap_explore::sentence::parse(&sentence).map_err(|e| anyhow!(e))?;
    if !ssap_explore::sentence::on_a_device(&action) {
        fail!("\"{action}\" is a call over the API: write it `over the API, {action}`");
    }
    play(w, action).await
}

async fn play(w: &mut SsapWorld, action: Action) -> StepResult {
    if w.api_walk.is_none() {
        let target = w.api_target().await?;
        w.api_walk = Some(ApiWalk {
            target,
            played: Vec::new(),
        });
    }
    let Some(walk) = w.api_walk.as_mut() else {
        fail!("the over-the-API org was not created");
    };
    if let Action::Press {
        device,
        button: ssap_explore::action::Button::Named(label),
        ..
    } = &action
    {
        if let Some(screen) = walk.target.screen_of(*device) {
            if !screen.has_button(label) {
                fail!(
                    "\"{action}\": there is no {label:?} on device{device}'s screen ({}): {}",
                    screen.describe(),
                    screen.inventory()
                );
            }
        }
    }
    let answer = walk.target.play(&action).await;
    if let Observation::RuleBroken(rule) = &answer {
        fail!("\"{action}\": {rule}");
    }
    let on_device = ssap_explore::sentence::on_a_device(&action);
    if let (true, Observation::Broken(why)) = (on_device, &answer) {
        fail!("\"{action}\": the device could not do it: {why}");
    }
    if answer == Observation::Skipped && on_device {
        fail!(
            "\"{action}\" did nothing: it names a device that has not started (`on a simulated \
             device, a device starts: ...`; devices are numbered with those registered over the \
             API) or a user not created yet"
        );
    }
    if answer == Observation::Skipped {
        fail!(
            "\"{action}\" sent nothing: it names a user or device this scenario has not created \
             over the API yet (or a previous key or code that does not exist yet)"
        );
    }
    let line = format!(
        "over the API #{}: {action} -> {}",
        walk.played.len() + 1,
        short(&answer)
    );
    walk.played.push((action, answer));
    w.note(line);
    Ok(())
}

fn walk(w: &SsapWorld) -> anyhow::Result<&ApiWalk> {
    w.api_walk
        .as_ref()
        .ok_or_else(|| anyhow!("no action was played over the API in this scenario yet"))
}

/// Replays every action played over the API so far on a second implementation of the
/// contract, on a fresh org, and fails at the first action whose answer differs (status and
/// refusal code of a refusal, the whole body of a success, with ids as names and tickets,
/// keys and timestamps left out). The second implementation is the mock's model, started
/// in-process; when this run's control plane *is* the mock (`--control-plane mock`), it is the
/// reference server, embedded. So a counterexample of `ssap-harness explore` fails in every
/// mode until the wrong side is mended.
#[then(regex = r"^the reference server and the mock model answer every action alike$")]
async fn both_implementations_agree(w: &mut SsapWorld) -> StepResult {
    let actions: Vec<Action> = walk(w)?.played.iter().map(|(a, _)| a.clone()).collect();
    let timeout = std::time::Duration::from_secs(30);
    let (other, answers) = if w.mock_mode() {
        let server = ssap_control_plane::EmbeddedServer::start()
            .await
            .map_err(|e| anyhow!("starting the embedded reference server: {e}"))?;
        let http = ssap_api::Http::new(server.url(), timeout)?;
        let answers = ssap_explore::replay(&http, server.operator_token(), &actions).await?;
        ("the reference server (embedded)", answers)
    } else {
        let mock = ssap_mock::MockControlPlane::start_with(&[], None)
            .await
            .context("starting the mock's model")?;
        let http = ssap_api::Http::new(&mock.url(), timeout)?;
        let token = mock.operator_token().unwrap_or_default().to_string();
        let answers = ssap_explore::replay(&http, &token, &actions).await?;
        ("the mock model", answers)
    };
    let here = if w.mock_mode() {
        "this run's control plane (the mock model)"
    } else {
        "this run's control plane"
    };
    let played = &walk(w)?.played;
    for (i, ((action, mine), theirs)) in played.iter().zip(&answers).enumerate() {
        if mine != theirs {
            fail!(
                "action {} ({action}) was answered differently:\n  {here}: {}\n  {other}: {}",
                i + 1,
                whole(mine),
                whole(theirs)
            );
        }
    }
    w.note(format!(
        "{other} answered all {} actions alike",
        answers.len()
    ));
    Ok(())
}

/// The last action an `over the API,` step played (a press at a device included) was refused with this HTTP status and refusal code.
/// The refusals sequences meet most: `401 "invalid_credentials"` (an unknown email, a user
/// without a password, a wrong password, a removed user: alike before proof, R62),
/// `403 "user_staged"`, `"user_suspended"`, `"user_locked"`, `"password_expired"` (after the
/// right password), `403 "ssap_disabled"`, `403 "device_not_supported"`,
/// `409 "device_has_managed_users"`, `401 "ticket_invalid"` (used, expired after 600 s,
/// another device's, forged), `401 "mfa_code_invalid"` (wrong, expired or replayed) and
/// `429 "too_many_attempts"`.
#[then(regex = r#"^over the API, the last answer is a refusal (\d{3}) "([^"]+)"$"#)]
async fn last_answer_refused(w: &mut SsapWorld, status: String, code: String) -> StepResult {
    let Some((action, answer)) = walk(w)?.played.last() else {
        fail!("no action was played over the API in this scenario yet");
    };
    let expected = Observation::Refused {
        status: status.parse().context("the status")?,
        code: code.clone(),
    };
    if *answer != expected {
        fail!(
            "the last action ({action}) was answered {}, not refused {status} {code}",
            whole(answer)
        );
    }
    Ok(())
}

/// The last action an `over the API,` step played (a press at a device included) succeeded with exactly this JSON body (the docstring),
/// ids written as the names the actions use (`"user2"`, `"device0"`, `"org"`) and tickets,
/// keys and timestamps left out, as the failure message of a differing answer prints it.
#[then(regex = r"^over the API, the last answer is:$")]
async fn last_answer_is(w: &mut SsapWorld, step: &Step) -> StepResult {
    let Some(doc) = step.docstring.as_deref() else {
        fail!("this step takes the expected JSON as a docstring (\"\"\" ... \"\"\")");
    };
    let expected: serde_json::Value =
        serde_json::from_str(doc).with_context(|| format!("the docstring is not JSON: {doc}"))?;
    let Some((action, answer)) = walk(w)?.played.last() else {
        fail!("no action was played over the API in this scenario yet");
    };
    if *answer != Observation::Ok(expected.clone()) {
        fail!(
            "the last action ({action}) was answered {}, not ok {expected}",
            whole(answer)
        );
    }
    Ok(())
}
