//! Validation: the form's arithmetic rules on a finished report, and the figures its prose
//! quotes. Works on any report, read from text or loaded from JSON.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::solve::{self, Grid};
use crate::diag::{Diagnostic, Severity, code};
use crate::form::{Form, Per, TableDef};
use crate::model::{Block, Report, Table, cell_path, fmt_num};

pub fn check(form: &Form, report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for def in &form.tables {
        let Some(table) = report.tables.get(&def.key) else {
            continue;
        };
        let grid = grid_of(def, table);
        out.extend(check_signs(def, table));
        out.extend(check_sums(form, def, &grid));
    }
    out.extend(check_prose(report));
    out
}

/// The values the rules see; blank cells are unknown.
pub fn grid_of(def: &TableDef, table: &Table) -> Grid {
    def.rows()
        .map(|r| {
            (0..r.block.columns.len())
                .map(|c| table.get(r.index, c).arithmetic())
                .collect()
        })
        .collect()
}

/// R5: counts are whole and not negative; the fee is not negative; only signed columns
/// (2019's 本年增/减) may go below zero.
fn check_signs(def: &TableDef, table: &Table) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for row in def.rows() {
        for (c, col) in row.block.columns.iter().enumerate() {
            let Some(v) = table.get(row.index, c).number() else {
                continue;
            };
            let problem = if v < 0.0 && !col.signed {
                "为负数 (negative)"
            } else if !col.decimal && v.fract() != 0.0 {
                "不是整数 (not a whole number)"
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    Severity::Error,
                    code::NEGATIVE,
                    format!(
                        "R5：「{}」/「{}」= {} {problem}",
                        row.def.label,
                        col.label,
                        fmt_num(v)
                    ),
                )
                .cell(cell_path(&def.key, &row.def.key, &col.key)),
            );
        }
    }
    out
}

/// R1–R4: every equation whose cells are all known must hold. Where a cell sits in two
/// failing equations (a row and a column), it is the likely culprit and is named.
fn check_sums(form: &Form, def: &TableDef, grid: &Grid) -> Vec<Diagnostic> {
    let eqs = solve::equations(form, def);
    let failing: Vec<(&solve::Equation, f64, f64)> = eqs
        .iter()
        .filter_map(|eq| {
            let mut lhs = 0.0;
            let mut rhs = 0.0;
            let mut unknown = (false, false);
            for &(r, c, k) in &eq.terms {
                match (grid[r][c], k > 0.0) {
                    (Some(v), true) => lhs += v,
                    (Some(v), false) => rhs += v,
                    (None, true) => unknown.0 = true,
                    (None, false) => unknown.1 = true,
                }
            }
            // With unknown (blank) cells an equation can still be impossible: the known
            // side that has no unknowns is already smaller than the other (counts are ≥ 0).
            let broken = match unknown {
                (false, false) => (lhs - rhs).abs() > 1e-6,
                (true, false) => rhs - lhs < -1e-6,
                (false, true) => lhs - rhs < -1e-6,
                (true, true) => false,
            };
            broken.then_some((eq, lhs, rhs))
        })
        .collect();
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for (eq, _, _) in &failing {
        for &(r, c, _) in &eq.terms {
            *counts.entry((r, c)).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (eq, lhs, rhs) in failing {
        let rule = form
            .rules
            .iter()
            .find(|r| r.id == eq.rule)
            .expect("rule of equation");
        let (r0, c0, _) = eq.terms[0];
        let row = def.row(r0).expect("row");
        let col = &row.block.columns[c0];
        // The equation lies in a row (R3, R4) or runs down a column of the table (R1, R2).
        let (place, lies_in) = match rule.per {
            Per::Column => (format!("「{}」列", col.label), def.key.clone()),
            Per::Row => (
                format!("「{}」行", row.def.label),
                format!("{}.{}", def.key, row.def.key),
            ),
        };
        let paths: Vec<String> = eq
            .terms
            .iter()
            .map(|&(r, c, _)| {
                let row = def.row(r).expect("row");
                cell_path(&def.key, &row.def.key, &row.block.columns[c].key)
            })
            .collect();
        // A fact, not a guess: cells that stand in another failing equation as well.
        let shared: Vec<String> = eq
            .terms
            .iter()
            .filter(|&&(r, c, _)| counts[&(r, c)] >= 2)
            .map(|&(r, c, _)| {
                let row = def.row(r).expect("row");
                format!("「{}」/「{}」", row.def.label, row.block.columns[c].label)
            })
            .collect();
        let shared = if shared.is_empty() {
            String::new()
        } else {
            format!("；其中{}也在另一条不成立的等式中", shared.join("、"))
        };
        out.push(
            Diagnostic::new(
                Severity::Error,
                &rule.id,
                format!(
                    "{}不成立（{place}）：{}；左边 {} ≠ 右边 {}{shared}；等式中的单元格都可能有误 ({} fails)",
                    rule.id,
                    rule.text,
                    fmt_num(lhs),
                    fmt_num(rhs),
                    rule.id
                ),
            )
            .cell(lies_in)
            .cells(paths),
        );
    }
    out
}

struct Quote {
    pattern: Regex,
    /// Cells whose sum the quoted figure must equal.
    cells: &'static [&'static str],
    /// Cells whose sum, added to `cells`, the figure may also mean: `共受理申请749件` may
    /// count the applications carried over from last year with the new ones.
    or_with: &'static [&'static str],
    what: &'static str,
}

static QUOTES: LazyLock<Vec<Quote>> = LazyLock::new(|| {
    let q = |p: &str, cells, or_with, what| Quote {
        pattern: Regex::new(p).unwrap(),
        cells,
        or_with,
        what,
    };
    vec![
        q(
            r"(?:共|新)?(?:收到|受理)(?:各类)?(?:政府信息公开|依申请公开(?:政府信息)?)申请(?:共计?)?\s*([0-9０-９]+)\s*件",
            &["applications.new_received.total"],
            &["applications.carried_over.total"],
            "收到申请",
        ),
        q(
            r"未(?:收到|受理)[^。；，]{0,12}申请",
            &["applications.new_received.total"],
            &[],
            "收到申请",
        ),
        q(
            r"行政复议(?:案件)?(?:共)?\s*([0-9０-９]+)\s*件",
            &["review_litigation.review.total"],
            &[],
            "行政复议",
        ),
        q(
            r"行政诉讼(?:案件)?(?:共)?\s*([0-9０-９]+)\s*件",
            &[
                "review_litigation.litigation_direct.total",
                "review_litigation.litigation_after_review.total",
            ],
            &[],
            "行政诉讼",
        ),
    ]
});

/// Whether the clause a figure at byte `at` of `text` is quoted in speaks of another period
/// than the report's: the sentence up to the figure names a year other than `year`, or a
/// span of years or a comparison (`近三年`, `累计`, `历年`, `自…以来`, `同比`, `上年`, `去年`).
/// Such a figure is not the report year's and is not compared with the tables.
fn other_period(text: &str, at: usize, year: Option<i32>) -> bool {
    static SPAN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"近[一二两三四五六七八九十0-9]+年|累计|历年|以来|同比|上年|去年|上一年|前[一二两三0-9]年|往年|多年")
            .unwrap()
    });
    let head = &text[..at];
    let start = head
        .rfind(['。', '；', '！', '？', ';', '!', '?'])
        .map_or(0, |p| p + head[p..].chars().next().map_or(1, char::len_utf8));
    let clause = &head[start..];
    SPAN.is_match(clause)
        || year.is_some_and(|y| super::sections::years_named(clause).any(|named| named != y))
}

/// The prose a report quotes figures in, section by section: each section's paragraphs and
/// sub-headings, the lines of one paragraph already joined (a figure broken over lines,
/// `发生行政复议` / `6` / `件`, is whole again: see [`super::prose_blocks`]).
fn prose_texts(report: &Report) -> impl Iterator<Item = Vec<&str>> {
    report.sections.iter().map(|s| {
        s.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } | Block::Heading { text, .. } => Some(text.as_str()),
                Block::Table { .. } => None,
            })
            .collect()
    })
}

/// The sum of some cells, when all of them are known.
fn sum_of(report: &Report, cells: &[&str]) -> Option<f64> {
    cells
        .iter()
        .map(|p| report.tables.cell(p).and_then(|c| c.arithmetic()))
        .sum::<Option<f64>>()
}

/// R7: figures quoted in the prose agree with the tables. A figure is read with full-width
/// digits as digits (`申请５５件`); a quote whose figure cannot be read is skipped, never
/// taken for 0. A quote of the applications received agrees when it is the new ones, or the
/// new and the carried-over ones together.
pub fn check_prose(report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for texts in prose_texts(report) {
        for (i, text) in texts.iter().enumerate() {
            check_quotes(report, text, None, &mut out);
            // A sentence broken over two blocks (a line break where no paragraph rule
            // joins the lines: `…本机关共收` / `到政府信息公开申请55件…`): the quotes that
            // straddle the break are read on the two joined.
            if let Some(next) = texts.get(i + 1)
                && !super::sections::ends_sentence(text)
            {
                let joined = format!("{text}{next}");
                check_quotes(report, &joined, Some(text.len()), &mut out);
            }
        }
    }
    out
}

/// The R7 checks of the quotes in `text`; with `straddling`, only those whose match runs
/// across that byte offset (the quotes within either side are checked on their own).
fn check_quotes(report: &Report, text: &str, straddling: Option<usize>, out: &mut Vec<Diagnostic>) {
    for quote in QUOTES.iter() {
        for caps in quote.pattern.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            if straddling.is_some_and(|b| whole.start() >= b || whole.end() <= b) {
                continue;
            }
            let at = whole.start();
            if other_period(text, at, report.year) {
                continue;
            }
            let quoted = match caps.get(1) {
                Some(m) => match super::text::parse_digits(m.as_str()) {
                    Some(v) => v as f64,
                    None => continue,
                },
                // `未收到…申请`: none.
                None => 0.0,
            };
            let Some(table) = sum_of(report, quote.cells) else {
                continue;
            };
            let with = (!quote.or_with.is_empty())
                .then(|| sum_of(report, quote.or_with).map(|v| v + table))
                .flatten();
            let agrees = |v: f64| (v - quoted).abs() <= 1e-6;
            if agrees(table) || with.is_some_and(agrees) {
                continue;
            }
            let stated = match with {
                Some(w) => format!("{}（含上年结转为 {}）", fmt_num(table), fmt_num(w)),
                None => fmt_num(table),
            };
            out.push(
                Diagnostic::new(
                    Severity::Error,
                    code::PROSE_MISMATCH,
                    format!(
                        "R7：正文「{}」称{}为 {}，表格中为 {} (prose and table disagree)",
                        &caps[0],
                        quote.what,
                        fmt_num(quoted),
                        stated
                    ),
                )
                .cell(quote.cells[0]),
            );
        }
    }
}

/// R6 across two years: `this` report's row [`YearRule::this`](crate::form::YearRule) equals
/// `previous`'s row [`YearRule::previous`](crate::form::YearRule), in every column both forms
/// have (the 2019 and 2021 forms share the applicant columns). For each column that differs,
/// one error in each report naming its own cell of the equation and quoting the other's value
/// and file (`this_name`, `previous_name`): the first list is `this` report's, the second
/// `previous`'s. A column blank or not applicable in either report is not compared. Nothing
/// when `this` form has no such rule, or the years are not consecutive.
pub fn year_over_year(
    (form, this, this_name): (&Form, &Report, &str),
    (previous_form, previous, previous_name): (&Form, &Report, &str),
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let none = (Vec::new(), Vec::new());
    let Some(rule) = &form.year_over_year else {
        return none;
    };
    let (Some(year), Some(last)) = (this.year, previous.year) else {
        return none;
    };
    if year != last + 1 {
        return none;
    }
    let (Some(def), Some(prev_def)) = (form.table(&rule.table), previous_form.table(&rule.table)) else {
        return none;
    };
    let (Some(row), Some(prev_row)) = (
        def.row_index(&rule.this).and_then(|i| def.row(i)),
        prev_def.row_index(&rule.previous).and_then(|i| prev_def.row(i)),
    ) else {
        return none;
    };
    let mut out = Vec::new();
    let mut back = Vec::new();
    for col in &row.block.columns {
        if !prev_row.block.columns.iter().any(|c| c.key == col.key) {
            continue;
        }
        let here = cell_path(&def.key, &row.def.key, &col.key);
        let there = cell_path(&prev_def.key, &prev_row.def.key, &col.key);
        let (Some(a), Some(b)) = (
            this.tables.cell(&here).and_then(|c| c.number()),
            previous.tables.cell(&there).and_then(|c| c.number()),
        ) else {
            continue;
        };
        if a != b {
            let message = |this_file: &str, previous_file: &str| {
                format!(
                    "{}不成立（「{}」列）：{}；{year} 年（{this_file}）「{}」为 {}，{last} 年（{previous_file}）「{}」为 {}；两个单元格都可能有误 ({} fails across years)",
                    rule.id,
                    col.label,
                    rule.text,
                    row.def.label,
                    fmt_num(a),
                    prev_row.def.label,
                    fmt_num(b),
                    rule.id
                )
            };
            out.push(Diagnostic::new(Severity::Error, &rule.id, message("本报告", previous_name)).cell(here));
            back.push(Diagnostic::new(Severity::Error, &rule.id, message(this_name, "本报告")).cell(there));
        }
    }
    (out, back)
}

/// The issuing body's name as reports of one body are matched across years: without spaces,
/// punctuation and brackets, full-width forms folded (`（` `(`), so `XX市 人民政府办公室` and
/// `XX市人民政府办公室` match.
pub fn organization_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| {
            !c.is_whitespace() && !c.is_ascii_punctuation() && !"（）【】〔〕《》、，。·•".contains(*c)
        })
        .collect()
}

/// The key of a report's issuing body when it names one body and no other: its
/// [`organization_key`], unless the report doubts it (an error on the body or the year) or it
/// names no particular body (`本局`, `我委`, `该单位`: a word standing for the writer, shorter
/// than three characters, or starting with 本, 我 or 该).
pub fn body_key(report: &Report) -> Option<String> {
    let doubted = report.diagnostics.iter().any(|d| {
        d.severity == Severity::Error
            && matches!(
                d.code.as_str(),
                code::NO_ORGANIZATION | code::ORGANIZATION_DOUBTFUL | code::NO_YEAR
            )
    });
    let key = organization_key(report.organization.as_deref()?);
    let generic = key.chars().count() < 3 || key.starts_with(['本', '我', '该']);
    (!doubted && !generic).then_some(key)
}

/// Whether two reports are of one body, by [`body_key`]: R6 compares nothing else.
pub fn same_body(a: &Report, b: &Report) -> bool {
    body_key(a).is_some_and(|k| Some(k) == body_key(b))
}

/// Which report of `reports` is the year before which: `(this, previous)` index pairs, for
/// every report whose body ([`body_key`]) and year are certain and whose body has exactly one
/// report of the year before, also certain. Linear in the reports.
pub fn consecutive_years(reports: &[&Report]) -> Vec<(usize, usize)> {
    let mut by_key: HashMap<(String, i32), Vec<usize>> = HashMap::new();
    for (i, r) in reports.iter().enumerate() {
        if let (Some(key), Some(year)) = (body_key(r), r.year) {
            by_key.entry((key, year)).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for ((org, year), here) in &by_key {
        if let Some(before) = by_key.get(&(org.clone(), year - 1))
            && before.len() == 1
            && here.len() == 1
        {
            pairs.push((here[0], before[0]));
        }
    }
    pairs.sort_unstable();
    pairs
}
