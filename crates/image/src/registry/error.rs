//! [`RegistryError`]: what can go wrong talking to a registry.

use std::path::PathBuf;

/// A failure while pulling from a registry.
///
/// Messages name the registry, repository and reference or blob, never a credential: no
/// variant holds a password or token, and URLs are built from the reference only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The text is not a valid image reference.
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference {
        /// The rejected text.
        reference: String,
        /// What is wrong.
        reason: String,
    },

    /// The registry wants credentials and none were given.
    #[error(
        "{registry}: authentication required to pull {repository}; log in (docker login) or pass --username with --password-stdin"
    )]
    AuthenticationRequired {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
    },

    /// The registry rejected the credentials given.
    #[error(
        "{registry}: the credentials for {repository} (from {origin}) were rejected: wrong username or password, or no access"
    )]
    AuthenticationFailed {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// Where the credentials came from (a flag, an environment variable, a file).
        origin: String,
    },

    /// The registry refused access (403).
    #[error("{registry}: access to {repository} denied (HTTP 403){}", detail_suffix(detail))]
    Denied {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The registry's error message, if it gave one.
        detail: Option<String>,
    },

    /// The repository does not exist (or is invisible to these credentials).
    #[error("{registry}: repository {repository} not found")]
    RepositoryNotFound {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
    },

    /// The tag or manifest digest does not exist in the repository.
    #[error("{registry}: manifest {reference} not found in repository {repository}")]
    ManifestNotFound {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The tag or digest.
        reference: String,
    },

    /// A blob named by a manifest does not exist in the repository.
    #[error("{registry}: blob {digest} not found in repository {repository}")]
    BlobNotFound {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The blob digest.
        digest: String,
    },

    /// Any other unexpected HTTP status, after retries where they apply.
    #[error("{registry}: GET {what} failed with HTTP {status}{}", detail_suffix(detail))]
    Status {
        /// The registry host.
        registry: String,
        /// What was requested (`manifest app:1.4`, `blob sha256:…`).
        what: String,
        /// The HTTP status code.
        status: u16,
        /// The registry's error message, if it gave one.
        detail: Option<String>,
    },

    /// The registry could not be reached or the connection failed, after retries.
    #[error("{registry}: GET {what} failed after {attempts} attempt(s): {reason}")]
    Transport {
        /// The registry host.
        registry: String,
        /// What was requested.
        what: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure (`timed out`, `connection refused`, ...).
        reason: String,
    },

    /// The manifest fetched by digest does not hash to that digest.
    #[error("{registry}: manifest {reference} has digest {actual}, not the requested one")]
    ManifestDigestMismatch {
        /// The registry host.
        registry: String,
        /// The digest requested.
        reference: String,
        /// The digest of the bytes received.
        actual: String,
    },

    /// A list (tags, catalog) the registry sent is malformed or does not end.
    #[error("{registry}: {what}: {reason}")]
    BadListing {
        /// The registry host.
        registry: String,
        /// Which list (and page).
        what: String,
        /// What is wrong.
        reason: String,
    },

    /// The registry answered with a body larger than this crate reads for a document.
    #[error("{registry}: {what} is over the {limit}-byte limit")]
    TooLarge {
        /// The registry host.
        registry: String,
        /// What was requested.
        what: String,
        /// The limit.
        limit: u64,
    },

    /// A request (its headers, and for a document or token its body) did not complete
    /// within the deadline, however steadily the registry was sending.
    #[error("{registry}: GET {what} did not complete within the {seconds}-second deadline")]
    Deadline {
        /// The registry host.
        registry: String,
        /// What was requested.
        what: String,
        /// The deadline, in seconds.
        seconds: f64,
    },

    /// The token server's answer is unusable.
    #[error("{registry}: cannot get a bearer token: {reason}")]
    Token {
        /// The registry host.
        registry: String,
        /// What is wrong with the answer (never its content).
        reason: &'static str,
    },

    /// Plain HTTP was needed but not allowed.
    #[error(
        "{registry}: refusing plain HTTP to a non-loopback registry; pass --insecure-registry {registry} to allow it"
    )]
    InsecureNotAllowed {
        /// The registry host.
        registry: String,
    },

    /// A CA certificate file could not be read or parsed.
    #[error("cannot use CA certificate {}: {reason}", path.display())]
    CaCertificate {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// The docker configuration file or a credential helper failed.
    #[error("credentials for {registry}: {reason}")]
    Credentials {
        /// The registry host.
        registry: String,
        /// What went wrong (never the secret itself).
        reason: String,
    },

    /// The HTTP client or async runtime could not be set up.
    #[error("cannot set up the registry client: {reason}")]
    Setup {
        /// What went wrong.
        reason: String,
    },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}
