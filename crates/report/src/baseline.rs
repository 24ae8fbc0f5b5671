//! [`Baseline`]: known findings, recorded by fingerprint, that a gate should not fail on.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Finding, Location, Redaction, Redactor};

/// The version of the baseline file's shape (its `version` field).
pub const BASELINE_VERSION: u32 = 1;

/// Findings a team has accepted, so that a gate fails only on new ones.
///
/// Written by `--write-baseline`, read by `--baseline`. A versioned JSON file:
///
/// ```json
/// {
///   "version": 1,
///   "tool": "layerleak",
///   "findings": [
///     { "fingerprint": "3b1c…", "rule_id": "layerleak.npm.1", "where": "layer 1 srv/token.txt" }
///   ]
/// }
/// ```
///
/// Only `fingerprint` matters for matching (see [`Fingerprint`](crate::Fingerprint): the
/// same secret found by the same rule, in any image). `rule_id` and `where` help a reviewer
/// read the file; `where` is redacted like every report string. Entries are sorted by
/// fingerprint so the file diffs well.
///
/// # Example
///
/// ```
/// use layerleak_report::Baseline;
///
/// let b = Baseline::parse(r#"{"version":1,"findings":[{"fingerprint":"ab12"}]}"#)?;
/// assert!(b.contains("ab12"));
/// assert!(!b.contains("cd34"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<String, Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule_id: Option<String>,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    location: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool: Option<String>,
    findings: Vec<Entry>,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("cannot access the baseline file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file is not a baseline (line and column in the message).
    #[error("invalid baseline file: {message}")]
    Invalid {
        /// What is wrong, with its line and column.
        message: String,
    },
    /// The file is from a later version of layerleak.
    #[error(
        "baseline version {found} is not supported (this layerleak reads version {BASELINE_VERSION})"
    )]
    Version {
        /// The version in the file.
        found: u32,
    },
}

impl Baseline {
    /// A baseline accepting every one of `findings`. `where` notes are redacted with a
    /// [`Redactor`] that knows these findings' secrets, whatever `mode` the report uses:
    /// a baseline is committed to a repository and must never hold a secret.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Baseline {
        Baseline::from_findings_redacted(findings, &Redactor::default())
    }

    /// As [`Baseline::from_findings`], hiding in `where` notes also what `redactor` hides
    /// (its credentials and what its detector finds), whatever its policy.
    pub fn from_findings_redacted<'a>(
        findings: impl IntoIterator<Item = &'a Finding>,
        redactor: &Redactor,
    ) -> Baseline {
        let findings: Vec<&Finding> = findings.into_iter().collect();
        let r = redactor
            .clone()
            .with_mode(Redaction::Redact)
            .with_secrets(findings.iter().map(|f| &f.secret));
        let entries = findings
            .iter()
            .map(|f| {
                let entry = Entry {
                    fingerprint: f.fingerprint.to_string(),
                    rule_id: Some(f.rule_id.clone()),
                    location: f.locations.first().map(|l| r.text(&describe(l))),
                };
                (entry.fingerprint.clone(), entry)
            })
            .collect();
        Baseline { entries }
    }

    /// Parses a baseline document.
    ///
    /// # Errors
    ///
    /// [`BaselineError::Invalid`] for malformed JSON or unknown fields,
    /// [`BaselineError::Version`] for a version other than [`BASELINE_VERSION`].
    pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let v: Versioned = serde_json::from_str(text)
            .map_err(|e| BaselineError::Invalid { message: e.to_string() })?;
        if v.version != BASELINE_VERSION {
            return Err(BaselineError::Version { found: v.version });
        }
        let file: File = serde_json::from_str(text)
            .map_err(|e| BaselineError::Invalid { message: e.to_string() })?;
        Ok(Baseline {
            entries: file.findings.into_iter().map(|e| (e.fingerprint.clone(), e)).collect(),
        })
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    ///
    /// [`BaselineError::Io`] when it cannot be read, else as [`Baseline::parse`].
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| BaselineError::Io { path: path.to_owned(), source })?;
        Baseline::parse(&text)
    }

    /// The baseline as a JSON document (pretty, entries sorted by fingerprint).
    pub fn to_json(&self) -> String {
        let file = File {
            version: BASELINE_VERSION,
            tool: Some("layerleak".to_owned()),
            findings: self.entries.values().cloned().collect(),
        };
        // Plain strings and numbers: serialization cannot fail.
        let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the baseline to `path`.
    ///
    /// # Errors
    ///
    /// [`BaselineError::Io`].
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json())
            .map_err(|source| BaselineError::Io { path: path.to_owned(), source })
    }

    /// Whether the baseline accepts the finding with this fingerprint.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.contains_key(fingerprint)
    }

    /// The number of accepted findings.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the baseline accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `layer 1 srv/token.txt`, `config env STRIPE_KEY` or `file srv/token.txt`: for people
/// reading the file.
fn describe(l: &Location) -> String {
    match l {
        Location::Layer(l) => format!("layer {} {}", l.layer, l.path),
        Location::File(f) => format!("file {}", f.path),
        Location::Config(c) => match &c.key {
            Some(k) => format!("config {} {k}", c.field),
            None => format!("config {}", c.field),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigField, ConfigLocation, Fingerprint, Origin, Secret};
    use layerleak_rules::Confidence;

    fn finding(secret: &[u8]) -> Finding {
        let secret = Secret::new(secret.to_vec());
        Finding {
            rule_id: "layerleak.env.1".into(),
            rule_name: "x".into(),
            confidence: Confidence::Medium,
            checksum: None,
            fingerprint: Fingerprint::new("s", secret.expose()),
            locations: vec![Location::Config(ConfigLocation {
                image: "a".into(),
                platform: None,
                field: ConfigField::Env,
                key: Some(String::from_utf8_lossy(secret.expose()).into_owned()),
                history_index: None,
                offset: 0,
                context: String::new(),
                origin: Origin::Image,
            })],
            secret,
        }
    }

    #[test]
    fn round_trips_and_never_holds_a_secret() {
        let f = finding(b"hunter2hunter2hunter2");
        let b = Baseline::from_findings([&f]);
        let json = b.to_json();
        assert!(!json.contains("hunter2"), "{json}");
        let back = Baseline::parse(&json).unwrap();
        assert_eq!(back, b);
        assert!(back.contains(f.fingerprint.as_str()));
        assert_eq!(back.len(), 1);
    }

    #[test]
    fn rejects_other_versions_and_unknown_fields_with_a_position() {
        let e = Baseline::parse(r#"{"version":2,"findings":[]}"#).unwrap_err();
        assert!(matches!(e, BaselineError::Version { found: 2 }), "{e}");
        let e = Baseline::parse("{\"version\":1,\n\"findings\":[{\"fp\":\"x\"}]}").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
