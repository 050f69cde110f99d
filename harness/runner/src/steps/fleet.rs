//! Several devices and users at once: rollback of the toggles across a fleet (R50).

use cucumber::gherkin::Step;
use cucumber::{then, when};
use ssap_api::Os;

use super::{device, StepResult};
use crate::fail;
use crate::world::SsapWorld;

/// Device i gets its own user i (fake, seeded), who provisions it through the login window.
#[when(regex = r"^each device's own user signs in with JumpCloud$")]
async fn each_provisions(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    while w.people.len() < w.machines.len() {
        w.add_fake_person().await?;
    }
    for i in 0..w.machines.len() {
        let person = w.people[i].clone();
        let password = person.password.clone().unwrap_or_default();
        w.current = i;
        // The same clicks as `"X" signs in with JumpCloud using password "..."`.
        device::web_view(w, step, &person.name, &password).await?;
        if w.device()?.os() == Os::Windows {
            device::windows_after_web_view(w, step, &password, device::DEFAULT_PIN).await?;
        }
        let device = w.device()?;
        if device.accounts().find_by_user_id(&person.user.id).is_none() {
            fail!(
                "device {} did not provision {:?}; it shows:\n{}",
                i + 1,
                person.name,
                device.screen().render_text()
            );
        }
        // Leave the device at its login window for what follows.
        w.device_mut()?.reboot().await?;
    }
    w.snap(step);
    Ok(())
}

/// Every user logs in to their own device with their password, then signs out.
#[then(regex = r"^every user logs in to their own device$")]
#[when(regex = r"^every user logs in to their own device$")]
async fn everyone_logs_in(w: &mut SsapWorld, #[step] step: &Step) -> StepResult {
    for i in 0..w.machines.len() {
        let Some(person) = w.people.get(i).cloned() else {
            fail!("device {} has no user of its own", i + 1);
        };
        w.current = i;
        let password = person.password.clone().unwrap_or_default();
        device::log_in_flow(w, step, &person.name, &password).await?;
        let device = w.device()?;
        let account = device
            .accounts()
            .find_by_user_id(&person.user.id)
            .map(|a| a.name.clone());
        if account.is_none() || device.logged_in_user() != account.as_deref() {
            fail!(
                "{:?} could not log in to device {}; it shows:\n{}",
                person.name,
                i + 1,
                device.screen().render_text()
            );
        }
        w.device_mut()?.sign_out().await?;
    }
    w.snap(step);
    Ok(())
}

/// Asserts every macOS device of the scenario presents the JumpCloud (or the stock) login window.
#[then(regex = r"^every macOS device shows the (JumpCloud|stock) login window$")]
async fn macs_show(w: &mut SsapWorld, which: String) -> StepResult {
    let want = which == "JumpCloud";
    for m in &w.machines {
        if m.endpoint.os() == Os::Macos && m.endpoint.jumpcloud_presented() != want {
            fail!("{} does not show the {which} login window", m.label);
        }
    }
    Ok(())
}

/// The OS an optional `(macOS|Windows)` capture names; `None` for any.
fn os_named(os: &str) -> Option<Os> {
    match os {
        "macOS" => Some(Os::Macos),
        "Windows" => Some(Os::Windows),
        _ => None,
    }
}

/// Asserts every device of the scenario, or every macOS or every Windows one, offers Sign in with JumpCloud on its current screen (and that there is at least one such device).
#[then(regex = r"^every (?:(macOS|Windows) )?device offers Sign in with JumpCloud$")]
async fn everybody_offered(w: &mut SsapWorld, os: String) -> StepResult {
    let want = os_named(&os);
    let mut seen = 0;
    for m in &w.machines {
        if want.is_some_and(|o| m.endpoint.os() != o) {
            continue;
        }
        seen += 1;
        let screen = m.endpoint.screen();
        if !screen.has_button("Sign in with JumpCloud") {
            fail!(
                "{} does not offer Sign in with JumpCloud:\n{}",
                m.label,
                screen.render_text()
            );
        }
    }
    if seen == 0 {
        fail!(
            "the scenario has no {}device",
            if os.is_empty() {
                String::new()
            } else {
                format!("{os} ")
            }
        );
    }
    Ok(())
}

/// Asserts no device of the scenario, or no macOS or no Windows one, offers Sign in with JumpCloud on its current screen.
#[then(regex = r"^no (?:(macOS|Windows) )?device offers Sign in with JumpCloud$")]
async fn nobody_offered(w: &mut SsapWorld, os: String) -> StepResult {
    let want = os_named(&os);
    for m in &w.machines {
        if want.is_some_and(|o| m.endpoint.os() != o) {
            continue;
        }
        let screen = m.endpoint.screen();
        if screen.has_button("Sign in with JumpCloud") {
            fail!(
                "{} offers Sign in with JumpCloud:\n{}",
                m.label,
                screen.render_text()
            );
        }
    }
    Ok(())
}
