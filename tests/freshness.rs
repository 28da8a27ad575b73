//! Freshness from git history and releases: every rule, its reason text, and the edges (merges, renames,
//! ignore-revs, uncommitted and untracked files, shallow clones, a separate product repo), compared with
//! the git command line; plus `kbfresh verify` and the history cache.

mod common;

use common::{Site, git_in};
use kbfresh::freshness::Status;

const NOW: &str = "2026-11-22";

fn load(s: &Site, now: &str) -> kbfresh::Loaded {
    let mut o = kbfresh::Options::new(s.root(), kbfresh::parse_now(now).unwrap());
    o.drafts = false;
    match kbfresh::load(&o) {
        Ok(l) => l,
        Err(f) => panic!("load failed: {f}"),
    }
}

/// Status and reason messages of the article at `rel` (relative to content/).
fn status(s: &Site, rel: &str, now: &str) -> (Status, Vec<String>) {
    let l = load(s, now);
    let i = l
        .site
        .articles
        .iter()
        .position(|a| a.src.rel == rel)
        .unwrap_or_else(|| panic!("no article {rel}"));
    let f = &l.freshness[i];
    (
        f.status,
        f.reasons.iter().map(|r| r.message.clone()).collect(),
    )
}

fn last_change(s: &Site, rel: &str) -> Option<String> {
    let l = load(s, NOW);
    let i = l
        .site
        .articles
        .iter()
        .position(|a| a.src.rel == rel)
        .unwrap();
    l.last_changes[i].as_ref().map(|c| c.commit.clone())
}

fn article(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\nSome text about {title}.\n")
}

fn repo_site() -> Site {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Acme\"\n");
    s
}

#[test]
fn last_change_comes_from_git_and_is_shown_on_the_page() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add a", "2026-03-01");
    s.file("src/app.rs", "fn main() {}");
    s.commit("code only", "2026-04-01");
    s.build().ok();
    let page = s.read("public/a/index.html");
    assert!(
        page.contains("Last verified <time datetime=\"2026-03-01\">1 March 2026</time>"),
        "{page}"
    );
    assert!(page.contains("freshness-fresh"));
    assert!(
        page.contains("data-expires=\"2027-03-01\""),
        "the page carries its expiry date for the inline check"
    );
    assert!(page.contains("\"dateModified\":\"2026-03-01\""), "JSON-LD");
    assert!(
        s.read("public/sitemap.xml")
            .contains("<lastmod>2026-03-01</lastmod>")
    );
}

#[test]
fn verified_in_front_matter_wins_when_later() {
    let s = repo_site();
    s.file(
        "content/a.md",
        "+++\ntitle = \"A\"\nverified = 2026-06-15\n+++\nText\n",
    );
    s.commit("add a", "2026-03-01");
    let l = load(&s, NOW);
    assert_eq!(
        l.freshness[0].last_verified.unwrap().to_string(),
        "2026-06-15"
    );
    assert_eq!(
        l.freshness[0].verified_source,
        Some(kbfresh::freshness::VerifiedSource::FrontMatter)
    );
    s.build().ok();
    assert!(
        s.read("public/a/index.html")
            .contains("Updated <time datetime=\"2026-03-01\">")
    );
}

#[test]
fn age_rule_expiring_then_stale_with_banner() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add a", "2025-11-01");
    let (st, why) = status(&s, "a.md", "2026-10-15");
    assert_eq!(st, Status::Expiring);
    assert_eq!(
        why,
        ["last verified on 2025-11-01, 348 days ago; verify it by 2026-11-01 (max_age_days = 365)"]
    );
    let (st, why) = status(&s, "a.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        ["last verified on 2025-11-01, 386 days ago; the limit is 365 days (max_age_days)"]
    );
    s.build().ok();
    let page = s.read("public/a/index.html");
    assert!(page.contains("freshness-stale"));
    assert!(page.contains(
        "This article was last checked on 2025-11-01; some details may have changed since."
    ));
    assert!(
        !page.contains("kb-late-banner"),
        "no second, script-driven banner on an already stale page"
    );
}

#[test]
fn policy_can_be_set_per_section_and_article() {
    let s = repo_site();
    s.file(
        "content/fast/_index.md",
        "+++\nmax_age_days = 30\nwarn_days = 5\n+++\n",
    )
    .file("content/fast/a.md", &article("A"))
    .file("content/fast/b.md", "+++\nmax_age_days = 400\n+++\nText\n")
    .file("content/slow.md", &article("Slow"));
    s.commit("add", "2026-10-01");
    assert_eq!(status(&s, "fast/a.md", NOW).0, Status::Stale);
    assert_eq!(status(&s, "fast/b.md", NOW).0, Status::Fresh);
    assert_eq!(status(&s, "slow.md", NOW).0, Status::Fresh);
}

#[test]
fn edits_do_not_count_when_configured() {
    let s = repo_site();
    s.file(
        "kbfresh.toml",
        "[freshness]\nedits_count_as_verification = false\n",
    );
    s.file("content/a.md", "+++\nverified = 2025-01-01\n+++\nText\n")
        .file("content/b.md", "No front matter\n");
    s.commit("add", "2026-11-01");
    let (st, why) = status(&s, "a.md", NOW);
    assert_eq!(st, Status::Stale, "{why:?}");
    let (st, why) = status(&s, "b.md", NOW);
    assert_eq!(st, Status::Unknown);
    assert!(
        why[0].contains("edits do not count as verification"),
        "{why:?}"
    );
}

/// A product in the same repo: releases every few months, with code under src/.
fn product_site() -> Site {
    let s = repo_site();
    s.file("src/billing/invoice.rs", "v1")
        .file("src/search/index.rs", "v1");
    s.commit("product 2.3", "2026-01-10");
    s.tag("v2.3.0");
    s.file(
        "content/billing.md",
        "+++\ntitle = \"Billing\"\ncovers = [\"src/billing/**\"]\n+++\nText\n",
    )
    .file(
        "content/search.md",
        "+++\ntitle = \"Search\"\ncovers = [\"src/search/**\"]\n+++\nText\n",
    )
    .file("content/general.md", &article("General"));
    s.commit("docs", "2026-02-01");
    s.file("src/billing/invoice.rs", "v2");
    s.commit("billing change 1", "2026-03-01");
    s.file("src/billing/tax.rs", "new");
    s.commit("billing change 2", "2026-04-01");
    s.file("src/billing/invoice.rs", "v2.3.1");
    s.commit("patch", "2026-05-01");
    s.tag("v2.3.1");
    s.file("README", "x");
    s.commit("prepare 2.4", "2026-09-01");
    s.tag_annotated("v2.4.0", "2026-09-01T15:00:00Z");
    s
}

#[test]
fn release_rule_with_grace_period_and_reasons() {
    let s = product_site();
    let (st, why) = status(&s, "general.md", "2026-08-01");
    assert_eq!(
        st,
        Status::Fresh,
        "patch release v2.3.1 does not count with stale_on = minor: {why:?}"
    );
    let (st, why) = status(&s, "general.md", "2026-09-10");
    assert_eq!(st, Status::Expiring);
    assert_eq!(
        why,
        [
            "v2.4.0, a minor release, came out on 2026-09-01 after this article was checked against v2.3.0 (verified on 2026-02-01); review it by 2026-09-15"
        ]
    );
    let (st, why) = status(&s, "general.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        [
            "v2.4.0, a minor release, came out on 2026-09-01 after this article was checked against v2.3.0 (verified on 2026-02-01)"
        ]
    );
    // Readers: no warning for a release alone (kbfresh does not know it changed this article),
    // a quiet note of the current version instead; the covered article whose paths changed has
    // the banner.
    s.run(&["build", "--now", NOW]).ok();
    let page = s.read("public/general/index.html");
    assert!(
        !page.contains("class=\"banner banner-stale\" role=\"note\">"),
        "{page}"
    );
    assert!(!page.contains("changed features"), "{page}");
    assert!(
        page.contains("for version <span class=\"version\">2.3.0</span>"),
        "{page}"
    );
    assert!(
        page.contains("current version <span class=\"version\">2.4.0</span>"),
        "{page}"
    );
    assert!(page.contains("freshness freshness-expiring"), "{page}");
    let billing = s.read("public/billing/index.html");
    assert!(
        billing.contains(
            "Version 2.4.0 changed features this article describes; some steps may differ."
        ),
        "{billing}"
    );
    assert!(!billing.contains("current version"), "{billing}");
    // The team still sees it: `check` fails on it with the same reason.
    let out = s.run(&["check", "--offline", "--now", NOW]).fails(1);
    assert!(
        out.stdout
            .contains("v2.4.0, a minor release, came out on 2026-09-01"),
        "{}",
        out.stdout
    );
    // The JSON report says both: stale for the team, due for readers.
    let out = s
        .run(&["check", "--offline", "--now", NOW, "--format", "json"])
        .fails(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let general = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "content/general.md")
        .unwrap();
    assert_eq!(
        (&general["status"], &general["reader_status"]),
        (&serde_json::json!("stale"), &serde_json::json!("expiring"))
    );
    // `reader_banner = "stale"`: a banner on every stale article, in words that say only what is known.
    s.file(
        "kbfresh.toml",
        &format!(
            "{}\n[freshness]\nreader_banner = \"stale\"\n",
            s.read("kbfresh.toml")
        ),
    );
    s.run(&["build", "--now", NOW]).ok();
    let page = s.read("public/general/index.html");
    assert!(
        page.contains("Version 2.4.0 came out after this article was last checked against version 2.3.0; some steps may differ."),
        "{page}"
    );
    assert!(!page.contains("current version"), "{page}");
}

#[test]
fn a_person_marks_an_article_outdated() {
    let s = product_site();
    s.file(
        "content/search.md",
        "+++\ntitle = \"Search\"\noutdated = \"Search moved to the top bar in 2.4; new screenshots are coming.\"\n+++\nText\n",
    );
    s.commit("mark search outdated", "2026-10-01");
    let (st, why) = status(&s, "search.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        [
            "marked `outdated`: Search moved to the top bar in 2.4; new screenshots are coming.; update it, then remove `outdated`"
        ]
    );
    s.run(&["build", "--now", NOW]).ok();
    let page = s.read("public/search/index.html");
    assert!(
        page.contains("<p class=\"banner-text\">Search moved to the top bar in 2.4; new screenshots are coming.</p>"),
        "{page}"
    );
    s.file("content/search.md", "+++\noutdated = 3\n+++\nText\n");
    let out = s.build_and_check_fail_with(&[]);
    assert!(
        out.stderr.contains("search.md") && out.stderr.contains("outdated"),
        "{}",
        out.stderr
    );
}

#[test]
fn covers_limits_the_release_rule_to_changed_paths() {
    let s = product_site();
    let (st, why) = status(&s, "billing.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        [
            "v2.4.0 (released 2026-09-01) changed src/billing/ in 3 commits after this article was verified on 2026-02-01 against v2.3.0"
        ]
    );
    let (st, why) = status(&s, "search.md", NOW);
    assert_eq!(
        st,
        Status::Fresh,
        "nothing under src/search changed: {why:?}"
    );
}

#[test]
fn describes_and_stale_on_from_front_matter() {
    let s = product_site();
    s.file(
        "content/general.md",
        "+++\ndescribes = \"2.4\"\n+++\nText\n",
    );
    s.file(
        "content/patchy.md",
        "+++\nstale_on = \"patch\"\nverified = 2026-02-02\n+++\nText\n",
    );
    s.commit("describe 2.4", "2026-02-02");
    assert_eq!(status(&s, "general.md", NOW).0, Status::Fresh);
    let (st, why) = status(&s, "patchy.md", "2026-08-01");
    assert_eq!(st, Status::Stale, "v2.3.1 counts with stale_on = patch");
    assert!(
        why[0].starts_with("v2.3.1, a patch release, came out on 2026-05-01 after this article was checked against v2.3.0"),
        "{why:?}"
    );
}

#[test]
fn no_tags_and_unparsable_tags() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add", "2026-01-01");
    s.tag("vNext").tag("latest");
    let l = load(&s, NOW);
    assert!(l.history.releases.is_empty());
    assert_eq!(l.freshness[0].status, Status::Fresh);
    let r = s.run(&["build", "--verbose", "--now", NOW]).ok();
    assert!(
        r.stderr.contains(
            "warning: the repository has 2 tags and none is a version: no releases, so no article is stale for a release"
        ),
        "{}",
        r.stderr
    );
    s.file("kbfresh.toml", "[freshness]\nrelease_tags = \"v*\"\n");
    let r = s.run(&["build", "--verbose", "--now", NOW]).ok();
    assert!(
        r.stderr
            .contains("tag `vNext` matches release_tags but is not a version; skipped"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("release_tags `v*` matches none of the repository's 2 tags"),
        "{}",
        r.stderr
    );
}

/// Without `release_tags` the project's own scheme is found: bare `1.2.3` tags are releases, a
/// stray `v` tag is not counted (and a note says so); a lone release among many tags is a warning.
#[test]
fn the_release_scheme_is_found_from_the_tags() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add", "2026-01-01");
    s.tag("1.6.0");
    s.file("content/b.md", &article("B"));
    s.commit("more", "2026-02-01");
    s.tag("1.6.1").tag("v0.1.0");
    s.file("content/c.md", &article("C"));
    s.commit("more", "2026-03-01");
    s.tag("1.7.0");
    let l = load(&s, NOW);
    let tags: Vec<&str> = l.history.releases.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(tags, ["1.6.0", "1.6.1", "1.7.0"]);
    let r = s.run(&["check", "--offline", "--now", NOW]);
    assert!(
        r.stdout
            .contains("Releases: 3 found, 1.6.0 (2026-01-01) to 1.7.0 (2026-03-01)."),
        "{}",
        r.stdout
    );
    let r = s.run(&["build", "--verbose", "--now", NOW]).ok();
    assert!(
        r.stderr
            .contains("releases: tags like `1.2.3`; not counted: 1 like `v1.2.3`"),
        "{}",
        r.stderr
    );

    let stray = repo_site();
    stray.file("content/a.md", &article("A"));
    stray.commit("add", "2026-01-01");
    stray.tag("v1.15.0");
    for i in 0..12 {
        stray.tag(&format!("build-{i}"));
    }
    let r = stray.run(&["build", "--now", NOW]).ok();
    assert!(
        r.stderr
            .contains("warning: only 1 of the repository's 13 tags is a release (v1.15.0)"),
        "{}",
        r.stderr
    );
}

#[test]
fn article_newer_than_every_release_is_fresh() {
    let s = product_site();
    s.file("content/new.md", &article("New"));
    s.commit("new article", "2026-10-01");
    let l = load(&s, NOW);
    let i = l
        .site
        .articles
        .iter()
        .position(|a| a.src.rel == "new.md")
        .unwrap();
    assert_eq!(l.freshness[i].status, Status::Fresh);
    assert_eq!(
        l.history.releases[l.freshness[i].describes.unwrap()].tag,
        "v2.4.0"
    );
}

#[test]
fn merge_from_side_branch_is_attributed_to_the_commit_that_made_it() {
    let s = repo_site();
    s.file("content/a.md", &article("A"))
        .file("content/b.md", &article("B"));
    s.commit("base", "2026-01-01");
    s.git(&["checkout", "-q", "-b", "side"]);
    s.file("content/a.md", &article("A edited on a branch"));
    let side = s.commit("edit a on side", "2026-02-01");
    s.git(&["checkout", "-q", "main"]);
    s.file("content/b.md", &article("B edited on main"));
    let main_b = s.commit("edit b on main", "2026-03-01");
    git_in(
        s.root(),
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
        Some(("2026-04-01", "Merger")),
    );
    assert_eq!(last_change(&s, "a.md").unwrap(), side);
    assert_eq!(last_change(&s, "b.md").unwrap(), main_b);
    assert_eq!(
        last_change(&s, "a.md").unwrap(),
        s.git(&["log", "-1", "--format=%H", "--", "content/a.md"])
            .trim()
    );
}

#[test]
fn renames_are_followed_and_a_pure_move_is_not_an_edit() {
    let s = repo_site();
    s.file(
        "content/old.md",
        &article("Moving article with a long enough body to be similar after an edit"),
    );
    let created = s.commit("create", "2025-06-01");
    s.git(&["mv", "content/old.md", "content/middle.md"]);
    s.commit("move once", "2026-01-01");
    s.file(
        "content/middle.md",
        &format!(
            "{}One more line.\n",
            article("Moving article with a long enough body to be similar after an edit")
        ),
    );
    let edit = s.commit("edit", "2026-02-01");
    std::fs::create_dir_all(s.path("content/guide")).unwrap();
    s.git(&["mv", "content/middle.md", "content/guide/final.md"]);
    s.commit("move twice", "2026-03-01");
    let l = load(&s, NOW);
    let f = l.history.files[0].as_ref().unwrap();
    assert_eq!(
        f.last_change.as_ref().unwrap().commit,
        edit,
        "the moves are not content changes"
    );
    assert_eq!(
        f.created.as_ref().unwrap().commit,
        created,
        "creation survives two moves"
    );
}

#[test]
fn ignored_commits_do_not_count() {
    let s = repo_site();
    s.file("content/a.md", &article("A"))
        .file("content/b.md", &article("B"));
    let real = s.commit("write", "2026-01-01");
    s.file("content/a.md", &article("A (reformatted)"));
    let fmt = s.commit("bulk reformat", "2026-06-01");
    s.file("content/b.md", &article("B renamed product"));
    s.commit("chore(fmt): rename product", "2026-07-01");
    s.file(".git-blame-ignore-revs", &format!("# formatting\n{fmt}\n"));
    s.file(
        "kbfresh.toml",
        "[freshness]\nignore_commit_messages = ['^chore\\(fmt\\)']\n",
    );
    s.commit("config", "2026-08-01");
    assert_eq!(last_change(&s, "a.md").unwrap(), real);
    assert_eq!(last_change(&s, "b.md").unwrap(), real);
}

#[test]
fn uncommitted_edits_count_as_changed_now_and_untracked_files_have_no_dates() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add", "2025-01-01");
    s.file("content/a.md", &article("A, being edited"));
    s.file("content/new.md", "Not committed yet\n");
    let l = load(&s, NOW);
    let a = l
        .site
        .articles
        .iter()
        .position(|a| a.src.rel == "a.md")
        .unwrap();
    let n = l
        .site
        .articles
        .iter()
        .position(|a| a.src.rel == "new.md")
        .unwrap();
    assert_eq!(l.freshness[a].last_verified.unwrap().to_string(), NOW);
    assert_eq!(l.freshness[a].status, Status::Fresh);
    assert_eq!(l.freshness[n].status, Status::Unknown);
    assert!(l.last_changes[n].is_none());
    s.build().ok();
    assert!(s.read("public/new/index.html").contains("Not verified yet"));
}

#[test]
fn shallow_clone_is_an_error_that_says_what_to_do() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("one", "2026-01-01");
    s.file("content/a.md", &article("A2"));
    s.commit("two", "2026-02-01");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", s.root().display());
    git_in(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "site"],
        None,
    );
    let root = clone.path().join("site");
    let r = common::run_at(&root, &["build", "--now", NOW]).fails(2);
    let err = &r.stderr;
    assert!(
        err.contains("shallow clone")
            && err.contains("fetch-depth: 0")
            && err.contains("GIT_DEPTH: 0")
            && err.contains("git fetch --unshallow"),
        "{err}"
    );
    std::fs::write(
        root.join("kbfresh.toml"),
        "[freshness]\nallow_shallow = true\n",
    )
    .unwrap();
    let r = common::run_at(&root, &["build", "--now", NOW]).ok();
    assert!(r.stderr.contains("warning:"));
}

#[test]
fn outside_git_uses_front_matter_dates_with_one_warning() {
    let s = Site::new();
    s.file("content/a.md", "+++\nverified = 2026-05-02\n+++\nText\n")
        .file("content/b.md", "Text\n");
    let r = s.build().ok();
    assert_eq!(r.stderr.matches("warning:").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("not in a git repository"));
    assert!(
        s.read("public/a/index.html")
            .contains("datetime=\"2026-05-02\"")
    );
    assert!(s.read("public/b/index.html").contains("Not verified yet"));
}

#[test]
fn empty_repo_and_content_deep_inside_the_repo() {
    let s = repo_site();
    s.file("docs/help/content/a.md", &article("A"));
    let r = s
        .run(&[
            "build",
            "--now",
            NOW,
            "--content",
            s.path("docs/help/content").to_str().unwrap(),
        ])
        .ok();
    assert!(r.stderr.contains("no commits yet"), "{}", r.stderr);
    s.commit("add", "2026-03-03");
    s.run(&[
        "build",
        "--now",
        NOW,
        "--content",
        s.path("docs/help/content").to_str().unwrap(),
    ])
    .ok();
    assert!(
        s.read("public/a/index.html")
            .contains("datetime=\"2026-03-03\"")
    );
}

#[test]
fn separate_product_repo_gives_releases_and_covers() {
    let s = repo_site();
    let app = s.path("app");
    std::fs::create_dir_all(app.join("src/billing")).unwrap();
    git_in(&app, &["init", "-q", "-b", "main"], None);
    std::fs::write(app.join("src/billing/a.rs"), "1").unwrap();
    git_in(&app, &["add", "-A"], None);
    git_in(
        &app,
        &["commit", "-q", "-m", "1.0"],
        Some(("2026-01-01", "Dev")),
    );
    git_in(&app, &["tag", "v1.0"], None);
    std::fs::write(app.join("src/billing/a.rs"), "2").unwrap();
    git_in(
        &app,
        &["commit", "-qam", "billing"],
        Some(("2026-03-01", "Dev")),
    );
    git_in(&app, &["tag", "v1.1"], None);
    s.file(".gitignore", "app/\n");
    s.file("kbfresh.toml", "[freshness]\nproduct_repo = \"app\"\n");
    s.file(
        "content/a.md",
        "+++\ncovers = [\"src/billing/a.rs\"]\n+++\nText\n",
    );
    s.commit("docs", "2026-02-01");
    let (st, why) = status(&s, "a.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        [
            "v1.1 (released 2026-03-01) changed src/billing/a.rs in 1 commit after this article was verified on 2026-02-01 against v1.0"
        ]
    );
    s.file(
        "kbfresh.toml",
        "[freshness]\nproduct_repo = \"../nowhere\"\n",
    );
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("product_repo `../nowhere` is not a git repository"),
        "{}",
        r.stderr
    );
}

/// History must agree with `git log -1 -- path` on a repo with many commits, merges and files.
#[test]
fn history_matches_git_log_on_a_generated_repo() {
    let s = repo_site();
    let mut seed: u64 = 42;
    let mut rand = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % n) as usize
    };
    let body = |i: usize, rev: &str| {
        article(&format!(
            "A{i} {rev}: a longer shared body text so moves stay similar"
        ))
    };
    let mut names: Vec<String> = (0..30)
        .map(|i| format!("content/s{}/a{i}.md", i % 4))
        .collect();
    for (i, n) in names.iter().enumerate() {
        s.file(n, &body(i, "rev 0"));
    }
    s.commit("initial", "2025-01-01");
    std::fs::create_dir_all(s.path("content/moved")).unwrap();
    for c in 0..80usize {
        let day = format!("2025-{:02}-{:02}", 2 + c / 10, 1 + (c % 10) * 2);
        if c % 15 == 7 {
            // A side branch with its own edits, merged back.
            s.git(&["checkout", "-q", "-b", &format!("b{c}")]);
            let i = rand(30);
            s.file(&names[i], &body(i, &format!("side {c}")));
            s.commit(&format!("side {c}"), &day);
            s.git(&["checkout", "-q", "main"]);
            let j = (i + 1 + rand(29)) % 30;
            s.file(&names[j], &body(j, &format!("main {c}")));
            s.commit(&format!("main {c}"), &day);
            git_in(
                s.root(),
                &["merge", "-q", "--no-ff", "-m", "merge", &format!("b{c}")],
                Some((&day, "M")),
            );
            continue;
        }
        if c % 20 == 3 {
            // A move with an edit in the same commit: git log counts it as a change, and so do we.
            let i = rand(30);
            let to = format!("content/moved/a{i}-{c}.md");
            s.git(&["mv", &names[i], &to]);
            s.file(&to, &format!("{}Moved in {c}.\n", body(i, "moved")));
            names[i] = to;
            s.commit(&format!("move {c}"), &day);
            continue;
        }
        for _ in 0..=rand(3) {
            let i = rand(30);
            s.file(&names[i], &body(i, &format!("rev {c}")));
        }
        s.commit(&format!("c{c}"), &day);
    }
    let l = load(&s, NOW);
    assert!(
        l.site
            .articles
            .iter()
            .any(|a| a.src.rel.starts_with("moved/")),
        "the repo has renames"
    );
    for (i, a) in l.site.articles.iter().enumerate() {
        let path = format!("content/{}", a.src.rel);
        let expected = s.git(&["log", "-1", "--format=%H", "--", &path]);
        assert_eq!(
            l.last_changes[i].as_ref().map(|c| c.commit.as_str()),
            Some(expected.trim()),
            "last change of {path}"
        );
        let follow = s.git(&["log", "--follow", "--format=%H", "--", &path]);
        let created = l.history.files[i].as_ref().and_then(|f| f.created.as_ref());
        assert_eq!(
            created.map(|c| c.commit.as_str()),
            follow.lines().last(),
            "creation of {path}"
        );
    }
}

#[test]
fn cache_is_used_and_a_corrupt_cache_is_rebuilt() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    let first = s.commit("add", "2026-01-01");
    s.build().ok();
    assert!(s.exists(".kbfresh-cache/history.json"));
    assert_eq!(last_change(&s, "a.md").unwrap(), first);
    // HEAD moved: only the new commits are walked, and the answer matches a full walk.
    s.file("content/b.md", &article("B"));
    s.commit("add b", "2026-02-01");
    s.file("content/a.md", &article("A2"));
    let second = s.commit("edit a", "2026-03-01");
    s.build().ok();
    assert_eq!(last_change(&s, "a.md").unwrap(), second);
    s.file(".kbfresh-cache/history.json", "{not json");
    let r = s.run(&["build", "--verbose", "--now", NOW]).ok();
    assert!(
        r.stderr.contains("ignoring the corrupt history cache"),
        "{}",
        r.stderr
    );
    assert_eq!(last_change(&s, "a.md").unwrap(), second);
    // A cache that lies about a file is not trusted once its key (HEAD) differs.
    s.file(
        ".kbfresh-cache/history.json",
        "{\"version\":1,\"key\":\"x\",\"head\":\"0000\",\"files\":{}}",
    );
    assert_eq!(last_change(&s, "a.md").unwrap(), second);
}

#[test]
fn verify_sets_verified_and_describes_and_nothing_else() {
    let s = product_site();
    let original = "+++\n# Checked by support\ntitle = \"General\"   # nav title\nverified = 2026-01-01\n\n[extra]\nx = 1\n+++\n\nBody {{ not a template }}\n";
    s.file("content/general.md", original);
    s.file("content/bare.md", "# Bare\n\nNo front matter.\n");
    s.commit("docs", "2026-02-02");
    let r = s
        .run(&[
            "verify",
            "content/general.md",
            "--date",
            "2026-11-20",
            "--dry-run",
        ])
        .ok();
    assert!(
        r.stdout
            .contains("-verified = 2026-01-01\n+verified = 2026-11-20\n+describes = \"2.4.0\""),
        "{}",
        r.stdout
    );
    assert_eq!(
        s.read("content/general.md"),
        original,
        "dry run writes nothing"
    );
    let r = s
        .run(&[
            "verify",
            "content/general.md",
            "content/bare.md",
            "--date",
            "2026-11-20",
            "--by",
            "Sam",
        ])
        .ok();
    assert!(r.stdout.contains("content/general.md: verified = 2026-11-20 (was 2026-01-01), describes = \"2.4.0\" (new), verified_by = \"Sam\" (new)"), "{}", r.stdout);
    assert_eq!(
        s.read("content/general.md"),
        "+++\n# Checked by support\ntitle = \"General\"   # nav title\nverified = 2026-11-20\ndescribes = \"2.4.0\"\nverified_by = \"Sam\"\n\n[extra]\nx = 1\n+++\n\nBody {{ not a template }}\n"
    );
    assert!(s.read("content/bare.md").starts_with(
        "+++\nverified = 2026-11-20\ndescribes = \"2.4.0\"\nverified_by = \"Sam\"\n+++\n# Bare\n"
    ));
    // The article is now fresh.
    assert_eq!(status(&s, "general.md", NOW).0, Status::Fresh);
    // Outside the content folder: refused, nothing written.
    s.file("notes.md", "x");
    let r = s.run(&["verify", "notes.md"]).fails(2);
    assert!(
        r.stderr.contains("not inside the content folder"),
        "{}",
        r.stderr
    );
    assert_eq!(s.read("notes.md"), "x");
    let r = s
        .run(&["verify", "content/general.md", "--release", "banana"])
        .fails(2);
    assert!(r.stderr.contains("--release `banana` is not a version"));
}

#[test]
fn worktrees_work() {
    let s = repo_site();
    s.file("content/a.md", &article("A"));
    s.commit("add", "2026-03-01");
    let wt = tempfile::tempdir().unwrap();
    let path = wt.path().join("wt");
    s.git(&["worktree", "add", "-q", path.to_str().unwrap()]);
    common::run_at(&path, &["build", "--now", NOW]).ok();
    let page = std::fs::read_to_string(path.join("public/a/index.html")).unwrap();
    assert!(page.contains("datetime=\"2026-03-01\""), "{page}");
}

/// `[dashboard] json = true` publishes `freshness.json`: every article's URL (absolute when
/// `base_url` is), status, dates, owner and reasons, versioned and tied to the commit; off by
/// default.
#[test]
fn freshness_json_is_published_when_asked() {
    let s = repo_site();
    s.file(
        "content/billing/old.md",
        "+++\ntitle = \"Old\"\nowner = \"team-billing\"\n+++\nText\n",
    )
    .file("content/new.md", &article("New"));
    let head = s.commit("add", "2025-01-01");
    s.build().ok();
    assert!(!s.exists("public/freshness.json"), "off by default");
    s.file(
        "kbfresh.toml",
        "title = \"Acme\"\nbase_url = \"https://help.acme.test/docs/\"\n[dashboard]\njson = true\n",
    );
    s.build().ok();
    let v: serde_json::Value =
        serde_json::from_str(&s.read("public/freshness.json")).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["commit"], head.as_str());
    let old = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "content/billing/old.md")
        .expect("the article");
    assert_eq!(old["url"], "https://help.acme.test/docs/billing/old/");
    assert_eq!(old["status"], "stale");
    assert_eq!(old["owner"], "team-billing");
    assert_eq!(old["last_verified"], "2025-01-01");
    assert!(
        old["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("last verified on 2025-01-01"),
        "{old}"
    );
    assert_eq!(v["summary"]["stale"], 2);
}

/// The JSON report's (owner, owner_from) of each article, by path.
fn owners_of(out: &str) -> std::collections::BTreeMap<String, (Option<String>, Option<String>)> {
    let v: serde_json::Value = serde_json::from_str(out).expect("json report");
    v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().map(str::to_string);
            (
                a["path"].as_str().unwrap().to_string(),
                (s("owner"), s("owner_from")),
            )
        })
        .collect()
}

#[test]
fn owners_come_from_codeowners_when_front_matter_names_none() {
    let s = repo_site();
    // GitHub reads .github/CODEOWNERS first; the root one is not read.
    s.file(
        ".github/CODEOWNERS",
        "# docs\n*  @acme/docs\n/content/billing/ @acme/billing @ada # the billing squad\n/content/billing/legacy.md\n!content/x.md @nobody\n",
    )
    .file("CODEOWNERS", "* @not-read\n")
    .file("content/a.md", "+++\nverified = 2020-01-01\n+++\nOld\n")
    .file("content/billing/refunds.md", "+++\nverified = 2020-01-01\n+++\nOld\n")
    .file("content/billing/legacy.md", "+++\nverified = 2020-01-01\n+++\nOld\n")
    .file(
        "content/mine.md",
        "+++\nowner = \"@grace\"\nverified = 2020-01-01\n+++\nOld\n",
    )
    .file("content/team/_index.md", "+++\nowner = \"@support\"\n+++\n")
    .file("content/team/t.md", "+++\nverified = 2020-01-01\n+++\nOld\n");
    s.commit("docs", "2020-01-01");
    let out = s
        .run(&["check", "--offline", "--format", "json", "--now", NOW])
        .fails(1);
    let owners = owners_of(&out.stdout);
    let o = |p: &str| owners[p].clone();
    let some = |a: &str, b: &str| (Some(a.to_string()), Some(b.to_string()));
    assert_eq!(
        o("content/a.md"),
        some("@acme/docs", ".github/CODEOWNERS line 2")
    );
    assert_eq!(
        o("content/billing/refunds.md"),
        some("@acme/billing @ada", ".github/CODEOWNERS line 3")
    );
    // The last matching line names nobody: unowned.
    assert_eq!(o("content/billing/legacy.md"), (None, None));
    assert_eq!(o("content/mine.md"), some("@grace", "front matter"));
    assert_eq!(
        o("content/team/t.md"),
        some("@support", "content/team/_index.md")
    );
    // The negation GitHub does not support is named, at its line.
    assert!(
        out.stderr.contains(".github/CODEOWNERS:5:1")
            && out.stderr.contains("`!content/x.md` is a negation"),
        "{}",
        out.stderr
    );
    // `--owner` picks any one of a line's owners.
    let out = s
        .run(&[
            "check",
            "--offline",
            "--format",
            "json",
            "--owner",
            "@ada",
            "--now",
            NOW,
        ])
        .fails(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let failing: Vec<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["fails"] == true)
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["content/billing/refunds.md"]);
}

#[test]
fn codeowners_paths_are_from_the_repository_root() {
    let s = Site::new();
    s.git_init();
    s.file("docs/CODEOWNERS", "/help/content/ @acme/help\n")
        .file("help/kbfresh.toml", "title = \"Help\"\n")
        .file(
            "help/content/a.md",
            "+++\nverified = 2020-01-01\n+++\nOld\n",
        );
    s.commit("docs", "2020-01-01");
    let out = common::run_at(
        &s.path("help"),
        &["check", "--offline", "--format", "json", "--now", NOW],
    )
    .fails(1);
    let owners = owners_of(&out.stdout);
    assert_eq!(
        owners["content/a.md"],
        (
            Some("@acme/help".into()),
            Some("docs/CODEOWNERS line 1".into())
        )
    );
}

#[test]
fn a_replaced_screenshot_is_a_change_to_the_articles_that_show_it() {
    let s = repo_site();
    s.file("content/img/export.png", "old pixels")
        .file("content/img/logo.svg", "<svg/>")
        .file(
            "content/export.md",
            "+++\ntitle = \"Export\"\n+++\nClick Export.\n\n![The export screen](img/export.png)\n",
        )
        .file(
            "content/other.md",
            "+++\ntitle = \"Other\"\n+++\n![Logo](img/logo.svg)\n",
        );
    s.commit("docs with screenshots", "2026-03-01");
    assert_eq!(status(&s, "export.md", NOW).0, Status::Fresh);
    s.file("content/img/export.png", "new pixels");
    let commit = s.commit("new export screen", "2026-03-05");
    let (st, why) = status(&s, "export.md", NOW);
    assert_eq!(st, Status::Stale);
    assert_eq!(
        why,
        [format!(
            "`content/img/export.png` changed on 2026-03-05 (commit {}) after this article was verified on 2026-03-01",
            &commit[..10]
        )]
    );
    let (st, why) = status(&s, "other.md", NOW);
    assert_eq!(st, Status::Fresh, "{why:?}");
    // Checking the article again (its `verified` date) makes it fresh; the page shows the change.
    s.file(
        "content/export.md",
        "+++\ntitle = \"Export\"\nverified = 2026-03-06\n+++\nClick Export.\n\n![The export screen](img/export.png)\n",
    );
    s.commit("verified export", "2026-03-06");
    assert_eq!(status(&s, "export.md", NOW).0, Status::Fresh);
    // An uncommitted replacement counts as a change now.
    s.file("content/img/logo.svg", "<svg><g/></svg>");
    let (st, why) = status(&s, "other.md", NOW);
    assert_eq!(st, Status::Stale, "{why:?}");
    assert!(why[0].contains("an uncommitted edit"), "{why:?}");
}
