//! Platforms (`os/arch[/variant]`) and the choice among them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The platform a manifest runs on, as in an OCI index entry or an image config.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// CPU architecture in Go notation, e.g. `amd64`, `arm64`.
    pub architecture: String,
    /// CPU variant, e.g. `v8` for `arm64`, `v7` for `arm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Operating system version (Windows images).
    #[serde(rename = "os.version", default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
}

impl Platform {
    /// A platform from its parts; `arch` is normalised (`x86_64` → `amd64`,
    /// `aarch64` → `arm64`).
    pub fn new(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_ascii_lowercase(),
            architecture: normalize_arch(arch),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_ascii_lowercase),
            os_version: None,
        }
    }

    /// `linux/amd64`, the default platform.
    pub fn linux_amd64() -> Platform {
        Platform::new("linux", "amd64", None)
    }

    /// Parses `os/arch[/variant]`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPlatform`] when a part is missing or empty or there are more than
    /// three.
    pub fn parse(value: &str) -> Result<Platform> {
        let invalid = |reason| Error::InvalidPlatform { value: value.to_owned(), reason };
        let parts: Vec<&str> = value.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(invalid("empty component (expected os/arch[/variant])"));
        }
        match parts.as_slice() {
            [os, arch] => Ok(Platform::new(os, arch, None)),
            [os, arch, variant] => Ok(Platform::new(os, arch, Some(variant))),
            _ => Err(invalid("expected os/arch[/variant]")),
        }
    }

    /// Whether this is the `unknown/unknown` platform Docker gives attestation manifests.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }

    /// The variant, or the one implied when absent (`arm64` → `v8`, `arm` → `v7`).
    pub fn normalized_variant(&self) -> Option<&str> {
        match (self.architecture.as_str(), self.variant.as_deref()) {
            (_, Some(v)) => Some(v),
            ("arm64", None) => Some("v8"),
            ("arm", None) => Some("v7"),
            _ => None,
        }
    }

    /// Whether an image for `self` satisfies a request for `wanted`.
    ///
    /// OS and architecture must be equal (after normalisation). A request without a
    /// variant accepts any variant; a request with one needs the same normalised variant
    /// (`linux/arm64/v8` matches an `arm64` entry without a variant).
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        self.os == wanted.os
            && normalize_arch(&self.architecture) == wanted.architecture
            && (wanted.variant.is_none()
                || self.normalized_variant() == wanted.normalized_variant())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Platform> {
        Platform::parse(s)
    }
}

fn normalize_arch(arch: &str) -> String {
    match arch.to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" => "amd64".to_owned(),
        "aarch64" => "arm64".to_owned(),
        "armhf" | "armel" => "arm".to_owned(),
        "i386" | "i686" => "386".to_owned(),
        other => other.to_owned(),
    }
}

/// Which platform(s) of a multi-platform image to resolve.
///
/// Attestation manifests are never selected, whatever the selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PlatformSelector {
    /// `linux/amd64` when the image offers it; otherwise the only platform the image
    /// offers; otherwise an [`Error::NoMatchingPlatform`] listing what is available.
    #[default]
    Default,
    /// Exactly this platform (see [`Platform::satisfies`]); when several entries satisfy
    /// it, the one with the implied default variant is preferred, then the first.
    Only(Platform),
    /// Every platform.
    All,
}

impl PlatformSelector {
    /// How the selector is shown in errors: `default`, `all` or the platform.
    pub fn describe(&self) -> String {
        match self {
            PlatformSelector::Default => "default (linux/amd64 or the only platform)".to_owned(),
            PlatformSelector::Only(p) => p.to_string(),
            PlatformSelector::All => "all".to_owned(),
        }
    }

    /// Picks the indexes of the selected entries among `platforms` (one per candidate
    /// manifest of one image, in index order).
    ///
    /// Returns an empty vector when nothing matches; the caller turns that into an error
    /// naming the image.
    pub(crate) fn select(&self, platforms: &[Platform]) -> Vec<usize> {
        match self {
            PlatformSelector::All => (0..platforms.len()).collect(),
            PlatformSelector::Only(wanted) => best_match(platforms, wanted).into_iter().collect(),
            PlatformSelector::Default => {
                if let Some(i) = best_match(platforms, &Platform::linux_amd64()) {
                    return vec![i];
                }
                let first = platforms.first();
                if first.is_some_and(|f| platforms.iter().all(|p| p == f)) {
                    // One platform only (possibly in several entries, e.g. two tags of
                    // the same image in one archive): take them all.
                    return (0..platforms.len()).collect();
                }
                Vec::new()
            }
        }
    }
}

fn best_match(platforms: &[Platform], wanted: &Platform) -> Option<usize> {
    let mut matches = platforms.iter().enumerate().filter(|(_, p)| p.satisfies(wanted));
    let first = matches.next()?;
    if wanted.variant.is_some() {
        return Some(first.0);
    }
    let preferred = wanted.normalized_variant();
    std::iter::once(first)
        .chain(matches)
        .find(|(_, p)| p.normalized_variant() == preferred)
        .map_or(Some(first.0), |(i, _)| Some(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap()
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(p("linux/arm64/v8").to_string(), "linux/arm64/v8");
        assert_eq!(p("Linux/x86_64").to_string(), "linux/amd64");
        for bad in ["", "linux", "linux/", "/amd64", "a/b/c/d"] {
            assert!(Platform::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn variants_normalise() {
        assert!(p("linux/arm64").satisfies(&p("linux/arm64/v8")));
        assert!(p("linux/arm64/v8").satisfies(&p("linux/arm64")));
        assert!(!p("linux/arm/v6").satisfies(&p("linux/arm/v7")));
        assert!(!p("linux/amd64").satisfies(&p("linux/arm64")));
    }

    #[test]
    fn selection() {
        let all = [p("linux/arm/v6"), p("linux/arm/v7"), p("linux/amd64")];
        assert_eq!(PlatformSelector::Default.select(&all), vec![2]);
        assert_eq!(PlatformSelector::Only(p("linux/arm")).select(&all), vec![1]);
        assert_eq!(PlatformSelector::Only(p("linux/arm/v6")).select(&all), vec![0]);
        assert_eq!(PlatformSelector::All.select(&all), vec![0, 1, 2]);
        assert_eq!(PlatformSelector::Default.select(&[p("linux/arm64")]), vec![0]);
        assert!(PlatformSelector::Default.select(&all[..2]).is_empty());
        assert!(PlatformSelector::Only(p("windows/amd64")).select(&all).is_empty());
    }
}
