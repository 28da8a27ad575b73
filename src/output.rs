//! Output: runs only after every content and template error has been found, so a failed build never
//! touches the previous site. Then it writes only files whose bytes changed (each atomically, with a
//! temp file and a rename) and removes only files it wrote last time that are gone now (listed in a manifest), so a
//! rebuild of an unchanged site writes nothing and a folder of other files is never wiped.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::render::{OutData, OutFile};

pub const MANIFEST: &str = ".kbfresh-manifest";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Refuses output folders that would overwrite the site itself.
pub fn check_target(out: &Path, root: &Path, content: &Path) -> Result<(), Diagnostic> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| absolute(p));
    let out_c = canon(out);
    let root_c = canon(root);
    let content_c = canon(content);
    if out_c == root_c || root_c.starts_with(&out_c) {
        return Err(Diagnostic::error(format!(
            "the output folder `{}` is the site root or contains it; building there would overwrite the site",
            out.display()
        ))
        .hint("use a folder of its own, e.g. `--output public`"));
    }
    if out_c.starts_with(&content_c) || content_c.starts_with(&out_c) {
        return Err(Diagnostic::error(format!(
            "the output folder `{}` is inside the content folder `{}` (or contains it)",
            out.display(),
            content.display()
        ))
        .hint("put the output beside the content, e.g. `--output public`"));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `files` under `out`.
pub fn write(out: &Path, files: &[OutFile]) -> Result<Stats, Diagnostic> {
    let io_err = |what: &str, p: &Path, e: std::io::Error| {
        Diagnostic::error(format!("cannot {what} `{}`: {e}", p.display()))
            .hint("check free disk space and the output folder's permissions")
    };
    for f in files {
        if !safe_rel(&f.path) {
            return Err(Diagnostic::error(format!(
                "refusing to write `{}`: outside the output folder",
                f.path
            )));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| io_err("create the output folder", out, e))?;
    let old: Vec<String> = std::fs::read_to_string(out.join(MANIFEST))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    // Files written and files removed: neither may go through a link to elsewhere.
    let touched = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(old.iter().map(String::as_str).filter(|p| safe_rel(p)));
    refuse_symlinks_out(out, touched)?;

    let results: Vec<Result<bool, Diagnostic>> = files
        .par_iter()
        .map(|f| {
            let target = out.join(&f.path);
            let bytes: std::borrow::Cow<'_, [u8]> = match &f.data {
                OutData::Bytes(b) => b.as_slice().into(),
                OutData::Static(b) => (*b).into(),
                OutData::Copy(src) => {
                    // Same size and same bytes: nothing to do; read the source only then.
                    let src_len = std::fs::metadata(src)
                        .map_err(|e| io_err("read", src, e))?
                        .len();
                    if std::fs::metadata(&target).is_ok_and(|m| m.len() == src_len)
                        && same_file_bytes(src, &target)
                    {
                        return Ok(false);
                    }
                    std::fs::read(src)
                        .map_err(|e| io_err("read", src, e))?
                        .into()
                }
            };
            if std::fs::metadata(&target).is_ok_and(|m| m.len() == bytes.len() as u64)
                && std::fs::read(&target).is_ok_and(|old| old == *bytes)
            {
                return Ok(false);
            }
            write_atomic(&target, &bytes).map_err(|e| io_err("write", &target, e))?;
            Ok(true)
        })
        .collect();
    let mut stats = Stats::default();
    for r in results {
        if r? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }

    let new: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut dirs = HashSet::new();
    for gone in old
        .iter()
        .filter(|p| !new.contains(p.as_str()) && safe_rel(p))
    {
        let p = out.join(gone);
        if std::fs::remove_file(&p).is_ok() {
            stats.removed += 1;
        }
        let mut d = Path::new(gone.as_str()).parent();
        while let Some(dir) = d.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_path_buf());
            d = dir.parent();
        }
    }
    // Deepest first; remove_dir only succeeds on empty folders, which is exactly what we want.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(out.join(d));
    }

    let mut listing: Vec<&str> = new.into_iter().collect();
    listing.sort_unstable();
    let mut manifest = listing.join("\n");
    manifest.push('\n');
    write_atomic(&out.join(MANIFEST), manifest.as_bytes())
        .map_err(|e| io_err("write", &out.join(MANIFEST), e))?;
    Ok(stats)
}

/// A folder inside the output folder that is a symbolic link to somewhere else would make every page
/// under it land outside the output folder: refused before anything is written.
fn refuse_symlinks_out<'a>(
    out: &Path,
    paths: impl Iterator<Item = &'a str>,
) -> Result<(), Diagnostic> {
    let out_c = std::fs::canonicalize(out).unwrap_or_else(|_| absolute(out));
    let mut dirs: HashSet<&Path> = HashSet::new();
    for f in paths {
        let mut d = Path::new(f).parent();
        while let Some(dir) = d.filter(|d| !d.as_os_str().is_empty()) {
            if !dirs.insert(dir) {
                break;
            }
            d = dir.parent();
        }
    }
    let mut dirs: Vec<&Path> = dirs.into_iter().collect();
    dirs.sort();
    for dir in dirs {
        let p = out.join(dir);
        let is_link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            continue;
        }
        let target = std::fs::canonicalize(&p);
        if target.as_ref().is_ok_and(|t| t.starts_with(&out_c)) {
            continue;
        }
        let to = target
            .map(|t| format!(" (to `{}`)", t.display()))
            .unwrap_or_default();
        return Err(Diagnostic::error(format!(
            "`{}` is a symbolic link{to} outside the output folder; kbfresh never writes through it",
            p.display()
        ))
        .hint("remove the link from the output folder; kbfresh recreates the folder"));
    }
    Ok(())
}

fn same_file_bytes(a: &Path, b: &Path) -> bool {
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Temp file in the target's folder, then rename: readers never see half a file.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kbfresh-tmp-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Temp files are created private (0600); a page must stay readable by the web server and an
    // edited article keeps its own mode.
    let perms = match std::fs::metadata(target) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.as_file().sync_data().ok();
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    // Elsewhere a temp file is an ordinary file already.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, s: &str) -> OutFile {
        OutFile {
            path: path.into(),
            data: OutData::Bytes(s.as_bytes().to_vec()),
        }
    }

    #[test]
    fn writes_only_changes_and_removes_only_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("CNAME"), "keep me").unwrap();
        let s = write(
            &out,
            &[file("a/index.html", "A"), file("b/index.html", "B")],
        )
        .unwrap();
        assert_eq!(
            s,
            Stats {
                written: 2,
                unchanged: 0,
                removed: 0
            }
        );
        let s = write(
            &out,
            &[file("a/index.html", "A"), file("c/index.html", "C")],
        )
        .unwrap();
        assert_eq!(
            s,
            Stats {
                written: 1,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(
            !out.join("b").exists(),
            "empty folders of removed pages go too"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).unwrap(),
            "keep me"
        );
        let s = write(
            &out,
            &[file("a/index.html", "A"), file("c/index.html", "C")],
        )
        .unwrap();
        assert_eq!(s.written, 0);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_world_readable_and_edits_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("page.html");
        write_atomic(&p, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn refuses_unsafe_paths_and_targets() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(dir.path(), &[file("../x", "no")]).is_err());
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_target(root, root, &root.join("content")).is_err());
        assert!(check_target(&root.join("content/out"), root, &root.join("content")).is_err());
        assert!(check_target(&root.join("public"), root, &root.join("content")).is_ok());
    }
}
