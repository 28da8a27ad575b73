//! The content stage's side of includes: the files directives name, read from disk inside the site
//! folder, each read once; every Markdown file expanded (`markdown::includes`); snippets that are
//! `_`-prefixed left out of the pages; and the list of included files, for history.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::Source;
use super::frontmatter::FrontMatter;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::markdown::includes::{self, Base, Files, NotRead, Origin, Syntax};

/// A file some page includes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Included {
    /// Absolute and canonical.
    pub abs: PathBuf,
    /// Relative to the site root.
    pub shown: PathBuf,
}

struct Disk<'a> {
    root: &'a Path,
    /// Where MkDocs snippets start (the folder of `mkdocs.yml`), else the site root.
    project: &'a Path,
    read: Mutex<HashMap<PathBuf, Result<Arc<str>, NotRead>>>,
}

impl Disk<'_> {
    fn text(&self, abs: &Path) -> Result<Arc<str>, NotRead> {
        if let Some(r) = self.read.lock().unwrap_or_else(|e| e.into_inner()).get(abs) {
            return r.clone();
        }
        let r = match std::fs::metadata(abs) {
            Ok(m) if m.is_dir() => Err(NotRead::Missing("it is a folder".into())),
            // A FIFO or device would block the build or never end.
            Ok(m) if !m.is_file() => Err(NotRead::Refused("it is not a regular file".into())),
            _ => Self::read(abs),
        };
        self.read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(abs.to_path_buf(), r.clone());
        r
    }

    fn read(abs: &Path) -> Result<Arc<str>, NotRead> {
        match std::fs::read(abs) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => Ok(Arc::from(t.strip_prefix('\u{feff}').unwrap_or(&t))),
                Err(_) => Err(NotRead::Missing("it is not valid UTF-8 text".to_string())),
            },
            Err(e) => Err(NotRead::Missing(format!("it cannot be read ({e})"))),
        }
    }
}

impl Files for Disk<'_> {
    fn open(&self, from: &Path, target: &str, base: Base) -> Result<Origin, NotRead> {
        let from_dir = from.parent().unwrap_or(self.root);
        let rel = target.trim_start_matches('/');
        let candidates: Vec<PathBuf> = if target.starts_with('/') {
            vec![self.root.join(rel)]
        } else {
            match base {
                Base::File => vec![from_dir.join(rel), self.root.join(rel)],
                Base::Project => vec![self.project.join(rel), from_dir.join(rel)],
            }
        };
        for c in &candidates {
            let Ok(abs) = std::fs::canonicalize(c) else {
                continue;
            };
            // Symlinks followed: what is read is where the path really leads.
            if !abs.starts_with(self.root) {
                return Err(NotRead::Refused(format!(
                    "it is outside the site folder `{}`, and nothing outside it is published",
                    self.root.display()
                )));
            }
            if let Some(hidden) = hidden_part(abs.strip_prefix(self.root).unwrap_or(&abs)) {
                return Err(NotRead::Refused(format!(
                    "`{hidden}` is hidden (a name starting with `.`, like `.git` or `.env`, or an editor's backup ending in `~`): hidden files hold tokens and settings, and kbfresh never publishes them"
                )));
            }
            let text = self.text(&abs)?;
            return Ok(Origin {
                shown: Arc::from(display_path(&abs, self.root)),
                abs,
                text,
            });
        }
        let looked: Vec<String> = candidates
            .iter()
            .map(|c| format!("`{}`", display_path(c, self.root).display()))
            .collect();
        Err(NotRead::Missing(format!(
            "no such file (looked for {})",
            looked.join(" and ")
        )))
    }
}

/// The first part of `rel` that is hidden by the rules the content walk follows.
fn hidden_part(rel: &Path) -> Option<String> {
    rel.ancestors()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find(|p| super::is_hidden(p))
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
}

/// Expands every file of `markdown` in place; `_`-prefixed Markdown files that others include are
/// snippets, taken out of the pages with a note. Returns the included files (sorted) and how many
/// snippets were taken out.
pub fn apply(
    markdown: &mut Vec<(Source, FrontMatter)>,
    root: &Path,
    project: &Path,
    vars: &BTreeMap<String, String>,
    syntax: Syntax,
    diags: &mut Diagnostics,
) -> (Vec<Included>, usize) {
    let disk = Disk {
        root,
        project,
        read: Mutex::new(HashMap::new()),
    };
    let found: Vec<Vec<Diagnostic>> = markdown
        .par_iter_mut()
        .map(|(src, _)| {
            // Only files that may hold a directive pay for the copy below.
            if !includes::may_hold(src.body()) {
                return Vec::new();
            }
            let origin = Origin {
                abs: src.abs.clone(),
                shown: Arc::from(src.shown.as_path()),
                text: Arc::from(src.text.as_str()),
            };
            let (x, d) = includes::expand(origin, src.split.body_start, vars, &disk, syntax);
            src.expanded = x.map(Arc::new);
            d
        })
        .collect();
    // A loop is met from each of its files and from every page that includes it: said once.
    let mut loops = std::collections::HashSet::new();
    for d in found.into_iter().flatten() {
        if !d.message.starts_with("include loop:") || loops.insert(d.message.clone()) {
            diags.push(d);
        }
    }

    // Each included file once, with the first page that includes it.
    let mut by: BTreeMap<PathBuf, (PathBuf, PathBuf)> = BTreeMap::new();
    for (src, _) in markdown.iter() {
        for f in src.expanded.iter().flat_map(|x| x.included()) {
            by.entry(f.abs.clone())
                .or_insert_with(|| (f.shown.to_path_buf(), src.shown.clone()));
        }
    }
    let before = markdown.len();
    markdown.retain(|(src, _)| {
        let snippet = by.get(&src.abs).filter(|_| is_snippet_path(&src.rel));
        if let Some((_, user)) = snippet {
            diags.push(
                Diagnostic::note(format!(
                    "not a page: a snippet that `{}` includes (its name or folder starts with `_`)",
                    user.display()
                ))
                .in_file(src.shown.clone()),
            );
        }
        snippet.is_none()
    });
    let dropped = before - markdown.len();
    let included = by
        .into_iter()
        .map(|(abs, (shown, _))| Included { abs, shown })
        .collect();
    (included, dropped)
}

/// A file or folder of the path starts with `_` (a section's `_index.md` aside).
fn is_snippet_path(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    if let Some(last) = parts.last()
        && super::is_section_index(last) > 0
    {
        parts.pop();
    }
    parts.iter().any(|p| p.starts_with('_'))
}
