//! Images in a local container engine: `docker:NAME`, `podman:NAME`, `engine:NAME`, and an
//! unprefixed name that is not a path but an image the local engine has.

use std::path::Path;

use anyhow::{Context as _, Result};
use layerleak_image::{Engine, EngineKind, PlatformSelector};
use layerleak_scan::{ImageSink, Pipeline, ScanOutcome};

/// The prefixes that select the engine source, and which engine each looks for.
const PREFIXES: [(&str, EngineKind); 3] = [
    ("docker:", EngineKind::Docker),
    ("podman:", EngineKind::Podman),
    ("engine:", EngineKind::Any),
];

/// An image to read from a local engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EngineTarget {
    kind: EngineKind,
    /// The image name as the engine knows it (`myapp:dev`, `localhost/app:1`, an id).
    name: String,
    /// What the user wrote, for messages and reports.
    target: String,
}

impl EngineTarget {
    /// The engine image `target` names: with an explicit prefix, always; without one, when
    /// `target` is not an existing path and the local engine has an image of that name.
    /// `None` means `target` is a path.
    pub(crate) fn resolve(target: &Path) -> Option<EngineTarget> {
        let text = target.to_str()?;
        if let Some(explicit) = parse_prefixed(text) {
            return Some(explicit);
        }
        (!target.exists() && has_image(text)).then(|| EngineTarget {
            kind: EngineKind::Any,
            name: text.to_owned(),
            target: text.to_owned(),
        })
    }

    /// What the user wrote (`docker:app:1`, or a bare name).
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// Streams the image from the engine (`GET /images/{name}/get`) and scans it as it
    /// arrives; nothing is written to disk. The images are given to `sink` when the stream
    /// ends (the archive lists them last).
    pub(crate) fn scan(
        &self,
        pipeline: &Pipeline,
        platform: &PlatformSelector,
        sink: &mut dyn ImageSink,
    ) -> Result<ScanOutcome> {
        let context = || format!("cannot scan {} from the container engine", self.target);
        let engine = Engine::discover(self.kind).with_context(context)?;
        let archive = engine.export(&self.name).with_context(context)?;
        let location = format!("{} ({})", self.target, engine.endpoint());
        Ok(pipeline.scan_stream_to(archive, &location, platform, sink)?)
    }
}

/// `docker:NAME`, `podman:NAME` or `engine:NAME`.
fn parse_prefixed(text: &str) -> Option<EngineTarget> {
    PREFIXES.iter().find_map(|(prefix, kind)| {
        text.strip_prefix(prefix).map(|name| EngineTarget {
            kind: *kind,
            name: name.to_owned(),
            target: text.to_owned(),
        })
    })
}

/// Whether a local engine (Docker or Podman, see [`EngineKind::Any`]) is reachable and has
/// the image `name`. Any failure (no engine, no permission) counts as "no", so a caller
/// resolving an unprefixed target can move on to the next source.
pub(crate) fn has_image(name: &str) -> bool {
    Engine::discover(EngineKind::Any).and_then(|engine| engine.has_image(name)).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_select_the_engine() {
        let t = parse_prefixed("docker:localhost/app:dev").unwrap();
        assert_eq!((t.kind, t.name.as_str()), (EngineKind::Docker, "localhost/app:dev"));
        assert_eq!(parse_prefixed("podman:x").unwrap().kind, EngineKind::Podman);
        assert_eq!(parse_prefixed("engine:sha256:abc").unwrap().name, "sha256:abc");
        assert_eq!(parse_prefixed("./docker:x"), None);
        assert_eq!(parse_prefixed("image.tar"), None);
    }
}
