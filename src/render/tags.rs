//! Tag pages: `<home>tags/` lists a language's tags, `<home>tags/<slug>/` the articles with one
//! ([`PER_PAGE`] a page, then `<slug>/page/2/` ...).
//! Tags that differ only in case or punctuation (`Billing`, `billing`) are one tag, shown as first
//! written. A language whose content already has pages under `tags/` gets none (a warning says so).

use std::collections::BTreeMap;

use crate::content::Site;
use crate::diagnostics::Diagnostic;

/// Articles on one tag page: a tag's pages do not grow with the site.
pub const PER_PAGE: usize = 50;

/// The site path of page `n` (from 1) of a tag: `tags/<slug>/`, then `tags/<slug>/page/<n>/`.
pub fn page_path(dir: &str, slug: &str, n: usize) -> String {
    if n <= 1 {
        format!("{dir}{slug}/")
    } else {
        format!("{dir}{slug}/page/{n}/")
    }
}

pub struct Tag {
    pub slug: String,
    pub name: String,
    /// Article indexes, in site order.
    pub articles: Vec<usize>,
}

/// A tag's URL part: lowercase letters and digits, other runs as `-`.
pub fn slug(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The tags of language `l`'s articles, by slug; empty when its content has pages under `tags/`.
pub fn of_language(site: &Site, l: usize) -> Vec<Tag> {
    if taken(site, l).is_some() {
        return Vec::new();
    }
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for (i, a) in site
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.lang == l)
    {
        for t in &a.front.tags {
            let s = slug(t);
            if s.is_empty() {
                continue;
            }
            let tag = tags.entry(s.clone()).or_insert_with(|| Tag {
                slug: s,
                name: t.trim().to_string(),
                articles: Vec::new(),
            });
            if tag.articles.last() != Some(&i) {
                tag.articles.push(i);
            }
        }
    }
    tags.into_values().collect()
}

/// Language `l`'s `tags/` folder.
pub fn dir(site: &Site, l: usize) -> String {
    format!("{}tags/", site.sections[site.languages[l].home].path)
}

/// The page of the content that is under language `l`'s `tags/`, if any.
pub fn taken(site: &Site, l: usize) -> Option<&std::path::Path> {
    let dir = dir(site, l);
    let articles = site
        .articles
        .iter()
        .filter(|a| a.path.starts_with(&dir))
        .map(|a| a.src.shown.as_path());
    let sections = site
        .sections
        .iter()
        .filter(|s| s.path.starts_with(&dir))
        .filter_map(|s| s.index.as_ref().map(|i| i.shown.as_path()));
    articles.chain(sections).next()
}

/// The files tag pages write (for the collision checks of aliases) and the warnings of languages
/// that get none because their content has a `tags/` folder.
pub fn generated(site: &Site) -> (Vec<String>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for l in 0..site.languages.len() {
        let has_tags = site
            .articles
            .iter()
            .any(|a| a.lang == l && !a.front.tags.is_empty());
        if !has_tags {
            continue;
        }
        if let Some(file) = taken(site, l) {
            diags.push(
                Diagnostic::warning(format!(
                    "{} is a page of the site, so kbfresh writes no tag pages at {}",
                    file.display(),
                    dir(site, l)
                ))
                .in_file(file.to_path_buf())
                .hint("move that page, or keep your own tag pages there"),
            );
            continue;
        }
        let d = dir(site, l);
        let d = d.trim_start_matches('/');
        files.push(format!("{d}index.html"));
        for t in of_language(site, l) {
            for n in 1..=t.articles.len().div_ceil(PER_PAGE) {
                let p = page_path(d, &t.slug, n);
                files.push(format!("{p}index.html"));
            }
        }
    }
    (files, diags)
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("Billing"), "billing");
        assert_eq!(slug("  Two-factor auth!! "), "two-factor-auth");
        assert_eq!(slug("Über uns"), "über-uns");
        assert_eq!(slug("ورود به حساب"), "ورود-به-حساب");
        assert_eq!(slug("!!"), "");
    }
}
