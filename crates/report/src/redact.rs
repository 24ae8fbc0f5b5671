//! Redaction: of a secret value, and of every occurrence of known secrets in echoed text.

use std::fmt;

use aho_corasick::{AhoCorasick, MatchKind};
use std::ops::Range;
use std::sync::Arc;

use crate::{Secret, escape_controls};

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
    Redactor::new(Redaction::Redact, secrets).text(text)
}

/// Finds secrets in a string layerleak is about to echo, whether or not the scan found
/// them: defense in depth for strings no scan looked at (a path, a tag, an error message
/// quoting a source's bytes). The command-line tool implements it with the rule engine.
pub trait Detector: Send + Sync + fmt::Debug {
    /// The byte ranges of `text` that hold a secret, in any order; they may overlap.
    fn secrets(&self, text: &str) -> Vec<Range<usize>>;
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

/// The one redaction pass every string layerleak prints or writes goes through.
///
/// Under [`Redaction::Redact`] it hides, in any text, every known secret (each finding's
/// value: reporters build one from every finding of the run before writing anything, so a
/// secret found in one image is also hidden where another image's output echoes it), and
/// every secret its [`Detector`] finds. Credentials (a registry password) are hidden under
/// either policy: `--show-secrets` shows what the image leaks, never what the user typed.
/// [`Redactor::display`] also escapes control characters, for terminals.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Needles,
    credentials: Needles,
    detector: Option<Arc<dyn Detector>>,
    mode: Redaction,
}

impl Redactor {
    /// A redactor for `secrets` under `mode`.
    pub fn new<'a>(mode: Redaction, secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        Redactor::default().with_mode(mode).with_secrets(secrets)
    }

    /// Also hides `secrets` (under [`Redaction::Redact`]).
    #[must_use]
    pub fn with_secrets<'a>(mut self, secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        self.secrets.add(secrets);
        self
    }

    /// Always hides `credentials`, even under [`Redaction::Show`].
    #[must_use]
    pub fn with_credentials<'a>(
        mut self,
        credentials: impl IntoIterator<Item = &'a Secret>,
    ) -> Redactor {
        self.credentials.add(credentials);
        self
    }

    /// Also hides what `detector` finds in each string (under [`Redaction::Redact`]).
    #[must_use]
    pub fn with_detector(mut self, detector: Arc<dyn Detector>) -> Redactor {
        self.detector = Some(detector);
        self
    }

    /// The same redactor under `mode`.
    #[must_use]
    pub fn with_mode(mut self, mode: Redaction) -> Redactor {
        self.mode = mode;
        self
    }

    /// The policy.
    pub fn mode(&self) -> Redaction {
        self.mode
    }

    /// `text` with every credential hidden and, under [`Redaction::Redact`], every known
    /// secret and every secret the detector finds.
    pub fn text(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut hidden = self.credentials.find(bytes);
        if self.mode == Redaction::Redact {
            hidden.extend(self.secrets.find(bytes));
            if let Some(d) = &self.detector {
                hidden.extend(
                    d.secrets(text).into_iter().filter(|r| r.start < r.end && r.end <= bytes.len()),
                );
            }
        }
        if hidden.is_empty() {
            return text.to_owned();
        }
        hidden.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
        let mut i = 0;
        let mut pending: Option<Range<usize>> = None;
        for r in hidden {
            match &mut pending {
                Some(p) if r.start < p.end => p.end = p.end.max(r.end),
                _ => {
                    if let Some(p) = pending.take() {
                        out.extend_from_slice(&bytes[i..p.start]);
                        out.extend_from_slice(redact(&bytes[p.clone()]).as_bytes());
                        i = p.end;
                    }
                    pending = Some(r);
                }
            }
        }
        if let Some(p) = pending {
            out.extend_from_slice(&bytes[i..p.start]);
            out.extend_from_slice(redact(&bytes[p.clone()]).as_bytes());
            i = p.end;
        }
        out.extend_from_slice(&bytes[i..]);
        // A range can end inside a multi-byte character only if it was not valid UTF-8 at
        // that point; the lossy conversion then shows U+FFFD rather than a partial value.
        String::from_utf8_lossy(&out).into_owned()
    }

    /// [`Redactor::text`] with control characters escaped ([`escape_controls`]): for the
    /// text report and stderr.
    pub fn display(&self, text: &str) -> String {
        escape_controls(&self.text(text)).into_owned()
    }

    /// The secret itself: redacted, or in full under [`Redaction::Show`].
    pub fn secret(&self, secret: &Secret) -> String {
        match self.mode {
            Redaction::Show => secret.expose_lossy(),
            Redaction::Redact => secret.redacted(),
        }
    }
}

/// Known values to hide, found in one pass over a string whatever their number (a run
/// can have thousands of findings, each echoing several strings).
#[derive(Debug, Clone, Default)]
struct Needles {
    /// Longest first, without duplicates.
    list: Vec<Vec<u8>>,
    /// Leftmost-longest automaton over `list`; `None` when empty or when it cannot be
    /// built (then [`Needles::find`] compares each value at each position).
    automaton: Option<AhoCorasick>,
}

impl Needles {
    /// Adds the non-empty `new` values.
    fn add<'a>(&mut self, new: impl IntoIterator<Item = &'a Secret>) {
        let before = self.list.len();
        self.list.extend(new.into_iter().map(|s| s.expose().to_vec()).filter(|s| !s.is_empty()));
        if self.list.len() == before {
            return;
        }
        self.list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.list.dedup();
        self.automaton =
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&self.list).ok();
    }

    /// The ranges of `bytes` holding a value, left to right, the longest at each position.
    fn find(&self, bytes: &[u8]) -> Vec<Range<usize>> {
        if let Some(ac) = &self.automaton {
            return ac.find_iter(bytes).map(|m| m.range()).collect();
        }
        let mut found = Vec::new();
        let mut i = 0;
        'outer: while i < bytes.len() && !self.list.is_empty() {
            for s in &self.list {
                if bytes[i..].starts_with(s) {
                    found.push(i..i + s.len());
                    i += s.len();
                    continue 'outer;
                }
            }
            i += 1;
        }
        found
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

    #[derive(Debug)]
    struct Ghp;

    impl Detector for Ghp {
        fn secrets(&self, text: &str) -> Vec<Range<usize>> {
            text.match_indices("ghp_").map(|(i, _)| i..(i + 12).min(text.len())).collect()
        }
    }

    #[test]
    fn detected_known_and_credential_secrets_all_go_overlaps_merged() {
        let known = Secret::new(b"KNOWNSECRET".to_vec());
        let password = Secret::new(b"pa55word".to_vec());
        let r = Redactor::new(Redaction::Redact, [&known])
            .with_credentials([&password])
            .with_detector(Arc::new(Ghp));
        let text = "p/ghp_abcdefgh/KNOWNSECRET x:pa55word@h ghp_abKNOWNSECRET";
        assert_eq!(r.text(text), "p/…[12 bytes]/…[11 bytes] x:…[8 bytes]@h ghp_…[17 bytes]");
        // --show-secrets shows what the image leaks, never a credential.
        let shown = r.clone().with_mode(Redaction::Show);
        assert_eq!(shown.text(text), text.replace("pa55word", "…[8 bytes]"));
        assert_eq!(r.display("ghp_abcdefgh\x1b\n"), "…[12 bytes]\\x1b\\n");
    }

    #[test]
    fn non_ascii_text_survives() {
        let s = Secret::new("pässwörd".as_bytes().to_vec());
        assert_eq!(redact_in("ü=pässwörd ü", [&s]), "ü=…[10 bytes] ü");
    }
}
