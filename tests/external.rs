//! External links, against a server this test starts on 127.0.0.1: status codes, retries, 429 with
//! Retry-After, timeouts, resets, redirect loops, HEAD answered 405, fragments, bot blocking, the
//! private-address guard, the cache, exclusions, and headers from the environment.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Site;

/// Method, path and headers of one request.
type Request = (String, String, HashMap<String, String>);

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Request>>>);

impl Log {
    fn count(&self, path: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p, _)| p == path)
            .count()
    }
    fn headers(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p, _)| p == path)
            .map(|(_, _, h)| h.clone())
            .collect()
    }
}

fn respond(mut s: TcpStream, code: u16, extra: &str, body: &str) {
    let text = match code {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let _ = write!(
        s,
        "HTTP/1.1 {code} {text}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
}

/// A tiny HTTP/1.1 server with one behaviour per path; returns its base URL and request log.
fn server() -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let log = Log::default();
    let l2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = l2.clone();
            std::thread::spawn(move || handle(stream, &log));
        }
    });
    (base, log)
}

fn handle(mut s: TcpStream, log: &Log) {
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
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let seen = log.count(&path);
    log.0
        .lock()
        .unwrap()
        .push((method.clone(), path.clone(), headers.clone()));
    let page = "<html><body><h2 id=\"here\">Here</h2><a name=\"legacy\"></a></body></html>";
    match path.as_str() {
        "/ok" | "/auth" => respond(s, 200, "", page),
        "/missing" => respond(s, 404, "", "no"),
        "/gone" => respond(s, 410, "", "gone"),
        "/flaky" if seen == 0 => respond(s, 500, "", "oops"),
        "/flaky" => respond(s, 200, "", page),
        "/busy" if seen == 0 => respond(s, 429, "Retry-After: 1\r\n", "slow down"),
        "/busy" => respond(s, 200, "", page),
        "/hang" => std::thread::sleep(Duration::from_secs(20)),
        // A body that never ends (bounded here at 64 MiB): the anchor comes first.
        "/endless" => {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<h2 id=\"here\">Here</h2>"
            );
            let filler = vec![b'x'; 64 << 10];
            for _ in 0..1024 {
                if s.write_all(&filler).is_err() {
                    break;
                }
            }
        }
        // Headers at once, then a body slower than the timeout.
        "/slowbody" => {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<p>"
            );
            let _ = s.flush();
            std::thread::sleep(Duration::from_secs(4));
        }
        "/reset" => drop(s),
        "/loop" => respond(s, 302, "Location: /loop2\r\n", ""),
        "/loop2" => respond(s, 302, "Location: /loop\r\n", ""),
        "/moved" => respond(s, 302, "Location: /ok\r\n", ""),
        "/head405" if method == "HEAD" => respond(s, 405, "", ""),
        "/head405" => respond(s, 200, "", page),
        "/ua"
            if !headers
                .get("user-agent")
                .is_some_and(|u| u.starts_with("Mozilla")) =>
        {
            respond(s, 403, "", "bots go away")
        }
        "/ua" => respond(s, 200, "", page),
        _ => respond(s, 404, "", "no"),
    }
}

const LINKS: &str =
    "[links]\nallow_private = true\ntimeout = 1\nretries = 1\ndeadline = 60\nmin_interval_ms = 0\n";

fn site_linking(base: &str, paths: &[&str], config: &str) -> Site {
    let s = Site::new();
    s.file("kbfresh.toml", config);
    let body: String = paths
        .iter()
        .map(|p| format!("- [link]({base}{p})\n"))
        .collect();
    s.file("content/a.md", &format!("# A\n\n{body}"));
    // The same URL on a second page is still requested once.
    s.file("content/b.md", &format!("# B\n\n[again]({base}/missing)\n"));
    s
}

fn json_links(r: &common::Run) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON report");
    v["links"].as_array().unwrap().clone()
}

fn find<'a>(links: &'a [serde_json::Value], target_end: &str) -> &'a serde_json::Value {
    links
        .iter()
        .find(|l| l["target"].as_str().unwrap().ends_with(target_end))
        .unwrap_or_else(|| panic!("no link ending {target_end} in {links:#?}"))
}

#[test]
fn statuses_retries_and_messages() {
    let (base, log) = server();
    let paths = [
        "/ok",
        "/ok#here",
        "/ok#legacy",
        "/ok#nothere",
        "/missing",
        "/gone",
        "/flaky",
        "/busy",
        "/hang",
        "/reset",
        "/loop",
        "/moved",
        "/ua",
    ];
    let s = site_linking(&base, &paths, LINKS);
    let start = Instant::now();
    let r = s
        .run(&[
            "check",
            "--verbose",
            "--format",
            "json",
            "--fail-on",
            "external-links",
        ])
        .fails(1);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "bounded time: {:?}",
        start.elapsed()
    );
    let links = json_links(&r);
    let status = |t: &str| find(&links, t)["status"].as_str().unwrap().to_string();
    let message = |t: &str| find(&links, t)["message"].as_str().unwrap().to_string();
    assert_eq!(status("/ok"), "ok");
    assert_eq!(status("/ok#here"), "ok");
    assert_eq!(
        status("/ok#legacy"),
        "ok",
        "name attributes count as anchors"
    );
    assert_eq!(status("/ok#nothere"), "broken");
    assert_eq!(find(&links, "/ok#nothere")["kind"], "fragment");
    assert!(message("/ok#nothere").contains("fragment `#nothere` not found"));
    assert!(
        message("/missing").contains("404 Not Found"),
        "{}",
        message("/missing")
    );
    assert!(message("/gone").contains("410 Gone"));
    assert_eq!(status("/flaky"), "ok", "500 then 200: the retry worked");
    assert_eq!(status("/busy"), "ok", "429 with Retry-After, then 200");
    assert!(
        message("/hang").contains("timed out after 1 s"),
        "{}",
        message("/hang")
    );
    assert!(
        message("/reset").contains("closed the connection"),
        "{}",
        message("/reset")
    );
    assert!(
        message("/loop").contains("too many redirects") && message("/loop").contains("/loop2"),
        "{}",
        message("/loop")
    );
    assert!(
        message("/moved").contains("redirected to"),
        "final URL reported: {}",
        message("/moved")
    );
    assert_eq!(
        status("/ua"),
        "blocked",
        "403 to our user agent is blocked, not broken"
    );
    // Each distinct URL once, however many pages use it; failures with no retry are not repeated.
    assert_eq!(log.count("/missing"), 1);
    assert_eq!(
        log.count("/ok"),
        2,
        "one GET serves /ok and all its fragments; the other is /moved's redirect"
    );
    assert_eq!(log.count("/flaky"), 2);
    let ua = &log.headers("/ok")[0]["user-agent"];
    assert!(ua.starts_with("kbfresh/"), "{ua}");
    // Locations point into the Markdown.
    let l = find(&links, "/missing");
    assert_eq!(
        (l["path"].as_str(), l["line"].as_u64()),
        (Some("content/a.md"), Some(7))
    );
}

#[test]
fn endless_and_slow_bodies_are_read_with_a_cap_and_an_unread_fragment_is_not_verified() {
    let (base, _log) = server();
    let s = site_linking(
        &base,
        &["/endless#here", "/endless#nowhere", "/slowbody#here"],
        &format!("{LINKS}method = \"get\"\n"),
    );
    let r = s.run(&[
        "check",
        "--format",
        "json",
        "--now",
        "2026-11-22",
        "--fail-on",
        "external-links",
    ]);
    let links = json_links(&r);
    assert_eq!(
        find(&links, "/endless#nowhere")["status"],
        "broken",
        "{links:#?}"
    );
    assert!(
        !links
            .iter()
            .any(|l| l["target"].as_str().unwrap().ends_with("/endless#here")),
        "the anchor before the cap is found: {links:#?}"
    );
    let slow = find(&links, "/slowbody#here");
    assert_eq!(slow["status"], "unverified", "{slow:#}");
    assert!(
        slow["message"]
            .as_str()
            .unwrap()
            .contains("`#here` not verified")
            && slow["message"]
                .as_str()
                .unwrap()
                .contains("while sending its body"),
        "{slow:#}"
    );
    let text = s
        .run(&["check", "--now", "2026-11-22", "--fail-on", "stale"])
        .ok();
    assert!(
        text.stdout.contains("LINKS NOT VERIFIED (1)"),
        "{}",
        text.stdout
    );
}

#[test]
fn head_falls_back_to_get_on_405() {
    let (base, log) = server();
    let s = site_linking(&base, &["/head405"], &format!("{LINKS}method = \"head\"\n"));
    let r = s
        .run(&["check", "--format", "json", "--fail-on", "external-links"])
        .fails(1);
    let links = json_links(&r);
    assert!(
        links
            .iter()
            .all(|l| !l["target"].as_str().unwrap().ends_with("/head405")),
        "head405 is ok: {links:#?}"
    );
    let methods: Vec<String> = log
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, p, _)| p == "/head405")
        .map(|(m, _, _)| m.clone())
        .collect();
    assert_eq!(methods, ["HEAD", "GET"]);
}

#[test]
fn private_addresses_are_skipped_unless_allowed() {
    let (base, log) = server();
    let s = site_linking(&base, &["/ok"], "");
    let r = s
        .run(&[
            "check",
            "--format",
            "json",
            "--fail-on",
            "external-links",
            "--verbose",
        ])
        .ok();
    let links = json_links(&r);
    assert_eq!(find(&links, "/ok")["status"], "skipped");
    assert!(
        find(&links, "/ok")["message"]
            .as_str()
            .unwrap()
            .contains("allow_private")
    );
    assert_eq!(log.count("/ok"), 0, "no request was sent");
}

#[test]
fn cache_offline_exclusions_and_secret_headers() {
    let (base, log) = server();
    let port = base.rsplit(':').next().unwrap();
    let config = format!(
        "{LINKS}exclude = ['/gone$']\n[links.hosts.\"127.0.0.1\"]\nheaders = {{ Authorization = \"Bearer ${{KBFRESH_TEST_TOKEN}}\" }}\n"
    );
    let s = site_linking(&base, &["/ok", "/gone", "/auth", "/flaky"], &config);
    s.file(".kbfreshignore", "# flaky host path\n/flaky$\n");
    let mut c = common::kbfresh();
    c.args([
        "check",
        "--format",
        "json",
        "--verbose",
        "--fail-on",
        "stale",
        "--root",
    ])
    .arg(s.root())
    .env("KBFRESH_TEST_TOKEN", "s3cret");
    let o = c.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("s3cret"), "tokens never reach reports");
    assert_eq!(log.headers("/auth")[0]["authorization"], "Bearer s3cret");
    assert_eq!(log.count("/gone"), 0, "excluded by regex");
    assert_eq!(log.count("/flaky"), 0, "excluded by .kbfreshignore");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    for path in ["/gone", "/flaky"] {
        let l = report["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["target"].as_str().unwrap().ends_with(path))
            .unwrap_or_else(|| panic!("{path} is listed"));
        assert_eq!(l["status"], "skipped", "{l:#}");
        assert!(
            l["message"].as_str().unwrap().contains("excluded by"),
            "{l:#}"
        );
    }
    // A second run trusts the cache of successes; --no-cache asks again; --offline asks nothing.
    s.run(&["check", "--fail-on", "stale"]).ok();
    assert_eq!(log.count("/ok"), 1);
    s.run(&["check", "--fail-on", "stale", "--no-cache"]).ok();
    assert_eq!(log.count("/ok"), 2);
    s.run(&["check", "--fail-on", "stale", "--offline", "--no-cache"])
        .ok();
    assert_eq!(log.count("/ok"), 2);
    let _ = port;
}

#[test]
fn build_can_check_external_links_as_warnings() {
    let (base, _log) = server();
    let s = site_linking(&base, &["/missing"], LINKS);
    let r = s.run(&["build", "--check-external"]).ok();
    assert!(
        r.stderr.contains("broken external link") && r.stderr.contains("404 Not Found"),
        "{}",
        r.stderr
    );
    assert!(s.exists("public/a/index.html"));
}
