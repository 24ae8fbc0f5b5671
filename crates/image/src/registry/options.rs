//! [`RegistryOptions`]: how to reach registries.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::registry::Politeness;
use crate::registry::credentials::Credentials;
use crate::registry::reference::{host_is_loopback, strip_port};

/// The slowest transfer rate a layer download is allowed, for its deadline: 256 KiB/s.
pub const BLOB_BYTES_PER_SECOND: u64 = 256 * 1024;
/// The longest a layer download may take, whatever its size: 6 hours.
pub const MAX_BLOB_DEADLINE: Duration = Duration::from_secs(6 * 3600);

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
    /// The most time one request may take in all (its headers, and for a token, manifest
    /// or config its whole body), however steadily the registry trickles bytes. A layer
    /// download gets this plus one second per [`BLOB_BYTES_PER_SECOND`] bytes received, at
    /// most [`MAX_BLOB_DEADLINE`] (see [`RegistryOptions::blob_deadline`]); only the time
    /// spent waiting for the registry counts, not the time the scan takes.
    pub deadline: Duration,
    /// How many times a request is tried in all (≥ 1) on connection errors, timeouts,
    /// 5xx and 429.
    pub attempts: u32,
    /// The first backoff between attempts; doubled each time, capped at 30 s. A 429's
    /// `Retry-After` (seconds or an HTTP date, at most [`MAX_PAUSE`](crate::registry::MAX_PAUSE))
    /// replaces it and pauses every request to the registry.
    pub backoff: Duration,
    /// Credentials given explicitly; the environment and the docker configuration are
    /// consulted when `None` (see [`Credentials::lookup`]).
    pub credentials: Option<Credentials>,
    /// The request budget and requests in flight per registry, and the pauses registries
    /// asked for: shared by every connection made with these options (and their clones).
    pub politeness: Arc<Politeness>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            ca_certs: Vec::new(),
            insecure_registries: Vec::new(),
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            attempts: 4,
            backoff: Duration::from_millis(500),
            credentials: None,
            politeness: Arc::new(Politeness::default()),
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

    /// Sets the per-request deadline (see [`deadline`](RegistryOptions::deadline)).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How long a layer download may have waited for the registry once `received` bytes
    /// have arrived: the request deadline plus one second per [`BLOB_BYTES_PER_SECOND`]
    /// bytes, at most [`MAX_BLOB_DEADLINE`] (and never less than the request deadline). It
    /// grows with what arrives, not with the size a manifest declares, so a registry that
    /// trickles is given up after about the request deadline.
    pub fn blob_deadline(&self, received: u64) -> Duration {
        blob_deadline(self.deadline, received)
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

/// See [`RegistryOptions::blob_deadline`].
pub(crate) fn blob_deadline(deadline: Duration, received: u64) -> Duration {
    let transfer = Duration::from_secs(received / BLOB_BYTES_PER_SECOND);
    deadline.saturating_add(transfer).min(MAX_BLOB_DEADLINE.max(deadline))
}
