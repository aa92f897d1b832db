//! Ctrl-C as the runs see it: one handle, shared by the command line's signal handler (which
//! sets it) and everything that runs or waits (which reads it), instead of a global.
//!
//! Ctrl-C stops the runs only once there are runs to stop: a session calls
//! [`Interrupt::listen`] when its toolchains are ready, just before the first sample. Until
//! then the handler is told the press was not for it, and Ctrl-C ends the program as it
//! always does, a toolchain build included.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A cloneable handle on "the user pressed Ctrl-C": every clone sees the same press.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    /// A session is running samples: Ctrl-C stops it instead of ending the program.
    listening: AtomicBool,
    /// Ctrl-C was pressed while listening: stop at the next sample boundary.
    interrupted: AtomicBool,
}

impl Interrupt {
    /// A handle that has heard nothing and does not listen yet.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// From now on Ctrl-C stops the runs (and kills the one in flight) instead of ending the
    /// program; there is no going back, so the results file is always written.
    pub fn listen(&self) {
        self.state.listening.store(true, Ordering::SeqCst);
    }

    /// The signal handler's call: when listening, marks the runs interrupted and returns true
    /// (the handler then kills the run in flight); otherwise returns false and changes
    /// nothing, and the handler should end the program as Ctrl-C would have.
    pub fn ctrl_c(&self) -> bool {
        let listening = self.state.listening.load(Ordering::SeqCst);
        if listening {
            self.interrupt();
        }
        listening
    }

    /// Marks the runs interrupted, whether listening or not (tests, and callers that stop a
    /// session for their own reasons).
    pub fn interrupt(&self) {
        self.state.interrupted.store(true, Ordering::SeqCst);
    }

    /// True once the runs were interrupted: stop at the next sample boundary.
    pub fn is_interrupted(&self) -> bool {
        self.state.interrupted.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_before_a_session_listens_is_not_taken_and_changes_nothing() {
        let handle = Interrupt::new();
        assert!(!handle.ctrl_c());
        assert!(!handle.is_interrupted());
    }

    #[test]
    fn ctrl_c_while_listening_reaches_every_clone() {
        let handler = Interrupt::new();
        let runner = handler.clone();
        runner.listen();
        assert!(handler.ctrl_c());
        assert!(runner.is_interrupted());
        // Another handle is another program's: it heard nothing.
        assert!(!Interrupt::new().is_interrupted());
    }
}
