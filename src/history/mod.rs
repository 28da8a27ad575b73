//! History: the only module that talks to git (git2, and gitoxide's pack reader for the commits and
//! trees of the walk; never a subprocess). One walk of history answers,
//! for every content file at once, its last content change and its creation (renames followed), and
//! the releases (tags) with the paths each release range changed. Results are cached by HEAD.
//!
//! [`History::read`] runs three steps: `repo` opens the site's repository and finds the content
//! files in it; the files' histories come from the `cache` and the `walk` of the commits it has not
//! seen, which diffs commits on threads (`treediff`, in the `order` of history) and `follow`s each
//! path back through renames; then `releases` reads the version tags and what each release range
//! changed. `libgit2` sets libgit2 up for all of it.

mod cache;
mod follow;
mod ignore;
mod inorder;
mod libgit2;
mod order;
mod releases;
mod repo;
mod snapshot;
#[cfg(test)]
mod testing;
mod treediff;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::freshness::{Change, CoversHit, Release};

pub use libgit2::tune_libgit2;
pub use releases::newest_release;
pub use repo::{Then, changed_since, git_dir, texts_then};

/// What history says about one content file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileHistory {
    /// The last commit that changed the file's content (`git log -1 -- path`, ignored commits skipped).
    pub last_change: Option<Change>,
    /// The commit that first added the file, across renames.
    pub created: Option<Change>,
    /// When each commit that changed its content was made (Unix seconds), newest first: the
    /// dashboard's trend replays the policy at earlier times with them.
    #[serde(default)]
    pub changes: Vec<i64>,
    /// Uncommitted changes in the work tree or index.
    #[serde(skip)]
    pub dirty: bool,
    /// Committed at least once (false for files git does not track).
    pub tracked: bool,
}

#[derive(Debug, Default)]
pub struct History {
    /// Per article (same index as `Site::articles`); `None` when the site is not in a git repo.
    pub files: Vec<Option<FileHistory>>,
    /// Per included file (same index as `Site::includes`), as for articles.
    pub includes: Vec<Option<FileHistory>>,
    /// Per file of the content folders (same index as `Site::assets`): images only, else `None`.
    pub assets: Vec<Option<FileHistory>>,
    /// Sorted by version, oldest first.
    pub releases: Vec<Release>,
    pub head: Option<String>,
    covers: releases::Covers,
    /// The walk's results when they differ from the cache on disk: written after a successful
    /// build.
    cache: Option<(PathBuf, cache::CacheFile)>,
    /// Where the cache is and its key: what `export` reads when the cache on disk is current.
    cache_at: Option<(PathBuf, String)>,
    /// Key of the release settings (`release_tags`, `product_repo`).
    releases_key: String,
}

/// What reading the files' histories leaves for the releases: the cache file to write, whether it
/// differs from the one read, and what the walk recorded for the release ranges.
struct Walked {
    cache_dir: PathBuf,
    cache: cache::CacheFile,
    changed: bool,
    memo: walk::Memo,
}

impl History {
    /// A commit dated after `now` (a wrong clock, or a date set on purpose) would keep what it
    /// changed fresh until then: its date counts as `now`, with one warning per commit.
    pub fn clamp_future(&mut self, now: jiff::Timestamp) -> Vec<Diagnostic> {
        let mut late: std::collections::BTreeMap<String, jiff::Timestamp> = Default::default();
        let files = self
            .files
            .iter_mut()
            .chain(self.includes.iter_mut())
            .chain(self.assets.iter_mut())
            .flatten();
        for f in files {
            for c in [f.last_change.as_mut(), f.created.as_mut()]
                .into_iter()
                .flatten()
            {
                if c.date > now {
                    late.entry(c.commit.clone()).or_insert(c.date);
                    c.date = now;
                }
            }
            for t in &mut f.changes {
                *t = (*t).min(now.as_second());
            }
        }
        late.into_iter()
            .map(|(commit, date)| {
                Diagnostic::warning(format!(
                    "commit {} is dated {}, after now ({}): its changes count as made now",
                    crate::freshness::short(&commit),
                    crate::freshness::date_of(date),
                    crate::freshness::date_of(now)
                ))
                .hint("check the clock of the machine that made the commit; `--now` sets the moment kbfresh counts from")
            })
            .collect()
    }

    /// Reads everything the freshness policy needs. Errors (a shallow clone, a missing product repo)
    /// come back as diagnostics; a site outside git gets one warning and front-matter dates only.
    /// With `from` (`--history FILE`), the files' histories and the releases come from that file
    /// instead: a shallow clone is no error, and the file must match this checkout.
    pub fn read(site: &Site, from: Option<&Path>) -> (History, Diagnostics) {
        let (mut h, diags) = History::read_all(site, from);
        // Articles, included files and images were read together, in one walk.
        let after_includes = (site.articles.len() + site.includes.len()).min(h.files.len());
        h.assets = h.files.split_off(after_includes);
        h.includes = h.files.split_off(site.articles.len().min(h.files.len()));
        (h, diags)
    }

    fn read_all(site: &Site, from: Option<&Path>) -> (History, Diagnostics) {
        let mut diags = Diagnostics::default();
        let fcfg = &site.config.freshness;
        let mut h = History {
            files: vec![None; site.articles.len() + site.includes.len() + site.assets.len()],
            releases_key: format!("{:?}|{:?}", fcfg.release_tags, fcfg.product_repo),
            ..History::default()
        };
        let Some(repo) = repo::SiteRepo::open(site, from.is_some(), &mut diags) else {
            if let Some(file) = from {
                diags.push(
                    Diagnostic::error(format!(
                        "--history `{}` needs the git checkout it was exported from",
                        file.display()
                    ))
                    .hint("build in a clone of the repository (a shallow one is enough)"),
                );
            }
            return (h, diags);
        };
        h.head = repo.head.map(|id| id.to_string());
        if let Some(file) = from {
            h.read_snapshot(site, &repo, file, &mut diags);
            return (h, diags);
        }
        let Some(mut walked) = h.read_files(site, &repo, &mut diags) else {
            return (h, diags);
        };
        let Some((releases, covers)) = releases::read(site, &repo.repo, &mut walked, &mut diags)
        else {
            return (h, diags);
        };
        h.releases = releases;
        h.covers = covers;
        h.cache_at = Some((walked.cache_dir.clone(), walked.cache.key.clone()));
        if walked.changed {
            h.cache = Some((walked.cache_dir, walked.cache));
        }
        (h, diags)
    }

    /// Fills `files`, `releases` and `covers` from a history file, with the work tree's status on
    /// top.
    fn read_snapshot(
        &mut self,
        site: &Site,
        repo: &repo::SiteRepo,
        file: &Path,
        diags: &mut Diagnostics,
    ) {
        let Some(head) = repo.head else {
            diags.push(
                Diagnostic::error(format!(
                    "--history `{}`: this repository has no commits",
                    file.display()
                ))
                .hint("build in the checkout of the commit the file was exported at"),
            );
            return;
        };
        let key = repo.history_key(&site.config.freshness);
        let parts =
            match snapshot::Snapshot::read(file, &head.to_string(), &key, &self.releases_key) {
                Ok(p) => p,
                Err(d) => {
                    diags.push(d);
                    return;
                }
            };
        let by_path: HashMap<String, FileHistory> = parts.files.into_iter().collect();
        for (p, &i) in &repo.wanted {
            self.files[i] = Some(by_path.get(p).cloned().unwrap_or_default());
        }
        repo::apply_status(
            repo::statuses(&repo.repo, &repo.prefixes, &repo.wanted),
            &mut self.files,
            false,
        );
        self.releases = parts.releases;
        self.covers = releases::Covers::from_parts(parts.ranges, parts.range_paths);
    }

    /// Writes the history file of this read (`kbfresh history export`): its size in bytes and the
    /// number of files in it.
    pub fn export(&self, file: &Path) -> Result<(usize, usize), Diagnostic> {
        let none = || {
            Diagnostic::error("there is no git history to export").hint(
                "run `kbfresh history export` in a clone with the whole history (`fetch-depth: 0`)",
            )
        };
        let (Some(head), Some((dir, key))) = (&self.head, &self.cache_at) else {
            return Err(none());
        };
        // Unchanged results were not kept in memory: the cache on disk holds them.
        let on_disk;
        let cache = match &self.cache {
            Some((_, c)) => c,
            None => {
                on_disk = cache::load(dir, key, &mut Diagnostics::default()).ok_or_else(none)?;
                &on_disk
            }
        };
        // The file's table is sorted (a BTreeMap), so no order to set here.
        let files: Vec<(String, FileHistory)> = cache
            .files
            .iter()
            .map(|(p, f)| (p.clone(), f.clone()))
            .collect();
        let (ranges, range_paths) = self.covers.parts();
        let snap = snapshot::Snapshot::new(snapshot::Parts {
            head: head.clone(),
            key: cache.key.clone(),
            releases_key: self.releases_key.clone(),
            files,
            releases: self.releases.clone(),
            ranges,
            range_paths,
        });
        let bytes = serde_json::to_vec(&snap).map_err(|e| Diagnostic::error(e.to_string()))?;
        crate::fsutil::write_atomic(file, &bytes).map_err(|e| {
            Diagnostic::error(format!("cannot write `{}`: {e}", file.display()))
                .hint("check that its folder exists and is writable")
        })?;
        Ok((bytes.len(), snap.files.len()))
    }

    /// Fills `files`: from the cache of the last walk, walking only the commits it has not seen
    /// (all of them without a cache), with the work tree's status on top. `None` when there is no
    /// history to read (no commits yet) or the walk failed.
    fn read_files(
        &mut self,
        site: &Site,
        repo: &repo::SiteRepo,
        diags: &mut Diagnostics,
    ) -> Option<Walked> {
        let key = repo.history_key(&site.config.freshness);
        let repo::SiteRepo {
            repo,
            trees: _,
            prefixes: content_prefixes,
            wanted,
            includes_key: _,
            ignore,
            head,
        } = repo;
        let Some(head) = *head else {
            diags.push(
                Diagnostic::warning(
                    "the git repository has no commits yet: freshness uses front-matter dates only",
                )
                .hint("commit the content so kbfresh can read when each article changed"),
            );
            repo::apply_status(
                repo::statuses(repo, content_prefixes, wanted),
                &mut self.files,
                true,
            );
            return None;
        };
        let fcfg = &site.config.freshness;

        // The walk, or the cache of the last one.
        let cache_dir = site.root.join(crate::config::CACHE_DIR);
        let mut cached = cache::load(&cache_dir, &key, diags);
        let mut results: HashMap<String, FileHistory> = HashMap::new();
        let mut walk_from: Option<Oid> = None;
        // The cache's results are moved out, not copied (100,000 entries at 100k articles).
        match &mut cached {
            Some(c) if c.head == head.to_string() => {
                results = std::mem::take(&mut c.files);
            }
            Some(c) => {
                if let Ok(old) = Oid::from_str(&c.head)
                    && repo.graph_descendant_of(head, old).unwrap_or(false)
                {
                    results = std::mem::take(&mut c.files);
                    walk_from = Some(old);
                }
            }
            None => {}
        }
        let needs_walk = cached.as_ref().is_none_or(|c| c.head != head.to_string());
        // When `covers` reads this same repo, the walk records every commit's changed paths so the
        // release ranges need no second pass over history.
        let wants_ranges =
            fcfg.product_repo.is_none() && site.articles.iter().any(|a| !a.front.covers.is_empty());
        let mut memo = walk::Memo::default();
        let whole_tree = [String::new()];
        // The work tree's status (10,000 `lstat`s at 10k articles) is read on another handle while
        // the walk runs: the walk is the longest stage of a cold build.
        // Without a walk, or if the second handle cannot be opened, the status is read afterwards.
        let git_dir = repo.path().to_path_buf();
        let status_of = || {
            Repository::open(&git_dir)
                .ok()
                .map(|r| repo::statuses(&r, content_prefixes, wanted))
        };
        let (status, walked) = std::thread::scope(|scope| {
            let status = needs_walk.then(|| scope.spawn(status_of));
            let walked = needs_walk.then(|| {
                let all_paths: Vec<String> = wanted.keys().cloned().collect();
                let spec = walk::Walk {
                    head,
                    hide: walk_from,
                    paths: &all_paths,
                    prefixes: if wants_ranges {
                        &whole_tree
                    } else {
                        content_prefixes
                    },
                    rename_prefixes: content_prefixes,
                    ignore,
                    cached: &results,
                    piece: walk::PIECE,
                };
                walk::walk(repo, &spec, wants_ranges.then_some(&mut memo))
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
                    return None;
                }
            }
            // Keep only files that still exist, so the cache does not grow forever.
            results.retain(|p, _| wanted.contains_key(p));
        }
        for (p, &i) in wanted {
            self.files[i] = Some(results.get(p).cloned().unwrap_or_default());
        }
        let status = status.unwrap_or_else(|| repo::statuses(repo, content_prefixes, wanted));
        repo::apply_status(status, &mut self.files, false);
        let (cached_ranges, range_paths) = cached
            .map(|c| (c.ranges, c.range_paths))
            .unwrap_or_default();
        Some(Walked {
            cache_dir,
            cache: cache::CacheFile {
                version: cache::VERSION,
                key,
                head: head.to_string(),
                files: results,
                ranges: cached_ranges,
                range_paths,
            },
            changed: needs_walk,
            memo,
        })
    }

    /// What the globs in `covers` matched in each release range; computed once per distinct `covers`.
    pub fn covers_hits(&self, covers: &[String]) -> Vec<Option<CoversHit>> {
        self.covers.hits(covers, self.releases.len())
    }

    /// Writes the cache of this walk (after a successful build).
    pub fn save_cache(&self) {
        if let Some((dir, c)) = &self.cache {
            cache::save(dir, c);
        }
    }
}
