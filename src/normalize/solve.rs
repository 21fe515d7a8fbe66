//! The arithmetic rules (勾稽关系) as equations, and what they determine.
//!
//! A cell is filled only when the rules leave one possible value: a rule with one unknown
//! gives it; a rule whose unknowns must all be ≥ 0 and sum to 0 makes them all 0. A row
//! that lost values is tried in every placement of the values it kept; a cell is filled
//! only when every placement consistent with the rules gives it the same value.

use crate::form::{Form, Per, TableDef};

/// sum(coefficient × cell) = 0.
#[derive(Debug, Clone)]
pub struct Equation {
    pub rule: String,
    pub terms: Vec<(usize, usize, f64)>,
}

pub type Grid = Vec<Vec<Option<f64>>>;

const EPS: f64 = 1e-6;
/// Placements tried for one row at most; beyond, the row is left unresolved.
const MAX_HYPOTHESES: usize = 20_000;

/// The equations the form's rules give for one table.
pub fn equations(form: &Form, def: &TableDef) -> Vec<Equation> {
    let mut out = Vec::new();
    for rule in form.rules.iter().filter(|r| r.table == def.key) {
        match rule.per {
            Per::Column => {
                for (c, _) in def.columns().iter().enumerate() {
                    let mut terms = Vec::new();
                    for (keys, coef) in [(&rule.lhs, 1.0), (&rule.rhs, -1.0)] {
                        for key in keys {
                            terms.extend(def.rows_matching(key).into_iter().map(|r| (r, c, coef)));
                        }
                    }
                    out.push(Equation {
                        rule: rule.id.clone(),
                        terms,
                    });
                }
            }
            Per::Row => {
                for row in def.rows() {
                    let col = |k: &String| row.block.columns.iter().position(|c| &c.key == k);
                    let lhs: Option<Vec<usize>> = rule.lhs.iter().map(col).collect();
                    let rhs: Option<Vec<usize>> = rule.rhs.iter().map(col).collect();
                    if let (Some(lhs), Some(rhs)) = (lhs, rhs) {
                        let mut terms: Vec<_> = lhs.into_iter().map(|c| (row.index, c, 1.0)).collect();
                        terms.extend(rhs.into_iter().map(|c| (row.index, c, -1.0)));
                        out.push(Equation {
                            rule: rule.id.clone(),
                            terms,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether `eq` can still hold: its known cells' terms plus the range each unknown cell may
/// take (`range(r, c)`, inclusive bounds, infinite where open) can reach 0.
pub fn can_hold(eq: &Equation, grid: &Grid, range: impl Fn(usize, usize) -> (f64, f64)) -> bool {
    let (mut lo, mut hi) = (0.0, 0.0);
    for &(r, c, k) in &eq.terms {
        match grid[r][c] {
            Some(v) => {
                lo += k * v;
                hi += k * v;
            }
            None => {
                let (a, b) = range(r, c);
                let (a, b) = if k >= 0.0 { (k * a, k * b) } else { (k * b, k * a) };
                lo += a;
                hi += b;
            }
        }
    }
    lo <= EPS && hi >= -EPS
}

/// Whether any equation holds one of `cells`: whether the rules can check a reading of them.
pub fn checked(eqs: &[Equation], cells: &[(usize, usize)]) -> bool {
    eqs.iter()
        .any(|e| e.terms.iter().any(|&(r, c, _)| cells.contains(&(r, c))))
}

/// What values a cell may take: whether it must be ≥ 0, whether it must be whole.
#[derive(Debug, Clone)]
pub struct Domain {
    pub nonnegative: Vec<Vec<bool>>,
    pub integral: Vec<Vec<bool>>,
}

impl Domain {
    /// The values a cell may take as a range: `[0, ∞)` for a count, all reals if signed.
    pub fn range(&self, r: usize, c: usize) -> (f64, f64) {
        let lo = if self.nonnegative[r][c] {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        (lo, f64::INFINITY)
    }

    pub fn of(def: &TableDef) -> Domain {
        let rows: Vec<_> = def.rows().collect();
        Domain {
            nonnegative: rows
                .iter()
                .map(|r| r.block.columns.iter().map(|c| !c.signed).collect())
                .collect(),
            integral: rows
                .iter()
                .map(|r| r.block.columns.iter().map(|c| !c.decimal).collect())
                .collect(),
        }
    }

    /// Whether cell (`r`, `c`) may hold `v`.
    pub fn admits(&self, r: usize, c: usize, v: f64) -> bool {
        (!self.nonnegative[r][c] || v > -EPS) && (!self.integral[r][c] || (v - v.round()).abs() < EPS)
    }
}

/// Fills the unknowns the equations determine. With `strict`, returns false as soon as an
/// equation that involves a `touched` cell cannot hold; otherwise skips such equations.
pub fn propagate(
    grid: &mut Grid,
    eqs: &[Equation],
    dom: &Domain,
    touched: &mut [Vec<bool>],
    strict: bool,
) -> bool {
    loop {
        let mut changed = false;
        for eq in eqs {
            let mut sum = 0.0;
            let mut unknown = Vec::new();
            for &(r, c, k) in &eq.terms {
                match grid[r][c] {
                    Some(v) => sum += k * v,
                    None => unknown.push((r, c, k)),
                }
            }
            let relevant = eq.terms.iter().any(|&(r, c, _)| touched[r][c]);
            match unknown.as_slice() {
                [] => {
                    if strict && relevant && sum.abs() > EPS {
                        return false;
                    }
                }
                [(r, c, k)] => {
                    let v = -sum / k;
                    if dom.admits(*r, *c, v) {
                        grid[*r][*c] = Some(v.round_ties_even_if(dom.integral[*r][*c]));
                        touched[*r][*c] = true;
                        changed = true;
                    } else if strict && relevant {
                        return false;
                    }
                }
                many => {
                    let sign = many[0].2;
                    let same_sign = many.iter().all(|t| t.2 == sign);
                    let all_nonneg = many.iter().all(|&(r, c, _)| dom.nonnegative[r][c]);
                    if same_sign && all_nonneg {
                        let needed = -sum / sign;
                        if needed.abs() < EPS {
                            for &(r, c, _) in many {
                                grid[r][c] = Some(0.0);
                                touched[r][c] = true;
                            }
                            changed = true;
                        } else if needed < 0.0 && strict && relevant {
                            return false;
                        }
                    }
                }
            }
        }
        if !changed {
            return true;
        }
    }
}

trait RoundIf {
    fn round_ties_even_if(self, integral: bool) -> f64;
}

impl RoundIf for f64 {
    fn round_ties_even_if(self, integral: bool) -> f64 {
        if integral {
            self.round()
        } else {
            (self * 1e6).round() / 1e6
        }
    }
}

/// What the rules say about a row that lost (or gained) values.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// No placement of the read values agrees with the rules.
    Contradiction,
    /// More placements than `MAX_HYPOTHESES` to try (a row read with far more or fewer
    /// values than cells): none was checked.
    TooMany,
    /// The value of each cell that every consistent placement agrees on, and how many
    /// placements were consistent.
    Agreed {
        cells: Vec<Option<f64>>,
        consistent: usize,
    },
}

/// Tries every placement of `values` (in order; `None` for one that was unreadable) into the
/// row's `slots`, which are unknown in `grid`.
pub fn place(
    grid: &Grid,
    slots: &[(usize, usize)],
    values: &[Option<f64>],
    eqs: &[Equation],
    dom: &Domain,
) -> Placement {
    let (n, m) = (slots.len(), values.len());
    if binomial(n.max(m), n.min(m)) > MAX_HYPOTHESES {
        return Placement::TooMany;
    }
    let hypotheses: Vec<Vec<Option<f64>>> = if m <= n {
        combinations(n, m)
            .into_iter()
            .map(|pos| {
                let mut row = vec![None; n];
                for (v, p) in values.iter().zip(pos) {
                    row[p] = *v;
                }
                row
            })
            .collect()
    } else {
        combinations(m, n)
            .into_iter()
            .map(|keep| keep.into_iter().map(|i| values[i]).collect())
            .collect()
    };
    if hypotheses.is_empty() {
        return Placement::Contradiction;
    }
    let mut agreed: Option<Vec<Option<f64>>> = None;
    let mut consistent = 0;
    for hyp in hypotheses {
        let mut g = grid.clone();
        let mut touched = vec![vec![false; 0]; g.len()];
        for (r, row) in g.iter().enumerate() {
            touched[r] = vec![false; row.len()];
        }
        let mut admissible = true;
        for (&(r, c), v) in slots.iter().zip(&hyp) {
            g[r][c] = *v;
            touched[r][c] = true;
            if let Some(v) = v {
                admissible &= dom.admits(r, c, *v);
            }
        }
        if !admissible || !propagate(&mut g, eqs, dom, &mut touched, true) {
            continue;
        }
        consistent += 1;
        let result: Vec<Option<f64>> = slots.iter().map(|&(r, c)| g[r][c]).collect();
        agreed = Some(match agreed {
            None => result,
            Some(prev) => prev
                .into_iter()
                .zip(result)
                .map(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) if (a - b).abs() < EPS => Some(a),
                    _ => None,
                })
                .collect(),
        });
    }
    match agreed {
        None => Placement::Contradiction,
        Some(cells) => Placement::Agreed { cells, consistent },
    }
}

/// All increasing sequences of `k` indices below `n`, or none when there are too many.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k > n || binomial(n, k) > MAX_HYPOTHESES {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(k);
    fn rec(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            if n - i < k - cur.len() {
                break;
            }
            cur.push(i);
            rec(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    rec(0, n, k, &mut cur, &mut out);
    out
}

/// C(n, k), saturating; 0 when k > n.
pub fn binomial(n: usize, k: usize) -> usize {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut acc: usize = 1;
    for i in 0..k {
        acc = acc.saturating_mul(n - i) / (i + 1);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Forms;

    fn setup() -> (Grid, Vec<Equation>, Domain, TableDef) {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let def = form.table("applications").unwrap().clone();
        let eqs = equations(form, &def);
        let dom = Domain::of(&def);
        let grid: Grid = def
            .rows()
            .map(|r| vec![Some(0.0); r.block.columns.len()])
            .collect();
        (grid, eqs, dom, def)
    }

    #[test]
    fn equations_cover_r1_to_r3() {
        let (_, eqs, _, _) = setup();
        assert_eq!(eqs.iter().filter(|e| e.rule == "R1").count(), 7);
        assert_eq!(eqs.iter().filter(|e| e.rule == "R2").count(), 7);
        assert_eq!(eqs.iter().filter(|e| e.rule == "R3").count(), 25);
        let r2 = eqs.iter().find(|e| e.rule == "R2").unwrap();
        assert_eq!(r2.terms.len(), 1 + 21);
    }

    #[test]
    fn a_row_of_zeros_missing_one_is_all_zeros() {
        let (mut grid, eqs, dom, _) = setup();
        let slots: Vec<_> = (0..7).map(|c| (0, c)).collect();
        for &(r, c) in &slots {
            grid[r][c] = None;
        }
        let p = place(&grid, &slots, &[Some(0.0); 6], &eqs, &dom);
        assert_eq!(
            p,
            Placement::Agreed {
                cells: vec![Some(0.0); 7],
                consistent: 7
            }
        );
    }

    #[test]
    fn a_lost_total_is_found_and_a_shift_is_refused() {
        let (mut grid, eqs, dom, _) = setup();
        // new_received = [5,3,0,0,0,0 | 8], carried_forward = the same, so R1 holds.
        for r in [0, 24] {
            grid[r] = vec![
                Some(5.0),
                Some(3.0),
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(8.0),
            ];
        }
        let slots: Vec<_> = (0..7).map(|c| (0, c)).collect();
        for &(r, c) in &slots {
            grid[r][c] = None;
        }
        // Read 5 3 0 0 0 0 (the total lost): only one placement fits R1 and R3.
        let vals = [5.0, 3.0, 0.0, 0.0, 0.0, 0.0].map(Some);
        match place(&grid, &slots, &vals, &eqs, &dom) {
            Placement::Agreed { cells, .. } => {
                assert_eq!(
                    cells,
                    vec![
                        Some(5.0),
                        Some(3.0),
                        Some(0.0),
                        Some(0.0),
                        Some(0.0),
                        Some(0.0),
                        Some(8.0)
                    ]
                )
            }
            p => panic!("{p:?}"),
        }
    }
}
