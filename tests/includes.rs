//! Includes and variables (issue: Markdown as docs teams write it): mdBook's `{{#include}}`, MkDocs
//! snippets, kbfresh's `{{< include >}}` and `{{ vars.… }}`, written from each tool's documentation.

mod common;

use common::Site;

const NOW: &str = "2026-11-22";

/// A book in mdBook's layout: code listings beside `src/`, included by line range and by anchor,
/// inside fences; the escaped directive shows as written; a Rust playground block.
#[test]
fn mdbook_includes_fill_code_listings() {
    let s = Site::new();
    s.file("book.toml", "[book]\ntitle = \"Guide\"\n")
        .file("kbfresh.toml", "content_dir = \"src\"\n")
        .file(
            "listings/ch02/main.rs",
            "use std::io;\n\n// ANCHOR: read\nfn read() -> String {\n    String::new()\n}\n// ANCHOR_END: read\n\nfn main() {}\n",
        )
        .file("src/SUMMARY.md", "# Summary\n\n- [Reading input](ch02.md)\n")
        .file(
            "src/ch02.md",
            "## Reading input\n\n```rust\n{{#include ../listings/ch02/main.rs:read}}\n```\n\nThe first line:\n\n```rust\n{{#include ../listings/ch02/main.rs:1}}\n```\n\nWrite `\\{{#include file.rs}}` to include a file.\n\n{{#playground ../listings/ch02/main.rs}}\n",
        );
    s.run(&["build", "--now", NOW]).ok();
    let m = common::unhighlighted(&s.main_of("public/ch02/index.html"));
    assert!(
        m.contains(
            "<code class=\"language-rust\">fn read() -&gt; String {\n    String::new()\n}\n</code>"
        ),
        "{m}"
    );
    assert!(!m.contains("ANCHOR"), "anchor lines are left out: {m}");
    assert!(
        m.contains("<code class=\"language-rust\">use std::io;\n</code>"),
        "{m}"
    );
    assert!(m.contains("<code>{{#include file.rs}}</code>"), "{m}");
    assert!(m.contains("fn main() {}"), "the playground block: {m}");
    assert!(
        !m.contains("{{#include ../") && !m.contains("{{#playground"),
        "{m}"
    );
}

/// MkDocs snippets: paths from the project root, sections, the marker's indent kept so a snippet
/// inside a list item stays in it.
#[test]
fn mkdocs_snippets_are_inserted_with_their_indent() {
    let s = Site::new();
    s.file("mkdocs.yml", "site_name: Docs\nmarkdown_extensions:\n  - pymdownx.snippets\n")
        .file("kbfresh.toml", "content_dir = \"docs\"\n")
        .file(
            "includes/abbreviations.md",
            "Intro line.\n<!-- --8<-- [start:support] -->\nCall **support** on weekdays.\n<!-- --8<-- [end:support] -->\n",
        )
        .file(
            "docs/help.md",
            "# Help\n\n1. First step.\n\n    --8<-- \"includes/abbreviations.md:support\"\n\n2. Second step.\n\n;--8<-- \"shown.md\"\n",
        );
    s.run(&["build", "--now", NOW]).ok();
    let m = s.main_of("public/help/index.html");
    assert!(
        m.contains(
            "<li>\n<p>First step.</p>\n<p>Call <strong>support</strong> on weekdays.</p>\n</li>"
        ),
        "{m}"
    );
    assert!(!m.contains("Intro line"), "only the section: {m}");
    assert!(!m.contains("[start:support]"), "{m}");
    assert!(m.contains("shown.md"), "the escaped marker stays text: {m}");
}

/// kbfresh's own include and `[vars]`: the snippet folder starts with `_`, so it is not a page; a
/// heading of the snippet is in the table of contents and a link target; a broken link inside it
/// is reported once, at the snippet's own line; the JSON report lists what each article includes
/// with the commit that last changed it.
#[test]
fn native_includes_and_vars_are_part_of_the_article() {
    let s = Site::new();
    s.git_init()
        .file(
            "kbfresh.toml",
            "title = \"Help\"\n[vars]\nsupport_hours = \"9:00–17:00 CET\"\nrefund_days = 30\n",
        )
        .file(
            "content/_snippets/refund-window.md",
            "## Refund window\n\nRefunds within {{ vars.refund_days }} days; call us {{ vars.support_hours }}.\n\n[Old policy](old-policy.md)\n",
        )
        .file(
            "content/billing/refunds.md",
            "# Refunds\n\n{{< include \"../_snippets/refund-window.md\" >}}\n\nSee [the window](#refund-window).\n",
        )
        .file(
            "content/billing/cancel.md",
            "# Cancel\n\n{{< include \"/content/_snippets/refund-window.md\" >}}\n\nShow `\\{{ vars.support_hours }}` as written.\n",
        );
    s.commit("snippet", "2026-03-01T10:00:00Z");
    s.file(
        "content/_snippets/refund-window.md",
        "## Refund window\n\nRefunds within {{ vars.refund_days }} days; call us {{ vars.support_hours }}.\n\n[Old policy](old-policy.md)\n\nUpdated.\n",
    );
    let snippet_commit = s.commit("snippet changed", "2026-03-02T10:00:00Z");

    let r = s.run(&["build", "--now", NOW, "--verbose"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!s.exists("public/_snippets/refund-window/index.html"));
    assert!(
        r.stderr
            .contains("content/_snippets/refund-window.md: not a page: a snippet that"),
        "{}",
        r.stderr
    );
    let m = s.main_of("public/billing/refunds/index.html");
    assert!(
        m.contains("Refunds within 30 days; call us 9:00–17:00 CET."),
        "{m}"
    );
    assert!(
        m.contains("<li class=\"toc-level-2\"><a href=\"#refund-window\">Refund window</a></li>"),
        "{m}"
    );
    let c = s.main_of("public/billing/cancel/index.html");
    assert!(c.contains("<code>{{ vars.support_hours }}</code>"), "{c}");
    let broken: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("old-policy.md"))
        .collect();
    assert_eq!(broken.len(), 1, "{}", r.stderr);
    assert!(
        broken[0].contains("content/_snippets/refund-window.md:5:1"),
        "{}",
        r.stderr
    );

    let json = s.run(&["check", "--offline", "--now", NOW, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let refunds = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "content/billing/refunds.md")
        .unwrap();
    assert_eq!(
        refunds["includes"][0]["path"],
        "content/_snippets/refund-window.md"
    );
    assert_eq!(
        refunds["includes"][0]["last_changed"]["commit"],
        snippet_commit.as_str()
    );
    // The snippet changed after the article was last edited (and so verified): the article's last
    // change is the snippet's, and it is stale for the team, the reason naming the snippet.
    assert_eq!(refunds["last_changed"]["commit"], snippet_commit.as_str());
    assert_eq!(refunds["status"], "stale");
    let reason = refunds["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "include")
        .expect("an include reason");
    assert_eq!(
        reason["message"],
        format!(
            "`content/_snippets/refund-window.md` changed on 2026-03-02 (commit {}) after this article was verified on 2026-03-01",
            &snippet_commit[..10]
        )
    );
    assert_eq!(json.code, 1, "check fails on the stale articles");
    // The dashboard lists the snippet with the articles that show it.
    s.run(&["build", "--now", NOW]);
    let dash = s.read("public/_freshness/index.html");
    let row = dash
        .split("<tr>")
        .find(|r| r.contains("<code>content/_snippets/refund-window.md</code>"))
        .unwrap_or_else(|| panic!("no snippet row: {dash}"));
    assert!(row.contains("(stale)") && row.contains("</a>"), "{row}");
}

/// Mistakes in includes stop `build` and `check` alike, each at its file, line and column: a
/// missing file, a path out of the site, a loop (naming the chain), an unset variable.
#[test]
fn include_errors_are_located_and_fail_build_and_check() {
    let s = Site::new();
    s.file("content/a.md", "# A\n\n{{< include \"gone.md\" >}}\n")
        .file("content/b.md", "# B\n\ntext {{ vars.nope }}\n")
        .file("content/_x.md", "{{< include \"_y.md\" >}}\n")
        .file("content/_y.md", "{{< include \"_x.md\" >}}\n")
        .file("content/c.md", "# C\n\n{{< include \"_x.md\" >}}\n")
        // Far enough up to reach the file system's root from any temp folder.
        .file(
            "content/d.md",
            &format!(
                "# D\n\n{{{{< include \"{}etc/passwd\" >}}}}\n",
                "../".repeat(40)
            ),
        );
    let r = s.build_and_check_fail();
    let e = &r.stderr;
    assert!(
        e.contains("error: content/a.md:3:1: cannot include `gone.md`: no such file"),
        "{e}"
    );
    assert!(
        e.contains("error: content/b.md:3:6: `vars.nope` is not set"),
        "{e}"
    );
    assert!(
        e.contains("include loop: content/_x.md → content/_y.md → content/_x.md"),
        "{e}"
    );
    assert_eq!(
        e.matches("include loop").count(),
        1,
        "one loop, said once: {e}"
    );
    assert!(e.contains("content/d.md:3:1: cannot include `../"), "{e}");
    assert!(
        e.contains("etc/passwd`: it is outside the site folder"),
        "{e}"
    );
}

/// A book its own tool builds, built: a selector that is not a number is an anchor (`1st`), a
/// directive in inline code or without a target and a name mdBook does not know stay as written,
/// and a missing file is mdBook's logged error, here a warning (exit 0) with the directive shown.
#[test]
fn an_mdbook_builds_as_mdbook_builds_it() {
    let s = Site::new();
    s.file("book.toml", "[book]\ntitle = \"Guide\"\n")
        .file("kbfresh.toml", "content_dir = \"src\"\n")
        .file(
            "listings/life/main.rs",
            "fn main() {}\n// ANCHOR: 1st\nfn first() {}\n// ANCHOR_END: 1st\n// ANCHOR: 3rd\nfn third() {}\n// ANCHOR_END: 3rd\n",
        )
        .file("src/SUMMARY.md", "# Summary\n\n- [Lifetimes](life.md)\n")
        .file(
            "src/life.md",
            "# Lifetimes\n\nWrite `{{#include}}` or `{{#include file.rs}}` to pull a file in.\n\n```rust\n{{#rustdoc_include ../listings/life/main.rs:1st}}\n```\n\n```rust\n{{#include ../listings/life/main.rs:3rd}}\n```\n\n```handlebars\n{{#each items}}\n  {{name}}\n{{/each}}\n{{#toc}}{{/toc}}\n```\n\nColour `xc:{{#ff0000}}`.\n\n{{#include ../listings/gone.rs}}\n",
        );
    let r = s.run(&["build", "--now", NOW]).ok();
    assert!(
        r.stderr
            .contains("warning: src/life.md:22:1: cannot include `../listings/gone.rs`"),
        "{}",
        r.stderr
    );
    let check = s.run(&["check", "--now", NOW, "--offline"]);
    assert_ne!(check.code, 2, "check agrees with build: {}", check.stderr);
    let m = common::unhighlighted(&s.main_of("public/life/index.html"));
    for shown in [
        "<code>{{#include}}</code>",
        "<code>{{#include file.rs}}</code>",
        "fn first() {}\n</code>",
        "fn third() {}\n</code>",
        "{{#each items}}\n  {{name}}\n{{/each}}\n{{#toc}}{{/toc}}\n</code>",
        "<code>xc:{{#ff0000}}</code>",
        "{{#include ../listings/gone.rs}}",
    ] {
        assert!(m.contains(shown), "{shown} in {m}");
    }
}

/// A directive is only what the tree's own tool reads: outside an mdBook, `{{#include x}}` is
/// text; outside MkDocs, `--8<--` is.
#[test]
fn directives_are_read_only_in_their_own_dialect() {
    let s = Site::new();
    s.file("content/_s.md", "SNIPPET\n").file(
        "content/a.md",
        "# A\n\n{{#include _s.md}}\n\n--8<-- \"_s.md\"\n\n{{< include \"_s.md\" >}}\n",
    );
    s.run(&["build", "--now", NOW]).ok();
    let m = s.main_of("public/a/index.html");
    assert!(m.contains("{{#include _s.md}}"), "{m}");
    // Plain text, smart punctuation and all.
    assert!(m.contains("8&lt;– “_s.md”"), "{m}");
    assert_eq!(
        m.matches("SNIPPET").count(),
        1,
        "kbfresh's own include only: {m}"
    );
}

/// No include form reads a secret: `.git/config` (where actions/checkout writes the CI token),
/// `.env`, or a symlink to either; each is an error in build and check alike, in every dialect.
#[test]
fn includes_never_read_git_or_dotfiles() {
    for (tool, content, directive) in [
        ("book.toml", "src", "{{#include ../.git/config}}"),
        ("book.toml", "src", "{{#include ../.env}}"),
        ("book.toml", "src", "{{#include link.txt}}"),
        ("mkdocs.yml", "docs", "--8<-- \".env\""),
        ("mkdocs.yml", "docs", "--8<-- \".git/config\""),
        (
            "kbfresh.toml",
            "content",
            "{{< include \"../.git/config\" >}}",
        ),
    ] {
        let s = Site::new();
        if tool == "kbfresh.toml" {
            s.file("kbfresh.toml", "title = \"Help\"\n");
        } else {
            s.file(
                tool,
                if tool == "book.toml" {
                    "[book]\ntitle = \"G\"\n"
                } else {
                    "site_name: D\n"
                },
            )
            .file("kbfresh.toml", &format!("content_dir = \"{content}\"\n"));
        }
        s.file(".env", "API_TOKEN=hunter2secret\n")
            .file(
                &format!("{content}/SUMMARY.md"),
                "# Summary\n\n- [A](a.md)\n",
            )
            .file(&format!("{content}/a.md"), &format!("# A\n\n{directive}\n"));
        s.git_init();
        s.commit("docs", "2026-11-01");
        s.git(&[
            "config",
            "http.extraheader",
            "AUTHORIZATION: basic hunter2secret",
        ]);
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            s.path(".git/config"),
            s.path(&format!("{content}/link.txt")),
        )
        .unwrap();
        let r = s.build_and_check_fail();
        assert!(
            r.stderr.contains("cannot include") && r.stderr.contains("hidden"),
            "{directive}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("hunter2secret"), "{}", r.stderr);
        assert!(!s.exists("public"), "nothing written for {directive}");
    }
}
