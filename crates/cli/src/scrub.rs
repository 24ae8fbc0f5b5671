//! The one redaction pass of `layerleak scan`: everything it prints or writes (reports of
//! every format, the baseline, notes, the summary line, errors) goes through one
//! [`Redactor`] that knows every secret found, the credentials the user gave, and runs the
//! rules over each string it echoes (a path, a tag, an error quoting a source's bytes).
//! On a terminal, control characters are escaped too.

use std::ops::Range;
use std::sync::Arc;

use layerleak_engine::{FnSink, Match, Scanner};
use layerleak_image::registry::PASSWORD_ENV;
use layerleak_report::{Detector, Redaction, Redactor, Secret};

/// The rules as a [`Detector`]: a rule match in an echoed string is hidden even when no
/// scan found it.
#[derive(Debug)]
struct RuleDetector(Scanner);

impl Detector for RuleDetector {
    fn secrets(&self, text: &str) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        let scanned = self.0.scan_slice(
            text.as_bytes(),
            FnSink(|m: &Match<'_>| {
                if let (Ok(start), Ok(end)) =
                    (usize::try_from(m.secret_span.start), usize::try_from(m.secret_span.end))
                {
                    found.push(start..end);
                }
                true
            }),
        );
        if let Err(never) = scanned {
            match never {}
        }
        found
    }
}

/// The redactor of a run under `mode`: the rules of `scanner` as its detector, and the
/// registry password of the environment, if set, as a credential. Add the findings' secrets
/// when they are known, and a password read from stdin.
pub(crate) fn redactor(scanner: &Scanner, mode: Redaction, target: &str) -> Redactor {
    let mut credentials: Vec<Secret> = std::env::var(PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| Secret::new(p.into_bytes()))
        .into_iter()
        .collect();
    credentials.extend(userinfo_password(target).map(|p| Secret::new(p.as_bytes().to_vec())));
    Redactor::new(mode, [])
        .with_detector(Arc::new(RuleDetector(scanner.clone())))
        .with_credentials(&credentials)
}

/// The password of a `user:password@host/…` target, as people paste from a URL (not a
/// valid image reference, but echoed by the error that says so).
fn userinfo_password(target: &str) -> Option<&str> {
    let target = target.strip_prefix("registry:").unwrap_or(target);
    let (userinfo, _) = target.split_once('@')?;
    if userinfo.contains('/') {
        return None;
    }
    userinfo.split_once(':').map(|(_, password)| password).filter(|p| !p.is_empty())
}

/// `e` with everything `redactor` hides hidden, whatever its policy: an error never shows a
/// secret. A broken pipe is kept as it is, so `main` still recognises it.
pub(crate) fn error(e: anyhow::Error, redactor: &Redactor) -> anyhow::Error {
    if is_broken_pipe(&e) {
        return e;
    }
    anyhow::Error::msg(redactor.clone().with_mode(Redaction::Redact).text(&format!("{e:#}")))
}

/// Whether `e` is a write to a closed pipe (`layerleak … | head`): not an error to report.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerleak_rules::Rules;

    const GH: &str = "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";

    fn scanner() -> Scanner {
        Scanner::new(&Rules::embedded().unwrap()).unwrap()
    }

    #[test]
    fn a_rule_match_in_any_echoed_string_is_hidden_unless_shown() {
        let r = redactor(&scanner(), Redaction::Redact, "app.tar");
        let path = format!("srv/{GH}/notes.txt");
        assert_eq!(r.text(&path), "srv/ghp_…[40 bytes]/notes.txt");
        assert_eq!(r.display(&format!("{path}\x1b[2J")), r"srv/ghp_…[40 bytes]/notes.txt\x1b[2J");
        let shown = redactor(&scanner(), Redaction::Show, "app.tar");
        assert_eq!(shown.text(&path), path);
        assert_eq!(r.text("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn a_password_in_a_pasted_url_is_a_credential_even_when_shown() {
        assert_eq!(
            userinfo_password("registry:me:hunter2hunter2@host/app"),
            Some("hunter2hunter2")
        );
        assert_eq!(userinfo_password("me:pw@host/app"), Some("pw"));
        assert_eq!(userinfo_password("host:5000/app@sha256:abcd"), None);
        assert_eq!(userinfo_password("app@sha256:abcd"), None);
        assert_eq!(userinfo_password("app:1"), None);
        let target = "registry:me:hunter2hunter2@host/app";
        let r = redactor(&scanner(), Redaction::Show, target);
        let e = error(anyhow::anyhow!("invalid image reference {target:?}"), &r);
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(r.text(target).ends_with("@host/app"), "{}", r.text(target));
        assert!(!r.text(target).contains("hunter2"));
    }
}
