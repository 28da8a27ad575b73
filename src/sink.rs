//! What render hands to output: files, and the interface of the place they go. No stage
//! dependencies: render writes into a [`Sink`], output and `serve` implement one.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

/// One file of the output, relative to the output folder with `/` separators.
#[derive(Debug, Clone)]
pub struct OutFile {
    pub path: String,
    pub data: OutData,
}

#[derive(Debug, Clone)]
pub enum OutData {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    Copy(PathBuf),
}

/// Where rendered files go as soon as each is rendered, from many threads at once: a build writes
/// them out (holding one page per thread, not the whole site), `serve` keeps them in memory.
pub trait Sink: Sync {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic>;

    /// A rendered page, with the key of everything it was rendered from (render's page key).
    fn put_page(&self, file: OutFile, _key: u64) -> Result<(), Diagnostic> {
        self.put(file)
    }

    /// A page about to be rendered from inputs whose key is `key`: true when the sink already holds
    /// this page, from inputs with the same key, and keeps it (it is not rendered again).
    fn keep(&self, _path: &str, _key: u64) -> bool {
        false
    }

    /// What the last build left in the output, when the sink keeps pages of it.
    fn previous(&self) -> Option<Previous> {
        None
    }

    /// Whether this build's pages link only to files that exist (recorded for the next build).
    fn links_clean(&self, _clean: bool) {}
}

/// What the last build left, for the check of the links templates wrote on the pages kept as they
/// are (the links stage's template-link check).
pub struct Previous {
    pub out: PathBuf,
    /// The last build's pages linked only to files that existed, and none of those files is gone: a
    /// page kept from it still links only to files that exist.
    pub links_hold: bool,
}

/// A sink that keeps every file, in the order they arrive.
#[derive(Default)]
pub struct Collect(std::sync::Mutex<Vec<OutFile>>);

impl Collect {
    pub fn into_files(self) -> Vec<OutFile> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Collect {
    fn put(&self, file: OutFile) -> Result<(), Diagnostic> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(())
    }
}

/// A sink that drops every file: `check` renders the site's own templates to find the errors a
/// build would meet, and writes nothing.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _file: OutFile) -> Result<(), Diagnostic> {
        Ok(())
    }
}
