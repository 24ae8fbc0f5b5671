//! The finding model of layerleak and the reporters that write it.
//!
//! # Brief overview
//!
//! - A [`Finding`] is one distinct secret value in one image: the rule that names it, its
//!   confidence, the [`Secret`] (whose `Debug` and `Display` redact it), a stable
//!   [`Fingerprint`], and every [`Location`]: a file in a layer ([`LayerLocation`], with its
//!   [`Status`] in the final image), a field of the image config ([`ConfigLocation`]), or
//!   a file of a tree on disk scanned by `scan-fs` ([`FileLocation`]).
//! - A [`ScanIssue`] is something that could not be fully scanned ([`Severity::Incomplete`]:
//!   the scan is incomplete) or an oddity worth a notice ([`Severity::Notice`]: the scan
//!   stays complete).
//! - A [`Reporter`] receives a run: [`TextReporter`] for people (worst first, with what to
//!   do), [`JsonReporter`] for machines (one document, versioned by [`JSON_VERSION`]; its
//!   JSON Schema is `schema/report-v1.schema.json`), [`JsonLinesReporter`] for streams
//!   (one typed object per line, image by image; `schema/jsonl-v1.schema.json`) and
//!   [`SarifReporter`] for code-scanning dashboards (SARIF 2.1.0, rules described by
//!   [`RuleDoc`]s).
//! - The CI gate: a [`Gate`] suppresses findings a [`Baseline`] (by fingerprint) or an
//!   [`IgnoreFile`] (`.layerleakignore`: by rule, path glob or fingerprint, until a
//!   [`Date`]) accepts, and decides the exit code from a confidence threshold.
//! - Redaction: [`redact()`] hides one value, [`redact_in`] hides every occurrence of known
//!   secrets inside an echoed string (a `created_by` line, an `ENV` entry), and a
//!   [`Redactor`] applies a [`Redaction`] policy to everything a reporter writes: every
//!   known secret, every credential, and whatever its [`Detector`] finds in an echoed
//!   string. [`escape_controls`] makes text from an image safe to print on a terminal.
//!
//! This crate knows nothing about image sources or tar: the scan pipeline builds findings.
//!
//! # Example
//!
//! ```
//! use layerleak_report::*;
//! use layerleak_rules::Confidence;
//!
//! let secret = Secret::new(b"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".to_vec());
//! let finding = Finding {
//!     rule_id: "layerleak.npm.1".into(),
//!     rule_name: "npm Access Token".into(),
//!     confidence: Confidence::High,
//!     checksum: None,
//!     fingerprint: Fingerprint::new("structural-id", secret.expose()),
//!     locations: vec![Location::Config(ConfigLocation {
//!         image: "app:1".into(),
//!         platform: Some("linux/amd64".into()),
//!         field: ConfigField::BuildArg,
//!         key: Some("NPM_TOKEN".into()),
//!         history_index: Some(3),
//!         offset: 13,
//!         context: "|1 NPM_TOKEN=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 /bin/sh -c npm ci".into(),
//!         origin: Origin::Image,
//!     })],
//!     secret,
//! };
//! let mut out = Vec::new();
//! let mut reporter = TextReporter::new(&mut out, Redaction::Redact);
//! reporter.begin(&RunInfo::default())?;
//! reporter.finding(&finding)?;
//! reporter.finish(&Summary { complete: true, findings: 1, ..Summary::default() })?;
//! let text = String::from_utf8(out)?;
//! assert!(text.contains("|1 NPM_TOKEN=npm_…[40 bytes] /bin/sh -c npm ci"));
//! assert!(!text.contains("mgEQuvap9J4juPV38tvsx5uFzZAzYC4fGAop"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod baseline;
mod checksum;
mod collected;
mod date;
mod escape;
mod finding;
mod fingerprint;
mod gate;
mod ignore;
mod issue;
mod json;
mod jsonl;
mod location;
mod origin;
mod redact;
mod reporter;
mod rule_doc;
mod run;
mod sarif;
mod secret;
mod text;
mod wire;

pub use baseline::{BASELINE_VERSION, Baseline, BaselineError};
pub use date::Date;
pub use escape::escape_controls;
pub use gate::{Gate, Gated};
pub use ignore::{IgnoreEntry, IgnoreError, IgnoreFile};
pub use jsonl::JsonLinesReporter;
pub use rule_doc::RuleDoc;
pub use sarif::{SARIF_FINGERPRINT_KEY, SarifReporter};

pub use checksum::Checksum;
pub use finding::Finding;
pub use fingerprint::Fingerprint;
pub use issue::{ScanIssue, Severity};
pub use json::{JSON_VERSION, JsonReporter};
pub use location::{ConfigField, ConfigLocation, FileLocation, LayerLocation, Location, Status};
pub use origin::Origin;
pub use redact::{Detector, Redaction, Redactor, redact, redact_in};
pub use reporter::Reporter;
pub use run::{ImageInfo, RunInfo, Summary};
pub use secret::Secret;
pub use text::TextReporter;
