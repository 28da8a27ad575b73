//! MkDocs: the `nav:` of a `mkdocs.yml` at the site root or beside the content folder gives the
//! pages' order and, for a page without a title or heading of its own, its title.

use std::path::Path;

use serde_yaml_ng::Value;

use super::Source;
use super::frontmatter::FrontMatter;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// What `nav:` gave: how many pages it placed, and the title of each group whose pages share a
/// folder (`Setup: [setup/install.md, setup/configure.md]` names `setup`).
pub struct Applied {
    pub pages: usize,
    pub folders: Vec<(String, String)>,
}

/// Applies the `nav:` of `file` (a `mkdocs.yml`) to the pages in `markdown`; `None` when the file
/// could not be read.
pub fn apply(
    file: &Path,
    markdown: &mut [(Source, FrontMatter)],
    diags: &mut Diagnostics,
) -> Option<Applied> {
    let shown = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Another tool's file: what kbfresh cannot read of it is said, and the site still builds.
    let config: Value = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_yaml_ng::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            diags.push(
                Diagnostic::warning(format!(
                    "cannot read {shown}, so its `nav:` is not applied: {e}"
                ))
                .in_file(&shown)
                .hint("fix the file, or give the pages `weight` and `title` front matter"),
            );
            return None;
        }
    };
    let mut entries = Vec::new();
    let mut groups = Vec::new();
    if let Some(nav) = config.get("nav") {
        flatten(nav, None, &mut entries, &mut groups);
    }
    let folders = groups
        .into_iter()
        .filter_map(|(title, range): (String, std::ops::Range<usize>)| {
            // The deepest folder that holds every page of the group.
            let mut dirs = entries[range].iter().map(|(_, p)| {
                let p = p.trim_start_matches("./");
                let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
                dir.split('/').collect::<Vec<_>>()
            });
            let mut common = dirs.next()?;
            for d in dirs {
                let same = common.iter().zip(&d).take_while(|(a, b)| a == b).count();
                common.truncate(same);
            }
            let folder = common.join("/");
            (!folder.is_empty() && !title.trim().is_empty())
                .then(|| (title.trim().to_string(), folder))
        })
        .collect();
    // One map of the pages by path, not a search of them all per `nav:` entry.
    let by_rel: std::collections::HashMap<String, usize> = markdown
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (s.rel.clone(), i))
        .collect();
    let mut applied = 0usize;
    for (order, (title, path)) in entries.iter().enumerate() {
        let target = crate::url::normalize_rel("", path.trim_start_matches("./"));
        let Some(i) = target.and_then(|t| by_rel.get(&t).copied()) else {
            diags.push(
                Diagnostic::warning(format!(
                    "`{path}` is in the `nav:` of {shown} but not a Markdown file of the content folder"
                ))
                .in_file(&shown)
                .hint("fix the path in `nav:` (it is relative to docs_dir), or add the page"),
            );
            continue;
        };
        let front = &mut markdown[i].1;
        front.nav_weight = Some(order as i64 + 1);
        if let Some(t) = title.as_ref().filter(|t| !t.trim().is_empty()) {
            front.nav_title = Some(t.trim().to_string());
        }
        applied += 1;
    }
    Some(Applied {
        pages: applied,
        folders,
    })
}

/// `nav:` entries in order: `page.md`, `{Title: page.md}`, `{Section: [...]}`; links to other sites
/// are skipped. `groups`: each section's title and its entries' range, inner sections first.
fn flatten(
    v: &Value,
    title: Option<&str>,
    out: &mut Vec<(Option<String>, String)>,
    groups: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    match v {
        Value::Sequence(items) => {
            for item in items {
                flatten(item, None, out, groups);
            }
        }
        Value::Mapping(m) => {
            for (k, v) in m {
                let start = out.len();
                flatten(v, k.as_str(), out, groups);
                if let (Value::Sequence(_), Some(t)) = (v, k.as_str())
                    && out.len() > start
                {
                    groups.push((t.to_string(), start..out.len()));
                }
            }
        }
        Value::String(path) if !crate::url::has_scheme(path) && !path.starts_with("//") => {
            out.push((title.map(str::to_string), path.clone()));
        }
        _ => {}
    }
}
