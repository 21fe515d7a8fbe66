//! One table: from the blocks of its region to the form's cells, with every repair reported.

use super::align::{self, Candidate, PrintRow, ReadValue, Slot};
use super::order;
use super::solve::{self, Domain, Grid, Placement};
use super::solver::{self, Outcome, Piece, RowReadings};
use crate::diag::{Diagnostic, Severity, code};
use crate::form::{Form, Layout, TableDef};
use crate::model::{Cell, Table, cell_path, fmt_num};
use crate::read::RawBlock;

/// Where a cell's content came from, for reporting what could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    /// Read directly at a known position.
    Read,
    /// A real blank cell of a grid.
    Blank,
    /// Its value was lost or unreadable.
    Lost,
    /// Its row was placed by the rules from fewer (or more) values than cells.
    Placed,
}

pub struct TableResult {
    /// Whether any row of values was found at all.
    pub found: bool,
    pub table: Table,
    pub diagnostics: Vec<Diagnostic>,
    pub not_applicable: Vec<String>,
    /// The 1-based source line each form row's values were read from, by row path
    /// (`applications.new_received`): where a reader of the report finds the row.
    pub row_lines: Vec<(String, usize)>,
}

pub fn read_table(form: &Form, def: &TableDef, blocks: &[RawBlock]) -> TableResult {
    read_table_ending(form, def, blocks, false)
}

/// A side-by-side table's values are one line, and every run of figures in its region is
/// joined into it; a sentence of prose there (`全年因政府信息公开工作被申请行政复议0件，被提起
/// 行政诉讼0件。`) quotes figures but holds none of the table's. Runs whose values all stand on
/// a text line ending a sentence (`。`, `；`) are left out, when other runs hold values.
fn without_quoting_sentences(cands: Vec<Candidate>, blocks: &[RawBlock]) -> Vec<Candidate> {
    let sentence_lines: std::collections::HashSet<usize> = blocks
        .iter()
        .filter_map(|b| match b {
            RawBlock::Text { line, text, .. } if text.trim_end().ends_with(['。', '；']) => Some(*line),
            _ => None,
        })
        .collect();
    let quoting = |c: &Candidate| {
        c.exact.is_none() && !c.values.is_empty() && c.values.iter().all(|v| sentence_lines.contains(&v.line))
    };
    if cands.iter().all(|c| quoting(c) || c.values.is_empty()) {
        return cands;
    }
    cands.into_iter().filter(|c| !quoting(c)).collect()
}

/// [`read_table`] for a table that may be the last thing in the input: with `ends_input`,
/// a last grid row short of cells is read as cut off where the input stops (an excerpt): its
/// cells stand at their grid positions and the rest of it is absent, never inferred.
pub fn read_table_ending(form: &Form, def: &TableDef, blocks: &[RawBlock], ends_input: bool) -> TableResult {
    let rows = align::print_rows(def);
    let mut cands = align::candidates(blocks, &rows);
    let mut interleaved = false;
    let eqs = solve::equations(form, def);
    let mut run_order: Option<(usize, usize, usize)> = None;
    if def.layout == Layout::SideBySide {
        cands = without_quoting_sentences(cands, blocks);
        let runs: Vec<usize> = cands.iter().map(|c| c.values.len()).collect();
        // Grid rows (HTML, DOCX, pipes) are not pdftotext's moved runs.
        let gridded = cands.iter().any(|c| c.exact.is_some());
        // A run may be left out only when text stands on its line (OCR noise in a header
        // line read as numbers), never a line of values alone.
        let noisy: Vec<bool> = cands
            .iter()
            .map(|c| {
                let line = c.values.first().map(|v| v.line);
                cands.iter().any(|o| o.pieces.iter().any(|p| Some(p.1) == line))
            })
            .collect();
        (cands, interleaved) = align::join_runs(cands);
        // Values interleaved with header text: pdftotext moves whole runs of them. The runs
        // are tried in every order; the order is taken when it is the only one the rules
        // allow.
        if interleaved
            && !gridded
            && let Some(joined) = cands.first_mut()
            && let Some((values, tried, dropped)) = unique_run_order(def, &joined.values, &runs, &noisy, &eqs)
        {
            joined.values = values;
            interleaved = false;
            run_order = Some((runs.len(), tried, dropped));
        }
    }
    // A header that names every column in another order than the form's: each row of values
    // after it, one value a column, is read in the header's order.
    let headers = column_orders(def, blocks);
    for c in cands.iter_mut() {
        let line = c.line();
        if let Some((
            _,
            Some(ColumnOrder {
                order: Some(order), ..
            }),
        )) = headers.iter().rev().find(|h| h.0 < line)
        {
            reorder(c, order);
        }
    }
    let columns = headers.into_iter().find_map(|h| h.1);
    // A group of the form printed as one row with values (an older form's row): taken
    // out, so it is never read as one of the group's rows.
    let mixed = mixed_groups(def, &mut cands);
    let dom = Domain::of(def);
    let assignment = align::align(&cands, &rows);
    // Rows placed by position: rebuilt when the counts and rules fix their order, else withheld.
    let ordered = order::rebuild(def, &rows, cands, assignment, &eqs, &dom);
    let (cands, assignment) = (ordered.cands, ordered.assignment);
    let mut ctx = Context {
        label_cores: std::cell::OnceCell::new(),
        def,
        form_version: form.version.clone(),
        title: form
            .section(&def.section)
            .map_or_else(|| def.key.clone(), |s| s.title()),
        grid: def.rows().map(|r| vec![None; r.block.columns.len()]).collect(),
        origin: def
            .rows()
            .map(|r| vec![Origin::Lost; r.block.columns.len()])
            .collect(),
        na: def.rows().map(|r| vec![false; r.block.columns.len()]).collect(),
        held: def.rows().map(|r| vec![false; r.block.columns.len()]).collect(),
        lines: vec![None; def.row_count()],
        diags: ordered.diagnostics,
    };

    // Values interleaved with header text stand in reading order, which the rules cannot
    // vouch for (R4 holds for many orders of small counts): the table is in doubt.
    if interleaved {
        let line = cands.first().map(Candidate::line);
        ctx.diags.push(
            Diagnostic::new(
                Severity::Error,
                code::VALUES_REALIGNED,
                "数值与表头文字交错，已按阅读顺序排列，顺序无法确认 (values were interleaved with header text; read in reading order, which cannot be confirmed)",
            )
            .at(line)
            .cell(def.key.clone()),
        );
    } else if let Some((runs, tried, dropped)) = run_order {
        let left_out = if dropped > 0 {
            format!("，另有 {dropped} 个数值不属于表格 ({dropped} value(s) left out)")
        } else {
            String::new()
        };
        ctx.diags.push(
            Diagnostic::new(
                Severity::Warning,
                code::VALUES_REALIGNED,
                format!(
                    "数值与表头文字交错，分成 {runs} 段；{tried} 种排列中只有一种符合勾稽关系，已按其读取{left_out} (values interleaved with header text in {runs} runs; of {tried} arrangements of the runs only one keeps the rules)"
                ),
            )
            .at(cands.first().map(Candidate::line))
            .cell(def.key.clone()),
        );
    } else if let Some(ColumnOrder { line, labels, order }) = &columns {
        ctx.diags.push(
            match order {
                Some(_) => Diagnostic::new(
                    Severity::Warning,
                    code::VALUES_REALIGNED,
                    format!(
                        "表头的列序与官方格式不同（{labels}），各行数值已按表头列序读取 (the header's columns are not in the form's order; each row's values were read in the header's order)"
                    ),
                ),
                None => Diagnostic::new(
                    Severity::Error,
                    code::VALUES_REALIGNED,
                    format!(
                        "表头的列序与官方格式不同（{labels}），数值按官方列序读取，可能错位 (the header's columns are not in the form's order; values read in the form's order may be misplaced)"
                    ),
                ),
            }
            .at(Some(*line))
            .cell(def.key.clone()),
        );
    } else if let Some(order) = header_order(def, &cands) {
        ctx.diags.push(
            Diagnostic::new(
                Severity::Error,
                code::VALUES_REALIGNED,
                format!(
                    "表头的分组顺序与官方格式不同（{order}），数值按官方顺序读取，可能错位 (the header's groups are not in the form's order; values read in the form's order may be misplaced)"
                ),
            )
            .at(cands.first().map(Candidate::line))
            .cell(def.key.clone()),
        );
    }
    let value_column = value_column(&rows, &cands, &assignment);
    let grid_width = grid_width(&cands);
    for (label, line, members) in &mixed {
        ctx.note_mixed(label, *line, members);
    }
    let (tails, absorbed) = tails_of(&cands, &assignment, rows.len());
    let cut = if ends_input {
        cut_row(&rows, &cands, &assignment, value_column)
    } else {
        None
    };
    let mut pending: Vec<(usize, &Candidate)> = Vec::new();
    // Grid rows read by position with blank cells, checked against the rules below.
    let mut grid_blanks: Vec<(usize, &Candidate)> = Vec::new();
    for (j, row) in rows.iter().enumerate() {
        let Some(i) = assignment[j] else {
            continue;
        };
        let cand = &cands[i];
        if let Some(others) = ctx.holds_other_labels(&rows, j, cand) {
            ctx.reject_placement(
                row,
                cand,
                &format!(
                    "行标签文字中含有其他行的标签（{others}），多行连在一起，数值无法对应 (the label text holds other rows' labels: rows run together, the values cannot be placed)"
                ),
            );
            continue;
        }
        if !ordered.rebuilt[j] {
            ctx.note_label(&rows, row, cand);
        }
        let n = row.cells.len();
        if let Some((_, values)) = cut.as_ref().filter(|c| c.0 == j) {
            for (&(r, c), v) in row.cells.iter().zip(values) {
                ctx.put(r, c, v);
            }
            ctx.diags.push(
                Diagnostic::new(
                    Severity::Error,
                    code::UNRESOLVED,
                    format!(
                        "{}只有 {} 个数值（应有 {n} 个），输入在此中断，其余单元格缺失 (the input stops inside this row; its other cells are absent)",
                        ctx.row_name(row),
                        values.len()
                    ),
                )
                .at(Some(cand.line()))
                .cell(ctx.row_path(row)),
            );
            continue;
        }
        // A row read by grid position: each cell at its grid column, a blank cell blank.
        let by_grid = grid_cells(cand, n, value_column, grid_width);
        let exact = by_grid.as_ref().or_else(|| {
            cand.exact
                .as_ref()
                .filter(|e| cand.grid_start.is_none() && e.len() == n)
        });
        let signed = (exact.is_none() && cand.values.len() > n)
            .then(|| align::join_minus_signs(&cand.values, n))
            .flatten();
        let direct = exact.or(signed.as_ref()).or_else(|| {
            (cand.values.len() == n
                && cand.values.iter().all(|v| v.slot != Slot::Unknown)
                && cand
                    .values
                    .iter()
                    .all(|v| v.run.as_ref().is_none_or(|r| r.tail.is_none())))
            .then_some(&cand.values)
        });
        // A grid row read token by token with blank cells may be a lost value beside an
        // extra empty cell: it is placed like a short row, once the certain rows are in, so
        // the rules decide.
        let blanks = by_grid.is_none() && exact.is_some_and(|e| e.iter().any(|v| v.blank));
        let direct = match direct {
            // Pieces on the lines below may continue its numbers: read with them.
            Some(_) if tails[j].as_ref().is_some_and(|t| !t.is_empty()) => {
                pending.push((j, cand));
                None
            }
            Some(_) if blanks && !eqs.is_empty() => {
                pending.push((j, cand));
                None
            }
            // Reading order interleaved with header text: take the values where they stand
            // only if the rules agree with that.
            Some(values) if interleaved && !eqs.is_empty() => {
                let vals: Vec<Option<f64>> = values.iter().map(ReadValue::number).collect();
                if let Placement::Agreed { consistent: 1, .. } =
                    solve::place(&ctx.grid, &row.cells, &vals, &eqs, &dom)
                {
                    Some(values)
                } else {
                    ctx.reject_placement(
                        row,
                        cand,
                        "按阅读顺序排列的数值不符合勾稽关系，未采用 (in reading order the values break the rules; not used)",
                    );
                    None
                }
            }
            Some(values) => Some(values),
            None => {
                pending.push((j, cand));
                None
            }
        };
        if let Some(values) = direct {
            for (&(r, c), v) in row.cells.iter().zip(values) {
                ctx.put(r, c, v);
            }
            if by_grid.as_ref().is_some_and(|e| e.iter().any(|v| v.blank)) {
                grid_blanks.push((j, cand));
            }
        }
        let repaired: Vec<(String, &ReadValue)> = match direct {
            Some(values) => values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.repaired.is_some())
                .map(|(k, v)| (ctx.cell_path(row.cells[k].0, row.cells[k].1), v))
                .collect(),
            None => cand
                .values
                .iter()
                .filter(|v| v.repaired.is_some())
                .map(|v| (ctx.row_path(row), v))
                .collect(),
        };
        for (path, v) in repaired {
            let fix = v.repaired.as_deref().unwrap_or_default();
            ctx.diags.push(
                Diagnostic::new(
                    Severity::Info,
                    code::DIGIT_REPAIRED,
                    format!("数字识别修正 (OCR digit repaired): {fix}"),
                )
                .at(Some(v.line))
                .cell(path),
            );
        }
    }
    for (i, cand) in cands.iter().enumerate() {
        if !assignment.contains(&Some(i)) && !absorbed[i] && !cand.values.is_empty() {
            let vals: Vec<&str> = cand.values.iter().map(|v| v.raw.as_str()).collect();
            // Values left over right before a row no rule checks may be the first part of
            // its value, wrapped in a narrow cell (`44722` / `行政许可` / `8`): that row is in
            // doubt. Before a row the rules check, they could not be its values.
            let next_row = assignment
                .iter()
                .enumerate()
                .filter_map(|(j, a)| a.filter(|&k| k == i + 1).map(|_| j))
                .next();
            // Only values under a header's words (its caption, `信息内容`): a row of its own
            // that is not the form's (`其他对外管理服务事项 5`) is no part of the next.
            let label = super::text::squash(&cand.label_text());
            let under_header = def
                .row_header
                .iter()
                .chain(def.blocks.iter().filter_map(|b| b.caption.as_ref()))
                .any(|h| label.contains(&super::text::squash(h)));
            let doubtful = next_row.filter(|&j| under_header && !solve::checked(&eqs, &rows[j].cells));
            let (severity, cell) = match doubtful {
                Some(j) => (Severity::Error, ctx.row_path(&rows[j])),
                None => (Severity::Warning, def.key.clone()),
            };
            ctx.diags.push(
                Diagnostic::new(
                    severity,
                    code::ROW_UNMATCHED,
                    format!(
                        "「{}」表中有一行数值无法对应到表格行，未采用 (values not matched to any row): 「{}」 {}",
                        ctx.title,
                        cand.label_text(),
                        vals.join(" ")
                    ),
                )
                .at(Some(cand.line()))
                .cell(cell),
            );
        }
    }

    // A blank cell may also be a lost value beside a padding cell: a row whose blanks the
    // rules cannot take (with blanks as unknowns ≥ 0) is placed by the rules instead.
    for (j, cand) in grid_blanks {
        if !ctx.feasible(&rows[j], &eqs, &dom) {
            for &(r, c) in &rows[j].cells {
                ctx.grid[r][c] = None;
                ctx.origin[r][c] = Origin::Lost;
            }
            pending.push((j, cand));
        }
    }
    // Values interleaved with header text are in an uncertain order: no readings then.
    let pending = if interleaved {
        pending
    } else {
        ctx.solve_readings(&rows, pending, &tails, &eqs, &dom)
    };
    ctx.place_pending(&rows, &pending, &eqs, &dom);
    let mut absent = absent_tail(&rows, &cands, &assignment);
    if let Some((j, values)) = &cut {
        absent.extend(rows[*j].cells.iter().skip(values.len()).copied());
    }
    ctx.fill_by_rules(&eqs, &dom, &absent);
    ctx.report_unresolved(&rows, &assignment);
    let mut result = ctx.finish();
    result.found = !cands.is_empty();
    in_yuan(def, blocks, &mut result);
    result
}

/// A column the form keeps in 万元 whose header in the source says 元 (`本年收费金额（单位：
/// 元）`): its figures are converted (÷ 10,000), each said by a warning. Read as printed they
/// would be ten thousand times the amount.
fn in_yuan(def: &TableDef, blocks: &[RawBlock], result: &mut TableResult) {
    use super::text::squash;
    for b in &def.blocks {
        for col in b.columns.iter().filter(|c| c.label.contains("万元")) {
            let stem = squash(col.label.split(['（', '(']).next().unwrap_or_default());
            let says_yuan = !stem.is_empty()
                && blocks.iter().any(|block| {
                    let text = match block {
                        RawBlock::Text { text, .. } => squash(text),
                        RawBlock::Row { cells, .. } => squash(&cells.join(" ")),
                    };
                    text.find(&stem).is_some_and(|at| {
                        let rest = &text[at + stem.len()..];
                        let unit = rest.split(['）', ')']).next().unwrap_or_default();
                        unit.contains('元')
                            && !unit.contains("万元")
                            && !rest.chars().any(|c| c.is_ascii_digit())
                    })
                });
            if !says_yuan {
                continue;
            }
            for row in &b.rows {
                let Some(r) = result.table.rows.iter_mut().find(|r| r.key == row.key) else {
                    continue;
                };
                let Some(cell) = r.cells.iter_mut().find(|c| c.0 == col.key) else {
                    continue;
                };
                if let crate::model::Cell::Number(v) = cell.1 {
                    let converted = (v / 10_000.0 * 1e8).round() / 1e8;
                    cell.1 = crate::model::Cell::Number(converted);
                    result.diagnostics.push(
                        Diagnostic::new(
                            Severity::Warning,
                            code::UNIT_CONVERTED,
                            format!(
                                "「{}」表头单位为元，{} 元已换算为 {} 万元 (the header gives yuan; converted to 10,000 yuan)",
                                row.label,
                                crate::model::fmt_num(v),
                                crate::model::fmt_num(converted)
                            ),
                        )
                        .cell(crate::model::cell_path(&def.key, &row.key, &col.key)),
                    );
                }
            }
        }
    }
}

/// The cells of the rows after the last row found, when nothing was read after it: the
/// input stops there (an excerpt, a lost page), so those cells are absent, not lost, and
/// the rules do not fill them (a report that stops mid-table is not known to keep the rules
/// in what it does not show).
fn absent_tail(rows: &[PrintRow], cands: &[Candidate], assignment: &[Option<usize>]) -> Vec<(usize, usize)> {
    let Some(last_row) = assignment.iter().rposition(Option::is_some) else {
        return Vec::new();
    };
    let last_cand = assignment[last_row].unwrap_or(0);
    if cands[last_cand + 1..].iter().any(|c| !c.values.is_empty()) {
        return Vec::new();
    }
    rows[last_row + 1..]
        .iter()
        .flat_map(|r| r.cells.iter().copied())
        .collect()
}

/// The last row found, when it is a grid row short of cells with nothing read after it and
/// its values start at the table's value column: the input was cut inside it. Its form row
/// and its values, in grid order.
fn cut_row(
    rows: &[PrintRow],
    cands: &[Candidate],
    assignment: &[Option<usize>],
    value_column: Option<usize>,
) -> Option<(usize, Vec<ReadValue>)> {
    let j = assignment.iter().rposition(Option::is_some)?;
    let i = assignment[j]?;
    if cands[i + 1..].iter().any(|c| !c.values.is_empty()) {
        return None;
    }
    let cand = &cands[i];
    let (start, tail) = (cand.grid_start?, cand.exact.as_ref()?);
    let starts_right = value_column.is_none_or(|col| col == start);
    (starts_right && !tail.is_empty() && tail.len() < rows[j].cells.len()).then(|| (j, tail.clone()))
}

/// The most runs whose orders are tried (6! = 720 orders).
const MAX_RUNS: usize = 6;

/// The values of a side-by-side table read in runs (`lens`, in reading order), put in the
/// one order of the runs under which every equation holds. Runs marked `noisy` (text on
/// their line: OCR noise in a header read as numbers) may be left out when the rest fill
/// the table exactly. Returns the values,
/// the number of arrangements tried and of values left out; `None` when no arrangement, or
/// several giving different cells, keep the rules, when a value is unreadable, or past
/// [`MAX_RUNS`] runs.
fn unique_run_order(
    def: &TableDef,
    values: &[ReadValue],
    lens: &[usize],
    noisy: &[bool],
    eqs: &[solve::Equation],
) -> Option<(Vec<ReadValue>, usize, usize)> {
    let width: Vec<usize> = def.rows().map(|r| r.block.columns.len()).collect();
    let cells: usize = width.iter().sum();
    if eqs.is_empty()
        || lens.len() > MAX_RUNS
        || lens.iter().sum::<usize>() != values.len()
        || values.iter().any(|v| v.number().is_none())
    {
        return None;
    }
    let mut starts = Vec::with_capacity(lens.len());
    let mut at = 0;
    for &l in lens {
        starts.push(at);
        at += l;
    }
    let holds = |flat: &[f64]| {
        let mut grid: Vec<Vec<f64>> = Vec::new();
        let mut k = 0;
        for &w in &width {
            grid.push(flat[k..k + w].to_vec());
            k += w;
        }
        eqs.iter().all(|e| {
            e.terms
                .iter()
                .map(|&(r, c, coef)| coef * grid[r][c])
                .sum::<f64>()
                .abs()
                < 1e-6
        })
    };
    let mut found: Option<(Vec<ReadValue>, usize)> = None;
    let mut tried = 0;
    for mask in 1u32..(1 << lens.len()) {
        let chosen: Vec<usize> = (0..lens.len()).filter(|&i| mask & (1 << i) != 0).collect();
        let drops_clean_run = (0..lens.len()).any(|i| mask & (1 << i) == 0 && !noisy[i]);
        if drops_clean_run || chosen.iter().map(|&i| lens[i]).sum::<usize>() != cells {
            continue;
        }
        let mut perm = chosen.clone();
        loop {
            tried += 1;
            let reordered: Vec<ReadValue> = perm
                .iter()
                .flat_map(|&i| values[starts[i]..starts[i] + lens[i]].iter().cloned())
                .collect();
            let flat: Vec<f64> = reordered.iter().filter_map(ReadValue::number).collect();
            if holds(&flat) {
                match &found {
                    None => found = Some((reordered, values.len() - cells)),
                    Some((prev, _)) => {
                        let same = prev.iter().zip(&reordered).all(|(a, b)| a.number() == b.number());
                        if !same {
                            return None;
                        }
                    }
                }
            }
            if !next_permutation(&mut perm) {
                break;
            }
        }
    }
    found.map(|(v, dropped)| (v, tried, dropped))
}

/// Steps `p` to the next permutation in lexicographic order; false after the last.
fn next_permutation(p: &mut [usize]) -> bool {
    let Some(i) = (1..p.len()).rev().find(|&i| p[i - 1] < p[i]) else {
        return false;
    };
    let j = (i..p.len()).rev().find(|&j| p[j] > p[i - 1]).unwrap_or(i);
    p.swap(i - 1, j);
    p[i..].reverse();
    true
}

/// A row's values, one a column in a header's order, put in the form's order (`order[k]`
/// is the form's column of the k-th value). A row with another count is left as it is: it
/// is not a row of that header's block, or a value is lost and the order cannot say which.
fn reorder(c: &mut Candidate, order: &[usize]) {
    let n = order.len();
    let permute = |values: &[ReadValue]| {
        let mut out = values.to_vec();
        for (k, v) in values.iter().enumerate() {
            out[order[k]] = v.clone();
        }
        out
    };
    if let Some(exact) = &c.exact {
        if exact.len() == n {
            let exact = permute(exact);
            c.values = exact.iter().filter(|v| !v.blank).cloned().collect();
            c.exact = Some(exact);
        }
    } else if c.values.len() == n && c.values.iter().all(|v| v.run.is_none()) {
        c.values = permute(&c.values);
    }
}

/// A header line whose columns stand in another order than the form's.
struct ColumnOrder {
    /// The header's source line.
    line: usize,
    /// The column labels in the header's order, joined for a message.
    labels: String,
    /// When the values' columns follow from the header: the form's column of each value of a
    /// row (`order[k]` is the column the k-th value belongs to).
    order: Option<Vec<usize>>,
}

/// The header lines of a table printed row by row (lines naming its column labels), each
/// with what is wrong with its order, if anything: a line whose column labels stand in another order
/// than the form's (`商业企业 社会公益组织 科研机构 …`, `信息内容 现行有效件数 本年制发件数 …`):
/// its line and the order it gives. Two orders are the form's: the columns' own, and the
/// header's rows read one after the other (`自然人 法人或其他组织 总计 商业企业 …`, a
/// two-row header flattened onto one line). The rules do not see two columns swapped
/// inside a group, so the order a header states is the only witness.
fn column_orders(def: &TableDef, blocks: &[RawBlock]) -> Vec<(usize, Option<ColumnOrder>)> {
    use super::text::squash;
    let mut out = Vec::new();
    if def.layout == Layout::SideBySide {
        return out;
    }
    // The header's row-major order of the columns.
    let row_major: Vec<String> = def
        .header
        .iter()
        .flatten()
        .filter_map(|c| c.column.clone())
        .collect();
    for block in blocks {
        let (cells, line): (Vec<&str>, usize) = match block {
            RawBlock::Text { text, line, .. } => (vec![text.as_str()], *line),
            RawBlock::Row { cells, line, .. } => (cells.iter().map(String::as_str).collect(), *line),
        };
        // A header line is short; a longer one is prose or a table's rows.
        if cells.iter().map(|c| c.len()).sum::<usize>() > 400 {
            continue;
        }
        let has_value = cells.iter().any(|c| {
            c.split_whitespace()
                .any(|w| matches!(super::cells::classify(w), super::cells::CellKind::Number { .. }))
        });
        if has_value {
            continue;
        }
        // The line's words run together, with where each starts and ends: a label counts
        // only as whole words (`社会 公益 组织` as OCR splits it is one), never inside a word
        // (`其他` of `或其他:`, `科研机构` of a note `注：社会公益组织含科研机构`).
        let mut text = String::new();
        let (mut starts, mut ends) = (vec![0usize], vec![0usize]);
        for w in cells.iter().flat_map(|c| c.split_whitespace()) {
            let w = squash(w);
            if w.is_empty() {
                continue;
            }
            starts.push(text.len());
            text.push_str(&w);
            ends.push(text.len());
        }
        let find = |label: &str| {
            let label = squash(label);
            text.match_indices(label.as_str())
                .map(|(at, _)| at)
                .find(|&at| starts.contains(&at) && ends.contains(&(at + label.len())))
        };
        // A label of four characters or more found inside a word: the line is no header (a
        // note, a sentence). Short ones stand inside the group captions (`其他` of
        // `法人或其他组织`).
        let inside_word = def.blocks.iter().flat_map(|b| &b.columns).any(|col| {
            let label = squash(&col.label);
            label.chars().count() >= 4 && text.contains(label.as_str()) && find(&col.label).is_none()
        });
        if inside_word {
            continue;
        }
        // The block whose column labels the line names most.
        let best = def
            .blocks
            .iter()
            .map(|b| {
                let mut found: Vec<(usize, usize)> = b
                    .columns
                    .iter()
                    .enumerate()
                    .filter_map(|(k, col)| find(&col.label).map(|at| (at, k)))
                    .collect();
                found.sort();
                (b, found)
            })
            .max_by_key(|(_, found)| found.len());
        let Some((b, found)) = best.filter(|(_, found)| !found.is_empty()) else {
            continue;
        };
        let own = found.windows(2).all(|w| w[0].1 < w[1].1);
        let rank = |k: usize| row_major.iter().position(|c| *c == b.columns[k].key);
        let flattened = found
            .windows(2)
            .all(|w| matches!((rank(w[0].1), rank(w[1].1)), (Some(x), Some(y)) if x < y));
        if own || flattened {
            out.push((line, None));
            continue;
        }
        let labels = found
            .iter()
            .map(|&(_, k)| b.columns[k].label.as_str())
            .collect::<Vec<_>>();
        // The columns named stand in the form's places of the same columns, in the header's
        // order; the others keep theirs. Only when those places are side by side (a group's
        // sub-columns on a header's second line, or every column): else which value is
        // whose is not known.
        let mut slots: Vec<usize> = found.iter().map(|&(_, k)| k).collect();
        slots.sort_unstable();
        let side_by_side = slots.windows(2).all(|w| w[1] == w[0] + 1);
        let order = side_by_side.then(|| {
            let mut order: Vec<usize> = (0..b.columns.len()).collect();
            for (slot, &(_, k)) in slots.iter().zip(&found) {
                order[*slot] = k;
            }
            order
        });
        out.push((
            line,
            Some(ColumnOrder {
                line,
                labels: labels.join("、"),
                order,
            }),
        ));
    }
    out
}

/// For a table printed side by side (table 四), the order its header names its groups in,
/// when that is not the form's (`复议后起诉` before `未经复议直接起诉`): `None` when the
/// header agrees or names fewer than two groups.
fn header_order(def: &TableDef, cands: &[Candidate]) -> Option<String> {
    if def.layout != Layout::SideBySide {
        return None;
    }
    let header = super::text::squash(&cands.first()?.label_text());
    let mut found: Vec<(usize, String)> = def
        .rows()
        .filter_map(|r| {
            let label = super::text::squash(&r.def.label);
            header.find(&label).map(|at| (at, r.def.label.clone()))
        })
        .collect();
    let in_order = found.windows(2).all(|w| w[0].0 < w[1].0);
    if found.len() < 2 || in_order {
        return None;
    }
    found.sort();
    Some(found.into_iter().map(|f| f.1).collect::<Vec<_>>().join("、"))
}

/// The width of a table's widest grid row of values (label columns included).
fn grid_width(cands: &[Candidate]) -> usize {
    cands
        .iter()
        .filter_map(|c| Some(c.grid_start? + c.exact.as_ref()?.len()))
        .max()
        .unwrap_or(0)
}

/// The grid column where a table's values start, as its grid rows show it: the column after
/// the label of the rows with exactly one cell for each of their form row's columns (the
/// most common one, the later on a tie). `None` when no row shows it.
fn value_column(rows: &[PrintRow], cands: &[Candidate], assignment: &[Option<usize>]) -> Option<usize> {
    let mut votes: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for (j, row) in rows.iter().enumerate() {
        let Some(c) = assignment[j].map(|i| &cands[i]) else {
            continue;
        };
        if let (Some(start), Some(tail)) = (c.grid_start, &c.exact)
            && tail.len() == row.cells.len()
        {
            *votes.entry(start).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .max_by_key(|&(col, n)| (n, col))
        .map(|(col, _)| col)
}

/// A grid row's `n` cells by grid column: its cells after the label when there are `n`
/// (unless they start with blank cells before the table's value column);
/// when there are more (label columns left empty, as a Markdown table writes spanned labels,
/// or a value spanning columns), the `n` from the table's value column, or if the table
/// does not show it, the last `n`, provided every cell outside them is blank and the row is
/// as wide as the table's widest grid row of values. `None` when
/// the row is no grid row or its cells cannot be placed so (a cell left out, a value outside
/// the window): the row is then placed by the rules.
fn grid_cells(
    cand: &Candidate,
    n: usize,
    value_column: Option<usize>,
    grid_width: usize,
) -> Option<Vec<ReadValue>> {
    let start = cand.grid_start?;
    let tail = cand.exact.as_ref()?;
    if tail.len() == n {
        // Blank cells before the table's value column are label columns: a row of a full
        // grid that is short of a cell (left out at its end), not `n` values.
        let label_blanks = value_column
            .and_then(|col| col.checked_sub(start))
            .is_some_and(|lo| lo > 0 && tail[..lo.min(n)].iter().all(|v| v.blank));
        return (!label_blanks).then(|| tail.clone());
    }
    if tail.len() < n {
        return None;
    }
    // A row narrower than the table's grid is short of a cell: its positions are not sure.
    if start + tail.len() < grid_width {
        return None;
    }
    // Without rows that show where the values start, extra cells leave the positions open
    // (padding may stand before or after the values).
    let from = value_column?;
    let lo = from.checked_sub(start)?;
    if lo + n > tail.len() {
        return None;
    }
    let outside_blank = tail[..lo].iter().chain(&tail[lo + n..]).all(|v| v.blank);
    outside_blank.then(|| tail[lo..lo + n].to_vec())
}

struct Context<'a> {
    def: &'a TableDef,
    /// The form's version, naming it in messages.
    form_version: String,
    /// The table's section heading, naming the table in messages.
    title: String,
    grid: Grid,
    origin: Vec<Vec<Origin>>,
    na: Vec<Vec<bool>>,
    /// Cells the readings of their row leave undetermined: no inference may rest on them.
    held: Vec<Vec<bool>>,
    /// The source line of each form row's values.
    lines: Vec<Option<usize>>,
    diags: Vec<Diagnostic>,
    /// Each form row's label without its enumerator, squashed: computed once, on first use.
    label_cores: std::cell::OnceCell<Vec<String>>,
}

impl Context<'_> {
    fn row_label(&self, r: usize) -> String {
        self.def.row(r).map(|x| x.def.label.clone()).unwrap_or_default()
    }

    fn col_label(&self, r: usize, c: usize) -> String {
        self.def
            .row(r)
            .and_then(|x| x.block.columns.get(c))
            .map(|x| x.label.clone())
            .unwrap_or_default()
    }

    fn cell_path(&self, r: usize, c: usize) -> String {
        let row = self.def.row(r).expect("row");
        cell_path(&self.def.key, &row.def.key, &row.block.columns[c].key)
    }

    /// The path naming a whole print row: its form row, or the whole side-by-side table.
    fn row_path(&self, row: &PrintRow) -> String {
        match self.def.layout {
            Layout::SideBySide => self.def.key.clone(),
            _ => {
                let r = row.cells.first().map_or(0, |c| c.0);
                format!(
                    "{}.{}",
                    self.def.key,
                    self.def.row(r).map_or("", |x| x.def.key.as_str())
                )
            }
        }
    }

    fn row_name(&self, row: &PrintRow) -> String {
        match self.def.layout {
            Layout::SideBySide => format!("「{}」表", self.title),
            _ => format!("「{}」", self.row_label(row.cells.first().map_or(0, |c| c.0))),
        }
    }

    fn put(&mut self, r: usize, c: usize, v: &ReadValue) {
        self.lines[r].get_or_insert(v.line);
        match v.slot {
            Slot::Number(x) => {
                self.grid[r][c] = Some(x);
                self.origin[r][c] = Origin::Read;
            }
            Slot::NotApplicable => {
                self.grid[r][c] = Some(0.0);
                self.na[r][c] = true;
                self.origin[r][c] = Origin::Read;
            }
            Slot::Unknown => {
                self.origin[r][c] = if v.blank { Origin::Blank } else { Origin::Lost };
            }
        }
    }

    /// The labels of other rows (of four characters or more) that the label text of the
    /// candidate for row `j` holds, when it holds two or more: several rows run together
    /// into one label (a table on one line with single spaces), whose values are not this
    /// row's. Where the candidate's values are runs glued to their labels, one other label
    /// is enough: each row's label is followed by its own run, so a label with no run
    /// after it is a run not found, and the run read here may be that row's.
    fn holds_other_labels(&self, rows: &[PrintRow], j: usize, cand: &Candidate) -> Option<String> {
        // Labels gathered from several lines (one cell a line, labels apart from their
        // values) are the column-order stage's; this is about one line holding many rows.
        let line = cand.line();
        if self.def.layout == Layout::SideBySide || cand.pieces.iter().any(|p| p.1 != line) {
            return None;
        }
        let text = super::text::squash(&cand.label_text());
        let cores = self.label_cores.get_or_init(|| {
            (0..self.grid.len())
                .map(|r| {
                    let label = self.row_label(r);
                    super::text::squash(
                        super::text::leading_ordinal(&label).map_or(label.as_str(), |(_, end)| &label[end..]),
                    )
                })
                .collect()
        });
        let core_of = |o: &PrintRow| o.cells.first().and_then(|c| cores.get(c.0));
        let own = core_of(&rows[j])?;
        let found: Vec<String> = rows
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != j)
            .filter_map(|(_, o)| {
                let core = core_of(o)?;
                // A label inside this row's own label is no other row's text.
                (core.chars().count() >= 4 && text.contains(core.as_str()) && !own.contains(core.as_str()))
                    .then(|| self.row_label(o.cells.first().map_or(0, |c| c.0)))
            })
            .collect();
        let glued = cand.values.iter().any(|v| v.run.is_some());
        (found.len() >= if glued { 1 } else { 2 }).then(|| found.join("、"))
    }

    fn note_label(&mut self, rows: &[PrintRow], row: &PrintRow, cand: &Candidate) {
        if self.def.layout == Layout::SideBySide {
            return;
        }
        let r = row.cells.first().map_or(0, |c| c.0);
        self.lines[r] = Some(cand.line());
        // The candidate's label text, reduced once for every row it is compared with.
        let cores = cand.cores();
        let fit = align::label_score(row, &cores);
        let read = cand.label_text();
        // The label is another row's own (rows printed out of the form's order): the
        // values stand where the order puts them, which is a guess.
        let elsewhere = rows
            .iter()
            .filter(|o| o.cells != row.cells)
            .map(|o| (align::label_score(o, &cores), o))
            .filter(|(f, _)| *f >= 0.9 && *f > fit + 0.05)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, other)) = elsewhere {
            let other_label = self.row_label(other.cells.first().map_or(0, |c| c.0));
            self.diags.push(
                Diagnostic::new(
                    Severity::Error,
                    code::ROW_BY_POSITION,
                    format!(
                        "行标签「{read}」是「{other_label}」的标签，却按位置放在「{}」，数值可能错位 (the label names another row; placed by position, the values may be misplaced)",
                        self.row_label(r)
                    ),
                )
                .at(Some(cand.line()))
                .cell(self.row_path(row)),
            );
            return;
        }
        let (severity, code, what) = if fit < 0.5 {
            (
                Severity::Warning,
                code::ROW_BY_POSITION,
                "行标签无法识别，按位置确定为 (row label unreadable, placed by position)",
            )
        } else if fit < 0.9 {
            (
                Severity::Info,
                code::LABEL_REPAIRED,
                "行标签已按官方格式修正 (label repaired)",
            )
        } else {
            return;
        };
        self.diags.push(
            Diagnostic::new(
                severity,
                code,
                format!("{what}：「{read}」→「{}」", self.row_label(r)),
            )
            .at(Some(cand.line()))
            .cell(self.row_path(row)),
        );
    }

    /// Rows whose text can be read several ways (a number broken over lines, a run of
    /// equal values written once) are solved together by [`solver::solve`]; a cell is
    /// filled where every consistent reading agrees. Returns the rows left for
    /// [`Self::place_pending`]: those no such reading fits.
    fn solve_readings<'c>(
        &mut self,
        rows: &[PrintRow],
        pending: Vec<(usize, &'c Candidate)>,
        tails: &[Option<Vec<ReadValue>>],
        eqs: &[solve::Equation],
        dom: &Domain,
    ) -> Vec<(usize, &'c Candidate)> {
        let mut rest = Vec::new();
        let mut searched: Vec<(usize, &Candidate, How)> = Vec::new();
        let mut inputs: Vec<RowReadings> = Vec::new();
        for (j, cand) in pending {
            let Some(tail) = &tails[j] else {
                rest.push((j, cand));
                continue;
            };
            let glued = cand.values.iter().any(|v| v.run.is_some());
            match readings(&rows[j], cand, tail, eqs, dom) {
                // Cells run together that no cut fits (or too many to try): unresolved.
                Some((_, input)) if glued && input.readings.is_empty() => self.reject_placement(
                    &rows[j],
                    cand,
                    "数值连在一起，没有符合勾稽关系的切分 (cells run together; no cut agrees with the rules)",
                ),
                None if glued => self.reject_placement(
                    &rows[j],
                    cand,
                    "数值连在一起，可能的切分过多 (cells run together; too many cuts to try)",
                ),
                Some((how, mut input)) => {
                    solver::prune_local(&mut input, eqs, dom);
                    if input.readings.is_empty() {
                        rest.push((j, cand));
                    } else {
                        searched.push((j, cand, how));
                        inputs.push(input);
                    }
                }
                None => rest.push((j, cand)),
            }
        }
        if inputs.is_empty() {
            return rest;
        }
        let outcomes = solver::solve(&self.grid, &inputs, eqs, dom);
        for ((j, cand, how), outcome) in searched.into_iter().zip(outcomes) {
            let row = &rows[j];
            let what = describe(row, cand, &tails[j], how);
            let line = Some(cand.line());
            match outcome {
                Outcome::Solved { agreed, solutions } => {
                    for (&(r, c), v) in row.cells.iter().zip(&agreed) {
                        self.origin[r][c] = Origin::Placed;
                        self.lines[r].get_or_insert(cand.line());
                        match v {
                            Some(v) => self.grid[r][c] = Some(*v),
                            None => self.held[r][c] = true,
                        }
                    }
                    if agreed.iter().all(Option::is_some) {
                        let shown: Vec<String> =
                            agreed.iter().map(|v| fmt_num(v.unwrap_or_default())).collect();
                        let rules = "符合勾稽关系的读法唯一 (the one reading the rules allow)";
                        self.diags.push(
                            Diagnostic::new(
                                Severity::Warning,
                                code::INFERRED,
                                format!("{}{what}；{rules}：{}", self.row_name(row), shown.join(" ")),
                            )
                            .at(line)
                            .cell(self.row_path(row)),
                        );
                    } else {
                        let open: Vec<String> = row
                            .cells
                            .iter()
                            .zip(&agreed)
                            .filter(|(_, v)| v.is_none())
                            .map(|(&(r, c), _)| self.col_label(r, c))
                            .collect();
                        self.diags.push(
                            Diagnostic::new(
                                Severity::Error,
                                code::UNRESOLVED,
                                format!(
                                    "{}{what}；有 {solutions} 种读法符合勾稽关系，「{}」无法确定 ({solutions} readings fit the rules; these cells are not determined)",
                                    self.row_name(row),
                                    open.join("」「")
                                ),
                            )
                            .at(line)
                            .cell(self.row_path(row)),
                        );
                    }
                }
                Outcome::GaveUp => {
                    for &(r, c) in &row.cells {
                        self.origin[r][c] = Origin::Placed;
                        self.held[r][c] = true;
                        self.lines[r].get_or_insert(cand.line());
                    }
                    self.diags.push(
                        Diagnostic::new(
                            Severity::Error,
                            code::UNRESOLVED,
                            format!(
                                "{}{what}；可能的读法过多，未能求解 (too many readings to search: over {} nodes or {} solutions)",
                                self.row_name(row),
                                solver::MAX_NODES,
                                solver::MAX_SOLUTIONS
                            ),
                        )
                        .at(line)
                        .cell(self.row_path(row)),
                    );
                }
                Outcome::NoSolution => rest.push((j, cand)),
            }
        }
        rest
    }

    /// A group printed as one row (see [`mixed_groups`]): its rows are left undetermined,
    /// never inferred from it.
    fn note_mixed(&mut self, label: &str, line: usize, members: &[usize]) {
        self.diags.push(
            Diagnostic::new(
                Severity::Info,
                code::FORM_DETECTED,
                format!(
                    "「{label}」印为带数值的一行（旧版表格的格式），与 {} 版表格不同 (the report prints this group as one row, as an older form does)",
                    self.form_version
                ),
            )
            .at(Some(line))
            .cell(self.def.key.clone()),
        );
        for &r in members {
            for c in 0..self.grid[r].len() {
                self.held[r][c] = true;
                self.origin[r][c] = Origin::Placed;
            }
            let path = format!(
                "{}.{}",
                self.def.key,
                self.def.row(r).map_or("", |x| x.def.key.as_str())
            );
            self.diags.push(
                Diagnostic::new(
                    Severity::Error,
                    code::UNRESOLVED,
                    format!(
                        "「{}」：报告只印了一行「{label}」，本行无法由它确定 (the report prints only the one row {label}; this row is not determined by it)",
                        self.row_label(r)
                    ),
                )
                .at(Some(line))
                .cell(path),
            );
        }
    }

    /// Rows with fewer or more values than cells, or unreadable values: placed only where
    /// the rules leave one possibility. Resolving one row can settle another, so repeat.
    fn place_pending(
        &mut self,
        rows: &[PrintRow],
        pending: &[(usize, &Candidate)],
        eqs: &[solve::Equation],
        dom: &Domain,
    ) {
        let mut open: Vec<(usize, &Candidate)> = pending.to_vec();
        loop {
            let mut progress = false;
            let mut still = Vec::new();
            for &(j, cand) in &open {
                let row = &rows[j];
                let values: Vec<Option<f64>> = cand.values.iter().map(ReadValue::number).collect();
                let result = if eqs.is_empty() {
                    Placement::Agreed {
                        cells: vec![None; row.cells.len()],
                        consistent: 2,
                    }
                } else {
                    solve::place(&self.grid, &row.cells, &values, eqs, dom)
                };
                match result {
                    Placement::Agreed { cells, .. } if cells.iter().all(Option::is_some) => {
                        self.accept_placement(row, cand, &cells);
                        progress = true;
                    }
                    Placement::Contradiction => {
                        self.reject_placement(
                            row,
                            cand,
                            "没有任何放置方式符合勾稽关系 (no placement agrees with the rules)",
                        );
                        progress = true;
                    }
                    Placement::TooMany => {
                        self.reject_placement(
                            row,
                            cand,
                            "可能的放置方式过多，未能检查 (too many placements to check)",
                        );
                        progress = true;
                    }
                    Placement::Agreed { .. } => still.push((j, cand)),
                }
            }
            open = still;
            if !progress || open.is_empty() {
                break;
            }
        }
        // What is left is ambiguous: keep the cells every placement agrees on.
        for (j, cand) in open {
            let row = &rows[j];
            let values: Vec<Option<f64>> = cand.values.iter().map(ReadValue::number).collect();
            let agreed = if eqs.is_empty() {
                vec![None; row.cells.len()]
            } else {
                match solve::place(&self.grid, &row.cells, &values, eqs, dom) {
                    Placement::Agreed { cells, .. } => cells,
                    Placement::Contradiction | Placement::TooMany => vec![None; row.cells.len()],
                }
            };
            for (&(r, c), v) in row.cells.iter().zip(&agreed) {
                if let Some(v) = v {
                    self.grid[r][c] = Some(*v);
                    self.origin[r][c] = Origin::Placed;
                }
            }
            self.reject_placement(
                row,
                cand,
                "数值位置无法唯一确定 (the values' places are not determined by the rules)",
            );
        }
    }

    fn accept_placement(&mut self, row: &PrintRow, cand: &Candidate, cells: &[Option<f64>]) {
        let n = row.cells.len();
        let m = cand.values.len();
        for (&(r, c), v) in row.cells.iter().zip(cells) {
            self.grid[r][c] = *v;
            self.origin[r][c] = Origin::Placed;
            self.lines[r].get_or_insert(cand.line());
        }
        let shown: Vec<String> = cells.iter().map(|v| fmt_num(v.unwrap_or_default())).collect();
        let unreadable = cand.values.iter().filter(|v| v.slot == Slot::Unknown).count();
        let what = if m == n {
            format!(
                "{unreadable} 个数值无法识别，已按勾稽关系推定 ({unreadable} unreadable value(s) inferred by the rules)"
            )
        } else if m < n {
            format!(
                "只读到 {m} 个数值（应有 {n} 个），已按勾稽关系唯一确定 (read {m} of {n} values; placed by the rules)"
            )
        } else {
            format!(
                "读到 {m} 个数值（应有 {n} 个），多余的数值已按勾稽关系排除 (read {m} values for {n} cells; the extra excluded by the rules)"
            )
        };
        self.diags.push(
            Diagnostic::new(
                Severity::Warning,
                code::INFERRED,
                format!("{}{what}：{}", self.row_name(row), shown.join(" ")),
            )
            .at(Some(cand.line()))
            .cell(self.row_path(row)),
        );
    }

    fn reject_placement(&mut self, row: &PrintRow, cand: &Candidate, why: &str) {
        let read: Vec<&str> = cand.values.iter().map(|v| v.raw.as_str()).collect();
        let n = row.cells.len();
        self.diags.push(
            Diagnostic::new(
                Severity::Error,
                code::UNRESOLVED,
                format!(
                    "{}读到 {} 个数值（应有 {n} 个）：{}；{why}",
                    self.row_name(row),
                    read.len(),
                    read.join(" ")
                ),
            )
            .at(Some(cand.line()))
            .cell(self.row_path(row)),
        );
        for &(r, c) in &row.cells {
            if self.origin[r][c] != Origin::Placed {
                self.origin[r][c] = Origin::Placed;
                self.lines[r].get_or_insert(cand.line());
            }
        }
    }

    /// Whether every rule on a row's cells can still hold, the unknown cells (blanks, rows
    /// not yet placed) taken as any value of their domain (≥ 0 for counts).
    fn feasible(&self, row: &PrintRow, eqs: &[solve::Equation], dom: &Domain) -> bool {
        eqs.iter()
            .filter(|e| e.terms.iter().any(|t| row.cells.contains(&(t.0, t.1))))
            .all(|e| solve::can_hold(e, &self.grid, |r, c| dom.range(r, c)))
    }

    /// Cells still unknown (lost rows, unreadable values, blanks) that the rules determine.
    fn fill_by_rules(&mut self, eqs: &[solve::Equation], dom: &Domain, absent: &[(usize, usize)]) {
        if eqs.is_empty() {
            return;
        }
        let before = self.grid.clone();
        let mut touched: Vec<Vec<bool>> = self.grid.iter().map(|r| vec![false; r.len()]).collect();
        // An inference rests only on cells that are known: not on an undetermined reading.
        let eqs: Vec<solve::Equation> = eqs
            .iter()
            .filter(|e| !e.terms.iter().any(|&(r, c, _)| self.held[r][c]))
            .cloned()
            .collect();
        let eqs = eqs.as_slice();
        solve::propagate(&mut self.grid, eqs, dom, &mut touched, false);
        for &(r, c) in absent {
            self.grid[r][c] = before[r][c];
        }
        let filled: Vec<(usize, usize, f64)> = before
            .iter()
            .enumerate()
            .flat_map(|(r, row)| row.iter().enumerate().map(move |(c, v)| (r, c, v)))
            .filter(|(_, _, v)| v.is_none())
            .filter_map(|(r, c, _)| self.grid[r][c].map(|v| (r, c, v)))
            .collect();
        for (r, c, v) in filled {
            let rules: std::collections::BTreeSet<&str> = eqs
                .iter()
                .filter(|e| e.terms.iter().any(|t| t.0 == r && t.1 == c))
                .map(|e| e.rule.as_str())
                .collect();
            let was = match self.origin[r][c] {
                Origin::Blank => "原为空白 (was blank)",
                _ => "原数值缺失 (was missing)",
            };
            self.diags.push(
                Diagnostic::new(
                    Severity::Warning,
                    code::INFERRED,
                    format!(
                        "「{}」/「{}」{was}，按勾稽关系 {} 推定为 {} (inferred by rule)",
                        self.row_label(r),
                        self.col_label(r, c),
                        rules.into_iter().collect::<Vec<_>>().join("/"),
                        fmt_num(v)
                    ),
                )
                .at(self.lines[r])
                .cell(self.cell_path(r, c)),
            );
        }
    }

    fn report_unresolved(&mut self, rows: &[PrintRow], assignment: &[Option<usize>]) {
        for (j, row) in rows.iter().enumerate() {
            let missing: Vec<(usize, usize)> = row
                .cells
                .iter()
                .copied()
                .filter(|&(r, c)| self.grid[r][c].is_none() && self.origin[r][c] == Origin::Lost)
                .collect();
            if missing.is_empty() {
                continue;
            }
            if assignment[j].is_none() && missing.len() == row.cells.len() {
                self.diags.push(
                    Diagnostic::new(
                        Severity::Error,
                        code::ROW_MISSING,
                        format!(
                            "{}未找到，且无法按勾稽关系推定 (row not found; not determined by the rules)",
                            self.row_name(row)
                        ),
                    )
                    .cell(self.row_path(row)),
                );
                continue;
            }
            for (r, c) in missing {
                self.diags.push(
                    Diagnostic::new(
                        Severity::Error,
                        code::UNRESOLVED,
                        format!(
                            "「{}」/「{}」的数值缺失或无法识别 (value missing or unreadable)",
                            self.row_label(r),
                            self.col_label(r, c)
                        ),
                    )
                    .at(self.lines[r])
                    .cell(self.cell_path(r, c)),
                );
            }
        }
    }

    fn finish(self) -> TableResult {
        let mut table = Table::empty(self.def);
        let mut not_applicable = Vec::new();
        for (r, row) in self.grid.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let cell = if self.na[r][c] {
                    not_applicable.push(self.cell_path(r, c));
                    Cell::NotApplicable
                } else {
                    v.map_or(Cell::Blank, Cell::Number)
                };
                table.set(r, c, cell);
            }
        }
        let row_lines = self
            .lines
            .iter()
            .enumerate()
            .filter_map(|(r, line)| {
                let row = self.def.row(r)?;
                Some((format!("{}.{}", self.def.key, row.def.key), (*line)?))
            })
            .collect();
        TableResult {
            found: false,
            table,
            diagnostics: self.diags,
            not_applicable,
            row_lines,
        }
    }
}

/// How a row's text was read into several possible readings.
#[derive(Debug, Clone, Copy)]
enum How {
    /// Runs of equal neighbouring values written once, expanded again.
    Expanded,
    /// Pieces of numbers broken over lines, joined again.
    Joined,
    /// A run of digits, the cells of a row run together, cut into cells.
    Cut,
}

/// Candidates whose own label is a group's label of the form (`（六）其他处理`) and that
/// carry values: the report prints the group as a single row, as an older form does (the
/// 2019 form's one 其他处理 row where the 2021 form has three). They are removed from
/// `cands`; returned: the group label, the line, and the form rows of the group.
fn mixed_groups(def: &TableDef, cands: &mut Vec<Candidate>) -> Vec<(String, usize, Vec<usize>)> {
    let mut out = Vec::new();
    cands.retain(|cand| {
        let Some((own, _)) = cand.pieces.last() else {
            return true;
        };
        if cand.values.is_empty() {
            return true;
        }
        let own = super::text::squash(own);
        let hit = def.groups.iter().find(|g| {
            std::iter::once(&g.label)
                .chain(&g.variants)
                .any(|l| super::text::squash(l) == own)
        });
        let Some(group) = hit else { return true };
        let members: Vec<usize> = def
            .rows()
            .filter(|r| r.def.group.as_deref() == Some(group.id.as_str()))
            .map(|r| r.index)
            .collect();
        if members.is_empty() {
            return true;
        }
        out.push((group.label.clone(), cand.line(), members));
        false
    });
    out
}

/// How a row's text was read, for its diagnostic.
fn describe(row: &PrintRow, cand: &Candidate, tail: &Option<Vec<ReadValue>>, how: How) -> String {
    let mut read: Vec<&str> = cand.values.iter().map(|v| v.raw.as_str()).collect();
    read.extend(tail.iter().flatten().map(|v| v.raw.as_str()));
    let n = row.cells.len();
    match how {
        How::Expanded => format!(
            "读到 {} 个数值（应有 {n} 个）：{}，按相邻重复值被合并读取 (equal neighbouring values written once)",
            read.len(),
            read.join(" / ")
        ),
        How::Cut => format!(
            "数值连在一起：{}，按切分读取 (cells run together, cut into {n})",
            read.join(" ")
        ),
        How::Joined => format!(
            "读到 {} 段数字（应有 {n} 个数值）：{}，按数字被断行拆开读取 (numbers broken over lines)",
            read.len(),
            read.join(" / ")
        ),
    }
}

/// Values on the lines after a row's own values, with no label before them and matched to
/// no row (the tail of a number broken inside its cell): for each print row, the tails that
/// follow its candidate (`None` when values matched to no row follow it), and for each
/// candidate whether it is such a tail.
fn tails_of(
    cands: &[Candidate],
    assignment: &[Option<usize>],
    rows: usize,
) -> (Vec<Option<Vec<ReadValue>>>, Vec<bool>) {
    let mut owner: Vec<Option<usize>> = vec![None; cands.len()];
    for (j, a) in assignment.iter().enumerate() {
        if let Some(i) = a {
            owner[*i] = Some(j);
        }
    }
    let mut tails = vec![Vec::new(); rows];
    let mut absorbed = vec![false; cands.len()];
    for i in 1..cands.len() {
        let c = &cands[i];
        let prev = &cands[i - 1];
        let follows = prev
            .values
            .last()
            .is_some_and(|v| c.values.first().is_some_and(|w| w.line > v.line));
        if owner[i].is_none()
            && c.pieces.is_empty()
            && c.exact.is_none()
            && prev.exact.is_none()
            && follows
            && c.values.iter().all(|v| matches!(v.slot, Slot::Number(_)))
            && let Some(j) = owner[i - 1]
        {
            tails[j].extend(c.values.iter().cloned());
            absorbed[i] = true;
            owner[i] = Some(j);
        }
    }
    // A row followed by values matched to no row may have lost some of its values to
    // them (a sign or a word between them): its extent is not known, so it gets no
    // readings (`None` in place of its tails).
    let mut out: Vec<Option<Vec<ReadValue>>> = tails.into_iter().map(Some).collect();
    for i in 1..cands.len() {
        if owner[i].is_none()
            && !cands[i].values.is_empty()
            && let Some(j) = owner[i - 1]
        {
            out[j] = None;
        }
    }
    (out, absorbed)
}

/// The digits of a value printed plainly (digits, at most one decimal point), which may be
/// a piece of a longer number.
fn plain_digits(v: &ReadValue) -> Option<String> {
    let s = v.raw.trim();
    (v.repaired.is_none()
        && !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|&b| b == b'.').count() <= 1)
        .then(|| s.to_string())
}

/// The readings a row's text allows when its value count does not fit: more pieces than
/// cells are joined across line breaks (or, for a row printed on one line, a tail on the
/// lines below continues any of its values); fewer values than cells, each on its own line
/// and no two neighbours equal, are runs of equal values written once. `None` when neither
/// applies (the row is left to placement by the rules) or when the readings pass
/// [`solver::MAX_READINGS`].
fn readings(
    row: &PrintRow,
    cand: &Candidate,
    tail: &[ReadValue],
    eqs: &[solve::Equation],
    dom: &Domain,
) -> Option<(How, RowReadings)> {
    if cand.exact.is_some() {
        return None;
    }
    let n = row.cells.len();
    let decimal: Vec<bool> = row.cells.iter().map(|&(r, c)| !dom.integral[r][c]).collect();
    if let [v] = cand.values.as_slice()
        && let Some(run) = &v.run
        && tail.is_empty()
    {
        let local = solver::local_equations(&row.cells, eqs);
        let readings = solver::cuts(&v.raw, run.tail.as_deref(), &decimal, &local)?;
        return Some((
            How::Cut,
            RowReadings {
                cells: row.cells.clone(),
                readings,
            },
        ));
    }
    if cand.values.iter().chain(tail).any(|v| v.run.is_some()) {
        return None;
    }
    let all: Vec<&ReadValue> = cand.values.iter().chain(tail).collect();
    if all.iter().any(|v| !matches!(v.slot, Slot::Number(_))) {
        return None;
    }
    let m = all.len();
    let (how, readings) = if m > n {
        let digits: Vec<String> = all.iter().map(|v| plain_digits(v)).collect::<Option<_>>()?;
        // A piece joins the one before across a line break (a number broken in its cell),
        // or as a group of three digits after one of at most three: digits grouped by a
        // space (`3 001`, GB 3101's grouping of long numbers).
        // Only in a row the rules check, or a row of one cell (`行政处罚 3 985 758`, all its
        // groups one number): in `规章 0 0 2 100` no rule says 2100 more than a stray 100.
        let checked = solve::checked(eqs, &row.cells) || n == 1;
        let grouped = |i: usize| {
            let is_int = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
            checked
                && digits[i].len() == 3
                && is_int(&digits[i])
                && digits[i - 1].len() <= 3
                && is_int(&digits[i - 1])
        };
        let pieces: Vec<Piece> = digits
            .iter()
            .enumerate()
            .map(|(i, d)| Piece {
                digits: d.clone(),
                joins_previous: i > 0 && (all[i - 1].line != all[i].line || grouped(i)),
            })
            .collect();
        let mut out = solver::joins(&pieces, &decimal)?;
        let vals = &cand.values;
        if !tail.is_empty() && vals.len() == n && vals.iter().all(|v| v.line == vals[0].line) {
            let heads: Vec<String> = pieces[..n].iter().map(|p| p.digits.clone()).collect();
            let rest: Vec<String> = pieces[n..].iter().map(|p| p.digits.clone()).collect();
            out.extend(solver::tails_to_any(&heads, &rest, &decimal));
        }
        (How::Joined, out)
    } else if m < n && tail.is_empty() {
        let collapsed = all.iter().all(|v| v.repaired.is_none())
            && all
                .windows(2)
                .all(|w| w[0].line != w[1].line && w[0].number() != w[1].number());
        // An expansion is a guess the rules must check: a row no equation touches (table
        // 二) may as well have lost values, or left cells blank (`规章\t4\t\t`).
        let checked = solve::checked(eqs, &row.cells);
        if !collapsed || !checked {
            return None;
        }
        let runs: Vec<f64> = all.iter().filter_map(|v| v.number()).collect();
        (How::Expanded, solver::expansions(&runs, n)?)
    } else {
        return None;
    };
    Some((
        how,
        RowReadings {
            cells: row.cells.clone(),
            readings,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::form::Forms;
    use crate::read::text;

    fn read(version: &str, table: &str, src: &str) -> TableResult {
        let forms = Forms::builtin();
        let form = forms.get(version).unwrap();
        let def = form.table(table).unwrap();
        read_table(form, def, &text::read(src).blocks)
    }

    #[test]
    fn a_sentence_quoting_figures_before_a_gridded_side_by_side_table_is_no_run_of_it() {
        let src = "全年因政府信息公开工作被申请行政复议3件，被提起行政诉讼2件。\n\
            | 行政复议 |  |  |  |  | 行政诉讼 |  |  |  |  |  |  |  |  |  |\n\
            | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 |  |  |  |  | 复议后起诉 |  |  |  |  |\n\
            |  |  |  |  |  | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n\
            | 1 | 1 | 0 | 1 | 3 | 1 | 0 | 0 | 1 | 2 | 0 | 0 | 0 | 0 | 0 |\n";
        let r = read("2021", "review_litigation", src);
        let errors: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(r.table.cell("review.total").and_then(|c| c.number()), Some(3.0));
        assert_eq!(
            r.table.cell("litigation_direct.total").and_then(|c| c.number()),
            Some(2.0)
        );
    }

    fn num(t: &TableResult, row: &str, col: &str) -> Option<f64> {
        match t.table.cell(&format!("{row}.{col}")) {
            Some(Cell::Number(v)) => Some(v),
            _ => None,
        }
    }

    const HEADER_四: &str =
        "行政复议\n行政诉讼\n结果维持\n结果纠正\n其他结果\n尚未审结\n总计\n未经复议直接起诉\n复议后起诉\n";

    #[test]
    fn a_lone_zero_of_a_collapsed_table_is_all_zeros_and_said_so() {
        let t = read("2021", "review_litigation", &format!("{HEADER_四}0\n"));
        assert_eq!(num(&t, "review", "upheld"), Some(0.0));
        assert_eq!(num(&t, "litigation_after_review", "total"), Some(0.0));
        let d = t
            .diagnostics
            .iter()
            .find(|d| d.code == code::INFERRED)
            .expect("said so");
        assert_eq!(d.severity, Severity::Warning);
        assert!(!t.diagnostics.iter().any(|d| d.severity == Severity::Error));
    }

    #[test]
    fn a_collapsed_row_r4_cannot_place_is_flagged_not_guessed() {
        // 1 / 0 / 1 / 0 / 1 / … : R4 holds for several expansions of the review group.
        let t = read(
            "2021",
            "review_litigation",
            &format!("{HEADER_四}1\n0\n1\n0\n1\n0\n"),
        );
        assert!(
            t.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.code == code::UNRESOLVED)
        );
    }

    #[test]
    fn a_number_broken_over_two_lines_is_joined() {
        let t = read(
            "2021",
            "active_disclosure",
            "规章\n1\n0\n11\n行政规范性文件\n8\n26\n66\n行政许可\n447\n228\n行政处罚\n5\n行政强制\n7\n行政事业性收费\n1.5\n",
        );
        assert_eq!(num(&t, "licensing", "decisions"), Some(447228.0));
        assert_eq!(num(&t, "penalty", "decisions"), Some(5.0));
        assert!(t.diagnostics.iter().any(|d| d.code == code::INFERRED
            && d.cell.as_deref() == Some("active_disclosure.licensing")));
    }

    #[test]
    fn digits_grouped_by_a_space_join_where_the_rules_say_so() {
        let t = read(
            "2021",
            "applications",
            "一、本年新收政府信息公开申请数量 3 001 53 0 0 61 4 3119\n二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n",
        );
        assert_eq!(num(&t, "new_received", "natural_person"), Some(3001.0));
        assert_eq!(num(&t, "new_received", "total"), Some(3119.0));
        assert!(
            !t.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error
                    && d.cell.as_deref() == Some("applications.new_received"))
        );
    }

    #[test]
    fn a_header_with_columns_out_of_the_forms_order_is_read_in_its_order_or_flagged() {
        let rows = "一、本年新收政府信息公开申请数量 58 163 453 2 203 51 930\n";
        let swapped = read(
            "2021",
            "applications",
            &format!("自然人 法人或其他组织 总计\n商业企业 社会公益组织 科研机构 法律服务机构 其他\n{rows}"),
        );
        // The sub-columns' line names its group's columns in another order: the values
        // are read in it, and said.
        assert_eq!(num(&swapped, "new_received", "public_interest"), Some(453.0));
        assert_eq!(num(&swapped, "new_received", "research"), Some(2.0));
        assert!(swapped.diagnostics.iter().any(|d| d.severity == Severity::Warning
            && d.code == code::VALUES_REALIGNED
            && d.cell.as_deref() == Some("applications")));
        // A note that names two columns is no header: the form's order stands.
        let noted = read(
            "2021",
            "applications",
            &format!(
                "自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n注：社会公益组织含科研机构\n{rows}"
            ),
        );
        assert_eq!(num(&noted, "new_received", "research"), Some(453.0));
        assert!(!noted.diagnostics.iter().any(|d| d.code == code::VALUES_REALIGNED));
        // 总计 named before 自然人: which value is whose is not known; the table is in doubt.
        let unknown = read(
            "2021",
            "applications",
            &format!("总计 法人或其他组织 自然人\n{rows}"),
        );
        assert!(unknown.diagnostics.iter().any(|d| d.severity == Severity::Error
            && d.code == code::VALUES_REALIGNED
            && d.cell.as_deref() == Some("applications")));
        // A two-row header flattened onto one line is the form's order.
        let flattened = read(
            "2021",
            "applications",
            &format!(
                "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他\n{rows}"
            ),
        );
        assert!(
            !flattened
                .diagnostics
                .iter()
                .any(|d| d.code == code::VALUES_REALIGNED)
        );
    }

    #[test]
    fn a_fee_under_a_header_in_yuan_is_converted_to_10000_yuan() {
        let body = |unit: &str| {
            format!(
                "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 1 0 11\n行政规范性文件 8 26 66\n行政许可 5\n行政处罚 6\n行政强制 7\n信息内容 本年收费金额（单位：{unit}）\n行政事业性收费 35000\n"
            )
        };
        let t = read("2021", "active_disclosure", &body("元"));
        assert_eq!(num(&t, "fees", "amount"), Some(3.5));
        assert!(t.diagnostics.iter().any(|d| d.code == code::UNIT_CONVERTED));
        let t = read("2021", "active_disclosure", &body("万元"));
        assert_eq!(num(&t, "fees", "amount"), Some(35000.0));
    }

    #[test]
    fn glued_rows_are_cut_at_their_labels() {
        let t = read(
            "2021",
            "review_litigation",
            "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计210141001200101\n",
        );
        // 2 1 0 1 4 | 1 0 0 1 2 | 0 0 1 0 1 is the one cut R4 allows.
        assert_eq!(num(&t, "review", "total"), Some(4.0));
        assert_eq!(num(&t, "litigation_direct", "total"), Some(2.0));
        assert_eq!(num(&t, "litigation_after_review", "total"), Some(1.0));
    }

    #[test]
    fn the_older_forms_single_row_leaves_the_newer_rows_unresolved() {
        let mut src = String::from("一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n");
        src.push_str("二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n");
        src.push_str("（一）予以公开\t0\t0\t0\t0\t0\t0\t0\n");
        src.push_str("（六）其他处理\t1\t0\t0\t0\t0\t0\t1\n");
        src.push_str("（七）总计\t1\t0\t0\t0\t0\t0\t1\n");
        let t = read("2021", "applications", &src);
        for row in ["other.no_correction", "other.fee_unpaid", "other.other"] {
            assert_eq!(num(&t, row, "natural_person"), None, "{row}");
            assert!(
                t.diagnostics.iter().any(|d| d.severity == Severity::Error
                    && d.cell.as_deref() == Some(&format!("applications.{row}"))),
                "{row}"
            );
        }
        assert!(t.diagnostics.iter().any(|d| d.message.contains("旧版")));
    }

    fn errors_on<'t>(t: &'t TableResult, path: &str) -> Vec<&'t Diagnostic> {
        t.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.cell.as_deref() == Some(path))
            .collect()
    }

    #[test]
    fn a_glued_row_no_rule_checks_is_unresolved_not_cut_by_a_default() {
        // `规章1011`: 1|0|11, 10|1|1, 1|01… no rule checks table 二's rows.
        let t = read(
            "2021",
            "active_disclosure",
            "规章1011行政规范性文件000行政许可5行政处罚6行政强制7行政事业性收费0.71862024年度有关情况统计如下。",
        );
        assert_eq!(num(&t, "regulations", "issued"), None);
        assert!(!errors_on(&t, "active_disclosure.regulations").is_empty());
        // The run may end in the year of the sentence after it: 0.7186 or 0.71862024.
        assert_eq!(num(&t, "fees", "amount"), None);
        assert!(!errors_on(&t, "active_disclosure.fees").is_empty());
        assert_eq!(num(&t, "licensing", "decisions"), Some(5.0));
    }

    #[test]
    fn a_glued_label_holding_another_rows_label_is_refused() {
        // `2.其他…禁止公开` has no run of its own (a run the tokenizer missed): the run after
        // `3.危及…` may be either row's, so neither is guessed.
        let t = read(
            "2021",
            "applications",
            "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开--3.危及“三安全一稳定”1017101",
        );
        assert_eq!(num(&t, "withheld.security_stability", "total"), None);
        assert!(!errors_on(&t, "applications.withheld.security_stability").is_empty());
    }
}
