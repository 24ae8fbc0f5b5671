//! Tar extension records with bounded memory, and PAX sparse files expanded.

use std::io::{self, Read};

use layerleak_layer::{
    EntryIssue, Flow, LayerError, Limits, MAX_LONG_NAME_BYTES, MAX_PAX_BYTES, RecordTooLarge,
    find_cause, walk,
};

use crate::common::*;

/// A header block of `kind` claiming `size` bytes of data.
fn header(name: &str, kind: tar::EntryType, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_gnu();
    h.set_path(name).unwrap();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    *h.as_bytes()
}

/// `prefix`, then an endless run of `b'a'`, counting what was read.
struct Huge {
    prefix: Vec<u8>,
    read: u64,
}

impl Read for Huge {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let at = usize::try_from(self.read).unwrap();
        let n = if at < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - at);
            buf[..n].copy_from_slice(&self.prefix[at..at + n]);
            n
        } else {
            buf.fill(b'a');
            buf.len()
        };
        self.read += n as u64;
        Ok(n)
    }
}

/// A 4 GiB extension record after one good file: the file is delivered, then the walk stops
/// at the record's header without reading (or allocating) its data.
fn four_gib_record(kind: tar::EntryType, record: &str, limit: u64) {
    let mut b = tar_builder();
    add_file(&mut b, "first.txt", b"hello");
    let mut prefix = b.into_inner().unwrap();
    prefix.truncate(1024); // header + one data block, no end-of-archive marker
    prefix.extend_from_slice(&header("././@LongLink", kind, 4 << 30));
    let mut src = Huge { prefix, read: 0 };
    let mut seen = Vec::new();
    let res = walk(&mut src, |mut e| {
        let mut content = Vec::new();
        e.read_to_end(&mut content).unwrap();
        seen.push((e.path().as_bstr().to_string(), content));
        Ok::<_, LayerError>(Flow::Continue)
    });
    assert_eq!(seen, [("first.txt".to_owned(), b"hello".to_vec())]);
    let err = res.unwrap_err();
    assert!(matches!(err, LayerError::Tar { offset: 1024, .. }), "{err:?}");
    let cause = find_cause::<RecordTooLarge>(&err).expect("a RecordTooLarge cause");
    assert_eq!((cause.record, cause.size, cause.limit), (record, 4 << 30, limit));
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(
        format!("{err}: {source}"),
        format!(
            "corrupt tar archive in the 512-byte block at byte offset 1024: the {record} is 4294967296 bytes, over the limit of {limit} bytes read into memory; the rest of the archive was not read"
        )
    );
    // Bounded: nothing of the record's 4 GiB was read, so nothing of it was allocated.
    assert_eq!(src.read, 1536);
}

#[test]
fn a_4_gib_gnu_long_name_is_refused_before_it_is_read() {
    four_gib_record(tar::EntryType::GNULongName, "GNU long name", MAX_LONG_NAME_BYTES);
}

#[test]
fn a_4_gib_gnu_long_link_is_refused_before_it_is_read() {
    four_gib_record(tar::EntryType::GNULongLink, "GNU long link", MAX_LONG_NAME_BYTES);
}

#[test]
fn a_4_gib_pax_header_is_refused_before_it_is_read() {
    four_gib_record(tar::EntryType::XHeader, "PAX extension header", MAX_PAX_BYTES);
}

#[test]
fn a_long_name_just_under_the_cap_is_honoured() {
    let name = format!("dir/{}", "n".repeat(usize::try_from(MAX_LONG_NAME_BYTES).unwrap() - 5));
    let mut b = tar_builder();
    add_file(&mut b, &name, b"data");
    let (seen, res) = walk_all(&b.into_inner().unwrap()[..], &Limits::default());
    res.unwrap();
    assert_eq!(paths(&seen), [name.as_str()]);
    assert_eq!(seen[0].content, b"data");
}

/// A regular-file entry named `name` storing `data`, after PAX `records`.
fn pax_entry(records: &[(&str, &[u8])], name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar_builder();
    b.append_pax_extensions(records.iter().copied()).unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_path(name).unwrap();
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
    add_file(&mut b, "after", b"x");
    b.into_inner().unwrap()
}

/// The expanded content of the sparse fixtures: `abcd` at 0, `SECRET` at 1024, 2048 bytes.
fn expanded() -> Vec<u8> {
    let mut v = vec![0u8; 2048];
    v[..4].copy_from_slice(b"abcd");
    v[1024..1030].copy_from_slice(b"SECRET");
    v
}

fn assert_expanded(layer: &[u8], name: &str) {
    for (label, r) in readers(layer) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap();
        assert_eq!(paths(&seen), [name, "after"], "{label}");
        assert_eq!(seen[0].meta.size(), 2048, "{label}");
        assert!(seen[0].content == expanded(), "{label}: holes read as zeros at their offsets");
        assert!(seen[0].meta.issues().is_empty(), "{label}");
        assert_eq!(seen[1].content, b"x", "{label}");
    }
}

#[test]
fn pax_sparse_1_0_is_expanded_under_its_real_name() {
    let mut data = b"2\n0\n4\n1024\n6\n".to_vec();
    data.resize(512, 0);
    data.extend_from_slice(b"abcdSECRET");
    let layer = pax_entry(
        &[
            ("GNU.sparse.major", b"1"),
            ("GNU.sparse.minor", b"0"),
            ("GNU.sparse.name", b"var/lib/app/db.sqlite"),
            ("GNU.sparse.realsize", b"2048"),
        ],
        "var/lib/app/GNUSparseFile.0/db.sqlite",
        &data,
    );
    assert_expanded(&layer, "var/lib/app/db.sqlite");
}

#[test]
fn pax_sparse_0_1_is_expanded() {
    let layer = pax_entry(
        &[
            ("GNU.sparse.size", b"2048"),
            ("GNU.sparse.numblocks", b"2"),
            ("GNU.sparse.map", b"0,4,1024,6"),
            ("GNU.sparse.name", b"data/disk.img"),
        ],
        "GNUSparseFile.1/disk.img",
        b"abcdSECRET",
    );
    assert_expanded(&layer, "data/disk.img");
}

#[test]
fn pax_sparse_0_0_is_expanded() {
    let layer = pax_entry(
        &[
            ("GNU.sparse.size", b"2048"),
            ("GNU.sparse.numblocks", b"2"),
            ("GNU.sparse.offset", b"0"),
            ("GNU.sparse.numbytes", b"4"),
            ("GNU.sparse.offset", b"1024"),
            ("GNU.sparse.numbytes", b"6"),
        ],
        "disk.img",
        b"abcdSECRET",
    );
    assert_expanded(&layer, "disk.img");
}

#[test]
fn an_invalid_pax_sparse_map_is_delivered_as_stored_and_flagged() {
    let layer = pax_entry(
        &[("GNU.sparse.size", b"2048"), ("GNU.sparse.map", b"0,4,x")],
        "disk.img",
        b"abcdSECRET",
    );
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    res.unwrap();
    assert_eq!(seen[0].meta.issues(), [EntryIssue::PaxSparse]);
    assert_eq!(seen[0].content, b"abcdSECRET");
}

#[test]
fn a_pax_sparse_map_that_does_not_match_the_data_is_a_tar_error() {
    let layer = pax_entry(
        &[("GNU.sparse.size", b"2048"), ("GNU.sparse.map", b"0,4,1024,600")],
        "disk.img",
        b"abcdSECRET",
    );
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    assert!(seen.is_empty());
    let err = res.unwrap_err();
    assert!(
        matches!(err, LayerError::Tar { offset: 1024, .. }),
        "the entry header after the PAX record: {err:?}"
    );
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("the sparse map lists 604 bytes of data, the entry stores 10"),
        "{err:?}"
    );
}

#[test]
fn data_stored_by_entries_without_content_is_delivered_and_flagged() {
    let mut b = tar_builder();
    // Header-only types (directories, FIFOs, links, devices) are another matter: a
    // runtime reads their "data" as headers (see `hostile.rs`).
    for (name, kind) in
        [("app/.wh.old.env", tar::EntryType::Regular), ("weird", tar::EntryType::new(b'Z'))]
    {
        let data = format!("hidden in {name}");
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data.as_bytes()).unwrap();
    }
    add_dir(&mut b, "empty/");
    let (seen, res) = walk_all(&b.into_inner().unwrap()[..], &Limits::default());
    res.unwrap();
    let delivered: Vec<(String, bool, Vec<EntryIssue>, String)> = seen
        .iter()
        .map(|s| {
            (
                s.meta.path().as_bstr().to_string(),
                s.meta.has_content(),
                s.meta.issues().to_vec(),
                String::from_utf8(s.content.clone()).unwrap(),
            )
        })
        .collect();
    let flagged = |name: &str, raw: &str| {
        (name.to_owned(), true, vec![EntryIssue::UnexpectedData], format!("hidden in {raw}"))
    };
    assert_eq!(
        delivered,
        [
            flagged("app/.wh.old.env", "app/.wh.old.env"),
            flagged("weird", "weird"),
            ("empty".to_owned(), false, vec![], String::new()),
        ]
    );
}

#[test]
fn a_sparse_map_over_the_segment_cap_is_refused() {
    let mut data = format!("{}\n", layerleak_layer::MAX_SPARSE_SEGMENTS + 1).into_bytes();
    data.resize(512, 0);
    let layer = pax_entry(
        &[("GNU.sparse.major", b"1"), ("GNU.sparse.minor", b"0"), ("GNU.sparse.realsize", b"1")],
        "GNUSparseFile.0/f",
        &data,
    );
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    assert!(seen.is_empty());
    let err = res.unwrap_err();
    let cause = find_cause::<RecordTooLarge>(&err).expect("a RecordTooLarge cause");
    assert_eq!(
        (cause.record, cause.size, cause.unit, cause.limit),
        ("PAX sparse map", 65_537, "segments", 65_536)
    );
}
