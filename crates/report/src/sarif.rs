//! [`SarifReporter`]: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use layerleak_rules::Confidence;
use serde_json::{Value, json};

use crate::collected::{Collected, Finished};
use crate::{
    Checksum, ConfigLocation, FileLocation, Finding, LayerLocation, Location, Redaction, Redactor,
    Reporter, RuleDoc, RunInfo, ScanIssue, Summary,
};

/// The key of layerleak's fingerprint in a result's `partialFingerprints`.
pub const SARIF_FINGERPRINT_KEY: &str = "layerleak/v1";

/// Writes one SARIF 2.1.0 log in [`Reporter::finish`], shaped for GitHub code scanning:
///
/// - `tool.driver.rules`: every rule with a result, with its name, description,
///   references (`help`, `helpUri`), default level and `properties.confidence`
///   (`precision` too, as GitHub reads it);
/// - one `result` per finding: `ruleId`, `level` from the confidence (high → `error`,
///   medium → `warning`, low → `note`), a redacted `message`, the finding's
///   [`Fingerprint`](crate::Fingerprint) under `partialFingerprints` (key
///   [`SARIF_FINGERPRINT_KEY`]), and one `location` per place found;
/// - a layer location: `physicalLocation.artifactLocation.uri` is the path in the layer
///   (nested members after `!/`), with the byte `region` of the secret; `logicalLocations`
///   name the image and the layer; `properties` hold the layer's index, blob digest,
///   `diff_id`, `created_by` and the file's status in the final image;
/// - a config location (`ENV`, `LABEL`, build argument, history): a logical location
///   naming the field, and a physical location at the build recipe it came from (see
///   [`SarifReporter::with_config_uri`], `Dockerfile` by default), because GitHub rejects
///   results without one;
/// - a file location (`scan-fs`): `physicalLocation.artifactLocation.uri` is the file's
///   path as walked (relative when the scanned path was, a `file:///` URI when it was
///   absolute), with the byte `region` of the secret; `properties` hold the path, offset
///   and origin;
/// - `invocations[0].executionSuccessful` is `false` when the scan is incomplete, with one
///   `toolExecutionNotifications` entry per issue.
///
/// # Memory usage
///
/// Buffers every finding and issue of the run.
#[derive(Debug)]
pub struct SarifReporter<W> {
    out: W,
    redactor: Redactor,
    rules: BTreeMap<String, RuleDoc>,
    config_uri: String,
    collected: Collected,
}

impl<W: Write> SarifReporter<W> {
    /// A reporter writing to `out`, describing rules from `rules` (a finding whose rule is
    /// not among them is described by its name alone).
    pub fn new(
        out: W,
        redaction: Redaction,
        rules: impl IntoIterator<Item = RuleDoc>,
    ) -> SarifReporter<W> {
        SarifReporter {
            out,
            redactor: Redactor::new(redaction, []),
            rules: rules.into_iter().map(|r| (r.id.clone(), r)).collect(),
            config_uri: "Dockerfile".to_owned(),
            collected: Collected::default(),
        }
    }

    /// Redacts with `redactor` (its policy, detector and credentials) and every secret of
    /// the run.
    #[must_use]
    pub fn with_redactor(mut self, redactor: Redactor) -> SarifReporter<W> {
        self.redactor = redactor;
        self
    }

    /// Sets the URI config findings point to (the build recipe in the repository, relative
    /// to its root).
    #[must_use]
    pub fn with_config_uri(mut self, uri: impl Into<String>) -> SarifReporter<W> {
        self.config_uri = uri.into();
        self
    }

    fn rule_json(&self, id: &str, f: &Finding) -> Value {
        let fallback;
        let doc = match self.rules.get(id) {
            Some(d) => d,
            None => {
                fallback = RuleDoc {
                    id: id.to_owned(),
                    name: f.rule_name.clone(),
                    description: None,
                    references: Vec::new(),
                    confidence: f.confidence,
                };
                &fallback
            }
        };
        let full = doc.description.clone().unwrap_or_else(|| format!("{}.", doc.name));
        let mut help_text = full.clone();
        let mut help_md = full.clone();
        if !doc.references.is_empty() {
            help_text.push_str("\n\nReferences:");
            help_md.push_str("\n\nReferences:\n");
            for r in &doc.references {
                let _ = write!(help_text, "\n- {r}");
                let _ = writeln!(help_md, "- <{r}>");
            }
        }
        let mut rule = json!({
            "id": doc.id,
            "name": doc.name,
            "shortDescription": { "text": doc.name },
            "fullDescription": { "text": full },
            "help": { "text": help_text, "markdown": help_md },
            "defaultConfiguration": { "level": level(doc.confidence) },
            "properties": {
                "confidence": doc.confidence.as_str(),
                "precision": precision(doc.confidence),
                "tags": ["security", "secret"],
            },
        });
        if let Some(uri) = doc.references.first() {
            rule["helpUri"] = json!(uri);
        }
        rule
    }

    fn result_json(&self, f: &Finding, rule_index: usize, r: &Redactor) -> Value {
        let first = f.locations.first().map(|l| describe(l, r)).unwrap_or_default();
        let more = match f.locations.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more location{})", n - 1, if n == 2 { "" } else { "s" }),
        };
        let hidden = if f.is_hidden_in_history() {
            " It survives in the image history even where it looks removed."
        } else {
            ""
        };
        let mut fingerprints = serde_json::Map::new();
        fingerprints.insert(SARIF_FINGERPRINT_KEY.to_owned(), json!(f.fingerprint.as_str()));
        let mut properties = json!({
            "confidence": f.confidence.as_str(),
            "secret": r.secret(&f.secret),
            "hiddenInHistory": f.is_hidden_in_history(),
        });
        if let Some(c) = f.checksum {
            properties["checksum"] = json!(c.as_str());
        }
        properties["origin"] = json!(f.origin().kind());
        if let crate::Origin::Package { manager, package, version }
        | crate::Origin::Vendored { manager, package, version } = f.origin()
        {
            properties["package"] =
                json!({ "manager": manager, "name": r.text(package), "version": r.text(version) });
        }
        let checksum = match f.checksum {
            Some(Checksum::Failed) => " Its built-in checksum is wrong, hence the low confidence.",
            Some(Checksum::Verified) => " Its built-in checksum verifies.",
            None => "",
        };
        let mut result = json!({
            "ruleId": f.rule_id,
            "ruleIndex": rule_index,
            "level": level(f.confidence),
            "message": {
                "text": format!("{} {} found in {first}{more}.{hidden}{checksum}", f.rule_name, r.secret(&f.secret)),
            },
            "partialFingerprints": fingerprints,
            "locations": f.locations.iter().map(|l| self.location_json(l, f, r)).collect::<Vec<_>>(),
            "properties": properties,
        });
        // Public findings (a verified package file, a published example, a failed
        // checksum) do not gate: dashboards show them as suppressed, with why.
        if let Some(why) = f.public_reason() {
            result["suppressions"] = json!([{ "kind": "external", "justification": r.text(&why) }]);
        }
        result
    }

    fn location_json(&self, l: &Location, f: &Finding, r: &Redactor) -> Value {
        let image = r.text(l.image());
        let image_fqn = match l.platform() {
            Some(p) => format!("{image}@{}", r.text(p)),
            None => image.clone(),
        };
        let image_logical =
            json!({ "name": image, "fullyQualifiedName": image_fqn, "kind": "image" });
        match l {
            Location::Layer(LayerLocation {
                layer,
                blob_digest,
                diff_id,
                created_by,
                path,
                offset,
                text_encoding,
                status,
                ..
            }) => {
                let mut physical = json!({ "artifactLocation": { "uri": uri_of(&r.text(path)) } });
                // Offsets in a transcoded UTF-16 file count bytes of its UTF-8 view, not of
                // the file: no byte region then.
                if text_encoding.is_none() {
                    physical["region"] =
                        json!({ "byteOffset": offset, "byteLength": f.secret.len() });
                }
                json!({
                    "physicalLocation": physical,
                    "logicalLocations": [
                        image_logical,
                        {
                            "name": format!("layer {layer}"),
                            "fullyQualifiedName": format!("{image_fqn}/layer/{layer}"),
                            "kind": "layer",
                        },
                    ],
                    "message": { "text": describe(l, r) },
                    "properties": {
                        "layer": layer,
                        "blobDigest": r.text(blob_digest),
                        "diffId": diff_id.as_deref().map(|d| r.text(d)),
                        "createdBy": created_by.as_deref().map(|c| r.text(c)),
                        "path": r.text(path),
                        "offset": offset,
                        "textEncoding": text_encoding,
                        "status": status.to_string(),
                        "origin": r.text(&l.origin().to_string()),
                    },
                })
            }
            Location::File(FileLocation { path, offset, text_encoding, .. }) => {
                let path = r.text(path);
                let uri = if path.starts_with('/') {
                    format!("file:///{}", uri_of(&path))
                } else {
                    uri_of(&path)
                };
                let mut physical = json!({ "artifactLocation": { "uri": uri } });
                if text_encoding.is_none() {
                    physical["region"] =
                        json!({ "byteOffset": offset, "byteLength": f.secret.len() });
                }
                json!({
                    "physicalLocation": physical,
                    "message": { "text": describe(l, r) },
                    "properties": {
                        "path": path,
                        "offset": offset,
                        "textEncoding": text_encoding,
                        "origin": r.text(&l.origin().to_string()),
                    },
                })
            }
            Location::Config(ConfigLocation { field, key, history_index, offset, .. }) => {
                let key = key.as_deref().map(|k| r.text(k));
                let name = match &key {
                    Some(k) => format!("{field} {k}"),
                    None => field.to_string(),
                };
                json!({
                    "physicalLocation": { "artifactLocation": { "uri": self.config_uri } },
                    "logicalLocations": [
                        image_logical,
                        {
                            "name": name,
                            "fullyQualifiedName": format!("{image_fqn}/config/{}", name.replace(' ', "/")),
                            "kind": "config",
                        },
                    ],
                    "message": { "text": describe(l, r) },
                    "properties": {
                        "field": field.as_str(),
                        "key": key,
                        "historyIndex": history_index,
                        "offset": offset,
                        "origin": r.text(&l.origin().to_string()),
                    },
                })
            }
        }
    }
}

/// `example/app:1 layer 2 srv/token.txt (deleted by layer 3)` or
/// `example/app:1 config env STRIPE_KEY`.
fn describe(l: &Location, r: &Redactor) -> String {
    let image = r.text(l.image());
    match l {
        Location::Layer(l) => {
            format!("{image} layer {} {} ({})", l.layer, r.text(&l.path), l.status)
        }
        Location::File(l) => r.text(&l.path),
        Location::Config(c) => {
            let key = c.key.as_deref().map(|k| format!(" {}", r.text(k))).unwrap_or_default();
            let history = c.history_index.map(|i| format!(" (history[{i}])")).unwrap_or_default();
            format!("{image} config {}{key}{history}", c.field)
        }
    }
}

fn level(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "error",
        Confidence::Medium => "warning",
        Confidence::Low => "note",
    }
}

fn precision(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "very-high",
        Confidence::Medium => "high",
        Confidence::Low => "medium",
    }
}

/// A relative URI reference for a path in a layer: percent-encodes every byte outside
/// RFC 3986's unreserved characters, `/`, `!` and a few safe sub-delimiters. `:` is encoded
/// so that the first segment never reads as a scheme.
fn uri_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches('/').bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl<W: Write> Reporter for SarifReporter<W> {
    fn begin(&mut self, run: &RunInfo) -> io::Result<()> {
        self.collected.begin(run);
        Ok(())
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.collected.finding(finding);
        Ok(())
    }

    fn issue(&mut self, issue: &ScanIssue) -> io::Result<()> {
        self.collected.issue(issue);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let Finished { findings, issues, redactor: r } = self.collected.finish(&self.redactor);
        let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        rule_ids.sort_unstable();
        rule_ids.dedup();
        let rules: Vec<Value> = rule_ids
            .iter()
            .map(|id| {
                let f = findings.iter().find(|f| f.rule_id == *id);
                f.map(|f| self.rule_json(id, f)).unwrap_or_default()
            })
            .collect();
        let results: Vec<Value> = findings
            .iter()
            .map(|f| {
                let index = rule_ids.binary_search(&f.rule_id.as_str()).unwrap_or_default();
                self.result_json(f, index, &r)
            })
            .collect();
        let notifications: Vec<Value> = issues
            .iter()
            .map(|i| {
                json!({
                    "level": "error",
                    "message": { "text": format!("not fully scanned: {}", r.text(&i.to_string())) },
                })
            })
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "layerleak",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "informationUri": env!("CARGO_PKG_REPOSITORY"),
                        "rules": rules,
                    }
                },
                "invocations": [{
                    "executionSuccessful": summary.complete,
                    "toolExecutionNotifications": notifications,
                    "properties": {
                        "target": r.text(&self.collected.run.target),
                        "blobsScanned": summary.blobs_scanned,
                        "bytesScanned": summary.bytes_scanned,
                        "suppressedByBaseline": summary.suppressed_by_baseline,
                        "suppressedByIgnore": summary.suppressed_by_ignore,
                        "public": summary.public,
                    },
                }],
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut self.out, &log)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri_of("/app/app.jar!/BOOT-INF/a b.yml"), "app/app.jar!/BOOT-INF/a%20b.yml");
        assert_eq!(uri_of("c:x/ü"), "c%3Ax/%C3%BC");
        assert_eq!(uri_of("a/100%#"), "a/100%25%23");
    }
}
