//! Files written whole or not at all: [`write_atomic`] and [`write_set`]. Low in the layers
//! (it needs only [`Error`]), so any module may write through it: the writers' outputs, the
//! batch's report sets, the font index's cache.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file and an interrupted run leaves none behind: a
/// [`write_set`] of one.
///
/// # Errors
/// [`ErrorKind::Io`](crate::ErrorKind::Io) (or [`ErrorKind::NotFound`](crate::ErrorKind::NotFound))
/// about `path`, the [`std::io::Error`] as its source; the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_set(&[(path, bytes)])
}

/// Writes a set of files (a report's outputs) as a set or not at all: each to a temporary
/// file beside its destination, unique per writer (two threads writing one target never
/// share one) and synced, then all renamed into place, then their folders synced, so the
/// new names survive a crash. The files get the usual permissions (0666 less the umask).
/// On any failure (a full disk, a rename refused) the temporary files and the outputs
/// already renamed are removed. With `--force`, an old output already replaced is then gone
/// too: the set on disk is never a mix of two runs.
///
/// # Errors
/// The first failure, about its file ([`Error::io`]).
pub fn write_set<P: AsRef<Path>, B: AsRef<[u8]>>(files: &[(P, B)]) -> Result<(), Error> {
    let folder = |path: &Path| -> PathBuf {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut temps = Vec::new();
    for (path, bytes) in files {
        let (path, bytes) = (path.as_ref(), bytes.as_ref());
        let io = |e: std::io::Error| Error::io(path, e);
        let dir = folder(path);
        std::fs::create_dir_all(&dir).map_err(io)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        // Dropped on any error before it is renamed: the temporary file is removed.
        let mut tmp = builder.tempfile_in(&dir).map_err(io)?;
        tmp.write_all(bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        temps.push((tmp, path));
    }
    let mut renamed: Vec<&Path> = Vec::new();
    for (tmp, path) in temps {
        if let Err(e) = tmp.persist(path) {
            // The rest of `temps` is dropped with this iterator: removed too.
            for p in renamed {
                let _ = std::fs::remove_file(p);
            }
            let others = if files.len() > 1 {
                "；已写出的同组输出已删除 (the report's other outputs were removed)"
            } else {
                ""
            };
            let err = Error::io(path, e.error);
            let message = format!("{}{others}", err.message());
            return Err(err.with_message(message));
        }
        renamed.push(path);
    }
    let mut dirs: Vec<PathBuf> = files.iter().map(|(p, _)| folder(p.as_ref())).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        sync_dir(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    Ok(())
}

/// Syncs a folder, so a rename in it is on disk.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("nianbao-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("taken")).unwrap();
        // The rename onto an existing folder fails after the data was written.
        assert!(write_atomic(&dir.join("taken"), b"data").is_err());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["taken"], "no temporary file is left");
        write_atomic(&dir.join("ok.json"), b"{}").unwrap();
        assert_eq!(std::fs::read(dir.join("ok.json")).unwrap(), b"{}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn writers_of_one_target_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("same.json");
        let payloads: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 200_000]).collect();
        std::thread::scope(|s| {
            for p in &payloads {
                let target = &target;
                s.spawn(move || {
                    for _ in 0..5 {
                        write_atomic(target, p).unwrap();
                    }
                });
            }
        });
        // Whole: one writer's bytes, never a mix of two.
        let got = std::fs::read(&target).unwrap();
        assert!(payloads.contains(&got), "a torn file of {} bytes", got.len());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["same.json"], "no temporary file left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The permissions of any new file (the umask applies), not the temporary file's 0600.
            let plain = dir.path().join("plain");
            std::fs::write(&plain, b"").unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&target), mode(&plain));
        }
    }
}
