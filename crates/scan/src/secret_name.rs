//! Secret-named keys (`*_TOKEN`, `*_PASSWORD`, …) and whether their value looks real.

use layerleak_engine::{is_non_secret_value, is_placeholder, shannon_entropy};

/// Whether a variable, label or argument name suggests its value is a secret: the
/// catalogue's credential words in the forms secret-named keys take
/// ([`Words::is_secret_name`](layerleak_rules::Words::is_secret_name)).
pub(crate) fn is_secret_name(name: &str) -> bool {
    layerleak_rules::words().is_secret_name(name)
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
