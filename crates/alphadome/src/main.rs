//! `alphadome`: the service and its command line. This file only parses the command line
//! and hands over; the work is in the library crates.

mod cli;
mod commands;
mod config;
mod output;
mod secrets;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("start the async runtime");
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", output::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
