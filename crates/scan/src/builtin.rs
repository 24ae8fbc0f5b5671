//! The built-in checks that are not provider rules: secret-bearing file paths and
//! secret-named variables. They report under their own rule ids.

use layerleak_rules::Confidence;

/// A built-in check, reported like a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinRule {
    /// The rule id, e.g. `layerleak.path.1`.
    pub id: &'static str,
    /// The human-readable name.
    pub name: &'static str,
    /// Confidence of its findings.
    pub confidence: Confidence,
}

impl BuiltinRule {
    /// The structural id used in fingerprints: stable while the check means the same.
    pub fn structural_id(&self) -> String {
        format!("builtin:{}", self.id)
    }
}

/// A variable, label or build argument with a secret-looking name and a literal value.
pub const SECRET_NAMED_VALUE: BuiltinRule = BuiltinRule {
    id: "layerleak.env.1",
    name: "Secret-named variable with a literal value",
    confidence: Confidence::Medium,
};

/// A private key file (`id_rsa`, `id_ed25519`, `*.pem`, `*.key`) holding a private key.
pub const PRIVATE_KEY_FILE: BuiltinRule =
    BuiltinRule { id: "layerleak.path.1", name: "Private key file", confidence: Confidence::High };

/// An `.npmrc` with an auth token or password.
pub const NPMRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.2",
    name: "Credentials in an .npmrc",
    confidence: Confidence::High,
};

/// A `.pypirc` with a password.
pub const PYPIRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.3",
    name: "Credentials in a .pypirc",
    confidence: Confidence::High,
};

/// A `.netrc` with a password.
pub const NETRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.4",
    name: "Credentials in a .netrc",
    confidence: Confidence::High,
};

/// A `.git-credentials` with a password in a URL.
pub const GIT_CREDENTIALS: BuiltinRule = BuiltinRule {
    id: "layerleak.path.5",
    name: "Credentials in a .git-credentials",
    confidence: Confidence::High,
};

/// A `.env` file with a secret-named key.
pub const DOTENV: BuiltinRule = BuiltinRule {
    id: "layerleak.path.6",
    name: "Secret in a .env file",
    confidence: Confidence::Medium,
};

/// An AWS shared credentials file.
pub const AWS_CREDENTIALS: BuiltinRule = BuiltinRule {
    id: "layerleak.path.7",
    name: "AWS credentials file",
    confidence: Confidence::High,
};

/// A Docker client `config.json` with registry `auths`.
pub const DOCKER_CONFIG: BuiltinRule = BuiltinRule {
    id: "layerleak.path.8",
    name: "Registry credentials in a Docker config.json",
    confidence: Confidence::High,
};

/// A kubeconfig with user credentials.
pub const KUBECONFIG: BuiltinRule = BuiltinRule {
    id: "layerleak.path.9",
    name: "Credentials in a kubeconfig",
    confidence: Confidence::High,
};

/// Every built-in check.
pub const BUILTIN_RULES: &[BuiltinRule] = &[
    SECRET_NAMED_VALUE,
    PRIVATE_KEY_FILE,
    NPMRC,
    PYPIRC,
    NETRC,
    GIT_CREDENTIALS,
    DOTENV,
    AWS_CREDENTIALS,
    DOCKER_CONFIG,
    KUBECONFIG,
];
