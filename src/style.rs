//! The layout style (page, margins, font roles, sizes, table column widths), as data in
//! `templates/styles/gbt9704.toml`. The PDF and DOCX writers read the same style.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Error;

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

impl Style {
    pub fn builtin() -> Style {
        Style::parse("gbt9704.toml", BUILTIN).expect("built-in style is valid")
    }

    pub fn load(path: &Path) -> Result<Style, Error> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Style::parse(&path.display().to_string(), &text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Style, Error> {
        let style: Style =
            toml::from_str(text).map_err(|e| Error::Usage(format!("{name}: {}", e.to_string().trim())))?;
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
                .ok_or_else(|| Error::Usage(format!("{name}: missing element style {key}")))?;
            if !style.fonts.contains_key(&el.font) {
                return Err(Error::Usage(format!(
                    "{name}: element {key} names unknown font role {}",
                    el.font
                )));
            }
        }
        Ok(style)
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
