//! The site's repository: opening it (with the errors a writer can act on: not a repository, owned
//! by someone else, bare, shallow, no commits yet), where each content tree sits in it, and which
//! content files are uncommitted or changed since a given commit.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Delta, Oid, Repository};

use super::FileHistory;
use super::ignore::Ignore;
use super::treediff;
use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

/// The site's repository, opened, and the content files in it.
pub(super) struct SiteRepo {
    pub repo: Repository,
    /// Where each language's content tree sits in the repository.
    pub trees: Trees,
    /// The folders history is read in ([`Trees::prefixes`]).
    pub prefixes: Vec<String>,
    /// Content files by path relative to the repository root, to their index in `Site::articles`;
    /// then the files pages include, numbered on from the last article (`Site::includes`).
    pub wanted: HashMap<String, usize>,
    /// What else the cache of a walk depends on: the included files (a file newly included has
    /// no history in a cache made before).
    pub includes_key: String,
    /// Commits that never count as content changes.
    pub ignore: Ignore,
    /// The HEAD commit; `None` when the branch has no commits yet.
    pub head: Option<Oid>,
}

impl SiteRepo {
    /// Everything besides HEAD that changes what a walk finds: the history cache's and history
    /// file's key.
    pub fn history_key(&self, fcfg: &crate::config::FreshnessConfig) -> String {
        super::cache::key(
            &format!("{}|{}", self.trees.key(), self.includes_key),
            fcfg,
            &self.ignore.fingerprint(),
        )
    }

    /// Opens the repository the site's content is in. `None`, with the reason in `diags`, when
    /// there is no history to read: no repository, one that cannot be opened (not safe to, in git's
    /// `safe.directory` sense, or damaged), a bare or shallow one (unless `allow_shallow`), or
    /// invalid `ignore_commit_messages`. Content trees outside the repository get a warning each.
    /// `snapshot`: the history comes from a history file, so a shallow clone is no error.
    pub fn open(site: &Site, snapshot: bool, diags: &mut Diagnostics) -> Option<SiteRepo> {
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
                return None;
            }
            Err(_) => {
                diags.push(
                    Diagnostic::warning(
                        "the site is not in a git repository: freshness uses front-matter `verified` dates only",
                    )
                    .hint("run `git init` and commit the content so kbfresh can read when each article changed"),
                );
                return None;
            }
        };
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            diags.push(Diagnostic::warning(
                "the git repository is bare: no history for content files",
            ));
            return None;
        };
        let fcfg = &site.config.freshness;
        if repo.is_shallow() && !snapshot {
            let d = Diagnostic::error("the git repository is a shallow clone: kbfresh cannot see when articles last changed")
                .hint("fetch the full history: `fetch-depth: 0` in GitHub Actions (actions/checkout), `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`; on a host that cannot deepen its clone, write the history where it is whole (`kbfresh history export history.json`) and build with `--history history.json`; or set `[freshness] allow_shallow = true` to go on with what is there");
            if fcfg.allow_shallow {
                diags.push(Diagnostic {
                    severity: Severity::Warning,
                    ..d
                });
            } else {
                diags.push(d);
                return None;
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
        let mut content_prefixes = trees.prefixes();
        // The content folders are canonical already, so paths inside them need no system call each.
        let mut wanted: HashMap<String, usize> = HashMap::with_capacity(site.articles.len());
        for (i, a) in site.articles.iter().enumerate() {
            if let Some(p) = trees.repo_path(&a.src.rel) {
                wanted.insert(p, i);
            }
        }
        // Included files (canonical paths) are read where they are, outside the content folders too.
        let canon_workdir = std::fs::canonicalize(&workdir).unwrap_or_else(|_| workdir.clone());
        let mut includes_key = String::new();
        for (j, inc) in site.includes.iter().enumerate() {
            let Ok(inner) = inc.abs.strip_prefix(&canon_workdir) else {
                continue;
            };
            let p = inner.to_string_lossy().replace('\\', "/");
            let inside = |o: &String| o.is_empty() || p.starts_with(&format!("{o}/"));
            if !content_prefixes.iter().any(inside) {
                // The file's top folder, not its own: a book's 700 listings in 700 folders made
                // every commit's diff descend 700 times, and libgit2's status match 700 pathspecs.
                let dir = p.split_once('/').map_or("", |(top, _)| top).to_string();
                content_prefixes.retain(|o| !(dir.is_empty() || o.starts_with(&format!("{dir}/"))));
                content_prefixes.push(dir);
                content_prefixes.sort();
            }
            includes_key.push_str(&p);
            includes_key.push('\n');
            wanted.insert(p, site.articles.len() + j);
        }
        // Images, which the articles showing them answer to: in the content folders, like the
        // articles, and like them not part of the cache key (a new one comes with a new commit).
        let first_asset = site.articles.len() + site.includes.len();
        for (k, asset) in site.assets.iter().enumerate() {
            if asset.is_image()
                && let Some(p) = trees.repo_path(&asset.rel)
            {
                wanted.insert(p, first_asset + k);
            }
        }

        let ignore = match Ignore::new(&workdir, fcfg) {
            Ok(i) => i,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };

        let head = match repo.head().and_then(|r| r.peel_to_commit()) {
            Ok(c) => Some(c.id()),
            Err(e) if e.code() != git2::ErrorCode::UnbornBranch => {
                // HEAD names a commit that is not there: a damaged repository, not an empty one.
                diags.push(
                    Diagnostic::error(format!(
                        "cannot read the git repository's HEAD commit: {}",
                        e.message()
                    ))
                    .hint("the repository looks damaged: run `git fsck`, or clone it again"),
                );
                return None;
            }
            Err(_) => None,
        };
        Some(SiteRepo {
            repo,
            trees,
            prefixes: content_prefixes,
            wanted,
            includes_key,
            ignore,
            head,
        })
    }
}

/// Where every language's content tree sits in the repository.
pub(super) struct Trees {
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
    pub(super) fn prefixes(&self) -> Vec<String> {
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
    pub(super) fn key(&self) -> String {
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

/// The wanted files git reports as changed or untracked in the work tree or the index, by index.
pub(super) fn statuses(
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
pub(super) fn apply_status(
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

/// The git folder of the repository holding `dir` (`.git`, or a worktree's own git folder), when
/// there is one: git never shows or commits what is in it.
pub fn git_dir(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    git2::Repository::discover(dir)
        .ok()
        .map(|r| r.path().to_path_buf())
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

/// Where to read a file's earlier text: the tree of a commit, else the last commit of the first-
/// parent history made on or before a day (UTC).
pub struct Then<'a> {
    /// Content-relative path of the file.
    pub rel: &'a str,
    pub commit: Option<&'a str>,
    pub day: jiff::civil::Date,
}

/// The text each file had then (`None` when it did not exist then, is not text, or the site has
/// no git history), with the commit it was read from. One pass over the first-parent history
/// serves every request.
pub fn texts_then(site: &Site, wanted: &[Then<'_>]) -> Vec<Option<(String, String)>> {
    let Ok(repo) = Repository::discover(site.default_content_dir()) else {
        return wanted.iter().map(|_| None).collect();
    };
    let workdir = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
    let trees = Trees::new(&workdir, site);
    // First-parent commits, newest first, with their times.
    let mut line: Vec<(i64, Oid)> = Vec::new();
    if wanted.iter().any(|w| w.commit.is_none())
        && let Ok(mut walk) = repo.revwalk()
        && walk.push_head().is_ok()
    {
        walk.simplify_first_parent().ok();
        for id in walk.flatten() {
            if let Ok(c) = repo.find_commit(id) {
                line.push((c.time().seconds(), id));
            }
        }
    }
    wanted
        .iter()
        .map(|w| {
            let id = match w.commit {
                Some(c) => Oid::from_str(c).ok()?,
                None => {
                    let end = w
                        .day
                        .tomorrow()
                        .ok()?
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .ok()?
                        .timestamp()
                        .as_second();
                    line.iter().find(|(t, _)| *t < end)?.1
                }
            };
            let path = trees.repo_path(w.rel)?;
            let tree = repo.find_commit(id).ok()?.tree().ok()?;
            let blob = tree
                .get_path(Path::new(&path))
                .ok()?
                .to_object(&repo)
                .ok()?;
            let text = std::str::from_utf8(blob.as_blob()?.content()).ok()?;
            Some((
                text.trim_start_matches('\u{feff}').to_string(),
                id.to_string(),
            ))
        })
        .collect()
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
}
