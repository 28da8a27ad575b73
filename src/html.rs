//! HTML escaping: one function for attributes, text and XML alike, and one for JSON inside a page.

/// Escapes `&`, `<`, `>`, `"` and `'`: safe in text, in quoted attributes and in XML.
pub fn escape_attr(s: &str) -> String {
    // Most values (titles, URLs) need no escaping: one byte scan, one copy.
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON for a `<script>` element or a file next to the pages: `<`, `>` and `&` as `\u003c`,
/// `\u003e`, `\u0026` (one pass, and none at all for the usual text without them), so no title can
/// close an element or be mistaken for markup wherever the JSON ends up.
pub fn script_safe(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}
