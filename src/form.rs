//! The official forms as data.
//!
//! Every official label lives in `templates/forms/*.toml`; this module loads those files
//! (embedded in the binary, or from a user's folder) and answers questions about them.
//! Readers, the normalizer and the writers all go through it, so no label is spelled twice.

use std::path::Path;

use serde::Deserialize;

use crate::Error;

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

    pub fn parse(name: &str, text: &str) -> Result<Form, Error> {
        let form: Form =
            toml::from_str(text).map_err(|e| Error::Form(format!("{name}: {}", e.to_string().trim())))?;
        form.check().map_err(|e| Error::Form(format!("{name}: {e}")))?;
        Ok(form)
    }

    /// Catches typos in a form file: dangling references, duplicate keys.
    fn check(&self) -> Result<(), String> {
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
    pub fn with_overrides(dir: &Path) -> Result<Forms, Error> {
        let mut forms = Forms::builtin();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::Form(format!("{}: {e}", dir.display())))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        {
            let text =
                std::fs::read_to_string(path).map_err(|e| Error::Form(format!("{}: {e}", path.display())))?;
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
    fn patterns_match_prefixes_only_at_a_dot() {
        assert!(key_matches("withheld.*", "withheld.state_secret"));
        assert!(!key_matches("other.*", "other_handling"));
        assert!(key_matches("granted", "granted"));
    }
}
