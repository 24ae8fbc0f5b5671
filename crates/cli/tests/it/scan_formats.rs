//! The same layers in every on-disk format `scan` reads: a legacy `docker save`, a
//! Docker ≥ 25 `docker save` (an OCI layout inside the tar, compressed and uncompressed
//! blobs, optionally behind a nested index with an attestation), an `oci-archive` and an
//! OCI layout directory. All give the same findings.

use serde_json::{Value, json};

use crate::common::{assert_redacted, stderr};
use crate::fixtures::{
    E, LayerBlob, Layout, OCI_CONFIG, config, docker_save, docker_save_oci, layer, oci_archive,
    oci_dir, sha256_hex, simple_history,
};
use crate::scan::{finding, layer_locations, loc, scan_json};

const GH: &str = "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";
const GL: &str = "glpat-PPjRfdqok10wwQZEDe0I";
const NPM: &str = "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";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const TAG: &str = "example/app:1";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// Two layer tars: layer 0 writes two secrets, layer 1 deletes one and adds another.
fn tars() -> [Vec<u8>; 2] {
    [
        layer(vec![
            E::File("app/config.yml", format!("github:\n  token: {GH}\n").into_bytes()),
            E::File("app/old.txt", format!("{GL}\n").into_bytes()),
        ]),
        layer(vec![
            E::Whiteout("app/old.txt"),
            E::File("srv/token.txt", format!("npm {NPM}\n").into_bytes()),
        ]),
    ]
}

/// Layer 0 gzip, layer 1 uncompressed, and a config with a secret in `ENV`.
fn image() -> (Vec<u8>, [LayerBlob; 2]) {
    let [t0, t1] = tars();
    let layers = [LayerBlob::gzip(&t0), LayerBlob::plain(t1)];
    let env = format!("STRIPE_KEY={STRIPE}");
    let cfg =
        config("linux/amd64", &["PATH=/usr/bin", &env], json!({}), simple_history(2), &layers);
    (cfg, layers)
}

/// Findings without what depends on the format: image names and blob digests.
fn normalized(doc: &Value) -> Value {
    let mut findings = doc["findings"].clone();
    for f in findings.as_array_mut().unwrap() {
        for l in f["locations"].as_array_mut().unwrap() {
            let l = l.as_object_mut().unwrap();
            l.remove("image");
            l.remove("blob_digest");
        }
    }
    findings
}

/// Scans `path` and checks the findings are the expected ones; returns them normalized.
fn scan_and_check(path: &std::path::Path) -> Value {
    let (o, doc) = scan_json(path, &[]);
    assert_eq!(o.status.code(), Some(1), "{path:?}: {}", stderr(&o));
    assert_eq!(doc["complete"], true, "{path:?}: {doc:#}");
    assert_eq!(doc["images"].as_array().unwrap().len(), 1, "{path:?}: {doc:#}");
    assert_eq!(doc["images"][0]["layers"], 2);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 4, "{path:?}: {doc:#}");
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "app/config.yml", "present_in_final", None)]
    );
    assert_eq!(finding(&doc, GH)["locations"][0]["offset"], 17);
    assert_eq!(layer_locations(finding(&doc, GL)), [loc(0, "app/old.txt", "deleted", Some(1))]);
    assert_eq!(
        layer_locations(finding(&doc, NPM)),
        [loc(1, "srv/token.txt", "present_in_final", None)]
    );
    let stripe = finding(&doc, STRIPE);
    assert_eq!(
        (&stripe["locations"][0]["field"], &stripe["locations"][0]["key"]),
        (&json!("env"), &json!("STRIPE_KEY"))
    );
    let [t0, t1] = tars();
    assert_eq!(finding(&doc, GH)["locations"][0]["diff_id"], crate::fixtures::digest(&t0));
    assert_eq!(finding(&doc, NPM)["locations"][0]["diff_id"], crate::fixtures::digest(&t1));
    assert_eq!(finding(&doc, NPM)["locations"][0]["created_by"], "RUN step 1");
    assert_redacted(path, &[], 1, &[GH, GL, NPM, STRIPE]);
    normalized(&doc)
}

#[test]
fn every_format_gives_the_findings_of_the_legacy_docker_save() {
    let tmp = tempfile::tempdir().unwrap();
    let (cfg, layers) = image();

    let legacy = tmp.path().join("legacy.tar");
    docker_save(&legacy, TAG, &cfg, &tars());
    let (_, doc) = scan_json(&legacy, &[]);
    assert_eq!(doc["images"][0]["name"], TAG);
    let expected = scan_and_check(&legacy);

    let docker25 = tmp.path().join("docker25.tar");
    docker_save_oci(&docker25, TAG, &cfg, &layers);
    let (_, doc) = scan_json(&docker25, &[]);
    assert!(doc["images"][0]["name"].as_str().unwrap().contains(TAG), "{doc:#}");
    // The gzip blob is read as stored: its digest is the compressed one.
    assert_eq!(
        finding(&doc, GH)["locations"][0]["blob_digest"],
        crate::fixtures::digest(&layers[0].stored)
    );
    assert_eq!(scan_and_check(&docker25), expected);

    let archive = tmp.path().join("oci-archive.tar");
    oci_archive(&archive, &cfg, &layers);
    assert_eq!(scan_and_check(&archive), expected);

    let dir = oci_dir(&cfg, &layers);
    assert_eq!(scan_and_check(dir.path()), expected);
}

#[test]
fn docker_25_archive_with_a_nested_index_and_an_attestation() {
    let (cfg, layers) = image();
    let mut layout = Layout::default();
    let mut image = layout.image(&cfg, &layers);
    image["platform"] = json!({ "os": "linux", "architecture": "amd64" });
    // A BuildKit provenance attestation, as `docker buildx build --load` stores it.
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
    });
    let att_config = json!({
        "architecture": "unknown",
        "os": "unknown",
        "config": {},
        "rootfs": { "type": "layers", "diff_ids": [] },
    });
    let att_config = layout.blob(OCI_CONFIG, &serde_json::to_vec(&att_config).unwrap());
    let att_layer =
        layout.blob("application/vnd.in-toto+json", &serde_json::to_vec(&statement).unwrap());
    let mut att = layout.manifest(att_config, vec![att_layer]);
    att["platform"] = json!({ "os": "unknown", "architecture": "unknown" });
    att["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": image["digest"],
    });
    let mut index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX });
    index["manifests"] = json!([image, att]);
    let mut root = layout.blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap());
    root["annotations"] = json!({
        "io.containerd.image.name": format!("docker.io/{TAG}"),
        "org.opencontainers.image.ref.name": "1",
    });
    layout.finish(vec![root]);
    let blob = |data: &[u8]| format!("blobs/sha256/{}", sha256_hex(data));
    let manifest = json!([{
        "Config": blob(&cfg),
        "RepoTags": [TAG],
        "Layers": layers.iter().map(|l| blob(&l.stored)).collect::<Vec<_>>(),
    }]);
    layout.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("docker25-index.tar");
    layout.write_tar(&path);

    let legacy = tmp.path().join("legacy.tar");
    docker_save(&legacy, TAG, &cfg, &tars());
    assert_eq!(scan_and_check(&path), scan_and_check(&legacy));
    let (_, doc) = scan_json(&path, &[]);
    assert_eq!(doc["images"][0]["platform"], "linux/amd64");
    let (_, doc) = scan_json(&path, &["--all-platforms"]);
    assert_eq!(doc["images"].as_array().unwrap().len(), 1, "the attestation is no image: {doc:#}");
}
