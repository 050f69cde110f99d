//! The pages of a sign-in that ask for something new: a local password where password sync is
//! off (R06), the Windows password re-confirmation and PIN (R31, R32). Each types into the
//! page the device shows now and submits it; the screen then shows whatever the device
//! decided (the next page, an error), which the step does not assert.

use cucumber::gherkin::Step;
use cucumber::when;
use ssap_api::Os;

use super::device::{play, what_it_shows, Action};
use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Fails unless the current screen has every one of these fields, naming what it shows.
fn expect_fields(w: &SsapWorld, page: &str, fields: &[&str]) -> StepResult {
    let screen = w.device()?.screen();
    if let Some(missing) = fields.iter().find(|f| !screen.has_field(f)) {
        fail!(
            "the screen is not the {page} page (no {missing:?} field): it shows {}",
            what_it_shows(&screen)
        );
    }
    Ok(())
}

/// With password sync off, types the local password twice on the page that asks for one and
/// submits it (macOS: New password, Verify password, Create Account; Windows: New password,
/// Confirm password, Next). Fails if that page is not on screen.
#[when(regex = r#"^"([^"]+)" creates the local password "([^"]*)"$"#)]
async fn creates_local_password(
    w: &mut SsapWorld,
    #[step] step: &Step,
    _name: String,
    password: String,
) -> StepResult {
    let (confirm, submit) = match w.device()?.os() {
        Os::Macos => ("Verify password", "Create Account"),
        Os::Windows => ("Confirm password", "Next"),
    };
    expect_fields(w, "local password", &["New password", confirm])?;
    play(
        w,
        step,
        vec![
            Action::Type("New password", password.clone()),
            Action::Type(confirm, password),
            Action::Click(submit.into()),
        ],
    )
    .await
}

/// Windows: types the directory password on the page that asks to re-confirm it and clicks
/// Next. Fails if that page is not on screen.
#[when(regex = r#"^"([^"]+)" re-confirms the password "([^"]*)"$"#)]
async fn reconfirms_password(
    w: &mut SsapWorld,
    #[step] step: &Step,
    _name: String,
    password: String,
) -> StepResult {
    if w.device()?.os() != Os::Windows {
        fail!("only Windows asks to re-confirm the password");
    }
    expect_fields(w, "password re-confirmation", &["Password"])?;
    play(
        w,
        step,
        vec![
            Action::Type("Password", password),
            Action::Click("Next".into()),
        ],
    )
    .await
}

/// Windows: types the PIN into PIN and Confirm PIN and clicks OK; a PIN the rules refuse
/// leaves the error on screen (R32). Fails if the PIN page is not on screen.
#[when(regex = r#"^"([^"]+)" creates the PIN "([^"]*)"$"#)]
async fn creates_pin(
    w: &mut SsapWorld,
    #[step] step: &Step,
    _name: String,
    pin: String,
) -> StepResult {
    expect_fields(w, "PIN", &["PIN", "Confirm PIN"])?;
    play(
        w,
        step,
        vec![
            Action::Type("PIN", pin.clone()),
            Action::Type("Confirm PIN", pin),
            Action::Click("OK".into()),
        ],
    )
    .await
}
