//! The comparison table's words (`suite/models.toml`): per model id, its unit of concurrency,
//! how its units communicate and share memory, who schedules them and where it is used; per
//! language, what happens to an unsynchronised write (the safety axis), and how a check of
//! it can come out ([`SafetyOutcome`], as results files record it and claims expect it).
//!
//! The measured columns of `concbench models` come from the analysis view; this module holds
//! only what the catalogue says.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

pub use super::languages::{LangSafety, SafetyClass};
use super::{source, Catalogue, Lang};

const MODELS_TOML: &str = include_str!("../../../../suite/models.toml");

/// How a language met a deliberately unsynchronised counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SafetyOutcome {
    /// The compiler refused the program (Rust's ownership and `Send`/`Sync` rules).
    Rejected,
    /// The program ran and a run-time checker reported the race (Go's `-race`).
    Reported,
    /// The program ran and nothing was reported.
    Clean,
    /// The check could not be made here (no compiler, no cgo for `-race`); the check's
    /// `reason` says why.
    Unavailable,
}

/// One model's row of words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    /// The model id, as in the workload files.
    pub id: String,
    /// The unit of concurrency.
    pub unit: String,
    /// How units communicate.
    pub communication: String,
    /// How memory is shared.
    pub sharing: String,
    /// Who schedules the units.
    pub scheduling: String,
    /// Where the approach is typically used.
    pub domains: String,
}

/// `suite/models.toml`, validated against the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelTable {
    /// By language: each one's safety entry, from its description in
    /// `suite/languages.toml`.
    #[serde(skip)]
    pub safety: BTreeMap<Lang, LangSafety>,
    /// One entry per model id, in table order.
    pub models: Vec<ModelInfo>,
}

impl ModelTable {
    /// The table in use (compiled in, or `CONCBENCH_SUITE`'s), checked against the catalogue.
    pub fn embedded() -> &'static ModelTable {
        ModelTable::in_use().expect("the suite's models.toml is valid (checked at start)")
    }

    /// The table of the suite in use (`CONCBENCH_SUITE`'s, else the compiled-in one), or
    /// why it is not valid.
    pub fn in_use() -> Result<&'static ModelTable> {
        static TABLE: std::sync::OnceLock<std::result::Result<ModelTable, String>> =
            std::sync::OnceLock::new();
        TABLE
            .get_or_init(|| {
                Catalogue::in_use()
                    .and_then(|c| {
                        source::text("models.toml", MODELS_TOML)
                            .and_then(|text| ModelTable::parse(&text, c))
                    })
                    .map_err(|e| format!("{e:#}"))
            })
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Parses `text` and checks that it names every model of `catalogue` once, and no other.
    pub fn parse(text: &str, catalogue: &Catalogue) -> Result<ModelTable> {
        let mut table: ModelTable = toml::from_str(text).context("suite/models.toml")?;
        table.safety = Lang::all()
            .iter()
            .map(|&l| (l, l.info().safety.clone()))
            .collect();
        let mut ids: Vec<&str> = Vec::new();
        for w in &catalogue.workloads {
            for m in &w.models {
                if !ids.contains(&m.id.as_str()) {
                    ids.push(&m.id);
                }
                if !table.safety.contains_key(&m.lang) {
                    bail!(
                        "suite/languages.toml: no safety entry for {} ({})",
                        m.lang,
                        m.id
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &table.models {
            if !seen.insert(m.id.as_str()) {
                bail!("suite/models.toml: model {} is listed twice", m.id);
            }
            if !ids.contains(&m.id.as_str()) {
                bail!("suite/models.toml: model {} is in no workload", m.id);
            }
        }
        if let Some(missing) = ids.iter().find(|id| !seen.contains(*id)) {
            bail!("suite/models.toml: model {missing} has no entry");
        }
        Ok(table)
    }

    /// The words of a model id.
    pub fn model(&self, id: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.id == id)
    }

    /// A language's safety class (`Silent` for a language the table does not know).
    pub fn safety_class(&self, lang: Lang) -> SafetyClass {
        self.safety
            .get(&lang)
            .map_or(SafetyClass::Silent, |s| s.class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_names_every_model_once() {
        let t = ModelTable::embedded();
        assert_eq!(t.safety_class(Lang::Rust), SafetyClass::Prevented);
        assert_eq!(t.safety_class(Lang::Go), SafetyClass::Detected);
        assert_eq!(t.safety_class(Lang::Python), SafetyClass::Silent);
        assert!(t.model("go-goroutines").is_some());
    }

    #[test]
    fn a_model_missing_from_the_table_is_an_error() {
        let text = MODELS_TOML.replace("id = \"go-racy\"", "id = \"go-racy2\"");
        let err = ModelTable::parse(&text, Catalogue::embedded()).unwrap_err();
        assert!(
            format!("{err:#}").contains("go-racy2 is in no workload"),
            "{err:#}"
        );
        let cut = MODELS_TOML.replace("id = \"c-mutex\"", "id = \"go-seq\"");
        let err = ModelTable::parse(&cut, Catalogue::embedded()).unwrap_err();
        assert!(format!("{err:#}").contains("listed twice"), "{err:#}");
    }
}
