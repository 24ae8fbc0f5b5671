//! The on-disk form of a rule, exactly as written in a `patterns/*.toml` file.

use serde::{Deserialize, Serialize};

/// One rule file: a provider's rules under `[[rules]]` tables.
#[derive(Deserialize, Serialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rules of this file, in file order.
    #[serde(default)]
    pub rules: Vec<RuleSyntax>,
}

/// A rule as written by its author, before validation.
///
/// Unknown fields are an error, so a typo such as `keyword = …` fails loudly instead of
/// silently disabling the prefilter for the rule.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSyntax {
    /// Stable identifier, `layerleak.<provider>.<n>`; `<provider>` is the file name's stem.
    pub id: String,
    /// Human-readable name, e.g. "GitHub Personal Access Token (classic)".
    pub name: String,
    /// The regular expression. The secret is the capture group named `secret`, or the only
    /// capture group when there is exactly one, or the whole match when there is none.
    pub pattern: String,
    /// Literals for the keyword prefilter, matched ASCII-case-insensitively. Every match of
    /// `pattern` must contain at least one of them: the prefilter only looks for matches
    /// around keyword occurrences.
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy, in bits per byte, of the secret for a match to count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_entropy: Option<f32>,
    /// A structural check the secret must pass (e.g. an embedded checksum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<Validator>,
    /// How sure a match of this rule is to be a real secret.
    #[serde(default)]
    pub confidence: Confidence,
    /// A character the secret must contain, checked after the match (cheaper than spelling
    /// it out in the pattern, which makes the regex's automaton explode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_must_contain: Option<SecretClass>,
    /// A generic rule (a `password = …` assignment rather than a provider's token format):
    /// its secret must also not look like a hash, a UUID, a path or an identifier.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generic: bool,
    /// What the secret grants and what to do about a leak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Links to the provider's documentation of the format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Free-form tags, e.g. `api`, `cloud`, `private-key`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Inputs that must produce at least one match of this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// Inputs that must produce no match of this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_examples: Vec<String>,
    /// A paired credential: `pattern` finds the first half (an account or key id), and the
    /// secret reported is the second half, found by this pattern near it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companion: Option<Companion>,
}

/// The second half of a paired credential (see [`RuleSyntax::companion`]): a value with a
/// generic format (40 base64 characters, 32 hex digits) that is only a secret next to its
/// first half, such as an AWS secret access key next to its `AKIA…` key id.
///
/// Around each match of the rule's `pattern`, the engine looks for matches of this pattern
/// that end at most `within` bytes before it or start at most `within` bytes after it (in
/// either order, whatever lies between: a secret-named key, other settings, NUL bytes of a
/// string table). Each is filtered as a secret of the rule (placeholders, `min_entropy`,
/// `secret_must_contain`, `generic`); the nearest that passes is reported, the one after
/// the first half on a tie. The first half itself must not be a placeholder.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Companion {
    /// The second half; the secret is its group `secret` (or its only group, or the whole
    /// match). Look-arounds such as `(?:^|[^A-Za-z0-9])` before the group may share a byte
    /// with the previous candidate.
    pub pattern: String,
    /// The most bytes between the two halves.
    pub within: usize,
}

/// A positive example: plain text, or text with the secret the rule must extract from it.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Example {
    /// Text that must produce at least one match.
    Text(String),
    /// Text that must produce a match whose secret is exactly `secret`.
    WithSecret {
        /// The input.
        text: String,
        /// The secret the rule must extract.
        secret: String,
    },
}

impl Example {
    /// The example's input text.
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) | Example::WithSecret { text: t, .. } => t,
        }
    }

    /// The expected secret, when the example names one.
    pub fn secret(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::WithSecret { secret, .. } => Some(secret),
        }
    }
}

/// How likely a match is to be a real, live secret.
#[derive(
    Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Plausible but often a false positive (generic assignments, encrypted keys).
    Low,
    /// Usually real.
    #[default]
    Medium,
    /// A distinctive format (a provider prefix, a checksum): almost always real.
    High,
}

impl Confidence {
    /// The lower-case name used in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a secret must contain (see [`RuleSyntax::secret_must_contain`]).
#[derive(Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SecretClass {
    /// A digit; or else a symbol (not a letter, digit, `_`, `-`, `=` or `/`) and no `/`.
    /// An all-letter value is a word or an identifier (`Passwort`, `new_password`), and a
    /// `/`-separated value without a digit is a path or a route.
    DigitOrSymbol,
    /// An upper-case letter, a lower-case letter and a digit: the shape of a random base62
    /// or base64 key of 30 characters or more, which hex digests, words, identifiers and
    /// paths seldom have.
    UpperLowerDigit,
}

impl SecretClass {
    /// Whether `secret` satisfies the requirement.
    pub fn is_met_by(self, secret: &[u8]) -> bool {
        match self {
            SecretClass::DigitOrSymbol => {
                secret.iter().any(u8::is_ascii_digit)
                    || (!secret.contains(&b'/')
                        && secret.iter().any(|b| {
                            !b.is_ascii_alphanumeric() && !matches!(b, b'_' | b'-' | b'=')
                        }))
            }
            SecretClass::UpperLowerDigit => {
                secret.iter().any(u8::is_ascii_uppercase)
                    && secret.iter().any(u8::is_ascii_lowercase)
                    && secret.iter().any(u8::is_ascii_digit)
            }
        }
    }
}

/// Structural checks a secret must pass, beyond matching the pattern.
#[derive(Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// The last 6 characters are the base62 CRC32 of the 30 characters before them, the
    /// scheme of GitHub's `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` and npm's `npm_` tokens. The
    /// secret is `<prefix>_<30 chars><6 chars>`.
    Crc32Base62,
    /// The secret is base64 of `user:password` with both parts non-empty and printable
    /// (Docker `config.json` `auth`, HTTP basic credentials).
    Base64UserPassword,
    /// The secret is a JWT whose header decodes to a JSON object with an `alg` member.
    Jwt,
}

impl Validator {
    /// The snake-case name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Validator::Crc32Base62 => "crc32_base62",
            Validator::Base64UserPassword => "base64_user_password",
            Validator::Jwt => "jwt",
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        // Quotes, backslashes, newlines and non-ASCII: what breaks TOML string escaping.
        "[a-zA-Z0-9 _\\-'\"\\\\\n\t{}$é]{0,40}"
    }

    fn example() -> impl Strategy<Value = Example> {
        prop_oneof![
            text().prop_map(Example::Text),
            (text(), text()).prop_map(|(text, secret)| Example::WithSecret { text, secret }),
        ]
    }

    fn rule() -> impl Strategy<Value = RuleSyntax> {
        (
            (text(), text(), text(), proptest::collection::vec(text(), 1..4)),
            (proptest::option::of(0.0f32..8.0), any::<bool>(), any::<bool>()),
            (proptest::collection::vec(example(), 0..3), proptest::collection::vec(text(), 0..3)),
        )
            .prop_map(
                |(
                    (id, name, pattern, keywords),
                    (min_entropy, generic, checksum),
                    (examples, negatives),
                )| {
                    RuleSyntax {
                        id,
                        name,
                        pattern,
                        keywords,
                        min_entropy,
                        validator: checksum.then_some(Validator::Crc32Base62),
                        secret_must_contain: generic.then_some(SecretClass::DigitOrSymbol),
                        confidence: if generic { Confidence::Low } else { Confidence::High },
                        generic,
                        description: None,
                        references: vec!["https://example.com/docs".to_owned()],
                        categories: Vec::new(),
                        examples,
                        negative_examples: negatives,
                        companion: None,
                    }
                },
            )
    }

    proptest! {
        /// Whatever a rule holds, writing it as TOML and reading it back gives the same rule.
        #[test]
        fn rule_files_round_trip_through_toml(rules in proptest::collection::vec(rule(), 0..4)) {
            let file = RuleFile { rules };
            let text = toml::to_string(&file).expect("a rule file serializes");
            let back: RuleFile = toml::from_str(&text).expect("what we wrote parses");
            prop_assert_eq!(back.rules, file.rules);
        }
    }

    #[test]
    fn secret_class_digit_or_symbol() {
        let c = SecretClass::DigitOrSymbol;
        assert!(c.is_met_by(b"hunter2"));
        assert!(c.is_met_by(b"open!sesame"));
        assert!(!c.is_met_by(b"Passwort"));
        assert!(!c.is_met_by(b"new_password"));
        assert!(!c.is_met_by(b"cms/sites/passwords"));
        assert!(c.is_met_by(b"cms/sites/2"));
        let c = SecretClass::UpperLowerDigit;
        assert!(c.is_met_by(b"Hs7Lq2Xw9Vb4Nm1Rt6Yc3Kp8Zd0Fg5"));
        assert!(!c.is_met_by(b"ded7db27a4558eea9bbf0bf36e0e8521618f366c"));
        assert!(!c.is_met_by(b"AbcdefghIjklmnop"));
    }
}
