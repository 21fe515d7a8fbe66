//! The document's outline: title, preamble, the six sections, and where each table stands.

use std::sync::LazyLock;

use regex::Regex;

use super::similarity::{lcs, similarity};
use super::text::{Ordinal, clean_prose, is_page_number, leading_ordinal, squash};
use crate::form::Form;
use crate::read::RawBlock;

/// A block's text when it can be a heading or a paragraph line: a text block, or a row
/// with a single non-empty cell.
pub fn block_text(block: &RawBlock) -> Option<&str> {
    match block {
        RawBlock::Text { text, .. } => Some(text),
        RawBlock::Row { cells, .. } => {
            let mut filled = cells.iter().filter(|c| !c.trim().is_empty());
            let first = filled.next()?;
            filled.next().is_none().then_some(first.as_str())
        }
    }
}

/// The title, where it stands (a range of blocks), and what it says of body and year.
#[derive(Debug, Clone)]
pub struct Title {
    pub text: String,
    pub first: usize,
    pub last: usize,
}

const TITLE_WORDS: &str = "政府信息公开工作年度报告";

/// Finds the title among the blocks before `limit` (the first section heading).
pub fn find_title(blocks: &[RawBlock], limit: usize) -> Option<Title> {
    let texts: Vec<Option<String>> = blocks[..limit.min(blocks.len())]
        .iter()
        .map(|b| block_text(b).map(squash_title))
        .collect();
    let words: Vec<char> = TITLE_WORDS.chars().collect();
    let is_titleish = |t: &str| {
        let chars: Vec<char> = t.chars().collect();
        lcs(&chars, &words) * 10 >= words.len() * 6 && chars.len() <= 80
    };
    let i = texts
        .iter()
        .take(12)
        .position(|t| t.as_deref().is_some_and(|t| t.contains("报告") && is_titleish(t)))?;
    let mut text = texts[i].clone()?;
    let (mut first, mut last) = (i, i);
    // `…工作` / `年度报告` split over two lines.
    if !text.ends_with("报告")
        && let Some(Some(next)) = texts.get(i + 1)
        && next.chars().count() <= 12
        && next.ends_with("报告")
    {
        text.push_str(next);
        last = i + 1;
    }
    // The body's name on the line above: `淮安市人民政府` / `2024年政府信息公开工作年度报告`.
    let starts_bare = text.starts_with(|c: char| c.is_ascii_digit()) || text.starts_with("政府信息公开");
    if starts_bare
        && i > 0
        && let Some(Some(prev)) = texts.get(i - 1)
        && prev.chars().count() <= 30
        && !prev.contains(['。', '，'])
    {
        text = format!("{prev}{text}");
        first = i - 1;
    }
    Some(Title { text, first, last })
}

fn squash_title(s: &str) -> String {
    let s = s.trim_start_matches('#');
    clean_prose(s).chars().filter(|c| !c.is_whitespace()).collect()
}

static TITLE_YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([0-9０-９]{4})\s*年(?:度)?").unwrap());

/// The issuing body and the year a title names.
pub fn title_parts(title: &str) -> (Option<String>, Option<i32>) {
    if let Some(m) = TITLE_YEAR.captures(title) {
        let whole = m.get(0).expect("match");
        let year = m[1].parse().ok().filter(|y| (1990..=2100).contains(y));
        let org = title[..whole.start()].trim();
        return ((!org.is_empty()).then(|| org.to_string()), year);
    }
    let org = title.split("政府信息公开").next().unwrap_or("").trim();
    ((!org.is_empty() && org != title).then(|| org.to_string()), None)
}

static ANY_YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(20[0-9０-９]{2})\s*年").unwrap());

/// The year most often named in the text: a fallback when the title names none.
pub fn most_named_year(blocks: &[RawBlock]) -> Option<i32> {
    let mut counts = std::collections::BTreeMap::<i32, usize>::new();
    for b in blocks {
        if let Some(t) = block_text(b) {
            for c in ANY_YEAR.captures_iter(t) {
                if let Ok(y) = c[1].parse() {
                    *counts.entry(y).or_default() += 1;
                }
            }
        }
    }
    counts.into_iter().max_by_key(|&(y, n)| (n, y)).map(|(y, _)| y)
}

/// A section's heading and its variants, squashed once for all the lines they are
/// compared with.
struct Headings {
    number: String,
    forms: Vec<Vec<char>>,
    longest: usize,
}

fn headings(form: &Form) -> Vec<Headings> {
    form.sections
        .iter()
        .map(|s| {
            let longest = std::iter::once(&s.heading)
                .chain(&s.variants)
                .map(|h| h.chars().count())
                .max()
                .unwrap_or(0);
            Headings {
                number: s.number.clone(),
                forms: std::iter::once(&s.heading)
                    .chain(&s.variants)
                    .map(|h| squash(h).chars().collect())
                    .collect(),
                longest,
            }
        })
        .collect()
}

/// The numbered section a block's text is the heading of, if any.
fn section_heading(sections: &[Headings], text: &str) -> Option<usize> {
    let text = text.trim().trim_start_matches('#').trim();
    let (number, rest) = match leading_ordinal(text) {
        Some((Ordinal::Chinese(n), end)) => (Some(n), &text[end..]),
        _ => (None, text),
    };
    let rest: Vec<char> = squash(rest).chars().collect();
    if rest.is_empty() || text.contains('。') {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in sections.iter().enumerate() {
        if rest.len() > s.longest + s.longest / 2 + 4 {
            continue;
        }
        let needed = match &number {
            Some(n) if *n == s.number => 0.5,
            _ => 0.85,
        };
        let sim = s
            .forms
            .iter()
            .filter_map(|h| {
                let longer = rest.len().max(h.len()) as f64;
                // The common subsequence is no longer than the shorter text: most lines
                // of a report are ruled out without computing it.
                (rest.len().min(h.len()) as f64 >= needed * longer).then(|| lcs(&rest, h) as f64 / longer)
            })
            .fold(0.0, f64::max);
        if sim >= needed && best.is_none_or(|(_, b)| sim > b) {
            best = Some((i, sim));
        }
    }
    best.map(|(i, _)| i)
}

/// The section headings in document order: (section index, block index). Sections must
/// come in order, so a table row label like `一、本年新收…` is never taken for one.
pub fn find_sections(form: &Form, blocks: &[RawBlock]) -> Vec<(usize, usize)> {
    let sections = headings(form);
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        let Some(text) = block_text(block) else { continue };
        if let Some(s) = section_heading(&sections, text)
            && found.last().is_none_or(|&(last, _)| s > last)
        {
            found.push((s, b));
        }
    }
    found
}

/// A sub-heading level for a short standalone line: `（一）` 2, `1.` 3, `（1）` 4.
pub fn subheading_level(text: &str) -> Option<u8> {
    let (ordinal, end) = leading_ordinal(text)?;
    let rest = text[end..].trim();
    let body = rest.trim_end_matches(['。', '.']);
    if body.is_empty()
        || body.contains(['。', '；', '！', '？', '，', ','])
        || squash(body).chars().count() > 25
    {
        return None;
    }
    Some(match ordinal {
        Ordinal::Chinese(_) | Ordinal::ChineseParen(_) => 2,
        Ordinal::Arabic(_) => 3,
        Ordinal::ArabicParen(_) => 4,
    })
}

/// Whether a paragraph line ends where a sentence may end; a line that does not is
/// continued by the next line (text broken by page or column width).
pub fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with([
        '。', '！', '？', '；', '：', '…', '”', '」', '）', ')', '!', '?', ';', ':',
    ])
}

/// Whether a block is part of a table: a row of cells, or a short line that is no sentence.
pub fn is_tabular(block: &RawBlock) -> bool {
    match block {
        RawBlock::Row { cells, .. } => {
            cells.iter().filter(|c| !c.trim().is_empty()).count() >= 2
                || block_text(block).is_some_and(short_line)
        }
        RawBlock::Text { text, heading, .. } => {
            heading.is_none() && (short_line(text) || is_page_number(text))
        }
    }
}

fn short_line(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 40 && !t.ends_with(['。', '；', '！', '？'])
}

/// Texts that mark the start of a table: its captions and header cells (from the form).
fn anchors(table: &crate::form::TableDef) -> Vec<String> {
    let mut out: Vec<String> = table.blocks.iter().filter_map(|b| b.caption.clone()).collect();
    out.extend(table.header.iter().flatten().map(|c| table.header_text(c)));
    out
}

/// For each table whose section heading is missing, finds the first block (between the
/// neighbouring headings found) whose cells match the table's captions or header, and adds
/// it to `headings` as the start of that section. Returns the sections so anchored.
pub fn anchor_tables(
    form: &Form,
    blocks: &[RawBlock],
    headings: &mut Vec<(usize, usize)>,
    first: usize,
) -> Vec<usize> {
    let mut anchored = Vec::new();
    for table in &form.tables {
        let Some(s) = form.sections.iter().position(|x| x.key == table.section) else {
            continue;
        };
        if headings.iter().any(|h| h.0 == s) {
            continue;
        }
        let lo = headings
            .iter()
            .filter(|h| h.0 < s)
            .map(|h| h.1 + 1)
            .max()
            .unwrap_or(first.min(blocks.len()));
        let hi = headings
            .iter()
            .filter(|h| h.0 > s)
            .map(|h| h.1)
            .min()
            .unwrap_or(blocks.len());
        let marks = anchors(table);
        let hit = (lo..hi).find(|&b| {
            let cells: Vec<&str> = match &blocks[b] {
                RawBlock::Text { text, .. } => vec![text.as_str()],
                RawBlock::Row { cells, .. } => cells.iter().map(String::as_str).collect(),
            };
            cells.iter().any(|c| {
                let n = squash(c).chars().count();
                n >= 4
                    && marks
                        .iter()
                        .any(|m| n <= m.chars().count() + 4 && similarity(c, m) >= 0.8)
            })
        });
        if let Some(b) = hit {
            headings.push((s, b));
            headings.sort_by_key(|h| h.1);
            anchored.push(s);
        }
    }
    anchored
}
