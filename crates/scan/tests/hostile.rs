//! Hostile layers and configs through the pipeline: what a runtime extracts is scanned,
//! link names and history comments are scanned, sizes a tar declares cost nothing, and a
//! secret still in the final image is never called hidden in history.

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::{ConfigField, Finding, Location, ScanIssue, Severity, Status};
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ScanOptions, ScanOutcome};
use layerleak_testutil::{LayerBlob, Layout, config, gnu_sparse_entry};
use serde_json::{Value, json};

const GH: &str = "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";
const GH_2: &str = "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";

fn scan(layers: &[Vec<u8>], history: Value) -> ScanOutcome {
    let blobs: Vec<LayerBlob> = layers.iter().cloned().map(LayerBlob::plain).collect();
    let mut layout = Layout::default();
    let m = layout.image(&config("linux/amd64", &[], json!({}), history, &blobs), &blobs);
    layout.finish(vec![m]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let pipeline =
        Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), ScanOptions::new());
    pipeline.scan_path(dir.path(), &PlatformSelector::Default).unwrap()
}

fn history(layers: usize) -> Value {
    (0..layers).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect()
}

fn finding<'a>(outcome: &'a ScanOutcome, secret: &str) -> &'a Finding {
    outcome
        .findings
        .iter()
        .find(|f| f.secret.expose() == secret.as_bytes())
        .unwrap_or_else(|| panic!("no finding for {secret}: {:#?}", outcome.findings))
}

/// `(layer, path, offset, status)` of each layer location.
fn layer_locations(f: &Finding) -> Vec<(usize, String, u64, Status)> {
    let mut v: Vec<_> = f
        .locations
        .iter()
        .filter_map(|l| match l {
            Location::Layer(l) => Some((l.layer, l.path.clone(), l.offset, l.status)),
            Location::Config(_) | Location::File(_) => None,
        })
        .collect();
    v.sort();
    v
}

fn issue_at<'a>(outcome: &'a ScanOutcome, path: &str) -> Vec<&'a ScanIssue> {
    outcome.issues.iter().filter(|i| i.path.as_deref() == Some(path)).collect()
}

fn tar_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, path, data).unwrap();
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        tar_file(&mut b, path, data);
    }
    b.into_inner().unwrap()
}

fn whiteout(path: &str) -> Vec<u8> {
    let (dir, name) = path.rsplit_once('/').unwrap();
    tar_of(&[(&format!("{dir}/.wh.{name}"), b"")])
}

/// A secret deleted by layer 1 and written again by layer 2 is in the final image: it was
/// reported `hidden_in_history` (and "0 in the final image").
#[test]
fn a_secret_deleted_then_added_again_is_not_hidden_in_history() {
    let token = format!("token={GH}\n");
    let outcome = scan(
        &[
            tar_of(&[("app/.env", token.as_bytes())]),
            whiteout("app/.env"),
            tar_of(&[("app/.env", token.as_bytes())]),
        ],
        history(3),
    );
    let f = finding(&outcome, GH);
    assert_eq!(
        layer_locations(f),
        [
            (0, "app/.env".to_owned(), 6, Status::Deleted { by_layer: 1 }),
            (2, "app/.env".to_owned(), 6, Status::PresentInFinal),
        ]
    );
    assert!(!f.is_hidden_in_history());
}

/// One blob used as layers 0 and 2, deleted by layer 1: present in the final image through
/// layer 2, scanned once.
#[test]
fn a_blob_shared_by_two_layers_is_present_through_the_later_one() {
    let blob = tar_of(&[("app/key.txt", format!("{GH}\n").as_bytes())]);
    let outcome = scan(&[blob.clone(), whiteout("app/key.txt"), blob], history(3));
    assert_eq!(outcome.blobs_scanned, 2);
    let f = finding(&outcome, GH);
    assert_eq!(
        layer_locations(f),
        [
            (0, "app/key.txt".to_owned(), 0, Status::Deleted { by_layer: 1 }),
            (2, "app/key.txt".to_owned(), 0, Status::PresentInFinal),
        ]
    );
    assert!(!f.is_hidden_in_history());
    // Deleted everywhere is still hidden.
    let outcome = scan(
        &[tar_of(&[("app/key.txt", format!("{GH}\n").as_bytes())]), whiteout("app/key.txt")],
        history(2),
    );
    assert!(finding(&outcome, GH).is_hidden_in_history());
}

/// A token hidden in the "data" a directory entry declares: runtimes read it as the next
/// header and extract `app/token.txt`. It used to be skipped: exit 0, no finding.
#[test]
fn a_file_hidden_in_a_directory_entrys_declared_data_is_found_and_reported() {
    let hidden = tar_of(&[("app/token.txt", format!("token={GH}\n").as_bytes())]);
    let hidden = &hidden[..1024]; // header and data block, no end marker
    let mut h = tar::Header::new_gnu();
    h.set_path("etc/conf.d/").unwrap();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_size(hidden.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    layer.extend_from_slice(hidden);
    layer.extend_from_slice(&[0; 1024]);
    let outcome = scan(&[layer], history(1));
    assert_eq!(
        layer_locations(finding(&outcome, GH)),
        [(0, "app/token.txt".to_owned(), 6, Status::PresentInFinal)]
    );
    let at_dir = issue_at(&outcome, "etc/conf.d");
    assert_eq!(at_dir.len(), 1, "{:#?}", outcome.issues);
    assert!(at_dir[0].reason.contains("declares 1024 bytes"), "{}", at_dir[0].reason);
    let at_file = issue_at(&outcome, "app/token.txt");
    assert_eq!(at_file.len(), 1, "{:#?}", outcome.issues);
    assert!(at_file[0].reason.contains("runtime extracts this entry"), "{}", at_file[0].reason);
    assert_eq!(at_file[0].layer, Some(0));
    assert!(outcome.is_complete());
}

/// A sparse file declaring 1 TiB: its data is scanned at the file's offset, its holes are
/// not expanded, and the declared size over the layer limit is an issue naming the path.
#[test]
fn a_terabyte_sparse_file_is_scanned_as_its_data_at_the_files_offsets() {
    let tib = 1u64 << 40;
    let at = tib - 8192;
    let data = format!("token={GH}\n");
    let mut layer = gnu_sparse_entry("var/lib/disk.img", tib, at, data.as_bytes());
    layer.extend_from_slice(&[0; 1024]);
    let start = std::time::Instant::now();
    let outcome = scan(&[layer], history(1));
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert_eq!(
        layer_locations(finding(&outcome, GH)),
        [(0, "var/lib/disk.img".to_owned(), at + 6, Status::PresentInFinal)]
    );
    let issues = issue_at(&outcome, "var/lib/disk.img");
    assert_eq!(issues.len(), 1, "{:#?}", outcome.issues);
    assert_eq!(issues[0].severity, Severity::Incomplete);
    assert!(
        issues[0]
            .reason
            .contains(&format!("declares {tib} bytes, over the limit of {}", 64u64 << 30)),
        "{}",
        issues[0].reason
    );
    assert!(outcome.bytes_scanned < 1 << 20, "{}", outcome.bytes_scanned);
}

/// Link names can hold a secret: a symlink's and a hard link's targets are scanned, and
/// found at the link's path.
#[test]
fn symlink_and_hard_link_targets_are_scanned() {
    let mut b = tar::Builder::new(Vec::new());
    tar_file(&mut b, "app/data", b"hello\n");
    for (kind, path, target) in [
        (tar::EntryType::Symlink, "app/sym", format!("/run/{GH}")),
        (tar::EntryType::Link, "app/hard", format!("app/{GH_2}")),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, path, &target).unwrap();
    }
    let outcome = scan(&[b.into_inner().unwrap()], history(1));
    assert_eq!(
        layer_locations(finding(&outcome, GH)),
        [(0, "app/sym".to_owned(), 5, Status::PresentInFinal)]
    );
    assert_eq!(
        layer_locations(finding(&outcome, GH_2)),
        [(0, "app/hard".to_owned(), 4, Status::PresentInFinal)]
    );
}

/// History `comment` and `author` are scanned like `created_by`.
#[test]
fn history_comments_and_authors_are_scanned() {
    let history = json!([{
        "created_by": "RUN make",
        "comment": format!("built with {GH}"),
        "author": format!("ci <{GH_2}@example.com>"),
    }]);
    let outcome = scan(&[tar_of(&[("app/x", b"x")])], history);
    for (secret, key, offset) in [(GH, "comment", 11), (GH_2, "author", 4)] {
        let f = finding(&outcome, secret);
        let configs: Vec<_> = f
            .locations
            .iter()
            .filter_map(|l| match l {
                Location::Config(c) => Some((c.field, c.key.clone(), c.history_index, c.offset)),
                Location::Layer(_) | Location::File(_) => None,
            })
            .collect();
        assert_eq!(configs, [(ConfigField::History, Some(key.to_owned()), Some(0), offset)]);
    }
}
