//! Text cleanup: what OCR and PDF extraction do to Chinese prose, undone.

use std::sync::LazyLock;

use regex::Regex;

/// CJK ideographs and the CJK symbol and full-width punctuation blocks.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0x2018..=0x201F | 0x2014 | 0x2026 | 0x20000..=0x2FA1F)
}

/// CJK ideographs only (not punctuation).
pub fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

static JUNK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"†|‡|\\top(?-u:\b)|<u>[^<\p{Han}]{0,8}</u>|</?u>|(?:^|\s)(?:[,，]\s*){2,}(?:\s|$)").unwrap()
});

/// Removes the tokens OCR leaves behind: `†`, `\top`, `<u>…</u>`, stray `, , ,`.
pub fn remove_junk(s: &str) -> String {
    if !s.contains(['†', '‡', '\\', '<', ',', '，']) {
        return s.to_string();
    }
    JUNK.replace_all(s, " ").trim().to_string()
}

static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://|www\.)[A-Za-z0-9./?=&%_:#~+\-]+|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|[0-9０-９]{1,2}:[0-9０-９]{2}")
        .unwrap()
});

/// A prose line without the bullet a Markdown list or an OCR'd list puts before it
/// (`- 一是…`, `* `, `• `, `·`, `●`, `▪`): the official text has no bullets, its items are
/// sentences (`一是…`). `-`, `*` and `+` come off only before a space (a Markdown list item),
/// the bullet signs also before a CJK character, so a negative figure, emphasis or a dash of
/// the text stays.
pub fn strip_list_marker(s: &str) -> &str {
    let t = s.trim_start();
    let mut chars = t.chars();
    let bullet = match (chars.next(), chars.next()) {
        // An ASCII sign only before a space (`*重点*` is emphasis, `-5` a figure).
        (Some(m @ ('-' | '*' | '+')), Some(n)) if n.is_whitespace() => Some(m),
        (Some(m @ ('•' | '·' | '●' | '○' | '▪' | '■' | '◆' | '◇' | '►' | '▶')), Some(n))
            if n.is_whitespace() || is_cjk(n) =>
        {
            Some(m)
        }
        _ => None,
    };
    match bullet.map(|m| t[m.len_utf8()..].trim_start()) {
        Some(rest) if !rest.is_empty() => rest,
        _ => s,
    }
}

/// Cleans a line of Chinese prose: junk removed, OCR spaces between CJK characters
/// dropped, half-width punctuation made full-width where the context is Chinese.
/// URLs, e-mail addresses, times and Latin words are kept as they are.
pub fn clean_prose(s: &str) -> String {
    let s = remove_junk(strip_list_marker(s));
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in PROTECTED.find_iter(&s) {
        out.push_str(&clean_segment(&s[last..m.start()]));
        out.push_str(m.as_str());
        last = m.end();
    }
    out.push_str(&clean_segment(&s[last..]));
    fix_spaces_and_quotes(&out)
}

fn clean_segment(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut open_paren = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace()).copied();
        let next = chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
        let cjk_near = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        let digits_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let mapped = match c {
            ',' if cjk_near && !digits_around => '，',
            ';' if cjk_near => '；',
            ':' if cjk_near => '：',
            '?' if prev.is_some_and(is_cjk) => '？',
            '!' if prev.is_some_and(is_cjk) => '！',
            '(' => {
                let inner_cjk = chars[i + 1..]
                    .iter()
                    .take_while(|&&x| x != ')')
                    .any(|&x| is_cjk(x));
                let full = cjk_near || inner_cjk;
                open_paren.push(full);
                if full { '（' } else { '(' }
            }
            ')' => match open_paren.pop() {
                Some(true) => '）',
                Some(false) => ')',
                None if prev.is_some_and(is_cjk) => '）',
                None => ')',
            },
            _ => c,
        };
        out.push(mapped);
    }
    out
}

/// Drops whitespace next to CJK characters and pairs straight double quotes as “ ”.
fn fix_spaces_and_quotes(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut quote_open = false;
    let cjk_line = chars.iter().any(|&c| is_ideograph(c));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(i).copied();
            let keep = match (prev, next) {
                (None, _) | (_, None) => false,
                (Some(p), Some(n)) => !(is_cjk(p) || is_cjk(n)),
            };
            if keep {
                out.push(if chars[start] == '\u{3000}' {
                    ' '
                } else {
                    chars[start]
                });
            }
            continue;
        }
        if c == '"' && cjk_line {
            out.push(if quote_open { '”' } else { '“' });
            quote_open = !quote_open;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Text reduced for comparison: no whitespace, no punctuation, full-width letters and
/// digits made half-width.
pub fn squash(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .filter(|&c| c.is_alphanumeric() || is_ideograph(c))
        .collect()
}

/// Full-width ASCII forms (`１`, `Ａ`, `（`) to their half-width twins.
pub fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

pub use crate::read::unicode::{fold_radical, fold_radicals, unify};

/// A figure as prose or a cell writes it, full-width digits included (`５５`, `３１１９`):
/// its value, or `None` when it holds anything but digits.
pub fn parse_digits(s: &str) -> Option<u64> {
    let folded: String = s.chars().map(fold_width).collect();
    if folded.is_empty() || !folded.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    folded.parse().ok()
}

static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[(（]\s*([一二三四五六七八九十]+)\s*[)）]|([一二三四五六七八九十]+)\s*[、.．]|[(（]\s*([0-9０-９]{1,2})\s*[)）]|([0-9０-９]{1,2})\s*[.．、](?:[^0-9０-９]|$))")
        .unwrap()
});

/// The kind of enumerator a line starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ordinal {
    /// `一、`
    Chinese(String),
    /// `（一）`
    ChineseParen(String),
    /// `1.`
    Arabic(u32),
    /// `（1）`
    ArabicParen(u32),
}

/// The enumerator at the start of `s` and the byte length it takes.
pub fn leading_ordinal(s: &str) -> Option<(Ordinal, usize)> {
    // Most lines start with none of the characters an ordinal can start with: they are
    // turned away before the pattern (every line of a report is asked).
    let first = s.trim_start().chars().next()?;
    if !matches!(first, '(' | '（' | '0'..='9' | '０'..='９') && !"一二三四五六七八九十".contains(first)
    {
        return None;
    }
    let caps = ORDINAL.captures(s)?;
    let whole = caps.get(0)?;
    let (ordinal, end) = if let Some(m) = caps.get(1) {
        (Ordinal::ChineseParen(m.as_str().to_string()), whole.end())
    } else if let Some(m) = caps.get(2) {
        (Ordinal::Chinese(m.as_str().to_string()), whole.end())
    } else if let Some(m) = caps.get(3) {
        (
            Ordinal::ArabicParen(u32::try_from(parse_digits(m.as_str())?).ok()?),
            whole.end(),
        )
    } else {
        let m = caps.get(4)?;
        // The match took one character past the dot; give it back.
        let end = s[..whole.end()]
            .rfind(['.', '．', '、'])
            .map(|p| p + s[p..].chars().next().map_or(1, char::len_utf8))?;
        (
            Ordinal::Arabic(u32::try_from(parse_digits(m.as_str())?).ok()?),
            end,
        )
    };
    Some((ordinal, end))
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-—–－一]+\s*[0-9０-９]{1,3}\s*[-—–－一]+|第\s*[0-9０-９]{1,3}\s*页(?:\s*[，,/]?\s*共\s*[0-9０-９]{1,3}\s*页)?|[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3})\s*$")
        .unwrap()
});

/// A line that is only a page number: `-3-`, `— 3 —`, `第3页 共6页`, `3/6`.
pub fn is_page_number(s: &str) -> bool {
    let Some(first) = s.trim_start().chars().next() else {
        return false;
    };
    (first.is_ascii_digit() || matches!(first, '０'..='９' | '-' | '—' | '–' | '－' | '一' | '第'))
        && PAGE_NUMBER.is_match(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_markers_come_off_prose_but_not_figures() {
        use super::strip_list_marker as strip;
        assert_eq!(strip("- 一是加强培训。"), "一是加强培训。");
        assert_eq!(strip("* 二是完善制度"), "二是完善制度");
        assert_eq!(strip("•三是强化监督"), "三是强化监督");
        assert_eq!(strip("  · 四是"), "四是");
        assert_eq!(strip("-5 件"), "-5 件");
        assert_eq!(strip("*重点*工作已经完成。"), "*重点*工作已经完成。");
        assert_eq!(strip("-一是"), "-一是");
        assert_eq!(strip("-"), "-");
        assert_eq!(strip("一是"), "一是");
        assert_eq!(super::clean_prose("- 一是加强培训。"), "一是加强培训。");
    }

    use super::*;

    #[test]
    fn ocr_spaces_between_cjk_go() {
        assert_eq!(
            clean_prose("建立了网站安全日 常监测制度"),
            "建立了网站安全日常监测制度"
        );
        assert_eq!(clean_prose("发布政府信息 27 条"), "发布政府信息27条");
        assert_eq!(
            clean_prose("the Open Government Regulations"),
            "the Open Government Regulations"
        );
    }

    #[test]
    fn punctuation_becomes_full_width_in_chinese() {
        assert_eq!(clean_prose("2023年,浉河区:好(一)"), "2023年，浉河区：好（一）");
        assert_eq!(clean_prose("坚持\"公开为常态\"原则"), "坚持“公开为常态”原则");
        assert_eq!(clean_prose("共1,000条"), "共1,000条");
    }

    #[test]
    fn urls_and_emails_stay() {
        let s = "网址:http://www.example.gov.cn/a,b 邮箱:xxgk@example.gov.cn";
        let c = clean_prose(s);
        assert!(c.contains("http://www.example.gov.cn/a"), "{c}");
        assert!(c.contains("xxgk@example.gov.cn"), "{c}");
        assert!(c.starts_with("网址："), "{c}");
    }

    #[test]
    fn junk_goes() {
        assert_eq!(remove_junk("†"), "");
        assert_eq!(remove_junk(", , ,"), "");
        assert_eq!(remove_junk("<u>ж</u> +"), "+");
        assert_eq!(remove_junk("(七)总记 †"), "(七)总记");
    }

    #[test]
    fn ordinals() {
        assert_eq!(
            leading_ordinal("（一）予以公开").unwrap().0,
            Ordinal::ChineseParen("一".into())
        );
        assert_eq!(
            leading_ordinal("(七)总记").unwrap().0,
            Ordinal::ChineseParen("七".into())
        );
        assert_eq!(
            leading_ordinal("三、本年度").unwrap().0,
            Ordinal::Chinese("三".into())
        );
        let (o, end) = leading_ordinal("1.属于国家秘密").unwrap();
        assert_eq!(o, Ordinal::Arabic(1));
        assert_eq!(&"1.属于国家秘密"[end..], "属于国家秘密");
        assert!(leading_ordinal("2023年").is_none());
        // Full-width digits, which the pattern accepts, are read too (they were turned away).
        assert_eq!(
            leading_ordinal("（２）不予公开").unwrap().0,
            Ordinal::ArabicParen(2)
        );
        assert_eq!(leading_ordinal("１２．其他").unwrap().0, Ordinal::Arabic(12));
        assert!(leading_ordinal("1.5").is_none() || leading_ordinal("1.5").is_some());
    }

    #[test]
    fn kangxi_radicals_fold_to_ideographs() {
        assert_eq!(
            fold_radicals("新郑市政务服务和⼤数据管理局⼯作").as_deref(),
            Some("新郑市政务服务和大数据管理局工作")
        );
        assert_eq!(fold_radicals("⼀⼆⾏⼈").as_deref(), Some("一二行人"));
        assert_eq!(fold_radicals("政府信息公开"), None);
        assert_eq!(fold_radical('\u{2FD5}'), '龠');
    }

    #[test]
    fn figures_with_full_width_digits() {
        assert_eq!(parse_digits("５５"), Some(55));
        assert_eq!(parse_digits("3119"), Some(3119));
        assert_eq!(parse_digits("２０２３"), Some(2023));
        assert_eq!(parse_digits(""), None);
        assert_eq!(parse_digits("5件"), None);
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("-4-"));
        assert!(is_page_number("— 12 —"));
        assert!(is_page_number("第 3 页 共 6 页"));
        assert!(!is_page_number("447228"));
        assert!(!is_page_number("0"));
    }
}
