//! [`JsonLinesReporter`]: one JSON object per line, streamed image by image.

use std::io::{self, Write};

use serde::Serialize;

use crate::wire::{self, Image, Issue, WireFinding, WireSummary};
use crate::{
    Finding, ImageInfo, Redaction, Redactor, Reporter, RunInfo, ScanIssue, Secret, Summary,
};

/// Writes JSON Lines: one `{"type": …, "data": …}` object per line, in this order:
///
/// 1. `begin`: `{"version", "tool", "target", "secrets_redacted", "images"}`;
/// 2. per image, as soon as the caller says it is complete
///    ([`Reporter::image_done`]): its `finding` lines (worst first, each shaped like an
///    element of the JSON report's `findings`), its `issue` lines, then an `image` line
///    (`{"name", "platform", "layers"}`);
/// 3. `summary`: `{"complete", "findings", "issues", "blobs_scanned", "bytes_scanned",
///    "suppressed_by_baseline", "suppressed_by_ignore"}`.
///
/// Findings and issues not followed by `image_done` are written before `summary`.
/// Each line is flushed as it is written, so a consumer sees an image's results while the
/// next is scanned.
///
/// # Redaction
///
/// Strings are redacted with every secret found so far in the run, which includes every
/// secret of the image being written. A secret found only in a later image is not yet
/// known when an earlier image's lines are written; the buffering reporters
/// ([`JsonReporter`](crate::JsonReporter)) do not have that limit.
///
/// # Memory usage
///
/// Buffers the findings and issues of one image, and every secret seen so far.
#[derive(Debug)]
pub struct JsonLinesReporter<W> {
    out: W,
    redactor: Redactor,
    secrets: Vec<Secret>,
    findings: Vec<Finding>,
    issues: Vec<ScanIssue>,
}

#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Line<'a> {
    Begin {
        version: u32,
        tool: wire::Tool,
        target: String,
        secrets_redacted: bool,
        images: Vec<Image>,
    },
    Finding(WireFinding<'a>),
    Issue(Issue),
    Image(Image),
    Summary {
        complete: bool,
        #[serde(flatten)]
        counts: WireSummary,
    },
}

impl<W: Write> JsonLinesReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, redaction: Redaction) -> JsonLinesReporter<W> {
        JsonLinesReporter {
            out,
            redactor: Redactor::new(redaction, []),
            secrets: Vec::new(),
            findings: Vec::new(),
            issues: Vec::new(),
        }
    }

    /// Redacts with `redactor` (its policy, detector and credentials) and every secret of
    /// the run seen so far.
    #[must_use]
    pub fn with_redactor(mut self, redactor: Redactor) -> JsonLinesReporter<W> {
        self.redactor = redactor;
        self
    }

    fn line(&mut self, line: &Line<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, line)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    /// Writes the pending findings and issues.
    fn flush_pending(&mut self) -> io::Result<()> {
        let mut findings = std::mem::take(&mut self.findings);
        findings.sort_by_cached_key(Finding::severity_key);
        self.secrets.extend(findings.iter().map(|f| f.secret.clone()));
        let r = self.redactor();
        for f in &findings {
            self.line(&Line::Finding(WireFinding::new(f, &r)))?;
        }
        for i in std::mem::take(&mut self.issues) {
            self.line(&Line::Issue(Issue::new(&i, &r)))?;
        }
        Ok(())
    }

    fn redactor(&self) -> Redactor {
        self.redactor.clone().with_secrets(&self.secrets)
    }
}

impl<W: Write> Reporter for JsonLinesReporter<W> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        let r = self.redactor();
        self.line(&Line::Begin {
            version: crate::JSON_VERSION,
            tool: wire::Tool::current(),
            target: r.text(&run.target),
            secrets_redacted: self.redactor.mode() == Redaction::Redact,
            images: run.images.iter().map(|i| Image::new(i, &r)).collect(),
        })
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.findings.push(finding.clone());
        Ok(())
    }

    fn issue(&mut self, issue: &ScanIssue) -> io::Result<()> {
        self.issues.push(issue.clone());
        Ok(())
    }

    fn image_done(&mut self, image: &ImageInfo) -> io::Result<()> {
        self.flush_pending()?;
        let r = self.redactor();
        self.line(&Line::Image(Image::new(image, &r)))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.flush_pending()?;
        self.line(&Line::Summary { complete: summary.complete, counts: WireSummary::new(summary) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigField, ConfigLocation, Fingerprint, Location, Origin};
    use layerleak_rules::Confidence;

    fn finding(image: &str, secret: &str, context: &str) -> Finding {
        Finding {
            rule_id: "layerleak.env.1".into(),
            rule_name: "x".into(),
            confidence: Confidence::Medium,
            checksum: None,
            secret: Secret::new(secret.as_bytes().to_vec()),
            fingerprint: Fingerprint::new("s", secret.as_bytes()),
            locations: vec![Location::Config(ConfigLocation {
                image: image.into(),
                platform: None,
                field: ConfigField::Env,
                key: None,
                history_index: None,
                offset: 0,
                context: context.into(),
                origin: Origin::Image,
            })],
        }
    }

    fn types(out: &[u8]) -> Vec<String> {
        std::str::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].to_string())
            .collect()
    }

    #[test]
    fn writes_each_image_when_done_and_redacts_earlier_secrets_later() {
        let mut out = Vec::new();
        let mut r = JsonLinesReporter::new(&mut out, Redaction::Redact);
        r.begin(&RunInfo::default()).unwrap();
        r.finding(&finding("a", "s3cr3t-one-1234", "K=s3cr3t-one-1234")).unwrap();
        r.image_done(&ImageInfo { name: "a".into(), platform: None, layers: 1 }).unwrap();
        let after_a = types(r.out).len();
        // Image b echoes image a's secret in another finding's context.
        r.finding(&finding("b", "other-s3cr3t-99", "K=other-s3cr3t-99 s3cr3t-one-1234")).unwrap();
        r.finish(&Summary { complete: true, findings: 2, ..Summary::default() }).unwrap();
        assert_eq!(after_a, 3, "begin, finding, image are out before image b is given");
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            types(text.as_bytes()),
            ["\"begin\"", "\"finding\"", "\"image\"", "\"finding\"", "\"summary\""]
        );
        assert!(!text.contains("s3cr3t-one-1234") && !text.contains("other-s3cr3t-99"), "{text}");
    }
}
