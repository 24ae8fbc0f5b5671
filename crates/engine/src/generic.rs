//! Extra rejections for generic rules (`generic = true`): values that are assigned to a
//! `password`/`token`/`secret` name but are evidently not secrets.

/// Whether a generic rule's candidate secret is a hash, an id, a reference or a path.
///
/// # Example
///
/// ```
/// use layerleak_engine::is_non_secret_value;
///
/// assert!(is_non_secret_value(b"da39a3ee5e6b4b0d3255bfef95601890afd80709")); // git SHA-1
/// assert!(is_non_secret_value(b"123e4567-e89b-12d3-a456-426614174000"));     // UUID
/// assert!(is_non_secret_value(b"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="));
/// assert!(is_non_secret_value(b"process.env.API_TOKEN"));
/// assert!(is_non_secret_value(b"os.getenv(\"DB_PASSWORD\")"));
/// assert!(!is_non_secret_value(b"Zq8#mW2!vR7@pL4x"));
/// assert!(!is_non_secret_value(b"5K(v`p@D;r)Zs8q!")); // a WordPress salt
/// ```
pub fn is_non_secret_value(v: &[u8]) -> bool {
    is_hex_digest(v)
        || is_uuid(v)
        || is_integrity(v)
        || is_path(v)
        || is_reference(v)
        || v.iter().all(u8::is_ascii_digit)
        || is_dotted_identifier(v)
        || is_constant_name(v)
        || is_public_token(v)
}

/// Tokens that providers publish by design: Mapbox `pk.` tokens, Stripe publishable keys.
fn is_public_token(v: &[u8]) -> bool {
    [&b"pk.eyJ"[..], b"pk_live_", b"pk_test_"].iter().any(|p| v.starts_with(p))
}

/// Hex of a common digest length (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512), with
/// an optional `sha256:` style prefix.
fn is_hex_digest(v: &[u8]) -> bool {
    let v = v.iter().position(|&b| b == b':').map_or(v, |i| &v[i + 1..]);
    matches!(v.len(), 32 | 40 | 56 | 64 | 96 | 128) && v.iter().all(u8::is_ascii_hexdigit)
}

fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) { *b == b'-' } else { b.is_ascii_hexdigit() }
        })
}

/// Subresource-integrity style `sha512-<base64>`.
fn is_integrity(v: &[u8]) -> bool {
    [&b"sha1-"[..], b"sha256-", b"sha384-", b"sha512-", b"md5-"].iter().any(|p| v.starts_with(p))
}

fn is_path(v: &[u8]) -> bool {
    v.starts_with(b"/") || v.starts_with(b"./") || v.starts_with(b"../") || v.starts_with(b"~/")
}

/// A variable, a function call or an environment lookup rather than a literal.
fn is_reference(v: &[u8]) -> bool {
    v.starts_with(b"$")
        || v.starts_with(b"%")
        || is_call(v)
        || super::placeholder::contains_ignore_case(v, b"process.env")
        || super::placeholder::contains_ignore_case(v, b"os.environ")
        || super::placeholder::contains_ignore_case(v, b"getenv")
}

/// `get_password()`, `os.getenv("X")`, `vault.read(path)`: a call, not a value. (A `(`
/// alone proves nothing: random salts contain punctuation.)
fn is_call(v: &[u8]) -> bool {
    let Some(open) = v.iter().position(|&b| b == b'(') else { return false };
    open > 0
        && v.ends_with(b")")
        && v[..open].iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':'))
}

/// `config.password`, `self.api_key`, `settings.SECRET_KEY`: attribute access.
fn is_dotted_identifier(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|&b| b == b'.').all(|part| {
            part.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

/// `DB_PASSWORD`, `API_TOKEN`: the name of another variable.
fn is_constant_name(v: &[u8]) -> bool {
    v.contains(&b'_')
        && v.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}
