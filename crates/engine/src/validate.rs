//! Structural validators named by rules (`validator = "…"`).

use base64::Engine as _;
use layerleak_rules::Validator;

/// The outcome of a rule's validator on one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validation {
    /// The rule has no validator.
    NotApplicable,
    /// The secret passed (e.g. its embedded checksum is right).
    Passed,
    /// The secret failed a checksum; the match is kept at low confidence, since it is most
    /// often a made-up or redacted token in documentation.
    Failed,
}

/// Runs `validator` on `secret`. `None` means the match must be rejected outright (it is
/// not the structure the rule is about, e.g. an `eyJ…` string that is no JWT).
pub(crate) fn validate(validator: Validator, secret: &[u8]) -> Option<Validation> {
    match validator {
        Validator::Crc32Base62 => {
            Some(if crc32_base62_ok(secret) { Validation::Passed } else { Validation::Failed })
        }
        Validator::Base64UserPassword => {
            base64_user_password_ok(secret).then_some(Validation::Passed)
        }
        Validator::Jwt => jwt_ok(secret).then_some(Validation::Passed),
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `<prefix>_<30 random base62><6 base62 CRC32 of the random part>`: the GitHub and npm
/// token scheme.
fn crc32_base62_ok(secret: &[u8]) -> bool {
    let Some(us) = secret.iter().position(|&b| b == b'_') else { return false };
    let body = &secret[us + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = body.split_at(30);
    let mut n = crc32fast::hash(random);
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    n == 0 && encoded == check
}

fn decode_base64_any(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(s).ok())
}

/// Base64 of `user:password`, both parts non-empty printable ASCII, and not a credential
/// of documentation (see [`is_documentation_credential`]).
fn base64_user_password_ok(secret: &[u8]) -> bool {
    let Some(decoded) = decode_base64_any(secret) else { return false };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else { return false };
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let printable =
        |s: &[u8]| !s.is_empty() && s.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    printable(user) && printable(pass) && !is_documentation_credential(user, pass)
}

/// `user:user`, `test:test`, a password documentation and tests pair with a user name (the
/// catalogue's `value_filters.documentation_passwords`: `foo:bar`, `user:pass`, compared
/// ignoring case) or one with the word `password` in it (`xpassword`, `mypassword`).
fn is_documentation_credential(user: &[u8], pass: &[u8]) -> bool {
    let passwords = &layerleak_rules::words().value_filters.documentation_passwords;
    pass.eq_ignore_ascii_case(user)
        || passwords.iter().any(|p| pass.eq_ignore_ascii_case(p.as_bytes()))
        || pass.windows(8).any(|w| w.eq_ignore_ascii_case(b"password"))
}

/// `header.payload.signature` where the header decodes to a JSON object with `alg`.
fn jwt_ok(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let Some(header) = parts.next() else { return false };
    if parts.next().is_none() {
        return false;
    }
    let Some(json) = decode_base64_any(header) else { return false };
    serde_json::from_slice::<serde_json::Value>(&json)
        .is_ok_and(|v| v.get("alg").is_some_and(serde_json::Value::is_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum() {
        assert!(crc32_base62_ok(b"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"));
        assert!(!crc32_base62_ok(b"ghp_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUy"));
        assert!(!crc32_base62_ok(b"ghp_short"));
        assert!(!crc32_base62_ok(b"noprefix"));
    }

    #[test]
    fn docker_auth() {
        // base64("robot:s3cr3t-p4ss")
        assert!(base64_user_password_ok(b"cm9ib3Q6czNjcjN0LXA0c3M="));
        assert!(!base64_user_password_ok(b"bm9jb2xvbmhlcmU=")); // "nocolonhere"
        assert!(!base64_user_password_ok(b"not base64!"));
    }

    #[test]
    fn documentation_credentials_are_not_valid() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for doc in ["test:test", "foo:bar", "user:pass", "username:password", "xuser:xPassWord"] {
            assert!(!base64_user_password_ok(b64(doc).as_bytes()), "{doc}");
        }
        for real in ["ci:t3st-7Hq", "deploy:barn-owl-42", "admin:Pa55-w0rd!"] {
            assert!(base64_user_password_ok(b64(real).as_bytes()), "{real}");
        }
    }

    #[test]
    fn jwt_header() {
        let jwt = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert!(jwt_ok(jwt));
        assert!(!jwt_ok(b"eyJub3RhIjoiand0In0.eyJ4IjoxfQ.c2ln"));
        assert!(!jwt_ok(b"eyJhbGciOiJIUzI1NiJ9"));
    }
}
