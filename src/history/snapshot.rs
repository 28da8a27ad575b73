//! A history file (`kbfresh history export FILE`, read with `--history FILE`): what a build needs
//! from history, written where history is whole, for hosts that only clone shallowly. Tied to the
//! commit it was exported at and to the settings that change what the walk finds; anything else
//! is refused with what to do.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::FileHistory;
use crate::diagnostics::Diagnostic;
use crate::freshness::{Change, Release, Version, short};

/// The format's version: a file of another is refused, not guessed at.
pub const VERSION: u32 = 1;
/// The first key of every history file, naming what it is.
const MAGIC: &str = "kbfresh-history";

/// One file: last change and creation (indexes into `commits`), tracked, change times.
type FileEntry = (Option<u32>, Option<u32>, bool, Vec<i64>);

#[derive(Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    pub version: u32,
    /// The kbfresh that wrote it (part of `key`; named on its own for the error).
    pub written_by: String,
    /// The commit it was exported at.
    pub head: String,
    /// The history cache's key: content folders, included files, `ignore_commit_messages`,
    /// `edits_count_as_verification`, kbfresh's version.
    pub key: String,
    /// `release_tags` and `product_repo`, which choose the releases.
    pub releases_key: String,
    /// Every commit the files and releases name, once: id, time (Unix seconds), author (index
    /// into `authors`).
    pub commits: Vec<(String, i64, u32)>,
    pub authors: Vec<String>,
    /// Per repository path: the last change and the creation (indexes into `commits`), whether
    /// git tracks it, and the times of its changes (Unix seconds, newest first).
    pub files: BTreeMap<String, FileEntry>,
    /// Oldest version first: tag and commit (index into `commits`, whose date is the release's).
    pub releases: Vec<(String, u32)>,
    /// For `covers`: the paths each release range changed, per commit, as ids into `range_paths`.
    pub ranges: Vec<Vec<Vec<u32>>>,
    pub range_paths: Vec<String>,
}

/// What a snapshot is made from and gives back.
pub struct Parts {
    pub head: String,
    pub key: String,
    pub releases_key: String,
    pub files: Vec<(String, FileHistory)>,
    pub releases: Vec<Release>,
    pub ranges: Vec<Vec<Vec<u32>>>,
    pub range_paths: Vec<String>,
}

impl Snapshot {
    pub fn new(p: Parts) -> Snapshot {
        let mut commits: Vec<(String, i64, u32)> = Vec::new();
        let mut authors: Vec<String> = Vec::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut author_ids: HashMap<String, u32> = HashMap::new();
        let mut id = |c: &Change| -> u32 {
            *ids.entry(c.commit.clone()).or_insert_with(|| {
                let author = *author_ids.entry(c.author.clone()).or_insert_with(|| {
                    authors.push(c.author.clone());
                    (authors.len() - 1) as u32
                });
                commits.push((c.commit.clone(), c.date.as_second(), author));
                (commits.len() - 1) as u32
            })
        };
        let files = p
            .files
            .into_iter()
            .map(|(path, f)| {
                let last = f.last_change.as_ref().map(&mut id);
                let created = f.created.as_ref().map(&mut id);
                (path, (last, created, f.tracked, f.changes))
            })
            .collect();
        let releases = p
            .releases
            .iter()
            .map(|r| {
                let c = Change {
                    commit: r.commit.clone(),
                    date: r.date,
                    author: String::new(),
                };
                (r.tag.clone(), id(&c))
            })
            .collect();
        Snapshot {
            format: MAGIC.into(),
            version: VERSION,
            written_by: env!("CARGO_PKG_VERSION").into(),
            head: p.head,
            key: p.key,
            releases_key: p.releases_key,
            commits,
            authors,
            files,
            releases,
            ranges: p.ranges,
            range_paths: p.range_paths,
        }
    }

    /// Reads `file` and checks it is a history file of this format, for this checkout's commit
    /// (`head`) and settings (`key`, `releases_key`).
    pub fn read(
        file: &Path,
        head: &str,
        key: &str,
        releases_key: &str,
    ) -> Result<Parts, Diagnostic> {
        let again = format!(
            "export it again in a job with the whole history of this commit: `kbfresh history export {}`",
            file.display()
        );
        let bytes = std::fs::read(file).map_err(|e| {
            Diagnostic::error(format!(
                "cannot read the history file `{}`: {e}",
                file.display()
            ))
            .hint(again.clone())
        })?;
        let s: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
            Diagnostic::error(format!(
                "`{}` is not a kbfresh history file: {e}",
                file.display()
            ))
            .at(file.to_path_buf(), e.line(), e.column())
            .hint(again.clone())
        })?;
        if s.format != MAGIC {
            return Err(Diagnostic::error(format!(
                "`{}` is not a kbfresh history file (its format is `{}`)",
                file.display(),
                s.format
            ))
            .hint(again));
        }
        if s.version != VERSION {
            return Err(Diagnostic::error(format!(
                "`{}` is a version {} history file (written by kbfresh {}); this kbfresh reads version {VERSION}",
                file.display(),
                s.version,
                s.written_by
            ))
            .hint(again));
        }
        if s.head != head {
            return Err(Diagnostic::error(format!(
                "the history file `{}` was exported at commit {}, but this checkout is at {}",
                file.display(),
                short(&s.head),
                short(head)
            ))
            .hint(again));
        }
        if s.written_by != env!("CARGO_PKG_VERSION") {
            return Err(Diagnostic::error(format!(
                "the history file `{}` was written by kbfresh {}; this is kbfresh {}",
                file.display(),
                s.written_by,
                env!("CARGO_PKG_VERSION")
            ))
            .hint(format!(
                "use the same kbfresh version in both jobs, or {again}"
            )));
        }
        if s.key != key || s.releases_key != releases_key {
            return Err(Diagnostic::error(format!(
                "the history file `{}` was exported for other content folders or [freshness] settings than this build's",
                file.display()
            ))
            .hint(format!(
                "export it with the same kbfresh.toml and --content as the build: {again}"
            )));
        }
        let bad = || {
            Diagnostic::error(format!(
                "the history file `{}` is damaged: it names a commit, author or path it does not list",
                file.display()
            ))
            .hint(again.clone())
        };
        let change = |i: Option<u32>| -> Result<Option<Change>, Diagnostic> {
            let Some(i) = i else {
                return Ok(None);
            };
            let (commit, secs, author) = s.commits.get(i as usize).ok_or_else(bad)?;
            Ok(Some(Change {
                commit: commit.clone(),
                date: jiff::Timestamp::from_second(*secs).map_err(|_| bad())?,
                author: s.authors.get(*author as usize).ok_or_else(bad)?.clone(),
            }))
        };
        let mut files = Vec::with_capacity(s.files.len());
        for (path, (last, created, tracked, changes)) in &s.files {
            let (last, created, tracked) = (*last, *created, *tracked);
            files.push((
                path.clone(),
                FileHistory {
                    last_change: change(last)?,
                    created: change(created)?,
                    dirty: false,
                    tracked,
                    changes: changes.clone(),
                },
            ));
        }
        let mut releases = Vec::with_capacity(s.releases.len());
        for (tag, c) in &s.releases {
            let c = change(Some(*c))?.ok_or_else(bad)?;
            let version = Version::parse(tag).ok_or_else(bad)?;
            releases.push(Release {
                tag: tag.clone(),
                version,
                date: c.date,
                commit: c.commit,
            });
        }
        if s.ranges.len() > releases.len()
            || s.ranges
                .iter()
                .flatten()
                .flatten()
                .any(|&p| p as usize >= s.range_paths.len())
        {
            return Err(bad());
        }
        Ok(Parts {
            head: s.head,
            key: s.key,
            releases_key: s.releases_key,
            files,
            releases,
            ranges: s.ranges,
            range_paths: s.range_paths,
        })
    }
}
