//! The dialect pre-pass: other tools' block containers rewritten to the HTML of kbfresh's callouts
//! before the Markdown is parsed, with a map from every byte of the result back to the source (so
//! line and column numbers stay the author's).
//!
//! - Docusaurus, VitePress and Starlight: `:::note Title`, `::: tip`, `:::warning[Title]` … `:::`
//!   (more colons for an outer container), `::: details Title` is collapsible;
//! - MkDocs (Material): `!!! note "Title"`, `??? tip` (collapsed), `???+ tip` (open), with the body
//!   indented by four spaces.
//!
//! Fenced code is copied as it is; a container type kbfresh does not know stays text.

use super::Labels;
use super::tabs;
use crate::html::escape_attr;

/// The rewritten text and, for each piece of it, where it came from.
pub struct Rewritten {
    pub text: String,
    /// `(start in text, start in source, copied)`, ascending: a byte of a copied piece comes from
    /// the source byte at the same distance past the piece's start; inserted text maps to the
    /// start of the line it replaced.
    map: Vec<(usize, usize, bool)>,
    /// Hugo and Zola shortcodes kbfresh does not know: (source offset, tool, name), the first of
    /// each name.
    pub unknown_shortcodes: Vec<(usize, &'static str, String)>,
}

impl Rewritten {
    /// The source offset of byte `offset` of the text.
    pub fn source(&self, offset: usize) -> usize {
        match self.map.partition_point(|&(t, _, _)| t <= offset) {
            0 => offset,
            i => match self.map[i - 1] {
                (t, s, true) => s + (offset - t),
                (_, s, false) => s,
            },
        }
    }
}

/// A callout kind kbfresh renders (`note`, `tip`, `important`, `warning`, `caution`) for a tool's
/// container type, and whether the type is collapsible by itself (VitePress `details`).
fn kind(t: &str) -> Option<(&'static str, bool)> {
    Some(match t.to_ascii_lowercase().as_str() {
        "note" | "info" | "abstract" | "summary" | "tldr" | "question" | "help" | "faq"
        | "example" | "quote" | "cite" | "seealso" => ("note", false),
        "tip" | "hint" | "success" | "check" | "done" => ("tip", false),
        "important" => ("important", false),
        "warning" | "attention" | "caution" => ("warning", false),
        "danger" | "error" | "bug" | "failure" | "fail" | "missing" => ("caution", false),
        "details" => ("note", true),
        _ => return None,
    })
}

fn default_title(labels: &Labels, kind: &str, t: &str) -> String {
    if t.eq_ignore_ascii_case("details") {
        return labels.details.clone();
    }
    labels.callout(kind).to_string()
}

fn open_html(kind: &str, title: Option<&str>, collapsible: Option<bool>) -> String {
    let title = title.map(|t| escape_attr(t.trim()));
    match collapsible {
        Some(open) => format!(
            "<details class=\"callout callout-{kind}\"{}><summary class=\"callout-title\">{}</summary>\n\n",
            if open { " open" } else { "" },
            title.unwrap_or_default()
        ),
        None => match title.filter(|t| !t.is_empty()) {
            Some(t) => format!(
                "<div class=\"callout callout-{kind}\" role=\"note\"><p class=\"callout-title\">{t}</p>\n\n"
            ),
            None => format!("<div class=\"callout callout-{kind}\" role=\"note\">\n\n"),
        },
    }
}

enum Open {
    /// `:::` with this many colons.
    Colons(usize, bool),
    /// MkDocs: the body's indent.
    Indented(usize, bool),
    /// A Hugo callout shortcode (`{{< hint >}}`), closed by `{{< /hint >}}`; a Zola one's name
    /// ends in `()`, closed by `{% end %}`.
    Shortcode(String),
    /// A Zola body shortcode kbfresh does not know: its tags go, its body stays.
    Unknown,
    /// A group of content tabs.
    Tabs(TabsKind, tabs::Group),
    /// A tab's panel in a `:::tabs` or JSX group, its body indented by this many columns (JSX).
    Tab(usize),
    /// An MDX component (`<Aside>`), closed by `</Aside>`: (name, closing HTML, body indent).
    Jsx(String, &'static str, usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TabsKind {
    /// `:::tabs` with this many colons.
    Colons(usize),
    /// `<Tabs>`.
    Jsx,
    /// MkDocs `===` tabs at this indent.
    MkDocs(usize),
}

impl Open {
    fn close(&self) -> &'static str {
        match self {
            Open::Colons(_, true) | Open::Indented(_, true) => "\n</details>\n\n",
            Open::Unknown => "\n",
            Open::Jsx(_, close, _) => close,
            _ => "\n</div>\n\n",
        }
    }
}

/// `:::type[Title] rest` or `::: type rest`: (colons, type, title).
fn colon_open(line: &str) -> Option<(usize, &str, Option<&str>)> {
    let t = line.trim_start();
    if line.len() - t.len() > 3 {
        return None;
    }
    let colons = t.bytes().take_while(|&b| b == b':').count();
    if colons < 3 {
        return None;
    }
    let rest = t[colons..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    if name.is_empty() {
        return None;
    }
    let after = after.trim_end();
    let title = if let Some(inner) = after.strip_prefix('[') {
        Some(inner.rsplit_once(']').map_or(inner, |(t, _)| t))
    } else {
        // A `{...}` attribute block after the name (Docusaurus, markdown-it) is not a title.
        Some(after.trim()).filter(|t| !t.is_empty() && !t.starts_with('{'))
    };
    Some((colons, name, title))
}

fn colon_close(line: &str) -> Option<usize> {
    let t = line.trim();
    let n = t.bytes().take_while(|&b| b == b':').count();
    (n >= 3 && n == t.len() && line.len() - line.trim_start().len() <= 3).then_some(n)
}

/// `!!! type "Title"`, `??? type`, `???+ type`: (collapsible, type, title).
fn mkdocs_open(line: &str) -> Option<(Option<bool>, &str, Option<&str>)> {
    let (collapsible, rest) = if let Some(r) = line.strip_prefix("!!!") {
        (None, r)
    } else if let Some(r) = line.strip_prefix("???+") {
        (Some(true), r)
    } else if let Some(r) = line.strip_prefix("???") {
        (Some(false), r)
    } else {
        return None;
    };
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    let (name, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // `!!! note inline end` (Material's placement words) before the title.
    let title = after.find('"').and_then(|a| {
        after
            .rfind('"')
            .filter(|&b| b > a)
            .map(|b| &after[a + 1..b])
    });
    Some((collapsible, name, title))
}

fn indent_of(line: &str) -> usize {
    line.bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .map(|b| if b == b'\t' { 4 } else { 1 })
        .sum()
}

/// Strips `n` columns of indentation (spaces, or tabs of four).
fn strip_indent(line: &str, n: usize) -> usize {
    let mut cols = 0;
    let mut bytes = 0;
    for b in line.bytes() {
        if cols >= n {
            break;
        }
        match b {
            b' ' => cols += 1,
            b'\t' => cols += 4,
            _ => break,
        }
        bytes += 1;
    }
    bytes
}

/// Hugo theme shortcodes that are callouts (Hextra, Docsy, Book, Relearn...).
const CALLOUT_SHORTCODES: &[&str] = &[
    "hint",
    "callout",
    "alert",
    "notice",
    "admonition",
    "note",
    "tip",
    "warning",
    "info",
    "caution",
    "danger",
    "important",
];

/// A line that is one shortcode tag: Hugo's `{{< name args >}}` or `{{% /name %}}`, or Zola's
/// `{% name(args) %}` … `{% end %}` (a Zola closing tag has the name `end`).
struct Tag<'a> {
    closing: bool,
    name: &'a str,
    args: &'a str,
    zola: bool,
}

fn shortcode_line(line: &str) -> Option<Tag<'_>> {
    let t = line.trim();
    if let Some(inner) = t
        .strip_prefix("{%")
        .and_then(|r| r.strip_suffix("%}"))
        .map(str::trim)
        .filter(|i| !i.starts_with(['%', '/']))
    {
        if inner == "end" {
            return Some(Tag {
                closing: true,
                name: "end",
                args: "",
                zola: true,
            });
        }
        let (name, args) = zola_call(inner)?;
        return Some(Tag {
            closing: false,
            name,
            args,
            zola: true,
        });
    }
    let inner = t
        .strip_prefix("{{<")
        .and_then(|r| r.strip_suffix(">}}"))
        .or_else(|| t.strip_prefix("{{%").and_then(|r| r.strip_suffix("%}}")))?
        .trim();
    if inner.starts_with("/*") || inner.contains("{{") {
        return None;
    }
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r.trim()),
        None => (false, inner),
    };
    let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    Some(Tag {
        closing,
        name,
        args: args.trim(),
        zola: false,
    })
}

/// `name(args)` (a Zola shortcode call): (name, args).
fn zola_call(inner: &str) -> Option<(&str, &str)> {
    let open = inner.find('(')?;
    let name = inner[..open].trim();
    let args = inner[open + 1..].trim_end().strip_suffix(')')?;
    let ident = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ident.then_some((name, args))
}

/// The callout kind and title of a callout shortcode's arguments: `info`, `type="warning"`,
/// `context="danger"`, `title="Mind this"`.
fn shortcode_callout(args: &str) -> (&'static str, Option<String>) {
    let mut kind_word = None;
    let mut title = None;
    // Zola separates arguments with commas.
    for part in args.split(|c: char| c.is_whitespace() || c == ',') {
        let (k, v) = part.split_once('=').unwrap_or(("", part));
        let v = v.trim_matches(['"', '\'']);
        match k {
            "" | "type" | "context" | "color" | "style" if kind_word.is_none() => {
                kind_word = Some(v)
            }
            _ => {}
        }
    }
    if let Some(a) = args.find("title=") {
        let rest = args[a + 6..].trim_start();
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            title = rest[1..].split(q).next().map(str::to_string);
        }
    }
    let kind = kind_word.and_then(kind).map_or("note", |(k, _)| k);
    (kind, title)
}

/// Copies `line` (at source offset `at`), with Hugo and Zola shortcodes inline: `{{</* x */>}}` is the literal
/// `{{< x >}}`; another tag is left out (what it wraps stays) and named once per file. Inline code
/// is copied as it is.
fn inline_shortcodes(line: &str, at: usize, out: &mut Rewritten) {
    let mut i = 0;
    let mut copied = 0;
    let bytes = line.as_bytes();
    let flush = |out: &mut Rewritten, from: usize, to: usize| {
        if to > from {
            out.map.push((out.text.len(), at + from, true));
            out.text.push_str(&line[from..to]);
        }
    };
    while i < line.len() {
        if bytes[i] == b'`' {
            let n = line[i..].bytes().take_while(|&b| b == b'`').count();
            let ticks = &line[i..i + n];
            i = match line[i + n..].find(ticks) {
                Some(j) => i + n + j + n,
                None => i + n,
            };
            continue;
        }
        let open = if line[i..].starts_with("{{<") {
            Some(">}}")
        } else if line[i..].starts_with("{{%") {
            Some("%}}")
        } else {
            None
        };
        let Some(close) = open else {
            if let Some((n, tag)) = zola_tag(&line[i..]) {
                flush(out, copied, i);
                match tag {
                    ZolaTag::Literal(text) => {
                        out.map.push((out.text.len(), at + i, false));
                        out.text.push_str(&text);
                    }
                    ZolaTag::Unknown(name) => note_unknown(out, at + i, "Zola", name),
                    ZolaTag::End => {}
                }
                i += n;
                copied = i;
                continue;
            }
            i += line[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let Some(end) = line[i + 3..].find(close).map(|j| i + 3 + j) else {
            i += 3;
            continue;
        };
        let inner = line[i + 3..end].trim();
        flush(out, copied, i);
        if let Some(escaped) = inner.strip_prefix("/*").and_then(|r| r.strip_suffix("*/")) {
            // The escaped form shows the shortcode as written, without the escape.
            let (o, c) = if close == ">}}" {
                ("{{<", ">}}")
            } else {
                ("{{%", "%}}")
            };
            out.map.push((out.text.len(), at + i, false));
            out.text.push_str(&format!("{o} {} {c}", escaped.trim()));
        } else {
            let name = inner
                .trim_start_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or("");
            note_unknown(out, at + i, "Hugo", name);
        }
        i = end + 3;
        copied = i;
    }
    flush(out, copied, line.len());
}

/// A Zola shortcode tag at the start of `rest`, and where it ends.
enum ZolaTag<'a> {
    /// `{{/* x */}}`, `{%/* x */%}`: shown as `{{ x }}`, `{% x %}`.
    Literal(String),
    /// `{{ name(args) }}`, `{% name(args) %}`: left out, named once per file.
    Unknown(&'a str),
    /// `{% end %}`: left out (what it closes was named already).
    End,
}

fn zola_tag(rest: &str) -> Option<(usize, ZolaTag<'_>)> {
    let (open, close) = if rest.starts_with("{{") {
        ("{{", "}}")
    } else if rest.starts_with("{%") {
        ("{%", "%}")
    } else {
        return None;
    };
    let end = rest[2..].find(close)? + 2;
    let inner = rest[2..end].trim();
    let tag = if let Some(escaped) = inner.strip_prefix("/*").and_then(|r| r.strip_suffix("*/")) {
        ZolaTag::Literal(format!("{open} {} {close}", escaped.trim()))
    } else if open == "{%" && inner == "end" {
        ZolaTag::End
    } else {
        ZolaTag::Unknown(zola_call(inner)?.0)
    };
    Some((end + 2, tag))
}

/// A line of content tabs (any syntax in [`tabs`]): the HTML it becomes, with the stack updated.
fn tab_line(
    inner: &str,
    stack: &mut Vec<Open>,
    groups: &mut usize,
    text: &mut String,
    after: &[&str],
) -> Option<String> {
    let mut html = String::new();
    let close_to = |stack: &mut Vec<Open>, html: &mut String, keep: usize| {
        while stack.len() > keep {
            html.push_str(stack.pop().map(|o| o.close()).unwrap_or_default());
        }
    };
    let innermost = |stack: &[Open], kind: fn(&TabsKind) -> bool| {
        stack
            .iter()
            .rposition(|o| matches!(o, Open::Tabs(k, _) if kind(k)))
    };
    let mut open_group = |stack: &mut Vec<Open>, html: &mut String, kind, sync: Option<&str>| {
        *groups += 1;
        let (g, h) = tabs::Group::open(*groups, sync);
        html.push_str(&h);
        stack.push(Open::Tabs(kind, g));
    };
    let add_tab = |stack: &mut Vec<Open>,
                   html: &mut String,
                   text: &mut String,
                   label: &str,
                   value: Option<&str>,
                   default: bool| {
        if let Some(Open::Tabs(_, g)) = stack.last_mut() {
            // `html` goes into `text` right after what is there.
            let at = text.len() + html.len();
            let tab = g.tab(label, value, default, text, at);
            html.push_str(&tab);
        }
    };

    if let Some((indent, new, selected, label)) = tabs::mkdocs_tab(inner) {
        let continues = !new
            && matches!(stack.last(), Some(Open::Tabs(TabsKind::MkDocs(b), _)) if *b == indent);
        if !continues {
            open_group(stack, &mut html, TabsKind::MkDocs(indent), None);
        }
        add_tab(stack, &mut html, text, label, None, selected);
        stack.push(Open::Indented(indent + 4, false));
        return Some(html);
    }
    if let Some((colons, name, rest)) = colon_open(inner)
        && name.eq_ignore_ascii_case("tabs")
    {
        let sync = rest.and_then(|r| {
            r.split_whitespace()
                .find_map(|kv| kv.strip_prefix("key="))
                .map(|k| k.trim_matches(['"', '\'']))
        });
        open_group(stack, &mut html, TabsKind::Colons(colons), sync);
        return Some(html);
    }
    if let Some(label) = tabs::native_tab(inner)
        && let Some(g) = innermost(stack, |k| matches!(k, TabsKind::Colons(_)))
        && stack.len() - g <= 2
    {
        close_to(stack, &mut html, g + 1);
        add_tab(stack, &mut html, text, label, None, false);
        stack.push(Open::Tab(0));
        return Some(html);
    }
    match tabs::jsx(inner)? {
        tabs::Jsx::Tabs { sync } => open_group(stack, &mut html, TabsKind::Jsx, sync),
        tabs::Jsx::TabsEnd => {
            let g = innermost(stack, |k| *k == TabsKind::Jsx)?;
            close_to(stack, &mut html, g);
        }
        tabs::Jsx::Item {
            label,
            value,
            default,
        } => {
            let g = innermost(stack, |k| *k == TabsKind::Jsx)?;
            close_to(stack, &mut html, g + 1);
            let label = label.or(value).unwrap_or("Tab");
            add_tab(stack, &mut html, text, label, value, default);
            // MDX does not read indentation; Markdown would make an indented body code.
            let body = body_indent(after, |l| matches!(tabs::jsx(l), Some(tabs::Jsx::ItemEnd)));
            stack.push(Open::Tab(body));
        }
        tabs::Jsx::ItemEnd => {
            let t = stack.iter().rposition(|o| matches!(o, Open::Tab(_)))?;
            close_to(stack, &mut html, t);
        }
    }
    Some(html)
}

/// The indent of the first non-blank line of `after` (a JSX body: MDX ignores indentation,
/// Markdown would make it code), 0 when that line is `stop`.
fn body_indent(after: &[&str], stop: impl Fn(&str) -> bool) -> usize {
    after
        .iter()
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .find(|l| !l.trim().is_empty())
        .filter(|l| !stop(l))
        .map_or(0, indent_of)
}

/// A line that is one JSX tag of an MDX component: `<Aside type="tip" title="…">`, `</Aside>`,
/// `<TOCInline />`. Docusaurus's `Admonition`, Starlight's `Aside` are callouts, `Details`
/// collapsible, `Steps`, `Card`, `CardGrid` boxes; `TOCInline` goes; any other component's tags
/// go (what it wraps stays), named once per file.
fn component_line(
    labels: &Labels,
    inner: &str,
    start: usize,
    stack: &mut Vec<Open>,
    out: &mut Rewritten,
    after: &[&str],
) -> Option<String> {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[ \t]*<(/?)([A-Z][A-Za-z0-9_.]*)((?:[ \t][^<>]*)?)>[ \t]*$")
            .expect("valid regex")
    });
    let c = TAG.captures(inner)?;
    let closing = !c[1].is_empty();
    let name = c[2].to_string();
    let mut attrs = c.get(3).map_or("", |m| m.as_str()).trim();
    let self_closing = attrs.ends_with('/');
    if self_closing {
        attrs = attrs[..attrs.len() - 1].trim_end();
    }
    if closing {
        let i = stack
            .iter()
            .rposition(|o| matches!(o, Open::Jsx(n, _, _) if *n == name))?;
        let mut html = String::new();
        while stack.len() > i {
            html.push_str(stack.pop().map(|o| o.close()).unwrap_or_default());
        }
        return Some(html);
    }
    let attr = |key: &str| tabs::attr(attrs, key).map(str::to_string);
    let (html, close) = match name.as_str() {
        "Admonition" | "Aside" | "Callout" => {
            let t = attr("type").unwrap_or_else(|| "note".into());
            let k = kind(&t).map_or("note", |(k, _)| k);
            let title = attr("title").unwrap_or_else(|| default_title(labels, k, &t));
            (open_html(k, Some(&title), None), "\n</div>\n\n")
        }
        "Details" => {
            let summary = attr("summary").unwrap_or_else(|| labels.details.clone());
            (
                open_html("note", Some(&summary), Some(false)),
                "\n</details>\n\n",
            )
        }
        "Steps" => ("<div class=\"mdx-steps\">\n\n".to_string(), "\n</div>\n\n"),
        "CardGrid" => (
            "<div class=\"mdx-card-grid\">\n\n".to_string(),
            "\n</div>\n\n",
        ),
        "Card" | "LinkCard" => {
            let title = attr("title").map(|t| escape_attr(&t)).unwrap_or_default();
            let head = match attr("href") {
                Some(h) => format!(
                    "<p class=\"mdx-card-title\"><a href=\"{}\">{title}</a></p>",
                    escape_attr(&h)
                ),
                None if title.is_empty() => String::new(),
                None => format!("<p class=\"mdx-card-title\">{title}</p>"),
            };
            let body = attr("description")
                .map(|d| format!("<p>{}</p>", escape_attr(&d)))
                .unwrap_or_default();
            (
                format!("<div class=\"mdx-card\">{head}{body}\n\n"),
                "\n</div>\n\n",
            )
        }
        "TOCInline" => (String::new(), ""),
        _ => {
            note_unknown(out, start, "MDX component", &name);
            (String::new(), "\n")
        }
    };
    if !self_closing {
        let indent = body_indent(after, |l| l.trim_start().starts_with(&format!("</{name}>")));
        stack.push(Open::Jsx(name, close, indent));
    } else if !close.is_empty() {
        return Some(format!("{html}{close}"));
    }
    Some(html)
}

fn note_unknown(out: &mut Rewritten, at: usize, tool: &'static str, name: &str) {
    if !name.is_empty() && !out.unknown_shortcodes.iter().any(|(_, _, n)| n == name) {
        out.unknown_shortcodes.push((at, tool, name.to_string()));
    }
}

/// Rewrites the containers of `body`; `None` when it has none (the common case costs one scan).
pub fn rewrite(body: &str, mdx: bool, labels: &Labels) -> Option<Rewritten> {
    let mdx_syntax = mdx
        && (body.contains("import ")
            || body.contains("export ")
            || body.contains("{/*")
            || body.contains('<'));
    if !mdx_syntax
        && !body.contains(":::")
        && !body.contains("!!!")
        && !body.contains("???")
        && !body.contains("{{")
        && !body.contains("{%")
        && !body.contains("===")
        && !body.contains("<Tabs")
    {
        return None;
    }
    let mut out = Rewritten {
        text: String::with_capacity(body.len() + 256),
        map: Vec::new(),
        unknown_shortcodes: Vec::new(),
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut changed = false;
    let mut at = 0;
    let mut groups = 0;
    // MDX: inside a top-level `import`/`export` block (it ends at a blank line), a `{/* */}`.
    let mut esm = false;
    let mut comment = false;
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    for (li, &line) in lines.iter().enumerate() {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let blank = content.trim().is_empty();
        if esm && blank {
            esm = false;
        } else if mdx
            && fence.is_none()
            && stack.is_empty()
            && !comment
            && (esm || content.starts_with("import ") || content.starts_with("export "))
        {
            esm = true;
            changed = true;
            continue;
        }
        let in_fence = fence.is_some();
        // MkDocs bodies end at the first line indented less than the body.
        if !blank {
            while let Some(Open::Indented(n, _)) = stack.last() {
                if indent_of(content) >= *n {
                    break;
                }
                let close = stack.pop().map(|o| o.close()).unwrap_or_default();
                out.map.push((out.text.len(), start, false));
                out.text.push_str(close);
            }
        }
        // MkDocs tabs end at the first line indented no more than their `===` (another `===` at
        // that indent goes on with the group).
        if !blank {
            while let Some(Open::Tabs(TabsKind::MkDocs(b), _)) = stack.last() {
                let ind = indent_of(content);
                let more = tabs::mkdocs_tab(content).is_some_and(|(i, new, _, _)| i == *b && !new);
                if ind > *b || more {
                    break;
                }
                let close = stack.pop().map(|o| o.close()).unwrap_or_default();
                out.map.push((out.text.len(), start, false));
                out.text.push_str(close);
            }
        }
        let strip = match stack.iter().rev().find(|o| {
            matches!(
                o,
                Open::Indented(..) | Open::Tab(1..) | Open::Jsx(_, _, 1..)
            )
        }) {
            Some(Open::Indented(n, _) | Open::Tab(n) | Open::Jsx(_, _, n)) if !blank => {
                strip_indent(content, *n)
            }
            _ => 0,
        };
        let inner = &content[strip..];
        fence = super::fence::after(fence, inner, 3);
        if !in_fence && fence.is_none() {
            let replaced = if let Some(html) = tab_line(
                inner,
                &mut stack,
                &mut groups,
                &mut out.text,
                &lines[li + 1..],
            ) {
                Some(html)
            } else if mdx
                && let Some(html) =
                    component_line(labels, inner, start, &mut stack, &mut out, &lines[li + 1..])
            {
                Some(html)
            } else if let Some((colons, name, title)) = colon_open(inner)
                && let Some((kind, details)) = kind(name)
            {
                stack.push(Open::Colons(colons, details));
                let title = title
                    .map(str::to_string)
                    .or_else(|| Some(default_title(labels, kind, name)));
                Some(open_html(kind, title.as_deref(), details.then_some(false)))
            } else if let Some(n) = colon_close(inner)
                && let Some(i) = stack.iter().rposition(|o| match o {
                    Open::Colons(c, _) | Open::Tabs(TabsKind::Colons(c), _) => *c <= n,
                    _ => false,
                })
            {
                let mut s = String::new();
                while stack.len() > i {
                    s.push_str(stack.pop().map(|o| o.close()).unwrap_or_default());
                }
                Some(s)
            } else if let Some(tag) = shortcode_line(inner)
                && (tag.zola || CALLOUT_SHORTCODES.contains(&tag.name))
            {
                let Tag {
                    closing,
                    name,
                    args,
                    zola,
                } = tag;
                if closing {
                    // Zola's `{% end %}` closes the innermost Zola callout.
                    match stack.iter().rposition(|o| match o {
                        Open::Shortcode(n) => n == name || (zola && n.ends_with("()")),
                        Open::Unknown => zola,
                        _ => false,
                    }) {
                        Some(i) => {
                            let mut s = String::new();
                            while stack.len() > i {
                                s.push_str(stack.pop().map(|o| o.close()).unwrap_or_default());
                            }
                            Some(s)
                        }
                        None => Some(String::new()),
                    }
                } else if zola && !CALLOUT_SHORTCODES.contains(&name) {
                    stack.push(Open::Unknown);
                    note_unknown(&mut out, start, "Zola", name);
                    Some(String::new())
                } else {
                    let (kind, title) = shortcode_callout(args);
                    stack.push(Open::Shortcode(if zola {
                        format!("{name}()")
                    } else {
                        name.to_string()
                    }));
                    let title = title.or_else(|| Some(default_title(labels, kind, kind)));
                    Some(open_html(kind, title.as_deref(), None))
                }
            } else if let Some((collapsible, name, title)) = mkdocs_open(inner)
                && let Some((kind, _)) = kind(name)
            {
                let base = indent_of(&content[..strip]);
                stack.push(Open::Indented(base + 4, collapsible.is_some()));
                let title = match title {
                    Some(t) => Some(t.to_string()),
                    None => Some(default_title(labels, kind, name)),
                };
                Some(open_html(kind, title.as_deref(), collapsible))
            } else {
                None
            };
            if let Some(html) = replaced {
                changed = true;
                out.map.push((out.text.len(), start, false));
                out.text.push_str(&html);
                continue;
            }
        }
        if strip > 0 {
            changed = true;
        }
        if mdx && !in_fence && (comment || content.contains("{/*")) {
            // MDX comments go; the line's end stays, so the lines after keep their numbers.
            changed = true;
            let piece = &content[strip..];
            let mut i = 0;
            while i < piece.len() {
                let (find, closing) = if comment {
                    ("*/}", true)
                } else {
                    ("{/*", false)
                };
                let j = piece[i..].find(find).map(|j| i + j);
                if !closing {
                    let end = j.unwrap_or(piece.len());
                    out.map.push((out.text.len(), start + strip + i, true));
                    out.text.push_str(&piece[i..end]);
                }
                match j {
                    Some(j) => {
                        i = j + 3;
                        comment = !closing;
                    }
                    None => i = piece.len(),
                }
            }
            out.map.push((out.text.len(), start + content.len(), true));
            out.text.push_str(&line[content.len()..]);
            continue;
        }
        if !in_fence && (content.contains("{{") || content.contains("{%")) {
            changed = true;
            inline_shortcodes(&line[strip..], start + strip, &mut out);
            continue;
        }
        out.map.push((out.text.len(), start + strip, true));
        out.text.push_str(&line[strip..]);
    }
    let end = body.len();
    while let Some(o) = stack.pop() {
        out.map.push((out.text.len(), end, false));
        out.text.push_str(o.close());
        changed = true;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_containers_of_each_tool() {
        let r = rewrite(":::note Read this\nBody *text*.\n:::\n\n::: tip\nTip body\n:::\n\n:::danger[Careful]\nx\n:::\n", false, &Labels::default()).unwrap();
        assert!(r.text.contains("<div class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Read this</p>"), "{}", r.text);
        assert!(
            r.text.contains("<p class=\"callout-title\">Tip</p>"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .contains("callout-caution\" role=\"note\"><p class=\"callout-title\">Careful</p>"),
            "{}",
            r.text
        );
        assert_eq!(r.text.matches("</div>").count(), 3);
        // `Body *text*.` maps back to its own bytes.
        let at = r.text.find("Body").unwrap();
        assert_eq!(r.source(at), ":::note Read this\n".len());
    }

    #[test]
    fn mkdocs_admonitions_with_indented_bodies() {
        let src = "!!! warning \"Mind the gap\"\n    First line.\n\n    - a list\n\nAfter.\n\n??? tip\n    Hidden.\n";
        let r = rewrite(src, false, &Labels::default()).unwrap();
        assert!(
            r.text
                .contains("<p class=\"callout-title\">Mind the gap</p>"),
            "{}",
            r.text
        );
        assert!(r.text.contains("\nFirst line.\n"), "{}", r.text);
        assert!(r.text.contains("\n- a list\n"), "{}", r.text);
        let close = r.text.find("</div>").unwrap();
        assert!(close < r.text.find("After.").unwrap());
        assert!(r.text.contains("<details class=\"callout callout-tip\"><summary class=\"callout-title\">Tip</summary>"), "{}", r.text);
        let at = r.text.find("First").unwrap();
        assert_eq!(&src[r.source(at)..r.source(at) + 5], "First");
    }

    #[test]
    fn fenced_code_and_unknown_types_stay_as_written() {
        assert!(rewrite("```\n:::note\n```\n", false, &Labels::default()).is_none());
        assert!(rewrite(":::js\nx\n:::\n", false, &Labels::default()).is_none());
        assert!(rewrite("Is it? ??? yes\n", false, &Labels::default()).is_none());
    }

    #[test]
    fn mdx_imports_exports_and_comments_go_and_lines_keep_their_numbers() {
        let src = "import Tabs from '@theme/Tabs';\nimport {\n  X,\n} from 'y';\n\n# Title {/* hidden */}\n\nText {/* a\nmulti-line */} after.\n\n```js\nimport a from 'b';\n```\n";
        let r = rewrite(src, true, &Labels::default()).unwrap();
        assert!(
            !r.text.contains("import Tabs") && !r.text.contains("from 'y'"),
            "{}",
            r.text
        );
        assert!(r.text.contains("# Title \n"), "{}", r.text);
        assert!(r.text.contains("Text \n after."), "{}", r.text);
        assert!(
            r.text.contains("import a from 'b';"),
            "code stays: {}",
            r.text
        );
        let at = r.text.find("after").unwrap();
        assert_eq!(&src[r.source(at)..r.source(at) + 5], "after");
        // Only MDX files: in Markdown `import ` starts a sentence.
        assert!(rewrite("import your data\n", false, &Labels::default()).is_none());
    }

    #[test]
    fn hugo_shortcodes_callouts_escapes_and_unknown_ones() {
        let src = "{{< hint warning >}}\nMind **this**.\n{{< /hint >}}\n\nSee {{< ref \"x.md\" >}} and `{{< code >}}`, written {{</* figure src=\"a.png\" */>}}.\n\n{{% notice tip %}}\nTip text\n{{% /notice %}}\n";
        let r = rewrite(src, false, &Labels::default()).unwrap();
        assert!(r.text.contains("<div class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Warning</p>"), "{}", r.text);
        assert!(r.text.contains("callout callout-tip"), "{}", r.text);
        assert_eq!(r.text.matches("</div>").count(), 2, "{}", r.text);
        assert!(
            r.text
                .contains("See  and `{{< code >}}`, written {{< figure src=\"a.png\" >}}."),
            "{}",
            r.text
        );
        assert_eq!(r.unknown_shortcodes.len(), 1);
        assert_eq!(&src[r.unknown_shortcodes[0].0..][..5], "{{< r");
        let r = rewrite("{% tip(title=\"Hi, you\") %}\nBody\n{% end %}\n\n{% chart() %}\nx\n{% end %}\n\nA {{ youtube(id=\"x\") }} b {{/* gist(url=\"u\") */}} {{ name }}\n", false, &Labels::default()).unwrap();
        assert!(
            r.text.contains("<p class=\"callout-title\">Hi, you</p>"),
            "{}",
            r.text
        );
        assert!(r.text.contains("Body\n\n</div>"), "{}", r.text);
        assert!(r.text.contains("\nx\n"), "{}", r.text);
        assert!(!r.text.contains("{%"), "{}", r.text);
        assert!(
            r.text.contains("A  b {{ gist(url=\"u\") }} {{ name }}"),
            "{}",
            r.text
        );
        let names: Vec<_> = r
            .unknown_shortcodes
            .iter()
            .map(|(_, t, n)| format!("{t} {n}"))
            .collect();
        assert_eq!(names, ["Zola chart", "Zola youtube"]);
    }

    #[test]
    fn nested_colon_containers_close_in_order() {
        let r = rewrite(
            "::::info Outer\n:::tip Inner\nx\n:::\n::::\n",
            false,
            &Labels::default(),
        )
        .unwrap();
        let inner_close = r.text.find("</div>").unwrap();
        assert!(r.text.rfind("</div>").unwrap() > inner_close);
        assert_eq!(r.text.matches("</div>").count(), 2);
    }
}
