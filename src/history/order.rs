//! The order history is read in, and the commit graph release ranges are computed from, without
//! libgit2's revwalk: a time-sorted revwalk parses every commit of the history before it yields the
//! first (`limit_list` in revwalk.c), and the walk then reads each commit again as an object. On a
//! 30,000-commit corpus that double read, and the revwalks of the release ranges, were a fifth of
//! the walk.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use std::sync::Arc;

use git2::{Oid, Repository};

use super::treediff::{PackSet, Packs};
use crate::fasthash::{FastMap, FastSet};

/// What the walk needs of a commit.
pub struct Info {
    pub id: Oid,
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer time, as git orders history by.
    pub time: i64,
    pub author: Vec<u8>,
    pub message: Vec<u8>,
}

/// Reads commits from the packs through gitoxide (libgit2's object cache and signature parsing were
/// most of the commit reading; 100k history 20.3 → 18.3 s), and through libgit2 what the packs do not hold
/// (loose objects) or do not parse. A shallow clone is read through libgit2 alone, which applies
/// its grafts.
pub struct CommitReader<'r> {
    repo: &'r Repository,
    packs: Option<Packs>,
}

impl<'r> CommitReader<'r> {
    pub fn new(repo: &'r Repository, packs: Option<Arc<PackSet>>) -> CommitReader<'r> {
        let packs = packs
            .filter(|_| !repo.is_shallow())
            .map(|p| Packs::new(p, false));
        CommitReader { repo, packs }
    }

    pub fn read(&mut self, id: Oid) -> Result<Info, git2::Error> {
        if let Some(info) = self
            .packs
            .as_mut()
            .and_then(|p| p.read(id, gix_object::Kind::Commit))
            .and_then(|bytes| parse(id, bytes))
        {
            return Ok(info);
        }
        let c = self.repo.find_commit(id)?;
        Ok(Info {
            id,
            tree: c.tree_id(),
            parents: c.parent_ids().collect(),
            time: c.time().seconds(),
            author: c.author().name_bytes().to_vec(),
            message: c.message_bytes().to_vec(),
        })
    }
}

fn parse(id: Oid, bytes: &[u8]) -> Option<Info> {
    let c = gix_object::CommitRef::from_bytes(bytes, gix_hash::Kind::Sha1).ok()?;
    let oid = |o: gix_hash::ObjectId| Oid::from_bytes(o.as_bytes()).ok();
    Some(Info {
        id,
        tree: oid(c.tree())?,
        parents: c.parents().map(oid).collect::<Option<_>>()?,
        time: c.committer().ok()?.seconds(),
        author: c.author().ok()?.name.to_vec(),
        message: c.message.to_vec(),
    })
}

/// Commits reachable from a head, newest commit time first, each read from the repository once.
/// Ties go to the commit queued first.
pub struct TimeOrder<'r> {
    reader: CommitReader<'r>,
    queue: BinaryHeap<(i64, Reverse<u64>, Oid)>,
    /// Queued commits, read when queued (their time orders the queue).
    pending: FastMap<Oid, Info>,
    seen: FastSet<Oid>,
    queued: u64,
}

impl<'r> TimeOrder<'r> {
    pub fn new(reader: CommitReader<'r>, head: Oid) -> Result<TimeOrder<'r>, git2::Error> {
        let mut order = TimeOrder {
            reader,
            queue: BinaryHeap::new(),
            pending: FastMap::default(),
            seen: FastSet::default(),
            queued: 0,
        };
        order.push(head)?;
        Ok(order)
    }

    fn push(&mut self, id: Oid) -> Result<(), git2::Error> {
        if !self.seen.insert(id) {
            return Ok(());
        }
        let commit = self.reader.read(id)?;
        self.queue.push((commit.time, Reverse(self.queued), id));
        self.queued += 1;
        self.pending.insert(id, commit);
        Ok(())
    }

    /// The next commit, its parents queued, and its parents' trees.
    pub fn next_commit(&mut self) -> Result<Option<(Info, Vec<Oid>)>, git2::Error> {
        let Some((_, _, id)) = self.queue.pop() else {
            return Ok(None);
        };
        let commit = self
            .pending
            .remove(&id)
            .expect("a queued commit is pending until it is taken");
        let mut trees = Vec::with_capacity(commit.parents.len());
        for &p in &commit.parents {
            self.push(p)?;
            trees.push(match self.pending.get(&p) {
                Some(parent) => parent.tree,
                // Taken already (a commit dated before its parent): read again.
                None => self.reader.read(p)?.tree,
            });
        }
        Ok(Some((commit, trees)))
    }
}

/// Parents of commits, recorded by the walk and read from the repository for the rest.
#[derive(Default)]
pub struct Graph(FastMap<Oid, Vec<Oid>>);

impl Graph {
    pub fn record(&mut self, id: Oid, parents: Vec<Oid>) {
        self.0.insert(id, parents);
    }

    fn parents(&mut self, repo: &Repository, id: Oid) -> Result<&[Oid], git2::Error> {
        Ok(match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(repo.find_commit(id)?.parent_ids().collect())
            }
        })
    }

    /// Commits reachable from `tip` and not in `below`, which must hold every ancestor of each of
    /// its commits (the ancestors of some commit). A path from `tip` to such a commit runs through
    /// its descendants only, none of which is in `below`, so stopping at `below` loses nothing.
    /// Also says whether `stop` was reached.
    fn reach(
        &mut self,
        repo: &Repository,
        tip: Oid,
        below: &HashSet<Oid>,
        stop: Option<Oid>,
    ) -> Result<(Vec<Oid>, bool), git2::Error> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut hit = false;
        let mut stack = vec![tip];
        while let Some(id) = stack.pop() {
            if below.contains(&id) {
                hit |= Some(id) == stop;
                continue;
            }
            if !seen.insert(id) {
                continue;
            }
            out.push(id);
            stack.extend_from_slice(self.parents(repo, id)?);
        }
        Ok((out, hit))
    }
}

/// The commits of release ranges `(previous..tip]`, computed one after another in memory: when each
/// release descends from the one before (the usual case), each commit is visited once over all
/// ranges.
pub struct Ranges<'g> {
    graph: &'g mut Graph,
    /// A commit and all its ancestors.
    below: Option<(Oid, HashSet<Oid>)>,
}

impl<'g> Ranges<'g> {
    pub fn new(graph: &'g mut Graph) -> Ranges<'g> {
        Ranges { graph, below: None }
    }

    /// Commits reachable from `tip` but not from `previous` (git's `previous..tip`).
    pub fn range(
        &mut self,
        repo: &Repository,
        previous: Option<Oid>,
        tip: Oid,
    ) -> Result<Vec<Oid>, git2::Error> {
        let below = match previous {
            None => HashSet::new(),
            Some(p) => match self.below.take() {
                Some((id, set)) if id == p => set,
                _ => self
                    .graph
                    .reach(repo, p, &HashSet::new(), None)?
                    .0
                    .into_iter()
                    .collect(),
            },
        };
        let (commits, hit) = self.graph.reach(repo, tip, &below, previous)?;
        // `tip`'s ancestors are this range and `previous`'s ancestors when `previous` is one of them.
        if previous.is_none() || hit {
            let mut all = below;
            all.extend(commits.iter().copied());
            self.below = Some((tip, all));
        }
        Ok(commits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Commit, Signature, Sort, Time};

    /// A commit with the given parents and commit time; each gets its own tree.
    fn commit(repo: &Repository, n: u32, parents: &[Oid], time: i64) -> Oid {
        let blob = repo.blob(format!("{n}").as_bytes()).unwrap();
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("f", blob, 0o100644).unwrap();
        let tree = repo.find_tree(tb.write().unwrap()).unwrap();
        let sig = Signature::new("t", "t@example.com", &Time::new(time, 0)).unwrap();
        let parents: Vec<Commit<'_>> = parents
            .iter()
            .map(|&p| repo.find_commit(p).unwrap())
            .collect();
        let refs: Vec<&Commit<'_>> = parents.iter().collect();
        repo.commit(None, &sig, &sig, &format!("c{n}"), &tree, &refs)
            .unwrap()
    }

    fn revwalk(repo: &Repository, tip: Oid, hide: Option<Oid>) -> Vec<Oid> {
        let mut w = repo.revwalk().unwrap();
        w.set_sorting(Sort::TIME).unwrap();
        w.push(tip).unwrap();
        if let Some(h) = hide {
            w.hide(h).unwrap();
        }
        w.map(Result::unwrap).collect()
    }

    #[test]
    fn time_order_and_ranges_match_libgit2s_revwalk() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        // main: a0 - a1 - a2 ------- m5 - a6
        //                  \        /
        // side:             b3 - b4        (b4 is tagged as a maintenance release)
        let a0 = commit(&repo, 0, &[], 100);
        let a1 = commit(&repo, 1, &[a0], 200);
        let a2 = commit(&repo, 2, &[a1], 300);
        let b3 = commit(&repo, 3, &[a2], 400);
        let b4 = commit(&repo, 4, &[b3], 500);
        // Same second as b4: the order between them must not matter to a range.
        let a5 = commit(&repo, 5, &[a2], 500);
        let m6 = commit(&repo, 6, &[a5, b4], 600);
        let a7 = commit(&repo, 7, &[m6], 700);

        let reader = CommitReader::new(&repo, PackSet::open(&repo));
        let mut order = TimeOrder::new(reader, a7).unwrap();
        let mut ours = Vec::new();
        while let Some((c, _)) = order.next_commit().unwrap() {
            ours.push(c.id);
        }
        let theirs = revwalk(&repo, a7, None);
        assert_eq!(ours.len(), theirs.len());
        assert_eq!(
            ours.iter().collect::<HashSet<_>>(),
            theirs.iter().collect::<HashSet<_>>()
        );
        // Newest first: every commit comes before the older ones.
        let times: Vec<i64> = ours
            .iter()
            .map(|&id| repo.find_commit(id).unwrap().time().seconds())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

        // Releases in version order; b4 (a maintenance release) is not an ancestor of a5, and a5
        // not of b4, so the in-memory ranges have to start over there.
        let releases = [a1, b4, a5, a7, a7];
        let mut graph = Graph::default();
        let mut ranges = Ranges::new(&mut graph);
        for (i, &tip) in releases.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| releases[p]);
            let mut got = ranges.range(&repo, previous, tip).unwrap();
            let mut want = revwalk(&repo, tip, previous);
            got.sort();
            want.sort();
            assert_eq!(got, want, "range {i}");
        }
    }

    #[test]
    fn commits_read_from_packs_are_the_commits_libgit2_reads() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let a = commit(&repo, 0, &[], 100);
        let b = commit(&repo, 1, &[a], 200);
        let c = commit(&repo, 2, &[a], 300);
        let m = commit(&repo, 3, &[b, c], 400);
        super::super::treediff::pack(&repo, m);
        let mut packs = Packs::new(PackSet::open(&repo).unwrap(), false);
        for id in [a, b, c, m] {
            let bytes = packs
                .read(id, gix_object::Kind::Commit)
                .expect("the pack holds the commit");
            let ours = parse(id, bytes).expect("gitoxide parses it");
            let theirs = repo.find_commit(id).unwrap();
            assert_eq!(ours.tree, theirs.tree_id());
            assert_eq!(ours.parents, theirs.parent_ids().collect::<Vec<_>>());
            assert_eq!(ours.time, theirs.time().seconds());
            assert_eq!(ours.author, theirs.author().name_bytes());
            assert_eq!(ours.message, theirs.message_bytes());
        }
        // A tree is not read as a commit.
        let tree = repo.find_commit(m).unwrap().tree_id();
        assert!(packs.read(tree, gix_object::Kind::Commit).is_none());
    }
}
