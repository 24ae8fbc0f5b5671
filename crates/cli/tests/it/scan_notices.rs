//! Nothing skipped silently: every oddity of an image is in the report, as an issue that
//! makes the scan incomplete (exit 2) or as a notice that does not change the exit code;
//! hard links keep a deleted file's status honest.

use serde_json::{Value, json};

use crate::common::{run, stdout};
use crate::fixtures::{
    E, LayerBlob, config, digest, layer, oci_dir, raw_tar_entry, simple_history,
};
use crate::scan::{finding, layer_locations, loc, scan_json};

const GH: &str = "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";

fn secret_file(path: &str) -> E<'_> {
    E::File(path, format!("token={GH}\n").into_bytes())
}

/// `(severity, layer, path, reason)` of every issue.
fn issue_list(doc: &Value) -> Vec<(String, Option<u64>, Option<String>, String)> {
    doc["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["severity"].as_str().unwrap().to_owned(),
                i["layer"].as_u64(),
                i["path"].as_str().map(str::to_owned),
                i["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn image_of(layers: &[LayerBlob]) -> tempfile::TempDir {
    oci_dir(&config("linux/amd64", &[], json!({}), simple_history(layers.len()), layers), layers)
}

#[test]
fn a_deleted_file_with_a_surviving_hard_link_is_present_in_final() {
    let layers = [
        LayerBlob::plain(layer(vec![
            secret_file("app/secret.txt"),
            E::Hardlink("app/keep.txt", "app/secret.txt"),
        ])),
        LayerBlob::gzip(&layer(vec![E::Whiteout("app/secret.txt")])),
    ];
    let (o, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "app/secret.txt", "present_in_final", None)],
        "the bytes are still in the final image as app/keep.txt, and scanned once"
    );
}

#[test]
fn a_hard_link_in_a_later_layer_to_a_lower_file_keeps_it_present() {
    let layers = [
        LayerBlob::gzip(&layer(vec![secret_file("app/secret.txt")])),
        LayerBlob::plain(layer(vec![E::Hardlink("keep/secret.txt", "app/secret.txt")])),
        LayerBlob::plain(layer(vec![E::Whiteout("app")])),
    ];
    let (_, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "app/secret.txt", "present_in_final", None)]
    );
}

#[test]
fn a_file_whose_every_name_is_deleted_is_deleted() {
    let layers = [
        LayerBlob::plain(layer(vec![
            secret_file("app/secret.txt"),
            E::Hardlink("app/keep.txt", "app/secret.txt"),
        ])),
        LayerBlob::plain(layer(vec![E::Whiteout("app/secret.txt")])),
        LayerBlob::plain(layer(vec![E::Whiteout("app/keep.txt")])),
    ];
    let (_, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "app/secret.txt", "deleted", Some(2))],
        "deleted when its last name went"
    );
}

#[test]
fn a_history_that_cannot_be_mapped_to_layers_makes_the_scan_incomplete() {
    let layers = [LayerBlob::plain(layer(vec![secret_file("app/a.txt")]))];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(2), &layers);
    let (o, doc) = scan_json(oci_dir(&cfg, &layers).path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(doc["complete"], false);
    assert_eq!(
        issue_list(&doc),
        [(
            "incomplete".to_owned(),
            None,
            None,
            "the image history records 2 layer-making step(s) for 1 layer(s): the created_by shown for a layer may be another layer's".to_owned()
        )]
    );
    assert_eq!(doc["issues"][0]["blob_digest"], digest(&cfg));
    assert_eq!(layer_locations(finding(&doc, GH)), [loc(0, "app/a.txt", "present_in_final", None)]);
}

#[test]
fn no_history_and_no_diff_ids_are_notices() {
    let layers = [LayerBlob::plain(layer(vec![secret_file("app/a.txt")]))];
    let mut cfg: Value =
        serde_json::from_slice(&config("linux/amd64", &[], json!({}), json!([]), &layers)).unwrap();
    cfg["rootfs"]["diff_ids"] = json!([]);
    let cfg = serde_json::to_vec(&cfg).unwrap();
    let dir = oci_dir(&cfg, &layers);
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "notices do not change the exit code");
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["summary"]["issues"], 0);
    assert_eq!(doc["summary"]["notices"], 2);
    assert_eq!(
        issue_list(&doc),
        [
            (
                "notice".to_owned(),
                None,
                None,
                "the image config lists no diff_ids for its 1 layer(s): locations have no diff_id"
                    .to_owned()
            ),
            (
                "notice".to_owned(),
                None,
                None,
                "the image history records none of its 1 layer(s): locations have no created_by"
                    .to_owned()
            ),
        ]
    );

    let text = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(text.status.code(), Some(1));
    let text = stdout(&text);
    assert!(text.contains("Notices (everything was scanned):\n- "), "{text}");
    assert!(!text.contains("Not fully scanned"), "{text}");
    assert!(text.contains("; scan complete, 2 notice(s)\n"), "{text}");
}

#[test]
fn absolute_names_are_notices_and_parent_components_make_the_scan_incomplete() {
    let secret = format!("token={GH}\n");
    let mut b = tar::Builder::new(Vec::new());
    raw_tar_entry(&mut b, b"/etc/app.conf", secret.as_bytes());
    let absolute = [LayerBlob::plain(b.into_inner().unwrap())];
    let (o, doc) = scan_json(image_of(&absolute).path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        issue_list(&doc),
        [(
            "notice".to_owned(),
            Some(0),
            Some("etc/app.conf".to_owned()),
            "the tar entry's name is absolute; it was read relative to the root, as runtimes do"
                .to_owned()
        )]
    );
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "etc/app.conf", "present_in_final", None)]
    );

    let mut b = tar::Builder::new(Vec::new());
    raw_tar_entry(&mut b, b"../../etc/app.conf", secret.as_bytes());
    let traversal = [LayerBlob::plain(b.into_inner().unwrap())];
    let (o, doc) = scan_json(image_of(&traversal).path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        issue_list(&doc),
        [(
            "incomplete".to_owned(),
            Some(0),
            Some("../../etc/app.conf".to_owned()),
            "the tar entry's name contains `..` (path traversal): its content was scanned, but where it lands (and so its status) depends on the runtime".to_owned()
        )]
    );
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "../../etc/app.conf", "present_in_final", None)]
    );
}

#[test]
fn data_after_the_end_of_the_tar_is_reported_as_not_scanned() {
    let mut tar = layer(vec![E::File("app/a.txt", b"hello\n".to_vec())]);
    let end = tar.len() as u64 - 1024;
    tar.extend_from_slice(format!("hidden={GH}").as_bytes());
    tar.resize(tar.len().next_multiple_of(512), 0);
    let layers = [LayerBlob::gzip(&tar)];
    let (o, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        issue_list(&doc),
        [(
            "incomplete".to_owned(),
            Some(0),
            None,
            format!(
                "47 non-zero byte(s) after the tar end-of-archive marker (at byte offset {}) were not scanned: a runtime ignores them, but they are in the blob",
                end + 512
            )
        )]
    );
}

/// A PAX 1.0 sparse file (as `tar --sparse --format=pax` writes it) with `GH` after a hole.
fn pax_sparse_layer() -> Vec<u8> {
    let token = format!("token={GH}\n");
    let mut data = format!("2\n0\n5\n4096\n{}\n", token.len()).into_bytes();
    data.resize(512, 0);
    data.extend_from_slice(b"start");
    data.extend_from_slice(token.as_bytes());
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([
        ("GNU.sparse.major", &b"1"[..]),
        ("GNU.sparse.minor", b"0"),
        ("GNU.sparse.name", b"var/lib/app/data.db"),
        ("GNU.sparse.realsize", b"8192"),
    ])
    .unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_path("var/lib/app/GNUSparseFile.0/data.db").unwrap();
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_cksum();
    b.append(&h, &data[..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn a_pax_sparse_file_is_scanned_at_its_real_name_and_offsets() {
    let layers = [LayerBlob::gzip(&pax_sparse_layer())];
    let (o, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(doc["issues"], json!([]));
    let f = finding(&doc, GH);
    assert_eq!(layer_locations(f), [loc(0, "var/lib/app/data.db", "present_in_final", None)]);
    assert_eq!(f["locations"][0]["offset"], 4096 + 6, "the offset in the file, holes included");
}

#[test]
fn a_huge_gnu_long_name_stops_its_layer_with_a_clear_error_and_the_others_are_scanned() {
    let mut bad = layer(vec![E::File("app/before.txt", b"hello\n".to_vec())]);
    bad.truncate(1024);
    let mut h = tar::Header::new_gnu();
    h.set_path("././@LongLink").unwrap();
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(4 << 30);
    h.set_cksum();
    bad.extend_from_slice(h.as_bytes());
    bad.extend_from_slice(&[b'a'; 4096]);
    let layers = [LayerBlob::plain(layer(vec![secret_file("app/a.txt")])), LayerBlob::plain(bad)];
    let (o, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        issue_list(&doc),
        [(
            "incomplete".to_owned(),
            Some(1),
            None,
            "corrupt tar archive in the 512-byte block at byte offset 1024: the GNU long name is 4294967296 bytes, over the limit of 65536 bytes read into memory; the rest of the archive was not read".to_owned()
        )]
    );
    assert_eq!(layer_locations(finding(&doc, GH)), [loc(0, "app/a.txt", "present_in_final", None)]);
}

#[test]
fn a_crc_mismatch_in_a_nested_jar_is_a_notice_and_the_secret_is_still_found() {
    let yml = format!("token: {GH}\n");
    let mut app = crate::fixtures::jar(&[("application.yml", yml.as_bytes())]);
    app[14..18].copy_from_slice(&0x0BAD_C0DEu32.to_le_bytes());
    let layers = [LayerBlob::gzip(&layer(vec![E::File("app/app.jar", app)]))];
    let (o, doc) = scan_json(image_of(&layers).path(), &[]);
    assert_eq!(o.status.code(), Some(1), "a notice does not change the exit code");
    assert_eq!(doc["complete"], true);
    let issues = issue_list(&doc);
    assert_eq!(issues.len(), 1, "{issues:?}");
    let (severity, layer, path, reason) = &issues[0];
    assert_eq!(
        (severity.as_str(), *layer, path.as_deref()),
        ("notice", Some(0), Some("app/app.jar!/application.yml"))
    );
    let mut actual = flate2::Crc::new();
    actual.update(yml.as_bytes());
    assert_eq!(
        *reason,
        format!(
            "CRC-32 mismatch (the archive records 0x0badc0de, the content has {:#010x}): the content was scanned as read",
            actual.sum()
        )
    );
    assert_eq!(
        layer_locations(finding(&doc, GH)),
        [loc(0, "app/app.jar!/application.yml", "present_in_final", None)]
    );
}
