//! Refusals compared (R62): before the password proves who is signing in, an unknown email, a
//! user without a password and a user in any refused state must see the same refusal after
//! the same work. The steps compare what the screens say, and the work: how many password
//! hashes the control plane checked for each attempt (`GET /api/admin/sign-in-work`, kept by a
//! control plane started for testing), which is what makes their times alike; the times
//! themselves are too noisy on a shared machine to assert.

use cucumber::gherkin::Step;
use cucumber::{then, when};

use super::device::attempt_as_email;
use super::StepResult;
use crate::fail;
use crate::world::{ComparedAttempt, SsapWorld};

/// The org's count of password checks so far, or why it cannot be read.
async fn password_checks(w: &mut SsapWorld) -> Result<u64, String> {
    let admin = w.admin().await.map_err(|e| format!("{e:#}"))?;
    admin
        .sign_in_work()
        .await
        .map(|work| work.password_checks)
        .map_err(|e| format!("GET /api/admin/sign-in-work: {e}"))
}

/// What a screen says, with the email it names replaced, so two attempts compare alike.
fn said(w: &SsapWorld, email: &str) -> anyhow::Result<String> {
    let screen = w.device()?.screen();
    let mut text = screen.title.clone();
    for part in [screen.error_text(), screen.message_text()]
        .into_iter()
        .flatten()
    {
        text.push_str(" | ");
        text.push_str(part);
    }
    Ok(text.replace(email, "<email>"))
}

/// A directory user by name, or an email as written (made this scenario's own in a shared org).
fn email_of(w: &SsapWorld, who: &str) -> String {
    match w.person(who) {
        Ok(p) => p.user.email.clone(),
        Err(_) => w.real_email(who),
    }
}

/// Signs in with JumpCloud as the first user or email and then as the second, each from the
/// login window (an open web view is cancelled first) with the same password, and keeps what
/// each screen said and the work each cost the control plane, for `both attempts end at the
/// same screen` and `both attempts cost the control plane one password check each`; leaves the
/// second attempt's screen. Asserts nothing.
#[when(
    regex = r#"^someone tries to sign in with JumpCloud as "([^"]+)" and as "([^"]+)" using password "([^"]*)"$"#
)]
async fn two_attempts(
    w: &mut SsapWorld,
    #[step] step: &Step,
    first: String,
    second: String,
    password: String,
) -> StepResult {
    let mut seen = Vec::new();
    let mut before = password_checks(w).await;
    for who in [first, second] {
        let email = email_of(w, &who);
        attempt_as_email(w, step, email.clone(), password.clone()).await?;
        let after = password_checks(w).await;
        let checks = match (&before, &after) {
            (Ok(b), Ok(a)) => Ok(a.saturating_sub(*b)),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        seen.push(ComparedAttempt {
            who,
            said: said(w, &email)?,
            password_checks: checks,
        });
        before = after;
    }
    let second = seen.pop();
    let first = seen.pop();
    w.compared_attempts = first.zip(second).map(|(a, b)| [a, b]);
    Ok(())
}

/// Asserts the two attempts of `someone tries to sign in ... as "A" and as "B"` ended at the
/// same screen: the same title, error and message (the email each names aside). Screen
/// unchanged.
#[then(regex = r"^both attempts end at the same screen$")]
async fn same_screen(w: &mut SsapWorld) -> StepResult {
    let [a, b] = compared(w)?;
    if a.said != b.said {
        fail!(
            "the screens differ, so a device learns which is which:\n  as {:?}: {}\n  as {:?}: {}",
            a.who,
            a.said,
            b.who,
            b.said
        );
    }
    Ok(())
}

fn compared(w: &SsapWorld) -> anyhow::Result<[ComparedAttempt; 2]> {
    w.compared_attempts.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no two attempts to compare: use `someone tries to sign in with JumpCloud as \"A\" \
             and as \"B\" using password \"P\"` first"
        )
    })
}

/// Asserts the control plane checked exactly one password hash for each of the two attempts
/// of `someone tries to sign in ... as "A" and as "B"` (R62: the same work, so the same time,
/// whoever an attempt named; an unknown email is checked against a dummy hash). Reads
/// `GET /api/admin/sign-in-work`, which a control plane started for testing keeps (embedded,
/// mock, `serve --virtual-clock`); elsewhere the step fails saying so. Screen unchanged.
#[then(regex = r"^both attempts cost the control plane one password check each$")]
async fn same_work(w: &mut SsapWorld) -> StepResult {
    let attempts = compared(w)?;
    let mut wrong = Vec::new();
    for a in &attempts {
        match &a.password_checks {
            Ok(1) => {}
            Ok(n) => wrong.push(format!("as {:?}: {n} password checks", a.who)),
            Err(e) => fail!("the control plane's work cannot be read: {e}"),
        }
    }
    if !wrong.is_empty() {
        fail!(
            "not one password check each (an attempt that skips or repeats the check answers \
             faster or slower, so its time tells it apart): {}",
            wrong.join("; ")
        );
    }
    Ok(())
}
