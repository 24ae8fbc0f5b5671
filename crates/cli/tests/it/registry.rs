//! `layerleak scan REF` against a real registry (see `registry_server.rs`): the findings
//! equal those of the same image scanned as an archive, for Docker schema 2 and OCI
//! manifests, a multi-platform index, a zstd layer, by tag and by digest; basic auth with
//! every credential source; clear errors (exit 2) that never print the password.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, LayerBlob, Layout, config, layer, oci_dir, simple_history};
use crate::registry_server::{PASSWORD, Registry, USER, available};

const GH: &str = "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";
const GL: &str = "glpat-PPjRfdqok10wwQZEDe0I";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const NPM: &str = "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";

/// A three-layer gzip image (the middle layer zstd with `zstd`) with a deleted secret, an overwritten one, a
/// present one, and secrets in ENV and history.
pub(crate) fn leaky_image(zstd: bool) -> tempfile::TempDir {
    let l0 = layer(vec![
        E::File("app/secret.txt", format!("token: {GH}\n").into_bytes()),
        E::File("etc/app.yml", format!("key: {GL}\n").into_bytes()),
    ]);
    let l1 =
        layer(vec![E::Whiteout("app/secret.txt"), E::File("etc/app.yml", b"key: none\n".to_vec())]);
    let l2 = layer(vec![E::File("srv/creds.txt", format!("stripe={STRIPE}\n").into_bytes())]);
    let layers = [
        LayerBlob::gzip(&l0),
        if zstd { LayerBlob::zstd(&l1) } else { LayerBlob::gzip(&l1) },
        // Compressed: skopeo would gzip a plain layer on push, making another image.
        LayerBlob::gzip(&l2),
    ];
    let env = format!("NPM_TOKEN={NPM}");
    let cfg = config("linux/amd64", &["PATH=/bin", &env], json!({}), simple_history(3), &layers);
    oci_dir(&cfg, &layers)
}

/// A two-platform index: the arm64 image has a secret the amd64 one does not.
fn multi_platform_image() -> tempfile::TempDir {
    let base = LayerBlob::gzip(&layer(vec![E::File("etc/os-release", b"ID=test\n".to_vec())]));
    let clean = [
        base.clone(),
        LayerBlob::gzip(&layer(vec![E::File("etc/motd", format!("{GL}\n").into_bytes())])),
    ];
    let leaky =
        [base, LayerBlob::gzip(&layer(vec![E::File("etc/token", format!("{GH}\n").into_bytes())]))];
    let mut layout = Layout::default();
    let mut amd =
        layout.image(&config("linux/amd64", &[], json!({}), simple_history(2), &clean), &clean);
    amd["platform"] = json!({ "os": "linux", "architecture": "amd64" });
    let mut arm =
        layout.image(&config("linux/arm64", &[], json!({}), simple_history(2), &leaky), &leaky);
    arm["platform"] = json!({ "os": "linux", "architecture": "arm64", "variant": "v8" });
    // skopeo copies one image of a layout: the index.json entry is the image index.
    let index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm] });
    let index = layout.blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap());
    layout.finish(vec![index]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    dir
}

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

pub(crate) fn scan(
    target: &str,
    extra: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = layerleak();
    cmd.args(["scan", target, "--format", "json", "--show-secrets", "--registry-timeout", "10"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("LAYERLEAK_REGISTRY_USERNAME")
        .env_remove("LAYERLEAK_REGISTRY_PASSWORD")
        // No docker config of the machine running the tests.
        .env("DOCKER_CONFIG", "/nonexistent-layerleak-test");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

pub(crate) fn doc(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// The findings without the image names (a path vs a reference): rule, secret,
/// fingerprint, and every location with its layer, blob, path, offset and status.
pub(crate) fn findings(doc: &Value) -> Value {
    let mut findings = doc["findings"].clone();
    for f in findings.as_array_mut().unwrap() {
        for l in f["locations"].as_array_mut().unwrap() {
            l.as_object_mut().unwrap().remove("image");
        }
    }
    findings
}

pub(crate) fn archive_findings(dir: &Path, extra: &[&str]) -> Value {
    let o = scan(dir.to_str().unwrap(), extra, None, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let f = findings(&doc(&o));
    assert!(!f.as_array().unwrap().is_empty());
    f
}

pub(crate) fn assert_same(
    reference: &str,
    extra: &[&str],
    expected: &Value,
    stdin: Option<&str>,
    env: &[(&str, &str)],
) {
    let o = scan(reference, extra, stdin, env);
    assert_eq!(o.status.code(), Some(1), "{reference}: {}", stderr(&o));
    let d = doc(&o);
    assert_eq!(d["complete"], true, "{reference}");
    assert_eq!(&findings(&d), expected, "{reference}: registry and archive findings differ");
}

#[test]
fn registry_findings_equal_archive_findings() {
    if !available("registry_findings_equal_archive_findings") {
        return;
    }
    let registry = Registry::start(false);
    let host = registry.host();

    let image = leaky_image(false);
    let expected = archive_findings(image.path(), &[]);
    registry.push(image.path(), "team/app:oci", &["--format", "oci"]);
    registry.push(image.path(), "team/app:v2s2", &["--format", "v2s2"]);
    assert_same(&format!("{host}/team/app:oci"), &[], &expected, None, &[]);
    assert_same(&format!("registry:{host}/team/app:v2s2"), &[], &expected, None, &[]);

    // By digest: the manifest digest the tag resolved to.
    let digest = skopeo_digest(&format!("{host}/team/app:oci"));
    assert_same(&format!("{host}/team/app@{digest}"), &[], &expected, None, &[]);

    let zstd = leaky_image(true);
    let expected_zstd = archive_findings(zstd.path(), &[]);
    registry.push(zstd.path(), "team/app:zstd", &["--format", "oci"]);
    assert_same(&format!("{host}/team/app:zstd"), &[], &expected_zstd, None, &[]);

    let multi = multi_platform_image();
    registry.push(multi.path(), "multi:1", &["--all", "--format", "oci"]);
    for args in [&["--platform", "linux/arm64"][..], &["--all-platforms"], &[]] {
        let expected = {
            let o = scan(multi.path().to_str().unwrap(), args, None, &[]);
            findings(&doc(&o))
        };
        let o = scan(&format!("{host}/multi:1"), args, None, &[]);
        assert_eq!(findings(&doc(&o)), expected, "{args:?}");
    }
}

fn skopeo_digest(reference: &str) -> String {
    let out = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn missing_repository_and_tag_are_clear_errors() {
    if !available("missing_repository_and_tag_are_clear_errors") {
        return;
    }
    let registry = Registry::start(false);
    let host = registry.host();
    let image = leaky_image(false);
    registry.push(image.path(), "team/app:1", &["--format", "oci"]);
    let cases = [
        (format!("{host}/nope/missing:1"), "repository nope/missing not found"),
        (format!("{host}/team/app:2"), "manifest 2 not found in repository team/app"),
    ];
    for (reference, message) in cases {
        let o = scan(&reference, &[], None, &[]);
        assert_eq!(o.status.code(), Some(2), "{reference}");
        assert!(stderr(&o).contains(message), "{reference}: {}", stderr(&o));
    }
}

#[test]
fn basic_auth_with_every_credential_source() {
    if !available("basic_auth_with_every_credential_source") {
        return;
    }
    let registry = Registry::start(true);
    let host = registry.host();
    let image = leaky_image(false);
    let expected = archive_findings(image.path(), &[]);
    registry.push(image.path(), "private/app:1", &["--format", "v2s2"]);
    let reference = format!("{host}/private/app:1");
    let flags = ["--username", USER, "--password-stdin"];

    // --username with --password-stdin (a trailing newline is not part of it).
    assert_same(&reference, &flags, &expected, Some(&format!("{PASSWORD}\n")), &[]);
    // Environment variables.
    let env = [("LAYERLEAK_REGISTRY_USERNAME", USER), ("LAYERLEAK_REGISTRY_PASSWORD", PASSWORD)];
    assert_same(&reference, &[], &expected, None, &env);
    // docker config.json `auths`.
    let docker = tempfile::tempdir().unwrap();
    let auth = STANDARD.encode(format!("{USER}:{PASSWORD}"));
    std::fs::write(
        docker.path().join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
    let dir = docker.path().to_str().unwrap();
    assert_same(&reference, &[], &expected, None, &[("DOCKER_CONFIG", dir)]);
    // A credential helper (`credHelpers`), run through the helper protocol.
    let helper_dir = tempfile::tempdir().unwrap();
    let helper = helper_dir.path().join("docker-credential-layerleaktest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n[ \"$server\" = \"{host}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        docker.path().join("config.json"),
        format!(r#"{{"credHelpers":{{"{host}":"layerleaktest"}}}}"#),
    )
    .unwrap();
    let path = format!("{}:{}", helper_dir.path().display(), std::env::var("PATH").unwrap());
    assert_same(&reference, &[], &expected, None, &[("DOCKER_CONFIG", dir), ("PATH", &path)]);

    // No credentials; wrong ones from each source: exit 2, clear, password never shown.
    let wrong = "Wr0ng-Pa55word-q8z";
    let o = scan(&reference, &[], None, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("authentication required to pull private/app"), "{}", stderr(&o));
    let o = scan(&reference, &flags, Some(wrong), &[]);
    let bad_env = [("LAYERLEAK_REGISTRY_USERNAME", USER), ("LAYERLEAK_REGISTRY_PASSWORD", wrong)];
    let o2 = scan(&reference, &[], None, &bad_env);
    for (o, origin) in [(o, "--username/--password-stdin"), (o2, "LAYERLEAK_REGISTRY_USERNAME")] {
        assert_eq!(o.status.code(), Some(2));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(all.contains("were rejected: wrong username or password"), "{all}");
        assert!(all.contains(origin), "{all}");
        assert!(!all.contains(wrong) && !all.contains(PASSWORD), "a password leaked: {all}");
    }
}
