//! `image` in front matter: the picture a shared link shows. Resolved at load, as links are: a web
//! address as written, a site path (`/img/card.png`) or a path next to the article
//! (`card.png`, `../img/card.png`), which must be a file the site publishes.

use super::{Article, Site};
use crate::diagnostics::Diagnostic;

/// Article `a`'s `image`: a web address or a site path, or an error at the `image` key.
pub fn resolve(
    site: &Site,
    a: &Article,
    generated: &[String],
) -> Result<Option<String>, Diagnostic> {
    let Some(image) = a.front.image.as_deref() else {
        return Ok(None);
    };
    if let Some(scheme) = crate::url::url_scheme(image) {
        if matches!(scheme.as_str(), "http" | "https") {
            return Ok(Some(image.to_string()));
        }
        return Err(at_key(a, format!("image `{image}` is a {scheme}: address"))
            .hint("write an http(s) address, a site path (/img/card.png) or a path next to the article"));
    }
    let clean = image.split(['?', '#']).next().unwrap_or(image);
    let joined = if let Some(abs) = clean.strip_prefix('/') {
        abs.to_string()
    } else {
        let dir = a.src.rel.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{clean}")
    };
    let Some(rel) = normalize(&joined) else {
        return Err(at_key(a, format!("image `{image}` leaves the site"))
            .hint("point at a picture inside the content or static folder"));
    };
    let by_content = site.assets.iter().find(|x| x.rel == rel || x.out == rel);
    let out = match by_content {
        Some(x) => Some(x.out.clone()),
        None => generated.iter().find(|g| **g == rel).cloned(),
    };
    match out {
        Some(o) => Ok(Some(format!("/{o}"))),
        None => Err(at_key(a, format!("image `{image}` is not a file of the site")).hint(
            "put the picture next to the article or in static/, or fix the path (it is relative to the article's file)",
        )),
    }
}

fn at_key(a: &Article, message: String) -> Diagnostic {
    let (line, col) = a.src.key_position("image");
    Diagnostic::error(message).at(a.src.shown.clone(), line, col)
}

/// `a/./b/../c` as `a/c`; `None` when it climbs out.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Resolves every article's `image`; the problems, one per article.
pub fn resolve_all(site: &mut Site, generated: &[String]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let resolved: Vec<Option<String>> = site
        .articles
        .iter()
        .map(|a| match resolve(site, a, generated) {
            Ok(i) => i,
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect();
    for (a, i) in site.articles.iter_mut().zip(resolved) {
        a.image = i;
    }
    diags
}
