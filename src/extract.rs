//! Data export: one row per report, with every table cell as a column named by its key
//! path, for analysts turning many reports into one data set.

use std::path::Path;

use serde_json::{Map, Value};

use crate::diag::Severity;
use crate::form::Forms;
use crate::model::fmt_num;
use crate::model::{Cell, Report, cell_path};

/// The columns before the cells.
const FIXED: [&str; 8] = [
    "file",
    "status",
    "organization",
    "year",
    "form",
    "errors",
    "repairs",
    "message",
];

/// One exported row: a report, or a file that could not be read.
pub struct Record<'a> {
    pub file: &'a Path,
    pub result: Result<&'a Report, String>,
}

/// The cell columns: every cell path of every form in use, in form order (newest form
/// first), each once.
pub fn cell_columns(forms: &Forms, records: &[Record]) -> Vec<String> {
    let mut versions: Vec<&str> = records
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|rep| rep.form.as_str()))
        .collect();
    if versions.is_empty() {
        versions.push(&forms.newest().version);
    }
    let mut ordered: Vec<_> = forms
        .forms
        .iter()
        .filter(|f| versions.contains(&f.version.as_str()))
        .collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.first_year));
    let mut out: Vec<String> = Vec::new();
    for form in ordered {
        for table in &form.tables {
            for row in table.rows() {
                for col in &row.block.columns {
                    let path = cell_path(&table.key, &row.def.key, &col.key);
                    if !out.contains(&path) {
                        out.push(path);
                    }
                }
            }
        }
    }
    out
}

fn cell_text(cell: Option<Cell>) -> String {
    match cell {
        Some(Cell::Number(v)) => fmt_num(v),
        Some(Cell::NotApplicable) => "/".into(),
        Some(Cell::Blank) | None => String::new(),
    }
}

fn fields(record: &Record, columns: &[String]) -> Vec<String> {
    let file = record.file.display().to_string();
    match &record.result {
        Ok(report) => {
            let count = |s: Severity| {
                report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == s)
                    .count()
                    .to_string()
            };
            let errors = count(Severity::Error);
            let status = if errors == "0" { "ok" } else { "violations" };
            let mut out = vec![
                file,
                status.into(),
                report.organization.clone().unwrap_or_default(),
                report.year.map(|y| y.to_string()).unwrap_or_default(),
                report.form.clone(),
                errors,
                count(Severity::Warning),
                String::new(),
            ];
            out.extend(columns.iter().map(|p| cell_text(report.tables.cell(p))));
            out
        }
        Err(e) => {
            let mut out = vec![file, "failed".into(), String::new(), String::new(), String::new()];
            out.extend([String::new(), String::new(), e.clone()]);
            out.extend(columns.iter().map(|_| String::new()));
            out
        }
    }
}

/// CSV (RFC 4180), UTF-8. With `excel`, a byte-order mark so Excel reads the Chinese right,
/// and every field that a spreadsheet would evaluate as a formula (one beginning with `=`,
/// `+`, `-`, `@`, a tab or a carriage return, and not a number) is written with a leading `'`,
/// so Excel and WPS show it as text (OWASP, CSV injection); negative numbers stay numbers.
pub fn to_csv(forms: &Forms, records: &[Record], excel: bool) -> String {
    let columns = cell_columns(forms, records);
    let mut out = String::new();
    if excel {
        out.push('\u{feff}');
    }
    let header: Vec<String> = FIXED
        .iter()
        .map(|s| s.to_string())
        .chain(columns.iter().cloned())
        .collect();
    push_csv_line(&mut out, &header);
    for r in records {
        let mut row = fields(r, &columns);
        if excel {
            for f in &mut row {
                defuse_formula(f);
            }
        }
        push_csv_line(&mut out, &row);
    }
    out
}

/// Prefixes `'` to a field a spreadsheet would read as a formula; numbers are left alone.
fn defuse_formula(field: &mut String) {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && field.trim().parse::<f64>().is_err() {
        field.insert(0, '\'');
    }
}

fn push_csv_line(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

/// JSON lines: one object a report, with the same keys as the CSV's columns.
pub fn to_json_lines(forms: &Forms, records: &[Record]) -> String {
    let columns = cell_columns(forms, records);
    let mut out = String::new();
    for r in records {
        let mut map = Map::new();
        let values = fields(r, &columns);
        for (key, value) in FIXED
            .iter()
            .map(|s| s.to_string())
            .chain(columns.iter().cloned())
            .zip(values)
        {
            let v = match key.as_str() {
                "year" | "errors" | "repairs" => value.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
                k if !FIXED.contains(&k) => match (&r.result, value.parse::<f64>()) {
                    (Ok(rep), _) if rep.tables.cell(k) == Some(Cell::NotApplicable) => Value::from("/"),
                    (_, Ok(n)) => serde_json::Number::from_f64(n).map_or(Value::Null, |n| {
                        if n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                            Value::from(n.as_f64().unwrap_or_default() as i64)
                        } else {
                            Value::Number(n)
                        }
                    }),
                    _ => Value::Null,
                },
                _ if value.is_empty() => Value::Null,
                _ => Value::from(value),
            };
            map.insert(key, v);
        }
        out.push_str(&Value::Object(map).to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_column_per_cell_and_quotes_what_it_must() {
        let forms = Forms::builtin();
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/huaian-2024/layout.txt"
        ))
        .unwrap();
        let report = crate::report_from_text(&text, &forms, &Default::default()).unwrap();
        let records = [
            Record {
                file: Path::new("a.txt"),
                result: Ok(&report),
            },
            Record {
                file: Path::new("b,c.txt"),
                result: Err("空文件 (empty)".into()),
            },
        ];
        let csv = to_csv(&forms, &records, true);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("\u{feff}file,status,organization,year,form"));
        assert_eq!(lines[0].split(',').count(), FIXED.len() + 200);
        assert!(lines[1].starts_with("a.txt,ok,淮安市人民政府,2024,2021,0,"));
        assert!(lines[1].contains(",3119,"));
        assert!(lines[2].starts_with("\"b,c.txt\",failed,"));
        // Formula injection: text that would be evaluated is defused, numbers stay numbers.
        let mut hostile = report.clone();
        hostile.organization = Some("=HYPERLINK(\"http://x\",\"y\")".into());
        hostile.tables.0[0].1.set(0, 0, Cell::Number(-5.0));
        let evil = [Record {
            file: Path::new("@evil.txt"),
            result: Ok(&hostile),
        }];
        let csv = to_csv(&forms, &evil, true);
        let row = csv.split("\r\n").nth(1).unwrap();
        assert!(row.starts_with("'@evil.txt,ok,\"'=HYPERLINK("), "{row}");
        assert!(row.contains(",-5,"), "{row}");
        assert!(!row.contains("'-5"), "{row}");
        let plain = to_csv(&forms, &evil, false);
        assert!(plain.split("\r\n").nth(1).unwrap().starts_with("@evil.txt,"));
        let jsonl = to_json_lines(&forms, &records);
        let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first["applications.new_received.total"], 3119);
        assert_eq!(first["active_disclosure.fees.amount"], 96171.6);
    }
}
