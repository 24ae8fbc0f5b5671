//! Raw hits: a secret, the rule that found it, and where, before aggregation.

use layerleak_engine::{Match, Validation};
use layerleak_report::{Checksum, ConfigField};
use layerleak_rules::{Confidence, Validator};

use crate::builtin::BuiltinRule;

/// Which rule found a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleRef {
    /// A rule of the scanner, by index.
    Engine(usize),
    /// A built-in check.
    Builtin(BuiltinRule),
}

/// A secret found somewhere, before findings are formed.
#[derive(Debug, Clone)]
pub(crate) struct Hit<S> {
    pub(crate) rule: RuleRef,
    pub(crate) confidence: Confidence,
    pub(crate) checksum: Option<Checksum>,
    pub(crate) secret: Vec<u8>,
    pub(crate) site: S,
}

impl<S> Hit<S> {
    /// The hit of an engine match, at `site`.
    pub(crate) fn of_match(m: &Match<'_>, site: S) -> Hit<S> {
        Hit {
            rule: RuleRef::Engine(m.rule_index),
            confidence: m.confidence,
            checksum: checksum(m),
            secret: m.secret.to_vec(),
            site,
        }
    }
}

/// What the match's rule validator said, when it checks a built-in checksum (other
/// validators only accept or reject a structure, so they have nothing to explain).
fn checksum(m: &Match<'_>) -> Option<Checksum> {
    match (m.rule.validator(), m.validation) {
        (Some(Validator::Crc32Base62), Validation::Passed) => Some(Checksum::Verified),
        (Some(Validator::Crc32Base62), Validation::Failed) => Some(Checksum::Failed),
        _ => None,
    }
}

/// Where in a layer blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerSite {
    /// Nested path display string.
    pub(crate) path: String,
    /// The path in the layer itself (first segment), for status resolution.
    pub(crate) layer_path: Vec<u8>,
    pub(crate) offset: u64,
    pub(crate) encoding: Option<&'static str>,
    /// The digests of the layer file (`layer_path`), in its blob's
    /// [`hashes`](crate::layer_scan::BlobScan::hashes).
    pub(crate) file: Option<usize>,
}

/// Where in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigSite {
    pub(crate) field: ConfigField,
    pub(crate) key: Option<String>,
    pub(crate) history_index: Option<usize>,
    pub(crate) offset: u64,
    pub(crate) context: String,
}
