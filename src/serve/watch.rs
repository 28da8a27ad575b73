//! File watching with notify, debounced: editors save in bursts (a temp file, a rename, a chmod), and
//! one save must give one rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// A batch ends after this long without a new event...
const QUIET: Duration = Duration::from_millis(15);
/// ...or this long after its first event, whatever keeps writing.
const LONGEST: Duration = Duration::from_millis(400);

pub struct Roots {
    /// Watched with everything below them (when they exist).
    pub recursive: Vec<PathBuf>,
    /// Watched alone, for the config file.
    pub root: PathBuf,
    /// Never reported (the output folder, the cache, `.git`).
    pub ignore: Vec<PathBuf>,
}

pub type Handle = Arc<Mutex<notify::RecommendedWatcher>>;

/// Starts watching; `on_batch` runs on a thread of its own for every debounced batch of paths. The
/// watch lasts as long as the returned handle.
pub fn spawn(
    roots: Roots,
    mut on_batch: impl FnMut(BTreeSet<PathBuf>) + Send + 'static,
) -> notify::Result<Handle> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    if !roots.recursive.contains(&roots.root) {
        watcher.watch(&roots.root, RecursiveMode::NonRecursive)?;
    }
    // Folders that do not exist yet (no `templates/` until the first override) are watched from the
    // moment they appear.
    let mut missing = Vec::new();
    for dir in &roots.recursive {
        if dir.is_dir() {
            watcher.watch(dir, RecursiveMode::Recursive)?;
        } else {
            missing.push(dir.clone());
        }
    }
    let handle = Arc::new(Mutex::new(watcher));
    let weak = Arc::downgrade(&handle);
    let ignore = roots.ignore;
    let recursive = roots.recursive;
    std::thread::Builder::new()
        .name("kbfresh-watch".into())
        .spawn(move || {
            let keep = |p: &PathBuf| !ignore.iter().any(|i| p.starts_with(i));
            while let Ok(first) = rx.recv() {
                let started = Instant::now();
                let mut batch = BTreeSet::new();
                add(&mut batch, first, &keep);
                loop {
                    let left = LONGEST.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    match rx.recv_timeout(QUIET.min(left)) {
                        Ok(e) => add(&mut batch, e, &keep),
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                // A watched folder that was deleted (a `git checkout`, a folder moved away and
                // back) loses its watch: it is watched again from the moment it is back.
                for dir in &recursive {
                    if !dir.is_dir() && !missing.contains(dir) {
                        missing.push(dir.clone());
                    }
                }
                if !missing.is_empty() {
                    let Some(watcher) = weak.upgrade() else {
                        return;
                    };
                    let mut watcher = watcher.lock().unwrap_or_else(|p| p.into_inner());
                    for dir in missing.iter().filter(|d| !d.is_dir()) {
                        let _ = watcher.unwatch(dir);
                    }
                    missing.retain(|dir| !start_watching(&mut *watcher, dir, &mut batch));
                }
                if !batch.is_empty() {
                    on_batch(batch);
                }
            }
        })
        .map_err(notify::Error::io)?;
    Ok(handle)
}

/// Watches `dir` if it now exists, and adds what was written into it before the watch began (the
/// file whose save created the folder). True when the folder is watched.
fn start_watching(watcher: &mut impl Watcher, dir: &Path, batch: &mut BTreeSet<PathBuf>) -> bool {
    if !dir.is_dir() || watcher.watch(dir, RecursiveMode::Recursive).is_err() {
        return false;
    }
    batch.insert(dir.to_path_buf());
    batch.extend(
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(walkdir::DirEntry::into_path),
    );
    true
}

fn add(
    batch: &mut BTreeSet<PathBuf>,
    event: notify::Result<notify::Event>,
    keep: &impl Fn(&PathBuf) -> bool,
) {
    let Ok(event) = event else { return };
    // Reading a file (an editor opening it, the server serving it) changes nothing.
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return;
    }
    batch.extend(event.paths.into_iter().filter(keep));
}
