//! The operator's one route: create an org (tenant) and hand out its two secrets.

use axum::extract::{FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::Json;
use ssap_api::{NewOrg, OrgCreated, OrgSettings};

use crate::auth::{constant_time_eq, digest, new_id, new_secret};
use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::sql::args;
use crate::AppState;

/// A request bearing the operator token (compared as digests, in constant time).
pub(crate) struct OperatorAuth;

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // The auth scheme is case-insensitive (RFC 9110).
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "operator routes need Authorization: Bearer <operator token>",
                )
            })?;
        if constant_time_eq(&digest(token), &state.operator_digest) {
            Ok(OperatorAuth)
        } else {
            Err(ApiError::unauthorized("wrong operator token"))
        }
    }
}

pub(crate) async fn create_org(
    _: OperatorAuth,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewOrg>,
) -> Result<(StatusCode, Json<OrgCreated>), ApiError> {
    let created = OrgCreated {
        org_id: new_id(),
        name: body.name.trim().to_string(),
        api_key: new_secret("ssap_ak"),
        connect_key: new_secret("ssap_ck"),
    };
    let api_digest = digest(&created.api_key);
    let connect_digest = digest(&created.connect_key);
    let (org, name, a, k) = (
        created.org_id.clone(),
        created.name.clone(),
        api_digest.clone(),
        connect_digest.clone(),
    );
    state
        .storage
        .run(move |c| {
            c.execute(
                "INSERT INTO orgs (id, name, api_key_digest, connect_key_digest, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![org, name, a, k, db::now_ms()],
            )?;
            db::save_settings(c, &org, &OrgSettings::default())?;
            db::audit(c, &org, "operator", "org.create", &name, "success", None)
        })
        .await?;
    state
        .creds
        .remember_org(api_digest, connect_digest, &created.org_id);
    Ok((StatusCode::CREATED, Json(created)))
}
