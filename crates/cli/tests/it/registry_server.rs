//! A real registry for tests: Debian's `docker-registry` (the reference distribution
//! registry) on 127.0.0.1 with a free port and a temporary storage directory, plain or
//! with htpasswd basic auth, stopped on drop; images pushed to it with `skopeo`.
//!
//! Without `docker-registry` (or `skopeo`, `htpasswd`) the tests fail and say what to
//! install, unless `LAYERLEAK_SKIP_REGISTRY_TESTS=1`, which makes them print that they
//! were skipped and pass.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const USER: &str = "scanner";
pub(crate) const PASSWORD: &str = "Reg1stry-Pw-7f3k9q";

/// A running `docker-registry serve`.
pub(crate) struct Registry {
    child: Child,
    port: u16,
    auth: bool,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether the tools are there; panics with what to install if not, unless
/// `LAYERLEAK_SKIP_REGISTRY_TESTS=1`.
pub(crate) fn available(test: &str) -> bool {
    let missing: Vec<&str> =
        ["docker-registry", "skopeo", "htpasswd"].into_iter().filter(|p| !have(p)).collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("LAYERLEAK_SKIP_REGISTRY_TESTS").as_deref() == Ok("1") {
        eprintln!(
            "SKIPPED {test}: {} not installed (LAYERLEAK_SKIP_REGISTRY_TESTS=1)",
            missing.join(", ")
        );
        return false;
    }
    panic!(
        "{test} needs {}: apt-get install docker-registry skopeo apache2-utils (or set LAYERLEAK_SKIP_REGISTRY_TESTS=1 to skip)",
        missing.join(", ")
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Registry {
    /// Starts a registry; with `auth`, htpasswd basic auth for [`USER`] / [`PASSWORD`].
    pub(crate) fn start(auth: bool) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let auth_section = if auth {
            let out = Command::new("htpasswd").args(["-Bbn", USER, PASSWORD]).output().unwrap();
            assert!(out.status.success(), "htpasswd failed");
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, out.stdout).unwrap();
            Some(format!(
                "auth:\n  htpasswd:\n    realm: layerleak-test\n    path: {}\n",
                htpasswd.display()
            ))
        } else {
            None
        };
        Registry::start_with(dir, auth_section)
    }

    /// Starts a registry keeping its files in `dir`, with `auth` as the YAML `auth:`
    /// section (pushes then use [`USER`] / [`PASSWORD`]).
    pub(crate) fn start_with(dir: tempfile::TempDir, auth: Option<String>) -> Registry {
        Registry::start_logging(dir, auth, None)
    }

    /// As [`Registry::start_with`], writing the access log (one line per request) to
    /// `log` when given.
    pub(crate) fn start_logging(
        dir: tempfile::TempDir,
        auth: Option<String>,
        log: Option<&Path>,
    ) -> Registry {
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: {}\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            log.is_none(),
            dir.path().join("storage").display()
        );
        let has_auth = auth.is_some();
        config.push_str(&auth.unwrap_or_default());
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(match log {
                // The access log goes to stdout.
                Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
                None => Stdio::null(),
            })
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry starts");
        let registry = Registry { child, port, auth: has_auth, _dir: dir };
        registry.wait_ready();
        registry
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n");
                let mut head = [0u8; 12];
                if s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not answer /v2/ on port {} within 20 s", self.port);
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Pushes the OCI layout at `dir` as `repo:tag` with `skopeo copy` and `extra`
    /// arguments (`--format v2s2`, `--all`).
    pub(crate) fn push(&self, dir: &Path, reference: &str, extra: &[&str]) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]);
        if self.auth {
            cmd.arg(format!("--dest-creds={USER}:{PASSWORD}"));
        }
        cmd.args(extra)
            .arg(format!("oci:{}", dir.display()))
            .arg(format!("docker://{}/{reference}", self.host()));
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "skopeo copy to {reference} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
