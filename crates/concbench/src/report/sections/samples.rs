//! The samples, for `--format csv`: one row per run × counted sample, with a header row, for spreadsheets and
//! data frames. The figures are the results file's own; nothing is derived. A run without
//! samples (failed before it counted one, refused, unavailable) keeps one row with the sample
//! columns empty, so every run of the file is in the table. The columns are documented in
//! docs/results-format.md ("CSV: `report --format csv`").

use std::collections::BTreeSet;

use anyhow::Result;

use crate::report::analysed::Report;
use crate::report::markup::csv_field as field;
use crate::results::{RunResult, Sample};

/// The columns before the metrics, in order.
pub const COLUMNS: [&str; 19] = [
    "workload",
    "model",
    "lang",
    "status",
    "cpus",
    "pinned",
    "params",
    "sample",
    "seq",
    "elapsed_ns",
    "wall_ns",
    "user_ns",
    "sys_ns",
    "max_rss_kb",
    "tree_max_rss_kb",
    "checksum",
    "ops",
    "settle_ns",
    "run",
];

/// `k=v;k=v`, in name order.
fn params(r: &RunResult) -> String {
    let parts: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(";")
}

/// Every sample of the file as CSV, with a header row.
pub fn csv(report: &Report) -> Result<String> {
    let metrics: BTreeSet<&str> = report
        .file
        .runs
        .iter()
        .flat_map(|r| r.samples.iter())
        .flat_map(|s| s.metrics.keys().map(String::as_str))
        .collect();
    let mut out = String::new();
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(metrics.iter().map(|m| format!("metric:{m}")));
    out += &header.join(",");
    out += "\n";
    for (index, r) in report.file.runs.iter().enumerate() {
        let head = [
            r.workload.clone(),
            r.model.clone(),
            r.lang.name().to_string(),
            serde_json::to_value(r.status)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r.cpus.to_string(),
            r.pinned.to_string(),
            params(r),
        ];
        let row = |k: Option<(usize, &Sample)>| {
            let mut cells: Vec<String> = head.iter().map(|c| field(c)).collect();
            match k {
                Some((k, s)) => {
                    cells.extend([
                        k.to_string(),
                        s.seq.to_string(),
                        s.elapsed_ns.to_string(),
                        s.wall_ns.to_string(),
                        s.user_ns.to_string(),
                        s.sys_ns.to_string(),
                        s.max_rss_kb.to_string(),
                        s.tree_max_rss_kb.map_or(String::new(), |v| v.to_string()),
                        field(&s.checksum),
                        s.ops.to_string(),
                        s.settle_ns.to_string(),
                    ]);
                    cells.push(index.to_string());
                    cells.extend(
                        metrics
                            .iter()
                            .map(|m| s.metrics.get(*m).map_or(String::new(), |v| v.to_string())),
                    );
                }
                None => {
                    cells.extend((0..11).map(|_| String::new()));
                    cells.push(index.to_string());
                    cells.extend(metrics.iter().map(|_| String::new()));
                }
            }
            cells.join(",") + "\n"
        };
        if r.samples.is_empty() {
            out += &row(None);
        }
        for (k, s) in r.samples.iter().enumerate() {
            out += &row(Some((k, s)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    #[test]
    fn the_csv_of_the_mixed_fixture() {
        let file = fixtures::mixed_file();
        let report = Report::new(Catalogue::embedded(), &file);
        let text = csv(&report).unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn every_row_has_as_many_fields_as_the_header_and_metrics_are_a_union() {
        let mut server = fixtures::run_on(
            "io-server",
            "rust-tokio",
            &[
                ("delay_us", 1000),
                ("cpu", 0),
                ("workers", 2),
                ("connections", 10),
                ("requests", 100),
                ("rate", 0),
            ],
            2,
            false,
            &[1_000_000, 1_100_000],
            &[("rps", 9000), ("p99_us", 1500)],
        );
        server.samples[1].checksum = "a,\"b\"".into();
        let mut file = fixtures::mixed_file();
        file.runs.push(server);
        let report = Report::new(Catalogue::embedded(), &file);
        let text = csv(&report).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            header.ends_with(",metric:p99_us,metric:rps,metric:rss_kb,metric:spawn_ns"),
            "{header}"
        );
        let n = header.split(',').count();
        for line in text.lines().skip(1) {
            // The one quoted field holds a comma; count it as one.
            let fields = line.replace("\"a,\"\"b\"\"\"", "x").split(',').count();
            assert_eq!(fields, n, "{line}");
        }
        assert!(
            text.contains(",\"a,\"\"b\"\"\","),
            "quoted as RFC 4180 says"
        );
        // The unavailable run without samples keeps one row.
        assert_eq!(text.matches("py-numpy").count(), 1);
    }
}
