//! Includes and variables, expanded before anything else reads an article's Markdown, with a map
//! from every byte of the result back to the file and offset it came from:
//!
//! - mdBook (in an mdBook only): `{{#include path}}`, `path:3`, `path::10`, `path:2:`, `path:2:10`,
//!   `path:anchor` (between `ANCHOR: anchor` and `ANCHOR_END: anchor` lines, which are left out),
//!   and `{{#rustdoc_include …}}` (only the selected lines: the rest would be hidden) and
//!   `{{#playground path}}` (a Rust code block); `\{{#…}}` is the directive as written. As in
//!   mdBook, a directive is `{{#name target}}` with whitespace and a target, a selector that is not
//!   a number is an anchor name, and a name mdBook does not know stays as written;
//! - MkDocs snippets (in an MkDocs project only): `--8<-- "path"` on a line of its own (the
//!   marker's indent prefixes every included line), `path:2:4`, `path:name` (between
//!   `--8<-- [start:name]` and `--8<-- [end:name]`), a block of paths between two bare `--8<--`
//!   lines; `;--8<--` is the marker as written;
//! - kbfresh: `{{< include "path" >}}` and `{{ vars.name }}` (from `[vars]` of kbfresh.toml);
//!   `\{{…}}` is the text as written.
//!
//! Inline code is never a directive (only its escapes lose their backslash, as in mdBook); fenced
//! code is, since that is how listings are pulled in. An included file may include others; a loop
//! is an error naming the chain. Links, images and headings of an included file are the article's,
//! as if written where the directive is. What the source tool forgives (a missing file or anchor)
//! is a warning in its dialect, the directive left as written; an include that would publish what
//! is not the site's (a path outside it, under `.git`, a dotfile) is an error in every dialect.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::config::Dialect;
use crate::diagnostics::{Diagnostic, LineIndex};

/// Which directives a site's files are read with, and how failures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    /// mdBook's `{{#include}}`, `{{#rustdoc_include}}`, `{{#playground}}`.
    pub mdbook: bool,
    /// pymdownx.snippets' `--8<--`.
    pub snippets: bool,
    /// A missing file, line range, anchor or variable is the source tool's to forgive: a warning,
    /// the directive left as written. kbfresh's own sites stop at them.
    pub lenient: bool,
}

impl Syntax {
    /// kbfresh's own sites: its native include and variables, failures are errors.
    pub const NATIVE: Syntax = Syntax {
        mdbook: false,
        snippets: false,
        lenient: false,
    };

    /// The directives of the tool a site was written for (`None`: kbfresh's own).
    pub fn of(dialect: Option<Dialect>) -> Syntax {
        match dialect {
            None | Some(Dialect::Plain) => Syntax::NATIVE,
            Some(d) => Syntax {
                mdbook: d == Dialect::MdBook,
                snippets: d == Dialect::MkDocs,
                lenient: true,
            },
        }
    }
}

/// A file whose text is part of an article.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Absolute and canonical: how a loop is recognised.
    pub abs: PathBuf,
    /// As shown to users.
    pub shown: Arc<Path>,
    pub text: Arc<str>,
}

/// Where a directive's path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The including file's folder (mdBook, kbfresh), then the site root; `/path` is from the
    /// site root.
    File,
    /// MkDocs snippets: the project root (pymdownx's default `base_path`), then the including
    /// file's folder.
    Project,
}

/// Reads the files directives name (the content stage gives the file system; tests a map).
pub trait Files: Sync {
    /// The file `target` names, written in the file at `from`; `Err` says what is wrong.
    fn open(&self, from: &Path, target: &str, base: Base) -> Result<Origin, NotRead>;
}

/// An article's body with its includes and variables expanded.
#[derive(Debug, Clone)]
pub struct Expanded {
    pub text: String,
    /// `files[0]` is the article; the others are what it includes, each once.
    pub files: Vec<Origin>,
    map: Vec<Piece>,
}

/// A run of the text: copied from `file` at `at` (byte for byte), or inserted in its place.
#[derive(Debug, Clone, Copy)]
struct Piece {
    out: usize,
    file: usize,
    at: usize,
    copied: bool,
}

impl Expanded {
    /// The file (index into `files`) and the offset in it of byte `offset` of the text.
    pub fn origin(&self, offset: usize) -> (usize, usize) {
        match self.map.partition_point(|p| p.out <= offset) {
            0 => (0, offset),
            i => {
                let p = self.map[i - 1];
                (
                    p.file,
                    if p.copied {
                        p.at + (offset - p.out)
                    } else {
                        p.at
                    },
                )
            }
        }
    }

    /// Byte `offset` of the text is the file's byte at [`Expanded::origin`] (not inserted text).
    pub fn is_copied(&self, offset: usize) -> bool {
        match self.map.partition_point(|p| p.out <= offset) {
            0 => true,
            i => self.map[i - 1].copied,
        }
    }

    /// The files the article includes (not itself).
    pub fn included(&self) -> &[Origin] {
        &self.files[1..]
    }
}

/// The text may hold a directive: the test every article without one stops at.
pub fn may_hold(body: &str) -> bool {
    body.contains("{{") || body.contains("8<-")
}

/// kbfresh's own directives: `{{< include "path" >}}`, `{{ vars.name }}`, each with its escape.
const NATIVE: &str = concat!(
    r"(?P<nesc>\\)?\{\{(?:",
    r#"<[ \t]*include[ \t]+"(?P<inc>[^"\n]*)"[ \t]*>"#,
    r"|[ \t]*vars\.(?P<var>[A-Za-z0-9_-]+)[ \t]*",
    r")\}\}"
);

static INLINE_NATIVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(NATIVE).expect("valid regex"));

/// mdBook's links (its own pattern: the escape runs to the line's last `}}`; a directive needs
/// whitespace and a target), then kbfresh's.
static INLINE_MDBOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<mesc>\\\{{\{{#.*\}}\}})|\{{\{{\s*#(?P<name>[A-Za-z0-9_]+)\s+(?P<args>[^}}\n]+)\}}\}}|{NATIVE}"
    ))
    .expect("valid regex")
});

static SNIPPET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^([ \t]*)(;?)(-+8<-+)[ \t]+(?:"([^"]*)"|'([^']*)')[ \t]*\r?$"#)
        .expect("valid regex")
});

static SNIPPET_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([ \t]*)-+8<-+[ \t]*\r?$").expect("valid regex"));

static SECTION_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-+8<-+[ \t]*\[(start|end):([\w-]+)\]").expect("valid regex"));

static ANCHOR_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"ANCHOR(_END)?:\s*([\w-]+)").expect("valid regex"));

/// How large an article may grow through its includes, and how many includes it may expand: far
/// past any real book, short of what a nest of files including each other many times could take
/// (an XML parser's entity limits).
const MAX_EXPANDED: usize = 16 << 20;
const MAX_EXPANSIONS: usize = 20_000;

/// Expands `article`'s body (from `body_start`) with the directives of `syntax`. `None` when it
/// holds no directive.
pub fn expand(
    article: Origin,
    body_start: usize,
    vars: &BTreeMap<String, String>,
    files: &dyn Files,
    syntax: Syntax,
) -> (Option<Expanded>, Vec<Diagnostic>) {
    if !may_hold(&article.text[body_start..]) {
        return (None, Vec::new());
    }
    let end = article.text.len();
    let mut x = Expander {
        out: String::new(),
        map: Vec::new(),
        files: vec![article],
        diags: Vec::new(),
        vars,
        fs: files,
        syntax,
        changed: false,
        expansions: 0,
        over: false,
    };
    let mut chain = vec![0];
    x.run(0, body_start..end, &mut chain, "", false);
    let changed = x.changed;
    let Expander {
        out,
        map,
        files,
        diags,
        ..
    } = x;
    (
        changed.then_some(Expanded {
            text: out,
            files,
            map,
        }),
        diags,
    )
}

/// Why a directive's file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRead {
    /// Not there, a folder, not text: what the source tool forgives in its dialect.
    Missing(String),
    /// Outside what may be published (outside the site, under `.git`, a dotfile): never read.
    Refused(String),
}

struct Expander<'a> {
    out: String,
    map: Vec<Piece>,
    files: Vec<Origin>,
    diags: Vec<Diagnostic>,
    vars: &'a BTreeMap<String, String>,
    fs: &'a dyn Files,
    syntax: Syntax,
    changed: bool,
    expansions: usize,
    /// The article went past [`MAX_EXPANDED`] or [`MAX_EXPANSIONS`]: said once, nothing more read.
    over: bool,
}

/// How deep includes may nest: far past any real use, short of a stack overflow.
const MAX_DEPTH: usize = 32;

impl Expander<'_> {
    fn copy(&mut self, file: usize, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.map.push(Piece {
            out: self.out.len(),
            file,
            at: range.start,
            copied: true,
        });
        let text = Arc::clone(&self.files[file].text);
        self.out.push_str(&text[range]);
    }

    fn insert(&mut self, file: usize, at: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        self.map.push(Piece {
            out: self.out.len(),
            file,
            at,
            copied: false,
        });
        self.out.push_str(s);
    }

    fn diag(&mut self, d: Diagnostic, file: usize, at: usize) {
        let f = &self.files[file];
        let (line, col) = LineIndex::new(&f.text).line_col(at);
        let shown = f.shown.to_path_buf();
        self.diags.push(d.at(shown, line, col));
    }

    /// An error, or in a dialect whose tool forgives it, a warning.
    fn failure(&self, message: String) -> Diagnostic {
        if self.syntax.lenient {
            Diagnostic::warning(message)
        } else {
            Diagnostic::error(message)
        }
    }

    /// Copies `range` of `file` with its directives expanded, `indent` before every line. `code`:
    /// the range is inside a fenced code block of the including file (every line is code).
    fn run(
        &mut self,
        file: usize,
        range: Range<usize>,
        chain: &mut Vec<usize>,
        indent: &str,
        code: bool,
    ) {
        let text = Arc::clone(&self.files[file].text);
        let mut lines = line_ranges(&text, range).into_iter().peekable();
        let mut fence = None;
        while let Some(line) = lines.next() {
            if self.over {
                return;
            }
            let s = &text[line.clone()];
            let content = s.strip_suffix('\n').unwrap_or(s);
            let was = fence;
            if !code {
                // Any indent: a fence in a list item is code too, and containers are not known here.
                fence = super::fence::after(fence, content, usize::MAX);
            }
            let in_code = code || was.is_some() || fence.is_some();
            if self.syntax.snippets
                && self.snippet_line(file, &line, &mut lines, chain, indent, in_code)
            {
                continue;
            }
            self.insert(file, line.start, indent);
            self.line(file, line, chain, in_code);
        }
    }

    /// A line that is pymdownx.snippets' (a marker, an include, a block of paths), handled; false
    /// for any other line.
    fn snippet_line(
        &mut self,
        file: usize,
        line: &Range<usize>,
        lines: &mut std::iter::Peekable<std::vec::IntoIter<Range<usize>>>,
        chain: &mut Vec<usize>,
        indent: &str,
        code: bool,
    ) -> bool {
        let text = Arc::clone(&self.files[file].text);
        let s = &text[line.clone()];
        let content = s.strip_suffix('\n').unwrap_or(s);
        // A snippet's section markers are never shown.
        if is_marker_line(content) {
            self.changed = true;
            return true;
        }
        if let Some(c) = SNIPPET.captures(content) {
            self.insert(file, line.start, indent);
            let marker = c.get(3).map_or(line.start, |m| m.start());
            if !c[2].is_empty() {
                // `;--8<--`: the marker as written.
                self.changed = true;
                self.copy(file, line.start..line.start + c[1].len());
                self.copy(file, line.start + marker..line.end);
                return true;
            }
            let target = c.get(4).or_else(|| c.get(5)).map_or("", |m| m.as_str());
            let inner = format!("{indent}{}", &c[1]);
            let at = line.start + c[1].len();
            if self.include(file, at, target, Kind::Snippet, chain, &inner, code) {
                self.insert(file, line.end, if s.ends_with('\n') { "\n" } else { "" });
            } else {
                self.copy(file, line.start..line.end);
            }
            return true;
        }
        let Some(c) = SNIPPET_BLOCK.captures(content) else {
            return false;
        };
        // A block of paths, one per line, up to the next bare marker.
        let rest: Vec<Range<usize>> = lines.clone().collect();
        let Some(close) = rest
            .iter()
            .position(|l| SNIPPET_BLOCK.is_match(text[l.clone()].trim_end_matches('\n')))
        else {
            return false;
        };
        let inner = format!("{indent}{}", &c[1]);
        for l in &rest[..close] {
            let name = text[l.clone()].trim();
            if name.is_empty() || name.starts_with(';') {
                continue;
            }
            let at = l.start + (text[l.clone()].len() - text[l.clone()].trim_start().len());
            if self.include(file, at, name, Kind::Snippet, chain, &inner, code) {
                self.insert(file, l.end, "\n");
            }
        }
        for _ in 0..=close {
            lines.next();
        }
        self.changed = true;
        true
    }

    /// One line: its inline directives expanded. Outside fenced code, inline code spans are
    /// copied as written (their escapes aside).
    fn line(&mut self, file: usize, line: Range<usize>, chain: &mut Vec<usize>, code: bool) {
        let text = Arc::clone(&self.files[file].text);
        let s = &text[line.clone()];
        let re: &Regex = if self.syntax.mdbook {
            &INLINE_MDBOOK
        } else {
            &INLINE_NATIVE
        };
        // Found only on a line that has a directive: most lines have none.
        let mut spans: Option<Vec<Range<usize>>> = code.then(Vec::new);
        let mut last = 0;
        for c in re.captures_iter(s) {
            let m = c.get(0).expect("whole match");
            let escaped = c.name("mesc").is_some() || c.name("nesc").is_some();
            let in_span = spans
                .get_or_insert_with(|| code_spans(s))
                .iter()
                .any(|r| r.start < m.end() && m.start() < r.end);
            if in_span && !escaped {
                continue;
            }
            let at = line.start + m.start();
            let written = at..line.start + m.end();
            self.copy(file, line.start + last..at);
            last = m.end();
            self.changed = true;
            if escaped {
                // `\{{…}}`: as written, without the backslash.
                self.copy(file, at + 1..written.end);
                continue;
            }
            let expanded = if let Some(name) = c.name("var") {
                self.variable(file, at, name.as_str())
            } else if let Some(target) = c.name("inc") {
                self.include(file, at, target.as_str(), Kind::Native, chain, "", code)
            } else {
                let args = c.name("args").map_or("", |a| a.as_str());
                // mdBook reads the first word as the path and selector; the rest are properties.
                let path = args.split_whitespace().next().unwrap_or("");
                match &c["name"] {
                    "include" => self.include(file, at, path, Kind::Include, chain, "", code),
                    "rustdoc_include" => {
                        self.include(file, at, path, Kind::Rustdoc, chain, "", code)
                    }
                    "playground" => {
                        let (p, _) = split_selector(path);
                        self.insert(file, at, "```rust\n");
                        let ok = self.include(file, at, p, Kind::Include, chain, "", true);
                        self.insert(file, at, "\n```");
                        ok
                    }
                    "title" => {
                        self.diag(
                            Diagnostic::warning(
                                "`{{#title}}` sets the browser title in mdBook; kbfresh titles a page from SUMMARY.md or its front matter, so it is left out",
                            )
                            .hint("set `title` in the page's front matter to give it another title"),
                            file,
                            at,
                        );
                        true
                    }
                    // mdBook leaves a name it does not know as written.
                    _ => false,
                }
            };
            if !expanded {
                self.copy(file, written);
            }
        }
        self.copy(file, line.start + last..line.end);
    }

    /// `{{ vars.name }}` at `at`: true when the value was inserted.
    fn variable(&mut self, file: usize, at: usize, name: &str) -> bool {
        if let Some(v) = self.vars.get(name) {
            let v = v.clone();
            self.insert(file, at, &v);
            return true;
        }
        let d = self.failure(format!("`vars.{name}` is not set")).hint(format!(
            "add it to kbfresh.toml: [vars] {name} = \"…\"; write `\\{{{{ vars.{name} }}}}` to show the text as it is"
        ));
        self.diag(d, file, at);
        false
    }

    /// Expands the file `spec` names (a path and the tool's selector) at offset `at` of `file`.
    /// False, with the reason said, when nothing was included (the caller keeps the directive).
    #[allow(clippy::too_many_arguments)]
    fn include(
        &mut self,
        file: usize,
        at: usize,
        spec: &str,
        kind: Kind,
        chain: &mut Vec<usize>,
        indent: &str,
        code: bool,
    ) -> bool {
        self.changed = true;
        if self.over {
            return false;
        }
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS || self.out.len() > MAX_EXPANDED {
            self.over = true;
            let names: Vec<String> = chain
                .iter()
                .map(|&i| self.files[i].shown.display().to_string())
                .collect();
            self.diag(
                Diagnostic::error(format!(
                    "includes make this article larger than {} MiB or more than {MAX_EXPANSIONS} includes (at {})",
                    MAX_EXPANDED >> 20,
                    names.join(" → ")
                ))
                .hint("include each file once where it is needed; a file that includes another many times multiplies it"),
                file,
                at,
            );
            return false;
        }
        let (path, selector) = split_selector(spec.trim());
        if path.is_empty() {
            let d = self
                .failure("an include names no file".into())
                .hint("write the path of the file to include, relative to this file");
            self.diag(d, file, at);
            return false;
        }
        let base = match kind {
            Kind::Snippet => Base::Project,
            _ => Base::File,
        };
        let from = self.files[file].abs.clone();
        let origin = match self.fs.open(&from, path, base) {
            Ok(o) => o,
            Err(NotRead::Refused(why)) => {
                self.diag(
                    Diagnostic::error(format!("cannot include `{path}`: {why}")).hint(
                        "include only files of the site: its content, listings and snippets, never `.git`, dotfiles or what a symlink outside points to",
                    ),
                    file,
                    at,
                );
                return false;
            }
            Err(NotRead::Missing(why)) => {
                let hint = match base {
                    Base::Project => {
                        "write the path from the project root (the folder of mkdocs.yml), or relative to this file; it must be inside the site folder"
                    }
                    Base::File => {
                        "write the path relative to this file, or from the site root with a leading `/`; it must be inside the site folder"
                    }
                };
                let d = self
                    .failure(format!("cannot include `{path}`: {why}"))
                    .hint(hint);
                self.diag(d, file, at);
                return false;
            }
        };
        let idx = match self.files.iter().position(|f| f.abs == origin.abs) {
            Some(i) => i,
            None => {
                self.files.push(origin);
                self.files.len() - 1
            }
        };
        if chain.contains(&idx) || chain.len() > MAX_DEPTH {
            // The cycle alone, from its first file by name: the same loop met from any of its
            // files (or from pages that include it) reads the same.
            let from = chain.iter().position(|&i| i == idx).unwrap_or(0);
            let mut names: Vec<String> = chain[from..]
                .iter()
                .map(|&i| self.files[i].shown.display().to_string())
                .collect();
            let first = (0..names.len()).min_by_key(|&i| &names[i]).unwrap_or(0);
            names.rotate_left(first);
            names.push(names[0].clone());
            self.diag(
                Diagnostic::error(format!("include loop: {}", names.join(" → "))).hint(
                    "an included file may not include, directly or through others, a file that includes it",
                ),
                file,
                at,
            );
            return false;
        }
        let text = Arc::clone(&self.files[idx].text);
        let ranges = match select(&text, selector, kind) {
            Ok(r) => r,
            Err(why) => {
                let d = self
                    .failure(format!("cannot include `{spec}`: {why}"))
                    .hint("check the line numbers or the anchor name against the file");
                self.diag(d, file, at);
                return false;
            }
        };
        chain.push(idx);
        let n = ranges.len();
        for (i, mut r) in ranges.into_iter().enumerate() {
            // The directive's line ends the included text: no blank line of its own.
            if i + 1 == n && text[r.clone()].ends_with('\n') {
                r.end -= 1;
                if text[r.clone()].ends_with('\r') {
                    r.end -= 1;
                }
            }
            self.run(idx, r, chain, indent, code);
        }
        chain.pop();
        true
    }
}

/// The byte ranges of a line's inline code spans: a run of backticks up to the next run of the
/// same length (CommonMark's rule, within the line).
fn code_spans(line: &str) -> Vec<Range<usize>> {
    let b = line.as_bytes();
    let run_at = |i: usize| b[i..].iter().take_while(|&&c| c == b'`').count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                let n = run_at(i);
                let mut j = i + n;
                let mut close = None;
                while j < b.len() {
                    if b[j] == b'`' {
                        let k = run_at(j);
                        if k == n {
                            close = Some(j + k);
                            break;
                        }
                        j += k;
                    } else {
                        j += 1;
                    }
                }
                match close {
                    Some(end) => {
                        out.push(i..end);
                        i = end;
                    }
                    None => i += n,
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Include,
    Rustdoc,
    Snippet,
    Native,
}

fn is_marker_line(content: &str) -> bool {
    // The marker alone on its line, bare or in an HTML comment.
    let t = content.trim();
    let t = t
        .strip_prefix("<!--")
        .and_then(|t| t.strip_suffix("-->"))
        .unwrap_or(t)
        .trim();
    SECTION_MARK
        .find(t)
        .is_some_and(|m| m.start() == 0 && m.end() == t.len())
}

/// `path:selector` → (path, selector). A Windows-free world: the first `:` splits.
fn split_selector(spec: &str) -> (&str, Option<&str>) {
    match spec.split_once(':') {
        Some((p, s)) => (p.trim(), Some(s.trim())),
        None => (spec, None),
    }
}

/// The byte ranges of every line (each with its `\n`) that starts inside `range`.
fn line_ranges(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let end = text[start..range.end]
            .find('\n')
            .map_or(range.end, |i| start + i + 1);
        out.push(start..end);
        start = end;
    }
    out
}

/// The ranges of `text` a selector keeps, adjacent lines merged.
fn select(text: &str, selector: Option<&str>, kind: Kind) -> Result<Vec<Range<usize>>, String> {
    let lines = line_ranges(text, 0..text.len());
    let mut keep: Vec<usize> = match selector.filter(|s| !s.is_empty()) {
        None => (0..lines.len()).collect(),
        Some(sel) if kind == Kind::Snippet => snippet_lines(text, &lines, sel)?,
        Some(sel) => mdbook_lines(text, &lines, sel)?,
    };
    // mdBook's anchor lines mark the file for the tool; readers never see them.
    if matches!(kind, Kind::Include | Kind::Rustdoc) {
        keep.retain(|&i| !ANCHOR_MARK.is_match(&text[lines[i].clone()]));
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    for i in keep {
        let r = lines[i].clone();
        match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        }
    }
    Ok(out)
}

/// 1-based line numbers `a`, `a:`, `:b`, `a:b` → 0-based indexes, clamped to the file.
fn line_span(spec: &str, count: usize, single: bool) -> Option<Range<usize>> {
    let num = |s: &str| -> Option<Option<usize>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else {
            s.parse::<usize>().ok().map(Some)
        }
    };
    let (a, b) = match spec.split_once(':') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => {
            let a = num(spec)?;
            (a, if single { a } else { None })
        }
    };
    let start = a.unwrap_or(1).max(1) - 1;
    let end = b.unwrap_or(count).min(count);
    Some(start.min(end)..end)
}

/// mdBook's selector: a number or an empty part is a line range (`3`, `:10`, `2:`, `2:10`, and a
/// second part that is not a number reads as open), anything else an anchor name.
fn mdbook_lines(text: &str, lines: &[Range<usize>], sel: &str) -> Result<Vec<usize>, String> {
    let mut parts = sel.splitn(3, ':');
    let first = parts.next().unwrap_or("").trim();
    let count = lines.len();
    let start = match first.parse::<usize>() {
        Ok(n) => Some(n.saturating_sub(1)),
        Err(_) if first.is_empty() => None,
        // Between `ANCHOR: sel` and `ANCHOR_END: sel`; every anchor line is left out.
        Err(_) => {
            return between(text, lines, &ANCHOR_MARK, first)
                .ok_or_else(|| format!("the file has no `ANCHOR: {first}` line"));
        }
    };
    let end = parts.next().map(|e| e.trim().parse::<usize>());
    let (a, b) = match (start, end) {
        (Some(a), Some(Ok(b))) => (a, b),
        (Some(a), Some(Err(_))) => (a, count),
        (Some(a), None) => (a, a + 1),
        (None, Some(Ok(b))) => (0, b),
        (None, _) => (0, count),
    };
    let b = b.min(count);
    Ok((a.min(b)..b).collect())
}

/// The lines between the start and end markers named `name` (`re` captures the kind, `start`
/// or none for a start, and the name); every marker line is left out. `None`: no such marker.
fn between(text: &str, lines: &[Range<usize>], re: &Regex, name: &str) -> Option<Vec<usize>> {
    let mut keep = Vec::new();
    let mut inside = false;
    let mut found = false;
    for (i, r) in lines.iter().enumerate() {
        if let Some(c) = re.captures(&text[r.clone()]) {
            if &c[2] == name {
                found = true;
                inside = c.get(1).is_none_or(|k| k.as_str() == "start");
            }
            continue;
        }
        if inside {
            keep.push(i);
        }
    }
    found.then_some(keep)
}

fn snippet_lines(text: &str, lines: &[Range<usize>], sel: &str) -> Result<Vec<usize>, String> {
    if sel.starts_with(|c: char| c.is_ascii_digit() || c == ':') {
        let mut keep = Vec::new();
        for part in sel.split(',') {
            let span = line_span(part, lines.len(), false)
                .ok_or_else(|| format!("`{sel}` is not a line range (write 2:4, or 2:4,8:9)"))?;
            keep.extend(span);
        }
        keep.sort_unstable();
        keep.dedup();
        return Ok(keep);
    }
    between(text, lines, &SECTION_MARK, sel)
        .ok_or_else(|| format!("the file has no `--8<-- [start:{sel}]` line"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    const EVERY: Syntax = Syntax {
        mdbook: true,
        snippets: true,
        lenient: false,
    };

    impl Files for Map {
        fn open(&self, _from: &Path, target: &str, _base: Base) -> Result<Origin, NotRead> {
            let t = target.trim_start_matches("./");
            self.0
                .get(t)
                .map(|text| Origin {
                    abs: PathBuf::from("/site").join(t),
                    shown: Arc::from(Path::new(t)),
                    text: Arc::from(*text),
                })
                .ok_or_else(|| NotRead::Missing("no such file".into()))
        }
    }

    fn run(body: &str, files: &[(&'static str, &'static str)]) -> (String, Vec<String>) {
        let fs = Map(files.iter().copied().collect());
        let vars: BTreeMap<String, String> = [("hours".to_string(), "9–5".to_string())].into();
        let article = Origin {
            abs: "/site/a.md".into(),
            shown: Arc::from(Path::new("a.md")),
            text: Arc::from(body),
        };
        let (x, d) = expand(article, 0, &vars, &fs, EVERY);
        (
            x.map_or_else(|| body.to_string(), |x| x.text),
            d.iter()
                .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
                .collect(),
        )
    }

    #[test]
    fn mdbook_ranges_and_anchors() {
        let f = "one\n// ANCHOR: mid\ntwo\nthree\n// ANCHOR_END: mid\nfour\n";
        let files = [("f.rs", f)];
        assert_eq!(
            run("```\n{{#include f.rs}}\n```\n", &files).0,
            "```\none\ntwo\nthree\nfour\n```\n"
        );
        assert_eq!(run("{{#include f.rs:3}}\n", &files).0, "two\n");
        assert_eq!(run("{{#include f.rs::3}}\n", &files).0, "one\ntwo\n");
        assert_eq!(run("{{#include f.rs:6:}}\n", &files).0, "four\n");
        assert_eq!(run("{{#include f.rs:3:4}}\n", &files).0, "two\nthree\n");
        assert_eq!(run("{{#include f.rs:mid}}\n", &files).0, "two\nthree\n");
        assert_eq!(
            run("{{#rustdoc_include f.rs:mid}}\n", &files).0,
            "two\nthree\n"
        );
        assert_eq!(
            run("x \\{{#include f.rs}} y\n", &files).0,
            "x {{#include f.rs}} y\n"
        );
        let (_, d) = run("\n{{#include f.rs:nope}}\n", &files);
        assert_eq!(
            d,
            ["2:1: cannot include `f.rs:nope`: the file has no `ANCHOR: nope` line"]
        );
        let (_, d) = run("{{#title Hi}}\n", &files);
        assert!(
            d[0].contains("`{{#title}}` sets the browser title"),
            "{d:?}"
        );
    }

    #[test]
    fn only_what_mdbook_reads_as_a_directive_is_one() {
        let f = "a\n// ANCHOR: 1st\nfirst\n// ANCHOR_END: 1st\nz\n";
        let files = [("f.rs", f)];
        // A selector that is not a number is an anchor name; a second part that is not a number
        // leaves the range open.
        assert_eq!(run("{{#rustdoc_include f.rs:1st}}\n", &files).0, "first\n");
        assert_eq!(run("{{#include f.rs:3:x}}\n", &files).0, "first\nz\n");
        // No target, an unknown name, inline code: as written, and nothing said.
        for body in [
            "Use `{{#include}}`.\n",
            "`{{#include f.rs}}` in a sentence\n",
            "```hbs\n{{#each items}}\n{{/each}}\n{{#toc}}{{/toc}}\n```\n",
            "xc:{{#ff0000}} and {{#channelname}}\n",
        ] {
            assert_eq!(run(body, &files), (body.to_string(), vec![]), "{body}");
        }
        // In a fence the directive is read: that is how listings come in.
        assert_eq!(
            run("```rust\nlet s = `{{#include f.rs:1st}}`;\n```\n", &files).0,
            "```rust\nlet s = `first`;\n```\n"
        );
        // An escape in inline code loses its backslash, as in mdBook.
        assert_eq!(
            run("`\\{{#include f.rs}}`\n", &files).0,
            "`{{#include f.rs}}`\n"
        );
    }

    #[test]
    fn each_dialect_reads_its_own_directives_and_forgives_what_its_tool_does() {
        let files = [("s.md", "S\n")];
        let fs = Map(files.iter().copied().collect());
        let go = |body: &'static str, syntax: Syntax| {
            let article = Origin {
                abs: "/site/a.md".into(),
                shown: Arc::from(Path::new("a.md")),
                text: Arc::from(body),
            };
            let (x, d) = expand(article, 0, &BTreeMap::new(), &fs, syntax);
            let shown: Vec<String> = d
                .iter()
                .map(|d| format!("{:?} {}", d.severity, d.message))
                .collect();
            (x.map_or_else(|| body.to_string(), |x| x.text), shown)
        };
        let hugo = Syntax::of(Some(Dialect::Hugo));
        let mdbook = Syntax::of(Some(Dialect::MdBook));
        let mkdocs = Syntax::of(Some(Dialect::MkDocs));
        let body = "{{#include s.md}}\n--8<-- \"s.md\"\n";
        assert_eq!(go(body, hugo).0, body);
        assert_eq!(go(body, Syntax::NATIVE).0, body);
        assert_eq!(go(body, mdbook).0, "S\n--8<-- \"s.md\"\n");
        assert_eq!(go(body, mkdocs).0, "{{#include s.md}}\nS\n");
        // A missing file is mdBook's error log and a build that goes on: a warning here, the
        // directive as written; kbfresh's own include stops the build.
        let (text, d) = go("{{#include gone.md}}\n", mdbook);
        assert_eq!(text, "{{#include gone.md}}\n");
        assert!(
            d.len() == 1 && d[0].starts_with("Warning cannot include `gone.md`"),
            "{d:?}"
        );
        let (_, d) = go("{{< include \"gone.md\" >}}\n", Syntax::NATIVE);
        assert!(d.len() == 1 && d[0].starts_with("Error"), "{d:?}");
    }

    #[test]
    fn includes_that_multiply_stop_at_the_limit() {
        // Each file includes the one before it ten times: 10^6 copies of "x" without a limit.
        let mut files: Vec<(&'static str, &'static str)> = vec![("f0.md", "x\n")];
        for i in 1..7 {
            let name: &'static str = Box::leak(format!("f{i}.md").into_boxed_str());
            let body: &'static str = Box::leak(
                format!("{{{{< include \"f{}.md\" >}}}}\n", i - 1)
                    .repeat(10)
                    .into_boxed_str(),
            );
            files.push((name, body));
        }
        let (_, d) = run("{{< include \"f6.md\" >}}\n", &files);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("more than 20000 includes"), "{d:?}");
    }

    #[test]
    fn snippets_indent_sections_and_blocks() {
        let s = "a\n<!-- --8<-- [start:part] -->\nb\n<!-- --8<-- [end:part] -->\nc\n";
        let files = [("s.md", s), ("t.md", "t\n")];
        assert_eq!(
            run("- item\n\n    --8<-- \"s.md:part\"\n", &files).0,
            "- item\n\n    b\n"
        );
        assert_eq!(run("--8<-- 's.md:1:1,5:5'\n", &files).0, "a\nc\n");
        assert_eq!(
            run("--8<--\ns.md:part\nt.md\n--8<--\nz\n", &files).0,
            "b\nt\nz\n"
        );
        assert_eq!(run(";--8<-- \"s.md\"\n", &files).0, "--8<-- \"s.md\"\n");
        // The markers of a section are never shown, in the file itself either.
        assert_eq!(run(s, &files).0, "a\nb\nc\n");
    }

    #[test]
    fn native_vars_loops_and_missing() {
        let files = [
            ("x.md", "Refunds within {{ vars.hours }}.\n"),
            ("loop1.md", "{{< include \"loop2.md\" >}}\n"),
            ("loop2.md", "{{< include \"loop1.md\" >}}\n"),
        ];
        assert_eq!(
            run("Intro.\n{{< include \"x.md\" >}}\nEnd.\n", &files).0,
            "Intro.\nRefunds within 9–5.\nEnd.\n"
        );
        assert_eq!(run("\\{{ vars.hours }}\n", &files).0, "{{ vars.hours }}\n");
        let (_, d) = run("{{ vars.nope }}\n", &files);
        assert_eq!(d, ["1:1: `vars.nope` is not set"]);
        let (_, d) = run("{{< include \"loop1.md\" >}}\n", &files);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].contains("include loop: loop1.md → loop2.md → loop1.md"),
            "{d:?}"
        );
        let (_, d) = run("{{< include \"gone.md\" >}}\n", &files);
        assert_eq!(d, ["1:1: cannot include `gone.md`: no such file"]);
    }

    #[test]
    fn map_points_into_each_file() {
        let fs = Map([("s.md", "zero\n[l](x.md)\n")].into_iter().collect());
        let article = Origin {
            abs: "/site/a.md".into(),
            shown: Arc::from(Path::new("a.md")),
            text: Arc::from("+++\n+++\nA\n{{< include \"s.md\" >}}\nB\n"),
        };
        let (x, d) = expand(article, 8, &BTreeMap::new(), &fs, EVERY);
        assert!(d.is_empty());
        let x = x.unwrap();
        assert_eq!(x.text, "A\nzero\n[l](x.md)\nB\n");
        let link = x.text.find("[l]").unwrap();
        assert_eq!(x.origin(link), (1, 5));
        assert_eq!(
            x.origin(x.text.find('B').unwrap()),
            (0, "+++\n+++\nA\n{{< include \"s.md\" >}}\n".len())
        );
        assert_eq!(x.origin(0), (0, 8));
        assert_eq!(x.included().len(), 1);
    }

    #[test]
    fn no_directive_no_copy() {
        let (x, d) = expand(
            Origin {
                abs: "/a.md".into(),
                shown: Arc::from(Path::new("a.md")),
                text: Arc::from("plain {{ not a var }}\n"),
            },
            0,
            &BTreeMap::new(),
            &Map(HashMap::new()),
            EVERY,
        );
        assert!(x.is_none() && d.is_empty());
    }
}
