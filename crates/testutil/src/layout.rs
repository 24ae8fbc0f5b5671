//! OCI image layouts in memory.

use std::path::Path;

use serde_json::{Value, json};

use crate::blob::LayerBlob;
use crate::digest::{digest, sha256_hex};
use crate::tar_file::{Member, write_tar};

/// Media type of an OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Media type of an OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// Files of an OCI image layout, in memory, to be written as a directory or a tarball.
#[derive(Default, Clone, Debug)]
pub struct Layout {
    /// `(path, content)`, in the order they were added.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Layout {
    /// Stores a blob (once) and returns its descriptor.
    pub fn blob(&mut self, media_type: &str, data: &[u8]) -> Value {
        let name = format!("blobs/sha256/{}", sha256_hex(data));
        if !self.files.iter().any(|(n, _)| *n == name) {
            self.files.push((name, data.to_vec()));
        }
        json!({ "mediaType": media_type, "digest": digest(data), "size": data.len() })
    }

    /// Stores a config, its layers and a manifest; returns the manifest's descriptor.
    pub fn image(&mut self, config: &[u8], layers: &[LayerBlob]) -> Value {
        let config_desc = self.blob(OCI_CONFIG, config);
        let layer_descs: Vec<Value> =
            layers.iter().map(|l| self.blob(l.media_type, &l.stored)).collect();
        self.manifest(config_desc, layer_descs)
    }

    /// Stores a manifest from descriptors (which may name blobs that are not stored).
    pub fn manifest(&mut self, config: Value, layers: Vec<Value>) -> Value {
        let mut manifest = json!({ "schemaVersion": 2, "mediaType": OCI_MANIFEST });
        manifest["config"] = config;
        manifest["layers"] = Value::Array(layers);
        self.blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap())
    }

    /// Stores an image index over `entries`; returns its descriptor.
    pub fn index(&mut self, entries: Vec<Value>) -> Value {
        let mut index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX });
        index["manifests"] = Value::Array(entries);
        self.blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap())
    }

    /// Writes `oci-layout` and `index.json` listing `entries`.
    pub fn finish(&mut self, entries: Vec<Value>) {
        let mut index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX });
        index["manifests"] = Value::Array(entries);
        self.put("index.json", serde_json::to_vec(&index).unwrap());
        self.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    }

    /// Adds or replaces a file.
    pub fn put(&mut self, name: &str, data: Vec<u8>) {
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.to_owned(), data));
    }

    /// Writes the files below `dir`.
    pub fn write_dir(&self, dir: &Path) {
        for (name, data) in &self.files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
    }

    /// Writes the layout as a tarball: an `oci-archive`, or with a `manifest.json` added
    /// with [`Layout::put`], a Docker ≥ 25 `docker save` archive. As Docker does, the small
    /// files come first and the blobs after.
    pub fn write_tar(&self, path: &Path) {
        let mut files: Vec<&(String, Vec<u8>)> = self.files.iter().collect();
        files.sort_by_key(|(n, _)| (n.starts_with("blobs/"), n.clone()));
        write_tar(path, files.into_iter().map(|(n, d)| Member::File(n.clone(), d.clone())));
    }
}
