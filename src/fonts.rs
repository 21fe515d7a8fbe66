//! Font discovery and loading for the PDF writer.
//!
//! Each font role of the style (`title`, `body`, `heading1`, `heading2`, `page_number`,
//! `fallback`) resolves to one face: the first wanted family found in the `--font-dir`
//! folders, else among the system's fonts, else the bundled file named by the role
//! (searched in `$NIANBAO_FONTS`, next to the executable, and in the crate's `fonts/`).
//! Faces are read and parsed once per process and shared by every report of a batch.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::Error;
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
}

impl std::ops::Deref for FontData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontData::Mapped(m) => m,
            FontData::Read(v) => v,
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

impl Face {
    fn load(path: &Path, index: u32) -> Result<Face, String> {
        let data = FontData::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // SAFETY: the bytes stay where they are (a mapping, or a heap buffer never written
        // again) for as long as `data` is alive, and `data` moves into the same Face as
        // `parsed`, which is dropped before it and lent out only for as long as `&self`.
        let bytes: &'static [u8] = unsafe { std::slice::from_raw_parts(data.as_ptr(), data.len()) };
        let face = ttf_parser::Face::parse(bytes, index)
            .map_err(|e| format!("{}: not a usable font ({e})", path.display()))?;
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

    /// The advance width of `c` in em, or `None` when the face has no glyph for it.
    pub fn advance(&self, c: char) -> Option<f64> {
        let mut cache = self.advances.lock().expect("font cache");
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
}

/// The faces of a style's font roles.
#[derive(Debug)]
pub struct FontSet {
    pub faces: Vec<Arc<Face>>,
    pub roles: BTreeMap<String, Resolved>,
    /// The face of the `fallback` role, for characters a role's face lacks.
    pub fallback: Option<usize>,
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

/// Loads a face once per process.
pub fn load_face(path: &Path, index: u32) -> Result<Arc<Face>, Error> {
    let key = (path.to_path_buf(), index);
    if let Some(f) = face_cache().lock().expect("font cache").get(&key) {
        return Ok(f.clone());
    }
    let face = Arc::new(Face::load(path, index).map_err(Error::Io)?);
    face_cache().lock().expect("font cache").insert(key, face.clone());
    Ok(face)
}

fn system_db() -> &'static fontdb::Database {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    DB.get_or_init(|| {
        if std::env::var_os("NIANBAO_NO_SYSTEM_FONTS").is_some() {
            return fontdb::Database::new();
        }
        crate::font_index::system_fonts()
    })
}

/// The folders searched for the bundled faces, in order.
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
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"));
    dirs
}

fn find_family(db: &fontdb::Database, wanted: &str) -> Option<(PathBuf, u32, String)> {
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
    found.into_iter().find_map(|f| {
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
}

fn set_cache() -> &'static Mutex<HashMap<String, Arc<FontSet>>> {
    static SETS: OnceLock<Mutex<HashMap<String, Arc<FontSet>>>> = OnceLock::new();
    SETS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Resolves every font role of `style` (once per style and font folders per process).
pub fn resolve(style: &Style, font_dirs: &[PathBuf]) -> Result<Arc<FontSet>, Error> {
    let key = format!("{:?}|{:?}", style.fonts, font_dirs);
    // Held while resolving, so a second caller waits for the first instead of doing it again.
    let mut cache = set_cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(set) = cache.get(&key) {
        return Ok(set.clone());
    }
    let mut user = fontdb::Database::new();
    for d in font_dirs {
        user.load_fonts_dir(d);
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
    for (role, spec) in &style.fonts {
        let mut chosen = None;
        'families: for family in &spec.families {
            for (db, origin) in [(&user, Origin::FontDir), (system_db(), Origin::System)] {
                if let Some((path, index, name)) = find_family(db, family)
                    && let Ok(face) = load_face(&path, index)
                {
                    let reason = format!("wanted family {family} found as {name} ({})", path.display());
                    chosen = Some((face, origin, reason));
                    break 'families;
                }
            }
        }
        if chosen.is_none() {
            let mut tried = Vec::new();
            for dir in &bundled {
                let path = dir.join(&spec.bundled);
                if path.is_file() {
                    let face = load_face(&path, 0)?;
                    let reason = format!(
                        "none of {} installed; bundled {}",
                        spec.families.join(", "),
                        path.display()
                    );
                    chosen = Some((face, Origin::Bundled, reason));
                    break;
                }
                tried.push(dir.display().to_string());
            }
            if chosen.is_none() {
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
        let (face, origin, reason) = chosen.expect("chosen");
        let index = add(face);
        roles.insert(
            role.clone(),
            Resolved {
                role: role.clone(),
                face: index,
                origin,
                reason,
            },
        );
    }
    if roles.is_empty() {
        return Err(Error::Io(format!(
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
            },
        );
    }
    let fallback = roles.get("fallback").map(|r| r.face);
    let set = Arc::new(FontSet {
        faces,
        roles,
        fallback,
    });
    cache.insert(key, set.clone());
    Ok(set)
}
