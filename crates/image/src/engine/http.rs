//! A minimal blocking HTTP/1.1 client for the engine API: one `GET` per connection
//! (`Connection: close`), a body delimited by `Content-Length`, chunked encoding or the end
//! of the connection.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use super::chunked::ChunkedReader;
use super::endpoint::Endpoint;
use crate::error::{Error, Result};

/// How long a read may wait for the engine before the request fails: generous, since an
/// engine may assemble a large archive before its first byte, but never a hang.
const READ_TIMEOUT: Duration = Duration::from_secs(600);
/// The most bytes of status line and headers accepted.
const MAX_HEAD: u64 = 64 * 1024;
/// The most bytes of an error body read for its message.
const MAX_ERROR_BODY: u64 = 16 * 1024;

/// A connection to the engine.
trait Connection: Read + Write + Send {}
impl<T: Read + Write + Send> Connection for T {}

/// An answer: its status and its body, to read to the end.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Box<dyn Read + Send>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response").field("status", &self.status).finish_non_exhaustive()
    }
}

impl Response {
    /// The engine's error message: the `message` field of a JSON body, else the body's text,
    /// shortened.
    pub(crate) fn message(self) -> String {
        let mut bytes = Vec::new();
        if self.body.take(MAX_ERROR_BODY).read_to_end(&mut bytes).is_err() && bytes.is_empty() {
            return "(no readable message)".to_owned();
        }
        let text = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_owned());
        let mut short: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
        if short.len() < text.len() {
            short.push('…');
        }
        short
    }
}

/// Sends `GET path` to `endpoint` and reads the status line and headers.
///
/// # Errors
///
/// [`Error::EngineConnect`] (with a hint for a missing socket, a refused connection or a
/// permission problem) when the engine cannot be reached or the exchange fails,
/// [`Error::EngineProtocol`] for an answer that is not HTTP/1.x.
pub(crate) fn get(endpoint: &Endpoint, path: &str) -> Result<Response> {
    let connect_error = |source: io::Error| Error::EngineConnect {
        endpoint: endpoint.to_string(),
        hint: hint(&source),
        source,
    };
    let mut conn: Box<dyn Connection> = match endpoint {
        Endpoint::Unix(socket) => {
            let stream = UnixStream::connect(socket).map_err(connect_error)?;
            stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(connect_error)?;
            Box::new(stream)
        }
        Endpoint::Tcp(addr) => {
            let stream = TcpStream::connect(addr).map_err(connect_error)?;
            stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(connect_error)?;
            Box::new(stream)
        }
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: layerleak/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    conn.write_all(request.as_bytes()).and_then(|()| conn.flush()).map_err(connect_error)?;

    let protocol =
        |reason: String| Error::EngineProtocol { endpoint: endpoint.to_string(), reason };
    let mut reader = BufReader::with_capacity(64 * 1024, conn);
    let mut head = (&mut reader).take(MAX_HEAD);
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> Result<()> {
        line.clear();
        let n = head.read_line(line).map_err(connect_error)?;
        if n == 0 || !line.ends_with('\n') {
            return Err(protocol("the response head is truncated or too long".to_owned()));
        }
        let trimmed = line.trim_end_matches(['\r', '\n']).len();
        line.truncate(trimmed);
        Ok(())
    };
    read_line(&mut line)?;
    let status = parse_status(&line)
        .ok_or_else(|| protocol(format!("unexpected status line {:?}", shorten(&line))))?;
    let mut chunked = false;
    let mut length: Option<u64> = None;
    loop {
        read_line(&mut line)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(protocol(format!("malformed header {:?}", shorten(&line))));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length =
                Some(value.parse().map_err(|_| {
                    protocol(format!("malformed Content-Length {:?}", shorten(value)))
                })?);
        }
    }
    let body: Box<dyn Read + Send> = match (chunked, length) {
        (true, _) => Box::new(ChunkedReader::new(reader)),
        (false, Some(len)) => Box::new(Exact { inner: reader.take(len), left: len }),
        (false, None) => Box::new(reader),
    };
    Ok(Response { status, body })
}

/// `HTTP/1.1 200 OK` → 200.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

/// What to do about a failed connection, as a suffix of the message.
fn hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotFound => {
            ": the socket does not exist (is the engine installed and running?)"
        }
        io::ErrorKind::ConnectionRefused => {
            ": nothing is listening (is the engine running? `systemctl start docker` or `systemctl --user start podman.socket`)"
        }
        io::ErrorKind::PermissionDenied => {
            ": permission denied (run as a member of the socket's group, e.g. `docker`, or use rootless Podman's socket)"
        }
        _ => "",
    }
}

/// A `Content-Length` body: a connection that ends early is an error, not a short body.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the engine closed the connection {} bytes before the end", self.left),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status("HTTP/1.0 404"), Some(404));
        for bad in ["", "HTTP/2 200 OK", "SSH-2.0-OpenSSH", "HTTP/1.1 20 OK", "HTTP/1.1 abc x"] {
            assert_eq!(parse_status(bad), None, "{bad}");
        }
    }

    #[test]
    fn connection_failures_say_what_to_do() {
        for (kind, words) in [
            (io::ErrorKind::NotFound, "does not exist"),
            (io::ErrorKind::ConnectionRefused, "is the engine running?"),
            (io::ErrorKind::PermissionDenied, "permission denied"),
        ] {
            assert!(hint(&io::Error::from(kind)).contains(words), "{kind:?}");
        }
        assert_eq!(hint(&io::Error::from(io::ErrorKind::TimedOut)), "");
    }

    #[test]
    fn short_content_length_body_fails() {
        let mut body = Exact { inner: (&b"abc"[..]).take(5), left: 5 };
        let err = body.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
