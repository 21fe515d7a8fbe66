//! Limits that keep a hostile file from exhausting memory, time or the stack: the input's
//! size, a DOCX package's entry count and unpacked size (zip bombs), and how deep XML or
//! HTML nests. Each refusal is an [`Error::Unusable`] with a one-line reason.

use std::io::Read;

use crate::Error;

/// The limits in force; `Default` suits real reports with a wide margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file read.
    pub max_input_bytes: u64,
    /// The most entries a DOCX package may have.
    pub max_zip_entries: usize,
    /// The most bytes a DOCX package may unpack to.
    pub max_unpacked_bytes: u64,
    /// The deepest element nesting in XML or HTML.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 64 << 20,
            max_zip_entries: 2_000,
            max_unpacked_bytes: 256 << 20,
            max_depth: 512,
        }
    }
}

fn refuse(msg: String) -> Error {
    Error::Unusable(msg)
}

/// Reads a file, refusing one larger than the limit before reading it whole.
pub fn read_file(path: &std::path::Path, limits: &Limits) -> Result<Vec<u8>, Error> {
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    // A regular file's size is known before reading; a device or FIFO is read through
    // `take`, so `/dev/zero` stops one byte past the limit.
    let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if size.is_some_and(|n| n > limits.max_input_bytes) {
        return Err(too_large(limits));
    }
    let mut bytes = Vec::new();
    file.take(limits.max_input_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(too_large(limits));
    }
    Ok(bytes)
}

fn too_large(limits: &Limits) -> Error {
    refuse(format!(
        "输入文件过大 (input larger than {} MB; see --max-input-mb)",
        limits.max_input_bytes >> 20
    ))
}

/// Checks a DOCX (zip) package before it is parsed: entry count, the bytes it really unpacks
/// to (counted while inflating, not taken from the headers, which a bomb can fake), and the
/// nesting depth of its XML parts.
pub fn check_package(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| refuse(format!("不是有效的 DOCX 文件 (not a valid DOCX package: {e})")))?;
    if zip.len() > limits.max_zip_entries {
        return Err(refuse(format!(
            "DOCX 包含的条目过多 (DOCX package has {} entries; the limit is {})",
            zip.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| refuse(format!("DOCX 已损坏 (damaged DOCX package: {e})")))?;
        let xml = entry.name().ends_with(".xml") || entry.name().ends_with(".rels");
        let budget = limits.max_unpacked_bytes.saturating_sub(total);
        let mut limited = (&mut entry).take(budget + 1);
        let mut depth = DepthCounter::default();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = limited
                .read(&mut buf)
                .map_err(|e| refuse(format!("DOCX 已损坏 (damaged DOCX package: {e})")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_unpacked_bytes {
                return Err(refuse(format!(
                    "DOCX 解压后过大，疑似压缩炸弹 (DOCX unpacks to more than {} MB: a zip bomb?)",
                    limits.max_unpacked_bytes >> 20
                )));
            }
            if xml && depth.feed(&buf[..n]) > limits.max_depth {
                return Err(refuse(format!(
                    "DOCX 的 XML 嵌套过深 (XML nested deeper than {} levels)",
                    limits.max_depth
                )));
            }
        }
    }
    Ok(())
}

/// HTML elements that never have a closing tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Checks that HTML does not nest deeper than the limit (void elements do not count).
pub fn check_html_depth(html: &str, limits: &Limits) -> Result<(), Error> {
    let mut counter = DepthCounter {
        html: true,
        ..Default::default()
    };
    if counter.feed(html.as_bytes()) > limits.max_depth {
        return Err(refuse(format!(
            "HTML 嵌套过深 (HTML nested deeper than {} levels)",
            limits.max_depth
        )));
    }
    Ok(())
}

/// Counts tag nesting in a byte stream fed in pieces: `<a>` opens, `</a>` closes, `<a/>`,
/// `<?…>` and `<!…>` do neither. Returns the deepest level seen so far.
#[derive(Debug, Default)]
struct DepthCounter {
    html: bool,
    depth: usize,
    deepest: usize,
    /// Inside a tag: its bytes so far (name and a little more).
    tag: Option<Vec<u8>>,
    last: u8,
}

impl DepthCounter {
    fn feed(&mut self, bytes: &[u8]) -> usize {
        for &b in bytes {
            match (&mut self.tag, b) {
                (None, b'<') => self.tag = Some(Vec::new()),
                (Some(tag), b'>') => {
                    let tag = std::mem::take(tag);
                    self.tag = None;
                    self.close_tag(&tag);
                }
                (Some(tag), _) => {
                    if tag.len() < 16 {
                        tag.push(b);
                    }
                }
                (None, _) => {}
            }
            self.last = b;
        }
        self.deepest
    }

    fn close_tag(&mut self, tag: &[u8]) {
        match tag.first() {
            Some(b'/') => self.depth = self.depth.saturating_sub(1),
            Some(b'?' | b'!') | None => {}
            Some(_) if self.last == b'/' => {}
            Some(_) => {
                let name: Vec<u8> = tag
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b':')
                    .map(u8::to_ascii_lowercase)
                    .collect();
                if self.html && VOID.iter().any(|v| v.as_bytes() == name.as_slice()) {
                    return;
                }
                self.depth += 1;
                self.deepest = self.deepest.max(self.depth);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_open_tags_only() {
        let mut c = DepthCounter::default();
        assert_eq!(c.feed(b"<?xml?><a><b/><c><d></d></c></a>"), 3);
        let mut c = DepthCounter {
            html: true,
            ..Default::default()
        };
        assert_eq!(c.feed(b"<html><body><br><img src=x><p>x</p></body></html>"), 3);
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        assert!(check_html_depth(&"<div>".repeat(11), &limits).is_err());
        assert!(check_html_depth(&"<div></div>".repeat(100), &limits).is_ok());
    }
}
