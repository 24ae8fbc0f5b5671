//! The HTTP side of a pull: authentication, requests with retries, statuses → errors.

use std::error::Error as _;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use oci_client::RegistryOperation;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use reqwest::header::{ACCEPT, CONTENT_TYPE, RANGE, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;

use crate::digest::Digest;
use crate::manifest::media_type;
use crate::registry::credentials::Credentials;
use crate::registry::error::RegistryError;
use crate::registry::options::RegistryOptions;
use crate::registry::reference::ImageReference;

/// Every manifest type this crate reads, plus schema 1 so that a registry holding only
/// schema 1 answers with it (and the error says so) instead of a 404.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1, application/vnd.docker.distribution.manifest.v1+json;q=0.1";

/// The longest `Retry-After` honoured; a registry asking for more gets this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The longest backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What a request fetches: decides the URL and how a 404 reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'a> {
    /// A manifest or index, by tag or digest.
    Manifest(&'a str),
    /// A blob (config or layer), by digest.
    Blob(&'a Digest),
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self {
            Target::Manifest(r) => format!("manifest {r}"),
            Target::Blob(d) => format!("blob {d}"),
        }
    }
}

/// How requests are authorised, decided once by [`Transport::connect`].
#[derive(Clone)]
enum Auth {
    Anonymous,
    Basic(Credentials),
    Bearer(String),
}

/// One registry repository, authenticated: sends GET requests with retries.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// For the authentication handshake, again when a bearer token expires.
    oci: oci_client::Client,
    reference: ImageReference,
    base: String,
    /// Replaced when a bearer token has expired (a 401 to a request that carried it).
    auth: RwLock<Auth>,
    credentials: Option<Credentials>,
    attempts: u32,
    backoff: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No credentials or token.
        f.debug_struct("Transport").field("base", &self.base).finish_non_exhaustive()
    }
}

/// One attempt's failure: retried, retried with a new token, or final.
enum Failure {
    Retry { reason: String, wait: Option<Duration> },
    TokenRejected,
    Fatal(RegistryError),
}

impl Transport {
    /// Builds the clients and runs the authentication handshake (anonymous or with
    /// `credentials`) for pulling `reference`.
    pub(crate) async fn connect(
        reference: ImageReference,
        options: &RegistryOptions,
        credentials: Option<Credentials>,
    ) -> Result<Transport, RegistryError> {
        let host = reference.registry_host().to_owned();
        let plain = options.allows_plain_http(&host);
        let scheme = if plain { "http" } else { "https" };
        let mut pems = Vec::new();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("layerleak/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout);
        for path in &options.ca_certs {
            let fail = |reason: String| RegistryError::CaCertificate { path: path.clone(), reason };
            let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(e.to_string()))?;
            if certs.is_empty() {
                return Err(fail("no PEM certificate in the file".to_owned()));
            }
            builder = builder.tls_certs_merge(certs);
            pems.push(pem);
        }
        let http = builder.build().map_err(|e| RegistryError::Setup { reason: error_chain(&e) })?;
        let oci = oci_client::Client::try_from(ClientConfig {
            protocol: if plain {
                ClientProtocol::HttpsExcept(vec![host.clone()])
            } else {
                ClientProtocol::Https
            },
            extra_root_certificates: pems
                .into_iter()
                .map(|data| Certificate { encoding: CertificateEncoding::Pem, data })
                .collect(),
            read_timeout: Some(options.timeout),
            connect_timeout: Some(options.timeout),
            ..ClientConfig::default()
        })
        .map_err(|e| RegistryError::Setup { reason: e.to_string() })?;
        let transport = Transport {
            http,
            oci,
            base: format!("{scheme}://{host}"),
            reference,
            auth: RwLock::new(Auth::Anonymous),
            credentials,
            attempts: options.attempts.max(1),
            backoff: options.backoff,
        };
        let auth = transport.handshake().await?;
        transport.set_auth(auth);
        Ok(transport)
    }

    /// `oci-client` reads the `WWW-Authenticate` challenge of `/v2/`: a bearer challenge
    /// gets a token from the realm (with basic credentials when we have some), a basic
    /// challenge or none means requests carry the credentials, if any, directly.
    async fn handshake(&self) -> Result<Auth, RegistryError> {
        let auth = match &self.credentials {
            Some(c) => RegistryAuth::Basic(c.username().to_owned(), c.password().to_owned()),
            None => RegistryAuth::Anonymous,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.oci.auth(self.reference.oci(), &auth, RegistryOperation::Pull).await {
                Ok(Some(token)) => return Ok(Auth::Bearer(token)),
                Ok(None) => {
                    return Ok(match &self.credentials {
                        Some(c) => Auth::Basic(c.clone()),
                        None => Auth::Anonymous,
                    });
                }
                // The token server's reply is not shown: it could echo what was sent.
                Err(OciDistributionError::AuthenticationFailure(_)) => {
                    return Err(self.unauthorized());
                }
                Err(e) if attempt >= self.attempts => {
                    return Err(RegistryError::Transport {
                        registry: self.host().to_owned(),
                        what: "/v2/ (authentication)".to_owned(),
                        attempts: attempt,
                        reason: oci_reason(&e),
                    });
                }
                Err(_) => tokio::time::sleep(self.backoff_for(attempt)).await,
            }
        }
    }

    fn current_auth(&self) -> Auth {
        self.auth.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_auth(&self, auth: Auth) {
        *self.auth.write().unwrap_or_else(PoisonError::into_inner) = auth;
    }

    /// Adds the credentials or token to `request`.
    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match self.current_auth() {
            Auth::Anonymous => request,
            Auth::Basic(c) => request.basic_auth(c.username(), Some(c.password())),
            Auth::Bearer(token) => request.bearer_auth(token),
        }
    }

    pub(crate) fn host(&self) -> &str {
        self.reference.registry_host()
    }

    fn repository(&self) -> &str {
        self.reference.repository()
    }

    fn unauthorized(&self) -> RegistryError {
        match &self.credentials {
            Some(c) => RegistryError::AuthenticationFailed {
                registry: self.host().to_owned(),
                repository: self.repository().to_owned(),
                origin: c.origin().to_string(),
            },
            None => RegistryError::AuthenticationRequired {
                registry: self.host().to_owned(),
                repository: self.repository().to_owned(),
            },
        }
    }

    fn backoff_for(&self, attempt: u32) -> Duration {
        self.backoff.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(MAX_BACKOFF)
    }

    fn url(&self, target: Target<'_>) -> String {
        match target {
            Target::Manifest(r) => format!("{}/v2/{}/manifests/{r}", self.base, self.repository()),
            Target::Blob(d) => format!("{}/v2/{}/blobs/{d}", self.base, self.repository()),
        }
    }

    /// GETs `target` (from byte `offset` when > 0), retrying connection errors,
    /// timeouts, 5xx and 429 (after its `Retry-After`), and returns the successful
    /// response with its body unread. A bearer token that is refused (it expired during a
    /// long scan) is renewed once per request.
    pub(crate) async fn get(
        &self,
        target: Target<'_>,
        offset: u64,
    ) -> Result<Response, RegistryError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            match self.get_once(target, offset).await {
                Ok(response) => return Ok(response),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::TokenRejected) if renewed => return Err(self.unauthorized()),
                Err(Failure::TokenRejected) => {
                    renewed = true;
                    attempt -= 1;
                    let auth = self.handshake().await?;
                    self.set_auth(auth);
                }
                Err(Failure::Retry { reason, .. }) if attempt >= self.attempts => {
                    return Err(self.transport_error(target, attempt, reason));
                }
                Err(Failure::Retry { wait, .. }) => {
                    tokio::time::sleep(wait.unwrap_or_else(|| self.backoff_for(attempt))).await;
                }
            }
        }
    }

    pub(crate) fn transport_error(
        &self,
        target: Target<'_>,
        attempts: u32,
        reason: String,
    ) -> RegistryError {
        RegistryError::Transport {
            registry: self.host().to_owned(),
            what: target.describe(),
            attempts,
            reason,
        }
    }

    async fn get_once(&self, target: Target<'_>, offset: u64) -> Result<Response, Failure> {
        let mut request = self.http.get(self.url(target));
        if let Target::Manifest(_) = target {
            request = request.header(ACCEPT, MANIFEST_ACCEPT);
        }
        if offset > 0 {
            request = request.header(RANGE, format!("bytes={offset}-"));
        }
        let bearer = matches!(self.current_auth(), Auth::Bearer(_));
        let response = self
            .authorize(request)
            .send()
            .await
            .map_err(|e| Failure::Retry { reason: error_chain(&e), wait: None })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
        if status == StatusCode::UNAUTHORIZED && bearer {
            return Err(Failure::TokenRejected);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failure::Retry { reason: format!("HTTP {status}"), wait: retry_after });
        }
        // Error bodies are small JSON envelopes; read at most a little.
        let detail = error_detail(response).await;
        let registry = self.host().to_owned();
        let repository = self.repository().to_owned();
        Err(Failure::Fatal(match status {
            StatusCode::UNAUTHORIZED => self.unauthorized(),
            StatusCode::FORBIDDEN => {
                RegistryError::Denied { registry, repository, detail: detail.message }
            }
            StatusCode::NOT_FOUND => match (detail.code.as_deref(), target) {
                (Some("NAME_UNKNOWN"), _) => {
                    RegistryError::RepositoryNotFound { registry, repository }
                }
                (_, Target::Manifest(reference)) => RegistryError::ManifestNotFound {
                    registry,
                    repository,
                    reference: reference.to_owned(),
                },
                (_, Target::Blob(digest)) => {
                    RegistryError::BlobNotFound { registry, repository, digest: digest.to_string() }
                }
            },
            _ => RegistryError::Status {
                registry,
                what: target.describe(),
                status: status.as_u16(),
                detail: detail.message,
            },
        }))
    }

    /// GETs a small document whole (a manifest, an index, a config), at most `limit`
    /// bytes, retrying as [`Transport::get`] does, also when the body is cut off.
    /// Returns the bytes and the `Content-Type` without parameters.
    pub(crate) async fn fetch_document(
        &self,
        target: Target<'_>,
        limit: u64,
    ) -> Result<(Vec<u8>, Option<String>), RegistryError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut response = self.get(target, 0).await?;
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            let mut body = Vec::new();
            let outcome = loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if (body.len() + chunk.len()) as u64 > limit {
                            return Err(RegistryError::TooLarge {
                                registry: self.host().to_owned(),
                                what: target.describe(),
                                limit,
                            });
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(error_chain(&e)),
                }
            };
            match outcome {
                Ok(()) => return Ok((body, content_type)),
                Err(reason) if attempt >= self.attempts => {
                    return Err(self.transport_error(target, attempt, reason));
                }
                Err(_) => tokio::time::sleep(self.backoff_for(attempt)).await,
            }
        }
    }

    /// Whether the registry says the repository does not exist (`NAME_UNKNOWN` for its tag
    /// list). Some registries answer a manifest request in a missing repository with
    /// `MANIFEST_UNKNOWN`; this tells the two apart.
    pub(crate) async fn repository_is_unknown(&self) -> bool {
        let url = format!("{}/v2/{}/tags/list", self.base, self.repository());
        match self.authorize(self.http.get(url)).send().await {
            Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                error_detail(response).await.code.as_deref() == Some("NAME_UNKNOWN")
            }
            _ => false,
        }
    }

    /// How many attempts a request gets in all.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The pause before attempt `attempt + 1`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_for(attempt)
    }
}

/// Media types that are manifests rather than blobs, for choosing the endpoint.
pub(crate) fn is_manifest_media_type(mt: &str) -> bool {
    matches!(
        mt,
        media_type::OCI_INDEX
            | media_type::OCI_MANIFEST
            | media_type::DOCKER_MANIFEST
            | media_type::DOCKER_MANIFEST_LIST
            | media_type::DOCKER_MANIFEST_V1
            | media_type::DOCKER_MANIFEST_V1_SIGNED
    )
}

#[derive(Deserialize, Default)]
struct Envelope {
    #[serde(default)]
    errors: Vec<EnvelopeError>,
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Default)]
struct Detail {
    code: Option<String>,
    message: Option<String>,
}

/// The first `{"errors":[{"code","message"}]}` entry of an error body, if any.
async fn error_detail(mut response: Response) -> Detail {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 64 * 1024 {
            return Detail::default();
        }
    }
    let envelope: Envelope = serde_json::from_slice(&body).unwrap_or_default();
    envelope
        .errors
        .into_iter()
        .next()
        .map(|e| Detail { code: e.code, message: e.message })
        .unwrap_or_default()
}

/// A reqwest error and its causes, without the URL (`timed out`, `connection refused`).
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the connection failed while reading the body".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn oci_reason(e: &OciDistributionError) -> String {
    match e {
        OciDistributionError::RequestError(e) => error_chain(e),
        other => other.to_string(),
    }
}
