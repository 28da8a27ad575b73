//! `kbfresh build` and `kbfresh init`: pages, URLs, navigation, redirects, sitemap, theme overrides,
//! error messages, and that a failed build keeps the previous output.

mod common;

use common::{CONFIG, Site, kbfresh, snapshot};

fn billing_site() -> Site {
    let s = Site::new();
    s.file("kbfresh.toml", CONFIG)
        .file("content/_index.md", "+++\ntitle = \"Acme Help\"\n+++\nWelcome to **Acme** help.\n")
        .file(
            "content/billing/_index.md",
            "+++\ntitle = \"Billing\"\ndescription = \"Invoices and refunds\"\nweight = 1\nowner = \"team-billing\"\n+++\n",
        )
        .file(
            "content/billing/refunds.md",
            "+++\ntitle = \"Refunds\"\ndescription = \"Get your money back\"\nweight = 2\ntags = [\"money\"]\naliases = [\"/old/refunds/\", \"/legacy-refunds.html\"]\nverified = 2026-10-01\n+++\n\n## How refunds work {#how}\n\nSee [invoices](invoices.md#download) and ![chart](chart.svg \"Chart\").\n\n> [!WARNING]\n> Refunds take {{ days }} days.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )
        .file(
            "content/billing/invoices.md",
            "---\ntitle: Invoices\nweight: 1\ntags: [money]\ncustom_field: hello\n---\n\n## Download\n\nBack to [refunds](./refunds.md).\n",
        )
        .file("content/billing/chart.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file("content/account/sign-in.md", "# Signing in\n\nUse your email.\n")
        .file("content/account/Two Factor.md", "Plain text with no heading.\n");
    s
}

#[test]
fn builds_pages_at_pretty_urls() {
    let s = billing_site();
    let r = s.build().ok();
    assert!(
        r.stdout
            .contains("Built 7 pages (4 articles in 2 sections, 1 files copied)"),
        "{}",
        r.stdout
    );
    for page in [
        "public/index.html",
        "public/billing/index.html",
        "public/billing/refunds/index.html",
        "public/billing/invoices/index.html",
        "public/account/index.html",
        "public/account/sign-in/index.html",
        "public/account/two-factor/index.html",
        "public/billing/chart.svg",
        "public/404.html",
        "public/kbfresh.css",
        "public/robots.txt",
        "public/sitemap.xml",
    ] {
        assert!(s.exists(page), "{page} missing");
    }
}

#[test]
fn titles_come_from_front_matter_heading_or_file_name() {
    let s = billing_site();
    s.build().ok();
    assert!(
        s.read("public/account/sign-in/index.html")
            .contains("<title>Signing in · Acme Help</title>")
    );
    // The leading heading became the title and is not repeated in the body.
    assert_eq!(
        s.main_of("public/account/sign-in/index.html")
            .matches("Signing in</h1>")
            .count(),
        1
    );
    assert!(
        s.read("public/account/two-factor/index.html")
            .contains("<title>Two Factor · Acme Help</title>")
    );
    // A folder without _index.md gets a title from its name.
    assert!(
        s.read("public/account/index.html")
            .contains(">Account</h1>")
    );
}

#[test]
fn markdown_features_links_and_callouts() {
    let s = billing_site();
    s.build().ok();
    let main = s.main_of("public/billing/refunds/index.html");
    assert!(
        main.contains("<h2 id=\"how\">How refunds work<a class=\"heading-anchor\" href=\"#how\""),
        "{main}"
    );
    assert!(
        main.contains("href=\"/billing/invoices/#download\""),
        "relative .md link rewritten: {main}"
    );
    assert!(
        main.contains("src=\"/billing/chart.svg\""),
        "image link rewritten: {main}"
    );
    assert!(main.contains("class=\"callout callout-warning\""));
    assert!(
        main.contains("Refunds take {{ days }} days."),
        "templates are never evaluated in content"
    );
    assert!(main.contains("<table>"));
    // Table of contents.
    assert!(main.contains("href=\"#how\">How refunds work</a>"));
    let inv = s.main_of("public/billing/invoices/index.html");
    assert!(inv.contains("href=\"/billing/refunds/\""), "{inv}");
}

#[test]
fn navigation_lists_only_the_current_section_in_weight_order() {
    let s = billing_site();
    s.build().ok();
    let page = s.read("public/billing/refunds/index.html");
    let sidebar = &page[page.find("sidebar").unwrap()..page.find("<main").unwrap()];
    let inv = sidebar.find("Invoices").expect("invoices in nav");
    let refunds = sidebar.find("Refunds").expect("refunds in nav");
    assert!(inv < refunds, "weight 1 before weight 2");
    assert!(
        !sidebar.contains("Signing in"),
        "other sections are not listed"
    );
    // Previous/next within the section.
    assert!(page.contains("/billing/invoices/"));
    // Home: sections as cards with article counts, and recently updated.
    let home = s.read("public/index.html");
    assert!(home.contains("Billing") && home.contains("Invoices and refunds"));
    assert!(
        home.contains(">2</") || home.contains("2 articles"),
        "article count on the card"
    );
    assert!(home.contains("Welcome to <strong>Acme</strong> help."));
}

#[test]
fn support_block_on_every_page_and_help_box_on_articles() {
    let s = billing_site();
    s.build().ok();
    for page in [
        "public/index.html",
        "public/billing/index.html",
        "public/billing/refunds/index.html",
        "public/404.html",
    ] {
        let html = s.read(page);
        assert!(
            html.contains("href=\"mailto:help@acme.test\""),
            "{page}: email channel gets mailto:"
        );
        assert!(html.contains("https://acme.test/chat"), "{page}");
    }
    let article = s.read("public/billing/refunds/index.html");
    assert!(article.contains("Still need help?"));
}

#[test]
fn aliases_redirect_and_sitemap_robots() {
    let s = billing_site();
    s.build().ok();
    let alias = s.read("public/old/refunds/index.html");
    assert!(alias.contains("url=/billing/refunds/"), "{alias}");
    assert!(
        alias.contains("rel=\"canonical\" href=\"https://help.acme.test/billing/refunds/\""),
        "{alias}"
    );
    assert!(s.exists("public/legacy-refunds.html"));
    let sitemap = s.read("public/sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://help.acme.test/billing/refunds/</loc><lastmod>2026-10-01</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("old/refunds"),
        "aliases are not in the sitemap"
    );
    assert!(
        s.read("public/robots.txt")
            .contains("Sitemap: https://help.acme.test/sitemap.xml")
    );
}

#[test]
fn base_path_prefixes_every_link() {
    let s = billing_site();
    s.run(&[
        "build",
        "--now",
        "2026-11-22",
        "--base-url",
        "https://acme.test/help/",
    ])
    .ok();
    let page = s.read("public/billing/refunds/index.html");
    assert!(page.contains("href=\"/help/kbfresh.css\""));
    assert!(page.contains("href=\"/help/billing/invoices/#download\""));
    assert!(
        s.read("public/sitemap.xml")
            .contains("<loc>https://acme.test/help/billing/</loc>")
    );
}

#[test]
fn front_matter_values_are_escaped_and_extra_reaches_templates() {
    let s = billing_site();
    s.file(
        "content/billing/xss.md",
        "+++\ntitle = \"<script>alert(1)</script>\"\n+++\nBody\n",
    );
    s.file("templates/article.html", "<!doctype html><title>{{ page_title }}</title><main><p id=extra>{{ page.extra.custom_field | default(value='none') }}</p><h1>{{ page.title }}</h1></main>");
    s.build().ok();
    let xss = s.read("public/billing/xss/index.html");
    assert!(!xss.contains("<script>alert"), "{xss}");
    assert!(xss.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        s.read("public/billing/invoices/index.html")
            .contains("<p id=extra>hello</p>"),
        "site template overrides the theme's"
    );
    // Other templates still come from the theme.
    assert!(s.read("public/billing/index.html").contains("kbfresh.css"));
}

#[test]
fn static_folder_overrides_theme_files() {
    let s = billing_site();
    s.file("static/kbfresh.css", "body{color:red}")
        .file("static/logo.png", "png");
    s.build().ok();
    assert_eq!(s.read("public/kbfresh.css"), "body{color:red}");
    assert!(s.exists("public/logo.png"));
}

#[test]
fn theme_folder_replaces_the_default_theme() {
    let s = billing_site();
    s.file("kbfresh.toml", &format!("theme = \"mytheme\"\n{CONFIG}"));
    for t in ["index", "section", "article", "404", "alias"] {
        s.file(
            &format!("mytheme/templates/{t}.html"),
            &format!("<p>{t}: {{{{ page_title }}}}</p>"),
        );
    }
    s.file("mytheme/static/mine.css", "x");
    s.build().ok();
    assert_eq!(
        s.read("public/billing/refunds/index.html"),
        "<p>article: Refunds · Acme Help</p>"
    );
    assert!(s.exists("public/mine.css"));
    assert!(!s.exists("public/kbfresh.css"));
}

#[test]
fn all_front_matter_errors_are_reported_with_file_line_column() {
    let s = billing_site();
    s.file(
        "content/billing/bad-toml.md",
        "+++\ntitle = \"x\"\nweight = = 2\n+++\n",
    )
    .file(
        "content/billing/bad-yaml.md",
        "---\ntitle: x\ntags: [a, b\n---\n",
    )
    .file(
        "content/billing/bad-types.md",
        "+++\nverified = \"last tuesday\"\ncovers = 3\n+++\n",
    )
    .file(
        "content/billing/unclosed.md",
        "+++\ntitle = \"x\"\n\nBody\n",
    );
    let r = s.build().fails(2);
    let e = &r.stderr;
    assert!(e.contains("content/billing/bad-toml.md:3:"), "{e}");
    assert!(e.contains("content/billing/bad-yaml.md:"), "{e}");
    assert!(
        e.contains(
            "content/billing/bad-types.md:2:12: `verified` must be a date, not \"last tuesday\""
        ),
        "{e}"
    );
    assert!(
        e.contains("content/billing/bad-types.md:3:10: `covers` must be a list of strings, not 3"),
        "{e}"
    );
    assert!(e.contains("content/billing/unclosed.md:1:1: the front matter opened with `+++` on line 1 is never closed"), "{e}");
    assert!(e.contains("help: "), "every error says what to do: {e}");
    assert!(e.contains("5 errors; nothing was written"), "{e}");
    assert!(!s.exists("public"), "a failed build writes nothing");
}

#[test]
fn failed_build_keeps_previous_output_byte_for_byte() {
    let s = billing_site();
    s.build().ok();
    let before = snapshot(&s.path("public"));
    s.file("content/billing/refunds.md", "+++\ntitle = \"oops\n+++\n");
    s.build().fails(2);
    assert_eq!(before, snapshot(&s.path("public")));
    // A template error is caught before writing too.
    s.file(
        "content/billing/refunds.md",
        "+++\ntitle = \"fixed\"\n+++\n",
    );
    s.file("templates/article.html", "{% if %}");
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("templates/article.html:1:"),
        "{}",
        r.stderr
    );
    assert_eq!(before, snapshot(&s.path("public")));
}

#[test]
fn unchanged_rebuild_writes_nothing_and_removed_pages_go() {
    let s = billing_site();
    s.build().ok();
    let r = s.build().ok();
    assert!(r.stdout.contains("(0 written, "), "{}", r.stdout);
    std::fs::write(s.path("public/CNAME"), "help.acme.test").unwrap();
    s.remove("content/account/Two Factor.md");
    let r = s.build().ok();
    assert!(r.stdout.contains("1 removed"), "{}", r.stdout);
    assert!(!s.exists("public/account/two-factor"));
    assert!(
        s.exists("public/CNAME"),
        "files kbfresh did not write are left alone"
    );
}

#[test]
fn a_rebuild_renders_only_the_pages_whose_inputs_changed() {
    let s = billing_site();
    s.file(
        "static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .file(
        "templates/partials/footer.html",
        "<footer><img src=\"/logo.svg\" alt=\"\"> {{ site.title }}</footer>",
    );
    s.build().ok();
    let refunds = "public/billing/refunds/index.html";
    let good = s.read(refunds);
    assert!(good.contains("<img src=\"/logo.svg\""), "{good}");

    // Nothing changed: no page is rendered; one edited by hand in the output (to another size) is
    // rendered again.
    std::fs::write(
        s.path(refunds),
        good.replace("Get your money back", "Hacked"),
    )
    .unwrap();
    let r = s.build().ok();
    assert!(r.stdout.contains("(1 written, "), "{}", r.stdout);
    assert_eq!(s.read(refunds), good);

    // An edit of one article's body renders that page, not the other section's.
    let account = s.read("public/account/sign-in/index.html");
    s.file(
        "content/billing/invoices.md",
        "---\ntitle: Invoices\nweight: 1\ntags: [money]\ncustom_field: hello\n---\n\n## Download\n\nNew text. Back to [refunds](./refunds.md).\n",
    );
    s.build().ok();
    assert!(
        s.read("public/billing/invoices/index.html")
            .contains("New text.")
    );
    assert_eq!(s.read("public/account/sign-in/index.html"), account);

    // Kept pages are still checked for the links their templates wrote: the logo is gone.
    s.remove("static/logo.svg");
    let r = s.build().ok();
    assert!(r.stdout.contains("(0 written, "), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("broken link from a template: `/logo.svg`"),
        "{}",
        r.stderr
    );
    // Nothing changed since, but the last build's links were not clean: still reported.
    let r = s.build().ok();
    assert!(r.stdout.contains("(0 written, "), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("broken link from a template: `/logo.svg`"),
        "{}",
        r.stderr
    );

    // A template change renders every page again.
    s.file(
        "templates/partials/footer.html",
        "<footer>new footer {{ site.title }}</footer>",
    );
    s.build().ok();
    assert!(s.read(refunds).contains("new footer"));
    assert!(
        s.read("public/account/sign-in/index.html")
            .contains("new footer")
    );
}

#[test]
fn pages_of_templates_that_read_the_environment_are_always_rendered() {
    let s = billing_site();
    s.file(
        "templates/partials/footer.html",
        "<footer>{{ get_env(name=\"KB_TEST_BANNER\", default=\"none\") }}</footer>",
    );
    let build = |banner: &str| {
        let out = kbfresh()
            .args(["build", "--now", "2026-11-22", "--root"])
            .arg(s.root())
            .env("KB_TEST_BANNER", banner)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    build("first");
    build("second");
    assert!(
        s.read("public/billing/refunds/index.html")
            .contains("<footer>second</footer>")
    );
}

#[test]
fn two_files_for_one_url_is_an_error_naming_both() {
    let s = billing_site();
    s.file("content/billing/Refunds.markdown", "Other\n");
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("content/billing/Refunds.markdown")
            && r.stderr.contains("content/billing/refunds.md"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("/billing/refunds/"));
}

#[test]
fn alias_colliding_with_a_page_is_left_out_with_a_warning() {
    let s = billing_site();
    s.file(
        "content/billing/x.md",
        "+++\naliases = [\"/billing/refunds/\"]\n+++\n",
    );
    let r = s.build().ok();
    assert!(
        r.stderr.contains("warning: content/billing/x.md:2:")
            && r.stderr.contains(
                "alias `/billing/refunds/` is the URL of `content/billing/refunds.md`, which keeps it"
            ),
        "{}",
        r.stderr
    );
    assert!(
        !s.read("public/billing/refunds/index.html")
            .contains("http-equiv=\"refresh\""),
        "the page keeps its URL"
    );
    let c = s.run(&["check", "--offline", "--now", "2026-11-22"]).ok();
    assert!(
        format!("{}{}", c.stdout, c.stderr).contains("which keeps it"),
        "check says it too:\n{}{}",
        c.stdout,
        c.stderr
    );
}

#[test]
fn unknown_config_key_names_line_and_suggestion() {
    let s = billing_site();
    s.file(
        "kbfresh.toml",
        "title = \"x\"\n\n[freshness]\nmax_age = 10\n",
    );
    let r = s.build().fails(2);
    assert!(
        r.stderr.contains("kbfresh.toml:4:1: unknown key `max_age`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `max_age_days`?"),
        "{}",
        r.stderr
    );
    s.file("kbfresh.toml", "base_url = \"not a url\"\n");
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:1:12: base_url `not a url` is not a valid URL"),
        "{}",
        r.stderr
    );
}

#[test]
fn drafts_only_with_flag() {
    let s = billing_site();
    s.file("content/billing/wip.md", "+++\ndraft = true\n+++\nSoon.\n");
    s.build().ok();
    assert!(!s.exists("public/billing/wip/index.html"));
    s.run(&["build", "--drafts", "--now", "2026-11-22"]).ok();
    assert!(s.exists("public/billing/wip/index.html"));
}

#[test]
fn site_without_config_or_front_matter_builds() {
    // A plain folder of Markdown, like tldr-pages or an mdBook src/.
    let s = Site::new();
    s.file("pages/common/tar.md", "# tar\n\n> Archiving utility.\n\n- Create an archive:\n\n`tar cf {{target.tar}} {{file1}}`\n")
        .file("pages/linux/apt.md", "# apt\n\nPackage manager.\n")
        .file("pages/README.md", "# Pages\n\nIntro.\n")
        .file("pages/SUMMARY.md", "- [tar](common/tar.md)\n");
    s.run(&[
        "build",
        "--content",
        s.path("pages").to_str().unwrap(),
        "--now",
        "2026-11-22",
    ])
    .ok();
    let tar = s.read("public/common/tar/index.html");
    assert!(tar.contains("<title>tar · Help Centre</title>"));
    assert!(tar.contains("{{target.tar}}"));
    assert!(
        s.read("public/index.html").contains("Intro."),
        "README.md is the home page's intro"
    );
    assert!(
        s.read("public/summary/index.html")
            .contains("href=\"/common/tar/\"")
    );
}

#[test]
fn missing_content_folder_and_bad_now_are_usage_errors() {
    let s = Site::new();
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("the content folder `content` does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("kbfresh init"));
    let r = s.run(&["build", "--now", "yesterday"]).fails(2);
    assert!(r.stderr.contains("--now `yesterday` is not a date"));
    let r = s.run(&["frobnicate"]).fails(2);
    assert!(r.stderr.contains("unrecognized subcommand"));
}

#[test]
fn output_inside_content_or_root_is_refused() {
    let s = billing_site();
    let r = s
        .run(&[
            "build",
            "--output",
            s.path("content/public").to_str().unwrap(),
        ])
        .fails(2);
    assert!(
        r.stderr.contains("inside the content folder"),
        "{}",
        r.stderr
    );
    let r = s
        .run(&["build", "--output", s.root().to_str().unwrap()])
        .fails(2);
    assert!(r.stderr.contains("is the site root"), "{}", r.stderr);
}

#[test]
fn same_inputs_same_bytes() {
    let a = billing_site();
    a.build().ok();
    let b = billing_site();
    b.build().ok();
    assert_eq!(snapshot(&a.path("public")), snapshot(&b.path("public")));
}

#[test]
fn init_scaffolds_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("my-help");
    let o = kbfresh().arg("init").arg(&target).output().unwrap();
    assert!(o.status.success());
    let o = kbfresh()
        .args(["build", "--now", "2026-11-22", "--root"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page =
        std::fs::read_to_string(target.join("public/getting-started/welcome/index.html")).unwrap();
    assert!(page.contains("Welcome to the help centre"));
    // Refuses to overwrite.
    let o = kbfresh().arg("init").arg(&target).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists and is not empty"));
}

#[test]
fn bom_crlf_and_invalid_utf8() {
    let s = billing_site();
    s.file(
        "content/billing/crlf.md",
        "\u{feff}+++\r\ntitle = \"Windows\"\r\n+++\r\n\r\n## Heading\r\n\r\nText\r\n",
    );
    s.build().ok();
    assert!(
        s.read("public/billing/crlf/index.html")
            .contains("<title>Windows · Acme Help</title>")
    );
    s.bytes(
        "content/billing/latin1.md",
        b"+++\ntitle = \"x\"\n+++\nCaf\xe9\n",
    );
    let r = s.build().fails(2);
    assert!(r.stderr.contains("content/billing/latin1.md:4:4: the file is not valid UTF-8 (invalid byte 0xe9 at byte offset 23)"), "{}", r.stderr);
}

/// The bundled example help centre builds cleanly: every link and anchor resolves.
#[test]
fn content_example_builds_without_broken_links() {
    let s = Site::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let rel = e.path().strip_prefix(&src).unwrap();
        if rel.starts_with("public") || !e.file_type().is_file() {
            continue;
        }
        s.bytes(rel.to_str().unwrap(), &std::fs::read(e.path()).unwrap());
    }
    let r = s.build().ok();
    assert!(
        !r.stderr.contains("broken") && !r.stderr.contains("missing image"),
        "{}",
        r.stderr
    );
    let summary = r.stdout.lines().last().unwrap_or("");
    let articles: usize = summary
        .split('(')
        .nth(1)
        .and_then(|x| x.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(articles >= 20, "{summary}");
    assert!(s.read("public/index.html").contains("kbfresh Help Centre"));
    assert!(
        s.exists("public/guide/install/index.html"),
        "alias redirect"
    );
    assert!(
        s.read("public/help/glossary/index.html").contains("<dt>"),
        "definition lists"
    );
}

#[test]
fn build_writes_the_search_index_page_and_box() {
    let s = billing_site();
    s.run(&[
        "build",
        "--now",
        "2026-11-22",
        "--base-url",
        "https://acme.test/help/",
    ])
    .ok();
    let manifest: serde_json::Value =
        serde_json::from_str(&s.read("public/search/en/manifest.json")).unwrap();
    assert_eq!(manifest["lang"], "en");
    // Four articles, then the two section pages.
    assert_eq!(manifest["docs"], 6);
    let docs = s.read("public/search/en/d/0.json");
    assert!(
        docs.contains("\"Refunds\",\"/help/billing/refunds/\""),
        "{docs}"
    );
    assert!(
        s.read("public/search/en/t/0.json")
            .contains("\"refund\":\"")
    );
    // Every page has the search box; the search page exists and the script is the site's own.
    let page = s.read("public/billing/refunds/index.html");
    assert!(page.contains("action=\"/help/search/\""), "{page}");
    assert!(page.contains("data-kb-search=\"/help/search/en/\""));
    assert!(page.contains("<script src=\"/help/search.js\" defer>"));
    assert!(s.exists("public/search.js"));
    assert!(
        s.main_of("public/search/index.html")
            .contains("<h1 class=\"page-title\">Search</h1>")
    );
}

#[test]
fn a_page_of_the_site_at_search_wins_over_the_search_page() {
    let s = Site::new();
    s.file("kbfresh.toml", CONFIG)
        .file(
            "content/search.md",
            "# Finding things\n\nOur own search tips.\n",
        )
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\naliases = [\"/search/\"]\n+++\nText.\n",
        );
    let r = s.build();
    // The alias collides with the site's page, not with the theme's search page.
    assert!(
        r.stderr
            .contains("alias `/search/` is the URL of `content/search.md`, which keeps it"),
        "{}",
        r.stderr
    );
    s.file("content/a.md", "+++\ntitle = \"A\"\n+++\nText.\n");
    s.build().ok();
    assert!(
        s.main_of("public/search/index.html")
            .contains("Our own search tips.")
    );
}
