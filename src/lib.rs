//! nianbao (年报): reads Chinese government information-disclosure annual reports
//! (政府信息公开工作年度报告) from text, OCR output, DOCX, PDF or JSON; rebuilds them into the
//! official form with every table cell in its place; checks the form's arithmetic rules;
//! and writes JSON (and, as they land, PDF and DOCX).
//!
//! The pipeline runs one way: [`read`] → [`normalize`] → [`model::Report`] → [`present`] →
//! [`layout`] → [`mod@write`].
//!
//! # Layers
//!
//! Each module uses only the modules of the layers below its own (never one above, nor another
//! of its own layer); `tests/integration/layers.rs` fails on any use against this table.
//! Bottom first:
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 1 | [`error`] | the crate's [`Error`] |
//! | 2 | [`files`], [`diag`], [`form`] | atomic file writing; diagnostics and their marks; the official forms as data |
//! | 3 | [`model`], [`schema`] | the [`Report`], with the not-applicable marks and number formatting; its JSON Schema |
//! | 4 | [`read`] | each input format to a [`read::RawDoc`]; JSON input to a `Report` ([`read::json`]) |
//! | 5 | [`normalize`] | `RawDoc` to `Report`: sections, tables, inference, the rules |
//! | 6 | this file | the pipeline entry: [`read_report`], [`report_from_text`], [`report_from_json`] |
//! | 7 | [`worker`] | reading in a child process |
//! | 8 | [`style`] | the print style |
//! | 9 | [`present`], [`fonts`] | the report as every print output shows it ([`present::Presentation`]: title lines, heading levels, print grids), the render context; the fonts, their index and embedding |
//! | 10 | [`layout`] | pages of placed text |
//! | 11 | [`mod@write`] | JSON, PDF, DOCX, Markdown |
//! | 12 | [`batch`], [`extract`], [`compare`], [`converter`] | many files at once; data export; two years side by side; the library's front door, [`Converter`] |
//! | 13 | [`serve`] (feature `serve`) | the local web page: `nianbao serve` |
//! | 14 | the binary: `main.rs` and `cli.rs` (feature `cli`) | the command line |

pub mod batch;
pub mod compare;
pub mod converter;
pub mod diag;
pub mod error;
pub mod extract;
pub mod files;
pub mod fonts;
pub mod form;
pub mod layout;
pub mod model;
pub mod normalize;
pub mod present;
pub mod read;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod style;
pub mod worker;
pub mod write;

use std::path::Path;

pub use converter::Converter;
pub use diag::{Diagnostic, Severity};
pub use error::{Error, ErrorKind};
pub use form::Forms;
pub use model::Report;
pub use normalize::Options;

/// Reads and normalizes one report from a file, by its format.
///
/// # Errors
/// As [`read_report_with`].
pub fn read_report(path: &Path, forms: &Forms, opts: &Options) -> Result<Report, Error> {
    read_report_with(path, forms, opts, &read::ReadOptions::default())
}

/// [`read_report`] with reading options (a forced text encoding, the limits): JSON through
/// [`read::json::read_path`] and the rules, every other format through its reader and
/// [`normalize::normalize`].
///
/// # Errors
/// As the reader and the normalizer, each error about `path` ([`Error::path`]): the file does
/// not exist ([`ErrorKind::NotFound`]) or cannot be read ([`ErrorKind::Io`], the
/// [`std::io::Error`] as its source), it is over a limit ([`ErrorKind::Limit`]), a forced
/// encoding or form version is unknown ([`ErrorKind::Usage`]), or it holds no usable report
/// ([`ErrorKind::Unusable`]).
pub fn read_report_with(
    path: &Path,
    forms: &Forms,
    opts: &Options,
    read_opts: &read::ReadOptions,
) -> Result<Report, Error> {
    let report = match read::Format::from_path(path) {
        read::Format::Json => read::json::read_path(path, forms, read_opts).map(|r| rechecked(r, forms)),
        read::Format::Text | read::Format::Docx | read::Format::Html | read::Format::Pdf => {
            read::read_path_with(path, read_opts).and_then(|raw| normalize::normalize(&raw, forms, opts))
        }
    };
    report.map_err(|e| e.or_path(path))
}

/// Where a report stood in its input, for a reader checking it against the source (the web
/// page's source pane): the text as read, one entry a source line (1-based line, text; the
/// blocks of one line joined; at most [`Trace::MAX_LINES`] lines, the rest summed up in a last
/// one), and the line each table row's values were read from, by row path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub source: Vec<(usize, String)>,
    pub rows: normalize::RowLines,
}

impl Trace {
    /// The most source lines a trace holds.
    pub const MAX_LINES: usize = 20_000;

    /// The trace of `raw`, with the row lines the normalizer found.
    pub fn of(raw: &read::RawDoc, rows: normalize::RowLines) -> Trace {
        let mut source: Vec<(usize, String)> = Vec::new();
        for block in &raw.blocks {
            let (line, text) = match block {
                read::RawBlock::Text { line, text, .. } => (*line, text.clone()),
                read::RawBlock::Row { line, cells, .. } => (*line, cells.join("  ")),
            };
            let full = source.len() == Trace::MAX_LINES;
            match source.last_mut() {
                Some(last) if last.0 == line => {
                    last.1.push_str("  ");
                    last.1.push_str(&text);
                }
                _ if full => {
                    source.push((line, "…（其余内容未显示）".to_string()));
                    break;
                }
                _ => source.push((line, text)),
            }
        }
        Trace { source, rows }
    }
}

/// [`read_report_with`] with the report's [`Trace`] (empty for JSON input, which has no
/// source apart from the report).
///
/// # Errors
/// As [`read_report_with`].
pub fn read_report_traced(
    path: &Path,
    forms: &Forms,
    opts: &Options,
    read_opts: &read::ReadOptions,
) -> Result<(Report, Trace), Error> {
    match read::Format::from_path(path) {
        read::Format::Json => read_report_with(path, forms, opts, read_opts).map(|r| (r, Trace::default())),
        read::Format::Text | read::Format::Docx | read::Format::Html | read::Format::Pdf => {
            let traced = read::read_path_with(path, read_opts).and_then(|raw| {
                let (report, rows) = normalize::normalize_traced(&raw, forms, opts)?;
                Ok((report, Trace::of(&raw, rows)))
            });
            traced.map_err(|e| e.or_path(path))
        }
    }
}

/// Reads and normalizes one report given as text.
///
/// # Errors
/// As [`read::read_text`] and [`normalize::normalize`]: no usable report in the text.
pub fn report_from_text(text: &str, forms: &Forms, opts: &Options) -> Result<Report, Error> {
    normalize::normalize(&read::read_text(text)?, forms, opts)
}

/// Loads a report from nianbao's JSON ([`read::json::parse`]: its shape checked against the
/// form) and runs the form's rules again: diagnostics in the file are replaced by fresh ones,
/// except the reading errors that name a cell still blank, which are kept first.
///
/// # Errors
/// As [`read::json::parse`]: [`ErrorKind::Unusable`] naming the place, or
/// [`ErrorKind::Limit`].
pub fn report_from_json(text: &str, forms: &Forms) -> Result<Report, Error> {
    Ok(rechecked(read::json::parse(text, forms)?, forms))
}

/// A report read from JSON with the rules' findings added after the reading errors it kept.
fn rechecked(mut report: Report, forms: &Forms) -> Report {
    // `read::json` refused a report of an unknown form, so the form is there.
    if let Some(form) = forms.get(&report.form) {
        let found = normalize::validate::check(form, &report);
        report.diagnostics.extend(found);
    }
    report
}
