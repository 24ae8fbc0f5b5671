//! Walking from root descriptors through (nested) indexes to the selected manifests.
//!
//! The walk only needs a way to fetch a blob by descriptor, so any source with
//! content-addressed manifests (an OCI layout, a Docker ≥ 25 archive, later a registry)
//! shares it.

use std::collections::HashSet;

use crate::config::ImageConfig;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{Descriptor, Document, Manifest, parse_document};
use crate::platform::{Platform, PlatformSelector};
use crate::resolved::{Parts, ResolvedImage};
use crate::storage::{MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES};

/// How deep indexes may nest (index → index → …) before the walk gives up.
const MAX_INDEX_DEPTH: usize = 8;

/// Fetches a small blob whole and verified: `(descriptor, what it is, size limit, image)`.
pub(crate) type Fetch<'a> = dyn FnMut(&Descriptor, &'static str, u64, &str) -> Result<Vec<u8>> + 'a;

/// A manifest that could be selected.
struct Candidate {
    descriptor: Descriptor,
    manifest: Manifest,
    /// From the index entry (or an enclosing one).
    platform: Option<Platform>,
    /// Loaded early when the index gave no platform and the config had to tell.
    config: Option<ImageConfig>,
}

/// Resolves every image reachable from `roots` (the entries of an OCI layout's
/// `index.json`, or a single manifest descriptor).
///
/// Roots are grouped by image name (`io.containerd.image.name` or
/// `org.opencontainers.image.ref.name`; unnamed roots form one group) and the platform
/// selection applies within each group, so an archive holding an amd64-only image and an
/// arm64-only image yields both under the default selection. A manifest reached from
/// several names is returned once, with all its names.
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
    for (name, members) in groups {
        let label = match name {
            Some(name) => format!("{location} ({name})"),
            None => location.to_owned(),
        };
        for image in resolve_group(&members, name, &label, selector, fetch)? {
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

fn resolve_group(
    roots: &[&Descriptor],
    name: Option<&str>,
    label: &str,
    selector: &PlatformSelector,
    fetch: &mut Fetch<'_>,
) -> Result<Vec<ResolvedImage>> {
    let mut walk =
        Walk { label, fetch, candidates: Vec::new(), skipped: 0, visited: HashSet::new() };
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
            if let (config, None) =
                ResolvedImage::config_or_warning(load_config(&candidate.manifest, label, fetch))?
            {
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
            None => {
                ResolvedImage::config_or_warning(load_config(&candidate.manifest, label, fetch))?
            }
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
    fetch: &'a mut Fetch<'f>,
    candidates: Vec<Candidate>,
    skipped: usize,
    visited: HashSet<Digest>,
}

impl Walk<'_, '_> {
    fn visit(&mut self, desc: &Descriptor, platform: Option<Platform>, depth: usize) -> Result<()> {
        if desc.is_attestation() {
            self.skipped += 1;
            return Ok(());
        }
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
                for child in &index.manifests {
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
