//! The `layerleak` command-line tool.

mod args;
mod cmd_rules;
mod cmd_scan;
mod cmd_scan_fs;
mod engine;
mod rule_loading;
mod target;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Rules(cmd) => cmd_rules::run(cmd),
        args::Command::Scan(args) => cmd_scan::run(&args),
        args::Command::ScanFs(args) => cmd_scan_fs::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
