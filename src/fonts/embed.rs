//! The fonts of a PDF: each face cut to the glyphs of the report and written as a Type 0
//! font with a ToUnicode map, so the text can be copied and searched.
//!
//! It lives with the fonts, below the layout and the writers, because choosing a face
//! already asks whether it can be embedded ([`check_embeddable`], from `Face::check`); the
//! PDF writer ([`crate::write::pdf`]) uses the rest.
//!
//! printpdf can embed a face itself, but per report it parses the face, subsets it, parses
//! the subset again and decodes every glyph's outline to learn widths the face's metrics
//! already give: most of the time a report took. Here a face is cut once (with allsorts, the
//! subsetter printpdf uses), the character codes are known before the pages are drawn, and
//! the font program is compressed while printpdf builds the pages.

use std::collections::{BTreeMap, BTreeSet};

use printpdf_lopdf as lopdf;

use lopdf::{Dictionary, Object, ObjectId, Stream};
use ttf_parser::GlyphId;

use super::Face;

/// How the face's outlines are embedded, which decides the character codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    /// A CID-keyed CFF table, bare (`/FontFile3 /CIDFontType0C`): codes are the CIDs of its
    /// charset, which the subsetter keeps from the whole face.
    CidCff,
    /// A name-keyed CFF face, as a whole OpenType file (`/FontFile3 /OpenType`): codes are
    /// glyph ids.
    OpenTypeCff,
    /// TrueType outlines (`/FontFile2`, `/CIDToGIDMap /Identity`): codes are glyph ids.
    TrueType,
}

/// One face's part of a document: the glyphs it draws and their codes. Made before the
/// pages are drawn, so the content streams can show text as codes.
#[derive(Debug)]
pub struct FontPlan {
    /// The glyphs of the face, `.notdef` first, ascending: the subset's glyph `i` is
    /// `glyphs[i]` of the face.
    glyphs: Vec<u16>,
    /// Each character's glyph in the face (0 for one the face lacks).
    glyph_of: BTreeMap<char, u16>,
    /// Each of the face's glyphs' code.
    code_of: BTreeMap<u16, u16>,
    program: Program,
}

impl FontPlan {
    /// Plans `face` for the characters `chars`.
    pub fn new(face: &Face, chars: &BTreeSet<char>) -> FontPlan {
        let ttf = face.ttf();
        let glyph_of: BTreeMap<char, u16> = chars
            .iter()
            .map(|&c| (c, ttf.glyph_index(c).map_or(0, |g| g.0)))
            .collect();
        let mut glyphs: Vec<u16> = glyph_of.values().copied().chain([0]).collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        let cff = ttf.tables().cff;
        let program = match cff {
            Some(t) if t.glyph_cid(GlyphId(0)).is_some() => Program::CidCff,
            Some(_) => Program::OpenTypeCff,
            None => Program::TrueType,
        };
        let code_of = glyphs
            .iter()
            .enumerate()
            .map(|(new, &g)| {
                let code = match (program, cff) {
                    (Program::CidCff, Some(t)) => t.glyph_cid(GlyphId(g)).unwrap_or(0),
                    _ => new as u16,
                };
                (g, code)
            })
            .collect();
        FontPlan {
            glyphs,
            glyph_of,
            code_of,
            program,
        }
    }

    /// `text` as the font's two-byte codes.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        text.chars()
            .flat_map(|c| {
                let glyph = self.glyph_of.get(&c).copied().unwrap_or(0);
                self.code_of.get(&glyph).copied().unwrap_or(0).to_be_bytes()
            })
            .collect()
    }

    /// Whether some character the plan was made for has no glyph in the face: it is drawn
    /// with `.notdef` (an empty box), which PDF/A forbids (ISO 19005-2, 6.2.11.8).
    pub fn draws_notdef(&self) -> bool {
        self.glyph_of.values().any(|&g| g == 0)
    }
}

/// A face's font program, cut and compressed, ready to go into the document.
pub struct Prepared {
    program: Stream,
}

/// Cuts the face to the plan's glyphs and compresses the font program. Checks that the
/// subset keeps the codes the pages were drawn with.
pub fn prepare(face: &Face, plan: &FontPlan) -> Result<Prepared, String> {
    let (dict, data) = program(face, plan)?;
    Ok(Prepared {
        program: deflated(dict, &data),
    })
}

/// The face cut to the plan's glyphs, uncompressed, with its stream's entries. Runs on the
/// calling thread alone (it is also the check of a face found on disk, made under the
/// font cache's lock).
pub(crate) fn program(face: &Face, plan: &FontPlan) -> Result<(Dictionary, Vec<u8>), String> {
    match plan.program {
        Program::CidCff => {
            let table = face.cff_subset(&plan.glyphs)?;
            let cff = ttf_parser::cff::Table::parse(&table).ok_or("the font subset is unreadable")?;
            if cff.number_of_glyphs() as usize != plan.glyphs.len() {
                return Err("the font subset lost glyphs".into());
            }
            for (new, g) in plan.glyphs.iter().enumerate() {
                if cff.glyph_cid(GlyphId(new as u16)) != Some(plan.code_of[g]) {
                    return Err("the font subset renumbered its CIDs".into());
                }
            }
            Ok((
                Dictionary::from_iter([("Subtype", Object::Name(b"CIDFontType0C".to_vec()))]),
                table,
            ))
        }
        Program::OpenTypeCff | Program::TrueType => {
            let sfnt = face.subset(&plan.glyphs)?;
            let sub = ttf_parser::Face::parse(&sfnt, 0)
                .map_err(|e| format!("the font subset is unreadable ({e})"))?;
            // A TrueType subset appends the parts of composite glyphs after the glyphs asked
            // for, which keep their places.
            if usize::from(sub.number_of_glyphs()) < plan.glyphs.len() {
                return Err("the font subset lost glyphs".into());
            }
            let dict = if plan.program == Program::TrueType {
                Dictionary::from_iter([("Length1", Object::Integer(sfnt.len() as i64))])
            } else {
                Dictionary::from_iter([("Subtype", Object::Name(b"OpenType".to_vec()))])
            };
            Ok((dict, sfnt))
        }
    }
}

/// A stream of `data` deflated, with `dict`'s entries.
fn deflated(mut dict: Dictionary, data: &[u8]) -> Stream {
    match zlib(data) {
        Some(packed) => {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            Stream::new(dict, packed).with_compression(false)
        }
        None => Stream::new(dict, data.to_vec()),
    }
}

/// Deflate works on a 32 KB window, so a long stream can be cut into pieces deflated side
/// by side, each primed with the 32 KB before it, and joined into one zlib stream (as pigz
/// does). The body face's program is the longest single piece of work in a report.
const PIECE: usize = 48 * 1024;
const WINDOW: usize = 32 * 1024;

/// `data` as a zlib stream (level 6), its pieces deflated in parallel.
pub(crate) fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress};
    use rayon::prelude::*;
    let mut pieces: Vec<(usize, &[u8])> = data
        .chunks(PIECE)
        .enumerate()
        .map(|(i, c)| (i * PIECE, c))
        .collect();
    if pieces.is_empty() {
        pieces.push((0, data));
    }
    let last = pieces.len().saturating_sub(1);
    let bodies = pieces
        .par_iter()
        .enumerate()
        .map(|(i, &(start, piece))| {
            let mut z = Compress::new(Compression::new(6), false);
            if start > 0 {
                z.set_dictionary(&data[start.saturating_sub(WINDOW)..start])
                    .ok()?;
            }
            let flush = if i == last {
                FlushCompress::Finish
            } else {
                FlushCompress::Sync
            };
            let mut out = Vec::with_capacity(piece.len() / 2 + 64);
            loop {
                if out.len() == out.capacity() {
                    out.reserve(out.capacity().max(4096));
                }
                let read = z.total_in() as usize;
                let status = z.compress_vec(&piece[read..], &mut out, flush).ok()?;
                // A flush is complete when it leaves room in the output.
                let done = match flush {
                    FlushCompress::Finish => status == flate2::Status::StreamEnd,
                    _ => z.total_in() as usize == piece.len() && out.len() < out.capacity(),
                };
                if done {
                    break;
                }
            }
            Some(out)
        })
        .collect::<Option<Vec<Vec<u8>>>>()?;
    let mut out = Vec::with_capacity(bodies.iter().map(Vec::len).sum::<usize>() + 6);
    out.extend_from_slice(&[0x78, 0x9C]);
    for body in bodies {
        out.extend(body);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    Some(out)
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before `b` could overflow.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Writes the face's Type 0 font into `doc` and returns its object.
pub fn add(doc: &mut lopdf::Document, face: &Face, plan: &FontPlan, prepared: Prepared) -> ObjectId {
    let ttf = face.ttf();
    let per_em = 1000.0 / f64::from(ttf.units_per_em().max(1));
    let scaled = |v: i16| Object::Integer((f64::from(v) * per_em).round() as i64);
    let name = Object::Name(format!("{}+{}", subset_tag(face, plan), postscript_name(face)).into_bytes());

    let bbox = ttf.global_bounding_box();
    let mut descriptor = Dictionary::from_iter([
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("FontName", name.clone()),
        ("Flags", Object::Integer(4)),
        (
            "FontBBox",
            Object::Array(vec![
                scaled(bbox.x_min),
                scaled(bbox.y_min),
                scaled(bbox.x_max),
                scaled(bbox.y_max),
            ]),
        ),
        ("ItalicAngle", Object::Integer(0)),
        ("Ascent", scaled(ttf.ascender())),
        ("Descent", scaled(ttf.descender())),
        (
            "CapHeight",
            scaled(ttf.capital_height().unwrap_or(ttf.ascender())),
        ),
        ("StemV", Object::Integer(80)),
    ]);
    let file_key = if plan.program == Program::TrueType {
        "FontFile2"
    } else {
        "FontFile3"
    };
    descriptor.set(file_key, doc.add_object(prepared.program));
    let descriptor = doc.add_object(descriptor);

    let mut widths: Vec<(u16, f64)> = plan
        .glyphs
        .iter()
        .map(|&g| {
            let advance = ttf.glyph_hor_advance(GlyphId(g)).unwrap_or(0);
            (plan.code_of[&g], f64::from(advance) * per_em)
        })
        .collect();
    widths.sort_by_key(|(code, _)| *code);
    let (default_width, w) = width_array(&widths);
    let mut cid_font = Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        (
            "Subtype",
            Object::Name(if plan.program == Program::TrueType {
                b"CIDFontType2".to_vec()
            } else {
                b"CIDFontType0".to_vec()
            }),
        ),
        ("BaseFont", name.clone()),
        (
            "CIDSystemInfo",
            Object::Dictionary(Dictionary::from_iter([
                ("Registry", Object::string_literal("Adobe")),
                ("Ordering", Object::string_literal("Identity")),
                ("Supplement", Object::Integer(0)),
            ])),
        ),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("DW", number(default_width)),
        ("W", Object::Array(w)),
    ]);
    if plan.program == Program::TrueType {
        cid_font.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
    }
    let cid_font = doc.add_object(cid_font);
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), to_unicode_cmap(plan)));
    doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", name),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        (
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid_font)]),
        ),
        ("ToUnicode", Object::Reference(to_unicode)),
    ]))
}

fn number(v: f64) -> Object {
    if v.fract() == 0.0 {
        Object::Integer(v as i64)
    } else {
        Object::Real(v as f32)
    }
}

/// The most common width (for `/DW`) and a `/W` array of the codes whose width differs,
/// in runs of consecutive codes: nearly every Chinese glyph is one em wide.
fn width_array(widths: &[(u16, f64)]) -> (f64, Vec<Object>) {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for (_, w) in widths {
        *counts.entry((w * 1000.0).round() as i64).or_default() += 1;
    }
    let common = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map_or(1000.0, |(w, _)| *w as f64 / 1000.0);
    let mut array = Vec::new();
    let mut run: Option<(u16, Vec<Object>)> = None;
    for &(code, w) in widths.iter().filter(|(_, w)| (w - common).abs() > 1e-6) {
        match &mut run {
            Some((start, list)) if usize::from(*start) + list.len() == usize::from(code) => {
                list.push(number(w))
            }
            _ => {
                if let Some((start, list)) = run.take() {
                    array.extend([Object::Integer(i64::from(start)), Object::Array(list)]);
                }
                run = Some((code, vec![number(w)]));
            }
        }
    }
    if let Some((start, list)) = run {
        array.extend([Object::Integer(i64::from(start)), Object::Array(list)]);
    }
    (common, array)
}

/// The ToUnicode CMap: each code to the character drawn with it. Where two characters
/// share a glyph (`⼀` U+2F00 and `一` U+4E00 in many faces), the unified ideograph wins over
/// the radical or compatibility form, so copied text says what a reader sees.
fn to_unicode_cmap(plan: &FontPlan) -> Vec<u8> {
    let variant = |c: char| matches!(u32::from(c), 0x2E80..=0x2FDF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F);
    let mut by_code: BTreeMap<u16, char> = BTreeMap::new();
    for (&c, g) in &plan.glyph_of {
        if *g != 0 {
            let kept = by_code.entry(plan.code_of[g]).or_insert(c);
            if variant(*kept) && !variant(c) {
                *kept = c;
            }
        }
    }
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = by_code.into_iter().collect();
    for chunk in entries.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, c) in chunk {
            out.push_str(&format!("<{code:04X}> <"));
            for unit in c.encode_utf16(&mut [0; 2]).iter() {
                out.push_str(&format!("{unit:04X}"));
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out.into_bytes()
}

/// The face's PostScript name (name 6), else its family without spaces: ASCII letters,
/// digits and `-` only.
fn postscript_name(face: &Face) -> String {
    let ttf = face.ttf();
    let name = ttf
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| face.family.clone());
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if clean.is_empty() { "Font".into() } else { clean }
}

/// Six capital letters naming this subset (ISO 32000-1, 9.6.4): different glyph sets of
/// one face get different tags.
fn subset_tag(face: &Face, plan: &FontPlan) -> String {
    // FNV-1a over the face's name and the glyph list.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = face
        .family
        .bytes()
        .chain(plan.glyphs.iter().flat_map(|g| g.to_be_bytes()));
    for b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

/// Whether `face` can be cut to the glyphs of `chars` and embedded as the PDF writer does.
///
/// # Errors
/// Why not, one line.
pub(crate) fn check_embeddable(face: &Face, chars: &std::collections::BTreeSet<char>) -> Result<(), String> {
    let plan = FontPlan::new(face, chars);
    program(face, &plan).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_glyph_copies_as_the_unified_ideograph() {
        let plan = FontPlan {
            glyphs: vec![0, 7],
            glyph_of: BTreeMap::from([('\u{2F00}', 7), ('一', 7)]),
            code_of: BTreeMap::from([(0, 0), (7, 7)]),
            program: Program::CidCff,
        };
        let cmap = String::from_utf8(to_unicode_cmap(&plan)).unwrap();
        assert!(cmap.contains("1 beginbfchar\n<0007> <4E00>\n"), "{cmap}");
    }

    #[test]
    fn a_stream_deflated_in_pieces_inflates_whole() {
        use std::io::Read;
        // Text that repeats across the pieces' borders, and noise that does not.
        let mut data: Vec<u8> = (0..150_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        data.extend(b"nianbao ".repeat(20_000));
        for len in [0, 1, 1000, PIECE, PIECE + 1, data.len()] {
            let packed = zlib(&data[..len]).unwrap();
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&packed[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, &data[..len], "{len} bytes");
        }
        let packed = zlib(&data).unwrap();
        assert!(
            packed.len() < 160_000 + 4_000,
            "the repeated text is compressed: {}",
            packed.len()
        );
    }

    #[test]
    fn widths_list_only_what_differs_from_the_common_width() {
        let widths = [
            (1, 1000.0),
            (2, 500.0),
            (3, 500.0),
            (4, 1000.0),
            (7, 737.5),
            (9, 1000.0),
        ];
        let (common, w) = width_array(&widths);
        assert_eq!(common, 1000.0);
        assert_eq!(
            w,
            vec![
                Object::Integer(2),
                Object::Array(vec![Object::Integer(500), Object::Integer(500)]),
                Object::Integer(7),
                Object::Array(vec![Object::Real(737.5)]),
            ]
        );
    }
}
