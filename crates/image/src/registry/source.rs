//! [`RegistrySource`]: an [`ImageSource`] that pulls from a registry.

use std::io::Read;
use std::sync::Arc;

use crate::digest::{Digest, Hasher};
use crate::error::{Error, Result};
use crate::manifest::Descriptor;
use crate::platform::PlatformSelector;
use crate::registry::blob_stream;
use crate::registry::credentials::Credentials;
use crate::registry::error::RegistryError;
use crate::registry::listing::{Listed, list};
use crate::registry::options::RegistryOptions;
use crate::registry::reference::ImageReference;
use crate::registry::transport::{Target, Transport, is_manifest_media_type};
use crate::resolve::resolve_roots;
use crate::resolved::ResolvedImage;
use crate::source::{BlobOpener, ImageSource, SourceInfo, SourceKind};
use crate::storage::MAX_MANIFEST_BYTES;
use crate::verify::VerifyingReader;

/// Threads of the runtime that drives downloads (the scan itself runs on the caller's
/// threads; these only move bytes).
const RUNTIME_THREADS: usize = 2;

/// An image in a registry, pulled over HTTP(S) and streamed.
///
/// [`connect`](RegistrySource::connect) authenticates; [`resolve`](ImageSource::resolve)
/// fetches the manifest (or index) for the reference, follows it exactly as for an OCI
/// layout (platform selection, attestation manifests skipped) and fetches the configs;
/// [`BlobOpener::open`] starts a layer's download and returns a reader over it at once.
/// Several layers download at the same time when several threads open blobs.
///
/// # Memory usage
///
/// Manifests and configs are held whole (up to 4 MiB and 32 MiB); each open layer holds
/// at most a few chunks of its body (see the module documentation). Nothing is written to
/// disk.
#[derive(Debug)]
pub struct RegistrySource {
    info: SourceInfo,
    reference: ImageReference,
    runtime: Arc<tokio::runtime::Runtime>,
    transport: Arc<Transport>,
}

impl RegistrySource {
    /// Connects to the registry of `reference` and authenticates for pulling it, with
    /// the credentials of `options` or else those [`Credentials::lookup`] finds.
    ///
    /// # Errors
    ///
    /// [`Error::Registry`] when the credentials cannot be looked up, a CA file cannot be
    /// used, the registry cannot be reached, or it rejects the credentials.
    pub fn connect(reference: ImageReference, options: &RegistryOptions) -> Result<RegistrySource> {
        let credentials = Credentials::lookup(reference.registry(), options.credentials.clone())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(RUNTIME_THREADS)
            .thread_name("layerleak-registry")
            .enable_all()
            .build()
            .map_err(|e| RegistryError::Setup { reason: e.to_string() })?;
        let transport =
            runtime.block_on(Transport::connect(reference.clone(), options, credentials))?;
        Ok(RegistrySource {
            info: SourceInfo {
                kind: SourceKind::Registry,
                location: reference.to_string(),
                path: None,
            },
            reference,
            runtime: Arc::new(runtime),
            transport: Arc::new(transport),
        })
    }

    /// The reference being pulled.
    pub fn reference(&self) -> &ImageReference {
        &self.reference
    }

    /// The tags of the repository, every page of `GET /v2/<name>/tags/list` (`page` per
    /// request, following the `Link` header), in the registry's order.
    ///
    /// # Errors
    ///
    /// [`Error::Registry`] when a page cannot be fetched, is malformed or over its limit,
    /// a `Link` points elsewhere, or the list is longer than [`MAX_LISTED`](crate::registry::MAX_LISTED).
    pub fn tags(&self, page: usize) -> Result<Vec<String>> {
        let first = format!("{}/tags/list?n={page}", self.reference.repository());
        Ok(self.runtime.block_on(list(&self.transport, first, Listed::Tags))?)
    }

    /// The repositories of the registry, every page of `GET /v2/_catalog` (`page` per
    /// request, following the `Link` header). The registry must allow the catalog to the
    /// credentials used (a token scoped for another repository may not).
    ///
    /// # Errors
    ///
    /// As [`RegistrySource::tags`].
    pub fn repositories(&self, page: usize) -> Result<Vec<String>> {
        let first = format!("_catalog?n={page}");
        Ok(self.runtime.block_on(list(&self.transport, first, Listed::Repositories))?)
    }

    /// The digest of the reference's manifest (or index) without fetching it: the digest
    /// of a reference by digest, else the `Docker-Content-Digest` a HEAD request answers;
    /// `None` when the registry does not say. Enough to tell that a tag is unchanged.
    ///
    /// # Errors
    ///
    /// As [`ImageSource::resolve`] for the manifest request.
    pub fn manifest_digest(&self) -> Result<Option<String>> {
        if let Some(digest) = self.reference.digest() {
            return Ok(Some(digest.to_owned()));
        }
        let wanted = self.reference.manifest_reference().to_owned();
        let headers = self.runtime.block_on(self.transport.head(Target::Manifest(&wanted)))?;
        Ok(headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v.trim()).ok())
            .map(|d| d.to_string()))
    }

    /// Fetches a document whole and checks it against `desc`.
    fn fetch(
        &self,
        desc: &Descriptor,
        what: &'static str,
        limit: u64,
        image: &str,
    ) -> Result<Vec<u8>> {
        if desc.size > limit {
            return Err(Error::BlobTooLarge {
                image: image.to_owned(),
                what,
                digest: desc.digest.clone(),
                size: desc.size,
                limit,
            });
        }
        let digest = desc.digest.to_string();
        let target = if what == "manifest" || is_manifest_media_type(&desc.media_type) {
            Target::Manifest(&digest)
        } else {
            Target::Blob(&desc.digest)
        };
        let (bytes, _) = self.runtime.block_on(self.transport.fetch_document(target, limit))?;
        let mut verify = VerifyingReader::new(&bytes[..], desc.digest.clone(), desc.size);
        std::io::copy(&mut verify, &mut std::io::sink())
            .map_err(|e| Error::from_io(e, image, &desc.digest))?;
        Ok(bytes)
    }
}

impl ImageSource for RegistrySource {
    fn describe(&self) -> &SourceInfo {
        &self.info
    }

    fn resolve(&mut self, platform: &PlatformSelector) -> Result<Vec<ResolvedImage>> {
        let location = self.info.location.clone();
        let wanted = self.reference.manifest_reference().to_owned();
        let fetched = self.runtime.block_on(async {
            match self.transport.fetch_document(Target::Manifest(&wanted), MAX_MANIFEST_BYTES).await
            {
                Err(RegistryError::ManifestNotFound { registry, repository, .. })
                    if self.transport.repository_is_unknown().await =>
                {
                    Err(RegistryError::RepositoryNotFound { registry, repository })
                }
                other => other,
            }
        });
        let (bytes, content_type) = fetched?;
        let digest = match self.reference.digest() {
            Some(requested) => {
                let requested = Digest::parse(requested)?;
                let actual = digest_with(requested.algorithm(), &bytes);
                if actual != requested {
                    return Err(RegistryError::ManifestDigestMismatch {
                        registry: self.transport.host().to_owned(),
                        reference: requested.to_string(),
                        actual: actual.to_string(),
                    }
                    .into());
                }
                requested
            }
            None => Digest::sha256_of(&bytes),
        };
        let root = Descriptor {
            // A registry that sends no useful type leaves it to the document's own field.
            media_type: content_type.filter(|t| is_manifest_media_type(t)).unwrap_or_default(),
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: Default::default(),
        };
        let mut fetch = |desc: &Descriptor, what: &'static str, limit: u64, image: &str| {
            if desc.digest == root.digest && what == "manifest" {
                return Ok(bytes.clone());
            }
            self.fetch(desc, what, limit, image)
        };
        let mut images =
            resolve_roots(std::slice::from_ref(&root), &location, platform, &mut fetch)?;
        for image in &mut images {
            if image.names.is_empty() {
                image.names.push(location.clone());
            }
        }
        Ok(images)
    }

    fn blob_opener(&self) -> Arc<dyn BlobOpener> {
        Arc::new(RegistryBlobOpener {
            runtime: Arc::clone(&self.runtime),
            transport: Arc::clone(&self.transport),
        })
    }
}

/// Opens layer downloads; shared by the scan's worker threads.
#[derive(Debug)]
struct RegistryBlobOpener {
    runtime: Arc<tokio::runtime::Runtime>,
    transport: Arc<Transport>,
}

impl BlobOpener for RegistryBlobOpener {
    fn open(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send>> {
        // Wait for the status line, so a missing blob is an error here and not mid-read.
        let first = self.runtime.block_on(self.transport.get(Target::Blob(&desc.digest), 0))?;
        let reader = blob_stream::spawn(
            self.runtime.handle(),
            Arc::clone(&self.transport),
            desc.digest.clone(),
            desc.size,
            first,
        );
        Ok(Box::new(VerifyingReader::new(reader, desc.digest.clone(), desc.size)))
    }
}

fn digest_with(algorithm: crate::digest::Algorithm, bytes: &[u8]) -> Digest {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(bytes);
    hasher.finish()
}
