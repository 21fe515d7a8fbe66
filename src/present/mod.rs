//! Presentation: what the print outputs share, between the normalized [`Report`] and the
//! pages. The layout ([`crate::layout`]) and the writers ([`crate::write`]: PDF, DOCX,
//! Markdown) take their decisions from here, so they are made once:
//!
//! - [`grid`]: a table as printed, the form's cells with their merges and a report's values
//!   (with the marks of doubtful ones);
//! - [`Context`]: what rendering needs besides the report (form, style, font folders).
//!
//! In the layers, `present` stands above [`crate::normalize`] (and [`crate::style`]) and
//! below [`crate::layout`] and [`crate::write`]: it never calls the layout or a writer.
//!
//! [`Report`]: crate::model::Report

pub mod grid;

use std::path::PathBuf;

use crate::form::Form;
use crate::style::Style;

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
