//! Refusals compared (R62): before the password proves who is signing in, an unknown email, a
//! user without a password and a user in any refused state must see the same refusal. The
//! steps compare what the screens say; that they also take the same time is measured by the
//! control plane's enumeration test, not asserted by a step (timings are noisy).

use cucumber::gherkin::Step;
use cucumber::{then, when};

use super::device::attempt_as_email;
use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

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
/// each screen said for `both attempts end at the same screen`; leaves the second attempt's
/// screen. Asserts nothing.
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
    for who in [first, second] {
        let email = email_of(w, &who);
        attempt_as_email(w, step, email.clone(), password.clone()).await?;
        seen.push((who, said(w, &email)?));
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
    let Some([(a, a_said), (b, b_said)]) = w.compared_attempts.clone() else {
        fail!("no two attempts to compare: use `someone tries to sign in with JumpCloud as \"A\" and as \"B\" using password \"P\"` first");
    };
    if a_said != b_said {
        fail!("the screens differ, so a device learns which is which:\n  as {a:?}: {a_said}\n  as {b:?}: {b_said}");
    }
    Ok(())
}
