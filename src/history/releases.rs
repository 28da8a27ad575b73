//! Releases: the product's version tags, and for `covers` the paths each release range changed.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use git2::{Oid, Repository};
use globset::{Glob, GlobSetBuilder};
use jiff::Timestamp;

use super::order::Ranges;
use super::treediff;
use super::walk::{Memo, plain_changes};
use super::{Walked, cache};
use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics, Failure};
use crate::freshness::{CoversHit, Release, Version};

/// Read releases: the version tags, and what the release ranges changed when articles have
/// `covers`. `None`, with the reason in `diags`, when they cannot be read: `product_repo` is not a
/// repository or is shallow (unless `allow_shallow`), or the tags cannot be read. Ranges computed
/// here are added to `walked`'s cache.
pub(super) fn read(
    site: &Site,
    repo: &Repository,
    walked: &mut Walked,
    diags: &mut Diagnostics,
) -> Option<(Vec<Release>, Covers)> {
    let fcfg = &site.config.freshness;
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
                    return None;
                }
            }
        }
        None => repo,
    };
    if product_repo.is_shallow() && fcfg.product_repo.is_some() && !fcfg.allow_shallow {
        diags.push(
            Diagnostic::error("product_repo is a shallow clone: releases and covered paths cannot be read")
                .hint("clone it with full history (`fetch-depth: 0`), or set `[freshness] allow_shallow = true`"),
        );
        return None;
    }
    let list = match releases(product_repo, &fcfg.release_tags, diags) {
        Ok(r) => r,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read release tags: {e}"))
                    .hint("check the repository with `git fsck`; `release_tags` in [freshness] selects the tags"),
            );
            return None;
        }
    };
    let mut covers = Covers::default();
    if site.articles.iter().any(|a| !a.front.covers.is_empty()) && !list.is_empty() {
        match ranges(product_repo, &list, &mut walked.cache, &mut walked.memo) {
            Ok((ranges, computed)) => {
                covers.ranges = ranges;
                covers.paths = walked.cache.range_paths.clone();
                walked.changed |= computed;
            }
            Err(e) => diags.push(
                Diagnostic::error(format!(
                    "cannot read what each release changed (for `covers`): {e}"
                ))
                .hint(
                    "check the repository with `git fsck`; delete .kbfresh-cache/ if it persists",
                ),
            ),
        }
    }
    Some((list, covers))
}

/// What each release range changed, for `covers`.
#[derive(Debug, Default)]
pub(super) struct Covers {
    /// Per release (same index as `History::releases`); empty when no article has `covers`.
    ranges: Vec<ReleaseRange>,
    /// The paths the ranges name by id.
    paths: Vec<String>,
    /// Hits already computed, by `covers`.
    memo: Mutex<HashMap<Vec<String>, Vec<Option<CoversHit>>>>,
}

impl Covers {
    /// What the globs in `covers` matched in each release range (of `releases`); computed once per
    /// distinct `covers`.
    pub fn hits(&self, covers: &[String], releases: usize) -> Vec<Option<CoversHit>> {
        if covers.is_empty() || self.ranges.is_empty() {
            return vec![None; releases];
        }
        if let Some(v) = self.memo.lock().ok().and_then(|m| m.get(covers).cloned()) {
            return v;
        }
        let mut b = GlobSetBuilder::new();
        for c in covers {
            if let Ok(g) = Glob::new(c.trim_start_matches('/')) {
                b.add(g);
            }
        }
        let Ok(set) = b.build() else {
            return vec![None; releases];
        };
        // Each path of the table is matched once, whatever the number of releases.
        let matched: Vec<Vec<usize>> = self.paths.iter().map(|p| set.matches(p)).collect();
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
        if let Ok(mut m) = self.memo.lock() {
            m.insert(covers.to_vec(), hits.clone());
        }
        hits
    }
}

/// Commits of one release range and the paths each changed (for `covers`).
#[derive(Debug, Default)]
struct ReleaseRange {
    commits: Vec<Vec<u32>>,
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
                None => {
                    let commit = repo.find_commit(oid)?;
                    let parents: Vec<Oid> = commit.parents().map(|p| p.tree_id()).collect();
                    plain_changes(&mut trees, commit.tree_id(), &parents, &[String::new()])?
                        .into_iter()
                        .map(|c| c.path)
                        .collect()
                }
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
pub fn newest_release(root: &Path) -> Result<Option<Release>, Failure> {
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
