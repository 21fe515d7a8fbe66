//! Hostile inputs: each is refused with exit 2 and a one-line reason naming the file, no
//! panic, no output; in a batch the good files beside them still convert.

use crate::common;

use std::io::Write;
use std::path::Path;

use common::{fixture, nianbao};

fn zip_file(path: &Path, entries: &mut dyn Iterator<Item = (String, Vec<u8>)>) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(name, opts).unwrap();
        z.write_all(&data).unwrap();
    }
    z.finish().unwrap();
}

/// A minimal DOCX skeleton with the given document body.
fn docx_parts(body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let ct = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let mut doc = br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#.to_vec();
    doc.extend_from_slice(body);
    doc.extend_from_slice(b"</w:body></w:document>");
    vec![
        ("[Content_Types].xml".into(), ct.to_vec()),
        ("_rels/.rels".into(), rels.to_vec()),
        ("word/document.xml".into(), doc),
    ]
}

fn loop_pdf() -> Vec<u8> {
    let objs: [&[u8]; 3] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /Kids [2 0 R] /Contents 3 0 R >>",
    ];
    common::pdf_of_objects(&objs)
}

/// The hostile files, each with a word its refusal must contain.
fn hostile(dir: &Path) -> Vec<(&'static str, &'static str)> {
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::write(
        dir.join("binary.txt"),
        (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    std::fs::write(
        dir.join("invalid-utf8.txt"),
        [b'a', 0xC3, 0x28, 0xA0, 0xA1, b'\n', 0xFF, 0xFE, 0xFD].repeat(50),
    )
    .unwrap();
    std::fs::write(
        dir.join("truncated.docx"),
        &std::fs::read(fixture("docx/huaian-libreoffice.docx")).unwrap()[..2000],
    )
    .unwrap();
    let bomb = docx_parts(b"<w:p/>")
        .into_iter()
        .chain([("word/media/bomb.bin".to_string(), vec![0u8; 300 << 20])]);
    zip_file(&dir.join("bomb.docx"), &mut bomb.into_iter());
    let many = docx_parts(b"<w:p/>")
        .into_iter()
        .chain((0..10_000).map(|i| (format!("word/x/{i}.xml"), b"<a/>".to_vec())));
    zip_file(&dir.join("many.docx"), &mut many.into_iter());
    let deep = [b"<w:p>".repeat(100_000), b"</w:p>".repeat(100_000)].concat();
    zip_file(&dir.join("deep.docx"), &mut docx_parts(&deep).into_iter());
    let mut big = std::fs::File::create(dir.join("big.txt")).unwrap();
    let line = "行政规范性文件\t1\t2\t3\n".repeat(1000);
    for _ in 0..(100 << 20) / line.len() + 1 {
        big.write_all(line.as_bytes()).unwrap();
    }
    std::fs::write(dir.join("loop.pdf"), loop_pdf()).unwrap();
    std::fs::write(
        dir.join("wrong-types.json"),
        br#"{"form": "2021", "title": 5, "sections": {}, "tables": {}}"#,
    )
    .unwrap();
    vec![
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("invalid-utf8.txt", "UTF-8"),
        ("truncated.docx", "DOCX"),
        ("bomb.docx", "zip bomb"),
        ("many.docx", "entries"),
        ("deep.docx", "nested"),
        ("big.txt", "larger than"),
        ("loop.pdf", "PDF"),
        ("wrong-types.json", "title"),
    ]
}

#[test]
fn every_hostile_input_is_refused_and_the_good_files_still_convert() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let cases = hostile(&inputs);
    std::fs::copy(fixture("huaian-2024/layout.txt"), inputs.join("good-huaian.txt")).unwrap();
    std::fs::copy(fixture("docx/huaian-libreoffice.docx"), inputs.join("good.docx")).unwrap();

    for (name, reason) in &cases {
        let o = nianbao(&["convert", &format!("in/{name}"), "-o", "single/"], dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        common::assert_one_line_refusal(o.status.code(), &err, name, reason);
    }
    assert!(
        !dir.path().join("single").exists()
            || std::fs::read_dir(dir.path().join("single"))
                .unwrap()
                .next()
                .is_none()
    );

    let o = nianbao(&["convert", "in", "--to", "json,docx", "-o", "out/"], dir.path());
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let written: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut written = written;
    written.sort();
    assert_eq!(
        written,
        ["good-huaian.docx", "good-huaian.json", "good.docx", "good.json"]
    );
    // Inputs are never modified.
    assert_eq!(
        std::fs::read(inputs.join("good-huaian.txt")).unwrap(),
        std::fs::read(fixture("huaian-2024/layout.txt")).unwrap()
    );
}
