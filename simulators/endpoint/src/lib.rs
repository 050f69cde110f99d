//! Simulated macOS and Windows endpoints for the SSAP conformance harness.
//!
//! Each endpoint is a plain state machine over a [`VirtualClock`]: no sleeps, no real time.
//! What is on screen is a value ([`Screen`]) that steps query and reports render; the only
//! way out of the box is the device agent's HTTP calls through [`ssap_api::DeviceClient`], so
//! every behaviour crosses a real socket whatever serves the control plane.
//!
//! Layout: [`rules`] holds each OS's account naming and matching rules in one place,
//! [`accounts`] the local account store, [`network`] Wi-Fi/Ethernet/internet state,
//! [`macos`] the JumpCloud login window, [`windows`] the credential provider (each only what
//! is its OS's; what both UIs share is the private `login_ui`), [`agent`] the provisioning
//! protocol shared by both, [`screen`] what is on screen, and [`endpoint`] the facade steps
//! drive. `examples/first_sign_in.rs` shows them together.

#![warn(missing_docs)]

pub mod accounts;
pub mod agent;
pub mod clock;
mod device;
pub mod endpoint;
mod login_ui;
pub mod macos;
pub mod network;
pub mod rules;
pub mod screen;
pub mod windows;

pub use accounts::{AccountError, LocalAccount, LocalAccountStore, LocalSecret};
pub use clock::VirtualClock;
pub use device::DeviceSpec;
pub use endpoint::{Endpoint, EndpointError};
pub use login_ui::prompts::{DISABLED_MESSAGE, MFA_CODE_WRONG_MESSAGE, MFA_ENROL_MESSAGE};
pub use macos::login_window::refresh_failed_message;
pub use network::{Network, WifiNetwork};
pub use rules::{local_name_for, validate_local_name, NameError, NameProblem};
pub use screen::{Colour, Field, Indicator, InfoPanel, Screen, ScreenKind, Tile, UiError};
pub use ssap_api::{JoinState, Os};
pub use windows::credential_provider::{pin_problem, WRONG_PASSWORD_MESSAGE, WRONG_PIN_MESSAGE};
