//! The tar walk: kinds, long names, whiteouts, traversal, corrupt headers, flow control.

use std::io::{self, Read};

use layerleak_layer::{
    EntryIssue, EntryKind, Flow, LayerError, Limits, Whiteout, walk, walk_layer,
};

use crate::common::*;

#[test]
fn entries_in_order_with_kinds_and_links() {
    let mut b = tar_builder();
    add_dir(&mut b, "./etc/");
    add_file(&mut b, "./etc/shadow", b"root:$6$hash");
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, "etc/shadow.link", "../etc/shadow").unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Link);
    h.set_size(0);
    b.append_link(&mut h, "etc/shadow.hard", "./etc/shadow").unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Fifo);
    h.set_size(0);
    b.append_data(&mut h, "run/fifo", io::empty()).unwrap();
    let layer = gzip(&b.into_inner().unwrap());

    for (label, r) in readers(&layer) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap();
        assert_eq!(
            paths(&seen),
            ["etc", "etc/shadow", "etc/shadow.link", "etc/shadow.hard", "run/fifo"],
            "{label}"
        );
        let kinds: Vec<EntryKind> = seen.iter().map(|s| s.meta.kind()).collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Dir,
                EntryKind::File,
                EntryKind::Symlink,
                EntryKind::Hardlink,
                EntryKind::Other(b'6')
            ]
        );
        assert_eq!(seen[1].content, b"root:$6$hash");
        assert_eq!(seen[1].meta.mode(), 0o644);
        assert!(seen[1].meta.has_content());
        // Symlink targets are verbatim; hard link targets are normalised archive paths.
        assert_eq!(seen[2].meta.link_target().unwrap(), "../etc/shadow");
        assert_eq!(seen[3].meta.link_target().unwrap(), "etc/shadow");
        // Links carry no content, so nothing is scanned twice.
        assert!(seen[2].content.is_empty() && seen[3].content.is_empty());
        assert!(!seen[2].meta.has_content() && !seen[3].meta.has_content());
    }
}

#[test]
fn whiteouts_and_opaque_dirs() {
    let mut b = tar_builder();
    add_file(&mut b, "app/.wh.secret.env", b"");
    add_file(&mut b, "cache/.wh..wh..opq", b"");
    add_file(&mut b, ".wh..wh..opq", b"");
    add_file(&mut b, "app/.wh..wh.plnk", b"");
    let layer = b.into_inner().unwrap();
    let (seen, res) = walk_all(&layer[..], &Limits::default());
    res.unwrap();
    let wh: Vec<Option<Whiteout>> = seen.iter().map(|s| s.meta.whiteout().cloned()).collect();
    assert_eq!(
        wh,
        [
            Some(Whiteout::File("app/secret.env".into())),
            Some(Whiteout::Opaque("cache".into())),
            Some(Whiteout::Opaque("".into())),
            None,
        ]
    );
    assert!(seen[0].meta.is_whiteout() && !seen[0].meta.is_opaque_whiteout());
    assert!(seen[1].meta.is_opaque_whiteout());
    assert!(!seen[0].meta.has_content());
}

fn long_name() -> String {
    format!("opt/{}/deeply/nested/config/credentials.json", "very-long-directory-name".repeat(6))
}

#[test]
fn gnu_long_names_and_long_link_targets() {
    let name = long_name();
    assert!(name.len() > 100);
    let mut b = tar_builder();
    add_file(&mut b, &name, b"{\"key\":\"v\"}");
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, "short", &name).unwrap();
    let layer = b.into_inner().unwrap();
    for (label, r) in readers(&layer) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap();
        assert_eq!(paths(&seen), [name.as_str(), "short"], "{label}");
        assert_eq!(seen[0].content, b"{\"key\":\"v\"}");
        assert_eq!(seen[1].meta.link_target().unwrap(), name.as_str());
    }
}

#[test]
fn pax_long_path() {
    let name = long_name();
    let mut b = tar_builder();
    b.append_pax_extensions([("path", name.as_bytes())]).unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_path("truncated-name").unwrap();
    h.set_size(5);
    h.set_mode(0o600);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, &b"s3cr3"[..]).unwrap();
    add_file(&mut b, "after", b"x");
    let layer = b.into_inner().unwrap();
    for (label, r) in readers(&layer) {
        let (seen, res) = walk_all(r, &Limits::default());
        assert_eq!(res.unwrap().entries, 2);
        assert_eq!(paths(&seen), [name.as_str(), "after"], "{label}");
        assert_eq!(seen[0].content, b"s3cr3");
        assert_eq!(seen[0].meta.mode(), 0o600);
    }
}

#[test]
fn pax_sparse_is_flagged() {
    let mut b = tar_builder();
    b.append_pax_extensions([("GNU.sparse.major", &b"1"[..]), ("GNU.sparse.minor", b"0")]).unwrap();
    add_file(&mut b, "disk.img", b"data");
    let (seen, res) = walk_all(&b.into_inner().unwrap()[..], &Limits::default());
    res.unwrap();
    assert_eq!(seen[0].meta.issues(), [EntryIssue::PaxSparse]);
    assert_eq!(seen[0].content, b"data");
}

#[test]
fn path_traversal_is_flagged_and_still_scanned() {
    let mut b = tar_builder();
    raw_tar_entry(&mut b, b"../../etc/passwd", b"root::0:0");
    raw_tar_entry(&mut b, b"/abs/key", b"k");
    raw_tar_entry(&mut b, b"./dir//./x", b"y");
    let layer = b.into_inner().unwrap();
    for (label, r) in readers(&layer) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap();
        assert_eq!(paths(&seen), ["../../etc/passwd", "abs/key", "dir/x"], "{label}");
        assert_eq!(seen[0].meta.issues(), [EntryIssue::ParentComponent]);
        assert_eq!(seen[0].content, b"root::0:0");
        assert_eq!(seen[1].meta.issues(), [EntryIssue::AbsolutePath]);
        assert!(seen[2].meta.issues().is_empty());
    }
}

#[test]
fn corrupt_header_mid_stream_names_its_offset() {
    let mut b = tar_builder();
    add_file(&mut b, "first", &noise(1000, 1));
    add_file(&mut b, "second", b"never delivered");
    add_file(&mut b, "third", b"nor this");
    let mut layer = b.into_inner().unwrap();
    // "first" is a 512-byte header plus 1000 bytes padded to 1024: the second header is at
    // 1536. Corrupt its checksum.
    let second = 1536;
    assert_eq!(&layer[second..second + 6], b"second");
    layer[second + 148] ^= 0x01;
    for blob in [layer.clone(), gzip(&layer), zstd(&layer)] {
        for (label, r) in readers(&blob) {
            let (seen, res) = walk_all(r, &Limits::default());
            assert_eq!(paths(&seen), ["first"], "{label}");
            assert_eq!(seen[0].content, noise(1000, 1));
            match res {
                Err(LayerError::Tar { offset, .. }) => assert_eq!(offset, second as u64, "{label}"),
                other => panic!("{label}: {other:?}"),
            }
        }
    }
}

#[test]
fn garbage_input_is_an_error_not_a_panic() {
    for len in [1usize, 100, 511, 512, 513, 5000] {
        let junk = noise(len, len as u64);
        let (_, res) = walk_all(&junk[..], &Limits::default());
        // Short inputs can be "a truncated block"; longer ones fail the checksum.
        assert!(matches!(res, Err(LayerError::Tar { .. })), "{len}: {res:?}");
    }
}

#[test]
fn visitor_can_stop_and_errors_propagate() {
    let mut b = tar_builder();
    add_file(&mut b, "a", b"1");
    add_file(&mut b, "b", b"2");
    let layer = b.into_inner().unwrap();
    let mut n = 0;
    let summary = walk(&layer[..], |_e| {
        n += 1;
        Ok::<_, LayerError>(Flow::Stop)
    })
    .unwrap();
    assert!(summary.stopped);
    assert_eq!((n, summary.entries), (1, 1));

    #[derive(Debug)]
    enum MyError {
        Layer(#[allow(dead_code)] LayerError),
        Mine,
    }
    impl From<LayerError> for MyError {
        fn from(e: LayerError) -> Self {
            MyError::Layer(e)
        }
    }
    let err = walk(&layer[..], |_e| Err::<Flow, _>(MyError::Mine)).unwrap_err();
    assert!(matches!(err, MyError::Mine));
}

#[test]
fn stream_failure_while_visitor_reads_wins_over_visitor_error() {
    let mut b = tar_builder();
    add_file(&mut b, "big", &noise(50_000, 9));
    let layer = b.into_inner().unwrap();
    let src =
        FailAfter { inner: &layer[..], after: 10_000, kind: io::ErrorKind::ConnectionAborted };
    let err = walk_layer(src, &Limits::default(), |mut e| {
        let mut v = Vec::new();
        // The visitor turns the read error into its own error.
        e.read_to_end(&mut v)
            .map_err(|_| LayerError::Tar { offset: 999, source: io::Error::other("x") })?;
        Ok(Flow::Continue)
    })
    .unwrap_err();
    match err {
        LayerError::Stream { offset, source } => {
            assert_eq!(offset, 10_000);
            assert_eq!(source.kind(), io::ErrorKind::ConnectionAborted);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn trailing_data_is_read_and_counted() {
    let mut b = tar_builder();
    add_file(&mut b, "a", b"1");
    let mut layer = b.into_inner().unwrap();
    let tar_len = layer.len() as u64;
    layer.extend_from_slice(b"hidden after the end");
    layer.extend_from_slice(&[0u8; 100]);
    let (_, res) = walk_all(&gzip(&layer)[..], &Limits::default());
    let s = res.unwrap();
    assert_eq!(s.tar_bytes + s.trailing_bytes, tar_len + 120);
    assert_eq!(s.trailing_nonzero_bytes, 20);
}

#[test]
fn empty_and_zero_layers() {
    for blob in [Vec::new(), vec![0u8; 1024], gzip(&[0u8; 1024]), gzip(&[])] {
        let (seen, res) = walk_all(&blob[..], &Limits::default());
        assert!(seen.is_empty());
        assert_eq!(res.unwrap().entries, 0);
    }
}
