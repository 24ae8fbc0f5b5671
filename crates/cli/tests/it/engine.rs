//! `layerleak scan docker:NAME` against a real engine: Podman's Docker-compatible service
//! (`podman system service`), with private vfs storage in a temporary directory, serving an
//! image that Podman built from `tests/real-image/Dockerfile` on a busybox-static base. The
//! streamed scan must equal the scan of `podman save` of the same image.
//!
//! Needs root and the Debian packages `podman`, `busybox-static` and `openssh-client`
//! (`.ci/run` installs them). Without podman the test fails saying so, unless
//! `LAYERLEAK_SKIP_ENGINE_TESTS=1`, which makes it print that it skipped.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{layerleak, stderr, stdout};

const NPM: &str = "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";
const STRIPE: &str = "sk_live_dhhfUUyfrAace5dBAZ10JrAD";
const GH: &str = "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";
const GL: &str = "glpat-iz0etUbL9WoRBX2IaQYO";
const IMAGE: &str = "localhost/layerleak/engine:1";

/// Whether the engine tests can run: podman is installed, or the caller opted out.
fn podman_available() -> bool {
    let installed =
        Command::new("podman").arg("--version").output().is_ok_and(|o| o.status.success());
    if installed {
        return true;
    }
    if std::env::var_os("LAYERLEAK_SKIP_ENGINE_TESTS").is_some_and(|v| v == "1") {
        eprintln!("skipped: podman is not installed and LAYERLEAK_SKIP_ENGINE_TESTS=1");
        return false;
    }
    panic!(
        "the engine tests need podman (as root): apt-get install -y podman busybox-static \
         openssh-client; or set LAYERLEAK_SKIP_ENGINE_TESTS=1 to skip them"
    );
}

/// Private Podman storage and the service serving it; the service is stopped on drop.
struct Podman {
    dir: tempfile::TempDir,
    service: Option<Child>,
}

impl Podman {
    fn new() -> Podman {
        Podman { dir: tempfile::tempdir().unwrap(), service: None }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("podman");
        cmd.arg("--root")
            .arg(self.path("root"))
            .arg("--runroot")
            .arg(self.path("run"))
            .args(["--storage-driver", "vfs", "--cgroup-manager", "cgroupfs"])
            .args(["--events-backend", "none"])
            .env("TMPDIR", self.dir.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        let o = self.command().args(args).output().expect("podman runs");
        assert!(
            o.status.success(),
            "podman {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    fn socket(&self) -> PathBuf {
        self.path("podman.sock")
    }

    /// Starts `podman system service` on the socket and waits until it answers `/_ping`.
    fn serve(&mut self) {
        let log = std::fs::File::create(self.path("service.log")).unwrap();
        let child = self
            .command()
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", self.socket().display()))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("podman system service starts");
        self.service = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if ping(&self.socket()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "podman system service did not answer on {}:\n{}",
            self.socket().display(),
            std::fs::read_to_string(self.path("service.log")).unwrap_or_default()
        );
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(mut child) = self.service.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // vfs layers hold read-only directories: podman removes its own images first.
        let _ = self.command().args(["rmi", "--all", "--force"]).output();
    }
}

fn ping(socket: &Path) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = UnixStream::connect(socket) else { return false };
    let mut answer = String::new();
    s.write_all(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n").is_ok()
        && s.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// A busybox-static root filesystem as a tarball, for `podman import`.
fn busybox_rootfs(out: &Path) {
    let busybox = std::fs::read("/bin/busybox")
        .expect("/bin/busybox (apt-get install busybox-static) for the engine test's base image");
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut add = |path: &str, data: &[u8], mode: u32| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        b.append_data(&mut h, path, data).unwrap();
    };
    add("bin/busybox", &busybox, 0o755);
    add("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", 0o644);
    add("etc/group", b"root:x:0:\n", 0o644);
    for applet in ["sh", "cat", "cp", "echo", "ls", "mkdir", "mv", "rm", "chmod"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox").unwrap();
    }
    for dir in ["tmp/", "root/"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        b.append_data(&mut h, dir, std::io::empty()).unwrap();
    }
    b.finish().unwrap();
}

/// Builds `IMAGE` from `tests/real-image/Dockerfile`; returns the private key baked into it.
fn build_image(podman: &Podman) -> String {
    let base = podman.path("base.tar");
    busybox_rootfs(&base);
    podman.run(&[
        "import",
        "--change",
        "ENV PATH=/bin",
        "--change",
        "CMD [\"/bin/sh\"]",
        base.to_str().unwrap(),
        "localhost/layerleak/busybox-base:1",
    ]);
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/real-image");
    let ctx = podman.path("context");
    std::fs::create_dir(&ctx).unwrap();
    for file in ["Dockerfile", "config.yml", "hello.txt", "settings.env"] {
        std::fs::copy(here.join(file), ctx.join(file)).unwrap();
    }
    let key = ctx.join("id_ed25519");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "deploy@layerleak-test", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen (apt-get install openssh-client) for the engine test's key");
    assert!(keygen.status.success(), "{}", String::from_utf8_lossy(&keygen.stderr));
    podman.run(&[
        "build",
        "--quiet",
        "--layers",
        "--pull=never",
        "--isolation",
        "chroot",
        "--build-arg",
        &format!("NPM_TOKEN={NPM}"),
        "-t",
        IMAGE,
        "-f",
        ctx.join("Dockerfile").to_str().unwrap(),
        ctx.to_str().unwrap(),
    ]);
    std::fs::read_to_string(key).unwrap().trim_end().to_owned()
}

fn scan(target: &str, socket: &Path, extra: &[&str]) -> Output {
    layerleak()
        .args(["scan", target])
        .args(extra)
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .env_remove("CONTAINER_HOST")
        .output()
        .expect("the binary runs")
}

fn scan_json(target: &str, socket: &Path) -> (Output, Value) {
    let o = scan(target, socket, &["--format", "json", "--show-secrets"]);
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{target}: JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    (o, doc)
}

/// `(rule, fingerprint, [(layer, path, offset, state, by_layer)])` of every finding, sorted.
fn findings_by_place(doc: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut places: Vec<String> = f["locations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    format!(
                        "{} {} {} {} {} {} {}",
                        l["kind"],
                        l["layer"],
                        l["path"],
                        l["offset"],
                        l["status"],
                        l["field"],
                        l["history_index"]
                    )
                })
                .collect();
            places.sort();
            (f["rule_id"].to_string(), f["fingerprint"].to_string(), places)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn engine_image_scans_like_its_saved_archive() {
    if !podman_available() {
        return;
    }
    let started = Instant::now();
    let mut podman = Podman::new();
    let key = build_image(&podman);
    let saved = podman.path("saved.tar");
    podman.run(&["save", "--format", "docker-archive", "-o", saved.to_str().unwrap(), IMAGE]);
    let saved_oci = podman.path("saved-oci.tar");
    podman.run(&["save", "--format", "oci-archive", "-o", saved_oci.to_str().unwrap(), IMAGE]);
    let built = started.elapsed();
    podman.serve();
    let socket = podman.socket();

    let (o, streamed) = scan_json(&format!("docker:{IMAGE}"), &socket);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(streamed["complete"], true, "{streamed:#}");
    assert_eq!(streamed["target"], format!("docker:{IMAGE}"));
    assert_eq!(streamed["images"][0]["name"], IMAGE);
    assert_eq!(streamed["images"][0]["layers"], 8);
    assert_eq!(streamed["summary"]["blobs_scanned"], 8);

    // The planted secrets, with their places and statuses.
    let secret = |value: &str| -> Value {
        streamed["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["secret"] == value)
            .unwrap_or_else(|| panic!("no finding for {value}: {streamed:#}"))
            .clone()
    };
    let layer_places = |f: &Value| -> Vec<(u64, String, String, Option<u64>)> {
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
    };
    let npm = secret(NPM);
    assert!(
        npm["locations"].as_array().unwrap().iter().all(|l| l["field"] == "build_arg"),
        "{npm:#}"
    );
    let stripe = secret(STRIPE);
    assert!(stripe["locations"].as_array().unwrap().iter().any(|l| l["field"] == "env"));
    let deleted = (2, "root/.ssh/id_ed25519".to_owned(), "deleted".to_owned(), Some(3));
    assert_eq!(layer_places(&secret(&key)), [deleted]);
    let overwritten = (4, "etc/app/config.yml".to_owned(), "overwritten".to_owned(), Some(6));
    assert_eq!(layer_places(&secret(GH)), [overwritten]);
    let present = (7, "app/settings.env".to_owned(), "present_in_final".to_owned(), None);
    assert_eq!(layer_places(&secret(GL)), [present]);

    // `podman save` of the same image, scanned as a file: the same findings, to the byte.
    let (o, archived) = scan_json(saved.to_str().unwrap(), &socket);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(streamed["findings"], archived["findings"]);
    assert_eq!(streamed["images"], archived["images"]);
    assert_eq!(streamed["issues"], archived["issues"]);
    assert_eq!(streamed["summary"], archived["summary"]);
    // And as an oci-archive: the same secrets, rules, fingerprints and places.
    let (o, oci) = scan_json(saved_oci.to_str().unwrap(), &socket);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(findings_by_place(&streamed), findings_by_place(&oci));

    // A bare name that is no path is looked up in the engine.
    let (o, bare) = scan_json(IMAGE, &socket);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(bare["findings"], streamed["findings"]);

    // Redacted by default: no secret anywhere in the text or JSON output.
    for format in ["text", "json"] {
        let o = scan(&format!("engine:{IMAGE}"), &socket, &["--format", format]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        let key_lines = key.lines().filter(|l| !l.starts_with("-----"));
        for s in [NPM, STRIPE, GH, GL].into_iter().chain(key_lines) {
            assert!(!all.contains(s), "{format}: {s} leaked:\n{all}");
        }
    }

    // An image the engine does not have: exit 2, naming the image and the socket.
    let o = scan("docker:localhost/layerleak/missing:1", &socket, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("\"localhost/layerleak/missing:1\" not found"), "{err}");
    assert!(err.contains(&socket.display().to_string()), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    eprintln!(
        "engine test: image built and saved in {:.1?}, everything in {:.1?}",
        built,
        started.elapsed()
    );
}

#[test]
fn engine_without_a_socket_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("absent.sock");
    let o = scan("docker:app:dev", &socket, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot scan docker:app:dev"), "{err}");
    assert!(err.contains(&format!("unix://{}", socket.display())), "{err}");
    assert!(err.contains("does not exist"), "{err}");

    // A socket nobody listens on.
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    drop(listener);
    let o = scan("docker:app:dev", &socket, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing is listening"), "{}", stderr(&o));
}
