//! Includes and variables, expanded before anything else reads an article's Markdown, with a map
//! from every byte of the result back to the file and offset it came from:
//!
//! - mdBook: `{{#include path}}`, `path:3`, `path::10`, `path:2:`, `path:2:10`, `path:anchor`
//!   (between `ANCHOR: anchor` and `ANCHOR_END: anchor` lines, which are left out), and
//!   `{{#rustdoc_include …}}` (only the selected lines: the rest would be hidden) and
//!   `{{#playground path}}` (a Rust code block); `\{{#…}}` is the directive as written;
//! - MkDocs snippets: `--8<-- "path"` on a line of its own (the marker's indent prefixes every
//!   included line), `path:2:4`, `path:name` (between `--8<-- [start:name]` and
//!   `--8<-- [end:name]`), a block of paths between two bare `--8<--` lines; `;--8<--` is the
//!   marker as written;
//! - kbfresh: `{{< include "path" >}}` and `{{ vars.name }}` (from `[vars]` of kbfresh.toml);
//!   `\{{…}}` is the text as written.
//!
//! An included file may include others; a loop is an error naming the chain. Links, images and
//! headings of an included file are the article's, as if written where the directive is.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::diagnostics::{Diagnostic, LineIndex};

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
    fn open(&self, from: &Path, target: &str, base: Base) -> Result<Origin, String>;
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

static INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(\\?)\{\{(?:",
        r"#([A-Za-z_]+)[ \t]*([^}\n]*?)[ \t]*",
        r#"|<[ \t]*include[ \t]+"([^"\n]*)"[ \t]*>"#,
        r"|[ \t]*vars\.([A-Za-z0-9_-]+)[ \t]*",
        r")\}\}"
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

/// Expands `article`'s body (from `body_start`). `None` when it holds no directive.
pub fn expand(
    article: Origin,
    body_start: usize,
    vars: &BTreeMap<String, String>,
    files: &dyn Files,
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
        changed: false,
    };
    let mut chain = vec![0];
    x.run(0, body_start..end, &mut chain, "");
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

struct Expander<'a> {
    out: String,
    map: Vec<Piece>,
    files: Vec<Origin>,
    diags: Vec<Diagnostic>,
    vars: &'a BTreeMap<String, String>,
    fs: &'a dyn Files,
    changed: bool,
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

    /// Copies `range` of `file` with its directives expanded, `indent` before every line.
    fn run(&mut self, file: usize, range: Range<usize>, chain: &mut Vec<usize>, indent: &str) {
        let text = Arc::clone(&self.files[file].text);
        let mut lines = line_ranges(&text, range).into_iter().peekable();
        while let Some(line) = lines.next() {
            let s = &text[line.clone()];
            let content = s.strip_suffix('\n').unwrap_or(s);
            // A snippet's section markers are never shown.
            if is_marker_line(content) {
                self.changed = true;
                continue;
            }
            if let Some(c) = SNIPPET.captures(content) {
                self.insert(file, line.start, indent);
                let marker = c.get(3).map_or(line.start, |m| m.start());
                if !c[2].is_empty() {
                    // `;--8<--`: the marker as written.
                    self.changed = true;
                    self.copy(file, line.start..line.start + c[1].len());
                    self.copy(file, line.start + marker..line.end);
                    continue;
                }
                let target = c.get(4).or_else(|| c.get(5)).map_or("", |m| m.as_str());
                let inner = format!("{indent}{}", &c[1]);
                self.include(
                    file,
                    line.start + c[1].len(),
                    target,
                    Kind::Snippet,
                    chain,
                    &inner,
                );
                self.insert(file, line.end, if s.ends_with('\n') { "\n" } else { "" });
                continue;
            }
            if let Some(c) = SNIPPET_BLOCK.captures(content) {
                // A block of paths, one per line, up to the next bare marker.
                let rest: Vec<Range<usize>> = lines.clone().collect();
                if let Some(close) = rest
                    .iter()
                    .position(|l| SNIPPET_BLOCK.is_match(text[l.clone()].trim_end_matches('\n')))
                {
                    let inner = format!("{indent}{}", &c[1]);
                    for l in &rest[..close] {
                        let name = text[l.clone()].trim();
                        if name.is_empty() || name.starts_with(';') {
                            continue;
                        }
                        let at =
                            l.start + (text[l.clone()].len() - text[l.clone()].trim_start().len());
                        self.include(file, at, name, Kind::Snippet, chain, &inner);
                        self.insert(file, l.end, "\n");
                    }
                    for _ in 0..=close {
                        lines.next();
                    }
                    continue;
                }
            }
            self.insert(file, line.start, indent);
            self.line(file, line, chain);
        }
    }

    /// One line: its inline directives expanded.
    fn line(&mut self, file: usize, line: Range<usize>, chain: &mut Vec<usize>) {
        let text = Arc::clone(&self.files[file].text);
        let s = &text[line.clone()];
        let mut last = 0;
        for c in INLINE.captures_iter(s) {
            let m = c.get(0).expect("whole match");
            self.copy(file, line.start + last..line.start + m.start());
            last = m.end();
            self.changed = true;
            if !c[1].is_empty() {
                // `\{{…}}`: as written, without the backslash.
                self.copy(file, line.start + m.start() + 1..line.start + m.end());
                continue;
            }
            let at = line.start + m.start();
            if let Some(name) = c.get(5) {
                let name = name.as_str();
                match self.vars.get(name) {
                    Some(v) => {
                        let v = v.clone();
                        self.insert(file, at, &v);
                    }
                    None => self.diag(
                        Diagnostic::error(format!("`vars.{name}` is not set")).hint(format!(
                            "add it to kbfresh.toml: [vars] {name} = \"…\"; write `\\{{{{ vars.{name} }}}}` to show the text as it is"
                        )),
                        file,
                        at,
                    ),
                }
            } else if let Some(target) = c.get(4) {
                self.include(file, at, target.as_str(), Kind::Native, chain, "");
            } else {
                let args = c.get(3).map_or("", |a| a.as_str());
                match &c[2] {
                    "include" => self.include(file, at, args, Kind::Include, chain, ""),
                    "rustdoc_include" => self.include(file, at, args, Kind::Rustdoc, chain, ""),
                    "playground" => {
                        let path = args.split_whitespace().next().unwrap_or("");
                        self.insert(file, at, "```rust\n");
                        self.include(file, at, path, Kind::Include, chain, "");
                        self.insert(file, at, "\n```");
                    }
                    other => self.diag(
                        Diagnostic::warning(format!(
                            "the mdBook directive `{{{{#{other}}}}}` is not understood: it is left out"
                        ))
                        .hint("kbfresh understands {{#include}}, {{#rustdoc_include}} and {{#playground}}; write `\\{{#…}}` to show it as text"),
                        file,
                        at,
                    ),
                }
            }
        }
        self.copy(file, line.start + last..line.end);
    }

    /// Expands the file `spec` names (a path and the tool's selector) at offset `at` of `file`.
    fn include(
        &mut self,
        file: usize,
        at: usize,
        spec: &str,
        kind: Kind,
        chain: &mut Vec<usize>,
        indent: &str,
    ) {
        self.changed = true;
        let (path, selector) = split_selector(spec.trim());
        if path.is_empty() {
            self.diag(
                Diagnostic::error("an include names no file")
                    .hint("write the path of the file to include, relative to this file"),
                file,
                at,
            );
            return;
        }
        let base = match kind {
            Kind::Snippet => Base::Project,
            _ => Base::File,
        };
        let from = self.files[file].abs.clone();
        let origin = match self.fs.open(&from, path, base) {
            Ok(o) => o,
            Err(why) => {
                let hint = match base {
                    Base::Project => {
                        "write the path from the project root (the folder of mkdocs.yml), or relative to this file; it must be inside the site folder"
                    }
                    Base::File => {
                        "write the path relative to this file, or from the site root with a leading `/`; it must be inside the site folder"
                    }
                };
                self.diag(
                    Diagnostic::error(format!("cannot include `{path}`: {why}")).hint(hint),
                    file,
                    at,
                );
                return;
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
            return;
        }
        let text = Arc::clone(&self.files[idx].text);
        let ranges = match select(&text, selector, kind) {
            Ok(r) => r,
            Err(why) => {
                self.diag(
                    Diagnostic::error(format!("cannot include `{spec}`: {why}"))
                        .hint("check the line numbers or the anchor name against the file"),
                    file,
                    at,
                );
                return;
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
            self.run(idx, r, chain, indent);
        }
        chain.pop();
    }
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

fn mdbook_lines(text: &str, lines: &[Range<usize>], sel: &str) -> Result<Vec<usize>, String> {
    if sel.starts_with(|c: char| c.is_ascii_digit() || c == ':') {
        return line_span(sel, lines.len(), true)
            .map(|r| r.collect())
            .ok_or_else(|| format!("`{sel}` is not a line range (write 2, 2:, :10 or 2:10)"));
    }
    // Between `ANCHOR: sel` and `ANCHOR_END: sel`; every anchor line is left out.
    between(text, lines, &ANCHOR_MARK, sel)
        .ok_or_else(|| format!("the file has no `ANCHOR: {sel}` line"))
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

    impl Files for Map {
        fn open(&self, _from: &Path, target: &str, _base: Base) -> Result<Origin, String> {
            let t = target.trim_start_matches("./");
            self.0
                .get(t)
                .map(|text| Origin {
                    abs: PathBuf::from("/site").join(t),
                    shown: Arc::from(Path::new(t)),
                    text: Arc::from(*text),
                })
                .ok_or_else(|| "no such file".into())
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
        let (x, d) = expand(article, 0, &vars, &fs);
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
        assert!(d[0].contains("`{{#title}}` is not understood"), "{d:?}");
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
        let (x, d) = expand(article, 8, &BTreeMap::new(), &fs);
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
        );
        assert!(x.is_none() && d.is_empty());
    }
}
