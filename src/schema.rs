//! The JSON Schema (draft 2020-12) of nianbao's report JSON, built from the form definitions:
//! the `tables` part nests row keys exactly as the JSON does (`withheld.state_secret` →
//! `{"withheld": {"state_secret": {…}}}`), with one branch per form version.
//!
//! The schema describes what nianbao writes: every table, row and column is present, and a
//! cell is a number or `null`. (When reading JSON, nianbao also accepts missing rows and
//! columns, which it fills in as blank.)

use serde_json::{Map, Value, json};

use crate::form::{Form, Forms, TableDef};

/// The JSON Schema of a report, for these forms.
pub fn report_schema(forms: &Forms) -> Value {
    let versions: Vec<Value> = forms.forms.iter().map(|f| json!(f.version)).collect();
    let mut section_keys: Vec<String> = Vec::new();
    let mut table_keys: Vec<String> = Vec::new();
    for form in &forms.forms {
        for s in &form.sections {
            if !section_keys.contains(&s.key) {
                section_keys.push(s.key.clone());
            }
        }
        for t in &form.tables {
            if !table_keys.contains(&t.key) {
                table_keys.push(t.key.clone());
            }
        }
    }
    let mut defs = Map::new();
    defs.insert("cell".into(), cell_schema(None));
    defs.insert("section".into(), section_schema(&section_keys));
    defs.insert("block".into(), block_schema(&table_keys));
    defs.insert("diagnostic".into(), diagnostic_schema());
    let mut branches = Vec::new();
    for form in &forms.forms {
        let name = format!("tables_{}", form.version);
        defs.insert(name.clone(), tables_schema(form));
        branches.push(json!({
            "properties": {
                "form": { "const": form.version },
                "tables": { "$ref": format!("#/$defs/{name}") },
            }
        }));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://nianbao.invalid/schema/report.json",
        "title": "nianbao report",
        "description": "政府信息公开工作年度报告 rebuilt into the official form (nianbao JSON)",
        "type": "object",
        "required": ["form", "title", "organization", "year", "sections", "tables", "diagnostics"],
        "additionalProperties": false,
        "properties": {
            "generator": {
                "description": "The program that wrote the file (`nianbao <version>`); a folder walk skips such files",
                "type": "string",
            },
            "form": {
                "description": "The form version",
                "enum": versions,
            },
            "title": { "type": ["string", "null"] },
            "organization": {
                "description": "The issuing body",
                "type": ["string", "null"],
            },
            "year": { "type": ["integer", "null"] },
            "sections": {
                "description": "The untitled preamble (key null) and the numbered sections, in document order",
                "type": "array",
                "items": { "$ref": "#/$defs/section" },
            },
            "tables": { "type": "object" },
            "not_applicable": {
                "description": "Paths of cells that carried a not-applicable mark (/, -, —); they are null in tables",
                "type": "array",
                "items": { "type": "string" },
            },
            "diagnostics": {
                "type": "array",
                "items": { "$ref": "#/$defs/diagnostic" },
            },
        },
        "oneOf": branches,
        "$defs": defs,
    })
}

fn cell_schema(description: Option<String>) -> Value {
    let mut cell = json!({ "type": ["number", "null"] });
    if let Some(d) = description {
        cell["description"] = json!(d);
    }
    cell
}

fn section_schema(keys: &[String]) -> Value {
    let mut key_enum: Vec<Value> = keys.iter().map(|k| json!(k)).collect();
    key_enum.push(Value::Null);
    json!({
        "type": "object",
        "required": ["key", "heading", "blocks"],
        "additionalProperties": false,
        "properties": {
            "key": { "enum": key_enum },
            "heading": { "type": ["string", "null"] },
            "blocks": { "type": "array", "items": { "$ref": "#/$defs/block" } },
        },
    })
}

fn block_schema(table_keys: &[String]) -> Value {
    json!({
        "oneOf": [
            {
                "type": "object",
                "required": ["type", "level", "text"],
                "additionalProperties": false,
                "properties": {
                    "type": { "const": "heading" },
                    "level": { "type": "integer", "minimum": 0, "maximum": 255 },
                    "text": { "type": "string" },
                },
            },
            {
                "type": "object",
                "required": ["type", "text"],
                "additionalProperties": false,
                "properties": {
                    "type": { "const": "paragraph" },
                    "text": { "type": "string" },
                },
            },
            {
                "type": "object",
                "required": ["type", "table"],
                "additionalProperties": false,
                "properties": {
                    "type": { "const": "table" },
                    "table": { "enum": table_keys },
                },
            },
        ],
    })
}

fn diagnostic_schema() -> Value {
    json!({
        "type": "object",
        "required": ["severity", "code", "message"],
        "additionalProperties": false,
        "properties": {
            "severity": { "enum": ["info", "warning", "error"] },
            "code": {
                "description": "A stable code (form_detected, inferred, encoding_detected …) or a rule id (R1 … R7)",
                "type": "string",
            },
            "message": { "type": "string" },
            "line": { "type": "integer", "minimum": 1 },
            "cell": {
                "description": "A cell, row or table path inside tables: applications.new_received.total",
                "type": "string",
            },
            "cells": {
                "description": "Every cell the diagnostic puts in doubt, when more than `cell` says: for a failing rule (R1–R4) all cells of its equation, while `cell` names the row or table the equation lies in",
                "type": "array",
                "items": { "type": "string" },
            },
        },
    })
}

/// One form's `tables` object.
fn tables_schema(form: &Form) -> Value {
    let mut props = Map::new();
    for t in &form.tables {
        props.insert(t.key.clone(), table_schema(t));
    }
    object(props, Some(format!("The tables of form {}", form.version)))
}

/// A table: its dotted row keys nested into objects, each row an object of cells.
fn table_schema(def: &TableDef) -> Value {
    // Build the nesting as a tree of maps first: a node is either a group or a row.
    let mut root = Map::new();
    for row in def.rows() {
        let parts: Vec<&str> = row.def.key.split('.').collect();
        let mut node = &mut root;
        for part in &parts[..parts.len() - 1] {
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            node = entry.as_object_mut().expect("a group of rows");
        }
        let mut cells = Map::new();
        for c in &row.block.columns {
            let mut label = c.label.clone();
            if c.signed {
                label.push_str(" (signed)");
            }
            cells.insert(
                c.key.clone(),
                json!({ "$ref": "#/$defs/cell", "description": label }),
            );
        }
        let leaf = object(cells, Some(row.def.label.clone()));
        node.insert(parts[parts.len() - 1].to_string(), json!({ "__row": leaf }));
    }
    to_schema(root, None)
}

fn to_schema(tree: Map<String, Value>, description: Option<String>) -> Value {
    let mut props = Map::new();
    for (k, v) in tree {
        let schema = match v {
            Value::Object(mut m) if m.contains_key("__row") => m.remove("__row").expect("row"),
            Value::Object(m) => to_schema(m, None),
            other => other,
        };
        props.insert(k, schema);
    }
    object(props, description)
}

fn object(props: Map<String, Value>, description: Option<String>) -> Value {
    let required: Vec<Value> = props.keys().map(|k| json!(k)).collect();
    let mut schema = json!({
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "properties": props,
    });
    if let Some(d) = description {
        schema["description"] = json!(d);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_nest_like_the_json() {
        let schema = report_schema(&Forms::builtin());
        let t = &schema["$defs"]["tables_2021"]["properties"]["applications"]["properties"];
        let leaf = &t["withheld"]["properties"]["state_secret"]["properties"]["natural_person"];
        assert_eq!(leaf["$ref"], "#/$defs/cell");
        assert!(
            schema["$defs"]["tables_2019"]["properties"]["applications"]["properties"]["other_handling"]
                .is_object()
        );
        assert_eq!(schema["oneOf"].as_array().unwrap().len(), 2);
    }
}
