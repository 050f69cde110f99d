//! `GET /api/admin/clock`, `POST /api/admin/clock/advance` and `.../freeze`: an org's virtual clock, on a
//! server started for testing (see `crate::clock`); `GET /api/admin/sign-in-work`, the work its
//! sign-ins did, on the same servers (see `crate::meters`). Not audited: moving a test clock changes
//! nothing in the directory, and the audit log keeps wall-clock times anyway.

use axum::extract::State;
use axum::Json;
use ssap_api::{ClockAdvance, SignInWork, VirtualClock};

use crate::auth::AdminAuth;
use crate::clock::OrgClock;
use crate::error::{ApiError, ApiJson};
use crate::AppState;

fn no_clock() -> ApiError {
    ApiError::not_found(
        "this control plane has no virtual clock: only one started for testing has \
         (embedded, `serve --virtual-clock`, the mock)",
    )
}

fn reading(clock: OrgClock) -> Json<VirtualClock> {
    let wall = crate::db::now_ms();
    let now = clock.now_ms(wall);
    Json(VirtualClock {
        offset_seconds: u64::try_from(now.saturating_sub(wall) / 1000).unwrap_or(0),
        now_seconds: u64::try_from(now / 1000).unwrap_or(0),
        frozen: clock.frozen(),
    })
}

pub(crate) async fn clock(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<Json<VirtualClock>, ApiError> {
    state
        .clock
        .read(&auth.org)
        .map(reading)
        .ok_or_else(no_clock)
}

pub(crate) async fn advance(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ClockAdvance>,
) -> Result<Json<VirtualClock>, ApiError> {
    state
        .clock
        .advance(&auth.org, req.seconds)
        .map(reading)
        .ok_or_else(no_clock)
}

pub(crate) async fn freeze(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<Json<VirtualClock>, ApiError> {
    state
        .clock
        .freeze(&auth.org)
        .map(reading)
        .ok_or_else(no_clock)
}

pub(crate) async fn sign_in_work(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<Json<SignInWork>, ApiError> {
    state
        .meters
        .password_checks(&auth.org)
        .map(|password_checks| Json(SignInWork { password_checks }))
        .ok_or_else(|| {
            ApiError::not_found(
                "this control plane keeps no sign-in work counts: only one started for \
                 testing does (embedded, `serve --virtual-clock`, the mock)",
            )
        })
}
