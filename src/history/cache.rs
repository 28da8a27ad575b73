//! `.kbfresh-cache/history.json`: the last walk's results, keyed by HEAD and every setting that changes
//! them. A corrupt or foreign cache is ignored and rebuilt, never trusted.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::FileHistory;
use crate::config::FreshnessConfig;
use crate::diagnostics::{Diagnostic, Diagnostics};

// 4: images are read with the articles; a cache without them would leave them without history.
// 5: every change's time (the dashboard's trend), not only the last.
pub const VERSION: u32 = 5;
const FILE: &str = "history.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CacheFile {
    pub version: u32,
    pub head: String,
    pub key: String,
    pub files: HashMap<String, FileHistory>,
    /// Release ranges for `covers`: `prev_commit..commit` -> for each commit in it, the paths it
    /// changed as ids into `range_paths`.
    #[serde(default)]
    pub ranges: HashMap<String, Vec<Vec<u32>>>,
    #[serde(default)]
    pub range_paths: Vec<String>,
}

/// Everything besides HEAD that changes what the walk finds.
pub fn key(content_prefix: &str, cfg: &FreshnessConfig, ignore: &str) -> String {
    format!(
        "{}|{content_prefix}|{ignore}|{}",
        env!("CARGO_PKG_VERSION"),
        cfg.edits_count_as_verification
    )
}

pub fn load(dir: &Path, key: &str, diags: &mut Diagnostics) -> Option<CacheFile> {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).ok()?;
    match serde_json::from_slice::<CacheFile>(&bytes) {
        Ok(c) if c.version == VERSION && c.key == key => Some(c),
        Ok(_) => None,
        Err(_) => {
            diags.push(Diagnostic::note(format!(
                "ignoring the corrupt history cache `{}`; it will be rebuilt",
                path.display()
            )));
            None
        }
    }
}

/// Best effort: a cache that cannot be written only costs time next run.
pub fn save(dir: &Path, c: &CacheFile) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(bytes) = serde_json::to_vec(c) {
        let _ = crate::fsutil::write_atomic(&dir.join(FILE), &bytes);
    }
}
