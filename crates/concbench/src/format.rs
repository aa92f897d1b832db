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

/// A time that may be under a nanosecond (a per-iteration figure): 0.412 ns, 2.05 ns,
/// 31.6 ns, and from 1 µs on as [`format_ns`].
pub fn format_ns_fine(ns: f64) -> String {
    if ns < 10.0 {
        format!("{ns:.3} ns")
    } else if ns < 100.0 {
        format!("{ns:.2} ns")
    } else if ns < 1e3 {
        format!("{ns:.1} ns")
    } else {
        format_ns(ns.round() as u64)
    }
}

/// A ratio: 1.06×, 12.4×, 312×.
pub fn format_ratio(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}×")
    } else if x < 100.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.0}×")
    }
}

/// A p-value as papers print it: p = 0.008, p = 0.31, p < 0.001.
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

/// A count with thousands separators: 1,000, 250,000.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plain figure: whole numbers with separators (3,072), small ones with the decimals they
/// need (0.8, 1.25).
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let s = format_count(x.abs() as u64);
        if x < 0.0 {
            format!("-{s}")
        } else {
            s
        }
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Memory in bytes, for per-unit figures: 412 B, 2.69 KiB, 16.3 KiB, 1.2 MiB.
pub fn format_bytes(bytes: f64) -> String {
    if bytes.abs() < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes.abs() < 10.0 * 1024.0 {
        format!("{:.2} KiB", bytes / 1024.0)
    } else if bytes.abs() < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
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
    fn fine_times_ratios_and_p_values_read_well() {
        assert_eq!(format_ns_fine(0.4123), "0.412 ns");
        assert_eq!(format_ns_fine(31.62), "31.62 ns");
        assert_eq!(format_ns_fine(2_500.0), "2.500 µs");
        assert_eq!(format_ratio(1.0634), "1.06×");
        assert_eq!(format_ratio(312.4), "312×");
        assert_eq!(format_p(0.0079), "p = 0.008");
        assert_eq!(format_p(0.3112), "p = 0.31");
        assert_eq!(format_p(0.0001), "p < 0.001");
        assert_eq!(format_bytes(2_754.0), "2.69 KiB");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(format_kb(812), "812 KiB");
        assert_eq!(format_kb(12_595), "12.3 MiB");
        assert_eq!(format_kb(1_593_835), "1.52 GiB");
    }

    #[test]
    fn counts_and_plain_numbers_read_well() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000), "1,000");
        assert_eq!(format_count(250_000), "250,000");
        assert_eq!(format_count(1_000_000), "1,000,000");
        assert_eq!(format_number(3072.0), "3,072");
        assert_eq!(format_number(0.8), "0.8");
        assert_eq!(format_number(1.25), "1.25");
        assert_eq!(format_number(-2.0), "-2");
    }
}
