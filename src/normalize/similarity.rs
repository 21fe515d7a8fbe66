//! How alike a label read from a report is to an official label.

use super::text::{Ordinal, leading_ordinal, squash};

/// Length of the longest common subsequence of two character slices.
pub fn lcs(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A label split into its enumerator and its squashed words.
#[derive(Debug, Clone)]
pub struct Label {
    pub ordinal: Option<Ordinal>,
    pub core: Vec<char>,
}

impl Label {
    pub fn new(text: &str) -> Label {
        let (ordinal, rest) = match leading_ordinal(text) {
            Some((o, end)) => (Some(o), &text[end..]),
            None => (None, text),
        };
        Label {
            ordinal,
            core: squash(rest).chars().collect(),
        }
    }
}

/// How much of the official label `form` the text `read` covers, in 0..=1, with a little
/// weight on how much of `read` is extra: `read` may carry a group label or the tail of
/// the label above it, so extra text costs less than missing text.
pub fn coverage(form: &Label, read: &[char]) -> f64 {
    if form.core.is_empty() {
        return 0.0;
    }
    let common = lcs(&form.core, read) as f64;
    let recall = common / form.core.len() as f64;
    let precision = if read.is_empty() {
        0.0
    } else {
        common / read.len() as f64
    };
    recall * 0.85 + precision * 0.15
}

/// Symmetric similarity for headings: common characters over the longer length.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = squash(a).chars().collect();
    let b: Vec<char> = squash(b).chars().collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    lcs(&a, &b) as f64 / longest as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cov(form: &str, read: &str) -> f64 {
        coverage(&Label::new(form), &squash(read).chars().collect::<Vec<_>>())
    }

    #[test]
    fn ocr_variants_still_match() {
        assert!(cov("（七）总计", "(七)总记") > 0.4);
        assert!(cov("（四）无法提供", "(四) 无 法提供") > 0.95);
        assert!(cov("三、本年度办理结果", "三、本年理结果") > 0.7);
        assert!(cov("本年废止件数", "本年度止件数") > 0.7);
    }

    #[test]
    fn the_right_label_scores_highest() {
        let read = "一、本年新收政府信息公开申请数量";
        assert!(
            cov("一、本年新收政府信息公开申请数量", read) > cov("二、上年结转政府信息公开申请数量", read)
        );
        let read = "3.其他";
        assert!(cov("3.其他", read) > cov("2.其他法律行政法规禁止公开", read));
    }
}
