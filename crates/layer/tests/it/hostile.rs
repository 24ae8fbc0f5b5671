//! Hostile tars: what a container runtime extracts is what the walk delivers, and sizes a
//! header declares cost no work beyond the bytes the archive holds.

use std::time::{Duration, Instant};

use layerleak_layer::{EntryIssue, EntryKind, Limits};
use layerleak_testutil::{base256, gnu_sparse_entry};

use crate::common::*;

/// A header block of type `kind` declaring `size` bytes.
fn header(name: &str, kind: u8, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_gnu();
    h.set_path(name).unwrap();
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(size);
    h.set_mode(0o644);
    if kind == b'1' || kind == b'2' {
        h.set_link_name("target").unwrap();
    }
    // The raw type byte: `EntryType` writes `\0` as `0`.
    h.as_mut_bytes()[156] = kind;
    h.set_cksum();
    *h.as_bytes()
}

/// A file's blocks: header and padded data.
fn file_blocks(name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar_builder();
    add_file(&mut b, name, data);
    let mut v = b.into_inner().unwrap();
    v.truncate(512 + data.len().div_ceil(512) * 512);
    v
}

/// A header-only entry of each type declares, as its "data", the blocks of a file holding
/// a token. Go's `archive/tar` (docker, containerd, podman) ignores the size of these types
/// and extracts that file; the walk used to skip the declared bytes and never saw it.
#[test]
fn header_only_types_with_a_size_are_read_as_a_runtime_reads_them() {
    let hidden = file_blocks("app/token.txt", b"token=ghp_secret\n");
    for (kind, name, expected_kind) in [
        (b'5', "etc/conf.d/", EntryKind::Dir),
        (b'6', "run/pipe", EntryKind::Other(b'6')),
        (b'3', "dev/tty9", EntryKind::Other(b'3')),
        (b'4', "dev/sda9", EntryKind::Other(b'4')),
        (b'2', "usr/lib/link", EntryKind::Symlink),
        (b'1', "usr/lib/hard", EntryKind::Hardlink),
        (0, "srv/old/", EntryKind::Dir),
    ] {
        let declared = hidden.len() as u64;
        let mut layer = header(name, kind, declared).to_vec();
        layer.extend_from_slice(&hidden);
        layer.extend_from_slice(&file_blocks("app/after.txt", b"after\n"));
        layer.extend_from_slice(&[0; 1024]);
        for (label, r) in readers(&layer) {
            let (seen, res) = walk_all(r, &Limits::default());
            res.unwrap();
            let got: Vec<_> = seen
                .iter()
                .map(|s| {
                    (
                        s.meta.path().as_bstr().to_string(),
                        s.meta.kind(),
                        s.meta.issues().to_vec(),
                        String::from_utf8_lossy(&s.content).into_owned(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                [
                    (
                        name.trim_end_matches('/').to_owned(),
                        expected_kind,
                        vec![EntryIssue::SizeIgnored { declared }],
                        String::new()
                    ),
                    (
                        "app/token.txt".to_owned(),
                        EntryKind::File,
                        vec![EntryIssue::InIgnoredData { by: 0 }],
                        "token=ghp_secret\n".to_owned()
                    ),
                    ("app/after.txt".to_owned(), EntryKind::File, vec![], "after\n".to_owned()),
                ],
                "type {kind:?}, {label}"
            );
            assert!(!seen[0].meta.has_content());
        }
    }
}

/// PAX and GNU records count whatever the header's magic says, as in Go's reader: a
/// pre-POSIX (v7) `L` record names the next entry.
#[test]
fn a_long_name_record_in_a_v7_header_names_the_next_entry() {
    let long = b"app/.wh.secret.env\0";
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(long.len() as u64);
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    layer.extend_from_slice(long);
    layer.resize(1024, 0);
    layer.extend_from_slice(&file_blocks("decoy", b""));
    layer.extend_from_slice(&[0; 1024]);
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    res.unwrap();
    assert_eq!(paths(&seen), ["app/.wh.secret.env"]);
    assert!(seen[0].meta.is_whiteout());
}

/// A header whose checksum was computed over signed bytes (old tars; Go accepts it).
#[test]
fn a_signed_header_checksum_is_accepted() {
    let mut layer = file_blocks("caf\u{e9}.txt", b"hi\n");
    let signed: i64 = layer[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { 32 } else { i64::from(b as i8) })
        .sum();
    let field = format!("{signed:06o}\0 ");
    layer[148..156].copy_from_slice(field.as_bytes());
    layer.extend_from_slice(&[0; 1024]);
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    res.unwrap();
    assert_eq!(paths(&seen), ["caf\u{e9}.txt"]);
}

/// A GNU sparse file declaring `real` bytes, whose one data segment `data` lies at
/// `at`, followed by a regular file.
fn gnu_sparse(real: u64, at: u64, data: &[u8]) -> Vec<u8> {
    let mut layer = gnu_sparse_entry("var/lib/disk.img", real, at, data);
    layer.extend_from_slice(&file_blocks("app/after.txt", b"after\n"));
    layer.extend_from_slice(&[0; 1024]);
    layer
}

/// A 2 KB layer declaring a 1 TiB sparse file: only its data segment is read (its holes
/// stand as a few zeros), the offset of its data is the file's, and the declared size is
/// flagged against the layer limit. It used to expand the terabyte of zeros.
#[test]
fn a_sparse_file_declaring_a_terabyte_costs_only_its_data() {
    let tib = 1u64 << 40;
    let at = tib - 4096;
    let layer = gnu_sparse(tib, at, b"token=ghp_secret\n");
    let limits = Limits::default().with_sparse_hole_bytes(100);
    let start = Instant::now();
    let (seen, res) = walk_all(&layer[..], &limits);
    res.unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    assert_eq!(paths(&seen), ["var/lib/disk.img", "app/after.txt"]);
    let meta = &seen[0].meta;
    assert!(meta.is_sparse());
    assert_eq!(meta.size(), tib);
    assert_eq!(
        meta.issues(),
        [EntryIssue::SizeOverLimit { declared: tib, limit: limits.max_layer_bytes }]
    );
    // 100 zeros for the leading hole, the data, 100 zeros for the trailing one.
    let mut expected = vec![0u8; 100];
    expected.extend_from_slice(b"token=ghp_secret\n");
    expected.extend_from_slice(&[0; 100]);
    assert_eq!(seen[0].content, expected);
    assert_eq!(meta.content_len(), expected.len() as u64);
    assert_eq!(meta.file_offset(0), 0);
    assert_eq!(meta.file_offset(100), at);
    assert_eq!(meta.file_offset(106), at + 6);
    assert_eq!(meta.file_offset(117), at + 17);
    assert_eq!(seen[1].content, b"after\n");
}

/// A sparse file within the limit has no issue, and short holes are delivered whole.
#[test]
fn a_small_sparse_file_reads_as_its_bytes() {
    let layer = gnu_sparse(300, 200, b"data");
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    res.unwrap();
    let meta = &seen[0].meta;
    assert!(meta.issues().is_empty());
    let mut expected = vec![0u8; 300];
    expected[200..204].copy_from_slice(b"data");
    assert_eq!(seen[0].content, expected);
    assert_eq!(meta.file_offset(201), 201);
}

/// A regular file whose base-256 size declares 2^62 bytes in a small layer: flagged
/// against the limit, and the walk ends at the cut-short data, quickly.
#[test]
fn a_base256_size_over_the_limit_is_flagged() {
    let mut h = tar::Header::new_gnu();
    h.set_path("app/huge.bin").unwrap();
    h.set_mode(0o644);
    h.as_gnu_mut().unwrap().size = base256(1 << 62);
    h.set_cksum();
    let mut layer = h.as_bytes().to_vec();
    layer.extend_from_slice(&[b'x'; 4096]);
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    assert!(res.is_err());
    assert_eq!(
        seen[0].meta.issues(),
        [EntryIssue::SizeOverLimit { declared: 1 << 62, limit: Limits::default().max_layer_bytes }]
    );
}

/// What a nested walk delivered, with each part's offset in its file.
fn parts(path: &str, data: &[u8]) -> Vec<(String, u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut notices = Vec::new();
    layerleak_layer::walk_content(path, data, &Limits::default(), |item| {
        match item {
            layerleak_layer::Item::File(mut m) => {
                let mut v = Vec::new();
                std::io::Read::read_to_end(&mut m, &mut v).unwrap();
                out.push((m.path().to_string(), m.offset(), v));
            }
            layerleak_layer::Item::Notice(n) => notices.push(n.to_string()),
            _ => unreachable!(),
        }
        Ok::<_, layerleak_layer::LayerError>(layerleak_layer::Flow::Continue)
    })
    .unwrap();
    assert!(notices.is_empty(), "{notices:?}");
    out
}

/// An executable jar: a shell stub, then a zip (`unzip` and `java -jar` accept it) with a
/// deflated token. It used to be scanned as one opaque file: the token was never seen.
/// Now the stub, each member and what follows the zip are delivered, at their offsets.
#[test]
fn an_executable_jar_behind_a_shell_stub_is_opened() {
    let stub = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\nexit 1\n".to_vec();
    let yml = b"spring:\n  token: ghp_secret_in_a_deflated_member\n".repeat(3);
    for zip in [
        crate::nested::zip_of(
            &[("META-INF/MANIFEST.MF", b"Main-Class: App\n"), ("application.yml", &yml)],
            zip::CompressionMethod::Deflated,
        ),
        crate::nested::jar_with_descriptors(&[("application.yml", &yml)], true),
    ] {
        let mut file = stub.clone();
        file.extend_from_slice(&zip);
        let got = parts("opt/app.run", &file);
        assert_eq!(got[0], ("opt/app.run".to_owned(), 0, stub.clone()));
        let member = got.iter().find(|(p, ..)| p == "opt/app.run!/application.yml").unwrap();
        assert_eq!(member.2, yml);
        // The central directory onwards, as the file's own bytes, at its offset.
        let (path, offset, rest) = got.last().unwrap();
        assert_eq!(path, "opt/app.run");
        let at = usize::try_from(*offset).unwrap();
        assert!(at > stub.len());
        assert_eq!(&file[at..], &rest[..]);
    }
}

/// A zip inside a binary, with more bytes after it: those are still delivered, at their
/// offset, and a `PK\3\4` that is no plausible header is just bytes.
#[test]
fn bytes_after_an_embedded_zip_are_delivered_at_their_offset() {
    let mut file = b"\x7fELF....PK\x03\x04 not a header".to_vec();
    file.extend_from_slice(&crate::nested::zip_of(
        &[("zoneinfo/UTC", b"TZif2")],
        zip::CompressionMethod::Stored,
    ));
    let tail = b"rodata: token=ghp_after_the_zip\n";
    file.extend_from_slice(tail);
    let got = parts("usr/bin/app", &file);
    assert!(got.iter().any(|(p, _, c)| p == "usr/bin/app!/zoneinfo/UTC" && c == b"TZif2"));
    let (path, offset, rest) = got.last().unwrap();
    assert_eq!(path, "usr/bin/app");
    assert!(rest.ends_with(tail));
    assert_eq!(&file[usize::try_from(*offset).unwrap()..], &rest[..]);
    assert_eq!(got[0].1, 0);
    assert!(got[0].2.starts_with(b"\x7fELF....PK\x03\x04 not a header"));
}

/// Inside a nested tar, entry oddities are reported too, as notices naming the member
/// (before: the nested walk read the token but said nothing of the ignored size).
#[test]
fn entry_issues_inside_a_nested_tar_are_notices() {
    let hidden = file_blocks("app/token.txt", b"token=ghp_secret\n");
    let mut inner = header("run/pipe", b'6', hidden.len() as u64).to_vec();
    inner.extend_from_slice(&hidden);
    // `../escape.txt`, written over the name field (the tar crate refuses `..`).
    let mut escape = tar::Header::new_gnu();
    escape.as_mut_bytes()[..512].copy_from_slice(&header("xx/escape.txt", b'0', 4));
    escape.as_mut_bytes()[..13].copy_from_slice(b"../escape.txt");
    escape.set_cksum();
    inner.extend_from_slice(escape.as_bytes());
    inner.extend_from_slice(&[b"out\n".as_slice(), &[0; 508]].concat());
    inner.extend_from_slice(&[0; 1024]);
    let d = crate::nested::content("backup.tar", &inner[..], &Limits::default()).unwrap();
    assert_eq!(d.file("backup.tar!/app/token.txt"), b"token=ghp_secret\n");
    let notices: Vec<(&str, &layerleak_layer::NoticeReason)> =
        d.notices.iter().map(|(p, r)| (p.as_str(), r)).collect();
    assert_eq!(
        notices,
        [
            (
                "backup.tar!/run/pipe",
                &layerleak_layer::NoticeReason::Entry(EntryIssue::SizeIgnored {
                    declared: hidden.len() as u64
                })
            ),
            (
                "backup.tar!/app/token.txt",
                &layerleak_layer::NoticeReason::Entry(EntryIssue::InIgnoredData { by: 0 })
            ),
            (
                "backup.tar!/../escape.txt",
                &layerleak_layer::NoticeReason::Entry(EntryIssue::ParentComponent)
            ),
        ]
    );
}
