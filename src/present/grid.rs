//! A table as printed: the official form's cells with their merges, filled with a report's
//! values. The PDF, DOCX and Markdown writers all draw from this one grid, so the merges
//! of the form are worked out once, from the form definition.

use crate::diag::{Diagnostic, Severity};
use crate::form::{HeaderCell, Layout, TableDef};
use crate::model::fmt_num;
use crate::model::{Cell, Report, Table};

/// Why a printed cell (or a whole table) cannot be trusted: the reasons the error
/// diagnostics naming it give. Warnings and infos never make a cell doubtful: a warning is a
/// repair believed right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Doubt {
    /// The value could not be determined from the source (an unresolved, unreadable or
    /// missing cell, row or table).
    pub unresolved: bool,
    /// The value stands in a failing rule (R1–R7, 勾稽关系): it, or another cell of the
    /// equation, is wrong.
    pub rule: bool,
}

impl Doubt {
    /// The mark printed after an unresolved value: 无法从原文确定.
    pub const UNRESOLVED_MARK: &'static str = crate::diag::marks::UNRESOLVED;
    /// The mark printed after a value in a failing rule: 不符合勾稽关系.
    pub const RULE_MARK: &'static str = crate::diag::marks::RULE;

    /// Whether the cell is in doubt at all.
    pub fn any(self) -> bool {
        self.unresolved || self.rule
    }

    /// The doubt an error diagnostic of `code` casts: a rule id (`R1` … `R7`) is a failing
    /// rule, any other code a value not determined.
    fn of_code(code: &str) -> Doubt {
        let rule = crate::diag::is_rule(code);
        Doubt {
            unresolved: !rule,
            rule,
        }
    }

    fn add(&mut self, other: Doubt) {
        self.unresolved |= other.unresolved;
        self.rule |= other.rule;
    }

    /// The printed mark: `※`, `▲`, both, or nothing. A superscript sign, not a shade, so
    /// it survives black-and-white printing and photocopying.
    pub fn mark(self) -> String {
        let mut out = String::new();
        if self.unresolved {
            out.push_str(Self::UNRESOLVED_MARK);
        }
        if self.rule {
            out.push_str(Self::RULE_MARK);
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellRole {
    /// A block caption of table 二 (`第二十条第（一）项`), spanning the table.
    Caption,
    /// A header cell.
    Header,
    /// A row or group label.
    Label,
    /// A value.
    Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub text: String,
    pub role: CellRole,
    /// Set one character a line (the tall group label `三、本年度办理结果`).
    pub vertical: bool,
    /// The cell path of a value cell, as diagnostics name it.
    pub path: Option<String>,
    /// Why an error diagnostic puts this value in doubt; printed as [`Doubt::mark`].
    pub doubt: Doubt,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrintGrid {
    pub columns: usize,
    pub rows: usize,
    /// How many leading rows are header rows (repeated when the table breaks a page).
    pub header_rows: usize,
    /// Cells in reading order (by row, then column); merged-over positions have no cell.
    pub cells: Vec<GridCell>,
    /// Doubt cast on the table as a whole by an error naming the table and no cell of it
    /// (the table not found, or table 四's one print row unresolved): said in the note, not
    /// marked in every cell.
    pub table_doubt: Doubt,
}

impl PrintGrid {
    /// The cells starting in grid row `r`.
    pub fn row_cells(&self, r: usize) -> impl Iterator<Item = &GridCell> {
        self.cells.iter().filter(move |c| c.row == r)
    }

    /// The value cells marked doubtful.
    pub fn doubtful_cells(&self) -> usize {
        self.cells.iter().filter(|c| c.doubt.any()).count()
    }

    /// The note printed under the table when any cell or the table is in doubt, naming the
    /// marks used and what each means; `None` for a table with nothing in doubt.
    pub fn note(&self) -> Option<String> {
        let mut cells = Doubt::default();
        for c in &self.cells {
            cells.add(c.doubt);
        }
        let mut parts = Vec::new();
        if self.table_doubt.unresolved {
            parts.push("本表数值无法从原文确定".to_string());
        }
        if self.table_doubt.rule {
            parts.push("本表数值不符合勾稽关系".to_string());
        }
        if cells.unresolved {
            parts.push(format!("表中标{}的单元格无法从原文确定", Doubt::UNRESOLVED_MARK));
        }
        if cells.rule {
            parts.push(format!("表中标{}的单元格不符合勾稽关系", Doubt::RULE_MARK));
        }
        (!parts.is_empty()).then(|| format!("注：{}。", parts.join("；")))
    }

    /// Marks the cells the error diagnostics put in doubt, and the table where an error
    /// names it as a whole. This is the one place the print outputs decide what is doubtful.
    ///
    /// A diagnostic's `cells` list, when it has one, is what it puts in doubt (a failing
    /// equation's cells; its `cell` then only says where the equation lies); otherwise its
    /// `cell`: a cell marks that cell, a row every value of the row, the table key the table
    /// as a whole. An error that names something inside the table that no printed cell
    /// matches falls back to the table, so nothing in doubt goes unsaid.
    pub fn mark_doubts(&mut self, table_key: &str, diags: &[Diagnostic]) {
        let inside =
            |p: &str| p == table_key || (p.starts_with(table_key) && p[table_key.len()..].starts_with('.'));
        for d in diags.iter().filter(|d| d.severity == Severity::Error) {
            let doubt = Doubt::of_code(&d.code);
            let targets: Vec<&str> = if d.cells.is_empty() {
                d.cell.as_deref().into_iter().collect()
            } else {
                d.cells.iter().map(String::as_str).collect()
            };
            for t in targets.into_iter().filter(|t| inside(t)) {
                if t == table_key {
                    self.table_doubt.add(doubt);
                    continue;
                }
                let mut hit = false;
                for c in &mut self.cells {
                    let Some(path) = c.path.as_deref() else { continue };
                    if path == t || (path.starts_with(t) && path[t.len()..].starts_with('.')) {
                        c.doubt.add(doubt);
                        hit = true;
                    }
                }
                if !hit {
                    self.table_doubt.add(doubt);
                }
            }
        }
    }
}

/// How much of a report its print outputs would mark: doubtful cells and tables in doubt as
/// a whole, over every table of the form (a table the report lacks prints blank).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoubtCount {
    pub cells: usize,
    pub tables: usize,
}

impl DoubtCount {
    pub fn is_empty(self) -> bool {
        self.cells == 0 && self.tables == 0
    }
}

/// Counts what the PDF and DOCX of `report` would mark (see [`PrintGrid::mark_doubts`]).
pub fn count_doubts(form: &crate::form::Form, report: &Report) -> DoubtCount {
    let mut n = DoubtCount::default();
    for def in &form.tables {
        let g = report_grid(def, report);
        n.cells += g.doubtful_cells();
        n.tables += usize::from(g.table_doubt.any());
    }
    n
}

/// How a cell value prints: whole numbers bare, decimals as given, not-applicable as `/`.
pub fn cell_text(cell: Cell) -> String {
    match cell {
        Cell::Blank => String::new(),
        Cell::Number(v) => fmt_num(v),
        Cell::NotApplicable => "/".to_string(),
    }
}

struct Builder {
    columns: usize,
    cells: Vec<GridCell>,
    /// Occupied positions, row by row.
    taken: Vec<Vec<bool>>,
}

impl Builder {
    fn new(columns: usize) -> Builder {
        Builder {
            columns,
            cells: Vec::new(),
            taken: Vec::new(),
        }
    }

    fn occupy(&mut self, row: usize, col: usize, rowspan: usize, colspan: usize) {
        while self.taken.len() < row + rowspan {
            self.taken.push(vec![false; self.columns]);
        }
        for r in row..row + rowspan {
            for c in col..(col + colspan).min(self.columns) {
                self.taken[r][c] = true;
            }
        }
    }

    /// The first free column of `row` at or after `from`.
    fn free_col(&mut self, row: usize, from: usize) -> usize {
        while self.taken.len() <= row {
            self.taken.push(vec![false; self.columns]);
        }
        (from..self.columns)
            .find(|&c| !self.taken[row][c])
            .unwrap_or(self.columns)
    }

    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        row: usize,
        col: usize,
        rowspan: usize,
        colspan: usize,
        text: String,
        role: CellRole,
        path: Option<String>,
    ) {
        let colspan = colspan.min(self.columns.saturating_sub(col)).max(1);
        self.occupy(row, col, rowspan, colspan);
        self.cells.push(GridCell {
            row,
            col,
            rowspan,
            colspan,
            text,
            role,
            vertical: false,
            path,
            doubt: Doubt::default(),
        });
    }

    /// Lays header rows given cell by cell, placing each cell in the next free column.
    fn header(&mut self, def: &TableDef, first_row: usize, rows: &[Vec<HeaderCell>]) {
        for (i, cells) in rows.iter().enumerate() {
            let row = first_row + i;
            let mut col = 0;
            for cell in cells {
                col = self.free_col(row, col);
                self.put(
                    row,
                    col,
                    cell.rowspan,
                    cell.colspan,
                    def.header_text(cell),
                    CellRole::Header,
                    None,
                );
                col += cell.colspan;
            }
        }
    }

    fn finish(mut self, header_rows: usize) -> PrintGrid {
        self.cells.sort_by_key(|c| (c.row, c.col));
        PrintGrid {
            columns: self.columns,
            rows: self.taken.len(),
            header_rows,
            cells: self.cells,
            table_doubt: Doubt::default(),
        }
    }
}

/// The printed grid of a table of the form with a report's values, its doubtful cells
/// marked from the report's diagnostics ([`PrintGrid::mark_doubts`]); a report without the
/// table prints it blank.
pub fn report_grid(def: &TableDef, report: &Report) -> PrintGrid {
    let mut grid = match report.tables.get(&def.key) {
        Some(values) => print_grid(def, values),
        None => print_grid(def, &Table::empty(def)),
    };
    grid.mark_doubts(&def.key, &report.diagnostics);
    grid
}

/// The printed grid of one table of the form, filled with `table`'s values.
pub fn print_grid(def: &TableDef, table: &Table) -> PrintGrid {
    match def.layout {
        Layout::Blocks => blocks_grid(def, table),
        Layout::Grid => rows_grid(def, table),
        Layout::SideBySide => side_by_side_grid(def, table),
    }
}

fn value_cell(def: &TableDef, table: &Table, r: usize, c: usize) -> (String, Option<String>) {
    let row = def.row(r).expect("row");
    let path = crate::model::cell_path(&def.key, &row.def.key, &row.block.columns[c].key);
    (cell_text(table.get(r, c)), Some(path))
}

/// Table 二: per block a caption row, a header row, then its rows; a block with fewer value
/// columns than the widest lets its last column span the rest.
fn blocks_grid(def: &TableDef, table: &Table) -> PrintGrid {
    let width = def.label_columns + def.blocks.iter().map(|b| b.columns.len()).max().unwrap_or(1);
    let mut b = Builder::new(width);
    let mut row = 0;
    let mut index = 0;
    for block in &def.blocks {
        if let Some(caption) = &block.caption {
            b.put(row, 0, 1, width, caption.clone(), CellRole::Caption, None);
            row += 1;
        }
        let n = block.columns.len();
        let span_last = |c: usize| {
            if c + 1 == n {
                width - def.label_columns - c
            } else {
                1
            }
        };
        b.put(
            row,
            0,
            1,
            def.label_columns,
            def.row_header.clone().unwrap_or_default(),
            CellRole::Header,
            None,
        );
        for (c, col) in block.columns.iter().enumerate() {
            b.put(
                row,
                def.label_columns + c,
                1,
                span_last(c),
                col.label.clone(),
                CellRole::Header,
                None,
            );
        }
        row += 1;
        for r in &block.rows {
            b.put(
                row,
                0,
                1,
                def.label_columns,
                r.label.clone(),
                CellRole::Label,
                None,
            );
            for c in 0..n {
                let (text, path) = value_cell(def, table, index, c);
                b.put(
                    row,
                    def.label_columns + c,
                    1,
                    span_last(c),
                    text,
                    CellRole::Value,
                    path,
                );
            }
            row += 1;
            index += 1;
        }
    }
    // Table 二 repeats no header: each block carries its own.
    b.finish(0)
}

/// Table 三: the header rows of the form, then the data rows with their group labels
/// merged down the rows of the group, the outermost set vertically.
fn rows_grid(def: &TableDef, table: &Table) -> PrintGrid {
    let labels = def.label_columns;
    let width = labels + def.columns().len();
    let mut b = Builder::new(width);
    b.header(def, 0, &def.header);
    let header_rows = def.header.len();
    let rows: Vec<_> = def.rows().collect();
    for (i, r) in rows.iter().enumerate() {
        let row = header_rows + i;
        let chain = def.group_chain(r.def);
        for (depth, group) in chain.iter().enumerate() {
            let starts_here = i == 0 || !def.group_chain(rows[i - 1].def).iter().any(|g| g.id == group.id);
            if starts_here {
                let span = rows[i..]
                    .iter()
                    .take_while(|x| def.group_chain(x.def).iter().any(|g| g.id == group.id))
                    .count();
                b.put(row, depth, span, 1, group.label.clone(), CellRole::Label, None);
                if depth == 0 && labels > 2 {
                    b.cells.last_mut().expect("cell").vertical = true;
                }
            }
        }
        let depth = chain.len().min(labels - 1);
        b.put(
            row,
            depth,
            1,
            labels - depth,
            r.def.label.clone(),
            CellRole::Label,
            None,
        );
        for c in 0..r.block.columns.len() {
            let (text, path) = value_cell(def, table, r.index, c);
            b.put(row, labels + c, 1, 1, text, CellRole::Value, path);
        }
    }
    b.finish(header_rows)
}

/// Table 四: the header rows of the form, then one line of all rows' values side by side.
fn side_by_side_grid(def: &TableDef, table: &Table) -> PrintGrid {
    let width: usize = def.rows().map(|r| r.block.columns.len()).sum();
    let mut b = Builder::new(width);
    b.header(def, 0, &def.header);
    let row = def.header.len();
    let mut col = 0;
    for r in def.rows() {
        for c in 0..r.block.columns.len() {
            let (text, path) = value_cell(def, table, r.index, c);
            b.put(row, col, 1, 1, text, CellRole::Value, path);
            col += 1;
        }
    }
    b.finish(def.header.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Forms;

    fn grid(key: &str) -> PrintGrid {
        let forms = Forms::builtin();
        let def = forms.get("2021").unwrap().table(key).unwrap().clone();
        print_grid(&def, &Table::empty(&def))
    }

    /// Every position of the grid is covered by exactly one cell.
    fn assert_tiled(g: &PrintGrid) {
        let mut seen = vec![vec![0; g.columns]; g.rows];
        for c in &g.cells {
            for row in &mut seen[c.row..c.row + c.rowspan] {
                for n in &mut row[c.col..c.col + c.colspan] {
                    *n += 1;
                }
            }
        }
        assert!(seen.iter().flatten().all(|&n| n == 1), "{seen:?}");
    }

    #[test]
    fn applications_grid_has_the_official_merges() {
        let g = grid("applications");
        assert_eq!((g.columns, g.rows, g.header_rows), (10, 28, 3));
        assert_tiled(&g);
        let tall = g.cells.iter().find(|c| c.vertical).unwrap();
        assert_eq!((tall.row, tall.col, tall.rowspan), (5, 0, 22));
        let note = &g.cells[0];
        assert_eq!((note.colspan, note.rowspan), (3, 3));
        let withheld = g.cells.iter().find(|c| c.text == "（三）不予公开").unwrap();
        assert_eq!((withheld.col, withheld.rowspan), (1, 8));
        assert_eq!(g.cells.iter().filter(|c| c.role == CellRole::Value).count(), 175);
    }

    fn err(code: &str, cell: &str) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, "x").cell(cell)
    }

    fn marked(g: &PrintGrid) -> Vec<(String, String)> {
        g.cells
            .iter()
            .filter(|c| c.doubt.any())
            .map(|c| (c.path.clone().unwrap(), c.doubt.mark()))
            .collect()
    }

    #[test]
    fn an_unresolved_row_marks_its_cells_and_the_note_says_so() {
        let mut g = grid("applications");
        g.mark_doubts("applications", &[err("unresolved", "applications.granted")]);
        let m = marked(&g);
        assert_eq!(m.len(), 7, "{m:?}");
        assert!(
            m.iter()
                .all(|(p, k)| p.starts_with("applications.granted.") && k == "※")
        );
        assert!(!g.table_doubt.any());
        assert_eq!(g.note().unwrap(), "注：表中标※的单元格无法从原文确定。");
    }

    #[test]
    fn a_failing_rule_marks_the_cells_of_its_equation_not_its_whole_table() {
        let mut g = grid("applications");
        let rule = Diagnostic::new(Severity::Error, "R2", "x")
            .cell("applications")
            .cells([
                "applications.total_processed.commercial".to_string(),
                "applications.granted.commercial".to_string(),
            ]);
        let prose = err("R7", "applications.new_received.total");
        let cell = err("unresolved", "applications.granted.commercial");
        g.mark_doubts("applications", &[rule, prose, cell]);
        let mut m = marked(&g);
        m.sort();
        assert_eq!(
            m,
            [
                ("applications.granted.commercial".into(), "※▲".into()),
                ("applications.new_received.total".into(), "▲".into()),
                ("applications.total_processed.commercial".into(), "▲".into()),
            ]
        );
        assert!(!g.table_doubt.any());
        assert_eq!(
            g.note().unwrap(),
            "注：表中标※的单元格无法从原文确定；表中标▲的单元格不符合勾稽关系。"
        );
    }

    #[test]
    fn warnings_infos_and_other_tables_mark_nothing() {
        let mut g = grid("applications");
        let diags = [
            Diagnostic::new(Severity::Warning, "inferred", "x").cell("applications.granted"),
            Diagnostic::new(Severity::Info, "label_repaired", "x").cell("applications.granted"),
            err("unresolved", "active_disclosure.regulations"),
            // A key that merely begins like the table's is another table.
            err("unresolved", "applications_x.granted"),
            Diagnostic::new(Severity::Error, "organization_doubtful", "x"),
        ];
        g.mark_doubts("applications", &diags);
        assert!(marked(&g).is_empty());
        assert!(!g.table_doubt.any());
        assert_eq!(g.note(), None);
    }

    #[test]
    fn a_table_named_as_a_whole_is_said_in_the_note_not_marked_everywhere() {
        let mut g = grid("review_litigation");
        g.mark_doubts("review_litigation", &[err("table_missing", "review_litigation")]);
        assert!(marked(&g).is_empty());
        assert!(g.table_doubt.unresolved);
        assert_eq!(g.note().unwrap(), "注：本表数值无法从原文确定。");
        // Something inside the table that no printed cell matches falls back to the table.
        let mut g = grid("applications");
        g.mark_doubts("applications", &[err("unresolved", "applications.no_such_row")]);
        assert!(marked(&g).is_empty());
        assert!(g.table_doubt.unresolved);
    }

    #[test]
    fn a_report_counts_what_its_print_outputs_would_mark() {
        let forms = Forms::builtin();
        let form = forms.get("2021").unwrap();
        let mut report: crate::model::Report = serde_json::from_value(serde_json::json!({
            "form": "2021", "title": null, "organization": null, "year": null,
            "sections": [], "tables": {}
        }))
        .unwrap();
        assert!(count_doubts(form, &report).is_empty());
        report.diagnostics = vec![
            err("unresolved", "applications.granted"),
            err("table_missing", "review_litigation"),
        ];
        assert_eq!(count_doubts(form, &report), DoubtCount { cells: 7, tables: 1 });
    }

    #[test]
    fn review_and_active_grids_tile() {
        let g = grid("review_litigation");
        assert_eq!((g.columns, g.rows), (15, 4));
        assert_tiled(&g);
        let g = grid("active_disclosure");
        assert_eq!(g.columns, 4);
        assert_tiled(&g);
        assert_eq!(g.cells.iter().filter(|c| c.role == CellRole::Value).count(), 10);
    }
}
