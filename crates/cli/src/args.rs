//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find secrets in container images: every layer, deleted files, image config and build args.
#[derive(Parser, Debug)]
#[command(name = "layerleak", version, about, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success / no findings, 1 findings or failed checks, 2 error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Scan files and directories as raw bytes (no image awareness: a stopgap until image
    /// sources land). Secrets are redacted unless --show-secrets.
    ScanFs(ScanFsArgs),
    /// Inspect and check detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Args, Debug)]
pub(crate) struct ScanFsArgs {
    /// Files or directories (walked recursively, symlinks not followed).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Print secret values in full.
    #[arg(long)]
    pub(crate) show_secrets: bool,
    /// Load rules from this directory of TOML files instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum RulesCommand {
    /// List the rules.
    List {
        #[command(flatten)]
        source: RuleSource,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check the rules: schema, patterns, bounds, keywords, and every example through the engine.
    Check {
        #[command(flatten)]
        source: RuleSource,
        /// Fail on warnings too.
        #[arg(long)]
        warnings_as_errors: bool,
        /// Also print notes (negative examples that other rules match).
        #[arg(long)]
        notes: bool,
    },
    /// Measure recall and false-positive rate on test vectors (JSON Lines with `text` and
    /// `expect` = positive|negative, as in shared/conformance/).
    Conformance {
        /// The JSON Lines file.
        vectors: PathBuf,
        #[command(flatten)]
        source: RuleSource,
        /// Print every miss and false positive.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Args, Debug)]
pub(crate) struct RuleSource {
    /// Load rules from this directory of TOML files instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum ListFormat {
    Text,
    Json,
}
