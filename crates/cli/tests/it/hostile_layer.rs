//! Hostile layers through `layerleak scan`, each run under an address-space cap and a time
//! limit ([`run_capped`]): the right exit code (2 when something could not be scanned, 1
//! with the findings), an issue naming the layer and the path, and peak RSS within
//! [`MAX_RSS_KIB`](crate::capped::MAX_RSS_KIB). Every input is built here, in code.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::capped::{Capped, run_capped};
use crate::fixtures::{LayerBlob, config, docker_save, oci_dir, simple_history};

const GH: &str = "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";

/// Scans the one-layer OCI layout of `blob` under the caps, as JSON with secrets shown.
fn scan_capped(blob: &LayerBlob) -> (Capped, Value) {
    let layers = [blob.clone()];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(1), &layers), &layers);
    scan_path_capped(dir.path())
}

/// Scans the image at `path` under the caps, as JSON with secrets shown.
fn scan_path_capped(path: &Path) -> (Capped, Value) {
    let path = path.to_str().unwrap();
    let run =
        run_capped(&["scan", path, "--format", "json", "--show-secrets"], Duration::from_secs(60));
    let doc: Value = serde_json::from_slice(&run.output.stdout).unwrap_or_else(|e| {
        panic!("JSON output ({e}): {}", String::from_utf8_lossy(&run.output.stderr))
    });
    (run, doc)
}

/// The layer paths where `secret` was found.
fn paths_of(doc: &Value, secret: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["secret"] == secret)
        .flat_map(|f| f["locations"].as_array().unwrap())
        .filter_map(|l| l["path"].as_str().map(str::to_owned))
        .collect()
}

/// A tar of one file holding `data`.
fn tar_of(path: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, path, data).unwrap();
    b.into_inner().unwrap()
}

/// A legacy `docker save` names a layer `<id>/layer.tar`; its digest is the `diff_id` when
/// the member is not compressed. A zstd layer that starts with a skippable frame was taken
/// for an uncompressed one, so its digest was wrongly expected to be the `diff_id`.
#[test]
fn a_zstd_layer_with_a_leading_skippable_frame_is_scanned_and_complete() {
    let tar = tar_of("app/token.txt", format!("token={GH}\n").as_bytes());
    // A skippable frame (magic 0x184D2A5A, 8 bytes of user data), then the data frame.
    let mut stored = vec![0x5a, 0x2a, 0x4d, 0x18, 8, 0, 0, 0];
    stored.extend_from_slice(b"metadata");
    stored.extend_from_slice(&layerleak_testutil::zstd(&tar));
    let blob = LayerBlob { stored, ..LayerBlob::zstd(&tar) };
    for via_oci in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (run, doc) = if via_oci {
            scan_capped(&blob)
        } else {
            let path = dir.path().join("image.tar");
            let layers = [blob.clone()];
            let config = config("linux/amd64", &[], json!({}), simple_history(1), &layers);
            docker_save(&path, "app:1", &config, std::slice::from_ref(&blob.stored));
            scan_path_capped(&path)
        };
        run.assert_bounded(1, "zstd layer with a leading skippable frame");
        assert_eq!(doc["issues"], json!([]), "{doc:#}");
        assert_eq!(paths_of(&doc, GH), ["app/token.txt"]);
    }
}
