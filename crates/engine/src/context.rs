//! Rejections decided by what surrounds a secret in its match: the key it is assigned to,
//! the name it is a segment of, the host it is a password for.

use crate::placeholder::contains_ignore_case;

/// Key words of pagination and synchronisation cursors: `nextToken`,
/// `NextContinuationToken`, `page_token`, `PaginationToken`. Such a token is an opaque
/// position in a listing that the server handed out; it authenticates nothing. Compared
/// after dropping `_` and `-`, ignoring case.
const CURSOR_KEYS: &[&[u8]] = &[
    b"nexttoken",
    b"continuationtoken",
    b"pagetoken",
    b"paginationtoken",
    b"pagingtoken",
    b"synctoken",
    b"resumptiontoken",
];

/// Whether the key of a generic rule's match names a pagination cursor rather than a
/// credential. `before` is the buffer up to the match's start, `key` the match up to the
/// secret: a rule's keyword can start inside a longer name (`Token` in
/// `NextContinuationToken`), so the name's start is looked for before the match.
///
/// ```text
/// "NextContinuationToken": "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg=="
/// ```
pub(crate) fn names_cursor(before: &[u8], key: &[u8]) -> bool {
    let name_start = before
        .iter()
        .rev()
        .take(64)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    let whole = before[before.len() - name_start..].iter().chain(key);
    let squeezed: Vec<u8> = whole.copied().filter(|b| !matches!(b, b'_' | b'-')).collect();
    CURSOR_KEYS.iter().any(|k| contains_ignore_case(&squeezed, k))
}

/// Whether the value that starts where `before` ends is assigned to a pagination cursor's
/// name (`"nextToken": "` right before it): for the second half of a paired rule, whose
/// pattern takes a value under any name.
pub(crate) fn assigned_to_cursor(before: &[u8]) -> bool {
    let quote_or_blank = |b: &u8| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`');
    let mut end = before.len();
    for _ in 0..8 {
        if end > 0 && quote_or_blank(&before[end - 1]) {
            end -= 1;
        }
    }
    let operator =
        before[..end].iter().rev().take(2).take_while(|b| matches!(b, b':' | b'=' | b'>')).count();
    if operator == 0 {
        return false;
    }
    end -= operator;
    for _ in 0..8 {
        if end > 0 && quote_or_blank(&before[end - 1]) {
            end -= 1;
        }
    }
    names_cursor(&before[..end], b"")
}

/// Whether a generic rule's match starts inside a colon-separated resource name, such as an
/// ARN or a URN, so that its "key" is a segment of the name and its "value" the next one:
/// `arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3`
/// names a secret, it is not one. `before` is the buffer up to the match's start.
///
/// The match must follow a `:` directly, in a run of non-blank, unquoted bytes that holds at
/// least three colons before it (a YAML or properties key never does).
pub(crate) fn in_resource_name(before: &[u8]) -> bool {
    if before.last() != Some(&b':') {
        return false;
    }
    let token = before
        .iter()
        .rev()
        .take(512)
        .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b'`' | b'=' | b','))
        .filter(|&&b| b == b':')
        .count();
    token >= 3
}

/// Whether the bytes after a secret in its match (`@host…` for a URL's userinfo) name a host
/// reserved for documentation by RFC 2606: `example.com`, `example.net`, `example.org`, their
/// subdomains, and the `.example` top-level domain. No service can run there, so a password
/// for it opens nothing.
pub(crate) fn for_documentation_host(after: &[u8]) -> bool {
    let Some(rest) = after.strip_prefix(b"@") else { return false };
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')))
        .unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let host = host.strip_suffix(b".").unwrap_or(&host);
    ["example.com", "example.net", "example.org", "example"].iter().any(|d| {
        host == d.as_bytes()
            || (host.len() > d.len()
                && host.ends_with(d.as_bytes())
                && host[host.len() - d.len() - 1] == b'.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_in_every_spelling() {
        for key in [
            &b"\"nextToken\": \""[..],
            b"\"NextContinuationToken\": \"",
            b"next_page_token = '",
            b"PAGINATION-TOKEN=",
            b"syncToken: ",
        ] {
            assert!(names_cursor(b"", key), "{}", String::from_utf8_lossy(key));
        }
        for key in [&b"\"token\": \""[..], b"access_token=", b"NEXT_AUTH_SECRET=", b"pageSecret: "]
        {
            assert!(!names_cursor(b"", key), "{}", String::from_utf8_lossy(key));
        }
        // The keyword `token` matched inside a longer name.
        assert!(names_cursor(b"{\"NextContinuation", b"Token\": \""));
        assert!(names_cursor(b"next_page", b"_token="));
        assert!(!names_cursor(b"{\"Access", b"Token\": \""));
    }

    #[test]
    fn values_assigned_to_cursors() {
        assert!(assigned_to_cursor(b"  \"nextToken\": \""));
        assert!(assigned_to_cursor(b"next_page_token="));
        assert!(assigned_to_cursor(b"NextContinuationToken: '"));
        assert!(!assigned_to_cursor(b"  \"clientSecret\": \""));
        assert!(!assigned_to_cursor(b"nextToken"));
        assert!(!assigned_to_cursor(b""));
    }

    #[test]
    fn resource_names_but_not_assignments() {
        assert!(in_resource_name(b"\"ARN\": \"arn:aws:secretsmanager:us-west-2:123456789012:"));
        assert!(in_resource_name(b" urn:example:vault:prod:"));
        assert!(!in_resource_name(b"client_secret: "));
        assert!(!in_resource_name(b"spring:\n  datasource:\n    secret:"));
        assert!(!in_resource_name(b"arn:aws:secretsmanager:us-west-2:123456789012:x"));
        assert!(!in_resource_name(b"a:b:"));
    }

    #[test]
    fn documentation_hosts() {
        for after in [
            &b"@www.example.com"[..],
            b"@example.com/path",
            b"@EXAMPLE.ORG:8080",
            b"@db.example",
            b"@nexus.example.net.",
        ] {
            assert!(for_documentation_host(after), "{}", String::from_utf8_lossy(after));
        }
        for after in [
            &b"@example.com.evil.io"[..],
            b"@myexample.com",
            b"@git.acme.io",
            b"@127.0.0.1",
            b"example.com",
            b"",
        ] {
            assert!(!for_documentation_host(after), "{}", String::from_utf8_lossy(after));
        }
    }
}
