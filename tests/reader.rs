//! What readers get besides the text: "Was this helpful?" and "Report a problem", edit links, link
//! previews (OpenGraph, Twitter cards), Atom feeds and tag pages; and the errors of their settings.

mod common;

use common::{CONFIG, Site};

fn site(extra_config: &str) -> Site {
    let s = Site::new();
    s.file("kbfresh.toml", &format!("{CONFIG}\n{extra_config}"))
        .file(
            "content/billing/refunds.md",
            "+++\ntitle = \"Refunds & credits\"\ndescription = \"Get your money back\"\ntags = [\"Money\", \"billing\"]\nimage = \"card.png\"\nverified = 2026-10-01\n+++\n\nWithin 30 days.\n",
        )
        .file("content/billing/card.png", "not really a png")
        .file(
            "content/billing/invoices.md",
            "+++\ntitle = \"Invoices\"\ntags = [\"money\"]\nverified = 2026-11-01\n+++\n\nPDFs.\n",
        )
        .file(
            "content/account/sign-in.md",
            "+++\ntitle = \"Sign in\"\nverified = 2026-09-01\n+++\n\nUse your email.\n",
        );
    s
}

#[test]
fn without_an_endpoint_feedback_is_a_prefilled_report_link() {
    let s = site("[feedback]\nreport_url = \"mailto:docs@acme.test\"\n");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let page = s.read("public/billing/refunds/index.html");
    assert!(
        page.contains("href=\"mailto:docs@acme.test?subject=Refunds%20%26%20credits&amp;body=Page%3A%20https%3A%2F%2Fhelp.acme.test%2Fbilling%2Frefunds%2F%0ALast%20verified%3A%202026-10-01%0AVersion%3A%20-%0A%0AWhat%20is%20wrong%20or%20out%20of%20date%3F%0A\""),
        "{page}"
    );
    assert!(page.contains("Report a problem with this page"), "{page}");
    assert!(!page.contains("<form class=\"feedback-form\""), "{page}");

    // An issue tracker's form, with placeholders; a GitHub repository gives one by itself.
    let s = site(
        "[source]\nrepo_url = \"https://github.com/acme/help\"\ndir = \"docs\"\n\n[feedback]\n",
    );
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let page = s.read("public/billing/refunds/index.html");
    assert!(
        page.contains("href=\"https://github.com/acme/help/issues/new?title=Refunds%20%26%20credits&amp;body=Page%3A%20"),
        "{page}"
    );
    assert!(
        page.contains("<a class=\"article-edit\" href=\"https://github.com/acme/help/edit/main/docs/content/billing/refunds.md\">Edit this page</a>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"https://github.com/acme/help/blob/main/docs/content/billing/refunds.md\">View source</a>"),
        "{page}"
    );
}

#[test]
fn with_an_endpoint_feedback_is_a_form_that_posts_there() {
    let s = site("[feedback]\nendpoint = \"https://feedback.acme.test/kb\"\n");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let page = s.read("public/billing/refunds/index.html");
    for part in [
        "<form class=\"feedback-form\" method=\"post\" action=\"https://feedback.acme.test/kb\"",
        "<input type=\"hidden\" name=\"page\" value=\"/billing/refunds/\">",
        "<input type=\"hidden\" name=\"verified\" value=\"2026-10-01\">",
        "value=\"outdated\"> It is out of date",
        "name=\"helpful\" value=\"yes\"",
    ] {
        assert!(page.contains(part), "{part} in {page}");
    }
}

#[test]
fn feedback_and_source_settings_are_checked_where_they_are_written() {
    let s = site("[feedback]\nreport_url = \"https://bugs.acme.test/new?t={titel}\"\n");
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr.contains("kbfresh.toml:19:14:")
            && r.stderr
                .contains("[feedback] report_url has `{titel}`, which kbfresh does not fill"),
        "{}",
        r.stderr
    );
    let r = s.run(&["check", "--offline"]).fails(2);
    assert!(
        r.stderr.contains("`{titel}`"),
        "check says the same: {}",
        r.stderr
    );

    let s = site("[feedback]\n");
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr.contains("[feedback] needs an `endpoint`"),
        "{}",
        r.stderr
    );
    let s = site("[source]\nrepo_url = \"https://git.acme.test/help\"\n");
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr.contains("is not on a host kbfresh knows") && r.stderr.contains("edit_url"),
        "{}",
        r.stderr
    );
    let s = site(
        "[source]\nrepo_url = \"https://git.acme.test/help\"\nedit_url = \"https://git.acme.test/help/edit/{path}\"\n",
    );
    s.run(&["build"]).ok();
    assert!(
        s.read("public/billing/refunds/index.html")
            .contains("href=\"https://git.acme.test/help/edit/content/billing/refunds.md\""),
    );
}

#[test]
fn pages_unfurl_with_their_title_description_and_picture() {
    let s = site("");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let page = s.read("public/billing/refunds/index.html");
    for part in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"Refunds &amp; credits\">",
        "<meta property=\"og:description\" content=\"Get your money back\">",
        "<meta property=\"og:url\" content=\"https://help.acme.test/billing/refunds/\">",
        "<meta property=\"og:image\" content=\"https://help.acme.test/billing/card.png\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/feed.xml\"",
    ] {
        assert!(page.contains(part), "{part} in {page}");
    }
    let other = s.read("public/account/sign-in/index.html");
    assert!(other.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    assert!(!other.contains("og:image"));

    // A picture that is not there is an error at its line, in build and check alike.
    s.file(
        "content/account/sign-in.md",
        "+++\ntitle = \"Sign in\"\nimage = \"../nope.png\"\n+++\n\nUse your email.\n",
    );
    for args in [&["build"][..], &["check", "--offline"][..]] {
        let r = s.run(args).fails(2);
        assert!(
            r.stderr.contains("content/account/sign-in.md:3:9:")
                && r.stderr
                    .contains("image `../nope.png` is not a file of the site"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn each_language_has_a_feed_of_what_changed_or_was_verified_last() {
    let s = site("");
    s.git_init();
    s.commit("docs", "2026-08-01");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let xml = s.read("public/feed.xml");
    let doc = roxmltree::Document::parse(&xml).expect("the feed is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<(String, String)> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            let text = |name: &str| {
                e.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .unwrap_or_default()
                    .to_string()
            };
            (text("title"), text("updated"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("Invoices".to_string(), "2026-11-01T00:00:00Z".to_string()),
            ("Refunds & credits".into(), "2026-10-01T00:00:00Z".into()),
            ("Sign in".into(), "2026-09-01T00:00:00Z".into()),
        ]
    );
}

#[test]
fn tags_link_to_pages_that_list_their_articles() {
    let s = site("");
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let page = s.read("public/billing/refunds/index.html");
    assert!(
        page.contains("<a class=\"tag tag-link\" href=\"/tags/money/\">Money</a>"),
        "{page}"
    );
    // `Money` and `money` are one tag, shown as the first article in site order writes it.
    let money = s.read("public/tags/money/index.html");
    assert!(
        money.contains("<h1 class=\"page-title\">money</h1>"),
        "{money}"
    );
    assert!(money.contains("Refunds &amp; credits") && money.contains("Invoices"));
    let all = s.read("public/tags/index.html");
    assert!(all.contains("href=\"/tags/billing/\"") && all.contains("href=\"/tags/money/\""));
    let sitemap = s.read("public/sitemap.xml");
    for url in ["tags/", "tags/billing/", "tags/money/"] {
        assert!(
            sitemap.contains(&format!("<loc>https://help.acme.test/{url}</loc>")),
            "{url} in {sitemap}"
        );
    }

    // A tag's pages hold 50 articles each.
    for i in 0..51 {
        s.file(
            &format!("content/many/a{i:02}.md"),
            "+++\ntitle = \"Many\"\ntags = [\"many\"]\n+++\n\nText.\n",
        );
    }
    s.run(&["build", "--now", "2026-11-22"]).ok();
    let first = s.read("public/tags/many/index.html");
    assert_eq!(first.matches("<li class=\"summary\">").count(), 50);
    assert!(
        first.contains("href=\"/tags/many/page/2/\" rel=\"next\""),
        "{first}"
    );
    let second = s.read("public/tags/many/page/2/index.html");
    assert_eq!(second.matches("<li class=\"summary\">").count(), 1);
    assert!(
        second.contains("href=\"/tags/many/\" rel=\"prev\""),
        "{second}"
    );

    // A site with its own pages under /tags/ keeps them, and is told.
    s.file("content/tags/_index.md", "+++\ntitle = \"Our tags\"\n+++\n");
    let r = s.run(&["build", "--now", "2026-11-22"]).ok();
    assert!(
        r.stderr
            .contains("so kbfresh writes no tag pages at /tags/"),
        "{}",
        r.stderr
    );
    assert!(s.read("public/tags/index.html").contains("Our tags"));
    assert!(!s.path("public/tags/money").exists());
}
