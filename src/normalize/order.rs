//! Reading order of a table's values when they were not read beside their labels.
//!
//! Some PDFs come out of `pdftotext` (no `-layout`) one cell a line but out of order: a
//! block of labels before (or after) a run of values that belongs to several rows, or a
//! whole table column by column. The aligner then places the unlabelled runs on rows "by
//! position", which is right only when the values' order is certain.
//!
//! Here every stretch of such runs is read again. Its rows are bounded by the rows the
//! aligner placed by their labels around it (the form's row order); inside those bounds,
//! every reading the value counts allow is tried — each run on any contiguous range of rows
//! whose cells it fills exactly (so a label before or after its values, or a row missing,
//! are all tried), row by row or, for a run of rows of equal width, column by column — and
//! kept only if every rule (R1–R4 as equations, cells ≥ 0, see [`solve::propagate`]) still
//! holds with it. A row is taken when all surviving readings give it the same values;
//! otherwise it is withheld (left empty, with an error naming it).

use super::align::{self, Candidate, PrintRow, ReadValue};
use super::solve::{self, Domain, Equation, Grid};
use crate::diag::{Diagnostic, Severity, code};
use crate::form::{Layout, TableDef};

/// The label fit below which the aligner placed a candidate by position.
const BY_POSITION: f64 = 0.5;
/// Ways to lay a stretch's runs over its rows tried at most; beyond, the stretch is withheld.
const MAX_READINGS: usize = 4096;

/// The candidates and their rows after the reading order was checked.
#[derive(Debug)]
pub struct Ordered {
    /// The candidates: those outside any reordered stretch as they were, then one per row
    /// whose values were rebuilt.
    pub cands: Vec<Candidate>,
    /// For each print row, its candidate in `cands` (as `align::align` gives it).
    pub assignment: Vec<Option<usize>>,
    /// For each print row, whether its values were rebuilt here (their label was not read
    /// with them, so the label is not to be judged).
    pub rebuilt: Vec<bool>,
    /// A warning per rebuilt stretch, an error per withheld row.
    pub diagnostics: Vec<Diagnostic>,
}

/// How a run of values fills the rows it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    /// Row after row (the normal reading).
    Rows,
    /// Column after column: the first column of every row, then the second, ….
    Columns,
}

/// One reading of a stretch: per print row covered, its values in cell order.
type Reading = Vec<(usize, Vec<ReadValue>)>;

/// Checks the rows the aligner placed by position and rebuilds or withholds them.
/// `assignment` is `align::align(&cands, rows)`. Nothing changes when no row was placed by
/// position, or for a side-by-side table (one print row: nothing to order).
pub fn rebuild(
    def: &TableDef,
    rows: &[PrintRow],
    cands: Vec<Candidate>,
    assignment: Vec<Option<usize>>,
    eqs: &[Equation],
    dom: &Domain,
) -> Ordered {
    let unchanged = |cands, assignment| Ordered {
        cands,
        rebuilt: vec![false; rows.len()],
        assignment,
        diagnostics: Vec::new(),
    };
    if def.layout == Layout::SideBySide {
        return unchanged(cands, assignment);
    }
    let mut row_of: Vec<Option<usize>> = vec![None; cands.len()];
    for (j, a) in assignment.iter().enumerate() {
        if let Some(i) = *a {
            row_of[i] = Some(j);
        }
    }
    let positional: Vec<bool> = (0..cands.len())
        .map(|i| row_of[i].is_some_and(|j| align::label_fit(&cands[i], &rows[j]) < BY_POSITION))
        .collect();
    if !positional.contains(&true) {
        return unchanged(cands, assignment);
    }

    // Runs of values: a candidate that starts with text, then those that only continue it.
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    for i in 0..cands.len() {
        let continues =
            i > 0 && cands[i].pieces.is_empty() && cands[i].exact.is_none() && cands[i - 1].exact.is_none();
        match blocks.last_mut() {
            Some(b) if continues => b.end = i + 1,
            _ => blocks.push(i..i + 1),
        }
    }
    let affected: Vec<bool> = blocks.iter().map(|b| b.clone().any(|i| positional[i])).collect();
    // Stretches of neighbouring affected runs, as ranges of block indices.
    let mut stretches: Vec<std::ops::Range<usize>> = Vec::new();
    for (b, &a) in affected.iter().enumerate() {
        if !a {
            continue;
        }
        match stretches.last_mut() {
            Some(s) if s.end == b => s.end = b + 1,
            _ => stretches.push(b..b + 1),
        }
    }
    let in_stretch: Vec<bool> = {
        let mut v = vec![false; cands.len()];
        for s in &stretches {
            for b in s.clone() {
                for i in blocks[b].clone() {
                    v[i] = true;
                }
            }
        }
        v
    };

    // The rows the aligner placed by label, outside every stretch: the certain frame.
    let mut base: Grid = rows_grid(rows);
    for (j, a) in assignment.iter().enumerate() {
        if let Some(i) = *a
            && !in_stretch[i]
        {
            let c = &cands[i];
            let vals = c
                .exact
                .as_ref()
                .filter(|e| e.len() == rows[j].cells.len())
                .unwrap_or(&c.values);
            if vals.len() == rows[j].cells.len() {
                for (&(r, col), v) in rows[j].cells.iter().zip(vals) {
                    base[r][col] = v.number();
                }
            }
        }
    }

    // Each stretch: its free rows and its readings.
    struct Work {
        free: std::ops::Range<usize>,
        readings: Vec<Reading>,
        tried: usize,
        /// More readings than [`MAX_READINGS`]: none was tried.
        too_many: bool,
        order: Vec<Order>,
    }
    let mut work: Vec<Work> = Vec::new();
    for s in &stretches {
        let first = blocks[s.start].start;
        let last = blocks[s.end - 1].end;
        let lo = (0..first).filter_map(|i| row_of[i]).max().map_or(0, |j| j + 1);
        let hi = (last..cands.len())
            .filter_map(|i| row_of[i])
            .min()
            .unwrap_or(rows.len());
        let runs: Vec<Vec<ReadValue>> = s
            .clone()
            .map(|b| {
                blocks[b]
                    .clone()
                    .flat_map(|i| cands[i].values.iter().cloned())
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = rows.iter().map(|r| r.cells.len()).collect();
        let readings = if lo < hi {
            readings(&runs, &widths, lo..hi)
        } else {
            Some(Vec::new())
        };
        let too_many = readings.is_none();
        let (readings, order): (Vec<Reading>, Vec<Order>) = readings.unwrap_or_default().into_iter().unzip();
        work.push(Work {
            free: lo..hi.max(lo),
            too_many,
            tried: readings.len(),
            readings,
            order,
        });
    }

    // Keep the readings that agree with the rules; a stretch left with one reading joins the
    // frame the others are checked against, until nothing changes.
    let mut settled = vec![false; work.len()];
    loop {
        let mut progress = false;
        for (k, w) in work.iter_mut().enumerate() {
            if settled[k] {
                continue;
            }
            let before = w.readings.len();
            let keep: Vec<bool> = w
                .readings
                .iter()
                .map(|r| eqs.is_empty() || agrees(&base, rows, r, eqs, dom))
                .collect();
            let mut it = keep.iter();
            w.readings.retain(|_| *it.next().unwrap_or(&false));
            let mut it = keep.iter();
            w.order.retain(|_| *it.next().unwrap_or(&false));
            if w.readings.len() != before {
                progress = true;
            }
            if w.readings.len() == 1 {
                settled[k] = true;
                progress = true;
                for (j, vals) in &w.readings[0] {
                    for (&(r, c), v) in rows[*j].cells.iter().zip(vals) {
                        base[r][c] = v.number();
                    }
                }
            }
        }
        if !progress {
            break;
        }
    }

    // Rebuild: keep the candidates outside the stretches, add one per agreed row.
    let mut out = Ordered {
        cands: Vec::new(),
        assignment: vec![None; rows.len()],
        rebuilt: vec![false; rows.len()],
        diagnostics: Vec::new(),
    };
    let mut new_index = vec![None; cands.len()];
    for (i, c) in cands.iter().enumerate() {
        if !in_stretch[i] {
            new_index[i] = Some(out.cands.len());
            out.cands.push(c.clone());
        }
    }
    for (j, a) in assignment.iter().enumerate() {
        out.assignment[j] = a.and_then(|i| new_index[i]);
    }
    for (w, s) in work.iter().zip(&stretches) {
        // One candidate with its own (unrecognised) label: if the only place for it is the
        // aligner's, it stays as placed (and reported) by position.
        let lone = blocks[s.start].clone();
        if s.len() == 1 && lone.len() == 1 && !cands[lone.start].pieces.is_empty() {
            let i = lone.start;
            if let (Some(j), [reading]) = (row_of[i], w.readings.as_slice())
                && reading.len() == 1
                && reading[0].0 == j
            {
                out.assignment[j] = Some(out.cands.len());
                out.cands.push(cands[i].clone());
                continue;
            }
        }
        let mut taken = Vec::new();
        let mut withheld = Vec::new();
        for j in w.free.clone() {
            // A row no rule checks (table 二) is placed by the counts alone: a guess.
            let checked = solve::checked(eqs, &rows[j].cells);
            match agreed_row(&w.readings, j).filter(|_| checked) {
                Some(vals) => {
                    out.assignment[j] = Some(out.cands.len());
                    out.rebuilt[j] = true;
                    out.cands.push(Candidate {
                        pieces: Vec::new(),
                        values: vals,
                        ..Default::default()
                    });
                    taken.push(j);
                }
                None if w.readings.is_empty()
                    || w.readings.iter().any(|r| r.iter().any(|(x, _)| *x == j)) =>
                {
                    withheld.push(j)
                }
                // Every reading leaves it without values: it is a missing row as before.
                None => {}
            }
        }
        let line = w
            .readings
            .first()
            .and_then(|r| r.first())
            .and_then(|(_, v)| v.first())
            .map(|v| v.line);
        if !taken.is_empty() {
            let how = if w.order.iter().all(|o| *o == Order::Rows) {
                "逐行 (row by row)"
            } else if w.order.iter().all(|o| *o == Order::Columns) {
                "逐列 (column by column)"
            } else {
                "逐行与逐列 (row and column order)"
            };
            let which = if w.readings.len() == 1 {
                format!(
                    "{} 种读法中仅此一种成立 (the only one of {} readings the counts and the rules allow)",
                    w.tried, w.tried
                )
            } else {
                format!(
                    "{} 种读法中 {} 种成立，对这些行结果一致 ({} of {} readings hold and agree on these rows)",
                    w.tried,
                    w.readings.len(),
                    w.readings.len(),
                    w.tried
                )
            };
            out.diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    code::VALUES_REALIGNED,
                    format!(
                        "{} 行的数值未与行标签相邻，已按行序、每行数值个数与勾稽关系重排（{how}；{which}）：{} (values read apart from their labels; order rebuilt)",
                        taken.len(),
                        names(def, rows, &taken)
                    ),
                )
                .at(line)
                .cell(row_path(def, rows, taken[0])),
            );
        }
        for &j in &withheld {
            let checked = solve::checked(eqs, &rows[j].cells);
            let why = if !checked && agreed_row(&w.readings, j).is_some() {
                "只能按数值个数排列，没有勾稽关系可以核对 (only the counts place them; no rule checks this row)".to_string()
            } else if w.too_many {
                format!("可能的读法超过 {MAX_READINGS} 种 (more than {MAX_READINGS} readings)")
            } else if w.readings.is_empty() {
                format!(
                    "{} 种读法均不符合行数、每行数值个数或勾稽关系 (no reading of the values agrees with the counts and the rules)",
                    w.tried
                )
            } else {
                format!(
                    "{} 种读法符合勾稽关系但结果不同 ({} readings agree with the rules but differ)",
                    w.readings.len(),
                    w.readings.len()
                )
            };
            out.diagnostics.push(
                Diagnostic::new(
                    Severity::Error,
                    code::UNRESOLVED,
                    format!(
                        "{}的数值未与行标签相邻，读序无法确定，未采用：{why} (values read apart from their labels; their order is not determined, so they are withheld)",
                        names(def, rows, &[j])
                    ),
                )
                .at(line)
                .cell(row_path(def, rows, j)),
            );
        }
    }
    out
}

/// An empty grid shaped like the table.
fn rows_grid(rows: &[PrintRow]) -> Grid {
    let n = rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.0))
        .max()
        .map_or(0, |r| r + 1);
    let mut g: Grid = vec![Vec::new(); n];
    for row in rows {
        for &(r, c) in &row.cells {
            if g[r].len() <= c {
                g[r].resize(c + 1, None);
            }
        }
    }
    g
}

/// Every reading of `runs` (in order) over the rows `free`: each run on a contiguous range of
/// rows it fills exactly, the ranges in order; each run row by row, or column by column when
/// it covers two or more rows of equal width. `None` when there are too many.
fn readings(
    runs: &[Vec<ReadValue>],
    widths: &[usize],
    free: std::ops::Range<usize>,
) -> Option<Vec<(Reading, Order)>> {
    // Ranges per run, in order.
    let mut layouts: Vec<Vec<std::ops::Range<usize>>> = Vec::new();
    let mut cur = Vec::new();
    /// Lays runs `k..` over rows `start..hi`; false once the search grows too large.
    fn lay(
        runs: &[Vec<ReadValue>],
        widths: &[usize],
        hi: usize,
        start: usize,
        cur: &mut Vec<std::ops::Range<usize>>,
        out: &mut Vec<Vec<std::ops::Range<usize>>>,
        steps: &mut usize,
    ) -> bool {
        *steps += 1;
        if *steps > MAX_READINGS * 16 {
            return false;
        }
        let k = cur.len();
        if k == runs.len() {
            out.push(cur.clone());
            return out.len() <= MAX_READINGS;
        }
        // The runs left must fit in the rows left.
        let need: usize = runs[k..].iter().map(Vec::len).sum();
        if need > widths[start.min(hi)..hi].iter().sum::<usize>() {
            return true;
        }
        let m = runs[k].len();
        for s in start..hi {
            let mut sum = 0;
            for e in s..hi {
                sum += widths[e];
                if sum > m {
                    break;
                }
                if sum == m {
                    cur.push(s..e + 1);
                    let ok = lay(runs, widths, hi, e + 1, cur, out, steps);
                    cur.pop();
                    if !ok {
                        return false;
                    }
                }
            }
        }
        true
    }
    let mut steps = 0;
    if !lay(
        runs,
        widths,
        free.end,
        free.start,
        &mut cur,
        &mut layouts,
        &mut steps,
    ) {
        return None;
    }
    let mut out: Vec<(Reading, Order)> = Vec::new();
    for layout in layouts {
        // Orders per run: rows always; columns for a run of ≥ 2 rows of equal width.
        let options: Vec<Vec<Order>> = layout
            .iter()
            .map(|r| {
                let w = widths[r.start];
                if r.len() >= 2 && widths[r.clone()].iter().all(|&x| x == w) {
                    vec![Order::Rows, Order::Columns]
                } else {
                    vec![Order::Rows]
                }
            })
            .collect();
        let total: usize = options.iter().map(Vec::len).product();
        if out.len() + total > MAX_READINGS {
            return None;
        }
        for pick in 0..total {
            let mut rest = pick;
            let mut reading: Reading = Vec::new();
            let mut orders = Vec::new();
            for (k, range) in layout.iter().enumerate() {
                let order = options[k][rest % options[k].len()];
                rest /= options[k].len();
                orders.push(order);
                reading.extend(fill(&runs[k], widths, range.clone(), order));
            }
            let order = if orders.contains(&Order::Columns) {
                Order::Columns
            } else {
                Order::Rows
            };
            out.push((reading, order));
        }
    }
    Some(out)
}

/// The values of one run laid over the rows `range` in the given order.
fn fill(
    run: &[ReadValue],
    widths: &[usize],
    range: std::ops::Range<usize>,
    order: Order,
) -> Vec<(usize, Vec<ReadValue>)> {
    match order {
        Order::Rows => {
            let mut at = 0;
            range
                .map(|j| {
                    let vals = run[at..at + widths[j]].to_vec();
                    at += widths[j];
                    (j, vals)
                })
                .collect()
        }
        Order::Columns => {
            let k = range.len();
            range
                .enumerate()
                .map(|(i, j)| (j, (0..widths[j]).map(|c| run[c * k + i].clone()).collect()))
                .collect()
        }
    }
}

/// Whether the rules still hold with a reading's rows put into the frame.
fn agrees(base: &Grid, rows: &[PrintRow], reading: &Reading, eqs: &[Equation], dom: &Domain) -> bool {
    let mut g = base.clone();
    let mut touched: Vec<Vec<bool>> = g.iter().map(|r| vec![false; r.len()]).collect();
    for (j, vals) in reading {
        for (&(r, c), v) in rows[*j].cells.iter().zip(vals) {
            let x = v.number();
            if let Some(x) = x
                && !admits(dom, r, c, x)
            {
                return false;
            }
            g[r][c] = x;
            touched[r][c] = true;
        }
    }
    solve::propagate(&mut g, eqs, dom, &mut touched, true)
}

fn admits(dom: &Domain, r: usize, c: usize, v: f64) -> bool {
    (!dom.nonnegative[r][c] || v > -1e-6) && (!dom.integral[r][c] || (v - v.round()).abs() < 1e-6)
}

/// The values every reading gives row `j`, when they all give it the same.
fn agreed_row(readings: &[Reading], j: usize) -> Option<Vec<ReadValue>> {
    let mut found: Option<&Vec<ReadValue>> = None;
    for r in readings {
        let vals = &r.iter().find(|(x, _)| *x == j)?.1;
        match found {
            None => found = Some(vals),
            Some(prev) => {
                let same = prev.len() == vals.len()
                    && prev
                        .iter()
                        .zip(vals)
                        .all(|(a, b)| match (a.number(), b.number()) {
                            (Some(x), Some(y)) => (x - y).abs() < 1e-6,
                            _ => a.raw == b.raw,
                        });
                if !same {
                    return None;
                }
            }
        }
    }
    found.cloned()
}

fn row_path(def: &TableDef, rows: &[PrintRow], j: usize) -> String {
    let r = rows[j].cells.first().map_or(0, |c| c.0);
    format!("{}.{}", def.key, def.row(r).map_or("", |x| x.def.key.as_str()))
}

/// The rows' labels, quoted, for a message.
fn names(def: &TableDef, rows: &[PrintRow], js: &[usize]) -> String {
    js.iter()
        .map(|&j| {
            let r = rows[j].cells.first().map_or(0, |c| c.0);
            format!("「{}」", def.row(r).map_or("", |x| x.def.label.as_str()))
        })
        .collect::<Vec<_>>()
        .join("")
}

#[cfg(test)]
mod tests {
    use crate::diag::{Severity, code};
    use crate::form::Forms;
    use crate::normalize::tables::{TableResult, read_table};
    use crate::read::text;

    fn read(form: &str, table: &str, src: &str) -> TableResult {
        let forms = Forms::builtin();
        let form = forms.get(form).unwrap();
        let def = form.table(table).unwrap();
        read_table(form, def, &text::read(src).blocks)
    }

    /// Table 三 of the 2019 form (23 rows × 自然人…其他, 总计) obeying R1–R3.
    fn grid_2019() -> Vec<Vec<u32>> {
        let mut g: Vec<Vec<u32>> = vec![Vec::new(); 23];
        // Result rows 2..=20, varied values.
        for (i, row) in g.iter_mut().enumerate().take(21).skip(2) {
            let i = i as u32;
            *row = vec![
                (i * 7) % 11,
                (i * 3) % 5,
                i % 2,
                0,
                u32::from(i.is_multiple_of(3)),
                0,
            ];
        }
        g[1] = vec![1, 0, 0, 0, 0, 0];
        g[22] = vec![2, 1, 0, 0, 0, 0];
        g[21] = (0..6).map(|c| (2..=20).map(|r| g[r][c]).sum()).collect();
        g[0] = (0..6).map(|c| g[21][c] + g[22][c] - g[1][c]).collect();
        for row in &mut g {
            let total = row.iter().sum();
            row.push(total);
        }
        g
    }

    fn labels(form: &str) -> Vec<String> {
        let forms = Forms::builtin();
        let def = forms.get(form).unwrap().table("applications").unwrap().clone();
        def.rows().map(|r| r.def.label.clone()).collect()
    }

    fn assert_table(result: &TableResult, g: &[Vec<u32>]) {
        for (r, row) in g.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                assert_eq!(
                    result.table.get(r, c).number(),
                    Some(f64::from(v)),
                    "cell {r},{c}"
                );
            }
        }
        let errors: Vec<_> = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error || d.code == code::ROW_BY_POSITION)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_table_read_column_by_column_is_rebuilt() {
        let g = grid_2019();
        let mut lines: Vec<String> = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业"]
            .map(String::from)
            .to_vec();
        for c in 0..7 {
            lines.extend(g.iter().map(|row| row[c].to_string()));
        }
        lines.extend(labels("2019"));
        let result = read("2019", "applications", &lines.join("\n"));
        assert_table(&result, &g);
        let realigned: Vec<_> = result
            .diagnostics
            .iter()
            .filter(|d| d.code == code::VALUES_REALIGNED)
            .collect();
        assert_eq!(realigned.len(), 1);
        assert!(
            realigned[0].message.contains("column by column"),
            "{}",
            realigned[0].message
        );
        assert!(realigned[0].message.contains("23 行"));
    }

    #[test]
    fn labels_after_their_values_are_rebuilt_between_their_neighbours() {
        // Rows 4, 5, 6 (三、4.–6.): the first label, then the values of all three, then the
        // two other labels (as pdftotext gives a table broken over a page).
        let g = grid_2019();
        let labels = labels("2019");
        let mut lines = Vec::new();
        for (r, label) in labels.iter().enumerate() {
            if r == 8 || r == 9 {
                continue;
            }
            lines.push(label.clone());
            let run = if r == 7 { &g[7..10] } else { &g[r..=r] };
            for row in run {
                lines.extend(row.iter().map(u32::to_string));
            }
            if r == 7 {
                lines.extend(labels[8..10].iter().cloned());
            }
        }
        let result = read("2019", "applications", &lines.join("\n"));
        assert_table(&result, &g);
        assert!(result.diagnostics.iter().any(|d| d.code == code::VALUES_REALIGNED
            && d.cell.as_deref() == Some("applications.withheld.third_party")));
    }

    #[test]
    fn a_run_two_readings_allow_is_withheld() {
        // 规章 and 行政规范性文件 (3 values each) in one run: row by row and column by column
        // both fit, and table 二 has no rule to tell them apart.
        let result = read(
            "2021",
            "active_disclosure",
            "规章\n1\n0\n11\n8\n26\n66\n行政许可\n5\n行政处罚\n6\n行政强制\n7\n行政事业性收费\n1.5",
        );
        for r in 0..2 {
            for c in 0..3 {
                assert_eq!(result.table.get(r, c).number(), None, "cell {r},{c}");
            }
        }
        for row in [
            "active_disclosure.regulations",
            "active_disclosure.normative_documents",
        ] {
            assert!(
                result.diagnostics.iter().any(|d| d.severity == Severity::Error
                    && d.code == code::UNRESOLVED
                    && d.cell.as_deref() == Some(row)
                    && d.message.contains("2 种读法")),
                "{row}: {:?}",
                result.diagnostics
            );
        }
        assert_eq!(result.table.get(2, 0).number(), Some(5.0));
        assert_eq!(result.table.get(5, 0).number(), Some(1.5));
    }

    #[test]
    fn a_garbled_label_keeps_its_only_place() {
        let result = read(
            "2021",
            "active_disclosure",
            "规章 1 0 11\n行政规范性文件 8 26 66\n行政许可 5\n口口口 6\n行政强制 7\n行政事业性收费 1.5",
        );
        assert_eq!(result.table.get(3, 0).number(), Some(6.0));
        assert!(result.diagnostics.iter().any(|d| d.code == code::ROW_BY_POSITION));
        assert!(!result.diagnostics.iter().any(|d| d.severity == Severity::Error));
    }
}
