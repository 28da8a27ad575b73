//! Docusaurus: a folder's `_category_.json` (or `.yml`) gives its sidebar label and position
//! (`sidebar_position` and `sidebar_label` of a page are read with the rest of its front matter).
//! The category files are structure, not files to publish.

use serde::Deserialize;

use super::Site;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Category {
    label: Option<String>,
    position: Option<f64>,
}

/// Applies every `_category_.json` / `_category_.yml` / `_category_.yaml` to its folder's section
/// and takes it out of the files to publish.
pub fn apply_categories(site: &mut Site, diags: &mut Diagnostics) {
    let root = std::fs::canonicalize(&site.root).unwrap_or_else(|_| site.root.clone());
    let section_at: std::collections::HashMap<String, usize> = site
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.dir.clone(), i))
        .collect();
    let mut kept = Vec::with_capacity(site.assets.len());
    for asset in std::mem::take(&mut site.assets) {
        let (dir, name) = asset
            .rel
            .rsplit_once('/')
            .unwrap_or(("", asset.rel.as_str()));
        let yaml = matches!(name, "_category_.yml" | "_category_.yaml");
        if name != "_category_.json" && !yaml {
            kept.push(asset);
            continue;
        }
        let shown = display_path(&asset.abs, &root);
        let text = match std::fs::read_to_string(&asset.abs) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read the category file: {e}"))
                        .in_file(&shown)
                        .hint("make the file readable, or remove it"),
                );
                continue;
            }
        };
        let parsed: Result<Category, (usize, usize, String)> = if yaml {
            serde_yaml_ng::from_str(&text).map_err(|e| {
                let (l, c) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                (l, c, e.to_string())
            })
        } else {
            serde_json::from_str(&text).map_err(|e| (e.line(), e.column(), e.to_string()))
        };
        let category = match parsed {
            Ok(c) => c,
            Err((line, col, msg)) => {
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                diags.push(
                    Diagnostic::error(format!("invalid category file: {msg}"))
                        .at(&shown, line, col)
                        .hint("write it as Docusaurus documents it, e.g. {\"label\": \"Guides\", \"position\": 2}"),
                );
                continue;
            }
        };
        let Some(&s) = section_at.get(dir) else {
            continue;
        };
        let section = &mut site.sections[s];
        if let Some(p) = category.position.filter(|p| p.is_finite()) {
            section.front.nav_weight = Some((p * 1000.0).round() as i64);
        }
        if let Some(label) = category.label.filter(|l| !l.trim().is_empty()) {
            if section.front.title.is_none() {
                section.title = label.clone();
            }
            section.front.nav_title = Some(label);
        }
    }
    site.assets = kept;
}

/// In a Docusaurus site, Markdown files whose name starts with `_` (`_index.md` aside) are partials
/// other pages import, not pages: taken out, with a note each; returns how many.
pub fn drop_partials(
    markdown: &mut Vec<(super::Source, super::frontmatter::FrontMatter)>,
    diags: &mut Diagnostics,
) -> usize {
    let before = markdown.len();
    markdown.retain(|(s, _)| {
        let name = s.rel.rsplit('/').next().unwrap_or("");
        let partial = name.starts_with('_') && super::is_section_index(name) == 0;
        if partial {
            diags.push(
                Diagnostic::note(
                    "a partial (Docusaurus: files whose name starts with `_` are imported by pages, not pages themselves); not published",
                )
                .in_file(s.shown.clone()),
            );
        }
        !partial
    });
    before - markdown.len()
}
