//! `concbench-rust <workload> <model> --<param>=<value> ...` and `concbench-rust --list`.

fn main() -> std::process::ExitCode {
    concbench_rust::protocol::main(concbench_rust::WORKLOADS)
}
