//! Font discovery and loading for the PDF writer.
//!
//! Each font role of the style (`title`, `body`, `heading1`, `heading2`, `page_number`,
//! `fallback`) resolves to one face: the first wanted family found in the `--font-dir`
//! folders, else among the system's fonts, else the bundled file named by the role
//! (searched in `$NIANBAO_FONTS` and next to the executable, then the copy built into the
//! binary, [`EMBEDDED`]: the bundled faces travel with the binary, wherever it runs).
//! Faces are read and parsed once per process and shared by every report of a batch.
//!
//! A face from a folder or the system is checked before it is used ([`Face::check`]): one
//! that is truncated or corrupt, or whose character map claims a common character it draws
//! blank, is skipped (and named in [`FontSet::skipped`]), so the search goes on to the next
//! family and finally to the bundled face.
//!
//! Its parts: `index` keeps the system's fonts by name on disk between runs, and `embed`
//! cuts a face to a report's glyphs as the PDF writer embeds it (a face is chosen only if it
//! can be). In the layers, `fonts` stands on [`crate::style`] and [`crate::files`]; the layout
//! measures text with it and the writers embed from it, and it calls neither.

pub(crate) mod embed;
mod index;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::error::Error;
use crate::style::Style;

/// Where a face came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A `--font-dir` folder.
    FontDir,
    /// The system's fonts.
    System,
    /// The bundled fonts (`fonts/`).
    Bundled,
    /// Nothing found: another role's face stands in.
    StandIn,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::FontDir => "font-dir",
            Origin::System => "system",
            Origin::Bundled => "bundled",
            Origin::StandIn => "stand-in",
        }
    }
}

/// One loaded font face.
pub struct Face {
    /// The face parsed once: it borrows `data`, and is declared before it so it is
    /// dropped first.
    parsed: ttf_parser::Face<'static>,
    /// The face's family name (as the font names it).
    pub family: String,
    pub path: PathBuf,
    pub index: u32,
    data: FontData,
    /// Advance widths in em by character; `None` when the face lacks the character.
    advances: Mutex<FxHashMap<char, Option<f64>>>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Face({} at {}#{})",
            self.family,
            self.path.display(),
            self.index
        )
    }
}

/// A font file's bytes: mapped, so a process reads only the tables and glyphs it uses
/// (reading whole files cost more than the rest of a one-report run).
enum FontData {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
    /// A face built into the binary ([`EMBEDDED`]).
    Static(&'static [u8]),
}

impl std::ops::Deref for FontData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontData::Mapped(m) => m,
            FontData::Read(v) => v,
            FontData::Static(s) => s,
        }
    }
}

impl FontData {
    fn open(path: &Path) -> std::io::Result<FontData> {
        let file = std::fs::File::open(path)?;
        // SAFETY: font files are not expected to change while nianbao runs; a file truncated
        // under a running process is the same hazard every font library that maps fonts
        // (fontdb among them) accepts. Where mapping fails the file is read instead.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(m) => Ok(FontData::Mapped(m)),
            Err(_) => std::fs::read(path).map(FontData::Read),
        }
    }
}

/// The bundled faces (`fonts/`, see `fonts/README.md`), built into the binary by file name,
/// so a copied or installed binary sets the same faces as `cargo run` (26 MB of the binary).
/// Stored as they are, not compressed: deflate saves only a quarter (the CFF outlines are
/// dense) and inflating would cost every process tens of milliseconds and the faces' whole
/// size in memory, where the bytes as they are cost only the pages a run reads.
pub const EMBEDDED: &[(&str, &[u8])] = &[
    (
        "FandolSong-Bold.otf",
        include_bytes!("../../fonts/FandolSong-Bold.otf"),
    ),
    (
        "FandolFang-Regular.otf",
        include_bytes!("../../fonts/FandolFang-Regular.otf"),
    ),
    (
        "FandolHei-Regular.otf",
        include_bytes!("../../fonts/FandolHei-Regular.otf"),
    ),
    (
        "FandolKai-Regular.otf",
        include_bytes!("../../fonts/FandolKai-Regular.otf"),
    ),
    (
        "FandolSong-Regular.otf",
        include_bytes!("../../fonts/FandolSong-Regular.otf"),
    ),
    (
        "NotoSerifCJKsc-Regular.otf",
        include_bytes!("../../fonts/NotoSerifCJKsc-Regular.otf"),
    ),
];

/// The folder name a built-in face's path starts with (`<built-in>/FandolFang-Regular.otf`):
/// no such folder exists, the path only names the face.
pub const EMBEDDED_DIR: &str = "<built-in>";

/// The built-in copy of the bundled file `name`, if there is one.
pub fn embedded(name: &str) -> Option<&'static [u8]> {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Characters a CJK face used for a report must draw: if the character map claims one, its
/// glyph must have an outline (a face that draws them blank would print invisible text).
/// Latin letters and digits too, as the tables' numbers are set in the same faces.
const PROBES: &str = "国年的一中政府信息公开0123456789A";

/// Locks a mutex even when a thread panicked while holding it: the caches it guards hold
/// only whole entries, so what is in them stays right (a poisoned lock must not fail every
/// later file of a batch).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Face {
    fn load(path: &Path, index: u32) -> Result<Face, Error> {
        let data = FontData::open(path).map_err(|e| Error::io(path, e))?;
        Face::from_data(data, path, index)
    }

    fn from_data(data: FontData, path: &Path, index: u32) -> Result<Face, Error> {
        // SAFETY: the bytes stay where they are (a mapping, or a heap buffer never written
        // again) for as long as `data` is alive, and `data` moves into the same Face as
        // `parsed`, which is dropped before it and lent out only for as long as `&self`.
        let bytes: &'static [u8] = unsafe { std::slice::from_raw_parts(data.as_ptr(), data.len()) };
        let face = ttf_parser::Face::parse(bytes, index).map_err(|e| {
            Error::font(format!("不是可用的字体 (not a usable font: {e})"))
                .with_path(path)
                .with_source(e)
        })?;
        let name = |id: u16| {
            face.names()
                .into_iter()
                .filter(|n| n.name_id == id)
                .find_map(|n| n.to_string())
        };
        let family = name(ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
            .or_else(|| name(ttf_parser::name_id::FAMILY))
            .unwrap_or_else(|| {
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("?")
                    .to_string()
            });
        Ok(Face {
            parsed: face,
            family,
            path: path.to_path_buf(),
            index,
            data,
            advances: Mutex::new(FxHashMap::default()),
        })
    }

    pub fn ttf(&self) -> &ttf_parser::Face<'_> {
        &self.parsed
    }

    /// Whether the face is the copy built into the binary.
    pub fn is_embedded(&self) -> bool {
        matches!(self.data, FontData::Static(_))
    }

    /// Checks that the face can be used: no table runs past the end of the file, the
    /// character map, widths and outlines are readable, every character of `PROBES` the
    /// character map claims has an outline, and the face can be cut and embedded the way the
    /// PDF writer does it (a truncated or corrupt file fails here, not in every PDF).
    ///
    /// # Errors
    /// Why the face is unusable, one line.
    pub fn check(&self) -> Result<(), String> {
        struct Nothing;
        impl ttf_parser::OutlineBuilder for Nothing {
            fn move_to(&mut self, _: f32, _: f32) {}
            fn line_to(&mut self, _: f32, _: f32) {}
            fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
            fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
            fn close(&mut self) {}
        }
        let ttf = self.ttf();
        // A table that runs past the end of the file: the file was cut short.
        for record in ttf.raw_face().table_records {
            let end = u64::from(record.offset) + u64::from(record.length);
            if end > self.data.len() as u64 {
                return Err(format!(
                    "文件不完整 (truncated: table {} ends at byte {end}, the file has {})",
                    record.tag,
                    self.data.len()
                ));
            }
        }
        let tables = ttf.tables();
        if tables.cmap.is_none() || tables.hmtx.is_none() {
            return Err("缺少字符映射或字宽 (no usable cmap or hmtx table)".into());
        }
        if tables.cff.is_none() && tables.glyf.is_none() && tables.cff2.is_none() {
            return Err("没有字形轮廓 (no CFF or glyf outlines)".into());
        }
        let mut claimed = std::collections::BTreeSet::new();
        for c in PROBES.chars() {
            let Some(gid) = ttf.glyph_index(c).filter(|g| g.0 != 0) else {
                continue;
            };
            let drawn = ttf
                .outline_glyph(gid, &mut Nothing)
                .is_some_and(|r| r.width() > 0 && r.height() > 0);
            if !drawn {
                return Err(format!(
                    "字形为空 (the character map has {c} U+{:04X} but its glyph draws nothing)",
                    u32::from(c)
                ));
            }
            claimed.insert(c);
        }
        embed::check_embeddable(self, &claimed).map_err(|e| format!("无法嵌入 (cannot be embedded: {e})"))
    }

    /// The advance width of `c` in em, or `None` when the face has no glyph for it.
    pub fn advance(&self, c: char) -> Option<f64> {
        let mut cache = lock(&self.advances);
        *cache.entry(c).or_insert_with(|| {
            let face = self.ttf();
            let gid = face.glyph_index(c).filter(|g| g.0 != 0)?;
            let adv = face.glyph_hor_advance(gid).unwrap_or(0);
            Some(f64::from(adv) / f64::from(face.units_per_em().max(1)))
        })
    }

    pub fn has(&self, c: char) -> bool {
        self.advance(c).is_some()
    }

    /// The face cut down to `glyphs` (ascending, `.notdef` first) as an sfnt file: the
    /// subset's glyph `i` is `glyphs[i]`.
    pub fn subset(&self, glyphs: &[u16]) -> Result<Vec<u8>, String> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData as SfntData;
        use allsorts::subset::{CmapTarget, SubsetProfile, subset};
        let scope = ReadScope::new(&self.data);
        let file = scope.read::<SfntData<'_>>().map_err(|e| e.to_string())?;
        let provider = file
            .table_provider(self.index as usize)
            .map_err(|e| e.to_string())?;
        subset(&provider, glyphs, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| e.to_string())
    }

    /// The face's CFF table cut down to `glyphs` (as [`Face::subset`]), bare: what a PDF
    /// embeds of a CID-keyed face. Skips the sfnt around it (its `cmap` alone cost as much
    /// as the cut).
    pub fn cff_subset(&self, glyphs: &[u16]) -> Result<Vec<u8>, String> {
        use allsorts::binary::read::ReadScope;
        use allsorts::binary::write::{WriteBinary, WriteBuffer};
        use allsorts::cff::CFF;
        let ttf = self.ttf();
        let table = ttf
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"CFF "))
            .ok_or("the face has no CFF table")?;
        let cff = ReadScope::new(table)
            .read::<CFF<'_>>()
            .map_err(|e| e.to_string())?;
        let cut: CFF<'_> = cff.subset(glyphs, true).map_err(|e| e.to_string())?.into();
        let mut out = WriteBuffer::new();
        CFF::write(&mut out, &cut).map_err(|e| e.to_string())?;
        Ok(out.into_inner())
    }
}

/// A role's face and why it was chosen.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub role: String,
    /// Index into [`FontSet::faces`].
    pub face: usize,
    pub origin: Origin,
    pub reason: String,
    /// Whether the face is the family the style wants first for the role; `false` for a
    /// later family, the bundled face or a stand-in.
    pub as_asked: bool,
}

/// The faces of a style's font roles.
#[derive(Debug)]
pub struct FontSet {
    pub faces: Vec<Arc<Face>>,
    pub roles: BTreeMap<String, Resolved>,
    /// The face of the `fallback` role, for characters a role's face lacks.
    pub fallback: Option<usize>,
    /// Font files found for a wanted family but skipped as unusable, each as
    /// `path: reason` (see [`Face::check`]).
    pub skipped: Vec<String>,
}

impl FontSet {
    pub fn face(&self, i: usize) -> &Face {
        &self.faces[i]
    }

    /// The face index of a role (the body's when the role is unknown).
    pub fn role(&self, role: &str) -> usize {
        self.roles
            .get(role)
            .or_else(|| self.roles.get("body"))
            .or_else(|| self.roles.values().next())
            .map(|r| r.face)
            .unwrap_or(0)
    }

    /// The face drawing `c` for `role` and the character's advance in it (em): the role's
    /// own face if it has the character, else the fallback's, else any face's; `None` when
    /// no face has it (the role's face is used, with a warning).
    pub fn face_for(&self, role: usize, c: char) -> Option<(usize, f64)> {
        if let Some(a) = self.faces[role].advance(c) {
            return Some((role, a));
        }
        if let Some(f) = self.fallback
            && let Some(a) = self.faces[f].advance(c)
        {
            return Some((f, a));
        }
        self.faces
            .iter()
            .enumerate()
            .find_map(|(i, f)| f.advance(c).map(|a| (i, a)))
    }
}

/// Loaded faces by file and index.
type FaceCache = Mutex<HashMap<(PathBuf, u32), Arc<Face>>>;

fn face_cache() -> &'static FaceCache {
    static FACES: OnceLock<FaceCache> = OnceLock::new();
    FACES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Loads a face once per process. A face not built into the binary is checked
/// ([`Face::check`]) before it is kept.
///
/// # Errors
/// The file cannot be read ([`ErrorKind::NotFound`](crate::ErrorKind::NotFound),
/// [`ErrorKind::Io`](crate::ErrorKind::Io)), is no font or fails the check
/// ([`ErrorKind::Font`](crate::ErrorKind::Font)); one line about the file.
pub fn load_face(path: &Path, index: u32) -> Result<Arc<Face>, Error> {
    let key = (path.to_path_buf(), index);
    if let Some(f) = lock(face_cache()).get(&key) {
        return Ok(f.clone());
    }
    let face = Face::load(path, index)?;
    face.check().map_err(|e| Error::font(e).with_path(path))?;
    let face = Arc::new(face);
    lock(face_cache()).insert(key, face.clone());
    Ok(face)
}

/// The built-in copy of the bundled file `name` ([`EMBEDDED`]), parsed once per process.
/// Not checked: it is the file the tests run with.
fn load_embedded(name: &str) -> Option<Arc<Face>> {
    let bytes = embedded(name)?;
    let path = Path::new(EMBEDDED_DIR).join(name);
    let key = (path.clone(), 0);
    if let Some(f) = lock(face_cache()).get(&key) {
        return Some(f.clone());
    }
    let face = Arc::new(Face::from_data(FontData::Static(bytes), &path, 0).ok()?);
    lock(face_cache()).insert(key, face.clone());
    Some(face)
}

fn system_db() -> &'static fontdb::Database {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    DB.get_or_init(|| {
        if std::env::var_os("NIANBAO_NO_SYSTEM_FONTS").is_some() {
            return fontdb::Database::new();
        }
        index::system_fonts()
    })
}

/// The folders searched for the bundled faces, in order, before the copies built into the
/// binary: `$NIANBAO_FONTS`, then `fonts/` beside the executable, its own folder and
/// `../share/nianbao/fonts` (the source tree is not searched: what a binary sets must not
/// depend on where it was built).
pub fn bundled_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("NIANBAO_FONTS") {
        dirs.push(PathBuf::from(d));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        dirs.push(dir.join("fonts"));
        dirs.push(dir.to_path_buf());
        dirs.push(dir.join("../share/nianbao/fonts"));
    }
    dirs
}

/// The faces of family `wanted` in `db` (upright, normal weight first), each as file, index
/// and family name.
fn find_family(db: &fontdb::Database, wanted: &str) -> Vec<(PathBuf, u32, String)> {
    let matches = |f: &fontdb::FaceInfo| {
        f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(wanted))
            || f.post_script_name.eq_ignore_ascii_case(wanted)
    };
    let mut found: Vec<&fontdb::FaceInfo> = db.faces().filter(|f| matches(f)).collect();
    // Prefer the upright face of normal weight.
    found.sort_by_key(|f| {
        (
            f.style != fontdb::Style::Normal,
            (i32::from(f.weight.0) - 400).abs(),
        )
    });
    found
        .into_iter()
        .filter_map(|f| {
            let path = match &f.source {
                fontdb::Source::File(p) => p.clone(),
                fontdb::Source::SharedFile(p, _) => p.clone(),
                fontdb::Source::Binary(_) => return None,
            };
            Some((
                path,
                f.index,
                f.families.first().map(|n| n.0.clone()).unwrap_or_default(),
            ))
        })
        .collect()
}

fn set_cache() -> &'static Mutex<HashMap<String, Arc<FontSet>>> {
    static SETS: OnceLock<Mutex<HashMap<String, Arc<FontSet>>>> = OnceLock::new();
    SETS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The most faces a font collection (TTC/OTC) may declare. Real collections hold fewer than
/// a hundred (msgothic.ttc 3, NotoSansCJK.ttc 10, the largest Office collections about 40);
/// font libraries parse every declared face, so a crafted header declaring 2^32 faces kept
/// fontdb busy for minutes.
pub const MAX_COLLECTION_FACES: u32 = 256;

/// Why a font file cannot be handed to fontdb, if it cannot: a collection whose header
/// declares more faces than [`MAX_COLLECTION_FACES`], or more than its file holds offsets for
/// (4 bytes a face after the 12-byte header). Only the header is read.
fn collection_refused(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut head = [0u8; 12];
    file.read_exact(&mut head).ok()?;
    if &head[..4] != b"ttcf" {
        return None;
    }
    let n = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
    let room = size.saturating_sub(12) / 4;
    if n == 0 || n > MAX_COLLECTION_FACES || u64::from(n) > room {
        return Some(format!(
            "{}: a font collection declaring {n} faces (the file holds offsets for {room}; the limit is {MAX_COLLECTION_FACES})",
            path.display()
        ));
    }
    None
}

/// [`fontdb::Database::load_fonts_dir`], with each collection's header checked first
/// ([`collection_refused`]; a refused file is named in `skipped`): the same extensions,
/// folders followed below, each real path once (symlink loops end).
pub(crate) fn load_font_dir(
    db: &mut fontdb::Database,
    dir: &Path,
    seen: &mut std::collections::HashSet<PathBuf>,
    skipped: &mut Vec<String>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(path) = std::fs::canonicalize(entry.path()) else {
            continue;
        };
        if !seen.insert(path.clone()) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            load_font_dir(db, &path, seen, skipped);
            continue;
        }
        let font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["ttf", "ttc", "otf", "otc"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        });
        if !meta.is_file() || !font {
            continue;
        }
        match collection_refused(&path) {
            Some(why) => skipped.push(why),
            None => {
                let _ = db.load_font_file(&path);
            }
        }
    }
}

/// Refuses a `--font-dir` that is not a readable folder (a mistyped path would otherwise
/// silently leave the official faces out).
///
/// # Errors
/// [`ErrorKind::Usage`](crate::ErrorKind::Usage) naming (in its message, as the option
/// `--font-dir` it was given by) the first folder that is missing or not a folder, the
/// [`std::io::Error`] as its source.
pub fn check_font_dirs(font_dirs: &[PathBuf]) -> Result<(), Error> {
    for d in font_dirs {
        match std::fs::read_dir(d) {
            Ok(_) => {}
            Err(e) => {
                // The option names the folder, as the user gave it: no path beside.
                return Err(
                    Error::usage(format!("字体文件夹不可用 (--font-dir {}: {e})", d.display()))
                        .with_source(e),
                );
            }
        }
    }
    Ok(())
}

/// Resolves every font role of `style` (once per style and font folders per process).
///
/// # Errors
/// A `--font-dir` that is not a folder ([`check_font_dirs`]), or no face found for any role
/// (only with a style naming bundled files that are neither built in nor on disk).
pub fn resolve(style: &Style, font_dirs: &[PathBuf]) -> Result<Arc<FontSet>, Error> {
    check_font_dirs(font_dirs)?;
    let key = format!("{:?}|{:?}", style.fonts, font_dirs);
    // Held while resolving, so a second caller waits for the first instead of doing it again.
    let mut cache = lock(set_cache());
    if let Some(set) = cache.get(&key) {
        return Ok(set.clone());
    }
    let mut user = fontdb::Database::new();
    let mut skipped: Vec<String> = Vec::new();
    for d in font_dirs {
        load_font_dir(&mut user, d, &mut std::collections::HashSet::new(), &mut skipped);
    }
    let bundled = bundled_dirs();
    let mut faces: Vec<Arc<Face>> = Vec::new();
    let mut roles = BTreeMap::new();
    let mut unresolved = Vec::new();
    let mut missing = Vec::new();
    let mut add = |face: Arc<Face>| -> usize {
        match faces.iter().position(|f| Arc::ptr_eq(f, &face)) {
            Some(i) => i,
            None => {
                faces.push(face);
                faces.len() - 1
            }
        }
    };
    let mut skip = |why: String| {
        if !skipped.contains(&why) {
            skipped.push(why);
        }
    };
    for (role, spec) in &style.fonts {
        let mut chosen = None;
        'families: for (rank, family) in spec.families.iter().enumerate() {
            for (db, origin) in [(&user, Origin::FontDir), (system_db(), Origin::System)] {
                for (path, index, name) in find_family(db, family) {
                    match load_face(&path, index) {
                        Ok(face) => {
                            let reason =
                                format!("wanted family {family} found as {name} ({})", path.display());
                            chosen = Some((face, origin, reason, rank == 0));
                            break 'families;
                        }
                        Err(e) => skip(e.to_string()),
                    }
                }
            }
        }
        if chosen.is_none() {
            let mut tried = Vec::new();
            for dir in &bundled {
                let path = dir.join(&spec.bundled);
                if path.is_file() {
                    match load_face(&path, 0) {
                        Ok(face) => {
                            let reason = format!(
                                "none of {} installed; bundled {}",
                                spec.families.join(", "),
                                path.display()
                            );
                            chosen = Some((face, Origin::Bundled, reason, false));
                            break;
                        }
                        Err(e) => skip(e.to_string()),
                    }
                }
                tried.push(dir.display().to_string());
            }
            if chosen.is_none()
                && let Some(face) = load_embedded(&spec.bundled)
            {
                let reason = format!(
                    "none of {} installed; bundled {} (built into nianbao)",
                    spec.families.join(", "),
                    spec.bundled
                );
                chosen = Some((face, Origin::Bundled, reason, false));
            }
            if chosen.is_none() {
                tried.push("the faces built into nianbao".into());
                missing.push(format!(
                    "none of {} installed and {} not in {}",
                    spec.families.join(", "),
                    spec.bundled,
                    tried.join(", ")
                ));
                unresolved.push(role.clone());
                continue;
            }
        }
        let (face, origin, reason, as_asked) = chosen.expect("chosen");
        let index = add(face);
        roles.insert(
            role.clone(),
            Resolved {
                role: role.clone(),
                face: index,
                origin,
                reason,
                as_asked,
            },
        );
    }
    if roles.is_empty() {
        return Err(Error::font(format!(
            "找不到字体 (no fonts found): {}; use --font-dir or set NIANBAO_FONTS",
            missing.join("; ")
        )));
    }
    // A role whose face is nowhere borrows the body's (the fallback role is just left out).
    let stand_in = roles
        .get("body")
        .or_else(|| roles.values().next())
        .map(|r| r.face)
        .expect("a role");
    for (role, why) in unresolved.into_iter().zip(missing) {
        if role == "fallback" {
            continue;
        }
        let reason = format!("{why}; using {}", faces[stand_in].family);
        roles.insert(
            role.clone(),
            Resolved {
                role,
                face: stand_in,
                origin: Origin::StandIn,
                reason,
                as_asked: false,
            },
        );
    }
    let fallback = roles.get("fallback").map(|r| r.face);
    let set = Arc::new(FontSet {
        faces,
        roles,
        fallback,
        skipped,
    });
    cache.insert(key, set.clone());
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TrueType font of two glyphs whose character map gives 国 glyph 1; glyph 1 is a
    /// triangle, or nothing at all when `blank`.
    fn tiny_font(blank: bool) -> Vec<u8> {
        fn be16(v: &mut Vec<u8>, x: u16) {
            v.extend_from_slice(&x.to_be_bytes());
        }
        let mut head = Vec::new();
        head.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        head.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        head.extend_from_slice(&0u32.to_be_bytes());
        head.extend_from_slice(&0x5F0F_3CF5u32.to_be_bytes());
        be16(&mut head, 0); // flags
        be16(&mut head, 1000); // units per em
        head.extend_from_slice(&[0; 16]); // created, modified
        for v in [0u16, 0, 500, 500] {
            be16(&mut head, v);
        }
        for v in [0u16, 8, 2, 0, 0] {
            be16(&mut head, v); // macStyle, lowestRecPPEM, direction, short loca, format
        }
        let mut hhea = Vec::new();
        hhea.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        for v in [
            880u16,
            (-120i16) as u16,
            0,
            1000,
            0,
            0,
            500,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            2,
        ] {
            be16(&mut hhea, v);
        }
        let mut maxp = 0x0000_5000u32.to_be_bytes().to_vec();
        be16(&mut maxp, 2);
        let mut hmtx = Vec::new();
        for v in [1000u16, 0, 1000, 0] {
            be16(&mut hmtx, v);
        }
        let mut cmap = Vec::new();
        for v in [0u16, 1, 3, 1, 0, 12] {
            be16(&mut cmap, v);
        }
        let delta = 1u16.wrapping_sub(0x56FD);
        for v in [
            4u16, 32, 0, 4, 4, 1, 0, 0x56FD, 0xFFFF, 0, 0x56FD, 0xFFFF, delta, 1, 0, 0,
        ] {
            be16(&mut cmap, v);
        }
        let mut glyf = Vec::new();
        if !blank {
            for v in [1u16, 0, 0, 500, 500, 2, 0] {
                be16(&mut glyf, v); // one contour, bounds, its last point, no instructions
            }
            glyf.extend_from_slice(&[1, 1, 1]); // three points on the curve
            for v in [0i16, 500, -250, 0, 0, 500] {
                be16(&mut glyf, v as u16);
            }
            glyf.push(0);
        }
        let mut loca = Vec::new();
        for v in [0u16, 0, glyf.len() as u16 / 2] {
            be16(&mut loca, v);
        }
        let tables: [(&[u8; 4], Vec<u8>); 7] = [
            (b"cmap", cmap),
            (b"glyf", glyf),
            (b"head", head),
            (b"hhea", hhea),
            (b"hmtx", hmtx),
            (b"loca", loca),
            (b"maxp", maxp),
        ];
        let mut out = 0x0001_0000u32.to_be_bytes().to_vec();
        for v in [7u16, 64, 2, 48] {
            be16(&mut out, v);
        }
        let mut offset = 12 + 16 * tables.len();
        let mut body = Vec::new();
        for (tag, data) in &tables {
            out.extend_from_slice(*tag);
            out.extend_from_slice(&0u32.to_be_bytes());
            out.extend_from_slice(&(offset as u32).to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let padded = data.len().div_ceil(4) * 4;
            body.extend_from_slice(data);
            body.resize(body.len() + padded - data.len(), 0);
            offset += padded;
        }
        out.extend(body);
        out
    }

    fn face_of(bytes: Vec<u8>) -> Face {
        Face::from_data(FontData::Read(bytes), Path::new("tiny.ttf"), 0).unwrap()
    }

    #[test]
    fn a_face_that_claims_a_character_but_draws_it_blank_is_refused() {
        let blank = face_of(tiny_font(true));
        assert!(blank.has('国'), "the character map claims 国");
        let err = blank.check().unwrap_err();
        assert!(err.contains("U+56FD") && err.contains("draws nothing"), "{err}");
        // The same face with an outline for 国 passes the outline check (it may still fail
        // to embed: it lacks tables a PDF font needs, and says so).
        let drawn = face_of(tiny_font(false));
        assert!(drawn.has('国'));
        if let Err(e) = drawn.check() {
            assert!(e.contains("cannot be embedded"), "{e}");
        }
    }

    #[test]
    fn the_bundled_file_on_disk_passes_the_check_and_the_built_in_copy_is_the_same() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/FandolFang-Regular.otf");
        let face = load_face(&path, 0).unwrap();
        assert!(!face.is_embedded());
        let built_in = load_embedded("FandolFang-Regular.otf").unwrap();
        assert!(built_in.is_embedded());
        assert_eq!(built_in.family, face.family);
        assert_eq!(
            embedded("FandolFang-Regular.otf").unwrap(),
            std::fs::read(&path).unwrap().as_slice()
        );
        built_in.check().unwrap();
        // Every bundled face of the built-in style is built in.
        for spec in Style::builtin().fonts.values() {
            assert!(embedded(&spec.bundled).is_some(), "{}", spec.bundled);
        }
    }

    #[test]
    fn a_truncated_file_fails_to_load() {
        let dir = tempfile::tempdir().unwrap();
        let whole = embedded("FandolHei-Regular.otf").unwrap();
        let path = dir.path().join("cut.otf");
        for len in [whole.len() / 2, whole.len() - 1000, 100] {
            std::fs::write(&path, &whole[..len]).unwrap();
            let err = match Face::load(&path, 0) {
                Ok(f) => f.check().unwrap_err(),
                Err(e) => e.to_string(),
            };
            assert!(!err.is_empty(), "{len} bytes");
        }
    }

    #[test]
    fn a_poisoned_cache_lock_is_recovered() {
        let m = Arc::new(Mutex::new(vec![1]));
        let held = m.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("a panic while the lock is held");
        })
        .join();
        assert!(m.is_poisoned());
        lock(&m).push(2);
        assert_eq!(*lock(&m), [1, 2]);
    }

    #[test]
    fn a_font_dir_that_is_not_a_folder_is_refused() {
        let err = check_font_dirs(&[PathBuf::from("/nonexistent/nianbao-fonts")]).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Usage);
        assert!(err.to_string().contains("/nonexistent/nianbao-fonts"), "{err}");
        check_font_dirs(&[PathBuf::from(env!("CARGO_MANIFEST_DIR"))]).unwrap();
    }
}
