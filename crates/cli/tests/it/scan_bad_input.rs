//! Bad input through `layerleak scan`: each is exit 2 with an issue or error naming image,
//! layer and path where they apply; every other layer is still scanned and reported; no
//! panic, no unbounded time or memory.

use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{assert_redacted, layerleak, run, stderr, stdout};
use crate::fixtures::{
    E, LayerBlob, Layout, OCI_CONFIG, config, digest, docker_save_layout, docker_save_oci, layer,
    oci_dir, sha256_hex, simple_history,
};
use crate::scan::{finding, layer_locations, loc, scan_json};

const GH: &str = "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";
const GH_2: &str = "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";
const NPM: &str = "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";

/// Pseudo-random bytes: barely compressible, so a truncated compressed stream ends in the
/// middle of the file holding them.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x2545_F491;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// A good layer before and after the bad one: `GH` in layer 0 at `app/a.txt`, `NPM` in
/// layer 2 at `app/c.txt`.
fn good_before() -> LayerBlob {
    LayerBlob::gzip(&layer(vec![E::File("app/a.txt", format!("{GH}\n").into_bytes())]))
}

fn good_after() -> LayerBlob {
    LayerBlob::plain(layer(vec![E::File("app/c.txt", format!("{NPM}\n").into_bytes())]))
}

fn issues(doc: &Value) -> &Vec<Value> {
    doc["issues"].as_array().unwrap()
}

/// The good layers around a bad layer 1 are scanned and reported.
fn assert_good_layers_reported(doc: &Value) {
    assert_eq!(layer_locations(finding(doc, GH)), [loc(0, "app/a.txt", "present_in_final", None)]);
    assert_eq!(layer_locations(finding(doc, NPM)), [loc(2, "app/c.txt", "present_in_final", None)]);
}

/// An OCI layout of the three layers, with `bad` in the middle.
fn three_layer_dir(bad: &LayerBlob) -> tempfile::TempDir {
    let layers = [good_before(), bad.clone(), good_after()];
    oci_dir(&config("linux/amd64", &[], json!({}), simple_history(3), &layers), &layers)
}

#[test]
fn truncated_zstd_layer_is_an_issue_naming_layer_and_path() {
    let tar = layer(vec![
        E::File("app/small.txt", b"hello\n".to_vec()),
        E::File("app/big.bin", noise(600_000)),
    ]);
    let mut bad = LayerBlob::zstd(&tar);
    bad.stored.truncate(bad.stored.len() / 2);
    let dir = three_layer_dir(&bad);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(doc["complete"], false);
    let issues = issues(&doc);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["image"], doc["images"][0]["name"]);
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&bad.stored));
    assert_eq!(issues[0]["path"], "app/big.bin");
    assert_good_layers_reported(&doc);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2, "{doc:#}");
    assert!(stderr(&o).contains("incomplete"), "{}", stderr(&o));

    let text = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(text.status.code(), Some(2));
    assert!(stdout(&text).contains("layer 1"), "{}", stdout(&text));
    assert!(stdout(&text).contains("app/big.bin"), "{}", stdout(&text));
    assert_redacted(dir.path(), &[], 2, &[GH, NPM]);
}

/// The scan verifies each blob's digest, which proves every compressed byte, so it does
/// not check gzip CRCs again: a layer whose CRC is wrong but whose digest is right (what
/// its author published) is scanned in full and complete.
#[test]
fn gzip_crc_is_not_checked_again_in_a_digest_verified_layer() {
    let mut bad =
        LayerBlob::gzip(&layer(vec![E::File("app/b.txt", format!("{GH_2}\n").into_bytes())]));
    let crc_at = bad.stored.len() - 8;
    bad.stored[crc_at] ^= 0xff;
    let mut check = flate2::read::GzDecoder::new(&bad.stored[..]);
    assert!(io::copy(&mut check, &mut io::sink()).is_err(), "the CRC is wrong");
    let dir = three_layer_dir(&bad);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(doc["complete"], true);
    assert!(issues(&doc).is_empty(), "{:#?}", issues(&doc));
    assert_eq!(
        layer_locations(finding(&doc, GH_2)),
        [loc(1, "app/b.txt", "present_in_final", None)]
    );
    assert_good_layers_reported(&doc);
}

#[test]
fn corrupt_tar_header_mid_layer_keeps_the_entries_before_it() {
    let first = format!("token = {GH_2}\n");
    let mut tar = layer(vec![
        E::File("app/first.txt", first.clone().into_bytes()),
        E::File("app/second.txt", b"never read\n".to_vec()),
        E::File("app/third.txt", b"never read either\n".to_vec()),
    ]);
    // The second header follows the first file's header and its content, padded to 512.
    let second = 512 + first.len().div_ceil(512) * 512;
    assert_eq!(&tar[second..second + 14], b"app/second.txt");
    // Garbage in its checksum field: the header no longer verifies.
    tar[second + 148..second + 156].copy_from_slice(b"zzzzzzz\0");
    let bad = LayerBlob::gzip(&tar);
    let dir = three_layer_dir(&bad);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(doc["complete"], false);
    let issues = issues(&doc);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["image"], doc["images"][0]["name"]);
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&bad.stored));
    let reason = issues[0]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("byte offset {second}")), "{reason}");
    // The secret in the entry before the corrupt header is still reported.
    let f = finding(&doc, GH_2);
    assert_eq!(layer_locations(f), [loc(1, "app/first.txt", "present_in_final", None)]);
    assert_eq!(f["locations"][0]["offset"], 8);
    assert_good_layers_reported(&doc);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3, "{doc:#}");
    assert_redacted(dir.path(), &[], 2, &[GH, GH_2, NPM]);
}

const BAD_CONFIG: &[u8] =
    br#"{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["#;

#[test]
fn malformed_config_json_is_an_issue_naming_image_and_config() {
    let layers = [good_before(), good_after()];
    let dir = oci_dir(BAD_CONFIG, &layers);
    let o = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(all.contains(&digest(BAD_CONFIG)), "{all}");
    assert!(all.contains("malformed image config"), "{all}");
    assert!(!all.contains("panicked"), "{all}");

    // The same in a legacy docker save.
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("bad-config.tar");
    let (files, _) = docker_save_layout("example/bad:1", BAD_CONFIG, &[good_after().stored]);
    files.write_tar(&archive);
    let o = run(&["scan", archive.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(all.contains("example/bad:1"), "{all}");
    assert!(all.contains(&sha256_hex(BAD_CONFIG)), "{all}");
    assert!(all.contains("malformed image config"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn malformed_config_json_still_scans_the_layers() {
    let layers = [good_before(), good_after()];
    let dir = oci_dir(BAD_CONFIG, &layers);
    let o = run(&["scan", dir.path().to_str().unwrap(), "--format", "json", "--show-secrets"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    assert_eq!(doc["complete"], false);
    assert!(!issues(&doc).is_empty(), "{doc:#}");
    assert_eq!(layer_locations(finding(&doc, GH))[0].1, "app/a.txt");
    assert_eq!(layer_locations(finding(&doc, NPM))[0].1, "app/c.txt");
}

#[test]
fn malformed_config_of_one_platform_does_not_stop_the_others() {
    let amd = [good_before()];
    let arm = [good_after()];
    let mut layout = Layout::default();
    let mut a = layout.image(&config("linux/amd64", &[], json!({}), simple_history(1), &amd), &amd);
    a["platform"] = json!({ "os": "linux", "architecture": "amd64" });
    let config_desc = layout.blob(OCI_CONFIG, BAD_CONFIG);
    let layer_desc = layout.blob(arm[0].media_type, &arm[0].stored);
    let mut b = layout.manifest(config_desc, vec![layer_desc]);
    b["platform"] = json!({ "os": "linux", "architecture": "arm64" });
    layout.finish(vec![a, b]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());

    // The default platform never reads the broken config.
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{doc:#}");
    let o = run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--all-platforms",
        "--format",
        "json",
        "--show-secrets",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    assert_eq!(doc["complete"], false);
    assert_eq!(layer_locations(finding(&doc, GH)), [loc(0, "app/a.txt", "present_in_final", None)]);
    assert!(!issues(&doc).is_empty(), "{doc:#}");
}

/// Peak resident set size (`VmHWM`, KiB) of a running child, sampled until it exits.
fn run_measuring(args: &[&str]) -> (Output, Duration, u64) {
    let start = Instant::now();
    let mut child =
        layerleak().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).unwrap();
        v
    });
    let mut peak_kib = 0;
    let status = loop {
        // Read before reaping: a zombie has no VmHWM, a reaped pid may be reused.
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the scan does not end");
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let output =
        Output { status, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() };
    (output, elapsed, peak_kib)
}

const BOMB_PATH: &str = "bomb/zeros.bin";

/// The tar header of a `size`-byte [`BOMB_PATH`] and the number of zero bytes that follow
/// it to the end of the tar (content, padding, the two end-of-archive blocks).
fn bomb_tar_parts(size: u64) -> ([u8; 512], u64) {
    let mut h = tar::Header::new_gnu();
    h.set_path(BOMB_PATH).unwrap();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    (*h.as_bytes(), size.div_ceil(512) * 512 + 1024)
}

/// The diff_id of that tar, hashed without holding it.
fn bomb_diff_id(header: &[u8], zeros: u64) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    hasher.update(header);
    let chunk = vec![0u8; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let n = left.min(chunk.len() as u64);
        hasher.update(&chunk[..usize::try_from(n).unwrap()]);
        left -= n;
    }
    format!("sha256:{}", hasher.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Raw deflate of `input` ending with `flush`, all output drained.
fn deflate(c: &mut flate2::Compress, mut input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len() / 256 + 4096);
    loop {
        let before = c.total_in();
        let status = c.compress_vec(input, &mut out, flush).unwrap();
        input = &input[usize::try_from(c.total_in() - before).unwrap()..];
        let drained = out.len() < out.capacity();
        match flush {
            flate2::FlushCompress::Finish if status == flate2::Status::StreamEnd => return out,
            flate2::FlushCompress::Finish => {}
            _ if input.is_empty() && drained => return out,
            _ => {}
        }
        if !drained {
            out.reserve(out.capacity());
        }
    }
}

/// A gzip layer whose one file is `size` zero bytes, compressed like `gzip -6` (about
/// 1030:1) but built in seconds: after a full flush, deflate forgets its history, so every
/// flushed chunk of zeros compresses to the same bytes, which are repeated.
fn gzip_bomb(size: u64) -> LayerBlob {
    const CHUNK: usize = 4 << 20;
    let (header, zeros) = bomb_tar_parts(size);
    let chunk = vec![0u8; CHUNK];
    let full = flate2::FlushCompress::Full;
    let mut c = flate2::Compress::new(flate2::Compression::new(6), false);
    let mut deflated = deflate(&mut c, &header, full);
    let once = deflate(&mut c, &chunk, full);
    assert_eq!(deflate(&mut c, &chunk, full), once, "full flushes give identical chunks");
    let (chunks, rest) = (zeros / CHUNK as u64, usize::try_from(zeros % CHUNK as u64).unwrap());
    assert!(chunks >= 2);
    for _ in 0..chunks {
        deflated.extend_from_slice(&once);
    }
    deflated.extend(deflate(&mut c, &chunk[..rest], flate2::FlushCompress::Finish));

    let mut crc = flate2::Crc::new();
    crc.update(&header);
    let mut chunk_crc = flate2::Crc::new();
    chunk_crc.update(&chunk);
    for _ in 0..chunks {
        crc.combine(&chunk_crc);
    }
    crc.update(&chunk[..rest]);
    let mut stored = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    stored.extend(deflated);
    stored.extend(crc.sum().to_le_bytes());
    stored.extend(crc.amount().to_le_bytes());
    LayerBlob {
        stored,
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
        diff_id: bomb_diff_id(&header, zeros),
    }
}

/// A zstd layer whose one file is `size` zero bytes.
fn zstd_bomb(size: u64) -> LayerBlob {
    let (header, zeros) = bomb_tar_parts(size);
    let mut enc = zstd::Encoder::new(Vec::new(), 3).unwrap();
    enc.write_all(&header).unwrap();
    io::copy(&mut io::repeat(0).take(zeros), &mut enc).unwrap();
    LayerBlob {
        stored: enc.finish().unwrap(),
        media_type: "application/vnd.oci.image.layer.v1.tar+zstd",
        diff_id: bomb_diff_id(&header, zeros),
    }
}

fn check_bomb(bad: &LayerBlob) {
    let dir = three_layer_dir(bad);
    let path = dir.path().to_str().unwrap();
    let (o, elapsed, peak_kib) =
        run_measuring(&["scan", path, "--format", "json", "--show-secrets"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert!(peak_kib > 0, "peak RSS not measured");
    assert!(peak_kib < 128 * 1024, "peak RSS {peak_kib} KiB");
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["complete"], false);
    let issues = issues(&doc);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&bad.stored));
    assert_eq!(issues[0]["path"], BOMB_PATH);
    let reason = issues[0]["reason"].as_str().unwrap();
    assert!(reason.contains("ratio"), "{reason}");
    assert_good_layers_reported(&doc);
    assert_redacted(dir.path(), &[], 2, &[GH, NPM]);
}

#[test]
fn gzip_decompression_bomb_fails_fast_in_bounded_memory() {
    let bomb = gzip_bomb(200_000_000);
    // As dense as gzip gets: past the default 1000:1 limit.
    assert!(bomb.stored.len() < 200_000, "{}", bomb.stored.len());
    check_bomb(&bomb);
}

#[test]
fn zstd_decompression_bomb_fails_fast_in_bounded_memory() {
    let bomb = zstd_bomb(200_000_000);
    assert!(bomb.stored.len() < 20_000, "{}", bomb.stored.len());
    check_bomb(&bomb);
}

/// Uncompressed bytes produced before the layer stream failed, from an issue's reason.
fn failed_after(reason: &str) -> u64 {
    let (_, rest) = reason.split_once("failed after ").unwrap_or_else(|| panic!("{reason}"));
    rest.split(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{reason}"))
}

#[test]
fn zstd_decompression_bomb_stops_right_after_the_grace_bytes() {
    let dir = three_layer_dir(&zstd_bomb(100_000_000));
    let (_, doc) = scan_json(dir.path(), &[]);
    let reason = issues(&doc)[0]["reason"].as_str().unwrap().to_owned();
    assert!(failed_after(&reason) <= 16 << 20, "{reason}");
}

#[test]
fn gzip_decompression_bomb_stops_soon_after_the_grace_bytes() {
    let dir = three_layer_dir(&gzip_bomb(100_000_000));
    let (_, doc) = scan_json(dir.path(), &[]);
    let reason = issues(&doc)[0]["reason"].as_str().unwrap().to_owned();
    // Default limits: 1000:1 checked after 8 MiB; this bomb is ~1030:1 from its first byte.
    assert!(failed_after(&reason) <= 16 << 20, "{reason}");
}

#[test]
fn missing_layer_member_of_a_legacy_docker_save_is_an_issue() {
    let l0 = layer(vec![E::File("app/a.txt", format!("{GH}\n").into_bytes())]);
    let l1 = layer(vec![E::File("app/b.txt", b"harmless\n".to_vec())]);
    let l2 = good_after().stored;
    let blobs: Vec<LayerBlob> = [&l0, &l1, &l2].map(|l| LayerBlob::plain(l.clone())).into();
    let cfg = config("linux/amd64", &[], json!({}), simple_history(3), &blobs);
    let (mut files, names) = docker_save_layout("example/app:1", &cfg, &[l0, l1.clone(), l2]);
    files.files.retain(|(n, _)| *n != names[1]);
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("app.tar");
    files.write_tar(&archive);

    let (o, doc) = scan_json(&archive, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let issues = issues(&doc);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&l1));
    assert!(issues[0]["image"].as_str().unwrap().contains("example/app:1"), "{issues:#?}");
    assert!(issues[0]["reason"].as_str().unwrap().contains("missing"), "{issues:#?}");
    assert_good_layers_reported(&doc);
    assert_redacted(&archive, &[], 2, &[GH, NPM]);
}

#[test]
fn missing_layer_blob_of_a_docker_25_archive_is_an_issue() {
    let missing = LayerBlob::gzip(&layer(vec![E::File("app/b.txt", b"harmless\n".to_vec())]));
    let layers = [good_before(), missing.clone(), good_after()];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(3), &layers);
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full.tar");
    docker_save_oci(&full, "example/app:1", &cfg, &layers);
    // Rewrite the archive without the middle layer's blob.
    let archive = tmp.path().join("app.tar");
    let mut files = Layout::default();
    let mut ar = tar::Archive::new(std::fs::File::open(&full).unwrap());
    for entry in ar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_str().unwrap().to_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name != format!("blobs/sha256/{}", sha256_hex(&missing.stored)) {
            files.files.push((name, data));
        }
    }
    files.write_tar(&archive);

    let (o, doc) = scan_json(&archive, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let issues = issues(&doc);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&missing.stored));
    assert!(issues[0]["reason"].as_str().unwrap().contains("missing"), "{issues:#?}");
    assert_good_layers_reported(&doc);
}

#[test]
fn missing_config_blob_is_an_error_naming_it() {
    let layers = [good_before()];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(1), &layers);
    let mut layout = Layout::default();
    let m = layout.image(&cfg, &layers);
    layout.finish(vec![m]);
    layout.files.retain(|(n, _)| *n != format!("blobs/sha256/{}", sha256_hex(&cfg)));
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let o = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains(&digest(&cfg)), "{err}");
    assert!(err.contains("missing"), "{err}");
    assert!(err.contains(dir.path().to_str().unwrap()), "{err}");
}

fn not_an_image(path: &Path) -> String {
    let o = run(&["scan", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(path.to_str().unwrap()), "{err}");
    err
}

#[test]
fn plain_text_empty_and_non_image_files_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, "just some notes\nnothing to see here\n").unwrap();
    let err = not_an_image(&text);
    assert!(err.contains("is not a container image"), "{err}");
    assert!(err.contains("not a tar archive"), "{err}");

    let empty = tmp.path().join("empty.tar");
    std::fs::write(&empty, b"").unwrap();
    let err = not_an_image(&empty);
    assert!(err.contains("is not a container image: an empty file"), "{err}");

    // A tar that holds no image.
    let other = tmp.path().join("other.tar");
    let (mut files, _) = docker_save_layout("x:1", b"{}", &[]);
    files.files.clear();
    files.put("README", b"hello\n".to_vec());
    files.write_tar(&other);
    let err = not_an_image(&other);
    assert!(err.contains("without manifest.json or index.json"), "{err}");

    // A gzipped image archive: says to decompress it.
    let gz = tmp.path().join("image.tar.gz");
    std::fs::write(&gz, crate::fixtures::gzip(&std::fs::read(&other).unwrap())).unwrap();
    let err = not_an_image(&gz);
    assert!(err.contains("decompress it first"), "{err}");

    let missing = tmp.path().join("no-such-file.tar");
    let err = not_an_image(&missing);
    assert!(err.contains("cannot"), "{err}");
}

#[test]
fn a_bare_name_pulled_because_no_engine_has_it_says_so_when_the_pull_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-engine.sock");
    let sock = format!("unix://{}", missing.display());
    // Not a file, and no engine (the sockets do not exist): pulled, from a closed port.
    let o = layerleak()
        .current_dir(dir.path())
        .env("DOCKER_HOST", &sock)
        .env("CONTAINER_HOST", &sock)
        .env("XDG_RUNTIME_DIR", dir.path())
        .args(["scan", "127.0.0.1:1/app:1", "--registry-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "cannot pull 127.0.0.1:1/app:1 (no such file here and no reachable local engine has it"
        ),
        "{err}"
    );
    // Said with registry: it was meant for the registry; no hint about engines.
    let o = layerleak()
        .args(["scan", "registry:127.0.0.1:1/app:1", "--registry-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("local engine"), "{}", stderr(&o));
}

/// A target that cannot be opened fails before the report has anything to say: no empty
/// report file is left behind (a CI job would upload it as if it were a clean report), and
/// an earlier report at that path is kept. A missing --output directory fails before the
/// scan.
#[test]
fn a_failed_open_leaves_no_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.tar");
    let report = dir.path().join("report.jsonl");
    for format in ["jsonl", "json", "sarif", "text"] {
        let out = run(&[
            "scan",
            missing.to_str().unwrap(),
            "--format",
            format,
            "--output",
            report.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(stderr(&out).contains("missing.tar"), "{format}: {}", stderr(&out));
        assert!(!report.exists(), "{format}: a report file was left behind");
    }
    std::fs::write(&report, "earlier").unwrap();
    run(&["scan", missing.to_str().unwrap(), "--output", report.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "earlier");

    let image = three_layer_dir(&good_before());
    let nowhere = dir.path().join("no/such/dir/report.json");
    let out = run(&["scan", image.path().to_str().unwrap(), "--output", nowhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no directory"), "{}", stderr(&out));
}
