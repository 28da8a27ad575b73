//! The pages: article and section pages, 404, search and alias pages, robots.txt, the listings
//! (dashboard, sitemap, search index), and the theme's static files and the site's assets, all
//! handed to the output sink.

use std::borrow::Cow;
use std::collections::HashSet;

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Tera;

use super::context::{Ctx, Prepared, article_versions, original};
use super::keys::{page_fingerprints, page_key};
use super::templates::{error_chain, locate_render_error};
use super::theme::{FileSource, Theme};
use super::{Input, RECENT, dashboard, search};
use crate::diagnostics::Diagnostic;
use crate::sink::{OutData, OutFile, Sink};

/// An article or section page, before its template runs.
pub(super) struct Page {
    pub(super) template: &'static str,
    pub(super) path: String,
    pub(super) lang: usize,
    pub(super) ctx: serde_json::Map<String, Value>,
}

fn render_page(tera: &Tera, page: Page) -> Result<OutFile, Diagnostic> {
    let html = render_template(tera, page.template, page.ctx)?;
    Ok(OutFile {
        path: page.path,
        data: OutData::Bytes(html),
    })
}

/// The articles of one language as its search index sees them (what their pages say now, and the
/// terms [`crate::load`] computed), then its section pages (their text and front matter).
pub fn search_docs<'a>(input: &Input<'a>, lang: usize) -> Vec<search::SearchDoc<'a>> {
    let site = input.site;
    let base = site.base_path();
    // Pages standing in for missing translations are found in their language's search too.
    let fallbacks = site
        .fallbacks
        .iter()
        .filter(|f| f.lang == lang)
        .map(|f| (f.article, f.path.as_str()));
    let articles = (0..site.articles.len())
        .filter(|&i| site.articles[i].lang == lang)
        .map(|i| (i, site.articles[i].path.as_str()))
        .chain(fallbacks)
        .map(|(i, path)| {
            let a = &site.articles[i];
            let f = &input.freshness[i];
            search::SearchDoc {
                title: &a.title,
                section: &site.sections[a.section].title,
                url: format!("{base}{}", crate::url::href(path)),
                status: f.reader_status().as_str(),
                expires: f.reader_expires(),
                terms: Cow::Borrowed(&input.search_terms[i]),
            }
        });
    let code = &site.languages[lang].code;
    let sections: Vec<search::SearchDoc<'a>> = (site.sections.iter().enumerate())
        .filter(|(_, s)| s.lang == lang && s.parent.is_some())
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(i, s)| {
            let fields = search::Fields {
                title: &s.title,
                boost: &s.front.keywords,
                also_boost: &s.front.tags,
                description: s.front.description.as_deref().unwrap_or(""),
            };
            let html = input.sections_md[i]
                .as_ref()
                .map_or("", |m| m.html.as_str());
            search::SearchDoc {
                title: &s.title,
                section: s.parent.map_or("", |p| site.sections[p].title.as_str()),
                url: format!("{base}{}", crate::url::href(&s.path)),
                status: "",
                expires: None,
                terms: Cow::Owned(search::Terms::of_html(code, fields, html)),
            }
        })
        .collect();
    articles.chain(sections).collect()
}

/// Language `l`'s tag pages: every tag with its count, and each tag's articles.
fn tag_pages(ctx: &Ctx<'_>, tera: &Tera, l: usize) -> Result<Vec<OutFile>, Diagnostic> {
    let site = ctx.input.site;
    let tags = super::tags::of_language(site, l);
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let dir = super::tags::dir(site, l);
    let words = &ctx.langs[l].words;
    let title = words.t["tags"].as_str().unwrap_or("Tags");
    let mut files = Vec::new();
    let list: Vec<Value> = tags
        .iter()
        .map(|t| json!({ "name": t.name, "url": ctx.url(&format!("{dir}{}/", t.slug)), "count": t.articles.len() }))
        .collect();
    let home = &site.sections[site.languages[l].home].path;
    let crumb = |t: &str, p: &str| json!({ "title": t, "url": ctx.url(p) });
    let mut c = ctx.common(l, "tags", title, "", &dir);
    c.insert("tags".into(), Value::Array(list));
    c.insert(
        "breadcrumbs".into(),
        json!([crumb(&site.languages[l].title, home), crumb(title, &dir)]),
    );
    files.push(OutFile {
        path: format!("{}index.html", dir.trim_start_matches('/')),
        data: OutData::Bytes(render_template(tera, "tags.html", c)?),
    });
    for t in &tags {
        let pages = t.articles.len().div_ceil(super::tags::PER_PAGE);
        let page_url = |n: usize| ctx.url(&super::tags::page_path(&dir, &t.slug, n));
        for (k, chunk) in t.articles.chunks(super::tags::PER_PAGE).enumerate() {
            let n = k + 1;
            let path = super::tags::page_path(&dir, &t.slug, n);
            let mut c = ctx.common(l, "tag", &t.name, "", &path);
            let articles: Vec<Value> = chunk.iter().map(|&i| ctx.summaries[i].clone()).collect();
            c.insert(
                "tag".into(),
                json!({
                    "name": t.name,
                    "url": page_url(1),
                    "all_url": ctx.url(&dir),
                    "count": t.articles.len(),
                }),
            );
            c.insert("articles".into(), Value::Array(articles));
            c.insert(
                "pagination".into(),
                json!({
                    "page": n,
                    "pages": pages,
                    "prev": (n > 1).then(|| page_url(n - 1)),
                    "next": (n < pages).then(|| page_url(n + 1)),
                }),
            );
            c.insert(
                "breadcrumbs".into(),
                json!([
                    crumb(&site.languages[l].title, home),
                    crumb(title, &dir),
                    crumb(&t.name, &path)
                ]),
            );
            files.push(OutFile {
                path: format!("{}index.html", path.trim_start_matches('/')),
                data: OutData::Bytes(render_template(tera, "tag.html", c)?),
            });
        }
    }
    Ok(files)
}

/// An article's tags with the URLs of their pages (none when its language has no tag pages).
fn tag_links(ctx: &Ctx<'_>, a: &crate::content::Article) -> Value {
    let site = ctx.input.site;
    let dir = super::tags::dir(site, a.lang);
    let has_pages = ctx.tag_pages[a.lang];
    let mut seen = HashSet::new();
    Value::Array(
        a.front
            .tags
            .iter()
            .filter(|t| seen.insert(super::tags::slug(t)))
            .map(|t| {
                let slug = super::tags::slug(t);
                let url =
                    (has_pages && !slug.is_empty()).then(|| ctx.url(&format!("{dir}{slug}/")));
                json!({ "name": t, "url": url })
            })
            .collect(),
    )
}

struct ReportFields<'a> {
    title: &'a str,
    url: &'a str,
    path: &'a str,
    verified: &'a str,
    version: &'a str,
    lang: &'a str,
    /// The theme's words for the report's text, with `{url}`, `{verified}` and `{version}`.
    body_words: &'a str,
}

/// The "Report a problem" address: `report_url` (or the repository's issue form) with its
/// placeholders filled, each value percent-encoded; a `mailto:` without them gets a subject and body.
fn report_href(
    fb: &crate::config::FeedbackConfig,
    source: &crate::config::SourceConfig,
    r: &ReportFields<'_>,
) -> Option<String> {
    if fb.endpoint.is_some() {
        return None;
    }
    let template = fb
        .report_url
        .clone()
        .or_else(|| crate::config::report_from_repo(source))?;
    let body = r
        .body_words
        .replace("{url}", r.url)
        .replace(
            "{verified}",
            if r.verified.is_empty() {
                "-"
            } else {
                r.verified
            },
        )
        .replace(
            "{version}",
            if r.version.is_empty() { "-" } else { r.version },
        );
    // Everything but RFC 3986's unreserved characters.
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let enc = |v: &str| percent_encoding::utf8_percent_encode(v, COMPONENT).to_string();
    if template.starts_with("mailto:") && !template.contains('{') {
        let sep = if template.contains('?') { '&' } else { '?' };
        return Some(format!(
            "{template}{sep}subject={}&body={}",
            enc(r.title),
            enc(&body)
        ));
    }
    let mut out = template;
    for (name, value) in [
        ("title", r.title),
        ("url", r.url),
        ("path", r.path),
        ("verified", r.verified),
        ("version", r.version),
        ("lang", r.lang),
        ("body", body.as_str()),
    ] {
        out = out.replace(&format!("{{{name}}}"), &enc(value));
    }
    Some(out)
}

/// Renders some article and section pages (for `serve`'s incremental rebuilds). On an error,
/// `serve` rebuilds the whole site, which reports every error with its template line.
pub fn render_pages(
    input: &Input<'_>,
    prepared: &Prepared,
    tera: &Tera,
    articles: &[usize],
    sections: &[usize],
) -> Result<Vec<OutFile>, Diagnostic> {
    let ctx = Ctx { input, p: prepared };
    let site = input.site;
    articles
        .par_iter()
        .flat_map_iter(|&i| {
            std::iter::once(None)
                .chain(site.fallbacks_of(i).iter().map(Some))
                .map(move |fb| (i, fb))
        })
        .map(|(i, fb)| article_page(&ctx, i, &prepared.related[i], fb))
        .chain(sections.par_iter().map(|&s| section_page(&ctx, s)))
        .map(|page| render_page(tera, page))
        .collect()
}

/// Renders every page with an already prepared context, handing each file to `sink` as soon as it
/// is rendered. On an error the sink gets no further pages; the errors are returned, one per
/// template mistake.
pub fn render_prepared(
    input: &Input<'_>,
    prepared: &Prepared,
    theme: &Theme,
    tera: &Tera,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let site = input.site;
    let abs_base = prepared.abs_base.clone();
    let ctx = Ctx { input, p: prepared };
    let related = &prepared.related;

    // Articles and sections render in parallel; errors are collected, not short-circuited, but
    // after the first one nothing more is handed to the sink.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let fingerprints = page_fingerprints(theme, prepared);
    // A page whose inputs are those of the page the output holds is kept, not rendered again.
    let put = |page: Page| -> Option<Diagnostic> {
        use std::sync::atomic::Ordering::Relaxed;
        if failed.load(Relaxed) {
            return None;
        }
        let key = fingerprints.as_ref().map(|f| page_key(f[page.lang], &page));
        if key.is_some_and(|k| sink.keep(&page.path, k)) {
            return None;
        }
        let put = |f| match key {
            Some(k) => sink.put_page(f, k),
            None => sink.put(f),
        };
        match render_page(tera, page) {
            Ok(f) => put(f).err().inspect(|_| failed.store(true, Relaxed)),
            Err(e) => {
                failed.store(true, Relaxed);
                Some(e)
            }
        }
    };
    // The listings (dashboard, sitemap, search index) read every article but no page: they build
    // on one thread while the pages render on the others.
    let (mut errors, listed) = rayon::join(
        || -> Vec<Diagnostic> {
            (0..site.articles.len())
                .into_par_iter()
                .filter_map(|i| put(article_page(&ctx, i, &related[i], None)))
                .chain(site.fallbacks.par_iter().filter_map(|fb| {
                    put(article_page(
                        &ctx,
                        fb.article,
                        &related[fb.article],
                        Some(fb),
                    ))
                }))
                .chain(
                    (0..site.sections.len())
                        .into_par_iter()
                        .filter_map(|i| put(section_page(&ctx, i))),
                )
                .collect()
        },
        || listings(input, prepared, tera),
    );
    // One error per template is enough: the same mistake repeats on every page.
    let mut seen = HashSet::new();
    errors.retain(|e: &Diagnostic| seen.insert(e.message.clone()));
    let mut files = Vec::new();

    match render_template(
        tera,
        "404.html",
        ctx.common(
            0,
            "404",
            ctx.langs[0].words.t["not_found_title"]
                .as_str()
                .unwrap_or(""),
            "",
            "/404.html",
        ),
    ) {
        Ok(html) => files.push(OutFile {
            path: "404.html".into(),
            data: OutData::Bytes(html),
        }),
        Err(e) => errors.push(e),
    }

    // The search page: results for `?q=`, filled in by the theme's script from the index. A page
    // of the site's own at /search/ wins.
    // One per language, at its home's `search/`.
    let search_paths: Vec<String> = site
        .languages
        .iter()
        .map(|l| format!("{}search/", site.sections[l.home].path))
        .collect();
    let has_search_template = tera.get_template_names().any(|n| n == "search.html");
    for (l, path) in search_paths.iter().enumerate() {
        let own_search_page = site
            .articles
            .iter()
            .map(|a| a.path.as_str())
            .chain(site.sections.iter().map(|s| s.path.as_str()))
            .any(|p| p == path);
        if own_search_page || !has_search_template {
            continue;
        }
        let title = ctx.langs[l].words.t["search"].as_str().unwrap_or("Search");
        match render_template(
            tera,
            "search.html",
            ctx.common(l, "search", title, "", path),
        ) {
            Ok(html) => files.push(OutFile {
                path: format!("{}index.html", path.trim_start_matches('/')),
                data: OutData::Bytes(html),
            }),
            Err(e) => errors.push(e),
        }
    }

    // Aliases: redirect pages at old URLs (validated at load: none replaces another file).
    for alias in &site.aliases {
        let a = &site.articles[alias.article];
        let mut c = ctx.common(a.lang, "alias", &a.title, "", &a.path);
        c.insert("target".into(), json!(ctx.url(&a.path)));
        c.insert("canonical".into(), json!(ctx.permalink(&a.path)));
        match render_template(tera, "alias.html", c) {
            Ok(html) => files.push(OutFile {
                path: alias.out.clone(),
                data: OutData::Bytes(html),
            }),
            Err(e) => errors.push(e),
        }
    }
    match listed {
        Ok(l) => files.extend(l),
        Err(e) => errors.extend(e),
    }
    if !errors.is_empty() {
        for e in &mut errors {
            locate_render_error(e, theme);
        }
        return Err(errors);
    }
    let robots = match &abs_base {
        Some(b) => format!("User-agent: *\nAllow: /\n\nSitemap: {b}sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_string(),
    };
    files.push(OutFile {
        path: "robots.txt".into(),
        data: OutData::Bytes(robots.into_bytes()),
    });
    for (name, src) in &theme.statics {
        files.push(OutFile {
            path: name.clone(),
            data: match src {
                FileSource::Embedded(b) => OutData::Static(b),
                FileSource::Disk(p) => OutData::Copy(p.clone()),
            },
        });
    }
    for a in site.assets.iter().filter(|a| a.published) {
        files.push(OutFile {
            path: a.out.clone(),
            data: OutData::Copy(a.abs.clone()),
        });
    }
    files
        .into_par_iter()
        .try_for_each(|f| sink.put(f))
        .map_err(|e| vec![e])
}

/// The files that list every article: the freshness dashboard, the sitemap and the search index.
/// `serve` renders them after the reload, off the path from save to reload.
pub fn listings(
    input: &Input<'_>,
    prepared: &Prepared,
    tera: &Tera,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let ctx = Ctx { input, p: prepared };
    let config = &input.site.config;
    let mut files = Vec::new();
    // The docs team's dashboard (kept out of the sitemap and search; `noindex` in the default theme).
    if config.dashboard.enabled && tera.get_template_names().any(|n| n == "dashboard.html") {
        let dir = config.dashboard.path.trim_matches('/').to_string();
        let path = format!("/{dir}/");
        let mut c = ctx.common(0, "dashboard", "Freshness dashboard", "", &path);
        c.insert(
            "dashboard".into(),
            dashboard::context(input, input.now, &|p: &str| ctx.url(p)),
        );
        let html = render_template(tera, "dashboard.html", c).map_err(|e| vec![e])?;
        files.push(OutFile {
            path: format!("{dir}/index.html"),
            data: OutData::Bytes(html),
        });
    }
    files.push(OutFile {
        path: "sitemap.xml".into(),
        data: OutData::Bytes(sitemap(&ctx, has_tag_pages(tera)).into_bytes()),
    });
    // One index, one feed and one set of tag pages per language, each with only its own articles.
    let site = input.site;
    let mut errors = Vec::new();
    for (l, lang) in site.languages.iter().enumerate() {
        files.extend(search::index_files(&lang.code, &search_docs(input, l)));
        files.push(OutFile {
            path: format!(
                "{}feed.xml",
                site.sections[lang.home].path.trim_start_matches('/')
            ),
            data: OutData::Bytes(super::feed::feed(&ctx, l).into_bytes()),
        });
        if has_tag_pages(tera) {
            match tag_pages(&ctx, tera, l) {
                Ok(f) => files.extend(f),
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(files)
}

fn render_template(
    tera: &Tera,
    name: &str,
    ctx: serde_json::Map<String, Value>,
) -> Result<Vec<u8>, Diagnostic> {
    thread_local! {
        // Tera grows its output by doubling; a page rendered into a fresh Vec reallocates (and faults
        // in new memory) a dozen times. One buffer per thread, copied out at its exact size, does not.
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let context = tera::Context::from_value(Value::Object(ctx))
        .map_err(|e| Diagnostic::error(error_chain(&e)))?;
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        tera.render_to(name, &context, &mut *buf).map_err(|e| {
            Diagnostic::error(format!("template error: {}", error_chain(&e)))
                .in_file(format!("templates/{name}"))
                .hint(
                    "fix the template; see docs/templates.md for the variables each template gets",
                )
        })?;
        // Tera writes UTF-8 (it renders `str`s), so the page is not checked again.
        Ok(buf.as_slice().to_vec())
    })
}

/// Article `i`'s page; with `fallback`, the page standing in for its missing translation: its
/// content under the other language's URL and in that language's chrome, with a notice.
fn article_page(
    ctx: &Ctx<'_>,
    i: usize,
    related: &[usize],
    fallback: Option<&crate::content::Fallback>,
) -> Page {
    let site = ctx.input.site;
    let a = &site.articles[i];
    let md = &ctx.input.articles_md[i];
    let f = &ctx.input.freshness[i];
    let sec = &site.sections[a.section];
    let list = &sec.articles;
    let p = ctx.position[i];
    // The page's language (its chrome) and where it is.
    let (l, path) = match fallback {
        Some(fb) => (fb.lang, fb.path.as_str()),
        None => (a.lang, a.path.as_str()),
    };
    // Links to the neighbours stay in the page's language where a version of them is.
    let link = |j: usize| {
        let to = site.path_in(j, l).unwrap_or(&site.articles[j].path);
        json!({ "title": site.articles[j].nav_label(), "url": ctx.url(to) })
    };
    let prev = if p > 0 {
        link(list[p - 1])
    } else {
        Value::Null
    };
    let next = list.get(p + 1).map(|&j| link(j)).unwrap_or(Value::Null);
    let words = &ctx.langs[l].words;
    let lang = &ctx.langs[a.lang].code;
    let change = ctx.input.last_changes[i].as_ref();
    let updated = change.map(|c| crate::freshness::date_of(c.date));
    let describes = f
        .describes
        .map(|d| ctx.input.releases[d].version.to_string())
        .or_else(|| f.describes_text.clone());
    let description = a.front.description.clone().unwrap_or_default();
    let jsonld = json!({
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "headline": a.title,
        "description": description,
        "url": ctx.permalink(&a.path),
        "inLanguage": lang,
        "dateModified": f.last_verified.or(updated).map(|d| d.to_string()),
        "dateCreated": ctx.input.created.get(i).and_then(|c| c.as_ref()).map(|c| crate::freshness::date_of(c.date).to_string()),
    });
    let page = json!({
        "title": a.title,
        "description": description,
        "url": ctx.url(&a.path),
        "permalink": ctx.permalink(&a.path),
        "content": md.html,
        "toc": md.toc,
        "tags": a.front.tags,
        "tag_links": tag_links(ctx, a),
        "owner": a.owner.clone().unwrap_or_default(),
        "extra": a.front.extra,
        "section": { "title": sec.title, "url": ctx.url(&sec.path) },
        "freshness": {
            // What readers are shown; the team's status is in `reasons` and the reports.
            "status": f.reader_status(),
            "last_verified": f.last_verified.map(|d| words.date_value(d)),
            "updated": updated.map(|d| words.date_value(d)),
            "describes": describes,
            "current": f.current.map(|c| ctx.input.releases[c].version.to_string()),
            "expires": f.reader_expires(),
            "banner": f.banner,
            "banner_written": f.banner_written,
            "reasons": f.reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>(),
        },
        // Inside <script>, `</script>` or `<!--` from a title would end or derail the element:
        // no `<`, `>` or `&` reaches it unescaped (JSON reads `\u003c` as `<`).
        "jsonld": crate::html::script_safe(jsonld.to_string()),
    });
    // Built values go in by assignment (moved); `json!` would serialize, deep-copying them.
    let mut page = page;
    page["prev"] = prev;
    page["next"] = next;
    page["related"] = Value::Array(related.iter().map(|&j| ctx.summaries[j].clone()).collect());
    page["original"] = original(ctx, i, words);
    page["image"] = json!(
        a.image
            .as_deref()
            .or(site.config.image.as_deref())
            .map(|img| { super::context::absolute(ctx.abs_base.as_deref(), &ctx.base, img) })
    );
    let (edit, view) = site.config.source.templates();
    let repo_path = site
        .config
        .source
        .repo_path(&a.src.shown.to_string_lossy().replace('\\', "/"));
    let fill = |t: Option<String>| t.map(|t| t.replace("{path}", &crate::url::href(&repo_path)));
    page["edit_url"] = json!(fill(edit));
    page["source_url"] = json!(fill(view));
    if let Some(fb) = &site.config.feedback {
        let version = f
            .describes
            .or(f.current)
            .map(|r| ctx.input.releases[r].version.to_string())
            .or_else(|| f.describes_text.clone())
            .unwrap_or_default();
        let verified = f.last_verified.map(|d| d.to_string()).unwrap_or_default();
        page["feedback"] = json!({
            "endpoint": fb.endpoint,
            "report_url": report_href(fb, &site.config.source, &ReportFields {
                title: &a.title,
                url: &ctx.permalink(path),
                path,
                verified: &verified,
                version: &version,
                lang: &ctx.langs[l].code,
                body_words: words.t["feedback_report_body"].as_str().unwrap_or(""),
            }),
            "path": path,
            "verified": verified,
            "version": version,
        });
    }
    let mut c = ctx.common(l, "article", &a.title, &description, path);
    match fallback {
        None => {
            ctx.versions(
                &mut c,
                article_versions(site, i),
                &fallback_versions(site, i),
            );
            c.insert(
                "breadcrumbs".into(),
                ctx.breadcrumbs(a.section, Some((&a.title, &a.path))),
            );
            c.insert("nav".into(), ctx.nav(a.section, Some(i)));
        }
        Some(fb) => {
            let original = &ctx.langs[a.lang];
            page["fallback"] = json!({
                "lang": original.code,
                "lang_name": site.languages[a.lang].name,
                "dir": original.dir,
                "url": ctx.url(&a.path),
                // The language it stands in for.
                "in": site.languages[l].name,
            });
            page["url"] = json!(ctx.url(path));
            // The same text as the original's page: search engines are pointed at that one.
            c.insert("canonical".into(), json!(ctx.permalink(&a.path)));
            let mut versions = article_versions(site, i);
            versions.insert(0, (l, path));
            ctx.versions(&mut c, versions, &fallback_versions(site, i));
            c.insert("alternates".into(), json!([]));
            // Breadcrumbs and navigation of the section's version in this language, when it has
            // one; else the original's.
            let here = std::iter::once(a.section)
                .chain(site.section_translations[a.section].iter().copied())
                .find(|&k| site.sections[k].lang == fb.lang);
            let (crumbs, nav) = match here {
                Some(k) => (k, ctx.nav(k, None)),
                None => (a.section, ctx.nav(a.section, Some(i))),
            };
            c.insert(
                "breadcrumbs".into(),
                ctx.breadcrumbs(crumbs, Some((&a.title, path))),
            );
            c.insert("nav".into(), nav);
        }
    }
    c.insert("page".into(), page);
    Page {
        template: "article.html",
        path: format!("{}index.html", path.trim_start_matches('/')),
        lang: l,
        ctx: c,
    }
}

/// The pages standing in for article `i`'s (or its original's) missing translations, as
/// `(language, path)`.
fn fallback_versions(site: &crate::content::Site, i: usize) -> Vec<(usize, &str)> {
    site.original_of(i)
        .map(|s| {
            site.fallbacks_of(s)
                .iter()
                .map(|f| (f.lang, f.path.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

fn section_page(ctx: &Ctx<'_>, s: usize) -> Page {
    let site = ctx.input.site;
    let sec = &site.sections[s];
    let content = ctx.input.sections_md[s]
        .as_ref()
        .map(|r| r.html.clone())
        .unwrap_or_default();
    let description = sec.front.description.clone().unwrap_or_default();
    let is_home = sec.parent.is_none();
    let (name, mut c) = if is_home {
        let lang = &site.languages[sec.lang];
        let site_description = site
            .config
            .description_in(&lang.code, sec.lang == 0)
            .unwrap_or("");
        let mut c = ctx.common(sec.lang, "index", "", site_description, &sec.path);
        c.insert("content".into(), Value::String(content));
        c.insert(
            "sections".into(),
            Value::Array(sec.children.iter().map(|&k| ctx.cards[k].clone()).collect()),
        );
        // The pages at the root, in the authored order: a book of chapters without folders has
        // its table of contents here.
        c.insert(
            "articles".into(),
            Value::Array(
                sec.articles
                    .iter()
                    .map(|&a| ctx.summaries[a].clone())
                    .collect(),
            ),
        );
        let mut recent: Vec<usize> = (0..site.articles.len())
            .filter(|&a| {
                site.articles[a].lang == sec.lang && ctx.input.freshness[a].last_verified.is_some()
            })
            .collect();
        // Partial selection: O(n) for the top few, not a full sort of the site.
        let key = |a: &usize| (std::cmp::Reverse(ctx.input.freshness[*a].last_verified), *a);
        if recent.len() > RECENT {
            recent.select_nth_unstable_by_key(RECENT, key);
            recent.truncate(RECENT);
        }
        recent.sort_by_key(key);
        c.insert(
            "recent".into(),
            Value::Array(recent.iter().map(|&a| ctx.summaries[a].clone()).collect()),
        );
        ("index.html", c)
    } else {
        let mut c = ctx.common(sec.lang, "section", &sec.title, &description, &sec.path);
        let mut section = json!({
            "title": sec.title,
            "description": description,
            "url": ctx.url(&sec.path),
            "content": content,
            "article_count": ctx.cards[s]["article_count"],
        });
        section["articles"] = Value::Array(
            sec.articles
                .iter()
                .map(|&a| ctx.summaries[a].clone())
                .collect(),
        );
        section["subsections"] =
            Value::Array(sec.children.iter().map(|&k| ctx.cards[k].clone()).collect());
        c.insert("section".into(), section);
        c.insert("breadcrumbs".into(), ctx.breadcrumbs(s, None));
        c.insert("nav".into(), ctx.nav(s, None));
        ("section.html", c)
    };
    ctx.versions(&mut c, ctx.section_versions(s), &[]);
    Page {
        template: name,
        path: format!("{}index.html", sec.path.trim_start_matches('/')),
        lang: sec.lang,
        ctx: c,
    }
}

/// Whether the theme writes tag pages (it has both templates).
fn has_tag_pages(tera: &Tera) -> bool {
    let names: HashSet<&str> = tera.get_template_names().collect();
    names.contains("tag.html") && names.contains("tags.html")
}

fn sitemap(ctx: &Ctx<'_>, tag_pages: bool) -> String {
    let site = ctx.input.site;
    let multilingual = site.languages.len() > 1;
    let mut s = String::from(if multilingual {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n"
    } else {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    });
    // Every version of a translated page, itself included, as Google reads hreflang from sitemaps.
    let alternates = |versions: Vec<(usize, &str)>| -> String {
        if versions.len() < 2 {
            return String::new();
        }
        versions
            .iter()
            .map(|&(l, path)| {
                format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    site.languages[l].code,
                    crate::html::escape_attr(&ctx.permalink(path))
                )
            })
            .collect()
    };
    for (k, sec) in site.sections.iter().enumerate() {
        let alt = alternates(ctx.section_versions(k));
        s.push_str(&format!(
            "  <url><loc>{}</loc>{alt}</url>\n",
            crate::html::escape_attr(&ctx.permalink(&sec.path))
        ));
    }
    for (i, a) in site.articles.iter().enumerate() {
        let lastmod = ctx.input.freshness[i]
            .last_verified
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        let alt = alternates(article_versions(site, i));
        s.push_str(&format!(
            "  <url><loc>{}</loc>{lastmod}{alt}</url>\n",
            crate::html::escape_attr(&ctx.permalink(&a.path))
        ));
    }
    // Tag pages: every language's list of tags and each tag's pages.
    for l in (0..site.languages.len()).filter(|_| tag_pages) {
        let tags = super::tags::of_language(site, l);
        if tags.is_empty() {
            continue;
        }
        let dir = super::tags::dir(site, l);
        let pages = tags.iter().flat_map(|t| {
            (1..=t.articles.len().div_ceil(super::tags::PER_PAGE))
                .map(|n| super::tags::page_path(&dir, &t.slug, n))
        });
        for path in std::iter::once(dir.clone()).chain(pages) {
            s.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                crate::html::escape_attr(&ctx.permalink(&path))
            ));
        }
    }
    s.push_str("</urlset>\n");
    s
}
