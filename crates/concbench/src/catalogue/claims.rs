//! The schema of `suite/claims.toml`: the article's claims and the tests that decide them.
//!
//! Each claim has one or more tests; a test names a workload, a figure, the model it is
//! about, an optional model it is compared with, the scenario, and the ranges in which it
//! holds, holds with a caveat, or does not hold. The table is read and checked against the
//! catalogue here; `analysis::claims` decides it on a results file.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::models::SafetyOutcome;
use super::{Catalogue, Lang};

const CLAIMS_TOML: &str = include_str!("../../../../suite/claims.toml");

/// A figure a test can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Median time per unit of work, ns.
    Time,
    /// Requests per second (io-server).
    Rps,
    /// Requests per second over the ideal, connections ÷ upstream wait (io-server): how
    /// well the model overlaps the waits of its connections; 1 is every wait overlapped.
    Overlap,
    /// p99 latency, µs (io-server).
    P99Us,
    /// p99.9 latency, µs (io-server).
    P999Us,
    /// Largest latency, µs (io-server).
    MaxUs,
    /// p99.9 latency over p50 latency, per sample (io-server): how far the tail strays from
    /// the typical request; 1 is every request as fast as the median.
    TailRatio,
    /// Server memory per open connection, bytes (io-server).
    MemPerConn,
    /// Memory per idle unit, bytes (spawn-idle).
    MemPerUnit,
    /// Time to start one unit, ns (spawn-idle).
    SpawnPerUnit,
    /// Against the language's sequential model.
    Speedup,
    /// Run-to-run coefficient of variation of the time, %.
    Cv,
    /// The largest value of a parameter at which the model's run was valid.
    MaxValid,
    /// The outcome of a safety check.
    Safety,
}

impl Metric {
    /// True when a larger value is better (what `best:` picks).
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            Metric::Rps | Metric::Overlap | Metric::Speedup | Metric::MaxValid
        )
    }
}

/// A range of values; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lowest value inside, if bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest value inside, if bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Range {
    /// True when `x` lies in the range (its ends included).
    pub fn contains(&self, x: f64) -> bool {
        self.min.is_none_or(|m| x >= m) && self.max.is_none_or(|m| x <= m)
    }
}

/// One test of a claim, as written in `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// The figure in words.
    pub what: String,
    /// The workload that measures it.
    pub workload: String,
    /// The figure.
    pub metric: Metric,
    /// The model: an id, or `best:<langs>`.
    pub model: String,
    /// The model it is compared with: the figure becomes a ratio.
    #[serde(default)]
    pub against: Option<String>,
    /// For `max_valid`: the parameter.
    #[serde(default)]
    pub param: Option<String>,
    /// The scenario: parameter → value, `0`, `>0`, `max` or `min`.
    #[serde(default, rename = "where")]
    pub scenario: BTreeMap<String, String>,
    /// `max` (the default) or a CPU count.
    #[serde(default)]
    pub cpus: Option<String>,
    /// Below this many CPUs the test is not measured.
    #[serde(default)]
    pub min_cpus: Option<usize>,
    /// For `speedup`: divide by the ideal speedup for the tasks and CPUs of the run
    /// (tasks ÷ ⌈tasks ÷ CPUs⌉): the parallel efficiency, 1 at best on any machine.
    #[serde(default)]
    pub of_ideal: bool,
    /// For `safety`: the outcome under which the test holds.
    #[serde(default)]
    pub expect: Option<SafetyOutcome>,
    /// For `safety`: the verdict when the outcome is `expect`, `holds` (the default) or
    /// `caveat` (a race that is real, and that only a tool run by hand reports).
    #[serde(default)]
    pub as_expected: Option<String>,
    /// The unit the value is shown in.
    #[serde(default)]
    pub unit: String,
    /// Where the test holds.
    #[serde(default)]
    pub holds: Range,
    /// Where, outside `holds`, it holds with a caveat.
    #[serde(default)]
    pub caveat: Option<Range>,
    /// The rule in words.
    pub rule: String,
    /// False for a figure shown as context only.
    #[serde(default = "yes")]
    pub counts: bool,
}

/// A test counts unless it says otherwise.
fn yes() -> bool {
    true
}

/// One claim, as written in `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSpec {
    /// A short stable name.
    pub id: String,
    /// `go`, `python`, `rust` or `advice`.
    pub section: String,
    /// The article's words.
    pub claim: String,
    /// The tests that decide it.
    pub tests: Vec<TestSpec>,
}

/// `suite/claims.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsTable {
    /// The claims, in the article's order.
    pub claims: Vec<ClaimSpec>,
}

impl ClaimsTable {
    /// The table in use: compiled into this binary, or `CONCBENCH_SUITE`'s.
    pub fn embedded() -> &'static ClaimsTable {
        ClaimsTable::in_use().expect("the suite's claims.toml is valid (checked at start)")
    }

    /// The table of the suite in use, or why it is not valid (a suite of one's own without
    /// the workloads the compiled-in claims test needs its own `claims.toml`).
    pub fn in_use() -> Result<&'static ClaimsTable> {
        static TABLE: std::sync::OnceLock<std::result::Result<ClaimsTable, String>> =
            std::sync::OnceLock::new();
        TABLE
            .get_or_init(|| {
                Catalogue::in_use()
                    .and_then(|c| {
                        super::source::text("claims.toml", CLAIMS_TOML)
                            .and_then(|text| ClaimsTable::parse(&text, c))
                    })
                    .map_err(|e| format!("{e:#}"))
            })
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Parses `text` and checks every test against `catalogue`.
    pub fn parse(text: &str, catalogue: &Catalogue) -> Result<ClaimsTable> {
        let table: ClaimsTable = toml::from_str(text).context("suite/claims.toml")?;
        let mut ids = std::collections::BTreeSet::new();
        for c in &table.claims {
            if !ids.insert(&c.id) {
                bail!("suite/claims.toml: claim {} is listed twice", c.id);
            }
            if c.tests.is_empty() || !c.tests.iter().any(|t| t.counts) {
                bail!("suite/claims.toml: claim {} has no test that counts", c.id);
            }
            for t in &c.tests {
                validate_test(t, catalogue).with_context(|| format!("claim {}", c.id))?;
            }
        }
        Ok(table)
    }
}

/// Checks one test against the catalogue: its workload, models and parameters exist, and
/// the metric has what it needs.
fn validate_test(t: &TestSpec, catalogue: &Catalogue) -> Result<()> {
    let Some(w) = catalogue.workload(&t.workload) else {
        bail!("unknown workload {}", t.workload);
    };
    for spec in std::iter::once(&t.model).chain(t.against.as_ref()) {
        if t.metric == Metric::Safety {
            continue;
        }
        match ModelSpec::parse(spec) {
            Some(ModelSpec::Id(id)) if w.model(id).is_none() => {
                bail!("{}: unknown model {id}", t.workload)
            }
            None => bail!("bad model {spec:?}: an id, best:<langs> or best:<ids>"),
            _ => {}
        }
    }
    for name in t.scenario.keys().chain(t.param.as_ref()) {
        if w.param(name).is_none() {
            bail!("{}: unknown parameter {name}", t.workload);
        }
    }
    if t.metric == Metric::Safety && t.expect.is_none() {
        bail!("a safety test needs `expect`");
    }
    if t.metric == Metric::MaxValid && t.param.is_none() {
        bail!("a max_valid test needs `param`");
    }
    if let Some(v) = &t.as_expected {
        if t.metric != Metric::Safety || !matches!(v.as_str(), "holds" | "caveat") {
            bail!("`as_expected` is for a safety test, and is \"holds\" or \"caveat\"; got {v:?}");
        }
    }
    if t.of_ideal && t.metric != Metric::Speedup {
        bail!("`of_ideal` is for a speedup test");
    }
    Ok(())
}

/// Which model a test is about, as `model` and `against` write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSpec<'a> {
    /// One model, by id.
    Id(&'a str),
    /// The best of these languages (`negate`: of every language but these).
    Best {
        /// The languages named.
        langs: Vec<Lang>,
        /// True for `best:!...` and `best:any`: every language but those named.
        negate: bool,
    },
    /// The best of these models (`best:<id>,<id>,...`). An id need not be in the catalogue
    /// (a model another build adds): a test reads only the runs the file has, and a list
    /// of which none was run is not measured. Each id must start with a language
    /// (`py-`, `go-`, ...), which catches a list that mixes languages and ids.
    BestOf(Vec<&'a str>),
}

impl<'a> ModelSpec<'a> {
    /// Reads an id, `best:any`, `best:<langs>`, `best:!<langs>` or `best:<ids>`; `None`
    /// when a language is unknown, or an id does not start with one.
    pub fn parse(s: &'a str) -> Option<ModelSpec<'a>> {
        match s.strip_prefix("best:") {
            None => Some(ModelSpec::Id(s)),
            Some("any") => Some(ModelSpec::Best {
                langs: Vec::new(),
                negate: true,
            }),
            Some(rest) if rest.contains('-') => rest
                .split(',')
                .map(|id| {
                    let known = Lang::all().iter().any(|l| {
                        id.starts_with(l.model_prefix()) && id.len() > l.model_prefix().len()
                    });
                    known.then_some(id)
                })
                .collect::<Option<Vec<&str>>>()
                .map(ModelSpec::BestOf),
            Some(rest) => {
                let (negate, rest) = match rest.strip_prefix('!') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let langs = rest
                    .split(',')
                    .map(Lang::from_name)
                    .collect::<Option<Vec<Lang>>>()?;
                Some(ModelSpec::Best { langs, negate })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claims_file_is_checked_against_the_catalogue() {
        let bad = CLAIMS_TOML.replacen("model = \"go-goroutines\"", "model = \"go-goroutinez\"", 1);
        let err = ClaimsTable::parse(&bad, Catalogue::embedded()).unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown model go-goroutinez"),
            "{err:#}"
        );
        let bad = CLAIMS_TOML.replacen("metric = \"mem_per_unit\"", "metric = \"mem\"", 1);
        assert!(ClaimsTable::parse(&bad, Catalogue::embedded()).is_err());
    }

    #[test]
    fn a_best_of_names_languages_and_nothing_else() {
        assert_eq!(
            ModelSpec::parse("best:!python,c"),
            Some(ModelSpec::Best {
                langs: vec![Lang::Python, Lang::C],
                negate: true
            })
        );
        assert_eq!(
            ModelSpec::parse("go-mutex"),
            Some(ModelSpec::Id("go-mutex"))
        );
        assert_eq!(ModelSpec::parse("best:go,cobol"), None);
        assert_eq!(
            ModelSpec::parse("best:py-uvicorn,py-granian"),
            Some(ModelSpec::BestOf(vec!["py-uvicorn", "py-granian"]))
        );
        assert_eq!(ModelSpec::parse("best:py-uvicorn,rust"), None);
        assert_eq!(ModelSpec::parse("best:cobol-x"), None);
    }
}
