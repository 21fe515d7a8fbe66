//! The PDF writer: GB/T 9704 pages with the official tables and embedded font subsets.
//!
//! The report is presented once ([`crate::present::present`]: title lines, headings, tables);
//! [`crate::layout`] places every line of it; printpdf draws the pages, `fonts::embed` embeds
//! the faces as subsets (with a ToUnicode map, so the text can be extracted), and lopdf sets
//! the document information (the presentation's title and author, the creation date) and the
//! language, and makes the file PDF/A-2b (`finish`: XMP metadata, an sRGB output intent, the
//! file identifier; the requirements and their checks are in docs/pdfa.md).

use std::collections::{BTreeMap, BTreeSet};

use printpdf_lopdf as lopdf;
use rayon::prelude::*;

use printpdf::{
    Color, DictItem, Line, LinePoint, Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, Point, Pt, Rgb,
    TextMatrix,
};

use super::Context;
use super::xml_escape;
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
    let (pdf, conforming) = pdf;
    finish(pdf, meta, conforming)
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

/// Draws the pages; with the document, whether every character has a glyph (see
/// [`finish`]).
fn draw(doc: &Document, fonts: &FontSet, meta: &Metadata) -> Result<(lopdf::Document, bool), Error> {
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
    Ok((pdf, !plans.values().any(FontPlan::draws_notdef)))
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

/// A PDF text string: printable ASCII as itself (PDFDocEncoding), anything else UTF-16BE
/// with a byte order mark. (Ghostscript 10.0 cannot carry a UTF-16 document information
/// entry into the XMP of a PDF/A it writes; keeping the ASCII ones single-byte spares those.)
fn text_string(s: &str) -> lopdf::Object {
    if s.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return lopdf::Object::string_literal(s);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// The document's time stamp as a PDF date, `D:YYYYMMDDHHmmSSZ`.
pub fn pdf_date_now() -> String {
    stamp_dates(super::stamp_secs()).0
}

/// A time stamp (seconds since the Unix epoch) as the same instant in the two forms a PDF/A
/// file states it: the document information's `D:YYYYMMDDHHmmSSZ` and XMP's
/// `YYYY-MM-DDTHH:mm:SSZ` (both UTC).
fn stamp_dates(secs: i64) -> (String, String) {
    let (year, month, day, h, m, s) = super::civil_time(secs);
    (
        format!("D:{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}Z"),
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"),
    )
}

/// The sRGB IEC 61966-2.1 profile (ICC v2, 6,922 bytes) of the output intent, from Debian's
/// `icc-profiles-free` (zlib licence; profiles/README.md).
const SRGB_PROFILE: &[u8] = include_bytes!("../../profiles/sRGB.icc");

/// What the producer entries say: the document information's `Producer` and XMP's
/// `pdf:Producer`.
const PRODUCER: &str = "nianbao (printpdf, lopdf)";

/// The 16 bytes the trailer's file identifier holds while the file is written; the digest
/// of the file so written then takes their place (same length, so no offset moves).
const ID_SLOT: &[u8; 16] = b"nianbao-id-slot!";

/// Text fit for both the document information and XMP: characters XML 1.0 cannot hold
/// (controls other than tab, line feed and carriage return) become spaces, so the two say
/// the same.
fn metadata_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The document's metadata stream contents (XMP, UTF-8, in an `xpacket`): the same title,
/// author, subject, creator, producer and dates as the document information dictionary,
/// the language and, when `pdfa`, the PDF/A-2b identification.
fn xmp_packet(info: &InfoText, date: &str, language: &str, pdfa: bool) -> String {
    let e = xml_escape;
    let lang_alt = |text: &str| {
        format!(
            "<rdf:Alt><rdf:li xml:lang=\"x-default\">{t}</rdf:li>\
             <rdf:li xml:lang=\"{l}\">{t}</rdf:li></rdf:Alt>",
            t = e(text),
            l = e(language)
        )
    };
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("  <rdf:Description rdf:about=\"\"\n");
    x.push_str("    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n");
    x.push_str("    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n");
    x.push_str("    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n");
    x.push_str("    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n");
    x.push_str("   <dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!("   <dc:title>{}</dc:title>\n", lang_alt(&info.title)));
    if let Some(author) = &info.author {
        x.push_str(&format!(
            "   <dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            e(author)
        ));
    }
    x.push_str(&format!(
        "   <dc:description>{}</dc:description>\n",
        lang_alt(&info.subject)
    ));
    x.push_str(&format!(
        "   <dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
        e(language)
    ));
    x.push_str(&format!(
        "   <xmp:CreatorTool>{}</xmp:CreatorTool>\n",
        e(&info.creator)
    ));
    for key in ["CreateDate", "ModifyDate", "MetadataDate"] {
        x.push_str(&format!("   <xmp:{key}>{date}</xmp:{key}>\n"));
    }
    x.push_str(&format!("   <pdf:Producer>{}</pdf:Producer>\n", e(PRODUCER)));
    if pdfa {
        x.push_str("   <pdfaid:part>2</pdfaid:part>\n");
        x.push_str("   <pdfaid:conformance>B</pdfaid:conformance>\n");
    }
    x.push_str("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n");
    // Room to edit the packet in place, as XMP recommends.
    for _ in 0..8 {
        x.push_str(&" ".repeat(99));
        x.push('\n');
    }
    x.push_str("<?xpacket end=\"w\"?>");
    x
}

/// The texts the document information and the XMP metadata share.
struct InfoText {
    title: String,
    author: Option<String>,
    subject: String,
    creator: String,
}

/// Finishes the document as PDF/A-2b (ISO 19005-2, level B; the requirements and how each is
/// met are listed in docs/pdfa.md): PDF 1.7; the document information and the same in an
/// XMP metadata stream; an sRGB output intent; the language; the file identifier. The XMP
/// claims PDF/A-2b (`pdfaid`) only when `conforming`: a character drawn as `.notdef` breaks
/// the standard, and the file then says nothing it is not. Drops printpdf's empty
/// output-intent marker, compresses the streams and writes the file.
fn finish(mut doc: lopdf::Document, meta: &Metadata, conforming: bool) -> Result<Vec<u8>, Error> {
    use lopdf::{Dictionary, Object, Stream, StringFormat};
    let bad =
        |e: lopdf::Error| Error::render(format!("PDF 生成失败 (cannot build the PDF: {e})")).with_source(e);
    // OpenType font programs (`/FontFile3 /OpenType`) are PDF 1.6; PDF/A-2 is PDF 1.7.
    doc.version = "1.7".into();
    let (pdf_date, xmp_date) = stamp_dates(super::stamp_secs());
    let text = InfoText {
        title: metadata_text(&meta.title),
        author: meta.author.as_deref().map(metadata_text),
        subject: metadata_text(meta.subject),
        creator: concat!("nianbao ", env!("CARGO_PKG_VERSION")).to_string(),
    };
    let mut info = Dictionary::new();
    info.set("Title", text_string(&text.title));
    if let Some(a) = &text.author {
        info.set("Author", text_string(a));
    }
    info.set("Subject", text_string(&text.subject));
    info.set("Creator", text_string(&text.creator));
    info.set("Producer", text_string(PRODUCER));
    info.set("CreationDate", Object::string_literal(pdf_date.clone()));
    info.set("ModDate", Object::string_literal(pdf_date));
    let old_info = doc.trailer.get(b"Info").and_then(|o| o.as_reference()).ok();
    let id = match old_info {
        Some(id) => {
            doc.objects.insert(id, Object::Dictionary(info));
            id
        }
        None => doc.add_object(info),
    };
    doc.trailer.set("Info", id);
    // The metadata stream stays uncompressed, so any tool can read it.
    let xmp = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp_packet(&text, &xmp_date, meta.language, conforming).into_bytes(),
    )
    .with_compression(false);
    let xmp = doc.add_object(xmp);
    let profile = doc.add_object(Stream::new(
        Dictionary::from_iter([
            ("N", Object::Integer(3)),
            ("Alternate", Object::Name(b"DeviceRGB".to_vec())),
        ]),
        SRGB_PROFILE.to_vec(),
    ));
    let intent = Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        (
            "OutputConditionIdentifier",
            Object::string_literal("sRGB IEC61966-2.1"),
        ),
        ("Info", Object::string_literal("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(profile)),
    ]);
    let catalog = doc.catalog_mut().map_err(bad)?;
    catalog.set("Lang", Object::string_literal(meta.language));
    catalog.set("Metadata", xmp);
    // printpdf writes a PDF/X output intent with no profile; ours replaces it.
    catalog.set("OutputIntents", Object::Array(vec![Object::Dictionary(intent)]));
    let slot = Object::String(ID_SLOT.to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![slot.clone(), slot]));
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
    set_file_id(&mut out);
    Ok(out)
}

/// Puts the file's digest (MD5 of the file as written with [`ID_SLOT`]) in place of the
/// slot in the trailer's `/ID`, both halves: the same file always gets the same identifier.
fn set_file_id(out: &mut [u8]) {
    use md5::{Digest, Md5};
    let hex = |bytes: &[u8]| -> Vec<u8> {
        bytes
            .iter()
            .flat_map(|b| format!("{b:02X}").into_bytes())
            .collect()
    };
    let slot = hex(ID_SLOT);
    let digest = hex(&Md5::digest(&*out));
    let trailer = out.windows(7).rposition(|w| w == b"trailer").unwrap_or(0);
    let mut at = trailer;
    while let Some(i) = out[at..].windows(slot.len()).position(|w| w == slot.as_slice()) {
        out[at + i..at + i + slot.len()].copy_from_slice(&digest);
        at += i + slot.len();
    }
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
    fn the_two_date_forms_are_the_same_instant() {
        assert_eq!(
            stamp_dates(1_700_000_000),
            (
                "D:20231114221320Z".to_string(),
                "2023-11-14T22:13:20Z".to_string()
            )
        );
    }

    #[test]
    fn metadata_text_is_escaped_for_xmp_and_kept_equal() {
        assert_eq!(
            xml_escape("A&B <市> \"x\" 'y'"),
            "A&amp;B &lt;市&gt; &quot;x&quot; &apos;y&apos;"
        );
        assert_eq!(metadata_text("a\u{1}b\tc"), "a b\tc");
        let info = InfoText {
            title: "<&>".into(),
            author: None,
            subject: "报告".into(),
            creator: "nianbao".into(),
        };
        let xmp = xmp_packet(&info, "2023-11-14T22:13:20Z", "zh-CN", false);
        assert!(
            xmp.contains("<rdf:li xml:lang=\"x-default\">&lt;&amp;&gt;</rdf:li>"),
            "{xmp}"
        );
        assert!(
            !xmp.contains("dc:creator") && !xmp.contains("pdfaid:part"),
            "{xmp}"
        );
        assert!(xmp.starts_with("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"));
        assert!(xmp.ends_with("<?xpacket end=\"w\"?>"));
    }

    #[test]
    fn the_file_id_is_the_digest_of_the_file_in_both_halves() {
        let slot: String = ID_SLOT.iter().map(|b| format!("{b:02X}")).collect();
        let body = format!("1 0 obj (x) endobj\ntrailer\n<</ID[<{slot}><{slot}>]>>\n%%EOF");
        let mut a = body.clone().into_bytes();
        set_file_id(&mut a);
        assert_eq!(a.len(), body.len());
        let text = String::from_utf8(a.clone()).unwrap();
        assert!(!text.contains(&slot), "{text}");
        let id = &text[text.find("[<").unwrap() + 2..][..32];
        assert_eq!(text.matches(id).count(), 2, "{text}");
        let mut b = body.replace("(x)", "(y)").into_bytes();
        set_file_id(&mut b);
        assert_ne!(a[a.len() - 60..], b[b.len() - 60..]);
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
