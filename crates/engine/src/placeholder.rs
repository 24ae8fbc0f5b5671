//! Recognises values that are placeholders or documentation examples rather than secrets.
//!
//! Applied to the secret of every rule: a provider token format with `EXAMPLE` in it is the
//! provider's documentation value, `${TOKEN}` is a template, `xxxxxxxx` is a redaction.

use crate::generic::is_constant_name;

/// Case-insensitive substrings that mark a value as made up. Each is long enough that a
/// random 40-character base62 token contains one with probability below about 1e-4.
const MARKERS: &[&[u8]] = &[
    b"example",
    b"xxxx",
    b"placeholder",
    b"changeme",
    b"change_me",
    b"change-me",
    b"your_",
    b"your-",
    b"yourtoken",
    b"yourkey",
    b"yoursecret",
    b"yourpassword",
    b"dummy",
    b"redacted",
    b"sample",
    b"****",
    b"....",
    b"${",
    b"{{",
    b"}}",
    b"insert",
    b"replace",
    b"notreal",
    b"not_real",
    b"not-real",
    // Keyboard sequences: "ABCDEFGHIJKL", "1234567890", "a1b2c3d4" in made-up values.
    b"abcdefgh",
    b"12345678",
    b"a1b2c3d4",
];

/// Words that name a credential, in lower case: a value that is an upper-case variable
/// name holding one (`DOCKER_PASSWORD`, `API_TOKEN`) stands for the secret, it is not the
/// secret; so does a camel-case name made of them (`V1ServiceAccountTokenProjection`, see
/// [`is_non_secret_value`](crate::is_non_secret_value)).
pub(crate) const CREDENTIAL_WORDS: &[&[u8]] =
    &[b"password", b"passwd", b"pass", b"pwd", b"token", b"secret", b"key", b"credential", b"auth"];

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
    if MARKERS.iter().any(|m| contains_ignore_case(secret, m)) {
        return true;
    }
    // Example values published in documentation and specifications, which manuals and the
    // test suites of client libraries copy verbatim: the catalogue in `layerleak-rules`.
    if layerleak_rules::published_example(secret).is_some() || is_credential_variable(secret) {
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
    dominated_by_one_byte(secret)
}

/// `DOCKER_PASSWORD`, `NPM_TOKEN`: an upper-case name with an underscore and a credential
/// word. (Provider tokens in upper case, such as AWS key ids, have no underscore.)
fn is_credential_variable(secret: &[u8]) -> bool {
    is_constant_name(secret) && CREDENTIAL_WORDS.iter().any(|w| contains_ignore_case(secret, w))
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
            b"2YotnFZFEjr1zCsicMWpAA",
            b"mF_9.B5f-4.1JqM",
            // From the published-example catalogue of `layerleak-rules`.
            b"sk_test_BQokikJOvBiI2HlWgH4olfQ2",
            b"kadidd!ehopper",
        ] {
            assert!(is_placeholder(p), "{}", String::from_utf8_lossy(p));
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
            b"2YotnFZFEjr1zCsicMWpAB",
        ] {
            assert!(!is_placeholder(p), "{}", String::from_utf8_lossy(p));
        }
    }
}
