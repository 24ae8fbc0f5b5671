//! Secrets straddling the 64 KiB, 1 MiB and 8 MiB offsets of a layer's decompressed
//! stream (and of the file holding them): each found once, at its exact file offset, in
//! gzip, zstd and uncompressed layers alike.

use serde_json::json;

use crate::common::assert_redacted;
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history};
use crate::scan::{finding, layer_locations, loc, scan_json};

/// Checksum-valid GitHub tokens, one per boundary.
const AT_64K: &str = "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";
const AT_1M: &str = "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";
const AT_8M: &str = "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";
const AT_FILE_64K: &str = "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";
const AT_FILE_1M: &str = "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";
const AT_FILE_8M: &str = "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";

/// The file's content starts after its one 512-byte tar header (a short name, no PAX or
/// GNU long-name entry).
const HEADER: usize = 512;
const KIB64: usize = 64 << 10;
const MIB1: usize = 1 << 20;
const MIB8: usize = 8 << 20;
const FILE_SIZE: usize = 9 << 20;

/// Text that is no secret and compresses only about 2:1, so no decompression limit trips:
/// short "words" of `a`–`h` and digits (no rule keyword can form), spaces, newlines.
fn filler(len: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcdefgh0123456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len);
    let mut word = 0;
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let r = usize::try_from(state % 1024).unwrap();
        if word >= 6 {
            out.push(if r % 9 == 0 { b'\n' } else { b' ' });
            word = 0;
        } else {
            out.push(ALPHABET[r % ALPHABET.len()]);
            word += 1;
        }
    }
    out
}

/// `(secret, offset in the file)`: a token 10 bytes before each boundary of the layer
/// stream, and another 10 bytes before the same boundary of the file.
fn placements() -> [(&'static str, usize); 6] {
    [
        (AT_64K, KIB64 - 10 - HEADER),
        (AT_FILE_64K, KIB64 - 10),
        (AT_1M, MIB1 - 10 - HEADER),
        (AT_FILE_1M, MIB1 - 10),
        (AT_8M, MIB8 - 10 - HEADER),
        (AT_FILE_8M, MIB8 - 10),
    ]
}

fn big_file() -> Vec<u8> {
    let mut data = filler(FILE_SIZE);
    for (secret, at) in placements() {
        // Spaces around the token: word boundaries, whatever the filler has there.
        data[at - 1] = b' ';
        data[at..at + secret.len()].copy_from_slice(secret.as_bytes());
        data[at + secret.len()] = b' ';
    }
    data
}

#[test]
fn tokens_across_64k_1m_8m_boundaries_are_found_once_at_their_offsets() {
    let data = big_file();
    let tars: Vec<Vec<u8>> = ["a/big.bin", "b/big.bin", "c/big.bin"]
        .iter()
        .map(|path| layer(vec![E::File(path, data.clone())]))
        .collect();
    // The layout the offsets assume: content right after one header.
    for tar in &tars {
        for (secret, at) in placements() {
            assert_eq!(&tar[HEADER + at..HEADER + at + secret.len()], secret.as_bytes());
        }
    }
    assert_eq!(&tars[0][KIB64 - 10..KIB64 + 30], AT_64K.as_bytes());
    assert_eq!(&tars[0][MIB8 - 10..MIB8 + 30], AT_8M.as_bytes());
    let layers =
        [LayerBlob::gzip(&tars[0]), LayerBlob::zstd(&tars[1]), LayerBlob::plain(tars[2].clone())];
    drop(tars);
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(3), &layers), &layers);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{doc:#}");
    assert_eq!(doc["complete"], true, "{doc:#}");
    assert_eq!(doc["issues"], json!([]));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 6, "{doc:#}");
    for (secret, at) in placements() {
        let f = finding(&doc, secret);
        assert_eq!(f["rule_id"], "layerleak.github.1", "{secret}");
        assert_eq!(
            layer_locations(f),
            [
                loc(0, "a/big.bin", "present_in_final", None),
                loc(1, "b/big.bin", "present_in_final", None),
                loc(2, "c/big.bin", "present_in_final", None),
            ],
            "{secret}"
        );
        let offsets: Vec<u64> = f["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["offset"].as_u64().unwrap())
            .collect();
        assert_eq!(offsets, [at as u64; 3], "{secret}");
    }

    let secrets: Vec<&str> = placements().iter().map(|(s, _)| *s).collect();
    assert_redacted(dir.path(), &[], 1, &secrets);
}
