//! Fenced code highlighted when the page is built, no script: syntect's grammars (bat's set, from
//! two-face) tokenise the code, and each token gets one short class for what it is (`hl-k` a
//! keyword, `hl-s` a string, `hl-c` a comment...) that the theme colours for light and dark.
//!
//! The fence's info string is read as the tools write it: the language first (`rust`,
//! `rust,ignore`, `js{4}`), then a title (`title="main.rs"`, VitePress's `[main.rs]`) and lines to
//! mark (`{2,4-6}`, `hl_lines="2 3"`, `hl_lines=[8,"15-17"]`, `hl_lines=1 3-5`). A language
//! without a grammar is plain text, without a warning.

use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter, ScopeSelectors, StyleModifier, Theme,
    ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};

use crate::html::escape_attr;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Token kinds, by the index a theme rule stores in its colour's red channel.
const CLASSES: [&str; 15] = [
    "", "c", "k", "s", "n", "f", "t", "v", "g", "a", "o", "i", "d", "h", "e",
];

/// Scope selectors to kinds (indexes into [`CLASSES`]); syntect picks the most specific match.
const RULES: &[(&str, u8)] = &[
    ("comment, punctuation.definition.comment", 1),
    ("keyword, storage, keyword.control", 2),
    ("keyword.operator", 10),
    ("string, markup.inline.raw, markup.raw", 3),
    ("constant, support.constant, constant.language", 4),
    (
        "entity.name.function, support.function, support.macro, variable.function, meta.function-call entity.name",
        5,
    ),
    (
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, support.type, support.class, entity.other.inherited-class, storage.type.primitive",
        6,
    ),
    (
        "variable.parameter, variable.language, variable.other.readwrite.shell",
        7,
    ),
    ("entity.name.tag", 8),
    (
        "entity.other.attribute-name, support.type.property-name, meta.mapping.key string, meta.object-literal.key",
        9,
    ),
    ("markup.inserted", 11),
    ("markup.deleted", 12),
    (
        "markup.heading, entity.name.section, meta.diff.range, meta.diff.header",
        13,
    ),
    ("string.regexp, constant.character.escape", 14),
];

static THEME: LazyLock<Theme> = LazyLock::new(|| Theme {
    settings: ThemeSettings {
        foreground: Some(kind_color(0)),
        ..ThemeSettings::default()
    },
    scopes: RULES
        .iter()
        .filter_map(|(sel, kind)| {
            Some(ThemeItem {
                scope: ScopeSelectors::from_str(sel).ok()?,
                style: StyleModifier {
                    foreground: Some(kind_color(*kind)),
                    background: None,
                    font_style: None,
                },
            })
        })
        .collect(),
    ..Theme::default()
});

/// Made once: making it compiles every rule's selectors.
static HIGHLIGHTER: LazyLock<Highlighter<'static>> = LazyLock::new(|| Highlighter::new(&THEME));

/// A block's grammar state, line to line.
struct Lines {
    parse: ParseState,
    state: HighlightState,
}

impl Lines {
    fn new(syntax: &SyntaxReference) -> Lines {
        Lines {
            parse: ParseState::new(syntax),
            state: HighlightState::new(&HIGHLIGHTER, ScopeStack::new()),
        }
    }
}

fn kind_color(kind: u8) -> Color {
    Color {
        r: kind,
        g: 0,
        b: 0,
        a: 0xff,
    }
}

/// Code as HTML text: `&`, `<`, `>` escaped (quotes need no escape outside attributes).
fn escape_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>')) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What a fence's info string says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fence {
    pub lang: String,
    pub title: Option<String>,
    /// Lines to mark, 1-based.
    pub marked: Vec<RangeInclusive<usize>>,
}

pub fn parse_info(info: &str) -> Fence {
    static TITLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:^|[\s,{])title=(?:"([^"]*)"|'([^']*)'|([^\s,}]+))|(?:^|\s)\[([^\]]+)\]"#)
            .expect("valid regex")
    });
    static BRACES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([\d,\s-]+)\}").expect("valid regex"));
    static HL_LINES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"hl_lines\s*=\s*(?:"([^"]*)"|'([^']*)'|\[([^\]]*)\]|([\d\s-]+))"#)
            .expect("valid regex")
    });
    let info = info.trim();
    let end = info
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | ':' | '['))
        .unwrap_or(info.len());
    let lang = info[..end].trim_start_matches('.').to_ascii_lowercase();
    let rest = &info[end..];
    let title = TITLE.captures(rest).and_then(|c| {
        (1..=4)
            .find_map(|i| c.get(i))
            .map(|m| m.as_str().trim().to_string())
            .filter(|t| !t.is_empty())
    });
    let mut marked = Vec::new();
    let mut add = |spec: &str| {
        for part in spec.split(|c: char| c == ',' || c.is_whitespace()) {
            let part = part.trim_matches(['"', '\'']);
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            if let (Ok(a), Ok(b)) = (a.trim().parse::<usize>(), b.trim().parse::<usize>())
                && a >= 1
                && a <= b
            {
                marked.push(a..=b);
            }
        }
    };
    if let Some(c) = HL_LINES.captures(rest) {
        if let Some(m) = (1..=4).find_map(|i| c.get(i)) {
            add(m.as_str());
        }
    } else if let Some(c) = BRACES.captures(rest) {
        add(&c[1]);
    }
    Fence {
        lang,
        title,
        marked,
    }
}

/// The grammar for a fence's language, `None` for plain text.
fn syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let ss = &*SYNTAXES;
    if lang.is_empty()
        || matches!(
            lang,
            "text" | "txt" | "plain" | "plaintext" | "none" | "output" | "log" | "mermaid"
        )
    {
        return None;
    }
    let name = match lang {
        "shell" | "zsh" | "console" | "terminal" | "shell-session" | "shellsession"
        | "sh-session" => "Bourne Again Shell (bash)",
        "csharp" | "c-sharp" => "C#",
        "pwsh" | "ps" | "posh" => "PowerShell",
        "golang" => "Go",
        "docker" => "Dockerfile",
        "jsonc" | "json5" => "JSON",
        "objc" | "objective-c" => "Objective-C",
        "py3" | "python3" => "Python",
        "node" => "JavaScript",
        _ => return ss.find_syntax_by_token(lang),
    };
    ss.find_syntax_by_name(name)
        .or_else(|| ss.find_syntax_by_token(lang))
}

/// A console session: prompts start commands, the other lines are output.
fn is_session(lang: &str) -> bool {
    matches!(
        lang,
        "console" | "terminal" | "shell-session" | "shellsession" | "sh-session"
    )
}

/// The `<pre>` (and title) of a fenced code block.
pub fn render(code: &str, fence: &Fence) -> String {
    let mut out = String::with_capacity(code.len() * 3 + 64);
    if let Some(t) = &fence.title {
        out.push_str("<div class=\"code-block\"><div class=\"code-title\">");
        out.push_str(&escape_text(t));
        out.push_str("</div>");
    }
    out.push_str("<pre><code");
    if !fence.lang.is_empty() {
        out.push_str(" class=\"language-");
        out.push_str(&escape_attr(&fence.lang));
        out.push('"');
    }
    out.push('>');
    let mut hl = syntax(&fence.lang).map(Lines::new);
    let session = is_session(&fence.lang);
    for (n, line) in code.split_inclusive('\n').enumerate() {
        let marked = fence.marked.iter().any(|r| r.contains(&(n + 1)));
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if marked {
            out.push_str("<span class=\"hl-line\">");
        }
        if session {
            match ["$ ", "# ", "> ", "% "]
                .iter()
                .find(|p| body.starts_with(**p))
            {
                Some(p) => {
                    out.push_str("<span class=\"hl-gp\">");
                    out.push_str(&escape_text(p));
                    out.push_str("</span>");
                    tokens(&mut out, &mut hl, &line[p.len()..]);
                }
                None => {
                    out.push_str("<span class=\"hl-go\">");
                    out.push_str(&escape_text(body));
                    out.push_str("</span>");
                }
            }
        } else {
            tokens(&mut out, &mut hl, line);
        }
        if marked {
            out.push_str("</span>");
        }
        out.push_str(newline);
    }
    out.push_str("</code></pre>");
    if fence.title.is_some() {
        out.push_str("</div>");
    }
    out.push('\n');
    out
}

/// One line's tokens (the grammar reads the line with its newline, which is not written here),
/// adjacent ones of a kind merged.
fn tokens(out: &mut String, hl: &mut Option<Lines>, line: &str) {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let Some(h) = hl else {
        out.push_str(&escape_text(body));
        return;
    };
    let Ok(ops) = h.parse.parse_line(line, &SYNTAXES) else {
        // A grammar that fails on a line leaves the rest of the block plain.
        *hl = None;
        out.push_str(&escape_text(body));
        return;
    };
    let mut open: &str = "";
    for (style, text) in HighlightIterator::new(&mut h.state, &ops, line, &HIGHLIGHTER) {
        let text = text.strip_suffix('\n').unwrap_or(text);
        if text.is_empty() {
            continue;
        }
        let class = CLASSES
            .get(style.foreground.r as usize)
            .copied()
            .unwrap_or("");
        // Spaces carry no colour: they join the token before them.
        let class = if text.trim().is_empty() { open } else { class };
        if class != open {
            if !open.is_empty() {
                out.push_str("</span>");
            }
            if !class.is_empty() {
                out.push_str("<span class=\"hl-");
                out.push_str(class);
                out.push_str("\">");
            }
            open = class;
        }
        out.push_str(&escape_text(text));
    }
    if !open.is_empty() {
        out.push_str("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings_as_each_tool_writes_them() {
        let f = parse_info("js title=\"/src/x.js\" {1,4-6} showLineNumbers");
        assert_eq!(
            (f.lang.as_str(), f.title.as_deref()),
            ("js", Some("/src/x.js"))
        );
        assert_eq!(f.marked, vec![1..=1, 4..=6]);
        let f = parse_info("py title=\"bubble_sort.py\" hl_lines=\"2 3\" linenums=\"1\"");
        assert_eq!(f.marked, vec![2..=2, 3..=3]);
        let f = parse_info("go {linenos=table,hl_lines=[8,\"15-17\"],linenostart=199}");
        assert_eq!(
            (f.lang.as_str(), f.marked.clone()),
            ("go", vec![8..=8, 15..=17])
        );
        let f = parse_info("rust,linenos,hl_lines=1 3-5 9");
        assert_eq!(
            (f.lang.as_str(), f.marked.clone()),
            ("rust", vec![1..=1, 3..=5, 9..=9])
        );
        let f = parse_info("ts{4}");
        assert_eq!((f.lang.as_str(), f.marked.clone()), ("ts", vec![4..=4]));
        assert_eq!(
            parse_info("js [config.js]").title.as_deref(),
            Some("config.js")
        );
        assert_eq!(parse_info("rust,ignore").lang, "rust");
    }

    #[test]
    fn tokens_get_kinds_and_the_text_stays() {
        let html = render(
            "fn main() {\n    // hi\n    let s = \"x\";\n}\n",
            &parse_info("rust {2}"),
        );
        assert!(
            html.starts_with("<pre><code class=\"language-rust\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-k\">fn </span><span class=\"hl-f\">main</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-line\">    <span class=\"hl-c\">// hi</span></span>\n"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-s\">\"x\"</span>"), "{html}");
        let text = Regex::new("<[^>]+>").unwrap().replace_all(&html, "");
        assert_eq!(text, "fn main() {\n    // hi\n    let s = \"x\";\n}\n\n");
    }

    #[test]
    fn every_language_docs_use_has_a_grammar() {
        for lang in [
            "sh",
            "bash",
            "shell",
            "console",
            "powershell",
            "ps1",
            "json",
            "yaml",
            "yml",
            "toml",
            "ini",
            "xml",
            "html",
            "css",
            "js",
            "javascript",
            "ts",
            "typescript",
            "jsx",
            "tsx",
            "python",
            "py",
            "rust",
            "rs",
            "go",
            "java",
            "kotlin",
            "kt",
            "swift",
            "c",
            "cpp",
            "c++",
            "csharp",
            "cs",
            "c#",
            "php",
            "ruby",
            "rb",
            "sql",
            "diff",
            "dockerfile",
            "nginx",
            "http",
            "graphql",
            "markdown",
            "md",
        ] {
            assert!(syntax(lang).is_some(), "no grammar for `{lang}`");
        }
        assert!(syntax("no-such-language").is_none());
    }

    #[test]
    fn sessions_split_prompts_from_output() {
        let html = render("$ kbfresh build\nBuilt 3 pages\n", &parse_info("console"));
        assert!(html.contains("<span class=\"hl-gp\">$ </span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-go\">Built 3 pages</span>"),
            "{html}"
        );
    }
}
