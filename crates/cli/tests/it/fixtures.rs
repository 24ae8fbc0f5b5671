//! Images built in code: layers with whiteouts and links, jars, UTF-16 text, OCI layout
//! directories, `oci-archive` and `docker save` tarballs (legacy and Docker ≥ 25). Blobs,
//! configs and layouts come from `layerleak-testutil`, re-exported here.

use std::io::Write;
use std::path::Path;

// The shared fixtures, under the names these tests have always used (`crate::fixtures::…`);
// not every test file uses every name.
#[allow(unused_imports)]
pub(crate) use layerleak_testutil::{
    LayerBlob, Layout, OCI_CONFIG, OCI_MANIFEST, config, digest, gzip, raw_tar_entry, sha256_hex,
};
use serde_json::{Value, json};

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

/// History with one `RUN step <i>` per layer.
pub(crate) fn simple_history(layers: usize) -> Value {
    Value::Array((0..layers).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect())
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
    docker_save_layout(tag, config, layers).0.write_tar(path);
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
