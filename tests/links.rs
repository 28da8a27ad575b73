//! Internal links and anchors, checked on every build against the site model.

mod common;

use common::Site;

fn site() -> Site {
    let s = Site::new();
    s.file("content/billing/_index.md", "+++\ntitle = \"Billing\"\n+++\n## Overview\n")
        .file(
            "content/billing/refunds.md",
            "+++\ntitle = \"Refunds\"\naliases = [\"/old-refunds/\"]\n+++\n## How refunds work\n\n<a id=\"legacy\"></a>\n",
        )
        .file("content/billing/Über Rechnungen.md", "# Über Rechnungen\n\n## Schritt eins\n")
        .file("content/billing/my file.md", "# My file\n")
        .file("content/billing/chart.png", "png");
    s
}

#[test]
fn good_links_of_every_kind_produce_no_warning() {
    let s = site();
    s.file(
        "content/billing/guide.md",
        "# Guide\n\n## Local\n\n\
         [same page](#local) [other page](refunds.md#how-refunds-work) [explicit id](refunds.md#legacy) \
         [by URL](/billing/refunds/) [relative URL](../refunds/) [section](_index.md#overview) [folder](../../billing/) \
         [alias](/old-refunds/) [spaces](my%20file.md) [spaces raw](<my file.md>) \
         [non-ASCII](Über%20Rechnungen.md#schritt-eins) ![img](chart.png) [css](/kbfresh.css) \
         [ext](https://example.com/) [mail](mailto:a@b.c)\n",
    );
    let r = s.build().ok();
    // The one warning is that the temp site is not in git.
    assert_eq!(r.stderr.matches("warning:").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("not in a git repository"));
}

#[test]
fn broken_links_are_warnings_with_location_and_hint_and_the_site_still_builds() {
    let s = site();
    s.file(
        "content/billing/guide.md",
        "# Guide\n\nSee [refunds](refund.md) and\n[this](refunds.md#how-refund-work).\n\n![chart](chrt.png) [nowhere](/billing/refundz/) [me](#nope) [js](javascript:alert(1))\n",
    );
    let r = s.build().ok();
    let e = &r.stderr;
    assert!(
        e.contains("warning: content/billing/guide.md:3:5: broken link: `refund.md` is not a Markdown file in the content folder"),
        "{e}"
    );
    assert!(e.contains("did you mean `/billing/refunds/`?"), "{e}");
    assert!(
        !e.contains("did you mean `/billing/guide/`"),
        "a hint never points back at the page itself: {e}"
    );
    assert!(e.contains("did you mean `/billing/chart.png`?"), "{e}");
    assert!(
        e.contains("content/billing/guide.md:4:1: broken anchor: `#how-refund-work` is not a heading or id in content/billing/refunds.md"),
        "{e}"
    );
    assert!(e.contains("did you mean `#how-refunds-work`?"), "{e}");
    assert!(
        e.contains("content/billing/guide.md:6:1: missing image: `chrt.png`"),
        "{e}"
    );
    assert!(
        e.contains("broken link: nothing is published at `/billing/refundz/`"),
        "{e}"
    );
    assert!(e.contains("broken anchor: `#nope`"), "{e}");
    assert!(e.contains("`javascript:` URL in a link"), "{e}");
    assert!(
        s.exists("public/billing/guide/index.html"),
        "build still writes the site"
    );
}

#[test]
fn links_written_by_templates_are_checked_on_rendered_pages() {
    let s = site();
    s.file(
        "templates/404.html",
        "<!doctype html><title>x</title><img src=\"/logo-missing.png\" alt=\"\"><a href=\"/billing/\">ok</a><a href=\"/billing/refunds/\">ok</a>",
    );
    let r = s.build().ok();
    assert!(
        r.stderr
            .contains("broken link from a template: `/logo-missing.png` (first seen on /404.html)"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("broken link from a template").count(),
        1,
        "{}",
        r.stderr
    );
}

/// Raw HTML in Markdown: relative `src` and `href` resolve from the file, as Markdown links do, and
/// are rewritten for the page's URL (one folder deeper than its file); an unquoted `href` is
/// checked too.
#[test]
fn raw_html_links_are_resolved_from_the_file_and_rewritten() {
    let s = Site::new();
    s.file("kbfresh.toml", "title = \"Help\"\n")
        .file("content/guide/img/flow.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n")
        .file("content/guide/next.md", "# Next\n\nNext.\n")
        .file(
            "content/guide/start.md",
            "# Start\n\n<img src=\"img/flow.svg\" alt=\"Flow\">\n\n<p>Read <a href='next.md'>next</a> or <a href=missing.md>this</a>.</p>\n\n<a href={{ repo.url }}>a template's placeholder</a> <img src={logo.src}>\n",
        );
    let r = s.run(&["build", "--now", "2026-11-22"]).ok();
    assert!(
        r.stderr.contains("content/guide/start.md:5:") && r.stderr.contains("missing.md"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("flow.svg"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("repo.url") && !r.stderr.contains("logo.src"),
        "placeholders and JSX expressions are not links: {}",
        r.stderr
    );
    let m = s.main_of("public/guide/start/index.html");
    assert!(m.contains("src=\"/guide/img/flow.svg\""), "{m}");
    assert!(m.contains("href='/guide/next/'"), "{m}");
    assert!(s.exists("public/guide/img/flow.svg"));
}
