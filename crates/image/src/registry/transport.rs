//! The HTTP side of a pull: authentication, requests with retries, statuses → errors.

use std::error::Error as _;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, LINK, RANGE, WWW_AUTHENTICATE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;

use super::echo::hide_echoes;
use crate::bounded::{Bounded, Collector};
use crate::digest::Digest;
use crate::manifest::media_type;
use crate::registry::credentials::Credentials;
use crate::registry::error::RegistryError;
use crate::registry::options::RegistryOptions;
use crate::registry::politeness::{Politeness, retry_after};
use crate::registry::reference::ImageReference;
use crate::safe_open::open_regular;

/// Every manifest type this crate reads, plus schema 1 so that a registry holding only
/// schema 1 answers with it (and the error says so) instead of a 404.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1, application/vnd.docker.distribution.manifest.v1+json;q=0.1";

/// The longest backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The most bytes of a bearer-token response read into memory (real ones are a few KiB).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;
/// The most bytes of an error body read into memory (an `{"errors":[…]}` envelope).
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;
/// The most bytes of a CA certificate bundle read into memory.
const MAX_CA_BYTES: u64 = 4 << 20;
/// The most characters of a registry's error message shown in an error.
const MAX_DETAIL_CHARS: usize = 200;

/// What a request fetches: decides the URL and how a 404 reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'a> {
    /// A manifest or index, by tag or digest.
    Manifest(&'a str),
    /// A blob (config or layer), by digest.
    Blob(&'a Digest),
    /// A list (`_catalog`, `<name>/tags/list`): the path and query after `/v2/`.
    Listing(&'a str),
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self {
            Target::Manifest(r) => format!("manifest {r}"),
            Target::Blob(d) => format!("blob {d}"),
            Target::Listing(l) => format!("list {l}"),
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
    reference: ImageReference,
    base: String,
    /// Replaced when a bearer token has expired (a 401 to a request that carried it).
    auth: RwLock<Auth>,
    credentials: Option<Credentials>,
    attempts: u32,
    backoff: Duration,
    /// The most time one request (headers and, for a document, its body) may take.
    deadline: Duration,
    /// Budgets and pauses per registry, shared with the other connections.
    politeness: Arc<Politeness>,
    /// A scope a refused request's challenge asked for besides pulling the repository
    /// (`registry:catalog:*` for `_catalog`), asked of the token server from then on.
    extra_scope: RwLock<Option<String>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No credentials or token.
        f.debug_struct("Transport").field("base", &self.base).finish_non_exhaustive()
    }
}

/// One attempt's failure: retried, retried with a new token, or final.
enum Failure {
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    /// A 401 to a request with a bearer token; `scope` is what its challenge asked for.
    TokenRejected {
        scope: Option<String>,
    },
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
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("layerleak/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout);
        for path in &options.ca_certs {
            let fail = |reason: String| RegistryError::CaCertificate { path: path.clone(), reason };
            let (file, _) = open_regular(path).map_err(|e| fail(e.into_error(path).to_string()))?;
            let pem = Collector::new(MAX_CA_BYTES).read_all(file).map_err(|e| match e {
                Bounded::Io(e) => fail(e.to_string()),
                Bounded::Over { limit } => fail(format!("over the {limit}-byte limit")),
            })?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(e.to_string()))?;
            if certs.is_empty() {
                return Err(fail("no PEM certificate in the file".to_owned()));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|e| RegistryError::Setup { reason: error_chain(&e) })?;
        let transport = Transport {
            http,
            base: format!("{scheme}://{host}"),
            reference,
            auth: RwLock::new(Auth::Anonymous),
            credentials,
            attempts: options.attempts.max(1),
            backoff: options.backoff,
            deadline: options.deadline,
            politeness: Arc::clone(&options.politeness),
            extra_scope: RwLock::new(None),
        };
        let auth = transport.handshake().await?;
        transport.set_auth(auth);
        Ok(transport)
    }

    /// Reads the `WWW-Authenticate` challenge of `/v2/`: a bearer challenge gets a token
    /// from the realm (with basic credentials when we have some), a basic challenge or
    /// none means requests carry the credentials, if any, directly. Every body involved is
    /// read through the bounded reader, and each attempt has the request deadline.
    async fn handshake(&self) -> Result<Auth, RegistryError> {
        let what = "/v2/ (authentication)";
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.within(what, self.try_handshake()).await {
                Ok(auth) => return Ok(auth),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::TokenRejected { .. }) => return Err(self.unauthorized()),
                Err(Failure::Retry { reason, .. }) if attempt >= self.attempts => {
                    return Err(RegistryError::Transport {
                        registry: self.host().to_owned(),
                        what: what.to_owned(),
                        attempts: attempt,
                        reason,
                    });
                }
                Err(Failure::Retry { wait, .. }) => self.wait_to_retry(wait, attempt).await,
            }
        }
    }

    async fn try_handshake(&self) -> Result<Auth, Failure> {
        let turn = self.politeness.turn(self.host()).await;
        let response = self
            .http
            .get(format!("{}/v2/", self.base))
            .send()
            .await
            .map_err(|e| Failure::Retry { reason: error_chain(&e), wait: None })?;
        drop(turn);
        let status = response.status();
        self.politeness.observe(self.host(), response.headers());
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let wait = retry_after(response.headers(), SystemTime::now());
            return Err(Failure::Retry { reason: format!("HTTP {status}"), wait });
        }
        let bearer = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(BearerChallenge::parse);
        // The body of /v2/ is never read: nothing in it is needed.
        drop(response);
        let direct = match &self.credentials {
            Some(c) => Auth::Basic(c.clone()),
            None => Auth::Anonymous,
        };
        match bearer {
            Some(challenge) if status == StatusCode::UNAUTHORIZED => {
                self.fetch_token(&challenge).await.map(Auth::Bearer)
            }
            _ => Ok(direct),
        }
    }

    /// GETs a bearer token from the challenge's realm, for pulling the repository.
    async fn fetch_token(&self, challenge: &BearerChallenge) -> Result<String, Failure> {
        let bad_realm = || {
            Failure::Fatal(RegistryError::Token {
                registry: self.host().to_owned(),
                reason: "the authentication realm is not an http(s) URL",
            })
        };
        let mut url = reqwest::Url::parse(&challenge.realm).map_err(|_| bad_realm())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad_realm());
        }
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = &challenge.service {
                query.append_pair("service", service);
            }
            let pull = format!("repository:{}:pull", self.repository());
            query.append_pair("scope", &pull);
            let extra = self.extra_scope.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(scope) = extra.as_deref().filter(|s| *s != pull) {
                query.append_pair("scope", scope);
            }
        }
        let mut request = self.http.get(url);
        if let Some(c) = &self.credentials {
            request = request.basic_auth(c.username(), Some(c.password()));
        }
        let turn = self.politeness.turn(self.host()).await;
        let response = request
            .send()
            .await
            .map_err(|e| Failure::Retry { reason: error_chain(&e), wait: None })?;
        drop(turn);
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let wait = retry_after(response.headers(), SystemTime::now());
            return Err(Failure::Retry { reason: format!("token: HTTP {status}"), wait });
        }
        // The token server's reply to a refusal is not read or shown: it could echo what
        // was sent.
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(Failure::Fatal(self.unauthorized()));
        }
        if !status.is_success() {
            return Err(Failure::Fatal(RegistryError::Status {
                registry: self.host().to_owned(),
                what: "token".to_owned(),
                status: status.as_u16(),
                detail: None,
            }));
        }
        let body = match read_body(response, MAX_TOKEN_BYTES).await {
            Ok(body) => body,
            Err(Bounded::Over { limit }) => {
                return Err(Failure::Fatal(RegistryError::TooLarge {
                    registry: self.host().to_owned(),
                    what: "the bearer token response".to_owned(),
                    limit,
                }));
            }
            Err(Bounded::Io(e)) => {
                return Err(Failure::Retry { reason: e.to_string(), wait: None });
            }
        };
        let reply: TokenReply = serde_json::from_slice(&body).map_err(|_| {
            Failure::Fatal(RegistryError::Token {
                registry: self.host().to_owned(),
                reason: "the token response is not the expected JSON",
            })
        })?;
        reply.token.or(reply.access_token).filter(|t| !t.is_empty()).ok_or_else(|| {
            Failure::Fatal(RegistryError::Token {
                registry: self.host().to_owned(),
                reason: "the token response holds no token",
            })
        })
    }

    /// Runs `request` within the request deadline.
    async fn within<T>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::time::timeout(self.deadline, request).await.unwrap_or_else(|_| {
            Err(Failure::Fatal(RegistryError::Deadline {
                registry: self.host().to_owned(),
                what: what.to_owned(),
                seconds: self.deadline.as_secs_f64(),
            }))
        })
    }

    /// A registry's error message as it may be shown: whatever it echoes of the credentials
    /// and token just sent, whole, base64-encoded or in part, replaced by `<redacted>`
    /// (see [`hide_echoes`]), control characters dropped, and cut to a short excerpt.
    fn sanitize(&self, message: Option<String>) -> Option<String> {
        let message = message?;
        let mut secrets = Vec::new();
        if let Some(c) = &self.credentials {
            secrets.push(c.password().to_owned());
            secrets.push(base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                c.username(),
                c.password()
            )));
        }
        if let Auth::Bearer(token) = self.current_auth() {
            secrets.push(token);
        }
        // Only the excerpt can be shown: mask within it (and as far past its end as the
        // longest secret reaches, so that an echo straddling the cut is hidden whole).
        let reach = MAX_DETAIL_CHARS + secrets.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        let excerpt: String = message.chars().take(reach).collect();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let text = hide_echoes(&excerpt, &secrets);
        let mut out: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_DETAIL_CHARS)
            .collect();
        if text.chars().count() > MAX_DETAIL_CHARS || message.chars().count() > reach {
            out.push('…');
        }
        Some(out).filter(|o| !o.trim().is_empty())
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

    /// Waits before attempt `attempt + 1`: a registry's `Retry-After` pauses every request
    /// to it (the next one waits its turn), else the backoff.
    async fn wait_to_retry(&self, retry_after: Option<Duration>, attempt: u32) {
        match retry_after {
            Some(wait) => self.politeness.pause(self.host(), wait),
            None => tokio::time::sleep(self.backoff_for(attempt)).await,
        }
    }

    fn backoff_for(&self, attempt: u32) -> Duration {
        self.backoff.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(MAX_BACKOFF)
    }

    fn url(&self, target: Target<'_>) -> String {
        match target {
            Target::Manifest(r) => format!("{}/v2/{}/manifests/{r}", self.base, self.repository()),
            Target::Blob(d) => format!("{}/v2/{}/blobs/{d}", self.base, self.repository()),
            Target::Listing(l) => format!("{}/v2/{l}", self.base),
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
        self.request(Method::GET, target, offset).await
    }

    /// HEADs `target`, retrying as [`Transport::get`] does; the response's headers (a
    /// manifest's `Docker-Content-Digest`, without its body).
    pub(crate) async fn head(&self, target: Target<'_>) -> Result<HeaderMap, RegistryError> {
        Ok(self.request(Method::HEAD, target, 0).await?.headers().clone())
    }

    /// A request with `method`, as [`Transport::get`] describes.
    async fn request(
        &self,
        method: Method,
        target: Target<'_>,
        offset: u64,
    ) -> Result<Response, RegistryError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let once = self.request_once(method.clone(), target, offset);
            match self.within(&target.describe(), once).await {
                Ok(response) => return Ok(response),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::TokenRejected { .. }) if renewed => return Err(self.unauthorized()),
                Err(Failure::TokenRejected { scope }) => {
                    renewed = true;
                    attempt -= 1;
                    // An expired token, or one without the scope this request needs: a
                    // new one, with that scope too when the challenge named one.
                    if let Some(scope) = scope.filter(|s| plausible_scope(s)) {
                        *self.extra_scope.write().unwrap_or_else(PoisonError::into_inner) =
                            Some(scope);
                    }
                    let auth = self.handshake().await?;
                    self.set_auth(auth);
                }
                Err(Failure::Retry { reason, .. }) if attempt >= self.attempts => {
                    return Err(self.transport_error(target, attempt, reason));
                }
                Err(Failure::Retry { wait, .. }) => self.wait_to_retry(wait, attempt).await,
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

    async fn request_once(
        &self,
        method: Method,
        target: Target<'_>,
        offset: u64,
    ) -> Result<Response, Failure> {
        let mut request = self.http.request(method, self.url(target));
        if let Target::Manifest(_) = target {
            request = request.header(ACCEPT, MANIFEST_ACCEPT);
        }
        if offset > 0 {
            request = request.header(RANGE, format!("bytes={offset}-"));
        }
        let bearer = matches!(self.current_auth(), Auth::Bearer(_));
        let turn = self.politeness.turn(self.host()).await;
        let response = self
            .authorize(request)
            .send()
            .await
            .map_err(|e| Failure::Retry { reason: error_chain(&e), wait: None })?;
        drop(turn);
        let status = response.status();
        self.politeness.observe(self.host(), response.headers());
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers(), SystemTime::now());
        if status == StatusCode::UNAUTHORIZED && bearer {
            let scope = response
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(BearerChallenge::parse)
                .and_then(|c| c.scope);
            return Err(Failure::TokenRejected { scope });
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
            StatusCode::FORBIDDEN => RegistryError::Denied {
                registry,
                repository,
                detail: self.sanitize(detail.message),
            },
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
                (_, Target::Listing(_)) => RegistryError::Status {
                    registry,
                    what: target.describe(),
                    status: status.as_u16(),
                    detail: self.sanitize(detail.message),
                },
            },
            _ => RegistryError::Status {
                registry,
                what: target.describe(),
                status: status.as_u16(),
                detail: self.sanitize(detail.message),
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
        let (body, headers) = self.fetch_with_headers(target, limit).await?;
        let content_type = header(&headers, CONTENT_TYPE)
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        Ok((body, content_type))
    }

    /// As [`Transport::fetch_document`], returning the `Link` header (the next page of a
    /// list) instead of the content type.
    pub(crate) async fn fetch_page(
        &self,
        target: Target<'_>,
        limit: u64,
    ) -> Result<(Vec<u8>, Option<String>), RegistryError> {
        let (body, headers) = self.fetch_with_headers(target, limit).await?;
        Ok((body, header(&headers, LINK).map(str::to_owned)))
    }

    /// A document whole, with the response's headers.
    async fn fetch_with_headers(
        &self,
        target: Target<'_>,
        limit: u64,
    ) -> Result<(Vec<u8>, HeaderMap), RegistryError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let response = self.get(target, 0).await?;
            let headers = response.headers().clone();
            let read = tokio::time::timeout(self.deadline, read_body(response, limit)).await;
            let outcome = match read {
                Ok(Ok(body)) => Ok(body),
                Ok(Err(Bounded::Over { limit })) => {
                    return Err(RegistryError::TooLarge {
                        registry: self.host().to_owned(),
                        what: target.describe(),
                        limit,
                    });
                }
                Ok(Err(Bounded::Io(e))) => Err(e.to_string()),
                Err(_) => {
                    return Err(RegistryError::Deadline {
                        registry: self.host().to_owned(),
                        what: target.describe(),
                        seconds: self.deadline.as_secs_f64(),
                    });
                }
            };
            match outcome {
                Ok(body) => return Ok((body, headers)),
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
        let ask = async {
            match self.authorize(self.http.get(url)).send().await {
                Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                    error_detail(response).await.code.as_deref() == Some("NAME_UNKNOWN")
                }
                _ => false,
            }
        };
        tokio::time::timeout(self.deadline, ask).await.unwrap_or(false)
    }

    /// How long the download of a blob may have waited for the registry in all, once
    /// `received` bytes have arrived.
    pub(crate) fn blob_deadline(&self, received: u64) -> Duration {
        crate::registry::options::blob_deadline(self.deadline, received)
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

/// A header's value, if it is text.
fn header(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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
async fn error_detail(response: Response) -> Detail {
    let Ok(body) = read_body(response, MAX_ERROR_BODY_BYTES).await else {
        return Detail::default();
    };
    let envelope: Envelope = serde_json::from_slice(&body).unwrap_or_default();
    envelope
        .errors
        .into_iter()
        .next()
        .map(|e| Detail { code: e.code, message: e.message })
        .unwrap_or_default()
}

/// A response body, read through the bounded reader: at most `limit` bytes, however many
/// arrive or `Content-Length` announces.
async fn read_body(mut response: Response, limit: u64) -> Result<Vec<u8>, Bounded> {
    let mut body = Collector::new(limit);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.push(&chunk)?,
            Ok(None) => return Ok(body.finish()),
            Err(e) => return Err(Bounded::Io(std::io::Error::other(error_chain(&e)))),
        }
    }
}

/// The reply of a token server.
#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// A `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` challenge.
#[derive(Debug, PartialEq, Eq)]
struct BearerChallenge {
    realm: String,
    service: Option<String>,
    /// What the refused request needs (`repository:app:pull`, `registry:catalog:*`).
    scope: Option<String>,
}

/// Whether a challenge's scope is worth asking a token server for: the distribution
/// spec's `resource-type:resource-name:actions` shape, short, printable, no spaces.
fn plausible_scope(scope: &str) -> bool {
    scope.len() <= 256
        && scope.split(':').count() >= 3
        && scope.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
}

impl BearerChallenge {
    /// Parses a header value; `None` when it is not a bearer challenge with a realm.
    fn parse(header: &str) -> Option<BearerChallenge> {
        let (scheme, params) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let mut realm = None;
        let mut service = None;
        let mut scope = None;
        let mut rest = params.trim();
        while !rest.is_empty() {
            let (key, after) = rest.split_once('=')?;
            let after = after.trim_start();
            let (value, tail) = match after.strip_prefix('"') {
                Some(quoted) => {
                    let end = quoted.find('"')?;
                    (&quoted[..end], &quoted[end + 1..])
                }
                None => match after.find(',') {
                    Some(end) => (&after[..end], &after[end..]),
                    None => (after, ""),
                },
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "realm" => realm = Some(value.to_owned()),
                "service" => service = Some(value.to_owned()),
                "scope" => scope = Some(value.to_owned()),
                _ => {}
            }
            rest = tail.trim_start().trim_start_matches(',').trim_start();
        }
        Some(BearerChallenge { realm: realm?, service, scope })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges() {
        let c = BearerChallenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull""#,
        )
        .unwrap();
        assert_eq!(c.realm, "https://auth.example/token");
        assert_eq!(c.service.as_deref(), Some("registry.example"));
        assert_eq!(c.scope.as_deref(), Some("repository:a:pull"));
        assert!(plausible_scope("registry:catalog:*"));
        assert!(!plausible_scope("registry catalog"));
        assert_eq!(BearerChallenge::parse(r#"Basic realm="x""#), None);
        assert_eq!(BearerChallenge::parse("Bearer service=x"), None);
    }
}
