//! Built-in rules: the checks that are not regex rules, described by data like every rule.
//!
//! A `path` rule finds a credential in a secret-bearing file (`id_rsa`, `.npmrc`, …) by
//! reading the file in its [`ContentFormat`]; a `secret_name` rule finds a literal value
//! under a secret-named key (see [`Words::is_secret_name`](crate::Words::is_secret_name)).
//! The list is `data/builtin-rules.toml`, embedded deflated by `build.rs` and checked by
//! [`check_builtin_rules`]. The matchers are in `layerleak-scan`, which also runs the
//! examples through them.

use std::collections::HashSet;
use std::io::Read as _;
use std::sync::OnceLock;

use flate2::read::DeflateDecoder;
use serde::{Deserialize, Serialize};

use crate::{Confidence, Diagnostic, MAX_ID_LEN};

/// The built-in rules' file name, as their diagnostics name it.
pub const BUILTIN_RULES_FILE: &str = "builtin-rules.toml";

/// The built-in rules, deflated by `build.rs`.
static EMBEDDED_DEFLATED: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rules.deflate"));

/// The built-in rules file: `[[rules]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinFile {
    #[serde(default)]
    rules: Vec<BuiltinRule>,
}

/// A built-in rule, reported like a rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltinRule {
    /// The rule id, e.g. `layerleak.path.1`.
    pub id: String,
    /// What kind of check it is.
    pub kind: BuiltinKind,
    /// The human-readable name.
    pub name: String,
    /// What the check finds, why it matters and what to do (reports such as SARIF show it).
    pub description: String,
    /// Confidence of its findings.
    pub confidence: Confidence,
    /// Tags, as for provider rules (`private-key`, `file`).
    pub categories: Vec<String>,
    /// Path rules: globs over the file's name, or over `parent/name` when the glob has a
    /// `/`; `*` matches any characters but `/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Path rules: how the file's content is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ContentFormat>,
    /// Path rules: the keys (or PEM label suffixes) that hold the credential.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Path rules: the characters that separate a key from its value (one each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separators: Vec<String>,
    /// Path rules: text the file must contain to be checked at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
    /// Inputs that must produce a finding of this rule.
    pub examples: Vec<BuiltinExample>,
    /// Inputs that must produce no finding of this rule.
    pub negative_examples: Vec<BuiltinExample>,
}

/// The kinds of built-in rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinKind {
    /// A credential in a secret-bearing file, found by its path and read in its format.
    Path,
    /// A literal value under a secret-named key of the image config.
    SecretName,
}

impl BuiltinKind {
    /// The snake-case name used in the catalogue file.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinKind::Path => "path",
            BuiltinKind::SecretName => "secret_name",
        }
    }
}

/// How a path rule reads a file (the matchers are in `layerleak-scan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentFormat {
    /// PEM blocks whose label ends with one of the keys.
    Pem,
    /// `key = value` lines, the key after its last `:` (`//registry/:_authToken`).
    Npmrc,
    /// `key <separator> value` lines, keys compared ignoring case.
    Ini,
    /// The token after a key token.
    Netrc,
    /// The password of `scheme://user:password@host` lines.
    UrlUserinfo,
    /// `[export ]NAME=value` lines with a secret-named `NAME` and a credible value.
    Dotenv,
    /// String values of the keys in JSON text.
    Json,
    /// `key: value` lines, the key without a leading `- `.
    Yaml,
}

impl ContentFormat {
    /// Whether the format needs `keys`.
    fn needs_keys(self) -> bool {
        !matches!(self, ContentFormat::UrlUserinfo | ContentFormat::Dotenv)
    }

    /// Whether the format splits `key <separator> value` lines.
    fn needs_separators(self) -> bool {
        matches!(
            self,
            ContentFormat::Npmrc | ContentFormat::Ini | ContentFormat::Dotenv | ContentFormat::Yaml
        )
    }
}

/// An example (or negative example) of a built-in rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltinExample {
    /// Path rules: the file's path (in a layer or archive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The file's content (path rules) or a `NAME=value` config entry (secret-name rules).
    pub text: String,
    /// The secret the rule must find; examples only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl BuiltinRule {
    /// The structural id used in fingerprints: stable while the check means the same.
    pub fn structural_id(&self) -> String {
        format!("builtin:{}", self.id)
    }

    /// Whether this path rule's globs match the file at `path` (a layer path or an archive
    /// member name; a trailing `/` is ignored). Always false for other kinds.
    ///
    /// # Example
    ///
    /// ```
    /// let rules = layerleak_rules::builtin_rules();
    /// let kube = rules.iter().find(|r| r.id == "layerleak.path.9").unwrap();
    /// assert!(kube.matches_path("etc/kubernetes/admin.conf"));
    /// assert!(kube.matches_path("root/.kube/config"));
    /// assert!(!kube.matches_path("etc/config"));
    /// ```
    pub fn matches_path(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        let name = path.rsplit('/').next().unwrap_or(path);
        let parent = path.rsplit('/').nth(1).unwrap_or("");
        self.paths.iter().any(|glob| match glob.split_once('/') {
            Some((dir, file)) => glob_matches(dir, parent) && glob_matches(file, name),
            None => glob_matches(glob, name),
        })
    }
}

/// Whether `text` matches `glob`, where `*` matches any run of characters.
fn glob_matches(glob: &str, text: &str) -> bool {
    let mut parts = glob.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Parses and checks the built-in rules file: ids `layerleak.<provider>.<n>` listed once,
/// a name, a description and categories; a path rule has valid globs, a format, and the
/// keys and separators the format needs; a secret-name rule has none of those; every rule
/// has examples and negative examples, a path rule's with a path and no negative example
/// with a secret; there is exactly one secret-name rule. Returns the rules that parsed (in file order) and every problem found.
/// (That the examples really match is checked with the matchers, in `layerleak-scan`.)
pub fn check_builtin_rules(text: &str) -> (Vec<BuiltinRule>, Vec<Diagnostic>) {
    let file = BUILTIN_RULES_FILE;
    let parsed: BuiltinFile = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e.span().map_or(0, |span| text[..span.start].matches('\n').count() + 1);
            let message = format!("invalid built-in rules file at line {line}: {}", e.message());
            return (Vec::new(), vec![Diagnostic::error(file, None, message)]);
        }
    };
    let mut diags = Vec::new();
    let mut seen = HashSet::new();
    for rule in &parsed.rules {
        let mut error = |message: String| {
            diags.push(Diagnostic::error(file, Some(&rule.id), message));
        };
        let segments: Vec<&str> = rule.id.split('.').collect();
        let id_ok = matches!(segments[..], ["layerleak", provider, n]
            if !provider.is_empty()
                && provider.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && !n.is_empty()
                && !n.starts_with('0')
                && n.bytes().all(|b| b.is_ascii_digit()));
        if !id_ok || rule.id.len() > MAX_ID_LEN {
            error(format!("id is not layerleak.<provider>.<n> of at most {MAX_ID_LEN} characters"));
        }
        if !seen.insert(rule.id.as_str()) {
            error("id is listed twice".to_owned());
        }
        for (field, value) in [("name", &rule.name), ("description", &rule.description)] {
            if value.trim().is_empty() {
                error(format!("{field} is empty"));
            }
        }
        if rule.categories.is_empty() || rule.categories.iter().any(|c| c.trim().is_empty()) {
            error("categories are missing or empty".to_owned());
        }
        match rule.kind {
            BuiltinKind::Path => {
                if rule.paths.is_empty() {
                    error("a path rule has no paths".to_owned());
                }
                for glob in &rule.paths {
                    let components: Vec<&str> = glob.split('/').collect();
                    if components.len() > 2 || components.iter().any(|c| c.is_empty()) {
                        error(format!("path glob {glob:?} is not NAME or PARENT/NAME"));
                    }
                }
                match rule.format {
                    None => error("a path rule has no format".to_owned()),
                    Some(format) => {
                        if format.needs_keys() == rule.keys.is_empty() {
                            error(format!("keys do not fit the format {format:?}"));
                        }
                        if format.needs_separators() == rule.separators.is_empty() {
                            error(format!("separators do not fit the format {format:?}"));
                        }
                    }
                }
                if rule.separators.iter().any(|s| s.chars().count() != 1) {
                    error("a separator is not one character".to_owned());
                }
            }
            BuiltinKind::SecretName => {
                if !rule.paths.is_empty()
                    || rule.format.is_some()
                    || !rule.keys.is_empty()
                    || !rule.separators.is_empty()
                    || rule.requires.is_some()
                {
                    error("a secret_name rule has path rule fields".to_owned());
                }
            }
        }
        if rule.examples.is_empty() || rule.negative_examples.is_empty() {
            error("examples or negative examples are missing".to_owned());
        }
        let examples = rule.examples.iter().chain(&rule.negative_examples);
        if examples.clone().any(|e| e.path.is_some() != (rule.kind == BuiltinKind::Path)) {
            error("an example's path is missing (path rules) or extra (others)".to_owned());
        }
        if rule.negative_examples.iter().any(|e| e.secret.is_some()) {
            error("a negative example names a secret".to_owned());
        }
    }
    let secret_name_rules = parsed.rules.iter().filter(|r| r.kind == BuiltinKind::SecretName);
    if secret_name_rules.count() != 1 {
        diags.push(Diagnostic::error(file, None, "there must be exactly one secret_name rule"));
    }
    (parsed.rules, diags)
}

/// The embedded built-in rules file's text.
pub(crate) fn embedded_builtin_text() -> String {
    let mut text = String::new();
    // Inflating bytes `build.rs` deflated from a UTF-8 file cannot fail; an empty text then
    // fails the checks, which the test suite rules out.
    let _ = DeflateDecoder::new(EMBEDDED_DEFLATED).read_to_string(&mut text);
    text
}

/// The embedded built-in rules, in file order.
///
/// # Panics
///
/// If the embedded file is invalid, which the test suite rules out
/// (`the_embedded_builtin_rules_are_valid`): a missing rule would silently find less.
pub fn builtin_rules() -> &'static [BuiltinRule] {
    static RULES: OnceLock<Vec<BuiltinRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let (rules, diags) = check_builtin_rules(&embedded_builtin_text());
        assert!(diags.is_empty(), "the embedded {BUILTIN_RULES_FILE} is invalid: {diags:?}");
        rules
    })
}

/// The embedded built-in rule with this id.
pub fn builtin_rule(id: &str) -> Option<&'static BuiltinRule> {
    builtin_rules().iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_builtin_rules_are_valid() {
        let (rules, diags) = check_builtin_rules(&embedded_builtin_text());
        assert_eq!(diags, [], "{diags:?}");
        assert_eq!(rules, builtin_rules());
        assert_eq!(embedded_builtin_text(), include_str!("../data/builtin-rules.toml"));
    }

    /// The ids and fingerprints that baselines and layer caches hold.
    #[test]
    fn ids_and_structural_ids_are_stable() {
        let ids: Vec<String> = builtin_rules().iter().map(BuiltinRule::structural_id).collect();
        let mut expected = vec!["builtin:layerleak.env.1".to_owned()];
        expected.extend((1..=9).map(|n| format!("builtin:layerleak.path.{n}")));
        assert_eq!(ids, expected);
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*.pem", "a.pem"));
        assert!(glob_matches("*.pem", ".pem"));
        assert!(!glob_matches("*.pem", "a.pem.bak"));
        assert!(glob_matches(".env.*", ".env."));
        assert!(glob_matches(".env.*", ".env.production"));
        assert!(!glob_matches(".env.*", "x.env.production"));
        assert!(glob_matches("a*b*c", "abc"));
        assert!(glob_matches("a*b*c", "a-b-b-c"));
        assert!(!glob_matches("a*bc", "abc-"));
        assert!(!glob_matches("ab*ba", "aba"));
        assert!(glob_matches("id_rsa", "id_rsa"));
        assert!(!glob_matches("id_rsa", "id_rsa.pub"));
    }

    #[test]
    fn bad_rules_are_reported() {
        let (_, diags) = check_builtin_rules(
            r#"
[[rules]]
id = "layerleak.path.x"
kind = "path"
name = ""
description = "d"
confidence = "high"
categories = []
paths = ["a/b/c"]
format = "ini"
examples = [{ text = "x" }]
negative_examples = [{ path = "a", text = "x", secret = "s" }]

[[rules]]
id = "layerleak.env.1"
kind = "secret_name"
name = "n"
description = "d"
confidence = "high"
categories = ["c"]
format = "json"
examples = []
negative_examples = []
"#,
        );
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        for needle in [
            "layerleak.path.x (builtin-rules.toml): id is not",
            "name is empty",
            "categories are missing",
            "path glob \"a/b/c\"",
            "keys do not fit the format Ini",
            "separators do not fit the format Ini",
            "an example's path is missing",
            "a negative example names a secret",
            "layerleak.env.1 (builtin-rules.toml): a secret_name rule has path rule fields",
            "layerleak.env.1 (builtin-rules.toml): examples or negative examples are missing",
        ] {
            assert!(text.iter().any(|t| t.contains(needle)), "{needle}: {text:?}");
        }
        let (_, diags) = check_builtin_rules("");
        assert_eq!(
            diags[0].to_string(),
            "error: builtin-rules.toml: there must be exactly one secret_name rule"
        );
    }
}
