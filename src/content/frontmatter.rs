//! Front matter: TOML between `+++` lines or YAML between `---` lines, at the very start of a file.
//! Parsed into a generic value first, then typed field by field so every wrong value is reported with
//! its own line and column, and unknown keys are kept for templates (`page.extra`).

use std::path::Path;

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::config::{Bump, PolicyOverrides, key_position};
use crate::diagnostics::{Diagnostic, LineIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    None,
    Toml,
    Yaml,
}

/// Where the front matter is in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Split {
    pub format: Format,
    /// Byte range of the front matter text (between the delimiter lines).
    pub fm_start: usize,
    pub fm_end: usize,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

impl Split {
    /// The lines of `text` before the front matter's own text: the opening delimiter, and any
    /// blank lines before it.
    pub fn lines_before(&self, text: &str) -> usize {
        text[..self.fm_start].matches('\n').count()
    }
}

/// Finds the front matter block. `text` must not start with a BOM (callers strip it). Blank lines
/// before the opening delimiter are allowed, as Hugo and Zola allow them.
pub fn split(text: &str) -> Result<Split, Diagnostic> {
    let lead = leading_blank_lines(text);
    let rest = &text[lead..];
    let format = if is_delimiter_line(rest, "+++") {
        Format::Toml
    } else if is_delimiter_line(rest, "---") {
        Format::Yaml
    } else {
        return Ok(Split::default());
    };
    let delim = if format == Format::Toml { "+++" } else { "---" };
    let first_line_end = lead + rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    let mut pos = first_line_end;
    while pos < text.len() {
        let line_end = text[pos..]
            .find('\n')
            .map(|i| pos + i + 1)
            .unwrap_or(text.len());
        let line = text[pos..line_end].trim_end_matches(['\n', '\r']);
        if line.trim_end() == delim {
            return Ok(Split {
                format,
                fm_start: first_line_end,
                fm_end: pos,
                body_start: line_end,
            });
        }
        pos = line_end;
    }
    let line = 1 + text[..lead].matches('\n').count();
    Err(Diagnostic::error(format!(
        "the front matter opened with `{delim}` on line {line} is never closed"
    ))
    .hint(format!(
        "add a line with only `{delim}` after the last front-matter line"
    )))
    .map_err(|d| Diagnostic {
        line,
        column: 1,
        ..d
    })
}

/// The bytes of the whole lines at the start of `text` that hold only spaces and tabs.
fn leading_blank_lines(text: &str) -> usize {
    let mut lead = 0;
    while let Some(end) = text[lead..].find('\n') {
        if !text[lead..lead + end].trim().is_empty() {
            break;
        }
        lead += end + 1;
    }
    lead
}

/// Deeper than YAML's own recursion limit (128): never valid front matter.
const MAX_FLOW_DEPTH: usize = 128;

/// Byte offset of the first `[` or `{` (outside quotes) nested deeper than [`MAX_FLOW_DEPTH`].
fn too_deep_flow(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = yaml.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            // Plain scalars may hold a lone `'` (`it's`): a quote never counts past its line.
            _ if b == b'\n' => quote = None,
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

fn is_delimiter_line(text: &str, delim: &str) -> bool {
    let first = text.split('\n').next().unwrap_or("");
    first.trim_end_matches('\r').trim_end() == delim
}

impl FrontMatter {
    /// Where the page sorts: its `weight`, else the place its docs tool gave it.
    pub fn order(&self) -> Option<i64> {
        self.weight.or(self.nav_weight)
    }
}

/// The fields kbfresh knows, typed.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub tags: Vec<String>,
    /// `keywords` and `synonyms`: words readers search with that the text may not use; search
    /// weighs them like the title.
    pub keywords: Vec<String>,
    /// `image`: the picture shared links show (OpenGraph, Twitter cards).
    pub image: Option<String>,
    pub aliases: Vec<String>,
    pub owner: Option<String>,
    pub verified: Option<Date>,
    pub describes: Option<String>,
    pub covers: Vec<String>,
    /// `outdated`: someone marked the article out of date (`true`, or what is wrong, for readers);
    /// `Some("")` for `true`.
    pub outdated: Option<String>,
    /// For a translation: the source article's path in the default language's content folder, when
    /// it is not at the same relative path.
    pub translation_of: Option<String>,
    /// The URL's last part (Hugo, Zola, Docusaurus `slug`); a Docusaurus `slug` starting with `/`
    /// is the whole URL.
    pub slug: Option<String>,
    /// The whole URL (Hugo `url`, Zola `path`).
    pub url: Option<String>,
    /// Docusaurus `id`: the URL's last part when there is no `slug`.
    pub id: Option<String>,
    /// A title the docs tool gives (an mdBook SUMMARY.md entry, a MkDocs `nav:` entry, a
    /// Docusaurus `sidebar_label`): used when the page has neither a `title` nor a heading.
    pub nav_title: Option<String>,
    /// The place the docs tool gives (SUMMARY.md's or `nav:`'s order, Docusaurus
    /// `sidebar_position`, scaled by 1000), below `weight`.
    pub nav_weight: Option<i64>,
    /// Hugo `headless: true` or `build: {render: never}`: a page that is not published.
    pub unrendered: Option<&'static str>,
    pub policy: PolicyOverrides,
    /// Keys kbfresh does not know, passed to templates as they were written.
    pub extra: Map<String, Value>,
}

pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "weight",
    "draft",
    "tags",
    "keywords",
    "synonyms",
    "image",
    "aliases",
    "owner",
    "verified",
    "describes",
    "covers",
    "outdated",
    "translation_of",
    "slug",
    "url",
    "path",
    "id",
    "sidebar_position",
    "sidebar_label",
    "linkTitle",
    "headless",
    "build",
    "_build",
    "max_age_days",
    "warn_days",
    "grace_days",
    "stale_on",
];

/// Parses the front matter of `text` (whole file, BOM stripped). `shown` names the file in diagnostics.
/// Returns every problem found, not just the first.
pub fn parse(text: &str, split: &Split, shown: &Path) -> Result<FrontMatter, Vec<Diagnostic>> {
    let fm_text = &text[split.fm_start..split.fm_end];
    let map = values(text, split, shown).map_err(|d| vec![d])?;
    typed(map, fm_text, shown, split.lines_before(text))
}

/// Every key of the front matter with its value, untyped (an empty map without front matter).
pub fn values(text: &str, split: &Split, shown: &Path) -> Result<Map<String, Value>, Diagnostic> {
    let fm_text = &text[split.fm_start..split.fm_end];
    // Lines before the front matter text: the opening delimiter (and blank lines before it).
    let line_offset = split.lines_before(text);
    let value = match split.format {
        Format::None => return Ok(Map::new()),
        Format::Toml => match toml::from_str::<toml::Table>(fm_text) {
            Ok(t) => toml_to_json(toml::Value::Table(t)),
            Err(e) => {
                let mut d = crate::config::toml_error(&e, fm_text, shown, line_offset);
                d.message = format!("invalid TOML front matter: {}", d.message);
                return Err(d);
            }
        },
        Format::Yaml => {
            if fm_text.trim().is_empty() {
                Value::Object(Map::new())
            } else if let Some(at) = too_deep_flow(fm_text) {
                // The YAML scanner takes quadratic time on deep `[[[[...`; it would refuse the
                // nesting anyway (after a minute on 200 KB), so refuse it first.
                let (line, col) = LineIndex::new(text).line_col(split.fm_start + at);
                return Err(Diagnostic::error(format!(
                    "invalid YAML front matter: lists or maps nested more than {MAX_FLOW_DEPTH} levels deep"
                ))
                .at(shown, line, col)
                .hint("flatten the value; front matter needs a few levels at most"));
            } else {
                match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(fm_text) {
                    Ok(v) => yaml_to_json(v),
                    Err(e) => {
                        // From the byte index, not YAML's own line count: YAML also breaks lines
                        // at a lone `\r`, and positions must be lines of the file as kbfresh counts them.
                        let (line, col) = e
                            .location()
                            .map(|l| {
                                LineIndex::new(text)
                                    .line_col(split.fm_start + l.index().min(fm_text.len()))
                            })
                            .unwrap_or((line_offset + 1, 1));
                        let msg = e.to_string();
                        // serde_yaml appends " at line X column Y": we report the position ourselves.
                        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                        return Err(
                            Diagnostic::error(format!("invalid YAML front matter: {msg}"))
                                .at(shown, line, col)
                                .hint("fix the YAML syntax at this position (strings with `:` or `#` need quotes)"),
                        );
                    }
                }
            }
        }
    };
    match value {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(Diagnostic::error(format!(
            "front matter must be a table of `key = value` pairs, found {}",
            kind_name(&other)
        ))
        .at(shown, 2, 1)
        .hint("write one `key = value` (TOML) or `key: value` (YAML) per line")),
    }
}

fn typed(
    map: Map<String, Value>,
    fm_text: &str,
    shown: &Path,
    line_offset: usize,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut fm = FrontMatter::default();
    let err = |key: &str, what: &str, v: &Value| {
        let (line, col) = key_position(fm_text, key);
        Diagnostic::error(format!("`{key}` must be {what}, not {}", short_value(v))).at(
            shown,
            if line > 0 { line + line_offset } else { 0 },
            col,
        )
    };
    for (key, v) in map {
        match key.as_str() {
            // Docusaurus: the place and the label in the sidebar (a float sorts between integers).
            "sidebar_position" => match v.as_f64() {
                Some(p) if p.is_finite() => fm.nav_weight = Some((p * 1000.0).round() as i64),
                _ => errors.push(err(&key, "a number", &v).hint("write sidebar_position: 2")),
            },
            // Starlight: `sidebar: {order: 2, label: "Short"}`; another theme's `sidebar` (a
            // boolean, a name) goes to templates as written.
            "sidebar" if v.is_object() => {
                match v.get("order") {
                    None => {}
                    Some(o) => match o.as_f64() {
                        Some(p) if p.is_finite() => {
                            fm.nav_weight = Some((p * 1000.0).round() as i64)
                        }
                        _ => errors.push(err("sidebar", "a table whose `order` is a number", o)),
                    },
                }
                match v.get("label") {
                    None => {}
                    Some(Value::String(l)) => fm.nav_title = Some(l.clone()),
                    Some(l) => errors.push(err("sidebar", "a table whose `label` is a string", l)),
                }
                fm.extra.insert(key, v);
            }
            // Hugo: the short title menus and lists show.
            "sidebar_label" | "linkTitle" => match v.as_str() {
                Some(s) => fm.nav_title = Some(s.to_string()),
                None => errors.push(err(&key, "a string", &v)),
            },
            "title" | "description" | "owner" | "describes" | "translation_of" | "slug" | "url"
            | "path" | "id" => {
                let s = match &v {
                    Value::String(s) => Some(s.clone()),
                    // `describes = 2.3` is a natural thing to write.
                    Value::Number(n) if key == "describes" => Some(n.to_string()),
                    _ => {
                        errors
                            .push(err(&key, "a string", &v).hint(format!("write {key} = \"...\"")));
                        None
                    }
                };
                match key.as_str() {
                    "title" => fm.title = s,
                    "description" => fm.description = s,
                    "owner" => fm.owner = s,
                    "translation_of" => fm.translation_of = s,
                    "slug" => fm.slug = s,
                    "url" | "path" => fm.url = s,
                    "id" => fm.id = s,
                    _ => fm.describes = s,
                }
            }
            "outdated" => match &v {
                Value::Bool(b) => fm.outdated = b.then(String::new),
                Value::String(s) if !s.trim().is_empty() => {
                    fm.outdated = Some(s.trim().to_string())
                }
                _ => errors.push(err(&key, "true or what is out of date", &v).hint(
                    "write outdated = true, or outdated = \"The export screen changed in 2.5\"",
                )),
            },
            "weight" => match v.as_i64() {
                Some(w) => fm.weight = Some(w),
                None => errors.push(err(&key, "a whole number", &v).hint("write weight = 10")),
            },
            "headless" => match v.as_bool() {
                Some(b) => fm.unrendered = fm.unrendered.or(b.then_some("headless: true")),
                None => errors.push(err(&key, "true or false", &v)),
            },
            // Hugo's build options (`_build` before Hugo 0.123): `render: never` (or `link`, or
            // `false` in old sites) publishes no page; `list` and `publishResources` only change
            // listings and resources, which kbfresh does not split.
            "build" | "_build" => match v.get("render") {
                None => {}
                Some(r)
                    if r.as_str().is_some_and(|r| matches!(r, "never" | "link"))
                        || r.as_bool() == Some(false) =>
                {
                    fm.unrendered = Some(if key == "build" {
                        "build: {render: never}"
                    } else {
                        "_build: {render: never}"
                    });
                }
                Some(r) if r.as_str() == Some("always") || r.as_bool() == Some(true) => {}
                Some(r) => errors.push(
                    err(
                        &key,
                        "a table whose `render` is \"always\", \"never\" or \"link\"",
                        r,
                    )
                    .hint(
                        "write build: {render: never} (YAML) or [build] render = \"never\" (TOML)",
                    ),
                ),
            },
            "draft" => match v.as_bool() {
                Some(b) => fm.draft = b,
                None => errors.push(err(&key, "true or false", &v)),
            },
            "tags" | "aliases" | "covers" | "keywords" | "synonyms" => match string_list(&v) {
                Some(list) => match key.as_str() {
                    "tags" => fm.tags = list,
                    "keywords" | "synonyms" => fm.keywords.extend(list),
                    "aliases" => fm.aliases = list,
                    _ => fm.covers = list,
                },
                None => errors.push(
                    err(&key, "a list of strings", &v)
                        .hint(format!("write {key} = [\"first\", \"second\"]")),
                ),
            },
            "image" => match v.as_str() {
                Some(i) if !i.trim().is_empty() => fm.image = Some(i.trim().to_string()),
                _ => errors.push(err(&key, "a picture's path or address", &v).hint(
                    "write image = \"screenshot.png\" (next to the article) or a web address",
                )),
            },
            "verified" => match v.as_str().and_then(parse_date) {
                Some(d) => fm.verified = Some(d),
                None => errors.push(err(&key, "a date", &v).hint(
                    "write the day a person checked the article, e.g. verified = 2026-05-02",
                )),
            },
            "max_age_days" | "warn_days" | "grace_days" => {
                match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => match key.as_str() {
                        "max_age_days" => fm.policy.max_age_days = Some(n),
                        "warn_days" => fm.policy.warn_days = Some(n),
                        _ => fm.policy.grace_days = Some(n),
                    },
                    None => errors.push(err(&key, "a number of days (0 or more)", &v)),
                }
            }
            "stale_on" => match v.as_str() {
                Some("major") => fm.policy.stale_on = Some(Bump::Major),
                Some("minor") => fm.policy.stale_on = Some(Bump::Minor),
                Some("patch") => fm.policy.stale_on = Some(Bump::Patch),
                _ => errors.push(err(&key, "\"major\", \"minor\" or \"patch\"", &v)),
            },
            _ => {
                fm.extra.insert(key, v);
            }
        }
    }
    if errors.is_empty() {
        Ok(fm)
    } else {
        Err(errors)
    }
}

/// `2026-05-02`, or an RFC 3339 date-time whose date part is taken.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    s.parse::<jiff::civil::DateTime>().ok().map(|dt| dt.date())
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        // A single string is a list of one: forgiving and unambiguous.
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

fn short_value(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

pub fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        let s = split(text).map_err(|d| vec![d])?;
        parse(text, &s, Path::new("a.md"))
    }

    #[test]
    fn front_matter_may_follow_blank_lines_and_errors_name_its_own_line() {
        let text = "\n  \n+++\ntitle = \"Late\"\nweight = = 1\n+++\nbody";
        let s = split(text).unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(&text[s.body_start..], "body");
        let e = p(text).unwrap_err();
        assert_eq!(e[0].line, 5, "{e:?}");
        assert_eq!(
            p("\n---\ntitle: Y\n---\n").unwrap().title.as_deref(),
            Some("Y")
        );
        assert_eq!(split("\n\n+++\ntitle = 1\n").unwrap_err().line, 3);
        // Text before it is not front matter.
        assert_eq!(
            split("Intro\n+++\ntitle = 1\n+++\n").unwrap().format,
            Format::None
        );
    }

    #[test]
    fn toml_and_yaml() {
        let fm =
            p("+++\ntitle = \"A\"\nverified = 2026-05-02\ntags = [\"x\"]\ncustom = 1\n+++\nbody")
                .unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
        assert_eq!(fm.verified.unwrap().to_string(), "2026-05-02");
        assert_eq!(fm.extra["custom"], 1);
        let fm = p("---\ntitle: B\nverified: 2026-05-02\ndescribes: 2.3\n---\nbody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("B"));
        assert_eq!(fm.describes.as_deref(), Some("2.3"));
    }

    #[test]
    fn crlf_front_matter() {
        let fm = p("+++\r\ntitle = \"A\"\r\n+++\r\nbody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
    }

    #[test]
    fn not_closed() {
        let e = p("+++\ntitle = \"A\"\n").unwrap_err();
        assert!(e[0].message.contains("never closed"));
    }

    #[test]
    fn wrong_types_are_all_reported_with_lines() {
        let e =
            p("+++\ntitle = \"A\"\nverified = \"last tuesday\"\ncovers = 3\n+++\n").unwrap_err();
        assert_eq!(e.len(), 2);
        let v = e.iter().find(|d| d.message.contains("verified")).unwrap();
        assert_eq!((v.line, v.column), (3, 12));
        let c = e.iter().find(|d| d.message.contains("covers")).unwrap();
        assert_eq!(c.line, 4);
    }

    #[test]
    fn toml_syntax_error_line_is_in_file() {
        let e = p("+++\ntitle = \"A\"\nweight = = 3\n+++\n").unwrap_err();
        assert_eq!(e[0].line, 3, "{:?}", e[0]);
    }

    #[test]
    fn yaml_syntax_error_line_is_in_file() {
        let e = p("---\ntitle: A\ntags: [a, b\n---\n").unwrap_err();
        assert!(e[0].line >= 3, "{:?}", e[0]);
    }
}
