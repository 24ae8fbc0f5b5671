//! `layerleak audit` against a real registry (see `registry_server.rs`): images that share
//! their base layers, several repositories and tags, audited as a whole registry (catalog
//! and tag lists read a page of two at a time, so the `Link` pagination is followed).
//!
//! First run: each image's findings equal `layerleak scan` of the same reference, and the
//! layer blobs fetched (counted in the registry's access log) are the unique layers.
//! Second run, nothing changed: a HEAD request per manifest and nothing else fetched (no
//! manifest, config or layer), incidents new 0 / still N / gone 0.
//! Then a tag rebuilt without its secret and one with a new secret: gone 1, new 1.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::Instant;

use serde_json::{Value, json};

use crate::audit_schema::{assert_audit_json, parse_audit_jsonl};
use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history};
use crate::registry_server::{Registry, available};

pub(crate) const GH: &str = "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";
pub(crate) const GL: &str = "glpat-PPjRfdqok10wwQZEDe0I";
pub(crate) const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const NPM: &str = "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";

/// Repositories and tags per repository.
pub(crate) const REPOS: usize = 10;
pub(crate) const TAGS: usize = 3;

/// The layers of image `r:t`: the base (all images, with a secret), the repository's
/// layer (repository 1's with a secret), and the tag's own (image 0:0's with a secret).
pub(crate) fn layers(base: &LayerBlob, r: usize, t: usize, top: Vec<E<'_>>) -> [LayerBlob; 3] {
    let mid = LayerBlob::gzip(&layer(vec![E::File(&format!("srv/app{r}/app.conf"), conf(r))]));
    let mut entries = vec![E::File("srv/build.txt", build(r, t))];
    entries.extend(top);
    [base.clone(), mid, LayerBlob::gzip(&layer(entries))]
}

/// The file of repository `r`'s layer.
fn conf(r: usize) -> Vec<u8> {
    if r == 1 { format!("npm={NPM}\n") } else { format!("name=app{r}\n") }.into_bytes()
}

/// The file every tag's own layer has.
fn build(r: usize, t: usize) -> Vec<u8> {
    format!("build {r}.{t}\n").into_bytes()
}

pub(crate) fn push(registry: &Registry, r: usize, t: usize, layers: &[LayerBlob; 3]) {
    push_created(registry, r, t, layers, None);
}

/// As [`push`], with `created` in the config.
fn push_created(
    registry: &Registry,
    r: usize,
    t: usize,
    layers: &[LayerBlob; 3],
    created: Option<&str>,
) {
    let mut cfg = config("linux/amd64", &["PATH=/bin"], json!({}), simple_history(3), layers);
    if let Some(created) = created {
        let mut doc: Value = serde_json::from_slice(&cfg).unwrap();
        doc["created"] = json!(created);
        cfg = serde_json::to_vec(&doc).unwrap();
    }
    let dir = oci_dir(&cfg, layers);
    registry.push(dir.path(), &format!("app{r}:v{t}"), &[]);
}

/// Runs `layerleak audit` on the whole registry as JSON.
fn audit(registry: &Registry, db: &Path) -> (Output, Value) {
    let o = layerleak()
        .args(["audit", &registry.host(), "--format", "json", "--page-size", "2", "--db"])
        .arg(db)
        .output()
        .unwrap();
    let doc = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    assert_audit_json(&doc);
    (o, doc)
}

/// Blob GETs in the access log from line `from` on.
/// Requests whose log line contains `method` (`"GET /v2/`) and `what`, from line `from` on.
fn requests(log: &Path, from: usize, method: &str, what: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .skip(from)
        .filter(|l| l.contains(method) && l.contains(what))
        .count()
}

pub(crate) fn blob_gets(log: &Path, from: usize) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .skip(from)
        .filter(|l| l.contains("\"GET /v2/") && l.contains("/blobs/sha256:"))
        .map(|l| l.split("/blobs/").nth(1).unwrap().split(' ').next().unwrap().to_owned())
        .collect()
}

fn log_lines(log: &Path) -> usize {
    std::fs::read_to_string(log).unwrap().lines().count()
}

/// `(fingerprint, layer, path, offset, state, by_layer)` of every layer location.
pub(crate) type Located = BTreeSet<(String, u64, String, u64, String, Option<u64>)>;

pub(crate) fn audit_locations(image: &Value) -> Located {
    let mut out = Located::new();
    for f in image["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            out.insert((
                f["fingerprint"].as_str().unwrap().to_owned(),
                l["layer"].as_u64().unwrap(),
                l["path"].as_str().unwrap().to_owned(),
                l["offset"].as_u64().unwrap(),
                l["status"].as_str().unwrap().to_owned(),
                l["by_layer"].as_u64(),
            ));
        }
    }
    out
}

fn scan_locations(reference: &str) -> Located {
    let o = layerleak().args(["scan", reference, "--format", "json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut out = Located::new();
    for f in doc["findings"].as_array().unwrap() {
        for l in f["locations"].as_array().unwrap() {
            assert_eq!(l["kind"], "layer");
            out.insert((
                f["fingerprint"].as_str().unwrap().to_owned(),
                l["layer"].as_u64().unwrap(),
                l["path"].as_str().unwrap().to_owned(),
                l["offset"].as_u64().unwrap(),
                l["status"]["state"].as_str().unwrap().to_owned(),
                l["status"]["by_layer"].as_u64(),
            ));
        }
    }
    out
}

pub(crate) fn incidents(doc: &Value) -> (u64, u64, u64) {
    let i = &doc["summary"]["incidents"];
    (i["new"].as_u64().unwrap(), i["still"].as_u64().unwrap(), i["gone"].as_u64().unwrap())
}

fn incident_secrets(doc: &Value, state: &str) -> Vec<String> {
    doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == state)
        .map(|i| i["rule_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn audit_scans_each_unique_layer_once_and_reports_new_still_gone() {
    if !available("audit_scans_each_unique_layer_once_and_reports_new_still_gone") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("access.log");
    let registry = Registry::start_logging(tempfile::tempdir().unwrap(), None, Some(&log));
    let base_files = [
        ("etc/os-release", b"ID=test\n".to_vec()),
        ("etc/base.conf", format!("gitlab={GL}\n").into_bytes()),
    ];
    let base_bytes: usize = base_files.iter().map(|(_, d)| d.len()).sum();
    let base =
        LayerBlob::gzip(&layer(base_files.into_iter().map(|(p, d)| E::File(p, d)).collect()));
    let token = format!("{GH}\n");
    for r in 0..REPOS {
        for t in 0..TAGS {
            let top = if (r, t) == (0, 0) {
                vec![E::File("srv/token", token.clone().into_bytes())]
            } else {
                Vec::new()
            };
            push(&registry, r, t, &layers(&base, r, t, top));
        }
    }
    let images = REPOS * TAGS;
    let unique_layers = 1 + REPOS + images;
    // The file bytes of the unique layers: the base, each repository's, each tag's.
    let unique_bytes = base_bytes
        + (0..REPOS).map(|r| conf(r).len()).sum::<usize>()
        + (0..REPOS).flat_map(|r| (0..TAGS).map(move |t| build(r, t).len())).sum::<usize>()
        + token.len();
    let db = tmp.path().join("audit.db");

    // First run: every unique layer fetched once; configs once per image.
    let before = log_lines(&log);
    let started = Instant::now();
    let (o, first) = audit(&registry, &db);
    let first_wall = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let gets = blob_gets(&log, before);
    assert_eq!(gets.len(), images + unique_layers, "{gets:#?}");
    assert_eq!(gets.iter().collect::<BTreeSet<_>>().len(), gets.len(), "a blob fetched twice");
    let s = &first["summary"];
    assert_eq!(s["images"], images);
    assert_eq!(s["layers_scanned"], unique_layers);
    assert_eq!(s["layers_cached"], 3 * images - unique_layers);
    eprintln!(
        "first run: {} bytes decompressed and scanned, unique layers hold {unique_bytes}",
        s["bytes_scanned"]
    );
    assert_eq!(s["bytes_scanned"], unique_bytes);
    // The shared secret is one incident listing every image.
    assert_eq!(incidents(&first), (3, 0, 0), "{first:#}");
    let shared = first["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule_id"] == "layerleak.gitlab.1")
        .unwrap();
    assert_eq!(shared["images"].as_array().unwrap().len(), images);
    assert_eq!(shared["locations"].as_array().unwrap().len(), images);
    // Each image's findings are those of `layerleak scan`.
    let audited = first["images"].as_array().unwrap();
    assert_eq!(audited.len(), images);
    let started = Instant::now();
    for image in audited {
        let reference = image["reference"].as_str().unwrap();
        let from_audit = audit_locations(image);
        assert!(!from_audit.is_empty(), "{reference}");
        assert_eq!(from_audit, scan_locations(reference), "{reference}");
    }
    let scans_wall = started.elapsed();
    // Redacted by default.
    let text = first.to_string();
    for secret in [GH, GL, NPM] {
        assert!(!text.contains(secret), "{secret} in the report");
    }

    // Second run, nothing changed: a HEAD per manifest, no GET of a manifest or a blob.
    let before = log_lines(&log);
    let started = Instant::now();
    let (o, second) = audit(&registry, &db);
    eprintln!(
        "{images} images: first audit {first_wall:?}, second audit {:?}, a loop of layerleak scan {scans_wall:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(blob_gets(&log, before), Vec::<String>::new(), "a blob was fetched");
    assert_eq!(requests(&log, before, "\"GET /v2/", "/manifests/"), 0);
    assert_eq!(requests(&log, before, "\"HEAD /v2/", "/manifests/"), images);
    assert_eq!(second["summary"]["layers_scanned"], 0);
    assert_eq!(second["summary"]["bytes_scanned"], 0);
    assert_eq!(incidents(&second), (0, 3, 0));
    assert_eq!(second["previous_run"], first["run"]);
    for (a, b) in
        first["images"].as_array().unwrap().iter().zip(second["images"].as_array().unwrap())
    {
        assert_eq!(audit_locations(a), audit_locations(b));
    }

    // app0:v0 rebuilt without its token, app1:v1 with a new secret.
    push(&registry, 0, 0, &layers(&base, 0, 0, vec![E::File("srv/notes", b"rotated\n".to_vec())]));
    push(
        &registry,
        1,
        1,
        &layers(&base, 1, 1, vec![E::File("srv/stripe", format!("{STRIPE}\n").into_bytes())]),
    );
    let before = log_lines(&log);
    let (o, third) = audit(&registry, &db);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(incidents(&third), (1, 2, 1), "{third:#}");
    assert_eq!(incident_secrets(&third, "new"), ["layerleak.stripe.1"]);
    assert_eq!(incident_secrets(&third, "gone"), ["layerleak.github.1"]);
    // Only the two new top layers were fetched.
    assert_eq!(third["summary"]["layers_scanned"], 2);
    // And the configs of those two images only.
    assert_eq!(blob_gets(&log, before).len(), 2 + 2);

    // `audit report` prints the last run again from the database alone.
    let before = log_lines(&log);
    let o = layerleak()
        .args(["audit", "report", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let again: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(again["run"], third["run"]);
    assert_eq!(again["summary"], third["summary"]);
    assert_eq!(again["incidents"], third["incidents"]);
    assert_eq!(log_lines(&log), before, "audit report made requests");
    // Secrets are redacted unless asked for (the gone one included).
    for secret in [GH, GL, NPM, STRIPE] {
        assert!(!stdout(&o).contains(secret), "{secret} in the report");
    }
    let o = layerleak()
        .args(["audit", "report", "--show-secrets", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    for secret in [GH, GL, NPM, STRIPE] {
        assert!(stdout(&o).contains(secret), "{secret} not shown with --show-secrets");
    }
    assert_audit_json(&serde_json::from_str(&stdout(&o)).unwrap());

    // JSON Lines: the run and its summary first, then each incident, then each image.
    let o = layerleak()
        .args(["audit", "report", "--format", "jsonl", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = parse_audit_jsonl(&stdout(&o));
    assert_eq!(lines[0]["type"], "run");
    assert_eq!(lines[0]["data"]["summary"], third["summary"]);
    let of = |kind: &str| -> Vec<Value> {
        lines.iter().filter(|l| l["type"] == kind).map(|l| l["data"].clone()).collect()
    };
    assert_eq!(Value::Array(of("incident")), third["incidents"]);
    assert_eq!(Value::Array(of("image")), third["images"]);
    assert_eq!(lines.len(), 1 + of("incident").len() + images);
    for secret in [GH, GL, NPM, STRIPE] {
        assert!(!stdout(&o).contains(secret), "{secret} in the JSON Lines report");
    }

    // The text report starts with the summary.
    let o = layerleak().args(["audit", &registry.host(), "--db"]).arg(&db).output().unwrap();
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(text.lines().nth(1).unwrap().starts_with(&format!("images: {images} ")), "{text}");
    assert!(text.contains("incidents: 0 new, 3 still, 0 gone"), "{text}");
    assert!(!text.contains(STRIPE) && !text.contains(GL), "{text}");
}

#[test]
fn audit_report_needs_a_database_with_a_finished_run() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("audit.db");
    let o = layerleak().args(["audit", "report", "--db"]).arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no audit database at"), "{}", stderr(&o));
    assert!(!db.exists(), "audit report created a database");
    rusqlite::Connection::open(&db).unwrap();
    let o = layerleak().args(["audit", "report", "--db"]).arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no audit run has finished yet"), "{}", stderr(&o));
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("audit.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1000);")
        .unwrap();
    drop(conn);
    let o = layerleak().args(["audit", "127.0.0.1:9/app:v1", "--db"]).arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("schema version 1000 is newer than this layerleak knows"),
        "{}",
        stderr(&o)
    );
}

/// `n` bytes that compress badly and hold no secret (xorshift, printable-free).
pub(crate) fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Bytes 0x80..=0xff: no rule's keyword, no text.
            0x80 | (x >> 56) as u8
        })
        .collect()
}

/// How many images run `run` of the database at `db` has stored (0 while the tables do
/// not exist yet).
fn stored_images(db: &Path) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM run_images", [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn an_audit_killed_mid_run_resumes_without_redoing_what_it_finished() {
    if !available("an_audit_killed_mid_run_resumes_without_redoing_what_it_finished") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("access.log");
    let registry = Registry::start_logging(tempfile::tempdir().unwrap(), None, Some(&log));
    let base = LayerBlob::gzip(&layer(vec![E::File(
        "etc/base.conf",
        format!("gitlab={GL}\n").into_bytes(),
    )]));
    let small: i64 = 4;
    for r in 0..4 {
        push(&registry, r, 0, &layers(&base, r, 0, Vec::new()));
    }
    // Listed last (the catalog is sorted): a layer big enough to be killed while scanning it.
    let big = [
        base,
        LayerBlob::gzip(&layer(vec![
            E::File("srv/blob.bin", noise(32 << 20)),
            E::File("srv/big.conf", format!("stripe={STRIPE}\n").into_bytes()),
        ])),
    ];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(2), &big);
    let dir = oci_dir(&cfg, &big);
    registry.push(dir.path(), "zbig:v0", &[]);

    let db = tmp.path().join("audit.db");
    let mut child = layerleak()
        .args(["audit", &registry.host(), "--format", "json", "--db"])
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(120);
    while stored_images(&db) < small && Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SIGKILL: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let unfinished: i64 = conn
        .query_row("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unfinished, 1, "the audit ended before it was killed: make the big layer bigger");
    assert_eq!(stored_images(&db), small);
    drop(conn);

    let before = log_lines(&log);
    let (o, resumed) = audit(&registry, &db);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["summary"]["images"], small + 1);
    // Nothing finished was fetched again: only the big image's config and layer.
    let gets = blob_gets(&log, before);
    assert_eq!(gets.len(), 2, "{gets:#?}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: i64 = conn.query_row("SELECT COUNT(*) FROM layers", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 1 + 2 * small + 1, "each unique layer stored once");

    // The same report as an uninterrupted run.
    let (_, fresh) = audit(&registry, &tmp.path().join("fresh.db"));
    let essence = |doc: &Value| -> Vec<(String, Located)> {
        let mut v: Vec<_> = doc["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["reference"].as_str().unwrap().to_owned(), audit_locations(i)))
            .collect();
        v.sort();
        v
    };
    assert_eq!(essence(&resumed), essence(&fresh));
    assert_eq!(resumed["incidents"], fresh["incidents"]);
    assert_eq!(incidents(&resumed), (3, 0, 0));
}

#[test]
fn an_image_that_cannot_be_audited_is_exit_2_with_its_reason_and_the_rest_is_audited() {
    if !available(
        "an_image_that_cannot_be_audited_is_exit_2_with_its_reason_and_the_rest_is_audited",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let registry = Registry::start(false);
    let base = LayerBlob::gzip(&layer(vec![E::File(
        "etc/base.conf",
        format!("gitlab={GL}\n").into_bytes(),
    )]));
    push(&registry, 0, 0, &layers(&base, 0, 0, Vec::new()));
    let host = registry.host();
    let targets = tmp.path().join("targets");
    std::fs::write(&targets, format!("# nightly\n{host}/app0:v0\n\n{host}/app0:missing\n"))
        .unwrap();
    let o = layerleak()
        .args(["audit", "--format", "json", "--targets-file"])
        .arg(&targets)
        .arg("--db")
        .arg(tmp.path().join("a.db"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(images[0]["audited"], true);
    assert_eq!(images[1]["audited"], false);
    let reason = images[1]["error"].as_str().unwrap();
    assert!(reason.contains("manifest missing not found"), "{reason}");
    assert_eq!(doc["summary"]["images_not_audited"], 1);
    assert_eq!(incidents(&doc), (1, 0, 0));
}

#[test]
fn repository_tags_are_selected_and_a_basic_auth_registry_is_audited_as_scan_pulls_it() {
    if !available(
        "repository_tags_are_selected_and_a_basic_auth_registry_is_audited_as_scan_pulls_it",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let registry = Registry::start(true);
    let base = LayerBlob::gzip(&layer(vec![E::File(
        "etc/base.conf",
        format!("gitlab={GL}\n").into_bytes(),
    )]));
    // Newest first: v0, then v1 (later as text, earlier as an instant), then v2.
    let created = ["2024-01-02T00:00:00Z", "2024-01-02T03:00:00+05:00", "2024-01-01T00:00:00Z"];
    for (t, created) in created.into_iter().enumerate() {
        push_created(&registry, 0, t, &layers(&base, 0, t, Vec::new()), Some(created));
    }
    let run = |target: &str, tags: &str, db: &str| {
        let o = layerleak()
            .args(["audit", target, "--format", "json", "--page-size", "1", "--tags", tags])
            .arg("--db")
            .arg(tmp.path().join(db))
            .env("LAYERLEAK_REGISTRY_USERNAME", crate::registry_server::USER)
            .env("LAYERLEAK_REGISTRY_PASSWORD", crate::registry_server::PASSWORD)
            .output()
            .unwrap();
        assert!(!stdout(&o).contains(crate::registry_server::PASSWORD));
        assert!(!stderr(&o).contains(crate::registry_server::PASSWORD));
        let doc: Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
        (o.status.code(), doc)
    };
    let host = registry.host();
    // In the registry's order, which is not necessarily sorted across pages.
    let references = |doc: &Value| -> Vec<String> {
        let mut v: Vec<String> = doc["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reference"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let (code, doc) = run(&format!("{host}/app0"), "v[02]", "a.db");
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(references(&doc), [format!("{host}/app0:v0"), format!("{host}/app0:v2")]);
    let (code, doc) = run(&host, "all", "b.db");
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(references(&doc).len(), 3);
    assert_eq!(doc["summary"]["layers_scanned"], 1 + 1 + 3);
    let (_, doc) = run(&format!("{host}/app0"), "1-newest", "n1.db");
    assert_eq!(references(&doc), [format!("{host}/app0:v0")]);
    let (_, doc) = run(&format!("{host}/app0"), "2-newest", "n2.db");
    assert_eq!(references(&doc), [format!("{host}/app0:v0"), format!("{host}/app0:v1")]);
    // No tag selected: nothing to audit, nothing found.
    let (code, doc) = run(&format!("{host}/app0"), "latest", "c.db");
    assert_eq!((code, doc["summary"]["images"].as_u64()), (Some(0), Some(0)));
    // Without credentials: the listing fails with the reason, exit 2.
    let o = layerleak()
        .args(["audit", &host, "--format", "json", "--db"])
        .arg(tmp.path().join("d.db"))
        .env("DOCKER_CONFIG", tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(doc["images"][0]["error"].as_str().unwrap().contains("authentication"), "{doc:#}");
}
