//! `kbfresh serve`: the real binary on port 0, fetched with a plain HTTP client over TCP, with the
//! live-reload events read from the same port.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Site, kbfresh};

/// A running `kbfresh serve`; killed when dropped.
struct Serve {
    child: Child,
    port: u16,
    stderr: mpsc::Receiver<String>,
}

impl Serve {
    fn start(site: &Site, extra: &[&str]) -> Serve {
        let mut child = kbfresh()
            .args(["serve", "--port", "0", "--now", "2026-06-01"])
            .args(extra)
            .arg("--root")
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kbfresh serve");
        let (tx, stderr) = mpsc::channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read the URL line");
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        Serve {
            child,
            port,
            stderr,
        }
    }

    fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    fn events(&self) -> Events {
        Events::connect(self.port)
    }

    /// Everything kbfresh printed to stderr so far.
    fn stderr(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Stderr up to the first line containing `needle` (or all of it after 5 s).
    fn stderr_until(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut lines = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            let done = line.contains(needle);
            lines.push(line);
            if done {
                break;
            }
        }
        lines.join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

fn get(port: u16, path: &str) -> Response {
    get_for(port, path, "127.0.0.1")
}

/// A GET whose `Host` header names `host`.
fn get_for(port: u16, path: &str, host: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

/// The server-sent events stream, read on a thread of its own.
struct Events {
    rx: mpsc::Receiver<String>,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            s,
            "GET /__kbfresh/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(name) = line.strip_prefix("event: ") {
                    let _ = tx.send(name.to_string());
                }
            }
        });
        let ev = Events { rx };
        ev.expect("hello");
        ev
    }

    #[track_caller]
    fn expect(&self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(n) if n == name => return,
                Ok(_) => continue,
                Err(_) => panic!("no `{name}` event within 10 s"),
            }
        }
    }
}

fn site() -> Site {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file(
            "content/billing/_index.md",
            "+++\ntitle = \"Billing\"\n+++\nAll about money.\n",
        )
        .file(
            "content/billing/refunds.md",
            "+++\ntitle = \"Refunds\"\nverified = 2026-05-01\n+++\nAsk for a refund within 30 days.\n",
        )
        .file(
            "content/billing/invoices.md",
            "# Invoices\n\nSee [refunds](refunds.md).\n",
        )
        .file("content/billing/card.png", "not really a png");
    s
}

#[test]
fn serves_from_memory_with_types_404_and_no_output_folder() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let home = srv.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.headers
            .contains("content-type: text/html; charset=utf-8")
    );
    assert!(home.body.contains("Billing"));
    // The live-reload script is injected into served pages only.
    assert!(home.body.contains("/__kbfresh/live.js"));
    let page = srv.get("/billing/refunds/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ask for a refund within 30 days."));
    let css = srv.get("/kbfresh.css");
    assert!(css.headers.contains("content-type: text/css"));
    assert!(!css.body.contains("live.js"));
    let png = srv.get("/billing/card.png");
    assert!(png.headers.contains("content-type: image/png"));
    assert_eq!(png.body, "not really a png");
    let redirect = srv.get("/billing");
    assert_eq!(redirect.status, 308);
    assert!(redirect.headers.contains("location: /billing/"));
    let missing = srv.get("/nope/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the theme's 404 page");
    let js = srv.get("/__kbfresh/live.js");
    assert!(js.headers.contains("text/javascript"));
    assert!(js.body.contains("EventSource"));
    assert!(
        !s.exists("public"),
        "serve must not write the output folder"
    );
    // A build never carries the script.
    s.build().ok();
    assert!(!s.read("public/index.html").contains("__kbfresh"));
}

#[test]
fn requests_for_other_host_names_are_refused_unless_allowed() {
    let s = site();
    let srv = Serve::start(&s, &["--allowed-host", "docs.test"]);
    for path in [
        "/",
        "/billing/refunds/",
        "/__kbfresh/events",
        "/__kbfresh/live.js",
    ] {
        let r = get_for(srv.port, path, "rebind.evil.example");
        assert_eq!(r.status, 403, "{path}");
        assert!(
            r.body.contains("--allowed-host rebind.evil.example"),
            "{}",
            r.body
        );
    }
    for host in [
        "localhost:1",
        "127.0.0.1",
        "app.localhost",
        "docs.test",
        "[::1]:9",
    ] {
        assert_eq!(get_for(srv.port, "/", host).status, 200, "{host}");
    }
}

#[test]
fn traversal_never_leaves_the_site() {
    let s = site();
    s.file("secret.txt", "top secret");
    let srv = Serve::start(&s, &[]);
    for p in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/billing/%2E%2E/%2e%2e/secret.txt",
        "/billing%2F..%2F..%2Fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/kbfresh.toml",
        "/content/billing/refunds.md",
    ] {
        let r = srv.get(p);
        assert_eq!(r.status, 404, "{p}");
        assert!(!r.body.contains("top secret"), "{p}");
        assert!(!r.body.contains("root:"), "{p}");
    }
}

#[test]
fn an_edit_rerenders_the_page_and_reloads() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds and credits\"\nverified = 2026-05-01\n+++\nNow 60 days.\n",
    );
    events.expect("reload");
    let page = srv.get("/billing/refunds/");
    assert!(page.body.contains("Now 60 days."), "{}", page.body);
    // The section lists it by its new title; the neighbour's navigation too.
    assert!(srv.get("/billing/").body.contains("Refunds and credits"));
    assert!(
        srv.get("/billing/invoices/")
            .body
            .contains("Refunds and credits")
    );
    assert!(srv.stderr_until("Rebuilt").contains("Rebuilt"));
}

#[test]
fn new_tags_show_in_the_related_lists_of_other_pages() {
    let s = site();
    s.file(
        "content/billing/invoices.md",
        "+++\ntitle = \"Invoices\"\ntags = [\"money\"]\n+++\nSee [refunds](refunds.md).\n",
    );
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    assert!(
        !srv.get("/billing/invoices/")
            .body
            .contains("kb-related-title")
    );
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\"\nverified = 2026-05-01\ntags = [\"money\"]\n+++\nAsk within 30 days.\n",
    );
    events.expect("reload");
    let page = srv.get("/billing/invoices/").body;
    let related = page.split("id=\"kb-related-title\"").nth(1).unwrap_or("");
    assert!(related.contains("/billing/refunds/"), "{page}");
}

#[test]
fn a_broken_save_shows_the_overlay_keeps_the_old_page_and_recovers() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\nverified = 2026-05-01\n+++\nBroken.\n",
    );
    events.expect("build-error");
    let page = srv.get("/billing/refunds/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ask for a refund within 30 days."));
    assert!(page.body.contains("kbfresh-overlay"));
    assert!(
        page.body.contains("content/billing/refunds.md:"),
        "the overlay names the file and line: {}",
        page.body
    );
    // A page opened now gets the error on connect.
    let late = srv.events();
    drop(late);
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\"\n+++\nFixed.\n",
    );
    events.expect("reload");
    let page = srv.get("/billing/refunds/");
    assert!(page.body.contains("Fixed."));
    assert!(!page.body.contains("kbfresh-overlay\" role"));
    let err = srv.stderr();
    assert!(
        err.contains("still serving the last good pages") || err.contains("error:"),
        "{err}"
    );
}

#[test]
fn template_and_structure_changes_rebuild_everything() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    let base = common::default_template("article.html");
    s.file(
        "templates/article.html",
        &base.replace(
            "<main",
            "<p class=\"custom-marker\">Custom template</p><main",
        ),
    );
    events.expect("reload");
    assert!(
        srv.get("/billing/refunds/")
            .body
            .contains("Custom template")
    );
    // A broken template: overlay, old pages stay.
    s.file("templates/article.html", "{% if %}");
    events.expect("build-error");
    let r = srv.get("/billing/refunds/");
    assert!(r.body.contains("Custom template"));
    assert!(r.body.contains("templates/article.html"));
    // A new article is a new page.
    s.remove("templates/article.html");
    events.expect("reload");
    s.file("content/billing/new.md", "# Brand new\n");
    events.expect("reload");
    let deadline = Instant::now() + Duration::from_secs(5);
    while srv.get("/billing/new/").status != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(srv.get("/billing/new/").body.contains("Brand new"));
}

#[test]
fn editor_temp_files_are_ignored() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    s.file("content/billing/.refunds.md.swp", "swap")
        .file("content/billing/refunds.md~", "backup")
        .file("content/billing/4913", "")
        .file("content/billing/.#refunds.md", "lock");
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        events.rx.try_iter().all(|e| e != "reload"),
        "temp files must not rebuild"
    );
    assert!(!srv.stderr().contains("Rebuilt"));
}

#[test]
fn a_port_in_use_names_a_free_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let s = site();
    let r = s.run(&["serve", "--port", &port]).fails(2);
    assert!(r.stderr.contains("already in use"), "{}", r.stderr);
    assert!(r.stderr.contains("--port"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let s = site();
    let mut srv = Serve::start(&s, &[]);
    assert_eq!(srv.get("/").status, 200);
    let pid = srv.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = srv.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_edited_article_counts_as_changed_now() {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\nOld steps.\n")
        .file("content/b.md", "+++\ntitle = \"B\"\n+++\nOther.\n");
    s.commit("add", "2025-01-10");
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    let before = srv.get("/a/");
    assert!(before.body.contains("freshness-stale"), "{}", before.body);
    let dots = |page: &str| srv.get(page).body.matches("class=\"dot-stale\"").count();
    assert_eq!(dots("/b/"), 2, "B's sidebar marks both stale");
    s.file("content/a.md", "+++\ntitle = \"A\"\n+++\nNew steps.\n");
    events.expect("reload");
    let after = srv.get("/a/");
    assert!(after.body.contains("New steps."));
    assert!(after.body.contains("freshness-fresh"), "{}", after.body);
    assert!(
        after
            .body
            .contains("<time datetime=\"2026-06-01\">1 June 2026</time>"),
        "{}",
        after.body
    );
    // Only the pages that show it were re-rendered, not the whole site.
    let err = srv.stderr_until("page(s) in");
    assert!(err.contains("page(s) in"), "{err}");
    assert!(!err.contains("Rebuilt the site"), "{err}");
    // The untouched article keeps its history; its sidebar no longer marks A stale.
    assert!(srv.get("/b/").body.contains("freshness-stale"));
    assert_eq!(dots("/b/"), 1);
}

#[test]
fn edits_are_seen_again_after_the_content_folder_is_deleted_and_restored() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    // Deleted and written again (as `git checkout` or a sync tool does): a new folder, which the
    // old watch does not see.
    std::fs::remove_dir_all(s.path("content")).unwrap();
    let err = srv.stderr_until("The build failed");
    assert!(
        err.contains("the content folder `content` does not exist"),
        "{err}"
    );
    let again = site();
    for rel in [
        "content/billing/_index.md",
        "content/billing/refunds.md",
        "content/billing/invoices.md",
        "content/billing/card.png",
    ] {
        s.file(rel, &again.read(rel));
    }
    events.expect("build-ok");
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\"\nverified = 2026-05-01\n+++\nAsk within 60 days.\n",
    );
    events.expect("reload");
    let mut seen = false;
    for _ in 0..20 {
        if srv
            .get("/billing/refunds/")
            .body
            .contains("Ask within 60 days.")
        {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(seen, "the edit after the restore is served");
}

#[cfg(unix)]
#[test]
fn a_served_file_replaced_by_a_link_to_elsewhere_is_never_read() {
    let s = site();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "root:x:0:0:kbfresh-secret").unwrap();
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    assert_eq!(srv.get("/billing/card.png").body, "not really a png");
    std::fs::remove_file(s.path("content/billing/card.png")).unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("content/billing/card.png")).unwrap();
    events.expect("reload");
    for _ in 0..3 {
        let r = srv.get("/billing/card.png");
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("kbfresh-secret"));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // An ordinary edit of the file is served as before.
    std::fs::remove_file(s.path("content/billing/card.png")).unwrap();
    s.file("content/billing/card.png", "a new png");
    events.expect("reload");
    let r = srv.get("/billing/card.png");
    assert_eq!((r.status, r.body.as_str()), (200, "a new png"));
}

#[test]
fn a_changed_static_file_reloads_without_a_rebuild() {
    let s = site();
    s.file("static/extra.css", "body { color: red }");
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    assert!(srv.get("/extra.css").body.contains("red"));
    s.file("static/extra.css", "body { color: blue }");
    events.expect("reload");
    let css = srv.get("/extra.css");
    assert!(css.body.contains("blue"));
    assert!(css.headers.contains("content-type: text/css"));
    assert!(!srv.stderr().contains("Rebuilt the site"));
    // A new static file changes the file list: a full rebuild serves it.
    s.file("static/more.js", "console.log(1)");
    events.expect("reload");
    let js = srv.get("/more.js");
    assert_eq!(js.status, 200);
    assert!(js.headers.contains("javascript"));
}

#[test]
fn editing_an_original_makes_its_translation_stale() {
    let s = Site::new();
    s.git_init();
    s.file(
        "kbfresh.toml",
        "[languages.en]\nname = \"English\"\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    )
    .file("content/a.md", "+++\ntitle = \"A\"\n+++\nOne.\n")
    .file("content.fa/a.md", "+++\ntitle = \"الف\"\n+++\nیک.\n");
    s.commit("both", "2026-05-01");
    let srv = Serve::start(&s, &[]);
    let events = srv.events();
    assert!(srv.get("/fa/a/").body.contains("freshness-fresh"));
    s.file("content/a.md", "+++\ntitle = \"A\"\n+++\nTwo.\n");
    events.expect("reload");
    let fa = srv.get("/fa/a/");
    assert!(fa.body.contains("freshness-stale"), "{}", fa.body);
    assert!(fa.body.contains("banner-translation"));
    // A save in the translation's own tree is incremental too.
    s.file("content.fa/a.md", "+++\ntitle = \"الف\"\n+++\nدو.\n");
    events.expect("reload");
    let fa = srv.get("/fa/a/");
    assert!(fa.body.contains("دو."));
    assert!(fa.body.contains("freshness-fresh"), "{}", fa.body);
    assert!(!srv.stderr_until("page(s) in").contains("Rebuilt the site"));
}

#[test]
fn an_edit_updates_the_search_index() {
    let s = site();
    let srv = Serve::start(&s, &[]);
    let before = srv.get("/search/en/t/0.json");
    assert_eq!(before.status, 200);
    assert!(before.body.contains("\"refund\""), "{}", before.body);
    assert!(!before.body.contains("zanzibar"));
    let events = srv.events();
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds in Zanzibar\"\nverified = 2026-05-01\n+++\nAsk the Zanzibar office.\n",
    );
    events.expect("reload");
    // The index is refreshed with the listings, just after the reload goes out.
    let start = Instant::now();
    loop {
        let terms = srv.get("/search/en/t/0.json").body;
        let docs = srv.get("/search/en/d/0.json").body;
        if terms.contains("\"zanzibar\"") && docs.contains("Refunds in Zanzibar") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the search index did not pick up the edit:\n{terms}\n{docs}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
