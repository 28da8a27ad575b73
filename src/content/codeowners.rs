//! Owners from the repository's `CODEOWNERS`, for articles and sections without an `owner`, read
//! as GitHub reads it: the first of `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS` at
//! the repository root; paths relative to that root; the last line that matches a file wins; a
//! line with a pattern and no owners leaves what it matches unowned.
//!
//! Patterns: `/` at the start (or in the middle) anchors to the root, otherwise a pattern matches
//! at any depth; `*` stays within one folder, `**` crosses folders; a pattern naming a folder
//! (`docs/`, `/build/logs`) owns everything in it, while `docs/*` owns only the files directly in
//! `docs/`. GitHub does not support `!` negation or `[ ]` ranges: such lines are warned about and
//! skipped, as GitHub skips them.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostics::Diagnostic;

/// Where GitHub looks, in its order.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

#[derive(Debug, Clone)]
pub struct CodeOwners {
    /// The repository root the patterns are relative to.
    root: PathBuf,
    /// The file, relative to the repository root (`.github/CODEOWNERS`).
    pub file: String,
    /// Each rule's line (1-based) and owners, in file order.
    rules: Vec<(usize, Vec<String>)>,
    /// Every rule's globs; glob `k` belongs to rule `of_glob[k]`.
    set: GlobSet,
    of_glob: Vec<usize>,
}

/// An owner found in `CODEOWNERS`: the owners, space-separated, and the line that gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub owners: String,
    pub line: usize,
}

impl CodeOwners {
    /// The `CODEOWNERS` of the git repository holding `dir` (found by its `.git`), if it has one.
    pub fn find(dir: &Path, diags: &mut Vec<Diagnostic>) -> Option<CodeOwners> {
        let root = dir.ancestors().find(|d| d.join(".git").exists())?;
        let file = LOCATIONS.iter().find(|f| root.join(f).is_file())?;
        // Shown as the site's other files are: relative to the site root when it is the repo's.
        let shown = if root == dir {
            PathBuf::from(file)
        } else {
            root.join(file)
        };
        match std::fs::read_to_string(root.join(file)) {
            Ok(text) => Some(CodeOwners::parse(root, &shown, file, &text, diags)),
            Err(e) => {
                diags.push(
                    Diagnostic::warning(format!(
                        "cannot read {file}: {e}; owners do not come from it"
                    ))
                    .in_file(shown),
                );
                None
            }
        }
    }

    /// `shown`: the file as diagnostics name it; `file`: as reports name it.
    pub fn parse(
        root: &Path,
        shown: &Path,
        file: &str,
        text: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> CodeOwners {
        let mut rules = Vec::new();
        let mut builder = GlobSetBuilder::new();
        let mut of_glob = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let Some((pattern, owners)) = split_line(raw) else {
                continue;
            };
            let skip = |why: &str| {
                Diagnostic::warning(format!(
                    "CODEOWNERS: `{pattern}` {why}; GitHub skips the line, and so does kbfresh"
                ))
                .at(shown, line, 1)
                .hint("write the line as a plain pattern (`docs/`, `*.md`, `/content/billing/`) followed by its owners, or remove it")
            };
            if pattern.starts_with('!') {
                diags.push(skip("is a negation, which CODEOWNERS does not support"));
                continue;
            }
            if pattern.contains('[') || pattern.contains(']') {
                diags.push(skip(
                    "uses a `[ ]` range, which CODEOWNERS does not support",
                ));
                continue;
            }
            let globs = globs_of(&pattern);
            let mut built = Vec::new();
            for g in &globs {
                match GlobBuilder::new(g).literal_separator(true).build() {
                    Ok(g) => built.push(g),
                    Err(e) => {
                        diags.push(skip(&format!("is not a valid pattern ({e})")));
                        built.clear();
                        break;
                    }
                }
            }
            if built.is_empty() {
                continue;
            }
            for g in built {
                builder.add(g);
                of_glob.push(rules.len());
            }
            rules.push((line, owners));
        }
        let set = builder.build().unwrap_or_else(|e| {
            diags.push(
                Diagnostic::warning(format!("CODEOWNERS: {e}; owners do not come from it"))
                    .in_file(shown),
            );
            of_glob.clear();
            GlobSet::empty()
        });
        CodeOwners {
            root: root.to_path_buf(),
            file: file.to_string(),
            rules,
            set,
            of_glob,
        }
    }

    /// The owners of the file at `path` (absolute, or relative to the repository root): those of
    /// the last line that matches it; `None` when no line does, or the last one names nobody.
    pub fn owner(&self, path: &Path) -> Option<Owned> {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        let last = self
            .set
            .matches(rel.as_str())
            .into_iter()
            .map(|k| self.of_glob[k])
            .max()?;
        let (line, owners) = &self.rules[last];
        (!owners.is_empty()).then(|| Owned {
            owners: owners.join(" "),
            line: *line,
        })
    }
}

/// A line's pattern (unescaped) and owners; `None` for blank and comment lines. A `#` after
/// whitespace starts a comment; `\#` and `\ ` are literal in a pattern.
fn split_line(raw: &str) -> Option<(String, Vec<String>)> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut pattern = String::new();
    let mut chars = line.char_indices().peekable();
    let mut rest = "";
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    pattern.push(next);
                }
            }
            c if c.is_whitespace() => {
                rest = &line[i..];
                break;
            }
            c => pattern.push(c),
        }
    }
    let owners = rest
        .split_whitespace()
        .take_while(|w| !w.starts_with('#'))
        .map(str::to_string)
        .collect();
    Some((pattern, owners))
}

/// The globs (relative to the repository root) that say what a pattern matches.
fn globs_of(pattern: &str) -> Vec<String> {
    let folder_only = pattern.ends_with('/');
    let p = pattern.trim_end_matches('/');
    // A slash at the start or in the middle anchors the pattern to the root.
    let anchored = p.contains('/');
    let p = p.trim_start_matches('/');
    if p.is_empty() {
        return Vec::new();
    }
    let base = if anchored || p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let mut out = Vec::new();
    if !folder_only {
        out.push(base.clone());
    }
    // A folder owns what is in it, at any depth; `docs/*` owns only the files directly in docs/.
    if !p.ends_with("/*") && p != "*" || folder_only {
        out.push(format!("{base}/**"));
    }
    if p == "*" {
        out = vec!["**".to_string()];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str, path: &str) -> Option<String> {
        let mut d = Vec::new();
        let c = CodeOwners::parse(
            Path::new("/repo"),
            Path::new("CODEOWNERS"),
            "CODEOWNERS",
            text,
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
        c.owner(Path::new(path)).map(|o| o.owners)
    }

    /// The examples of GitHub's "About code owners" page.
    #[test]
    fn github_examples() {
        let file = "\
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
";
        let o = |p| owners(file, p);
        assert_eq!(
            o("README.md").as_deref(),
            Some("@global-owner1 @global-owner2")
        );
        assert_eq!(o("src/a.js").as_deref(), Some("@js-owner"));
        // `/build/logs/` is @doctocat's, but the later `**/logs` matches it too.
        assert_eq!(o("build/logs/x/y.log").as_deref(), Some("@octocat"));
        assert_eq!(o("scripts/x/y.sh").as_deref(), Some("@doctocat @octocat"));
        // `/docs/` comes after `docs/*`: the last match wins.
        assert_eq!(o("docs/getting-started.md").as_deref(), Some("@doctocat"));
        assert_eq!(
            o("docs/build-app/troubleshooting.md").as_deref(),
            Some("@doctocat")
        );
        assert_eq!(o("deep/apps/x.md").as_deref(), Some("@octocat"));
        assert_eq!(o("a/logs/b.txt").as_deref(), Some("@octocat"));
        // `/apps/github` with no owner: unowned, though `/apps/` matched first.
        assert_eq!(o("apps/github/readme.md"), None);
        assert_eq!(o("apps/other.md").as_deref(), Some("@octocat"));
    }

    #[test]
    fn a_star_stays_in_its_folder() {
        let file = "docs/* @docs\n";
        assert_eq!(owners(file, "docs/a.md").as_deref(), Some("@docs"));
        assert_eq!(owners(file, "docs/sub/a.md"), None);
        // A slash in the middle anchors the pattern to the root, as in .gitignore.
        assert_eq!(owners(file, "x/docs/a.md"), None);
        let anchored = "/docs/*.md @docs\n";
        assert_eq!(owners(anchored, "x/docs/a.md"), None);
        assert_eq!(
            owners("content/billing @billing\n", "content/billing/refunds.md").as_deref(),
            Some("@billing")
        );
        assert_eq!(
            owners("\\#notes.md @x\n", "#notes.md").as_deref(),
            Some("@x")
        );
    }

    #[test]
    fn unsupported_lines_are_warned_about_and_skipped() {
        let mut d = Vec::new();
        let c = CodeOwners::parse(
            Path::new("/repo"),
            Path::new(".github/CODEOWNERS"),
            ".github/CODEOWNERS",
            "* @all\n!docs/ @nobody\ndocs/[ab].md @x\n",
            &mut d,
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d[0].message.contains("`!docs/` is a negation"),
            "{}",
            d[0].message
        );
        assert_eq!(c.owner(Path::new("/repo/docs/a.md")).unwrap().line, 1);
    }
}
