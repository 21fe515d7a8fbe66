//! Two years' reports of one body side by side (`nianbao compare A B`): every cell of the
//! three tables with both values and the change, and R6 across the two years
//! ([`crate::normalize::validate::year_over_year`]) when they are consecutive.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::form::{Form, Forms};
use crate::model::{Cell, Report, cell_path, fmt_num};

/// What `compare` found.
#[derive(Debug, Serialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    pub tables: Vec<TableComparison>,
    /// R6 between the two reports (empty when it holds, when the years are not consecutive,
    /// or when they are not known to be of one body): the later report's diagnostics, naming
    /// its cells.
    pub r6: Vec<Diagnostic>,
    /// Whether the two are of one body ([`crate::normalize::validate::same_body`]).
    pub same_body: bool,
}

/// One of the two reports.
#[derive(Debug, Serialize)]
pub struct Side {
    pub file: String,
    pub organization: Option<String>,
    pub year: Option<i32>,
    pub form: String,
}

#[derive(Debug, Serialize)]
pub struct TableComparison {
    pub key: String,
    /// The section heading the table stands under.
    pub heading: String,
    pub cells: Vec<CellComparison>,
}

/// A cell in both reports. `a` and `b` are `null` when blank, not applicable, or absent from
/// that report's form; `change` is `b − a` when both are figures.
#[derive(Debug, Serialize)]
pub struct CellComparison {
    pub path: String,
    pub row: String,
    pub column: String,
    #[serde(serialize_with = "figure")]
    pub a: Option<f64>,
    #[serde(serialize_with = "figure")]
    pub b: Option<f64>,
    #[serde(serialize_with = "figure")]
    pub change: Option<f64>,
}

/// A figure as the report's JSON writes it: a whole number as an integer (`3`, not `3.0`).
fn figure<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
        Some(n) => s.serialize_f64(*n),
        None => s.serialize_none(),
    }
}

impl CellComparison {
    /// Whether the two reports differ in this cell (a value against a blank counts).
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// Compares `a` (named `a_name`) with `b`, cell by cell over `b`'s form (the later form when
/// the two differ), and checks R6 when one is the year after the other.
pub fn compare(forms: &Forms, (a, a_name): (&Report, &str), (b, b_name): (&Report, &str)) -> Comparison {
    let form_b = forms.get(&b.form);
    let form_a = forms.get(&a.form);
    let form: Option<&Form> = match (form_a, form_b) {
        (Some(x), Some(y)) => Some(if x.first_year > y.first_year { x } else { y }),
        (x, y) => y.or(x),
    };
    let value = |r: &Report, path: &str| r.tables.cell(path).and_then(Cell::number);
    let mut tables = Vec::new();
    for def in form.map(|f| f.tables.as_slice()).unwrap_or_default() {
        let heading = form
            .and_then(|f| f.section(&def.section))
            .map(|s| s.title())
            .unwrap_or_default();
        let mut cells = Vec::new();
        for row in def.rows() {
            for col in &row.block.columns {
                let path = cell_path(&def.key, &row.def.key, &col.key);
                let (va, vb) = (value(a, &path), value(b, &path));
                let row_label = match &row.block.caption {
                    Some(c) => format!("{c} {}", row.def.label),
                    None => row.def.label.clone(),
                };
                cells.push(CellComparison {
                    path,
                    row: row_label,
                    column: col.label.clone(),
                    a: va,
                    b: vb,
                    change: va.zip(vb).map(|(x, y)| y - x),
                });
            }
        }
        tables.push(TableComparison {
            key: def.key.clone(),
            heading,
            cells,
        });
    }
    // R6 runs from the earlier report to the later one, of one body.
    let same = crate::normalize::validate::same_body(a, b);
    let r6 = match (form_a, form_b) {
        _ if !same => Vec::new(),
        (Some(fa), Some(fb)) if b.year.zip(a.year).is_some_and(|(y, x)| y == x + 1) => {
            crate::normalize::validate::year_over_year((fb, b, b_name), (fa, a, a_name)).0
        }
        (Some(fa), Some(fb)) if a.year.zip(b.year).is_some_and(|(x, y)| x == y + 1) => {
            crate::normalize::validate::year_over_year((fa, a, a_name), (fb, b, b_name)).0
        }
        _ => Vec::new(),
    };
    let side = |r: &Report, name: &str| Side {
        file: name.to_string(),
        organization: r.organization.clone(),
        year: r.year,
        form: r.form.clone(),
    };
    Comparison {
        a: side(a, a_name),
        b: side(b, b_name),
        tables,
        r6,
        same_body: same,
    }
}

impl Comparison {
    /// The comparison as text: a heading line naming both reports, then each table's cells
    /// (`row / column    a → b    ±change`, every cell, or with `changed_only` those that
    /// differ), then R6.
    pub fn to_text(&self, changed_only: bool) -> String {
        let side = |s: &Side| {
            format!(
                "{}（{} {}）",
                s.file,
                s.organization.as_deref().unwrap_or("发布机关不明"),
                s.year.map_or("年度不明".to_string(), |y| format!("{y} 年"))
            )
        };
        let num = |v: Option<f64>| v.map_or("—".to_string(), fmt_num);
        let mut out = format!("比较 (compare): {} → {}\n", side(&self.a), side(&self.b));
        if !self.same_body {
            out.push_str(
                "注意：不能确定两份报告是同一发布机关的，未检查 R6 (note: not known to be of one body; R6 not checked)\n",
            );
        }
        for t in &self.tables {
            let cells: Vec<&CellComparison> =
                t.cells.iter().filter(|c| !changed_only || c.differs()).collect();
            out.push_str(&format!(
                "\n{}（{} 处不同 (cells differ)）\n",
                t.heading,
                t.cells.iter().filter(|c| c.differs()).count()
            ));
            for c in cells {
                let change = match c.change {
                    Some(d) if d > 0.0 => format!("+{}", fmt_num(d)),
                    Some(d) if d < 0.0 => format!("-{}", fmt_num(-d)),
                    Some(_) => "=".to_string(),
                    None if c.differs() => "≠".to_string(),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "  {} / {}\t{} → {}\t{change}\n",
                    c.row,
                    c.column,
                    num(c.a),
                    num(c.b)
                ));
            }
        }
        if self.r6.is_empty() {
            out.push_str("\nR6：");
            out.push_str(if !self.same_body {
                "未检查 (not checked)\n"
            } else if self
                .a
                .year
                .zip(self.b.year)
                .is_some_and(|(x, y)| (x - y).abs() == 1)
            {
                "成立 (holds)\n"
            } else {
                "两份报告不是相邻年度，未检查 (not consecutive years: not checked)\n"
            });
        } else {
            out.push('\n');
            for d in &self.r6 {
                out.push_str(&format!("{d}\n"));
            }
        }
        out
    }
}
