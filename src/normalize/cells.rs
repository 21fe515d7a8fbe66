//! What a table cell holds: a number, a not-applicable mark, text, or something unreadable.

use super::text::{fold_width, is_ideograph, remove_junk};
use crate::model::{is_figure, is_not_applicable};

#[derive(Debug, Clone, PartialEq)]
pub enum CellKind {
    Empty,
    /// A number; `repaired` says which OCR confusion was undone (`O`→`0`, `l`→`1`).
    Number {
        value: f64,
        repaired: Option<String>,
    },
    NotApplicable,
    /// Neither a number nor words: a value OCR could not read.
    Unreadable(String),
    Text(String),
}

impl CellKind {
    pub fn is_empty(&self) -> bool {
        *self == CellKind::Empty
    }
}

/// Closing brackets and quotes, and the commas and stops a line may be left holding when
/// an extractor breaks text at every styled run: a cell of these alone is no value.
fn is_stray_punctuation(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(
            c,
            ')' | '）'
                | ']'
                | '】'
                | '”'
                | '’'
                | '"'
                | '\''
                | '」'
                | '』'
                | '》'
                | '〉'
                | '，'
                | ','
                | '。'
                | '、'
                | '；'
                | ';'
                | '：'
                | ':'
        )
    })
}

/// The most significant digits a figure may have: what an `f64` holds exactly (15), so a
/// figure read is the figure printed.
pub const MAX_SIGNIFICANT_DIGITS: usize = 15;

/// The units a count or the fee may carry in its cell (`0万元`, `96,171.6万元`, `12件`).
/// `元` alone is not one: in a column of 万元 a figure in 元 would be ten thousand times off.
const UNITS: [&str; 6] = ["万元", "件", "个", "条", "项", "次"];

/// Words and arrows a change is written with before its figure (`↑2`, `增加2`, `减少1`), and
/// whether they make it negative. `▲` is not one: it is nianbao's own doubt mark.
const CHANGE_MARKS: [(&str, bool); 9] = [
    ("↑", false),
    ("↓", true),
    ("增加", false),
    ("减少", true),
    ("上升", false),
    ("下降", true),
    ("新增", false),
    ("增", false),
    ("减", true),
];

/// Classifies one cell's text. A number may carry a unit (`0万元`), thousands separators
/// (`1,234`), full-width digits (`１２３`), a sign set apart from it (`+ 14`, `- 2`) or
/// written as an arrow or a word (`↓1`, `增加2`, `减少1`);
/// a cell holding only a stray `)` or `”` is empty.
pub fn classify(raw: &str) -> CellKind {
    let cleaned = remove_junk(raw);
    // A doubt mark of nianbao's own print outputs (`22▲`, `※`) is not part of the value; the
    // table it stands in is reported as marked (normalize: `marked_doubtful`).
    let s = crate::diag::marks::strip(cleaned.trim());
    if s.is_empty() || is_stray_punctuation(s) {
        return CellKind::Empty;
    }
    if is_not_applicable(s) {
        return CellKind::NotApplicable;
    }
    if let Some((value, repaired)) = parse_number(s) {
        return CellKind::Number { value, repaired };
    }
    // The numeral zero (`〇`; `○` as OCR and typists give it). `无` and `零` in a table's
    // cell are zero too, but alone on a line they are prose (`六、…` / `无`): see
    // `align::zero_word`.
    if matches!(s, "〇" | "○") {
        return CellKind::Number {
            value: 0.0,
            repaired: None,
        };
    }
    // A sign set apart from its figure: `+ 14`, `- 2`, `－ 3`.
    if let Some(rest) = s.strip_prefix(['+', '-', '＋', '－'])
        && rest.starts_with(char::is_whitespace)
        && let Some((value, repaired)) = parse_number(rest.trim_start())
        && !rest.trim_start().starts_with(['+', '-', '＋', '－'])
    {
        let negative = s.starts_with(['-', '－']);
        return CellKind::Number {
            value: if negative { -value } else { value },
            repaired,
        };
    }
    // A change written with an arrow or a word (the 2019 form's 本年增/减: `↑2`, `减少1`).
    if let Some((negative, rest)) = CHANGE_MARKS
        .iter()
        .find_map(|(mark, negative)| s.strip_prefix(mark).map(|rest| (*negative, rest.trim_start())))
        && rest.starts_with(|c: char| fold_width(c).is_ascii_digit())
        && let CellKind::Number { value, repaired } = classify(rest)
    {
        return CellKind::Number {
            value: if negative { -value } else { value },
            repaired,
        };
    }
    if let Some(figure) = UNITS.iter().find_map(|u| s.strip_suffix(u))
        && let Some((value, repaired)) = parse_number(figure.trim_end())
        && figure
            .trim_end()
            .chars()
            .last()
            .is_some_and(|c| fold_width(c).is_ascii_digit())
    {
        return CellKind::Number { value, repaired };
    }
    // A figure with a note in brackets after it (`180（人次）`, `3001（其中网上申请2750件）`): the
    // figure is the cell's value, the note says what it counts.
    if let Some(open) = s.find(['（', '('])
        && open > 0
        && let Some(inner) = s[open..]
            .strip_prefix(['（', '('])
            .and_then(|rest| rest.strip_suffix(['）', ')']))
        && !inner.contains(['（', '(', '）', ')'])
        && let CellKind::Number { value, repaired } = classify(&s[..open])
    {
        return CellKind::Number { value, repaired };
    }
    let has_words =
        s.chars().any(is_ideograph) || s.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w.len() >= 3);
    if has_words {
        CellKind::Text(s.to_string())
    } else {
        CellKind::Unreadable(s.to_string())
    }
}

/// Parses a number as OCR leaves it: full-width digits, thousands separators, `O` for `0`,
/// `l` or `I` for `1`. Returns the value and, when letters were read as digits, a note.
pub fn parse_number(s: &str) -> Option<(f64, Option<String>)> {
    let folded: String = s.chars().map(fold_width).collect();
    if folded.chars().any(char::is_whitespace) {
        return None;
    }
    let mut repaired = false;
    let mut out = String::with_capacity(folded.len());
    for (i, c) in folded.chars().enumerate() {
        let d = match c {
            '0'..='9' | '.' => c,
            '-' | '+' if i == 0 => c,
            // Full-width signs fold to ASCII above; `－` (U+FF0D) among them.
            'O' | 'o' => {
                repaired = true;
                '0'
            }
            'l' | 'I' | '|' | 'i' => {
                repaired = true;
                '1'
            }
            '。' | '·' => '.',
            ',' | '，' => continue,
            _ => return None,
        };
        out.push(d);
    }
    // A repair needs at least one real digit, or a single confused character.
    let digits = out.chars().filter(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    if repaired && folded.chars().count() > 1 && !folded.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if folded.contains([',', '，']) && !thousands_grouped(&folded) {
        return None;
    }
    if out.matches('.').count() > 1 || out.ends_with('.') || out.starts_with('.') {
        return None;
    }
    let int = out.trim_start_matches(['-', '+']);
    let significant = int
        .trim_start_matches(['0', '.'])
        .trim_end_matches(|c| c == '0' && int.contains('.'));
    if significant.chars().filter(char::is_ascii_digit).count() > MAX_SIGNIFICANT_DIGITS {
        return None;
    }
    let value: f64 = out.parse().ok().filter(|v| is_figure(*v))?;
    let note = repaired.then(|| format!("{s} → {out}"));
    Some((value, note))
}

fn thousands_grouped(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split([',', '，']).collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].trim_start_matches(['-', '+']).len())
        && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<f64> {
        match classify(s) {
            CellKind::Number { value, .. } => Some(value),
            _ => None,
        }
    }

    #[test]
    fn numbers_as_ocr_leaves_them() {
        assert_eq!(num("0"), Some(0.0));
        assert_eq!(num("１２３"), Some(123.0));
        assert_eq!(num("1O5"), Some(105.0));
        assert_eq!(num("O"), Some(0.0));
        assert_eq!(num("l"), Some(1.0));
        assert_eq!(num("3,985,758"), Some(3985758.0));
        assert_eq!(num("96171.6"), Some(96171.6));
        assert_eq!(num("0.0000"), Some(0.0));
        assert_eq!(num("-3"), Some(-3.0));
        assert_eq!(num("1,2"), None);
        assert_eq!(num("1."), None);
    }

    #[test]
    fn a_change_written_with_an_arrow_or_a_word_is_signed() {
        assert_eq!(num("↓1"), Some(-1.0));
        assert_eq!(num("↑ 2"), Some(2.0));
        assert_eq!(num("减少1"), Some(-1.0));
        assert_eq!(num("增加12项"), Some(12.0));
        assert_eq!(num("减少"), None);
        assert_eq!(num("增加了很多"), None);
        assert_eq!(num("增-1"), None);
    }

    #[test]
    fn the_numeral_zero_is_zero() {
        assert_eq!(num("〇"), Some(0.0));
        assert_eq!(num("180（人次）"), Some(180.0));
        assert_eq!(num("3001（其中网上申请2750件）"), Some(3001.0));
        assert_eq!(num("（一）"), None);
        assert_eq!(num("1(2)(3)"), None);
        assert_eq!(num("○"), Some(0.0));
        assert_eq!(num("无"), None);
    }

    #[test]
    fn doubt_marks_of_our_own_outputs_are_not_part_of_the_value() {
        assert!(matches!(classify("22▲"), CellKind::Number { value, .. } if value == 22.0));
        assert!(matches!(classify("7※▲"), CellKind::Number { value, .. } if value == 7.0));
        assert_eq!(classify("※"), CellKind::Empty);
    }

    #[test]
    fn a_figure_beyond_the_budget_is_no_number() {
        assert_eq!(num("1000000000000"), Some(1e12));
        assert_eq!(num("1,000,000,000,000"), Some(1e12));
        assert_eq!(num("0.000000000000001"), Some(1e-15));
        assert_eq!(num("100.000000000000000000"), Some(100.0));
        assert_eq!(num("1000000000001"), None);
        assert_eq!(num("1.0000000000000001"), None);
        let long = "9".repeat(400);
        assert!(matches!(classify(&long), CellKind::Unreadable(_)));
        assert!(matches!(classify(&"１".repeat(1000)), CellKind::Unreadable(_)));
        assert!(!is_figure(f64::INFINITY) && !is_figure(f64::NAN) && is_figure(-3.0));
    }

    #[test]
    fn units_separators_full_width_and_signs_apart() {
        assert_eq!(num("0万元"), Some(0.0));
        assert_eq!(num("96,171.6万元"), Some(96171.6));
        assert_eq!(num("356.8万元"), Some(356.8));
        assert_eq!(num("1,234"), Some(1234.0));
        assert_eq!(num("３,５２０"), Some(3520.0));
        assert_eq!(num("２０２３"), Some(2023.0));
        assert_eq!(num("+ 14"), Some(14.0));
        assert_eq!(num("- 2"), Some(-2.0));
        assert_eq!(num("－ 3"), Some(-3.0));
        assert_eq!(num("+15"), Some(15.0));
        // A figure in 元 is not taken for one in 万元; words before a unit are no figure.
        assert_eq!(num("251000元"), None);
        assert_eq!(num("万元"), None);
        assert!(matches!(classify("约5万元"), CellKind::Text(_)));
        assert_eq!(num("- - 2"), None);
    }

    #[test]
    fn stray_brackets_and_quotes_are_no_value() {
        assert_eq!(classify(")"), CellKind::Empty);
        assert_eq!(classify("”"), CellKind::Empty);
        assert_eq!(classify("）"), CellKind::Empty);
        assert_eq!(classify(" ) "), CellKind::Empty);
        assert!(matches!(classify("?"), CellKind::Unreadable(_)));
    }

    #[test]
    fn marks_text_and_junk() {
        assert_eq!(classify("/"), CellKind::NotApplicable);
        assert_eq!(classify("—"), CellKind::NotApplicable);
        assert_eq!(classify("†"), CellKind::Empty);
        assert!(matches!(classify("1.属于国家秘密"), CellKind::Text(_)));
        assert!(matches!(
            classify("Ol"),
            CellKind::Text(_) | CellKind::Unreadable(_)
        ));
        assert!(matches!(classify("4± HI"), CellKind::Unreadable(_)));
        assert!(matches!(classify("?"), CellKind::Unreadable(_)));
    }
}
