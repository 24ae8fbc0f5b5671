//! Raw hits: a secret, the rule that found it, and where, before aggregation.

use layerleak_report::ConfigField;
use layerleak_rules::Confidence;

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
    pub(crate) secret: Vec<u8>,
    pub(crate) site: S,
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
