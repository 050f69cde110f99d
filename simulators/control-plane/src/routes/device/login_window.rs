//! What a registered device reads: the login window's configuration and its associations.

use axum::extract::State;
use axum::Json;
use ssap_api::{Association, LoginWindowConfig};

use crate::auth::DeviceAuth;
use crate::db;
use crate::error::ApiError;
use crate::rules;
use crate::AppState;

/// What the login window should show. `ssap_enabled` is the effective switch: the org toggle
/// for the device's OS, or, on Windows, a bound SSAP policy (see `rules::ssap_enabled`).
pub(crate) async fn login_window(
    auth: DeviceAuth,
    State(state): State<AppState>,
) -> Result<Json<LoginWindowConfig>, ApiError> {
    let cfg = state
        .storage
        .run(move |c| {
            let d = db::device_or_404(c, &auth.org, &auth.device)?;
            let settings = db::settings(c, &auth.org)?;
            let managed_users = db::associations(c, &auth.org, &auth.device)?;
            let facts = &d.device.facts;
            Ok(LoginWindowConfig {
                ssap_enabled: rules::ssap_enabled(facts.os, &settings, d.windows_mode),
                offer_sign_in: rules::eligibility(
                    facts,
                    &settings,
                    d.windows_mode,
                    managed_users.len(),
                )
                .is_ok(),
                login_window_text: d.login_window_text,
                managed_users,
                identity_provider: db::identity_provider(c, &auth.org)?.map(|p| p.name),
            })
        })
        .await?;
    Ok(Json(cfg))
}

pub(crate) async fn associations(
    auth: DeviceAuth,
    State(state): State<AppState>,
) -> Result<Json<Vec<Association>>, ApiError> {
    Ok(Json(
        state
            .storage
            .run(move |c| db::associations(c, &auth.org, &auth.device))
            .await?,
    ))
}
