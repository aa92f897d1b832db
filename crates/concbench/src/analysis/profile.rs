//! A workload profile: what the user's service must do, for `concbench advise`.
//!
//! A profile comes in layers, each a [`ProfileInput`] of optional keys: a preset (the data of
//! `suite/presets.toml`), a `--profile FILE.toml`, then the flags; each layer overrides the
//! one before it. Each layer's values are checked on their own (a negative wait, zero CPUs),
//! then the merged profile as a whole (a missing concurrency, a p99 below the I/O wait, a
//! rate the concurrency cannot reach). Every refusal is one [`UsageError`] line that says
//! which value and why. No I/O here: the caller reads the file and passes its text.

use serde::Serialize;

pub use crate::catalogue::presets::{preset, presets, ProfileInput};
use crate::catalogue::Lang;
use crate::UsageError;

/// A checked profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// The preset it started from, if any.
    pub preset: Option<String>,
    /// The preset's one-line description.
    pub about: Option<String>,
    /// Units (connections, jobs) alive at once.
    pub concurrency: u64,
    /// Time each unit waits on I/O, ms.
    pub io_ms: f64,
    /// CPU work per unit, ms.
    pub cpu_ms: f64,
    /// Requests or jobs per second to sustain.
    pub rate: Option<f64>,
    /// 99th-percentile latency target, ms.
    pub p99_ms: Option<f64>,
    /// Memory budget, MiB.
    pub memory_mb: Option<f64>,
    /// CPUs the service has; `None`: as many as the results were measured on.
    pub cpus: Option<usize>,
    /// Languages to consider.
    pub langs: Vec<Lang>,
    /// Only languages whose races are prevented or detected.
    pub safety_critical: bool,
}

impl Profile {
    /// True when a unit spends at least as long waiting on I/O as computing: the io-server
    /// is then the workload that measures it; otherwise the job workloads do.
    pub fn io_bound(&self) -> bool {
        self.io_ms >= self.cpu_ms
    }

    /// The profile's numbers in one line, as advice shows them.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("concurrency {}", self.concurrency),
            format!("I/O {} ms", num(self.io_ms)),
            format!("CPU {} ms", num(self.cpu_ms)),
        ];
        if let Some(r) = self.rate {
            parts.push(format!("rate {}/s", num(r)));
        }
        if let Some(p) = self.p99_ms {
            parts.push(format!("p99 ≤ {} ms", num(p)));
        }
        if let Some(m) = self.memory_mb {
            parts.push(format!("memory ≤ {} MiB", num(m)));
        }
        if let Some(c) = self.cpus {
            parts.push(format!("{c} CPUs"));
        }
        if self.langs.len() < Lang::compared().len() {
            let l: Vec<&str> = self.langs.iter().map(|l| l.name()).collect();
            parts.push(format!("langs {}", l.join(",")));
        }
        if self.safety_critical {
            parts.push("safety-critical".into());
        }
        parts.join(", ")
    }
}

/// A number as people write it: `5000`, `0.05`, `2.5`.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Parses a `--profile` file's text; `origin` names it in messages.
pub fn parse_file(text: &str, origin: &str) -> Result<ProfileInput, UsageError> {
    let input: ProfileInput = toml::from_str(text).map_err(|e| {
        let msg = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_string();
        UsageError(format!(
            "{origin}: {msg} (its keys are those of suite/presets.toml)"
        ))
    })?;
    if input.about.is_some() {
        // Only presets describe themselves; a file's own words would be shown as if checked.
        return Err(UsageError(format!(
            "{origin}: `about` is for presets; a profile file holds only the profile's numbers"
        )));
    }
    Ok(input)
}

/// How a layer's keys are named in messages: flags, or keys of a file or preset.
#[derive(Debug, Clone, Copy)]
pub enum Layer<'a> {
    /// The command line: `--io-ms -1`.
    Flags,
    /// A file or preset: `io_ms = -1 in FILE`.
    Keys(&'a str),
}

impl Layer<'_> {
    fn name(self, key: &str, value: f64) -> String {
        match self {
            Layer::Flags => format!("--{} {}", key.replace('_', "-"), num(value)),
            Layer::Keys(origin) => format!("{key} = {} in {origin}", num(value)),
        }
    }
}

/// Checks one layer's values on their own: finite, not negative, whole where they count
/// things, above zero where zero means nothing.
pub fn check_layer(input: &ProfileInput, layer: Layer) -> Result<(), UsageError> {
    let fields: [(&str, Option<f64>, bool, bool, &str); 7] = [
        // (key, value, must be whole, must be above zero, what it is)
        (
            "concurrency",
            input.concurrency,
            true,
            true,
            "units alive at once",
        ),
        ("io_ms", input.io_ms, false, false, "the I/O wait per unit"),
        (
            "cpu_ms",
            input.cpu_ms,
            false,
            false,
            "the CPU work per unit",
        ),
        ("rate", input.rate, false, true, "the rate to sustain"),
        ("p99_ms", input.p99_ms, false, true, "the p99 target"),
        (
            "memory_mb",
            input.memory_mb,
            false,
            true,
            "the memory budget",
        ),
        ("cpus", input.cpus, true, true, "the CPUs of the service"),
    ];
    for (key, value, whole, positive, what) in fields {
        let Some(v) = value else { continue };
        let bad = if !v.is_finite() {
            Some("is not a number")
        } else if v < 0.0 {
            Some("is negative")
        } else if positive && v == 0.0 {
            Some("is zero")
        } else if whole && v.fract() != 0.0 {
            Some("is not a whole number")
        } else {
            None
        };
        if let Some(bad) = bad {
            let floor = if positive { "above 0" } else { "0 or more" };
            return Err(UsageError(format!(
                "{} {bad}: {what} must be {floor}{}",
                layer.name(key, v),
                if whole { ", a whole number" } else { "" }
            )));
        }
    }
    if let Some(langs) = &input.langs {
        for l in langs {
            let advised = Lang::from_name(l.trim()).filter(|l| Lang::compared().contains(l));
            if advised.is_none() {
                let shown = match layer {
                    Layer::Flags => "--langs".to_string(),
                    Layer::Keys(origin) => format!("langs in {origin}"),
                };
                return Err(UsageError(format!(
                    "{shown}: unknown language {:?}; choose from {}",
                    l.trim(),
                    Lang::names(Lang::compared())
                )));
            }
        }
        if langs.is_empty() {
            return Err(UsageError(format!(
                "--langs is empty: name at least one of {}",
                Lang::names(Lang::compared())
            )));
        }
    }
    Ok(())
}

/// Merges the layers (later ones override earlier ones) and checks the profile as a whole.
pub fn build(
    preset_name: Option<&str>,
    layers: &[(ProfileInput, Layer)],
) -> Result<Profile, UsageError> {
    let mut merged = ProfileInput::default();
    for (input, layer) in layers {
        check_layer(input, *layer)?;
        let i = input.clone();
        merged = ProfileInput {
            about: i.about.or(merged.about),
            concurrency: i.concurrency.or(merged.concurrency),
            io_ms: i.io_ms.or(merged.io_ms),
            cpu_ms: i.cpu_ms.or(merged.cpu_ms),
            rate: i.rate.or(merged.rate),
            p99_ms: i.p99_ms.or(merged.p99_ms),
            memory_mb: i.memory_mb.or(merged.memory_mb),
            cpus: i.cpus.or(merged.cpus),
            langs: i.langs.or(merged.langs),
            safety_critical: i.safety_critical.or(merged.safety_critical),
        };
    }
    let presets_named = presets().keys().cloned().collect::<Vec<_>>().join(", ");
    let concurrency = merged.concurrency.ok_or_else(|| {
        UsageError(format!(
            "the profile has no concurrency: give --concurrency N (units or connections alive \
             at once), or start from --preset ({presets_named})"
        ))
    })? as u64;
    let (io_ms, cpu_ms) = (merged.io_ms.unwrap_or(0.0), merged.cpu_ms.unwrap_or(0.0));
    if io_ms == 0.0 && cpu_ms == 0.0 {
        return Err(UsageError(
            "the profile does no work: give --io-ms X (time each unit waits on I/O) or --cpu-ms Y \
             (CPU work per unit), or both"
                .into(),
        ));
    }
    let unit_ms = io_ms + cpu_ms;
    if let Some(p99) = merged.p99_ms {
        if p99 < io_ms {
            return Err(UsageError(format!(
                "--p99-ms {} is below the I/O wait of each unit (--io-ms {}): no model answers \
                 faster than it waits; raise --p99-ms or lower --io-ms",
                num(p99),
                num(io_ms)
            )));
        }
        if p99 < unit_ms {
            return Err(UsageError(format!(
                "--p99-ms {} is below the time each unit takes at least (--io-ms {} + --cpu-ms {} \
                 = {} ms); raise --p99-ms",
                num(p99),
                num(io_ms),
                num(cpu_ms),
                num(unit_ms)
            )));
        }
    }
    if let Some(rate) = merged.rate {
        // Little's law: units in flight = rate × time per unit.
        let most = concurrency as f64 * 1000.0 / unit_ms;
        if rate > most * (1.0 + 1e-9) {
            return Err(UsageError(format!(
                "--rate {} contradicts --concurrency {}: each unit takes at least {} ms, so {} \
                 units finish at most {} a second; raise --concurrency or lower --rate",
                num(rate),
                concurrency,
                num(unit_ms),
                concurrency,
                num(most.floor())
            )));
        }
        if let Some(cpus) = merged.cpus {
            let busy = rate * cpu_ms / 1000.0;
            if busy > cpus * (1.0 + 1e-9) {
                return Err(UsageError(format!(
                    "--rate {} at --cpu-ms {} keeps {} CPUs busy, and --cpus is {}; raise --cpus \
                     or lower --rate",
                    num(rate),
                    num(cpu_ms),
                    num(busy),
                    num(cpus)
                )));
            }
        }
    }
    let langs = match &merged.langs {
        None => Lang::compared().to_vec(),
        Some(names) => Lang::compared()
            .iter()
            .copied()
            .filter(|l| names.iter().any(|n| Lang::from_name(n.trim()) == Some(*l)))
            .collect(),
    };
    Ok(Profile {
        preset: preset_name.map(String::from),
        about: merged.about,
        concurrency,
        io_ms,
        cpu_ms,
        rate: merged.rate,
        p99_ms: merged.p99_ms,
        memory_mb: merged.memory_mb,
        cpus: merged.cpus.map(|c| c as usize),
        langs,
        safety_critical: merged.safety_critical.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(f: impl FnOnce(&mut ProfileInput)) -> (ProfileInput, Layer<'static>) {
        let mut i = ProfileInput::default();
        f(&mut i);
        (i, Layer::Flags)
    }

    fn err(layers: &[(ProfileInput, Layer)]) -> String {
        build(None, layers).unwrap_err().0
    }

    #[test]
    fn every_preset_is_a_valid_profile_that_states_its_numbers() {
        assert_eq!(
            presets().keys().collect::<Vec<_>>(),
            ["background-jobs", "data-pipeline", "gateway", "trading"]
        );
        for (name, input) in presets() {
            let p = build(Some(name), &[(input.clone(), Layer::Keys(name))]).unwrap();
            assert!(p.about.is_some(), "{name}");
            assert!(p
                .describe()
                .contains(&format!("concurrency {}", p.concurrency)));
        }
        let trading = build(
            Some("trading"),
            &[(preset("trading").unwrap().clone(), Layer::Keys("trading"))],
        )
        .unwrap();
        assert!(trading.safety_critical && trading.io_bound());
        let pipeline = preset("data-pipeline").unwrap().clone();
        assert!(!build(None, &[(pipeline, Layer::Keys("p"))])
            .unwrap()
            .io_bound());
    }

    #[test]
    fn flags_override_a_preset() {
        let gateway = preset("gateway").unwrap().clone();
        let p = build(
            Some("gateway"),
            &[
                (gateway, Layer::Keys("gateway")),
                flags(|i| i.concurrency = Some(50.0)),
            ],
        )
        .unwrap();
        assert_eq!(p.concurrency, 50);
        assert_eq!(p.rate, Some(5000.0), "the preset's other keys stay");
    }

    #[test]
    fn bad_profiles_say_which_value_and_why() {
        let base = |i: &mut ProfileInput| {
            i.concurrency = Some(10.0);
            i.io_ms = Some(1.0);
        };
        let e = err(&[flags(|i| {
            base(i);
            i.io_ms = Some(-1.0)
        })]);
        assert!(e.starts_with("--io-ms -1 is negative"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.cpus = Some(0.0)
        })]);
        assert!(e.starts_with("--cpus 0 is zero"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.p99_ms = Some(0.5)
        })]);
        assert!(e.contains("below the I/O wait"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.cpu_ms = Some(1.0);
            i.p99_ms = Some(1.5)
        })]);
        assert!(e.contains("below the time each unit takes at least"), "{e}");
        let e = err(&[flags(|i| i.io_ms = Some(1.0))]);
        assert!(e.starts_with("the profile has no concurrency"), "{e}");
        let e = err(&[flags(|i| i.concurrency = Some(3.0))]);
        assert!(e.starts_with("the profile does no work"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.rate = Some(100_000.0)
        })]);
        assert!(
            e.contains("contradicts --concurrency 10") && e.contains("at most 10000"),
            "{e}"
        );
        let e = err(&[flags(|i| {
            base(i);
            i.cpu_ms = Some(1.0);
            i.rate = Some(3000.0);
            i.concurrency = Some(1000.0);
            i.cpus = Some(2.0)
        })]);
        assert!(e.contains("keeps 3 CPUs busy, and --cpus is 2"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.concurrency = Some(2.5)
        })]);
        assert!(e.contains("not a whole number"), "{e}");
        let e = err(&[flags(|i| {
            base(i);
            i.langs = Some(vec!["cobol".into()])
        })]);
        assert!(e.contains("unknown language \"cobol\""), "{e}");
        let file = parse_file("concurrency = 10\nio_ms = -2\n", "p.toml").unwrap();
        let e = err(&[(file, Layer::Keys("p.toml"))]);
        assert!(e.starts_with("io_ms = -2 in p.toml is negative"), "{e}");
        let e = parse_file("concurency = 10\n", "p.toml").unwrap_err().0;
        assert!(e.starts_with("p.toml: unknown field `concurency`"), "{e}");
    }
}
