//! `POST /api/device/register`: an agent presents the org's connect key and its facts and gets
//! its own device credential.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{DeviceFacts, DeviceRegistered};

use super::refusals::SUCCESS;
use crate::auth::{digest, new_id, new_secret, ConnectAuth, DeviceAuth};
use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::AppState;

pub(crate) async fn register(
    auth: ConnectAuth,
    State(state): State<AppState>,
    ApiJson(facts): ApiJson<DeviceFacts>,
) -> Result<(StatusCode, Json<DeviceRegistered>), ApiError> {
    let reg = DeviceRegistered {
        device_id: new_id(),
        device_credential: new_secret("ssap_dk"),
    };
    let cred_digest = digest(&reg.device_credential);
    let (org, id, d) = (auth.org.clone(), reg.device_id.clone(), cred_digest.clone());
    state
        .storage
        .run(move |c| {
            db::insert_device(c, &org, &id, &d, &facts)?;
            db::audit(
                c,
                &org,
                &format!("device:{id}"),
                "device.register",
                &facts.hostname,
                SUCCESS,
                Some(&format!("{} {}", facts.os, facts.os_version)),
            )
        })
        .await?;
    state.creds.remember_device(
        cred_digest,
        DeviceAuth {
            org: auth.org,
            device: reg.device_id.clone(),
        },
    );
    Ok((StatusCode::CREATED, Json(reg)))
}
