//! No raw secret in any output (issue 16, item 7), and no raw control character on a
//! terminal (item 9).
//!
//! Each place an image can carry a token that layerleak echoes gets its own token: a file
//! path, a jar entry name, a nested path, an issue path, the tag in `RepoTags`, a history
//! build argument, an `ENV` entry, a label, a history comment, a text layer whose tar error
//! would quote its bytes, a config and a `manifest.json` whose JSON error would quote a
//! string, and an image reference naming a credential. Every output of every format
//! (stdout, stderr, `-v`, the `--output` file, the `--write-baseline` file) is searched for
//! each raw token; a `--show-secrets` scan shows the tokens are really echoed there, so the
//! search can fail.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{layerleak, stderr, stdout};
use crate::fixtures::{E, Layout, config, jar, layer, sha256_hex};

/// A distinct `ghp_` token per place, all matching the GitHub rule.
fn token(place: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let hex = sha256_hex(place.as_bytes());
    let body: String = hex
        .as_bytes()
        .chunks(2)
        .chain(hex.as_bytes().chunks(2).rev())
        .take(36)
        .map(|pair| {
            let byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
            char::from(ALPHABET[usize::from(byte) % ALPHABET.len()])
        })
        .collect();
    format!("ghp_{body}")
}

/// A secret the content of files holds, so that their paths are echoed in findings.
const CONTENT: &str = "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";

/// The places, in the order of [`image_archive`]'s tokens.
const PLACES: [&str; 10] = [
    "file path",
    "jar entry name",
    "nested path",
    "issue path",
    "tag",
    "history build argument",
    "env",
    "label",
    "history comment",
    "corrupt text layer",
];

/// The place whose token the malformed config holds.
const BAD_CONFIG: &str = "malformed config";

/// A `docker save` archive of two images. The first carries a token in every place of
/// [`PLACES`]; the second's config is malformed JSON quoting a token where a list belongs.
fn image_archive(path: &Path) {
    let t = |place: &str| token(place);
    let inner = jar(&[("application.yml", format!("npm: {CONTENT}\n").as_bytes())]);
    let outer = jar(&[
        (
            &format!("config/{}.properties", t("jar entry name")),
            format!("k={CONTENT}\n").as_bytes(),
        ),
        (&format!("BOOT-INF/{}/lib/inner.jar", t("nested path")), &inner),
    ]);
    let files = layer(vec![
        E::File(&format!("srv/{}/notes.txt", t("file path")), format!("{CONTENT}\n").into_bytes()),
        E::File("app/app.jar", outer),
    ]);
    // A `..` entry is an issue naming its path.
    let mut b = tar::Builder::new(Vec::new());
    crate::fixtures::raw_tar_entry(&mut b, format!("../{}", t("issue path")).as_bytes(), b"x\n");
    let escaping = b.into_inner().unwrap();
    // A text file where a layer tar belongs.
    let mut text = format!("GITHUB_TOKEN={}\n", t("corrupt text layer")).into_bytes();
    text.resize(2048, b'\n');
    let layers = [files, escaping, text];
    let history = json!([
        { "created_by": format!("|1 GH_TOKEN={} /bin/sh -c make", t("history build argument")) },
        { "created_by": "RUN step 1", "comment": t("history comment") },
        { "created_by": "RUN step 2" },
    ]);
    let blobs: Vec<_> =
        layers.iter().map(|l| crate::fixtures::LayerBlob::plain(l.clone())).collect();
    let good = config(
        "linux/amd64",
        &[&format!("GITHUB_PAT={}", t("env"))],
        json!({ "org.example.token": t("label") }),
        history,
        &blobs,
    );
    let bad = format!(
        r#"{{"os":"linux","architecture":"amd64","history":"{}","rootfs":{{"type":"layers","diff_ids":[]}}}}"#,
        t(BAD_CONFIG)
    )
    .into_bytes();
    let mut files = Layout::default();
    let mut names = Vec::new();
    for l in &layers {
        let name = format!("{}/layer.tar", sha256_hex(l));
        files.put(&name, l.clone());
        names.push(name);
    }
    for c in [&good, &bad] {
        files.put(&format!("{}.json", sha256_hex(c)), c.clone());
    }
    let manifest = json!([
        {
            "Config": format!("{}.json", sha256_hex(&good)),
            "RepoTags": [format!("example/app:{}", t("tag"))],
            "Layers": names,
        },
        { "Config": format!("{}.json", sha256_hex(&bad)), "RepoTags": ["example/bad:1"], "Layers": [] },
    ]);
    files.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    files.write_tar(path);
}

/// Everything one run wrote: stdout, stderr, and the files it was asked to write.
struct Run {
    args: Vec<String>,
    output: Output,
    files: Vec<(PathBuf, String)>,
}

impl Run {
    /// Every output, labelled.
    fn outputs(&self) -> Vec<(String, String)> {
        let mut all = vec![
            (format!("{:?} stdout", self.args), stdout(&self.output)),
            (format!("{:?} stderr", self.args), stderr(&self.output)),
        ];
        for (path, text) in &self.files {
            all.push((format!("{:?} {}", self.args, path.display()), text.clone()));
        }
        all
    }

    fn all_text(&self) -> String {
        self.outputs().into_iter().map(|(_, text)| text).collect::<Vec<_>>().join("\n")
    }
}

/// Scans `target` in `format` with `extra` arguments; with `to_files`, the report goes to
/// `--output` and every finding to `--write-baseline` (both read back).
fn scan(target: &str, format: &str, to_files: bool, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join(format!("report.{format}"));
    let baseline = dir.path().join("baseline.json");
    let mut args: Vec<String> =
        vec!["scan".into(), target.into(), "--format".into(), format.into()];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    if to_files {
        for a in
            ["--output", report.to_str().unwrap(), "--write-baseline", baseline.to_str().unwrap()]
        {
            args.push(a.to_owned());
        }
    }
    let output = layerleak().args(&args).output().expect("the binary runs");
    let files = [report, baseline]
        .into_iter()
        .filter(|p| p.exists())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    Run { args, output, files }
}

/// Asserts that no output of `runs` holds the raw token of any of `places`.
fn assert_no_token(runs: &[Run], places: &[&str]) {
    for run in runs {
        for (what, text) in run.outputs() {
            for place in places {
                let t = token(place);
                assert!(!text.contains(&t), "the {place} token {t} leaked in {what}:\n{text}");
            }
        }
    }
}

#[test]
fn no_output_of_any_format_holds_a_raw_token() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("image.tar");
    image_archive(&archive);
    let target = archive.to_str().unwrap();

    // The tokens are really echoed: with --show-secrets, each place whose string the report
    // carries shows its token. (The history comment is neither scanned nor echoed today, and
    // the tar error quoting the text layer is the layer reader's to change; their tokens
    // must not appear either way.)
    let shown: Vec<Run> = ["text", "json"]
        .into_iter()
        .map(|format| scan(target, format, false, &["--show-secrets", "-v"]))
        .collect();
    let shown_text: String = shown.iter().map(Run::all_text).collect();
    for place in PLACES.iter().filter(|p| **p != "history comment" && **p != "corrupt text layer") {
        assert!(
            shown_text.contains(&token(place)),
            "the {place} token is not in the --show-secrets output, so its absence below would \
             prove nothing:\n{shown_text}"
        );
    }
    for run in &shown {
        assert_eq!(run.output.status.code(), Some(2), "{}", run.all_text());
    }

    let mut runs = Vec::new();
    for format in ["text", "json", "jsonl", "sarif"] {
        runs.push(scan(target, format, false, &[]));
        runs.push(scan(target, format, false, &["-v"]));
        runs.push(scan(target, format, true, &["-v"]));
    }
    for run in &runs {
        assert_eq!(run.output.status.code(), Some(2), "{}", run.all_text());
        // Every format reports the findings, redacted (the baseline suppresses them in the
        // runs that write one).
        let baselined = run.args.iter().any(|a| a == "--write-baseline");
        assert!(baselined || stdout(&run.output).contains("npm_…[40 bytes]"), "{}", run.all_text());
    }
    assert_no_token(&runs, &PLACES);
    assert_no_token(&runs, &[BAD_CONFIG]);
}

#[test]
fn a_malformed_manifest_json_error_holds_no_raw_token() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("bad-manifest.tar");
    let mut files = Layout::default();
    let manifest =
        format!(r#"[{{"Config":"c.json","RepoTags":["a:1"],"Layers":"{}"}}]"#, token("manifest"));
    files.put("manifest.json", manifest.into_bytes());
    files.put("c.json", b"{}".to_vec());
    files.write_tar(&archive);
    let runs: Vec<Run> = ["text", "json"]
        .into_iter()
        .map(|format| scan(archive.to_str().unwrap(), format, true, &["-v"]))
        .collect();
    for run in &runs {
        assert_eq!(run.output.status.code(), Some(2), "{}", run.all_text());
        assert!(stderr(&run.output).contains("error"), "{}", run.all_text());
    }
    assert_no_token(&runs, &["manifest"]);
}

#[test]
fn a_credential_in_an_invalid_reference_is_not_echoed() {
    let target = format!("registry:user:{}@/app", token("reference"));
    let runs = vec![scan(&target, "text", false, &["-v"]), scan(&target, "json", false, &[])];
    for run in &runs {
        assert_eq!(run.output.status.code(), Some(2), "{}", run.all_text());
    }
    assert_no_token(&runs, &["reference"]);
}

/// Control characters an image could use to clear a terminal or forge lines.
const FORGED: &str = "\x1b[2J\x1b]0;owned\x07\r\nstatus: scan complete, 0 findings\u{202e}";

/// A `docker save` archive whose tag and file path carry [`FORGED`].
fn hostile_names(path: &Path) {
    let files =
        layer(vec![E::File(&format!("srv/{FORGED}/x.txt"), format!("{CONTENT}\n").into_bytes())]);
    let blobs = [crate::fixtures::LayerBlob::plain(files.clone())];
    let cfg = config("linux/amd64", &[], json!({}), json!([{ "created_by": "RUN x" }]), &blobs);
    let mut out = Layout::default();
    let name = format!("{}/layer.tar", sha256_hex(&files));
    out.put(&name, files);
    out.put(&format!("{}.json", sha256_hex(&cfg)), cfg.clone());
    let manifest = json!([{
        "Config": format!("{}.json", sha256_hex(&cfg)),
        "RepoTags": [format!("example/app:1{FORGED}")],
        "Layers": [name],
    }]);
    out.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    out.write_tar(path);
}

/// Whether `c` would act on a terminal rather than print: C0 (but a line feed ending a
/// line), DEL, C1, and bidi overrides and isolates.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[test]
fn control_characters_from_an_image_never_reach_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("hostile.tar");
    hostile_names(&archive);
    let target = archive.to_str().unwrap();
    for extra in [&[][..], &["--show-secrets", "-v"][..]] {
        let run = scan(target, "text", false, extra);
        assert_eq!(run.output.status.code(), Some(1), "{}", run.all_text());
        for (what, text) in [("stdout", stdout(&run.output)), ("stderr", stderr(&run.output))] {
            let bad: Vec<char> = text.chars().filter(|c| is_dangerous(*c)).collect();
            assert!(bad.is_empty(), "{extra:?} {what} holds raw {bad:?}:\n{text}");
            assert!(
                !text.lines().any(|l| l.starts_with("status: scan complete")),
                "{what}:\n{text}"
            );
        }
        let out = stdout(&run.output);
        assert!(out.contains(r"srv/\x1b[2J\x1b]0;owned\x07\r\nstatus"), "{out}");
        assert!(out.contains(r"\u{202e}"), "{out}");
        assert!(stderr(&run.output).contains(r"example/app:1\x1b[2J"), "{}", stderr(&run.output));
    }
    // Machine formats carry the same strings, escaped by JSON.
    let run = scan(target, "json", false, &[]);
    let doc: Value = serde_json::from_slice(&run.output.stdout).unwrap();
    let path = doc["findings"][0]["locations"][0]["path"].as_str().unwrap();
    assert_eq!(path, format!("srv/{FORGED}/x.txt"));
}

#[test]
fn scan_fs_escapes_control_characters_and_redacts_tokens_in_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join(format!("{}-\x1b[2J\rstatus: clean\n", token("scan-fs path")));
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("x.txt"), format!("{CONTENT}\n")).unwrap();
    let o = layerleak().args(["scan-fs", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.trim_end().chars().any(is_dangerous), "{out:?}");
    assert!(out.contains(r"\x1b[2J\rstatus: clean\n/x.txt"), "{out}");
    assert!(!out.contains(&token("scan-fs path")), "{out}");
    assert!(out.contains("npm_…[40 bytes]"), "{out}");
}
