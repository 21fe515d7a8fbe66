//! Table alignment: the blocks of a table's region become candidate rows (label text, then a
//! run of values), and the candidates are aligned in order onto the form's rows.
//!
//! Line structure is only a hint: a row may stand on one line, or one cell a line, or with
//! its label wrapped over several lines around its values. What holds in every layout is
//! the order: label text comes before its values, and rows come in the form's order.

use super::cells::{CellKind, classify};
use super::similarity::{Label, coverage};
use super::text::{is_page_number, leading_ordinal, squash};
use crate::form::{Layout, TableDef};
use crate::read::RawBlock;

/// A value as read: a number, a not-applicable mark, or unreadable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    Number(f64),
    NotApplicable,
    /// Known to be there, but not what it is (unreadable), or a real blank cell.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadValue {
    pub slot: Slot,
    pub line: usize,
    pub raw: String,
    /// The OCR repair made to read it, if any.
    pub repaired: Option<String>,
    /// An empty cell of a real grid (not a lost value).
    pub blank: bool,
    /// Set when the value is a run of digits glued to its label, the cells of a row run
    /// together (`数量1622735149220二、…`): `raw` holds the run (stray spaces kept), `slot`
    /// the run read as one number, and the run is cut into cells by the table solver.
    pub run: Option<Run>,
}

/// A run of digits printed without separators between cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    /// Digits at the run's end that may belong to what follows it: the next label's number
    /// glued on (`…00000022.其他…`) or a year of the text after the table (`…0.71862024年度…`).
    /// The run is cut with them and without them.
    pub tail: Option<String>,
}

impl ReadValue {
    /// The value the rules see: not applicable counts as nothing, unreadable is unknown.
    pub fn number(&self) -> Option<f64> {
        match self.slot {
            Slot::Number(x) => Some(x),
            Slot::NotApplicable => Some(0.0),
            Slot::Unknown => None,
        }
    }
}

/// The longest label text compared with the form's labels.
const MAX_LABEL_CHARS: usize = 160;

/// One label-then-values row as found in the text.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub pieces: Vec<(String, usize)>,
    pub values: Vec<ReadValue>,
    /// Values in exact grid positions (a real table's row, blanks included), when known:
    /// the cells after the row's last label cell, one a grid column.
    pub exact: Option<Vec<ReadValue>>,
    /// For a row read by grid position, the grid column of `exact[0]` (the number of grid
    /// columns before it: label columns, spanned or not); `None` for any other row.
    pub grid_start: Option<usize>,
}

impl Candidate {
    pub fn line(&self) -> usize {
        self.values
            .first()
            .map(|v| v.line)
            .or_else(|| self.pieces.last().map(|p| p.1))
            .unwrap_or(0)
    }

    pub fn label_text(&self) -> String {
        self.pieces
            .iter()
            .map(|p| p.0.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The squashed label text of the last pieces, longest first: the row's own label
    /// stands at the end, after captions, headers or the tail of the label above.
    pub fn cores(&self) -> Vec<Vec<char>> {
        let start = self.pieces.len().saturating_sub(4);
        (start..self.pieces.len())
            .map(|from| {
                let mut out = Vec::new();
                for (text, _) in &self.pieces[from..] {
                    let rest = leading_ordinal(text).map_or(text.as_str(), |(_, end)| &text[end..]);
                    out.extend(squash(rest).chars());
                }
                // The row's own label is at the end; a long run of text before it (a
                // paragraph above the table) only costs time.
                if out.len() > MAX_LABEL_CHARS {
                    out.drain(..out.len() - MAX_LABEL_CHARS);
                }
                out
            })
            .filter(|c| !c.is_empty())
            .collect()
    }

    fn ordinal(&self) -> Option<super::text::Ordinal> {
        self.pieces
            .iter()
            .rev()
            .find_map(|(t, _)| leading_ordinal(t).map(|o| o.0))
    }
}

/// A row of print cells: a form row, or for a side-by-side table all rows in one line.
#[derive(Debug, Clone)]
pub struct PrintRow {
    pub cells: Vec<(usize, usize)>,
    pub labels: Vec<Label>,
}

pub fn print_rows(def: &TableDef) -> Vec<PrintRow> {
    let labels_of = |r: &crate::form::RowDef| {
        std::iter::once(&r.label)
            .chain(&r.variants)
            .map(|l| Label::new(l))
            .collect::<Vec<_>>()
    };
    match def.layout {
        Layout::SideBySide => {
            let mut cells = Vec::new();
            let mut labels = Vec::new();
            for r in def.rows() {
                cells.extend((0..r.block.columns.len()).map(|c| (r.index, c)));
                labels.extend(labels_of(r.def));
            }
            vec![PrintRow { cells, labels }]
        }
        Layout::Blocks | Layout::Grid => def
            .rows()
            .map(|r| PrintRow {
                cells: (0..r.block.columns.len()).map(|c| (r.index, c)).collect(),
                labels: labels_of(r.def),
            })
            .collect(),
    }
}

/// One token of a table region.
#[derive(Debug, Clone)]
enum Token {
    Text(String),
    Value(ReadValue),
}

/// The tokens of one block, in reading order, and whether its cells form an exact grid.
fn tokens(block: &RawBlock) -> (Vec<Token>, bool) {
    let (cells, exact, line): (Vec<&str>, bool, usize) = match block {
        RawBlock::Text { text, line, .. } => {
            if is_page_number(text) {
                return (Vec::new(), false);
            }
            (vec![text.as_str()], false, *line)
        }
        RawBlock::Row { cells, line, exact } => {
            if cells.len() == 1 && is_page_number(&cells[0]) {
                return (Vec::new(), false);
            }
            (cells.iter().map(String::as_str).collect(), *exact, *line)
        }
    };
    let mut out = Vec::new();
    let row = cells.len() > 1;
    for cell in cells {
        cell_tokens(if row { zero_word(cell) } else { cell }, exact, line, &mut out);
    }
    (out, exact)
}

/// A cell of a row that says none in a word (`无`, `零`) as the zero it means; alone on a
/// line such a word is prose (`六、其他需要报告的事项` / `无`), and stays text.
fn zero_word(cell: &str) -> &str {
    if matches!(cell.trim(), "无" | "零") {
        "0"
    } else {
        cell
    }
}

/// The tokens of one cell (or one text line), appended to `out`.
fn cell_tokens(cell: &str, exact: bool, line: usize, out: &mut Vec<Token>) {
    let cell = cell.trim();
    // A real table cell holds one value: `1 288` typed with a space is one number.
    let joined;
    let cell = if exact && is_spaced_number(cell) {
        joined = cell.split_whitespace().collect::<String>();
        joined.as_str()
    } else {
        cell
    };
    // A figure with its note (`351（含2023年结转5件）`) is one value, not rows run together.
    let figure = matches!(classify(cell), CellKind::Number { .. });
    if !exact && !figure && split_glued_cell(cell, line, out) {
        return;
    }
    if cell.contains(char::is_whitespace) && !classify(cell).is_empty() {
        split_text_cell(&super::text::remove_junk(cell), line, !exact, out);
        return;
    }
    let value = |slot, raw: &str, repaired| {
        Token::Value(ReadValue {
            slot,
            line,
            raw: raw.to_string(),
            repaired,
            blank: false,
            run: None,
        })
    };
    match classify(cell) {
        CellKind::Empty if exact => out.push(Token::Value(ReadValue {
            slot: Slot::Unknown,
            line,
            raw: String::new(),
            repaired: None,
            blank: true,
            run: None,
        })),
        CellKind::Empty => {}
        CellKind::Number { value: v, repaired } => out.push(value(Slot::Number(v), cell, repaired)),
        CellKind::NotApplicable => out.push(value(Slot::NotApplicable, cell, None)),
        CellKind::Unreadable(s) => out.push(value(Slot::Unknown, &s, None)),
        CellKind::Text(s) => split_text_cell(&s, line, !exact, out),
    }
}

/// A row of a real grid read by position: its label texts (the cells up to its last text
/// cell) and its values, one a grid column, from the column after the label on.
struct GridRow {
    texts: Vec<String>,
    start: usize,
    tail: Vec<ReadValue>,
}

/// Reads an exact row by position, or `None` when its cells do not split into label cells
/// then one value a cell (a value before the label, a cell holding several values): such
/// a row is read token by token.
fn grid_row(cells: &[String], line: usize) -> Option<GridRow> {
    let per_cell: Vec<Vec<Token>> = cells
        .iter()
        .map(|c| {
            let mut out = Vec::new();
            cell_tokens(zero_word(c), true, line, &mut out);
            out
        })
        .collect();
    let start = per_cell
        .iter()
        .rposition(|t| t.iter().any(|t| matches!(t, Token::Text(_))))
        .map_or(0, |p| p + 1);
    let mut texts = Vec::new();
    for toks in &per_cell[..start] {
        for t in toks {
            match t {
                Token::Text(s) => texts.push(s.clone()),
                Token::Value(v) if v.blank => {}
                Token::Value(_) => return None,
            }
        }
    }
    let mut tail = Vec::new();
    for toks in &per_cell[start..] {
        match toks.as_slice() {
            [Token::Value(v)] => tail.push(v.clone()),
            _ => return None,
        }
    }
    Some(GridRow { texts, start, tail })
}

/// Digits with spaces between them and nothing else: `1 288`, `96 171.6`.
fn is_spaced_number(cell: &str) -> bool {
    cell.contains(' ')
        && cell.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.'))
        && cell.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A text cell may end in values separated by single spaces (`规章 1 0 11`): split them off.
/// Atoms that are not numbers, or numbers followed by words, stay in the label; with
/// `split_inside` (text, not a grid cell), values inside the text that end a row split too.
/// A plus sign set apart from its number (`64 + 3 1,287`: the 2019 form's 本年增/减) is
/// joined to it: a `+` is never a value of its own. A lone minus may be a not-applicable mark
/// and stays apart; [`join_minus_signs`] joins it where the row's cell count decides.
fn split_text_cell(s: &str, line: usize, split_inside: bool, out: &mut Vec<Token>) {
    let mut atoms: Vec<std::borrow::Cow<str>> = Vec::new();
    let mut words = s.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if matches!(w, "+" | "＋")
            && let Some(next) = words.peek()
            && matches!(classify(next), CellKind::Number { .. })
            && !next.starts_with(['+', '-', '＋', '－'])
        {
            atoms.push(format!("+{}", words.next().unwrap_or_default()).into());
        } else {
            atoms.push(w.into());
        }
    }
    let atoms: Vec<&str> = atoms.iter().map(|a| a.as_ref()).collect();
    let is_value = |a: &str| matches!(classify(a), CellKind::Number { .. } | CellKind::NotApplicable);
    let mut first_value = atoms.len();
    while first_value > 0 && is_value(atoms[first_value - 1]) {
        first_value -= 1;
    }
    let push_values = |values: &[&str], out: &mut Vec<Token>| {
        for atom in values {
            let (slot, repaired) = match classify(atom) {
                CellKind::Number { value, repaired } => (Slot::Number(value), repaired),
                _ => (Slot::NotApplicable, None),
            };
            out.push(Token::Value(ReadValue {
                slot,
                line,
                raw: atom.to_string(),
                repaired,
                blank: false,
                run: None,
            }));
        }
    };
    // Rows run together on one line with spaces kept (a page's text taken whole, a report
    // on one line): `…数量 187 22 61 375 6 3 654 二、上年结转…`. Values inside the text end a
    // row when the text after them starts a label; a figure followed by its measure word
    // (`132 条`, `2023 年`) is prose.
    let mut text_from = 0;
    if split_inside {
        let mut i = 1;
        while i < first_value {
            if !is_value(atoms[i]) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < first_value && is_value(atoms[j]) {
                j += 1;
            }
            let plain = atoms[i..j]
                .iter()
                .any(|a| matches!(classify(a), CellKind::Number { repaired: None, .. }));
            if j < first_value && plain && starts_label(atoms[j]) {
                out.push(Token::Text(atoms[text_from..i].join(" ")));
                push_values(&atoms[i..j], out);
                text_from = j;
            }
            i = j;
        }
    }
    if first_value > text_from {
        out.push(Token::Text(atoms[text_from..first_value].join(" ")));
    }
    push_values(&atoms[first_value..], out);
}

/// Whether text after a figure inside a line may start a table row's label rather than go
/// on with a sentence: not a measure word or unit (`条`, `年`, `万元`, `%`) nor punctuation
/// that continues the figure's clause.
fn starts_label(atom: &str) -> bool {
    const CONTINUES: &str = "年月日条个件次人项万元余多名家份篇期场天类批户位所座部套台例起宗册张页号届季周小分秒倍%％‰，,。、；;：:）)-—~～至到或及和与/.×*+=";
    atom.chars().next().is_some_and(|c| !CONTINUES.contains(c))
}

/// The values of a row that has one value too many for each lone minus sign standing right
/// before a number on its line (`186 - 2 3,520` for three cells): the signs joined to their
/// numbers (186, −2, 3520). `None` unless the count comes out exactly: a lone `-` is also the
/// not-applicable mark, so only the row's cell count can say which it is.
pub fn join_minus_signs(values: &[ReadValue], cells: usize) -> Option<Vec<ReadValue>> {
    let is_minus = |v: &ReadValue| matches!(v.raw.as_str(), "-" | "－" | "−");
    let joinable: Vec<usize> = (0..values.len().saturating_sub(1))
        .filter(|&k| {
            is_minus(&values[k])
                && values[k + 1].line == values[k].line
                && matches!(values[k + 1].slot, Slot::Number(x) if x >= 0.0)
                && !values[k + 1].raw.starts_with(['+', '-', '＋', '－'])
                && (k == 0 || !is_minus(&values[k - 1]))
        })
        .collect();
    if joinable.is_empty() || values.len() != cells + joinable.len() {
        return None;
    }
    let mut out = Vec::with_capacity(cells);
    let mut k = 0;
    while k < values.len() {
        if joinable.contains(&k) {
            let next = &values[k + 1];
            let Slot::Number(x) = next.slot else { return None };
            out.push(ReadValue {
                slot: Slot::Number(-x),
                raw: format!("-{}", next.raw),
                ..next.clone()
            });
            k += 2;
        } else {
            out.push(values[k].clone());
            k += 1;
        }
    }
    Some(out)
}

/// A run of digits glued to the text before it (stray single spaces inside), with what
/// follows it: `(start, end, tail)` in bytes, `tail` set when the run's last digits may
/// belong to what follows: the number of the next label glued on (`2.`, `2. `, `2、`), or
/// a year of the text after the table (`…0.71862024年度…`: the run may end in `2024`).
fn glued_runs(s: &str) -> Vec<(usize, usize, Option<String>)> {
    static RUN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[0-9](?:[0-9]| [0-9])*(?:\.[0-9]+)?").expect("regex")
    });
    let glue = |c: char| super::text::is_ideograph(c) || matches!(c, '）' | ')' | '”' | '」');
    // Before a run, a closing quote of any kind ends a label (`危及"三安全一稳定"0…`).
    let glue_before = |c: char| glue(c) || matches!(c, '"' | '\'' | '’' | '》' | '】');
    let mut out = Vec::new();
    for m in RUN.find_iter(s) {
        let before = s[..m.start()].chars().next_back();
        if !before.is_some_and(glue_before) {
            continue;
        }
        let after: Vec<char> = s[m.end()..].chars().take(4).collect();
        // The next label's number: `2.其他`, `2. 其他`, `2、其他`.
        let ordinal_next = match after.as_slice() {
            ['.' | '、' | '．', c, ..] if glue(*c) => true,
            ['.' | '、' | '．', ' ' | '\u{3000}', c, ..] => glue(*c),
            _ => false,
        };
        let text = m.as_str();
        if ordinal_next {
            // A lone digit before `.` is the next label's own number, no value.
            if text.len() == 1 {
                continue;
            }
            let last = text[text.len() - 1..].to_string();
            out.push((m.start(), m.end(), Some(last)));
        } else if after.first().is_none_or(|&c| glue(c) || matches!(c, '（' | '(')) {
            // A year glued on from the text after the table: `…0.71862024年度有关…`.
            let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
            let year = after.first() == Some(&'年')
                && digits.len() > 4
                && !text.ends_with(' ')
                && text.len() >= 4
                && text[text.len() - 4..].bytes().all(|b| b.is_ascii_digit())
                && matches!(&text[text.len() - 4..text.len() - 2], "19" | "20");
            let tail = year.then(|| text[text.len() - 4..].to_string());
            out.push((m.start(), m.end(), tail));
        }
    }
    out
}

/// Splits a text cell whose rows run together (digit runs glued to their labels, see
/// [`glued_enough`]) into label text and glued runs; `false` when it is no such cell.
fn split_glued_cell(s: &str, line: usize, out: &mut Vec<Token>) -> bool {
    let runs = glued_runs(s);
    if !glued_enough(s, &runs) {
        return false;
    }
    let mut at = 0;
    for (start, end, tail) in runs {
        let text = s[at..start].trim();
        if !text.is_empty() {
            out.push(Token::Text(text.to_string()));
        }
        let raw = &s[start..end];
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let mut text_end = end;
        if let Some(o) = &tail {
            // The tail stays with the text after too (the next label, matched by its number).
            text_end = end - o.len();
        }
        out.push(Token::Value(ReadValue {
            slot: digits
                .parse()
                .ok()
                // A run is many cells' digits: its slot holds them all (cut later), so only
                // a run too long to be a number at all (10^309, a hostile input) is none.
                .filter(|v: &f64| v.is_finite())
                .map_or(Slot::Unknown, Slot::Number),
            line,
            raw: raw.to_string(),
            repaired: None,
            blank: false,
            run: Some(Run { tail }),
        }));
        at = text_end;
    }
    let text = s[at..].trim();
    if !text.is_empty() {
        out.push(Token::Text(text.to_string()));
    }
    true
}

/// Whether a block holds table rows run together with their labels (see
/// `split_glued_cell`): such a line is part of a table however long it is.
pub fn is_glued(block: &RawBlock) -> bool {
    let cells: Vec<&str> = match block {
        RawBlock::Text { text, .. } => vec![text.as_str()],
        RawBlock::Row { cells, .. } => cells.iter().map(String::as_str).collect(),
    };
    cells.iter().any(|c| glued_enough(c, &glued_runs(c)))
}

/// Rows run together: two glued runs or more, or one long run that ends the text (a
/// side-by-side table's one row after its header). A single short number glued to a word
/// (`截至2024年`) is prose.
fn glued_enough(s: &str, runs: &[(usize, usize, Option<String>)]) -> bool {
    match runs {
        [] => false,
        [(start, end, _)] => {
            *end == s.trim_end().len() && s[*start..*end].chars().filter(char::is_ascii_digit).count() >= 5
        }
        _ => true,
    }
}

/// Groups a region's blocks into candidate rows. `expected` gives the number of values a
/// row with a given label should have (so a short row is not glued to the next one).
pub fn candidates(blocks: &[RawBlock], rows: &[PrintRow]) -> Vec<Candidate> {
    let max_cols = rows.iter().map(|r| r.cells.len()).max().unwrap_or(1);
    let mut out: Vec<Candidate> = Vec::new();
    let mut pending: Vec<(String, usize)> = Vec::new();
    // Whether the last candidate may still take values from the next line.
    let mut open = false;
    for block in blocks {
        if let RawBlock::Row {
            cells,
            line,
            exact: true,
        } = block
            && !(cells.len() == 1 && is_page_number(&cells[0]))
            && let Some(g) = grid_row(cells, *line)
        {
            let pieces = g.texts.into_iter().map(|t| (t, *line));
            let has_value = g.tail.iter().any(|v| !v.blank);
            // A label over blank cells is a row printed blank when its label is a form row's
            // and it has a cell for each of that row's columns; else it is a header or a
            // caption, and its text the next row's.
            let blank_row = !has_value && !g.tail.is_empty() && {
                let probe = Candidate {
                    pieces: pieces.clone().collect(),
                    ..Default::default()
                };
                let cores = probe.cores();
                rows.iter()
                    .map(|r| (label_score(r, &cores), r.cells.len()))
                    .filter(|(s, _)| *s >= BLANK_ROW_FIT)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .is_some_and(|(_, n)| n <= g.tail.len())
            };
            if has_value || blank_row {
                pending.extend(pieces);
                out.push(Candidate {
                    pieces: std::mem::take(&mut pending),
                    values: g.tail.iter().filter(|v| !v.blank).cloned().collect(),
                    exact: Some(g.tail),
                    grid_start: Some(g.start),
                });
            } else {
                pending.extend(pieces);
            }
            open = false;
            continue;
        }
        let (mut toks, exact) = tokens(block);
        // A header row of a real grid has empty cells too: they are no blank values.
        let has_value = toks.iter().any(|t| matches!(t, Token::Value(v) if !v.blank));
        if exact && !has_value {
            toks.retain(|t| matches!(t, Token::Text(_)));
        }
        let line = block.line();
        let mut line_started = false;
        for tok in toks {
            match tok {
                Token::Text(t) => {
                    if line_started {
                        open = false;
                        line_started = false;
                    }
                    pending.push((t, line));
                }
                Token::Value(v) => {
                    if !line_started {
                        let append = open && pending.is_empty() && !exact && {
                            let last = out.last().expect("open implies a candidate");
                            last.values.len() < expected_len(last, rows, max_cols)
                        };
                        if !append {
                            out.push(Candidate {
                                pieces: std::mem::take(&mut pending),
                                ..Default::default()
                            });
                        }
                        line_started = true;
                    }
                    out.last_mut().expect("a candidate").values.push(v);
                }
            }
        }
        if line_started {
            let last = out.last_mut().expect("a candidate");
            if exact {
                last.exact = Some(last.values.clone());
                last.values.retain(|v| !v.blank);
            }
            open = !exact;
        }
        if !pending.is_empty() {
            open = false;
        }
    }
    // A run that is only blanks or unreadable marks is no row; a number broken after its
    // decimal point (`96171.` / `6`, a narrow cell) is kept, so that it is seen unplaced.
    let broken = |v: &ReadValue| {
        v.raw
            .strip_suffix(['.', '．'])
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    out.retain(|c| c.values.iter().any(|v| v.slot != Slot::Unknown || broken(v)) || c.exact.is_some());
    out
}

/// A side-by-side table has one line of values; when its values come in several runs
/// (a wrapped line, or header text drawn between them) they are joined in reading order,
/// and `true` says their order is uncertain.
pub fn join_runs(cands: Vec<Candidate>) -> (Vec<Candidate>, bool) {
    if cands.len() <= 1 {
        return (cands, false);
    }
    let interleaved = cands.iter().skip(1).any(|c| !c.pieces.is_empty());
    let mut joined = Candidate::default();
    for c in cands {
        joined.pieces.extend(c.pieces);
        joined.values.extend(c.values);
    }
    (vec![joined], interleaved)
}

/// The label fit a row of blank grid cells needs to be taken for a form row printed blank
/// (a caption or header row over empty cells falls short of it).
const BLANK_ROW_FIT: f64 = 0.8;

/// The value count the best-matching form row for this label has; `max` when unsure.
fn expected_len(c: &Candidate, rows: &[PrintRow], max: usize) -> usize {
    let cores = c.cores();
    rows.iter()
        .map(|r| (label_score(r, &cores), r.cells.len()))
        .filter(|(s, _)| *s >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(max, |(_, n)| n)
}

/// How like any of `row`'s labels the candidate's label text is, 0–1; `cores` are the
/// candidate's [`Candidate::cores`], reduced once for comparing with many rows.
pub fn label_score(row: &PrintRow, cores: &[Vec<char>]) -> f64 {
    let mut best = 0.0f64;
    for label in &row.labels {
        for core in cores {
            best = best.max(coverage(label, core));
        }
    }
    best
}

/// How well a candidate fits a form row: label likeness, value count, enumerator.
pub fn fit(c: &Candidate, row: &PrintRow) -> f64 {
    fit_with(c, &c.cores(), c.ordinal().as_ref(), row)
}

/// [`fit`] with the candidate's [`Candidate::cores`] and [`Candidate::ordinal`] worked out
/// once, for comparing it with every row.
fn fit_with(
    c: &Candidate,
    cores: &[Vec<char>],
    ordinal: Option<&super::text::Ordinal>,
    row: &PrintRow,
) -> f64 {
    let mut score = label_score(row, cores);
    // A row of blank cells says nothing by its values: only its label can place it.
    if c.values.is_empty() && c.exact.is_some() && score < BLANK_ROW_FIT {
        return -1.0;
    }
    let n = row.cells.len();
    let m = c.exact.as_ref().map_or(c.values.len(), Vec::len);
    if m == n {
        score += 0.15;
    } else {
        score -= 0.1 * (m.abs_diff(n).min(3) as f64);
    }
    if let (Some(a), Some(b)) = (ordinal, row.labels.first().and_then(|l| l.ordinal.as_ref())) {
        score += if a == b { 0.15 } else { -0.1 };
    }
    score
}

/// The reward for pairing any candidate with any row: small, so labels decide, but enough
/// that a row with a garbled label still takes its place between two good neighbours.
const PAIR_BASE: f64 = 0.25;

/// Aligns candidates onto print rows in order, maximising the total fit.
/// Returns for each print row the index of its candidate, if any.
pub fn align(cands: &[Candidate], rows: &[PrintRow]) -> Vec<Option<usize>> {
    let (m, n) = (cands.len(), rows.len());
    let mut best = vec![vec![0.0f64; n + 1]; m + 1];
    let mut step = vec![vec![0u8; n + 1]; m + 1];
    let cores: Vec<Vec<Vec<char>>> = cands.iter().map(Candidate::cores).collect();
    let ordinals: Vec<Option<super::text::Ordinal>> = cands.iter().map(Candidate::ordinal).collect();
    for i in (0..m).rev() {
        for j in (0..n).rev() {
            let pair = PAIR_BASE + fit_with(&cands[i], &cores[i], ordinals[i].as_ref(), &rows[j]);
            let mut choice = (best[i + 1][j], 1u8); // skip the candidate
            if best[i][j + 1] > choice.0 {
                choice = (best[i][j + 1], 2); // skip the row
            }
            if pair > 0.0 && pair + best[i + 1][j + 1] > choice.0 {
                choice = (pair + best[i + 1][j + 1], 3);
            }
            best[i][j] = choice.0;
            step[i][j] = choice.1;
        }
        best[i][n] = 0.0;
        step[i][n] = 1;
    }
    let mut out = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < m && j < n {
        match step[i][j] {
            1 => i += 1,
            2 => j += 1,
            _ => {
                out[j] = Some(i);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The label fit alone (no count or enumerator bonus), for reporting.
pub fn label_fit(c: &Candidate, row: &PrintRow) -> f64 {
    label_score(row, &c.cores())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Forms;
    use crate::read::text;

    fn run(table: &str, src: &str) -> (Vec<Candidate>, Vec<Option<usize>>) {
        let forms = Forms::builtin();
        let def = forms.get("2021").unwrap().table(table).unwrap().clone();
        let rows = print_rows(&def);
        let doc = text::read(src);
        let c = candidates(&doc.blocks, &rows);
        let a = align(&c, &rows);
        (c, a)
    }

    #[test]
    fn spaced_rows_run_together_on_one_line_split_at_their_labels() {
        let (c, a) = run(
            "applications",
            "申请人情况 自然人 一、本年新收政府信息公开申请数量 187 22 61 375 6 3 654 二、上年结转政府信息公开申请数量 1 4 0 4 1 0 10 三、本年度办理结果 （一）予以公开 0 1 1 0 1 0 3 （二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0 0 0 1 0 1 （三）不予公开 1.属于国家秘密 3 0 1 104 0 0 108",
        );
        let values = |k: usize| c[k].values.iter().map(|v| v.raw.as_str()).collect::<Vec<_>>();
        assert_eq!(c.len(), 5);
        assert_eq!(values(0), ["187", "22", "61", "375", "6", "3", "654"]);
        assert_eq!(values(4), ["3", "0", "1", "104", "0", "0", "108"]);
        assert!(c[4].label_text().ends_with("1.属于国家秘密"));
        assert_eq!(&a[..5], [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn a_sentence_with_figures_keeps_them_in_its_text() {
        let (c, _) = run(
            "active_disclosure",
            "全年主动公开信息 132 条，其中规范性文件 3 个，2023 年新增 4 项 规章 1 0 11",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].values.len(), 3);
    }

    #[test]
    fn one_cell_a_line_still_groups() {
        let (c, a) = run(
            "active_disclosure",
            "规章\n1\n0\n11\n行政规范性文件\n8\n26\n66\n行政许可\n5\n行政处罚\n6\n行政强制\n7\n行政事业性收费\n1.5",
        );
        assert_eq!(c.len(), 6);
        assert_eq!(c[0].values.len(), 3);
        assert_eq!(a, vec![Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]);
    }

    #[test]
    fn garbled_label_takes_its_place_by_position() {
        let (_, a) = run(
            "active_disclosure",
            "规章 1 0 11\n行政规范性文件 8 26 66\n行政许可 5\n口口口 6\n行政强制 7\n行政事业性收费 1.5",
        );
        assert_eq!(a[3], Some(3));
    }

    #[test]
    fn a_grid_cell_with_spaces_is_one_number_and_a_text_line_is_several() {
        let (c, _) = run(
            "active_disclosure",
            "| 规章 | 1 288 | 0 | 11 |\n行政规范性文件 8 26 66",
        );
        let nums = |i: usize| c[i].values.iter().map(|v| v.number()).collect::<Vec<_>>();
        assert_eq!(nums(0), [Some(1288.0), Some(0.0), Some(11.0)]);
        assert_eq!(nums(1), [Some(8.0), Some(26.0), Some(66.0)]);
    }

    #[test]
    fn a_sign_apart_from_its_number_joins_it_where_the_count_says_so() {
        let (c, _) = run("active_disclosure", "行政许可 186 - 2 3,520\n行政处罚 64 + 3");
        let nums = |vals: &[ReadValue]| vals.iter().map(|v| v.number()).collect::<Vec<_>>();
        // `+ 3` is one value; `- 2` may be a not-applicable mark and a 2, or −2.
        assert_eq!(nums(&c[1].values), [Some(64.0), Some(3.0)]);
        assert_eq!(c[0].values.len(), 4);
        let joined = join_minus_signs(&c[0].values, 3).expect("three cells");
        assert_eq!(nums(&joined), [Some(186.0), Some(-2.0), Some(3520.0)]);
        // Four cells: the lone minus is a value of its own; the count does not ask to join.
        assert!(join_minus_signs(&c[0].values, 4).is_none());
    }

    #[test]
    fn side_by_side_takes_all_values() {
        let (c, a) = run(
            "review_litigation",
            "行政复议\t行政诉讼\n结果维持 结果纠正\n1 2 3 4 10\n5\t6\t7\t8\t26\t9\t1\t1\t1\t12",
        );
        assert_eq!(a, vec![Some(0)]);
        assert_eq!(c[0].values.len(), 15);
    }

    /// Every value's raw text and the tail its run may give to what follows.
    fn runs_of(c: &[Candidate]) -> Vec<(&str, Option<&str>)> {
        c.iter()
            .flat_map(|c| &c.values)
            .map(|v| (v.raw.as_str(), v.run.as_ref().and_then(|r| r.tail.as_deref())))
            .collect()
    }

    #[test]
    fn a_line_of_glued_rows_splits_into_labels_and_runs() {
        let (c, a) = run(
            "applications",
            "一、本年新收政府信息公开申请数量30015300614311 9二、上年结转政府信息公开申请数量34000003 4三、本年度办理结果（一）予以公开128821005031362（二）部分公开（区分处理的，只计这一情形，不计其他情形）44770000454（三）不予公开1.属于国家秘密20000022.其他法律行政法规禁止公开3010000313.危及“三安全一稳定”5000005",
        );
        let runs = runs_of(&c);
        assert_eq!(
            runs,
            [
                ("30015300614311 9", None),
                ("34000003 4", None),
                ("128821005031362", None),
                ("44770000454", None),
                ("20000022", Some("2")),
                ("3010000313", Some("3")),
                ("5000005", None),
            ]
        );
        // The lone `1` before `.属于国家秘密` is that label's number, not a value; the
        // ordinal glued after a run stays with its label too.
        assert!(c[4].label_text().contains("1.属于国家秘密"));
        assert!(c[5].label_text().starts_with("2.其他法律"));
        assert_eq!(a[4], Some(4));
        assert_eq!(a[5], Some(5));
    }

    #[test]
    fn a_spaced_ordinal_a_straight_quote_and_a_glued_year_end_runs() {
        let (c, _) = run(
            "applications",
            "（六）其他处理1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请01001022. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请00001013. 其他0001001（七）总计3.危及\"三安全一稳定\"00000004.保护第三方合法权益1017101",
        );
        let runs = runs_of(&c);
        assert_eq!(
            runs,
            [
                ("01001022", Some("2")),
                ("00001013", Some("3")),
                ("0001001", None),
                ("00000004", Some("4")),
                ("1017101", None),
            ]
        );
        // A year of the text after the table may end the last run.
        let (c, _) = run(
            "active_disclosure",
            "行政强制0行政事业性收费0.71862024年度有关情况统计如下",
        );
        let last = c.last().and_then(|c| c.values.last()).expect("a run");
        assert_eq!(last.raw, "0.71862024");
        assert_eq!(last.run.as_ref().and_then(|r| r.tail.as_deref()), Some("2024"));
    }
}
