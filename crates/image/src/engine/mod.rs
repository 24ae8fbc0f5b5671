//! A local Docker Engine or Podman, through the Docker-compatible API over its socket.
//!
//! Only two requests are made: `GET /images/{name}/json` (does the engine have the image?)
//! and `GET /images/{name}/get` (the image as a `docker save` tarball, streamed). The client
//! is a minimal blocking HTTP/1.1 one over `std`'s Unix and TCP sockets: those two `GET`s
//! need no async runtime, no TLS and no connection pool, so a general HTTP stack would be
//! all weight.

mod chunked;
mod endpoint;
mod http;

use std::io::Read;

pub use endpoint::{Endpoint, EngineKind};

use crate::error::{Error, Result};

/// A container engine reached through its Docker-compatible API.
///
/// # Example
///
/// ```no_run
/// use layerleak_image::{Engine, EngineKind};
///
/// let engine = Engine::discover(EngineKind::Any)?;
/// if engine.has_image("myapp:dev")? {
///     let archive = engine.export("myapp:dev")?; // a `docker save` tarball, streamed
/// #   drop(archive);
/// }
/// # Ok::<(), layerleak_image::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    endpoint: Endpoint,
}

impl Engine {
    /// The engine at `endpoint`.
    pub fn new(endpoint: Endpoint) -> Engine {
        Engine { endpoint }
    }

    /// The engine of `kind` found from the process environment (see [`EngineKind`] and
    /// [`Endpoint::discover`]).
    ///
    /// # Errors
    ///
    /// As [`Endpoint::discover`].
    pub fn discover(kind: EngineKind) -> Result<Engine> {
        Endpoint::discover(kind, &|name| std::env::var(name).ok()).map(Engine::new)
    }

    /// Where the engine listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Whether the engine has the image `name` (a name, `name:tag`, `name@digest` or an
    /// image id).
    ///
    /// # Errors
    ///
    /// [`Error::EngineImageName`] for a name that cannot be one, [`Error::EngineConnect`]
    /// when the engine cannot be reached, [`Error::EngineStatus`] for an answer other than
    /// found or not found.
    pub fn has_image(&self, name: &str) -> Result<bool> {
        let request = format!("/images/{}/json", encode_name(name)?);
        let response = http::get(&self.endpoint, &request)?;
        match response.status {
            200 => Ok(true),
            404 => Ok(false),
            status => Err(self.status_error(&request, status, response.message())),
        }
    }

    /// Streams the image `name` as a `docker save` tarball (see
    /// [`read_save_stream`](crate::read_save_stream)). Nothing is written to disk.
    ///
    /// # Errors
    ///
    /// As [`has_image`](Engine::has_image), and [`Error::EngineImageNotFound`] when the
    /// engine does not have the image.
    pub fn export(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        if !self.has_image(name)? {
            return Err(Error::EngineImageNotFound {
                endpoint: self.endpoint.to_string(),
                image: name.to_owned(),
            });
        }
        let request = format!("/images/{}/get", encode_name(name)?);
        let response = http::get(&self.endpoint, &request)?;
        match response.status {
            200 => Ok(response.body),
            404 => Err(Error::EngineImageNotFound {
                endpoint: self.endpoint.to_string(),
                image: name.to_owned(),
            }),
            status => Err(self.status_error(&request, status, response.message())),
        }
    }

    fn status_error(&self, request: &str, status: u16, message: String) -> Error {
        Error::EngineStatus {
            endpoint: self.endpoint.to_string(),
            request: format!("GET {request}"),
            status,
            message,
        }
    }
}

/// The image name as a URL path segment: `/` and `:` and `@` stay (the API routes
/// `/images/{name:.*}/…`), everything outside the unreserved set is percent-encoded.
fn encode_name(name: &str) -> Result<String> {
    let reject = |reason| Error::EngineImageName { name: name.to_owned(), reason };
    if name.is_empty() {
        return Err(reject("it is empty"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(reject("it contains white space or control characters"));
    }
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_path_safe() {
        assert_eq!(encode_name("localhost/app:dev").unwrap(), "localhost/app:dev");
        assert_eq!(encode_name("a?b#c%").unwrap(), "a%3Fb%23c%25");
        assert!(encode_name("").is_err());
        assert!(encode_name("a b").is_err());
    }
}
