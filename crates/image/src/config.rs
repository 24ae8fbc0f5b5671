//! The image configuration blob: environment, labels, command, history, rootfs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::json_error::JsonError;
use crate::platform::Platform;

/// The parts of an image config (OCI `application/vnd.oci.image.config.v1+json` or Docker
/// `application/vnd.docker.container.image.v1+json`) that can hold or locate secrets.
///
/// Missing and `null` fields become empty values; unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// `config.Env`: `NAME=value` strings, in order.
    pub env: Vec<String>,
    /// `config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `config.Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `config.Cmd`.
    pub cmd: Vec<String>,
    /// `config.User`.
    pub user: Option<String>,
    /// `config.WorkingDir`.
    pub working_dir: Option<String>,
    /// `history`, one entry per build step, including steps that made no layer.
    pub history: Vec<HistoryEntry>,
    /// `rootfs`: the uncompressed layer digests.
    pub rootfs: RootFs,
    /// `os`.
    pub os: Option<String>,
    /// `architecture`.
    pub architecture: Option<String>,
    /// `variant`.
    pub variant: Option<String>,
    /// `created`, an RFC 3339 timestamp as written.
    pub created: Option<String>,
    /// `author`.
    pub author: Option<String>,
}

/// One build step of an image's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the step ran (RFC 3339, as written).
    #[serde(default)]
    pub created: Option<String>,
    /// The command that made the step, e.g. `|1 TOKEN=… /bin/sh -c make` or
    /// `RUN /bin/sh -c make # buildkit`. Build arguments appear here.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Free-form comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Author.
    #[serde(default)]
    pub author: Option<String>,
    /// `true` when the step made no layer (`ENV`, `LABEL`, `CMD`, ...).
    #[serde(default)]
    pub empty_layer: bool,
}

/// The image's root filesystem: the `diff_id` (digest of the *uncompressed* layer tar) of
/// each layer, in layer order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RootFs {
    /// Normally `layers`.
    pub kind: String,
    /// One per layer, in order.
    pub diff_ids: Vec<Digest>,
}

/// Which history entry made each layer; see [`ImageConfig::layer_history`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerHistory {
    /// For layer `i`, the index into [`ImageConfig::history`] of the step that made it, or
    /// `None` when no step could be assigned.
    pub per_layer: Vec<Option<usize>>,
    /// `true` when the number of history entries that made a layer equals the number of
    /// layers, so the mapping is exact. `false` means best effort (see
    /// [`ImageConfig::layer_history`]).
    pub exact: bool,
}

impl ImageConfig {
    /// Parses a config blob.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedConfig`] naming `digest` and `image` when the bytes are not JSON of
    /// the expected shape (for example `Env` not a list of strings, or a `diff_id` that is
    /// not a valid digest), or when a list or map has more than [`MAX_CONFIG_ITEMS`]
    /// elements. The error never quotes the config's text.
    pub fn from_json(bytes: &[u8], digest: &Digest, image: &str) -> Result<ImageConfig> {
        let wire: wire::Config =
            serde_json::from_slice(bytes).map_err(|e| Error::MalformedConfig {
                image: image.to_owned(),
                digest: digest.clone(),
                source: JsonError::new(&e),
            })?;
        let inner = wire.config.unwrap_or_default();
        let rootfs = wire.rootfs.unwrap_or_default();
        Ok(ImageConfig {
            env: inner.env,
            labels: inner.labels,
            entrypoint: inner.entrypoint,
            cmd: inner.cmd,
            user: inner.user.filter(|u| !u.is_empty()),
            working_dir: inner.working_dir.filter(|w| !w.is_empty()),
            history: wire.history,
            rootfs: RootFs { kind: rootfs.kind.unwrap_or_default(), diff_ids: rootfs.diff_ids },
            os: wire.os,
            architecture: wire.architecture,
            variant: wire.variant,
            created: wire.created,
            author: wire.author,
        })
    }

    /// The platform the config declares, if it names an OS and an architecture.
    pub fn platform(&self) -> Option<Platform> {
        match (&self.os, &self.architecture) {
            (Some(os), Some(arch)) if !os.is_empty() && !arch.is_empty() => {
                Some(Platform::new(os, arch, self.variant.as_deref()))
            }
            _ => None,
        }
    }

    /// Maps each of `layer_count` layers to the history entry that made it.
    ///
    /// History entries with `empty_layer: true` made no layer and are skipped; the others
    /// are assigned to layers in order.
    ///
    /// When the number of non-empty entries differs from `layer_count` (history missing,
    /// truncated, or written by a tool that mislabels `empty_layer`), the mapping is **best
    /// effort**: entries are still assigned in order from the first layer, layers past the
    /// last entry get `None`, surplus entries are unused, and [`LayerHistory::exact`] is
    /// `false` so callers can say the `created_by` they show may be wrong.
    pub fn layer_history(&self, layer_count: usize) -> LayerHistory {
        let non_empty: Vec<usize> = self
            .history
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.empty_layer)
            .map(|(i, _)| i)
            .collect();
        let per_layer = (0..layer_count).map(|layer| non_empty.get(layer).copied()).collect();
        LayerHistory { per_layer, exact: non_empty.len() == layer_count }
    }
}

/// The most elements of each list and map of a config (`Env`, `Labels`, `Cmd`,
/// `Entrypoint`, `history`, `diff_ids`): real images have hundreds at most. A config with
/// more is refused as malformed (its layers are still scanned), so that a config of tiny
/// elements (`{}` history entries, `""` variables) cannot take gigabytes to parse.
pub const MAX_CONFIG_ITEMS: usize = 10_000;

/// The JSON shape, kept apart so the public type is free of `serde` quirks.
mod wire {
    use super::*;
    use crate::json_limits::{capped_map, capped_string_or_list, capped_vec, lenient_string};

    #[derive(Deserialize)]
    pub(super) struct Config {
        #[serde(default)]
        pub(super) config: Option<Inner>,
        #[serde(default, deserialize_with = "capped_vec::<MAX_CONFIG_ITEMS, _, _>")]
        pub(super) history: Vec<HistoryEntry>,
        #[serde(default)]
        pub(super) rootfs: Option<RootFs>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub(super) os: Option<String>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub(super) architecture: Option<String>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub(super) variant: Option<String>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub(super) created: Option<String>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub(super) author: Option<String>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct Inner {
        #[serde(
            rename = "Env",
            default,
            deserialize_with = "capped_vec::<MAX_CONFIG_ITEMS, _, _>"
        )]
        pub(super) env: Vec<String>,
        #[serde(
            rename = "Labels",
            default,
            deserialize_with = "capped_map::<MAX_CONFIG_ITEMS, _>"
        )]
        pub(super) labels: BTreeMap<String, String>,
        #[serde(
            rename = "Entrypoint",
            default,
            deserialize_with = "capped_string_or_list::<MAX_CONFIG_ITEMS, _>"
        )]
        pub(super) entrypoint: Vec<String>,
        #[serde(
            rename = "Cmd",
            default,
            deserialize_with = "capped_string_or_list::<MAX_CONFIG_ITEMS, _>"
        )]
        pub(super) cmd: Vec<String>,
        #[serde(rename = "User", default)]
        pub(super) user: Option<String>,
        #[serde(rename = "WorkingDir", default)]
        pub(super) working_dir: Option<String>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct RootFs {
        #[serde(rename = "type", default)]
        pub(super) kind: Option<String>,
        #[serde(default, deserialize_with = "capped_vec::<MAX_CONFIG_ITEMS, _, _>")]
        pub(super) diff_ids: Vec<Digest>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<ImageConfig> {
        ImageConfig::from_json(json.as_bytes(), &Digest::sha256_of(json.as_bytes()), "test")
    }

    #[test]
    fn nulls_and_missing_fields_are_empty() {
        let c =
            parse(r#"{"config":{"Env":null,"Labels":null,"Cmd":null},"history":null}"#).unwrap();
        assert!(
            c.env.is_empty() && c.labels.is_empty() && c.cmd.is_empty() && c.history.is_empty()
        );
        let c = parse("{}").unwrap();
        assert_eq!(c, ImageConfig::default());
    }

    #[test]
    fn bare_string_cmd() {
        let c = parse(r#"{"config":{"Cmd":"/bin/sh"}}"#).unwrap();
        assert_eq!(c.cmd, vec!["/bin/sh"]);
    }

    #[test]
    fn wrong_shapes_are_errors_naming_the_digest() {
        let json = r#"{"config":{"Env":"A=1"}}"#;
        let err = parse(json).unwrap_err();
        assert!(err.to_string().contains(&Digest::sha256_of(json.as_bytes()).to_string()), "{err}");
    }

    #[test]
    fn history_mapping_best_effort() {
        let entry = |empty| HistoryEntry { empty_layer: empty, ..HistoryEntry::default() };
        let c = ImageConfig {
            history: vec![entry(false), entry(true), entry(false)],
            ..ImageConfig::default()
        };
        assert_eq!(
            c.layer_history(2),
            LayerHistory { per_layer: vec![Some(0), Some(2)], exact: true }
        );
        assert_eq!(
            c.layer_history(3),
            LayerHistory { per_layer: vec![Some(0), Some(2), None], exact: false }
        );
        assert_eq!(c.layer_history(1), LayerHistory { per_layer: vec![Some(0)], exact: false });
    }
}
