//! Where the container engine listens: `DOCKER_HOST`, `CONTAINER_HOST`, or the usual sockets.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Docker's socket.
const DOCKER_SOCKET: &str = "/var/run/docker.sock";
/// Rootful Podman's socket (`systemctl enable --now podman.socket`).
const PODMAN_ROOTFUL_SOCKET: &str = "/run/podman/podman.sock";

/// Which engine to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Docker: `DOCKER_HOST`, else `/var/run/docker.sock`.
    Docker,
    /// Podman: `CONTAINER_HOST`, else `$XDG_RUNTIME_DIR/podman/podman.sock` (rootless),
    /// else `/run/podman/podman.sock` (rootful).
    Podman,
    /// Either: `DOCKER_HOST`, else `CONTAINER_HOST`, else the first socket that exists of
    /// Docker's, rootless Podman's and rootful Podman's.
    Any,
}

impl EngineKind {
    fn describe(self) -> &'static str {
        match self {
            EngineKind::Docker => "Docker",
            EngineKind::Podman => "Podman",
            EngineKind::Any => "Docker or Podman",
        }
    }
}

/// An engine API endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket.
    Unix(PathBuf),
    /// A plain-HTTP TCP address on the loopback interface.
    Tcp(SocketAddr),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

impl Endpoint {
    /// Parses a `DOCKER_HOST`-style value: `unix:///path` or `tcp://HOST:PORT` on the
    /// loopback interface (plain HTTP; a remote engine needs TLS, which this client does not
    /// speak). `variable` names where the value came from, for errors.
    ///
    /// # Errors
    ///
    /// [`Error::EngineHost`] for any other value.
    pub fn parse(variable: &'static str, value: &str) -> Result<Endpoint> {
        let reject = |reason| Error::EngineHost { variable, value: value.to_owned(), reason };
        if let Some(path) = value.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(reject("a unix:// socket path must be absolute (unix:///path)"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        if let Some(rest) = value.strip_prefix("tcp://") {
            let hostport = rest.trim_end_matches('/');
            let addrs: Vec<SocketAddr> = hostport
                .to_socket_addrs()
                .map_err(|_| reject("expected tcp://HOST:PORT"))?
                .collect();
            return match addrs.first() {
                Some(addr) if addrs.iter().all(|a| a.ip().is_loopback()) => {
                    Ok(Endpoint::Tcp(*addr))
                }
                _ => Err(reject(
                    "only loopback tcp:// addresses are supported (a remote engine needs TLS); use a unix:// socket",
                )),
            };
        }
        Err(reject("expected unix:///path/to.sock or tcp://127.0.0.1:PORT"))
    }

    /// Finds the endpoint of `kind`, reading the environment through `env`: an endpoint set
    /// in the environment is used as is; otherwise the first well-known socket that exists.
    ///
    /// # Errors
    ///
    /// [`Error::EngineHost`] for an unsupported value in the environment,
    /// [`Error::EngineNotFound`] listing the sockets tried when none exists.
    pub fn discover(kind: EngineKind, env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint> {
        let set = |name: &'static str| {
            env(name).filter(|v| !v.is_empty()).map(|v| Endpoint::parse(name, &v))
        };
        let from_env = match kind {
            EngineKind::Docker => set("DOCKER_HOST"),
            EngineKind::Podman => set("CONTAINER_HOST"),
            EngineKind::Any => set("DOCKER_HOST").or_else(|| set("CONTAINER_HOST")),
        };
        if let Some(endpoint) = from_env {
            return endpoint;
        }
        let rootless = env("XDG_RUNTIME_DIR")
            .filter(|d| d.starts_with('/'))
            .map(|d| PathBuf::from(d).join("podman/podman.sock"));
        let podman = rootless.into_iter().chain([PathBuf::from(PODMAN_ROOTFUL_SOCKET)]);
        let candidates: Vec<PathBuf> = match kind {
            EngineKind::Docker => vec![PathBuf::from(DOCKER_SOCKET)],
            EngineKind::Podman => podman.collect(),
            EngineKind::Any => [PathBuf::from(DOCKER_SOCKET)].into_iter().chain(podman).collect(),
        };
        match candidates.iter().find(|p| p.exists()) {
            Some(path) => Ok(Endpoint::Unix(path.clone())),
            None => Err(Error::EngineNotFound {
                engine: kind.describe(),
                variable: if kind == EngineKind::Podman { "CONTAINER_HOST" } else { "DOCKER_HOST" },
                tried: candidates.iter().map(|p| Endpoint::Unix(p.clone()).to_string()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_parse_and_remote_ones_are_refused() {
        assert_eq!(
            Endpoint::parse("DOCKER_HOST", "unix:///run/x.sock").unwrap(),
            Endpoint::Unix(PathBuf::from("/run/x.sock"))
        );
        assert_eq!(
            Endpoint::parse("DOCKER_HOST", "tcp://127.0.0.1:2375").unwrap().to_string(),
            "tcp://127.0.0.1:2375"
        );
        for bad in ["unix://run/x.sock", "tcp://192.0.2.1:2375", "ssh://host", "npipe:////./x"] {
            let err = Endpoint::parse("DOCKER_HOST", bad).unwrap_err();
            assert!(matches!(err, Error::EngineHost { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn environment_wins_and_missing_sockets_are_listed() {
        let env = |name: &str| (name == "CONTAINER_HOST").then(|| "unix:///p.sock".to_owned());
        assert_eq!(
            Endpoint::discover(EngineKind::Podman, &env).unwrap(),
            Endpoint::Unix(PathBuf::from("/p.sock"))
        );
        assert_eq!(
            Endpoint::discover(EngineKind::Any, &env).unwrap(),
            Endpoint::Unix(PathBuf::from("/p.sock"))
        );
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().to_str().unwrap().to_owned();
        let env = |name: &str| (name == "XDG_RUNTIME_DIR").then(|| runtime.clone());
        match Endpoint::discover(EngineKind::Podman, &env) {
            // The machine may run a rootful Podman; otherwise both sockets are named.
            Ok(endpoint) => assert_eq!(endpoint.to_string(), "unix:///run/podman/podman.sock"),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(&format!("unix://{runtime}/podman/podman.sock")), "{msg}");
                assert!(msg.contains("unix:///run/podman/podman.sock"), "{msg}");
                assert!(msg.contains("CONTAINER_HOST"), "{msg}");
            }
        }
        std::fs::create_dir_all(dir.path().join("podman")).unwrap();
        std::fs::write(dir.path().join("podman/podman.sock"), b"").unwrap();
        assert_eq!(
            Endpoint::discover(EngineKind::Podman, &env).unwrap(),
            Endpoint::Unix(dir.path().join("podman/podman.sock"))
        );
    }
}
