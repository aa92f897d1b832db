//! How results reach a person: progress while running, tables afterwards.

pub mod progress;
pub mod table;

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
    fn sizes_and_durations_read_well() {
        assert_eq!(format_kb(812), "812 KiB");
        assert_eq!(format_kb(12_595), "12.3 MiB");
        assert_eq!(format_kb(1_593_835), "1.52 GiB");
        assert_eq!(
            format_eta(std::time::Duration::from_secs(185)),
            "3 min 05 s"
        );
    }
}
