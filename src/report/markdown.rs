//! A Markdown table for a pull-request comment: what is stale, why, who owns it.

use super::Report;
use crate::freshness::Status;
use crate::freshness::verify_command;
use crate::links;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let mut out = String::from("## kbfresh check\n\n");
    out.push_str(&format!("{}\n\n", r.summary_line()));
    let mut rows: Vec<_> = r
        .articles
        .iter()
        .filter(|a| a.status != Status::Fresh)
        .collect();
    rows.sort_by_key(|a| (std::cmp::Reverse(a.status), a.path.clone()));
    if !rows.is_empty() {
        out.push_str("| Article | Status | Why | Owner | Fix |\n|---|---|---|---|---|\n");
        for a in rows {
            let why: Vec<String> = a.reasons.iter().map(|x| cell(&x.message)).collect();
            out.push_str(&format!(
                "| [{}]({}) | {}{} | {} | {} | `{}` |\n",
                cell(&a.title),
                cell(&a.path),
                a.status.as_str(),
                if a.fails { " ❌" } else { "" },
                why.join("<br>"),
                cell(a.owner.as_deref().unwrap_or("")),
                verify_command(&a.path)
            ));
        }
        out.push('\n');
    }
    for (status, heading) in [
        (links::Status::Broken, "Broken links"),
        (links::Status::Unverified, "Links not verified"),
    ] {
        let listed: Vec<_> = r.links.iter().filter(|l| l.status == status).collect();
        if listed.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "### {heading}\n\n| Where | Link | Problem |\n|---|---|---|\n"
        ));
        for l in listed {
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                cell(&l.location()),
                cell(&l.target),
                cell(&l.explained())
            ));
        }
    }
    out
}
