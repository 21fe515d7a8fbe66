//! The reader for plain text, OCR text and Markdown.

use super::limits::{Limits, Tally};
use super::{RawBlock, RawDoc};
use crate::error::Error;

/// Splits text into lines; a line with cell separators (tabs, runs of two or more spaces,
/// Markdown pipes) becomes a row of cells, any other line a text block. No limits: for text
/// the program itself holds; a file goes through [`read_limited`].
pub fn read(text: &str) -> RawDoc {
    let limits = Limits {
        max_rows: usize::MAX,
        max_row_cells: usize::MAX,
        max_cells: usize::MAX,
        max_blocks: usize::MAX,
        ..Limits::default()
    };
    read_limited(text, &mut Tally::new(&limits)).expect("no limit to pass")
}

/// [`read`], each line counted against the tally before its block is built: a row's cells
/// (counted on the line before it is split) against the row, cell and cell-per-row limits, a
/// text line against the block limit.
///
/// # Errors
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) past a limit.
pub fn read_limited(text: &str, tally: &mut Tally) -> Result<RawDoc, Error> {
    let mut blocks = Vec::new();
    let feet = page_feet(text);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if feet.contains(&i) {
            continue;
        }
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        if let Some(pipes) = pipe_count(trimmed) {
            // The row's width, checked before it is split.
            tally.cells(0, pipes + 1)?;
        }
        if let Some(cells) = pipe_cells(trimmed) {
            if !cells.iter().all(|c| is_separator_cell(c)) {
                tally.row(cells.len())?;
                blocks.push(RawBlock::Row {
                    line,
                    cells,
                    exact: true,
                });
            }
            continue;
        }
        if let Some((level, heading)) = markdown_heading(trimmed) {
            tally.block()?;
            blocks.push(RawBlock::Text {
                line,
                text: heading.to_string(),
                heading: Some(level),
            });
            continue;
        }
        // Comma-separated values: a line with no tab (`1,234,567.89` in a tab's cell is one
        // figure), and no wider than a row may be (else it is read as the text it is).
        if trimmed.contains(',')
            && !trimmed.contains('\t')
            && tally.cells(0, trimmed.matches(',').count() + 1).is_ok()
            && let Some(cells) = csv_cells(trimmed)
        {
            tally.row(cells.len())?;
            blocks.push(RawBlock::Row {
                line,
                cells,
                exact: false,
            });
            continue;
        }
        tally.cells(0, separators(raw) + 1)?;
        let cells = split_cells(raw);
        if cells.iter().filter(|c| !c.is_empty()).count() > 1 || raw.contains('\t') {
            tally.row(cells.len())?;
            blocks.push(RawBlock::Row {
                line,
                cells,
                exact: false,
            });
        } else {
            tally.block()?;
            blocks.push(RawBlock::Text {
                line,
                text: trimmed.to_string(),
                heading: None,
            });
        }
    }
    Ok(RawDoc {
        blocks,
        ..RawDoc::default()
    })
}

/// The lines (0-based) that are page numbers at a page's foot in text that marks its pages
/// with form feeds (`pdftotext`): see [`super::pages`].
fn page_feet(text: &str) -> std::collections::HashSet<usize> {
    if !text.contains('\u{c}') {
        return std::collections::HashSet::new();
    }
    // Per page: its last non-empty line.
    let lines: Vec<&str> = text.lines().collect();
    let mut last: Vec<Option<usize>> = vec![None];
    for (i, raw) in lines.iter().enumerate() {
        for (n, part) in raw.split('\u{c}').enumerate() {
            if n > 0 {
                last.push(None);
            }
            if !part.trim().is_empty()
                && let Some(page) = last.last_mut()
            {
                *page = Some(i);
            }
        }
    }
    let figures: Vec<Option<u32>> = last
        .iter()
        .map(|k| k.and_then(|k| super::pages::bare_figure(lines[k])))
        .collect();
    last.iter()
        .zip(super::pages::page_numbers(&figures))
        .filter_map(|(k, numbered)| k.filter(|_| numbered))
        .collect()
}

/// How many tabs and cell-splitting runs of spaces (two spaces or more, an ideographic space
/// counting two) a line holds: one more is the most cells [`split_cells`] can make of it,
/// counted without allocating.
fn separators(line: &str) -> usize {
    let mut count = 0;
    let mut run = 0;
    for c in line.chars().chain(std::iter::once('x')) {
        match c {
            ' ' => run += 1,
            '\u{3000}' => run += 2,
            _ => {
                if run >= 2 {
                    count += 1;
                }
                run = 0;
                if c == '\t' {
                    count += 1;
                }
            }
        }
    }
    count
}

/// The number of pipes when a line is a pipe row (see [`pipe_cells`]).
fn pipe_count(line: &str) -> Option<usize> {
    let pipes = line.matches('|').count();
    let edged = line.starts_with('|') || line.ends_with('|');
    (pipes > 0 && (edged || pipes >= 2)).then_some(pipes)
}

/// `## 一、总体情况` → (2, `一、总体情况`).
fn markdown_heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.starts_with([' ', '\u{3000}']) {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty()).then_some((hashes as u8, text))
}

/// Cells of a pipe row, or `None` when the line is not one: a Markdown row (`| a | b |`) or
/// a row copied from a rendered table (`a | b | c |`, with or without the leading pipe). A
/// line is a pipe row when it starts or ends with `|`, or holds two or more of them. Every
/// cell between two pipes is a grid position, so an empty one is a blank cell; the empty
/// text outside the outer pipes is no cell.
fn pipe_cells(line: &str) -> Option<Vec<String>> {
    let pipes = line.matches('|').count();
    let edged = line.starts_with('|') || line.ends_with('|');
    if pipes == 0 || (!edged && pipes < 2) {
        return None;
    }
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    if inner.trim().is_empty() {
        return None;
    }
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

/// The fields of a line of comma-separated values (a table pasted from a spreadsheet saved as
/// CSV: `规章,1,0,11`, `一、本年新收…,,,"3,001",53,…`), or `None` for any other line. A line is
/// such a row when it splits (RFC 4180 quoting) into three fields or more and either ends in
/// two figures or more after its label fields, or holds an empty field (`行政复议,,,,,行政诉讼`):
/// prose with ASCII commas has neither.
fn csv_cells(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            _ => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field.trim().to_string());
    if fields.len() < 3 {
        return None;
    }
    let figure = |f: &str| {
        let f = f.strip_prefix(['-', '+']).unwrap_or(f);
        f.starts_with(|c: char| c.is_ascii_digit())
            && f.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
            && f.matches('.').count() <= 1
    };
    // The label fields (some empty, under a spanned label) come first, then the figures.
    let last_label = fields.iter().rposition(|f| !f.is_empty() && !figure(f))?;
    let first_figure = fields.iter().position(|f| figure(f));
    let figures = fields.iter().filter(|f| figure(f)).count();
    // One figure is a row when empty fields show the spreadsheet's grid (`行政许可,1268,,`).
    let gridded = fields.iter().any(String::is_empty);
    let row = (figures >= 2 || (figures == 1 && gridded)) && first_figure.is_some_and(|k| k > last_label);
    let header = figures == 0 && fields.iter().any(String::is_empty);
    (row || header).then_some(fields)
}

fn is_separator_cell(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':' | ' '))
}

/// Splits on tabs and on runs of two or more spaces (ideographic spaces count double).
/// Empty cells between tabs are kept: a reader does not decide what they mean.
fn split_cells(line: &str) -> Vec<String> {
    let line = line.trim_end();
    let mut cells = Vec::new();
    for part in line.split('\t') {
        let mut current = String::new();
        let mut spaces = 0usize;
        for c in part.chars() {
            match c {
                ' ' => spaces += 1,
                '\u{3000}' => spaces += 2,
                _ => {
                    if spaces >= 2 && !current.is_empty() {
                        cells.push(std::mem::take(&mut current));
                    } else if spaces > 0 && !current.is_empty() {
                        current.push(' ');
                    }
                    spaces = 0;
                    current.push(c);
                }
            }
        }
        cells.push(current);
    }
    // Leading indentation is not a cell.
    while cells.len() > 1 && cells[0].is_empty() && !line.contains('\t') {
        cells.remove(0);
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_number_at_a_pages_foot_is_no_line_of_the_report() {
        let text = "正文一\n\n1\n\u{c}正文二\n行政事业性收费\n96171.6\n\n2\n\u{c}三、收到和处理\n3\n\u{c}";
        let doc = read(text);
        let texts = doc.texts();
        assert_eq!(
            texts,
            ["正文一", "正文二", "行政事业性收费", "96171.6", "三、收到和处理"]
        );
        // Without form feeds nothing says where a page ends: a lone figure stays.
        assert_eq!(read("行政事业性收费\n96171.6\n4\n").blocks.len(), 3);
    }

    #[test]
    fn comma_separated_rows_make_cells_and_prose_with_commas_does_not() {
        assert_eq!(
            csv_cells("一、本年新收政府信息公开申请数量,,,\"3,001\",53,0").unwrap(),
            ["一、本年新收政府信息公开申请数量", "", "", "3,001", "53", "0"]
        );
        assert_eq!(csv_cells("规章,1,0,11").unwrap(), ["规章", "1", "0", "11"]);
        assert!(csv_cells("行政复议,,,,,行政诉讼").is_some());
        assert_eq!(csv_cells(",,2.其他法律行政法规禁止公开,30,1,0").unwrap()[3], "30");
        assert_eq!(
            csv_cells("2023年,浉河区政府办公室主动公开信息774条,涉及要闻"),
            None
        );
        assert_eq!(csv_cells("共收到申请58件,其中自然人30件,法人28件"), None);
        assert_eq!(csv_cells("3,119"), None);
        assert_eq!(csv_cells("行政许可,1268,,").unwrap()[1], "1268");
        assert_eq!(csv_cells("共收到申请,58"), None);
    }

    #[test]
    fn tabs_spaces_and_pipes_make_cells() {
        let doc = read(
            "规章\t0\t0\t0\n规章    1    0   11\n| 规章 | 1 | 2 |\n|---|---|---|\n## 一、总体情况\n正文 一段",
        );
        assert_eq!(doc.blocks.len(), 5);
        match &doc.blocks[1] {
            RawBlock::Row { cells, line, .. } => {
                assert_eq!(cells, &["规章", "1", "0", "11"]);
                assert_eq!(*line, 2);
            }
            b => panic!("{b:?}"),
        }
        match &doc.blocks[2] {
            RawBlock::Row { cells, .. } => assert_eq!(cells, &["规章", "1", "2"]),
            b => panic!("{b:?}"),
        }
        assert!(matches!(&doc.blocks[3], RawBlock::Text { heading: Some(2), .. }));
        assert!(matches!(&doc.blocks[4], RawBlock::Text { heading: None, .. }));
    }

    #[test]
    fn tab_rows_keep_empty_cells() {
        let doc = read("\t\t1.属于国家秘密\t0\t0");
        match &doc.blocks[0] {
            RawBlock::Row { cells, .. } => assert_eq!(cells, &["", "", "1.属于国家秘密", "0", "0"]),
            b => panic!("{b:?}"),
        }
    }
}
