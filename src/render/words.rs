//! The theme's own words and date formats, per language (English is the fallback).

use jiff::civil::Date;
use serde_json::{Map, Value};

const EN: &[(&str, &str)] = &[
    ("search", "Search"),
    ("search_placeholder", "Search the help centre"),
    ("search_results", "Search results"),
    ("no_results", "No results"),
    ("search_loading", "Searching…"),
    (
        "search_needs_js",
        "Search needs JavaScript. Browse the sections instead.",
    ),
    ("search_more", "Show all results"),
    ("home", "Home"),
    ("skip_to_content", "Skip to content"),
    ("on_this_page", "On this page"),
    ("previous", "Previous"),
    ("next", "Next"),
    ("related", "Related articles"),
    ("recently_updated", "Recently updated"),
    ("articles", "articles"),
    ("article", "article"),
    ("in_this_section", "In this section"),
    ("last_verified", "Last verified"),
    ("updated", "Updated"),
    ("for_version", "for version"),
    ("not_verified", "Not verified yet"),
    ("still_need_help", "Still need help?"),
    ("contact_us", "Contact us"),
    ("stale_title", "This article may be out of date"),
    (
        "stale_late",
        "It has not been checked against the product for a while; some details may have changed.",
    ),
    ("not_found_title", "Page not found"),
    (
        "not_found_text",
        "The page you were looking for does not exist or has moved.",
    ),
    ("redirecting", "This page has moved. Redirecting to"),
    ("tags", "Tags"),
    ("owner", "Owner"),
    ("sections", "Sections"),
    ("menu", "Menu"),
    ("built_with", "Built with"),
    ("stale", "May be out of date"),
    ("breadcrumbs", "Breadcrumbs"),
];

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The `t` map templates read.
pub fn words(_lang: &str) -> Value {
    let mut m = Map::new();
    for (k, v) in EN {
        m.insert((*k).to_string(), Value::String((*v).to_string()));
    }
    Value::Object(m)
}

/// A date written out for readers: `2 May 2026`.
pub fn display_date(d: Date, _lang: &str) -> String {
    let month = EN_MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
    format!("{} {month} {}", d.day(), d.year())
}

/// `{ iso, display }` for templates.
pub fn date_value(d: Date, lang: &str) -> Value {
    serde_json::json!({ "iso": d.to_string(), "display": display_date(d, lang) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d: Date = "2026-05-02".parse().unwrap();
        assert_eq!(display_date(d, "en"), "2 May 2026");
    }
}
