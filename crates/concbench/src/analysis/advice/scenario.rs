//! The io-server scenario a profile is read from, and what the rows stood on: shared by the
//! I/O path that reads them and the extrapolations that say how far the profile lies from
//! them.

use crate::analysis::view::Group;

/// The io-server scenario a profile is read from.
pub(super) struct Scenario<'a> {
    /// The CPUs of its runs.
    pub cpus: usize,
    /// Whether they were pinned to them.
    pub pinned: bool,
    /// The groups at those CPUs and placement, of every scenario.
    pub at_cpus: Vec<&'a Group>,
    /// Those of the chosen scenario.
    pub groups: Vec<&'a Group>,
    /// Its `cpu` parameter as the view shows it: `0` (pure I/O) or `>0` (mixed).
    pub cpu: &'static str,
    /// Its server CPU per request, ms (the median of its runs).
    pub cost: f64,
}

impl Scenario<'_> {
    /// The scenario in words.
    pub fn name(&self) -> &'static str {
        if self.cpu == "0" {
            "pure I/O (cpu=0)"
        } else {
            "mixed (cpu>0)"
        }
    }
}

/// What the rows were read from, for the extrapolations: the connections, waits and request
/// counts of the runs each model stands on, and every connection count measured.
#[derive(Default)]
pub(super) struct Stood {
    /// Connections of the runs the rows stand on.
    pub connections: Vec<u64>,
    /// Every connection count measured of the models read.
    pub measured: Vec<u64>,
    /// `delay_us` of the runs the rows stand on.
    pub delays: Vec<u64>,
    /// `requests` of the runs the rows stand on.
    pub requests: Vec<u64>,
    /// True when a row's p99 at the profile's rate was not measured.
    pub unmeasured_latency: bool,
}
