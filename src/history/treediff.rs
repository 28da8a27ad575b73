//! Paths that differ between two trees, descending only into subtrees whose ids differ (as git does).
//! libgit2's tree-to-tree diff iterates every entry of both trees, which on a 10,000-file repo made a
//! walk of 30,000 commits take minutes; this takes about as long as `git log --name-only`.

use std::cmp::Ordering;
use std::collections::HashMap;

use git2::{Delta, ObjectType, Oid, Repository, Tree};

/// Trees the walk read for the last few commits. A walk in time order compares each commit with
/// its parent, which is usually the next commit it looks at: the parent's trees are read once, not
/// twice, and libgit2's own object cache can stay small (it evicts at random, so on its own it
/// needed hundreds of MiB to keep these).
pub struct TreeReader<'r> {
    repo: &'r Repository,
    held: HashMap<Oid, (Tree<'r>, u32)>,
    generation: u32,
}

/// Commits a tree stays held for after its last use: enough for a side branch's parent that the
/// time-ordered walk reaches a few commits later.
const KEEP: u32 = 16;

impl<'r> TreeReader<'r> {
    pub fn new(repo: &'r Repository) -> TreeReader<'r> {
        TreeReader {
            repo,
            held: HashMap::new(),
            generation: 0,
        }
    }

    pub fn get(&mut self, id: Oid) -> Result<Tree<'r>, git2::Error> {
        let generation = self.generation;
        if let Some((t, used)) = self.held.get_mut(&id) {
            *used = generation;
            return Ok(t.clone());
        }
        let t = self.repo.find_tree(id)?;
        self.held.insert(id, (t.clone(), generation));
        Ok(t)
    }

    /// The walk moved on to another commit.
    pub fn next_commit(&mut self) {
        self.generation += 1;
        if self.generation % KEEP == 0 {
            let g = self.generation;
            self.held.retain(|_, (_, used)| g - *used <= KEEP);
        }
    }
}

/// One changed file: its path and whether it was added, deleted or modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    pub path: String,
    pub status: Delta,
}

/// Changes between `old` and `new` (either may be absent: everything added or deleted), limited to
/// the folders `prefixes` (`[""]` for the whole tree; none inside another).
pub fn diff(
    trees: &mut TreeReader<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
    prefixes: &[String],
) -> Result<Vec<PathChange>, git2::Error> {
    let mut out = Vec::new();
    for prefix in prefixes {
        let old = match old {
            Some(t) => descend(trees, t, prefix)?,
            None => None,
        };
        let new = match new {
            Some(t) => descend(trees, t, prefix)?,
            None => None,
        };
        let base = if prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", prefix.trim_end_matches('/'))
        };
        compare(trees, old.as_ref(), new.as_ref(), &base, &mut out)?;
    }
    Ok(out)
}

/// The subtree at `prefix`, or `None` when it does not exist.
fn descend<'r>(
    trees: &mut TreeReader<'r>,
    tree: Oid,
    prefix: &str,
) -> Result<Option<Tree<'r>>, git2::Error> {
    let mut cur = trees.get(tree)?;
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        let next = match cur.get_name(part) {
            Some(e) if e.kind() == Some(ObjectType::Tree) => trees.get(e.id())?,
            _ => return Ok(None),
        };
        cur = next;
    }
    Ok(Some(cur))
}

/// Git sorts tree entries as if a subtree's name ended with `/`.
fn git_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> Ordering {
    let tree = |e: &git2::TreeEntry<'_>| (e.kind() == Some(ObjectType::Tree)).then_some(b'/');
    let ka = a.name_bytes().iter().copied().chain(tree(a));
    let kb = b.name_bytes().iter().copied().chain(tree(b));
    ka.cmp(kb)
}

fn name<'a>(e: &'a git2::TreeEntry<'_>) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(e.name_bytes())
}

fn compare(
    trees: &mut TreeReader<'_>,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    base: &str,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    // Entries are borrowed from the trees: no allocation per unchanged entry.
    let (na, nb) = (old.map_or(0, Tree::len), new.map_or(0, Tree::len));
    let (mut i, mut j) = (0, 0);
    while i < na || j < nb {
        let x = old.and_then(|t| t.get(i));
        let y = new.and_then(|t| t.get(j));
        let ord = match (&x, &y) {
            // Most entries of two versions of a tree are the same name: one comparison of the
            // names' bytes instead of git's order (a large tree made this the walk's inner loop).
            (Some(x), Some(y)) if x.name_bytes() == y.name_bytes() && x.kind() == y.kind() => {
                Ordering::Equal
            }
            (Some(x), Some(y)) => git_order(x, y),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match (ord, x, y) {
            (Ordering::Less, Some(x), _) => {
                side(trees, &x, base, Delta::Deleted, out)?;
                i += 1;
            }
            (Ordering::Greater, _, Some(y)) => {
                side(trees, &y, base, Delta::Added, out)?;
                j += 1;
            }
            (Ordering::Equal, Some(x), Some(y)) => {
                if x.id() != y.id() {
                    let both_trees =
                        x.kind() == Some(ObjectType::Tree) && y.kind() == Some(ObjectType::Tree);
                    if both_trees {
                        let path = format!("{base}{}/", name(&y));
                        let (tx, ty) = (trees.get(x.id())?, trees.get(y.id())?);
                        compare(trees, Some(&tx), Some(&ty), &path, out)?;
                    } else {
                        out.push(PathChange {
                            path: format!("{base}{}", name(&y)),
                            status: Delta::Modified,
                        });
                    }
                }
                i += 1;
                j += 1;
            }
            _ => break,
        }
    }
    Ok(())
}

/// An entry only on one side: a file, or every file of a folder.
fn side(
    trees: &mut TreeReader<'_>,
    e: &git2::TreeEntry<'_>,
    base: &str,
    status: Delta,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    if e.kind() == Some(ObjectType::Tree) {
        let t = trees.get(e.id())?;
        let path = format!("{base}{}/", name(e));
        if status == Delta::Added {
            compare(trees, None, Some(&t), &path, out)
        } else {
            compare(trees, Some(&t), None, &path, out)
        }
    } else {
        out.push(PathChange {
            path: format!("{base}{}", name(e)),
            status,
        });
        Ok(())
    }
}
