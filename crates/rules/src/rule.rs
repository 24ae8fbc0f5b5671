//! The validated form of a rule.

use std::fmt::Write as _;

use regex_syntax::hir::Hir;
use sha2::{Digest as _, Sha256};

use crate::{Confidence, PatternInfo, RuleSyntax, Validator};

/// A rule that passed validation: its pattern parses with the engine's options, its match
/// length is bounded by [`MAX_MATCH_LEN`](crate::MAX_MATCH_LEN), it has keywords and an
/// unambiguous secret group.
#[derive(Debug, Clone)]
pub struct Rule {
    syntax: RuleSyntax,
    file: String,
    max_len: usize,
    secret_group: usize,
    keyword_offsets: Option<Vec<usize>>,
    structural_id: String,
    companion: Option<CompanionPattern>,
}

/// The validated second half of a paired rule (see
/// [`RuleSyntax::companion`](crate::RuleSyntax::companion)).
#[derive(Debug, Clone)]
pub struct CompanionPattern {
    pattern: String,
    within: usize,
    max_len: usize,
    secret_group: usize,
}

impl CompanionPattern {
    /// The second half's regular expression, as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The most bytes between the two halves.
    pub fn within(&self) -> usize {
        self.within
    }

    /// The longest possible match of the second half's pattern.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The capture group holding the secret; `0` is the whole match.
    pub fn secret_group(&self) -> usize {
        self.secret_group
    }
}

impl Rule {
    /// Builds a rule from syntax and the facts the lints established about its pattern.
    pub(crate) fn new(
        syntax: RuleSyntax,
        file: String,
        info: &PatternInfo,
        hir: &Hir,
        companion: Option<&PatternInfo>,
    ) -> Option<Rule> {
        let mut max_len = info.max_len?;
        let secret_group = info.secret_group?;
        let keyword_offsets = crate::pattern::keyword_offsets(hir, &syntax.keywords);
        let mut structural_id = structural_id(&syntax.pattern);
        let companion = match (&syntax.companion, companion) {
            (Some(c), Some(cinfo)) => {
                let half = CompanionPattern {
                    pattern: c.pattern.clone(),
                    within: c.within,
                    max_len: cinfo.max_len?,
                    secret_group: cinfo.secret_group?,
                };
                max_len = paired_max_len(max_len, &half);
                structural_id = self::structural_id(&format!(
                    "{}\0{}\0{}",
                    syntax.pattern, c.pattern, c.within
                ));
                Some(half)
            }
            _ => None,
        };
        Some(Rule {
            syntax,
            file,
            max_len,
            secret_group,
            keyword_offsets,
            structural_id,
            companion,
        })
    }

    /// The rule's id, e.g. `layerleak.github.1`.
    pub fn id(&self) -> &str {
        &self.syntax.id
    }

    /// The rule's human-readable name.
    pub fn name(&self) -> &str {
        &self.syntax.name
    }

    /// The regular expression, as written.
    pub fn pattern(&self) -> &str {
        &self.syntax.pattern
    }

    /// Prefilter keywords (ASCII-case-insensitive).
    pub fn keywords(&self) -> &[String] {
        &self.syntax.keywords
    }

    /// Confidence of a match.
    pub fn confidence(&self) -> Confidence {
        self.syntax.confidence
    }

    /// Minimum entropy of the secret, bits per byte.
    pub fn min_entropy(&self) -> Option<f32> {
        self.syntax.min_entropy
    }

    /// Structural validator of the secret.
    pub fn validator(&self) -> Option<Validator> {
        self.syntax.validator
    }

    /// A character class the secret must contain.
    pub fn secret_must_contain(&self) -> Option<crate::SecretClass> {
        self.syntax.secret_must_contain
    }

    /// Whether the rule is generic (hash-, UUID- and identifier-like values are rejected).
    pub fn is_generic(&self) -> bool {
        self.syntax.generic
    }

    /// The longest possible match, in bytes. For a paired rule, the longest stretch from
    /// one half to the other: both halves and `within` bytes between them.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The capture group holding the secret; `0` is the whole match.
    pub fn secret_group(&self) -> usize {
        self.secret_group
    }

    /// The offsets at which a match holds a keyword, sorted, if there are few (see
    /// [`pattern::keyword_offsets`](crate::pattern::keyword_offsets)).
    pub fn keyword_offsets(&self) -> Option<&[usize]> {
        self.keyword_offsets.as_deref()
    }

    /// The SHA-256 (hex) of the pattern: identifies what the rule matches, independent of
    /// its id and metadata, so caches and baselines can tell when a rule really changed.
    pub fn structural_id(&self) -> &str {
        &self.structural_id
    }

    /// The file the rule was loaded from (e.g. `github.toml`).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The second half of a paired credential, if this rule finds one.
    pub fn companion(&self) -> Option<&CompanionPattern> {
        self.companion.as_ref()
    }

    /// The full syntax, including examples and metadata.
    pub fn syntax(&self) -> &RuleSyntax {
        &self.syntax
    }
}

/// The longest stretch a paired match can cover: the first half, `within` bytes, the second
/// half, and one byte of look-around on either side of the second half.
pub(crate) fn paired_max_len(first: usize, half: &CompanionPattern) -> usize {
    first + half.within + half.max_len + 2
}

fn structural_id(pattern: &str) -> String {
    let digest = Sha256::digest(pattern.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        write!(s, "{b:02x}").expect("writing to a String cannot fail");
        s
    })
}
