//! Images built in code: layers with whiteouts and links, gzip/zstd/plain blobs, OCI
//! layouts (directories, multi-platform indexes) and legacy `docker save` archives.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn digest(data: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(data))
}

/// One entry of a layer tar.
pub(crate) enum E<'a> {
    File(&'a str, Vec<u8>),
    /// `.wh.<name>` deleting `path` (a whiteout file).
    Whiteout(&'a str),
    /// `<dir>/.wh..wh..opq`.
    Opaque(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

/// An uncompressed layer tar.
pub(crate) fn layer(entries: Vec<E<'_>>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).unwrap();
    };
    for e in entries {
        match e {
            E::File(path, data) => file(&mut b, path, &data),
            E::Whiteout(path) => {
                let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
                let wh = if dir.is_empty() {
                    format!(".wh.{name}")
                } else {
                    format!("{dir}/.wh.{name}")
                };
                file(&mut b, &wh, b"");
            }
            E::Opaque(dir) => file(&mut b, &format!("{dir}/.wh..wh..opq"), b""),
            E::Symlink(path, target) | E::Hardlink(path, target) => {
                let kind = if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                };
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(kind);
                h.set_size(0);
                h.set_mode(0o777);
                b.append_link(&mut h, path, target).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A zip (jar) with stored `members`.
pub(crate) fn jar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub(crate) fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// A layer as stored, with its uncompressed digest.
#[derive(Clone)]
pub(crate) struct LayerBlob {
    pub(crate) stored: Vec<u8>,
    pub(crate) media_type: &'static str,
    pub(crate) diff_id: String,
}

impl LayerBlob {
    pub(crate) fn plain(tar: Vec<u8>) -> LayerBlob {
        LayerBlob {
            diff_id: digest(&tar),
            stored: tar,
            media_type: "application/vnd.oci.image.layer.v1.tar",
        }
    }

    pub(crate) fn gzip(tar: &[u8]) -> LayerBlob {
        LayerBlob {
            diff_id: digest(tar),
            stored: gzip(tar),
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
        }
    }

    pub(crate) fn zstd(tar: &[u8]) -> LayerBlob {
        LayerBlob {
            diff_id: digest(tar),
            stored: zstd::encode_all(tar, 3).unwrap(),
            media_type: "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// A config for `platform` with env, labels and history (`created_by` per layer).
pub(crate) fn config(
    platform: &str,
    env: &[&str],
    labels: Value,
    history: Value,
    layers: &[LayerBlob],
) -> Vec<u8> {
    let mut parts = platform.split('/');
    let mut config = json!({
        "os": parts.next().unwrap(),
        "architecture": parts.next().unwrap(),
        "config": { "Env": env, "Cmd": ["/bin/sh"] },
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>() },
    });
    config["config"]["Labels"] = labels;
    config["history"] = history;
    serde_json::to_vec(&config).unwrap()
}

/// History with one `RUN step <i>` per layer.
pub(crate) fn simple_history(layers: usize) -> Value {
    Value::Array((0..layers).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect())
}

/// Files of an OCI image layout, in memory.
#[derive(Default, Clone)]
pub(crate) struct Layout {
    pub(crate) files: Vec<(String, Vec<u8>)>,
}

impl Layout {
    pub(crate) fn blob(&mut self, media_type: &str, data: &[u8]) -> Value {
        let name = format!("blobs/sha256/{}", sha256_hex(data));
        if !self.files.iter().any(|(n, _)| *n == name) {
            self.files.push((name, data.to_vec()));
        }
        json!({ "mediaType": media_type, "digest": digest(data), "size": data.len() })
    }

    /// Stores config, layers and manifest; returns the manifest descriptor.
    pub(crate) fn image(&mut self, config: &[u8], layers: &[LayerBlob]) -> Value {
        let config_desc = self.blob(OCI_CONFIG, config);
        let layer_descs: Vec<Value> =
            layers.iter().map(|l| self.blob(l.media_type, &l.stored)).collect();
        self.manifest(config_desc, layer_descs)
    }

    pub(crate) fn manifest(&mut self, config: Value, layers: Vec<Value>) -> Value {
        let mut manifest = json!({ "schemaVersion": 2, "mediaType": OCI_MANIFEST });
        manifest["config"] = config;
        manifest["layers"] = Value::Array(layers);
        self.blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap())
    }

    pub(crate) fn finish(&mut self, entries: Vec<Value>) {
        let mut index = json!({ "schemaVersion": 2 });
        index["manifests"] = Value::Array(entries);
        self.put("index.json", serde_json::to_vec(&index).unwrap());
        self.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    }

    pub(crate) fn put(&mut self, name: &str, data: Vec<u8>) {
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.to_owned(), data));
    }

    pub(crate) fn write_dir(&self, dir: &Path) {
        for (name, data) in &self.files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
    }
}

/// A one-platform OCI layout directory in a new temporary directory.
pub(crate) fn oci_dir(config: &[u8], layers: &[LayerBlob]) -> tempfile::TempDir {
    let mut layout = Layout::default();
    let m = layout.image(config, layers);
    layout.finish(vec![m]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    dir
}

/// A legacy `docker save` tarball (`manifest.json`, `<id>/layer.tar`) of uncompressed
/// layers.
pub(crate) fn docker_save(path: &Path, tag: &str, config: &[u8], layers: &[Vec<u8>]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    let add = |b: &mut tar::Builder<std::fs::File>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data).unwrap();
    };
    let config_name = format!("{}.json", sha256_hex(config));
    add(&mut b, &config_name, config);
    let mut names = Vec::new();
    for l in layers {
        let name = format!("{}/layer.tar", sha256_hex(l));
        add(&mut b, &name, l);
        names.push(name);
    }
    let manifest = json!([{ "Config": config_name, "RepoTags": [tag], "Layers": names }]);
    add(&mut b, "manifest.json", &serde_json::to_vec(&manifest).unwrap());
    b.finish().unwrap();
}

/// Adds `data` as member `name` of a tar being built.
fn add_member<W: Write>(b: &mut tar::Builder<W>, name: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, name, data).unwrap();
}

impl Layout {
    /// Writes the layout as a tarball: an `oci-archive`, or with a `manifest.json` added
    /// with [`Layout::put`], a Docker ≥ 25 `docker save` archive.
    pub(crate) fn write_tar(&self, path: &Path) {
        let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
        // Docker puts the small files first; blobs after.
        let mut files: Vec<&(String, Vec<u8>)> = self.files.iter().collect();
        files.sort_by_key(|(n, _)| (n.starts_with("blobs/"), n.clone()));
        for (name, data) in files {
            add_member(&mut b, name, data);
        }
        b.finish().unwrap();
    }
}

/// A Docker ≥ 25 `docker save` tarball: an OCI image layout (`oci-layout`, `index.json`
/// naming the image, `blobs/sha256/…`, layers as stored, compressed or not) plus the
/// legacy `manifest.json` pointing into `blobs/`.
pub(crate) fn docker_save_oci(path: &Path, tag: &str, config: &[u8], layers: &[LayerBlob]) {
    let mut layout = Layout::default();
    let mut m = layout.image(config, layers);
    m["annotations"] = json!({
        "io.containerd.image.name": format!("docker.io/{tag}"),
        "org.opencontainers.image.ref.name": tag.rsplit_once(':').map_or("latest", |(_, t)| t),
    });
    layout.finish(vec![m]);
    let blob_name = |data: &[u8]| format!("blobs/sha256/{}", sha256_hex(data));
    let manifest = json!([{
        "Config": blob_name(config),
        "RepoTags": [tag],
        "Layers": layers.iter().map(|l| blob_name(&l.stored)).collect::<Vec<_>>(),
    }]);
    layout.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    layout.write_tar(path);
}

/// A one-platform `oci-archive` tarball (an OCI layout in a tar, no `manifest.json`).
pub(crate) fn oci_archive(path: &Path, config: &[u8], layers: &[LayerBlob]) {
    let mut layout = Layout::default();
    let m = layout.image(config, layers);
    layout.finish(vec![m]);
    layout.write_tar(path);
}

/// The members of a legacy `docker save` tarball (`<config hex>.json`, `<hex>/layer.tar`,
/// `manifest.json`), to be tampered with before [`Layout::write_tar`]. Returns the files
/// and each layer's member name.
pub(crate) fn docker_save_layout(
    tag: &str,
    config: &[u8],
    layers: &[Vec<u8>],
) -> (Layout, Vec<String>) {
    let mut files = Layout::default();
    let config_name = format!("{}.json", sha256_hex(config));
    files.put(&config_name, config.to_vec());
    let mut names = Vec::new();
    for l in layers {
        let name = format!("{}/layer.tar", sha256_hex(l));
        files.put(&name, l.clone());
        names.push(name);
    }
    let manifest = json!([{ "Config": config_name, "RepoTags": [tag], "Layers": names }]);
    files.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    (files, names)
}
