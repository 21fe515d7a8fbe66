//! The DOCX writer: an editable Word document with the official tables and Chinese fonts.
//!
//! It serializes the report's [`Presentation`] ([`crate::present::present`]): the title's
//! lines (one `Title` paragraph, a line break between them), each heading in the style of
//! its level, the paragraphs and the print grids; it decides none of them.
//!
//! docx-rs assembles the package (content types, relationships, app properties); the parts
//! that carry the layout — `document.xml`, `styles.xml`, `settings.xml`, `fontTable.xml`,
//! the two footers and `core.xml` — are written here, so every element stands in the order
//! the OOXML schema requires and Word opens the file without a repair prompt. All formatting
//! lives in paragraph styles (title, body, headings 1–4, table text, footer); runs carry text
//! only, so an office can restyle the document by editing the styles.

use std::fmt::Write as _;

use super::Context;
use super::xml_escape as escape;
use crate::error::Error;
use crate::form::Layout;
use crate::model::Report;
use crate::present::grid::{CellRole, GridCell, PrintGrid};
use crate::present::{Item, Metadata, Presentation, present};
use crate::style::{Align, Element, Style};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// The face for digits and Latin letters in every style but the page number.
const LATIN_FACE: &str = "Times New Roman";

/// Paragraph style ids, as written in `styles.xml`.
pub const STYLE_TITLE: &str = "Title";
pub const STYLE_BODY: &str = "Normal";
pub const STYLE_TABLE: &str = "TableText";
pub const STYLE_TABLE_SMALL: &str = "TableTextSmall";
pub const STYLE_FOOTER: &str = "Footer";

/// The style id of heading `level` (1–4, as [`Item::Heading`] gives it; others clamped).
pub fn heading_style(level: u8) -> String {
    format!("Heading{}", level.clamp(1, 4))
}

fn mm_to_twips(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

fn pt_to_twips(pt: f64) -> i64 {
    (pt * 20.0).round() as i64
}

fn half_points(pt: f64) -> i64 {
    (pt * 2.0).round() as i64
}

/// Renders a report as a DOCX file.
///
/// # Errors
/// The package cannot be built ([`ErrorKind::Render`](crate::ErrorKind::Render), docx-rs's error as the source).
pub fn render(report: &Report, ctx: &Context) -> Result<Vec<u8>, Error> {
    let style = ctx.style;
    let shown = present(report, ctx);
    let document = document_xml(&shown, ctx.style);
    let styles = styles_xml(style);
    let settings = settings_xml();
    let fonts = font_table_xml(style);
    let odd = footer_xml(style, Align::Right);
    let even = footer_xml(style, Align::Left);
    let core = core_xml(&shown.metadata);

    // Two footers make docx-rs write their relationships (rIdFooter1, rIdFooter2) and
    // content types; their contents are replaced below.
    let docx = docx_rs::Docx::new()
        .footer(docx_rs::Footer::new())
        .even_footer(docx_rs::Footer::new());
    let mut xml = docx.build();
    xml.document = document.into_bytes();
    xml.styles = styles.into_bytes();
    xml.settings = settings.into_bytes();
    xml.font_table = fonts.into_bytes();
    xml.doc_props.core = core.into_bytes();
    // The mark a folder walk knows nianbao's own outputs by (`batch::written_by_nianbao`).
    xml.doc_props.app = APP_XML.as_bytes().to_vec();
    xml.footers = vec![odd.into_bytes(), even.into_bytes()];
    // docx-rs's default numbering part puts `w:rPr` before `w:ind`; the document uses no
    // lists, so an empty numbering part keeps the package valid.
    xml.numberings = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:numbering xmlns:w=\"{W_NS}\"/>"
    )
    .into_bytes();

    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| {
        Error::render(format!("DOCX 打包失败 (cannot write the DOCX package): {e}")).with_source(e)
    })?;
    deflate(&out.into_inner()).map_err(|e| {
        Error::render(format!("DOCX 打包失败 (cannot write the DOCX package): {e}")).with_source(e)
    })
}

/// docx-rs stores its parts uncompressed; the same parts, deflated, make a file a fifth
/// the size.
fn deflate(package: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(package))?;
    let mut dst = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut buf = Vec::new();
    for i in 0..src.len() {
        let mut entry = src.by_index(i)?;
        buf.clear();
        entry.read_to_end(&mut buf)?;
        dst.start_file(entry.name().to_string(), opts)?;
        dst.write_all(&buf)?;
    }
    Ok(dst.finish()?.into_inner())
}

/// Runs of `text`: line breaks become `w:br`, tabs `w:tab`.
fn runs(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        for (j, part) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:r><w:tab/></w:r>");
            }
            if !part.is_empty() {
                let _ = write!(
                    out,
                    "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                    escape(part)
                );
            }
        }
    }
    out
}

/// A paragraph in style `style_id`, with an optional alignment override.
fn paragraph(style_id: &str, jc: Option<&str>, text: &str) -> String {
    paragraph_with(style_id, jc, false, text)
}

/// A paragraph in style `style_id`, optionally kept with the next (`w:keepNext`).
fn paragraph_with(style_id: &str, jc: Option<&str>, keep_next: bool, text: &str) -> String {
    let mut out = String::from("<w:p><w:pPr>");
    let _ = write!(out, "<w:pStyle w:val=\"{style_id}\"/>");
    if keep_next {
        out.push_str("<w:keepNext/>");
    }
    if let Some(jc) = jc {
        let _ = write!(out, "<w:jc w:val=\"{jc}\"/>");
    }
    out.push_str("</w:pPr>");
    out.push_str(&runs(text));
    out.push_str("</w:p>");
    out
}

/// The signature block as the PDF sets it ([`Item::Signature`], GB/T 9704-2012 7.3.5.2): a
/// blank line, the issuing body two characters in from the right, the date below starting
/// two characters further right (or two in from the right when it is the longer; four when
/// alone), each right-aligned with its right indent in twentieths of a point, all kept
/// together. Widths count a CJK or full-width character as one character, others as half.
fn signature_xml(organization: Option<&str>, date: &str, size_pt: f64) -> String {
    let em = (size_pt * 20.0).round() as i64;
    let width = |t: &str| -> f64 { t.chars().map(ems).sum() };
    let (org_right, date_right) = crate::present::signature_indents(organization.map(width), width(date));
    let line = |text: &str, right: f64, keep: bool| {
        let mut out = format!("<w:p><w:pPr><w:pStyle w:val=\"{STYLE_BODY}\"/>");
        if keep {
            out.push_str("<w:keepNext/><w:keepLines/>");
        }
        let _ = write!(
            out,
            "<w:ind w:right=\"{}\" w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:jc w:val=\"right\"/></w:pPr>",
            (right * em as f64).round() as i64
        );
        out.push_str(&runs(text));
        out.push_str("</w:p>");
        out
    };
    let mut out = paragraph_with(STYLE_BODY, None, true, "");
    if let Some(o) = organization {
        out.push_str(&line(o, org_right, true));
    }
    out.push_str(&line(date, date_right, false));
    out
}

fn document_xml(shown: &Presentation, style: &Style) -> String {
    let mut body = String::new();
    body.push_str(&paragraph(STYLE_TITLE, None, &shown.title.join("\n")));
    let body_size = style.element(crate::present::BODY_STYLE).size_pt;
    for (i, item) in shown.items.iter().enumerate() {
        match item {
            Item::Heading { level, text, .. } => {
                body.push_str(&paragraph(&heading_style(*level), None, text))
            }
            Item::Paragraph { text } => {
                // The text's last lines stay with the signature block after them.
                let keep = matches!(shown.items.get(i + 1), Some(Item::Signature { .. }));
                body.push_str(&paragraph_with(STYLE_BODY, None, keep, text))
            }
            Item::Signature { organization, date } => {
                body.push_str(&signature_xml(organization.as_deref(), date, body_size))
            }
            Item::Table(t) => {
                body.push_str(&table_xml(&t.grid, t.layout, &t.widths_mm, style));
                // A paragraph after each table keeps two tables from fusing into one: the
                // note on its doubtful cells, where it has any.
                match &t.note {
                    Some(note) => body.push_str(&paragraph(STYLE_TABLE, Some("left"), note)),
                    // A hairline paragraph: it separates the tables and takes no line, as
                    // the PDF sets the next heading or text right under the table.
                    None => body.push_str(
                        "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/><w:snapToGrid w:val=\"0\"/>\
                         <w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/>\
                         <w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr></w:pPr></w:p>",
                    ),
                }
            }
        }
    }
    let page = &style.page;
    let footer_mm = footer_distance_mm(style);
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{body}\
         <w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooter2\"/>\
         <w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
         <w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/>\
         <w:pgNumType w:start=\"1\"/>\
         <w:cols w:space=\"425\"/>\
         <w:docGrid w:type=\"lines\" w:linePitch=\"{}\"/>\
         </w:sectPr></w:body></w:document>",
        mm_to_twips(page.width_mm),
        mm_to_twips(page.height_mm),
        mm_to_twips(page.margin_top_mm),
        mm_to_twips(page.margin_right_mm),
        mm_to_twips(page.margin_bottom_mm),
        mm_to_twips(page.margin_left_mm),
        mm_to_twips(footer_mm),
        pt_to_twips(page.line_pitch_pt),
    );
    out
}

/// The space between characters, in twentieths of a point, that sets the style's
/// `chars_per_line` characters of the body's size to a line, as the PDF's lines hold them
/// (GB/T 9704: 28 characters of 16 pt to a 156 mm line, a little closer than their em);
/// rounded down, so that the line holds them all. Zero when they fit at their em.
fn tracking_twips(style: &Style) -> i64 {
    let size = style.element(crate::present::BODY_STYLE).size_pt;
    let cpl = style.page.chars_per_line.max(1) as f64;
    let pitch = style.page.text_width_mm() * 72.0 / 25.4 / cpl;
    ((pitch - size) * 20.0).floor().min(0.0) as i64
}

/// The footer's distance from the page's bottom edge: its line starts `below_text_mm`
/// under the text block.
fn footer_distance_mm(style: &Style) -> f64 {
    let el = style.element("page_number");
    let line_mm = el.size_pt * 25.4 / 72.0;
    (style.page.margin_bottom_mm - el.below_text_mm - line_mm).max(0.0)
}

/// A character's width in em, measured without the fonts: a CJK or full-width one one em,
/// any other half (how a word processor's cell or line holds the same count as the PDF's).
fn ems(c: char) -> f64 {
    if (c as u32) < 0x2E80 { 0.5 } else { 1.0 }
}

/// A label's text with a line break wherever the PDF breaks it
/// ([`crate::layout::table::cell_lines`]), measured without the fonts (a CJK or full-width
/// character one em, any other half), so that a word processor, whose cell holds the same
/// em count, breaks no line elsewhere and leaves no character alone on a line.
fn broken_as_printed(text: &str, size: f64, inner: f64, centred: bool) -> String {
    let text = text.trim();
    let chars: Vec<char> = text.chars().collect();
    let widths: Vec<f64> = chars.iter().map(|&c| ems(c) * size).collect();
    crate::layout::table::cell_lines(&chars, &widths, inner, centred)
        .into_iter()
        .map(|r| chars[r].iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One official table: real merges, borders, fixed column widths, repeated header rows and
/// rows that never split across pages.
fn table_xml(grid: &PrintGrid, layout: Layout, widths_mm: &[f64], style: &Style) -> String {
    let text_width = mm_to_twips(style.page.text_width_mm());
    let mut cols: Vec<i64> = (0..grid.columns)
        .map(|c| widths_mm.get(c).map(|&w| mm_to_twips(w)).unwrap_or(0))
        .collect();
    if cols.iter().any(|&w| w <= 0) {
        let each = text_width / grid.columns.max(1) as i64;
        cols = vec![each; grid.columns];
    }
    let total: i64 = cols.iter().sum();
    let narrow = layout == Layout::SideBySide;
    let text_style = if narrow { STYLE_TABLE_SMALL } else { STYLE_TABLE };
    let text_size = style
        .element(if narrow { "table_small" } else { "table" })
        .size_pt;
    let small_size = style.element("table_small").size_pt;
    // The PDF's cell padding (`layout::table`: 2 pt at the sides, 2.5 pt above and below).
    let cell_margin: i64 = 40;
    let pad_y: i64 = 50;
    // The PDF's least row height (`layout::table`: 17 pt), for every table.
    let row_height = pt_to_twips(17.0);

    // Which cell covers each position.
    let mut owner = vec![vec![None::<usize>; grid.columns]; grid.rows];
    for (i, c) in grid.cells.iter().enumerate() {
        for row in owner.iter_mut().skip(c.row).take(c.rowspan) {
            for slot in row.iter_mut().skip(c.col).take(c.colspan) {
                *slot = Some(i);
            }
        }
    }
    // Rows kept with the next one, as the PDF breaks a table (`layout::table`): table 二
    // keeps each block (caption, header, rows) together and table 四 (a few rows) stays
    // whole; table 三 breaks between rows like the PDF's, its header rows kept with the
    // first rows below them and its last rows together, so no page is left mostly empty
    // by a table moved whole to the next (the header rows repeat on the new page).
    const WIDOW: usize = 3;
    let starts_block = |r: usize| grid.row_cells(r).any(|c| c.role == CellRole::Caption);
    let keep_with_next = |r: usize| {
        r + 1 < grid.rows
            && match layout {
                Layout::Blocks => !starts_block(r + 1),
                Layout::SideBySide => true,
                Layout::Grid => r + 1 < grid.header_rows + WIDOW || r + 1 + WIDOW >= grid.rows,
            }
    };

    let border = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";
    let mut out = String::new();
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
         <w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>\
         <w:insideH {border}/><w:insideV {border}/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/>\
         <w:tblCellMar><w:top w:w=\"{pad_y}\" w:type=\"dxa\"/><w:left w:w=\"{cell_margin}\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"{pad_y}\" w:type=\"dxa\"/><w:right w:w=\"{cell_margin}\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>\
         </w:tblPr><w:tblGrid>"
    );
    for w in &cols {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    for (r, owners) in owner.iter().enumerate() {
        // trPr children in the order Word writes them: cantSplit, trHeight, tblHeader.
        let _ = write!(
            out,
            "<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"{row_height}\" w:hRule=\"atLeast\"/>"
        );
        if r < grid.header_rows {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        let keep = keep_with_next(r);
        let mut c = 0;
        while c < grid.columns {
            let empty = CellOut {
                width: cols[c],
                span: 1,
                vmerge: None,
                style: text_style,
                jc: None,
                keep,
                text: String::new(),
                mark: String::new(),
            };
            let Some(i) = owners[c] else {
                // A hole in the grid (never in the built-in forms): an empty cell keeps the
                // columns in place.
                out.push_str(&empty.xml());
                c += 1;
                continue;
            };
            let cell = &grid.cells[i];
            let span = cell.colspan.min(grid.columns - c).max(1);
            let width: i64 = cols[c..c + span].iter().sum();
            if cell.row != r {
                out.push_str(
                    &CellOut {
                        width,
                        span,
                        vmerge: Some(false),
                        ..empty
                    }
                    .xml(),
                );
                c += span;
                continue;
            }
            // A number too wide for its column at the table size drops to the small size
            // rather than wrapping digit by digit.
            let room_pt = (width - 2 * cell_margin) as f64 / 20.0;
            // A doubtful value's raised mark takes about two thirds of an em.
            let mark_pt = cell.doubt.mark().chars().count() as f64 * text_size * 0.65;
            let digits_pt = cell.text.chars().count() as f64 * text_size * 0.55 + mark_pt;
            let style_id = if cell.role == CellRole::Value && digits_pt > room_pt && small_size < text_size {
                STYLE_TABLE_SMALL
            } else {
                text_style
            };
            let text = if cell.vertical {
                vertical_text(&cell.text)
            } else if matches!(cell.role, CellRole::Label | CellRole::Header) {
                let size = if style_id == STYLE_TABLE_SMALL {
                    small_size
                } else {
                    text_size
                };
                let inner = (width - 2 * cell_margin) as f64 / 20.0 - 0.5;
                broken_as_printed(
                    &cell.text,
                    size,
                    inner,
                    cell_alignment(cell, layout) != Some("left"),
                )
            } else {
                cell.text.clone()
            };
            out.push_str(
                &CellOut {
                    width,
                    span,
                    vmerge: (cell.rowspan > 1).then_some(true),
                    style: style_id,
                    jc: cell_alignment(cell, layout),
                    keep,
                    text,
                    mark: cell.doubt.mark(),
                }
                .xml(),
            );
            c += span;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// The vertical label set one character a line: renderers that ignore text direction
/// still print it as the official form does.
fn vertical_text(text: &str) -> String {
    let chars: Vec<String> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(String::from)
        .collect();
    chars.join("\n")
}

fn cell_alignment(cell: &GridCell, layout: Layout) -> Option<&'static str> {
    match cell.role {
        // As the PDF aligns them (`layout::table`): a row's own label flush left, a group's
        // label over several rows centred.
        CellRole::Label if layout == Layout::Grid && !cell.vertical && cell.rowspan == 1 => Some("left"),
        _ => None,
    }
}

/// One `w:tc`: width, span, vertical merge (`Some(true)` restarts, `Some(false)`
/// continues), and its text, a paragraph a line.
struct CellOut<'a> {
    width: i64,
    span: usize,
    vmerge: Option<bool>,
    style: &'a str,
    jc: Option<&'a str>,
    keep: bool,
    text: String,
    /// A doubtful value's mark ([`crate::present::grid::Doubt::mark`]): raised after the text, or
    /// alone in a blank cell.
    mark: String,
}

impl CellOut<'_> {
    fn xml(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/>",
            self.width
        );
        if self.span > 1 {
            let _ = write!(out, "<w:gridSpan w:val=\"{}\"/>", self.span);
        }
        match self.vmerge {
            Some(true) => out.push_str("<w:vMerge w:val=\"restart\"/>"),
            Some(false) => out.push_str("<w:vMerge/>"),
            None => {}
        }
        out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
        let lines: Vec<&str> = self.text.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            let mut p = paragraph_with(self.style, self.jc, self.keep, line);
            if i + 1 == lines.len() && !self.mark.is_empty() {
                let raise = if line.is_empty() {
                    ""
                } else {
                    "<w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                };
                let run = format!("<w:r>{raise}<w:t>{}</w:t></w:r></w:p>", escape(&self.mark));
                p.truncate(p.len() - "</w:p>".len());
                p.push_str(&run);
            }
            out.push_str(&p);
        }
        out.push_str("</w:tc>");
        out
    }
}

/// `w:rFonts` for a style: the role's first family for East Asian text, `latin` for
/// digits and Latin letters.
fn fonts_for(style: &Style, role: &str, latin: &str) -> String {
    let family = style
        .fonts
        .get(role)
        .and_then(|f| f.families.first())
        .map(String::as_str)
        .unwrap_or("宋体");
    let family = escape(family);
    let latin = escape(latin);
    format!("<w:rFonts w:ascii=\"{latin}\" w:eastAsia=\"{family}\" w:hAnsi=\"{latin}\" w:cs=\"{latin}\"/>")
}

fn jc_of(align: Align) -> &'static str {
    match align {
        Align::Justify => "both",
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

/// One paragraph style, its `w:pPr` and `w:rPr` children in schema order. `pitch` is the
/// exact line pitch in twips, or `None` for single spacing; `after` the space after it.
#[allow(clippy::too_many_arguments)]
fn paragraph_style(
    out: &mut String,
    id: &str,
    name: &str,
    default: bool,
    el: &Element,
    fonts: &str,
    pitch: Option<i64>,
    after: i64,
    keep_next: bool,
    outline: Option<u8>,
    tracking: i64,
) {
    let _ = write!(
        out,
        "<w:style w:type=\"paragraph\"{} w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>",
        if default { " w:default=\"1\"" } else { "" }
    );
    if !default {
        let _ = write!(out, "<w:basedOn w:val=\"{STYLE_BODY}\"/>");
    }
    if outline.is_some() || id == STYLE_TITLE {
        let _ = write!(out, "<w:next w:val=\"{STYLE_BODY}\"/>");
    }
    out.push_str("<w:qFormat/><w:pPr>");
    if keep_next {
        out.push_str("<w:keepNext/><w:keepLines/>");
    }
    // No space added between Chinese and Latin text or digits (`2023年`): the PDF adds none.
    // No widow control: the PDF breaks a paragraph at the page's last line whatever is left
    // (GB/T 9704 asks for no more), and Word's would move lines the PDF keeps.
    out.push_str("<w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>");
    if pitch.is_none()
        || id == STYLE_TITLE
        || id == STYLE_FOOTER
        || id == STYLE_TABLE
        || id == STYLE_TABLE_SMALL
    {
        // Off the page's grid: the title, table text and the page number keep their own
        // pitch and character spacing.
        out.push_str("<w:snapToGrid w:val=\"0\"/>");
    }
    match pitch {
        Some(p) => {
            let _ = write!(
                out,
                "<w:spacing w:before=\"0\" w:after=\"{after}\" w:line=\"{p}\" w:lineRule=\"exact\"/>"
            );
        }
        None => {
            let _ = write!(
                out,
                "<w:spacing w:before=\"0\" w:after=\"{after}\" w:line=\"240\" w:lineRule=\"auto\"/>"
            );
        }
    }
    let indent = pt_to_twips(el.first_line_indent_chars * el.size_pt);
    let _ = write!(
        out,
        "<w:ind w:left=\"0\" w:right=\"0\" w:firstLine=\"{indent}\"/>"
    );
    let _ = write!(out, "<w:jc w:val=\"{}\"/>", jc_of(el.align));
    if let Some(level) = outline {
        let _ = write!(out, "<w:outlineLvl w:val=\"{}\"/>", level.saturating_sub(1));
    }
    let size = half_points(el.size_pt);
    let _ = write!(
        out,
        "</w:pPr><w:rPr>{fonts}<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/><w:color w:val=\"000000\"/><w:spacing w:val=\"{tracking}\"/><w:kern w:val=\"0\"/>\
         <w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:style>"
    );
}

fn styles_xml(style: &Style) -> String {
    let pitch = pt_to_twips(style.page.line_pitch_pt);
    let body = style.element("body");
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:styles xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">\
         <w:docDefaults><w:rPrDefault><w:rPr>{}<w:kern w:val=\"0\"/><w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        fonts_for(style, &body.font, LATIN_FACE),
        half_points(body.size_pt),
        half_points(body.size_pt),
    );
    let f = |key: &str| fonts_for(style, &style.element(key).font, LATIN_FACE);
    // Body and headings on the PDF's character grid; the centred title, table text and the
    // page number at their em, as the PDF sets them.
    let tracking = tracking_twips(style);
    paragraph_style(
        &mut out,
        STYLE_BODY,
        "Normal",
        true,
        body,
        &f("body"),
        Some(pitch),
        0,
        false,
        None,
        tracking,
    );
    let title = style.element("title");
    paragraph_style(
        &mut out,
        STYLE_TITLE,
        "Title",
        false,
        title,
        &f("title"),
        // One grid line a title line, as the PDF sets it.
        Some(pitch),
        pitch,
        true,
        None,
        0,
    );
    for level in 1..=4u8 {
        let key = format!("heading{level}");
        let el = style.element(&key);
        let name = format!("heading {level}");
        paragraph_style(
            &mut out,
            &heading_style(level),
            &name,
            false,
            el,
            &f(&key),
            Some(pitch),
            0,
            true,
            Some(level),
            tracking,
        );
    }
    paragraph_style(
        &mut out,
        STYLE_TABLE,
        "Table Text",
        false,
        style.element("table"),
        &f("table"),
        // The PDF's table leading: 1.25 times the size, exactly (`layout::table`).
        Some(pt_to_twips(style.element("table").size_pt * 1.25)),
        0,
        false,
        None,
        0,
    );
    paragraph_style(
        &mut out,
        STYLE_TABLE_SMALL,
        "Table Text Small",
        false,
        style.element("table_small"),
        &f("table_small"),
        // The PDF's table leading: 1.25 times the size, exactly (`layout::table`).
        Some(pt_to_twips(style.element("table_small").size_pt * 1.25)),
        0,
        false,
        None,
        0,
    );
    let page_number = style.element("page_number");
    let pn_family = style
        .fonts
        .get(&page_number.font)
        .and_then(|f| f.families.first())
        .map(String::as_str)
        .unwrap_or("宋体");
    // Half-width 宋体 digits (GB/T 9704 7.5): the page number face serves both scripts.
    let pn_fonts = fonts_for(style, &page_number.font, pn_family);
    paragraph_style(
        &mut out,
        STYLE_FOOTER,
        "footer",
        false,
        page_number,
        &pn_fonts,
        // Exactly one line of the number's size, so the line's top stands `below_text_mm`
        // under the text block (see `footer_distance_mm`).
        Some(pt_to_twips(page_number.size_pt)),
        0,
        false,
        None,
        0,
    );
    let _ = write!(
        out,
        "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/>\
         <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>"
    );
    out
}

fn settings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:settings xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">\
         <w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"420\"/>\
         <w:evenAndOddHeaders/>\
         <w:characterSpacingControl w:val=\"compressPunctuation\"/>\
         <w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/>\
         <w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:useFELayout/>\
         <w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>\
         </w:compat>\
         <w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
         <w:decimalSymbol w:val=\".\"/><w:listSeparator w:val=\",\"/>\
         </w:settings>"
    )
}

/// The font table names every face the styles use, with a common substitute, so an office
/// without the official faces picks a similar one.
fn font_table_xml(style: &Style) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:fonts xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">\
         <w:font w:name=\"{LATIN_FACE}\"><w:panose1 w:val=\"02020603050405020304\"/><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>"
    );
    let mut seen = vec![LATIN_FACE.to_string()];
    for role in style.fonts.values() {
        let Some(name) = role.families.first() else {
            continue;
        };
        if seen.contains(name) {
            continue;
        }
        seen.push(name.clone());
        let alt = role
            .families
            .iter()
            .skip(1)
            .find(|f| !f.is_ascii())
            .or(role.families.get(1));
        out.push_str(&format!("<w:font w:name=\"{}\">", escape(name)));
        if let Some(alt) = alt {
            let _ = write!(out, "<w:altName w:val=\"{}\"/>", escape(alt));
        }
        let cjk = !name.is_ascii();
        let _ = write!(
            out,
            "<w:charset w:val=\"{}\"/><w:family w:val=\"{}\"/><w:pitch w:val=\"{}\"/></w:font>",
            if cjk { "86" } else { "00" },
            if cjk { "modern" } else { "roman" },
            if cjk { "fixed" } else { "variable" },
        );
    }
    out.push_str("</w:fonts>");
    out
}

/// A footer with the page number as `— n —`, a PAGE field between two dashes, aligned to
/// the outer edge and indented one character.
fn footer_xml(style: &Style, align: Align) -> String {
    let el = style.element("page_number");
    let indent = pt_to_twips(el.size_pt);
    let ind = match align {
        Align::Left => format!("<w:ind w:left=\"{indent}\" w:firstLine=\"0\"/>"),
        _ => format!("<w:ind w:right=\"{indent}\" w:firstLine=\"0\"/>"),
    };
    let jc = jc_of(align);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"{STYLE_FOOTER}\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>\
         <w:r><w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r><w:t>1</w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

/// `docProps/app.xml`: the application, nianbao.
const APP_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>nianbao</Application></Properties>";

/// `docProps/core.xml`: title, creator, language and times.
fn core_xml(meta: &Metadata) -> String {
    let now = w3cdtf_now();
    let title = escape(&meta.title);
    let creator = meta.author.as_deref().map(escape).unwrap_or_default();
    let language = meta.language;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator><cp:lastModifiedBy>nianbao</cp:lastModifiedBy>\
         <cp:revision>1</cp:revision><dc:language>{language}</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:modified></cp:coreProperties>"
    )
}

/// The document's time stamp as `YYYY-MM-DDTHH:MM:SSZ`.
fn w3cdtf_now() -> String {
    w3cdtf(super::stamp_secs())
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn w3cdtf(secs: i64) -> String {
    let (year, month, day, h, m, s) = super::civil_time(secs);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_units() {
        assert_eq!(w3cdtf(0), "1970-01-01T00:00:00Z");
        assert_eq!(w3cdtf(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(w3cdtf(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(mm_to_twips(210.0), 11_906);
        assert_eq!(mm_to_twips(297.0), 16_838);
        assert_eq!(pt_to_twips(28.95), 579);
        assert_eq!(escape("a<b&\u{1}c"), "a&lt;b&amp;c");
    }
}
