//! Hostile layers through `layerleak scan`, each run under an address-space cap and a time
//! limit ([`run_capped`]): the right exit code (2 when something could not be scanned, 1
//! with the findings), an issue naming the layer and the path, and peak RSS within
//! [`MAX_RSS_KIB`](crate::capped::MAX_RSS_KIB). Every input is built here, in code.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use layerleak_testutil::{base256, gnu_sparse_entry};

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

/// The issues of layer `layer` at `path`.
fn issues_at<'a>(doc: &'a Value, layer: u64, path: &str) -> Vec<&'a Value> {
    doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["layer"] == layer && i["path"] == path)
        .collect()
}

/// A FIFO whose header declares, as data, the blocks of a file holding a token: Go's
/// archive/tar (docker, containerd, podman) ignores the size of a FIFO and extracts the
/// file. It was skipped: exit 0, no finding, "scan complete".
#[test]
fn a_file_hidden_in_the_declared_data_of_a_fifo_is_found() {
    let hidden = tar_of("app/token.txt", format!("token={GH}\n").as_bytes());
    let hidden = &hidden[..1024];
    let mut h = tar::Header::new_gnu();
    h.set_path("run/pipe").unwrap();
    h.set_entry_type(tar::EntryType::Fifo);
    h.set_size(hidden.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    layer.extend_from_slice(hidden);
    layer.extend_from_slice(&[0; 1024]);
    let (run, doc) = scan_capped(&LayerBlob::gzip(&layer));
    run.assert_bounded(1, "a file hidden in a FIFO's declared data");
    assert_eq!(paths_of(&doc, GH), ["app/token.txt"]);
    let at_file = issues_at(&doc, 0, "app/token.txt");
    assert_eq!(at_file.len(), 1, "{doc:#}");
    assert!(at_file[0]["reason"].as_str().unwrap().contains("runtime extracts this entry"));
    assert_eq!(issues_at(&doc, 0, "run/pipe").len(), 1, "{doc:#}");
}

/// A 3 KB layer (gzip) declaring a 1 TiB GNU sparse file: only data is scanned, the token
/// is found at its offset in the file, and the declared size over the layer limit is an
/// issue naming the path (exit 2). It used to run on for minutes, expanding the holes.
#[test]
fn a_sparse_file_declaring_a_terabyte_is_scanned_as_its_data() {
    let tib = 1u64 << 40;
    let at = tib - 8192;
    let data = format!("token={GH}\n");
    let mut layer = gnu_sparse_entry("var/lib/disk.img", tib, at, data.as_bytes());
    layer.extend_from_slice(&[0; 1024]);
    let (run, doc) = scan_capped(&LayerBlob::gzip(&layer));
    run.assert_bounded(2, "a 1 TiB sparse file");
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["secret"] == GH).unwrap();
    assert_eq!(f["locations"][0]["path"], "var/lib/disk.img");
    assert_eq!(f["locations"][0]["offset"], at + 6);
    let issues = issues_at(&doc, 0, "var/lib/disk.img");
    assert_eq!(issues.len(), 1, "{doc:#}");
    assert!(
        issues[0]["reason"].as_str().unwrap().contains(&format!("declares {tib} bytes")),
        "{doc:#}"
    );
}

/// A regular file whose base-256 size declares 2^63 - 1 bytes in a tiny layer: the
/// declared size is an issue naming the path and the limit, the data cut short another;
/// exit 2, quickly.
#[test]
fn a_base256_size_of_two_to_the_63_is_an_issue_naming_the_path() {
    let mut h = tar::Header::new_gnu();
    h.set_path("app/huge.bin").unwrap();
    h.set_mode(0o644);
    h.as_gnu_mut().unwrap().size = base256(i64::MAX as u64);
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    layer.extend_from_slice(format!("token={GH}\n").as_bytes());
    layer.resize(8192, b'x');
    let (run, doc) = scan_capped(&LayerBlob::gzip(&layer));
    run.assert_bounded(2, "a base-256 size of 2^63 - 1");
    assert_eq!(paths_of(&doc, GH), ["app/huge.bin"]);
    let reasons: Vec<&str> =
        issues_at(&doc, 0, "app/huge.bin").iter().map(|i| i["reason"].as_str().unwrap()).collect();
    assert!(
        reasons.iter().any(|r| r.contains(&format!("declares {} bytes, over the limit", i64::MAX))),
        "{doc:#}"
    );
}

/// A symlink whose target holds a token: found at the link's path.
#[test]
fn a_token_in_a_symlink_target_is_found() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    b.append_link(&mut h, "etc/app/current", format!("/srv/{GH}")).unwrap();
    let (run, doc) = scan_capped(&LayerBlob::plain(b.into_inner().unwrap()));
    run.assert_bounded(1, "a token in a symlink target");
    assert_eq!(paths_of(&doc, GH), ["etc/app/current"]);
}

/// A sparse map of 4 095 one-GiB holes: each stands as a few KiB of zeros (the longest
/// match + 1), not 4 TiB in all. Exit 2 (the declared size is over the layer limit).
#[test]
fn a_sparse_file_of_many_one_gib_holes_is_bounded() {
    let pairs: Vec<(u64, u64)> = (1..=4_095u64).map(|i| (i << 30, 1)).collect();
    let real = (4_096u64 << 30) + 1;
    let mut h = tar::Header::new_gnu();
    h.set_path("var/lib/holes.img").unwrap();
    h.set_entry_type(tar::EntryType::GNUSparse);
    h.set_size(pairs.len() as u64);
    h.set_mode(0o600);
    let gnu = h.as_gnu_mut().unwrap();
    gnu.realsize = base256(real);
    for (slot, &(offset, len)) in gnu.sparse.iter_mut().zip(&pairs) {
        slot.offset = base256(offset);
        slot.numbytes = base256(len);
    }
    gnu.isextended = [1];
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    let rest = &pairs[4..];
    let chunks: Vec<_> = rest.chunks(21).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut ext = [0u8; 512];
        for (j, &(offset, len)) in chunk.iter().enumerate() {
            ext[j * 24..j * 24 + 12].copy_from_slice(&base256(offset));
            ext[j * 24 + 12..j * 24 + 24].copy_from_slice(&base256(len));
        }
        ext[504] = u8::from(i + 1 < chunks.len());
        layer.extend_from_slice(&ext);
    }
    let data = vec![b'a'; pairs.len()];
    layer.extend_from_slice(&data);
    layer.resize(layer.len().div_ceil(512) * 512, 0);
    layer.extend_from_slice(&[0; 1024]);
    let start = std::time::Instant::now();
    let (run, doc) = scan_capped(&LayerBlob::gzip(&layer));
    run.assert_bounded(2, "a sparse file of 4 095 one-GiB holes");
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let issues = issues_at(&doc, 0, "var/lib/holes.img");
    assert_eq!(issues.len(), 1, "{doc:#}");
    assert!(issues[0]["reason"].as_str().unwrap().contains(&format!("declares {real} bytes")));
}

/// An executable jar (a shell stub, then a zip with a deflated token), which `java -jar`
/// and `unzip` accept: the token is found in its member. It was exit 0, no issue.
#[test]
fn a_token_in_an_executable_jar_behind_a_shell_stub_is_found() {
    let mut file = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    file.extend_from_slice(&crate::fixtures::jar(&[(
        "BOOT-INF/classes/application.yml",
        format!("github:\n  token: {GH}\n").as_bytes(),
    )]));
    let (run, doc) = scan_capped(&LayerBlob::gzip(&tar_of("opt/app.run", &file)));
    run.assert_bounded(1, "an executable jar");
    assert_eq!(paths_of(&doc, GH), ["opt/app.run!/BOOT-INF/classes/application.yml"]);
    assert_eq!(doc["issues"], json!([]), "{doc:#}");
}
