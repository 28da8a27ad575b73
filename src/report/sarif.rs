//! SARIF 2.1.0 for code scanning: a rule per kind of finding, physical locations in the Markdown files.

use serde_json::{Value, json};

use super::Report;
use crate::freshness::Status;
use crate::links;

const RULES: &[(&str, &str, &str)] = &[
    (
        "unverified-fragment",
        "Fragment not verified",
        "The page answered, but its body could not be read to look for the #fragment (it timed out or broke off). Check the link by hand or raise [links] timeout.",
    ),
    (
        "stale-article",
        "Stale article",
        "The article describes an older release or was last verified too long ago. Check it against the product, update it, and run `kbfresh verify` on it.",
    ),
    (
        "expiring-article",
        "Article due for review",
        "The article becomes stale soon (within the grace period of a release, or close to max_age_days).",
    ),
    (
        "unverified-article",
        "Article never verified",
        "The article has no verified date and no git history.",
    ),
    (
        "broken-link",
        "Broken internal link",
        "A link points at no page or file of the site.",
    ),
    (
        "broken-anchor",
        "Broken anchor",
        "A link's #fragment is not a heading or id on the target page.",
    ),
    (
        "broken-external-link",
        "Broken external link",
        "An external link answered with an error.",
    ),
];

fn location(path: &str, line: usize, column: usize) -> Value {
    let mut region = json!({ "startLine": line.max(1) });
    if column > 0 {
        region["startColumn"] = json!(column);
    }
    json!({ "physicalLocation": { "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" }, "region": region } })
}

pub fn render(r: &Report) -> String {
    let mut results = Vec::new();
    for a in r.articles.iter().filter(|a| a.status != Status::Fresh) {
        let rule = match a.status {
            Status::Stale => "stale-article",
            Status::Expiring => "expiring-article",
            _ => "unverified-article",
        };
        let msg: Vec<&str> = a.reasons.iter().map(|x| x.message.as_str()).collect();
        results.push(json!({
            "ruleId": rule,
            "level": if a.fails { "error" } else { "warning" },
            "message": { "text": format!("{}: {}", a.title, msg.join("; ")) },
            "locations": [location(&a.path, a.line, 0)],
        }));
    }
    for l in r
        .links
        .iter()
        .filter(|l| matches!(l.status, links::Status::Broken | links::Status::Unverified))
    {
        let rule = match l.kind {
            _ if l.status == links::Status::Unverified => "unverified-fragment",
            links::Kind::Anchor | links::Kind::Fragment => "broken-anchor",
            links::Kind::External => "broken-external-link",
            _ => "broken-link",
        };
        let text = l.explained();
        results.push(json!({
            "ruleId": rule,
            "level": if r.link_fails(l) { "error" } else { "warning" },
            "message": { "text": text },
            "locations": [location(&l.path.display().to_string(), l.line, l.column)],
        }));
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, help)| json!({ "id": id, "name": name, "shortDescription": { "text": name }, "fullDescription": { "text": help }, "help": { "text": help } }))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kbfresh",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
