//! What a real registry will not do, from a small in-process HTTP server: a blob whose
//! bytes do not match its digest, 429 then success, a connection dropped mid-blob, a
//! server that stalls.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{run, stderr};
use crate::fixtures::{E, LayerBlob, config, digest, layer, simple_history};

const GH: &str = "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";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// What the server does with one request.
pub(crate) enum Reply {
    /// Status, extra headers, body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// Promise `Content-Length: len` and send only `body`, then close.
    Cut { len: usize, body: Vec<u8> },
    /// Never answer (until the test ends).
    Stall,
}

/// A one-image registry whose blob replies a test can script.
pub(crate) struct Mock {
    port: u16,
    /// Request lines and `Range` headers seen, in order.
    seen: Arc<Mutex<Vec<String>>>,
}

/// One request, as a script sees it.
pub(crate) struct Req {
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
    /// How many requests for this path came before.
    pub(crate) nth: usize,
}

pub(crate) type Script = dyn Fn(&Req) -> Option<Reply> + Send + Sync;

impl Mock {
    /// Serves `/v2/`, the manifest of `app:1`, its config and layer; `script` may
    /// override any reply.
    pub(crate) fn start(
        manifest: Vec<u8>,
        blobs: Vec<(String, Vec<u8>)>,
        script: Box<Script>,
    ) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let script: Arc<Script> = Arc::from(script);
        let blobs = Arc::new(blobs);
        let manifest = Arc::new(manifest);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let (log, script, blobs, manifest) = (
                    Arc::clone(&log),
                    Arc::clone(&script),
                    Arc::clone(&blobs),
                    Arc::clone(&manifest),
                );
                std::thread::spawn(move || serve(stream, &log, &*script, &blobs, &manifest));
            }
        });
        Mock { port, seen }
    }

    pub(crate) fn reference(&self) -> String {
        format!("127.0.0.1:{}/app:1", self.port)
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    log: &Mutex<Vec<String>>,
    script: &Script,
    blobs: &[(String, Vec<u8>)],
    manifest: &[u8],
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let mut range = None;
        let mut authorization = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                if k.eq_ignore_ascii_case("range") {
                    range = Some(v.trim().to_owned());
                } else if k.eq_ignore_ascii_case("authorization") {
                    authorization = Some(v.trim().to_owned());
                }
            }
        }
        let nth = {
            let mut log = log.lock().unwrap();
            let nth = log.iter().filter(|l| l.starts_with(&format!("{path} "))).count();
            log.push(format!("{path} {}", range.as_deref().unwrap_or("-")));
            nth
        };
        let req = Req { path: path.clone(), authorization, nth };
        let reply = script(&req).unwrap_or_else(|| {
            if path == "/v2/" {
                Reply::Full(200, vec![], b"{}".to_vec())
            } else if path == "/v2/app/manifests/1" {
                Reply::Full(
                    200,
                    vec![("Content-Type".into(), OCI_MANIFEST.into())],
                    manifest.to_vec(),
                )
            } else if let Some((_, data)) =
                blobs.iter().find(|(d, _)| path == format!("/v2/app/blobs/{d}"))
            {
                match range
                    .as_deref()
                    .and_then(|r| r.strip_prefix("bytes="))
                    .and_then(|r| r.strip_suffix('-'))
                {
                    Some(from) => {
                        let from: usize = from.parse().unwrap();
                        Reply::Full(206, vec![], data[from..].to_vec())
                    }
                    None => Reply::Full(200, vec![], data.clone()),
                }
            } else {
                Reply::Full(404, vec![], br#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#.to_vec())
            }
        });
        let head = |status: u16, len: usize, extra: &[(String, String)]| {
            let mut h = format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\n");
            for (k, v) in extra {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            h.push_str("\r\n");
            h.into_bytes()
        };
        match reply {
            Reply::Full(status, extra, body) => {
                let _ = stream.write_all(&head(status, body.len(), &extra));
                let _ = stream.write_all(&body);
            }
            Reply::Cut { len, body } => {
                let _ = stream.write_all(&head(200, len, &[]));
                let _ = stream.write_all(&body);
                let _ = stream.flush();
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            Reply::Stall => {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
        }
    }
}

/// A one-layer image: manifest, blobs (digest and bytes), layer digest, layer bytes.
pub(crate) type Image = (Vec<u8>, Vec<(String, Vec<u8>)>, String, Vec<u8>);

/// A one-layer image with a secret, gzip or plain.
fn image_with(gzip: bool) -> Image {
    // Big enough that a cut in the middle is mid-body, not mid-header.
    let filler: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let tar = layer(vec![
        E::File("data/filler.bin", filler),
        E::File("app/token.txt", format!("{GH}\n").into_bytes()),
    ]);
    let layers = [if gzip { LayerBlob::gzip(&tar) } else { LayerBlob::plain(tar) }];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(1), &layers);
    let stored = layers[0].stored.clone();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(&cfg), "size": cfg.len() },
        "layers": [{ "mediaType": layers[0].media_type, "digest": digest(&stored), "size": stored.len() }],
    }))
    .unwrap();
    let blobs = vec![(digest(&cfg), cfg), (digest(&stored), stored.clone())];
    (manifest, blobs, digest(&stored), stored)
}

pub(crate) fn image() -> Image {
    image_with(true)
}

fn scan(reference: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan", reference, "--format", "json"];
    if !extra.contains(&"--registry-timeout") {
        args.extend(["--registry-timeout", "2"]);
    }
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn blob_not_matching_its_digest_is_an_issue_naming_the_layer() {
    // Uncompressed, so that only the digest can tell: one byte of the filler changed.
    let (manifest, blobs, layer_digest, stored) = image_with(false);
    let mut tampered = stored;
    tampered[4096] ^= 0xff;
    let target = format!("/v2/app/blobs/{layer_digest}");
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| (r.path == target).then(|| Reply::Full(200, vec![], tampered.clone()))),
    );
    let o = scan(&mock.reference(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let issue = doc["issues"].to_string();
    assert!(issue.contains(&layer_digest) && issue.contains("digest mismatch"), "{issue}");
}

#[test]
fn too_many_requests_is_retried_after_retry_after() {
    let (manifest, blobs, layer_digest, _) = image();
    let target = format!("/v2/app/blobs/{layer_digest}");
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            (r.path == target && r.nth == 0)
                .then(|| Reply::Full(429, vec![("Retry-After".into(), "1".into())], Vec::new()))
        }),
    );
    let start = Instant::now();
    let o = scan(&mock.reference(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(start.elapsed() >= Duration::from_secs(1), "Retry-After was not waited for");
    let blob_requests = mock.seen().iter().filter(|l| l.contains(&layer_digest)).count();
    assert_eq!(blob_requests, 2);
}

#[test]
fn dropped_connection_mid_blob_resumes_with_a_range_request() {
    let (manifest, blobs, layer_digest, stored) = image();
    let half = stored.len() / 2;
    let target = format!("/v2/app/blobs/{layer_digest}");
    let first = stored[..half].to_vec();
    let len = stored.len();
    let cut = target.clone();
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            (r.path == cut && r.nth == 0).then(|| Reply::Cut { len, body: first.clone() })
        }),
    );
    let o = scan(&mock.reference(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["findings"][0]["locations"][0]["path"], "app/token.txt");
    let seen = mock.seen();
    assert!(
        seen.contains(&format!("{target} bytes={half}-")),
        "no resume from byte {half}: {seen:?}"
    );
}

#[test]
fn stalled_registry_times_out_instead_of_hanging() {
    let (manifest, blobs, _, _) = image();
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(|r| (r.path == "/v2/app/manifests/1").then_some(Reply::Stall)),
    );
    let start = Instant::now();
    let o = scan(&mock.reference(), &["--registry-timeout", "1", "--registry-retries", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let err = stderr(&o);
    assert!(err.contains("manifest 1 failed after 2 attempt(s): timed out"), "{err}");
}

#[test]
fn expired_bearer_token_is_renewed() {
    let (manifest, blobs, layer_digest, _) = image();
    let target = format!("/v2/app/blobs/{layer_digest}");
    let port = Arc::new(Mutex::new(0u16));
    let realm_port = Arc::clone(&port);
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            let challenge = || {
                let realm = format!("http://127.0.0.1:{}/token", realm_port.lock().unwrap());
                Reply::Full(
                    401,
                    vec![(
                        "WWW-Authenticate".into(),
                        format!(r#"Bearer realm="{realm}",service="mock""#),
                    )],
                    br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
                )
            };
            if r.path.starts_with("/token") {
                let token = format!("tok-{}", r.nth);
                return Some(Reply::Full(
                    200,
                    vec![],
                    json!({ "token": token }).to_string().into_bytes(),
                ));
            }
            // The first token is good for the manifest and config, and has expired by the
            // time the layer is fetched.
            let valid = match r.authorization.as_deref() {
                Some("Bearer tok-0") => r.path != target,
                Some(auth) => auth.starts_with("Bearer tok-"),
                None => false,
            };
            (!valid).then(challenge)
        }),
    );
    *port.lock().unwrap() = mock.port;
    let o = scan(&mock.reference(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let tokens = mock.seen().iter().filter(|l| l.starts_with("/token")).count();
    assert_eq!(tokens, 2, "{:?}", mock.seen());
}

/// Runs `scan` of `reference` with `--username me --password-stdin`, writing `password` to
/// its standard input.
fn scan_with_password(reference: &str, password: &str, extra: &[&str]) -> std::process::Output {
    use std::process::Stdio;
    let mut args = vec!["scan", reference, "--registry-timeout", "2"];
    args.extend(["--registry-retries", "0", "--username", "me", "--password-stdin"]);
    args.extend_from_slice(extra);
    let mut child = crate::common::layerleak()
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_password_a_registry_echoes_in_an_error_is_never_printed() {
    use base64::Engine as _;
    // Not a token any rule knows: only the password the user gave can hide it.
    const PASSWORD: &str = "correct-horse-battery-staple-42";
    let (manifest, blobs, layer_digest, _) = image();
    let target = format!("/v2/app/blobs/{layer_digest}");
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&sent);
    let mock = Mock::start(
        manifest,
        blobs,
        Box::new(move |r| {
            let Some(auth) = r.authorization.clone() else {
                return Some(Reply::Full(
                    401,
                    vec![("WWW-Authenticate".into(), r#"Basic realm="mock""#.into())],
                    br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
                ));
            };
            // A hostile registry decodes the credentials and echoes them in its error.
            let decoded = auth
                .strip_prefix("Basic ")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map_or_else(|| auth.clone(), |b| String::from_utf8_lossy(&b).into_owned());
            seen.lock().unwrap().push(decoded.clone());
            (r.path == target).then(|| {
                // Whole, and in parts: what a registry shows of a "wrong" password.
                let password = decoded.split_once(':').map_or("", |(_, p)| p);
                let tail = &password[password.len().saturating_sub(9)..];
                let middle = password.get(1..password.len().saturating_sub(1)).unwrap_or("");
                let message = format!("denied for {decoded}; expected …{tail}; got {middle}…");
                let body = json!({ "errors": [{ "code": "DENIED", "message": message }] });
                Reply::Full(403, vec![], body.to_string().into_bytes())
            })
        }),
    );
    for extra in [&["--format", "json"][..], &["--show-secrets", "-v"][..]] {
        let o = scan_with_password(&mock.reference(), PASSWORD, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        for part in [PASSWORD, "staple-42", &PASSWORD[1..PASSWORD.len() - 1]] {
            assert!(!all.contains(part), "{extra:?}: {part:?} of the password leaked:\n{all}");
        }
        assert!(
            all.contains("DENIED") || all.contains("denied"),
            "{extra:?}: the registry's reason is lost:\n{all}"
        );
    }
    // The registry was given the password, so its error bodies held it.
    assert!(
        sent.lock().unwrap().iter().any(|s| s == &format!("me:{PASSWORD}")),
        "{:?}",
        sent.lock().unwrap()
    );
}
