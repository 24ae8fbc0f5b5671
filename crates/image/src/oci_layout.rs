//! OCI image layouts: a directory, an `oci-archive` tarball, or the inside of a Docker ≥ 25
//! `docker save` tarball.

use std::io::Read;
use std::sync::Arc;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::json_error::JsonError;
use crate::json_limits::capped_vec;
use crate::manifest::{Descriptor, MAX_DESCRIPTORS};
use crate::platform::PlatformSelector;
use crate::resolve::resolve_roots;
use crate::resolved::ResolvedImage;
use crate::source::{BlobOpener, ImageSource, SourceInfo};
use crate::storage::{MAX_MANIFEST_BYTES, Storage};

/// The file that marks an OCI image layout.
pub(crate) const OCI_LAYOUT_FILE: &str = "oci-layout";
/// The layout's root index.
pub(crate) const INDEX_FILE: &str = "index.json";

/// An OCI image layout (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), read from a
/// directory or an indexed tarball.
///
/// Every entry of `index.json` is a root; entries carrying the same image name form one
/// image to which the platform selection applies (see
/// [`ImageSource::resolve`]). Blobs are found at `blobs/<alg>/<hex>` from their digest.
#[derive(Debug)]
pub(crate) struct OciLayout {
    info: SourceInfo,
    storage: Storage,
}

#[derive(Deserialize)]
struct RootIndex {
    #[serde(default, deserialize_with = "capped_vec::<MAX_DESCRIPTORS, _, _>")]
    manifests: Vec<Descriptor>,
}

impl OciLayout {
    pub(crate) fn new(info: SourceInfo, storage: Storage) -> OciLayout {
        OciLayout { info, storage }
    }

    fn roots(&self) -> Result<Vec<Descriptor>> {
        let location = &self.info.location;
        let bytes =
            self.storage.read_file(INDEX_FILE, location, MAX_MANIFEST_BYTES)?.ok_or_else(|| {
                Error::NotAnImage {
                    path: self.storage.path().to_owned(),
                    reason: "index.json is missing".to_owned(),
                    expected: crate::open::EXPECTED,
                }
            })?;
        let index: RootIndex =
            serde_json::from_slice(&bytes).map_err(|e| Error::MalformedManifest {
                image: location.clone(),
                what: "image index",
                location: INDEX_FILE.to_owned(),
                source: JsonError::new(&e),
            })?;
        Ok(index.manifests)
    }
}

impl ImageSource for OciLayout {
    fn describe(&self) -> &SourceInfo {
        &self.info
    }

    fn resolve(&mut self, platform: &PlatformSelector) -> Result<Vec<ResolvedImage>> {
        let roots = self.roots()?;
        let storage = &self.storage;
        let mut fetch = |desc: &Descriptor, what, limit, image: &str| {
            storage.read_blob(desc, &desc.digest.layout_path(), image, what, limit)
        };
        resolve_roots(&roots, &self.info.location, platform, &mut fetch)
    }

    fn blob_opener(&self) -> Arc<dyn BlobOpener> {
        Arc::new(LayoutOpener { storage: self.storage.clone(), image: self.info.location.clone() })
    }
}

/// Opens `blobs/<alg>/<hex>` of a layout.
#[derive(Debug)]
struct LayoutOpener {
    storage: Storage,
    image: String,
}

impl BlobOpener for LayoutOpener {
    fn open(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send>> {
        self.storage.open_blob(desc, &desc.digest.layout_path(), &self.image)
    }
}
