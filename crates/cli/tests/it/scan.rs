//! `layerleak scan` end to end on images built in code: exact paths, layers and statuses.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{run, stderr, stdout};
use crate::fixtures::{
    E, LayerBlob, Layout, config, digest, docker_save, jar, layer, oci_dir, simple_history, utf16le,
};

const GH_A: &str = "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";
const GH_B: &str = "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";
const GL_A: &str = "glpat-PPjRfdqok10wwQZEDe0I";
const GL_B: &str = "glpat-iz0etUbL9WoRBX2IaQYO";
const GL_C: &str = "glpat-vPcQ_xL7OxJqJk6IvAtm";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const SLACK: &str = "xoxb-0578072688-7295284076773-Y3uRS4eLxD1QS02zM5QGgNpe";
const NPM: &str = "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";
const NPM_B: &str = "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";
const PASSWORD: &str = "S3cr3tP4ssw0rd!x";

pub(crate) fn scan_json(path: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["scan", path.to_str().unwrap(), "--format", "json", "--show-secrets"];
    args.extend_from_slice(extra);
    let o = run(&args);
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    assert_eq!(doc["version"], 1);
    (o, doc)
}

pub(crate) fn finding<'a>(doc: &'a Value, secret: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["secret"] == secret)
        .unwrap_or_else(|| panic!("no finding for {secret} in {doc:#}"))
}

/// `(layer, path, state, by_layer)` of every layer location.
pub(crate) fn layer_locations(f: &Value) -> Vec<(u64, String, String, Option<u64>)> {
    f["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "layer")
        .map(|l| {
            (
                l["layer"].as_u64().unwrap(),
                l["path"].as_str().unwrap().to_owned(),
                l["status"]["state"].as_str().unwrap().to_owned(),
                l["status"]["by_layer"].as_u64(),
            )
        })
        .collect()
}

pub(crate) fn loc(
    layer: u64,
    path: &str,
    state: &str,
    by: Option<u64>,
) -> (u64, String, String, Option<u64>) {
    (layer, path.to_owned(), state.to_owned(), by)
}

#[test]
fn whiteouts_overwrites_opaque_dirs_copy_up_zstd_plain_and_utf16() {
    let l0 = layer(vec![
        E::File("app/secret.txt", format!("token: {GH_A}\n").into_bytes()),
        E::File("etc/conf/app.yml", format!("key: {GL_A}\n").into_bytes()),
        E::File("opt/x/creds.txt", format!("stripe={STRIPE}\n").into_bytes()),
        E::File("srv/keep.txt", format!("slack {SLACK}\n").into_bytes()),
    ]);
    let l1 = layer(vec![
        E::Whiteout("app/secret.txt"),
        E::File("etc/conf/app.yml", b"key: none\n".to_vec()),
        E::Opaque("opt/x"),
        // A chmod copy-up: the same bytes again.
        E::File("srv/keep.txt", format!("slack {SLACK}\n").into_bytes()),
    ]);
    let l2 = layer(vec![E::File("win/creds.txt", utf16le(&format!("gitlab = {GL_B}\r\n")))]);
    let layers = [LayerBlob::gzip(&l0), LayerBlob::zstd(&l1), LayerBlob::plain(l2)];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(3), &layers), &layers);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(doc["complete"], true);
    assert_eq!(
        layer_locations(finding(&doc, GH_A)),
        [loc(0, "app/secret.txt", "deleted", Some(1))]
    );
    assert_eq!(
        layer_locations(finding(&doc, GL_A)),
        [loc(0, "etc/conf/app.yml", "overwritten", Some(1))]
    );
    assert_eq!(
        layer_locations(finding(&doc, STRIPE)),
        [loc(0, "opt/x/creds.txt", "deleted", Some(1))]
    );
    assert_eq!(
        layer_locations(finding(&doc, SLACK)),
        [
            loc(0, "srv/keep.txt", "overwritten", Some(1)),
            loc(1, "srv/keep.txt", "present_in_final", None)
        ]
    );
    let utf16 = finding(&doc, GL_B);
    assert_eq!(layer_locations(utf16), [loc(2, "win/creds.txt", "present_in_final", None)]);
    assert_eq!(utf16["locations"][0]["text_encoding"], "utf-16le");
    assert_eq!(utf16["locations"][0]["created_by"], "RUN step 2");
    assert_eq!(utf16["locations"][0]["blob_digest"], digest(&layers[2].stored));
    assert_eq!(utf16["locations"][0]["diff_id"], layers[2].diff_id);
    let first = &finding(&doc, GH_A)["locations"][0];
    assert_eq!(first["offset"], 7);
    assert_eq!(first["platform"], "linux/amd64");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 5);
    // Worst first: the ones only in history before those in the final image (SLACK too:
    // its copy-up is present in the final image).
    let order: Vec<(&str, bool)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["confidence"].as_str().unwrap(), f["hidden_in_history"].as_bool().unwrap()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|&(c, hidden)| {
        (std::cmp::Reverse(["low", "medium", "high"].iter().position(|x| *x == c)), !hidden)
    });
    assert_eq!(order, sorted);
    assert_eq!(finding(&doc, SLACK)["hidden_in_history"], false);
    assert_eq!(finding(&doc, GH_A)["hidden_in_history"], true);
}

#[test]
fn jar_in_jar_members_are_named_by_their_chain() {
    let inner = jar(&[("application.yml", format!("gitlab:\n  token: {GL_C}\n").as_bytes())]);
    let outer = jar(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("BOOT-INF/lib/inner.jar", &inner),
    ]);
    let layers = [LayerBlob::gzip(&layer(vec![E::File("app/app.jar", outer)]))];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(1), &layers), &layers);
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        layer_locations(finding(&doc, GL_C)),
        [loc(0, "app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml", "present_in_final", None)]
    );
}

#[test]
fn symlink_and_hardlink_to_one_file_give_one_location() {
    let l0 = layer(vec![
        E::File("app/secret.txt", format!("{GH_B}\n").into_bytes()),
        E::Symlink("app/link.txt", "secret.txt"),
        E::Hardlink("app/hard.txt", "app/secret.txt"),
    ]);
    let layers = [LayerBlob::plain(l0)];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(1), &layers), &layers);
    let (_, doc) = scan_json(dir.path(), &[]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(
        layer_locations(finding(&doc, GH_B)),
        [loc(0, "app/secret.txt", "present_in_final", None)]
    );
}

/// An image whose config holds secrets: ENV (a token and a secret-named key), a LABEL,
/// and a build argument recorded in history, also copied into a layer's .npmrc.
fn config_secrets_image() -> tempfile::TempDir {
    let npmrc = format!("//registry.npmjs.org/:_authToken={NPM}\n");
    let layers = [LayerBlob::gzip(&layer(vec![E::File("app/.npmrc", npmrc.into_bytes())]))];
    let history = json!([
        { "created_by": "ARG NPM_TOKEN", "empty_layer": true },
        { "created_by": format!("|1 NPM_TOKEN={NPM} /bin/sh -c npm ci") },
        { "created_by": format!("/bin/sh -c #(nop)  ENV GITHUB_TOKEN={GH_A}"), "empty_layer": true },
    ]);
    let env = [
        "PATH=/usr/bin".to_owned(),
        format!("GITHUB_TOKEN={GH_A}"),
        format!("DB_PASSWORD={PASSWORD}"),
    ];
    let env: Vec<&str> = env.iter().map(String::as_str).collect();
    let labels = json!({ "com.acme.deploy-token": GL_A, "maintainer": "dev@example.org" });
    let cfg = config("linux/amd64", &env, labels, history, &layers);
    oci_dir(&cfg, &layers)
}

#[test]
fn env_label_and_build_arg_findings_name_their_field() {
    let dir = config_secrets_image();
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));

    let npm = finding(&doc, NPM);
    assert_eq!(npm["rule_id"], "layerleak.npm.1");
    assert_eq!(layer_locations(npm), [loc(0, "app/.npmrc", "present_in_final", None)]);
    let build_arg = npm["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["field"] == "build_arg")
        .expect("a build-arg location");
    assert_eq!(build_arg["key"], "NPM_TOKEN");
    assert_eq!(build_arg["history_index"], 1);
    assert_eq!(build_arg["offset"], 13);
    // Also in app/.npmrc of the final image: in plain sight, not hidden in history.
    assert_eq!(npm["hidden_in_history"], false);

    let gh = finding(&doc, GH_A);
    let fields: Vec<(String, String, Option<u64>)> = gh["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["field"].as_str().unwrap().to_owned(),
                l["key"].as_str().unwrap().to_owned(),
                l["history_index"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("env".into(), "GITHUB_TOKEN".into(), None),
            ("history".into(), "GITHUB_TOKEN".into(), Some(2))
        ]
    );

    let pw = finding(&doc, PASSWORD);
    assert_eq!(pw["rule_id"], "layerleak.env.1");
    assert_eq!(pw["locations"][0]["field"], "env");
    assert_eq!(pw["locations"][0]["key"], "DB_PASSWORD");

    let label = finding(&doc, GL_A);
    assert_eq!(label["locations"][0]["field"], "label");
    assert_eq!(label["locations"][0]["key"], "com.acme.deploy-token");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 4);
}

#[test]
fn no_secret_appears_unredacted_anywhere() {
    let dir = config_secrets_image();
    let report = tempfile::NamedTempFile::new().unwrap();
    let path = dir.path().to_str().unwrap();
    let outputs = [
        run(&["scan", path]),
        run(&["scan", path, "--format", "json"]),
        run(&["scan", path, "--output", report.path().to_str().unwrap()]),
    ];
    let file = std::fs::read_to_string(report.path()).unwrap();
    for o in &outputs {
        assert_eq!(o.status.code(), Some(1));
        let all = format!("{}{}{file}", stdout(o), stderr(o));
        for secret in [NPM, GH_A, PASSWORD, GL_A] {
            assert!(!all.contains(secret), "{secret} leaked:\n{all}");
        }
    }
    let text = stdout(&outputs[0]);
    assert!(text.contains("|1 NPM_TOKEN=npm_…[40 bytes] /bin/sh -c npm ci"), "{text}");
    assert!(text.contains("build argument NPM_TOKEN"), "{text}");
    assert!(
        text.contains("still in the image history")
            || text.contains("recorded in the image history"),
        "{text}"
    );
    assert!(text.contains("RUN --mount=type=secret"), "{text}");
    // The check is meaningful: with --show-secrets they are there.
    let shown = stdout(&run(&["scan", path, "--show-secrets"]));
    for secret in [NPM, GH_A, PASSWORD, GL_A] {
        assert!(shown.contains(secret), "{secret} not shown");
    }
}

#[test]
fn text_report_puts_deleted_secrets_first_and_says_what_to_do() {
    let l0 = layer(vec![
        E::File("app/present.txt", format!("{GH_B}\n").into_bytes()),
        E::File("app/old.txt", format!("{GL_B}\n").into_bytes()),
    ]);
    let l1 = layer(vec![E::Whiteout("app/old.txt")]);
    let layers = [LayerBlob::gzip(&l0), LayerBlob::gzip(&l1)];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(2), &layers), &layers);
    let o = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let deleted = text.find("app/old.txt").unwrap();
    let present = text.find("app/present.txt").unwrap();
    assert!(deleted < present, "{text}");
    assert!(text.contains("status: deleted by layer 1"), "{text}");
    assert!(text.contains("revoke and rotate"), "{text}");
    assert!(text.contains("multi-stage build"), "{text}");
    assert!(text.contains("2 findings in 1 image"), "{text}");
}

#[test]
fn arm64_only_secret_needs_the_platform() {
    // A base layer shared by both platforms: scanned once.
    let base = LayerBlob::gzip(&layer(vec![E::File("etc/os-release", b"ID=test\n".to_vec())]));
    let clean =
        [base.clone(), LayerBlob::gzip(&layer(vec![E::File("etc/motd", b"hello\n".to_vec())]))];
    let leaky = [
        base,
        LayerBlob::gzip(&layer(vec![E::File("etc/token", format!("{GH_B}\n").into_bytes())])),
    ];
    let mut layout = Layout::default();
    let mut amd =
        layout.image(&config("linux/amd64", &[], json!({}), simple_history(2), &clean), &clean);
    amd["platform"] = json!({ "os": "linux", "architecture": "amd64" });
    let mut arm =
        layout.image(&config("linux/arm64", &[], json!({}), simple_history(2), &leaky), &leaky);
    arm["platform"] = json!({ "os": "linux", "architecture": "arm64", "variant": "v8" });
    layout.finish(vec![amd, arm]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{doc:#}");
    assert_eq!(doc["findings"], json!([]));

    for args in [&["--platform", "linux/arm64"][..], &["--all-platforms"]] {
        let (o, doc) = scan_json(dir.path(), args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let f = finding(&doc, GH_B);
        assert_eq!(f["locations"][0]["platform"], "linux/arm64/v8");
        assert_eq!(layer_locations(f), [loc(1, "etc/token", "present_in_final", None)]);
    }
    let (_, doc) = scan_json(dir.path(), &["--all-platforms"]);
    assert_eq!(doc["images"].as_array().unwrap().len(), 2);
    assert_eq!(doc["summary"]["blobs_scanned"], 3, "the shared base layer is scanned once");
}

#[test]
fn truncated_gzip_layer_is_an_issue_and_other_layers_are_reported() {
    let good =
        LayerBlob::gzip(&layer(vec![E::File("app/a.txt", format!("{GH_B}\n").into_bytes())]));
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let tar = layer(vec![E::File("app/big.bin", big)]);
    let mut bad = LayerBlob::gzip(&tar);
    bad.stored.truncate(bad.stored.len() / 2);
    let after =
        LayerBlob::zstd(&layer(vec![E::File("app/c.txt", format!("{NPM_B}\n").into_bytes())]));
    let layers = [good, bad.clone(), after];
    let dir = oci_dir(&config("linux/amd64", &[], json!({}), simple_history(3), &layers), &layers);

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(doc["complete"], false);
    let issues = doc["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["layer"], 1);
    assert_eq!(issues[0]["blob_digest"], digest(&bad.stored));
    assert_eq!(issues[0]["path"], "app/big.bin");
    assert_eq!(
        layer_locations(finding(&doc, GH_B)),
        [loc(0, "app/a.txt", "present_in_final", None)]
    );
    assert_eq!(
        layer_locations(finding(&doc, NPM_B)),
        [loc(2, "app/c.txt", "present_in_final", None)]
    );

    let o = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("scan INCOMPLETE"), "{}", stdout(&o));
    assert!(stdout(&o).contains("layer 1"), "{}", stdout(&o));
}

#[test]
fn digest_mismatch_and_missing_blob_are_issues() {
    let l0 = LayerBlob::plain(layer(vec![E::File("app/a.txt", format!("{GH_B}\n").into_bytes())]));
    let l1 = LayerBlob::plain(layer(vec![E::File("app/b.txt", b"harmless\n".to_vec())]));
    let layers = [l0.clone(), l1.clone()];
    let mut layout = Layout::default();
    let m =
        layout.image(&config("linux/amd64", &[], json!({}), simple_history(2), &layers), &layers);
    layout.finish(vec![m]);
    // Tamper with layer 1's bytes (same size): its digest no longer matches.
    let name = format!("blobs/sha256/{}", crate::fixtures::sha256_hex(&l1.stored));
    let mut tampered = l1.stored.clone();
    let at = tampered.windows(8).position(|w| w == b"harmless").unwrap();
    tampered[at] = b'H';
    layout.put(&name, tampered);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());

    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let issues = doc["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["layer"], 1);
    assert!(issues[0]["reason"].as_str().unwrap().contains("digest mismatch"), "{issues:#?}");
    assert_eq!(
        layer_locations(finding(&doc, GH_B)),
        [loc(0, "app/a.txt", "present_in_final", None)]
    );

    // A manifest naming a blob that is not there.
    let mut layout = Layout::default();
    let cfg = config("linux/amd64", &[], json!({}), simple_history(2), &layers);
    let config_desc = layout.blob(crate::fixtures::OCI_CONFIG, &cfg);
    let d0 = layout.blob(l0.media_type, &l0.stored);
    let d1 = json!({ "mediaType": l1.media_type, "digest": digest(&l1.stored), "size": l1.stored.len() });
    let m = layout.manifest(config_desc, vec![d0, d1]);
    layout.finish(vec![m]);
    let dir = tempfile::tempdir().unwrap();
    layout.write_dir(dir.path());
    let (o, doc) = scan_json(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let issues = doc["issues"].as_array().unwrap();
    assert_eq!((issues.len(), &issues[0]["layer"]), (1, &json!(1)));
    assert!(issues[0]["reason"].as_str().unwrap().contains("missing"), "{issues:#?}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn legacy_docker_save_archive_and_path_rules() {
    let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBvbm90YXJlYWxrZXlidXRsb25nZW5vdWdodG9wYXNzZm9ybWF0AAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    let l0 = layer(vec![
        E::File("root/.ssh/id_ed25519", key.as_bytes().to_vec()),
        E::File("app/.env", format!("DEBUG=1\nAPP_SECRET={PASSWORD}\n").into_bytes()),
        E::File("app/.npmrc", b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".to_vec()),
    ]);
    let blob = LayerBlob::plain(l0.clone());
    let cfg = config("linux/amd64", &[], json!({}), simple_history(1), &[blob]);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("app.tar");
    docker_save(&archive, "example/app:1", &cfg, &[l0]);

    let (o, doc) = scan_json(&archive, &[]);
    assert_eq!(o.status.code(), Some(1), "{doc:#}");
    let k = finding(&doc, key.trim_end());
    assert_eq!(layer_locations(k), [loc(0, "root/.ssh/id_ed25519", "present_in_final", None)]);
    assert_eq!(k["locations"][0]["image"], "example/app:1");
    let env = finding(&doc, PASSWORD);
    assert_eq!(layer_locations(env), [loc(0, "app/.env", "present_in_final", None)]);
    // The template in .npmrc is no finding.
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2, "{doc:#}");
}

#[test]
fn not_an_image_is_an_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a container image"), "{}", stderr(&o));
}
