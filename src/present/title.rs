//! The title as printed: what a report without one is called, and where a long title breaks
//! into lines. One rule for every output, so the PDF, the DOCX and the Markdown show the same
//! title lines (they broke it by two rules before, and only the PDF made one up).
//!
//! GB/T 9704 (7.3.3) asks a title broken over lines to keep each word whole, in a balanced
//! shape. Published reports break theirs between the issuing body and the report's name with
//! its year: the Huai'an report prints `淮安市人民政府` / `2024年政府信息公开工作年度报告`.
//!
//! Widths are estimated, not measured (the fonts stand beside this module, not below it): a
//! CJK character or full-width sign one em, an ASCII digit half an em, another ASCII
//! character 0.6 em, a little more than the faces give, so a line judged to fit does. A line
//! the layout still finds too wide it breaks again; none of the built-in style's titles does.

/// The name every report's title ends with; a report without a title is called by it.
pub const REPORT_NAME: &str = "政府信息公开工作年度报告";

/// The title of a report that has none: `{organization}{year}年政府信息公开工作年度报告`,
/// each part left out when unknown (at least `政府信息公开工作年度报告`). The same in every
/// output; the JSON keeps the report's own `title: null`.
pub fn made_up(organization: Option<&str>, year: Option<i32>) -> String {
    format!(
        "{}{}{REPORT_NAME}",
        organization.map(str::trim).unwrap_or(""),
        year.map(|y| format!("{y}年")).unwrap_or_default()
    )
}

/// A character's estimated advance, in em.
fn advance(c: char) -> f64 {
    match c {
        '0'..='9' => 0.5,
        c if c.is_ascii() => 0.6,
        _ => 1.0,
    }
}

/// Signs a line does not begin with.
const NO_LINE_START: &str = "，。、：；！？）》」』”’,.:;!?)]";
/// Signs a line does not end with.
const NO_LINE_END: &str = "（《「『“‘([";

/// The lines of `title` on a line `width_em` ems wide (the text block's width over the title
/// element's size). Never empty for a title with any text; each line trimmed.
///
/// In order:
/// 1. a title that carries line breaks keeps them;
/// 2. one that fits is one line;
/// 3. two lines between the body and the report's name: before `关于`, else before the year
///    of the name (`淮安市人民政府` / `2024年政府信息公开工作年度报告`), when both fit;
/// 4. else two lines after the year or before `政府信息公开`, the more even that fits;
/// 5. else as many lines as it takes, of about equal width, broken where neither a word of
///    Latin letters or digits nor a sign's place (no `，` first, no `（` last) is cut.
///
/// Linear in the title: widths come from prefix sums and each place is tested by a short
/// slice compare (the layout's earlier rule took 11 s on a 100,000-character title before it
/// was made so).
pub fn lines(title: &str, width_em: f64) -> Vec<String> {
    const EPS: f64 = 1e-6;
    let title = title.trim();
    if title.is_empty() {
        return Vec::new();
    }
    if title.contains('\n') {
        return title
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
    }
    let chars: Vec<char> = title.chars().collect();
    let n = chars.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &c in &chars {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + advance(c));
    }
    let total = prefix[n];
    if total <= width_em + EPS || n < 2 {
        return vec![title.to_string()];
    }
    let cut = |at: &[usize]| -> Vec<String> {
        let mut out = Vec::with_capacity(at.len() + 1);
        let mut start = 0;
        for &i in at.iter().chain(std::iter::once(&n)) {
            let line: String = chars[start..i].iter().collect();
            let line = line.trim();
            if !line.is_empty() {
                out.push(line.to_string());
            }
            start = i;
        }
        out
    };
    let fits = |i: usize| prefix[i] <= width_em + EPS && total - prefix[i] <= width_em + EPS;
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    // `2024年` starting at `i`: four digits and 年, no digit before.
    let year_at =
        |i: usize| i > 0 && !digit(i - 1) && (i..i + 4).all(digit) && chars.get(i + 4) == Some(&'年');

    // 3. Between the body and the report's name.
    if let Some(i) = (1..n)
        .filter(|&i| chars[i..].starts_with(&['关', '于']) || year_at(i))
        .find(|&i| fits(i))
    {
        return cut(&[i]);
    }
    // 4. After the year, or before the subject.
    const SUBJECT: [char; 6] = ['政', '府', '信', '息', '公', '开'];
    let gap = |i: usize| (prefix[i] - (total - prefix[i])).abs();
    if let Some(i) = (1..n)
        .filter(|&i| (chars[i - 1] == '年' && i >= 2 && digit(i - 2)) || chars[i..].starts_with(&SUBJECT))
        .filter(|&i| fits(i))
        .min_by(|&a, &b| gap(a).total_cmp(&gap(b)))
    {
        return cut(&[i]);
    }
    // 5. Lines of about equal width.
    let breakable = |i: usize| {
        let (a, b) = (chars[i - 1], chars[i]);
        let inside_word = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
        !(inside_word || NO_LINE_START.contains(b) || NO_LINE_END.contains(a))
    };
    let count = (total / width_em.max(1.0)).ceil().max(2.0);
    let target = total / count;
    let mut at = Vec::new();
    let mut start = 0;
    while total - prefix[start] > width_em + EPS {
        let goal = prefix[start] + target;
        let mut best: Option<usize> = None;
        let mut last = start + 1;
        let mut i = start + 1;
        while i < n && prefix[i] - prefix[start] <= width_em + EPS {
            last = i;
            if breakable(i) && best.is_none_or(|b| (prefix[i] - goal).abs() <= (prefix[b] - goal).abs()) {
                best = Some(i);
            }
            i += 1;
        }
        // Nowhere to break within the line (a run of Latin letters): cut where it is full.
        let end = best.unwrap_or(last).max(start + 1);
        if end >= n {
            break;
        }
        at.push(end);
        start = end;
    }
    cut(&at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in style: a 156 mm text block of 22 pt title text.
    const WIDTH: f64 = 156.0 * 72.0 / 25.4 / 22.0;

    #[test]
    fn a_title_breaks_between_the_body_and_the_name_with_its_year() {
        assert_eq!(
            lines("淮安市人民政府2024年政府信息公开工作年度报告", WIDTH),
            ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
        );
        assert_eq!(
            lines("登封市人民政府办公室2023年政府信息公开工作年度报告", WIDTH),
            ["登封市人民政府办公室", "2023年政府信息公开工作年度报告"]
        );
        assert_eq!(
            lines("某某县人民政府关于2023年政府信息公开工作年度报告的说明", WIDTH),
            ["某某县人民政府", "关于2023年政府信息公开工作年度报告的说明"]
        );
        assert_eq!(
            lines("某局2024年政府信息公开工作年度报告", WIDTH),
            ["某局2024年政府信息公开工作年度报告"]
        );
        assert_eq!(lines("  甲\n乙 \n\n", WIDTH), ["甲", "乙"]);
        assert!(lines("  ", WIDTH).is_empty());
    }

    #[test]
    fn without_the_year_before_the_name_a_title_breaks_after_its_year_or_before_the_subject() {
        // Year first: `2023年某某县人民政府` / `政府信息公开…` is more even than after the year.
        assert_eq!(
            lines("2023年某某县人民政府政府信息公开工作年度报告", WIDTH),
            ["2023年某某县人民政府", "政府信息公开工作年度报告"]
        );
        let long = format!("{}政府信息公开工作年度报告", "某".repeat(17));
        assert_eq!(
            lines(&long, WIDTH),
            [&"某".repeat(17)[..], "政府信息公开工作年度报告"]
        );
    }

    #[test]
    fn a_title_of_many_lines_is_balanced_and_keeps_words_and_signs_in_place() {
        let title = format!("某某县人民政府2023年政府信息公开工作年度报告{}", "附".repeat(275));
        let got = lines(&title, WIDTH);
        assert_eq!(got.concat(), title);
        assert!(got.len() >= 15, "{}", got.len());
        for l in &got {
            let w: f64 = l.chars().map(advance).sum();
            assert!(w <= WIDTH + 1e-6, "{l}");
        }
        let got = lines(
            &format!("{}，ABCDEFGH{}", "某".repeat(19), "某".repeat(10)),
            WIDTH,
        );
        assert!(got.iter().all(|l| !l.starts_with('，')), "{got:?}");
        assert!(got.iter().any(|l| l.contains("ABCDEFGH")), "{got:?}");
    }

    #[test]
    fn a_missing_title_is_made_from_the_body_and_year() {
        assert_eq!(
            made_up(Some("某某县人民政府"), Some(2023)),
            "某某县人民政府2023年政府信息公开工作年度报告"
        );
        assert_eq!(made_up(None, None), REPORT_NAME);
    }

    /// Linear: 300,000 characters in well under a second even in a debug build.
    #[test]
    fn title_breaking_is_linear() {
        let unit: Vec<char> = "某某县人民政府2023年政府信息公开工作年度报告".chars().collect();
        for n in [30_000, 100_000, 300_000] {
            let title: String = unit.iter().copied().cycle().take(n).collect();
            let start = std::time::Instant::now();
            let got = lines(&title, WIDTH);
            assert_eq!(got.concat().chars().count(), n);
            assert!(
                start.elapsed() < std::time::Duration::from_secs(10),
                "{n}: {:?}",
                start.elapsed()
            );
        }
    }
}
