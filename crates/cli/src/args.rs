//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find secrets in container images: every layer, deleted files, image config and build args.
#[derive(Parser, Debug)]
#[command(name = "layerleak", version, about, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success / no findings, 1 findings or failed checks, 2 error or incomplete scan.\nSee `layerleak scan --help` for examples."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Scan a container image on disk, in a local engine or in a registry: every layer (deleted and overwritten files too),
    /// nested archives, and the image config (ENV, LABEL, history, build args).
    #[command(after_help = SCAN_AFTER_HELP)]
    Scan(Box<ScanArgs>),
    /// Scan files and directories on disk as they are (an unpacked root filesystem, a source
    /// tree): no layers, no image config; for an image use `scan`. Secrets are redacted
    /// unless --show-secrets.
    #[command(after_help = SCAN_FS_AFTER_HELP)]
    ScanFs(ScanFsArgs),
    /// Audit many images over time: registries, repositories (their tags) and images, each
    /// unique layer scanned once per rule set, state in a database; reports incidents (one
    /// per secret across all images) new, still or gone since the previous run.
    #[command(after_help = AUDIT_AFTER_HELP)]
    Audit(Box<AuditArgs>),
    /// Inspect and check detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell completion script (e.g. `layerleak completions bash >
    /// /etc/bash_completion.d/layerleak`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per subcommand into a directory.
    Man {
        /// Write layerleak.1, layerleak-scan.1, … into DIR instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

const SCAN_AFTER_HELP: &str = "\
Examples:
  Scan an image in a registry:
    layerleak scan registry.example.com/team/app:1.4
  Scan an archive (docker save, podman save, oci-archive) or an OCI layout directory:
    docker save app:dev -o app.tar && layerleak scan app.tar
  Gate a CI job: fail on medium and high findings not in the baseline, SARIF for code
  scanning:
    layerleak scan app.tar --fail-on medium --baseline .layerleak-baseline.json \\
      --format sarif -o layerleak.sarif
  Audit an image you inherited: every finding, low confidence too, one JSON object per line:
    layerleak scan app.tar --format jsonl -o findings.jsonl

Targets: a prefix decides: registry:REF pulls from a registry; archive:PATH and oci:PATH
are local; docker:NAME, podman:NAME and engine:NAME (either) read a local engine. Without
one: an existing path (or one starting with /, ./ or ../) is local; else an image the
local engine has; else a valid reference is pulled from its registry
(python = docker.io/library/python:latest). Plain HTTP is used only for loopback
registries and --insecure-registry hosts.

Images in a local engine are streamed from its Docker-compatible API (GET /images/NAME/get)
and never written to disk. The socket: DOCKER_HOST (unix:///path or a loopback tcp://) for
docker: and engine:, CONTAINER_HOST for podman:, else the first that exists of
/var/run/docker.sock, $XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock.

Secrets are redacted everywhere by default, including where the output echoes a history
line, an ENV entry or a path that contains them; --show-secrets prints them in full.

Ignore file: ./.layerleakignore (or --ignore-file) lists accepted findings by rule id, path
glob or fingerprint, each with an optional reason and expiry date (TOML, see the README).

Exit codes:
  0  the scan is complete and no reported finding is at or above --fail-on
  1  the scan is complete and a finding is at or above --fail-on (findings below it, and
     findings suppressed by --baseline or the ignore file, do not fail)
  2  the scan is incomplete (a layer, blob or nested file could not be read: the report
     lists what and where) or an error occurred; this wins over 1";

const SCAN_FS_AFTER_HELP: &str = "\
Each file goes through what a file of an image layer goes through: nested archives (jar,
zip, whl, tar.gz, gz) member by member, UTF-16 text, the rules and the checks of
secret-bearing file names (id_rsa, .npmrc, .env, …). Reports, baselines, the ignore file
and --fail-on work as for `scan`; a location is a file path (JSON: kind \"file\").

Origins: a finding in a file whose bytes match the digest a package database of the tree
records for it (dpkg, apk or RPM at the root filesystem holding the path, Python RECORD
files met in the walk), or whose value is a published documentation example, is public:
reported with its origin, not failing unless --fail-on-public. Files of npm packages that
a lockfile lists are `vendored` and fail as the owner's.

Exit codes:
  0  the scan is complete and no reported finding is at or above --fail-on
  1  the scan is complete and a finding is at or above --fail-on
  2  the scan is incomplete (a path could not be listed, opened or read, or a nested
     archive hit a limit: the report names the path) or an error occurred; this wins
     over 1";

#[derive(Args, Debug)]
pub(crate) struct ScanArgs {
    /// The image: a `docker save` tarball, an OCI image layout directory, an oci-archive
    /// tarball, an image in the local Docker or Podman engine (`docker:NAME`,
    /// `podman:NAME`, `engine:NAME`), or a registry reference (`python`,
    /// `ghcr.io/org/img:tag`, `localhost:5000/app@sha256:…`). See "Targets" below.
    pub(crate) target: String,
    /// Scan this platform of a multi-platform image [default: linux/amd64, or the only
    /// platform present].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = parse_platform)]
    pub(crate) platform: Option<layerleak_image::Platform>,
    /// Scan every platform of a multi-platform image (a layer shared by several is scanned
    /// once).
    #[arg(long, conflicts_with = "platform")]
    pub(crate) all_platforms: bool,
    #[command(flatten)]
    pub(crate) report: crate::report_args::ReportArgs,
    /// Worker threads for layers [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Load provider rules from this directory of TOML files instead of the built-in ones
    /// (the built-in path and secret-name rules stay).
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) registry: crate::target::RegistryArgs,
}

fn parse_platform(value: &str) -> Result<layerleak_image::Platform, String> {
    layerleak_image::Platform::parse(value).map_err(|e| e.to_string())
}

const AUDIT_AFTER_HELP: &str = "\
Targets: HOST[:PORT] is a registry (every repository its catalog lists), HOST/REPO (or a
Docker Hub name such as python) a repository (its tags, see --tags), and a reference with
a tag or digest one image.

State: the database (--db) keeps each layer's scan by blob digest and rule set, each run
and each image's findings. A layer already scanned is not fetched again. An interrupted
audit run again with the same targets resumes its run. The database holds secret values:
protect it as the images.

Workers: with --db postgres://USER@HOST:PORT/DB, every `layerleak audit` started with the
same targets (on any machine) works on the same run: each image is claimed by one worker
under a lease (--lease) it renews while it works, a layer is scanned by one worker only,
and a worker that dies has its images taken over when its lease expires. Each worker
prints the report of the whole run.

Exit codes:
  0  every image was audited and no secret that fails the gate is present
  1  a secret that fails the gate is present (new or still)
  2  an image could not be audited or not fully scanned (the report says why), or an
     error occurred; this wins over 1";

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: Option<AuditCommand>,
    /// Registries (HOST or HOST:PORT), repositories (HOST/REPO) and images (REF:TAG, REF@DIGEST).
    #[arg(required_unless_present = "targets_file")]
    pub(crate) targets: Vec<String>,
    /// Read more targets from this file, one per line (empty lines and lines starting with
    /// `#` are skipped).
    #[arg(long, value_name = "FILE")]
    pub(crate) targets_file: Option<PathBuf>,
    /// The audit database: a SQLite file (created if need be) for one worker, or
    /// postgres://USER:PASSWORD@HOST:PORT/DB shared by several workers (the password is
    /// optional and never printed).
    #[arg(long, value_name = "PATH|URL", default_value = "layerleak-audit.db")]
    pub(crate) db: PathBuf,
    /// Seconds a worker's claim on an image or a layer holds without renewal (renewed
    /// every third of it while the worker lives); a dead worker's images are taken over
    /// after it. PostgreSQL only.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) lease: u32,
    /// At most N requests a minute to each registry, evenly spaced (for rate-limited
    /// public registries) [default: no limit]. A 429's Retry-After and RateLimit-Remaining: 0
    /// pause every request to the registry in any case.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_requests_per_minute: Option<u32>,
    /// At most N requests in flight at once to each registry [default: no limit].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) max_registry_requests: Option<u16>,
    /// Which tags of repositories and registries: all, latest, N-newest (by the image
    /// config's created date), or a regular expression matching the whole tag.
    #[arg(long, value_name = "all|latest|N-newest|REGEX", default_value = "all")]
    pub(crate) tags: String,
    /// Names asked per page of a repository's tag list or a registry's catalog (the next
    /// pages are followed by their `Link` header).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) page_size: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub(crate) format: AuditFormat,
    /// Print secret values in full.
    #[arg(long)]
    pub(crate) show_secrets: bool,
    /// Worker threads for layers [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Load provider rules from this directory of TOML files instead of the built-in ones
    /// (the built-in path and secret-name rules stay).
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) registry: crate::target::RegistryArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuditCommand {
    /// Print the report of the last finished run again, from the database alone (nothing is
    /// fetched); the exit code is that run's.
    Report {
        /// The audit database (a SQLite file or a postgres:// URL).
        #[arg(long, value_name = "PATH|URL", default_value = "layerleak-audit.db")]
        db: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
        format: AuditFormat,
        /// Print secret values in full.
        #[arg(long)]
        show_secrets: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuditFormat {
    /// For people: the summary, then incidents.
    Text,
    /// One JSON document: summary, incidents, images (docs/schema/audit-v1.schema.json).
    Json,
    /// JSON Lines: the run and its summary, then one line per incident, then one per image
    /// (docs/schema/audit-jsonl-v1.schema.json).
    Jsonl,
}

#[derive(Args, Debug)]
pub(crate) struct ScanFsArgs {
    /// Files or directories (walked recursively, symlinks not followed).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) report: crate::report_args::ReportArgs,
    /// Worker threads for files [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Load rules from this directory of TOML files instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum RulesCommand {
    /// List the rules.
    List {
        #[command(flatten)]
        source: RuleSource,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check the rules: schema, patterns, bounds, keywords, and every example through the engine.
    Check {
        #[command(flatten)]
        source: RuleSource,
        /// Fail on warnings too.
        #[arg(long)]
        warnings_as_errors: bool,
        /// Also print notes (negative examples that other rules match).
        #[arg(long)]
        notes: bool,
    },
    /// Measure recall and false-positive rate on test vectors (JSON Lines with `text` and
    /// `expect` = positive|negative, as in shared/conformance/).
    Conformance {
        /// The JSON Lines file.
        vectors: PathBuf,
        #[command(flatten)]
        source: RuleSource,
        /// Print every miss and false positive.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Args, Debug)]
pub(crate) struct RuleSource {
    /// Load provider rules from this directory of TOML files instead of the built-in ones
    /// (the built-in path and secret-name rules stay).
    #[arg(long, value_name = "DIR")]
    pub(crate) rules_dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum ListFormat {
    Text,
    Json,
}
