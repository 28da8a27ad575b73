//! The context every page shares: site-wide values, article summaries, section cards, positions
//! and related articles, computed once per render and patched per article by `serve`; and the
//! helpers every page builds its context with.

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::words::Words;
use super::{HEADER_SECTIONS, Input, NAV_WINDOW, RELATED};
use crate::content::Site;
use crate::freshness::Status;

/// What every page of a render shares, computed once per full render and patched per article by
/// `serve` ([`Prepared::refresh_article`]).
pub struct Prepared {
    pub(super) base: String,
    pub(super) abs_base: Option<String>,
    /// Per language: whether it has tag pages (its content has none under `tags/`).
    pub(super) tag_pages: Vec<bool>,
    /// Per language of the site (`Site::languages`), the default first.
    pub(super) langs: Vec<PageLang>,
    pub(super) summaries: Vec<Value>,
    pub(super) cards: Vec<Value>,
    /// Position of each article in its section's sorted list.
    pub(super) position: Vec<usize>,
    pub(super) related: Vec<Vec<usize>>,
}

/// What pages of one language share.
pub(super) struct PageLang {
    pub(super) code: String,
    pub(super) dir: &'static str,
    pub(super) words: Words,
    pub(super) site_value: Value,
}

/// The shared context with the input it was prepared from: what every page function reads.
pub(super) struct Ctx<'a> {
    pub(super) input: &'a Input<'a>,
    pub(super) p: &'a Prepared,
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Prepared;
    fn deref(&self) -> &Prepared {
        self.p
    }
}

impl Ctx<'_> {
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, crate::url::href(path))
    }

    pub(super) fn permalink(&self, path: &str) -> String {
        match &self.abs_base {
            Some(b) => format!("{b}{}", crate::url::href(path.trim_start_matches('/'))),
            None => self.url(path),
        }
    }

    /// The variables every page gets, for a page in language `l`.
    pub(super) fn common(
        &self,
        l: usize,
        kind: &str,
        title: &str,
        description: &str,
        path: &str,
    ) -> serde_json::Map<String, Value> {
        let site = &self.input.site;
        let lang = &self.langs[l];
        let site_title = &site.languages[l].title;
        let page_title = if title.is_empty() || title == site_title {
            site_title.clone()
        } else {
            format!("{title} · {site_title}")
        };
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), json!(kind));
        m.insert("page_title".into(), json!(page_title));
        m.insert(
            "share_title".into(),
            json!(if title.is_empty() { site_title } else { title }),
        );
        m.insert("description".into(), json!(description));
        m.insert("canonical".into(), json!(self.permalink(path)));
        m.insert("lang".into(), json!(lang.code));
        m.insert("dir".into(), json!(lang.dir));
        m.insert("site".into(), lang.site_value.clone());
        m.insert("t".into(), lang.words.t.clone());
        m.insert("nav".into(), Value::Null);
        m.insert("breadcrumbs".into(), json!([]));
        m.insert("translations".into(), json!([]));
        m.insert("alternates".into(), json!([]));
        m
    }

    /// Section `s` and its versions in the other languages, as `(language, path)`.
    pub(super) fn section_versions(&self, s: usize) -> Vec<(usize, &str)> {
        let site = self.input.site;
        let sections = &site.sections;
        std::iter::once(s)
            .chain(site.section_translations[s].iter().copied())
            .map(|k| (sections[k].lang, sections[k].path.as_str()))
            .collect()
    }

    /// The language switcher (`translations`: every version, this one marked `current`, and the
    /// pages standing in for missing ones, `fallbacks`, marked `fallback`) and the `hreflang`
    /// alternates of a page whose versions are `versions` (`(language, path)`, this page first).
    pub(super) fn versions(
        &self,
        c: &mut serde_json::Map<String, Value>,
        versions: Vec<(usize, &str)>,
        fallbacks: &[(usize, &str)],
    ) {
        let Some(&(_, this)) = versions.first() else {
            return;
        };
        let mut all: Vec<(usize, &str, bool)> = versions
            .iter()
            .chain(
                fallbacks
                    .iter()
                    .filter(|(l, _)| !versions.iter().any(|(v, _)| v == l)),
            )
            .map(|&(l, p)| (l, p, fallbacks.contains(&(l, p))))
            .collect();
        if all.len() < 2 {
            return;
        }
        all.sort_by_key(|(l, _, _)| *l);
        let site = self.input.site;
        let switcher: Vec<Value> = all
            .iter()
            .map(|&(l, path, fallback)| {
                let lang = &site.languages[l];
                json!({
                    "code": lang.code,
                    "name": lang.name,
                    "dir": self.langs[l].dir,
                    "url": self.url(path),
                    "current": path == this,
                    "fallback": fallback,
                })
            })
            .collect();
        let mut versions = versions;
        versions.retain(|&(l, p)| !fallbacks.contains(&(l, p)));
        versions.sort_by_key(|(l, _)| *l);
        if versions.len() < 2 {
            versions.clear();
        }
        let mut alternates: Vec<Value> = versions
            .iter()
            .map(|&(l, path)| json!({ "hreflang": site.languages[l].code, "href": self.permalink(path) }))
            .collect();
        if let Some(&(_, path)) = versions.iter().find(|(l, _)| *l == 0) {
            alternates.push(json!({ "hreflang": "x-default", "href": self.permalink(path) }));
        }
        c.insert("translations".into(), Value::Array(switcher));
        c.insert("alternates".into(), Value::Array(alternates));
    }

    pub(super) fn breadcrumbs(&self, section: usize, last: Option<(&str, &str)>) -> Value {
        let site = self.input.site;
        let mut crumbs: Vec<Value> = site
            .section_chain(section)
            .into_iter()
            .map(|s| {
                let sec = &site.sections[s];
                let title = if sec.parent.is_none() {
                    self.langs[sec.lang].words.t["home"]
                        .as_str()
                        .unwrap_or("Home")
                        .to_string()
                } else {
                    sec.title.clone()
                };
                json!({ "title": title, "url": self.url(&sec.path) })
            })
            .collect();
        if let Some((title, path)) = last {
            crumbs.push(json!({ "title": title, "url": self.url(path) }));
        }
        Value::Array(crumbs)
    }

    pub(super) fn nav(&self, section: usize, current: Option<usize>) -> Value {
        let site = self.input.site;
        let sec = &site.sections[section];
        let list = &sec.articles;
        let (from, to) = nav_window(list.len(), current.map(|a| self.position[a]));
        let articles: Vec<Value> = list[from..to]
            .iter()
            .map(|&a| {
                json!({
                    "title": site.articles[a].nav_label(),
                    "url": self.url(&site.articles[a].path),
                    "current": Some(a) == current,
                    "status": self.input.freshness[a].reader_status(),
                    "expires": self.input.freshness[a].reader_expires(),
                })
            })
            .collect();
        let subsections: Vec<Value> = sec
            .children
            .iter()
            .map(|&c| json!({ "title": site.sections[c].nav_label(), "url": self.url(&site.sections[c].path) }))
            .collect();
        // Built values go in by assignment (moved); `json!` would serialize, deep-copying them.
        let mut nav = json!({
            "section": { "title": sec.title, "url": self.url(&sec.path) },
            "total": list.len(),
            "truncated": list.len() > to - from,
        });
        nav["articles"] = Value::Array(articles);
        nav["subsections"] = Value::Array(subsections);
        nav
    }
}

fn article_counts(site: &Site) -> Vec<usize> {
    let mut counts: Vec<usize> = site.sections.iter().map(|s| s.articles.len()).collect();
    // Children always come after their parent, so one reverse pass adds subtrees up.
    for i in (1..site.sections.len()).rev() {
        if let Some(p) = site.sections[i].parent {
            counts[p] += counts[i];
        }
    }
    counts
}

fn summary(input: &Input<'_>, base: &str, words: &Words, i: usize) -> Value {
    let site = input.site;
    let a = &site.articles[i];
    let sec = &site.sections[a.section];
    json!({
        "title": a.title,
        "nav_title": a.nav_label(),
        "url": format!("{base}{}", crate::url::href(&a.path)),
        "description": a.front.description.clone().unwrap_or_default(),
        "section_title": sec.title,
        "section_url": format!("{base}{}", crate::url::href(&sec.path)),
        "status": input.freshness[i].reader_status(),
        "expires": input.freshness[i].reader_expires(),
        "last_verified": input.freshness[i].last_verified.map(|d| words.date_value(d)),
    })
}

/// A picture's address for other sites to fetch: web addresses as they are, site paths under the
/// absolute base URL (root-relative without one).
pub(super) fn absolute(abs_base: Option<&str>, base: &str, image: &str) -> String {
    if crate::url::url_scheme(image).is_some() {
        return image.to_string();
    }
    let path = image.trim_start_matches('/');
    match abs_base {
        Some(b) => format!("{b}{}", crate::url::href(path)),
        None => format!("{base}/{}", crate::url::href(path)),
    }
}

/// The shared part of every page: site-wide values, article summaries, section cards, positions.
pub fn prepare(input: &Input<'_>) -> Prepared {
    let site = input.site;
    let config = &site.config;
    let base = site.base_path();
    let words = input.words;
    let abs_base = config.absolute_base();

    let counts = article_counts(site);
    let url = |p: &str| format!("{base}{}", crate::url::href(p));
    let cards: Vec<Value> = site
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "title": s.title,
                "url": url(&s.path),
                "description": s.front.description.clone().unwrap_or_default(),
                "article_count": counts[i],
            })
        })
        .collect();
    let summaries: Vec<Value> = (0..site.articles.len())
        .map(|i| summary(input, &base, &words[site.articles[i].lang], i))
        .collect();
    // `[support]` in language `code`: `[languages.x.support]` where written, else the default
    // language's words, each marked with the language it is written in.
    let default_code = &site.languages[0].code;
    let support = |w: &Words, code: &str| {
        config.support.as_ref().map(|s| {
            let channels: Vec<Value> = s
                .channels
                .iter()
                .map(|c| {
                    json!({
                        "kind": c.kind,
                        "label": c.label,
                        "url": channel_href(c),
                        "hours": c.hours.clone().unwrap_or_default(),
                    })
                })
                .collect();
            let own = config.languages.get(code).map(|l| &l.support);
            let pick = |own: Option<&String>, shared: &Option<String>| match own {
                Some(t) => (Some(t.clone()), code.to_string()),
                None => (shared.clone(), default_code.clone()),
            };
            let (title, title_lang) = pick(own.and_then(|o| o.title.as_ref()), &s.title);
            let (text, text_lang) = pick(own.and_then(|o| o.text.as_ref()), &s.text);
            json!({
                "title": title.unwrap_or_else(|| w.t["still_need_help"].as_str().unwrap_or_default().to_string()),
                "title_lang": title_lang,
                "text": text.unwrap_or_default(),
                "text_lang": text_lang,
                "channels": channels,
            })
        })
    };
    let languages: Vec<Value> = site
        .languages
        .iter()
        .map(|l| json!({ "code": l.code, "name": l.name, "url": url(&site.sections[l.home].path) }))
        .collect();
    let langs = site
        .languages
        .iter()
        .zip(words)
        .map(|(l, w)| {
            let w = w.clone();
            let home = &site.sections[l.home];
            let site_value = json!({
                "title": l.title,
                "description": config.description_in(&l.code, l.code == *default_code).unwrap_or(""),
                "base_url": config.base_url,
                "base_path": base,
                "home_url": url(&home.path),
                "search_url": url(&format!("{}search/", home.path)),
                "generator": input.generator,
                // Every page carries these: a bounded few, so a page does not grow with the site.
                "sections": home.children.iter().take(HEADER_SECTIONS).map(|&c| cards[c].clone()).collect::<Vec<_>>(),
                "sections_total": home.children.len(),
                "support": support(&w, &l.code),
                "image": config.image.as_deref().map(|i| absolute(abs_base.as_deref(), &base, i)),
                "feed_url": url(&format!("{}feed.xml", home.path)),
                "tags_url": url(&format!("{}tags/", home.path)),
                "languages": languages,
                "default_language": site.languages[0].code,
            });
            PageLang {
                code: l.code.clone(),
                dir: if l.rtl { "rtl" } else { "ltr" },
                words: w,
                site_value,
            }
        })
        .collect();
    Prepared {
        base: base.clone(),
        abs_base,
        tag_pages: (0..site.languages.len())
            .map(|l| super::tags::taken(site, l).is_none())
            .collect(),
        langs,
        summaries,
        cards,
        position: positions(site),
        related: related_articles(site),
    }
}

fn channel_href(c: &crate::config::Channel) -> String {
    use crate::config::ChannelKind;
    let u = c.url.trim();
    match c.kind {
        ChannelKind::Email if !u.contains(':') && u.contains('@') => format!("mailto:{u}"),
        ChannelKind::Phone if !u.contains(':') => {
            let digits: String = u
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{digits}")
        }
        _ => u.to_string(),
    }
}

/// The slice of a section's article list its sidebar shows: a huge section shows a window around the
/// current article, so a page never lists the whole site.
fn nav_window(len: usize, current: Option<usize>) -> (usize, usize) {
    match current {
        Some(p) if len > NAV_WINDOW => {
            let from = p.saturating_sub(NAV_WINDOW / 2).min(len - NAV_WINDOW);
            (from, from + NAV_WINDOW)
        }
        _ => (0, len.min(NAV_WINDOW)),
    }
}

fn positions(site: &Site) -> Vec<usize> {
    let mut position = vec![0; site.articles.len()];
    for s in &site.sections {
        for (p, &a) in s.articles.iter().enumerate() {
            position[a] = p;
        }
    }
    position
}

/// What other pages show of an article that changed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Refreshed {
    /// Its summary (title, description, status, dates): the section and home pages, related lists.
    pub summary: bool,
    /// Its sidebar entry (title, URL, stale dot): the section's article pages that list it.
    pub nav: bool,
    /// The section's order: every article page of the section (windows, previous and next).
    pub order: bool,
}

impl Prepared {
    /// After one article changed: its summary and the section order, and what changed.
    pub fn refresh_article(&mut self, input: &Input<'_>, i: usize) -> Refreshed {
        let words = &self.langs[input.site.articles[i].lang].words;
        let fresh = summary(input, &self.base, words, i);
        let position = positions(input.site);
        let old = &self.summaries[i];
        let is_stale = |v: &Value| v["status"] == json!(Status::Stale);
        let changed = Refreshed {
            summary: fresh != *old,
            nav: fresh["nav_title"] != old["nav_title"]
                || fresh["url"] != old["url"]
                || is_stale(&fresh) != is_stale(old),
            order: position != self.position,
        };
        self.summaries[i] = fresh;
        self.position = position;
        changed
    }

    /// The article pages of `i`'s section whose sidebar lists `i`.
    pub fn nav_shows(&self, site: &Site, i: usize) -> Vec<usize> {
        let list = &site.sections[site.articles[i].section].articles;
        let p = self.position[i];
        list.iter()
            .copied()
            .filter(|&j| {
                let (from, to) = nav_window(list.len(), Some(self.position[j]));
                (from..to).contains(&p)
            })
            .collect()
    }

    /// Articles whose "related" list shows article `i`.
    pub fn related_to(&self, i: usize) -> Vec<usize> {
        (0..self.related.len())
            .filter(|&j| self.related[j].contains(&i))
            .collect()
    }
}

/// Up to five articles sharing the most tags. Each tag contributes a bounded window of candidates, so
/// a tag on every article costs O(n), not O(n^2).
fn related_articles(site: &Site) -> Vec<Vec<usize>> {
    const PER_TAG: usize = 32;
    // Tags are per language: a reader is pointed to articles in the language they read.
    let mut by_tag: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        for t in &a.front.tags {
            by_tag.entry((a.lang, t.as_str())).or_default().push(i);
        }
    }
    let mut pos_in_tag: HashMap<(usize, &str, usize), usize> = HashMap::new();
    for (&(l, t), list) in &by_tag {
        for (p, &a) in list.iter().enumerate() {
            pos_in_tag.insert((l, t, a), p);
        }
    }
    (0..site.articles.len())
        .into_par_iter()
        .map(|i| {
            let mut score: HashMap<usize, usize> = HashMap::new();
            let l = site.articles[i].lang;
            for t in &site.articles[i].front.tags {
                let list = &by_tag[&(l, t.as_str())];
                let p = pos_in_tag[&(l, t.as_str(), i)];
                let from = p.saturating_sub(PER_TAG / 2);
                for &j in list.iter().skip(from).take(PER_TAG) {
                    if j != i {
                        *score.entry(j).or_default() += 1;
                    }
                }
            }
            let mut ranked: Vec<(usize, usize)> = score.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.into_iter().take(RELATED).map(|(j, _)| j).collect()
        })
        .collect()
}

/// Article `i` and its versions in the other languages, as `(language, path)`.
pub(super) fn article_versions(site: &Site, i: usize) -> Vec<(usize, &str)> {
    std::iter::once(i)
        .chain(site.translations[i].iter().copied())
        .map(|j| (site.articles[j].lang, site.articles[j].path.as_str()))
        .collect()
}

/// For a translation that went stale because its source changed: the source, its language and the
/// date it changed, for the notice linking to it.
pub(super) fn original(ctx: &Ctx<'_>, i: usize, words: &Words) -> Value {
    let site = ctx.input.site;
    let Some(src) = site.source_of(i) else {
        return Value::Null;
    };
    let Some(changed) = ctx.input.freshness[i].original_changed else {
        return Value::Null;
    };
    let source = &site.articles[src];
    json!({
        "title": source.title,
        "url": ctx.url(&source.path),
        "lang": site.languages[0].code,
        "lang_name": site.languages[0].name,
        "dir": ctx.langs[0].dir,
        "updated": words.date_value(changed),
    })
}
