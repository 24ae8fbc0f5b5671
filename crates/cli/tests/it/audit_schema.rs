//! Validators for the published schemas of `layerleak audit`'s reports
//! (docs/schema/audit-v1.schema.json, docs/schema/audit-jsonl-v1.schema.json).

use std::path::{Path, PathBuf};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema")
}

fn read(name: &str) -> Value {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Resolves the audit schemas' references to each other from the repository.
struct DocsSchemas;

impl Retrieve for DocsSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_owned();
        if name.starts_with("audit") && dir().join(&name).is_file() {
            Ok(read(&name))
        } else {
            Err(format!("no such schema in docs/schema: {uri}").into())
        }
    }
}

fn validator(name: &str) -> Validator {
    jsonschema::options()
        .with_retriever(DocsSchemas)
        .should_validate_formats(true)
        .build(&read(name))
        .unwrap_or_else(|e| panic!("{name} itself is invalid: {e}"))
}

/// Panics with every error when `doc` is not a valid audit JSON report.
pub(crate) fn assert_audit_json(doc: &Value) {
    let errors: Vec<String> =
        validator("audit-v1.schema.json").iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Parses JSON Lines output, each line checked against the JSONL schema.
pub(crate) fn parse_audit_jsonl(text: &str) -> Vec<Value> {
    let v = validator("audit-jsonl-v1.schema.json");
    text.lines()
        .map(|line| {
            let doc: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{line}: {errors:#?}");
            doc
        })
        .collect()
}
