//! Browser tests: the built site in headless Chromium (Debian's `chromium` package), driven over the
//! DevTools protocol. The site is served from 127.0.0.1 by a small static server the test starts; no
//! test touches the internet. Screenshots go to target/browser-artifacts/.
//!
//! Without Chromium these tests fail and say how to install it; `KBFRESH_SKIP_BROWSER=1` skips them.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Site;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};

// ---- the browser ----

/// Chromium's path, `None` when the tests are skipped; panics with the fix when it is missing.
fn chromium() -> Option<PathBuf> {
    if std::env::var("KBFRESH_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("KBFRESH_SKIP_BROWSER=1: browser tests skipped");
        return None;
    }
    let candidates = [
        std::env::var_os("KBFRESH_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    match candidates.into_iter().flatten().find(|p| p.is_file()) {
        Some(p) => Some(p),
        None => panic!(
            "the browser tests need Chromium, which is not installed.\n\
             Install it with: apt-get install -y chromium\n\
             (or set KBFRESH_CHROMIUM to its path, or KBFRESH_SKIP_BROWSER=1 to skip these tests)"
        ),
    }
}

struct Chrome {
    _browser: Browser,
    tab: Arc<Tab>,
    /// Console errors, uncaught exceptions and failed loads, as text.
    errors: Arc<Mutex<Vec<String>>>,
}

fn launch(path: PathBuf) -> Chrome {
    launch_sized(path, (1280, 900))
}

fn launch_sized(path: PathBuf, window_size: (u32, u32)) -> Chrome {
    let args: Vec<&std::ffi::OsStr> = [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--lang=en-GB",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        window_size: Some(window_size),
        args,
        idle_browser_timeout: Duration::from_secs(120),
        ..Default::default()
    })
    .expect("start Chromium");
    let tab = browser.new_tab().expect("open a tab");
    tab.set_default_timeout(Duration::from_secs(15));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let msg = match event {
            Event::RuntimeConsoleAPICalled(e)
                if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
            {
                Some(format!(
                    "console.error: {}",
                    e.params
                        .args
                        .iter()
                        .map(|a| a
                            .value
                            .as_ref()
                            .map(|v| v.to_string())
                            .or(a.description.clone())
                            .unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" ")
                ))
            }
            Event::RuntimeExceptionThrown(e) => {
                let d = &e.params.exception_details;
                Some(format!(
                    "uncaught exception: {} {} at {}:{}",
                    d.text,
                    d.exception
                        .as_ref()
                        .and_then(|x| x.description.clone())
                        .unwrap_or_default(),
                    d.url.clone().unwrap_or_default(),
                    d.line_number
                ))
            }
            Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
                Some(format!(
                    "log error: {} ({})",
                    e.params.entry.text,
                    e.params.entry.url.clone().unwrap_or_default()
                ))
            }
            _ => None,
        };
        if let Some(m) = msg {
            sink.lock().unwrap().push(m);
        }
    }))
    .expect("listen to the console");
    tab.enable_runtime().expect("runtime domain");
    tab.enable_log().expect("log domain");
    Chrome {
        _browser: browser,
        tab,
        errors,
    }
}

impl Chrome {
    fn open(&self, url: &str) {
        self.tab
            .navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Evaluates `expr` (which must produce a string) in the page.
    fn text(&self, expr: &str) -> String {
        let v = self
            .tab
            .evaluate(expr, true)
            .unwrap_or_else(|e| panic!("evaluate {expr}: {e}"));
        match v.value {
            Some(serde_json::Value::String(s)) => s,
            other => panic!("`{expr}` gave {other:?}, not a string"),
        }
    }

    /// Waits until `expr` is true in the page.
    #[track_caller]
    fn wait_for(&self, expr: &str, what: &str) {
        let start = Instant::now();
        loop {
            if self.text(&format!("String(!!({expr}))")) == "true" {
                return;
            }
            if start.elapsed() > Duration::from_secs(10) {
                panic!(
                    "timed out waiting for {what} (`{expr}`)\npage text:\n{}\nerrors: {:?}",
                    self.text("document.body.innerText"),
                    self.errors.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&self, name: &str) {
        let png = self
            .tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        let dir = artifacts();
        std::fs::create_dir_all(&dir).expect("artifacts folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Light or dark mode, as the reader's system says.
    fn color_scheme(&self, scheme: &str) {
        use headless_chrome::protocol::cdp::Emulation;
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![Emulation::MediaFeature {
                    name: "prefers-color-scheme".into(),
                    value: scheme.into(),
                }]),
            })
            .expect("emulate the colour scheme");
    }

    /// Runs `source` before any page script on every page opened after this.
    fn before_scripts(&self, source: &str) {
        self.tab
            .call_method(Page::AddScriptToEvaluateOnNewDocument {
                source: source.into(),
                world_name: None,
                include_command_line_api: None,
                run_immediately: None,
            })
            .expect("add a script");
    }

    /// axe-core's violations on the open page, as `rule (impact): targets` lines.
    fn axe(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(axe_core()).expect("read axe.min.js");
        self.tab.evaluate(&axe, false).expect("load axe-core");
        let v = self
            .tab
            .evaluate(
                "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))",
                true,
            )
            .expect("run axe-core");
        let text = match v.value {
            Some(serde_json::Value::String(s)) => s,
            other => panic!("axe gave {other:?}"),
        };
        serde_json::from_str(&text).expect("axe's answer")
    }

    #[track_caller]
    fn assert_no_errors(&self) {
        let errors = self.errors.lock().unwrap();
        assert!(
            errors.is_empty(),
            "the pages logged errors:\n{}",
            errors.join("\n")
        );
    }
}

/// axe-core from the npm registry, installed once into target/npm by the first test that needs it.
fn axe_core() -> PathBuf {
    static AXE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        if let Some(p) = std::env::var_os("KBFRESH_AXE") {
            return PathBuf::from(p);
        }
        let dir = artifacts().parent().expect("target").join("npm");
        let file = dir.join("node_modules/axe-core/axe.min.js");
        if !file.is_file() {
            std::fs::create_dir_all(&dir).expect("target/npm");
            let ok = std::process::Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
                .arg(&dir)
                .arg(AXE_CORE)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok && file.is_file(),
                "could not install {AXE_CORE} from the npm registry (needs npm; or set KBFRESH_AXE to axe.min.js)"
            );
        }
        file
    })
    .clone()
}

/// The axe-core release the accessibility tests run.
const AXE_CORE: &str = "axe-core@4.14.1";

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("browser-artifacts")
}

// ---- a static file server, as any static host would be ----

struct Served {
    base: String,
    /// Bytes sent per path, for "what did a query download".
    log: Arc<Mutex<BTreeMap<String, usize>>>,
}

fn serve(dir: &Path) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    let log = Arc::new(Mutex::new(BTreeMap::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let sink = sink.clone();
            std::thread::spawn(move || answer(stream, &dir, &sink));
        }
    });
    Served { base, log }
}

fn answer(mut stream: TcpStream, dir: &Path, log: &Mutex<BTreeMap<String, usize>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    let mut file = dir.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file = file.join("index.html");
    }
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(b) if file.starts_with(dir) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("png") => "image/png",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            ("200 OK", b, kind)
        }
        _ => (
            "404 Not Found",
            std::fs::read(dir.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    *log.lock().unwrap().entry(path).or_default() += body.len();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

// ---- the site ----

fn days_ago(n: i64) -> jiff::civil::Date {
    jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(n))
        .expect("date")
}

/// A help centre built as of 200 days ago: `Refunds` is fresh then and now; `Change your plan` is
/// fresh then but past its expiry date now; `Reset your password` was already stale.
fn help_centre() -> (Site, Served) {
    let built = days_ago(200);
    let site = Site::new();
    site.file("kbfresh.toml", common::CONFIG)
        .file(
            "content/billing/_index.md",
            "+++\ntitle = \"Billing\"\ndescription = \"Plans, invoices and refunds\"\n+++\n",
        )
        .file(
            "content/billing/refunds.md",
            &format!(
                "+++\ntitle = \"Refunds\"\nverified = {}\n+++\n\nYou can ask for a refund within 30 days of a purchase.\n\n## Refund policy\n\nOur policy covers café purchases and annual plans. Refunds reach your card in five working days.\n",
                days_ago(210)
            ),
        )
        .file(
            "content/billing/change-plan.md",
            &format!(
                "+++\ntitle = \"Change your plan\"\nverified = {}\n+++\n\nPick a new plan under Settings, then Billing. The difference is refunded pro rata.\n",
                days_ago(500)
            ),
        )
        .file(
            "content/billing/invoices.md",
            &format!(
                "+++\ntitle = \"Download invoices\"\nverified = {}\n+++\n\nEvery invoice is a PDF under Settings, then Billing, then Invoices.\n",
                days_ago(210)
            ),
        )
        .file(
            "content/account/_index.md",
            "+++\ntitle = \"Your account\"\n+++\n",
        )
        .file(
            "content/account/password.md",
            &format!(
                "+++\ntitle = \"Reset your password\"\nverified = {}\n+++\n\nUse the Forgot password link on the sign-in page and follow the email.\n",
                days_ago(1000)
            ),
        )
        .file(
            "content/account/cyrillic.md",
            &format!(
                "+++\ntitle = \"Ўзбек тилида ёрдам\"\nverified = {}\n+++\n\nПароль ва ҳисоб ҳақида маълумот.\n",
                days_ago(210)
            ),
        );
    site.run(&["build", "--now", &built.to_string()]).ok();
    let served = serve(&site.path("public"));
    (site, served)
}

// ---- the tests ----

#[test]
fn typing_a_query_shows_matching_articles_with_snippets_and_freshness() {
    let Some(path) = chromium() else { return };
    let (_site, served) = help_centre();
    let chrome = launch(path);
    chrome.open(&format!("{}/", served.base));
    chrome.screenshot("home");

    // `/` focuses the search box; typing shows results as you type.
    chrome.tab.press_key("/").expect("press /");
    assert_eq!(
        chrome.text("document.activeElement.id"),
        "kb-search-input",
        "`/` focuses the search box"
    );
    chrome.tab.type_str("refund polic").expect("type");
    chrome.wait_for(
        "document.querySelector('#kb-search-results .search-hit')",
        "search results",
    );
    chrome.wait_for(
        "!document.getElementById('kb-search-results').hidden",
        "the results to show",
    );
    let first = chrome.text("document.querySelector('.search-hit').innerText");
    assert!(first.starts_with("Refunds"), "first result: {first}");
    assert!(first.contains("Billing"), "section shown: {first}");
    let marked = chrome.text(
        "[...document.querySelectorAll('.search-hit mark')].map(m => m.textContent).join('|')",
    );
    assert!(
        marked.contains("Refund") && marked.contains("policy"),
        "matches highlighted: {marked}"
    );
    chrome.screenshot("search-dropdown");

    // Arrow down and Enter open the highlighted result.
    chrome.tab.press_key("ArrowDown").expect("arrow down");
    chrome.tab.press_key("Enter").expect("enter");
    chrome.wait_for(
        "location.pathname === '/billing/refunds/'",
        "the result to open",
    );
    assert_eq!(
        chrome.text("document.querySelector('h1').textContent"),
        "Refunds"
    );

    // Accents fold: `cafe` finds `café`; stems meet: `refunding` finds `refunded`.
    chrome.open(&format!("{}/search/?q=cafe", served.base));
    chrome.wait_for(
        "document.querySelector('.search-hit-snippet mark')",
        "a snippet",
    );
    assert_eq!(
        chrome.text("document.querySelector('.search-hit-snippet mark').textContent"),
        "café"
    );
    chrome.open(&format!("{}/search/?q=refunding", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    let titles = chrome.text(
        "[...document.querySelectorAll('.search-hit-title')].map(t => t.textContent).join('|')",
    );
    assert!(
        titles.starts_with("Refunds|") && titles.contains("Change your plan"),
        "{titles}"
    );

    // The search page is a results page: the query in the box, results under it.
    chrome.open(&format!("{}/search/?q=invoice", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    assert_eq!(
        chrome.text("document.getElementById('kb-search-input').value"),
        "invoice"
    );
    assert!(
        chrome
            .text("document.querySelector('.search-hit').innerText")
            .starts_with("Download invoices")
    );
    chrome.screenshot("search-page");

    // Other scripts: Uzbek Cyrillic, typed without its breve.
    chrome.open(&format!("{}/search/?q=узбек", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    assert!(
        chrome
            .text("document.querySelector('.search-hit').innerText")
            .starts_with("Ўзбек тилида ёрдам")
    );

    // A stop word at the end may be a word being typed (`to` as in `token`): it does not have to
    // match, so `reset password to` still finds the article.
    chrome.open(&format!("{}/search/?q=reset%20password%20to", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    assert!(
        chrome
            .text("document.querySelector('.search-hit').innerText")
            .starts_with("Reset your password")
    );

    // Nothing found says so, and offers the support channels instead of a dead end.
    chrome.open(&format!("{}/search/?q=zzzqqq", served.base));
    chrome.wait_for(
        "document.querySelector('.search-empty:not(.search-loading)')",
        "no results",
    );
    assert_eq!(
        chrome.text("document.querySelector('.search-empty:not(.search-loading)').innerText"),
        "No results for “zzzqqq”."
    );
    assert_eq!(
        chrome.text(
            "[...document.querySelectorAll('.search-ask a')].map(a => a.textContent).join('|')"
        ),
        "Email us|Chat"
    );

    // A small site's query downloads a few small files.
    let log = served.log.lock().unwrap();
    let index_bytes: usize = log
        .iter()
        .filter(|(p, _)| p.starts_with("/search/en/"))
        .map(|(_, b)| b)
        .sum();
    assert!(index_bytes < 100_000, "index bytes: {index_bytes}");
    drop(log);
    chrome.assert_no_errors();
}

#[test]
fn stale_articles_say_so_in_results_and_on_the_page() {
    let Some(path) = chromium() else { return };
    let (_site, served) = help_centre();
    let chrome = launch(path);

    // A stale result says so.
    chrome.open(&format!("{}/search/?q=password", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    let hit = chrome.text("document.querySelector('.search-hit').innerText");
    assert!(hit.starts_with("Reset your password"), "{hit}");
    assert!(hit.contains("May be out of date"), "stale badge: {hit}");
    // A fresh one does not.
    chrome.open(&format!("{}/search/?q=invoices", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    let hit = chrome.text("document.querySelector('.search-hit').innerText");
    assert!(!hit.contains("May be out of date"), "fresh result: {hit}");

    // Stale at build time: the banner is in the page.
    chrome.open(&format!("{}/account/password/", served.base));
    chrome.wait_for(
        "document.querySelector('.banner-stale') && document.querySelector('.banner-stale').offsetHeight > 0",
        "the stale banner",
    );
    assert!(
        chrome
            .text("document.querySelector('.banner-stale').innerText")
            .contains("This article may be out of date")
    );
    chrome.screenshot("article-stale");

    // Fresh when built, past its expiry date now: the inline script shows the banner.
    chrome.open(&format!("{}/billing/change-plan/", served.base));
    assert!(
        !chrome
            .text("document.getElementById('kb-late-banner').getAttribute('data-expires')")
            .is_empty()
    );
    chrome.wait_for(
        "!document.getElementById('kb-late-banner').hidden && document.getElementById('kb-late-banner').offsetHeight > 0",
        "the banner shown by the inline script",
    );
    assert!(
        chrome
            .text("document.getElementById('kb-late-banner').innerText")
            .contains("This article may be out of date")
    );
    chrome.screenshot("article");
    // Its search result is marked stale too, from the same expiry date.
    chrome.open(&format!("{}/search/?q=plan", served.base));
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    let hit = chrome.text("document.querySelector('.search-hit').innerText");
    assert!(
        hit.starts_with("Change your plan") && hit.contains("May be out of date"),
        "{hit}"
    );

    // Still fresh now: no banner.
    chrome.open(&format!("{}/billing/refunds/", served.base));
    assert_eq!(
        chrome.text("String(document.getElementById('kb-late-banner').hidden)"),
        "true"
    );
    chrome.assert_no_errors();
}

#[test]
fn no_page_logs_a_console_error() {
    let Some(path) = chromium() else { return };
    let (site, served) = help_centre();
    let chrome = launch(path);
    let mut pages = vec![
        "/".to_string(),
        "/billing/".into(),
        "/account/".into(),
        "/search/".into(),
        "/search/?q=refund".into(),
        "/404.html".into(),
        "/_freshness/".into(),
    ];
    for entry in walkdir::WalkDir::new(site.path("public")) {
        let entry = entry.unwrap();
        if entry.file_name() == "index.html" {
            let rel = entry
                .path()
                .parent()
                .unwrap()
                .strip_prefix(site.path("public"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let url = if rel.is_empty() {
                "/".to_string()
            } else {
                format!("/{rel}/")
            };
            if !pages.contains(&url) {
                pages.push(url);
            }
        }
    }
    for p in &pages {
        chrome.open(&format!("{}{p}", served.base));
        // Use the search box on every page: its script must work everywhere.
        if chrome.text("String(!!document.getElementById('kb-search-input'))") == "true" {
            chrome
                .tab
                .wait_for_element("#kb-search-input")
                .and_then(|e| e.click().map(|_| ()))
                .expect("click the search box");
            // Replace what the box holds (the search page fills it from `?q=`).
            chrome.text("document.getElementById('kb-search-input').select(), ''");
            chrome.tab.type_str("bill").expect("type");
            chrome.wait_for(
                "document.querySelector('#kb-search-results .search-hit')",
                &format!("results on {p}"),
            );
        }
    }
    chrome.assert_no_errors();
}

/// The page's script makes the same terms of a query as the Rust side makes of articles.
#[test]
fn the_browser_tokenises_like_the_index() {
    let Some(path) = chromium() else { return };
    let (_site, served) = help_centre();
    let chrome = launch(path);
    chrome.open(&format!("{}/", served.base));
    chrome.wait_for("window.kbfreshSearch", "the search script");
    let samples: &[(&str, &str)] = &[
        ("How to update the billing address for invoices?", "en"),
        ("Refunding, refunded, refunds; running QUICKLY", "en"),
        ("Café crème brûlée naïve façade", "en"),
        ("Übersicht über die Straße", "de"),
        ("می‌خواهم رمز عبورم را تغییر دهم. كتاب ي", "fa"),
        ("Բարեւ Ձեզ, ինչպե՞ս եք", "hy"),
        ("გამარჯობა, როგორ ხარ?", "ka"),
        ("வணக்கம் உலகம் கடவுச்சொல்", "ta"),
        ("Oʻzbekiston Respublikasi, o'zbek tili", "uz"),
        ("Ўзбекистон Республикаси, ўзбек тили", "uz"),
        ("退款申请需要三天。返金は可能です", "zh"),
        ("ภาษาไทยคืนเงิน", "th"),
        ("ΣΟΦΟΣ σοφός", "el"),
        ("version 2.4.0 — 10,000 articles e.g. don't", "en"),
    ];
    for (text, lang) in samples {
        let english = lang.starts_with("en");
        let js = chrome.text(&format!(
            "JSON.stringify(window.kbfreshSearch.terms({}, {english}))",
            serde_json::to_string(text).unwrap()
        ));
        let js: Vec<String> = serde_json::from_str(&js).unwrap();
        assert_eq!(
            js,
            kbfresh::render::search::terms(text, lang),
            "terms of {text:?}"
        );
    }
    chrome.assert_no_errors();
}

/// The bundled example help centre (kbfresh's own guide): search finds its articles, and none of its
/// pages logs an error.
/// content-example copied into a temp site and built.
fn example_site() -> Site {
    let site = Site::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let rel = e.path().strip_prefix(&src).unwrap();
        if rel.starts_with("public") || !e.file_type().is_file() {
            continue;
        }
        site.bytes(rel.to_str().unwrap(), &std::fs::read(e.path()).unwrap());
    }
    site.build().ok();
    site
}

/// The example in git, built on 2026-03-01: its translations were committed in January, and the
/// English original of `getting-started/install` changed in February (its Persian version is stale).
fn stale_translation_example() -> Site {
    let site = example_site();
    site.git_init();
    site.commit("the example", "2026-01-10");
    site.file(
        "content/getting-started/install.md",
        &format!(
            "{}\nOne more line.\n",
            site.read("content/getting-started/install.md")
        ),
    );
    site.commit("English moves on", "2026-02-01");
    site.run(&["build", "--now", "2026-03-01"]).ok();
    site
}

#[test]
fn the_example_help_centre_searches_in_the_browser() {
    let Some(path) = chromium() else { return };
    let site = example_site();
    let served = serve(&site.path("public"));
    let chrome = launch(path);
    chrome.open(&format!("{}/", served.base));
    chrome
        .tab
        .wait_for_element("#kb-search-input")
        .and_then(|e| e.click().map(|_| ()))
        .expect("click the search box");
    chrome.tab.type_str("verify an article").expect("type");
    chrome.wait_for(
        "document.querySelector('#kb-search-results .search-hit')",
        "search results",
    );
    assert_eq!(
        chrome.text("document.querySelector('.search-hit-title').textContent"),
        "Verify an article"
    );
    chrome.screenshot("example-search-dropdown");
    for p in ["/freshness/verifying/", "/search/?q=dashboard"] {
        chrome.open(&format!("{}{p}", served.base));
    }
    chrome.wait_for("document.querySelector('.search-hit')", "results");
    chrome.screenshot("example-search-page");
    chrome.assert_no_errors();
}

/// A Persian page of the example lays out right to left, says in Persian that its English original
/// changed, and searches the Persian index.
#[test]
fn a_persian_page_reads_right_to_left() {
    let Some(path) = chromium() else { return };
    let site = stale_translation_example();
    let served = serve(&site.path("public"));
    let chrome = launch(path);
    chrome.open(&format!("{}/fa/getting-started/install/", served.base));
    assert_eq!(
        chrome.text("getComputedStyle(document.body).direction"),
        "rtl"
    );
    assert_eq!(chrome.text("document.documentElement.lang"), "fa");
    // Right to left: the title starts at the right edge of the content, the sidebar is on the right.
    let title_right_of_sidebar = chrome.text(
        "(() => { const t = document.querySelector('.page-title').getBoundingClientRect(); \
           const s = document.querySelector('.sidebar'); \
           const r = s ? s.getBoundingClientRect() : null; \
           return String(r === null || r.width === 0 || r.left > t.left); })()",
    );
    assert_eq!(
        title_right_of_sidebar, "true",
        "the sidebar sits right of the text"
    );
    let banner = chrome.text("document.querySelector('.banner-translation').innerText");
    assert!(
        banner.contains("نسخهٔ اصلی این مقاله به‌روز شده است"),
        "{banner}"
    );
    assert!(banner.contains("(English)"), "{banner}");
    chrome.screenshot("example-rtl-article");
    // The Persian search box searches the Persian index.
    chrome
        .tab
        .wait_for_element("#kb-search-input")
        .and_then(|e| e.click().map(|_| ()))
        .expect("click the search box");
    chrome.tab.type_str("نصب").expect("type");
    chrome.wait_for(
        "document.querySelector('#kb-search-results .search-hit')",
        "Persian search results",
    );
    assert_eq!(
        chrome.text("document.querySelector('.search-hit-title').textContent"),
        "نصب kbfresh"
    );
    chrome.screenshot("example-rtl-search");
    chrome.open(&format!("{}/fa/", served.base));
    assert_eq!(
        chrome.text("getComputedStyle(document.body).direction"),
        "rtl"
    );
    chrome.assert_no_errors();
}

/// Content tabs: the first (or the default) tab's panel alone is shown, clicking a label shows its
/// panel, groups with the same sync key follow, and arrow keys move between tabs (radio buttons).
#[test]
fn content_tabs_switch_and_stay_in_sync() {
    let Some(path) = chromium() else { return };
    let site = Site::new();
    site.file(
        "content/install.md",
        "# Install\n\n<Tabs groupId=\"os\">\n  <TabItem value=\"mac\" label=\"macOS\">\n    Mac steps.\n  </TabItem>\n  <TabItem value=\"linux\" label=\"Linux\" default>\n    Linux steps.\n  </TabItem>\n</Tabs>\n\n:::tabs key=os\n== mac\nSecond mac.\n== linux\nSecond linux.\n:::\n\n=== \"One\"\n\n    First panel.\n\n=== \"Two\"\n\n    Second panel.\n",
    );
    site.run(&["build", "--now", "2026-11-22"]).ok();
    let served = serve(&site.path("public"));
    let chrome = launch(path);
    chrome.open(&format!("{}/install/", served.base));
    let visible = "Array.from(document.querySelectorAll('.tab-panel')).filter(p => p.offsetParent !== null).map(p => p.innerText.trim()).join('|')";
    // The Docusaurus group opens on its default tab; the second group (values mac/linux) has no
    // default and opens on its first tab until synced.
    assert_eq!(
        chrome.text(visible),
        "Linux steps.|Second mac.|First panel."
    );
    chrome
        .tab
        .wait_for_element("label[for='kb-tabs-1-1']")
        .and_then(|e| e.click().map(|_| ()))
        .expect("click macOS");
    chrome.wait_for(
        &format!("{visible} === 'Mac steps.|Second mac.|First panel.'"),
        "the macOS tab in both synced groups",
    );
    chrome
        .tab
        .wait_for_element("label[for='kb-tabs-2-2']")
        .and_then(|e| e.click().map(|_| ()))
        .expect("click linux in the second group");
    chrome.wait_for(
        &format!("{visible} === 'Linux steps.|Second linux.|First panel.'"),
        "the first group follows the second",
    );
    // Keyboard: focus the unsynced group's checked tab and press the right arrow.
    chrome.text("(document.getElementById('kb-tabs-3-1').focus(), '')");
    chrome.tab.press_key("ArrowRight").expect("arrow key");
    chrome.wait_for(
        &format!("{visible}.endsWith('Second panel.')"),
        "the arrow key moves to the next tab",
    );
    // A later page opens on the last choice.
    chrome.open(&format!("{}/install/", served.base));
    chrome.wait_for(
        &format!("{visible}.startsWith('Linux steps.|Second linux.')"),
        "the choice kept across pages",
    );
    chrome.screenshot("content-tabs");
    chrome.assert_no_errors();
}

// ---- what readers of other help centres expect ----

/// A loopback feedback endpoint: records each request's first line and body.
fn feedback_endpoint() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}/feedback", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            sink.lock().unwrap().push(format!(
                "{} {}",
                first.trim(),
                String::from_utf8_lossy(&body)
            ));
            let _ = stream.write_all(
                b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (url, got)
}

/// A help centre with keywords, a section page with text, a feedback endpoint and a code block.
fn reader_centre(endpoint: &str) -> (Site, Served) {
    let site = Site::new();
    site.file(
        "kbfresh.toml",
        &format!("{}\n[feedback]\nendpoint = \"{endpoint}\"\n", common::CONFIG),
    )
    .file(
        "content/billing/_index.md",
        "+++\ntitle = \"Billing\"\n+++\n\nPlans and invoices for teams. Invoices print well in dark mode.\n",
    )
    .file(
        "content/billing/invoices.md",
        &format!(
            "+++\ntitle = \"Download invoices\"\nverified = {}\n+++\n\nEvery invoice is a PDF under Settings, then Billing.\n",
            days_ago(20)
        ),
    )
    .file(
        "content/billing/install-app.md",
        &format!(
            "+++\ntitle = \"Install the desktop app\"\nverified = {}\n+++\n\nDownload the installer and run it.\n",
            days_ago(20)
        ),
    )
    .file(
        "content/account/_index.md",
        "+++\ntitle = \"Your account\"\n+++\n",
    )
    .file(
        "content/account/password.md",
        &format!(
            "+++\ntitle = \"Reset your password\"\ndescription = \"Get back in when you forgot how to sign in.\"\nkeywords = [\"passphrase\"]\nverified = {}\n+++\n\nUse the Forgot password link on the sign-in page.\n\n```console\n$ kbfresh verify content/account/password.md\nVerified.\n```\n\n## Still locked out\n\nWrite to us.\n",
            days_ago(20)
        ),
    )
    .file(
        "content/account/sign-in.md",
        &format!(
            "+++\ntitle = \"Sign in\"\nverified = {}\n+++\n\nUse your email address.\n",
            days_ago(20)
        ),
    );
    site.run(&["build"]).ok();
    let served = serve(&site.path("public"));
    (site, served)
}

#[test]
fn search_understands_questions_typos_keywords_and_the_keyboard() {
    let Some(path) = chromium() else { return };
    let (endpoint, _) = feedback_endpoint();
    let (_site, served) = reader_centre(&endpoint);
    let chrome = launch(path);
    let first_title = "document.querySelector('.search-hit-title').textContent";
    for (query, want) in [
        // Question words are not required.
        (
            "how%20do%20I%20install%20the%20app%3F",
            "Install the desktop app",
        ),
        // A typo is corrected when nothing matches as typed.
        ("pasword", "Reset your password"),
        // `keywords` are searched like the title.
        ("passphrase", "Reset your password"),
        // The description is searched.
        ("forgot%20how", "Reset your password"),
        // Section pages are searched too.
        ("dark%20mode", "Billing"),
    ] {
        chrome.open(&format!("{}/search/?q={query}", served.base));
        chrome.wait_for("document.querySelector('.search-hit')", query);
        assert_eq!(chrome.text(first_title), want, "first result for {query}");
    }
    chrome.open(&format!("{}/search/?q=pasword", served.base));
    chrome.wait_for("document.querySelector('.search-fix-link')", "did you mean");
    assert_eq!(
        chrome.text("document.querySelector('.search-fix-link').textContent"),
        "password"
    );
    chrome.wait_for(
        "document.querySelector('.search-status').textContent === '1 result'",
        "the count announced",
    );
    assert_eq!(
        chrome.text("document.querySelector('.search-count').textContent"),
        "1 result"
    );

    // The combobox: typing opens the named listbox, arrows move the active option (and scroll it
    // into view), Escape closes, a second Escape clears, and focusing again shows nothing stale.
    chrome.open(&format!("{}/billing/invoices/", served.base));
    chrome.text("(document.getElementById('kb-search-input').focus(), '')");
    chrome.tab.type_str("in").expect("type");
    chrome.wait_for(
        "document.querySelectorAll('#kb-search-listbox [role=option]').length >= 2",
        "two options",
    );
    let input = "document.getElementById('kb-search-input')";
    assert_eq!(
        chrome.text(&format!("{input}.getAttribute('role')")),
        "combobox"
    );
    assert_eq!(
        chrome.text(&format!("{input}.getAttribute('aria-expanded')")),
        "true"
    );
    assert_eq!(
        chrome.text("document.getElementById('kb-search-listbox').getAttribute('aria-label')"),
        "Search results"
    );
    chrome.tab.press_key("ArrowDown").expect("down");
    chrome.tab.press_key("ArrowDown").expect("down");
    let active = chrome.text(&format!("{input}.getAttribute('aria-activedescendant')"));
    assert_eq!(active, "kb-search-hit-1");
    assert_eq!(
        chrome.text("document.getElementById('kb-search-hit-1').getAttribute('aria-selected')"),
        "true"
    );
    chrome.tab.press_key("Escape").expect("escape");
    assert_eq!(
        chrome.text(&format!("{input}.getAttribute('aria-expanded')")),
        "false"
    );
    assert_eq!(
        chrome.text("String(document.getElementById('kb-search-results').hidden)"),
        "true"
    );
    chrome.tab.press_key("Escape").expect("escape");
    assert_eq!(chrome.text(&format!("{input}.value")), "");
    chrome.text(&format!("({input}.blur(), {input}.focus(), '')"));
    assert_eq!(
        chrome.text("String(document.getElementById('kb-search-results').hidden)"),
        "true",
        "no stale results on focus"
    );
    assert_eq!(
        chrome.text("String(document.querySelectorAll('#kb-search-listbox [role=option]').length)"),
        "0"
    );
    chrome.assert_no_errors();
}

#[test]
fn readers_copy_code_and_tell_whether_a_page_helped() {
    let Some(path) = chromium() else { return };
    let (endpoint, got) = feedback_endpoint();
    let (_site, served) = reader_centre(&endpoint);
    let chrome = launch(path);
    chrome.before_scripts(
        "window.__copied = null; Object.defineProperty(navigator, 'clipboard', { value: { writeText: t => { window.__copied = t; return Promise.resolve(); } } });",
    );
    chrome.open(&format!("{}/account/password/", served.base));
    chrome.wait_for("document.querySelector('.copy-button')", "a copy button");
    chrome.text("(document.querySelector('.copy-button').click(), '')");
    chrome.wait_for("window.__copied !== null", "the copy");
    assert_eq!(
        chrome.text("window.__copied"),
        "kbfresh verify content/account/password.md",
        "the command, without its prompt or output"
    );
    chrome.wait_for(
        "document.querySelector('.copy-button').textContent === 'Copied'",
        "the button says so",
    );

    // "No" asks what was wrong; the answer is posted to the endpoint with the page's facts.
    assert_eq!(
        chrome.text("String(document.querySelector('.feedback-why').hidden)"),
        "true"
    );
    chrome.text("(document.querySelector('.feedback-no').click(), '')");
    assert_eq!(
        chrome.text("String(document.querySelector('.feedback-why').hidden)"),
        "false"
    );
    chrome.text("(document.querySelector('input[name=reason][value=outdated]').click(), '')");
    chrome.text("(document.querySelector('.feedback-send').click(), '')");
    chrome.wait_for(
        "document.querySelector('.feedback-thanks').textContent !== ''",
        "the thanks",
    );
    let start = Instant::now();
    while got.lock().unwrap().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let post = &got[0];
    assert!(post.starts_with("POST /feedback "), "{post}");
    for part in [
        "page=%2Faccount%2Fpassword%2F",
        "lang=en",
        &format!("verified={}", days_ago(20)),
        "helpful=no",
        "reason=outdated",
    ] {
        assert!(post.contains(part), "{part} in {post}");
    }
    chrome.assert_no_errors();
}

#[test]
fn a_page_past_its_expiry_says_so_everywhere_its_status_shows() {
    let Some(path) = chromium() else { return };
    let (endpoint, _) = feedback_endpoint();
    let (_site, served) = reader_centre(&endpoint);
    let chrome = launch(path);
    let shown = "[...document.querySelectorAll('[data-expires]')].filter(e => e.offsetParent !== null && !e.classList.contains('freshness')).length";
    chrome.open(&format!("{}/billing/", served.base));
    assert_eq!(chrome.text(&format!("String({shown})")), "0", "fresh today");
    // Two years on, in the reader's browser.
    chrome.before_scripts(
        "(() => { const D = Date, shift = 730 * 86400000; \
           class Later extends D { constructor(...a) { super(...(a.length ? a : [D.now() + shift])); } \
             static now() { return D.now() + shift; } }; window.Date = Later; })();",
    );
    chrome.open(&format!("{}/billing/invoices/", served.base));
    chrome.wait_for(
        "!document.getElementById('kb-late-banner').hidden",
        "the banner",
    );
    assert_eq!(
        chrome.text("String(document.querySelector('.article-header .freshness').classList.contains('freshness-stale'))"),
        "true",
        "the verified line turns stale with the banner"
    );
    assert!(
        chrome.text(&format!("String({shown})")) != "0",
        "the sidebar marks show"
    );
    chrome.open(&format!("{}/billing/", served.base));
    assert_eq!(
        chrome.text(&format!("String({shown})")),
        "4",
        "both articles of the section are marked in its list and in the sidebar"
    );
    assert_eq!(
        chrome.text("String([...document.querySelectorAll('.summaries [data-expires]')].filter(e => !e.hidden).length)"),
        "2"
    );
    chrome.assert_no_errors();
}

/// The example's home, an article, a stale right-to-left translation, search results and the
/// dashboard, in light and dark mode: axe-core finds nothing, and at 375 px nothing is wider than
/// the screen; code on right-to-left pages stays left to right.
#[test]
fn the_example_pages_are_accessible_and_fit_a_phone() {
    let Some(path) = chromium() else { return };
    let site = stale_translation_example();
    let served = serve(&site.path("public"));
    let pages = [
        "/",
        "/getting-started/install/",
        "/fa/getting-started/install/",
        "/search/?q=stale",
        "/_freshness/",
    ];
    let mut found = Vec::new();
    for (size, schemes) in [
        ((1280, 900), &["light", "dark"][..]),
        ((375, 800), &["light"][..]),
    ] {
        let chrome = launch_sized(path.clone(), size);
        for scheme in schemes {
            chrome.color_scheme(scheme);
            for p in pages {
                chrome.open(&format!("{}{p}", served.base));
                if p.starts_with("/search/") {
                    chrome.wait_for("document.querySelector('.search-hit')", "results");
                }
                for v in chrome.axe() {
                    found.push(format!("{p} {scheme} {}px: {v}", size.0));
                }
                let wide =
                    chrome.text("String(document.documentElement.scrollWidth > window.innerWidth)");
                if wide == "true" {
                    found.push(format!(
                        "{p} {}px: {} px wide",
                        size.0,
                        chrome.text("String(document.documentElement.scrollWidth)")
                    ));
                }
            }
        }
        if size.0 == 1280 {
            // Results arriving do not push the page around (cumulative layout shift under 0.1).
            chrome.before_scripts(
                "window.__cls = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });",
            );
            chrome.open(&format!("{}/search/?q=stale", served.base));
            chrome.wait_for("document.querySelector('.search-hit')", "results");
            std::thread::sleep(Duration::from_millis(500));
            let cls: f64 = chrome
                .text("String(window.__cls)")
                .parse()
                .expect("a number");
            assert!(cls < 0.1, "layout shift on the search page: {cls}");
        }
        chrome.open(&format!("{}/fa/getting-started/install/", served.base));
        assert_eq!(
            chrome.text("[...document.querySelectorAll('.prose code')].map(c => getComputedStyle(c).direction).filter(d => d !== 'ltr').join(',')"),
            "",
            "code reads left to right on a right-to-left page"
        );
        if size.0 == 375 {
            chrome.screenshot("example-phone-rtl");
        }
        chrome.assert_no_errors();
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn wide_screenshots_zoom_and_the_contents_follow_the_reader() {
    let Some(path) = chromium() else { return };
    let site = Site::new();
    let para = "Words to read on the way down the page. ".repeat(60);
    site.file(
        "content/guide.md",
        &format!(
            "# Guide\n\n![The whole screen](wide.svg)\n\n## First\n\n{para}\n\n## Second\n\n{para}\n\n## Third\n\n{para}\n"
        ),
    )
    .file(
        "content/wide.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"3000\" height=\"300\"><rect width=\"3000\" height=\"300\" fill=\"#468\"/></svg>",
    );
    site.run(&["build", "--now", "2026-11-22"]).ok();
    let served = serve(&site.path("public"));
    let chrome = launch(path);
    chrome.open(&format!("{}/guide/", served.base));
    chrome.wait_for(
        "document.querySelector('.zoom-button img')",
        "a zoom button",
    );
    chrome.text("(document.querySelector('.zoom-button').focus(), '')");
    chrome.tab.press_key("Enter").expect("enter");
    chrome.wait_for(
        "document.querySelector('.zoom-dialog') && document.querySelector('.zoom-dialog').open",
        "the picture at full size",
    );
    assert!(
        chrome
            .text("document.querySelector('.zoom-dialog img').src")
            .ends_with("/wide.svg")
    );
    chrome.tab.press_key("Escape").expect("escape");
    chrome.wait_for("!document.querySelector('.zoom-dialog').open", "closed");
    assert_eq!(
        chrome.text("document.activeElement.className"),
        "zoom-button"
    );

    // Scrolled to the third section, its entry in the contents is the current one.
    chrome.text("(document.getElementById('third').scrollIntoView(), '')");
    chrome.wait_for(
        "document.querySelector('.toc-list a[aria-current=true]') && document.querySelector('.toc-list a[aria-current=true]').getAttribute('href') === '#third'",
        "the contents to follow",
    );
    assert_eq!(
        chrome.text("String(document.querySelectorAll('.toc-list a[aria-current]').length)"),
        "1"
    );
    chrome.assert_no_errors();
}
