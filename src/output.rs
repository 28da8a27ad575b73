//! Output: pages are written as they are rendered, but a failed build never touches the previous
//! site: changed files wait in a staging folder until every page rendered, then move into place.
//! Only files whose bytes changed are written, and only files kbfresh wrote last time that are gone
//! now are removed (they are listed in a manifest with a hash of each), so a rebuild of an unchanged
//! site writes nothing, reads none of the old pages, and a folder of other files is never wiped.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::fsutil::write_atomic;
use crate::sink::{OutData, OutFile, Previous, Sink};

pub const MANIFEST: &str = ".kbfresh-manifest";
/// Held (an advisory lock) by the build writing into the folder: a second build fails clearly.
pub const LOCK: &str = ".kbfresh-lock";
/// Written when a build starts into an empty or new folder, removed when it is the site: found by
/// the next build, it marks what a killed first build left, which that build then removes.
const FRESH_MARK: &str = ".kbfresh-first-build";
/// In the staging folder while pages move into place: what moves and what goes, so that a build
/// killed part-way is rolled back by the next one before anything else.
const JOURNAL: &str = "journal";
/// The manifest's first line. Version 5: each line is `<xxh3 of the file> <page key> <size> <path>`,
/// hash and key in hex (the key of what a page was rendered from, `-` for other files), the path
/// percent-encoded (control characters, `%` and non-ASCII), so that no name can add a line; the
/// first line says whether the pages linked only to files that exist (`clean`). Nothing in it
/// depends on the machine or the time: the same inputs give the same output, manifest included.
/// Version 4 wrote the path as it is; version 2 had only the hash; before that, a bare path.
const MANIFEST_V5: &str = "# kbfresh manifest 5";
const MANIFEST_V4: &str = "# kbfresh manifest 4";

/// What a manifest path escapes besides non-ASCII bytes.
const MANIFEST_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');
const MANIFEST_V2: &str = "# kbfresh manifest 2";
/// Inside the output folder, so that moving a file into place is a rename on the same file system.
pub const STAGING: &str = ".kbfresh-staging";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Refuses output folders that would overwrite the site itself or a folder kbfresh reads: every
/// language's content folder, and the `(folder, what it is)` pairs of `reads` (templates, static
/// files, the theme, `.git`, the cache).
pub fn check_target<'a>(
    out: &Path,
    root: &Path,
    contents: impl IntoIterator<Item = &'a Path>,
    reads: &[(PathBuf, &str)],
) -> Result<(), Diagnostic> {
    // Resolved paths, not spellings: `public/../templates` is the templates folder.
    let canon = |p: &Path| resolved(p);
    let out_c = canon(out);
    let root_c = canon(root);
    if out_c == root_c || root_c.starts_with(&out_c) {
        return Err(Diagnostic::error(format!(
            "the output folder `{}` is the site root or contains it; building there would overwrite the site",
            out.display()
        ))
        .hint("use a folder of its own, e.g. `--output public`"));
    }
    let folders = contents
        .into_iter()
        .map(|c| (c.to_path_buf(), None))
        .chain(reads.iter().map(|(f, what)| (f.clone(), Some(*what))));
    for (folder, what) in folders {
        let folder_c = canon(&folder);
        if !(out_c.starts_with(&folder_c) || folder_c.starts_with(&out_c)) {
            continue;
        }
        return Err(match what {
            None => Diagnostic::error(format!(
                "the output folder `{}` is inside the content folder `{}` (or contains it)",
                out.display(),
                folder.display()
            ))
            .hint("put the output beside the content, e.g. `--output public`"),
            Some(what) => Diagnostic::error(format!(
                "the output folder `{}` is {what} `{}` (or inside it); a build there would overwrite what the next build reads",
                out.display(),
                folder.display()
            ))
            .hint("use a folder of its own, e.g. `--output public`"),
        });
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `p` as the file system resolves it: its longest existing part canonical (symlinks followed),
/// then the rest with `.` and `..` applied.
fn resolved(p: &Path) -> PathBuf {
    let abs = absolute(p);
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(mut out) = std::fs::canonicalize(existing) {
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return abs,
        }
    }
}

fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn io_err(what: &str, p: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot {what} `{}`: {e}", p.display()))
        .hint("check free disk space and the output folder's permissions")
}

/// Takes a build's files as they are rendered (one page per thread in memory, not the site) and
/// makes them the site only in [`Writer::commit`], after the whole build succeeded.
///
/// Into an output folder that does not exist or is empty, files go straight to their place, and a
/// writer dropped without `commit` removes them again. Into an existing site, a file whose bytes
/// did not change is left alone and a changed or new one waits in [`STAGING`]; `commit` renames
/// those into place, removes the files of the last build that are gone, and writes the manifest.
/// Dropped without `commit`, the writer removes its staging folder: the site is as it was.
pub struct Writer {
    out: PathBuf,
    mode: Mode,
    /// The last build's files.
    old: HashMap<String, Old>,
    /// The last build's pages linked only to files that exist (its manifest says `clean`).
    old_clean: bool,
    /// This build's pages link only to files that exist: set before `commit`.
    clean: std::sync::atomic::AtomicBool,
    state: Mutex<State>,
    done: bool,
    /// A build killed while putting its pages in place was rolled back when this one opened.
    pub rolled_back: bool,
}

enum Mode {
    /// Straight into place; `created` says whether the output folder itself is ours to remove.
    Fresh {
        created: bool,
    },
    Staged {
        dir: PathBuf,
    },
}

/// What the manifest says of a file of the last build.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Old {
    /// Its hash (not in a manifest older than hashes).
    hash: Option<u64>,
    /// For a page: the key of what it was rendered from.
    key: Option<u64>,
    /// Its size (not in a manifest older than version 4).
    len: Option<u64>,
}

/// One file of this build, for the manifest.
struct Entry {
    path: String,
    hash: u64,
    key: Option<u64>,
    len: u64,
}

#[derive(Default)]
struct State {
    /// Every file of this build.
    paths: Vec<Entry>,
    /// Files waiting in the staging folder, as indexes into `paths` (which name their staging file).
    staged: Vec<usize>,
    unchanged: usize,
}

/// Page folders made in a new or empty output folder before the pages render (while history is
/// read, when a core would otherwise wait): creating ten thousand folders is a tenth of a cold
/// build's CPU time. [`Writer::open_premade`] takes them over; dropped without that, they are removed.
pub struct Premade {
    out: PathBuf,
    /// The output folder did not exist: it is ours to remove.
    created: bool,
    taken: bool,
}

impl Premade {
    /// Makes `dirs` (relative to `out`) when `out` does not exist or is empty; otherwise (a site is
    /// there, or a folder cannot be made) nothing, and the writer makes folders as it goes.
    pub fn make<'a>(out: &Path, dirs: impl Iterator<Item = &'a str>) -> Option<Premade> {
        let created = fresh_folder(out).ok()??;
        let premade = Premade {
            out: out.to_path_buf(),
            created,
            taken: false,
        };
        for d in dirs.map(|d| d.trim_matches('/')).filter(|d| safe_rel(d)) {
            // A failure (a file where a folder goes) is the writer's to report, with its page.
            let _ = std::fs::create_dir_all(out.join(d));
        }
        Some(premade)
    }
}

impl Drop for Premade {
    fn drop(&mut self) {
        if !self.taken {
            undo_fresh(&self.out, self.created);
        }
    }
}

/// `Some(created)` when `out` is a folder to write straight into: it did not exist (and was made
/// now: `created`) or it is empty. `None` when a site is there. What a killed first build left is
/// removed first (see [`FRESH_MARK`]).
fn fresh_folder(out: &Path) -> Result<Option<bool>, Diagnostic> {
    if std::fs::symlink_metadata(out.join(FRESH_MARK)).is_ok() {
        undo_fresh(out, false);
    }
    let ours = |name: &std::ffi::OsStr| name == LOCK;
    let fresh = match std::fs::read_dir(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out).map_err(|e| io_err("create the output folder", out, e))?;
            Some(true)
        }
        Err(e) => return Err(io_err("read the output folder", out, e)),
        Ok(mut d) => d
            .all(|e| e.is_ok_and(|e| ours(&e.file_name())))
            .then_some(false),
    };
    if fresh.is_some() {
        std::fs::write(out.join(FRESH_MARK), b"")
            .map_err(|e| io_err("write", &out.join(FRESH_MARK), e))?;
    }
    Ok(fresh)
}

/// Takes back what a build wrote into a fresh folder: the folder itself when the build made it,
/// otherwise everything in it (keeping the folder, its owner and mode).
fn undo_fresh(out: &Path, created: bool) {
    if created {
        let _ = std::fs::remove_dir_all(out);
        return;
    }
    for e in std::fs::read_dir(out).into_iter().flatten().flatten() {
        if e.file_name() == LOCK {
            continue;
        }
        let p = e.path();
        let _ = if e.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
}

impl Writer {
    /// A writer into the output folder `premade` made its folders in, straight into place.
    pub fn open_premade(mut premade: Premade) -> Writer {
        premade.taken = true;
        Writer::with_mode(
            premade.out.clone(),
            Mode::Fresh {
                created: premade.created,
            },
        )
    }

    pub fn open(out: &Path) -> Result<Writer, Diagnostic> {
        let mut rolled_back = false;
        let mode = match fresh_folder(out)? {
            Some(created) => Mode::Fresh { created },
            None => {
                let dir = out.join(STAGING);
                // Left over from a build that was killed: pages it moved go back first.
                if dir.join(JOURNAL).is_file() {
                    roll_back(out, &dir)
                        .map_err(|e| io_err("roll back the interrupted build in", out, e))?;
                    rolled_back = true;
                }
                if std::fs::symlink_metadata(&dir).is_ok() {
                    std::fs::remove_dir_all(&dir)
                        .or_else(|_| std::fs::remove_file(&dir))
                        .map_err(|e| io_err("remove", &dir, e))?;
                }
                std::fs::create_dir(&dir).map_err(|e| io_err("create", &dir, e))?;
                Mode::Staged { dir }
            }
        };
        let mut w = Writer::with_mode(out.to_path_buf(), mode);
        w.rolled_back = rolled_back;
        Ok(w)
    }

    fn with_mode(out: PathBuf, mode: Mode) -> Writer {
        // A fresh folder holds no last build to compare with.
        let (old, old_clean) = match mode {
            Mode::Staged { .. } => read_manifest(&out),
            Mode::Fresh { .. } => Default::default(),
        };
        Writer {
            out,
            old,
            old_clean,
            clean: std::sync::atomic::AtomicBool::new(false),
            mode,
            state: Mutex::default(),
            done: false,
            rolled_back: false,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the written files the site. Returns what changed.
    pub fn commit(mut self) -> Result<Stats, Diagnostic> {
        let state = std::mem::take(&mut *self.state());
        let mut stats = Stats {
            written: state.staged.len(),
            unchanged: state.unchanged,
            removed: 0,
        };
        let out = self.out.clone();
        let new: HashSet<&str> = state.paths.iter().map(|e| e.path.as_str()).collect();
        let candidates: Vec<&String> = self
            .old
            .keys()
            .filter(|p| !new.contains(p.as_str()) && safe_rel(p))
            .collect();
        if let Mode::Staged { .. } = &self.mode {
            // Files written and files removed: neither may go through a link to elsewhere.
            let touched = state
                .staged
                .iter()
                .map(|&i| state.paths[i].path.as_str())
                .chain(candidates.iter().map(|p| p.as_str()));
            refuse_symlinks_out(&out, touched)?;
        }
        // Files of the last build that are gone: only what it wrote, unchanged since (a file put
        // there by hand, or named by a manifest that was tampered with, is the user's).
        let gone: Vec<&String> = candidates
            .into_iter()
            .filter(|p| match self.old.get(*p).and_then(|o| o.hash) {
                Some(h) => {
                    std::fs::read(out.join(p)).is_ok_and(|b| xxhash_rust::xxh3::xxh3_64(&b) == h)
                }
                None => std::fs::symlink_metadata(out.join(p)).is_ok_and(|m| m.is_file()),
            })
            .collect();
        let manifest = self.manifest_text(&state);
        match &self.mode {
            Mode::Staged { dir } => {
                let moves: Vec<(usize, &str)> = state
                    .staged
                    .iter()
                    .map(|&i| (i, state.paths[i].path.as_str()))
                    .collect();
                preflight(&out, &moves)?;
                let gone: Vec<&str> = gone.iter().map(|p| p.as_str()).collect();
                write_journal(dir, &moves, &gone)
                    .map_err(|e| io_err("write", &dir.join(JOURNAL), e))?;
                if let Err(e) = switch(&out, dir, &moves, &gone, &manifest) {
                    // Everything that moved goes back: the site is the last build's.
                    let undone = roll_back(&out, dir);
                    let _ = std::fs::remove_dir_all(dir);
                    self.done = true;
                    return Err(match undone {
                        Ok(()) => e,
                        Err(u) => e.hint(format!(
                            "putting the last build back failed too ({u}); build again to finish it"
                        )),
                    });
                }
                stats.removed = gone.len();
                remove_emptied_folders(&out, &gone);
                let _ = std::fs::remove_dir_all(dir);
            }
            Mode::Fresh { .. } => {
                stats.written = state.paths.len();
                write_atomic(&out.join(MANIFEST), manifest.as_bytes())
                    .map_err(|e| io_err("write", &out.join(MANIFEST), e))?;
                let _ = std::fs::remove_file(out.join(FRESH_MARK));
            }
        }
        self.done = true;
        Ok(stats)
    }
}

impl Writer {
    /// The manifest of this build's files (see [`MANIFEST_V5`]).
    fn manifest_text(&self, state: &State) -> String {
        let mut listing: Vec<&Entry> = state.paths.iter().collect();
        listing.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        listing.dedup_by(|a, b| a.path == b.path);
        let mut manifest = String::with_capacity(listing.len() * 100);
        manifest.push_str(MANIFEST_V5);
        if self.clean.load(std::sync::atomic::Ordering::Relaxed) {
            manifest.push_str(" clean");
        }
        manifest.push('\n');
        for e in listing {
            let key = e.key.map_or("-".to_string(), |k| format!("{k:016x}"));
            let path = percent_encoding::utf8_percent_encode(&e.path, MANIFEST_ESCAPED);
            writeln!(manifest, "{:016x} {key} {} {path}", e.hash, e.len).ok();
        }
        manifest
    }
}

/// What can fail before the first page moves, found before it does: a folder a page goes into
/// that cannot be made (a file is where it goes), or that takes no new file (not writable, a full
/// disk). The message names the page.
fn preflight(out: &Path, moves: &[(usize, &str)]) -> Result<(), Diagnostic> {
    let mut probed: HashSet<&Path> = HashSet::new();
    for (_, path) in moves {
        let Some(parent) = Path::new(path).parent() else {
            continue;
        };
        if !probed.insert(parent) {
            continue;
        }
        let dir = out.join(parent);
        let fail = |what: &str, e: std::io::Error| {
            Diagnostic::error(format!(
                "cannot {what} `{}` for the page `{path}`: {e}",
                dir.display()
            ))
            .hint("nothing was changed; make the output folder writable (and remove what is in the way), then build again")
        };
        std::fs::create_dir_all(&dir).map_err(|e| fail("make the folder", e))?;
        tempfile::Builder::new()
            .prefix(crate::fsutil::TMP_PREFIX)
            .tempfile_in(&dir)
            .map_err(|e| fail("write into the folder", e))?;
    }
    Ok(())
}

fn journal_path(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, MANIFEST_ESCAPED).to_string()
}

/// The journal: `move <staged file> <path>` for every page that moves into place and
/// `gone <n> <path>` for every file that goes (paths encoded as in the manifest), synced to disk
/// before anything moves.
fn write_journal(dir: &Path, moves: &[(usize, &str)], gone: &[&str]) -> std::io::Result<()> {
    let mut text = String::new();
    for (i, p) in moves {
        writeln!(text, "move {i} {}", journal_path(p)).ok();
    }
    for (k, p) in gone.iter().enumerate() {
        writeln!(text, "gone {k} {}", journal_path(p)).ok();
    }
    let mut f = std::fs::File::create(dir.join(JOURNAL))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// The switch: the old manifest aside, each page's old version aside and the new one in its place,
/// the files that go aside, then the new manifest; removing the journal is the moment the new site
/// is the site. Until then [`roll_back`] puts everything back.
fn switch(
    out: &Path,
    dir: &Path,
    moves: &[(usize, &str)],
    gone: &[&str],
    manifest: &str,
) -> Result<(), Diagnostic> {
    let old = dir.join("old");
    let aside = dir.join("gone");
    std::fs::create_dir_all(&old).map_err(|e| io_err("create", &old, e))?;
    std::fs::create_dir_all(&aside).map_err(|e| io_err("create", &aside, e))?;
    let manifest_path = out.join(MANIFEST);
    if manifest_path.is_file() {
        std::fs::rename(&manifest_path, dir.join("manifest"))
            .map_err(|e| io_err("move aside", &manifest_path, e))?;
    }
    for &(i, path) in moves {
        let target = out.join(path);
        let staged = dir.join(i.to_string());
        let named = |what: &str, e: std::io::Error| {
            Diagnostic::error(format!("cannot {what} the page `{path}`: {e}")).hint(
                "the last build's site was put back; check the output folder, then build again",
            )
        };
        if let Ok(m) = std::fs::symlink_metadata(&target) {
            // An edited page keeps the mode it had.
            let _ = std::fs::set_permissions(&staged, m.permissions());
            std::fs::rename(&target, old.join(i.to_string()))
                .map_err(|e| named("move aside the old version of", e))?;
        }
        std::fs::rename(&staged, &target).map_err(|e| named("put in place", e))?;
    }
    for (k, path) in gone.iter().enumerate() {
        let p = out.join(path);
        std::fs::rename(&p, aside.join(k.to_string())).map_err(|e| io_err("remove", &p, e))?;
    }
    write_atomic(&manifest_path, manifest.as_bytes())
        .map_err(|e| io_err("write", &manifest_path, e))?;
    std::fs::remove_file(dir.join(JOURNAL)).map_err(|e| io_err("remove", &dir.join(JOURNAL), e))
}

/// Puts the last build's site back from the staging folder `dir` by its journal: after a failed
/// switch, or at the start of the next build after one was killed part-way.
fn roll_back(out: &Path, dir: &Path) -> std::io::Result<()> {
    let journal = std::fs::read_to_string(dir.join(JOURNAL))?;
    let decode = |p: &str| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8()
            .ok()
            .map(|p| p.into_owned())
            .filter(|p| safe_rel(p))
    };
    for line in journal.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(kind), Some(n), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Some(path) = decode(path) else { continue };
        let target = out.join(&path);
        match kind {
            "move" => {
                let backup = dir.join("old").join(n);
                let moved = !dir.join(n).exists();
                if backup.exists() {
                    std::fs::rename(&backup, &target)?;
                } else if moved {
                    let _ = std::fs::remove_file(&target);
                }
            }
            "gone" => {
                let aside = dir.join("gone").join(n);
                if aside.exists() {
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::rename(&aside, &target)?;
                }
            }
            _ => {}
        }
    }
    let manifest = dir.join("manifest");
    if manifest.is_file() {
        std::fs::rename(&manifest, out.join(MANIFEST))?;
    }
    std::fs::remove_file(dir.join(JOURNAL))
}

/// Folders left empty by the files that went, deepest first (`remove_dir` only removes empty ones).
fn remove_emptied_folders(out: &Path, gone: &[&str]) {
    let mut dirs = HashSet::new();
    for gone in gone {
        let mut d = Path::new(gone).parent();
        while let Some(dir) = d.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_path_buf());
            d = dir.parent();
        }
    }
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(out.join(d));
    }
}

/// The output folder's lock, held while a build writes there.
pub struct Lock {
    _file: std::fs::File,
    out: PathBuf,
    /// The folder was made for the lock: a build that wrote nothing there leaves no folder.
    created: bool,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // A folder holding nothing but the lock (a first build that failed): as it was before.
        let only_lock = std::fs::read_dir(&self.out)
            .is_ok_and(|mut d| d.all(|e| e.is_ok_and(|e| e.file_name() == LOCK)));
        if only_lock {
            let _ = std::fs::remove_file(self.out.join(LOCK));
            if self.created {
                let _ = std::fs::remove_dir(&self.out);
            }
        }
    }
}

/// Takes the output folder's lock (making the folder when it does not exist), or fails clearly
/// when another build holds it: two builds into one folder never interleave. The lock goes with
/// the process, however it ends.
pub fn lock(out: &Path) -> Result<Lock, Diagnostic> {
    let created = !out.exists();
    std::fs::create_dir_all(out).map_err(|e| io_err("create the output folder", out, e))?;
    let path = out.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err("open", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock {
            _file: file,
            out: out.to_path_buf(),
            created,
        }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Diagnostic::error(format!(
            "another kbfresh build is writing into `{}`",
            out.display()
        ))
        .hint("wait for it to finish, then build again")),
        Err(std::fs::TryLockError::Error(e)) => Err(io_err("lock", &path, e)),
    }
}

impl Sink for Writer {
    fn put(&self, f: OutFile) -> Result<(), Diagnostic> {
        self.put_keyed(f, None)
    }

    fn put_page(&self, f: OutFile, key: u64) -> Result<(), Diagnostic> {
        self.put_keyed(f, Some(key))
    }

    /// A page of the last build rendered from the same inputs stays as it is, unless it is gone or
    /// its size changed (then it is rendered again): the same rule as for every other file, whose
    /// old version is not read either.
    fn keep(&self, path: &str, key: u64) -> bool {
        let Mode::Staged { .. } = self.mode else {
            return false;
        };
        let Some(&Old {
            hash: Some(hash),
            key: Some(old_key),
            len: Some(len),
        }) = self.old.get(path)
        else {
            return false;
        };
        // The key first: a changed page costs no system call here.
        if old_key != key || !safe_rel(path) {
            return false;
        }
        let same = std::fs::symlink_metadata(self.out.join(path))
            .is_ok_and(|m| m.is_file() && m.len() == len);
        if !same {
            return false;
        }
        let mut state = self.state();
        state.paths.push(Entry {
            path: path.to_string(),
            hash,
            key: Some(key),
            len,
        });
        state.unchanged += 1;
        true
    }

    /// Asked once every file of this build is in.
    fn previous(&self) -> Option<Previous> {
        if matches!(self.mode, Mode::Fresh { .. }) {
            return None;
        }
        let state = self.state();
        let mut paths: Vec<&str> = state.paths.iter().map(|e| e.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        // A link that resolved then resolves while its file is still there; a new file breaks none.
        let none_gone = self
            .old
            .keys()
            .all(|p| paths.binary_search(&p.as_str()).is_ok());
        Some(Previous {
            out: self.out.clone(),
            links_hold: self.old_clean && none_gone,
        })
    }

    fn links_clean(&self, clean: bool) {
        self.clean
            .store(clean, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Writer {
    fn put_keyed(&self, f: OutFile, key: Option<u64>) -> Result<(), Diagnostic> {
        if !safe_rel(&f.path) {
            return Err(Diagnostic::error(format!(
                "refusing to write `{}`: outside the output folder",
                f.path
            ))
            .hint("rename the file, alias or theme file that makes this path so it stays inside the site"));
        }
        let target = self.out.join(&f.path);
        let bytes: std::borrow::Cow<'_, [u8]> = match &f.data {
            OutData::Bytes(b) => b.as_slice().into(),
            OutData::Static(b) => (*b).into(),
            OutData::Copy(src) => std::fs::read(src)
                .map_err(|e| {
                    Diagnostic::error(format!("cannot read `{}`: {e}", src.display()))
                        .hint("check that the file (an image or other file next to the articles, or a theme file) is readable")
                })?
                .into(),
        };
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        let len = bytes.len() as u64;
        match &self.mode {
            Mode::Fresh { .. } => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
                }
                write_new(&target, &bytes).map_err(|e| io_err("write", &target, e))?;
            }
            Mode::Staged { dir } => {
                // Same size and the hash the last build wrote: nothing to do. Without a hash (an
                // older manifest) the old file is read and compared.
                let same = std::fs::metadata(&target).is_ok_and(|m| m.is_file() && m.len() == len)
                    && match self.old.get(&f.path).and_then(|o| o.hash) {
                        Some(h) => h == hash,
                        None => std::fs::read(&target).is_ok_and(|old| old == *bytes),
                    };
                let entry = Entry {
                    path: f.path,
                    hash,
                    key,
                    len,
                };
                let i = {
                    let mut state = self.state();
                    state.paths.push(entry);
                    let i = state.paths.len() - 1;
                    if same {
                        state.unchanged += 1;
                        return Ok(());
                    }
                    state.staged.push(i);
                    i
                };
                // A failed write fails the build, so a listed file that is missing is never moved.
                let staged = dir.join(i.to_string());
                // Named by the page it becomes, not its staging name.
                write_new(&staged, &bytes).map_err(|e| io_err("write", &target, e))?;
                return Ok(());
            }
        }
        self.state().paths.push(Entry {
            path: f.path,
            hash,
            key,
            len,
        });
        Ok(())
    }
}

/// The last build's files, from its manifest (any version), and whether its pages' links were clean.
fn read_manifest(out: &Path) -> (HashMap<String, Old>, bool) {
    let Ok(text) = std::fs::read_to_string(out.join(MANIFEST)) else {
        return (HashMap::new(), false);
    };
    let mut lines = text.lines();
    let hex = |h: &str| u64::from_str_radix(h, 16).ok();
    match lines.next() {
        Some(first) if first.starts_with(MANIFEST_V5) || first.starts_with(MANIFEST_V4) => {
            let v5 = first.starts_with(MANIFEST_V5);
            let clean = first.ends_with(" clean");
            let files = lines
                .filter_map(|l| {
                    let mut parts = l.splitn(4, ' ');
                    let (h, k, len, p) =
                        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                    let old = Old {
                        hash: hex(h),
                        key: hex(k),
                        len: len.parse().ok(),
                    };
                    let path = if v5 {
                        percent_encoding::percent_decode_str(p)
                            .decode_utf8()
                            .ok()?
                            .into_owned()
                    } else {
                        p.to_string()
                    };
                    Some((path, old))
                })
                .collect();
            (files, clean)
        }
        // Version 2 (`<hash> <path>`): files are compared by hash, pages rendered again.
        Some(MANIFEST_V2) => {
            let files = lines
                .filter_map(|l| {
                    let mut parts = l.splitn(2, ' ');
                    let old = Old {
                        hash: hex(parts.next()?),
                        ..Old::default()
                    };
                    Some((parts.last()?.to_string(), old))
                })
                .collect();
            (files, false)
        }
        // A manifest of a version this kbfresh does not know: nothing is assumed of its files.
        Some(first) if first.starts_with("# kbfresh manifest") => (HashMap::new(), false),
        first => (
            first
                .into_iter()
                .chain(lines)
                .map(|p| (p.to_string(), Old::default()))
                .collect(),
            false,
        ),
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        match &self.mode {
            Mode::Fresh { created } => undo_fresh(&self.out, *created),
            Mode::Staged { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// A new file (replacing one that is there), readable by the web server unless the umask says no.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o644);
    o.open(path)?.write_all(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    /// Writes `files` under `out` (all at once; see [`Writer`]).
    fn write(out: &Path, files: &[OutFile]) -> Result<Stats, Diagnostic> {
        let w = Writer::open(out)?;
        files.par_iter().try_for_each(|f| w.put(f.clone()))?;
        w.commit()
    }

    fn file(path: &str, s: &str) -> OutFile {
        OutFile {
            path: path.into(),
            data: OutData::Bytes(s.as_bytes().to_vec()),
        }
    }

    /// Every file under `out` but kbfresh's own bookkeeping, with its bytes.
    fn site_of(out: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(out)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read_to_string(e.path()).unwrap_or_default())
            })
            .filter(|(rel, _)| rel != LOCK && !rel.starts_with(STAGING))
            .collect();
        files.sort();
        files
    }

    /// A site of three pages, and a staging folder of the next build that changes two, adds one
    /// and drops one: staged files 0 to 2 and the journal, as `commit` leaves them just before the
    /// switch.
    fn staged_switch(out: &Path) -> (PathBuf, Vec<(usize, &'static str)>, Vec<&'static str>) {
        write(
            out,
            &[
                file("a/index.html", "A1"),
                file("b/index.html", "B1"),
                file("gone/index.html", "G"),
            ],
        )
        .unwrap();
        let dir = out.join(STAGING);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, text) in ["A2", "B2", "N"].iter().enumerate() {
            std::fs::write(dir.join(i.to_string()), text).unwrap();
        }
        let moves = vec![
            (0, "a/index.html"),
            (1, "b/index.html"),
            (2, "new/index.html"),
        ];
        let gone = vec!["gone/index.html"];
        write_journal(&dir, &moves, &gone).unwrap();
        (dir, moves, gone)
    }

    #[test]
    fn a_switch_that_fails_part_way_is_rolled_back_to_the_last_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let (staging, moves, gone) = staged_switch(&out);
        let before = site_of(&out);
        // The third page cannot move (its staged file is gone): two have moved by then.
        std::fs::remove_file(staging.join("2")).unwrap();
        let e = switch(&out, &staging, &moves, &gone, "# kbfresh manifest 5\n").unwrap_err();
        assert!(e.message.contains("new/index.html"), "{e}");
        assert!(
            site_of(&out).contains(&("a/index.html".to_string(), "A2".to_string())),
            "the first page had moved"
        );
        roll_back(&out, &staging).unwrap();
        assert_eq!(site_of(&out), before);
    }

    #[test]
    fn a_build_killed_during_the_switch_is_rolled_back_by_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let (staging, moves, gone) = staged_switch(&out);
        let before = site_of(&out);
        // Killed after two of three pages moved: the staging folder and its journal stay.
        std::fs::create_dir_all(staging.join("old")).unwrap();
        std::fs::rename(out.join(MANIFEST), staging.join("manifest")).unwrap();
        for &(i, path) in &moves[..2] {
            let target = out.join(path);
            if target.exists() {
                std::fs::rename(&target, staging.join("old").join(i.to_string())).unwrap();
            }
            std::fs::rename(staging.join(i.to_string()), &target).unwrap();
        }
        let _ = gone;
        assert_ne!(site_of(&out), before, "a mixed site");
        let w = Writer::open(&out).unwrap();
        drop(w);
        assert_eq!(site_of(&out), before);
        assert!(!staging.exists());
    }

    #[test]
    fn what_a_killed_first_build_wrote_is_removed_by_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let w = Writer::open(&out).unwrap();
        w.put(file("orphan/index.html", "O")).unwrap();
        std::mem::forget(w); // killed: no commit, no drop
        assert!(out.join("orphan/index.html").exists());
        write(&out, &[file("a/index.html", "A")]).unwrap();
        assert_eq!(
            site_of(&out),
            [
                (
                    MANIFEST.to_string(),
                    std::fs::read_to_string(out.join(MANIFEST)).unwrap()
                ),
                ("a/index.html".to_string(), "A".to_string()),
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_page_whose_folder_cannot_be_made_stops_the_build_before_anything_moves() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[file("a/index.html", "A1"), file("b/index.html", "B1")],
        )
        .unwrap();
        let before = site_of(&out);
        // A file where the new page's folder goes.
        std::fs::write(out.join("c"), "in the way").unwrap();
        let before_with = site_of(&out);
        let e = write(
            &out,
            &[file("a/index.html", "A2"), file("c/index.html", "C")],
        )
        .unwrap_err();
        assert!(e.message.contains("for the page `c/index.html`"), "{e}");
        assert_eq!(site_of(&out), before_with);
        assert!(before.len() < before_with.len());
    }

    #[test]
    fn a_second_build_into_one_folder_fails_clearly_while_the_first_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = lock(&out).unwrap();
        let e = lock(&out).err().expect("the folder is locked");
        assert!(
            e.message.contains("another kbfresh build is writing into"),
            "{e}"
        );
        drop(first);
        assert!(
            !out.exists(),
            "a folder made only for the lock goes with it"
        );
        drop(lock(&out).unwrap());
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

    #[test]
    fn a_writer_dropped_without_commit_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No output folder before: none after.
        let w = Writer::open(&out).unwrap();
        w.put(file("a/index.html", "A")).unwrap();
        assert!(
            out.join("a/index.html").exists(),
            "a fresh folder is written in place"
        );
        drop(w);
        assert!(!out.exists());

        // An existing site: untouched, and no staging folder left behind.
        write(
            &out,
            &[file("a/index.html", "A"), file("b/index.html", "B")],
        )
        .unwrap();
        let w = Writer::open(&out).unwrap();
        w.put(file("a/index.html", "changed")).unwrap();
        w.put(file("c/index.html", "C")).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "A"
        );
        drop(w);
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "A"
        );
        assert!(out.join("b/index.html").exists());
        assert!(!out.join("c").exists());
        assert!(!out.join(STAGING).exists());

        // An empty folder stays, empty.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let w = Writer::open(&empty).unwrap();
        w.put(file("x/index.html", "X")).unwrap();
        drop(w);
        assert!(empty.is_dir());
        assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    }

    #[test]
    fn no_name_adds_a_manifest_line_and_only_files_kbfresh_wrote_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let odd = "old\nCNAME/\u{e9}%41/index.html";
        write(&out, &[file(odd, "A"), file("b/index.html", "B")]).unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert_eq!(manifest.lines().count(), 3, "{manifest}");
        assert!(
            manifest.contains("old%0ACNAME/%C3%A9%2541/index.html"),
            "{manifest}"
        );
        assert_eq!(
            read_manifest(&out).0.keys().filter(|k| *k == odd).count(),
            1
        );
        // The user's own files beside the site, and a manifest that names them (tampered with, or
        // written by a kbfresh whose names could add lines): kept, since their bytes are not what
        // the last build wrote.
        std::fs::write(out.join("CNAME"), "help.example.com\n").unwrap();
        std::fs::write(out.join("b/index.html"), "edited by hand").unwrap();
        let tampered = format!(
            "{MANIFEST_V4}\n{:016x} - 1 CNAME\n{:016x} - 1 b/index.html\n",
            xxhash_rust::xxh3::xxh3_64(b"not the user's file"),
            xxhash_rust::xxh3::xxh3_64(b"B")
        );
        std::fs::write(out.join(MANIFEST), tampered).unwrap();
        let s = write(&out, &[file("c/index.html", "C")]).unwrap();
        assert_eq!(s.removed, 0);
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).unwrap(),
            "help.example.com\n"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("b/index.html")).unwrap(),
            "edited by hand"
        );
    }

    #[test]
    fn unchanged_pages_are_known_by_hash_and_an_older_manifest_still_works() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[file("a/index.html", "A")]).unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert!(manifest.starts_with(MANIFEST_V5), "{manifest}");
        // A page deleted from the output is written again although its hash is listed.
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        assert_eq!(
            write(&out, &[file("a/index.html", "A")]).unwrap().written,
            1
        );
        // A version 2 manifest (hash and path): known by the hash.
        let v2 = format!(
            "{MANIFEST_V2}\n{:016x} a/index.html\n",
            xxhash_rust::xxh3::xxh3_64(b"A")
        );
        std::fs::write(out.join(MANIFEST), v2).unwrap();
        let s = write(&out, &[file("a/index.html", "A")]).unwrap();
        assert_eq!((s.written, s.unchanged), (0, 1));
        // A manifest of bare paths (before hashes): pages are compared byte for byte.
        std::fs::write(out.join(MANIFEST), "a/index.html\n").unwrap();
        let s = write(&out, &[file("a/index.html", "A")]).unwrap();
        assert_eq!((s.written, s.unchanged), (0, 1));
        std::fs::write(out.join(MANIFEST), "a/index.html\n").unwrap();
        let s = write(&out, &[file("a/index.html", "B")]).unwrap();
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "B"
        );
    }

    #[test]
    fn a_page_from_the_same_inputs_is_kept_unless_its_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let page = out.join("a/index.html");
        // A new output folder keeps nothing.
        let w = Writer::open(&out).unwrap();
        assert!(!w.keep("a/index.html", 7));
        w.put_page(file("a/index.html", "A"), 7).unwrap();
        w.put(file("kbfresh.css", "css")).unwrap();
        w.links_clean(true);
        w.commit().unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert!(
            manifest.starts_with("# kbfresh manifest 5 clean\n"),
            "{manifest}"
        );
        assert!(
            manifest
                .lines()
                .any(|l| l.ends_with(" 0000000000000007 1 a/index.html")),
            "{manifest}"
        );
        assert!(manifest.lines().any(|l| l.ends_with(" - 3 kbfresh.css")));

        // Other inputs: render it; the same inputs: kept as it is, nothing written.
        let w = Writer::open(&out).unwrap();
        assert!(!w.keep("a/index.html", 8));
        assert!(w.keep("a/index.html", 7));
        assert!(!w.keep("kbfresh.css", 0), "only pages are kept");
        assert!(
            !w.previous().unwrap().links_hold,
            "kbfresh.css is not in yet"
        );
        w.put(file("kbfresh.css", "css")).unwrap();
        assert!(
            w.previous().unwrap().links_hold,
            "clean, and the same files"
        );
        let s = w.commit().unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (0, 2, 0));
        assert_eq!(std::fs::read_to_string(&page).unwrap(), "A");
        assert!(
            !std::fs::read_to_string(out.join(MANIFEST))
                .unwrap()
                .contains("clean"),
            "not said clean, not clean"
        );

        // Edited by hand since (to another size), or deleted: rendered again.
        std::fs::write(&page, "edited").unwrap();
        let w = Writer::open(&out).unwrap();
        assert!(!w.keep("a/index.html", 7));
        drop(w);
        std::fs::remove_file(&page).unwrap();
        let w = Writer::open(&out).unwrap();
        assert!(!w.keep("a/index.html", 7));
        // A manifest without keys keeps nothing.
        std::fs::write(out.join(MANIFEST), "a/index.html\n").unwrap();
        let w = Writer::open(&out).unwrap();
        assert!(!w.keep("a/index.html", 7));
    }

    #[cfg(unix)]
    #[test]
    fn a_changed_page_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[file("a/index.html", "A")]).unwrap();
        let p = out.join("a/index.html");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&out, &[file("a/index.html", "A2")]).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "A2");
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
        let content = root.join("content");
        let fa = root.join("content.fa");
        let trees = [content.as_path(), fa.as_path()];
        assert!(check_target(root, root, trees, &[]).is_err());
        assert!(check_target(&root.join("content/out"), root, trees, &[]).is_err());
        assert!(
            check_target(&fa, root, trees, &[]).is_err(),
            "a translation's folder too"
        );
        assert!(check_target(&root.join("public"), root, trees, &[]).is_ok());
    }
}
