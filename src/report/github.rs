//! GitHub Actions workflow commands: annotations on the files of a pull request.

use super::Report;
use crate::freshness::Status;
use crate::links;

/// Workflow command data and properties have their own escaping.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for a in r.articles.iter().filter(|a| a.status != Status::Fresh) {
        let level = if a.fails { "error" } else { "warning" };
        let title = match a.status {
            Status::Stale => "Stale article",
            Status::Expiring => "Article due for review",
            _ => "Article never verified",
        };
        let msg: Vec<&str> = a.reasons.iter().map(|x| x.message.as_str()).collect();
        out.push_str(&format!(
            "::{level} file={},line={},title={}::{}\n",
            prop(&a.path),
            a.line,
            prop(title),
            data(&format!(
                "{} (fix: {})",
                msg.join("; "),
                crate::freshness::verify_command(&a.path)
            ))
        ));
    }
    for l in r
        .links
        .iter()
        .filter(|l| matches!(l.status, links::Status::Broken | links::Status::Unverified))
    {
        let level = if r.link_fails(l) { "error" } else { "warning" };
        let title = if l.status == links::Status::Unverified {
            "Link not verified"
        } else {
            "Broken link"
        };
        let msg = l.explained();
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            prop(&l.path.display().to_string()),
            l.line,
            l.column,
            prop(title),
            data(&msg)
        ));
    }
    out.push_str(&format!(
        "::notice title=kbfresh::{}\n",
        data(&r.summary_line())
    ));
    out
}
