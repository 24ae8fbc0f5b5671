//! The layer cache seam: an image resolved from layer scans stored (serialized and read
//! back) gives exactly the outcome of scanning its blobs, and a cached blob is never
//! opened. The image has what the cache must carry: a deleted and an overwritten secret
//! (whiteouts, paths), a file whose bytes a dpkg database records (hashes, databases:
//! origin `package`), a UTF-16 file, a secret-bearing file name (a built-in rule), a
//! nested archive member and a notice.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use layerleak_engine::Scanner;
use layerleak_image::{BlobOpener, Descriptor, PlatformSelector};
use layerleak_rules::Rules;
use layerleak_scan::{LayerCache, LayerScan, Pipeline, ScanOptions, ScanOutcome};
use layerleak_testutil::{LayerBlob, Layout, config};
use md5::{Digest as _, Md5};
use serde_json::json;

const GH: &str = "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";
const GL: &str = "glpat-PPjRfdqok10wwQZEDe0I";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const NPM: &str = "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";
const PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvre\n-----END RSA PRIVATE KEY-----\n";
const STATUS: &[u8] = b"Package: libgnutls30\nStatus: install ok installed\nVersion: 3.7.9-2\n\n";

enum E<'a> {
    File(&'a str, Vec<u8>),
    Whiteout(&'a str),
}

fn tar_of(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let (path, data): (String, &[u8]) = match e {
            E::File(p, d) => ((*p).to_owned(), d),
            E::Whiteout(p) => {
                let (dir, name) = p.rsplit_once('/').unwrap_or(("", p));
                (format!("{dir}/.wh.{name}"), &[])
            }
        };
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xff, 0xfe];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().into_inner()
}

/// An OCI layout directory of the image described in the module documentation.
fn image() -> tempfile::TempDir {
    let lib = format!("binary\0{PRIVATE_KEY}\0more").into_bytes();
    let md5: String = Md5::digest(&lib).iter().map(|b| format!("{b:02x}")).collect();
    let layers = [
        tar_of(&[
            E::File("app/secret.txt", format!("token: {GH}\n").into_bytes()),
            E::File("etc/app.yml", format!("key: {GL}\n").into_bytes()),
            E::File("usr/lib/libgnutls.so.30", lib),
        ]),
        tar_of(&[
            E::Whiteout("app/secret.txt"),
            E::File("etc/app.yml", b"key: none\n".to_vec()),
            E::File("var/lib/dpkg/status", STATUS.to_vec()),
            E::File(
                "var/lib/dpkg/info/libgnutls30:amd64.md5sums",
                format!("{md5}  usr/lib/libgnutls.so.30\n").into_bytes(),
            ),
            // Malformed: a notice of the layer.
            E::File("var/lib/dpkg/info/libbar.md5sums", b"not a digest\n".to_vec()),
        ]),
        tar_of(&[
            E::File("srv/wide.txt", utf16le(&format!("stripe={STRIPE}\n"))),
            E::File(
                "home/u/.npmrc",
                format!("//registry.npmjs.org/:_authToken={NPM}\n").into_bytes(),
            ),
            E::File(
                "root/.pypirc",
                b"[pypi]\nusername = me\npassword = Xk9vQ2mZpL7wRt4s\n".to_vec(),
            ),
            E::File("srv/app.jar", zip_of("conf/app.properties", format!("gh={GH}\n").as_bytes())),
        ]),
    ];
    let blobs: Vec<LayerBlob> = layers.iter().map(|t| LayerBlob::gzip(t)).collect();
    let history: Vec<_> =
        (0..blobs.len()).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect();
    let cfg = config("linux/amd64", &["PATH=/bin"], json!({}), json!(history), &blobs);
    let mut layout = Layout::default();
    let manifest = layout.image(&cfg, &blobs);
    layout.finish(vec![manifest]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    dir
}

/// A cache that stores scans serialized (CBOR), as the audit's database does.
#[derive(Default)]
struct Stored {
    scans: HashMap<String, Vec<u8>>,
    puts: usize,
}

impl LayerCache for Stored {
    fn get(&mut self, digest: &str) -> Option<LayerScan> {
        self.scans.get(digest).map(|b| ciborium::from_reader(b.as_slice()).unwrap())
    }

    fn put(&mut self, digest: &str, scan: &LayerScan) {
        assert!(scan.is_complete(), "{scan:?}");
        let mut bytes = Vec::new();
        ciborium::into_writer(scan, &mut bytes).unwrap();
        self.scans.insert(digest.to_owned(), bytes);
        self.puts += 1;
    }
}

/// Counts the blobs opened.
#[derive(Debug)]
struct Counting<'a> {
    inner: &'a dyn BlobOpener,
    opened: AtomicUsize,
}

impl BlobOpener for Counting<'_> {
    fn open(&self, desc: &Descriptor) -> layerleak_image::Result<Box<dyn std::io::Read + Send>> {
        self.opened.fetch_add(1, Ordering::Relaxed);
        self.inner.open(desc)
    }
}

fn pipeline() -> Pipeline {
    Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), ScanOptions::new())
}

/// Findings and issues, comparable.
fn essence(o: &ScanOutcome) -> (Vec<String>, Vec<String>) {
    let mut findings: Vec<String> = o
        .findings
        .iter()
        .map(|f| format!("{} {} {:?} {:?}", f.fingerprint, f.rule_id, f.checksum, f.locations))
        .collect();
    findings.sort();
    let mut issues: Vec<String> = o.issues.iter().map(|i| format!("{i:?}")).collect();
    issues.sort();
    (findings, issues)
}

#[test]
fn cached_layer_scans_give_the_scan_outcome_without_opening_a_blob() {
    let dir = image();
    let pipeline = pipeline();
    let direct = pipeline.scan_path(dir.path(), &PlatformSelector::Default).unwrap();
    // The image has everything the cache must carry.
    let (findings, issues) = essence(&direct);
    for needle in ["Deleted", "Overwritten", "Package", "utf-16le", "layerleak.path", "app.jar!"] {
        assert!(findings.iter().any(|f| f.contains(needle)), "{needle}: {findings:#?}");
    }
    assert!(!issues.is_empty());

    let mut source = layerleak_image::open_path(dir.path()).unwrap();
    let images = source.resolve(&PlatformSelector::Default).unwrap();
    let opener = source.blob_opener();
    let mut cache = Stored::default();

    let counting = Counting { inner: opener.as_ref(), opened: AtomicUsize::new(0) };
    let first = pipeline.scan_images_cached(&images, &counting, &mut cache);
    assert_eq!(essence(&first), essence(&direct));
    assert_eq!((first.blobs_scanned, cache.puts, counting.opened.into_inner()), (3, 3, 3));
    assert_eq!(first.bytes_scanned, direct.bytes_scanned);

    let counting = Counting { inner: opener.as_ref(), opened: AtomicUsize::new(0) };
    let second = pipeline.scan_images_cached(&images, &counting, &mut cache);
    assert_eq!(essence(&second), essence(&direct));
    assert_eq!((second.blobs_scanned, second.bytes_scanned, cache.puts), (0, 0, 3));
    assert_eq!(counting.opened.into_inner(), 0, "a cached blob was opened");

    // One layer forgotten: only it is fetched again.
    let forgotten = images[0].layers[1].descriptor.digest.to_string();
    cache.scans.remove(&forgotten);
    let counting = Counting { inner: opener.as_ref(), opened: AtomicUsize::new(0) };
    let third = pipeline.scan_images_cached(&images, &counting, &mut cache);
    assert_eq!(essence(&third), essence(&direct));
    assert_eq!((third.blobs_scanned, counting.opened.into_inner()), (1, 1));
}

#[test]
fn the_layer_key_changes_with_the_rules_and_the_limits() {
    let a = pipeline();
    assert_eq!(a.layer_key(), pipeline().layer_key());
    let limits = layerleak_layer::Limits::default().with_max_layer_bytes(12_345);
    let b = Pipeline::new(
        Scanner::new(&Rules::embedded().unwrap()).unwrap(),
        ScanOptions::new().with_limits(limits),
    );
    assert_ne!(a.layer_key(), b.layer_key());
}
