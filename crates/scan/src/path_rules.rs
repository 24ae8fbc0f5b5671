//! Secret-bearing file paths: `id_rsa`, `.npmrc`, `.env`, `.aws/credentials`, … Each is a
//! finding in its own right, but only when the content really holds a credential.

use layerleak_engine::is_placeholder;
use layerleak_rules::Confidence;

use crate::builtin::{self, BuiltinRule};
use crate::secret_name::{is_credible_value, is_secret_name, unquote};

/// How many bytes of a secret-bearing file are kept to check its content. Credential files
/// are small; a larger one is checked on its head (and still scanned whole by the rules).
pub(crate) const HEAD_LIMIT: usize = 1 << 20;

/// The kinds of secret-bearing files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    PrivateKey,
    Npmrc,
    Pypirc,
    Netrc,
    GitCredentials,
    DotEnv,
    AwsCredentials,
    DockerConfig,
    Kubeconfig,
}

impl PathKind {
    fn rule(self) -> BuiltinRule {
        match self {
            PathKind::PrivateKey => builtin::PRIVATE_KEY_FILE,
            PathKind::Npmrc => builtin::NPMRC,
            PathKind::Pypirc => builtin::PYPIRC,
            PathKind::Netrc => builtin::NETRC,
            PathKind::GitCredentials => builtin::GIT_CREDENTIALS,
            PathKind::DotEnv => builtin::DOTENV,
            PathKind::AwsCredentials => builtin::AWS_CREDENTIALS,
            PathKind::DockerConfig => builtin::DOCKER_CONFIG,
            PathKind::Kubeconfig => builtin::KUBECONFIG,
        }
    }
}

/// A credential a path check found in a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathHit {
    pub(crate) rule: BuiltinRule,
    pub(crate) confidence: Confidence,
    pub(crate) secret: Vec<u8>,
    /// Offset in the (decoded) content.
    pub(crate) offset: u64,
}

/// Which check applies to `path` (a layer path or an archive member name), if any.
pub(crate) fn classify(path: &[u8]) -> Option<PathKind> {
    let path = String::from_utf8_lossy(path);
    let path = path.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    Some(match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            PathKind::PrivateKey
        }
        n if n.ends_with(".pem") || n.ends_with(".key") => PathKind::PrivateKey,
        ".npmrc" | "npmrc" => PathKind::Npmrc,
        ".pypirc" => PathKind::Pypirc,
        ".netrc" | "_netrc" => PathKind::Netrc,
        ".git-credentials" => PathKind::GitCredentials,
        n if n == ".env" || n.starts_with(".env.") || n.ends_with(".env") => PathKind::DotEnv,
        "credentials" if parent == ".aws" => PathKind::AwsCredentials,
        "config.json" if parent == ".docker" => PathKind::DockerConfig,
        "config" if parent == ".kube" => PathKind::Kubeconfig,
        "kubeconfig" => PathKind::Kubeconfig,
        n if n.ends_with(".kubeconfig") => PathKind::Kubeconfig,
        n if parent == "kubernetes" && n.ends_with(".conf") => PathKind::Kubeconfig,
        _ => return None,
    })
}

/// The credentials a file of `kind` holds in `content` (its head, UTF-8 view).
pub(crate) fn extract(kind: PathKind, content: &[u8]) -> Vec<PathHit> {
    let text = String::from_utf8_lossy(content);
    let rule = kind.rule();
    let mut out = Vec::new();
    let mut push = |value: &str, offset: usize, confidence: Confidence| {
        out.push(PathHit {
            rule,
            confidence,
            secret: value.as_bytes().to_vec(),
            offset: offset as u64,
        });
    };
    match kind {
        PathKind::PrivateKey => {
            for (block, offset) in private_keys(&text) {
                let confidence =
                    if block.contains("ENCRYPTED") { Confidence::Low } else { rule.confidence };
                push(block, offset, confidence);
            }
        }
        PathKind::Npmrc => {
            for (key, value, offset) in key_values(&text, &['=']) {
                let key = key.rsplit(':').next().unwrap_or(key);
                if matches!(key, "_authToken" | "_auth" | "_password") && looks_set(value) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        PathKind::Pypirc => {
            for (key, value, offset) in key_values(&text, &['=', ':']) {
                if key.eq_ignore_ascii_case("password") && looks_set(value) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        PathKind::Netrc => {
            let mut pos = 0;
            let mut prev = "";
            for token in text.split(|c: char| c.is_ascii_whitespace()) {
                let start = pos;
                pos += token.len() + 1;
                if token.is_empty() {
                    continue;
                }
                if prev == "password" && looks_set(token) {
                    push(token, start, rule.confidence);
                }
                prev = token;
            }
        }
        PathKind::GitCredentials => {
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
        PathKind::DotEnv => {
            for (key, value, offset) in key_values(&text, &['=']) {
                let key = key.strip_prefix("export ").unwrap_or(key).trim();
                if is_secret_name(key) && is_credible_value(value.as_bytes()) {
                    push(value, offset, rule.confidence);
                }
            }
        }
        PathKind::AwsCredentials => {
            for (key, value, offset) in key_values(&text, &['=']) {
                let key = key.to_ascii_lowercase();
                if matches!(key.as_str(), "aws_secret_access_key" | "aws_session_token")
                    && looks_set(value)
                {
                    push(value, offset, rule.confidence);
                }
            }
        }
        PathKind::DockerConfig => {
            if text.contains("\"auths\"") {
                for key in ["\"auth\"", "\"identitytoken\"", "\"registrytoken\""] {
                    for (value, offset) in json_string_values(&text, key) {
                        if looks_set(value) {
                            push(value, offset, rule.confidence);
                        }
                    }
                }
            }
        }
        PathKind::Kubeconfig => {
            if text.contains("users:") {
                for (key, value, offset) in key_values(&text, &[':']) {
                    let key = key.trim_start_matches("- ").trim();
                    if matches!(key, "token" | "client-key-data" | "password") && looks_set(value) {
                        push(value, offset, rule.confidence);
                    }
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

/// `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----` blocks, with offsets.
fn private_keys(text: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let start = from + i;
        let Some(header_end) = text[start + 11..].find("-----").map(|j| start + 11 + j + 5) else {
            break;
        };
        let label = &text[start + 11..header_end - 5];
        if !label.ends_with("PRIVATE KEY") {
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

    fn secrets(kind: PathKind, text: &str) -> Vec<String> {
        extract(kind, text.as_bytes())
            .into_iter()
            .map(|h| {
                let s = String::from_utf8(h.secret).unwrap();
                let off = usize::try_from(h.offset).unwrap();
                assert_eq!(&text[off..off + s.len()], s, "offset of {s}");
                s
            })
            .collect()
    }

    #[test]
    fn classify_paths() {
        assert_eq!(classify(b"root/.ssh/id_rsa"), Some(PathKind::PrivateKey));
        assert_eq!(classify(b"app/.npmrc"), Some(PathKind::Npmrc));
        assert_eq!(classify(b"home/u/.aws/credentials"), Some(PathKind::AwsCredentials));
        assert_eq!(classify(b"root/.docker/config.json"), Some(PathKind::DockerConfig));
        assert_eq!(classify(b"root/.kube/config"), Some(PathKind::Kubeconfig));
        assert_eq!(classify(b"app/.env.production"), Some(PathKind::DotEnv));
        assert_eq!(classify(b"app/config.json"), None);
        assert_eq!(classify(b"etc/credentials"), None);
    }

    #[test]
    fn extracts_only_real_credentials() {
        assert_eq!(
            secrets(PathKind::Npmrc, "registry=https://r/\n//r/:_authToken=9f8e7d6c5b4a\n"),
            ["9f8e7d6c5b4a"]
        );
        assert!(secrets(PathKind::Npmrc, "//r/:_authToken=${NPM_TOKEN}\n").is_empty());
        assert_eq!(
            secrets(
                PathKind::Pypirc,
                "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n"
            ),
            ["pypi-AgEIcHlwaS5vcmc"]
        );
        assert_eq!(
            secrets(PathKind::Netrc, "machine h login u password Zx9!kq2Lp\n"),
            ["Zx9!kq2Lp"]
        );
        assert_eq!(
            secrets(PathKind::GitCredentials, "https://bob:Qm3kZ8vT1x@github.com\n"),
            ["Qm3kZ8vT1x"]
        );
        assert_eq!(
            secrets(
                PathKind::DotEnv,
                "DEBUG=1\nexport DB_PASSWORD=\"S3cr3tP4ssw0rd!x\"\nHOME=/x\n"
            ),
            ["S3cr3tP4ssw0rd!x"]
        );
        assert_eq!(
            secrets(
                PathKind::AwsCredentials,
                "[default]\naws_access_key_id = AKIAZ3MSJV4WWJDYSJ7Q\naws_secret_access_key = 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\n"
            ),
            ["kq7Xv2bN9mL4pR8sT1wY6zC3dF5gH0jK2lM4nP6q"]
        );
        assert_eq!(
            secrets(PathKind::DockerConfig, r#"{"auths": {"r.io": {"auth": "Ym9iOnMzY3IzdA=="}}}"#),
            ["Ym9iOnMzY3IzdA=="]
        );
        assert!(secrets(PathKind::DockerConfig, r#"{"credsStore": "desktop"}"#).is_empty());
        assert_eq!(
            secrets(
                PathKind::Kubeconfig,
                "users:\n- name: a\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.x\n"
            ),
            ["eyJhbGciOiJSUzI1NiJ9.x"]
        );
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        assert_eq!(secrets(PathKind::PrivateKey, &format!("x\n{key}\n")), [key]);
        assert!(
            secrets(
                PathKind::PrivateKey,
                "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----"
            )
            .is_empty()
        );
    }
}
