//! `layerleak scan` on a real image: `tests/real-image/Dockerfile` built by buildah on a
//! busybox-static base and exported by skopeo as a docker-archive, an oci-archive and an OCI
//! layout directory (`tests/real-image/build.sh OUT`). Ignored by default; `.ci/run` builds the
//! image and runs them with
//! `LAYERLEAK_REAL_IMAGE_DIR=OUT cargo test -p layerleak --test it real_image -- --ignored`.
//!
//! The image's layers (0 = the busybox base) and history entries:
//!
//! | layer | history | instruction                                         |
//! |-------|---------|-----------------------------------------------------|
//! |       | 1       | `ARG NPM_TOKEN` (empty layer)                       |
//! |       | 2       | `ENV STRIPE_API_KEY=sk_live_…` (empty layer)        |
//! | 1     | 3       | `RUN` writing and removing `/root/.npmrc`           |
//! | 2     | 4       | `RUN` writing `/root/.ssh/id_ed25519`               |
//! | 3     | 5       | `RUN rm -f /root/.ssh/id_ed25519`                   |
//! | 4     | 6       | `COPY config.yml /etc/app/config.yml` (a token)     |
//! | 5     | 7       | `COPY hello.txt /app/hello.txt` (clean)             |
//! | 6     | 8       | `RUN` overwriting `/etc/app/config.yml`             |
//! | 7     | 9       | `COPY settings.env /app/settings.env` (a token)     |

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{run, stderr, stdout};

const NPM: &str = "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";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const GH: &str = "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";
const GL: &str = "glpat-iz0etUbL9WoRBX2IaQYO";

/// The exported forms of the image, as `build.sh` names them.
const DOCKER: &str = "image-docker.tar";
const OCI_ARCHIVE: &str = "image-oci.tar";
const OCI_DIR: &str = "oci-dir";
const FORMS: [&str; 3] = [DOCKER, OCI_ARCHIVE, OCI_DIR];

fn out_dir() -> PathBuf {
    let dir = std::env::var_os("LAYERLEAK_REAL_IMAGE_DIR").expect(
        "LAYERLEAK_REAL_IMAGE_DIR: the output directory of tests/real-image/build.sh \
         (see .ci/run)",
    );
    let dir = PathBuf::from(dir);
    for form in FORMS {
        assert!(dir.join(form).exists(), "{} missing: run tests/real-image/build.sh", form);
    }
    dir
}

/// The private key `build.sh` generated and the Dockerfile baked into layer 2.
fn private_key(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("id_ed25519")).unwrap().trim_end().to_owned()
}

fn scan_json(path: &Path) -> (Output, Value) {
    let o = run(&["scan", path.to_str().unwrap(), "--format", "json", "--show-secrets"]);
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    assert_eq!(doc["version"], 1);
    (o, doc)
}

/// A file of an OCI layout, in a directory or an oci-archive tarball.
fn oci_file(form: &Path, name: &str) -> Vec<u8> {
    if form.is_dir() {
        return std::fs::read(form.join(name)).unwrap();
    }
    let mut archive = tar::Archive::new(std::fs::File::open(form).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().trim_start_matches("./").to_owned();
        if path == name {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            return bytes;
        }
    }
    panic!("{name} not in {}", form.display());
}

fn oci_json(form: &Path, name: &str) -> Value {
    serde_json::from_slice(&oci_file(form, name)).unwrap()
}

fn blob_name(digest: &Value) -> String {
    format!("blobs/sha256/{}", digest.as_str().unwrap().strip_prefix("sha256:").unwrap())
}

/// What skopeo wrote, read independently of layerleak: per layer, the blob digest and the
/// diff_id, and the image config.
struct Expected {
    blobs: Vec<String>,
    diff_ids: Vec<String>,
    config: Value,
}

fn expected(dir: &Path, form: &str) -> Expected {
    // The OCI forms hold gzip blobs; the docker-archive the same layers uncompressed, so
    // there each blob digest is its diff_id.
    let oci = dir.join(if form == DOCKER { OCI_DIR } else { form });
    let index = oci_json(&oci, "index.json");
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1, "{index:#}");
    let manifest = oci_json(&oci, &blob_name(&manifests[0]["digest"]));
    let config = oci_json(&oci, &blob_name(&manifest["config"]["digest"]));
    let diff_ids: Vec<String> = config["rootfs"]["diff_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    let blobs = if form == DOCKER {
        diff_ids.clone()
    } else {
        manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(blobs.len(), 8, "the Dockerfile makes 7 layers on the base");
    Expected { blobs, diff_ids, config }
}

fn finding<'a>(doc: &'a Value, secret: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["secret"] == secret)
        .unwrap_or_else(|| panic!("no finding for {secret} in {doc:#}"))
}

/// `(layer, path, offset, state, by_layer)` of every layer location.
type LayerLoc = (u64, String, u64, String, Option<u64>);

fn layer_locations(f: &Value) -> Vec<LayerLoc> {
    locations(f, "layer")
        .map(|l| {
            (
                l["layer"].as_u64().unwrap(),
                l["path"].as_str().unwrap().to_owned(),
                l["offset"].as_u64().unwrap(),
                l["status"]["state"].as_str().unwrap().to_owned(),
                l["status"]["by_layer"].as_u64(),
            )
        })
        .collect()
}

fn lloc(layer: u64, path: &str, offset: u64, state: &str, by: Option<u64>) -> LayerLoc {
    (layer, path.to_owned(), offset, state.to_owned(), by)
}

/// `(field, key, history_index, offset)` of every config location.
type ConfigLoc = (String, String, Option<u64>, u64);

fn config_locations(f: &Value) -> Vec<ConfigLoc> {
    locations(f, "config")
        .map(|l| {
            (
                l["field"].as_str().unwrap().to_owned(),
                l["key"].as_str().unwrap().to_owned(),
                l["history_index"].as_u64(),
                l["offset"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn cloc(field: &str, key: &str, history: Option<u64>, offset: u64) -> ConfigLoc {
    (field.to_owned(), key.to_owned(), history, offset)
}

fn locations<'a>(f: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    f["locations"].as_array().unwrap().iter().filter(move |l| l["kind"] == kind)
}

/// Checks a layer location's blob digest, diff_id and `created_by` against what skopeo wrote.
fn assert_layer_provenance(f: &Value, exp: &Expected, created_by: &[&str]) {
    for l in locations(f, "layer") {
        let k = usize::try_from(l["layer"].as_u64().unwrap()).unwrap();
        assert_eq!(l["blob_digest"], exp.blobs[k].as_str(), "{l:#}");
        assert_eq!(l["diff_id"], exp.diff_ids[k].as_str(), "{l:#}");
        let made_by = l["created_by"].as_str().unwrap();
        for part in created_by {
            assert!(made_by.contains(part), "{part:?} not in created_by {made_by:?}");
        }
    }
}

fn rule_and_fingerprints(doc: &Value) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["fingerprint"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs the image built by tests/real-image/build.sh; .ci/run runs it"]
fn real_image_secrets_have_exact_locations_and_statuses_in_every_form() {
    let dir = out_dir();
    let key = private_key(&dir);
    for form in FORMS {
        let exp = expected(&dir, form);
        let (o, doc) = scan_json(&dir.join(form));
        assert_eq!(o.status.code(), Some(1), "{form}: {}", stderr(&o));
        assert_eq!(doc["complete"], true, "{form}");
        assert_eq!(doc["issues"].as_array().unwrap().len(), 0, "{form}: {doc:#}");
        let name = if form == DOCKER { "docker.io/layerleak/real:1" } else { "layerleak/real:1" };
        let platform = format!(
            "{}/{}",
            exp.config["os"].as_str().unwrap(),
            exp.config["architecture"].as_str().unwrap()
        );
        assert_eq!(doc["images"][0]["name"], name, "{form}");
        assert_eq!(doc["images"][0]["platform"], platform.as_str(), "{form}");
        assert_eq!(doc["images"][0]["layers"], 8, "{form}");
        assert_eq!(doc["summary"]["blobs_scanned"], 8, "{form}");
        for f in doc["findings"].as_array().unwrap() {
            for l in f["locations"].as_array().unwrap() {
                assert_eq!(l["image"], name, "{form}: {l:#}");
                assert_eq!(l["platform"], platform.as_str(), "{form}: {l:#}");
            }
        }

        // The build argument: recorded in the history entry of every RUN after the ARG
        // (the .npmrc that used it was removed within its RUN, so no layer holds it).
        let npm = finding(&doc, NPM);
        assert_eq!(npm["rule_id"], "layerleak.npm.1", "{form}");
        assert_eq!(npm["hidden_in_history"], true, "{form}");
        let recorded: Vec<u64> = (0u64..)
            .zip(exp.config["history"].as_array().unwrap())
            .filter(|(_, h)| {
                h["created_by"].as_str().unwrap().starts_with(&format!("|1 NPM_TOKEN={NPM} "))
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(recorded, [3, 4, 5, 8], "{form}: buildah's history changed");
        assert_eq!(
            config_locations(npm),
            recorded
                .iter()
                .map(|&i| cloc("build_arg", "NPM_TOKEN", Some(i), 13))
                .collect::<Vec<_>>(),
            "{form}"
        );
        assert_eq!(layer_locations(npm), [], "{form}");

        // ENV: the config's Env and the ENV instruction's history entry.
        let stripe = finding(&doc, STRIPE);
        assert_eq!(stripe["rule_id"], "layerleak.stripe.1", "{form}");
        assert_eq!(
            config_locations(stripe),
            [
                cloc("env", "STRIPE_API_KEY", None, 15),
                cloc("history", "STRIPE_API_KEY", Some(2), 37)
            ],
            "{form}"
        );
        assert_eq!(layer_locations(stripe), [], "{form}");
        assert_eq!(stripe["hidden_in_history"], false, "{form}");

        // The private key: written by a RUN in layer 2, deleted by the RUN of layer 3.
        let pem = finding(&doc, &key);
        assert_eq!(pem["rule_id"], "layerleak.pem.5", "{form}");
        assert_eq!(pem["confidence"], "high", "{form}");
        assert_eq!(pem["hidden_in_history"], true, "{form}");
        assert_eq!(
            layer_locations(pem),
            [lloc(2, "root/.ssh/id_ed25519", 0, "deleted", Some(3))],
            "{form}"
        );
        assert_eq!(config_locations(pem), [], "{form}");
        assert_layer_provenance(
            pem,
            &exp,
            &[
                &format!("|1 NPM_TOKEN={NPM} /bin/sh -c "),
                "cp /mnt/deploy_key /root/.ssh/id_ed25519",
            ],
        );

        // A token COPY'd in layer 4 and overwritten by the RUN of layer 6.
        let gh = finding(&doc, GH);
        assert_eq!(gh["rule_id"], "layerleak.github.1", "{form}");
        assert_eq!(gh["hidden_in_history"], true, "{form}");
        assert_eq!(
            layer_locations(gh),
            [lloc(4, "etc/app/config.yml", 7, "overwritten", Some(6))],
            "{form}"
        );
        assert_layer_provenance(gh, &exp, &["COPY ", " in /etc/app/config.yml"]);

        // A token still in the final image.
        let gl = finding(&doc, GL);
        assert_eq!(gl["rule_id"], "layerleak.gitlab.1", "{form}");
        assert_eq!(gl["hidden_in_history"], false, "{form}");
        assert_eq!(
            layer_locations(gl),
            [lloc(7, "app/settings.env", 28, "present_in_final", None)],
            "{form}"
        );
        assert_layer_provenance(gl, &exp, &["COPY ", " in /app/settings.env"]);

        // Nothing from the clean file, nor from the layers that hold no secret.
        for f in doc["findings"].as_array().unwrap() {
            for (layer, path, ..) in layer_locations(f) {
                assert_ne!(path, "app/hello.txt", "{form}: {f:#}");
                assert!(![1, 3, 5, 6].contains(&layer), "{form}: {f:#}");
            }
        }
    }
}

#[test]
#[ignore = "needs the image built by tests/real-image/build.sh; .ci/run runs it"]
fn real_image_forms_give_the_same_findings() {
    let dir = out_dir();
    let sets: Vec<_> = FORMS
        .iter()
        .map(|form| {
            let (o, doc) = scan_json(&dir.join(form));
            assert_eq!(o.status.code(), Some(1), "{form}: {}", stderr(&o));
            rule_and_fingerprints(&doc)
        })
        .collect();
    assert_eq!(sets[0], sets[1], "docker-archive vs oci-archive");
    assert_eq!(sets[0], sets[2], "docker-archive vs OCI layout directory");
    let rules: BTreeSet<&str> = sets[0].iter().map(|(r, _)| r.as_str()).collect();
    for rule in [
        "layerleak.npm.1",
        "layerleak.stripe.1",
        "layerleak.pem.5",
        "layerleak.github.1",
        "layerleak.gitlab.1",
    ] {
        assert!(rules.contains(rule), "{rule} missing from {rules:?}");
    }
}

#[test]
#[ignore = "needs the image built by tests/real-image/build.sh; .ci/run runs it"]
fn real_image_has_no_other_findings() {
    // Exactly the five planted secrets: in particular nothing in the busybox binary of the
    // base layer (strings like "Old password: \0incorrect password" are no secret).
    let dir = out_dir();
    for form in FORMS {
        let (_, doc) = scan_json(&dir.join(form));
        let extra: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                ![
                    "layerleak.npm.1",
                    "layerleak.stripe.1",
                    "layerleak.pem.5",
                    "layerleak.github.1",
                    "layerleak.gitlab.1",
                ]
                .contains(&f["rule_id"].as_str().unwrap())
            })
            .collect();
        assert!(extra.is_empty(), "{form}: unexpected findings {extra:#?}");
        assert_eq!(doc["findings"].as_array().unwrap().len(), 5, "{form}: {doc:#}");
    }
}

#[test]
#[ignore = "needs the image built by tests/real-image/build.sh; .ci/run runs it"]
fn real_image_text_report_redacts_and_says_where() {
    let dir = out_dir();
    let key = private_key(&dir);
    let o = run(&["scan", dir.join(DOCKER).to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    // The key's base64 body, line by line, as well as every token.
    let key_lines = key.lines().filter(|l| !l.starts_with("-----")).map(str::to_owned);
    for secret in [NPM, STRIPE, GH, GL].map(str::to_owned).into_iter().chain(key_lines) {
        assert!(!text.contains(&secret), "{secret} leaked:\n{text}");
    }
    assert!(
        text.contains("root/.ssh/id_ed25519 at byte 0\n     status: deleted by layer 3"),
        "{text}"
    );
    assert!(
        text.contains("etc/app/config.yml at byte 7\n     status: overwritten by layer 6"),
        "{text}"
    );
    assert!(text.contains("config build argument NPM_TOKEN (history[8])"), "{text}");
    assert!(
        text.contains("|1 NPM_TOKEN=npm_…[40 bytes] /bin/sh -c rm -f /root/.ssh/id_ed25519"),
        "{text}"
    );
    assert!(text.contains("config env STRIPE_API_KEY"), "{text}");
}
