//! The bad-input suite: every case is a fixture with the message a writer must see. Each failing case
//! builds a good site first, breaks it, and checks the exit code (2), the message with file, line and
//! column, and that the previous output folder is byte for byte what it was. Cases that must just work
//! check that they do. The runner (`tests/common`) fails any run whose stderr contains `panicked`.
//!
//! Cases already covered elsewhere are listed in docs/robustness.md with the test that covers them.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use common::{Run, Site, git_in, snapshot};

const NOW: &str = "2026-11-22";

/// A small good site that builds without errors.
fn good_site() -> Site {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Acme Help\"\n")
        .file(
            "content/billing/_index.md",
            "+++\ntitle = \"Billing\"\n+++\nAll about billing.\n",
        )
        .file(
            "content/billing/refunds.md",
            "+++\ntitle = \"Refunds\"\nverified = 2026-10-01\n+++\n## How refunds work\n\nSee [invoices](invoices.md).\n",
        )
        .file(
            "content/billing/invoices.md",
            "+++\ntitle = \"Invoices\"\n+++\nDownload them.\n",
        );
    s
}

/// One number for a whole folder: every file's path and bytes, and every folder's path.
fn tree_hash(dir: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        e.path().strip_prefix(dir).unwrap().hash(&mut h);
        e.file_type().is_dir().hash(&mut h);
        if e.file_type().is_file() {
            std::fs::read(e.path()).unwrap().hash(&mut h);
        }
    }
    h.finish()
}

/// Builds `s` once (it must succeed), lets `breakage` break it, then builds again: exit 2, every
/// `expected` text in stderr, and the output folder exactly as the good build left it. `check` must
/// refuse the same input with exit 2 (never 1: the check could not run) and the same error lines.
#[track_caller]
fn fails_and_keeps_output(s: &Site, breakage: impl FnOnce(&Site), expected: &[&str]) -> Run {
    s.build().ok();
    let public = s.path("public");
    let before = (tree_hash(&public), snapshot(&public));
    breakage(s);
    let r = s.build_and_check_fail();
    for e in expected {
        assert!(
            r.stderr.contains(e),
            "expected `{e}` in stderr:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.lines().any(|l| l.starts_with("  help: ")),
        "every error says what to do:\n{}",
        r.stderr
    );
    assert_eq!(
        before.0,
        tree_hash(&public),
        "the previous output changed after a failed build"
    );
    assert_eq!(before.1, snapshot(&public));
    r
}

// ---- front matter ----

#[test]
fn yaml_syntax_error_is_located_in_the_file() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/bad-yaml.md",
                "---\ntitle: Bad\ndescription: fine\ntags: [a, b\nowner: me\n---\nBody\n",
            );
        },
        &["content/billing/bad-yaml.md:5:6: invalid YAML front matter"],
    );
}

#[test]
fn toml_syntax_error_is_located_in_the_file_with_bom_and_crlf() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/bad-toml.md",
                "\u{feff}+++\r\ntitle = \"Bad\"\r\n\r\nweight = = 2\r\n+++\r\nBody\r\n",
            );
        },
        &["content/billing/bad-toml.md:4:10: invalid TOML front matter"],
    );
}

#[test]
fn yaml_wrong_types_and_a_front_matter_list_are_errors_with_positions() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/types.md",
                "---\ntitle: Types\nverified: last tuesday\ncovers: 3\nweight: heavy\n---\n",
            )
            .file("content/billing/list.md", "---\n- a\n- b\n---\n");
        },
        &[
            "content/billing/types.md:3:11: `verified` must be a date, not \"last tuesday\"",
            "content/billing/types.md:4:9: `covers` must be a list of strings, not 3",
            "content/billing/types.md:5:9: `weight` must be a whole number",
            "content/billing/list.md:2:1: front matter must be a table",
        ],
    );
}

#[test]
fn impossible_dates_are_errors_not_panics() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/feb.md",
                "+++\nverified = \"2026-02-30\"\n+++\n",
            );
        },
        &["content/billing/feb.md:2:12: `verified` must be a date, not \"2026-02-30\""],
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let s = good_site();
    s.build().ok();
    let before = tree_hash(&s.path("public"));
    s.file("content/billing/secret.md", "# Secret\n");
    let p = s.path("content/billing/secret.md");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        // Running as root (CI containers): permissions do not stop reads, so there is nothing to
        // refuse. The build must still work.
        s.build().ok();
        return;
    }
    let r = s.build_and_check_fail();
    assert!(
        r.stderr
            .contains("content/billing/secret.md: cannot read the file: Permission denied"),
        "{}",
        r.stderr
    );
    assert_eq!(before, tree_hash(&s.path("public")));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn every_content_error_of_a_build_is_reported_at_once() {
    let s = good_site();
    let r = fails_and_keeps_output(
        &s,
        |s| {
            s.file("content/a.md", "+++\ntitle = 1\n+++\n")
                .file("content/b.md", "---\nweight: x\n---\n")
                .bytes("content/c.md", b"ok\n\xff\n")
                .file("content/d.md", "+++\nunclosed\n");
        },
        &[
            "content/a.md:2:9:",
            "content/b.md:2:9:",
            "content/c.md:2:1: the file is not valid UTF-8 (invalid byte 0xff at byte offset 3)",
            "content/d.md:1:1:",
            "4 errors; nothing was written",
        ],
    );
    // Sorted by file so CI logs are stable.
    let a = r.stderr.find("content/a.md").unwrap();
    let d = r.stderr.find("content/d.md").unwrap();
    assert!(a < d);
}

// ---- big and deep input ----

#[test]
fn a_50_mb_article_builds() {
    let s = good_site();
    let mut big = String::with_capacity(51 << 20);
    big.push_str("+++\ntitle = \"Big\"\n+++\n");
    let mut i = 0;
    while big.len() < 50 << 20 {
        big.push_str(&format!(
            "## Step {i}\n\nDo the thing, then [see refunds](refunds.md#how-refunds-work). \
             Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n\n"
        ));
        i += 1;
    }
    s.file("content/billing/big.md", &big);
    let r = s.build().ok();
    assert!(r.stdout.contains("3 articles"), "{}", r.stdout);
    let meta = std::fs::metadata(s.path("public/billing/big/index.html")).unwrap();
    assert!(meta.len() > 50 << 20, "the whole article is on the page");
}

// ---- templates ----

#[test]
fn a_template_referencing_a_missing_variable_names_the_template_and_line() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "templates/article.html",
                "<!doctype html>\n<title>{{ page_title }}</title>\n<main>{{ page.no_such_field }}</main>\n",
            );
        },
        &[
            "templates/article.html:3:",
            "`page.no_such_field` not found",
        ],
    );
}

#[test]
fn a_failed_first_build_leaves_no_output_folder_and_a_failed_rebuild_no_staging() {
    let s = good_site();
    // Only one article breaks the template, so other pages have been written when it fails.
    s.file(
        "templates/article.html",
        "<!doctype html>\n<title>{{ page_title }}</title>\n{% if page.title == \"Refunds\" %}{{ page.no_such_field }}{% endif %}\n",
    );
    let r = s.build_and_check_fail();
    assert!(
        r.stderr.contains("templates/article.html:3:"),
        "{}",
        r.stderr
    );
    assert!(
        !s.path("public").exists(),
        "a failed first build leaves no output folder"
    );

    std::fs::remove_file(s.path("templates/article.html")).unwrap();
    s.build().ok();
    let before = tree_hash(&s.path("public"));
    s.file(
        "templates/article.html",
        "<!doctype html>\n<title>{{ page_title }}</title>\n{% if page.title == \"Refunds\" %}{{ page.no_such_field }}{% endif %}\n",
    );
    s.build_and_check_fail();
    assert_eq!(before, tree_hash(&s.path("public")));
    assert!(!s.path("public/.kbfresh-staging").exists());
}

#[test]
fn a_template_syntax_error_in_a_partial_names_that_file() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("templates/partials/broken.html", "ok\n{% for x in %}\n");
        },
        &["templates/partials/broken.html:2:"],
    );
}

// ---- config ----

#[test]
fn config_wrong_types_are_located() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "kbfresh.toml",
                "title = \"Acme\"\n\n[freshness]\nmax_age_days = \"ten\"\n",
            );
        },
        &["kbfresh.toml:4:16: invalid type: string \"ten\", expected u32"],
    );
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("kbfresh.toml", "title = [\"Acme\"]\n");
        },
        &["kbfresh.toml:1:9: invalid type: sequence, expected a string"],
    );
}

#[test]
fn every_bad_config_value_is_reported_at_once_in_its_own_table() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "kbfresh.toml",
                "[languages.en]\ndirection = \"ltr\"\n\n[links]\nmethod = \"post\"\n\n[languages.fa]\ncontent_dir = \"content.fa\"\ndirection = \"up\"\n",
            );
            s.file(".kbfreshignore", "/flaky$\n(\n");
        },
        &[
            "kbfresh.toml:5:10: [links] method `post`",
            "kbfresh.toml:9:13: [languages.fa] direction `up`",
            ".kbfreshignore:2:1: `(` is not a valid regex",
        ],
    );
}

#[test]
fn config_syntax_errors_and_bad_values_are_located() {
    for (config, expected) in [
        ("title = \"Acme\n", "kbfresh.toml:1:"),
        (
            "base_url = \"javascript:alert(1)\"\n",
            "kbfresh.toml:1:12: base_url `javascript:alert(1)` must be an http(s) URL",
        ),
        (
            "base_url = \"https://\"\n",
            "kbfresh.toml:1:12: base_url `https://` is not a valid URL",
        ),
        (
            "[freshness]\nrelease_tags = \"v[\"\n",
            "kbfresh.toml:2:16: release_tags is not a valid glob",
        ),
        (
            "[freshness]\nstale_on = \"sometimes\"\n",
            "kbfresh.toml:2:12: unknown variant `sometimes`",
        ),
        (
            "[links]\ntimeout = -1\n",
            "kbfresh.toml:2:11: [links] timeout must be more than 0 seconds",
        ),
        (
            "[dashboard]\npath = \"../../etc\"\n",
            "kbfresh.toml:2:8: [dashboard] path `../../etc` is not a site path",
        ),
    ] {
        let s = good_site();
        fails_and_keeps_output(
            &s,
            |s| {
                s.file("kbfresh.toml", config);
            },
            &[expected],
        );
    }
}

#[test]
fn an_invalid_base_url_flag_is_a_usage_error() {
    let s = good_site();
    let r = s.build_and_check_fail_with(&["--base-url", "not a url"]);
    assert!(
        r.stderr
            .contains("error: base_url `not a url` is not a valid URL"),
        "{}",
        r.stderr
    );
    assert!(!s.exists("public"));
}

#[test]
fn an_unreadable_config_is_named() {
    let s = good_site();
    // A folder where the config file should be cannot be read on any platform or user.
    std::fs::remove_file(s.path("kbfresh.toml")).unwrap();
    std::fs::create_dir(s.path("kbfresh.toml")).unwrap();
    let r = s.build_and_check_fail();
    assert!(
        r.stderr
            .contains("error: kbfresh.toml: cannot read the config file"),
        "{}",
        r.stderr
    );
}

// ---- URLs, aliases and paths ----

#[test]
fn aliases_that_climb_out_of_the_site_are_refused() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/climb.md",
                "+++\ntitle = \"Climb\"\naliases = [\"/../../outside/\"]\n+++\n",
            );
        },
        &["content/billing/climb.md:3:11: alias `/../../outside/` is not a URL path on this site"],
    );
    assert!(!s.path("outside").exists() && !s.root().parent().unwrap().join("outside").exists());
}

#[test]
fn aliases_that_are_urls_of_another_site_or_hold_control_characters_are_refused() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/billing/away.md",
                "+++\ntitle = \"Away\"\naliases = [\"https://evil.example/x\"]\n+++\n",
            )
            .file(
                "content/billing/newline.md",
                "+++\ntitle = \"Newline\"\naliases = [\"/old/\\nCNAME\"]\n+++\n",
            );
        },
        &[
            "content/billing/away.md:3:11: alias `https://evil.example/x` is not a URL path on this site",
            "content/billing/newline.md:3:11: alias `/old/\\nCNAME` holds a control character",
        ],
    );
}

#[test]
fn an_alias_at_a_section_url_is_left_out_and_check_and_build_agree() {
    let s = good_site();
    s.file(
        "content/b.md",
        "---\ntitle: B\naliases: [/billing/]\n---\nText.\n",
    );
    let warning = "warning: content/b.md:3:10: alias `/billing/` is the URL of `content/billing/_index.md`, which keeps it; the alias is left out";
    let b = s.build().ok();
    assert!(b.stderr.contains(warning), "{}", b.stderr);
    assert!(
        s.read("public/billing/index.html")
            .contains("All about billing.")
    );
    let c = s
        .run(&["check", "--offline", "--format", "json", "--now", NOW])
        .ok();
    assert!(c.stderr.contains(warning), "{}", c.stderr);
}

#[test]
fn a_broken_template_and_a_broken_strings_file_are_reported_together_by_check_and_build() {
    let s = good_site();
    let r = fails_and_keeps_output(
        &s,
        |s| {
            s.file("templates/article.html", "<main>\n{% if %}\n</main>\n")
                .file("i18n/en.toml", "[words\nsearch = \"Find\"\n");
        },
        &["templates/article.html:2:", "i18n/en.toml:1:"],
    );
    assert!(
        r.stderr.contains("2 errors; nothing was written"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_config_value_a_broken_template_and_a_broken_strings_file_are_reported_together() {
    let s = good_site();
    let r = fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "kbfresh.toml",
                "title = \"Acme Help\"\n[links]\nmethod = \"post\"\n",
            )
            .file("templates/article.html", "<main>\n{% if %}\n</main>\n")
            .file("i18n/en.toml", "months = [\"Jan\"]\n");
        },
        &[
            "kbfresh.toml:3:10:",
            "templates/article.html:2:",
            "i18n/en.toml:1:",
        ],
    );
    assert!(
        r.stderr.contains("3 errors; nothing was written"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_template_is_reported_with_content_errors() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("templates/section.html", "{{ nope(\n")
                .file("content/billing/bad.md", "+++\ntitle = = 1\n+++\n");
        },
        &["templates/section.html:2:1:", "content/billing/bad.md:2:9:"],
    );
}

#[test]
fn an_output_folder_that_kbfresh_reads_from_is_refused() {
    for (folder, what) in [
        ("static", "the site's static folder"),
        ("templates", "the site's templates folder"),
        (".git", "the git folder"),
        (".kbfresh-cache", "kbfresh's cache folder"),
        ("static/out", "the site's static folder"),
    ] {
        let s = good_site();
        s.file("static/extra.css", "p {}\n");
        s.file(
            "kbfresh.toml",
            &format!("title = \"Acme Help\"\noutput_dir = \"{folder}\"\n"),
        );
        let r = s.build_and_check_fail();
        assert!(
            r.stderr.contains(&format!("is {what} `")),
            "{folder}:\n{}",
            r.stderr
        );
        assert_eq!(s.read("static/extra.css"), "p {}\n");
    }
    let s = good_site();
    let r = s
        .run(&["build", "--output", "templates", "--now", NOW])
        .fails(2);
    assert!(
        r.stderr.contains("the site's templates folder"),
        "{}",
        r.stderr
    );
}

#[test]
fn aliases_at_generated_files_are_left_out_and_content_files_never_replace_them() {
    let s = good_site();
    s.file(
        "content/billing/old.md",
        "+++\ntitle = \"Old\"\naliases = [\"/index.html\", \"/404.html\", \"/sitemap.xml\", \"/kbfresh.css\", \"/billing/refunds/index.html\"]\n+++\n",
    );
    let r = s.build().ok();
    for (alias, owner) in [
        ("/index.html", "the section `/`"),
        ("/404.html", "the generated `/404.html`"),
        ("/sitemap.xml", "the generated `/sitemap.xml`"),
        ("/kbfresh.css", "the generated `/kbfresh.css`"),
        (
            "/billing/refunds/index.html",
            "`content/billing/refunds.md`",
        ),
    ] {
        assert!(
            r.stderr.contains(&format!(
                "alias `{alias}` is the URL of {owner}, which keeps it"
            )),
            "{alias}:\n{}",
            r.stderr
        );
    }
    assert!(s.read("public/sitemap.xml").starts_with("<?xml"));
    assert!(!s.read("public/404.html").contains("http-equiv=\"refresh\""));
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("content/404.html", "<p>mine</p>\n")
                .file("content/kbfresh.css", "p {}\n");
        },
        &[
            "error: content/404.html: `404.html` would replace the file `/404.html` that the build makes",
            "error: content/kbfresh.css: `kbfresh.css` would replace the file `/kbfresh.css`",
        ],
    );
}

#[test]
fn a_content_file_named_index_html_beside_a_page_is_an_error_naming_both() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("content/billing/index.html", "<p>mine</p>\n");
        },
        &[
            "`content/billing/_index.md` and `content/billing/index.html` both map to the URL `/billing/`",
        ],
    );
}

#[test]
fn a_section_folder_and_an_article_for_one_url_is_an_error_naming_both() {
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file("content/Billing.md", "# Billing article\n");
        },
        &[
            "content/billing/_index.md",
            "content/Billing.md",
            "`/billing/`",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_in_the_output_folder_is_never_written_through() {
    let s = good_site();
    s.build().ok();
    let outside = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(s.path("public/billing")).unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("public/billing")).unwrap();
    // What the output folder holds is the build's own concern: `check` writes no output.
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("public/billing")
            && r.stderr.contains("symbolic link")
            && r.stderr.contains("outside the output folder"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        0,
        "nothing was written outside the output folder"
    );
    // Nor removed: a page that is gone must not be deleted through the link.
    std::fs::write(outside.path().join("index.html"), "keep me").unwrap();
    std::fs::remove_dir_all(s.path("content/billing")).unwrap();
    s.file("content/other.md", "# Other\n");
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("outside the output folder"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("index.html")).unwrap(),
        "keep me"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_static_folder_outside_the_site_is_refused() {
    let s = good_site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("id_rsa"), "PRIVATE KEY").unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("static")).unwrap();
    let r = s.build_and_check_fail();
    assert!(
        r.stderr.contains("static") && r.stderr.contains("outside the site root"),
        "{}",
        r.stderr
    );
    assert!(!s.exists("public/id_rsa"));
}

// ---- git ----

#[test]
fn a_detached_head_builds_with_dates_from_git() {
    let s = good_site();
    s.git_init();
    let first = s.commit("docs", "2026-03-01");
    s.file(
        "content/billing/invoices.md",
        "+++\ntitle = \"Invoices\"\n+++\nDownload them, now in PDF.\n",
    );
    s.commit("edit", "2026-04-01");
    s.git(&["checkout", "-q", "--detach", &first]);
    s.build().ok();
    assert!(
        s.read("public/billing/invoices/index.html")
            .contains("datetime=\"2026-03-01\""),
        "the detached HEAD's history is used"
    );
}

#[test]
fn a_corrupt_link_cache_and_a_cache_that_is_a_file_do_not_stop_a_build() {
    let s = good_site();
    s.git_init();
    s.commit("docs", "2026-03-01");
    s.file(".kbfresh-cache/links.json", "\0\0not json")
        .file(".kbfresh-cache/history.json", "[1, 2");
    s.build().ok();
    s.run(&["check", "--offline", "--now", NOW]).ok();
    std::fs::remove_dir_all(s.path(".kbfresh-cache")).unwrap();
    s.file(".kbfresh-cache", "a file where the cache folder goes");
    s.build().ok();
    assert!(
        s.read("public/billing/invoices/index.html")
            .contains("datetime=\"2026-03-01\"")
    );
}

#[test]
fn a_corrupt_git_repository_is_an_error_not_a_panic() {
    let s = good_site();
    s.git_init();
    s.commit("docs", "2026-03-01");
    s.build().ok();
    let before = tree_hash(&s.path("public"));
    // HEAD points at a commit that does not exist.
    std::fs::write(
        s.path(".git/refs/heads/main"),
        "1234567890123456789012345678901234567890\n",
    )
    .unwrap();
    let r = s.build_and_check_fail();
    assert!(
        r.stderr
            .contains("error: cannot read the git repository's HEAD commit")
            && r.stderr.contains("git fsck"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("no commits yet"), "{}", r.stderr);
    assert_eq!(before, tree_hash(&s.path("public")));

    // Page folders are made while history is read: a first build that fails there leaves no
    // output folder, and an empty one empty.
    std::fs::remove_dir_all(s.path("public")).unwrap();
    s.build_and_check_fail();
    assert!(!s.path("public").exists());
    std::fs::create_dir(s.path("public")).unwrap();
    s.build_and_check_fail();
    assert_eq!(std::fs::read_dir(s.path("public")).unwrap().count(), 0);
}

#[test]
fn tags_that_are_not_versions_and_odd_tag_names_are_skipped() {
    let s = good_site();
    s.git_init();
    s.commit("docs", "2026-03-01");
    s.tag("v")
        .tag("v.1")
        .tag("v1.2.3.4.5")
        .tag("v99999999999999999999.0");
    s.tag("v-1").tag("vé");
    s.build().ok();
}

// ---- verify never leaves a half-written file ----

#[test]
fn verify_refuses_broken_files_and_writes_nothing() {
    let s = good_site();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "content/billing/unclosed.md",
            b"+++\ntitle = \"x\"\nBody\n",
            "content/billing/unclosed.md:1:1: the front matter opened with `+++` on line 1 is never closed",
        ),
        (
            "content/billing/bad-toml.md",
            b"+++\ntitle = \"x\"\nweight = = 1\n+++\n",
            "content/billing/bad-toml.md:3:10: invalid TOML front matter",
        ),
        (
            "content/billing/latin1.md",
            b"+++\ntitle = \"Caf\xe9\"\n+++\n",
            "content/billing/latin1.md: the file is not valid UTF-8 (at byte offset 16)",
        ),
        (
            "content/billing/verified-table.md",
            b"+++\n[verified]\nwhen = 1\n+++\n",
            "content/billing/verified-table.md",
        ),
    ];
    for (path, bytes, _) in &cases {
        s.bytes(path, bytes);
    }
    let args: Vec<&str> = ["verify", "--date", "2026-11-20", "--release", "2.0"]
        .into_iter()
        .chain(cases.iter().map(|c| c.0))
        .chain(["content/billing/refunds.md"])
        .collect();
    let refunds = s.read("content/billing/refunds.md");
    let r = s.run(&args).fails(2);
    for (path, bytes, msg) in &cases {
        assert!(r.stderr.contains(msg), "expected `{msg}`:\n{}", r.stderr);
        assert_eq!(&std::fs::read(s.path(path)).unwrap(), bytes, "{path}");
    }
    assert_eq!(
        s.read("content/billing/refunds.md"),
        refunds,
        "one bad file stops the whole verify: nothing is written"
    );
    let leftovers: Vec<_> = std::fs::read_dir(s.path("content/billing"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kbfresh-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn verify_refuses_a_symlink_to_a_file_outside_the_content_folder() {
    let s = good_site();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "+++\ntitle = \"x\"\n+++\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), s.path("content/billing/link.md")).unwrap();
    let r = s.run(&["verify", "content/billing/link.md"]).fails(2);
    assert!(
        r.stderr.contains("not inside the content folder"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path()).unwrap(),
        "+++\ntitle = \"x\"\n+++\n"
    );
}

#[test]
fn verify_on_a_site_without_git_and_with_odd_front_matter_keeps_other_bytes() {
    let s = good_site();
    let yaml = "\u{feff}---\r\ntitle: \"Odd: yes\"  # keep\r\ntags:\r\n  - a\r\n---\r\nBody\r\n";
    s.file("content/billing/odd.md", yaml);
    s.run(&[
        "verify",
        "content/billing/odd.md",
        "--date",
        "2026-11-20",
        "--release",
        "2.0",
    ])
    .ok();
    assert_eq!(
        s.read("content/billing/odd.md"),
        "\u{feff}---\r\ntitle: \"Odd: yes\"  # keep\r\ntags:\r\n  - a\r\nverified: 2026-11-20\r\ndescribes: \"2.0\"\r\n---\r\nBody\r\n"
    );
    // And the edited file builds.
    s.build().ok();
}

#[test]
fn git_at_another_root_is_not_touched() {
    // A site inside a bigger repository: history comes from that repository, and kbfresh writes
    // only under the site root (output and cache).
    let outer = Site::new();
    outer.git_init();
    outer.file("README.md", "repo\n");
    outer.file("docs/content/a.md", "# A\n");
    outer.commit("all", "2026-02-02");
    let root = outer.path("docs");
    common::run_at(&root, &["build", "--now", NOW]).ok();
    let status = git_in(outer.root(), &["status", "--porcelain", "--ignored"], None);
    for line in status.lines() {
        let p = line[3..].trim();
        assert!(
            p.starts_with("docs/public") || p.starts_with("docs/.kbfresh-cache"),
            "kbfresh wrote {p}"
        );
    }
    assert!(!outer.exists(".kbfresh-cache"));
}

// ---- more hostile shapes ----

#[test]
fn deeply_nested_front_matter_and_config_are_errors_not_stack_overflows_or_hangs() {
    // 100,000 levels of `[` in YAML took 70 s (debug build) before the depth check.
    let n = 100_000;
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "content/toml.md",
                &format!("+++\nx = {}{}\n+++\n", "[".repeat(n), "]".repeat(n)),
            )
            .file(
                "content/yaml.md",
                &format!("---\nx: {}{}\n---\n", "[".repeat(n), "]".repeat(n)),
            )
            .file(
                "content/table.md",
                &format!("+++\nx = {}1{}\n+++\n", "{a = ".repeat(n), "}".repeat(n)),
            );
        },
        &[
            "content/table.md:2:",
            "content/toml.md:2:",
            "content/yaml.md:2:",
            "recursion",
            "invalid YAML front matter: lists or maps nested more than 128 levels deep",
        ],
    );
    let s = good_site();
    fails_and_keeps_output(
        &s,
        |s| {
            s.file(
                "kbfresh.toml",
                &format!("x = {}{}\n", "[".repeat(n), "]".repeat(n)),
            );
        },
        &["kbfresh.toml:1:"],
    );
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_build_and_names_with_control_characters_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let s = good_site();
    let dir = s.path("content/odd");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.md")),
        "# Cafe\n",
    )
    .unwrap();
    let r = s.build().ok();
    assert!(r.stdout.contains("3 articles"), "{}", r.stdout);
    assert!(s.exists("public/odd/caf/index.html"));
    // A newline or a tab in a name would start a line of its own in a log, a manifest or a
    // report: refused, each named on one line.
    std::fs::write(dir.join("new\nline.md"), "# New line\n").unwrap();
    std::fs::write(dir.join("tab\there.md"), "# Tab\n").unwrap();
    let r = s.build_and_check_fail();
    for shown in ["content/odd/new\\nline.md", "content/odd/tab\\there.md"] {
        assert!(
            r.stderr.contains(&format!(
                "error: {shown}: the file's path holds a control character"
            )),
            "{shown}:\n{}",
            r.stderr
        );
    }
}
