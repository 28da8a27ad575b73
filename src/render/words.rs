//! The theme's own words and date formats, per language, from `themes/default/i18n/<code>.toml`
//! (embedded) and the site's `i18n/<code>.toml` (overrides). English fills every gap.

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diagnostics::Diagnostic;

/// The embedded strings files, by language code.
const EMBEDDED: &[(&str, &str)] = &[
    ("en", include_str!("../../themes/default/i18n/en.toml")),
    ("fa", include_str!("../../themes/default/i18n/fa.toml")),
    ("de", include_str!("../../themes/default/i18n/de.toml")),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct File {
    date_format: Option<String>,
    months: Option<Vec<String>>,
    digits: Option<String>,
    words: Map<String, Value>,
    /// Titles of folders without an index page, by their path in the language's content tree.
    sections: std::collections::BTreeMap<String, String>,
}

/// One language's words and date format.
#[derive(Debug, Clone)]
pub struct Words {
    /// The `t` map templates read.
    pub t: Value,
    date_format: String,
    months: Vec<String>,
    digits: Option<Vec<char>>,
    /// `[sections]` of the site's file: folder path (`network/cisco-ios`) -> title.
    pub sections: std::collections::BTreeMap<String, String>,
}

fn parse(text: &str, shown: &Path) -> Result<File, Diagnostic> {
    let file: File =
        toml::from_str(text).map_err(|e| crate::config::toml_error(&e, text, shown, 0))?;
    let spans = crate::config::Spans::new(text);
    let at = |key: &str| {
        let (line, col) = spans.key(&[key]);
        (shown, line, col)
    };
    if let Some(m) = &file.months
        && m.len() != 12
    {
        let (f, line, col) = at("months");
        return Err(Diagnostic::error(format!(
            "`months` has {} names; it needs 12, January first",
            m.len()
        ))
        .at(f, line, col)
        .hint("list the twelve month names as they appear in a date, January first"));
    }
    if let Some(d) = &file.digits
        && d.chars().count() != 10
    {
        let (f, line, col) = at("digits");
        return Err(
            Diagnostic::error("`digits` must hold the ten digits, zero first")
                .at(f, line, col)
                .hint("write them in one string, e.g. digits = \"۰۱۲۳۴۵۶۷۸۹\", or remove the key"),
        );
    }
    Ok(file)
}

fn embedded(code: &str) -> Option<File> {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    EMBEDDED
        .iter()
        .find(|(c, _)| *c == code)
        .or_else(|| EMBEDDED.iter().find(|(c, _)| *c == primary))
        .map(|(c, text)| {
            parse(text, Path::new(&format!("themes/default/i18n/{c}.toml")))
                .expect("the embedded strings files parse (tested)")
        })
}

impl Words {
    /// The words rendered Markdown holds, in this language.
    pub fn labels(&self) -> crate::markdown::Labels {
        let d = crate::markdown::Labels::default();
        let w = |key: &str, default: String| {
            self.t[key]
                .as_str()
                .filter(|s| !s.is_empty())
                .map_or(default, str::to_string)
        };
        crate::markdown::Labels {
            note: w("callout_note", d.note),
            tip: w("callout_tip", d.tip),
            important: w("callout_important", d.important),
            warning: w("callout_warning", d.warning),
            caution: w("callout_caution", d.caution),
            details: w("details", d.details),
            heading_link: w("heading_link", d.heading_link),
            task_done: w("task_done", d.task_done),
            task_todo: w("task_todo", d.task_todo),
        }
    }

    /// English, then the theme's file for `code`, then the site's `i18n/<code>.toml` under `root`.
    pub fn load(code: &str, root: &Path) -> Result<Words, Diagnostic> {
        let mut layers: Vec<File> = vec![embedded("en").unwrap_or_default()];
        if code != "en" {
            layers.extend(embedded(code));
        }
        let shown = Path::new("i18n").join(format!("{code}.toml"));
        match std::fs::read_to_string(root.join(&shown)) {
            Ok(text) => layers.push(parse(&text, &shown)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(
                    Diagnostic::error(format!("cannot read the strings file: {e}"))
                        .in_file(shown)
                        .hint(
                            "check the file's permissions, or remove it to use the theme's words",
                        ),
                );
            }
        }
        let mut t = Map::new();
        let mut w = Words {
            t: Value::Null,
            date_format: "{day} {month} {year}".into(),
            months: Vec::new(),
            digits: None,
            sections: Default::default(),
        };
        for layer in layers {
            t.extend(layer.words);
            w.sections.extend(
                layer
                    .sections
                    .into_iter()
                    .map(|(k, v)| (k.trim_matches('/').to_string(), v)),
            );
            if let Some(f) = layer.date_format {
                w.date_format = f;
            }
            if let Some(m) = layer.months {
                w.months = m;
            }
            if let Some(d) = layer.digits {
                w.digits = Some(d.chars().collect());
            }
        }
        w.t = Value::Object(t);
        Ok(w)
    }

    /// English only, as the theme ships it.
    #[cfg(test)]
    pub fn english() -> Words {
        Words::load("en", Path::new("")).expect("the embedded English strings load")
    }

    fn number(&self, n: i64) -> String {
        let s = n.to_string();
        match &self.digits {
            Some(d) => s
                .chars()
                .map(|c| c.to_digit(10).map_or(c, |v| d[v as usize]))
                .collect(),
            None => s,
        }
    }

    /// A date written out for readers: `2 May 2026`, `2. Mai 2026`, `۲ مه ۲۰۲۶`.
    pub fn display_date(&self, d: Date) -> String {
        let month = usize::try_from(d.month() - 1)
            .ok()
            .and_then(|m| self.months.get(m))
            .cloned()
            .unwrap_or_else(|| d.month().to_string());
        // One pass over the format (every summary on every page shows a date).
        let mut out = String::with_capacity(self.date_format.len() + month.len() + 8);
        let mut rest = self.date_format.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            let (value, len) = if rest.starts_with("{day}") {
                (self.number(d.day().into()), 5)
            } else if rest.starts_with("{month}") {
                (month.clone(), 7)
            } else if rest.starts_with("{year}") {
                (self.number(d.year().into()), 6)
            } else {
                ("{".to_string(), 1)
            };
            out.push_str(&value);
            rest = &rest[len..];
        }
        out.push_str(rest);
        out
    }

    /// `{ iso, display }` for templates.
    pub fn date_value(&self, d: Date) -> Value {
        serde_json::json!({ "iso": d.to_string(), "display": self.display_date(d) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d: Date = "2026-05-02".parse().unwrap();
        assert_eq!(Words::english().display_date(d), "2 May 2026");
        let fa = Words::load("fa", Path::new("")).unwrap();
        assert_eq!(fa.display_date(d), "۲ مه ۲۰۲۶");
        let de = Words::load("de-AT", Path::new("")).unwrap();
        assert_eq!(de.display_date(d), "2. Mai 2026");
    }

    #[test]
    fn every_language_has_every_english_word() {
        let en = Words::english();
        let keys: Vec<&String> = en.t.as_object().unwrap().keys().collect();
        for (code, text) in EMBEDDED {
            let f = parse(text, Path::new(code)).unwrap();
            for k in &keys {
                assert!(f.words.contains_key(*k), "{code} lacks `{k}`");
            }
            for k in f.words.keys() {
                assert!(keys.contains(&k), "{code} has `{k}`, which English lacks");
            }
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        let w = Words::load("hy", Path::new("")).unwrap();
        assert_eq!(w.t["search"], "Search");
    }
}
