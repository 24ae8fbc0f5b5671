//! Image references: `[registry[:port]/]repository[:tag][@digest]`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use oci_client::Reference;

use crate::registry::error::RegistryError;

/// A parsed image reference, normalised as Docker does.
///
/// - No registry part → Docker Hub, and a one-component repository gets `library/`:
///   `python` → `docker.io/library/python:latest`.
/// - No tag and no digest → `:latest`.
/// - The first component is a registry when it contains `.` or `:` or is `localhost`:
///   `localhost:5000/app`, `ghcr.io/org/img:tag`.
///
/// # Example
///
/// ```
/// use layerleak_image::registry::ImageReference;
///
/// let r: ImageReference = "python".parse()?;
/// assert_eq!(r.to_string(), "docker.io/library/python:latest");
/// assert_eq!(r.registry_host(), "index.docker.io");
/// let r: ImageReference = "localhost:5000/app".parse()?;
/// assert!(r.is_loopback());
/// # Ok::<(), layerleak_image::registry::RegistryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageReference {
    inner: Reference,
}

impl ImageReference {
    /// Parses a reference.
    ///
    /// # Errors
    ///
    /// [`RegistryError::InvalidReference`] naming the text and what is wrong with it.
    pub fn parse(text: &str) -> Result<ImageReference, RegistryError> {
        let shown = without_userinfo(text);
        let invalid = |reason: String| RegistryError::InvalidReference {
            reference: shown.clone(),
            // The parser's words may quote the text; they must not show a credential either.
            reason: if shown == text { reason } else { reason.replace(text, &shown) },
        };
        if text.is_empty() {
            return Err(invalid("empty reference".to_owned()));
        }
        if text.contains("://") {
            return Err(invalid(
                "a reference has no scheme: write registry.example/repo:tag".to_owned(),
            ));
        }
        let inner = Reference::try_from(text).map_err(|e| invalid(e.to_string()))?;
        // `UPPER/app` passes the grammar with `UPPER` as a would-be host, then becomes a
        // Docker Hub repository; Docker rejects it, and so do we.
        if inner.repository().bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid("repository name must be lowercase".to_owned()));
        }
        Ok(ImageReference { inner })
    }

    /// The registry as written, after normalisation (`docker.io` for Docker Hub).
    pub fn registry(&self) -> &str {
        self.inner.registry()
    }

    /// The host (and port) requests go to (`index.docker.io` for Docker Hub).
    pub fn registry_host(&self) -> &str {
        self.inner.resolve_registry()
    }

    /// The repository (`library/python`).
    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// The tag, if any (`None` when only a digest was given).
    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The digest, if one was given.
    pub fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    /// What goes after `/manifests/`: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest().or(self.tag()).unwrap_or("latest")
    }

    /// Whether the registry is on this machine (`localhost`, `127.0.0.0/8`, `::1`), where
    /// plain HTTP is allowed.
    pub fn is_loopback(&self) -> bool {
        host_is_loopback(self.registry_host())
    }
}

/// `text` as it may be shown in an error: a `user:password@` (or `token@`) written before
/// the registry host, which Docker does not accept but a user may paste from a URL, is
/// replaced by `<redacted>@`. A digest (`app@sha256:…`, `host/app@sha256:…`) is kept.
///
/// ```
/// use layerleak_image::registry::without_userinfo;
///
/// assert_eq!(without_userinfo("bob:hunter2@ghcr.io/app"), "<redacted>@ghcr.io/app");
/// assert_eq!(without_userinfo("alpine@sha256:abc"), "alpine@sha256:abc");
/// ```
pub fn without_userinfo(text: &str) -> String {
    let Some((before, after)) = text.split_once('@') else { return text.to_owned() };
    if !before.contains('/') && (before.contains(':') || after.contains('/')) {
        format!("<redacted>@{after}")
    } else {
        text.to_owned()
    }
}

/// Whether `host` (possibly with `:port`, IPv6 possibly bracketed) is a loopback name or
/// address.
pub(crate) fn host_is_loopback(host: &str) -> bool {
    let name = strip_port(host);
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `host:port` → `host`; `[::1]:5000` → `::1`.
pub(crate) fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

impl FromStr for ImageReference {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageReference::parse(s)
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_never_shows_in_an_invalid_reference_error() {
        for text in ["user:ghp_s3cretToken@registry.example/app", "ghp_s3cretToken@host:5000/app:1"]
        {
            let err = ImageReference::parse(text).unwrap_err().to_string();
            assert!(!err.contains("s3cret"), "{err}");
            assert!(err.contains("<redacted>@"), "{err}");
        }
        assert_eq!(without_userinfo("app@sha256:abc"), "app@sha256:abc");
        assert_eq!(without_userinfo("host:5000/app@sha256:abc"), "host:5000/app@sha256:abc");
    }

    fn parse(s: &str) -> ImageReference {
        ImageReference::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_normalisation() {
        let r = parse("python");
        assert_eq!(
            (r.registry(), r.registry_host(), r.repository(), r.tag()),
            ("docker.io", "index.docker.io", "library/python", Some("latest"))
        );
        assert_eq!(parse("docker.io/library/python:3").tag(), Some("3"));
        assert_eq!(parse("bitnami/redis").repository(), "bitnami/redis");
        assert_eq!(parse("bitnami/redis").registry(), "docker.io");
    }

    #[test]
    fn registries_tags_and_digests() {
        let r = parse("registry.example.com/team/app:1.4");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("registry.example.com", "team/app", Some("1.4"))
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = parse(&format!("ghcr.io/org/img@{digest}"));
        assert_eq!(r.digest(), Some(digest.as_str()));
        assert_eq!(r.manifest_reference(), digest);
        let r = parse("localhost:5000/app");
        assert_eq!(
            (r.registry_host(), r.repository(), r.tag()),
            ("localhost:5000", "app", Some("latest"))
        );
        assert!(r.is_loopback());
        assert!(parse("127.0.0.1:5000/app:x").is_loopback());
        assert!(!parse("ghcr.io/org/img:tag").is_loopback());
    }

    #[test]
    fn malformed_references_are_clear_errors() {
        for bad in ["", "UPPER/case", "app@sha256:abc", "https://ghcr.io/x", "a b", "app:"] {
            let err = ImageReference::parse(bad).unwrap_err();
            assert!(
                matches!(&err, RegistryError::InvalidReference { reference, .. } if reference == bad),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn host_ports() {
        assert_eq!(strip_port("localhost:5000"), "localhost");
        assert_eq!(strip_port("[::1]:5000"), "::1");
        assert_eq!(strip_port("::1"), "::1");
        assert_eq!(strip_port("ghcr.io"), "ghcr.io");
    }
}
