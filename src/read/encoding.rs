//! Text encodings: UTF-8 (with or without BOM), UTF-16 LE/BE with a BOM, and the Chinese
//! legacy encodings (GB18030/GBK, Big5) detected from content, or one named by the user.

use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::diag::{Diagnostic, Severity};
use crate::error::Error;

/// The stable diagnostic code of the note naming a non-UTF-8 encoding.
pub const ENCODING_DETECTED: &str = "encoding_detected";

/// An encoding by a user's name for it (`gbk`, `gb18030`, `utf-16le`, `big5` …), as the
/// WHATWG Encoding Standard labels them. GBK is read as GB18030, its superset.
pub fn lookup(name: &str) -> Option<&'static Encoding> {
    let label = name.trim().to_ascii_lowercase();
    let label = match label.as_str() {
        "utf16le" | "utf-16-le" => "utf-16le",
        "utf16be" | "utf-16-be" => "utf-16be",
        "utf16" => "utf-16",
        "cp936" | "gb2312" | "gbk" => "gb18030",
        other => other,
    };
    let enc = Encoding::for_label(label.as_bytes())?;
    // The WHATWG "replacement" encoding decodes nothing.
    (enc != encoding_rs::REPLACEMENT).then_some(if enc == encoding_rs::GBK { GB18030 } else { enc })
}

/// Decodes a file's bytes to text. Returns the text and, when the encoding was not UTF-8,
/// an info diagnostic naming it. `forced` overrides detection (a BOM still wins for UTF-16).
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<(String, Vec<Diagnostic>), Error> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::unusable("文件为空 (empty input)"));
    }
    let mut notes = Vec::new();
    let note = |enc: &'static Encoding, how: &str| {
        Diagnostic::new(
            Severity::Info,
            ENCODING_DETECTED,
            format!("按 {} 编码读取 (decoded as {}, {how})", enc.name(), enc.name()),
        )
    };
    let text = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let text = strict(enc, &bytes[bom_len..])?;
        if enc != UTF_8 {
            notes.push(note(enc, "byte order mark"));
        }
        text
    } else if let Some(enc) = forced {
        if enc == UTF_8 {
            refuse_binary(bytes)?;
        }
        let text = strict(enc, bytes)?;
        if enc != UTF_8 {
            notes.push(note(enc, "--encoding"));
        }
        text
    } else if let Some(enc) = utf16_without_bom(bytes) {
        let text = strict(enc, bytes)?;
        notes.push(note(enc, "detected, no byte order mark"));
        text
    } else {
        refuse_binary(bytes)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                if let Some(enc) = declared_charset(bytes)
                    && let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes)
                {
                    notes.push(note(enc, "declared charset"));
                    text.into_owned()
                } else {
                    let Some(enc) = detect_chinese(bytes) else {
                        return Err(Error::unusable(format!(
                            "不是 UTF-8 文本，也不是 GB18030/GBK 文本 (invalid UTF-8 at byte {}; no other encoding detected; try --encoding)",
                            e.valid_up_to()
                        )));
                    };
                    let text = strict(enc, bytes)?;
                    notes.push(note(enc, "detected"));
                    text
                }
            }
        }
    };
    if text.trim().is_empty() {
        return Err(Error::unusable("文件为空 (empty input)"));
    }
    if looks_binary(text.as_bytes()) {
        return Err(Error::unusable("不是文本文件 (binary input, not text)"));
    }
    Ok((text, notes))
}

/// Decodes without replacement characters: a malformed byte is an error, not a `�`.
fn strict(enc: &'static Encoding, bytes: &[u8]) -> Result<String, Error> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| {
            Error::unusable(format!(
                "不是有效的 {} 文本 (malformed {} input)",
                enc.name(),
                enc.name()
            ))
        })
}

fn refuse_binary(bytes: &[u8]) -> Result<(), Error> {
    if looks_binary(bytes) {
        Err(Error::unusable("不是文本文件 (binary input, not text)"))
    } else {
        Ok(())
    }
}

/// UTF-16 without a byte order mark: NUL bytes (the high halves of ASCII characters, such as
/// line ends and digits) nearly all at odd offsets (little-endian) or at even ones (big-endian),
/// decoding into text with no control characters.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(8192) & !1];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 { even += 1 } else { odd += 1 }
        }
    }
    // A CJK character ending in 0x00 (一 is U+4E00) puts a few NULs on the other side.
    let enc = if odd * 50 >= sample.len() && odd > even * 2 {
        encoding_rs::UTF_16LE
    } else if even * 50 >= sample.len() && even > odd * 2 {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    let text = enc.decode_without_bom_handling_and_without_replacement(bytes)?;
    let clean = !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    clean.then_some(enc)
}

/// The non-UTF-8 encoding a web page declares (`<meta charset="gb2312">`,
/// `content="text/html; charset=gbk"`) in its first 4 KiB.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes[..bytes.len().min(4096)].to_ascii_lowercase();
    let head = String::from_utf8_lossy(&head);
    if !head.contains("<meta") {
        return None;
    }
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    lookup(&label).filter(|&e| e != UTF_8)
}

/// The Chinese legacy encoding the bytes are in, when the detector names one and the bytes
/// decode cleanly into text that is mostly Chinese.
fn detect_chinese(bytes: &[u8]) -> Option<&'static Encoding> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    let enc = if guess == encoding_rs::GBK || guess == GB18030 {
        GB18030
    } else if guess == encoding_rs::BIG5 {
        guess
    } else {
        return None;
    };
    let text = enc.decode_without_bom_handling_and_without_replacement(bytes)?;
    let non_ascii: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
    let cjk = non_ascii.iter().filter(|&&c| is_cjk(c)).count();
    (cjk >= 4 && cjk * 10 >= non_ascii.len() * 7).then_some(enc)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2000..=0x206F
    )
}

/// NUL bytes or many control characters mean a binary file.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "淮安市人民政府2024年政府信息公开工作年度报告\n一、总体情况\n本年新收政府信息公开申请3119件。";

    #[test]
    fn utf8_gb18030_and_utf16_decode_alike() {
        let (t, notes) = decode(TEXT.as_bytes(), None).unwrap();
        assert_eq!(t, TEXT);
        assert!(notes.is_empty());

        let (gb, _, _) = GB18030.encode(TEXT);
        let (t, notes) = decode(&gb, None).unwrap();
        assert_eq!(t, TEXT);
        assert_eq!(notes[0].code, ENCODING_DETECTED);
        assert!(notes[0].message.contains("gb18030"), "{}", notes[0].message);

        let mut le = vec![0xFF, 0xFE];
        le.extend(TEXT.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let (t, notes) = decode(&le, None).unwrap();
        assert_eq!(t, TEXT);
        assert!(notes[0].message.contains("UTF-16LE"));

        let mut be = vec![0xFE, 0xFF];
        be.extend(TEXT.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be, None).unwrap().0, TEXT);

        let no_bom: Vec<u8> = TEXT.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let (t, notes) = decode(&no_bom, None).unwrap();
        assert_eq!(t, TEXT);
        assert!(notes[0].message.contains("no byte order mark"));
        let no_bom: Vec<u8> = TEXT.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&no_bom, None).unwrap().0, TEXT);

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(TEXT.as_bytes());
        let (t, notes) = decode(&bom, None).unwrap();
        assert_eq!(t, TEXT);
        assert!(notes.is_empty());
    }

    #[test]
    fn forced_encoding_and_refusals() {
        let (gb, _, _) = GB18030.encode(TEXT);
        let (t, _) = decode(&gb, lookup("GBK")).unwrap();
        assert_eq!(t, TEXT);
        assert!(lookup("no-such-encoding").is_none());
        assert_eq!(lookup("utf16le"), Some(encoding_rs::UTF_16LE));

        // Latin-1 bytes are not Chinese: still refused, with the byte offset.
        let err = decode(b"caf\xe9 au lait, cr\xe8me br\xfbl\xe9e", None).unwrap_err();
        assert!(err.to_string().contains("invalid UTF-8 at byte 3"), "{err}");
        assert!(!err.to_string().contains('\n'));
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
        assert!(decode(b"  \n ", None).is_err());
    }
}
