//! The review digest (`--format digest`, `digest-json`, `check --due-within 14d`): per owner, what
//! is stale now and what falls due within the window, each with the command that records its
//! check. Made to be posted as it is: an issue body, a chat message.

use std::collections::BTreeMap;

use jiff::ToSpan;
use serde::Serialize;

use super::{ArticleOut, Report};
use crate::freshness::{Status, verify_command};

#[derive(Serialize)]
struct Item<'a> {
    title: &'a str,
    path: &'a str,
    /// Absolute when `base_url` is.
    url: String,
    status: Status,
    /// The last day to check it (due articles).
    due: Option<&'a str>,
    reasons: Vec<&'a str>,
    verify: String,
}

#[derive(Serialize)]
struct Owner<'a> {
    /// `None`: articles nobody owns.
    owner: Option<&'a str>,
    stale: Vec<Item<'a>>,
    due: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Digest<'a> {
    schema: &'static str,
    date: String,
    /// The last day of the window.
    until: String,
    within_days: u32,
    stale: usize,
    due: usize,
    owners: Vec<Owner<'a>>,
}

fn item<'a>(a: &'a ArticleOut, origin: &str) -> Item<'a> {
    Item {
        title: &a.title,
        path: &a.path,
        url: format!("{origin}{}", a.url),
        status: a.status,
        due: a.due.as_deref(),
        reasons: a.reasons.iter().map(|r| r.message.as_str()).collect(),
        verify: verify_command(&a.path),
    }
}

fn digest(r: &Report) -> Digest<'_> {
    let until = r
        .today
        .checked_add(i64::from(r.due_within).days())
        .unwrap_or(jiff::civil::Date::MAX);
    let until_s = until.to_string();
    let mut by_owner: BTreeMap<Option<&str>, Owner<'_>> = BTreeMap::new();
    let (mut stale, mut due) = (0, 0);
    for a in &r.articles {
        let is_stale = a.status == Status::Stale;
        // Dates are `YYYY-MM-DD`: they compare as text.
        let is_due = !is_stale && a.due.as_deref().is_some_and(|d| d <= until_s.as_str());
        if !is_stale && !is_due {
            continue;
        }
        let o = by_owner.entry(a.owner.as_deref()).or_insert_with(|| Owner {
            owner: a.owner.as_deref(),
            stale: Vec::new(),
            due: Vec::new(),
        });
        if is_stale {
            stale += 1;
            o.stale.push(item(a, &r.origin));
        } else {
            due += 1;
            o.due.push(item(a, &r.origin));
        }
    }
    let mut owners: Vec<Owner<'_>> = by_owner.into_values().collect();
    // Owned sections first (by name), then what nobody owns; due items soonest first.
    owners.sort_by_key(|o| (o.owner.is_none(), o.owner));
    for o in &mut owners {
        o.stale.sort_by_key(|i| i.path);
        o.due.sort_by_key(|i| (i.due, i.path));
    }
    Digest {
        schema: "kbfresh/digest/1",
        date: r.today.to_string(),
        until: until_s,
        within_days: r.due_within,
        stale,
        due,
        owners,
    }
}

pub fn json(r: &Report) -> serde_json::Value {
    serde_json::to_value(digest(r)).unwrap_or_default()
}

/// Text inside a Markdown link or list item: no line breaks, brackets escaped.
fn inline(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn push_item(out: &mut String, i: &Item<'_>) {
    // A site path is no link in an issue or a chat: the title alone, unless the address is whole.
    if i.url.starts_with("http") {
        out.push_str(&format!("- [{}]({})", inline(i.title), i.url));
    } else {
        out.push_str(&format!("- {}", inline(i.title)));
    }
    if let Some(d) = i.due {
        out.push_str(&format!(", check by {d}"));
    }
    out.push_str(&format!(" (`{}`)\n", i.path));
    for reason in &i.reasons {
        out.push_str(&format!("  - {}\n", inline(reason)));
    }
    out.push_str(&format!("  - when checked: `{}`\n", i.verify));
}

pub fn markdown(r: &Report) -> String {
    let d = digest(r);
    let mut out = format!(
        "# Help centre review, {}\n\n{} stale, {} due by {} (the next {} days).\n",
        d.date, d.stale, d.due, d.until, d.within_days
    );
    if d.owners.is_empty() {
        out.push_str("\nNothing is stale or due. ✅\n");
        return out;
    }
    for o in &d.owners {
        out.push_str(&format!(
            "\n## {}\n",
            o.owner.map_or("No owner".to_string(), inline)
        ));
        if !o.stale.is_empty() {
            out.push_str(&format!("\n### Stale ({})\n\n", o.stale.len()));
            for i in &o.stale {
                push_item(&mut out, i);
            }
        }
        if !o.due.is_empty() {
            out.push_str(&format!("\n### Due by {} ({})\n\n", d.until, o.due.len()));
            for i in &o.due {
                push_item(&mut out, i);
            }
        }
    }
    out
}
