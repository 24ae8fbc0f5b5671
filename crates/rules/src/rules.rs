//! The loaded collection of rules.

use std::io::Read as _;
use std::path::Path;
use std::sync::OnceLock;

use flate2::read::DeflateDecoder;

use crate::{Diagnostic, Error, Result, Rule, Severity, lint};

/// The default rule files, deflated by `build.rs` (see there why).
static EMBEDDED_DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/embedded.deflate"));

/// A validated set of rules, in load order (files sorted by name, rules in file order).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    warnings: Vec<Diagnostic>,
}

impl Rules {
    /// The default rules compiled into the binary from the repository's `patterns/`.
    ///
    /// # Errors
    ///
    /// Fails only if an embedded rule file is invalid, which the test suite rules out.
    pub fn embedded() -> Result<Rules> {
        Rules::from_sources(embedded_sources())
    }

    /// Loads every `*.toml` file of a directory.
    ///
    /// # Errors
    ///
    /// [`Error::Read`] when the directory or a file cannot be read, [`Error::Invalid`] with
    /// every error when any rule is invalid.
    pub fn from_dir(dir: &Path) -> Result<Rules> {
        let owned = read_dir_sources(dir)?;
        Rules::from_sources(owned.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// Parses and validates `(file name, TOML text)` pairs.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with every error found when any rule is invalid.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Rules> {
        let (rules, diags) = lint::check_sources(sources);
        let (errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(|d| d.severity == Severity::Error);
        if errors.is_empty() {
            Ok(Rules { rules, warnings })
        } else {
            Err(Error::Invalid { errors })
        }
    }

    /// A collection of the given rules, e.g. one rule alone for its example checks.
    pub fn from_rules(rules: Vec<Rule>) -> Rules {
        Rules { rules, warnings: Vec::new() }
    }

    /// The rules, in load order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// Warnings found while loading (the rules are usable regardless).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The longest possible match of any rule, in bytes (0 when empty).
    pub fn max_match_len(&self) -> usize {
        self.rules.iter().map(Rule::max_len).max().unwrap_or(0)
    }
}

impl<'a> IntoIterator for &'a Rules {
    type Item = &'a Rule;
    type IntoIter = std::slice::Iter<'a, Rule>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The embedded default rule files as `(file name, TOML text)`, sorted by name.
///
/// They are stored deflated (so the binary does not carry the rules' example secrets as
/// plain text) and inflated once, on first use.
pub fn embedded_sources() -> impl Iterator<Item = (&'static str, &'static str)> {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(inflate_embedded).iter().map(|(n, t)| (n.as_str(), t.as_str()))
}

/// Inflates [`EMBEDDED_DEFLATED`] into `(name, text)` pairs.
fn inflate_embedded() -> Vec<(String, String)> {
    let mut text = String::new();
    DeflateDecoder::new(EMBEDDED_DEFLATED)
        .read_to_string(&mut text)
        .expect("build.rs deflates UTF-8 rule files");
    let mut parts = text.split('\0');
    let mut files = Vec::new();
    while let (Some(name), Some(body)) = (parts.next(), parts.next()) {
        files.push((name.to_owned(), body.to_owned()));
    }
    files
}

/// Reads every `*.toml` file of `dir`, sorted by name, as `(file name, text)`.
///
/// # Errors
///
/// [`Error::Read`] naming the directory or file that could not be read.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<(String, String)>> {
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Read { path, source }
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
        let path = entry.map_err(read_err(dir))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(read_err(&p))?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Ok((name, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guard on speed, not correctness: `token`, `pass` and `secret` are among the
    /// commonest keyword hits in real trees (100, 40 and 13 per MB of `/usr`), and a rule
    /// that holds them at no fixed offset costs a window search per hit. Keep the generic
    /// rules on them starting at their keyword.
    #[test]
    fn generic_rules_on_common_words_start_at_their_keyword() {
        let rules = Rules::embedded().expect("built-in rules load");
        for (id, offsets) in [
            ("layerleak.generic.1", &[0, 1][..]),
            ("layerleak.generic.8", &[0, 1]),
            ("layerleak.generic.3", &[0]),
            ("layerleak.generic.4", &[0]),
            ("layerleak.generic.9", &[0]),
        ] {
            let rule = rules.iter().find(|r| r.id() == id).expect("rule exists");
            assert_eq!(rule.keyword_offsets(), Some(offsets), "{id}");
        }
    }
}
