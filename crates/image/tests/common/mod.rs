//! Fixtures built in code: layers, OCI layouts, docker-save archives, and a reader that
//! returns random short reads.
#![allow(dead_code, unreachable_pub)]

use std::io::{self, Read, Write};
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(data))
}

/// An uncompressed layer tar holding `files`.
pub fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A layer as stored (maybe compressed) with its uncompressed form's digest.
#[derive(Clone)]
pub struct LayerBlob {
    pub stored: Vec<u8>,
    pub media_type: &'static str,
    pub diff_id: String,
}

impl LayerBlob {
    pub fn plain(tar: Vec<u8>) -> LayerBlob {
        LayerBlob { diff_id: digest(&tar), stored: tar, media_type: OCI_LAYER }
    }

    pub fn gzipped(tar: &[u8]) -> LayerBlob {
        LayerBlob { diff_id: digest(tar), stored: gzip(tar), media_type: OCI_LAYER_GZIP }
    }
}

/// A config JSON for `platform` (`os/arch[/variant]`) with `env`, the layers' diff_ids and
/// `history`.
pub fn config_json(platform: &str, env: &[&str], layers: &[LayerBlob], history: Value) -> Vec<u8> {
    let mut parts = platform.split('/');
    let mut config = json!({
        "os": parts.next().unwrap(),
        "architecture": parts.next().unwrap(),
        "config": { "Env": env, "Labels": { "maintainer": "test" }, "Cmd": ["/bin/sh"] },
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>() },
    });
    config["history"] = history;
    if let Some(variant) = parts.next() {
        config["variant"] = json!(variant);
    }
    serde_json::to_vec(&config).unwrap()
}

/// Files of an OCI image layout, in memory, to be written as a directory or a tar.
#[derive(Default, Clone)]
pub struct Layout {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Layout {
    /// Stores a blob and returns its descriptor.
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

    pub fn write_dir(&self, dir: &Path) {
        for (name, data) in &self.files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
    }

    pub fn write_tar(&self, path: &Path) {
        write_tar(path, self.files.iter().map(|(n, d)| Member::File(n.clone(), d.clone())));
    }
}

/// One member of an outer tar.
pub enum Member {
    File(String, Vec<u8>),
    /// A file whose name is carried in a PAX `path` record, the header holding a stub.
    PaxFile(String, Vec<u8>),
    Symlink(String, String),
}

/// Writes a tar (GNU headers, so long names become `././@LongLink` records).
pub fn write_tar(path: &Path, members: impl IntoIterator<Item = Member>) {
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    for member in members {
        match member {
            Member::File(name, data) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder.append_data(&mut header, &name, data.as_slice()).unwrap();
            }
            Member::PaxFile(name, data) => {
                builder.append_pax_extensions([("path", name.as_bytes())]).unwrap();
                let mut header = tar::Header::new_ustar();
                header.set_path("pax-stub").unwrap();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                builder.append(&header, data.as_slice()).unwrap();
            }
            Member::Symlink(name, target) => {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.set_mode(0o777);
                builder.append_link(&mut header, &name, &target).unwrap();
            }
        }
    }
    builder.finish().unwrap();
}

/// A reader that returns between 1 and `max` bytes per read (and sometimes
/// `Interrupted`), decided by a seeded xorshift generator: exercises every consumer's
/// handling of short reads reproducibly.
pub struct RandomReader<R> {
    inner: R,
    state: u64,
    max: usize,
}

impl<R: Read> RandomReader<R> {
    pub fn new(inner: R, seed: u64, max: usize) -> RandomReader<R> {
        RandomReader { inner, state: seed.max(1), max: max.max(1) }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }
}

impl<R: Read> Read for RandomReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let roll = self.next();
        if roll.is_multiple_of(11) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let len = buf.len().min(1 + usize::try_from(roll % self.max as u64).unwrap());
        self.inner.read(&mut buf[..len])
    }
}

/// Reads to the end, returning the bytes read before an error along with the error.
pub fn read_all(mut reader: impl Read) -> (Vec<u8>, Option<io::Error>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 977];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (out, Some(e)),
        }
    }
}

/// History with `empty_layer` steps around `layers` layer-making steps named `RUN step <i>`.
pub fn history_with_empty_steps(layers: usize) -> Value {
    let mut entries = vec![json!({ "created_by": "ARG VERSION=1", "empty_layer": true })];
    for i in 0..layers {
        entries.push(
            json!({ "created_by": format!("RUN step {i}"), "created": "2024-01-01T00:00:00Z" }),
        );
        entries.push(json!({ "created_by": format!("ENV STEP={i}"), "empty_layer": true }));
    }
    Value::Array(entries)
}
