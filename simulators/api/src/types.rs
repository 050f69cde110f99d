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
    /// macOS: the login window.
    Macos,
    /// Windows: the credential provider.
    Windows,
}

impl Os {
    /// The wire name: `macos` or `windows`.
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
    /// Local administrator accounts.
    Administrator,
    #[default]
    /// Standard (non-admin) accounts.
    Standard,
}

/// Directory user lifecycle state; only `Active` users may provision (R47).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    /// Created but not activated yet: may not sign in (R41).
    Staged,
    #[default]
    /// May sign in.
    Active,
    /// Shut out by the admin (R41, R63).
    Suspended,
}

/// How a device is joined to a directory; AD/Entra-joined Windows devices never offer SSAP (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum JoinState {
    #[default]
    /// In no domain.
    Workgroup,
    /// Joined to an on-premises Active Directory domain.
    ActiveDirectory,
    /// Joined to Microsoft Entra ID.
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
    /// Only the first user of a device may provision.
    FirstUserOnly,
    /// Several users may provision the same device.
    MultipleUsers,
}

/// Org-wide SSAP settings (R01, R02, R06). Both toggles are off for a new org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// SSAP on the macOS login window.
    pub macos_ssap: bool,
    /// SSAP on the Windows credential provider.
    pub windows_ssap: bool,
    /// Whether provisioned accounts are administrators or standard.
    pub permission_level: PermissionLevel,
    /// Whether the local password follows the directory password.
    pub password_sync: bool,
}

impl OrgSettings {
    /// What changed since `before`, as the audit log's reason of a `settings.update` says it
    /// (`permission_level: standard -> administrator`, several joined by ", "); `None` when
    /// nothing did. The reference server and the mock both write it, so a scenario can name
    /// the change in either mode.
    pub fn changes_since(&self, before: &OrgSettings) -> Option<String> {
        let level = |l: PermissionLevel| match l {
            PermissionLevel::Administrator => "administrator",
            PermissionLevel::Standard => "standard",
        };
        let mut changes = Vec::new();
        if before.macos_ssap != self.macos_ssap {
            changes.push(format!(
                "macos_ssap: {} -> {}",
                before.macos_ssap, self.macos_ssap
            ));
        }
        if before.windows_ssap != self.windows_ssap {
            changes.push(format!(
                "windows_ssap: {} -> {}",
                before.windows_ssap, self.windows_ssap
            ));
        }
        if before.permission_level != self.permission_level {
            changes.push(format!(
                "permission_level: {} -> {}",
                level(before.permission_level),
                level(self.permission_level)
            ));
        }
        if before.password_sync != self.password_sync {
            changes.push(format!(
                "password_sync: {} -> {}",
                before.password_sync, self.password_sync
            ));
        }
        (!changes.is_empty()).then(|| changes.join(", "))
    }
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
    /// The macOS toggle, if changed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub macos_ssap: Option<bool>,
    /// The Windows toggle, if changed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub windows_ssap: Option<bool>,
    /// The permission level, if changed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub permission_level: Option<PermissionLevel>,
    /// Password sync, if changed.
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
    /// The org's display name.
    pub name: String,
}

/// A created org with the two secrets only its creator ever sees: the admin API key and the
/// connect key an agent presents to register a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgCreated {
    /// The new org's id.
    pub org_id: String,
    /// Its display name.
    pub name: String,
    /// The admin API key (`x-api-key`); shown once.
    pub api_key: String,
    /// The connect key agents register with (`x-connect-key`); shown once.
    pub connect_key: String,
}

/// Admin request: a directory user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Where they sign in with; unique in the org.
    pub email: String,
    /// The directory username, from which local names derive.
    pub username: String,
    /// The local account name to use instead of one derived from `username`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_username: Option<String>,
    #[serde(default)]
    /// First name.
    pub firstname: String,
    #[serde(default)]
    /// Last name.
    pub lastname: String,
    /// `None`: the user has no password assigned (R41).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<String>,
    #[serde(default)]
    /// Lifecycle state.
    pub state: UserState,
    #[serde(default)]
    /// Locked after wrong passwords (R42).
    pub locked: bool,
    #[serde(default)]
    /// The directory password must be changed before signing in (R47).
    pub password_expired: bool,
    #[serde(default)]
    /// MFA asked at the next login (R45).
    pub mfa_enforced: bool,
    #[serde(default)]
    /// An authenticator is enrolled (R45).
    pub mfa_enrolled: bool,
    /// Signs in through the org's identity provider (R46): needs no directory password.
    #[serde(default)]
    pub federated: bool,
}

/// Admin request: partial update of a user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// New lifecycle state.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<UserState>,
    /// Lock or unlock.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub locked: Option<bool>,
    /// Mark the password expired or not.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password_expired: Option<bool>,
    /// Enforce MFA or not.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_enforced: Option<bool>,
    /// Mark an authenticator enrolled or not.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_enrolled: Option<bool>,
    /// A new directory password.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<String>,
    /// A new local account name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_username: Option<String>,
    /// Sign in through the org's identity provider or not (R46).
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
    /// The user's id.
    pub id: String,
    /// Sign-in email.
    pub email: String,
    /// Directory username.
    pub username: String,
    /// Local account name set by the admin, if any.
    pub system_username: Option<String>,
    /// First name.
    pub firstname: String,
    /// Last name.
    pub lastname: String,
    /// Whether a directory password is set (the password itself is never returned).
    pub has_password: bool,
    /// Lifecycle state.
    pub state: UserState,
    /// Locked after wrong passwords (R42).
    pub locked: bool,
    /// The password must be changed before signing in (R47).
    pub password_expired: bool,
    /// MFA asked at the next login (R45).
    pub mfa_enforced: bool,
    /// An authenticator is enrolled (R45).
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
    /// macOS or Windows.
    pub os: Os,
    /// "Pro", "Enterprise", "Home", "Server" on Windows; "" on macOS.
    #[serde(default)]
    pub edition: String,
    /// "x86_64" or "arm64".
    pub architecture: String,
    #[serde(default)]
    /// Domain join (Windows; workgroup elsewhere).
    pub join_state: JoinState,
    /// Defaults to no MDM so agents that do not report it still register (R48).
    #[serde(default)]
    pub mdm: Mdm,
    /// The device's name on the network.
    pub hostname: String,
    /// Hardware serial number.
    pub serial: String,
    /// MAC address of the primary interface.
    pub mac: String,
    /// IP address of the primary interface.
    pub ip: String,
    /// OS version, e.g. "14.4" or "10.0.22631".
    pub os_version: String,
}

/// A device the control plane knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The device's id.
    pub id: String,
    #[serde(flatten)]
    /// What its agent reported.
    pub facts: DeviceFacts,
}

/// Answer to a registration: the credential the agent presents from then on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceRegistered {
    /// The new device's id.
    pub device_id: String,
    /// The device's own credential (`x-device-key`); shown once.
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
    /// The user to bind.
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
    /// The device.
    pub device_id: String,
    /// The user bound to it.
    pub user_id: String,
    /// The user's directory username.
    pub username: String,
    /// The local account name the admin set, if any.
    pub system_username: Option<String>,
    /// "First Last", for the login window's tile.
    pub display_name: String,
    /// Administrator or standard account.
    pub permission: PermissionLevel,
    /// Admin bind or self-service.
    pub source: BindSource,
    /// Whether the local password follows the directory password.
    pub password_sync: bool,
    /// MFA asked at the next login on this device (R45): the user's own `mfa_enforced`, or an
    /// MFA policy bound to the device. Admin and device views alike show this effective value.
    pub mfa_enforced: bool,
    /// An authenticator is enrolled (R45).
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
    /// The text, as the login window shows it.
    pub text: String,
}

/// How far to move an org's virtual clock (`POST /api/admin/clock/advance`), so a test can
/// let time pass without waiting: throttle windows end, tickets and sign-in states expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// Seconds to move forward, 1 to [`crate::limits::MAX_CLOCK_ADVANCE_SECS`].
    pub seconds: u64,
}

/// An org's virtual clock: how far it runs ahead of the wall clock. Only a control plane
/// started for testing has one (the embedded one, `serve --virtual-clock`, the mock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualClock {
    /// Seconds the org's clock is ahead of the wall clock (0 when a frozen clock has fallen
    /// behind it).
    pub offset_seconds: u64,
    /// The org's time, seconds since the Unix epoch.
    pub now_seconds: u64,
    /// The clock stands still and moves only when advanced (`POST /api/admin/clock/freeze`),
    /// so a test can land exactly on a time limit.
    pub frozen: bool,
}

/// The work an org's device sign-ins did, on a control plane started for testing (R62).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInWork {
    /// Password hashes checked by `POST /api/device/authenticate`: one per attempt that got
    /// as far as the password, whoever it named.
    pub password_checks: u64,
}

/// Windows SSAP policy body (R03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsSsapPolicy {
    /// Which Windows SSAP mode the policy sets.
    pub mode: WindowsSsapMode,
}

/// The second factor an MFA policy bound to a device requires (R45). TOTP from an
/// authenticator app enrolled in the User Portal is the only one modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaFactor {
    /// A six-digit code from the authenticator app, checked by the control plane.
    Totp,
}

/// MFA policy body (R45): binding it to a device makes every user bound there answer MFA at
/// their next login, whatever their own `mfa_enforced`; provisioning still never asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaPolicy {
    /// Which second factor the policy requires.
    pub factor: MfaFactor,
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
    /// The login-window text policy, if one is bound.
    pub login_window_text: Option<String>,
    /// Users already bound to the device.
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
    /// The email typed at the login window.
    pub email: String,
    /// The directory password typed.
    pub password: String,
}

/// A successful authentication: a short-lived ticket that provisioning redeems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticateResponse {
    /// Single-use ticket for `provision` (valid ten minutes, this device only).
    pub ticket: String,
    /// The signed-in user's id.
    pub user_id: String,
    /// Their directory username.
    pub username: String,
    /// The local account name the admin set, if any.
    pub system_username: Option<String>,
    /// "First Last", for the new tile.
    pub display_name: String,
    /// The account's permission level.
    pub permission: PermissionLevel,
    /// Whether the local password follows the directory password.
    pub password_sync: bool,
    /// MFA asked at the next login on this device (R45): the user's own `mfa_enforced`, or an
    /// MFA policy bound to the device. Never asked while provisioning.
    pub mfa_enforced: bool,
    /// An authenticator is enrolled (R45).
    pub mfa_enrolled: bool,
}

/// Device request: bind the authenticated user to this device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionRequest {
    /// The ticket `authenticate` returned.
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
    /// The email of the attempt.
    pub email: String,
    /// Why the endpoint refused it (name collision, invalid name, offline).
    pub reason: String,
}

/// User Portal request: enroll in MFA, proving who you are with your directory password (R45).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaEnrollRequest {
    /// The user's directory password, proving who enrolls.
    pub password: String,
}

/// The User Portal's answer to an MFA enrolment: the TOTP secret (base32) the user's
/// authenticator app keeps, and the same as an `otpauth://` URI (see [`crate::mfa`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaEnrollment {
    /// The TOTP secret (base32) the authenticator keeps.
    pub secret: String,
    /// The same as an `otpauth://` URI.
    pub otpauth_uri: String,
}

/// Device request: the code a user typed at the next-login MFA prompt (R45).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaVerifyRequest {
    /// The user at the prompt.
    pub user_id: String,
    /// The code they typed.
    pub code: String,
}

/// One line of the audit log (R07).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the org's log, increasing.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// "admin", "device:<id>" or "operator".
    pub actor: String,
    /// e.g. "settings.update", "user.create", "association.create", "provision".
    pub action: String,
    /// What it was done to: an email, a device, a setting.
    pub target: String,
    /// "success" or "refused".
    pub outcome: String,
    /// Why it was refused (a refusal code or the endpoint's reason).
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
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret; also the key of the ID tokens' HS256 signature.
    pub client_secret: String,
}

/// The org's identity provider as the admin API shows it: the client secret never leaves the
/// control plane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    /// The provider's name, as the web view shows it.
    pub name: String,
    /// Base URL of its `/authorize` and `/token` endpoints.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
}

/// Why the web view is signing someone in: to provision them, or to log in to an account
/// already provisioned on this device (R46).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignInPurpose {
    #[default]
    /// Signing in to get an account provisioned.
    Provision,
    /// Logging in to an account already bound to the device.
    Login,
}

/// Device request: how does this email sign in?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInMethodRequest {
    /// The email typed.
    pub email: String,
    #[serde(default)]
    /// Provisioning or logging in.
    pub purpose: SignInPurpose,
}

/// Password (the JumpCloud password step) or federated (the identity provider's page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInKind {
    /// The directory password, through `authenticate`.
    Password,
    /// The org's identity provider (R46).
    Federated,
}

/// How an email signs in. For `federated`, where to send the web view: `authorize_url` already
/// carries `client_id`, `redirect_uri`, `state`, `nonce` and `login_hint`; `state` comes back
/// with the code and is single-use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethod {
    /// Password or federated.
    pub method: SignInKind,
    #[serde(default)]
    /// Federated: the provider's name.
    pub identity_provider: Option<String>,
    #[serde(default)]
    /// Federated: where the web view goes.
    pub authorize_url: Option<String>,
    #[serde(default)]
    /// Federated: the single-use OAuth state to send back.
    pub state: Option<String>,
    #[serde(default)]
    /// Federated: where the provider redirects with the code.
    pub redirect_uri: Option<String>,
}

/// Device request: the authorization code the identity provider redirected back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedSignIn {
    /// The code the provider redirected with.
    pub code: String,
    /// The state `sign_in_method` gave.
    pub state: String,
    /// The redirect URI the code was issued for.
    pub redirect_uri: String,
}

/// Every error body of the API: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// A refusal code from [`crate::codes`], for programs.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}
