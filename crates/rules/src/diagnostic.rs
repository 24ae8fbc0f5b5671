//! Problems found while checking rules.

use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// For review only; never fails a check (e.g. a negative example that another rule
    /// legitimately matches).
    Note,
    /// Worth a look; fails `rules check` only with `--warnings-as-errors`.
    Warning,
    /// The rule cannot be used as written.
    Error,
}

/// One problem with one rule (or one file), with enough context to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The rule file, e.g. `github.toml`.
    pub file: String,
    /// The rule id, when the problem belongs to one rule.
    pub rule: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    /// An error about `rule` in `file`.
    pub fn error(file: &str, rule: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            rule: rule.map(str::to_owned),
            message: message.into(),
        }
    }

    /// A note about `rule` in `file`, for review only.
    pub fn note(file: &str, rule: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(file, rule, message) }
    }

    /// A warning about `rule` in `file`.
    pub fn warning(file: &str, rule: Option<&str>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, rule, message) }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match &self.rule {
            Some(rule) => write!(f, "{sev}: {} ({}): {}", rule, self.file, self.message),
            None => write!(f, "{sev}: {}: {}", self.file, self.message),
        }
    }
}
