//! Fixtures built in code in the shapes these tests use; the shared ones are in
//! `layerleak-testutil`.
#![allow(dead_code, unreachable_pub)]

use std::io::{self, Read};

use layerleak_testutil::LayerBlob;
use serde_json::{Value, json};

/// An uncompressed layer tar holding `files`.
pub fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// A config JSON for `platform` (`os/arch[/variant]`) with `env`, the layers' diff_ids,
/// `history` and the label `maintainer=test`.
pub fn config_json(platform: &str, env: &[&str], layers: &[LayerBlob], history: Value) -> Vec<u8> {
    layerleak_testutil::config(platform, env, json!({ "maintainer": "test" }), history, layers)
}

/// Reads to the end, returning the bytes read before an error along with the error.
pub fn read_all(mut reader: impl Read) -> (Vec<u8>, Option<io::Error>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 977];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (out, Some(e)),
        }
    }
}

/// History with `empty_layer` steps around `layers` layer-making steps named `RUN step <i>`.
pub fn history_with_empty_steps(layers: usize) -> Value {
    let mut entries = vec![json!({ "created_by": "ARG VERSION=1", "empty_layer": true })];
    for i in 0..layers {
        entries.push(
            json!({ "created_by": format!("RUN step {i}"), "created": "2024-01-01T00:00:00Z" }),
        );
        entries.push(json!({ "created_by": format!("ENV STEP={i}"), "empty_layer": true }));
    }
    Value::Array(entries)
}
