//! Redaction of secret values for display.

/// Shows a secret's shape without its value: a short recognisable head (a known token
/// prefix such as `ghp_`, at most 4 characters and never more than a quarter of the value),
/// then `…` and the length.
pub(crate) fn redact(secret: &[u8]) -> String {
    let head_len = prefix_len(secret);
    let head_len = if head_len <= 4 && head_len <= secret.len() / 4 { head_len } else { 0 };
    let head = String::from_utf8_lossy(&secret[..head_len]);
    format!("{head}…[{} bytes]", secret.len())
}

/// Length of a leading `word_`/`word-` token prefix, or 0.
fn prefix_len(secret: &[u8]) -> usize {
    secret
        .iter()
        .take(12)
        .position(|&b| b == b'_' || b == b'-')
        .filter(|&i| secret[..i].iter().all(u8::is_ascii_alphabetic))
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_a_known_prefix() {
        assert_eq!(redact(b"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"), "ghp_…[40 bytes]");
        assert_eq!(redact(b"hunter2hunter2"), "…[14 bytes]");
        assert_eq!(redact(b"ab_c"), "…[4 bytes]");
    }
}
