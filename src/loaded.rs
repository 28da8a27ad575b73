//! The analysed site: every stage but render and output has run. What `check` reports on, `build`
//! renders and `serve` keeps; and the per-article steps that the load and `serve` both run.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::content::{self, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::freshness::{self, Change, Freshness, Policy};
use crate::markdown::{self, DropH1, Rendered};
use crate::{history, links, render};

/// The site after every stage but render and output: what `build` renders and `check` reports on.
pub struct Loaded {
    pub site: Site,
    pub articles_md: Vec<Rendered>,
    pub sections_md: Vec<Option<Rendered>>,
    pub history: history::History,
    pub freshness: Vec<Freshness>,
    pub last_changes: Vec<Option<Change>>,
    /// The dashboard's trend before today (empty for `check`, and without a dashboard).
    pub trend: Vec<freshness::TrendPoint>,
    pub diagnostics: Diagnostics,
    pub output_dir: PathBuf,
    pub now: Timestamp,
    /// The theme, its compiled templates and every language's words.
    pub env: render::Env,
    /// Every link with its status. Broken ones are not in `diagnostics`: `check` reports them from
    /// here, and `build` turns them into warnings with [`links::diagnostics`].
    pub links: Vec<links::LinkResult>,
    /// What search indexes of each article (same index as `site.articles`); empty after
    /// `check`, which renders nothing.
    pub search_terms: Vec<render::search::Terms>,
    /// Output files no Markdown file makes ([`generated_files`]).
    pub generated: Vec<String>,
    /// Wall time per stage, for `--verbose`.
    pub timings: Timings,
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
            generator: render::GENERATOR,
            now: self.now,
            words: &self.env.words,
            trend: &self.trend,
        }
    }
}

/// Wall time per stage, in the order they ran, for `--verbose`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    stages: Vec<(&'static str, Duration)>,
    lap: Option<Instant>,
}

impl Timings {
    /// Starts timing; the first [`Timings::lap`] measures from here.
    pub fn start() -> Timings {
        Timings {
            stages: Vec::new(),
            lap: Some(Instant::now()),
        }
    }

    /// Records the time since the last lap (or the start) as stage `name`.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        let since = self.lap.replace(now).unwrap_or(now);
        self.stages.push((name, now - since));
    }

    /// Records a stage timed elsewhere (one that ran beside others); laps go on from now.
    pub fn add(&mut self, name: &'static str, took: Duration) {
        self.stages.push((name, took));
        self.lap = Some(Instant::now());
    }

    /// Laps go on from now (after a pause that is not a stage).
    pub fn resume(&mut self) {
        self.lap = Some(Instant::now());
    }

    pub fn stages(&self) -> &[(&'static str, Duration)] {
        &self.stages
    }

    /// `stages: content 12 ms, history 40 ms, ...`
    pub fn line(&self) -> String {
        let parts: Vec<String> = self
            .stages
            .iter()
            .map(|(n, d)| format!("{n} {} ms", d.as_millis()))
            .collect();
        format!("stages: {}", parts.join(", "))
    }
}

/// Without a front-matter title, a section page's leading `# Heading` is its title, else its first
/// heading of any level; a home page (every language's) keeps its language's site title.
pub fn settle_sections(site: &mut Site, sections_md: &[Option<Rendered>]) {
    for (s, md) in site.sections.iter_mut().zip(sections_md) {
        if s.front.title.is_none()
            && s.parent.is_some()
            && let Some(h) = md
                .as_ref()
                .and_then(|m| m.leading_h1.clone().or_else(|| m.first_heading.clone()))
        {
            s.title = h;
        }
    }
}

/// After its Markdown is rendered: the article's title from its heading, and a future `verified`
/// clamped to today. The load runs it for every article, `serve` for each one it reloads.
pub fn settle_article(a: &mut content::Article, md: &Rendered, now: Timestamp) -> Vec<Diagnostic> {
    title_from_markdown(a, md);
    let mut diags = markdown::not_understood(md, &a.src.shown);
    diags.extend(clamp_future_verified(a, now));
    diags
}

/// Every article's and section page's Markdown, rendered in parallel.
pub fn markdown_all(site: &Site) -> (Vec<Rendered>, Vec<Option<Rendered>>) {
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
                        // Its own folder: `blog.md` (the page of `blog/`) sits beside it.
                        dir: src.dir(),
                        drop_leading_h1: match &s.front.title {
                            Some(t) => DropH1::IfEquals(t),
                            None => DropH1::Always,
                        },
                        labels: &site.languages[s.lang].labels,
                        mdx: src.is_mdx(),
                        expanded: src.expanded.as_deref(),
                        options: site.config.markdown,
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
    for l in &site.languages {
        let home = site.sections[l.home].path.trim_start_matches('/');
        extra.push(format!("{home}feed.xml"));
    }
    extra.extend(render::tags::generated(site).0);
    if site.config.dashboard.json {
        extra.push("freshness.json".into());
    }
    if theme.templates.contains_key("search.html") {
        // Every language's search page, at its home's `search/`.
        for l in &site.languages {
            let home = site.sections[l.home].path.trim_start_matches('/');
            extra.push(format!("{home}search/index.html"));
        }
    }
    extra
}

/// Folders whose every file the build writes, each ending in `/`: each language's search index
/// and the dashboard.
pub fn generated_folders(site: &Site) -> Vec<String> {
    let mut dirs: Vec<String> = site
        .languages
        .iter()
        .map(|l| format!("{}/", render::search::index_dir(&l.code)))
        .collect();
    if site.config.dashboard.enabled {
        dirs.push(format!("{}/", site.config.dashboard.path.trim_matches('/')));
    }
    dirs
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
            mdx: a.src.is_mdx(),
            expanded: a.src.expanded.as_deref(),
            options: site.config.markdown,
            labels: &site.languages[a.lang].labels,
        },
        site,
    )
}

/// An article's title: its front-matter title, else its leading `# Heading`, else its first heading
/// of any level, else the one content gave it (the file name as words).
fn article_title<'a>(a: &'a content::Article, md: &'a Rendered) -> &'a str {
    if a.front.title.is_some() {
        return &a.title;
    }
    md.leading_h1
        .as_deref()
        .or(md.first_heading.as_deref())
        .unwrap_or(&a.title)
}

/// Without a front-matter title, the leading `# Heading` is the title.
fn title_from_markdown(a: &mut content::Article, md: &Rendered) {
    a.title = article_title(a, md).to_string();
}

/// [`article_terms`] of every article, in parallel.
pub fn all_article_terms(site: &Site, articles_md: &[Rendered]) -> Vec<render::search::Terms> {
    (site.articles.par_iter().zip(articles_md))
        .map(|(a, md)| article_terms(a, site, md))
        .collect()
}

/// What search indexes of an article, from its rendered Markdown (before or after
/// [`title_from_markdown`]: the title is the same).
pub fn article_terms(a: &content::Article, site: &Site, md: &Rendered) -> render::search::Terms {
    let fields = render::search::Fields {
        title: article_title(a, md),
        boost: &a.front.keywords,
        also_boost: &a.front.tags,
        description: a.front.description.as_deref().unwrap_or(""),
    };
    render::search::Terms::of_html(&site.languages[a.lang].code, fields, &md.html)
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

/// Per article, the images its links reach (indexes into `site.assets`), each once.
pub fn images_shown(site: &Site, links: &[crate::links::LinkResult]) -> Vec<Vec<usize>> {
    let mut images = vec![Vec::new(); site.articles.len()];
    for l in links {
        if let Some(i) = l.article {
            add_image(site, &mut images[i], l);
        }
    }
    images
}

/// The images one article's links reach (`links` all of that article).
pub fn images_of(site: &Site, links: &[crate::links::LinkResult]) -> Vec<usize> {
    let mut images = Vec::new();
    for l in links {
        add_image(site, &mut images, l);
    }
    images
}

fn add_image(site: &Site, images: &mut Vec<usize>, l: &crate::links::LinkResult) {
    if let Some(k) = l.asset
        && site.assets[k].is_image()
        && !images.contains(&k)
    {
        images.push(k);
    }
}

/// The files article `i` shows besides itself, with their histories: what it includes (a
/// translation also what its original includes), each once, and its pictures.
fn shown_files<'a>(
    site: &'a Site,
    history: &'a history::History,
    i: usize,
) -> Vec<(String, Option<&'a history::FileHistory>)> {
    let source_idx = site.source_of(i);
    let mut seen: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for j in site
        .included_by(i)
        .chain(source_idx.into_iter().flat_map(|s| site.included_by(s)))
    {
        // Original and translation often include the same file: once.
        if seen.contains(&j) {
            continue;
        }
        seen.push(j);
        let h = history.includes.get(j).and_then(|h| h.as_ref());
        out.push((site.includes[j].shown.display().to_string(), h));
    }
    // Its pictures: a replaced screenshot is a change to the article.
    for &k in site.images.get(i).into_iter().flatten() {
        let h = history.assets.get(k).and_then(|h| h.as_ref());
        out.push((site.assets[k].shown.display().to_string(), h));
    }
    out
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
    let own_change = fh.and_then(|f| f.last_change.as_ref());
    // A translation answers to its source article's last change (or its uncommitted edit).
    let source = site
        .source_of(i)
        .and_then(|s| history.files.get(s).and_then(|f| f.as_ref()));
    let shown = shown_files(site, history, i);
    let includes: Vec<freshness::IncludeChange<'_>> = shown
        .iter()
        .map(|(path, h)| freshness::IncludeChange {
            path,
            last_change: h.and_then(|h| h.last_change.as_ref()),
            dirty: h.is_some_and(|h| h.dirty),
        })
        .collect();
    // The article changed when anything it shows changed: its last change is the newest.
    let last_change = includes
        .iter()
        .filter_map(|c| c.last_change)
        .chain(own_change)
        .max_by_key(|c| c.date)
        .cloned();
    let facts = freshness::Facts {
        verified: a.front.verified,
        describes: a.front.describes.as_deref(),
        has_covers: !a.front.covers.is_empty(),
        last_change: own_change,
        dirty: fh.is_some_and(|f| f.dirty),
        source_change: source.and_then(|f| f.last_change.as_ref()),
        source_dirty: source.is_some_and(|f| f.dirty),
        source_lang_name: &site.languages[0].name,
        includes: &includes,
        outdated: a.front.outdated.as_deref(),
    };
    // Once per article, not once per release.
    let covers_hits = history.covers_hits(&a.front.covers);
    let hits = |r: usize| covers_hits.get(r).cloned().flatten();
    let policy = Policy::from_overrides(a.policy, &site.config.freshness);
    (
        freshness::evaluate(&facts, &history.releases, &hits, &policy, now),
        last_change,
    )
}

/// Points of the dashboard's trend at most.
pub const TREND_POINTS: usize = 12;

/// When the dashboard's trend looks back to: the last [`TREND_POINTS`] releases before `now` when
/// there are [`freshness::TREND_MIN_RELEASES`] or more, else the first day of each of the last months, from the month the
/// oldest article was added. Empty without history.
pub fn trend_times(history: &history::History, now: Timestamp) -> Vec<(String, Timestamp)> {
    let mut released: Vec<&freshness::Release> =
        history.releases.iter().filter(|r| r.date < now).collect();
    if released.len() >= freshness::TREND_MIN_RELEASES {
        released.sort_by_key(|r| r.date);
        let from = released.len().saturating_sub(TREND_POINTS);
        return released[from..]
            .iter()
            .map(|r| (r.tag.clone(), r.date))
            .collect();
    }
    let Some(first) = history
        .files
        .iter()
        .flatten()
        .filter_map(|f| f.created.as_ref())
        .map(|c| c.date)
        .min()
    else {
        return Vec::new();
    };
    let month_start = |d: jiff::civil::Date| d.first_of_month();
    let first = month_start(freshness::date_of(first));
    let mut out = Vec::new();
    let mut m = month_start(freshness::date_of(now));
    while m > first && out.len() < TREND_POINTS {
        if let Ok(t) = m.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()) {
            out.push((m.strftime("%Y-%m").to_string(), t));
        }
        let Ok(prev) = m.checked_sub(jiff::Span::new().months(1)) else {
            break;
        };
        m = prev;
    }
    out.reverse();
    out
}

/// The newest of a file's changes at or before `t` (Unix seconds): a [`Change`] with the time
/// only, which is all the policy reads of past changes.
fn change_at(f: Option<&history::FileHistory>, t: i64) -> Option<Change> {
    let secs = *f?.changes.iter().find(|&&c| c <= t)?;
    Some(Change {
        commit: String::new(),
        date: Timestamp::from_second(secs).ok()?,
        author: String::new(),
    })
}

/// The dashboard's trend: at each of `times`, how many articles were fresh, due, stale and
/// unknown, by the same policy replayed with what history says was true then. An article counts
/// from the commit that added it; each commit that changed it counts as a check when edits count
/// as verification, and its `verified` and `describes` count from their date (the history of
/// front matter is not read); `outdated` and uncommitted edits are today's, so not replayed.
pub fn freshness_trend(
    site: &Site,
    history: &history::History,
    times: &[(String, Timestamp)],
) -> Vec<freshness::TrendPoint> {
    if times.is_empty() {
        return Vec::new();
    }
    let empty = || -> Vec<freshness::TrendPoint> {
        times
            .iter()
            .map(|(label, t)| freshness::TrendPoint {
                label: label.clone(),
                date: freshness::date_of(*t),
                ..Default::default()
            })
            .collect()
    };
    (0..site.articles.len())
        .into_par_iter()
        .fold(empty, |mut acc, i| {
            let a = &site.articles[i];
            let fh = history.files.get(i).and_then(|f| f.as_ref());
            let Some(created) = fh.and_then(|f| f.created.as_ref()).map(|c| c.date) else {
                return acc;
            };
            let source = site
                .source_of(i)
                .and_then(|s| history.files.get(s).and_then(|f| f.as_ref()));
            let shown = shown_files(site, history, i);
            let covers_hits = history.covers_hits(&a.front.covers);
            let hits = |r: usize| covers_hits.get(r).cloned().flatten();
            let policy = Policy::from_overrides(a.policy, &site.config.freshness);
            for (p, (_, t)) in acc.iter_mut().zip(times) {
                if created > *t {
                    continue;
                }
                let secs = t.as_second();
                let day = freshness::date_of(*t);
                let own = change_at(fh, secs);
                let src = change_at(source, secs);
                let then: Vec<Option<Change>> =
                    shown.iter().map(|(_, h)| change_at(*h, secs)).collect();
                let includes: Vec<freshness::IncludeChange<'_>> = shown
                    .iter()
                    .zip(&then)
                    .map(|((path, _), c)| freshness::IncludeChange {
                        path,
                        last_change: c.as_ref(),
                        dirty: false,
                    })
                    .collect();
                let verified = a.front.verified.filter(|v| *v <= day);
                let facts = freshness::Facts {
                    verified,
                    describes: a.front.describes.as_deref().filter(|_| verified.is_some()),
                    has_covers: !a.front.covers.is_empty(),
                    last_change: own.as_ref(),
                    dirty: false,
                    source_change: src.as_ref(),
                    source_dirty: false,
                    source_lang_name: &site.languages[0].name,
                    includes: &includes,
                    outdated: None,
                };
                let f = freshness::evaluate(&facts, &history.releases, &hits, &policy, *t);
                p.count(f.status);
            }
            acc
        })
        .reduce(empty, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.fresh += y.fresh;
                x.due += y.due;
                x.stale += y.stale;
                x.unknown += y.unknown;
            }
            a
        })
}

/// A `verified` date after today is a typo that would keep an article fresh forever: it counts as
/// today, with a warning.
fn clamp_future_verified(a: &mut content::Article, now: Timestamp) -> Option<Diagnostic> {
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
        .map(|s| (s.front.order(), s.title.clone()))
        .collect();
    for s in &mut site.sections {
        s.articles.sort_by_cached_key(|&a| {
            let (w, t) = (articles[a].front.order(), &articles[a].title);
            (sort_key(w, t), articles[a].path.clone())
        });
        s.children
            .sort_by_cached_key(|&c| sort_key(sections_snapshot[c].0, &sections_snapshot[c].1));
    }
}
