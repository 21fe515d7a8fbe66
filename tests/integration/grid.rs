//! Tables read by grid position: a blank cell of a real grid (HTML with `rowspan`/`colspan`,
//! a Markdown pipe table, a DOCX with `gridSpan`/`vMerge`, `a | b |` lines copied from a
//! rendered table) is a blank cell at its column, not a lost value, and every value stands
//! in the column it is printed in.
//!
//! Each test writes the Huaian report (real non-zero numbers) with the zero cells of tables
//! 三 and 四 left blank, as many real reports print them, reads it back and checks every cell.

use crate::common;

use nianbao::diag::Severity;
use nianbao::model::{Cell, Report};
use nianbao::present::grid::print_grid;
use nianbao::style::Style;
use nianbao::write::{Context, OutputFormat};
use nianbao::{Forms, Options};

/// The tables whose zero cells are printed blank.
const BLANKED: &[&str] = &["applications", "review_litigation"];

/// The Huaian report, and a copy with the zero cells of tables 三 and 四 blank.
fn huaian() -> (Report, Report) {
    let forms = Forms::builtin();
    let report = nianbao::read_report(
        &common::fixture("huaian-2024/layout.txt"),
        &forms,
        &Options::default(),
    )
    .unwrap();
    let mut blanked = report.clone();
    for key in BLANKED {
        let table = blanked.tables.get_mut(key).unwrap();
        for r in 0..table.rows.len() {
            for c in 0..table.rows[r].cells.len() {
                if table.get(r, c) == Cell::Number(0.0) {
                    table.set(r, c, Cell::Blank);
                }
            }
        }
    }
    (report, blanked)
}

fn context<'a>(forms: &'a Forms, style: &'a Style, report: &Report) -> Context<'a> {
    Context {
        form: forms.get(&report.form).unwrap(),
        style,
        font_dirs: Vec::new(),
    }
}

/// Every cell as read back is the printed one; a blank comes back blank, or as the 0 the
/// rules force with a warning naming the cell; no error is raised on the tables.
fn assert_read_back(what: &str, printed: &Report, full: &Report, back: &Report) {
    let mut problems = Vec::new();
    for (key, table) in &printed.tables.0 {
        let got = back.tables.get(key).unwrap();
        let want_full = full.tables.get(key).unwrap();
        for (r, row) in table.rows.iter().enumerate() {
            for (c, (col, cell)) in row.cells.iter().enumerate() {
                let path = format!("{key}.{}.{col}", row.key);
                let out = got.get(r, c);
                let ok = match cell {
                    Cell::Blank => {
                        out == Cell::Blank
                            || (out == want_full.get(r, c)
                                && back.diagnostics.iter().any(|d| {
                                    d.severity == Severity::Warning && d.cell.as_deref() == Some(&path)
                                }))
                    }
                    _ => out == *cell,
                };
                if !ok {
                    problems.push(format!("{path}: printed {cell:?}, read {out:?}"));
                }
            }
        }
    }
    for d in &back.diagnostics {
        if d.severity == Severity::Error {
            problems.push(format!("error {:?}: {}", d.cell, d.message));
        }
    }
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

/// The report as Markdown, each table as a pipe table: one line per grid row, a cell per grid
/// column, the columns a spanned cell covers left empty (as Markdown has no spans).
fn pipe_markdown(report: &Report, forms: &Forms, style: &Style) -> String {
    let ctx = context(forms, style, report);
    let md = nianbao::write::md::to_string(report, &ctx);
    let form = forms.get(&report.form).unwrap();
    let mut out = String::new();
    let mut rest = md.as_str();
    for def in &form.tables {
        let start = rest.find("<table>").unwrap();
        let end = rest.find("</table>").unwrap() + "</table>".len();
        out.push_str(&rest[..start]);
        let grid = print_grid(def, report.tables.get(&def.key).unwrap());
        let mut pos = vec![vec![String::new(); grid.columns]; grid.rows];
        for cell in &grid.cells {
            pos[cell.row][cell.col] = cell.text.clone();
        }
        for (r, row) in pos.iter().enumerate() {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
            if r == 0 {
                out.push_str(&format!("|{}\n", "---|".repeat(grid.columns)));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The report as a text file whose tables were copied from a rendered page: a line per
/// table row, its cells as shown (a spanned cell once) each followed by ` | `, no leading
/// pipe, no separator line; header rows included.
fn pipe_text(report: &Report, forms: &Forms, style: &Style) -> String {
    let ctx = context(forms, style, report);
    let md = nianbao::write::md::to_string(report, &ctx);
    let form = forms.get(&report.form).unwrap();
    let mut out = String::new();
    let mut rest = md.as_str();
    for def in &form.tables {
        let start = rest.find("<table>").unwrap();
        let end = rest.find("</table>").unwrap() + "</table>".len();
        out.push_str(&rest[..start]);
        let grid = print_grid(def, report.tables.get(&def.key).unwrap());
        for r in 0..grid.rows {
            let line: String = grid.row_cells(r).map(|c| format!("{} | ", c.text)).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("# ", "")
}

#[test]
fn html_tables_with_spanned_labels_read_blank_cells_at_their_columns() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (full, printed) = huaian();
    // The Markdown writer writes the tables as HTML with the official rowspan/colspan.
    let md = nianbao::write::md::to_string(&printed, &context(&forms, &style, &printed));
    assert!(md.contains("rowspan=") && md.contains("colspan="));
    let back = nianbao::report_from_text(&md, &forms, &Options::default()).unwrap();
    assert_read_back("html", &printed, &full, &back);
    // 三's first row prints 3001 53 _ _ 61 4 3119: 61 is 法律服务机构, not 科研机构.
    let t = back.tables.get("applications").unwrap();
    assert_eq!(t.get(0, 4), Cell::Number(61.0));
    assert!(matches!(t.get(0, 2), Cell::Blank | Cell::Number(0.0)));
}

#[test]
fn markdown_pipe_tables_with_empty_label_columns_read_blank_cells_at_their_columns() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (full, printed) = huaian();
    let md = pipe_markdown(&printed, &forms, &style);
    assert!(md.contains("| 一、本年新收政府信息公开申请数量 |  |  | 3001 | 53 |  |  | 61 |"));
    let back = nianbao::report_from_text(&md, &forms, &Options::default()).unwrap();
    assert_read_back("markdown", &printed, &full, &back);
    // The rows printed all blank are found by their labels, not lost.
    assert!(!back.diagnostics.iter().any(|d| d.code == "row_missing"));
}

#[test]
fn docx_tables_with_grid_span_and_vmerge_read_blank_cells_at_their_columns() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (full, printed) = huaian();
    let bytes = OutputFormat::Docx
        .render(&printed, &context(&forms, &style, &printed))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.docx");
    std::fs::write(&path, bytes).unwrap();
    let raw = nianbao::read::read_path(&path).unwrap();
    // The writer merges the label cells (gridSpan, vMerge): the reader keeps grid columns.
    assert!(raw.blocks.iter().any(|b| matches!(b,
        nianbao::read::RawBlock::Row { cells, exact: true, .. }
            if cells.len() == 10 && cells[0].is_empty() && cells[2] == "1.属于国家秘密")));
    let back = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
    assert_read_back("docx", &printed, &full, &back);
}

#[test]
fn pipe_lines_with_header_rows_read_as_grid_rows() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (full, printed) = huaian();
    for (what, report) in [("pipe text", &full), ("pipe text with blanks", &printed)] {
        let text = pipe_text(report, &forms, &style);
        assert!(text.contains("\n规章 | 1 | 0 | 11 |\n"), "{text}");
        assert!(text.contains("\n自然人 | 法人或其他组织 | 总计 |\n"));
        let back = nianbao::report_from_text(&text, &forms, &Options::default()).unwrap();
        assert_read_back(what, report, &full, &back);
        // A `|` is a cell edge, never an OCR-repaired digit 1.
        assert!(
            !back.diagnostics.iter().any(|d| d.code == "digit_repaired"),
            "{what}: {:?}",
            back.diagnostics
        );
    }
}

#[test]
fn a_pipe_line_is_a_row_and_prose_with_one_pipe_is_not() {
    let doc = nianbao::read::read_text("规章 | 1 |  | 11 |\n| 行政许可 | 5\n网址 a|b 一段\n").unwrap();
    let rows: Vec<(Vec<&str>, bool)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            nianbao::read::RawBlock::Row { cells, exact, .. } => {
                Some((cells.iter().map(String::as_str).collect(), *exact))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        rows,
        [(vec!["规章", "1", "", "11"], true), (vec!["行政许可", "5"], true)]
    );
}

/// A Markdown row short of its last cell (`| | （二）部分公开… | | 447 | 7 | … |`, 454 left
/// out) has as many cells after its label as the row has columns, but the first is a label
/// column: its values are not shifted one column left; the rules place them or an error
/// names the row.
#[test]
fn a_full_grid_row_short_of_a_cell_is_not_read_shifted() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (_, printed) = huaian();
    let md = pipe_markdown(&printed, &forms, &style);
    let label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）";
    let row = format!("|  | {label} |  | 447 | 7 |  |  |  |  | 454 |");
    assert!(md.contains(&row), "{md}");
    let md = md.replace(&row, &format!("|  | {label} |  | 447 | 7 |  |  |  |  |"));
    let back = nianbao::report_from_text(&md, &forms, &Options::default()).unwrap();
    let t = back.tables.get("applications").unwrap();
    let r = t.rows.iter().position(|r| r.key == "partially_granted").unwrap();
    let flagged = back.diagnostics.iter().any(|d| {
        d.severity == Severity::Error
            && d.cell
                .as_deref()
                .is_some_and(|c| c.starts_with("applications.partially_granted"))
    });
    assert!(
        flagged || (t.get(r, 0) == Cell::Number(447.0) && t.get(r, 6) == Cell::Number(454.0)),
        "{:?}",
        t.rows[r]
    );
    assert_ne!(t.get(r, 1), Cell::Number(447.0));
}
