//! The paginated lists of the distribution API: a repository's tags
//! (`GET /v2/<name>/tags/list?n=…`) and a registry's repositories (`GET /v2/_catalog?n=…`),
//! each page read whole through the bounded reader and the next one named by the `Link`
//! header (`<…?n=…&last=…>; rel="next"`).

use std::collections::HashSet;

use serde::Deserialize;

use crate::registry::error::RegistryError;
use crate::registry::transport::{Target, Transport};

/// The largest page read, in bytes.
const MAX_PAGE_BYTES: u64 = 4 << 20;

/// The most names one list may hold (tags of a repository, repositories of a registry):
/// a registry that pages forever is stopped here with an error.
pub const MAX_LISTED: usize = 1_000_000;

/// Which list.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Listed {
    /// `tags/list`: `{"name": …, "tags": […]}`.
    Tags,
    /// `_catalog`: `{"repositories": […]}`.
    Repositories,
}

/// One page of either list (`tags` may be `null` for a repository without tags).
#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

/// Every name of the list whose first page is `first` (the path and query after `/v2/`).
pub(crate) async fn list(
    transport: &Transport,
    first: String,
    what: Listed,
) -> Result<Vec<String>, RegistryError> {
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(first);
    while let Some(path) = next.take() {
        let bad = |reason: String| RegistryError::BadListing {
            registry: transport.host().to_owned(),
            what: format!("list {path}"),
            reason,
        };
        if !seen.insert(path.clone()) {
            return Err(bad("the Link header names a page already read".to_owned()));
        }
        let (body, link) = transport.fetch_page(Target::Listing(&path), MAX_PAGE_BYTES).await?;
        let page: Page =
            serde_json::from_slice(&body).map_err(|e| bad(format!("not a list page: {e}")))?;
        let page = match what {
            Listed::Tags => page.tags,
            Listed::Repositories => page.repositories,
        };
        names.extend(page.unwrap_or_default());
        if names.len() > MAX_LISTED {
            return Err(bad(format!("more than {MAX_LISTED} names")));
        }
        next = match link.as_deref().map(next_page) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(path))) => Some(path),
            Some(Err(reason)) => return Err(bad(reason)),
        };
    }
    Ok(names)
}

/// The path and query after `/v2/` of the `rel="next"` page a `Link` header names, if any.
/// Only a reference on the same registry is followed: a path (`/v2/…`), as the
/// distribution spec's registries send it.
fn next_page(link: &str) -> Result<Option<String>, String> {
    for part in link.split(',') {
        let Some((target, params)) =
            part.trim().strip_prefix('<').and_then(|rest| rest.split_once('>'))
        else {
            continue;
        };
        let next = params
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("rel="))
            .any(|rel| rel.trim_matches('"').split(' ').any(|r| r == "next"));
        if !next {
            continue;
        }
        return match target.strip_prefix("/v2/") {
            Some(path) if !path.is_empty() => Ok(Some(path.to_owned())),
            _ => Err(format!(
                "the Link header's next page is not a path on this registry: {:?}",
                target.chars().take(200).collect::<String>()
            )),
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_of_link_headers() {
        assert_eq!(
            next_page(r#"</v2/app/tags/list?last=b&n=2>; rel="next""#),
            Ok(Some("app/tags/list?last=b&n=2".to_owned()))
        );
        assert_eq!(
            next_page(r#"</v2/_catalog?n=1&last=a>; rel=next"#).unwrap().unwrap(),
            "_catalog?n=1&last=a"
        );
        assert_eq!(next_page(r#"</v2/x>; rel="prev""#), Ok(None));
        assert!(next_page(r#"<https://evil.example/v2/x>; rel="next""#).is_err());
    }
}
