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
/// assert!(is_non_secret_value(b"V1ServiceAccountTokenProjection")); // a class name
/// assert!(is_non_secret_value(b"InvalidToken:%s:%s"));              // a format string
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
        || is_snake_case(v)
        || is_camel_case(v)
        || is_hostname(v)
        || is_resource_name(v)
        || is_format_string(v)
        || is_public_token(v)
}

/// Tokens that providers publish by design: Mapbox `pk.` tokens, Stripe publishable keys
/// (the catalogue's `value_filters.public_token_prefixes`).
fn is_public_token(v: &[u8]) -> bool {
    let prefixes = &layerleak_rules::words().value_filters.public_token_prefixes;
    prefixes.iter().any(|p| v.starts_with(p.as_bytes()))
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
    (v.starts_with(b"/") && !is_slash_led_base64(v))
        || v.starts_with(b"./")
        || v.starts_with(b"../")
        || v.starts_with(b"~/")
}

/// `/nZ6SOAGofyNMCSwmVa0fr0oktEqjouO0mS6PcUUGUK2`: one random base64 key in 64 starts with
/// `/`. Long, high-entropy, base64 only (no `.`), with upper- and lower-case letters and
/// digits, and at most two more `/`: not a path.
fn is_slash_led_base64(v: &[u8]) -> bool {
    v.len() >= 27
        && v.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && v.iter().filter(|&&b| b == b'/').count() <= 3
        && v.iter().any(u8::is_ascii_uppercase)
        && v.iter().any(u8::is_ascii_lowercase)
        && v.iter().any(u8::is_ascii_digit)
        && crate::shannon_entropy(v) >= 4.2
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

/// `config.password`, `self.api_key`, `settings.SECRET_KEY`, `Shards[-1].ShardId`:
/// attribute access, with optional indexes.
fn is_dotted_identifier(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|&b| b == b'.').all(|part| {
            let name = match part.iter().position(|&b| b == b'[') {
                Some(open) if is_index(&part[open..]) => &part[..open],
                Some(_) => return false,
                None => part,
            };
            name.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

/// `[0]`, `[-1]`, `[0][2]`: one or more integer indexes.
fn is_index(v: &[u8]) -> bool {
    v.split_inclusive(|&b| b == b']').all(|one| {
        one.len() > 2
            && one.starts_with(b"[")
            && one.ends_with(b"]")
            && one[1..one.len() - 1]
                .iter()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (i == 0 && *b == b'-' && one.len() > 3))
    })
}

/// `subject_token_0`, `oauth2_client_secret`: a lower-case name of underscore-joined words.
fn is_snake_case(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_lowercase)
        && v.contains(&b'_')
        && v.split(|&b| b == b'_').all(|part| {
            !part.is_empty() && part.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `oauth2ClientSecret`, `V1ServiceAccountTokenProjection`: a camel-case name. After its
/// first word, two or more capitalised words of at least three letters, digits only at a
/// word's end; a random base62 string seldom has a capital followed by two lower-case
/// letters every time. A name starting with a capital must name a credential (`Token`,
/// `Secret`…), so a passphrase such as `CorrectHorseBatteryStaple` is kept.
fn is_camel_case(v: &[u8]) -> bool {
    let names_credential = split_before_capitals(v).any(|w| {
        let letters = w.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        super::placeholder::is_credential_word(&w[..letters])
    });
    (v.first().is_some_and(u8::is_ascii_lowercase) || names_credential) && is_camel_shaped(v)
}

fn is_camel_shaped(v: &[u8]) -> bool {
    let mut words = v.split_inclusive(|b| b.is_ascii_digit()).flat_map(split_before_capitals);
    let Some(first) = words.next() else { return false };
    let word_shape = |w: &[u8], min_lower: usize| {
        let digits = w.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let letters = &w[..w.len() - digits];
        letters.iter().skip(1).all(u8::is_ascii_lowercase) && letters.len() > min_lower
    };
    let mut capitalised = 0;
    for w in words {
        if !w[0].is_ascii_uppercase() || !word_shape(w, 2) {
            return false;
        }
        capitalised += 1;
    }
    first[0].is_ascii_alphabetic() && word_shape(first, 0) && capitalised >= 2
}

/// Splits before every upper-case letter: `fooBarBaz1` → `foo`, `Bar`, `Baz1`.
fn split_before_capitals(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = v;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end =
            rest.iter().skip(1).position(u8::is_ascii_uppercase).map_or(rest.len(), |p| p + 1);
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

/// `sql-component.googleapis.com`: a lower-case host name.
fn is_hostname(v: &[u8]) -> bool {
    let mut labels = v.split(|&b| b == b'.');
    let tld = labels.next_back().unwrap_or_default();
    v.contains(&b'.')
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_lowercase)
        && labels.all(|l| {
            !l.is_empty()
                && l.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        })
}

/// `projects/p/secrets/s/versions/1`, `arn:aws:secretsmanager:…`: the name of a secret in a
/// secret manager, not its value.
fn is_resource_name(v: &[u8]) -> bool {
    [&b"projects/"[..], b"organizations/", b"folders/", b"arn:aws:", b"arn:aws-"]
        .iter()
        .any(|p| v.starts_with(p))
}

/// `InvalidToken:%s:%s`, `token={}`: a format string with a conversion in it.
fn is_format_string(v: &[u8]) -> bool {
    [&b"%s"[..], b"%d", b"%v", b"%r", b"{}", b"{0}"]
        .iter()
        .any(|c| v.windows(c.len()).any(|w| w == *c))
}

/// `DB_PASSWORD`, `API_TOKEN`: the name of another variable.
pub(crate) fn is_constant_name(v: &[u8]) -> bool {
    v.contains(&b'_')
        && v.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_templates_and_resource_names_are_not_secrets() {
        for v in [
            &b"subject_token_0"[..],
            b"oauth2_client_secret",
            b"storage_v1_client",
            b"oauth2ClientSecret",
            b"myIdempToken1",
            b"V1ServiceAccountTokenProjection",
            b"StreamDescription.Shards[-1].ShardId",
            b"items[0][12].name",
            b"sql-component.googleapis.com",
            b"projects/123/secrets/my-key/versions/1",
            b"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            b"InvalidToken:%s:%s",
            b"token={}",
            b"/usr/lib/python3/dist-packages/botocore/data",
            b"/opt/app/Config2024/settings",
        ] {
            assert!(is_non_secret_value(v), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn secrets_that_look_a_little_like_names_are_kept() {
        for v in [
            // RFC 6749's refresh token shape, random base62 and base64 with slashes.
            &b"tGzv3JOkF0XG5Qx2TlKWIB"[..],
            b"lucWJjEhlxZW01cXI3YmVlcYnpxNGhzk",
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzYXWQKEY",
            b"q5GwEl5bMGjKq6YmhpDLJ7hEwyWU54jJC2GQ93n61vZV4s1+fzZ674xzvUlTihrl",
            // Passphrases and passwords with words in them.
            b"CorrectHorseBatteryStaple",
            b"Summer2024!",
            b"Hunter2_hunter",
            // A dotted value with a non-integer index, a host name with an upper-case label.
            b"a.b[x]",
            b"zq-8.c0m",
            b"50%off!",
            // Base64 that starts with `/`.
            b"/nZ6SOAGofyNMCSwmVa0fr0oktEqjouO0mS6PcUUGUK2",
        ] {
            assert!(!is_non_secret_value(v), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn indexes_are_integers_in_brackets() {
        assert!(is_index(b"[0]"));
        assert!(is_index(b"[-1][2]"));
        assert!(!is_index(b"[]"));
        assert!(!is_index(b"[-]"));
        assert!(!is_index(b"[0]x"));
        assert!(!is_index(b"[1-2]"));
    }
}
