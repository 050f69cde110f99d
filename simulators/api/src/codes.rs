//! Machine codes of API refusals (`ApiErrorBody::code`). Endpoints map them to on-screen text;
//! the audit log records them as the reason.

/// Missing or unknown credential for the route's audience.
pub const UNAUTHORIZED: &str = "unauthorized";
/// Unknown email or wrong password: one code for both, so the API does not reveal who exists (R40, R42).
pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
/// The user has no password assigned (R41).
pub const NO_PASSWORD: &str = "no_password";
/// R47 states.
pub const USER_STAGED: &str = "user_staged";
pub const USER_SUSPENDED: &str = "user_suspended";
pub const USER_LOCKED: &str = "user_locked";
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
