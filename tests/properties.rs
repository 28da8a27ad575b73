//! Property tests: heading ids (unique, stable), URL mapping (safe, collision-checked), and the
//! freshness policy (verifying never makes an article less fresh; time never makes it fresher).

use std::collections::HashSet;

use jiff::ToSpan;
use jiff::civil::Date;
use kbfresh::config::{Bump, ReaderBanner};
use kbfresh::content::url_component;
use kbfresh::freshness::{
    self, Change, CoversHit, Facts, Policy, ReasonKind, Release, Status, Version,
};
use kbfresh::markdown::{self, DropH1, LinkResolver, slugify};
use kbfresh::url::normalize_rel;
use proptest::prelude::*;

struct NoLinks;

impl LinkResolver for NoLinks {
    fn resolve(&self, _: &str, _: &str) -> Option<String> {
        None
    }
}

fn heading_ids(titles: &[String]) -> Vec<String> {
    let text: String = titles
        .iter()
        .map(|t| format!("## {t}\n\n"))
        .collect::<String>();
    let r = markdown::render(
        &markdown::Input {
            file: &text,
            body_start: 0,
            dir: "",
            drop_leading_h1: DropH1::Never,
            mdx: false,
            expanded: None,
            options: kbfresh::config::MarkdownConfig::DEFAULT,
            labels: &kbfresh::markdown::Labels::default(),
        },
        &NoLinks,
    );
    // The headings' own ids (the anchors also hold the ids kbfresh gave them before).
    r.toc.into_iter().map(|t| t.id).collect()
}

/// Heading text without Markdown syntax that would change the number of headings.
fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 ]{0,12}",
        "[a-c]{1,2}(-[0-9])?",
        "\\PC{0,10}".prop_map(|s| s.replace(
            [
                '\n', '\r', '#', '{', '}', '\\', '`', '<', '[', '!', '*', '_', '&'
            ],
            ""
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// Other tools' containers, nested, unclosed, in fences and lists: rendering never panics, ids
    /// stay unique and every link keeps a position inside the file (the fuzz target's checks).
    #[test]
    fn containers_keep_the_markdown_invariants(
        lines in proptest::collection::vec(
            "(:::|::::|::: tip|:::note\\[T\\]|!!! note \"T\"|\\?\\?\\?\\+ warning|    |\t|```|- |# h|\\[l\\]\\(x.md\\)|text| |import x|export y|\\{/\\*|\\*/\\}|\\{\\{< hint >\\}\\}|\\{\\{< /hint >\\}\\}|\\{\\{% x %\\}\\}|\\{\\{</\\* y \\*/>\\}\\}|`|=== \"A\"|===\\+ \"B\"|:::tabs|== t|<Tabs>|</Tabs>|<TabItem label=\"x\" default>|</TabItem>|<Aside type=\"tip\">|</Aside>|<Foo />|<Foo>|</Foo>|\\{% x\\(\\) %\\}|\\{% end %\\}|\\{\\{ y\\(\\) \\}\\}){0,4}",
            0..12,
        )
    ) {
        kbfresh::fuzzing::markdown(lines.join("\n").as_bytes());
    }

    /// Includes of every syntax, nested, looping, with selectors and escapes, across three files:
    /// expanding never panics and every position points into the file it names.
    #[test]
    fn includes_keep_their_positions(
        files in proptest::collection::vec(
            proptest::collection::vec(
                "(\\{\\{#include (b.md|c.rs|a.md|x)(:[0-9a-z]{0,2}(:[0-9]{0,2})?)?\\}\\}|\\\\\\{\\{#include b.md\\}\\}|\\{\\{< include \"(b.md|c.rs)\" >\\}\\}|    |--8<-- \"(b.md|c.rs)(:[0-9]:[0-9]|:s)?\"|--8<--|;--8<-- \"b.md\"|--8<-- \\[(start|end):s\\]|// ANCHOR(_END)?: [a-z]|\\{\\{ vars.(v|w) \\}\\}|\\{\\{#title t\\}\\}|\\[l\\]\\(x.md\\)|é|text|```| ){0,4}",
                0..8,
            ),
            3,
        )
    ) {
        let joined: Vec<String> = files.iter().map(|f| f.join("\n")).collect();
        kbfresh::fuzzing::includes(joined.join("\u{1}").as_bytes());
    }

    /// Every heading of a page gets an id no other heading has, and the same page always gets the
    /// same ids; adding headings at the end never renames the ones before.
    #[test]
    fn heading_ids_are_unique_and_stable(titles in prop::collection::vec(title(), 1..24), more in prop::collection::vec(title(), 0..6)) {
        let ids = heading_ids(&titles);
        let unique: HashSet<&String> = ids.iter().collect();
        prop_assert_eq!(unique.len(), ids.len(), "{:?}", ids);
        prop_assert!(ids.iter().all(|i| !i.is_empty() && !i.contains(char::is_whitespace)));
        prop_assert_eq!(&ids, &heading_ids(&titles));
        let mut longer = titles.clone();
        longer.extend(more);
        let longer_ids = heading_ids(&longer);
        prop_assert_eq!(&longer_ids[..ids.len()], &ids[..]);
    }

    /// A slug has no whitespace, and nothing a URL fragment would need to escape besides letters
    /// and marks of other scripts (GitHub's slugger keeps every `-`, so `--check` stays).
    #[test]
    fn slugs_are_clean(text in "\\PC{0,40}") {
        let s = slugify(&text);
        prop_assert!(!s.contains(char::is_whitespace), "{:?}", s);
        prop_assert!(s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()), "{:?}", s);
        prop_assert_eq!(slugify(&text), s);
    }

    /// One path segment of a URL: never empty, never `.` or `..`, no separators; what a link
    /// cannot hold as it is goes percent-encoded and comes back unchanged.
    #[test]
    fn url_components_are_safe_path_segments(name in "\\PC{0,30}") {
        // A file or folder name never holds a separator.
        prop_assume!(!name.contains('/'));
        let c = url_component(&name);
        prop_assert!(!c.is_empty());
        prop_assert!(c != "." && c != ".." && !c.starts_with('.'), "{:?}", c);
        prop_assert!(!c.contains(['/', ' ']), "{:?}", c);
        let h = kbfresh::url::href(&c);
        prop_assert!(!h.contains(['?', '#', ' ', '"', '<', '>', '\\']), "{:?}", h);
        prop_assert_eq!(kbfresh::url::percent_decode(&h), c.clone());
        prop_assert_eq!(url_component(&c), c.clone(), "mapping is idempotent");
    }

    /// Resolving a relative link never climbs out of the content folder.
    #[test]
    fn relative_links_stay_inside(dir in "([a-z]{1,3}/){0,3}[a-z]{0,3}", path in "((\\.\\.|\\.|[a-z]{1,3})/){0,5}[a-z]{0,3}(\\.md)?") {
        let dir = dir.trim_end_matches('/');
        if let Some(p) = normalize_rel(dir, &path) {
            prop_assert!(!p.split('/').any(|s| s == ".." || s == "."), "{:?}", p);
            prop_assert!(!p.starts_with('/'));
        }
    }
}

// ---- URL mapping over real folders ----

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,4}( [A-Za-z]{1,3})?",
        "[a-c]{1,2}",
        Just("Über uns".to_string()),
        Just("über-uns".to_string()),
        Just("what?#".to_string()),
        Just("what".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the file names, either every page gets a URL of its own (safe segments, `/` at both
    /// ends) or the load reports the names that collide.
    #[test]
    fn every_page_gets_its_own_url_or_the_collision_is_reported(names in prop::collection::btree_set((prop::option::of("[A-Za-z]{1,3}"), file_name()), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        for (folder, name) in &names {
            let d = match folder { Some(f) => content.join(f), None => content.clone() };
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(format!("{name}.md")), "text\n").unwrap();
        }
        let (site, diags) = kbfresh::content::Site::load(
            dir.path(),
            &content,
            kbfresh::config::Config::default(),
            &kbfresh::content::LoadOptions { drafts: false, dialect: None, exclude: vec![], served: None },
        );
        let site = site.unwrap();
        let mut urls: Vec<&str> = site.articles.iter().map(|a| a.path.as_str()).collect();
        urls.extend(site.sections.iter().map(|s| s.path.as_str()));
        for u in &urls {
            prop_assert!(u.starts_with('/') && u.ends_with('/'), "{}", u);
            prop_assert!(!u.split('/').any(|s| s == ".." || s == "."), "{}", u);
        }
        let distinct: HashSet<&&str> = urls.iter().collect();
        let collisions = diags.errors().filter(|d| d.message.contains("both map to the URL")).count();
        prop_assert_eq!(urls.len() - distinct.len(), collisions, "{:?} {:?}", urls, diags);
        // Case-insensitive file systems cannot hold both names; where they can, both reach the
        // model, as an article or as a folder's page (`b.md` beside `b/`).
        let on_disk = walkdir::WalkDir::new(&content).into_iter().flatten().filter(|e| e.file_type().is_file()).count();
        let folder_pages = site.sections.iter().filter(|s| s.index.is_some()).count();
        prop_assert_eq!(site.articles.len() + folder_pages, on_disk);
    }
}

// ---- the freshness policy ----

fn day(n: i64) -> Date {
    jiff::civil::date(2024, 1, 1).checked_add(n.days()).unwrap()
}

fn ts(d: Date) -> jiff::Timestamp {
    d.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp()
}

/// How good a status is for a reader: fresh, expiring, stale; unknown knows nothing at all.
fn rank(s: Status) -> u8 {
    match s {
        Status::Fresh => 0,
        Status::Expiring => 1,
        Status::Stale => 2,
        Status::Unknown => 3,
    }
}

#[derive(Debug, Clone)]
struct World {
    releases: Vec<Release>,
    hits: Vec<Option<usize>>,
    policy: Policy,
    verified: Option<i64>,
    describes: Option<String>,
    has_covers: bool,
    last_change: Option<i64>,
    dirty: bool,
    now: i64,
}

fn world() -> impl Strategy<Value = World> {
    let release = (prop::collection::vec(0u64..4, 1..4), 0i64..1200);
    (
        prop::collection::vec(release, 0..8),
        prop::collection::vec(prop::option::of(1usize..5), 8),
        (0u32..500, 0u32..90, 0u32..40, 0u8..3, any::<bool>()),
        prop::option::of(0i64..1200),
        prop::option::of(prop_oneof![
            "[0-3](\\.[0-3]){0,2}",
            "v[0-3]\\.[0-3]",
            "banana"
        ]),
        any::<bool>(),
        prop::option::of(0i64..1200),
        any::<bool>(),
        0i64..1400,
    )
        .prop_map(
            |(
                rel,
                hits,
                (max_age, warn, grace, bump, edits),
                verified,
                describes,
                has_covers,
                last_change,
                dirty,
                now,
            )| {
                let mut releases: Vec<Release> = rel
                    .into_iter()
                    .map(|(parts, d)| {
                        let version = Version { parts };
                        Release {
                            tag: format!("v{version}"),
                            version,
                            date: ts(day(d)),
                            commit: format!("{d:040}"),
                        }
                    })
                    .collect();
                releases.sort_by(|a, b| a.version.cmp(&b.version));
                releases.dedup_by(|a, b| a.version == b.version);
                World {
                    releases,
                    hits,
                    policy: Policy {
                        max_age_days: max_age,
                        warn_days: warn,
                        grace_days: grace,
                        stale_on: [Bump::Patch, Bump::Minor, Bump::Major][bump as usize],
                        edits_count_as_verification: edits,
                        reader_banner: if edits {
                            ReaderBanner::Evidence
                        } else {
                            ReaderBanner::Stale
                        },
                    },
                    verified,
                    describes,
                    has_covers,
                    last_change,
                    dirty,
                    now,
                }
            },
        )
}

fn status(w: &World) -> Status {
    evaluate(w).status
}

fn evaluate(w: &World) -> freshness::Freshness {
    let change = w.last_change.map(|d| Change {
        commit: "c".repeat(40),
        date: ts(day(d)),
        author: "Ada".into(),
    });
    let facts = Facts {
        verified: w.verified.map(day),
        describes: w.describes.as_deref(),
        has_covers: w.has_covers,
        last_change: change.as_ref(),
        dirty: w.dirty,
        source_change: None,
        source_dirty: false,
        source_lang_name: "English",
        includes: &[],
        outdated: None,
    };
    let hits = |i: usize| {
        w.hits.get(i).copied().flatten().map(|commits| CoversHit {
            commits,
            paths: vec!["src/x".into()],
        })
    };
    freshness::evaluate(&facts, &w.releases, &hits, &w.policy, ts(day(w.now)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// `kbfresh verify` (verified = today, describes = the newest release) never makes an article
    /// less fresh than it was.
    #[test]
    fn verifying_never_makes_an_article_less_fresh(w in world()) {
        // Nothing in the world happens after `now`: no commit, verification or release from the future.
        let w = World {
            verified: w.verified.map(|v| v.min(w.now)),
            last_change: w.last_change.map(|v| v.min(w.now)),
            releases: w.releases.into_iter().filter(|r| r.date <= ts(day(w.now))).collect(),
            ..w
        };
        let before = status(&w);
        let verified = World {
            verified: Some(w.now),
            describes: w.releases.last().map(|r| r.version.to_string()).or(w.describes.clone()),
            ..w.clone()
        };
        let after = status(&verified);
        prop_assert!(rank(after) <= rank(before), "{:?} -> {:?} for {:#?}", before, after, w);
    }

    /// Readers are never told more than the team knows: a banner only on a stale article, and in
    /// the default presentation only for evidence (a covered path, the age limit), never for a
    /// newer release alone.
    #[test]
    fn readers_see_a_banner_only_for_what_is_known(w in world()) {
        let f = evaluate(&w);
        prop_assert!(rank(f.reader_status()) <= rank(f.status), "{:#?}", w);
        if f.banner.is_some() {
            prop_assert_eq!(f.status, Status::Stale);
            let evidence = f.reasons.iter().any(|r| {
                r.status == Status::Stale && matches!(r.kind, ReasonKind::Covers | ReasonKind::Age)
            });
            let release = f.reasons.iter().any(|r| r.status == Status::Stale && r.kind == ReasonKind::Release);
            prop_assert!(evidence || (release && w.policy.reader_banner == ReaderBanner::Stale), "{:?} for {:#?}", f, w);
        }
        if f.status == Status::Stale && f.banner.is_none() {
            prop_assert_eq!(f.reader_status(), Status::Expiring);
        }
    }

    /// A later `verified` date (same everything else) is never worse.
    #[test]
    fn a_later_verification_is_never_worse(w in world(), later in 0i64..400) {
        let Some(v) = w.verified else { return Ok(()) };
        let w = World { verified: Some(v.min(w.now)), ..w };
        let moved = World { verified: Some((v + later).min(w.now)), ..w.clone() };
        prop_assert!(rank(status(&moved)) <= rank(status(&w)), "{:#?}", w);
    }

    /// Time passing never makes an article fresher (nothing else changing).
    #[test]
    fn time_never_makes_an_article_fresher(w in world(), later in 0i64..800) {
        let w = World { dirty: false, ..w };
        let before = status(&w);
        let after = status(&World { now: w.now + later, ..w.clone() });
        prop_assert!(rank(after) >= rank(before) || before == Status::Unknown, "{:?} -> {:?} for {:#?}", before, after, w);
    }
}
