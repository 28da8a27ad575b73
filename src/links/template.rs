//! Links the templates wrote on the rendered pages (navigation, breadcrumbs, theme files), checked
//! as the pages pass on their way to the output.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::sink::{OutData, OutFile, Previous, Sink};
use crate::url::percent_decode;

/// The site paths in a page's `href="/..."` and `src="/..."` attributes, without fragment or query.
fn site_targets(page: &[u8]) -> impl Iterator<Item = &[u8]> {
    // Only the attribute's start is matched (a literal search) and the path is read by hand up to
    // `"`, `#` or `?`: regex captures over the whole site's pages cost most of a second.
    static ATTR: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?:href|src)="/"#).expect("valid regex")
    });
    ATTR.find_iter(page)
        // In a tag, not in text: code that shows HTML (`&lt;a href="/x"&gt;`) keeps its quotes
        // unescaped, but its `<` is `&lt;`.
        .filter(move |m| {
            memchr::memrchr2(b'<', b'>', &page[..m.start()]).is_some_and(|i| page[i] == b'<')
        })
        .map(move |m| {
            let rest = &page[m.end() - 1..];
            let end = memchr::memchr3(b'"', b'#', b'?', rest).unwrap_or(rest.len());
            &rest[..end]
        })
}

/// Links the templates put on rendered pages (navigation, breadcrumbs, theme files): every
/// root-relative `href`/`src` must name a file of the output. Collected page by page as the pages
/// render; once every page is in, each broken target is reported once, with the first page (by
/// path) it was found on.
#[derive(Default)]
pub struct TemplateLinks {
    /// Each distinct target, with the first page (by path) that links to it.
    first: std::sync::Mutex<HashMap<Box<[u8]>, String, crate::fasthash::BytesHash>>,
    /// Every file of the output.
    paths: std::sync::Mutex<Vec<String>>,
    /// Pages kept from the last build (not rendered, so not scanned yet).
    kept: std::sync::Mutex<Vec<String>>,
}

impl TemplateLinks {
    /// Notes a rendered file: its path, and for HTML pages the site paths it links to.
    pub fn scan(&self, f: &OutFile) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(f.path.clone());
        if let OutData::Bytes(b) = &f.data {
            self.add_targets(&f.path, b);
        }
    }

    /// Notes a page kept from the last build: it is scanned in [`TemplateLinks::finish`] only when
    /// the last build's links cannot vouch for it.
    pub fn note_kept(&self, path: &str) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
    }

    /// The site paths an HTML page links to.
    fn add_targets(&self, path: &str, b: &[u8]) {
        if !path.ends_with(".html") {
            return;
        }
        // Distinct targets of this page first (borrowed, no allocation per link), then one short
        // lock to merge them.
        let targets: crate::fasthash::FastSet<&[u8]> = site_targets(b).collect();
        let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
        for t in targets {
            match first.get_mut(t) {
                // The smallest path wins, so the report does not depend on thread timing.
                Some(page) if path < page.as_str() => path.clone_into(page),
                Some(_) => {}
                None => {
                    first.insert(t.into(), path.to_string());
                }
            }
        }
    }

    /// The broken targets, one warning each (targets that come from Markdown were reported
    /// already), and whether every target resolved (for the next build's `previous`).
    ///
    /// Pages kept from the last build link where they linked then. When that build's pages linked
    /// only to files that existed and the output has the same files now, they still do; otherwise
    /// the kept pages are read back and scanned.
    pub fn finish(
        self,
        base_path: &str,
        markdown_hrefs: &HashSet<String>,
        previous: Option<&Previous>,
    ) -> (Vec<Diagnostic>, bool) {
        let kept = std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(p) = previous.filter(|p| !kept.is_empty() && !p.links_hold) {
            use rayon::prelude::*;
            kept.par_iter().for_each(|path| {
                if let Ok(b) = std::fs::read(p.out.join(path)) {
                    self.add_targets(path, &b);
                }
            });
        }
        let paths = self.paths.into_inner().unwrap_or_else(|e| e.into_inner());
        let exists: HashSet<String> = paths.iter().map(|p| format!("{base_path}/{p}")).collect();
        let resolves = |p: &str| {
            let p = percent_decode(p);
            exists.contains(&p)
                || exists.contains(&format!("{}index.html", p))
                || exists.contains(&format!("{p}/index.html"))
        };
        let first = self.first.into_inner().unwrap_or_else(|e| e.into_inner());
        let unresolved: Vec<(String, String)> = first
            .into_iter()
            .map(|(t, page)| (String::from_utf8_lossy(&t).into_owned(), page))
            .filter(|(t, _)| t.starts_with(base_path) && !t.starts_with("//") && !resolves(t))
            .collect();
        let clean = unresolved.is_empty();
        let mut out: Vec<Diagnostic> = unresolved
            .into_iter()
            .filter(|(t, _)| !markdown_hrefs.contains(t))
            .map(|(t, page)| {
                Diagnostic::warning(format!("broken link from a template: `{t}` (first seen on /{page})"))
                    .hint("fix the template that writes this link (theme or templates/), or add the missing file")
            })
            .collect();
        out.sort_by(|a, b| a.message.cmp(&b.message));
        (out, clean)
    }
}

/// Scans each file for [`TemplateLinks`], then hands it on.
pub struct Scanning<'a> {
    pub links: &'a TemplateLinks,
    pub next: &'a dyn Sink,
}

impl Sink for Scanning<'_> {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic> {
        self.links.scan(&file);
        self.next.put(file)
    }

    fn put_page(&self, file: OutFile, key: u64) -> Result<(), Diagnostic> {
        self.links.scan(&file);
        self.next.put_page(file, key)
    }

    fn keep(&self, path: &str, key: u64) -> bool {
        let kept = self.next.keep(path, key);
        if kept {
            self.links.note_kept(path);
        }
        kept
    }

    fn previous(&self) -> Option<Previous> {
        self.next.previous()
    }

    fn links_clean(&self, clean: bool) {
        self.next.links_clean(clean);
    }
}

/// Every link target the Markdown wrote (without fragment or query): a broken one of those is
/// reported by the link check with its line, not again as a template's.
pub fn markdown_hrefs(articles: &[Rendered], sections: &[Option<Rendered>]) -> HashSet<String> {
    articles
        .iter()
        .chain(sections.iter().flatten())
        .flat_map(|m| {
            m.links
                .iter()
                .map(|l| l.href.split(['#', '?']).next().unwrap_or("").to_string())
        })
        .collect()
}
