//! An Atom feed per language (`<home>feed.xml`): its articles most recently updated or verified,
//! newest first, for readers' feed readers and for chat or ticket tools that follow a help centre.

use jiff::Timestamp;

use super::context::Ctx;
/// Escaped for XML, whose 1.0 allows no control character but tab, line feed and carriage return,
/// not even as a reference: each other one shows as U+FFFD, so the feed stays valid and the
/// mistake stays visible.
fn esc(s: &str) -> String {
    let escaped = crate::html::escape_attr(s);
    if !escaped
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return escaped;
    }
    escaped
        .chars()
        .map(|c| {
            // C0 and DEL and C1: XML 1.0 forbids C0 and discourages the rest.
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Entries in a feed.
pub const FEED_ENTRIES: usize = 30;

/// When article `i` last changed for readers: its last commit or its verification, the later.
fn updated(ctx: &Ctx<'_>, i: usize) -> Option<Timestamp> {
    let changed = ctx.input.last_changes[i].as_ref().map(|c| c.date);
    let verified = ctx.input.freshness[i]
        .last_verified
        .map(crate::freshness::day_start);
    changed.max(verified)
}

fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn feed(ctx: &Ctx<'_>, l: usize) -> String {
    let site = ctx.input.site;
    let lang = &site.languages[l];
    let home = &site.sections[lang.home].path;
    let mut entries: Vec<(Timestamp, usize)> = (0..site.articles.len())
        .filter(|&i| site.articles[i].lang == l)
        .filter_map(|i| updated(ctx, i).map(|t| (t, i)))
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    entries.truncate(FEED_ENTRIES);
    let newest = entries.first().map_or(ctx.input.now, |e| e.0);
    let home_url = ctx.permalink(home);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n",
        esc(&lang.code),
        esc(&lang.title)
    );
    if let Some(d) = site.config.description_in(&lang.code, l == 0) {
        s.push_str(&format!("  <subtitle>{}</subtitle>\n", esc(d)));
    }
    s.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n  <generator>{}</generator>\n",
        esc(&ctx.permalink(&format!("{home}feed.xml"))),
        esc(&home_url),
        esc(&home_url),
        stamp(newest),
        esc(&lang.title),
        esc(ctx.input.generator)
    ));
    for (t, i) in entries {
        let a = &site.articles[i];
        let url = ctx.permalink(&a.path);
        s.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n",
            esc(&a.title),
            esc(&url),
            esc(&url),
            stamp(t)
        ));
        if let Some(d) = a.front.description.as_deref().filter(|d| !d.is_empty()) {
            s.push_str(&format!("    <summary>{}</summary>\n", esc(d)));
        }
        for tag in &a.front.tags {
            s.push_str(&format!("    <category term=\"{}\"/>\n", esc(tag)));
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}
