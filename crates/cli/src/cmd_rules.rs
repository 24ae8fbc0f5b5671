//! `layerleak rules …`: list, check, conformance.

use std::{
    fs,
    io::{self, Write as _},
    process::ExitCode,
};

use anyhow::{Context as _, Result};
use layerleak_engine::{Scanner, check, conformance};
use layerleak_rules::{BuiltinRule, RuleSyntax, Rules, Severity, builtin_rules, coverage};

use crate::args::{ListFormat, RuleSource, RulesCommand};

pub(crate) fn run(cmd: RulesCommand) -> Result<ExitCode> {
    match cmd {
        RulesCommand::List { source, format } => list(&source, format),
        RulesCommand::Check { source, warnings_as_errors, notes } => {
            check(&source, warnings_as_errors, notes)
        }
        RulesCommand::Conformance { vectors, source, verbose } => {
            conformance(&vectors, &source, verbose)
        }
    }
}

fn load(source: &RuleSource) -> Result<Rules> {
    match &source.rules_dir {
        Some(dir) => Rules::from_dir(dir)
            .with_context(|| format!("failed to load rules from {}", dir.display())),
        None => Rules::embedded().context("failed to load the built-in rules"),
    }
}

/// One rule of `rules list --format json`, as written in its catalogue file.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Listed<'a> {
    Rule(&'a RuleSyntax),
    Builtin(&'a BuiltinRule),
}

/// Lists the provider rules (embedded, or those of `--rules-dir`), then the catalogue's
/// built-in rules, which `--rules-dir` does not replace; in text, with the coverage by
/// category and the totals.
fn list(source: &RuleSource, format: ListFormat) -> Result<ExitCode> {
    let rules = load(source)?;
    let builtins = builtin_rules();
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Text => {
            for r in &rules {
                writeln!(out, "{:<28} {:<6} {}", r.id(), r.confidence(), r.name())?;
            }
            for b in builtins {
                let kind = b.kind.as_str();
                writeln!(
                    out,
                    "{:<28} {:<6} {} (built-in {kind} rule)",
                    b.id, b.confidence, b.name
                )?;
            }
            let c = coverage(&rules, builtins);
            writeln!(out)?;
            writeln!(out, "{:<24} {:>5} {:>9}", "category", "rules", "providers")?;
            for k in &c.categories {
                writeln!(out, "{:<24} {:>5} {:>9}", k.category, k.rules, k.providers)?;
            }
            writeln!(
                out,
                "{} rules: {} provider rules from {} providers, {} built-in rules",
                c.rules,
                rules.len(),
                c.providers,
                c.builtin_rules
            )?;
        }
        ListFormat::Json => {
            let list: Vec<Listed<'_>> = rules
                .iter()
                .map(|r| Listed::Rule(r.syntax()))
                .chain(builtins.iter().map(Listed::Builtin))
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(source: &RuleSource, warnings_as_errors: bool, notes: bool) -> Result<ExitCode> {
    let owned = match &source.rules_dir {
        Some(dir) => layerleak_rules::read_dir_sources(dir)
            .with_context(|| format!("failed to read {}", dir.display()))?,
        None => {
            layerleak_rules::embedded_sources().map(|(n, t)| (n.to_owned(), t.to_owned())).collect()
        }
    };
    let outcome = check::check_sources(owned.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    // The catalogue's built-in rules and word lists are embedded whatever `--rules-dir`
    // says, and checked with the provider rules: their examples through the scan's matchers.
    let mut catalogue = layerleak_rules::check_embedded_catalogue();
    let has_errors =
        |diags: &[layerleak_rules::Diagnostic]| diags.iter().any(|d| d.severity == Severity::Error);
    if !has_errors(&catalogue) {
        catalogue.extend(layerleak_scan::check_builtin_examples());
    }
    let mut out = io::stdout().lock();
    for d in outcome.diagnostics.iter().chain(&catalogue) {
        if d.severity != Severity::Note || notes {
            writeln!(out, "{d}")?;
        }
    }
    let count = |severity| {
        outcome.count(severity) + catalogue.iter().filter(|d| d.severity == severity).count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let rules = outcome.rules.as_ref().map_or(0, Rules::len);
    let builtins = if has_errors(&catalogue) { 0 } else { builtin_rules().len() };
    writeln!(
        out,
        "{} rule files, {rules} rules and {builtins} built-in rules ok: {errors} errors, {warnings} warnings, {} notes",
        owned.len(),
        count(Severity::Note)
    )?;
    Ok(if errors > 0 || (warnings_as_errors && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn conformance(path: &std::path::Path, source: &RuleSource, verbose: bool) -> Result<ExitCode> {
    let rules = load(source)?;
    let scanner = Scanner::new(&rules).context("failed to compile the rules")?;
    let text =
        fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))?;
    let vectors = conformance::parse(&text).map_err(|(line, e)| {
        anyhow::Error::new(e).context(format!("{}:{line}: invalid vector", path.display()))
    })?;
    let report = conformance::run(&scanner, &vectors);
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "recall: {}/{} positives found ({:.1}%)",
        report.found,
        report.positives,
        report.recall()
    )?;
    writeln!(
        out,
        "false positives: {}/{} negatives matched ({:.1}%)",
        report.false_positives.len(),
        report.negatives,
        report.false_positive_rate()
    )?;
    if verbose {
        for (id, t) in &report.misses {
            writeln!(out, "MISS {id}: {}", t.escape_debug())?;
        }
        for (id, by, t) in &report.false_positives {
            writeln!(out, "FP {id} (matched by {}): {}", by.join(","), t.escape_debug())?;
        }
    } else {
        let mut by_rule = std::collections::BTreeMap::<&str, usize>::new();
        for (id, _) in &report.misses {
            *by_rule.entry(id).or_default() += 1;
        }
        let list: Vec<String> = by_rule.iter().map(|(k, v)| format!("{k}x{v}")).collect();
        writeln!(out, "missed: {}", list.join(" "))?;
    }
    Ok(ExitCode::SUCCESS)
}
