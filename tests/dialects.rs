//! Markdown as other tools write it (issue: Markdown as docs teams write it): each fixture here is
//! written from the tool's own documentation.

mod common;

use common::Site;

const NOW: &str = "2026-11-22";

/// Docusaurus, VitePress and Starlight containers, and MkDocs admonitions, render as kbfresh's
/// callouts with their bodies as Markdown; a broken link inside one is reported at its own line
/// and column in the file.
#[test]
fn containers_and_admonitions_render_as_callouts() {
    let s = Site::new();
    s.file(
        "content/docusaurus.md",
        "# Containers\n\n:::note Before you start\nYou need **admin** rights.\n:::\n\n::: warning\nTerm\n: a definition list must not swallow the fence\n:::\n\n:::danger[Data loss]\nBack up first.\n:::\n\n::: details Show the log\n    log line\n:::\n",
    )
    .file(
        "content/mkdocs.md",
        "# Admonitions\n\n!!! tip \"Shortcut\"\n    Press *Ctrl+K*.\n\n    - one\n    - two\n\n??? info\n    Collapsed by default.\n\n???+ bug \"Known issue\"\n    See [the tracker](missing.md).\n\nAfter the admonitions.\n",
    );
    let r = s.run(&["build", "--now", NOW]).ok();
    let d = s.main_of("public/docusaurus/index.html");
    assert!(
        d.contains("<div class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Before you start</p>"),
        "{d}"
    );
    assert!(d.contains("You need <strong>admin</strong> rights."), "{d}");
    assert!(d.contains("callout callout-warning"), "{d}");
    assert!(
        d.contains("<p class=\"callout-title\">Data loss</p>"),
        "{d}"
    );
    assert!(d.contains("<details class=\"callout callout-note\"><summary class=\"callout-title\">Show the log</summary>"), "{d}");
    assert!(!d.contains(":::"), "no fence is left as text: {d}");
    let m = s.main_of("public/mkdocs/index.html");
    assert!(m.contains("<p class=\"callout-title\">Shortcut</p>"), "{m}");
    assert!(m.contains("Press <em>Ctrl+K</em>."), "{m}");
    assert!(m.contains("<li>one</li>"), "{m}");
    assert!(
        !m.contains("<pre><code>Press"),
        "the body is not a code block: {m}"
    );
    assert!(m.contains("<details class=\"callout callout-note\"><summary class=\"callout-title\">Note</summary>"), "{m}");
    assert!(m.contains("<details class=\"callout callout-caution\" open><summary class=\"callout-title\">Known issue</summary>"), "{m}");
    assert!(!m.contains("!!!") && !m.contains("???"), "{m}");
    assert!(m.contains("<p>After the admonitions.</p>"), "{m}");
    // `[the tracker](missing.md)` is on line 13, after four spaces of indent.
    assert!(r.stderr.contains("content/mkdocs.md:13:9"), "{}", r.stderr);
}

/// Links as each tool writes them resolve to the page: mdBook's `.html` (what its build writes),
/// Zola's `@/` from the content root, Docusaurus's extension-less document names.
#[test]
fn links_written_for_other_tools_resolve_to_the_pages() {
    let s = Site::new();
    s.file("content/guide/setup.md", "# Setup\n\n## Options\n")
        .file("content/guide/README.md", "# Guide\n")
        .file(
            "content/ch01.md",
            "# One\n\n[setup](guide/setup.html#options), [guide](guide/index.html), [zola](@/guide/setup.md#options)\n",
        )
        .file(
            "content/guide/intro.mdx",
            "# Intro\n\n[next](setup#options) and [home](../ch01) and [by id](quick-start)\n",
        )
        .file(
            "content/guide/start.md",
            "---\nid: quick-start\n---\n# Start\n",
        );
    let r = s.run(&["check", "--offline", "--now", NOW]).ok();
    assert!(!r.stderr.contains("broken"), "{}", r.stderr);
    s.build().ok();
    let one = s.main_of("public/ch01/index.html");
    assert!(one.contains("href=\"/guide/setup/#options\""), "{one}");
    assert!(one.contains("href=\"/guide/\""), "{one}");
    let intro = s.main_of("public/guide/intro/index.html");
    assert!(intro.contains("href=\"/guide/setup/#options\""), "{intro}");
    assert!(intro.contains("href=\"/ch01/\""), "{intro}");
    assert!(
        intro.contains("href=\"/guide/quick-start/\">by id"),
        "a Docusaurus doc id: {intro}"
    );
}

/// Heading ids follow GitHub's slugger, as GitHub, Hugo and Docusaurus make them; the id kbfresh
/// made before stays a target, so old links keep working.
#[test]
fn heading_ids_follow_github_and_old_ids_still_resolve() {
    let s = Site::new();
    s.file(
        "content/emoji.md",
        "# Emoji\n\n## Smileys & Emotion\n\n## --check\n\n## Custom {#mine}\n",
    )
    .file(
        "content/links.md",
        "# Links\n\n[new](emoji.md#smileys--emotion), [old](emoji.md#smileys-emotion), [flag](emoji.md#--check), [custom](emoji.md#mine)\n",
    );
    s.run(&["check", "--offline", "--now", NOW]).ok();
    s.build().ok();
    let page = s.main_of("public/emoji/index.html");
    assert!(page.contains("id=\"smileys--emotion\""), "{page}");
    assert!(
        page.contains("<span id=\"smileys-emotion\"></span>"),
        "{page}"
    );
    assert!(page.contains("id=\"--check\""), "{page}");
    assert!(page.contains("id=\"mine\""), "{page}");
}

/// MDX: top-level `import`/`export` blocks and `{/* comments */}` are not shown; code keeps them.
#[test]
fn mdx_imports_exports_and_comments_are_not_shown() {
    let s = Site::new();
    s.file(
        "docs/guide.mdx",
        "---\ntitle: Guide\n---\nimport Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\nexport const meta = {\n  draft: false,\n};\n\n{/* A note for writers */}\nRead [this](missing.md).\n\n```js\nimport x from 'y';\n```\n",
    );
    let r = s.run(&["build", "--content", "docs", "--now", NOW]).ok();
    let page = common::unhighlighted(&s.main_of("public/guide/index.html"));
    assert!(
        !page.contains("@theme/Tabs") && !page.contains("export const"),
        "{page}"
    );
    assert!(!page.contains("A note for writers"), "{page}");
    assert!(page.contains("import x from"), "{page}");
    // Line numbers stay the file's: the link is on line 12.
    assert!(r.stderr.contains("docs/guide.mdx:12:6"), "{}", r.stderr);
}

/// Hugo shortcodes: callout shortcodes (`hint`, `notice`, `alert`...) render as callouts; the
/// escaped form shows the shortcode as written; any other is left out with one warning per name
/// per file, at its line, from `build` and `check` alike.
#[test]
fn hugo_shortcodes_render_as_callouts_or_are_named_in_a_warning() {
    let s = Site::new();
    s.file(
        "content/guide.md",
        "# Guide\n\n{{< hint type=\"danger\" title=\"Data loss\" >}}\nBack up **first**.\n{{< /hint >}}\n\n{{< youtube abc >}} and {{< youtube def >}}\n\nWrite {{</* ref \"x.md\" */>}} for a link.\n\n```\n{{< kept >}}\n```\n",
    );
    let r = s.run(&["build", "--now", NOW]).ok();
    let page = s.main_of("public/guide/index.html");
    assert!(
        page.contains(
            "callout callout-caution\" role=\"note\"><p class=\"callout-title\">Data loss</p>"
        ),
        "{page}"
    );
    assert!(page.contains("Back up <strong>first</strong>."), "{page}");
    assert!(!page.contains("youtube"), "{page}");
    assert!(
        page.contains("Write {{&lt; ref ") && page.contains("x.md” &gt;}} for a link."),
        "{page}"
    );
    assert!(page.contains("{{&lt; kept &gt;}}"), "code stays: {page}");
    let warning = "warning: content/guide.md:7:1: the Hugo shortcode `youtube` is not understood";
    assert!(r.stderr.contains(warning), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("shortcode `youtube`").count(),
        1,
        "{}",
        r.stderr
    );
    // `check` prints its messages with its report, on stdout.
    let c = s.run(&["check", "--offline", "--now", NOW]).ok();
    assert!(c.stdout.contains(warning), "{}", c.stdout);
}

/// Zola shortcodes: a callout body shortcode renders as a callout; any other is left out with one
/// warning per name, its body kept; the escaped forms show the shortcode as written.
#[test]
fn zola_shortcodes_are_callouts_warnings_or_literal() {
    let s = Site::new();
    s.file("zola.toml", "base_url = \"https://example.com\"\n")
        .file(
            "content/page.md",
            "+++\ntitle = \"Page\"\n+++\n\n{% note(title=\"Heads up\") %}\nRead **this**.\n{% end %}\n\n{% quote(author=\"A\") %}\nKept text.\n{% end %}\n\nA video: {{ youtube(id=\"abc\") }} and {{ youtube(id=\"def\") }}.\n\nWrite `{{/* youtube(id=\"x\") */}}` or {{/* youtube(id=\"y\") */}}.\n",
        );
    let r = s.run(&["build", "--now", NOW]).ok();
    let m = s.main_of("public/page/index.html");
    assert!(m.contains("<p class=\"callout-title\">Heads up</p>"), "{m}");
    assert!(m.contains("Read <strong>this</strong>."), "{m}");
    assert!(m.contains("<p>Kept text.</p>"), "{m}");
    assert!(!m.contains("{%"), "{m}");
    assert!(m.contains("or {{ youtube(id="), "{m}");
    assert!(
        r.stderr
            .contains("content/page.md:9:1: the Zola shortcode `quote` is not understood"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("shortcode `youtube`").count(),
        1,
        "{}",
        r.stderr
    );
}

/// Typography: command-line options keep their dashes in the page, its title and the navigation;
/// raw `<kbd>` and `<code>` are never made typographic; `[markdown]` turns smart punctuation and
/// definition lists off; MkDocs-Material code annotation markers leave the code.
#[test]
fn typography_keeps_what_readers_type() {
    let s = Site::new();
    s.file(
        "content/pacman.md",
        "# pacman --sync\n\nRun `pacman` with --sync or <kbd>--refresh</kbd> and <code>\"a\"...</code>; it's fast -- really.\n\n```python\nimport os  # (1)!\nprint(1) # kept\n```\n\n1. The os module.\n",
    );
    s.run(&["build", "--now", NOW]).ok();
    let page = s.read("public/pacman/index.html");
    assert!(page.contains("<title>pacman --sync"), "{page}");
    let m = common::unhighlighted(&s.main_of("public/pacman/index.html"));
    assert!(
        m.contains("<h1 class=\"page-title\">pacman --sync</h1>"),
        "{m}"
    );
    assert!(
        m.contains("with --sync or <kbd>--refresh</kbd> and <code>\"a\"...</code>"),
        "{m}"
    );
    assert!(
        m.contains("it’s fast – really."),
        "prose stays typographic: {m}"
    );
    assert!(m.contains("import os\nprint(1) # kept\n"), "{m}");
    assert!(m.contains("<li>The os module.</li>"), "{m}");

    s.file(
        "kbfresh.toml",
        "[markdown]\nsmart_punctuation = false\ndefinition_lists = false\n",
    )
    .file(
        "content/terms.md",
        "# Terms\n\nApple\n: a fruit\n\nIt's -- plain.\n",
    );
    s.run(&["build", "--now", NOW]).ok();
    let t = common::unhighlighted(&s.main_of("public/terms/index.html"));
    assert!(!t.contains("<dl>"), "{t}");
    assert!(t.contains("It's -- plain."), "{t}");
}

/// HTML shown in code blocks is text: no link of it is checked (no "broken link from a template").
#[test]
fn html_in_code_is_not_a_link() {
    let s = Site::new();
    s.file(
        "content/embed.md",
        "# Embed\n\n```html\n<a href=\"/nowhere/\">x</a> <img src=\"/missing.png\">\n```\n\nInline `<a href=\"/gone/\">`.\n",
    );
    let r = s.run(&["build", "--now", NOW]).ok();
    assert!(!r.stderr.contains("broken link"), "{}", r.stderr);
}

/// Content tabs in each tool's syntax become one accessible group each (a radio button per tab,
/// named by its label), the default tab selected, bodies as Markdown (indented JSX bodies too).
#[test]
fn tabs_of_each_tool_render_as_tab_groups() {
    let s = Site::new();
    s.file(
        "content/install.md",
        "# Install\n\n=== \"macOS\"\n\n    Run `brew install x`.\n\n===+ \"Linux\"\n\n    ```sh\n    cargo install x\n    ```\n\nBetween.\n\n<Tabs groupId=\"os\">\n  <TabItem value=\"mac\" label=\"macOS\">\n    Mac **body**.\n  </TabItem>\n  <TabItem value=\"win\" label=\"Windows\" default>\n    Win body.\n  </TabItem>\n</Tabs>\n\n:::tabs key=pkg\n== npm\nnpm i\n== pnpm\npnpm add\n:::\n\nEnd.\n",
    );
    s.run(&["build", "--now", NOW]).ok();
    let m = common::unhighlighted(&s.main_of("public/install/index.html"));
    assert_eq!(m.matches("<div class=\"tabs\"").count(), 3, "{m}");
    assert_eq!(m.matches("class=\"tab-input\"").count(), 6, "{m}");
    assert!(m.contains("for=\"kb-tabs-1-2\">Linux</label>"), "{m}");
    assert!(
        m.contains("data-value=\"Linux\" checked>"),
        "`===+` is selected: {m}"
    );
    assert!(
        m.contains("<code class=\"language-sh\">cargo install x\n</code>"),
        "{m}"
    );
    assert!(m.contains("<div class=\"tabs\" data-sync=\"os\">"), "{m}");
    assert!(m.contains("data-value=\"win\" checked>"), "{m}");
    assert!(
        m.contains("<p>Mac <strong>body</strong>.</p>"),
        "the indented body is Markdown: {m}"
    );
    assert!(m.contains("<div class=\"tabs\" data-sync=\"pkg\">"), "{m}");
    assert!(m.contains("<p>pnpm add</p>"), "{m}");
    assert!(
        m.contains("<p>Between.</p>") && m.contains("<p>End.</p>"),
        "{m}"
    );
    assert!(
        !m.contains("===") && !m.contains("TabItem") && !m.contains(":::"),
        "{m}"
    );
    assert_eq!(
        m.matches(" checked>").count(),
        3,
        "one selected tab per group: {m}"
    );
}

/// MDX components: Docusaurus's `Admonition`, Starlight's `Aside` as callouts, `Details` as a
/// collapsed block, `TOCInline` gone; an unknown component's tags go with one warning per name,
/// what it wraps stays.
#[test]
fn mdx_components_are_mapped_or_named() {
    let s = Site::new();
    s.file(
        "content/guide.mdx",
        "import { Aside } from '@astrojs/starlight/components';\n\n# Guide\n\n<TOCInline toc={toc} />\n\n<Aside type=\"caution\" title=\"Mind\">\n  Back up **first**.\n</Aside>\n\n<Admonition type=\"tip\">\nA tip.\n</Admonition>\n\n<Details summary=\"More\">\nHidden.\n</Details>\n\n<Steps>\n1. One\n2. Two\n</Steps>\n\n<Chart data=\"x\">\nChart text.\n</Chart>\n\n<Chart />\n",
    );
    let r = s.run(&["build", "--now", NOW]).ok();
    let m = s.main_of("public/guide/index.html");
    // Starlight's `caution` is the yellow one: a warning.
    assert!(m.contains("<div class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Mind</p>"), "{m}");
    assert!(m.contains("<p>Back up <strong>first</strong>.</p>"), "{m}");
    assert!(m.contains("callout callout-tip"), "{m}");
    assert!(
        m.contains("<summary class=\"callout-title\">More</summary>"),
        "{m}"
    );
    assert!(
        m.contains("<div class=\"mdx-steps\">") && m.contains("<li>Two</li>"),
        "{m}"
    );
    assert!(m.contains("<p>Chart text.</p>"), "{m}");
    assert!(
        !m.contains("TOCInline") && !m.contains("&lt;Chart") && !m.contains("<Chart"),
        "{m}"
    );
    assert!(
        r.stderr
            .contains("content/guide.mdx:24:1: the MDX component `Chart` is not understood"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.matches("`Chart`").count(), 1, "{}", r.stderr);
}

/// Code blocks are highlighted in the built page, with the title and marked lines as each tool
/// writes them; a language without a grammar is plain text and no warning; `[markdown] highlight =
/// false` leaves every block plain.
#[test]
fn code_blocks_are_highlighted_at_build_time() {
    let s = Site::new();
    s.file(
        "content/code.md",
        "# Code\n\n```rust title=\"src/main.rs\" {2}\nfn main() {\n    println!(\"hi\"); // greet\n}\n```\n\n```py hl_lines=\"1\"\nimport os\n```\n\n```console\n$ kbfresh check\nCheck passed.\n```\n\n```klingon\nqapla' <b>\n```\n",
    );
    let r = s.run(&["build", "--now", NOW]).ok();
    assert!(!r.stderr.contains("klingon"), "{}", r.stderr);
    let m = s.main_of("public/code/index.html");
    assert!(m.contains("<div class=\"code-block\"><div class=\"code-title\">src/main.rs</div><pre><code class=\"language-rust\"><span class=\"hl-k\">fn </span>"), "{m}");
    assert!(
        m.contains("<span class=\"hl-line\">    <span class=\"hl-f\">println!</span>"),
        "{m}"
    );
    assert!(m.contains("<span class=\"hl-c\">// greet</span>"), "{m}");
    assert!(
        m.contains("<span class=\"hl-line\"><span class=\"hl-k\">import </span>os</span>"),
        "{m}"
    );
    assert!(m.contains("<span class=\"hl-gp\">$ </span><span class=\"hl-f\">kbfresh</span> check\n<span class=\"hl-go\">Check passed.</span>"), "{m}");
    assert!(
        m.contains("<code class=\"language-klingon\">qapla' &lt;b&gt;\n</code>"),
        "{m}"
    );
    s.file("kbfresh.toml", "[markdown]\nhighlight = false\n");
    s.run(&["build", "--now", NOW]).ok();
    let m = s.main_of("public/code/index.html");
    assert!(!m.contains("hl-"), "{m}");
    assert!(
        m.contains("<code class=\"language-rust\">fn main() {"),
        "{m}"
    );
}
