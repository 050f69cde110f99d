//! Time passing without waiting: the control plane's virtual clock for the scenario's org
//! moves forward, so the sign-in throttle's window (R42) ends and sign-in tickets expire as
//! they would after that long. Embedded and mock mode have the clock; a server started with
//! `serve --virtual-clock` has it too; any other control plane makes the step fail, saying so.

use anyhow::Context;
use cucumber::when;

use super::StepResult;
use crate::fail;
use crate::world::SsapWorld;

/// Moves the control plane's clock for this scenario's org forward by N seconds (at most a
/// year), without waiting; devices and the screen are unchanged until they next ask the
/// control plane. Fails if the control plane has no virtual clock.
#[when(regex = r"^(\d+) seconds? pass(?:es)?$")]
async fn seconds_pass(w: &mut SsapWorld, seconds: String) -> StepResult {
    let Ok(seconds) = seconds.parse::<u64>() else {
        fail!("{seconds} seconds is more than this step can count");
    };
    let admin = w.admin().await?;
    match admin.advance_clock(seconds).await {
        Ok(_) => Ok(()),
        Err(e) if e.status() == Some(404) => fail!(
            "this control plane has no virtual clock, so time cannot pass without waiting: \
             run embedded (the default), in mock mode, or against `ssap-harness serve \
             --virtual-clock` ({e})"
        ),
        Err(e) => Err(e).context("moving the control plane's clock")?,
    }
}

/// The control plane's time for this scenario's org, in seconds since the epoch: its virtual
/// clock's, where there is one, else the wall clock (an authenticator app reads the
/// same time as the server it pairs with).
pub(crate) async fn control_plane_now_secs(w: &mut SsapWorld) -> anyhow::Result<u64> {
    let wall = ssap_api::mfa::unix_now();
    match w.admin().await?.clock().await {
        Ok(clock) => Ok(clock.now_seconds),
        Err(e) if e.status() == Some(404) => Ok(wall),
        Err(e) => Err(e).context("reading the control plane's clock"),
    }
}
