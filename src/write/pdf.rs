//! The PDF writer: GB/T 9704 pages with the official tables and embedded font subsets.
//!
//! [`crate::layout`] places every line; printpdf draws the pages with the faces embedded as
//! subsets (with a ToUnicode map, so the text can be extracted); lopdf then sets the document
//! information (title, author, creation date) and the language.

use std::collections::BTreeMap;

use printpdf::{
    Color, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rgb,
    TextItem, TextMatrix,
};

use super::Context;
use crate::Error;
use crate::fonts::{self, FontSet};
use crate::layout::{self, Document};
use crate::model::Report;

/// Renders a report as PDF. Characters no font has are reported on standard error.
pub fn render(report: &Report, ctx: &Context) -> Result<Vec<u8>, Error> {
    let (bytes, warnings) = render_with_warnings(report, ctx)?;
    for w in warnings {
        eprintln!("nianbao: warning: {w}");
    }
    Ok(bytes)
}

/// Renders a report as PDF and returns the warnings (characters no font has) with it.
pub fn render_with_warnings(report: &Report, ctx: &Context) -> Result<(Vec<u8>, Vec<String>), Error> {
    let fonts = fonts::resolve(ctx.style, &ctx.font_dirs)?;
    let doc = layout::layout(report, ctx, &fonts);
    // A panic inside the PDF library fails this report, not the whole batch.
    let bytes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| draw(&doc, &fonts, report)))
        .map_err(|_| Error::Io("PDF: 生成失败 (the PDF library failed on this report)".into()))??;
    let bytes = fix_info(&bytes, report)?;
    Ok((bytes, doc.warnings))
}

fn pt_point(doc: &Document, x: f64, y: f64) -> Point {
    Point {
        x: Pt(x as f32),
        y: Pt((doc.height - y) as f32),
    }
}

fn draw(doc: &Document, fonts: &FontSet, report: &Report) -> Result<Vec<u8>, Error> {
    let title = report.title.clone().unwrap_or_default();
    let mut pdf = PdfDocument::new(&title);
    let mut ids = BTreeMap::new();
    for page in &doc.pages {
        for run in &page.runs {
            if let std::collections::btree_map::Entry::Vacant(e) = ids.entry(run.face) {
                let face = fonts.face(run.face);
                let parsed = face.pdf_font().ok_or_else(|| {
                    Error::Io(format!("{}: printpdf cannot read this font", face.path.display()))
                })?;
                e.insert(pdf.add_font(parsed));
            }
        }
    }
    let mut pages = Vec::with_capacity(doc.pages.len());
    for page in &doc.pages {
        let mut ops = vec![
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb {
                    r: 0.0,
                    g: 0.0,
                    b: 0.0,
                    icc_profile: None,
                }),
            },
            Op::SetFillColor {
                col: Color::Rgb(Rgb {
                    r: 0.0,
                    g: 0.0,
                    b: 0.0,
                    icc_profile: None,
                }),
            },
        ];
        let mut width = None;
        for rule in &page.rules {
            if width != Some(rule.width) {
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(rule.width as f32),
                });
                width = Some(rule.width);
            }
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: pt_point(doc, rule.x1, rule.y1),
                            bezier: false,
                        },
                        LinePoint {
                            p: pt_point(doc, rule.x2, rule.y2),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
        }
        ops.push(Op::StartTextSection);
        let mut spacing = 0.0;
        let mut font = None;
        for run in &page.runs {
            if font != Some((run.face, run.size)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(ids[&run.face].clone()),
                    size: Pt(run.size as f32),
                });
                font = Some((run.face, run.size));
            }
            if spacing != run.char_spacing {
                ops.push(Op::SetCharacterSpacing {
                    multiplier: run.char_spacing as f32,
                });
                spacing = run.char_spacing;
            }
            let p = pt_point(doc, run.x, run.baseline);
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(p.x, p.y),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text.clone())],
            });
        }
        ops.push(Op::EndTextSection);
        pages.push(PdfPage::new(
            Mm((doc.width / layout::MM) as f32),
            Mm((doc.height / layout::MM) as f32),
            ops,
        ));
    }
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    Ok(pdf.with_pages(pages).save(&opts, &mut warnings))
}

/// A PDF text string: UTF-16BE with a byte order mark.
fn text_string(s: &str) -> lopdf::Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// The document's time stamp as a PDF date, `D:YYYYMMDDHHmmSSZ`.
pub fn pdf_date_now() -> String {
    let (year, month, day, h, m, s) = super::civil_time(super::stamp_secs());
    format!("D:{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}Z")
}

/// Sets the document information and language, drops an empty output-intent marker.
fn fix_info(bytes: &[u8], report: &Report) -> Result<Vec<u8>, Error> {
    use lopdf::{Dictionary, Object};
    let bad = |e: lopdf::Error| Error::Io(format!("PDF: {e}"));
    let mut doc = lopdf::Document::load_mem(bytes).map_err(bad)?;
    let now = pdf_date_now();
    let mut info = Dictionary::new();
    if let Some(t) = &report.title {
        info.set("Title", text_string(t));
    }
    if let Some(a) = &report.organization {
        info.set("Author", text_string(a));
    }
    info.set("Subject", text_string("政府信息公开工作年度报告"));
    info.set(
        "Creator",
        text_string(concat!("nianbao ", env!("CARGO_PKG_VERSION"))),
    );
    info.set("Producer", text_string("nianbao (printpdf, lopdf)"));
    info.set("CreationDate", Object::string_literal(now.clone()));
    info.set("ModDate", Object::string_literal(now));
    let old_info = doc.trailer.get(b"Info").and_then(|o| o.as_reference()).ok();
    let id = match old_info {
        Some(id) => {
            doc.objects.insert(id, Object::Dictionary(info));
            id
        }
        None => doc.add_object(info),
    };
    doc.trailer.set("Info", id);
    let catalog = doc.catalog_mut().map_err(bad)?;
    catalog.set("Lang", Object::string_literal("zh-CN"));
    // printpdf writes a PDF/X output intent with no profile; without one it is meaningless.
    catalog.remove(b"OutputIntents");
    doc.prune_objects();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::Io(format!("PDF: {e}")))?;
    Ok(out)
}
