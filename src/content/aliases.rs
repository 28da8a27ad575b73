//! Aliases: old URLs that redirect to an article. Validated at load, so `check` and `build` report
//! the same problems.

use std::collections::HashMap;

use super::Site;
use crate::diagnostics::Diagnostic;

/// One redirect page to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The article it redirects to.
    pub article: usize,
    /// Output file, relative to the output folder: `old/page/index.html`.
    pub out: String,
}

/// Content files that would replace a file the build makes itself (a theme file, `404.html`,
/// `sitemap.xml`, a search page): an error naming both. The site's own `static/` shadows the theme
/// on purpose and is not a content file.
pub fn generated_collisions(site: &Site, generated: &[String]) -> Vec<Diagnostic> {
    let generated: std::collections::HashSet<&str> = generated.iter().map(String::as_str).collect();
    let root = std::fs::canonicalize(&site.root).unwrap_or_else(|_| site.root.clone());
    site.assets
        .iter()
        .filter(|a| generated.contains(a.out.as_str()))
        .map(|a| {
            Diagnostic::error(format!(
                "`{}` would replace the file `/{}` that the build makes (from the theme or for the site)",
                a.rel, a.out
            ))
            .in_file(crate::diagnostics::display_path(&a.abs, &root))
            .hint("rename it; to replace a theme file on purpose, put it in the site's static/ folder")
        })
        .collect()
}

/// Every article's aliases as redirect pages. `generated` are the output files no Markdown file makes
/// (theme static files, `404.html`, `sitemap.xml`, search pages).
///
/// An alias never replaces anything: one whose file is already a page's, an asset's or a generated
/// file's is dropped with a warning naming both. An alias that is not a path of the site, or that two
/// articles both claim, is an error.
pub fn resolve(site: &Site, generated: &[String]) -> (Vec<Alias>, Vec<Diagnostic>) {
    let mut claimed: HashMap<String, String> = HashMap::new();
    let page_file = |path: &str| format!("{}index.html", path.trim_start_matches('/'));
    for s in &site.sections {
        let who = match &s.index {
            Some(i) => format!("`{}`", i.shown.display()),
            None => format!("the section `{}`", s.path),
        };
        claimed.insert(page_file(&s.path), who);
    }
    for a in &site.articles {
        claimed.insert(page_file(&a.path), format!("`{}`", a.src.shown.display()));
    }
    for f in &site.fallbacks {
        claimed.insert(
            page_file(&f.path),
            format!(
                "the {} fallback of `{}`",
                site.languages[f.lang].name,
                site.articles[f.article].src.shown.display()
            ),
        );
    }
    for a in &site.assets {
        claimed
            .entry(a.out.clone())
            .or_insert_with(|| format!("the file `{}`", a.rel));
    }
    for g in generated {
        claimed
            .entry(g.clone())
            .or_insert_with(|| format!("the generated `/{g}`"));
    }

    let mut aliases = Vec::new();
    let mut diags = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        let (line, col) = a.src.key_position("aliases");
        for alias in &a.front.aliases {
            let shown_alias = alias.escape_debug();
            let out = match crate::url::alias_target(alias) {
                Ok((out, _)) => out,
                Err(why) => {
                    diags.push(
                        Diagnostic::error(format!("alias `{shown_alias}` {why}"))
                            .at(a.src.shown.clone(), line, col)
                            .hint("write aliases as site paths, e.g. aliases = [\"/old/path/\"]"),
                    );
                    continue;
                }
            };
            if let Some(who) = claimed.get(&out) {
                diags.push(
                    Diagnostic::warning(format!(
                        "alias `{shown_alias}` is the URL of {who}, which keeps it; the alias is left out"
                    ))
                    .at(a.src.shown.clone(), line, col)
                    .hint("remove the alias, or move what lives at that URL"),
                );
                continue;
            }
            match seen.get(&out) {
                Some(&other) if other != i => diags.push(
                    Diagnostic::error(format!(
                        "alias `{shown_alias}` is also an alias of `{}`",
                        site.articles[other].src.shown.display()
                    ))
                    .at(a.src.shown.clone(), line, col)
                    .hint("an old URL can redirect to one page only; remove one of the aliases"),
                ),
                Some(_) => {}
                None => {
                    seen.insert(out.clone(), i);
                    aliases.push(Alias { article: i, out });
                }
            }
        }
    }
    (aliases, diags)
}
