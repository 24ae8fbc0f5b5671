//! From hits to findings: one per distinct secret value per image, with every location.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use layerleak_report::{Checksum, ConfigLocation, Finding, Fingerprint, Location, Origin, Secret};
use layerleak_rules::{Confidence, Rule};

use crate::hit::{Hit, RuleRef};

/// What a finding says about its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RuleInfo {
    id: String,
    name: String,
    structural_id: String,
    generic: bool,
    confidence: Confidence,
    checksum: Option<Checksum>,
}

impl RuleInfo {
    fn of(
        rules: &[Rule],
        rule: RuleRef,
        confidence: Confidence,
        checksum: Option<Checksum>,
    ) -> Option<RuleInfo> {
        Some(match rule {
            RuleRef::Engine(i) => {
                let r = rules.get(i)?;
                RuleInfo {
                    id: r.id().to_owned(),
                    name: r.name().to_owned(),
                    structural_id: r.structural_id().to_owned(),
                    generic: r.is_generic(),
                    confidence,
                    checksum,
                }
            }
            RuleRef::Builtin(b) => RuleInfo {
                id: b.id.clone(),
                name: b.name.clone(),
                structural_id: b.structural_id(),
                // Built-in checks go by names and context, like generic rules: a provider
                // rule that recognises the value itself is more specific.
                generic: true,
                confidence,
                checksum,
            },
        })
    }

    /// Higher is more specific: a provider rule over a generic one, then the higher
    /// confidence, then (for a stable choice) the smaller id.
    fn rank(&self) -> (bool, Confidence, Reverse<&str>) {
        (!self.generic, self.confidence, Reverse(self.id.as_str()))
    }
}

/// Collects hits of one image and forms its findings.
#[derive(Debug, Default)]
pub(crate) struct Aggregator {
    groups: BTreeMap<Vec<u8>, (Option<RuleInfo>, BTreeSet<Location>)>,
}

impl Aggregator {
    /// Adds one hit at `location`.
    pub(crate) fn add<S>(&mut self, rules: &[Rule], hit: &Hit<S>, location: Location) {
        let Some(info) = RuleInfo::of(rules, hit.rule, hit.confidence, hit.checksum) else {
            return;
        };
        let (best, locations) = self.groups.entry(hit.secret.clone()).or_default();
        if best.as_ref().is_none_or(|b| info.rank() > b.rank()) {
            *best = Some(info);
        }
        locations.insert(location);
    }

    /// The findings, in secret order (reporters sort them by severity).
    ///
    /// A value of the published-example catalogue ([`layerleak_rules::published_example`])
    /// is public wherever it is: its locations not already shown to be a package's get the
    /// origin `example`, with the publisher and the source.
    pub(crate) fn finish(self) -> Vec<Finding> {
        self.groups
            .into_iter()
            .filter_map(|(secret, (best, locations))| {
                let best = best?;
                let locations = match layerleak_rules::published_example(&secret) {
                    Some(e) => {
                        let source = format!("{}: {}", e.provider, e.source);
                        locations.into_iter().map(|l| as_example(l, &source)).collect()
                    }
                    None => locations,
                };
                Some(Finding {
                    fingerprint: Fingerprint::new(&best.structural_id, &secret),
                    rule_id: best.id,
                    rule_name: best.name,
                    confidence: best.confidence,
                    checksum: best.checksum,
                    secret: Secret::new(secret),
                    locations: locations.into_iter().collect(),
                })
            })
            .collect()
    }
}

/// `location` with the origin `example`, unless a package database already vouches for it.
fn as_example(mut location: Location, source: &str) -> Location {
    let origin = match &mut location {
        Location::Layer(l) => &mut l.origin,
        Location::Config(c) => &mut c.origin,
        Location::File(f) => &mut f.origin,
    };
    if matches!(origin, Origin::Image | Origin::Vendored { .. }) {
        *origin = Origin::Example { source: source.to_owned() };
    }
    location
}

/// A config location (a helper to keep call sites short).
pub(crate) fn config_location(
    image: &str,
    platform: Option<&str>,
    site: crate::hit::ConfigSite,
) -> Location {
    Location::Config(ConfigLocation {
        image: image.to_owned(),
        platform: platform.map(str::to_owned),
        field: site.field,
        key: site.key,
        history_index: site.history_index,
        offset: site.offset,
        context: site.context,
        origin: Origin::Image,
    })
}
