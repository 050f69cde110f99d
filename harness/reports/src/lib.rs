//! Report writers of ssap-harness. Each reads a [`RunResult`]; none listens to the runner.

pub mod model;

pub use model::*;
