//! JUnit XML: one test case per article and per broken link; failures per the policy. GitLab, Jenkins
//! and most CI systems render it.

use super::Report;
use crate::html::escape_attr as xml_escape;
use crate::links;

pub fn render(r: &Report) -> String {
    let broken: Vec<_> = r
        .links
        .iter()
        .filter(|l| matches!(l.status, links::Status::Broken | links::Status::Unverified))
        .collect();
    let article_failures = r.articles.iter().filter(|a| a.fails).count();
    let link_failures = broken.iter().filter(|l| r.link_fails(l)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"kbfresh\" tests=\"{}\" failures=\"{}\">\n",
        r.articles.len() + broken.len(),
        article_failures + link_failures
    ));
    out.push_str(&format!(
        "  <testsuite name=\"freshness\" tests=\"{}\" failures=\"{article_failures}\" timestamp=\"{}\">\n",
        r.articles.len(),
        xml_escape(&r.now)
    ));
    for a in &r.articles {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"freshness.{}\" file=\"{}\" line=\"{}\">",
            xml_escape(&a.path),
            a.status.as_str(),
            xml_escape(&a.path),
            a.line
        ));
        let text: Vec<String> = a.reasons.iter().map(|x| x.message.clone()).collect();
        if a.fails {
            out.push_str(&format!(
                "\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    ",
                a.status.as_str(),
                xml_escape(text.first().map(String::as_str).unwrap_or("")),
                xml_escape(&format!(
                    "{}\nFix: {}",
                    text.join("\n"),
                    crate::freshness::verify_command(&a.path)
                ))
            ));
        } else if !text.is_empty() {
            out.push_str(&format!(
                "\n      <system-out>{}</system-out>\n    ",
                xml_escape(&text.join("\n"))
            ));
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n");
    out.push_str(&format!(
        "  <testsuite name=\"links\" tests=\"{}\" failures=\"{link_failures}\">\n",
        broken.len()
    ));
    for l in &broken {
        let loc = l.location();
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"links.{}\" file=\"{}\" line=\"{}\">",
            xml_escape(&format!("{loc} {}", l.target)),
            l.kind.as_str(),
            xml_escape(&l.path.display().to_string()),
            l.line
        ));
        let tag = if r.link_fails(l) {
            "failure"
        } else {
            "skipped"
        };
        out.push_str(&format!(
            "<{tag} message=\"{}\">{}</{tag}>",
            xml_escape(&l.message),
            xml_escape(&format!("{loc}: {}", l.explained()))
        ));
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
