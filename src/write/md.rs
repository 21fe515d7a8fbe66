//! The Markdown writer: headings and paragraphs as Markdown, the official tables as HTML
//! tables inside it (pipe tables cannot merge cells).

use std::fmt::Write;

use super::Context;
use crate::model::{Block, Report};
use crate::present::grid::{CellRole, report_grid};

pub fn to_string(report: &Report, ctx: &Context) -> String {
    let mut out = String::new();
    if let Some(title) = &report.title {
        let _ = writeln!(out, "# {title}\n");
    }
    for section in &report.sections {
        if let Some(h) = &section.heading {
            let _ = writeln!(out, "## {h}\n");
        }
        for block in &section.blocks {
            match block {
                Block::Heading { level, text } => {
                    let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level) + 1));
                }
                Block::Paragraph { text } => {
                    let _ = writeln!(out, "{text}\n");
                }
                Block::Table { table } => {
                    if let Some(def) = ctx
                        .form
                        .table(table)
                        .filter(|_| report.tables.get(table).is_some())
                    {
                        // Doubtful cells carry their mark and the table its note, as on paper.
                        let grid = report_grid(def, report);
                        out.push_str(&html_table(&grid));
                        out.push('\n');
                        if let Some(note) = grid.note() {
                            let _ = writeln!(out, "{note}\n");
                        }
                    }
                }
            }
        }
    }
    out
}

fn html_table(grid: &crate::present::grid::PrintGrid) -> String {
    let mut out = String::from("<table>\n");
    for r in 0..grid.rows {
        out.push_str("<tr>");
        for cell in grid.row_cells(r) {
            let tag = if matches!(cell.role, CellRole::Header | CellRole::Caption) {
                "th"
            } else {
                "td"
            };
            out.push('<');
            out.push_str(tag);
            if cell.rowspan > 1 {
                let _ = write!(out, " rowspan=\"{}\"", cell.rowspan);
            }
            if cell.colspan > 1 {
                let _ = write!(out, " colspan=\"{}\"", cell.colspan);
            }
            let _ = write!(out, ">{}{}</{tag}>", escape(&cell.text), cell.doubt.mark());
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Severity};
    use crate::form::Forms;
    use crate::model::{Cell, Section, Tables};

    #[test]
    fn doubtful_cells_carry_the_print_marks_and_the_note() {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let mut tables = Tables::empty(form);
        tables
            .get_mut("active_disclosure")
            .unwrap()
            .set(0, 0, Cell::Number(7.0));
        let mut report = Report {
            form: "2021".into(),
            title: None,
            organization: None,
            year: None,
            sections: vec![Section {
                key: None,
                heading: None,
                blocks: vec![Block::Table {
                    table: "active_disclosure".into(),
                }],
            }],
            tables,
            not_applicable: Vec::new(),
            diagnostics: Vec::new(),
        };
        let style = crate::style::Style::builtin();
        let ctx = Context {
            form,
            style: &style,
            font_dirs: Vec::new(),
        };
        let clean = to_string(&report, &ctx);
        assert!(clean.contains("<td>7</td>") && !clean.contains("注："));
        report
            .diagnostics
            .push(Diagnostic::new(Severity::Error, "R7", "x").cell("active_disclosure.regulations.issued"));
        let marked = to_string(&report, &ctx);
        assert!(marked.contains("<td>7▲</td>"), "{marked}");
        assert!(marked.contains("注：表中标▲的单元格不符合勾稽关系。"), "{marked}");
    }
}
