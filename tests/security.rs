//! Hostile content and configuration: values reach pages escaped, script and data URLs are reported,
//! the link checker keeps away from private addresses (redirects included), and header tokens from
//! the environment never reach a log or a report. No test touches the internet.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Site;

const XSS: &str = "</script><script>alert('kbfresh-xss')</script><!--<script>";
const ATTR: &str = "\"><img src=x onerror=alert('kbfresh-attr')>";

/// Every file the build wrote, as text.
fn output_texts(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[test]
fn hostile_front_matter_and_config_values_reach_pages_escaped() {
    let s = Site::new();
    let toml_str = |v: &str| format!("{v:?}").replace("\\'", "'");
    s.file(
        "kbfresh.toml",
        &format!(
            "title = {t}\ndescription = {a}\n[support]\ntitle = {t}\ntext = {a}\n[[support.channels]]\nkind = \"chat\"\nlabel = {t}\nurl = \"javascript:alert(1)\"\n",
            t = toml_str(XSS),
            a = toml_str(ATTR)
        ),
    )
    .file(
        "content/sec/_index.md",
        &format!("+++\ntitle = {}\ndescription = {}\n+++\n", toml_str(XSS), toml_str(ATTR)),
    )
    .file(
        "content/sec/page.md",
        &format!(
            "+++\ntitle = {t}\ndescription = {a}\ntags = [{t}, {a}]\nowner = {t}\ndescribes = {a}\naliases = [\"/old/\"]\ncustom = {t}\n+++\n# Body\n\n## {x}\n\n`{x}`\n",
            t = toml_str(XSS),
            a = toml_str(ATTR),
            x = "heading <em>ok</em>"
        ),
    )
    .file(
        "content/sec/other.md",
        &format!("+++\ntitle = \"Other\"\ntags = [{}]\n+++\nText\n", toml_str(XSS)),
    );
    let r = s.build();
    // A `javascript:` support URL is either refused or written harmlessly; never a panic.
    if r.code != 0 {
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("kbfresh.toml"), "{}", r.stderr);
        s.file(
            "kbfresh.toml",
            &format!(
                "title = {t}\ndescription = {a}\n[support]\ntitle = {t}\ntext = {a}\n",
                t = toml_str(XSS),
                a = toml_str(ATTR)
            ),
        );
        s.build().ok();
    }
    for (path, text) in output_texts(&s.path("public")) {
        assert!(
            !text.contains("alert('kbfresh-xss')</script>") && !text.contains("<script>alert"),
            "raw script from front matter in {path}"
        );
        assert!(
            !text.contains("<img src=x onerror"),
            "raw attribute break-out in {path}"
        );
        assert!(
            !text.contains("href=\"javascript:"),
            "a javascript: URL became a link in {path}"
        );
    }
    let page = s.read("public/sec/page/index.html");
    assert!(
        page.contains("&lt;&#x2F;script&gt;&lt;script&gt;alert(")
            || page.contains("&lt;/script&gt;&lt;script&gt;alert("),
        "the title is shown, escaped"
    );
    // JSON-LD lives inside <script>: no `<` at all, and it still reads back as the title.
    let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json = &page[start..start + page[start..].find("</script>").unwrap()];
    assert!(!json.contains('<'), "{json}");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["headline"], XSS);
}

/// A CI checkout's `.git/config` carries the token it cloned with; `.env` holds secrets too.
#[cfg(unix)]
#[test]
fn content_links_to_git_config_or_dotenv_are_refused_and_nothing_secret_is_published() {
    let s = Site::new();
    s.git_init();
    s.file("content/a.md", "# A\n")
        .file(".env", "API_TOKEN=kbfresh-secret-env\n")
        .file("content/assets/.keep", "");
    s.commit("First", "2026-11-01T10:00:00Z");
    let git_config = s.path(".git/config");
    let mut cfg = std::fs::read_to_string(&git_config).unwrap();
    cfg.push_str("[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic kbfresh-secret-token\n");
    std::fs::write(&git_config, cfg).unwrap();
    s.build().ok();
    let before = common::snapshot(&s.path("public"));
    std::os::unix::fs::symlink("../../.git/config", s.path("content/assets/config.txt")).unwrap();
    std::os::unix::fs::symlink("../.env", s.path("content/env.txt")).unwrap();
    std::os::unix::fs::symlink("../.git", s.path("content/repo")).unwrap();
    for cmd in [
        &["build", "--now", "2026-11-22"][..],
        &["check", "--offline", "--now", "2026-11-22"],
    ] {
        let r = s.run(cmd).fails(2);
        for (link, target) in [
            ("content/assets/config.txt", ".git/config"),
            ("content/env.txt", ".env"),
            ("content/repo", ".git"),
        ] {
            assert!(
                r.stderr.contains(&format!(
                    "error: {link}: `{link}` is a symbolic link to `{target}`, outside the content folder"
                )),
                "{cmd:?} names {link}:\n{}",
                r.stderr
            );
        }
    }
    assert_eq!(
        before,
        common::snapshot(&s.path("public")),
        "nothing new is published"
    );
    for (path, text) in output_texts(&s.path("public")) {
        assert!(!text.contains("kbfresh-secret"), "{path} holds a secret");
    }
}

/// GitHub Actions runs any log line that starts with `::` as a workflow command.
#[cfg(unix)]
#[test]
fn control_characters_in_names_and_values_never_start_a_line_of_their_own() {
    let no_command_lines = |what: &str, text: &str| {
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("::")),
            "{what} has a line that is a workflow command:\n{text}"
        );
    };
    // A file name with a newline: refused, and said on one line.
    let s = Site::new();
    s.file("content/a.md", "# A\n")
        .file("content/b\n::error file=x::owned.md", "# B\n");
    for cmd in [
        &["build", "--now", "2026-11-22"][..],
        &["check", "--offline", "--now", "2026-11-22"],
    ] {
        let r = s.run(cmd).fails(2);
        no_command_lines("stderr", &r.stderr);
        assert!(
            r.stderr.contains("error: content/b\\n::error file=x::owned.md: the file's path holds a control character"),
            "{}",
            r.stderr
        );
    }
    // A value with a newline (an owner, a link): escaped in warnings and in the text report.
    let s = Site::new();
    s.file("content/a.md", "# A\n\n[gone](missing.md)\n").file(
        "content/b.md",
        "+++\ntitle = \"B\"\nowner = \"docs\\n::warning::team\"\nmax_age_days = 1\nverified = 2020-01-01\n+++\n[gone](<nope\u{1b}[31m.md>)\n",
    );
    let build = s.build().ok();
    let check = s
        .run(&["check", "--offline", "--now", "2026-11-22"])
        .fails(1);
    no_command_lines("build stderr", &build.stderr);
    no_command_lines("check stdout", &check.stdout);
    no_command_lines("check stderr", &check.stderr);
    assert!(
        check.stdout.contains("docs\\n::warning::team"),
        "{}",
        check.stdout
    );
    assert!(
        !check.stdout.contains('\u{1b}') && !build.stderr.contains('\u{1b}'),
        "{}",
        check.stdout
    );
}

#[test]
fn only_asset_types_and_linked_files_are_published_and_verbose_says_what_was_left_out() {
    let s = Site::new();
    s.file(
        "content/guide/setup.md",
        "# Setup\n\n![shot](shot.png) Download [the config](example.yaml).\n",
    )
    .file("content/guide/shot.png", "png")
    .file("content/guide/example.yaml", "a: 1\n")
    .file("content/guide/manual.pdf", "pdf")
    .file("content/package.json", "{\"name\": \"docs\"}\n")
    .file("content/tsconfig.json", "{}\n")
    .file("content/build.py", "print(1)\n")
    .file("content/theme.ts", "export {}\n")
    .file("content/.env.local", "TOKEN=kbfresh-secret\n");
    let r = s.run(&["build", "--now", "2026-11-22", "--verbose"]).ok();
    for published in ["guide/shot.png", "guide/example.yaml", "guide/manual.pdf"] {
        assert!(
            s.exists(&format!("public/{published}")),
            "{published} is published"
        );
    }
    for left_out in [
        "package.json",
        "tsconfig.json",
        "build.py",
        "theme.ts",
        ".env.local",
    ] {
        assert!(
            !s.exists(&format!("public/{left_out}")),
            "{left_out} must not be published"
        );
    }
    for noted in [
        "content/package.json",
        "content/tsconfig.json",
        "content/build.py",
        "content/theme.ts",
    ] {
        assert!(
            r.stderr.contains(&format!("note: {noted}: not published")),
            "{noted}:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr
            .contains("note: content/.env.local: not published: a hidden file"),
        "{}",
        r.stderr
    );
    // The four files above and the hidden one.
    assert!(r.stdout.contains("5 left out"), "{}", r.stdout);
    // A type added in kbfresh.toml is published.
    s.file("kbfresh.toml", "[assets]\nextra_extensions = [\"json\"]\n");
    s.build().ok();
    assert!(s.exists("public/package.json") && !s.exists("public/build.py"));
}

#[test]
fn script_and_data_urls_are_reported_however_they_are_written() {
    let s = Site::new();
    s.file(
        "content/a.md",
        "# A\n\n\
         [one](javascript:alert(1))\n\n\
         [two](JaVaScRiPt:alert(1))\n\n\
         ![three](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)\n\n\
         [four](<java\tscript:alert(1)>)\n\n\
         <a href=\"vbscript:msgbox\">five</a>\n\n\
         <a href=\"java&#x09;script:alert(1)\">six</a>\n\n\
         <img src=\"data:text/html,<script>alert(1)</script>\">\n\n\
         <a href=\" javascript:alert(1)\">eight</a>\n",
    );
    let r = s.build().ok();
    let e = &r.stderr;
    for (line, scheme) in [
        (3, "javascript"),
        (5, "javascript"),
        (7, "data"),
        (9, "javascript"),
        (11, "vbscript"),
        (13, "javascript"),
        (15, "data"),
        (17, "javascript"),
    ] {
        assert!(
            e.contains(&format!("warning: content/a.md:{line}:"))
                && e.lines()
                    .any(|l| l.starts_with(&format!("warning: content/a.md:{line}:"))
                        && l.contains(&format!("`{scheme}:` URL"))),
            "line {line}: `{scheme}:` not reported:\n{e}"
        );
    }
    // `check` reports them too (as broken links, which it fails on by default).
    let r = s
        .run(&[
            "check",
            "--offline",
            "--format",
            "json",
            "--now",
            "2026-11-22",
        ])
        .fails(1);
    assert_eq!(r.stdout.matches("URL in a link").count(), 8, "{}", r.stdout);
}

// ---- the link checker and private addresses ----

/// A tiny HTTP server on 127.0.0.1 that also acts as a forward proxy: requests for other hosts come
/// to it with the full URL in the request line. It logs every request line.
fn proxy_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = l2.clone();
            std::thread::spawn(move || handle(stream, port, &log));
        }
    });
    (port, log)
}

fn handle(mut s: TcpStream, port: u16, log: &Mutex<Vec<String>>) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let line = head.lines().next().unwrap_or("").to_string();
    log.lock().unwrap().push(line.clone());
    let target = line.split(' ').nth(1).unwrap_or("");
    let (code, extra) = if target.ends_with("/to-loopback") {
        (302, format!("Location: http://127.0.0.1:{port}/secret\r\n"))
    } else if target.ends_with("/to-metadata") {
        (
            302,
            "Location: http://169.254.169.254/latest/meta-data/\r\n".to_string(),
        )
    } else if target.ends_with("/to-ipv6") {
        (302, format!("Location: http://[::1]:{port}/secret\r\n"))
    } else if target.ends_with("/to-localhost") {
        (302, "Location: http://localhost/secret\r\n".to_string())
    } else if target.ends_with("/unauthorized") {
        (401, String::new())
    } else {
        (200, String::new())
    };
    let _ = write!(
        s,
        "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n{extra}\r\n"
    );
}

/// Runs `check` with every HTTP request sent to the local proxy, so "public" hosts can be played
/// without the internet.
fn check_through_proxy(s: &Site, port: u16, env: &[(&str, &str)]) -> common::Run {
    let mut c = common::kbfresh();
    c.args([
        "check",
        "--format",
        "json",
        "--verbose",
        "--fail-on",
        "stale",
        "--now",
        "2026-11-22",
        "--root",
    ])
    .arg(s.root())
    .current_dir(s.root());
    for k in [
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        c.env_remove(k);
    }
    c.env("http_proxy", format!("http://127.0.0.1:{port}"))
        .env("HTTP_PROXY", format!("http://127.0.0.1:{port}"));
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let r = common::Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

#[test]
fn redirects_to_private_addresses_are_not_followed() {
    let (port, log) = proxy_server();
    let s = Site::new();
    s.file(
        "content/a.md",
        "# A\n\n[a](http://docs.example.test/to-loopback) [b](http://docs.example.test/to-metadata) [c](http://docs.example.test/to-ipv6) [d](http://docs.example.test/fine) [e](http://docs.example.test/to-localhost) [f](http://localhost/secret-direct) [g](http://admin.localhost./secret-direct2)\n",
    )
    .file("kbfresh.toml", "[links]\ntimeout = 5\nretries = 0\n");
    let r = check_through_proxy(&s, port, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let links = report["links"].as_array().unwrap();
    let find = |end: &str| {
        links
            .iter()
            .find(|l| l["target"].as_str().unwrap().ends_with(end))
            .unwrap_or_else(|| panic!("no {end} in {links:#?}"))
    };
    if !log.lock().unwrap().iter().any(|l| l.contains("/fine")) {
        // This HTTP client ignored the proxy variables: nothing to test without the internet.
        eprintln!("proxy not used; skipping");
        return;
    }
    assert_eq!(find("/fine")["status"], "ok");
    for (end, host) in [
        ("/to-loopback", "127.0.0.1"),
        ("/to-metadata", "169.254.169.254"),
        ("/to-ipv6", "[::1]"),
        ("/to-localhost", "localhost"),
    ] {
        let l = find(end);
        assert_eq!(l["status"], "skipped", "{l:#}");
        let msg = l["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("redirects to `{host}`")) && msg.contains("allow_private"),
            "{msg}"
        );
    }
    // Loopback by name is refused before any request, proxy or not.
    for end in ["/secret-direct", "/secret-direct2"] {
        let l = find(end);
        assert_eq!(l["status"], "skipped", "{l:#}");
        assert!(
            l["message"].as_str().unwrap().contains("allow_private"),
            "{l:#}"
        );
    }
    let requests = log.lock().unwrap().clone();
    assert!(
        !requests
            .iter()
            .any(|l| l.contains("/secret") || l.contains("meta-data")),
        "a private address was contacted after a redirect: {requests:?}"
    );
}

#[test]
fn header_tokens_from_the_environment_never_reach_logs_or_reports() {
    let (port, log) = proxy_server();
    let s = Site::new();
    s.file(
        "content/a.md",
        "# A\n\n[a](http://api.example.test/unauthorized) [b](http://api.example.test/fine)\n",
    )
    .file(
        "kbfresh.toml",
        "[links]\ntimeout = 5\nretries = 0\n[links.hosts.\"api.example.test\"]\nheaders = { Authorization = \"Bearer ${KBFRESH_SECRET_TOKEN}\", X-Other = \"x-${KBFRESH_SECRET_TOKEN}-y\" }\n",
    );
    let secret = "s3cr3t-token-value";
    let r = check_through_proxy(&s, port, &[("KBFRESH_SECRET_TOKEN", secret)]);
    assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
    // Every report format, written to files, and the text log on stderr.
    let mut c = common::kbfresh();
    c.args([
        "check",
        "--verbose",
        "--fail-on",
        "stale",
        "--now",
        "2026-11-22",
        "--root",
    ])
    .arg(s.root());
    for f in ["json", "junit", "sarif", "markdown", "github", "text"] {
        c.args(["--format", f, "--output"])
            .arg(s.path(&format!("report.{f}")));
    }
    c.env("http_proxy", format!("http://127.0.0.1:{port}"))
        .env("HTTP_PROXY", format!("http://127.0.0.1:{port}"))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("KBFRESH_SECRET_TOKEN", secret)
        .env("GITHUB_STEP_SUMMARY", s.path("summary.md"));
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !out.contains(secret) && !err.contains(secret),
        "{out}\n{err}"
    );
    for f in ["json", "junit", "sarif", "markdown", "github", "text"] {
        let p = s.path(&format!("report.{f}"));
        if p.exists() {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(!text.contains(secret), "token in the {f} report");
        }
    }
    assert!(s.exists("report.json"), "{err}");
    for p in [".kbfresh-cache/links.json", "summary.md"] {
        if s.exists(p) {
            assert!(!s.read(p).contains(secret), "token in {p}");
        }
    }
    let _ = log;
}

/// Names kbfresh keeps for itself and files it generates are never claimed by content: a page slug
/// is an error naming both (build and check alike); an alias is left out with a warning, and the
/// next build still works and keeps the user's own files in the output folder.
#[test]
fn reserved_and_generated_names_are_never_claimed_by_content() {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\naliases = [\"/.kbfresh-first-build\", \"/_freshness/\", \"/search/en/manifest.json\", \"/.kbfresh-manifest\"]\n+++\nA.\n",
        )
        .file("content/b.md", "+++\ntitle = \"B\"\naliases = [\"/old/\"]\n+++\nB.\n")
        .file("content/c.md", "+++\ntitle = \"C\"\naliases = [\"/old/\"]\n+++\nC.\n");
    let first = s.run(&["build", "--now", "2026-11-22"]).ok();
    for alias in [
        "/.kbfresh-first-build",
        "/_freshness/",
        "/search/en/manifest.json",
        "/.kbfresh-manifest",
    ] {
        assert!(
            first
                .stderr
                .contains(&format!("alias `{alias}` would replace")),
            "{alias}: {}",
            first.stderr
        );
    }
    // Two pages claim one old URL: the first in path order keeps it, a warning names both.
    assert!(
        first.stderr.contains("warning: content/c.md:3:11: alias `/old/` is also an alias of `content/b.md`, which keeps it"),
        "{}",
        first.stderr
    );
    assert!(s.read("public/old/index.html").contains("/b/"));
    assert!(s.read("public/search/en/manifest.json").starts_with('{'));
    s.file("public/CNAME", "help.example.com\n");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    assert_eq!(s.read("public/CNAME"), "help.example.com\n");
    assert!(s.read("public/_freshness/index.html").contains("<html"));

    // A page slug in the search index's folder or at a reserved name: an error naming the page.
    for slug in ["/search/en/", "/.kbfresh-first-build/"] {
        s.file(
            "content/d.md",
            &format!("+++\ntitle = \"D\"\nslug = \"{slug}\"\n+++\nD.\n"),
        );
        let r = s.build_and_check_fail();
        assert!(
            r.stderr.contains("content/d.md") && r.stderr.contains("would replace"),
            "{slug}: {}",
            r.stderr
        );
        assert_eq!(s.read("public/CNAME"), "help.example.com\n");
    }
}

/// `--output` is compared as the file system resolves it: `public/../templates` is the templates
/// folder, refused like `templates`.
#[test]
fn an_output_folder_spelled_through_dot_dot_is_resolved() {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file("content/a.md", "# A\n\nA.\n")
        .file("static/brand.css", "p {}\n");
    s.file(
        "kbfresh.toml",
        "title = \"Help\"\noutput_dir = \"public/../static\"\n",
    );
    let r = s.build_and_check_fail();
    assert!(
        r.stderr.contains("the site's static folder"),
        "{}",
        r.stderr
    );
    assert_eq!(s.read("static/brand.css"), "p {}\n");
}

/// A commit dated after `--now` does not keep an article fresh until then: its date counts as now,
/// with a warning naming the commit. A control character in a title keeps the feed valid XML.
#[test]
fn future_commits_are_clamped_and_feeds_stay_valid_xml() {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n").file(
        "content/a.md",
        "+++\ntitle = \"Bell\\u0007 title\"\n+++\nA.\n",
    );
    s.git_init();
    s.commit("docs from the future", "2099-12-31");
    let r = s.run(&["build", "--now", "2026-11-22"]).ok();
    assert!(
        r.stderr
            .contains("is dated 2099-12-31, after now (2026-11-22)"),
        "{}",
        r.stderr
    );
    let page = s.read("public/a/index.html");
    assert!(!page.contains("2099"), "readers never see a date after now");
    let feed = s.read("public/feed.xml");
    roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{e}: {feed}"));
}

/// A FIFO in the content folder is left out with a warning; build and check end.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_content_folder_is_left_out() {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file("content/a.md", "# A\n\nA.\n");
    let fifo = s.path("content/pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let r = s.run(&["build", "--now", "2026-11-22"]).ok();
    assert!(
        r.stderr.contains("`content/pipe.md` is not a regular file"),
        "{}",
        r.stderr
    );
    s.run(&["check", "--offline", "--now", "2026-11-22"]).ok();
}
