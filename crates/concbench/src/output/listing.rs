//! `concbench list --format json`: the catalogue and the toolchains, for scripts (the text
//! for people is [`super::terminal::render_catalogue`]).

use serde_json::{json, Value};

use crate::catalogue::Catalogue;
use crate::toolchain::Toolchains;

/// The catalogue and the toolchains as JSON: each language's runtime or why it is missing,
/// and each workload's models with whether they can run here.
pub fn catalogue_json(catalogue: &Catalogue, toolchains: &Toolchains) -> Value {
    let langs: serde_json::Map<String, Value> = toolchains
        .langs
        .iter()
        .map(|(lang, imp)| {
            let value = match imp {
                Ok(imp) => json!({
                    "available": true,
                    "runtime": imp.runtime,
                    "program": imp.program,
                    "numpy": imp.numpy,
                }),
                Err(why) => json!({"available": false, "reason": why.reason, "hint": why.hint}),
            };
            (lang.name().to_string(), value)
        })
        .collect();
    let workloads: Vec<Value> = catalogue
        .workloads
        .iter()
        .map(|w| {
            let models: Vec<Value> = w
                .models
                .iter()
                .map(|m| {
                    let mut v = serde_json::to_value(m).expect("serialisable");
                    let unavailable = toolchains.implementation_for(m.lang, &w.name, &m.id).err();
                    v["available"] = json!(unavailable.is_none());
                    v["unavailable"] = json!(unavailable.map(|u| u.to_string()));
                    v
                })
                .collect();
            json!({
                "name": w.name,
                "title": w.title,
                "from": w.from,
                "op": w.op,
                "params": w.params,
                "suites": w.suites.keys().collect::<Vec<_>>(),
                "models": models,
            })
        })
        .collect();
    json!({"toolchains": langs, "workloads": workloads})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_toolchains_every_model_is_listed_unavailable() {
        let catalogue = Catalogue::embedded();
        let v = catalogue_json(catalogue, &Toolchains::default());
        let workloads = v["workloads"].as_array().unwrap();
        assert_eq!(workloads.len(), catalogue.workloads.len());
        for w in workloads {
            for m in w["models"].as_array().unwrap() {
                assert_eq!(m["available"], false, "{m}");
                assert!(m["unavailable"].is_string(), "{m}");
            }
        }
        assert!(v["toolchains"].as_object().unwrap().is_empty());
    }
}
