//! The numbers of one case: the 200 cells of the 2021 form, filled at random so that they obey
//! the form's rules. Leaf cells are drawn; every total is computed from the rules as the form
//! defines them (`form.rules`), and the result is checked against every rule again.

use std::collections::HashMap;

use nianbao::form::{Form, Per, RuleDef, TableDef};

use super::rng::Rng;

pub struct Truth {
    /// Every cell's value by its path inside `tables`.
    values: HashMap<String, f64>,
    /// How decimal cells are printed (the fee keeps its decimals: `12.3400`).
    texts: HashMap<String, String>,
}

impl Truth {
    pub fn value(&self, path: &str) -> f64 {
        self.values[path]
    }

    /// The cell as the report prints it, before any breakage or number style.
    pub fn text(&self, path: &str) -> String {
        match self.texts.get(path) {
            Some(t) => t.clone(),
            None => format!("{}", self.values[path] as u64),
        }
    }
}

/// The path of every cell of the form (inside `tables`), in form order.
pub fn cell_paths(form: &Form) -> Vec<String> {
    let mut out = Vec::new();
    for def in &form.tables {
        for row in def.rows() {
            for col in &row.block.columns {
                out.push(format!("{}.{}.{}", def.key, row.def.key, col.key));
            }
        }
    }
    out
}

fn rule<'f>(form: &'f Form, id: &str) -> &'f RuleDef {
    form.rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("form {} has no rule {id}", form.version))
}

fn table<'f>(form: &'f Form, key: &str) -> &'f TableDef {
    form.table(key)
        .unwrap_or_else(|| panic!("form {} has no table {key}", form.version))
}

/// How a case's numbers look: how many zeros, how large.
struct Profile {
    p_zero: f64,
    all_zero: bool,
}

impl Profile {
    fn count(&self, rng: &mut Rng, scale: u64) -> u64 {
        if self.all_zero || scale == 0 || rng.chance(self.p_zero) {
            0
        } else {
            rng.log_uniform(scale)
        }
    }
}

pub fn generate(form: &Form, rng: &mut Rng) -> Truth {
    let profile = Profile {
        p_zero: *rng.pick(&[0.1, 0.3, 0.5, 0.7, 0.9]),
        all_zero: rng.chance(0.05),
    };
    let mut values = HashMap::new();
    let mut texts = HashMap::new();
    active_disclosure(form, rng, &profile, &mut values, &mut texts);
    applications(form, rng, &profile, &mut values);
    review_litigation(form, rng, &profile, &mut values);
    for p in cell_paths(form) {
        assert!(values.contains_key(&p), "the generator left {p} unset");
    }
    let truth = Truth { values, texts };
    if let Err(e) = check_rules(form, &truth) {
        panic!("the generator broke a rule: {e}");
    }
    truth
}

/// Table 二: independent counts, and the fee as a decimal with 0 to 4 decimals.
fn active_disclosure(
    form: &Form,
    rng: &mut Rng,
    profile: &Profile,
    values: &mut HashMap<String, f64>,
    texts: &mut HashMap<String, String>,
) {
    let def = table(form, "active_disclosure");
    for row in def.rows() {
        for col in &row.block.columns {
            let path = format!("{}.{}.{}", def.key, row.def.key, col.key);
            if col.decimal {
                let decimals = rng.range(0, 4);
                let scale = *rng.pick(&[10, 1_000, 100_000, 1_000_000]);
                let int = profile.count(rng, scale);
                let text = if decimals == 0 {
                    int.to_string()
                } else {
                    let frac = if profile.all_zero {
                        0
                    } else {
                        rng.next_u64() % 10u64.pow(decimals as u32)
                    };
                    format!("{int}.{frac:0decimals$}")
                };
                values.insert(path.clone(), text.parse::<f64>().expect("a decimal"));
                texts.insert(path, text);
            } else {
                let scale = *rng.pick(&[10, 100, 1_000, 100_000, 4_000_000]);
                values.insert(path, profile.count(rng, scale) as f64);
            }
        }
    }
}

/// Table 三: the result rows (R2's right side) are drawn per applicant column; R2 gives the
/// total of results, R1 the new applications, R3 the total column.
fn applications(form: &Form, rng: &mut Rng, profile: &Profile, values: &mut HashMap<String, f64>) {
    let def = table(form, "applications");
    let (r1, r2, r3) = (rule(form, "R1"), rule(form, "R2"), rule(form, "R3"));
    assert!(r1.per == Per::Column && r2.per == Per::Column && r3.per == Per::Row);
    assert!(r1.lhs.len() == 2 && r1.rhs.len() == 2 && r2.lhs.len() == 1 && r3.lhs.len() == 1);
    assert_eq!(r1.rhs[0], r2.lhs[0], "R1 and R2 share the total of results");
    let leaves: Vec<usize> = r2.rhs.iter().flat_map(|p| def.rows_matching(p)).collect();
    let key = |i: usize| def.row(i).expect("row").def.key.clone();
    let mut set = |row: &str, col: &str, v: u64| {
        values.insert(format!("{}.{row}.{col}", def.key), v as f64);
    };
    let mut rows_total: HashMap<String, u64> = HashMap::new();
    for (k, col) in r3.rhs.iter().enumerate() {
        // The first applicant column (natural persons) is usually the largest.
        let scale = if k == 0 {
            *rng.pick(&[3, 20, 200, 2_000, 50_000, 1_000_000])
        } else if rng.chance(0.4) {
            0
        } else {
            *rng.pick(&[3, 20, 200, 5_000, 200_000])
        };
        let mut results = 0;
        for &i in &leaves {
            let leaf_scale = if rng.chance(0.25) {
                scale
            } else {
                (scale / 50).max(1)
            };
            let v = profile.count(rng, leaf_scale);
            results += v;
            set(&key(i), col, v);
            *rows_total.entry(key(i)).or_default() += v;
        }
        let carried_over = profile.count(rng, (scale / 10).max(1)).min(results);
        let carried_forward = profile.count(rng, (scale / 10).max(1));
        let new_received = results + carried_forward - carried_over;
        for (row, v) in [
            (&r2.lhs[0], results),
            (&r1.lhs[1], carried_over),
            (&r1.rhs[1], carried_forward),
            (&r1.lhs[0], new_received),
        ] {
            set(row, col, v);
            *rows_total.entry(row.clone()).or_default() += v;
        }
    }
    for (row, total) in rows_total {
        set(&row, &r3.lhs[0], total);
    }
}

/// Table 四: four results per row, the total from R4.
fn review_litigation(form: &Form, rng: &mut Rng, profile: &Profile, values: &mut HashMap<String, f64>) {
    let def = table(form, "review_litigation");
    let r4 = rule(form, "R4");
    assert!(r4.per == Per::Row && r4.table == def.key && r4.lhs.len() == 1);
    for row in def.rows() {
        let empty = rng.chance(0.3);
        let scale = *rng.pick(&[5, 50, 500]);
        let mut total = 0;
        for col in &r4.rhs {
            let v = if empty { 0 } else { profile.count(rng, scale) };
            total += v;
            values.insert(format!("{}.{}.{col}", def.key, row.def.key), v as f64);
        }
        values.insert(format!("{}.{}.{}", def.key, row.def.key, r4.lhs[0]), total as f64);
    }
}

/// Checks every rule of the form on the truth, as the form states it.
pub fn check_rules(form: &Form, truth: &Truth) -> Result<(), String> {
    for rule in &form.rules {
        let def = table(form, &rule.table);
        match rule.per {
            Per::Column => {
                for col in def.columns() {
                    let side = |keys: &[String]| -> f64 {
                        keys.iter()
                            .flat_map(|p| def.rows_matching(p))
                            .map(|i| {
                                let row = def.row(i).expect("row");
                                truth.value(&format!("{}.{}.{}", def.key, row.def.key, col.key))
                            })
                            .sum()
                    };
                    let (l, r) = (side(&rule.lhs), side(&rule.rhs));
                    if l != r {
                        return Err(format!("{} column {}: {l} ≠ {r}", rule.id, col.key));
                    }
                }
            }
            Per::Row => {
                for row in def.rows() {
                    let side = |keys: &[String]| -> f64 {
                        keys.iter()
                            .map(|c| truth.value(&format!("{}.{}.{c}", def.key, row.def.key)))
                            .sum()
                    };
                    let (l, r) = (side(&rule.lhs), side(&rule.rhs));
                    if l != r {
                        return Err(format!("{} row {}: {l} ≠ {r}", rule.id, row.def.key));
                    }
                }
            }
        }
    }
    Ok(())
}
