//! `kbfresh init DIR`: a new help centre with a config, a section and a first article.

use std::path::Path;

use crate::diagnostics::Diagnostic;

const CONFIG: &str = r#"# kbfresh site configuration: see README.md for every key.
title = "Help Centre"
description = "Answers to common questions, kept up to date."
# The address the site is published at (used for sitemap.xml and canonical links).
base_url = "/"
default_language = "en"
content_dir = "content"
output_dir = "public"

[support]
title = "Still need help?"
text = "Our support team answers within one working day."

[[support.channels]]
kind = "email"
label = "Email support"
url = "mailto:support@example.com"
hours = "Mon-Fri 09:00-17:00"

[freshness]
# Git tags that mark product releases; without it, found from the tags (v1.2.3, 1.2.3, pkg@1.2.3).
# release_tags = "v*"
# An article not verified for this long is stale.
max_age_days = 365
"#;

const HOME: &str = r#"+++
title = "Help Centre"
+++

Welcome! Pick a section below or search for an answer.
"#;

const SECTION: &str = r#"+++
title = "Getting started"
description = "Set up your account and learn the basics."
weight = 1
+++
"#;

fn article(today: &str) -> String {
    format!(
        r#"+++
title = "Welcome to the help centre"
description = "What this help centre covers and how to find answers."
weight = 1
tags = ["basics"]
verified = {today}
+++

This is your first article. Edit `content/getting-started/welcome.md`, then run:

```sh
kbfresh build
```

## Next steps

- Add a folder under `content/` for each topic: each folder is a section.
- Add one Markdown file per article.
- When you have checked an article against the product, run `kbfresh verify` on it.
"#
    )
}

const GITIGNORE: &str = "public/\n.kbfresh-cache/\n";

/// Creates the scaffold; refuses to overwrite anything.
pub fn init(dir: &Path, today: jiff::civil::Date) -> Result<Vec<String>, Diagnostic> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
        if non_empty {
            return Err(Diagnostic::error(format!(
                "`{}` already exists and is not empty",
                dir.display()
            ))
            .hint("choose a new folder name, or empty the folder first"));
        }
    }
    let files: [(&str, String); 5] = [
        ("kbfresh.toml", CONFIG.to_string()),
        ("content/_index.md", HOME.to_string()),
        ("content/getting-started/_index.md", SECTION.to_string()),
        (
            "content/getting-started/welcome.md",
            article(&today.to_string()),
        ),
        (".gitignore", GITIGNORE.to_string()),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        crate::fsutil::write_atomic(&path, text.as_bytes()).map_err(|e| {
            Diagnostic::error(format!("cannot write `{}`: {e}", path.display()))
                .hint("check that you may create files there")
        })?;
        written.push(rel.to_string());
    }
    Ok(written)
}
