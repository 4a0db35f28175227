//! `activity-finder-proxy` binary: a thin shell over the library's CLI.
fn main() -> std::process::ExitCode {
    activity_finder_proxy::cli::main()
}
