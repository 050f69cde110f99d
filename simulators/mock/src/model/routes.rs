//! Parsing a method and path into a route.

use ssap_api::codes;

use crate::reply::Reply;

/// 404 for unknown paths, 405 for known paths with another method (as the reference server).
pub(super) fn unknown(method: &str, segs: &[&str]) -> Reply {
    let path = format!("/{}", segs.join("/"));
    let doc = ssap_api::openapi::document().unwrap_or_default();
    // /healthz is not modelled: fixtures/mock/healthz.yaml serves it, which proves in every
    // mock run that the stub files are loaded.
    let known = path != "/healthz"
        && ssap_api::openapi::operations(&doc)
            .iter()
            .any(|o| ssap_api::openapi::path_matches(&o.path, &path));
    if known {
        Reply::error(
            405,
            codes::METHOD_NOT_ALLOWED,
            &format!("{path} does not accept {method}"),
        )
    } else {
        Reply::error(
            404,
            codes::NOT_FOUND,
            "no such route in the SSAP control-plane API",
        )
    }
}

/// An admin route (`/api/admin/...`), with the ids its path carries.
pub(super) enum AdminRoute {
    Settings,
    UpdateSettings,
    Users,
    CreateUser,
    User(String),
    UpdateUser(String),
    RemoveUser(String),
    Devices,
    Device(String),
    Associations(String),
    Bind(String),
    Unbind(String, String),
    SetText(String),
    ClearText(String),
    SetWindows(String),
    ClearWindows(String),
    SetMfa(String),
    ClearMfa(String),
    Audit,
    GetIdp,
    SetIdp,
    ClearIdp,
    Clock,
    AdvanceClock,
    FreezeClock,
    SignInWork,
}

/// The admin route of a method and the path after `/api/admin`; `None` when there is none.
pub(super) fn admin_route(m: &str, rest: &[&str]) -> Option<AdminRoute> {
    use AdminRoute::*;
    let s = |x: &str| x.to_string();
    Some(match (m, rest) {
        ("GET", ["settings"]) => Settings,
        ("PATCH", ["settings"]) => UpdateSettings,
        ("GET", ["users"]) => Users,
        ("POST", ["users"]) => CreateUser,
        ("GET", ["users", id]) => User(s(id)),
        ("PATCH", ["users", id]) => UpdateUser(s(id)),
        ("DELETE", ["users", id]) => RemoveUser(s(id)),
        ("GET", ["devices"]) => Devices,
        ("GET", ["devices", id]) => Device(s(id)),
        ("GET", ["devices", id, "associations"]) => Associations(s(id)),
        ("POST", ["devices", id, "associations"]) => Bind(s(id)),
        ("DELETE", ["devices", id, "associations", user]) => Unbind(s(id), s(user)),
        ("PUT", ["devices", id, "policies", "login-window-text"]) => SetText(s(id)),
        ("DELETE", ["devices", id, "policies", "login-window-text"]) => ClearText(s(id)),
        ("PUT", ["devices", id, "policies", "windows-ssap"]) => SetWindows(s(id)),
        ("DELETE", ["devices", id, "policies", "windows-ssap"]) => ClearWindows(s(id)),
        ("PUT", ["devices", id, "policies", "mfa"]) => SetMfa(s(id)),
        ("DELETE", ["devices", id, "policies", "mfa"]) => ClearMfa(s(id)),
        ("GET", ["audit"]) => Audit,
        ("GET", ["clock"]) => Clock,
        ("POST", ["clock", "advance"]) => AdvanceClock,
        ("POST", ["clock", "freeze"]) => FreezeClock,
        ("GET", ["sign-in-work"]) => SignInWork,
        ("GET", ["identity-provider"]) => GetIdp,
        ("PUT", ["identity-provider"]) => SetIdp,
        ("DELETE", ["identity-provider"]) => ClearIdp,
        _ => return None,
    })
}
