//! Several `layerleak audit` workers sharing one PostgreSQL database (a real cluster, see
//! `pg_server.rs`) and one real registry: they share one queue of images and one layer
//! cache, the union of their work is one worker's, no layer is scanned twice (counted in
//! the database), and a worker killed with SIGKILL in the middle of an image has its lease
//! taken over by another, which completes the run.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::audit::{
    GH, GL, Located, REPOS, STRIPE, TAGS, audit_locations, blob_gets, incidents, layers, noise,
    push,
};
use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, LayerBlob, config, layer, oci_dir, simple_history};
use crate::pg_server::PgServer;
use crate::registry_server::{Registry, available};

/// A worker auditing the whole registry into `db`, its report as JSON on stdout.
fn worker(registry: &Registry, db: &str, lease: &str) -> Command {
    let mut c = layerleak();
    c.args(["audit", &registry.host(), "--format", "json", "--page-size", "2", "--lease", lease])
        .args(["--db", db])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn report(child: Child) -> (Option<i32>, Value) {
    let o = child.wait_with_output().unwrap();
    let doc = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), doc)
}

/// Each image's reference and layer locations, sorted.
fn essence(doc: &Value) -> Vec<(String, Located)> {
    let mut v: Vec<_> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["reference"].as_str().unwrap().to_owned(), audit_locations(i)))
        .collect();
    v.sort();
    v
}

/// The incidents, each with its images and locations sorted (their order is the order in
/// which the workers stored the images).
fn sorted_incidents(doc: &Value) -> Vec<Value> {
    let mut incidents = doc["incidents"].as_array().unwrap().clone();
    for i in &mut incidents {
        for list in ["images", "locations"] {
            let mut items = i[list].as_array().unwrap().clone();
            items.sort_by_key(Value::to_string);
            i[list] = Value::Array(items);
        }
    }
    incidents
}

/// `(layers stored, most scans of one layer)` in the database.
fn layer_scans(pg: &PgServer) -> (i64, i32) {
    let row = pg.client().query_one("SELECT COUNT(*), MAX(scans) FROM layers", &[]).unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn two_workers_share_one_queue_and_one_layer_cache() {
    let test = "two_workers_share_one_queue_and_one_layer_cache";
    if !available(test) {
        return;
    }
    let Some(pg) = PgServer::start(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("access.log");
    let registry = Registry::start_logging(tempfile::tempdir().unwrap(), None, Some(&log));
    let base = LayerBlob::gzip(&layer(vec![E::File(
        "etc/base.conf",
        format!("gitlab={GL}\n").into_bytes(),
    )]));
    for r in 0..REPOS {
        for t in 0..TAGS {
            let top = if (r, t) == (0, 0) {
                vec![E::File("srv/token", format!("{GH}\n").into_bytes())]
            } else {
                Vec::new()
            };
            push(&registry, r, t, &layers(&base, r, t, top));
        }
    }
    let images = REPOS * TAGS;
    let unique_layers = 1 + REPOS + images;

    let url = pg.url();
    let started = Instant::now();
    let a = worker(&registry, &url, "10").spawn().unwrap();
    let b = worker(&registry, &url, "10").spawn().unwrap();
    let (code_a, a) = report(a);
    let (code_b, b) = report(b);
    eprintln!("two workers, {images} images: {:?}", started.elapsed());
    assert_eq!((code_a, code_b), (Some(1), Some(1)), "{a:#}\n{b:#}");
    // One run, reported whole by each worker; one of them started it, the other joined.
    assert_eq!(a["run"], b["run"]);
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["incidents"], b["incidents"]);
    let mut resumed = [a["resumed"].as_bool().unwrap(), b["resumed"].as_bool().unwrap()];
    resumed.sort_unstable();
    assert_eq!(resumed, [false, true]);
    assert_eq!(a["summary"]["images"], images);
    assert_eq!(incidents(&a), (3, 0, 0));

    // Both worked, each image once; no layer scanned twice, counted by the database and
    // by the registry (each unique layer blob and each config fetched once).
    let mut db = pg.client();
    let owners: i64 =
        db.query_one("SELECT COUNT(DISTINCT owner) FROM jobs WHERE done", &[]).unwrap().get(0);
    assert_eq!(owners, 2, "one worker did every image");
    let done: i64 = db.query_one("SELECT COUNT(*) FROM run_images", &[]).unwrap().get(0);
    assert_eq!(done, i64::try_from(images).unwrap());
    assert_eq!(layer_scans(&pg), (i64::try_from(unique_layers).unwrap(), 1));
    assert_eq!(a["summary"]["layers_scanned"], unique_layers);
    let gets = blob_gets(&log, 0);
    assert_eq!(gets.len(), images + unique_layers, "{gets:#?}");
    assert_eq!(gets.iter().collect::<BTreeSet<_>>().len(), gets.len(), "a blob fetched twice");

    // The union of their work is one worker's.
    let sqlite = tmp.path().join("one.db");
    let (code, one) = report(worker(&registry, sqlite.to_str().unwrap(), "60").spawn().unwrap());
    assert_eq!(code, Some(1));
    assert_eq!(essence(&a), essence(&one));
    assert_eq!(sorted_incidents(&a), sorted_incidents(&one));
    assert_eq!(a["summary"], one["summary"]);
}

#[test]
fn a_worker_killed_mid_image_has_its_lease_taken_over() {
    let test = "a_worker_killed_mid_image_has_its_lease_taken_over";
    if !available(test) {
        return;
    }
    let Some(pg) = PgServer::start(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let registry = Registry::start(false);
    let base = LayerBlob::gzip(&layer(vec![E::File(
        "etc/base.conf",
        format!("gitlab={GL}\n").into_bytes(),
    )]));
    let small = 4;
    for r in 0..small {
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

    let url = pg.url();
    let lease = 2;
    let mut a = worker(&registry, &url, &lease.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once it holds the big image and a claim on a layer it has not stored yet.
    let mut db = pg.client();
    let holding = "SELECT j.owner FROM jobs j JOIN layer_claims c ON c.owner = j.owner
                   WHERE j.reference LIKE '%/zbig:v0' AND NOT j.done
                     AND NOT EXISTS (SELECT 1 FROM layers l WHERE l.digest = c.digest)";
    let deadline = Instant::now() + Duration::from_secs(120);
    let killed_owner: String = loop {
        // The tables exist once the worker has migrated the database.
        if let Ok(Some(row)) = db.query_opt(holding, &[]) {
            break row.get(0);
        }
        assert!(Instant::now() < deadline, "the worker never took the big image");
        std::thread::sleep(Duration::from_millis(5));
    };
    // SIGKILL: no chance to clean up or to give its claims back.
    a.kill().unwrap();
    a.wait().unwrap();
    let unfinished: i64 = db
        .query_one("SELECT COUNT(*) FROM jobs WHERE reference LIKE '%/zbig:v0' AND NOT done", &[])
        .unwrap()
        .get(0);
    assert_eq!(unfinished, 1, "the worker finished the big image before it was killed");

    let started = Instant::now();
    let (code, b) = report(worker(&registry, &url, &lease.to_string()).spawn().unwrap());
    let took = started.elapsed();
    assert_eq!(code, Some(1), "{b:#}");
    assert_eq!(b["resumed"], true);
    assert_eq!(b["summary"]["images"], small + 1);
    assert_eq!(b["summary"]["images_not_audited"], 0);
    assert_eq!(incidents(&b), (3, 0, 0), "{b:#}");
    // The big image was taken over once the dead worker's lease had expired.
    let owner: String = db
        .query_one("SELECT owner FROM jobs WHERE reference LIKE '%/zbig:v0' AND done", &[])
        .unwrap()
        .get(0);
    assert_ne!(owner, killed_owner);
    assert!(took < Duration::from_secs(60), "took over after {took:?}");
    // Each unique layer stored once, none scanned twice.
    assert_eq!(layer_scans(&pg), (1 + i64::try_from(small).unwrap() * 2 + 1, 1));

    // The same findings as an uninterrupted run of one worker.
    let sqlite = tmp.path().join("one.db");
    let (_, one) = report(worker(&registry, sqlite.to_str().unwrap(), "60").spawn().unwrap());
    assert_eq!(essence(&b), essence(&one));
    assert_eq!(sorted_incidents(&b), sorted_incidents(&one));
}
