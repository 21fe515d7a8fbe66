//! Readers: each input format becomes a [`RawDoc`], a flat list of text lines and cell rows
//! with their source lines. No reader knows the form; all table logic is in the normalizer.
//! The one exception is JSON input ([`json`]): nianbao's own format, already a
//! [`Report`](crate::model::Report) in the form's shape, read back and checked against it.
//!
//! In the layers, `read` stands above [`crate::model`] (and `form`, `diag`) and below
//! [`crate::normalize`]: it never calls the normalizer or anything above it.

pub mod docx;
pub mod encoding;
pub mod html;
pub mod json;
pub mod limits;
pub mod pages;
pub mod pdf;
pub mod text;
pub mod unicode;

use std::path::Path;

use crate::error::Error;

/// What a reader found, before any knowledge of the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawDoc {
    pub blocks: Vec<RawBlock>,
    /// Facts about the reading itself (the encoding detected), carried into the report's
    /// diagnostics.
    pub notes: Vec<crate::diag::Diagnostic>,
    /// The page's own title where the format has one apart from the text (HTML `<title>`):
    /// a title candidate when the text shows none.
    pub page_title: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawBlock {
    /// A line or paragraph of text. `heading` is set when the source marks it as one
    /// (a Markdown `#`, a Word heading style), with its level.
    Text {
        line: usize,
        text: String,
        heading: Option<u8>,
    },
    /// A row of cells: split on tabs, on runs of spaces, or taken from a real table.
    /// `exact` is set when the cells are a real grid (a Markdown pipe row, a DOCX or HTML
    /// table row), so an empty cell is a blank cell and not padding.
    Row {
        line: usize,
        cells: Vec<String>,
        exact: bool,
    },
}

#[cfg(test)]
impl RawBlock {
    /// Text blocks, one a line, numbered from 1 (for tests).
    pub(crate) fn lines<S: AsRef<str>>(texts: &[S]) -> Vec<RawBlock> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| RawBlock::Text {
                line: i + 1,
                text: t.as_ref().to_string(),
                heading: None,
            })
            .collect()
    }
}

#[cfg(test)]
impl RawDoc {
    /// Each block's text, a row's cells joined by `|` (for tests).
    pub(crate) fn texts(&self) -> Vec<String> {
        self.blocks
            .iter()
            .map(|b| match b {
                RawBlock::Text { text, .. } => text.clone(),
                RawBlock::Row { cells, .. } => cells.join("|"),
            })
            .collect()
    }
}

impl RawBlock {
    pub fn line(&self) -> usize {
        match self {
            RawBlock::Text { line, .. } | RawBlock::Row { line, .. } => *line,
        }
    }
}

/// The input formats nianbao reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Docx,
    Json,
    Html,
    Pdf,
}

impl Format {
    /// The format a path's extension names; unknown extensions are read as text.
    pub fn from_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("json") => Format::Json,
            Some("docx") => Format::Docx,
            Some("pdf") => Format::Pdf,
            Some("html" | "htm" | "xhtml") => Format::Html,
            _ => Format::Text,
        }
    }
}

/// Choices about reading a file that a user can force.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The text encoding (`gbk`, `gb18030`, `utf-16le` …) instead of detecting it.
    pub encoding: Option<String>,
    /// Limits against hostile input.
    pub limits: limits::Limits,
}

impl ReadOptions {
    /// The forced encoding, or a usage error naming the unknown one.
    pub fn forced_encoding(&self) -> Result<Option<&'static encoding_rs::Encoding>, Error> {
        match &self.encoding {
            None => Ok(None),
            Some(name) => encoding::lookup(name)
                .map(Some)
                .ok_or_else(|| Error::usage(format!("未知的编码 (unknown encoding) {name}"))),
        }
    }
}

/// Reads a file's bytes as text, refusing what is not text with a clear reason.
/// UTF-8 (with or without BOM), UTF-16 with a BOM and GB18030/GBK are accepted.
pub fn decode_text(bytes: &[u8]) -> Result<String, Error> {
    encoding::decode(bytes, None).map(|(text, _)| text)
}

/// Reads a file into a [`RawDoc`] by its format.
pub fn read_path(path: &Path) -> Result<RawDoc, Error> {
    read_path_with(path, &ReadOptions::default())
}

/// Reads a file into a [`RawDoc`] by its format (or, for text, by its content: a saved web
/// page is read as HTML), with the user's reading options.
pub fn read_path_with(path: &Path, opts: &ReadOptions) -> Result<RawDoc, Error> {
    let bytes = limits::read_file(path, &opts.limits)?;
    let format = Format::from_path(path);
    if format == Format::Docx {
        return docx::read_with(&bytes, &opts.limits);
    }
    if format == Format::Pdf {
        return pdf::read(&bytes);
    }
    let (text, notes) = encoding::decode(&bytes, opts.forced_encoding()?)?;
    let markdown = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    let mut doc = if format == Format::Html || (!markdown && html::looks_like_page(&text)) {
        html::read_with(&text, &opts.limits)?
    } else {
        read_text_with(&text, &opts.limits)?
    };
    doc.notes.splice(0..0, notes);
    Ok(doc)
}

/// Reads text or Markdown under the default limits.
///
/// # Errors
/// As [`read_text_with`].
pub fn read_text(text: &str) -> Result<RawDoc, Error> {
    read_text_with(text, &limits::Limits::default())
}

/// Reads text or Markdown. HTML tables embedded in it (as OCR tools such as MinerU write
/// them) go through the HTML table reader, each checked by [`limits::check_html`] on its own,
/// the rest through [`text::read_limited`]; every block keeps its line in the whole file.
/// Linear in the text: lines are counted once, from one table to the next.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) when an embedded table nests too deep, or the
/// document passes the limits on elements, rows, cells or lines.
pub fn read_text_with(text: &str, limits: &limits::Limits) -> Result<RawDoc, Error> {
    let mut tally = limits::Tally::new(limits);
    let spans = html::table_spans(text);
    if spans.is_empty() {
        return text::read_limited(text, &mut tally);
    }
    let mut doc = RawDoc::default();
    let mut pos = 0;
    // Lines before `pos`, advanced from one span to the next.
    let mut line = 0;
    for (start, end) in spans {
        if start > pos {
            doc.blocks.extend(text_part(&text[pos..start], line, &mut tally)?);
            line += text[pos..start].matches('\n').count();
        }
        let fragment = &text[start..end];
        limits::check_html(fragment, limits)?;
        doc.blocks
            .extend(html::read_fragment(fragment, line, &mut tally)?.blocks);
        line += fragment.matches('\n').count();
        pos = end;
    }
    if pos < text.len() {
        doc.blocks.extend(text_part(&text[pos..], line, &mut tally)?);
    }
    Ok(doc)
}

/// The blocks of the text between HTML tables, on their lines in the whole file, without the
/// lines that hold only tags (`<html><body>` wrappers around a table).
fn text_part(
    part: &str,
    offset: usize,
    tally: &mut limits::Tally,
) -> Result<impl Iterator<Item = RawBlock>, Error> {
    Ok(text::read_limited(part, tally)?
        .blocks
        .into_iter()
        .filter(|b| !matches!(b, RawBlock::Text { text, .. } if html::only_tags(text)))
        .map(move |b| shift(b, offset)))
}

fn shift(block: RawBlock, offset: usize) -> RawBlock {
    match block {
        RawBlock::Text { line, text, heading } => RawBlock::Text {
            line: line + offset,
            text,
            heading,
        },
        RawBlock::Row { line, cells, exact } => RawBlock::Row {
            line: line + offset,
            cells,
            exact,
        },
    }
}
