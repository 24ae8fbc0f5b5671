//! Image configs.

use serde_json::{Value, json};

use crate::blob::LayerBlob;

/// A config JSON for `platform` (`os/arch[/variant]`) with `env`, `labels`, `history`
/// and the layers' `diff_ids`; the command is `/bin/sh`.
#[must_use]
pub fn config(
    platform: &str,
    env: &[&str],
    labels: Value,
    history: Value,
    layers: &[LayerBlob],
) -> Vec<u8> {
    let mut parts = platform.split('/');
    let mut config = json!({
        "os": parts.next().unwrap(),
        "architecture": parts.next().unwrap(),
        "config": { "Env": env, "Cmd": ["/bin/sh"] },
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>() },
    });
    if let Some(variant) = parts.next() {
        config["variant"] = json!(variant);
    }
    config["config"]["Labels"] = labels;
    config["history"] = history;
    serde_json::to_vec(&config).unwrap()
}
