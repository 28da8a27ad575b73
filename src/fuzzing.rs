//! Entry points for the fuzz targets in `fuzz/` and for the regression tests that replay what they
//! found (`tests/fuzz_regressions.rs`). Each takes arbitrary bytes and panics only when kbfresh breaks
//! one of its promises: a parser that panics, a diagnostic that points outside the file, a `verify`
//! edit that changes anything but the keys it sets.

use std::path::Path;

use crate::content::frontmatter::{self, Format};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, DropH1, LinkResolver};

/// Lines in `text` for a diagnostic position check (a position may be one past the last line).
fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

#[track_caller]
fn assert_inside(d: &Diagnostic, text: &str) {
    assert!(
        d.line <= line_count(text),
        "diagnostic line {} is past the end of a {}-line file: {d}",
        d.line,
        line_count(text)
    );
    if d.line > 0 {
        let line = text.split('\n').nth(d.line - 1).unwrap_or("");
        assert!(
            d.column <= line.chars().count() + 1,
            "diagnostic column {} is past the end of line {} ({:?}): {d}",
            d.column,
            d.line,
            line
        );
    }
}

/// Front matter: splitting and parsing never panic, and every error points inside the file.
pub fn frontmatter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(d) => {
            assert_inside(&d, text);
            return;
        }
    };
    assert!(split.fm_start <= split.fm_end && split.fm_end <= split.body_start);
    assert!(split.body_start <= text.len());
    assert!(text.is_char_boundary(split.body_start));
    match frontmatter::parse(text, &split, Path::new("a.md")) {
        Ok(_) => {}
        Err(ds) => {
            assert!(!ds.is_empty());
            for d in &ds {
                assert_inside(d, text);
                assert!(d.is_error() && d.hint.is_some() || d.message.contains("must be"));
            }
        }
    }
}

struct Resolver;

impl LinkResolver for Resolver {
    fn resolve(&self, from_dir: &str, path: &str) -> Option<String> {
        let p = crate::url::normalize_rel(from_dir, path)?;
        p.ends_with(".md")
            .then(|| format!("/{}/", p.trim_end_matches(".md")))
    }
}

/// Markdown: rendering never panics; every heading id is unique; every link has a position inside
/// the file; the table of contents points at real ids.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Front matter first when there is some, as in a real article.
    let body_start = frontmatter::split(text).map(|s| s.body_start).unwrap_or(0);
    for drop in [DropH1::Always, DropH1::IfEquals("Title"), DropH1::Never] {
        let r = markdown::render(
            &markdown::Input {
                file: text,
                body_start,
                dir: "section/sub",
                drop_leading_h1: drop,
                // One of the three passes reads it as MDX.
                mdx: matches!(drop, DropH1::Never),
                expanded: None,
                options: crate::config::MarkdownConfig::DEFAULT,
                labels: &crate::markdown::Labels::default(),
            },
            &Resolver,
        );
        let mut ids = std::collections::HashSet::new();
        for id in &r.anchors {
            assert!(!id.is_empty(), "an empty anchor id");
        }
        for t in &r.toc {
            assert!(
                r.anchors.contains(&t.id),
                "toc entry {:?} has no anchor",
                t.id
            );
            assert!(ids.insert(t.id.clone()), "duplicate heading id {:?}", t.id);
        }
        for l in &r.links {
            assert!(
                l.line >= 1 && l.column >= 1,
                "link without a position: {l:?}"
            );
            assert!(l.line <= line_count(text), "link past the end: {l:?}");
        }
    }
}

/// `kbfresh.toml`: parsing never panics, and every error points inside the file.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::config::Config::parse(text, Path::new("kbfresh.toml")) {
        Ok(c) => {
            let _ = c.base_path();
            let _ = c.absolute_base();
        }
        Err(f) => {
            for d in &f.0 {
                assert_inside(d, text);
            }
        }
    }
}

/// `verify`'s edit: on success, reading the result gives the new values, every other key as it was,
/// the Markdown body byte for byte, the BOM and line endings kept, and every line of the old front
/// matter that is not about an edited key still there, in order.
pub fn verify_edit(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let edit = crate::verify::Edit {
        verified: jiff::civil::date(2026, 11, 22),
        describes: (flags & 1 != 0).then(|| "2.4.0".to_string()),
        by: (flags & 2 != 0).then(|| "Sam \"Q\": #1".to_string()),
    };
    let style = if flags & 4 != 0 {
        Format::Yaml
    } else {
        Format::Toml
    };
    let Ok((after, _changes)) = crate::verify::edit_text(text, &edit, style) else {
        return;
    };
    assert_eq!(
        text.starts_with('\u{feff}'),
        after.starts_with('\u{feff}'),
        "BOM kept"
    );
    let (before, after) = (
        text.strip_prefix('\u{feff}').unwrap_or(text),
        after.strip_prefix('\u{feff}').unwrap_or(&after),
    );
    let s_after = frontmatter::split(after).expect("the edited file splits");
    let fm =
        frontmatter::parse(after, &s_after, Path::new("a.md")).expect("the edited file parses");
    assert_eq!(fm.verified, Some(edit.verified));
    if let Some(d) = &edit.describes {
        assert_eq!(fm.describes.as_deref(), Some(d.as_str()));
    }
    if let Some(b) = &edit.by {
        assert_eq!(
            fm.extra.get("verified_by").and_then(|v| v.as_str()),
            Some(b.as_str())
        );
    }
    let s_before = frontmatter::split(before).expect("verify only edits files that split");
    assert_eq!(
        &after[s_after.body_start..],
        &before[s_before.body_start..],
        "the body is unchanged"
    );
    let edited = ["verified", "describes", "verified_by"];
    let others = |text: &str, s| {
        let mut m = frontmatter::values(text, s, Path::new("a.md")).unwrap_or_default();
        m.retain(|k, _| !edited.contains(&k.as_str()));
        m
    };
    assert_eq!(
        others(before, &s_before),
        others(after, &s_after),
        "other keys unchanged"
    );
    // Line by line: what is not about an edited key is kept, in order. Only for front matter whose
    // values sit on one line each (multi-line strings may hold anything).
    let old_fm = &before[s_before.fm_start..s_before.fm_end];
    let new_fm = &after[s_after.fm_start..s_after.fm_end];
    let simple = frontmatter::parse(before, &s_before, Path::new("a.md")).is_ok()
        && !old_fm.contains("\"\"\"")
        && !old_fm.contains("'''")
        && old_fm.lines().all(|l| {
            let t = l.trim_end();
            !t.ends_with('|') && !t.ends_with('>') && !t.ends_with('[') && !t.ends_with(':')
        });
    if simple {
        let mut new_lines = new_fm.lines();
        for line in old_fm.lines() {
            if edited.iter().any(|k| line.contains(k)) || line.starts_with([' ', '\t', '-']) {
                continue;
            }
            assert!(
                new_lines.any(|n| n == line),
                "line {line:?} of the old front matter is gone:\n{old_fm}\n---\n{new_fm}"
            );
        }
    }
    // Editing twice changes nothing more.
    let (again, changes) =
        crate::verify::edit_text(after, &edit, style).expect("an edited file can be edited again");
    assert_eq!(again, after, "a second identical edit is a no-op");
    assert!(changes.is_empty(), "{changes:?}");
}

/// Includes: three files cut from the input at `\u{1}` (`a.md` the article, `b.md`, `c.rs`);
/// expanding never panics, every diagnostic and link points inside the file it names, and every
/// copied byte of the result is the byte of the file the map says it came from.
pub fn includes(data: &[u8]) {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use crate::markdown::includes::{self, Base, Files, NotRead, Origin, Syntax};

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\u{1}');
    let names = ["a.md", "b.md", "c.rs"];
    let texts: Vec<&str> = names.iter().map(|_| parts.next().unwrap_or("")).collect();
    let origin = |i: usize| Origin {
        abs: Path::new("/site").join(names[i]),
        shown: Arc::from(Path::new(names[i])),
        text: Arc::from(texts[i]),
    };
    struct Three<'a>(&'a (dyn Fn(usize) -> Origin + Sync));
    impl Files for Three<'_> {
        fn open(&self, _: &Path, target: &str, _: Base) -> Result<Origin, NotRead> {
            let i = ["a.md", "b.md", "c.rs"]
                .iter()
                .position(|n| *n == target.trim_start_matches("./"))
                .ok_or_else(|| NotRead::Missing("no such file".into()))?;
            Ok((self.0)(i))
        }
    }
    let vars: BTreeMap<String, String> = [("v".to_string(), "VALUE".to_string())].into();
    // Every syntax at once: the positions must hold whichever a dialect turns on.
    let every = Syntax {
        mdbook: true,
        snippets: true,
        lenient: data.first().is_some_and(|b| b % 2 == 0),
    };
    let (x, diags) = includes::expand(origin(0), 0, &vars, &Three(&origin), every);
    for d in &diags {
        let i = names
            .iter()
            .position(|n| d.path.as_deref() == Some(Path::new(n)))
            .expect("a diagnostic names one of the files");
        assert_inside(d, texts[i]);
    }
    let Some(x) = x else {
        return;
    };
    for (offset, ch) in x.text.char_indices() {
        let (f, at) = x.origin(offset);
        let file = &x.files[f].text;
        assert!(
            at <= file.len() && file.is_char_boundary(at),
            "offset {at} is not a place in {}",
            x.files[f].shown.display()
        );
        // Inserted text (a variable, an indent, a fence) maps to where it was asked for.
        if x.is_copied(offset) {
            assert!(
                file[at..].starts_with(ch),
                "byte {offset} of the result is not byte {at} of {}",
                x.files[f].shown.display()
            );
        }
    }
    let r = markdown::render(
        &markdown::Input {
            file: texts[0],
            body_start: 0,
            dir: "",
            drop_leading_h1: DropH1::Never,
            mdx: false,
            expanded: Some(&x),
            options: crate::config::MarkdownConfig::DEFAULT,
            labels: &crate::markdown::Labels::default(),
        },
        &Resolver,
    );
    for l in &r.links {
        let i = l
            .file
            .as_deref()
            .map_or(Some(0), |p| names.iter().position(|n| Path::new(n) == p))
            .expect("a link names one of the files");
        assert!(
            l.line >= 1 && l.line <= line_count(texts[i]),
            "link past the end: {l:?}"
        );
    }
}
