//! The library as another program uses it (issue 14): a [`Converter`] built once reads a
//! report, checks an edited copy and renders it, with no command line.

use nianbao::model::Cell;
use nianbao::write::OutputFormat;
use nianbao::{Converter, Severity};

use crate::common::fixture;

#[test]
fn a_converter_reads_checks_an_edit_and_renders() {
    let converter = Converter::new();
    let report = converter.read(&fixture("huaian-2024/layout.txt")).unwrap();
    let total = "applications.new_received.total";
    assert_eq!(report.tables.cell(total), Some(Cell::Number(3119.0)));
    // As read, the rules hold: checking again finds no error.
    let errors = |d: &[nianbao::Diagnostic]| d.iter().filter(|d| d.severity == Severity::Error).count();
    assert_eq!(errors(&converter.check(&report).unwrap()), 0);

    // An edit that breaks R1: the rule's error names the edited cell among its equation's.
    let mut edited = report.clone();
    assert!(edited.tables.set_cell(total, Cell::Number(3120.0)));
    assert!(
        !edited
            .tables
            .set_cell("applications.no_such_row.total", Cell::Number(1.0))
    );
    let found = converter.check(&edited).unwrap();
    assert!(
        found
            .iter()
            .any(|d| d.code == "R1" && d.severity == Severity::Error && d.cells.iter().any(|c| c == total)),
        "{found:?}"
    );
    // Putting it back is clean again.
    edited.tables.set_cell(total, Cell::Number(3119.0));
    assert_eq!(errors(&converter.check(&edited).unwrap()), 0);

    // A cell emptied (a form being filled in) is an error naming it, not a quiet blank; in
    // JSON input too.
    let mut emptied = report.clone();
    let cell = "applications.new_received.natural_person";
    emptied.tables.set_cell(cell, Cell::Blank);
    let blank = |d: &[nianbao::Diagnostic]| {
        d.iter().any(|d| {
            d.severity == Severity::Error
                && d.code == "unresolved"
                && d.cell.as_deref() == Some("applications.new_received")
                && d.cells.iter().any(|c| c == cell)
        })
    };
    assert!(blank(&converter.check(&emptied).unwrap()));
    let json = converter.render(&emptied, OutputFormat::Json).unwrap();
    let back =
        nianbao::report_from_json(std::str::from_utf8(&json.bytes).unwrap(), converter.forms()).unwrap();
    assert!(blank(&back.diagnostics), "{:?}", back.diagnostics);

    // Rendering in memory: the JSON reads back to the same tables, the PDF and DOCX are made.
    let json = converter.render(&report, OutputFormat::Json).unwrap();
    let back =
        nianbao::report_from_json(std::str::from_utf8(&json.bytes).unwrap(), converter.forms()).unwrap();
    assert_eq!(back.tables, report.tables);
    let pdf = converter.render(&report, OutputFormat::Pdf).unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let docx = converter.render(&report, OutputFormat::Docx).unwrap();
    assert!(docx.bytes.starts_with(b"PK"));

    // Writing is atomic and into the named path.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.md");
    converter.write(&report, OutputFormat::Markdown, &out).unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().contains("3119"));
}

#[test]
fn a_missing_font_folder_is_refused_when_the_converter_is_built() {
    let e = Converter::new()
        .with_font_dirs(vec!["/nonexistent/nianbao-fonts".into()])
        .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/nianbao-fonts"), "{e}");
}
