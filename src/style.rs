//! The layout style (page, margins, font roles, sizes, table column widths), as data in
//! `templates/styles/gbt9704.toml`. The PDF and DOCX writers read the same style.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

const BUILTIN: &str = include_str!("../templates/styles/gbt9704.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    pub name: String,
    pub page: Page,
    /// Font roles by name: `title`, `body`, `heading1`, `heading2`, `page_number`, `fallback`.
    pub fonts: BTreeMap<String, FontRole>,
    /// Element styles by name: `title`, `body`, `heading1`…`heading4`, `table`,
    /// `table_small`, `page_number`.
    pub elements: BTreeMap<String, Element>,
    /// Column widths of each table, by table key.
    pub tables: BTreeMap<String, TableStyle>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub width_mm: f64,
    pub height_mm: f64,
    pub margin_top_mm: f64,
    pub margin_bottom_mm: f64,
    pub margin_left_mm: f64,
    pub margin_right_mm: f64,
    pub lines_per_page: u32,
    pub chars_per_line: u32,
    pub line_pitch_pt: f64,
}

impl Page {
    pub fn text_width_mm(&self) -> f64 {
        self.width_mm - self.margin_left_mm - self.margin_right_mm
    }

    pub fn text_height_mm(&self) -> f64 {
        self.height_mm - self.margin_top_mm - self.margin_bottom_mm
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontRole {
    /// Family names wanted, most preferred first.
    pub families: Vec<String>,
    /// The file in `fonts/` used when no wanted family is found.
    pub bundled: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Justify,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// A font role name.
    pub font: String,
    pub size_pt: f64,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub first_line_indent_chars: f64,
    #[serde(default)]
    pub below_text_mm: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStyle {
    pub widths_mm: Vec<f64>,
}

/// The physical bounds a style's numbers must keep ([`Style::parse`] refuses others: a zero,
/// negative, NaN or infinite page size, margin, pitch or font size made a broken PDF, exit 0).
pub mod limits {
    /// Page width and height, mm: from a small card (A7 is 74 × 105) to A0 (841 × 1189).
    pub const PAGE_MM: (f64, f64) = (50.0, 1200.0);
    /// The text block left inside the margins, each way, mm: a few characters a line.
    pub const MIN_TEXT_BLOCK_MM: f64 = 30.0;
    /// Font sizes, pt: from 小七 (5 pt) to the largest 初号 and beyond (72 pt); the line pitch
    /// may be up to twice the largest.
    pub const FONT_PT: (f64, f64) = (5.0, 72.0);
    /// Lines a page and characters a line of the text grid (GB/T 9704: 22 × 28).
    pub const GRID_MAX: f64 = 200.0;
    /// A first-line indent, in characters (GB/T 9704: 2).
    pub const MAX_INDENT_CHARS: f64 = 10.0;
    /// Column widths a table may list (the official tables print 4, 10 and 15).
    pub const MAX_TABLE_COLUMNS: usize = 64;
    /// The narrowest column, mm.
    pub const MIN_COLUMN_MM: f64 = 1.0;
}

impl Style {
    pub fn builtin() -> Style {
        Style::parse("gbt9704.toml", BUILTIN).expect("built-in style is valid")
    }

    /// Reads a style file (at most 1 MB; the built-in one is 3 KB) and checks it.
    ///
    /// # Errors
    /// The file cannot be read ([`ErrorKind::NotFound`], [`ErrorKind::Io`]); it is no valid
    /// style, or one of its numbers is out of physical sense ([`ErrorKind::Style`], naming the
    /// field).
    /// Each about `path`.
    pub fn load(path: &Path) -> Result<Style, Error> {
        use std::io::Read;
        let io = |e: std::io::Error| Error::io(path, e);
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take((1 << 20) + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() > 1 << 20 {
            return Err(Error::style("样式文件过大 (larger than 1 MB; not a style file)").with_path(path));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::style("样式文件不是 UTF-8 文本 (not UTF-8 text)")
                .with_path(path)
                .with_source(e)
        })?;
        Style::parse(&path.display().to_string(), &text)
    }

    /// Parses and checks a style; `name` is the file it came from.
    ///
    /// # Errors
    /// [`ErrorKind::Style`] about `name`: no valid TOML of a style (the TOML parser's error as
    /// the source), an element style missing or naming an unknown font role, a number out of
    /// physical sense.
    pub fn parse(name: &str, text: &str) -> Result<Style, Error> {
        let invalid = |m: String| Error::style(format!("样式文件无效 (invalid style: {m})")).with_path(name);
        let style: Style = toml::from_str(text).map_err(|e| {
            Error::toml(ErrorKind::Style, "样式文件无效", "invalid style", text, e).with_path(name)
        })?;
        for key in [
            "title",
            "body",
            "heading1",
            "heading2",
            "heading3",
            "heading4",
            "table",
            "table_small",
            "page_number",
        ] {
            let el = style
                .elements
                .get(key)
                .ok_or_else(|| invalid(format!("missing element style {key}")))?;
            if !style.fonts.contains_key(&el.font) {
                return Err(invalid(format!(
                    "element {key} names unknown font role {}",
                    el.font
                )));
            }
        }
        style.check().map_err(invalid)?;
        Ok(style)
    }

    /// Every number of the style within physical sense ([`limits`]): finite, the page a real
    /// sheet, the margins leaving a text block of at least [`limits::MIN_TEXT_BLOCK_MM`] each
    /// way, font sizes of 5 to 72 pt, column widths positive and fitting the page. The error
    /// names the field (`page.width_mm = NaN; …`).
    fn check(&self) -> Result<(), String> {
        use limits::*;
        let within = |field: &str, v: f64, lo: f64, hi: f64, unit: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{field} = {v}; it must be {lo} to {hi}{unit}"))
            }
        };
        let p = &self.page;
        within("page.width_mm", p.width_mm, PAGE_MM.0, PAGE_MM.1, " mm")?;
        within("page.height_mm", p.height_mm, PAGE_MM.0, PAGE_MM.1, " mm")?;
        for (field, v, page) in [
            ("page.margin_top_mm", p.margin_top_mm, p.height_mm),
            ("page.margin_bottom_mm", p.margin_bottom_mm, p.height_mm),
            ("page.margin_left_mm", p.margin_left_mm, p.width_mm),
            ("page.margin_right_mm", p.margin_right_mm, p.width_mm),
        ] {
            within(field, v, 0.0, page - MIN_TEXT_BLOCK_MM, " mm")?;
        }
        for (what, fields, v) in [
            (
                "width",
                "page.margin_left_mm + page.margin_right_mm",
                p.text_width_mm(),
            ),
            (
                "height",
                "page.margin_top_mm + page.margin_bottom_mm",
                p.text_height_mm(),
            ),
        ] {
            if v < MIN_TEXT_BLOCK_MM {
                return Err(format!(
                    "page: the margins leave a text block {v} mm in {what} ({fields}); at least {MIN_TEXT_BLOCK_MM} mm is needed"
                ));
            }
        }
        within(
            "page.line_pitch_pt",
            p.line_pitch_pt,
            FONT_PT.0,
            2.0 * FONT_PT.1,
            " pt",
        )?;
        within(
            "page.lines_per_page",
            f64::from(p.lines_per_page),
            1.0,
            GRID_MAX,
            "",
        )?;
        within(
            "page.chars_per_line",
            f64::from(p.chars_per_line),
            2.0,
            GRID_MAX,
            "",
        )?;
        for (key, el) in &self.elements {
            within(
                &format!("elements.{key}.size_pt"),
                el.size_pt,
                FONT_PT.0,
                FONT_PT.1,
                " pt",
            )?;
            within(
                &format!("elements.{key}.first_line_indent_chars"),
                el.first_line_indent_chars,
                0.0,
                MAX_INDENT_CHARS,
                "",
            )?;
            within(
                &format!("elements.{key}.below_text_mm"),
                el.below_text_mm,
                0.0,
                p.margin_bottom_mm.max(0.0),
                " mm",
            )?;
        }
        for (key, t) in &self.tables {
            if t.widths_mm.len() > MAX_TABLE_COLUMNS {
                return Err(format!(
                    "tables.{key}.widths_mm: {} columns; the limit is {MAX_TABLE_COLUMNS}",
                    t.widths_mm.len()
                ));
            }
            for (i, &w) in t.widths_mm.iter().enumerate() {
                within(
                    &format!("tables.{key}.widths_mm[{i}]"),
                    w,
                    MIN_COLUMN_MM,
                    p.width_mm,
                    " mm",
                )?;
            }
            let sum: f64 = t.widths_mm.iter().sum();
            if sum > p.width_mm {
                return Err(format!(
                    "tables.{key}.widths_mm: {sum} mm in all, wider than the page ({} mm)",
                    p.width_mm
                ));
            }
        }
        Ok(())
    }

    pub fn element(&self, key: &str) -> &Element {
        &self.elements[key]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_style_fits_the_text_block() {
        let s = Style::builtin();
        assert!((s.page.text_width_mm() - 156.0).abs() < 1e-9);
        assert!((s.page.text_height_mm() - 225.0).abs() < 1e-9);
        for (key, t) in &s.tables {
            let sum: f64 = t.widths_mm.iter().sum();
            assert!((sum - 156.0).abs() < 0.01, "{key}: {sum}");
        }
    }
}
