//! Sniffing, multi-member gzip, multi-frame zstd, bombs, truncation.

use std::io::{self, Read};

use layerleak_layer::{
    Compression, DecodeError, LayerError, LimitExceeded, Limits, decompress, find_cause,
};

use crate::common::*;

fn read_all<R: Read>(mut r: R) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    r.read_to_end(&mut v).map(|_| v)
}

fn layer_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar_builder();
    for (p, d) in files {
        add_file(&mut b, p, d);
    }
    b.into_inner().unwrap()
}

#[test]
fn sniffs_each_compression_from_bytes() {
    let tar = layer_of(&[("a", b"x".to_vec())]);
    for (blob, want) in [
        (gzip(&tar), Compression::Gzip),
        (zstd(&tar), Compression::Zstd),
        (tar.clone(), Compression::None),
    ] {
        assert_eq!(Compression::sniff(&blob), want);
        for (label, r) in readers(&blob) {
            let d = decompress(r, &Limits::default()).unwrap();
            assert_eq!(d.compression(), want, "{label}");
            assert_eq!(read_all(d).unwrap(), tar, "{label}");
        }
    }
}

#[test]
fn multi_member_gzip_yields_every_member() {
    // A tar split across two gzip members, as pigz or appending tools produce.
    let tar = layer_of(&[("first", b"one".to_vec()), ("second", b"two".to_vec())]);
    let (a, b) = tar.split_at(700);
    let mut blob = gzip(a);
    blob.extend(gzip(b));
    for (label, r) in readers(&blob) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(paths(&seen), ["first", "second"], "{label}");
        assert_eq!(seen[1].content, b"two");
    }
}

#[test]
fn multi_frame_zstd_with_skippable_frame() {
    let tar = layer_of(&[("first", b"one".to_vec()), ("second", b"two".to_vec())]);
    let (a, b) = tar.split_at(1000);
    let mut blob = zstd(a);
    // A skippable frame between the two data frames.
    blob.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    blob.extend(zstd(b));
    for (label, r) in readers(&blob) {
        let (seen, res) = walk_all(r, &Limits::default());
        res.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(paths(&seen), ["first", "second"], "{label}");
    }
}

#[test]
fn uncompressed_layer() {
    let tar = layer_of(&[("etc/passwd", b"root:x:0:0".to_vec())]);
    for (label, r) in readers(&tar) {
        let (seen, res) = walk_all(r, &Limits::default());
        let summary = res.unwrap();
        assert_eq!(paths(&seen), ["etc/passwd"], "{label}");
        assert_eq!(summary.entries, 1);
        assert_eq!(summary.trailing_nonzero_bytes, 0);
    }
}

/// 100 MiB of zeros as 100 gzip members of 1 MiB each: cheap to build, ~1000:1.
fn gzip_bomb() -> Vec<u8> {
    let member = gzip(&vec![0u8; 1 << 20]);
    member.repeat(100)
}

#[test]
fn gzip_bomb_trips_the_ratio_guard_early() {
    let blob = gzip_bomb();
    let limits = Limits::default().with_max_ratio(100).with_ratio_grace_bytes(1 << 20);
    let mut d = decompress(&blob[..], &limits).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let err = loop {
        match d.read(&mut buf) {
            Ok(0) => panic!("the bomb was decompressed in full"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert!(matches!(
        find_cause::<LimitExceeded>(&err),
        Some(LimitExceeded::Ratio { limit: 100, .. })
    ));
    // Stopped long before the 100 MiB: the work is bounded by the guard, memory by the buffers.
    assert!(d.uncompressed_bytes() < 16 << 20, "{}", d.uncompressed_bytes());
    // And a walk over it reports a stream error carrying the limit.
    let err = walk_all(&blob[..], &limits).1.unwrap_err();
    assert!(matches!(err, LayerError::Stream { .. }));
    assert!(err.limit().is_some(), "{err:?}");
}

#[test]
fn zstd_bomb_trips_the_ratio_guard() {
    let frame = zstd(&vec![0u8; 8 << 20]);
    let blob = frame.repeat(16);
    let err = walk_all(&blob[..], &Limits::default()).1.unwrap_err();
    assert!(matches!(err.limit(), Some(LimitExceeded::Ratio { limit: 1000, .. })), "{err:?}");
}

#[test]
fn layer_size_limit() {
    let tar = layer_of(&[("big", noise(100_000, 3))]);
    let err =
        walk_all(&gzip(&tar)[..], &Limits::default().with_max_layer_bytes(50_000)).1.unwrap_err();
    assert!(matches!(err.limit(), Some(LimitExceeded::Size { limit: 50_000 })));
}

/// A layer of several incompressible files, so a cut lands in a predictable entry.
/// Files of 300 KB: zstd blocks hold up to 128 KiB, so a cut stream still yields whole
/// blocks (and entries) before the cut.
fn noisy_layer() -> Vec<u8> {
    layer_of(&[
        ("one", noise(300_000, 1)),
        ("two", noise(300_000, 2)),
        ("three", noise(300_000, 3)),
        ("four", noise(300_000, 4)),
    ])
}

fn check_truncated(blob: &[u8], compression: Compression) {
    let cut = &blob[..blob.len() * 6 / 10];
    for (label, r) in readers(cut) {
        let (seen, res) = walk_all(r, &Limits::default());
        let err = res.expect_err(&label);
        let LayerError::Stream { offset, source } = &err else { panic!("{label}: {err:?}") };
        assert_eq!(source.kind(), io::ErrorKind::UnexpectedEof, "{label}: {source}");
        let decode = find_cause::<DecodeError>(&err).expect("decode context");
        assert_eq!(decode.compression, compression);
        // The first entry (300 KB of 1.2 MB) was delivered whole before the error, and the
        // error comes after it.
        assert!(seen.len() >= 2, "{label}: {:?}", paths(&seen));
        assert!(seen[0].content == noise(300_000, 1), "{label}");
        assert!(*offset > 600_000, "{label}: {offset}");
    }
}

#[test]
fn truncated_gzip_is_an_eof_error_after_earlier_entries() {
    check_truncated(&gzip(&noisy_layer()), Compression::Gzip);
}

#[test]
fn truncated_zstd_is_an_eof_error_after_earlier_entries() {
    check_truncated(&zstd(&noisy_layer()), Compression::Zstd);
}

#[test]
fn corrupt_gzip_and_zstd_data_fail_cleanly() {
    for blob in [gzip(&noisy_layer()), zstd(&noisy_layer())] {
        let mut bad = blob.clone();
        let mid = bad.len() / 2;
        for b in &mut bad[mid..mid + 64] {
            *b ^= 0x5a;
        }
        let (_, res) = walk_all(&bad[..], &Limits::default());
        // Depending on where the damage lands, the decoder or the tar reader notices first;
        // either way it is an error, never a panic or a hang.
        let err = res.unwrap_err();
        assert!(
            find_cause::<DecodeError>(&err).is_some() || matches!(err, LayerError::Tar { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn source_errors_keep_their_kind() {
    let blob = gzip(&noisy_layer());
    let src = FailAfter { inner: &blob[..], after: 5000, kind: io::ErrorKind::ConnectionReset };
    let err = walk_all(src, &Limits::default()).1.unwrap_err();
    let LayerError::Stream { source, .. } = &err else { panic!("{err:?}") };
    assert_eq!(source.kind(), io::ErrorKind::ConnectionReset);
    // Sniffing failure: offset 0.
    let src = FailAfter { inner: &blob[..], after: 0, kind: io::ErrorKind::PermissionDenied };
    let err = walk_all(src, &Limits::default()).1.unwrap_err();
    assert_eq!(err.offset(), 0);
}

#[test]
fn decompressors_can_move_to_worker_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<layerleak_layer::Decompressor<std::fs::File>>();
    assert_send::<layerleak_layer::TextReader<std::fs::File>>();
    assert_send::<layerleak_layer::Resolver>();
    assert_send::<layerleak_layer::PathIndex>();
}
