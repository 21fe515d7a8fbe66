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
    /// Other lines before the body that read like a report's title (a site's links to
    /// other reports): when they name another body, the title chosen is doubtful.
    pub others: Vec<String>,
}

const TITLE_WORDS: &str = "政府信息公开工作年度报告";

/// A site's navigation line (`上一篇：…`, `下一篇：…`, `相关链接：…`): it names other pages,
/// never this report's title nor its year.
pub fn is_navigation(text: &str) -> bool {
    static NAV: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*[【\[]?\s*(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇|相关链接|相关阅读|相关文章|相关信息|推荐阅读|热点文章|相关稿件)").unwrap()
    });
    NAV.is_match(text)
}

/// Finds the title among the blocks before `limit` (the first section heading).
///
/// Every short line before the body that reads like a title (`政府信息公开工作年度报告`, no
/// sentence punctuation) is a candidate; navigation lines (`上一篇：…`) are none. The report's
/// own title is the last candidate before the body (a site header listing links to other
/// reports comes first); the others are returned in [`Title::others`], so that candidates
/// naming other bodies can be said.
pub fn find_title(blocks: &[RawBlock], limit: usize) -> Option<Title> {
    let texts: Vec<Option<String>> = blocks[..limit.min(blocks.len())]
        .iter()
        .map(|b| block_text(b).filter(|t| !is_navigation(t)).map(squash_title))
        .collect();
    // A title wrapped at the page's width: `…政府信息公开工作年` / `度报告`, `…工作` / `年度报告`.
    let wrapped: Vec<Option<(String, usize)>> = (0..texts.len())
        .map(|i| {
            let text = texts[i].clone()?;
            match texts.get(i + 1) {
                Some(Some(next))
                    if !text.contains("报告")
                        && !text.contains(['。', '，'])
                        && next.chars().count() <= 12
                        && next.ends_with("报告") =>
                {
                    Some((format!("{text}{next}"), i + 1))
                }
                _ => Some((text, i)),
            }
        })
        .collect();
    let texts: Vec<Option<String>> = wrapped.iter().map(|w| w.as_ref().map(|w| w.0.clone())).collect();
    let words: Vec<char> = TITLE_WORDS.chars().collect();
    let is_titleish = |t: &str| {
        let chars: Vec<char> = t.chars().collect();
        lcs(&chars, &words) * 10 >= words.len() * 6 && chars.len() <= 80
    };
    let candidates: Vec<usize> = texts
        .iter()
        .take(12)
        .enumerate()
        // The second line of a wrapped title is part of the first.
        .filter(|&(i, _)| i == 0 || wrapped[i - 1].as_ref().is_none_or(|w| w.1 != i))
        .filter(|(_, t)| t.as_deref().is_some_and(|t| t.contains("报告") && is_titleish(t)))
        .map(|(i, _)| i)
        .collect();
    // A heading of its own ends with `报告` (a link may add `（PDF）`); a line with sentence
    // punctuation or a cited document (`《…》`) is preamble that names the report.
    let plain: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| texts[i].as_deref().is_some_and(is_heading_title))
        .collect();
    let i = *plain.last().or(candidates.first())?;
    let (mut text, mut last) = wrapped[i].clone()?;
    let mut first = i;
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
    // The body in brackets on the line below: `2022年政府信息公开工作年度报告` / `（管委会办公室）`.
    if starts_bare
        && first == i
        && let Some(Some(next)) = texts.get(last + 1)
        && let Some(inner) = next
            .strip_prefix(['（', '('])
            .and_then(|n| n.strip_suffix(['）', ')']))
        && is_body_name(inner)
    {
        text = format!("{inner}{text}");
        last += 1;
    }
    let others = plain
        .iter()
        .filter(|&&j| j < first)
        .filter_map(|&j| texts[j].clone())
        .collect();
    Some(Title {
        text,
        first,
        last,
        others,
    })
}

/// A title line that is a heading of its own: it ends with `报告` (or `报告（PDF）`, a link's
/// note of the file type) and holds no sentence punctuation nor a cited document.
fn is_heading_title(t: &str) -> bool {
    static SUFFIX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:[（(\[【][^（）()\[\]【】]{0,12}[）)\]】])+$").unwrap());
    let core = SUFFIX.replace(t, "");
    core.ends_with("报告") && !t.contains(['。', '，', '；', '、', '《', '》'])
}

static ARCHIVE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[【\[［〔]\s*(?:文章|信息|文件)?(?:标题|题目|名称)\s*[】\]］〕]\s*[:：]?|(?:文章|信息|文件)?(?:标题|题目|名称)\s*[:：])\s*").unwrap()
});

/// A title line as the text to keep: Markdown marks, an archive's `标题：` label and OCR
/// spaces gone.
fn squash_title(s: &str) -> String {
    let s = s.trim_start_matches('#');
    let s = ARCHIVE_LABEL.replace(s, "");
    clean_prose(&s).chars().filter(|c| !c.is_whitespace()).collect()
}

static TITLE_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([0-9０-９]{4}|[〇零○Ｏ一二三四五六七八九]{4})\s*年(?:度)?").unwrap());

/// A year written in digits (`2023`, `２０２３`) or in Chinese numerals digit by digit
/// (`二〇二三`, `二零二三`), when it is one from 1990 to 2100.
pub fn parse_year(s: &str) -> Option<i32> {
    let digits: String = s
        .chars()
        .map(|c| match c {
            '〇' | '零' | '○' | 'Ｏ' => '0',
            '一' => '1',
            '二' => '2',
            '三' => '3',
            '四' => '4',
            '五' => '5',
            '六' => '6',
            '七' => '7',
            '八' => '8',
            '九' => '9',
            c => c,
        })
        .collect();
    super::text::parse_digits(&digits)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1990..=2100).contains(y))
}

/// The issuing body and the year a title names.
///
/// `<body><YYYY>年(度)政府信息公开工作年度报告` gives the body before the year; a title that
/// starts with its year (`2019年<body>政府信息公开工作年度报告`) gives the body between the
/// year and `政府信息公开`. A `关于` or `的` joining the two is no part of the body.
pub fn title_parts(title: &str) -> (Option<String>, Option<i32>) {
    let body = |s: &str| {
        let s = s.trim().trim_end_matches("关于").trim_end_matches('的').trim();
        // `关于XX市人民政府2024年…报告`: the title of a cover letter's subject.
        let s = s.strip_prefix("关于").unwrap_or(s).trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    if let Some(m) = TITLE_YEAR.captures(title) {
        let whole = m.get(0).expect("match");
        let year = parse_year(&m[1]);
        let org = body(&title[..whole.start()]).or_else(|| {
            let after = &title[whole.end()..];
            before_words(after).and_then(body)
        });
        return (org, year);
    }
    (before_words(title).and_then(body), None)
}

static BODY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^\d０-９\s。，；：:、《》]{2,30}(?:政府|办公室|办公厅|局|委员会|委|厅|院|中心|办事处|管委会|街道|镇|乡)$").unwrap()
});

/// A line that is an issuing body's name and nothing else (`浉河区人民政府办公室`).
pub fn is_body_name(s: &str) -> bool {
    BODY_NAME.is_match(s) && !s.contains("政府信息公开")
}

/// A date as a document is dated (`2024年1月18日`, `二〇二四年一月十八日`), at the end of a line.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[0-9０-９]{4}|二[〇零○Ｏ][〇零○Ｏ一二三四五六七八九]{2})年[0-9０-９一二三四五六七八九十]{1,2}月[0-9０-９一二三四五六七八九十]{1,3}日$").unwrap()
});

/// A line that signs a document: a date alone, or an issuing body's name run into its date
/// (`莆田市统计局2024年1月17日`, as text extraction joins the two lines): the body, if any,
/// and the date, spaces taken out. A sentence that ends with a date is none.
pub fn split_signature(line: &str) -> Option<(Option<String>, String)> {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let m = DATE.find(&t)?;
    let body = &t[..m.start()];
    if body.is_empty() {
        Some((None, t.clone()))
    } else {
        is_body_name(body).then(|| (Some(body.to_string()), m.as_str().to_string()))
    }
}

/// The body that signs the report: its name on a line of its own just before the closing
/// date (`浉河区人民政府办公室` / `2024年1月18日`), among the last lines of the text.
pub fn signature(blocks: &[RawBlock]) -> Option<String> {
    let lines: Vec<String> = blocks
        .iter()
        .rev()
        .filter_map(block_text)
        .map(squash_title)
        .filter(|t| !t.is_empty())
        .take(4)
        .collect();
    let d = lines
        .iter()
        .position(|t| DATE.find(t).is_some_and(|m| m.start() == 0))?;
    let body = lines.get(d + 1)?;
    is_body_name(body).then(|| body.clone())
}

/// What an HTML page's `<title>` says of the body and the year, when the text shows no title.
///
/// A page title is `<page>_<site>` (also `|`, `｜`, ` - `, `—`): a part that reads like a report
/// title gives body and year as [`title_parts`] does (`false`); otherwise a part that is a
/// body's name (ending `政府`, `办公室`, `局`, …; no digits) gives the body, flagged `true`: it
/// is the site's owner, which may not be the report's issuing body.
pub fn page_title_parts(page: &str) -> Option<(Option<String>, Option<i32>, bool)> {
    static SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[_|｜—–]+|\s[-－]\s").unwrap());
    static BODY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[^\d０-９\s]{2,30}(?:政府|办公室|办公厅|局|委员会|委|厅|院|中心|办事处|管委会)$")
            .unwrap()
    });
    let words: Vec<char> = TITLE_WORDS.chars().collect();
    let pieces: Vec<String> = SEP
        .split(page)
        .map(squash_title)
        .filter(|p| !p.is_empty())
        .collect();
    for p in &pieces {
        let chars: Vec<char> = p.chars().collect();
        if p.contains("报告") && lcs(&chars, &words) * 10 >= words.len() * 6 {
            let (org, year) = title_parts(p);
            if org.is_some() || year.is_some() {
                return Some((org, year, false));
            }
        }
    }
    pieces
        .iter()
        .rev()
        .find(|p| BODY.is_match(p) && !p.contains("政府信息公开"))
        .map(|p| (Some(p.clone()), None, true))
}

/// The text before the last `政府信息公开` (where a title's fixed words begin).
fn before_words(s: &str) -> Option<&str> {
    s.rfind("政府信息公开").map(|p| &s[..p])
}

/// Why an organization read from a title is doubtful, if it is: an issuing body's name is
/// words, not a sentence, a figure or a date.
pub fn doubtful_organization(org: &str) -> Option<&'static str> {
    let n = org.chars().count();
    if n < 2 {
        Some("过短 (too short)")
    } else if n > 40 {
        Some("过长 (too long)")
    } else if org
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        Some("含数字 (holds digits)")
    } else if org.contains(['。', '，', '；', '：', ',', ';', ':']) {
        Some("含标点 (holds punctuation)")
    } else {
        None
    }
}

static ANY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:20|２０)[0-9０-９]{2}|二[〇零○Ｏ][〇零○Ｏ一二三四五六七八九]{2})\s*年").unwrap()
});

/// The years a text names (`2023年`, `二〇二三年`), in order.
pub fn years_named(text: &str) -> impl Iterator<Item = i32> + '_ {
    ANY_YEAR.captures_iter(text).filter_map(|c| parse_year(&c[1]))
}

/// The year most often named in the text (navigation lines such as `上一篇：…` left out), and
/// every year it names: a fallback when the title names none.
pub fn named_years(blocks: &[RawBlock]) -> (Option<i32>, Vec<i32>) {
    let mut counts = std::collections::BTreeMap::<i32, usize>::new();
    for b in blocks {
        if let Some(t) = block_text(b).filter(|t| !is_navigation(t)) {
            for y in years_named(t) {
                *counts.entry(y).or_default() += 1;
            }
        }
    }
    let all = counts.keys().copied().collect();
    (
        counts.into_iter().max_by_key(|&(y, n)| (n, y)).map(|(y, _)| y),
        all,
    )
}

/// The year most often named in the text: a fallback when the title names none.
pub fn most_named_year(blocks: &[RawBlock]) -> Option<i32> {
    named_years(blocks).0
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

/// A line that may be a section heading: which section, whether its ordinal is that
/// section's number (and whether in the form's own style, `二、`, or another), and how like
/// the heading its words are (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    section: usize,
    numbered: bool,
    /// Numbered in another style than the form's: `（二）`, `2.`.
    other_style: bool,
    likeness: f64,
}

static PART_ORDINAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^第\s*([一二三四五六七八九十]+)\s*部分[\s、，,.．:：]*").unwrap());

/// `n` as the Chinese numeral the form numbers its sections with (1–10).
fn chinese_numeral(n: u32) -> Option<String> {
    let digits = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    Some(digits.get(usize::try_from(n).ok()?.checked_sub(1)?)?.to_string())
}

/// The section a block's text may be the heading of, if any. A numbered line (`二、…`, or
/// `第二部分…`) needs half the likeness of its section's heading; a bare line needs 85 %. A
/// line numbered in a sub-heading's style (`（二）`, `2.`) is a candidate only for the section
/// of that number, with half the likeness too: some offices number their six parts so, and
/// the chain in [`find_sections`] prefers the form's own numbering wherever it stands.
fn section_heading(sections: &[Headings], text: &str) -> Option<Candidate> {
    let text = text.trim().trim_start_matches('#').trim();
    let (number, other_style, rest) = match leading_ordinal(text) {
        Some((Ordinal::Chinese(n), end)) => (Some(n), false, &text[end..]),
        Some((Ordinal::ChineseParen(n), end)) => (Some(n), true, &text[end..]),
        Some((Ordinal::Arabic(n), end)) => (Some(chinese_numeral(n)?), true, &text[end..]),
        Some((Ordinal::ArabicParen(_), _)) => return None,
        None => match PART_ORDINAL.captures(text) {
            Some(c) => (Some(c[1].to_string()), false, &text[c.get(0)?.end()..]),
            None => (None, false, text),
        },
    };
    let rest: Vec<char> = squash(rest).chars().collect();
    if rest.is_empty() || text.contains('。') {
        return None;
    }
    let mut best: Option<Candidate> = None;
    for (i, s) in sections.iter().enumerate() {
        if rest.len() > s.longest + s.longest / 2 + 4 {
            continue;
        }
        let numbered = number.as_ref().is_some_and(|n| *n == s.number);
        if other_style && !numbered {
            continue;
        }
        let needed = if numbered { 0.5 } else { 0.85 };
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
        let weight = |c: &Candidate| (c.numbered, c.likeness);
        let candidate = Candidate {
            section: i,
            numbered,
            other_style,
            likeness: sim,
        };
        if sim >= needed && best.is_none_or(|b| weight(&candidate) > weight(&b)) {
            best = Some(candidate);
        }
    }
    best
}

static INLINE_ORDINAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([一二三四五六七八九十]+)\s*[、．.]").unwrap());

/// Where a numbered section heading stands written out in `text`, from byte `at` (its
/// ordinal): the byte its words end at, when the squashed text after the ordinal starts with
/// the section's heading or a variant (the longest that fits).
fn heading_at(sections: &[Headings], text: &str, at: usize) -> Option<usize> {
    let caps = INLINE_ORDINAL
        .captures_at(text, at)
        .filter(|c| c.get(0).is_some_and(|m| m.start() == at))?;
    let number = &caps[1];
    let words_start = caps.get(0)?.end();
    let mut best = None;
    for s in sections.iter().filter(|s| s.number == number) {
        for form in &s.forms {
            let mut matched = 0;
            let mut end = None;
            for (i, c) in text[words_start..].char_indices() {
                let c = super::text::fold_width(c);
                if !(c.is_alphanumeric() || super::text::is_ideograph(c)) {
                    continue;
                }
                if form.get(matched) != Some(&c) {
                    break;
                }
                matched += 1;
                if matched == form.len() {
                    end = Some(words_start + i + c.len_utf8());
                    break;
                }
            }
            if let Some(e) = end
                && best.is_none_or(|b| e > b)
            {
                best = Some(e);
            }
        }
    }
    best
}

/// The byte ranges of `text` cut where a numbered section heading stands inside the line
/// (a report run together on one line, or a line per section with its body glued on): the
/// heading's words must be followed by more text that does not continue a list (`、`, `，`,
/// `和` after it mean the parts are being enumerated in a sentence).
fn inline_heading_cuts(sections: &[Headings], text: &str) -> Vec<(usize, usize)> {
    let mut cuts = Vec::new();
    for m in INLINE_ORDINAL.find_iter(text) {
        let Some(end) = heading_at(sections, text, m.start()) else {
            continue;
        };
        let after = text[end..].trim_start();
        // A heading written as a sentence (`三、…情况。`) ends the line; named inside a sentence
        // (`详见二、主动公开政府信息情况。…`) it is a reference.
        let closes_line = only_punctuation(after);
        let lists = after.starts_with([
            '、', '，', ',', '；', ';', '和', '及', '与', '等', '）', ')', '”', '」', '》',
        ]) || (!closes_line && m.start() > 0 && after.starts_with(['。', '.']));
        let before = text[..m.start()].trim_end();
        let quoted = before.ends_with(['“', '「', '《', '（', '(']);
        if !lists && !quoted && (m.start() > 0 || !after.is_empty()) {
            cuts.push((m.start(), end));
        }
    }
    cuts
}

/// Text made only of the stops and colons a heading line may end with.
fn only_punctuation(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '。' | '.' | '：' | ':' | '；' | ';' | '，' | ',') || c.is_whitespace())
}

/// The report's outline made one block a heading: a title run on into the preamble
/// (`…工作年度报告本报告由…`) is cut after `年度报告`; a numbered section heading standing
/// inside a line is cut out into a block of its own (its body before and after it stays, in
/// blocks of the same kind); a heading broken after its ordinal (`二、` / `主动公开政府信息情况`)
/// is joined again. Lines keep their source line number.
pub fn outline_blocks(form: &Form, blocks: Vec<RawBlock>) -> Vec<RawBlock> {
    let sections = headings(form);
    let mut out: Vec<RawBlock> = Vec::with_capacity(blocks.len());
    let mut title_cut = false;
    for (b, block) in blocks.into_iter().enumerate() {
        let pieces = match block {
            RawBlock::Text { line, text, heading } => {
                let mut text = text;
                if !title_cut
                    && b < 12
                    && let Some((head, rest)) = split_title(&text)
                {
                    title_cut = true;
                    out.push(RawBlock::Text {
                        line,
                        text: head,
                        heading,
                    });
                    text = rest;
                }
                split_text(&sections, line, &text, heading)
            }
            // A real grid's row keeps its cells: its columns are the table's.
            RawBlock::Row { line, cells, exact } if !exact => split_row(&sections, line, cells, exact),
            row @ RawBlock::Row { .. } => vec![row],
        };
        out.extend(pieces);
    }
    // `二、` / `主动公开政府信息情况`: the ordinal alone, its words on the next line.
    let mut joined: Vec<RawBlock> = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if let (Some(ordinal), Some(next)) = (block_text(&out[i]), out.get(i + 1).and_then(block_text)) {
            let ordinal = ordinal.trim();
            let bare = matches!(leading_ordinal(ordinal), Some((Ordinal::Chinese(_), end)) if ordinal[end..].trim().is_empty());
            let whole = format!("{ordinal}{}", next.trim());
            if bare && section_heading(&sections, &whole).is_some_and(|c| c.numbered) {
                joined.push(RawBlock::Text {
                    line: out[i].line(),
                    text: whole,
                    heading: None,
                });
                i += 2;
                continue;
            }
        }
        joined.push(out[i].clone());
        i += 1;
    }
    joined
}

/// A line that opens with the report's title and runs on (`…工作年度报告本报告由…`): the
/// title and the rest.
fn split_title(text: &str) -> Option<(String, String)> {
    let p = text.find("年度报告")? + "年度报告".len();
    let (head, rest) = text.split_at(p);
    let rest = rest.trim();
    if rest.is_empty() || head.chars().count() > 80 {
        return None;
    }
    let words: Vec<char> = TITLE_WORDS.chars().collect();
    let chars: Vec<char> = squash_title(head).chars().collect();
    (lcs(&chars, &words) == words.len()).then(|| (head.trim().to_string(), rest.to_string()))
}

fn split_text(sections: &[Headings], line: usize, text: &str, heading: Option<u8>) -> Vec<RawBlock> {
    let cuts = inline_heading_cuts(sections, text);
    if cuts.is_empty() {
        return vec![RawBlock::Text {
            line,
            text: text.to_string(),
            heading,
        }];
    }
    let mut out = Vec::new();
    let mut last = 0;
    let mut push = |t: &str| {
        if !only_punctuation(t) {
            out.push(RawBlock::Text {
                line,
                text: t.trim().to_string(),
                heading: None,
            });
        }
    };
    for (start, end) in cuts {
        push(&text[last..start]);
        push(&text[start..end]);
        last = end;
    }
    push(&text[last..]);
    out
}

/// A row whose cells hold a section heading inside them: the cells before it stay a row, the
/// heading becomes a text block, the rest of its cell and the cells after it a row again.
fn split_row(sections: &[Headings], line: usize, cells: Vec<String>, exact: bool) -> Vec<RawBlock> {
    let mut out = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cut_any = false;
    for cell in cells {
        let cuts = inline_heading_cuts(sections, &cell);
        if cuts.is_empty() {
            row.push(cell);
            continue;
        }
        cut_any = true;
        let mut last = 0;
        for (start, end) in cuts {
            let before = cell[last..start].trim();
            if !before.is_empty() {
                row.push(before.to_string());
            }
            if !row.is_empty() {
                out.push(RawBlock::Row {
                    line,
                    cells: std::mem::take(&mut row),
                    exact,
                });
            }
            out.push(RawBlock::Text {
                line,
                text: cell[start..end].trim().to_string(),
                heading: None,
            });
            last = end;
        }
        let rest = cell[last..].trim();
        if !only_punctuation(rest) {
            row.push(rest.to_string());
        }
    }
    if !row.is_empty() {
        if cut_any && row.len() == 1 {
            out.push(RawBlock::Text {
                line,
                text: row.pop().unwrap_or_default(),
                heading: None,
            });
        } else {
            out.push(RawBlock::Row {
                line,
                cells: row,
                exact,
            });
        }
    }
    out
}

/// The section headings in document order: (section index, block index).
///
/// Every line like a heading is a candidate; the headings are the chain of candidates in
/// increasing section order that weighs most, a numbered heading (`二、主动公开政府信息情况`)
/// weighing ten times a bare one, and one numbered in another style (`（二）…`, `2.…`) five. So a preamble listing the section names one a line, a
/// sub-heading worded like an old section title, or a table row label like `一、本年新收…`
/// never displaces the numbered sequence; a bare heading is taken only where no numbered one
/// stands for its section. Among chains of equal weight the later candidates win (a list of
/// the parts comes before the parts).
pub fn find_sections(form: &Form, blocks: &[RawBlock]) -> Vec<(usize, usize)> {
    chain(&heading_candidates(form, blocks))
}

/// Every block that may be a section heading, with what it may be the heading of.
fn heading_candidates(form: &Form, blocks: &[RawBlock]) -> Vec<(usize, Candidate)> {
    let sections = headings(form);
    blocks
        .iter()
        .enumerate()
        .filter_map(|(b, block)| Some((b, section_heading(&sections, block_text(block)?)?)))
        .collect()
}

/// [`find_sections`]'s heaviest chain, from the lines like headings.
fn chain(found: &[(usize, Candidate)]) -> Vec<(usize, usize)> {
    let weight = |c: &Candidate| match (c.numbered, c.other_style) {
        (true, false) => 10.0 + c.likeness,
        (true, true) => 5.0 + c.likeness,
        _ => c.likeness,
    };
    // best[i]: the weight of the heaviest chain ending at candidate i, and its predecessor.
    let mut best: Vec<(f64, Option<usize>)> = Vec::with_capacity(found.len());
    for (i, (_, c)) in found.iter().enumerate() {
        let mut pick: (f64, Option<usize>) = (0.0, None);
        for (j, (_, p)) in found[..i].iter().enumerate() {
            if p.section < c.section && best[j].0 >= pick.0 {
                pick = (best[j].0, Some(j));
            }
        }
        best.push((pick.0 + weight(c), pick.1));
    }
    let mut end = None;
    for (i, &(w, _)) in best.iter().enumerate() {
        if end.is_none_or(|e: usize| w >= best[e].0) {
            end = Some(i);
        }
    }
    let mut chain = Vec::new();
    while let Some(i) = end {
        chain.push((found[i].1.section, found[i].0));
        end = best[i].1;
    }
    chain.reverse();
    chain
}

/// Where a second whole report starts in the text, when one follows the first (an archive's
/// reports run into one file, a page that quotes last year's report after this one's): the
/// block of its title (or of its first heading when it has none in the five blocks before).
///
/// A report restarts when the first section's numbered heading (`一、总体情况`) stands again
/// after headings of four other sections in the form's own numbering, and four more follow
/// it, with ten lines of body or more between the two: a page's running title, a table of
/// contents listing the six parts or a table row `一、本年新收…` is never such a restart.
pub fn second_report(form: &Form, blocks: &[RawBlock]) -> Option<usize> {
    restart(&heading_candidates(form, blocks), blocks)
}

/// The section headings ([`find_sections`]) and where a second report starts
/// ([`second_report`]), with the lines like headings found once for both: the headings of
/// the first report only.
pub fn outline(form: &Form, blocks: &[RawBlock]) -> (Vec<(usize, usize)>, Option<usize>) {
    let mut found = heading_candidates(form, blocks);
    let cut = restart(&found, blocks);
    if let Some(cut) = cut {
        found.retain(|(b, _)| *b < cut);
    }
    (chain(&found), cut)
}

/// [`second_report`] from the lines like headings.
fn restart(found: &[(usize, Candidate)], blocks: &[RawBlock]) -> Option<usize> {
    let numbered: Vec<(usize, usize)> = found
        .iter()
        .filter(|(_, c)| c.numbered && !c.other_style && c.likeness >= 0.8)
        .map(|(b, c)| (*b, c.section))
        .collect();
    let others = |range: &[(usize, usize)]| {
        range
            .iter()
            .filter(|(_, s)| *s != 0)
            .map(|(_, s)| *s)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let starts: Vec<usize> = (0..numbered.len()).filter(|&i| numbered[i].1 == 0).collect();
    for pair in starts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let next = starts.iter().find(|&&k| k > b).copied().unwrap_or(numbered.len());
        // A table of contents lists the headings one after the other: a report has its
        // body between them.
        let body = numbered[b].0 - numbered[a].0 - (b - a);
        if body >= 10 && others(&numbered[a + 1..b]) >= 4 && others(&numbered[b + 1..next]) >= 4 {
            let at = numbered[b].0;
            let title = (at.saturating_sub(5)..at)
                .rev()
                .find(|&k| block_text(&blocks[k]).is_some_and(|t| is_heading_title(t.trim())));
            return Some(title.unwrap_or(at));
        }
    }
    None
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
            heading.is_none() && (short_line(text) || is_page_number(text) || glued_cells(text))
        }
    }
}

/// A long line that is no sentence but a table's cells run together (a report extracted
/// onto one line): no full stop in it, and at least three runs of digits.
fn glued_cells(text: &str) -> bool {
    let t = text.trim();
    if t.contains(['。', '！', '？']) {
        return false;
    }
    let mut runs = 0;
    let mut in_run = false;
    for c in t.chars() {
        let digit = c.is_ascii_digit() || ('０'..='９').contains(&c);
        if digit && !in_run {
            runs += 1;
        }
        in_run = digit;
    }
    runs >= 3
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The sections `find_sections` finds in `lines` (one text block each): (section index,
    /// line index).
    fn sections_of(lines: &[&str]) -> Vec<(usize, usize)> {
        let forms = crate::form::Forms::builtin();
        let form = forms.get("2021").unwrap();
        find_sections(form, &RawBlock::lines(lines))
    }

    #[test]
    fn a_title_wrapped_at_the_pages_width_is_one_title() {
        let title_of = |lines: &[&str]| {
            let blocks = RawBlock::lines(lines);
            find_title(&blocks, blocks.len()).map(|t| t.text)
        };
        for lines in [
            [
                "淮安市人民政府 2024 年政府信息公开工作年",
                "度报告",
                "本报告由淮安市人民政府办公室编制。",
            ],
            [
                "淮安市人民政府 2024 年政府",
                "信息公开工作年度报告",
                "本报告由淮安市人民政府办公室编制。",
            ],
            [
                "淮安市人民政府 2024 年政府信息公开工作",
                "年度报告",
                "本报告由淮安市人民政府办公室编制。",
            ],
        ] {
            assert_eq!(
                title_of(&lines).as_deref(),
                Some("淮安市人民政府2024年政府信息公开工作年度报告")
            );
        }
    }

    #[test]
    fn a_second_whole_report_is_found_at_its_title_and_a_running_title_is_none() {
        let forms = crate::form::Forms::builtin();
        let form = forms.get("2021").unwrap();
        let report = |title: &str| {
            let mut lines = vec![title.to_string()];
            for h in [
                "一、总体情况",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况",
                "五、存在的主要问题及改进情况",
                "六、其他需要报告的事项",
            ] {
                lines.push(h.to_string());
                lines.push("本年度工作正常开展。".to_string());
                lines.push("各项工作有序推进。".to_string());
            }
            lines
        };
        let blocks = |lines: Vec<String>| RawBlock::lines(&lines);
        let mut two = report("甲市人民政府2023年政府信息公开工作年度报告");
        two.push("相关阅读：".to_string());
        two.extend(report("甲市人民政府2022年政府信息公开工作年度报告"));
        assert_eq!(second_report(form, &blocks(two)), Some(20));
        // A table of contents before the body: no second report.
        let mut toc: Vec<String> = vec![
            "甲市人民政府2023年政府信息公开工作年度报告".to_string(),
            "目录".to_string(),
        ];
        toc.extend(report("x").into_iter().skip(1).step_by(3));
        toc.extend(report("x").into_iter().skip(1));
        assert_eq!(second_report(form, &blocks(toc)), None);
        // One report whose pages repeat its title: no second report.
        let mut one = report("甲市人民政府2023年政府信息公开工作年度报告");
        one.insert(7, "甲市人民政府2023年政府信息公开工作年度报告".to_string());
        assert_eq!(second_report(form, &blocks(one)), None);
    }

    #[test]
    fn six_parts_numbered_in_another_style_are_the_sections() {
        let body = |marks: [&str; 6]| {
            let titles = [
                "总体情况",
                "主动公开政府信息情况",
                "收到和处理政府信息公开申请情况",
                "政府信息公开行政复议、行政诉讼情况",
                "存在的主要问题及改进情况",
                "其他需要报告的事项",
            ];
            let mut lines = Vec::new();
            for (m, t) in marks.iter().zip(titles) {
                lines.push(format!("{m}{t}"));
                lines.push("正文一段。".to_string());
            }
            lines
        };
        let want: Vec<(usize, usize)> = (0..6).map(|i| (i, 2 * i)).collect();
        for marks in [
            ["1.", "2.", "3.", "4.", "5.", "6."],
            ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"],
            [
                "第一部分 ",
                "第二部分 ",
                "第三部分 ",
                "第四部分 ",
                "第五部分 ",
                "第六部分 ",
            ],
        ] {
            let lines = body(marks);
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            assert_eq!(sections_of(&refs), want, "{marks:?}");
        }
        // The form's own numbering wins over sub-headings numbered alike: `（二）主动公开情况`
        // under 一 is not section 二.
        let lines = [
            "一、总体情况",
            "（一）主动公开情况",
            "（二）主动公开政府信息情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
        ];
        assert_eq!(sections_of(&lines), [(0, 0), (1, 3), (2, 4)]);
    }

    #[test]
    fn organization_and_year_from_titles() {
        let parts = |t: &str| title_parts(t);
        assert_eq!(
            parts("莆田市文化和旅游局2022年度政府信息公开工作年度报告"),
            (Some("莆田市文化和旅游局".into()), Some(2022))
        );
        assert_eq!(
            parts("2019年上海市人民政府办公厅政府信息公开工作年度报告"),
            (Some("上海市人民政府办公厅".into()), Some(2019))
        );
        assert_eq!(
            parts("淮安市人民政府２０２４年政府信息公开工作年度报告"),
            (Some("淮安市人民政府".into()), Some(2024))
        );
        assert_eq!(
            parts("XX县人民政府办公室关于2019年政府信息公开工作年度报告"),
            (Some("XX县人民政府办公室".into()), Some(2019))
        );
        assert_eq!(parts("2023年政府信息公开工作年度报告"), (None, Some(2023)));
    }

    #[test]
    fn archive_label_is_no_part_of_the_title() {
        assert_eq!(
            squash_title("标题：XX县人民政府2019年政府信息公开工作年度报告"),
            "XX县人民政府2019年政府信息公开工作年度报告"
        );
        assert_eq!(
            squash_title("【标题】XX县人民政府2019年政府信息公开工作年度报告"),
            "XX县人民政府2019年政府信息公开工作年度报告"
        );
        assert_eq!(
            squash_title("[标题]：XX县人民政府2019年政府信息公开工作年度报告"),
            "XX县人民政府2019年政府信息公开工作年度报告"
        );
        assert_eq!(
            squash_title("标题: 莆田市林业局2023年政府信息公开工作年度报告"),
            "莆田市林业局2023年政府信息公开工作年度报告"
        );
    }

    #[test]
    fn years_in_chinese_numerals_and_leading_guanyu() {
        assert_eq!(
            title_parts("登封市人民政府办公室二〇二三年度政府信息公开工作年度报告"),
            (Some("登封市人民政府办公室".into()), Some(2023))
        );
        assert_eq!(
            title_parts("关于淮安市人民政府二零二四年政府信息公开工作年度报告"),
            (Some("淮安市人民政府".into()), Some(2024))
        );
        assert_eq!(
            years_named("二〇二三年1月1日至2024 年").collect::<Vec<_>>(),
            [2023, 2024]
        );
        assert_eq!(parse_year("一二三四"), None);
    }

    #[test]
    fn navigation_and_page_titles() {
        assert!(is_navigation("上一篇：XX县2022年政府信息公开工作年度报告"));
        assert!(is_navigation("【相关链接】XX县2022年政府信息公开工作年度报告"));
        assert!(!is_navigation("XX县2023年政府信息公开工作年度报告"));
        assert_eq!(
            page_title_parts("政府信息公开年报_淮安市人民政府"),
            Some((Some("淮安市人民政府".into()), None, true))
        );
        assert_eq!(
            page_title_parts("XX局2023年政府信息公开工作年度报告 - XX市人民政府"),
            Some((Some("XX局".into()), Some(2023), false))
        );
        assert_eq!(page_title_parts("首页"), None);
        assert!(is_heading_title(
            "XX镇人民政府2023年政府信息公开工作年度报告（PDF）"
        ));
        assert!(!is_heading_title(
            "《XX条例》、《关于政府信息公开工作年度报告有关事项》"
        ));
    }

    #[test]
    fn doubtful_organizations() {
        assert_eq!(doubtful_organization("莆田市林业局"), None);
        assert!(doubtful_organization("本报告根据条例，由").is_some());
        assert!(doubtful_organization("第3号").is_some());
    }
}
