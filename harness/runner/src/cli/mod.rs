//! The subcommands of `ssap-harness`, one module each: its flags (clap) and what it does with
//! them. Everything they run lives in the libraries; these only parse and print.

pub(crate) mod explore;
pub(crate) mod fleet;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod serve;
pub(crate) mod steps;
