//! kbfresh: a static site generator for help centres that knows when an article went stale.
//!
//! One pipeline over one site model:
//! `config -> content -> history -> freshness -> markdown -> render -> output`.
//! Each stage is a module that reads the model and returns results and diagnostics.

pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
mod fasthash;
pub mod freshness;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod init;
pub mod links;
pub mod markdown;
pub mod output;
pub mod render;
pub mod report;
pub mod search;
pub mod serve;
pub mod verify;

use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::Timestamp;
use rayon::prelude::*;

use config::Config;
use content::{LoadOptions, Site};
use diagnostics::{Diagnostic, Diagnostics, Failure};
use freshness::{Change, Freshness, Policy};
use markdown::{DropH1, Rendered};

pub const GENERATOR: &str = concat!("kbfresh ", env!("CARGO_PKG_VERSION"));

/// Options every command shares (the CLI's global flags).
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub content: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub now: Timestamp,
    pub drafts: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>, now: Timestamp) -> Options {
        Options {
            root: root.into(),
            content: None,
            output: None,
            base_url: None,
            now,
            drafts: false,
        }
    }
}

/// `--now` / `SOURCE_DATE_EPOCH`, in that order; `None` when neither is set: the clock.
pub fn resolve_now(
    flag: Option<&str>,
    source_date_epoch: Option<&str>,
) -> Result<Option<Timestamp>, Diagnostic> {
    if let Some(s) = flag {
        return parse_now(s).map(Some).ok_or_else(|| {
            Diagnostic::error(format!("--now `{s}` is not a date"))
                .hint("write a date such as 2026-05-02 or a time such as 2026-05-02T10:00:00Z")
        });
    }
    if let Some(s) = source_date_epoch.filter(|s| !s.trim().is_empty()) {
        let secs: i64 = s.trim().parse().map_err(|_| {
            Diagnostic::error(format!(
                "SOURCE_DATE_EPOCH `{s}` is not a number of seconds"
            ))
            .hint("set it to a Unix time, e.g. $(git log -1 --format=%ct)")
        })?;
        return Timestamp::from_second(secs).map(Some).map_err(|e| {
            Diagnostic::error(format!("SOURCE_DATE_EPOCH `{s}` is out of range: {e}"))
                .hint("set it to a Unix time, e.g. $(git log -1 --format=%ct)")
        });
    }
    Ok(None)
}

/// A date (midnight UTC) or an RFC 3339 time.
pub fn parse_now(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let d: jiff::civil::Date = s.parse().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// The site after every stage but render and output: what `build` renders and `check` reports on.
pub struct Loaded {
    pub site: Site,
    pub articles_md: Vec<Rendered>,
    pub sections_md: Vec<Option<Rendered>>,
    pub history: history::History,
    pub freshness: Vec<Freshness>,
    pub last_changes: Vec<Option<Change>>,
    pub diagnostics: Diagnostics,
    pub output_dir: PathBuf,
    pub now: Timestamp,
    pub theme: render::theme::Theme,
    /// Every link with its status. Broken ones are not in `diagnostics`: `check` reports them from
    /// here, and `build` turns them into warnings with [`links::diagnostics`].
    pub links: Vec<links::LinkResult>,
    /// What search indexes of each article (same index as `site.articles`); empty after
    /// [`load_for_check`], which renders nothing.
    pub search_terms: Vec<search::Terms>,
    /// Output files no Markdown file makes ([`generated_files`]).
    pub generated: Vec<String>,
    /// Page folders made in a new or empty output folder while history was read ([`build_with`]).
    pub premade: Option<output::Premade>,
    /// Wall time per stage, for `--verbose`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// config -> content -> (Markdown, links and search terms beside history) -> freshness: all that
/// rendering needs.
pub fn load(opts: &Options) -> Result<Loaded, Failure> {
    load_with(opts, Purpose::Render)
}

/// [`load`] without the search terms: for `check`, which renders nothing.
pub fn load_for_check(opts: &Options) -> Result<Loaded, Failure> {
    load_with(opts, Purpose::Check)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Check,
    Render,
    /// Render into the output folder: its page folders can be made during the load.
    Build,
}

fn load_with(opts: &Options, purpose: Purpose) -> Result<Loaded, Failure> {
    let search_terms = purpose != Purpose::Check;
    let mut timings = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, std::time::Duration)>| {
        timings.push((name, t.elapsed()));
        t = Instant::now();
    };
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Diagnostic::error(format!(
            "the site root `{}` is not a folder",
            root.display()
        ))
        .hint("pass --root with the folder that holds kbfresh.toml (or your content/ folder)")
        .into());
    }
    let mut config = Config::load(root)?;
    if let Some(b) = &opts.base_url {
        config.base_url = b.clone();
        // Re-validate through the same rules as the file.
        Config::parse(
            &format!("base_url = {}", toml_string(b)),
            Path::new("--base-url"),
        )
        .map_err(|d| Diagnostic {
            path: None,
            line: 0,
            column: 0,
            ..d
        })?;
    }
    let content_dir = match &opts.content {
        Some(c) => c.clone(),
        None => root.join(config.default_content_dir()),
    };
    let output_dir = match &opts.output {
        Some(o) => o.clone(),
        None => root.join(&config.output_dir),
    };
    let exclude = vec![output_dir.clone(), root.join(config::CACHE_DIR)];
    let (site, mut diags) = Site::load(
        root,
        &content_dir,
        config,
        &LoadOptions {
            drafts: opts.drafts,
            exclude,
        },
    );
    lap("content", &mut timings);
    let Some(mut site) = site else {
        return Err(Failure(diags.0));
    };
    if diags.has_errors() {
        diags.sort();
        return Err(Failure(diags.0));
    }

    // History (the only stage that talks to git) runs beside Markdown, the link check and the search
    // terms: on a cold cache the walk is the longest stage (it diffs on threads of its own), and it
    // needs nothing of theirs (paths, languages and `covers` are known once the content is read).
    let theme =
        render::theme::Theme::load(&site.root, site.config.theme.as_deref()).map_err(Failure)?;
    let extra_files = generated_files(&theme, &site);
    let (
        (history, history_diags, history_time),
        (articles_md, sections_md, link_results, search_terms, premade),
    ) = std::thread::scope(|scope| {
        let site = &site;
        let output_dir = &output_dir;
        let walk = scope.spawn(move || {
            let t = Instant::now();
            let (h, d) = history::History::read(site);
            (h, d, t.elapsed())
        });
        let beside = || {
            let (articles_md, sections_md) = markdown_all(site);
            let links = links::check_internal(site, &articles_md, &sections_md, &extra_files);
            let terms: Vec<search::Terms> = if search_terms {
                all_article_terms(site, &articles_md)
            } else {
                Vec::new()
            };
            // Last, so that with a walk it fills the time this core would wait for history.
            let premade = (purpose == Purpose::Build)
                .then(|| {
                    let contents = site.languages.iter().map(|l| l.content_dir.as_path());
                    output::check_target(output_dir, &site.root, contents).ok()?;
                    let pages = site.sections.iter().map(|s| s.path.as_str());
                    output::Premade::make(
                        output_dir,
                        pages.chain(site.articles.iter().map(|a| a.path.as_str())),
                    )
                })
                .flatten();
            (articles_md, sections_md, links, terms, premade)
        };
        // The walk diffs on a thread a core too: the operating system shares the cores, and when
        // either side finishes first the other has them all.
        let beside_done = beside();
        let walked = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (walked, beside_done)
    });
    lap("markdown, links, search beside history", &mut timings);
    timings.push(("history", history_time));
    diags.extend(history_diags.0);
    if diags.has_errors() {
        diags.sort();
        return Err(Failure(diags.0));
    }
    for (a, md) in site.articles.iter_mut().zip(&articles_md) {
        title_from_markdown(a, md);
    }
    for (s, md) in site.sections.iter_mut().zip(&sections_md) {
        // A home page (every language's) keeps its language's site title.
        if s.front.title.is_none()
            && s.parent.is_some()
            && let Some(h) = md.as_ref().and_then(|m| m.leading_h1.clone())
        {
            s.title = h;
        }
    }
    sort_site(&mut site);
    for a in &mut site.articles {
        diags.extend(clamp_future_verified(a, opts.now));
    }
    let (freshness, last_changes) = evaluate_freshness(&site, &history, opts.now);
    lap("freshness", &mut timings);

    diags.sort();
    Ok(Loaded {
        site,
        articles_md,
        sections_md,
        history,
        freshness,
        last_changes,
        diagnostics: diags,
        output_dir,
        now: opts.now,
        theme,
        links: link_results,
        search_terms,
        generated: extra_files,
        premade,
        timings,
    })
}

/// Every article's and section page's Markdown, rendered in parallel.
fn markdown_all(site: &Site) -> (Vec<Rendered>, Vec<Option<Rendered>>) {
    let articles_md: Vec<Rendered> = site
        .articles
        .par_iter()
        .map(|a| article_markdown(a, site))
        .collect();
    let sections_md: Vec<Option<Rendered>> = site
        .sections
        .par_iter()
        .map(|s| {
            s.index.as_ref().map(|src| {
                markdown::render(
                    &markdown::Input {
                        file: &src.text,
                        body_start: src.split.body_start,
                        dir: &s.dir,
                        drop_leading_h1: match &s.front.title {
                            Some(t) => DropH1::IfEquals(t),
                            None => DropH1::Always,
                        },
                    },
                    site,
                )
            })
        })
        .collect();
    (articles_md, sections_md)
}

/// Files of the output that no Markdown file makes: theme static files, 404, sitemap, robots.txt.
pub fn generated_files(theme: &render::theme::Theme, site: &Site) -> Vec<String> {
    let mut extra: Vec<String> = theme.statics.keys().cloned().collect();
    extra.extend(["404.html", "sitemap.xml", "robots.txt"].map(String::from));
    if theme.templates.contains_key("search.html") {
        // Every language's search page, at its home's `search/`.
        for l in &site.languages {
            let home = site.sections[l.home].path.trim_start_matches('/');
            extra.push(format!("{home}search/index.html"));
        }
    }
    extra
}

/// An article's Markdown, rendered; a leading `# Title` equal to the front-matter title is dropped.
pub fn article_markdown(a: &content::Article, site: &Site) -> Rendered {
    let drop = match &a.front.title {
        Some(t) => DropH1::IfEquals(t),
        None => DropH1::Always,
    };
    markdown::render(
        &markdown::Input {
            file: &a.src.text,
            body_start: a.src.split.body_start,
            dir: a.src.dir(),
            drop_leading_h1: drop,
        },
        site,
    )
}

/// An article's title: its front-matter title, else its leading `# Heading`, else the one content
/// gave it (from the file name).
fn article_title<'a>(a: &'a content::Article, md: &'a Rendered) -> &'a str {
    match (&a.front.title, &md.leading_h1) {
        (None, Some(h)) => h,
        _ => &a.title,
    }
}

/// Without a front-matter title, the leading `# Heading` is the title.
pub fn title_from_markdown(a: &mut content::Article, md: &Rendered) {
    a.title = article_title(a, md).to_string();
}

/// [`article_terms`] of every article, in parallel.
pub fn all_article_terms(site: &Site, articles_md: &[Rendered]) -> Vec<search::Terms> {
    (site.articles.par_iter().zip(articles_md))
        .map(|(a, md)| article_terms(a, site, md))
        .collect()
}

/// What search indexes of an article, from its rendered Markdown (before or after
/// [`title_from_markdown`]: the title is the same).
pub fn article_terms(a: &content::Article, site: &Site, md: &Rendered) -> search::Terms {
    search::Terms::of_html(&site.languages[a.lang].code, article_title(a, md), &md.html)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Runs the policy for every article.
pub fn evaluate_freshness(
    site: &Site,
    history: &history::History,
    now: Timestamp,
) -> (Vec<Freshness>, Vec<Option<Change>>) {
    (0..site.articles.len())
        .into_par_iter()
        .map(|i| evaluate_one(site, history, i, now))
        .unzip()
}

/// Runs the policy for one article.
pub fn evaluate_one(
    site: &Site,
    history: &history::History,
    i: usize,
    now: Timestamp,
) -> (Freshness, Option<Change>) {
    let a = &site.articles[i];
    let fh = history.files.get(i).and_then(|f| f.as_ref());
    let last_change = fh.and_then(|f| f.last_change.clone());
    // A translation answers to its source article's last change (or its uncommitted edit).
    let source = site
        .source_of(i)
        .and_then(|s| history.files.get(s).and_then(|f| f.as_ref()));
    let facts = freshness::Facts {
        verified: a.front.verified,
        describes: a.front.describes.as_deref(),
        has_covers: !a.front.covers.is_empty(),
        last_change: last_change.as_ref(),
        dirty: fh.is_some_and(|f| f.dirty),
        source_change: source.and_then(|f| f.last_change.as_ref()),
        source_dirty: source.is_some_and(|f| f.dirty),
        source_lang_name: &site.languages[0].name,
    };
    // Once per article, not once per release.
    let covers_hits = history.covers_hits(&a.front.covers);
    let hits = |r: usize| covers_hits.get(r).cloned().flatten();
    let policy =
        Policy::from_overrides(a.policy, site.config.freshness.edits_count_as_verification);
    (
        freshness::evaluate(&facts, &history.releases, &hits, &policy, now),
        last_change,
    )
}

/// A `verified` date after today is a typo that would keep an article fresh forever: it counts as
/// today, with a warning.
pub fn clamp_future_verified(a: &mut content::Article, now: Timestamp) -> Option<Diagnostic> {
    let today = freshness::date_of(now);
    let v = a.front.verified.filter(|v| *v > today)?;
    let (line, col) = a.src.key_position("verified");
    a.front.verified = Some(today);
    Some(
        Diagnostic::warning(format!(
            "`verified = {v}` is in the future; counting it as today ({today})"
        ))
        .at(a.src.shown.clone(), line, col)
        .hint("write the day the article was actually checked"),
    )
}

fn sort_key(weight: Option<i64>, title: &str) -> (bool, i64, String) {
    (weight.is_none(), weight.unwrap_or(0), title.to_lowercase())
}

/// Orders every section's articles and subsections: weight, then title.
pub fn sort_site(site: &mut Site) {
    let articles = &site.articles;
    let sections_snapshot: Vec<(Option<i64>, String)> = site
        .sections
        .iter()
        .map(|s| (s.front.weight, s.title.clone()))
        .collect();
    for s in &mut site.sections {
        s.articles.sort_by_cached_key(|&a| {
            let (w, t) = (articles[a].front.weight, &articles[a].title);
            (sort_key(w, t), articles[a].path.clone())
        });
        s.children
            .sort_by_cached_key(|&c| sort_key(sections_snapshot[c].0, &sections_snapshot[c].1));
    }
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub articles: usize,
    pub sections: usize,
    pub assets: usize,
    pub stats: output::Stats,
    pub output: PathBuf,
    pub elapsed: std::time::Duration,
    pub diagnostics: Diagnostics,
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// The whole pipeline: writes the site. On any error nothing in the output folder is touched.
pub fn build(opts: &Options) -> Result<BuildReport, Failure> {
    build_with(opts, false)
}

/// `build`, optionally checking external links too (broken ones become warnings).
pub fn build_with(opts: &Options, check_external: bool) -> Result<BuildReport, Failure> {
    let start = Instant::now();
    // With external links to check first (which can take minutes), no folders are made early: a
    // build stopped meanwhile would leave them behind.
    let purpose = if check_external {
        Purpose::Render
    } else {
        Purpose::Build
    };
    let mut loaded = load_with(opts, purpose)?;
    if check_external {
        let cfg = loaded.site.config.links.clone();
        let progress = links::show_progress(false);
        links::check_external(&mut loaded.links, &loaded.site.root, &cfg, true, progress);
    }
    build_loaded(loaded, start)
}

impl Loaded {
    /// The commit that created each article (across renames), when known.
    pub fn created(&self) -> Vec<Option<Change>> {
        (0..self.site.articles.len())
            .map(|i| {
                self.history
                    .files
                    .get(i)
                    .and_then(|f| f.as_ref())
                    .and_then(|f| f.created.clone())
            })
            .collect()
    }

    /// What the renderer reads.
    pub fn render_input<'a>(&'a self, created: &'a [Option<Change>]) -> render::Input<'a> {
        render::Input {
            site: &self.site,
            articles_md: &self.articles_md,
            sections_md: &self.sections_md,
            freshness: &self.freshness,
            last_changes: &self.last_changes,
            created,
            releases: &self.history.releases,
            search_terms: &self.search_terms,
            generator: GENERATOR,
            now: self.now,
        }
    }
}

/// What rendering the site leaves besides its files (which went to the sink).
pub struct Rendering {
    pub tera: tera::Tera,
    pub prepared: render::Prepared,
    /// The load's diagnostics plus link warnings and broken links the templates wrote.
    pub diagnostics: Diagnostics,
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// render: every page, each handed to `sink` as it is rendered, then the links the templates wrote.
pub fn render_loaded(
    loaded: &Loaded,
    created: &[Option<Change>],
    sink: &dyn render::Sink,
) -> Result<Rendering, Failure> {
    let site = &loaded.site;
    let mut timings = loaded.timings.clone();
    let t = Instant::now();
    let tera = render::environment(&loaded.theme).map_err(Failure)?;
    let input = loaded.render_input(created);
    let prepared = render::prepare(&input).map_err(Failure)?;
    let template_links = links::TemplateLinks::default();
    let scanning = links::Scanning {
        links: &template_links,
        next: sink,
    };
    render::render_prepared(&input, &prepared, &loaded.theme, &tera, &scanning).map_err(Failure)?;
    timings.push(("render", t.elapsed()));
    let t = Instant::now();
    // Links the templates wrote (navigation, theme files) on every rendered page.
    let md_hrefs: std::collections::HashSet<String> = loaded
        .articles_md
        .iter()
        .chain(loaded.sections_md.iter().flatten())
        .flat_map(|m| {
            m.links
                .iter()
                .map(|l| l.href.split(['#', '?']).next().unwrap_or("").to_string())
        })
        .collect();
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(links::diagnostics(&loaded.links));
    let (broken, clean) =
        template_links.finish(&site.base_path(), &md_hrefs, sink.previous().as_ref());
    sink.links_clean(clean);
    diagnostics.extend(broken);
    diagnostics.sort();
    timings.push(("template links", t.elapsed()));
    Ok(Rendering {
        tera,
        prepared,
        diagnostics,
        timings,
    })
}

pub fn build_loaded(mut loaded: Loaded, start: Instant) -> Result<BuildReport, Failure> {
    let premade = loaded.premade.take();
    let site = &loaded.site;
    output::check_target(
        &loaded.output_dir,
        &site.root,
        site.languages.iter().map(|l| l.content_dir.as_path()),
    )?;
    let created = loaded.created();
    // Pages are written as they render; they become the site only in `commit`.
    let writer = match premade {
        Some(p) => output::Writer::open_premade(p),
        None => output::Writer::open(&loaded.output_dir)?,
    };
    let Rendering {
        diagnostics,
        mut timings,
        ..
    } = render_loaded(&loaded, &created, &writer)?;
    let t = Instant::now();
    let stats = writer.commit()?;
    loaded.history.save_cache();
    timings.push(("output", t.elapsed()));
    Ok(BuildReport {
        pages: site.articles.len() + site.sections.len(),
        articles: site.articles.len(),
        sections: site.sections.len() - 1,
        assets: site.assets.len(),
        stats,
        output: loaded.output_dir.clone(),
        elapsed: start.elapsed(),
        diagnostics,
        timings,
    })
}
