//! Nested archives: jar-in-jar-in-tar.gz, tgz, single gz, zip features and limits.

use std::io::{self, Cursor, Read, Write};

use layerleak_layer::{
    Flow, Item, LayerError, LimitExceeded, Limits, NestedKind, NoticeReason, walk_content,
    walk_layer,
};
use zip::write::SimpleFileOptions;

use crate::common::*;

/// What a nested walk delivered: (chain, content) for files, and notices.
#[derive(Debug, Default)]
pub(crate) struct Delivered {
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) notices: Vec<(String, NoticeReason)>,
}

impl Delivered {
    pub(crate) fn file(&self, chain: &str) -> &[u8] {
        &self
            .files
            .iter()
            .find(|(c, _)| c == chain)
            .unwrap_or_else(|| panic!("{chain} not in {:?}", self.chains()))
            .1
    }
    pub(crate) fn chains(&self) -> Vec<&str> {
        self.files.iter().map(|(c, _)| c.as_str()).collect()
    }
}

pub(crate) fn content<R: Read>(path: &str, r: R, limits: &Limits) -> Result<Delivered, LayerError> {
    let mut d = Delivered::default();
    walk_content(path, r, limits, |item| {
        match item {
            Item::File(mut m) => {
                let mut v = Vec::new();
                m.read_to_end(&mut v).expect("member reads never fail");
                d.files.push((m.path().to_string(), v));
            }
            Item::Notice(n) => d.notices.push((n.path.to_string(), n.reason)),
            _ => unreachable!(),
        }
        Ok::<_, LayerError>(Flow::Continue)
    })?;
    Ok(d)
}

/// A zip with known sizes in the local headers (a seekable writer), one method for all.
pub(crate) fn zip_of(members: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in members {
        w.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A zip written as `jar`/`ZipOutputStream` do: deflated members whose CRC and sizes are
/// only in a data descriptor after the data (flag bit 3). `extra` members are appended
/// raw: (name, method, flags, data).
pub(crate) fn jar_with_descriptors(members: &[(&str, &[u8])], signature: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in members {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        let deflated = enc.finish().unwrap();
        local_header(&mut out, name, 8, 1 << 3, 0, 0);
        out.extend_from_slice(&deflated);
        if signature {
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        }
        out.extend_from_slice(&crc(data).to_le_bytes());
        out.extend_from_slice(&u32::try_from(deflated.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    }
    end_of_central_directory(&mut out);
    out
}

pub(crate) fn crc(data: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(data);
    h.sum()
}

pub(crate) fn local_header(
    out: &mut Vec<u8>,
    name: &str,
    method: u16,
    flags: u16,
    csize: u32,
    usize_: u32,
) {
    local_header_crc(out, name, method, flags, 0, csize, usize_);
}

/// A local file header with a CRC-32.
pub(crate) fn local_header_crc(
    out: &mut Vec<u8>,
    name: &str,
    method: u16,
    flags: u16,
    crc32: u32,
    csize: u32,
    usize_: u32,
) {
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&method.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // time, date
    out.extend_from_slice(&crc32.to_le_bytes());
    out.extend_from_slice(&csize.to_le_bytes());
    out.extend_from_slice(&usize_.to_le_bytes());
    out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
}

pub(crate) fn end_of_central_directory(out: &mut Vec<u8>) {
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 18]);
}

#[test]
fn jar_in_jar_in_tar_gz_layer() {
    let inner = zip_of(
        &[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("application.yml", b"db:\n  password: hunter2\n"),
        ],
        zip::CompressionMethod::Deflated,
    );
    // Spring Boot stores nested jars uncompressed.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.add_directory("BOOT-INF/", deflated).unwrap();
    w.start_file("BOOT-INF/classes/app.properties", deflated).unwrap();
    w.write_all(b"aws.key=AKIAEXAMPLE").unwrap();
    w.start_file("BOOT-INF/lib/inner.jar", stored).unwrap();
    w.write_all(&inner).unwrap();
    w.start_file("BOOT-INF/lib/last.txt", deflated).unwrap();
    w.write_all(b"last").unwrap();
    let outer = w.finish().unwrap().into_inner();

    let mut b = tar_builder();
    add_dir(&mut b, "app/");
    add_file(&mut b, "app/app.jar", &outer);
    let layer = gzip(&b.into_inner().unwrap());

    for (label, r) in readers(&layer) {
        let mut all = Delivered::default();
        walk_layer(r, &Limits::default(), |entry| {
            if !entry.meta().has_content() {
                return Ok(Flow::Continue);
            }
            let (meta, reader) = entry.into_parts();
            let d = content(&meta.path().as_bstr().to_string(), reader, &Limits::default())?;
            all.files.extend(d.files);
            all.notices.extend(d.notices);
            Ok::<_, LayerError>(Flow::Continue)
        })
        .unwrap();
        assert_eq!(
            all.chains(),
            [
                "app/app.jar!/BOOT-INF/classes/app.properties",
                "app/app.jar!/BOOT-INF/lib/inner.jar!/META-INF/MANIFEST.MF",
                "app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml",
                "app/app.jar!/BOOT-INF/lib/last.txt",
            ],
            "{label}"
        );
        assert_eq!(
            all.file("app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml"),
            b"db:\n  password: hunter2\n"
        );
        assert!(all.notices.is_empty(), "{:?}", all.notices);
    }
}

#[test]
fn data_descriptor_jars_are_read_with_and_without_signature() {
    for signature in [true, false] {
        let inner = jar_with_descriptors(
            &[("config.json", b"{\"token\":\"abc\"}"), ("b.txt", b"bbb")],
            signature,
        );
        let outer =
            jar_with_descriptors(&[("lib/inner.jar", &inner), ("z.txt", b"zzz")], signature);
        for (label, r) in readers(&outer) {
            let d = content("x.jar", r, &Limits::default()).unwrap();
            assert_eq!(
                d.chains(),
                [
                    "x.jar!/lib/inner.jar!/config.json",
                    "x.jar!/lib/inner.jar!/b.txt",
                    "x.jar!/z.txt"
                ],
                "{label}"
            );
            assert_eq!(d.file("x.jar!/lib/inner.jar!/config.json"), b"{\"token\":\"abc\"}");
            assert!(d.notices.is_empty(), "{:?}", d.notices);
        }
    }
}

#[test]
fn zip_crate_stream_writer_output_is_read() {
    let mut w = zip::ZipWriter::new_stream(Vec::new());
    w.start_file("a.env", SimpleFileOptions::default()).unwrap();
    w.write_all(b"SECRET=1").unwrap();
    w.start_file("b.env", SimpleFileOptions::default()).unwrap();
    w.write_all(&b"SECRET=2".repeat(1000)).unwrap();
    let z = w.finish().unwrap().into_inner();
    let d = content("s.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.file("s.zip!/a.env"), b"SECRET=1");
    assert_eq!(d.file("s.zip!/b.env").len(), 8000);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
}

#[test]
fn unsupported_method_with_known_size_is_noticed_and_skipped() {
    let mut z = Vec::new();
    local_header(&mut z, "data.bz2member", 12, 0, 5, 10);
    z.extend_from_slice(b"BZh91");
    local_header_crc(&mut z, "next.txt", 0, 0, crc(b"next"), 4, 4);
    z.extend_from_slice(b"next");
    end_of_central_directory(&mut z);
    let d = content("odd.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.chains(), ["odd.zip!/next.txt"]);
    assert_eq!(d.notices.len(), 1);
    assert_eq!(d.notices[0].0, "odd.zip!/data.bz2member");
    assert!(
        matches!(&d.notices[0].1, NoticeReason::Unsupported { rest_skipped: false, feature } if feature.contains("bzip2"))
    );
}

#[test]
fn stored_member_with_descriptor_skips_the_rest_with_a_notice() {
    let mut z = Vec::new();
    local_header_crc(&mut z, "first.txt", 0, 0, crc(b"first"), 5, 5);
    z.extend_from_slice(b"first");
    local_header(&mut z, "streamed.txt", 0, 1 << 3, 0, 0);
    z.extend_from_slice(b"unknown length data");
    let d = content("s.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.chains(), ["s.zip!/first.txt"]);
    assert!(
        matches!(&d.notices[..], [(p, NoticeReason::Unsupported { rest_skipped: true, .. })] if p == "s.zip!/streamed.txt")
    );
}

#[test]
fn encrypted_member_is_noticed() {
    let mut z = Vec::new();
    local_header(&mut z, "secret.txt", 8, 1, 3, 3);
    z.extend_from_slice(b"xyz");
    end_of_central_directory(&mut z);
    let d = content("e.zip", &z[..], &Limits::default()).unwrap();
    assert!(d.files.is_empty());
    assert!(
        matches!(&d.notices[..], [(_, NoticeReason::Unsupported { feature, .. })] if feature.contains("encrypted"))
    );
}

#[test]
fn corrupt_and_truncated_zips_give_notices_not_errors() {
    let good =
        zip_of(&[("a.txt", &noise(5000, 1)), ("b.txt", b"bbbb")], zip::CompressionMethod::Deflated);
    // Corrupt the deflate data of the first member: a reserved block type (BTYPE = 11).
    let mut bad = good.clone();
    let data_at = 30
        + usize::from(u16::from_le_bytes([bad[26], bad[27]]))
        + usize::from(u16::from_le_bytes([bad[28], bad[29]]));
    bad[data_at] = 0x07;
    let d = content("bad.zip", &bad[..], &Limits::default()).unwrap();
    assert!(!d.notices.is_empty());
    assert!(
        d.notices
            .iter()
            .any(|(p, r)| p == "bad.zip!/a.txt" && matches!(r, NoticeReason::Corrupt { .. })),
        "{:?}",
        d.notices
    );
    // Known sizes: the next member is still read.
    assert_eq!(d.file("bad.zip!/b.txt"), b"bbbb");
    // Truncated in the middle of a member.
    for cut in [10, 40, 100, 3000] {
        let d = content("cut.zip", &good[..cut], &Limits::default()).unwrap();
        assert!(!d.notices.is_empty(), "{cut}");
    }
}

#[test]
fn depth_limit_delivers_the_raw_archive_with_a_notice() {
    let inner = zip_of(&[("deep.txt", b"deep")], zip::CompressionMethod::Stored);
    let outer = zip_of(&[("inner.jar", &inner)], zip::CompressionMethod::Stored);
    let d = content("o.jar", &outer[..], &Limits::default().with_max_depth(1)).unwrap();
    assert_eq!(d.chains(), ["o.jar!/inner.jar"]);
    assert_eq!(d.file("o.jar!/inner.jar"), &inner[..]);
    assert!(
        matches!(&d.notices[..], [(p, NoticeReason::DepthLimit { max_depth: 1 })] if p == "o.jar!/inner.jar")
    );
    // Depth 0: nothing is opened.
    let d = content("o.jar", &outer[..], &Limits::default().with_max_depth(0)).unwrap();
    assert_eq!(d.chains(), ["o.jar"]);
}

#[test]
fn member_size_limit_truncates_with_a_notice() {
    let z = zip_of(
        &[("big.txt", &[b'a'; 1000]), ("small.txt", b"s")],
        zip::CompressionMethod::Deflated,
    );
    let d = content("l.zip", &z[..], &Limits::default().with_max_member_bytes(100)).unwrap();
    assert_eq!(d.file("l.zip!/big.txt").len(), 100);
    assert_eq!(d.file("l.zip!/small.txt"), b"s");
    assert!(
        matches!(&d.notices[..], [(p, NoticeReason::MemberSizeLimit { limit: 100 })] if p == "l.zip!/big.txt")
    );
    // The layer file itself (depth 0) is never cut.
    let d =
        content("plain", &[b'x'; 1000][..], &Limits::default().with_max_member_bytes(10)).unwrap();
    assert_eq!(d.file("plain").len(), 1000);
}

#[test]
fn zip_bomb_member_trips_the_ratio_guard() {
    let zeros = vec![0u8; 6 << 20];
    let z =
        zip_of(&[("bomb.bin", &zeros), ("after.txt", b"after")], zip::CompressionMethod::Deflated);
    let limits = Limits::default().with_max_ratio(50).with_ratio_grace_bytes(1 << 20);
    let d = content("bomb.zip", &z[..], &limits).unwrap();
    assert!(d.file("bomb.zip!/bomb.bin").len() < 3 << 20);
    assert!(
        matches!(
            &d.notices[..],
            [(_, NoticeReason::Limit(LimitExceeded::Ratio { limit: 50, .. }))]
        ),
        "{:?}",
        d.notices
    );
    assert_eq!(d.file("bomb.zip!/after.txt"), b"after");
}

#[test]
fn gzip_bomb_inside_a_layer_file() {
    let member = gzip(&vec![0u8; 1 << 20]);
    let bomb = member.repeat(64);
    let limits = Limits::default().with_max_ratio(100).with_ratio_grace_bytes(1 << 20);
    let d = content("var/bomb.gz", &bomb[..], &limits).unwrap();
    assert!(
        matches!(&d.notices[..], [(p, NoticeReason::Limit(_))] if p == "var/bomb.gz!/bomb"),
        "{:?}",
        d.notices
    );
}

#[test]
fn tgz_and_single_gz_and_zst_members() {
    let mut b = tar_builder();
    add_file(&mut b, "./etc/secret", b"s3cr3t");
    add_dir(&mut b, "./etc/empty/");
    let tgz = gzip(&b.into_inner().unwrap());
    let single = gzip(b"plain log line token=abc");
    let zst = zstd(b"zstd member");
    let z = zip_of(
        &[("bundle.tgz", &tgz), ("logs/app.log.gz", &single), ("data.zst", &zst)],
        zip::CompressionMethod::Stored,
    );
    for (label, r) in readers(&z) {
        let d = content("w.whl", r, &Limits::default()).unwrap();
        assert_eq!(
            d.chains(),
            [
                "w.whl!/bundle.tgz!/etc/secret",
                "w.whl!/logs/app.log.gz!/app.log",
                "w.whl!/data.zst!/data"
            ],
            "{label}"
        );
        assert_eq!(d.file("w.whl!/bundle.tgz!/etc/secret"), b"s3cr3t");
        assert!(d.notices.is_empty());
    }
    assert_eq!(NestedKind::sniff(&tgz), Some(NestedKind::Gzip));
    assert_eq!(NestedKind::sniff(&z), Some(NestedKind::Zip));
}

#[test]
fn truncated_nested_tgz_notices_the_member() {
    let mut b = tar_builder();
    add_file(&mut b, "one", &noise(10_000, 1));
    add_file(&mut b, "two", &noise(10_000, 2));
    let tgz = gzip(&b.into_inner().unwrap());
    let cut = &tgz[..tgz.len() * 3 / 4];
    let d = content("a.tgz", cut, &Limits::default()).unwrap();
    assert_eq!(d.file("a.tgz!/one"), &noise(10_000, 1)[..]);
    assert!(
        d.notices.iter().any(|(p, r)| p == "a.tgz!/two"
            && matches!(r, NoticeReason::Corrupt { kind: io::ErrorKind::UnexpectedEof, .. })),
        "{:?}",
        d.notices
    );
}

#[test]
fn a_failing_layer_stream_is_an_error_not_a_notice() {
    let z = zip_of(&[("a.txt", &noise(50_000, 3))], zip::CompressionMethod::Deflated);
    let src = FailAfter { inner: &z[..], after: 20_000, kind: io::ErrorKind::ConnectionReset };
    let err = content("x.zip", src, &Limits::default()).unwrap_err();
    match err {
        LayerError::Stream { source, .. } => {
            assert_eq!(source.kind(), io::ErrorKind::ConnectionReset);
        }
        other => panic!("{other:?}"),
    }
    // The same for a plain file.
    let data = noise(50_000, 4);
    let src = FailAfter { inner: &data[..], after: 100, kind: io::ErrorKind::ConnectionReset };
    assert!(content("plain", src, &Limits::default()).is_err());
}

#[test]
fn visitor_stop_ends_the_nested_walk() {
    let z = zip_of(&[("a", b"1"), ("b", b"2")], zip::CompressionMethod::Stored);
    let mut n = 0;
    let flow = walk_content("s.zip", &z[..], &Limits::default(), |_| {
        n += 1;
        Ok::<_, LayerError>(Flow::Stop)
    })
    .unwrap();
    assert_eq!((flow, n), (Flow::Stop, 1));
}
