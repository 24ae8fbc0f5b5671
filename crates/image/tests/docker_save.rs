//! `docker save` archives: the legacy layout and the Docker ≥ 25 OCI layout.

mod common;

use std::sync::Arc;
use std::thread;

use common::*;
use layerleak_image::{
    Digest, PlatformSelector, ResolveWarning, SourceKind, media_type, open_path,
};
use layerleak_testutil::*;
use serde_json::json;

/// A legacy archive: `<id>/layer.tar` members (one a symlink to another, as docker writes
/// for a repeated layer), a `<diff_id>.tar` member, a `<hex>.json` config.
fn legacy_archive(path: &std::path::Path, long_names: bool, pax: bool) -> (Vec<Vec<u8>>, Vec<u8>) {
    let l0 = layer_tar(&[("etc/hostname", b"box\n")]);
    let l1 = layer_tar(&[("app/.env", b"API_KEY=abc\n")]);
    let layers =
        [LayerBlob::plain(l0.clone()), LayerBlob::plain(l1.clone()), LayerBlob::plain(l0.clone())];
    let config =
        config_json("linux/amd64", &["PATH=/bin", "TOKEN=x"], &layers, history_with_empty_steps(3));
    let config_name = format!("{}.json", sha256_hex(&config));
    let dir =
        |id: &str| if long_names { format!("{}/{id}", "d".repeat(120)) } else { id.to_owned() };
    let id0 = dir("aaaa");
    let id2 = dir("cccc");
    let l1_name = format!("{}.tar", sha256_hex(&l1));
    let manifest = json!([{
        "Config": config_name,
        "RepoTags": ["example/app:1.0"],
        "Layers": [format!("{id0}/layer.tar"), l1_name, format!("{id2}/layer.tar")],
    }]);
    let file = |name: String, data: Vec<u8>| {
        if pax { Member::PaxFile(name, data) } else { Member::File(name, data) }
    };
    write_tar(
        path,
        [
            file(format!("{id0}/layer.tar"), l0.clone()),
            file(format!("{id0}/VERSION"), b"1.0".to_vec()),
            Member::File(l1_name, l1.clone()),
            Member::Symlink(format!("{id2}/layer.tar"), "../aaaa/layer.tar".to_owned()),
            Member::File(config_name, config.clone()),
            Member::File("manifest.json".to_owned(), serde_json::to_vec(&manifest).unwrap()),
            Member::File("repositories".to_owned(), b"{}".to_vec()),
        ],
    );
    (vec![l0, l1, layer_tar(&[("etc/hostname", b"box\n")])], config)
}

fn check_legacy(path: &std::path::Path) {
    let mut source = open_path(path).unwrap();
    assert_eq!(source.describe().kind, SourceKind::DockerArchive);
    let images = source.resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(image.names, ["example/app:1.0"]);
    assert_eq!(image.manifest_digest, None);
    assert_eq!(image.platform.as_ref().unwrap().to_string(), "linux/amd64");
    assert_eq!(image.config.env, ["PATH=/bin", "TOKEN=x"]);
    assert_eq!(image.layers.len(), 3);
    assert!(image.warnings.is_empty(), "{:?}", image.warnings);
    for (i, layer) in image.layers.iter().enumerate() {
        // Uncompressed layers: the stored digest is the diff_id.
        assert_eq!(Some(&layer.descriptor.digest), layer.diff_id.as_ref());
        assert_eq!(layer.descriptor.media_type, media_type::DOCKER_LAYER_TAR);
        assert_eq!(image.created_by(i), Some(format!("RUN step {i}").as_str()));
        // History: [ARG(empty), RUN 0, ENV(empty), RUN 1, ENV(empty), RUN 2, ENV(empty)].
        assert_eq!(layer.history_index, Some(1 + 2 * i));
    }
    // Every layer reads back whole and verified, through random short reads.
    for (seed, layer) in image.layers.iter().enumerate() {
        let reader = source.open_blob(&layer.descriptor).unwrap();
        let (bytes, err) = read_all(RandomReader::new(reader, seed as u64 + 7, 300));
        assert!(err.is_none(), "{err:?}");
        assert_eq!(Digest::sha256_of(&bytes), layer.descriptor.digest);
        assert_eq!(bytes.len() as u64, layer.descriptor.size);
    }
    // The config blob is openable too.
    let (config, err) = read_all(source.open_blob(&image.config_descriptor).unwrap());
    assert!(err.is_none());
    assert_eq!(Digest::sha256_of(&config), image.config_descriptor.digest);
}

#[test]
fn legacy_docker_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.tar");
    legacy_archive(&path, false, false);
    check_legacy(&path);
}

#[test]
fn legacy_docker_save_with_gnu_long_member_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.tar");
    legacy_archive(&path, true, false);
    let raw = std::fs::read(&path).unwrap();
    assert!(raw.windows(13).any(|w| w == b"././@LongLink"), "fixture must use GNU long names");
    check_legacy(&path);
}

#[test]
fn legacy_docker_save_with_pax_member_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pax.tar");
    legacy_archive(&path, true, true);
    check_legacy(&path);
}

#[test]
fn layers_open_concurrently_from_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.tar");
    let (layers, _) = legacy_archive(&path, false, false);
    let mut source = open_path(&path).unwrap();
    let image = source.resolve(&PlatformSelector::Default).unwrap().remove(0);
    let opener = source.blob_opener();
    let handles: Vec<_> = image
        .layers
        .iter()
        .cloned()
        .map(|layer| {
            let opener = Arc::clone(&opener);
            thread::spawn(move || {
                let (bytes, err) =
                    read_all(RandomReader::new(opener.open(&layer.descriptor).unwrap(), 3, 64));
                assert!(err.is_none());
                bytes
            })
        })
        .collect();
    let read: Vec<Vec<u8>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(read, layers);
}

#[test]
fn legacy_history_mismatch_is_flagged_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.tar");
    let l0 = layer_tar(&[("a", b"1")]);
    let layers = [LayerBlob::plain(l0.clone())];
    // Two layer-making steps for one layer.
    let history = json!([{ "created_by": "RUN a" }, { "created_by": "RUN b" }]);
    let config = config_json("linux/arm64", &[], &layers, history);
    let manifest =
        json!([{ "Config": "config.json", "RepoTags": null, "Layers": ["l0/layer.tar"] }]);
    write_tar(
        &path,
        [
            Member::File("l0/layer.tar".into(), l0),
            Member::File("config.json".into(), config.clone()),
            Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()),
        ],
    );
    let mut source = open_path(&path).unwrap();
    // The only platform present (arm64) is the default.
    let image = source.resolve(&PlatformSelector::Default).unwrap().remove(0);
    assert_eq!(image.warnings, [ResolveWarning::HistoryCount { non_empty_entries: 2, layers: 1 }]);
    assert_eq!(image.created_by(0), Some("RUN a"));
    // A config name that is not a digest: the digest is computed.
    assert_eq!(image.config_descriptor.digest, Digest::sha256_of(&config));
    // Asking for another platform is a clear error.
    let err = source.resolve(&PlatformSelector::Only("linux/amd64".parse().unwrap())).unwrap_err();
    assert!(err.to_string().contains("available: linux/arm64"), "{err}");
}

#[test]
fn docker_25_archive_uses_the_oci_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d25.tar");
    let t0 = layer_tar(&[("etc/os-release", b"ID=test\n")]);
    let t1 = layer_tar(&[("root/.npmrc", b"//registry.npmjs.org/:_authToken=xyz\n")]);
    let layers = [LayerBlob::gzip(&t0), LayerBlob::plain(t1)];
    let mut layout = Layout::default();
    let config = config_json("linux/amd64", &["A=1"], &layers, history_with_empty_steps(2));
    let mut amd64 = layout.image(&config, &layers);
    amd64["platform"] = json!({ "os": "linux", "architecture": "amd64" });
    let att_config = layout.blob(OCI_CONFIG, b"{}");
    let mut attestation = layout.manifest(att_config, vec![]);
    attestation["platform"] = json!({ "os": "unknown", "architecture": "unknown" });
    attestation["annotations"] = json!({ "vnd.docker.reference.type": "attestation-manifest" });
    let mut nested = layout.index(vec![amd64.clone(), attestation]);
    nested["annotations"] = json!({
        "io.containerd.image.name": "docker.io/library/app:latest",
        "org.opencontainers.image.ref.name": "latest",
    });
    layout.finish(vec![nested]);
    // Docker ≥ 25 also writes a legacy manifest.json pointing into blobs/.
    let legacy = json!([{
        "Config": format!("blobs/sha256/{}", sha256_hex(&config)),
        "RepoTags": ["app:latest"],
        "Layers": layers.iter().map(|l| format!("blobs/sha256/{}", sha256_hex(&l.stored))).collect::<Vec<_>>(),
    }]);
    layout.put("manifest.json", serde_json::to_vec(&legacy).unwrap());
    layout.write_tar(&path);

    let mut source = open_path(&path).unwrap();
    assert_eq!(source.describe().kind, SourceKind::DockerArchiveOci);
    let images = source.resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(image.names, ["docker.io/library/app:latest"]);
    assert_eq!(
        image.manifest_digest.as_ref().map(ToString::to_string).as_deref(),
        amd64["digest"].as_str()
    );
    assert_eq!(image.layers[0].descriptor.media_type, OCI_LAYER_GZIP);
    assert_eq!(image.layers[1].descriptor.media_type, OCI_LAYER);
    assert_eq!(image.layers[0].diff_id, Some(Digest::sha256_of(&t0)));
    assert_ne!(image.layers[0].descriptor.digest, Digest::sha256_of(&t0));
    assert_eq!(image.created_by(1), Some("RUN step 1"));
    for (layer, blob) in image.layers.iter().zip(&layers) {
        let (bytes, err) =
            read_all(RandomReader::new(source.open_blob(&layer.descriptor).unwrap(), 99, 17));
        assert!(err.is_none(), "{err:?}");
        assert_eq!(bytes, blob.stored);
    }
}
