//! What a table cell holds: a number, a not-applicable mark, text, or something unreadable.

use super::text::{fold_width, is_ideograph, remove_junk};

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

/// The marks that mean "not applicable".
pub fn is_not_applicable(s: &str) -> bool {
    matches!(s.trim(), "/" | "／" | "-" | "－" | "—" | "——" | "–" | "\\")
}

/// Classifies one cell's text.
pub fn classify(raw: &str) -> CellKind {
    let cleaned = remove_junk(raw);
    let s = cleaned.trim();
    if s.is_empty() {
        return CellKind::Empty;
    }
    if is_not_applicable(s) {
        return CellKind::NotApplicable;
    }
    if let Some((value, repaired)) = parse_number(s) {
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
    let value: f64 = out.parse().ok()?;
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
