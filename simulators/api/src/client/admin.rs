//! The org administrator's client, authenticated by the org's API key: settings, users,
//! devices and their associations and policies, the audit log, the identity provider.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::ApiError;
use super::transport::{Http, API_KEY_HEADER, NO_BODY};
use crate::paging::{AuditFilter, ListQuery, Page};
use crate::types::*;

/// An org's administrator, authenticated by the org's API key.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: Http,
    api_key: String,
}

impl AdminClient {
    /// A client holding the org's API key.
    pub fn new(http: Http, api_key: impl Into<String>) -> Self {
        Self {
            http,
            api_key: api_key.into(),
        }
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ApiError> {
        self.http
            .call(method, path, Some((API_KEY_HEADER, &self.api_key)), body)
            .await
    }

    /// The org's settings.
    pub async fn settings(&self) -> Result<OrgSettings, ApiError> {
        self.call(Method::GET, "/api/admin/settings", NO_BODY).await
    }

    /// Changes the settings given in `patch`; returns them all.
    pub async fn update_settings(&self, patch: &OrgSettingsPatch) -> Result<OrgSettings, ApiError> {
        self.call(Method::PATCH, "/api/admin/settings", Some(patch))
            .await
    }

    /// Creates a directory user.
    pub async fn create_user(&self, user: &NewUser) -> Result<User, ApiError> {
        self.call(Method::POST, "/api/admin/users", Some(user))
            .await
    }

    /// Changes a user's fields given in `patch`.
    pub async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User, ApiError> {
        self.call(
            Method::PATCH,
            &format!("/api/admin/users/{id}"),
            Some(patch),
        )
        .await
    }

    /// Removes the user from the directory (R63); their associations stay, disabled.
    pub async fn remove_user(&self, id: &str) -> Result<(), ApiError> {
        self.call(Method::DELETE, &format!("/api/admin/users/{id}"), NO_BODY)
            .await
    }

    /// One user.
    pub async fn user(&self, id: &str) -> Result<User, ApiError> {
        self.call(Method::GET, &format!("/api/admin/users/{id}"), NO_BODY)
            .await
    }

    /// One page of a list at `path` (`extra`: more query parameters, already encoded).
    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        extra: &str,
        q: &ListQuery,
    ) -> Result<Page<T>, ApiError> {
        let query = [extra.to_string(), q.to_query()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        let url = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        self.call(Method::GET, &url, NO_BODY).await
    }

    /// Every item of a paged list, following `next_cursor` from page to page.
    async fn all<T: DeserializeOwned>(&self, path: &str, extra: &str) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut q = ListQuery::default();
        loop {
            let page: Page<T> = self.page(path, extra, &q).await?;
            items.extend(page.items);
            match page.next_cursor {
                // A cursor that does not move would loop for ever: stop at a repeat.
                Some(next) if q.cursor.as_deref() != Some(next.as_str()) => q.cursor = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// Every user of the org, in creation order (all pages).
    pub async fn users(&self) -> Result<Vec<User>, ApiError> {
        self.all("/api/admin/users", "").await
    }

    /// One page of users (`GET /api/admin/users?limit=&cursor=`).
    pub async fn users_page(&self, q: &ListQuery) -> Result<Page<User>, ApiError> {
        self.page("/api/admin/users", "", q).await
    }

    /// Every device of the org, in registration order (all pages).
    pub async fn devices(&self) -> Result<Vec<Device>, ApiError> {
        self.all("/api/admin/devices", "").await
    }

    /// One page of devices.
    pub async fn devices_page(&self, q: &ListQuery) -> Result<Page<Device>, ApiError> {
        self.page("/api/admin/devices", "", q).await
    }

    /// One page of a device's associations.
    pub async fn associations_page(
        &self,
        device_id: &str,
        q: &ListQuery,
    ) -> Result<Page<Association>, ApiError> {
        self.page(
            &format!("/api/admin/devices/{device_id}/associations"),
            "",
            q,
        )
        .await
    }

    /// The audit events that pass `filter`, oldest first (all pages).
    pub async fn audit_filtered(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, ApiError> {
        self.all("/api/admin/audit", &filter.to_query()).await
    }

    /// One page of the audit events that pass `filter`.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        q: &ListQuery,
    ) -> Result<Page<AuditEvent>, ApiError> {
        self.page("/api/admin/audit", &filter.to_query(), q).await
    }

    /// One device.
    pub async fn device(&self, id: &str) -> Result<Device, ApiError> {
        self.call(Method::GET, &format!("/api/admin/devices/{id}"), NO_BODY)
            .await
    }

    /// Every association of the device (all pages).
    pub async fn associations(&self, device_id: &str) -> Result<Vec<Association>, ApiError> {
        self.all(&format!("/api/admin/devices/{device_id}/associations"), "")
            .await
    }

    /// Binds a user to a device (an admin bind, R05).
    pub async fn bind(
        &self,
        device_id: &str,
        assoc: &NewAssociation,
    ) -> Result<Association, ApiError> {
        self.call(
            Method::POST,
            &format!("/api/admin/devices/{device_id}/associations"),
            Some(assoc),
        )
        .await
    }

    /// Removes a user's association with a device.
    pub async fn unbind(&self, device_id: &str, user_id: &str) -> Result<(), ApiError> {
        self.call(
            Method::DELETE,
            &format!("/api/admin/devices/{device_id}/associations/{user_id}"),
            NO_BODY,
        )
        .await
    }

    /// Binds (`Some`) or removes (`None`) the device's login-window text policy.
    pub async fn set_login_window_text(
        &self,
        device_id: &str,
        text: Option<&str>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/admin/devices/{device_id}/policies/login-window-text");
        match text {
            Some(t) => {
                self.call(
                    Method::PUT,
                    &path,
                    Some(&LoginWindowText { text: t.into() }),
                )
                .await
            }
            None => self.call(Method::DELETE, &path, NO_BODY).await,
        }
    }

    /// Binds (`Some`) or removes (`None`) the device's Windows SSAP policy.
    pub async fn set_windows_policy(
        &self,
        device_id: &str,
        mode: Option<WindowsSsapMode>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/admin/devices/{device_id}/policies/windows-ssap");
        match mode {
            Some(mode) => {
                self.call(Method::PUT, &path, Some(&WindowsSsapPolicy { mode }))
                    .await
            }
            None => self.call(Method::DELETE, &path, NO_BODY).await,
        }
    }

    /// Binds (`Some`) or removes (`None`) the device's MFA policy (R45): users bound to the
    /// device answer MFA at their next login there.
    pub async fn set_mfa_policy(
        &self,
        device_id: &str,
        factor: Option<MfaFactor>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/admin/devices/{device_id}/policies/mfa");
        match factor {
            Some(factor) => {
                self.call(Method::PUT, &path, Some(&MfaPolicy { factor }))
                    .await
            }
            None => self.call(Method::DELETE, &path, NO_BODY).await,
        }
    }

    /// The org's virtual clock; 404 `not_found` from a control plane that has none.
    pub async fn clock(&self) -> Result<VirtualClock, ApiError> {
        self.call(Method::GET, "/api/admin/clock", NO_BODY).await
    }

    /// The work the org's device sign-ins did (R62); 404 `not_found` from a control plane not
    /// started for testing.
    pub async fn sign_in_work(&self) -> Result<SignInWork, ApiError> {
        self.call(Method::GET, "/api/admin/sign-in-work", NO_BODY)
            .await
    }

    /// Moves the org's virtual clock `seconds` forward; 404 `not_found` from a control plane
    /// that has none.
    pub async fn advance_clock(&self, seconds: u64) -> Result<VirtualClock, ApiError> {
        self.call(
            Method::POST,
            "/api/admin/clock/advance",
            Some(&ClockAdvance { seconds }),
        )
        .await
    }

    /// Stops the org's virtual clock where it stands: from then on it moves only when
    /// advanced (a control plane started for testing only).
    pub async fn freeze_clock(&self) -> Result<VirtualClock, ApiError> {
        self.call::<(), _>(Method::POST, "/api/admin/clock/freeze", None)
            .await
    }

    /// The org's whole audit log, oldest first (all pages).
    pub async fn audit(&self) -> Result<Vec<AuditEvent>, ApiError> {
        self.all("/api/admin/audit", "").await
    }

    /// The org's identity provider (R46); 404 `not_found` when none is set up.
    pub async fn identity_provider(&self) -> Result<IdentityProvider, ApiError> {
        self.call(Method::GET, "/api/admin/identity-provider", NO_BODY)
            .await
    }

    /// Sets up the org's identity provider (R46).
    pub async fn set_identity_provider(
        &self,
        config: &IdentityProviderConfig,
    ) -> Result<IdentityProvider, ApiError> {
        self.call(Method::PUT, "/api/admin/identity-provider", Some(config))
            .await
    }

    /// Removes the org's identity provider.
    pub async fn clear_identity_provider(&self) -> Result<(), ApiError> {
        self.call(Method::DELETE, "/api/admin/identity-provider", NO_BODY)
            .await
    }
}
