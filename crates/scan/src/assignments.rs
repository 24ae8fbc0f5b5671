//! `NAME=value` assignments in echoed strings, and build arguments in history lines.

use std::ops::Range;

/// One `NAME=value` token of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment<'a> {
    /// The name.
    pub(crate) name: &'a str,
    /// The value, without surrounding quotes.
    pub(crate) value: &'a str,
    /// Byte offset of `value` in the line.
    pub(crate) value_start: usize,
    /// Whether it is one of the `|N NAME=value` build arguments that prefix a `RUN` line.
    pub(crate) build_arg: bool,
}

/// The byte range of the `|N A=b C=d` build-argument prefix of a history `created_by` line,
/// and its `N` tokens.
///
/// Docker's classic builder writes `|2 A=b C=d /bin/sh -c cmd`; BuildKit writes
/// `RUN |2 A=b C=d /bin/sh -c cmd # buildkit`. Values with spaces are ambiguous in both
/// formats; each argument is taken as one whitespace-separated token.
pub(crate) fn build_arg_prefix(line: &str) -> Option<Range<usize>> {
    let start = if line.starts_with('|') { 0 } else { line.strip_prefix("RUN |").map(|_| 4)? };
    let rest = &line[start + 1..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let n: usize = rest[..digits].parse().ok()?;
    let mut end = start + 1 + digits;
    for _ in 0..n {
        let after = &line[end..];
        let skip = after.len() - after.trim_start().len();
        let token_len = after[skip..].find(char::is_whitespace).unwrap_or(after.len() - skip);
        end += skip + token_len;
    }
    Some(start..end)
}

/// Every whitespace-separated `NAME=value` token of `line` whose `NAME` is an identifier
/// (letters, digits, `_`, `-`, `.`; not starting with a digit). `export NAME=value`,
/// `ENV NAME=value` and `--build-arg NAME=value` are all found.
pub(crate) fn assignments(line: &str) -> Vec<Assignment<'_>> {
    let args = build_arg_prefix(line);
    let mut out = Vec::new();
    let mut pos = 0;
    for token in line.split(|c: char| c.is_ascii_whitespace()) {
        let start = pos;
        pos += token.len() + 1;
        let Some(eq) = token.find('=') else { continue };
        let name = &token[..eq];
        let valid_name = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid_name {
            continue;
        }
        let (value, quote) = crate::secret_name::unquote(&token[eq + 1..]);
        if value.is_empty() {
            continue;
        }
        out.push(Assignment {
            name,
            value,
            value_start: start + eq + 1 + quote,
            build_arg: args.as_ref().is_some_and(|r| r.contains(&start)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_and_buildkit_build_args() {
        let line = "|2 NPM_TOKEN=npm_abc FOO=bar /bin/sh -c npm ci";
        assert_eq!(build_arg_prefix(line), Some(0..28));
        let a = assignments(line);
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].name, a[0].value, a[0].value_start, a[0].build_arg),
            ("NPM_TOKEN", "npm_abc", 13, true)
        );
        let line = "RUN |1 TOKEN=\"s3cr3t\" /bin/sh -c make # buildkit";
        let a = assignments(line);
        assert_eq!((a[0].name, a[0].value, a[0].build_arg), ("TOKEN", "s3cr3t", true));
        assert_eq!(&line[a[0].value_start..a[0].value_start + 6], "s3cr3t");
        let a = assignments("/bin/sh -c #(nop)  ENV API_KEY=abc");
        assert_eq!((a[0].name, a[0].build_arg), ("API_KEY", false));
        assert_eq!(build_arg_prefix("RUN make"), None);
    }
}
