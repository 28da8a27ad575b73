//! Markdown to HTML in one pass per article: heading ids and anchors, the table of contents, callouts,
//! relative link rewriting, and every link recorded with its line and column for the link checker.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use regex::Regex;

use crate::diagnostics::LineIndex;

mod containers;
mod fence;
mod highlight;
pub mod includes;
mod tabs;
use crate::html::escape_attr;
use crate::url::{is_external_or_fragment, percent_decode};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Link,
    Image,
    /// `href`/`src` inside raw HTML.
    Html,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkSpan {
    /// The target as written in the Markdown.
    pub target: String,
    /// What the page links to after rewriting (a site URL for relative links), or the target unchanged.
    pub href: String,
    /// True when `target` was a relative path that matched a file in the content folder.
    pub rewritten: bool,
    /// The included file the link is written in (`None`: the article itself).
    #[serde(skip)]
    pub file: Option<Arc<Path>>,
    pub line: usize,
    pub column: usize,
    pub kind: LinkKind,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id a `#fragment` can point at: heading ids and explicit `id`/`name` attributes.
    pub anchors: Vec<String>,
    pub links: Vec<LinkSpan>,
    /// Text of the first heading when it is a level-1 heading at the very start of the body.
    pub leading_h1: Option<String>,
    /// Text of the first heading of any level (books start chapters with `##`).
    pub first_heading: Option<String>,
    /// Other tools' syntax kbfresh left out: (included file, line, column, what), one per kind
    /// per file.
    pub not_understood: Vec<(Option<Arc<Path>>, usize, usize, String)>,
}

/// The warnings for what a file's Markdown held that kbfresh does not understand.
pub fn not_understood(
    md: &Rendered,
    shown: &std::path::Path,
) -> Vec<crate::diagnostics::Diagnostic> {
    md.not_understood
        .iter()
        .map(|(file, line, col, what)| {
            crate::diagnostics::Diagnostic::warning(what.clone())
                .at(file.as_deref().unwrap_or(shown), *line, *col)
                .hint("write what it shows in Markdown, or a callout (`> [!NOTE]`, `:::note`)")
        })
        .collect()
}

/// Resolves a relative link (path part, already percent-decoded, relative to the article's folder)
/// to a site URL.
pub trait LinkResolver {
    fn resolve(&self, from_dir: &str, path: &str) -> Option<String>;
}

pub struct Input<'a> {
    /// The whole file (for line and column numbers).
    pub file: &'a str,
    /// Where the Markdown body starts in `file`.
    pub body_start: usize,
    /// The article's folder relative to the content folder, `/`-separated (`""` at the top).
    pub dir: &'a str,
    /// Drop a leading `# Heading` from the HTML (the template shows the title itself).
    pub drop_leading_h1: DropH1<'a>,
    /// An `.mdx` file: top-level `import`/`export` lines and `{/* comments */}` are left out.
    pub mdx: bool,
    /// The body with its includes and variables expanded, when it has any.
    pub expanded: Option<&'a includes::Expanded>,
    /// `[markdown]` of kbfresh.toml.
    pub options: crate::config::MarkdownConfig,
    /// The words the HTML holds, in the article's language.
    pub labels: &'a Labels,
}

/// The words rendered Markdown holds (callout titles, a heading link's name, task-list boxes), in
/// one language: from the theme's words (`callout_*`, `details`, `heading_link`, `task_done`,
/// `task_todo`), English by default.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    pub note: String,
    pub tip: String,
    pub important: String,
    pub warning: String,
    pub caution: String,
    pub details: String,
    /// With `{title}`: the heading's text.
    pub heading_link: String,
    pub task_done: String,
    pub task_todo: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            note: "Note".into(),
            tip: "Tip".into(),
            important: "Important".into(),
            warning: "Warning".into(),
            caution: "Caution".into(),
            details: "Details".into(),
            heading_link: "Link to this section: {title}".into(),
            task_done: "Done".into(),
            task_todo: "Not done".into(),
        }
    }
}

impl Labels {
    /// A callout kind's title (`note`, `tip`, `important`, `warning`, anything else: caution).
    pub fn callout(&self, kind: &str) -> &str {
        match kind {
            "note" => &self.note,
            "tip" => &self.tip,
            "important" => &self.important,
            "warning" => &self.warning,
            _ => &self.caution,
        }
    }
}

/// Where a byte of the rendered text was written: the included file (`None`: the article), line
/// and column.
type At = (Option<Arc<Path>>, usize, usize);

#[derive(Debug, Clone, Copy)]
pub enum DropH1<'a> {
    /// The title comes from the heading: drop it.
    Always,
    /// The title comes from front matter: drop the heading only when it says the same.
    IfEquals(&'a str),
    Never,
}

fn options(c: crate::config::MarkdownConfig) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if c.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    if c.definition_lists {
        o |= Options::ENABLE_DEFINITION_LIST;
    }
    o
}

static ATTR_RE: LazyLock<Regex> = LazyLock::new(|| {
    // An unquoted value starting with `{` is a JSX expression (`src={logo.src}`) or a template's
    // placeholder (`href={{ user.url }}`): not a link kbfresh can read.
    Regex::new(
        r#"(?i)\b(href|src|id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`{][^\s"'=<>`]*))"#,
    )
    .expect("valid regex")
});

pub fn render(input: &Input<'_>, resolver: &dyn LinkResolver) -> Rendered {
    let source = input
        .expanded
        .map_or(&input.file[input.body_start..], |x| x.text.as_str());
    // Other tools' containers become callout HTML first; offsets map back to the file.
    let rewritten = containers::rewrite(source, input.mdx, input.labels);
    let body = rewritten.as_ref().map_or(source, |r| r.text.as_str());
    let lines = LineIndex::new(input.file);
    let included: Vec<OnceCell<LineIndex<'_>>> = (0..input.expanded.map_or(0, |x| x.files.len()))
        .map(|_| OnceCell::new())
        .collect();
    // Offsets in the expanded source, to the file and line they were written at.
    let source_pos = |offset: usize| -> At {
        match input.expanded {
            None => {
                let (l, c) = lines.line_col(input.body_start + offset);
                (None, l, c)
            }
            Some(x) => match x.origin(offset) {
                (0, at) => {
                    let (l, c) = lines.line_col(at);
                    (None, l, c)
                }
                (f, at) => {
                    let file = &x.files[f];
                    let (l, c) = included[f]
                        .get_or_init(|| LineIndex::new(&file.text))
                        .line_col(at);
                    (Some(Arc::clone(&file.shown)), l, c)
                }
            },
        }
    };
    let pos = |offset: usize| -> At {
        source_pos(rewritten.as_ref().map_or(offset, |r| r.source(offset)))
    };

    let mut r = Rendered::default();
    for (offset, tool, name) in rewritten.iter().flat_map(|w| &w.unknown_shortcodes) {
        let (file, line, col) = source_pos(*offset);
        r.not_understood.push((
            file,
            line,
            col,
            if *tool == "MDX component" {
                format!("the MDX component `{name}` is not understood: its tags are left out, what it wraps is kept")
            } else {
                format!("the {tool} shortcode `{name}` is not understood: its tags are left out, the text between them is kept")
            },
        ));
    }
    let mut events: Vec<(Event<'_>, std::ops::Range<usize>)> =
        Parser::new_ext(body, options(input.options))
            .into_offset_iter()
            .collect();
    if input.options.smart_punctuation {
        keep_literal_punctuation(&mut events, body);
    }
    strip_code_annotations(&mut events);

    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len() + 16);
    let mut ids = Ids::default();
    let mut explicit_seen: HashSet<String> = HashSet::new();
    let mut callouts: Vec<bool> = Vec::new();
    let mut legacy: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    let mut first_block = true;

    // Explicit ids first, so generated slugs never take an id the author chose.
    for (ev, _) in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = ev {
            ids.used.insert(id.to_string());
        }
    }

    while i < events.len() {
        let (ev, range) = &events[i];
        match ev {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let end = find_heading_end(&events, i);
                let title = plain_text(&events[i + 1..end]);
                let generated = id.as_ref().is_none_or(|id| id.is_empty());
                let id = match id {
                    // The same `{#id}` twice would be invalid HTML: later ones get a suffix.
                    Some(id) if id.is_empty() => ids.slug(&id_text(&events[i + 1..end], body)),
                    Some(id) if !explicit_seen.insert(id.to_string()) => {
                        ids.uniquify(id.to_string())
                    }
                    Some(id) => id.to_string(),
                    None => ids.slug(&id_text(&events[i + 1..end], body)),
                };
                r.anchors.push(id.clone());
                if r.first_heading.is_none() && !title.trim().is_empty() {
                    r.first_heading = Some(title.clone());
                }
                let lvl = heading_level(*level);
                let is_leading_h1 = first_block && lvl == 1;
                first_block = false;
                if is_leading_h1 {
                    r.leading_h1 = Some(title.clone());
                    let drop = match input.drop_leading_h1 {
                        DropH1::Always => true,
                        DropH1::IfEquals(t) => t.trim() == title.trim(),
                        DropH1::Never => false,
                    };
                    if drop {
                        // Still scan the heading for links, then skip it.
                        collect_inline_links(
                            &events[i + 1..end],
                            body,
                            input,
                            resolver,
                            &pos,
                            &mut r,
                        );
                        i = end + 1;
                        continue;
                    }
                }
                if (2..=3).contains(&lvl) {
                    r.toc.push(TocEntry {
                        level: lvl,
                        id: id.clone(),
                        title: title.clone(),
                    });
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id.clone())),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                if generated {
                    let mut old = legacy_slug(&title);
                    shorten(&mut old);
                    if !old.is_empty() && old != id {
                        legacy.push((out.len(), old));
                    }
                }
                for (inner, inner_range) in &events[i + 1..end] {
                    out.push(rewrite_event(
                        inner,
                        inner_range,
                        body,
                        input,
                        resolver,
                        &pos,
                        &mut r,
                    ));
                }
                out.push(Event::Html(CowStr::from(format!(
                    "<a class=\"heading-anchor\" href=\"#{}\" aria-label=\"{}\">#</a>",
                    escape_attr(&id),
                    escape_attr(&input.labels.heading_link.replace("{title}", &title))
                ))));
                out.push(Event::End(TagEnd::Heading(*level)));
                i = end + 1;
                continue;
            }
            // A task-list box says what it means to screen readers (it has no label of its own).
            Event::TaskListMarker(done) => {
                out.push(Event::Html(CowStr::from(format!(
                    "<input type=\"checkbox\" disabled{} aria-label=\"{}\"> ",
                    if *done { " checked" } else { "" },
                    escape_attr(if *done {
                        &input.labels.task_done
                    } else {
                        &input.labels.task_todo
                    })
                ))));
            }
            Event::Start(Tag::BlockQuote(kind)) => {
                first_block = false;
                match kind {
                    Some(kind) => {
                        let class = callout(*kind);
                        let label = escape_attr(input.labels.callout(class));
                        out.push(Event::Html(CowStr::from(format!(
                            "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n"
                        ))));
                        callouts.push(true);
                    }
                    None => {
                        out.push(ev.clone());
                        callouts.push(false);
                    }
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if callouts.pop().unwrap_or(false) {
                    out.push(Event::Html(CowStr::from("</div>\n")));
                } else {
                    out.push(ev.clone());
                }
            }
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info)))
                if input.options.highlight && !info.trim().is_empty() =>
            {
                first_block = false;
                let mut code = String::new();
                let mut j = i + 1;
                while let Some((ev, _)) = events.get(j) {
                    match ev {
                        Event::Text(t) => code.push_str(t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                    j += 1;
                }
                let fence = highlight::parse_info(info);
                out.push(Event::Html(CowStr::from(highlight::render(&code, &fence))));
                i = j + 1;
                continue;
            }
            Event::Start(Tag::Table(_)) => {
                first_block = false;
                out.push(Event::Html(CowStr::from("<div class=\"table-wrap\">")));
                out.push(ev.clone());
            }
            Event::End(TagEnd::Table) => {
                out.push(ev.clone());
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            _ => {
                if matches!(ev, Event::Start(_) | Event::Html(_) | Event::Rule) {
                    first_block = false;
                }
                out.push(rewrite_event(
                    ev, range, body, input, resolver, &pos, &mut r,
                ));
            }
        }
        i += 1;
    }

    // The id kbfresh gave a heading before it followed GitHub's slugger, as a second target in the
    // heading, so old links keep working; not where it is now another heading's id.
    let mut kept = HashSet::new();
    for (at, old) in legacy.into_iter().rev() {
        if !ids.used.contains(&old) && kept.insert(old.clone()) {
            r.anchors.push(old.clone());
            out.insert(
                at,
                Event::InlineHtml(CowStr::from(format!(
                    "<span id=\"{}\"></span>",
                    escape_attr(&old)
                ))),
            );
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    r.html = html;
    r
}

/// Smart punctuation, undone where it changes what a reader must type: inside raw `<code>`,
/// `<kbd>`, `<samp>` and `<pre>`, and in text with a command-line option (`pacman --sync` stays
/// `--sync`, not `–sync`, in the page, its title and the navigation).
fn keep_literal_punctuation(events: &mut [(Event<'_>, std::ops::Range<usize>)], body: &str) {
    static OPTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[\s(\[`'\x22/])--[A-Za-z0-9]").expect("valid regex"));
    static RAW_TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)<(/?)(code|kbd|samp|pre)\b[^>]*>").expect("valid regex"));
    let mut raw_depth = 0usize;
    for (ev, range) in events.iter_mut() {
        match ev {
            Event::InlineHtml(h) | Event::Html(h) => {
                for c in RAW_TAG.captures_iter(h) {
                    if c[1].is_empty() {
                        raw_depth += 1;
                    } else {
                        raw_depth = raw_depth.saturating_sub(1);
                    }
                }
            }
            Event::Text(t) => {
                let Some(src) = body.get(range.clone()) else {
                    continue;
                };
                // Only where the source is the text as written (no escapes or entities to decode)
                // and smart punctuation changed it.
                if src == t.as_ref() || src.contains(['\\', '&']) {
                    continue;
                }
                // Smart punctuation makes `--` an event of its own: an option when a letter or
                // digit follows and a space (or an opening mark) comes before.
                let before = body[..range.start].chars().next_back();
                let after = body[range.end..].chars().next();
                let option_dash = src.len() >= 2
                    && src.bytes().all(|b| b == b'-')
                    && after.is_some_and(|c| c.is_ascii_alphanumeric())
                    && before.is_none_or(|c| c.is_whitespace() || "([`'\"/".contains(c));
                if raw_depth > 0 || option_dash || OPTION.is_match(src) {
                    *t = CowStr::from(src.to_string());
                }
            }
            _ => {}
        }
    }
}

/// MkDocs-Material's code annotation markers (`# (1)!`, `// (2)!`, `<!-- (3)! -->`): the tool
/// turns them into buttons, the numbered list after the block holds the notes; here the marker
/// and its comment leave the code, the list stays.
fn strip_code_annotations(events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)[ \t]*(?:#|//|--|;|%|/\*|<!--)[ \t]*\(\d+\)![ \t]*(?:\*/|-->)?[ \t]*$")
            .expect("valid regex")
    });
    let mut in_code = false;
    for (ev, _) in events.iter_mut() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if in_code && t.contains(")!") => {
                if let std::borrow::Cow::Owned(stripped) = MARKER.replace_all(t, "") {
                    *t = CowStr::from(stripped);
                }
            }
            _ => {}
        }
    }
}

fn find_heading_end(events: &[(Event<'_>, std::ops::Range<usize>)], start: usize) -> usize {
    events[start + 1..]
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
        .map(|p| start + 1 + p)
        .unwrap_or(events.len() - 1)
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn callout(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

fn plain_text(events: &[(Event<'_>, std::ops::Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

/// The heading's text as written for its id: smart punctuation undone (GitHub makes `--check`'s
/// id from the two hyphens, not from an en dash).
fn id_text(events: &[(Event<'_>, std::ops::Range<usize>)], body: &str) -> String {
    let mut s = String::new();
    for (e, range) in events {
        match e {
            Event::Text(t) => match body.get(range.clone()) {
                Some(src)
                    if !src.is_empty()
                        && src.bytes().all(|b| matches!(b, b'-' | b'\'' | b'"' | b'.')) =>
                {
                    s.push_str(src)
                }
                _ => s.push_str(t),
            },
            Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

fn collect_inline_links(
    events: &[(Event<'_>, std::ops::Range<usize>)],
    body: &str,
    input: &Input<'_>,
    resolver: &dyn LinkResolver,
    pos: &dyn Fn(usize) -> At,
    r: &mut Rendered,
) {
    for (e, range) in events {
        let _ = rewrite_event(e, range, body, input, resolver, pos, r);
    }
}

/// Rewrites relative link targets and records every link; other events pass through.
fn rewrite_event<'a>(
    ev: &Event<'a>,
    range: &std::ops::Range<usize>,
    body: &str,
    input: &Input<'_>,
    resolver: &dyn LinkResolver,
    pos: &dyn Fn(usize) -> At,
    r: &mut Rendered,
) -> Event<'a> {
    match ev {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (file, line, column) = pos(range.start);
            let (href, rewritten) = if matches!(link_type, LinkType::Email) {
                (format!("mailto:{dest_url}"), false)
            } else {
                rewrite_target(dest_url, input.dir, resolver)
            };
            r.links.push(LinkSpan {
                target: dest_url.to_string(),
                href: href.clone(),
                rewritten,
                file,
                line,
                column,
                kind: LinkKind::Link,
            });
            if matches!(link_type, LinkType::Email) {
                return ev.clone();
            }
            Event::Start(Tag::Link {
                link_type: *link_type,
                dest_url: CowStr::from(href),
                title: title.clone(),
                id: id.clone(),
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (file, line, column) = pos(range.start);
            let (href, rewritten) = rewrite_target(dest_url, input.dir, resolver);
            r.links.push(LinkSpan {
                target: dest_url.to_string(),
                href: href.clone(),
                rewritten,
                file,
                line,
                column,
                kind: LinkKind::Image,
            });
            Event::Start(Tag::Image {
                link_type: *link_type,
                dest_url: CowStr::from(href),
                title: title.clone(),
                id: id.clone(),
            })
        }
        Event::Html(html) | Event::InlineHtml(html) => {
            // Html events carry the source text of their range, so offsets inside it map to the file.
            let base = if body.get(range.clone()) == Some(html.as_ref()) {
                Some(range.start)
            } else {
                None
            };
            // Relative `href` and `src` values are rewritten like Markdown links: pretty URLs put
            // a page one folder deeper than its file, so `img/x.svg` as written would break.
            let mut out = String::new();
            let mut copied = 0;
            for cap in ATTR_RE.captures_iter(html) {
                let attr = cap[1].to_ascii_lowercase();
                let m = cap.get(2).or_else(|| cap.get(3)).or_else(|| cap.get(4));
                let value = m.map_or("", |m| m.as_str());
                let offset = base
                    .map(|b| b + cap.get(0).map_or(0, |m| m.start()))
                    .unwrap_or(range.start);
                if attr == "id" || attr == "name" {
                    // `id=""` is no target.
                    if !value.is_empty() {
                        r.anchors.push(value.to_string());
                    }
                } else {
                    let (file, line, column) = pos(offset);
                    let (href, rewritten) = rewrite_target(value, input.dir, resolver);
                    if rewritten && let Some(m) = m {
                        out.push_str(&html[copied..m.start()]);
                        out.push_str(&crate::html::escape_attr(&href));
                        copied = m.end();
                    }
                    r.links.push(LinkSpan {
                        target: value.to_string(),
                        href,
                        rewritten,
                        file,
                        line,
                        column,
                        kind: LinkKind::Html,
                    });
                }
            }
            if copied > 0 {
                out.push_str(&html[copied..]);
                return match ev {
                    Event::Html(_) => Event::Html(CowStr::from(out)),
                    _ => Event::InlineHtml(CowStr::from(out)),
                };
            }
            ev.clone()
        }
        other => other.clone(),
    }
}

/// For a relative target, the site URL of the file it names (keeping `?query#fragment`).
fn rewrite_target(target: &str, dir: &str, resolver: &dyn LinkResolver) -> (String, bool) {
    if target.is_empty() || target.starts_with('/') || is_external_or_fragment(target) {
        return (target.to_string(), false);
    }
    let split_at = target.find(['#', '?']).unwrap_or(target.len());
    let (path, rest) = target.split_at(split_at);
    let decoded = percent_decode(path);
    match resolver.resolve(dir, &decoded) {
        Some(url) => (format!("{url}{rest}"), true),
        None => (target.to_string(), false),
    }
}

/// A heading id as GitHub (and Hugo, Docusaurus) make it: lowercase, each space a `-`, every
/// character that is not a letter, digit, mark, `_` or `-` dropped (`Smileys & Emotion` is
/// `smileys--emotion`, `--check` stays `--check`).
pub fn slugify(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c == ' ' {
            s.push('-');
        } else if c.is_alphanumeric() || c == '_' || c == '-' || is_mark(c) {
            s.extend(c.to_lowercase());
        }
    }
    s
}

/// Combining marks (Persian and Hindi vowel signs, accents written apart) belong to their letter.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036f | 0x0610..=0x061a | 0x064b..=0x065f | 0x0670 | 0x06d6..=0x06ed | 0x0900..=0x0903 | 0x093a..=0x094f)
}

/// A heading of 100,000 characters must not make a 100,000-character id.
fn shorten(id: &mut String) {
    if id.len() > 80 {
        let mut cut = 80;
        while !id.is_char_boundary(cut) {
            cut -= 1;
        }
        id.truncate(cut);
    }
}

/// The ids kbfresh made before: runs of spaces and `-` as one `-`, punctuation dropped.
fn legacy_slug(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !s.is_empty() {
                s.push('-');
            }
            dash = false;
            s.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            dash = true;
        }
    }
    s
}

/// Heading ids taken so far, and for each base the next suffix to try (so a thousand headings with
/// one title stay linear, not quadratic).
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Ids {
    fn slug(&mut self, title: &str) -> String {
        let mut base = slugify(title);
        if base.is_empty() {
            base = "section".into();
        }
        shorten(&mut base);
        self.uniquify(base)
    }

    /// `base`, or `base-1`, `base-2`, ... whichever is free first.
    fn uniquify(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::{has_scheme, url_scheme};

    #[test]
    fn url_schemes_as_a_browser_reads_them() {
        assert_eq!(url_scheme("JaVaScript:x").as_deref(), Some("javascript"));
        assert_eq!(
            url_scheme(" \tjava\nscript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            url_scheme("java&#x09;script:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            url_scheme("&#106;avascript&colon;x").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            url_scheme("&#106avascript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(url_scheme("data:text/html,x").as_deref(), Some("data"));
        assert_eq!(url_scheme("a&b.md"), None);
        assert_eq!(url_scheme("&#xFFFFFFFFF;:x"), None);
        assert_eq!(url_scheme("../x:y"), None);
    }

    struct Map;
    impl LinkResolver for Map {
        fn resolve(&self, from_dir: &str, path: &str) -> Option<String> {
            match (from_dir, path) {
                ("billing", "refunds.md") => Some("/billing/refunds/".into()),
                ("billing", "../img/a b.png") => Some("/img/a%20b.png".into()),
                _ => None,
            }
        }
    }

    fn go(md: &str) -> Rendered {
        render(
            &Input {
                file: md,
                body_start: 0,
                dir: "billing",
                drop_leading_h1: DropH1::Always,
                mdx: false,
                expanded: None,
                options: crate::config::MarkdownConfig::DEFAULT,
                labels: &Labels::default(),
            },
            &Map,
        )
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_toc() {
        let r = go("# Title\n\n## Set up\n\n## Set up\n\n### Über {#custom}\n");
        assert_eq!(r.leading_h1.as_deref(), Some("Title"));
        assert!(!r.html.contains("<h1"));
        assert!(
            r.html
                .contains("<h2 id=\"set-up\">Set up<a class=\"heading-anchor\" href=\"#set-up\"")
        );
        assert!(r.html.contains("id=\"set-up-1\""));
        assert!(r.html.contains("id=\"custom\""));
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["set-up", "set-up-1", "custom"]);
    }

    #[test]
    fn links_are_rewritten_and_located() {
        let r = go(
            "Intro\n\nSee [refunds](refunds.md#how) and ![pic](../img/a%20b.png).\n<a href=\"x.html\">x</a>\n",
        );
        assert!(
            r.html.contains("href=\"/billing/refunds/#how\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("src=\"/img/a%20b.png\""));
        assert_eq!(r.links[0].line, 3);
        assert_eq!(r.links[0].column, 5);
        assert!(r.links[0].rewritten);
        assert_eq!(r.links[1].kind, LinkKind::Image);
        assert_eq!(r.links[2].kind, LinkKind::Html);
        assert_eq!((r.links[2].line, r.links[2].column), (4, 4));
    }

    #[test]
    fn callouts_and_templates_are_not_evaluated() {
        let r = go("> [!WARNING]\n> Careful {{ secret }}\n");
        assert!(r.html.contains("callout callout-warning"), "{}", r.html);
        assert!(r.html.contains("{{ secret }}"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  Freshness fields "), "freshness-fields");
        assert_eq!(slugify("پرداخت و صورتحساب"), "پرداخت-و-صورتحساب");
        assert_eq!(slugify("C++ & Rust"), "c--rust");
        assert_eq!(slugify("Smileys & Emotion"), "smileys--emotion");
        assert_eq!(slugify("--check"), "--check");
        assert_eq!(slugify("snake_case and Dash-es"), "snake_case-and-dash-es");
        assert_eq!(legacy_slug("C++ & Rust"), "c-rust");
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("refunds.md"));
    }
}
