//! The HTTP routes, exactly those `ssap_api::client` calls, plus `/healthz` and `/openapi.json`.

mod admin;
mod clock;
mod device;
mod federation;
mod mfa;
mod operator;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;

use crate::error::{unknown_route, wrong_method, BODY_LIMIT};
use crate::AppState;

/// The API's routes, recorded as they are added so that [`paths`] lists exactly what the
/// router serves (the OpenAPI contract test compares the two).
struct Table {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Table {
    fn route(mut self, path: &'static str, methods: MethodRouter<AppState>) -> Self {
        self.paths.push(path);
        self.router = self.router.route(path, methods);
        self
    }
}

fn table() -> Table {
    Table {
        router: Router::new(),
        paths: Vec::new(),
    }
    .route("/healthz", get(|| async { "ok" }))
    .route("/openapi.json", get(openapi))
    .route("/api/operator/orgs", post(operator::create_org))
    .route(
        "/api/admin/settings",
        get(admin::settings).patch(admin::update_settings),
    )
    .route(
        "/api/admin/users",
        get(admin::users).post(admin::create_user),
    )
    .route(
        "/api/admin/users/{id}",
        get(admin::user)
            .patch(admin::update_user)
            .delete(admin::remove_user),
    )
    .route("/api/admin/devices", get(admin::devices))
    .route("/api/admin/devices/{id}", get(admin::device))
    .route(
        "/api/admin/devices/{id}/associations",
        get(admin::associations).post(admin::bind),
    )
    .route(
        "/api/admin/devices/{id}/associations/{user_id}",
        delete(admin::unbind),
    )
    .route(
        "/api/admin/devices/{id}/policies/login-window-text",
        put(admin::set_login_window_text).delete(admin::clear_login_window_text),
    )
    .route(
        "/api/admin/devices/{id}/policies/windows-ssap",
        put(admin::set_windows_policy).delete(admin::clear_windows_policy),
    )
    .route(
        "/api/admin/devices/{id}/policies/mfa",
        put(admin::set_mfa_policy).delete(admin::clear_mfa_policy),
    )
    .route("/api/admin/audit", get(admin::audit))
    .route("/api/admin/clock", get(clock::clock))
    .route("/api/admin/clock/advance", post(clock::advance))
    .route("/api/admin/clock/freeze", post(clock::freeze))
    .route("/api/admin/sign-in-work", get(clock::sign_in_work))
    .route(
        "/api/admin/identity-provider",
        get(federation::identity_provider)
            .put(federation::set_identity_provider)
            .delete(federation::clear_identity_provider),
    )
    .route("/api/device/register", post(device::register))
    .route("/api/device/login-window", get(device::login_window))
    .route("/api/device/associations", get(device::associations))
    .route("/api/device/authenticate", post(device::authenticate))
    .route("/api/device/provision", post(device::provision))
    .route("/api/device/attempts", post(device::report_attempt))
    .route(
        "/api/device/sign-in-method",
        post(federation::sign_in_method),
    )
    .route(
        "/api/device/authenticate/federated",
        post(federation::authenticate_federated),
    )
    .route(
        "/api/device/login/federated",
        post(federation::login_federated),
    )
    .route("/api/device/mfa/verify", post(mfa::verify))
    .route("/api/portal/users/{id}/mfa/enroll", post(mfa::enroll))
}

pub(crate) fn router(state: AppState) -> Router {
    table()
        .router
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Every path template the router serves, in the order they were added.
pub(crate) fn paths() -> Vec<&'static str> {
    table().paths
}

/// The API's OpenAPI document (no auth: it is the public contract).
async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ssap_api::openapi::DOCUMENT,
    )
}
