//! Text: glyph lookup with font fallback, measuring by advance widths, and Chinese line
//! breaking (禁则: no closing punctuation at a line start, no opening one at a line end;
//! numbers, Latin words, URLs and `2023年` kept whole).

use std::ops::Range;

use crate::fonts::FontSet;

/// One character with the face drawing it and its advance in em.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub face: usize,
    pub advance: f64,
}

/// Characters no face could draw, in order of appearance.
#[derive(Debug, Default, Clone)]
pub struct Missing(pub Vec<char>);

/// Looks up each character of `text` for the face `role`, falling back to the fallback face.
pub fn shape(fonts: &FontSet, role: usize, text: &str, missing: &mut Missing) -> Vec<Glyph> {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|ch| match fonts.face_for(role, ch) {
            Some((face, advance)) => Glyph { ch, face, advance },
            None => {
                if !missing.0.contains(&ch) {
                    missing.0.push(ch);
                }
                Glyph {
                    ch,
                    face: role,
                    advance: 1.0,
                }
            }
        })
        .collect()
}

/// Characters that may not begin a line.
pub fn no_line_start(c: char) -> bool {
    "，。、；：？！）」』”’》〉】〕…—·,.;:?!)]}%％".contains(c)
}

/// Characters that may not end a line.
pub fn no_line_end(c: char) -> bool {
    "（「『“‘《〈【〔([{".contains(c)
}

/// Characters of a word kept whole: digits, Latin letters, and what URLs and numbers carry.
fn wordish(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "./:_-%@?=&#+~,".contains(c)
        || ('０'..='９').contains(&c)
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

/// Where a justified line may take extra space: after glyph `i` unless it and the next are
/// of one word or number (`2023`, `OpenOffice`, a URL), which stay tight.
pub fn stretchable(chars: &[char]) -> Vec<bool> {
    (0..chars.len())
        .map(|i| match chars.get(i + 1) {
            Some(&next) => !(wordish(chars[i]) && wordish(next)),
            None => false,
        })
        .collect()
}

/// Units binding to a preceding number (`2023年`, `12月`, `5件`).
fn unit_after_number(c: char) -> bool {
    "年月日时件个项次条人元万亿份家".contains(c)
}

/// The unbreakable pieces of `chars`: ranges between which a line may break.
pub fn atoms(chars: &[char]) -> Vec<Range<usize>> {
    let mut atoms: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_ascii_alphanumeric() || ('０'..='９').contains(&c) {
            i += 1;
            while i < chars.len() && wordish(chars[i]) {
                i += 1;
            }
            // Trailing sentence punctuation is not part of the word.
            while i > start + 1 && ".,:;?".contains(chars[i - 1]) {
                i -= 1;
            }
            if i < chars.len() && unit_after_number(chars[i]) && chars[i - 1].is_ascii_digit() {
                i += 1;
            }
        } else {
            i += 1;
        }
        atoms.push(start..i);
    }
    // 禁则: glue closing punctuation to what precedes it, opening punctuation to what follows.
    let mut merged: Vec<Range<usize>> = Vec::new();
    for a in atoms {
        let first = chars[a.start];
        if let Some(prev) = merged.last_mut()
            && (no_line_start(first) || no_line_end(chars[prev.end - 1]))
            && !chars[prev.end - 1].is_whitespace()
        {
            prev.end = a.end;
            continue;
        }
        merged.push(a);
    }
    merged
}

/// Breaks a line of characters of the given widths into lines no wider than `width`
/// (the first `first_indent` narrower). Returns the character ranges of the lines, without
/// the spaces at their ends.
pub fn break_lines(chars: &[char], widths: &[f64], width: f64, first_indent: f64) -> Vec<Range<usize>> {
    break_lines_squeezed(chars, widths, &[], width, first_indent)
}

/// Punctuation set in half its width where a line needs it (标点挤压): how much of an em
/// the gap after each character may give up. A closing mark's ink is in its left half, an
/// opening mark's in its right half.
pub fn squeeze(chars: &[char]) -> Vec<f64> {
    let closing = |c: char| "，。、）」』”’》〉】〕".contains(c);
    let opening = |c: char| "（「『“‘《〈【〔".contains(c);
    (0..chars.len())
        .map(|i| match chars.get(i + 1) {
            Some(&next) if closing(chars[i]) || opening(next) => 0.5,
            _ => 0.0,
        })
        .collect()
}

/// [`break_lines`], letting a line run over by as much as squeezing the gaps inside it
/// (`squeeze[i]` points after character `i`) gains back.
pub fn break_lines_squeezed(
    chars: &[char],
    widths: &[f64],
    squeeze: &[f64],
    width: f64,
    first_indent: f64,
) -> Vec<Range<usize>> {
    let mut prefix = vec![0.0; chars.len() + 1];
    for i in 0..chars.len() {
        prefix[i + 1] = prefix[i] + squeeze.get(i).copied().unwrap_or(0.0);
    }
    // What the gaps inside `s..e` may give up.
    let give = |s: usize, e: usize| if e > s + 1 { prefix[e - 1] - prefix[s] } else { 0.0 };
    let atoms = atoms(chars);
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut start: Option<usize> = None;
    let mut used = 0.0;
    let avail = |lines: &Vec<Range<usize>>| {
        if lines.is_empty() {
            width - first_indent
        } else {
            width
        }
    };
    let eps = 1e-6;
    for a in atoms {
        let w: f64 = widths[a.clone()].iter().sum();
        let is_space = chars[a.clone()].iter().all(|c| c.is_whitespace());
        // Squeezing is for lines that would otherwise be left loose by a character and a
        // half or more, not for taking in one more character.
        let slack = avail(&lines) - used;
        let squeezable = |s: usize| {
            let em = widths[s..a.end].iter().copied().fold(0.0, f64::max);
            slack >= 1.5 * em && used + w <= avail(&lines) + give(s, a.end) + eps
        };
        if let Some(s) = start
            && used + w > avail(&lines) + eps
            && !squeezable(s)
            && !is_space
        {
            lines.push(s..a.start);
            start = None;
            used = 0.0;
        }
        if start.is_none() {
            if is_space {
                continue;
            }
            // An atom wider than a whole line is split where it must.
            if w > avail(&lines) + eps {
                let mut s = a.start;
                let mut u = 0.0;
                for k in a.clone() {
                    if u + widths[k] > avail(&lines) + eps && k > s {
                        lines.push(s..k);
                        s = k;
                        u = 0.0;
                    }
                    u += widths[k];
                }
                start = Some(s);
                used = u;
                continue;
            }
            start = Some(a.start);
        }
        used += w;
    }
    if let Some(s) = start {
        lines.push(s..chars.len());
    }
    // No line ends with spaces.
    for l in &mut lines {
        while l.end > l.start && chars[l.end - 1].is_whitespace() {
            l.end -= 1;
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let widths: Vec<f64> = chars
            .iter()
            .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
            .collect();
        break_lines(&chars, &widths, width as f64, 0.0)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let l = lines("一二三四五，六七八九十。", 5);
        assert!(
            l.iter().all(|x| !no_line_start(x.chars().next().unwrap())),
            "{l:?}"
        );
        assert_eq!(l[0], "一二三四");
        assert_eq!(l[1], "五，六七八");
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let l = lines("一二三四（五六）七八", 5);
        assert!(l.iter().all(|x| !no_line_end(x.chars().last().unwrap())), "{l:?}");
        assert_eq!(l[0], "一二三四");
        assert!(l[1].starts_with('（'));
    }

    #[test]
    fn numbers_and_years_stay_whole() {
        let l = lines("一二三四2023年五六", 6);
        assert!(l.iter().any(|x| x.contains("2023年")), "{l:?}");
        let l = lines("共收到申请12345件", 7);
        assert!(l.iter().any(|x| x.contains("12345件")), "{l:?}");
    }

    #[test]
    fn latin_words_and_urls_stay_whole() {
        let l = lines("网址http://www.gov.cn/a.html查询", 12);
        assert!(l.iter().any(|x| x.contains("http://www.gov.cn/a.html")), "{l:?}");
        let l = lines("使用OpenOffice软件", 6);
        assert!(l.iter().any(|x| x.contains("OpenOffice")), "{l:?}");
    }

    #[test]
    fn an_overlong_word_is_split_to_fit() {
        let l = lines("http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 4);
        let chars_of = |s: &String| s.chars().count();
        assert!(l.iter().all(|x| chars_of(x) <= 8), "{l:?}");
        assert_eq!(l.concat(), "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    }

    #[test]
    fn first_line_indent_narrows_the_first_line() {
        let chars: Vec<char> = "一二三四五六七八".chars().collect();
        let w = vec![1.0; chars.len()];
        let l = break_lines(&chars, &w, 4.0, 2.0);
        assert_eq!(l, vec![0..2, 2..6, 6..8]);
    }

    #[test]
    fn nothing_is_lost() {
        let text = "（一）主动公开。2023年，本机关主动公开政府信息1234条，详见http://x.gov.cn。";
        for width in 3..20 {
            assert_eq!(lines(text, width).concat(), text);
        }
    }
}

#[cfg(test)]
mod squeeze_tests {
    use super::*;

    #[test]
    fn squeezed_punctuation_lets_a_line_keep_its_last_character() {
        // Five characters and a comma in a line of five: without squeezing, 五， goes down.
        let chars: Vec<char> = "一二三四五，六七".chars().collect();
        let widths = vec![1.0; chars.len()];
        let plain = break_lines(&chars, &widths, 5.0, 0.0);
        assert_eq!(plain[0], 0..4);
        // The comma's half em inside the line (before 六) is not enough: it is at the end.
        let sq: Vec<f64> = squeeze(&chars).iter().map(|q| q * 1.0).collect();
        let l = break_lines_squeezed(&chars, &widths, &sq, 5.0, 0.0);
        assert_eq!(l[0], 0..4);
        // A number that would leave the line two characters short comes in when the commas
        // inside the line give back enough.
        let chars: Vec<char> = "一，二，三2024四".chars().collect();
        let widths: Vec<f64> = chars
            .iter()
            .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
            .collect();
        let sq: Vec<f64> = squeeze(&chars).iter().map(|q| q * 1.0).collect();
        assert_eq!(break_lines(&chars, &widths, 6.5, 0.0)[0], 0..5);
        let l = break_lines_squeezed(&chars, &widths, &sq, 6.5, 0.0);
        assert_eq!(l[0], 0..9, "{l:?}");
        // But no squeezing to take in just one more character.
        let chars: Vec<char> = "一，二，三四五六".chars().collect();
        let widths = vec![1.0; chars.len()];
        let sq: Vec<f64> = squeeze(&chars).iter().map(|q| q * 1.0).collect();
        assert_eq!(break_lines_squeezed(&chars, &widths, &sq, 6.0, 0.0)[0], 0..6);
    }
}
