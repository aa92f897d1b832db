//! How figures read: the one place that turns nanoseconds, kilobytes and durations into text.

/// A duration in nanoseconds as people read it: 812 ns, 3.410 µs, 12.300 ms, 1.520 s.
pub fn format_ns(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.3} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.3} ms", ns / 1e6)
    } else {
        format!("{:.3} s", ns / 1e9)
    }
}

/// Memory in kB as people read it: 812 KiB, 12.3 MiB, 1.52 GiB.
pub fn format_kb(kb: u64) -> String {
    let kb = kb as f64;
    if kb < 1024.0 {
        format!("{kb:.0} KiB")
    } else if kb < 1024.0 * 1024.0 {
        format!("{:.1} MiB", kb / 1024.0)
    } else {
        format!("{:.2} GiB", kb / 1024.0 / 1024.0)
    }
}

/// A duration as people read it: 850 ms, 42 s, 3 min 05 s.
pub fn format_eta(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s < 1 {
        format!("{} ms", d.as_millis())
    } else if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(format_ns(812), "812 ns");
        assert_eq!(format_ns(3_410), "3.410 µs");
        assert_eq!(format_ns(12_300_000), "12.300 ms");
        assert_eq!(format_ns(1_520_000_000), "1.520 s");
        assert_eq!(
            format_eta(std::time::Duration::from_secs(185)),
            "3 min 05 s"
        );
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(format_kb(812), "812 KiB");
        assert_eq!(format_kb(12_595), "12.3 MiB");
        assert_eq!(format_kb(1_593_835), "1.52 GiB");
    }
}
