//! The User Portal's client (R45 MFA enrollment).

use reqwest::Method;

use super::error::ApiError;
use super::transport::Http;
use crate::types::{MfaEnrollRequest, MfaEnrollment};

/// The JumpCloud User Portal, as far as the harness needs it: a signed-in user enrolls in MFA
/// and gets the authenticator secret (R45). The user's password proves who they are.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: Http,
}

impl PortalClient {
    /// A client of the User Portal.
    pub fn new(http: Http) -> Self {
        Self { http }
    }

    /// Enrolls the user in TOTP MFA and returns the secret their authenticator app keeps.
    pub async fn enroll_mfa(
        &self,
        user_id: &str,
        req: &MfaEnrollRequest,
    ) -> Result<MfaEnrollment, ApiError> {
        self.http
            .call(
                Method::POST,
                &format!("/api/portal/users/{user_id}/mfa/enroll"),
                None,
                Some(req),
            )
            .await
    }
}
