//! Origins: a finding in a file whose bytes hash to the digest a package database in the
//! image records for it is `package`; everything else (unlisted files, changed bytes,
//! malformed or lying databases, a database that is missing) stays `image`. Small
//! synthetic dpkg and Python RECORD databases built in code, in real tar layers.

use layerleak_engine::Scanner;
use layerleak_image::PlatformSelector;
use layerleak_report::{Finding, Location, Origin, Severity};
use layerleak_rules::Rules;
use layerleak_scan::{Pipeline, ScanOptions, ScanOutcome};
use layerleak_testutil::{LayerBlob, Layout, config};
use md5::{Digest as _, Md5};
use serde_json::json;
use sha2::Sha256;

/// Checksum-valid GitHub tokens (made up), one per planted place.
const IN_LIB: &str = "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";
const PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvre\n-----END RSA PRIVATE KEY-----\n";

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

fn record_hash(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(data))
}

/// Scans an OCI layout made of `layers` (uncompressed tars, bottom first).
fn scan(layers: &[Vec<u8>]) -> ScanOutcome {
    let blobs: Vec<LayerBlob> = layers.iter().map(|t| LayerBlob::gzip(t)).collect();
    let history: Vec<_> =
        (0..blobs.len()).map(|i| json!({ "created_by": format!("RUN step {i}") })).collect();
    let cfg = config("linux/amd64", &["PATH=/bin"], json!({}), json!(history), &blobs);
    let mut layout = Layout::default();
    let manifest = layout.image(&cfg, &blobs);
    layout.finish(vec![manifest]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let pipeline =
        Pipeline::new(Scanner::new(&Rules::embedded().unwrap()).unwrap(), ScanOptions::new());
    pipeline.scan_path(dir.path(), &PlatformSelector::Default).unwrap()
}

/// The origin of the location at `path`.
fn origin_at<'a>(outcome: &'a ScanOutcome, path: &str) -> &'a Origin {
    outcome
        .findings
        .iter()
        .flat_map(|f: &Finding| &f.locations)
        .find_map(|l| match l {
            Location::Layer(l) if l.path == path => Some(&l.origin),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no finding at {path}: {:#?}", outcome.findings))
}

fn dpkg(package: &str) -> Origin {
    Origin::Package { manager: "dpkg".into(), package: package.into(), version: "3.7.9-2".into() }
}

const STATUS: &[u8] =
    b"Package: libgnutls30\nStatus: install ok installed\nVersion: 3.7.9-2\n\nPackage: libbar\nStatus: install ok installed\nVersion: 1\n\n";

#[test]
fn dpkg_files_whose_bytes_match_are_package_even_when_the_database_comes_later() {
    let lib = format!("binary\0{PRIVATE_KEY}\0more").into_bytes();
    let md5sums = format!("{}  usr/lib/libgnutls.so.30\n", md5_hex(&lib));
    let outcome = scan(&[
        tar_of(&[("usr/lib/libgnutls.so.30", &lib)]),
        tar_of(&[
            ("var/lib/dpkg/status", STATUS),
            ("var/lib/dpkg/info/libgnutls30:amd64.md5sums", md5sums.as_bytes()),
        ]),
    ]);
    assert_eq!(origin_at(&outcome, "usr/lib/libgnutls.so.30"), &dpkg("libgnutls30"));
    assert!(outcome.findings.iter().all(|f| f.public_reason().is_some()));
}

#[test]
fn changed_unlisted_or_lied_about_files_stay_image() {
    let lib = format!("binary\0{PRIVATE_KEY}").into_bytes();
    let mut appended = lib.clone();
    appended.extend_from_slice(format!("\ntoken={IN_LIB}\n").as_bytes());
    // The database claims the original bytes for libgnutls (a secret was appended since),
    // a made-up digest for libbar, and nothing for the new file.
    let md5sums = format!("{}  usr/lib/libgnutls.so.30\n", md5_hex(&lib));
    let lying = format!("{}  usr/lib/libbar.so\n", md5_hex(b"other bytes"));
    let outcome = scan(&[tar_of(&[
        ("var/lib/dpkg/status", STATUS),
        ("var/lib/dpkg/info/libgnutls30.md5sums", md5sums.as_bytes()),
        ("var/lib/dpkg/info/libbar.md5sums", lying.as_bytes()),
        ("usr/lib/libgnutls.so.30", &appended),
        ("usr/lib/libbar.so", &lib),
        ("usr/lib/new.so", &lib),
    ])]);
    for path in ["usr/lib/libgnutls.so.30", "usr/lib/libbar.so", "usr/lib/new.so"] {
        assert_eq!(origin_at(&outcome, path), &Origin::Image, "{path}");
    }
    assert!(outcome.findings.iter().all(|f| f.public_reason().is_none()));
    // The mismatches are notices naming the file and the package.
    for (path, package) in
        [("usr/lib/libgnutls.so.30", "libgnutls30"), ("usr/lib/libbar.so", "libbar")]
    {
        assert!(
            outcome.issues.iter().any(|i| i.severity == Severity::Notice
                && i.path.as_deref() == Some(path)
                && i.reason.contains(package)),
            "{path}: {:#?}",
            outcome.issues
        );
    }
}

#[test]
fn malformed_or_missing_databases_never_demote() {
    let lib = format!("binary\0{PRIVATE_KEY}").into_bytes();
    let good = format!("{}  usr/lib/libgnutls.so.30\n", md5_hex(&lib));
    let truncated = &good.as_bytes()[..good.len() - 5];
    // Truncated md5sums: reported, not used.
    let outcome = scan(&[tar_of(&[
        ("var/lib/dpkg/status", STATUS),
        ("var/lib/dpkg/info/libgnutls30.md5sums", truncated),
        ("usr/lib/libgnutls.so.30", &lib),
    ])]);
    assert_eq!(origin_at(&outcome, "usr/lib/libgnutls.so.30"), &Origin::Image);
    assert!(outcome.issues.iter().any(|i| i.severity == Severity::Notice
        && i.path.as_deref() == Some("var/lib/dpkg/info/libgnutls30.md5sums")
        && i.reason.contains("malformed dpkg database")));
    assert!(outcome.is_complete(), "a malformed database loses no bytes: a notice");
    // md5sums without any status: not verified.
    let outcome = scan(&[tar_of(&[
        ("var/lib/dpkg/info/libgnutls30.md5sums", good.as_bytes()),
        ("usr/lib/libgnutls.so.30", &lib),
    ])]);
    assert_eq!(origin_at(&outcome, "usr/lib/libgnutls.so.30"), &Origin::Image);
    // A path alone (a file named like a package's, no database) is nothing.
    let outcome = scan(&[tar_of(&[("usr/lib/libgnutls.so.30", &lib)])]);
    assert_eq!(origin_at(&outcome, "usr/lib/libgnutls.so.30"), &Origin::Image);
}

#[test]
fn python_record_verifies_by_sha256_relative_to_site_packages() {
    let site = "usr/local/lib/python3.11/site-packages";
    let docs = format!("'''Example: key = {IN_LIB}'''\n").into_bytes();
    let planted = format!("TOKEN = '{IN_LIB}'\n").into_bytes();
    let record = format!(
        "botocore/docs.py,sha256={},{}\nbotocore-1.34.0.dist-info/RECORD,,\n",
        record_hash(&docs),
        docs.len()
    );
    let docs_path = format!("{site}/botocore/docs.py");
    let planted_path = format!("{site}/botocore/planted.py");
    let record_path = format!("{site}/botocore-1.34.0.dist-info/RECORD");
    let outcome = scan(&[tar_of(&[
        (&docs_path, &docs),
        (&planted_path, &planted),
        (&record_path, record.as_bytes()),
    ])]);
    assert_eq!(
        origin_at(&outcome, &docs_path),
        &Origin::Package {
            manager: "python".into(),
            package: "botocore".into(),
            version: "1.34.0".into()
        }
    );
    assert_eq!(origin_at(&outcome, &planted_path), &Origin::Image);
    // The location of the copy stays image, but the value is in a verified public file:
    // it is public wherever else it was copied.
    assert_eq!(outcome.findings.len(), 1);
    assert!(matches!(outcome.findings[0].origin(), Origin::Package { .. }));
}

#[test]
fn nested_members_take_the_origin_of_the_layer_file() {
    let site = "usr/local/lib/python3.11/site-packages";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("tests/key.pem", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, PRIVATE_KEY.as_bytes()).unwrap();
    let whl = zip.finish().unwrap().into_inner();
    let record = format!("vendored/test.whl,sha256={},{}\n", record_hash(&whl), whl.len());
    let whl_path = format!("{site}/vendored/test.whl");
    let record_path = format!("{site}/vendored-2.0.dist-info/RECORD");
    let outcome = scan(&[tar_of(&[(&whl_path, &whl), (&record_path, record.as_bytes())])]);
    let member = format!("{whl_path}!/tests/key.pem");
    assert!(
        matches!(origin_at(&outcome, &member), Origin::Package { package, .. } if package == "vendored")
    );
}

#[test]
fn npm_package_files_are_labelled_vendored_and_still_gate() {
    let lock = br#"{"lockfileVersion":3,"packages":{"node_modules/aws-sdk":{"version":"2.1692.0","integrity":"sha512-x"}}}"#;
    let example = b"{\"password\": \"hunter2hunter2hunter2\"}\n";
    let token = format!("const t = '{IN_LIB}';\n").into_bytes();
    let outcome = scan(&[tar_of(&[
        ("app/node_modules/.package-lock.json", lock),
        ("app/node_modules/aws-sdk/apis/x.examples.json", example),
        ("app/node_modules/aws-sdk/lib/leak.js", &token),
        ("app/node_modules/unlisted/x.json", example),
    ])]);
    let vendored = Origin::Vendored {
        manager: "npm".into(),
        package: "aws-sdk".into(),
        version: "2.1692.0".into(),
    };
    assert_eq!(origin_at(&outcome, "app/node_modules/aws-sdk/apis/x.examples.json"), &vendored);
    assert_eq!(origin_at(&outcome, "app/node_modules/aws-sdk/lib/leak.js"), &vendored);
    // A package the lockfile does not list proves nothing; the value is then the owner's.
    assert_eq!(origin_at(&outcome, "app/node_modules/unlisted/x.json"), &Origin::Image);
    // No digest proves npm files are the package's bytes: every finding still gates.
    assert!(outcome.findings.iter().all(|f| f.public_reason().is_none()));
}
