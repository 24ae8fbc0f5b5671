//! `layerleak audit` is polite to registries, shown with the in-process mock registry (see
//! `registry_mock.rs`) for what a real one will not do: a 429 whose `Retry-After` is an
//! HTTP date is waited for, `RateLimit-Remaining: 0` pauses the next request until
//! `RateLimit-Reset`, `--max-requests-per-minute` spaces requests, and a registry that is
//! gone makes its images not audited (exit 2) while the others are. And on a terminal, the
//! audit shows its progress on stderr (the mock registry serves slowly enough to see it).
//! And a registry with token auth whose `_catalog` needs a `registry:catalog:*` token (as
//! Harbor's and the CNCF distribution's token auth do) is listed with one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use crate::common::{layerleak, stderr, stdout};
use crate::registry_mock::{Mock, Reply, image};

/// When each request arrived: its path and time.
type Times = Arc<Mutex<Vec<(String, Instant)>>>;

fn audit(targets: &[String], extra: &[&str]) -> (Option<i32>, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let o = layerleak()
        .arg("audit")
        .args(targets)
        .args(["--format", "json", "--db"])
        .arg(tmp.path().join("a.db"))
        .args(extra)
        .output()
        .unwrap();
    let doc = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), doc)
}

/// The time of the `nth` request whose path contains `part`.
fn at(times: &Times, part: &str, nth: usize) -> Instant {
    let times = times.lock().unwrap();
    times.iter().filter(|(p, _)| p.contains(part)).nth(nth).unwrap_or_else(|| panic!("{part}")).1
}

#[test]
fn retry_after_dates_and_rate_limit_headers_are_waited_for() {
    let (manifest, blobs, layer_digest, _) = image();
    let (config_digest, config_data) =
        blobs.iter().find(|(d, _)| *d != layer_digest).cloned().unwrap();
    let times: Times = Arc::default();
    let log = Arc::clone(&times);
    let config_path = format!("/v2/app/blobs/{config_digest}");
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            log.lock().unwrap().push((r.path.clone(), Instant::now()));
            if r.path == "/v2/app/manifests/1" && r.nth == 0 {
                // Three seconds from now as an HTTP date (whole seconds: at least two).
                let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
                return Some(Reply::Full(429, vec![("Retry-After".into(), date)], Vec::new()));
            }
            (r.path == config_path).then(|| {
                let headers = vec![
                    ("RateLimit-Remaining".into(), "0;w=60".into()),
                    ("RateLimit-Reset".into(), "2".into()),
                ];
                Reply::Full(200, headers, config_data.clone())
            })
        }),
    );
    let (code, doc) = audit(&[mock.reference()], &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["summary"]["images_not_audited"], 0);
    let retried = at(&times, "/manifests/1", 1) - at(&times, "/manifests/1", 0);
    assert!(retried >= Duration::from_secs(2), "Retry-After date not waited for: {retried:?}");
    let after_reset = at(&times, &layer_digest, 0) - at(&times, "/v2/app/blobs/", 0);
    assert!(
        after_reset >= Duration::from_secs(2),
        "RateLimit-Remaining: 0 not waited for: {after_reset:?}"
    );
}

#[test]
fn max_requests_per_minute_spaces_the_requests_to_a_registry() {
    let (manifest, blobs, _, _) = image();
    let times: Times = Arc::default();
    let log = Arc::clone(&times);
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            log.lock().unwrap().push((r.path.clone(), Instant::now()));
            None
        }),
    );
    let (code, doc) = audit(&[mock.reference()], &["--max-requests-per-minute", "120"]);
    assert_eq!(code, Some(1), "{doc:#}");
    let times = times.lock().unwrap();
    // `/v2/`, the manifest, the config, the layer.
    assert!(times.len() >= 4, "{times:?}");
    for pair in times.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        // 120 a minute: 500 ms apart (a little less for the time to read a request).
        assert!(gap >= Duration::from_millis(450), "{} after {gap:?}", pair[1].0);
    }
}

#[test]
fn a_registry_that_is_gone_makes_its_images_not_audited_and_the_rest_is_audited() {
    let (manifest, blobs, _, _) = image();
    let mock = Mock::start(manifest, blobs, Box::new(|_| None));
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("127.0.0.1:{gone}/app:1");
    let (code, doc) = audit(&[dead.clone(), mock.reference()], &["--registry-retries", "1"]);
    assert_eq!(code, Some(2), "{doc:#}");
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let by_ref = |r: &str| images.iter().find(|i| i["reference"] == r).unwrap();
    assert_eq!(by_ref(&mock.reference())["audited"], true);
    assert_eq!(by_ref(&dead)["audited"], false);
    let reason = by_ref(&dead)["error"].as_str().unwrap();
    assert!(reason.contains(&format!("127.0.0.1:{gone}")), "{reason}");
    assert_eq!(doc["summary"]["images_not_audited"], 1);
    assert_eq!(doc["incidents"].as_array().unwrap().len(), 1);
}

#[test]
fn a_progress_line_and_layer_bars_on_a_terminal_only() {
    let (manifest, blobs, layer_digest, _) = image();
    let slow = format!("/v2/app/blobs/{layer_digest}");
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            // Slow enough for the bars to be drawn.
            if r.path == slow {
                std::thread::sleep(Duration::from_millis(800));
            }
            None
        }),
    );
    let tmp = tempfile::tempdir().unwrap();
    let program = env!("CARGO_BIN_EXE_layerleak");
    let report = tmp.path().join("report.json");
    let command = format!(
        "{program} audit {} --format json --db {} >{}",
        mock.reference(),
        tmp.path().join("a.db").display(),
        report.display()
    );
    let o = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let terminal = stdout(&o);
    assert!(terminal.contains("images audited; now 127.0.0.1:"), "{terminal}");
    assert!(terminal.contains("sha256:"), "no layer bar: {terminal}");
    // The report itself is untouched by the bars.
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["summary"]["images"], 1);
    // Not a terminal: no progress.
    let o = layerleak()
        .args(["audit", &mock.reference(), "--format", "json", "--db"])
        .arg(tmp.path().join("b.db"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("images audited"), "{}", stderr(&o));
}

#[test]
fn a_catalog_that_needs_its_own_token_scope_is_listed_with_one() {
    let (manifest, blobs, ..) = image();
    let realm_port = Arc::new(Mutex::new(0u16));
    let port = Arc::clone(&realm_port);
    let tokens: Arc<Mutex<Vec<String>>> = Arc::default();
    let asked = Arc::clone(&tokens);
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            let realm = format!("http://127.0.0.1:{}/token", port.lock().unwrap());
            let challenge = |scope: &str| {
                let scope =
                    if scope.is_empty() { String::new() } else { format!(",scope=\"{scope}\"") };
                vec![(
                    "WWW-Authenticate".into(),
                    format!(r#"Bearer realm="{realm}",service="mock"{scope}"#),
                )]
            };
            let bearer = r.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer "));
            if r.path.starts_with("/token") {
                asked.lock().unwrap().push(r.path.clone());
                // A token for what the query asks: the catalog only with its own scope.
                let token =
                    if r.path.contains("scope=registry%3Acatalog%3A*") { "cat" } else { "pull" };
                return Some(Reply::Full(
                    200,
                    vec![],
                    json!({ "token": token }).to_string().into_bytes(),
                ));
            }
            if bearer.is_none() {
                return Some(Reply::Full(
                    401,
                    challenge(""),
                    br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
                ));
            }
            if r.path.starts_with("/v2/_catalog") {
                return Some(if bearer == Some("cat") {
                    Reply::Full(
                        200,
                        vec![],
                        json!({ "repositories": ["app"] }).to_string().into_bytes(),
                    )
                } else {
                    Reply::Full(
                        401,
                        challenge("registry:catalog:*"),
                        br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
                    )
                });
            }
            if r.path.starts_with("/v2/app/tags/list") {
                let body = json!({ "name": "app", "tags": ["1"] }).to_string().into_bytes();
                return Some(Reply::Full(200, vec![], body));
            }
            None
        }),
    );
    *realm_port.lock().unwrap() = mock.port();
    let registry = mock.reference().split('/').next().unwrap().to_owned();
    let (code, doc) = audit(&[registry], &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["summary"]["images_not_audited"], 0, "{doc:#}");
    assert_eq!(doc["summary"]["images"], 1, "{doc:#}");
    let tokens = tokens.lock().unwrap();
    assert!(tokens.iter().any(|t| t.contains("scope=registry%3Acatalog%3A*")), "{tokens:?}");
}
