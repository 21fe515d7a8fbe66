//! Hostile PDFs (issue 13): each is built here, run through the binary under a deadline, and
//! must be refused with exit 2 and one line naming the file and the reason, or read right,
//! in bounded time and memory.

use crate::common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A stream object; `dict` is the dictionary's inside, without /Length and /Filter.
fn stream(dict: &str, data: &[u8], compress: bool) -> Vec<u8> {
    let (data, filter) = if compress {
        (deflate(data), " /Filter /FlateDecode")
    } else {
        (data.to_vec(), "")
    };
    let mut out = format!("<< {dict} /Length {}{filter} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A one-page PDF: objects 1–5 are the catalog, pages, page, content and font /F1; the
/// page's /XObject /X1 is object 6 when `extra` has one. `extra` objects follow from 6.
fn page_pdf(content: &[u8], font: &str, extra: Vec<Vec<u8>>) -> Vec<u8> {
    let xobject = if extra.is_empty() {
        ""
    } else {
        " /XObject << /X1 6 0 R >>"
    };
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >>{xobject} >> >>"
        )
        .into_bytes(),
        stream("", content, true),
        font.as_bytes().to_vec(),
    ];
    objs.extend(extra);
    common::pdf_of_objects(&objs)
}

const HELVETICA: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A Type0 font whose ToUnicode map is object 6 and descendant object 7.
const TYPE0: &str = "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H \
     /DescendantFonts [7 0 R] /ToUnicode 6 0 R >>";
const CID: &[u8] = b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /DW 1000 \
     /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>";

/// A Type0 font's page whose ToUnicode CMap is `cmap`, showing codes 1 and 2.
fn cmap_pdf(cmap: &[u8]) -> Vec<u8> {
    page_pdf(
        b"BT /F1 12 Tf 72 700 Td <00010002> Tj ET",
        TYPE0,
        vec![stream("", cmap, true), CID.to_vec()],
    )
}

/// A ToUnicode map of `n` bfrange entries, each claiming every two-byte code.
fn bfrange_pdf(n: usize) -> Vec<u8> {
    let mut cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
        1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        .to_vec();
    for chunk in 0..n.div_ceil(100) {
        let k = (n - chunk * 100).min(100);
        cmap.extend(format!("{k} beginbfrange\n").bytes());
        for _ in 0..k {
            cmap.extend_from_slice(b"<0000> <FFFF> <4E00>\n");
        }
        cmap.extend_from_slice(b"endbfrange\n");
    }
    cmap.extend_from_slice(b"endcmap CMapName currentdict /CMap defineresource pop end end\n");
    cmap_pdf(&cmap)
}

/// A ToUnicode map of `mb` MB of `[`.
fn bracket_cmap_pdf(mb: usize) -> Vec<u8> {
    cmap_pdf(&vec![b'['; mb << 20])
}

/// `n` short lines of text on one page.
fn lines_pdf(n: usize) -> Vec<u8> {
    let mut content = b"BT /F1 10 Tf 12 TL 50 800 Td\n".to_vec();
    for i in 0..n {
        content.extend(format!("(line {i}) Tj T*\n").bytes());
    }
    content.extend_from_slice(b"ET");
    page_pdf(&content, HELVETICA, vec![])
}

/// An object stream (object 6, referenced by nothing) holding one array of `mb` MB.
fn objstm_pdf(mb: usize) -> Vec<u8> {
    let mut data = b"8 0\n[".to_vec();
    data.extend(b"0 ".repeat(mb << 19));
    data.push(b']');
    page_pdf(
        b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET",
        HELVETICA,
        vec![stream("/Type /ObjStm /N 1 /First 4", &data, true)],
    )
}

/// A form XObject of `mb` MB (mostly blanks) drawn `n` times.
fn xobject_pdf(n: usize, mb: usize) -> Vec<u8> {
    let mut form = vec![b' '; mb << 20];
    form.extend_from_slice(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET");
    let content = b"q /X1 Do Q\n".repeat(n);
    page_pdf(
        &content,
        HELVETICA,
        vec![stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>",
            &form,
            true,
        )],
    )
}

/// Runs `nianbao convert` on `file` in `dir` with a deadline; (exit code, stderr, elapsed).
fn convert(dir: &Path, file: &str) -> (Option<i32>, String, Duration) {
    let (o, took) = common::nianbao_within(&["convert", file, "-o", "out/"], dir, &[]);
    (o.status.code(), common::stderr(&o), took)
}

/// Asserts that `bytes`, written as `name`, is refused: exit 2, one line naming the file and
/// holding `reason`.
fn assert_refused(name: &str, bytes: &[u8], reason: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let (code, err, took) = convert(dir.path(), name);
    common::assert_one_line_refusal(code, &err, name, reason);
    eprintln!("{name}: refused in {took:?}");
}

/// A plain (uncompressed, top-level) array of `mb` MB, referenced by nothing.
fn plain_array_pdf(mb: usize) -> Vec<u8> {
    let mut array = b"[".to_vec();
    array.extend(b"0 ".repeat(mb << 19));
    array.push(b']');
    page_pdf(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET", HELVETICA, vec![array])
}

/// An object stream of 4 MB whose index points `n` times at the same array.
fn objstm_index_pdf(n: usize) -> Vec<u8> {
    let index: String = (0..n).map(|i| format!("{} 0 ", 8 + i)).collect();
    let mut data = index.into_bytes();
    let first = data.len();
    data.push(b'[');
    data.extend(b"0 ".repeat(2 << 20));
    data.push(b']');
    page_pdf(
        b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET",
        HELVETICA,
        vec![stream(
            &format!("/Type /ObjStm /N {n} /First {first}"),
            &data,
            true,
        )],
    )
}

/// The text the reader finds in `bytes`, line by line.
fn read_lines(bytes: &[u8]) -> Vec<String> {
    let doc = nianbao::read::pdf::read(bytes).unwrap_or_else(|e| panic!("{e}"));
    doc.blocks
        .iter()
        .map(|b| match b {
            nianbao::read::RawBlock::Text { text, .. } => text.clone(),
            nianbao::read::RawBlock::Row { cells, .. } => cells.join("|"),
        })
        .collect()
}

#[test]
fn a_tounicode_map_of_thousands_of_full_ranges_is_refused() {
    assert_refused("bfrange-3000.pdf", &bfrange_pdf(3_000), "ToUnicode");
    assert_refused("bfrange-10000.pdf", &bfrange_pdf(10_000), "ToUnicode");
}

#[test]
fn a_tounicode_map_of_63_mb_of_brackets_is_refused() {
    assert_refused("brackets.pdf", &bracket_cmap_pdf(63), "ToUnicode");
}

#[test]
fn a_modest_tounicode_map_still_reads() {
    // 100 ranges of 256 codes each, and codes 1 and 2 mapped by the first.
    let mut cmap = b"100 beginbfrange\n".to_vec();
    for k in 0..100u32 {
        cmap.extend(
            format!(
                "<{:04X}> <{:04X}> <{:04X}>\n",
                k * 256,
                k * 256 + 255,
                0x4E00 + k * 256
            )
            .bytes(),
        );
    }
    cmap.extend_from_slice(b"endbfrange\n");
    assert_eq!(read_lines(&cmap_pdf(&cmap)), vec!["丁丂"]);
}

#[test]
fn a_page_of_100000_lines_is_refused() {
    assert_refused("lines.pdf", &lines_pdf(100_000), "glyphs");
}

#[test]
fn three_thousand_lines_on_a_page_read_in_order() {
    let lines = read_lines(&lines_pdf(3_000));
    assert_eq!(lines.len(), 3_000);
    assert_eq!(lines[2_999], "line 2999");
}

#[test]
fn an_object_stream_inflating_to_64_mb_is_refused() {
    assert_refused("objstm.pdf", &objstm_pdf(64), "object stream");
}

#[test]
fn an_object_stream_indexing_one_array_many_times_is_refused() {
    assert_refused("objstm-index.pdf", &objstm_index_pdf(4), "object stream");
}

#[test]
fn an_encrypted_pdf_whose_object_stream_inflates_to_8_mb_is_refused() {
    // lopdf decrypts and expands an encrypted file's object streams without the load
    // filter; they are held to a share of 2 MB. Made with `qpdf --object-streams=generate
    // --encrypt "" owner 256` from a page whose dictionary refers to an array of 4 million
    // zeros (parsed, 1 GB).
    let bytes = std::fs::read(common::fixture("hostile-pdf/encrypted-objstm.pdf")).unwrap();
    assert_refused("encrypted-objstm.pdf", &bytes, "object streams");
}

#[test]
fn an_operation_with_millions_of_operands_is_refused() {
    // One `TJ` whose array holds 8 million zeros: lopdf would parse it into one list of 1 GB.
    let mut content = b"BT /F1 12 Tf 72 700 Td [".to_vec();
    content.extend(b"0 ".repeat(8 << 20));
    content.extend_from_slice(b"] TJ ET");
    assert_refused("operands.pdf", &page_pdf(&content, HELVETICA, vec![]), "operand");
}

#[test]
fn a_plain_array_of_millions_of_values_is_refused() {
    assert_refused("array.pdf", &plain_array_pdf(40), "values");
}

#[test]
fn a_big_form_drawn_100_times_is_refused_and_a_small_one_reads() {
    assert_refused("xobject.pdf", &xobject_pdf(100, 60), "content");
    // A small form drawn 100 times at the same place: one line.
    assert_eq!(read_lines(&xobject_pdf(100, 0)), vec!["Hello"]);
}

/// Writes the hostile files at their full sizes into `$HOSTILE_PDF_DIR`, to measure by hand
/// (`/usr/bin/time -v nianbao convert …`).
#[test]
#[ignore]
fn write_hostile_pdfs() {
    let dir = std::env::var("HOSTILE_PDF_DIR").expect("HOSTILE_PDF_DIR");
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("bfrange-3000.pdf", bfrange_pdf(3_000)),
        ("bfrange-10000.pdf", bfrange_pdf(10_000)),
        ("lines-100000.pdf", lines_pdf(100_000)),
        ("objstm-250mb.pdf", objstm_pdf(250)),
        ("xobject-100.pdf", xobject_pdf(100, 60)),
        ("cmap-brackets-63mb.pdf", bracket_cmap_pdf(63)),
        ("array-40mb.pdf", plain_array_pdf(40)),
        ("objstm-index.pdf", objstm_index_pdf(4)),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Writes small versions of the hostile files into tests/fixtures/hostile-pdf/, the pdf fuzz
/// target's seeds (fuzz/seed-corpus.sh copies them): they reach the same code paths without
/// passing the budgets.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("bfrange.pdf", bfrange_pdf(2)),
        ("brackets.pdf", cmap_pdf(&[b'['; 4096])),
        ("lines.pdf", lines_pdf(300)),
        ("objstm.pdf", objstm_pdf(0)),
        (
            "array.pdf",
            page_pdf(
                b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET",
                HELVETICA,
                vec![b"[0 0 0 0]".to_vec()],
            ),
        ),
        ("xobject.pdf", xobject_pdf(20, 0)),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Prints how long the reader takes per seed PDF (what bounds the fuzz target's runs/s).
#[test]
#[ignore]
fn time_seed_reads() {
    for name in ["huaian-2024/report.pdf", "inputs/huaian-libreoffice.pdf"] {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap();
        let start = Instant::now();
        let runs = 20;
        for _ in 0..runs {
            let _ = nianbao::read::pdf::read(&bytes);
        }
        eprintln!("{name}: {:?} a read", start.elapsed() / runs);
        // A damaged copy, as a fuzzer makes: bytes flipped in the cross-reference table.
        let mut bad = bytes.clone();
        let n = bad.len();
        for b in &mut bad[n - 2000..n - 100] {
            if b.is_ascii_digit() {
                *b = b'7';
            }
        }
        let start = Instant::now();
        for _ in 0..runs {
            let _ = nianbao::read::pdf::read(&bad);
        }
        eprintln!("{name} (xref damaged): {:?} a read", start.elapsed() / runs);
    }
}
