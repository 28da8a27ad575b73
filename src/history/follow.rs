//! Following paths back through history, newest commit first: which commit last changed each file
//! and which added it, across renames (exact moves found from blob ids, the rest by libgit2's
//! similarity search).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository};
use jiff::Timestamp;

use super::FileHistory;
use super::treediff;
use super::walk::Memo;
use crate::fasthash::FastMap;
use crate::freshness::Change;

/// A commit as the walk lists it: what the follow logic needs, so it need not read the commit again.
pub(super) struct Listed {
    pub(super) id: Oid,
    pub(super) parents: usize,
    pub(super) time: i64,
    pub(super) author: Rc<str>,
    pub(super) ignored: bool,
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

/// A path a commit changed, and for a rename the path it had before.
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

/// The paths a walk follows back through history, and what it learnt of each.
pub(super) struct Follower {
    /// `name` (as of the commit being looked at) -> index into `out`.
    follow: FastMap<String, usize>,
    out: Vec<FileHistory>,
    done: Vec<bool>,
    pub(super) remaining: usize,
    /// With an incremental walk, a rename's older name may be in the cache.
    renamed_from: Vec<Option<String>>,
}

impl Follower {
    pub(super) fn new(paths: &[String]) -> Follower {
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
    pub(super) fn commit(
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
            if counts {
                if out.last_change.is_none() {
                    out.last_change = Some(change.get_or_insert_with(|| commit.change()).clone());
                }
                out.changes.push(commit.time);
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

    pub(super) fn finish(
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
                // The new commits are newer than the cached ones.
                f.changes.extend_from_slice(&prev.changes);
            }
            if f.tracked || f.last_change.is_some() {
                result.insert(paths[i].clone(), f);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::commit_files;

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
