//! `--format translator`: for each translation left behind by its original, what changed in the
//! original since the translation was last checked, as a unified diff, and the command that
//! records the new check. A packet a translator can work from.

use std::collections::HashSet;

use super::Report;
use crate::freshness::{ReasonKind, Status, short, verify_command};
use crate::history::{Then, texts_then};
use crate::loaded::Loaded;

#[derive(Debug, Clone)]
pub struct Packet {
    /// The translation, as shown.
    pub path: String,
    pub lang_name: String,
    pub original: String,
    pub reason: String,
    /// The original's text when the translation was last checked, with the commit it is from.
    pub then: Option<(String, String)>,
    pub now: String,
}

pub fn packets(loaded: &Loaded, report: &Report) -> Vec<Packet> {
    let site = &loaded.site;
    let reported: HashSet<&str> = report.articles.iter().map(|a| a.path.as_str()).collect();
    let mut found = Vec::new();
    for (i, f) in loaded.freshness.iter().enumerate() {
        let a = &site.articles[i];
        let Some(reason) = f
            .reasons
            .iter()
            .find(|r| r.kind == ReasonKind::Translation && r.status == Status::Stale)
        else {
            continue;
        };
        let (Some(src), Some(day)) = (site.source_of(i), f.last_verified) else {
            continue;
        };
        if !reported.contains(a.src.shown.to_string_lossy().as_ref()) {
            continue;
        }
        // Checked by its own commit: the original as it was in that commit's tree; by a
        // `verified` date: as it was at the end of that day.
        let commit = (f.verified_source == Some(crate::freshness::VerifiedSource::Commit))
            .then(|| loaded.history.files.get(i)?.as_ref()?.last_change.as_ref())
            .flatten()
            .map(|c| c.commit.as_str());
        found.push((i, src, reason.message.clone(), commit, day));
    }
    let wanted: Vec<Then<'_>> = found
        .iter()
        .map(|(_, src, _, commit, day)| Then {
            rel: &site.articles[*src].src.rel,
            commit: *commit,
            day: *day,
        })
        .collect();
    let then = texts_then(site, &wanted);
    found
        .into_iter()
        .zip(then)
        .map(|((i, src, reason, _, _), then)| {
            let a = &site.articles[i];
            let o = &site.articles[src];
            Packet {
                path: a.src.shown.display().to_string(),
                lang_name: site.languages[a.lang].name.clone(),
                original: o.src.shown.display().to_string(),
                reason,
                then: then.map(|(text, commit)| (commit, text)),
                now: o.src.text.clone(),
            }
        })
        .collect()
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

pub fn render(r: &Report) -> String {
    let mut out = format!("# Translations to update, {}\n\n", r.today);
    if r.packets.is_empty() {
        out.push_str("Every translation is up to date with its original. ✅\n");
        return out;
    }
    out.push_str(&format!(
        "{} translation{} whose original changed after {} last checked.\n",
        r.packets.len(),
        if r.packets.len() == 1 { "" } else { "s" },
        if r.packets.len() == 1 {
            "it was"
        } else {
            "they were"
        },
    ));
    for p in &r.packets {
        let mut reason = p.reason.chars();
        let reason: String = reason
            .next()
            .map(|c| c.to_uppercase().chain(reason).collect())
            .unwrap_or_default();
        out.push_str(&format!(
            "\n## {} ({})\n\n{reason}.\n\n",
            p.path, p.lang_name
        ));
        match &p.then {
            Some((commit, then)) => {
                let diff = similar::TextDiff::from_lines(then.as_str(), p.now.as_str());
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!(
                            "{} ({}, when the translation was last checked)",
                            p.original,
                            short(commit)
                        ),
                        &format!("{} (now)", p.original),
                    )
                    .to_string();
                let f = fence(&text);
                out.push_str(&format!("{f}diff\n{text}"));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("{f}\n"));
            }
            None => {
                let f = fence(&p.now);
                out.push_str(&format!(
                    "The original's text from then is not in the history here (a shallow clone, or it was not committed yet); it is now:\n\n{f}markdown\n{}",
                    p.now
                ));
                if !p.now.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("{f}\n"));
            }
        }
        out.push_str(&format!(
            "\nWhen it is updated: `{}`\n",
            verify_command(&p.path)
        ));
    }
    out
}
