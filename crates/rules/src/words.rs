//! The words layerleak knows about secrets: the one list of credential words (with the forms
//! secret-named keys take) and the word lists of the value filters.
//!
//! The list is `data/words.toml`, embedded deflated by `build.rs` and checked by
//! [`check_words`]. The filters that use the words run in `layerleak-engine` (placeholders,
//! generic values, documentation credentials) and `layerleak-scan` (secret-named keys).

use std::collections::HashSet;
use std::io::Read as _;
use std::sync::OnceLock;

use flate2::read::DeflateDecoder;
use serde::{Deserialize, Serialize};

use crate::Diagnostic;

/// The word list's file name, as its diagnostics name it.
pub const WORDS_FILE: &str = "words.toml";

/// The word list, deflated by `build.rs`.
static EMBEDDED_DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.deflate"));

/// The words file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// Name suffixes (upper case) that look secret but are public by design (`PUBLIC_KEY`,
    /// `_KEY_ID`); they win over every secret-named form.
    #[serde(default)]
    pub public_name_suffixes: Vec<String>,
    /// The words that name a credential.
    #[serde(default)]
    pub credential_words: Vec<CredentialWord>,
    /// Word lists of the value filters.
    #[serde(default)]
    pub value_filters: ValueFilters,
}

/// A word that names a credential (`password`, `token`), and the forms secret-named keys
/// give it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialWord {
    /// The word, in lower case.
    pub word: String,
    /// A name ending with `_` and one of these (upper case) is secret-named: `_PASSWORD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_suffixes: Vec<String>,
    /// A name that is one of these (upper case) is secret-named: `PASSWORD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub whole_names: Vec<String>,
}

/// The word lists of the value filters (the filters themselves run in the engine).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFilters {
    /// Case-insensitive substrings that mark a secret as made up (`example`, `xxxx`, `${`).
    #[serde(default)]
    pub placeholder_markers: Vec<String>,
    /// The metasyntactic words (`foo`, `bar`): a value made only of them is a placeholder.
    #[serde(default)]
    pub metasyntactic_words: Vec<String>,
    /// Passwords documentation pairs with a user name (`user:pass`), compared ignoring case.
    #[serde(default)]
    pub documentation_passwords: Vec<String>,
    /// Prefixes of tokens published by design (`pk_live_`): not secrets for generic rules.
    #[serde(default)]
    pub public_token_prefixes: Vec<String>,
}

impl Words {
    /// Whether `name` is secret-named: upper-cased, with `-` and `.` read as `_`, it ends
    /// with `_` and a credential word's name suffix or is one of its whole names, and does
    /// not end with a public suffix.
    ///
    /// # Example
    ///
    /// ```
    /// let words = layerleak_rules::words();
    /// assert!(words.is_secret_name("NPM_TOKEN"));
    /// assert!(words.is_secret_name("com.acme.api-token"));
    /// assert!(!words.is_secret_name("AWS_ACCESS_KEY_ID"));
    /// assert!(!words.is_secret_name("TOKENIZER"));
    /// ```
    pub fn is_secret_name(&self, name: &str) -> bool {
        let upper: String = name
            .chars()
            .map(|c| if c == '-' || c == '.' { '_' } else { c.to_ascii_uppercase() })
            .collect();
        if self.public_name_suffixes.iter().any(|s| upper.ends_with(s.as_str())) {
            return false;
        }
        self.credential_words.iter().any(|w| {
            w.whole_names.contains(&upper)
                || w.name_suffixes.iter().any(|s| {
                    upper.len() > s.len()
                        && upper.ends_with(s.as_str())
                        && upper.as_bytes()[upper.len() - s.len() - 1] == b'_'
                })
        })
    }

    /// The credential words, lower case.
    pub fn credential_words(&self) -> impl Iterator<Item = &str> {
        self.credential_words.iter().map(|w| w.word.as_str())
    }
}

/// Parses and checks a words file's text: credential words are lower-case letters, listed
/// once, and every name form is upper case and contains its word; public suffixes are upper
/// case; no filter list is empty or holds an empty or duplicate entry. Returns the words
/// (empty on a parse error) and every problem found.
pub fn check_words(text: &str) -> (Words, Vec<Diagnostic>) {
    let file = WORDS_FILE;
    let words: Words = match toml::from_str(text) {
        Ok(words) => words,
        Err(e) => {
            let line = e.span().map_or(0, |span| text[..span.start].matches('\n').count() + 1);
            let message = format!("invalid word list at line {line}: {}", e.message());
            return (Words::default(), vec![Diagnostic::error(file, None, message)]);
        }
    };
    let mut diags = Vec::new();
    let mut error = |message: String| diags.push(Diagnostic::error(file, None, message));
    let upper = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    let mut seen = HashSet::new();
    for w in &words.credential_words {
        if w.word.is_empty() || !w.word.bytes().all(|b| b.is_ascii_lowercase()) {
            error(format!("credential word {:?} is not lower-case letters", w.word));
        }
        if !seen.insert(w.word.as_str()) {
            error(format!("credential word {:?} is listed twice", w.word));
        }
        for form in w.name_suffixes.iter().chain(&w.whole_names) {
            if !upper(form) || !form.contains(&w.word.to_ascii_uppercase()) {
                error(format!(
                    "name form {form:?} of {:?} is not upper case or does not contain the word",
                    w.word
                ));
            }
        }
    }
    if words.credential_words.is_empty() {
        error("no credential words".to_owned());
    }
    if let Some(s) = words.public_name_suffixes.iter().find(|s| !upper(s)) {
        error(format!("public name suffix {s:?} is not upper case"));
    }
    let filters = &words.value_filters;
    for (list, entries) in [
        ("placeholder_markers", &filters.placeholder_markers),
        ("metasyntactic_words", &filters.metasyntactic_words),
        ("documentation_passwords", &filters.documentation_passwords),
        ("public_token_prefixes", &filters.public_token_prefixes),
    ] {
        let mut seen = HashSet::new();
        if entries.is_empty() {
            error(format!("value_filters.{list} is empty"));
        }
        for e in entries {
            if e.is_empty() || !seen.insert(e.to_ascii_lowercase()) {
                error(format!("value_filters.{list}: {e:?} is empty or listed twice"));
            }
        }
    }
    (words, diags)
}

/// The embedded words file's text.
pub(crate) fn embedded_words_text() -> String {
    let mut text = String::new();
    // Inflating bytes `build.rs` deflated from a UTF-8 file cannot fail; an empty text then
    // fails the checks, which the test suite rules out.
    let _ = DeflateDecoder::new(EMBEDDED_DEFLATED).read_to_string(&mut text);
    text
}

/// The embedded word list.
///
/// # Panics
///
/// If the embedded file is invalid, which the test suite rules out
/// (`the_embedded_words_are_valid`): an empty list would silently change what is found.
pub fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let (words, diags) = check_words(&embedded_words_text());
        assert!(diags.is_empty(), "the embedded {WORDS_FILE} is invalid: {diags:?}");
        words
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_words_are_valid() {
        let (checked, diags) = check_words(&embedded_words_text());
        assert_eq!(diags, [], "{diags:?}");
        assert_eq!(&checked, words());
        assert_eq!(embedded_words_text(), include_str!("../data/words.toml"));
    }

    #[test]
    fn secret_names() {
        let w = words();
        for n in
            ["NPM_TOKEN", "db_password", "API_KEY", "AWS_SECRET", "com.acme.api-token", "TOKEN"]
        {
            assert!(w.is_secret_name(n), "{n}");
        }
        for n in ["PATH", "GPG_KEY", "SSH_PUBLIC_KEY", "AWS_ACCESS_KEY_ID", "TOKENIZER", "HOME"] {
            assert!(!w.is_secret_name(n), "{n}");
        }
        // A suffix counts after an underscore only; `APIKEY` is both a suffix and a name.
        assert!(!w.is_secret_name("MONKEY"));
        assert!(w.is_secret_name("MY_APIKEY"));
        assert!(w.is_secret_name("apikey"));
        assert!(!w.is_secret_name("KEY"));
        assert!(w.is_secret_name("DB_CREDENTIALS"));
        assert!(!w.is_secret_name("DB_CREDENTIAL"));
    }

    #[test]
    fn bad_word_lists_are_reported() {
        let (_, diags) = check_words(
            r#"
public_name_suffixes = ["public_key"]
[[credential_words]]
word = "Token"
name_suffixes = ["PASS"]
[[credential_words]]
word = "Token"
[value_filters]
placeholder_markers = ["x", "X"]
"#,
        );
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        for needle in [
            "\"Token\" is not lower-case",
            "\"Token\" is listed twice",
            "\"PASS\" of \"Token\"",
            "\"public_key\" is not upper case",
            "placeholder_markers: \"X\" is empty or listed twice",
            "metasyntactic_words is empty",
        ] {
            assert!(text.iter().any(|t| t.contains(needle)), "{needle}: {text:?}");
        }
        let (_, diags) = check_words("credential_words = 1");
        assert!(diags[0].message.contains("invalid word list at line 1"), "{diags:?}");
    }
}
