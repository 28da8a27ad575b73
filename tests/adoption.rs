//! Docs folders written for other tools build as their authors expect (issue: existing docs folders
//! build without edits). Each fixture is written here from the tool's own documented conventions.

mod common;

use common::Site;

const NOW: &str = "2026-11-22";

/// Zola and Hugo accept blank lines before the front matter; the page must not show it as text.
#[test]
fn front_matter_after_leading_blank_lines_is_front_matter() {
    let s = Site::new();
    s.file(
        "content/docs/install.md",
        "\n\n+++\ntitle = \"Installing\"\nweight = 1\n+++\n\nRun the installer.\n",
    )
    .file(
        "content/docs/yaml.md",
        "\n---\ntitle: YAML page\n---\nBody.\n",
    );
    s.build().ok();
    let page = s.main_of("public/docs/install/index.html");
    assert!(page.contains("Installing"), "{page}");
    assert!(
        !page.contains("+++") && !page.contains("weight = 1"),
        "{page}"
    );
    assert!(
        s.main_of("public/docs/yaml/index.html")
            .contains("YAML page")
    );
}

/// Docusaurus, Starlight and other MDX sites: `.mdx` files are articles (and `index.mdx` a
/// folder's page), not files copied raw.
#[test]
fn mdx_files_are_articles() {
    let s = Site::new();
    s.file(
        "docs/intro.mdx",
        "---\ntitle: Introduction\nsidebar_position: 1\n---\n\nWelcome to the **docs**.\n",
    )
    .file("docs/guides/index.mdx", "# Guides\n\nAll guides.\n")
    .file("docs/guides/setup.mdx", "# Setup\n\nStep one.\n");
    let r = s.run(&["build", "--content", "docs", "--now", NOW]).ok();
    assert!(r.stdout.contains("2 articles"), "{}", r.stdout);
    assert!(
        s.main_of("public/intro/index.html")
            .contains("Welcome to the <strong>docs</strong>.")
    );
    assert!(
        s.main_of("public/guides/index.html")
            .contains("All guides.")
    );
    assert!(s.exists("public/guides/setup/index.html"));
    assert!(!s.exists("public/intro.mdx"), "the source is not published");
}

/// mdBook chapters often start with `##`; a page without a title takes its first heading of any
/// level, and without any heading its file name as words.
#[test]
fn titles_come_from_the_first_heading_of_any_level_then_the_file_name_as_words() {
    let s = Site::new();
    s.file(
        "content/ch04-01-what-is-ownership.md",
        "## What Is Ownership?\n\nText.\n\n## Rules\n",
    )
    .file("content/getting-started.md", "No heading here.\n");
    s.build().ok();
    let page = s.read("public/ch04-01-what-is-ownership/index.html");
    assert!(
        page.contains("<title>What Is Ownership? · Help Centre</title>"),
        "{page}"
    );
    let plain = s.read("public/getting-started/index.html");
    assert!(
        plain.contains("<title>Getting started · Help Centre</title>"),
        "{plain}"
    );
}

/// A tree of another documentation format would build an empty site that `check` passes.
#[test]
fn a_tree_without_markdown_but_with_other_doc_files_is_an_error() {
    let s = Site::new();
    s.file("content/index.rst", "Welcome\n=======\n")
        .file("content/guide/install.rst", "Install\n-------\n")
        .file("content/guide/usage.adoc", "= Usage\n");
    let r = s.build_and_check_fail();
    assert!(
        r.stderr.contains(
            "error: content: the content folder holds no Markdown article (`.md`, `.markdown`, `.mdx`), but 1 `.adoc`, 2 `.rst` files of another format"
        ),
        "{}",
        r.stderr
    );
    assert!(!s.exists("public"));
}

/// Hugo `url` and `slug`, Zola `path` and `slug`, Docusaurus `slug` (relative or from the root) and
/// `id`: the page lives where its front matter says, and links to its file follow it.
#[test]
fn front_matter_sets_the_url_as_each_tool_writes_it() {
    let s = Site::new();
    s.file("content/guide/_index.md", "+++\ntitle = \"Guide\"\n+++\n")
        .file("content/guide/hugo-url.md", "+++\ntitle = \"A\"\nurl = \"/start/here/\"\n+++\n")
        .file("content/guide/zola-path.md", "+++\ntitle = \"B\"\npath = \"zola/place\"\n+++\n")
        .file("content/guide/with-slug.md", "+++\ntitle = \"C\"\nslug = \"short\"\n+++\n")
        .file("content/guide/docu-abs.md", "---\ntitle: D\nslug: /from-root\n---\n")
        .file("content/guide/docu-id.md", "---\ntitle: E\nid: the-id\n---\n")
        .file(
            "content/index-links.md",
            "# Links\n\n[a](guide/hugo-url.md) [b](guide/zola-path.md) [c](guide/with-slug.md) [d](guide/docu-abs.md) [e](guide/docu-id.md)\n",
        );
    let r = s.build().ok();
    assert!(!r.stderr.contains("broken"), "{}", r.stderr);
    for page in [
        "start/here",
        "zola/place",
        "guide/short",
        "from-root",
        "guide/the-id",
    ] {
        assert!(s.exists(&format!("public/{page}/index.html")), "{page}");
    }
    assert!(!s.exists("public/guide/hugo-url/index.html"));
    let links = s.main_of("public/index-links/index.html");
    for href in [
        "/start/here/",
        "/zola/place/",
        "/guide/short/",
        "/from-root/",
        "/guide/the-id/",
    ] {
        assert!(
            links.contains(&format!("href=\"{href}\"")),
            "{href}: {links}"
        );
    }
}

#[test]
fn a_url_that_leaves_the_site_is_a_located_error_in_build_and_check() {
    let s = Site::new();
    s.file(
        "content/a.md",
        "+++\ntitle = \"A\"\nslug = \"../../etc\"\n+++\n",
    )
    .file(
        "content/b.md",
        "+++\ntitle = \"B\"\nurl = \"https://elsewhere.example/\"\n+++\n",
    );
    let r = s.build_and_check_fail();
    assert!(
        r.stderr
            .contains("error: content/a.md:3:8: `slug` climbs out of the site with `..`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("error: content/b.md:3:7: `url` is not a path of this site"),
        "{}",
        r.stderr
    );
}

/// `blog.md` beside `blog/` is that folder's page (Hugo, Zola, Docusaurus), not a clash of URLs;
/// with an index inside the folder as well, the two are a clash naming both.
#[test]
fn a_file_beside_a_folder_of_its_name_is_the_folders_page() {
    let s = Site::new();
    s.file(
        "content/blog.md",
        "+++\ntitle = \"Our blog\"\n+++\nNews from the team. See [first](blog/first.md).\n",
    )
    .file(
        "content/blog/first.md",
        "# First post\n\nBack to [the blog](../blog.md).\n",
    );
    let r = s.build().ok();
    assert!(!r.stderr.contains("broken"), "{}", r.stderr);
    let page = s.main_of("public/blog/index.html");
    assert!(
        page.contains("News from the team.") && page.contains("href=\"/blog/first/\""),
        "{page}"
    );
    assert!(
        s.main_of("public/blog/first/index.html")
            .contains("href=\"/blog/\"")
    );
    assert!(
        s.read("public/blog/index.html")
            .contains("<title>Our blog · Help Centre</title>")
    );

    s.file("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n");
    let r = s.build_and_check_fail();
    assert!(
        r.stderr.contains(
            "`content/blog/_index.md` and `content/blog.md` both map to the URL `/blog/`"
        ),
        "{}",
        r.stderr
    );
}

/// mdBook: `book.toml` at the root, chapters in `src/`, `SUMMARY.md` giving the order and the titles
/// of chapters without a heading; the summary is not a page.
#[test]
fn an_mdbook_summary_orders_and_titles_the_chapters_and_is_not_published() {
    let s = Site::new();
    s.file("book.toml", "[book]\ntitle = \"The Guide\"\nsrc = \"src\"\n")
        .file(
            "src/SUMMARY.md",
            "# Summary\n\n[Introduction](README.md)\n\n- [Zebra setup](zebra.md)\n- [Apple basics](apple.md)\n    - [Nested detail](apple/detail.md)\n- [Draft chapter]()\n- [Gone](missing.md)\n- [Apple pie](apple-pie.md)\n",
        )
        .file("src/README.md", "# Welcome\n\nThe book.\n")
        .file("src/zebra.md", "Set up the zebra.\n")
        .file("src/apple.md", "## Apples\n\nAbout apples.\n")
        .file("src/apple/detail.md", "Details.\n")
        .file("src/apple-pie.md", "Bake it.\n");
    let r = s
        .run(&["build", "--content", "src", "--now", NOW, "--verbose"])
        .ok();
    assert!(
        r.stderr.contains(
            "note: mdBook site (book.toml; set `dialect` in kbfresh.toml to change this): SUMMARY.md gives the chapters' order, nesting and titles and is not a page (5 chapters placed by SUMMARY.md)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("warning: src/SUMMARY.md:9:3: `missing.md` is in the book's SUMMARY.md but not a Markdown file"),
        "{}",
        r.stderr
    );
    assert!(
        !s.exists("public/summary/index.html"),
        "SUMMARY.md is not a page"
    );
    // The title from the summary where the chapter has none; its own heading first otherwise.
    assert!(
        s.read("public/zebra/index.html")
            .contains("<title>Zebra setup · ")
    );
    assert!(
        s.read("public/apple/index.html")
            .contains("<title>Apples · ")
    );
    assert!(
        s.read("public/apple/detail/index.html")
            .contains("<title>Nested detail · ")
    );
    // The summary's order, not the alphabet: after the zebra comes the apple pie.
    let zebra = s.main_of("public/zebra/index.html");
    assert!(
        zebra.contains("href=\"/apple-pie/\" rel=\"next\""),
        "{zebra}"
    );
    // A book whose chapters sit at the root has its chapter list on the home page, in order.
    let home = s.main_of("public/index.html");
    let (z, p) = (home.find("Zebra setup"), home.find("Apple pie"));
    assert!(z.is_some() && z < p, "{home}");
}

/// Docusaurus: `sidebar_position` orders pages, `sidebar_label` titles a page without a title or
/// heading, `_category_.json`/`.yml` labels and places a folder, and `_`-prefixed files are partials.
#[test]
fn docusaurus_sidebar_positions_labels_categories_and_partials() {
    let s = Site::new();
    s.file(
        "docusaurus.config.js",
        "module.exports = { title: 'Docs' };\n",
    )
    .file(
        "docs/guides/_category_.json",
        "{ \"label\": \"How-to guides\", \"position\": 1 }\n",
    )
    .file(
        "docs/guides/zeta.md",
        "---\nsidebar_position: 1\n---\n# Zeta first\n",
    )
    .file(
        "docs/guides/alpha.md",
        "---\nsidebar_position: 2\nsidebar_label: Alpha label\n---\nNo heading.\n",
    )
    .file("docs/guides/_shared.mdx", "Shared text.\n")
    .file(
        "docs/reference/_category_.yml",
        "label: API reference\nposition: 0.5\n",
    )
    .file("docs/reference/api.md", "# API\n");
    let r = s
        .run(&["build", "--content", "docs", "--now", NOW, "--verbose"])
        .ok();
    assert!(
        r.stderr
            .contains("note: Docusaurus site (docusaurus.config.js; set `dialect`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("note: docs/guides/_shared.mdx: a partial"),
        "{}",
        r.stderr
    );
    assert!(
        !s.exists("public/guides/_shared/index.html") && !s.exists("public/guides/_category_.json")
    );
    // Order by position, not by name: zeta, then alpha.
    assert!(
        s.main_of("public/guides/zeta/index.html")
            .contains("href=\"/guides/alpha/\" rel=\"next\"")
    );
    assert!(
        s.read("public/guides/alpha/index.html")
            .contains("<title>Alpha label · ")
    );
    assert!(
        s.read("public/guides/index.html")
            .contains("<title>How-to guides · ")
    );
    // The reference (position 0.5) comes before the guides (1) on the home page.
    let home = s.main_of("public/index.html");
    let (reference, guides) = (home.find("API reference"), home.find("How-to guides"));
    assert!(
        reference.is_some() && guides.is_some() && reference < guides,
        "{home}"
    );

    let bad = Site::new();
    bad.file("docs/a.md", "# A\n")
        .file("docs/x/_category_.json", "{ \"label\": \"X\",, }\n")
        .file("docs/x/b.md", "# B\n");
    let r = bad.build_and_check_fail_with(&["--content", "docs"]);
    assert!(
        r.stderr
            .contains("error: docs/x/_category_.json:1:16: invalid category file"),
        "{}",
        r.stderr
    );
}

/// MkDocs (and MkDocs-Material, whose config holds Python tags): `nav:` gives the order and the
/// titles of pages without a title or heading.
#[test]
fn a_mkdocs_nav_orders_and_titles_the_pages() {
    let s = Site::new();
    s.file(
        "mkdocs.yml",
        "site_name: Docs\ntheme:\n  name: material\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nnav:\n  - Home: index.md\n  - Setup:\n      - Install it: setup/zinstall.md\n      - setup/configure.md\n  - Blog: https://example.com/blog/\n  - Missing: nowhere.md\n",
    )
    .file("docs/index.md", "# Docs home\n")
    .file("docs/setup/zinstall.md", "Install steps.\n")
    .file("docs/setup/configure.md", "# Configure\n\nSettings.\n");
    let r = s
        .run(&["build", "--content", "docs", "--now", NOW, "--verbose"])
        .ok();
    assert!(
        r.stderr.contains(
            "note: MkDocs site (mkdocs.yml; set `dialect` in kbfresh.toml to change this): the `nav:` of mkdocs.yml gives the pages' order and titles (3 pages placed by `nav:`)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("warning: mkdocs.yml: `nowhere.md` is in the `nav:` of mkdocs.yml"),
        "{}",
        r.stderr
    );
    assert!(
        s.read("public/setup/zinstall/index.html")
            .contains("<title>Install it · ")
    );
    // nav order: zinstall before configure, whatever the alphabet says.
    assert!(
        s.main_of("public/setup/zinstall/index.html")
            .contains("href=\"/setup/configure/\" rel=\"next\"")
    );
}

/// VitePress: `public/` in the source folder (beside `.vitepress/`) is served at the site root, not
/// published as a section of its own.
#[test]
fn a_vitepress_public_folder_is_served_at_the_site_root() {
    let s = Site::new();
    s.file(
        "docs/.vitepress/config.mts",
        "export default { title: 'Docs' }\n",
    )
    .file("docs/index.md", "# Home\n\n![logo](/logo.svg)\n")
    .file("docs/guide.md", "# Guide\n")
    .file("docs/public/logo.svg", "<svg/>")
    .file("docs/public/robots-extra.txt", "x\n");
    let r = s
        .run(&["build", "--content", "docs", "--now", NOW, "--verbose"])
        .ok();
    assert!(
        r.stderr
            .contains("note: VitePress site (docs/.vitepress; set `dialect`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("missing image"), "{}", r.stderr);
    assert!(!r.stderr.contains("skipping"), "{}", r.stderr);
    assert_eq!(s.read("public/logo.svg"), "<svg/>");
    assert!(s.exists("public/robots-extra.txt"));
    assert!(!s.exists("public/public/logo.svg") && !s.exists("public/public/index.html"));
}

/// A plain folder of command pages named after the commands: every file at its own readable,
/// stable URL (what a path cannot hold is percent-encoded in links), none dropped, none merged.
#[test]
fn command_pages_named_after_symbols_each_get_their_own_url() {
    let s = Site::new();
    let names = [
        "!", "$", "%", "((", "[", "{", "~", "c++", "g++", "clang", "clang++", ".", "7z",
    ];
    for n in names {
        s.file(
            &format!("content/common/{n}.md"),
            &format!("# {n}\n\nThe `{n}` command.\n"),
        );
    }
    s.file(
        "content/common/index.md",
        "# Common\n\n[c++](c++.md), [percent](%25.md), [bracket](%5B.md), [dot](..md), [brace]({.md)\n",
    )
    .file("content/common/clang!.md", "# Clang, loudly\n")
    .file("content/Refund Policy.md", "# Refunds\n")
    .file("content/What's new?.md", "# News\n")
    .file("content/.DS_Store", "junk")
    .file("content/.notes.md", "# private\n");
    let r = s.run(&["build", "--now", NOW, "--verbose"]).ok();
    for (n, dir) in [
        ("!", "!"),
        ("$", "$"),
        ("%", "%"),
        ("((", "(("),
        ("[", "["),
        ("{", "{"),
        ("~", "~"),
        ("c++", "c++"),
        ("g++", "g++"),
        ("clang", "clang"),
        ("clang++", "clang++"),
        (".", "dot"),
        ("7z", "7z"),
    ] {
        let page = s.main_of(&format!("public/common/{dir}/index.html"));
        assert!(
            page.contains(&format!(
                "The <code>{}</code> command.",
                kbfresh::html::escape_attr(n)
            )),
            "{n}: {page}"
        );
    }
    // Two names that read the same: the one already in readable form keeps it.
    assert!(
        s.main_of("public/common/clang!/index.html")
            .contains("Clang, loudly")
    );
    // Today's URLs of ordinary names stay as they were.
    assert!(s.exists("public/refund-policy/index.html"));
    assert!(s.exists("public/whats-new/index.html"));
    let index = s.main_of("public/common/index.html");
    for href in [
        "/common/c++/",
        "/common/%25/",
        "/common/%5B/",
        "/common/dot/",
        "/common/%7B/",
    ] {
        assert!(
            index.contains(&format!("href=\"{href}\"")),
            "{href}: {index}"
        );
    }
    assert!(!r.stderr.contains("broken"), "{}", r.stderr);
    assert!(r.stdout.contains("2 left out"), "{}", r.stdout);
    assert!(r.stderr.contains("content/.DS_Store"), "{}", r.stderr);
    assert!(r.stderr.contains("content/.notes.md"), "{}", r.stderr);
    assert!(!s.exists("public/notes/index.html"));
    // The link checker and `check` agree.
    s.run(&["check", "--offline", "--now", NOW]).ok();
}

/// Hugo (found from `hugo.toml`): `index.md` in a folder is a leaf bundle, one page of the section
/// above whose folder's files are its resources; `_index.md` is a section; `headless` and
/// `build: {render: never}` pages are not published; `linkTitle` is what navigation shows.
#[test]
fn a_hugo_site_reads_bundles_headless_pages_and_link_titles() {
    let s = Site::new();
    s.file("hugo.toml", "baseURL = 'https://example.org/'\ntitle = 'Docs'\n")
        .file(
            "content/docs/_index.md",
            "---\ntitle: Documentation\nweight: 1\n---\n",
        )
        .file(
            "content/docs/getting-started/index.md",
            "---\ntitle: Getting started with the product\nlinkTitle: Start\nweight: 1\n---\n\n![shot](screen.png)\n\n[more](notes.md)\n",
        )
        .bytes("content/docs/getting-started/screen.png", b"\x89PNG\r\n")
        .file(
            "content/docs/getting-started/notes.md",
            "---\ntitle: Notes\n---\nA resource.\n",
        )
        .file(
            "content/docs/configure.md",
            "---\ntitle: Configure\nweight: 2\n---\n",
        )
        .file(
            "content/widgets/index.md",
            "---\ntitle: Hero widget\nheadless: true\n---\n",
        )
        .file("content/widgets/hero.png", "png")
        .file(
            "content/docs/internal.md",
            "---\ntitle: Internal\nbuild:\n  render: never\n---\n",
        )
        .file("content/docs/wip.md", "---\ntitle: WIP\ndraft: true\n---\n");
    let r = s.run(&["build", "--now", NOW, "--verbose"]).ok();
    assert!(
        r.stderr
            .contains("note: Hugo site (hugo.toml; set `dialect` in kbfresh.toml to change this)"),
        "{}",
        r.stderr
    );
    // The bundle is a page of `docs`, with its image beside it, not a section of its own.
    let page = s.read("public/docs/getting-started/index.html");
    assert!(
        page.contains("<title>Getting started with the product · "),
        "{page}"
    );
    assert!(s.exists("public/docs/getting-started/screen.png"));
    let section = s.main_of("public/docs/index.html");
    assert!(
        section.contains("Getting started with the product"),
        "{section}"
    );
    // Navigation shows the short title, before `configure` (weight 1 and 2).
    let nav = s.read("public/docs/configure/index.html");
    let start = nav.find(">Start<").expect("linkTitle in the sidebar");
    assert!(start < nav.find(">Configure<").unwrap(), "{nav}");
    assert!(
        r.stderr.contains(
            "note: content/docs/getting-started/notes.md: not published as a page: a resource of the page bundle"
        ),
        "{}",
        r.stderr
    );
    assert!(!s.exists("public/docs/getting-started/notes/index.html"));
    assert!(
        r.stderr
            .contains("note: content/widgets/index.md: not published: `headless: true`"),
        "{}",
        r.stderr
    );
    assert!(!s.exists("public/widgets/index.html") && !s.exists("public/widgets/hero.png"));
    assert!(!s.exists("public/docs/internal/index.html"));
    assert!(
        r.stderr
            .contains("note: content/docs/wip.md: not published: a draft"),
        "{}",
        r.stderr
    );
    // notes.md, the headless page and its image, the unrendered page, the draft.
    assert!(r.stdout.contains("5 left out"), "{}", r.stdout);
}

/// Zola (a `config.toml` with Zola's keys): page bundles as in Hugo; `dialect = "none"` turns every
/// other tool's conventions off, and an unknown dialect is a located error.
#[test]
fn a_zola_site_is_found_by_its_config_keys_and_dialect_can_turn_it_off() {
    let s = Site::new();
    s.file(
        "config.toml",
        "base_url = \"https://example.org\"\ncompile_sass = false\n\n[markdown]\nhighlight_code = true\n",
    )
    .file("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n")
    .file(
        "content/blog/first-post/index.md",
        "+++\ntitle = \"First post\"\n+++\n\n![pic](pic.jpg)\n",
    )
    .bytes("content/blog/first-post/pic.jpg", b"\xff\xd8\xff");
    let r = s.run(&["build", "--now", NOW, "--verbose"]).ok();
    assert!(
        r.stderr.contains("note: Zola site (config.toml;"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("(1 articles in 1 sections"),
        "{}",
        r.stdout
    );
    assert!(s.exists("public/blog/first-post/pic.jpg"));
    s.file("kbfresh.toml", "dialect = \"none\"\n");
    let r = s.run(&["build", "--now", NOW, "--verbose"]).ok();
    assert!(
        r.stderr
            .contains("note: kbfresh site (`dialect` in kbfresh.toml)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("0 articles in 2 sections"),
        "{}",
        r.stdout
    );
    s.file("kbfresh.toml", "title = \"Docs\"\ndialect = \"jekyll\"\n");
    let r = s.build_and_check_fail();
    assert!(
        r.stderr
            .contains("error: kbfresh.toml:2:11: dialect `jekyll` is not one kbfresh knows"),
        "{}",
        r.stderr
    );
}

/// Starlight (`astro.config.mjs`): pages in `src/content/docs`, `sidebar.order` and `sidebar.label`
/// front matter, the project's `public/` served at the site root; the output goes to Astro's
/// `dist/`, since `public/` is the site's own files.
#[test]
fn a_starlight_site_serves_its_public_folder_and_builds_into_dist() {
    let s = Site::new();
    s.file(
        "astro.config.mjs",
        "import starlight from '@astrojs/starlight';\nexport default { integrations: [starlight({ title: 'Docs' })] };\n",
    )
    .file("public/favicon.svg", "<svg/>")
    .file(
        "src/content/docs/index.mdx",
        "---\ntitle: Welcome\n---\n\n![icon](/favicon.svg)\n",
    )
    .file(
        "src/content/docs/guides/zeta.md",
        "---\ntitle: Zeta guide\nsidebar:\n  order: 1\n  label: Zeta\n---\n",
    )
    .file(
        "src/content/docs/guides/alpha.md",
        "---\ntitle: Alpha guide\nsidebar:\n  order: 2\n---\n",
    );
    let r = s
        .run(&[
            "build",
            "--content",
            "src/content/docs",
            "--now",
            NOW,
            "--verbose",
        ])
        .ok();
    assert!(
        r.stderr.contains("note: Starlight site (astro.config.mjs;"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("the output goes to `dist`"),
        "{}",
        r.stderr
    );
    assert_eq!(s.read("dist/favicon.svg"), "<svg/>");
    assert_eq!(
        s.read("public/favicon.svg"),
        "<svg/>",
        "the site's own file is untouched"
    );
    assert!(!r.stderr.contains("missing image"), "{}", r.stderr);
    // The same from inside the project, with `--root .` as a user types it.
    let out = common::kbfresh()
        .args([
            "build",
            "--root",
            ".",
            "--content",
            "src/content/docs",
            "--now",
            NOW,
        ])
        .current_dir(s.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!s.exists("public/index.html"));
    let nav = s.read("dist/guides/alpha/index.html");
    assert!(
        nav.find(">Zeta<").unwrap() < nav.find(">Alpha guide<").unwrap(),
        "{nav}"
    );
}

/// A folder without a page of its own is named by the words of its folder name, unless the
/// language's `i18n/<code>.toml` names it under `[sections]` (the default language's file standing
/// in for a translation without one), or a MkDocs `nav:` section holds its pages.
#[test]
fn folders_without_a_page_are_named_by_i18n_files_and_nav_sections() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "default_language = \"en\"\n[languages.en]\nname = \"English\"\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    )
    .file(
        "i18n/en.toml",
        "[sections]\n\"network/cisco-ios\" = \"Cisco IOS\"\nosx = \"macOS\"\n",
    )
    .file("i18n/fa.toml", "[sections]\nosx = \"مک\"\n")
    .file("content/osx/install.md", "# Install on a Mac\n")
    .file("content/network/cisco-ios/vlan.md", "# VLANs\n")
    .file("content/linux/apt.md", "# apt\n")
    .file("content.fa/osx/install.md", "# نصب\n")
    .file("content.fa/network/cisco-ios/vlan.md", "# وی‌لن\n");
    s.build().ok();
    assert!(s.read("public/osx/index.html").contains("<title>macOS · "));
    assert!(s.read("public/fa/osx/index.html").contains("<title>مک · "));
    assert!(
        s.read("public/network/cisco-ios/index.html")
            .contains("<title>Cisco IOS · ")
    );
    assert!(
        s.read("public/fa/network/cisco-ios/index.html")
            .contains("<title>Cisco IOS · ")
    );
    assert!(
        s.read("public/linux/index.html")
            .contains("<title>Linux · ")
    );

    let m = Site::new();
    m.file(
        "mkdocs.yml",
        "site_name: Docs\nnav:\n  - Getting started:\n      - osx/install.md\n      - osx/upgrade.md\n",
    )
    .file("docs/osx/install.md", "# Install\n")
    .file("docs/osx/upgrade.md", "# Upgrade\n");
    m.run(&["build", "--content", "docs", "--now", NOW]).ok();
    assert!(
        m.read("public/osx/index.html")
            .contains("<title>Getting started · ")
    );
}
