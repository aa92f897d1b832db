//! The `concbench` command: a thin shell over the library.

fn main() {
    std::process::exit(concbench::cli::main());
}
