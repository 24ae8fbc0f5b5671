//! Recognises values that are placeholders or documentation examples rather than secrets.
//!
//! Applied to the secret of every rule: a provider token format with `EXAMPLE` in it is the
//! provider's documentation value, `${TOKEN}` is a template, `xxxxxxxx` is a redaction.

use crate::generic::is_constant_name;

/// Whether `v` contains one of the catalogue's credential words (`password`, `token`, …;
/// [`layerleak_rules::words`]), ignoring case.
pub(crate) fn names_credential(v: &[u8]) -> bool {
    layerleak_rules::words().credential_words().any(|w| contains_ignore_case(v, w.as_bytes()))
}

/// Whether `word` is one of the catalogue's credential words, ignoring case.
pub(crate) fn is_credential_word(word: &[u8]) -> bool {
    layerleak_rules::words().credential_words().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

/// Whether `secret` looks like a placeholder, a template reference or a redacted value.
///
/// # Example
///
/// ```
/// use layerleak_engine::is_placeholder;
///
/// assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
/// assert!(is_placeholder(b"${NPM_TOKEN}"));
/// assert!(is_placeholder(b"<your-token>"));
/// assert!(is_placeholder(b"aaaaaaaaaaaaaaaaaaaa"));
/// assert!(!is_placeholder(b"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"));
/// ```
pub fn is_placeholder(secret: &[u8]) -> bool {
    if secret.is_empty() {
        return true;
    }
    // Markers that flag a value as made up (`example`, `xxxx`, `${`): the catalogue's
    // `value_filters.placeholder_markers`.
    let filters = &layerleak_rules::words().value_filters;
    if filters.placeholder_markers.iter().any(|m| contains_ignore_case(secret, m.as_bytes())) {
        return true;
    }
    // Values published as documentation examples (the catalogue in `layerleak-rules`) are
    // not dropped here: they are reported with the origin `example`, which does not gate.
    if is_credential_variable(secret) {
        return true;
    }
    // `$(cat /run/secrets/x)`, `<%= ENV['X'] %>`, `%(password)s`: template expressions. Only
    // at the start: random secrets with punctuation (Django keys) contain `$(` by chance.
    if [&b"$("[..], b"<%", b"%("].iter().any(|t| secret.starts_with(t)) {
        return true;
    }
    // `<token>`, `[API_KEY]`, `%PASSWORD%`: a value wrapped in template brackets.
    let (first, last) = (secret[0], secret[secret.len() - 1]);
    if matches!((first, last), (b'<', b'>') | (b'[', b']') | (b'%', b'%') | (b'{', b'}'))
        && secret.len() > 2
    {
        return true;
    }
    // `$NPM_TOKEN`: a shell variable, not its value. (`$6$salt$hash` and `$krb5asrep$…`
    // hashes also start with `$`, but go on past an identifier.)
    if first == b'$'
        && secret.len() > 1
        && secret[1..].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return true;
    }
    dominated_by_one_byte(secret) || is_metasyntactic(secret)
}

/// `foo@bar`, `foo%40bar`, `foo-bar-baz`: a value made only of metasyntactic words (the
/// catalogue's `value_filters.metasyntactic_words`, RFC 3092) and separators (a `%XX`
/// escape counts as a separator).
fn is_metasyntactic(secret: &[u8]) -> bool {
    let metasyntactic = &layerleak_rules::words().value_filters.metasyntactic_words;
    let mut words = 0;
    let mut rest = secret;
    while !rest.is_empty() {
        let word = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if word > 0 {
            if !metasyntactic.iter().any(|m| rest[..word].eq_ignore_ascii_case(m.as_bytes())) {
                return false;
            }
            words += 1;
            rest = &rest[word..];
        } else if rest[0] == b'%' && rest.len() >= 3 && rest[1..3].iter().all(u8::is_ascii_hexdigit)
        {
            rest = &rest[3..];
        } else {
            rest = &rest[1..];
        }
    }
    words > 0
}

/// `DOCKER_PASSWORD`, `NPM_TOKEN`: an upper-case name with an underscore and a credential
/// word: it stands for the secret, it is not the secret. (Provider tokens in upper case,
/// such as AWS key ids, have no underscore.)
fn is_credential_variable(secret: &[u8]) -> bool {
    is_constant_name(secret) && names_credential(secret)
}

/// At most two distinct bytes, or one byte making up more than 60% of the value
/// (`aaaaaaaa`, `0000000000000000`, `abababab`).
fn dominated_by_one_byte(secret: &[u8]) -> bool {
    let mut counts = [0u32; 256];
    for &b in secret {
        counts[usize::from(b)] += 1;
    }
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let max = counts.iter().copied().max().unwrap_or(0) as usize;
    (secret.len() >= 4 && distinct <= 2) || max * 10 > secret.len() * 6
}

pub(crate) fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_and_template_values_are_placeholders() {
        for p in [
            &b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"[..],
            b"xxxxxxxxxxxxxxxxxxxx",
            b"XXXX-XXXX-XXXX",
            b"{{ secrets.TOKEN }}",
            b"$NPM_TOKEN",
            b"<password>",
            b"********",
            b"your-api-key-here",
            b"changeme123",
            b"0000000000000000000000000000000000000000",
            b"DOCKER_PASSWORD",
            b"REGISTRY_TOKEN_2",
            b"foo%40bar",
            b"Foo-Bar_baz",
        ] {
            assert!(is_placeholder(p), "{}", String::from_utf8_lossy(p));
        }
    }

    /// Published examples are reported (with the origin `example`), not dropped here.
    #[test]
    fn published_examples_are_not_dropped_as_placeholders() {
        for p in
            [&b"2YotnFZFEjr1zCsicMWpAA"[..], b"sk_test_BQokikJOvBiI2HlWgH4olfQ2", b"kadidd!ehopper"]
        {
            assert!(layerleak_rules::published_example(p).is_some());
            assert!(!is_placeholder(p), "{}", String::from_utf8_lossy(p));
        }
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for p in [
            &b"sk_live_4eC39HqLyjWDarjtT1zdp7dc"[..],
            b"AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F",
            b"S3cr3tP4ssw0rd!",
            b"k2$(x9!zq%(7m@w#e^r&t*y-u_i=o+p)",
            b"$6$rounds=5000$saltsalt$hashhashhash",
            b"$krb5asrep$23$user@domain.com:3e156ada591263b8aab0965f5aebd837",
            // Upper case with underscores but no credential word; a published example with
            // one byte changed.
            b"Q7ZK_4MNV_PL2X_9RTA",
            // Metasyntactic words with something else.
            b"foo%40bar9",
            b"foobarz",
            b"2YotnFZFEjr1zCsicMWpAB",
        ] {
            assert!(!is_placeholder(p), "{}", String::from_utf8_lossy(p));
        }
    }
}
