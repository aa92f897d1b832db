//! What to run, as the command line says it: a suite, and optionally workloads, models,
//! parameter values, CPU counts, a time limit and repetitions. `concbench run` parses one;
//! advice and claims suggest one (printed as the command line that would make it, and with
//! `--measure` run as it is); `run::plan` turns one into runs.

use std::fmt;
use std::time::Duration;

/// The suite measurements are suggested at: small sizes, bounded time.
pub const MEASURE_SUITE: &str = "quick";

/// `--set workload.param=value`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SetOverride {
    /// The workload whose models all get the value.
    pub workload: String,
    /// The parameter to set.
    pub param: String,
    /// The value, within the parameter's range.
    pub value: u64,
}

impl std::str::FromStr for SetOverride {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not workload.param=value"))?;
        let (workload, param) = key
            .split_once('.')
            .ok_or_else(|| format!("{s:?} is not workload.param=value"))?;
        let value = value
            .parse()
            .map_err(|_| format!("{s:?}: {value:?} is not a non-negative integer"))?;
        Ok(SetOverride {
            workload: workload.into(),
            param: param.into(),
            value,
        })
    }
}

/// What the user asked to run.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Selection {
    /// `--suite`: the suite whose sizes and repetitions apply.
    pub suite: String,
    /// `--workloads`: only these workloads; `None` runs every workload of the suite.
    pub workloads: Option<Vec<String>>,
    /// `--models`: only these model ids; `None` runs every model of the selected workloads.
    pub models: Option<Vec<String>>,
    /// `--set`: parameter values that replace the suite's.
    pub sets: Vec<SetOverride>,
    /// `--cpus 1,2`: pin each run to the first N CPUs, for each N.
    pub cpus: Option<Vec<usize>>,
    /// `--timeout`: the time limit of every run, instead of each workload's own.
    pub timeout: Option<Duration>,
    /// `--runs`: counted runs of every run, over the suite's and the workload's own.
    pub runs: Option<u32>,
    /// `--warmup`: warm-up runs of every run, over the suite's and the workload's own.
    pub warmup: Option<u32>,
}

impl fmt::Display for SetOverride {
    /// `workload.param=value`, as `--set` takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}={}", self.workload, self.param, self.value)
    }
}

impl Selection {
    /// A run of `workloads` at [`MEASURE_SUITE`] sizes, every model, nothing else set: what
    /// advice and claims suggest to measure what a file lacks.
    pub fn measure(workloads: Vec<String>) -> Selection {
        Selection {
            suite: MEASURE_SUITE.into(),
            workloads: Some(workloads),
            ..Selection::default()
        }
    }
}

impl fmt::Display for Selection {
    /// The command line that makes this selection: `concbench run --suite quick --workloads
    /// io-server --set io-server.connections=1000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "concbench run --suite {}", self.suite)?;
        if let Some(w) = &self.workloads {
            write!(f, " --workloads {}", w.join(","))?;
        }
        if let Some(m) = &self.models {
            write!(f, " --models {}", m.join(","))?;
        }
        for s in &self.sets {
            write!(f, " --set {s}")?;
        }
        if let Some(c) = &self.cpus {
            let c: Vec<String> = c.iter().map(usize::to_string).collect();
            write!(f, " --cpus {}", c.join(","))?;
        }
        if let Some(t) = self.timeout {
            write!(f, " --timeout {}", t.as_secs())?;
        }
        if let Some(n) = self.runs {
            write!(f, " --runs {n}")?;
        }
        if let Some(n) = self.warmup {
            write!(f, " --warmup {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_syntax_is_checked() {
        assert!("a.b".parse::<SetOverride>().is_err());
        assert!("ab=1".parse::<SetOverride>().is_err());
        assert!("a.b=-1".parse::<SetOverride>().is_err());
        assert_eq!(
            "a.b=3".parse::<SetOverride>().unwrap(),
            SetOverride {
                workload: "a".into(),
                param: "b".into(),
                value: 3
            }
        );
    }

    #[test]
    fn a_selection_prints_the_command_line_that_makes_it() {
        let mut s = Selection::measure(vec!["io-server".into()]);
        assert_eq!(
            s.to_string(),
            "concbench run --suite quick --workloads io-server"
        );
        s.models = Some(vec!["rust-tokio".into(), "go-net-http".into()]);
        s.sets = vec!["io-server.connections=1000".parse().unwrap()];
        s.cpus = Some(vec![2]);
        s.timeout = Some(Duration::from_secs(60));
        s.runs = Some(5);
        s.warmup = Some(1);
        assert_eq!(
            s.to_string(),
            "concbench run --suite quick --workloads io-server --models rust-tokio,go-net-http \
             --set io-server.connections=1000 --cpus 2 --timeout 60 --runs 5 --warmup 1"
        );
        // Each --set reads back as it was.
        assert_eq!(
            s.sets[0].to_string().parse::<SetOverride>(),
            Ok(s.sets[0].clone())
        );
    }
}
