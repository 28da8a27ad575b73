//! The HTTP side of `serve`: pages from memory, live-reload events over server-sent events on the same
//! host and port (so it works behind a proxy or a forwarded port).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;

use super::{Body, Event, Shared};

const LIVE_JS: &str = include_str!("live.js");
const EVENTS: &str = "/__kbfresh/events";
const SCRIPT: &str = "/__kbfresh/live.js";

pub async fn run(listener: std::net::TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = Router::new()
        .route(EVENTS, get(events))
        .route(SCRIPT, get(live_js))
        .fallback(page)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            check_host,
        ))
        .with_state(shared);
    tokio::select! {
        r = axum::serve(listener, app) => r,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// A web page the reader opens elsewhere can point its own name at 127.0.0.1 (DNS rebinding) and
/// read the served site and its event stream: only requests naming an IP address, `localhost`, or
/// an `--allowed-host` are answered, as Vite's dev server does.
async fn check_host(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or("");
    if host_allowed(host, &shared.allowed_hosts) {
        return next.run(request).await;
    }
    let name = host_name(host);
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "kbfresh serve answers only requests for localhost or an IP address; start it with `--allowed-host {}` to allow `{}`.\n",
            name.escape_debug(),
            name.escape_debug()
        ),
    )
        .into_response()
}

/// The host of a `Host` header, without the port, lowercase, without a trailing dot.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// IP addresses (a rebinding attack needs a name), `localhost` and `*.localhost` (loopback by
/// definition), and the names given with `--allowed-host`.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host);
    !name.is_empty()
        && (name.parse::<std::net::IpAddr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || allowed.contains(&name))
}

async fn live_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
        .into_response()
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = shared.events.subscribe();
    let hello = SseEvent::default()
        .event("hello")
        .data(shared.server_id.clone());
    let errors = shared
        .snapshot
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .errors
        .clone();
    let mut first = vec![hello];
    if !errors.is_empty() {
        first.push(errors_event(&errors));
    }
    let stream = futures_util::stream::unfold((first, rx), |(mut pending, mut rx)| async move {
        if !pending.is_empty() {
            let e = pending.remove(0);
            return Some((Ok(e), (pending, rx)));
        }
        match rx.recv().await {
            Ok(e) => Some((Ok(sse(&e)), (pending, rx))),
            // A page that fell behind just reloads.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                Some((Ok(sse(&Event::Reload)), (pending, rx)))
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn errors_event(errors: &[String]) -> SseEvent {
    SseEvent::default()
        .event("build-error")
        .data(serde_json::to_string(errors).unwrap_or_else(|_| "[]".into()))
}

fn sse(e: &Event) -> SseEvent {
    match e {
        Event::Reload => SseEvent::default().event("reload").data("reload"),
        Event::Ok => SseEvent::default().event("build-ok").data("ok"),
        Event::Errors(errors) => errors_event(errors),
    }
}

/// What a request path names in the site, or nothing. Never leaves the site: `..`, `.`, encoded
/// slashes and backslashes, and NUL bytes name nothing.
pub fn site_key(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return None,
            s if s.contains(':') && parts.is_empty() => return None,
            s => parts.push(s),
        }
    }
    // Raw `%2F` must not join segments: compare with the raw path's segment count.
    let raw_segments = path.split('/').filter(|s| !s.is_empty()).count();
    if raw_segments != parts.len() {
        return None;
    }
    let mut key = parts.join("/");
    if path.ends_with('/') && !key.is_empty() {
        key.push('/');
    }
    Some(key)
}

async fn page(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "",
        )
            .into_response();
    }
    let path = uri.path();
    let key = site_key(path);
    enum Found {
        File(String, Body),
        Redirect(String),
        Missing,
    }
    let (found, errors, not_found) = {
        let snap = shared.snapshot.read().unwrap_or_else(|e| e.into_inner());
        let lookup = |k: &str| snap.files.get(k).cloned().map(|b| (k.to_string(), b));
        let found = match key.as_deref() {
            None => Found::Missing,
            Some(k) if k.is_empty() || k.ends_with('/') => {
                match lookup(&format!("{k}index.html")) {
                    Some((name, b)) => Found::File(name, b),
                    None => Found::Missing,
                }
            }
            Some(k) => match lookup(k) {
                Some((name, b)) => Found::File(name, b),
                None if snap.files.contains_key(&format!("{k}/index.html")) => {
                    Found::Redirect(format!("{path}/"))
                }
                None => Found::Missing,
            },
        };
        (
            found,
            snap.errors.clone(),
            snap.files.get("404.html").cloned(),
        )
    };
    match found {
        Found::Redirect(to) => {
            let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Found::File(name, body) => respond(StatusCode::OK, &name, body, &errors, &method).await,
        Found::Missing => match not_found {
            Some(b) => respond(StatusCode::NOT_FOUND, "404.html", b, &errors, &method).await,
            None => {
                let b = Body::Static(
                    b"<!doctype html><title>Not found</title><h1>Not found</h1></html>",
                );
                respond(StatusCode::NOT_FOUND, "404.html", b, &errors, &method).await
            }
        },
    }
}

async fn respond(
    status: StatusCode,
    name: &str,
    body: Body,
    errors: &[String],
    method: &Method,
) -> Response {
    let bytes: Vec<u8> = match body {
        Body::Bytes(b) => b.to_vec(),
        Body::Static(b) => b.to_vec(),
        Body::File { path, real } => {
            match tokio::task::spawn_blocking(move || super::read_validated(&path, &real)).await {
                Ok(Ok(b)) => b,
                _ => return StatusCode::NOT_FOUND.into_response(),
            }
        }
    };
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let html = mime.essence_str() == "text/html";
    let bytes = if html { inject(bytes, errors) } else { bytes };
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", mime.essence_str()),
        _ if mime.subtype() == "javascript" || mime.subtype() == "json" => {
            format!("{}; charset=utf-8", mime.essence_str())
        }
        _ => mime.essence_str().to_string(),
    };
    let len = bytes.len();
    let mut r = if *method == Method::HEAD {
        Response::new(HttpBody::empty())
    } else {
        Response::new(HttpBody::from(bytes))
    };
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The live-reload script, and the error overlay while the last build failed, before `</body>`.
fn inject(mut html: Vec<u8>, errors: &[String]) -> Vec<u8> {
    let mut add = format!("<script src=\"{SCRIPT}\" defer></script>");
    add.push_str(OVERLAY_STYLE);
    if !errors.is_empty() {
        add.push_str("<div id=\"kbfresh-overlay\" role=\"alert\"><strong>kbfresh: the last change did not build. These pages are from the last good build.</strong>");
        for e in errors {
            add.push_str("<pre>");
            add.push_str(&crate::html::escape_attr(e));
            add.push_str("</pre>");
        }
        add.push_str("</div>");
    }
    let at = memchr::memmem::rfind(&html, b"</body>").unwrap_or(html.len());
    html.splice(at..at, add.into_bytes());
    html
}

const OVERLAY_STYLE: &str = "<style>#kbfresh-overlay{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1rem 1.25rem;border-top:4px solid #e5484d}#kbfresh-overlay pre{white-space:pre-wrap;margin:.75rem 0 0}</style>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ip_addresses_localhost_and_allowed_names_are_answered() {
        let allowed = vec!["docs.test".to_string()];
        for ok in [
            "127.0.0.1:1111",
            "[::1]:1111",
            "localhost",
            "LOCALHOST.:80",
            "app.localhost:1111",
            "192.168.1.20:1111",
            "docs.test:1111",
            "Docs.Test",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "",
            "docs.test.evil",
        ] {
            assert!(!host_allowed(refused, &allowed), "{refused}");
        }
    }

    #[test]
    fn keys_never_leave_the_site() {
        assert_eq!(site_key("/").as_deref(), Some(""));
        assert_eq!(
            site_key("/billing/refunds/").as_deref(),
            Some("billing/refunds/")
        );
        assert_eq!(site_key("/kbfresh.css").as_deref(), Some("kbfresh.css"));
        assert_eq!(site_key("/caf%C3%A9/").as_deref(), Some("café/"));
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a/%2E%2E/b",
            "/a%2F..%2Fb",
            "/..%5c..%5cwindows",
            "/a/./b",
            "/x%00.html",
            "/C:/Windows",
        ] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn script_goes_before_body_end() {
        let out = inject(b"<html><body><p>x</p></body></html>".to_vec(), &[]);
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("live.js\" defer></script><style>"));
        assert!(s.ends_with("</body></html>"));
        let out = inject(b"<p>x</p>".to_vec(), &["error: <b>".into()]);
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("&lt;b&gt;") && s.contains("kbfresh-overlay"));
    }
}
