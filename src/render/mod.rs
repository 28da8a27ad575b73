//! Render: page contexts into Tera templates, plus sitemap, robots.txt, 404 and alias redirects.
//! Pages render in parallel; nothing a page contains grows with the size of the whole site.

pub mod dashboard;
pub mod theme;
pub mod words;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Tera;

use crate::content::Site;
use crate::diagnostics::Diagnostic;
use crate::freshness::{Change, Freshness, Release, Status};
use crate::markdown::Rendered;
use theme::{FileSource, Theme};
use words::date_value;

/// One file of the output, relative to the output folder with `/` separators.
#[derive(Debug, Clone)]
pub struct OutFile {
    pub path: String,
    pub data: OutData,
}

#[derive(Debug, Clone)]
pub enum OutData {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    Copy(PathBuf),
}

/// Everything the renderer reads; produced by the earlier stages.
pub struct Input<'a> {
    pub site: &'a Site,
    pub articles_md: &'a [Rendered],
    pub sections_md: &'a [Option<Rendered>],
    pub freshness: &'a [Freshness],
    pub last_changes: &'a [Option<Change>],
    /// The commit that created each article (across renames), when known.
    pub created: &'a [Option<Change>],
    pub releases: &'a [Release],
    pub generator: &'a str,
    pub now: jiff::Timestamp,
}

const NAV_WINDOW: usize = 60;
const RECENT: usize = 8;
const RELATED: usize = 5;

/// Builds the Tera environment; template syntax errors name the template file and line.
pub fn environment(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Tera's default escaper also rewrites `/`, which makes every URL unreadable in the page source.
    tera.set_escape_fn(crate::markdown::escape_attr);
    let mut errors = Vec::new();
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str())),
    ) {
        // Tera names the failing template in quotes; show the file it came from.
        let top = e.to_string();
        let shown = top
            .split(['\'', '"'])
            .nth(1)
            .and_then(|name| theme.templates.get(name))
            .map(|(shown, _)| shown.as_str())
            .unwrap_or("templates");
        return Err(vec![template_error(shown, &e)]);
    }
    for required in [
        "index.html",
        "section.html",
        "article.html",
        "404.html",
        "alias.html",
    ] {
        if !theme.templates.contains_key(required) {
            errors.push(
                Diagnostic::error(format!("the theme has no `{required}` template"))
                    .hint(format!("add templates/{required} to the site or the theme")),
            );
        }
    }
    if errors.is_empty() {
        Ok(tera)
    } else {
        Err(errors)
    }
}

fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn template_error(shown: &str, e: &tera::Error) -> Diagnostic {
    let chain = error_chain(e);
    // Tera writes the position as ` --> LINE:COL`.
    let (line, col) = chain
        .split(" --> ")
        .nth(1)
        .and_then(|rest| {
            let pos: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = chain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::error(format!("template error: {message}"))
        .at(shown, line, col)
        .hint("fix the template; see docs/templates.md for the variables each template gets")
}

/// What every page of a render shares, computed once per full render and patched per article by
/// `serve` ([`Prepared::refresh_article`]).
pub struct Prepared {
    base: String,
    abs_base: Option<String>,
    lang: String,
    site_value: Value,
    t: Value,
    summaries: Vec<Value>,
    cards: Vec<Value>,
    /// Position of each article in its section's sorted list.
    position: Vec<usize>,
    related: Vec<Vec<usize>>,
    /// What search shows of each article (its terms computed once; `serve` refreshes one at a time).
    search_docs: Vec<crate::search::SearchDoc>,
}

struct Ctx<'a> {
    input: &'a Input<'a>,
    p: &'a Prepared,
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Prepared;
    fn deref(&self) -> &Prepared {
        self.p
    }
}

impl Ctx<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn permalink(&self, path: &str) -> String {
        match &self.abs_base {
            Some(b) => format!("{b}{}", path.trim_start_matches('/')),
            None => self.url(path),
        }
    }

    fn common(
        &self,
        kind: &str,
        title: &str,
        description: &str,
        path: &str,
    ) -> serde_json::Map<String, Value> {
        let site = &self.input.site;
        let page_title = if title.is_empty() || title == site.config.title {
            site.config.title.clone()
        } else {
            format!("{title} · {}", site.config.title)
        };
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), json!(kind));
        m.insert("page_title".into(), json!(page_title));
        m.insert("description".into(), json!(description));
        m.insert("canonical".into(), json!(self.permalink(path)));
        m.insert("lang".into(), json!(self.lang));
        m.insert("dir".into(), json!(direction(&self.lang)));
        m.insert("site".into(), self.site_value.clone());
        m.insert("t".into(), self.t.clone());
        m.insert("nav".into(), Value::Null);
        m.insert("breadcrumbs".into(), json!([]));
        m
    }

    fn breadcrumbs(&self, section: usize, last: Option<(&str, &str)>) -> Value {
        let site = self.input.site;
        let mut crumbs: Vec<Value> = site
            .section_chain(section)
            .into_iter()
            .map(|s| {
                let sec = &site.sections[s];
                let title = if s == 0 {
                    self.t["home"].as_str().unwrap_or("Home").to_string()
                } else {
                    sec.title.clone()
                };
                json!({ "title": title, "url": self.url(&sec.path) })
            })
            .collect();
        if let Some((title, path)) = last {
            crumbs.push(json!({ "title": title, "url": self.url(path) }));
        }
        Value::Array(crumbs)
    }

    fn nav(&self, section: usize, current: Option<usize>) -> Value {
        let site = self.input.site;
        let sec = &site.sections[section];
        let list = &sec.articles;
        // A huge section shows a window around the current article, so a page never lists the whole site.
        let (from, to) = match current.map(|a| self.position[a]) {
            Some(p) if list.len() > NAV_WINDOW => {
                let from = p
                    .saturating_sub(NAV_WINDOW / 2)
                    .min(list.len() - NAV_WINDOW);
                (from, from + NAV_WINDOW)
            }
            _ => (0, list.len().min(NAV_WINDOW)),
        };
        let articles: Vec<Value> = list[from..to]
            .iter()
            .map(|&a| {
                json!({
                    "title": site.articles[a].title,
                    "url": self.url(&site.articles[a].path),
                    "current": Some(a) == current,
                    "status": self.input.freshness[a].status,
                })
            })
            .collect();
        let subsections: Vec<Value> = sec
            .children
            .iter()
            .map(|&c| json!({ "title": site.sections[c].title, "url": self.url(&site.sections[c].path) }))
            .collect();
        json!({
            "section": { "title": sec.title, "url": self.url(&sec.path) },
            "articles": articles,
            "subsections": subsections,
            "total": list.len(),
            "truncated": list.len() > to - from,
        })
    }
}

pub fn direction(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    if matches!(
        primary,
        "ar" | "fa" | "he" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
    ) {
        "rtl"
    } else {
        "ltr"
    }
}

fn article_counts(site: &Site) -> Vec<usize> {
    let mut counts: Vec<usize> = site.sections.iter().map(|s| s.articles.len()).collect();
    // Children always come after their parent, so one reverse pass adds subtrees up.
    for i in (1..site.sections.len()).rev() {
        if let Some(p) = site.sections[i].parent {
            counts[p] += counts[i];
        }
    }
    counts
}

/// Renders every page and lists every file of the output.
pub fn render(
    input: &Input<'_>,
    theme: &Theme,
    tera: &Tera,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let prepared = prepare(input);
    render_prepared(input, &prepared, theme, tera)
}

fn summary(input: &Input<'_>, base: &str, lang: &str, i: usize) -> Value {
    let site = input.site;
    let a = &site.articles[i];
    let sec = &site.sections[a.section];
    json!({
        "title": a.title,
        "url": format!("{base}{}", a.path),
        "description": a.front.description.clone().unwrap_or_default(),
        "section_title": sec.title,
        "section_url": format!("{base}{}", sec.path),
        "status": input.freshness[i].status,
        "last_verified": input.freshness[i].last_verified.map(|d| date_value(d, lang)),
    })
}

/// The shared part of every page: site-wide values, article summaries, section cards, positions.
pub fn prepare(input: &Input<'_>) -> Prepared {
    let site = input.site;
    let config = &site.config;
    let lang = config.default_language.clone();
    let base = site.base_path();
    let abs_base = config.absolute_base();

    let counts = article_counts(site);
    let url = |p: &str| format!("{base}{p}");
    let cards: Vec<Value> = site
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "title": s.title,
                "url": url(&s.path),
                "description": s.front.description.clone().unwrap_or_default(),
                "article_count": counts[i],
            })
        })
        .collect();
    let summaries: Vec<Value> = (0..site.articles.len())
        .map(|i| summary(input, &base, &lang, i))
        .collect();
    let support = config.support.as_ref().map(|s| {
        let channels: Vec<Value> = s
            .channels
            .iter()
            .map(|c| {
                json!({
                    "kind": c.kind,
                    "label": c.label,
                    "url": channel_href(c),
                    "hours": c.hours.clone().unwrap_or_default(),
                })
            })
            .collect();
        json!({
            "title": s.title.clone().unwrap_or_else(|| "Still need help?".into()),
            "text": s.text.clone().unwrap_or_default(),
            "channels": channels,
        })
    });
    let site_value = json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "base_path": base,
        "home_url": format!("{base}/"),
        "generator": input.generator,
        "sections": site.sections[0].children.iter().map(|&c| cards[c].clone()).collect::<Vec<_>>(),
        "support": support,
    });
    let search_docs = search_docs(input);
    Prepared {
        base: base.clone(),
        abs_base,
        t: words::words(&lang),
        lang,
        site_value,
        summaries,
        cards,
        position: positions(site),
        related: related_articles(site),
        search_docs,
    }
}

/// Every article as the search index sees it, in parallel.
pub fn search_docs(input: &Input<'_>) -> Vec<crate::search::SearchDoc> {
    let lang = &input.site.config.default_language;
    let base = input.site.base_path();
    (0..input.site.articles.len())
        .into_par_iter()
        .map(|i| search_doc(input, &base, lang, i))
        .collect()
}

/// An article as the search index sees it.
fn search_doc(input: &Input<'_>, base: &str, lang: &str, i: usize) -> crate::search::SearchDoc {
    let a = &input.site.articles[i];
    let f = &input.freshness[i];
    crate::search::SearchDoc::new(
        lang,
        &a.title,
        &input.site.sections[a.section].title,
        &format!("{base}{}", a.path),
        &crate::search::html_text(&input.articles_md[i].html),
        f.status.as_str(),
        if f.status == Status::Stale {
            None
        } else {
            f.expires.map(|d| d.to_string())
        },
    )
}

fn positions(site: &Site) -> Vec<usize> {
    let mut position = vec![0; site.articles.len()];
    for s in &site.sections {
        for (p, &a) in s.articles.iter().enumerate() {
            position[a] = p;
        }
    }
    position
}

impl Prepared {
    /// After one article changed: its summary and the section order. Returns whether anything another
    /// page shows of it (title, status, dates, order) changed.
    pub fn refresh_article(&mut self, input: &Input<'_>, i: usize) -> bool {
        let fresh = summary(input, &self.base, &self.lang, i);
        let position = positions(input.site);
        let changed = fresh != self.summaries[i] || position != self.position;
        self.summaries[i] = fresh;
        self.search_docs[i] = search_doc(input, &self.base, &self.lang, i);
        self.position = position;
        changed
    }

    /// Articles whose "related" list shows article `i`.
    pub fn related_to(&self, i: usize) -> Vec<usize> {
        (0..self.related.len())
            .filter(|&j| self.related[j].contains(&i))
            .collect()
    }
}

/// Renders some article and section pages (for `serve`'s incremental rebuilds).
pub fn render_pages(
    input: &Input<'_>,
    prepared: &Prepared,
    tera: &Tera,
    articles: &[usize],
    sections: &[usize],
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let ctx = Ctx { input, p: prepared };
    let pages: Vec<Result<OutFile, Diagnostic>> = articles
        .par_iter()
        .map(|&i| render_article(&ctx, tera, i, &prepared.related[i]))
        .chain(sections.par_iter().map(|&s| render_section(&ctx, tera, s)))
        .collect();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for r in pages {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        let mut seen = HashSet::new();
        errors.retain(|e: &Diagnostic| seen.insert(e.message.clone()));
        Err(errors)
    }
}

/// Renders every page with an already prepared context.
pub fn render_prepared(
    input: &Input<'_>,
    prepared: &Prepared,
    theme: &Theme,
    tera: &Tera,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let site = input.site;
    let abs_base = prepared.abs_base.clone();
    let ctx = Ctx { input, p: prepared };
    let related = &prepared.related;

    // Articles and sections render in parallel; errors are collected, not short-circuited.
    let article_pages: Vec<Result<OutFile, Diagnostic>> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| render_article(&ctx, tera, i, &related[i]))
        .collect();
    let section_pages: Vec<Result<OutFile, Diagnostic>> = (0..site.sections.len())
        .into_par_iter()
        .map(|i| render_section(&ctx, tera, i))
        .collect();

    let mut files =
        Vec::with_capacity(article_pages.len() + section_pages.len() + site.assets.len() + 8);
    let mut errors = Vec::new();
    for r in article_pages.into_iter().chain(section_pages) {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    // One error per template is enough: the same mistake repeats on every page.
    let mut seen = HashSet::new();
    errors.retain(|e: &Diagnostic| seen.insert(e.message.clone()));

    match render_template(
        tera,
        "404.html",
        ctx.common(
            "404",
            ctx.t["not_found_title"].as_str().unwrap_or(""),
            "",
            "/404.html",
        ),
    ) {
        Ok(html) => files.push(OutFile {
            path: "404.html".into(),
            data: OutData::Bytes(html.into_bytes()),
        }),
        Err(e) => errors.push(e),
    }

    // The search page: results for `?q=`, filled in by the theme's script from the index. A page
    // of the site's own at /search/ wins.
    let own_search_page = site
        .articles
        .iter()
        .map(|a| a.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .any(|p| p == "/search/");
    let search_page = !own_search_page && tera.get_template_names().any(|n| n == "search.html");
    if search_page {
        let title = ctx.t["search"].as_str().unwrap_or("Search");
        match render_template(
            tera,
            "search.html",
            ctx.common("search", title, "", "/search/"),
        ) {
            Ok(html) => files.push(OutFile {
                path: "search/index.html".into(),
                data: OutData::Bytes(html.into_bytes()),
            }),
            Err(e) => errors.push(e),
        }
    }

    // Aliases: redirect pages at old URLs; one that collides with a page is an error.
    let taken: HashSet<&str> = site
        .articles
        .iter()
        .map(|a| a.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .chain(search_page.then_some("/search/"))
        .collect();
    let mut alias_seen: HashMap<String, usize> = HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        let (alias_line, alias_col) = a.src.key_position("aliases");
        for alias in &a.front.aliases {
            let (out, alias_path) = match alias_output(alias) {
                Some(x) => x,
                None => {
                    errors.push(
                        Diagnostic::error(format!(
                            "alias `{alias}` is not a URL path on this site"
                        ))
                        .at(a.src.shown.clone(), alias_line, alias_col)
                        .hint("write aliases as site paths, e.g. aliases = [\"/old/path/\"]"),
                    );
                    continue;
                }
            };
            if taken.contains(alias_path.as_str()) {
                errors.push(
                    Diagnostic::error(format!("alias `{alias}` is the URL of an existing page"))
                        .at(a.src.shown.clone(), alias_line, alias_col)
                        .hint("remove the alias, or move the page that lives at that URL"),
                );
                continue;
            }
            if let Some(&other) = alias_seen.get(&out) {
                if other != i {
                    errors.push(
                        Diagnostic::error(format!(
                            "alias `{alias}` is also an alias of `{}`",
                            site.articles[other].src.shown.display()
                        ))
                        .in_file(a.src.shown.clone())
                        .hint(
                            "an old URL can redirect to one page only; remove one of the aliases",
                        ),
                    );
                }
                continue;
            }
            alias_seen.insert(out.clone(), i);
            let mut c = ctx.common("alias", &a.title, "", &a.path);
            c.insert("target".into(), json!(ctx.url(&a.path)));
            c.insert("canonical".into(), json!(ctx.permalink(&a.path)));
            match render_template(tera, "alias.html", c) {
                Ok(html) => files.push(OutFile {
                    path: out,
                    data: OutData::Bytes(html.into_bytes()),
                }),
                Err(e) => errors.push(e),
            }
        }
    }
    match listings(input, prepared, tera) {
        Ok(l) => files.extend(l),
        Err(e) => errors.extend(e),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let robots = match &abs_base {
        Some(b) => format!("User-agent: *\nAllow: /\n\nSitemap: {b}sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_string(),
    };
    files.push(OutFile {
        path: "robots.txt".into(),
        data: OutData::Bytes(robots.into_bytes()),
    });
    for (name, src) in &theme.statics {
        files.push(OutFile {
            path: name.clone(),
            data: match src {
                FileSource::Embedded(b) => OutData::Static(b),
                FileSource::Disk(p) => OutData::Copy(p.clone()),
            },
        });
    }
    for a in &site.assets {
        files.push(OutFile {
            path: a.out.clone(),
            data: OutData::Copy(a.abs.clone()),
        });
    }
    Ok(files)
}

/// The files that list every article: the freshness dashboard, the sitemap and the search index.
/// `serve` renders them after the reload, off the path from save to reload.
pub fn listings(
    input: &Input<'_>,
    prepared: &Prepared,
    tera: &Tera,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let ctx = Ctx { input, p: prepared };
    let config = &input.site.config;
    let mut files = Vec::new();
    // The docs team's dashboard (kept out of the sitemap and search; `noindex` in the default theme).
    if config.dashboard.enabled && tera.get_template_names().any(|n| n == "dashboard.html") {
        let dir = config.dashboard.path.trim_matches('/').to_string();
        let path = format!("/{dir}/");
        let mut c = ctx.common("dashboard", "Freshness dashboard", "", &path);
        c.insert(
            "dashboard".into(),
            dashboard::context(input, input.now, &|p: &str| ctx.url(p)),
        );
        let html = render_template(tera, "dashboard.html", c).map_err(|e| vec![e])?;
        files.push(OutFile {
            path: format!("{dir}/index.html"),
            data: OutData::Bytes(html.into_bytes()),
        });
    }
    files.push(OutFile {
        path: "sitemap.xml".into(),
        data: OutData::Bytes(sitemap(&ctx).into_bytes()),
    });
    files.extend(crate::search::index_files(
        &prepared.lang,
        &prepared.search_docs,
    ));
    Ok(files)
}

fn channel_href(c: &crate::config::Channel) -> String {
    use crate::config::ChannelKind;
    let u = c.url.trim();
    match c.kind {
        ChannelKind::Email if !u.contains(':') && u.contains('@') => format!("mailto:{u}"),
        ChannelKind::Phone if !u.contains(':') => {
            let digits: String = u
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{digits}")
        }
        _ => u.to_string(),
    }
}

/// Output file and site path for an alias: `/old/page/` -> `old/page/index.html`; `/old.html` stays.
fn alias_output(alias: &str) -> Option<(String, String)> {
    let a = alias.trim();
    if a.is_empty() || crate::markdown::has_scheme(a) || a.starts_with("//") {
        return None;
    }
    let clean: Vec<&str> = a
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if clean.contains(&"..") || clean.is_empty() {
        return None;
    }
    let joined = clean.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        Some((joined.clone(), format!("/{joined}")))
    } else {
        Some((format!("{joined}/index.html"), format!("/{joined}/")))
    }
}

fn render_template(
    tera: &Tera,
    name: &str,
    ctx: serde_json::Map<String, Value>,
) -> Result<String, Diagnostic> {
    let context = tera::Context::from_value(Value::Object(ctx))
        .map_err(|e| Diagnostic::error(error_chain(&e)))?;
    tera.render(name, &context).map_err(|e| {
        Diagnostic::error(format!("template error: {}", error_chain(&e)))
            .in_file(format!("templates/{name}"))
            .hint("fix the template; see docs/templates.md for the variables each template gets")
    })
}

fn render_article(
    ctx: &Ctx<'_>,
    tera: &Tera,
    i: usize,
    related: &[usize],
) -> Result<OutFile, Diagnostic> {
    let site = ctx.input.site;
    let a = &site.articles[i];
    let md = &ctx.input.articles_md[i];
    let f = &ctx.input.freshness[i];
    let sec = &site.sections[a.section];
    let list = &sec.articles;
    let p = ctx.position[i];
    let link = |j: usize| json!({ "title": site.articles[j].title, "url": ctx.url(&site.articles[j].path) });
    let prev = if p > 0 {
        link(list[p - 1])
    } else {
        Value::Null
    };
    let next = list.get(p + 1).map(|&j| link(j)).unwrap_or(Value::Null);
    let lang = &ctx.lang;
    let change = ctx.input.last_changes[i].as_ref();
    let updated = change.map(|c| crate::freshness::date_of(c.date));
    let describes = f
        .describes
        .map(|d| ctx.input.releases[d].version.to_string())
        .or_else(|| f.describes_text.clone());
    let description = a.front.description.clone().unwrap_or_default();
    let jsonld = json!({
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "headline": a.title,
        "description": description,
        "url": ctx.permalink(&a.path),
        "inLanguage": lang,
        "dateModified": f.last_verified.or(updated).map(|d| d.to_string()),
        "dateCreated": ctx.input.created.get(i).and_then(|c| c.as_ref()).map(|c| crate::freshness::date_of(c.date).to_string()),
    });
    let page = json!({
        "title": a.title,
        "description": description,
        "url": ctx.url(&a.path),
        "permalink": ctx.permalink(&a.path),
        "content": md.html,
        "toc": md.toc,
        "tags": a.front.tags,
        "owner": a.owner.clone().unwrap_or_default(),
        "extra": a.front.extra,
        "section": { "title": sec.title, "url": ctx.url(&sec.path) },
        "prev": prev,
        "next": next,
        "related": related.iter().map(|&j| ctx.summaries[j].clone()).collect::<Vec<_>>(),
        "freshness": {
            "status": f.status,
            "last_verified": f.last_verified.map(|d| date_value(d, lang)),
            "updated": updated.map(|d| date_value(d, lang)),
            "describes": describes,
            "expires": if f.status == Status::Stale { None } else { f.expires.map(|d| d.to_string()) },
            "banner": f.banner,
            "reasons": f.reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>(),
        },
        "jsonld": jsonld.to_string().replace("</", "<\\/"),
    });
    let mut c = ctx.common("article", &a.title, &description, &a.path);
    c.insert("page".into(), page);
    c.insert(
        "breadcrumbs".into(),
        ctx.breadcrumbs(a.section, Some((&a.title, &a.path))),
    );
    c.insert("nav".into(), ctx.nav(a.section, Some(i)));
    let html = render_template(tera, "article.html", c)?;
    Ok(OutFile {
        path: format!("{}index.html", a.path.trim_start_matches('/')),
        data: OutData::Bytes(html.into_bytes()),
    })
}

fn render_section(ctx: &Ctx<'_>, tera: &Tera, s: usize) -> Result<OutFile, Diagnostic> {
    let site = ctx.input.site;
    let sec = &site.sections[s];
    let content = ctx.input.sections_md[s]
        .as_ref()
        .map(|r| r.html.clone())
        .unwrap_or_default();
    let description = sec.front.description.clone().unwrap_or_default();
    let (name, mut c) = if s == 0 {
        let mut c = ctx.common("index", "", &site.config.description, "/");
        c.insert("content".into(), json!(content));
        c.insert(
            "sections".into(),
            Value::Array(sec.children.iter().map(|&k| ctx.cards[k].clone()).collect()),
        );
        let mut recent: Vec<usize> = (0..site.articles.len())
            .filter(|&a| ctx.input.freshness[a].last_verified.is_some())
            .collect();
        // Partial selection: O(n) for the top few, not a full sort of the site.
        let key = |a: &usize| (std::cmp::Reverse(ctx.input.freshness[*a].last_verified), *a);
        if recent.len() > RECENT {
            recent.select_nth_unstable_by_key(RECENT, key);
            recent.truncate(RECENT);
        }
        recent.sort_by_key(key);
        c.insert(
            "recent".into(),
            Value::Array(recent.iter().map(|&a| ctx.summaries[a].clone()).collect()),
        );
        ("index.html", c)
    } else {
        let mut c = ctx.common("section", &sec.title, &description, &sec.path);
        c.insert(
            "section".into(),
            json!({
                "title": sec.title,
                "description": description,
                "url": ctx.url(&sec.path),
                "content": content,
                "articles": sec.articles.iter().map(|&a| ctx.summaries[a].clone()).collect::<Vec<_>>(),
                "subsections": sec.children.iter().map(|&k| ctx.cards[k].clone()).collect::<Vec<_>>(),
                "article_count": ctx.cards[s]["article_count"],
            }),
        );
        c.insert("breadcrumbs".into(), ctx.breadcrumbs(s, None));
        c.insert("nav".into(), ctx.nav(s, None));
        ("section.html", c)
    };
    if s == 0 {
        c.insert("breadcrumbs".into(), json!([]));
    }
    let html = render_template(tera, name, c)?;
    Ok(OutFile {
        path: format!("{}index.html", sec.path.trim_start_matches('/')),
        data: OutData::Bytes(html.into_bytes()),
    })
}

/// Up to five articles sharing the most tags. Each tag contributes a bounded window of candidates, so
/// a tag on every article costs O(n), not O(n^2).
fn related_articles(site: &Site) -> Vec<Vec<usize>> {
    const PER_TAG: usize = 32;
    let mut by_tag: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        for t in &a.front.tags {
            by_tag.entry(t.as_str()).or_default().push(i);
        }
    }
    let mut pos_in_tag: HashMap<(&str, usize), usize> = HashMap::new();
    for (t, list) in &by_tag {
        for (p, &a) in list.iter().enumerate() {
            pos_in_tag.insert((t, a), p);
        }
    }
    (0..site.articles.len())
        .into_par_iter()
        .map(|i| {
            let mut score: HashMap<usize, usize> = HashMap::new();
            for t in &site.articles[i].front.tags {
                let list = &by_tag[t.as_str()];
                let p = pos_in_tag[&(t.as_str(), i)];
                let from = p.saturating_sub(PER_TAG / 2);
                for &j in list.iter().skip(from).take(PER_TAG) {
                    if j != i {
                        *score.entry(j).or_default() += 1;
                    }
                }
            }
            let mut ranked: Vec<(usize, usize)> = score.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.into_iter().take(RELATED).map(|(j, _)| j).collect()
        })
        .collect()
}

fn sitemap(ctx: &Ctx<'_>) -> String {
    let site = ctx.input.site;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for sec in &site.sections {
        s.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            crate::markdown::escape_attr(&ctx.permalink(&sec.path))
        ));
    }
    for (i, a) in site.articles.iter().enumerate() {
        let lastmod = ctx.input.freshness[i]
            .last_verified
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  <url><loc>{}</loc>{lastmod}</url>\n",
            crate::markdown::escape_attr(&ctx.permalink(&a.path))
        ));
    }
    s.push_str("</urlset>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_files() {
        assert_eq!(alias_output("/old/page/").unwrap().0, "old/page/index.html");
        assert_eq!(alias_output("old/page").unwrap().1, "/old/page/");
        assert_eq!(alias_output("/old.html").unwrap().0, "old.html");
        assert!(alias_output("/../etc/passwd").is_none());
        assert!(alias_output("https://x.example/").is_none());
    }

    #[test]
    fn rtl_languages() {
        assert_eq!(direction("fa"), "rtl");
        assert_eq!(direction("ar-EG"), "rtl");
        assert_eq!(direction("en"), "ltr");
    }
}
