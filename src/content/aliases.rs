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

/// Output names kbfresh keeps for itself (its manifest, lock, first-build mark, staging folder,
/// cache): nothing a page, an alias or a file is called may start with them.
const RESERVED: &str = ".kbfresh";

/// What the build makes at output file `out` (relative to the output folder), if anything: a
/// generated file, a file in a generated folder (`folders`, each ending in `/`), or a name kbfresh
/// keeps for itself.
fn generated_at(out: &str, generated: &[String], folders: &[String]) -> Option<String> {
    if out.split('/').any(|part| part.starts_with(RESERVED)) {
        return Some(
            "a name kbfresh keeps for itself (its manifest, lock and cache start with `.kbfresh`)"
                .into(),
        );
    }
    if generated.iter().any(|g| g == out) {
        return Some(format!("the file `/{out}`"));
    }
    folders
        .iter()
        .find(|f| out.starts_with(f.as_str()))
        .map(|f| format!("the generated folder `/{f}`"))
}

/// Content that would replace what the build makes itself (a theme file, `404.html`,
/// `sitemap.xml`, a search page or index, the dashboard, a feed, kbfresh's own files): an error
/// naming both, for files and pages alike. The site's own `static/` shadows the theme on purpose
/// and is not a content file.
pub fn generated_collisions(
    site: &Site,
    generated: &[String],
    folders: &[String],
) -> Vec<Diagnostic> {
    let root = std::fs::canonicalize(&site.root).unwrap_or_else(|_| site.root.clone());
    let mut diags: Vec<Diagnostic> = site
        .assets
        .iter()
        .filter_map(|a| Some((a, generated_at(&a.out, generated, folders)?)))
        .map(|(a, what)| {
            Diagnostic::error(format!(
                "`{}` would replace {what} that the build makes (from the theme or for the site)",
                a.rel
            ))
            .in_file(crate::diagnostics::display_path(&a.abs, &root))
            .hint("rename it; to replace a theme file on purpose, put it in the site's static/ folder")
        })
        .collect();
    let pages = site.articles.iter().map(|a| (&a.path, &a.src)).chain(
        site.sections
            .iter()
            .filter_map(|s| Some((&s.path, s.index.as_ref()?))),
    );
    // A page of the site at a generated page's URL (`/search/`) wins over it, as it always has;
    // only kbfresh's own names and the folders it fills are out of reach.
    for (path, src) in pages {
        let out = format!("{}index.html", path.trim_start_matches('/'));
        if let Some(what) = generated_at(&out, &[], folders) {
            let (line, col) = src.key_position("slug");
            diags.push(
                Diagnostic::error(format!(
                    "the page's URL `{path}` would replace {what} that the build makes"
                ))
                .at(src.shown.clone(), line, col)
                .hint("give the page another `slug`, or rename its file"),
            );
        }
    }
    diags
}

/// Every article's aliases as redirect pages. `generated` are the output files no Markdown file makes
/// (theme static files, `404.html`, `sitemap.xml`, search pages), `folders` the folders the build
/// fills.
///
/// An alias never replaces anything: one whose file is already a page's, an asset's or a generated
/// file's is dropped with a warning naming both, and so is one that an earlier article (in path
/// order) claims too. An alias that is not a path of the site is an error.
pub fn resolve(
    site: &Site,
    generated: &[String],
    folders: &[String],
) -> (Vec<Alias>, Vec<Diagnostic>) {
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
            if let Some(what) = generated_at(&out, generated, folders) {
                diags.push(
                    Diagnostic::warning(format!(
                        "alias `{shown_alias}` would replace {what} that the build makes; the alias is left out"
                    ))
                    .at(a.src.shown.clone(), line, col)
                    .hint("remove the alias"),
                );
                continue;
            }
            match seen.get(&out) {
                // Hugo writes one of the redirects and goes on: the first page in path order
                // keeps it, the same on every build.
                Some(&other) if other != i => diags.push(
                    Diagnostic::warning(format!(
                        "alias `{shown_alias}` is also an alias of `{}`, which keeps it; this one is left out",
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
