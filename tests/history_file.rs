//! `kbfresh history export FILE` where history is whole, `--history FILE` on a host that only
//! clones shallowly: the same freshness, and a clear error when the file does not fit.

mod common;

use common::{Site, git_in, run_at};

const NOW: &str = "2026-06-01";

fn article(title: &str, extra: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{extra}+++\n\n{body}\n")
}

/// Releases v1.0 and v1.1, an article that `covers` source the v1.1 range changed, one that
/// includes a snippet changed later, and one renamed: every kind of history the build reads.
fn site() -> Site {
    let s = Site::new();
    s.git_init();
    s.file(
        "kbfresh.toml",
        "title = \"Acme\"\n[dashboard]\njson = true\n",
    )
    .file("src/billing.rs", "fn a() {}\n")
    .file(
        "content/billing.md",
        &article("Billing", "covers = [\"src/billing.rs\"]\n", "Pay."),
    )
    .file("content/_snippets/window.md", "Within 30 days.\n")
    .file(
        "content/refunds.md",
        &article("Refunds", "", "{{< include \"_snippets/window.md\" >}}"),
    )
    .file("content/old-name.md", &article("Moved", "", "Here."));
    s.commit("first", "2026-01-05");
    s.tag("v1.0");
    s.file("src/billing.rs", "fn b() {}\n");
    s.git(&["mv", "content/old-name.md", "content/moved.md"]);
    s.commit("billing rewrite", "2026-02-10");
    s.tag("v1.1");
    s.file("content/_snippets/window.md", "Within 60 days.\n");
    s.commit("longer window", "2026-03-01");
    s
}

fn shallow_clone(s: &Site) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", s.root().display());
    git_in(
        dir.path(),
        &["clone", "-q", "--depth", "1", &url, "site"],
        None,
    );
    let root = dir.path().join("site");
    (dir, root)
}

#[test]
fn a_shallow_clone_built_with_an_exported_history_matches_the_full_build() {
    let s = site();
    let full = s.run(&["build", "--now", NOW]).ok();
    let expected = s.read("public/freshness.json");
    let r = s
        .run(&["history", "export", "history.json", "--now", NOW])
        .ok();
    assert!(
        r.stdout
            .contains("Wrote the history of 4 files and 2 releases at commit"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("build with --history history.json"),
        "{}",
        r.stdout
    );
    let file = s.read("history.json");
    assert!(
        file.starts_with("{\"format\":\"kbfresh-history\",\"version\":1,"),
        "{file}"
    );

    let (_dir, root) = shallow_clone(&s);
    // Without the file the shallow clone fails, and the error says the file exists.
    let r = run_at(&root, &["build", "--now", NOW]).fails(2);
    assert!(
        r.stderr.contains("kbfresh history export history.json"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--history history.json"), "{}", r.stderr);

    std::fs::copy(s.path("history.json"), root.join("history.json")).unwrap();
    let r = run_at(&root, &["build", "--now", NOW, "--history", "history.json"]).ok();
    assert_eq!(
        std::fs::read_to_string(root.join("public/freshness.json")).unwrap(),
        expected,
        "{}\n{}",
        r.stderr,
        full.stderr
    );
    // Statuses and reasons are those of the full history: the covered source changed in v1.1,
    // the snippet after the article was verified.
    assert!(expected.contains("src/billing.rs"), "{expected}");
    assert!(expected.contains("_snippets/window.md"), "{expected}");
    let page = std::fs::read_to_string(root.join("public/moved/index.html")).unwrap();
    assert!(
        page.contains("datetime=\"2026-01-05\""),
        "created before the rename: {page}"
    );
    // `check` reads it the same way.
    let a = s.run(&["check", "--now", NOW, "--format", "json"]);
    let b = run_at(
        &root,
        &[
            "check",
            "--now",
            NOW,
            "--format",
            "json",
            "--history",
            "history.json",
        ],
    );
    assert_eq!(a.code, b.code, "{}", b.stderr);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_history_file_that_does_not_fit_the_checkout_is_refused_with_what_to_do() {
    let s = site();
    s.run(&["history", "export", "history.json"]).ok();
    let (_dir, root) = shallow_clone(&s);
    std::fs::copy(s.path("history.json"), root.join("history.json")).unwrap();

    // A newer commit than the file's.
    git_in(
        &root,
        &["commit", "-q", "--allow-empty", "-m", "later"],
        Some(("2026-04-01", "Ada")),
    );
    let r = run_at(&root, &["build", "--history", "history.json"]).fails(2);
    assert!(
        r.stderr
            .contains("the history file `history.json` was exported at commit"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("but this checkout is at"), "{}", r.stderr);
    assert!(
        r.stderr.contains("kbfresh history export history.json"),
        "{}",
        r.stderr
    );
    // A failed build leaves no half site.
    assert!(!root.join("public").exists());
    git_in(&root, &["reset", "-q", "--hard", "HEAD~1"], None);

    // Other settings than the export's.
    std::fs::write(
        root.join("kbfresh.toml"),
        "title = \"Acme\"\n[freshness]\nedits_count_as_verification = false\n",
    )
    .unwrap();
    let r = run_at(&root, &["build", "--history", "history.json"]).fails(2);
    assert!(
        r.stderr
            .contains("was exported for other content folders or [freshness] settings"),
        "{}",
        r.stderr
    );
    git_in(&root, &["checkout", "-q", "kbfresh.toml"], None);

    // Not a history file, and a missing one.
    std::fs::write(root.join("bad.json"), "{\"format\": 3}").unwrap();
    let r = run_at(&root, &["build", "--history", "bad.json"]).fails(2);
    assert!(
        r.stderr
            .contains("`bad.json` is not a kbfresh history file"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("bad.json:1:"), "{}", r.stderr);
    let r = run_at(&root, &["build", "--history", "nope.json"]).fails(2);
    assert!(
        r.stderr
            .contains("cannot read the history file `nope.json`"),
        "{}",
        r.stderr
    );

    // The export itself needs the whole history.
    let r = run_at(&root, &["history", "export", "again.json"]).fails(2);
    assert!(r.stderr.contains("shallow clone"), "{}", r.stderr);
    assert!(!root.join("again.json").exists());
}
