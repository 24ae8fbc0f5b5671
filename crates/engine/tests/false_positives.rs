//! False-positive discipline, with the full built-in rule set: documentation values,
//! placeholders, template references, hashes and ids, public keys and low-entropy values
//! produce no finding, in the shapes they take in real files. A positive control in the
//! same run proves the scanner is live.

use std::sync::OnceLock;

use layerleak_engine::{CollectSink, Scanner};
use layerleak_rules::Rules;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        Scanner::new(&Rules::embedded().expect("built-in rules load"))
            .expect("built-in rules compile")
    })
}

fn findings(text: &str) -> Vec<(String, String)> {
    let scanner = scanner();
    let mut sink = CollectSink::default();
    scanner.scan_slice(text.as_bytes(), &mut sink).expect("collecting cannot fail");
    sink.matches
        .into_iter()
        .map(|m| (m.rule_id, String::from_utf8_lossy(&m.secret).into_owned()))
        .collect()
}

fn assert_clean(label: &str, lines: &[&str]) {
    let mut failures = Vec::new();
    for line in lines {
        let found = findings(line);
        if !found.is_empty() {
            failures.push(format!("{line:?} -> {found:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{label}: {} lines produced findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn documentation_example_values_are_not_findings() {
    assert_clean(
        "documentation values",
        &[
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
            "stripe.api_key = 'sk_live_EXAMPLE_EXAMPLE_EXAMPLE'\n",
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
            "SLACK_BOT_TOKEN=xoxb-0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx\n",
        ],
    );
}

#[test]
fn placeholders_and_references_are_not_findings() {
    assert_clean(
        "placeholders",
        &[
            "password: xxxxxxxx\n",
            "API_KEY=<your-api-key>\n",
            "api_key: \"<API_KEY>\"\n",
            "TOKEN=${TOKEN}\n",
            "password = \"changeme\"\n",
            "secret: \"********\"\n",
            "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
            "DB_PASSWORD={{ vault_db_password }}\n",
            "password=aaaaaaaaaaaaaaaa\n",
            "client_secret = \"your-client-secret-here\"\n",
            "password = os.environ[\"DB_PASSWORD\"]\n",
            "token: process.env.GITHUB_TOKEN\n",
            "export PGPASSWORD=$DB_PASSWORD\n",
            "api_key = config.api_key\n",
            "PASSWORD=${PASSWORD:-}\n",
            "secret_key = get_secret_key()\n",
            "postgres://user:${POSTGRES_PASSWORD}@db:5432/app\n",
            "mongodb://admin:<password>@cluster0.example.net/test\n",
            "ENV NPM_TOKEN=${NPM_TOKEN}\n",
            "password: REDACTED\n",
        ],
    );
}

#[test]
fn hashes_and_ids_are_not_findings() {
    assert_clean(
        "hashes and ids",
        &[
            "commit 3f786850e387550fdab836ed7e6dc881de23001b\n",
            "token_sha = \"3f786850e387550fdab836ed7e6dc881de23001b\"\n",
            "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
            "secret_digest: sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
            "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\",\n",
            "token_id = \"123e4567-e89b-12d3-a456-426614174000\"\n",
            "request_id: 9b2f7c1e-3d4a-4b8e-9f61-0c2d5e7a8b93\n",
            "checksum = d41d8cd98f00b204e9800998ecf8427e\n",
            "\"resolved\": \"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz\",\n",
            "image: alpine@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
        ],
    );
}

#[test]
fn public_keys_are_not_private_key_findings() {
    assert_clean(
        "public keys",
        &[
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7Vvq0CsuI0pBHs8cTq9rW1kHdVu8fK2a5tL3nY6z3qjVx9C2mP4rS7tU0vW3xY5zA1bC4dE6fG8hI0jK2lM4nO6pQ8rS0tU2vW4xY6zA8bC0dE2fG4hI6jK8lM0nO2pQ4rS6tU8vW0xY2zA4bC6dE8fG0hI2jK4lM6nO8pQ0 user@host\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2m3Vd9lN6f0rYk8hJ2c4xQ7bHswCgYIKoZIzj0EAwIw\nEjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAw\n-----END CERTIFICATE-----\n",
            "-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA+xGZ/wcz9ugFpP07Nspo6U17l0YhFiFpxxU4pTk3Lifz9R3zsIsu\n-----END RSA PUBLIC KEY-----\n",
            "# public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n",
            "mapboxgl.accessToken = 'pk.eyJ1IjoibWFwYm94IiwiYSI6ImNpejY4M29iazA2Z2gycXA4N2pmbDZmangifQ.-g_vE53SD2WrJ6tFX7QHmA';\n",
            "STRIPE_PUBLISHABLE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcZq8mW2vR7pL4xN3kQ9sT6\n",
        ],
    );
}

#[test]
fn low_entropy_values_fail_entropy_gated_rules() {
    assert_clean(
        "low entropy",
        &[
            "password=passwordpassword\n",
            "secret = \"abcabcabcabcabc\"\n",
            "api_key: 1111111111111111\n",
            "AWS_SECRET_ACCESS_KEY=aaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbbbbb\n",
            "token = \"ababababababababababab\"\n",
        ],
    );
}

#[test]
fn positive_control_is_found() {
    let found = findings(
        "aws_secret_access_key = kQ8r2Nw7vZp4Lx9Tb3Hs6Jm1Yc5Fd0Gu8Ea2Wq7R\nGITHUB_TOKEN=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\n",
    );
    assert!(found.iter().any(|(id, _)| id == "layerleak.github.1"), "{found:?}");
    assert!(found.iter().any(|(id, _)| id.starts_with("layerleak.aws.")), "{found:?}");
}
