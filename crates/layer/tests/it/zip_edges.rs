//! Zip members that a streaming reader could lose silently: CRC mismatches, zip64 sizes,
//! unsupported methods, directories that carry data.

use std::io::{Cursor, Write};

use layerleak_layer::{Limits, NoticeReason};
use zip::write::SimpleFileOptions;

use crate::nested::{
    content, crc, end_of_central_directory, local_header, local_header_crc, zip_of,
};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn mismatch(expected: u32, data: &[u8]) -> NoticeReason {
    NoticeReason::CrcMismatch { expected, actual: crc(data) }
}

#[test]
fn a_stored_member_with_a_bad_crc_is_delivered_with_a_notice() {
    let mut z = Vec::new();
    local_header_crc(&mut z, "a.env", 0, 0, 0xDEAD_BEEF, 8, 8);
    z.extend_from_slice(b"SECRET=1");
    local_header_crc(&mut z, "b.txt", 0, 0, crc(b"bb"), 2, 2);
    z.extend_from_slice(b"bb");
    end_of_central_directory(&mut z);
    let d = content("s.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.file("s.zip!/a.env"), b"SECRET=1", "the content is still scanned");
    assert_eq!(d.file("s.zip!/b.txt"), b"bb");
    assert_eq!(d.notices, [("s.zip!/a.env".to_owned(), mismatch(0xDEAD_BEEF, b"SECRET=1"))]);
}

#[test]
fn a_deflated_member_with_a_bad_crc_in_its_local_header() {
    let mut z =
        zip_of(&[("a.env", b"SECRET=1"), ("b.txt", b"bb")], zip::CompressionMethod::Deflated);
    let good = u32::from_le_bytes([z[14], z[15], z[16], z[17]]);
    assert_eq!(good, crc(b"SECRET=1"));
    z[14..18].copy_from_slice(&0x0102_0304u32.to_le_bytes());
    let d = content("s.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.file("s.zip!/a.env"), b"SECRET=1");
    assert_eq!(d.file("s.zip!/b.txt"), b"bb");
    assert_eq!(d.notices, [("s.zip!/a.env".to_owned(), mismatch(0x0102_0304, b"SECRET=1"))]);
}

#[test]
fn a_deflated_member_with_a_bad_crc_in_its_data_descriptor() {
    for signature in [true, false] {
        let mut z = Vec::new();
        for (name, data, stored_crc) in
            [("a.env", &b"SECRET=1"[..], 7u32), ("b.txt", &b"bb"[..], crc(b"bb"))]
        {
            let deflated = deflate(data);
            local_header(&mut z, name, 8, 1 << 3, 0, 0);
            z.extend_from_slice(&deflated);
            if signature {
                z.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            }
            z.extend_from_slice(&stored_crc.to_le_bytes());
            z.extend_from_slice(&u32::try_from(deflated.len()).unwrap().to_le_bytes());
            z.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        }
        end_of_central_directory(&mut z);
        let d = content("j.jar", &z[..], &Limits::default()).unwrap();
        assert_eq!(d.chains(), ["j.jar!/a.env", "j.jar!/b.txt"], "signature {signature}");
        assert_eq!(d.notices, [("j.jar!/a.env".to_owned(), mismatch(7, b"SECRET=1"))]);
    }
}

#[test]
fn a_bad_crc_is_found_even_in_content_the_scan_did_not_read() {
    // A nested zip is read up to its central directory; the CRC still covers the rest.
    let inner = zip_of(&[("x.txt", b"x")], zip::CompressionMethod::Stored);
    let mut z = Vec::new();
    local_header_crc(
        &mut z,
        "inner.zip",
        0,
        0,
        42,
        u32::try_from(inner.len()).unwrap(),
        u32::try_from(inner.len()).unwrap(),
    );
    z.extend_from_slice(&inner);
    end_of_central_directory(&mut z);
    let d = content("o.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.chains(), ["o.zip!/inner.zip!/x.txt"]);
    assert_eq!(d.notices, [("o.zip!/inner.zip".to_owned(), mismatch(42, &inner))]);
}

#[test]
fn zip64_members_are_read() {
    for method in [zip::CompressionMethod::Stored, zip::CompressionMethod::Deflated] {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in [("big.env", &b"SECRET=64"[..]), ("next.txt", b"next")] {
            let opts = SimpleFileOptions::default().compression_method(method).large_file(true);
            w.start_file(name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        let z = w.finish().unwrap().into_inner();
        let d = content("z64.zip", &z[..], &Limits::default()).unwrap();
        assert_eq!(d.file("z64.zip!/big.env"), b"SECRET=64", "{method:?}");
        assert_eq!(d.file("z64.zip!/next.txt"), b"next", "{method:?}");
        assert!(d.notices.is_empty(), "{method:?}: {:?}", d.notices);
    }
}

#[test]
fn every_unsupported_method_is_noticed_by_name_and_the_rest_is_read() {
    for (method, name) in [
        (12u16, "bzip2"),
        (14, "lzma"),
        (93, "zstd"),
        (95, "xz"),
        (9, "deflate64"),
        (99, "AES encryption"),
        (77, "unknown"),
    ] {
        let mut z = Vec::new();
        local_header(&mut z, "packed.bin", method, 0, 6, 12);
        z.extend_from_slice(b"\x01\x02\x03\x04\x05\x06");
        local_header_crc(&mut z, "next.txt", 0, 0, crc(b"next"), 4, 4);
        z.extend_from_slice(b"next");
        end_of_central_directory(&mut z);
        let d = content("m.zip", &z[..], &Limits::default()).unwrap();
        assert_eq!(d.chains(), ["m.zip!/next.txt"], "{name}");
        assert_eq!(
            d.notices,
            [(
                "m.zip!/packed.bin".to_owned(),
                NoticeReason::Unsupported {
                    feature: format!("zip compression method {method} ({name})"),
                    rest_skipped: false
                }
            )],
            "{name}"
        );
    }
}

#[test]
fn an_encrypted_member_with_a_descriptor_reports_the_rest_as_skipped() {
    let mut z = Vec::new();
    local_header(&mut z, "secret.txt", 8, 1 | (1 << 3), 0, 0);
    z.extend_from_slice(b"encrypted bytes of unknown length");
    let d = content("e.zip", &z[..], &Limits::default()).unwrap();
    assert!(d.files.is_empty());
    assert_eq!(
        d.notices,
        [(
            "e.zip!/secret.txt".to_owned(),
            NoticeReason::Unsupported {
                feature: "an encrypted zip member".to_owned(),
                rest_skipped: true
            }
        )]
    );
}

#[test]
fn a_directory_entry_that_carries_data_is_scanned() {
    let mut z = Vec::new();
    local_header_crc(&mut z, "conf/", 0, 0, crc(b"SECRET=dir"), 10, 10);
    z.extend_from_slice(b"SECRET=dir");
    local_header(&mut z, "empty/", 0, 0, 0, 0);
    end_of_central_directory(&mut z);
    let d = content("d.zip", &z[..], &Limits::default()).unwrap();
    assert_eq!(d.chains(), ["d.zip!/conf"]);
    assert_eq!(d.file("d.zip!/conf"), b"SECRET=dir");
    assert!(d.notices.is_empty(), "{:?}", d.notices);
}
