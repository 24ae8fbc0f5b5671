//! Pulling images from an OCI distribution registry (Docker Hub, GHCR, a private
//! registry, `docker-registry` on loopback).
//!
//! One concept per file:
//!
//! | file | what |
//! |---|---|
//! | `reference.rs` | [`ImageReference`]: `python` → `docker.io/library/python:latest`, tags, digests |
//! | `credentials.rs` | [`Credentials`] and where they come from: flags, environment, docker `config.json` and its credential helpers |
//! | `options.rs` | [`RegistryOptions`]: CA certificates, insecure hosts, timeouts, retries |
//! | `echo.rs` | hiding what a registry echoes of the credentials sent to it, whole or in part |
//! | `transport.rs` | the HTTP client: authentication, retries with backoff, `Retry-After`, status → [`RegistryError`] |
//! | `politeness.rs` | [`Politeness`]: a request budget and requests in flight per registry, the pauses a registry asks for (`Retry-After` in seconds or as a date, `RateLimit-Remaining: 0`) |
//! | `blob_stream.rs` | a blob body fed by a tokio task through a bounded channel into a synchronous [`Read`](std::io::Read), resumed with a `Range` request when the connection drops |
//! | `listing.rs` | the paginated lists of tags (`tags/list`) and repositories (`_catalog`) |
//! | `source.rs` | [`RegistrySource`], the [`ImageSource`](crate::ImageSource) |
//! | `error.rs` | [`RegistryError`] |
//!
//! # Design
//!
//! [`oci-client`](oci_client) parses references. The authentication handshake (the
//! `WWW-Authenticate` challenge of `/v2/`, the bearer-token request with or without
//! credentials, or the fall-back to HTTP basic auth) and the GET requests for manifests
//! and blobs are made with `reqwest` directly: a registry (and the token realm it names)
//! is untrusted, so every body is read through the crate's bounded reader, every request
//! has an overall deadline besides the per-read timeout, and a careful pull needs what
//! `oci-client` hides: the `Retry-After` header of a 429, the status and error code of a
//! failure (`MANIFEST_UNKNOWN` vs `NAME_UNKNOWN`), and a body stream that can be resumed
//! at an offset after a dropped connection.
//!
//! The CPU-bound scan stays synchronous: [`RegistrySource`] owns a small tokio runtime,
//! blocks on it while resolving manifests and configs, and each opened blob is downloaded
//! by a task that sends chunks through a bounded channel (memory per open blob: a few
//! chunks) to a [`Read`](std::io::Read) wrapped in a
//! [`VerifyingReader`](crate::VerifyingReader). Nothing is written to disk.

mod blob_stream;
mod credentials;
mod echo;
mod error;
mod listing;
mod options;
mod politeness;
mod reference;
mod source;
mod transport;

pub use credentials::{CredentialOrigin, Credentials, PASSWORD_ENV, USERNAME_ENV};
pub use error::RegistryError;
pub use listing::MAX_LISTED;
pub use options::{BLOB_BYTES_PER_SECOND, MAX_BLOB_DEADLINE, RegistryOptions};
pub use politeness::{MAX_PAUSE, Politeness};
pub use reference::{ImageReference, without_userinfo};
pub use source::RegistrySource;
