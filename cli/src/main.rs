//! `wardgis`: the command line over the wardgis core. Parses arguments, calls core, prints.
//!
//! Exit codes: 0 success, 1 a data error (bad file, bad row, unknown layer) or a project
//! another program changed or holds locked, 2 a usage error, 130 stopped by Ctrl-C (an
//! import rolled back). Writing into a closed pipe (`wardgis history p.gpkg | head`) ends
//! the program quietly, as it does `ls`.

mod args;
mod commands;
mod evaluation;
mod orders;
mod planning;
mod printing;
mod progress;
mod zoning;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::Failure::Usage(msg)) => {
            eprintln!("wardgis: usage error: {msg}");
            ExitCode::from(2)
        }
        Err(commands::Failure::Data(wardgis::error::Error::Cancelled)) => {
            eprintln!("wardgis: cancelled; nothing was imported");
            ExitCode::from(130)
        }
        Err(commands::Failure::Data(e)) => {
            eprintln!("wardgis: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Rust ignores SIGPIPE, so a write to a closed pipe fails and `println!` panics with a
/// backtrace. A command-line tool should instead end quietly, as `ls | head` does: restore
/// the default action.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
