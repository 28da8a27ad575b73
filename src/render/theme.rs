//! The theme: templates and static files, embedded or from a folder, shadowed file by file by the site's
//! own `templates/` and `static/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Diagnostic, display_path};

static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a theme file's bytes come from.
#[derive(Debug, Clone)]
pub enum FileSource {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`article.html`, `partials/x.html`) to (shown path, text).
    pub templates: BTreeMap<String, (String, String)>,
    /// Output path (`kbfresh.css`) to bytes.
    pub statics: BTreeMap<String, FileSource>,
}

impl Theme {
    /// `public`: a folder whose files are served at the site root (VitePress's `public/`), between
    /// the theme's static files and the site's own `static/`.
    pub fn load(
        root: &Path,
        theme: Option<&str>,
        public: Option<&Path>,
    ) -> Result<Theme, Vec<Diagnostic>> {
        let mut t = Theme::default();
        let mut errors = Vec::new();
        match theme {
            None | Some("default") => {
                add_embedded(&DEFAULT_THEME, &mut t);
            }
            Some(dir) => {
                let dir = root.join(dir);
                if !dir.join("templates").is_dir() {
                    return Err(vec![
                        Diagnostic::error(format!(
                            "theme folder `{}` has no `templates/` folder",
                            display_path(&dir, root).display()
                        ))
                        .in_file("kbfresh.toml")
                        .hint("point `theme` at a folder with templates/ and static/, or remove it to use the default theme"),
                    ]);
                }
                let inside = Inside { root, bound: &dir };
                add_dir(&dir.join("templates"), inside, true, &mut t, &mut errors);
                add_dir(&dir.join("static"), inside, false, &mut t, &mut errors);
            }
        }
        // The site's own files shadow the theme's, file by file.
        let inside = Inside { root, bound: root };
        if let Some(public) = public {
            add_dir(public, inside, false, &mut t, &mut errors);
        }
        add_dir(&root.join("templates"), inside, true, &mut t, &mut errors);
        add_dir(&root.join("static"), inside, false, &mut t, &mut errors);
        if errors.is_empty() {
            Ok(t)
        } else {
            Err(errors)
        }
    }
}

impl Theme {
    /// Whether any template comes from the site or a theme folder rather than the embedded theme.
    pub fn has_own_templates(&self) -> bool {
        self.templates
            .values()
            .any(|(shown, _)| !shown.starts_with(EMBEDDED_PREFIX))
    }
}

/// How an embedded template's path is shown.
const EMBEDDED_PREFIX: &str = "(default theme) ";

fn add_embedded(dir: &'static Dir<'static>, t: &mut Theme) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => add_embedded(d, t),
            include_dir::DirEntry::File(f) => {
                let path = f.path().to_string_lossy().replace('\\', "/");
                if let Some(name) = path.strip_prefix("templates/") {
                    let text = String::from_utf8_lossy(f.contents()).into_owned();
                    t.templates.insert(
                        name.to_string(),
                        (format!("{EMBEDDED_PREFIX}templates/{name}"), text),
                    );
                } else if let Some(name) = path.strip_prefix("static/") {
                    t.statics
                        .insert(name.to_string(), FileSource::Embedded(f.contents()));
                }
            }
        }
    }
}

/// The site root (paths are shown relative to it) and the folder a theme's files must stay in.
#[derive(Clone, Copy)]
struct Inside<'a> {
    root: &'a Path,
    bound: &'a Path,
}

fn add_dir(
    dir: &Path,
    inside: Inside<'_>,
    templates: bool,
    t: &mut Theme,
    errors: &mut Vec<Diagnostic>,
) {
    let root = inside.root;
    if !dir.is_dir() {
        return;
    }
    // `static -> /home/me` would publish whatever is there: a folder that leads out is refused.
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (dir_c, bound_c) = (canon(dir), canon(inside.bound));
    if !dir_c.starts_with(&bound_c) {
        errors.push(
            Diagnostic::error(format!(
                "`{}` is a symbolic link to `{}`, outside the {}; kbfresh never reads outside the site",
                display_path(dir, root).display(),
                dir_c.display(),
                if inside.bound == root { "site root" } else { "theme folder" }
            ))
            .in_file(display_path(dir, root))
            .hint("copy the files into the site instead of linking to them"),
        );
        return;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Diagnostic::error(format!("cannot read theme files: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel.split('/').any(|c| c.starts_with('.')) {
            continue;
        }
        let shown = display_path(entry.path(), root).display().to_string();
        if templates {
            match std::fs::read_to_string(entry.path()) {
                Ok(text) => {
                    t.templates.insert(rel, (shown, text));
                }
                Err(e) => errors.push(
                    Diagnostic::error(format!("cannot read the template: {e}"))
                        .in_file(shown)
                        .hint("templates must be readable UTF-8 files"),
                ),
            }
        } else {
            t.statics
                .insert(rel, FileSource::Disk(entry.path().to_path_buf()));
        }
    }
}
