//! The one HTTP client of the control-plane API. Simulated endpoints and step definitions both
//! go through it, so every behaviour crosses a real socket whatever serves the other end
//! (the embedded reference server, a remote one, or wiremock stubs).
//!
//! - [`transport`]: [`Http`], the connection settings every client shares, and the headers
//!   that carry each credential;
//! - [`error`]: [`ApiError`], why a call failed;
//! - [`exchange`]: what calls leave behind: the [`ExchangeLog`] with secrets redacted, or only
//!   their times ([`CallObserver`]);
//! - one client per audience, each holding only its own credential: [`operator`], [`admin`],
//!   [`device`] (the agent before and after registration) and [`portal`] (the User Portal).

pub mod admin;
pub mod device;
pub mod error;
pub mod exchange;
pub mod operator;
pub mod portal;
pub mod transport;

pub use admin::AdminClient;
pub use device::{DeviceClient, EnrollmentClient};
pub use error::ApiError;
pub use exchange::{redact_json, CallObserver, Exchange, ExchangeLog};
pub use operator::OperatorClient;
pub use portal::PortalClient;
pub use transport::{FormReply, Http, API_KEY_HEADER, CONNECT_KEY_HEADER, DEVICE_KEY_HEADER};
