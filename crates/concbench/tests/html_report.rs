//! The HTML report in a real browser: a results file with failed, refused, timed-out and
//! racy runs and every kind of sweep (CPUs 1 and 2, spawn-idle's units, io-server's
//! connections) is rendered, written to the test's output folder, and opened in headless
//! Chromium (Debian's `chromium`; scripts/test.sh installs it). The page must load without
//! a console error or a request leaving it, hold each expected chart with its number of
//! series, and leave screenshots at 1280 px and at a phone's 390 px for people to look at.
//! At 1280 × 800 its first screen must hold the answers ("In short"), and nothing on it may
//! be wider than its container or scroll sideways.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use concbench::analysis::claims::{Range, Verdict};
use concbench::catalogue::Catalogue;
use concbench::machine::steadiness::Steadiness;
use concbench::report::{Format, Render, Report};
use concbench::results::{Block, ResultsFile, RunResult, Sample, Status, SCHEMA};

mod common;

/// A valid run, one sample per `elapsed` value, with these metrics on every sample.
fn run(
    workload: &str,
    model: &str,
    params: &[(&str, u64)],
    cpus: usize,
    pinned: bool,
    elapsed: &[u64],
    metrics: &[(&str, i64)],
) -> RunResult {
    let params: BTreeMap<String, u64> = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let (reference, ops) = common::answer(workload, &params);
    let racy = model.ends_with("racy");
    let samples: Vec<Sample> = elapsed
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            // A racy model loses a few increments, a different few each time.
            let answer = if racy {
                reference - 5_000 - 17 * i as u64
            } else {
                reference
            };
            Sample {
                wall_ns: e + 30_000_000,
                user_ns: e * cpus as u64 * 9 / 10,
                max_rss_kb: 8_000 + 100 * i as u64,
                // Spread the metrics a little between samples, as real runs do.
                metrics: metrics
                    .iter()
                    .map(|(k, v)| (k.to_string(), v + (i as i64 - 1) * v / 50))
                    .collect(),
                tree_max_rss_kb: model.contains("processes").then_some(30_000),
                ..common::sample(e, cpus, answer, ops)
            }
        })
        .collect();
    common::valid_run(workload, model, params, cpus, pinned, samples)
}

/// A run that never counted a sample: failed, timed out or refused.
fn broken(
    workload: &str,
    model: &str,
    params: &[(&str, u64)],
    cpus: usize,
    pinned: bool,
    status: Status,
    error: &str,
) -> RunResult {
    let mut r = run(workload, model, params, cpus, pinned, &[], &[]);
    r.valid = false;
    r.status = status;
    r.error = Some(error.into());
    r
}

fn probe(cv: f64) -> Steadiness {
    Steadiness {
        slices: 50,
        cv,
        slowest_over_fastest: 1.1,
        cpus: 2,
        all_busy_speed: 0.97,
        all_busy_cv: 0.01,
        latency_bound_cv: None,
    }
}

/// Scales a list of times.
fn times(base: u64) -> Vec<u64> {
    [100, 103, 98, 101, 99]
        .iter()
        .map(|k| base * k / 100)
        .collect()
}

fn fixture() -> ResultsFile {
    let mut runs = Vec::new();
    // cpu-parallel, pinned to 1 and 2 CPUs; Python 60× slower per iteration (a log axis),
    // py-threads crashed.
    for cpus in [1usize, 2] {
        let p = [("tasks", 8), ("n", 2_000_000), ("workers", cpus as u64)];
        let py = [("tasks", 8), ("n", 200_000), ("workers", cpus as u64)];
        runs.push(run(
            "cpu-parallel",
            "rust-seq",
            &p,
            cpus,
            true,
            &times(20_000_000),
            &[],
        ));
        let par = 20_500_000 / cpus as u64 + 400_000;
        runs.push(run(
            "cpu-parallel",
            "rust-rayon",
            &p,
            cpus,
            true,
            &times(par),
            &[],
        ));
        runs.push(run(
            "cpu-parallel",
            "go-goroutines",
            &p,
            cpus,
            true,
            &times(par + 900_000),
            &[],
        ));
        let py_ns = 130_000_000 / cpus as u64 + 8_000_000;
        runs.push(run(
            "cpu-parallel",
            "py-processes",
            &py,
            cpus,
            true,
            &times(py_ns),
            &[],
        ));
        runs.push(broken(
            "cpu-parallel",
            "py-threads",
            &py,
            cpus,
            true,
            Status::Failed,
            "exit status 1: MemoryError",
        ));
    }
    // shared-counter: three synchronised models and two racy ones.
    let sc = [("units", 4), ("increments", 250_000)];
    runs.push(run(
        "shared-counter",
        "go-mutex",
        &sc,
        2,
        false,
        &times(9_000_000),
        &[],
    ));
    runs.push(run(
        "shared-counter",
        "rust-atomic",
        &sc,
        2,
        false,
        &times(4_000_000),
        &[],
    ));
    runs.push(run(
        "shared-counter",
        "py-threads-lock",
        &sc,
        2,
        false,
        &times(90_000_000),
        &[],
    ));
    runs.push(run(
        "shared-counter",
        "go-racy",
        &sc,
        2,
        false,
        &times(3_000_000),
        &[],
    ));
    runs.push(run(
        "shared-counter",
        "py-threads-racy",
        &sc,
        2,
        false,
        &times(60_000_000),
        &[],
    ));
    // spawn-idle: baselines, a units sweep, and a thread-per-unit model refused by a cap.
    let rss0 = 4_000;
    for (model, per_unit_kb, sizes) in [
        ("go-goroutines", 2.6, &[10_000u64, 100_000][..]),
        ("rust-tokio", 0.4, &[10_000, 100_000][..]),
        ("rust-threads", 10.0, &[1_000, 10_000][..]),
    ] {
        runs.push(run(
            "spawn-idle",
            model,
            &[("units", 0)],
            2,
            false,
            &times(300_000),
            &[("rss_kb", rss0), ("spawn_ns", 0)],
        ));
        for &units in sizes {
            let rss = rss0 + (per_unit_kb * units as f64) as i64;
            let spawn = (units as f64 * per_unit_kb * 300.0) as i64;
            runs.push(run(
                "spawn-idle",
                model,
                &[("units", units)],
                2,
                false,
                &times(spawn as u64 + 1_000_000),
                &[("rss_kb", rss), ("spawn_ns", spawn)],
            ));
        }
    }
    runs.push(broken(
        "spawn-idle",
        "rust-threads",
        &[("units", 100_000)],
        2,
        false,
        Status::Refused,
        "refused: 100000 threads exceed the safe cap of 31000 (kernel.threads-max 62000)",
    ));
    // io-server at 10 and 100 connections; py-threads timed out at 100.
    for conns in [10u64, 100] {
        let p = [
            ("delay_us", 1000),
            ("cpu", 0),
            ("workers", 2),
            ("connections", conns),
            ("requests", 1500),
            ("rate", 0),
        ];
        for (model, rps, p99) in [
            ("go-net-http", 9_000, 1_400),
            ("rust-tokio", 9_400, 1_250),
            ("py-asyncio", 6_000, 2_600),
            ("py-threads", 7_000, 3_500),
        ] {
            if model == "py-threads" && conns == 100 {
                runs.push(broken(
                    "io-server",
                    model,
                    &p,
                    2,
                    false,
                    Status::TimedOut,
                    "timed out after 60 s",
                ));
                continue;
            }
            let scale = if conns == 100 { 5 } else { 1 };
            let rps = rps * if conns == 100 { 3 } else { 1 };
            let metrics = [
                ("rps", rps),
                ("p50_us", 1_080 * scale),
                ("p99_us", p99 * scale),
                ("p999_us", p99 * 2 * scale),
                ("max_us", p99 * 4 * scale),
                ("conn_bytes", 9_000),
                ("cpu_ns", 150_000_000),
                ("errors", 0),
            ];
            runs.push(run(
                "io-server",
                model,
                &p,
                2,
                false,
                &times(160_000_000),
                &metrics,
            ));
        }
    }
    let mut seq = 0;
    for r in &mut runs {
        for s in &mut r.samples {
            seq += 1;
            s.seq = seq;
        }
    }
    let mut machine = concbench::machine::Machine {
        cpu_model: "Test CPU @ 2.50GHz".into(),
        logical_cpus: 2,
        allowed_cpus: vec![0, 1],
        memory_kb: 16_000_000,
        kernel: "6.1.0-test".into(),
        governor: "unknown".into(),
        hostname: "testhost".into(),
        load_avg_start: 0.1,
        load_avg_end: 1.4,
        ..Default::default()
    };
    machine.steadiness_start = Some(probe(0.012));
    machine.steadiness_end = Some(probe(0.031));
    let blocks = ["cpu-parallel", "shared-counter", "spawn-idle", "io-server"]
        .iter()
        .enumerate()
        .map(|(k, w)| Block {
            workload: w.to_string(),
            first_seq: k as u64 * 40 + 1,
            last_seq: k as u64 * 40 + 40,
            steadiness_before: Some(probe(0.01 + k as f64 * 0.006)),
            steadiness_after: Some(probe(0.012 + k as f64 * 0.006)),
            // As with --wait-steady: the later blocks waited for a quiet spell.
            steady_wait_ns: k as u64 * 20_000_000_000,
            // The host took 0.3%, then 0.9%, 1.5% and 2.1% of each block's CPU time.
            host_steal: Some(0.003 + k as f64 * 0.006),
        })
        .collect();
    ResultsFile {
        schema: SCHEMA.into(),
        concbench_version: "0.1.0".into(),
        started_at: "2026-12-01T20:00:00Z".into(),
        finished_at: Some("2026-12-01T20:09:00Z".into()),
        suite: "standard".into(),
        command: vec![
            "concbench".into(),
            "run".into(),
            "--cpus".into(),
            "1,2".into(),
        ],
        interrupted: false,
        machine,
        toolchains: [("go", "go1.26.8"), ("python", "3.11.7"), ("rust", "1.95.0")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        runs,
        blocks,
        safety: Vec::new(),
        calibration: Vec::new(),
        extra: None,
        offered: Vec::new(),
    }
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return PathBuf::from(path);
            }
        }
    }
    panic!(
        "chromium not found: install Debian's chromium (apt-get install -y chromium), as \
         scripts/test.sh does"
    );
}

/// Runs headless Chromium on `page` with `args`, returning (stdout, stderr).
fn browse(page: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let out = Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(&url)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "chromium failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).to_string(), stderr)
}

/// The (kind, series) of every chart, in page order.
fn charts(dom: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for part in dom.split("data-chart=\"").skip(1) {
        let kind = part.split('"').next().unwrap().to_string();
        let series = part
            .split("data-series=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("chart {kind} has no data-series"));
        out.push((kind, series));
    }
    out
}

fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
                || l.contains("net::ERR")
        })
        .collect()
}

#[test]
fn the_html_report_renders_in_a_browser_with_every_chart_and_no_request() {
    let file = fixture();
    let report = Report::new(Catalogue::embedded(), &file);
    let html = report.render(Format::Html).unwrap();
    let dir = out_dir();
    let page = dir.join("report.html");
    std::fs::write(&page, &html).unwrap();
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_string_pretty(&file).unwrap(),
    )
    .unwrap();

    // Nothing may be fetched: no script, and no URL in a src or href.
    assert!(!html.contains("<script"), "the page needs no script");
    for attr in ["src=", "href="] {
        for part in html.split(attr).skip(1) {
            let value = part.trim_start_matches(['"', '\'']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "a request would leave the page: {attr}{}",
                &value[..value.len().min(60)]
            );
        }
    }
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));

    let (dom, stderr) = browse(&page, &["--dump-dom"]);
    std::fs::write(dir.join("chromium-stderr.txt"), &stderr).unwrap();
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    assert!(
        dom.contains("id=\"in-short\""),
        "the page did not load: {dom:.300}"
    );

    let found = charts(&dom);
    let of = |kind: &str| -> Vec<usize> {
        found
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, n)| *n)
            .collect()
    };
    // cpu-parallel at 1 and 2 CPUs (3 concurrency models each: py-threads failed and the
    // sequential model is shown for scale, not ranked); shared-counter
    // (3; the racy two are not ranked); spawn-idle per units, in the order the file first
    // has them (10000: 3; 100000: 2, rust-threads refused; 1000: rust-threads); io-server at
    // 10 (4) and 100 connections (3).
    assert_eq!(of("ranking"), vec![3, 3, 3, 3, 2, 1, 4, 3], "{found:?}");
    assert_eq!(of("scaling"), vec![4], "{found:?}");
    assert_eq!(of("memory"), vec![3], "{found:?}");
    assert_eq!(of("latency"), vec![4, 3], "{found:?}");
    assert_eq!(of("rps"), vec![4], "{found:?}");
    // Each decided test with a number and a bound has its verdict strip.
    let strips = report
        .claims
        .iter()
        .filter(|c| c.verdict != Verdict::NotMeasured)
        .flat_map(|c| &c.tests)
        .filter(|t| {
            let bounded = |r: &Range| r.min.is_some() || r.max.is_some();
            t.measured.is_some() && (bounded(&t.holds) || t.caveat.as_ref().is_some_and(bounded))
        })
        .count();
    assert!(strips > 0, "the fixture decides no claim with a number");
    assert_eq!(of("verdict"), vec![1; strips], "{found:?}");
    // Every chart drew its SVG.
    assert_eq!(dom.matches("<svg").count(), found.len());
    // The refused run is marked on the memory chart, the failures in the tables.
    assert!(dom.contains("rust-threads: refused"));
    assert!(dom.contains("timed out after 60 s"));
    assert!(dom.contains("racy: lost"));
    // The answers come before any chart.
    assert!(dom.find("id=\"in-short\"").unwrap() < dom.find("data-chart").unwrap());

    // Screenshots to look at: a desktop and a phone.
    for (name, size) in [
        ("report.png", "1280,2400"),
        ("report-phone.png", "390,2400"),
    ] {
        let shot = dir.join(name);
        let _ = std::fs::remove_file(&shot);
        let (_, stderr) = browse(
            &page,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={size}"),
            ],
        );
        let errors = console_errors(&stderr);
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        let len = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(len > 10_000, "{name} was not written ({len} bytes)");
    }
    eprintln!("report and screenshots in {}", dir.display());
}

/// What the measuring script reads from the page at a window of 1280 × 800: where "In short"
/// ends (with every `<details>` closed, as a reader first sees the page), then, with every
/// `<details>` open, the tables wider than their container and the elements that scroll
/// sideways or overflow the page.
const MEASURE: &str = r#"<script>
(function () {
  var d = document, page = d.scrollingElement, out = {};
  var s = d.getElementById('in-short');
  out.viewport = [window.innerWidth, window.innerHeight];
  out.in_short_bottom = s ? s.getBoundingClientRect().bottom : null;
  d.querySelectorAll('details').forEach(function (x) { x.open = true; });
  out.page = [page.scrollWidth, page.clientWidth];
  var name = function (e) {
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && e.className.baseVal === undefined ? '.' + e.className : '');
  };
  out.wide_tables = [];
  d.querySelectorAll('table').forEach(function (t) {
    var r = t.getBoundingClientRect(), box = t.parentElement.getBoundingClientRect();
    if (r.right > box.right + 0.5) {
      out.wide_tables.push(name(t) + ' ends at ' + Math.round(r.right) + ', its container at ' +
        Math.round(box.right) + ': ' + t.rows[0].textContent.slice(0, 80));
    }
  });
  out.scrolling = [];
  d.querySelectorAll('body *').forEach(function (e) {
    var o = getComputedStyle(e).overflowX;
    if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 1) {
      out.scrolling.push(name(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
    }
  });
  var pre = d.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  d.body.appendChild(pre);
})();
</script>"#;

#[test]
fn at_1280_px_the_first_screen_holds_the_answers_and_nothing_is_wider_than_the_page() {
    let file = fixture();
    let report = Report::new(Catalogue::embedded(), &file);
    let html = report.render(Format::Html).unwrap();
    // A copy of the page that lets one inline script measure it; the page itself has none.
    let csp = "default-src 'none';";
    assert!(html.contains(csp));
    let measured = html
        .replacen(csp, "default-src 'none'; script-src 'unsafe-inline';", 1)
        .replacen("</body>", &format!("{MEASURE}</body>"), 1);
    let dir = out_dir();
    let page = dir.join("report-measured.html");
    std::fs::write(&page, measured).unwrap();
    let (dom, stderr) = browse(&page, &["--window-size=1280,800", "--dump-dom"]);
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let json = dom
        .split("<pre id=\"measured\">")
        .nth(1)
        .and_then(|p| p.split("</pre>").next())
        .unwrap_or_else(|| panic!("the script did not run: {stderr}"))
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&");
    let m: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Headless Chromium's window is 1280 px wide, but its viewport is less than the 800 px
    // a screenshot of that size shows: the first screen is measured from the page's top.
    assert_eq!(m["viewport"][0], 1280, "{m}");
    let bottom = m["in_short_bottom"].as_f64();
    assert!(
        bottom.is_some_and(|b| b <= 800.0),
        "\"In short\" must end on the first screen (800 px): {m}"
    );
    let (scroll, client) = (
        m["page"][0].as_f64().unwrap(),
        m["page"][1].as_f64().unwrap(),
    );
    assert!(scroll <= client, "the page scrolls sideways: {m}");
    assert_eq!(m["wide_tables"], serde_json::json!([]), "{m}");
    assert_eq!(m["scrolling"], serde_json::json!([]), "{m}");
}
