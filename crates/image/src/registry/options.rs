//! [`RegistryOptions`]: how to reach registries.

use std::path::PathBuf;
use std::time::Duration;

use crate::registry::credentials::Credentials;
use crate::registry::reference::{host_is_loopback, strip_port};

/// How to reach a registry: trust, plain-HTTP exceptions, timeouts, retries, credentials.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use layerleak_image::registry::RegistryOptions;
///
/// let options = RegistryOptions::default()
///     .with_insecure_registry("registry.lan:5000")
///     .with_timeout(Duration::from_secs(10));
/// assert!(options.allows_plain_http("registry.lan:5000"));
/// assert!(options.allows_plain_http("127.0.0.1:5000"));
/// assert!(!options.allows_plain_http("ghcr.io"));
/// ```
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// PEM files of extra CA certificates to trust (in addition to the system roots).
    pub ca_certs: Vec<PathBuf>,
    /// Hosts (`host` or `host:port`) reached over plain HTTP, besides loopback ones.
    pub insecure_registries: Vec<String>,
    /// How long to wait for a connection, and for each read of a response (a registry that
    /// stalls longer mid-body fails the attempt).
    pub timeout: Duration,
    /// How many times a request is tried in all (≥ 1) on connection errors, timeouts,
    /// 5xx and 429.
    pub attempts: u32,
    /// The first backoff between attempts; doubled each time, capped at 30 s. A 429's
    /// `Retry-After` replaces it.
    pub backoff: Duration,
    /// Credentials given explicitly; the environment and the docker configuration are
    /// consulted when `None` (see [`Credentials::lookup`]).
    pub credentials: Option<Credentials>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            ca_certs: Vec::new(),
            insecure_registries: Vec::new(),
            timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(500),
            credentials: None,
        }
    }
}

impl RegistryOptions {
    /// Adds a host that may be reached over plain HTTP.
    pub fn with_insecure_registry(mut self, host: impl Into<String>) -> Self {
        self.insecure_registries.push(host.into());
        self
    }

    /// Sets the connect and read timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether `host` (as in a reference: `name[:port]`) is reached over plain HTTP:
    /// loopback hosts and those listed in
    /// [`insecure_registries`](RegistryOptions::insecure_registries) (matching with or
    /// without the port).
    pub fn allows_plain_http(&self, host: &str) -> bool {
        host_is_loopback(host)
            || self
                .insecure_registries
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(strip_port(host)))
    }
}
