//! Machine codes of API refusals (`ApiErrorBody::code`). Endpoints map them to on-screen text;
//! the audit log records them as the reason.

/// Missing or unknown credential for the route's audience.
pub const UNAUTHORIZED: &str = "unauthorized";
/// Unknown email or wrong password: one code for both, so the API does not reveal who exists (R40, R42).
pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
/// The user has no password assigned (R41).
pub const NO_PASSWORD: &str = "no_password";
/// The user is staged: created but not yet activated (R47).
pub const USER_STAGED: &str = "user_staged";
/// The user is suspended (R47).
pub const USER_SUSPENDED: &str = "user_suspended";
/// The user is locked (R42).
pub const USER_LOCKED: &str = "user_locked";
/// The user's password has expired (R47).
pub const PASSWORD_EXPIRED: &str = "password_expired";
/// Too many wrong passwords: throttled (HTTP 429 with Retry-After) (R42).
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
/// SSAP toggle off for this device's OS (R01).
pub const SSAP_DISABLED: &str = "ssap_disabled";
/// Windows Home/Server/ARM or AD/Entra-joined device (R18).
pub const DEVICE_NOT_SUPPORTED: &str = "device_not_supported";
/// The device already has a managed user and no policy allows more (R11, R44, R03).
pub const DEVICE_HAS_MANAGED_USERS: &str = "device_has_managed_users";
/// The provisioning ticket is unknown, expired, or belongs to another device.
pub const TICKET_INVALID: &str = "ticket_invalid";
/// The user is already bound to this device.
pub const ALREADY_BOUND: &str = "already_bound";
/// Local name refused on the endpoint: it matches an existing local account (R43).
pub const ACCOUNT_EXISTS: &str = "account_exists";
/// Local name refused on the endpoint: the OS cannot hold it (R39).
pub const INVALID_LOCAL_NAME: &str = "invalid_local_name";
/// Request body not valid for the route.
pub const BAD_REQUEST: &str = "bad_request";
/// No such object in this org.
pub const NOT_FOUND: &str = "not_found";
/// Uniqueness conflict (email or username taken).
pub const CONFLICT: &str = "conflict";
/// The idempotency key was used before with a different request.
pub const IDEMPOTENCY_MISMATCH: &str = "idempotency_mismatch";
/// The control plane itself failed (storage, encoding); the request may be retried later.
pub const INTERNAL: &str = "internal";
/// The request body is larger than the control plane accepts (HTTP 413).
pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
/// The route exists but not with this HTTP method (HTTP 405).
pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
/// Federated sign-in (R46): the identity provider's answer could not be trusted (the code was
/// refused, or the ID token's signature, issuer, audience, expiry, nonce or email is wrong).
pub const FEDERATION_FAILED: &str = "federation_failed";
/// Federated sign-in: the `state` is unknown, used already, expired, of another device or
/// purpose, or came back with another redirect URI.
pub const FEDERATION_STATE_INVALID: &str = "federation_state_invalid";
/// Federated sign-in: the identity provider did not answer usably (down, 5xx, not JSON); HTTP 502.
pub const IDP_UNAVAILABLE: &str = "idp_unavailable";
/// A federated user, but the org has no identity provider set up.
pub const FEDERATION_NOT_CONFIGURED: &str = "federation_not_configured";
/// Password sign-in of a federated user: they sign in through the identity provider.
pub const USE_FEDERATION: &str = "use_federation";
/// Login through federation of a user not bound to this device.
pub const NOT_BOUND: &str = "not_bound";
/// The MFA code is wrong, or was already used for a login (R45).
pub const MFA_CODE_INVALID: &str = "mfa_code_invalid";
