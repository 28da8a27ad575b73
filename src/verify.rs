//! `kbfresh verify`: record that a person checked an article. Sets `verified` (and `describes`, and
//! `verified_by` when given) in the front matter and changes no other byte of the file: TOML through
//! toml_edit (comments, order and spacing kept), YAML by editing only the key's own line.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use toml_edit::DocumentMut;

use crate::config::Config;
use crate::content::frontmatter::{self, Format};
use crate::diagnostics::{Diagnostic, Failure, LineIndex, display_path};

#[derive(Debug, Clone)]
pub struct Edit {
    pub verified: Date,
    pub describes: Option<String>,
    pub by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// `key: old -> new` lines, for the summary.
    pub changes: Vec<String>,
}

impl Outcome {
    pub fn diff(&self) -> String {
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(2)
            .header(&name, &name)
            .to_string()
    }
}

/// Edits the files (or only computes the edits with `dry_run`). Paths are relative to the current folder
/// or to the site root, and must be Markdown files inside the content folder.
pub fn run(
    root: &Path,
    content: Option<&Path>,
    files: &[PathBuf],
    edit: &Edit,
    dry_run: bool,
) -> Result<Vec<Outcome>, Failure> {
    let config = Config::load(root)?;
    let content_dir = content
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join(config.default_content_dir()));
    let content_c = std::fs::canonicalize(&content_dir).map_err(|_| {
        Diagnostic::error(format!(
            "the content folder `{}` does not exist",
            content_dir.display()
        ))
        .hint("run verify from the site root, or pass --root / --content")
    })?;
    // Translations are articles too.
    let trees: Vec<PathBuf> = std::iter::once(content_c.clone())
        .chain(
            config
                .language_list()
                .into_iter()
                .skip(1)
                .filter_map(|(_, _, d)| std::fs::canonicalize(root.join(d)).ok()),
        )
        .collect();
    let style = site_style(&content_c);
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for f in files {
        let candidates = [f.clone(), root.join(f), content_dir.join(f)];
        let Some(abs) = candidates
            .iter()
            .find_map(|c| std::fs::canonicalize(c).ok().filter(|p| p.is_file()))
        else {
            errors.push(
                Diagnostic::error(format!("no such article: `{}`", f.display()))
                    .hint("give the path of a Markdown file in the content folder"),
            );
            continue;
        };
        let shown = display_path(
            &abs,
            &std::fs::canonicalize(root).unwrap_or(root.to_path_buf()),
        );
        if !trees.iter().any(|t| abs.starts_with(t)) {
            errors.push(
                Diagnostic::error(
                    "not inside the content folder; kbfresh only edits articles of this site",
                )
                .in_file(&shown)
                .hint(format!("articles live under `{}`", content_dir.display())),
            );
            continue;
        }
        let text = match std::fs::read(&abs).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                errors.push(
                    Diagnostic::error(format!(
                        "the file is not valid UTF-8 (at byte offset {})",
                        e.utf8_error().valid_up_to()
                    ))
                    .in_file(&shown)
                    .hint("save the file as UTF-8 first"),
                );
                continue;
            }
            Err(e) => {
                errors
                    .push(Diagnostic::error(format!("cannot read the file: {e}")).in_file(&shown));
                continue;
            }
        };
        match edit_text(&text, edit, style) {
            Ok((after, changes)) => planned.push((
                abs,
                Outcome {
                    path: shown,
                    before: text,
                    after,
                    changes,
                },
            )),
            Err(d) => errors.push(d.in_file(&shown)),
        }
    }
    if !errors.is_empty() {
        return Err(Failure(errors));
    }
    let mut out = Vec::new();
    // Temp files go into the git folder, which git never commits; a killed run's leftovers beside
    // an article (from an older kbfresh) go on the next run.
    let tmp_dir = crate::history::git_dir(&content_c).map(|g| g.join("kbfresh-tmp"));
    for (abs, o) in planned {
        if let Some(dir) = abs.parent() {
            crate::fsutil::remove_stale_temp_files(dir);
        }
        if !dry_run && o.before != o.after {
            let written = match &tmp_dir {
                Some(t) => crate::fsutil::write_atomic_via(&abs, o.after.as_bytes(), t),
                None => crate::fsutil::write_atomic(&abs, o.after.as_bytes()),
            };
            written.map_err(|e| {
                Diagnostic::error(format!("cannot write the file: {e}"))
                    .in_file(&o.path)
                    .hint("check the file's permissions")
            })?;
        }
        out.push(o);
    }
    Ok(out)
}

/// The front-matter format most of the site uses (TOML when there is none yet).
fn site_style(content: &Path) -> Format {
    let (mut toml, mut yaml) = (0, 0);
    for e in walkdir::WalkDir::new(content)
        .max_depth(4)
        .into_iter()
        .flatten()
        .take(400)
    {
        if !crate::content::is_markdown(e.path()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let t = text.trim_start_matches('\u{feff}');
        if t.starts_with("+++") {
            toml += 1;
        } else if t.starts_with("---") {
            yaml += 1;
        }
    }
    if yaml > toml {
        Format::Yaml
    } else {
        Format::Toml
    }
}

/// The edited text and what changed. Every byte outside the edited keys stays as it was.
pub fn edit_text(
    text: &str,
    edit: &Edit,
    new_style: Format,
) -> Result<(String, Vec<String>), Diagnostic> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(b) => ("\u{feff}", b),
        None => ("", text),
    };
    let nl = if body.contains("\r\n") { "\r\n" } else { "\n" };
    let split = frontmatter::split(body)?;
    let mut fields: Vec<(&str, Val)> = vec![("verified", Val::Date(edit.verified))];
    if let Some(d) = &edit.describes {
        fields.push(("describes", Val::Str(d.clone())));
    }
    if let Some(b) = &edit.by {
        fields.push(("verified_by", Val::Str(b.clone())));
    }
    let mut changes = Vec::new();
    let new_body = match split.format {
        Format::None => {
            let mut fm = String::new();
            let (open, close) = if new_style == Format::Yaml {
                ("---", "---")
            } else {
                ("+++", "+++")
            };
            fm.push_str(open);
            fm.push_str(nl);
            for (k, v) in &fields {
                if new_style == Format::Yaml {
                    fm.push_str(&format!("{k}: {}{nl}", v.yaml()));
                } else {
                    fm.push_str(&format!("{k} = {}{nl}", v.toml()));
                }
                changes.push(format!("{k} = {} (new)", v.toml()));
            }
            fm.push_str(close);
            fm.push_str(nl);
            format!("{fm}{body}")
        }
        Format::Toml => {
            let fm = &body[split.fm_start..split.fm_end];
            let mut doc: DocumentMut = fm.parse().map_err(|e: toml_edit::TomlError| {
                let (line, col) = e
                    .span()
                    .map(|s| LineIndex::new(fm).line_col(s.start))
                    .unwrap_or((0, 0));
                Diagnostic {
                    line: line + 1,
                    column: col,
                    ..Diagnostic::error(format!("invalid TOML front matter: {}", e.message()))
                }
                .hint("fix the front matter first; verify never rewrites a file it cannot read")
            })?;
            // toml_edit keeps every byte of what it reads, except a few it cannot (a stray BOM):
            // then the file is not ours to rewrite.
            let round_trip = doc.to_string();
            if round_trip != fm.replace("\r\n", "\n") && round_trip != fm {
                return Err(Diagnostic::error(
                    "cannot edit this front matter without changing other bytes in it",
                )
                .hint("set `verified` by hand, or remove invisible characters (a byte order mark) from the front matter"));
            }
            for (k, v) in &fields {
                let new = v.toml_value();
                if doc.get(k).is_some_and(|i| !i.is_value()) {
                    // `[verified]` or `verified.x = 1`: replacing it would lose what is inside.
                    let (line, column) = crate::config::key_position(fm, k);
                    return Err(Diagnostic::error(format!(
                        "`{k}` is a table here, not a value; verify will not replace it"
                    ))
                    .at("", if line > 0 { line + 1 } else { 0 }, column)
                    .hint(format!(
                        "rename the table, then run verify again to set `{k}`"
                    )));
                }
                match doc.get_mut(k).and_then(|i| i.as_value_mut()) {
                    Some(old) => {
                        let was = old.clone().decorated("", "").to_string();
                        let decor = old.decor().clone();
                        if was.trim() != new.to_string().trim() {
                            changes.push(format!("{k} = {} (was {})", v.toml(), was.trim()));
                        }
                        *old = new;
                        *old.decor_mut() = decor;
                    }
                    None => {
                        doc.insert(k, toml_edit::Item::Value(new));
                        changes.push(format!("{k} = {} (new)", v.toml()));
                    }
                }
            }
            let mut new_fm = doc.to_string();
            if nl == "\r\n" {
                new_fm = new_fm.replace("\r\n", "\n").replace('\n', "\r\n");
            }
            if !new_fm.is_empty() && !new_fm.ends_with('\n') {
                new_fm.push_str(nl);
            }
            format!(
                "{}{}{}",
                &body[..split.fm_start],
                new_fm,
                &body[split.fm_end..]
            )
        }
        Format::Yaml => {
            let fm = &body[split.fm_start..split.fm_end];
            let new_fm = edit_yaml(fm, &fields, nl, &mut changes);
            format!(
                "{}{}{}",
                &body[..split.fm_start],
                new_fm,
                &body[split.fm_end..]
            )
        }
    };
    // What we wrote must read back with the new values, every other key as it was, and the body
    // byte for byte.
    let check = frontmatter::split(&new_body).and_then(|s| {
        let fm = frontmatter::parse(&new_body, &s, Path::new("")).map_err(|mut v| v.remove(0))?;
        let after = frontmatter::values(&new_body, &s, Path::new(""))?;
        Ok((fm, after, s.body_start))
    });
    let before = frontmatter::values(body, &split, Path::new("")).unwrap_or_default();
    let others = |m: &serde_json::Map<String, serde_json::Value>| {
        m.iter()
            .filter(|(k, _)| !fields.iter().any(|(f, _)| f == k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    match check {
        Ok((fm, after, body_start))
            if fm.verified == Some(edit.verified)
                && others(&before) == others(&after)
                && new_body[body_start..] == body[split.body_start..] => {}
        Ok(_) | Err(_) => {
            return Err(Diagnostic::error(
                "cannot edit this front matter without changing its meaning",
            )
            .hint("set `verified` by hand; please report this file's front matter as a bug"));
        }
    }
    Ok((format!("{bom}{new_body}"), changes))
}

enum Val {
    Date(Date),
    Str(String),
}

impl Val {
    fn toml(&self) -> String {
        self.toml_value().to_string().trim().to_string()
    }
    fn toml_value(&self) -> toml_edit::Value {
        match self {
            Val::Date(d) => toml_edit::Value::from(toml_edit::Datetime {
                date: Some(toml_edit::Date {
                    year: u16::try_from(d.year()).unwrap_or(0),
                    month: u8::try_from(d.month()).unwrap_or(1),
                    day: u8::try_from(d.day()).unwrap_or(1),
                }),
                time: None,
                offset: None,
            }),
            Val::Str(s) => toml_edit::Value::from(s.as_str()),
        }
    }
    fn yaml(&self) -> String {
        match self {
            Val::Date(d) => d.to_string(),
            // JSON strings are valid YAML double-quoted strings.
            Val::Str(s) => serde_json::Value::String(s.clone()).to_string(),
        }
    }
}

/// Replaces a top-level `key: value` line (keeping a trailing comment and continuation lines' removal
/// to the key's own block) or appends the key at the end.
fn edit_yaml(fm: &str, fields: &[(&str, Val)], nl: &str, changes: &mut Vec<String>) -> String {
    let mut lines: Vec<String> = fm.split_inclusive('\n').map(str::to_string).collect();
    for (k, v) in fields {
        let prefix = format!("{k}:");
        let found = lines.iter().position(|l| l.starts_with(&prefix));
        match found {
            Some(i) => {
                let line = lines[i].trim_end_matches(['\n', '\r']).to_string();
                let ending = &lines[i][line.len()..];
                let rest = &line[prefix.len()..];
                let comment = yaml_comment_start(rest)
                    .map(|c| rest[c..].to_string())
                    .unwrap_or_default();
                let old = rest[..rest.len() - comment.len()].trim().to_string();
                // Continuation lines of a multi-line value belong to this key.
                let mut end = i + 1;
                while end < lines.len()
                    && (lines[end].starts_with(' ')
                        || lines[end].starts_with('\t')
                        || lines[end].starts_with("- "))
                {
                    end += 1;
                }
                let ending = if ending.is_empty() {
                    nl.to_string()
                } else {
                    ending.to_string()
                };
                lines.splice(i..end, [format!("{k}: {}{comment}{ending}", v.yaml())]);
                if old != v.yaml() {
                    changes.push(format!("{k}: {} (was {old})", v.yaml()));
                }
            }
            None => {
                if let Some(last) = lines.last_mut()
                    && !last.ends_with('\n')
                {
                    last.push_str(nl);
                }
                lines.push(format!("{k}: {}{nl}", v.yaml()));
                changes.push(format!("{k}: {} (new)", v.yaml()));
            }
        }
    }
    lines.concat()
}

/// Where a trailing ` # comment` starts in a YAML value, skipping `#` inside quoted strings.
fn yaml_comment_start(value: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev_space = false;
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => {
                // `''` inside a single-quoted string is an escaped quote.
                if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None if (c == '"' || c == '\'') && (i == 0 || prev_space) => quote = Some(c),
            None if c == '#' && prev_space => return Some(i - 1),
            None => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit() -> Edit {
        Edit {
            verified: "2026-11-22".parse().unwrap(),
            describes: Some("2.4.0".into()),
            by: None,
        }
    }

    #[test]
    fn toml_keeps_everything_else() {
        let text = "+++\n# owner comment\ntitle = \"Refunds\"   # shown in nav\nverified = 2026-01-01 # last check\n\n[extra]\nx = 1\n+++\n\nBody {{ x }}\n";
        let (out, changes) = edit_text(text, &edit(), Format::Toml).unwrap();
        assert_eq!(
            out,
            "+++\n# owner comment\ntitle = \"Refunds\"   # shown in nav\nverified = 2026-11-22 # last check\ndescribes = \"2.4.0\"\n\n[extra]\nx = 1\n+++\n\nBody {{ x }}\n"
        );
        assert_eq!(changes.len(), 2);
    }

    #[test]
    fn yaml_line_edit_and_crlf_bom() {
        let text = "\u{feff}---\r\ntitle: A  # t\r\nverified: 2025-01-01 # old\r\n---\r\nBody\r\n";
        let (out, _) = edit_text(text, &edit(), Format::Toml).unwrap();
        assert_eq!(
            out,
            "\u{feff}---\r\ntitle: A  # t\r\nverified: 2026-11-22 # old\r\ndescribes: \"2.4.0\"\r\n---\r\nBody\r\n"
        );
    }

    #[test]
    fn adds_front_matter_in_site_style() {
        let (out, _) = edit_text("# Title\n\nBody\n", &edit(), Format::Yaml).unwrap();
        assert_eq!(
            out,
            "---\nverified: 2026-11-22\ndescribes: \"2.4.0\"\n---\n# Title\n\nBody\n"
        );
        let (out, _) = edit_text("# Title\n", &edit(), Format::Toml).unwrap();
        assert!(out.starts_with("+++\nverified = 2026-11-22\ndescribes = \"2.4.0\"\n+++\n# Title"));
    }

    #[test]
    fn a_hash_inside_a_quoted_yaml_value_is_not_a_comment() {
        let e = Edit {
            by: Some("Sam #1".into()),
            ..edit()
        };
        let (once, _) = edit_text("---\ntitle: A\n---\n", &e, Format::Yaml).unwrap();
        let (twice, changes) = edit_text(&once, &e, Format::Yaml).unwrap();
        assert_eq!(twice, once);
        assert!(changes.is_empty());
        assert_eq!(yaml_comment_start(" 'it''s # not' # yes"), Some(14));
        assert_eq!(yaml_comment_start(" \"a \\\" # b\""), None);
    }

    #[test]
    fn refuses_broken_front_matter() {
        assert!(edit_text("+++\ntitle = = 1\n+++\n", &edit(), Format::Toml).is_err());
    }
}
