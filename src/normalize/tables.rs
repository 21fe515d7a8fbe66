//! One table: from the blocks of its region to the form's cells, with every repair reported.

use super::align::{self, Candidate, PrintRow, ReadValue, Slot};
use super::order;
use super::solve::{self, Domain, Grid, Placement};
use crate::diag::{Diagnostic, Severity, code};
use crate::form::{Form, Layout, TableDef};
use crate::model::{Cell, Table, cell_path};
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
}

pub fn read_table(form: &Form, def: &TableDef, blocks: &[RawBlock]) -> TableResult {
    let rows = align::print_rows(def);
    let mut cands = align::candidates(blocks, &rows);
    let mut interleaved = false;
    if def.layout == Layout::SideBySide {
        (cands, interleaved) = align::join_runs(cands);
    }
    let eqs = solve::equations(form, def);
    let dom = Domain::of(def);
    let assignment = align::align(&cands, &rows);
    // Rows placed by position: rebuilt when the counts and rules fix their order, else withheld.
    let ordered = order::rebuild(def, &rows, cands, assignment, &eqs, &dom);
    let (cands, assignment) = (ordered.cands, ordered.assignment);
    let mut ctx = Context {
        def,
        title: form
            .section(&def.section)
            .map_or_else(|| def.key.clone(), |s| s.title()),
        grid: def.rows().map(|r| vec![None; r.block.columns.len()]).collect(),
        origin: def
            .rows()
            .map(|r| vec![Origin::Lost; r.block.columns.len()])
            .collect(),
        na: def.rows().map(|r| vec![false; r.block.columns.len()]).collect(),
        lines: vec![None; def.row_count()],
        diags: ordered.diagnostics,
    };

    if interleaved {
        let line = cands.first().map(Candidate::line);
        ctx.diags.push(
            Diagnostic::new(
                Severity::Warning,
                code::VALUES_REALIGNED,
                "数值与表头文字交错，已按阅读顺序排列，顺序可能有误 (values were interleaved with header text; read in reading order, which may be wrong)",
            )
            .at(line)
            .cell(def.key.clone()),
        );
    }
    let value_column = value_column(&rows, &cands, &assignment);
    let grid_width = grid_width(&cands);
    let mut pending: Vec<(usize, &Candidate)> = Vec::new();
    // Grid rows read by position with blank cells, checked against the rules below.
    let mut grid_blanks: Vec<(usize, &Candidate)> = Vec::new();
    for (j, row) in rows.iter().enumerate() {
        let Some(i) = assignment[j] else {
            continue;
        };
        let cand = &cands[i];
        if !ordered.rebuilt[j] {
            ctx.note_label(row, cand);
        }
        let n = row.cells.len();
        // A row read by grid position: each cell at its grid column, a blank cell blank.
        let by_grid = grid_cells(cand, n, value_column, grid_width);
        let exact = by_grid.as_ref().or_else(|| {
            cand.exact
                .as_ref()
                .filter(|e| cand.grid_start.is_none() && e.len() == n)
        });
        let direct = exact.or_else(|| {
            (cand.values.len() == n && cand.values.iter().all(|v| v.slot != Slot::Unknown))
                .then_some(&cand.values)
        });
        // A grid row read token by token with blank cells may be a lost value beside an
        // extra empty cell: it is placed like a short row, once the certain rows are in, so
        // the rules decide.
        let blanks = by_grid.is_none() && exact.is_some_and(|e| e.iter().any(|v| v.blank));
        let direct = match direct {
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
        if !assignment.contains(&Some(i)) && !cand.values.is_empty() {
            let vals: Vec<&str> = cand.values.iter().map(|v| v.raw.as_str()).collect();
            ctx.diags.push(
                Diagnostic::new(
                    Severity::Warning,
                    code::ROW_UNMATCHED,
                    format!(
                        "「{}」表中有一行数值无法对应到表格行，未采用 (values not matched to any row): 「{}」 {}",
                        ctx.title,
                        cand.label_text(),
                        vals.join(" ")
                    ),
                )
                .at(Some(cand.line()))
                .cell(def.key.clone()),
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
    ctx.place_pending(&rows, &pending, &eqs, &dom);
    let absent = absent_tail(&rows, &cands, &assignment);
    ctx.fill_by_rules(&eqs, &dom, &absent);
    ctx.report_unresolved(&rows, &assignment);
    let mut result = ctx.finish();
    result.found = !cands.is_empty();
    result
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
    let from = value_column.unwrap_or(start + tail.len() - n);
    let lo = from.checked_sub(start)?;
    if lo + n > tail.len() {
        return None;
    }
    let outside_blank = tail[..lo].iter().chain(&tail[lo + n..]).all(|v| v.blank);
    outside_blank.then(|| tail[lo..lo + n].to_vec())
}

struct Context<'a> {
    def: &'a TableDef,
    /// The table's section heading, naming the table in messages.
    title: String,
    grid: Grid,
    origin: Vec<Vec<Origin>>,
    na: Vec<Vec<bool>>,
    /// The source line of each form row's values.
    lines: Vec<Option<usize>>,
    diags: Vec<Diagnostic>,
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

    fn note_label(&mut self, row: &PrintRow, cand: &Candidate) {
        if self.def.layout == Layout::SideBySide {
            return;
        }
        let r = row.cells.first().map_or(0, |c| c.0);
        self.lines[r] = Some(cand.line());
        let fit = align::label_fit(cand, row);
        let read = cand.label_text();
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
                    Placement::Contradiction => vec![None; row.cells.len()],
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
            .all(|e| {
                let mut known = 0.0;
                let (mut up, mut down) = (false, false);
                for &(r, c, k) in &e.terms {
                    match self.grid[r][c] {
                        Some(v) => known += k * v,
                        None if !dom.nonnegative[r][c] => return true,
                        None if k > 0.0 => up = true,
                        None => down = true,
                    }
                }
                // Σ k·x = -known with x ≥ 0 has a solution iff the unknowns can reach it.
                let need = -known;
                (up && down) || need.abs() < 1e-6 || (up && need > 0.0) || (down && need < 0.0)
            })
    }

    /// Cells still unknown (lost rows, unreadable values, blanks) that the rules determine.
    fn fill_by_rules(&mut self, eqs: &[solve::Equation], dom: &Domain, absent: &[(usize, usize)]) {
        if eqs.is_empty() {
            return;
        }
        let before = self.grid.clone();
        let mut touched: Vec<Vec<bool>> = self.grid.iter().map(|r| vec![false; r.len()]).collect();
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
        TableResult {
            found: false,
            table,
            diagnostics: self.diags,
            not_applicable,
        }
    }
}

/// A number as a report prints it: whole numbers without a decimal point.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
