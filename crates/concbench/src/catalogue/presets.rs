//! The schema of `suite/presets.toml`: named workload profiles for `concbench advise
//! --preset`, each the keys of one profile layer (the same keys a `--profile FILE.toml`
//! holds). `analysis::profile` merges and checks the layers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::UsageError;

const PRESETS_TOML: &str = include_str!("../../../../suite/presets.toml");

/// One layer of a profile: every key optional. Numbers are read as floats so that a negative
/// or fractional value reaches the check that can say what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// A preset's one-line description (presets only).
    pub about: Option<String>,
    /// Units (connections, jobs) alive at once.
    pub concurrency: Option<f64>,
    /// Time each unit waits on I/O, ms.
    pub io_ms: Option<f64>,
    /// CPU work per unit, ms.
    pub cpu_ms: Option<f64>,
    /// Requests or jobs per second to sustain.
    pub rate: Option<f64>,
    /// 99th-percentile latency target, ms.
    pub p99_ms: Option<f64>,
    /// Memory budget of the whole service, MiB.
    pub memory_mb: Option<f64>,
    /// CPUs the service has.
    pub cpus: Option<f64>,
    /// Languages to consider.
    pub langs: Option<Vec<String>>,
    /// Only languages that prevent data races at compile time or detect them at run time.
    pub safety_critical: Option<bool>,
}

/// The presets of `suite/presets.toml`, by name.
pub fn presets() -> &'static BTreeMap<String, ProfileInput> {
    static PRESETS: std::sync::OnceLock<BTreeMap<String, ProfileInput>> =
        std::sync::OnceLock::new();
    PRESETS.get_or_init(|| {
        toml::from_str(PRESETS_TOML)
            .expect("suite/presets.toml compiled into concbench is valid (tested)")
    })
}

/// The preset called `name`, or the usage error that lists the presets.
pub fn preset(name: &str) -> Result<&'static ProfileInput, UsageError> {
    presets().get(name).ok_or_else(|| {
        UsageError(format!(
            "unknown preset {name:?}; the presets are: {}",
            presets().keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_preset_lists_the_presets() {
        let e = preset("gatway").unwrap_err().0;
        assert!(
            e.contains("unknown preset \"gatway\"") && e.contains("gateway, trading"),
            "{e}"
        );
    }
}
