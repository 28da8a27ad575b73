//! The one walk of history: commits listed newest first, cut into pieces that threads diff (one
//! piece per thread at a time, in the order the packs' delta chains run), and the diffs handed to
//! the [`Follower`] in commit order.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, mpsc};

use git2::{Oid, Repository, Sort};

use super::FileHistory;
use super::follow::{Follower, Listed};
use super::ignore::Ignore;
use super::inorder::InOrder;
use super::order::{CommitReader, Graph, Info, TimeOrder};
use super::treediff;
use crate::fasthash::FastMap;

/// The one walk: newest first, following each wanted path back through renames, stopping early once
/// every file has reached the commit that added it.
pub(super) struct Walk<'a> {
    pub(super) head: Oid,
    /// For an incremental walk: the HEAD of the cached walk.
    pub(super) hide: Option<Oid>,
    /// Content files, relative to the repository root.
    pub(super) paths: &'a [String],
    /// Folders the diffs look at (`[""]`: everything, when the walk also records paths for
    /// `covers`).
    pub(super) prefixes: &'a [String],
    /// Folders where renames are detected (the content folders).
    pub(super) rename_prefixes: &'a [String],
    pub(super) ignore: &'a Ignore,
    pub(super) cached: &'a HashMap<String, FileHistory>,
    /// Commits a piece ([`PIECE`]; smaller in tests, to run the threads on a small history).
    pub(super) piece: usize,
}

/// What a walk records for the release ranges, when they read the same repository: each commit's
/// changed paths, and the commit graph.
#[derive(Default)]
pub(super) struct Memo {
    pub(super) paths: FastMap<Oid, Vec<String>>,
    /// Only after a walk from HEAD with nothing hidden (an incremental walk sees the new commits only).
    pub(super) graph: Option<Graph>,
}

/// Commits a piece of the walk: the threads that diff take one piece at a time. A piece's first
/// diffs rebuild the delta chains it enters (a few milliseconds at 10,000 articles, 30 ms at
/// 100,000), so pieces are large.
pub(super) const PIECE: usize = 16_384;

/// The walk's commits, in pieces, diffed by up to one thread a core while this thread lists the
/// commits and then follows the paths through the diffs, newest first. Diffs of one piece run on
/// one thread, in the order the packs' delta chains run, so each tree read applies one delta.
pub(super) fn walk(
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

/// Paths a commit changed, git-style: for a merge, only paths that differ from every parent.
/// `tree` is the commit's tree, `parents` its parents' trees.
pub(super) fn plain_changes(
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

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::history::testing::commit_files;

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
}
