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
    let list = match releases(product_repo, fcfg.release_tags.as_deref(), diags) {
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
    /// From a history file's ranges (per release) and paths.
    pub fn from_parts(ranges: Vec<Vec<Vec<u32>>>, paths: Vec<String>) -> Covers {
        Covers {
            ranges: ranges
                .into_iter()
                .map(|commits| ReleaseRange { commits })
                .collect(),
            paths,
            memo: Default::default(),
        }
    }

    /// The ranges (per release) and paths, for a history file.
    pub fn parts(&self) -> (Vec<Vec<Vec<u32>>>, Vec<String>) {
        (
            self.ranges.iter().map(|r| r.commits.clone()).collect(),
            self.paths.clone(),
        )
    }

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

/// The release tags, parsed as versions, sorted by version; dated by tagger (annotated) or commit.
/// With `pattern` (`release_tags`), the tags it matches; without, the project's own scheme: the
/// largest group of version tags with the same prefix (`v1.2.3`, bare `1.2.3`, `pkg@1.2.3`). Says
/// when the repository has tags but none is a release, and when the releases are a small minority
/// of its tags (a stray tag is not a release scheme).
fn releases(
    repo: &Repository,
    pattern: Option<&str>,
    diags: &mut Diagnostics,
) -> Result<Vec<Release>, git2::Error> {
    let tags = repo.tag_names(None)?;
    let names: Vec<String> = tags.iter().flatten().flatten().map(String::from).collect();
    // Each version tag with its scheme: what comes before the version. Found schemes need two
    // numbers at least (`build-7` and `r42` are builds, not releases); a glob chooses any.
    let versions: Vec<(&str, &str, Version)> = names
        .iter()
        .filter_map(|n| {
            let v = Version::parse(n).filter(|v| pattern.is_some() || v.parts.len() >= 2)?;
            let start = n.find(|c: char| c.is_ascii_digit())?;
            Some((&n[..], &n[..start], v))
        })
        .collect();
    let mut schemes: Vec<(&str, usize)> = Vec::new();
    for (_, prefix, _) in &versions {
        match schemes.iter_mut().find(|(p, _)| p == prefix) {
            Some((_, n)) => *n += 1,
            None => schemes.push((prefix, 1)),
        }
    }
    // Most tags first; on a tie `v`, then bare, then by name.
    schemes.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| (a.0 != "v").cmp(&(b.0 != "v")))
            .then_with(|| (!a.0.is_empty()).cmp(&(!b.0.is_empty())))
            .then_with(|| a.0.cmp(b.0))
    });
    let like = |prefix: &str| format!("`{prefix}1.2.3`");
    let chosen: Vec<(&str, &Version)> = match pattern {
        Some(p) => {
            let glob = Glob::new(p)
                .map(|g| g.compile_matcher())
                .map_err(|e| git2::Error::from_str(&e.to_string()))?;
            let mut out = Vec::new();
            for name in names.iter().filter(|n| glob.is_match(n.as_str())) {
                match versions.iter().find(|(n, _, _)| n == name) {
                    Some((n, _, v)) => out.push((*n, v)),
                    None => diags.push(Diagnostic::note(format!(
                        "tag `{name}` matches release_tags but is not a version; skipped"
                    ))),
                }
            }
            if out.is_empty() && !names.is_empty() {
                let hint = match schemes.first() {
                    Some((prefix, n)) => format!(
                        "{n} tags look like {}: set `release_tags = \"{}[0-9]*\"` in [freshness]",
                        like(prefix),
                        glob_escape(prefix)
                    ),
                    None => "tag releases with their version (`v2.4.0`), or set `release_tags` to the tags that are releases".into(),
                };
                diags.push(
                    Diagnostic::warning(format!(
                        "release_tags `{p}` matches none of the repository's {} tags: no releases, so no article is stale for a release",
                        names.len()
                    ))
                    .in_file("kbfresh.toml")
                    .hint(hint),
                );
            }
            out
        }
        None => {
            let Some((prefix, _)) = schemes.first().copied() else {
                if !names.is_empty() {
                    diags.push(
                        Diagnostic::warning(format!(
                            "the repository has {} tags and none is a version: no releases, so no article is stale for a release",
                            names.len()
                        ))
                        .hint("tag releases with their version (`v2.4.0`, `2.4.0`), or set `release_tags` in [freshness]"),
                    );
                }
                return Ok(Vec::new());
            };
            let others: Vec<String> = schemes[1..]
                .iter()
                .map(|(p, n)| format!("{n} like {}", like(p)))
                .collect();
            diags.push(Diagnostic::note(format!(
                "releases: tags like {}{} (set `release_tags` in [freshness] to choose)",
                like(prefix),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("; not counted: {}", others.join(", "))
                }
            )));
            versions
                .iter()
                .filter(|(_, p, _)| *p == prefix)
                .map(|(n, _, v)| (*n, v))
                .collect()
        }
    };
    // One or two releases among many tags: more likely a stray tag than the project's scheme.
    if !chosen.is_empty() && names.len() >= 10 && chosen.len() * 10 <= names.len() {
        let listed: Vec<&str> = chosen.iter().take(3).map(|(n, _)| *n).collect();
        diags.push(
            Diagnostic::warning(format!(
                "only {} of the repository's {} tags {} a release ({}): if {} stray, articles are judged against the wrong versions",
                chosen.len(),
                names.len(),
                if chosen.len() == 1 { "is" } else { "are" },
                listed.join(", "),
                if chosen.len() == 1 { "it is" } else { "they are" }
            ))
            .hint("set `release_tags` in [freshness] to the tags that are releases"),
        );
    }
    let mut out: Vec<Release> = Vec::with_capacity(chosen.len());
    for (name, version) in chosen {
        let obj = repo.revparse_single(&format!("refs/tags/{name}"))?;
        let commit = obj.peel_to_commit()?;
        let date = match obj.as_tag().and_then(|t| t.tagger()) {
            Some(sig) => sig.when().seconds(),
            None => commit.time().seconds(),
        };
        out.push(Release {
            tag: name.to_string(),
            version: version.clone(),
            date: Timestamp::from_second(date).unwrap_or(Timestamp::UNIX_EPOCH),
            commit: commit.id().to_string(),
        });
    }
    out.sort_by(|a, b| a.version.cmp(&b.version).then(a.tag.cmp(&b.tag)));
    // Two tags for one version (v2.4 and 2.4.0): keep the first.
    out.dedup_by(|b, a| a.version == b.version);
    Ok(out)
}

/// A tag prefix as a literal in a glob.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
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
    let list = releases(&repo, fcfg.release_tags.as_deref(), &mut diags)
        .map_err(|e| Diagnostic::error(format!("cannot read release tags: {e}")))?;
    Ok(list.into_iter().next_back())
}
