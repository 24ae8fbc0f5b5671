//! The JSON wire format, kept apart from the internal model so that it changes only on
//! purpose (bump [`JSON_VERSION`](crate::JSON_VERSION) when it does; adding a field keeps
//! the version, since readers of the older shape still understand the document).
//!
//! Every string echoed from the image goes through the [`Redactor`] on the way in.

use serde::Serialize;

use crate::{
    Checksum, ConfigLocation, FileLocation, Finding, ImageInfo, LayerLocation, Location, Origin,
    Redaction, Redactor, RunInfo, ScanIssue, Status, Summary,
};

#[derive(Serialize)]
pub(crate) struct Document<'a> {
    pub(crate) version: u32,
    pub(crate) tool: Tool,
    pub(crate) target: String,
    pub(crate) complete: bool,
    pub(crate) secrets_redacted: bool,
    pub(crate) images: Vec<Image>,
    pub(crate) findings: Vec<WireFinding<'a>>,
    pub(crate) issues: Vec<Issue>,
    pub(crate) summary: WireSummary,
}

#[derive(Serialize)]
pub(crate) struct Tool {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
}

impl Tool {
    /// This build of layerleak.
    pub(crate) fn current() -> Tool {
        Tool { name: "layerleak", version: env!("CARGO_PKG_VERSION") }
    }
}

#[derive(Serialize)]
pub(crate) struct Image {
    name: String,
    platform: Option<String>,
    layers: usize,
}

impl Image {
    pub(crate) fn new(i: &ImageInfo, r: &Redactor) -> Image {
        Image {
            name: r.text(&i.name),
            platform: i.platform.as_deref().map(|p| r.text(p)),
            layers: i.layers,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct WireFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'static str>,
    secret: String,
    fingerprint: &'a str,
    hidden_in_history: bool,
    origin: WireOrigin,
    /// Why the finding does not fail the gate by default (public origin, failed
    /// checksum); absent for the image owner's secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    public_reason: Option<String>,
    locations: Vec<WireLocation>,
}

impl<'a> WireFinding<'a> {
    pub(crate) fn new(f: &'a Finding, r: &Redactor) -> WireFinding<'a> {
        WireFinding {
            rule_id: &f.rule_id,
            rule_name: &f.rule_name,
            confidence: f.confidence.as_str(),
            checksum: f.checksum.map(Checksum::as_str),
            secret: r.secret(&f.secret),
            fingerprint: f.fingerprint.as_str(),
            hidden_in_history: f.is_hidden_in_history(),
            origin: WireOrigin::new(f.origin(), r),
            public_reason: f.public_reason().map(|p| r.text(&p)),
            locations: f.locations.iter().map(|l| WireLocation::new(l, r)).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum WireLocation {
    Layer {
        image: String,
        platform: Option<String>,
        layer: usize,
        blob_digest: String,
        diff_id: Option<String>,
        created_by: Option<String>,
        path: String,
        offset: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        text_encoding: Option<String>,
        status: WireStatus,
        origin: WireOrigin,
    },
    Config {
        image: String,
        platform: Option<String>,
        field: &'static str,
        key: Option<String>,
        history_index: Option<usize>,
        offset: u64,
        context: String,
        origin: WireOrigin,
    },
    /// A file of a tree on disk (`scan-fs`): no image, layer or status.
    File {
        tree: String,
        path: String,
        offset: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        text_encoding: Option<String>,
        origin: WireOrigin,
    },
}

impl WireLocation {
    fn new(l: &Location, r: &Redactor) -> WireLocation {
        match l {
            Location::Layer(LayerLocation {
                image,
                platform,
                layer,
                blob_digest,
                diff_id,
                created_by,
                path,
                offset,
                text_encoding,
                status,
                origin,
            }) => WireLocation::Layer {
                image: r.text(image),
                platform: platform.as_deref().map(|p| r.text(p)),
                layer: *layer,
                blob_digest: r.text(blob_digest),
                diff_id: diff_id.as_deref().map(|d| r.text(d)),
                created_by: created_by.as_deref().map(|c| r.text(c)),
                path: r.text(path),
                offset: *offset,
                text_encoding: text_encoding.clone(),
                status: WireStatus::new(*status),
                origin: WireOrigin::new(origin, r),
            },
            Location::Config(ConfigLocation {
                image,
                platform,
                field,
                key,
                history_index,
                offset,
                context,
                origin,
            }) => WireLocation::Config {
                image: r.text(image),
                platform: platform.as_deref().map(|p| r.text(p)),
                field: field.as_str(),
                key: key.as_deref().map(|k| r.text(k)),
                history_index: *history_index,
                offset: *offset,
                context: r.text(context),
                origin: WireOrigin::new(origin, r),
            },
            Location::File(FileLocation { tree, path, offset, text_encoding, origin }) => {
                WireLocation::File {
                    tree: r.text(tree),
                    path: r.text(path),
                    offset: *offset,
                    text_encoding: text_encoding.clone(),
                    origin: WireOrigin::new(origin, r),
                }
            }
        }
    }
}

/// `{"kind": "image"}`, `{"kind": "package", "manager", "package", "version"}` or
/// `{"kind": "example", "source"}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum WireOrigin {
    Image,
    Package { manager: String, package: String, version: String },
    Vendored { manager: String, package: String, version: String },
    Example { source: String },
}

impl WireOrigin {
    fn new(o: &Origin, r: &Redactor) -> WireOrigin {
        match o {
            Origin::Image => WireOrigin::Image,
            Origin::Package { manager, package, version } => WireOrigin::Package {
                manager: manager.clone(),
                package: r.text(package),
                version: r.text(version),
            },
            Origin::Vendored { manager, package, version } => WireOrigin::Vendored {
                manager: manager.clone(),
                package: r.text(package),
                version: r.text(version),
            },
            Origin::Example { source } => WireOrigin::Example { source: source.clone() },
        }
    }
}

#[derive(Serialize)]
pub(crate) struct WireStatus {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_layer: Option<usize>,
}

impl WireStatus {
    fn new(s: Status) -> WireStatus {
        match s {
            Status::PresentInFinal => WireStatus { state: "present_in_final", by_layer: None },
            Status::Deleted { by_layer } => {
                WireStatus { state: "deleted", by_layer: Some(by_layer) }
            }
            Status::Overwritten { by_layer } => {
                WireStatus { state: "overwritten", by_layer: Some(by_layer) }
            }
        }
    }
}

#[derive(Serialize)]
pub(crate) struct Issue {
    severity: &'static str,
    image: String,
    platform: Option<String>,
    layer: Option<usize>,
    blob_digest: Option<String>,
    path: Option<String>,
    reason: String,
}

impl Issue {
    pub(crate) fn new(i: &ScanIssue, r: &Redactor) -> Issue {
        Issue {
            severity: i.severity.as_str(),
            image: r.text(&i.image),
            platform: i.platform.as_deref().map(|p| r.text(p)),
            layer: i.layer,
            blob_digest: i.blob_digest.as_deref().map(|d| r.text(d)),
            path: i.path.as_deref().map(|p| r.text(p)),
            reason: r.text(&i.reason),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct WireSummary {
    findings: usize,
    issues: usize,
    notices: usize,
    blobs_scanned: usize,
    bytes_scanned: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    files_scanned: Option<usize>,
    suppressed_by_baseline: usize,
    suppressed_by_ignore: usize,
    public: usize,
}

impl WireSummary {
    pub(crate) fn new(s: &Summary) -> WireSummary {
        WireSummary {
            findings: s.findings,
            issues: s.issues,
            notices: s.notices,
            blobs_scanned: s.blobs_scanned,
            bytes_scanned: s.bytes_scanned,
            files_scanned: s.files_scanned,
            suppressed_by_baseline: s.suppressed_by_baseline,
            suppressed_by_ignore: s.suppressed_by_ignore,
            public: s.public,
        }
    }
}

pub(crate) fn document<'a>(
    run: &RunInfo,
    findings: &'a [Finding],
    issues: &[ScanIssue],
    summary: &Summary,
    r: &Redactor,
) -> Document<'a> {
    Document {
        version: crate::JSON_VERSION,
        tool: Tool::current(),
        target: r.text(&run.target),
        complete: summary.complete,
        secrets_redacted: r.mode() == Redaction::Redact,
        images: run.images.iter().map(|i| Image::new(i, r)).collect(),
        findings: findings.iter().map(|f| WireFinding::new(f, r)).collect(),
        issues: issues.iter().map(|i| Issue::new(i, r)).collect(),
        summary: WireSummary::new(summary),
    }
}
