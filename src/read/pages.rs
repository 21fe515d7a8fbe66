//! Page numbers printed as a bare figure at a page's foot (`4`), which text extraction puts
//! among the report's lines: under a table's last row they read as part of its value
//! (`96171.6` / `4` taken for `96171.64`). A figure alone on a page's last line is a page
//! number when the pages' figures count up with the pages.

/// The last line of each page, in page order: `Some(figure)` when that line is a bare
/// whole number of at most four digits, else `None`. Returns, for each page, whether that
/// figure is the page's number: the figures that keep one offset from their page's index
/// (`figure - index`) on two pages or more. A figure on one page alone says nothing: a
/// value wrapped onto the page's last line looks the same.
pub fn page_numbers(last_lines: &[Option<u32>]) -> Vec<bool> {
    let offsets: Vec<Option<i64>> = last_lines
        .iter()
        .enumerate()
        .map(|(i, v)| v.map(|v| i64::from(v) - i as i64))
        .collect();
    let mut counts: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for d in offsets.iter().flatten() {
        *counts.entry(*d).or_default() += 1;
    }
    let best = counts
        .iter()
        .max_by_key(|(d, n)| (**n, -**d))
        .map(|(d, n)| (*d, *n));
    offsets
        .iter()
        .map(|d| match (d, best) {
            (Some(d), Some((b, n))) => *d == b && n >= 2,
            _ => false,
        })
        .collect()
}

/// A line that is a bare whole number of at most four digits (`4`, ` 12 `).
pub fn bare_figure(line: &str) -> Option<u32> {
    let t = line.trim();
    (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_that_count_up_with_the_pages_are_page_numbers() {
        assert_eq!(
            page_numbers(&[Some(1), None, Some(3), Some(4)]),
            [true, false, true, true]
        );
        // A report whose pages are numbered from the second sheet on.
        assert_eq!(page_numbers(&[None, Some(1), Some(2)]), [false, true, true]);
        // A figure on one page alone may be a value.
        assert_eq!(page_numbers(&[None, None, None, Some(4)]), [false; 4]);
        assert_eq!(page_numbers(&[Some(1)]), [false]);
        assert_eq!(bare_figure(" 12 "), Some(12));
        assert_eq!(bare_figure("96171.6"), None);
    }
}
