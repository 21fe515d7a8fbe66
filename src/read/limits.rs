//! Limits that keep a hostile file from exhausting memory, time or the stack: the input's size, a
//! DOCX package's entry count and unpacked size (zip bombs), how deep XML or HTML nests, how many
//! elements a part holds, and how many table rows, cells and text blocks a document yields. Each
//! refusal at a limit is an [`ErrorKind::Limit`](crate::ErrorKind::Limit) with a one-line reason,
//! given before the allocation or the loop it guards: counts a file declares are never trusted,
//! only what is really there. A package or part that is damaged rather than too big is
//! [`ErrorKind::Unusable`](crate::ErrorKind::Unusable).

use std::io::Read;

use crate::error::Error;

/// The limits in force; `Default` suits real reports with a wide margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file read.
    pub max_input_bytes: u64,
    /// The most entries a DOCX package may have.
    pub max_zip_entries: usize,
    /// The most bytes a DOCX package may unpack to.
    pub max_unpacked_bytes: u64,
    /// The deepest element nesting in XML or HTML.
    pub max_depth: usize,
    /// The largest XML part of a DOCX package handed to the DOCX parser, inflated. A real
    /// report's `word/document.xml` is well under 10 MB.
    pub max_part_bytes: u64,
    /// The most elements one XML part or one HTML page may hold. A real report's DOCX body
    /// or web page holds well under 200,000; every element costs the parsers a node.
    pub max_elements: usize,
    /// The most table rows in one document (all tables together). A real report has fewer
    /// than 2,000.
    pub max_rows: usize,
    /// The most cells in one table row, spanned positions included. A real report's rows
    /// have fewer than 100.
    pub max_row_cells: usize,
    /// The most cells in all the tables of one document, spanned positions included. A real
    /// report's three tables hold a few thousand; each cell costs the DOCX parser about 4 KB.
    pub max_cells: usize,
    /// The most paragraphs (DOCX, table cells' paragraphs included) or text lines (text,
    /// Markdown, HTML) in one document. A real report has fewer than 50,000 lines.
    pub max_blocks: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 64 << 20,
            max_zip_entries: 2_000,
            max_unpacked_bytes: 256 << 20,
            max_depth: 512,
            max_part_bytes: 64 << 20,
            max_elements: 2_000_000,
            max_rows: 20_000,
            max_row_cells: 1_000,
            max_cells: 100_000,
            max_blocks: 500_000,
        }
    }
}

fn refuse(msg: String) -> Error {
    Error::limit(msg)
}

/// Reads a file, refusing one larger than the limit before reading it whole.
pub fn read_file(path: &std::path::Path, limits: &Limits) -> Result<Vec<u8>, Error> {
    let io = |e: std::io::Error| Error::io(path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    // A regular file's size is known before reading; a device or FIFO is read through
    // `take`, so `/dev/zero` stops one byte past the limit.
    let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if size.is_some_and(|n| n > limits.max_input_bytes) {
        return Err(too_large(limits));
    }
    let mut bytes = Vec::new();
    file.take(limits.max_input_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(too_large(limits));
    }
    Ok(bytes)
}

fn too_large(limits: &Limits) -> Error {
    refuse(format!(
        "输入文件过大 (input larger than {} MB; see --max-input-mb)",
        limits.max_input_bytes >> 20
    ))
}

/// The XML parts of a DOCX package (`.xml` and `.rels` entries), inflated, by name (`\`
/// turned to `/`, no leading `/`): what [`check_package`] found really there.
pub type Parts = Vec<(String, Vec<u8>)>;

/// Checks a DOCX (zip) package before it is parsed: entry count, the bytes it really unpacks
/// to (counted while inflating, not taken from the headers, which a bomb can fake), and the
/// nesting depth of its XML parts. Returns the XML parts as really inflated, so that nothing
/// after this sees a size the package declares.
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) when the package is no zip or is damaged
/// (the zip error as the source where there is one), [`ErrorKind::Limit`](crate::ErrorKind::Limit)
/// when it passes a limit.
pub fn check_package(bytes: &[u8], limits: &Limits) -> Result<Parts, Error> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::unusable(format!("不是有效的 DOCX 文件 (not a valid DOCX package: {e})")).with_source(e)
    })?;
    if zip.len() > limits.max_zip_entries {
        return Err(refuse(format!(
            "DOCX 包含的条目过多 (DOCX package has {} entries; the limit is {})",
            zip.len(),
            limits.max_zip_entries
        )));
    }
    let damaged = |e: &dyn std::fmt::Display| {
        let e = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        Error::unusable(format!("DOCX 已损坏 (damaged DOCX package: {e})"))
    };
    let mut parts = Parts::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| damaged(&e))?;
        let name = entry
            .name()
            .replace('\\', "/")
            .trim_start_matches('/')
            .to_string();
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        let budget = limits.max_unpacked_bytes.saturating_sub(total);
        let mut limited = (&mut entry).take(budget + 1);
        let mut depth = DepthCounter::default();
        let mut kept: Option<Vec<u8>> = xml.then(Vec::new);
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = limited.read(&mut buf).map_err(|e| damaged(&e))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_unpacked_bytes {
                return Err(refuse(format!(
                    "DOCX 解压后过大，疑似压缩炸弹 (DOCX unpacks to more than {} MB: a zip bomb?)",
                    limits.max_unpacked_bytes >> 20
                )));
            }
            if xml && depth.feed(&buf[..n]) > limits.max_depth {
                return Err(refuse(format!(
                    "DOCX 的 XML 嵌套过深 (XML nested deeper than {} levels)",
                    limits.max_depth
                )));
            }
            if let Some(kept) = &mut kept {
                if kept.len() as u64 + n as u64 > limits.max_part_bytes {
                    return Err(refuse(format!(
                        "DOCX 的 XML 部件过大 ({name} unpacks to more than {} MB)",
                        limits.max_part_bytes >> 20
                    )));
                }
                kept.extend_from_slice(&buf[..n]);
            }
        }
        if let Some(kept) = kept {
            parts.push((name, kept));
        }
    }
    Ok(parts)
}

/// Counts what a reader yields (table rows, cells, text blocks) against the limits, as it
/// yields them, so a refusal comes before the next allocation.
#[derive(Debug)]
pub struct Tally {
    limits: Limits,
    rows: usize,
    cells: usize,
    blocks: usize,
}

impl Tally {
    /// A tally of nothing yet under these limits.
    pub fn new(limits: &Limits) -> Tally {
        Tally {
            limits: *limits,
            rows: 0,
            cells: 0,
            blocks: 0,
        }
    }

    /// The limits counted against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Counts a table row about to be built with `cells` cells (spanned positions included).
    ///
    /// # Errors
    /// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past [`Limits::max_rows`],
    /// [`Limits::max_row_cells`] or [`Limits::max_cells`].
    pub fn row(&mut self, cells: usize) -> Result<(), Error> {
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            return Err(too_many_rows(&self.limits));
        }
        self.cells(cells, cells)
    }

    /// Counts `more` cells about to be added to a row that will then hold `in_row`.
    ///
    /// # Errors
    /// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past [`Limits::max_row_cells`] or
    /// [`Limits::max_cells`].
    pub fn cells(&mut self, more: usize, in_row: usize) -> Result<(), Error> {
        if in_row > self.limits.max_row_cells {
            return Err(too_wide_row(in_row, &self.limits));
        }
        self.cells = self.cells.saturating_add(more);
        if self.cells > self.limits.max_cells {
            return Err(too_many_cells(&self.limits));
        }
        Ok(())
    }

    /// Counts a paragraph or line of text.
    ///
    /// # Errors
    /// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past [`Limits::max_blocks`].
    pub fn block(&mut self) -> Result<(), Error> {
        self.blocks += 1;
        if self.blocks > self.limits.max_blocks {
            return Err(too_many_blocks(&self.limits));
        }
        Ok(())
    }
}

fn too_many_rows(limits: &Limits) -> Error {
    refuse(format!(
        "表格行数过多 (tables hold more than {} rows; the limit is {})",
        limits.max_rows, limits.max_rows
    ))
}

fn too_wide_row(cells: usize, limits: &Limits) -> Error {
    refuse(format!(
        "表格一行的单元格过多 (a table row has {cells} or more cells; the limit is {})",
        limits.max_row_cells
    ))
}

fn too_many_cells(limits: &Limits) -> Error {
    refuse(format!(
        "表格单元格过多 (tables hold more than {} cells; the limit is {})",
        limits.max_cells, limits.max_cells
    ))
}

fn too_many_blocks(limits: &Limits) -> Error {
    refuse(format!(
        "段落或行数过多 (more than {} paragraphs or lines; the limit is {})",
        limits.max_blocks, limits.max_blocks
    ))
}

fn too_deep(kind: &str, limits: &Limits) -> Error {
    let zh = if kind == "HTML" {
        "HTML 嵌套过深"
    } else {
        "DOCX 的 XML 嵌套过深"
    };
    refuse(format!(
        "{zh} ({kind} nested deeper than {} levels)",
        limits.max_depth
    ))
}

fn too_many_elements(kind: &str, limits: &Limits) -> Error {
    refuse(format!(
        "{kind} 元素过多 ({kind} holds more than {} elements; the limit is {})",
        limits.max_elements, limits.max_elements
    ))
}

/// What a well-formed XML part holds, counted by [`check_xml`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct XmlCounts {
    /// The root element's local name (`document`, `styles`, `Relationships`).
    pub root: String,
    /// Elements of any kind.
    pub elements: usize,
    /// WordprocessingML table rows (`w:tr`), cells (`w:tc`) and paragraphs (`w:p`).
    pub rows: usize,
    pub cells: usize,
    pub paragraphs: usize,
}

/// Checks that an XML part is well-formed — one root element, every element closed in order,
/// no text outside the root, attributes in order — in one streaming pass that allocates
/// nothing per element, and counts its elements, table rows, cells and paragraphs against
/// the limits on the way. A parser handed a part that passes never reaches the end of its
/// input inside an open element (the DOCX parser loops for ever there).
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) naming `part` and the first fault, or
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit).
pub fn check_xml(part: &str, bytes: &[u8], limits: &Limits) -> Result<XmlCounts, Error> {
    use quick_xml::events::Event;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let malformed =
        |why: String| Error::unusable(format!("DOCX 的 XML 格式错误 (malformed XML in {part}: {why})"));
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut counts = XmlCounts::default();
    let mut depth = 0usize;
    let mut closed_root = false;
    // Cells so far in each open table row (nested tables open rows inside cells).
    let mut open_rows: Vec<usize> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} at byte {}", reader.error_position())))?;
        let start = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e),
            _ => None,
        };
        if let Some(e) = start {
            if closed_root {
                return Err(malformed("a second root element".into()));
            }
            for attr in e.attributes() {
                attr.map_err(|err| malformed(err.to_string()))?;
            }
            let local = e.local_name();
            let local = local.as_ref();
            if depth == 0 {
                counts.root = String::from_utf8_lossy(local).into_owned();
            }
            counts.elements += 1;
            if counts.elements > limits.max_elements {
                return Err(too_many_elements("XML", limits));
            }
            match local {
                b"tr" => {
                    counts.rows += 1;
                    if counts.rows > limits.max_rows {
                        return Err(too_many_rows(limits));
                    }
                }
                b"tc" => {
                    counts.cells += 1;
                    if counts.cells > limits.max_cells {
                        return Err(too_many_cells(limits));
                    }
                    if let Some(n) = open_rows.last_mut() {
                        *n += 1;
                        if *n > limits.max_row_cells {
                            return Err(too_wide_row(*n, limits));
                        }
                    }
                }
                b"p" => {
                    counts.paragraphs += 1;
                    if counts.paragraphs > limits.max_blocks {
                        return Err(too_many_blocks(limits));
                    }
                }
                _ => {}
            }
        }
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(too_deep("XML", limits));
                }
                if e.local_name().as_ref() == b"tr" {
                    open_rows.push(0);
                }
            }
            Event::Empty(_) if depth == 0 => closed_root = true,
            Event::Empty(_) => {}
            Event::End(e) => {
                // quick-xml checks the name against the open element.
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| malformed("a closing tag with no element open".into()))?;
                if e.local_name().as_ref() == b"tr" {
                    open_rows.pop();
                }
                if depth == 0 {
                    closed_root = true;
                }
            }
            Event::Text(t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(malformed("text outside the root element".into()));
            }
            Event::CData(_) | Event::GeneralRef(_) if depth == 0 => {
                return Err(malformed("text outside the root element".into()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth > 0 {
        return Err(malformed(format!("{depth} element(s) never closed (truncated?)")));
    }
    if !closed_root {
        return Err(malformed("no root element (empty?)".into()));
    }
    Ok(counts)
}

/// HTML elements that never have a closing tag.
const VOID: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "basefont", "frame",
];

/// HTML elements whose content is raw text: no tag inside them counts.
const RAW_TEXT: [&str; 9] = [
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// HTML start tags that close an open `<p>` (the HTML parsing algorithm's list).
const CLOSES_P: [&str; 36] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
    "li",
    "listing",
];

/// Checks HTML before it is parsed: how deep it really nests (as an HTML parser builds the
/// tree: void elements, implied end tags of `p`, `li`, `dt`/`dd`, `td`/`th`, `tr` and the
/// table sections, an end tag closing what is open inside it, and nothing counted inside
/// comments, scripts, styles or other raw text), how many elements it holds, and how many
/// table rows and cells its markup has. One pass; each tag costs at most a search of the
/// open elements, which the depth limit bounds.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past [`Limits::max_depth`],
/// [`Limits::max_elements`], [`Limits::max_rows`], [`Limits::max_row_cells`] or
/// [`Limits::max_cells`].
pub fn check_html(html: &str, limits: &Limits) -> Result<(), Error> {
    HtmlScan::new(limits).feed(html.as_bytes())
}

/// The former name of [`check_html`].
///
/// # Errors
/// As [`check_html`].
pub fn check_html_depth(html: &str, limits: &Limits) -> Result<(), Error> {
    check_html(html, limits)
}

struct HtmlScan<'a> {
    limits: &'a Limits,
    open: Vec<String>,
    elements: usize,
    rows: usize,
    cells: usize,
    row_cells: usize,
}

impl<'a> HtmlScan<'a> {
    fn new(limits: &'a Limits) -> HtmlScan<'a> {
        HtmlScan {
            limits,
            open: Vec::new(),
            elements: 0,
            rows: 0,
            cells: 0,
            row_cells: 0,
        }
    }

    fn feed(&mut self, b: &[u8]) -> Result<(), Error> {
        let n = b.len();
        let mut i = 0;
        while let Some(lt) = b[i..].iter().position(|&c| c == b'<') {
            i += lt;
            let rest = &b[i..];
            if rest.starts_with(b"<!--") {
                i = find(b, i + 4, b"-->").map_or(n, |e| e + 3);
            } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
                i = find(b, i + 2, b">").map_or(n, |e| e + 1);
            } else if rest.len() > 2 && rest[1] == b'/' && rest[2].is_ascii_alphabetic() {
                let (name, end) = tag_name(b, i + 2);
                i = tag_end(b, end).0;
                self.end(&name);
            } else if rest.len() > 1 && rest[1].is_ascii_alphabetic() {
                let (name, end) = tag_name(b, i + 1);
                let (after, self_closing) = tag_end(b, end);
                i = after;
                self.start(&name, self_closing)?;
                if RAW_TEXT.contains(&name.as_str()) {
                    // Raw text runs to the matching end tag (or the end of input).
                    let mut at = i;
                    i = loop {
                        match find(b, at, b"</") {
                            None => break n,
                            Some(e) => {
                                let (close, _) = tag_name(b, e + 2);
                                if close == name {
                                    break e;
                                }
                                at = e + 2;
                            }
                        }
                    };
                }
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    fn start(&mut self, name: &str, self_closing: bool) -> Result<(), Error> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(too_many_elements("HTML", self.limits));
        }
        match name {
            "tr" => {
                self.rows += 1;
                self.row_cells = 0;
                if self.rows > self.limits.max_rows {
                    return Err(too_many_rows(self.limits));
                }
                self.close_within("tr", &["table"]);
            }
            "td" | "th" => {
                self.cells += 1;
                self.row_cells += 1;
                if self.cells > self.limits.max_cells {
                    return Err(too_many_cells(self.limits));
                }
                if self.row_cells > self.limits.max_row_cells {
                    return Err(too_wide_row(self.row_cells, self.limits));
                }
                self.close_within("td", &["table", "tr"]);
                self.close_within("th", &["table", "tr"]);
            }
            "thead" | "tbody" | "tfoot" => {
                for s in ["thead", "tbody", "tfoot"] {
                    self.close_within(s, &["table"]);
                }
            }
            "li" => self.close_within("li", &["ul", "ol", "table", "td", "th"]),
            "dt" | "dd" => {
                self.close_within("dt", &["dl", "table", "td", "th"]);
                self.close_within("dd", &["dl", "table", "td", "th"]);
            }
            "option" => self.close_within("option", &["select", "datalist"]),
            // A table started right inside a table (not in a cell) ends the open one.
            "table"
                if self
                    .open
                    .last()
                    .is_some_and(|o| matches!(o.as_str(), "table" | "thead" | "tbody" | "tfoot" | "tr")) =>
            {
                self.close_within("table", &[]);
            }
            _ => {}
        }
        if CLOSES_P.contains(&name) {
            self.close_within("p", &["table", "td", "th", "caption", "button", "object"]);
        }
        if VOID.contains(&name) {
            return Ok(());
        }
        // `<x/>` is an empty element only in SVG and MathML; in HTML it opens `x`.
        if self_closing && self.open.iter().any(|o| o == "svg" || o == "math") {
            return Ok(());
        }
        self.open.push(name.to_string());
        if self.open.len() > self.limits.max_depth {
            return Err(too_deep("HTML", self.limits));
        }
        Ok(())
    }

    /// Closes the innermost open `name` (and what is open inside it) unless one of `bounds`
    /// is open inside it.
    fn close_within(&mut self, name: &str, bounds: &[&str]) {
        for at in (0..self.open.len()).rev() {
            let open = self.open[at].as_str();
            if open == name {
                self.open.truncate(at);
                return;
            }
            if bounds.contains(&open) {
                return;
            }
        }
    }

    fn end(&mut self, name: &str) {
        if let Some(at) = self.open.iter().rposition(|o| o == name) {
            self.open.truncate(at);
        }
    }
}

/// The first index at or after `from` where `needle` starts.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A tag name starting at `at`, lowercased (at most 16 bytes kept), and where it ends.
fn tag_name(b: &[u8], at: usize) -> (String, usize) {
    let mut end = at;
    while end < b.len() && !(b[end].is_ascii_whitespace() || b[end] == b'/' || b[end] == b'>') {
        end += 1;
    }
    let name = b[at..end.min(at + 16)]
        .iter()
        .map(|c| c.to_ascii_lowercase() as char)
        .collect();
    (name, end)
}

/// The index after a tag's `>` (quoted attribute values skipped) and whether the tag ends
/// with `/>`.
fn tag_end(b: &[u8], mut at: usize) -> (usize, bool) {
    let mut quote: Option<u8> = None;
    let mut prev = 0u8;
    while at < b.len() {
        let c = b[at];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return (at + 1, prev == b'/'),
            None => {}
        }
        if !c.is_ascii_whitespace() {
            prev = c;
        }
        at += 1;
    }
    (b.len(), false)
}

/// Counts tag nesting in an XML byte stream fed in pieces: `<a>` opens, `</a>` closes,
/// `<a/>`, `<?…>` and `<!…>` do neither. Returns the deepest level seen so far.
#[derive(Debug, Default)]
struct DepthCounter {
    depth: usize,
    deepest: usize,
    /// Inside a tag: its first bytes.
    tag: Option<u8>,
    last: u8,
}

impl DepthCounter {
    fn feed(&mut self, bytes: &[u8]) -> usize {
        for &b in bytes {
            match (self.tag, b) {
                (None, b'<') => self.tag = Some(0),
                (Some(first), b'>') => {
                    self.tag = None;
                    match first {
                        b'/' => self.depth = self.depth.saturating_sub(1),
                        b'?' | b'!' | 0 => {}
                        _ if self.last == b'/' => {}
                        _ => {
                            self.depth += 1;
                            self.deepest = self.deepest.max(self.depth);
                        }
                    }
                }
                (Some(0), _) => self.tag = Some(b),
                _ => {}
            }
            self.last = b;
        }
        self.deepest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_open_tags_only() {
        let mut c = DepthCounter::default();
        assert_eq!(c.feed(b"<?xml?><a><b/><c><d></d></c></a>"), 3);
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        assert!(check_html(&"<div>".repeat(11), &limits).is_err());
        assert!(check_html(&"<div></div>".repeat(100), &limits).is_ok());
        // In HTML `<div/>` opens a div.
        assert!(check_html(&"<div/>".repeat(11), &limits).is_err());
        assert!(check_html(&format!("<svg>{}</svg>", "<g/>".repeat(11)), &limits).is_ok());
    }

    #[test]
    fn html_depth_follows_the_parser() {
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        // Unclosed paragraphs, cells, rows and list items close each other.
        let good = [
            "<html><body>".to_string() + &"<p>段落".repeat(50),
            "<table>".to_string() + &"<tr><td>a<td>b<th>c".repeat(50) + "</table>",
            "<ul>".to_string() + &"<li>x".repeat(50) + "</ul>",
            // An unclosed `<u>` (OCR) ends with its cell or paragraph.
            "<table>".to_string() + &"<tr><td><u>下划线</td></tr>".repeat(50) + "</table>",
            "<p>".to_string() + &"<u>x</p><p>".repeat(50),
            // Scripts, styles and comments hold no tags.
            format!(
                "<script>{}</script><style>{}</style><!-- {} -->",
                "if (a<b) x = '<div>';".repeat(50),
                "a<b{}".repeat(50),
                "<div>".repeat(50)
            ),
            // A `<` that starts no tag.
            "a < b, c <5 ".repeat(50),
        ];
        for html in &good {
            assert!(check_html(html, &limits).is_ok(), "{html}");
        }
        assert!(check_html(&"<div><span>".repeat(6), &limits).is_err());
        assert!(check_html(&"<b>".repeat(11), &limits).is_err());
    }

    #[test]
    fn xml_must_be_well_formed() {
        let limits = Limits::default();
        let ok = check_xml("x", b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<w:document xmlns:w=\"u\"><w:body><w:tbl><w:tr><w:tc><w:p/></w:tc><w:tc/></w:tr></w:tbl></w:body></w:document>\n", &limits).unwrap();
        assert_eq!(
            (ok.root.as_str(), ok.rows, ok.cells, ok.paragraphs, ok.elements),
            ("document", 1, 2, 1, 7)
        );
        for bad in [
            &b""[..],
            b"garbage",
            b"<a><b></a>",
            b"<w:styles><w:style>",
            b"<a/><b/>",
            b"<a></a>tail",
            b"<a x='1' x='2'/>",
        ] {
            match check_xml("word/styles.xml", bad, &limits) {
                Err(e) => assert!(
                    e.kind() == crate::ErrorKind::Unusable
                        && e.message().contains("word/styles.xml")
                        && !e.message().contains('\n'),
                    "{e:?}"
                ),
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bad)),
            }
        }
        let small = Limits {
            max_rows: 2,
            max_row_cells: 3,
            ..Limits::default()
        };
        let rows = format!("<t>{}</t>", "<tr><tc/></tr>".repeat(3));
        assert!(
            check_xml("x", rows.as_bytes(), &small)
                .unwrap_err()
                .to_string()
                .contains("rows")
        );
        let wide = format!("<t><tr>{}</tr></t>", "<tc/>".repeat(4));
        assert!(
            check_xml("x", wide.as_bytes(), &small)
                .unwrap_err()
                .to_string()
                .contains("cells")
        );
    }
}
