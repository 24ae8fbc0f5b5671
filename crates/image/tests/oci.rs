//! OCI image layouts (directories and `oci-archive` tarballs), multi-platform indexes and
//! nested indexes.

mod common;

use common::*;
use layerleak_image::{
    Error, ImageSource, Platform, PlatformSelector, ResolvedImage, SourceKind, open_path,
};
use layerleak_testutil::*;
use serde_json::{Value, json};

fn with_platform(mut desc: Value, platform: &str) -> Value {
    let p: Vec<&str> = platform.split('/').collect();
    desc["platform"] = json!({ "os": p[0], "architecture": p[1] });
    if let Some(variant) = p.get(2) {
        desc["platform"]["variant"] = json!(variant);
    }
    desc
}

/// A one-platform image whose single layer holds `marker`.
fn add_image(layout: &mut Layout, platform: &str, marker: &str) -> Value {
    let tar = layer_tar(&[("marker", marker.as_bytes())]);
    let layers = [LayerBlob::gzip(&tar)];
    let config =
        config_json(platform, &[&format!("MARKER={marker}")], &layers, history_with_empty_steps(1));
    layout.image(&config, &layers)
}

/// amd64 + arm64/v8 + an attestation manifest, under one index.
fn multi_platform(layout: &mut Layout) -> Value {
    let amd64 = with_platform(add_image(layout, "linux/amd64", "amd64"), "linux/amd64");
    let arm64 = with_platform(add_image(layout, "linux/arm64/v8", "arm64"), "linux/arm64/v8");
    let att_config = layout.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let mut attestation = layout.manifest(att_config, vec![]);
    attestation = with_platform(attestation, "unknown/unknown");
    attestation["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": amd64["digest"].clone(),
    });
    layout.index(vec![amd64, arm64, attestation])
}

fn markers(images: &[ResolvedImage]) -> Vec<String> {
    images.iter().map(|i| i.config.env[0].clone()).collect()
}

fn resolve(source: &mut dyn ImageSource, selector: &str) -> Result<Vec<ResolvedImage>, Error> {
    let selector = match selector {
        "default" => PlatformSelector::Default,
        "all" => PlatformSelector::All,
        p => PlatformSelector::Only(Platform::parse(p).unwrap()),
    };
    source.resolve(&selector)
}

#[test]
fn oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let t0 = layer_tar(&[("a.txt", b"alpha")]);
    let t1 = layer_tar(&[("b.txt", b"beta")]);
    let layers = [LayerBlob::plain(t0), LayerBlob::gzip(&t1)];
    let config = config_json("linux/amd64", &["X=1"], &layers, history_with_empty_steps(2));
    let mut manifest = layout.image(&config, &layers);
    manifest["annotations"] = json!({ "org.opencontainers.image.ref.name": "v1" });
    layout.finish(vec![manifest.clone()]);
    layout.write_dir(dir.path());

    let mut source = open_path(dir.path()).unwrap();
    assert_eq!(source.describe().kind, SourceKind::OciLayout);
    let images = source.resolve(&PlatformSelector::Default).unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(image.names, ["v1"]);
    assert_eq!(image.manifest_media_type.as_deref(), Some(OCI_MANIFEST));
    assert_eq!(image.config.labels.get("maintainer").map(String::as_str), Some("test"));
    assert_eq!(image.config.cmd, ["/bin/sh"]);
    assert_eq!(
        image.layers.iter().map(|l| l.history_index).collect::<Vec<_>>(),
        [Some(1), Some(3)]
    );
    for (layer, blob) in image.layers.iter().zip(&layers) {
        assert_eq!(layer.descriptor.size, blob.stored.len() as u64);
        let (bytes, err) =
            read_all(RandomReader::new(source.open_blob(&layer.descriptor).unwrap(), 5, 100));
        assert!(err.is_none(), "{err:?}");
        assert_eq!(bytes, blob.stored);
    }
}

#[test]
fn oci_archive_tarball() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.oci.tar");
    let mut layout = Layout::default();
    let index = multi_platform(&mut layout);
    layout.finish(vec![index]);
    layout.write_tar(&path);

    let mut source = open_path(&path).unwrap();
    assert_eq!(source.describe().kind, SourceKind::OciArchive);
    assert_eq!(markers(&resolve(source.as_mut(), "default").unwrap()), ["MARKER=amd64"]);
}

#[test]
fn multi_platform_selection() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let index = multi_platform(&mut layout);
    layout.finish(vec![index]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    let source = source.as_mut();

    assert_eq!(markers(&resolve(source, "default").unwrap()), ["MARKER=amd64"]);
    assert_eq!(markers(&resolve(source, "linux/amd64").unwrap()), ["MARKER=amd64"]);
    assert_eq!(markers(&resolve(source, "linux/arm64").unwrap()), ["MARKER=arm64"]);
    assert_eq!(markers(&resolve(source, "linux/arm64/v8").unwrap()), ["MARKER=arm64"]);
    assert_eq!(markers(&resolve(source, "linux/aarch64").unwrap()), ["MARKER=arm64"]);
    // All platforms, attestation skipped.
    let all = resolve(source, "all").unwrap();
    assert_eq!(markers(&all), ["MARKER=amd64", "MARKER=arm64"]);
    assert_eq!(all[1].platform.as_ref().unwrap().to_string(), "linux/arm64/v8");

    let err = resolve(source, "linux/s390x").unwrap_err();
    assert!(
        matches!(&err, Error::NoMatchingPlatform { available, .. } if available == &["linux/amd64", "linux/arm64/v8"])
    );
    assert!(err.to_string().contains("linux/s390x"), "{err}");
}

#[test]
fn only_platform_present_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let arm64 = with_platform(add_image(&mut layout, "linux/arm64", "arm64"), "linux/arm64");
    let index = layout.index(vec![arm64]);
    layout.finish(vec![index]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    assert_eq!(markers(&resolve(source.as_mut(), "default").unwrap()), ["MARKER=arm64"]);
}

#[test]
fn default_without_amd64_among_several_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let arm64 = with_platform(add_image(&mut layout, "linux/arm64", "arm64"), "linux/arm64");
    let ppc = with_platform(add_image(&mut layout, "linux/ppc64le", "ppc"), "linux/ppc64le");
    let index = layout.index(vec![arm64, ppc]);
    layout.finish(vec![index]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    let err = resolve(source.as_mut(), "default").unwrap_err();
    assert!(err.to_string().contains("linux/arm64, linux/ppc64le"), "{err}");
}

#[test]
fn nested_indexes_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let inner = multi_platform(&mut layout);
    let middle = layout.index(vec![inner]);
    let riscv = with_platform(add_image(&mut layout, "linux/riscv64", "riscv"), "linux/riscv64");
    let outer = layout.index(vec![middle, riscv]);
    layout.finish(vec![outer]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    let source = source.as_mut();
    assert_eq!(
        markers(&resolve(source, "all").unwrap()),
        ["MARKER=amd64", "MARKER=arm64", "MARKER=riscv"]
    );
    assert_eq!(markers(&resolve(source, "linux/riscv64").unwrap()), ["MARKER=riscv"]);
    assert_eq!(markers(&resolve(source, "default").unwrap()), ["MARKER=amd64"]);
}

#[test]
fn entries_without_platform_take_it_from_the_config_and_names_group_images() {
    // Two named images in one layout (as `docker save a b` writes): the selection applies
    // to each, and a manifest listed under two names is returned once with both names.
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let mut a = add_image(&mut layout, "linux/arm64", "a");
    a["annotations"] = json!({ "org.opencontainers.image.ref.name": "a:1" });
    let mut b = add_image(&mut layout, "linux/amd64", "b");
    b["annotations"] = json!({ "org.opencontainers.image.ref.name": "b:1" });
    let mut b2 = b.clone();
    b2["annotations"] = json!({ "org.opencontainers.image.ref.name": "b:latest" });
    layout.finish(vec![a, b, b2]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    let images = resolve(source.as_mut(), "default").unwrap();
    assert_eq!(markers(&images), ["MARKER=a", "MARKER=b"]);
    assert_eq!(images[1].names, ["b:1", "b:latest"]);
    assert_eq!(images[0].platform.as_ref().unwrap().to_string(), "linux/arm64");
}

#[test]
fn docker_manifest_list_and_schema2_manifests() {
    const LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    const MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    const CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    const LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let mut entries = Vec::new();
    for platform in ["linux/amd64", "linux/arm/v7"] {
        let layer = LayerBlob::gzip(&layer_tar(&[("p", platform.as_bytes())]));
        let config = config_json(
            platform,
            &[&format!("MARKER={platform}")],
            std::slice::from_ref(&layer),
            json!([]),
        );
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": layout.blob(CONFIG, &config),
            "layers": [layout.blob(LAYER, &layer.stored)],
        });
        let desc = layout.blob(MANIFEST, &serde_json::to_vec(&manifest).unwrap());
        entries.push(with_platform(desc, platform));
    }
    let list = json!({ "schemaVersion": 2, "mediaType": LIST, "manifests": entries });
    let list_desc = layout.blob(LIST, &serde_json::to_vec(&list).unwrap());
    layout.finish(vec![list_desc]);
    layout.write_dir(dir.path());
    let mut source = open_path(dir.path()).unwrap();
    let images = resolve(source.as_mut(), "linux/arm").unwrap();
    assert_eq!(markers(&images), ["MARKER=linux/arm/v7"]);
    assert_eq!(images[0].manifest_media_type.as_deref(), Some(MANIFEST));
    assert_eq!(images[0].layers[0].descriptor.media_type, LAYER);
    // No history at all: the mapping is flagged, not fatal.
    assert_eq!(images[0].layers[0].history_index, None);
    assert!(!images[0].warnings.is_empty());
}
