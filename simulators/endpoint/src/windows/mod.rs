//! The simulated Windows PC: the JumpCloud credential provider on the sign-in screen.

pub mod credential_provider;

pub use credential_provider::CredentialProvider;
