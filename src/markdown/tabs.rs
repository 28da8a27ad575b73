//! Content tabs as HTML that works without script: one radio button per tab (the browser's own
//! keyboard handling: arrow keys move between tabs, each named by its label), the panel after its
//! label shown by CSS when its button is checked. Groups with a sync key switch together (the
//! theme's script, by the tab's value).
//!
//! Written as:
//! - MkDocs-Material: `=== "Label"` with the body indented four spaces; `===+` starts selected,
//!   `===!` starts a new group;
//! - Docusaurus and Starlight: `<Tabs groupId="os">` / `<Tabs syncKey="pkg">`, `<TabItem value="mac"
//!   label="macOS" default>` … `</TabItem>`, `</Tabs>`, each tag on its own line;
//! - kbfresh (as vitepress-plugin-tabs writes it): `:::tabs key=os`, `== Label` before each tab, `:::`.

use std::sync::LazyLock;

use regex::Regex;

use crate::html::escape_attr;

/// A group being written.
#[derive(Debug)]
pub struct Group {
    id: usize,
    count: usize,
    /// Where the first tab's ` checked` is in the text: a later default tab blanks it.
    first_checked: Option<usize>,
    has_default: bool,
}

const CHECKED: &str = " checked";

impl Group {
    /// The group's opening HTML.
    pub fn open(id: usize, sync: Option<&str>) -> (Group, String) {
        let sync = sync
            .filter(|s| !s.is_empty())
            .map(|s| format!(" data-sync=\"{}\"", escape_attr(s)))
            .unwrap_or_default();
        (
            Group {
                id,
                count: 0,
                first_checked: None,
                has_default: false,
            },
            format!("<div class=\"tabs\"{sync}>\n"),
        )
    }

    /// A tab's opening HTML (its button, its label, its panel), to be written at offset `at` of
    /// `text`; a default tab after the first takes the selection from it (in `text`, same length).
    pub fn tab(
        &mut self,
        label: &str,
        value: Option<&str>,
        default: bool,
        text: &mut String,
        at: usize,
    ) -> String {
        self.count += 1;
        let id = format!("kb-tabs-{}-{}", self.id, self.count);
        let checked = if self.count == 1 {
            self.has_default = default;
            true
        } else if default && !self.has_default {
            if let Some(at) = self.first_checked.take()
                && text.get(at..at + CHECKED.len()) == Some(CHECKED)
            {
                text.replace_range(at..at + CHECKED.len(), &" ".repeat(CHECKED.len()));
            }
            self.has_default = true;
            true
        } else {
            false
        };
        let head = format!(
            "<input type=\"radio\" class=\"tab-input\" name=\"kb-tabs-{}\" id=\"{id}\" data-value=\"{}\"",
            self.id,
            escape_attr(value.unwrap_or(label).trim()),
        );
        if checked && self.count == 1 {
            self.first_checked = Some(at + head.len());
        }
        format!(
            // The button alone on its line starts an HTML block even after a panel.
            "{head}{}>\n<label class=\"tab-label\" for=\"{id}\">{}</label><div class=\"tab-panel\">\n\n",
            if checked { CHECKED } else { "" },
            escape_attr(label.trim())
        )
    }
}

/// `=== "Label"` (MkDocs-Material): (indent, new group, selected, label).
pub fn mkdocs_tab(line: &str) -> Option<(usize, bool, bool, &str)> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^([ \t]*)===([!+]{0,2})[ \t]+"(.*)"[ \t]*$"#).expect("valid regex")
    });
    let c = RE.captures(line)?;
    let indent = c[1].bytes().map(|b| if b == b'\t' { 4 } else { 1 }).sum();
    let flags = c.get(2).map_or("", |m| m.as_str());
    Some((
        indent,
        flags.contains('!'),
        flags.contains('+'),
        c.get(3).map_or("", |m| m.as_str()),
    ))
}

/// `== Label` inside `:::tabs`.
pub fn native_tab(line: &str) -> Option<&str> {
    let t = line.trim();
    let label = t.strip_prefix("==")?;
    (label.starts_with([' ', '\t']) && !label.trim().is_empty()).then(|| label.trim())
}

/// A JSX tag of tabs alone on its line.
pub enum Jsx<'a> {
    Tabs {
        sync: Option<&'a str>,
    },
    TabsEnd,
    Item {
        label: Option<&'a str>,
        value: Option<&'a str>,
        default: bool,
    },
    ItemEnd,
}

pub fn jsx(line: &str) -> Option<Jsx<'_>> {
    static OPEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[ \t]*<(Tabs|TabItem)((?:[ \t]+[^>]*)?)>[ \t]*$").expect("valid regex")
    });
    static CLOSE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[ \t]*</(Tabs|TabItem)>[ \t]*$").expect("valid regex"));
    if let Some(c) = CLOSE.captures(line) {
        return Some(if &c[1] == "Tabs" {
            Jsx::TabsEnd
        } else {
            Jsx::ItemEnd
        });
    }
    let c = OPEN.captures(line)?;
    let attrs = c.get(2).map_or("", |m| m.as_str());
    Some(if &c[1] == "Tabs" {
        Jsx::Tabs {
            sync: attr(attrs, "groupId").or_else(|| attr(attrs, "syncKey")),
        }
    } else {
        Jsx::Item {
            label: attr(attrs, "label"),
            value: attr(attrs, "value"),
            default: has_flag(attrs, "default"),
        }
    })
}

/// `name="value"`, `name='value'` or `name={"value"}`.
pub fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + name.len()..].trim_start();
        rest = &rest[i + name.len()..];
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let Some(v) = after.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        let v = v
            .strip_prefix('{')
            .map_or(v, |v| v.trim_start())
            .trim_start();
        let q = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        return v[1..].split(q).next();
    }
    None
}

/// A bare attribute (`default`) or `default={true}`.
fn has_flag(attrs: &str, name: &str) -> bool {
    attrs.split_whitespace().any(|a| {
        a == name
            || a.strip_prefix(name)
                .is_some_and(|r| r.starts_with("={true}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_default_takes_the_selection() {
        let mut text = String::from("x");
        let (mut g, open) = Group::open(1, Some("os"));
        text.push_str(&open);
        let at = text.len();
        let first = g.tab("macOS", None, false, &mut text, at);
        text.push_str(&first);
        let len = text.len();
        let second = g.tab("Linux", Some("linux"), true, &mut text, len);
        assert_eq!(text.len(), len, "the first tab's text keeps its length");
        assert!(!text.contains(" checked>"), "{text}");
        assert!(second.contains("data-value=\"linux\" checked>"), "{second}");
        assert!(open.contains("data-sync=\"os\""));
    }

    #[test]
    fn syntaxes() {
        assert_eq!(mkdocs_tab("=== \"C\""), Some((0, false, false, "C")));
        assert_eq!(
            mkdocs_tab("    ===+ \"C++\""),
            Some((4, false, true, "C++"))
        );
        assert_eq!(mkdocs_tab("===! \"New\""), Some((0, true, false, "New")));
        assert_eq!(native_tab("== npm"), Some("npm"));
        assert_eq!(native_tab("==="), None);
        match jsx("  <TabItem value=\"apple\" label=\"Apple\" default>") {
            Some(Jsx::Item {
                label,
                value,
                default,
            }) => assert_eq!(
                (label, value, default),
                (Some("Apple"), Some("apple"), true)
            ),
            _ => panic!("not an item"),
        }
        match jsx("<Tabs groupId={\"os\"}>") {
            Some(Jsx::Tabs { sync }) => assert_eq!(sync, Some("os")),
            _ => panic!("not tabs"),
        }
        assert!(matches!(jsx("</TabItem>"), Some(Jsx::ItemEnd)));
        assert!(jsx("<Tabs>text</Tabs>").is_none());
    }
}
