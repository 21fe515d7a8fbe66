//! The PDF text-layer reader: the Huaian report read from its PDF, and PDFs it must refuse.

use crate::common;

use common::{assert_whole_huaian, fixture, huaian_expected, read, table_mismatches};
use nianbao::read::RawBlock;

fn dump(doc: &nianbao::read::RawDoc) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            RawBlock::Text { line, text, .. } => out.push_str(&format!("{line:4} T {text}\n")),
            RawBlock::Row { line, cells, .. } => out.push_str(&format!("{line:4} R {}\n", cells.join(" | "))),
        }
    }
    out
}

#[test]
fn huaian_pdf_gives_every_cell_in_place() {
    let path = fixture("huaian-2024/report.pdf");
    if std::env::var_os("PDF_DUMP").is_some() {
        let doc = nianbao::read::pdf::read(&std::fs::read(&path).unwrap()).unwrap();
        println!("{}", dump(&doc));
    }
    let report = read(&path);
    assert_whole_huaian(&report);
    // The prose comes out as pdftotext -layout gives it.
    let layout = read(&fixture("huaian-2024/layout.txt"));
    assert_eq!(report.title, layout.title);
    assert_eq!(report.sections, layout.sections);
}

#[test]
fn libreoffice_pdf_gives_every_cell_in_place() {
    // Made with `soffice --headless --convert-to pdf tests/fixtures/docx/huaian-libreoffice.docx`.
    let path = fixture("inputs/huaian-libreoffice.pdf");
    if std::env::var_os("PDF_DUMP").is_some() {
        let doc = nianbao::read::pdf::read(&std::fs::read(&path).unwrap()).unwrap();
        println!("{}", dump(&doc));
    }
    let report = read(&path);
    assert_whole_huaian(&report);
}

#[test]
fn an_encrypted_pdf_with_object_streams_gives_every_cell_in_place() {
    // Offices often publish PDFs locked against copying (an owner password only).
    // Made with `qpdf --object-streams=generate --encrypt "" owner 256 --
    // tests/fixtures/huaian-2024/report.pdf`: AES-256, its objects in object streams, which
    // lopdf expands itself for an encrypted file.
    let report = read(&fixture("inputs/huaian-encrypted.pdf"));
    assert_whole_huaian(&report);
}

use lopdf::{Dictionary, Document, Object, Stream, dictionary};

/// A one-page PDF whose page uses `font` as /F1 and draws `content`; `extra` objects may
/// be added by the caller through the closure.
fn one_page_pdf(font: impl FnOnce(&mut Document) -> Dictionary, content: &str) -> Vec<u8> {
    rotated_page_pdf(font, content, 0)
}

/// [`one_page_pdf`] with the page's /Rotate.
fn rotated_page_pdf(font: impl FnOnce(&mut Document) -> Dictionary, content: &str, rotate: i64) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = font(&mut doc);
    let font_id = doc.add_object(font);
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "Rotate" => rotate,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

fn type0_font(doc: &mut Document, to_unicode: Option<&str>) -> Dictionary {
    let cid = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "SimSun",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "DW" => 1000,
    });
    let mut font = dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "SimSun",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid.into()],
    };
    if let Some(cmap) = to_unicode {
        let id = doc.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
        font.set("ToUnicode", id);
    }
    font
}

const CMAP: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <89C4> <0002> <7AE0> endbfchar
1 beginbfrange <0010> <0019> <0030> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

fn unusable(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.pdf");
    std::fs::write(&path, bytes).unwrap();
    match nianbao::read_report(&path, &nianbao::Forms::builtin(), &nianbao::Options::default()) {
        // Refused: no usable report, or a limit passed.
        Err(e) if matches!(e.kind(), nianbao::ErrorKind::Unusable | nianbao::ErrorKind::Limit) => {
            let reason = e.message().to_string();
            assert!(!reason.is_empty() && !reason.contains('\n'), "{reason:?}");
            reason
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn glyphs_become_cells_by_position_not_drawing_order() {
    // 规章 at x=72, then "11" drawn first at x=300 and "1" at x=200 — out of order.
    let content = "BT /F1 10 Tf 1 0 0 1 300 700 Tm <00110011> Tj 1 0 0 1 72 700 Tm <00010002> Tj \
                   ET BT /F1 10 Tf 200 700 Td <0011> Tj ET";
    let bytes = one_page_pdf(|d| type0_font(d, Some(CMAP)), content);
    let doc = nianbao::read::pdf::read(&bytes).unwrap();
    match &doc.blocks[..] {
        [
            RawBlock::Row {
                cells, exact: false, ..
            },
        ] => assert_eq!(cells, &["规章", "1", "11"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_type0_font_without_tounicode_is_unusable_naming_page_and_font() {
    let bytes = one_page_pdf(|d| type0_font(d, None), "BT /F1 12 Tf 72 700 Td <00010002> Tj ET");
    let reason = unusable(&bytes);
    assert!(
        reason.contains("第 1 页") && reason.contains("F1") && reason.contains("SimSun"),
        "{reason}"
    );
    assert!(reason.contains("ToUnicode"), "{reason}");
}

#[test]
fn a_simple_font_with_a_custom_encoding_and_no_tounicode_is_unusable() {
    let font = |_: &mut Document| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "TrueType",
            "BaseFont" => "ABCDEF+FangSong",
            "FirstChar" => 1,
            "LastChar" => 2,
            "Widths" => vec![1000.into(), 1000.into()],
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "Differences" => vec![1.into(), Object::Name(b"g101".to_vec()), Object::Name(b"g102".to_vec())],
            },
        }
    };
    let bytes = one_page_pdf(font, "BT /F1 12 Tf 72 700 Td (\\001\\002) Tj ET");
    let reason = unusable(&bytes);
    assert!(
        reason.contains("第 1 页") && reason.contains("F1 (FangSong)"),
        "{reason}"
    );
}

#[test]
fn a_standard_font_reads_through_its_encoding() {
    let font = |_: &mut Document| {
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" }
    };
    let bytes = one_page_pdf(font, "BT /F1 12 Tf 72 700 Td (Hello world) Tj ET");
    let doc = nianbao::read::pdf::read(&bytes).unwrap();
    match &doc.blocks[..] {
        [RawBlock::Text { text, .. }] => assert_eq!(text, "Hello world"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_pdfs_are_unusable_without_panicking() {
    // Truncated: the first third of a real report.
    let real = std::fs::read(fixture("huaian-2024/report.pdf")).unwrap();
    unusable(&real[..real.len() / 3]);
    // Not a PDF at all.
    unusable(b"%PDF-1.4\ngarbage\n");
    unusable(b"");

    // A page tree that contains itself, and a form XObject that draws itself.
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let form_id = doc.new_object_id();
    doc.objects.insert(
        form_id,
        Object::Stream(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
            },
            b"/X1 Do /X1 Do".to_vec(),
        )),
    );
    let content_id = doc.add_object(Stream::new(dictionary! {}, b"q /X1 Do Q".to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into(), pages_id.into()],
            "Count" => 2,
            "Parent" => pages_id,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let reason = unusable(&bytes);
    assert!(reason.contains("text layer"), "{reason}");
}

#[test]
fn a_pdf_without_tounicode_exits_2_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-map.pdf");
    std::fs::write(
        &path,
        one_page_pdf(|d| type0_font(d, None), "BT /F1 12 Tf 72 700 Td <0001> Tj ET"),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["check", path.to_str().unwrap()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(err.contains("F1") && !err.contains("panicked"), "{err}");
}

#[test]
fn a_rotated_page_reads_in_display_order() {
    // /Rotate 90: upright text is drawn running up the page; the line further right in user
    // space is lower on the displayed page.
    let content = "BT /F1 10 Tf 0 1 -1 0 120 100 Tm <0011> Tj 0 1 -1 0 100 100 Tm <00010002> Tj \
                   0 1 -1 0 100 300 Tm <0012> Tj ET";
    let bytes = rotated_page_pdf(|d| type0_font(d, Some(CMAP)), content, 90);
    let doc = nianbao::read::pdf::read(&bytes).unwrap();
    let lines: Vec<_> = doc
        .blocks
        .iter()
        .map(|b| match b {
            RawBlock::Row { cells, .. } => cells.join("|"),
            RawBlock::Text { text, .. } => text.clone(),
        })
        .collect();
    assert_eq!(lines, ["规章|2", "1"]);
}

#[test]
fn a_pdf_written_by_nianbao_reads_back_to_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("huaian.pdf");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args([
            "convert",
            fixture("huaian-2024/layout.txt").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let report = read(&out);
    let bad = table_mismatches(&report, &huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{} wrong:\n{}", bad.len(), bad.join("\n"));
    assert!(
        !nianbao::diag::has_errors(&report.diagnostics),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn a_gbk_cmap_font_reads_without_tounicode() {
    let font = |d: &mut Document| {
        let mut f = type0_font(d, None);
        f.set("Encoding", "GBK-EUC-H");
        f
    };
    // 规章 in GBK, then ASCII "12" as one-byte codes.
    let bytes = one_page_pdf(font, "BT /F1 10 Tf 72 700 Td <B9E6D5C2> Tj 100 0 Td (12) Tj ET");
    let doc = nianbao::read::pdf::read(&bytes).unwrap();
    match &doc.blocks[..] {
        [RawBlock::Row { cells, .. }] => assert_eq!(cells, &["规章", "12"]),
        other => panic!("{other:?}"),
    }
}
