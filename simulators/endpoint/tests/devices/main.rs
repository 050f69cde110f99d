//! The simulated endpoints, in one test binary (one link of the dependencies instead of one
//! per file):
//!
//! - `accounts`, `rules`: the local account store and both OSes' naming rules;
//! - `fuzz_names`: the naming rules under proptest (`PROPTEST_CASES=1000000` in CI);
//! - `macos`, `windows`: each OS's login UI against the real reference control plane;
//! - `federation`: federated sign-in through a mock identity provider;
//! - `faults`: control-plane faults between a device and the reference server;
//! - `odd_names`: confusable and odd directory usernames at sign-in.
//!
//! One of them: `cargo test --release -p ssap-endpoint --test devices odd_names`.

mod accounts;
mod common;
mod faults;
mod federation;
mod fuzz_names;
mod macos;
mod odd_names;
mod rules;
mod windows;
