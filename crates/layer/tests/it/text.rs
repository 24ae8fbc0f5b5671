//! UTF-16 views and pass-through of everything else.

use std::io::Read;

use layerleak_layer::{TextEncoding, decode_text};

use crate::common::*;

fn utf16(text: &str, be: bool, bom: bool) -> Vec<u8> {
    let mut units: Vec<u16> = Vec::new();
    if bom {
        units.push(0xfeff);
    }
    units.extend(text.encode_utf16());
    units.iter().flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
}

fn decoded(data: &[u8]) -> Vec<(TextEncoding, String)> {
    readers(data)
        .into_iter()
        .map(|(_, r)| {
            let mut t = decode_text(r).unwrap();
            let mut v = Vec::new();
            t.read_to_end(&mut v).unwrap();
            (t.encoding(), String::from_utf8_lossy(&v).into_owned())
        })
        .collect()
}

/// Long enough to cross the sniffing window and the transcoder's buffers.
fn sample() -> String {
    let mut s = String::from("[connection]\r\npassword=Pa55w0rd-ĉ€😀\r\n");
    while s.len() < 20_000 {
        s.push_str("filler line of ascii text\r\n");
    }
    s.push_str("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n");
    s
}

#[test]
fn utf16le_with_and_without_bom() {
    let text = sample();
    for bom in [true, false] {
        for (enc, s) in decoded(&utf16(&text, false, bom)) {
            assert_eq!(enc, TextEncoding::Utf16Le { bom });
            assert_eq!(s, text);
        }
    }
}

#[test]
fn utf16be_with_and_without_bom() {
    let text = sample();
    for bom in [true, false] {
        for (enc, s) in decoded(&utf16(&text, true, bom)) {
            assert_eq!(enc, TextEncoding::Utf16Be { bom });
            assert_eq!(s, text);
        }
    }
}

#[test]
fn utf8_bom_crlf_and_binary_pass_through_unchanged() {
    let mut utf8 = b"\xef\xbb\xbf".to_vec();
    utf8.extend_from_slice(sample().as_bytes());
    for data in [utf8, noise(5000, 5), Vec::new(), b"x".to_vec()] {
        for (enc, _) in decoded(&data) {
            assert_eq!(enc, TextEncoding::Bytes);
        }
        for (_, r) in readers(&data) {
            let mut out = Vec::new();
            decode_text(r).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }
}
