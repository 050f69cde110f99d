//! Next-login MFA (R45): a user enrolls in the User Portal, which issues the TOTP secret their
//! authenticator app keeps; at the MFA prompt they type the code it shows now, computed from
//! that secret and the wall clock the control plane reads too. MFA is asked where it is enforced
//! on the user (`"X" has MFA enforced`) or required by an MFA policy bound to the device (`the
//! admin binds an MFA policy to the device`, in `admin.rs`), the other half of R45; a device
//! learns either at its next check-in or restart, and provisioning never asks.

use anyhow::Context as _;
use cucumber::gherkin::Step;
use cucumber::{given, when};
use ssap_api::{mfa, MfaEnrollRequest, PortalClient};

use super::device::{complete_setup_prompts, play, Action};
use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Enrolls the user in MFA through the User Portal with their directory password and keeps
/// the secret as their authenticator app would. Asserts the portal accepted the enrolment.
pub(crate) async fn enroll(w: &mut SsapWorld, name: &str) -> StepResult {
    let person = w.person(name)?;
    let (user_id, password) = (person.user.id.clone(), person.password.clone());
    let Some(password) = password else {
        fail!("{name:?} has no directory password to sign in to the User Portal with");
    };
    let enrolment = PortalClient::new(w.http()?)
        .enroll_mfa(&user_id, &MfaEnrollRequest { password })
        .await
        .with_context(|| format!("enrolling {name:?} in MFA in the User Portal"))?;
    let person = w.person_mut(name)?;
    person.mfa_secret = Some(enrolment.secret);
    person.user.mfa_enrolled = true;
    Ok(())
}

/// The User Portal step a user takes once their admin enforces MFA (R45): enrolls and keeps
/// the secret; a device learns it at its next check-in or restart. The screen is not touched.
#[given(regex = r#"^"([^"]+)" enrolls in MFA in the User Portal$"#)]
#[when(regex = r#"^"([^"]+)" enrolls in MFA in the User Portal$"#)]
async fn enrolls(w: &mut SsapWorld, name: String) -> StepResult {
    enroll(w, &name).await
}

/// Types a code into the MFA prompt's "Verification code" and clicks Verify; on success goes
/// through the setup prompts, as a login does. Asserts nothing about the outcome.
async fn submit_code(w: &mut SsapWorld, step: &Step, name: &str, code: String) -> StepResult {
    w.person_mut(name)?.last_mfa_code = Some(code.clone());
    play(
        w,
        step,
        vec![
            Action::Type("Verification code", code),
            Action::Click("Verify".into()),
        ],
    )
    .await?;
    complete_setup_prompts(w, step).await
}

/// At the MFA prompt, types the code the user's authenticator shows now (from the secret the
/// User Portal issued) and clicks Verify; the screen shows whatever the device decided.
#[when(regex = r#"^"([^"]+)" enters the code from their authenticator app$"#)]
async fn enters_current_code(w: &mut SsapWorld, #[step] step: &Step, name: String) -> StepResult {
    let Some(secret) = w.person(&name)?.mfa_secret.clone() else {
        fail!("{name:?} has not enrolled in MFA in the User Portal, so has no authenticator");
    };
    let now = super::time::control_plane_now_secs(w).await?;
    let code = mfa::code_at(&secret, now)
        .with_context(|| format!("computing {name:?}'s authenticator code"))?;
    submit_code(w, step, &name, code).await
}

/// At the MFA prompt, types the code the user's authenticator app showed that many seconds ago
/// on the control plane's clock (never typed before, so not a replay) and clicks Verify; the
/// control plane accepts one 30-second step of drift, so 60 seconds or more is an expired code
/// (audited as `wrong_code`). The screen shows whatever the device decided.
#[when(regex = r#"^"([^"]+)" enters the code their authenticator app showed (\d+) seconds ago$"#)]
async fn enters_old_code(
    w: &mut SsapWorld,
    #[step] step: &Step,
    name: String,
    seconds: u64,
) -> StepResult {
    let Some(secret) = w.person(&name)?.mfa_secret.clone() else {
        fail!("{name:?} has not enrolled in MFA in the User Portal, so has no authenticator");
    };
    let now = super::time::control_plane_now_secs(w).await?;
    let Some(then) = now.checked_sub(seconds) else {
        fail!("{seconds} seconds ago is before 1970 on the control plane's clock");
    };
    let code = mfa::code_at(&secret, then)
        .with_context(|| format!("computing {name:?}'s authenticator code of {seconds} s ago"))?;
    submit_code(w, step, &name, code).await
}

/// At the MFA prompt, types again the code the user typed last (a replay) and clicks Verify.
#[when(regex = r#"^"([^"]+)" enters the same code again$"#)]
async fn enters_same_code(w: &mut SsapWorld, #[step] step: &Step, name: String) -> StepResult {
    let Some(code) = w.person(&name)?.last_mfa_code.clone() else {
        fail!("{name:?} has typed no MFA code yet");
    };
    submit_code(w, step, &name, code).await
}

/// At the MFA prompt, types a six-digit code that is not the authenticator's current one (nor
/// one step either side of it) and clicks Verify.
#[when(regex = r#"^"([^"]+)" enters a wrong code$"#)]
async fn enters_wrong_code(w: &mut SsapWorld, #[step] step: &Step, name: String) -> StepResult {
    let Some(secret) = w.person(&name)?.mfa_secret.clone() else {
        fail!("{name:?} has not enrolled in MFA in the User Portal, so has no authenticator");
    };
    let now = super::time::control_plane_now_secs(w).await?;
    let taken: Vec<String> = (0..3)
        .filter_map(|i| {
            mfa::code_at(
                &secret,
                (now / mfa::STEP_SECS + i).saturating_sub(1) * mfa::STEP_SECS,
            )
            .ok()
        })
        .collect();
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{:06}", (n * 7919 + 123_457) % 1_000_000))
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| "000000".into());
    submit_code(w, step, &name, wrong).await
}
