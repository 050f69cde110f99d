//! `fleet.html`: one file with inline SVG and CSS, no scripts and nothing fetched, so it opens
//! from a CI artifact or an e-mail as it is. First the verdict and the headline figures, then
//! throughput and devices in flight over time, latency percentiles on HDR-style log axes, the
//! verification buckets, the parameters and the command that reproduces the run.

use std::fmt::Write as _;

use ssap_reports::text::html as esc;

use super::model::FleetReport;
use crate::timing::{LatencyRow, Sample};

const COLORS: [&str; 8] = [
    "#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d", "#495057",
];
const W: f64 = 1000.0;
const H: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;

/// With thousands in flight, memory per device in flight says what a device costs; with a few
/// hundred (the closed model's default) the process's own growth dominates that figure, so the
/// card gives the peak divided by the fleet's devices instead and says which it is.
const IN_FLIGHT_FOR_MEMORY: u64 = 1000;

fn memory_card(s: &crate::FleetSummary) -> String {
    let peak = s.peak_rss_bytes as f64 / 1048576.0;
    if s.peak_in_flight >= IN_FLIGHT_FOR_MEMORY {
        format!(
            "{peak:.0} MiB peak; {} B per device in flight",
            s.rss_bytes_per_in_flight
        )
    } else {
        format!(
            "{peak:.0} MiB peak; {} B per device of the fleet (peak ÷ devices)",
            s.rss_bytes_per_device
        )
    }
}

/// The whole page.
pub fn render(r: &FleetReport) -> String {
    let s = &r.summary;
    let p = &r.parameters;
    let mut h = String::with_capacity(64 * 1024);
    let verdict = if s.passed() { "PASS" } else { "FAIL" };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>fleet: {verdict}, {} devices, {}</title><style>{CSS}</style></head><body>",
        s.devices,
        esc(&p.model)
    );
    let _ = write!(
        h,
        "<h1><span class=\"verdict {}\">{verdict}</span> fleet of {} devices, {} model</h1>",
        verdict.to_lowercase(),
        s.devices,
        esc(&p.model)
    );
    h.push_str("<div class=\"cards\">");
    let offered = match (s.offered_rate, p.rate) {
        (Some(mean), Some(peak)) if p.ramp => format!("0 → {peak:.0}/s (mean {mean:.0}/s)"),
        (Some(r), _) => format!("{r:.0}/s"),
        _ => format!("as served, {} in flight", p.concurrency),
    };
    for (label, value) in [
        ("offered", offered),
        ("achieved", format!("{:.0} devices/s", s.achieved_rate)),
        ("provisioned", format!("{} of {}", s.provisioned, s.devices)),
        (
            "p50 / p99 / p99.9",
            format!("{:.1} / {:.1} / {:.1} ms", s.p50_ms, s.p99_ms, s.p999_ms),
        ),
        ("peak in flight", s.peak_in_flight.to_string()),
        (
            "late starts (>10 ms behind)",
            format!("{} (max {:.0} ms)", s.late_starts, s.max_start_lag_ms),
        ),
        ("memory", memory_card(s)),
        ("flow", format!("{:.2} s", s.seconds)),
    ]
    .into_iter()
    .chain(s.floor.as_ref().zip(s.floor_ratio).map(|(f, r)| {
        (
            "flow / floor",
            format!("{r:.2}x (floor {:.2} s)", f.seconds),
        )
    })) {
        let _ = write!(
            h,
            "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"value\">{}</div></div>",
            esc(&value)
        );
    }
    h.push_str("</div>");
    if !s.thresholds.is_empty() {
        h.push_str("<p>Limits asked for:</p><ul>");
        for t in &s.thresholds {
            let _ = write!(
                h,
                "<li class=\"{}\">{}</li>",
                if t.met { "met" } else { "missed" },
                esc(&t.describe())
            );
        }
        h.push_str("</ul>");
    }
    let _ = write!(
        h,
        "<p class=\"note\">Latency is each device's whole flow (power on to desktop), counted from \
         when it was {}.</p>",
        if p.rate.is_some() {
            "due on the arrival schedule, so a slow server shows up here and not as fewer requests"
        } else {
            "started (closed model: a device starts only when another finishes, so a slow server \
             lowers the rate instead of raising these)"
        }
    );

    h.push_str("<h2>Over time</h2>");
    h.push_str(&time_chart(
        &per_second(&r.timeline),
        "devices finished per second (over the last second)",
        COLORS[0],
    ));
    let series = |f: fn(&Sample) -> f64| -> Vec<(f64, f64)> {
        r.timeline.iter().map(|x| (x.t, f(x))).collect()
    };
    h.push_str(&time_chart(
        &series(|x| x.max_in_flight as f64),
        "devices in flight (the most at once in each 100 ms)",
        COLORS[1],
    ));
    h.push_str(&time_chart(
        &series(|x| x.rss_bytes as f64 / 1048576.0),
        "resident memory, MiB (whole process)",
        COLORS[2],
    ));

    h.push_str("<h2>Latency percentiles</h2>");
    h.push_str(&percentile_chart(&r.latency));
    h.push_str(&latency_table(&r.latency));

    h.push_str("<h2>Verification</h2>");
    h.push_str(&buckets(r));

    h.push_str("<h2>Parameters</h2><table>");
    let mut rows: Vec<(&str, String)> = vec![
        ("model", p.model.clone()),
        ("devices", p.devices.to_string()),
        ("windows share", p.windows_share.to_string()),
        (
            "rate",
            p.rate
                .map(|r| format!("{r}/s{}", if p.ramp { ", ramp from 0" } else { "" }))
                .unwrap_or_else(|| "-".into()),
        ),
        ("concurrency", p.concurrency.to_string()),
        ("rtt / jitter", format!("{} / {} ms", p.rtt_ms, p.jitter_ms)),
        ("seed", p.seed.to_string()),
        ("shard", p.shard.clone()),
        ("control plane", p.control_plane.clone()),
        ("setup (not measured)", format!("{:.2} s", s.setup_seconds)),
        ("verification", format!("{:.2} s", s.verify_seconds)),
    ];

    if let Some(proxy) = &s.proxy {
        rows.push((
            "delay proxy",
            format!(
                "{} connections, {} failed upstream, {} accept errors",
                proxy.connections, proxy.upstream_failures, proxy.accept_errors
            ),
        ));
    }
    for (k, v) in rows {
        let _ = write!(h, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    let _ = write!(
        h,
        "</table><h2>Reproduce</h2><pre>{}</pre></body></html>",
        esc(&p.command)
    );
    h
}

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212529;max-width:1040px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dee2e6}\
.verdict{padding:2px 10px;border-radius:4px;color:#fff}.pass{background:#2b8a3e}.fail{background:#c92a2a}\
.met{color:#2b8a3e}.missed{color:#c92a2a;font-weight:600}\
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dee2e6;border-radius:6px;padding:8px 12px;min-width:150px}\
.label{color:#868e96;font-size:12px}.value{font-size:17px;font-weight:600}.note{color:#495057}\
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #dee2e6;padding:3px 8px;text-align:right}\
th{background:#f8f9fa;text-align:left}pre{background:#f8f9fa;padding:10px;white-space:pre-wrap}\
svg{display:block;margin:6px 0}svg text{font:11px system-ui,sans-serif;fill:#495057}.legend{font-size:12px}";

/// About five round steps (1, 2 or 5 times a power of ten) covering `0..=max`.
pub fn nice_step(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A percentile as people write it: 50, 99.9, 99.99.
pub fn fmt_percentile(p: f64) -> String {
    let s = format!("{p:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Throughput over a trailing one-second window: the 100 ms samples alone are too spiky to
/// read (a sample holds 0 or 200 completions at 1,000/s).
pub fn per_second(samples: &[Sample]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(samples.len());
    let mut start = 0;
    for (i, s) in samples.iter().enumerate() {
        while start < i && s.t - samples[start].t > 1.0 {
            start += 1;
        }
        let first = &samples[start];
        let rate = if s.t > first.t {
            s.finished.saturating_sub(first.finished) as f64 / (s.t - first.t)
        } else {
            0.0
        };
        out.push((s.t, rate));
    }
    out
}

/// A line over the flow's seconds.
fn time_chart(points: &[(f64, f64)], title: &str, color: &str) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"{LEFT}\" y=\"18\" font-weight=\"600\">{t}</text>",
        t = esc(title)
    );
    let t_max = points.iter().map(|p| p.0).fold(0.0, f64::max);
    let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let y_step = nice_step(y_max);
    let y_top = (y_max / y_step).ceil().max(1.0) * y_step;
    let x_step = nice_step(t_max);
    let x_right = (t_max / x_step).ceil().max(1.0) * x_step;
    let sx = |t: f64| LEFT + t / x_right * pw;
    let sy = |v: f64| TOP + ph - v / y_top * ph;
    axes(&mut h);
    let mut v = 0.0;
    while v <= y_top + y_step / 2.0 {
        let yy = sy(v);
        let _ = write!(
            h,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#f1f3f5\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            fmt_num(v)
        );
        v += y_step;
    }
    let mut t = 0.0;
    while t <= x_right + x_step / 2.0 {
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            sx(t),
            H - BOTTOM + 16.0,
            fmt_num(t)
        );
        t += x_step;
    }
    let _ = write!(
        h,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">seconds since the flow started</text>",
        LEFT + pw / 2.0,
        H - 6.0
    );
    if points.is_empty() {
        h.push_str("<text x=\"400\" y=\"130\">no samples</text>");
    } else {
        let pts: Vec<String> = points
            .iter()
            .map(|&(t, v)| format!("{:.1},{:.1}", sx(t), sy(v)))
            .collect();
        let _ = write!(
            h,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    h.push_str("</svg>");
    h
}

fn axes(h: &mut String) {
    let _ = write!(
        h,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#adb5bd\"/>\
         <line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#adb5bd\"/>",
        b = H - BOTTOM,
        r = W - RIGHT
    );
}

/// HDR style: x is `log10(1 / (1 - p))`, so p90, p99, p99.9 and p99.99 are evenly spaced.
pub fn hdr_x(percentile: f64) -> f64 {
    let tail = (1.0 - percentile / 100.0).max(1e-5);
    (1.0 / tail).log10()
}

/// Height of one legend entry: the distribution's name, then its sample count on a line of
/// its own, so a long name and a count of a million stay inside the picture.
const LEGEND_ROW: f64 = 30.0;

/// Percentile (x, HDR) against latency (y, log ms), one line per distribution.
fn percentile_chart(rows: &[LatencyRow]) -> String {
    let ch = 340.0;
    let mut h = String::new();
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {W} {ch}\" width=\"{W}\" height=\"{ch}\" role=\"img\" \
         aria-label=\"latency by percentile\">\
         <text x=\"{LEFT}\" y=\"18\" font-weight=\"600\">latency by percentile (ms, log scale)</text>"
    );
    let shown: Vec<&LatencyRow> = rows.iter().filter(|r| r.count > 0).collect();
    let all = || {
        shown
            .iter()
            .flat_map(|r| r.percentiles.iter())
            .filter(|p| p.percentile < 100.0 && p.ms > 0.0)
    };
    let lo = all().map(|p| p.ms).fold(f64::INFINITY, f64::min);
    let hi = all().map(|p| p.ms).fold(0.0, f64::max);
    let (lo_dec, hi_dec) = if lo.is_finite() && hi > 0.0 {
        (
            lo.log10().floor(),
            hi.log10().ceil().max(lo.log10().floor() + 1.0),
        )
    } else {
        (0.0, 1.0)
    };
    let (pw, ph) = (W - LEFT - 220.0, ch - TOP - BOTTOM);
    let x_max = hdr_x(99.999);
    let sx = |p: f64| LEFT + hdr_x(p) / x_max * pw;
    let sy = |ms: f64| TOP + ph - (ms.log10() - lo_dec) / (hi_dec - lo_dec) * ph;
    let _ = write!(
        h,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#adb5bd\"/>\
         <line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#adb5bd\"/>",
        b = TOP + ph,
        r = LEFT + pw
    );
    let mut d = lo_dec;
    while d <= hi_dec + 0.5 {
        let ms = 10f64.powf(d);
        let yy = sy(ms);
        let _ = write!(
            h,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#f1f3f5\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT + pw,
            LEFT - 6.0,
            yy + 4.0,
            fmt_num(ms)
        );
        d += 1.0;
    }
    for p in [0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 99.999] {
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">p{}</text>",
            sx(p),
            TOP + ph + 16.0,
            fmt_percentile(p)
        );
    }
    for (i, r) in shown.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<String> = r
            .percentiles
            .iter()
            .filter(|p| p.percentile < 100.0 && p.ms > 0.0)
            .map(|p| format!("{:.1},{:.1}", sx(p.percentile), sy(p.ms)))
            .collect();
        let width = if i == 0 { 3.0 } else { 1.5 };
        let _ = write!(
            h,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" points=\"{}\"/>\
             <rect x=\"{:.0}\" y=\"{:.0}\" width=\"12\" height=\"4\" fill=\"{color}\"/>\
             <text class=\"legend\" x=\"{:.0}\" y=\"{:.0}\">{}</text>\
             <text x=\"{:.0}\" y=\"{:.0}\" font-size=\"10\">{} samples</text>",
            pts.join(" "),
            LEFT + pw + 16.0,
            TOP + 10.0 + i as f64 * LEGEND_ROW,
            LEFT + pw + 34.0,
            TOP + 15.0 + i as f64 * LEGEND_ROW,
            esc(&r.kind),
            LEFT + pw + 34.0,
            TOP + 27.0 + i as f64 * LEGEND_ROW,
            fmt_num(r.count as f64)
        );
    }
    h.push_str("</svg>");
    h
}

fn latency_table(rows: &[LatencyRow]) -> String {
    let mut h = String::from("<table><tr><th>distribution</th><th>count</th><th>errors</th>");
    if let Some(r) = rows.first() {
        for p in &r.percentiles {
            if p.percentile >= 100.0 {
                h.push_str("<th>max</th>");
            } else {
                let _ = write!(h, "<th>p{}</th>", fmt_percentile(p.percentile));
            }
        }
    }
    h.push_str("</tr>");
    for r in rows {
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{}</td><td>{}</td>",
            esc(&r.kind),
            r.count,
            r.errors
        );
        for p in &r.percentiles {
            let _ = write!(h, "<td>{:.2}</td>", p.ms);
        }
        h.push_str("</tr>");
    }
    h.push_str(
        "</table><p class=\"note\">Milliseconds. <b>device flow</b>: one device's whole \
         first-use flow, from its start to the desktop (or to where it stopped). With a rate \
         (open model), <b>from due</b> counts from when the schedule said the device should \
         start, so a generator or server running behind shows up here, and <b>from start</b> \
         from when it really started. Request kinds time one API call each, send to last \
         byte of the reply.</p>",
    );
    h
}

fn buckets(r: &FleetReport) -> String {
    let total = r.summary.devices.max(1) as f64;
    let mut h = String::from("<table>");
    for b in &r.buckets {
        let bad = b.devices > 0 && b.name != "provisioned";
        let width = (b.devices as f64 / total * 400.0).max(if b.devices > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{}</td><td style=\"text-align:left\"><svg width=\"410\" height=\"12\">\
             <rect width=\"{width:.1}\" height=\"12\" fill=\"{}\"/></svg></td></tr>",
            esc(&b.name),
            b.devices,
            if bad { "#c92a2a" } else { "#2b8a3e" }
        );
    }
    h.push_str("</table>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn percentiles_read_as_written() {
        assert_eq!(fmt_percentile(50.0), "50");
        assert_eq!(fmt_percentile(99.9), "99.9");
        assert_eq!(fmt_percentile(99.99), "99.99");
        assert_eq!(fmt_percentile(99.999), "99.999");
    }

    #[test]
    fn throughput_is_read_over_the_last_second() {
        let at = |t: f64, finished| Sample {
            t,
            started: finished,
            finished,
            in_flight: 0,
            max_in_flight: 0,
            finished_per_sec: 0.0,
            rss_bytes: 0,
        };
        // 100 devices every 100 ms for 2 s, then nothing for a second.
        let mut samples: Vec<Sample> = (0..=20).map(|i| at(i as f64 / 10.0, i * 100)).collect();
        samples.extend((21..=30).map(|i| at(i as f64 / 10.0, 2000)));
        let rates = per_second(&samples);
        assert_eq!(rates.len(), samples.len());
        assert_eq!(rates[0].1, 0.0);
        assert!((rates[15].1 - 1000.0).abs() < 1e-6, "{:?}", rates[15]);
        assert!((rates[25].1 - 500.0).abs() < 1e-6, "{:?}", rates[25]);
        assert_eq!(rates[30].1, 0.0);
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(10.0), 2.0);
        assert_eq!(nice_step(2800.0), 1000.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn the_hdr_axis_spaces_the_nines_evenly() {
        assert!((hdr_x(90.0) - 1.0).abs() < 1e-9);
        assert!((hdr_x(99.0) - 2.0).abs() < 1e-9);
        assert!((hdr_x(99.99) - 4.0).abs() < 1e-6);
        assert_eq!(hdr_x(0.0), 0.0);
        assert!(hdr_x(100.0).is_finite());
    }
}
