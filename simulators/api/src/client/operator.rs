//! The operator's client: creates orgs, nothing else.

use reqwest::Method;

use super::error::ApiError;
use super::transport::Http;
use crate::types::{NewOrg, OrgCreated};

/// The operator: creates orgs, nothing else.
#[derive(Debug, Clone)]
pub struct OperatorClient {
    http: Http,
    token: String,
}

impl OperatorClient {
    /// A client holding the operator token.
    pub fn new(http: Http, token: impl Into<String>) -> Self {
        Self {
            http,
            token: token.into(),
        }
    }

    /// Creates an org and returns its keys.
    pub async fn create_org(&self, name: &str) -> Result<OrgCreated, ApiError> {
        let auth = format!("Bearer {}", self.token);
        self.http
            .call(
                Method::POST,
                "/api/operator/orgs",
                Some(("authorization", &auth)),
                Some(&NewOrg { name: name.into() }),
            )
            .await
    }
}
