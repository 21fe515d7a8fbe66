//! The `nianbao` command: the command line (clap), progress bar and Ctrl-C handling in
//! [`cli`], over the library. Built with the default `cli` feature.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
