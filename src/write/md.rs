//! The Markdown writer: it serializes the report's [`Presentation`]
//! ([`crate::present::present`]): the title a `#` line for each of its printed lines, a
//! heading of level n `#` n + 1 times (`##` for a section of the form, at most `#####`), the
//! paragraphs, and the official tables as HTML tables inside it (pipe tables cannot merge
//! cells), each with the note on its doubtful cells under it.

use std::fmt::Write;

use super::Context;
use super::xml_escape as escape;
use crate::model::Report;
use crate::present::grid::CellRole;
use crate::present::{Item, Presentation, present};

/// The report as Markdown.
pub fn to_string(report: &Report, ctx: &Context) -> String {
    serialize(&present(report, ctx))
}

/// A presentation as Markdown.
pub fn serialize(shown: &Presentation) -> String {
    let mut out = String::new();
    for line in &shown.title {
        let _ = writeln!(out, "# {line}");
    }
    out.push('\n');
    for item in &shown.items {
        match item {
            Item::Heading { level, text, .. } => {
                // Below the title's `#`, and never past Markdown's six levels.
                let hashes = (usize::from(*level) + 1).min(6);
                let _ = writeln!(out, "{} {text}\n", "#".repeat(hashes));
            }
            Item::Paragraph { text } => {
                let _ = writeln!(out, "{text}\n");
            }
            Item::Signature { organization, date } => {
                if let Some(o) = organization {
                    let _ = writeln!(out, "{o}\n");
                }
                let _ = writeln!(out, "{date}\n");
            }
            Item::Table(t) => {
                // Doubtful cells carry their mark and the table its note, as on paper.
                out.push_str(&html_table(&t.grid));
                out.push('\n');
                if let Some(note) = &t.note {
                    let _ = writeln!(out, "{note}\n");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Severity};
    use crate::form::Forms;
    use crate::model::{Block, Cell, Section, Tables};

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
