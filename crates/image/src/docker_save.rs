//! Legacy `docker save` archives: `manifest.json`, `<config>.json`, `<id>/layer.tar`.
//!
//! Docker ≥ 25 archives also contain an OCI image layout and are read as one (see
//! [`open_path`](crate::open_path)); this module handles the archives older Docker,
//! Podman and `skopeo copy docker-archive:` write.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Deserialize;

use crate::config::ImageConfig;
use crate::digest::{Algorithm, Digest};
use crate::error::{Error, Result};
use crate::json_error::JsonError;
use crate::json_limits::capped_vec;
use crate::manifest::{Descriptor, MAX_ANNOTATIONS, MAX_DESCRIPTORS, media_type};
use crate::platform::PlatformSelector;
use crate::resolve::MAX_MANIFESTS;
use crate::resolved::{Parts, ResolveWarning, ResolvedImage};
use crate::sniff::Compression;
use crate::source::{BlobOpener, ImageSource, SourceInfo};
use crate::storage::{MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, Storage};

/// The file listing the images of a `docker save` archive.
pub(crate) const MANIFEST_FILE: &str = "manifest.json";

/// Digest → member name, for every blob that [`ImageSource::resolve`] described.
type MemberMap = Arc<RwLock<HashMap<Digest, String>>>;

/// A legacy `docker save` archive.
///
/// There are no content-addressed manifests, so descriptors are derived:
/// - the config's digest comes from its name (`<hex>.json`), checked against the bytes,
///   or, for names that are not digests, is computed from them;
/// - a layer's digest comes from its name when that is a digest (`<hex>.tar`,
///   `blobs/sha256/<hex>`); otherwise (`<id>/layer.tar`) it is the layer's `diff_id` when
///   the member is an uncompressed tar (the `diff_id` *is* the digest of the uncompressed
///   tar), and only for a compressed member with no digest in its name is the member hashed
///   once during `resolve`;
/// - a layer's media type is sniffed from its first bytes (such layers are normally plain
///   tar, but the bytes decide).
#[derive(Debug)]
pub(crate) struct DockerSave {
    info: SourceInfo,
    storage: Storage,
    members: MemberMap,
}

/// `manifest.json`: at most [`MAX_MANIFESTS`] images.
#[derive(Deserialize)]
#[serde(transparent)]
struct Entries(#[serde(deserialize_with = "capped_vec::<MAX_MANIFESTS, _, _>")] Vec<Entry>);

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(
        rename = "RepoTags",
        default,
        deserialize_with = "capped_vec::<MAX_ANNOTATIONS, _, _>"
    )]
    repo_tags: Vec<String>,
    #[serde(rename = "Layers", default, deserialize_with = "capped_vec::<MAX_DESCRIPTORS, _, _>")]
    layers: Vec<String>,
}

/// A config read for one image, kept for the others that name the same member.
#[derive(Clone)]
struct LoadedConfig {
    digest: Digest,
    size: u64,
    config: Arc<ImageConfig>,
    warning: Option<ResolveWarning>,
}

impl DockerSave {
    pub(crate) fn new(info: SourceInfo, storage: Storage) -> DockerSave {
        DockerSave { info, storage, members: MemberMap::default() }
    }

    /// The member [`resolve`](ImageSource::resolve) found the blob `digest` in.
    pub(crate) fn member_of(&self, digest: &Digest) -> Option<String> {
        self.members.read().unwrap_or_else(PoisonError::into_inner).get(digest).cloned()
    }

    fn remember(&self, digest: &Digest, member: &str) {
        self.members
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(digest.clone(), member.to_owned());
    }

    /// Reads and parses the config `member` once; a config over its size limit or
    /// malformed becomes an empty config with a warning.
    fn load_config(&self, member: &str, label: &str) -> Result<LoadedConfig> {
        let bytes = match self.storage.read_file(member, label, MAX_CONFIG_BYTES) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(Error::MemberNotFound {
                    image: label.to_owned(),
                    member: member.to_owned(),
                });
            }
            Err(e @ (Error::FileTooLarge { .. } | Error::DocumentTooLarge { .. })) => {
                let digest = match digest_from_name(member) {
                    Some(named) => named,
                    None => self.storage.sha256(member, label)?,
                };
                let size = self.storage.head(member, label)?.map_or(0, |(_, size)| size);
                self.remember(&digest, member);
                let (config, warning) = ResolvedImage::config_or_warning(Err(e), &digest)?;
                return Ok(LoadedConfig { digest, size, config, warning });
            }
            Err(e) => return Err(e),
        };
        let computed = Digest::sha256_of(&bytes);
        let digest = match digest_from_name(member) {
            Some(named) if named.algorithm() == Algorithm::Sha256 && named != computed => {
                return Err(Error::DigestMismatch { expected: named, actual: computed });
            }
            Some(named) if named.algorithm() == Algorithm::Sha256 => named,
            _ => computed,
        };
        self.remember(&digest, member);
        let (config, warning) = ResolvedImage::config_or_warning(
            ImageConfig::from_json(&bytes, &digest, label),
            &digest,
        )?;
        Ok(LoadedConfig { digest, size: bytes.len() as u64, config, warning })
    }

    fn resolve_entry(
        &self,
        entry: Entry,
        selector: &PlatformSelector,
        configs: &mut Vec<(String, LoadedConfig)>,
    ) -> Result<ResolvedImage> {
        let names = entry.repo_tags;
        let label = match names.first() {
            Some(name) => format!("{} ({name})", self.info.location),
            None => self.info.location.clone(),
        };
        let loaded = match configs.iter().find(|(member, _)| *member == entry.config) {
            Some((_, loaded)) => loaded.clone(),
            None => {
                let loaded = self.load_config(&entry.config, &label)?;
                configs.push((entry.config.clone(), loaded.clone()));
                loaded
            }
        };
        let LoadedConfig { digest, size, config, warning: config_warning } = loaded;
        let config_descriptor = Descriptor {
            media_type: media_type::DOCKER_CONFIG.to_owned(),
            digest,
            size,
            platform: None,
            annotations: Default::default(),
        };

        let platform = config.platform();
        if let Some(platform) = &platform
            && selector.select(std::slice::from_ref(platform)).is_empty()
        {
            return Err(Error::NoMatchingPlatform {
                image: label,
                requested: selector.describe(),
                available: vec![platform.to_string()],
            });
        }

        let mut layers = Vec::with_capacity(entry.layers.len());
        for (i, member) in entry.layers.iter().enumerate() {
            layers.push(self.layer_descriptor(member, config.rootfs.diff_ids.get(i), &label)?);
        }
        let parts = Parts {
            names,
            manifest_digest: None,
            manifest_media_type: None,
            platform,
            config_descriptor,
            config,
        };
        Ok(ResolvedImage::assemble(parts, layers).with_config_warning(config_warning))
    }

    fn layer_descriptor(
        &self,
        member: &str,
        diff_id: Option<&Digest>,
        label: &str,
    ) -> Result<Descriptor> {
        let named = digest_from_name(member);
        let descriptor = |digest: Digest, media: &str, size| Descriptor {
            media_type: media.to_owned(),
            digest,
            size,
            platform: None,
            annotations: Default::default(),
        };
        let Some((head, size)) = self.storage.head(member, label)? else {
            // Describe the missing layer anyway when its digest is known, so the error
            // comes from `open_blob` and the image's other layers can still be read.
            return match named.or_else(|| diff_id.cloned()) {
                Some(digest) => Ok(descriptor(digest, media_type::DOCKER_LAYER_TAR, 0)),
                None => Err(Error::MemberNotFound {
                    image: label.to_owned(),
                    member: member.to_owned(),
                }),
            };
        };
        let compression = Compression::sniff(&head);
        let media = match compression {
            Compression::Gzip => media_type::DOCKER_LAYER_GZIP,
            Compression::Zstd => media_type::OCI_LAYER_ZSTD,
            _ => media_type::DOCKER_LAYER_TAR,
        };
        let digest = match (named, diff_id) {
            (Some(named), _) => named,
            (None, Some(diff_id)) if compression == Compression::None => diff_id.clone(),
            // Rare: a compressed layer whose name is no digest. Hash it once.
            _ => self.storage.sha256(member, label)?,
        };
        self.remember(&digest, member);
        Ok(descriptor(digest, media, size))
    }
}

impl ImageSource for DockerSave {
    fn describe(&self) -> &SourceInfo {
        &self.info
    }

    fn resolve(&mut self, platform: &PlatformSelector) -> Result<Vec<ResolvedImage>> {
        let location = &self.info.location;
        let bytes = self
            .storage
            .read_file(MANIFEST_FILE, location, MAX_MANIFEST_BYTES)?
            .ok_or_else(|| Error::MemberNotFound {
                image: location.clone(),
                member: MANIFEST_FILE.to_owned(),
            })?;
        let Entries(entries) =
            serde_json::from_slice(&bytes).map_err(|e| Error::MalformedManifest {
                image: location.clone(),
                what: "manifest.json",
                location: MANIFEST_FILE.to_owned(),
                source: JsonError::new(&e),
            })?;
        if entries.is_empty() {
            return Err(Error::NoImages {
                image: location.clone(),
                reason: "manifest.json lists no images".to_owned(),
            });
        }
        // Images sharing a config (several tags of one image) parse it once.
        let mut configs = Vec::new();
        entries.into_iter().map(|entry| self.resolve_entry(entry, platform, &mut configs)).collect()
    }

    fn blob_opener(&self) -> Arc<dyn BlobOpener> {
        Arc::new(LegacyOpener {
            storage: self.storage.clone(),
            image: self.info.location.clone(),
            members: Arc::clone(&self.members),
        })
    }
}

/// Opens the members [`DockerSave::resolve`] described.
#[derive(Debug)]
struct LegacyOpener {
    storage: Storage,
    image: String,
    members: MemberMap,
}

impl BlobOpener for LegacyOpener {
    fn open(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send>> {
        let member =
            self.members.read().unwrap_or_else(PoisonError::into_inner).get(&desc.digest).cloned();
        match member {
            Some(member) => self.storage.open_blob(desc, &member, &self.image),
            None => {
                Err(Error::BlobNotFound { image: self.image.clone(), digest: desc.digest.clone() })
            }
        }
    }
}

/// The digest a member name spells, if any: `<hex>.tar`, `<hex>.json`, `<hex>/layer.tar`
/// is *not* one (that hex is a legacy v1 id), `blobs/sha256/<hex>` is.
pub(crate) fn digest_from_name(name: &str) -> Option<Digest> {
    let name = name.trim_start_matches("./");
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return Digest::parse(&format!("{alg}:{hex}")).ok();
    }
    let stem = name.strip_suffix(".tar").or_else(|| name.strip_suffix(".json"))?;
    let stem = stem.strip_prefix("sha256:").unwrap_or(stem);
    if stem.contains('/') {
        return None;
    }
    Digest::from_hex(Algorithm::Sha256, stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_in_member_names() {
        let hex = Digest::sha256_of(b"x").hex().to_owned();
        assert_eq!(
            digest_from_name(&format!("{hex}.tar")).map(|d| d.hex().to_owned()),
            Some(hex.clone())
        );
        assert!(digest_from_name(&format!("blobs/sha256/{hex}")).is_some());
        assert!(digest_from_name(&format!("{hex}/layer.tar")).is_none());
        assert!(digest_from_name("abc.tar").is_none());
        assert!(digest_from_name("blobs/sha256/../../x").is_none());
    }
}
