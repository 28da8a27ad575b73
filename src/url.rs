//! URL and path helpers shared by every stage: schemes, percent-decoding, and the three ways a
//! relative path is resolved (inside the content folder, against a page URL, as an alias).

/// True for targets with a URL scheme (`https:`, `mailto:`), protocol-relative `//host`, or `#fragment`.
pub fn is_external_or_fragment(target: &str) -> bool {
    target.starts_with('#') || target.starts_with("//") || has_scheme(target)
}

pub fn has_scheme(target: &str) -> bool {
    match target.find(':') {
        Some(i) => {
            let scheme = &target[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !target[..i].contains('/')
        }
        None => false,
    }
}

/// The scheme of a URL as a browser reads it, lowercase: character references decoded, leading
/// spaces and control characters dropped, tabs and newlines removed (`java&#x09;script:` is
/// `javascript:` to a browser).
pub fn url_scheme(href: &str) -> Option<String> {
    let decoded = decode_char_refs(href);
    let cleaned: String = decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    has_scheme(&cleaned).then(|| cleaned.split(':').next().unwrap_or("").to_ascii_lowercase())
}

/// `&#106;`, `&#x6A;` (the `;` is optional, as browsers read it), `&colon;`, `&tab;`, `&newline;`.
fn decode_char_refs(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let after = &rest[1..];
        let (decoded, used) = if let Some(num) = after.strip_prefix('#') {
            let (radix, digits_from) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (16, h),
                None => (10, num),
            };
            let len = digits_from
                .find(|c: char| !c.is_digit(radix))
                .unwrap_or(digits_from.len());
            let prefix = num.len() - digits_from.len();
            let value = u32::from_str_radix(&digits_from[..len.min(8)], radix)
                .ok()
                .and_then(char::from_u32);
            match value {
                Some(c) if len > 0 => {
                    let semi = usize::from(digits_from[len..].starts_with(';'));
                    (Some(c), 1 + 1 + prefix + len + semi)
                }
                _ => (None, 1),
            }
        } else {
            let lower = after.get(..8).unwrap_or(after).to_ascii_lowercase();
            [("colon;", ':'), ("tab;", '\t'), ("newline;", '\n')]
                .into_iter()
                .find(|(name, _)| lower.starts_with(name))
                .map(|(name, c)| (Some(c), 1 + name.len()))
                .unwrap_or((None, 1))
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push('&'),
        }
        rest = &rest[used..];
    }
    out.push_str(rest);
    out.into()
}

pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A site path as it goes into a link: the ASCII characters a URL path may not hold as they are
/// (space, `%`, `#`, `?`, quotes, brackets, braces, controls) percent-encoded, everything else kept
/// (letters of any script stay readable). `percent_decode` gives the path back.
pub fn href(path: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_byte = |b: u8| {
        b <= b' '
            || matches!(
                b,
                b'"' | b'#'
                    | b'%'
                    | b'<'
                    | b'>'
                    | b'?'
                    | b'['
                    | b'\\'
                    | b']'
                    | b'^'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | 0x7f
            )
    };
    if !path.bytes().any(unsafe_byte) {
        return path.into();
    }
    let mut out = String::with_capacity(path.len() + 8);
    for c in path.chars() {
        if c.is_ascii() && unsafe_byte(c as u8) {
            out.push_str(&format!("%{:02X}", c as u8));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Joins a relative link to a folder, resolving `.` and `..`; `None` when it climbs out of the content folder.
pub fn normalize_rel(from_dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if from_dir.is_empty() {
        Vec::new()
    } else {
        from_dir.split('/').collect()
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Resolves a relative URL against a page URL (a folder URL ending in `/`).
pub fn join_url(page: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').filter(|s| !s.is_empty()).collect();
    if !page.ends_with('/') {
        parts.pop();
    }
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut s = format!("/{}", parts.join("/"));
    if rel.ends_with('/') && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// Output file and site path for an alias: `/old/page/` -> `old/page/index.html`; `/old.html`
/// stays. `Err` says why the alias is not a path of this site.
pub fn alias_target(alias: &str) -> Result<(String, String), &'static str> {
    let a = alias.trim();
    if a.chars().any(char::is_control) {
        return Err("holds a control character");
    }
    if a.is_empty() || has_scheme(a) || a.starts_with("//") {
        return Err("is not a URL path on this site");
    }
    let clean: Vec<&str> = a
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if clean.contains(&"..") || clean.is_empty() {
        return Err("is not a URL path on this site");
    }
    let joined = clean.join("/");
    // `/old.html`, `/faq.php`, `/sitemap.xml`: a file of that name; `/old/page`: a folder's page.
    let names_file = !a.ends_with('/')
        && clean
            .last()
            .and_then(|l| l.rsplit_once('.'))
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty());
    if names_file {
        Ok((joined.clone(), format!("/{joined}")))
    } else {
        Ok((format!("{joined}/index.html"), format!("/{joined}/")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_files() {
        assert_eq!(alias_target("/old/page/").unwrap().0, "old/page/index.html");
        assert_eq!(alias_target("old/page").unwrap().1, "/old/page/");
        assert_eq!(alias_target("/old.html").unwrap().0, "old.html");
        assert_eq!(alias_target("/sitemap.xml").unwrap().0, "sitemap.xml");
        assert_eq!(alias_target("/v1.2/").unwrap().0, "v1.2/index.html");
        assert_eq!(
            alias_target("/.well-known").unwrap().0,
            ".well-known/index.html"
        );
        assert!(alias_target("/../etc/passwd").is_err());
        assert!(alias_target("https://x.example/").is_err());
        assert!(alias_target("/a\nCNAME").is_err());
        assert!(alias_target("/tab\there/").is_err());
    }

    #[test]
    fn joins_like_a_browser() {
        assert_eq!(
            join_url("/billing/refunds/", "../invoices/"),
            "/billing/invoices/"
        );
        assert_eq!(
            join_url("/billing/refunds/", "img.png"),
            "/billing/refunds/img.png"
        );
        assert_eq!(join_url("/a/", "../../x"), "/x");
    }

    #[test]
    fn hrefs_encode_only_what_a_path_cannot_hold() {
        assert_eq!(href("/common/c++/"), "/common/c++/");
        assert_eq!(href("/common/%/"), "/common/%25/");
        assert_eq!(href("/common/[/"), "/common/%5B/");
        assert_eq!(href("/a b/über/"), "/a%20b/über/");
        assert_eq!(percent_decode(&href("/x/{?#}/")), "/x/{?#}/");
    }

    #[test]
    fn normalize() {
        assert_eq!(normalize_rel("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalize_rel("", "./x/y.md").as_deref(), Some("x/y.md"));
        assert_eq!(normalize_rel("a", "../../x"), None);
    }
}
