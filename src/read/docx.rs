//! The DOCX reader: paragraphs in document order (heading styles and outline levels kept),
//! tables as exact rows with every cell at its real grid column.
//!
//! docx-rs parses the package; cell merges (`w:gridSpan`, `w:vMerge`) and row offsets
//! (`w:gridBefore`, `w:gridAfter`) are private in its model, so they are read from its
//! serde form. A spanned cell's text stands in its first column and the columns it spans
//! are empty strings; a vertically merged continuation cell is an empty string. A row ends
//! at its last cell (`w:gridAfter` columns are no cells, so no blank cells).

use std::collections::HashMap;

use docx_rs::{
    DocumentChild, InsertChild, MoveToChild, Paragraph, ParagraphChild, Run, RunChild, StructuredDataTag,
    StructuredDataTagChild, Table, TableCellContent, TableChild, TableRowChild,
};
use serde_json::Value;

use super::limits::{self, Limits, Parts, Tally};
use super::{RawBlock, RawDoc};
use crate::error::Error;

const REL_OFFICE_DOCUMENT: &str = "/officeDocument";
const REL_STYLES: &str = "/styles";

/// Rebuilds the package docx-rs will read from the parts really found in it: the main
/// document (named by `_rels/.rels`, else `word/document.xml`), which must be a well-formed
/// `w:document` within the limits, and its styles when they are present and well-formed (a
/// missing, unclosed, empty or garbage styles part only loses heading levels, so it is
/// dropped). Nothing else goes in — headers, footers, comments, numbering, settings, themes
/// and media are not read — and the package's own `[Content_Types].xml` and relationships are
/// replaced by minimal ones, so no part that can stall docx-rs (it loops for ever at the end
/// of an unclosed element or of a part whose root it does not expect) and no size the
/// original declares reaches it: every entry is stored, its size its real size.
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) when there is no main document or it is
/// malformed; [`ErrorKind::Limit`](crate::ErrorKind::Limit) past a limit.
fn repack(parts: &Parts, limits: &Limits) -> Result<Vec<u8>, Error> {
    let get = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, d)| d.as_slice())
    };
    let rel_target = |rels_name: &str, base: &str, kind: &str| -> Option<String> {
        let data = get(rels_name)?;
        limits::check_xml(rels_name, data, limits).ok()?;
        relationships(data)
            .into_iter()
            .find(|(t, _)| t.ends_with(kind))
            .map(|(_, target)| resolve(base, &target))
    };
    let document_path = rel_target("_rels/.rels", "", REL_OFFICE_DOCUMENT)
        .filter(|p| get(p.as_str()).is_some())
        .unwrap_or_else(|| "word/document.xml".to_string());
    let Some(document) = get(document_path.as_str()) else {
        return Err(Error::unusable(format!(
            "DOCX 中没有正文 (no main document part {document_path})"
        )));
    };
    let counts = limits::check_xml(&document_path, document, limits)?;
    if counts.root != "document" {
        return Err(Error::unusable(format!(
            "DOCX 的正文不是 Word 文档 ({document_path} holds <{}>, not a Word document)",
            counts.root.chars().take(40).collect::<String>()
        )));
    }
    let (dir, file) = document_path
        .rsplit_once('/')
        .unwrap_or(("", document_path.as_str()));
    let rels_name = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let styles = rel_target(&rels_name, dir, REL_STYLES)
        .and_then(|p| get(p.as_str()))
        .filter(|data| limits::check_xml("styles", data, limits).is_ok_and(|c| c.root == "styles"));

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let document_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>"#,
        if styles.is_some() {
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        } else {
            ""
        }
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/_rels/document.xml.rels", document_rels.as_bytes()),
        ("word/document.xml", document),
    ];
    if let Some(styles) = styles {
        entries.push(("word/styles.xml", styles));
    }
    let size: usize = entries.iter().map(|(_, d)| d.len() + 200).sum();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size)));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let write_failed =
        |e: &dyn std::fmt::Display| Error::unusable(format!("无法读取 DOCX (unreadable DOCX): {e}"));
    for (name, data) in entries {
        zip.start_file(name, stored).map_err(|e| write_failed(&e))?;
        std::io::Write::write_all(&mut zip, data).map_err(|e| write_failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| write_failed(&e))?.into_inner())
}

/// The `(Type, Target)` of each relationship in a well-formed `.rels` part.
fn relationships(data: &[u8]) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(data);
    let mut out = Vec::new();
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let mut kind = String::new();
                let mut target = String::new();
                for attr in e.attributes().flatten() {
                    let value = String::from_utf8_lossy(&attr.value).into_owned();
                    match attr.key.local_name().as_ref() {
                        b"Type" => kind = value,
                        b"Target" => target = value,
                        _ => {}
                    }
                }
                out.push((kind, target));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// A relationship's target as a part name: relative to `base` (the source part's folder)
/// unless it starts with `/`; `.` and `..` resolved.
fn resolve(base: &str, target: &str) -> String {
    let mut path: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                path.pop();
            }
            s => path.push(s),
        }
    }
    path.join("/")
}

/// Reads a DOCX file's bytes under the default [`Limits`].
///
/// # Errors
/// As [`read_with`].
pub fn read(bytes: &[u8]) -> Result<RawDoc, Error> {
    read_with(bytes, &Limits::default())
}

/// Reads a DOCX file's bytes. The package is checked first ([`limits::check_package`]: entry
/// count, real unpacked size, depth), and docx-rs is handed a clean package rebuilt from what
/// is really there (`repack`): the main document and its styles only, each a well-formed
/// part whose size is its real size; rows, cells and paragraphs are counted against the
/// limits before docx-rs builds them and again, spans included, while they are read.
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) with a one-line reason for a broken package,
/// a file that is no DOCX or a malformed main document
/// ([`ErrorKind::Limit`](crate::ErrorKind::Limit) for one past a limit); no input makes it panic.
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<RawDoc, Error> {
    if bytes.is_empty() {
        return Err(Error::unusable("文件为空 (empty input)"));
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(Error::unusable(
            "不是 DOCX 文件：旧版 .doc 或加密文档，请另存为 .docx (a legacy .doc or encrypted Word file: save it as .docx)",
        ));
    }
    if !bytes.starts_with(b"PK") {
        return Err(Error::unusable(
            "不是 DOCX 文件 (not a DOCX file: no ZIP package)",
        ));
    }
    let parts = limits::check_package(bytes, limits)?;
    let clean = repack(&parts, limits)?;
    // docx-rs panics on some damaged packages (a ZIP checksum mismatch unwraps an error):
    // the panic is caught, kept quiet, and reported as an unusable input.
    quiet_panics();
    QUIET.with(|q| q.set(true));
    let parsed = std::panic::catch_unwind(|| docx_rs::read_docx(&clean));
    QUIET.with(|q| q.set(false));
    drop(clean);
    let docx = match parsed {
        Ok(Ok(docx)) => docx,
        Ok(Err(e)) => {
            let reason = one_line(&e.to_string());
            return Err(Error::unusable(format!("无法读取 DOCX (unreadable DOCX): {reason}")).with_source(e));
        }
        Err(payload) => {
            let detail = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("the parser failed");
            // `called Result::unwrap() on an Err value: Custom { …, error: "Invalid checksum" }`
            // → `Invalid checksum`.
            let detail = detail
                .split_once("error: \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map_or(detail, |(inner, _)| inner);
            let detail: String = one_line(detail).chars().take(160).collect();
            return Err(Error::unusable(format!(
                "无法读取 DOCX，文件已损坏 (damaged DOCX): {detail}"
            )));
        }
    };
    let styles = StyleLevels::new(&docx.styles);
    let mut reader = Reader {
        styles,
        blocks: Vec::new(),
        tally: Tally::new(limits),
    };
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => reader.paragraph(p)?,
            DocumentChild::Table(t) => reader.table(t, 0)?,
            DocumentChild::StructuredDataTag(sdt) => reader.sdt(sdt)?,
            _ => {}
        }
    }
    Ok(RawDoc {
        blocks: reader.blocks,
        ..RawDoc::default()
    })
}

thread_local! {
    /// Set while docx-rs parses on this thread: its panics are caught and reported.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wraps the panic hook once so that panics inside the DOCX parser print nothing; every
/// other panic still reaches the previous hook.
fn quiet_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "unknown error".into()
    } else {
        line
    }
}

struct Reader {
    styles: StyleLevels,
    blocks: Vec<RawBlock>,
    tally: Tally,
}

impl Reader {
    fn next_line(&self) -> usize {
        self.blocks.len() + 1
    }

    fn paragraph(&mut self, p: &Paragraph) -> Result<(), Error> {
        let text = join_breaks(&paragraph_text(p));
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if text.is_empty() {
            return Ok(());
        }
        self.tally.block()?;
        let heading = self.styles.paragraph_level(p);
        let line = self.next_line();
        self.blocks.push(RawBlock::Text {
            line,
            text: text.to_string(),
            heading,
        });
        Ok(())
    }

    fn sdt(&mut self, sdt: &StructuredDataTag) -> Result<(), Error> {
        for child in &sdt.children {
            match child {
                StructuredDataTagChild::Paragraph(p) => self.paragraph(p)?,
                StructuredDataTagChild::Table(t) => self.table(t, 0)?,
                StructuredDataTagChild::StructuredDataTag(s) => self.sdt(s)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// A table's rows as grid rows; a layout table's content (see [`is_layout_table`]) as
    /// the body it holds, its own tables read in turn (`depth` of them around it).
    fn table(&mut self, table: &Table, depth: usize) -> Result<(), Error> {
        if depth < MAX_LAYOUT_DEPTH && is_layout_table(table) {
            for TableChild::TableRow(row) in &table.rows {
                for TableRowChild::TableCell(cell) in &row.cells {
                    for child in &cell.children {
                        match child {
                            TableCellContent::Paragraph(p) => self.paragraph(p)?,
                            TableCellContent::Table(t) => self.table(t, depth + 1)?,
                            _ => {}
                        }
                    }
                }
            }
            return Ok(());
        }
        for TableChild::TableRow(row) in &table.rows {
            let props = serde_json::to_value(&row.property).unwrap_or(Value::Null);
            let before = json_count(&props, "gridBefore");
            self.tally.row(before)?;
            let mut cells: Vec<String> = vec![String::new(); before];
            for TableRowChild::TableCell(cell) in &row.cells {
                let props = serde_json::to_value(&cell.property).unwrap_or(Value::Null);
                let span = json_count(&props, "gridSpan").clamp(1, 64);
                self.tally.cells(span, cells.len() + span)?;
                let continued = props
                    .get("verticalMerge")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case("continue"));
                let text = if continued {
                    String::new()
                } else {
                    cell_text(&cell.children)
                };
                cells.push(text);
                cells.extend(std::iter::repeat_n(String::new(), span - 1));
            }
            // `w:gridAfter` columns hold no cell: they are left out, not blank cells.
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            let line = self.next_line();
            self.blocks.push(RawBlock::Row {
                line,
                cells,
                exact: true,
            });
        }
        Ok(())
    }
}

/// How many layout tables inside one another are read as body; deeper ones are read as
/// grids.
const MAX_LAYOUT_DEPTH: usize = 8;

/// A table used for page layout, as HTML pages use them (the same test as the HTML reader's):
/// it holds another table, or it is a single column. Word users put a whole report in a
/// one-cell table to frame it.
fn is_layout_table(table: &Table) -> bool {
    let rows = || table.rows.iter().map(|TableChild::TableRow(r)| r);
    let nested = rows().any(|r| {
        r.cells.iter().any(|TableRowChild::TableCell(c)| {
            c.children.iter().any(|x| matches!(x, TableCellContent::Table(_)))
        })
    });
    nested || rows().all(|r| r.cells.len() <= 1)
}

/// A cell's text: its paragraphs joined (a label set one character a line reads as one
/// word again), nested tables' text after them.
fn cell_text(children: &[TableCellContent]) -> String {
    let mut out = String::new();
    for child in children {
        match child {
            TableCellContent::Paragraph(p) => out.push_str(join_breaks(&paragraph_text(p)).trim()),
            TableCellContent::Table(t) => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(c) in &row.cells {
                        let inner = cell_text(&c.children);
                        if !inner.is_empty() {
                            if !out.is_empty() {
                                out.push(' ');
                            }
                            out.push_str(&inner);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.replace(['\n', '\r', '\t'], " ").trim().to_string()
}

/// A paragraph's text as shown: runs, insertions, moved-in text, hyperlinks and inline
/// content controls; not deleted text nor field instructions.
fn paragraph_text(p: &Paragraph) -> String {
    let mut out = String::new();
    children_text(&p.children, &mut out, 0);
    out
}

fn children_text(children: &[ParagraphChild], out: &mut String, depth: usize) {
    if depth > 32 {
        return;
    }
    for child in children {
        match child {
            ParagraphChild::Run(r) => run_text(r, out),
            ParagraphChild::Insert(i) => {
                for c in &i.children {
                    if let InsertChild::Run(r) = c {
                        run_text(r, out);
                    }
                }
            }
            ParagraphChild::MoveTo(m) => {
                for c in &m.children {
                    if let MoveToChild::Run(r) = c {
                        run_text(r, out);
                    }
                }
            }
            ParagraphChild::Hyperlink(h) => children_text(&h.children, out, depth + 1),
            ParagraphChild::StructuredDataTag(sdt) => {
                for c in &sdt.children {
                    match c {
                        StructuredDataTagChild::Run(r) => run_text(r, out),
                        StructuredDataTagChild::Paragraph(p) => children_text(&p.children, out, depth + 1),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn run_text(run: &Run, out: &mut String) {
    for c in &run.children {
        match c {
            RunChild::Text(t) => out.push_str(&t.text),
            RunChild::Tab(_) | RunChild::PTab(_) => out.push('\t'),
            RunChild::Break(_) | RunChild::CarriageReturn(_) => out.push('\n'),
            _ => {}
        }
    }
}

/// A line break inside a paragraph (a title set on two lines) joins the lines: directly
/// between Chinese characters, with a space between Latin ones.
fn join_breaks(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()) {
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if latin(out.chars().last()) && latin(line.chars().next()) {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

fn json_count(value: &Value, key: &str) -> usize {
    value
        .get(key)
        .and_then(Value::as_u64)
        .map_or(0, |n| n.min(64) as usize)
}

/// Heading levels of paragraph styles: from the style's outline level, its name
/// (`heading 2`, `标题 2`) or the style it is based on.
struct StyleLevels {
    levels: HashMap<String, Option<u8>>,
}

impl StyleLevels {
    fn new(styles: &docx_rs::Styles) -> StyleLevels {
        let mut own: HashMap<String, (Option<u8>, Option<String>)> = HashMap::new();
        for style in &styles.styles {
            let value = serde_json::to_value(style).unwrap_or(Value::Null);
            let name = string_of(value.get("name")).unwrap_or_default();
            let based_on = string_of(value.get("basedOn"));
            let level = style
                .paragraph_property
                .outline_lvl
                .as_ref()
                .and_then(|o| outline_level(o.v))
                .or_else(|| name_level(&name))
                .or_else(|| name_level(&style.style_id));
            own.insert(style.style_id.clone(), (level, based_on));
        }
        let mut levels = HashMap::new();
        for id in own.keys() {
            let mut current = Some(id.clone());
            let mut level = None;
            for _ in 0..16 {
                let Some(cur) = current.take() else { break };
                let Some((l, base)) = own.get(&cur) else { break };
                if l.is_some() {
                    level = *l;
                    break;
                }
                current = base.clone();
            }
            levels.insert(id.clone(), level);
        }
        StyleLevels { levels }
    }

    fn paragraph_level(&self, p: &Paragraph) -> Option<u8> {
        if let Some(o) = &p.property.outline_lvl {
            return outline_level(o.v);
        }
        let style = p.property.style.as_ref()?;
        self.levels
            .get(&style.val)
            .copied()
            .flatten()
            .or_else(|| name_level(&style.val))
    }
}

/// Outline level 0–8 is heading 1–9; 9 is body text.
fn outline_level(v: usize) -> Option<u8> {
    (v < 9).then(|| v as u8 + 1)
}

/// `heading 1`, `Heading1`, `标题 1`, `标题1` → 1.
fn name_level(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    let rest = lower
        .strip_prefix("heading")
        .or_else(|| lower.strip_prefix("标题"))?;
    let digits = rest.trim();
    let n: u8 = digits.parse().ok()?;
    (1..=9).contains(&n).then_some(n)
}

/// A serde value that is a string, or an object holding one (`{"name": …}`, `{"val": …}`).
fn string_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.values().find_map(|v| v.as_str().map(str::to_string)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_inputs_are_unusable() {
        for bytes in [
            &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"[..],
            &b""[..],
            b"hello",
            b"PK\x03\x04garbage",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ] {
            match read(bytes) {
                Err(e) => assert!(
                    e.kind() == crate::ErrorKind::Unusable && !e.message().contains('\n'),
                    "{e:?}"
                ),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn breaks_join() {
        assert_eq!(
            join_breaks("淮安市人民政府\n2024年报告"),
            "淮安市人民政府2024年报告"
        );
        assert_eq!(join_breaks("annual\nreport"), "annual report");
    }

    #[test]
    fn heading_names() {
        assert_eq!(name_level("heading 2"), Some(2));
        assert_eq!(name_level("Heading1"), Some(1));
        assert_eq!(name_level("标题 3"), Some(3));
        assert_eq!(name_level("Title"), None);
        assert_eq!(outline_level(9), None);
        assert_eq!(outline_level(0), Some(1));
    }
}
