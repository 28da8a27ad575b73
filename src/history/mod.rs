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
#[cfg(test)]
mod testing;
mod treediff;
mod walk;

use std::collections::HashMap;
use std::path::PathBuf;

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
    cache: Option<(PathBuf, cache::CacheFile)>,
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
    /// Reads everything the freshness policy needs. Errors (a shallow clone, a missing product repo)
    /// come back as diagnostics; a site outside git gets one warning and front-matter dates only.
    pub fn read(site: &Site) -> (History, Diagnostics) {
        let (mut h, diags) = History::read_all(site);
        // Articles, included files and images were read together, in one walk.
        let after_includes = (site.articles.len() + site.includes.len()).min(h.files.len());
        h.assets = h.files.split_off(after_includes);
        h.includes = h.files.split_off(site.articles.len().min(h.files.len()));
        (h, diags)
    }

    fn read_all(site: &Site) -> (History, Diagnostics) {
        let mut diags = Diagnostics::default();
        let mut h = History {
            files: vec![None; site.articles.len() + site.includes.len() + site.assets.len()],
            ..History::default()
        };
        let Some(repo) = repo::SiteRepo::open(site, &mut diags) else {
            return (h, diags);
        };
        h.head = repo.head.map(|id| id.to_string());
        let Some(mut walked) = h.read_files(site, &repo, &mut diags) else {
            return (h, diags);
        };
        let Some((releases, covers)) = releases::read(site, &repo.repo, &mut walked, &mut diags)
        else {
            return (h, diags);
        };
        h.releases = releases;
        h.covers = covers;
        if walked.changed {
            h.cache = Some((walked.cache_dir, walked.cache));
        }
        (h, diags)
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
        let repo::SiteRepo {
            repo,
            trees,
            prefixes: content_prefixes,
            wanted,
            includes_key,
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
        let key = cache::key(
            &format!("{}|{includes_key}", trees.key()),
            fcfg,
            &ignore.fingerprint(),
        );
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
