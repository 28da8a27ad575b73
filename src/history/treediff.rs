//! Paths that differ between two trees, descending only into subtrees whose ids differ (as git does).
//! libgit2's tree-to-tree diff iterates every entry of both trees, which on a 10,000-file repo made a
//! walk of 30,000 commits take minutes; this takes about as long as `git log --name-only`. Trees
//! are read from the packs by gitoxide's pack reader ([`Packs`]), the rest through libgit2.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use git2::{Delta, Oid, Repository};

/// A tree's entries, parsed once from its raw bytes.
pub struct Tree {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

#[derive(Clone, Copy)]
struct Entry {
    /// The name, as a range of `bytes`.
    name: (u32, u32),
    is_tree: bool,
    id: Oid,
}

impl Tree {
    fn parse(id: Oid, bytes: Vec<u8>) -> Result<Tree, git2::Error> {
        // An entry takes at least 28 bytes (mode, space, a short name, NUL, 20-byte id).
        let mut entries = Vec::with_capacity(bytes.len() / 28);
        let base = bytes.as_ptr() as usize;
        for e in gix_object::TreeRefIter::from_bytes(&bytes, gix_hash::Kind::Sha1) {
            let e =
                e.map_err(|e| git2::Error::from_str(&format!("tree {id} cannot be read: {e}")))?;
            // The name is a slice of `bytes`: its offset is where it starts in them.
            let at = e.filename.as_ptr() as usize - base;
            entries.push(Entry {
                name: (at as u32, (at + e.filename.len()) as u32),
                is_tree: e.mode.is_tree(),
                id: Oid::from_bytes(e.oid.as_bytes())?,
            });
        }
        Ok(Tree { bytes, entries })
    }

    fn name(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.name.0 as usize..e.name.1 as usize]
    }

    fn get_name(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| self.name(e) == name.as_bytes())
    }
}

/// Objects of delta chains decoded from the packs, by pack and offset, up to [`DECODED_BYTES`].
#[derive(Default)]
struct Decoded {
    objects: HashMap<(u32, u64), (gix_object::Kind, usize, Vec<u8>)>,
    bytes: usize,
}

/// Trees are read newest first, and a tree's delta base is a version read just before or just after
/// it. 24 MiB holds the chains of a 10,000-article site's trees; on a larger site the cache starts
/// over when full, and the next read of a tree pays its chain once more (peak memory stays flat).
const DECODED_BYTES: usize = 24 << 20;

impl gix_pack::cache::DecodeEntry for Decoded {
    fn put(&mut self, pack: u32, offset: u64, data: &[u8], kind: gix_object::Kind, packed: usize) {
        if self.bytes + data.len() > DECODED_BYTES {
            self.objects.clear();
            self.bytes = 0;
        }
        self.bytes += data.len();
        self.objects
            .insert((pack, offset), (kind, packed, data.to_vec()));
    }

    fn get(
        &mut self,
        pack: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix_object::Kind, usize)> {
        let (kind, packed, data) = self.objects.get(&(pack, offset))?;
        out.clear();
        out.extend_from_slice(data);
        Some((*kind, *packed))
    }
}

/// The repository's packs, read with gitoxide's pack reader. A tree that is a delta is decoded from
/// the entry nearest its chain's base upward, one entry at a time, so every object of the chain is
/// kept and the next tree read (the neighbouring version) applies one delta: libgit2 keeps only a
/// chain's base and applies the whole chain (25 deltas on average here) for every read. Objects
/// outside these packs (loose, in alternates) come from libgit2.
struct Packs {
    bundles: Vec<gix_pack::Bundle>,
    decoded: Decoded,
    inflate: gix_zlib::Inflate,
    buf: Vec<u8>,
}

impl Packs {
    fn open(repo: &Repository) -> Option<Packs> {
        // Only SHA-1 repositories; others are read by libgit2 alone.
        let format = repo
            .config()
            .ok()
            .and_then(|c| c.get_string("extensions.objectformat").ok());
        if format.is_some_and(|f| !f.eq_ignore_ascii_case("sha1")) {
            return None;
        }
        let dir = repo.commondir().join("objects").join("pack");
        let mut idx: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        idx.sort();
        // A pack that cannot be opened is left to libgit2.
        let bundles: Vec<gix_pack::Bundle> = idx
            .iter()
            .filter_map(|p| gix_pack::Bundle::at(p, gix_hash::Kind::Sha1).ok())
            .collect();
        (!bundles.is_empty()).then(|| Packs {
            bundles,
            decoded: Decoded::default(),
            inflate: gix_zlib::Inflate::default(),
            buf: Vec::new(),
        })
    }

    /// The raw bytes of tree `id`, if a pack holds it and it decodes.
    fn tree(&mut self, id: Oid) -> Option<Vec<u8>> {
        use gix_pack::data::entry::Header;
        let oid = gix_hash::oid::try_from_bytes(id.as_bytes()).ok()?;
        let (b, i) = self
            .bundles
            .iter()
            .find_map(|b| Some((b, b.index.lookup(oid)?)))?;
        let pack = &b.pack;
        let entry_of = |oid: &gix_hash::oid| {
            let i = b.index.lookup(oid)?;
            pack.entry(b.index.pack_offset_at_index(i)).ok()
        };
        // The entries from `id` down its delta chain, to the first one decoded already (which gix
        // finds in the cache) or to the chain's base (which gix inflates with the delta above it).
        let mut chain = Vec::new();
        let mut e = pack.entry(b.index.pack_offset_at_index(i)).ok()?;
        loop {
            if self.decoded.objects.contains_key(&(pack.id, e.data_offset)) {
                if chain.is_empty() {
                    chain.push(e);
                }
                break;
            }
            let next = match &e.header {
                Header::OfsDelta { base_distance } => pack
                    .entry(e.checked_base_pack_offset(*base_distance)?)
                    .ok()?,
                Header::RefDelta { base_id } => entry_of(base_id)?,
                _ => {
                    if chain.is_empty() {
                        chain.push(e);
                    }
                    break;
                }
            };
            chain.push(e);
            e = next;
        }
        let resolve = |base: &gix_hash::oid, _: &mut Vec<u8>| {
            Ok(entry_of(base).map(gix_pack::data::decode::entry::ResolvedBase::InPack))
        };
        // Nearest the base first: each entry finds the one below it decoded (gix keeps each delta
        // it resolves), so each step applies one delta.
        let mut kind = None;
        for e in chain.into_iter().rev() {
            let out = pack
                .decode_entry(
                    e,
                    &mut self.buf,
                    &mut self.inflate,
                    &resolve,
                    &mut self.decoded,
                )
                .ok()?;
            kind = Some(out.kind);
        }
        (kind? == gix_object::Kind::Tree).then(|| std::mem::take(&mut self.buf))
    }
}

/// Trees the walk read for the last few commits. A walk in time order compares each commit with
/// its parent, which is usually the next commit it looks at: the parent's trees are parsed once, not
/// twice.
pub struct TreeReader<'r> {
    odb: git2::Odb<'r>,
    packs: Option<Packs>,
    held: HashMap<Oid, (Rc<Tree>, u32)>,
    generation: u32,
}

/// Commits a tree stays held for after its last use: enough for a side branch's parent that the
/// time-ordered walk reaches a few commits later.
const KEEP: u32 = 16;

impl<'r> TreeReader<'r> {
    pub fn new(repo: &'r Repository) -> Result<TreeReader<'r>, git2::Error> {
        Ok(TreeReader {
            odb: repo.odb()?,
            packs: Packs::open(repo),
            held: HashMap::new(),
            generation: 0,
        })
    }

    pub fn get(&mut self, id: Oid) -> Result<Rc<Tree>, git2::Error> {
        let generation = self.generation;
        if let Some((t, used)) = self.held.get_mut(&id) {
            *used = generation;
            return Ok(t.clone());
        }
        let bytes = match self.packs.as_mut().and_then(|p| p.tree(id)) {
            Some(b) => b,
            None => {
                let o = self.odb.read(id)?;
                if o.kind() != git2::ObjectType::Tree {
                    return Err(git2::Error::from_str(&format!(
                        "object {id} is listed as a tree but is a {}",
                        o.kind()
                    )));
                }
                o.data().to_vec()
            }
        };
        let t = Rc::new(Tree::parse(id, bytes)?);
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
        compare(trees, old.as_deref(), new.as_deref(), &base, &mut out)?;
    }
    Ok(out)
}

/// The subtree at `prefix`, or `None` when it does not exist.
fn descend(
    trees: &mut TreeReader<'_>,
    tree: Oid,
    prefix: &str,
) -> Result<Option<Rc<Tree>>, git2::Error> {
    let mut cur = trees.get(tree)?;
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        let next = match cur.get_name(part) {
            Some(e) if e.is_tree => trees.get(e.id)?,
            _ => return Ok(None),
        };
        cur = next;
    }
    Ok(Some(cur))
}

/// Git sorts tree entries as if a subtree's name ended with `/`.
fn git_order(ta: &Tree, a: &Entry, tb: &Tree, b: &Entry) -> Ordering {
    let ka = ta.name(a).iter().copied().chain(a.is_tree.then_some(b'/'));
    let kb = tb.name(b).iter().copied().chain(b.is_tree.then_some(b'/'));
    ka.cmp(kb)
}

fn name(t: &Tree, e: &Entry) -> String {
    String::from_utf8_lossy(t.name(e)).into_owned()
}

fn compare(
    trees: &mut TreeReader<'_>,
    old: Option<&Tree>,
    new: Option<&Tree>,
    base: &str,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    let none: &[Entry] = &[];
    let xs = old.map_or(none, |t| &t.entries);
    let ys = new.map_or(none, |t| &t.entries);
    let (mut i, mut j) = (0, 0);
    while i < xs.len() || j < ys.len() {
        let (x, y) = (xs.get(i), ys.get(j));
        let ord = match (x, y, old, new) {
            // Most entries of two versions of a tree are the same name: one comparison of the
            // names' bytes instead of git's order (a large tree made this the walk's inner loop).
            (Some(x), Some(y), Some(to), Some(tn))
                if x.is_tree == y.is_tree && to.name(x) == tn.name(y) =>
            {
                Ordering::Equal
            }
            (Some(x), Some(y), Some(to), Some(tn)) => git_order(to, x, tn, y),
            (Some(_), None, ..) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match (ord, x, y, old, new) {
            (Ordering::Less, Some(x), _, Some(to), _) => {
                side(trees, to, x, base, Delta::Deleted, out)?;
                i += 1;
            }
            (Ordering::Greater, _, Some(y), _, Some(tn)) => {
                side(trees, tn, y, base, Delta::Added, out)?;
                j += 1;
            }
            (Ordering::Equal, Some(x), Some(y), _, Some(tn)) => {
                if x.id != y.id {
                    let path = name(tn, y);
                    if x.is_tree && y.is_tree {
                        let (tx, ty) = (trees.get(x.id)?, trees.get(y.id)?);
                        compare(trees, Some(&tx), Some(&ty), &format!("{base}{path}/"), out)?;
                    } else {
                        out.push(PathChange {
                            path: format!("{base}{path}"),
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
    t: &Tree,
    e: &Entry,
    base: &str,
    status: Delta,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    if e.is_tree {
        let sub = trees.get(e.id)?;
        let path = format!("{base}{}/", name(t, e));
        if status == Delta::Added {
            compare(trees, None, Some(&sub), &path, out)
        } else {
            compare(trees, Some(&sub), None, &path, out)
        }
    } else {
        out.push(PathChange {
            path: format!("{base}{}", name(t, e)),
            status,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Signature, Time};

    /// A root tree `r` + `d/` (40 files); commit `n` changes one file of `d/` and `r`.
    fn history(repo: &Repository, commits: u32) -> Vec<Oid> {
        let mut files: Vec<Vec<u8>> = (0..40)
            .map(|i| format!("file {i}\n").into_bytes())
            .collect();
        let mut parent: Option<Oid> = None;
        let mut out = Vec::new();
        for n in 0..commits {
            files[(n as usize * 7) % 40].extend_from_slice(format!("edit {n}\n").as_bytes());
            let mut d = repo.treebuilder(None).unwrap();
            for (i, f) in files.iter().enumerate() {
                d.insert(
                    format!("article-{i:02}.md"),
                    repo.blob(f).unwrap(),
                    0o100644,
                )
                .unwrap();
            }
            let d = d.write().unwrap();
            let mut root = repo.treebuilder(None).unwrap();
            root.insert("d", d, 0o040000).unwrap();
            root.insert("r", repo.blob(format!("{n}").as_bytes()).unwrap(), 0o100644)
                .unwrap();
            let tree = repo.find_tree(root.write().unwrap()).unwrap();
            let sig =
                Signature::new("t", "t@example.com", &Time::new(1_000 + i64::from(n), 0)).unwrap();
            let parents: Vec<git2::Commit<'_>> = parent
                .iter()
                .map(|&p| repo.find_commit(p).unwrap())
                .collect();
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let id = repo.commit(None, &sig, &sig, "c", &tree, &refs).unwrap();
            parent = Some(id);
            out.push(id);
        }
        out
    }

    #[test]
    fn trees_read_from_packs_are_the_trees_libgit2_reads() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let commits = history(&repo, 60);
        let mut walk = repo.revwalk().unwrap();
        walk.push(*commits.last().unwrap()).unwrap();
        let mut pb = repo.packbuilder().unwrap();
        pb.insert_walk(&mut walk).unwrap();
        pb.write(&repo.path().join("objects").join("pack"), 0)
            .unwrap();

        let trees: Vec<Oid> = commits
            .iter()
            .flat_map(|&c| {
                let root = repo.find_commit(c).unwrap().tree().unwrap();
                let d = root.get_name("d").unwrap().id();
                [root.id(), d]
            })
            .collect();
        let odb = repo.odb().unwrap();
        // Newest first (as history reads) and oldest first: a chain is entered from either end.
        for order in [
            trees.iter().rev().copied().collect::<Vec<_>>(),
            trees.clone(),
        ] {
            let mut packs = Packs::open(&repo).expect("the repository has a pack");
            for &t in &order {
                let bytes = packs.tree(t).expect("the pack holds every tree");
                assert_eq!(bytes, odb.read(t).unwrap().data(), "tree {t}");
            }
            assert!(
                !packs.decoded.objects.is_empty(),
                "the pack has deltas, and their objects were kept"
            );
        }

        // And the walk's comparisons agree with and without the packs.
        let mut packed = TreeReader::new(&repo).unwrap();
        let mut plain = TreeReader::new(&repo).unwrap();
        plain.packs = None;
        for w in commits.windows(2).rev() {
            let tree = |c: Oid| repo.find_commit(c).unwrap().tree_id();
            let (old, new) = (Some(tree(w[0])), Some(tree(w[1])));
            let a = diff(&mut packed, old, new, &[String::new()]).unwrap();
            let b = diff(&mut plain, old, new, &[String::new()]).unwrap();
            assert_eq!(a, b);
            assert_eq!(a.len(), 2, "{a:?}");
        }
    }
}
