//! External links: each distinct URL checked once per run with reqwest on tokio, politely (bounded
//! concurrency overall and per host, a minimum interval per host, slower after a 429), with retries
//! and backoff, `Retry-After`, redirects with their chain, private addresses refused at DNS time (so a
//! redirect cannot reach them either), blocked hosts told apart from broken links, fragments checked
//! on fetched pages, and a cache of successes.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use regex::Regex;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::Status;
use crate::config::{LinksConfig, Method};

/// What one URL check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    /// In words a writer understands: "404 Not Found", "timed out after 20 s", ...
    pub message: String,
    /// Where redirects ended, when they did.
    pub final_url: Option<String>,
    /// `id`/`name` values of the page, when it was fetched with GET and fragments were asked for.
    pub anchors: Option<HashSet<String>>,
    /// Why the page's body could not be read for its fragments ("timed out after 20 s while sending
    /// its body"), when they were asked for and it could not.
    pub body_unread: Option<String>,
}

pub struct Options {
    pub config: LinksConfig,
    pub cache_file: Option<PathBuf>,
    pub use_cache: bool,
    pub progress: bool,
    /// URLs (without fragment) whose page ids are wanted for fragment checks.
    pub want_anchors: HashSet<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    /// URL -> Unix time of the last success.
    ok: HashMap<String, i64>,
}

struct Host {
    permits: Semaphore,
    /// Earliest time of the next request to this host.
    next: Mutex<Instant>,
    /// Minimum interval between requests; doubled (up to 10 s) after a 429.
    interval: Mutex<Duration>,
    headers: reqwest::header::HeaderMap,
}

/// Refuses private, loopback and link-local addresses unless allowed; used for every connection,
/// redirects included.
struct GuardedResolver {
    allow_private: bool,
}

pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // 100.64.0.0/10
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link-local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// A URL whose host is private without asking DNS: a private, loopback or link-local address
/// written out, or `localhost` and `*.localhost` (loopback by definition). These are refused before
/// any request, so the rule holds through an HTTP proxy too, which resolves names itself.
pub fn private_literal(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_private(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_private(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

#[derive(Debug)]
struct PrivateAddress(String);

impl std::fmt::Display for PrivateAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kbfresh-private-address: {}", self.0)
    }
}

impl std::error::Error for PrivateAddress {}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?
                .collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| allow || !is_private(a.ip()))
                .collect();
            if allowed.is_empty() && !addrs.is_empty() {
                return Err(
                    Box::new(PrivateAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// `${NAME}` in header values comes from the environment (tokens stay out of the config file).
pub fn expand_env(value: &str) -> String {
    static VAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("valid regex"));
    VAR.replace_all(value, |c: &regex::Captures<'_>| {
        std::env::var(&c[1]).unwrap_or_default()
    })
    .into_owned()
}

fn reason(code: u16) -> String {
    let text = reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{code} {text}").trim().to_string()
}

fn describe_error(e: &reqwest::Error, timeout: Duration) -> (Status, String) {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let lower = chain.to_lowercase();
    if let Some(i) = chain.find("kbfresh-private-address: ") {
        let host = chain[i + 25..].split(':').next().unwrap_or("").trim();
        return (
            Status::Skipped,
            format!(
                "`{host}` is a private, loopback or link-local address; not checked (set [links] allow_private = true to check it)"
            ),
        );
    }
    if e.is_timeout() {
        return (
            Status::Broken,
            format!("timed out after {} s", timeout.as_secs_f64()),
        );
    }
    let msg = if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "DNS lookup failed: the host name does not exist or cannot be resolved".to_string()
    } else if lower.contains("connection refused") {
        "connection refused: nothing is listening at that address".to_string()
    } else if lower.contains("connection reset")
        || lower.contains("connection closed")
        || lower.contains("incomplete message")
    {
        "the server closed the connection without an answer".to_string()
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        format!("TLS error: {chain}")
    } else {
        chain
    };
    (Status::Broken, msg)
}

fn retryable_error(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() && !e.is_redirect()
}

/// Pages that answer a robot with a challenge instead of content.
fn looks_blocked(code: u16, headers: &reqwest::header::HeaderMap) -> bool {
    matches!(code, 403 | 999 | 429)
        || headers.contains_key("cf-mitigated")
        || (code == 503
            && headers
                .get("server")
                .is_some_and(|s| s.to_str().unwrap_or("").contains("cloudflare")))
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .to_string();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(&v).ok()?.timestamp();
    let secs = (when - jiff::Timestamp::now()).get_seconds().max(0);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

fn page_anchors(body: &str) -> HashSet<String> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
            .expect("valid regex")
    });
    ATTR.captures_iter(body)
        .filter_map(|c| {
            c.get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .map(|m| m.as_str().to_string())
        })
        .collect()
}

struct Checker {
    client: reqwest::Client,
    config: LinksConfig,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    global: Semaphore,
    timeout: Duration,
    want_anchors: HashSet<String>,
}

impl Checker {
    fn host(&self, host: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                let over = self.config.hosts.get(host);
                let mut headers = reqwest::header::HeaderMap::new();
                for (k, v) in over.map(|o| &o.headers).into_iter().flatten() {
                    if let (Ok(name), Ok(value)) = (
                        reqwest::header::HeaderName::from_bytes(k.as_bytes()),
                        reqwest::header::HeaderValue::from_str(&expand_env(v)),
                    ) {
                        let mut value = value;
                        value.set_sensitive(true);
                        headers.insert(name, value);
                    }
                }
                Arc::new(Host {
                    permits: Semaphore::new(
                        over.and_then(|o| o.max_concurrency)
                            .unwrap_or(self.config.max_per_host)
                            .max(1),
                    ),
                    next: Mutex::new(Instant::now()),
                    interval: Mutex::new(Duration::from_millis(
                        over.and_then(|o| o.min_interval_ms)
                            .unwrap_or(self.config.min_interval_ms),
                    )),
                    headers,
                })
            })
            .clone()
    }

    fn accepted(&self, code: u16) -> bool {
        self.config.accept.iter().any(|r| r.contains(&code))
    }

    /// Waits for this host's turn.
    async fn pace(&self, host: &Host) {
        let wait = {
            let mut next = host.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let start = (*next).max(now);
            let interval = *host.interval.lock().unwrap_or_else(|e| e.into_inner());
            *next = start + interval;
            start - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    async fn check(&self, url: &str) -> Outcome {
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return outcome(Status::Broken, format!("not a valid URL: {e}")),
        };
        let host_name = parsed.host_str().unwrap_or("").to_string();
        if !self.config.allow_private && private_literal(&parsed) {
            return outcome(
                Status::Skipped,
                format!(
                    "`{host_name}` is a private, loopback or link-local address; not checked (set [links] allow_private = true to check it)"
                ),
            );
        }
        let _global = self.global.acquire().await;
        let host = self.host(&host_name);
        let _permit = host.permits.acquire().await;
        let want_body = self.want_anchors.contains(url);
        let mut method = if self.config.method == Method::Head && !want_body {
            reqwest::Method::HEAD
        } else {
            reqwest::Method::GET
        };
        let mut attempt = 0u32;
        loop {
            self.pace(&host).await;
            let sent = self
                .client
                .request(method.clone(), parsed.clone())
                .headers(host.headers.clone())
                .send()
                .await;
            let retry_in = |attempt: u32| {
                Duration::from_millis(500u64.saturating_mul(1 << attempt.min(5)))
                    .min(Duration::from_secs(10))
            };
            match sent {
                Ok(resp) => {
                    let code = resp.status().as_u16();
                    let final_url = (resp.url().as_str() != url).then(|| resp.url().to_string());
                    if method == reqwest::Method::HEAD && matches!(code, 405 | 501) {
                        method = reqwest::Method::GET;
                        continue;
                    }
                    let headers = resp.headers().clone();
                    if code == 429 {
                        // Slow this host down for the rest of the run.
                        let mut iv = host.interval.lock().unwrap_or_else(|e| e.into_inner());
                        *iv = (*iv * 2)
                            .max(Duration::from_millis(500))
                            .min(Duration::from_secs(10));
                    }
                    let retry = matches!(code, 408 | 429) || (500..600).contains(&code);
                    if retry && attempt < self.config.retries {
                        let wait = retry_after(&headers)
                            .unwrap_or_else(|| retry_in(attempt))
                            .min(Duration::from_secs(60));
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    if self.accepted(code) {
                        let (anchors, body_unread) = if want_body && method == reqwest::Method::GET
                        {
                            match read_capped(resp, self.timeout).await {
                                Ok(body) => {
                                    (Some(page_anchors(&String::from_utf8_lossy(&body))), None)
                                }
                                Err(why) => (None, Some(why)),
                            }
                        } else {
                            (None, None)
                        };
                        return Outcome {
                            status: Status::Ok,
                            message: reason(code),
                            final_url,
                            anchors,
                            body_unread,
                        };
                    }
                    let tries = if attempt > 0 {
                        format!(
                            " after {} retr{}",
                            attempt,
                            if attempt == 1 { "y" } else { "ies" }
                        )
                    } else {
                        String::new()
                    };
                    let status = if looks_blocked(code, &headers) {
                        Status::Blocked
                    } else {
                        Status::Broken
                    };
                    let mut message = format!("{}{tries}", reason(code));
                    if status == Status::Blocked {
                        message.push_str(
                            " (the site refuses automated checks; open it in a browser to confirm)",
                        );
                    }
                    return Outcome {
                        status,
                        message,
                        final_url,
                        anchors: None,
                        body_unread: None,
                    };
                }
                Err(e) => {
                    if e.is_redirect() {
                        let why = e
                            .source()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| e.to_string());
                        if let Some(host) = why.strip_prefix("kbfresh-private-address: ") {
                            return outcome(
                                Status::Skipped,
                                format!(
                                    "redirects to `{host}`, a private, loopback or link-local address; not followed (set [links] allow_private = true to check it)"
                                ),
                            );
                        }
                        return outcome(Status::Broken, why);
                    }
                    let (status, msg) = describe_error(&e, self.timeout);
                    if status == Status::Broken
                        && retryable_error(&e)
                        && attempt < self.config.retries
                    {
                        let wait = retry_in(attempt);
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let tries = if attempt > 0 && status == Status::Broken {
                        format!(
                            " ({} retr{})",
                            attempt,
                            if attempt == 1 { "y" } else { "ies" }
                        )
                    } else {
                        String::new()
                    };
                    return outcome(status, format!("{msg}{tries}"));
                }
            }
        }
    }
}

use std::error::Error as _;

/// The most of a page read for its anchors: enough for any real page, and an endless body costs
/// this much memory, not all there is.
const BODY_CAP: usize = 16 << 20;

/// A page's body for its anchors, read chunk by chunk and cut at [`BODY_CAP`]; `Err` says why it
/// could not be read (to say the fragment was not verified).
async fn read_capped(mut resp: reqwest::Response, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = BODY_CAP - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= BODY_CAP {
                    return Ok(body);
                }
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err(format!(
                    "timed out after {} s while sending its body",
                    timeout.as_secs_f64()
                ));
            }
            Err(e) => return Err(format!("broke off while sending its body: {e}")),
        }
    }
}

fn outcome(status: Status, message: String) -> Outcome {
    Outcome {
        status,
        message,
        final_url: None,
        anchors: None,
        body_unread: None,
    }
}

#[derive(Debug)]
struct TooManyRedirects(String);

impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TooManyRedirects {}

/// Marks every URL still to do as skipped, with the reason.
fn skip_all(
    mut results: HashMap<String, Outcome>,
    todo: Vec<String>,
    why: &str,
) -> HashMap<String, Outcome> {
    for u in todo {
        results.insert(u, outcome(Status::Skipped, why.to_string()));
    }
    results
}

/// Checks every URL once; returns an outcome per URL (without fragment).
pub fn check(urls: &[String], opts: &Options) -> HashMap<String, Outcome> {
    let mut results: HashMap<String, Outcome> = HashMap::new();
    let now = jiff::Timestamp::now().as_second();
    let cfg = &opts.config;
    let max_age = i64::try_from(cfg.cache_max_age.as_secs()).unwrap_or(i64::MAX);
    let mut cache: Cache = opts
        .cache_file
        .as_ref()
        .filter(|_| opts.use_cache)
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|c: &Cache| c.version == 1)
        .unwrap_or(Cache {
            version: 1,
            ok: HashMap::new(),
        });
    let mut todo: Vec<String> = Vec::new();
    for u in urls {
        let fresh = cache.ok.get(u).is_some_and(|t| now - t < max_age);
        // A cached success has no page body: fetch again when its fragments are wanted.
        if fresh && !opts.want_anchors.contains(u) {
            results.insert(u.clone(), outcome(Status::Ok, "ok (cached)".into()));
        } else {
            todo.push(u.clone());
        }
    }
    if todo.is_empty() {
        return results;
    }
    let timeout = cfg.timeout.max(Duration::from_millis(100));
    let max_redirects = cfg.max_redirects;
    let allow_private = cfg.allow_private;
    let redirect = reqwest::redirect::Policy::custom(move |attempt| {
        // Other host names are checked by the resolver; these never reach it (nor does any name
        // behind a proxy).
        if private_literal(attempt.url()) && !allow_private {
            let host = attempt.url().host_str().unwrap_or("").to_string();
            return attempt.error(PrivateAddress(host));
        }
        if attempt.previous().len() > max_redirects {
            let mut chain: Vec<String> =
                attempt.previous().iter().map(ToString::to_string).collect();
            chain.push(attempt.url().to_string());
            let msg = format!(
                "too many redirects ({}): {}",
                max_redirects,
                chain.join(" → ")
            );
            attempt.error(TooManyRedirects(msg))
        } else {
            attempt.follow()
        }
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .user_agent(
            cfg.user_agent
                .clone()
                .unwrap_or_else(|| format!("kbfresh/{} (link checker)", env!("CARGO_PKG_VERSION"))),
        )
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(redirect)
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: cfg.allow_private,
        }))
        .build()
    {
        Ok(c) => c,
        Err(e) => return skip_all(results, todo, &format!("cannot start the HTTP client: {e}")),
    };
    let checker = Arc::new(Checker {
        client,
        config: cfg.clone(),
        hosts: Mutex::new(HashMap::new()),
        global: Semaphore::new(cfg.max_concurrency.max(1)),
        timeout,
        want_anchors: opts.want_anchors.clone(),
    });
    let bar = if opts.progress {
        let b = indicatif::ProgressBar::new(todo.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} checking links {pos}/{len} {msg} [{per_sec}] {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return skip_all(
                results,
                todo,
                &format!("cannot start the async runtime: {e}"),
            );
        }
    };
    let deadline = cfg.deadline.max(Duration::from_secs(1));
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done: Vec<(String, Outcome)> = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for u in todo.iter().cloned() {
            let checker = checker.clone();
            let bar = bar.clone();
            let failures = failures.clone();
            set.spawn(async move {
                let o = checker.check(&u).await;
                if o.status != Status::Ok {
                    let n = failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    bar.set_message(format!("· {n} failed"));
                }
                bar.inc(1);
                (u, o)
            });
        }
        let mut out = Vec::new();
        let end = tokio::time::Instant::now() + deadline;
        loop {
            match tokio::time::timeout_at(end, set.join_next()).await {
                Ok(Some(Ok(r))) => out.push(r),
                Ok(Some(Err(_))) => {}
                Ok(None) => break,
                Err(_) => {
                    set.abort_all();
                    break;
                }
            }
        }
        out
    });
    bar.finish_and_clear();
    runtime.shutdown_background();
    for (u, o) in done {
        if o.status == Status::Ok {
            cache.ok.insert(u.clone(), now);
        }
        results.insert(u, o);
    }
    for u in todo {
        results.entry(u).or_insert_with(|| {
            outcome(
                Status::Skipped,
                format!(
                    "not checked: the overall deadline of {} s was reached",
                    deadline.as_secs()
                ),
            )
        });
    }
    if let Some(p) = &opts.cache_file {
        // Successes only; an entry older than cache_max_age is dropped.
        cache.ok.retain(|_, t| now - *t < max_age);
        if let Ok(bytes) = serde_json::to_vec(&cache) {
            let _ = crate::fsutil::write_atomic(p, &bytes);
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "100.64.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn redirect_targets_written_as_private_addresses_are_refused() {
        for u in [
            "http://10.0.0.1/admin",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:8080/",
            "http://LocalHost./x",
            "http://admin.localhost/",
        ] {
            assert!(private_literal(&u.parse().unwrap()), "{u}");
        }
        assert!(!private_literal(
            &"https://localhost.example.com/".parse().unwrap()
        ));
        assert!(!private_literal(&"https://example.com/".parse().unwrap()));
        assert!(!private_literal(&"http://93.184.216.34/".parse().unwrap()));
    }

    #[test]
    fn env_expansion() {
        // SAFETY-free: reads a variable every environment has.
        let home = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand_env("x ${PATH} y"), format!("x {home} y"));
        assert_eq!(expand_env("${KBFRESH_SURELY_UNSET_VAR}"), "");
    }

    #[test]
    fn anchors_in_pages() {
        let a = page_anchors("<h2 id=\"one\">x</h2><a name='two'></a><div id=three>");
        assert!(a.contains("one") && a.contains("two") && a.contains("three"));
    }
}
