//! [`IgnoreFile`]: `.layerleakignore`, findings a team decided not to fail on.

use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::{Date, Finding, Location};

/// The parsed `.layerleakignore` (TOML).
///
/// ```toml
/// [[ignore]]
/// rule = "layerleak.generic.1"          # a rule id
/// path = "usr/share/doc/**"             # a glob over the path in the layer
/// fingerprint = "3b1c…"                 # one finding (see `fingerprint` in reports)
/// reason = "documentation examples"     # optional, shown nowhere but kept for review
/// expires = 2027-01-31                  # optional: the entry stops applying after this day
/// ```
///
/// Each entry names at least one of `rule`, `path` and `fingerprint`; when it names
/// several, a finding must match all of them. `path` is a glob (`*` stays within a
/// directory, `**` crosses them, a leading `/` is ignored) matched against the path in the
/// layer, nested archive members after `!/`; it matches a finding only when **every**
/// location of the finding is a layer file matching it, so a secret that also appears in
/// `ENV` is still reported. An entry whose `expires` day has passed no longer applies,
/// and [`IgnoreFile::expired`] lists it so the caller can warn.
///
/// # Example
///
/// ```
/// use layerleak_report::{Date, IgnoreFile};
///
/// let file = IgnoreFile::parse(
///     "[[ignore]]\nrule = \"layerleak.generic.1\"\nexpires = 2020-01-01\n",
///     Date::new(2026, 1, 1),
/// )?;
/// assert_eq!(file.expired().len(), 1);
/// assert!(IgnoreFile::parse("[[ignore]]\nreason = \"x\"\n", Date::new(2026, 1, 1)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct IgnoreFile {
    active: Vec<IgnoreEntry>,
    expired: Vec<IgnoreEntry>,
}

/// One entry of an [`IgnoreFile`].
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    /// The line of the entry's `[[ignore]]` header (1-based).
    pub line: usize,
    /// The rule id it matches, if any.
    pub rule: Option<String>,
    /// The path glob it matches, as written.
    pub path: Option<String>,
    /// The fingerprint it matches, if any.
    pub fingerprint: Option<String>,
    /// Why the finding is accepted.
    pub reason: Option<String>,
    /// The last day the entry applies.
    pub expires: Option<Date>,
    glob: Option<GlobMatcher>,
}

/// An ignore file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreError {
    /// The file could not be read.
    #[error("cannot read the ignore file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("line {line}: {message}")]
    Invalid {
        /// The line (1-based) of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: Option<String>,
    path: Option<String>,
    fingerprint: Option<String>,
    reason: Option<String>,
    expires: Option<toml::Spanned<toml::value::Datetime>>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|&&b| b == b'\n').count() + 1
}

fn invalid(text: &str, span: Range<usize>, message: impl Into<String>) -> IgnoreError {
    IgnoreError::Invalid { line: line_of(text, span.start), message: message.into() }
}

impl IgnoreFile {
    /// Parses an ignore file; entries whose `expires` day is before `today` go to
    /// [`IgnoreFile::expired`].
    ///
    /// # Errors
    ///
    /// [`IgnoreError::Invalid`] with the line of the problem: TOML syntax, an unknown key, an
    /// entry with none of `rule`/`path`/`fingerprint`, a bad glob, or an `expires` that is
    /// not a plain date such as `2027-01-31`.
    pub fn parse(text: &str, today: Date) -> Result<IgnoreFile, IgnoreError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| IgnoreError::Invalid {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_owned(),
        })?;
        let mut file = IgnoreFile::default();
        for spanned in raw.ignore {
            let span = spanned.span();
            let e = spanned.into_inner();
            if e.rule.is_none() && e.path.is_none() && e.fingerprint.is_none() {
                return Err(invalid(
                    text,
                    span,
                    "an [[ignore]] entry needs at least one of `rule`, `path` or `fingerprint`",
                ));
            }
            let glob = match &e.path {
                Some(p) => Some(
                    GlobBuilder::new(p.trim_start_matches('/'))
                        .literal_separator(true)
                        .build()
                        .map_err(|err| {
                            invalid(text, span.clone(), format!("bad path glob: {err}"))
                        })?
                        .compile_matcher(),
                ),
                None => None,
            };
            let expires = match e.expires {
                None => None,
                Some(d) => {
                    let dspan = d.span();
                    let d = d.into_inner();
                    match (d.date, d.time, d.offset) {
                        (Some(date), None, None) => {
                            Some(Date::new(i32::from(date.year), date.month, date.day))
                        }
                        _ => {
                            return Err(invalid(
                                text,
                                dspan,
                                "`expires` must be a plain date such as 2027-01-31",
                            ));
                        }
                    }
                }
            };
            let entry = IgnoreEntry {
                line: line_of(text, span.start),
                rule: e.rule,
                path: e.path,
                fingerprint: e.fingerprint,
                reason: e.reason,
                expires,
                glob,
            };
            if entry.expires.is_some_and(|d| d < today) {
                file.expired.push(entry);
            } else {
                file.active.push(entry);
            }
        }
        Ok(file)
    }

    /// Reads and parses an ignore file (see [`IgnoreFile::parse`]).
    ///
    /// # Errors
    ///
    /// [`IgnoreError::Io`] when it cannot be read, else as [`IgnoreFile::parse`].
    pub fn read(path: &Path, today: Date) -> Result<IgnoreFile, IgnoreError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| IgnoreError::Io { path: path.to_owned(), source })?;
        IgnoreFile::parse(&text, today)
    }

    /// The entry that suppresses `finding`, if an unexpired one matches it.
    pub fn matching(&self, finding: &Finding) -> Option<&IgnoreEntry> {
        self.active.iter().find(|e| e.matches(finding))
    }

    /// Entries past their `expires` day: they no longer apply.
    pub fn expired(&self) -> &[IgnoreEntry] {
        &self.expired
    }
}

impl IgnoreEntry {
    /// Whether this entry matches `finding` (ignoring expiry).
    pub fn matches(&self, finding: &Finding) -> bool {
        self.rule.as_ref().is_none_or(|r| *r == finding.rule_id)
            && self.fingerprint.as_ref().is_none_or(|fp| fp == finding.fingerprint.as_str())
            && self.glob.as_ref().is_none_or(|g| {
                finding.locations.iter().all(|l| match l {
                    Location::Layer(l) => g.is_match(l.path.trim_start_matches('/')),
                    Location::File(f) => g.is_match(f.path.trim_start_matches('/')),
                    Location::Config(_) => false,
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigField, ConfigLocation, Fingerprint, LayerLocation, Origin, Secret, Status};
    use layerleak_rules::Confidence;

    const TODAY: Date = Date::new(2026, 6, 1);

    fn layer(path: &str) -> Location {
        Location::Layer(LayerLocation {
            image: "a".into(),
            platform: None,
            layer: 0,
            blob_digest: "sha256:00".into(),
            diff_id: None,
            created_by: None,
            path: path.into(),
            offset: 0,
            text_encoding: None,
            status: Status::PresentInFinal,
            origin: Origin::Image,
        })
    }

    fn finding(rule: &str, locations: Vec<Location>) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: "x".into(),
            confidence: Confidence::Low,
            checksum: None,
            secret: Secret::new(b"v".to_vec()),
            fingerprint: Fingerprint::new("s", b"v"),
            locations,
        }
    }

    #[test]
    fn every_named_criterion_must_match() {
        let f = IgnoreFile::parse(
            "[[ignore]]\nrule = \"r.1\"\npath = \"/usr/share/**\"\nreason = \"docs\"\n",
            TODAY,
        )
        .unwrap();
        assert!(f.matching(&finding("r.1", vec![layer("usr/share/doc/a/README")])).is_some());
        assert!(f.matching(&finding("r.2", vec![layer("usr/share/doc/a/README")])).is_none());
        assert!(f.matching(&finding("r.1", vec![layer("etc/app.conf")])).is_none());
        let env = Location::Config(ConfigLocation {
            image: "a".into(),
            platform: None,
            field: ConfigField::Env,
            key: None,
            history_index: None,
            offset: 0,
            context: String::new(),
            origin: Origin::Image,
        });
        let both = finding("r.1", vec![layer("usr/share/doc/x"), env]);
        assert!(f.matching(&both).is_none(), "a location outside the glob keeps the finding");
    }

    #[test]
    fn star_stays_in_its_directory() {
        let f = IgnoreFile::parse("[[ignore]]\npath = \"etc/*.conf\"\n", TODAY).unwrap();
        assert!(f.matching(&finding("r", vec![layer("etc/a.conf")])).is_some());
        assert!(f.matching(&finding("r", vec![layer("etc/sub/a.conf")])).is_none());
    }

    #[test]
    fn expiry_is_inclusive_of_its_day() {
        let text = "[[ignore]]\nrule = \"r\"\nexpires = 2026-06-01\n";
        assert_eq!(IgnoreFile::parse(text, TODAY).unwrap().expired().len(), 0);
        let next = Date::new(2026, 6, 2);
        let f = IgnoreFile::parse(text, next).unwrap();
        assert_eq!(f.expired().len(), 1);
        assert!(f.matching(&finding("r", vec![layer("x")])).is_none());
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("[[ignore]]\nrule = \"r\"\n\n[[ignore]]\nreason = \"x\"\n", 4, "at least one"),
            ("[[ignore]]\nrule = \"r\"\nexpires = \"soon\"\n", 3, "type"),
            ("[[ignore]]\nrule = \"r\"\nexpires = 2026-01-01T10:00:00Z\n", 3, "plain date"),
            ("[[ignore]]\nrul = \"r\"\n", 2, "unknown field"),
            ("[[ignore]]\npath = \"a[\"\n", 1, "glob"),
            ("\n\n[[ignore]\n", 3, ""),
        ];
        for (text, line, needle) in cases {
            let e = IgnoreFile::parse(text, TODAY).unwrap_err();
            let IgnoreError::Invalid { line: got, ref message } = e else { panic!("{e}") };
            assert_eq!(got, line, "{text:?}: {e}");
            assert!(message.contains(needle), "{text:?}: {message}");
        }
    }
}
