//! Report formats, the report destination, and colour.

use std::io::{self, IsTerminal as _, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use layerleak_report::{
    JsonLinesReporter, JsonReporter, Redaction, Redactor, Reporter, RuleDoc, SarifReporter,
    TextReporter,
};

use crate::output_file::OutputFile;

/// Where and how the report is written.
#[derive(Args, Debug)]
pub(crate) struct OutputArgs {
    /// Report format: text for people; json, one document (schema:
    /// crates/report/schema/report-v1.schema.json); jsonl, one typed object per line,
    /// written image by image as each completes; sarif, SARIF 2.1.0 for code scanning (GitHub, GitLab).
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub(crate) format: ScanFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Print secret values in full (never the default: reports, logs and baselines redact
    /// them).
    #[arg(long)]
    pub(crate) show_secrets: bool,
    /// In SARIF, where findings in the image config (ENV, LABEL, build args, history)
    /// point: the build recipe's path in the repository.
    #[arg(long, value_name = "PATH", default_value = "Dockerfile")]
    pub(crate) sarif_config_uri: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScanFormat {
    Text,
    Json,
    Jsonl,
    Sarif,
}

impl OutputArgs {
    /// Whether the format writes each image as soon as it is scanned (JSON Lines), rather
    /// than the whole report at the end.
    pub(crate) fn streams(&self) -> bool {
        self.format == ScanFormat::Jsonl
    }

    pub(crate) fn redaction(&self) -> Redaction {
        if self.show_secrets { Redaction::Show } else { Redaction::Redact }
    }

    /// The reporter for the chosen format, writing to the chosen place (a file is created at
    /// the report's first write; see [`OutputFile`]). Text is coloured
    /// only on a terminal, and never when `NO_COLOR` is set (to anything but empty). Every
    /// string is redacted by `redactor` (with the run's findings added).
    pub(crate) fn reporter(
        &self,
        rules: Vec<RuleDoc>,
        redactor: Redactor,
    ) -> Result<Box<dyn Reporter>> {
        let color = self.output.is_none() && io::stdout().is_terminal() && !no_color();
        let out: Box<dyn Write> = match &self.output {
            Some(path) => Box::new(OutputFile::new(path)?),
            None => Box::new(io::stdout().lock()),
        };
        let redaction = self.redaction();
        Ok(match self.format {
            ScanFormat::Text => Box::new(
                TextReporter::new(out, redaction).with_redactor(redactor).with_color(color),
            ),
            ScanFormat::Json => Box::new(JsonReporter::new(out, redaction).with_redactor(redactor)),
            ScanFormat::Jsonl => {
                Box::new(JsonLinesReporter::new(out, redaction).with_redactor(redactor))
            }
            ScanFormat::Sarif => Box::new(
                SarifReporter::new(out, redaction, rules)
                    .with_redactor(redactor)
                    .with_config_uri(self.sarif_config_uri.clone()),
            ),
        })
    }
}

/// Whether the user asked for no colour (<https://no-color.org>: set and not empty).
pub(crate) fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
