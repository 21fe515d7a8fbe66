//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The seed reports: (stem, path).
pub fn seeds() -> Vec<(String, PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

/// A nested JSON object flattened to `a.b.c` paths.
pub fn flatten(value: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// Every cell of `expected` (a `tables` object) against the report's, as mismatch lines.
pub fn table_mismatches(report: &nianbao::Report, expected: &Value) -> Vec<String> {
    let got = serde_json::to_value(&report.tables).unwrap();
    let got: std::collections::HashMap<String, Value> = flatten(&got).into_iter().collect();
    let mut bad = Vec::new();
    for (path, want) in flatten(expected) {
        let have = got
            .get(&path)
            .cloned()
            .unwrap_or(Value::String("<missing>".into()));
        let same = match (have.as_f64(), want.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            _ => have == want,
        };
        if !same {
            bad.push(format!("{path}: expected {want}, got {have}"));
        }
    }
    bad
}

pub fn read(path: &Path) -> nianbao::Report {
    nianbao::read_report(path, &nianbao::Forms::builtin(), &nianbao::Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
