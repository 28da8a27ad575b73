//! kbfresh: a static site generator for help centres that knows when an article went stale.
//!
//! Every command runs one pipeline over one site model, in this order (docs/architecture.md has
//! the module map and the layer table `tests/layers.rs` enforces):
//!
//! ```text
//! read_site  config -> content, with the theme, templates, words, output folder and aliases checked
//! load_with  history  ║  Markdown -> internal links -> search terms   (side by side)
//!            -> settle -> sort -> freshness                          = Loaded
//! build      load -> render -> output
//! check      load (+ the site's own templates into a discarding sink) -> external links -> report
//! ```

pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
mod fasthash;
pub mod freshness;
pub mod fsutil;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod history;
pub mod html;
pub mod init;
pub mod links;
pub mod loaded;
pub mod markdown;
pub mod output;
pub mod render;
pub mod report;
pub mod serve;
pub mod sink;
pub mod url;
pub mod verify;

use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::Timestamp;

use config::{Config, FailOn};
use content::{LoadOptions, Site};
use diagnostics::{Diagnostic, Diagnostics, Failure};
use freshness::Change;
pub use loaded::Loaded;
use loaded::Timings;
use report::{Report, Scope};

/// Options every command shares (the CLI's global flags).
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub content: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub now: Timestamp,
    pub drafts: bool,
    /// `--history FILE`: history from a file `kbfresh history export` wrote, not from git.
    pub history_file: Option<PathBuf>,
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
            history_file: None,
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

/// What the load makes for readers: the search terms of each article and highlighted code
/// (`check` publishes nothing, so it makes neither; neither can change a finding).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SearchTerms {
    Compute,
    Skip,
}

/// config -> content -> (Markdown, links and search terms beside history) -> settle -> freshness:
/// all that rendering needs. Writes nothing.
pub fn load(opts: &Options) -> Result<Loaded, Failure> {
    load_with(opts, SearchTerms::Compute, |_| ()).map(|(loaded, ())| loaded)
}

/// The load, with `beside_history(site)` run on this thread after the Markdown, links and search
/// terms, while history may still be walking (a build makes its page folders there).
fn load_with<T: Send>(
    opts: &Options,
    terms: SearchTerms,
    beside_history: impl FnOnce(&Site) -> T + Send,
) -> Result<(Loaded, T), Failure> {
    let mut timings = Timings::start();
    let ReadSite {
        mut site,
        env,
        generated,
        output_dir,
        mut diags,
    } = read_site(opts)?;
    if terms == SearchTerms::Skip {
        site.config.markdown.highlight = false;
    }
    timings.lap("content");

    // History (the only stage that talks to git) runs beside Markdown, the link check and the search
    // terms: on a cold cache the walk is the longest stage (it diffs on threads of its own), and it
    // needs nothing of theirs (paths, languages and `covers` are known once the content is read).
    let (
        (mut history, history_diags, history_time),
        (articles_md, sections_md, links, search_terms, extra),
    ) = std::thread::scope(|scope| {
        let site = &site;
        let walk = scope.spawn(move || {
            let t = Instant::now();
            let (h, d) = history::History::read(site, opts.history_file.as_deref());
            (h, d, t.elapsed())
        });
        // The walk diffs on a thread a core too: the operating system shares the cores, and
        // when either side finishes first the other has them all.
        let (articles_md, sections_md) = loaded::markdown_all(site);
        let links = links::check_internal(site, &articles_md, &sections_md, &generated);
        let terms = match terms {
            SearchTerms::Compute => loaded::all_article_terms(site, &articles_md),
            SearchTerms::Skip => Vec::new(),
        };
        let extra = beside_history(site);
        let walked = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (walked, (articles_md, sections_md, links, terms, extra))
    });
    timings.lap("markdown, links, search beside history");
    timings.add("history", history_time);
    diags.extend(history_diags.0);
    diags.extend(history.clamp_future(opts.now));
    if diags.has_errors() {
        diags.sort();
        return Err(Failure(diags.0));
    }

    diags.extend(content::publish_linked_assets(
        &mut site,
        links.iter().filter_map(|l| l.asset),
    ));
    for (a, md) in site.articles.iter_mut().zip(&articles_md) {
        diags.extend(loaded::settle_article(a, md, opts.now));
    }
    for (s, md) in site.sections.iter().zip(&sections_md) {
        if let (Some(src), Some(md)) = (&s.index, md) {
            diags.extend(markdown::not_understood(md, &src.shown));
        }
    }
    loaded::settle_sections(&mut site, &sections_md);
    loaded::sort_site(&mut site);
    site.images = loaded::images_shown(&site, &links);
    let (freshness, last_changes) = loaded::evaluate_freshness(&site, &history, opts.now);
    timings.lap("freshness");
    // Only pages show the trend: `check` (which skips the search terms too) does not replay it.
    let trend = if site.config.dashboard.enabled && terms == SearchTerms::Compute {
        let t = loaded::freshness_trend(&site, &history, &loaded::trend_times(&history, opts.now));
        timings.lap("trend");
        t
    } else {
        Vec::new()
    };

    diags.sort();
    let loaded = Loaded {
        site,
        articles_md,
        sections_md,
        history,
        freshness,
        last_changes,
        trend,
        diagnostics: diags,
        output_dir,
        now: opts.now,
        env,
        links,
        search_terms,
        generated,
        timings,
    };
    Ok((loaded, extra))
}

/// What [`read_site`] read: the site and everything checked with it.
struct ReadSite {
    site: Site,
    env: render::Env,
    /// Output files no Markdown file makes ([`loaded::generated_files`]).
    generated: Vec<String>,
    output_dir: PathBuf,
    /// Warnings and notes so far.
    diags: Diagnostics,
}

/// Folders without an index page or a tool's label are named by `[sections]` of their language's
/// `i18n/<code>.toml`, else the default language's, else (as the content stage left them) by their
/// folder name as words.
fn name_sections(site: &mut Site, words: &[render::words::Words]) {
    for s in &mut site.sections {
        if s.parent.is_none() || s.index.is_some() || s.front.nav_title.is_some() {
            continue;
        }
        let mount = &site.languages[s.lang].mount;
        let key = s
            .dir
            .strip_prefix(mount.as_str())
            .unwrap_or(&s.dir)
            .trim_matches('/');
        let named = words
            .get(s.lang)
            .and_then(|w| w.sections.get(key))
            .or_else(|| words.first().and_then(|w| w.sections.get(key)));
        if let Some(title) = named {
            s.title = title.clone();
        }
    }
}

/// config -> content, with the theme, its templates and every language's words, the output
/// folder and the aliases validated: every problem of the site's files, reported together.
fn read_site(opts: &Options) -> Result<ReadSite, Failure> {
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Diagnostic::error(format!(
            "the site root `{}` is not a folder",
            root.display()
        ))
        .hint("pass --root with the folder that holds kbfresh.toml (or your content/ folder)")
        .into());
    }
    let (mut config, config_errors) = Config::load_checked(root)?;
    if let Some(b) = &opts.base_url {
        config.base_url = b.clone();
        // Re-validate through the same rules as the file.
        Config::parse(
            &format!("base_url = {}", toml_string(b)),
            Path::new("--base-url"),
        )
        .map_err(|f| {
            Failure(
                f.0.into_iter()
                    .map(|d| Diagnostic {
                        path: None,
                        line: 0,
                        column: 0,
                        ..d
                    })
                    .collect(),
            )
        })?;
    }
    if !config_errors.is_empty() {
        // The content's folders and languages come from the config: its errors come with the
        // theme's (which only the theme setting and the language codes steer), not the content's.
        let mut errors = config_errors;
        let codes: Vec<String> = config
            .language_list()
            .into_iter()
            .map(|(c, _, _)| c)
            .collect();
        if let Err(e) = render::Env::load(root, config.theme.as_deref(), None, &codes) {
            errors.extend(e);
        }
        return Err(Failure(errors));
    }
    let content_dir = match &opts.content {
        Some(c) => c.clone(),
        None => root.join(config.default_content_dir()),
    };
    let tool = content::dialect::detect(root, &content_dir, config.dialect);
    let public = tool.as_ref().and_then(|t| t.public_dir(&content_dir));
    let mut diags_early = Vec::new();
    if let (Some(t), Some(p)) = (&tool, &public)
        && opts.output.is_none()
        && std::fs::canonicalize(root.join(&config.output_dir)).is_ok_and(|o| o == *p)
    {
        // Astro serves `public/` and builds into `dist/`: kbfresh's default output would be the
        // site's own files.
        config.output_dir = t.project.join("dist");
        diags_early.push(Diagnostic::note(format!(
            "the output goes to `{}` (Astro's build folder): `public/` holds the site's files",
            config
                .output_dir
                .strip_prefix(root)
                .unwrap_or(&config.output_dir)
                .display()
        )));
    }
    let output_dir = match &opts.output {
        Some(o) => o.clone(),
        None => root.join(&config.output_dir),
    };
    let theme = config.theme.clone();
    let codes: Vec<String> = config
        .language_list()
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    let load_options = LoadOptions {
        drafts: opts.drafts,
        dialect: tool,
        exclude: vec![output_dir.clone(), root.join(config::CACHE_DIR)],
        served: public.clone(),
    };
    let (site, mut diags) = Site::load(root, &content_dir, config, &load_options);
    diags.extend(diags_early);
    // Checked here, not when rendering, so that `check` fails where `build` would, and their errors
    // come with the content's.
    let env = render::Env::load(root, theme.as_deref(), public.as_deref(), &codes)
        .map_err(|e| diags.extend(e))
        .ok();
    if let Some(site) = &site {
        let contents = site.languages.iter().map(|l| l.content_dir.as_path());
        let mut reads = vec![
            (root.join("templates"), "the site's templates folder"),
            (root.join("static"), "the site's static folder"),
            (root.join(".git"), "the git folder"),
            (root.join(config::CACHE_DIR), "kbfresh's cache folder"),
        ];
        if let Some(t) = theme.as_deref().filter(|t| *t != "default") {
            reads.push((root.join(t), "the theme folder"));
        }
        if let Some(p) = &public {
            reads.push((p.clone(), "the docs tool's public folder"));
        }
        if let Err(d) = output::check_target(&output_dir, &site.root, contents, &reads) {
            diags.push(d);
        }
    }
    let (Some(mut site), Some(env)) = (site, env) else {
        diags.sort();
        return Err(Failure(diags.0));
    };
    name_sections(&mut site, &env.words);
    for (l, w) in site.languages.iter_mut().zip(&env.words) {
        l.labels = w.labels();
    }
    let generated = loaded::generated_files(&env.theme, &site);
    diags.extend(render::tags::generated(&site).1);
    let folders = loaded::generated_folders(&site);
    diags.extend(content::aliases::generated_collisions(
        &site, &generated, &folders,
    ));
    let (aliases, alias_diags) = content::aliases::resolve(&site, &generated, &folders);
    site.aliases = aliases;
    diags.extend(alias_diags);
    diags.extend(content::images::resolve_all(&mut site, &generated));
    if diags.has_errors() {
        diags.sort();
        return Err(Failure(diags.0));
    }
    Ok(ReadSite {
        site,
        env,
        generated,
        output_dir,
        diags,
    })
}

/// What `check` is asked: the CLI's `check` flags, typed.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `None`: `[check] fail_on`, else [`FailOn::defaults`].
    pub fail_on: Option<Vec<FailOn>>,
    /// Only articles changed since this revision can fail.
    pub changed_since: Option<String>,
    pub owner: Option<String>,
    /// Content-relative folder.
    pub section: Option<String>,
    /// No external links (no network).
    pub offline: bool,
    /// Check external links again even when the cache trusts them.
    pub no_cache: bool,
    /// A progress bar for external links.
    pub progress: bool,
    pub verbose: bool,
    /// The digest's window in days (`--due-within`).
    pub due_within: u32,
    /// Read the originals' earlier texts for `--format translator`.
    pub translator_packets: bool,
}

/// What `check` found.
pub struct Checked {
    pub report: Report,
    /// The load's warnings and notes (link findings are in the report).
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// config -> content -> (Markdown, links beside history) -> settle -> freshness -> external links
/// -> report. Writes nothing. Fails (exit 2) on exactly what fails `build`.
pub fn check(opts: &Options, co: &CheckOptions) -> Result<Checked, Failure> {
    let mut loaded = load_for_check(opts)?;
    let scope = check_scope(&loaded, co)?;
    if !co.offline {
        let cfg = loaded.site.config.links.clone();
        let root = loaded.site.root.clone();
        links::check_external(&mut loaded.links, &root, &cfg, !co.no_cache, co.progress);
        loaded.timings.lap("external links");
    }
    let fail_on = co
        .fail_on
        .clone()
        .or_else(|| loaded.site.config.check.fail_on.clone())
        .unwrap_or_else(FailOn::defaults);
    let mut report = Report::build(&loaded, &fail_on, &scope);
    if co.translator_packets {
        report.add_translator_packets(&loaded);
    }
    loaded.timings.lap("report");
    Ok(Checked {
        report,
        diagnostics: loaded.diagnostics,
        timings: loaded.timings,
    })
}

/// What `kbfresh history export` wrote.
pub struct Exported {
    pub bytes: usize,
    /// Files with a history in it.
    pub files: usize,
    pub releases: usize,
    pub commit: String,
    pub diagnostics: Diagnostics,
}

/// `kbfresh history export FILE`: reads the site and its history as a build does and writes the
/// history file.
pub fn export_history(opts: &Options, file: &Path) -> Result<Exported, Failure> {
    if opts.history_file.is_some() {
        return Err(Failure::from(
            Diagnostic::error("`history export` reads git, not a history file")
                .hint("remove --history; run the export where the whole history is"),
        ));
    }
    let (loaded, ()) = load_with(opts, SearchTerms::Skip, |_| ())?;
    let h = &loaded.history;
    let (bytes, files) = h.export(file).map_err(|d| Failure(vec![d]))?;
    // The walk the file was made from is the cache's too.
    h.save_cache();
    Ok(Exported {
        bytes,
        files,
        releases: h.releases.len(),
        commit: h.head.clone().unwrap_or_default(),
        diagnostics: loaded.diagnostics,
    })
}

/// The load for `check`. Templates of the site's own are rendered into a [`sink::Discard`]: a
/// template can fail on data that only rendering meets, and `check` must fail where `build` would
/// (the embedded theme's templates are covered by the test suite).
fn load_for_check(opts: &Options) -> Result<Loaded, Failure> {
    let (mut loaded, ()) = load_with(opts, SearchTerms::Skip, |_| ())?;
    if loaded.env.theme.has_own_templates() {
        loaded.search_terms = loaded::all_article_terms(&loaded.site, &loaded.articles_md);
        let created = loaded.created();
        let rendering = render_loaded(&loaded, &created, &sink::Discard)?;
        loaded.timings = rendering.timings;
    }
    Ok(loaded)
}

/// Which articles can fail the check: `--changed-since`, `--owner`, `--section`.
fn check_scope(loaded: &Loaded, co: &CheckOptions) -> Result<Scope, Failure> {
    let changed = match &co.changed_since {
        Some(rev) => Some(history::changed_since(&loaded.site, rev)?),
        None => None,
    };
    if let Some(s) = &co.section {
        let dir = s.trim_matches('/');
        if !loaded.site.sections.iter().any(|sec| sec.dir == dir) {
            return Err(Diagnostic::error(format!(
                "--section `{s}` is not a section of this site"
            ))
            .hint("give a folder under the content folder, e.g. --section billing")
            .into());
        }
    }
    Ok(Scope {
        changed,
        owner: co.owner.clone(),
        section: co.section.clone(),
        verbose: co.verbose,
        due_within: co.due_within,
    })
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub articles: usize,
    pub sections: usize,
    /// Pages standing in for missing translations (`fallback = true`).
    pub fallbacks: usize,
    pub assets: usize,
    /// Files of the content folder not published (not an `[assets]` type, and no page links there).
    pub left_out: usize,
    pub stats: output::Stats,
    pub output: PathBuf,
    pub elapsed: std::time::Duration,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// The whole pipeline: writes the site. On any error nothing in the output folder is touched.
pub fn build(opts: &Options) -> Result<BuildReport, Failure> {
    build_with(opts, false)
}

/// `build`, optionally checking external links too (broken ones become warnings).
pub fn build_with(opts: &Options, check_external: bool) -> Result<BuildReport, Failure> {
    let start = Instant::now();
    // In a new or empty output folder the page folders are made while history is read, when a
    // core would otherwise wait. Not with external links to check first (which can take minutes):
    // a build stopped meanwhile would leave them behind.
    // The output folder's lock is taken once the load has validated the folder, before anything
    // is made in it.
    let (mut loaded, early) = load_with(opts, SearchTerms::Compute, |site| {
        if check_external {
            return None;
        }
        let out = opts
            .output
            .clone()
            .unwrap_or_else(|| site.root.join(&site.config.output_dir));
        // Premade folders first: they are undone before the lock goes.
        Some(output::lock(&out).map(|lock| {
            let pages = site.sections.iter().map(|s| s.path.as_str());
            let premade = output::Premade::make(
                &out,
                pages.chain(site.articles.iter().map(|a| a.path.as_str())),
            );
            (premade, lock)
        }))
    })?;
    let (premade, lock) = match early {
        Some(taken) => taken?,
        None => (None, output::lock(&loaded.output_dir)?),
    };
    if check_external {
        let cfg = loaded.site.config.links.clone();
        let progress = links::show_progress(false);
        links::check_external(&mut loaded.links, &loaded.site.root, &cfg, true, progress);
    }
    write_site(loaded, &lock, premade, start)
}

/// What rendering the site leaves besides its files (which went to the sink).
pub struct Rendering {
    pub prepared: render::Prepared,
    /// The load's diagnostics plus link warnings and broken links the templates wrote.
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// render: every page, each handed to `sink` as it is rendered, then the links the templates wrote.
pub fn render_loaded(
    loaded: &Loaded,
    created: &[Option<Change>],
    sink: &dyn sink::Sink,
) -> Result<Rendering, Failure> {
    let mut timings = loaded.timings.clone();
    timings.resume();
    let env = &loaded.env;
    let input = loaded.render_input(created);
    let prepared = render::prepare(&input);
    let template_links = links::template::TemplateLinks::default();
    let scanning = links::template::Scanning {
        links: &template_links,
        next: sink,
    };
    render::render_prepared(&input, &prepared, &env.theme, &env.tera, &scanning)
        .map_err(Failure)?;
    timings.lap("render");
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(links::diagnostics(&loaded.links));
    let markdown_hrefs = links::template::markdown_hrefs(&loaded.articles_md, &loaded.sections_md);
    let (broken, clean) = template_links.finish(
        &loaded.site.base_path(),
        &markdown_hrefs,
        sink.previous().as_ref(),
    );
    sink.links_clean(clean);
    diagnostics.extend(broken);
    diagnostics.sort();
    timings.lap("template links");
    Ok(Rendering {
        prepared,
        diagnostics,
        timings,
    })
}

/// render -> output: pages are written as they render and become the site only in the commit.
fn write_site(
    loaded: Loaded,
    _lock: &output::Lock,
    premade: Option<output::Premade>,
    start: Instant,
) -> Result<BuildReport, Failure> {
    let site = &loaded.site;
    let created = loaded.created();
    // Pages are written as they render; they become the site only in `commit`.
    let writer = match premade {
        Some(p) => output::Writer::open_premade(p),
        None => output::Writer::open(&loaded.output_dir)?,
    };
    let rolled_back = writer.rolled_back;
    let Rendering {
        mut diagnostics,
        mut timings,
        ..
    } = render_loaded(&loaded, &created, &writer)?;
    if rolled_back {
        diagnostics.push(
            Diagnostic::warning(format!(
                "the last build into `{}` was stopped while putting its pages in place; its changes were rolled back first",
                loaded.output_dir.display()
            ))
            .hint("nothing to do: this build is the whole site"),
        );
    }
    if site.config.dashboard.json {
        use sink::Sink;
        writer
            .put(sink::OutFile {
                path: "freshness.json".into(),
                data: sink::OutData::Bytes(report::freshness_json(&loaded)),
            })
            .map_err(|d| Failure(vec![d]))?;
    }
    let stats = writer.commit()?;
    loaded.history.save_cache();
    timings.lap("output");
    Ok(BuildReport {
        pages: site.articles.len() + site.sections.len() + site.fallbacks.len(),
        articles: site.articles.len(),
        sections: site.sections.len() - 1,
        fallbacks: site.fallbacks.len(),
        assets: site.assets.iter().filter(|a| a.published).count(),
        left_out: site.assets.iter().filter(|a| !a.published).count() + site.skipped,
        stats,
        output: loaded.output_dir.clone(),
        elapsed: start.elapsed(),
        diagnostics,
        timings,
    })
}
