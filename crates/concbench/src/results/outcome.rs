//! A run's outcome as a type: what callers decide on, instead of testing the prefix of an
//! error message.

use serde::{Deserialize, Serialize};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every counted sample exited 0 with the expected op count and (unless racy) the
    /// reference answer.
    Valid,
    /// A sample crashed, exited non-zero, answered wrongly, or broke the protocol.
    Failed,
    /// A sample outlived the run's time limit and was killed.
    TimedOut,
    /// The model's toolchain or package is missing (the error says what to install).
    Unavailable,
    /// A cap derived from the machine's limits refused the run before it started.
    Refused,
    /// The suite was interrupted before any of the run's samples were counted.
    NotRun,
}

impl Status {
    /// True for a run that never started for a reason outside the model (a missing
    /// toolchain, a cap): a warning, not a failure of the suite.
    pub fn is_skipped(self) -> bool {
        matches!(self, Status::Unavailable | Status::Refused)
    }

    /// True for a run whose model failed: it crashed, answered wrongly or hung.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::TimedOut)
    }

    /// The outcome of a run read from a results file written before `status` existed,
    /// from the fields it did have. The prefixes are those that concbench wrote then.
    pub fn from_legacy(valid: bool, error: Option<&str>) -> Status {
        match error {
            None if valid => Status::Valid,
            None => Status::NotRun,
            Some(e) if e.starts_with("unavailable") => Status::Unavailable,
            Some(e) if e.starts_with("refused") => Status::Refused,
            Some(e) if e.starts_with("timed out") => Status::TimedOut,
            Some(_) => Status::Failed,
        }
    }

    /// The word a table shows for it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Failed => "failed",
            Status::TimedOut => "timed out",
            Status::Unavailable => "unavailable",
            Status::Refused => "refused",
            Status::NotRun => "not run",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_errors_map_to_their_status() {
        assert_eq!(Status::from_legacy(true, None), Status::Valid);
        assert_eq!(Status::from_legacy(false, None), Status::NotRun);
        for (error, status) in [
            ("unavailable: go is not on PATH", Status::Unavailable),
            (
                "refused before starting: units=5000000 ...",
                Status::Refused,
            ),
            (
                "timed out after 3 s (raise --timeout ...)",
                Status::TimedOut,
            ),
            ("exit status 1: boom", Status::Failed),
            (
                "wrong answer: checksum 1 but the reference is 2",
                Status::Failed,
            ),
        ] {
            assert_eq!(Status::from_legacy(false, Some(error)), status, "{error}");
        }
        assert!(Status::Refused.is_skipped() && !Status::Refused.is_failure());
        assert!(Status::TimedOut.is_failure() && !Status::Valid.is_failure());
    }

    #[test]
    fn statuses_are_written_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Status::TimedOut).unwrap(),
            "\"timed_out\""
        );
    }
}
