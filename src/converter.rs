//! The library's front door: a [`Converter`] is built once with the forms, the print style,
//! the user's font folders and the reading limits, and then reads, checks and renders any
//! number of reports, from any number of threads (it holds no per-report state).
//!
//! It is what the command line does for one file, without the command line: a program that
//! only wants the tables of a report, or a PDF of an edited one, needs nothing else.
//!
//! ```no_run
//! use nianbao::{Converter, write::OutputFormat};
//!
//! let converter = Converter::new();
//! let report = converter.read("report.txt".as_ref())?;
//! println!("{:?}", report.tables.cell("applications.new_received.total"));
//! converter.write(&report, OutputFormat::Pdf, "report.pdf".as_ref())?;
//! # Ok::<(), nianbao::Error>(())
//! ```

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::form::Forms;
use crate::model::Report;
use crate::normalize::Options;
use crate::read::ReadOptions;
use crate::read::limits::Limits;
use crate::style::Style;
use crate::write::{Context, OutputFormat};

/// Reads, checks and renders reports with one set of forms, style, fonts and limits.
#[derive(Debug, Clone)]
pub struct Converter {
    forms: Forms,
    style: Style,
    options: Options,
    read_options: ReadOptions,
    font_dirs: Vec<PathBuf>,
}

/// A rendered document: its bytes, and what rendering found that the report's own
/// diagnostics cannot say (for PDF, a face other than the style's, a missing glyph).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Default for Converter {
    fn default() -> Self {
        Converter::new()
    }
}

impl Converter {
    /// The built-in forms (2021 and 2019) and style (GB/T 9704), the default limits, the
    /// form detected from each report's content, no font folders of the user's.
    pub fn new() -> Converter {
        Converter {
            forms: Forms::builtin(),
            style: Style::builtin(),
            options: Options::default(),
            read_options: ReadOptions::default(),
            font_dirs: Vec::new(),
        }
    }

    /// With these forms instead of the built-in ones ([`Forms::with_overrides`] adds a folder of form files).
    pub fn with_forms(mut self, forms: Forms) -> Converter {
        self.forms = forms;
        self
    }

    /// With this print style instead of GB/T 9704 ([`Style::load`] reads a TOML file).
    pub fn with_style(mut self, style: Style) -> Converter {
        self.style = style;
        self
    }

    /// With the reports' form given (`"2021"`, `"2019"`) rather than detected.
    pub fn with_form_version(mut self, version: &str) -> Converter {
        self.options.form = Some(version.to_string());
        self
    }

    /// With these limits against hostile input instead of the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Converter {
        self.read_options.limits = limits;
        self
    }

    /// With text read in this encoding (`gbk`, `utf-16le` …) instead of detecting it.
    pub fn with_encoding(mut self, encoding: &str) -> Converter {
        self.read_options.encoding = Some(encoding.to_string());
        self
    }

    /// With the user's own font folders, searched before the system's for the PDF.
    ///
    /// # Errors
    /// [`ErrorKind::Usage`](crate::ErrorKind::Usage) naming the first folder that is missing
    /// or not a folder.
    pub fn with_font_dirs(mut self, dirs: Vec<PathBuf>) -> Result<Converter, Error> {
        crate::fonts::check_font_dirs(&dirs)?;
        self.font_dirs = dirs;
        Ok(self)
    }

    /// The forms in use.
    pub fn forms(&self) -> &Forms {
        &self.forms
    }

    /// The print style in use.
    pub fn style(&self) -> &Style {
        &self.style
    }

    /// The form a report is in, of [`Converter::forms`].
    fn form_of(&self, report: &Report) -> Result<&crate::form::Form, Error> {
        self.forms
            .get(&report.form)
            .ok_or_else(|| Error::unusable(format!("未知的表格格式 (unknown form version {})", report.form)))
    }

    /// Reads one report from a file, by its extension (text, Markdown, HTML, DOCX, PDF or
    /// nianbao's JSON): the official form rebuilt and checked, every doubt a diagnostic.
    ///
    /// # Errors
    /// As [`crate::read_report_with`]: the file cannot be read or is over a limit, or it holds
    /// no usable report.
    pub fn read(&self, path: &Path) -> Result<Report, Error> {
        crate::read_report_with(path, &self.forms, &self.options, &self.read_options)
    }

    /// [`Converter::read`] in a worker process when `isolation` is given ([`crate::worker`]:
    /// a reader that crashes, hangs past the deadline or runs out of memory is one error),
    /// else in this process with a panic caught; with the report's [`Trace`](crate::Trace):
    /// its source lines and the line each table row was read from, sent by the worker with it.
    ///
    /// # Errors
    /// As [`crate::worker::read_traced`].
    pub fn read_traced(
        &self,
        isolation: Option<&crate::worker::Isolation>,
        path: &Path,
    ) -> Result<(Report, crate::Trace), Error> {
        crate::worker::read_traced(isolation, path, &self.forms, &self.options, &self.read_options)
    }

    /// Reads one report given as text (as a `.txt` file would be read).
    ///
    /// # Errors
    /// As [`crate::report_from_text`]: no usable report in the text.
    pub fn read_text(&self, text: &str) -> Result<Report, Error> {
        crate::report_from_text(text, &self.forms, &self.options)
    }

    /// The report's diagnostics worked out again, for a report whose cells were changed
    /// (an edited copy): the reading errors that name a cell still blank are kept, and the
    /// form's rules (R1–R5, R7) are run on the cells as they now stand.
    ///
    /// # Errors
    /// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) when the report's form is none of
    /// [`Converter::forms`].
    pub fn check(&self, report: &Report) -> Result<Vec<Diagnostic>, Error> {
        let form = self.form_of(report)?;
        let mut diagnostics = crate::read::json::reading_errors(report);
        diagnostics.extend(crate::normalize::validate::check(form, report));
        Ok(diagnostics)
    }

    /// Renders a report as a document of `format`, in memory.
    ///
    /// # Errors
    /// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) when the report's form is unknown; as
    /// [`OutputFormat::render_with_diagnostics`] when the document cannot be made (no font
    /// for a PDF).
    pub fn render(&self, report: &Report, format: OutputFormat) -> Result<Rendered, Error> {
        let form = self.form_of(report)?;
        let ctx = Context {
            form,
            style: &self.style,
            font_dirs: self.font_dirs.clone(),
        };
        let (bytes, diagnostics) = format.render_with_diagnostics(report, &ctx)?;
        Ok(Rendered { bytes, diagnostics })
    }

    /// Renders a report and writes it to `path` atomically (a temporary file renamed into
    /// place: the path holds the old file or the whole new one, never part of it). Returns
    /// what rendering found ([`Rendered::diagnostics`]).
    ///
    /// # Errors
    /// As [`Converter::render`], and [`ErrorKind::Io`](crate::ErrorKind::Io) when the file
    /// cannot be written.
    pub fn write(
        &self,
        report: &Report,
        format: OutputFormat,
        path: &Path,
    ) -> Result<Vec<Diagnostic>, Error> {
        let rendered = self.render(report, format)?;
        crate::files::write_atomic(path, &rendered.bytes)?;
        Ok(rendered.diagnostics)
    }
}
