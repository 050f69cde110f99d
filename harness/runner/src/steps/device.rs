//! Device steps: build simulated endpoints and drive their screens the way a person would,
//! by clicking labels and typing into fields.

use anyhow::Context as _;
use cucumber::gherkin::Step;
use cucumber::{given, when};
use ssap_api::Os;
use ssap_endpoint::{DeviceSpec, LocalAccount, ScreenKind};

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

#[given(regex = r"^an? (macOS|Windows) device at the login window$")]
async fn device(w: &mut SsapWorld, #[step] step: &Step, os: Os) -> StepResult {
    let n = w.machines.len() as u32 + 1;
    let spec = match os {
        Os::Macos => DeviceSpec::macos(n),
        Os::Windows => DeviceSpec::windows(n),
    };
    w.add_machine(spec).await?;
    w.snap(step);
    Ok(())
}

#[given(regex = r#"^the device has a local account "([^"]+)" for "([^"]+)"$"#)]
async fn local_account(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    full_name: String,
) -> StepResult {
    let os = w.device()?.os();
    let account = LocalAccount::local(&name, &full_name, "local-secret-1", false, os);
    w.device_mut()?
        .accounts_mut()
        .add(account.clone())
        .with_context(|| format!("adding local account {name:?}"))?;
    w.remember_local(account);
    // The login window lists local accounts at its next presentation.
    w.device_mut()?.reboot().await?;
    w.snap(step);
    Ok(())
}

#[when(regex = r#"^(?:they click|the user clicks) "([^"]+)"$"#)]
async fn click(w: &mut SsapWorld, #[step] step: &Step, label: String) -> StepResult {
    let result = w.device_mut()?.click(&label).await;
    w.snap(step);
    result?;
    Ok(())
}

#[when(regex = r#"^(?:they type|the user types) "([^"]*)" into "([^"]+)"$"#)]
async fn type_into(
    w: &mut SsapWorld,
    #[step] step: &Step,
    text: String,
    field: String,
) -> StepResult {
    let result = w.device_mut()?.type_into(&field, &text);
    w.snap(step);
    result?;
    Ok(())
}

#[when(regex = r"^the device (?:reboots|restarts)$")]
async fn reboot(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.reboot().await?;
    w.snap(step);
    Ok(())
}

#[when(regex = r"^the user signs out$")]
async fn sign_out(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    w.device_mut()?.sign_out().await?;
    w.snap(step);
    Ok(())
}

/// The whole self-service flow of the device's OS, clicked through screen by screen.
#[when(regex = r#"^"([^"]+)" signs in with JumpCloud using password "([^"]*)"$"#)]
async fn sign_in_with_jumpcloud(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    let email = w.person(&name)?.user.email.clone();
    let os = w.device()?.os();
    let script: Vec<Action> = match os {
        Os::Macos => vec![
            Action::Click("Sign in with JumpCloud".into()),
            Action::Type("Email", email),
            Action::Click("Continue".into()),
            Action::Type("Password", password.clone()),
            Action::Click("Login".into()),
        ],
        Os::Windows => vec![
            Action::Click("Sign in with JumpCloud".into()),
            Action::Click("Click here to sign in".into()),
            Action::Type("Email", email),
            Action::Click("Continue".into()),
            Action::Type("Password", password.clone()),
            Action::Click("Login".into()),
        ],
    };
    play(w, step, script).await
}

/// Logs in to the user's provisioned account at the login window, then clicks through the
/// OS's first-login setup prompts (R20).
#[when(regex = r#"^"([^"]+)" logs in with password "([^"]*)"$"#)]
async fn log_in(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    password: String,
) -> StepResult {
    let tile = w.person(&name)?.user.display_name();
    let script = vec![
        Action::Click(tile),
        Action::Type("Password", password),
        Action::Click("Log In".into()),
    ];
    play(w, step, script).await?;
    // Setup prompts: a bounded number of Continue clicks, each through the screen model.
    for _ in 0..10 {
        let screen = w.device()?.screen();
        if screen.kind != ScreenKind::SetupAssistant {
            break;
        }
        play(w, step, vec![Action::Click("Continue".into())]).await?;
    }
    Ok(())
}

/// One user action of a scripted flow.
enum Action {
    Click(String),
    Type(&'static str, String),
}

async fn play(w: &mut SsapWorld, step: &Step, script: Vec<Action>) -> StepResult {
    for action in script {
        let outcome = match &action {
            Action::Click(label) => w
                .device_mut()?
                .click(label)
                .await
                .map_err(anyhow::Error::from),
            Action::Type(field, text) => w
                .device_mut()?
                .type_into(field, text)
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
