//! Link checking. Internal links and anchors are resolved against the site model on every build (no
//! network): pages, sections, files, aliases, and `#fragments` against the target page's heading ids
//! and explicit `id` attributes.

pub mod external;
pub mod template;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::content::Site;
use crate::diagnostics::Diagnostic;
use crate::markdown::{LinkKind, LinkSpan, Rendered};
use crate::url::{join_url, percent_decode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Internal,
    Anchor,
    Asset,
    External,
    Fragment,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Internal => "internal",
            Kind::Anchor => "anchor",
            Kind::Asset => "asset",
            Kind::External => "external",
            Kind::Fragment => "fragment",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Broken,
    Blocked,
    /// Not checked: an external link before (or without) `check`'s network pass, a private address,
    /// the run's deadline reached.
    Skipped,
    /// Not checked because `[links] exclude`/`include` or `.kbfreshignore` says so. In the JSON
    /// report it is `skipped`, as schema `kbfresh/check/1` documents.
    #[serde(rename = "skipped")]
    Excluded,
    /// The page answered, but its `#fragment` could not be looked for (the body timed out or
    /// failed): neither ok nor broken.
    Unverified,
}

/// One checked link, located in its Markdown file.
#[derive(Debug, Clone, Serialize)]
pub struct LinkResult {
    /// The Markdown file, relative to the site root.
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub target: String,
    pub kind: Kind,
    pub status: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Index of the article the link is in (`None` for a section's `_index.md`).
    #[serde(skip)]
    pub article: Option<usize>,
    /// The site path the link resolved to (for hints), when it is a path on this site.
    #[serde(skip)]
    pub resolved: Option<String>,
    /// The asset (`Site::assets`) the link reaches, which it publishes.
    #[serde(skip)]
    pub asset: Option<usize>,
}

impl LinkResult {
    /// `path:line:column` in the Markdown file.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path.display(), self.line, self.column)
    }

    /// The message, with the hint in parentheses when there is one.
    pub fn explained(&self) -> String {
        match &self.hint {
            Some(h) => format!("{} ({h})", self.message),
            None => self.message.clone(),
        }
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let mut d =
            Diagnostic::warning(self.message.clone()).at(self.path.clone(), self.line, self.column);
        if let Some(h) = &self.hint {
            d = d.hint(h.clone());
        }
        d
    }
}

/// What a site path leads to.
#[derive(Clone, Copy)]
enum Target {
    Article(usize),
    Section(usize),
    /// One of `Site::assets`.
    Asset(usize),
    File,
}

pub struct Internal<'a> {
    site: &'a Site,
    base: String,
    /// Site path (with base path) -> target.
    paths: HashMap<String, Target>,
    anchors_article: Vec<HashSet<&'a str>>,
    anchors_section: Vec<HashSet<&'a str>>,
}

/// Every internal link of every article and section page, with the broken ones explained.
/// `extra_files` are other site paths that exist (theme static files, aliases, `/404.html`).
pub fn check_internal(
    site: &Site,
    articles_md: &[Rendered],
    sections_md: &[Option<Rendered>],
    extra_files: &[String],
) -> Vec<LinkResult> {
    check_pages(site, articles_md, sections_md, extra_files, None)
}

/// The internal links of one article (after `serve` re-read it).
pub fn check_article(
    site: &Site,
    articles_md: &[Rendered],
    sections_md: &[Option<Rendered>],
    extra_files: &[String],
    article: usize,
) -> Vec<LinkResult> {
    check_pages(site, articles_md, sections_md, extra_files, Some(article))
}

/// Every page's links, or only one article's.
fn check_pages(
    site: &Site,
    articles_md: &[Rendered],
    sections_md: &[Option<Rendered>],
    extra_files: &[String],
    only: Option<usize>,
) -> Vec<LinkResult> {
    let checker = Internal::new(site, articles_md, sections_md, extra_files);
    let mut out = Vec::new();
    for (i, md) in articles_md.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let a = &site.articles[i];
        for l in &md.links {
            if let Some(r) =
                checker.check(l, &a.path, a.src.dir(), Target::Article(i), &a.src.shown)
            {
                out.push(LinkResult {
                    article: Some(i),
                    ..r
                });
            }
        }
    }
    for (s, md) in sections_md.iter().enumerate() {
        if only.is_some() {
            break;
        }
        let (Some(md), Some(src)) = (md, site.sections[s].index.as_ref()) else {
            continue;
        };
        for l in &md.links {
            if let Some(r) = checker.check(
                l,
                &site.sections[s].path,
                &site.sections[s].dir,
                Target::Section(s),
                &src.shown,
            ) {
                out.push(r);
            }
        }
    }
    // A snippet's links are checked in every page that includes it: the same finding is said once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| {
        let own = match r.article {
            Some(i) => r.path == site.articles[i].src.shown,
            None => true,
        };
        own || seen.insert((
            r.path.clone(),
            r.line,
            r.column,
            r.target.clone(),
            r.message.clone(),
        ))
    });
    // Hints look among the pages of the same folder (a typo rarely changes the folder); only the first
    // few broken links search the whole site, so a site full of broken links stays linear.
    let mut by_dir: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in checker.paths.keys() {
        let dir = p
            .trim_end_matches('/')
            .rsplit_once('/')
            .map_or("", |(d, _)| d);
        by_dir.entry(dir).or_default().push(p.as_str());
    }
    let all: Vec<&str> = checker.paths.keys().map(String::as_str).collect();
    let wants_hint =
        |r: &LinkResult| r.status == Status::Broken && r.kind != Kind::Anchor && r.hint.is_none();
    let target = |r: &LinkResult| r.resolved.clone().unwrap_or_else(|| r.target_path());
    {
        use rayon::prelude::*;
        out.par_iter_mut().filter(|r| wants_hint(r)).for_each(|r| {
            let resolved = target(r);
            let dir = resolved
                .trim_end_matches('/')
                .rsplit_once('/')
                .map_or("", |(d, _)| d);
            if let Some(best) = by_dir
                .get(dir)
                .and_then(|c| crate::diagnostics::closest(&resolved, c.iter().copied()))
            {
                r.hint = Some(format!("did you mean `{best}`?"));
            }
        });
        // The first few without a hint in their folder search the whole site.
        let mut global: Vec<&mut LinkResult> =
            out.iter_mut().filter(|r| wants_hint(r)).take(20).collect();
        global.par_iter_mut().for_each(|r| {
            if let Some(best) = crate::diagnostics::closest(&target(r), all.iter().copied()) {
                r.hint = Some(format!("did you mean `{best}`?"));
            }
        });
    }
    out
}

impl LinkResult {
    fn target_path(&self) -> String {
        let t = self.target.split(['#', '?']).next().unwrap_or("");
        t.trim_end_matches(".md").to_string()
    }
}

impl<'a> Internal<'a> {
    fn new(
        site: &'a Site,
        articles_md: &'a [Rendered],
        sections_md: &'a [Option<Rendered>],
        extra: &[String],
    ) -> Self {
        let base = site.base_path();
        let mut paths = HashMap::new();
        for (i, a) in site.articles.iter().enumerate() {
            paths.insert(format!("{base}{}", a.path), Target::Article(i));
            for alias in &a.front.aliases {
                let p = alias.trim();
                if p.starts_with('/') {
                    let p = if p.ends_with('/') || p.ends_with(".html") {
                        p.to_string()
                    } else {
                        format!("{p}/")
                    };
                    paths
                        .entry(format!("{base}{p}"))
                        .or_insert(Target::Article(i));
                }
            }
        }
        for (s, sec) in site.sections.iter().enumerate() {
            paths.insert(format!("{base}{}", sec.path), Target::Section(s));
        }
        for f in &site.fallbacks {
            paths.insert(format!("{base}{}", f.path), Target::Article(f.article));
        }
        for (i, asset) in site.assets.iter().enumerate() {
            paths.insert(format!("{base}/{}", asset.out), Target::Asset(i));
        }
        for f in extra {
            paths
                .entry(format!("{base}/{}", f.trim_start_matches('/')))
                .or_insert(Target::File);
        }
        let anchors_article = articles_md
            .iter()
            .map(|m| m.anchors.iter().map(String::as_str).collect())
            .collect();
        let anchors_section = sections_md
            .iter()
            .map(|m| {
                m.as_ref()
                    .map(|m| m.anchors.iter().map(String::as_str).collect())
                    .unwrap_or_default()
            })
            .collect();
        Internal {
            site,
            base,
            paths,
            anchors_article,
            anchors_section,
        }
    }

    fn anchors(&self, t: Target) -> Option<&HashSet<&'a str>> {
        match t {
            Target::Article(i) => self.anchors_article.get(i),
            Target::Section(s) => self.anchors_section.get(s),
            Target::Asset(_) | Target::File => None,
        }
    }

    fn describe(&self, t: Target) -> String {
        match t {
            Target::Article(i) => self.site.articles[i].src.shown.display().to_string(),
            Target::Section(s) => format!("section {}", self.site.sections[s].path),
            Target::Asset(_) | Target::File => "file".into(),
        }
    }

    /// `None` for links that are not ours to check here (external, mail, phone).
    fn check(
        &self,
        l: &LinkSpan,
        page_path: &str,
        src_dir: &str,
        here: Target,
        shown: &std::path::Path,
    ) -> Option<LinkResult> {
        let result = |kind: Kind, status: Status, message: String| LinkResult {
            path: l.file.as_deref().unwrap_or(shown).to_path_buf(),
            line: l.line,
            column: l.column,
            target: l.target.clone(),
            kind,
            status,
            message,
            hint: None,
            article: None,
            resolved: None,
            asset: None,
        };
        let href = l.href.trim();
        if href.is_empty() {
            return Some(result(
                Kind::Internal,
                Status::Broken,
                "empty link target".into(),
            ));
        }
        if let Some(scheme) = scheme_of(href) {
            return match scheme.as_str() {
                "http" | "https" => Some(result(Kind::External, Status::Skipped, format!("external link `{href}` (checked by `kbfresh check`)"))),
                "javascript" | "data" | "vbscript" => Some(LinkResult {
                    hint: Some("link to a page or a file instead; script and data URLs are blocked by many browsers and are unsafe".into()),
                    ..result(Kind::Internal, Status::Broken, format!("`{scheme}:` URL in a link"))
                }),
                _ => None,
            };
        }
        if href.starts_with("//") {
            return Some(result(
                Kind::External,
                Status::Skipped,
                format!("external link `{href}`"),
            ));
        }
        let (path_part, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        // A link that reaches an asset publishes it.
        let found = |t: Target, mut r: LinkResult| {
            if let Target::Asset(i) = t {
                r.asset = Some(i);
            }
            r
        };
        let kind_for = |t: Target| match (t, l.kind) {
            (Target::Asset(_) | Target::File, _) | (_, LinkKind::Image) => Kind::Asset,
            _ => Kind::Internal,
        };
        let target = if path_part.is_empty() {
            Some(here)
        } else {
            // Resolve like a browser would, from the page's own URL.
            let abs = if path_part.starts_with('/') {
                path_part.to_string()
            } else {
                join_url(&format!("{}{page_path}", self.base), path_part)
            };
            let decoded = percent_decode(&abs);
            self.lookup(&decoded).or_else(|| self.lookup(&abs))
        };
        // For hints: where the writer meant to point. A relative file path (`refund.md`, `chart.png`)
        // is relative to the Markdown file's folder, not to the page URL.
        let resolved_path = (!path_part.is_empty()).then(|| {
            let looks_like_file = path_part
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.'));
            let content_rel = crate::url::normalize_rel(src_dir, &percent_decode(path_part));
            if path_part.starts_with('/') {
                path_part.to_string()
            } else if let (true, Some(rel)) = (looks_like_file, content_rel) {
                let rel = rel
                    .strip_suffix(".md")
                    .map(|r| format!("{r}/"))
                    .unwrap_or(rel);
                format!("{}/{}", self.base, rel.to_lowercase().replace(' ', "-"))
            } else {
                join_url(&format!("{}{page_path}", self.base), path_part)
            }
        });
        let Some(t) = target else {
            let what = if l.target.ends_with(".md") || l.target.contains(".md#") {
                format!(
                    "broken link: `{}` is not a Markdown file in the content folder",
                    l.target
                )
            } else if l.kind == LinkKind::Image {
                format!("missing image: `{}`", l.target)
            } else {
                format!("broken link: nothing is published at `{}`", l.target)
            };
            let mut r = result(
                if l.kind == LinkKind::Image {
                    Kind::Asset
                } else {
                    Kind::Internal
                },
                Status::Broken,
                what,
            );
            r.resolved = resolved_path.map(|p| p.trim_end_matches(".md").to_string());
            return Some(r);
        };
        if let Some(frag) = fragment.filter(|f| !f.is_empty()) {
            let frag_decoded = percent_decode(frag);
            return match self.anchors(t) {
                Some(anchors)
                    if anchors.contains(frag) || anchors.contains(frag_decoded.as_str()) =>
                {
                    Some(result(Kind::Anchor, Status::Ok, String::new()))
                }
                Some(anchors) => {
                    let mut r = result(
                        Kind::Anchor,
                        Status::Broken,
                        format!(
                            "broken anchor: `#{frag}` is not a heading or id in {}",
                            self.describe(t)
                        ),
                    );
                    r.hint = crate::diagnostics::closest(&frag_decoded, anchors.iter().copied())
                        .map(|b| format!("did you mean `#{b}`?"));
                    if r.hint.is_none() && !anchors.is_empty() {
                        let mut list: Vec<&str> = anchors.iter().copied().collect();
                        list.sort_unstable();
                        list.truncate(8);
                        r.hint = Some(format!(
                            "anchors there: {}",
                            list.iter()
                                .map(|a| format!("#{a}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    Some(r)
                }
                None => Some(found(t, result(kind_for(t), Status::Ok, String::new()))),
            };
        }
        Some(found(t, result(kind_for(t), Status::Ok, String::new())))
    }

    fn lookup(&self, path: &str) -> Option<Target> {
        if let Some(t) = self.paths.get(path) {
            return Some(*t);
        }
        // `/a/b` and `/a/b/index.html` are the page `/a/b/`.
        let trimmed = path.strip_suffix("index.html").unwrap_or(path);
        if let Some(t) = self.paths.get(trimmed) {
            return Some(*t);
        }
        if !trimmed.ends_with('/')
            && let Some(t) = self.paths.get(&format!("{trimmed}/"))
        {
            return Some(*t);
        }
        None
    }
}

fn scheme_of(href: &str) -> Option<String> {
    crate::url::url_scheme(href)
}

/// Checks the external links among `results` over the network and updates them in place: each
/// distinct URL once; fragments against the fetched page. URLs `config.filter` skips are
/// [`Status::Excluded`]. `root` holds the cache.
pub fn check_external(
    results: &mut [LinkResult],
    root: &std::path::Path,
    config: &crate::config::LinksConfig,
    use_cache: bool,
    progress: bool,
) {
    let split = |target: &str| -> (String, Option<String>) {
        let t = if let Some(rest) = target.strip_prefix("//") {
            format!("https://{rest}")
        } else {
            target.to_string()
        };
        match t.split_once('#') {
            Some((u, f)) if !f.is_empty() => (u.to_string(), Some(f.to_string())),
            Some((u, _)) => (u.to_string(), None),
            None => (t, None),
        }
    };
    let mut urls: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut want_anchors = HashSet::new();
    for r in results.iter_mut().filter(|r| r.kind == Kind::External) {
        let (url, frag) = split(&r.target);
        if config.filter.skips(&r.target) {
            r.status = Status::Excluded;
            r.message = format!(
                "`{}` excluded by [links] exclude/include or .kbfreshignore",
                r.target
            );
            continue;
        }
        if frag.is_some() {
            want_anchors.insert(url.clone());
        }
        if seen.insert(url.clone()) {
            urls.push(url);
        }
    }
    if urls.is_empty() {
        return;
    }
    let outcomes = external::check(
        &urls,
        &external::Options {
            config: config.clone(),
            cache_file: Some(root.join(crate::config::CACHE_DIR).join("links.json")),
            use_cache,
            progress,
            want_anchors,
        },
    );
    for r in results
        .iter_mut()
        .filter(|r| r.kind == Kind::External && r.status == Status::Skipped)
    {
        let (url, frag) = split(&r.target);
        let Some(o) = outcomes.get(&url) else {
            continue;
        };
        let redirected = o
            .final_url
            .as_ref()
            .map(|f| format!(" (redirected to {f})"))
            .unwrap_or_default();
        r.status = o.status;
        r.message = match o.status {
            Status::Ok => format!("{}{redirected}", o.message),
            Status::Broken => format!("broken external link `{url}`: {}{redirected}", o.message),
            Status::Blocked => format!("blocked: `{url}` answered {}", o.message),
            Status::Skipped | Status::Excluded | Status::Unverified => o.message.clone(),
        };
        if o.status == Status::Ok
            && let Some(f) = &frag
        {
            match (&o.anchors, &o.body_unread) {
                (Some(anchors), _) => {
                    let decoded = percent_decode(f);
                    if !anchors.contains(f) && !anchors.contains(&decoded) {
                        r.kind = Kind::Fragment;
                        r.status = Status::Broken;
                        r.message = format!("fragment `#{f}` not found on {url}{redirected}");
                    }
                }
                (None, Some(why)) => {
                    r.kind = Kind::Fragment;
                    r.status = Status::Unverified;
                    r.message = format!(
                        "fragment `#{f}` not verified: the page at {url} {why}{redirected}"
                    );
                }
                (None, None) => {}
            }
        }
    }
}

/// Warnings for the broken links among `results`: at most 20 per file, then a count, so a file with
/// thousands of broken links does not bury everything else.
pub fn diagnostics(results: &[LinkResult]) -> Vec<crate::diagnostics::Diagnostic> {
    const PER_FILE: usize = 20;
    let mut per_file: HashMap<&std::path::Path, usize> = HashMap::new();
    let mut out = Vec::new();
    for l in results.iter().filter(|l| l.status == Status::Broken) {
        let n = per_file.entry(l.path.as_path()).or_default();
        *n += 1;
        if *n <= PER_FILE {
            out.push(l.diagnostic());
        }
    }
    for (path, n) in per_file.into_iter().filter(|(_, n)| *n > PER_FILE) {
        out.push(
            crate::diagnostics::Diagnostic::warning(format!(
                "{} more broken links in this file",
                n - PER_FILE
            ))
            .in_file(path)
            .hint("`kbfresh check --format json` lists every one"),
        );
    }
    out
}

/// A progress bar only for a person at a terminal: never in CI logs or with `--quiet`.
pub fn show_progress(quiet: bool) -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
        && !quiet
        && std::env::var_os("CI").is_none()
}
