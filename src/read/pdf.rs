//! The reader for PDFs with a text layer.
//!
//! Content streams are interpreted here (text matrices, the CTM, fonts' widths and Unicode
//! maps) so every glyph gets a position; lines and cells are then rebuilt from positions, not
//! from drawing order, which in many PDFs scatters the cells of a table. A line with two or
//! more cells (separated by gaps wider than about one em) becomes a [`RawBlock::Row`], any
//! other line a [`RawBlock::Text`]. A font whose codes cannot be mapped to Unicode is refused
//! with [`ErrorKind::Unusable`](crate::ErrorKind::Unusable): nianbao never reads garbage as text.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};

use super::{RawBlock, RawDoc};
use crate::error::Error;

// Limits against hostile files (issue 13). A real report is a few MB with a few hundred
// pages at most; each figure leaves a wide margin over that.

/// The most pages read.
const MAX_PAGES: usize = 5_000;
/// The most bytes one content stream (a page's, or a form XObject's) may inflate to.
const MAX_CONTENT_BYTES: usize = 64 << 20;
/// The most bytes all the streams read from one document may inflate to (page contents,
/// form XObjects, ToUnicode maps; each decoded once): the figure `limits.rs` allows a DOCX
/// package to unpack to.
const MAX_INFLATED_BYTES: usize = 256 << 20;
/// The most content-stream bytes interpreted in one document, counting a form XObject again
/// each time it is drawn. A real report's pages hold a few MB of content in all.
const MAX_INTERPRETED_BYTES: usize = 256 << 20;
/// The most drawing operations interpreted in one document.
const MAX_OPS: usize = 2_000_000;
/// The most glyphs shown in one document (about 400 dense pages).
const MAX_GLYPHS: usize = 2_000_000;
/// The most glyphs shown on one page: a dense page of small print holds about 10,000, and
/// rebuilding a page's lines sorts and groups all of its glyphs at once.
const MAX_PAGE_GLYPHS: usize = 100_000;
/// The most tokens one drawing operation's operands may hold (an array counts each of its
/// values): lopdf parses an operation's operands into one list before we see it, at 128
/// bytes a value. The longest real operand is a `TJ` array of a line's glyphs and shifts.
const MAX_OPERAND_TOKENS: usize = 100_000;
/// How deep form XObjects may nest (deeper ones are not drawn).
const MAX_XOBJECT_DEPTH: usize = 8;
const MAX_STACK: usize = 256;
const MAX_DEREF: usize = 32;
/// The most codes one font's ToUnicode map or /W widths may assign, counting every code of
/// every range, overlaps included, checked before a range is expanded. A map for a whole CJK
/// font assigns about 30,000 codes; two-byte codes are at most 65,536.
const MAX_CMAP_ENTRIES: usize = 200_000;
/// The largest ToUnicode stream read, inflated: the map of a whole CJK font is under 1 MB.
const MAX_CMAP_BYTES: usize = 8 << 20;
/// The longest destination string of a CMap entry, in bytes (PDF 32000-1 §9.10.3 allows
/// 512; a ligature is a few).
const MAX_CMAP_DST: usize = 512;

/// A gap wider than this many ems between glyphs starts a new cell.
const CELL_GAP_EM: f64 = 0.8;
/// A gap wider than this many ems (but not a cell gap) is a space.
const SPACE_GAP_EM: f64 = 0.15;
/// Glyphs whose baselines differ by less than this many ems share a line. Table cells are
/// often centred vertically, and Latin digits sit a little lower than Chinese labels set in
/// another face (2.3 pt at 7.5 pt in the Huaian report), so this is looser than for prose.
const LINE_TOLERANCE_EM: f64 = 0.45;
/// Between two Chinese characters a gap is a space only when wider than this many ems:
/// table headers are often spread out to fill their cells.
const CJK_SPACE_GAP_EM: f64 = 0.6;

/// Reads a PDF's text layer into lines and cells.
pub fn read(bytes: &[u8]) -> Result<RawDoc, Error> {
    if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Err(Error::unusable("不是 PDF 文件 (not a PDF: no %PDF- header)"));
    }
    // lopdf is defensive, but a parser bug must not take the program down.
    match std::panic::catch_unwind(|| read_inner(bytes)) {
        Ok(r) => r,
        Err(_) => Err(Error::unusable(
            "PDF 文件已损坏，无法解析 (corrupt PDF: the parser gave up)",
        )),
    }
}

fn read_inner(bytes: &[u8]) -> Result<RawDoc, Error> {
    let doc = load(bytes)?;
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(Error::unusable(
            "PDF 已加密 (encrypted PDF: cannot read its text)",
        ));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Error::unusable("PDF 没有页面 (PDF has no pages)"));
    }
    if pages.len() > MAX_PAGES {
        return Err(Error::limit(format!(
            "PDF 页数过多 (PDF has {} pages; at most {MAX_PAGES} are read)",
            pages.len()
        )));
    }
    let mut budget = Budget::default();
    let mut cache = Cache::default();
    let mut blocks = Vec::new();
    let mut line = 0usize;
    let mut any_glyph = false;
    let mut page_texts: Vec<Vec<Vec<String>>> = Vec::with_capacity(pages.len());
    for (&number, &page_id) in &pages {
        let limit = MAX_CONTENT_BYTES.min(MAX_INFLATED_BYTES.saturating_sub(budget.inflated));
        let content =
            doc.get_page_content_with_limit(page_id, limit)
                .map_err(|e| match e {
                    lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                        too_much_inflated(number, limit)
                    }
                    e => Error::unusable(format!("第 {number} 页内容无法读取 (page {number}: {e})"))
                        .with_source(e),
                })?;
        budget.inflated += content.len();
        let resources = page_resources(&doc, page_id);
        let mut interp = Interp {
            doc: &doc,
            page: number,
            glyphs: Vec::new(),
            budget: &mut budget,
            coverage: HashMap::new(),
            cache: &mut cache,
        };
        interp.run(&content, &resources, page_rotation(&doc, page_id), 0)?;
        for (font, shown, unmapped) in interp.coverage.values() {
            if *unmapped > 3 && unmapped * 20 > *shown {
                return Err(incomplete_font(number, font, *unmapped, *shown));
            }
        }
        let glyphs = std::mem::take(&mut interp.glyphs);
        any_glyph |= !glyphs.is_empty();
        page_texts.push(page_lines(glyphs));
    }
    // A bare figure on a page's last line that counts up with the pages is its number.
    let feet: Vec<Option<u32>> = page_texts
        .iter()
        .map(|lines| match lines.last().map(Vec::as_slice) {
            Some([only]) => super::pages::bare_figure(only),
            _ => None,
        })
        .collect();
    let numbered = super::pages::page_numbers(&feet);
    for (lines, numbered) in page_texts.into_iter().zip(numbered) {
        let count = lines.len();
        for (k, cells) in lines.into_iter().enumerate() {
            line += 1;
            if (cells.len() == 1 && is_page_number(&cells[0])) || (numbered && k + 1 == count) {
                continue;
            }
            if cells.len() >= 2 {
                blocks.push(RawBlock::Row {
                    line,
                    cells,
                    exact: false,
                });
            } else if let Some(text) = cells.into_iter().next() {
                blocks.push(RawBlock::Text {
                    line,
                    text,
                    heading: None,
                });
            }
        }
    }
    if !any_glyph {
        return Err(Error::unusable(
            "PDF 没有文本层（可能是扫描件，请先 OCR） (PDF has no text layer; run OCR first)",
        ));
    }
    Ok(RawDoc {
        blocks,
        ..RawDoc::default()
    })
}

/// The most objects one object stream may declare (/N) or index: writers put 100 to a few
/// hundred in each.
const MAX_OBJSTM_OBJECTS: usize = 100_000;
/// The most bytes one object stream may inflate to: it holds dictionaries and arrays, not
/// page content, and real ones are well under 1 MB.
const MAX_OBJSTM_BYTES: usize = 16 << 20;
/// The most tokens (numbers, names, strings, brackets) a document's objects may hold, in the
/// file outside its streams and in its object streams together, counted before lopdf parses
/// them: each becomes an `Object` of 128 bytes, so this bounds the parsed document near
/// 256 MB. A real report holds some 10^5.
const MAX_OBJECT_TOKENS: usize = 2_000_000;

/// lopdf decrypts an encrypted file's objects itself and expands its object streams without
/// calling the load filter, so [`check_loaded_object`] never sees them. For such a file the
/// object streams together may inflate to this many bytes (shared evenly among them, each
/// held to its share by lopdf's decompression limit): a token takes at least one byte, so
/// this keeps the parsed objects within [`MAX_OBJECT_TOKENS`]. An encrypted report's object
/// streams hold some 100 KB.
const MAX_ENCRYPTED_OBJSTM_BYTES: usize = MAX_OBJECT_TOKENS;

/// What the load-time check of object streams found, for one thread's current load (the
/// check is a plain `fn` handed to lopdf, which cannot capture).
#[derive(Default)]
struct LoadCheck {
    tokens: usize,
    refusal: Option<String>,
}

thread_local! {
    static LOAD_CHECK: std::cell::RefCell<LoadCheck> = std::cell::RefCell::default();
}

/// lopdf's load filter: an object stream that passes a budget is dropped before lopdf
/// expands it, and the reason kept for [`load`] to report.
fn check_loaded_object(id: lopdf::ObjectId, obj: &mut Object) -> Option<(lopdf::ObjectId, Object)> {
    if let Object::Stream(s) = obj
        && s.dict.has_type(b"ObjStm")
    {
        let tokens = LOAD_CHECK.with(|c| c.borrow().tokens);
        match check_object_stream(s, MAX_OBJECT_TOKENS.saturating_sub(tokens)) {
            Ok(n) => LOAD_CHECK.with(|c| c.borrow_mut().tokens += n),
            Err(reason) => {
                let reason = format!("PDF 对象流过大 (object stream {} {} R: {reason})", id.0, id.1);
                LOAD_CHECK.with(|c| {
                    c.borrow_mut().refusal.get_or_insert(reason);
                });
                return None;
            }
        }
    }
    // lopdf keeps the object it handed over for a top-level object (the one returned is
    // dropped) and the returned one for an object stream's member. Members are never
    // streams, so a stream's big content is not copied.
    match obj {
        Object::Stream(_) => Some((id, Object::Null)),
        other => Some((id, other.clone())),
    }
}

/// Checks an object stream before lopdf parses it: its declared /N against
/// [`MAX_OBJSTM_OBJECTS`], its inflated size against [`MAX_OBJSTM_BYTES`] (while inflating),
/// its index's pairs against /N's budget, and the tokens of the objects the index points at
/// (each pair counted, so one object indexed many times costs many times) against
/// `tokens_left`. Returns the tokens counted; a stream that cannot be decoded is left to
/// lopdf, which skips it.
fn check_object_stream(s: &lopdf::Stream, tokens_left: usize) -> Result<usize, String> {
    let declared = s.dict.get(b"N").and_then(Object::as_i64).unwrap_or(0);
    if usize::try_from(declared).is_ok_and(|n| n > MAX_OBJSTM_OBJECTS) {
        return Err(format!(
            "declares {declared} objects; the limit is {MAX_OBJSTM_OBJECTS}"
        ));
    }
    let data = match s.decompressed_content_with_limit(MAX_OBJSTM_BYTES) {
        Ok(d) => d,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(format!("inflates to more than {} MB", MAX_OBJSTM_BYTES >> 20));
        }
        Err(_) => return Ok(0),
    };
    let Some(first) = s
        .dict
        .get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok())
        .filter(|&f| f <= data.len())
    else {
        return Ok(0);
    };
    let mut numbers = data[..first]
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let mut pairs = 0usize;
    let mut tokens = 0usize;
    while let (Some(_), Some(offset)) = (numbers.next(), numbers.next()) {
        pairs += 1;
        if pairs > MAX_OBJSTM_OBJECTS {
            return Err(format!("indexes more than {MAX_OBJSTM_OBJECTS} objects"));
        }
        let Some(start) = std::str::from_utf8(offset)
            .ok()
            .and_then(|o| o.parse::<usize>().ok())
            .and_then(|o| o.checked_add(first))
            .filter(|&o| o < data.len())
        else {
            continue;
        };
        tokens += object_tokens(&data, start, tokens_left - tokens);
        if tokens > tokens_left {
            return Err(format!(
                "its objects hold more than {MAX_OBJECT_TOKENS} values in all"
            ));
        }
    }
    Ok(tokens)
}

/// The tokens of the one PDF object at `data[i..]` (a number, name, string, or a whole array
/// or dictionary), counting no further than `limit + 1`.
fn object_tokens(data: &[u8], mut i: usize, limit: usize) -> usize {
    let mut depth = 0usize;
    let mut count = 0usize;
    while count <= limit {
        let Some((start, end)) = next_token(data, i) else {
            return count;
        };
        count += 1;
        match &data[start..end] {
            b"[" | b"<<" => depth += 1,
            b"]" | b">>" => depth = depth.saturating_sub(1),
            _ => {}
        }
        i = end;
        if depth == 0 {
            return count;
        }
    }
    count
}

/// The tokens of a whole PDF file outside its streams' data (a stream is skipped from its
/// `stream` keyword to the next `endstream`), counting no further than `limit + 1`: what
/// lopdf will parse into objects from the file itself.
fn plain_tokens(data: &[u8], limit: usize) -> usize {
    let mut count = 0usize;
    let mut i = 0usize;
    while count <= limit {
        let Some((start, end)) = next_token(data, i) else {
            break;
        };
        count += 1;
        i = end;
        if &data[start..end] == b"stream" {
            match find(&data[i..], b"endstream") {
                Some(k) => i += k + 9,
                None => break,
            }
        }
    }
    count
}

/// The span of the next token at or after `i` (white space and comments skipped), a whole
/// string or hex string counting as one.
fn next_token(data: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let delimiter = |c: u8| c.is_ascii_whitespace() || c == 0 || b"()<>[]{}/%".contains(&c);
    loop {
        while i < data.len() && (data[i].is_ascii_whitespace() || data[i] == 0) {
            i += 1;
        }
        if i < data.len() && data[i] == b'%' {
            while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                i += 1;
            }
            continue;
        }
        break;
    }
    let c = *data.get(i)?;
    let twin = data.get(i + 1) == Some(&c);
    let end = match c {
        b'<' | b'>' if twin => i + 2,
        b'[' | b']' | b'{' | b'}' | b'>' | b')' => i + 1,
        b'<' => {
            let mut j = i;
            while j < data.len() && data[j] != b'>' {
                j += 1;
            }
            j + 1
        }
        b'(' => {
            let mut j = i;
            let mut nest = 0usize;
            while j < data.len() {
                match data[j] {
                    b'\\' => j += 1,
                    b'(' => nest += 1,
                    b')' => {
                        nest -= 1;
                        if nest == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j + 1
        }
        _ => {
            let mut j = i + 1;
            while j < data.len() && !delimiter(data[j]) {
                j += 1;
            }
            j
        }
    };
    Some((i, end.min(data.len())))
}

/// Where in `content` (a content stream) the first operation starts whose operands hold more
/// than `limit` tokens, counted with [`next_token`] before lopdf parses them. An operator is
/// a token that begins with a letter or a quote (`true`, `false` and `null` are operands);
/// an inline image's data, from `ID` to `EI`, is skipped.
fn overlong_operands(content: &[u8], limit: usize) -> Option<usize> {
    let mut i = 0usize;
    let mut start = 0usize;
    let mut count = 0usize;
    while let Some((a, b)) = next_token(content, i) {
        i = b;
        let token = &content[a..b];
        let operator = (token[0].is_ascii_alphabetic() || token[0] == b'\'' || token[0] == b'"')
            && !matches!(token, b"true" | b"false" | b"null");
        if !operator {
            if count == 0 {
                start = a;
            }
            count += 1;
            if count > limit {
                return Some(start);
            }
            continue;
        }
        count = 0;
        if token == b"ID" {
            // The image data ends at the first `EI` between white space.
            let mut from = i;
            while let Some(k) = find(&content[from..], b"EI") {
                let at = from + k;
                let before = content
                    .get(at.wrapping_sub(1))
                    .is_none_or(u8::is_ascii_whitespace);
                let after = content.get(at + 2).is_none_or(u8::is_ascii_whitespace);
                from = at + 2;
                if before && after {
                    break;
                }
            }
            i = from;
        }
    }
    None
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0usize;
    while let Some(k) = hay[from..].iter().position(|&b| b == first) {
        let at = from + k;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Loads the document with lopdf, each object stream checked first
/// ([`check_loaded_object`]); a damaged file whose page tree does not load is loaded again
/// with its cross-reference table rebuilt, as lopdf does by itself when loading unfiltered.
fn load(bytes: &[u8]) -> Result<Document, Error> {
    let corrupt = |e: lopdf::Error| {
        Error::unusable(format!(
            "PDF 文件已损坏，无法读取 (corrupt or truncated PDF: {e})"
        ))
        .with_source(e)
    };
    let plain = plain_tokens(bytes, MAX_OBJECT_TOKENS);
    if plain > MAX_OBJECT_TOKENS {
        return Err(Error::limit(format!(
            "PDF 对象过多 (PDF holds more than {MAX_OBJECT_TOKENS} values outside its streams)"
        )));
    }
    // An encrypted file's object streams bypass the load filter: hold each to its share of
    // MAX_ENCRYPTED_OBJSTM_BYTES. Both words are counted anywhere in the file (a stream's
    // data may hold them by chance), which at worst shrinks the shares.
    let encrypted = find(bytes, b"/Encrypt").is_some();
    let objstm_limit = if encrypted {
        let streams = bytes.windows(7).filter(|w| *w == &b"/ObjStm"[..]).count().max(1);
        (MAX_ENCRYPTED_OBJSTM_BYTES.saturating_sub(plain) / streams).min(MAX_OBJSTM_BYTES)
    } else {
        MAX_OBJSTM_BYTES
    };
    // Ok(Err(e)): lopdf gave up; Err: a budget refused the file.
    let attempt = |force_reconstruct: bool| -> Result<Result<Document, lopdf::Error>, Error> {
        LOAD_CHECK.with(|c| {
            *c.borrow_mut() = LoadCheck {
                tokens: plain,
                refusal: None,
            }
        });
        let options = lopdf::LoadOptions {
            filter: Some(check_loaded_object),
            max_decompressed_size: Some(objstm_limit),
            force_reconstruct,
            ..lopdf::LoadOptions::default()
        };
        let doc = Document::load_mem_with_options(bytes, options);
        match LOAD_CHECK.with(|c| c.borrow_mut().refusal.take()) {
            Some(reason) => Err(Error::limit(reason)),
            None => Ok(doc),
        }
    };
    let too_big = |e: lopdf::Error| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) if encrypted => {
            Error::limit(format!(
                "加密 PDF 的对象流过大 (encrypted PDF whose object streams inflate to more than {} MB in all; remove its encryption first)",
                MAX_ENCRYPTED_OBJSTM_BYTES / 1_000_000
            ))
        }
        e => corrupt(e),
    };
    let doc = attempt(false)?.map_err(too_big)?;
    let tree = |d: &Document| {
        d.catalog()
            .and_then(|c| c.get(b"Pages"))
            .and_then(Object::as_reference)
            .and_then(|root| d.get_dictionary(root))
            .and_then(|root| root.get_deref(b"Kids", d))
            .and_then(Object::as_array)
            .is_ok()
    };
    if tree(&doc) || doc.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
        return Ok(doc);
    }
    match attempt(true)? {
        Ok(rebuilt)
            if rebuilt.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) && tree(&rebuilt) =>
        {
            Ok(rebuilt)
        }
        _ => Ok(doc),
    }
}

/// The refusal when a page's streams would pass the inflation budget.
fn too_much_inflated(page: u32, limit: usize) -> Error {
    if limit < MAX_CONTENT_BYTES {
        Error::limit(format!(
            "PDF 解压后过大 (PDF streams inflate to more than {} MB; at page {page})",
            MAX_INFLATED_BYTES >> 20
        ))
    } else {
        Error::limit(format!(
            "第 {page} 页内容过大 (page {page}: a content stream inflates to more than {} MB)",
            MAX_CONTENT_BYTES >> 20
        ))
    }
}

/// The page's /Rotate (inherited through the page tree) as a matrix that turns user space
/// into the page as displayed. Only directions matter here, so the origin is left as is.
fn page_rotation(doc: &Document, page_id: lopdf::ObjectId) -> Matrix {
    let mut node = doc.get_dictionary(page_id).ok();
    let mut rotate = 0i64;
    for _ in 0..MAX_DEREF {
        let Some(dict) = node else { break };
        if let Some(Object::Integer(r)) = get(doc, dict, b"Rotate") {
            rotate = *r;
            break;
        }
        node = get_dict(doc, dict, b"Parent");
    }
    match rotate.rem_euclid(360) {
        90 => Matrix([0.0, -1.0, 1.0, 0.0, 0.0, 0.0]),
        180 => Matrix([-1.0, 0.0, 0.0, -1.0, 0.0, 0.0]),
        270 => Matrix([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]),
        _ => Matrix::IDENTITY,
    }
}

/// What one document has used so far, against the `MAX_*` budgets.
#[derive(Default)]
struct Budget {
    ops: usize,
    glyphs: usize,
    /// Bytes inflated from streams (each stream once).
    inflated: usize,
    /// Content bytes interpreted (a form XObject each time it is drawn).
    interpreted: usize,
}

/// What one document decodes once and reuses on every page.
#[derive(Default)]
struct Cache {
    /// Fonts by object id and resource name (fonts written inline are not cached).
    fonts: HashMap<(u32, u16, Vec<u8>), Rc<Font>>,
    /// Form XObjects' decoded content by object id (`None`: not decodable).
    xobjects: HashMap<lopdf::ObjectId, Option<Rc<Vec<u8>>>>,
}

/// A stream's content, inflated under `cap` and what is left of the document's budget (both
/// checked while inflating, not after). `Ok(None)` when its filters cannot be decoded; an
/// error naming `what` when it would pass either limit.
fn inflate(
    budget: &mut Budget,
    stream: &lopdf::Stream,
    cap: usize,
    (zh, en): (&str, &str),
) -> Result<Option<Vec<u8>>, Error> {
    let left = MAX_INFLATED_BYTES.saturating_sub(budget.inflated);
    let limit = cap.min(left);
    let bytes = match stream.decompressed_content_with_limit(limit) {
        Ok(b) => b,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(if limit < cap {
                Error::limit(format!(
                    "PDF 解压后过大 (PDF streams inflate to more than {} MB)",
                    MAX_INFLATED_BYTES >> 20
                ))
            } else {
                Error::limit(format!("{zh}过大 ({en} inflates to more than {} MB)", cap >> 20))
            });
        }
        // Unknown filters: the raw bytes when there is no filter at all, else nothing.
        Err(_) if stream.dict.get(b"Filter").is_err() && stream.content.len() <= limit => {
            stream.content.clone()
        }
        Err(_) => return Ok(None),
    };
    budget.inflated += bytes.len();
    Ok(Some(bytes))
}

/// `-3-`, `— 3 —`, `- 3 -`: page numbers, not content.
fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－' | '─');
    let inner = t.trim_start_matches(dashes).trim_end_matches(dashes);
    inner.len() < t.len()
        && !inner.is_empty()
        && inner.len() <= 4
        && inner.chars().all(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// Geometry

#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(tx: f64, ty: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self × other` (PDF's row-vector convention: `self` is applied first).
    fn mul(&self, other: &Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn is_finite(&self) -> bool {
        self.0.iter().all(|v| v.is_finite())
    }
}

/// One shown glyph in page space.
#[derive(Debug, Clone)]
struct Placed {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

// ---------------------------------------------------------------------------------------
// Fonts

#[derive(Debug)]
struct Font {
    /// Resource name and base font, for messages.
    name: String,
    base: String,
    two_byte: bool,
    /// Two-byte codes only from this lead byte on (GBK-style CMaps mix one- and two-byte codes).
    lead_byte: u8,
    /// Codes from the ToUnicode CMap.
    to_unicode: HashMap<u32, String>,
    /// For simple fonts without (or with a partial) ToUnicode: the encoding's characters.
    encoding: Option<Box<[Option<char>; 256]>>,
    /// Codes whose Unicode value is the code itself (UCS-2 predefined CMaps).
    identity_unicode: bool,
    /// Codes that are a legacy code page's bytes (GBK-EUC-H, B5pc-H …).
    codepage: Option<&'static encoding_rs::Encoding>,
    widths: HashMap<u32, f64>,
    default_width: f64,
    /// Glyph-space to text-space scale (1/1000 except for Type 3 fonts).
    scale: f64,
    /// The name is not in the resources, or not a font dictionary.
    missing: bool,
}

impl Font {
    fn has_map(&self) -> bool {
        !self.to_unicode.is_empty()
            || self.encoding.is_some()
            || self.identity_unicode
            || self.codepage.is_some()
    }

    fn unicode(&self, code: u32) -> Option<String> {
        if let Some(s) = self.to_unicode.get(&code) {
            return Some(s.clone());
        }
        if self.identity_unicode {
            return char::from_u32(code).map(String::from);
        }
        if let Some(cp) = self.codepage {
            let bytes = if code < 0x100 {
                vec![code as u8]
            } else {
                vec![(code >> 8) as u8, code as u8]
            };
            let (text, _, bad) = cp.decode(&bytes);
            return (!bad).then(|| text.into_owned());
        }
        let enc = self.encoding.as_ref()?;
        let c = enc.get(usize::try_from(code).ok()?).copied().flatten()?;
        Some(c.to_string())
    }

    fn width(&self, code: u32) -> f64 {
        self.widths.get(&code).copied().unwrap_or(self.default_width) * self.scale
    }

    fn codes(&self, bytes: &[u8]) -> Vec<(u32, usize)> {
        if self.two_byte {
            let mut out = Vec::with_capacity(bytes.len() / 2 + 1);
            let mut i = 0usize;
            while i < bytes.len() {
                let hi = u32::from(bytes[i]);
                if bytes[i] < self.lead_byte || i + 1 >= bytes.len() {
                    out.push((hi, 1));
                    i += 1;
                } else {
                    out.push(((hi << 8) | u32::from(bytes[i + 1]), 2));
                    i += 2;
                }
            }
            out
        } else {
            bytes.iter().map(|&b| (u32::from(b), 1)).collect()
        }
    }
}

fn deref<'a>(doc: &'a Document, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..MAX_DEREF {
        match obj {
            Object::Reference(id) => obj = doc.get_object(*id).ok()?,
            other => return Some(other),
        }
    }
    None
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    deref(doc, dict.get(key).ok()?)
}

fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    get(doc, dict, key)?.as_name().ok()
}

fn num(obj: &Object) -> Option<f64> {
    let v = match obj {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn num_deref(doc: &Document, obj: &Object) -> Option<f64> {
    num(deref(doc, obj)?)
}

/// A font's widths and Unicode maps.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) when its ToUnicode map passes [`MAX_CMAP_BYTES`]
/// or [`MAX_CMAP_ENTRIES`], or the document's inflation budget.
fn load_font(doc: &Document, name: &[u8], dict: &Dictionary, budget: &mut Budget) -> Result<Font, Error> {
    let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"");
    let base = get_name(doc, dict, b"BaseFont")
        .map(|b| {
            let s = String::from_utf8_lossy(b).into_owned();
            // Drop the subset tag: ABCDEF+SimSun → SimSun.
            match s.split_once('+') {
                Some((tag, rest)) if tag.len() == 6 => rest.to_string(),
                _ => s,
            }
        })
        .unwrap_or_default();
    let mut font = Font {
        name: String::from_utf8_lossy(name).into_owned(),
        base,
        two_byte: false,
        lead_byte: 0,
        to_unicode: HashMap::new(),
        encoding: None,
        identity_unicode: false,
        codepage: None,
        widths: HashMap::new(),
        default_width: 0.0,
        scale: 0.001,
        missing: false,
    };
    if let Some(Object::Stream(cmap)) = get(doc, dict, b"ToUnicode") {
        let label = String::from_utf8_lossy(name);
        let what = (
            format!("字体 {label} 的 Unicode 映射"),
            format!("font {label}'s ToUnicode map"),
        );
        if let Some(bytes) = inflate(budget, cmap, MAX_CMAP_BYTES, (&what.0, &what.1))? {
            font.to_unicode = parse_cmap(&bytes).map_err(|CmapTooLarge| {
                Error::limit(format!(
                    "{}过大 ({} assigns more than {MAX_CMAP_ENTRIES} codes)",
                    what.0, what.1
                ))
            })?;
        }
    }
    if subtype == b"Type0" {
        font.two_byte = true;
        if let Some(enc) = get_name(doc, dict, b"Encoding") {
            let enc = String::from_utf8_lossy(enc);
            if enc.contains("UCS2") || enc.contains("UTF16") {
                font.identity_unicode = true;
            } else if !enc.starts_with("Identity") {
                // GBK-EUC-H, GBpc-EUC-H, B5pc-H …: ASCII bytes are one-byte codes, and the
                // codes are the code page's bytes.
                font.lead_byte = 0x81;
                if enc.starts_with("GB") && !enc.contains("UCS") {
                    font.codepage = Some(encoding_rs::GB18030);
                } else if enc.starts_with("B5") || enc.starts_with("ETen") || enc.starts_with("HKscs") {
                    font.codepage = Some(encoding_rs::BIG5);
                }
            }
        }
        font.default_width = 1000.0;
        let descendant = match get(doc, dict, b"DescendantFonts") {
            Some(Object::Array(a)) => a.first().and_then(|o| match deref(doc, o) {
                Some(Object::Dictionary(d)) => Some(d),
                _ => None,
            }),
            _ => None,
        };
        if let Some(cid) = descendant {
            if let Some(dw) = get(doc, cid, b"DW").and_then(num) {
                font.default_width = dw;
            }
            if let Some(Object::Array(w)) = get(doc, cid, b"W") {
                parse_cid_widths(doc, w, &mut font.widths);
            }
        }
        return Ok(font);
    }
    // Simple fonts.
    if subtype == b"Type3"
        && let Some(Object::Array(m)) = get(doc, dict, b"FontMatrix")
        && let Some(a) = m.first().and_then(|o| num_deref(doc, o))
    {
        font.scale = a;
    }
    let first = get(doc, dict, b"FirstChar").and_then(num).unwrap_or(0.0);
    if let Some(Object::Array(ws)) = get(doc, dict, b"Widths") {
        for (i, w) in ws.iter().enumerate().take(256) {
            if let Some(w) = num_deref(doc, w) {
                let code = first + i as f64;
                if (0.0..256.0).contains(&code) {
                    font.widths.insert(code as u32, w);
                }
            }
        }
    }
    let descriptor = get_dict(doc, dict, b"FontDescriptor");
    font.default_width = descriptor
        .and_then(|d| get(doc, d, b"MissingWidth"))
        .and_then(num)
        .unwrap_or(if font.widths.is_empty() { 500.0 } else { 0.0 });
    let flags = descriptor
        .and_then(|d| get(doc, d, b"Flags"))
        .and_then(num)
        .unwrap_or(0.0) as i64;
    let symbolic = flags & 4 != 0 && flags & 32 == 0;
    font.encoding = simple_encoding(doc, dict, subtype, &font.base, symbolic);
    Ok(font)
}

const STANDARD_14: [&str; 14] = [
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Symbol",
    "ZapfDingbats",
];

/// The base encodings, as code → character tables. WinAnsi and MacRoman come from their
/// code pages; StandardEncoding is taken as ASCII for printable codes.
fn base_table(name: &[u8]) -> Option<Box<[Option<char>; 256]>> {
    let codepage = match name {
        b"WinAnsiEncoding" | b"PDFDocEncoding" => Some(encoding_rs::WINDOWS_1252),
        b"MacRomanEncoding" => Some(encoding_rs::MACINTOSH),
        b"StandardEncoding" => None,
        _ => return None,
    };
    let mut out = Box::new([None; 256]);
    for (code, slot) in out.iter_mut().enumerate() {
        let byte = code as u8;
        *slot = match codepage {
            _ if byte < 0x20 => None,
            Some(cp) => cp
                .decode_without_bom_handling(&[byte])
                .0
                .chars()
                .next()
                .filter(|&c| c != '\u{fffd}' && !c.is_control()),
            None => (0x20..0x7f).contains(&byte).then_some(char::from(byte)),
        };
    }
    Some(out)
}

/// Adobe glyph names of the printable ASCII characters, from 0x21.
const ASCII_GLYPH_NAMES: [&str; 94] = [
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
];

/// The character of a glyph name: a printable ASCII name, a few common others, `uniXXXX` or
/// `uXXXX[XX]`; `None` for names that carry no meaning (`g12`, `cid34`, `glyph5`).
fn glyph_name_char(name: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(name).ok()?;
    if let Some(i) = ASCII_GLYPH_NAMES.iter().position(|&n| n == s) {
        return char::from_u32(0x21 + i as u32);
    }
    let named = match s {
        "space" | "nbspace" => Some(' '),
        "quoteright" => Some('\u{2019}'),
        "quoteleft" => Some('\u{2018}'),
        "quotedblleft" => Some('\u{201c}'),
        "quotedblright" => Some('\u{201d}'),
        "endash" => Some('\u{2013}'),
        "emdash" => Some('\u{2014}'),
        "bullet" => Some('\u{2022}'),
        "ellipsis" => Some('\u{2026}'),
        "periodcentered" => Some('\u{b7}'),
        "degree" => Some('\u{b0}'),
        "percent" => Some('%'),
        "fi" => Some('\u{fb01}'),
        "fl" => Some('\u{fb02}'),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let hex = s
        .strip_prefix("uni")
        .filter(|h| h.len() == 4)
        .or_else(|| s.strip_prefix('u').filter(|h| (4..=6).contains(&h.len())))?;
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

/// A simple font's code → character table, or `None` when the codes mean nothing by
/// themselves (a symbolic font with a built-in encoding, or a custom encoding whose glyph
/// names are not standard).
fn simple_encoding(
    doc: &Document,
    dict: &Dictionary,
    subtype: &[u8],
    base: &str,
    symbolic: bool,
) -> Option<Box<[Option<char>; 256]>> {
    let standard14 = STANDARD_14.contains(&base) && !matches!(base, "Symbol" | "ZapfDingbats");
    let default_table = || {
        if subtype == b"TrueType" {
            base_table(b"WinAnsiEncoding")
        } else {
            base_table(b"StandardEncoding")
        }
    };
    match get(doc, dict, b"Encoding") {
        Some(Object::Name(n)) => base_table(n),
        Some(Object::Dictionary(enc)) => {
            let base_name = get_name(doc, enc, b"BaseEncoding");
            let base = base_name.and_then(base_table);
            let has_base = base.is_some();
            let mut table = base.or_else(default_table)?;
            let mut meaningful = 0usize;
            let mut meaningless = 0usize;
            if let Some(Object::Array(diffs)) = get(doc, enc, b"Differences") {
                let mut code: i64 = 0;
                for item in diffs.iter().take(4096) {
                    match deref(doc, item) {
                        Some(Object::Integer(i)) => code = *i,
                        Some(Object::Name(n)) => {
                            if (0..256).contains(&code) {
                                let c = glyph_name_char(n);
                                if c.is_some() {
                                    meaningful += 1;
                                } else {
                                    meaningless += 1;
                                }
                                table[code as usize] = c;
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
            let usable = if meaningless > meaningful {
                false
            } else {
                has_base || meaningful > 0 || !symbolic || standard14
            };
            usable.then_some(table)
        }
        _ if standard14 || (!symbolic && subtype != b"Type3") => default_table(),
        _ => None,
    }
}

/// A CID font's /W widths. Every code assigned counts against [`MAX_CMAP_ENTRIES`] before a
/// range is expanded; the rest of an oversized array is ignored (widths only place glyphs).
fn parse_cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f64>) {
    let mut assigned = 0usize;
    let mut i = 0usize;
    while i < w.len() {
        let Some(first) = num_deref(doc, &w[i]) else {
            return;
        };
        let first = first as i64;
        match w.get(i + 1).and_then(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                assigned = assigned.saturating_add(list.len());
                if assigned > MAX_CMAP_ENTRIES {
                    return;
                }
                for (k, v) in list.iter().enumerate() {
                    let code = first.saturating_add(i64::try_from(k).unwrap_or(i64::MAX));
                    if let (Some(v), Ok(code)) = (num_deref(doc, v), u32::try_from(code)) {
                        out.insert(code, v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (num(last), w.get(i + 2).and_then(|o| num_deref(doc, o))) else {
                    return;
                };
                let last = (last as i64).min(first.saturating_add(65_535));
                assigned = assigned.saturating_add(usize::try_from(last - first + 1).unwrap_or(0));
                if assigned > MAX_CMAP_ENTRIES {
                    return;
                }
                for code in first..=last {
                    if let Ok(code) = u32::try_from(code) {
                        out.insert(code, v);
                    }
                }
                i += 3;
            }
            None => return,
        }
    }
}

// ---------------------------------------------------------------------------------------
// ToUnicode CMaps

/// A token of a CMap, as far as reading bfchar and bfrange entries needs.
#[derive(Debug, PartialEq)]
enum Tok {
    /// A hex string's bytes (at most [`MAX_CMAP_DST`]; longer ones are cut there).
    Hex(Vec<u8>),
    Open,
    Close,
    BeginChar,
    BeginRange,
    /// Any word starting with `end`.
    End,
    /// Any other word, name, number or literal string.
    Other,
}

/// A CMap's tokens, one at a time: memory stays constant whatever the stream holds (a
/// stream of 63 MB of `[` once became a 2 GB token list).
struct CmapLexer<'a> {
    data: &'a [u8],
    i: usize,
}

impl Iterator for CmapLexer<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        let data = self.data;
        loop {
            let c = *data.get(self.i)?;
            match c {
                b'%' => {
                    while self.i < data.len() && data[self.i] != b'\n' && data[self.i] != b'\r' {
                        self.i += 1;
                    }
                }
                b'<' | b'>' if data.get(self.i + 1) == Some(&c) => self.i += 2,
                b'<' => {
                    self.i += 1;
                    let mut bytes = Vec::new();
                    let mut half: Option<u8> = None;
                    while self.i < data.len() && data[self.i] != b'>' {
                        let d = data[self.i];
                        self.i += 1;
                        let Some(v) = char::from(d).to_digit(16) else {
                            continue;
                        };
                        match half.take() {
                            None => half = Some(v as u8),
                            Some(h) if bytes.len() < MAX_CMAP_DST => bytes.push((h << 4) | v as u8),
                            Some(_) => {}
                        }
                    }
                    self.i += 1;
                    if let Some(h) = half
                        && bytes.len() < MAX_CMAP_DST
                    {
                        bytes.push(h << 4);
                    }
                    return Some(Tok::Hex(bytes));
                }
                b'[' => {
                    self.i += 1;
                    return Some(Tok::Open);
                }
                b']' => {
                    self.i += 1;
                    return Some(Tok::Close);
                }
                b'(' => {
                    // A literal string: skip it (balanced parentheses, escapes).
                    let mut depth = 0i32;
                    while self.i < data.len() {
                        match data[self.i] {
                            b'\\' => self.i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    return Some(Tok::Other);
                }
                c if c.is_ascii_whitespace() => self.i += 1,
                _ => {
                    let start = self.i;
                    self.i += 1;
                    while self.i < data.len()
                        && !data[self.i].is_ascii_whitespace()
                        && !matches!(data[self.i], b'<' | b'>' | b'[' | b']' | b'(' | b'%' | b'/')
                    {
                        self.i += 1;
                    }
                    let word = &data[start..self.i];
                    return Some(match word {
                        b"beginbfchar" => Tok::BeginChar,
                        b"beginbfrange" => Tok::BeginRange,
                        w if w.starts_with(b"end") => Tok::End,
                        _ => Tok::Other,
                    });
                }
            }
        }
    }
}

fn code_of(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

fn utf16_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| (u16::from(c[0]) << 8) | c.get(1).map_or(0, |&b| u16::from(b)))
        .collect();
    String::from_utf16_lossy(&units)
        .chars()
        .filter(|&c| c != '\u{fffd}' && c != '\0')
        .collect()
}

/// A ToUnicode map that assigns more than [`MAX_CMAP_ENTRIES`] codes.
#[derive(Debug)]
struct CmapTooLarge;

/// `bfchar` and `bfrange` entries of a ToUnicode CMap, read in one pass over the stream.
/// Every code an entry assigns counts against [`MAX_CMAP_ENTRIES`] before the entry is
/// expanded, overlapping ranges included, so the work is linear in the stream.
fn parse_cmap(data: &[u8]) -> Result<HashMap<u32, String>, CmapTooLarge> {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Char,
        Range,
    }
    let mut toks = CmapLexer { data, i: 0 }.peekable();
    let mut map = HashMap::new();
    let mut assigned = 0usize;
    let mut charge = |n: usize| {
        assigned = assigned.saturating_add(n);
        if assigned > MAX_CMAP_ENTRIES {
            Err(CmapTooLarge)
        } else {
            Ok(())
        }
    };
    let mut mode = Mode::None;
    while let Some(tok) = toks.next() {
        match tok {
            Tok::BeginChar => mode = Mode::Char,
            Tok::BeginRange => mode = Mode::Range,
            Tok::End => mode = Mode::None,
            Tok::Hex(src) if mode == Mode::Char => {
                if let Some(code) = code_of(&src)
                    && let Some(Tok::Hex(_)) = toks.peek()
                    && let Some(Tok::Hex(dst)) = toks.next()
                {
                    charge(1)?;
                    map.insert(code, utf16_string(&dst));
                }
            }
            Tok::Hex(lo) if mode == Mode::Range => {
                let (Some(Tok::Hex(hi)), Some(dst)) = (toks.next(), toks.next()) else {
                    break;
                };
                let (Some(lo), Some(hi)) = (code_of(&lo), code_of(&hi)) else {
                    continue;
                };
                let hi = hi.min(lo.saturating_add(65_535));
                match dst {
                    Tok::Hex(dst) => {
                        if hi >= lo {
                            charge((hi - lo) as usize + 1)?;
                        }
                        let mut units: Vec<u16> = dst
                            .chunks(2)
                            .map(|c| (u16::from(c[0]) << 8) | c.get(1).map_or(0, |&b| u16::from(b)))
                            .collect();
                        for code in lo..=hi {
                            let s: String = String::from_utf16_lossy(&units)
                                .chars()
                                .filter(|&c| c != '\u{fffd}' && c != '\0')
                                .collect();
                            map.insert(code, s);
                            if let Some(last) = units.last_mut() {
                                *last = last.wrapping_add(1);
                            }
                        }
                    }
                    Tok::Open => {
                        let mut code = lo;
                        while let Some(Tok::Hex(_)) = toks.peek() {
                            let Some(Tok::Hex(dst)) = toks.next() else { break };
                            if code <= hi {
                                charge(1)?;
                                map.insert(code, utf16_string(&dst));
                            }
                            code = code.saturating_add(1);
                        }
                        toks.next();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    map.retain(|_, v| !v.is_empty());
    for v in map.values_mut() {
        *v = v.chars().map(normalize_char).collect();
    }
    Ok(map)
}

/// A character of a ToUnicode map as text: Kangxi radicals, which Word's PDFs often put in
/// those maps, as the unified ideographs they look like; no-break and ideographic spaces as
/// spaces.
fn normalize_char(c: char) -> char {
    match super::unicode::fold_radical(c) {
        '\u{a0}' | '\u{3000}' => ' ',
        folded => folded,
    }
}

// ---------------------------------------------------------------------------------------
// The content-stream interpreter

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    tc: f64,
    tw: f64,
    th: f64,
    tl: f64,
    rise: f64,
    font: Option<Rc<Font>>,
    size: f64,
}

struct Interp<'a, 'b> {
    doc: &'a Document,
    page: u32,
    glyphs: Vec<Placed>,
    budget: &'b mut Budget,
    /// Per font name: the font, glyphs shown, glyphs with no Unicode value.
    coverage: HashMap<String, (Rc<Font>, usize, usize)>,
    /// Fonts and form XObjects decoded so far in the document.
    cache: &'b mut Cache,
}

/// The resource dictionaries in force, nearest first.
type Resources<'a> = Vec<&'a Dictionary>;

fn page_resources(doc: &Document, page_id: lopdf::ObjectId) -> Resources<'_> {
    let mut out = Vec::new();
    if let Ok((dict, ids)) = doc.get_page_resources(page_id) {
        out.extend(dict);
        for id in ids {
            if let Ok(d) = doc.get_dictionary(id) {
                out.push(d);
            }
        }
    }
    out
}

fn lookup<'a>(
    doc: &'a Document,
    res: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(&'a Object, Option<lopdf::ObjectId>)> {
    for r in res {
        if let Some(cat) = get_dict(doc, r, category)
            && let Ok(raw) = cat.get(name)
        {
            let id = raw.as_reference().ok();
            return deref(doc, raw).map(|o| (o, id));
        }
    }
    None
}

fn unusable_font(page: u32, font: &Font) -> Error {
    if font.missing {
        return Error::unusable(format!(
            "第 {page} 页的字体 {} 缺失或已损坏 (page {page}: font {} is missing or damaged; text cannot be extracted)",
            font.name, font.name
        ));
    }
    let base = base_name(font);
    Error::unusable(format!(
        "第 {page} 页的字体 {}{base} 没有 Unicode 映射 (page {page}: font {}{base} has no ToUnicode map; text cannot be extracted)",
        font.name, font.name
    ))
}

/// The font's base name in brackets, for messages: ` (SimSun)`.
fn base_name(font: &Font) -> String {
    if font.base.is_empty() {
        String::new()
    } else {
        format!(" ({})", font.base)
    }
}

fn incomplete_font(page: u32, font: &Font, unmapped: usize, shown: usize) -> Error {
    let base = base_name(font);
    Error::unusable(format!(
        "第 {page} 页的字体 {}{base} 的 Unicode 映射不完整 (page {page}: font {}{base} maps no text for {unmapped} of {shown} glyphs; text cannot be extracted reliably)",
        font.name, font.name
    ))
}

impl<'a> Interp<'a, '_> {
    fn run(
        &mut self,
        content: &[u8],
        res: &[&'a Dictionary],
        ctm: Matrix,
        depth: usize,
    ) -> Result<(), Error> {
        let mut gs = GState {
            ctm,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            font: None,
            size: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let mut fonts: HashMap<Vec<u8>, Rc<Font>> = HashMap::new();
        self.budget.interpreted += content.len();
        if self.budget.interpreted > MAX_INTERPRETED_BYTES {
            return Err(Error::limit(format!(
                "PDF 内容过于庞大 (PDF content streams add up to more than {} MB, counting each drawing of a form)",
                MAX_INTERPRETED_BYTES >> 20
            )));
        }
        if let Some(at) = overlong_operands(content, MAX_OPERAND_TOKENS) {
            return Err(Error::limit(format!(
                "PDF 内容过于庞大 (a drawing operation at byte {at} of a content stream has more than {MAX_OPERAND_TOKENS} operand values)"
            )));
        }
        // A content stream that stops parsing part-way keeps what came before.
        for op in Content::decode_iter(content).map_while(Result::ok) {
            self.budget.ops += 1;
            if self.budget.ops > MAX_OPS {
                return Err(Error::limit(format!(
                    "PDF 内容过于庞大 (PDF has more than {MAX_OPS} drawing operations)"
                )));
            }
            let n = |i: usize| op.operands.get(i).and_then(num);
            match op.operator.as_str() {
                "q" if stack.len() < MAX_STACK => stack.push(gs.clone()),
                "Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                "cm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) =
                        (n(0), n(1), n(2), n(3), n(4), n(5))
                    {
                        let m = Matrix([a, b, c, d, e, f]).mul(&gs.ctm);
                        if m.is_finite() {
                            gs.ctm = m;
                        }
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let Some(size) = n(1) {
                        gs.size = size;
                    }
                    if let Some(Ok(name)) = op.operands.first().map(|o| o.as_name()) {
                        gs.font = self.font(&mut fonts, res, name)?;
                        if gs.font.is_none() {
                            let missing = Font {
                                name: String::from_utf8_lossy(name).into_owned(),
                                base: String::new(),
                                two_byte: false,
                                lead_byte: 0,
                                to_unicode: HashMap::new(),
                                encoding: None,
                                identity_unicode: false,
                                codepage: None,
                                widths: HashMap::new(),
                                default_width: 500.0,
                                scale: 0.001,
                                missing: true,
                            };
                            gs.font = Some(Rc::new(missing));
                        }
                    }
                }
                "Tc" => gs.tc = n(0).unwrap_or(gs.tc),
                "Tw" => gs.tw = n(0).unwrap_or(gs.tw),
                "Tz" => gs.th = n(0).map_or(gs.th, |v| v / 100.0),
                "TL" => gs.tl = n(0).unwrap_or(gs.tl),
                "Ts" => gs.rise = n(0).unwrap_or(gs.rise),
                "Td" | "TD" => {
                    if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                        if op.operator == "TD" {
                            gs.tl = -ty;
                        }
                        tlm = Matrix::translate(tx, ty).mul(&tlm);
                        tm = tlm;
                    }
                }
                "Tm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) =
                        (n(0), n(1), n(2), n(3), n(4), n(5))
                    {
                        tlm = Matrix([a, b, c, d, e, f]);
                        tm = tlm;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.tl).mul(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" {
                            gs.tw = n(0).unwrap_or(gs.tw);
                            gs.tc = n(1).unwrap_or(gs.tc);
                        }
                        tlm = Matrix::translate(0.0, -gs.tl).mul(&tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(s, _)) = op.operands.last() {
                        self.show(&gs, &mut tm, s)?;
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(&gs, &mut tm, s)?,
                                other => {
                                    if let Some(adj) = num(other) {
                                        let tx = -adj / 1000.0 * gs.size * gs.th;
                                        tm = Matrix::translate(tx, 0.0).mul(&tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(Ok(name)) = op.operands.first().map(|o| o.as_name()) {
                        self.xobject(res, name, gs.ctm, depth)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The font of a resource name, loaded once per document.
    fn font(
        &mut self,
        fonts: &mut HashMap<Vec<u8>, Rc<Font>>,
        res: &[&'a Dictionary],
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, Error> {
        if let Some(f) = fonts.get(name) {
            return Ok(Some(f.clone()));
        }
        let Some((obj, id)) = lookup(self.doc, res, b"Font", name) else {
            return Ok(None);
        };
        let Ok(dict) = obj.as_dict() else {
            return Ok(None);
        };
        let font = match id {
            Some(id) => {
                let key = (id.0, id.1, name.to_vec());
                match self.cache.fonts.get(&key) {
                    Some(f) => f.clone(),
                    None => {
                        let f = Rc::new(load_font(self.doc, name, dict, self.budget)?);
                        self.cache.fonts.insert(key, f.clone());
                        f
                    }
                }
            }
            None => Rc::new(load_font(self.doc, name, dict, self.budget)?),
        };
        fonts.insert(name.to_vec(), font.clone());
        Ok(Some(font))
    }

    /// Draws a form XObject, its content decoded once per document however often it is drawn.
    fn xobject(
        &mut self,
        res: &[&'a Dictionary],
        name: &[u8],
        ctm: Matrix,
        depth: usize,
    ) -> Result<(), Error> {
        if depth >= MAX_XOBJECT_DEPTH {
            return Ok(());
        }
        let Some((Object::Stream(stream), id)) = lookup(self.doc, res, b"XObject", name) else {
            return Ok(());
        };
        if get_name(self.doc, &stream.dict, b"Subtype") != Some(b"Form") {
            return Ok(());
        }
        let label = String::from_utf8_lossy(name);
        let what = (
            format!("第 {} 页的表单对象 {label}", self.page),
            format!("page {}: form XObject {label}", self.page),
        );
        let content = match id.and_then(|id| self.cache.xobjects.get(&id)) {
            Some(cached) => cached.clone(),
            None => {
                let decoded =
                    inflate(self.budget, stream, MAX_CONTENT_BYTES, (&what.0, &what.1))?.map(Rc::new);
                if let Some(id) = id {
                    self.cache.xobjects.insert(id, decoded.clone());
                }
                decoded
            }
        };
        let Some(content) = content else {
            return Ok(());
        };
        let mut m = Matrix::IDENTITY;
        if let Some(Object::Array(a)) = get(self.doc, &stream.dict, b"Matrix") {
            let v: Vec<f64> = a.iter().filter_map(|o| num_deref(self.doc, o)).collect();
            if let Ok(arr) = <[f64; 6]>::try_from(v) {
                m = Matrix(arr);
            }
        }
        let ctm = m.mul(&ctm);
        if !ctm.is_finite() {
            return Ok(());
        }
        let mut inner: Vec<&'a Dictionary> = Vec::new();
        if let Some(r) = get_dict(self.doc, &stream.dict, b"Resources") {
            inner.push(r);
        }
        inner.extend_from_slice(res);
        self.run(&content, &inner, ctm, depth + 1)
    }

    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8]) -> Result<(), Error> {
        let Some(font) = gs.font.clone() else {
            return Ok(());
        };
        if !font.has_map() && !bytes.is_empty() {
            return Err(unusable_font(self.page, &font));
        }
        for (code, len) in font.codes(bytes) {
            self.budget.glyphs += 1;
            if self.budget.glyphs > MAX_GLYPHS {
                return Err(Error::limit(format!(
                    "PDF 文字过多 (PDF has more than {MAX_GLYPHS} glyphs)"
                )));
            }
            if self.glyphs.len() >= MAX_PAGE_GLYPHS {
                return Err(Error::limit(format!(
                    "第 {} 页文字过多 (page {} has more than {MAX_PAGE_GLYPHS} glyphs)",
                    self.page, self.page
                )));
            }
            let text = font.unicode(code);
            let entry = self
                .coverage
                .entry(font.name.clone())
                .or_insert_with(|| (font.clone(), 0, 0));
            entry.1 += 1;
            if text.is_none() {
                entry.2 += 1;
            }
            let rm = Matrix([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]);
            let start = rm.mul(tm).mul(&gs.ctm);
            let mut tx = font.width(code) * gs.size + gs.tc;
            if len == 1 && code == 32 {
                tx += gs.tw;
            }
            tx *= gs.th;
            let next = Matrix::translate(tx, 0.0).mul(tm);
            if next.is_finite() {
                *tm = next;
            }
            let end = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, gs.rise]).mul(tm).mul(&gs.ctm);
            let size = start.0[2].hypot(start.0[3]);
            if let Some(text) = text
                && start.is_finite()
                && end.is_finite()
                && size > 0.0
            {
                self.glyphs.push(Placed {
                    x: start.0[4],
                    y: start.0[5],
                    end: end.0[4],
                    size,
                    text,
                });
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Lines and cells

/// A page's glyphs as lines of cells, top to bottom.
///
/// Glyphs on one baseline (within a tenth of an em) make a group; then the two nearest
/// neighbouring groups are merged, again and again, while the merged group stays within
/// [`LINE_TOLERANCE_EM`] from top to bottom baseline. So a row's label and its values, set
/// on baselines a little apart, become one line, while a stray character of a vertical label
/// does not drag a row apart. The merging keeps its candidate pairs in a heap, so a page of
/// n glyphs takes O(n log n), not one pass over all pairs per merge (a page of 100,000
/// short lines took 50 s).
fn page_lines(mut glyphs: Vec<Placed>) -> Vec<Vec<String>> {
    glyphs.retain(|g| !g.text.trim().is_empty());
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Group> = Vec::new();
    for g in glyphs {
        match groups.last_mut() {
            Some(l) if l.top - g.y <= 0.1 * l.size.max(g.size) => {
                l.size = l.size.max(g.size);
                l.bottom = l.bottom.min(g.y);
                l.figures &= is_figure(&g.text);
                l.members.push(g);
            }
            _ => groups.push(Group {
                top: g.y,
                bottom: g.y,
                size: g.size,
                figures: is_figure(&g.text),
                members: vec![g],
            }),
        }
    }
    let groups = merge_groups(groups);
    // A label wrapped onto two lines with the row's figures centred between them: one row.
    // Cells further left on those two lines (a vertical label's characters, a group label)
    // stay lines of their own.
    let mut out = Vec::with_capacity(groups.len());
    let mut i = 0usize;
    while i < groups.len() {
        if let [above, row, below, ..] = &groups[i..]
            && let Some((strays_above, label, strays_below)) = wrapped_label(above, row, below)
        {
            if !strays_above.is_empty() {
                out.push(strays_above);
            }
            let mut cells = vec![label];
            cells.extend(line_cells(row.members.clone()));
            out.push(cells);
            if !strays_below.is_empty() {
                out.push(strays_below);
            }
            i += 3;
            continue;
        }
        out.push(line_cells(groups[i].members.clone()));
        i += 1;
    }
    out
}

/// A line of glyphs between baselines `top` and `bottom`.
struct Group {
    top: f64,
    bottom: f64,
    size: f64,
    /// Every member is a figure ([`is_figure`]).
    figures: bool,
    members: Vec<Placed>,
}

/// A merge candidate in [`merge_groups`]' heap: cheapest first, then leftmost (the order a
/// scan of all pairs would pick them in).
struct Candidate {
    cost: f64,
    left: usize,
    /// `version[left]` when pushed; a changed version means the pair is stale.
    version: u32,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Reversed, for `BinaryHeap` (a max-heap) to pop the cheapest, leftmost pair first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then(other.left.cmp(&self.left))
            .then(other.version.cmp(&self.version))
    }
}

/// Merges neighbouring groups, the cheapest eligible pair first (see [`page_lines`]). A
/// merged group is always a run of neighbouring groups, so members are joined once at the
/// end, in their order.
fn merge_groups(mut groups: Vec<Group>) -> Vec<Group> {
    // A row of figures goes with the label above it before one below: in mixed-face rows
    // Chinese labels sit higher than digits, and a wrapped group label spanning several rows
    // can land just under a row's figures.
    let cost = |a: &Group, b: &Group| {
        let em = a.size.max(b.size);
        let penalty = if a.figures && !b.figures { 0.25 * em } else { 0.0 };
        (a.bottom - b.top) + penalty
    };
    let eligible = |a: &Group, b: &Group| a.top - b.bottom <= LINE_TOLERANCE_EM * a.size.max(b.size);
    let n = groups.len();
    const NONE: usize = usize::MAX;
    let mut next: Vec<usize> = (1..=n).map(|i| if i < n { i } else { NONE }).collect();
    let mut prev: Vec<usize> = (0..n).map(|i| if i == 0 { NONE } else { i - 1 }).collect();
    let mut version = vec![0u32; n];
    let mut alive = vec![true; n];
    let mut heap = std::collections::BinaryHeap::new();
    let push = |heap: &mut std::collections::BinaryHeap<Candidate>,
                groups: &[Group],
                i: usize,
                j: usize,
                version: u32| {
        if i != NONE && j != NONE && eligible(&groups[i], &groups[j]) {
            heap.push(Candidate {
                cost: cost(&groups[i], &groups[j]),
                left: i,
                version,
            });
        }
    };
    for (i, &j) in next.iter().enumerate() {
        push(&mut heap, &groups, i, j, 0);
    }
    while let Some(c) = heap.pop() {
        let i = c.left;
        if !alive[i] || c.version != version[i] || next[i] == NONE {
            continue;
        }
        let j = next[i];
        let (bottom, size, figures) = (groups[j].bottom, groups[j].size, groups[j].figures);
        let g = &mut groups[i];
        g.bottom = bottom;
        g.size = g.size.max(size);
        g.figures &= figures;
        alive[j] = false;
        next[i] = next[j];
        if next[j] != NONE {
            prev[next[j]] = i;
        }
        version[i] += 1;
        push(&mut heap, &groups, i, next[i], version[i]);
        let p = prev[i];
        if p != NONE {
            version[p] += 1;
            push(&mut heap, &groups, p, i, version[p]);
        }
    }
    // Join each surviving group's run of members, in order.
    let mut out: Vec<Group> = Vec::new();
    for (i, g) in groups.into_iter().enumerate() {
        if alive[i] {
            out.push(g);
        } else if let Some(last) = out.last_mut() {
            last.members.extend(g.members);
        }
    }
    out
}

fn is_figure(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit() || ".,-/%".contains(c))
}

/// When `row` holds only figures and the lines just above and below end in label pieces
/// that start at the same x, left of the figures: the cells left of those pieces on each
/// line, and the joined label.
fn wrapped_label(above: &Group, row: &Group, below: &Group) -> Option<(Vec<String>, String, Vec<String>)> {
    let em = above.size.max(row.size).max(below.size);
    if !row.members.iter().all(|p| is_figure(&p.text)) || above.bottom - below.top > 2.5 * em {
        return None;
    }
    let first_figure = row.members.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
    let a = cell_spans(above.members.clone());
    let b = cell_spans(below.members.clone());
    let (la, lb) = (a.last()?, b.last()?);
    let fits = |cells: &[Cell]| cells.iter().all(|c| !is_figure(&c.text) && c.x1 < first_figure);
    if !fits(&a) || !fits(&b) || (la.x0 - lb.x0).abs() > 0.5 * em {
        return None;
    }
    let ascii = la.text.ends_with(|c: char| c.is_ascii_alphanumeric())
        && lb.text.starts_with(|c: char| c.is_ascii_alphanumeric());
    let label = if ascii {
        format!("{} {}", la.text, lb.text)
    } else {
        format!("{}{}", la.text, lb.text)
    };
    let strays = |cells: &[Cell]| cells[..cells.len() - 1].iter().map(|c| c.text.clone()).collect();
    Some((strays(&a), label, strays(&b)))
}

/// A cell of a line and its horizontal extent.
struct Cell {
    text: String,
    x0: f64,
    x1: f64,
}

fn line_cells(members: Vec<Placed>) -> Vec<String> {
    cell_spans(members).into_iter().map(|c| c.text).collect()
}

fn cell_spans(mut members: Vec<Placed>) -> Vec<Cell> {
    members.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut cells: Vec<Cell> = Vec::new();
    let mut current = String::new();
    let (mut x0, mut x1) = (0.0f64, 0.0f64);
    let mut prev: Option<&Placed> = None;
    for g in &members {
        if let Some(p) = prev {
            // Fake bold: the same glyph drawn again a hair to the right.
            if p.text == g.text && (g.x - p.x).abs() < 0.2 * g.size {
                continue;
            }
            let em = p.size.max(g.size);
            let gap = g.x - p.end.max(p.x);
            if gap > CELL_GAP_EM * em {
                cells.push(Cell {
                    text: std::mem::take(&mut current),
                    x0,
                    x1,
                });
                x0 = g.x;
            } else if gap > space_gap(&p.text, &g.text) * em && !current.ends_with(' ') {
                current.push(' ');
            }
        } else {
            x0 = g.x;
        }
        current.push_str(&g.text);
        x1 = g.end.max(g.x);
        prev = Some(g);
    }
    if !current.is_empty() {
        cells.push(Cell {
            text: current,
            x0,
            x1,
        });
    }
    cells
        .into_iter()
        .map(|c| Cell {
            text: c.text.trim().to_string(),
            ..c
        })
        .filter(|c| !c.text.is_empty())
        .collect()
}

fn space_gap(before: &str, after: &str) -> f64 {
    let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
    if wide(before.chars().last()) && wide(after.chars().next()) {
        CJK_SPACE_GAP_EM
    } else {
        SPACE_GAP_EM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmap_ranges_and_chars() {
        let cmap = b"/CIDInit /ProcSet findresource begin 2 beginbfchar <0003> <0020> <0010> <4E00> endbfchar \
            1 beginbfrange <0020> <0022> <0041> endbfrange 1 beginbfrange <0030> <0031> [<0061> <2F00>] endbfrange end";
        let m = parse_cmap(cmap).unwrap();
        assert_eq!(m[&3], " ");
        assert_eq!(m[&0x10], "一");
        assert_eq!(m[&0x22], "C");
        assert_eq!(m[&0x31], "一");
    }

    #[test]
    fn cmap_ranges_count_every_code_before_expanding() {
        // 4 ranges of 65,536 codes each, all over the same codes: the map never grows past
        // 65,536, but the work does.
        let range = "1 beginbfrange <0000> <FFFF> <4E00> endbfrange ";
        assert!(parse_cmap(range.repeat(3).as_bytes()).is_ok());
        assert!(parse_cmap(range.repeat(4).as_bytes()).is_err());
        let chars = "1 beginbfchar <0001> <0041> endbfchar ".repeat(MAX_CMAP_ENTRIES + 1);
        assert!(parse_cmap(chars.as_bytes()).is_err());
    }

    #[test]
    fn a_cmap_of_brackets_is_read_in_constant_memory() {
        let m = parse_cmap(&vec![b'['; 4 << 20]).unwrap();
        assert!(m.is_empty());
        // An overlong destination is cut at 512 bytes.
        let long = format!("1 beginbfchar <0001> <{}> endbfchar", "0041".repeat(10_000));
        assert_eq!(parse_cmap(long.as_bytes()).unwrap()[&1].len(), MAX_CMAP_DST / 2);
    }

    #[test]
    fn object_tokens_count_one_object() {
        let data = b"1 0 [1 2 (a]b) <414243> << /K [3] >> ] 7";
        assert_eq!(object_tokens(data, 0, 100), 1);
        assert_eq!(object_tokens(data, 4, 100), 12);
        assert_eq!(object_tokens(data, 4, 5), 6);
        assert_eq!(object_tokens(b"<< /A 1 >>", 0, 100), 4);
    }

    fn glyph(x: f64, y: f64, text: &str) -> Placed {
        let end = x + 7.5 * text.chars().count() as f64;
        Placed {
            x,
            y,
            end,
            size: 7.5,
            text: text.into(),
        }
    }

    #[test]
    fn figures_join_the_label_above_and_cells_split_at_wide_gaps() {
        let lines = page_lines(vec![
            glyph(300.0, 188.2, "6"),
            glyph(100.0, 190.7, "4.保护"),
            glyph(340.0, 188.2, "0"),
            glyph(50.0, 186.2, "（三）不"),
            glyph(150.0, 160.0, "正"),
            glyph(158.0, 160.0, "文"),
        ]);
        assert_eq!(
            lines,
            vec![vec!["4.保护", "6", "0"], vec!["（三）不"], vec!["正文"]]
        );
    }

    #[test]
    fn a_wrapped_label_joins_the_figures_between_its_lines() {
        let lines = page_lines(vec![
            glyph(10.0, 200.0, "本"),
            glyph(100.0, 200.0, "5.要求确认"),
            glyph(300.0, 192.0, "1"),
            glyph(340.0, 192.0, "0"),
            glyph(100.0, 186.0, "具已获取信息"),
        ]);
        assert_eq!(lines, vec![vec!["本"], vec!["5.要求确认具已获取信息", "1", "0"]]);
    }

    /// The merging as it was before the heap: a scan of all pairs per merge.
    fn merge_by_scan(mut groups: Vec<Group>) -> Vec<Group> {
        let cost = |a: &Group, b: &Group| {
            let em = a.size.max(b.size);
            let penalty = if a.figures && !b.figures { 0.25 * em } else { 0.0 };
            (a.bottom - b.top) + penalty
        };
        loop {
            let best = groups
                .windows(2)
                .enumerate()
                .filter(|(_, w)| w[0].top - w[1].bottom <= LINE_TOLERANCE_EM * w[0].size.max(w[1].size))
                .min_by(|(_, a), (_, b)| cost(&a[0], &a[1]).total_cmp(&cost(&b[0], &b[1])))
                .map(|(i, _)| i);
            let Some(i) = best else { break };
            let next = groups.remove(i + 1);
            let g = &mut groups[i];
            g.bottom = next.bottom;
            g.size = g.size.max(next.size);
            g.figures &= next.figures;
            g.members.extend(next.members);
        }
        groups
    }

    #[test]
    fn merging_by_heap_matches_merging_by_scan() {
        let mut seed = 12345u64;
        let mut rand = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        for round in 0..200 {
            let n = 1 + round % 40;
            let groups: Vec<Group> = (0..n)
                .scan(800.0, |y, k| {
                    *y -= (rand() * 12.0).round() / 2.0 + 0.5;
                    let size = if rand() < 0.5 { 7.5 } else { 10.0 };
                    let text = if rand() < 0.4 {
                        format!("{k}")
                    } else {
                        format!("字{k}")
                    };
                    let mut g = glyph(50.0, *y, &text);
                    g.size = size;
                    Some(Group {
                        top: *y,
                        bottom: *y,
                        size,
                        figures: is_figure(&text),
                        members: vec![g],
                    })
                })
                .collect();
            let copy = |gs: &[Group]| -> Vec<Group> {
                gs.iter()
                    .map(|g| Group {
                        members: g.members.clone(),
                        ..*g
                    })
                    .collect()
            };
            let texts = |gs: Vec<Group>| -> Vec<Vec<String>> {
                gs.into_iter()
                    .map(|g| g.members.into_iter().map(|m| m.text).collect())
                    .collect()
            };
            assert_eq!(
                texts(merge_groups(copy(&groups))),
                texts(merge_by_scan(groups)),
                "round {round}"
            );
        }
    }

    #[test]
    fn page_lines_grow_near_linearly() {
        // 20,000 lines 0.3 em apart: every neighbouring pair can merge.
        let lines =
            |n: usize| -> Vec<Placed> { (0..n).map(|i| glyph(50.0, 1e6 - i as f64 * 3.0, "字")).collect() };
        let t = std::time::Instant::now();
        let out = page_lines(lines(20_000));
        assert!(out.len() < 20_000 && !out.is_empty());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("-3-"));
        assert!(is_page_number("— 12 —"));
        assert!(!is_page_number("3"));
        assert!(!is_page_number("-"));
    }
}
