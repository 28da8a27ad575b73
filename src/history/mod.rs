//! History: the only module that talks to git (git2, and gitoxide's pack reader for the commits and
//! trees of the walk; never a subprocess). One walk of history answers,
//! for every content file at once, its last content change and its creation (renames followed), and
//! the releases (tags) with the paths each release range changed. Results are cached by HEAD.

mod cache;
mod inorder;
mod order;
mod treediff;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, mpsc};

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Sort};
use globset::{Glob, GlobSetBuilder};
use inorder::InOrder;
use jiff::Timestamp;
use order::{CommitReader, Graph, Info, Ranges, TimeOrder};
use regex::Regex;

use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::fasthash::FastMap;
use crate::freshness::{Change, CoversHit, Release, Version};

/// Sets libgit2 up for one long walk. The walk holds the trees it needs itself
/// ([`treediff::TreeReader`]), so libgit2's object cache keeps no trees: it evicts at random once
/// full, and keeping a 30,000-commit walk's trees there took 512 MiB to be fast; commits stay
/// cached (a parent is looked up again as the next commit).
///
/// # Safety
/// Sets libgit2 globals without synchronization, and its allocator: call it before any other thread
/// exists and before any other libgit2 call (first thing in `main`), and at most once.
pub unsafe fn tune_libgit2() {
    // SAFETY: the first libgit2 call of the process (this function's contract), so libgit2 has
    // allocated nothing yet: every block it ever frees comes from the allocator set here. libgit2
    // copies the struct, and keeps the allocator it was given before `git_libgit2_init`.
    unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as std::ffi::c_int,
            &raw const GIT_ALLOCATOR,
        );
    }
    // Like the git command line, do not re-hash every object read (SHA-1 with collision detection was
    // the largest cost of a walk); objects still come from the repository's own checksummed packs.
    git2::opts::strict_hash_verification(false);
    // SAFETY: this function's own contract: no other thread exists yet.
    unsafe {
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 0);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Commit, 64 << 10);
        let _ = git2::opts::set_cache_max_size(32 << 20);
        // libgit2 reads only what rename detection needs from the packs (trees and commits come
        // through gitoxide's reader, which maps the packs itself): small windows, so the pages it
        // touches are not resident twice (its default 1 GiB windows added 250 MiB of resident
        // pages at 100,000 articles).
        let _ = git2::opts::set_mwindow_size(4 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(16 << 20);
    }
}

/// libgit2's `git_allocator` (include/git2/sys/alloc.h), which libgit2-sys does not declare.
#[repr(C)]
struct GitAllocator {
    gmalloc:
        extern "C" fn(usize, *const std::ffi::c_char, std::ffi::c_int) -> *mut std::ffi::c_void,
    grealloc: extern "C" fn(
        *mut std::ffi::c_void,
        usize,
        *const std::ffi::c_char,
        std::ffi::c_int,
    ) -> *mut std::ffi::c_void,
    gfree: extern "C" fn(*mut std::ffi::c_void),
}

/// libgit2 allocates through mimalloc, like the rest of the process: with the C library's malloc, a
/// 300,000-commit walk spent a seventh of its time in `malloc` and `free` (unpacked objects and delta
/// bases are allocated and freed for every tree read).
static GIT_ALLOCATOR: GitAllocator = GitAllocator {
    gmalloc: git_malloc,
    grealloc: git_realloc,
    gfree: git_free,
};

extern "C" fn git_malloc(
    n: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: mi_malloc accepts any size and returns null on failure, as libgit2 expects.
    unsafe { libmimalloc_sys::mi_malloc(n) }
}

extern "C" fn git_realloc(
    p: *mut std::ffi::c_void,
    n: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: `p` is null or a block from `git_malloc`/`git_realloc` (libgit2 uses one allocator
    // throughout), which is what mi_realloc requires.
    unsafe { libmimalloc_sys::mi_realloc(p, n) }
}

extern "C" fn git_free(p: *mut std::ffi::c_void) {
    // SAFETY: as for `git_realloc`; mi_free ignores null.
    unsafe { libmimalloc_sys::mi_free(p) }
}

/// What history says about one content file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileHistory {
    /// The last commit that changed the file's content (`git log -1 -- path`, ignored commits skipped).
    pub last_change: Option<Change>,
    /// The commit that first added the file, across renames.
    pub created: Option<Change>,
    /// Uncommitted changes in the work tree or index.
    #[serde(skip)]
    pub dirty: bool,
    /// Committed at least once (false for files git does not track).
    pub tracked: bool,
}

/// Commits of one release range and the paths each changed (for `covers`).
#[derive(Debug, Default)]
struct ReleaseRange {
    commits: Vec<Vec<u32>>,
}

#[derive(Debug, Default)]
pub struct History {
    /// Per article (same index as `Site::articles`); `None` when the site is not in a git repo.
    pub files: Vec<Option<FileHistory>>,
    /// Sorted by version, oldest first.
    pub releases: Vec<Release>,
    pub head: Option<String>,
    ranges: Vec<ReleaseRange>,
    path_table: Vec<String>,
    cache: Option<(PathBuf, cache::CacheFile)>,
    covers_memo: Mutex<HashMap<Vec<String>, Vec<Option<CoversHit>>>>,
}

impl History {
    /// Reads everything the freshness policy needs. Errors (a shallow clone, a missing product repo)
    /// come back as diagnostics; a site outside git gets one warning and front-matter dates only.
    pub fn read(site: &Site) -> (History, Diagnostics) {
        let mut diags = Diagnostics::default();
        let mut h = History {
            files: vec![None; site.articles.len()],
            ..History::default()
        };
        let repo = match Repository::discover(site.default_content_dir()) {
            Ok(r) => r,
            // A repository that is there but cannot be opened (owned by another user, a broken
            // config) is an error the writer can act on, not a site without git.
            Err(e) if e.code() != git2::ErrorCode::NotFound => {
                diags.push(
                    Diagnostic::error(format!(
                        "cannot open the git repository of `{}`: {}",
                        site.default_content_dir().display(),
                        e.message()
                    ))
                    .hint("run `git status` in that folder; if git says the repository is owned by someone else (common in CI containers), run `git config --global --add safe.directory <repository path>`"),
                );
                return (h, diags);
            }
            Err(_) => {
                diags.push(
                    Diagnostic::warning(
                        "the site is not in a git repository: freshness uses front-matter `verified` dates only",
                    )
                    .hint("run `git init` and commit the content so kbfresh can read when each article changed"),
                );
                return (h, diags);
            }
        };
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            diags.push(Diagnostic::warning(
                "the git repository is bare: no history for content files",
            ));
            return (h, diags);
        };
        let fcfg = &site.config.freshness;
        if repo.is_shallow() {
            let d = Diagnostic::error("the git repository is a shallow clone: kbfresh cannot see when articles last changed")
                .hint("fetch the full history: `fetch-depth: 0` in GitHub Actions (actions/checkout), `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`; or set `[freshness] allow_shallow = true` to go on with what is there");
            if fcfg.allow_shallow {
                diags.push(Diagnostic {
                    severity: crate::diagnostics::Severity::Warning,
                    ..d
                });
            } else {
                diags.push(d);
                return (h, diags);
            }
        }

        // Content files by path relative to the repository root.
        let trees = Trees::new(&workdir, site);
        for &l in &trees.outside {
            let lang = &site.languages[l];
            diags.push(
                Diagnostic::warning(format!(
                    "[languages.{}] content_dir `{}` is outside the git repository at `{}`: its articles have no git dates",
                    lang.code,
                    lang.content_dir.display(),
                    workdir.display()
                ))
                .in_file("kbfresh.toml")
                .hint("keep every language's content folder in the site's repository, or give those articles `verified` dates in front matter"),
            );
        }
        let content_prefixes = trees.prefixes();
        // The content folders are canonical already, so paths inside them need no system call each.
        let mut wanted: HashMap<String, usize> = HashMap::with_capacity(site.articles.len());
        for (i, a) in site.articles.iter().enumerate() {
            if let Some(p) = trees.repo_path(&a.src.rel) {
                wanted.insert(p, i);
            }
        }

        let ignore = match Ignore::new(&workdir, fcfg) {
            Ok(i) => i,
            Err(d) => {
                diags.push(d);
                return (h, diags);
            }
        };

        let head = match repo.head().and_then(|r| r.peel_to_commit()) {
            Ok(c) => c,
            Err(e) if e.code() != git2::ErrorCode::UnbornBranch => {
                // HEAD names a commit that is not there: a damaged repository, not an empty one.
                diags.push(
                    Diagnostic::error(format!(
                        "cannot read the git repository's HEAD commit: {}",
                        e.message()
                    ))
                    .hint("the repository looks damaged: run `git fsck`, or clone it again"),
                );
                return (h, diags);
            }
            Err(_) => {
                diags.push(
                    Diagnostic::warning("the git repository has no commits yet: freshness uses front-matter dates only")
                        .hint("commit the content so kbfresh can read when each article changed"),
                );
                apply_status(
                    statuses(&repo, &content_prefixes, &wanted),
                    &mut h.files,
                    true,
                );
                return (h, diags);
            }
        };
        h.head = Some(head.id().to_string());

        // The walk, or the cache of the last one.
        let cache_dir = site.root.join(crate::config::CACHE_DIR);
        let key = cache::key(&trees.key(), fcfg, &ignore.fingerprint());
        let mut cached = cache::load(&cache_dir, &key, &mut diags);
        let mut results: HashMap<String, FileHistory> = HashMap::new();
        let mut walk_from: Option<Oid> = None;
        // The cache's results are moved out, not copied (100,000 entries at 100k articles).
        match &mut cached {
            Some(c) if c.head == head.id().to_string() => {
                results = std::mem::take(&mut c.files);
            }
            Some(c) => {
                if let Ok(old) = Oid::from_str(&c.head)
                    && repo.graph_descendant_of(head.id(), old).unwrap_or(false)
                {
                    results = std::mem::take(&mut c.files);
                    walk_from = Some(old);
                }
            }
            None => {}
        }
        let needs_walk = cached
            .as_ref()
            .is_none_or(|c| c.head != head.id().to_string());
        // When `covers` reads this same repo, the walk records every commit's changed paths so the
        // release ranges need no second pass over history.
        let wants_ranges =
            fcfg.product_repo.is_none() && site.articles.iter().any(|a| !a.front.covers.is_empty());
        let mut memo = Memo::default();
        let whole_tree = [String::new()];
        // The work tree's status (10,000 `lstat`s at 10k articles) is read on another handle while
        // the walk runs: the walk is the longest stage of a cold build.
        // Without a walk, or if the second handle cannot be opened, the status is read afterwards.
        let git_dir = repo.path().to_path_buf();
        let status_of = || {
            Repository::open(&git_dir)
                .ok()
                .map(|r| statuses(&r, &content_prefixes, &wanted))
        };
        let (status, walked) = std::thread::scope(|scope| {
            let status = needs_walk.then(|| scope.spawn(status_of));
            let walked = needs_walk.then(|| {
                let all_paths: Vec<String> = wanted.keys().cloned().collect();
                let spec = Walk {
                    head: head.id(),
                    hide: walk_from,
                    paths: &all_paths,
                    prefixes: if wants_ranges {
                        &whole_tree
                    } else {
                        &content_prefixes
                    },
                    rename_prefixes: &content_prefixes,
                    ignore: &ignore,
                    cached: &results,
                    piece: PIECE,
                };
                walk(&repo, &spec, wants_ranges.then_some(&mut memo))
            });
            let status = status.and_then(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (status, walked)
        });
        if let Some(walked) = walked {
            match walked {
                Ok(fresh) => {
                    for (p, f) in fresh {
                        results.insert(p, f);
                    }
                }
                Err(e) => {
                    diags.push(Diagnostic::error(format!("cannot read git history: {e}")).hint(
                        "check that the repository is not corrupt (`git fsck`); delete .kbfresh-cache/ if it persists",
                    ));
                    return (h, diags);
                }
            }
            // Keep only files that still exist, so the cache does not grow forever.
            results.retain(|p, _| wanted.contains_key(p));
        }
        for (p, &i) in &wanted {
            h.files[i] = Some(results.get(p).cloned().unwrap_or_default());
        }
        let status = status.unwrap_or_else(|| statuses(&repo, &content_prefixes, &wanted));
        apply_status(status, &mut h.files, false);
        let (cached_ranges, range_paths) = cached
            .map(|c| (c.ranges, c.range_paths))
            .unwrap_or_default();
        let mut cache_file = cache::CacheFile {
            version: cache::VERSION,
            key,
            head: head.id().to_string(),
            files: results,
            ranges: cached_ranges,
            range_paths,
        };
        let mut cache_changed = needs_walk;

        // Releases, from the product repo when configured.
        let product;
        let product_repo = match &fcfg.product_repo {
            Some(p) => {
                let path = site.root.join(p);
                match Repository::open(&path) {
                    Ok(r) => {
                        product = r;
                        &product
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(format!(
                                "product_repo `{}` is not a git repository: {}",
                                p.display(),
                                e.message()
                            ))
                            .in_file("kbfresh.toml")
                            .hint("set `[freshness] product_repo` to the product's checkout, relative to the site root (clone it there in CI)"),
                        );
                        return (h, diags);
                    }
                }
            }
            None => &repo,
        };
        if product_repo.is_shallow() && fcfg.product_repo.is_some() && !fcfg.allow_shallow {
            diags.push(
                Diagnostic::error("product_repo is a shallow clone: releases and covered paths cannot be read")
                    .hint("clone it with full history (`fetch-depth: 0`), or set `[freshness] allow_shallow = true`"),
            );
            return (h, diags);
        }
        match releases(product_repo, &fcfg.release_tags, &mut diags) {
            Ok(r) => h.releases = r,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read release tags: {e}"))
                        .hint("check the repository with `git fsck`; `release_tags` in [freshness] selects the tags"),
                );
                return (h, diags);
            }
        }
        if site.articles.iter().any(|a| !a.front.covers.is_empty()) && !h.releases.is_empty() {
            match ranges(product_repo, &h.releases, &mut cache_file, &mut memo) {
                Ok((ranges, computed)) => {
                    h.ranges = ranges;
                    h.path_table = cache_file.range_paths.clone();
                    cache_changed |= computed;
                }
                Err(e) => diags.push(
                    Diagnostic::error(format!("cannot read what each release changed (for `covers`): {e}"))
                        .hint("check the repository with `git fsck`; delete .kbfresh-cache/ if it persists"),
                ),
            }
        }
        if cache_changed {
            h.cache = Some((cache_dir, cache_file));
        }
        (h, diags)
    }

    /// What the globs in `covers` matched in each release range; computed once per distinct `covers`.
    pub fn covers_hits(&self, covers: &[String]) -> Vec<Option<CoversHit>> {
        if covers.is_empty() || self.ranges.is_empty() {
            return vec![None; self.releases.len()];
        }
        if let Some(v) = self
            .covers_memo
            .lock()
            .ok()
            .and_then(|m| m.get(covers).cloned())
        {
            return v;
        }
        let mut b = GlobSetBuilder::new();
        for c in covers {
            if let Ok(g) = Glob::new(c.trim_start_matches('/')) {
                b.add(g);
            }
        }
        let Ok(set) = b.build() else {
            return vec![None; self.releases.len()];
        };
        // Each path of the table is matched once, whatever the number of releases.
        let matched: Vec<Vec<usize>> = self.path_table.iter().map(|p| set.matches(p)).collect();
        let hits: Vec<Option<CoversHit>> = self
            .ranges
            .iter()
            .map(|range| {
                let mut commits = 0;
                let mut patterns = HashSet::new();
                for paths in &range.commits {
                    let mut any = false;
                    for &p in paths {
                        for &g in &matched[p as usize] {
                            patterns.insert(g);
                            any = true;
                        }
                    }
                    commits += usize::from(any);
                }
                (commits > 0).then(|| {
                    let mut pats: Vec<usize> = patterns.into_iter().collect();
                    pats.sort_unstable();
                    CoversHit {
                        commits,
                        paths: pats
                            .into_iter()
                            .map(|g| pattern_label(&covers[g]))
                            .collect(),
                    }
                })
            })
            .collect();
        if let Ok(mut m) = self.covers_memo.lock() {
            m.insert(covers.to_vec(), hits.clone());
        }
        hits
    }

    /// Writes the cache of this walk (after a successful build).
    pub fn save_cache(&self) {
        if let Some((dir, c)) = &self.cache {
            cache::save(dir, c);
        }
    }
}

/// Where every language's content tree sits in the repository.
struct Trees {
    /// `(path in the repository, mount among content paths)`, longest path first.
    trees: Vec<(String, String)>,
    /// Languages whose content folder is not in the repository (their files have no history).
    outside: Vec<usize>,
}

impl Trees {
    fn new(workdir: &Path, site: &Site) -> Trees {
        let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        let mut trees = Vec::new();
        let mut outside = Vec::new();
        for (i, l) in site.languages.iter().enumerate() {
            match content_prefix(&workdir, &l.content_dir) {
                Some(t) => trees.push((t, l.mount.clone())),
                None => outside.push(i),
            }
        }
        trees.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        Trees { trees, outside }
    }

    /// The folders the history is read in: each tree's, without those inside another (a translation
    /// folder beside `content/` is read on its own, not through the whole repository).
    fn prefixes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut paths: Vec<&str> = self.trees.iter().map(|(t, _)| t.as_str()).collect();
        paths.sort_unstable();
        for p in paths {
            let inside = out
                .iter()
                .any(|o| o.is_empty() || p == o || p.starts_with(&format!("{o}/")));
            if !inside {
                out.push(p.to_string());
            }
        }
        out
    }

    /// A content path (`fa/billing/x.md`) as a path in the repository; `None` when its tree is
    /// outside the repository.
    fn repo_path(&self, rel: &str) -> Option<String> {
        let (prefix, inner) = self
            .trees
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .find_map(|(t, m)| {
                rel.strip_prefix(m.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|r| (t.as_str(), r))
            })
            .or_else(|| {
                let default = self.trees.iter().find(|(_, m)| m.is_empty())?;
                Some((default.0.as_str(), rel))
            })?;
        Some(if prefix.is_empty() {
            inner.to_string()
        } else {
            format!("{prefix}/{inner}")
        })
    }

    /// A path in the repository as a content path, when it is inside a content tree.
    fn rel(&self, path: &str) -> Option<String> {
        self.trees.iter().find_map(|(t, m)| {
            let inner = if t.is_empty() {
                path
            } else {
                path.strip_prefix(t.as_str())?.strip_prefix('/')?
            };
            Some(if m.is_empty() {
                inner.to_string()
            } else {
                format!("{m}/{inner}")
            })
        })
    }

    /// What the cache is keyed on.
    fn key(&self) -> String {
        let mut k: Vec<String> = self.trees.iter().map(|(t, m)| format!("{m}={t}")).collect();
        k.sort();
        k.join(";")
    }
}

/// The content folder relative to the (canonical) work tree, `/`-separated (`""` when it is the
/// work tree); `None` when it is not inside it.
fn content_prefix(workdir: &Path, content_dir: &Path) -> Option<String> {
    let c = std::fs::canonicalize(content_dir).ok()?;
    let inner = c.strip_prefix(workdir).ok()?;
    Some(inner.to_string_lossy().replace('\\', "/"))
}

/// `src/billing/**` reads better as `src/billing/`.
fn pattern_label(p: &str) -> String {
    let t = p.trim_end_matches("**").trim_end_matches('*');
    if t.is_empty() {
        p.to_string()
    } else {
        t.to_string()
    }
}

/// Commits that never count as content changes.
struct Ignore {
    ids: Vec<String>,
    messages: Vec<Regex>,
}

impl Ignore {
    fn new(workdir: &Path, cfg: &crate::config::FreshnessConfig) -> Result<Ignore, Diagnostic> {
        let mut ids: Vec<String> = cfg
            .ignore_commits
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        if let Ok(text) = std::fs::read_to_string(workdir.join(".git-blame-ignore-revs")) {
            for line in text.lines() {
                let l = line.split('#').next().unwrap_or("").trim();
                if !l.is_empty() {
                    ids.push(l.to_lowercase());
                }
            }
        }
        ids.retain(|s| !s.is_empty());
        let messages = cfg
            .ignore_commit_messages
            .iter()
            .map(|r| {
                Regex::new(r).map_err(|e| {
                    Diagnostic::error(format!(
                        "ignore_commit_messages: `{r}` is not a valid regex: {e}"
                    ))
                    .in_file("kbfresh.toml")
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Ignore { ids, messages })
    }

    fn fingerprint(&self) -> String {
        let mut s = self.ids.join(",");
        for m in &self.messages {
            s.push('|');
            s.push_str(m.as_str());
        }
        s
    }

    fn ignores(&self, id: Oid, message: &[u8]) -> bool {
        if !self.ids.is_empty() {
            let id = id.to_string();
            if self.ids.iter().any(|p| id.starts_with(p.as_str())) {
                return true;
            }
        }
        if self.messages.is_empty() {
            return false;
        }
        let msg = String::from_utf8_lossy(message);
        self.messages.iter().any(|r| r.is_match(&msg))
    }
}

#[derive(Debug)]
struct Changed {
    path: String,
    status: Delta,
    /// For renames: the old path.
    from: Option<String>,
    /// For renames: the content is byte-identical (a pure move).
    same_content: bool,
}

fn plain(changes: Vec<treediff::PathChange>) -> Vec<Changed> {
    changes
        .into_iter()
        .map(|c| Changed {
            path: c.path,
            status: c.status,
            from: None,
            same_content: false,
        })
        .collect()
}

/// Paths a commit changed, git-style: for a merge, only paths that differ from every parent.
/// `tree` is the commit's tree, `parents` its parents' trees.
fn plain_changes(
    trees: &mut treediff::TreeReader<'_>,
    tree: Oid,
    parents: &[Oid],
    prefixes: &[String],
) -> Result<Vec<treediff::PathChange>, git2::Error> {
    trees.next_commit();
    let Some((&first, others)) = parents.split_first() else {
        return treediff::diff(trees, None, Some(tree), prefixes);
    };
    let mut changed = treediff::diff(trees, Some(first), Some(tree), prefixes)?;
    // A merge changed a path only when the path differs from every parent (git's default simplification).
    for &other in others {
        if changed.is_empty() {
            break;
        }
        let differs: HashSet<String> = treediff::diff(trees, Some(other), Some(tree), prefixes)?
            .into_iter()
            .map(|c| c.path)
            .collect();
        changed.retain(|c| differs.contains(&c.path));
    }
    Ok(changed)
}

/// [`plain_changes`] without renames.
fn changed_paths(
    trees: &mut treediff::TreeReader<'_>,
    commit: &git2::Commit<'_>,
    prefixes: &[String],
) -> Result<Vec<Changed>, git2::Error> {
    let parents: Vec<Oid> = commit.parents().map(|p| p.tree_id()).collect();
    Ok(plain(plain_changes(
        trees,
        commit.tree_id(),
        &parents,
        prefixes,
    )?))
}

/// Adds rename detection to a commit's plain changes, only when it adds a path the walk follows and
/// deletes another: the one case where it matters, and worth libgit2's slower similarity search, which
/// runs over the content folder only.
fn with_renames(
    repo: &Repository,
    commit: &Listed,
    changes: Vec<treediff::PathChange>,
    rename_prefixes: &[String],
    follow: &dyn Fn(&str) -> bool,
) -> Result<Vec<Changed>, git2::Error> {
    let wants = commit.parents > 0
        && changes
            .iter()
            .any(|c| c.status == Delta::Added && follow(&c.path))
        && changes.iter().any(|c| c.status == Delta::Deleted);
    if !wants {
        return Ok(plain(changes));
    }
    if let Some(moved) = exact_renames(&changes, rename_prefixes, follow) {
        return Ok(moved);
    }
    let commit = repo.find_commit(commit.id)?;
    let tree = commit.tree()?;
    let parent_tree = commit.parent(0)?.tree()?;
    let inside = |p: &str| in_prefixes(rename_prefixes, p);
    // Only the paths this commit changed, as exact paths: libgit2 then walks just those entries
    // instead of every file under the prefix (which made a 100,000-file history quadratic).
    let mut opts = DiffOptions::new();
    opts.skip_binary_check(true)
        .ignore_submodules(true)
        .disable_pathspec_match(true);
    for c in changes.iter().filter(|c| inside(&c.path)) {
        opts.pathspec(&c.path);
    }
    let mut diff = repo.diff_tree_to_tree(Some(&parent_tree), Some(&tree), Some(&mut opts))?;
    let mut f = DiffFindOptions::new();
    f.renames(true).rename_threshold(50);
    diff.find_similar(Some(&mut f))?;
    let keep: HashSet<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    let mut all: Vec<Changed> = deltas(&diff)
        .into_iter()
        .filter(|c| keep.contains(c.path.as_str()))
        .collect();
    all.extend(plain(
        changes.into_iter().filter(|c| !inside(&c.path)).collect(),
    ));
    Ok(all)
}

/// Whether path `p` is inside one of the folders `prefixes` (`""`: the whole repository).
fn in_prefixes(prefixes: &[String], p: &str) -> bool {
    prefixes
        .iter()
        .any(|r| r.is_empty() || p.starts_with(&format!("{}/", r.trim_end_matches('/'))))
}

/// A commit's renames when every followed path it adds is a move, the same blob as the one path it
/// deletes: what libgit2's rename detection finds first (identical content), without reading the
/// commit's trees and blobs through libgit2 again: at 100,000 articles the walk's own
/// thread took 7.2 s of CPU before this and the xxh3 maps, 3.4 s after. `None` when any followed path needs the similarity search, a blob is added or deleted
/// more than once, or a followed path is deleted.
fn exact_renames(
    changes: &[treediff::PathChange],
    rename_prefixes: &[String],
    follow: &dyn Fn(&str) -> bool,
) -> Option<Vec<Changed>> {
    let inside = |p: &str| in_prefixes(rename_prefixes, p);
    // Per blob: the paths that add it and the paths that delete it.
    let mut by_blob: HashMap<Oid, (Vec<&str>, Vec<&str>)> = HashMap::new();
    for c in changes.iter().filter(|c| inside(&c.path)) {
        let (added, deleted) = by_blob.entry(c.id).or_default();
        match c.status {
            Delta::Deleted if follow(&c.path) => return None,
            Delta::Added => added.push(&c.path),
            Delta::Deleted => deleted.push(&c.path),
            _ => {}
        }
    }
    // New path -> old path.
    let mut old_of: HashMap<&str, &str> = HashMap::new();
    for c in changes
        .iter()
        .filter(|c| c.status == Delta::Added && inside(&c.path) && follow(&c.path))
    {
        match by_blob[&c.id] {
            (ref added, ref deleted) if added.len() == 1 && deleted.len() == 1 => {
                old_of.insert(&c.path, deleted[0]);
            }
            _ => return None,
        }
    }
    let gone: HashSet<&str> = old_of.values().copied().collect();
    Some(
        changes
            .iter()
            .filter(|c| !(c.status == Delta::Deleted && gone.contains(c.path.as_str())))
            .map(|c| match old_of.get(c.path.as_str()) {
                Some(old) => Changed {
                    path: c.path.clone(),
                    status: Delta::Renamed,
                    from: Some(old.to_string()),
                    same_content: true,
                },
                None => Changed {
                    path: c.path.clone(),
                    status: c.status,
                    from: None,
                    same_content: false,
                },
            })
            .collect(),
    )
}

fn deltas(diff: &git2::Diff<'_>) -> Vec<Changed> {
    diff.deltas()
        .filter_map(|d| {
            let status = d.status();
            let path = match status {
                Delta::Deleted => d.old_file().path(),
                _ => d.new_file().path(),
            }?;
            let from = (status == Delta::Renamed)
                .then(|| {
                    d.old_file()
                        .path()
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                })
                .flatten();
            Some(Changed {
                path: path.to_string_lossy().replace('\\', "/"),
                status,
                from,
                same_content: status == Delta::Renamed && d.old_file().id() == d.new_file().id(),
            })
        })
        .collect()
}

/// The one walk: newest first, following each wanted path back through renames, stopping early once
/// every file has reached the commit that added it.
struct Walk<'a> {
    head: Oid,
    /// For an incremental walk: the HEAD of the cached walk.
    hide: Option<Oid>,
    /// Content files, relative to the repository root.
    paths: &'a [String],
    /// Folders the diffs look at (`[""]`: everything, when the walk also records paths for
    /// `covers`).
    prefixes: &'a [String],
    /// Folders where renames are detected (the content folders).
    rename_prefixes: &'a [String],
    ignore: &'a Ignore,
    cached: &'a HashMap<String, FileHistory>,
    /// Commits a piece ([`PIECE`]; smaller in tests, to run the threads on a small history).
    piece: usize,
}

/// What a walk records for the release ranges, when they read the same repository: each commit's
/// changed paths, and the commit graph.
#[derive(Default)]
struct Memo {
    paths: FastMap<Oid, Vec<String>>,
    /// Only after a walk from HEAD with nothing hidden (an incremental walk sees the new commits only).
    graph: Option<Graph>,
}

/// Commits of a walk, newest first, with their parents' trees: [`TimeOrder`] for a whole walk;
/// libgit2's revwalk, which stops at the hidden commit's ancestors without reading them, for an
/// incremental one.
enum Commits<'r> {
    All(TimeOrder<'r>),
    Since(CommitReader<'r>, git2::Revwalk<'r>),
}

impl<'r> Commits<'r> {
    fn new(
        repo: &'r Repository,
        packs: Option<Arc<treediff::PackSet>>,
        head: Oid,
        hide: Option<Oid>,
    ) -> Result<Commits<'r>, git2::Error> {
        let reader = CommitReader::new(repo, packs);
        let Some(hide) = hide else {
            return Ok(Commits::All(TimeOrder::new(reader, head)?));
        };
        let mut revwalk = repo.revwalk()?;
        revwalk.set_sorting(Sort::TIME)?;
        revwalk.push(head)?;
        revwalk.hide(hide)?;
        Ok(Commits::Since(reader, revwalk))
    }

    fn next_commit(&mut self) -> Result<Option<(Info, Vec<Oid>)>, git2::Error> {
        match self {
            Commits::All(order) => order.next_commit(),
            Commits::Since(reader, revwalk) => match revwalk.next() {
                None => Ok(None),
                Some(id) => {
                    let commit = reader.read(id?)?;
                    let trees = commit
                        .parents
                        .iter()
                        .map(|&p| reader.read(p).map(|p| p.tree))
                        .collect::<Result<_, _>>()?;
                    Ok(Some((commit, trees)))
                }
            },
        }
    }
}

/// A commit as the walk lists it: what the follow logic needs, so it need not read the commit again.
struct Listed {
    id: Oid,
    parents: usize,
    time: i64,
    author: Rc<str>,
    ignored: bool,
}

impl Listed {
    fn change(&self) -> Change {
        Change {
            commit: self.id.to_string(),
            date: Timestamp::from_second(self.time).unwrap_or(Timestamp::UNIX_EPOCH),
            author: self.author.to_string(),
        }
    }
}

/// Commits a piece of the walk: the threads that diff take one piece at a time. A piece's first
/// diffs rebuild the delta chains it enters (a few milliseconds at 10,000 articles, 30 ms at
/// 100,000), so pieces are large.
const PIECE: usize = 16_384;

/// A piece of the walk for a thread that diffs: each commit's tree and its parents' trees, newest
/// commit first.
struct Piece {
    index: usize,
    trees: Vec<(Oid, Vec<Oid>)>,
}

type Diffs = Vec<Vec<treediff::PathChange>>;

/// The plain changes of each commit of a piece, read oldest first when `oldest_first` (the order of
/// the packs' delta chains).
fn diff_piece(
    trees: &mut treediff::TreeReader<'_>,
    piece: &Piece,
    oldest_first: bool,
    prefixes: &[String],
) -> Result<Diffs, git2::Error> {
    let mut out: Diffs = vec![Vec::new(); piece.trees.len()];
    let mut one = |i: usize| -> Result<(), git2::Error> {
        let (tree, parents) = &piece.trees[i];
        out[i] = plain_changes(trees, *tree, parents, prefixes)?;
        Ok(())
    };
    if oldest_first {
        (0..piece.trees.len()).rev().try_for_each(&mut one)?;
    } else {
        (0..piece.trees.len()).try_for_each(&mut one)?;
    }
    Ok(out)
}

/// The walk's commits, in pieces, diffed by up to one thread a core while this thread lists the
/// commits and then follows the paths through the diffs, newest first. Diffs of one piece run on
/// one thread, in the order the packs' delta chains run, so each tree read applies one delta.
fn walk(
    repo: &Repository,
    spec: &Walk<'_>,
    mut memo: Option<&mut Memo>,
) -> Result<HashMap<String, FileHistory>, git2::Error> {
    let Walk {
        head,
        hide,
        paths,
        prefixes,
        rename_prefixes,
        ignore,
        cached,
        piece,
    } = *spec;
    let piece = piece.max(1);
    let mut follower = Follower::new(paths);
    let packs = treediff::PackSet::open(repo);
    let mut commits = Commits::new(repo, packs.clone(), head, hide)?;
    if let Some(m) = memo.as_deref_mut() {
        m.graph = hide.is_none().then(Graph::default);
    }
    let mut authors: HashMap<Vec<u8>, Rc<str>> = HashMap::new();
    let mut list = |commit: Info, memo: &mut Option<&mut Memo>| {
        let (ignored, parents) = (
            ignore.ignores(commit.id, &commit.message),
            commit.parents.len(),
        );
        if let Some(g) = memo.as_deref_mut().and_then(|m| m.graph.as_mut()) {
            g.record(commit.id, commit.parents);
        }
        let author = authors
            .entry(commit.author)
            .or_insert_with_key(|n| Rc::from(String::from_utf8_lossy(n).as_ref()))
            .clone();
        Listed {
            id: commit.id,
            parents,
            time: commit.time,
            author,
            ignored,
        }
    };
    let mut follow = |listed: Vec<Listed>, diffs: Diffs, memo: &mut Option<&mut Memo>| {
        for (commit, plain_list) in listed.iter().zip(diffs) {
            if follower.remaining == 0 {
                break;
            }
            follower.commit(repo, commit, plain_list, rename_prefixes, memo)?;
        }
        Ok::<bool, git2::Error>(follower.remaining > 0)
    };

    // The next piece's commits and their trees, and whether more commits follow.
    type Listing = (Vec<Listed>, Vec<(Oid, Vec<Oid>)>, bool);
    let mut next_piece = |memo: &mut Option<&mut Memo>| -> Result<Listing, git2::Error> {
        let mut listed = Vec::with_capacity(piece.min(PIECE));
        let mut trees = Vec::with_capacity(piece.min(PIECE));
        while listed.len() < piece {
            let Some((commit, parents)) = commits.next_commit()? else {
                return Ok((listed, trees, false));
            };
            trees.push((commit.tree, parents));
            listed.push(list(commit, memo));
        }
        Ok((listed, trees, true))
    };
    // The first piece is listed before any thread starts: a history shorter than a piece is
    // diffed on this thread.
    let (first, first_trees, mut more) = next_piece(&mut memo)?;
    // Pairs of (newer, older) versions of the root tree tell which way the packs' chains run.
    let oldest_first = packs.as_ref().is_some_and(|p| {
        let step = (first_trees.len() / 64).max(1);
        let pairs: Vec<(Oid, Oid)> = first_trees
            .iter()
            .step_by(step)
            .filter_map(|(t, ps)| match ps.as_slice() {
                [p] if p != t => Some((*t, *p)),
                _ => None,
            })
            .collect();
        p.newer_is_delta(&pairs)
    });
    let first_piece = Piece {
        index: 0,
        trees: first_trees,
    };
    if !more {
        let mut trees = treediff::TreeReader::with_packs(repo, packs, oldest_first)?;
        let diffs = diff_piece(&mut trees, &first_piece, oldest_first, prefixes)?;
        follow(first, diffs, &mut memo)?;
        return Ok(follower.finish(paths, cached, hide.is_some()));
    }

    let git_dir = repo.path().to_path_buf();
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = mpsc::channel::<Piece>();
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Result<Diffs, git2::Error>)>();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| -> Result<(), git2::Error> {
        for _ in 0..threads {
            let (job_rx, done_tx, stop, packs, git_dir) =
                (&job_rx, done_tx.clone(), &stop, packs.clone(), &git_dir);
            scope.spawn(move || {
                // A panic here would leave the pieces after it waiting forever: it ends the walk
                // with an error instead.
                let work = || {
                    diff_pieces(
                        git_dir,
                        packs,
                        oldest_first,
                        prefixes,
                        job_rx,
                        &done_tx,
                        stop,
                    )
                };
                let failed = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e),
                    Err(_) => Some(git2::Error::from_str("a thread reading history failed")),
                };
                if let Some(e) = failed {
                    let _ = done_tx.send((usize::MAX, Err(e)));
                }
            });
        }
        drop(done_tx);
        // Pieces wait here, in order, for their diffs; diffs that come early wait for theirs.
        let mut waiting: VecDeque<Vec<Listed>> = VecDeque::from([first]);
        let mut arrived: InOrder<Diffs> = InOrder::new();
        let mut sent = 1usize;
        let result = (|| {
            job_tx.send(first_piece).map_err(|_| gone())?;
            // Follows the pieces whose diffs are in, in order, until every piece sent has been
            // followed (`block`) or no more diffs are in; false when the follower is done.
            let mut receive = |block: bool,
                               sent: usize,
                               waiting: &mut VecDeque<Vec<Listed>>,
                               memo: &mut Option<&mut Memo>|
             -> Result<bool, git2::Error> {
                loop {
                    while let Some(diffs) = arrived.pop() {
                        let listed = waiting.pop_front().expect("a piece waits for each diff");
                        if !follow(listed, diffs, memo)? {
                            return Ok(false);
                        }
                    }
                    if arrived.popped() == sent {
                        return Ok(true);
                    }
                    let (index, diffs) = if block {
                        done_rx.recv().map_err(|_| gone())?
                    } else {
                        match done_rx.try_recv() {
                            Ok(got) => got,
                            Err(_) => return Ok(true),
                        }
                    };
                    arrived.push(index, diffs?);
                }
            };
            while more {
                let (listed, trees, after) = next_piece(&mut memo)?;
                more = after;
                if listed.is_empty() {
                    break;
                }
                waiting.push_back(listed);
                job_tx
                    .send(Piece { index: sent, trees })
                    .map_err(|_| gone())?;
                sent += 1;
                if !receive(false, sent, &mut waiting, &mut memo)? {
                    return Ok(());
                }
            }
            receive(true, sent, &mut waiting, &mut memo).map(|_| ())
        })();
        stop.store(true, AtomicOrdering::Relaxed);
        drop(job_tx);
        result
    })?;
    Ok(follower.finish(paths, cached, hide.is_some()))
}

/// One thread's share of a walk: pieces, as they come, diffed on its own repository handle (libgit2's
/// are not shared) and sent back with their index.
fn diff_pieces(
    git_dir: &Path,
    packs: Option<Arc<treediff::PackSet>>,
    oldest_first: bool,
    prefixes: &[String],
    jobs: &Mutex<mpsc::Receiver<Piece>>,
    done: &mpsc::Sender<(usize, Result<Diffs, git2::Error>)>,
    stop: &AtomicBool,
) -> Result<(), git2::Error> {
    let repo = Repository::open(git_dir)?;
    let mut trees = treediff::TreeReader::with_packs(&repo, packs, oldest_first)?;
    loop {
        let job = jobs
            .lock()
            .map_err(|_| ())
            .and_then(|rx| rx.recv().map_err(|_| ()));
        let Ok(piece) = job else { return Ok(()) };
        if stop.load(AtomicOrdering::Relaxed) {
            continue;
        }
        let diffs = diff_piece(&mut trees, &piece, oldest_first, prefixes);
        if done.send((piece.index, diffs)).is_err() {
            return Ok(());
        }
    }
}

fn gone() -> git2::Error {
    git2::Error::from_str("a thread reading history stopped")
}

/// The paths a walk follows back through history, and what it learnt of each.
struct Follower {
    /// `name` (as of the commit being looked at) -> index into `out`.
    follow: FastMap<String, usize>,
    out: Vec<FileHistory>,
    done: Vec<bool>,
    remaining: usize,
    /// With an incremental walk, a rename's older name may be in the cache.
    renamed_from: Vec<Option<String>>,
}

impl Follower {
    fn new(paths: &[String]) -> Follower {
        Follower {
            follow: paths
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect(),
            out: vec![FileHistory::default(); paths.len()],
            done: vec![false; paths.len()],
            remaining: paths.len(),
            renamed_from: vec![None; paths.len()],
        }
    }

    /// One commit, newest first, with the paths it changed.
    fn commit(
        &mut self,
        repo: &Repository,
        commit: &Listed,
        plain_list: Vec<treediff::PathChange>,
        rename_prefixes: &[String],
        memo: &mut Option<&mut Memo>,
    ) -> Result<(), git2::Error> {
        let changed = {
            let f = &self.follow;
            with_renames(repo, commit, plain_list, rename_prefixes, &|p: &str| {
                f.contains_key(p)
            })?
        };
        let mut change: Option<Change> = None;
        for c in &changed {
            let Some(&i) = self.follow.get(&c.path) else {
                continue;
            };
            if self.done[i] {
                continue;
            }
            let out = &mut self.out[i];
            let pure_move = c.status == Delta::Renamed && c.same_content;
            let counts = !(commit.ignored || pure_move);
            if counts && out.last_change.is_none() {
                out.last_change = Some(change.get_or_insert_with(|| commit.change()).clone());
            }
            out.tracked = true;
            match c.status {
                Delta::Renamed => {
                    // Older commits know the file by its old name.
                    self.follow.remove(&c.path);
                    if let Some(from) = &c.from {
                        self.renamed_from[i] = Some(from.clone());
                        self.follow.insert(from.clone(), i);
                    }
                }
                Delta::Added => {
                    out.created = Some(change.get_or_insert_with(|| commit.change()).clone());
                    self.follow.remove(&c.path);
                    self.done[i] = true;
                    self.remaining -= 1;
                }
                Delta::Deleted => {
                    // Deleted in a newer commit than the one that re-added it: nothing more to learn.
                }
                _ => {}
            }
        }
        if let Some(m) = memo.as_deref_mut() {
            let mut paths: Vec<String> = Vec::with_capacity(changed.len());
            for c in changed {
                paths.push(c.path);
                if let Some(f) = c.from {
                    paths.push(f);
                }
            }
            m.paths.insert(commit.id, paths);
        }
        Ok(())
    }

    fn finish(
        self,
        paths: &[String],
        cached: &HashMap<String, FileHistory>,
        incremental: bool,
    ) -> HashMap<String, FileHistory> {
        let mut result = HashMap::new();
        for (i, mut f) in self.out.into_iter().enumerate() {
            let prev = cached
                .get(&paths[i])
                .or_else(|| self.renamed_from[i].as_ref().and_then(|p| cached.get(p)));
            if let Some(prev) = prev.filter(|_| incremental) {
                // Incremental: what the new commits did not say, the cache does.
                if f.last_change.is_none() {
                    f.last_change = prev.last_change.clone();
                }
                if f.created.is_none() {
                    f.created = prev.created.clone();
                }
                f.tracked |= prev.tracked;
            }
            if f.tracked || f.last_change.is_some() {
                result.insert(paths[i].clone(), f);
            }
        }
        result
    }
}

/// The wanted files git reports as changed or untracked in the work tree or the index, by index.
fn statuses(
    repo: &Repository,
    prefixes: &[String],
    wanted: &HashMap<String, usize>,
) -> Vec<(usize, git2::Status)> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true);
    for p in prefixes.iter().filter(|p| !p.is_empty()) {
        opts.pathspec(p);
    }
    let Ok(statuses) = repo.statuses(Some(&mut opts)) else {
        return Vec::new();
    };
    statuses
        .iter()
        .filter_map(|e| Some((*wanted.get(e.path().ok()?)?, e.status())))
        .collect()
}

/// Uncommitted edits count as changed now; untracked files have no git dates.
fn apply_status(
    status: Vec<(usize, git2::Status)>,
    files: &mut [Option<FileHistory>],
    unborn: bool,
) {
    for (i, s) in status {
        let f = files[i].get_or_insert_with(FileHistory::default);
        if s.is_wt_new() && !unborn {
            *f = FileHistory::default();
        } else if s.intersects(
            git2::Status::WT_MODIFIED
                | git2::Status::WT_RENAMED
                | git2::Status::WT_TYPECHANGE
                | git2::Status::INDEX_MODIFIED
                | git2::Status::INDEX_NEW
                | git2::Status::INDEX_RENAMED
                | git2::Status::INDEX_TYPECHANGE,
        ) {
            f.dirty = true;
        }
    }
}

/// Tags matching the glob, parsed as versions, sorted by version; dated by tagger (annotated) or commit.
fn releases(
    repo: &Repository,
    pattern: &str,
    diags: &mut Diagnostics,
) -> Result<Vec<Release>, git2::Error> {
    let glob = Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    let mut out: Vec<Release> = Vec::new();
    let names = repo.tag_names(None)?;
    for name in names.iter().flatten().flatten() {
        if !glob.is_match(name) {
            continue;
        }
        let Some(version) = Version::parse(name) else {
            diags.push(Diagnostic::note(format!(
                "tag `{name}` matches release_tags but is not a version; skipped"
            )));
            continue;
        };
        let obj = repo.revparse_single(&format!("refs/tags/{name}"))?;
        let commit = obj.peel_to_commit()?;
        let date = match obj.as_tag().and_then(|t| t.tagger()) {
            Some(sig) => sig.when().seconds(),
            None => commit.time().seconds(),
        };
        out.push(Release {
            tag: name.to_string(),
            version,
            date: Timestamp::from_second(date).unwrap_or(Timestamp::UNIX_EPOCH),
            commit: commit.id().to_string(),
        });
    }
    out.sort_by(|a, b| a.version.cmp(&b.version).then(a.tag.cmp(&b.tag)));
    // Two tags for one version (v2.4 and 2.4.0): keep the first.
    out.dedup_by(|b, a| a.version == b.version);
    Ok(out)
}

/// For each release, the commits in (previous release .. this release] and the paths each changed,
/// as ids into `cache.range_paths`. Ranges are cached by their two commits; commits the history walk
/// already diffed come from `memo`, and so does the commit graph after a whole walk. Returns the
/// ranges and whether anything was computed.
fn ranges(
    repo: &Repository,
    releases: &[Release],
    cache: &mut cache::CacheFile,
    memo: &mut Memo,
) -> Result<(Vec<ReleaseRange>, bool), git2::Error> {
    let key = |i: usize| {
        let prev = if i == 0 {
            ""
        } else {
            releases[i - 1].commit.as_str()
        };
        format!("{prev}..{}", releases[i].commit)
    };
    let keys: Vec<String> = (0..releases.len()).map(key).collect();
    let mut ids: HashMap<String, u32> = cache
        .range_paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let mut any = false;
    let mut trees = treediff::TreeReader::new(repo)?;
    let Memo { paths: memo, graph } = memo;
    let mut in_memory = graph.as_mut().map(Ranges::new);
    for (i, k) in keys.iter().enumerate() {
        if cache.ranges.contains_key(k) {
            continue;
        }
        let tip = Oid::from_str(&releases[i].commit)?;
        let previous = match i {
            0 => None,
            _ => Some(Oid::from_str(&releases[i - 1].commit)?),
        };
        let oids: Vec<Oid> = match &mut in_memory {
            Some(r) => r.range(repo, previous, tip)?,
            None => {
                let mut walk = repo.revwalk()?;
                walk.push(tip)?;
                if let Some(p) = previous {
                    walk.hide(p)?;
                }
                walk.collect::<Result<_, _>>()?
            }
        };
        let mut commits = Vec::with_capacity(oids.len());
        for oid in oids {
            let paths: Vec<String> = match memo.get(&oid) {
                Some(p) => p.clone(),
                None => changed_paths(&mut trees, &repo.find_commit(oid)?, &[String::new()])?
                    .into_iter()
                    .map(|c| c.path)
                    .collect(),
            };
            let list: Vec<u32> = paths
                .into_iter()
                .map(|p| {
                    let next = u32::try_from(cache.range_paths.len()).unwrap_or(u32::MAX);
                    *ids.entry(p).or_insert_with_key(|p| {
                        cache.range_paths.push(p.clone());
                        next
                    })
                })
                .collect();
            commits.push(list);
        }
        cache.ranges.insert(k.clone(), commits);
        any = true;
    }
    // Keep only the ranges of current releases.
    let live: HashSet<&String> = keys.iter().collect();
    let before = cache.ranges.len();
    cache.ranges.retain(|k, _| live.contains(k));
    any |= cache.ranges.len() != before;
    let out = keys
        .iter()
        .map(|k| ReleaseRange {
            commits: cache.ranges[k].clone(),
        })
        .collect();
    Ok((out, any))
}

/// The newest release of the product of the site at `root` (for `verify`), without walking history:
/// the tags of `[freshness] product_repo` when set, else of the repository `root` is in.
pub fn newest_release(root: &Path) -> Result<Option<Release>, crate::diagnostics::Failure> {
    let config = crate::config::Config::load(root)?;
    let fcfg = &config.freshness;
    let repo = match &fcfg.product_repo {
        Some(p) => Repository::open(root.join(p)).map_err(|e| {
            Diagnostic::error(format!(
                "product_repo `{}` is not a git repository: {}",
                p.display(),
                e.message()
            ))
            .in_file("kbfresh.toml")
        })?,
        None => match Repository::discover(root) {
            Ok(r) => r,
            Err(_) => return Ok(None),
        },
    };
    let mut diags = Diagnostics::default();
    let list = releases(&repo, &fcfg.release_tags, &mut diags)
        .map_err(|e| Diagnostic::error(format!("cannot read release tags: {e}")))?;
    Ok(list.into_iter().next_back())
}

/// Content files (content-relative paths) changed since `rev`: committed between the merge base of
/// `rev` and HEAD (what a pull request changes), plus uncommitted and untracked ones.
pub fn changed_since(site: &Site, rev: &str) -> Result<HashSet<String>, Diagnostic> {
    let repo = Repository::discover(site.default_content_dir()).map_err(|_| {
        Diagnostic::error("--changed-since needs a git repository")
            .hint("run check inside the docs repository")
    })?;
    let bad_rev = |e: git2::Error| {
        Diagnostic::error(format!("--changed-since `{rev}`: {}", e.message()))
            .hint("give a commit, branch or tag that exists here, e.g. origin/main (fetch it first in CI)")
    };
    let base = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(bad_rev)?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(bad_rev)?;
    let merge_base = repo.merge_base(base.id(), head.id()).map_err(bad_rev)?;
    let from = repo
        .find_commit(merge_base)
        .and_then(|c| c.tree())
        .map_err(bad_rev)?;
    let to = head.tree().map_err(bad_rev)?;
    let workdir = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
    let trees = Trees::new(&workdir, site);
    let prefixes = trees.prefixes();
    let strip = |p: &str| trees.rel(p);
    let mut out: HashSet<String> = treediff::TreeReader::new(&repo)
        .and_then(|mut r| treediff::diff(&mut r, Some(from.id()), Some(to.id()), &prefixes))
        .map_err(|e| Diagnostic::error(format!("cannot compare with `{rev}`: {}", e.message())))?
        .into_iter()
        .filter(|c| c.status != Delta::Deleted)
        .filter_map(|c| strip(&c.path))
        .collect();
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    for p in prefixes.iter().filter(|p| !p.is_empty()) {
        opts.pathspec(p);
    }
    if let Ok(statuses) = repo.statuses(Some(&mut opts)) {
        for e in statuses.iter() {
            if let Ok(p) = e.path()
                && let Some(rel) = strip(p)
            {
                out.insert(rel);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trees(paths: &[&str]) -> Trees {
        Trees {
            trees: paths
                .iter()
                .map(|p| (p.to_string(), String::new()))
                .collect(),
            outside: Vec::new(),
        }
    }

    #[test]
    fn history_reads_each_tree_not_the_folder_that_holds_them() {
        assert_eq!(
            trees(&["content", "content.fa"]).prefixes(),
            ["content", "content.fa"]
        );
        assert_eq!(
            trees(&["docs/content", "docs/content/fa"]).prefixes(),
            ["docs/content"]
        );
        assert_eq!(trees(&["", "content.fa"]).prefixes(), [""]);
    }

    /// Commits `files` (path -> text) as the whole tree, with the given parents, time and message.
    fn commit_files(
        repo: &Repository,
        files: &std::collections::BTreeMap<String, String>,
        parents: &[Oid],
        time: i64,
        message: &str,
    ) -> Oid {
        let work = repo.workdir().unwrap();
        for dir in ["content", "src"] {
            let _ = std::fs::remove_dir_all(work.join(dir));
        }
        for (path, text) in files {
            let p = work.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut index = repo.index().unwrap();
        index.clear().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig =
            git2::Signature::new("Writer", "w@example.com", &git2::Time::new(time, 0)).unwrap();
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|&p| repo.find_commit(p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(None, &sig, &sig, message, &tree, &refs)
            .unwrap()
    }

    #[test]
    fn a_walk_in_pieces_on_threads_learns_what_one_walk_learns() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut files: std::collections::BTreeMap<String, String> = [
            ("content/a.md", "a0"),
            ("content/b.md", "b0"),
            (
                "content/c.md",
                "c0 with enough text to be found again after a rename",
            ),
            ("src/x.rs", "x0"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        let mut head = commit_files(&repo, &files, &[], 1_000, "initial");
        let first = head;
        let mut by_step = Vec::new();
        for n in 1..40i64 {
            let time = 1_000 + n * 100;
            match n % 5 {
                0 => {
                    files.insert("content/a.md".into(), format!("a{n}"));
                }
                1 => {
                    files.insert("src/x.rs".into(), format!("x{n}"));
                }
                2 => {
                    files.insert("content/b.md".into(), format!("b{n}"));
                }
                3 if n == 13 => {
                    // A rename, the text kept.
                    let text = files.remove("content/c.md").unwrap();
                    files.insert("content/d.md".into(), text);
                }
                3 if n == 28 => {
                    // A rename with an edit: found by libgit2's similarity search.
                    let text = files.remove("content/e.md").unwrap();
                    files.insert("content/f.md".into(), format!("{text}\nedited when moved"));
                }
                3 => {
                    let text = format!("e{n}\n{}", "a line of the article that stays\n".repeat(8));
                    files.insert(
                        if n > 28 {
                            "content/f.md"
                        } else {
                            "content/e.md"
                        }
                        .into(),
                        text,
                    );
                }
                _ => {
                    // A side branch with an edit, merged right away.
                    let mut side = files.clone();
                    side.insert("content/b.md".into(), format!("side {n}"));
                    let s = commit_files(&repo, &side, &[head], time - 50, "side");
                    files = side;
                    head = commit_files(&repo, &files, &[head, s], time, "merge");
                    by_step.push((n, head));
                    continue;
                }
            }
            let message = if n == 35 { "typo fix" } else { "change" };
            head = commit_files(&repo, &files, &[head], time, message);
            by_step.push((n, head));
        }
        let at = |n: i64| by_step.iter().find(|(k, _)| *k == n).unwrap().1.to_string();

        let paths: Vec<String> = [
            "content/a.md",
            "content/b.md",
            "content/d.md",
            "content/f.md",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let ignore = Ignore {
            ids: Vec::new(),
            messages: vec![Regex::new("^typo").unwrap()],
        };
        let cached = HashMap::new();
        let whole = [String::new()];
        let content = ["content".to_string()];
        let run = |piece: usize| {
            let spec = Walk {
                head,
                hide: None,
                paths: &paths,
                prefixes: &whole,
                rename_prefixes: &content,
                ignore: &ignore,
                cached: &cached,
                piece,
            };
            let mut memo = Memo::default();
            let files = walk(&repo, &spec, Some(&mut memo)).unwrap();
            let mut changed: Vec<(Oid, Vec<String>)> = memo.paths.into_iter().collect();
            changed.sort();
            (files, changed)
        };

        let (one, one_paths) = run(usize::MAX);
        let d = &one["content/d.md"];
        assert_eq!(
            d.created.as_ref().unwrap().commit,
            first.to_string(),
            "{d:?}"
        );
        assert_eq!(
            d.last_change.as_ref().unwrap().commit,
            first.to_string(),
            "a pure move is no change"
        );
        let a = &one["content/a.md"];
        // a.md's last edit (step 35) is an ignored commit ("typo fix"): the one before counts.
        assert_eq!(a.last_change.as_ref().unwrap().commit, at(30));
        let f = &one["content/f.md"];
        assert_eq!(f.last_change.as_ref().unwrap().commit, at(38));
        assert_eq!(f.created.as_ref().unwrap().commit, at(3), "{f:?}");
        // The last edit of b.md came from a side branch: the merge passes it on, so the side commit
        // (dated before the merge) is the change.
        assert_eq!(
            one["content/b.md"].last_change.as_ref().unwrap().author,
            "Writer"
        );
        assert_eq!(
            one_paths.len(),
            by_step.len() + 1 + 8,
            "every commit's paths are recorded"
        );

        for piece in [1, 2, 3, 7] {
            assert_eq!(
                run(piece),
                (one.clone(), one_paths.clone()),
                "pieces of {piece}"
            );
        }

        // Packed, the trees and commits come through gitoxide's pack reader.
        treediff::pack(&repo, head);
        assert!(treediff::PackSet::open(&repo).is_some());
        for piece in [usize::MAX, 1, 4] {
            assert_eq!(
                run(piece),
                (one.clone(), one_paths.clone()),
                "packed, pieces of {piece}"
            );
        }
    }

    #[test]
    fn moves_found_from_blob_ids_are_the_renames_libgit2_finds() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let text = |k: &str| {
            format!(
                "{k}\n{}",
                "a line that makes the text long enough\n".repeat(6)
            )
        };
        let files = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(p, t)| (p.to_string(), text(t)))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let before = files(&[
            ("content/a.md", "a"),
            ("content/s/b.md", "b"),
            ("content/c.md", "c"),
            ("src/x.rs", "x"),
        ]);
        // a.md moves into a folder, b.md moves up; c.md is deleted, n.md is new, x.rs edited.
        let after = files(&[
            ("content/t/a.md", "a"),
            ("content/b.md", "b"),
            ("content/n.md", "n"),
            ("src/x.rs", "x2"),
        ]);
        let parent = commit_files(&repo, &before, &[], 100, "one");
        let child = commit_files(&repo, &after, &[parent], 200, "two");
        let tree = |c: Oid| repo.find_commit(c).unwrap().tree_id();
        let mut reader = treediff::TreeReader::new(&repo).unwrap();
        let changes = treediff::diff(
            &mut reader,
            Some(tree(parent)),
            Some(tree(child)),
            &[String::new()],
        )
        .unwrap();
        let content = ["content".to_string()];
        let follow = |p: &str| p == "content/t/a.md" || p == "content/b.md";
        let ours =
            exact_renames(&changes, &content, &follow).expect("every followed new path is a move");
        // libgit2's similarity search over the same changes.
        let mut opts = DiffOptions::new();
        for c in &changes {
            opts.pathspec(&c.path);
        }
        let (tp, tc) = (
            repo.find_commit(parent).unwrap().tree().unwrap(),
            repo.find_commit(child).unwrap().tree().unwrap(),
        );
        let mut diff = repo
            .diff_tree_to_tree(Some(&tp), Some(&tc), Some(&mut opts))
            .unwrap();
        let mut f = DiffFindOptions::new();
        f.renames(true).rename_threshold(50);
        diff.find_similar(Some(&mut f)).unwrap();
        let theirs = deltas(&diff);
        // What the walk uses: the followed paths' changes, and every path a change names (it may
        // pair the unfollowed c.md and n.md by similarity; the walk records both paths either way).
        let followed = |list: &[Changed]| {
            let mut v: Vec<_> = list
                .iter()
                .filter(|c| follow(&c.path))
                .map(|c| {
                    (
                        c.path.clone(),
                        c.status == Delta::Renamed,
                        c.from.clone(),
                        c.same_content,
                    )
                })
                .collect();
            v.sort();
            v
        };
        let named = |list: &[Changed]| {
            let mut v: Vec<String> = list
                .iter()
                .flat_map(|c| [Some(c.path.clone()), c.from.clone()])
                .flatten()
                .collect();
            v.sort();
            v
        };
        assert_eq!(followed(&ours), followed(&theirs));
        assert_eq!(followed(&ours).len(), 2, "{ours:?}");
        assert!(
            followed(&ours).iter().all(|c| c.1 && c.3),
            "both are pure moves: {ours:?}"
        );
        assert_eq!(named(&ours), named(&theirs));
        // A followed new path that is no move needs the similarity search (c.md may be its old name).
        let with_new = |p: &str| follow(p) || p == "content/n.md";
        assert!(exact_renames(&changes, &content, &with_new).is_none());
    }
}
