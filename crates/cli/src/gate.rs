//! The CI gate's flags: threshold, baseline, ignore file.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use layerleak_report::{Baseline, Date, Finding, Gate, IgnoreFile, Redactor};
use layerleak_rules::Confidence;

/// The name of the ignore file looked for in the current directory.
pub(crate) const IGNORE_FILE: &str = ".layerleakignore";

#[derive(Args, Debug)]
pub(crate) struct GateArgs {
    /// Fail (exit 1) only on findings of at least this confidence; findings below it are
    /// still reported.
    #[arg(long, value_enum, value_name = "CONFIDENCE", default_value_t = FailOn::Low)]
    pub(crate) fail_on: FailOn,
    /// Suppress the findings listed in this baseline file (by fingerprint); they are
    /// counted in the summary, not reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write every finding of this scan to FILE as a baseline, then gate with it (adopting
    /// the gate on an image that already leaks: commit the file, and only new findings fail).
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
    /// Read ignore entries from FILE [default: ./.layerleakignore if it exists].
    #[arg(long, value_name = "FILE")]
    pub(crate) ignore_file: Option<PathBuf>,
    /// Do not read ./.layerleakignore.
    #[arg(long, conflicts_with = "ignore_file")]
    pub(crate) no_ignore_file: bool,
    /// Let public findings fail the gate too. By default they are reported (JSON, JSON
    /// Lines, SARIF as suppressed results; text with --verbose) and counted, but do not
    /// fail: secrets in a file whose bytes match the digest a package database in the
    /// image records for it (origin `package`: dpkg, Python RECORD, …), published example
    /// values (origin `example`), and tokens whose built-in checksum fails.
    #[arg(long)]
    pub(crate) fail_on_public: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailOn {
    Low,
    Medium,
    High,
}

impl From<FailOn> for Confidence {
    fn from(f: FailOn) -> Confidence {
        match f {
            FailOn::Low => Confidence::Low,
            FailOn::Medium => Confidence::Medium,
            FailOn::High => Confidence::High,
        }
    }
}

impl GateArgs {
    /// The ignore file to read: `--ignore-file`, else `./.layerleakignore` if present.
    fn ignore_path(&self) -> Option<PathBuf> {
        if self.no_ignore_file {
            return None;
        }
        self.ignore_file.clone().or_else(|| {
            let default = Path::new(IGNORE_FILE);
            default.is_file().then(|| default.to_owned())
        })
    }

    /// Reads the baseline and the ignore file. Called before anything is scanned, so a
    /// wrong path or a malformed file fails at once rather than after a long scan. Returns
    /// the gate and messages for the user (expired ignore entries).
    pub(crate) fn load(&self) -> Result<(Gate, Vec<String>)> {
        let mut messages = Vec::new();
        let baseline = match &self.baseline {
            // Writing it in this run: the written one is the baseline.
            Some(path) if !path.exists() && self.write_baseline.as_ref() == Some(path) => None,
            Some(path) if !path.exists() => bail!(
                "the baseline {} does not exist: create it with `layerleak scan IMAGE \
                 --write-baseline {}` (it records the image's current findings; commit it)",
                path.display(),
                path.display()
            ),
            Some(path) => Some(
                Baseline::read(path)
                    .with_context(|| format!("cannot use the baseline {}", path.display()))?,
            ),
            None => None,
        };
        let ignore = match self.ignore_path() {
            Some(path) => {
                let file = IgnoreFile::read(&path, Date::today())
                    .with_context(|| format!("invalid ignore file {}", path.display()))?;
                for e in file.expired() {
                    messages.push(format!(
                        "warning: {}:{}: ignore entry expired on {}; it no longer applies{}",
                        path.display(),
                        e.line,
                        e.expires.map(|d| d.to_string()).unwrap_or_default(),
                        e.reason.as_deref().map(|r| format!(" (reason: {r})")).unwrap_or_default(),
                    ));
                }
                Some(file)
            }
            None => None,
        };
        let gate = Gate {
            fail_on: self.fail_on.into(),
            baseline,
            ignore,
            gate_public: self.fail_on_public,
        };
        Ok((gate, messages))
    }

    /// With `--write-baseline`, writes every one of `findings` to that file and makes it
    /// the gate's baseline (its notes redacted by `redactor`). Returns what was written, for
    /// the user.
    pub(crate) fn write_baseline(
        &self,
        gate: &mut Gate,
        findings: &[Finding],
        redactor: &Redactor,
    ) -> Result<Option<String>> {
        let Some(path) = &self.write_baseline else {
            return Ok(None);
        };
        let written = Baseline::from_findings_redacted(findings, redactor);
        written
            .write(path)
            .with_context(|| format!("cannot write the baseline {}", path.display()))?;
        let message = format!(
            "wrote {} finding{} to the baseline {}",
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            path.display()
        );
        gate.baseline = Some(written);
        Ok(Some(message))
    }
}
