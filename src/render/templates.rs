//! The Tera environment: the theme's templates compiled and every language's words, loaded
//! together ([`Env`]); and template errors located at their file and line.

use tera::Tera;

use super::theme::Theme;
use super::words::Words;
use crate::diagnostics::Diagnostic;

/// What every render needs from the theme, compiled at load so that `check` finds its errors as
/// `build` would: the theme's files, its templates compiled, and every language's words.
pub struct Env {
    pub theme: Theme,
    pub tera: Tera,
    /// Per language of the site, in `Site::languages` order.
    pub words: Vec<Words>,
}

impl Env {
    /// The theme (`None`: the embedded one) shadowed by the site's own files, and the words of
    /// every language code. All problems of all three are returned together.
    pub fn load(
        root: &std::path::Path,
        theme: Option<&str>,
        public: Option<&std::path::Path>,
        languages: &[String],
    ) -> Result<Env, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let compiled = match Theme::load(root, theme, public) {
            Ok(theme) => match environment(&theme) {
                Ok(tera) => Some((theme, tera)),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let mut words = Vec::with_capacity(languages.len());
        for code in languages {
            match Words::load(code, root) {
                Ok(w) => words.push(w),
                Err(e) => errors.push(e),
            }
        }
        match compiled {
            Some((theme, tera)) if errors.is_empty() => Ok(Env { theme, tera, words }),
            _ => Err(errors),
        }
    }
}

/// Builds the Tera environment; template syntax errors name the template file and line.
pub fn environment(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Tera's default escaper also rewrites `/`, which makes every URL unreadable in the page source.
    tera.set_escape_fn(crate::html::escape_attr);
    let mut errors = Vec::new();
    if let Err(e) = tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str())),
    ) {
        // Tera names the failing template in quotes; show the file it came from.
        let top = e.to_string();
        let shown = top
            .split(['\'', '"'])
            .nth(1)
            .and_then(|name| theme.templates.get(name))
            .map(|(shown, _)| shown.as_str())
            .unwrap_or("templates");
        return Err(vec![template_error(shown, &e)]);
    }
    for required in [
        "index.html",
        "section.html",
        "article.html",
        "404.html",
        "alias.html",
    ] {
        if !theme.templates.contains_key(required) {
            errors.push(
                Diagnostic::error(format!("the theme has no `{required}` template"))
                    .hint(format!("add templates/{required} to the site or the theme")),
            );
        }
    }
    if errors.is_empty() {
        Ok(tera)
    } else {
        Err(errors)
    }
}

/// `e` and every error it wraps, as one line joined by `: `.
pub(super) fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn template_error(shown: &str, e: &tera::Error) -> Diagnostic {
    let chain = error_chain(e);
    // Tera writes the position as ` --> LINE:COL`.
    let (line, col) = chain
        .split(" --> ")
        .nth(1)
        .and_then(|rest| {
            let pos: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = chain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::error(format!("template error: {message}"))
        .at(shown, line, col)
        .hint("fix the template; see docs/templates.md for the variables each template gets")
}

/// Tera reports a missing variable without a position: point at the template file it came from and
/// the first line that uses the variable.
pub fn locate_render_error(d: &mut Diagnostic, theme: &Theme) {
    let Some(name) = d
        .path
        .as_ref()
        .and_then(|p| p.to_str())
        .and_then(|p| p.strip_prefix("templates/"))
        .map(str::to_string)
    else {
        return;
    };
    let variable = d
        .message
        .split("Variable `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .filter(|v| !v.is_empty());
    let named = theme.templates.get(&name);
    if let Some((shown, _)) = named {
        d.path = Some(shown.into());
    }
    let Some(variable) = variable else {
        return;
    };
    // The template being rendered first, then the ones it extends or includes.
    let found = named
        .into_iter()
        .chain(theme.templates.values())
        .find_map(|(shown, text)| {
            text.lines().enumerate().find_map(|(i, line)| {
                let at = find_variable(line, variable)?;
                Some((shown, i + 1, line[..at].chars().count() + 1))
            })
        });
    if let Some((shown, line, column)) = found {
        d.path = Some(shown.into());
        d.line = line;
        d.column = column;
    }
}

/// Byte offset of `variable` in `line` as a whole name (`page.title` not in `page.title_x`).
fn find_variable(line: &str, variable: &str) -> Option<usize> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    line.match_indices(variable).map(|(i, _)| i).find(|&i| {
        !line[..i].ends_with(is_name) && !line[i + variable.len()..].starts_with(is_name)
    })
}
