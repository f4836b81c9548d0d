//! `wardgis`: the command line over the wardgis core. Parses arguments, calls core, prints.
//!
//! Exit codes: 0 success, 1 a data error (bad file, bad row, unknown layer), 2 a usage error.

mod args;
mod commands;
mod orders;
mod sampling;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::Failure::Usage(msg)) => {
            eprintln!("wardgis: usage error: {msg}");
            ExitCode::from(2)
        }
        Err(commands::Failure::Data(e)) => {
            eprintln!("wardgis: error: {e}");
            ExitCode::from(1)
        }
    }
}
