//! Scanning an image config: ENV, labels, entrypoint/cmd and every history line.

use layerleak_engine::{FnSink, Scanner};
use layerleak_image::ImageConfig;
use layerleak_report::ConfigField;

use crate::assignments::assignments;
use crate::builtin::secret_name_rule;
use crate::hit::{ConfigSite, Hit, RuleRef};
use crate::secret_name::{is_credible_value, is_secret_name};

/// Every secret in `config`.
///
/// - Each `ENV` entry `NAME=value`, each label as `key=value`, the entrypoint and the cmd
///   (joined with spaces), each history `created_by`, and each history `comment` and
///   `author` (a [`ConfigField::History`] keyed `comment` / `author`) is scanned as text
///   with the rules.
/// - A secret-named key (see [`is_secret_name`]) with a credible literal value is a hit of
///   the catalogue's secret-name rule (`layerleak.env.1`) even when no rule matches: env names, label keys, and
///   `NAME=value` tokens of history lines (build arguments `|N NAME=value …`, `ENV`, `ARG`
///   defaults, `export`).
/// - A hit inside the `|N …` build-argument prefix of a history line is a
///   [`ConfigField::BuildArg`] named by the argument; elsewhere in the line it is
///   [`ConfigField::History`], named by the `NAME=value` token it lies in, if any.
pub(crate) fn scan_config(scanner: &Scanner, config: &ImageConfig) -> Vec<Hit<ConfigSite>> {
    let mut hits = Vec::new();
    for entry in &config.env {
        let name = entry.split_once('=').map(|(k, _)| k.to_owned());
        let site = |offset, key: Option<String>| ConfigSite {
            field: ConfigField::Env,
            key: key.or_else(|| name.clone()),
            history_index: None,
            offset,
            context: entry.clone(),
        };
        scan_text(scanner, entry, &mut hits, |offset| site(offset, None));
        named_values(entry, true, &mut hits, |offset, key, _| site(offset, Some(key.to_owned())));
    }
    for (key, value) in &config.labels {
        let text = format!("{key}={value}");
        let site = |offset| ConfigSite {
            field: ConfigField::Label,
            key: Some(key.clone()),
            history_index: None,
            offset,
            context: text.clone(),
        };
        scan_text(scanner, &text, &mut hits, site);
        if is_secret_name(key) {
            push_named(&mut hits, value, key.len() + 1, site);
        }
    }
    for (field, parts) in
        [(ConfigField::Entrypoint, &config.entrypoint), (ConfigField::Cmd, &config.cmd)]
    {
        if parts.is_empty() {
            continue;
        }
        let text = parts.join(" ");
        let site = |offset| ConfigSite {
            field,
            key: None,
            history_index: None,
            offset,
            context: text.clone(),
        };
        scan_text(scanner, &text, &mut hits, site);
        named_values(&text, false, &mut hits, |offset, _, _| site(offset));
    }
    for (i, h) in config.history.iter().enumerate() {
        let Some(line) = h.created_by.as_deref() else { continue };
        let args = assignments(line);
        let site = |offset: u64| {
            let arg = args.iter().find(|a| {
                (a.value_start as u64..(a.value_start + a.value.len()) as u64).contains(&offset)
            });
            ConfigSite {
                field: if arg.is_some_and(|a| a.build_arg) {
                    ConfigField::BuildArg
                } else {
                    ConfigField::History
                },
                key: arg.map(|a| a.name.to_owned()),
                history_index: Some(i),
                offset,
                context: line.to_owned(),
            }
        };
        scan_text(scanner, line, &mut hits, site);
        named_values(line, false, &mut hits, |offset, _, _| site(offset));
    }
    for (i, h) in config.history.iter().enumerate() {
        for (key, text) in [("comment", &h.comment), ("author", &h.author)] {
            let Some(text) = text.as_deref() else { continue };
            let site = |offset| ConfigSite {
                field: ConfigField::History,
                key: Some(key.to_owned()),
                history_index: Some(i),
                offset,
                context: text.to_owned(),
            };
            scan_text(scanner, text, &mut hits, site);
            named_values(text, false, &mut hits, |offset, _, _| site(offset));
        }
    }
    hits
}

/// Runs the rules over `text`.
fn scan_text(
    scanner: &Scanner,
    text: &str,
    hits: &mut Vec<Hit<ConfigSite>>,
    site: impl Fn(u64) -> ConfigSite,
) {
    let mut sink = FnSink(|m: &layerleak_engine::Match<'_>| {
        hits.push(Hit::of_match(m, site(m.secret_span.start)));
        true
    });
    // The sink cannot fail.
    let _ = scanner.scan_slice(text.as_bytes(), &mut sink);
}

/// Hits for secret-named `NAME=value` tokens of `text`; with `whole`, `text` is one
/// `NAME=value` (an ENV entry, whose value may contain spaces).
pub(crate) fn named_values(
    text: &str,
    whole: bool,
    hits: &mut Vec<Hit<ConfigSite>>,
    site: impl Fn(u64, &str, bool) -> ConfigSite,
) {
    if whole {
        if let Some((name, value)) = text.split_once('=')
            && is_secret_name(name)
        {
            let (value, quote) = crate::secret_name::unquote(value);
            push_named(hits, value, name.len() + 1 + quote, |o| site(o, name, false));
        }
        return;
    }
    for a in assignments(text) {
        if is_secret_name(a.name) {
            push_named(hits, a.value, a.value_start, |o| site(o, a.name, a.build_arg));
        }
    }
}

fn push_named(
    hits: &mut Vec<Hit<ConfigSite>>,
    value: &str,
    offset: usize,
    site: impl Fn(u64) -> ConfigSite,
) {
    if is_credible_value(value.as_bytes()) {
        hits.push(Hit {
            rule: RuleRef::Builtin(secret_name_rule()),
            confidence: secret_name_rule().confidence,
            checksum: None,
            secret: value.as_bytes().to_vec(),
            site: site(offset as u64),
        });
    }
}
