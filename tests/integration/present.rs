//! One presentation, three outputs (issue 14, item 2): the title lines and the heading levels
//! [`nianbao::present::present`] decides are what the PDF, the DOCX and the Markdown show,
//! read back from each file: the PDF through `pdftohtml -xml` (its text lines with their
//! fonts), the DOCX from `word/document.xml` (the `Title` paragraph's lines, each heading's
//! `HeadingN` style), the Markdown from its `#` lines.
//!
//! A PDF shows a heading's level only by its face: the test sets the style's faces to the
//! bundled ones (so the names are known on any machine) and checks each heading is set in
//! the face of its level's element (`heading1` 黑体, `heading2` 楷体, `heading3`/`heading4`
//! the body's face, which the PDF cannot tell apart from each other).

use crate::common;

use std::io::Read;
use std::process::Command;

use common::fixture;
use nianbao::model::{Block, Report};
use nianbao::present::{Item, Presentation, present};
use nianbao::style::Style;
use nianbao::write::{Context, OutputFormat};
use nianbao::{Forms, Options};

/// The built-in style with every role's wanted families replaced by one no machine has: the
/// bundled faces are used, whose names the PDF check knows.
fn bundled_style() -> Style {
    let text = include_str!("../../templates/styles/gbt9704.toml");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("families = ") {
                "families = [\"No Such Family\"]".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Style::parse("bundled.toml", &text).unwrap()
}

/// The reports: a seed whose title breaks, a seed with sub-headings, the Huai'an report, and
/// a seed without a title whose sub-headings are of levels 0, 3, 4 and 6 (as a JSON input
/// may give them).
fn reports(forms: &Forms) -> Vec<(String, Report)> {
    let read = |p: &std::path::Path| nianbao::read_report(p, forms, &Options::default()).unwrap();
    let seeds = common::seeds();
    let mut out: Vec<(String, Report)> = seeds
        .iter()
        .take(2)
        .map(|(stem, p)| (stem.clone(), read(p)))
        .collect();
    out.push(("huaian".into(), read(&fixture("huaian-2024/layout.txt"))));
    let mut odd = read(&seeds[0].1);
    odd.title = None;
    let section = odd.sections.iter_mut().find(|s| s.heading.is_some()).unwrap();
    let odd_levels = [
        (0, "（一）零级标题"),
        (3, "1.三级标题"),
        (4, "（1）四级标题"),
        (6, "（2）六级标题"),
    ];
    let blocks = odd_levels.into_iter().flat_map(|(level, text)| {
        [
            Block::Heading {
                level,
                text: text.into(),
            },
            Block::Paragraph {
                text: "本段说明上一标题。".into(),
            },
        ]
    });
    section.blocks.splice(0..0, blocks);
    out.push(("untitled-odd-levels".into(), odd));
    out
}

fn headings(shown: &Presentation) -> Vec<(u8, String)> {
    shown
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Heading { level, text, .. } => Some((*level, text.clone())),
            _ => None,
        })
        .collect()
}

/// The Markdown's title lines (the `#` lines before the first blank line) and its headings
/// (every later `#` line: level = hashes − 1).
fn markdown_read_back(md: &str) -> (Vec<String>, Vec<(u8, String)>) {
    let mut lines = md.lines();
    let title: Vec<String> = lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.strip_prefix("# ").expect("a title line is `# …`").to_string())
        .collect();
    let heads = lines
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            assert!(hashes <= 6, "past Markdown's levels: {l}");
            ((hashes - 1) as u8, l[hashes..].trim().to_string())
        })
        .collect();
    (title, heads)
}

/// The DOCX's title lines (its `Title` paragraph, split at its line breaks) and headings
/// (each `HeadingN` paragraph).
fn docx_read_back(bytes: &[u8]) -> (Vec<String>, Vec<(u8, String)>) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc.descendants().find(|n| n.has_tag_name((W, "body"))).unwrap();
    let (mut title, mut heads) = (Vec::new(), Vec::new());
    for p in body.children().filter(|n| n.has_tag_name((W, "p"))) {
        let style = p
            .descendants()
            .find(|n| n.has_tag_name((W, "pStyle")))
            .and_then(|n| n.attribute((W, "val")))
            .unwrap_or("");
        // The paragraph's text, a line break as `\n`.
        let mut text = String::new();
        for n in p.descendants() {
            if n.has_tag_name((W, "t")) {
                text.push_str(n.text().unwrap_or(""));
            } else if n.has_tag_name((W, "br")) {
                text.push('\n');
            }
        }
        if style == "Title" {
            title = text.split('\n').map(String::from).collect();
        } else if let Some(level) = style.strip_prefix("Heading") {
            heads.push((level.parse().unwrap(), text));
        }
    }
    (title, heads)
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A PDF's text lines in reading order with the family of their font (subset tag dropped),
/// from `pdftohtml -xml`; `None` when poppler is not installed.
fn pdf_lines(bytes: &[u8], name: &str) -> Option<Vec<(String, String)>> {
    let dir = tempfile::tempdir().ok()?;
    let pdf = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).ok()?;
    let out = Command::new("pdftohtml")
        .args(["-xml", "-i", "-stdout", "-q"])
        .arg(&pdf)
        .output()
        .ok()?;
    let xml = String::from_utf8_lossy(&out.stdout);
    let spec = regex::Regex::new(r#"<fontspec id="(\d+)"[^>]* family="([^"]*)""#).unwrap();
    let text = regex::Regex::new(r#"<text [^>]*font="(\d+)"[^>]*>(.*)</text>"#).unwrap();
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    let mut families = std::collections::HashMap::new();
    let mut lines = Vec::new();
    for line in xml.lines() {
        if let Some(c) = spec.captures(line) {
            let family = c[2].rsplit('+').next().unwrap_or("").to_string();
            families.insert(c[1].to_string(), family);
        } else if let Some(c) = text.captures(line) {
            let t = tag
                .replace_all(&c[2], "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            lines.push((t, families.get(&c[1]).cloned().unwrap_or_default()));
        }
    }
    Some(lines)
}

/// The family of the bundled face of the role that heading style `key` is set in:
/// `FandolHei-Regular.otf` → `FandolHei`.
fn bundled_family(style: &Style, key: &str) -> String {
    let role = &style.element(key).font;
    let file = &style.fonts[role].bundled;
    file.split(['-', '.']).next().unwrap().to_string()
}

#[test]
fn title_lines_and_heading_levels_read_back_the_same_from_pdf_docx_and_markdown() {
    let forms = Forms::builtin();
    let style = bundled_style();
    let poppler = Command::new("pdftohtml").arg("-v").output().is_ok();
    if !poppler {
        eprintln!("pdftohtml is not installed: the PDF is not read back");
    }
    for (name, report) in reports(&forms) {
        let ctx = Context {
            form: forms.get(&report.form).unwrap(),
            style: &style,
            font_dirs: Vec::new(),
        };
        let shown = present(&report, &ctx);
        let want_heads = headings(&shown);
        assert!(!shown.title.is_empty(), "{name}");
        assert!(want_heads.iter().any(|h| h.0 == 1), "{name}: no section heading");

        // Markdown.
        let md = String::from_utf8(OutputFormat::Markdown.render(&report, &ctx).unwrap()).unwrap();
        let (md_title, md_heads) = markdown_read_back(&md);
        assert_eq!(md_title, shown.title, "{name}: Markdown title");
        assert_eq!(md_heads, want_heads, "{name}: Markdown headings");

        // DOCX.
        let docx = OutputFormat::Docx.render(&report, &ctx).unwrap();
        let (docx_title, docx_heads) = docx_read_back(&docx);
        assert_eq!(docx_title, shown.title, "{name}: DOCX title");
        assert_eq!(docx_heads, want_heads, "{name}: DOCX headings");

        // PDF: the title is the first lines, in the title's face; each heading starts a line
        // in the face of its level's element.
        let pdf = OutputFormat::Pdf.render(&report, &ctx).unwrap();
        let Some(lines) = (if poppler { pdf_lines(&pdf, &name) } else { None }) else {
            continue;
        };
        let title_family = bundled_family(&style, "title");
        let pdf_title: Vec<String> = lines
            .iter()
            .take_while(|(_, f)| *f == lines[0].1)
            .map(|(t, _)| t.trim().to_string())
            .collect();
        assert!(
            lines[0].1.starts_with(&title_family),
            "{name}: title face {}",
            lines[0].1
        );
        assert_eq!(pdf_title, shown.title, "{name}: PDF title");
        let mut from = pdf_title.len();
        for (level, text) in &want_heads {
            let head: String = text.chars().take(6).collect();
            let at = lines[from..]
                .iter()
                .position(|(t, _)| t.trim_start().starts_with(&head))
                .unwrap_or_else(|| panic!("{name}: heading {text} not found in the PDF"));
            let family = &lines[from + at].1;
            let key = nianbao::present::heading_style(*level);
            assert!(
                family.starts_with(&bundled_family(&style, key)),
                "{name}: heading {text} (level {level}, {key}) set in {family}"
            );
            from += at + 1;
        }
    }
}

#[test]
fn levels_are_clamped_and_a_missing_title_is_made_up_once_for_all_outputs() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let (_, report) = reports(&forms).pop().unwrap();
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let shown = present(&report, &ctx);
    let levels: Vec<(u8, &str)> = shown
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Heading { level, style, text } if text.contains("级标题") => Some((*level, *style)),
            _ => None,
        })
        .collect();
    assert_eq!(
        levels,
        [(2, "heading2"), (3, "heading3"), (4, "heading4"), (4, "heading4")]
    );
    let org = report.organization.clone().unwrap();
    let year = report.year.unwrap();
    assert_eq!(
        shown.metadata.title,
        format!("{org}{year}年政府信息公开工作年度报告")
    );
    assert_eq!(shown.title.concat(), shown.metadata.title);
    // The DOCX's core properties and the PDF's information carry the made-up title too.
    let docx = OutputFormat::Docx.render(&report, &ctx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut core = String::new();
    zip.by_name("docProps/core.xml")
        .unwrap()
        .read_to_string(&mut core)
        .unwrap();
    assert!(
        core.contains(&format!("<dc:title>{}</dc:title>", shown.metadata.title)),
        "{core}"
    );
    let pdf = OutputFormat::Pdf.render(&report, &ctx).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let info = doc.trailer.get(b"Info").and_then(|o| o.as_reference()).unwrap();
    let title = doc
        .get_dictionary(info)
        .unwrap()
        .get(b"Title")
        .unwrap()
        .as_str()
        .unwrap();
    // UTF-16BE after its byte order mark.
    let units: Vec<u16> = title[2..]
        .chunks(2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(String::from_utf16(&units).unwrap(), shown.metadata.title);
}

/// The signature block (issue 16): a report ending in its issuing body and date (here run
/// into one line, as text extraction leaves them) ends in [`Item::Signature`]; the PDF sets
/// the body two characters in from the right and the date two characters further right,
/// on the last page with the text's last lines; the DOCX sets both right-aligned, the text
/// before kept with them.
#[test]
fn the_signature_block_is_set_right_and_kept_with_the_text() {
    let forms = Forms::builtin();
    let report = nianbao::read_report(&fixture("inputs/signature.txt"), &forms, &Options::default()).unwrap();
    let style = Style::builtin();
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let shown = present(&report, &ctx);
    let Some(Item::Signature { organization, date }) = shown.items.last() else {
        panic!("no signature: {:?}", shown.items.last());
    };
    assert_eq!(organization.as_deref(), Some("浉河区人民政府办公室"));
    assert_eq!(date, "2024年1月18日");
    assert!(matches!(
        shown.items[shown.items.len() - 2],
        Item::Paragraph { .. }
    ));

    let set = nianbao::fonts::resolve(&style, &[]).unwrap();
    let doc = nianbao::layout::layout(&report, &ctx, &set);
    let last = doc.pages.last().unwrap();
    let line_of = |text: &str| {
        let runs: Vec<_> = last
            .runs
            .iter()
            .filter(|r| text.contains(r.text.as_str()) && !r.text.trim().is_empty())
            .collect();
        let first = runs.iter().map(|r| r.x).fold(f64::MAX, f64::min);
        (first, runs.first().map(|r| r.baseline).unwrap_or_default())
    };
    let (org_x, org_y) = line_of("浉河区人民政府办公室");
    let (date_x, date_y) = line_of("2024年1月18日");
    let right = (style.page.margin_left_mm + style.page.text_width_mm()) * 72.0 / 25.4;
    let em = style.element("body").size_pt;
    assert!(date_y > org_y, "the date is below the body");
    // The date starts two characters right of the body (the grid sets characters a little
    // closer than their em).
    assert!((date_x - org_x - 2.0 * em).abs() < 0.2 * em, "{org_x} {date_x}");
    // The body ends two characters in from the right.
    let org_end = org_x + 10.0 * em;
    assert!(
        right - org_end > 1.5 * em && right - org_end < 2.5 * em,
        "{org_end} {right}"
    );
    // The text's last paragraph is on the same page.
    assert!(
        last.runs.iter().any(|r| r.text.contains("无")),
        "signature alone on its page"
    );

    let bytes = OutputFormat::Docx.render(&report, &ctx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let date_at = xml.find("2024年1月18日").unwrap();
    let para = &xml[xml[..date_at].rfind("<w:p>").unwrap()..date_at];
    assert!(para.contains("<w:jc w:val=\"right\"/>"), "{para}");
    let org_at = xml.find(">浉河区人民政府办公室<").unwrap();
    let before = &xml[..org_at];
    let prev = &before[..before.rfind("<w:p>").unwrap()];
    assert!(prev[prev.rfind("<w:p>").unwrap()..].contains("<w:keepNext/>"));
}
