//! The harness's own cost (`--client-floor`): CPU time and memory of the fleet's process per
//! simulated device, next to the same figures for a bare client ([`crate::bare`]) that sends
//! the same requests to the same control plane with the same arrivals, in the same run.
//! Against an embedded control plane the process's CPU includes the server's, so the figures
//! mean what they say only with `--control-plane URL`.

use std::collections::BTreeMap;

use serde::Serialize;

/// What one pass of devices cost this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PassCost {
    /// Devices run.
    pub devices: u64,
    /// CPU time (user + system, every thread) used during the pass, in seconds.
    pub cpu_seconds: f64,
    /// `cpu_seconds` per device, in microseconds.
    pub cpu_us_per_device: f64,
    /// Most devices in flight at once.
    pub peak_in_flight: u64,
    /// Growth of resident memory over the pass's start, at its largest sample.
    pub rss_growth_bytes: u64,
    /// That growth at the busiest sample, per device then in flight (meaningful with
    /// thousands in flight, i.e. with `--rate` and `--rtt`).
    pub rss_bytes_per_in_flight: u64,
}

impl PassCost {
    /// The cost of a pass of `devices` that used `cpu_seconds`.
    pub fn new(
        devices: u64,
        cpu_seconds: f64,
        peak_in_flight: u64,
        rss_growth_bytes: u64,
        rss_bytes_per_in_flight: u64,
    ) -> Self {
        Self {
            devices,
            cpu_seconds,
            cpu_us_per_device: if devices == 0 {
                0.0
            } else {
                cpu_seconds * 1e6 / devices as f64
            },
            peak_in_flight,
            rss_growth_bytes,
            rss_bytes_per_in_flight,
        }
    }
}

/// The simulated flow's cost next to the bare client's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientFloor {
    /// The measured flow (simulated endpoints).
    pub flow: PassCost,
    /// The bare client, on a second set of users and devices.
    pub bare: PassCost,
    /// Bare devices whose five requests all succeeded (the floor is only a floor if all did).
    pub bare_completed: u64,
    /// Why the first bare device that failed stopped.
    pub bare_first_failure: Option<String>,
    /// HTTP requests of one bare macOS and one bare Windows device (5 each, as the flow).
    pub bare_requests_per_device: [u64; 2],
    /// Every request the bare pass sent, by kind (`GET /api/device/login-window`): the same
    /// kinds and counts as the flow's, or the floor is not the same work.
    pub bare_requests_by_kind: BTreeMap<String, u64>,
    /// The bare pass's wall-clock seconds.
    pub bare_seconds: f64,
    /// Creating the bare pass's users (not measured).
    pub bare_setup_seconds: f64,
    /// `flow.cpu_seconds / bare.cpu_seconds`: the goal is at most 1.5.
    pub cpu_ratio: Option<f64>,
    /// `flow.rss_bytes_per_in_flight / bare.rss_bytes_per_in_flight`.
    pub memory_ratio: Option<f64>,
    /// The control plane ran in this process, so the CPU figures include it.
    pub includes_control_plane: bool,
}

impl ClientFloor {
    /// The comparison of two passes.
    #[allow(clippy::too_many_arguments)]
    pub fn compare(
        flow: PassCost,
        bare: PassCost,
        bare_completed: u64,
        bare_first_failure: Option<String>,
        bare_requests_per_device: [u64; 2],
        bare_requests_by_kind: BTreeMap<String, u64>,
        bare_seconds: f64,
        bare_setup_seconds: f64,
        includes_control_plane: bool,
    ) -> Self {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        Self {
            cpu_ratio: ratio(flow.cpu_seconds, bare.cpu_seconds),
            memory_ratio: ratio(
                flow.rss_bytes_per_in_flight as f64,
                bare.rss_bytes_per_in_flight as f64,
            ),
            flow,
            bare,
            bare_completed,
            bare_first_failure,
            bare_requests_per_device,
            bare_requests_by_kind,
            bare_seconds,
            bare_setup_seconds,
            includes_control_plane,
        }
    }

    /// Lines for the text summary.
    pub fn render_text(&self) -> String {
        let kib = |b: u64| b as f64 / 1024.0;
        let times = |r: Option<f64>| r.map_or_else(|| "n/a".to_string(), |r| format!("{r:.2}x"));
        let mut s = format!(
            "harness cost (this process{}): CPU {:.0} µs per simulated device vs {:.0} µs per bare-client device = {}; \
             memory per device in flight {:.1} KiB vs {:.1} KiB = {} (peak in flight {} vs {}; RSS growth {:.1} vs {:.1} MiB)\n",
            if self.includes_control_plane {
                ", embedded control plane included: use --control-plane URL for the harness alone"
            } else {
                ""
            },
            self.flow.cpu_us_per_device,
            self.bare.cpu_us_per_device,
            times(self.cpu_ratio),
            kib(self.flow.rss_bytes_per_in_flight),
            kib(self.bare.rss_bytes_per_in_flight),
            times(self.memory_ratio),
            self.flow.peak_in_flight,
            self.bare.peak_in_flight,
            kib(self.flow.rss_growth_bytes) / 1024.0,
            kib(self.bare.rss_growth_bytes) / 1024.0,
        );
        s.push_str(&format!(
            "client floor: {} of {} bare devices completed their {}/{} requests (macOS/Windows) in {:.2} s\n",
            self.bare_completed,
            self.bare.devices,
            self.bare_requests_per_device[0],
            self.bare_requests_per_device[1],
            self.bare_seconds
        ));
        if let Some(why) = &self.bare_first_failure {
            s.push_str(&format!("  first bare failure: {why}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_divide_the_flow_by_the_bare_client_and_skip_a_zero_floor() {
        let flow = PassCost::new(1000, 3.0, 32, 8 << 20, 40_000);
        let bare = PassCost::new(1000, 2.0, 32, 4 << 20, 0);
        assert_eq!(flow.cpu_us_per_device, 3000.0);
        let c = ClientFloor::compare(
            flow,
            bare,
            1000,
            None,
            [5, 5],
            BTreeMap::new(),
            1.0,
            0.5,
            false,
        );
        assert_eq!(c.cpu_ratio, Some(1.5));
        assert_eq!(
            c.memory_ratio, None,
            "no growth measured for the bare client"
        );
        assert!(c.render_text().contains("= 1.50x"), "{}", c.render_text());
        assert!(!c.render_text().contains("included"));
        assert_eq!(PassCost::new(0, 1.0, 0, 0, 0).cpu_us_per_device, 0.0);
    }
}
