//! `kbfresh check`: the report model (what is stale, what is broken, what fails the policy) and its
//! formats, one file each.

mod digest;
mod github;
mod junit;
mod markdown;
mod sarif;
mod text;
mod translator;

use std::collections::HashSet;

use serde::Serialize;

use crate::config::FailOn;
use crate::freshness::{ReasonKind, Status, VerifiedSource};
use crate::links::{self, LinkResult};
use crate::loaded::Loaded;

pub const SCHEMA: &str = "kbfresh/check/1";

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Github,
    Sarif,
    Markdown,
    /// Per owner: what is stale and what falls due within `--due-within`, as Markdown.
    Digest,
    /// The digest as JSON.
    DigestJson,
    /// Per stale translation, the original's changes since it was last checked, as a diff.
    Translator,
}

/// Which articles are reported and which can fail.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only these articles (paths relative to the repository root... as content-relative paths) can fail.
    pub changed: Option<HashSet<String>>,
    pub owner: Option<String>,
    /// Content-relative folder (`billing` or `billing/cards`).
    pub section: Option<String>,
    pub verbose: bool,
    /// The digest's window in days (`--due-within`).
    pub due_within: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub now: String,
    pub head: Option<String>,
    pub releases: Vec<ReleaseOut>,
    pub articles: Vec<ArticleOut>,
    pub links: Vec<LinkResult>,
    /// Per translated language, the default language's articles it has no version of.
    pub missing_translations: Vec<MissingOut>,
    pub summary: Summary,
    /// What the policy fails on, in words (empty: pass).
    pub failures: Vec<String>,
    #[serde(skip)]
    pub fail_on: Vec<FailOn>,
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// The digest's window in days.
    #[serde(skip)]
    pub due_within: u32,
    #[serde(skip)]
    pub today: jiff::civil::Date,
    /// `https://host` of `base_url` (empty when it is not absolute): before an article's `url`,
    /// its address outside the site.
    #[serde(skip)]
    pub origin: String,
    /// For `--format translator`: filled by [`Report::add_translator_packets`].
    #[serde(skip)]
    pub packets: Vec<translator::Packet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissingOut {
    pub lang: String,
    pub name: String,
    /// Paths of the untranslated source articles.
    pub articles: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseOut {
    pub tag: String,
    pub version: String,
    pub date: String,
    pub commit: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeOut {
    pub commit: String,
    pub date: String,
    pub author: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedOut {
    pub date: String,
    pub source: VerifiedSource,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonOut {
    pub kind: ReasonKind,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleOut {
    pub path: String,
    /// The line a finding points at: `verified` in front matter, else 1.
    pub line: usize,
    pub url: String,
    pub title: String,
    pub lang: String,
    pub owner: Option<String>,
    /// Where `owner` came from: "front matter", a section's index file, a `CODEOWNERS` line.
    pub owner_from: Option<String>,
    pub status: Status,
    /// What readers are shown: `stale` only with a banner on the page.
    pub reader_status: Status,
    pub last_changed: Option<ChangeOut>,
    pub last_verified: Option<VerifiedOut>,
    pub describes: Option<String>,
    pub expires: Option<String>,
    /// The last day to check it before it turns stale; `None` once stale.
    pub due: Option<String>,
    pub reasons: Vec<ReasonOut>,
    /// This article's status is one the policy fails on, and it is in scope.
    pub fails: bool,
    /// The files it includes, with their last change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<IncludeOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncludeOut {
    pub path: String,
    pub last_changed: Option<ChangeOut>,
}

fn change_out(c: &crate::freshness::Change) -> ChangeOut {
    ChangeOut {
        commit: c.commit.clone(),
        date: rfc3339(c.date),
        author: c.author.clone(),
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub articles: usize,
    pub fresh: usize,
    pub expiring: usize,
    pub stale: usize,
    pub unknown: usize,
    pub links_checked: usize,
    pub links_broken: usize,
}

fn rfc3339(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Report {
    pub fn build(loaded: &Loaded, fail_on: &[FailOn], scope: &Scope) -> Report {
        let site = &loaded.site;
        let releases = loaded
            .history
            .releases
            .iter()
            .map(|r| ReleaseOut {
                tag: r.tag.clone(),
                version: r.version.to_string(),
                date: rfc3339(r.date),
                commit: r.commit.clone(),
            })
            .collect();
        let fails_status = |s: Status| match s {
            Status::Stale => fail_on.contains(&FailOn::Stale),
            Status::Expiring => fail_on.contains(&FailOn::Expiring),
            Status::Unknown => fail_on.contains(&FailOn::Unknown),
            Status::Fresh => false,
        };
        let in_scope = |i: usize| {
            let a = &site.articles[i];
            scope
                .owner
                .as_ref()
                // `CODEOWNERS` gives several owners a line: any of them is the owner asked for.
                .is_none_or(|o| {
                    a.owner.as_deref().is_some_and(|mine| {
                        mine == o.as_str() || mine.split_whitespace().any(|w| w == o.as_str())
                    })
                })
                && scope.section.as_ref().is_none_or(|s| {
                    let s = s.trim_matches('/');
                    a.src.rel.starts_with(&format!("{s}/"))
                })
        };
        let can_fail = |i: usize| {
            in_scope(i)
                && scope
                    .changed
                    .as_ref()
                    .is_none_or(|c| c.contains(&site.articles[i].src.rel))
        };
        let mut summary = Summary::default();
        let mut articles = Vec::new();
        for (i, a) in site.articles.iter().enumerate() {
            if !in_scope(i) || a.front.draft {
                continue;
            }
            let f = &loaded.freshness[i];
            summary.articles += 1;
            match f.status {
                Status::Fresh => summary.fresh += 1,
                Status::Expiring => summary.expiring += 1,
                Status::Stale => summary.stale += 1,
                Status::Unknown => summary.unknown += 1,
            }
            let line = match a.src.key_position("verified").0 {
                0 => 1,
                l => l,
            };
            articles.push(ArticleOut {
                path: a.src.shown.display().to_string(),
                line,
                url: format!("{}{}", site.base_path(), crate::url::href(&a.path)),
                title: a.title.clone(),
                lang: site.languages[a.lang].code.clone(),
                owner: a.owner.clone(),
                owner_from: a.owner_from.clone(),
                status: f.status,
                reader_status: f.reader_status(),
                last_changed: loaded.last_changes[i].as_ref().map(change_out),
                last_verified: f
                    .last_verified
                    .zip(f.verified_source)
                    .map(|(d, s)| VerifiedOut {
                        date: d.to_string(),
                        source: s,
                    }),
                describes: f
                    .describes
                    .map(|d| loaded.history.releases[d].version.to_string())
                    .or_else(|| f.describes_text.clone()),
                expires: f.expires.map(|d| d.to_string()),
                due: f.due.map(|d| d.to_string()),
                reasons: f
                    .reasons
                    .iter()
                    .map(|r| ReasonOut {
                        kind: r.kind,
                        message: r.message.clone(),
                    })
                    .collect(),
                fails: fails_status(f.status) && can_fail(i),
                includes: site
                    .included_by(i)
                    .map(|j| IncludeOut {
                        path: site.includes[j].shown.display().to_string(),
                        last_changed: loaded
                            .history
                            .includes
                            .get(j)
                            .and_then(|h| h.as_ref()?.last_change.as_ref())
                            .map(change_out),
                    })
                    .collect(),
            });
        }

        let link_in_scope = |l: &LinkResult| l.article.is_none_or(in_scope);
        let link_can_fail = |l: &LinkResult| l.article.is_none_or(can_fail);
        let checked: Vec<&LinkResult> = loaded.links.iter().filter(|l| link_in_scope(l)).collect();
        summary.links_checked = checked
            .iter()
            .filter(|l| !matches!(l.status, links::Status::Skipped | links::Status::Excluded))
            .count();
        summary.links_broken = checked
            .iter()
            .filter(|l| l.status == links::Status::Broken)
            .count();
        let links: Vec<LinkResult> = checked
            .iter()
            .filter(|l| scope.verbose || l.status != links::Status::Ok)
            .map(|l| (*l).clone())
            .collect();

        let missing = site.missing_translations();
        // Like stale articles, only articles the run may fail on (`--changed-since`) fail it.
        let failing_missing = missing
            .iter()
            .flat_map(|(_, list)| list)
            .filter(|&&i| can_fail(i) && !site.articles[i].front.draft)
            .count();
        let missing_translations: Vec<MissingOut> = missing
            .into_iter()
            .map(|(l, list)| MissingOut {
                lang: site.languages[l].code.clone(),
                name: site.languages[l].name.clone(),
                articles: list
                    .into_iter()
                    .filter(|&i| in_scope(i) && !site.articles[i].front.draft)
                    .map(|i| site.articles[i].src.shown.display().to_string())
                    .collect(),
            })
            .collect();
        let mut failures = Vec::new();
        let failing_articles: Vec<&ArticleOut> = articles.iter().filter(|a| a.fails).collect();
        for st in [Status::Stale, Status::Expiring, Status::Unknown] {
            let n = failing_articles.iter().filter(|a| a.status == st).count();
            if n > 0 {
                failures.push(format!("{n} {st} article{}", if n == 1 { "" } else { "s" }));
            }
        }
        let external =
            |l: &LinkResult| matches!(l.kind, links::Kind::External | links::Kind::Fragment);
        let count = |pred: &dyn Fn(&LinkResult) -> bool| {
            checked
                .iter()
                .filter(|l| pred(l) && link_can_fail(l))
                .count()
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if fail_on.contains(&FailOn::BrokenLinks) {
            let n = count(&|l| l.status == links::Status::Broken && !external(l));
            if n > 0 {
                failures.push(format!("{n} broken link{}", plural(n)));
            }
        }
        if fail_on.contains(&FailOn::ExternalLinks) {
            let n = count(&|l| l.status == links::Status::Broken && external(l));
            if n > 0 {
                failures.push(format!("{n} broken external link{}", plural(n)));
            }
        }
        if fail_on.contains(&FailOn::MissingTranslations) {
            let n = failing_missing;
            if n > 0 {
                failures.push(format!("{n} missing translation{}", plural(n)));
            }
        }
        if fail_on.contains(&FailOn::BlockedLinks) {
            let n = count(&|l| l.status == links::Status::Blocked);
            if n > 0 {
                failures.push(format!("{n} blocked link{}", plural(n)));
            }
        }
        let warnings: Vec<String> = loaded
            .diagnostics
            .warnings()
            .map(ToString::to_string)
            .collect();
        if fail_on.contains(&FailOn::Warnings) && !warnings.is_empty() {
            failures.push(format!(
                "{} warning{}",
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            ));
        }

        Report {
            schema: SCHEMA,
            now: rfc3339(loaded.now),
            head: loaded.history.head.clone(),
            releases,
            articles,
            links,
            missing_translations,
            summary,
            failures,
            fail_on: fail_on.to_vec(),
            warnings,
            today: crate::freshness::date_of(loaded.now),
            origin: origin(&loaded.site),
            packets: Vec::new(),
            due_within: scope.due_within,
        }
    }

    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Whether a broken link counts against the policy.
    pub fn link_fails(&self, l: &LinkResult) -> bool {
        match l.status {
            links::Status::Broken
                if matches!(l.kind, links::Kind::External | links::Kind::Fragment) =>
            {
                self.fail_on.contains(&FailOn::ExternalLinks)
            }
            links::Status::Broken => self.fail_on.contains(&FailOn::BrokenLinks),
            links::Status::Blocked => self.fail_on.contains(&FailOn::BlockedLinks),
            _ => false,
        }
    }

    /// Reads, for every reported translation whose original changed since it was last checked,
    /// the original's text then (from git) and now.
    pub fn add_translator_packets(&mut self, loaded: &Loaded) {
        self.packets = translator::packets(loaded, self);
    }

    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Text => text::render(self, color),
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&self.json()).unwrap_or_default();
                s.push('\n');
                s
            }
            Format::Junit => junit::render(self),
            Format::Github => github::render(self),
            Format::Sarif => sarif::render(self),
            Format::Markdown => markdown::render(self),
            Format::Digest => digest::markdown(self),
            Format::Translator => translator::render(self),
            Format::DigestJson => {
                let mut s = serde_json::to_string_pretty(&digest::json(self)).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }

    /// The documented JSON shape (schema `kbfresh/check/1`).
    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(arts) = v.get_mut("articles").and_then(|a| a.as_array_mut()) {
            for a in arts {
                if let Some(o) = a.as_object_mut() {
                    o.remove("line");
                }
            }
        }
        v
    }

    /// The summary line every human-readable format ends with.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        format!(
            "{} articles: {} fresh, {} expiring, {} stale, {} unknown; {} links checked, {} broken. {}",
            s.articles,
            s.fresh,
            s.expiring,
            s.stale,
            s.unknown,
            s.links_checked,
            s.links_broken,
            if self.passed() {
                "Check passed.".to_string()
            } else {
                format!("Check failed: {}.", self.failures.join(", "))
            }
        )
    }
}

/// `freshness.json` (`[dashboard] json = true`): every published article's freshness as the
/// reports state it, with absolute URLs when `base_url` is one. Versioned, for status pages,
/// badges and assistants that should skip stale articles.
/// The scheme and host of `base_url`, without its path (which article URLs hold already); empty
/// when `base_url` is not an absolute http(s) address.
fn origin(site: &crate::content::Site) -> String {
    let origin = site.config.base_url.trim_end_matches('/');
    if origin.starts_with("http") {
        let base = site.base_path();
        origin
            .strip_suffix(base.as_str())
            .unwrap_or(origin)
            .to_string()
    } else {
        String::new()
    }
}

pub fn freshness_json(loaded: &Loaded) -> Vec<u8> {
    #[derive(Serialize)]
    struct Entry<'a> {
        url: String,
        path: &'a str,
        title: &'a str,
        lang: &'a str,
        status: Status,
        reader_status: Status,
        last_verified: Option<&'a str>,
        last_changed: Option<&'a str>,
        describes: Option<&'a str>,
        expires: Option<&'a str>,
        owner: Option<&'a str>,
        owner_from: Option<&'a str>,
        reasons: Vec<&'a str>,
    }
    let report = Report::build(loaded, &[], &Scope::default());
    let origin = &report.origin;
    let articles: Vec<Entry<'_>> = report
        .articles
        .iter()
        .map(|a| Entry {
            url: format!("{origin}{}", a.url),
            path: &a.path,
            title: &a.title,
            lang: &a.lang,
            status: a.status,
            reader_status: a.reader_status,
            last_verified: a.last_verified.as_ref().map(|v| v.date.as_str()),
            last_changed: a.last_changed.as_ref().map(|c| c.date.as_str()),
            describes: a.describes.as_deref(),
            expires: a.expires.as_deref(),
            owner: a.owner.as_deref(),
            owner_from: a.owner_from.as_deref(),
            reasons: a.reasons.iter().map(|r| r.message.as_str()).collect(),
        })
        .collect();
    let doc = serde_json::json!({
        "version": 1,
        "generated": rfc3339(loaded.now),
        "commit": loaded.history.head,
        "summary": report.summary,
        "releases": report.releases,
        "articles": articles,
    });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(target: &str, status: links::Status, message: &str) -> LinkResult {
        LinkResult {
            path: "content/a.md".into(),
            line: 3,
            column: 5,
            target: target.into(),
            kind: links::Kind::External,
            status,
            message: message.into(),
            hint: None,
            article: Some(0),
            resolved: None,
            asset: None,
        }
    }

    /// A report with one broken and one excluded external link, failing on external links.
    fn report() -> Report {
        Report {
            schema: SCHEMA,
            now: "2026-05-02T00:00:00Z".into(),
            head: None,
            releases: Vec::new(),
            articles: Vec::new(),
            links: vec![
                link(
                    "https://gone.test/",
                    links::Status::Broken,
                    "broken external link `https://gone.test/`: 404",
                ),
                link(
                    "https://skip.test/",
                    links::Status::Excluded,
                    "`https://skip.test/` excluded by [links] exclude/include or .kbfreshignore",
                ),
            ],
            missing_translations: Vec::new(),
            summary: Summary::default(),
            failures: vec!["1 broken external link".into()],
            fail_on: vec![FailOn::ExternalLinks],
            warnings: Vec::new(),
            today: "2026-11-22".parse().unwrap(),
            origin: String::new(),
            packets: Vec::new(),
            due_within: 14,
        }
    }

    #[test]
    fn an_excluded_link_is_never_a_finding() {
        let r = report();
        assert!(!r.link_fails(&r.links[1]));
        for format in [
            Format::Text,
            Format::Junit,
            Format::Github,
            Format::Sarif,
            Format::Markdown,
        ] {
            let out = r.render(format, false);
            assert!(out.contains("gone.test"), "{format:?}: {out}");
            assert!(!out.contains("skip.test"), "{format:?}: {out}");
        }
    }

    #[test]
    fn an_unverified_fragment_is_listed_in_every_format_and_fails_nothing() {
        let mut r = report();
        let mut l = link(
            "https://slow.test/page#setup",
            links::Status::Unverified,
            "fragment `#setup` not verified: the page at https://slow.test/page timed out after 1 s while sending its body",
        );
        l.kind = links::Kind::Fragment;
        r.links.push(l);
        assert!(!r.link_fails(&r.links[2]));
        for format in [
            Format::Text,
            Format::Json,
            Format::Junit,
            Format::Github,
            Format::Sarif,
            Format::Markdown,
        ] {
            let out = r.render(format, false);
            assert!(
                out.contains("#setup") && out.contains("not verified"),
                "{format:?}: {out}"
            );
        }
        assert!(
            r.render(Format::Json, false)
                .contains("\"status\": \"unverified\"")
        );
        assert!(
            r.render(Format::Text, false)
                .contains("LINKS NOT VERIFIED (1)")
        );
    }

    #[test]
    fn json_keeps_the_documented_status_of_an_excluded_link() {
        let v: serde_json::Value =
            serde_json::from_str(&report().render(Format::Json, false)).unwrap();
        assert_eq!(v["links"][0]["status"], "broken");
        assert_eq!(v["links"][1]["status"], "skipped");
        assert!(
            v["links"][1]["message"]
                .as_str()
                .unwrap()
                .contains("excluded by")
        );
    }
}
