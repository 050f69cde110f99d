//! The SSAP control-plane contract: wire types ([`types`]), refusal codes ([`codes`]) and the
//! single HTTP client ([`client`]) that endpoints and step definitions share.
//!
//! The same contract is served by the reference server (`ssap-control-plane`), by a remote
//! deployment, and by mock stubs; only the base URL differs, which is why there is one concrete
//! client rather than a trait with several implementations.

#![warn(missing_docs)]

pub mod client;
pub mod codes;
pub mod conformance;
pub mod federation;
pub mod input;
pub mod limits;
pub mod mfa;
pub mod openapi;
pub mod paging;
pub mod types;

pub use client::{
    redact_json, AdminClient, ApiError, CallObserver, DeviceClient, EnrollmentClient, Exchange,
    ExchangeLog, FormReply, Http, OperatorClient, PortalClient,
};
pub use paging::{AuditFilter, ListQuery, Page};
pub use types::*;
