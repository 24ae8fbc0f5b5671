//! Bad input: every case is a clear error with its context, never a panic.

mod common;

use std::io::Write;

use common::*;
use layerleak_image::{Digest, Error, PlatformSelector, ResolveWarning, open_path};
use layerleak_testutil::digest as digest_of;
use layerleak_testutil::*;
use serde_json::json;

/// A one-image OCI layout directory with one gzip layer; returns (dir, layer bytes).
fn simple_layout(
    edit: impl FnOnce(&mut Layout, &[u8], &LayerBlob) -> serde_json::Value,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let tar = layer_tar(&[("secret.txt", b"AKIA...\n")]);
    let layer = LayerBlob::gzip(&tar);
    let config =
        config_json("linux/amd64", &[], std::slice::from_ref(&layer), history_with_empty_steps(1));
    let root = edit(&mut layout, &config, &layer);
    layout.finish(vec![root]);
    layout.write_dir(dir.path());
    dir
}

#[test]
fn digest_mismatch_surfaces_at_end_of_the_blob_read() {
    let mut tampered_name = String::new();
    let dir = simple_layout(|layout, config, layer| {
        let manifest = layout.image(config, std::slice::from_ref(layer));
        // Same size, one byte changed: the file no longer hashes to its name.
        let name = format!("blobs/sha256/{}", sha256_hex(&layer.stored));
        let mut bytes = layer.stored.clone();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        layout.put(&name, bytes);
        tampered_name = name;
        manifest
    });
    let mut source = open_path(dir.path()).unwrap();
    let image = source.resolve(&PlatformSelector::Default).unwrap().remove(0);
    let desc = &image.layers[0].descriptor;
    let reader = source.open_blob(desc).unwrap();
    let (bytes, err) = read_all(RandomReader::new(reader, 42, 50));
    // Every byte was delivered before the error.
    assert_eq!(bytes, std::fs::read(dir.path().join(&tampered_name)).unwrap());
    let err = err.expect("a digest mismatch");
    match Error::find_in_io(&err) {
        Some(Error::DigestMismatch { expected, actual }) => {
            assert_eq!(expected, &desc.digest);
            assert_eq!(actual, &Digest::sha256_of(&bytes));
        }
        other => panic!("expected a digest mismatch, got {other:?}"),
    }
    assert!(
        Error::from_io(err, "img", &desc.digest).to_string().contains(&desc.digest.to_string())
    );
}

#[test]
fn size_mismatch_is_an_error() {
    let dir = simple_layout(|layout, config, layer| {
        let config_desc = layout.blob(OCI_CONFIG, config);
        let mut layer_desc = layout.blob(layer.media_type, &layer.stored);
        layer_desc["size"] = json!(layer.stored.len() + 10);
        layout.manifest(config_desc, vec![layer_desc])
    });
    let mut source = open_path(dir.path()).unwrap();
    let image = source.resolve(&PlatformSelector::Default).unwrap().remove(0);
    let (_, err) = read_all(source.open_blob(&image.layers[0].descriptor).unwrap());
    let err = err.expect("a size mismatch");
    assert!(matches!(Error::find_in_io(&err), Some(Error::SizeMismatch { .. })), "{err}");
}

#[test]
fn manifest_naming_a_missing_layer_blob() {
    let missing = Digest::sha256_of(b"never stored");
    let missing_for_closure = missing.clone();
    let dir = simple_layout(move |layout, config, layer| {
        let config_desc = layout.blob(OCI_CONFIG, config);
        let present = layout.blob(layer.media_type, &layer.stored);
        let absent = json!({ "mediaType": OCI_LAYER, "digest": missing_for_closure.to_string(), "size": 12 });
        layout.manifest(config_desc, vec![present, absent])
    });
    let mut source = open_path(dir.path()).unwrap();
    // Resolving succeeds so the other layers can still be read...
    let image = source.resolve(&PlatformSelector::Default).unwrap().remove(0);
    assert!(source.open_blob(&image.layers[0].descriptor).is_ok());
    // ...and opening the missing one names the digest and the image.
    let err = source.open_blob(&image.layers[1].descriptor).err().expect("missing blob");
    assert!(matches!(&err, Error::BlobNotFound { digest, .. } if *digest == missing));
    let msg = err.to_string();
    assert!(
        msg.contains(&missing.to_string()) && msg.contains(&dir.path().display().to_string()),
        "{msg}"
    );
}

#[test]
fn manifest_naming_a_missing_config_blob() {
    let dir = simple_layout(|layout, config, layer| {
        let config_desc =
            json!({ "mediaType": OCI_CONFIG, "digest": digest(config), "size": config.len() });
        let layer_desc = layout.blob(layer.media_type, &layer.stored);
        let mut m = layout.manifest(config_desc, vec![layer_desc]);
        m["annotations"] = json!({ "org.opencontainers.image.ref.name": "broken:1" });
        m
    });
    let err = open_path(dir.path()).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::BlobNotFound { .. }), "{msg}");
    assert!(msg.contains("broken:1") && msg.contains("blob sha256:"), "{msg}");
}

#[test]
/// A malformed config does not stop the image: its layers are still listed, and a warning
/// names the config blob.
fn malformed_config_json_is_a_warning_naming_the_blob() {
    let bad_config = br#"{"config": {"Env": ["A=1"], "#;
    let dir = simple_layout(|layout, _config, layer| {
        let config_desc = layout.blob(OCI_CONFIG, bad_config);
        let layer_desc = layout.blob(layer.media_type, &layer.stored);
        layout.manifest(config_desc, vec![layer_desc])
    });
    let images = open_path(dir.path()).unwrap().resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].layers.len(), 1, "the layers are still listed");
    assert!(
        matches!(&images[0].warnings[..], [ResolveWarning::MalformedConfig { digest, reason }]
            if *digest == Digest::sha256_of(bad_config) && reason.contains("EOF")),
        "{:?}",
        images[0].warnings
    );
}

#[test]
fn malformed_legacy_config_is_a_warning_naming_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tar");
    let config = b"not json".to_vec();
    let config_name = format!("{}.json", sha256_hex(&config));
    let manifest = json!([{ "Config": config_name, "RepoTags": ["bad:1"], "Layers": [] }]);
    write_tar(
        &path,
        [
            Member::File(config_name, config.clone()),
            Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()),
        ],
    );
    let images = open_path(&path).unwrap().resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images[0].names, ["bad:1"]);
    assert!(
        matches!(&images[0].warnings[..], [ResolveWarning::MalformedConfig { digest, .. }]
            if digest.to_string() == digest_of(&config)),
        "{:?}",
        images[0].warnings
    );
}

#[test]
fn legacy_member_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.tar");
    let manifest = json!([{ "Config": "cfg.json", "RepoTags": ["m:1"], "Layers": [] }]);
    write_tar(
        &path,
        [Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap())],
    );
    let err = open_path(&path).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(matches!(&err, Error::MemberNotFound { member, .. } if member == "cfg.json"), "{err}");
}

#[test]
fn files_that_are_not_images() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not an image\n".repeat(40)).unwrap();
    let err = open_path(&text).err().unwrap();
    assert!(matches!(err, Error::NotAnImage { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("notes.txt") && msg.contains("not a tar archive") && msg.contains("expected"),
        "{msg}"
    );

    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(open_path(&empty), Err(Error::NotAnImage { .. })));

    let plain_tar = dir.path().join("plain.tar");
    write_tar(&plain_tar, [Member::File("etc/passwd".into(), b"root:x:0:0\n".to_vec())]);
    let err = open_path(&plain_tar).err().unwrap();
    assert!(err.to_string().contains("without manifest.json or index.json"), "{err}");

    let gz = dir.path().join("image.tar.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(&plain_tar).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let err = open_path(&gz).err().unwrap();
    assert!(matches!(err, Error::CompressedArchive { compression: "gzip", .. }), "{err}");

    let err = open_path(dir.path()).err().unwrap();
    assert!(err.to_string().contains("without index.json"), "{err}");

    let err = open_path(dir.path().join("does-not-exist")).err().unwrap();
    assert!(matches!(err, Error::Io { .. }));
}

#[test]
fn truncated_archive_is_a_corrupt_tar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.tar");
    let mut layout = Layout::default();
    let big = vec![7u8; 100_000];
    let m = layout.image(b"{}", &[LayerBlob::plain(big)]);
    layout.finish(vec![m]);
    // Put the big blob last so truncation cuts into its data.
    layout.files.sort_by_key(|(_, d)| d.len());
    layout.write_tar(&path);
    let raw = std::fs::read(&path).unwrap();
    std::fs::write(&path, &raw[..raw.len() - 60_000]).unwrap();
    assert!(matches!(open_path(&path), Err(Error::Archive { .. })));
}

#[test]
fn schema1_and_unknown_manifests_are_rejected() {
    let dir = simple_layout(|layout, _, _| {
        let v1 =
            json!({ "schemaVersion": 1, "name": "x", "tag": "y", "fsLayers": [], "history": [] });
        layout.blob(
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            &serde_json::to_vec(&v1).unwrap(),
        )
    });
    let err = open_path(dir.path()).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedManifest { .. }) && err.to_string().contains("schema 1"),
        "{err}"
    );

    let dir = simple_layout(|layout, _, _| layout.blob("application/x-unknown", b"{}"));
    let err = open_path(dir.path()).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(err.to_string().contains("application/x-unknown"), "{err}");
}

#[test]
fn index_with_only_attestations_has_no_images() {
    let dir = simple_layout(|layout, _, _| {
        let cfg = layout.blob(OCI_CONFIG, b"{}");
        let mut att = layout.manifest(cfg, vec![]);
        att["platform"] = json!({ "os": "unknown", "architecture": "unknown" });
        layout.index(vec![att])
    });
    let err = open_path(dir.path()).unwrap().resolve(&PlatformSelector::All).unwrap_err();
    assert!(matches!(err, Error::NoImages { .. }), "{err}");
}

#[test]
fn invalid_digest_in_index_is_a_malformed_manifest() {
    let dir = simple_layout(
        |_, _, _| json!({ "mediaType": OCI_MANIFEST, "digest": "sha256:../../etc/passwd", "size": 1 }),
    );
    let err = open_path(dir.path()).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(matches!(err, Error::MalformedManifest { .. }), "{err}");
}

#[test]
fn unsafe_legacy_member_path_in_a_tar_is_confined() {
    // In a tar, names are looked up in the index, never joined to a filesystem path.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.tar");
    let manifest = json!([{ "Config": "../../../etc/passwd", "RepoTags": [], "Layers": [] }]);
    write_tar(
        &path,
        [Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap())],
    );
    let err = open_path(&path).unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(matches!(err, Error::MemberNotFound { .. }), "{err}");
}
