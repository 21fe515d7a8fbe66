//! Readers: each input format becomes a [`RawDoc`], a flat list of text lines and cell rows
//! with their source lines. No reader knows the form; all table logic is in the normalizer.

pub mod docx;
pub mod text;

use std::path::Path;

use crate::Error;

/// What a reader found, before any knowledge of the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawDoc {
    pub blocks: Vec<RawBlock>,
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
            _ => Format::Text,
        }
    }
}

/// Reads a file's bytes as text, refusing what is not text with a clear reason.
pub fn decode_text(bytes: &[u8]) -> Result<String, Error> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Unusable("文件为空 (empty input)".into()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err(Error::Unusable("不是文本文件 (binary input, not text)".into()));
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::Unusable(format!(
            "不是 UTF-8 文本 (invalid UTF-8 at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// NUL bytes or many control characters mean a binary file.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len()
}

/// Reads a file into a [`RawDoc`] by its format.
pub fn read_path(path: &Path) -> Result<RawDoc, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    if Format::from_path(path) == Format::Docx {
        return docx::read(&bytes);
    }
    let text = decode_text(&bytes)?;
    Ok(text::read(&text))
}
