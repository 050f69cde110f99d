//! When devices start. The closed model (`--concurrency C`) starts the next device only when
//! one of C finishes, so a slow server silently gets fewer requests; the open model
//! (`--rate R`) starts device i at a fixed offset from the run's start whatever the server is
//! doing, as real endpoints do, so slowness shows in the latencies (measured from that
//! scheduled offset) instead of hiding in a lower request count (coordinated omission).

use std::time::Duration;

use serde::Serialize;

/// A device that starts more than this after its scheduled offset counts as late: tokio's
/// timer resolves 1 ms, so anything beyond 10 ms means the generator or the runtime could not
/// keep up with the schedule.
pub const LATE_AFTER: Duration = Duration::from_millis(10);

/// How devices are started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Arrivals {
    /// At most `concurrency` flows in flight; the next starts when one ends.
    Closed {
        /// Flows in flight at most.
        concurrency: usize,
    },
    /// `rate` devices per second on a schedule; with `ramp`, the rate grows linearly from 0 to
    /// `rate` over the run.
    Open {
        /// Devices started per second (the peak, with `ramp`).
        rate: f64,
        /// Grow the rate from 0 to `rate` instead of holding it.
        ramp: bool,
    },
}

impl Arrivals {
    /// What the report calls the model: `closed`, `open (steady)` or `open (ramp)`.
    pub fn name(&self) -> &'static str {
        match self {
            Arrivals::Closed { .. } => "closed",
            Arrivals::Open { ramp: false, .. } => "open (steady)",
            Arrivals::Open { ramp: true, .. } => "open (ramp)",
        }
    }

    /// Checked before anything starts.
    pub fn validate(&self) -> anyhow::Result<()> {
        match *self {
            Arrivals::Closed { concurrency } => {
                anyhow::ensure!(concurrency > 0, "--concurrency must be at least 1")
            }
            Arrivals::Open { rate, .. } => anyhow::ensure!(
                rate.is_finite() && rate > 0.0,
                "--rate must be a positive number of devices per second, got {rate}"
            ),
        }
        Ok(())
    }

    /// The offered rate of `n` devices, per second (`None` for the closed model, which offers
    /// whatever the server takes).
    pub fn offered_rate(&self, n: u64) -> Option<f64> {
        match *self {
            Arrivals::Closed { .. } => None,
            Arrivals::Open { rate, ramp: false } => Some(rate),
            // The ramp's mean rate: half the peak.
            Arrivals::Open { rate, ramp: true } => Some(if n > 0 { rate / 2.0 } else { 0.0 }),
        }
    }

    /// When device `i` (0-based within the `n` devices of this run) is due, from the run's
    /// start; `None` in the closed model.
    pub fn offset(&self, i: u64, n: u64) -> Option<Duration> {
        match *self {
            Arrivals::Closed { .. } => None,
            Arrivals::Open { rate, ramp } => Some(Duration::from_secs_f64(offset_secs(
                i as f64, n as f64, rate, ramp,
            ))),
        }
    }

    /// How long the schedule lasts (the last device's offset); zero in the closed model.
    pub fn schedule_length(&self, n: u64) -> Duration {
        n.checked_sub(1)
            .and_then(|last| self.offset(last, n))
            .unwrap_or_default()
    }
}

/// Steady: `i / R`. Ramp: the rate at time t is `R t / T`, so `i` devices have arrived by
/// `R t^2 / 2T`; with all `n` in by `T = 2n / R`, device `i` is due at `(2 / R) sqrt(n i)`.
fn offset_secs(i: f64, n: f64, rate: f64, ramp: bool) -> f64 {
    if ramp {
        2.0 / rate * (n * i).sqrt()
    } else {
        i / rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(a: Arrivals, i: u64, n: u64) -> f64 {
        a.offset(i, n).expect("open model").as_secs_f64()
    }

    #[test]
    fn steady_is_one_device_every_one_over_r() {
        let a = Arrivals::Open {
            rate: 200.0,
            ramp: false,
        };
        assert_eq!(secs(a, 0, 1000), 0.0);
        assert!((secs(a, 1, 1000) - 0.005).abs() < 1e-9);
        assert!((secs(a, 999, 1000) - 4.995).abs() < 1e-9);
        // Exactly R devices are due in every whole second.
        let in_first_second = (0..1000).filter(|&i| secs(a, i, 1000) < 1.0).count();
        assert_eq!(in_first_second, 200);
        assert_eq!(a.offered_rate(1000), Some(200.0));
    }

    #[test]
    fn the_ramp_goes_from_zero_to_r_and_ends_at_two_n_over_r() {
        let (rate, n) = (100.0, 1000u64);
        let a = Arrivals::Open { rate, ramp: true };
        assert_eq!(secs(a, 0, n), 0.0);
        // T = 2n/R = 20 s; the last device is due just before it.
        assert!(
            (a.schedule_length(n).as_secs_f64() - 2.0 / rate * ((n * (n - 1)) as f64).sqrt()).abs()
                < 1e-9
        );
        assert!(a.schedule_length(n).as_secs_f64() < 20.0);
        // Offsets never go backwards.
        for i in 1..n {
            assert!(secs(a, i, n) >= secs(a, i - 1, n));
        }
        // A quarter of the devices arrive in the first half of the run (N(t) ~ t^2)...
        let first_half = (0..n).filter(|&i| secs(a, i, n) < 10.0).count();
        assert_eq!(first_half, 250);
        // ...and the rate in the last second is close to R (between R - R/T and R).
        let last_second = (0..n).filter(|&i| secs(a, i, n) >= 19.0).count() as f64;
        assert!((95.0..=100.0).contains(&last_second), "{last_second}");
        assert_eq!(a.offered_rate(n), Some(50.0));
    }

    #[test]
    fn the_closed_model_has_no_schedule_and_bad_rates_are_refused() {
        let c = Arrivals::Closed { concurrency: 32 };
        assert_eq!(c.offset(5, 10), None);
        assert_eq!(c.schedule_length(10), Duration::ZERO);
        assert_eq!(c.offered_rate(10), None);
        assert!(c.validate().is_ok());
        assert!(Arrivals::Closed { concurrency: 0 }.validate().is_err());
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = Arrivals::Open { rate, ramp: false }
                .validate()
                .expect_err("refused");
            assert!(err.to_string().contains("--rate"), "{err}");
        }
    }
}
