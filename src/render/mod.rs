//! Render: page contexts into Tera templates, plus sitemap, robots.txt, 404 and alias redirects.
//! Pages render in parallel; nothing a page contains grows with the size of the whole site.

pub mod dashboard;
pub mod search;
pub mod tags;
pub mod theme;
pub mod words;

mod context;
mod feed;
mod keys;
mod pages;
mod templates;

pub use context::{Prepared, Refreshed, prepare};
pub use pages::{listings, render_pages, render_prepared, search_docs};
pub use templates::{Env, environment, locate_render_error};

use crate::content::Site;
use crate::freshness::{Change, Freshness, Release};
use crate::markdown::Rendered;
use words::Words;

/// Everything the renderer reads; produced by the earlier stages.
pub struct Input<'a> {
    pub site: &'a Site,
    pub articles_md: &'a [Rendered],
    pub sections_md: &'a [Option<Rendered>],
    pub freshness: &'a [Freshness],
    pub last_changes: &'a [Option<Change>],
    /// The commit that created each article (across renames), when known.
    pub created: &'a [Option<Change>],
    pub releases: &'a [Release],
    /// What search indexes of each article ([`crate::load`] computes them).
    pub search_terms: &'a [search::Terms],
    pub generator: &'a str,
    pub now: jiff::Timestamp,
    /// Per language of the site, the theme's words ([`Env::words`]).
    pub words: &'a [Words],
    /// The dashboard's trend before today ([`crate::loaded::freshness_trend`]); empty when there
    /// is too little history or no dashboard.
    pub trend: &'a [crate::freshness::TrendPoint],
}

/// The `generator` every page names.
pub const GENERATOR: &str = concat!("kbfresh ", env!("CARGO_PKG_VERSION"));

/// Articles a section's sidebar lists at most, around the current one.
const NAV_WINDOW: usize = 30;
/// Recently verified articles the home page lists.
const RECENT: usize = 8;
/// Top-level sections in `site.sections` (the header); the home page lists them all.
const HEADER_SECTIONS: usize = 12;
/// Related articles an article page lists.
const RELATED: usize = 5;
