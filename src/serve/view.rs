//! What the page draws of a report (a [`Doc`]): the report itself, its status as `check`
//! gives it, and the three tables as the official grid (the form's merges, from
//! [`crate::present::grid`]) with every value cell's provenance, mark and diagnostics.
//!
//! Also the re-check of an edited report ([`recheck`]): the page sends the report as the user
//! now has it and the cells they changed; the form's rules run again on the current values,
//! and what the reading said about cells nobody touched (inferred, repaired, unresolved) stays.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::diag::{Diagnostic, Severity, code, has_errors, is_rule};
use crate::form::Form;
use crate::model::{Cell, Report, Section, Tables};
use crate::present::grid::{CellRole, report_grid};

/// A report as the page shows it. Serialized as the API's `doc` (see `docs/web-api.md`).
#[derive(Debug, Serialize)]
pub struct Doc<'a> {
    pub report: &'a Report,
    pub status: Status,
    pub counts: Counts,
    /// How much work the report still needs, to sort a batch by (higher first): unresolved
    /// and rule cells weigh most, then inferred and placed cells.
    pub attention: usize,
    pub tables: Vec<TableView>,
    pub diagnostics: &'a [Diagnostic],
    /// The input as read, one entry a line (`null` for JSON input and for a re-check).
    pub source: Option<Vec<SourceLine>>,
}

/// The report's status, as `nianbao check` classes it.
#[derive(Debug, Serialize)]
pub struct Status {
    /// `pass`, `repaired` or `errors`.
    pub code: &'static str,
    /// 通过, 有修复, 有违规或未确定.
    pub label: &'static str,
}

/// Value cells by provenance, and the diagnostics by kind.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub inferred: usize,
    pub repaired: usize,
    pub by_position: usize,
    pub edited: usize,
    pub unresolved: usize,
    /// Cells standing in a failing rule.
    pub rule_cells: usize,
    /// Failing rules (one a failing equation).
    pub rules_failing: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// One table of the form as printed.
#[derive(Debug, Serialize)]
pub struct TableView {
    pub key: String,
    /// The section heading it stands under (`三、收到和处理政府信息公开申请情况`).
    pub heading: String,
    /// The note printed under the table when anything in it is in doubt.
    pub note: Option<String>,
    pub columns: usize,
    pub rows: usize,
    pub header_rows: usize,
    /// In reading order; positions covered by a merge have no cell.
    pub cells: Vec<CellView>,
}

/// A cell of the printed grid.
#[derive(Debug, Serialize)]
pub struct CellView {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    /// `caption`, `header`, `label` or `value`.
    pub role: &'static str,
    pub text: String,
    pub vertical: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A value cell's figure (`null`: blank or not applicable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Option<f64>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub na: bool,
    /// `printed`, `repaired`, `inferred`, `by_position`, `edited`, `unresolved`, `rule`,
    /// `blank`: where a value cell's value came from, or why it is in doubt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    /// The printed mark (`※`, `▲`), as the PDF and DOCX print it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub mark: String,
    /// Every diagnostic concerning the cell, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The source line of the cell's value, when a reader or a diagnostic gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A line of the input as read.
#[derive(Debug, Serialize)]
pub struct SourceLine {
    pub line: usize,
    pub text: String,
}

/// The page's view of `report` in `form`; `edited` names the cells the user changed.
pub fn doc<'a>(
    report: &'a Report,
    form: &Form,
    edited: &[String],
    rows: &HashMap<String, usize>,
    source: Option<Vec<SourceLine>>,
) -> Doc<'a> {
    let edited: HashSet<&str> = edited.iter().map(String::as_str).collect();
    let mut counts = Counts::default();
    let mut tables = Vec::new();
    for def in &form.tables {
        let grid = report_grid(def, report);
        let heading = form.section(&def.section).map(|s| s.title()).unwrap_or_default();
        let note = grid.note();
        let cells = grid
            .cells
            .iter()
            .map(|c| {
                let role = match c.role {
                    CellRole::Caption => "caption",
                    CellRole::Header => "header",
                    CellRole::Label => "label",
                    CellRole::Value => "value",
                };
                let mut view = CellView {
                    row: c.row,
                    col: c.col,
                    rowspan: c.rowspan,
                    colspan: c.colspan,
                    role,
                    text: c.text.clone(),
                    vertical: c.vertical,
                    path: c.path.clone(),
                    value: None,
                    na: false,
                    state: None,
                    mark: c.doubt.mark(),
                    notes: Vec::new(),
                    line: None,
                };
                if let Some(path) = &c.path {
                    let cell = report.tables.cell(path).unwrap_or_default();
                    view.value = Some(cell.number());
                    view.na = cell == Cell::NotApplicable;
                    let concerning: Vec<&Diagnostic> =
                        report.diagnostics.iter().filter(|d| d.concerns(path)).collect();
                    let has = |code: &str| concerning.iter().any(|d| d.code == code);
                    let state = if c.doubt.rule {
                        counts.rule_cells += 1;
                        "rule"
                    } else if c.doubt.unresolved {
                        counts.unresolved += 1;
                        "unresolved"
                    } else if edited.contains(path.as_str()) {
                        counts.edited += 1;
                        "edited"
                    } else if has(code::INFERRED) {
                        counts.inferred += 1;
                        "inferred"
                    } else if has(code::ROW_BY_POSITION) {
                        counts.by_position += 1;
                        "by_position"
                    } else if concerning.iter().any(|d| d.severity == Severity::Warning) {
                        counts.repaired += 1;
                        "repaired"
                    } else if cell == Cell::Blank {
                        "blank"
                    } else {
                        "printed"
                    };
                    view.state = Some(state);
                    view.notes = concerning.iter().map(|d| d.to_string()).collect();
                    let row = path.rsplit_once('.').map_or(path.as_str(), |(r, _)| r);
                    view.line = concerning
                        .iter()
                        .find_map(|d| d.line)
                        .or_else(|| rows.get(row).copied());
                }
                view
            })
            .collect();
        tables.push(TableView {
            key: def.key.clone(),
            heading,
            note,
            columns: grid.columns,
            rows: grid.rows,
            header_rows: grid.header_rows,
            cells,
        });
    }
    for d in &report.diagnostics {
        match d.severity {
            Severity::Error => {
                counts.errors += 1;
                if is_rule(&d.code) {
                    counts.rules_failing += 1;
                }
            }
            Severity::Warning => counts.warnings += 1,
            Severity::Info => {}
        }
    }
    let status = if has_errors(&report.diagnostics) {
        Status {
            code: "errors",
            label: "有违规或未确定",
        }
    } else if counts.warnings > 0 {
        Status {
            code: "repaired",
            label: "有修复",
        }
    } else {
        Status {
            code: "pass",
            label: "通过",
        }
    };
    let attention = 3 * counts.unresolved
        + 3 * counts.rule_cells
        + 5 * counts.rules_failing
        + counts.inferred
        + counts.by_position
        + counts.repaired;
    Doc {
        report,
        status,
        counts,
        attention,
        tables,
        diagnostics: &report.diagnostics,
        source,
    }
}

/// The diagnostics of an edited report: what the reading said (`prior`) about cells and
/// fields nobody changed, the reading errors that still explain a blank cell, an error for
/// every blank cell nothing explains (the form has a figure in every cell), and the form's
/// rules run on the values as they now stand. `edited` holds cell paths and the fields
/// `title`, `organization`, `year`, `sections`.
pub fn recheck(report: &mut Report, form: &Form, prior: Vec<Diagnostic>, edited: &[String]) {
    let touched = |d: &Diagnostic| {
        edited.iter().any(|e| d.concerns(e))
            || match d.code.as_str() {
                code::NO_TITLE => edited.iter().any(|e| e == "title"),
                code::NO_ORGANIZATION | code::ORGANIZATION_DOUBTFUL => {
                    edited.iter().any(|e| e == "organization" || e == "title")
                }
                code::NO_YEAR => edited.iter().any(|e| e == "year" || e == "title"),
                code::SECTION_MISSING => edited.iter().any(|e| e == "sections"),
                _ => false,
            }
    };
    let kept: Vec<Diagnostic> = prior
        .into_iter()
        .filter(|d| !is_rule(&d.code) && !touched(d))
        .collect();
    report.diagnostics = kept;
    let reading = crate::read::json::reading_errors(report);
    let others = report.diagnostics.iter().filter(|d| {
        !(d.severity == Severity::Error && matches!(d.code.as_str(), code::UNRESOLVED | code::UNREADABLE))
    });
    let mut diagnostics: Vec<Diagnostic> = others.cloned().collect();
    diagnostics.extend(reading);
    diagnostics.extend(crate::normalize::validate::check(form, report));
    report.diagnostics = diagnostics;
}

/// An empty report of `form` to fill in: every section with its heading (and its table where
/// the form has one), every cell blank.
pub fn empty_report(form: &Form) -> Report {
    let sections = form
        .sections
        .iter()
        .map(|s| Section {
            key: Some(s.key.clone()),
            heading: Some(s.title()),
            blocks: form
                .tables
                .iter()
                .filter(|t| t.section == s.key)
                .map(|t| crate::model::Block::Table { table: t.key.clone() })
                .collect(),
        })
        .collect();
    let mut report = Report {
        form: form.version.clone(),
        title: None,
        organization: None,
        year: None,
        sections,
        tables: Tables::empty(form),
        not_applicable: Vec::new(),
        diagnostics: Vec::new(),
    };
    recheck(&mut report, form, Vec::new(), &[]);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Forms;

    #[test]
    fn an_empty_form_has_every_cell_unresolved_and_no_rule_failing() {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let report = empty_report(form);
        let doc = doc(&report, form, &[], &HashMap::new(), None);
        assert_eq!(doc.status.code, "errors");
        assert_eq!(doc.counts.rules_failing, 0);
        let values: Vec<&CellView> = doc
            .tables
            .iter()
            .flat_map(|t| &t.cells)
            .filter(|c| c.path.is_some())
            .collect();
        assert!(values.len() >= 175 + 15, "{}", values.len());
        assert!(
            values
                .iter()
                .all(|c| c.state == Some("unresolved") && c.mark == "※")
        );
    }

    #[test]
    fn an_edit_breaking_r1_marks_the_equation_and_undoing_it_clears_it() {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let text = std::fs::read_to_string("tests/fixtures/000_7a31bcbeafe9deac.txt").unwrap();
        let mut report = crate::report_from_text(&text, &forms, &Default::default()).unwrap();
        assert!(!has_errors(&report.diagnostics));
        let path = "applications.new_received.natural_person";
        let before = report.tables.cell(path).unwrap();
        set(&mut report, path, Cell::Number(before.number().unwrap() + 5.0));
        let prior = report.diagnostics.clone();
        recheck(&mut report, form, prior, &[path.to_string()]);
        let d = doc(&report, form, &[path.to_string()], &HashMap::new(), None);
        assert_eq!(d.status.code, "errors");
        assert!(d.counts.rules_failing >= 1);
        let cell = d
            .tables
            .iter()
            .flat_map(|t| &t.cells)
            .find(|c| c.path.as_deref() == Some(path))
            .unwrap();
        assert_eq!(cell.state, Some("rule"));
        assert!(cell.mark.contains('▲'));
        set(&mut report, path, before);
        let prior = report.diagnostics.clone();
        recheck(&mut report, form, prior, &[path.to_string()]);
        assert!(!has_errors(&report.diagnostics), "{:?}", report.diagnostics);
    }

    fn set(report: &mut Report, path: &str, value: Cell) {
        let (table, rest) = path.split_once('.').unwrap();
        let (row, col) = rest.rsplit_once('.').unwrap();
        let t = report.tables.get_mut(table).unwrap();
        let r = t.rows.iter_mut().find(|r| r.key == row).unwrap();
        r.cells.iter_mut().find(|c| c.0 == col).unwrap().1 = value;
    }
}
