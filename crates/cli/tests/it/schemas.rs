//! Validators for the published JSON Schemas and the vendored SARIF 2.1.0 schema.
//!
//! `schemas/sarif-2.1.0-rtm.5.json` is the SARIF 2.1.0 schema as published by SchemaStore
//! (`https://json.schemastore.org/sarif-2.1.0-rtm.5.json`), vendored from the MIT-licensed
//! npm package `@microsoft/jest-sarif` 1.0.0-beta.0 (`lib/schemas/`), which Microsoft's
//! SARIF team publishes to validate SARIF logs in tests. One local change: the two
//! `language` patterns `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` have their stray `]`
//! escaped (`\\]`), which means the same in ECMAScript but is the only way Rust's regex
//! accepts them.

use std::path::Path;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn report_schema_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/schema")
}

/// Resolves `report-v1.schema.json` (referenced by the JSON Lines schema) from the repo.
struct RepoSchemas;

impl Retrieve for RepoSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_owned();
        let path = report_schema_dir().join(&name);
        if name.ends_with(".schema.json") && path.is_file() {
            Ok(read(&path))
        } else {
            Err(format!("no such schema in the repository: {uri}").into())
        }
    }
}

fn validator(schema: &Value) -> Validator {
    jsonschema::options()
        .with_retriever(RepoSchemas)
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("the schema itself is invalid: {e}"))
}

pub(crate) fn report_v1() -> Validator {
    validator(&read(&report_schema_dir().join("report-v1.schema.json")))
}

pub(crate) fn jsonl_v1() -> Validator {
    validator(&read(&report_schema_dir().join("jsonl-v1.schema.json")))
}

pub(crate) fn sarif_2_1_0() -> Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/schemas/sarif-2.1.0-rtm.5.json");
    validator(&read(&path))
}

/// Panics with every error when `doc` is not valid.
pub(crate) fn assert_valid(v: &Validator, doc: &Value) {
    let errors: Vec<String> =
        v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "invalid document:\n{}\n{doc:#}", errors.join("\n"));
}

#[test]
fn the_report_schema_rejects_what_it_should() {
    let v = report_v1();
    let doc: Value = serde_json::json!({ "version": 2 });
    assert!(!v.is_valid(&doc));
    let sarif = sarif_2_1_0();
    assert!(!sarif.is_valid(&serde_json::json!({ "version": "2.1.0", "runs": [{}] })));
}
