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
    use std::io::Write as _;
    use std::os::unix::net::UnixListener;
    use std::path::PathBuf;

    use super::*;

    /// Serves each of `answers` to one connection, in order, on a socket in `dir`: answers
    /// no real engine gives (errors, broken responses), which the tests against Podman
    /// cannot provoke.
    fn serve(dir: &std::path::Path, answers: Vec<&'static [u8]>) -> Engine {
        let socket = dir.join("engine.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        std::thread::spawn(move || {
            for answer in answers {
                let (mut conn, _) = listener.accept().unwrap();
                let mut request = [0u8; 4096];
                let _ = std::io::Read::read(&mut conn, &mut request);
                let _ = conn.write_all(answer);
            }
        });
        Engine::new(Endpoint::Unix(PathBuf::from(&socket)))
    }

    #[test]
    fn engine_answers_become_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let engine = serve(
            dir.path(),
            vec![
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 31\r\n\r\n{\"message\":\"storage is locked\"}",
                b"SSH-2.0-OpenSSH_9.2\r\n",
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}",
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
            ],
        );
        let err = engine.has_image("app:dev").unwrap_err();
        assert!(matches!(&err, Error::EngineStatus { status: 500, .. }), "{err:?}");
        assert!(err.to_string().contains("storage is locked"), "{err}");
        assert!(err.to_string().contains("GET /images/app:dev/json"), "{err}");
        let err = engine.has_image("app:dev").unwrap_err();
        assert!(matches!(&err, Error::EngineProtocol { .. }), "{err:?}");
        let Err(err) = engine.export("app:dev") else { panic!("a missing image was exported") };
        assert!(matches!(&err, Error::EngineImageNotFound { .. }), "{err:?}");
        assert!(err.to_string().contains("engine.sock"), "{err}");
        // Found, then a body cut short: an error when read, never a short archive.
        let Ok(mut body) = engine.export("app:dev") else { panic!("the image was not exported") };
        let err = body.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn names_are_path_safe() {
        assert_eq!(encode_name("localhost/app:dev").unwrap(), "localhost/app:dev");
        assert_eq!(encode_name("a?b#c%").unwrap(), "a%3Fb%23c%25");
        assert!(encode_name("").is_err());
        assert!(encode_name("a b").is_err());
    }
}
