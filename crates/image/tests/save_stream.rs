//! `read_save_stream`: a `docker save` tarball read once, front to back, resolves exactly as
//! the same tarball on disk, hands on only the non-document members, and checks digests.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use layerleak_image::{
    Digest, Error, ImageSource, PlatformSelector, SourceKind, StreamedArchive, open_path,
    read_save_stream,
};
use layerleak_testutil::*;
use serde_json::json;

/// Streams the archive at `path` through random short reads, collecting every handed-on
/// member whole (name → bytes) while reading each in small pieces.
fn stream(path: &Path, seed: u64) -> (Result<StreamedArchive, Error>, BTreeMap<String, Vec<u8>>) {
    let file = std::fs::File::open(path).unwrap();
    let mut seen = BTreeMap::new();
    let archive = read_save_stream(RandomReader::new(file, seed, 700), "engine:test", |blob| {
        let (bytes, err) = read_all(RandomReader::new(blob.reader, seed + 1, 300));
        assert!(err.is_none(), "{}: {err:?}", blob.name);
        assert_eq!(bytes.len() as u64, blob.size, "{}", blob.name);
        seen.insert(blob.name.to_owned(), bytes);
    });
    (archive, seen)
}

/// A legacy archive as Podman's API writes it: `<diff_id>.tar` layers, `<id>/layer.tar`
/// symlinks to them, `<id>/VERSION` and `<id>/json`, a `<hex>.json` config, `manifest.json`
/// and `repositories` last.
fn podman_legacy(path: &Path) -> (Vec<Vec<u8>>, Vec<u8>) {
    let l0 = layer_tar(&[("etc/hostname", b"box\n")]);
    let l1 = layer_tar(&[("app/.env", b"API_KEY=abc\n")]);
    let layers = [LayerBlob::plain(l0.clone()), LayerBlob::plain(l1.clone())];
    let config = config_json("linux/amd64", &["PATH=/bin"], &layers, history_with_empty_steps(2));
    let config_name = format!("{}.json", sha256_hex(&config));
    let names: Vec<String> = [&l0, &l1].iter().map(|l| format!("{}.tar", sha256_hex(l))).collect();
    let manifest =
        json!([{ "Config": config_name, "RepoTags": ["localhost/app:dev"], "Layers": names }]);
    let mut members = vec![
        Member::File(names[0].clone(), l0.clone()),
        Member::File(names[1].clone(), l1.clone()),
        Member::File(config_name, config.clone()),
    ];
    for (id, name) in ["aaaa", "bbbb"].iter().zip(&names) {
        members.push(Member::Symlink(format!("{id}/layer.tar"), format!("../{name}")));
        members.push(Member::File(format!("{id}/VERSION"), b"1.0".to_vec()));
        members.push(Member::File(format!("{id}/json"), br#"{"id":"x"}"#.to_vec()));
    }
    members.push(Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()));
    members.push(Member::File("repositories".into(), br#"{"localhost/app":{}}"#.to_vec()));
    write_tar(path, members);
    (vec![l0, l1], config)
}

/// A Docker ≥ 25 archive: an OCI layout (one gzip layer, one plain) plus `manifest.json`.
fn docker25(path: &Path) -> Vec<LayerBlob> {
    let t0 = layer_tar(&[("etc/os-release", b"ID=test\n")]);
    let t1 = layer_tar(&[("root/.npmrc", b"//registry.npmjs.org/:_authToken=xyz\n")]);
    let layers = vec![LayerBlob::gzip(&t0), LayerBlob::plain(t1)];
    let mut layout = Layout::default();
    let config = config_json("linux/amd64", &["A=1"], &layers, history_with_empty_steps(2));
    let mut image = layout.image(&config, &layers);
    image["annotations"] = json!({ "io.containerd.image.name": "docker.io/library/app:latest" });
    layout.finish(vec![image]);
    let legacy = json!([{
        "Config": format!("blobs/sha256/{}", sha256_hex(&config)),
        "RepoTags": ["app:latest"],
        "Layers": layers.iter().map(|l| format!("blobs/sha256/{}", sha256_hex(&l.stored))).collect::<Vec<_>>(),
    }]);
    layout.put("manifest.json", serde_json::to_vec(&legacy).unwrap());
    layout.write_tar(path);
    layers
}

#[test]
fn legacy_stream_resolves_like_the_file_and_hands_on_only_non_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("podman.tar");
    let (layers, _) = podman_legacy(&path);
    let on_disk = open_path(&path).unwrap().resolve(&PlatformSelector::Default).unwrap();
    for seed in [1, 2, 3] {
        let (archive, seen) = stream(&path, seed);
        let mut archive = archive.unwrap();
        assert_eq!(archive.describe().kind, SourceKind::DockerArchive);
        assert_eq!(archive.describe().location, "engine:test");
        let images = archive.resolve(&PlatformSelector::Default).unwrap();
        assert_eq!(images, on_disk);
        // Layers and the small non-JSON VERSION files went by; no JSON document did.
        let names: Vec<&str> = seen.keys().map(String::as_str).collect();
        let mut expected: Vec<String> =
            layers.iter().map(|l| format!("{}.tar", sha256_hex(l))).collect();
        expected.extend(["aaaa/VERSION".to_owned(), "bbbb/VERSION".to_owned()]);
        expected.sort();
        assert_eq!(names, expected);
        for (layer, bytes) in images[0].layers.iter().zip(&layers) {
            let member = archive.streamed_member(&layer.descriptor).unwrap();
            assert_eq!(seen[&member.name], *bytes);
            assert_eq!(member.digest, Digest::sha256_of(bytes));
            member.verify(&layer.descriptor).unwrap();
        }
    }
}

#[test]
fn docker25_stream_resolves_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d25.tar");
    let layers = docker25(&path);
    let on_disk = open_path(&path).unwrap().resolve(&PlatformSelector::Default).unwrap();
    let (archive, seen) = stream(&path, 5);
    let mut archive = archive.unwrap();
    assert_eq!(archive.describe().kind, SourceKind::DockerArchiveOci);
    let images = archive.resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images, on_disk);
    assert_eq!(seen.len(), 2, "{:?}", seen.keys());
    for (layer, blob) in images[0].layers.iter().zip(&layers) {
        let member = archive.streamed_member(&layer.descriptor).unwrap();
        assert_eq!(member.name, layer.descriptor.digest.layout_path());
        assert_eq!(seen[&member.name], blob.stored);
        member.verify(&layer.descriptor).unwrap();
    }
}

#[test]
fn a_tampered_layer_fails_verification_naming_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tar");
    let t0 = layer_tar(&[("a", b"1")]);
    let layers = [LayerBlob::plain(t0.clone())];
    let mut layout = Layout::default();
    let config = config_json("linux/amd64", &[], &layers, history_with_empty_steps(1));
    let image = layout.image(&config, &layers);
    layout.finish(vec![image]);
    let name = format!("blobs/sha256/{}", sha256_hex(&t0));
    let mut tampered = t0.clone();
    tampered[600] ^= 1;
    layout.put(&name, tampered.clone());
    layout.write_tar(&path);

    let (archive, _) = stream(&path, 9);
    let mut archive = archive.unwrap();
    let images = archive.resolve(&PlatformSelector::Default).unwrap();
    let desc = &images[0].layers[0].descriptor;
    let member = archive.streamed_member(desc).unwrap();
    match member.verify(desc) {
        Err(Error::DigestMismatch { expected, actual }) => {
            assert_eq!(expected, Digest::sha256_of(&t0));
            assert_eq!(actual, Digest::sha256_of(&tampered));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_and_foreign_streams_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tar");
    podman_legacy(&path);
    let bytes = std::fs::read(&path).unwrap();
    // Cut inside the first layer: the stream ends early.
    let err = read_save_stream(&bytes[..1500], "engine:cut", |blob| {
        let _ = std::io::Read::read_to_end(blob.reader, &mut Vec::new());
    })
    .unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
    assert!(err.to_string().contains("engine:cut"), "{err}");

    // A tar with no manifest.json or index.json.
    let other = dir.path().join("other.tar");
    write_tar(&other, [Member::File("hello.txt".into(), b"hi".to_vec())]);
    let err =
        read_save_stream(std::fs::File::open(&other).unwrap(), "engine:x", |_| {}).unwrap_err();
    assert!(err.to_string().contains("neither manifest.json nor index.json"), "{err}");
}

#[test]
fn a_config_that_streamed_past_is_a_clear_error() {
    // A config that is not JSON cannot be kept, so resolving needs what is gone.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.tar");
    let manifest = json!([{ "Config": "cfg.bin", "RepoTags": ["x:1"], "Layers": [] }]);
    write_tar(
        &path,
        [
            Member::File("cfg.bin".into(), b"not json".to_vec()),
            Member::File("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()),
        ],
    );
    let (archive, _) = stream(&path, 3);
    let err = archive.unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(matches!(&err, Error::MemberStreamed { member, .. } if member == "cfg.bin"), "{err:?}");
}

#[test]
fn documents_kept_from_one_stream_stay_within_their_budget() {
    // 48 MiB of JSON members before a real image fill the budget: what comes after them
    // streams on, and the image whose config and manifest came after them is a clear error
    // (the old budget of 128 MiB kept them all, and the scan went past its 128 MiB). A
    // third 24 MiB document, kept in between, would not fit either.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tar");
    let (_, _) = podman_legacy(&path);
    let image = std::fs::read(&path).unwrap();
    let mut members: Vec<Member> = (0..3)
        .map(|i| {
            let mut doc = br#"{"pad":""#.to_vec();
            doc.resize((24 << 20) - 2, b'a');
            doc.extend_from_slice(br#""}"#);
            Member::File(format!("junk{i}.json"), doc)
        })
        .collect();
    let mut inner = tar::Archive::new(image.as_slice());
    for entry in inner.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if entry.header().entry_type().is_symlink() {
            let target = entry.link_name().unwrap().unwrap().to_string_lossy().into_owned();
            members.push(Member::Symlink(name, target));
        } else {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            members.push(Member::File(name, bytes));
        }
    }
    let padded = dir.path().join("padded.tar");
    write_tar(&padded, members);
    let (archive, seen) = stream(&padded, 11);
    // The first two are kept (not handed on); the third no longer fits.
    assert!(seen.contains_key("junk2.json"), "{:?}", seen.keys().collect::<Vec<_>>());
    assert!(!seen.contains_key("junk0.json") && !seen.contains_key("junk1.json"));
    let err = archive.unwrap().resolve(&PlatformSelector::Default).unwrap_err();
    assert!(matches!(&err, Error::MemberStreamed { .. }), "{err:?}");
    assert!(err.to_string().contains("48 MiB of documents"), "{err}");
}
