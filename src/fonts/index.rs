//! The system's fonts by name, kept on disk between runs as fontconfig keeps its cache.
//!
//! Learning which families a machine has means opening and parsing every font file on it:
//! with a hundred files that took as long as converting a report, and machines with Office
//! or a full CJK set have thousands. The index is used as long as no font file it lists,
//! no folder above one, no usual font folder and no fontconfig configuration has changed
//! (size and modification time); otherwise the fonts are scanned again and it is rewritten.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// 2: collections with crafted headers left out (as from `--font-dir`).
const VERSION: u32 = 2;

/// A file's or folder's size and modification time, or `None` where it does not exist.
type Stamp = Option<(u64, u64, u32)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    let t = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((meta.len(), t.as_secs(), t.subsec_nanos()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    index: u32,
    families: Vec<String>,
    post_script_name: String,
    weight: u16,
    /// 0 normal, 1 italic, 2 oblique.
    style: u8,
    monospaced: bool,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Index {
    version: u32,
    stamps: Vec<(PathBuf, Stamp)>,
    faces: Vec<Entry>,
}

/// Folders and files whose change may mean other fonts: the usual font folders and
/// fontconfig's configuration (present or not).
fn watched() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = [
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "/etc/fonts",
        "/etc/fonts/conf.d",
        "/etc/fonts/fonts.conf",
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        for sub in [".fonts", ".local/share/fonts", ".config/fontconfig"] {
            paths.push(home.join(sub));
        }
    }
    for var in ["FONTCONFIG_FILE", "XDG_CONFIG_HOME"] {
        if let Some(p) = std::env::var_os(var) {
            paths.push(PathBuf::from(p));
        }
    }
    paths
}

impl Index {
    /// The index of what `db` holds (its faces from files).
    pub fn of(db: &fontdb::Database) -> Index {
        let mut faces = Vec::new();
        let mut paths: std::collections::BTreeSet<PathBuf> = watched().into_iter().collect();
        for face in db.faces() {
            let path = match &face.source {
                fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
                fontdb::Source::Binary(_) => continue,
            };
            // The file, and every folder above it: a font added anywhere below changes one.
            paths.extend(path.ancestors().map(Path::to_path_buf));
            faces.push(Entry {
                path,
                index: face.index,
                families: face.families.iter().map(|(n, _)| n.clone()).collect(),
                post_script_name: face.post_script_name.clone(),
                weight: face.weight.0,
                style: match face.style {
                    fontdb::Style::Normal => 0,
                    fontdb::Style::Italic => 1,
                    fontdb::Style::Oblique => 2,
                },
                monospaced: face.monospaced,
            });
        }
        let stamps = paths.into_iter().map(|p| (p.clone(), stamp(&p))).collect();
        Index {
            version: VERSION,
            stamps,
            faces,
        }
    }

    /// Whether nothing the index depends on has changed.
    pub fn is_fresh(&self) -> bool {
        let watched = watched();
        self.version == VERSION
            && watched.iter().all(|w| self.stamps.iter().any(|(p, _)| p == w))
            && self.stamps.iter().all(|(p, s)| stamp(p) == *s)
    }

    /// The faces as a font database (no file is opened).
    pub fn database(&self) -> fontdb::Database {
        let mut db = fontdb::Database::new();
        for e in &self.faces {
            db.push_face_info(fontdb::FaceInfo {
                id: fontdb::ID::dummy(),
                source: fontdb::Source::File(e.path.clone()),
                index: e.index,
                families: e
                    .families
                    .iter()
                    .map(|n| (n.clone(), fontdb::Language::English_UnitedStates))
                    .collect(),
                post_script_name: e.post_script_name.clone(),
                style: match e.style {
                    1 => fontdb::Style::Italic,
                    2 => fontdb::Style::Oblique,
                    _ => fontdb::Style::Normal,
                },
                weight: fontdb::Weight(e.weight),
                stretch: fontdb::Stretch::Normal,
                monospaced: e.monospaced,
            });
        }
        db
    }
}

/// The folders [`fontdb::Database::load_system_fonts`] scans, in its order, so that each
/// file can go through the collection check of [`super::load_font_dir`] before fontdb
/// parses it: on Linux, fontconfig's `<dir>`s (else the usual folders), on macOS and Windows
/// the system's and the user's font folders.
fn system_font_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut dirs = Vec::new();
    if cfg!(windows) {
        let root = std::env::var_os("SYSTEMROOT").map_or_else(|| PathBuf::from("C:\\Windows"), PathBuf::from);
        dirs.push(root.join("Fonts"));
        if let Some(profile) = std::env::var_os("USERPROFILE").map(PathBuf::from) {
            dirs.push(profile.join("AppData\\Local\\Microsoft\\Windows\\Fonts"));
            dirs.push(profile.join("AppData\\Roaming\\Microsoft\\Windows\\Fonts"));
        }
    } else if cfg!(target_os = "macos") {
        dirs.extend(["/Library/Fonts", "/System/Library/Fonts"].map(PathBuf::from));
        if let Ok(assets) = std::fs::read_dir("/System/Library/AssetsV2") {
            dirs.extend(
                assets
                    .flatten()
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with("com_apple_MobileAsset_Font")
                    })
                    .map(|e| e.path()),
            );
        }
        dirs.push(PathBuf::from("/Network/Library/Fonts"));
        dirs.extend(home.map(|h| h.join("Library/Fonts")));
    } else {
        dirs = fontconfig_dirs(home.as_deref());
        if dirs.is_empty() {
            dirs.extend(["/usr/share/fonts", "/usr/local/share/fonts"].map(PathBuf::from));
            if let Some(h) = &home {
                dirs.extend([h.join(".fonts"), h.join(".local/share/fonts")]);
            }
        }
    }
    dirs
}

/// fontconfig's font folders, read as fontdb reads them: `$FONTCONFIG_FILE`, else the user's
/// `fontconfig/fonts.conf` (or `/etc/fonts/local.conf` without one) and `/etc/fonts/fonts.conf`.
fn fontconfig_dirs(home: Option<&Path>) -> Vec<PathBuf> {
    let mut config = fontconfig_parser::FontConfig::default();
    if let Some(file) = std::env::var_os("FONTCONFIG_FILE") {
        let _ = config.merge_config(Path::new(&file));
    } else {
        let user = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".config")));
        let read_global = user.is_none_or(|u| config.merge_config(&u.join("fontconfig/fonts.conf")).is_err());
        if read_global {
            let _ = config.merge_config(Path::new("/etc/fonts/local.conf"));
        }
        let _ = config.merge_config(Path::new("/etc/fonts/fonts.conf"));
    }
    config
        .dirs
        .into_iter()
        .filter_map(|d| match d.path.strip_prefix("~") {
            Ok(rest) => home.map(|h| h.join(rest)),
            Err(_) => Some(d.path),
        })
        .collect()
}

/// Where the index is kept: `$NIANBAO_FONT_INDEX`, else the user's cache folder.
fn index_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NIANBAO_FONT_INDEX") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("nianbao").join("system-fonts.json"))
}

/// The system's fonts: from the index while it is fresh, else scanned (and the index
/// written; a cache that cannot be written is no error).
pub fn system_fonts() -> fontdb::Database {
    let path = index_path();
    if let Some(p) = &path
        && let Ok(text) = std::fs::read(p)
        && let Ok(index) = serde_json::from_slice::<Index>(&text)
        && index.is_fresh()
    {
        return index.database();
    }
    let mut db = fontdb::Database::new();
    let mut seen = std::collections::HashSet::new();
    // A collection whose header would keep fontdb busy is left out here as from --font-dir;
    // it never offers a face, so it needs no diagnostic.
    let mut skipped = Vec::new();
    for dir in system_font_dirs() {
        super::load_font_dir(&mut db, &dir, &mut seen, &mut skipped);
    }
    if let Some(p) = &path
        && let Ok(json) = serde_json::to_vec(&Index::of(&db))
    {
        let _ = crate::files::write_atomic(p, &json);
    }
    db
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_gives_back_the_faces_and_goes_stale_when_a_font_changes() {
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("sub").join("face.otf");
        std::fs::create_dir_all(font.parent().unwrap()).unwrap();
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/FandolSong-Regular.otf");
        std::fs::copy(&bundled, &font).unwrap();
        let mut db = fontdb::Database::new();
        db.load_fonts_dir(dir.path());
        let index = Index::of(&db);
        assert_eq!(index.faces.len(), 1);
        assert!(
            index.faces[0]
                .families
                .iter()
                .any(|f| f.starts_with("FandolSong"))
        );

        let json = serde_json::to_vec(&index).unwrap();
        let back: Index = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, index);
        assert!(back.is_fresh());
        let again = Index::of(&back.database());
        assert_eq!(again.faces, index.faces);

        // A font added to a folder below a listed one makes the index stale.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::create_dir_all(dir.path().join("sub").join("new")).unwrap();
        assert!(!back.is_fresh());
    }
}
