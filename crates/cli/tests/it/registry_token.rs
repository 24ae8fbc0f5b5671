//! Token authentication against the real registry: `docker-registry` configured with
//! `auth: token`, trusting a root certificate made with `openssl`, in front of a small
//! token server written here that checks basic credentials and issues RS256 JWTs with an
//! `x5c` chain (the scheme Docker Hub and most registries use).

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use crate::common::{stderr, stdout};
use crate::registry::{archive_findings, assert_same, leaky_image, scan};
use crate::registry_server::{PASSWORD, Registry, USER, available};

const SERVICE: &str = "layerleak-registry";
const ISSUER: &str = "layerleak-token-issuer";

fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl runs (apt-get install openssl)");
    let mut input = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        input.write_all(data).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A token server: `GET /token?scope=repository:NAME:ACTIONS&service=…` with basic auth
/// for [`USER`] / [`PASSWORD`] gets a JWT granting pull and push on NAME.
struct TokenServer {
    port: u16,
    /// The `scope` of every request, and whether it was granted.
    requests: Arc<Mutex<Vec<(String, bool)>>>,
}

impl TokenServer {
    fn start(key: PathBuf, cert_der: Vec<u8>) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let x5c = STANDARD.encode(cert_der);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut authorization = String::new();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = header.split_once(':')
                        && k.eq_ignore_ascii_case("authorization")
                    {
                        authorization = v.trim().to_owned();
                    }
                }
                let target = line.split_whitespace().nth(1).unwrap_or_default();
                let scope = query_param(target, "scope").unwrap_or_default();
                let expected = format!("Basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}")));
                let granted = authorization == expected;
                log.lock().unwrap().push((scope.clone(), granted));
                let (status, body) = if granted {
                    let token = jwt(&key, &x5c, &scope);
                    ("200 OK", json!({ "token": token, "access_token": token }).to_string())
                } else {
                    ("401 Unauthorized", r#"{"details":"bad credentials"}"#.to_owned())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenServer { port, requests }
    }
}

fn query_param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// An RS256 JWT for `scope` (`repository:NAME:ACTIONS`), signed with `key` by `openssl`.
fn jwt(key: &Path, x5c: &str, scope: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let access: Vec<_> = scope
        .split(' ')
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name) = (parts.next()?, parts.next()?);
            (kind == "repository")
                .then(|| json!({ "type": "repository", "name": name, "actions": ["pull", "push"] }))
        })
        .collect();
    let header = json!({ "alg": "RS256", "typ": "JWT", "x5c": [x5c] });
    let claims = json!({
        "iss": ISSUER, "sub": USER, "aud": SERVICE, "exp": now + 600, "nbf": now - 60,
        "iat": now - 60, "jti": format!("{now}-{}", scope.len()), "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = openssl(
        &["dgst", "-sha256", "-sign", key.to_str().unwrap()],
        Some(signing_input.as_bytes()),
    );
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[test]
fn token_auth_through_a_token_server() {
    if !available("token_auth_through_a_token_server") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let root = dir.path().join("root.pem");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=layerleak-token",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            root.to_str().unwrap(),
        ],
        None,
    );
    let der = openssl(&["x509", "-in", root.to_str().unwrap(), "-outform", "DER"], None);
    let tokens = TokenServer::start(key, der);
    let auth = format!(
        "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
        tokens.port,
        root.display()
    );
    let registry = Registry::start_with(dir, Some(auth));
    let image = leaky_image(false);
    let expected = archive_findings(image.path(), &[]);
    registry.push(image.path(), "private/app:1", &["--format", "oci"]);
    let reference = format!("{}/private/app:1", registry.host());
    let flags = ["--username", USER, "--password-stdin"];

    assert_same(&reference, &flags, &expected, Some(PASSWORD), &[]);
    assert!(
        tokens.requests.lock().unwrap().contains(&("repository:private/app:pull".to_owned(), true)),
        "no pull token was issued: {:?}",
        tokens.requests.lock().unwrap()
    );

    let o = scan(&reference, &[], None, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("authentication required to pull private/app"), "{}", stderr(&o));
    let wrong = "N0t-The-Pa55word";
    let o = scan(&reference, &flags, Some(wrong), &[]);
    assert_eq!(o.status.code(), Some(2));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(all.contains("were rejected"), "{all}");
    assert!(!all.contains(wrong), "the password leaked: {all}");
}
