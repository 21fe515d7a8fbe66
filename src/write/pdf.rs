//! The PDF writer: GB/T 9704 pages with the official tables and embedded font subsets.
//!
//! The report is presented once ([`crate::present::present`]: title lines, headings, tables);
//! [`crate::layout`] places every line of it; printpdf draws the pages, `fonts::embed` embeds
//! the faces as subsets (with a ToUnicode map, so the text can be extracted), and lopdf sets
//! the document information (the presentation's title and author, the creation date) and the
//! language.

use std::collections::{BTreeMap, BTreeSet};

use printpdf_lopdf as lopdf;
use rayon::prelude::*;

use printpdf::{
    Color, DictItem, Line, LinePoint, Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, Point, Pt, Rgb,
    TextMatrix,
};

use super::Context;
use crate::diag::{Diagnostic, Severity, code};
use crate::error::Error;
use crate::fonts::embed::{self, FontPlan};
use crate::fonts::{self, FontSet, Origin};
use crate::layout::{self, Document};
use crate::model::Report;
use crate::present::{Metadata, present};

/// Renders a report as PDF (what the fonts did is dropped: see
/// [`render_with_diagnostics`]).
///
/// # Errors
/// As [`render_with_diagnostics`].
pub fn render(report: &Report, ctx: &Context) -> Result<Vec<u8>, Error> {
    render_with_diagnostics(report, ctx).map(|(bytes, _)| bytes)
}

/// Renders a report as PDF, with a diagnostic for each thing the fonts did that the style
/// did not ask for: a role set in another face than its first family
/// ([`code::FONT_SUBSTITUTED`], info; a stand-in face, [`code::FONT_STAND_IN`], warning), a
/// font file skipped as unusable ([`code::FONT_UNUSABLE`], warning), characters drawn from
/// the fallback face ([`code::FONT_FALLBACK`], info), and each character no face has
/// ([`code::FONT_MISSING_CHAR`], error: it prints as an empty box).
///
/// # Errors
/// No font found for any role, or a face that cannot be cut for embedding
/// ([`ErrorKind::Font`](crate::ErrorKind::Font)); the PDF library failing on the report
/// ([`ErrorKind::Render`](crate::ErrorKind::Render), its error as the source).
pub fn render_with_diagnostics(report: &Report, ctx: &Context) -> Result<(Vec<u8>, Vec<Diagnostic>), Error> {
    let fonts = fonts::resolve(ctx.style, &ctx.font_dirs)?;
    let shown = present(report, ctx);
    let doc = layout::lay_out(&shown, ctx.style, &fonts);
    let bytes = render_laid_out(&doc, &fonts, &shown.metadata)?;
    Ok((bytes, font_diagnostics(&doc, &fonts, ctx)))
}

/// The font diagnostics a PDF of the report would carry ([`render_with_diagnostics`]),
/// from the layout alone: nothing is drawn (what `nianbao check --fonts` reports).
///
/// # Errors
/// As [`fonts::resolve`].
pub fn font_check(report: &Report, ctx: &Context) -> Result<Vec<Diagnostic>, Error> {
    let fonts = fonts::resolve(ctx.style, &ctx.font_dirs)?;
    let doc = layout::layout(report, ctx, &fonts);
    Ok(font_diagnostics(&doc, &fonts, ctx))
}

fn render_laid_out(doc: &Document, fonts: &FontSet, meta: &Metadata) -> Result<Vec<u8>, Error> {
    // A panic inside the PDF library fails this report, not the whole batch.
    let pdf = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| draw(doc, fonts, meta)))
        .map_err(|_| Error::render("PDF 生成失败 (the PDF library failed on this report)"))??;
    finish(pdf, meta)
}

/// The most characters one diagnostic lists.
const LISTED: usize = 40;

/// What the fonts of a laid-out document did that the style did not ask for (see
/// [`render_with_diagnostics`]).
pub fn font_diagnostics(doc: &Document, fonts: &FontSet, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for why in &fonts.skipped {
        out.push(Diagnostic::new(
            Severity::Warning,
            code::FONT_UNUSABLE,
            format!("字体文件无法使用，已跳过 (font file skipped): {why}"),
        ));
    }
    let mut drawn: BTreeMap<usize, BTreeSet<char>> = BTreeMap::new();
    for run in doc.pages.iter().flat_map(|p| &p.runs) {
        drawn.entry(run.face).or_default().extend(run.text.chars());
    }
    // Characters drawn from the fallback face where that face is no other role's.
    let fallback_chars: Vec<char> = match fonts.fallback {
        Some(f)
            if !fonts
                .roles
                .iter()
                .any(|(r, res)| r != "fallback" && res.face == f) =>
        {
            drawn
                .get(&f)
                .map(|s| s.iter().copied().filter(|c| !c.is_whitespace()).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for (role, r) in &fonts.roles {
        // Only the roles that set something in this report.
        let used = drawn.contains_key(&r.face) && (role != "fallback" || !fallback_chars.is_empty());
        if r.as_asked || !used {
            continue;
        }
        let face = fonts.face(r.face);
        let wanted = ctx
            .style
            .fonts
            .get(role)
            .and_then(|s| s.families.first())
            .map_or("?", String::as_str);
        let (severity, code, what) = match r.origin {
            Origin::StandIn => (
                Severity::Warning,
                code::FONT_STAND_IN,
                "找不到该角色的任何字体，借用正文字体 (no face for the role: another role's face stands in)",
            ),
            Origin::Bundled => (
                Severity::Info,
                code::FONT_SUBSTITUTED,
                "使用随附字体（规定的后备） (the bundled face, the documented fallback)",
            ),
            Origin::FontDir | Origin::System => (
                Severity::Info,
                code::FONT_SUBSTITUTED,
                "使用样式列出的其他字体 (a later family of the style)",
            ),
        };
        out.push(Diagnostic::new(
            severity,
            code,
            format!(
                "字体 [{role}] 未找到 {wanted}，{what}: {} ({})",
                face.family,
                face.path.display()
            ),
        ));
    }
    if !fallback_chars.is_empty() {
        let face = fonts.face(fonts.fallback.expect("a fallback face"));
        let mut list: String = fallback_chars.iter().take(LISTED).collect();
        if fallback_chars.len() > LISTED {
            list.push('…');
        }
        out.push(Diagnostic::new(
            Severity::Info,
            code::FONT_FALLBACK,
            format!(
                "{} 个字符由后备字体 [fallback] {} 绘制 ({} characters the role's face lacks, drawn from the fallback face): {list}",
                fallback_chars.len(),
                face.family,
                fallback_chars.len()
            ),
        ));
    }
    for c in &doc.missing {
        out.push(Diagnostic::new(
            Severity::Error,
            code::FONT_MISSING_CHAR,
            format!(
                "字体缺字，PDF 中印为空框 (no font has the character, it prints as an empty box): {c} U+{:04X}",
                u32::from(*c)
            ),
        ));
    }
    out
}

fn pt_point(doc: &Document, x: f64, y: f64) -> Point {
    Point {
        x: Pt(x as f32),
        y: Pt((doc.height - y) as f32),
    }
}

fn draw(doc: &Document, fonts: &FontSet, meta: &Metadata) -> Result<lopdf::Document, Error> {
    let mut pdf = PdfDocument::new(&meta.title);
    let mut chars: BTreeMap<usize, BTreeSet<char>> = BTreeMap::new();
    for run in doc.pages.iter().flat_map(|p| &p.runs) {
        chars.entry(run.face).or_default().extend(run.text.chars());
    }
    let plans: BTreeMap<usize, FontPlan> = chars
        .iter()
        .map(|(&face, used)| (face, FontPlan::new(fonts.face(face), used)))
        .collect();
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
        for rule in &merged_rules(&page.rules) {
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
            // Font and text go in as raw operators: the fonts are written by `fonts::embed`,
            // not printpdf (see there why).
            if font != Some((run.face, run.size)) {
                ops.push(Op::Unknown {
                    key: "Tf".into(),
                    value: vec![
                        DictItem::Name(font_resource(run.face).into_bytes()),
                        DictItem::Real(run.size as f32),
                    ],
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
            ops.push(Op::Unknown {
                key: "Tj".into(),
                value: vec![DictItem::String {
                    data: plans[&run.face].encode(&run.text),
                    literal: false,
                }],
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
        // Streams are compressed by `finish`, in parallel.
        optimize: false,
        subset_fonts: false,
        // Lets the raw font and text operators through; every operator here is our own.
        secure: false,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    // The font programs are cut and compressed while printpdf builds the pages.
    let (programs, mut pdf) = rayon::join(
        || {
            plans
                .par_iter()
                .map(|(&i, plan)| {
                    let face = fonts.face(i);
                    embed::prepare(face, plan).map(|p| (i, p)).map_err(|e| {
                        Error::font(format!("字体无法嵌入 (cannot embed the font: {e})"))
                            .with_path(&face.path)
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        },
        || pdf.with_pages(pages).to_lopdf_document(&opts, &mut warnings),
    );
    let mut font_dict = lopdf::Dictionary::new();
    for (i, program) in programs? {
        let id = embed::add(&mut pdf, fonts.face(i), &plans[&i], program);
        font_dict.set(font_resource(i), id);
    }
    set_page_fonts(&mut pdf, font_dict)?;
    Ok(pdf)
}

/// The resource name of face `i` in the pages' font dictionary.
fn font_resource(i: usize) -> String {
    format!("NF{i}")
}

/// Makes `fonts` the font dictionary of every page's resources.
fn set_page_fonts(pdf: &mut lopdf::Document, fonts: lopdf::Dictionary) -> Result<(), Error> {
    use lopdf::Object;
    let fonts = pdf.add_object(fonts);
    let bad =
        |e: lopdf::Error| Error::render(format!("PDF 生成失败 (cannot build the PDF: {e})")).with_source(e);
    for page in pdf.get_pages().into_values() {
        let resources = match pdf.get_dictionary(page).map_err(bad)?.get(b"Resources") {
            Ok(Object::Reference(id)) => Some(*id),
            _ => None,
        };
        let dict = match resources {
            Some(id) => pdf.get_dictionary_mut(id).map_err(bad)?,
            None => {
                let page = pdf.get_dictionary_mut(page).map_err(bad)?;
                if !page.has(b"Resources") {
                    page.set("Resources", lopdf::Dictionary::new());
                }
                page.get_mut(b"Resources")
                    .and_then(Object::as_dict_mut)
                    .map_err(bad)?
            }
        };
        dict.set("Font", fonts);
    }
    Ok(())
}

/// Deflates a stream not yet filtered, where that makes it smaller.
fn compress(stream: &mut lopdf::Stream) {
    if stream.dict.has(b"Filter") || !stream.allows_compression {
        return;
    }
    if let Some(packed) = embed::zlib(&stream.content)
        && packed.len() + 20 < stream.content.len()
    {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
    }
}

/// The rules of a page with each stretch of border drawn once: the cells of a table each
/// draw their four sides, so shared sides come twice and a row's top is many short pieces.
/// Collinear pieces of one width that touch or overlap become one rule.
fn merged_rules(rules: &[layout::Rule]) -> Vec<layout::Rule> {
    // (vertical, fixed coordinate, width) in hundredths of a point, then the span.
    let key = |v: f64| (v * 100.0).round() as i64;
    let mut lines: BTreeMap<(bool, i64, i64), Vec<(f64, f64)>> = BTreeMap::new();
    let mut other = Vec::new();
    for r in rules {
        let (vertical, fixed, a, b) = if key(r.y1) == key(r.y2) {
            (false, r.y1, r.x1, r.x2)
        } else if key(r.x1) == key(r.x2) {
            (true, r.x1, r.y1, r.y2)
        } else {
            other.push(*r);
            continue;
        };
        lines
            .entry((vertical, key(fixed), key(r.width)))
            .or_default()
            .push((a.min(b), a.max(b)));
    }
    let mut out = Vec::new();
    for ((vertical, fixed, width), mut spans) in lines {
        spans.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if key(a) <= key(last.1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let (fixed, width) = (fixed as f64 / 100.0, width as f64 / 100.0);
        out.extend(merged.into_iter().map(|(a, b)| {
            let (x1, y1, x2, y2) = if vertical {
                (fixed, a, fixed, b)
            } else {
                (a, fixed, b, fixed)
            };
            layout::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
            }
        }));
    }
    out.extend(other);
    out
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

/// Sets the document information and language, drops an empty output-intent marker,
/// compresses the streams and writes the file.
fn finish(mut doc: lopdf::Document, meta: &Metadata) -> Result<Vec<u8>, Error> {
    use lopdf::{Dictionary, Object};
    let bad =
        |e: lopdf::Error| Error::render(format!("PDF 生成失败 (cannot build the PDF: {e})")).with_source(e);
    let now = pdf_date_now();
    let mut info = Dictionary::new();
    info.set("Title", text_string(&meta.title));
    if let Some(a) = &meta.author {
        info.set("Author", text_string(a));
    }
    info.set("Subject", text_string(meta.subject));
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
    catalog.set("Lang", Object::string_literal(meta.language));
    // printpdf writes a PDF/X output intent with no profile; without one it is meaningless.
    catalog.remove(b"OutputIntents");
    doc.prune_objects();
    // The font subsets are most of the file and of the time: one stream a thread.
    doc.objects.par_iter_mut().for_each(|(_, object)| {
        if let Object::Stream(stream) = object {
            compress(stream);
        }
    });
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::render(format!("PDF 生成失败 (cannot write the PDF: {e})")).with_source(e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Rule;

    fn rule(x1: f64, y1: f64, x2: f64, y2: f64) -> Rule {
        Rule {
            x1,
            y1,
            x2,
            y2,
            width: 0.6,
        }
    }

    #[test]
    fn shared_and_adjoining_borders_are_drawn_once() {
        // Two cells side by side: 8 sides, the middle one twice.
        let cells = [(0.0, 0.0, 10.0, 5.0), (10.0, 0.0, 20.0, 5.0)];
        let mut rules = Vec::new();
        for (x1, y1, x2, y2) in cells {
            rules.extend([
                rule(x1, y1, x2, y1),
                rule(x2, y1, x2, y2),
                rule(x1, y2, x2, y2),
                rule(x1, y1, x1, y2),
            ]);
        }
        let mut merged = merged_rules(&rules);
        merged.sort_by(|a, b| {
            (a.x1, a.y1, a.x2, a.y2)
                .partial_cmp(&(b.x1, b.y1, b.x2, b.y2))
                .unwrap()
        });
        assert_eq!(
            merged,
            vec![
                rule(0.0, 0.0, 0.0, 5.0),
                rule(0.0, 0.0, 20.0, 0.0),
                rule(0.0, 5.0, 20.0, 5.0),
                rule(10.0, 0.0, 10.0, 5.0),
                rule(20.0, 0.0, 20.0, 5.0),
            ]
        );
    }

    #[test]
    fn separate_pieces_and_widths_stay_apart() {
        let mut thick = rule(0.0, 0.0, 5.0, 0.0);
        thick.width = 1.0;
        let rules = [rule(0.0, 0.0, 5.0, 0.0), rule(6.0, 0.0, 9.0, 0.0), thick];
        assert_eq!(merged_rules(&rules).len(), 3);
    }
}
