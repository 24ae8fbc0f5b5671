//! Hostile images and registries (issue 16, the `layerleak-image` side): every input here
//! once took gigabytes, hung, or put a secret in an error. Each runs the binary under an
//! address-space cap and a time limit (`crate::capped`) and must end by itself with the
//! right exit code, name what failed (image, layer, document), and peak at most 128 MiB.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::capped::{Capped, run_capped, run_capped_env};
use crate::fixtures::{
    E, LayerBlob, Layout, OCI_CONFIG, OCI_MANIFEST, config, digest, layer, simple_history,
};
use crate::hostile_registry::{Hostile, HostileRegistry, LAYER_TOKEN};

const LIMIT: Duration = Duration::from_secs(60);

/// Everything the run printed.
fn text(run: &Capped) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&run.output.stdout),
        String::from_utf8_lossy(&run.output.stderr)
    )
}

/// Scans a registry reference with short timeouts, JSON output.
fn scan_registry(reference: &str, extra: &[&str], env: &[(&str, &str)]) -> Capped {
    let mut args = vec!["scan", reference, "--format", "json", "--registry-timeout", "2"];
    args.extend(["--registry-retries", "1"]);
    args.extend_from_slice(extra);
    run_capped_env(&args, env, LIMIT)
}

fn scan_path(path: &Path) -> Capped {
    run_capped(&["scan", path.to_str().unwrap(), "--format", "json"], LIMIT)
}

/// Asserts the run found the layer's token (the layers were scanned).
#[track_caller]
fn assert_found_layer_token(run: &Capped, what: &str) {
    let out = String::from_utf8_lossy(&run.output.stdout);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: {e}\n{out}"));
    let paths: Vec<&Value> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["locations"].as_array().into_iter().flatten())
        .map(|l| &l["path"])
        .collect();
    assert!(paths.contains(&&json!("app/token.txt")), "{what}: layer not scanned\n{out}");
}

fn bearer_challenge(port: u16) -> Hostile {
    Hostile::Full(
        401,
        vec![(
            "WWW-Authenticate".into(),
            format!(r#"Bearer realm="http://127.0.0.1:{port}/token",service="hostile""#),
        )],
        br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
    )
}

// ---- registry: endless bodies (item 1) ----

#[test]
fn an_endless_token_body_is_cut_at_its_limit() {
    let registry = HostileRegistry::start(|r, port| match r.path.as_str() {
        p if p.starts_with("/token") => Some(Hostile::Endless(200, vec![])),
        _ if r.authorization.is_none() => Some(bearer_challenge(port)),
        _ => None,
    });
    let run = scan_registry(&registry.reference(), &[], &[]);
    run.assert_bounded(2, "endless token body");
    let out = text(&run);
    assert!(out.contains("bearer token response is over the 65536-byte limit"), "{out}");
}

#[test]
fn endless_bodies_on_every_endpoint_are_bounded_and_named() {
    let HostileRegistry { layer_digest, config_digest, .. } = HostileRegistry::start(|_, _| None);
    let cases: Vec<(&str, String, u16, i32, &str)> = vec![
        // The body of /v2/ is never read: the scan goes on.
        ("/v2/", "/v2/".to_owned(), 200, 1, "app/token.txt"),
        (
            "manifest",
            "/v2/app/manifests/1".to_owned(),
            200,
            2,
            "manifest 1 is over the 4194304-byte limit",
        ),
        ("error body", "/v2/app/manifests/1".to_owned(), 404, 2, "manifest 1 not found"),
        ("config", format!("/v2/app/blobs/{config_digest}"), 200, 2, "32 MiB limit"),
        ("layer", format!("/v2/app/blobs/{layer_digest}"), 200, 2, layer_digest.as_str()),
    ];
    for (what, path, status, code, expected) in cases {
        let registry = HostileRegistry::start(move |r, _| {
            (r.path == path).then(|| Hostile::Endless(status, vec![]))
        });
        let run = scan_registry(&registry.reference(), &[], &[]);
        run.assert_bounded(code, what);
        let out = text(&run);
        assert!(out.contains(expected), "{what}: {out}");
        if what == "config" {
            // A config over its limit is an issue; the layers are still scanned.
            assert!(out.contains(&config_digest), "{out}");
            assert_found_layer_token(&run, what);
        }
    }
}

#[test]
fn a_lying_content_length_and_huge_headers_are_refused() {
    let registry = HostileRegistry::start(|r, _| {
        (r.path == "/v2/app/manifests/1")
            .then(|| Hostile::Lying { declared: 1 << 40, body: b"{\"schemaVersion\":2".to_vec() })
    });
    let run = scan_registry(&registry.reference(), &[], &[]);
    run.assert_bounded(2, "lying Content-Length");
    assert!(text(&run).contains("manifest 1"), "{}", text(&run));

    let registry =
        HostileRegistry::start(|r, _| (r.path == "/v2/").then_some(Hostile::HugeHeader(1 << 20)));
    let run = scan_registry(&registry.reference(), &[], &[]);
    run.assert_bounded(2, "huge headers");
    assert!(text(&run).contains("/v2/"), "{}", text(&run));
}

#[test]
fn a_redirect_loop_is_given_up() {
    let registry = HostileRegistry::start(|r, port| {
        (r.path == "/v2/app/manifests/1")
            .then(|| Hostile::Redirect(format!("http://127.0.0.1:{port}/v2/app/manifests/1")))
    });
    let run = scan_registry(&registry.reference(), &[], &[]);
    run.assert_bounded(2, "redirect loop");
    let out = text(&run);
    assert!(out.contains("manifest 1") && out.contains("redirect"), "{out}");
}

// ---- registry: trickling (item 6) ----

#[test]
fn a_registry_trickling_below_the_read_timeout_meets_the_deadline() {
    let probe = HostileRegistry::start(|_, _| None);
    let layer_path = format!("/v2/app/blobs/{}", probe.layer_digest);
    for (what, path, expected) in [
        ("manifest", "/v2/app/manifests/1".to_owned(), "manifest 1".to_owned()),
        ("layer", layer_path, probe.layer_digest),
    ] {
        let registry = HostileRegistry::start(move |r, _| {
            (r.path == path).then_some(Hostile::Trickle(Duration::from_millis(300)))
        });
        let start = Instant::now();
        let run = scan_registry(&registry.reference(), &["--registry-deadline", "3"], &[]);
        run.assert_bounded(2, what);
        assert!(start.elapsed() < Duration::from_secs(30), "{what}: {:?}", start.elapsed());
        let out = text(&run);
        assert!(out.contains(&expected) && out.contains("3-second deadline"), "{what}: {out}");
    }
}

// ---- registry: errors that echo credentials (item 7) ----

#[test]
fn a_registry_echoing_the_credentials_sent_never_gets_them_printed() {
    let password = "pw-s3cretRegistryPassword";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{password}"));
    let registry = HostileRegistry::start(|r, _| {
        (r.path == "/v2/app/manifests/1").then_some(Hostile::Echo(403))
    });
    let env = [("LAYERLEAK_REGISTRY_USERNAME", "alice"), ("LAYERLEAK_REGISTRY_PASSWORD", password)];
    let run = scan_registry(&registry.reference(), &[], &env);
    run.assert_bounded(2, "echoed basic credentials");
    let out = text(&run);
    assert!(out.contains("denied"), "{out}");
    assert!(!out.contains("s3cretRegistryPassword") && !out.contains(&basic), "{out}");

    let token = "tok-s3cretBearerTokenValue";
    let registry = HostileRegistry::start(move |r, port| match r.path.as_str() {
        p if p.starts_with("/token") => {
            Some(Hostile::Full(200, vec![], json!({ "token": token }).to_string().into_bytes()))
        }
        _ if r.authorization.is_none() => Some(bearer_challenge(port)),
        "/v2/app/manifests/1" => Some(Hostile::Echo(403)),
        _ => None,
    });
    let run = scan_registry(&registry.reference(), &[], &[]);
    run.assert_bounded(2, "echoed bearer token");
    let out = text(&run);
    assert!(out.contains("denied"), "{out}");
    assert!(!out.contains("s3cretBearerTokenValue"), "{out}");
}

#[test]
fn credentials_never_show_in_reference_or_docker_config_errors() {
    let run = scan_registry("alice:ghp_s3cretInUserinfo0123@127.0.0.1:1/app", &[], &[]);
    run.assert_bounded(2, "userinfo reference");
    assert!(!text(&run).contains("s3cretInUserinfo"), "{}", text(&run));

    let registry = HostileRegistry::start(|_, _| None);
    let dir = tempfile::tempdir().unwrap();
    let host = format!("127.0.0.1:{}", registry.port);
    let docker = json!({ "auths": { host: "ghp_s3cretBareAuthsToken0123" } });
    std::fs::write(dir.path().join("config.json"), docker.to_string()).unwrap();
    let env = [("DOCKER_CONFIG", dir.path().to_str().unwrap())];
    let run = scan_registry(&registry.reference(), &[], &env);
    run.assert_bounded(2, "bare token in auths");
    let out = text(&run);
    assert!(out.contains("config.json"), "{out}");
    assert!(!out.contains("s3cretBareAuthsToken"), "{out}");
}

// ---- local: descriptors (item 2) ----

/// A one-layer image with the token, in `layout`; returns the manifest descriptor.
fn token_image(layout: &mut Layout) -> Value {
    let layers = [token_layer()];
    let cfg = config("linux/amd64", &[], json!({}), simple_history(1), &layers);
    layout.image(&cfg, &layers)
}

#[test]
fn repeated_index_entries_are_fetched_once() {
    let mut layout = Layout::default();
    let mut desc = token_image(&mut layout);
    // Four nested indexes, each listing the next 1,000 times: 10^12 paths, one image.
    for _ in 0..4 {
        desc = layout.index(vec![desc; 1000]);
    }
    layout.finish(vec![desc]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let run = scan_path(dir.path());
    run.assert_bounded(1, "repeated index entries");
    assert_found_layer_token(&run, "repeated index entries");
}

#[test]
fn too_many_distinct_manifests_are_refused_naming_the_cap() {
    let mut layout = Layout::default();
    let base = token_image(&mut layout);
    let name =
        format!("blobs/sha256/{}", base["digest"].as_str().unwrap().trim_start_matches("sha256:"));
    let (_, bytes) = layout.files.iter().find(|(n, _)| *n == name).unwrap();
    let manifest: Value = serde_json::from_slice(bytes).unwrap();
    // 1,001 distinct manifests of the same image, told apart by an annotation.
    let entries: Vec<Value> = (0..1001)
        .map(|i| {
            let mut doc = manifest.clone();
            doc["annotations"] = json!({ "n": i.to_string() });
            layout.blob(OCI_MANIFEST, &serde_json::to_vec(&doc).unwrap())
        })
        .collect();
    let index = layout.index(entries);
    layout.finish(vec![index]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let run = scan_path(dir.path());
    run.assert_bounded(2, "distinct manifests");
    assert!(text(&run).contains("more than 1000 distinct manifests"), "{}", text(&run));
}

// ---- local: configs (items 3 and 12) ----

/// A config for one layer (`diff_id`) whose `middle` is spliced in as raw JSON fields.
fn raw_config(diff_id: &str, middle: &[u8]) -> Vec<u8> {
    let mut out =
        br#"{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[""#.to_vec();
    out.extend_from_slice(diff_id.as_bytes());
    out.extend_from_slice(b"\"]},");
    out.extend_from_slice(middle);
    out.push(b'}');
    out
}

/// `"name":[item,item,…]` with `count` items.
fn repeated(name: &str, item: &[u8], count: usize) -> Vec<u8> {
    let mut out = format!("\"{name}\":[").into_bytes();
    out.reserve(count * (item.len() + 1));
    for i in 0..count {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.push(b']');
    out
}

fn token_layer() -> LayerBlob {
    LayerBlob::plain(layer(vec![E::File("app/token.txt", format!("{LAYER_TOKEN}\n").into_bytes())]))
}

/// An OCI layout of the token layer with `config`; returns the directory.
fn layout_with_config(config: &[u8], layer: &LayerBlob) -> tempfile::TempDir {
    let mut layout = Layout::default();
    let m = layout.image(config, std::slice::from_ref(layer));
    layout.finish(vec![m]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    dir
}

#[test]
fn configs_of_millions_of_tiny_elements_are_refused_and_the_layers_scanned() {
    let layer = token_layer();
    for (what, middle) in [
        ("3 M history entries", repeated("history", b"{}", 3_000_000)),
        ("3 M Env strings", {
            let mut inner = b"\"config\":{".to_vec();
            inner.extend(repeated("Env", b"\"\"", 3_000_000));
            inner.push(b'}');
            inner
        }),
    ] {
        let cfg = raw_config(&layer.diff_id, &middle);
        let dir = layout_with_config(&cfg, &layer);
        let run = scan_path(dir.path());
        run.assert_bounded(2, what);
        let out = text(&run);
        assert!(out.contains(&digest(&cfg)) && out.contains("more than 10000"), "{what}: {out}");
        assert_found_layer_token(&run, what);
    }
}

#[test]
fn a_config_over_its_size_limit_is_an_issue_and_the_layers_are_scanned() {
    let layer = token_layer();
    let cfg =
        config("linux/amd64", &[], json!({}), simple_history(1), std::slice::from_ref(&layer));
    let mut layout = Layout::default();
    let mut config_desc = layout.blob(OCI_CONFIG, &cfg);
    // The manifest says the config is 33 MiB: it is not read.
    config_desc["size"] = json!(33 << 20);
    let layer_desc = layout.blob(layer.media_type, &layer.stored);
    let m = layout.manifest(config_desc, vec![layer_desc]);
    layout.finish(vec![m]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let run = scan_path(dir.path());
    run.assert_bounded(2, "config over 32 MiB");
    let out = text(&run);
    assert!(out.contains(&digest(&cfg)) && out.contains("32 MiB limit"), "{out}");
    assert_found_layer_token(&run, "config over 32 MiB");
}

#[test]
fn images_sharing_a_config_parse_it_once_and_many_images_are_capped() {
    // Four tags of one image in a legacy `docker save`, sharing a 9 MB config.
    let tar = layer(vec![E::File("app/token.txt", format!("{LAYER_TOKEN}\n").into_bytes())]);
    let diff_id = digest(&tar);
    let cfg = raw_config(&diff_id, &repeated("history", b"{}", 3_000_000));
    let mut files = Layout::default();
    files.put("c.json", cfg.clone());
    files.put("l/layer.tar", tar);
    let entry = |i: usize| json!({ "Config": "c.json", "RepoTags": [format!("app:{i}")], "Layers": ["l/layer.tar"] });
    files.put("manifest.json", serde_json::to_vec(&(0..4).map(entry).collect::<Vec<_>>()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("shared.tar");
    files.write_tar(&archive);
    let run = scan_path(&archive);
    run.assert_bounded(2, "four images sharing a config");
    assert!(text(&run).contains(&digest(&cfg)), "{}", text(&run));
    assert_found_layer_token(&run, "four images sharing a config");

    // 30,000 tiny images: over the cap of distinct images of one target.
    let tiny = br#"{"Config":"c.json","Layers":["l/layer.tar"]}"#;
    let mut manifest = b"[".to_vec();
    for i in 0..30_000 {
        if i > 0 {
            manifest.push(b',');
        }
        manifest.extend_from_slice(tiny);
    }
    manifest.push(b']');
    files.put("c.json", br#"{"os":"linux","architecture":"amd64"}"#.to_vec());
    files.put("manifest.json", manifest);
    let archive = dir.path().join("many.tar");
    files.write_tar(&archive);
    let run = scan_path(&archive);
    run.assert_bounded(2, "30,000 images");
    let out = text(&run);
    assert!(out.contains("manifest.json") && out.contains("more than 1000"), "{out}");
}

// ---- local: FIFOs (item 6) ----

#[test]
fn a_blob_that_links_to_a_fifo_is_an_issue_not_a_hang() {
    let layer = token_layer();
    let cfg =
        config("linux/amd64", &[], json!({}), simple_history(1), std::slice::from_ref(&layer));
    let dir = layout_with_config(&cfg, &layer);
    let blob =
        dir.path().join("blobs/sha256").join(digest(&layer.stored).trim_start_matches("sha256:"));
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(&fifo, &blob).unwrap();
    let run = run_capped(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        Duration::from_secs(20),
    );
    run.assert_bounded(2, "blob linking to a FIFO");
    let out = text(&run);
    assert!(out.contains("FIFO") && out.contains(&digest(&layer.stored)), "{out}");
}

// ---- local: parse errors that would quote a secret (item 7) ----

#[test]
fn parse_errors_never_quote_the_document() {
    let secret = "ghp_s3cretInAMalformedField0123456789";
    let layer = token_layer();
    // `Env` a string instead of a list: the config is malformed.
    let cfg = raw_config(&layer.diff_id, format!(r#""config":{{"Env":"{secret}"}}"#).as_bytes());
    let dir = layout_with_config(&cfg, &layer);
    let run = scan_path(dir.path());
    run.assert_bounded(2, "malformed config");
    let out = text(&run);
    assert!(out.contains(&digest(&cfg)) && !out.contains("s3cretInAMalformed"), "{out}");

    // `RepoTags` a string in a `docker save` manifest.json.
    let mut files = Layout::default();
    files.put("c.json", cfg);
    files.put("l/layer.tar", layer.stored);
    let manifest = json!([{ "Config": "c.json", "RepoTags": secret, "Layers": ["l/layer.tar"] }]);
    files.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    let archive = dir.path().join("bad.tar");
    files.write_tar(&archive);
    let run = scan_path(&archive);
    run.assert_bounded(2, "malformed manifest.json");
    let out = text(&run);
    assert!(out.contains("manifest.json") && !out.contains("s3cretInAMalformed"), "{out}");
}

// ---- a real registry: repeated index entries (item 2) ----

/// One HTTP/1.1 exchange with the registry at `host`: the status and the body.
fn http(
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response[split + 4..].to_vec())
}

#[test]
fn a_registry_index_repeating_its_entries_is_fetched_once() {
    if !crate::registry_server::available("a_registry_index_repeating_its_entries_is_fetched_once")
    {
        return;
    }
    let registry = crate::registry_server::Registry::start(false);
    let host = registry.host();
    let layer = token_layer();
    let cfg =
        config("linux/amd64", &[], json!({}), simple_history(1), std::slice::from_ref(&layer));
    let dir = crate::fixtures::oci_dir(&cfg, std::slice::from_ref(&layer));
    registry.push(dir.path(), "app:base", &[]);
    let (status, manifest) =
        http(&host, "GET", "/v2/app/manifests/base", &[("Accept", OCI_MANIFEST)], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&manifest));
    let mut entry = json!({
        "mediaType": OCI_MANIFEST, "digest": digest(&manifest), "size": manifest.len(),
        "platform": { "os": "linux", "architecture": "amd64" },
    });
    // Three nested indexes, each listing the next 1,000 times: 10^9 paths, one image.
    let oci_index = "application/vnd.oci.image.index.v1+json";
    for level in 0..3 {
        let index =
            json!({ "schemaVersion": 2, "mediaType": oci_index, "manifests": vec![entry; 1000] });
        let bytes = serde_json::to_vec(&index).unwrap();
        let tag = if level == 2 { "1".to_owned() } else { digest(&bytes) };
        let (status, body) = http(
            &host,
            "PUT",
            &format!("/v2/app/manifests/{tag}"),
            &[("Content-Type", oci_index)],
            &bytes,
        );
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
        entry = json!({ "mediaType": oci_index, "digest": digest(&bytes), "size": bytes.len() });
    }
    let run = run_capped(&["scan", &format!("{host}/app:1"), "--format", "json"], LIMIT);
    run.assert_bounded(1, "registry index repeating its entries");
    assert_found_layer_token(&run, "registry index repeating its entries");
}
