//! Writers: a [`Report`](crate::model::Report) becomes a file. Every file is written
//! atomically ([`crate::files`]): to a temporary file beside the target, then renamed into
//! place.
//!
//! In the layers, `write` stands above [`crate::layout`] (which the PDF writer draws),
//! [`crate::present`] (the [`Presentation`](crate::present::Presentation) each print writer serializes, and the [`Context`]) and [`crate::fonts`]; only the
//! batch, the export and the command line use it.

pub mod docx;
pub mod json;
pub mod md;
pub mod pdf;

use std::path::Path;

use crate::diag::Diagnostic;
use crate::error::Error;

/// The render context, at home in [`crate::present`] (the layout takes it too); here as the
/// writers' API takes it.
pub use crate::present::Context;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Json,
    Pdf,
    Docx,
    Markdown,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Pdf => "pdf",
            OutputFormat::Docx => "docx",
            OutputFormat::Markdown => "md",
        }
    }

    pub fn parse(name: &str) -> Option<OutputFormat> {
        match name.trim().to_ascii_lowercase().as_str() {
            "json" => Some(OutputFormat::Json),
            "pdf" => Some(OutputFormat::Pdf),
            "docx" => Some(OutputFormat::Docx),
            "md" | "markdown" => Some(OutputFormat::Markdown),
            _ => None,
        }
    }

    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(OutputFormat::parse)
    }

    /// Renders a report in this format.
    ///
    /// # Errors
    /// As [`OutputFormat::render_with_diagnostics`].
    pub fn render(self, report: &crate::model::Report, ctx: &Context) -> Result<Vec<u8>, Error> {
        self.render_with_diagnostics(report, ctx).map(|(bytes, _)| bytes)
    }

    /// Renders a report in this format, with what rendering found that the report's own
    /// diagnostics cannot say: for PDF, the fonts ([`pdf::render_with_diagnostics`]).
    ///
    /// # Errors
    /// The output cannot be made: no font for PDF ([`ErrorKind::Font`](crate::ErrorKind::Font)),
    /// a library failure ([`ErrorKind::Render`](crate::ErrorKind::Render)).
    pub fn render_with_diagnostics(
        self,
        report: &crate::model::Report,
        ctx: &Context,
    ) -> Result<(Vec<u8>, Vec<Diagnostic>), Error> {
        match self {
            OutputFormat::Json => Ok((json::to_string(report).into_bytes(), Vec::new())),
            OutputFormat::Pdf => pdf::render_with_diagnostics(report, ctx),
            OutputFormat::Docx => docx::render(report, ctx).map(|b| (b, Vec::new())),
            OutputFormat::Markdown => Ok((md::to_string(report, ctx).into_bytes(), Vec::new())),
        }
    }

    /// Whether the output is text that may go to standard output.
    pub fn is_text(self) -> bool {
        matches!(self, OutputFormat::Json | OutputFormat::Markdown)
    }
}

/// The time a document is stamped with: now, or `SOURCE_DATE_EPOCH` for reproducible
/// output.
pub fn stamp_secs() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
}

/// Seconds since the Unix epoch as UTC (year, month, day, hour, minute, second).
pub fn civil_time(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Text as XML character data or attribute value (DOCX parts, PDF XMP metadata): the five
/// special characters escaped, and the characters XML 1.0 cannot hold (controls other than
/// tab, line feed and carriage return; U+FFFE, U+FFFF) dropped.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}
