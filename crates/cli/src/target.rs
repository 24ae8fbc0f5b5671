//! What `layerleak scan TARGET` scans: a local image, an image in a local container
//! engine, or a registry image.
//!
//! The rule, also in `layerleak scan --help` and the README:
//!
//! 1. An explicit prefix decides: `registry:REF` pulls from a registry; `archive:PATH`
//!    and `oci:PATH` open a local file or directory; `docker:`, `podman:` and `engine:`
//!    read a local container engine ([`EngineTarget`]). A prefix followed by digits and
//!    `/` is a registry port instead (`registry:5000/app` is the host `registry`).
//! 2. Otherwise, an existing path, or one starting with `/`, `./` or `../`, is a local
//!    image.
//! 3. Otherwise, an image the local engine has (when one is reachable).
//! 4. Otherwise, a well-formed image reference is pulled from its registry
//!    (`python` → `docker.io/library/python:latest`).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use layerleak_image::PlatformSelector;
use layerleak_image::registry::{
    CredentialOrigin, Credentials, ImageReference, RegistryOptions, RegistrySource,
    without_userinfo,
};
use layerleak_report::Secret;
use layerleak_scan::{ImageSink, Pipeline, ScanOutcome};

use crate::engine::EngineTarget;

/// Where the image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A `docker save` tarball, an OCI layout directory or an oci-archive.
    Local(PathBuf),
    /// An image in a registry.
    Registry {
        /// The image.
        reference: ImageReference,
        /// Written without `registry:`: chosen because it is not a path and no reachable
        /// local engine has it (said in errors, as the user may have meant a local image).
        fallback: bool,
    },
    /// An image in a local container engine.
    Engine(EngineTarget),
}

const PREFIXES: [&str; 6] = ["registry", "archive", "oci", "docker", "podman", "engine"];

impl Target {
    /// Applies the rule of the module documentation to `text`.
    pub(crate) fn parse(text: &str) -> Result<Target> {
        if let Some((prefix, rest)) = split_prefix(text) {
            return Ok(match prefix {
                "registry" => {
                    Target::Registry { reference: ImageReference::parse(rest)?, fallback: false }
                }
                "archive" | "oci" => Target::Local(PathBuf::from(rest)),
                _ => match EngineTarget::resolve(Path::new(text)) {
                    Some(engine) => Target::Engine(engine),
                    None => bail!("{text}: not an engine image name"),
                },
            });
        }
        let path = PathBuf::from(text);
        if path.exists() || ["/", "./", "../"].iter().any(|p| text.starts_with(p)) {
            return Ok(Target::Local(path));
        }
        if let Some(engine) = EngineTarget::resolve(&path) {
            return Ok(Target::Engine(engine));
        }
        match ImageReference::parse(text) {
            Ok(reference) => Ok(Target::Registry { reference, fallback: true }),
            Err(e) => bail!(
                "{:?} is neither an existing file or directory nor a valid image reference ({e}); prefix archive: or registry: to say which",
                without_userinfo(text)
            ),
        }
    }

    /// Opens and scans the target, giving each image to `sink` as soon as it is complete.
    pub(crate) fn scan(
        &self,
        pipeline: &Pipeline,
        platform: &PlatformSelector,
        registry: &RegistryOptions,
        sink: &mut dyn ImageSink,
    ) -> Result<ScanOutcome> {
        match self {
            Target::Local(path) => Ok(pipeline.scan_path_to(path, platform, sink)?),
            Target::Registry { reference, fallback } => {
                let mut source = RegistrySource::connect(reference.clone(), registry)
                    .with_context(|| {
                        if *fallback {
                            format!(
                                "cannot pull {reference} (no such file here and no reachable local \
                                 engine has it, so it was pulled from its registry; for a local \
                                 image, start the engine's API service, or name it docker:NAME or \
                                 podman:NAME to get the engine's own error)"
                            )
                        } else {
                            format!("cannot pull {reference}")
                        }
                    })?;
                Ok(pipeline.scan_source_to(&mut source, platform, sink)?)
            }
            Target::Engine(engine) => engine.scan(pipeline, platform, sink),
        }
    }

    /// How the target is named in the report.
    pub(crate) fn display(&self) -> String {
        match self {
            Target::Local(path) => path.display().to_string(),
            Target::Registry { reference, .. } => reference.to_string(),
            Target::Engine(engine) => engine.target().to_owned(),
        }
    }
}

/// `prefix:rest` when `prefix` is one of [`PREFIXES`] and `rest` does not start with a
/// port (`digits/` or only digits).
fn split_prefix(text: &str) -> Option<(&str, &str)> {
    let (prefix, rest) = text.split_once(':')?;
    let port = rest.split('/').next().unwrap_or_default();
    let is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    (PREFIXES.contains(&prefix) && !is_port).then_some((prefix, rest))
}

/// Registry options of `layerleak scan`.
#[derive(Args, Debug)]
#[command(next_help_heading = "Registry options")]
pub(crate) struct RegistryArgs {
    /// Registry username (with --password-stdin). Without it, LAYERLEAK_REGISTRY_USERNAME
    /// and LAYERLEAK_REGISTRY_PASSWORD, then the docker config.json (auths, credHelpers,
    /// credsStore), are used; else the pull is anonymous.
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    pub(crate) username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "username")]
    pub(crate) password_stdin: bool,
    /// Trust this PEM CA certificate (bundle) for registries, besides the system roots.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Vec<PathBuf>,
    /// Reach this registry (HOST or HOST:PORT) over plain HTTP. Loopback registries
    /// (localhost, 127.0.0.1, ::1) always are.
    #[arg(long, value_name = "HOST")]
    pub(crate) insecure_registry: Vec<String>,
    /// Give up on a registry connection or read that stalls this long.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub(crate) registry_timeout: f64,
    /// Give up on a registry request (a token, manifest or config with its whole body)
    /// that has not completed in this long, however steadily the registry trickles bytes.
    /// A layer download may wait this long plus one second per 256 KiB received (at most
    /// 6 hours); time spent scanning does not count.
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    pub(crate) registry_deadline: f64,
    /// Retry a failed registry request (connection error, timeout, 5xx, 429) this many
    /// times, with backoff.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub(crate) registry_retries: u32,
}

impl RegistryArgs {
    /// The registry options, and the password read from stdin (a credential no output may
    /// show).
    pub(crate) fn options(&self) -> Result<(RegistryOptions, Option<Secret>)> {
        let mut secret = None;
        let credentials = match &self.username {
            Some(username) => {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .context("cannot read the password from standard input")?;
                let password = password.trim_end_matches(['\n', '\r']).to_owned();
                if password.is_empty() {
                    bail!("--password-stdin: standard input is empty");
                }
                secret = Some(Secret::new(password.clone().into_bytes()));
                Some(Credentials::new(username.clone(), password, CredentialOrigin::Explicit))
            }
            None => None,
        };
        if !(self.registry_timeout.is_finite() && self.registry_timeout > 0.0) {
            bail!("--registry-timeout must be a positive number of seconds");
        }
        if !(self.registry_deadline.is_finite() && self.registry_deadline > 0.0) {
            bail!("--registry-deadline must be a positive number of seconds");
        }
        let options = RegistryOptions {
            ca_certs: self.ca_cert.clone(),
            insecure_registries: self.insecure_registry.clone(),
            timeout: Duration::from_secs_f64(self.registry_timeout),
            deadline: Duration::from_secs_f64(self.registry_deadline),
            attempts: self.registry_retries.saturating_add(1),
            credentials,
            ..RegistryOptions::default()
        };
        Ok((options, secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_paths_and_references() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().to_str().unwrap();
        assert_eq!(Target::parse(existing).unwrap(), Target::Local(existing.into()));
        assert_eq!(Target::parse("archive:x.tar").unwrap(), Target::Local("x.tar".into()));
        assert_eq!(Target::parse("oci:dir").unwrap(), Target::Local("dir".into()));
        assert_eq!(Target::parse("./missing.tar").unwrap(), Target::Local("./missing.tar".into()));
        let hub = Target::parse("python").unwrap();
        assert_eq!(hub.display(), "docker.io/library/python:latest");
        assert!(matches!(hub, Target::Registry { fallback: true, .. }));
        let explicit = Target::parse("registry:python").unwrap();
        assert_eq!(explicit.display(), hub.display());
        assert!(matches!(explicit, Target::Registry { fallback: false, .. }));
        // A host named like a prefix, with a port.
        let Target::Registry { reference: r, .. } = Target::parse("registry:5000/app").unwrap()
        else {
            panic!()
        };
        assert_eq!(r.registry(), "registry:5000");
        let Target::Registry { reference: r, .. } = Target::parse("localhost:5000/app").unwrap()
        else {
            panic!()
        };
        assert_eq!(r.registry(), "localhost:5000");
        let Target::Engine(engine) = Target::parse("docker:app:1").unwrap() else { panic!() };
        assert_eq!(engine.target(), "docker:app:1");
    }

    #[test]
    fn neither_path_nor_reference() {
        let err = Target::parse("No Such/Thing!").unwrap_err().to_string();
        assert!(err.contains("neither an existing file"), "{err}");
    }
}
