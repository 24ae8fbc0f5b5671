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
    /// What the check finds, why it matters and what to do (reports such as SARIF show it).
    pub description: &'static str,
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
    description: "An ENV entry, label or build argument whose name says it holds a secret (*_TOKEN, *_PASSWORD, *_SECRET, *_KEY, API_KEY, …) set to a literal value. The image config and history keep it for anyone who can pull the image (`docker inspect`, `docker history`). Rotate it, and pass it at run time or through a build secret mount instead.",
    confidence: Confidence::Medium,
};

/// A private key file (`id_rsa`, `id_ed25519`, `*.pem`, `*.key`) holding a private key.
pub const PRIVATE_KEY_FILE: BuiltinRule = BuiltinRule {
    id: "layerleak.path.1",
    name: "Private key file",
    description: "A private key file (id_rsa, id_ed25519, *.pem, *.key) holding a private key. Anyone who pulls the image gets the key, even from a layer a later step deleted it in. Revoke the key (remove it from authorized_keys, the CA or the service it authenticates to) and issue a new one outside the image.",
    confidence: Confidence::High,
};

/// An `.npmrc` with an auth token or password.
pub const NPMRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.2",
    name: "Credentials in an .npmrc",
    description: "An .npmrc with an _authToken, _auth or _password: it publishes and installs packages as its owner. Revoke the token on the registry (npm token revoke) and provide it at build time with a build secret mount.",
    confidence: Confidence::High,
};

/// A `.pypirc` with a password.
pub const PYPIRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.3",
    name: "Credentials in a .pypirc",
    description: "A .pypirc with a password or API token for a package index: it uploads packages as its owner. Revoke the token on the index and use a build secret mount.",
    confidence: Confidence::High,
};

/// A `.netrc` with a password.
pub const NETRC: BuiltinRule = BuiltinRule {
    id: "layerleak.path.4",
    name: "Credentials in a .netrc",
    description: "A .netrc with a password: curl, git, ftp and pip send it to the named host. Change the password and use a build secret mount.",
    confidence: Confidence::High,
};

/// A `.git-credentials` with a password in a URL.
pub const GIT_CREDENTIALS: BuiltinRule = BuiltinRule {
    id: "layerleak.path.5",
    name: "Credentials in a .git-credentials",
    description: "A .git-credentials with a password or token in a URL: git sends it to that host. Revoke the token and use a credential helper or build secret mount.",
    confidence: Confidence::High,
};

/// A `.env` file with a secret-named key.
pub const DOTENV: BuiltinRule = BuiltinRule {
    id: "layerleak.path.6",
    name: "Secret in a .env file",
    description: "A .env file assigning a literal value to a secret-named key. Rotate the value and supply the file at run time instead of baking it into the image.",
    confidence: Confidence::Medium,
};

/// An AWS shared credentials file.
pub const AWS_CREDENTIALS: BuiltinRule = BuiltinRule {
    id: "layerleak.path.7",
    name: "AWS credentials file",
    description: "An AWS shared credentials file with an access key: it acts as the IAM user or role it belongs to. Deactivate and delete the access key in IAM and use a role or a build secret mount.",
    confidence: Confidence::High,
};

/// A Docker client `config.json` with registry `auths`.
pub const DOCKER_CONFIG: BuiltinRule = BuiltinRule {
    id: "layerleak.path.8",
    name: "Registry credentials in a Docker config.json",
    description: "A Docker client config.json with registry auths: it pulls (and often pushes) images as its owner. Revoke the registry token or change the password, and log in at run time instead.",
    confidence: Confidence::High,
};

/// A kubeconfig with user credentials.
pub const KUBECONFIG: BuiltinRule = BuiltinRule {
    id: "layerleak.path.9",
    name: "Credentials in a kubeconfig",
    description: "A kubeconfig with a user token, password or client key: it acts on the cluster as that user. Revoke the credential on the cluster and mount the kubeconfig at run time.",
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
