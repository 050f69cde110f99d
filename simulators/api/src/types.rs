//! Request and response bodies of the control-plane API, shared by the reference server,
//! the simulated endpoints and the step library so that all three agree on one contract.

use serde::{Deserialize, Deserializer, Serialize};

/// A request field that may be left out but, when given, holds a value: `null` is refused as
/// a bad request, as the document makes none of these fields nullable (serde alone would read
/// it as absent, and a patch of nulls as a change of nothing).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Which operating system a device runs; SSAP has one toggle per OS (R01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Macos,
    Windows,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Macos => "macos",
            Os::Windows => "windows",
        }
    }
}

impl std::fmt::Display for Os {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Os::Macos => "macOS",
            Os::Windows => "Windows",
        })
    }
}

impl std::str::FromStr for Os {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "macos" | "mac" => Ok(Os::Macos),
            "windows" | "win" => Ok(Os::Windows),
            other => Err(format!("unknown OS {other:?}: expected macOS or Windows")),
        }
    }
}

/// Local privilege given to a provisioned account (R02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PermissionLevel {
    Administrator,
    #[default]
    Standard,
}

/// Directory user lifecycle state; only `Active` users may provision (R47).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    Staged,
    #[default]
    Active,
    Suspended,
}

/// How a device is joined to a directory; AD/Entra-joined Windows devices never offer SSAP (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum JoinState {
    #[default]
    Workgroup,
    ActiveDirectory,
    EntraId,
}

/// Which MDM, if any, manages the device besides the agent (R48). SSAP needs the agent alone,
/// so this is reported for the admin's view and changes nothing the device is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mdm {
    /// The agent alone, no MDM enrolment.
    #[default]
    None,
    /// Enrolled in JumpCloud's own MDM.
    Jumpcloud,
    /// Managed jointly with another vendor's MDM.
    OtherVendor,
}

/// Windows SSAP policy bound to a device (R03): who may self-provision there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowsSsapMode {
    FirstUserOnly,
    MultipleUsers,
}

/// Org-wide SSAP settings (R01, R02, R06). Both toggles are off for a new org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub macos_ssap: bool,
    pub windows_ssap: bool,
    pub permission_level: PermissionLevel,
    pub password_sync: bool,
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            macos_ssap: false,
            windows_ssap: false,
            permission_level: PermissionLevel::Standard,
            password_sync: true,
        }
    }
}

/// Partial update of [`OrgSettings`]; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSettingsPatch {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub macos_ssap: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub windows_ssap: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub permission_level: Option<PermissionLevel>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password_sync: Option<bool>,
}

/// Operator request: a new tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub name: String,
}

/// A created org with the two secrets only its creator ever sees: the admin API key and the
/// connect key an agent presents to register a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgCreated {
    pub org_id: String,
    pub name: String,
    pub api_key: String,
    pub connect_key: String,
}

/// Admin request: a directory user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub username: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_username: Option<String>,
    #[serde(default)]
    pub firstname: String,
    #[serde(default)]
    pub lastname: String,
    /// `None`: the user has no password assigned (R41).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<String>,
    #[serde(default)]
    pub state: UserState,
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub password_expired: bool,
    #[serde(default)]
    pub mfa_enforced: bool,
    #[serde(default)]
    pub mfa_enrolled: bool,
    /// Signs in through the org's identity provider (R46): needs no directory password.
    #[serde(default)]
    pub federated: bool,
}

/// Admin request: partial update of a user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<UserState>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub locked: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password_expired: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_enforced: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_enrolled: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_username: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub federated: Option<bool>,
}

/// A directory user as the admin API shows it; the password never leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub username: String,
    pub system_username: Option<String>,
    pub firstname: String,
    pub lastname: String,
    pub has_password: bool,
    pub state: UserState,
    pub locked: bool,
    pub password_expired: bool,
    pub mfa_enforced: bool,
    pub mfa_enrolled: bool,
    /// Signs in through the org's identity provider (R46). Defaults to false so replies of
    /// control planes without federation still parse.
    #[serde(default)]
    pub federated: bool,
}

impl User {
    /// "Firstname Lastname", or the username when the directory has no name.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.firstname, self.lastname);
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_string()
        }
    }
}

/// What an agent reports about its device at registration (also shown in the info panel, R15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceFacts {
    pub os: Os,
    /// "Pro", "Enterprise", "Home", "Server" on Windows; "" on macOS.
    #[serde(default)]
    pub edition: String,
    /// "x86_64" or "arm64".
    pub architecture: String,
    #[serde(default)]
    pub join_state: JoinState,
    /// Defaults to no MDM so agents that do not report it still register (R48).
    #[serde(default)]
    pub mdm: Mdm,
    pub hostname: String,
    pub serial: String,
    pub mac: String,
    pub ip: String,
    pub os_version: String,
}

/// A device the control plane knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    #[serde(flatten)]
    pub facts: DeviceFacts,
}

/// Answer to a registration: the credential the agent presents from then on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceRegistered {
    pub device_id: String,
    pub device_credential: String,
}

/// How a user came to be bound to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindSource {
    /// An admin bound the user (R05, R49).
    Admin,
    /// The user provisioned themselves at the login window.
    SelfService,
}

/// Admin request: bind a user to a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAssociation {
    pub user_id: String,
    /// Defaults to the org's permission level.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub permission: Option<PermissionLevel>,
}

/// A user-to-device association as both the admin and the device see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    pub device_id: String,
    pub user_id: String,
    pub username: String,
    pub system_username: Option<String>,
    pub display_name: String,
    pub permission: PermissionLevel,
    pub source: BindSource,
    pub password_sync: bool,
    pub mfa_enforced: bool,
    pub mfa_enrolled: bool,
    /// The local account name the endpoint created, as sent with the provisioning request;
    /// `None` for admin binds (the endpoint derives the name itself) and from control planes
    /// that do not store it (hence the default, so older replies still parse).
    #[serde(default)]
    pub local_name: Option<String>,
    /// The user may not log in: suspended, staged or locked in the directory after being bound
    /// (R63). The device disables the account at its next check-in and never deletes it;
    /// reactivation clears this. Defaults to false so older replies still parse.
    #[serde(default)]
    pub disabled: bool,
}

/// Login-window-text policy body (R17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginWindowText {
    pub text: String,
}

/// Windows SSAP policy body (R03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsSsapPolicy {
    pub mode: WindowsSsapMode,
}

/// What the login window of one device should offer, computed by the control plane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginWindowConfig {
    /// Whether SSAP is in effect on this device: the org toggle for its OS (R01, R10), or, on
    /// Windows, a bound Windows SSAP policy, which turns it on whatever the toggle (R03). This
    /// is the effective value, not a copy of the org setting.
    pub ssap_enabled: bool,
    /// Whether Sign in with JumpCloud may be offered: toggle on, supported device, and zero
    /// managed users or a Windows policy allowing more (R11, R18, R30, R03).
    pub offer_sign_in: bool,
    pub login_window_text: Option<String>,
    pub managed_users: Vec<Association>,
    /// Name of the org's identity provider when one is set up (R46): only then does the web
    /// view ask how an email signs in, so orgs without federation pay no extra request.
    /// Defaults to `None` so replies of control planes without federation still parse.
    #[serde(default)]
    pub identity_provider: Option<String>,
}

/// Device request: check a user's directory credentials before provisioning.
/// MFA is deliberately not asked for here (R45).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthenticateRequest {
    pub email: String,
    pub password: String,
}

/// A successful authentication: a short-lived ticket that provisioning redeems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticateResponse {
    pub ticket: String,
    pub user_id: String,
    pub username: String,
    pub system_username: Option<String>,
    pub display_name: String,
    pub permission: PermissionLevel,
    pub password_sync: bool,
    pub mfa_enforced: bool,
    pub mfa_enrolled: bool,
}

/// Device request: bind the authenticated user to this device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionRequest {
    pub ticket: String,
    /// The local account name the endpoint will create (already checked against the OS rules).
    pub local_name: String,
    /// Chosen by the endpoint per attempt; a repeat with the same key returns the first answer
    /// instead of provisioning twice (R60).
    pub idempotency_key: String,
}

/// Device request: record a refusal decided on the endpoint (name collision, invalid name,
/// offline retry) so the audit log holds every attempt (R07).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptReport {
    pub email: String,
    pub reason: String,
}

/// User Portal request: enroll in MFA, proving who you are with your directory password (R45).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaEnrollRequest {
    pub password: String,
}

/// The User Portal's answer to an MFA enrolment: the TOTP secret (base32) the user's
/// authenticator app keeps, and the same as an `otpauth://` URI (see [`crate::mfa`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaEnrollment {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Device request: the code a user typed at the next-login MFA prompt (R45).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaVerifyRequest {
    pub user_id: String,
    pub code: String,
}

/// One line of the audit log (R07).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at_ms: i64,
    /// "admin", "device:<id>" or "operator".
    pub actor: String,
    /// e.g. "settings.update", "user.create", "association.create", "provision".
    pub action: String,
    pub target: String,
    /// "success" or "refused".
    pub outcome: String,
    pub reason: Option<String>,
}

/// Admin request: the org's identity provider for federated sign-in (R46).
///
/// The provider is reached at `{issuer}/authorize` (the device's web view) and
/// `{issuer}/token` (the control plane, with the client credentials); its ID tokens are HS256
/// JWTs signed with the client secret (see [`crate::federation`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityProviderConfig {
    /// Shown to users: "Sign in with <name>".
    pub name: String,
    /// Base URL of the provider, also the `iss` its ID tokens carry.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The org's identity provider as the admin API shows it: the client secret never leaves the
/// control plane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
}

/// Why the web view is signing someone in: to provision them, or to log in to an account
/// already provisioned on this device (R46).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignInPurpose {
    #[default]
    Provision,
    Login,
}

/// Device request: how does this email sign in?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInMethodRequest {
    pub email: String,
    #[serde(default)]
    pub purpose: SignInPurpose,
}

/// Password (the JumpCloud password step) or federated (the identity provider's page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInKind {
    Password,
    Federated,
}

/// How an email signs in. For `federated`, where to send the web view: `authorize_url` already
/// carries `client_id`, `redirect_uri`, `state`, `nonce` and `login_hint`; `state` comes back
/// with the code and is single-use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethod {
    pub method: SignInKind,
    #[serde(default)]
    pub identity_provider: Option<String>,
    #[serde(default)]
    pub authorize_url: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
}

/// Device request: the authorization code the identity provider redirected back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedSignIn {
    pub code: String,
    pub state: String,
    pub redirect_uri: String,
}

/// Every error body of the API: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
}
