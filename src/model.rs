//! The report model: what every reader produces (through the normalizer) and every writer
//! consumes. Its JSON form is nianbao's data format (read back, and checked against the form,
//! by [`crate::read::json`]).
//!
//! It also holds what a cell may be, as every layer reads and prints it: the not-applicable
//! marks ([`is_not_applicable`]), the figure budget ([`MAX_FIGURE`], [`is_figure`]) and a
//! figure's printed form ([`fmt_num`]).
//!
//! In the layers, `model` stands on [`crate::form`] and [`crate::diag`] only: everything
//! above (readers, normalizer, writers) may use it, and it calls none of them.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::form::{Form, TableDef};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// The form version, `2021` or `2019`.
    pub form: String,
    pub title: Option<String>,
    /// The issuing body.
    pub organization: Option<String>,
    pub year: Option<i32>,
    /// The preamble (key `null`) and the numbered sections, in document order.
    pub sections: Vec<Section>,
    pub tables: Tables,
    /// Cells that carried a not-applicable mark (`/`, `-`, `—`); they are `null` in `tables`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<String>,
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    /// The section key from the form (`overview` …), or `null` for the untitled preamble.
    pub key: Option<String>,
    pub heading: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading: level 2 is `（一）`, level 3 `1.`, level 4 `（1）`.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Where the section's table stands.
    Table {
        table: String,
    },
}

/// A table cell.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Cell {
    #[default]
    Blank,
    Number(f64),
    /// `/`, `-` or `—` in the source: not applicable, distinct from blank and from 0.
    NotApplicable,
}

impl Cell {
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The value the arithmetic rules see: a not-applicable cell counts as nothing.
    pub fn arithmetic(self) -> Option<f64> {
        match self {
            Cell::Number(n) => Some(n),
            Cell::NotApplicable => Some(0.0),
            Cell::Blank => None,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(n as i64),
            Cell::Number(n) => s.serialize_f64(n),
            Cell::Blank | Cell::NotApplicable => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Cell::Blank),
            Value::Number(n) => match n.as_f64() {
                Some(v) if is_figure(v) => Ok(Cell::Number(v)),
                _ => Err(D::Error::custom(format!(
                    "{n} is no figure of a report (beyond {MAX_FIGURE:e})"
                ))),
            },
            Value::String(s) if is_not_applicable(&s) => Ok(Cell::NotApplicable),
            other => Err(D::Error::custom(format!(
                "a cell is a number or null, not {other}"
            ))),
        }
    }
}

// Figures and marks: what a cell may hold, as every layer reads and prints it.

/// The marks that mean "not applicable".
pub fn is_not_applicable(s: &str) -> bool {
    matches!(s.trim(), "/" | "／" | "-" | "－" | "—" | "——" | "–" | "\\")
}

/// The largest figure a cell may hold. A year's documents, applications or cases run to
/// millions at most and the fee (万元) to thousands; 10^12 leaves a margin of a hundred
/// thousand times, and every whole number up to it, and every sum of a table's cells, is
/// exact in an `f64` (exact to 2^53 ≈ 9×10^15). A larger figure is digits run together or a
/// hostile input, and is no number: the cell stays unresolved (a 400-digit cell was `inf`
/// before, printed as `inf` and written to JSON as `null`).
pub const MAX_FIGURE: f64 = 1e12;

/// Whether `v` may stand in a cell: finite and no larger than [`MAX_FIGURE`].
pub fn is_figure(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_FIGURE
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

/// One data row of a table: its dotted key and its cells by column key.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: String,
    pub cells: Vec<(String, Cell)>,
}

/// A table's cells. In JSON the dotted row keys nest:
/// `{"withheld": {"state_secret": {"natural_person": 0, …}}}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

impl Table {
    /// An empty (all blank) table shaped like the form's.
    pub fn empty(def: &TableDef) -> Table {
        let rows = def
            .rows()
            .map(|r| Row {
                key: r.def.key.clone(),
                cells: r
                    .block
                    .columns
                    .iter()
                    .map(|c| (c.key.clone(), Cell::Blank))
                    .collect(),
            })
            .collect();
        Table { rows }
    }

    pub fn get(&self, row: usize, col: usize) -> Cell {
        self.rows
            .get(row)
            .and_then(|r| r.cells.get(col))
            .map(|c| c.1)
            .unwrap_or_default()
    }

    pub fn set(&mut self, row: usize, col: usize, cell: Cell) {
        if let Some(slot) = self.rows.get_mut(row).and_then(|r| r.cells.get_mut(col)) {
            slot.1 = cell;
        }
    }

    /// A cell by its path inside the table, `withheld.state_secret.natural_person`.
    pub fn cell(&self, path: &str) -> Option<Cell> {
        let (row, col) = path.rsplit_once('.')?;
        let r = self.rows.iter().find(|r| r.key == row)?;
        r.cells.iter().find(|c| c.0 == col).map(|c| c.1)
    }
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut root = Map::new();
        for row in &self.rows {
            let mut node = &mut root;
            for part in row.key.split('.') {
                let entry = node
                    .entry(part.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                node = entry.as_object_mut().expect("object");
            }
            for (col, cell) in &row.cells {
                node.insert(
                    col.clone(),
                    serde_json::to_value(cell).map_err(serde::ser::Error::custom)?,
                );
            }
        }
        root.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Table {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Map::<String, Value>::deserialize(d)?;
        let mut rows = Vec::new();
        flatten_rows("", &value, &mut rows).map_err(D::Error::custom)?;
        Ok(Table { rows })
    }
}

/// An object whose values are all scalars is a row; an object of objects is a group.
fn flatten_rows(prefix: &str, map: &Map<String, Value>, out: &mut Vec<Row>) -> Result<(), String> {
    let scalars = map.values().all(|v| !v.is_object());
    if scalars && !prefix.is_empty() {
        let mut cells = Vec::new();
        for (k, v) in map {
            let cell: Cell = serde_json::from_value(v.clone()).map_err(|e| format!("{prefix}.{k}: {e}"))?;
            cells.push((k.clone(), cell));
        }
        out.push(Row {
            key: prefix.to_string(),
            cells,
        });
        return Ok(());
    }
    for (k, v) in map {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten_rows(&path, inner, out)?,
            other => return Err(format!("{path}: expected an object of cells, found {other}")),
        }
    }
    Ok(())
}

/// The three tables, keyed as in the form: `active_disclosure`, `applications`,
/// `review_litigation`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tables(pub Vec<(String, Table)>);

impl Tables {
    pub fn empty(form: &Form) -> Tables {
        Tables(
            form.tables
                .iter()
                .map(|t| (t.key.clone(), Table::empty(t)))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&Table> {
        self.0.iter().find(|t| t.0 == key).map(|t| &t.1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Table> {
        self.0.iter_mut().find(|t| t.0 == key).map(|t| &mut t.1)
    }

    /// A cell by its full path, `applications.new_received.total`.
    pub fn cell(&self, path: &str) -> Option<Cell> {
        let (table, rest) = path.split_once('.')?;
        self.get(table)?.cell(rest)
    }

    /// Sets the cell at a full path (an edit); whether the form has that cell.
    pub fn set_cell(&mut self, path: &str, cell: Cell) -> bool {
        let Some((table, rest)) = path.split_once('.') else {
            return false;
        };
        let Some((row, col)) = rest.rsplit_once('.') else {
            return false;
        };
        let slot = self
            .get_mut(table)
            .and_then(|t| t.rows.iter_mut().find(|r| r.key == row))
            .and_then(|r| r.cells.iter_mut().find(|c| c.0 == col));
        match slot {
            Some(s) => {
                s.1 = cell;
                true
            }
            None => false,
        }
    }
}

impl Serialize for Tables {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, t) in &self.0 {
            map.serialize_entry(k, t)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tables {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        let mut out = Vec::new();
        for (k, v) in map {
            let t: Table = serde_json::from_value(v).map_err(|e| D::Error::custom(format!("{k}.{e}")))?;
            out.push((k, t));
        }
        Ok(Tables(out))
    }
}

/// The full path of a cell, as diagnostics and `not_applicable` name it.
pub fn cell_path(table: &str, row: &str, column: &str) -> String {
    format!("{table}.{row}.{column}")
}
