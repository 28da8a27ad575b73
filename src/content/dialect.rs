//! Which docs tool a content folder was written for, found from the files that tool leaves beside
//! it (`book.toml`, `mkdocs.yml`, `docusaurus.config.*`, `.vitepress/`, `astro.config.*`,
//! `hugo.toml`, `zola.toml`, or a `config.toml` with the tool's own keys), or set by `dialect` in
//! kbfresh.toml.

use std::path::{Path, PathBuf};

use crate::config::Dialect;

/// The tool, and the file or folder that told (`None` when `dialect` set it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub dialect: Dialect,
    pub evidence: Option<PathBuf>,
    /// The folder that holds the tool's files (where `evidence` is).
    pub project: PathBuf,
}

impl Detected {
    /// True when the folder follows `d`'s conventions.
    pub fn is(&self, d: Dialect) -> bool {
        self.dialect == d
    }

    /// The folder the tool serves at the site root, besides kbfresh's own `static/`: VitePress's
    /// `public/` in the source folder, Astro's (Starlight's) `public/` in the project.
    pub fn public_dir(&self, content: &Path) -> Option<PathBuf> {
        let dir = match self.dialect {
            Dialect::VitePress => content.join("public"),
            Dialect::Starlight => self.project.join("public"),
            _ => return None,
        };
        dir.is_dir().then_some(dir)
    }

    /// What kbfresh applies of the tool's conventions, for the note that says so.
    pub fn conventions(&self) -> &'static str {
        match self.dialect {
            Dialect::Plain => "kbfresh's own conventions only; no other tool's files are read",
            Dialect::MdBook => {
                "SUMMARY.md gives the chapters' order, nesting and titles and is not a page"
            }
            Dialect::MkDocs => "the `nav:` of mkdocs.yml gives the pages' order and titles",
            Dialect::Docusaurus => {
                "`sidebar_position`, `sidebar_label` and `_category_` files give the order and labels; `_`-prefixed files are partials"
            }
            Dialect::Hugo => {
                "`weight`, `linkTitle`, `url`; `_index.md` is a section, `index.md` a leaf bundle (its folder's files are its resources); `headless` and `build: {render: never}` pages are not published"
            }
            Dialect::Zola => {
                "`weight`, `path`; `_index.md` is a section, `index.md` a page bundle (its folder's files are its assets)"
            }
            Dialect::VitePress => "the source folder's public/ is served at the site root",
            Dialect::Starlight => {
                "`sidebar` order and labels from front matter; the project's public/ is served at the site root"
            }
        }
    }

    /// The one line that says which tool's conventions were applied, and how to change that.
    pub fn note(&self, root: &Path) -> String {
        let how = match &self.evidence {
            Some(e) => format!(
                "({}; set `dialect` in kbfresh.toml to change this)",
                e.strip_prefix(root).unwrap_or(e).display()
            ),
            None => "(`dialect` in kbfresh.toml)".to_string(),
        };
        format!("{} site {how}: {}", self.dialect.name(), self.conventions())
    }

    /// Page bundles: a folder with `index.md` and no `_index.md` is one page, not a section.
    pub fn leaf_bundles(&self) -> bool {
        matches!(self.dialect, Dialect::Hugo | Dialect::Zola)
    }
}

/// The tool `content` was written for: `set` when kbfresh.toml names one, else the first tool whose
/// files are in the content folder or a folder above it (up to the site root, or the content
/// folder's parent when it is outside the root).
pub fn detect(root: &Path, content: &Path, set: Option<Dialect>) -> Option<Detected> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let content = std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    let mut places: Vec<&Path> = Vec::new();
    for dir in content.ancestors() {
        places.push(dir);
        if dir == root {
            break;
        }
    }
    if !content.starts_with(&root) {
        places.truncate(2);
        places.push(&root);
    }
    if let Some(d) = set {
        let project = places
            .iter()
            .find(|p| find_in(p).is_some_and(|(t, _)| t == d))
            .map_or_else(|| root.clone(), |p| p.to_path_buf());
        return Some(Detected {
            dialect: d,
            evidence: None,
            project,
        });
    }
    places.iter().find_map(|dir| {
        find_in(dir).map(|(dialect, evidence)| Detected {
            dialect,
            evidence: Some(evidence),
            project: dir.to_path_buf(),
        })
    })
}

/// The tool whose files are in `dir`, and the file that says so.
fn find_in(dir: &Path) -> Option<(Dialect, PathBuf)> {
    let file = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
    let any = |stem: &str, exts: &[&str]| exts.iter().find_map(|e| file(&format!("{stem}.{e}")));
    const JS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts"];
    if let Some(f) = file("book.toml") {
        return Some((Dialect::MdBook, f));
    }
    if let Some(f) = any("mkdocs", &["yml", "yaml"]) {
        return Some((Dialect::MkDocs, f));
    }
    if let Some(f) = any("docusaurus.config", JS) {
        return Some((Dialect::Docusaurus, f));
    }
    let vitepress = dir.join(".vitepress");
    if vitepress.is_dir() {
        return Some((Dialect::VitePress, vitepress));
    }
    if let Some(f) = any("astro.config", JS) {
        return Some((Dialect::Starlight, f));
    }
    if let Some(f) = any("hugo", &["toml", "yaml", "yml", "json"]) {
        return Some((Dialect::Hugo, f));
    }
    if let Some(f) = file("zola.toml") {
        return Some((Dialect::Zola, f));
    }
    for ext in ["toml", "yaml", "yml", "json"] {
        if let Some(f) = file(&format!("config.{ext}"))
            && let Some(d) = std::fs::read_to_string(&f)
                .ok()
                .and_then(|t| config_keys(&t, ext))
        {
            return Some((d, f));
        }
    }
    None
}

/// Hugo or Zola from a `config.*` file's top-level keys: Hugo writes them in camelCase
/// (`baseURL`, `languageCode`), Zola in snake_case (`base_url`, `compile_sass`).
fn config_keys(text: &str, ext: &str) -> Option<Dialect> {
    const HUGO: &[&str] = &[
        "baseURL",
        "baseurl",
        "languageCode",
        "defaultContentLanguage",
        "enableRobotsTXT",
        "disableKinds",
        "params",
        "menu",
        "menus",
        "markup",
        "module",
        "outputs",
    ];
    const ZOLA: &[&str] = &[
        "base_url",
        "compile_sass",
        "build_search_index",
        "generate_feeds",
        "generate_feed",
        "minify_html",
        "default_language",
        "markdown",
        "extra",
    ];
    let keys: Vec<String> = match ext {
        "toml" => text.parse::<toml::Table>().ok()?.keys().cloned().collect(),
        "json" => match serde_json::from_str::<serde_json::Value>(text).ok()? {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => return None,
        },
        _ => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).ok()? {
            serde_yaml_ng::Value::Mapping(m) => m
                .keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect(),
            _ => return None,
        },
    };
    let has = |list: &[&str]| keys.iter().any(|k| list.contains(&k.as_str()));
    if has(HUGO) {
        Some(Dialect::Hugo)
    } else if ext == "toml" && has(ZOLA) {
        Some(Dialect::Zola)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_and_zola_config_files_tell_by_their_keys() {
        assert_eq!(
            config_keys("baseURL = 'https://x/'\ntitle = 'x'\n", "toml"),
            Some(Dialect::Hugo)
        );
        assert_eq!(
            config_keys("base_url = 'https://x/'\ncompile_sass = true\n", "toml"),
            Some(Dialect::Zola)
        );
        assert_eq!(
            config_keys("baseURL: https://x/\nparams: {}\n", "yaml"),
            Some(Dialect::Hugo)
        );
        assert_eq!(config_keys("title = 'x'\n", "toml"), None);
        assert_eq!(config_keys("not toml [", "toml"), None);
    }
}
