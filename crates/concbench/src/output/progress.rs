//! Progress while a plan runs: a bar with ETA on a terminal, plain lines otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format::format_eta;
use crate::run::runner::{Eta, Reporter};

/// The reporter that fits stderr: a progress bar on a terminal, plain lines elsewhere.
pub fn for_stderr() -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() {
        Box::new(Bar::new())
    } else {
        Box::new(Lines::default())
    }
}

/// The time left in words: the samples' estimate, what extra samples may add within the
/// budget, the most that waits for a steady machine may add (neither can be foreseen), and
/// the budget spent of its limit.
fn eta_text(eta: Eta) -> String {
    let mut out = format_eta(eta.samples);
    if !eta.extra_up_to.is_zero() {
        out += &format!(", + up to {} of extra samples", format_eta(eta.extra_up_to));
    }
    if !eta.waits_up_to.is_zero() {
        out += &format!(
            ", + up to {} waiting for a steady machine",
            format_eta(eta.waits_up_to)
        );
    }
    if let Some((spent, limit)) = eta.budget {
        out += &format!(" · budget {} / {}", format_eta(spent), format_eta(limit));
    }
    out
}

/// A progress bar: current run, done/total, elapsed and ETA.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed}] {bar:28.cyan/blue} {pos}/{len} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar }
    }
}

impl Reporter for Bar {
    fn start(&mut self, total: u64) {
        self.bar.set_length(total);
    }

    fn more(&mut self, samples: u64) {
        self.bar.inc_length(samples);
    }

    fn sample_start(&mut self, label: &str, done: u64, eta: Option<Eta>) {
        self.bar.set_position(done);
        let eta = eta
            .map(|e| format!("ETA {} · ", eta_text(e)))
            .unwrap_or_default();
        self.bar.set_message(format!("{eta}{label}"));
    }

    fn sample_done(&mut self, label: &str, outcome: &str) {
        if outcome.starts_with("FAILED") {
            self.bar.println(format!("{label}: {outcome}"));
        }
        self.bar.inc(1);
    }

    fn warning(&mut self, message: &str) {
        self.bar.println(format!("warning: {message}"));
    }

    fn waiting(&mut self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One line per sample, for logs and CI.
#[derive(Default)]
pub struct Lines {
    total: u64,
    done: u64,
    eta: Option<Eta>,
}

impl Reporter for Lines {
    fn start(&mut self, total: u64) {
        self.total = total;
    }

    fn more(&mut self, samples: u64) {
        self.total += samples;
    }

    fn sample_start(&mut self, _label: &str, done: u64, eta: Option<Eta>) {
        self.done = done;
        self.eta = eta;
    }

    fn sample_done(&mut self, label: &str, outcome: &str) {
        let eta = self
            .eta
            .map(|e| format!(" (ETA {})", eta_text(e)))
            .unwrap_or_default();
        eprintln!("[{}/{}] {label}: {outcome}{eta}", self.done + 1, self.total);
    }

    fn warning(&mut self, message: &str) {
        eprintln!("warning: {message}");
    }

    fn waiting(&mut self, message: &str) {
        eprintln!("{message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_gives_the_waits_and_the_extra_samples_as_bounds_beside_the_estimate() {
        let samples = Duration::from_secs(185);
        let none = Eta {
            samples,
            waits_up_to: Duration::ZERO,
            budget: None,
            extra_up_to: Duration::ZERO,
        };
        assert_eq!(eta_text(none), "3 min 05 s");
        let both = Eta {
            waits_up_to: Duration::from_secs(1200),
            ..none
        };
        assert_eq!(
            eta_text(both),
            "3 min 05 s, + up to 20 min 00 s waiting for a steady machine"
        );
        let budget = Eta {
            budget: Some((Duration::from_secs(300), Duration::from_secs(720))),
            extra_up_to: Duration::from_secs(235),
            ..none
        };
        assert_eq!(
            eta_text(budget),
            "3 min 05 s, + up to 3 min 55 s of extra samples · budget 5 min 00 s / 12 min 00 s"
        );
    }
}
