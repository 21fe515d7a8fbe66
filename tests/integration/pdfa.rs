//! PDF/A-2b (issue 16): every requirement listed in docs/pdfa.md, checked by reading back the
//! PDFs that `nianbao convert --pdfa` writes of every seed and of Huai'an's report, plus the
//! text still extractable, `pdffonts` and Ghostscript's PDF/A conversion (each skipped with a
//! printed reason where the tool is missing). No validator (veraPDF) runs here.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Dictionary, Document, Object};
use nianbao::model::Block;
use nianbao::style::Style;
use nianbao::write::{Context, pdf};
use nianbao::{Forms, Options};

/// One PDF written by the binary: its name (the input's stem), path and bytes.
struct Written {
    name: String,
    path: PathBuf,
    bytes: Vec<u8>,
}

/// Every seed and Huai'an's text-layer PDF, converted in one run with `--pdfa` into `dir`.
fn write_all(dir: &Path) -> Vec<Written> {
    let mut inputs: Vec<PathBuf> = common::seeds().into_iter().map(|(_, p)| p).collect();
    inputs.push(common::fixture("huaian-2024/report.pdf"));
    let out = dir.join("out");
    let mut args: Vec<String> = vec!["convert".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--to", "pdf", "--pdfa", "-o"].map(String::from));
    args.push(format!("{}/", out.display()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = common::nianbao(&args, dir);
    assert!(o.status.code().is_some(), "{}", common::stderr(&o));
    inputs
        .iter()
        .map(|input| {
            let name = input.file_stem().unwrap().to_string_lossy().into_owned();
            let path = out.join(format!("{name}.pdf"));
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), common::stderr(&o)));
            Written { name, path, bytes }
        })
        .collect()
}

/// A PDF text string as text: UTF-16BE after a byte order mark, else PDFDocEncoding (only its
/// ASCII part is used here).
fn text_of(o: &Object) -> String {
    let bytes = o.as_str().expect("a string");
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => {
            let units: Vec<u16> = rest.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).expect("UTF-16")
        }
        None => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// A date as (year, month, day, hour, minute, second) in UTC, from the document
/// information's `D:YYYYMMDDHHmmSS` + `Z` or `±HH'mm'`, or XMP's `YYYY-MM-DDTHH:mm:SS` +
/// `Z` or `±HH:mm`.
fn instant(date: &str) -> i64 {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    let n = |a: usize, b: usize| digits[a..b].parse::<i64>().unwrap();
    let (y, mo, d, h, mi, s) = (n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14));
    let offset = if date.ends_with('Z') || digits.len() == 14 {
        0
    } else {
        let sign = if date[date.len() - 7..].contains('-') {
            -1
        } else {
            1
        };
        sign * (n(14, 16) * 60 + n(16, 18))
    };
    // Days from civil (H. Hinnant), then seconds.
    let (yy, mm) = if mo <= 2 { (y - 1, mo + 9) } else { (y, mo - 3) };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + s - offset * 60
}

/// The XMP packet's properties: each child of an `rdf:Description` by its qualified name,
/// its text (an `rdf:li`'s, with its `xml:lang` or "" where it has none); and every
/// namespace the packet declares. Panics if the XML is not well formed.
#[derive(Default)]
struct Xmp {
    props: BTreeMap<String, Vec<(String, String)>>,
    namespaces: Vec<String>,
}

fn parse_xmp(xml: &str) -> Xmp {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut xmp = Xmp::default();
    let mut stack: Vec<String> = Vec::new();
    let mut lang = String::new();
    let mut text = String::new();
    loop {
        match reader.read_event().expect("well-formed XMP") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                lang.clear();
                for a in e.attributes() {
                    let a = a.unwrap();
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    let value = a
                        .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, reader.decoder())
                        .unwrap()
                        .into_owned();
                    if key == "xml:lang" {
                        lang = value;
                    } else if key.starts_with("xmlns:") {
                        xmp.namespaces.push(value);
                    }
                }
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                text.push(match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => r.resolve_char_ref().unwrap().expect("a known reference"),
                });
            }
            Event::End(_) => {
                let name = stack.pop().unwrap();
                if let Some(i) = stack.iter().position(|n| n == "rdf:Description") {
                    let simple = i + 1 == stack.len();
                    let prop = if simple {
                        name.clone()
                    } else {
                        stack[i + 1].clone()
                    };
                    if name == "rdf:li" || simple && !text.trim().is_empty() {
                        xmp.props
                            .entry(prop)
                            .or_default()
                            .push((lang.clone(), text.trim().to_string()));
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    xmp
}

/// The one value of an XMP property (`lang` "" for a simple or ordered one).
fn xmp_value<'a>(xmp: &'a Xmp, prop: &str, lang: &str) -> Option<&'a str> {
    xmp.props
        .get(prop)?
        .iter()
        .find(|(l, _)| l == lang)
        .map(|(_, v)| v.as_str())
}

/// Every operator of the PDF 1.7 reference (Annex A).
const OPERATORS: &[&str] = &[
    "b", "B", "b*", "B*", "BDC", "BI", "BMC", "BT", "BX", "c", "cm", "CS", "cs", "d", "d0", "d1", "Do", "DP",
    "EI", "EMC", "ET", "EX", "f", "F", "f*", "G", "g", "gs", "h", "i", "ID", "j", "J", "K", "k", "l", "m",
    "M", "MP", "n", "q", "Q", "re", "RG", "rg", "ri", "s", "S", "SC", "sc", "SCN", "scn", "sh", "T*", "Tc",
    "Td", "TD", "Tf", "Tj", "TJ", "TL", "Tm", "Tr", "Ts", "Tw", "Tz", "v", "w", "W", "W*", "y", "'", "\"",
];

/// Checks the requirements of docs/pdfa.md (their numbers in the messages) on one file;
/// `claims` is whether its XMP must claim PDF/A-2b.
fn assert_pdfa(name: &str, bytes: &[u8], claims: bool) {
    // 1. Header and binary comment.
    assert!(bytes.starts_with(b"%PDF-1."), "{name}: 1 header");
    assert!((b'0'..=b'7').contains(&bytes[7]), "{name}: 1 version");
    let eol = if bytes[8..].starts_with(b"\r\n") { 10 } else { 9 };
    assert!(matches!(bytes[8], b'\n' | b'\r'), "{name}: 1 EOL after header");
    assert_eq!(bytes[eol], b'%', "{name}: 1 binary comment");
    let comment = bytes[eol + 1..]
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap();
    assert!(
        comment.iter().filter(|&&b| b >= 128).count() >= 4,
        "{name}: 1 binary comment"
    );

    let doc = Document::load_mem(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    // 2, 3. Identifier, no encryption.
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2, "{name}: 2 /ID");
    let (a, b) = (id[0].as_str().unwrap(), id[1].as_str().unwrap());
    assert!(a.len() == 16 && a == b, "{name}: 2 /ID {a:?} {b:?}");
    assert!(!doc.trailer.has(b"Encrypt"), "{name}: 3 encrypted");
    // 4. Nothing after %%EOF but one EOL.
    let end = bytes.windows(5).rposition(|w| w == b"%%EOF").unwrap();
    let tail = &bytes[end + 5..];
    assert!(
        matches!(tail, [] | [b'\n'] | [b'\r'] | [b'\r', b'\n']),
        "{name}: 4 {tail:?} after %%EOF"
    );
    // 5. The cross-reference table where startxref says, one EOL after `xref`.
    let sx = bytes.windows(9).rposition(|w| w == b"startxref").unwrap();
    let offset: usize = String::from_utf8_lossy(&bytes[sx + 9..end])
        .trim()
        .parse()
        .unwrap();
    let at = &bytes[offset..];
    assert!(at.starts_with(b"xref"), "{name}: 5 startxref");
    let after = if at[4..].starts_with(b"\r\n") { 6 } else { 5 };
    assert!(matches!(at[4], b'\n' | b'\r'), "{name}: 5 EOL after xref");
    assert!(at[after].is_ascii_digit(), "{name}: 5 subsection header");

    // 6. Stream keywords and lengths, from the raw bytes, checked against each stream.
    let mut streams = 0;
    for (i, _) in bytes.windows(8).enumerate().filter(|(_, w)| w == b">>stream") {
        let start = i + 8;
        let data = if bytes[start..].starts_with(b"\r\n") {
            start + 2
        } else {
            assert_eq!(bytes[start], b'\n', "{name}: 6 EOL after stream");
            start + 1
        };
        let len_at = bytes[..i].windows(7).rposition(|w| w == b"/Length").unwrap();
        let length: usize = bytes[len_at + 7..i]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect::<String>()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: 6 a direct /Length"));
        let rest = &bytes[data + length..];
        assert!(
            rest.starts_with(b"\nendstream") || rest.starts_with(b"\r\nendstream"),
            "{name}: 6 /Length {length} does not end at EOL + endstream"
        );
        streams += 1;
    }
    assert!(streams > 0, "{name}: 6 no streams found");

    for (&(n, _), object) in &doc.objects {
        let dict = match object {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => {
                // 6. No external stream data; 7. no LZW.
                for key in [b"F".as_slice(), b"FFilter", b"FDecodeParms"] {
                    assert!(!s.dict.has(key), "{name}: 6 object {n} has external data");
                }
                let filters = match s.dict.get(b"Filter") {
                    Ok(Object::Name(f)) => vec![f.clone()],
                    Ok(Object::Array(a)) => a.iter().map(|f| f.as_name().unwrap().to_vec()).collect(),
                    _ => Vec::new(),
                };
                for f in filters {
                    assert_eq!(f, b"FlateDecode", "{name}: 7 object {n} filter");
                }
                Some(&s.dict)
            }
            _ => None,
        };
        assert_limits(name, n, object);
        let Some(dict) = dict else { continue };
        // 9. No embedded files; 20. no actions, JavaScript, forms; 21. no optional content.
        for key in [
            b"EmbeddedFiles".as_slice(),
            b"EF",
            b"JavaScript",
            b"JS",
            b"AA",
            b"OpenAction",
            b"AcroForm",
            b"OCProperties",
            b"Requirements",
            b"NeedsRendering",
            b"XFA",
        ] {
            assert!(
                !dict.has(key),
                "{name}: 9/20/21 object {n} has /{}",
                String::from_utf8_lossy(key)
            );
        }
        let name_of = |k: &[u8]| dict.get(k).and_then(|o| o.as_name()).ok();
        assert_ne!(
            name_of(b"Type"),
            Some(b"Filespec".as_slice()),
            "{name}: 9 object {n}"
        );
        assert!(
            !matches!(
                name_of(b"S"),
                Some(b"Launch" | b"JavaScript" | b"ImportData" | b"ResetForm")
            ),
            "{name}: 20 object {n} is a forbidden action"
        );
        // 13. No transparency; 14. no XObjects.
        if let Ok(Object::Dictionary(gs)) = dict.get(b"ExtGState").map(|o| resolve(&doc, o)) {
            for (_, state) in gs.iter() {
                let state = resolve(&doc, state).as_dict().unwrap();
                assert_opaque(name, state);
            }
        }
        assert_ne!(
            name_of(b"Type"),
            Some(b"ExtGState".as_slice()),
            "{name}: 13 object {n}"
        );
        assert!(!dict.has(b"SMask"), "{name}: 13 object {n} has a soft mask");
        assert!(!dict.has(b"Group"), "{name}: 13 object {n} has a group");
        assert_ne!(
            name_of(b"Type"),
            Some(b"XObject".as_slice()),
            "{name}: 14 object {n}"
        );
        if let Ok(Object::Dictionary(x)) = dict.get(b"XObject").map(|o| resolve(&doc, o)) {
            assert!(x.is_empty(), "{name}: 14 XObjects");
        }
        // 20. No annotations.
        if let Ok(a) = dict.get(b"Annots") {
            assert!(
                resolve(&doc, a).as_array().unwrap().is_empty(),
                "{name}: 20 annotations"
            );
        }
        assert_font(name, &doc, dict);
    }

    // 10. The output intent.
    let catalog = doc.catalog().unwrap();
    let intents = resolve(&doc, catalog.get(b"OutputIntents").expect("10 output intents"))
        .as_array()
        .unwrap();
    assert_eq!(intents.len(), 1, "{name}: 10");
    let intent = resolve(&doc, &intents[0]).as_dict().unwrap();
    assert_eq!(
        intent.get(b"S").unwrap().as_name().unwrap(),
        b"GTS_PDFA1",
        "{name}: 10 /S"
    );
    assert_eq!(
        intent.get(b"Type").unwrap().as_name().unwrap(),
        b"OutputIntent",
        "{name}: 10"
    );
    assert_eq!(
        text_of(intent.get(b"OutputConditionIdentifier").unwrap()),
        "sRGB IEC61966-2.1",
        "{name}: 10"
    );
    let profile = resolve(&doc, intent.get(b"DestOutputProfile").unwrap())
        .as_stream()
        .unwrap();
    assert_eq!(
        profile.dict.get(b"N").unwrap().as_i64().unwrap(),
        3,
        "{name}: 10 /N"
    );
    let icc = profile
        .decompressed_content()
        .unwrap_or_else(|_| profile.content.clone());
    assert_eq!(
        u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize,
        icc.len(),
        "{name}: 10 profile size"
    );
    assert!(icc[8] == 2 || icc[8] == 4, "{name}: 10 ICC version {}", icc[8]);
    assert!(
        matches!(&icc[12..16], b"mntr" | b"prtr"),
        "{name}: 10 profile class"
    );
    assert_eq!(&icc[16..20], b"RGB ", "{name}: 10 profile colour space");
    assert_eq!(&icc[36..40], b"acsp", "{name}: 10 profile signature");

    // 11, 12, 14, 18. The content streams.
    let codes_of = fonts_by_resource(&doc);
    for (page_no, page) in doc.get_pages() {
        let content = doc.get_page_content(page);
        let ops = lopdf::content::Content::decode(&content).unwrap().operations;
        for op in &ops {
            let o = op.operator.as_str();
            assert!(OPERATORS.contains(&o), "{name}: 12 page {page_no} operator {o}");
            assert!(
                !matches!(
                    o,
                    "k" | "K" | "cs" | "CS" | "sc" | "SC" | "scn" | "SCN" | "G" | "g"
                ),
                "{name}: 11 page {page_no} colour operator {o} without its output intent"
            );
            assert!(
                !matches!(o, "Do" | "BI" | "sh" | "gs"),
                "{name}: 14/13 page {page_no} {o}"
            );
            if claims && matches!(o, "Tj" | "TJ" | "'" | "\"") {
                let strings: Vec<&[u8]> = op
                    .operands
                    .iter()
                    .flat_map(|a| match a {
                        Object::Array(v) => v.iter().collect::<Vec<_>>(),
                        other => vec![other],
                    })
                    .filter_map(|s| s.as_str().ok())
                    .collect();
                for s in strings {
                    assert!(
                        s.chunks(2).all(|c| c != [0, 0]),
                        "{name}: 18 page {page_no} draws .notdef"
                    );
                }
            }
            if o == "Tf" {
                let res = op.operands[0].as_name().unwrap();
                assert!(
                    codes_of.iter().any(|c| c.as_slice() == res),
                    "{name}: 15 page {page_no} font not in resources"
                );
            }
        }
    }

    // 22–26. The metadata.
    let metadata = resolve(&doc, catalog.get(b"Metadata").expect("22 metadata"))
        .as_stream()
        .unwrap();
    assert_eq!(
        metadata.dict.get(b"Type").unwrap().as_name().unwrap(),
        b"Metadata",
        "{name}: 22"
    );
    assert_eq!(
        metadata.dict.get(b"Subtype").unwrap().as_name().unwrap(),
        b"XML",
        "{name}: 22"
    );
    assert!(!metadata.dict.has(b"Filter"), "{name}: 22 metadata filtered");
    let xml = std::str::from_utf8(&metadata.content).expect("22 UTF-8");
    let header = &xml[..xml.find("?>").unwrap()];
    assert!(header.starts_with("<?xpacket begin="), "{name}: 22 {header}");
    assert!(
        !header.contains("bytes=") && !header.contains("encoding="),
        "{name}: 22 {header}"
    );
    assert!(
        xml.trim_end().ends_with("<?xpacket end=\"w\"?>"),
        "{name}: 22 trailer"
    );
    let xmp = parse_xmp(xml);
    let (part, conformance) = (
        xmp_value(&xmp, "pdfaid:part", ""),
        xmp_value(&xmp, "pdfaid:conformance", ""),
    );
    if claims {
        assert_eq!((part, conformance), (Some("2"), Some("B")), "{name}: 23");
    } else {
        assert_eq!(
            (part, conformance),
            (None, None),
            "{name}: 18 a file drawing .notdef claims PDF/A"
        );
    }
    for ns in &xmp.namespaces {
        assert!(
            [
                "adobe:ns:meta/",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                "http://purl.org/dc/elements/1.1/",
                "http://ns.adobe.com/xap/1.0/",
                "http://ns.adobe.com/pdf/1.3/",
                "http://www.aiim.org/pdfa/ns/id/",
            ]
            .contains(&ns.as_str()),
            "{name}: 25 namespace {ns}"
        );
    }
    let info = doc
        .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap();
    let info_text = |k: &[u8]| info.get(k).ok().map(text_of);
    let pairs = [
        (b"Title".as_slice(), "dc:title", "x-default"),
        (b"Author", "dc:creator", ""),
        (b"Subject", "dc:description", "x-default"),
        (b"Creator", "xmp:CreatorTool", ""),
        (b"Producer", "pdf:Producer", ""),
    ];
    for (key, prop, lang) in pairs {
        let k = String::from_utf8_lossy(key);
        assert_eq!(
            info_text(key).as_deref(),
            xmp_value(&xmp, prop, lang),
            "{name}: 24 /{k} and {prop}"
        );
    }
    assert!(info_text(b"Title").is_some(), "{name}: 24 a title");
    assert_eq!(
        xmp.props.get("dc:creator").map_or(0, Vec::len),
        usize::from(info.has(b"Author")),
        "{name}: 24 dc:creator is one name"
    );
    for (key, prop) in [
        (b"CreationDate".as_slice(), "xmp:CreateDate"),
        (b"ModDate", "xmp:ModifyDate"),
    ] {
        let pdf_date = info_text(key).expect("24 a date");
        let xmp_date = xmp_value(&xmp, prop, "").expect("24 an XMP date");
        assert_eq!(
            instant(&pdf_date),
            instant(xmp_date),
            "{name}: 24 {pdf_date} {xmp_date}"
        );
    }
    assert!(
        xmp_value(&xmp, "xmp:MetadataDate", "").is_some(),
        "{name}: 24 MetadataDate"
    );
    // 26. The language.
    assert_eq!(xmp_value(&xmp, "dc:language", ""), Some("zh-CN"), "{name}: 26");
    assert_eq!(
        text_of(catalog.get(b"Lang").unwrap()),
        "zh-CN",
        "{name}: 26 /Lang"
    );
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    }
}

/// 8. Implementation limits, through arrays and dictionaries.
fn assert_limits(name: &str, n: u32, o: &Object) {
    match o {
        Object::String(s, _) => assert!(s.len() <= 32_767, "{name}: 8 object {n} string"),
        Object::Name(s) => assert!(s.len() <= 127, "{name}: 8 object {n} name"),
        Object::Integer(i) => assert!(i32::try_from(*i).is_ok(), "{name}: 8 object {n} integer {i}"),
        Object::Array(a) => a.iter().for_each(|o| assert_limits(name, n, o)),
        Object::Dictionary(d) => d.iter().for_each(|(k, o)| {
            assert!(k.len() <= 127, "{name}: 8 object {n} key");
            assert_limits(name, n, o)
        }),
        Object::Stream(s) => assert_limits(name, n, &Object::Dictionary(s.dict.clone())),
        _ => {}
    }
}

/// 13. A graphics state that draws nothing transparent.
fn assert_opaque(name: &str, state: &Dictionary) {
    if let Ok(m) = state.get(b"SMask") {
        assert_eq!(m.as_name().ok(), Some(b"None".as_slice()), "{name}: 13 soft mask");
    }
    for key in [b"CA".as_slice(), b"ca"] {
        if let Ok(v) = state.get(key) {
            assert_eq!(v.as_float().unwrap(), 1.0, "{name}: 13 alpha");
        }
    }
    if let Ok(bm) = state.get(b"BM") {
        assert!(
            matches!(bm.as_name().ok(), Some(b"Normal" | b"Compatible")),
            "{name}: 13 blend mode"
        );
    }
}

/// 15–17. A font dictionary: embedded, its encoding, its CIDToGIDMap.
fn assert_font(name: &str, doc: &Document, dict: &Dictionary) {
    if dict.get(b"Type").and_then(|o| o.as_name()).ok() != Some(b"Font".as_slice()) {
        return;
    }
    let subtype = dict.get(b"Subtype").unwrap().as_name().unwrap();
    if subtype == b"Type0" {
        assert_eq!(
            dict.get(b"Encoding").unwrap().as_name().unwrap(),
            b"Identity-H",
            "{name}: 17"
        );
        assert!(dict.has(b"ToUnicode"), "{name}: 15 ToUnicode");
        return;
    }
    if subtype == b"CIDFontType2" {
        assert!(dict.has(b"CIDToGIDMap"), "{name}: 16 CIDToGIDMap");
    }
    let descriptor = doc
        .get_dictionary(dict.get(b"FontDescriptor").unwrap().as_reference().unwrap())
        .unwrap();
    assert!(
        [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .any(|k| descriptor.has(k)),
        "{name}: 15 a font not embedded"
    );
}

/// The resource names of the fonts the pages' resources hold.
fn fonts_by_resource(doc: &Document) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (_, page) in doc.get_pages() {
        let (res, ids) = doc.get_page_resources(page).unwrap();
        let dicts = res
            .into_iter()
            .cloned()
            .chain(ids.into_iter().map(|id| doc.get_dictionary(id).unwrap().clone()));
        for d in dicts {
            if let Ok(fonts) = d.get(b"Font") {
                out.extend(
                    resolve(doc, fonts)
                        .as_dict()
                        .unwrap()
                        .iter()
                        .map(|(k, _)| k.clone()),
                );
            }
        }
    }
    out
}

#[test]
fn every_pdf_written_with_pdfa_meets_the_listed_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(dir.path());
    assert_eq!(written.len(), common::seeds().len() + 1);
    for w in &written {
        assert_pdfa(&w.name, &w.bytes, true);
    }
    // The file identifier is the file's: two runs at one time stamp agree, two files differ.
    let ids: Vec<Vec<u8>> = written
        .iter()
        .map(|w| {
            let doc = Document::load_mem(&w.bytes).unwrap();
            doc.trailer.get(b"ID").unwrap().as_array().unwrap()[0]
                .as_str()
                .unwrap()
                .to_vec()
        })
        .collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "each file its own /ID");

    let huaian = written.last().unwrap();
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext is not installed: text check skipped");
    } else {
        let out = Command::new("pdftotext")
            .arg(&huaian.path)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("淮安市人民政府"), "{text}");
        let expected = common::huaian_expected();
        let licensing = expected["tables"]["active_disclosure"]["licensing"]["decisions"].to_string();
        assert!(text.contains(&licensing), "{licensing} not in the text");
    }
    // Every cell reads back from the PDF/A.
    let back = nianbao::read_report(&huaian.path, &Forms::builtin(), &Options::default()).unwrap();
    let bad = common::table_mismatches(&back, &common::huaian_expected()["tables"]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    if Command::new("pdffonts").arg("-v").output().is_err() {
        eprintln!("pdffonts is not installed: embedding check by pdffonts skipped");
    } else {
        for w in &written {
            let out = Command::new("pdffonts").arg(&w.path).output().unwrap();
            let list = String::from_utf8_lossy(&out.stdout);
            let rows: Vec<&str> = list.lines().skip(2).collect();
            assert!(!rows.is_empty(), "{}: {list}", w.name);
            for row in rows {
                let cols: Vec<&str> = row.split_whitespace().collect();
                // name, type (one or more words), encoding, emb, sub, uni, object, generation.
                assert_eq!(cols[cols.len() - 5], "yes", "{}: not embedded: {row}", w.name);
            }
        }
    }
    for w in &written {
        assert_ghostscript_content(&w.name, &w.bytes);
    }
}

/// Ghostscript's PDF/A-2 conversion of the file succeeds and says nothing but the notice of
/// Ghostscript 10.0 that it cannot put a non-ASCII document-information string in the XMP of
/// the file it writes (docs/pdfa.md): that notice is about its output. Skipped, with a
/// printed reason, without Ghostscript.
fn assert_ghostscript_content(name: &str, bytes: &[u8]) {
    if Command::new("gs").arg("--version").output().is_err() {
        eprintln!("Ghostscript is not installed: its PDF/A conversion of {name} skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).unwrap();
    let out = Command::new("gs")
        .args([
            "-q",
            "-dPDFA=2",
            "-dBATCH",
            "-dNOPAUSE",
            "-dNOOUTERSAVE",
            "-sColorConversionStrategy=RGB",
            "-sDEVICE=pdfwrite",
            "-dPDFACompatibilityPolicy=1",
        ])
        .arg(format!("-sOutputFile={}", dir.path().join("gs.pdf").display()))
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}: gs failed");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let other: Vec<&str> = said
        .lines()
        .filter(|l| !l.contains("Text string detected in DOCINFO cannot be represented in XMP"))
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(other.is_empty(), "{name}: Ghostscript says {other:?}");
}

#[test]
fn the_xmp_carries_a_title_with_xml_special_characters_as_the_information_does() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let path = common::seeds()[0].1.clone();
    let mut report = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
    report.title = Some("A&B <市> \"年度\" 'x' 报告".into());
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let bytes = pdf::render(&report, &ctx).unwrap();
    assert_pdfa("special-title", &bytes, true);
    assert_ghostscript_content("special-title", &bytes);
    let doc = Document::load_mem(&bytes).unwrap();
    let info = doc
        .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap();
    let title = text_of(info.get(b"Title").unwrap());
    assert!(title.contains("A&B <市> \"年度\" 'x'"), "{title}");
}

#[test]
fn a_file_drawing_notdef_does_not_claim_pdfa() {
    let forms = Forms::builtin();
    let style = Style::builtin();
    let path = common::seeds()[0].1.clone();
    let mut report = nianbao::read_report(&path, &forms, &Options::default()).unwrap();
    report.sections[0].blocks.push(Block::Paragraph {
        text: "缺字\u{10FFFD}测试".into(),
    });
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: Vec::new(),
    };
    let bytes = pdf::render(&report, &ctx).unwrap();
    // Every other requirement still holds; only the claim goes.
    assert_pdfa("notdef", &bytes, false);
}

#[test]
fn a_truetype_font_meets_the_font_requirements() {
    let Some((ttf, style)) = common::dejavu_style() else {
        eprintln!("no DejaVu Serif on this machine: TrueType PDF/A test skipped");
        return;
    };
    let forms = Forms::builtin();
    let report = common::read(&common::fixture("huaian-2024/layout.txt"));
    let ctx = Context {
        form: forms.get(&report.form).unwrap(),
        style: &style,
        font_dirs: vec![ttf.parent().unwrap().to_path_buf()],
    };
    let (bytes, diags) = pdf::render_with_diagnostics(&report, &ctx).unwrap();
    let claims = !diags
        .iter()
        .any(|d| d.code == nianbao::diag::code::FONT_MISSING_CHAR);
    let doc = Document::load_mem(&bytes).unwrap();
    assert!(
        doc.objects.values().any(|o| o
            .as_dict()
            .ok()
            .and_then(|d| d.get(b"Subtype").ok()?.as_name().ok())
            == Some(b"CIDFontType2".as_slice())),
        "a TrueType font"
    );
    assert_pdfa("truetype", &bytes, claims);
    assert_ghostscript_content("truetype", &bytes);
}
