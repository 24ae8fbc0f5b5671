//! Rule schema, embedded default rules and engine-free lints for layerleak.
//!
//! # Brief overview
//!
//! Rules live in TOML files under the repository's `patterns/`, one file per provider. A
//! file is a list of [`RuleSyntax`] tables; loading validates each into a [`Rule`] and
//! gathers them in [`Rules`]. [`Rules::embedded`] gives the defaults compiled into the
//! binary; [`Rules::from_dir`] loads a directory at run time.
//!
//! Besides the provider rules, the catalogue holds the built-in rules ([`builtin_rules`]:
//! secret-bearing paths and secret-named keys, whose matchers live in `layerleak-scan`),
//! the one list of credential words and the value filters' word lists ([`words()`]), and the
//! published example values ([`published_examples`]), each a data file under `data/`.
//! [`coverage()`] counts rules and providers by category.
//!
//! Validation ([`check_sources`]) collects every problem as a [`Diagnostic`]: schema errors
//! (unknown fields are errors), id format, a pattern that does not parse with the engine's
//! options ([`pattern::parse`]), a match length that is unbounded or over
//! [`MAX_MATCH_LEN`], a missing secret group, missing keywords, and examples the keyword
//! prefilter would hide. Checks that need the regex engine (examples really match) live in
//! `layerleak-engine`.
//!
//! # Example
//!
//! ```
//! use layerleak_rules::Rules;
//!
//! let rules = Rules::from_sources([("demo.toml", r#"
//! [[rules]]
//! id = "layerleak.demo.1"
//! name = "Demo token"
//! pattern = '\b(?P<secret>demo_[a-z0-9]{20})\b'
//! keywords = ["demo_"]
//! examples = ["token = demo_abcdefghij0123456789"]
//! "#)])?;
//! assert_eq!(rules.len(), 1);
//! assert_eq!(rules.max_match_len(), 25);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod builtin;
mod catalogue;
mod coverage;
mod diagnostic;
mod error;
mod lint;
pub mod pattern;
mod published;
mod rule;
mod rules;
mod syntax;
mod words;

pub use builtin::{
    BUILTIN_RULES_FILE, BuiltinExample, BuiltinKind, BuiltinRule, ContentFormat, builtin_rule,
    builtin_rules, check_builtin_rules,
};
pub use catalogue::check_embedded_catalogue;
pub use coverage::{CategoryCoverage, Coverage, coverage};
pub use diagnostic::{Diagnostic, Severity};
pub use error::{Error, Result};
pub use lint::{MAX_COMPANION_DISTANCE, MAX_ID_LEN, MIN_KEYWORD_LEN, check_sources};
pub use pattern::{MAX_MATCH_LEN, PATTERN_UNICODE, PatternInfo};
pub use published::{
    PUBLISHED_EXAMPLES_FILE, PublishedExample, check_published_examples, published_example,
    published_examples,
};
pub use rule::{CompanionPattern, Rule};
pub use rules::{Rules, embedded_sources, read_dir_sources};
pub use syntax::{Companion, Confidence, Example, RuleFile, RuleSyntax, SecretClass, Validator};
pub use words::{CredentialWord, ValueFilters, WORDS_FILE, Words, check_words, words};
