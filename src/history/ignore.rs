//! Commits that never count as content changes: `ignore_commits`, `.git-blame-ignore-revs` and
//! `ignore_commit_messages`.

use std::path::Path;

use git2::Oid;
use regex::Regex;

use crate::config::FreshnessConfig;
use crate::diagnostics::Diagnostic;

/// Commits that never count as content changes.
pub(super) struct Ignore {
    pub(super) ids: Vec<String>,
    pub(super) messages: Vec<Regex>,
}

impl Ignore {
    pub(super) fn new(workdir: &Path, cfg: &FreshnessConfig) -> Result<Ignore, Diagnostic> {
        let mut ids: Vec<String> = cfg
            .ignore_commits
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        if let Ok(text) = std::fs::read_to_string(workdir.join(".git-blame-ignore-revs")) {
            for line in text.lines() {
                let l = line.split('#').next().unwrap_or("").trim();
                if !l.is_empty() {
                    ids.push(l.to_lowercase());
                }
            }
        }
        ids.retain(|s| !s.is_empty());
        let messages = cfg
            .ignore_commit_messages
            .iter()
            .map(|r| {
                Regex::new(r).map_err(|e| {
                    Diagnostic::error(format!(
                        "ignore_commit_messages: `{r}` is not a valid regex: {e}"
                    ))
                    .in_file("kbfresh.toml")
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Ignore { ids, messages })
    }

    pub(super) fn fingerprint(&self) -> String {
        let mut s = self.ids.join(",");
        for m in &self.messages {
            s.push('|');
            s.push_str(m.as_str());
        }
        s
    }

    pub(super) fn ignores(&self, id: Oid, message: &[u8]) -> bool {
        if !self.ids.is_empty() {
            let id = id.to_string();
            if self.ids.iter().any(|p| id.starts_with(p.as_str())) {
                return true;
            }
        }
        if self.messages.is_empty() {
            return false;
        }
        let msg = String::from_utf8_lossy(message);
        self.messages.iter().any(|r| r.is_match(&msg))
    }
}
