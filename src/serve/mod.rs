//! `kbfresh serve`: builds the site into memory, serves it over HTTP, watches the sources and tells
//! browsers to reload. Nothing is written to the output folder.
//!
//! A saved article re-renders that article and the pages that show it (its section, the home page,
//! its neighbours when its title, order or status changed); templates, static files and the config
//! rebuild everything. A build error keeps the last good pages and shows an overlay instead.

mod http;
mod watch;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use jiff::Timestamp;

use crate::diagnostics::{Diagnostic, Failure};
use crate::freshness::Change;
use crate::loaded::{self, Loaded};
use crate::sink::{OutData, OutFile};
use crate::{Options, Rendering};

/// `serve`'s own flags.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    /// Host names answered besides IP addresses, `localhost` and `*.localhost` (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// Freshness is judged at a fixed time (`--now` or `SOURCE_DATE_EPOCH`) instead of the clock.
    pub fixed_now: bool,
}

/// One file the server answers with.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Arc<[u8]>),
    Static(&'static [u8]),
    /// A file read from disk on each request (a static file or an image, so an edit shows without a
    /// rebuild), with the real path the build validated: a file replaced by a link to elsewhere
    /// since is never read ([`read_validated`]).
    File {
        path: PathBuf,
        real: PathBuf,
    },
}

impl From<OutData> for Body {
    fn from(d: OutData) -> Body {
        match d {
            OutData::Bytes(b) => Body::Bytes(b.into()),
            OutData::Static(b) => Body::Static(b),
            OutData::Copy(path) => Body::File {
                real: std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()),
                path,
            },
        }
    }
}

/// The bytes of a served file, when `path` is still the regular file at `real` that the build
/// validated: not when it (or a folder above it) has since become a link to anywhere else. The
/// file is opened first and then compared with what is at `real`, so a swap between the two cannot
/// slip through.
pub fn read_validated(path: &std::path::Path, real: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let refused = || {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "changed since the build",
        )
    };
    let mut file = std::fs::File::open(path)?;
    let opened = file.metadata()?;
    let at_real = std::fs::symlink_metadata(real)?;
    if !at_real.is_file() || std::fs::canonicalize(path)? != real {
        return Err(refused());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (at_real.dev(), at_real.ino()) {
            return Err(refused());
        }
    }
    #[cfg(not(unix))]
    let _ = opened;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What the HTTP side reads: the files of the last good build and the errors of the last try.
#[derive(Default)]
pub struct Snapshot {
    pub files: HashMap<String, Body>,
    /// Errors of the last build, shown as an overlay on every page until a build succeeds.
    pub errors: Vec<String>,
}

/// A message to every open page.
#[derive(Debug, Clone)]
pub enum Event {
    Reload,
    Errors(Vec<String>),
    Ok,
}

pub struct Shared {
    pub snapshot: RwLock<Snapshot>,
    pub events: tokio::sync::broadcast::Sender<Event>,
    /// Tells a page that the server restarted (its pages may differ).
    pub server_id: String,
    /// Host names answered besides IP addresses and `localhost` (lowercase, no trailing dot).
    pub allowed_hosts: Vec<String>,
}

impl Shared {
    /// Adds or replaces some files after a good rebuild (which clears the errors shown).
    fn publish(&self, files: Vec<OutFile>) {
        let mut snap = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        for f in files {
            snap.files.insert(f.path, f.data.into());
        }
        snap.errors.clear();
    }

    fn replace(&self, files: Vec<OutFile>) {
        let mut snap = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        snap.files = files.into_iter().map(|f| (f.path, f.data.into())).collect();
        snap.errors.clear();
    }

    fn set_errors(&self, errors: Vec<String>) {
        self.snapshot
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .errors = errors.clone();
        // No receivers (no page open) is fine.
        let _ = self.events.send(Event::Errors(errors));
    }

    fn send(&self, e: Event) {
        let _ = self.events.send(e);
    }
}

/// Binds the address; a port in use names a free one.
pub fn bind(addr: IpAddr, port: u16) -> Result<TcpListener, Diagnostic> {
    match TcpListener::bind(SocketAddr::new(addr, port)) {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let free = (port.saturating_add(1)..port.saturating_add(100))
                .find(|&p| TcpListener::bind(SocketAddr::new(addr, p)).is_ok());
            let hint = match free {
                Some(p) => format!(
                    "port {p} is free: run `kbfresh serve --port {p}`, or `--port 0` to let the system pick one"
                ),
                None => "pass `--port 0` to let the system pick a free port".to_string(),
            };
            Err(Diagnostic::error(format!(
                "port {port} on {addr} is already in use (another kbfresh serve?)"
            ))
            .hint(hint))
        }
        Err(e) => Err(
            Diagnostic::error(format!("cannot listen on {addr}:{port}: {e}"))
                .hint("pick another --bind address or --port"),
        ),
    }
}

/// The site as the watcher keeps it between changes.
struct Live {
    loaded: Loaded,
    created: Vec<Option<Change>>,
    rendering: Rendering,
    /// Article by its file on disk.
    article_at: HashMap<PathBuf, usize>,
    /// Files served straight from disk (content assets, static files): a change to one needs only a
    /// reload; a new or removed one changes the file list and rebuilds.
    copied: HashSet<PathBuf>,
}

/// What one batch of file events asks for.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Nothing,
    /// Files served from disk changed: the pages only need to reload.
    Reload,
    Articles(BTreeSet<usize>),
    Full,
}

/// Where an error came from, so the next change knows whether an incremental rebuild can clear it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Broken {
    Article(usize),
    Site,
}

pub struct Server {
    opts: Options,
    fixed_now: bool,
    live: Option<Live>,
    broken: Option<Broken>,
    shared: Arc<Shared>,
    root_canon: PathBuf,
    /// The folders watched with everything below them (content, templates, static, theme).
    watched_dirs: Vec<PathBuf>,
    /// Every language's content folder, canonical.
    content_trees: Vec<PathBuf>,
}

/// Runs `kbfresh serve` until Ctrl-C.
pub fn serve(mut opts: Options, so: &ServeOptions) -> Result<(), Failure> {
    let listener = bind(so.bind, so.port)?;
    let local = listener
        .local_addr()
        .map_err(|e| Diagnostic::error(format!("cannot read the bound address: {e}")))?;
    let host = match local.ip() {
        ip if ip.is_unspecified() => "localhost".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", local.port());
    // Pages link to the local server, not the published site.
    opts.base_url = Some(url.clone());
    let (events, _) = tokio::sync::broadcast::channel(64);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Snapshot::default()),
        events,
        server_id: format!(
            "{}-{}",
            std::process::id(),
            Timestamp::now().as_millisecond()
        ),
        allowed_hosts: so
            .allowed_hosts
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect(),
    });
    let mut server = Server {
        root_canon: std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone()),
        opts,
        fixed_now: so.fixed_now,
        live: None,
        broken: None,
        shared: shared.clone(),
        watched_dirs: Vec::new(),
        content_trees: Vec::new(),
    };
    let t = Instant::now();
    server.full_rebuild();
    if server.live.is_some() {
        eprintln!("Built the site in memory in {} ms", t.elapsed().as_millis());
    }
    let watched = server.watch_roots();
    server.watched_dirs = watched.recursive.clone();
    let watcher = watch::spawn(watched, move |batch| server.apply(batch))
        .map_err(|e| {
            let hint = if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                "raise the inotify limit (sysctl fs.inotify.max_user_watches=524288), or use `kbfresh build`"
            } else {
                "check that the site's folders exist and are readable, or use `kbfresh build`"
            };
            let at = e
                .paths
                .first()
                .map(|p| format!(" (`{}`)", p.display()))
                .unwrap_or_default();
            Diagnostic::error(format!("cannot watch the site for changes{at}: {e}")).hint(hint)
        })?;
    println!("Serving at {url} (Ctrl-C to stop)");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if so.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error(format!("cannot start the server: {e}")))?;
    let result = runtime.block_on(http::run(listener, shared));
    drop(watcher);
    runtime.shutdown_background();
    result.map_err(|e| Diagnostic::error(format!("the server stopped: {e}")))?;
    eprintln!("Stopped.");
    Ok(())
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: could not open a browser ({cmd}: {e}); open {url} yourself");
    }
}

/// Editors write swap, backup and lock files next to the file being saved.
pub fn is_editor_temp(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".kate-swp", ".crswap"]
            .iter()
            .any(|s| name.ends_with(s))
        || (name.starts_with('#') && name.ends_with('#'))
}

fn diagnostic_lines(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        if d.severity != crate::diagnostics::Severity::Note {
            eprintln!("{d}");
        }
    }
}

impl Server {
    fn now(&self) -> Timestamp {
        if self.fixed_now {
            self.opts.now
        } else {
            Timestamp::now()
        }
    }

    /// Folders (recursive) and files to watch: content, the site's templates and static files, the
    /// theme folder, the config file.
    fn watch_roots(&self) -> watch::Roots {
        let root = &self.root_canon;
        let config = crate::config::Config::load(root).ok();
        // A folder given on the command line, else the config's, else the default name.
        let folder = |given: &Option<PathBuf>, configured: Option<PathBuf>, default: &str| {
            given
                .clone()
                .unwrap_or_else(|| root.join(configured.unwrap_or_else(|| default.into())))
        };
        let content = folder(
            &self.opts.content,
            config.as_ref().map(|c| c.default_content_dir()),
            "content",
        );
        let mut recursive = vec![
            content,
            root.join("templates"),
            root.join("static"),
            root.join("i18n"),
        ];
        // Every translation's tree.
        for (_, _, dir) in config
            .iter()
            .flat_map(|c| c.language_list().into_iter().skip(1))
        {
            recursive.push(root.join(dir));
        }
        if let Some(theme) = config.as_ref().and_then(|c| c.theme.clone())
            && theme != "default"
        {
            recursive.push(root.join(theme));
        }
        // Folders of included files outside the watched ones (an mdBook's `listings/`).
        for inc in self.live.iter().flat_map(|l| &l.loaded.site.includes) {
            if let Some(dir) = inc.abs.parent()
                && !recursive.iter().any(|r| dir.starts_with(r))
            {
                recursive.push(dir.to_path_buf());
            }
        }
        let output = folder(
            &self.opts.output,
            config.as_ref().map(|c| c.output_dir.clone()),
            "public",
        );
        watch::Roots {
            recursive: recursive
                .into_iter()
                .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
                .collect(),
            root: root.clone(),
            ignore: vec![
                std::fs::canonicalize(&output).unwrap_or(output),
                root.join(crate::config::CACHE_DIR),
                root.join(".git"),
            ],
        }
    }

    fn plan(&self, paths: &BTreeSet<PathBuf>) -> Plan {
        let Some(live) = &self.live else {
            return Plan::Full;
        };
        let config_file = self.root_canon.join(crate::config::CONFIG_FILE);
        let trees = &self.content_trees;
        let mut plan = Plan::Nothing;
        let mut articles = BTreeSet::new();
        for p in paths {
            if is_editor_temp(p) {
                continue;
            }
            if *p == config_file {
                return Plan::Full;
            }
            if live.copied.contains(p) && p.is_file() {
                if plan == Plan::Nothing {
                    plan = Plan::Reload;
                }
                continue;
            }
            let Some(content) = trees.iter().find(|t| p.starts_with(t)) else {
                if p.parent() == Some(self.root_canon.as_path()) && !self.watched_dirs.contains(p) {
                    // Another file at the root (a README, a script): nothing the site shows.
                    continue;
                }
                // Templates and static files: every page may use them.
                return Plan::Full;
            };
            let hidden = p.strip_prefix(content).ok().is_some_and(|r| {
                r.components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            });
            if hidden {
                continue;
            }
            if let Some(&i) = live.article_at.get(p) {
                if p.is_file() {
                    articles.insert(i);
                    continue;
                }
                return Plan::Full;
            }
            // The content folder itself: changed attributes are nothing; gone (moved away,
            // deleted) is a rebuild that says so.
            if p == content && p.is_dir() {
                continue;
            }
            // A new, removed or renamed file or folder, or a section's _index.md.
            return Plan::Full;
        }
        // A few articles at once (a search and replace) stay incremental; a checkout is a rebuild.
        if articles.len() > 32 {
            return Plan::Full;
        }
        if !articles.is_empty() {
            return Plan::Articles(articles);
        }
        plan
    }

    /// Handles one debounced batch of changed paths.
    fn apply(&mut self, paths: BTreeSet<PathBuf>) {
        let start = Instant::now();
        let mut plan = self.plan(&paths);
        if plan == Plan::Nothing {
            return;
        }
        // After an error, only a change to the broken article itself can clear it incrementally.
        if let Some(b) = &self.broken {
            let ok =
                matches!((b, &plan), (Broken::Article(i), Plan::Articles(set)) if set.contains(i));
            if !ok {
                plan = Plan::Full;
            }
        }
        match plan {
            Plan::Nothing => {}
            Plan::Reload => {
                self.shared.send(Event::Reload);
                eprintln!("Changed: {} file(s); reloading", paths.len());
            }
            Plan::Full => {
                self.full_rebuild();
                if self.live.is_some() && self.broken.is_none() {
                    eprintln!("Rebuilt the site in {} ms", start.elapsed().as_millis());
                }
            }
            Plan::Articles(set) => match self.rebuild_articles(&set) {
                Ok(pages) => {
                    eprintln!(
                        "Rebuilt {pages} page(s) in {} ms",
                        start.elapsed().as_millis()
                    );
                    self.refresh_listings();
                }
                Err(Some(i)) => {
                    self.broken = Some(Broken::Article(i));
                }
                Err(None) => {
                    self.full_rebuild();
                }
            },
        }
    }

    /// The whole pipeline, into memory. On error the last good pages stay.
    fn full_rebuild(&mut self) {
        let mut opts = self.opts.clone();
        opts.now = self.now();
        let result = crate::load(&opts).and_then(|loaded| {
            let created = loaded.created();
            let files = crate::sink::Collect::default();
            let rendering = crate::render_loaded(&loaded, &created, &files)?;
            Ok((loaded, created, rendering, files.into_files()))
        });
        match result {
            Ok((loaded, created, rendering, files)) => {
                print_diagnostics(&rendering.diagnostics.0);
                loaded.history.save_cache();
                let article_at = loaded
                    .site
                    .articles
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.src.abs.clone(), i))
                    .collect();
                let copied = files
                    .iter()
                    .filter_map(|f| match &f.data {
                        OutData::Copy(p) => Some(p.canonicalize().unwrap_or_else(|_| p.clone())),
                        _ => None,
                    })
                    .collect();
                self.shared.replace(files);
                self.content_trees = loaded
                    .site
                    .languages
                    .iter()
                    .map(|l| l.content_dir.clone())
                    .collect();
                let was_broken = self.broken.take().is_some();
                self.live = Some(Live {
                    loaded,
                    created,
                    rendering,
                    article_at,
                    copied,
                });
                if was_broken {
                    eprintln!("The site builds again.");
                    self.shared.send(Event::Ok);
                }
                self.shared.send(Event::Reload);
            }
            Err(f) => {
                print_diagnostics(&f.0);
                if self.live.is_some() {
                    eprintln!("The build failed; still serving the last good pages.");
                } else {
                    eprintln!(
                        "The build failed; fix the errors above and save, and the site builds again."
                    );
                }
                self.broken = Some(Broken::Site);
                self.shared.set_errors(diagnostic_lines(&f.0));
            }
        }
    }

    /// Re-reads and re-renders a few articles. `Err(Some(i))`: article `i` has an error (shown in the
    /// overlay); `Err(None)`: the site's structure changed, rebuild it all.
    fn rebuild_articles(&mut self, set: &BTreeSet<usize>) -> Result<usize, Option<usize>> {
        let now = self.now();
        let drafts = self.opts.drafts;
        let live = self.live.as_mut().ok_or(None)?;
        let mut pages: BTreeSet<usize> = BTreeSet::new();
        let mut sections: BTreeSet<usize> = BTreeSet::new();
        let mut warnings = Vec::new();
        // Every article of the batch is read before anything changes, so an error in one leaves
        // the others' pages consistent with what is served.
        let mut reloaded = Vec::with_capacity(set.len());
        for &i in set {
            let article = match live.loaded.site.reload_article(i, drafts) {
                Ok(Some(a)) => a,
                Ok(None) => return Err(None),
                Err(diags) => {
                    print_diagnostics(&diags);
                    self.shared.set_errors(diagnostic_lines(&diags));
                    return Err(Some(i));
                }
            };
            // New aliases write new redirect pages, a new `translation_of` regroups translations,
            // new tags change the related lists of other pages: a full rebuild.
            let old = &live.loaded.site.articles[i].front;
            if article.front.aliases != old.aliases
                || article.front.translation_of != old.translation_of
                || article.front.tags != old.tags
                || (&article.front.url, &article.front.slug, &article.front.id)
                    != (&old.url, &old.slug, &old.id)
            {
                return Err(None);
            }
            reloaded.push((i, article));
        }
        for (i, mut article) in reloaded {
            let loaded = &mut live.loaded;
            let md = loaded::article_markdown(&article, &loaded.site);
            warnings.extend(loaded::settle_article(&mut article, &md, now));
            loaded.search_terms[i] = loaded::article_terms(&article, &loaded.site, &md);
            loaded.site.articles[i] = article;
            loaded.articles_md[i] = md;
            loaded::sort_site(&mut loaded.site);
            // An edit counts as a change now, as an uncommitted edit does in `build`.
            if let Some(Some(f)) = loaded.history.files.get_mut(i) {
                f.dirty = true;
            }
            loaded.now = now;
            loaded.links.retain(|l| l.article != Some(i));
            let links = crate::links::check_article(
                &loaded.site,
                &loaded.articles_md,
                &loaded.sections_md,
                &loaded.generated,
                i,
            );
            // A new link to a file that was left out publishes it: the site's files change.
            if links
                .iter()
                .any(|l| l.asset.is_some_and(|a| !loaded.site.assets[a].published))
            {
                return Err(None);
            }
            warnings.extend(crate::links::diagnostics(&links));
            // Its images may have changed with its text: its freshness answers to the new ones.
            let mine = loaded::images_of(&loaded.site, &links);
            if let Some(slot) = loaded.site.images.get_mut(i) {
                *slot = mine;
            }
            loaded.links.extend(links);
            let (fresh, change) = loaded::evaluate_one(&loaded.site, &loaded.history, i, now);
            loaded.freshness[i] = fresh;
            loaded.last_changes[i] = change;

            // The translations of an edited original answer to its new change.
            let translations: Vec<usize> = loaded.site.translations[i]
                .iter()
                .copied()
                .filter(|&t| loaded.site.source_of(t) == Some(i))
                .collect();
            for &t in &translations {
                let (fresh, _) = loaded::evaluate_one(&loaded.site, &loaded.history, t, now);
                loaded.freshness[t] = fresh;
            }
            let input = loaded.render_input(&live.created);
            let prepared = &mut live.rendering.prepared;
            for j in std::iter::once(i).chain(translations) {
                pages.insert(j);
                let changed = prepared.refresh_article(&input, j);
                let site = &loaded.site;
                let s = site.articles[j].section;
                if changed.order {
                    pages.extend(site.sections[s].articles.iter().copied());
                } else if changed.nav {
                    pages.extend(prepared.nav_shows(site, j));
                }
                if changed.summary || changed.order {
                    pages.extend(prepared.related_to(j));
                    sections.extend([s, site.languages[site.articles[j].lang].home]);
                }
            }
        }
        print_diagnostics(&warnings);
        let loaded = &live.loaded;
        let input = loaded.render_input(&live.created);
        let pages: Vec<usize> = pages.into_iter().collect();
        let sections: Vec<usize> = sections.into_iter().collect();
        let files = match crate::render::render_pages(
            &input,
            &live.rendering.prepared,
            &live.loaded.env.tera,
            &pages,
            &sections,
        ) {
            Ok(f) => f,
            // A template error: the full rebuild reports it with its template line, and the model
            // already holds the new articles.
            Err(_) => return Err(None),
        };
        let n = files.len();
        self.shared.publish(files);
        if self.broken.take().is_some() {
            self.shared.send(Event::Ok);
        }
        self.shared.send(Event::Reload);
        Ok(n)
    }

    /// The dashboard and sitemap list every article: rendered after the reload went out.
    fn refresh_listings(&self) {
        let Some(live) = &self.live else { return };
        let input = live.loaded.render_input(&live.created);
        if let Ok(files) =
            crate::render::listings(&input, &live.rendering.prepared, &live.loaded.env.tera)
        {
            self.shared.publish(files);
        }
    }
}
