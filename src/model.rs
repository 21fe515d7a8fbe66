//! The report model: what every reader produces (through the normalizer) and every writer
//! consumes. Its JSON form is nianbao's data format.

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
                Some(v) if crate::normalize::cells::is_figure(v) => Ok(Cell::Number(v)),
                _ => Err(D::Error::custom(format!(
                    "{n} is no figure of a report (beyond {:e})",
                    crate::normalize::cells::MAX_FIGURE
                ))),
            },
            Value::String(s) if crate::normalize::cells::is_not_applicable(&s) => Ok(Cell::NotApplicable),
            other => Err(D::Error::custom(format!(
                "a cell is a number or null, not {other}"
            ))),
        }
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

/// The most characters a report's title or issuing body may have in JSON input. Real titles
/// run 20 to 60 characters (`某某市人民政府办公室2023年政府信息公开工作年度报告`), issuing
/// bodies up to about 40; 300 is five times the longest, and still sets on a few centred lines
/// of one page. A longer one is no title: the file is refused rather than the title cut, as
/// a cut title would print a name the report does not have.
pub const MAX_TITLE_CHARS: usize = 300;

/// The most sections a report in JSON may have: the form has six and a preamble; each
/// section may print the tables again, so their number bounds the pages.
pub const MAX_SECTIONS: usize = 64;

/// The most blocks (paragraphs, sub-headings, table places) all sections of a report in JSON
/// may hold: real reports have a few hundred paragraphs, fewer than 50,000 lines in all.
pub const MAX_BLOCKS: usize = 20_000;

/// The most characters of text (headings and paragraphs) a report in JSON may hold: real
/// reports hold 5,000 to 50,000; a million is twenty times the longest and sets in a few
/// seconds. Longer text is refused, not cut: a cut report would print less than it says.
pub const MAX_TEXT_CHARS: usize = 1_000_000;

/// Loads a report from nianbao's JSON, checks its tables against the form, and runs the
/// rules again: diagnostics in the file are replaced by fresh ones, except the reading
/// errors ([`code::UNRESOLVED`](crate::diag::code::UNRESOLVED),
/// [`code::UNREADABLE`](crate::diag::code::UNREADABLE)) that name a cell still blank: the
/// rules cannot tell again that a blank was a value the source did not give up, so the file's
/// word for it is kept (one a blank cell).
///
/// # Errors
/// [`crate::error::Error::Unusable`] naming the place: invalid JSON, an unknown form, table, row or
/// column, a cell that is no figure (beyond [`MAX_FIGURE`](crate::normalize::cells::MAX_FIGURE)),
/// a title or issuing body longer than [`MAX_TITLE_CHARS`], more sections, blocks or text
/// than [`MAX_SECTIONS`], [`MAX_BLOCKS`], [`MAX_TEXT_CHARS`].
pub fn from_json(text: &str, forms: &crate::form::Forms) -> Result<Report, crate::error::Error> {
    let unusable = |m: String| crate::error::Error::Unusable(m);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut report: Report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // Inside `tables` the path is carried by the message itself: `review.upheld: …`.
        let (path, inner) = (e.path().to_string(), e.inner().to_string());
        let at = if path == "tables" {
            format!("tables.{inner}")
        } else {
            format!("{path}: {inner}")
        };
        unusable(format!("JSON 无效 (invalid report JSON) at {at}"))
    })?;
    let form = forms.get(&report.form).ok_or_else(|| {
        unusable(format!(
            "JSON 无效 (invalid report JSON) at form: unknown form version {}",
            report.form
        ))
    })?;
    for (field, value) in [("title", &report.title), ("organization", &report.organization)] {
        let n = value.as_deref().map_or(0, |t| t.chars().count());
        if n > MAX_TITLE_CHARS {
            return Err(unusable(format!(
                "JSON 无效 (invalid report JSON) at {field}: {n} characters; the limit is {MAX_TITLE_CHARS}"
            )));
        }
    }
    text_budgets(&report)
        .map_err(|e| unusable(format!("JSON 无效 (invalid report JSON) at sections: {e}")))?;
    report.tables = conform(form, &report.tables, &report.not_applicable).map_err(unusable)?;
    let kept = reading_errors(&report);
    report.diagnostics = crate::normalize::validate::check(form, &report);
    report.diagnostics.splice(0..0, kept);
    Ok(report)
}

/// The sections within [`MAX_SECTIONS`], [`MAX_BLOCKS`] and [`MAX_TEXT_CHARS`].
fn text_budgets(report: &Report) -> Result<(), String> {
    let over =
        |what: &str, n: usize, max: usize| (n > max).then(|| format!("{n} {what}; the limit is {max}"));
    if let Some(e) = over("sections", report.sections.len(), MAX_SECTIONS) {
        return Err(e);
    }
    let blocks: usize = report.sections.iter().map(|s| s.blocks.len()).sum();
    if let Some(e) = over("blocks", blocks, MAX_BLOCKS) {
        return Err(e);
    }
    let chars: usize = report
        .sections
        .iter()
        .flat_map(|s| {
            s.heading
                .iter()
                .map(String::as_str)
                .chain(s.blocks.iter().map(|b| match b {
                    Block::Heading { text, .. } | Block::Paragraph { text } => text.as_str(),
                    Block::Table { .. } => "",
                }))
        })
        .map(|t| t.chars().count())
        .sum();
    over("characters of text", chars, MAX_TEXT_CHARS).map_or(Ok(()), Err)
}

/// The file's reading errors that still stand: for each blank cell, the first unresolved or
/// unreadable error naming it (or its row or table). Linear in the diagnostics: each is
/// indexed once by the paths it names.
fn reading_errors(report: &Report) -> Vec<Diagnostic> {
    use crate::diag::{Severity, code};
    let mut by_path: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, d) in report.diagnostics.iter().enumerate() {
        if d.severity != Severity::Error || !matches!(d.code.as_str(), code::UNRESOLVED | code::UNREADABLE) {
            continue;
        }
        for p in d.cell.iter().chain(&d.cells) {
            by_path.entry(p.as_str()).or_insert(i);
        }
    }
    let mut keep = std::collections::BTreeSet::new();
    for (key, table) in &report.tables.0 {
        for row in &table.rows {
            for (col, cell) in &row.cells {
                if *cell != Cell::Blank {
                    continue;
                }
                let row_path = format!("{key}.{}", row.key);
                let path = format!("{row_path}.{col}");
                if let Some(&i) = [path.as_str(), row_path.as_str(), key.as_str()]
                    .iter()
                    .find_map(|p| by_path.get(p))
                {
                    keep.insert(i);
                }
            }
        }
    }
    keep.into_iter().map(|i| report.diagnostics[i].clone()).collect()
}

/// The tables re-shaped to the form: rows and columns in form order, missing ones blank,
/// unknown ones refused with their path.
fn conform(form: &Form, tables: &Tables, not_applicable: &[String]) -> Result<Tables, String> {
    let mut out = Tables::empty(form);
    let not_applicable: std::collections::HashSet<&str> = not_applicable.iter().map(String::as_str).collect();
    for (key, table) in &tables.0 {
        let def = form.table(key).ok_or_else(|| {
            format!(
                "JSON 无效 (invalid report JSON) at tables.{key}: no such table in form {}",
                form.version
            )
        })?;
        for row in &table.rows {
            let r = def.row_index(&row.key).ok_or_else(|| {
                format!(
                    "JSON 无效 (invalid report JSON) at tables.{key}.{}: no such row",
                    row.key
                )
            })?;
            let cols = &def.row(r).expect("row").block.columns;
            for (col, cell) in &row.cells {
                let c = cols.iter().position(|x| &x.key == col).ok_or_else(|| {
                    format!(
                        "JSON 无效 (invalid report JSON) at tables.{key}.{}.{col}: no such column",
                        row.key
                    )
                })?;
                let path = cell_path(key, &row.key, col);
                let cell = if not_applicable.contains(path.as_str()) {
                    Cell::NotApplicable
                } else {
                    *cell
                };
                out.get_mut(key).expect("table").set(r, c, cell);
            }
        }
    }
    Ok(out)
}
