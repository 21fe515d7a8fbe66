//! The twelve kinds of issue 12: whole reports printed and broken the way real extracted
//! reports come (cells run together, decoy headings, blank grids, pipe text, column order,
//! split numbers, collapsed repeats, disagreeing totals, mixed forms, prose figures, stray
//! characters, metadata), each with what every cell must come back as.
//!
//! The shapes follow the corpus (`shapes/` and `tools/make_shapes.py` of the shared corpus),
//! drawn at random: the numbers come from [`super::truth`] and obey R1–R4, except in the
//! disagreeing-totals kind, which changes one printed total on purpose.

use std::collections::{BTreeMap, HashMap, HashSet};

use nianbao::form::{Form, Per};

use super::breaks::Applied;
use super::document::{self, Case};
use super::layout::{Cell, Kind, Layout, Line, TableText};
use super::rng::Rng;
use super::truth::{Truth, cell_paths};

/// A kind of issue 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    Concat,
    Decoy,
    BlankGrid,
    PipeText,
    ColumnOrder,
    SplitNumber,
    Collapsed,
    Disagree,
    MixedForm,
    Prose,
    Stray,
    Metadata,
}

impl IssueKind {
    pub const ALL: [IssueKind; 12] = [
        IssueKind::Concat,
        IssueKind::Decoy,
        IssueKind::BlankGrid,
        IssueKind::PipeText,
        IssueKind::ColumnOrder,
        IssueKind::SplitNumber,
        IssueKind::Collapsed,
        IssueKind::Disagree,
        IssueKind::MixedForm,
        IssueKind::Prose,
        IssueKind::Stray,
        IssueKind::Metadata,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IssueKind::Concat => "k01-concat",
            IssueKind::Decoy => "k02-decoy",
            IssueKind::BlankGrid => "k03-blank-grid",
            IssueKind::PipeText => "k04-pipe-text",
            IssueKind::ColumnOrder => "k05-column-order",
            IssueKind::SplitNumber => "k06-split-number",
            IssueKind::Collapsed => "k07-collapsed",
            IssueKind::Disagree => "k08-disagree",
            IssueKind::MixedForm => "k09-mixed-form",
            IssueKind::Prose => "k10-prose",
            IssueKind::Stray => "k11-stray",
            IssueKind::Metadata => "k12-metadata",
        }
    }
}

/// What a cell must come back as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Want {
    /// This number.
    Value(f64),
    /// Printed blank: null, or the value R1–R4 force on it (blanks as unknowns ≥ 0).
    Blank(Option<f64>),
    /// The input does not determine it: null, or a number named by an error.
    Undetermined,
}

/// One generated case of a kind.
pub struct KindCase {
    pub kind: IssueKind,
    /// The variant drawn, for a person reading a failure.
    pub variant: String,
    pub text: String,
    /// Every cell of the 2021 form.
    pub want: BTreeMap<String, Want>,
    /// Cells an error must name (the printed total that breaks a rule).
    pub must_flag: Vec<String>,
    /// `Some(true)`: the prose disagrees with the table, an R7 error is due; `Some(false)`: it
    /// agrees, an R7 error is a false alarm.
    pub r7: Option<bool>,
    pub org: String,
    pub year: usize,
}

fn no_breaks(_: &mut [TableText], _: &mut Rng) -> Vec<Applied> {
    Vec::new()
}

fn values_of(form: &Form, truth: &Truth) -> BTreeMap<String, Want> {
    cell_paths(form)
        .into_iter()
        .map(|p| {
            let v = truth.value(&p);
            (p, Want::Value(v))
        })
        .collect()
}

fn kind_case(kind: IssueKind, form: &Form, case: &Case, variant: String, text: String) -> KindCase {
    KindCase {
        kind,
        variant,
        text,
        want: values_of(form, &case.truth),
        must_flag: Vec::new(),
        r7: None,
        org: case.org.clone(),
        year: case.year,
    }
}

/// The section a line heads, if it is a section heading as the form words it.
fn heading_index(form: &Form, line: &str) -> Option<usize> {
    let t = line.trim().trim_start_matches('#').trim();
    form.sections
        .iter()
        .position(|s| t == s.title() || s.variants.iter().any(|v| t == format!("{}、{v}", s.number)))
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn join(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn is_count(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Builds one case of `kind`.
pub fn build(form: &Form, kind: IssueKind, rng: &mut Rng) -> KindCase {
    match kind {
        IssueKind::Concat => concat(form, rng),
        IssueKind::Decoy => decoy(form, rng),
        IssueKind::BlankGrid => blank_grid(form, rng),
        IssueKind::PipeText => pipe_text(form, rng),
        IssueKind::ColumnOrder => column_order(form, rng),
        IssueKind::SplitNumber => split_number(form, rng),
        IssueKind::Collapsed => collapsed(form, rng),
        IssueKind::Disagree => disagree(form, rng),
        IssueKind::MixedForm => mixed_form(form, rng),
        IssueKind::Prose => prose(form, rng),
        IssueKind::Stray => stray(form, rng),
        IssueKind::Metadata => metadata(form, rng),
    }
}

/// Kind 1: Cells run together: the separators inside every table line dropped, so a row's label,
/// its values and the next row's ordinal run on (`一、本年新收…1622735149220`), a few stray
/// spaces inside runs of digits; then a line per section, or the whole report on one line.
fn concat(form: &Form, rng: &mut Rng) -> KindCase {
    let case = document::build_with(form, Layout::Tabs, rng, no_breaks);
    let mut lines: Vec<String> = case
        .text
        .lines()
        .map(|l| l.replace(['\t', '\u{c}'], ""))
        .collect();
    let table_lines: Vec<usize> = case
        .text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains('\t'))
        .map(|(i, _)| i)
        .collect();
    let spaces = rng.range(0, 3);
    for _ in 0..spaces {
        let i = *rng.pick(&table_lines);
        let chars: Vec<char> = lines[i].chars().collect();
        let spots: Vec<usize> = (1..chars.len())
            .filter(|&k| chars[k - 1].is_ascii_digit() && chars[k].is_ascii_digit())
            .collect();
        if spots.is_empty() {
            continue;
        }
        let k = *rng.pick(&spots);
        lines[i] = format!(
            "{} {}",
            chars[..k].iter().collect::<String>(),
            chars[k..].iter().collect::<String>()
        );
    }
    let whole = rng.chance(0.3);
    let mut out: Vec<String> = Vec::new();
    for l in lines.iter().filter(|l| !l.trim().is_empty()) {
        let starts = out.is_empty() || (!whole && (heading_index(form, l).is_some() || out.len() == 1));
        if starts {
            out.push(l.trim().to_string());
        } else if let Some(last) = out.last_mut() {
            last.push_str(l.trim());
        }
    }
    let variant = format!(
        "{}, {spaces} stray space(s)",
        if whole {
            "whole report on one line"
        } else {
            "a line per section"
        }
    );
    let text = if whole {
        format!("{}\n", out.concat())
    } else {
        join(&out)
    };
    kind_case(IssueKind::Concat, form, &case, variant, text)
}

/// Kind 2: Decoy headings: a preamble listing the six parts one per line with `、` lines between
/// them, a sub-heading inside section 一 worded like the old title of section 四, and the
/// real headings broken after their number (`二、` / `主动公开政府信息情况`).
fn decoy(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::Tabs, Layout::Pdf, Layout::CellPerLine]);
    let case = document::build_with(form, layout, rng, no_breaks);
    let mut lines = lines_of(&case.text);
    let mut parts = Vec::new();
    let (mut list, mut sub, mut broken) = (rng.chance(0.5), rng.chance(0.5), rng.chance(0.5));
    if !(list || sub || broken) {
        match rng.below(3) {
            0 => list = true,
            1 => sub = true,
            _ => broken = true,
        }
    }
    if sub {
        let at = lines
            .iter()
            .position(|l| heading_index(form, l) == Some(0))
            .expect("section 一");
        let t = |p: &str| case.truth.value(p) as u64;
        let lit = t("review_litigation.litigation_direct.total")
            + t("review_litigation.litigation_after_review.total");
        let new = [
            "（六）".to_string(),
            "因政府信息公开工作被申请行政复议、提起行政诉讼的情况".to_string(),
            format!(
                "本年度因政府信息公开工作被申请行政复议{}件，被提起行政诉讼{lit}件。",
                t("review_litigation.review.total")
            ),
        ];
        let end = lines[at + 1..]
            .iter()
            .position(|l| heading_index(form, l).is_some())
            .map_or(lines.len(), |k| at + 1 + k);
        lines.splice(end..end, new);
        parts.push("old section-四 title inside section 一");
    }
    if broken {
        let mut out = Vec::new();
        for l in lines.drain(..) {
            match heading_index(form, &l) {
                Some(i) if i > 0 => {
                    let k = l.find('、').expect("a numbered heading") + '、'.len_utf8();
                    out.push(l[..k].to_string());
                    out.push(l[k..].to_string());
                }
                _ => out.push(l),
            }
        }
        lines = out;
        parts.push("headings broken after their number");
    }
    if list {
        let title = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
        let at = lines[title..]
            .iter()
            .position(|l| l.trim().is_empty())
            .map_or(lines.len(), |k| title + k);
        let mut new = vec![format!("本报告由{}", form.sections[0].heading)];
        for s in &form.sections[1..] {
            new.push("、".to_string());
            new.push(s.heading.clone());
        }
        new.push("六部分组成。".to_string());
        new.insert(0, String::new());
        lines.splice(at..at, new);
        parts.push("preamble lists the parts one per line");
    }
    let variant = format!("{}; {}", layout.name(), parts.join(", "));
    kind_case(IssueKind::Decoy, form, &case, variant, join(&lines))
}

/// The equations of R1–R4 as lists of cell paths, `lhs = rhs`.
fn equations(form: &Form) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for rule in &form.rules {
        let Some(def) = form.table(&rule.table) else {
            continue;
        };
        match rule.per {
            Per::Column => {
                for col in def.columns() {
                    let side = |keys: &[String]| -> Vec<String> {
                        keys.iter()
                            .flat_map(|p| def.rows_matching(p))
                            .filter_map(|i| def.row(i))
                            .map(|row| format!("{}.{}.{}", def.key, row.def.key, col.key))
                            .collect()
                    };
                    out.push((side(&rule.lhs), side(&rule.rhs)));
                }
            }
            Per::Row => {
                for row in def.rows() {
                    let side = |keys: &[String]| -> Vec<String> {
                        keys.iter()
                            .map(|c| format!("{}.{}.{c}", def.key, row.def.key))
                            .collect()
                    };
                    out.push((side(&rule.lhs), side(&rule.rhs)));
                }
            }
        }
    }
    out
}

/// The values R1–R4 force on printed blanks taken as unknowns ≥ 0: an equation with all its
/// unknowns on one side fixes them when there is one, or when they must sum to 0.
pub fn forced_blanks(form: &Form, truth: &Truth, blanks: &HashSet<String>) -> HashMap<String, f64> {
    let eqs = equations(form);
    let mut known: HashMap<String, f64> = HashMap::new();
    loop {
        let mut changed = false;
        for (l, r) in &eqs {
            let value = |p: &String| -> Option<f64> {
                if blanks.contains(p) {
                    known.get(p).copied()
                } else {
                    Some(truth.value(p))
                }
            };
            let unknown = |side: &[String]| -> Vec<String> {
                side.iter().filter(|p| value(p).is_none()).cloned().collect()
            };
            let sum = |side: &[String]| -> f64 { side.iter().filter_map(value).sum() };
            let (ul, ur) = (unknown(l), unknown(r));
            let (open, rest) = match (ul.is_empty(), ur.is_empty()) {
                (false, true) => (ul, sum(r) - sum(l)),
                (true, false) => (ur, sum(l) - sum(r)),
                _ => continue,
            };
            if open.len() == 1 {
                known.insert(open[0].clone(), rest);
                changed = true;
            } else if rest.abs() < 1e-9 {
                for p in open {
                    known.insert(p, 0.0);
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    known
}

/// Kind 3: Blank cells in a grid: every zero printed as an empty cell of an HTML, Markdown or tab
/// grid, its position the only sign of its column.
fn blank_grid(form: &Form, rng: &mut Rng) -> KindCase {
    let grid = *rng.pick(&["html", "markdown", "tabs"]);
    let layout = if grid == "markdown" {
        Layout::Markdown
    } else {
        Layout::Tabs
    };
    let mut blanks = HashSet::new();
    let case = document::build_with(form, layout, rng, |tables, _| {
        for t in tables.iter_mut() {
            for line in &mut t.lines {
                for c in &mut line.cells {
                    if c.kind == Kind::Value && c.text == "0" {
                        c.text.clear();
                        blanks.extend(c.path.clone());
                    }
                }
            }
        }
        Vec::new()
    });
    let text = if grid == "html" {
        html_tables(&case.text)
    } else {
        case.text.clone()
    };
    let mut k = kind_case(IssueKind::BlankGrid, form, &case, grid.to_string(), text);
    let forced = forced_blanks(form, &case.truth, &blanks);
    for p in &blanks {
        k.want.insert(p.clone(), Want::Blank(forced.get(p).copied()));
    }
    k.variant = format!("{grid}, {} blank cells, {} forced", blanks.len(), forced.len());
    k
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Runs of tab-separated lines turned into HTML tables, a `<td>` a cell.
fn html_tables(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for l in text.lines() {
        if l.contains('\t') {
            if !open {
                out.push("<table border=\"1\"><tbody>".to_string());
                open = true;
            }
            let tds: String = l.split('\t').map(|c| format!("<td>{}</td>", esc(c))).collect();
            out.push(format!("<tr>{tds}</tr>"));
        } else {
            if open {
                out.push("</tbody></table>".to_string());
                open = false;
            }
            out.push(l.to_string());
        }
    }
    if open {
        out.push("</tbody></table>".to_string());
    }
    join(&out)
}

/// Kind 4: Pipe text: `a | b |` lines, with or without a leading pipe, header rows piped too, no
/// Markdown rule lines, empty cells kept or dropped.
fn pipe_text(form: &Form, rng: &mut Rng) -> KindCase {
    let case = document::build_with(form, Layout::Markdown, rng, no_breaks);
    let leading = rng.chance(0.5);
    let drop_empty = rng.chance(0.5);
    let mut out = Vec::new();
    for l in case.text.lines() {
        let t = l.trim();
        if !t.starts_with('|') {
            out.push(l.to_string());
            continue;
        }
        if t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue;
        }
        let inner = t.trim_start_matches('|').trim_end_matches('|');
        let cells: Vec<&str> = inner
            .split('|')
            .map(str::trim)
            .filter(|c| !drop_empty || !c.is_empty())
            .collect();
        if cells.is_empty() {
            continue;
        }
        let lead = if leading { "| " } else { "" };
        out.push(format!("{lead}{} |", cells.join(" | ")));
    }
    let variant = format!(
        "{} leading pipe, empty cells {}",
        if leading { "with" } else { "without" },
        if drop_empty { "dropped" } else { "kept" }
    );
    kind_case(IssueKind::PipeText, form, &case, variant, join(&out))
}

/// Kind 5: Column order: one cell a line, table 三 printed column by column (the header, the block
/// of labels, then each column's values top to bottom), or with the block of labels after its
/// values.
fn column_order(form: &Form, rng: &mut Rng) -> KindCase {
    let labels_last = rng.chance(0.5);
    let case = document::build_with(form, Layout::CellPerLine, rng, |tables, _| {
        let t = tables
            .iter_mut()
            .find(|t| t.key == "applications")
            .expect("table 三");
        let first_row = t.lines.iter().position(Line::has_values).unwrap_or(0);
        let header: Vec<Line> = t.lines[..first_row].to_vec();
        let mut labels = Vec::new();
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for line in &t.lines[first_row..] {
            if line.raw.is_some() {
                continue;
            }
            let (values, rest): (Vec<Cell>, Vec<Cell>) =
                line.cells.iter().cloned().partition(|c| c.kind == Kind::Value);
            labels.extend(rest.into_iter().filter(|c| !c.text.is_empty()));
            if !values.is_empty() {
                rows.push(values);
            }
        }
        let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let columns: Vec<Line> = (0..ncols)
            .map(|j| Line::cells(rows.iter().filter_map(|r| r.get(j).cloned()).collect()))
            .collect();
        let mut lines = header;
        if labels_last {
            lines.extend(columns);
            lines.push(Line::cells(labels));
        } else {
            lines.push(Line::cells(labels));
            lines.extend(columns);
        }
        t.lines = lines;
        Vec::new()
    });
    let variant = if labels_last {
        "labels after the values"
    } else {
        "labels, then columns"
    };
    let text = case.text.clone();
    kind_case(IssueKind::ColumnOrder, form, &case, variant.to_string(), text)
}

/// Kind 6: A number broken over two lines (`1` / `62`); in tab rows the tail on the next line under
/// its column.
fn split_number(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::CellPerLine, Layout::Tabs]);
    let mut done = Vec::new();
    let case = document::build_with(form, layout, rng, |tables, rng| {
        let n = rng.range(1, 3);
        for _ in 0..n {
            let t = rng.below(tables.len());
            let table = &mut tables[t];
            let spots: Vec<(usize, usize)> = table
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.raw.is_none())
                .flat_map(|(i, l)| {
                    l.cells
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.kind == Kind::Value && is_count(&c.text) && c.text.len() >= 2)
                        .map(move |(k, _)| (i, k))
                })
                .collect();
            if spots.is_empty() {
                continue;
            }
            let (i, k) = *rng.pick(&spots);
            let text = table.lines[i].cells[k].text.clone();
            let cut = rng.range(1, text.len() - 1);
            let (head, tail) = text.split_at(cut);
            done.push(format!(
                "{}: {head}/{tail}",
                table.lines[i].cells[k].path.clone().unwrap_or_default()
            ));
            if layout == Layout::CellPerLine {
                table.lines[i].cells[k].text = format!("{head}\n{tail}");
            } else {
                table.lines[i].cells[k].text = head.to_string();
                let mut cells: Vec<Cell> = (0..k).map(|_| Cell::pad()).collect();
                cells.push(Cell::junk(tail));
                table.lines.insert(i + 1, Line::cells(cells));
            }
        }
        Vec::new()
    });
    let variant = format!("{}: {}", layout.name(), done.join(", "));
    let text = case.text.clone();
    kind_case(IssueKind::SplitNumber, form, &case, variant, text)
}

/// Kind 7: Collapsed repeats: one cell a line, and a run of equal neighbouring numbers written once
/// (blank lines between them do not break the run).
fn collapsed(form: &Form, rng: &mut Rng) -> KindCase {
    let case = document::build_with(form, Layout::CellPerLine, rng, no_breaks);
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    let mut dropped = 0;
    for l in case.text.lines() {
        let t = l.trim();
        if t.is_empty() {
            out.push(l.to_string());
            continue;
        }
        if is_count(t) && last.as_deref() == Some(t) {
            dropped += 1;
            continue;
        }
        last = Some(t.to_string());
        out.push(l.to_string());
    }
    let variant = format!("{dropped} repeated line(s) dropped");
    kind_case(IssueKind::Collapsed, form, &case, variant, join(&out))
}

/// Kind 8: A printed total that disagrees: one total cell of table 三 or 四 changed. The printed
/// value must be kept and the failing rule reported by an error naming the cell.
fn disagree(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::Tabs, Layout::Pdf, Layout::CellPerLine, Layout::Markdown]);
    let mut changed = None;
    let case = document::build_with(form, layout, rng, |tables, rng| {
        let mut totals: Vec<String> = Vec::new();
        for t in tables.iter().filter(|t| t.key != "active_disclosure") {
            for l in &t.lines {
                for c in &l.cells {
                    if let Some(p) = &c.path
                        && c.kind == Kind::Value
                        && (p.ends_with(".total") || p.contains(".total_processed."))
                    {
                        totals.push(p.clone());
                    }
                }
            }
        }
        let path = rng.pick(&totals).clone();
        for t in tables.iter_mut() {
            for l in &mut t.lines {
                for c in &mut l.cells {
                    if c.path.as_deref() == Some(path.as_str()) && c.kind == Kind::Value {
                        let v: u64 = c.text.replace(',', "").parse().unwrap_or(0);
                        let d = rng.range(1, (v as usize / 10).max(3)) as u64;
                        let new = if v >= d && rng.chance(0.5) { v - d } else { v + d };
                        c.text = new.to_string();
                        changed = Some((path.clone(), new));
                    }
                }
            }
        }
        Vec::new()
    });
    let (path, new) = changed.expect("a total to change");
    let variant = format!(
        "{}: {path} printed {new} (true {})",
        layout.name(),
        case.truth.value(&path)
    );
    let text = case.text.clone();
    let mut k = kind_case(IssueKind::Disagree, form, &case, variant, text);
    k.want.insert(path.clone(), Want::Value(new as f64));
    k.must_flag.push(path);
    k
}

/// Kind 9: Mixed forms: a 2021 report whose table 三 has the single 2019 row （六）其他处理 (the sum
/// of the three sub-rows) in place of the three 2021 sub-rows. The sub-rows are not
/// determined: null, or named by an error.
fn mixed_form(form: &Form, rng: &mut Rng) -> KindCase {
    let case = document::build_with(form, Layout::Tabs, rng, |tables, _| {
        let t = tables
            .iter_mut()
            .find(|t| t.key == "applications")
            .expect("table 三");
        let rows: Vec<usize> = (0..t.lines.len())
            .filter(|&i| {
                t.lines[i].has_values()
                    && t.lines[i]
                        .row
                        .as_deref()
                        .is_some_and(|r| r.starts_with("applications.other."))
            })
            .collect();
        let template = t
            .lines
            .iter()
            .find(|l| l.has_values() && l.row.as_deref() == Some("applications.granted"))
            .expect("the granted row")
            .clone();
        let mut sums = vec![0u64; 7];
        for &i in &rows {
            for (j, c) in t.lines[i]
                .cells
                .iter()
                .filter(|c| c.kind == Kind::Value)
                .enumerate()
            {
                sums[j] += c.text.replace(',', "").parse::<u64>().unwrap_or(0);
            }
        }
        let mut line = template;
        line.row = Some("applications.other_handling".to_string());
        let label_text = |c: &Cell| c.text.replace(['(', ')', '（', '）', ' '], "");
        for c in &mut line.cells {
            if c.kind == Kind::Label && label_text(c).contains("予以公开") {
                c.text = c.text.replace("予以公开", "其他处理").replace('一', "六");
            }
        }
        for (c, s) in line.cells.iter_mut().filter(|c| c.kind == Kind::Value).zip(&sums) {
            c.text = s.to_string();
            c.path = None;
        }
        let (first, last) = (rows[0], rows[rows.len() - 1]);
        t.lines.splice(first..=last, [line]);
        Vec::new()
    });
    let text = case.text.clone();
    let mut k = kind_case(IssueKind::MixedForm, form, &case, "tabs".to_string(), text);
    for (p, w) in k.want.iter_mut() {
        if p.starts_with("applications.other.") {
            *w = Want::Undetermined;
        }
    }
    k
}

/// Kind 10: Prose figures (R7): a sentence in section 一 quoting the applications received
/// (`共收到政府信息公开申请N件`), agreeing or not, maybe split over lines or in full-width
/// digits.
fn prose(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::Tabs, Layout::Pdf]);
    let case = document::build_with(form, layout, rng, no_breaks);
    let truth = case.truth.value("applications.new_received.total") as u64;
    let disagree = rng.chance(0.5);
    let quoted = if disagree {
        let d = rng.range(1, 40) as u64;
        if truth >= d && rng.chance(0.5) {
            truth - d
        } else {
            truth + d
        }
    } else {
        truth
    };
    let wide = rng.chance(0.3);
    let n = if wide {
        full_width(&quoted.to_string())
    } else {
        quoted.to_string()
    };
    let sentence = format!("{}年，本机关共收到政府信息公开申请{n}件，均按时答复。", case.year);
    let split = rng.chance(0.4);
    let new: Vec<String> = if split {
        let chars: Vec<char> = sentence.chars().collect();
        let at = rng.range(1, chars.len() - 1);
        vec![chars[..at].iter().collect(), chars[at..].iter().collect()]
    } else {
        vec![sentence]
    };
    let mut lines = lines_of(&case.text);
    let at = lines
        .iter()
        .position(|l| heading_index(form, l) == Some(0))
        .expect("section 一")
        + 1;
    lines.splice(at..at, new);
    let variant = format!(
        "{}: quoted {quoted} (table {truth}){}{}",
        layout.name(),
        if wide { ", full-width" } else { "" },
        if split { ", split over lines" } else { "" }
    );
    let mut k = kind_case(IssueKind::Prose, form, &case, variant, join(&lines));
    k.r7 = Some(disagree);
    k
}

/// Kind 11: Stray characters: lines holding only `)` or `”` among the table lines, counts with
/// thousands separators, full-width digits in cells.
fn stray(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::Tabs, Layout::Pdf, Layout::CellPerLine]);
    let mut parts = Vec::new();
    let case = document::build_with(form, layout, rng, |tables, rng| {
        let n = rng.range(1, 3);
        for _ in 0..n {
            let t = rng.below(tables.len());
            let table = &mut tables[t];
            let at = rng.range(1, table.lines.len());
            let junk = *rng.pick(&[")", "”", "）", "\""]);
            table.lines.insert(at, Line::raw(junk));
            parts.push(format!("{junk:?} line in {}", table.key));
        }
        let thousands = rng.chance(0.5);
        let wide = rng.chance(0.5);
        for t in tables.iter_mut() {
            for l in &mut t.lines {
                for c in &mut l.cells {
                    if c.kind != Kind::Value || !is_count(&c.text) {
                        continue;
                    }
                    if thousands && c.text.len() > 3 {
                        let mut g = String::new();
                        for (i, ch) in c.text.chars().enumerate() {
                            if i > 0 && (c.text.len() - i) % 3 == 0 {
                                g.push(',');
                            }
                            g.push(ch);
                        }
                        c.text = g;
                    }
                    if wide && rng.chance(0.2) {
                        c.text = full_width(&c.text);
                    }
                }
            }
        }
        if thousands {
            parts.push("thousands separators".to_string());
        }
        if wide {
            parts.push("full-width digits".to_string());
        }
        Vec::new()
    });
    let variant = format!("{}: {}", layout.name(), parts.join(", "));
    let text = case.text.clone();
    kind_case(IssueKind::Stray, form, &case, variant, text)
}

/// Kangxi radicals (U+2F00–U+2FD5) that look like common characters, as PDF text layers
/// give them.
const KANGXI: &[(char, char)] = &[
    ('一', '\u{2F00}'),
    ('人', '\u{2F08}'),
    ('八', '\u{2F0B}'),
    ('力', '\u{2F12}'),
    ('十', '\u{2F17}'),
    ('大', '\u{2F24}'),
    ('子', '\u{2F26}'),
    ('工', '\u{2F2F}'),
    ('心', '\u{2F3C}'),
    ('方', '\u{2F45}'),
    ('日', '\u{2F47}'),
    ('月', '\u{2F49}'),
    ('水', '\u{2F54}'),
    ('生', '\u{2F63}'),
    ('用', '\u{2F64}'),
    ('田', '\u{2F65}'),
    ('立', '\u{2F74}'),
];

/// Kind 12: Metadata: the title replaced by a `标题：` header line among other header lines (a
/// publication date in the next year), a year-first title, or a title with Kangxi radicals.
fn metadata(form: &Form, rng: &mut Rng) -> KindCase {
    let layout = *rng.pick(&[Layout::Tabs, Layout::Pdf, Layout::CellPerLine]);
    let case = document::build_with(form, layout, rng, no_breaks);
    let (org, year) = (case.org.clone(), case.year);
    let variant = *rng.pick(&["标题 header", "year first", "Kangxi radicals"]);
    let title: Vec<String> = match variant {
        "标题 header" => {
            let mut v = vec![
                format!(
                    "索引号：{}/{}-0{}",
                    rng.range(10_000, 99_999),
                    year + 1,
                    rng.range(1, 9)
                ),
                format!("发布机构：{org}"),
                format!("标题：{org}{year}年度政府信息公开工作年度报告"),
                format!("发布日期：{}-01-{}", year + 1, rng.range(10, 31)),
            ];
            if rng.chance(0.5) {
                v.rotate_left(1);
            }
            v
        }
        "year first" => vec![format!("{year}年{org}政府信息公开工作年度报告")],
        _ => {
            let t = format!("{org}{year}年政府信息公开工作年度报告");
            vec![
                t.chars()
                    .map(|c| KANGXI.iter().find(|(a, _)| *a == c).map_or(c, |(_, k)| *k))
                    .collect(),
            ]
        }
    };
    let mut lines = lines_of(&case.text);
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let end = lines[first..]
        .iter()
        .position(|l| l.trim().is_empty())
        .map_or(lines.len(), |k| first + k);
    lines.splice(first..end, title);
    let variant = format!("{}: {variant}", layout.name());
    kind_case(IssueKind::Metadata, form, &case, variant, join(&lines))
}
