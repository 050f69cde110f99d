//! Fleet load mode (`ssap-harness fleet`): N simulated macOS and Windows endpoints, each with
//! its own directory user, all running the whole first-use flow over real HTTP at once
//! (bounded by a concurrency limit), then a check against the control plane that every device
//! has exactly one association and that every local account store agrees with it.
//!
//! Phases: setup (the org and N users through the admin API; not measured), the measured flow
//! (power on, sign-in through the screen model, provisioning, first login), verification, and
//! optionally the floor (see [`floor`]). Devices start either closed-model (at most C in
//! flight) or open-model (R per second on a schedule, see [`arrivals`]), optionally through a
//! path with internet latency ([`delay_proxy`]); every run can leave `fleet.json` and
//! `fleet.html` behind ([`report`]). Only a compact [`flow::DeviceRecord`] outlives each
//! device's flow, and it goes to a temporary file ([`records`]), so memory does not grow with
//! the fleet's size.
//!
//! Modules: [`options`] (what a run is asked), [`run`] (setup, flow, verification: the run
//! itself), [`summary`] (what it found); the control plane ([`control_plane`]), the arrival
//! schedules ([`arrivals`]), the delayed path ([`delay_proxy`]), one device's flow ([`flow`]),
//! who is who ([`naming`]), the harness's own cost next to a bare client ([`bare`], [`cost`]), the records kept on disk ([`records`]), the checks afterwards ([`verify`]), the measurements ([`timing`],
//! [`stats`], [`floor`], [`progress`]) and the report files ([`report`]).

#![warn(missing_docs)]

pub mod arrivals;
pub mod bare;
pub mod control_plane;
pub mod cost;
pub mod delay_proxy;
pub mod floor;
pub mod flow;
pub mod naming;
pub mod options;
pub mod progress;
pub mod records;
pub mod report;
pub mod run;
pub mod stats;
pub mod summary;
pub mod thresholds;
pub mod timing;
pub mod verify;

#[cfg(test)]
mod tests;

pub use arrivals::Arrivals;
pub use control_plane::{ControlPlane, OrgKeys};
pub use delay_proxy::{PathDelay, ProxyStats};
pub use floor::FloorSummary;
pub use naming::FleetNames;
pub use options::{FleetOptions, DEFAULT_CONCURRENCY};
pub use progress::ProgressMode;
pub use report::FleetReport;
pub use run::{run, run_detailed, FleetRun};
pub use ssap_shard::Shard;
pub use summary::FleetSummary;
pub use thresholds::{ThresholdResult, Thresholds};
