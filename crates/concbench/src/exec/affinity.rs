//! CPU affinity: which CPUs the harness may use, and pinning a thread or a child to some.

use std::thread;

/// The CPUs this process may run on, in order (the pool `pin_cpus` chooses from).
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it for this process.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return (0..num_cpus_fallback()).collect();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

fn num_cpus_fallback() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// A set of CPUs to pin to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuSet {
    /// The first N CPUs the harness may use.
    First(usize),
    /// These CPUs.
    List(Vec<usize>),
}

impl CpuSet {
    /// The CPU numbers.
    pub fn to_list(&self) -> Vec<usize> {
        match self {
            CpuSet::First(n) => allowed_cpus().into_iter().take(*n).collect(),
            CpuSet::List(cpus) => cpus.clone(),
        }
    }
}

/// Pins the calling thread (or, before exec, the process) to `cpus`. Allocation-free.
pub fn pin_current_thread(cpus: &[usize]) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; sched_setaffinity(0, ..) affects the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in cpus {
            libc::CPU_SET(c, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
