//! Secret-named keys (`*_TOKEN`, `*_PASSWORD`, …) and whether their value looks real.

use layerleak_engine::{is_non_secret_value, is_placeholder, shannon_entropy};

/// Name suffixes (after upper-casing and mapping `-`/`.` to `_`) that mark a secret.
const SUFFIXES: &[&str] = &[
    "_TOKEN",
    "_PASSWORD",
    "_PASSWD",
    "_PASS",
    "_PWD",
    "_SECRET",
    "_KEY",
    "_APIKEY",
    "_CREDENTIALS",
    "_AUTH",
];

/// Whole names that mark a secret.
const NAMES: &[&str] = &[
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "API_KEY",
    "APIKEY",
    "SECRET_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "AUTH_TOKEN",
];

/// Names that end like a secret but are public by design.
const PUBLIC_SUFFIXES: &[&str] = &["PUBLIC_KEY", "PUB_KEY", "_KEY_ID", "GPG_KEY", "_KEYSERVER"];

/// Whether a variable, label or argument name suggests its value is a secret.
///
/// Case-insensitive; `-` and `.` count as `_` (labels use them).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper: String = name
        .chars()
        .map(|c| if c == '-' || c == '.' { '_' } else { c.to_ascii_uppercase() })
        .collect();
    if PUBLIC_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    NAMES.contains(&upper.as_str()) || SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// Whether a secret-named key's value looks like a real secret: at least 8 bytes, entropy
/// at least 2.5 bits per byte, not a placeholder or template, not a hash, id, path,
/// reference or plain word list, not a URL without credentials, not a boolean.
pub(crate) fn is_credible_value(v: &[u8]) -> bool {
    v.len() >= 8
        && shannon_entropy(v) >= 2.5
        && !is_placeholder(v)
        && !is_non_secret_value(v)
        && !is_plain_url(v)
        && !v.iter().any(|b| b.is_ascii_whitespace())
}

/// `https://host/path` without `user:password@`.
fn is_plain_url(v: &[u8]) -> bool {
    let Some(rest) = v.windows(3).position(|w| w == b"://").map(|i| &v[i + 3..]) else {
        return false;
    };
    let authority = rest.split(|&b| b == b'/').next().unwrap_or_default();
    !authority.contains(&b'@')
}

/// Strips one pair of matching surrounding quotes.
pub(crate) fn unquote(v: &str) -> (&str, usize) {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        (&v[1..v.len() - 1], 1)
    } else {
        (v, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in
            ["NPM_TOKEN", "db_password", "API_KEY", "AWS_SECRET", "com.acme.api-token", "TOKEN"]
        {
            assert!(is_secret_name(n), "{n}");
        }
        for n in ["PATH", "GPG_KEY", "SSH_PUBLIC_KEY", "AWS_ACCESS_KEY_ID", "TOKENIZER", "HOME"] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn values() {
        assert!(is_credible_value(b"S3cr3tP4ssw0rd!x"));
        assert!(is_credible_value(b"https://user:pw9x7Qz@host/x"));
        for v in [
            &b"${NPM_TOKEN}"[..],
            b"changeme",
            b"true",
            b"/run/secrets/token",
            b"https://example.org/x",
            b"B42F6819007F00F88E364FD4036A9C25BF357DD4",
            b"short",
        ] {
            assert!(!is_credible_value(v), "{}", String::from_utf8_lossy(v));
        }
    }
}
