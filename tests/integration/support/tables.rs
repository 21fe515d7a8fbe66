//! The three tables as typed lines, in the case's layout. Every label, caption and header text
//! comes from the form definition; the style only changes punctuation and placement.

use nianbao::form::{Form, TableDef};

use super::layout::{Cell, Joiner, Kind, Layout, Line, Style, TableText, width, wrap};
use super::rng::Rng;
use super::truth::Truth;

pub struct Ctx<'a> {
    pub form: &'a Form,
    pub truth: &'a Truth,
    pub style: &'a Style,
}

impl Ctx<'_> {
    fn def(&self, key: &str) -> &TableDef {
        self.form.table(key).expect("table in form")
    }

    fn value(&self, path: &str) -> Cell {
        Cell::value(self.style.number(&self.truth.text(path)), path)
    }

    fn values(&self, def: &TableDef, row: &str, x: impl Fn(usize) -> usize) -> Vec<Cell> {
        let r = def.row(def.row_index(row).expect("row")).expect("row");
        r.block
            .columns
            .iter()
            .enumerate()
            .map(|(k, c)| self.value(&format!("{}.{row}.{}", def.key, c.key)).at(x(k)))
            .collect()
    }
}

/// A header cell placed in the header grid.
struct HeaderCell {
    text: String,
    row: usize,
    col: usize,
    colspan: usize,
    rowspan: usize,
}

/// The header cells of a grid or side-by-side table with their grid positions, and the
/// number of columns.
fn header_grid(def: &TableDef, style: &Style) -> (Vec<HeaderCell>, usize) {
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (r, row) in def.header.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while taken.contains(&(r, c)) {
                c += 1;
            }
            for rr in r..r + cell.rowspan {
                for cc in c..c + cell.colspan {
                    taken.insert((rr, cc));
                }
            }
            out.push(HeaderCell {
                text: style.styled(&def.header_text(cell)),
                row: r,
                col: c,
                colspan: cell.colspan,
                rowspan: cell.rowspan,
            });
            c += cell.colspan;
        }
    }
    let ncols = out.iter().map(|h| h.col + h.colspan).max().unwrap_or(0);
    (out, ncols)
}

fn pipe_rule(ncols: usize) -> Line {
    Line::raw(format!("|{}", "---|".repeat(ncols)))
}

/// The header rows of table 三 or 四 in the case's layout. `drop_col` removes a grid column
/// (the merged label column a collapsed export leaves out).
fn header_lines(def: &TableDef, st: &Style, rng: &mut Rng, drop_col: Option<usize>) -> Vec<Line> {
    let (cells, ncols) = header_grid(def, st);
    // Label columns stand left of the values in a grid (table 三); table 四 has none.
    let label_cols = if def.layout == nianbao::form::Layout::Grid {
        def.label_columns
    } else {
        0
    };
    let split = |h: &HeaderCell| {
        if st.header_split && h.colspan == 1 && h.text.chars().count() == 4 && st.joiner == Joiner::Tab {
            let cs: Vec<char> = h.text.chars().collect();
            format!(
                "{} {}",
                cs[..2].iter().collect::<String>(),
                cs[2..].iter().collect::<String>()
            )
        } else {
            h.text.clone()
        }
    };
    match st.joiner {
        Joiner::Tab | Joiner::Pipe => {
            let nrows = def.header.len();
            let mut lines = Vec::new();
            for r in 0..nrows {
                let mut row = vec![Cell::pad(); ncols];
                for h in cells.iter().filter(|h| h.row == r) {
                    row[h.col] = Cell::header(split(h));
                }
                if let Some(c) = drop_col {
                    row.remove(c);
                }
                row.extend((0..st.trailing_pads).map(|_| Cell::pad()));
                lines.push(Line::cells(row));
                if r == 0 && st.joiner == Joiner::Pipe {
                    lines.push(pipe_rule(ncols - usize::from(drop_col.is_some())));
                }
            }
            lines
        }
        Joiner::OnePerLine { .. } => {
            let mut row = Vec::new();
            for h in &cells {
                if st.wrap_cells && h.colspan == 1 && h.col >= label_cols {
                    row.extend(wrap(&h.text, 2 * st.header_wrap).into_iter().map(Cell::header));
                } else {
                    row.push(Cell::header(h.text.clone()));
                }
            }
            vec![Line::cells(row)]
        }
        Joiner::Spaces => {
            let step = if label_cols == 0 { st.step4 } else { st.step };
            let x0 = if label_cols == 0 { 0 } else { st.x0 };
            let xcol = |c: usize| {
                if c < label_cols {
                    0
                } else {
                    x0 + (c - label_cols) * step
                }
            };
            let mut placed: Vec<(usize, Cell)> = Vec::new();
            for h in &cells {
                let (pieces, x, line) = if h.col < label_cols {
                    (wrap(&h.text, 44), 0, 2)
                } else if h.colspan > 1 {
                    let mid = (xcol(h.col) + xcol(h.col + h.colspan - 1) + step) / 2;
                    (
                        vec![h.text.clone()],
                        mid.saturating_sub(width(&h.text) / 2),
                        2 * h.row,
                    )
                } else {
                    let w = if label_cols == 0 { 4 } else { 2 * st.header_wrap };
                    (wrap(&h.text, w), xcol(h.col), 2 * h.row + h.rowspan - 1)
                };
                for (i, p) in pieces.into_iter().enumerate() {
                    placed.push((line + i, Cell::header(p).at(x)));
                }
            }
            let last = placed.iter().map(|p| p.0).max().unwrap_or(0);
            let mut lines = Vec::new();
            for l in 0..=last {
                let mut row: Vec<Cell> = placed.iter().filter(|p| p.0 == l).map(|p| p.1.clone()).collect();
                row.sort_by_key(|c| c.x);
                if row.is_empty() {
                    lines.push(Line::blank());
                } else {
                    lines.push(Line::cells(row));
                }
                if rng.chance(0.3) {
                    lines.push(Line::blank());
                }
            }
            lines
        }
    }
}

/// Table 二: four blocks, each a caption, a header row and its data rows.
pub fn active_disclosure(ctx: &Ctx, rng: &mut Rng) -> TableText {
    let def = ctx.def("active_disclosure");
    let st = ctx.style;
    let ncols = 1 + def.blocks.iter().map(|b| b.columns.len()).max().unwrap_or(1);
    let row_header = st.styled(def.row_header.as_deref().unwrap_or_default());
    let mut lines: Vec<Line> = Vec::new();
    let pad_to = |mut cells: Vec<Cell>| {
        while cells.len() < ncols {
            cells.push(Cell::pad());
        }
        cells.extend((0..st.trailing_pads).map(|_| Cell::pad()));
        cells
    };
    let col_x = |k: usize, n: usize| if n == 1 { 30 } else { 18 + 16 * k };
    for block in &def.blocks {
        let n = block.columns.len();
        let caption = block.caption.as_deref().map(|c| {
            let c = st.styled(c);
            if st.joiner == Joiner::Spaces && rng.chance(0.5) {
                c.replacen("条第", "条 第", 1)
            } else {
                c
            }
        });
        let heads: Vec<String> = block.columns.iter().map(|c| st.styled(&c.label)).collect();
        match st.joiner {
            Joiner::Tab | Joiner::Pipe => {
                if let Some(c) = caption {
                    lines.push(Line::cells(pad_to(vec![Cell::header(c)])));
                    if lines.len() == 1 && st.joiner == Joiner::Pipe {
                        lines.push(pipe_rule(ncols));
                    }
                }
                let mut head = vec![Cell::header(row_header.clone())];
                head.extend(heads.iter().map(|h| Cell::header(h.clone())));
                lines.push(Line::cells(pad_to(head)));
                for row in &block.rows {
                    let mut cells = vec![Cell::label(st.styled(&row.label))];
                    cells.extend(ctx.values(def, &row.key, |_| 0));
                    lines.push(Line::cells(pad_to(cells)).for_row(&format!("{}.{}", def.key, row.key)));
                }
            }
            Joiner::Spaces => {
                if let Some(c) = caption {
                    lines.push(Line::cells(vec![Cell::header(c)]));
                    lines.extend((0..rng.range(1, 2)).map(|_| Line::blank()));
                }
                let mut head = vec![Cell::header(row_header.clone()).at(0)];
                head.extend(
                    heads
                        .iter()
                        .enumerate()
                        .map(|(k, h)| Cell::header(h.clone()).at(col_x(k, n))),
                );
                lines.push(Line::cells(head));
                lines.extend((0..rng.range(0, 2)).map(|_| Line::blank()));
                for row in &block.rows {
                    let mut cells = vec![Cell::label(st.styled(&row.label)).at(0)];
                    cells.extend(ctx.values(def, &row.key, |k| col_x(k, n)));
                    lines.push(Line::cells(cells).for_row(&format!("{}.{}", def.key, row.key)));
                    if rng.chance(0.7) {
                        lines.push(Line::blank());
                    }
                }
            }
            Joiner::OnePerLine { .. } => {
                let mut head: Vec<Cell> = caption.into_iter().map(Cell::header).collect();
                head.push(Cell::header(row_header.clone()));
                head.extend(heads.iter().map(|h| Cell::header(h.clone())));
                lines.push(Line::cells(head));
                for row in &block.rows {
                    let mut cells = vec![Cell::label(st.styled(&row.label))];
                    cells.extend(ctx.values(def, &row.key, |_| 0));
                    lines.push(Line::cells(cells).for_row(&format!("{}.{}", def.key, row.key)));
                }
            }
        }
    }
    TableText {
        key: def.key.clone(),
        joiner: st.joiner,
        lines,
    }
}

/// Where the label of a row at a given depth starts in space layouts (columns A, B, C).
const LABEL_X: [usize; 3] = [0, 6, 13];

fn label_x(depth: usize) -> usize {
    LABEL_X[depth.min(LABEL_X.len() - 1)]
}

/// Table 三: the header, then one chunk of lines per data row.
pub fn applications(ctx: &Ctx, rng: &mut Rng) -> TableText {
    let def = ctx.def("applications");
    let st = ctx.style;
    let vertical = st.layout == Layout::VerticalGroup;
    let collapsed = !st.full_label_cells && st.joiner == Joiner::Tab;
    let drop_col = collapsed.then(|| def.label_columns - 1);
    let span = |id: &str| {
        let rows: Vec<usize> = def
            .rows()
            .filter(|r| def.group_chain(r.def).iter().any(|g| g.id == id))
            .map(|r| r.index)
            .collect();
        (rows[0], rows[rows.len() - 1])
    };
    let mut chunks: Vec<Vec<Line>> = Vec::new();
    for row in def.rows() {
        let chain = def.group_chain(row.def);
        let depth = chain.len();
        let path = format!("{}.{}", def.key, row.def.key);
        let label = st.styled(&row.def.label);
        // Group labels printed on this row: those of the groups it opens.
        let starts: Vec<(usize, String)> = chain
            .iter()
            .enumerate()
            .filter(|(d, g)| {
                let (first, last) = span(&g.id);
                let at = if st.group_middle && *d == 0 {
                    first + (last - first) / 2
                } else {
                    first
                };
                at == row.index
            })
            .filter(|(d, _)| !(vertical && *d == 0))
            .filter(|(d, _)| !(st.joiner == Joiner::Spaces && st.group_lines && *d > 0))
            .map(|(d, g)| (d, st.styled(&g.label)))
            .collect();
        let x = |k: usize| st.x0 + k * st.step;
        let values = ctx.values(def, &row.def.key, x);
        let mut chunk: Vec<Line> = match st.joiner {
            Joiner::Tab | Joiner::Pipe => {
                let mut cells = vec![Cell::pad(); def.label_columns];
                for (d, t) in &starts {
                    cells[*d] = Cell::group(t.clone());
                }
                let pieces = if st.layout == Layout::WrappedLabels {
                    wrap(&label, if depth > 1 { st.wrap_sub } else { st.wrap_bc })
                } else {
                    vec![label.clone()]
                };
                cells[depth] = Cell::label(pieces[0].clone());
                if collapsed && depth + 1 < def.label_columns {
                    cells.pop();
                }
                let tail: Vec<Cell> = (0..st.trailing_pads).map(|_| Cell::pad()).collect();
                if pieces.len() == 1 {
                    cells.extend(values);
                    cells.extend(tail);
                    vec![Line::cells(cells)]
                } else {
                    let n_label = cells.len();
                    let mut lines = vec![Line::cells(cells)];
                    lines.extend(
                        pieces[1..]
                            .iter()
                            .map(|p| Line::cells(vec![Cell::label(p.clone())])),
                    );
                    let mut last = vec![Cell::pad(); n_label];
                    last.extend(values);
                    last.extend(tail);
                    lines.push(Line::cells(last));
                    lines
                }
            }
            Joiner::Spaces => {
                let groups: Vec<Cell> = starts
                    .iter()
                    .map(|(d, t)| Cell::group(t.clone()).at(label_x(*d)))
                    .collect();
                let max = match depth {
                    0 => usize::MAX,
                    1 => st.wrap_bc,
                    _ => st.wrap_sub,
                };
                let pieces: Vec<Cell> = wrap(&label, max)
                    .into_iter()
                    .map(|p| Cell::label(p).at(label_x(depth)))
                    .collect();
                spaced_row(st.layout, groups, pieces, values)
            }
            Joiner::OnePerLine { .. } => {
                let mut cells: Vec<Cell> = starts.iter().map(|(_, t)| Cell::group(t.clone())).collect();
                if st.wrap_cells {
                    cells.extend(wrap(&label, 28).into_iter().map(Cell::label));
                } else {
                    cells.push(Cell::label(label.clone()));
                }
                cells.extend(values);
                vec![Line::cells(cells)]
            }
        };
        for line in &mut chunk {
            line.row = Some(path.clone());
        }
        chunks.push(chunk);
    }

    // Sub-group labels wrapped on lines of their own around the group's middle row.
    if st.joiner == Joiner::Spaces && st.group_lines {
        for g in def.groups.iter().filter(|g| g.parent.is_some()) {
            let (first, last) = span(&g.id);
            let mid = first + (last - first) / 2;
            let pieces = wrap(&st.styled(&g.label), 8);
            let half = pieces.len().div_ceil(2);
            let line = |p: &String| Line::cells(vec![Cell::group(p.clone()).at(label_x(1))]);
            let before: Vec<Line> = pieces[..half].iter().map(line).collect();
            chunks[mid].splice(0..0, before);
            chunks[mid].extend(pieces[half..].iter().map(line));
        }
    }

    // Plain pdftotext emits the labels of the left columns late: the group labels and the
    // B–C labels of the first result rows come after the values of a later row.
    if st.displaced_labels
        && matches!(st.joiner, Joiner::OnePerLine { .. })
        && let Some(g) = def.groups.iter().find(|g| g.parent.is_none())
    {
        let (first, last) = span(&g.id);
        let r = rng.range(first + 4, (first + 16).min(last));
        let outer = st.styled(&g.label);
        let mut moved = Vec::new();
        for (i, chunk) in chunks.iter_mut().enumerate().take(r).skip(first) {
            let depth = def.group_chain(def.row(i).expect("row").def).len();
            for line in chunk.iter_mut() {
                let (out, keep): (Vec<Cell>, Vec<Cell>) = line
                    .cells
                    .drain(..)
                    .partition(|c| c.kind == Kind::Group || (c.kind == Kind::Label && depth <= 1));
                line.cells = keep;
                moved.extend(out);
            }
        }
        let mut late = Vec::new();
        for c in moved {
            if c.text == outer && rng.chance(0.5) {
                late.extend(vertical_units(&c.text).into_iter().map(Cell::group));
            } else {
                late.push(c);
            }
        }
        chunks[r].insert(0, Line::cells(late));
    }

    // The outer group label set vertically, one character (with its punctuation) a line.
    if vertical && let Some(g) = def.groups.iter().find(|g| g.parent.is_none()) {
        let (first, last) = span(&g.id);
        let units = vertical_units(&st.styled(&g.label));
        let m = last - first + 1;
        let step = (m / units.len()).max(1);
        let offset = m.saturating_sub(units.len() * step) / 2;
        let mut inserted = vec![0usize; chunks.len()];
        for (i, u) in units.iter().enumerate() {
            let r = (first + offset + i * step).min(last);
            let prefix = rng.chance(0.5);
            let chunk = &mut chunks[r];
            let target = chunk.iter().position(|l| l.raw.is_none() && !l.cells.is_empty());
            match target {
                Some(t) if prefix && st.joiner == Joiner::Spaces => {
                    chunk[t].cells.insert(0, Cell::group(u.clone()).at(0));
                }
                Some(t) if prefix && matches!(chunk[t].cells.first(), Some(c) if c.text.is_empty()) => {
                    chunk[t].cells[0] = Cell::group(u.clone());
                }
                _ => {
                    let at = inserted[r];
                    let x = if st.joiner == Joiner::Spaces {
                        rng.range(0, 2)
                    } else {
                        0
                    };
                    let line = Line::cells(vec![Cell::group(u.clone()).at(x)]);
                    chunk.insert(at, line);
                    inserted[r] += 1;
                }
            }
        }
    }

    // A page break: the page number, then maybe the header again.
    if st.layout == Layout::PageBreak {
        let r = rng.range(3, chunks.len() - 3);
        let page = rng.range(2, 9);
        let number = match rng.below(4) {
            0 => format!("-{page}-"),
            1 => format!("— {page} —"),
            2 => format!("第 {page} 页"),
            _ => format!("- {page} -"),
        };
        let indent = if st.joiner == Joiner::Spaces {
            " ".repeat(*rng.pick(&[0, 5, 40, 75]))
        } else {
            String::new()
        };
        let mut brk = Vec::new();
        if rng.chance(0.5) {
            brk.push(Line::blank());
        }
        brk.push(Line::raw(format!("{indent}{number}")));
        if rng.chance(0.5) {
            brk.push(Line::blank());
        }
        let start = brk.len();
        if rng.chance(0.6) {
            brk.extend(header_lines(def, st, rng, drop_col));
        }
        if st.joiner == Joiner::Spaces {
            match brk.get_mut(start) {
                Some(l) => l.form_feed = true,
                None => {
                    if let Some(l) = chunks[r].first_mut() {
                        l.form_feed = true;
                    }
                }
            }
        }
        chunks[r].splice(0..0, brk);
    }

    let mut lines = header_lines(def, st, rng, drop_col);
    for chunk in chunks {
        lines.extend(chunk);
        if st.joiner == Joiner::Spaces && rng.chance(st.blank_rows) {
            lines.push(Line::blank());
        }
    }
    TableText {
        key: def.key.clone(),
        joiner: st.joiner,
        lines,
    }
}

/// A row in a space layout: short labels share the line of values; long ones are wrapped
/// around it (`pdftotext -layout`) or before it (layout d).
fn spaced_row(layout: Layout, groups: Vec<Cell>, mut pieces: Vec<Cell>, values: Vec<Cell>) -> Vec<Line> {
    let k = pieces.len();
    let mut lines: Vec<Vec<Cell>> = Vec::new();
    if k == 1 {
        let mut cells = groups;
        cells.append(&mut pieces);
        cells.extend(values);
        return vec![Line::cells(cells)];
    }
    if layout == Layout::WrappedLabels {
        lines.extend(pieces.into_iter().map(|p| vec![p]));
        lines.push(values);
    } else {
        let m = k / 2;
        let after = pieces.split_off(if k % 2 == 1 { m + 1 } else { m });
        let mid = if k % 2 == 1 { pieces.pop() } else { None };
        lines.extend(pieces.into_iter().map(|p| vec![p]));
        let mut with_values: Vec<Cell> = mid.into_iter().collect();
        with_values.extend(values);
        lines.push(with_values);
        lines.extend(after.into_iter().map(|p| vec![p]));
    }
    let mut first = groups;
    first.append(&mut lines[0]);
    lines[0] = first;
    lines.into_iter().map(Line::cells).collect()
}

/// 三、本年度办理结果 → 三、 本 年 度 办 理 结 果: characters, punctuation kept with the one before.
fn vertical_units(label: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in label.chars().filter(|c| !c.is_whitespace()) {
        let punct = matches!(c, '、' | '，' | ',' | '.' | '）' | ')');
        match out.last_mut() {
            Some(last) if punct => last.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

/// Table 四: the header rows, then the 15 values on one line.
pub fn review_litigation(ctx: &Ctx, rng: &mut Rng) -> TableText {
    let def = ctx.def("review_litigation");
    let st = ctx.style;
    let mut lines = header_lines(def, st, rng, None);
    let mut values = Vec::new();
    for row in def.rows() {
        let n = values.len();
        values.extend(ctx.values(def, &row.def.key, |k| (n + k) * st.step4));
    }
    if st.joiner == Joiner::Spaces {
        lines.extend((0..rng.range(0, 3)).map(|_| Line::blank()));
    }
    lines.push(Line::cells(values).for_row(&def.key));
    TableText {
        key: def.key.clone(),
        joiner: st.joiner,
        lines,
    }
}
