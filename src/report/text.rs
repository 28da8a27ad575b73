//! The default report: readable in a CI log. Non-fresh articles grouped by status, then owner, one line
//! each as `path:line: status: reason`; broken links as `path:line:column: ...`; a summary line.

use super::Report;
use crate::config::FailOn;
use crate::diagnostics::escape_control as esc;
use crate::freshness::Status;
use crate::links;

/// Missing translations listed per language; the JSON report lists them all.
const MISSING_SHOWN: usize = 20;

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub fn render(r: &Report, color: bool) -> String {
    let mut out = String::new();
    for (status, code) in [
        (Status::Stale, "1;31"),
        (Status::Expiring, "1;33"),
        (Status::Unknown, "1;36"),
    ] {
        let mut group: Vec<_> = r.articles.iter().filter(|a| a.status == status).collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by(|a, b| (&a.owner, &a.path).cmp(&(&b.owner, &b.path)));
        out.push_str(&paint(
            &format!("{} ({})", status.as_str().to_uppercase(), group.len()),
            code,
            color,
        ));
        out.push('\n');
        let mut owner: Option<&Option<String>> = None;
        for a in group {
            if owner != Some(&a.owner) {
                owner = Some(&a.owner);
                out.push_str(&format!(
                    "  owner: {}\n",
                    esc(a.owner.as_deref().unwrap_or("(none)"))
                ));
            }
            let label = paint(status.as_str(), code, color);
            let mark = if a.fails { "" } else { " (not failing)" };
            for reason in &a.reasons {
                out.push_str(&format!(
                    "    {}:{}: {label}{mark}: {}\n",
                    esc(&a.path),
                    a.line,
                    esc(&reason.message)
                ));
            }
        }
        out.push('\n');
    }
    for (status, title, code) in [
        (links::Status::Broken, "BROKEN LINKS", "1;31"),
        (links::Status::Blocked, "BLOCKED LINKS", "1;33"),
        (links::Status::Unverified, "LINKS NOT VERIFIED", "1;33"),
    ] {
        let group: Vec<_> = r.links.iter().filter(|l| l.status == status).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&paint(&format!("{title} ({})", group.len()), code, color));
        out.push('\n');
        for l in group {
            out.push_str(&format!(
                "    {}: {}\n",
                esc(&l.location()),
                esc(&l.explained())
            ));
        }
        out.push('\n');
    }
    for m in r
        .missing_translations
        .iter()
        .filter(|m| !m.articles.is_empty())
    {
        let code = if r.fail_on.contains(&FailOn::MissingTranslations) {
            "1;31"
        } else {
            "1"
        };
        let title = format!(
            "MISSING TRANSLATIONS: {} ({}) ({})",
            m.name,
            m.lang,
            m.articles.len()
        );
        out.push_str(&paint(&title, code, color));
        out.push('\n');
        for p in m.articles.iter().take(MISSING_SHOWN) {
            out.push_str(&format!("    {}\n", esc(p)));
        }
        if m.articles.len() > MISSING_SHOWN {
            out.push_str(&format!(
                "    and {} more (the JSON report lists them all)\n",
                m.articles.len() - MISSING_SHOWN
            ));
        }
        out.push_str(&format!(
            "  help: add a translation at the same path in the `{}` content folder, or name its original with `translation_of` in a translation's front matter\n",
            m.lang
        ));
        out.push('\n');
    }
    for w in &r.warnings {
        // Diagnostics, already escaped line by line.
        out.push_str(w);
        out.push('\n');
    }
    // The releases articles are judged against, so a wrong scheme shows at once.
    match r.releases.as_slice() {
        [] => out.push_str("Releases: none found.\n"),
        [one] => out.push_str(&format!(
            "Releases: {} ({}).\n",
            esc(&one.tag),
            &one.date[..10]
        )),
        [first, .., last] => out.push_str(&format!(
            "Releases: {} found, {} ({}) to {} ({}).\n",
            r.releases.len(),
            esc(&first.tag),
            &first.date[..10],
            esc(&last.tag),
            &last.date[..10]
        )),
    }
    let line = r.summary_line();
    out.push_str(&if r.passed() {
        paint(&line, "32", color)
    } else {
        paint(&line, "1;31", color)
    });
    out.push('\n');
    out
}
