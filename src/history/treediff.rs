//! Paths that differ between two trees, descending only into subtrees whose ids differ (as git does).
//! libgit2's tree-to-tree diff iterates every entry of both trees, which on a 10,000-file repo made a
//! walk of 30,000 commits take minutes; this takes about as long as `git log --name-only`. Trees
//! are read from the packs by gitoxide's pack reader ([`Packs`]), the rest through libgit2.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::Arc;

use git2::{Delta, Oid, Repository};

use crate::fasthash::FastMap;

/// A tree's raw bytes. Entries are parsed where a comparison needs them: two versions of a tree
/// mostly share their bytes, and parsing every entry of both (400 sections' entries in a
/// 100,000-article site's `content/`, for every commit) was about a third of the diffing threads' time.
pub struct Tree {
    id: Oid,
    bytes: Vec<u8>,
}

/// One entry of a [`Tree`], and the offset where the next one starts.
struct Entry<'t> {
    name: &'t [u8],
    is_tree: bool,
    id: Oid,
    end: usize,
}

impl Tree {
    /// The entry that starts at byte `at` of the tree.
    fn entry_at(&self, at: usize) -> Result<Entry<'_>, git2::Error> {
        let bad = |e: &dyn std::fmt::Display| {
            git2::Error::from_str(&format!("tree {} cannot be read: {e}", self.id))
        };
        let e = gix_object::TreeRefIter::from_bytes(&self.bytes[at..], gix_hash::Kind::Sha1)
            .next()
            .ok_or_else(|| bad(&"an entry ends early"))?
            .map_err(|e| bad(&e))?;
        // The name is a slice of `bytes`; the id follows the NUL after it.
        let name_at = e.filename.as_ptr() as usize - self.bytes.as_ptr() as usize;
        Ok(Entry {
            name: e.filename,
            is_tree: e.mode.is_tree(),
            id: Oid::from_bytes(e.oid.as_bytes())?,
            end: name_at + e.filename.len() + 1 + e.oid.as_bytes().len(),
        })
    }

    /// Where the entry that holds byte `p` starts (`p` itself when an entry starts there): whole
    /// entries are stepped over by their NUL (a mode and a name hold none), not parsed.
    fn entry_start_before(&self, p: usize) -> usize {
        let mut at = 0;
        while at < p {
            let Some(nul) = memchr::memchr(0, &self.bytes[at..]) else {
                break;
            };
            let end = at + nul + 1 + 20;
            if end > p {
                break;
            }
            at = end;
        }
        at
    }

    fn get_name(&self, name: &str) -> Result<Option<Entry<'_>>, git2::Error> {
        let mut at = 0;
        while at < self.bytes.len() {
            let e = self.entry_at(at)?;
            if e.name == name.as_bytes() {
                return Ok(Some(e));
            }
            at = e.end;
        }
        Ok(None)
    }
}

/// Whether two 32-byte blocks differ, eight bytes at a time (`memcmp` calls were 12% of the diffing
/// threads' samples).
fn differ(a: &[u8], b: &[u8]) -> bool {
    let word = |s: &[u8], k: usize| u64::from_ne_bytes(s[k..k + 8].try_into().expect("8 bytes"));
    (0..32)
        .step_by(8)
        .fold(0, |d, k| d | (word(a, k) ^ word(b, k)))
        != 0
}

/// How many bytes `a` and `b` share at the start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 32 <= n && !differ(&a[i..i + 32], &b[i..i + 32]) {
        i += 32;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at the end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut k = 0;
    while k + 32 <= n && !differ(&a[n - k - 32..n - k], &b[n - k - 32..n - k]) {
        k += 32;
    }
    k + a[..n - k]
        .iter()
        .rev()
        .zip(b[..n - k].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Objects of delta chains decoded from the packs, by pack and offset, up to [`DECODED_BYTES`]; when
/// full, the least recently used quarter goes.
#[derive(Default)]
struct Decoded {
    objects: FastMap<(u32, u64), Slot>,
    bytes: usize,
    tick: u64,
}

struct Slot {
    kind: gix_object::Kind,
    packed: usize,
    data: Vec<u8>,
    used: u64,
}

/// Each reader's share. The walk reads history in the direction the packs' delta chains run (see
/// [`PackSet::newer_is_delta`]), so what it needs kept is about one object per chain: the last
/// version of each tree it read. 16 MiB holds that for a 100,000-article site's 400 sections.
const DECODED_BYTES: usize = 16 << 20;

impl Decoded {
    fn evict(&mut self) {
        let mut ticks: Vec<u64> = self.objects.values().map(|s| s.used).collect();
        let cut = ticks.len() / 4;
        let (_, &mut oldest_kept, _) = ticks.select_nth_unstable(cut);
        self.objects.retain(|_, s| s.used >= oldest_kept);
        self.bytes = self.objects.values().map(|s| s.data.len()).sum();
    }
}

impl gix_pack::cache::DecodeEntry for Decoded {
    fn put(&mut self, pack: u32, offset: u64, data: &[u8], kind: gix_object::Kind, packed: usize) {
        if self.bytes + data.len() > DECODED_BYTES && !self.objects.is_empty() {
            self.evict();
        }
        self.tick += 1;
        self.bytes += data.len();
        let slot = Slot {
            kind,
            packed,
            data: data.to_vec(),
            used: self.tick,
        };
        if let Some(old) = self.objects.insert((pack, offset), slot) {
            self.bytes -= old.data.len();
        }
    }

    fn get(
        &mut self,
        pack: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix_object::Kind, usize)> {
        let slot = self.objects.get_mut(&(pack, offset))?;
        self.tick += 1;
        slot.used = self.tick;
        out.clear();
        out.extend_from_slice(&slot.data);
        Some((slot.kind, slot.packed))
    }
}

/// The repository's packs, opened once and shared by the threads that read history.
pub struct PackSet {
    bundles: Vec<gix_pack::Bundle>,
}

impl PackSet {
    pub fn open(repo: &Repository) -> Option<Arc<PackSet>> {
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
        (!bundles.is_empty()).then(|| Arc::new(PackSet { bundles }))
    }

    /// Where a pack holds object `id`: the bundle and the entry's offset.
    fn locate(&self, id: Oid) -> Option<(usize, u64)> {
        let oid = gix_hash::oid::try_from_bytes(id.as_bytes()).ok()?;
        self.bundles.iter().enumerate().find_map(|(n, b)| {
            let i = b.index.lookup(oid)?;
            Some((n, b.index.pack_offset_at_index(i)))
        })
    }

    /// Whether the packs store newer versions of a tree as deltas of older ones, judged from pairs
    /// of (newer, older) tree ids. A delta's base comes before it in its pack (always, for an
    /// offset delta), so the question is which of the two versions a pack wrote first: `git
    /// fast-import` writes history oldest first (its chains start at the oldest version), `git gc`,
    /// `git repack` and the packs a clone receives write the newest first. A chain is cheapest read
    /// from its base onward, one delta a version.
    pub fn newer_is_delta(&self, pairs: &[(Oid, Oid)]) -> bool {
        let (mut newer_later, mut newer_first) = (0usize, 0usize);
        for &(newer, older) in pairs {
            if let (Some((a, x)), Some((b, y))) = (self.locate(newer), self.locate(older))
                && a == b
            {
                match x.cmp(&y) {
                    Ordering::Greater => newer_later += 1,
                    Ordering::Less => newer_first += 1,
                    Ordering::Equal => {}
                }
            }
        }
        newer_later > newer_first
    }
}

/// One reader's view of the [`PackSet`]. A tree that is a delta is decoded from the entry nearest
/// its chain's base upward, one entry at a time, so every object of the chain is kept and the next
/// tree read (the neighbouring version) applies one delta: libgit2 keeps only a chain's base and
/// applies the whole chain (25 deltas on average here) for every read. Objects outside these packs
/// (loose, in alternates) come from libgit2.
pub(super) struct Packs {
    set: Arc<PackSet>,
    /// Keep every object of a chain decoded (for reads against the chains' direction, where the
    /// next read wants the version below), or only the tree asked for (reads in the chains'
    /// direction, where the next read of the chain is one delta above it).
    keep_chain: bool,
    decoded: Decoded,
    inflate: gix_zlib::Inflate,
    buf: Vec<u8>,
}

impl Packs {
    pub(super) fn new(set: Arc<PackSet>, keep_chain: bool) -> Packs {
        Packs {
            set,
            keep_chain,
            decoded: Decoded::default(),
            inflate: gix_zlib::Inflate::default(),
            buf: Vec::new(),
        }
    }

    /// The raw bytes of tree `id`, if a pack holds it and it decodes.
    fn tree(&mut self, id: Oid) -> Option<Vec<u8>> {
        self.read(id, gix_object::Kind::Tree)?;
        Some(std::mem::take(&mut self.buf))
    }

    /// The raw bytes of object `id` of kind `want`, if a pack holds it and it decodes.
    pub(super) fn read(&mut self, id: Oid, want: gix_object::Kind) -> Option<&[u8]> {
        use gix_pack::data::entry::Header;
        let (n, offset) = self.set.locate(id)?;
        let b = &self.set.bundles[n];
        let pack = &b.pack;
        let entry_of = |oid: &gix_hash::oid| {
            let i = b.index.lookup(oid)?;
            pack.entry(b.index.pack_offset_at_index(i)).ok()
        };
        // The entries from `id` down its delta chain, to the first one decoded already (which gix
        // finds in the cache) or to the chain's base (which gix inflates with the delta above it).
        let mut chain = Vec::new();
        // The decoded object the chain starts from, when it is not the one asked for.
        let mut from = None;
        let mut e = pack.entry(offset).ok()?;
        loop {
            if self.decoded.objects.contains_key(&(pack.id, e.data_offset)) {
                if chain.is_empty() {
                    chain.push(e);
                } else {
                    from = Some(e.data_offset);
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
        // Read in the chains' direction, the versions below the one asked for are not read again:
        // only it is kept, so what is kept is about one version a chain (the versions below it
        // would push the other chains' last versions out).
        let below: Vec<u64> = match self.keep_chain {
            true => Vec::new(),
            false => chain
                .iter()
                .skip(1)
                .map(|e| e.data_offset)
                .chain(from)
                .collect(),
        };
        for e in chain.into_iter().rev() {
            let (offset, whole) = (e.data_offset, !e.header.is_delta());
            let out = pack
                .decode_entry(
                    e,
                    &mut self.buf,
                    &mut self.inflate,
                    &resolve,
                    &mut self.decoded,
                )
                .ok()?;
            // gix keeps the deltas it resolves, not a whole object: kept here, the delta above it
            // need not inflate it again. Only trees: a commit is read once, and is rarely a base.
            if whole && out.kind == gix_object::Kind::Tree {
                use gix_pack::cache::DecodeEntry;
                let packed = out.compressed_size;
                self.decoded
                    .put(pack.id, offset, &self.buf, out.kind, packed);
            }
            kind = Some(out.kind);
        }
        for offset in below {
            if let Some(slot) = self.decoded.objects.remove(&(pack.id, offset)) {
                self.decoded.bytes -= slot.data.len();
            }
        }
        (kind? == want).then_some(self.buf.as_slice())
    }
}

/// Trees the walk read for the last few commits. A walk in time order compares each commit with
/// its parent, which is usually the next commit it looks at: the parent's trees are parsed once, not
/// twice.
pub struct TreeReader<'r> {
    odb: git2::Odb<'r>,
    packs: Option<Packs>,
    held: FastMap<Oid, (Rc<Tree>, u32)>,
    generation: u32,
}

/// Commits a tree stays held for after its last use: enough for a side branch's parent that the
/// time-ordered walk reaches a few commits later.
const KEEP: u32 = 16;

impl<'r> TreeReader<'r> {
    pub fn new(repo: &'r Repository) -> Result<TreeReader<'r>, git2::Error> {
        TreeReader::with_packs(repo, PackSet::open(repo), false)
    }

    /// A reader of `repo` that reads trees from packs opened already (by another thread);
    /// `in_chain_order` when it reads each tree's versions in the order the packs' delta chains
    /// run ([`PackSet::newer_is_delta`]), so only the versions read need keeping.
    pub fn with_packs(
        repo: &'r Repository,
        packs: Option<Arc<PackSet>>,
        in_chain_order: bool,
    ) -> Result<TreeReader<'r>, git2::Error> {
        Ok(TreeReader {
            odb: repo.odb()?,
            packs: packs.map(|p| Packs::new(p, !in_chain_order)),
            held: FastMap::default(),
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
        let t = Rc::new(Tree { id, bytes });
        self.held.insert(id, (t.clone(), generation));
        Ok(t)
    }

    /// The walk moved on to another commit.
    pub fn next_commit(&mut self) {
        self.generation += 1;
        if self.generation.is_multiple_of(KEEP) {
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
    /// The file's blob: the new one, or for a deletion the old one.
    pub id: Oid,
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
        let next = match cur.get_name(part)? {
            Some(e) if e.is_tree => trees.get(e.id)?,
            _ => return Ok(None),
        };
        cur = next;
    }
    Ok(Some(cur))
}

/// Git sorts tree entries as if a subtree's name ended with `/`.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let ka = a.name.iter().copied().chain(a.is_tree.then_some(b'/'));
    let kb = b.name.iter().copied().chain(b.is_tree.then_some(b'/'));
    ka.cmp(kb)
}

fn name(e: &Entry<'_>) -> String {
    String::from_utf8_lossy(e.name).into_owned()
}

fn compare(
    trees: &mut TreeReader<'_>,
    old: Option<&Tree>,
    new: Option<&Tree>,
    base: &str,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    let xs = old.map_or(&[][..], |t| &t.bytes[..]);
    let ys = new.map_or(&[][..], |t| &t.bytes[..]);
    // The bytes two versions share at the start and at the end hold the same entries: only the
    // entries between are parsed and compared (in `content/`, usually one of 400).
    let (mut i, mut j, same_end) = match old {
        Some(o) if new.is_some() => {
            let p = common_prefix(xs, ys);
            let start = o.entry_start_before(p);
            (start, start, common_suffix(&xs[p..], &ys[p..]))
        }
        _ => (0, 0, 0),
    };
    // Both at an entry with the same bytes left on each side, all within the shared end: the rest
    // is the same.
    while !(xs.len() - i == ys.len() - j && xs.len() - i <= same_end) {
        let x = match old {
            Some(t) if i < xs.len() => Some(t.entry_at(i)?),
            _ => None,
        };
        let y = match new {
            Some(t) if j < ys.len() => Some(t.entry_at(j)?),
            _ => None,
        };
        let ord = match (&x, &y) {
            // Most entries of two versions of a tree are the same name: one comparison of the
            // names' bytes instead of git's order.
            (Some(x), Some(y)) if x.is_tree == y.is_tree && x.name == y.name => Ordering::Equal,
            (Some(x), Some(y)) => git_order(x, y),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match (ord, x, y) {
            (Ordering::Less, Some(x), _) => {
                side(trees, &x, base, Delta::Deleted, out)?;
                i = x.end;
            }
            (Ordering::Greater, _, Some(y)) => {
                side(trees, &y, base, Delta::Added, out)?;
                j = y.end;
            }
            (Ordering::Equal, Some(x), Some(y)) => {
                if x.id != y.id {
                    let path = name(&y);
                    if x.is_tree && y.is_tree {
                        let (tx, ty) = (trees.get(x.id)?, trees.get(y.id)?);
                        compare(trees, Some(&tx), Some(&ty), &format!("{base}{path}/"), out)?;
                    } else {
                        out.push(PathChange {
                            path: format!("{base}{path}"),
                            status: Delta::Modified,
                            id: y.id,
                        });
                    }
                }
                i = x.end;
                j = y.end;
            }
            _ => break,
        }
    }
    Ok(())
}

/// An entry only on one side: a file, or every file of a folder.
fn side(
    trees: &mut TreeReader<'_>,
    e: &Entry<'_>,
    base: &str,
    status: Delta,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    if e.is_tree {
        let sub = trees.get(e.id)?;
        let path = format!("{base}{}/", name(e));
        if status == Delta::Added {
            compare(trees, None, Some(&sub), &path, out)
        } else {
            compare(trees, Some(&sub), None, &path, out)
        }
    } else {
        out.push(PathChange {
            path: format!("{base}{}", name(e)),
            status,
            id: e.id,
        });
        Ok(())
    }
}

/// Writes a pack of everything reachable from `tip`, as `git gc` would (libgit2's packbuilder).
#[cfg(test)]
pub(super) fn pack(repo: &Repository, tip: Oid) {
    let mut walk = repo.revwalk().unwrap();
    walk.push(tip).unwrap();
    let mut pb = repo.packbuilder().unwrap();
    pb.insert_walk(&mut walk).unwrap();
    pb.write(&repo.path().join("objects").join("pack"), 0)
        .unwrap();
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
        pack(&repo, *commits.last().unwrap());

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
            let mut packs = Packs::new(
                PackSet::open(&repo).expect("the repository has a pack"),
                true,
            );
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

    /// A tree from `(path, text)` pairs (`a/b` puts `b` in a subtree `a`).
    fn build(repo: &Repository, files: &[(String, String)]) -> Oid {
        let mut here = repo.treebuilder(None).unwrap();
        let mut subs: std::collections::BTreeMap<String, Vec<(String, String)>> =
            Default::default();
        for (path, text) in files {
            match path.split_once('/') {
                Some((dir, rest)) => subs
                    .entry(dir.to_string())
                    .or_default()
                    .push((rest.to_string(), text.clone())),
                None => {
                    here.insert(path, repo.blob(text.as_bytes()).unwrap(), 0o100644)
                        .unwrap();
                }
            }
        }
        for (dir, inner) in subs {
            here.insert(&dir, build(repo, &inner), 0o040000).unwrap();
        }
        here.write().unwrap()
    }

    #[test]
    fn changed_paths_are_the_paths_libgit2_finds_changed() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        // Names that sort next to each other, and to a folder of the same name (git orders a
        // folder as if its name ended with `/`).
        let names = ["a", "a.b", "a-b", "b", "ab", "z", "a0"];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut files: Vec<(String, String)> = Vec::new();
        for _ in 0..300 {
            let old = files.clone();
            for _ in 0..=next(3) {
                let depth = next(3);
                let mut path: Vec<&str> = (0..=depth).map(|_| names[next(names.len())]).collect();
                path.dedup();
                let path = path.join("/");
                match next(4) {
                    0 => files.retain(|(p, _)| p != &path && !p.starts_with(&format!("{path}/"))),
                    _ => {
                        // A file may not also be a folder: drop what is in the way.
                        files.retain(|(p, _)| {
                            p != &path
                                && !p.starts_with(&format!("{path}/"))
                                && !path.starts_with(&format!("{p}/"))
                        });
                        files.push((path, format!("{}", next(1000))));
                    }
                }
            }
            files.sort();
            let (a, b) = (build(&repo, &old), build(&repo, &files));
            let mut reader = TreeReader::new(&repo).unwrap();
            let mut ours: Vec<(String, Delta)> =
                diff(&mut reader, Some(a), Some(b), &[String::new()])
                    .unwrap()
                    .into_iter()
                    .map(|c| (c.path, c.status))
                    .collect();
            let (ta, tb) = (repo.find_tree(a).unwrap(), repo.find_tree(b).unwrap());
            let theirs = repo.diff_tree_to_tree(Some(&ta), Some(&tb), None).unwrap();
            let mut theirs: Vec<(String, Delta)> = theirs
                .deltas()
                .map(|d| {
                    let f = if d.status() == Delta::Deleted {
                        d.old_file()
                    } else {
                        d.new_file()
                    };
                    (f.path().unwrap().to_string_lossy().into_owned(), d.status())
                })
                .collect();
            ours.sort_by(|x, y| x.0.cmp(&y.0));
            theirs.sort_by(|x, y| x.0.cmp(&y.0));
            assert_eq!(ours, theirs, "from {old:?} to {files:?}");
        }
    }
}
