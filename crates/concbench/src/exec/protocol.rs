//! The implementation protocol (impls/README.md), the harness's side: reading a program's report.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The last line of a successful run's stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The answer the implementation computed, to check against the harness's reference.
    pub checksum: u64,
    /// Time measured inside the process around the concurrent part, ns.
    pub elapsed_ns: u64,
    /// Operations done (tasks, jobs, increments, ...), to check against the workload's count.
    pub ops: u64,
    /// The implementation's own extra figures, e.g. `rss_kb` and `spawn_ns`.
    pub metrics: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    checksum: String,
    elapsed_ns: u64,
    ops: u64,
    #[serde(default)]
    metrics: BTreeMap<String, i64>,
}

/// Parses the report from a program's whole stdout (its last non-empty line), or says what
/// is wrong with it.
pub fn parse_report(stdout: &str) -> Result<Report, String> {
    let Some(line) = stdout.lines().rev().find(|l| !l.trim().is_empty()) else {
        return Err("printed nothing on stdout (the protocol's JSON line is missing)".into());
    };
    let shown: String = line.chars().take(120).collect();
    let raw: RawReport = serde_json::from_str(line.trim()).map_err(|e| {
        format!("the last line of stdout is not the protocol's JSON ({e}): {shown}")
    })?;
    let checksum = raw
        .checksum
        .parse()
        .map_err(|_| format!("checksum {:?} is not a u64 in decimal", raw.checksum))?;
    Ok(Report {
        checksum,
        elapsed_ns: raw.elapsed_ns,
        ops: raw.ops,
        metrics: raw.metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_is_the_report() {
        let out = "noise\n{\"checksum\": \"18446744073709551615\", \"elapsed_ns\": 5, \"ops\": 2, \"metrics\": {\"rss_kb\": 7}}\n\n";
        let r = parse_report(out).unwrap();
        assert_eq!(r.checksum, u64::MAX);
        assert_eq!((r.elapsed_ns, r.ops), (5, 2));
        assert_eq!(r.metrics["rss_kb"], 7);
    }

    #[test]
    fn broken_reports_say_why() {
        assert!(parse_report("").unwrap_err().contains("printed nothing"));
        assert!(parse_report("hello")
            .unwrap_err()
            .contains("not the protocol's JSON"));
        assert!(parse_report("{\"checksum\": 5, \"elapsed_ns\": 1, \"ops\": 1}").is_err());
        assert!(
            parse_report("{\"checksum\": \"-1\", \"elapsed_ns\": 1, \"ops\": 1}")
                .unwrap_err()
                .contains("not a u64")
        );
    }
}
