//! The runner behind the `ssap-harness` command: cucumber World, step library, result
//! collection and the `run` entry point. The binary is a thin clap layer over this.

pub mod catalog;
pub mod collector;
pub mod context;
pub mod embedded;
pub mod journal;
pub mod run;
pub mod step_catalog;
pub mod steps;
pub mod world;
