//! Secret-bearing file paths: `id_rsa`, `.npmrc`, `.env`, `.aws/credentials`, … Each is a
//! finding in its own right, but only when the content really holds a credential.

use layerleak_engine::is_placeholder;
use layerleak_rules::{BuiltinRule, Confidence, ContentFormat};

use crate::secret_name::{is_credible_value, is_secret_name, unquote};

/// How many bytes of a secret-bearing file are kept to check its content. Credential files
/// are small; a larger one is checked on its head (and still scanned whole by the rules).
pub(crate) const HEAD_LIMIT: usize = 1 << 20;

/// A credential a path check found in a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathHit {
    pub(crate) rule: &'static BuiltinRule,
    pub(crate) confidence: Confidence,
    pub(crate) secret: Vec<u8>,
    /// Offset in the (decoded) content.
    pub(crate) offset: u64,
}

/// Which path rule checks `path` (a layer path or an archive member name), if any: the
/// first in catalogue order whose globs match it.
pub(crate) fn classify(path: &[u8]) -> Option<&'static BuiltinRule> {
    let path = String::from_utf8_lossy(path);
    crate::builtin::path_rules().find(|r| r.matches_path(&path))
}

/// The credentials a file checked by `rule` holds in `content` (its head, UTF-8 view).
pub(crate) fn extract(rule: &'static BuiltinRule, content: &[u8]) -> Vec<PathHit> {
    let text = String::from_utf8_lossy(content);
    let mut out = Vec::new();
    let mut push = |value: &str, offset: usize, confidence: Confidence| {
        out.push(PathHit {
            rule,
            confidence,
            secret: value.as_bytes().to_vec(),
            offset: offset as u64,
        });
    };
    if rule.requires.as_ref().is_some_and(|r| !text.contains(r.as_str())) {
        return out;
    }
    let keys = &rule.keys;
    let seps: Vec<char> = rule.separators.iter().filter_map(|s| s.chars().next()).collect();
    let Some(format) = rule.format else { return out };
    match format {
        ContentFormat::Pem => {
            for (block, offset) in private_keys(&text, keys) {
                let confidence =
                    if block.contains("ENCRYPTED") { Confidence::Low } else { rule.confidence };
                push(block, offset, confidence);
            }
        }
        ContentFormat::Npmrc => {
            for (key, value, offset) in key_values(&text, &seps) {
                let key = key.rsplit(':').next().unwrap_or(key);
                if keys.iter().any(|k| k == key) && looks_set(value) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        ContentFormat::Ini => {
            for (key, value, offset) in key_values(&text, &seps) {
                if keys.iter().any(|k| k.eq_ignore_ascii_case(key)) && looks_set(value) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        ContentFormat::Netrc => {
            let mut pos = 0;
            let mut prev = "";
            for token in text.split(|c: char| c.is_ascii_whitespace()) {
                let start = pos;
                pos += token.len() + 1;
                if token.is_empty() {
                    continue;
                }
                if keys.iter().any(|k| k == prev) && looks_set(token) {
                    push(token, start, rule.confidence);
                }
                prev = token;
            }
        }
        ContentFormat::UrlUserinfo => {
            let mut pos = 0;
            for line in text.split('\n') {
                let start = pos;
                pos += line.len() + 1;
                if let Some((value, at)) = url_password(line)
                    && looks_set(value)
                {
                    push(value, start + at, rule.confidence);
                }
            }
        }
        ContentFormat::Dotenv => {
            for (key, value, offset) in key_values(&text, &seps) {
                let key = key.strip_prefix("export ").unwrap_or(key).trim();
                if is_secret_name(key) && is_credible_value(value.as_bytes()) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        ContentFormat::Json => {
            for key in keys {
                for (value, offset) in json_string_values(&text, &format!("\"{key}\"")) {
                    if looks_set(value) {
                        push(value, offset, rule.confidence);
                    }
                }
            }
        }
        ContentFormat::Yaml => {
            for (key, value, offset) in key_values(&text, &seps) {
                let key = key.trim_start_matches("- ").trim();
                if keys.iter().any(|k| k == key) && looks_set(value) {
                    push(value, offset, rule.confidence);
                }
            }
        }
    }
    out
}

/// A value that is set to something, not a template or placeholder.
fn looks_set(v: &str) -> bool {
    v.len() >= 6 && !is_placeholder(v.as_bytes())
}

/// `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----` blocks (the label ending
/// with one of `labels`), with offsets.
fn private_keys<'t>(text: &'t str, labels: &[String]) -> Vec<(&'t str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let start = from + i;
        let Some(header_end) = text[start + 11..].find("-----").map(|j| start + 11 + j + 5) else {
            break;
        };
        let label = &text[start + 11..header_end - 5];
        if !labels.iter().any(|l| label.ends_with(l.as_str())) {
            from = header_end;
            continue;
        }
        let footer = format!("-----END {label}-----");
        let Some(end) = text[header_end..].find(&footer).map(|j| header_end + j + footer.len())
        else {
            break;
        };
        out.push((&text[start..end], start));
        from = end;
    }
    out
}

/// `key <sep> value` lines (ini, dotenv, YAML-ish): the trimmed key, the unquoted value and
/// the value's offset. Comment lines are skipped.
fn key_values<'t>(text: &'t str, seps: &[char]) -> Vec<(&'t str, &'t str, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split('\n') {
        let start = pos;
        pos += line.len() + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let Some(i) = line.find(seps) else { continue };
        let key = line[..i].trim();
        let raw = &line[i + 1..];
        let lead = raw.len() - raw.trim_start().len();
        let (value, quote) = unquote(raw.trim().trim_end_matches('\r'));
        if value.is_empty() {
            continue;
        }
        out.push((key, value, start + i + 1 + lead + quote));
    }
    out
}

/// The password of `scheme://user:password@host` in `line`, with its offset.
fn url_password(line: &str) -> Option<(&str, usize)> {
    let auth_start = line.find("://")? + 3;
    let rest = &line[auth_start..];
    let at = rest.find('@')?;
    let userinfo = &rest[..at];
    let colon = userinfo.find(':')?;
    Some((&userinfo[colon + 1..], auth_start + colon + 1))
}

/// The string values of `"key": "value"` pairs in JSON text, with offsets.
fn json_string_values<'t>(text: &'t str, key: &str) -> Vec<(&'t str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(key) {
        let after = from + i + key.len();
        from = after;
        let rest = &text[after..];
        let Some(colon) =
            rest.find(|c: char| !c.is_whitespace()).filter(|&j| rest[j..].starts_with(':'))
        else {
            continue;
        };
        let rest2 = &rest[colon + 1..];
        let Some(q) =
            rest2.find(|c: char| !c.is_whitespace()).filter(|&j| rest2[j..].starts_with('"'))
        else {
            continue;
        };
        let vstart = after + colon + 1 + q + 1;
        let Some(len) = text[vstart..].find('"') else { continue };
        out.push((&text[vstart..vstart + len], vstart));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &str) -> Option<&'static str> {
        classify(path.as_bytes()).map(|r| r.id.as_str())
    }

    /// The first matching rule wins, in catalogue order: the order of the old hand-written
    /// classification, so every path keeps its rule.
    #[test]
    fn classify_paths() {
        for (path, rule) in [
            ("root/.ssh/id_rsa", Some("layerleak.path.1")),
            ("root/.ssh/id_rsa.pub", None),
            ("app/.env.key", Some("layerleak.path.1")),
            ("app/.npmrc", Some("layerleak.path.2")),
            ("etc/npmrc", Some("layerleak.path.2")),
            ("app/npmrc.env", Some("layerleak.path.6")),
            ("root/_netrc", Some("layerleak.path.4")),
            ("home/u/.aws/credentials", Some("layerleak.path.7")),
            ("root/.docker/config.json", Some("layerleak.path.8")),
            ("root/.kube/config", Some("layerleak.path.9")),
            ("etc/kubernetes/admin.conf", Some("layerleak.path.9")),
            ("etc/kubernetes/admin.env", Some("layerleak.path.6")),
            ("x/.env.kubeconfig", Some("layerleak.path.6")),
            ("x/a.kubeconfig", Some("layerleak.path.9")),
            ("app/.env.production", Some("layerleak.path.6")),
            ("app/.env/", Some("layerleak.path.6")),
            ("app/config.json", None),
            ("etc/credentials", None),
            ("credentials", None),
        ] {
            assert_eq!(id(path), rule, "{path}");
        }
    }

    #[test]
    fn encrypted_private_keys_are_low_confidence() {
        let rule = classify(b"id_rsa").unwrap();
        let key = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0w\n-----END ENCRYPTED PRIVATE KEY-----";
        let hits = extract(rule, key.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].confidence, Confidence::Low);
        assert_eq!(hits[0].secret, key.as_bytes());
    }
}
