//! The reader for HTML: saved web pages (`.html`, `.htm`) and the `<table>` parts that OCR
//! tools (MinerU and others) embed in Markdown.
//!
//! Pages are parsed by html5ever, as a browser would. Scripts, styles, navigation, headers and
//! footers are dropped; block elements become text lines (`h1`–`h6` headings), and each data
//! table becomes exact rows with `rowspan`/`colspan` resolved into a true grid: a spanned cell's
//! text stands in its first position and the positions it spans over are empty strings.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};
use std::sync::LazyLock;

use ego_tree::{NodeId, Tree};
use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, QualName, parse_document};

use super::limits::{self, Limits, Tally};
use super::{RawBlock, RawDoc};
use crate::error::Error;

/// Whether decoded text is a whole web page rather than text or Markdown.
pub fn looks_like_page(text: &str) -> bool {
    let head: String = text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with("<?xml") && head.contains("<html"))
}

/// Reads a whole HTML page under the default limits.
///
/// # Errors
/// As [`read_with`].
pub fn read(html: &str) -> Result<RawDoc, Error> {
    read_with(html, &Limits::default())
}

/// Reads a whole HTML page: checked by [`limits::check_html`] before html5ever sees it (depth
/// and element count are bounded in front of the parser), then read with its rows, cells and
/// lines counted against the limits.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past a limit.
pub fn read_with(html: &str, limits: &Limits) -> Result<RawDoc, Error> {
    limits::check_html(html, limits)?;
    read_fragment(html, 0, &mut Tally::new(limits))
}

/// Reads HTML that starts on line `offset + 1` of its file: every block's line is its line
/// in the file. The caller has checked it with [`limits::check_html`]; a tree deeper than
/// the depth limit all the same (formatting elements an HTML parser reopens) is refused
/// rather than walked.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past a limit of the tally.
pub fn read_fragment(html: &str, offset: usize, tally: &mut Tally) -> Result<RawDoc, Error> {
    let dom = parse_document(Sink::default(), Default::default()).one(html);
    let mut walker = Walker {
        offset,
        blocks: Vec::new(),
        buf: String::new(),
        buf_line: 0,
        pre: 0,
        article: 0,
        depth: 0,
        max_depth: tally.limits().max_depth * 2,
        tally,
    };
    walker.node(dom.root(), 1)?;
    walker.flush(None)?;
    Ok(RawDoc {
        blocks: walker.blocks,
        page_title: page_title(dom.root(), 0),
        ..RawDoc::default()
    })
}

/// The text of the page's `<title>`, whitespace collapsed, when it has one.
fn page_title(node: NodeRef<'_>, depth: usize) -> Option<String> {
    if depth > 64 {
        return None;
    }
    if tag_of(node) == Some("title") {
        let mut text = String::new();
        for child in node.children() {
            if let Node::Text(contents) = child.value() {
                text.push_str(contents);
            }
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        return (!text.is_empty()).then_some(text);
    }
    node.children().find_map(|c| page_title(c, depth + 1))
}

/// The byte ranges of the `<table>…</table>` parts of a text (nested tables inside their
/// outer one). An unclosed table runs to the end of the text. One pass over the text.
pub fn table_spans(text: &str) -> Vec<(usize, usize)> {
    let lower = text.as_bytes();
    let at_word = |at: usize, word: &[u8]| {
        lower.len() >= at + word.len()
            && lower[at..at + word.len()].eq_ignore_ascii_case(word)
            && lower
                .get(at + word.len())
                .is_none_or(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
    };
    let mut spans = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut pos = 0;
    while let Some(found) = lower[pos..].iter().position(|&c| c == b'<') {
        let at = pos + found;
        pos = at + 1;
        if at_word(at, b"<table") {
            if depth == 0 {
                start = at;
            }
            depth += 1;
        } else if depth > 0 && at_word(at, b"</table") {
            let close_end = lower[at..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(lower.len(), |i| at + i + 1);
            pos = close_end;
            depth -= 1;
            if depth == 0 {
                spans.push((start, close_end));
            }
        }
    }
    if depth > 0 {
        spans.push((start, lower.len()));
    }
    spans
}

/// Whether a line holds nothing but HTML tags (the `<html><body>` wrappers MinerU puts
/// around each table).
pub fn only_tags(text: &str) -> bool {
    let mut rest = text.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        if !rest.starts_with('<') {
            return false;
        }
        match rest.find('>') {
            Some(i) => rest = rest[i + 1..].trim_start(),
            None => return false,
        }
    }
    true
}

/// Elements whose content is never report text.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "header", "footer", "noscript", "template", "head", "select", "button",
    "iframe", "svg", "object", "aside", "input", "textarea", "map", "canvas",
];

/// Class or id names that mark site chrome rather than content.
const CHROME: &[&str] = &[
    "nav",
    "navbar",
    "menu",
    "header",
    "footer",
    "breadcrumb",
    "crumb",
    "sidebar",
    "topbar",
    "skip",
];

/// Elements that end a line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "center",
    "address",
    "form",
    "figure",
    "figcaption",
    "hr",
    "body",
    "html",
    "tr",
    "td",
    "th",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "fieldset",
    "legend",
    "details",
    "summary",
];

struct Walker<'a> {
    offset: usize,
    blocks: Vec<RawBlock>,
    buf: String,
    buf_line: usize,
    pre: usize,
    /// Depth inside `<article>`/`<main>`, where a `<header>` holds the report's own title.
    article: usize,
    /// How deep the walk is in the tree, and the most it may go.
    depth: usize,
    max_depth: usize,
    tally: &'a mut Tally,
}

impl Walker<'_> {
    fn node(&mut self, node: NodeRef<'_>, parent_line: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Error::limit(format!(
                "HTML 嵌套过深 (HTML nested deeper than {} levels)",
                self.max_depth
            )));
        }
        let done = self.node_inner(node, parent_line);
        self.depth -= 1;
        done
    }

    fn node_inner(&mut self, node: NodeRef<'_>, parent_line: usize) -> Result<(), Error> {
        let line = line_of(node, parent_line);
        match node.value() {
            Node::Document => self.children(node, line)?,
            Node::Text(contents) => self.text(contents, line)?,
            Node::Element(Element { name, attrs, .. }) => {
                let tag: &str = &name.local;
                let own_header = self.article > 0 && matches!(tag, "header" | "footer");
                if skipped(tag, attrs) && !own_header {
                    return Ok(());
                }
                match tag {
                    "article" | "main" => {
                        self.flush(None)?;
                        self.article += 1;
                        self.children(node, line)?;
                        self.article -= 1;
                        self.flush(None)?;
                    }
                    "br" => self.flush(None)?,
                    "table" if !is_layout_table(node) => {
                        self.flush(None)?;
                        self.table(node, line)?;
                    }
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        self.flush(None)?;
                        self.children(node, line)?;
                        self.flush(tag[1..].parse().ok())?;
                    }
                    "pre" => {
                        self.flush(None)?;
                        self.pre += 1;
                        self.children(node, line)?;
                        self.pre -= 1;
                        self.flush(None)?;
                    }
                    _ if BLOCKS.contains(&tag) => {
                        self.flush(None)?;
                        self.children(node, line)?;
                        self.flush(None)?;
                    }
                    _ => self.children(node, line)?,
                }
            }
            Node::Other => {}
        }
        Ok(())
    }

    fn children(&mut self, node: NodeRef<'_>, line: usize) -> Result<(), Error> {
        for child in node.children() {
            self.node(child, line)?;
        }
        Ok(())
    }

    fn text(&mut self, text: &str, line: usize) -> Result<(), Error> {
        if self.pre > 0 && text.contains('\n') {
            let mut first = true;
            for (i, part) in text.split('\n').enumerate() {
                if !first {
                    self.flush(None)?;
                }
                first = false;
                self.append(part, line + i);
            }
        } else {
            self.append(text, line);
        }
        Ok(())
    }

    fn append(&mut self, text: &str, line: usize) {
        if self.buf.trim().is_empty() {
            self.buf_line = line;
        }
        push_collapsed(&mut self.buf, text);
    }

    fn flush(&mut self, heading: Option<u8>) -> Result<(), Error> {
        let text = clean(&self.buf);
        self.buf.clear();
        if !text.is_empty() {
            self.tally.block()?;
            self.blocks.push(RawBlock::Text {
                line: self.buf_line + self.offset,
                text,
                heading,
            });
        }
        Ok(())
    }

    fn table(&mut self, table: NodeRef<'_>, line: usize) -> Result<(), Error> {
        let mut rows = Vec::new();
        let mut captions = Vec::new();
        collect_rows(table, &mut rows, &mut captions, 0);
        for caption in captions {
            let text = cell_text(caption);
            if !text.is_empty() {
                self.tally.block()?;
                let line = line_of(caption, line) + self.offset;
                self.blocks.push(RawBlock::Text {
                    line,
                    text,
                    heading: None,
                });
            }
        }
        let lines: Vec<usize> = rows.iter().map(|&(tr, _)| line_of(tr, line)).collect();
        let grid = grid(&rows, self.tally)?;
        for (cells, line) in grid.into_iter().zip(lines) {
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            self.blocks.push(RawBlock::Row {
                line: line + self.offset,
                cells,
                exact: true,
            });
        }
        Ok(())
    }
}

/// The line an element's start tag is on, or `fallback` for any other node.
fn line_of(node: NodeRef<'_>, fallback: usize) -> usize {
    match node.value() {
        Node::Element(e) => e.line,
        _ => fallback,
    }
}

fn tag_of<'a>(node: NodeRef<'a>) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => Some(&*e.name.local),
        _ => None,
    }
}

fn skipped(tag: &str, attrs: &[Attribute]) -> bool {
    if SKIPPED.contains(&tag) {
        return true;
    }
    attrs.iter().any(|a| {
        let name: &str = &a.name.local;
        let value = a.value.to_ascii_lowercase();
        match name {
            "class" | "id" => value.split_ascii_whitespace().any(|v| CHROME.contains(&v)),
            "role" => matches!(value.as_str(), "navigation" | "banner" | "contentinfo"),
            "hidden" => true,
            "style" => {
                let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                v.contains("display:none")
            }
            _ => false,
        }
    })
}

/// A table used for page layout: it holds another table, or it is a single column.
fn is_layout_table(table: NodeRef<'_>) -> bool {
    fn has_table(node: NodeRef<'_>) -> bool {
        node.children()
            .any(|c| tag_of(c) == Some("table") || has_table(c))
    }
    if has_table(table) {
        return true;
    }
    let mut rows = Vec::new();
    collect_rows(table, &mut rows, &mut Vec::new(), 0);
    rows.iter().all(|&(tr, _)| cells_of(tr).len() <= 1)
}

/// The rows of a table (through `thead`/`tbody`/`tfoot`), not those of nested tables, each
/// with the number of its section (rows straight under the table are section 0).
fn collect_rows<'a>(
    node: NodeRef<'a>,
    rows: &mut Vec<(NodeRef<'a>, usize)>,
    captions: &mut Vec<NodeRef<'a>>,
    section: usize,
) {
    let mut sections = section;
    for child in node.children() {
        match tag_of(child) {
            Some("tr") => rows.push((child, section)),
            Some("thead" | "tbody" | "tfoot") if section == 0 => {
                sections += 1;
                collect_rows(child, rows, captions, sections);
            }
            Some("caption") => captions.push(child),
            _ => {}
        }
    }
}

fn cells_of(tr: NodeRef<'_>) -> Vec<NodeRef<'_>> {
    tr.children()
        .filter(|&c| matches!(tag_of(c), Some("td" | "th")))
        .collect()
}

fn span_attr(cell: NodeRef<'_>, name: &str) -> usize {
    let Node::Element(Element { attrs, .. }) = cell.value() else {
        return 1;
    };
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .and_then(|a| a.value.trim().parse::<usize>().ok())
        .unwrap_or(1)
}

/// The most rows a `rowspan` covers, as browsers clamp it (the HTML standard's limit).
const MAX_ROWSPAN: usize = 65_534;
/// The most columns a `colspan` covers, as browsers clamp it (the HTML standard's limit).
const MAX_COLSPAN: usize = 1_000;

/// The rows as a true grid: `rowspan`/`colspan` resolved, so a cell's position is its grid
/// column. A row is not padded to the widest: a position past a row's last cell is absent (a
/// cell left out of the markup), not a blank cell, and the normalizer must not read it as one.
/// Spans are clamped as browsers do (`colspan` 1–1000, `rowspan` ≤ 65534, `rowspan="0"` to
/// the end of the row's section) and then by the rows really there; every position is counted
/// against the tally before it is pushed, and each row costs time in its own width only.
fn grid(rows: &[(NodeRef<'_>, usize)], tally: &mut Tally) -> Result<Vec<Vec<String>>, Error> {
    // For each column, how many more rows a cell above still covers.
    let mut carry: Vec<usize> = Vec::new();
    let mut out: Vec<Vec<String>> = Vec::new();
    // Where each row's section ends (the index after its last row).
    let mut section_end = vec![rows.len(); rows.len()];
    for r in (0..rows.len().saturating_sub(1)).rev() {
        section_end[r] = if rows[r].1 == rows[r + 1].1 {
            section_end[r + 1]
        } else {
            r + 1
        };
    }
    for (r, &(tr, _)) in rows.iter().enumerate() {
        let remaining_rows = rows.len() - r;
        let in_section = section_end[r] - r;
        tally.row(0)?;
        // Columns still covered from above: they hold positions in this row.
        let occupied = |c: usize| carry.get(c).is_some_and(|&n| n > 0);
        let last_occupied = carry.iter().rposition(|&n| n > 0);
        let mut row: Vec<String> = Vec::new();
        let mut new_spans: Vec<(usize, usize)> = Vec::new();
        let pad = |row: &mut Vec<String>, n: usize, tally: &mut Tally| -> Result<(), Error> {
            tally.cells(n, row.len() + n)?;
            row.extend(std::iter::repeat_n(String::new(), n));
            Ok(())
        };
        for cell in cells_of(tr) {
            while occupied(row.len()) {
                pad(&mut row, 1, tally)?;
            }
            let colspan = span_attr(cell, "colspan").clamp(1, MAX_COLSPAN);
            let rowspan = match span_attr(cell, "rowspan") {
                0 => in_section,
                n => n.min(MAX_ROWSPAN).min(remaining_rows.max(1)),
            };
            let start = row.len();
            tally.cells(1, start + colspan)?;
            row.push(cell_text(cell));
            pad(&mut row, colspan - 1, tally)?;
            if rowspan > 1 {
                new_spans.extend((start..start + colspan).map(|c| (c, rowspan - 1)));
            }
        }
        if let Some(last) = last_occupied
            && last >= row.len()
        {
            let missing = last + 1 - row.len();
            pad(&mut row, missing, tally)?;
        }
        for n in carry.iter_mut() {
            *n = n.saturating_sub(1);
        }
        for (c, n) in new_spans {
            if carry.len() <= c {
                carry.resize(c + 1, 0);
            }
            carry[c] = n;
        }
        out.push(row);
    }
    Ok(out)
}

/// A cell's text: its descendants' text with whitespace collapsed; lines inside it (`<br>`,
/// paragraphs) are joined by a space.
fn cell_text(cell: NodeRef<'_>) -> String {
    fn walk(node: NodeRef<'_>, out: &mut String) {
        match node.value() {
            Node::Text(contents) => push_collapsed(out, contents),
            Node::Element(Element { name, attrs, .. }) => {
                let tag: &str = &name.local;
                if skipped(tag, attrs) {
                    return;
                }
                let block = tag == "br" || BLOCKS.contains(&tag);
                if block && !out.ends_with(' ') {
                    out.push(' ');
                }
                for child in node.children() {
                    walk(child, out);
                }
                if block && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    for child in cell.children() {
        walk(child, &mut out);
    }
    clean(&out)
}

/// Appends text with HTML whitespace (and no-break spaces) collapsed to single spaces.
fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}') {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn clean(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_string()
}

/// A node of a parsed page. The page is an [`ego_tree::Tree`] of these: one vector of nodes
/// linked by index, so a hostile page's tree holds no reference cycles and is dropped without
/// recursion however deep it nests.
enum Node {
    Document,
    Element(Element),
    Text(StrTendril),
    /// A doctype, comment or processing instruction: kept in its place, never read.
    Other,
}

struct Element {
    name: QualName,
    attrs: Vec<Attribute>,
    /// The line its start tag is on, from 1.
    line: usize,
    /// A `<template>`'s contents (a fragment of its own).
    template: Option<NodeId>,
    mathml_annotation_xml_integration_point: bool,
}

type NodeRef<'a> = ego_tree::NodeRef<'a, Node>;

/// The name [`Sink::elem_name`] gives a node that is not an element (html5ever asks only of
/// elements).
static NO_NAME: LazyLock<QualName> =
    LazyLock::new(|| QualName::new(None, html5ever::ns!(), html5ever::local_name!("")));

/// html5ever's tree builder writes the page into a [`Tree`] of [`Node`]s through this sink,
/// which also records the source line each element starts on. Where html5ever's calls would
/// not make sense (a node appended to itself, a sibling of a node without a parent) the call
/// is ignored rather than panicking.
struct Sink {
    tree: RefCell<Tree<Node>>,
    line: Cell<u64>,
}

impl Default for Sink {
    fn default() -> Self {
        Sink {
            tree: RefCell::new(Tree::new(Node::Document)),
            line: Cell::new(1),
        }
    }
}

impl Sink {
    fn element<R>(&self, id: NodeId, f: impl FnOnce(&mut Element) -> R) -> Option<R> {
        match self.tree.borrow_mut().get_mut(id)?.value() {
            Node::Element(e) => Some(f(e)),
            _ => None,
        }
    }

    /// Appends `text` to `node` when it is a text node; whether it was.
    fn merge_text(node: Option<ego_tree::NodeMut<'_, Node>>, text: &StrTendril) -> bool {
        match node {
            Some(mut n) => match n.value() {
                Node::Text(t) => {
                    t.push_tendril(text);
                    true
                }
                _ => false,
            },
            None => false,
        }
    }
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Tree<Node>;
    type ElemName<'a>
        = Ref<'a, QualName>
    where
        Self: 'a;

    fn finish(self) -> Tree<Node> {
        self.tree.into_inner()
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {}
    fn get_document(&self) -> NodeId {
        self.tree.borrow().root().id()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        Ref::map(self.tree.borrow(), |t| match t.get(*target).map(|n| n.value()) {
            Some(Node::Element(e)) => &e.name,
            _ => &NO_NAME,
        })
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let mut tree = self.tree.borrow_mut();
        let template = flags.template.then(|| tree.orphan(Node::Document).id());
        let element = Element {
            name,
            attrs,
            line: usize::try_from(self.line.get()).unwrap_or(usize::MAX).max(1),
            template,
            mathml_annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        };
        tree.orphan(Node::Element(element)).id()
    }
    fn create_comment(&self, _text: StrTendril) -> NodeId {
        self.tree.borrow_mut().orphan(Node::Other).id()
    }
    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.tree.borrow_mut().orphan(Node::Other).id()
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let mut tree = self.tree.borrow_mut();
        let Some(mut p) = tree.get_mut(*parent) else {
            return;
        };
        match child {
            NodeOrText::AppendNode(id) if id != *parent => {
                p.append_id(id);
            }
            NodeOrText::AppendNode(_) => {}
            NodeOrText::AppendText(text) => {
                if !Sink::merge_text(p.last_child(), &text) {
                    p.append(Node::Text(text));
                }
            }
        }
    }
    fn append_based_on_parent_node(&self, element: &NodeId, prev: &NodeId, child: NodeOrText<NodeId>) {
        let has_parent = self
            .tree
            .borrow()
            .get(*element)
            .is_some_and(|n| n.parent().is_some());
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev, child);
        }
    }
    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {
        self.tree.borrow_mut().root_mut().append(Node::Other);
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.element(*target, |e| e.template).flatten().unwrap_or(*target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }
    fn set_quirks_mode(&self, _mode: QuirksMode) {}
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let mut tree = self.tree.borrow_mut();
        let Some(mut s) = tree.get_mut(*sibling) else {
            return;
        };
        if s.parent().is_none() {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) if id != *sibling => {
                s.insert_id_before(id);
            }
            NodeOrText::AppendNode(_) => {}
            NodeOrText::AppendText(text) => {
                if !Sink::merge_text(s.prev_sibling(), &text) {
                    s.insert_before(Node::Text(text));
                }
            }
        }
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.element(*target, |e| {
            for a in attrs {
                if !e.attrs.iter().any(|x| x.name == a.name) {
                    e.attrs.push(a);
                }
            }
        });
    }
    fn remove_from_parent(&self, target: &NodeId) {
        if let Some(mut n) = self.tree.borrow_mut().get_mut(*target) {
            n.detach();
        }
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        if node != new_parent
            && let Some(mut p) = self.tree.borrow_mut().get_mut(*new_parent)
        {
            p.reparent_from_id_append(*node);
        }
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.element(*handle, |e| e.mathml_annotation_xml_integration_point)
            .unwrap_or(false)
    }
    fn set_current_line(&self, line_number: u64) {
        self.line.set(line_number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(doc: &RawDoc) -> Vec<(usize, Vec<String>)> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                RawBlock::Row { line, cells, exact } => {
                    assert!(exact);
                    Some((*line, cells.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn spans_become_a_true_grid() {
        let doc = read(
            "<!DOCTYPE html><html><head><title>x</title><script>var a = '<td>';</script></head><body><header>站点</header><article><header>\n\
             <nav>首页 &gt; 政务公开</nav>\n\
             <h1>某县2024年报告</h1></header>\n\
             <table>\n\
             <tr><td rowspan=\"2\" colspan=\"2\">A</td><td>B</td></tr>\n\
             <tr><td>C</td></tr>\n\
             <tr><td>D</td><td colspan=2>E</td></tr>\n\
             <tr><td rowspan=3>F</td><td>G<br>H</td><td>1</td></tr>\n\
             <tr><td>I</td><td></td></tr>\n\
             </table>\n<p>正文　一段</p></article><footer>版权</footer></body></html>",
        )
        .unwrap();
        let r = rows(&doc);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(r[0], (5, s(&["A", "", "B"])));
        assert_eq!(r[1], (6, s(&["", "", "C"])));
        assert_eq!(r[2], (7, s(&["D", "E", ""])));
        assert_eq!(r[3], (8, s(&["F", "G H", "1"])));
        assert_eq!(r[4], (9, s(&["", "I", ""])));
        assert!(
            matches!(&doc.blocks[0], RawBlock::Text { text, heading: Some(1), line: 3 } if text == "某县2024年报告")
        );
        assert!(matches!(doc.blocks.last(), Some(RawBlock::Text { text, .. }) if text == "正文　一段"));
        assert!(!format!("{doc:?}").contains("首页"));
        assert!(!format!("{doc:?}").contains("站点") && !format!("{doc:?}").contains("版权"));
        assert!(!format!("{doc:?}").contains("var a"));
    }

    #[test]
    fn layout_tables_are_read_as_text() {
        let doc = read(
            "<html><body><table><tr><td><h1>标题</h1><p>第一段</p>\n<table><tr><td>a</td><td>1</td></tr></table>\n<p>第二段</p></td></tr></table></body></html>",
        )
        .unwrap();
        let texts = doc.texts();
        assert_eq!(texts, ["标题", "第一段", "a|1", "第二段"]);
        assert!(only_tags("<html><body>"));
        assert!(!only_tags("<p>正文"));
        assert!(!only_tags("  "));
    }

    #[test]
    fn markdown_tables_are_found() {
        let md = "# 标题\n\n<table><tr><td>x</td></tr></table>\n正文\n<TABLE border=1><tr><td><table></table></td></tr></TABLE>";
        let spans = table_spans(md);
        assert_eq!(spans.len(), 2);
        assert_eq!(&md[spans[0].0..spans[0].1], "<table><tr><td>x</td></tr></table>");
        assert!(md[spans[1].0..spans[1].1].ends_with("</TABLE>"));
        assert!(table_spans("<tablet>").is_empty());
    }
}
