//! `kbfresh check`: exit codes, every report format checked structurally, `--fail-on`, `--changed-since`,
//! filters, and the freshness dashboard that `build` writes.

mod common;

use common::Site;

const NOW: &str = "2026-11-22";

/// A repo with one stale, one expiring, one unverified-but-committed (fresh) and one fresh article,
/// a broken link, owners, and a release.
fn site() -> Site {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Acme\"\n")
        .file("src/app.rs", "1")
        .file("content/billing/_index.md", "+++\ntitle = \"Billing\"\nowner = \"team-billing\"\n+++\n")
        .file("content/billing/refunds.md", "+++\ntitle = \"Refunds\"\nverified = 2025-01-10\n+++\n\nSee [invoices](invoices.md#nope).\n")
        .file("content/billing/invoices.md", "+++\ntitle = \"Invoices\"\nverified = 2025-12-10\n+++\n## Download\n")
        ;
    s.commit("docs", "2025-01-10");
    s.tag("v1.0.0");
    s.file(
        "content/account/login.md",
        "+++\ntitle = \"Logging in\"\nowner = \"team-identity\"\n+++\nText\n",
    );
    s.commit("login", "2026-11-01");
    s
}

fn check(s: &Site, args: &[&str]) -> common::Run {
    let mut all = vec!["check", "--now", NOW];
    all.extend_from_slice(args);
    s.run(&all)
}

#[test]
fn text_report_snapshot_and_exit_code() {
    let s = site();
    let r = check(&s, &[]).fails(1);
    assert_eq!(
        r.stdout,
        "STALE (1)\n  owner: team-billing\n    content/billing/refunds.md:3: stale: last verified on 2025-01-10, 681 days ago; the limit is 365 days (max_age_days)\n\n\
         EXPIRING (1)\n  owner: team-billing\n    content/billing/invoices.md:3: expiring (not failing): last verified on 2025-12-10, 347 days ago; verify it by 2026-12-10 (max_age_days = 365)\n\n\
         BROKEN LINKS (1)\n    content/billing/refunds.md:6:5: broken anchor: `#nope` is not a heading or id in content/billing/invoices.md (anchors there: #download)\n\n\
         Releases: v1.0.0 (2025-01-10).\n\
         3 articles: 1 fresh, 1 expiring, 1 stale, 0 unknown; 1 links checked, 1 broken. Check failed: 1 stale article, 1 broken link.\n"
    );
}

#[test]
fn passes_when_nothing_fails_and_exit_2_on_bad_input() {
    let s = site();
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\"\n+++\nFixed.\n",
    );
    s.commit("fix", "2026-11-10");
    let r = check(&s, &[]).ok();
    assert!(r.stdout.ends_with("Check passed.\n"), "{}", r.stdout);
    check(&s, &["--fail-on", "stale,bogus"]).fails(2);
    check(&s, &["--format", "yaml"]).fails(2);
    s.file("content/billing/bad.md", "+++\ntitle = \n+++\n");
    let r = check(&s, &[]).fails(2);
    assert!(
        r.stderr.contains("content/billing/bad.md:2:"),
        "{}",
        r.stderr
    );
}

#[test]
fn fail_on_list_and_config() {
    let s = site();
    // At 2026-11-22 invoices (verified 2025-12-10) is within 30 days of its 365-day limit: expiring.
    let r = check(&s, &["--fail-on", "expiring"]).fails(1);
    assert!(
        r.stdout.contains("Check failed: 1 expiring article."),
        "{}",
        r.stdout
    );
    let r = check(&s, &["--fail-on", "unknown"]).ok();
    assert!(r.stdout.contains("stale (not failing)"), "{}", r.stdout);
    s.file(
        "kbfresh.toml",
        "title = \"Acme\"\n[check]\nfail_on = [\"broken-links\"]\n",
    );
    let r = check(&s, &[]).fails(1);
    assert!(
        r.stdout.contains("Check failed: 1 broken link."),
        "{}",
        r.stdout
    );
    s.file("kbfresh.toml", "[check]\nfail_on = [\"stael\"]\n");
    let r = check(&s, &[]).fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:2:12: [check] fail_on: `stael`"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_report_follows_the_documented_schema() {
    let s = site();
    let r = check(&s, &["--format", "json"]).fails(1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["schema"], "kbfresh/check/1");
    assert_eq!(v["now"], "2026-11-22T00:00:00Z");
    assert_eq!(v["head"].as_str().unwrap().len(), 40);
    assert_eq!(v["releases"][0]["tag"], "v1.0.0");
    for key in ["tag", "version", "date", "commit"] {
        assert!(v["releases"][0].get(key).is_some(), "{key}");
    }
    let arts = v["articles"].as_array().unwrap();
    assert_eq!(arts.len(), 3);
    let refunds = arts
        .iter()
        .find(|a| a["path"] == "content/billing/refunds.md")
        .unwrap();
    for key in [
        "path",
        "url",
        "title",
        "lang",
        "owner",
        "status",
        "last_changed",
        "last_verified",
        "describes",
        "expires",
        "reasons",
    ] {
        assert!(refunds.get(key).is_some(), "article field {key}");
    }
    assert_eq!(refunds["status"], "stale");
    assert_eq!(refunds["owner"], "team-billing");
    assert_eq!(refunds["url"], "/billing/refunds/");
    assert_eq!(refunds["last_verified"]["date"], "2025-01-10");
    assert_eq!(refunds["last_verified"]["source"], "front_matter");
    assert_eq!(refunds["expires"], "2026-01-10");
    assert_eq!(refunds["reasons"][0]["kind"], "age");
    assert_eq!(refunds["last_changed"]["author"], "Ada Writer");
    assert_eq!(refunds["last_changed"]["date"], "2025-01-10T12:00:00Z");
    let link = &v["links"][0];
    assert_eq!(
        (link["line"].as_u64(), link["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(link["kind"], "anchor");
    assert_eq!(link["status"], "broken");
    for key in ["path", "target", "message"] {
        assert!(link.get(key).is_some());
    }
    let sum = &v["summary"];
    assert_eq!(
        (
            sum["articles"].as_u64(),
            sum["stale"].as_u64(),
            sum["links_broken"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
}

#[test]
fn junit_sarif_github_markdown() {
    let s = site();
    // Make refunds stale by age for this test: edits must not count.
    s.file(
        "kbfresh.toml",
        "[freshness]\nedits_count_as_verification = false\n",
    );
    let junit = check(&s, &["--format", "junit"]).fails(1).stdout;
    let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(
        failures.len(),
        2,
        "refunds (stale) and the broken link; invoices (expiring) and login (unknown) do not fail by default: {junit}"
    );

    let sarif: serde_json::Value =
        serde_json::from_str(&check(&s, &["--format", "sarif"]).fails(1).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let anchor = results
        .iter()
        .find(|r| r["ruleId"] == "broken-anchor")
        .unwrap();
    let region = &anchor["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(6), Some(5))
    );
    let rule_ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for r in results {
        assert!(rule_ids.contains(&r["ruleId"].as_str().unwrap()));
    }

    let summary = s.path("summary.md");
    let mut c = common::kbfresh();
    c.args(["check", "--now", NOW, "--format", "github", "--root"])
        .arg(s.root())
        .env("GITHUB_STEP_SUMMARY", &summary);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let gh = String::from_utf8_lossy(&o.stdout);
    assert!(
        gh.contains("::error file=content/billing/refunds.md,line=3,title=Stale article::"),
        "{gh}"
    );
    assert!(
        gh.contains(
            "::error file=content/billing/refunds.md,line=6,col=5,title=Broken link::broken anchor"
        ),
        "{gh}"
    );
    assert!(
        gh.contains(
            "::warning file=content/account/login.md,line=1,title=Article never verified::"
        ),
        "{gh}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| [Refunds](content/billing/refunds.md) | stale ❌ |"),
        "{md}"
    );
    assert!(md.contains("`kbfresh verify content/billing/refunds.md`"));
}

#[test]
fn several_formats_each_to_its_own_output() {
    let s = site();
    let r = check(
        &s,
        &[
            "--format", "json", "--output", "r.json", "--format", "github", "--format", "junit",
            "--output", "r.xml",
        ],
    )
    .fails(1);
    assert!(
        r.stdout.starts_with("::"),
        "github goes to stdout: {}",
        r.stdout
    );
    let json = s.read("r.json");
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    assert!(roxmltree::Document::parse(&s.read("r.xml")).is_ok());
    assert!(
        r.stderr.contains("Check failed"),
        "summary on stderr when stdout is not text"
    );
    check(&s, &["--output", "x.json"]).fails(2);
}

#[test]
fn changed_since_limits_what_can_fail() {
    let s = site();
    s.git(&["branch", "base"]);
    s.file(
        "content/account/login.md",
        "+++\ntitle = \"Logging in\"\n+++\nEdited.\n",
    );
    s.commit("edit login", "2026-11-15");
    // refunds is stale but unchanged since `base`: reported, not failing. Its broken link too.
    let r = check(&s, &["--changed-since", "base"]).ok();
    assert!(
        r.stdout.contains("refunds.md:3: stale (not failing)"),
        "{}",
        r.stdout
    );
    let r = check(&s, &["--changed-since", "nope"]).fails(2);
    assert!(r.stderr.contains("--changed-since `nope`"), "{}", r.stderr);
    // An uncommitted edit is a change: its broken link now fails the check.
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"Refunds\"\n+++\n[gone](missing.md)\n",
    );
    let r = check(&s, &["--changed-since", "base"]).fails(1);
    assert!(
        r.stdout.contains("Check failed: 1 broken link."),
        "{}",
        r.stdout
    );
}

#[test]
fn owner_and_section_filters() {
    let s = site();
    let r = check(&s, &["--owner", "team-identity", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["articles"].as_array().unwrap().len(), 1);
    let r = check(&s, &["--section", "billing"]).fails(1);
    assert!(r.stdout.starts_with("STALE"), "{}", r.stdout);
    assert!(r.stdout.contains("2 articles"), "{}", r.stdout);
    check(&s, &["--section", "nowhere"]).fails(2);
}

#[test]
fn build_writes_a_dashboard_outside_the_sitemap() {
    let s = site();
    s.build().ok();
    let d = s.read("public/_freshness/index.html");
    assert!(d.contains("Freshness dashboard"));
    assert!(d.contains("noindex"));
    assert!(
        d.contains("<svg class=\"chart\""),
        "age chart drawn at build time"
    );
    assert!(d.contains("kbfresh verify content/billing/refunds.md"));
    assert!(!s.read("public/sitemap.xml").contains("_freshness"));
    assert!(
        !s.read("public/index.html").contains("_freshness"),
        "not linked from customer pages"
    );
    s.file("kbfresh.toml", "[dashboard]\nenabled = false\n");
    s.build().ok();
    assert!(
        !s.exists("public/_freshness/index.html"),
        "removed when disabled"
    );
}

#[test]
fn the_review_digest_lists_per_owner_what_is_stale_and_what_falls_due() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "title = \"Acme\"\nbase_url = \"https://help.acme.test/\"\n[freshness]\nmax_age_days = 100\nwarn_days = 30\n",
    );
    let art = |owner: &str, verified: &str| {
        let owner = if owner.is_empty() {
            String::new()
        } else {
            format!("owner = \"{owner}\"\n")
        };
        format!("+++\n{owner}verified = {verified}\n+++\nText\n")
    };
    s.file("content/refunds.md", &art("@billing", "2026-01-01"))
        .file("content/invoices.md", &art("@billing", "2026-08-20"))
        .file("content/orphan.md", &art("", "2026-08-01"))
        .file("content/search.md", &art("@search", "2026-11-01"))
        .file("content/filters.md", &art("@search", "2026-09-01"));
    let now = "2026-11-22";
    let r = s
        .run(&["check", "--offline", "--due-within", "14d", "--now", now])
        .fails(1);
    let md = &r.stdout;
    assert!(
        md.starts_with(
            "# Help centre review, 2026-11-22\n\n2 stale, 1 due by 2026-12-06 (the next 14 days).\n"
        ),
        "{md}"
    );
    let billing = md.find("## @billing").expect("a @billing section");
    let nobody = md
        .find("## No owner")
        .expect("a section for what nobody owns");
    assert!(billing < nobody, "{md}");
    assert!(
        !md.contains("## @search"),
        "nothing of @search is due in 14 days: {md}"
    );
    assert!(
        md.contains("### Due by 2026-12-06 (1)\n\n- [Invoices](https://help.acme.test/invoices/), check by 2026-11-28 (`content/invoices.md`)\n"),
        "{md}"
    );
    assert!(
        md.contains("  - when checked: `kbfresh verify content/refunds.md`\n"),
        "{md}"
    );
    // A wider window takes in @search's article due in 18 days; JSON says the same.
    let r = s
        .run(&[
            "check",
            "--offline",
            "--format",
            "digest-json",
            "--due-within",
            "3w",
            "--now",
            now,
        ])
        .fails(1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["until"], "2026-12-13");
    assert_eq!((v["stale"].as_u64(), v["due"].as_u64()), (Some(2), Some(2)));
    let owners: Vec<_> = v["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["owner"].clone())
        .collect();
    assert_eq!(
        owners,
        [
            serde_json::json!("@billing"),
            serde_json::json!("@search"),
            serde_json::Value::Null
        ]
    );
    assert_eq!(v["owners"][1]["due"][0]["path"], "content/filters.md");
    assert_eq!(v["owners"][1]["due"][0]["due"], "2026-12-10");
    // A window that is not a number of days is refused by name.
    let r = s
        .run(&["check", "--offline", "--due-within", "soon"])
        .fails(2);
    assert!(
        r.stderr.contains("`soon` is not a number of days"),
        "{}",
        r.stderr
    );
}

/// The dashboard's trend row for `label`: `(fresh, due, stale, never verified)`.
fn trend_row(dash: &str, label: &str) -> (usize, usize, usize, usize) {
    let start = dash
        .find(&format!("<tr><td>{label}</td>"))
        .unwrap_or_else(|| panic!("no trend row {label}: {dash}"));
    let row = &dash[start..start + dash[start..].find("</tr>").unwrap()];
    let cells: Vec<usize> = row
        .split("<td>")
        .skip(3)
        .take(4)
        .map(|c| c.split('<').next().unwrap().parse().unwrap())
        .collect();
    (cells[0], cells[1], cells[2], cells[3])
}

#[test]
fn the_dashboard_replays_freshness_month_by_month_against_a_target() {
    let s = Site::new();
    s.git_init();
    s.file(
        "kbfresh.toml",
        "title = \"Acme\"\n[freshness]\nmax_age_days = 60\nwarn_days = 15\n[dashboard]\ntarget = 0.5\n",
    )
    .file("content/billing/a.md", "# A\n")
    .file("content/billing/b.md", "# B\n");
    s.commit("a and b", "2026-01-10");
    s.file("content/billing/b.md", "# B\n\nMore.\n");
    s.commit("b again", "2026-03-20");
    s.file("content/account/c.md", "# C\n");
    s.commit("c", "2026-04-05");
    s.run(&["build", "--now", "2026-05-10"]).ok();
    let d = s.read("public/_freshness/index.html");
    assert!(d.contains("Freshness over time"), "{d}");
    assert!(d.contains("replayed at each month"), "{d}");
    // Day 22 of a and b: fresh. Day 50: due (the last 15 of 60 days). Day 81 for a: stale, while
    // b changed on 03-20 and c does not exist yet. Then c is added.
    assert_eq!(trend_row(&d, "2026-02"), (2, 0, 0, 0));
    assert_eq!(trend_row(&d, "2026-03"), (0, 2, 0, 0));
    assert_eq!(trend_row(&d, "2026-04"), (1, 0, 1, 0));
    assert_eq!(trend_row(&d, "2026-05"), (2, 0, 1, 0));
    assert_eq!(trend_row(&d, "today"), (1, 1, 1, 0));
    assert!(
        !d.contains("<tr><td>2026-01</td>"),
        "nothing before the first article"
    );
    assert!(d.contains(
        "<svg class=\"chart\" viewBox=\"0 0 720 260\" role=\"img\" aria-label=\"Share of articles"
    ));
    assert!(d.contains("target: 50% fresh"), "the target line");
    // The site is at 1 of 3; billing (a stale, b due) misses the target, account (c fresh) meets it.
    assert!(
        d.contains("Target: 50% of articles fresh; the whole site is at 33% (not met)."),
        "{d}"
    );
    assert!(d.contains("<td>0</td><td>1</td><td>1</td><td>0</td><td>0%</td><td class=\"dash-missed\">not met</td>"), "{d}");
    assert!(
        d.contains(
            "<td>1</td><td>0</td><td>0</td><td>0</td><td>100%</td><td class=\"dash-met\">met</td>"
        ),
        "{d}"
    );

    s.file("kbfresh.toml", "[dashboard]\ntarget = 95\n");
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:2:10: [dashboard] target = 95"),
        "{}",
        r.stderr
    );
}

#[test]
fn with_releases_the_trend_has_one_point_per_release() {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Acme\"\n")
        .file("content/a.md", "# A\n")
        .file("content/b.md", "# B\n");
    s.commit("docs", "2026-01-05");
    s.tag("v1.0.0");
    s.file("src.rs", "1");
    s.commit("product", "2026-02-01");
    s.tag("v1.1.0");
    s.file("content/b.md", "# B\n\nChecked for 1.1.\n");
    s.commit("b for 1.1", "2026-02-05");
    s.file("src.rs", "2");
    s.commit("product", "2026-03-01");
    s.tag("v1.2.0");
    s.run(&["build", "--now", "2026-03-30"]).ok();
    let d = s.read("public/_freshness/index.html");
    assert!(d.contains("replayed at each release"), "{d}");
    // At v1.0.0 both were just written. At v1.1.0, the release is in its grace period (14 days):
    // both due. At v1.2.0, a missed v1.1.0 (stale), b was checked after it and v1.2.0 is new.
    assert_eq!(trend_row(&d, "v1.0.0"), (2, 0, 0, 0));
    assert_eq!(trend_row(&d, "v1.1.0"), (0, 2, 0, 0));
    assert_eq!(trend_row(&d, "v1.2.0"), (0, 1, 1, 0));
    // Today both missed v1.2.0's grace period.
    assert_eq!(trend_row(&d, "today"), (0, 0, 2, 0));
}
