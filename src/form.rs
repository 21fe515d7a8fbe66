//! The official forms as data.
//!
//! Every official label lives in `templates/forms/*.toml`; this module loads those files
//! (embedded in the binary, or from a user's folder) and answers questions about them.
//! Readers, the normalizer and the writers all go through it, so no label is spelled twice.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

const BUILTIN: [(&str, &str); 2] = [
    ("2021.toml", include_str!("../templates/forms/2021.toml")),
    ("2019.toml", include_str!("../templates/forms/2019.toml")),
];

/// One version of the form (2021, or the 2019 trial form).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub version: String,
    pub name: String,
    /// The first report year this form is used for.
    pub first_year: i32,
    /// Labels only this version has: they recognise it from content.
    pub markers: Vec<String>,
    pub sections: Vec<SectionDef>,
    pub tables: Vec<TableDef>,
    pub rules: Vec<RuleDef>,
    /// R6, across years: a row of this year's report equals a row of last year's, column by
    /// column (form.md, rules). Absent in a form without it.
    #[serde(default)]
    pub year_over_year: Option<YearRule>,
}

/// A rule across two consecutive years' reports of one body: this year's row `this` equals
/// last year's row `previous` in every column both have (R6: this year's 上年结转 is last
/// year's 结转下年度继续办理).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRule {
    pub id: String,
    pub table: String,
    pub this: String,
    pub previous: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub key: String,
    /// The Chinese ordinal, `一` … `六`.
    pub number: String,
    /// The heading without its ordinal.
    pub heading: String,
    #[serde(default)]
    pub variants: Vec<String>,
}

impl SectionDef {
    /// The heading as printed: `二、主动公开政府信息情况`.
    pub fn title(&self) -> String {
        format!("{}、{}", self.number, self.heading)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Table 二: blocks, each a caption row, a header row and data rows.
    Blocks,
    /// Table 三: data rows under a multi-row header, with group labels on the left.
    Grid,
    /// Table 四: each data row printed side by side in one line of values.
    SideBySide,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub key: String,
    pub section: String,
    pub layout: Layout,
    /// How many label columns a data row has (group labels take the outer ones).
    #[serde(default = "one")]
    pub label_columns: usize,
    /// The label of the label column in each block's header row (table 二: 信息内容).
    #[serde(default)]
    pub row_header: Option<String>,
    #[serde(default)]
    pub groups: Vec<GroupDef>,
    /// Header rows of `grid` and `side_by_side` tables, cell by cell.
    #[serde(default)]
    pub header: Vec<Vec<HeaderCell>>,
    pub blocks: Vec<BlockDef>,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub variants: Vec<String>,
}

/// A header cell: its text is given, or taken from a column, row or group label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCell {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default)]
    pub row: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default = "one")]
    pub colspan: usize,
    #[serde(default = "one")]
    pub rowspan: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockDef {
    #[serde(default)]
    pub caption: Option<String>,
    pub columns: Vec<ColumnDef>,
    pub rows: Vec<RowDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub key: String,
    pub label: String,
    /// Holds a decimal (the fee in 万元) rather than a count.
    #[serde(default)]
    pub decimal: bool,
    /// May be negative (2019's 本年增/减).
    #[serde(default)]
    pub signed: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowDef {
    /// Dotted key, e.g. `withheld.state_secret`.
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub variants: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Row,
    Column,
}

/// An arithmetic rule: for each row (or column), sum(lhs) = sum(rhs).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub table: String,
    pub per: Per,
    pub lhs: Vec<String>,
    pub rhs: Vec<String>,
    pub text: String,
}

/// A data row of a table with its place: index among all rows, and its block.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub index: usize,
    pub block: &'a BlockDef,
    pub def: &'a RowDef,
}

impl TableDef {
    /// All data rows in form order.
    pub fn rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.blocks
            .iter()
            .flat_map(|block| block.rows.iter().map(move |def| (block, def)))
            .enumerate()
            .map(|(index, (block, def))| RowRef { index, block, def })
    }

    pub fn row_count(&self) -> usize {
        self.blocks.iter().map(|b| b.rows.len()).sum()
    }

    pub fn row(&self, index: usize) -> Option<RowRef<'_>> {
        self.rows().nth(index)
    }

    pub fn row_index(&self, key: &str) -> Option<usize> {
        self.rows().find(|r| r.def.key == key).map(|r| r.index)
    }

    pub fn group(&self, id: &str) -> Option<&GroupDef> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The chain of groups a row sits in, outermost first.
    pub fn group_chain(&self, row: &RowDef) -> Vec<&GroupDef> {
        let mut chain = Vec::new();
        let mut next = row.group.as_deref();
        while let Some(id) = next {
            match self.group(id) {
                Some(g) => {
                    chain.push(g);
                    next = g.parent.as_deref();
                }
                None => break,
            }
        }
        chain.reverse();
        chain
    }

    /// The columns of the first block (the columns of `grid` and `side_by_side` tables).
    pub fn columns(&self) -> &[ColumnDef] {
        self.blocks.first().map(|b| b.columns.as_slice()).unwrap_or(&[])
    }

    /// Resolves a header cell's text from the definitions.
    pub fn header_text(&self, cell: &HeaderCell) -> String {
        if let Some(t) = &cell.text {
            return t.clone();
        }
        if let Some(c) = &cell.column
            && let Some(col) = self.blocks.iter().flat_map(|b| &b.columns).find(|x| &x.key == c)
        {
            return col.label.clone();
        }
        if let Some(r) = &cell.row
            && let Some(row) = self.rows().find(|x| &x.def.key == r)
        {
            return row.def.label.clone();
        }
        if let Some(g) = &cell.group
            && let Some(group) = self.group(g)
        {
            return group.label.clone();
        }
        String::new()
    }

    /// Row indices whose keys match a rule pattern (`withheld.*` or an exact key).
    pub fn rows_matching(&self, pattern: &str) -> Vec<usize> {
        self.rows()
            .filter(|r| key_matches(pattern, &r.def.key))
            .map(|r| r.index)
            .collect()
    }
}

/// `withheld.*` matches every key under `withheld.`; anything else matches exactly.
pub fn key_matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => key.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == key,
    }
}

impl Form {
    pub fn table(&self, key: &str) -> Option<&TableDef> {
        self.tables.iter().find(|t| t.key == key)
    }

    pub fn section(&self, key: &str) -> Option<&SectionDef> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// Parses and checks a form definition; `name` is the file it came from.
    ///
    /// # Errors
    /// [`ErrorKind::Form`] about `name`: no valid TOML of a form (the TOML parser's error as the
    /// source), a dangling reference, a duplicate key, a field past its budget.
    pub fn parse(name: &str, text: &str) -> Result<Form, Error> {
        let invalid =
            |m: String| Error::form(format!("表格定义无效 (invalid form definition: {m})")).with_path(name);
        let form: Form = toml::from_str(text).map_err(|e| {
            Error::toml(
                ErrorKind::Form,
                "表格定义无效",
                "invalid form definition",
                text,
                e,
            )
            .with_path(name)
        })?;
        form.check().map_err(invalid)?;
        Ok(form)
    }

    /// Catches typos in a form file: dangling references, duplicate keys.
    fn check(&self) -> Result<(), String> {
        self.check_budgets()?;
        for table in &self.tables {
            if self.section(&table.section).is_none() {
                return Err(format!(
                    "table {} names unknown section {}",
                    table.key, table.section
                ));
            }
            let mut keys: Vec<&str> = table.rows().map(|r| r.def.key.as_str()).collect();
            keys.sort_unstable();
            if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
                return Err(format!("table {}: row key {} twice", table.key, w[0]));
            }
            for row in table.rows() {
                if let Some(g) = &row.def.group
                    && table.group(g).is_none()
                {
                    return Err(format!("row {} names unknown group {g}", row.def.key));
                }
            }
            for cell in table.header.iter().flatten() {
                if table.header_text(cell).is_empty() {
                    return Err(format!("table {}: a header cell resolves to no text", table.key));
                }
            }
        }
        if let Some(rule) = &self.year_over_year {
            let table = self
                .table(&rule.table)
                .ok_or_else(|| format!("rule {} names unknown table {}", rule.id, rule.table))?;
            for key in [&rule.this, &rule.previous] {
                if table.row_index(key).is_none() {
                    return Err(format!("rule {} names unknown row {key}", rule.id));
                }
            }
        }
        for rule in &self.rules {
            let table = self
                .table(&rule.table)
                .ok_or_else(|| format!("rule {} names unknown table {}", rule.id, rule.table))?;
            for key in rule.lhs.iter().chain(&rule.rhs) {
                let found = match rule.per {
                    Per::Column => !table.rows_matching(key).is_empty(),
                    Per::Row => table.columns().iter().any(|c| &c.key == key),
                };
                if !found {
                    return Err(format!("rule {} names unknown key {key}", rule.id));
                }
            }
        }
        Ok(())
    }
}

/// Budgets of a form file. The official forms have 6 sections, 3 tables, at most 25 rows,
/// 7 value columns and 3 label columns a table, 3 header rows, 15 printed columns and 4
/// rules: each budget is several times that, and keeps every structure built from a form
/// (the printed grid, the rules' equations) small. A form file over one is refused before
/// anything is built from it (a `rowspan` of 10^9 or a label-column count of 10^12 made the
/// printed grid take 8 GB).
pub mod budget {
    /// The largest form file read, in bytes (the official ones are 10 KB).
    pub const FILE_BYTES: u64 = 1 << 20;
    /// Sections, tables, rules, markers, groups of a table: each at most this many.
    pub const ITEMS: usize = 64;
    /// Data rows of one table.
    pub const ROWS: usize = 200;
    /// Value columns of one block.
    pub const COLUMNS: usize = 64;
    /// Label columns of a table (group labels take the outer ones).
    pub const LABEL_COLUMNS: usize = 8;
    /// Header rows of a table.
    pub const HEADER_ROWS: usize = 8;
    /// Columns of a table as printed (label columns and value columns, or table 四's values
    /// side by side).
    pub const PRINTED_COLUMNS: usize = 64;
}

impl Form {
    /// Counts within [`budget`], keys unique, group parents existing and without a cycle,
    /// groups no deeper than the label columns, header cells inside the header's grid.
    fn check_budgets(&self) -> Result<(), String> {
        let count = |what: &str, n: usize, max: usize| {
            if n > max {
                Err(format!("{what}: {n} entries; the limit is {max}"))
            } else {
                Ok(())
            }
        };
        count("sections", self.sections.len(), budget::ITEMS)?;
        count("tables", self.tables.len(), budget::ITEMS)?;
        count("rules", self.rules.len(), budget::ITEMS)?;
        count("markers", self.markers.len(), budget::ITEMS)?;
        unique("sections", self.sections.iter().map(|s| s.key.as_str()))?;
        unique("tables", self.tables.iter().map(|t| t.key.as_str()))?;
        unique("rules", self.rules.iter().map(|r| r.id.as_str()))?;
        for t in &self.tables {
            let at = format!("table {}", t.key);
            count(&format!("{at}: groups"), t.groups.len(), budget::ITEMS)?;
            count(&format!("{at}: blocks"), t.blocks.len(), budget::ITEMS)?;
            count(&format!("{at}: rows"), t.row_count(), budget::ROWS)?;
            count(&format!("{at}: header"), t.header.len(), budget::HEADER_ROWS)?;
            if t.label_columns == 0 || t.label_columns > budget::LABEL_COLUMNS {
                return Err(format!(
                    "{at}: label_columns = {}; it must be 1 to {}",
                    t.label_columns,
                    budget::LABEL_COLUMNS
                ));
            }
            for (i, b) in t.blocks.iter().enumerate() {
                count(
                    &format!("{at}: blocks[{i}].columns"),
                    b.columns.len(),
                    budget::COLUMNS,
                )?;
                unique(
                    &format!("{at}: blocks[{i}].columns"),
                    b.columns.iter().map(|c| c.key.as_str()),
                )?;
            }
            unique(&format!("{at}: groups"), t.groups.iter().map(|g| g.id.as_str()))?;
            // Each parent chain ends within as many steps as there are groups, or it loops.
            for g in &t.groups {
                let mut depth = 1;
                let mut next = g.parent.as_deref();
                while let Some(id) = next {
                    let parent = t
                        .group(id)
                        .ok_or_else(|| format!("{at}: group {}: parent {id} is no group", g.id))?;
                    depth += 1;
                    if depth > t.groups.len() {
                        return Err(format!("{at}: group {}: its parents run in a cycle", g.id));
                    }
                    next = parent.parent.as_deref();
                }
                if t.layout == Layout::Grid && depth >= t.label_columns {
                    return Err(format!(
                        "{at}: group {} nests {depth} deep; label_columns = {} leaves room for {}",
                        g.id,
                        t.label_columns,
                        t.label_columns - 1
                    ));
                }
            }
            let width = match t.layout {
                Layout::Blocks => {
                    t.label_columns + t.blocks.iter().map(|b| b.columns.len()).max().unwrap_or(1)
                }
                Layout::Grid => t.label_columns + t.columns().len(),
                Layout::SideBySide => t.rows().map(|r| r.block.columns.len()).sum(),
            };
            count(&format!("{at}: printed columns"), width, budget::PRINTED_COLUMNS)?;
            check_header(&at, &t.header, width)?;
        }
        Ok(())
    }
}

/// The first key given twice, as an error naming `what`.
fn unique<'a>(what: &str, keys: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for k in keys {
        if !seen.insert(k) {
            return Err(format!("{what}: key {k} twice"));
        }
    }
    Ok(())
}

/// Header cells placed as the printed grid places them (each in the next free column of its
/// row) must lie inside the header: `rowspan` within the header rows, `colspan` within the
/// printed columns, both at least 1.
fn check_header(at: &str, header: &[Vec<HeaderCell>], width: usize) -> Result<(), String> {
    let mut taken = vec![vec![false; width]; header.len()];
    for (r, cells) in header.iter().enumerate() {
        let mut col = 0;
        for (i, cell) in cells.iter().enumerate() {
            let place = format!("{at}: header[{r}][{i}]");
            if cell.rowspan == 0 || cell.rowspan > header.len() - r {
                return Err(format!(
                    "{place}: rowspan = {}; the header leaves room for 1 to {}",
                    cell.rowspan,
                    header.len() - r
                ));
            }
            while col < width && taken[r][col] {
                col += 1;
            }
            if cell.colspan == 0 || cell.colspan > width - col {
                return Err(format!(
                    "{place}: colspan = {}; the row leaves room for 1 to {} (the table prints {width} columns)",
                    cell.colspan,
                    width - col
                ));
            }
            for row in &mut taken[r..r + cell.rowspan] {
                for slot in &mut row[col..col + cell.colspan] {
                    *slot = true;
                }
            }
            col += cell.colspan;
        }
    }
    Ok(())
}

/// The set of known forms.
#[derive(Debug, Clone)]
pub struct Forms {
    pub forms: Vec<Form>,
}

impl Forms {
    /// The forms built into the binary.
    pub fn builtin() -> Forms {
        let forms = BUILTIN
            .iter()
            .map(|(name, text)| Form::parse(name, text).expect("built-in form is valid"))
            .collect();
        Forms { forms }
    }

    /// The built-in forms, with any `*.toml` in `dir` replacing the one of the same version.
    ///
    /// # Errors
    /// `dir` or one of its form files cannot be read
    /// ([`ErrorKind::NotFound`], [`ErrorKind::Io`]); a form file is broken ([`ErrorKind::Form`],
    /// as [`Form::parse`]). Each about its path.
    pub fn with_overrides(dir: &Path) -> Result<Forms, Error> {
        let mut forms = Forms::builtin();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        {
            let text = read_form_file(path)?;
            let form = Form::parse(&path.display().to_string(), &text)?;
            match forms.forms.iter_mut().find(|f| f.version == form.version) {
                Some(slot) => *slot = form,
                None => forms.forms.push(form),
            }
        }
        Ok(forms)
    }

    pub fn get(&self, version: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.version == version)
    }

    /// The newest form: the default when content does not tell.
    pub fn newest(&self) -> &Form {
        self.forms
            .iter()
            .max_by_key(|f| f.first_year)
            .expect("at least one form")
    }
}

/// A form file's text, refusing one over [`budget::FILE_BYTES`] before reading it whole.
fn read_form_file(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let io = |e: std::io::Error| Error::io(path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(budget::FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > budget::FILE_BYTES {
        return Err(Error::form(format!(
            "表格定义文件过大 (larger than {} KB; a form file is about 10 KB)",
            budget::FILE_BYTES >> 10
        ))
        .with_path(path));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::form("表格定义文件不是 UTF-8 文本 (not UTF-8 text)")
            .with_path(path)
            .with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_forms_have_the_official_shape() {
        let forms = Forms::builtin();
        let f21 = forms.get("2021").unwrap();
        assert_eq!(f21.sections.len(), 6);
        assert_eq!(f21.table("applications").unwrap().row_count(), 25);
        assert_eq!(f21.table("applications").unwrap().columns().len(), 7);
        assert_eq!(f21.table("review_litigation").unwrap().row_count(), 3);
        let f19 = forms.get("2019").unwrap();
        assert_eq!(f19.table("applications").unwrap().row_count(), 23);
        assert_eq!(forms.newest().version, "2021");
    }

    #[test]
    fn a_form_over_its_budgets_is_refused_naming_the_field() {
        let text = BUILTIN[0].1;
        let err = |edited: String| Form::parse("f.toml", &edited).unwrap_err().to_string();
        let cycle = text.replace(
            r#"{ id = "results", label"#,
            r#"{ id = "results", parent = "withheld", label"#,
        );
        assert!(err(cycle).contains("group results: its parents run in a cycle"));
        let span = text.replace("colspan = 3, rowspan = 3", "colspan = 3, rowspan = 4");
        assert!(err(span).contains("header[0][0]: rowspan = 4; the header leaves room for 1 to 3"));
        let wide = text.replace("colspan = 3, rowspan = 3", "colspan = 4, rowspan = 3");
        assert!(err(wide).contains("header[0][1]: colspan = 7; the row leaves room for 1 to 6"));
        let labels = text.replace("label_columns = 3", "label_columns = 0");
        assert!(err(labels).contains("label_columns = 0; it must be 1 to 8"));
        let shallow = text.replace("label_columns = 3", "label_columns = 2");
        assert!(
            err(shallow).contains("group withheld nests 2 deep"),
            "{}",
            err(text.replace("label_columns = 3", "label_columns = 2"))
        );
        let twice = text.replace(r#"key = "problems""#, r#"key = "overview""#);
        assert!(err(twice).contains("sections: key overview twice"));
    }

    #[test]
    fn patterns_match_prefixes_only_at_a_dot() {
        assert!(key_matches("withheld.*", "withheld.state_secret"));
        assert!(!key_matches("other.*", "other_handling"));
        assert!(key_matches("granted", "granted"));
    }
}
