//! Deciding one test on a results file: the runs it names (the model, the one it is
//! compared with, the scenario and CPUs), the figure read from them the way the analysis
//! view defines it, and the rule applied to it.

use super::reading::{has_figure, ratio, read, usable, Reading};
use super::scenario::{machine_cpus_for, test_cpus, ScenarioKey};
use super::words::{
    base_unit, not_measured_reason, outcome_words, place_words, range_words, show, show_bound,
};
use super::{Measure, Metric, SafetyEvidence, TestResult, TestSpec, Undecided, Verdict};
use crate::analysis::view::{self, Analysis};
use crate::catalogue::claims::ModelSpec;
use crate::catalogue::selection::{Selection, SetOverride};
use crate::catalogue::{Catalogue, Role, Workload};
use crate::format;
use crate::results::{ResultsFile, RunResult, SafetyOutcome};
use crate::stats::{self, Interval, Placement, CONFIDENCE};

/// A run's comparison group, as the view makes it (CPUs, placement, the scenario with linear
/// parameters left out and calibrated ones as zero or not), with the parameters by name.
fn scenario_of(w: &Workload, run: &RunResult) -> ScenarioKey {
    let (cpus, pinned, params) = view::group_key(w, run);
    (cpus, pinned, params.into_iter().collect())
}

/// True when the run matches the test's fixed scenario values (not `max`/`min`) and CPUs.
fn fits(t: &TestSpec, w: &Workload, run: &RunResult) -> bool {
    let cpus_ok = match t.cpus.as_deref() {
        None | Some("max") => true,
        Some(n) => n.parse::<usize>().is_ok_and(|n| n == run.cpus),
    };
    // A parameter the test does not name reads as its `where_default` (io-server's rate: the
    // closed loop), where it has one.
    let defaults_ok = w.params.iter().all(|p| match p.where_default {
        Some(d) if !t.scenario.contains_key(&p.name) => {
            run.params.get(&p.name).copied().unwrap_or(0) == d
        }
        _ => true,
    });
    cpus_ok
        && defaults_ok
        && t.scenario.iter().all(|(name, want)| {
            let v = run.params.get(name).copied().unwrap_or(0);
            let calibrated = w.param(name).is_some_and(|p| p.calibrated);
            match want.as_str() {
                "max" | "min" => true,
                ">0" => v > 0,
                "0" => v == 0,
                n => match n.parse::<u64>() {
                    Ok(n) if calibrated => (v > 0) == (n > 0),
                    Ok(n) => v == n,
                    Err(_) => false,
                },
            }
        })
}

/// Picks, among the scenarios every side was measured in, the one the test asks for: most
/// CPUs (unless a count is given), then each `max`/`min` parameter, free runs before pinned.
fn pick_scenario(t: &TestSpec, keys: Vec<ScenarioKey>) -> Option<ScenarioKey> {
    keys.into_iter().max_by(|a, b| {
        let mut ord = a.0.cmp(&b.0);
        for (name, want) in &t.scenario {
            if ord != std::cmp::Ordering::Equal {
                break;
            }
            let (x, y) = (a.2.get(name), b.2.get(name));
            ord = match want.as_str() {
                "max" => x.cmp(&y),
                "min" => y.cmp(&x),
                _ => std::cmp::Ordering::Equal,
            };
        }
        ord.then(b.1.cmp(&a.1))
    })
}

/// True when `spec` admits the run: it is the model named, or a contender (not racy) of the
/// languages named.
fn admits(spec: &ModelSpec, w: &Workload, run: &RunResult) -> bool {
    match spec {
        ModelSpec::Id(id) => run.model == *id,
        ModelSpec::BestOf(ids) => ids.contains(&run.model.as_str()),
        ModelSpec::Best { langs, negate } => {
            let contender = w
                .model(&run.model)
                .is_some_and(|m| m.role == Role::Contender && !m.racy);
            contender && (langs.contains(&run.lang) != *negate)
        }
    }
}

/// A test being decided on a file: what each step reads.
struct Case<'a> {
    t: &'a TestSpec,
    w: &'a Workload,
    file: &'a ResultsFile,
    a: &'a Analysis,
    /// Below this many CPUs of its own a run does not count.
    min_cpus: usize,
}

impl Case<'_> {
    /// The runs `spec` admits that can give the figure.
    fn candidates(&self, spec: &ModelSpec) -> Vec<usize> {
        let (t, w, file) = (self.t, self.w, self.file);
        (0..file.runs.len())
            .filter(|&i| {
                let r = &file.runs[i];
                r.workload == t.workload
                    && usable(r)
                    && test_cpus(w, file, r) >= self.min_cpus
                    && admits(spec, w, r)
                    && fits(t, w, r)
                    && has_figure(t.metric, i, file, self.a)
            })
            .collect()
    }

    /// The scenario the test asks for among those both sides were measured in.
    fn scenario(&self, mine: &[usize], theirs: Option<&[usize]>) -> Option<ScenarioKey> {
        let keys_of = |runs: &[usize]| -> Vec<ScenarioKey> {
            runs.iter()
                .map(|&i| scenario_of(self.w, &self.file.runs[i]))
                .collect()
        };
        let mut keys = keys_of(mine);
        if let Some(theirs) = theirs {
            let other = keys_of(theirs);
            keys.retain(|k| other.contains(k));
        }
        pick_scenario(self.t, keys)
    }

    /// Of `runs` in scenario `key`, the one with the best figure, and that figure.
    fn best_of(&self, runs: &[usize], key: &ScenarioKey) -> Option<(usize, Reading)> {
        let t = self.t;
        runs.iter()
            .filter(|&&i| scenario_of(self.w, &self.file.runs[i]) == *key)
            .filter_map(|&i| Some((i, read(t.metric, t.of_ideal, i, self.file, self.a)?)))
            .max_by(|x, y| {
                let o = x.1.value.total_cmp(&y.1.value);
                if t.metric.higher_is_better() {
                    o
                } else {
                    o.reverse()
                }
            })
    }

    /// Why the test is not measured.
    fn not_measured(&self) -> String {
        not_measured_reason(self.t, self.w, self.file, self.min_cpus)
    }
}

/// A test with nothing decided yet: not measured.
fn blank(t: &TestSpec) -> TestResult {
    TestResult {
        what: t.what.clone(),
        workload: t.workload.clone(),
        metric: t.metric,
        models: std::iter::once(t.model.clone())
            .chain(t.against.clone())
            .collect(),
        measured: None,
        unit: t.unit.clone(),
        ci95: None,
        level: None,
        shown: "—".into(),
        rule: t.rule.clone(),
        holds: t.holds,
        caveat: t.caveat,
        verdict: Verdict::NotMeasured,
        reason: String::new(),
        counts: t.counts,
        evidence: Vec::new(),
        safety: None,
        undecided: None,
        measure: None,
        runs_to_decide: None,
        source: None,
    }
}

/// Decides one test.
pub(crate) fn decide(
    catalogue: &Catalogue,
    t: &TestSpec,
    file: &ResultsFile,
    a: &Analysis,
) -> TestResult {
    let mut out = blank(t);
    let Some(w) = catalogue.workload(&t.workload) else {
        out.reason = format!("the catalogue has no workload {}", t.workload);
        return out;
    };
    match t.metric {
        Metric::Safety => return decide_safety(t, file, out),
        Metric::MaxValid => return decide_max_valid(t, w, file, out),
        _ => {}
    }
    let model = ModelSpec::parse(&t.model).expect("validated");
    let against = t
        .against
        .as_deref()
        .map(|s| ModelSpec::parse(s).expect("validated"));
    let case = Case {
        t,
        w,
        file,
        a,
        min_cpus: t.min_cpus.unwrap_or(1),
    };
    let mine = case.candidates(&model);
    let theirs = against.as_ref().map(|s| case.candidates(s));
    let Some(key) = case.scenario(&mine, theirs.as_deref()) else {
        out.reason = case.not_measured();
        out.measure = Some(measure_spec(t, w, &model, against.as_ref(), case.min_cpus));
        return out;
    };
    let Some((i, mine)) = case.best_of(&mine, &key) else {
        out.reason = case.not_measured();
        return out;
    };
    let chosen = |i: usize| file.runs[i].model.clone();
    out.models = vec![chosen(i)];
    let (reading, raw) = match theirs.as_deref().and_then(|th| case.best_of(th, &key)) {
        Some((j, theirs)) => {
            out.models.push(chosen(j));
            let base_unit = base_unit(t.metric);
            let raw = format!(
                "; {} {}, {} {}",
                chosen(i),
                show(mine.value, None, base_unit),
                chosen(j),
                show(theirs.value, None, base_unit)
            );
            (ratio(mine, theirs, (&file.runs[i], &file.runs[j])), raw)
        }
        None if t.against.is_some() => {
            out.reason = case.not_measured();
            return out;
        }
        None => (mine, String::new()),
    };
    let point = reading.interval.is_none();
    let mut out = conclude(&case, out, reading, (&key, i), &raw);
    // More runs narrow an interval; a point figure has none to narrow.
    if out.verdict == Verdict::Undecided && !point {
        project(&mut out, file);
        out.measure = Some(decide_spec(&case, &out, i));
    }
    out
}

/// The samples an undecided test's interval is projected to need to clear every bound it
/// straddles (`runs_to_decide`), from the fewest samples among its runs; when none up to the
/// projection's cap would, the reason says that its median sits too close to a bound.
fn project(out: &mut TestResult, file: &ResultsFile) {
    let (Some(v), Some((lo, hi)), Some(level), Some(u)) =
        (out.measured, out.ci95, out.level, out.undecided.as_ref())
    else {
        return;
    };
    let n = out.samples_behind(file).unwrap_or(0);
    let ci = Interval { lo, hi, level };
    out.runs_to_decide = u
        .bounds
        .iter()
        .map(|&b| stats::interval::samples_to_clear(v, &ci, n, b, CONFIDENCE))
        .collect::<Option<Vec<usize>>>()
        .and_then(|all| all.into_iter().max());
    if out.runs_to_decide.is_none() {
        let nearest = u
            .bounds
            .iter()
            .copied()
            .min_by(|a, b| (a - v).abs().total_cmp(&(b - v).abs()));
        if let Some(b) = nearest {
            out.reason.push_str(&format!(
                "; its median lies {:.1}% from the bound, closer than even {} runs are \
                 projected to resolve on this machine",
                100.0 * (v - b).abs() / b.abs(),
                stats::interval::PROJECTION_CAP
            ));
        }
    }
}

/// The run that would decide an undecided test: the same workload, models and scenario
/// values, at the file's suite, with the counted runs its interval is projected to need
/// (`runs_to_decide`); without a projection, enough for the interval to reach 95%
/// ([`stats::interval::samples_needed`]), or twice as many as it has when it already does.
fn decide_spec(case: &Case, out: &TestResult, run: usize) -> Measure {
    let (t, w) = (case.t, case.w);
    let models: Vec<ModelSpec> = out.models.iter().map(|m| ModelSpec::Id(m)).collect();
    let mut m = measure_spec(t, w, &models[0], models.get(1), case.min_cpus);
    let has = case.file.runs[run].samples.len();
    let needed = stats::interval::samples_needed(CONFIDENCE);
    let runs = match out.runs_to_decide {
        Some(projected) => projected.max(needed),
        None if has < needed => needed,
        None => 2 * has,
    };
    m.run.suite = case.file.suite.clone();
    m.run.runs = Some(runs as u32);
    m
}

/// The test decided from its reading: the figure, its evidence, the verdict and why. `key`
/// and `run` are the scenario and the run the figure stands on; `raw` the two sides' own
/// figures when it is a ratio.
fn conclude(
    case: &Case,
    mut out: TestResult,
    reading: Reading,
    (key, run): (&ScenarioKey, usize),
    raw: &str,
) -> TestResult {
    let (t, file) = (case.t, case.file);
    let v = reading.value;
    out.measured = Some(v);
    out.ci95 = reading.interval.map(|c| (c.lo, c.hi));
    out.level = reading.interval.map(|c| c.level);
    out.shown = show(v, reading.interval, &t.unit);
    out.evidence = reading
        .runs
        .iter()
        .map(|&r| view::evidence(file, r))
        .collect();
    let place = place_words(t, key, &file.runs[run]);
    let subject = if out.models.len() == 2 {
        format!("{} over {}", out.models[0], out.models[1])
    } else {
        out.models[0].clone()
    };
    let (verdict, undecided) = judge(t, v, reading.interval);
    out.verdict = verdict;
    let why = match &undecided {
        None => range_words(t, v),
        Some(u) if u.one_sample => match reading.interval {
            Some(_) => "one sample: a single run is a point, which decides nothing".into(),
            None => "a point figure with no interval, which decides nothing by itself".into(),
        },
        Some(u) => {
            let bounds: Vec<String> = u.bounds.iter().map(|b| show_bound(*b, &t.unit)).collect();
            let between: Vec<&str> = u.between.iter().map(|v| v.label()).collect();
            format!(
                "its {} interval straddles the bound{} {}: it could be {}",
                view::level_words(reading.interval.map_or(0.0, |c| c.level)),
                if bounds.len() == 1 { "" } else { "s" },
                bounds.join(" and "),
                between.join(" or ")
            )
        }
    };
    out.undecided = undecided;
    out.reason = format!("{subject}: {} ({place}{raw}), {why}", out.shown);
    out
}

/// The rule's bounds, ascending: every finite end of its ranges.
fn bounds(t: &TestSpec) -> Vec<f64> {
    let mut out: Vec<f64> = [t.holds.min, t.holds.max]
        .into_iter()
        .chain(t.caveat.map_or([None, None], |c| [c.min, c.max]))
        .flatten()
        .collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// The verdict of a figure and its interval: decided only when the whole interval lies in
/// one band of the rule (where the rule gives one verdict). A point (one sample, or a figure
/// with no interval) decides nothing; an interval across bounds whose sides give different
/// verdicts is undecided between them.
fn judge(t: &TestSpec, v: f64, interval: Option<Interval>) -> (Verdict, Option<Undecided>) {
    let bounds = bounds(t);
    let every = || {
        let mut all = vec![Verdict::Holds, Verdict::DoesNotHold];
        if t.caveat.is_some() {
            all.insert(1, Verdict::Caveat);
        }
        all
    };
    let Some(ci) = interval.filter(|c| c.level > 0.0) else {
        if bounds.is_empty() || !t.counts {
            // A rule with no bound gives one verdict to every value, and a context row
            // decides nothing, so it has no verdict to leave undecided.
            return (verdict_of(t, v), None);
        }
        let u = Undecided {
            between: every(),
            bounds: Vec::new(),
            one_sample: true,
        };
        return (Verdict::Undecided, Some(u));
    };
    let (first, last) = match stats::place(&ci, &bounds) {
        Placement::Within(_) => return (verdict_of(t, v), None),
        Placement::Across { first, last } => (first, last),
    };
    // The verdict at each end, at each bound straddled, and between consecutive ones.
    let inside = &bounds[first..=last];
    let mut points = vec![ci.lo, ci.hi];
    points.extend(inside);
    points.extend(inside.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    let mut between: Vec<Verdict> = points.iter().map(|&x| verdict_of(t, x)).collect();
    between.sort();
    between.dedup();
    if between.len() == 1 {
        return (between[0], None);
    }
    let u = Undecided {
        between,
        bounds: inside.to_vec(),
        one_sample: false,
    };
    (Verdict::Undecided, Some(u))
}

/// The verdict the test's rule gives the value `v`.
fn verdict_of(t: &TestSpec, v: f64) -> Verdict {
    super::verdict_in(t.holds, t.caveat, v)
}

/// The run that would measure a test the file lacks: its models (with the sequential one
/// a speedup is against), its fixed scenario values, and the machine it needs.
fn measure_spec(
    t: &TestSpec,
    w: &Workload,
    model: &ModelSpec,
    against: Option<&ModelSpec>,
    min_cpus: usize,
) -> Measure {
    let mut models = Vec::new();
    for spec in std::iter::once(model).chain(against) {
        match spec {
            ModelSpec::Id(id) => models.push(id.to_string()),
            // Those of the list this catalogue has; none: every model.
            ModelSpec::BestOf(ids) if ids.iter().any(|id| w.model(id).is_some()) => models.extend(
                ids.iter()
                    .filter(|id| w.model(id).is_some())
                    .map(|id| id.to_string()),
            ),
            ModelSpec::Best { .. } | ModelSpec::BestOf(_) => {
                models.clear();
                break;
            }
        }
    }
    if !models.is_empty() && t.metric == Metric::Speedup {
        // The speedup is against the language's sequential model: run it too.
        for id in models.clone() {
            if let Some(seq) = w.model(&id).and_then(|m| w.sequential_model(m.lang)) {
                models.push(seq.id.clone());
            }
        }
    }
    let sets = t
        .scenario
        .iter()
        .filter(|(name, _)| !w.param(name).is_some_and(|p| p.calibrated))
        .filter_map(|(name, v)| {
            Some(SetOverride {
                workload: t.workload.clone(),
                param: name.clone(),
                value: v.parse::<u64>().ok()?,
            })
        })
        .collect();
    models.dedup();
    Measure {
        run: Selection {
            models: (!models.is_empty()).then_some(models),
            sets,
            ..Selection::measure(vec![t.workload.clone()])
        },
        min_cpus: machine_cpus_for(w, min_cpus),
        safety: false,
    }
}

/// Decides a safety test from the file's check of its model.
fn decide_safety(t: &TestSpec, file: &ResultsFile, mut out: TestResult) -> TestResult {
    out.unit = String::new();
    let expect = t.expect.expect("validated");
    let Some(check) = file.safety.iter().find(|c| c.model == t.model) else {
        out.reason = format!("the file has no safety check of {}", t.model);
        out.measure = Some(Measure {
            run: Selection::measure(vec![t.workload.clone()]),
            min_cpus: 1,
            safety: true,
        });
        return out;
    };
    out.shown = outcome_words(check.outcome).into();
    out.safety = Some(SafetyEvidence {
        command: check.command.clone(),
        excerpt: check.excerpt.clone(),
    });
    let first_line = check.excerpt.lines().next().unwrap_or("").trim();
    out.verdict = match check.outcome {
        SafetyOutcome::Unavailable => Verdict::NotMeasured,
        o if o == expect && t.as_expected.as_deref() == Some("caveat") => Verdict::Caveat,
        o if o == expect => Verdict::Holds,
        _ => Verdict::DoesNotHold,
    };
    out.reason = match (check.outcome, &check.reason) {
        (SafetyOutcome::Unavailable, Some(why)) => format!("{}: check unavailable: {why}", t.model),
        _ if first_line.is_empty() => format!("{} {} (`{}`)", t.model, out.shown, check.command),
        _ => format!("{} {}: {first_line}", t.model, out.shown),
    };
    out
}

/// The largest value of `param` at which a run of `model` was valid (the run and the value),
/// and what stopped it going further; or why there is none.
fn largest_valid(
    t: &TestSpec,
    w: &Workload,
    file: &ResultsFile,
    model: &str,
) -> Result<(usize, u64, String), String> {
    let param = t.param.as_deref().expect("validated");
    let runs: Vec<usize> = (0..file.runs.len())
        .filter(|&i| {
            let r = &file.runs[i];
            r.workload == t.workload && r.model == model && !r.baseline && fits(t, w, r)
        })
        .collect();
    let value = |i: usize| file.runs[i].params.get(param).copied().unwrap_or(0);
    let best = runs
        .iter()
        .copied()
        .filter(|&i| usable(&file.runs[i]))
        .max_by_key(|&i| value(i));
    let Some(i) = best else {
        return Err(if runs.is_empty() {
            format!("the file has no {} run of {model}", t.workload)
        } else {
            format!("no {} run of {model} was valid", t.workload)
        });
    };
    // What stopped it going further: a larger run that failed or was refused.
    let beyond = runs
        .iter()
        .filter(|&&j| value(j) > value(i) && !usable(&file.runs[j]))
        .min_by_key(|&&j| value(j))
        .map(|&j| {
            let r = &file.runs[j];
            format!(
                "at {param}={} the run {}: {}",
                format::format_count(value(j)),
                r.status.label(),
                r.error.as_deref().unwrap_or("no reason recorded")
            )
        })
        .unwrap_or_else(|| format!("the file has no larger {param} for it"));
    Ok((i, value(i), beyond))
}

/// Decides a `max_valid` test: the largest value of the parameter at which the model's run
/// was valid, and what stopped it going further; with `against`, that value over the other
/// model's.
fn decide_max_valid(
    t: &TestSpec,
    w: &Workload,
    file: &ResultsFile,
    mut out: TestResult,
) -> TestResult {
    let param = t.param.as_deref().expect("validated");
    let sides: Vec<&str> = std::iter::once(t.model.as_str())
        .chain(t.against.as_deref())
        .collect();
    let mut found = Vec::new();
    for model in &sides {
        match largest_valid(t, w, file, model) {
            Ok(f) => found.push(f),
            Err(reason) => {
                out.reason = reason;
                out.measure = Some(Measure {
                    run: Selection {
                        models: Some(sides.iter().map(|m| m.to_string()).collect()),
                        ..Selection::measure(vec![t.workload.clone()])
                    },
                    min_cpus: 1,
                    safety: false,
                });
                return out;
            }
        }
    }
    let (_, mine, ref beyond) = found[0];
    let v = match found.get(1) {
        Some(&(_, theirs, _)) => mine as f64 / theirs.max(1) as f64,
        None => mine as f64,
    };
    out.measured = Some(v);
    out.shown = match found.get(1) {
        Some(_) => format!("{}{}", format::format_number(v), t.unit),
        None => format!("{} {}", format::format_count(mine), t.unit),
    };
    out.evidence = found.iter().map(|f| view::evidence(file, f.0)).collect();
    out.verdict = verdict_of(t, v);
    let mut reason = format!(
        "{}: valid at {param}={} ({beyond})",
        t.model,
        format::format_count(mine)
    );
    if let Some((_, theirs, their_beyond)) = found.get(1) {
        reason += &format!(
            "; {}: valid at {param}={} ({their_beyond}); the ratio {}",
            sides[1],
            format::format_count(*theirs),
            out.shown
        );
    }
    out.reason = format!("{reason}, {}", range_words(t, v));
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::claims::tests::{claim, decide_all};
    use crate::analysis::claims::Verdict;
    use crate::catalogue::Lang;
    use crate::fixtures;
    use crate::results::{ResultsFile, SafetyCheck, SafetyOutcome, Status};

    /// py-seq at 2.0 s and py-threads at `threads_ns`, 5 samples each, on 2 CPUs.
    fn gil_file(threads_ns: u64) -> ResultsFile {
        let seq = [
            2_000_000_000,
            2_010_000_000,
            1_990_000_000,
            2_005_000_000,
            1_995_000_000,
        ];
        let threads: Vec<u64> = (0..5).map(|i| threads_ns + i * 1_000_000).collect();
        fixtures::file(vec![
            fixtures::cpu_parallel("py-seq", 3_000_000, &seq),
            fixtures::cpu_parallel("py-threads", 3_000_000, &threads),
        ])
    }

    #[test]
    fn the_gil_claim_holds_for_a_gil_and_flips_for_a_free_threaded_python() {
        let gil = decide_all(&gil_file(2_050_000_000));
        let c = claim(&gil, "gil-cpu-threads");
        assert_eq!(c.verdict, Verdict::Holds, "{}", c.reason);
        let speedup = c.measured.unwrap();
        assert!((speedup - 2.0 / 2.052).abs() < 0.01, "{speedup}");
        assert_eq!(c.evidence.len(), 2, "the threads' run and py-seq's");
        // A free-threaded CPython: the same program, threads twice as fast.
        let free = decide_all(&gil_file(1_020_000_000));
        let c = claim(&free, "gil-cpu-threads");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{}", c.reason);
        assert!(c.reason.contains("py-threads"), "{}", c.reason);
    }

    fn safety_check(model: &str, lang: Lang, outcome: SafetyOutcome) -> SafetyCheck {
        SafetyCheck {
            model: model.into(),
            lang,
            check: "compile-fail".into(),
            outcome,
            expected: SafetyOutcome::Rejected,
            command: "rustc x.rs".into(),
            excerpt: "error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely".into(),
            reason: (outcome == SafetyOutcome::Unavailable).then(|| "no rustc".into()),
        }
    }

    #[test]
    fn safety_claims_follow_the_check_in_the_file() {
        let verdict = |send, alias| {
            let mut f = fixtures::file(Vec::new());
            f.safety
                .push(safety_check("rust-racy-send", Lang::Rust, send));
            f.safety
                .push(safety_check("rust-racy-alias", Lang::Rust, alias));
            let r = decide_all(&f);
            let c = claim(&r, "rust-races-at-compile-time").clone();
            (c.verdict, c.reason)
        };
        use SafetyOutcome::{Clean, Rejected, Unavailable};
        let (v, reason) = verdict(Rejected, Rejected);
        assert_eq!(v, Verdict::Holds);
        assert!(reason.contains("E0277"), "{reason}");
        // Either sample compiling, or refused for another reason, does not hold.
        assert_eq!(verdict(Clean, Rejected).0, Verdict::DoesNotHold);
        assert_eq!(verdict(Rejected, Clean).0, Verdict::DoesNotHold);
        // One check unavailable: the other alone holds at best with a caveat.
        let (v, reason) = verdict(Rejected, Unavailable);
        assert_eq!(v, Verdict::Caveat);
        assert!(reason.contains("no rustc"), "{reason}");
        assert_eq!(verdict(Unavailable, Unavailable).0, Verdict::NotMeasured);
        // A file from before the samples (one `rust-racy` check) decides nothing.
        let mut old = fixtures::file(Vec::new());
        old.safety
            .push(safety_check("rust-racy", Lang::Rust, Rejected));
        let r = decide_all(&old);
        let c = claim(&r, "rust-races-at-compile-time");
        assert_eq!(c.verdict, Verdict::NotMeasured, "{}", c.reason);
    }

    #[test]
    fn a_ratio_names_both_runs() {
        // py-processes-numpy 0.16 s, py-numpy 0.1 s, py-seq 2 s.
        let f = fixtures::file(vec![
            fixtures::cpu_parallel("py-seq", 3_000_000, &[2_000_000_000; 5]),
            fixtures::cpu_parallel("py-processes-numpy", 3_000_000, &[160_000_000; 5]),
            fixtures::cpu_parallel("py-numpy", 3_000_000, &[100_000_000; 5]),
        ]);
        let r = decide_all(&f);
        let t = &claim(&r, "pipelines-python-multiprocessing").tests[0];
        assert_eq!(t.models, vec!["py-processes-numpy", "py-numpy"]);
        assert!((t.measured.unwrap() - 1.6).abs() < 1e-6);
        assert_eq!(t.verdict, Verdict::Caveat);
        assert_eq!(t.evidence.len(), 2);
        assert_eq!(t.evidence[1].model, "py-numpy");
    }

    /// cpu-parallel on `cpus` CPUs, 8 tasks: go-seq at 8 s, go-goroutine-per-task at the
    /// time that is `efficiency` of the ideal speedup (8 ÷ ⌈8 ÷ cpus⌉).
    fn scaling_file(cpus: usize, efficiency: f64) -> ResultsFile {
        let params = [("tasks", 8), ("n", 30_000_000), ("workers", cpus as u64)];
        let ideal = 8.0 / 8u64.div_ceil(cpus as u64) as f64;
        let seq = 8_000_000_000u64;
        let par = (seq as f64 / (ideal * efficiency)) as u64;
        let spread = |x: u64| [x, x + x / 200, x - x / 200, x + x / 100, x - x / 100];
        fixtures::file(vec![
            fixtures::run_on(
                "cpu-parallel",
                "go-seq",
                &params,
                cpus,
                false,
                &spread(seq),
                &[],
            ),
            fixtures::run_on(
                "cpu-parallel",
                "go-goroutine-per-task",
                &params,
                cpus,
                false,
                &spread(par),
                &[],
            ),
        ])
    }

    #[test]
    fn the_same_efficiency_gives_the_same_verdict_on_2_6_and_16_cpus() {
        for (efficiency, want) in [
            (0.95, Verdict::Holds),
            (0.65, Verdict::Caveat),
            (0.4, Verdict::DoesNotHold),
        ] {
            for cpus in [2, 6, 16] {
                let r = decide_all(&scaling_file(cpus, efficiency));
                let t = &claim(&r, "go-uses-all-cores").tests[0];
                assert_eq!(t.verdict, want, "{cpus} CPUs at {efficiency}: {}", t.reason);
                let got = t.measured.unwrap();
                assert!((got - efficiency).abs() < 0.01, "{cpus} CPUs: {got}");
            }
        }
        // 8 tasks on 6 CPUs take two rounds at best: the ideal is 4×, not 6×.
        let r = decide_all(&scaling_file(6, 0.95));
        let t = &claim(&r, "go-uses-all-cores").tests[0];
        assert!(
            t.reason
                .contains("the ideal speedup for 8 tasks on 6 CPUs is 4×"),
            "{}",
            t.reason
        );
    }

    #[test]
    fn a_pointer_sent_over_a_channel_and_reported_gives_the_claim_its_caveat() {
        let check = |model: &str, outcome| SafetyCheck {
            model: model.into(),
            lang: Lang::Go,
            check: "race-detector".into(),
            outcome,
            expected: SafetyOutcome::Clean,
            command: "concbench-go-race shared-counter ...".into(),
            excerpt: "WARNING: DATA RACE".into(),
            reason: None,
        };
        let verdict = |pointer| {
            let mut f = fixtures::file(Vec::new());
            f.safety.push(check("go-channel", SafetyOutcome::Clean));
            f.safety.push(check("go-channel-pointer", pointer));
            claim(&decide_all(&f), "channels-avoid-races").verdict
        };
        assert_eq!(verdict(SafetyOutcome::Reported), Verdict::Caveat);
        // The detector missing a race that is there by construction: the check failed.
        assert_eq!(verdict(SafetyOutcome::Clean), Verdict::DoesNotHold);
        assert_eq!(verdict(SafetyOutcome::Unavailable), Verdict::Caveat);
    }

    #[test]
    fn the_largest_valid_size_is_read_and_the_refused_one_named() {
        let mut refused = fixtures::run_on(
            "spawn-idle",
            "rust-threads",
            &[("units", 100_000)],
            2,
            false,
            &[],
            &[],
        );
        refused.valid = false;
        refused.status = Status::Refused;
        refused.error = Some("refused: 100000 threads exceed the cap of 13105".into());
        let f = fixtures::file(vec![
            fixtures::run_on(
                "spawn-idle",
                "rust-threads",
                &[("units", 0)],
                2,
                false,
                &[50_000; 3],
                &[("rss_kb", 4_000)],
            ),
            fixtures::run_on(
                "spawn-idle",
                "rust-threads",
                &[("units", 10_000)],
                2,
                false,
                &[9_000_000; 3],
                &[("rss_kb", 100_000)],
            ),
            refused,
        ]);
        let r = decide_all(&f);
        let t = &claim(&r, "tens-of-thousands").tests[2];
        assert_eq!(t.measured, Some(10_000.0));
        assert!(t.reason.contains("cap of 13105"), "{}", t.reason);
        // Goroutines at 100,000 against threads at 10,000: the counted ratio, 10×.
        let mut runs = f.runs.clone();
        for units in [0, 100_000] {
            runs.push(fixtures::run_on(
                "spawn-idle",
                "go-goroutines",
                &[("units", units)],
                2,
                false,
                &[50_000; 3],
                &[("rss_kb", 4_000)],
            ));
        }
        let r = decide_all(&fixtures::file(runs.clone()));
        let t = &claim(&r, "tens-of-thousands").tests[0];
        assert_eq!(t.measured, Some(10.0), "{}", t.reason);
        assert_eq!(t.verdict, Verdict::Holds, "{}", t.reason);
        assert_eq!(t.evidence.len(), 2);
        // Threads valid at 100,000 too: no longer ten times as many.
        let mut threads = runs[1].clone();
        threads.params.insert("units".into(), 100_000);
        runs.push(threads);
        let r = decide_all(&fixtures::file(runs));
        let t = &claim(&r, "tens-of-thousands").tests[0];
        assert_eq!(t.measured, Some(1.0), "{}", t.reason);
        assert_eq!(t.verdict, Verdict::DoesNotHold, "{}", t.reason);
    }

    /// mixed-service at 300 requests/s: py-asyncio and py-asyncio-processes on `cpus`
    /// CPUs, each with its achieved req/s and p99 (µs), 5 samples.
    fn layered_file(cpus: usize, alone: (i64, i64), pool: (i64, i64)) -> ResultsFile {
        let params = [
            ("rate", 300),
            ("requests", 750),
            ("delay_us", 1000),
            ("cpu", 16_000),
            ("workers", cpus as u64),
        ];
        let run = |model: &str, (rps, p99): (i64, i64)| {
            fixtures::run_on(
                "mixed-service",
                model,
                &params,
                cpus,
                false,
                &[2_600_000_000; 5],
                &[("rps", rps), ("p99_us", p99)],
            )
        };
        fixtures::file(vec![
            run("py-asyncio", alone),
            run("py-asyncio-processes", pool),
        ])
    }

    #[test]
    fn the_layered_design_is_decided_on_mixed_service_with_every_cpu_serving() {
        let layered =
            |f: &ResultsFile| claim(&decide_all(f), "layered-asyncio-process-pool").clone();
        // The pool keeps up with 300/s (298, p99 15 ms); asyncio alone falls behind (230/s,
        // its queue makes p99 0.7 s).
        let c = layered(&layered_file(2, (230, 700_000), (298, 15_000)));
        // Two counted tests (Python's), then Node.js's and Java's designs as context: with no
        // run of theirs they are not measured, and the claim is still decided by Python's.
        assert_eq!(c.tests.len(), 4);
        for t in &c.tests[2..] {
            assert!(!t.counts, "{}", t.what);
            assert_eq!(t.verdict, Verdict::NotMeasured, "{}", t.reason);
        }
        let (rps, p99) = (&c.tests[0], &c.tests[1]);
        assert_eq!(rps.verdict, Verdict::Holds, "{}", rps.reason);
        assert!((rps.measured.unwrap() - 298.0 / 230.0).abs() < 1e-9);
        assert_eq!(p99.verdict, Verdict::Holds, "{}", p99.reason);
        assert!((p99.measured.unwrap() - 15_000.0 / 700_000.0).abs() < 1e-9);
        assert_eq!(c.verdict, Verdict::Holds);
        // A pool whose pickling and pipes cost more than the second CPU gives: no gain.
        let c = layered(&layered_file(2, (230, 700_000), (200, 900_000)));
        assert_eq!(
            c.tests[0].verdict,
            Verdict::DoesNotHold,
            "{}",
            c.tests[0].reason
        );
        assert_eq!(
            c.tests[1].verdict,
            Verdict::DoesNotHold,
            "{}",
            c.tests[1].reason
        );
        // On one CPU a pool cannot add a core: not measured, whatever the figures.
        let c = layered(&layered_file(1, (230, 700_000), (298, 15_000)));
        for t in &c.tests {
            assert_eq!(t.verdict, Verdict::NotMeasured, "{}", t.reason);
            let m = t.measure.as_ref().expect("a command");
            assert_eq!(
                m.needs().as_deref(),
                Some("on a machine with 2 CPUs or more")
            );
        }
    }
}

#[cfg(test)]
mod rate_tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    fn spec(scenario: &[(&str, &str)]) -> TestSpec {
        TestSpec {
            what: String::new(),
            workload: "io-server".into(),
            metric: Metric::P99Us,
            model: "go-net-http".into(),
            against: None,
            param: None,
            scenario: scenario
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cpus: None,
            min_cpus: None,
            of_ideal: false,
            as_expected: None,
            expect: None,
            unit: "µs".into(),
            holds: crate::catalogue::claims::Range::default(),
            caveat: None,
            rule: String::new(),
            counts: true,
        }
    }

    #[test]
    fn where_rate_picks_the_open_loop_and_its_absence_the_closed_loop() {
        let w = Catalogue::embedded().workload("io-server").unwrap();
        let closed = fixtures::server("go-net-http", 0, 100, 9_000, 60_000, 1, 1, 1);
        let mut open = closed.clone();
        open.params.insert("rate".into(), 2_000);
        let open_loop = spec(&[("cpu", "0"), ("rate", ">0")]);
        assert!(fits(&open_loop, w, &open));
        assert!(!fits(&open_loop, w, &closed));
        // `rate` not named: the closed loop only (throughput is not read from an open loop).
        let unnamed = spec(&[("cpu", "0")]);
        assert!(fits(&unnamed, w, &closed));
        assert!(!fits(&unnamed, w, &open));
        let zero = spec(&[("rate", "0")]);
        assert!(fits(&zero, w, &closed) && !fits(&zero, w, &open));
        let exact = spec(&[("rate", "2000")]);
        assert!(fits(&exact, w, &open) && !fits(&exact, w, &closed));
    }
}
