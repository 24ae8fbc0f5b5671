//! [`Location`]: where a secret was found: a file in a layer, a field of the config, or a
//! file of a tree on disk (`scan-fs`).

use std::fmt;

use crate::Origin;

/// One place a secret was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// In a file of a layer (possibly inside a nested archive).
    Layer(LayerLocation),
    /// In the image configuration.
    Config(ConfigLocation),
    /// In a file of a tree on disk (possibly inside a nested archive): no layer, no image.
    File(FileLocation),
}

impl Location {
    /// The image's display name, or for a file on disk the scanned path it was found
    /// under, as the user named it.
    pub fn image(&self) -> &str {
        match self {
            Location::Layer(l) => &l.image,
            Location::Config(c) => &c.image,
            Location::File(f) => &f.tree,
        }
    }

    /// The platform (`os/arch[/variant]`), if known.
    pub fn platform(&self) -> Option<&str> {
        match self {
            Location::Layer(l) => l.platform.as_deref(),
            Location::Config(c) => c.platform.as_deref(),
            Location::File(_) => None,
        }
    }

    /// Whose bytes the location holds.
    pub fn origin(&self) -> &Origin {
        match self {
            Location::Layer(l) => &l.origin,
            Location::Config(c) => &c.origin,
            Location::File(f) => &f.origin,
        }
    }

    /// See [`Finding::is_hidden_in_history`](crate::Finding::is_hidden_in_history).
    pub fn is_hidden_in_history(&self) -> bool {
        match self {
            Location::Layer(l) => l.status != Status::PresentInFinal,
            Location::Config(c) => matches!(c.field, ConfigField::BuildArg),
            Location::File(_) => false,
        }
    }
}

/// A location in a layer file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LayerLocation {
    /// The image's display name.
    pub image: String,
    /// The platform (`os/arch[/variant]`), if known.
    pub platform: Option<String>,
    /// The layer's position, 0 for the bottom layer.
    pub layer: usize,
    /// The digest of the stored layer blob.
    pub blob_digest: String,
    /// The digest of the uncompressed layer, if the config lists it.
    pub diff_id: Option<String>,
    /// The history `created_by` of the step that made the layer (may itself contain
    /// secrets: always echo it through a [`Redactor`](crate::Redactor)).
    pub created_by: Option<String>,
    /// The path in the layer, with nested archive members after `!/`, e.g.
    /// `app/app.jar!/BOOT-INF/lib/inner.jar!/application.yml`.
    pub path: String,
    /// Offset of the secret's first byte in the file (or member). For a UTF-16 file, the
    /// offset counts bytes of its UTF-8 transcoding (see `text_encoding`).
    pub offset: u64,
    /// `Some("utf-16le")` / `Some("utf-16be")` when the file was transcoded to be scanned.
    pub text_encoding: Option<String>,
    /// What happened to the file in the final image.
    pub status: Status,
    /// Whose bytes the file holds: for a nested member, those of the layer file holding
    /// it (a jar a package installed is verified as a whole).
    pub origin: Origin,
}

/// A location in a file of a tree on disk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileLocation {
    /// The scanned path (a file or a directory) the file was found under, as the user
    /// named it.
    pub tree: String,
    /// The file's path (the scanned path joined with the path below it), with nested
    /// archive members after `!/`, e.g. `srv/app.jar!/application.yml`.
    pub path: String,
    /// Offset of the secret's first byte in the file (or member). For a UTF-16 file, the
    /// offset counts bytes of its UTF-8 transcoding (see `text_encoding`).
    pub offset: u64,
    /// `Some("utf-16le")` / `Some("utf-16be")` when the file was transcoded to be scanned.
    pub text_encoding: Option<String>,
    /// Whose bytes the file holds: for a nested member, those of the file holding it.
    pub origin: Origin,
}

/// What happened, in the final image, to the file holding a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// The file is in the final filesystem.
    PresentInFinal,
    /// A later layer deleted it (whiteout, opaque directory, or a file over a parent): the
    /// bytes are still in this layer's blob.
    Deleted {
        /// The layer that deleted it.
        by_layer: usize,
    },
    /// A later layer wrote the same path again: the old bytes are still in this layer.
    Overwritten {
        /// The layer that wrote it again.
        by_layer: usize,
    },
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::PresentInFinal => f.write_str("present in the final image"),
            Status::Deleted { by_layer } => write!(f, "deleted by layer {by_layer}"),
            Status::Overwritten { by_layer } => write!(f, "overwritten by layer {by_layer}"),
        }
    }
}

/// A location in the image configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigLocation {
    /// The image's display name.
    pub image: String,
    /// The platform (`os/arch[/variant]`), if known.
    pub platform: Option<String>,
    /// Which part of the config.
    pub field: ConfigField,
    /// The variable, label or build-argument name, when the field has one.
    pub key: Option<String>,
    /// The index into the config's `history`, for history and build-argument locations.
    pub history_index: Option<usize>,
    /// Offset of the secret in the scanned string (`NAME=value`, `key=value`, the joined
    /// command line, the `created_by` line).
    pub offset: u64,
    /// The scanned string (may contain secrets: echo it through a
    /// [`Redactor`](crate::Redactor)).
    pub context: String,
    /// [`Origin::Image`], or [`Origin::Example`] for a published example value.
    pub origin: Origin,
}

/// A part of the image configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigField {
    /// `config.Env`.
    Env,
    /// `config.Labels`.
    Label,
    /// A build argument (`ARG`/`--build-arg`) recorded in a history `created_by` as
    /// `|N NAME=value …`.
    BuildArg,
    /// A history `created_by` line (outside a recorded build argument).
    History,
    /// `config.Entrypoint`.
    Entrypoint,
    /// `config.Cmd`.
    Cmd,
}

impl ConfigField {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigField::Env => "env",
            ConfigField::Label => "label",
            ConfigField::BuildArg => "build_arg",
            ConfigField::History => "history",
            ConfigField::Entrypoint => "entrypoint",
            ConfigField::Cmd => "cmd",
        }
    }
}

impl fmt::Display for ConfigField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
