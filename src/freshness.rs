//! The freshness policy: a pure function of an article's facts, the releases, the policy and `now`.
//! No git, no clock, no file system: every rule is tested with plain values.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::config::{Bump, FreshnessConfig, PolicyOverrides, ReaderBanner};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fresh,
    Unknown,
    Expiring,
    Stale,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fresh => "fresh",
            Status::Expiring => "expiring",
            Status::Stale => "stale",
            Status::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A product version parsed from a tag: `v2.4.0`, `2.4`, `v2024.05`, `release-1.2`.
#[derive(Debug, Clone, Eq, Serialize)]
pub struct Version {
    pub parts: Vec<u64>,
}

impl Version {
    /// Parses the first dotted number in `s` after an alphabetic prefix; pre-releases (`-rc1`) are not
    /// releases and give `None`.
    pub fn parse(s: &str) -> Option<Version> {
        let start = s.find(|c: char| c.is_ascii_digit())?;
        if !s[..start]
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '/' | '@'))
        {
            return None;
        }
        let rest = &s[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(end);
        if !tail.is_empty() && !tail.starts_with('+') {
            return None;
        }
        let num = num.trim_end_matches('.');
        let parts: Option<Vec<u64>> = num.split('.').map(|p| p.parse().ok()).collect();
        let parts = parts?;
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        Some(Version { parts })
    }

    fn part(&self, i: usize) -> u64 {
        self.parts.get(i).copied().unwrap_or(0)
    }

    /// How big a step `self` is after `prev`.
    pub fn bump_from(&self, prev: &Version) -> Bump {
        if self.part(0) != prev.part(0) {
            Bump::Major
        } else if self.part(1) != prev.part(1) {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        (0..n)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        f.write_str(&s.join("."))
    }
}

/// A product release: a tag matching `release_tags`.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub tag: String,
    pub version: Version,
    pub date: Timestamp,
    pub commit: String,
}

/// A commit that changed a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    pub commit: String,
    pub date: Timestamp,
    pub author: String,
}

/// What `covers` matched in one release's range (previous release .. this release).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoversHit {
    pub commits: usize,
    /// The covered paths (or their folders) that changed, for the reason text; a few at most.
    pub paths: Vec<String>,
}

/// Everything the policy needs to know about one article.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub verified: Option<Date>,
    /// `describes` from front matter.
    pub describes: Option<&'a str>,
    pub has_covers: bool,
    /// The last commit that changed the file; `None` when untracked or outside git.
    pub last_change: Option<&'a Change>,
    /// The file has uncommitted changes: it counts as changed now.
    pub dirty: bool,
    /// For a translation: the source article's last change, when it is later than anything here.
    pub source_change: Option<&'a Change>,
    /// For a translation: the source article has uncommitted changes (it changed now).
    pub source_dirty: bool,
    pub source_lang_name: &'a str,
    /// The files the article shows (its includes; a translation's are its original's too).
    pub includes: &'a [IncludeChange<'a>],
    /// `outdated` from front matter: someone marked it (`""` for `true`, else what is wrong).
    pub outdated: Option<&'a str>,
}

/// An included file's last change.
#[derive(Debug, Clone)]
pub struct IncludeChange<'a> {
    /// As shown to users (relative to the site root).
    pub path: &'a str,
    pub last_change: Option<&'a Change>,
    /// Uncommitted changes: it changed now.
    pub dirty: bool,
}

/// Releases (before now) from which the dashboard's trend has a point per release; with fewer,
/// one per month.
pub const TREND_MIN_RELEASES: usize = 3;

/// How many articles had each status (the team's) at one time: a point of the dashboard's trend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    /// A release's tag, or a month (`2026-03`).
    pub label: String,
    pub date: Date,
    pub fresh: usize,
    pub due: usize,
    pub stale: usize,
    pub unknown: usize,
}

impl TrendPoint {
    pub fn count(&mut self, s: Status) {
        match s {
            Status::Fresh => self.fresh += 1,
            Status::Expiring => self.due += 1,
            Status::Stale => self.stale += 1,
            Status::Unknown => self.unknown += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.fresh + self.due + self.stale + self.unknown
    }
}

/// Fully resolved policy for one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max_age_days: u32,
    pub warn_days: u32,
    pub grace_days: u32,
    pub stale_on: Bump,
    pub edits_count_as_verification: bool,
    pub reader_banner: ReaderBanner,
}

impl Policy {
    pub fn from_overrides(o: PolicyOverrides, site: &FreshnessConfig) -> Policy {
        Policy {
            max_age_days: o.max_age_days.unwrap_or(365),
            warn_days: o.warn_days.unwrap_or(30),
            grace_days: o.grace_days.unwrap_or(14),
            stale_on: o.stale_on.unwrap_or(Bump::Minor),
            edits_count_as_verification: site.edits_count_as_verification,
            reader_banner: site.reader_banner,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonKind {
    Age,
    Release,
    Covers,
    Translation,
    /// A file the article includes changed after it was verified.
    Include,
    /// Someone marked it `outdated` in front matter.
    Marked,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub status: Status,
    pub message: String,
    /// The release (index) a release or covers reason is about.
    #[serde(skip)]
    pub release: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedSource {
    /// `verified` in front matter.
    FrontMatter,
    /// The last content change (edits count as verification).
    Commit,
    /// Uncommitted edits: the file counts as changed now.
    Uncommitted,
}

#[derive(Debug, Clone, Serialize)]
pub struct Freshness {
    pub status: Status,
    pub last_verified: Option<Date>,
    pub verified_source: Option<VerifiedSource>,
    /// Index into the releases of the release the article describes.
    pub describes: Option<usize>,
    /// `describes` as written when it names no known release.
    pub describes_text: Option<String>,
    /// The day the article becomes stale by age if nobody verifies it.
    pub expires: Option<Date>,
    /// The last day to check it before it turns stale (a release's grace period, or `expires`);
    /// `None` once it is stale.
    pub due: Option<Date>,
    pub reasons: Vec<Reason>,
    /// Plain words for readers when stale, for what kbfresh knows (see [`ReaderBanner`]).
    pub banner: Option<String>,
    /// The banner is the writer's own words (`outdated = "..."`), in the article's language.
    pub banner_written: bool,
    /// Index into the releases of the newest release out that the article was not checked
    /// against, when readers see no banner for it: their quiet "current version" note.
    pub current: Option<usize>,
    /// For a translation left behind by its original: the day the original changed.
    pub original_changed: Option<Date>,
}

impl Freshness {
    /// The status readers are shown (pages, lists, search): stale only with a banner. An
    /// article stale for the team without one (a newer release alone, a changed include) is due.
    pub fn reader_status(&self) -> Status {
        if self.status == Status::Stale && self.banner.is_none() {
            Status::Expiring
        } else {
            self.status
        }
    }

    /// The day a reader's browser should start saying "may be out of date" (`YYYY-MM-DD`): none
    /// once the page says so itself.
    pub fn reader_expires(&self) -> Option<String> {
        if self.reader_status() == Status::Stale {
            None
        } else {
            self.expires.map(|d| d.to_string())
        }
    }
}

pub fn date_of(ts: Timestamp) -> Date {
    ts.to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// The first moment of day `d` (UTC).
pub fn day_start(d: Date) -> Timestamp {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        // Only the ends of the calendar have no start in range.
        .unwrap_or(if d.year() > 0 {
            Timestamp::MAX
        } else {
            Timestamp::MIN
        })
}

fn add_days(d: Date, days: u32) -> Date {
    d.checked_add(i64::from(days).days()).unwrap_or(Date::MAX)
}

/// The policy. `releases` are sorted by version, oldest first; `covers_hits[i]` is what the article's
/// `covers` matched in release `i`'s range (ignored when the article has no `covers`).
pub fn evaluate(
    facts: &Facts<'_>,
    releases: &[Release],
    covers_hits: &dyn Fn(usize) -> Option<CoversHit>,
    policy: &Policy,
    now: Timestamp,
) -> Freshness {
    let today = date_of(now);
    let mut reasons = Vec::new();

    // last_verified: the later of `verified` and the last content change (when edits count).
    let change_date = if facts.dirty {
        Some((today, VerifiedSource::Uncommitted))
    } else {
        facts
            .last_change
            .map(|c| (date_of(c.date), VerifiedSource::Commit))
    };
    let verified = facts.verified.map(|d| (d, VerifiedSource::FrontMatter));
    // On a tie the explicit `verified` wins (max_by_key keeps the last of equals).
    let candidates = [
        if policy.edits_count_as_verification {
            change_date
        } else {
            None
        },
        verified,
    ];
    let last = candidates.into_iter().flatten().max_by_key(|(d, _)| *d);
    let Some((last_verified, source)) = last else {
        return Freshness {
            status: Status::Unknown,
            last_verified: None,
            verified_source: None,
            describes: None,
            describes_text: facts.describes.map(str::to_string),
            expires: None,
            due: None,
            reasons: vec![Reason {
                release: None,
                kind: ReasonKind::Unknown,
                status: Status::Unknown,
                message: if policy.edits_count_as_verification {
                    "no `verified` date in front matter and no git history for this file; run `kbfresh verify` on it or commit it".into()
                } else {
                    "no `verified` date in front matter (edits do not count as verification here); run `kbfresh verify` on it".into()
                },
            }],
            banner: None,
            banner_written: false,
            current: None,
            original_changed: None,
        };
    };

    // Release dates are compared as times with the start of a day, not converted to days: a site
    // with many releases has this loop once per article (and per point of the dashboard's trend).
    let after_verified = day_start(last_verified.tomorrow().unwrap_or(Date::MAX));
    // describes: front matter, else the newest release dated on or before last_verified.
    let describes_version = facts.describes.and_then(Version::parse);
    let describes_idx = match &describes_version {
        Some(v) => releases.iter().rposition(|r| r.version <= *v),
        None if facts.describes.is_some() => None,
        None => releases
            .iter()
            .enumerate()
            .filter(|(_, r)| r.date < after_verified)
            .max_by(|a, b| a.1.version.cmp(&b.1.version))
            .map(|(i, _)| i),
    };
    let describes_label = match (&describes_version, describes_idx) {
        (Some(v), Some(i)) if releases[i].version == *v => releases[i].tag.clone(),
        (Some(v), _) => v.to_string(),
        (None, Some(i)) => releases[i].tag.clone(),
        (None, None) => String::new(),
    };

    // Release rule.
    let mut status = Status::Fresh;
    let mut banner: Option<String>;
    let newer: Vec<usize> = match (&describes_version, describes_idx) {
        (Some(v), _) => (0..releases.len())
            .filter(|&i| releases[i].version > *v)
            .collect(),
        (None, Some(d)) => (d + 1..releases.len()).collect(),
        // Verified before the first release: every release is newer, but only those after the date matter.
        (None, None) if facts.describes.is_none() => (0..releases.len())
            .filter(|&i| releases[i].date >= after_verified)
            .collect(),
        (None, None) => Vec::new(),
    };
    struct Found {
        release: usize,
        status: Status,
        hit: Option<CoversHit>,
        bump: Bump,
        due: Date,
    }
    let mut found: Vec<Found> = Vec::new();
    let grace_over = day_start(
        today
            .checked_sub(i64::from(policy.grace_days).days())
            .unwrap_or(Date::MIN),
    );
    // What `covers` matched in releases not yet reported (see below).
    let mut pending = CoversHit::default();
    for i in newer {
        let r = &releases[i];
        // A release after `now` has not happened yet as far as this run is concerned.
        if r.date > now {
            continue;
        }
        if facts.has_covers
            && let Some(h) = covers_hits(i)
        {
            pending.commits += h.commits;
            for p in h.paths {
                if !pending.paths.contains(&p) {
                    pending.paths.push(p);
                }
            }
        }
        let bump = if i == 0 {
            Bump::Major
        } else {
            r.version.bump_from(&releases[i - 1].version)
        };
        if bump < policy.stale_on {
            continue;
        }
        let hit = if facts.has_covers {
            // Changes in skipped (smaller) releases ride along into the next release that counts.
            let h = std::mem::take(&mut pending);
            if h.commits == 0 {
                continue;
            }
            Some(h)
        } else {
            None
        };
        // Stale once today is past the release day plus the grace period.
        let this_status = if r.date < grace_over {
            Status::Stale
        } else {
            Status::Expiring
        };
        // Only a release still in its grace period has a day to review by.
        let due = match this_status {
            Status::Expiring => add_days(date_of(r.date), policy.grace_days),
            _ => today,
        };
        found.push(Found {
            release: i,
            status: this_status,
            hit,
            bump,
            due,
        });
    }

    // Only the first release past its grace period made the article stale; later ones are counted in
    // its reason, not listed one by one (an old article would otherwise carry dozens of reasons).
    // Without a stale one, the first release still in its grace period says when to review.
    let stale: Vec<&Found> = found.iter().filter(|f| f.status == Status::Stale).collect();
    let expiring = found.iter().find(|f| f.status == Status::Expiring);
    let against = if describes_label.is_empty() {
        String::new()
    } else {
        format!(" against {describes_label}")
    };
    let reported = stale
        .first()
        .copied()
        .or(if stale.is_empty() { expiring } else { None });
    if let Some(f) = reported {
        let r = &releases[f.release];
        let released = date_of(r.date);
        let review = if f.status == Status::Expiring {
            format!("; review it by {}", f.due)
        } else {
            String::new()
        };
        let later = match stale.len() {
            0 | 1 => String::new(),
            n => format!(
                "; {} later release{} did too, up to {}",
                n - 1,
                if n == 2 { "" } else { "s" },
                releases[stale[n - 1].release].tag
            ),
        };
        let message = match &f.hit {
            Some(h) => format!(
                "{} (released {released}) changed {} in {} commit{} after this article was verified on {last_verified}{against}{later}{review}",
                r.tag,
                h.paths.join(", "),
                h.commits,
                if h.commits == 1 { "" } else { "s" },
            ),
            None => format!(
                "{}, a {} release, came out on {released} after this article was {}{later}{review}",
                r.tag,
                f.bump.as_str(),
                if describes_label.is_empty() {
                    format!("verified on {last_verified}")
                } else {
                    format!("checked against {describes_label} (verified on {last_verified})")
                },
            ),
        };
        status = status.max(f.status);
        reasons.push(Reason {
            release: Some(f.release),
            kind: if f.hit.is_some() {
                ReasonKind::Covers
            } else {
                ReasonKind::Release
            },
            status: f.status,
            message,
        });
    }
    let version = |f: &Found| &releases[f.release].version;
    let versions = match stale.as_slice() {
        [] => None,
        [one] => Some(format!("Version {}", version(one))),
        [first, .., last] => Some(format!("Versions {} to {}", version(first), version(last))),
    };
    // A covered path that changed is evidence; a newer release alone is not (kbfresh knows it
    // came out, not what it changed), so readers see a banner for it only when asked for.
    let evidence = stale.iter().any(|f| f.hit.is_some());
    banner = versions.and_then(|v| {
        if evidence {
            Some(format!(
                "{v} changed features this article describes; some steps may differ."
            ))
        } else if policy.reader_banner == ReaderBanner::Stale {
            let checked = match &describes_version {
                Some(d) => format!(" against version {d}"),
                None => describes_idx
                    .map(|i| format!(" against version {}", releases[i].version))
                    .unwrap_or_default(),
            };
            Some(format!(
                "{v} came out after this article was last checked{checked}; some steps may differ."
            ))
        } else {
            None
        }
    });
    // The newest release out that the article was not checked against: readers' quiet note when
    // they see no banner for it.
    let current = found
        .iter()
        .filter(|f| f.hit.is_none())
        .map(|f| f.release)
        .max();

    // Age rule.
    let expires = add_days(last_verified, policy.max_age_days);
    let age = (today - last_verified).get_days();
    if age > i32::try_from(policy.max_age_days).unwrap_or(i32::MAX) {
        status = status.max(Status::Stale);
        reasons.push(Reason {
            release: None,
            kind: ReasonKind::Age,
            status: Status::Stale,
            message: format!(
                "last verified on {last_verified}, {age} days ago; the limit is {} days (max_age_days)",
                policy.max_age_days
            ),
        });
        if banner.is_none() {
            banner = Some(format!(
                "This article was last checked on {last_verified}; some details may have changed since."
            ));
        }
    } else if i64::from(age) > i64::from(policy.max_age_days) - i64::from(policy.warn_days) {
        status = status.max(Status::Expiring);
        reasons.push(Reason {
            release: None,
            kind: ReasonKind::Age,
            status: Status::Expiring,
            message: format!(
                "last verified on {last_verified}, {age} days ago; verify it by {expires} (max_age_days = {})",
                policy.max_age_days
            ),
        });
    }

    // Translation rule: the source changed after this translation was last verified.
    let mut original_changed = None;
    // Another file the article answers to (its original, a file it includes) changed after the
    // article was verified: when, and by what ("commit …" or "an uncommitted edit").
    let changed_since = |change: Option<&Change>, dirty: bool| -> Option<(Date, String)> {
        let (when, commit) = if dirty {
            (now, None)
        } else {
            change.map(|c| (c.date, Some(c.commit.as_str())))?
        };
        let changed = date_of(when);
        // On the same day, a verification that is the article's own commit is compared to the
        // minute: a commit of the other file after it still leaves the article behind.
        let later_that_day = changed == last_verified
            && source == VerifiedSource::Commit
            && facts.last_change.is_some_and(|c| when > c.date);
        (changed > last_verified || later_that_day).then(|| {
            let by = commit.map_or_else(
                || "an uncommitted edit".to_string(),
                |c| format!("commit {}", short(c)),
            );
            (changed, by)
        })
    };
    if let Some((changed, by)) = changed_since(facts.source_change, facts.source_dirty) {
        status = status.max(Status::Stale);
        original_changed = Some(changed);
        let lang = facts.source_lang_name;
        reasons.push(Reason {
            release: None,
            kind: ReasonKind::Translation,
            status: Status::Stale,
            message: format!(
                "the {lang} original changed on {changed} ({by}) after this translation was verified on {last_verified}"
            ),
        });
        if banner.is_none() {
            banner = Some(format!(
                "The {lang} original of this article was updated on {changed}; this translation may be out of date."
            ));
        }
    }

    // Include rule: text the article shows, written in another file, changed after the article
    // was verified. The team sees it; readers see the new text, so no banner.
    for inc in facts.includes {
        if let Some((changed, by)) = changed_since(inc.last_change, inc.dirty) {
            status = status.max(Status::Stale);
            reasons.push(Reason {
                release: None,
                kind: ReasonKind::Include,
                status: Status::Stale,
                message: format!(
                    "`{}` changed on {changed} ({by}) after this article was verified on {last_verified}",
                    inc.path
                ),
            });
        }
    }

    // Marked by a person: their words are what readers should read first.
    let mut banner_written = false;
    if let Some(why) = facts.outdated {
        status = Status::Stale;
        reasons.push(Reason {
            release: None,
            kind: ReasonKind::Marked,
            status: Status::Stale,
            message: if why.is_empty() {
                "marked `outdated` in front matter; update it, then remove `outdated`".to_string()
            } else {
                format!("marked `outdated`: {why}; update it, then remove `outdated`")
            },
        });
        banner = Some(if why.is_empty() {
            "This article is known to be out of date; an update is on its way.".to_string()
        } else {
            banner_written = true;
            why.to_string()
        });
    }

    let banner = if status == Status::Stale {
        banner
    } else {
        None
    };
    let due = (status != Status::Stale).then(|| {
        found
            .iter()
            .filter(|f| f.status == Status::Expiring)
            .map(|f| f.due)
            .fold(expires, Date::min)
    });
    Freshness {
        current: current.filter(|_| banner.is_none()),
        banner_written: banner_written && banner.is_some(),
        status,
        last_verified: Some(last_verified),
        verified_source: Some(source),
        describes: describes_idx.filter(|&i| {
            describes_version
                .as_ref()
                .is_none_or(|v| releases[i].version == *v)
        }),
        describes_text: describes_version
            .map(|v| v.to_string())
            .or_else(|| facts.describes.map(str::to_string)),
        expires: Some(expires),
        due,
        original_changed,
        reasons,
        banner,
    }
}

pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

/// The command that records a check of the article at `path`, quoted for a POSIX shell when the
/// path holds anything but plain path characters (writers paste it into a terminal).
pub fn verify_command(path: &str) -> String {
    let plain = !path.is_empty()
        && path.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ',' | ':' | '@' | '%')
        });
    if plain {
        format!("kbfresh verify {path}")
    } else {
        format!("kbfresh verify '{}'", path.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_commands_are_quoted_for_the_shell() {
        assert_eq!(
            verify_command("billing/refunds.md"),
            "kbfresh verify billing/refunds.md"
        );
        assert_eq!(
            verify_command("a$(touch PWNED).md"),
            "kbfresh verify 'a$(touch PWNED).md'"
        );
        assert_eq!(verify_command("it's.md"), "kbfresh verify 'it'\\''s.md'");
        assert_eq!(
            verify_command("two words.md"),
            "kbfresh verify 'two words.md'"
        );
    }

    fn ts(d: &str) -> Timestamp {
        format!("{d}T12:00:00Z").parse().unwrap()
    }
    fn date(d: &str) -> Date {
        d.parse().unwrap()
    }
    fn rel(tag: &str, d: &str) -> Release {
        Release {
            tag: tag.into(),
            version: Version::parse(tag).unwrap(),
            date: ts(d),
            commit: "c".repeat(40),
        }
    }
    fn policy() -> Policy {
        Policy::from_overrides(PolicyOverrides::default(), &FreshnessConfig::default())
    }
    fn no_hits(_: usize) -> Option<CoversHit> {
        None
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("v2.4.0").unwrap().parts, [2, 4, 0]);
        assert_eq!(Version::parse("2.4").unwrap().parts, [2, 4]);
        assert_eq!(Version::parse("v2024.05").unwrap().parts, [2024, 5]);
        assert_eq!(Version::parse("release-1.2").unwrap().parts, [1, 2]);
        assert!(Version::parse("v2.4.0-rc1").is_none());
        assert!(Version::parse("latest").is_none());
        assert_eq!(
            Version::parse("2.3").unwrap(),
            Version::parse("v2.3.0").unwrap()
        );
        let a = Version::parse("2.4.1").unwrap();
        assert_eq!(a.bump_from(&Version::parse("2.4.0").unwrap()), Bump::Patch);
        assert_eq!(a.bump_from(&Version::parse("2.3.9").unwrap()), Bump::Minor);
        assert_eq!(a.bump_from(&Version::parse("1.9").unwrap()), Bump::Major);
    }

    #[test]
    fn unknown_without_any_date() {
        let f = evaluate(
            &Facts::default(),
            &[],
            &no_hits,
            &policy(),
            ts("2026-11-22"),
        );
        assert_eq!(f.status, Status::Unknown);
        assert_eq!(f.reasons[0].kind, ReasonKind::Unknown);
    }

    #[test]
    fn fresh_then_expiring_then_stale_by_age() {
        let facts = Facts {
            verified: Some(date("2026-01-01")),
            ..Facts::default()
        };
        let at = |d| evaluate(&facts, &[], &no_hits, &policy(), ts(d));
        assert_eq!(at("2026-06-01").status, Status::Fresh);
        let f = at("2026-12-15");
        assert_eq!(f.status, Status::Expiring);
        assert!(
            f.reasons[0].message.contains("verify it by 2027-01-01"),
            "{:?}",
            f.reasons
        );
        assert_eq!(f.due, Some(date("2027-01-01")));
        let f = at("2027-01-03");
        assert_eq!(f.status, Status::Stale);
        assert_eq!(f.due, None);
        assert!(f.banner.is_some());
        assert_eq!(f.expires, Some(date("2027-01-01")));
    }

    #[test]
    fn edits_count_unless_disabled() {
        let change = Change {
            commit: "a".repeat(40),
            date: ts("2026-10-01"),
            author: "A".into(),
        };
        let facts = Facts {
            verified: Some(date("2025-01-01")),
            last_change: Some(&change),
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.last_verified, Some(date("2026-10-01")));
        assert_eq!(f.verified_source, Some(VerifiedSource::Commit));
        let strict = Policy {
            edits_count_as_verification: false,
            ..policy()
        };
        let f = evaluate(&facts, &[], &no_hits, &strict, ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
    }

    #[test]
    fn release_rule_with_grace_and_bump() {
        let releases = [
            rel("v2.3.0", "2026-01-10"),
            rel("v2.3.1", "2026-03-01"),
            rel("v2.4.0", "2026-09-01"),
        ];
        let facts = Facts {
            verified: Some(date("2026-02-01")),
            ..Facts::default()
        };
        // Patch releases do not count with the default stale_on = minor.
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-08-01"));
        assert_eq!(f.status, Status::Fresh);
        assert_eq!(f.describes, Some(0));
        // Within the 14-day grace period: expiring.
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-09-10"));
        assert_eq!(f.status, Status::Expiring);
        assert!(f.reasons[0].message.contains("review it by 2026-09-15"));
        assert_eq!(
            f.due,
            Some(date("2026-09-15")),
            "the grace period ends before the age limit"
        );
        // After it: stale for the team, with a reason that says only what is known; readers
        // see no banner (a release came out, nothing says it changed what the article says),
        // but the current version.
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-09-20"));
        assert_eq!(f.status, Status::Stale);
        assert_eq!(
            f.reasons[0].message,
            "v2.4.0, a minor release, came out on 2026-09-01 after this article was checked against v2.3.0 (verified on 2026-02-01)"
        );
        assert_eq!(f.banner, None);
        assert_eq!(f.current, Some(2));
        assert_eq!(f.reader_status(), Status::Expiring);
        // With `reader_banner = "stale"`, readers get a banner in the same honest words.
        let loud = Policy {
            reader_banner: ReaderBanner::Stale,
            ..policy()
        };
        let f = evaluate(&facts, &releases, &no_hits, &loud, ts("2026-09-20"));
        assert_eq!(
            f.banner.as_deref(),
            Some(
                "Version 2.4.0 came out after this article was last checked against version 2.3.0; some steps may differ."
            )
        );
        assert_eq!((f.current, f.reader_status()), (None, Status::Stale));
        // A covered path that changed is evidence: a banner by default.
        let hit = |_: usize| {
            Some(CoversHit {
                commits: 2,
                paths: vec!["src/export/**".into()],
            })
        };
        let covered = Facts {
            has_covers: true,
            ..facts.clone()
        };
        let f = evaluate(&covered, &releases, &hit, &policy(), ts("2026-09-20"));
        assert_eq!(
            f.banner.as_deref(),
            Some("Version 2.4.0 changed features this article describes; some steps may differ.")
        );
        // stale_on = patch counts v2.3.1 too.
        let patch = Policy {
            stale_on: Bump::Patch,
            ..policy()
        };
        let f = evaluate(&facts, &releases, &no_hits, &patch, ts("2026-08-01"));
        assert_eq!(f.status, Status::Stale);
        let f = evaluate(&covered, &releases, &hit, &patch, ts("2026-09-20"));
        assert_eq!(
            f.banner.as_deref(),
            Some(
                "Versions 2.3.1 to 2.4.0 changed features this article describes; some steps may differ."
            )
        );
        let f = evaluate(&facts, &releases, &no_hits, &patch, ts("2026-09-20"));
        // One reason: the release that made it stale, with the later ones counted.
        assert_eq!(f.reasons.len(), 1);
        assert_eq!(
            f.reasons[0].message,
            "v2.3.1, a patch release, came out on 2026-03-01 after this article was checked against v2.3.0 (verified on 2026-02-01); 1 later release did too, up to v2.4.0"
        );
        assert_eq!(f.reasons[0].release, Some(1));
    }

    #[test]
    fn marked_outdated_by_a_person() {
        let facts = Facts {
            verified: Some(date("2026-10-01")),
            outdated: Some("The export screen changed in 2.5; new steps are on their way."),
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
        assert_eq!(f.reasons[0].kind, ReasonKind::Marked);
        assert_eq!(
            f.reasons[0].message,
            "marked `outdated`: The export screen changed in 2.5; new steps are on their way.; update it, then remove `outdated`"
        );
        assert_eq!(
            (f.banner.as_deref(), f.banner_written),
            (
                Some("The export screen changed in 2.5; new steps are on their way."),
                true
            )
        );
        let f = evaluate(
            &Facts {
                outdated: Some(""),
                ..facts
            },
            &[],
            &no_hits,
            &policy(),
            ts("2026-11-01"),
        );
        assert_eq!(
            (f.banner.as_deref(), f.banner_written),
            (
                Some("This article is known to be out of date; an update is on its way."),
                false
            )
        );
    }

    #[test]
    fn describes_from_front_matter_and_newer_than_all() {
        let releases = [rel("v2.3.0", "2026-01-10"), rel("v2.4.0", "2026-09-01")];
        let facts = Facts {
            verified: Some(date("2026-10-01")),
            describes: Some("2.3"),
            ..Facts::default()
        };
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(
            f.status,
            Status::Stale,
            "describes 2.3 although verified after 2.4"
        );
        let facts = Facts {
            describes: Some("2.4"),
            ..facts
        };
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Fresh);
        assert_eq!(f.describes, Some(1));
    }

    #[test]
    fn covers_restricts_releases() {
        let releases = [
            rel("v2.3.0", "2026-01-10"),
            rel("v2.4.0", "2026-05-01"),
            rel("v2.5.0", "2026-09-01"),
        ];
        let facts = Facts {
            verified: Some(date("2026-02-01")),
            has_covers: true,
            ..Facts::default()
        };
        let hits = |i: usize| {
            (i == 2).then(|| CoversHit {
                commits: 4,
                paths: vec!["src/billing/".into()],
            })
        };
        let f = evaluate(&facts, &releases, &hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
        assert_eq!(f.reasons.len(), 1);
        assert_eq!(
            f.reasons[0].message,
            "v2.5.0 (released 2026-09-01) changed src/billing/ in 4 commits after this article was verified on 2026-02-01 against v2.3.0"
        );
        let f = evaluate(&facts, &releases, &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(
            f.status,
            Status::Fresh,
            "covers that match nothing never make it stale"
        );
    }

    #[test]
    fn include_rule() {
        let own = Change {
            commit: "a".repeat(40),
            date: "2026-10-01T09:00:00Z".parse().unwrap(),
            author: "A".into(),
        };
        let snippet = Change {
            commit: "c".repeat(40),
            date: "2026-10-05T09:00:00Z".parse().unwrap(),
            author: "B".into(),
        };
        let same_commit = Change {
            date: own.date,
            ..snippet.clone()
        };
        fn inc(c: &Change) -> IncludeChange<'_> {
            IncludeChange {
                path: "content/_snippets/refund.md",
                last_change: Some(c),
                dirty: false,
            }
        }
        let later = [inc(&snippet)];
        let facts = Facts {
            last_change: Some(&own),
            includes: &later,
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
        assert_eq!(f.reasons[0].kind, ReasonKind::Include);
        assert_eq!(
            f.reasons[0].message,
            "`content/_snippets/refund.md` changed on 2026-10-05 (commit cccccccccc) after this article was verified on 2026-10-01"
        );
        assert!(
            f.banner.is_none(),
            "readers see the new text, not a warning"
        );
        // Changed with the article in one commit, or verified since: nothing to say.
        let eval = |f: &Facts<'_>| evaluate(f, &[], &no_hits, &policy(), ts("2026-11-01"));
        let together = [inc(&same_commit)];
        let f = eval(&Facts {
            includes: &together,
            ..facts.clone()
        });
        assert_eq!(f.status, Status::Fresh, "{:?}", f.reasons);
        let f = eval(&Facts {
            verified: Some(date("2026-10-06")),
            ..facts.clone()
        });
        assert_eq!(f.status, Status::Fresh, "{:?}", f.reasons);
    }

    #[test]
    fn translation_rule() {
        let change = Change {
            commit: "b".repeat(40),
            date: ts("2026-10-05"),
            author: "A".into(),
        };
        let facts = Facts {
            verified: Some(date("2026-10-01")),
            source_change: Some(&change),
            source_lang_name: "English",
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
        assert!(
            f.reasons[0]
                .message
                .starts_with("the English original changed on 2026-10-05")
        );
    }

    #[test]
    fn translation_rule_names_an_uncommitted_original() {
        let facts = Facts {
            verified: Some(date("2026-10-01")),
            source_dirty: true,
            source_lang_name: "English",
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-10-20"));
        assert_eq!(
            f.reasons[0].message,
            "the English original changed on 2026-10-20 (an uncommitted edit) after this translation was verified on 2026-10-01"
        );
    }

    #[test]
    fn translation_rule_same_day_compares_commit_times() {
        let translated = Change {
            commit: "aaa".into(),
            date: "2026-10-05T09:00:00Z".parse().unwrap(),
            author: "t".into(),
        };
        let source = Change {
            commit: "bbb".into(),
            date: "2026-10-05T15:00:00Z".parse().unwrap(),
            author: "s".into(),
        };
        let facts = Facts {
            last_change: Some(&translated),
            source_change: Some(&source),
            source_lang_name: "English",
            ..Facts::default()
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Stale);
        // A source change earlier that day is older than the translation.
        let earlier = Change {
            date: "2026-10-05T08:00:00Z".parse().unwrap(),
            ..source.clone()
        };
        let facts = Facts {
            source_change: Some(&earlier),
            ..facts
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Fresh);
        // A `verified` date of that day is a person's word: the day is what counts.
        let facts = Facts {
            source_change: Some(&source),
            verified: Some(date("2026-10-05")),
            ..facts
        };
        let f = evaluate(&facts, &[], &no_hits, &policy(), ts("2026-11-01"));
        assert_eq!(f.status, Status::Fresh);
    }
}
