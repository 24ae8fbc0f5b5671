//! [`Target`]: what `layerleak audit TARGET` audits, and [`TagFilter`]: which tags of a
//! repository.

use layerleak_image::registry::{ImageReference, without_userinfo};
use regex_automata::meta::Regex;

use crate::Error;

/// An audit target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A whole registry (`HOST[:PORT]`): every repository its `_catalog` lists.
    Registry(String),
    /// A repository (`HOST/REPO`, or a Docker Hub name such as `python` →
    /// `docker.io/library/python`): its tags, as [`TagFilter`] selects them.
    Repository(ImageReference),
    /// One image, by tag or digest.
    Image(ImageReference),
}

impl Target {
    /// Reads a target: a reference with a tag or digest is an image; a host alone
    /// (a name with a dot, `localhost`, or with a port) is a registry; anything else is a
    /// repository.
    ///
    /// # Errors
    ///
    /// [`Error::Target`] when the text is none of these.
    pub fn parse(text: &str) -> Result<Target, Error> {
        let bad = |reason: String| Error::Target { target: without_userinfo(text), reason };
        let last = text.rsplit('/').next().unwrap_or(text);
        if !text.contains('/') && !text.contains('@') && is_host(text) {
            return Ok(Target::Registry(text.to_owned()));
        }
        let reference = ImageReference::parse(text).map_err(|e| bad(e.to_string()))?;
        if text.contains('@') || last.contains(':') {
            Ok(Target::Image(reference))
        } else {
            Ok(Target::Repository(reference))
        }
    }
}

/// Whether `text` (no `/`) names a registry host rather than a Docker Hub image:
/// `localhost`, a name with a dot, or either with a numeric port.
fn is_host(text: &str) -> bool {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && !host.is_empty() && (host == "localhost" || host.contains('.'))
}

/// Which tags of a repository are audited (`--tags`).
#[derive(Debug, Clone)]
pub enum TagFilter {
    /// Every tag.
    All,
    /// Only `latest` (when the repository has it).
    Latest,
    /// Tags the regular expression matches whole.
    Regex(Box<Regex>),
    /// The N tags whose image config has the latest `created` date (each tag's manifest
    /// and config are fetched to know it; tags without a date come last).
    Newest(usize),
}

impl TagFilter {
    /// Reads `all`, `latest` or a regular expression (matched against the whole tag).
    ///
    /// # Errors
    ///
    /// [`Error::Tags`] for an invalid expression or `0-newest`.
    pub fn parse(value: &str) -> Result<TagFilter, Error> {
        let bad = |reason: String| Error::Tags { value: value.to_owned(), reason };
        match value {
            "all" => Ok(TagFilter::All),
            "latest" => Ok(TagFilter::Latest),
            v if v.strip_suffix("-newest").is_some_and(|n| n.parse::<u32>().is_ok()) => {
                match v.trim_end_matches("-newest").parse::<usize>() {
                    Ok(0) | Err(_) => Err(bad("N-newest needs N of at least 1".to_owned())),
                    Ok(n) => Ok(TagFilter::Newest(n)),
                }
            }
            v => Regex::new(&format!("^(?:{v})$"))
                .map(|r| TagFilter::Regex(Box::new(r)))
                .map_err(|e| bad(e.to_string())),
        }
    }

    /// The tags of `tags` this filter selects by name, in their order
    /// ([`TagFilter::Newest`] selects by date, see [`newest`]: all are kept here).
    pub fn select(&self, tags: Vec<String>) -> Vec<String> {
        match self {
            TagFilter::All | TagFilter::Newest(_) => tags,
            TagFilter::Latest => tags.into_iter().filter(|t| t == "latest").collect(),
            TagFilter::Regex(r) => tags.into_iter().filter(|t| r.is_match(t.as_str())).collect(),
        }
    }
}

/// The `n` tags of `dated` (tag, config `created` as written) with the latest dates, newest
/// first; tags without a valid date come after all dated ones, by name.
pub fn newest(mut dated: Vec<(String, Option<String>)>, n: usize) -> Vec<String> {
    let key = |created: &Option<String>| created.as_deref().and_then(crate::created::instant);
    dated.sort_by(|(ta, ca), (tb, cb)| key(cb).cmp(&key(ca)).then_with(|| ta.cmp(tb)));
    dated.into_iter().take(n).map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> &'static str {
        match Target::parse(text).unwrap() {
            Target::Registry(_) => "registry",
            Target::Repository(_) => "repository",
            Target::Image(_) => "image",
        }
    }

    #[test]
    fn targets_by_shape() {
        assert_eq!(kind("127.0.0.1:5000"), "registry");
        assert_eq!(kind("localhost:5000"), "registry");
        assert_eq!(kind("registry.example.com"), "registry");
        assert_eq!(kind("127.0.0.1:5000/app"), "repository");
        assert_eq!(kind("python"), "repository");
        assert_eq!(kind("alpine:3"), "image");
        assert_eq!(kind("127.0.0.1:5000/team/app:v1"), "image");
        assert_eq!(
            kind(
                "127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ),
            "image"
        );
        let Target::Repository(r) = Target::parse("python").unwrap() else { unreachable!() };
        assert_eq!(r.repository(), "library/python");
        assert!(Target::parse("Not A Ref!").is_err());
    }

    #[test]
    fn tag_filters() {
        let tags =
            || vec!["latest".to_owned(), "v1".to_owned(), "v10".to_owned(), "dev".to_owned()];
        assert_eq!(TagFilter::parse("all").unwrap().select(tags()).len(), 4);
        assert_eq!(TagFilter::parse("latest").unwrap().select(tags()), ["latest"]);
        assert_eq!(TagFilter::parse("v[0-9]").unwrap().select(tags()), ["v1"]);
        assert!(matches!(TagFilter::parse("3-newest").unwrap(), TagFilter::Newest(3)));
        assert!(TagFilter::parse("0-newest").is_err());
        let dated = |t: &str, c: Option<&str>| (t.to_owned(), c.map(str::to_owned));
        let tags = vec![
            dated("a", Some("2024-01-01T00:00:00Z")),
            dated("b", None),
            dated("c", Some("2024-01-01T01:30:00+02:00")),
            dated("d", Some("2024-03-01T00:00:00.5Z")),
            dated("e", Some("not a date")),
        ];
        assert_eq!(newest(tags.clone(), 2), ["d", "a"]);
        assert_eq!(newest(tags, 9), ["d", "a", "c", "b", "e"]);
        assert!(TagFilter::parse("(").is_err());
    }
}
