//! Redaction: of a secret value, and of every occurrence of known secrets in echoed text.

use crate::Secret;

/// Shows a secret's shape without its value: a short recognisable head (a known token
/// prefix such as `ghp_`, at most 4 characters and never more than a quarter of the value),
/// then `…` and the length.
///
/// # Example
///
/// ```
/// use layerleak_report::redact;
///
/// assert_eq!(redact(b"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"), "npm_…[40 bytes]");
/// assert_eq!(redact(b"hunter2hunter2"), "…[14 bytes]");
/// ```
pub fn redact(secret: &[u8]) -> String {
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

/// Replaces every occurrence of each of `secrets` in `text` with its redacted form.
///
/// Use it on every string that is echoed from the image (a history `created_by` line, an
/// `ENV` entry, a label, a snippet of context, a path): the secret found in one place may
/// appear verbatim in another. Longer secrets are replaced first, so a secret that contains
/// another is redacted whole. Secrets are matched as bytes of the UTF-8 text; empty secrets
/// are ignored.
///
/// # Example
///
/// ```
/// use layerleak_report::{Secret, redact_in};
///
/// let token = Secret::new(b"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".to_vec());
/// let line = "|1 NPM_TOKEN=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 /bin/sh -c npm ci";
/// assert_eq!(redact_in(line, [&token]), "|1 NPM_TOKEN=npm_…[40 bytes] /bin/sh -c npm ci");
/// ```
pub fn redact_in<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let mut secrets: Vec<&[u8]> =
        secrets.into_iter().map(Secret::expose).filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    redact_sorted(text, &secrets)
}

/// [`redact_in`] over secrets already sorted longest first.
fn redact_sorted(text: &str, secrets: &[&[u8]]) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    'outer: while i < bytes.len() {
        for s in secrets {
            if bytes[i..].starts_with(s) {
                out.extend_from_slice(redact(s).as_bytes());
                i += s.len();
                continue 'outer;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // A secret can end inside a multi-byte character only if it was not valid UTF-8 at
    // that point; the lossy conversion then shows U+FFFD rather than a partial value.
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether output shows secret values or hides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redaction {
    /// Replace every secret, wherever it appears, by its redacted form (the default).
    #[default]
    Redact,
    /// Show secrets in full (`--show-secrets`).
    Show,
}

/// Applies a [`Redaction`] policy with a fixed set of known secrets.
///
/// Reporters build one from every finding of the run before writing anything, so a secret
/// found in one image is also hidden where another image's output echoes it.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<Vec<u8>>,
    mode: Redaction,
}

impl Redactor {
    /// A redactor for `secrets` under `mode`.
    pub fn new<'a>(mode: Redaction, secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        let mut secrets: Vec<Vec<u8>> =
            secrets.into_iter().map(|s| s.expose().to_vec()).filter(|s| !s.is_empty()).collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor { secrets, mode }
    }

    /// The policy.
    pub fn mode(&self) -> Redaction {
        self.mode
    }

    /// `text` with every known secret redacted (unchanged under [`Redaction::Show`]).
    pub fn text(&self, text: &str) -> String {
        match self.mode {
            Redaction::Show => text.to_owned(),
            Redaction::Redact => {
                let refs: Vec<&[u8]> = self.secrets.iter().map(Vec::as_slice).collect();
                redact_sorted(text, &refs)
            }
        }
    }

    /// The secret itself: redacted, or in full under [`Redaction::Show`].
    pub fn secret(&self, secret: &Secret) -> String {
        match self.mode {
            Redaction::Show => secret.expose_lossy(),
            Redaction::Redact => secret.redacted(),
        }
    }
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

    #[test]
    fn longest_secret_wins_and_every_occurrence_goes() {
        let long = Secret::new(b"abcdSECRETxyz".to_vec());
        let short = Secret::new(b"SECRET".to_vec());
        let out = redact_in("a=abcdSECRETxyz b=SECRET c=SECRET", [&short, &long]);
        assert_eq!(out, "a=…[13 bytes] b=…[6 bytes] c=…[6 bytes]");
        let r = Redactor::new(Redaction::Redact, [&short]);
        assert_eq!(r.text("x SECRET"), "x …[6 bytes]");
        let r = Redactor::new(Redaction::Show, [&short]);
        assert_eq!(r.text("x SECRET"), "x SECRET");
    }

    #[test]
    fn non_ascii_text_survives() {
        let s = Secret::new("pässwörd".as_bytes().to_vec());
        assert_eq!(redact_in("ü=pässwörd ü", [&s]), "ü=…[10 bytes] ü");
    }
}
