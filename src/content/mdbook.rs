//! mdBook: the `SUMMARY.md` of a book (`book.toml` beside the content folder or at the site root).
//! The summary gives the chapters' order and, for a chapter without a title or heading of its own,
//! its title; it is the book's table of contents, not a page.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::Source;
use super::frontmatter::FrontMatter;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex};

/// Applies `SUMMARY.md` to the chapters in `markdown` (and takes it out of them). Returns how many
/// chapters it placed, `None` without a summary.
pub fn apply(markdown: &mut Vec<(Source, FrontMatter)>, diags: &mut Diagnostics) -> Option<usize> {
    let at = markdown.iter().position(|(s, _)| s.rel == "SUMMARY.md")?;
    let (summary, _) = markdown.remove(at);
    // One map of the chapters by path, not a search of them all per summary entry.
    let by_rel: std::collections::HashMap<String, usize> = markdown
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (s.rel.clone(), i))
        .collect();
    let lines = LineIndex::new(&summary.text);
    let mut order = 0i64;
    let mut applied = 0usize;
    let mut link: Option<(String, usize, String)> = None;
    for (event, range) in Parser::new(summary.body()).into_offset_iter() {
        let offset = summary.split.body_start + range.start;
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), offset, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = &mut link {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, at, text)) = link.take() else {
                    continue;
                };
                // A draft chapter (`[Title]()`) has no file.
                if dest.is_empty() {
                    continue;
                }
                order += 1;
                let path = dest.split('#').next().unwrap_or("");
                let target = crate::url::normalize_rel("", &crate::url::percent_decode(path));
                match target.and_then(|t| by_rel.get(&t).copied()) {
                    Some(i) => {
                        let front = &mut markdown[i].1;
                        front.nav_weight = Some(order);
                        if front.nav_title.is_none() && !text.trim().is_empty() {
                            front.nav_title = Some(text.trim().to_string());
                        }
                        applied += 1;
                    }
                    None => {
                        let (line, col) = lines.line_col(at);
                        diags.push(
                            Diagnostic::warning(format!(
                                "`{dest}` is in the book's SUMMARY.md but not a Markdown file of the content folder"
                            ))
                            .at(summary.shown.clone(), line, col)
                            .hint("fix the link in SUMMARY.md, or add the chapter"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    Some(applied)
}
