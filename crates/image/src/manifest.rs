//! Descriptors, media types, and parsing of image indexes and manifests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::json_error::JsonError;
use crate::json_limits::{Present, capped_map, capped_vec, lenient_string};
use crate::platform::Platform;

/// Media types this crate recognises.
pub mod media_type {
    /// OCI image index.
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// OCI image config.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// OCI uncompressed layer.
    pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    /// OCI gzip layer.
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// OCI zstd layer.
    pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// Docker manifest list (the Docker name for an index).
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// Docker image manifest, schema 2.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// Docker image manifest, schema 1 (unsupported).
    pub const DOCKER_MANIFEST_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    /// Docker image manifest, signed schema 1 (unsupported).
    pub const DOCKER_MANIFEST_V1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";
    /// Docker image config.
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    /// Docker uncompressed layer (as written by `docker save`).
    pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
    /// Docker gzip layer.
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

/// The annotation Docker puts on attestation manifests in an index.
pub const DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming an image in an OCI layout's `index.json` (a tag or a full name).
pub const OCI_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The annotation containerd (and Docker ≥ 25 `docker save`) uses for the full image name.
pub const CONTAINERD_IMAGE_NAME: &str = "io.containerd.image.name";

/// The most annotations a descriptor may carry.
pub const MAX_ANNOTATIONS: usize = 256;
/// The most entries an index, or layers a manifest, may list (before entries repeating a
/// digest are merged).
pub const MAX_DESCRIPTORS: usize = 10_000;

/// A reference to a blob: its media type, digest and size, as in an OCI descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced blob. For blobs without a declared type (legacy
    /// `docker save`), a type sniffed from the content.
    #[serde(default)]
    pub media_type: String,
    /// Digest of the blob *as stored* (compressed bytes for a compressed layer).
    pub digest: Digest,
    /// Size of the blob as stored, in bytes.
    pub size: u64,
    /// Platform, for entries of an index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Annotations (at most [`MAX_ANNOTATIONS`]; a descriptor with more is malformed).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "capped_map::<MAX_ANNOTATIONS, _>"
    )]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// Whether this index entry is an attestation manifest (Docker's `unknown/unknown`
    /// platform, or the `vnd.docker.reference.type: attestation-manifest` annotation).
    pub fn is_attestation(&self) -> bool {
        self.annotations.get(DOCKER_REFERENCE_TYPE).is_some_and(|t| t == "attestation-manifest")
            || self.platform.as_ref().is_some_and(Platform::is_unknown)
    }

    /// The image name this `index.json` entry carries, if any (`io.containerd.image.name`
    /// first, then `org.opencontainers.image.ref.name`).
    pub fn image_name(&self) -> Option<&str> {
        self.annotations
            .get(CONTAINERD_IMAGE_NAME)
            .or_else(|| self.annotations.get(OCI_REF_NAME))
            .map(String::as_str)
    }
}

/// An image index or Docker manifest list.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    #[serde(default, deserialize_with = "capped_vec::<MAX_DESCRIPTORS, _, _>")]
    pub(crate) manifests: Vec<Descriptor>,
}

/// An image manifest (OCI or Docker schema 2).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    pub(crate) config: Descriptor,
    #[serde(default, deserialize_with = "capped_vec::<MAX_DESCRIPTORS, _, _>")]
    pub(crate) layers: Vec<Descriptor>,
    #[serde(default)]
    pub(crate) artifact_type: Option<String>,
}

impl Manifest {
    /// Whether this manifest describes a container image rather than another artifact
    /// (a signature, an SBOM, a Helm chart...).
    pub(crate) fn is_image(&self) -> bool {
        self.artifact_type.is_none()
            && matches!(
                self.config.media_type.as_str(),
                media_type::OCI_CONFIG | media_type::DOCKER_CONFIG
            )
    }
}

/// A parsed manifest-or-index document.
#[derive(Clone, Debug)]
pub(crate) enum Document {
    Index(Index),
    Manifest(Box<Manifest>),
}

/// Just enough of a document to decide what it is.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    schema_version: Option<SchemaVersion>,
    #[serde(default, deserialize_with = "lenient_string")]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Present>,
    #[serde(default)]
    layers: Option<Present>,
    #[serde(default)]
    fs_layers: Option<Present>,
}

/// `schemaVersion`: only whether it is the number 1 matters; anything else is skipped
/// without being built.
#[derive(Clone, Copy, Debug)]
struct SchemaVersion(bool);

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SchemaVersion;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(v == 1))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(false))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(false))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(false))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(false))
            }
            fn visit_unit<E>(self) -> std::result::Result<SchemaVersion, E> {
                Ok(SchemaVersion(false))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<SchemaVersion, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(SchemaVersion(false))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<SchemaVersion, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(SchemaVersion(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses a manifest or index.
///
/// The type is taken from the document's own `mediaType`, else from the descriptor's
/// (`declared`), else from its shape (`manifests` → index, `layers` → manifest).
/// `image` and `location` (a digest or a file name) name the document in errors.
pub(crate) fn parse_document(
    bytes: &[u8],
    declared: Option<&str>,
    image: &str,
    location: &str,
) -> Result<Document> {
    let malformed = |what, e: serde_json::Error| Error::MalformedManifest {
        image: image.to_owned(),
        what,
        location: location.to_owned(),
        source: JsonError::new(&e),
    };
    let unsupported = |media_type: &str, reason| Error::UnsupportedManifest {
        image: image.to_owned(),
        location: location.to_owned(),
        media_type: media_type.to_owned(),
        reason,
    };
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| malformed("manifest", e))?;
    let media_type = probe.media_type.as_deref().or(declared.filter(|d| !d.is_empty()));
    let is_schema1 =
        probe.schema_version.is_some_and(|SchemaVersion(one)| one) || probe.fs_layers.is_some();
    match media_type {
        Some(media_type::OCI_INDEX | media_type::DOCKER_MANIFEST_LIST) => {
            serde_json::from_slice(bytes)
                .map(Document::Index)
                .map_err(|e| malformed("image index", e))
        }
        Some(media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST) => {
            serde_json::from_slice(bytes)
                .map(|m| Document::Manifest(Box::new(m)))
                .map_err(|e| malformed("manifest", e))
        }
        Some(mt @ (media_type::DOCKER_MANIFEST_V1 | media_type::DOCKER_MANIFEST_V1_SIGNED)) => {
            Err(unsupported(
                mt,
                "Docker schema 1 manifests are not supported; re-push or re-save the image with a current tool",
            ))
        }
        Some(mt) => Err(unsupported(mt, "not an image index or image manifest media type")),
        None if is_schema1 => Err(unsupported(
            "unknown",
            "Docker schema 1 manifests are not supported; re-push or re-save the image with a current tool",
        )),
        None if probe.manifests.is_some() => serde_json::from_slice(bytes)
            .map(Document::Index)
            .map_err(|e| malformed("image index", e)),
        None if probe.layers.is_some() => serde_json::from_slice(bytes)
            .map(|m| Document::Manifest(Box::new(m)))
            .map_err(|e| malformed("manifest", e)),
        None => Err(unsupported("unknown", "no media type and neither `manifests` nor `layers`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str, declared: Option<&str>) -> Result<Document> {
        parse_document(json.as_bytes(), declared, "img", "loc")
    }

    #[test]
    fn kinds_by_media_type_and_shape() {
        let digest = Digest::sha256_of(b"c");
        let manifest = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{}","digest":"{digest}","size":1}},"layers":[]}}"#,
            media_type::OCI_CONFIG
        );
        assert!(matches!(parse(&manifest, None), Ok(Document::Manifest(_))));
        assert!(matches!(
            parse(r#"{"schemaVersion":2,"manifests":[]}"#, None),
            Ok(Document::Index(_))
        ));
        let err = parse(r#"{"schemaVersion":1,"fsLayers":[]}"#, None).unwrap_err();
        assert!(err.to_string().contains("schema 1"), "{err}");
        let err = parse(r#"{"mediaType":"text/plain"}"#, None).unwrap_err();
        assert!(matches!(err, Error::UnsupportedManifest { .. }));
        assert!(matches!(parse("{", None), Err(Error::MalformedManifest { .. })));
    }
}
