//! MkDocs: the `nav:` of a `mkdocs.yml` at the site root or beside the content folder gives the
//! pages' order and, for a page without a title or heading of its own, its title.

use std::path::Path;

use serde_yaml_ng::Value;

use super::Source;
use super::frontmatter::FrontMatter;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Applies the `nav:` of `file` (a `mkdocs.yml`) to the pages in `markdown`. Returns how many pages
/// it placed, `None` when the file could not be read.
pub fn apply(
    file: &Path,
    markdown: &mut [(Source, FrontMatter)],
    diags: &mut Diagnostics,
) -> Option<usize> {
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
    if let Some(nav) = config.get("nav") {
        flatten(nav, None, &mut entries);
    }
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
    Some(applied)
}

/// `nav:` entries in order: `page.md`, `{Title: page.md}`, `{Section: [...]}`; links to other sites
/// are skipped.
fn flatten(v: &Value, title: Option<&str>, out: &mut Vec<(Option<String>, String)>) {
    match v {
        Value::Sequence(items) => {
            for item in items {
                flatten(item, None, out);
            }
        }
        Value::Mapping(m) => {
            for (k, v) in m {
                flatten(v, k.as_str(), out);
            }
        }
        Value::String(path) if !crate::url::has_scheme(path) && !path.starts_with("//") => {
            out.push((title.map(str::to_string), path.clone()));
        }
        _ => {}
    }
}
