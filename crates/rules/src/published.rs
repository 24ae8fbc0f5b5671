//! The catalogue of published example values: credentials that providers, standards bodies
//! and widely used tools print in their documentation (AWS's `AKIAIOSFODNN7EXAMPLE`, the
//! RFC 6749 access token, jwt.io's sample token), each with the source that published it.
//!
//! The catalogue is `data/published-examples.toml`, embedded deflated by `build.rs` (like the
//! rule files, so that the binary does not carry the example values verbatim) and checked
//! by [`check_published_examples`].

use std::collections::HashSet;
use std::io::Read as _;
use std::sync::OnceLock;

use flate2::read::DeflateDecoder;
use serde::Deserialize;

use crate::Diagnostic;

/// The catalogue's file name, as its diagnostics name it.
pub const PUBLISHED_EXAMPLES_FILE: &str = "published-examples.toml";

/// The catalogue, deflated by `build.rs`.
static EMBEDDED_DEFLATED: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/published-examples.deflate"));

/// One value published as a documentation example.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedExample {
    /// The exact value as published (matched whole and case-sensitively).
    pub value: String,
    /// Who published it: a provider, a standards body or a project.
    pub provider: String,
    /// Where: a URL, or a document and its section.
    pub source: String,
}

/// The catalogue file: a list of `[[example]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    example: Vec<PublishedExample>,
}

/// Parses and checks a catalogue file's text: every entry has a value without surrounding
/// white space or control characters, a provider and a source, and no value is listed
/// twice. Returns the entries that parsed (sorted by value) and every problem found.
///
/// # Example
///
/// ```
/// use layerleak_rules::check_published_examples;
///
/// let (examples, problems) = check_published_examples(r#"
/// [[example]]
/// value = "AKIAIOSFODNN7EXAMPLE"
/// provider = "Amazon Web Services"
/// source = "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-quickstart.html"
/// "#);
/// assert_eq!(examples.len(), 1);
/// assert!(problems.is_empty());
/// ```
pub fn check_published_examples(text: &str) -> (Vec<PublishedExample>, Vec<Diagnostic>) {
    let file = PUBLISHED_EXAMPLES_FILE;
    let parsed: CatalogueFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e.span().map_or(0, |span| text[..span.start].matches('\n').count() + 1);
            let message = format!("invalid catalogue at line {line}: {}", e.message());
            return (Vec::new(), vec![Diagnostic::error(file, None, message)]);
        }
    };
    let mut diags = Vec::new();
    if parsed.example.is_empty() {
        diags.push(Diagnostic::warning(file, None, "the catalogue lists no examples"));
    }
    let mut seen = HashSet::new();
    for (i, example) in parsed.example.iter().enumerate() {
        // Entries are named by position: the value itself is a credential-shaped string.
        let entry = format!("example {}", i + 1);
        let value = &example.value;
        if value.is_empty() {
            diags.push(Diagnostic::error(file, Some(&entry), "the value is empty"));
        } else if value.trim() != value || value.chars().any(char::is_control) {
            let message = "the value has surrounding white space or a control character";
            diags.push(Diagnostic::error(file, Some(&entry), message));
        }
        if example.provider.trim().is_empty() {
            diags.push(Diagnostic::error(file, Some(&entry), "the provider is empty"));
        }
        if example.source.trim().is_empty() {
            diags.push(Diagnostic::error(file, Some(&entry), "the source is empty"));
        }
        if !seen.insert(value.as_str()) {
            let message = "the value is listed twice";
            diags.push(Diagnostic::error(file, Some(&entry), message));
        }
    }
    let mut examples = parsed.example;
    examples.sort_by(|a, b| a.value.cmp(&b.value));
    (examples, diags)
}

/// The embedded catalogue file's text.
pub(crate) fn embedded_published_text() -> String {
    let mut text = String::new();
    // Inflating bytes `build.rs` deflated from a UTF-8 file cannot fail; an empty text then
    // fails the checks, which the test suite rules out.
    let _ = DeflateDecoder::new(EMBEDDED_DEFLATED).read_to_string(&mut text);
    text
}

/// The embedded catalogue, sorted by value.
///
/// If the embedded file did not parse (which the test suite rules out) the catalogue is
/// empty: values are then reported as secrets, never hidden.
pub fn published_examples() -> &'static [PublishedExample] {
    static CATALOGUE: OnceLock<Vec<PublishedExample>> = OnceLock::new();
    CATALOGUE.get_or_init(|| check_published_examples(&embedded_published_text()).0)
}

/// The catalogue entry whose value is exactly `value`, if any.
///
/// # Example
///
/// ```
/// use layerleak_rules::published_example;
///
/// let example = published_example(b"AKIAIOSFODNN7EXAMPLE").unwrap();
/// assert_eq!(example.provider, "Amazon Web Services");
/// assert!(published_example(b"AKIAIOSFODNN7EXAMPLF").is_none());
/// ```
pub fn published_example(value: &[u8]) -> Option<&'static PublishedExample> {
    let catalogue = published_examples();
    catalogue
        .binary_search_by(|example| example.value.as_bytes().cmp(value))
        .ok()
        .map(|i| &catalogue[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn embedded_text() -> String {
        embedded_published_text()
    }

    #[test]
    fn the_embedded_catalogue_is_valid() {
        let (examples, diags) = check_published_examples(&embedded_text());
        assert_eq!(diags, [], "{diags:?}");
        assert_eq!(examples.len(), published_examples().len());
        assert!(published_examples().len() >= 25);
    }

    #[test]
    fn the_embedded_catalogue_is_the_repository_file() {
        let on_disk = include_str!("../data/published-examples.toml");
        assert_eq!(embedded_text(), on_disk);
    }

    #[test]
    fn every_entry_is_found_by_its_value_and_only_by_it() {
        for example in published_examples() {
            let found = published_example(example.value.as_bytes()).unwrap();
            assert_eq!(found, example);
            let mut changed = example.value.clone().into_bytes();
            let last = changed.len() - 1;
            changed[last] ^= 0x20;
            assert_ne!(published_example(&changed), Some(example));
            assert!(published_example(&example.value.as_bytes()[..last]).is_none());
        }
        assert!(published_example(b"").is_none());
    }

    #[test]
    fn the_values_the_engine_relied_on_are_listed() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "2YotnFZFEjr1zCsicMWpAA",
            "mF_9.B5f-4.1JqM",
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            "kd94hf93k423kf44",
        ] {
            assert!(published_example(value.as_bytes()).is_some(), "{value}");
        }
    }

    fn errors(text: &str) -> Vec<String> {
        let (_, diags) = check_published_examples(text);
        diags.into_iter().filter(|d| d.severity == Severity::Error).map(|d| d.message).collect()
    }

    #[test]
    fn the_lint_rejects_missing_sources_duplicates_and_unknown_fields() {
        let entry = |value: &str, provider: &str, source: &str| {
            format!(
                "[[example]]\nvalue = '{value}'\nprovider = '{provider}'\nsource = '{source}'\n"
            )
        };
        assert_eq!(errors(&entry("v1", "P", "")), ["the source is empty"]);
        assert_eq!(errors(&entry("v1", " ", "S")), ["the provider is empty"]);
        assert_eq!(errors(&entry("", "P", "S")), ["the value is empty"]);
        assert_eq!(
            errors(&entry(" v1", "P", "S")),
            ["the value has surrounding white space or a control character"]
        );
        let twice = entry("v1", "P", "S") + &entry("v1", "Q", "T");
        assert_eq!(errors(&twice), ["the value is listed twice"]);
        let missing = "[[example]]\nvalue = 'v1'\nprovider = 'P'\n";
        assert!(errors(missing)[0].contains("source"), "{:?}", errors(missing));
        let broken = "[[example]]\nvalue = 'a''b'\n";
        assert!(
            errors(broken)[0].starts_with("invalid catalogue at line 2:"),
            "{:?}",
            errors(broken)
        );
        let unknown = entry("v1", "P", "S") + "note = 'x'\n";
        assert!(errors(&unknown)[0].contains("note"), "{:?}", errors(&unknown));
    }

    #[test]
    fn diagnostics_never_quote_the_value() {
        let text = "[[example]]\nvalue = 'ghp_notquoted'\nprovider = ''\nsource = ''\n".repeat(2);
        let (_, diags) = check_published_examples(&text);
        assert!(!diags.is_empty());
        assert!(diags.iter().all(|d| !d.to_string().contains("ghp_notquoted")), "{diags:?}");
    }
}
