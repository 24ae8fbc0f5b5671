//! Registry credentials and where they come from.
//!
//! Looked up in this order, the first that has credentials for the registry wins:
//!
//! 1. explicit ones (the CLI's `--username` with `--password-stdin`);
//! 2. the environment: [`USERNAME_ENV`] and [`PASSWORD_ENV`] (for CI);
//! 3. the docker configuration, `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`:
//!    `credHelpers[registry]`, else an `auths` entry (`auth` = base64 of
//!    `user:password`, or `username` and `password`), else the `credsStore` helper. A
//!    helper is the program `docker-credential-NAME`, run as `docker-credential-NAME get`
//!    with the server URL on standard input; it prints `{"Username":…,"Secret":…}`.
//!
//! Without credentials, pulls are anonymous (public images on Docker Hub, GHCR and most
//! registries still need the anonymous bearer-token handshake, which is done either way).

use std::fmt;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Deserialize;

use crate::bounded::{Bounded, Collector};
use crate::json_error::JsonError;
use crate::registry::error::RegistryError;
use crate::safe_open::{OpenError, open_regular};

/// Environment variable holding the registry username.
pub const USERNAME_ENV: &str = "LAYERLEAK_REGISTRY_USERNAME";
/// Environment variable holding the registry password or token.
pub const PASSWORD_ENV: &str = "LAYERLEAK_REGISTRY_PASSWORD";

/// The most bytes of a docker `config.json` read into memory.
const MAX_DOCKER_CONFIG_BYTES: u64 = 4 << 20;

/// The key Docker uses for Docker Hub in `config.json` and with credential helpers.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Where a set of [`Credentials`] came from (shown in errors; never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialOrigin {
    /// Given explicitly (command-line flags).
    Explicit,
    /// From [`USERNAME_ENV`] and [`PASSWORD_ENV`].
    Environment,
    /// From an `auths` entry of a docker configuration file.
    DockerConfig(PathBuf),
    /// From a `docker-credential-NAME` helper.
    Helper(String),
}

impl fmt::Display for CredentialOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialOrigin::Explicit => f.write_str("--username/--password-stdin"),
            CredentialOrigin::Environment => write!(f, "{USERNAME_ENV}/{PASSWORD_ENV}"),
            CredentialOrigin::DockerConfig(path) => write!(f, "{}", path.display()),
            CredentialOrigin::Helper(name) => write!(f, "docker-credential-{name}"),
        }
    }
}

/// A username and password (or token) for a registry.
///
/// `Debug` and `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
    origin: CredentialOrigin,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("origin", &self.origin)
            .finish()
    }
}

impl Credentials {
    /// Credentials from `origin`.
    pub fn new(username: String, password: String, origin: CredentialOrigin) -> Credentials {
        Credentials { username, password, origin }
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Where they came from.
    pub fn origin(&self) -> &CredentialOrigin {
        &self.origin
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }

    /// Finds credentials for `registry` (as in [`ImageReference::registry`]:
    /// `docker.io` for Docker Hub): `explicit` if given, else the environment, else the
    /// docker configuration (see the module documentation).
    ///
    /// # Errors
    ///
    /// [`RegistryError::Credentials`] when only one of the two environment variables is
    /// set, the docker configuration is malformed, or a credential helper fails (other
    /// than by having no credentials for the registry).
    ///
    /// [`ImageReference::registry`]: crate::registry::ImageReference::registry
    pub fn lookup(
        registry: &str,
        explicit: Option<Credentials>,
    ) -> Result<Option<Credentials>, RegistryError> {
        if explicit.is_some() {
            return Ok(explicit);
        }
        let user = std::env::var(USERNAME_ENV).ok().filter(|v| !v.is_empty());
        let pass = std::env::var(PASSWORD_ENV).ok().filter(|v| !v.is_empty());
        match (user, pass) {
            (Some(u), Some(p)) => {
                return Ok(Some(Credentials::new(u, p, CredentialOrigin::Environment)));
            }
            (None, None) => {}
            _ => {
                return Err(RegistryError::Credentials {
                    registry: registry.to_owned(),
                    reason: format!("set both {USERNAME_ENV} and {PASSWORD_ENV}, or neither"),
                });
            }
        }
        match docker_config_path() {
            Some(path) => from_docker_config(&path, registry),
            None => Ok(None),
        }
    }
}

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(Path::new(&dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|home| Path::new(&home).join(".docker").join("config.json"))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// Reads credentials for `registry` from the docker configuration at `path` (a missing
/// file means none).
pub(crate) fn from_docker_config(
    path: &Path,
    registry: &str,
) -> Result<Option<Credentials>, RegistryError> {
    let fail =
        |reason: String| RegistryError::Credentials { registry: registry.to_owned(), reason };
    let file = match open_regular(path) {
        Ok((file, _)) => file,
        Err(OpenError::NotFound) => return Ok(None),
        Err(e) => return Err(fail(e.into_error(path).to_string())),
    };
    let text = Collector::new(MAX_DOCKER_CONFIG_BYTES).read_all(file).map_err(|e| match e {
        Bounded::Io(e) => fail(format!("cannot read {}: {e}", path.display())),
        Bounded::Over { limit } => {
            fail(format!("{} is over the {limit}-byte limit", path.display()))
        }
    })?;
    // The error names a line and column, never the content (an `auths` value written as
    // a bare token would otherwise be quoted).
    let config: DockerConfig = serde_json::from_slice(&text)
        .map_err(|e| fail(format!("malformed {}: {}", path.display(), JsonError::new(&e))))?;
    let server = if registry == "docker.io" { DOCKER_HUB_KEY } else { registry };
    if let Some(helper) = lookup_key(&config.cred_helpers, registry) {
        return run_helper(helper, server, registry);
    }
    if let Some(entry) = lookup_key(&config.auths, registry) {
        let origin = CredentialOrigin::DockerConfig(path.to_owned());
        if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
            return Ok(Some(Credentials::new(u.clone(), p.clone(), origin)));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| {
                    fail(format!("the auths entry in {} is not valid base64", path.display()))
                })?;
            let (u, p) = decoded.split_once(':').ok_or_else(|| {
                fail(format!("the auths entry in {} is not user:password", path.display()))
            })?;
            return Ok(Some(Credentials::new(u.to_owned(), p.to_owned(), origin)));
        }
    }
    match config.creds_store.as_deref().filter(|s| !s.is_empty()) {
        Some(helper) => run_helper(helper, server, registry),
        None => Ok(None),
    }
}

/// The value for `registry` in a map keyed by registry, accepting the key forms Docker
/// writes: `host`, `https://host`, `https://host/v1/`, and for Docker Hub
/// `https://index.docker.io/v1/`.
fn lookup_key<'m, V>(
    map: &'m std::collections::BTreeMap<String, V>,
    registry: &str,
) -> Option<&'m V> {
    let hub = registry == "docker.io";
    map.iter()
        .find(|(key, _)| {
            let host = key
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap_or_default();
            host == registry
                || (hub && matches!(host, "index.docker.io" | "registry-1.docker.io" | "docker.io"))
        })
        .map(|(_, v)| v)
}

#[derive(Deserialize)]
struct HelperReply {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// The most a credential helper may print: a reply is a user name and a token.
const HELPER_REPLY_LIMIT: u64 = 64 * 1024;

/// How long a credential helper may take (a helper may ask a keychain or a cloud API).
const HELPER_DEADLINE: Duration = Duration::from_secs(60);

/// Runs `docker-credential-NAME get` with `server` on standard input. Its reply is read up
/// to [`HELPER_REPLY_LIMIT`], and a helper still running after [`HELPER_DEADLINE`] is
/// killed: a broken helper is an error, not a hang or an unbounded allocation.
fn run_helper(
    name: &str,
    server: &str,
    registry: &str,
) -> Result<Option<Credentials>, RegistryError> {
    run_program(&format!("docker-credential-{name}"), name, server, registry, HELPER_DEADLINE)
}

fn run_program(
    program: &str,
    name: &str,
    server: &str,
    registry: &str,
    deadline: Duration,
) -> Result<Option<Credentials>, RegistryError> {
    let fail =
        |reason: String| RegistryError::Credentials { registry: registry.to_owned(), reason };
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot run credential helper {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input closes the pipe: its exit status
        // and reply say what went wrong, not this write.
        let _ = stdin.write_all(server.as_bytes());
    }
    let reader = child.stdout.take().map(|stdout| {
        std::thread::spawn(move || {
            let mut reply = Vec::new();
            let read = stdout.take(HELPER_REPLY_LIMIT + 1).read_to_end(&mut reply);
            read.map(|_| reply)
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "credential helper {program} did not finish within {} s",
                    deadline.as_secs()
                )));
            }
            Err(e) => return Err(fail(format!("credential helper {program} failed: {e}"))),
        }
    };
    let stdout = match reader.map(std::thread::JoinHandle::join) {
        Some(Ok(Ok(reply))) => reply,
        _ => return Err(fail(format!("cannot read the reply of credential helper {program}"))),
    };
    if stdout.len() as u64 > HELPER_REPLY_LIMIT {
        return Err(fail(format!(
            "credential helper {program} printed more than {HELPER_REPLY_LIMIT} bytes"
        )));
    }
    if !status.success() {
        // The protocol's answer for "nothing stored" is this message on stdout.
        let said = String::from_utf8_lossy(&stdout);
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(fail(format!("credential helper {program} exited with {status}")));
    }
    // Never echo the reply: it holds the secret.
    let reply: HelperReply = serde_json::from_slice(&stdout)
        .map_err(|_| fail(format!("credential helper {program} printed an unexpected reply")))?;
    Ok(Some(Credentials::new(
        reply.username,
        reply.secret,
        CredentialOrigin::Helper(name.to_owned()),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A helper script in `dir` (bash), run through [`run_program`].
    fn helper(dir: &Path, body: &str) -> String {
        let path = dir.join("docker-credential-test");
        std::fs::write(&path, format!("#!/bin/bash\n{body}\n")).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
        path.to_str().unwrap().to_owned()
    }

    #[test]
    fn helper_reply_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let program =
            helper(dir.path(), r#"cat >/dev/null; echo '{"Username":"u","Secret":"s3cr3t"}'"#);
        let got = run_program(&program, "test", "r.io", "r.io", Duration::from_secs(30));
        let creds = got.unwrap().unwrap();
        assert_eq!((creds.username(), creds.password()), ("u", "s3cr3t"));
    }

    /// Before: the whole output was kept (`wait_with_output`), however long.
    #[test]
    fn endless_helper_output_is_cut_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let program = helper(dir.path(), "yes '{\"Username\":\"u\"}'");
        let err = run_program(&program, "test", "r.io", "r.io", Duration::from_secs(30))
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 65536 bytes"), "{err}");
    }

    /// Before: a helper that never exits hung the scan.
    #[test]
    fn hanging_helper_is_killed_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let program = helper(dir.path(), "exec sleep 600");
        let started = Instant::now();
        let err = run_program(&program, "test", "r.io", "r.io", Duration::from_millis(500))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did not finish within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    fn write_config(dir: &Path, json: &str) -> PathBuf {
        let path = dir.join("config.json");
        std::fs::write(&path, json).unwrap();
        path
    }

    #[test]
    fn auths_entries_in_every_key_form() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-pw");
        let path = write_config(
            dir.path(),
            &format!(
                r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},
                "registry.example.com":{{"username":"bob","password":"pw2"}},
                "http://localhost:5000/v2/":{{"auth":"{auth}"}}}}}}"#
            ),
        );
        let hub = from_docker_config(&path, "docker.io").unwrap().unwrap();
        assert_eq!((hub.username(), hub.password()), ("alice", "s3cret-pw"));
        let ex = from_docker_config(&path, "registry.example.com").unwrap().unwrap();
        assert_eq!((ex.username(), ex.password()), ("bob", "pw2"));
        assert!(from_docker_config(&path, "localhost:5000").unwrap().is_some());
        assert!(from_docker_config(&path, "ghcr.io").unwrap().is_none());
        assert!(!format!("{hub:?}").contains("s3cret-pw"));
    }

    #[test]
    fn missing_file_is_none_and_malformed_file_an_error_without_content() {
        let dir = tempfile::tempdir().unwrap();
        assert!(from_docker_config(&dir.path().join("nope.json"), "ghcr.io").unwrap().is_none());
        let path = write_config(dir.path(), r#"{"auths": {"ghcr.io": {"auth": "s3cret"#);
        let err = from_docker_config(&path, "ghcr.io").unwrap_err().to_string();
        assert!(err.contains("malformed") && !err.contains("s3cret"), "{err}");
    }

    #[test]
    fn a_bare_token_as_auths_value_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_config(dir.path(), r#"{"auths": {"ghcr.io": "ghp_s3cretBareToken"}}"#);
        let err = from_docker_config(&path, "ghcr.io").unwrap_err().to_string();
        assert!(err.contains("malformed") && !err.contains("s3cret"), "{err}");
    }

    #[test]
    fn a_fifo_config_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let err = from_docker_config(&path, "ghcr.io").unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");
    }

    #[test]
    fn missing_helper_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path =
            write_config(dir.path(), r#"{"credHelpers":{"ghcr.io":"layerleak-test-absent"}}"#);
        let err = from_docker_config(&path, "ghcr.io").unwrap_err().to_string();
        assert!(err.contains("docker-credential-layerleak-test-absent"), "{err}");
    }
}
