//! Hostile and odd input: no panic (the runner asserts stderr never contains `panicked`), a clear
//! message with the file, and the previous output untouched after a failed build.

mod common;

use common::{Site, snapshot};

#[test]
fn odd_files_build_without_panicking() {
    let s = Site::new();
    s.file("content/s/empty.md", "")
        .file(
            "content/s/only-front-matter.md",
            "+++\ntitle = \"Only\"\n+++",
        )
        .file(
            "content/s/_index.md",
            "+++\ntitle = \"Section with only front matter\"\n+++\n",
        )
        .file(
            "content/s/nested-lists.md",
            &(0..10_000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect::<String>(),
        )
        .file(
            "content/s/nested-quotes.md",
            &format!("{} deep\n", ">".repeat(10_000)),
        )
        .file(
            "content/s/long-heading.md",
            &format!(
                "# {}\n\n## {}\n",
                "x".repeat(100_000),
                "word ".repeat(20_000)
            ),
        )
        .file("content/s/weird #name?.md", "# Weird\n")
        .file("content/s/über spaces.md", "# Über\n")
        .file("content/s/..dots.md", "# Dots\n");
    let r = s.build().ok();
    // `..dots.md` starts with a dot: hidden, like .git or editor files, so it is not content.
    assert!(r.stdout.contains("7 articles"), "{}", r.stdout);
    // `#` names things (`c#`) and stays; `?` is sentence punctuation and goes.
    assert!(s.exists("public/s/weird-#name/index.html"));
    assert!(s.exists("public/s/über-spaces/index.html"));
    assert!(!s.path("public/s").join("..dots").exists());
    let long = s.read("public/s/long-heading/index.html");
    assert!(
        long.contains("id=\"wordword") || long.contains("id=\"word-word"),
        "heading ids stay short"
    );
    let id_len = long
        .split("id=\"word")
        .nth(1)
        .map(|r| r.find('"').unwrap_or(0))
        .unwrap_or(0);
    assert!(
        id_len < 100,
        "a 100,000-character heading gets a short id ({id_len})"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_outside_the_site_are_refused() {
    let s = Site::new();
    s.file("content/a.md", "# A\n");
    s.build().ok();
    let before = snapshot(&s.path("public"));
    std::os::unix::fs::symlink("../content", s.path("content/loop")).unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("content/outside.md")).unwrap();
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("content/loop: symbolic link loop"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("content/outside.md: `content/outside.md` is a symbolic link to"),
        "{}",
        r.stderr
    );
    assert_eq!(
        before,
        snapshot(&s.path("public")),
        "the previous output is untouched"
    );
}

#[test]
fn a_verified_date_in_the_future_is_a_warning_and_counts_as_today() {
    let s = Site::new();
    s.file(
        "content/a.md",
        "+++\ntitle = \"A\"\nverified = 2099-01-01\n+++\nText\n",
    );
    let r = s.build().ok();
    assert!(
        r.stderr.contains("content/a.md:3:12: `verified = 2099-01-01` is in the future; counting it as today (2026-11-22)"),
        "{}",
        r.stderr
    );
    assert!(
        s.read("public/a/index.html")
            .contains("datetime=\"2026-11-22\"")
    );
}

#[test]
fn thousands_of_broken_links_in_one_file_do_not_flood_the_output() {
    let s = Site::new();
    s.file("content/a.md", &"[x](#nope)\n\n".repeat(5_000));
    let r = s.build().ok();
    assert_eq!(
        r.stderr.matches("broken anchor").count(),
        20,
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
    assert!(
        r.stderr
            .contains("content/a.md: 4980 more broken links in this file"),
        "{}",
        r.stderr
    );
}
