//! The extra samples after the planned ones (`run --budget`): which rounds to run next, and
//! when to stop.
//!
//! After the last planned block, the runner asks the analysis what is still open
//! ([`crate::analysis::sampling::needs`]: figures read from intervals below 90%, undecided
//! claims, first tiers whose ties straddle one) and runs one extra round of each workload concerned: every run an open question names
//! gets one sample, in a shuffled order, so that the runs compared with each other alternate
//! (A B, B A, ...) and their samples pair by round. Then it asks again. It stops when
//! nothing is open, when the budget cannot pay for another round, or when a workload has
//! had [`MAX_EXTRA_ROUNDS`].

use std::collections::BTreeMap;
use std::time::Duration;

use crate::analysis::sampling::{Need, Stage};

/// At most this many extra rounds per workload: past it, an open question is one the
/// machine's own drift between rounds keeps open, not one more samples would close. The
/// budget is the limit that binds first in a standard run; this one stops a longer
/// `--budget` from going to a single question. At 20 a 25-minute budget stopped after 15
/// minutes with claims open whose intervals were projected to clear in 23 to 35 runs
/// (2026-12-04); a claim projected past the limit waits until nothing else is open.
pub const MAX_EXTRA_ROUNDS: u32 = 50;

/// One extra round of one workload: its runs (indexes of the plan) and why each is sampled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRound {
    /// The workload.
    pub workload: String,
    /// The runs to sample once each, ascending, with the question that asked (the first one
    /// that named it).
    pub runs: Vec<(usize, String)>,
}

/// Why the extra samples ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Nothing was open any more (or what was open had no run left that could be sampled).
    Decided,
    /// The budget could not pay for the next round.
    Budget,
    /// Every open workload had had its [`MAX_EXTRA_ROUNDS`].
    RoundLimit,
    /// Ctrl-C.
    Interrupted,
}

impl Stop {
    /// The word the results file records.
    pub fn word(self) -> &'static str {
        match self {
            Stop::Decided => "decided",
            Stop::Budget => "budget spent",
            Stop::RoundLimit => "round limit",
            Stop::Interrupted => "interrupted",
        }
    }
}

/// The next extra rounds, one per workload with an open question, in the order the
/// questions come: only runs that can still be sampled (`live`), only workloads under
/// [`MAX_EXTRA_ROUNDS`] (`rounds_done`), and only as many rounds as fit in `left`, a run's
/// sample costing `cost(run)`. `Err` says why there is none.
///
/// The stages come in order ([`Stage`]): while a question of an earlier stage is open and a
/// round of its runs can be taken, only its stage's runs are sampled. Weak intervals (a
/// verdict or a first-tier place read from 3 samples) come first, since two rounds settle
/// them; then undecided claims whose intervals are projected to clear their bounds within
/// the workload's rounds and the budget, the cheapest to decide first ([`Need::rounds`]
/// times a round's cost); then first tiers; the claims no projection reaches get what is
/// left. A standard run that sampled
/// claims and tiers at once spread 78 extra samples over 14 questions, 2 to 6 each, and
/// decided few of either (2026-12-03); one that sampled undecided claims first gave them
/// every round while verdicts and first tiers read from 75% intervals flipped between runs.
pub fn plan_rounds(
    needs: &[Need],
    live: &dyn Fn(usize) -> bool,
    cost: &dyn Fn(usize) -> Duration,
    left: Duration,
    rounds_done: &BTreeMap<String, u32>,
) -> Result<Vec<ExtraRound>, Stop> {
    let of = |stage: Stage| needs.iter().filter(move |n| n.stage == stage).cloned();
    let weak: Vec<Need> = of(Stage::Weak).collect();
    let (mut reachable, beyond): (Vec<Need>, Vec<Need>) =
        of(Stage::Claim).partition(|n| within_reach(n, cost, left, rounds_done));
    reachable.sort_by_key(|n| price(n, cost));
    let claims: Vec<Need> = weak.iter().chain(&reachable).cloned().collect();
    let tiers: Vec<Need> = claims.iter().cloned().chain(of(Stage::Tier)).collect();
    let every: Vec<Need> = tiers.iter().cloned().chain(beyond).collect();
    rounds_for(&weak, live, cost, left, rounds_done)
        .or_else(|_| rounds_for(&claims, live, cost, left, rounds_done))
        .or_else(|_| rounds_for(&tiers, live, cost, left, rounds_done))
        .or_else(|_| rounds_for(&every, live, cost, left, rounds_done))
}

/// What one round of a question's runs costs.
fn round_cost(need: &Need, cost: &dyn Fn(usize) -> Duration) -> Duration {
    need.runs.iter().map(|&i| cost(i)).sum()
}

/// The projected price of deciding an undecided claim: its rounds to decide times one
/// round's cost (unprojected: the most).
fn price(need: &Need, cost: &dyn Fn(usize) -> Duration) -> Duration {
    match need.rounds {
        Some(r) => round_cost(need, cost).saturating_mul(r.max(1) as u32),
        None => Duration::MAX,
    }
}

/// True when an undecided claim is projected to be decided within the rounds its workload
/// has left and the budget: the others wait until nothing else is open, since rounds spent
/// on a figure that sits on its bound decide nothing (2026-12-03: go-channels over
/// go-mutex-queue read 1.188× then 1.203× against the bound 1.2×, the second from 20
/// samples).
fn within_reach(
    need: &Need,
    cost: &dyn Fn(usize) -> Duration,
    left: Duration,
    rounds_done: &BTreeMap<String, u32>,
) -> bool {
    let done = rounds_done.get(&need.workload).copied().unwrap_or(0);
    need.rounds.is_some_and(|r| {
        r as u32 <= MAX_EXTRA_ROUNDS.saturating_sub(done) && price(need, cost) <= left
    })
}

fn rounds_for(
    needs: &[Need],
    live: &dyn Fn(usize) -> bool,
    cost: &dyn Fn(usize) -> Duration,
    left: Duration,
    rounds_done: &BTreeMap<String, u32>,
) -> Result<Vec<ExtraRound>, Stop> {
    let mut rounds: Vec<ExtraRound> = Vec::new();
    for need in needs {
        let runs: Vec<usize> = need.runs.iter().copied().filter(|&i| live(i)).collect();
        if runs.is_empty() {
            continue;
        }
        let at = match rounds.iter().position(|r| r.workload == need.workload) {
            Some(at) => at,
            None => {
                rounds.push(ExtraRound {
                    workload: need.workload.clone(),
                    runs: Vec::new(),
                });
                rounds.len() - 1
            }
        };
        let round = &mut rounds[at];
        for i in runs {
            if !round.runs.iter().any(|(j, _)| *j == i) {
                round.runs.push((i, need.reason.clone()));
            }
        }
        round.runs.sort_by_key(|(i, _)| *i);
    }
    if rounds.is_empty() {
        return Err(Stop::Decided);
    }
    rounds.retain(|r| rounds_done.get(&r.workload).copied().unwrap_or(0) < MAX_EXTRA_ROUNDS);
    if rounds.is_empty() {
        return Err(Stop::RoundLimit);
    }
    let mut spent = Duration::ZERO;
    rounds.retain(|r| {
        let c: Duration = r.runs.iter().map(|(i, _)| cost(*i)).sum();
        let fits = spent + c <= left;
        if fits {
            spent += c;
        }
        fits
    });
    if rounds.is_empty() {
        return Err(Stop::Budget);
    }
    Ok(rounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(workload: &str, runs: &[usize], reason: &str) -> Need {
        Need {
            workload: workload.into(),
            runs: runs.to_vec(),
            reason: reason.into(),
            stage: if reason.starts_with("claim") {
                Stage::Claim
            } else {
                Stage::Tier
            },
            rounds: reason.starts_with("claim").then_some(1),
        }
    }

    #[test]
    fn claims_projected_to_decide_soonest_come_first_and_those_beyond_reach_last() {
        let claim = |workload: &str, runs: &[usize], rounds: Option<usize>| Need {
            rounds,
            ..need(workload, runs, &format!("claim on {workload}"))
        };
        let needs = [
            claim("io-server", &[0, 1], Some(8)),
            claim("worker-pool", &[2, 3], None),
            claim("ping-pong", &[4, 5], Some(2)),
            need("spawn-idle", &[6, 7], "first tier of spawn-idle"),
            claim(
                "cpu-parallel",
                &[8, 10],
                Some(MAX_EXTRA_ROUNDS as usize + 1),
            ),
        ];
        let names = |left: Duration| -> Vec<String> {
            plan(&needs, left)
                .unwrap()
                .into_iter()
                .map(|r| r.workload)
                .collect()
        };
        // ping-pong (2 rounds of 2 s) before io-server (8 rounds); the claim on its bound and
        // the one past the round limit wait behind the first tier.
        assert_eq!(names(SECOND * 100), ["ping-pong", "io-server"]);
        // 10 s pays for ping-pong's 2 rounds, not io-server's 8: ping-pong alone.
        assert_eq!(names(SECOND * 10), ["ping-pong"]);
        // Once those are decided, the first tier; then what no projection reaches.
        let rest = [needs[1].clone(), needs[3].clone(), needs[4].clone()];
        let first = plan(&rest, SECOND * 100).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].workload, "spawn-idle");
        let last = plan(&[needs[1].clone(), needs[4].clone()], SECOND * 100).unwrap();
        let last: Vec<&str> = last.iter().map(|r| r.workload.as_str()).collect();
        assert_eq!(last, ["worker-pool", "cpu-parallel"]);
    }

    const SECOND: Duration = Duration::from_secs(1);

    fn plan(needs: &[Need], left: Duration) -> Result<Vec<ExtraRound>, Stop> {
        plan_rounds(needs, &|i| i != 9, &|_| SECOND, left, &BTreeMap::new())
    }

    #[test]
    fn nothing_open_stops_as_decided() {
        assert_eq!(plan(&[], SECOND * 100), Err(Stop::Decided));
        // A question whose only run cannot be sampled any more (failed) is not open.
        assert_eq!(
            plan(&[need("w", &[9], "claim c")], SECOND * 100),
            Err(Stop::Decided)
        );
    }

    #[test]
    fn claims_are_sampled_before_first_tiers() {
        let needs = [
            need("ping-pong", &[0, 1], "claim a"),
            need("worker-pool", &[4, 5], "first tier of worker-pool"),
            need("ping-pong", &[1, 2], "first tier of ping-pong"),
        ];
        let rounds = plan(&needs, SECOND * 100).unwrap();
        assert_eq!(rounds.len(), 1);
        assert_eq!(
            rounds[0].runs,
            vec![(0, "claim a".to_string()), (1, "claim a".to_string())]
        );
        // The claim's workload at its round limit: the first tiers get the rounds.
        let done = BTreeMap::from([("ping-pong".to_string(), MAX_EXTRA_ROUNDS)]);
        let rounds = plan_rounds(&needs, &|_| true, &|_| SECOND, SECOND * 100, &done).unwrap();
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].workload, "worker-pool");
    }

    #[test]
    fn weak_intervals_are_sampled_before_undecided_claims() {
        let weak = Need {
            stage: Stage::Weak,
            ..need("worker-pool", &[4, 5], "first tier of worker-pool")
        };
        let needs = [need("ping-pong", &[0, 1], "claim a"), weak];
        let rounds = plan(&needs, SECOND * 100).unwrap();
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].workload, "worker-pool");
        // Once the weak ones are settled (or at their limit), the claim gets the rounds.
        let done = BTreeMap::from([("worker-pool".to_string(), MAX_EXTRA_ROUNDS)]);
        let rounds = plan_rounds(&needs, &|_| true, &|_| SECOND, SECOND * 100, &done).unwrap();
        assert_eq!(rounds[0].workload, "ping-pong");
    }

    #[test]
    fn one_round_per_workload_gives_each_named_run_one_sample() {
        let needs = [
            need("ping-pong", &[0, 1], "first tier a"),
            need("worker-pool", &[4, 5], "first tier of worker-pool"),
            need("ping-pong", &[1, 2], "first tier of ping-pong"),
        ];
        let rounds = plan(&needs, SECOND * 100).unwrap();
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].workload, "ping-pong");
        assert_eq!(
            rounds[0].runs,
            vec![
                (0, "first tier a".to_string()),
                (1, "first tier a".to_string()),
                (2, "first tier of ping-pong".to_string())
            ]
        );
        assert_eq!(rounds[1].runs.len(), 2);
    }

    #[test]
    fn the_budget_stops_what_it_cannot_pay_for() {
        let needs = [
            need("a", &[0, 1], "x"),
            need("b", &[2, 3, 4], "y"),
            need("c", &[5], "z"),
        ];
        // 2 s pays for a's round (2 runs of 1 s), not b's; c's fits after a's with 3 s.
        let rounds = plan(&needs, SECOND * 3).unwrap();
        let names: Vec<&str> = rounds.iter().map(|r| r.workload.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(plan(&needs, SECOND / 2), Err(Stop::Budget));
        assert_eq!(plan(&needs, Duration::ZERO), Err(Stop::Budget));
    }

    #[test]
    fn a_workload_stops_at_its_round_limit() {
        let needs = [need("a", &[0, 1], "x"), need("b", &[2], "y")];
        let done = BTreeMap::from([("a".to_string(), MAX_EXTRA_ROUNDS)]);
        let rounds = plan_rounds(&needs, &|_| true, &|_| SECOND, SECOND * 10, &done).unwrap();
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].workload, "b");
        let done = BTreeMap::from([
            ("a".to_string(), MAX_EXTRA_ROUNDS),
            ("b".to_string(), MAX_EXTRA_ROUNDS),
        ]);
        let stop = plan_rounds(&needs, &|_| true, &|_| SECOND, SECOND * 10, &done);
        assert_eq!(stop, Err(Stop::RoundLimit));
    }
}
