//! Raw hits: a secret, the rule that found it, and where, before aggregation.

use layerleak_engine::{Match, Validation};
use layerleak_report::{Checksum, ConfigField};
use layerleak_rules::{BuiltinRule, Confidence, Validator};

/// Which rule found a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "RuleRefWire", try_from = "RuleRefWire")]
pub(crate) enum RuleRef {
    /// A rule of the scanner, by index.
    Engine(usize),
    /// A built-in rule of the catalogue.
    Builtin(&'static BuiltinRule),
}

/// A secret found somewhere, before findings are formed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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

/// How a [`RuleRef`] is stored in a layer cache: a built-in rule by its id (looked up in
/// the catalogue again when it is read back).
#[derive(serde::Serialize, serde::Deserialize)]
enum RuleRefWire {
    Engine(usize),
    Builtin(String),
}

impl From<RuleRef> for RuleRefWire {
    fn from(rule: RuleRef) -> RuleRefWire {
        match rule {
            RuleRef::Engine(i) => RuleRefWire::Engine(i),
            RuleRef::Builtin(b) => RuleRefWire::Builtin(b.id.clone()),
        }
    }
}

impl TryFrom<RuleRefWire> for RuleRef {
    type Error = String;

    fn try_from(wire: RuleRefWire) -> Result<RuleRef, String> {
        match wire {
            RuleRefWire::Engine(i) => Ok(RuleRef::Engine(i)),
            RuleRefWire::Builtin(id) => layerleak_rules::builtin_rule(&id)
                .map(RuleRef::Builtin)
                .ok_or_else(|| format!("unknown built-in rule {id:?}")),
        }
    }
}

/// A [`LayerSite`] as read back from a layer cache: the encoding is one of the names the
/// layer scan gives, which are `&'static`.
#[derive(serde::Deserialize)]
struct LayerSiteWire {
    path: String,
    layer_path: Vec<u8>,
    offset: u64,
    encoding: Option<String>,
    file: Option<usize>,
}

// By hand: a derived impl would borrow the `&'static str` from the input.
impl<'de> serde::Deserialize<'de> for LayerSite {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<LayerSite, D::Error> {
        let w = LayerSiteWire::deserialize(de)?;
        let encoding = match w.encoding.as_deref() {
            None => None,
            Some("utf-16le") => Some("utf-16le"),
            Some("utf-16be") => Some("utf-16be"),
            Some(other) => {
                return Err(serde::de::Error::custom(format!("unknown text encoding {other:?}")));
            }
        };
        Ok(LayerSite {
            path: w.path,
            layer_path: w.layer_path,
            offset: w.offset,
            encoding,
            file: w.file,
        })
    }
}
