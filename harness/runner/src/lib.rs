//! The runner behind the `ssap-harness` command: cucumber World, step library, result
//! collection and the `run` entry point. The binary is a thin clap layer over this.

#![warn(missing_docs)]

pub mod catalog;
pub mod collector;
pub mod context;
pub mod control_plane;
pub mod gherkin_paths;
pub mod journal;
pub mod preflight;
pub mod run;
pub mod select;
pub mod step_catalog;
pub mod step_doc;
pub mod steps;
pub mod test_data;
pub mod watchdog;
pub mod world;
