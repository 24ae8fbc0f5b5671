//! A resolved image: one platform's manifest, parsed config and ordered layers.

use std::sync::Arc;

use crate::config::ImageConfig;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::Descriptor;
use crate::platform::Platform;
use crate::registry::RegistryError;
use crate::storage::MAX_CONFIG_BYTES;

/// One image for one platform, ready to scan: everything but the layer bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedImage {
    /// Names this image is known by in its source (`RepoTags` of a `docker save`,
    /// `io.containerd.image.name` / `org.opencontainers.image.ref.name` of an OCI layout).
    /// May be empty.
    pub names: Vec<String>,
    /// Digest of the manifest. `None` for a legacy `docker save` archive, which stores no
    /// manifest (its `manifest.json` is not a content-addressed blob).
    pub manifest_digest: Option<Digest>,
    /// Media type of the manifest, `None` when there is no manifest.
    pub manifest_media_type: Option<String>,
    /// The platform: from the index entry that selected the manifest, else from the config,
    /// else `None`.
    pub platform: Option<Platform>,
    /// Descriptor of the config blob.
    pub config_descriptor: Descriptor,
    /// The parsed config, shared by the images of a source that use the same config blob
    /// (it is parsed once).
    pub config: Arc<ImageConfig>,
    /// The layers, bottom first.
    pub layers: Vec<Layer>,
    /// Inconsistencies found while resolving that did not prevent it.
    pub warnings: Vec<ResolveWarning>,
}

/// One layer of a [`ResolvedImage`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Position in the image, 0 for the bottom layer.
    pub index: usize,
    /// The stored blob: digest, media type, size. Pass it to
    /// [`ImageSource::open_blob`](crate::ImageSource::open_blob).
    pub descriptor: Descriptor,
    /// Digest of the uncompressed layer (`rootfs.diff_ids[index]`), `None` when the config
    /// lists fewer `diff_ids` than there are layers.
    pub diff_id: Option<Digest>,
    /// Index into [`ImageConfig::history`] of the step that made this layer (see
    /// [`ImageConfig::layer_history`]), `None` when there is none.
    pub history_index: Option<usize>,
}

impl ResolvedImage {
    /// A name for the image in messages: its first name, else its manifest or config digest.
    pub fn display_name(&self) -> String {
        match (self.names.first(), &self.manifest_digest) {
            (Some(name), _) => name.clone(),
            (None, Some(digest)) => digest.to_string(),
            (None, None) => self.config_descriptor.digest.to_string(),
        }
    }

    /// The `created_by` of the step that made layer `index`, if known.
    pub fn created_by(&self, index: usize) -> Option<&str> {
        let history = self.layers.get(index)?.history_index?;
        self.config.history.get(history)?.created_by.as_deref()
    }

    /// Assembles an image from its parts, mapping diff_ids and history onto the layers and
    /// recording any count mismatch as a warning.
    /// Turns a malformed-config error, or a config (`digest`) over its size limit, into an
    /// empty config plus a warning, so the layers can still be scanned; any other error
    /// passes through.
    pub(crate) fn config_or_warning(
        config: Result<ImageConfig>,
        digest: &Digest,
    ) -> Result<(Arc<ImageConfig>, Option<ResolveWarning>)> {
        let too_large = || {
            Ok((
                Arc::default(),
                Some(ResolveWarning::MalformedConfig {
                    digest: digest.clone(),
                    reason: format!(
                        "it is over the {} MiB limit for an image config",
                        MAX_CONFIG_BYTES >> 20
                    ),
                }),
            ))
        };
        match config {
            Ok(config) => Ok((Arc::new(config), None)),
            Err(Error::MalformedConfig { digest, source, .. }) => Ok((
                Arc::default(),
                Some(ResolveWarning::MalformedConfig { digest, reason: source.to_string() }),
            )),
            Err(
                Error::BlobTooLarge { .. }
                | Error::DocumentTooLarge { .. }
                | Error::FileTooLarge { .. }
                | Error::Registry(RegistryError::TooLarge { .. }),
            ) => too_large(),
            Err(e) => Err(e),
        }
    }

    /// Adds the warning of [`config_or_warning`](Self::config_or_warning), if any, in place of
    /// the count warnings an empty config causes.
    pub(crate) fn with_config_warning(mut self, warning: Option<ResolveWarning>) -> ResolvedImage {
        if let Some(w) = warning {
            self.warnings.retain(|w| {
                !matches!(
                    w,
                    ResolveWarning::DiffIdCount { .. } | ResolveWarning::HistoryCount { .. }
                )
            });
            self.warnings.push(w);
        }
        self
    }

    pub(crate) fn assemble(parts: Parts, layer_descriptors: Vec<Descriptor>) -> ResolvedImage {
        let Parts {
            names,
            manifest_digest,
            manifest_media_type,
            platform,
            config_descriptor,
            config,
        } = parts;
        let mut warnings = Vec::new();
        let count = layer_descriptors.len();
        if config.rootfs.diff_ids.len() != count {
            warnings.push(ResolveWarning::DiffIdCount {
                diff_ids: config.rootfs.diff_ids.len(),
                layers: count,
            });
        }
        let history = config.layer_history(count);
        if !history.exact {
            warnings.push(ResolveWarning::HistoryCount {
                non_empty_entries: config.history.iter().filter(|h| !h.empty_layer).count(),
                layers: count,
            });
        }
        let layers = layer_descriptors
            .into_iter()
            .enumerate()
            .map(|(index, descriptor)| Layer {
                index,
                descriptor,
                diff_id: config.rootfs.diff_ids.get(index).cloned(),
                history_index: history.per_layer.get(index).copied().flatten(),
            })
            .collect();
        let platform = platform.or_else(|| config.platform());
        ResolvedImage {
            names,
            manifest_digest,
            manifest_media_type,
            platform,
            config_descriptor,
            config,
            layers,
            warnings,
        }
    }
}

/// Everything about an image but its layers, gathered by a source.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) names: Vec<String>,
    pub(crate) manifest_digest: Option<Digest>,
    pub(crate) manifest_media_type: Option<String>,
    pub(crate) platform: Option<Platform>,
    pub(crate) config_descriptor: Descriptor,
    pub(crate) config: Arc<ImageConfig>,
}

/// A problem found while resolving an image that does not stop it being scanned, but
/// that a report should mention.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveWarning {
    /// The image config is not valid JSON of the expected shape, has more elements than
    /// the parser accepts, or is over the size limit for a config: ENV, LABEL, history and
    /// `diff_ids` are unknown, but the layers are still listed (and scanned).
    MalformedConfig {
        /// The config blob's digest.
        digest: Digest,
        /// The JSON error, in words.
        reason: String,
    },
    /// The config lists a different number of `diff_ids` than the manifest has layers;
    /// layers past the end have no `diff_id`.
    DiffIdCount {
        /// `rootfs.diff_ids.len()`.
        diff_ids: usize,
        /// Number of layers.
        layers: usize,
    },
    /// The history has a different number of non-empty entries than there are layers, so
    /// the layer → `created_by` mapping is best effort (see
    /// [`ImageConfig::layer_history`]).
    HistoryCount {
        /// History entries without `empty_layer: true`.
        non_empty_entries: usize,
        /// Number of layers.
        layers: usize,
    },
}
