//! The whole-table solver: every form row whose text can be read more than one way (digit
//! runs cut into cells, a number broken over two lines joined again, a run of equal values
//! an archive collapsed into one line expanded) gets the set of value tuples its text can
//! stand for, and the rows are solved together against the form's equations.
//!
//! A cell is filled only where every assignment consistent with the equations (R1–R4) and
//! the cells' domains (≥ 0, whole numbers) agrees. Rows read with certainty (one reading)
//! are never tested against the rules here: a printed total that disagrees stays as printed
//! and validation reports the failing rule.
//!
//! Bounds: a row keeps at most [`MAX_READINGS`] readings (more: the row is given up); the
//! joint search visits at most [`MAX_NODES`] nodes and counts at most [`MAX_SOLUTIONS`]
//! solutions before it gives up. Each node checks only the equations of the row it assigns,
//! so the work is at most `MAX_NODES × (equations of a row × terms)`: linear in the table.

use super::solve::{Domain, Equation, Grid, binomial};

/// Readings kept for one row at most.
pub const MAX_READINGS: usize = 4096;
/// Search nodes (row assignments tried) at most, for one table.
pub const MAX_NODES: usize = 20_000;
/// Consistent assignments counted at most, for one table.
pub const MAX_SOLUTIONS: usize = 1024;

const EPS: f64 = 1e-6;

/// One form row (or a side-by-side table's one print row) and its possible readings: each
/// reading holds one value per cell, in the order of `cells`.
#[derive(Debug, Clone)]
pub struct RowReadings {
    /// The (form row, column) of each cell.
    pub cells: Vec<(usize, usize)>,
    pub readings: Vec<Vec<f64>>,
}

/// What the joint search found for one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// No assignment of the readings of the row's group agrees with the equations.
    NoSolution,
    /// The search of the row's group passed [`MAX_NODES`] nodes or [`MAX_SOLUTIONS`]
    /// solutions.
    GaveUp,
    /// The value of each cell all `solutions` of the row's group agree on.
    Solved {
        agreed: Vec<Option<f64>>,
        solutions: usize,
    },
}

/// Keeps the readings that the cells' domains and the equations lying wholly inside the
/// row (R3, R4) allow, each once. Cost: readings × row equations.
pub fn prune_local(row: &mut RowReadings, eqs: &[Equation], dom: &Domain) {
    let local = local_equations(&row.cells, eqs);
    row.readings.retain(|vals| {
        row.cells
            .iter()
            .zip(vals)
            .all(|(&(r, c), &v)| dom.admits(r, c, v))
            && local
                .iter()
                .all(|eq| eq.iter().map(|&(i, k)| k * vals[i]).sum::<f64>().abs() < EPS)
    });
    let mut seen: Vec<Vec<u64>> = Vec::new();
    row.readings.retain(|vals| {
        let key: Vec<u64> = vals.iter().map(|v| v.to_bits()).collect();
        let new = !seen.contains(&key);
        if new {
            seen.push(key);
        }
        new
    });
}

/// Solves the rows together: `grid` holds the cells already known (the rows' own cells
/// must be `None` there); a cell unknown outside the rows may take any value of its domain.
/// Rows that share no equation are solved apart, each group within its own bounds, so a
/// table costs at most (rows × [`MAX_NODES`]) node checks. Returns an outcome per row.
pub fn solve(grid: &Grid, rows: &[RowReadings], eqs: &[Equation], dom: &Domain) -> Vec<Outcome> {
    let touching: Vec<Vec<usize>> = rows
        .iter()
        .map(|row| {
            (0..eqs.len())
                .filter(|&e| eqs[e].terms.iter().any(|&(r, c, _)| row.cells.contains(&(r, c))))
                .collect()
        })
        .collect();
    // Groups of rows linked by shared equations.
    let mut group: Vec<usize> = (0..rows.len()).collect();
    fn root(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for a in 0..rows.len() {
        for b in a + 1..rows.len() {
            if touching[a].iter().any(|e| touching[b].contains(e)) {
                let (ra, rb) = (root(&mut group, a), root(&mut group, b));
                group[ra] = rb;
            }
        }
    }
    // The range each unknown cell may take: over its row's readings, or its domain.
    let mut range: Vec<Vec<(f64, f64)>> = grid
        .iter()
        .enumerate()
        .map(|(r, row)| (0..row.len()).map(|c| dom.range(r, c)).collect())
        .collect();
    for row in rows {
        for (i, &(r, c)) in row.cells.iter().enumerate() {
            let vals = row.readings.iter().map(|x| x[i]);
            range[r][c] = (
                vals.clone().fold(f64::INFINITY, f64::min),
                vals.fold(f64::NEG_INFINITY, f64::max),
            );
        }
    }
    let mut out = vec![Outcome::NoSolution; rows.len()];
    let mut done = vec![false; rows.len()];
    for first in 0..rows.len() {
        if done[first] {
            continue;
        }
        let g = root(&mut group, first);
        let members: Vec<usize> = (0..rows.len()).filter(|&i| root(&mut group, i) == g).collect();
        for &i in &members {
            done[i] = true;
        }
        if members.iter().any(|&i| rows[i].readings.is_empty()) {
            continue;
        }
        // Fewest readings first: certain rows fix their cells before any branching.
        let mut order = members.clone();
        order.sort_by_key(|&i| rows[i].readings.len());
        let mut search = Search {
            grid: grid.clone(),
            range: &range,
            rows,
            eqs,
            order,
            touching: &touching,
            nodes: 0,
            solutions: 0,
            agreed: rows.iter().map(|r| vec![None; r.cells.len()]).collect(),
            chosen: vec![0; rows.len()],
            gave_up: false,
        };
        search.run(0);
        for &i in &members {
            out[i] = if search.gave_up {
                Outcome::GaveUp
            } else if search.solutions == 0 {
                Outcome::NoSolution
            } else {
                Outcome::Solved {
                    agreed: search.agreed[i].iter().map(|v| v.and_then(|x| x)).collect(),
                    solutions: search.solutions,
                }
            };
        }
    }
    out
}

struct Search<'a> {
    grid: Grid,
    /// The range of each cell not yet set (see [`solve`]).
    range: &'a [Vec<(f64, f64)>],
    rows: &'a [RowReadings],
    eqs: &'a [Equation],
    order: Vec<usize>,
    touching: &'a [Vec<usize>],
    nodes: usize,
    solutions: usize,
    /// Per row and cell: `None` before the first solution, then `Some(value)` while all
    /// solutions agree, `Some(None)` once two differ.
    agreed: Vec<Vec<Option<Option<f64>>>>,
    chosen: Vec<usize>,
    gave_up: bool,
}

impl Search<'_> {
    fn run(&mut self, depth: usize) {
        if self.gave_up {
            return;
        }
        if depth == self.order.len() {
            self.record();
            return;
        }
        let i = self.order[depth];
        for k in 0..self.rows[i].readings.len() {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                self.gave_up = true;
                return;
            }
            for (&(r, c), &v) in self.rows[i].cells.iter().zip(&self.rows[i].readings[k]) {
                self.grid[r][c] = Some(v);
            }
            if self.holds(i) {
                self.chosen[i] = k;
                self.run(depth + 1);
            }
            if self.gave_up {
                return;
            }
        }
        for &(r, c) in &self.rows[i].cells {
            self.grid[r][c] = None;
        }
    }

    /// Whether the equations of row `i` can still hold with its cells set: the known
    /// terms plus the range of the unknown ones must be able to reach 0.
    fn holds(&self, i: usize) -> bool {
        self.touching[i]
            .iter()
            .all(|&e| super::solve::can_hold(&self.eqs[e], &self.grid, |r, c| self.range[r][c]))
    }

    fn record(&mut self) {
        self.solutions += 1;
        if self.solutions > MAX_SOLUTIONS {
            self.gave_up = true;
            return;
        }
        for &i in &self.order {
            let reading = &self.rows[i].readings[self.chosen[i]];
            for (slot, &v) in self.agreed[i].iter_mut().zip(reading) {
                *slot = match *slot {
                    None => Some(Some(v)),
                    Some(Some(a)) if (a - v).abs() < EPS => Some(Some(a)),
                    _ => Some(None),
                };
            }
        }
    }
}

/// Every row of `n` values whose runs of equal neighbours, written once, give `runs`
/// (an archive that merged equal neighbouring lines). `None` when there are more than
/// [`MAX_READINGS`]. Cost: C(n − 1, runs − 1) readings.
pub fn expansions(runs: &[f64], n: usize) -> Option<Vec<Vec<f64>>> {
    let m = runs.len();
    if m == 0 || m > n {
        return Some(Vec::new());
    }
    if binomial(n - 1, m - 1) > MAX_READINGS {
        return None;
    }
    let mut out = Vec::new();
    let mut row = Vec::with_capacity(n);
    fn rec(runs: &[f64], n: usize, row: &mut Vec<f64>, out: &mut Vec<Vec<f64>>) {
        let Some((&v, rest)) = runs.split_first() else {
            if row.len() == n {
                out.push(row.clone());
            }
            return;
        };
        // This run takes 1.. cells, leaving at least one for each run after it.
        let room = n - row.len() - rest.len();
        for len in 1..=room {
            if rest.is_empty() && len != room {
                continue;
            }
            row.extend(std::iter::repeat_n(v, len));
            rec(rest, n, row, out);
            row.truncate(row.len() - len);
        }
    }
    rec(runs, n, &mut row, &mut out);
    Some(out)
}

/// A piece of a number as printed, and whether it may be joined to the piece before it
/// (it stands on another line: a soft boundary).
#[derive(Debug, Clone)]
pub struct Piece {
    pub digits: String,
    pub joins_previous: bool,
}

/// Whether `s` is a number token a cell can hold: digits without a leading zero (`0`
/// itself excepted), and a decimal point only where `decimal`.
pub fn token_ok(s: &str, decimal: bool) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    // Within the figure budget (model::MAX_FIGURE = 10^12, a 13-digit 1 and zeros), without
    // parsing: a run of a million digits is refused at its 14th.
    let max = "1000000000000";
    digits(int)
        && (int == "0" || !int.starts_with('0'))
        && (int.len() < max.len() || (int.len() == max.len() && int <= max))
        && int.len() + frac.map_or(0, str::len) <= super::cells::MAX_SIGNIFICANT_DIGITS
        && match frac {
            None => true,
            Some(f) => decimal && digits(f),
        }
}

/// Every way to join neighbouring `pieces` into `n` numbers, joining only across soft
/// boundaries; `decimal[i]` says whether cell `i` may hold a decimal. `None` when there
/// are more than [`MAX_READINGS`]. Cost: at most C(pieces − 1, n − 1) cut sets.
pub fn joins(pieces: &[Piece], decimal: &[bool]) -> Option<Vec<Vec<f64>>> {
    let n = decimal.len();
    let m = pieces.len();
    if n == 0 || m < n || binomial(m - 1, n - 1) > MAX_READINGS {
        return None;
    }
    let mut out = Vec::new();
    fn rec(pieces: &[Piece], decimal: &[bool], at: usize, row: &mut Vec<f64>, out: &mut Vec<Vec<f64>>) {
        let cell = row.len();
        if cell == decimal.len() {
            if at == pieces.len() {
                out.push(row.clone());
            }
            return;
        }
        let mut token = String::new();
        for end in at..pieces.len() {
            if end > at && !pieces[end].joins_previous {
                break;
            }
            token.push_str(&pieces[end].digits);
            if token_ok(&token, decimal[cell])
                && let Ok(v) = token.parse::<f64>()
            {
                row.push(v);
                rec(pieces, decimal, end + 1, row, out);
                row.pop();
            }
        }
    }
    rec(pieces, decimal, 0, &mut Vec::with_capacity(n), &mut out);
    Some(out)
}

/// A row printed whole on one line (`values`, one a cell) and pieces on the lines below it
/// (`tails`): each tail may continue any value of the row (a number broken inside its
/// cell, its tail under its column). Tails that continue the same value follow in order.
pub fn tails_to_any(values: &[String], tails: &[String], decimal: &[bool]) -> Vec<Vec<f64>> {
    let n = values.len();
    if n != decimal.len() || tails.is_empty() || tails.len() > 3 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut target = vec![0usize; tails.len()];
    loop {
        // Tails in order onto non-decreasing targets keep their reading order.
        if target.windows(2).all(|w| w[0] <= w[1]) {
            let mut tokens: Vec<String> = values.to_vec();
            for (t, &i) in tails.iter().zip(&target) {
                tokens[i].push_str(t);
            }
            let vals: Option<Vec<f64>> = tokens
                .iter()
                .zip(decimal)
                .map(|(t, &d)| token_ok(t, d).then(|| t.parse().ok()).flatten())
                .collect();
            if let Some(v) = vals {
                out.push(v);
            }
        }
        let mut k = 0;
        while k < target.len() {
            target[k] += 1;
            if target[k] < n {
                break;
            }
            target[k] = 0;
            k += 1;
        }
        if k == target.len() {
            break;
        }
    }
    out
}

/// The equations lying wholly inside a row of `cells`, each as (cell index, coefficient)
/// terms: R3 for a row of table 三, R4 for table 四.
pub fn local_equations(cells: &[(usize, usize)], eqs: &[Equation]) -> Vec<Vec<(usize, f64)>> {
    eqs.iter()
        .filter_map(|e| {
            e.terms
                .iter()
                .map(|&(r, c, k)| cells.iter().position(|&x| x == (r, c)).map(|i| (i, k)))
                .collect::<Option<Vec<_>>>()
        })
        .collect()
}

/// Every way to cut a run of digits printed without separators into one number a cell
/// (`decimal[i]`: cell `i` may hold a decimal), no piece with a leading zero (`0` itself
/// excepted). Spaces inside the run are soft: a cut may fall there or not. `local` are the
/// row's own equations ([`local_equations`]), checked as soon as their cells are cut, so
/// the search stays small. When the run ends in `ordinal` (the next row's number, glued
/// on: `…00000022.其他…`, or a year of the text after the table), the cuts without it are
/// taken too. `None` when the search
/// passes [`MAX_NODES`] steps or the readings pass [`MAX_READINGS`].
pub fn cuts(
    run: &str,
    ordinal: Option<&str>,
    decimal: &[bool],
    local: &[Vec<(usize, f64)>],
) -> Option<Vec<Vec<f64>>> {
    let digits: String = run.chars().filter(|c| !c.is_whitespace()).collect();
    let mut runs = vec![digits.clone()];
    if let Some(o) = ordinal
        && let Some(head) = digits.strip_suffix(o)
        && !head.is_empty()
    {
        runs.push(head.to_string());
    }
    // The equations checkable once cell `i` is cut: those whose last cell is `i`.
    let mut due: Vec<Vec<&Vec<(usize, f64)>>> = vec![Vec::new(); decimal.len()];
    for eq in local {
        if let Some(last) = eq.iter().map(|t| t.0).max() {
            due[last].push(eq);
        }
    }
    let mut out = Vec::new();
    let mut steps = 0usize;
    for run in runs {
        let chars: Vec<char> = run.chars().collect();
        if !rec_cut(&chars, 0, decimal, &due, &mut Vec::new(), &mut out, &mut steps) {
            return None;
        }
    }
    Some(out)
}

fn rec_cut(
    chars: &[char],
    at: usize,
    decimal: &[bool],
    due: &[Vec<&Vec<(usize, f64)>>],
    row: &mut Vec<f64>,
    out: &mut Vec<Vec<f64>>,
    steps: &mut usize,
) -> bool {
    let cell = row.len();
    if cell == decimal.len() {
        if at == chars.len() {
            out.push(row.clone());
        }
        return out.len() <= MAX_READINGS;
    }
    // Each cell after this one needs a character at least.
    let left = decimal.len() - cell - 1;
    let mut token = String::new();
    for end in at..chars.len().saturating_sub(left) {
        *steps += 1;
        if *steps > MAX_NODES * 10 {
            return false;
        }
        token.push(chars[end]);
        if !token_ok(&token, decimal[cell]) {
            // A leading zero stays one; a point where none may stand stays too.
            let zero = token.starts_with('0') && token != "0" && !token.starts_with("0.");
            // Past the figure budget no longer token is one either.
            let long = token.len() > super::cells::MAX_SIGNIFICANT_DIGITS + 1;
            if zero || long || (token.contains('.') && !decimal[cell]) {
                break;
            }
            continue;
        }
        let Ok(v) = token.parse::<f64>() else { continue };
        row.push(v);
        let fits = due[cell]
            .iter()
            .all(|eq| eq.iter().map(|&(i, k)| k * row[i]).sum::<f64>().abs() < EPS);
        let ok = !fits || rec_cut(chars, end + 1, decimal, due, row, out, steps);
        row.pop();
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Forms;
    use crate::normalize::solve::equations;

    /// Table 三 of the 2021 form: every cell known but the rows under test.
    fn applications() -> (Grid, Vec<Equation>, Domain) {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let def = form.table("applications").unwrap().clone();
        let grid: Grid = def
            .rows()
            .map(|r| vec![Some(0.0); r.block.columns.len()])
            .collect();
        (grid, equations(form, &def), Domain::of(&def))
    }

    fn row_cells(r: usize) -> Vec<(usize, usize)> {
        (0..7).map(|c| (r, c)).collect()
    }

    #[test]
    fn a_collapsed_row_expands_to_the_one_run_r3_allows() {
        let (_, eqs, dom) = applications();
        let mut row = RowReadings {
            cells: row_cells(0),
            readings: expansions(&[8.0, 0.0, 8.0], 7).unwrap(),
        };
        assert_eq!(row.readings.len(), 15);
        prune_local(&mut row, &eqs, &dom);
        assert_eq!(row.readings, vec![vec![8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0]]);
        // A lone 0 is a whole row of zeros.
        assert_eq!(expansions(&[0.0], 7).unwrap(), vec![vec![0.0; 7]]);
    }

    #[test]
    fn a_glued_ordinal_belongs_to_the_next_row() {
        let (_, eqs, _) = applications();
        let cells = row_cells(4);
        let local = local_equations(&cells, &eqs);
        // `1.属于国家秘密20000022.其他法律…`: the last 2 is the next row's number.
        let got = cuts("20000022", Some("2"), &[false; 7], &local).unwrap();
        assert_eq!(got, vec![vec![2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]]);
        // A stray space inside a run is no boundary of its own: R3 leaves two cuts here,
        // for the column equations to choose from.
        let got = cuts("1 1000001 1", None, &[false; 7], &local).unwrap();
        assert_eq!(
            got,
            vec![
                vec![1.0, 10.0, 0.0, 0.0, 0.0, 0.0, 11.0],
                vec![11.0, 0.0, 0.0, 0.0, 0.0, 0.0, 11.0]
            ]
        );
    }

    #[test]
    fn a_cut_two_readings_allow_is_refused() {
        // c0 + c1 = c2, and `11213` cuts as 1|12|13 or 11|2|13: only 13 is determined.
        let eqs = vec![Equation {
            rule: "R3".into(),
            terms: vec![(0, 0, 1.0), (0, 1, 1.0), (0, 2, -1.0)],
        }];
        let dom = Domain {
            nonnegative: vec![vec![true; 3]],
            integral: vec![vec![true; 3]],
        };
        let cells = vec![(0, 0), (0, 1), (0, 2)];
        let local = local_equations(&cells, &eqs);
        let readings = cuts("11213", None, &[false; 3], &local).unwrap();
        assert_eq!(readings.len(), 2);
        let out = solve(
            &vec![vec![None; 3]],
            &[RowReadings { cells, readings }],
            &eqs,
            &dom,
        );
        assert_eq!(
            out,
            vec![Outcome::Solved {
                agreed: vec![None, None, Some(13.0)],
                solutions: 2
            }]
        );
    }

    #[test]
    fn the_column_sums_decide_between_rows() {
        let (mut grid, eqs, dom) = applications();
        // new_received 2,0,1,0,0,0,3 printed collapsed as 2 / 0 / 1 / 0 / 3: the 1 may
        // stand in three columns; total_processed and carried_forward fix it (R1).
        grid[23] = vec![
            Some(2.0),
            Some(0.0),
            Some(0.0),
            Some(1.0),
            Some(0.0),
            Some(0.0),
            Some(3.0),
        ];
        grid[24] = vec![Some(0.0); 7];
        grid[2] = grid[23].clone();
        grid[0] = vec![None; 7];
        let mut row = RowReadings {
            cells: row_cells(0),
            readings: expansions(&[2.0, 0.0, 1.0, 0.0, 3.0], 7).unwrap(),
        };
        prune_local(&mut row, &eqs, &dom);
        assert_eq!(row.readings.len(), 3);
        let out = solve(&grid, &[row], &eqs, &dom);
        assert_eq!(
            out,
            vec![Outcome::Solved {
                agreed: vec![
                    Some(2.0),
                    Some(0.0),
                    Some(0.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.0),
                    Some(3.0)
                ],
                solutions: 1
            }]
        );
    }

    #[test]
    fn a_pathological_table_gives_up_quickly() {
        // 30 rows of 2 cells, 3 readings each, bound by one equation that any of them
        // satisfies (a free non-negative unknown takes up the rest): 3^30 solutions.
        let rows = 30;
        let mut terms: Vec<(usize, usize, f64)> =
            (0..rows).flat_map(|r| [(r, 0, 1.0), (r, 1, 1.0)]).collect();
        terms.push((rows, 0, -1.0));
        let eqs = vec![Equation {
            rule: "R2".into(),
            terms,
        }];
        let dom = Domain {
            nonnegative: vec![vec![true; 2]; rows + 1],
            integral: vec![vec![true; 2]; rows + 1],
        };
        let grid: Grid = vec![vec![None; 2]; rows + 1];
        let input: Vec<RowReadings> = (0..rows)
            .map(|r| RowReadings {
                cells: vec![(r, 0), (r, 1)],
                readings: vec![vec![0.0, 1.0], vec![1.0, 0.0], vec![1.0, 1.0]],
            })
            .collect();
        let start = std::time::Instant::now();
        let out = solve(&grid, &input, &eqs, &dom);
        assert!(out.iter().all(|o| *o == Outcome::GaveUp));
        assert!(start.elapsed().as_secs() < 5);
        // A digit run too long to cut gives up too, rather than enumerate.
        assert!(cuts(&"1".repeat(400), None, &[false; 15], &[]).is_none());
    }

    #[test]
    fn joins_only_across_soft_boundaries() {
        let piece = |d: &str, soft| Piece {
            digits: d.into(),
            joins_previous: soft,
        };
        // `447` / `228` in a one-cell row: the only reading is 447228.
        let got = joins(&[piece("447", false), piece("228", true)], &[false]).unwrap();
        assert_eq!(got, vec![vec![447228.0]]);
        // On one line (a hard boundary) they cannot join.
        assert!(
            joins(&[piece("447", false), piece("228", false)], &[false])
                .unwrap()
                .is_empty()
        );
        // A head `0` cannot start a longer number.
        assert!(
            joins(&[piece("0", false), piece("5", true)], &[false])
                .unwrap()
                .is_empty()
        );
        // A tail under its column may continue any value of its row.
        let got = tails_to_any(&["1".into(), "2".into()], &["3".into()], &[false, false]);
        assert_eq!(got, vec![vec![13.0, 2.0], vec![1.0, 23.0]]);
    }
}
