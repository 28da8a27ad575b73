//! File-system helpers every stage that writes shares.

use std::io::Write;
use std::path::Path;

/// Temp file in the target's folder, then rename: readers never see half a file.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    temp_with(target, bytes, dir)?
        .persist(target)
        .map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomic`] with the temp file in `tmp_dir` (where git ignores it, so that a killed run
/// leaves nothing `git add -A` would commit), renamed into place. When `tmp_dir` is on another file
/// system the temp file goes beside the target after all.
pub fn write_atomic_via(target: &Path, bytes: &[u8], tmp_dir: &Path) -> std::io::Result<()> {
    match temp_with(target, bytes, tmp_dir).map(|tmp| tmp.persist(target)) {
        Ok(Ok(_)) => Ok(()),
        // Another file system (or no room there): beside the target, as always.
        Ok(Err(_)) | Err(_) => write_atomic(target, bytes),
    }
}

/// A synced temp file in `dir` holding `bytes`, with the mode `target` has (or a page's).
fn temp_with(target: &Path, bytes: &[u8], dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
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
    Ok(tmp)
}

/// What every temp file of kbfresh's is named with.
pub const TMP_PREFIX: &str = ".kbfresh-tmp-";

/// Removes temp files a killed run left in `dir` (older than an hour, so that a run going on now
/// keeps its own). Returns how many went.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TMP_PREFIX))
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago)
        })
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(unix)]
pub fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
pub fn default_permissions() -> Option<std::fs::Permissions> {
    // Elsewhere a temp file is an ordinary file already.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temp_file_elsewhere_leaves_nothing_beside_the_target_and_old_leftovers_go() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("content/a.md");
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, "old").unwrap();
        write_atomic_via(&target, b"new", &dir.path().join(".git/kbfresh-tmp")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let beside: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(beside, ["a.md"]);

        let old = target.with_file_name(".kbfresh-tmp-killed");
        let fresh = target.with_file_name(".kbfresh-tmp-running");
        std::fs::write(&old, "x").unwrap();
        std::fs::write(&fresh, "x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
            .unwrap();
        assert_eq!(remove_stale_temp_files(target.parent().unwrap()), 1);
        assert!(!old.exists() && fresh.exists() && target.exists());
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
}
