//! Content discovery and the site model: sections (folders), articles (Markdown files), assets (the rest).

pub mod aliases;
pub mod codeowners;
pub mod dialect;
mod docusaurus;
pub mod frontmatter;
pub mod images;
pub mod includes;
mod mdbook;
mod mkdocs;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Config, Dialect, PolicyOverrides};
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, display_path};
pub use frontmatter::FrontMatter;
use frontmatter::Split;

/// A Markdown file as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the content folder, `/`-separated.
    pub rel: String,
    /// Path as shown to users (relative to the site root when inside it).
    pub shown: PathBuf,
    /// Absolute path on disk.
    pub abs: PathBuf,
    /// File text, BOM removed.
    pub text: String,
    pub split: Split,
    /// The body with its includes and `{{ vars.… }}` expanded, when it has any.
    pub expanded: Option<std::sync::Arc<crate::markdown::includes::Expanded>>,
}

impl Source {
    pub fn body(&self) -> &str {
        &self.text[self.split.body_start..]
    }

    /// Line and column of a front-matter key's value in the file, or (0, 0).
    pub fn key_position(&self, key: &str) -> (usize, usize) {
        crate::config::key_position(&self.text[..self.split.body_start], key)
    }

    /// Folder of the file relative to the content folder, `/`-separated.
    /// An MDX file (`.mdx`): read as Markdown, its MDX-only syntax left out.
    pub fn is_mdx(&self) -> bool {
        self.rel
            .rsplit_once('.')
            .is_some_and(|(_, e)| e.eq_ignore_ascii_case("mdx"))
    }

    pub fn dir(&self) -> &str {
        self.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Folder relative to the content folder, `/`-separated; `""` for the home page.
    pub dir: String,
    /// `_index.md` (or `index.md` / `README.md` when there is no `_index.md`).
    pub index: Option<Source>,
    pub front: FrontMatter,
    /// Site path without the base path: `/billing/`.
    pub path: String,
    pub title: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub articles: Vec<usize>,
    pub owner: Option<String>,
    /// The index file that set `owner` (this section's or a parent's).
    pub owner_from: Option<PathBuf>,
    /// Policy for the section's articles: global, then parent sections, then this `_index.md`.
    pub policy: PolicyOverrides,
    /// Index into `Site::languages`.
    pub lang: usize,
}

#[derive(Debug, Clone)]
pub struct Article {
    pub src: Source,
    pub front: FrontMatter,
    /// `image`, resolved: a site path (`/billing/refund.png`) or a web address.
    pub image: Option<String>,
    /// Site path without the base path: `/billing/refunds/`.
    pub path: String,
    pub section: usize,
    /// Front-matter title, else the leading `# Heading`, else the file name (set by the Markdown stage).
    pub title: String,
    pub owner: Option<String>,
    /// Where `owner` came from: "front matter", a section's index file, a `CODEOWNERS` line.
    pub owner_from: Option<String>,
    pub policy: PolicyOverrides,
    /// Index into `Site::languages`.
    pub lang: usize,
}

impl Section {
    /// What navigation shows for it: its index's short title (`linkTitle`, a `_category_` label),
    /// else its title.
    pub fn nav_label(&self) -> &str {
        self.front.nav_title.as_deref().unwrap_or(&self.title)
    }
}

impl Article {
    /// What navigation shows for it: the tool's short title (Hugo `linkTitle`, Docusaurus
    /// `sidebar_label`, the SUMMARY.md or `nav:` entry), else its title.
    pub fn nav_label(&self) -> &str {
        self.front.nav_title.as_deref().unwrap_or(&self.title)
    }
}

/// A page served in place of a missing translation (`[languages.x] fallback = true`): a default
/// language article under another language's URL.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// The default language's article.
    pub article: usize,
    /// The language it stands in for.
    pub lang: usize,
    /// Its site path: the article's under the language's mount, `/fa/billing/refunds/`.
    pub path: String,
}

/// One language of the site and its content tree.
#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    /// Its own name for itself: "English", "فارسی".
    pub name: String,
    pub rtl: bool,
    /// `fallback = true`: its missing translations are served in the default language.
    pub fallback: bool,
    /// The site title in this language.
    pub title: String,
    /// Where its tree sits among content paths and URLs: `""` for the default language, `"fa"`.
    pub mount: String,
    /// Its home section.
    pub home: usize,
    /// The words its rendered Markdown holds (from the theme's words once they are read).
    pub labels: crate::markdown::Labels,
    /// Its content folder on disk (canonical).
    pub content_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to the content folder, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    /// As shown to users (relative to the site root when inside it).
    pub shown: PathBuf,
    /// Output path relative to the output folder, `/`-separated.
    pub out: String,
    /// Published: its extension is one of `[assets]`, or a page links to it (set after the link
    /// check). The rest are left out, with a note.
    pub published: bool,
}

impl Asset {
    /// A picture (`IMAGE_EXTENSIONS`): its history is read, and its change reaches the articles
    /// that show it.
    pub fn is_image(&self) -> bool {
        self.rel.rsplit_once('.').is_some_and(|(_, ext)| {
            crate::config::IMAGE_EXTENSIONS
                .iter()
                .any(|e| e.eq_ignore_ascii_case(ext))
        })
    }
}

/// The site model every stage reads.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// `sections[0]` is the home page (the content folder itself).
    pub sections: Vec<Section>,
    pub articles: Vec<Article>,
    pub assets: Vec<Asset>,
    /// Content-relative path (file or folder) to site path, for link rewriting.
    pub paths: HashMap<String, String>,
    /// The default language first. A translation's content paths start with its mount: `fa/billing/x.md`.
    pub languages: Vec<Language>,
    /// For every article, the versions of it in the other languages (same relative path in each tree,
    /// or `translation_of`), ordered by language.
    pub translations: Vec<Vec<usize>>,
    /// For every section, its versions in the other languages (the same folder in each tree).
    pub section_translations: Vec<Vec<usize>>,
    /// Pages standing in for missing translations, by article then language.
    pub fallbacks: Vec<Fallback>,
    /// Redirect pages, validated by [`aliases::resolve`] once the theme's files are known (empty
    /// until then).
    pub aliases: Vec<aliases::Alias>,
    /// Files and folders the walk met but left out of the site (hidden ones, partials), each
    /// named in a note.
    pub skipped: usize,
    /// The files pages include (`{{#include}}`, `--8<--`, `{{< include >}}`), sorted.
    pub includes: Vec<includes::Included>,
    /// The repository's `CODEOWNERS`: owners of articles without an `owner`.
    pub codeowners: Option<codeowners::CodeOwners>,
    /// Per article, the images (indexes into `assets`) its links and images reach (set after the
    /// link check; empty before).
    pub images: Vec<Vec<usize>>,
}

pub struct LoadOptions {
    pub drafts: bool,
    /// The docs tool whose conventions apply (`dialect::detect`); `None`: none found.
    pub dialect: Option<dialect::Detected>,
    /// Folders never read as content (the output folder, the cache).
    pub exclude: Vec<PathBuf>,
    /// The docs tool's folder served at the site root (VitePress's `public/`): not content either,
    /// and the tool's note says so.
    pub served: Option<PathBuf>,
}

impl Site {
    /// The files article `i` includes, as indexes into `includes`.
    pub fn included_by(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.articles[i]
            .src
            .expanded
            .iter()
            .flat_map(|x| x.included())
            .filter_map(|f| {
                self.includes
                    .binary_search_by(|inc| inc.abs.as_path().cmp(&f.abs))
                    .ok()
            })
    }

    /// The default language's content folder (the one `--content` and `content_dir` name).
    pub fn default_content_dir(&self) -> &Path {
        &self.languages[0].content_dir
    }

    /// Walks the content folder and reads every file; all problems are returned together.
    pub fn load(
        root: &Path,
        content_dir: &Path,
        config: Config,
        opts: &LoadOptions,
    ) -> (Option<Site>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let root_canon = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let setting = "`content_dir` in kbfresh.toml or `--content`";
        let Some(content_canon) = content_folder(content_dir, root, &mut diags, setting) else {
            return (None, diags);
        };
        // Every other language's tree, mounted at its code.
        let mut trees = vec![(String::new(), content_canon.clone())];
        for (code, _, dir) in config.language_list().into_iter().skip(1) {
            let key = format!("`[languages.{code}] content_dir` in kbfresh.toml");
            if let Some(c) = content_folder(&root.join(&dir), root, &mut diags, &key) {
                trees.push((code, c));
            }
        }
        if diags.has_errors() {
            return (None, diags);
        }
        let mut files = Vec::new();
        let mut skipped = 0;
        for (mount, dir) in &trees {
            // A tree nested in another (content/ and content/fa/) is read once, as its own language.
            let mut exclude = opts.exclude.clone();
            exclude.extend(
                trees
                    .iter()
                    .filter(|(_, d)| d != dir && d.starts_with(dir))
                    .map(|(_, d)| d.clone()),
            );
            let bounds: Vec<&Path> = trees.iter().map(|(_, d)| d.as_path()).collect();
            let (mut found, walk_diags, hidden) =
                walk(dir, &root_canon, &bounds, &exclude, opts.served.as_deref());
            diags.extend(walk_diags);
            skipped += hidden;
            if mount.is_empty() {
                for (m, _) in &trees[1..] {
                    if let Some(f) = found.iter().find(|f| f.rel().split('/').next() == Some(m)) {
                        diags.push(
                            Diagnostic::error(format!(
                                "`{}` is in the `{m}` folder of the default language, whose URLs are the {m} translation's",
                                f.rel()
                            ))
                            .in_file(display_path(&content_canon.join(m), &root_canon))
                            .hint(format!("rename the folder, or move it into the {m} content tree")),
                        );
                        return (None, diags);
                    }
                }
            } else {
                for f in &mut found {
                    f.mount(mount);
                }
            }
            files.extend(found);
        }

        // Read and parse front matter in parallel; keep walk order for determinism.
        let read: Vec<ReadResult> = files
            .par_iter()
            .map(|f| match f {
                Found::Markdown { rel, abs } => read_source(rel, abs, &root_canon),
                Found::Asset { .. } => Ok(None),
            })
            .collect();

        let mut markdown: Vec<(Source, FrontMatter)> = Vec::new();
        let mut assets_rel: Vec<(String, PathBuf)> = Vec::new();
        for (f, r) in files.into_iter().zip(read) {
            match (f, r) {
                (_, Err(ds)) => diags.extend(ds),
                (Found::Markdown { .. }, Ok(Some((src, fm)))) if fm.draft && !opts.drafts => {
                    diags.push(
                        Diagnostic::note(
                            "not published: a draft (`draft: true`; `--drafts` builds it)",
                        )
                        .in_file(src.shown.clone()),
                    );
                    skipped += 1;
                }
                (Found::Markdown { .. }, Ok(Some(s))) => markdown.push(s),
                (Found::Markdown { .. }, Ok(None)) => {}
                (Found::Asset { rel, abs }, _) => assets_rel.push((rel, abs)),
            }
        }

        let tool = opts.dialect.as_ref();
        let is = |d: Dialect| tool.is_some_and(|t| t.is(d));
        let project = tool
            .filter(|t| t.is(Dialect::MkDocs))
            .map_or(root_canon.as_path(), |t| t.project.as_path());
        let (included, snippets) = includes::apply(
            &mut markdown,
            &root_canon,
            project,
            &config.vars,
            crate::markdown::includes::Syntax::of(tool.map(|t| t.dialect)),
            &mut diags,
        );
        skipped += snippets;
        if !is(Dialect::Plain) {
            skipped += drop_unrendered(&mut markdown, &mut assets_rel, &root_canon, &mut diags);
        }
        let mut placed = None;
        let mut nav_folders = Vec::new();
        if is(Dialect::MdBook) {
            placed = mdbook::apply(&mut markdown, &mut diags).map(|n| (n, "chapter", "SUMMARY.md"));
        }
        if let Some(t) = tool.filter(|t| t.is(Dialect::MkDocs)) {
            let file = ["mkdocs.yml", "mkdocs.yaml"]
                .iter()
                .map(|n| t.project.join(n))
                .find(|f| f.is_file());
            if let Some(applied) = file.and_then(|f| mkdocs::apply(&f, &mut markdown, &mut diags)) {
                placed = Some((applied.pages, "page", "`nav:`"));
                nav_folders = applied.folders;
            }
        }
        if is(Dialect::Docusaurus) {
            skipped += docusaurus::drop_partials(&mut markdown, &mut diags);
        }
        if let Some(t) = tool {
            let mut line = t.note(&root_canon);
            if let Some((n, what, by)) = placed {
                line.push_str(&format!(
                    " ({n} {what}{} placed by {by})",
                    if n == 1 { "" } else { "s" }
                ));
            }
            diags.push(Diagnostic::note(line));
        }
        let leaf = tool.is_some_and(|t| t.leaf_bundles());
        let mut site = assemble(
            root,
            &root_canon,
            &content_canon,
            config,
            Read {
                markdown,
                assets: assets_rel,
            },
            leaf,
            &mut diags,
        );
        site.skipped += skipped;
        site.includes = included;
        // A `nav:` section names the folder of its pages when the folder has no page of its own.
        for (title, folder) in nav_folders {
            if let Some(sec) = site.sections.iter_mut().find(|s| {
                s.lang == 0 && s.dir == folder && s.index.is_none() && s.front.nav_title.is_none()
            }) {
                sec.title = title.clone();
                sec.front.nav_title = Some(title);
            }
        }
        if !is(Dialect::Plain) {
            docusaurus::apply_categories(&mut site, &mut diags);
        }
        if placed.is_some() {
            // A folder of pages comes where its first page is in the summary or `nav:`.
            for s in 0..site.sections.len() {
                site.sections[s].front.nav_weight = site.sections[s]
                    .articles
                    .iter()
                    .filter_map(|&a| site.articles[a].front.order())
                    .min();
            }
        }
        if site.articles.is_empty() {
            diags.extend(no_articles(&site, &root_canon));
        }
        (Some(site), diags)
    }

    /// For every language but the default: the default language's articles it has no version of.
    pub fn missing_translations(&self) -> Vec<(usize, Vec<usize>)> {
        (1..self.languages.len())
            .map(|l| {
                let missing = (0..self.articles.len())
                    .filter(|&i| {
                        self.articles[i].lang == 0
                            && !self.translations[i]
                                .iter()
                                .any(|&j| self.articles[j].lang == l)
                    })
                    .collect();
                (l, missing)
            })
            .collect()
    }

    /// The pages standing in for article `i` in languages it has no version in.
    pub fn fallbacks_of(&self, i: usize) -> &[Fallback] {
        let from = self.fallbacks.partition_point(|f| f.article < i);
        let to = self.fallbacks.partition_point(|f| f.article <= i);
        &self.fallbacks[from..to]
    }

    /// Article `i`'s page in language `l`: itself, its translation, or the page standing in for
    /// one.
    pub fn path_in(&self, i: usize, l: usize) -> Option<&str> {
        let a = &self.articles[i];
        if a.lang == l {
            return Some(&a.path);
        }
        self.translations[i]
            .iter()
            .copied()
            .find(|&j| self.articles[j].lang == l)
            .map(|j| self.articles[j].path.as_str())
            .or_else(|| {
                self.fallbacks_of(self.original_of(i)?)
                    .iter()
                    .find(|f| f.lang == l)
                    .map(|f| f.path.as_str())
            })
    }

    /// The default language's version of article `i`: itself, or the article it translates.
    pub fn original_of(&self, i: usize) -> Option<usize> {
        if self.articles[i].lang == 0 {
            Some(i)
        } else {
            self.source_of(i)
        }
    }

    /// The default language's article that article `i` translates.
    pub fn source_of(&self, i: usize) -> Option<usize> {
        if self.articles[i].lang == 0 {
            return None;
        }
        self.translations[i]
            .first()
            .copied()
            .filter(|&j| self.articles[j].lang == 0)
    }

    pub fn base_path(&self) -> String {
        self.config.base_path()
    }

    /// Reads article `i` from disk again (for `serve`). `Ok(None)`: the whole site must be read
    /// again (it is now a draft that is left out, or it includes other files).
    pub fn reload_article(
        &self,
        i: usize,
        drafts: bool,
    ) -> Result<Option<Article>, Vec<Diagnostic>> {
        let old = &self.articles[i];
        let root_canon = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let Some((src, front)) = read_source(&old.src.rel, &old.src.abs, &root_canon)? else {
            return Ok(None);
        };
        if front.draft && !drafts {
            return Ok(None);
        }
        // Includes are expanded with the whole site (what each file includes, what is a snippet):
        // an article that has or had them is rebuilt with it.
        if old.src.expanded.is_some() || crate::markdown::includes::may_hold(src.body()) {
            return Ok(None);
        }
        // A new `image` is resolved against the whole site's files.
        if front.image != old.front.image {
            return Ok(None);
        }
        // What the docs tool's files gave it (SUMMARY.md) is not in the file itself.
        let mut front = front;
        front.nav_title = front.nav_title.or_else(|| old.front.nav_title.clone());
        front.nav_weight = old.front.nav_weight;
        let sec = &self.sections[old.section];
        let (owner, owner_from) = owner_of(&front, sec, &src, self.codeowners.as_ref());
        Ok(Some(Article {
            image: old.image.clone(),
            owner,
            owner_from,
            policy: front.policy.or(sec.policy),
            path: old.path.clone(),
            section: old.section,
            lang: old.lang,
            title: front
                .title
                .clone()
                .or_else(|| front.nav_title.clone())
                .unwrap_or_else(|| title_from_name(page_name(&sec.dir, &src))),
            src,
            front,
        }))
    }

    /// Every ancestor section of `s`, home first, `s` last.
    pub fn section_chain(&self, mut s: usize) -> Vec<usize> {
        let mut chain = vec![s];
        while let Some(p) = self.sections[s].parent {
            chain.push(p);
            s = p;
        }
        chain.reverse();
        chain
    }
}

impl crate::markdown::LinkResolver for Site {
    /// A relative link by the file it names; also as other tools write it: Zola's `@/docs/page.md`
    /// from the content root, mdBook's `chapter.html` (the page its build writes), and
    /// Docusaurus's extension-less `configuration` (the document beside this one).
    fn resolve(&self, from_dir: &str, path: &str) -> Option<String> {
        let (from_dir, path) = match path.strip_prefix("@/") {
            Some(p) => ("", p),
            None => (from_dir, path),
        };
        let joined = crate::url::normalize_rel(from_dir, path)?;
        let key = joined.trim_end_matches('/');
        let as_page = |stem: &str| {
            ["md", "mdx", "markdown"]
                .iter()
                .find_map(|ext| self.paths.get(&format!("{stem}.{ext}")))
        };
        let last = key.rsplit('/').next().unwrap_or(key);
        self.paths
            .get(key)
            .or_else(|| match key.strip_suffix(".html") {
                Some(stem) => match stem.strip_suffix("index") {
                    Some(dir) if dir.is_empty() || dir.ends_with('/') => {
                        self.paths.get(dir.trim_end_matches('/'))
                    }
                    _ => as_page(stem),
                },
                None if !last.contains('.') && !key.is_empty() => as_page(key),
                None => None,
            })
            .map(|p| format!("{}{}", self.config.base_path(), crate::url::href(p)))
    }
}

type ReadResult = Result<Option<(Source, FrontMatter)>, Vec<Diagnostic>>;

enum Found {
    Markdown { rel: String, abs: PathBuf },
    Asset { rel: String, abs: PathBuf },
}

impl Found {
    fn rel(&self) -> &str {
        match self {
            Found::Markdown { rel, .. } | Found::Asset { rel, .. } => rel,
        }
    }

    /// Moves the file under a language's mount: `billing/x.md` → `fa/billing/x.md`.
    fn mount(&mut self, mount: &str) {
        match self {
            Found::Markdown { rel, .. } | Found::Asset { rel, .. } => {
                *rel = format!("{mount}/{rel}");
            }
        }
    }
}

/// A content folder, canonical; a missing one is an error naming `setting`, what sets the folder.
fn content_folder(
    dir: &Path,
    root: &Path,
    diags: &mut Diagnostics,
    setting: &str,
) -> Option<PathBuf> {
    match std::fs::canonicalize(dir) {
        Ok(p) if p.is_dir() => Some(p),
        Ok(p) => {
            diags.push(
                Diagnostic::error(format!(
                    "the content folder `{}` is not a folder",
                    display_path(&p, root).display()
                ))
                .hint(format!("point {setting} at a folder of Markdown files")),
            );
            None
        }
        Err(_) => {
            diags.push(
                Diagnostic::error(format!(
                    "the content folder `{}` does not exist",
                    display_path(dir, root).display()
                ))
                .hint(format!(
                    "create it (`kbfresh init` scaffolds a site), or change {setting}"
                )),
            );
            None
        }
    }
}

/// Markdown files: `.md`, `.markdown`, and MDX (`.mdx`, read as Markdown).
pub fn is_markdown(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown" | "mdx")
    )
}

/// Files of other documentation formats: a tree of only these builds no article.
fn other_docs_format(rel: &str) -> Option<&str> {
    let ext = rel.rsplit_once('.')?.1;
    [
        "mdoc", "markdoc", "rst", "adoc", "asciidoc", "org", "textile", "rmd", "qmd", "ipynb",
    ]
    .into_iter()
    .find(|e| e.eq_ignore_ascii_case(ext))
}

/// Every file under `content`. A symbolic link may only lead into one of the content trees
/// (`bounds`, canonical), and nothing under a `.git` folder is ever read: a link to the site's
/// `.git/config` or `.env` would publish it.
fn walk(
    content: &Path,
    root_canon: &Path,
    bounds: &[&Path],
    exclude: &[PathBuf],
    served: Option<&Path>,
) -> (Vec<Found>, Vec<Diagnostic>, usize) {
    let served = served.and_then(|p| std::fs::canonicalize(p).ok());
    let mut found = Vec::new();
    let mut diags = Vec::new();
    let mut skipped = 0;
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut walker = walkdir::WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        if let Ok(e) = &entry
            && e.depth() > 0
            && is_hidden(e.path())
        {
            // Hidden files and folders (.git, .DS_Store, editor backups) are not content.
            let folder = e.file_type().is_dir();
            diags.push(
                Diagnostic::note(if folder {
                    "not read: a hidden folder (its name starts with `.`)"
                } else {
                    "not published: a hidden file (its name starts with `.` or ends with `~`)"
                })
                .in_file(display_path(e.path(), root_canon)),
            );
            skipped += 1;
            if folder {
                walker.skip_current_dir();
            }
            continue;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| display_path(p, root_canon))
                    .unwrap_or_default();
                let msg = if e.loop_ancestor().is_some() {
                    "symbolic link loop: this link points at a folder that contains it".to_string()
                } else {
                    format!(
                        "cannot read: {}",
                        e.io_error()
                            .map(|e| e.to_string())
                            .unwrap_or_else(|| e.to_string())
                    )
                };
                diags.push(
                    Diagnostic::error(msg)
                        .in_file(path)
                        .hint("remove or fix the link, or make the file readable"),
                );
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() {
            let refused = match std::fs::canonicalize(path) {
                Ok(target)
                    if !bounds.iter().any(|b| target.starts_with(b))
                        || target.components().any(|c| c.as_os_str() == ".git") =>
                {
                    Some(
                        Diagnostic::error(format!(
                            "`{}` is a symbolic link to `{}`, outside the content folder{}; kbfresh publishes only files inside the content, theme and static folders",
                            display_path(path, root_canon).display(),
                            display_path(&target, root_canon).display(),
                            if bounds.len() > 1 { "s" } else { "" },
                        ))
                        .in_file(display_path(path, root_canon))
                        .hint("copy the file into the content folder instead of linking to it, or remove the link"),
                    )
                }
                Err(e) => Some(
                    Diagnostic::error(format!("broken symbolic link: {e}"))
                        .in_file(display_path(path, root_canon))
                        .hint("remove the link or point it at an existing file"),
                ),
                Ok(_) => None,
            };
            if let Some(d) = refused {
                diags.push(d);
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_dir() {
            let canon = std::fs::canonicalize(path).ok();
            if canon.is_some() && canon == served {
                walker.skip_current_dir();
            } else if let Some(canon) = canon
                && exclude.iter().any(|x| x == &canon)
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "skipping `{}`: it is kbfresh's output or cache folder inside the content folder",
                        display_path(path, root_canon).display()
                    ))
                    .hint("move the output folder out of the content folder (`--output` or `output_dir`)"),
                );
            }
            continue;
        }
        if exclude.iter().any(|x| path.starts_with(x)) {
            continue;
        }
        // A FIFO, socket or device: reading it would block the build or never end.
        if !entry.file_type().is_file() && !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            diags.push(
                Diagnostic::warning(format!(
                    "`{}` is not a regular file (a FIFO, socket or device): it is left out",
                    display_path(path, root_canon).display()
                ))
                .in_file(display_path(path, root_canon))
                .hint("remove it from the content folder"),
            );
            continue;
        }
        let rel_path = path.strip_prefix(content).unwrap_or(path);
        let rel = rel_path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/");
        let abs = path.to_path_buf();
        if rel.chars().any(char::is_control) {
            diags.push(
                Diagnostic::error(
                    "the file's path holds a control character (a newline, a tab, an escape), which no URL may",
                )
                .in_file(display_path(path, root_canon))
                .hint("rename the file or folder"),
            );
            continue;
        }
        if is_markdown(path) {
            found.push(Found::Markdown { rel, abs });
        } else {
            found.push(Found::Asset { rel, abs });
        }
    }
    (found, diags, skipped)
}

/// Pages Hugo does not publish (`headless: true`, `build: {render: never}`) are left out, each with
/// a note; a leaf bundle's (`index.md`) files go with it. Returns how many files were left out.
fn drop_unrendered(
    markdown: &mut Vec<(Source, FrontMatter)>,
    assets: &mut Vec<(String, PathBuf)>,
    root_canon: &Path,
    diags: &mut Diagnostics,
) -> usize {
    let before = markdown.len() + assets.len();
    let mut bundles: Vec<String> = Vec::new();
    markdown.retain(|(s, f)| {
        let Some(why) = f.unrendered else {
            return true;
        };
        diags.push(
            Diagnostic::note(format!(
                "not published: `{why}` (Hugo publishes no page for it)"
            ))
            .in_file(s.shown.clone()),
        );
        if is_section_index(s.rel.rsplit('/').next().unwrap_or("")) == 2 && !s.dir().is_empty() {
            bundles.push(format!("{}/", s.dir()));
        }
        false
    });
    if !bundles.is_empty() {
        let in_bundle = |rel: &str| bundles.iter().any(|b| rel.starts_with(b.as_str()));
        markdown.retain(|(s, _)| {
            let keep = !in_bundle(&s.rel);
            if !keep {
                diags.push(
                    Diagnostic::note("not published: a file of a bundle that is not published")
                        .in_file(s.shown.clone()),
                );
            }
            keep
        });
        assets.retain(|(rel, abs)| {
            let keep = !in_bundle(rel);
            if !keep {
                diags.push(
                    Diagnostic::note("not published: a file of a bundle that is not published")
                        .in_file(display_path(abs, root_canon)),
                );
            }
            keep
        });
    }
    before - markdown.len() - assets.len()
}

/// Hidden by the usual rules (a leading `.`, an editor's trailing `~`), except a Markdown page
/// whose name is dots only (`..md`, the page of the shell's `.` command).
pub(super) fn is_hidden(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if name.ends_with('~') {
        return true;
    }
    name.starts_with('.') && !(is_markdown(path) && file_stem(&name).chars().all(|c| c == '.'))
}

/// Reads one Markdown file; `root_canon` is the canonical site root (paths are shown relative to it).
fn read_source(
    rel: &str,
    abs: &Path,
    root_canon: &Path,
) -> Result<Option<(Source, FrontMatter)>, Vec<Diagnostic>> {
    let shown = display_path(abs, root_canon);
    let bytes = std::fs::read(abs).map_err(|e| {
        vec![
            Diagnostic::error(format!("cannot read the file: {e}"))
                .in_file(&shown)
                .hint("check that the file exists and is readable"),
        ]
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let (line, col) = LineIndex::new(&prefix).line_col(valid);
            return Err(vec![
                Diagnostic::error(format!(
                    "the file is not valid UTF-8 (invalid byte 0x{:02x} at byte offset {valid})",
                    e.as_bytes()[valid]
                ))
                .at(&shown, line, col)
                .hint("save the file as UTF-8 in your editor"),
            ]);
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    let split = frontmatter::split(&text).map_err(|d| vec![d.in_file(&shown)])?;
    let front = frontmatter::parse(&text, &split, &shown)?;
    Ok(Some((
        Source {
            rel: rel.to_string(),
            shown,
            abs: abs.to_path_buf(),
            text,
            split,
            expanded: None,
        },
        front,
    )))
}

/// The readable URL form of a file or folder name: letters lowercase, runs of spaces and `-` as one
/// `-`, leading dots dropped, sentence punctuation (`?`, `'`, `,`, brackets...) and non-ASCII
/// marks dropped; ASCII symbols that name things (`c++`, `c#`, `@scope`, `~`) kept, and links
/// percent-encode what needs it (`url::href`). A name of punctuation only (`!`, `[`, `((`) keeps
/// all of it; `.` and `..` are spelled `dot` and `dot-dot`, which no URL may hold as a component.
pub fn url_component(name: &str) -> String {
    // Kept by the readable form: letters and digits of any script, and the ASCII symbols that
    // name things; ASCII sentence punctuation and other marks (emoji, dashes, quotes) are dropped.
    let kept = |c: char| {
        c.is_alphanumeric()
            || (c.is_ascii_punctuation()
                && !matches!(
                    c,
                    '?' | '!'
                        | '\''
                        | '"'
                        | ','
                        | ';'
                        | ':'
                        | '&'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '<'
                        | '>'
                ))
    };
    let readable = |keep_sentence: bool| {
        let mut s = String::with_capacity(name.len());
        let mut dash = false;
        for c in name.chars() {
            if c.is_whitespace() || c == '-' {
                dash = true;
            } else if keep_sentence || kept(c) {
                if dash && !s.is_empty() {
                    s.push('-');
                }
                dash = false;
                s.extend(c.to_lowercase());
            }
        }
        s.trim_start_matches(['.', '-']).to_string()
    };
    let s = readable(false);
    if s.chars().any(char::is_alphanumeric) {
        return s;
    }
    let all = readable(true);
    if !all.is_empty() {
        return all;
    }
    // Only dots and dashes: `.` (the shell's `.` command), `-`.
    let n = name.trim();
    if !n.is_empty() && n.chars().all(|c| c == '.') {
        vec!["dot"; n.len()].join("-")
    } else if !n.is_empty() && !n.contains(char::is_whitespace) {
        n.to_string()
    } else {
        "-".to_string()
    }
}

/// The URL component of each name in one folder (its subfolders and its pages' file stems):
/// readable (`url_component`), except where two names share a readable form; then the name that
/// is already its own readable form (or the first, by bytes) keeps it and the others keep their
/// exact names, so two files never share a URL. Names that differ only in case keep sharing it (an
/// error then names both): on a case-insensitive disk their pages would overwrite each other.
fn sibling_components<'a>(names: &[&'a str]) -> HashMap<&'a str, String> {
    let mut by_form: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
    for &n in names {
        by_form.entry(url_component(n)).or_default().push(n);
    }
    let mut out = HashMap::new();
    let mut taken: HashSet<String> = by_form.keys().map(|f| f.to_lowercase()).collect();
    for (form, mut group) in by_form {
        group.sort_unstable();
        group.dedup();
        let keeper = group.iter().position(|n| *n == form).unwrap_or(0);
        for (i, n) in group.into_iter().enumerate() {
            // An exact name of dots only would be a `.`/`..` component: it stays spelled out.
            let exact = i != keeper
                && !n.trim().chars().all(|c| c == '.')
                && taken.insert(n.to_lowercase());
            out.insert(n, if exact { n.to_string() } else { form.clone() });
        }
    }
    out
}

/// The URL of folder `dir`: each part its component in `comps` (folders with pages, keyed by
/// their path), else its readable form.
fn dir_path(dir: &str, comps: &HashMap<String, String>) -> String {
    let mut p = String::from("/");
    if dir.is_empty() {
        return p;
    }
    let mut end = 0;
    for c in dir.split('/') {
        end += c.len();
        match comps.get(&dir[..end]) {
            Some(comp) => p.push_str(comp),
            None => p.push_str(&url_component(c)),
        }
        p.push('/');
        end += 1;
    }
    p
}

/// The name a page file gives its URL and, without a title, its title: the file's stem, or for a
/// leaf bundle's `index.md` filed in the section above, its folder's name.
fn page_name<'a>(section_dir: &str, src: &'a Source) -> &'a str {
    let dir = src.dir();
    if dir != section_dir {
        dir.rsplit('/').next().unwrap_or(dir)
    } else {
        file_stem(&src.rel)
    }
}

/// Hugo and Zola page bundles: a folder with `index.md` and no `_index.md` is one page of the
/// section above; the other Markdown files in it (and its subfolders) are its resources, not pages,
/// each named in a note. Returns how many were left out.
fn fold_leaf_bundles(
    dirs: &mut BTreeMap<String, Vec<(Source, FrontMatter)>>,
    mounts: &[String],
    diags: &mut Diagnostics,
) -> usize {
    let rank = |s: &Source| is_section_index(s.rel.rsplit('/').next().unwrap_or(""));
    let mut leaves: Vec<String> = dirs
        .iter()
        .filter(|(d, files)| {
            !d.is_empty()
                && !mounts.contains(d)
                && files.iter().any(|(s, _)| rank(s) == 2)
                && !files.iter().any(|(s, _)| rank(s) == 3)
        })
        .map(|(d, _)| d.clone())
        .collect();
    // A bundle inside a bundle is a resource of the outer one.
    leaves.dedup_by(|inner, outer| inner.starts_with(&format!("{outer}/")));
    let mut skipped = 0;
    for leaf in leaves {
        let inside: Vec<String> = dirs
            .range(leaf.clone()..)
            .map(|(d, _)| d)
            .take_while(|d| **d == leaf || d.starts_with(&format!("{leaf}/")))
            .cloned()
            .collect();
        let mut page = None;
        for d in inside {
            for (src, front) in dirs.remove(&d).unwrap_or_default() {
                if d == leaf && page.is_none() && rank(&src) == 2 {
                    page = Some((src, front));
                } else {
                    diags.push(
                        Diagnostic::note(format!(
                            "not published as a page: a resource of the page bundle `{leaf}/` (its `index.md` is the page)"
                        ))
                        .in_file(src.shown.clone()),
                    );
                    skipped += 1;
                }
            }
        }
        let parent = leaf.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        if let Some(p) = page {
            dirs.entry(parent).or_default().push(p);
        }
    }
    skipped
}

/// The position of a folder's index among its files: `_index.md`, else `index.md`, else `README.md`.
fn best_index(files: &[(Source, FrontMatter)]) -> Option<usize> {
    files
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (is_section_index(s.rel.rsplit('/').next().unwrap_or("")), i))
        .filter(|(rank, _)| *rank > 0)
        .max()
        .map(|(_, i)| i)
}

/// The URL component of every folder with pages (keyed by its path) and every page file (keyed by
/// its `rel`), decided among the names of each folder (`sibling_components`).
fn components(dirs: &BTreeMap<String, Vec<(Source, FrontMatter)>>) -> HashMap<String, String> {
    let mut children: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for dir in dirs.keys().filter(|d| !d.is_empty()) {
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir.as_str()));
        children.entry(parent).or_default().push((name, dir));
    }
    for (dir, files) in dirs {
        let best = best_index(files);
        for (i, (s, _)) in files.iter().enumerate() {
            if Some(i) != best {
                children
                    .entry(dir)
                    .or_default()
                    .push((page_name(dir, s), &s.rel));
            }
        }
    }
    let mut comps = HashMap::new();
    for (dir, list) in &children {
        let names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
        let forms = sibling_components(&names);
        for (name, key) in list {
            let c = forms[name].clone();
            // A leaf bundle's page: its folder (and the files in it) take the page's component.
            if let Some(folder) = key.rsplit_once('/').map(|(d, _)| d).filter(|d| d != dir) {
                comps.insert(folder.to_string(), c.clone());
            }
            comps.insert(key.to_string(), c);
        }
    }
    comps
}

fn file_stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
}

fn is_section_index(name: &str) -> u8 {
    match name.to_ascii_lowercase().as_str() {
        "_index.md" | "_index.markdown" | "_index.mdx" => 3,
        "index.md" | "index.markdown" | "index.mdx" => 2,
        "readme.md" => 1,
        _ => 0,
    }
}

/// Title for a folder without one: `getting-started` -> `Getting started`.
pub fn title_from_name(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut c = words.trim().chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Home".into(),
    }
}

/// The files read, before they are filed into sections: Markdown with its front matter, and the
/// other files by content path.
struct Read {
    markdown: Vec<(Source, FrontMatter)>,
    assets: Vec<(String, PathBuf)>,
}

fn assemble(
    root: &Path,
    root_canon: &Path,
    content: &Path,
    config: Config,
    read: Read,
    leaf_bundles: bool,
    diags: &mut Diagnostics,
) -> Site {
    let Read {
        markdown,
        assets: assets_rel,
    } = read;
    let mut skipped = 0;
    let mut found = Vec::new();
    let codeowners = codeowners::CodeOwners::find(root_canon, &mut found);
    diags.extend(found);
    let language_list = config.language_list();
    let mounts: Vec<String> = language_list
        .iter()
        .enumerate()
        .map(|(i, (code, _, _))| if i == 0 { String::new() } else { code.clone() })
        .collect();
    // Each language's folder on disk (canonical).
    let content_dirs: Vec<PathBuf> = language_list
        .iter()
        .enumerate()
        .map(|(i, (_, _, dir))| {
            if i == 0 {
                content.to_path_buf()
            } else {
                std::fs::canonicalize(root.join(dir)).unwrap_or_else(|_| root.join(dir))
            }
        })
        .collect();
    let lang_of = |dir: &str| {
        mounts
            .iter()
            .skip(1)
            .position(|m| {
                dir == m
                    || dir
                        .strip_prefix(m.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
            .map_or(0, |p| p + 1)
    };
    // Folders that hold Markdown become sections, with all their ancestors; every language has a home.
    let mut dirs: BTreeMap<String, Vec<(Source, FrontMatter)>> = BTreeMap::new();
    for m in &mounts {
        dirs.entry(m.clone()).or_default();
    }
    for (src, fm) in markdown {
        let dir = src.dir().to_string();
        let mut d = dir.as_str();
        while let Some((parent, _)) = d.rsplit_once('/') {
            dirs.entry(parent.to_string()).or_default();
            d = parent;
        }
        if !dir.is_empty() {
            dirs.entry(String::new()).or_default();
        }
        dirs.entry(dir).or_default().push((src, fm));
    }

    if leaf_bundles {
        skipped += fold_leaf_bundles(&mut dirs, &mounts, diags);
    }
    // `blog.md` beside a folder `blog/` without an index is that folder's page (Hugo, Zola and
    // Docusaurus read it so), not an article at the folder's own URL.
    let mut promoted: HashMap<String, (Source, FrontMatter)> = HashMap::new();
    {
        // Each folder's Markdown files by stem, once: no scan of a folder per subfolder.
        let mut by_stem: HashMap<(&str, &str), usize> = HashMap::new();
        for (dir, files) in &dirs {
            for (i, (s, _)) in files.iter().enumerate() {
                let file = s.rel.rsplit('/').next().unwrap_or("");
                by_stem.entry((dir.as_str(), file_stem(file))).or_insert(i);
            }
        }
        let mut take: Vec<(String, String, usize)> = Vec::new();
        for (folder, files) in dirs.iter().filter(|(d, _)| !d.is_empty()) {
            let has_index = files
                .iter()
                .any(|(s, _)| is_section_index(s.rel.rsplit('/').next().unwrap_or("")) > 0);
            if has_index || mounts.contains(folder) {
                continue;
            }
            let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder.as_str()));
            if let Some(&at) = by_stem.get(&(parent, name)) {
                take.push((parent.to_string(), folder.clone(), at));
            }
        }
        // Highest position first, so the positions of the others in a folder stay right.
        take.sort_by(|a, b| (&a.0, std::cmp::Reverse(a.2)).cmp(&(&b.0, std::cmp::Reverse(b.2))));
        for (parent, folder, at) in take {
            if let Some(siblings) = dirs.get_mut(&parent) {
                promoted.insert(folder, siblings.remove(at));
            }
        }
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut article_files: Vec<(usize, Source, FrontMatter)> = Vec::new();
    let global = config.freshness.policy();
    let comps = components(&dirs);
    for (dir, mut files) in dirs {
        let index = best_index(&files)
            .map(|i| files.remove(i))
            .or_else(|| promoted.remove(&dir));
        let lang = lang_of(&dir);
        let is_home = dir == mounts[lang];
        let parent = if is_home {
            None
        } else {
            let p = dir.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            index_of.get(p).copied()
        };
        let (index_src, front) = match index {
            Some((s, f)) => (Some(s), f),
            None => (None, FrontMatter::default()),
        };
        let parent_policy = parent.map(|p| sections[p].policy).unwrap_or(global);
        let parent_owner = parent.and_then(|p| sections[p].owner.clone());
        let parent_owner_from = parent.and_then(|p| sections[p].owner_from.clone());
        let name = dir.rsplit('/').next().unwrap_or("");
        let idx = sections.len();
        sections.push(Section {
            path: dir_path(&dir, &comps),
            title: front
                .title
                .clone()
                .or(front.nav_title.clone())
                .unwrap_or_else(|| {
                    if is_home {
                        language_list[lang]
                            .1
                            .title
                            .clone()
                            .unwrap_or_else(|| config.title.clone())
                    } else {
                        title_from_name(name)
                    }
                }),
            owner_from: match (&front.owner, &index_src) {
                (Some(_), Some(s)) => Some(s.shown.clone()),
                _ => parent_owner_from,
            },
            owner: front.owner.clone().or(parent_owner),
            policy: front.policy.or(parent_policy),
            dir: dir.clone(),
            index: index_src,
            front,
            parent,
            children: Vec::new(),
            articles: Vec::new(),
            lang,
        });
        if let Some(p) = parent {
            sections[p].children.push(idx);
        }
        index_of.insert(dir, idx);
        for (s, f) in files {
            article_files.push((idx, s, f));
        }
    }

    let mut articles = Vec::with_capacity(article_files.len());
    for (section, src, front) in article_files {
        let sec = &sections[section];
        let name = page_name(&sec.dir, &src);
        let default_path = match comps.get(&src.rel) {
            Some(c) => format!("{}{c}/", sec.path),
            None => format!("{}{}/", sec.path, url_component(name)),
        };
        let path = match page_path_override(&front, &sec.path) {
            None => default_path,
            Some(Ok(p)) => p,
            Some(Err((key, why))) => {
                let (line, col) = src.key_position(key);
                diags.push(
                    Diagnostic::error(format!("`{key}` {why}"))
                        .at(src.shown.clone(), line, col)
                        .hint(format!(
                            "write {key} as a site path such as \"/billing/refunds/\" (or a name such as \"refunds\" for slug)"
                        )),
                );
                default_path
            }
        };
        let title = front
            .title
            .clone()
            .or_else(|| front.nav_title.clone())
            .unwrap_or_else(|| title_from_name(name));
        let (owner, owner_from) = owner_of(&front, sec, &src, codeowners.as_ref());
        articles.push(Article {
            image: None,
            owner,
            owner_from,
            policy: front.policy.or(sec.policy),
            path,
            section,
            title,
            src,
            front,
            lang: sec.lang,
        });
    }
    for (i, a) in articles.iter().enumerate() {
        sections[a.section].articles.push(i);
    }

    let assets: Vec<Asset> = assets_rel
        .into_iter()
        .map(|(rel, abs)| {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
            let out = format!("{}{}", dir_path(dir, &comps), name);
            Asset {
                out: out.trim_start_matches('/').to_string(),
                published: config.assets.publishes(name),
                shown: display_path(&abs, root_canon),
                rel,
                abs,
            }
        })
        .collect();

    // One namespace for every file the site will write: two sources for one is an error naming both.
    let page_file = |url: &str| format!("{url}index.html");
    let mut owners: HashMap<String, PathBuf> = HashMap::new();
    let mut claim = |url: String, who: PathBuf, diags: &mut Diagnostics| {
        // Found here, not when the page is written: a build that fails while moving pages into
        // place would leave half a site.
        if let Some(long) = url.split('/').find(|c| c.len() > NAME_MAX) {
            diags.push(
                Diagnostic::error(format!(
                    "the URL `{}` has a part of {} bytes (`{}…`); file systems allow {NAME_MAX}",
                    url.strip_suffix("index.html").unwrap_or(&url),
                    long.len(),
                    long.chars().take(24).collect::<String>()
                ))
                .in_file(who.clone())
                .hint("shorten the file or folder name"),
            );
        }
        if let Some(first) = owners.get(&url) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` both map to the URL `{}`",
                    first.display(),
                    who.display(),
                    url.strip_suffix("index.html").unwrap_or(&url)
                ))
                .in_file(who.clone())
                .hint("rename one of the files, or give one a `slug` in its front matter"),
            );
        } else {
            owners.insert(url, who);
        }
    };
    for s in &sections {
        let who = s
            .index
            .as_ref()
            .map(|i| i.shown.clone())
            .unwrap_or_else(|| {
                // The folder in its own language's tree (`content.fa/billing`, not `content/fa/billing`).
                let inner = s
                    .dir
                    .strip_prefix(mounts[s.lang].as_str())
                    .unwrap_or(&s.dir);
                display_path(&content_dirs[s.lang], root_canon).join(inner.trim_start_matches('/'))
            });
        claim(page_file(&s.path), who, diags);
    }
    for a in &articles {
        claim(page_file(&a.path), a.src.shown.clone(), diags);
    }
    for a in &assets {
        // A file named `index.html` beside a page would replace it: claims are by output file.
        claim(
            format!("/{}", a.out),
            display_path(&a.abs, root_canon),
            diags,
        );
    }

    let mut paths = HashMap::new();
    for s in &sections {
        paths.insert(s.dir.clone(), s.path.clone());
        if let Some(i) = &s.index {
            paths.insert(i.rel.clone(), s.path.clone());
        }
    }
    for a in &articles {
        paths.insert(a.src.rel.clone(), a.path.clone());
    }
    for a in &assets {
        paths.insert(a.rel.clone(), format!("/{}", a.out));
    }
    // A Docusaurus document's `id` names it in extension-less links from beside it
    // (`[Setup](getting-started)` for `intro.md` with `id: getting-started`).
    for a in &articles {
        if let Some(id) = a.front.id.as_deref().filter(|id| !id.contains('/')) {
            let key = match a.src.dir() {
                "" => id.to_string(),
                dir => format!("{dir}/{id}"),
            };
            paths.entry(key).or_insert_with(|| a.path.clone());
        }
    }

    let languages = language_list
        .into_iter()
        .enumerate()
        .zip(content_dirs)
        .map(|((i, (code, l, _)), content_dir)| Language {
            content_dir,
            name: l.name.clone().unwrap_or_else(|| code.clone()),
            rtl: match l.direction {
                Some(d) => d == crate::config::Direction::Rtl,
                None => is_rtl(&code),
            },
            title: l.title.clone().unwrap_or_else(|| config.title.clone()),
            fallback: i > 0 && l.fallback,
            home: sections
                .iter()
                .position(|s| s.dir == mounts[i])
                .unwrap_or(0),
            mount: mounts[i].clone(),
            labels: crate::markdown::Labels::default(),
            code,
        })
        .collect::<Vec<_>>();
    let translations = translations(&articles, &languages, diags);
    let section_translations = section_translations(&sections, &languages);
    let fallbacks = fallbacks(&articles, &translations, &languages, &owners, diags);
    for f in &fallbacks {
        // A translation's link to an untranslated article reaches the page served in its place.
        let a = &articles[f.article];
        paths
            .entry(format!("{}/{}", languages[f.lang].mount, a.src.rel))
            .or_insert_with(|| f.path.clone());
    }

    Site {
        codeowners,
        images: Vec::new(),
        root: root.to_path_buf(),
        config,
        sections,
        articles,
        assets,
        paths,
        languages,
        translations,
        section_translations,
        fallbacks,
        aliases: Vec::new(),
        skipped,
        includes: Vec::new(),
    }
}

/// An article's owner and where it came from: its front matter, its section's, else the last
/// `CODEOWNERS` line matching its file.
fn owner_of(
    front: &FrontMatter,
    sec: &Section,
    src: &Source,
    codeowners: Option<&codeowners::CodeOwners>,
) -> (Option<String>, Option<String>) {
    if let Some(o) = &front.owner {
        return (Some(o.clone()), Some("front matter".into()));
    }
    if let Some(o) = &sec.owner {
        let from = sec.owner_from.as_ref().map(|p| p.display().to_string());
        return (Some(o.clone()), from);
    }
    match codeowners.and_then(|c| Some((c, c.owner(&src.abs)?))) {
        Some((c, m)) => (Some(m.owners), Some(format!("{} line {}", c.file, m.line))),
        None => (None, None),
    }
}

/// Publishes the assets a page links to (`linked`: indexes into `site.assets`); every other file
/// whose type `[assets]` does not list is left out, with a note each (`--verbose`).
pub fn publish_linked_assets(
    site: &mut Site,
    linked: impl IntoIterator<Item = usize>,
) -> Vec<Diagnostic> {
    for i in linked {
        if let Some(a) = site.assets.get_mut(i) {
            a.published = true;
        }
    }
    let root_canon = std::fs::canonicalize(&site.root).unwrap_or_else(|_| site.root.clone());
    site.assets
        .iter()
        .filter(|a| !a.published)
        .map(|a| {
            let ext = a.rel.rsplit_once('.').map_or("", |(_, e)| e);
            Diagnostic::note(format!(
                "not published: no page links to it, and `{}` files are published only when linked",
                if ext.is_empty() { "extension-less" } else { ext }
            ))
            .in_file(display_path(&a.abs, &root_canon))
            .hint(if ext.is_empty() {
                "link to it from a page to publish it".to_string()
            } else {
                format!("link to it from a page, or add \"{ext}\" to [assets] extra_extensions in kbfresh.toml")
            })
        })
        .collect()
}

/// A tree with no article but files of another documentation format (`.rst`, `.adoc`, `.mdoc`...)
/// would build an empty site that `check` passes: an error saying what is there.
fn no_articles(site: &Site, root_canon: &Path) -> Option<Diagnostic> {
    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    for a in &site.assets {
        if let Some(f) = other_docs_format(&a.rel) {
            *formats.entry(f.to_ascii_lowercase()).or_default() += 1;
        }
    }
    if formats.is_empty() {
        return None;
    }
    let found: Vec<String> = formats.iter().map(|(f, n)| format!("{n} `.{f}`")).collect();
    Some(
        Diagnostic::error(format!(
            "the content folder holds no Markdown article (`.md`, `.markdown`, `.mdx`), but {} file{} of another format",
            found.join(", "),
            if formats.values().sum::<usize>() == 1 { "" } else { "s" }
        ))
        .in_file(display_path(&site.languages[0].content_dir, root_canon))
        .hint("kbfresh builds Markdown; point --content (or content_dir) at the Markdown docs, or convert the files (pandoc converts reStructuredText and AsciiDoc)"),
    )
}

/// Every section's versions in the other languages: the same folder in each language's tree.
fn section_translations(sections: &[Section], languages: &[Language]) -> Vec<Vec<usize>> {
    if languages.len() < 2 {
        return vec![Vec::new(); sections.len()];
    }
    let key = |s: &Section| {
        let mount = &languages[s.lang].mount;
        s.dir
            .strip_prefix(mount.as_str())
            .unwrap_or(&s.dir)
            .trim_start_matches('/')
            .to_string()
    };
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, s) in sections.iter().enumerate() {
        by_key.entry(key(s)).or_default().push(i);
    }
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            by_key[&key(s)]
                .iter()
                .copied()
                .filter(|&j| j != i)
                .collect()
        })
        .collect()
}

/// The page URL front matter sets, as the tools write it: `url`/`path` (Hugo, Zola) the whole URL;
/// `slug` the last part, or the whole URL when it starts with `/` (Docusaurus); Docusaurus `id` the
/// last part without a `slug`. `Err((key, why))` for a value that is not a path of the site.
fn page_path_override(
    front: &FrontMatter,
    section_path: &str,
) -> Option<Result<String, (&'static str, &'static str)>> {
    let (key, value, whole) = match (&front.url, &front.slug, &front.id) {
        (Some(u), _, _) => ("url", u.as_str(), true),
        (None, Some(s), _) => ("slug", s.as_str(), s.trim().starts_with('/')),
        (None, None, Some(i)) => ("id", i.as_str(), false),
        (None, None, None) => return None,
    };
    let parts: Vec<&str> = value
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let why = if value.chars().any(char::is_control) {
        Some("holds a control character")
    } else if crate::url::has_scheme(value.trim()) || value.trim().starts_with("//") {
        Some("is not a path of this site")
    } else if parts.contains(&"..") {
        Some("climbs out of the site with `..`")
    } else if parts.iter().any(|p| p.contains(['?', '#', '\\', '%'])) {
        Some("holds `?`, `#`, `%` or `\\`, which a page path may not")
    } else if parts.is_empty() && !whole {
        Some("is empty")
    } else {
        None
    };
    if let Some(why) = why {
        return Some(Err((key, why)));
    }
    let joined = parts.join("/");
    Some(Ok(match (whole, joined.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) => format!("/{joined}/"),
        (false, _) => format!("{section_path}{joined}/"),
    }))
}

/// The longest file or folder name most file systems allow, in bytes.
const NAME_MAX: usize = 255;

/// Right-to-left scripts by language code.
fn is_rtl(code: &str) -> bool {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    matches!(
        primary,
        "ar" | "fa" | "he" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
    )
}

/// For every language with `fallback = true`, the default language's articles it has no version
/// of, each at its path under the language's mount. One whose URL a file of the site already
/// takes is left out, with a warning.
fn fallbacks(
    articles: &[Article],
    translations: &[Vec<usize>],
    languages: &[Language],
    claimed: &HashMap<String, PathBuf>,
    diags: &mut Diagnostics,
) -> Vec<Fallback> {
    let on: Vec<usize> = (0..languages.len())
        .filter(|&l| languages[l].fallback)
        .collect();
    let mut out = Vec::new();
    if on.is_empty() {
        return out;
    }
    for (i, a) in articles.iter().enumerate().filter(|(_, a)| a.lang == 0) {
        for &l in &on {
            if translations[i].iter().any(|&j| articles[j].lang == l) {
                continue;
            }
            let path = format!("/{}{}", languages[l].mount, a.path);
            let search = format!("/{}/search/", languages[l].mount);
            let taken = claimed
                .get(&format!("{path}index.html"))
                .map(|p| format!("`{}`", p.display()))
                .or_else(|| (path == search).then(|| "the search page".to_string()));
            if let Some(by) = taken {
                diags.push(
                    Diagnostic::warning(format!(
                        "`{}` has no {} version, and its fallback URL `{path}` is taken by {by}: readers of {} get no page for it",
                        a.src.shown.display(),
                        languages[l].name,
                        languages[l].name,
                    ))
                    .in_file(a.src.shown.clone())
                    .hint(format!(
                        "translate it, or give it a `slug` so its {} URL is free",
                        languages[l].name
                    )),
                );
                continue;
            }
            out.push(Fallback {
                article: i,
                lang: l,
                path,
            });
        }
    }
    out
}

/// Groups every article with its versions in the other languages: a translation is the file at the
/// same path in its language's tree, or the one its `translation_of` names.
fn translations(
    articles: &[Article],
    languages: &[Language],
    diags: &mut Diagnostics,
) -> Vec<Vec<usize>> {
    if languages.len() < 2 {
        return vec![Vec::new(); articles.len()];
    }
    let source_at: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.lang == 0)
        .map(|(i, a)| (a.src.rel.as_str(), i))
        .collect();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        let key = if a.lang == 0 {
            a.src.rel.clone()
        } else if let Some(of) = &a.front.translation_of {
            let of = of.trim_start_matches("./").trim_start_matches('/');
            if !source_at.contains_key(of) {
                let (line, col) = a.src.key_position("translation_of");
                diags.push(
                    Diagnostic::warning(format!(
                        "translation_of = \"{of}\": no {} article at that path",
                        languages[0].name
                    ))
                    .at(a.src.shown.clone(), line, col)
                    .hint(format!(
                        "write the source article's path inside the {} content folder, e.g. \"billing/refunds.md\"",
                        languages[0].name
                    )),
                );
            }
            of.to_string()
        } else {
            let mount = &languages[a.lang].mount;
            a.src.rel[mount.len() + 1..].to_string()
        };
        groups.entry(key).or_default().push(i);
    }
    let mut out = vec![Vec::new(); articles.len()];
    for members in groups.values() {
        if members.len() < 2 {
            continue;
        }
        let mut sorted = members.clone();
        sorted.sort_by_key(|&i| (articles[i].lang, i));
        for w in sorted.windows(2) {
            if articles[w[0]].lang == articles[w[1]].lang {
                let (a, b) = (&articles[w[0]], &articles[w[1]]);
                diags.push(
                    Diagnostic::warning(format!(
                        "`{}` and `{}` are both the {} version of one article",
                        a.src.shown.display(),
                        b.src.shown.display(),
                        languages[a.lang].name
                    ))
                    .in_file(b.src.shown.clone())
                    .hint("give one of them a `translation_of` naming its own source"),
                );
            }
        }
        for &i in &sorted {
            out[i] = sorted.iter().copied().filter(|&j| j != i).collect();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_components() {
        assert_eq!(url_component("Refund Policy"), "refund-policy");
        assert_eq!(url_component("v1.2-notes"), "v1.2-notes");
        assert_eq!(url_component("what?#"), "what#");
        assert_eq!(url_component("How do I pay?"), "how-do-i-pay");
        assert_eq!(url_component("What's new"), "whats-new");
        assert_eq!(url_component("c++"), "c++");
        assert_eq!(url_component("clang++"), "clang++");
        assert_eq!(url_component("!"), "!");
        assert_eq!(url_component("(("), "((");
        assert_eq!(url_component("["), "[");
        assert_eq!(url_component("."), "dot");
        assert_eq!(url_component(".."), "dot-dot");
        assert_eq!(url_component("-"), "-");
        // Found by the property test: the dash left by a dropped dot went too.
        assert_eq!(url_component(".-A"), "a");
        assert_eq!(url_component("Über uns"), "über-uns");
    }

    #[test]
    fn names_of_one_folder_never_share_a_url_unless_they_differ_only_in_case() {
        let names = [
            "clang", "clang++", "a b", "a  b", "a-b", "Foo", "foo", ".", "dot", "x?", "x",
        ];
        let c = sibling_components(&names);
        assert_eq!(c["clang"], "clang");
        assert_eq!(c["clang++"], "clang++");
        assert_eq!(c["a-b"], "a-b");
        assert_eq!(c["a b"], "a b");
        assert_eq!(c["a  b"], "a  b");
        assert_eq!(c["x"], "x");
        assert_eq!(c["x?"], "x?");
        // Left for the collision error, which names both files.
        assert_eq!((c["Foo"].as_str(), c["foo"].as_str()), ("foo", "foo"));
        assert_eq!((c["."].as_str(), c["dot"].as_str()), ("dot", "dot"));
    }

    #[test]
    fn rtl_languages() {
        assert!(is_rtl("fa"));
        assert!(is_rtl("ar-EG"));
        assert!(!is_rtl("en"));
        assert!(!is_rtl("hy"));
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("getting-started"), "Getting started");
    }
}
