//! Federation steps (R46): the scenario's own mock identity provider (wiremock, started on
//! demand by the World and stopped with it), federated directory users, logging in through
//! the identity provider, and what a misbehaving provider or a replayed answer gets.
//!
//! Provisioning reuses `"<name>" signs in with JumpCloud using password "<pw>"`: for a
//! federated user the web view shows the identity provider's page and `<pw>` is typed there.

use anyhow::Context as _;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ssap_api::Os;
use ssap_endpoint::ScreenKind;
use ssap_mock::TokenMode;

use super::device::{play, Action};
use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Starts a mock identity provider with that name for the scenario and sets it as the org's identity provider (R46). Screen unchanged.
#[given(regex = r#"^the org federates sign-in to a mock identity provider "([^"]+)"$"#)]
async fn federates(w: &mut SsapWorld, name: String) -> StepResult {
    w.start_idp(&name).await?;
    Ok(())
}

/// A directory user marked federated, with no directory password; the identity provider
/// knows them by their directory email with `idp_password`.
#[given(
    regex = r#"^a federated directory user "([^"]+)" with username "([^"]*)" and IdP password "([^"]*)"$"#
)]
async fn federated_user(
    w: &mut SsapWorld,
    name: String,
    username: String,
    idp_password: String,
) -> StepResult {
    w.idp()?;
    let mut new = super::admin::new_user(&name, &username, None);
    new.federated = true;
    let email = w.add_person(&name, new).await?.user.email.clone();
    w.idp()?.add_user(&email, &idp_password);
    Ok(())
}

/// Makes the identity provider misbehave from now on.
#[given(
    regex = r"^the identity provider (signs its ID tokens with a foreign key|issues expired ID tokens|issues ID tokens for another client|is failing)$"
)]
async fn misbehaves(w: &mut SsapWorld, how: String) -> StepResult {
    let mode = match how.as_str() {
        "signs its ID tokens with a foreign key" => TokenMode::ForeignKey,
        "issues expired ID tokens" => TokenMode::Expired,
        "issues ID tokens for another client" => TokenMode::WrongAudience,
        _ => TokenMode::ServerError,
    };
    w.idp()?.set_mode(mode);
    w.note(format!("identity provider misbehaves: {mode:?}"));
    Ok(())
}

/// At the login window: the user's tile, `Sign in with <IdP>` (on Windows under Sign-in
/// options when a PIN is offered first), the identity provider's page, then the setup prompts.
#[when(regex = r#"^"([^"]+)" logs in through the identity provider with password "([^"]*)"$"#)]
async fn log_in_federated(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    let tile = w.person(&name)?.user.display_name();
    let button = format!("Sign in with {}", w.idp()?.name());
    play(w, step, vec![Action::Click(tile)]).await?;
    let mut script = Vec::new();
    if w.device()?.os() == Os::Windows && !w.device()?.screen().has_button(&button) {
        script.push(Action::Click("Sign-in options".into()));
    }
    script.extend([
        Action::Click(button),
        Action::Type("Password", password),
        Action::Click("Sign In".into()),
    ]);
    play(w, step, script).await?;
    for _ in 0..10 {
        if w.device()?.screen().kind != ScreenKind::SetupAssistant {
            break;
        }
        play(w, step, vec![Action::Click("Continue".into())]).await?;
    }
    Ok(())
}

/// Asserts the current device shows the identity provider's sign-in page (in the web view).
#[then(regex = r"^the screen is the identity provider's sign-in page$")]
async fn on_idp_page(w: &mut SsapWorld) -> StepResult {
    let s = w.device()?.screen();
    if s.kind != ScreenKind::IdentityProviderSignIn {
        fail!(
            "expected the identity provider's page, the screen is:\n{}",
            s.render_text()
        );
    }
    Ok(())
}

/// Sends the device's last identity-provider answer (code and state) to the control plane a
/// second time, as an attacker who captured it would, and expects the refusal `code`.
#[then(regex = r#"^replaying the identity provider's answer is refused with "([^"]+)"$"#)]
async fn replay_refused(w: &mut SsapWorld, code: String) -> StepResult {
    let Some(back) = w.device()?.last_federation().cloned() else {
        fail!("the device has no identity-provider answer to replay");
    };
    let Some(client) = w.device()?.agent().device_client().cloned() else {
        fail!("the device has not registered with the control plane");
    };
    match client.authenticate_federated(&back).await {
        Err(e) if e.code() == Some(code.as_str()) => Ok(()),
        Err(e) => fail!("expected refusal {code:?}, got: {e}"),
        Ok(_) => fail!("the control plane accepted a replayed answer"),
    }
}

/// Asserts the mock identity provider received exactly N token requests. Screen unchanged.
#[then(regex = r"^the identity provider was asked for (\d+) tokens?$")]
async fn token_requests(w: &mut SsapWorld, n: usize) -> StepResult {
    let got = w.idp()?.token_requests();
    if got != n {
        fail!("the identity provider received {got} token requests, expected {n}");
    }
    Ok(())
}

/// Asserts the control plane shows the user as federated and without a password. Screen unchanged.
#[then(regex = r#"^the control plane shows "([^"]+)" as federated without a password$"#)]
async fn federated_on_control_plane(w: &mut SsapWorld, name: String) -> StepResult {
    let id = w.person(&name)?.user.id.clone();
    let u = w
        .admin()
        .await?
        .user(&id)
        .await
        .with_context(|| format!("reading user {name:?}"))?;
    if !u.federated || u.has_password {
        fail!(
            "{name:?}: federated {}, has a password {}",
            u.federated,
            u.has_password
        );
    }
    Ok(())
}
