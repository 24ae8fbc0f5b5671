//! Confirmed matches: borrowed on the hot path, owned for collection.

use layerleak_rules::{Confidence, Rule};

use crate::Validation;

/// A half-open byte range `[start, end)` of the scanned stream, in absolute offsets from the
/// stream's first byte. `start <= end` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl Span {
    /// The span's length in bytes.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Why a match was not reported (only seen with `report_rejected`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rejection {
    /// The secret looks like a placeholder or documentation value.
    Placeholder,
    /// The secret's entropy is below the rule's `min_entropy`.
    LowEntropy {
        /// The secret's entropy in bits per byte.
        entropy: f32,
        /// The rule's threshold.
        min: f32,
    },
    /// The secret lacks a character class the rule requires (`secret_must_contain`).
    MissingRequiredCharacter,
    /// A generic rule's value looks like a hash, id, path or reference.
    NotSecretLike,
    /// The rule's validator rejected the structure.
    Invalid,
}

/// A match of one rule, borrowing the rule and the bytes of the stream buffer.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    /// The rule that matched.
    pub rule: &'a Rule,
    /// The rule's index in the scanner's rule set.
    pub rule_index: usize,
    /// The whole match.
    pub span: Span,
    /// The secret capture; within `span`.
    pub secret_span: Span,
    /// The bytes of the whole match.
    pub bytes: &'a [u8],
    /// The bytes of the secret.
    pub secret: &'a [u8],
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f32,
    /// The rule's confidence, lowered to `Low` when a checksum failed.
    pub confidence: Confidence,
    /// The validator's verdict.
    pub validation: Validation,
    /// `Some` only for rejected matches reported through `report_rejected`.
    pub rejected: Option<Rejection>,
}

impl Match<'_> {
    /// An owned copy.
    pub fn to_owned(&self) -> OwnedMatch {
        OwnedMatch {
            rule_id: self.rule.id().to_owned(),
            rule_index: self.rule_index,
            span: self.span,
            secret_span: self.secret_span,
            bytes: self.bytes.to_vec(),
            secret: self.secret.to_vec(),
            entropy: self.entropy,
            confidence: self.confidence,
            validation: self.validation,
            rejected: self.rejected,
        }
    }
}

/// An owned [`Match`].
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, reason = "fields mirror `Match`")]
pub struct OwnedMatch {
    pub rule_id: String,
    pub rule_index: usize,
    pub span: Span,
    pub secret_span: Span,
    pub bytes: Vec<u8>,
    pub secret: Vec<u8>,
    pub entropy: f32,
    pub confidence: Confidence,
    pub validation: Validation,
    pub rejected: Option<Rejection>,
}
