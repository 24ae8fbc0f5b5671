//! [`Gate`]: which findings fail a CI job, and the exit code.

use layerleak_rules::Confidence;

use crate::{Baseline, Finding, IgnoreFile};

/// The policy of a CI gate: the confidence threshold, a [`Baseline`] and an
/// [`IgnoreFile`].
///
/// Exit codes, as [`Gated::exit_code`] gives them:
///
/// | code | meaning |
/// |---|---|
/// | 0 | the scan is complete and no finding is at or above the threshold |
/// | 1 | the scan is complete and at least one finding is at or above the threshold |
/// | 2 | the scan is incomplete (something could not be read), whatever was found |
///
/// Findings below the threshold are still reported; suppressed findings (baseline,
/// ignore file) are not reported, only counted. Public findings (see
/// [`Finding::public_reason`]: a verified package file, a published example, a token whose
/// built-in checksum fails) are reported but fail the gate only with
/// [`Gate::gate_public`].
///
/// # Example
///
/// ```
/// use layerleak_report::Gate;
/// use layerleak_rules::Confidence;
///
/// let gate = Gate { fail_on: Confidence::High, ..Gate::default() };
/// let gated = gate.apply(Vec::new());
/// assert_eq!(gated.exit_code(true), 0);
/// assert_eq!(gated.exit_code(false), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Gate {
    /// Findings at or above this confidence fail the gate ([`Confidence::Low`], the
    /// default, fails on every finding).
    pub fail_on: Confidence,
    /// Known findings, suppressed by fingerprint.
    pub baseline: Option<Baseline>,
    /// Accepted findings, suppressed by rule, path or fingerprint.
    pub ignore: Option<IgnoreFile>,
    /// Whether public findings fail the gate too (off by default).
    pub gate_public: bool,
}

impl Gate {
    /// A gate failing on every finding, with nothing suppressed.
    pub fn new() -> Gate {
        Gate { fail_on: Confidence::Low, baseline: None, ignore: None, gate_public: false }
    }

    /// Splits `findings` into those reported and counts of those suppressed (the baseline
    /// is checked first, then the ignore file).
    pub fn apply(&self, findings: Vec<Finding>) -> Gated {
        let mut out =
            Gated { fail_on: self.fail_on, gate_public: self.gate_public, ..Gated::default() };
        for f in findings {
            if self.baseline.as_ref().is_some_and(|b| b.contains(f.fingerprint.as_str())) {
                out.suppressed_by_baseline += 1;
                out.suppressed.push((f, "in the baseline".to_owned()));
            } else if let Some(e) = self.ignore.as_ref().and_then(|i| i.matching(&f)) {
                out.suppressed_by_ignore += 1;
                let why = match &e.reason {
                    Some(r) => format!("ignore entry at line {}: {r}", e.line),
                    None => format!("ignore entry at line {}", e.line),
                };
                out.suppressed.push((f, why));
            } else {
                out.findings.push(f);
            }
        }
        out
    }
}

impl Default for Gate {
    fn default() -> Gate {
        Gate::new()
    }
}

/// Findings after a [`Gate`]: those to report, and how many were suppressed.
#[derive(Debug, Clone, Default)]
pub struct Gated {
    /// The findings to report.
    pub findings: Vec<Finding>,
    /// Findings the baseline suppressed.
    pub suppressed_by_baseline: usize,
    /// Findings the ignore file suppressed.
    pub suppressed_by_ignore: usize,
    /// Every suppressed finding, with why (for a verbose listing; never reported).
    pub suppressed: Vec<(Finding, String)>,
    /// The threshold they were gated with.
    pub fail_on: Confidence,
    /// Whether public findings fail the gate too.
    pub gate_public: bool,
}

impl Gated {
    /// Whether `f` can fail the gate: not public (see [`Finding::public_reason`]) unless
    /// public findings gate too.
    pub fn gates(&self, f: &Finding) -> bool {
        self.gate_public || f.public_reason().is_none()
    }

    /// The reported findings at or above the threshold that can fail the gate.
    pub fn failing(&self) -> usize {
        self.findings.iter().filter(|f| f.confidence >= self.fail_on && self.gates(f)).count()
    }

    /// The reported findings that are public (see [`Finding::public_reason`]).
    pub fn public(&self) -> usize {
        self.findings.iter().filter(|f| f.public_reason().is_some()).count()
    }

    /// The exit code: 2 when the scan is not `complete` (whatever was found), else 1 when
    /// a finding is at or above the threshold, else 0.
    pub fn exit_code(&self, complete: bool) -> u8 {
        if !complete {
            2
        } else if self.failing() > 0 {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Checksum, Date, Fingerprint, LayerLocation, Location, Origin, Secret, Status};

    fn finding(secret: &[u8], confidence: Confidence) -> Finding {
        Finding {
            rule_id: "r.1".into(),
            rule_name: "x".into(),
            confidence,
            checksum: None,
            secret: Secret::new(secret.to_vec()),
            fingerprint: Fingerprint::new("s", secret),
            locations: Vec::new(),
        }
    }

    #[test]
    fn threshold_baseline_and_ignore() {
        let low = finding(b"low", Confidence::Low);
        let high = finding(b"high", Confidence::High);
        let known = finding(b"known", Confidence::High);
        let ignored = finding(b"ignored", Confidence::High);
        let text = format!("[[ignore]]\nfingerprint = \"{}\"\n", ignored.fingerprint);
        let gate = Gate {
            fail_on: Confidence::High,
            baseline: Some(Baseline::from_findings([&known])),
            ignore: Some(IgnoreFile::parse(&text, Date::new(2026, 1, 1)).unwrap()),
            gate_public: false,
        };
        let gated = gate.apply(vec![low.clone(), high, known, ignored]);
        assert_eq!(gated.findings.len(), 2);
        assert_eq!((gated.suppressed_by_baseline, gated.suppressed_by_ignore), (1, 1));
        assert_eq!(gated.failing(), 1);
        assert_eq!(gated.exit_code(true), 1);
        assert_eq!(gated.exit_code(false), 2);
        let only_low = gate.apply(vec![low]);
        assert_eq!((only_low.failing(), only_low.exit_code(true)), (0, 0));
        assert_eq!(Gate::new().apply(only_low.findings).exit_code(true), 1);
    }

    fn in_file(mut f: Finding, origin: Origin) -> Finding {
        f.locations.push(Location::Layer(LayerLocation {
            image: "i".into(),
            platform: None,
            layer: 0,
            blob_digest: "sha256:0".into(),
            diff_id: None,
            created_by: None,
            path: "usr/lib/x".into(),
            offset: 0,
            text_encoding: None,
            status: Status::PresentInFinal,
            origin,
        }));
        f
    }

    #[test]
    fn public_findings_are_reported_but_gate_only_when_asked() {
        let package = Origin::Package {
            manager: "dpkg".into(),
            package: "libgnutls30".into(),
            version: "3.7.9".into(),
        };
        let example = Origin::Example { source: "https://example.org/docs".into() };
        let pkg = in_file(finding(b"pkg", Confidence::High), package.clone());
        let ex = in_file(finding(b"ex", Confidence::High), example);
        let mut bad_sum = finding(b"crc", Confidence::Low);
        bad_sum.checksum = Some(Checksum::Failed);
        // A value a verified package file holds is public wherever else it is copied; a
        // vendored one only if every copy is vendored.
        let both =
            in_file(in_file(finding(b"both", Confidence::High), package.clone()), Origin::Image);
        assert_eq!(both.origin(), &package);
        let vendored = Origin::Vendored {
            manager: "npm".into(),
            package: "aws-sdk".into(),
            version: "2.1".into(),
        };
        let copied =
            in_file(in_file(finding(b"copied", Confidence::Low), vendored.clone()), Origin::Image);
        assert_eq!(copied.origin(), &Origin::Image);
        assert!(copied.public_reason().is_none());
        let npm = in_file(finding(b"npm", Confidence::Low), vendored.clone());
        assert_eq!(npm.origin(), &vendored);
        assert!(npm.public_reason().is_none(), "vendored is a label, not evidence: it gates");

        let gated = Gate::new().apply(vec![pkg.clone(), ex.clone(), bad_sum.clone()]);
        assert_eq!(gated.findings.len(), 3, "public findings are still reported");
        assert_eq!((gated.failing(), gated.public(), gated.exit_code(true)), (0, 3, 0));
        assert!(pkg.public_reason().unwrap().contains("libgnutls30 3.7.9"));
        assert!(bad_sum.public_reason().unwrap().contains("checksum"));

        let strict = Gate { gate_public: true, ..Gate::new() };
        let gated = strict.apply(vec![pkg, ex, bad_sum, both, copied, npm]);
        assert_eq!((gated.failing(), gated.exit_code(true)), (6, 1));
    }
}
