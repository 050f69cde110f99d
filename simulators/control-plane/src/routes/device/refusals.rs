//! What the sign-in routes share: the audit outcomes, and the refusals for a device that may
//! not offer SSAP or a user whose state forbids a sign-in.

use axum::http::StatusCode;
use ssap_api::{codes, Os, UserState};

use crate::db::UserRow;
use crate::error::ApiError;
use crate::rules::Refusal;

pub(crate) const SUCCESS: &str = "success";
pub(crate) const REFUSED: &str = "refused";

pub(crate) fn refusal_error(r: Refusal, os: Os) -> ApiError {
    let status = match r {
        Refusal::Disabled | Refusal::NotSupported => StatusCode::FORBIDDEN,
        Refusal::HasManagedUsers => StatusCode::CONFLICT,
    };
    ApiError::new(status, r.code(), r.message(os))
}

/// R41 and R47 refusals, checked only after the password (or, for a federated user, the
/// identity provider) confirmed who is signing in. Federated users (R46) need no directory
/// password and their password cannot expire here: it lives at the identity provider.
pub(crate) fn user_state_refusal(row: &UserRow) -> Option<ApiError> {
    let u = &row.user;
    if row.password_hash.is_none() && !u.federated {
        return Some(ApiError::forbidden(
            codes::NO_PASSWORD,
            "Your account has no password yet; ask your admin to set one",
        ));
    }
    match u.state {
        UserState::Staged => {
            return Some(ApiError::forbidden(
                codes::USER_STAGED,
                "Your account is not activated yet; contact your admin",
            ))
        }
        UserState::Suspended => {
            return Some(ApiError::forbidden(
                codes::USER_SUSPENDED,
                "Your account is suspended; contact your admin",
            ))
        }
        UserState::Active => {}
    }
    if u.locked {
        return Some(ApiError::forbidden(
            codes::USER_LOCKED,
            "Your account is locked; contact your admin",
        ));
    }
    if u.password_expired && !u.federated {
        return Some(ApiError::forbidden(
            codes::PASSWORD_EXPIRED,
            "Your password has expired; change it in the User Portal, then try again",
        ));
    }
    None
}
