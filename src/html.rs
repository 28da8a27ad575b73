//! HTML escaping, one function for attributes, text and XML alike.

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
