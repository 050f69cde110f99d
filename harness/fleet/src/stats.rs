//! Latency percentiles (an HDR histogram, so 100,000 samples cost a fixed few hundred KB
//! instead of a sorted vector) and the process's peak memory.

use std::time::Duration;

use hdrhistogram::Histogram;

/// Longest latency recorded exactly; longer ones are clamped (and still counted).
const MAX_MICROS: u64 = 10 * 60 * 1_000_000;

/// Per-device flow latencies, in microseconds, to three significant digits.
#[derive(Debug, Clone)]
pub struct Latencies {
    hist: Histogram<u64>,
}

impl Latencies {
    /// An empty distribution (microsecond resolution, up to an hour).
    pub fn new() -> anyhow::Result<Self> {
        let hist = Histogram::new_with_max(MAX_MICROS, 3)
            .map_err(|e| anyhow::anyhow!("cannot create the latency histogram: {e:?}"))?;
        Ok(Self { hist })
    }

    /// Adds one latency (clamped to the histogram's range).
    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.hist.saturating_record(us.clamp(1, MAX_MICROS));
    }

    /// How many latencies were recorded.
    pub fn len(&self) -> u64 {
        self.hist.len()
    }

    /// Whether none was recorded.
    pub fn is_empty(&self) -> bool {
        self.hist.is_empty()
    }

    /// The `q`-quantile (0.0..=1.0) in milliseconds; 0 with no samples. `q` is rounded to nine
    /// decimals first, so that a quantile reached by arithmetic (`99.9 / 100.0` is
    /// 0.9990000000000001) names the same sample as the literal: with 2,000 samples the extra
    /// ulp moved p99.9 one sample up, and the report's table and summary disagreed.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            return 0.0;
        }
        let q = (q * 1e9).round() / 1e9;
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Events per second, 0 when no time passed.
pub fn per_sec(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// Peak resident memory of this process so far (`VmHWM`), in bytes; `None` off Linux.
pub fn peak_rss_bytes() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_vm_hwm(&s))
}

/// Resident memory of this process now (`VmRSS`), in bytes; `None` off Linux.
pub fn current_rss_bytes() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_status_bytes(&s, "VmRSS:"))
}

/// CPU time this process has used so far (user + system, every thread), in seconds;
/// `None` off Linux. Read from `/proc/self/stat`, in ticks of 10 ms.
pub fn cpu_seconds() -> Option<f64> {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| parse_stat_cpu_seconds(&s))
}

/// `utime` + `stime` (fields 14 and 15) of a `/proc/<pid>/stat` line, in seconds. The kernel
/// counts them in USER_HZ, which is 100 on every Linux architecture's user ABI.
pub fn parse_stat_cpu_seconds(stat: &str) -> Option<f64> {
    const USER_HZ: f64 = 100.0;
    // The command name (field 2) is in parentheses and may hold spaces or parentheses.
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}

/// Hands glibc's free memory back to the system (`malloc_trim`), so a pass that starts after
/// another does not grow into pages the first one freed and look cheaper than it is. The
/// `ssap-harness` binary allocates Rust's memory with mimalloc, which returns freed pages to
/// the system on its own after a few milliseconds; glibc still serves SQLite. Does nothing
/// off glibc.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim takes no pointers and only touches the allocator's own free
        // lists, under its own locks; any thread may call it at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// `VmHWM:   12345 kB` -> 12345 * 1024.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    parse_status_bytes(status, "VmHWM:")
}

/// The size on the `/proc/self/status` line starting with `key`, in bytes.
pub fn parse_status_bytes(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let mut parts = line[key.len()..].split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    let unit = parts.next().unwrap_or("kB");
    let mult = match unit {
        "kB" => 1024,
        "mB" | "MB" => 1024 * 1024,
        "B" => 1,
        _ => return None,
    };
    value.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_a_thousand_ms() {
        let mut l = Latencies::new().expect("histogram");
        for ms in 1..=1000u64 {
            l.record(Duration::from_millis(ms));
        }
        assert_eq!(l.len(), 1000);
        // Three significant digits: within 0.1 % of the exact rank.
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001 + 0.001;
        assert!(close(l.quantile_ms(0.50), 500.0), "{}", l.quantile_ms(0.5));
        assert!(close(l.quantile_ms(0.95), 950.0), "{}", l.quantile_ms(0.95));
        assert!(close(l.quantile_ms(0.99), 990.0), "{}", l.quantile_ms(0.99));
        assert!(close(l.quantile_ms(1.0), 1000.0), "{}", l.quantile_ms(1.0));
    }

    #[test]
    fn a_computed_quantile_names_the_same_sample_as_the_literal() {
        let mut l = Latencies::new().expect("histogram");
        for ms in 1..=2000u64 {
            l.record(Duration::from_millis(ms));
        }
        assert_eq!(l.quantile_ms(99.9 / 100.0), l.quantile_ms(0.999));
        assert_eq!(l.quantile_ms(99.99 / 100.0), l.quantile_ms(0.9999));
    }

    #[test]
    fn cpu_time_is_read_after_the_command_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        let line = "4242 (ssap (harness) x) R 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 9";
        assert_eq!(parse_stat_cpu_seconds(line), Some(3.25));
        assert_eq!(parse_stat_cpu_seconds("4242 (x) R 1"), None);
        assert!(cpu_seconds().is_some_and(|s| s >= 0.0));
    }

    #[test]
    fn empty_and_extreme_samples() {
        let mut l = Latencies::new().expect("histogram");
        assert!(l.is_empty());
        assert_eq!(l.quantile_ms(0.99), 0.0);
        l.record(Duration::ZERO);
        l.record(Duration::from_secs(24 * 3600));
        assert_eq!(l.len(), 2, "out-of-range samples are clamped, not dropped");
        assert!(l.quantile_ms(1.0) >= 599_000.0);
    }

    #[test]
    fn rates() {
        assert_eq!(per_sec(100, 2.0), 50.0);
        assert_eq!(per_sec(100, 0.0), 0.0);
    }

    #[test]
    fn reads_vm_hwm() {
        let status = "Name:\tx\nVmPeak:\t  999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2048 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS: 1 kB"), None);
        assert_eq!(parse_vm_hwm("VmHWM: lots kB"), None);
        assert_eq!(parse_status_bytes(status, "VmRSS:"), Some(1024));
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
