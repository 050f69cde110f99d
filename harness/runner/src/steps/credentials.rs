//! The pages of a sign-in that ask for something new: a local password where password sync is
//! off (R06), the Windows password re-confirmation and PIN (R31, R32). Each types into the
//! page the device shows now and submits it; the screen then shows whatever the device
//! decided (the next page, an error), which the step does not assert.

use cucumber::gherkin::Step;
use cucumber::when;
use ssap_api::Os;

use super::device::{expect_account, play, web_view, what_it_shows, Action, DEFAULT_PIN};
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
    type_local_password(w, step, password).await
}

/// The local password page: New password and its confirmation, then submit.
async fn type_local_password(w: &mut SsapWorld, step: &Step, password: String) -> StepResult {
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
    type_pin(w, step, pin).await
}

/// The Windows PIN page: PIN, Confirm PIN, OK.
async fn type_pin(w: &mut SsapWorld, step: &Step, pin: String) -> StepResult {
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

/// With password sync off (R06), the whole self-service flow from the login window: the
/// directory password in the web view, then the local password (typed twice), and on Windows
/// the default PIN. Fails unless the device then holds a managed local account bound to the
/// user, naming where the sign-in stopped. A Mac ends back at the login window with the new
/// tile; Windows signs the user in.
#[when(
    regex = r#"^"([^"]+)" signs in with JumpCloud using password "([^"]*)" and local password "([^"]*)"$"#
)]
async fn sign_in_with_local_password(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
    local: String,
) -> StepResult {
    local_password_flow(w, step, &name, &password, &local, DEFAULT_PIN).await
}

/// Windows with password sync off (R06, R31): the directory password, the local password
/// (typed twice), then this PIN in PIN and Confirm PIN. Fails unless the device then holds a
/// managed local account bound to the user.
#[when(
    regex = r#"^"([^"]+)" signs in with JumpCloud using password "([^"]*)", local password "([^"]*)" and PIN "([^"]*)"$"#
)]
async fn sign_in_with_local_password_and_pin(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
    local: String,
    pin: String,
) -> StepResult {
    if w.device()?.os() != Os::Windows {
        fail!("only Windows asks for a PIN: drop `and PIN` on macOS");
    }
    local_password_flow(w, step, &name, &password, &local, &pin).await
}

/// Web view, local password, and on Windows the PIN; then the account must exist.
async fn local_password_flow(
    w: &mut SsapWorld,
    step: &Step,
    name: &str,
    password: &str,
    local: &str,
    pin: &str,
) -> StepResult {
    web_view(w, step, name, password).await?;
    type_local_password(w, step, local.to_string()).await?;
    if w.device()?.os() == Os::Windows {
        type_pin(w, step, pin.to_string()).await?;
    }
    expect_account(w, name)
}
