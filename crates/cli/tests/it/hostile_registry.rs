//! A malicious registry, in process, for what a real registry cannot be made to do: endless
//! bodies on any endpoint (`/v2/`, the token realm, manifests, blobs, error bodies), bytes
//! trickled slower than any per-read timeout, redirect loops, error messages that echo the
//! credentials just sent, a lying `Content-Length`, huge headers. It serves one good
//! one-layer image (a GitHub token in `app/token.txt`) unless a script says otherwise.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::fixtures::{E, LayerBlob, config, digest, layer, simple_history};

/// The secret in the image's layer.
pub(crate) const LAYER_TOKEN: &str = "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";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// What the server does with one request.
pub(crate) enum Hostile {
    /// Status, extra headers, body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// Status and headers, then a chunked body that never ends.
    Endless(u16, Vec<(String, String)>),
    /// `200`, then the body one byte per `interval`, forever.
    Trickle(Duration),
    /// `Content-Length: declared`, the bytes of `body`, then the connection closed.
    Lying { declared: u64, body: Vec<u8> },
    /// A `302` to `location`.
    Redirect(String),
    /// A `200` whose headers are `bytes` long.
    HugeHeader(usize),
    /// `status` with a registry error envelope whose message echoes the request's
    /// `Authorization` header (and its decoding, when basic).
    Echo(u16),
}

/// One request, as a script sees it.
pub(crate) struct Req {
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
}

type Script = dyn Fn(&Req, u16) -> Option<Hostile> + Send + Sync;

/// The server: `app:1` at `127.0.0.1:<port>`.
pub(crate) struct HostileRegistry {
    pub(crate) port: u16,
    /// The layer blob's digest.
    pub(crate) layer_digest: String,
    /// The config blob's digest.
    pub(crate) config_digest: String,
}

impl HostileRegistry {
    /// Starts serving; `script(request, port)` may override any reply.
    pub(crate) fn start(
        script: impl Fn(&Req, u16) -> Option<Hostile> + Send + Sync + 'static,
    ) -> HostileRegistry {
        let tar = layer(vec![E::File("app/token.txt", format!("{LAYER_TOKEN}\n").into_bytes())]);
        let layers = [LayerBlob::gzip(&tar)];
        let cfg = config("linux/amd64", &[], json!({}), simple_history(1), &layers);
        let stored = layers[0].stored.clone();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(&cfg), "size": cfg.len() },
            "layers": [{ "mediaType": layers[0].media_type, "digest": digest(&stored), "size": stored.len() }],
        }))
        .unwrap();
        let (layer_digest, config_digest) = (digest(&stored), digest(&cfg));
        let blobs = Arc::new(vec![(digest(&cfg), cfg), (digest(&stored), stored)]);
        let manifest = Arc::new(manifest);
        let script: Arc<Script> = Arc::new(script);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let (script, blobs, manifest) =
                    (Arc::clone(&script), Arc::clone(&blobs), Arc::clone(&manifest));
                std::thread::spawn(move || serve(stream, port, &*script, &blobs, &manifest));
            }
        });
        HostileRegistry { port, layer_digest, config_digest }
    }

    pub(crate) fn reference(&self) -> String {
        format!("127.0.0.1:{}/app:1", self.port)
    }
}

fn serve(
    stream: TcpStream,
    port: u16,
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
        let mut authorization = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("authorization")
            {
                authorization = Some(v.trim().to_owned());
            }
        }
        let req = Req { path: path.clone(), authorization };
        let reply = script(&req, port).unwrap_or_else(|| {
            if path == "/v2/" {
                Hostile::Full(200, vec![], b"{}".to_vec())
            } else if path == "/v2/app/manifests/1" {
                let ct = vec![("Content-Type".into(), OCI_MANIFEST.into())];
                Hostile::Full(200, ct, manifest.to_vec())
            } else if let Some((_, data)) =
                blobs.iter().find(|(d, _)| path == format!("/v2/app/blobs/{d}"))
            {
                Hostile::Full(200, vec![], data.clone())
            } else {
                Hostile::Full(404, vec![], br#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#.to_vec())
            }
        });
        let head = |status: u16, extra: &[(String, String)]| {
            let mut h = format!("HTTP/1.1 {status} X\r\n");
            for (k, v) in extra {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            h.push_str("\r\n");
            h.into_bytes()
        };
        let sized = |mut extra: Vec<(String, String)>, len: usize| {
            extra.push(("Content-Length".into(), len.to_string()));
            extra
        };
        match reply {
            Hostile::Full(status, extra, body) => {
                let _ = stream.write_all(&head(status, &sized(extra, body.len())));
                let _ = stream.write_all(&body);
            }
            Hostile::Endless(status, mut extra) => {
                extra.push(("Transfer-Encoding".into(), "chunked".into()));
                if stream.write_all(&head(status, &extra)).is_err() {
                    return;
                }
                let chunk = [b'{'; 64 * 1024];
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                while stream.write_all(&framed).is_ok() {}
                return;
            }
            Hostile::Trickle(interval) => {
                let extra = vec![("Content-Length".into(), "1000000".into())];
                if stream.write_all(&head(200, &extra)).is_err() {
                    return;
                }
                while stream.write_all(b"[").is_ok() {
                    std::thread::sleep(interval);
                }
                return;
            }
            Hostile::Lying { declared, body } => {
                let extra = vec![("Content-Length".into(), declared.to_string())];
                let _ = stream.write_all(&head(200, &extra));
                let _ = stream.write_all(&body);
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            Hostile::Redirect(location) => {
                let extra = sized(vec![("Location".into(), location)], 0);
                let _ = stream.write_all(&head(302, &extra));
            }
            Hostile::HugeHeader(bytes) => {
                let extra = sized(vec![("X-Padding".into(), "a".repeat(bytes))], 2);
                let _ = stream.write_all(&head(200, &extra));
                let _ = stream.write_all(b"{}");
            }
            Hostile::Echo(status) => {
                let sent = req.authorization.clone().unwrap_or_default();
                let decoded = sent
                    .strip_prefix("Basic ")
                    .and_then(|b| {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.decode(b).ok()
                    })
                    .map(|d| String::from_utf8_lossy(&d).into_owned())
                    .unwrap_or_default();
                let message = format!("denied: you sent {sent} ({decoded})");
                let body = json!({ "errors": [{ "code": "DENIED", "message": message }] });
                let body = serde_json::to_vec(&body).unwrap();
                let _ = stream.write_all(&head(status, &sized(vec![], body.len())));
                let _ = stream.write_all(&body);
            }
        }
    }
}
