//! Loading and compiling the rules every scanning subcommand uses.

use std::path::Path;

use anyhow::{Context as _, Result};
use layerleak_engine::{Scanner, ScannerBuilder};
use layerleak_report::RuleDoc;
use layerleak_rules::Rules;

/// The built-in rules, or those of `rules_dir`, compiled. Rules from outside the binary are
/// compiled up front so a bad pattern fails here rather than on its first candidate.
pub(crate) fn scanner(rules_dir: Option<&Path>) -> Result<Scanner> {
    let rules = match rules_dir {
        Some(dir) => Rules::from_dir(dir)
            .with_context(|| format!("failed to load rules from {}", dir.display()))?,
        None => Rules::embedded().context("failed to load the built-in rules")?,
    };
    ScannerBuilder::new()
        .compile_eagerly(rules_dir.is_some())
        .build(&rules)
        .context("failed to compile the rules")
}

/// What reports (SARIF) say about each rule `scanner` and the built-in checks can name.
pub(crate) fn docs(scanner: &Scanner) -> Vec<RuleDoc> {
    RuleDoc::all(scanner.rules())
}
