//! The `layerleak` command-line tool.

mod args;
mod cmd_audit;
mod cmd_generate;
mod cmd_rules;
mod cmd_scan;
mod cmd_scan_fs;
mod engine;
mod gate;
mod output;
mod output_file;
mod progress;
mod report_args;
mod rule_loading;
mod scrub;
mod target;
mod terminal;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Rules(cmd) => cmd_rules::run(cmd),
        args::Command::Scan(args) => cmd_scan::run(&args),
        args::Command::ScanFs(args) => cmd_scan_fs::run(&args),
        args::Command::Audit(args) => cmd_audit::run(&args),
        args::Command::Completions { shell } => cmd_generate::completions(shell),
        args::Command::Man { out_dir } => cmd_generate::man(out_dir.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if scrub::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", layerleak_report::escape_controls(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
