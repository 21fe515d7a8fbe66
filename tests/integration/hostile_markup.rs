//! Hostile DOCX, HTML and Markdown (issue 13, part 1): each input is built here, run through
//! the binary (or the reader) under a 60 s deadline, and must be refused with exit 2 and one
//! line naming the file and the reason, or read right; the batch beside it goes on.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::fixture;

use common::DEADLINE;

/// Runs the binary in `dir` under the deadline: (exit code, stderr).
fn run(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let (o, _) = common::nianbao_within(args, dir, &[]);
    (o.status.code(), common::stderr(&o))
}

/// Asserts that converting `name` (in `dir`) is refused: exit 2, one line, the file's name and
/// `reason` in it.
fn assert_refused(dir: &Path, name: &str, reason: &str) {
    let (code, err) = run(&["convert", name, "-o", "out-refused/"], dir);
    common::assert_one_line_refusal(code, &err, name, reason);
}

/// Reads a file with the library under the deadline.
fn read(path: &Path) -> Result<nianbao::read::RawDoc, nianbao::Error> {
    let path = path.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(nianbao::read::read_path(&path));
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("no answer after {DEADLINE:?}"))
}

fn texts(doc: &nianbao::read::RawDoc) -> Vec<String> {
    doc.blocks
        .iter()
        .map(|b| match b {
            nianbao::read::RawBlock::Text { text, .. } => text.clone(),
            nianbao::read::RawBlock::Row { cells, .. } => cells.join("|"),
        })
        .collect()
}

fn rows(doc: &nianbao::read::RawDoc) -> usize {
    doc.blocks
        .iter()
        .filter(|b| matches!(b, nianbao::read::RawBlock::Row { .. }))
        .count()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const PACKAGE_RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOCUMENT_RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
const STYLES: &[u8] = br#"<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>"#;

/// A document part with this body.
fn document(body: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).into_bytes()
}

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

/// A heading paragraph and a body paragraph: what a readable package must yield.
fn body() -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>某县2024年报告</w:t></w:r></w:p>{}"#,
        para("正文一段")
    )
}

/// A full package: content types, relationships, the document, its relationships to the
/// given styles part (or none).
fn package(document: Vec<u8>, styles: Option<&[u8]>, document_rels: bool) -> Vec<(String, Vec<u8>)> {
    let mut parts = vec![
        ("[Content_Types].xml".to_string(), CONTENT_TYPES.to_vec()),
        ("_rels/.rels".to_string(), PACKAGE_RELS.to_vec()),
        ("word/document.xml".to_string(), document),
    ];
    if document_rels {
        parts.push(("word/_rels/document.xml.rels".into(), DOCUMENT_RELS.to_vec()));
    }
    if let Some(styles) = styles {
        parts.push(("word/styles.xml".into(), styles.to_vec()));
    }
    parts
}

fn zip_file(path: &Path, parts: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

/// A zip written by hand, each entry deflated, its central-directory record declaring the
/// given uncompressed size (a ZIP64 extra field when it passes 4 GB) instead of the real one.
fn zip_declaring(parts: &[(String, Vec<u8>)], declared: &[(&str, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in parts {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        let packed = enc.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let real = data.len() as u64;
        let size = declared.iter().find(|(n, _)| n == name).map_or(real, |(_, s)| *s);
        // Local header: the real sizes.
        out.extend(b"PK\x03\x04");
        out.extend(20u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(8u16.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(crc.to_le_bytes());
        out.extend((packed.len() as u32).to_le_bytes());
        out.extend((real as u32).to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(&packed);
        // Central record: the declared size.
        let zip64 = size > u32::MAX as u64;
        central.extend(b"PK\x01\x02");
        central.extend(45u16.to_le_bytes());
        central.extend(45u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(8u16.to_le_bytes());
        central.extend([0u8; 4]);
        central.extend(crc.to_le_bytes());
        central.extend((packed.len() as u32).to_le_bytes());
        central.extend((if zip64 { u32::MAX } else { size as u32 }).to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend((if zip64 { 12u16 } else { 0 }).to_le_bytes());
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
        if zip64 {
            central.extend(1u16.to_le_bytes());
            central.extend(8u16.to_le_bytes());
            central.extend(size.to_le_bytes());
        }
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The small DOCX cases (also the fuzz target's seeds): (file name, bytes, the reason word
/// of its refusal, or `None` when it must read).
fn small_docx_cases() -> Vec<(&'static str, Vec<u8>, Option<&'static str>)> {
    let normal = package(document(&body()), Some(STYLES), true);
    let zipped = |parts: &[(String, Vec<u8>)]| {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.docx");
        zip_file(&p, parts);
        std::fs::read(p).unwrap()
    };
    let mut truncated = document(&body());
    truncated.truncate(truncated.len() - 30);
    vec![
        (
            "declares-1tib.docx",
            zip_declaring(&normal, &[("word/document.xml", 1 << 40)]),
            None,
        ),
        (
            "declares-2e62.docx",
            zip_declaring(
                &normal,
                &[("[Content_Types].xml", 1 << 62), ("word/styles.xml", 1 << 62)],
            ),
            None,
        ),
        (
            "styles-unclosed.docx",
            zipped(&package(
                document(&body()),
                Some(&STYLES[..STYLES.len() - 20]),
                true,
            )),
            None,
        ),
        (
            "styles-empty.docx",
            zipped(&package(document(&body()), Some(b""), true)),
            None,
        ),
        (
            "styles-garbage.docx",
            zipped(&package(document(&body()), Some(b"\x00\x01garbage<<>>"), true)),
            None,
        ),
        (
            "styles-other-root.docx",
            zipped(&package(document(&body()), Some(b"<foo/>"), true)),
            None,
        ),
        (
            "no-document-rels.docx",
            zipped(&package(document(&body()), None, false)),
            None,
        ),
        (
            "document-truncated.docx",
            zipped(&package(truncated, Some(STYLES), true)),
            Some("malformed"),
        ),
        (
            "document-other-root.docx",
            zipped(&package(b"<w:styles/>".to_vec(), Some(STYLES), true)),
            Some("not a Word document"),
        ),
    ]
}

#[test]
fn lying_sizes_and_broken_parts_neither_abort_nor_hang() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, refusal) in small_docx_cases() {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        match refusal {
            Some(reason) => assert_refused(dir.path(), name, reason),
            None => {
                let doc = read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(texts(&doc), ["某县2024年报告", "正文一段"], "{name}");
                let (code, err) = run(&["convert", name, "-o", "out/"], dir.path());
                // The package reads; its one paragraph holds no table, which is the
                // form's refusal, not the reader's.
                assert_eq!(code, Some(2), "{name}: {err}");
                assert!(
                    err.contains("no tables of the annual report form"),
                    "{name}: {err}"
                );
            }
        }
    }
    // Heading levels come from well-formed styles, and are lost (nothing else) without them.
    let good = read(&dir.path().join("declares-1tib.docx")).unwrap();
    assert!(matches!(
        &good.blocks[0],
        nianbao::read::RawBlock::Text { heading: Some(1), .. }
    ));
}

/// Writes the small DOCX cases into `tests/fixtures/hostile-docx/` (run with `--ignored` after
/// changing them; `fuzz/seed-corpus.sh` copies them into the docx target's corpus).
#[test]
#[ignore]
fn write_docx_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-docx");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, _) in small_docx_cases() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn write_docx_rows(dir: &Path, name: &str, rows: usize, cells: usize) -> PathBuf {
    let cell = "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>";
    let row = format!("<w:tr>{}</w:tr>", cell.repeat(cells));
    let body = format!("{}<w:tbl>{}</w:tbl>", para("表格"), row.repeat(rows));
    let path = dir.join(name);
    zip_file(&path, &package(document(&body), Some(STYLES), true));
    path
}

#[test]
fn huge_docx_tables_are_refused_before_they_are_built() {
    let dir = tempfile::tempdir().unwrap();
    write_docx_rows(dir.path(), "rows-300k.docx", 300_000, 1);
    assert_refused(dir.path(), "rows-300k.docx", "rows");
    write_docx_rows(dir.path(), "cells-1m.docx", 1, 1_000_000);
    assert_refused(dir.path(), "cells-1m.docx", "cells");
    // Spans count: 20 cells spanning 64 columns each make a row 1,280 wide.
    let row = format!(
        "<w:tr>{}</w:tr>",
        r#"<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p/></w:tc>"#.repeat(20)
    );
    zip_file(
        &dir.path().join("spans.docx"),
        &package(document(&format!("<w:tbl>{row}</w:tbl>")), None, false),
    );
    assert_refused(dir.path(), "spans.docx", "cells");
    // A big but real-sized table reads whole.
    let path = write_docx_rows(dir.path(), "rows-1500.docx", 1_500, 10);
    let doc = read(&path).unwrap();
    assert_eq!(rows(&doc), 1_500);
}

fn html_table(rows: usize, cells: usize) -> String {
    let row = format!("<tr>{}</tr>\n", "<td>1".repeat(cells));
    format!(
        "<!DOCTYPE html><html><body><table>\n{}</table></body></html>",
        row.repeat(rows)
    )
}

fn md_table(rows: usize, cells: usize) -> String {
    let row = format!("|{}\n", " 1 |".repeat(cells));
    format!(
        "# 表\n\n|{}\n|{}\n{}",
        " a |".repeat(cells),
        "---|".repeat(cells),
        row.repeat(rows)
    )
}

/// Writes small versions of the hostile HTML and Markdown cases into
/// `tests/fixtures/hostile-markup/`, seeds of the html and text fuzz targets
/// (`fuzz/seed-corpus.sh` copies them): the same code paths, within the budgets.
#[test]
#[ignore]
fn write_markup_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-markup");
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        (
            "rowspan0.html",
            format!(
                "<html><body><table><tr>{}</tr>{}</table></body></html>",
                r#"<td rowspan="0">x</td>"#.repeat(10),
                "<tr><td>1</td></tr>".repeat(20)
            ),
        ),
        (
            "colspan.html",
            r#"<html><body><table><tr><td colspan="10">x</td><td colspan="999">y</td></tr></table></body></html>"#.into(),
        ),
        ("wide.html", html_table(3, 200)),
        ("narrow.md", md_table(200, 3)),
        (
            "tables.md",
            "正文\n<table><tr><td>项目</td><td>1</td></tr></table>\n".repeat(30),
        ),
        (
            "span.md",
            format!("<table><tr><td>a</td><td>{}1</td></tr></table>\n", "<span/>".repeat(200)),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn huge_html_and_markdown_tables_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    // Every cell of the first row runs to the end of the table: 5,000 rows × 1,000 columns.
    write(
        "rowspan0.html",
        format!(
            "<html><body><table><tr>{}</tr>{}</table></body></html>",
            r#"<td rowspan="0">x</td>"#.repeat(1_000),
            "<tr><td>1</td></tr>".repeat(5_000)
        ),
    );
    write(
        "colspan.html",
        format!(
            "<html><body><table>{}</table></body></html>",
            r#"<tr><td colspan="1000">x</td><td colspan="99999">y</td></tr>"#.repeat(200)
        ),
    );
    write("wide.html", html_table(100, 100_000));
    write("narrow.html", html_table(100_000, 100));
    write("wide.md", md_table(100, 100_000));
    write("narrow.md", md_table(100_000, 100));
    for (name, reason) in [
        ("rowspan0.html", "cells"),
        ("colspan.html", "cells"),
        ("wide.html", "cells"),
        ("narrow.html", "cells"),
        ("wide.md", "cells"),
        ("narrow.md", "cells"),
    ] {
        assert_refused(dir.path(), name, reason);
    }
    // `rowspan="0"` runs to the end of its section, not of the table.
    write(
        "sections.html",
        "<html><body><table><thead><tr><td rowspan=0>h</td><td>1</td></tr><tr><td>2</td></tr></thead>\
         <tbody><tr><td>a</td><td>b</td></tr></tbody></table></body></html>"
            .into(),
    );
    let doc = read(&dir.path().join("sections.html")).unwrap();
    assert_eq!(texts(&doc), ["h|1", "|2", "a|b"]);
}

#[test]
fn many_tables_and_tags_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let small = "正文\n<table><tr><td>项目</td><td>1</td></tr></table>\n";
    std::fs::write(dir.path().join("tables.md"), small.repeat(15_000)).unwrap();
    let doc = read(&dir.path().join("tables.md")).unwrap();
    assert_eq!(rows(&doc), 15_000);
    // Lines stay right: the last row is on the last table's line.
    assert_eq!(doc.blocks.last().unwrap().line(), 30_000);
    // Self-closing tags: void ones are nothing, others nest in HTML (refused when too deep).
    let wrap = |tag: &str| {
        format!(
            "<table><tr><td>a</td><td>{}1</td></tr></table>\n",
            tag.repeat(100_000)
        )
    };
    std::fs::write(dir.path().join("br.md"), wrap("<br/>")).unwrap();
    let doc = read(&dir.path().join("br.md")).unwrap();
    assert_eq!(texts(&doc), ["a|1"]);
    std::fs::write(dir.path().join("span.md"), wrap("<span/>")).unwrap();
    assert_refused(dir.path(), "span.md", "nested");
    std::fs::write(
        dir.path().join("tables-selfclosed.md"),
        "<table/>".repeat(100_000),
    )
    .unwrap();
    let (code, err) = run(&["convert", "tables-selfclosed.md", "-o", "out/"], dir.path());
    assert!(code.is_some() && !err.contains("panicked"), "{err}");
}

#[test]
fn good_markup_is_not_refused_for_nesting() {
    let dir = tempfile::tempdir().unwrap();
    // 600 unclosed paragraphs and cells, scripts holding `<`, OCR `<u>` left open in cells.
    let mut html = String::from("<!DOCTYPE html><html><head><script>");
    html.push_str(&"if (a<b && c<d) { s = '<div>'; }\n".repeat(600));
    html.push_str("</script></head><body><!-- <div> <div> -->");
    html.push_str(&"<p>段落".repeat(600));
    html.push_str("<table>");
    for i in 0..600 {
        html.push_str(&format!("<tr><td><u>项目{i}<td>{i}"));
    }
    html.push_str("</table></body></html>");
    std::fs::write(dir.path().join("page.html"), &html).unwrap();
    let doc = read(&dir.path().join("page.html")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows(&doc), 600);
    assert!(texts(&doc).contains(&"项目599|599".to_string()));
    // The same in Markdown: text with `<` and an open `<u>` outside the tables.
    let md = format!(
        "# 报告\n{}\n<table>{}</table>\n",
        "比例 <5% 的 <u>下划线\n".repeat(600),
        "<tr><td><u>项目<td>1</tr>".repeat(600)
    );
    std::fs::write(dir.path().join("ocr.md"), md).unwrap();
    let doc = read(&dir.path().join("ocr.md")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows(&doc), 600);
}

#[test]
fn a_batch_goes_on_beside_the_hostile_files() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for (name, bytes, _) in small_docx_cases() {
        std::fs::write(inputs.join(name), bytes).unwrap();
    }
    std::fs::write(inputs.join("wide.md"), md_table(10, 5_000)).unwrap();
    std::fs::copy(fixture("docx/huaian-libreoffice.docx"), inputs.join("good.docx")).unwrap();
    let (code, err) = run(&["convert", "in", "--to", "json", "-o", "out/"], dir.path());
    assert_eq!(code, Some(3), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(dir.path().join("out/good.json").exists(), "{err}");
    assert!(
        err.contains("document-truncated.docx") && err.contains("wide.md"),
        "{err}"
    );
}
