//! The progress hook sees every blob start, every byte read, and every blob end.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, Progress, ScanOptions};
use serde_json::json;
use sha2::{Digest as _, Sha256};

#[derive(Debug, Default)]
struct Recorder {
    events: Mutex<Vec<(String, &'static str, u64)>>,
}

impl Progress for Recorder {
    fn layer_started(&self, digest: &str, size: u64) {
        self.events.lock().unwrap().push((digest.to_owned(), "start", size));
    }
    fn layer_read(&self, digest: &str, bytes: u64) {
        self.events.lock().unwrap().push((digest.to_owned(), "read", bytes));
    }
    fn layer_done(&self, digest: &str) {
        self.events.lock().unwrap().push((digest.to_owned(), "done", 0));
    }
}

fn hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// A gzip layer holding `files` of `size` pseudo-random bytes each.
fn layer(seed: u8, files: usize, size: usize) -> (Vec<u8>, String) {
    let mut b = tar::Builder::new(Vec::new());
    let mut x = u32::from(seed) + 1;
    for i in 0..files {
        let data: Vec<u8> = (0..size)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x.to_le_bytes()[0]
            })
            .collect();
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, format!("f{seed}-{i}"), data.as_slice()).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let diff_id = format!("sha256:{}", hex(&tar));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    (gz.finish().unwrap(), diff_id)
}

#[test]
fn every_byte_of_every_blob_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |data: &[u8]| -> String {
        std::fs::write(blobs.join(hex(data)), data).unwrap();
        format!("sha256:{}", hex(data))
    };
    let layers = [layer(1, 3, 200_000), layer(2, 1, 10), layer(3, 5, 50_000)];
    let mut descs = Vec::new();
    for (stored, _) in &layers {
        descs.push(json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": put(stored),
            "size": stored.len(),
        }));
    }
    let config = json!({
        "os": "linux", "architecture": "amd64", "config": {},
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| &l.1).collect::<Vec<_>>() },
    });
    let config = serde_json::to_vec(&config).unwrap();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(&config), "size": config.len() },
        "layers": descs,
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let index = json!({ "schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": put(&manifest),
        "size": manifest.len(),
    }]});
    std::fs::write(dir.path().join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(dir.path().join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();

    let recorder = Arc::new(Recorder::default());
    let options = ScanOptions::new().with_workers(2).with_progress(recorder.clone());
    let scanner = Scanner::new(&Rules::embedded().unwrap()).unwrap();
    let outcome =
        Pipeline::new(scanner, options).scan_path(dir.path(), &PlatformSelector::Default).unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.issues);

    let events = recorder.events.lock().unwrap();
    let mut per_blob: BTreeMap<&str, (Vec<&str>, u64, u64)> = BTreeMap::new();
    for (digest, kind, n) in events.iter() {
        let e = per_blob.entry(digest).or_default();
        if e.0.last() != Some(kind) {
            e.0.push(kind);
        }
        match *kind {
            "start" => e.1 = *n,
            "read" => e.2 += n,
            _ => {}
        }
    }
    assert_eq!(per_blob.len(), 3);
    for (stored, _) in &layers {
        let digest = format!("sha256:{}", hex(stored));
        let (order, size, read) = &per_blob[digest.as_str()];
        assert_eq!(order, &["start", "read", "done"], "{digest}");
        assert_eq!((*size, *read), (stored.len() as u64, stored.len() as u64), "{digest}");
    }
}

/// Counts the files of trees as they are scanned.
#[derive(Debug, Default)]
struct Files {
    files: Mutex<(usize, u64, bool)>,
}

impl Progress for Files {
    fn file_scanned(&self, bytes: u64) {
        let mut f = self.files.lock().unwrap();
        assert!(!f.2, "a file after the end");
        f.0 += 1;
        f.1 += bytes;
    }
    fn files_done(&self) {
        self.files.lock().unwrap().2 = true;
    }
}

#[test]
fn a_tree_walk_reports_every_file_and_its_end() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        std::fs::write(dir.path().join(format!("f{i}")), vec![b'x'; i * 100]).unwrap();
    }
    let files = Arc::new(Files::default());
    let options = ScanOptions::new().with_workers(3).with_progress(files.clone());
    let pipeline = Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), options);
    let outcome = pipeline.scan_tree(&[dir.path().to_owned()]);
    assert_eq!(*files.files.lock().unwrap(), (20, (0..20).map(|i| i * 100).sum(), true));
    assert_eq!(outcome.files_scanned, Some(20));
    assert_eq!(outcome.bytes_scanned, 19_000);
}
