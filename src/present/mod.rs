//! Presentation: what the print outputs share, between the normalized [`Report`] and the
//! pages. A report is presented once, as a [`Presentation`]: the title in its printed lines,
//! the document's metadata, and an ordered list of [`Item`]s (headings with their level and
//! style key, paragraphs, the form's tables as print grids with the note under a table in
//! doubt). The layout ([`crate::layout`], for the PDF) and the DOCX and Markdown writers
//! ([`crate::write`]) only serialize it, so a title, a heading level or a table's merges are
//! decided here, once, and the three outputs agree:
//!
//! - [`present`]: the report and the [`Context`] to a [`Presentation`];
//! - [`title`]: what a report without a title is called, and where a long title breaks;
//! - [`grid`]: a table as printed, the form's cells with their merges and a report's values
//!   (with the marks of doubtful ones);
//! - [`Context`]: what rendering needs besides the report (form, style, font folders).
//!
//! # Heading levels
//!
//! | level | what | style key | DOCX style | Markdown |
//! |---|---|---|---|---|
//! | title | the report's title, one entry a printed line | `title` | `Title` | `#`, a line each |
//! | 1 | a section of the form, `一、总体情况` | `heading1` | `Heading1` | `##` |
//! | 2 | `（一）` | `heading2` | `Heading2` | `###` |
//! | 3 | `1.` | `heading3` | `Heading3` | `####` |
//! | 4 | `（1）` | `heading4` | `Heading4` | `#####` |
//!
//! A sub-heading of the report ([`Block::Heading`]) is level 2 to 4: one of level 0 or 1 (a
//! JSON input may say so) stands under its section's heading as level 2, one deeper than 4
//! is printed as 4 (the style has four heading elements; Markdown never passes `######`).
//!
//! In the layers, `present` stands above [`crate::normalize`] (and [`crate::style`]) and
//! below [`crate::layout`] and [`crate::write`]: it never calls the layout or a writer.
//!

pub mod grid;
pub mod title;

use std::path::PathBuf;

use crate::form::{Form, Layout};
use crate::model::{Block, Report, Section};
use crate::style::Style;
use grid::PrintGrid;

/// What presenting a report needs besides the report: its form, the layout style, and where
/// to look for fonts. Built once per process and shared by every report of a batch; the
/// layout and every writer take it.
pub struct Context<'a> {
    /// The form the report is in: its tables' rows, columns and merges.
    pub form: &'a Form,
    /// The page, fonts and sizes (GB/T 9704 unless the user gives another).
    pub style: &'a Style,
    /// Folders of the user's own fonts (`--font-dir`), searched before the system's.
    pub font_dirs: Vec<PathBuf>,
}

/// The style key of the title (an element of [`Style::elements`]).
pub const TITLE_STYLE: &str = "title";
/// The style key of a paragraph.
pub const BODY_STYLE: &str = "body";
/// The style keys of heading levels 1 to 4.
pub const HEADING_STYLES: [&str; 4] = ["heading1", "heading2", "heading3", "heading4"];

/// A report as every print output shows it: built by [`present`], serialized by the layout
/// (PDF) and the DOCX and Markdown writers, which decide nothing of what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    /// The title, one entry a printed line, broken by [`title::lines`]; a report without a
    /// title gets [`title::made_up`]. Never empty.
    pub title: Vec<String>,
    /// What the file says of itself (PDF document information, DOCX core properties).
    pub metadata: Metadata,
    /// The body, in reading order.
    pub items: Vec<Item>,
}

/// The document information every output file carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The title on one line: the report's own, or the one made up for it.
    pub title: String,
    /// The issuing body, where known.
    pub author: Option<String>,
    /// What the document is: `政府信息公开工作年度报告`.
    pub subject: &'static str,
    /// The language, `zh-CN`.
    pub language: &'static str,
}

/// One piece of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A heading: `level` 1 (a section of the form) to 4, `style` its element key
    /// (`heading1` … `heading4`); see the table in the module's documentation.
    Heading {
        level: u8,
        style: &'static str,
        text: String,
    },
    /// A paragraph of prose, in the style [`BODY_STYLE`].
    Paragraph { text: String },
    /// One of the form's tables.
    Table(PrintedTable),
    /// The signature block at the end: the issuing body (when the text gives it) over the
    /// date, set as GB/T 9704-2012 7.3.5.2 has it for a document without a seal (a blank line
    /// below the text; the body two characters in from the right; the date below it, two
    /// characters further right, or two in from the right when it is the longer), and kept
    /// with the last lines of the text before it. Found by
    /// [`split_signature`](crate::normalize::sections::split_signature).
    Signature {
        organization: Option<String>,
        date: String,
    },
}

/// Where [`Item::Signature`]'s lines stand, as right indents in characters: `(body, date)`
/// for a body `organization` and a date `date` characters wide (GB/T 9704-2012 7.3.5.2: the
/// body two characters in from the right and the date starting two characters further right,
/// or, when the date is the longer, the date two in from the right and the body moved left to
/// match; 7.3.5.1: a date alone four in). The PDF layout and the DOCX writer both set it so.
pub fn signature_indents(organization: Option<f64>, date: f64) -> (f64, f64) {
    match organization {
        Some(o) if date <= o - 2.0 => (2.0, o - date),
        Some(o) => (4.0 + date - o, 2.0),
        None => (0.0, 4.0),
    }
}

/// The body's last paragraphs as its signature block ([`Item::Signature`]): the last
/// paragraph, or the one before up to two closing lines (a note in brackets such as
/// `（此件主动公开）`, `附件：…`, `抄送：…`, a line ending `印发`), when it is a date with or
/// without the body; a line of the body's name alone just before a date alone joins it.
fn find_signature(items: &mut Vec<Item>) {
    // What may follow the signature: a note in brackets (`（此件主动公开）`), the list of
    // attachments (`附件：…`), a line of the 版记 (`…印发`, `抄送：…`).
    let after_signature = |t: &str| {
        let t = t.trim();
        (t.starts_with('（') && t.ends_with('）'))
            || (t.starts_with('(') && t.ends_with(')'))
            || t.starts_with("附件")
            || t.starts_with("抄送")
            || t.ends_with("印发")
    };
    let mut at = items.len();
    while at > 0 && items.len() - at < 3 {
        match &items[at - 1] {
            Item::Paragraph { text } if after_signature(text) => at -= 1,
            _ => break,
        }
    }
    let Some(i) = at.checked_sub(1) else { return };
    let Item::Paragraph { text } = &items[i] else {
        return;
    };
    let Some((mut organization, date)) = crate::normalize::sections::split_signature(text) else {
        return;
    };
    let mut first = i;
    if organization.is_none()
        && let Some(Item::Paragraph { text: before }) = i.checked_sub(1).map(|j| &items[j])
        && crate::normalize::sections::is_body_name(before.trim())
    {
        organization = Some(before.trim().to_string());
        first = i - 1;
    }
    items.splice(first..=i, [Item::Signature { organization, date }]);
}

/// A table of the form as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedTable {
    /// The table's key in the form (`active_disclosure` …).
    pub key: String,
    /// Its shape in the form.
    pub layout: Layout,
    /// Its cells, merges and values, doubtful ones marked ([`grid::report_grid`]).
    pub grid: PrintGrid,
    /// Column widths from the style, in mm; empty when the style has none for this table
    /// (the outputs then give every column the same width).
    pub widths_mm: Vec<f64>,
    /// The note printed under the table when anything in it is in doubt
    /// ([`PrintGrid::note`]).
    pub note: Option<String>,
}

/// The style key and level of a sub-heading of `level` ([`Block::Heading`]): 2 to 4.
pub fn sub_heading_level(level: u8) -> u8 {
    level.clamp(2, 4)
}

/// The style key of heading `level` (1–4; others clamped).
pub fn heading_style(level: u8) -> &'static str {
    HEADING_STYLES[usize::from(level.clamp(1, 4)) - 1]
}

/// Presents a report: its title lines, metadata and body items, for the layout and the
/// writers. Infallible; linear in the report.
///
/// Every table of the form is printed once, where the report first places it; one the
/// report places nowhere goes at the end of its section, or, with no such section, under
/// the form's heading for it, in the form's order. Blank headings and paragraphs are left
/// out; a table the form does not know is skipped.
pub fn present(report: &Report, ctx: &Context) -> Presentation {
    let title_el = ctx.style.element(TITLE_STYLE);
    let width_em = ctx.style.page.text_width_mm() * 72.0 / 25.4 / title_el.size_pt;
    let whole = report
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .unwrap_or_else(|| title::made_up(report.organization.as_deref(), report.year));
    let mut title = title::lines(&whole, width_em);
    if title.is_empty() {
        title.push(whole.clone());
    }
    let metadata = Metadata {
        title: whole.lines().map(str::trim).collect::<Vec<_>>().concat(),
        author: report
            .organization
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from),
        subject: title::REPORT_NAME,
        language: "zh-CN",
    };

    let mut items = Vec::new();
    let mut printed: Vec<&str> = Vec::new();
    for section in placed_sections(report, ctx.form) {
        if let Some(h) = section
            .heading
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            items.push(Item::Heading {
                level: 1,
                style: heading_style(1),
                text: h.to_string(),
            });
        }
        for block in &section.blocks {
            match block {
                Block::Heading { level, text } => {
                    if !text.trim().is_empty() {
                        let level = sub_heading_level(*level);
                        items.push(Item::Heading {
                            level,
                            style: heading_style(level),
                            text: text.trim().to_string(),
                        });
                    }
                }
                Block::Paragraph { text } => {
                    if !text.trim().is_empty() {
                        items.push(Item::Paragraph { text: text.clone() });
                    }
                }
                Block::Table { table } => {
                    let Some(def) = ctx.form.table(table) else {
                        continue;
                    };
                    if printed.contains(&def.key.as_str()) {
                        continue;
                    }
                    printed.push(&def.key);
                    let grid = grid::report_grid(def, report);
                    items.push(Item::Table(PrintedTable {
                        key: def.key.clone(),
                        layout: def.layout,
                        note: grid.note(),
                        grid,
                        widths_mm: ctx
                            .style
                            .tables
                            .get(&def.key)
                            .map(|t| t.widths_mm.clone())
                            .unwrap_or_default(),
                    }));
                }
            }
        }
    }
    find_signature(&mut items);
    Presentation {
        title,
        metadata,
        items,
    }
}

/// The report's sections with every table of the form placed: one no section places goes
/// at the end of its own section, or in a section made for it from the form (its heading,
/// the table), before the first section the form puts after it.
fn placed_sections(report: &Report, form: &Form) -> Vec<Section> {
    let placed: Vec<&str> = report
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            Block::Table { table } => Some(table.as_str()),
            _ => None,
        })
        .collect();
    let missing_here = |key: Option<&str>| -> Vec<Block> {
        form.tables
            .iter()
            .filter(|t| Some(t.section.as_str()) == key && !placed.contains(&t.key.as_str()))
            .map(|t| Block::Table { table: t.key.clone() })
            .collect()
    };
    let mut sections: Vec<Section> = report
        .sections
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.blocks.extend(missing_here(s.key.as_deref()));
            s
        })
        .collect();
    let order = |key: Option<&str>| form.sections.iter().position(|d| Some(d.key.as_str()) == key);
    for (k, def) in form.sections.iter().enumerate() {
        if report
            .sections
            .iter()
            .any(|s| s.key.as_deref() == Some(def.key.as_str()))
        {
            continue;
        }
        let blocks = missing_here(Some(&def.key));
        if blocks.is_empty() {
            continue;
        }
        let at = sections
            .iter()
            .position(|s| order(s.key.as_deref()).is_some_and(|o| o > k))
            .unwrap_or(sections.len());
        sections.insert(
            at,
            Section {
                key: Some(def.key.clone()),
                heading: Some(def.title()),
                blocks,
            },
        );
    }
    sections
}
