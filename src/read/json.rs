//! JSON input: a report in nianbao's own data format ([`crate::model`]'s serde shape), read
//! back into a [`Report`]. Unlike the other readers it knows the form (the file is already in
//! its shape, and is checked against it); it gives the rest of the pipeline a `Report`, not a
//! [`RawDoc`](super::RawDoc), and leaves the rules to [`crate::normalize`].

use std::path::Path;

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::form::{Form, Forms};
use crate::model::{Block, Cell, Report, Tables, cell_path};

use super::ReadOptions;

/// Reads a report in JSON from a file: through the size cap of `opts` like every other format
/// (a FIFO or `/dev/zero` named `*.json` stops at the limit), decoded as text, then [`parse`]d.
///
/// # Errors
/// The file cannot be read or is over the limit, its encoding is unknown or forced wrongly, or
/// as [`parse`].
pub fn read_path(path: &Path, forms: &Forms, opts: &ReadOptions) -> Result<Report, Error> {
    let bytes = super::limits::read_file(path, &opts.limits)?;
    let (text, _) = super::encoding::decode(&bytes, opts.forced_encoding()?)?;
    parse(&text, forms)
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

/// Loads a report from nianbao's JSON and checks its shape against the form: rows and
/// columns put in form order (missing ones blank), the cells named in `not_applicable` marked.
/// The arithmetic rules are not run here (they belong to [`crate::normalize`]; the pipeline
/// entry [`crate::report_from_json`] runs them): the report's diagnostics are only the file's
/// reading errors ([`code::UNRESOLVED`](crate::diag::code::UNRESOLVED),
/// [`code::UNREADABLE`](crate::diag::code::UNREADABLE)) that name a cell still blank, as the
/// rules cannot tell again that a blank was a value the source did not give up (one a blank
/// cell); every other diagnostic in the file is dropped.
///
/// # Errors
/// [`ErrorKind::Unusable`](crate::ErrorKind::Unusable) naming the place (with the JSON
/// parser's error as the source where it gave one): invalid JSON, an unknown form, table, row
/// or column, a cell that is no figure (beyond [`MAX_FIGURE`](crate::model::MAX_FIGURE));
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit): a title or issuing body longer than
/// [`MAX_TITLE_CHARS`], more sections, blocks or text than [`MAX_SECTIONS`], [`MAX_BLOCKS`],
/// [`MAX_TEXT_CHARS`].
pub fn parse(text: &str, forms: &Forms) -> Result<Report, Error> {
    let unusable = |m: String| Error::unusable(m);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut report: Report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // Inside `tables` the path is carried by the message itself: `review.upheld: …`.
        let (path, inner) = (e.path().to_string(), e.inner().to_string());
        let at = if path == "tables" {
            format!("tables.{inner}")
        } else {
            format!("{path}: {inner}")
        };
        unusable(format!("JSON 无效 (invalid report JSON) at {at}")).with_source(e.into_inner())
    })?;
    let form = forms.get(&report.form).ok_or_else(|| {
        unusable(format!(
            "JSON 无效 (invalid report JSON) at form: unknown form version {}",
            report.form
        ))
    })?;
    budgets(&report).map_err(|e| Error::limit(format!("JSON 无效 (invalid report JSON) at {e}")))?;
    report.tables = conform(form, &report.tables, &report.not_applicable).map_err(unusable)?;
    report.diagnostics = reading_errors(&report);
    Ok(report)
}

/// Whether a report is within the budgets of a report's JSON: its title and issuing body
/// within [`MAX_TITLE_CHARS`], its sections within [`MAX_SECTIONS`], [`MAX_BLOCKS`] and
/// [`MAX_TEXT_CHARS`]. The normalizer holds every report it makes to them too, so that any
/// report nianbao writes as JSON reads back.
///
/// # Errors
/// The first budget passed: `field: N what; the limit is M`.
pub fn budgets(report: &Report) -> Result<(), String> {
    for (field, value) in [("title", &report.title), ("organization", &report.organization)] {
        let n = value.as_deref().map_or(0, |t| t.chars().count());
        if n > MAX_TITLE_CHARS {
            return Err(format!("{field}: {n} characters; the limit is {MAX_TITLE_CHARS}"));
        }
    }
    text_budgets(report).map_err(|e| format!("sections: {e}"))
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
/// unreadable error naming it (or its row or table). A blank cell that no such error explains
/// is an error too, one a row naming its blank cells: the official form has a figure in every
/// cell (0 for none), so a blank is a value nobody gave, and a printed blank must not pass for
/// one (a JSON file edited by hand, a form being filled in). Linear in the diagnostics: each
/// is indexed once by the paths it names.
pub fn reading_errors(report: &Report) -> Vec<Diagnostic> {
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
    let mut unexplained = Vec::new();
    for (key, table) in &report.tables.0 {
        for row in &table.rows {
            let row_path = format!("{key}.{}", row.key);
            let mut blanks = Vec::new();
            for (col, cell) in &row.cells {
                if *cell != Cell::Blank {
                    continue;
                }
                let path = format!("{row_path}.{col}");
                match [path.as_str(), row_path.as_str(), key.as_str()]
                    .iter()
                    .find_map(|p| by_path.get(p))
                {
                    Some(&i) => {
                        keep.insert(i);
                    }
                    None => blanks.push(path),
                }
            }
            if !blanks.is_empty() {
                unexplained.push(
                    Diagnostic::new(
                        Severity::Error,
                        code::UNRESOLVED,
                        format!(
                            "空白：输入未给出 {} 个单元格的数值 (blank in the input: no figure given for {} cell(s))",
                            blanks.len(),
                            blanks.len()
                        ),
                    )
                    .cell(row_path)
                    .cells(blanks),
                );
            }
        }
    }
    let mut out: Vec<Diagnostic> = keep.into_iter().map(|i| report.diagnostics[i].clone()).collect();
    out.extend(unexplained);
    out
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
