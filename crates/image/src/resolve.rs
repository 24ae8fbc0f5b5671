//! Walking from root descriptors through (nested) indexes to the selected manifests.
//!
//! The walk only needs a way to fetch a blob by descriptor, so any source with
//! content-addressed manifests (an OCI layout, a Docker ≥ 25 archive, later a registry)
//! shares it.

use std::collections::HashSet;
use std::sync::Arc;

use crate::config::ImageConfig;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{Descriptor, Document, Manifest, parse_document};
use crate::platform::{Platform, PlatformSelector};
use crate::resolved::{Parts, ResolvedImage};
use crate::storage::{MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES};

/// How deep indexes may nest (index → index → …) before the walk gives up.
const MAX_INDEX_DEPTH: usize = 8;
/// The most distinct manifests and indexes one target may reach. Real multi-platform
/// images have a few dozen; a hostile index listing thousands is refused, not walked.
pub(crate) const MAX_MANIFESTS: usize = 1000;
/// The most documents fetched for one target in all (a manifest reached from several image
/// names is fetched once per name).
const MAX_FETCHES: usize = 8 * MAX_MANIFESTS;

/// What the walk of one target has fetched so far, across its image names.
#[derive(Default)]
struct Budget {
    distinct: HashSet<Digest>,
    fetches: usize,
}

impl Budget {
    /// Counts one fetch of `digest`, or fails when a cap is passed.
    fn charge(&mut self, digest: &Digest, location: &str) -> Result<()> {
        self.fetches += 1;
        self.distinct.insert(digest.clone());
        if self.distinct.len() > MAX_MANIFESTS || self.fetches > MAX_FETCHES {
            return Err(Error::TooManyManifests {
                image: location.to_owned(),
                limit: MAX_MANIFESTS,
            });
        }
        Ok(())
    }
}

/// Fetches a small blob whole and verified: `(descriptor, what it is, size limit, image)`.
pub(crate) type Fetch<'a> = dyn FnMut(&Descriptor, &'static str, u64, &str) -> Result<Vec<u8>> + 'a;

/// A manifest that could be selected.
struct Candidate {
    descriptor: Descriptor,
    manifest: Manifest,
    /// From the index entry (or an enclosing one).
    platform: Option<Platform>,
    /// Loaded early when the index gave no platform and the config had to tell.
    config: Option<Arc<ImageConfig>>,
}

/// Resolves every image reachable from `roots` (the entries of an OCI layout's
/// `index.json`, or a single manifest descriptor).
///
/// Roots are grouped by image name (`io.containerd.image.name` or
/// `org.opencontainers.image.ref.name`; unnamed roots form one group) and the platform
/// selection applies within each group, so an archive holding an amd64-only image and an
/// arm64-only image yields both under the default selection. A manifest reached from
/// several names is returned once, with all its names.
///
/// Descriptors are deduplicated by digest before anything is fetched: a root or index
/// entry repeated (even thousands of times) is fetched and parsed once, and groups with the
/// same roots are resolved once. At most [`MAX_MANIFESTS`] distinct documents are fetched
/// per target ([`Error::TooManyManifests`] beyond).
pub(crate) fn resolve_roots(
    roots: &[Descriptor],
    location: &str,
    selector: &PlatformSelector,
    fetch: &mut Fetch<'_>,
) -> Result<Vec<ResolvedImage>> {
    let mut groups: Vec<(Option<&str>, Vec<&Descriptor>)> = Vec::new();
    for root in roots {
        let name = root.image_name();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, members)) => members.push(root),
            None => groups.push((name, vec![root])),
        }
    }
    if groups.is_empty() {
        return Err(Error::NoImages {
            image: location.to_owned(),
            reason: "the index lists no manifests".to_owned(),
        });
    }
    let mut images: Vec<ResolvedImage> = Vec::new();
    let mut budget = Budget::default();
    // Groups with the same roots resolve to the same manifests: the first one's result is
    // reused under the other names.
    let mut resolved: Vec<(Vec<Digest>, Vec<ResolvedImage>)> = Vec::new();
    for (name, members) in groups {
        let label = match name {
            Some(name) => format!("{location} ({name})"),
            None => location.to_owned(),
        };
        let mut members = dedup_by_digest(members);
        members.sort_by(|a, b| a.digest.cmp(&b.digest));
        let key: Vec<Digest> = members.iter().map(|d| d.digest.clone()).collect();
        let group_images = match resolved.iter().find(|(k, _)| *k == key) {
            Some((_, done)) => done
                .iter()
                .cloned()
                .map(|mut image| {
                    image.names = name.map(str::to_owned).into_iter().collect();
                    image
                })
                .collect(),
            None => {
                let done =
                    resolve_group(&members, name, &label, selector, fetch, &mut budget, location)?;
                resolved.push((key, done.clone()));
                done
            }
        };
        for image in group_images {
            match images.iter_mut().find(|i| i.manifest_digest == image.manifest_digest) {
                Some(seen) => {
                    for n in image.names {
                        if !seen.names.contains(&n) {
                            seen.names.push(n);
                        }
                    }
                }
                None => images.push(image),
            }
        }
    }
    Ok(images)
}

/// `descriptors` without repeats of a digest, first occurrence kept, order kept.
fn dedup_by_digest<'d>(
    descriptors: impl IntoIterator<Item = &'d Descriptor>,
) -> Vec<&'d Descriptor> {
    let mut seen = HashSet::new();
    descriptors.into_iter().filter(|d| seen.insert(&d.digest)).collect()
}

fn resolve_group(
    roots: &[&Descriptor],
    name: Option<&str>,
    label: &str,
    selector: &PlatformSelector,
    fetch: &mut Fetch<'_>,
    budget: &mut Budget,
    location: &str,
) -> Result<Vec<ResolvedImage>> {
    let mut walk = Walk {
        label,
        location,
        fetch,
        budget,
        candidates: Vec::new(),
        skipped: 0,
        visited: HashSet::new(),
        fetched: HashSet::new(),
    };
    for root in roots {
        walk.visit(root, root.platform.clone(), 0)?;
    }
    let Walk { fetch, mut candidates, skipped, .. } = walk;
    if candidates.is_empty() {
        return Err(Error::NoImages {
            image: label.to_owned(),
            reason: format!("{skipped} attestation or non-image manifest(s), no image manifest"),
        });
    }
    // Entries without a platform in the index take it from their config.
    for candidate in &mut candidates {
        if candidate.platform.is_none() {
            // A malformed config is reported when the image is assembled below.
            let digest = &candidate.manifest.config.digest;
            if let (config, None) = ResolvedImage::config_or_warning(
                load_config(&candidate.manifest, label, fetch),
                digest,
            )? {
                candidate.platform = config.platform();
                candidate.config = Some(config);
            }
        }
    }
    let platforms: Vec<Platform> = candidates
        .iter()
        .map(|c| c.platform.clone().unwrap_or_else(|| Platform::new("unknown", "unknown", None)))
        .collect();
    let selected = selector.select(&platforms);
    if selected.is_empty() {
        return Err(Error::NoMatchingPlatform {
            image: label.to_owned(),
            requested: selector.describe(),
            available: platforms.iter().map(Platform::to_string).collect(),
        });
    }
    let mut out = Vec::with_capacity(selected.len());
    let mut candidates: Vec<Option<Candidate>> = candidates.into_iter().map(Some).collect();
    for i in selected {
        let Some(candidate) = candidates.get_mut(i).and_then(Option::take) else { continue };
        let (config, warning) = match candidate.config {
            Some(config) => (config, None),
            None => ResolvedImage::config_or_warning(
                load_config(&candidate.manifest, label, fetch),
                &candidate.manifest.config.digest,
            )?,
        };
        let manifest_media_type =
            candidate.manifest.media_type.clone().or_else(|| {
                Some(candidate.descriptor.media_type.clone()).filter(|m| !m.is_empty())
            });
        let parts = Parts {
            names: name.map(str::to_owned).into_iter().collect(),
            manifest_digest: Some(candidate.descriptor.digest.clone()),
            manifest_media_type,
            platform: candidate.platform,
            config_descriptor: candidate.manifest.config.clone(),
            config,
        };
        out.push(
            ResolvedImage::assemble(parts, candidate.manifest.layers).with_config_warning(warning),
        );
    }
    Ok(out)
}

fn load_config(manifest: &Manifest, label: &str, fetch: &mut Fetch<'_>) -> Result<ImageConfig> {
    let desc = &manifest.config;
    let bytes = fetch(desc, "image config", MAX_CONFIG_BYTES, label)?;
    ImageConfig::from_json(&bytes, &desc.digest, label)
}

struct Walk<'a, 'f> {
    label: &'a str,
    /// The target, for the budget's error.
    location: &'a str,
    fetch: &'a mut Fetch<'f>,
    budget: &'a mut Budget,
    candidates: Vec<Candidate>,
    skipped: usize,
    /// The indexes on the path from the root to here, to tell a loop.
    visited: HashSet<Digest>,
    /// Every document fetched in this group: reached again, it is not fetched again.
    fetched: HashSet<Digest>,
}

impl Walk<'_, '_> {
    fn visit(&mut self, desc: &Descriptor, platform: Option<Platform>, depth: usize) -> Result<()> {
        if desc.is_attestation() {
            self.skipped += 1;
            return Ok(());
        }
        if self.visited.contains(&desc.digest) {
            return Err(Error::IndexNesting {
                image: self.label.to_owned(),
                digest: desc.digest.clone(),
            });
        }
        if !self.fetched.insert(desc.digest.clone()) {
            return Ok(());
        }
        self.budget.charge(&desc.digest, self.location)?;
        let bytes = (self.fetch)(desc, "manifest", MAX_MANIFEST_BYTES, self.label)?;
        let declared = Some(desc.media_type.as_str()).filter(|m| !m.is_empty());
        match parse_document(&bytes, declared, self.label, &desc.digest.to_string())? {
            Document::Index(index) => {
                if depth >= MAX_INDEX_DEPTH || !self.visited.insert(desc.digest.clone()) {
                    return Err(Error::IndexNesting {
                        image: self.label.to_owned(),
                        digest: desc.digest.clone(),
                    });
                }
                for child in dedup_by_digest(&index.manifests) {
                    let child_platform = child.platform.clone().or_else(|| platform.clone());
                    self.visit(child, child_platform, depth + 1)?;
                }
                self.visited.remove(&desc.digest);
            }
            Document::Manifest(manifest) if manifest.is_image() => {
                self.candidates.push(Candidate {
                    descriptor: desc.clone(),
                    manifest: *manifest,
                    platform,
                    config: None,
                });
            }
            Document::Manifest(_) => self.skipped += 1,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::media_type;

    fn blob(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: Digest::sha256_of(bytes),
            size: bytes.len() as u64,
            platform: None,
            annotations: Default::default(),
        }
    }

    #[test]
    fn repeated_entries_are_fetched_once_and_distinct_ones_capped() {
        let config = br#"{"os":"linux","architecture":"amd64"}"#.to_vec();
        let config_desc = blob(media_type::OCI_CONFIG, &config);
        let manifest = |n: usize| {
            let doc = serde_json::json!({
                "schemaVersion": 2, "mediaType": media_type::OCI_MANIFEST,
                "config": config_desc, "layers": [], "annotations": { "n": n.to_string() },
            });
            serde_json::to_vec(&doc).unwrap()
        };
        let index = |entries: Vec<Descriptor>| {
            let doc = serde_json::json!({ "schemaVersion": 2, "mediaType": media_type::OCI_INDEX, "manifests": entries });
            serde_json::to_vec(&doc).unwrap()
        };
        let run = |docs: Vec<Vec<u8>>, root: Descriptor| {
            let docs: std::collections::HashMap<Digest, Vec<u8>> =
                docs.into_iter().map(|d| (Digest::sha256_of(&d), d)).collect();
            let mut fetches = 0;
            let mut fetch = |desc: &Descriptor, _: &'static str, _: u64, _: &str| {
                fetches += 1;
                if desc.digest == config_desc.digest {
                    return Ok(config.clone());
                }
                docs.get(&desc.digest).cloned().ok_or_else(|| Error::BlobNotFound {
                    image: "t".into(),
                    digest: desc.digest.clone(),
                })
            };
            let result = resolve_roots(&[root], "t", &PlatformSelector::All, &mut fetch);
            (result, fetches)
        };

        let one = manifest(0);
        let mut docs = vec![one.clone()];
        let mut root = blob(media_type::OCI_MANIFEST, &one);
        for _ in 0..4 {
            let doc = index(vec![root; 1000]);
            root = blob(media_type::OCI_INDEX, &doc);
            docs.push(doc);
        }
        let (images, fetches) = run(docs, root);
        assert_eq!(images.unwrap().len(), 1);
        // Four indexes, one manifest, one config.
        assert_eq!(fetches, 6);

        let many: Vec<Vec<u8>> = (0..=MAX_MANIFESTS).map(manifest).collect();
        let top = index(many.iter().map(|m| blob(media_type::OCI_MANIFEST, m)).collect());
        let root = blob(media_type::OCI_INDEX, &top);
        let mut docs = many;
        docs.push(top);
        let (result, fetches) = run(docs, root);
        let err = result.unwrap_err();
        assert!(matches!(err, Error::TooManyManifests { limit: MAX_MANIFESTS, .. }), "{err}");
        assert_eq!(fetches, MAX_MANIFESTS, "the walk stops at the cap");
    }
}
