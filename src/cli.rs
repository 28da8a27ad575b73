//! Command-line interface (clap derive). The binary maps it onto the library's commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kbfresh",
    version,
    about = "Build a help centre from Markdown and keep its articles from going stale",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Site root: the folder with kbfresh.toml
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Content folder (overrides `content_dir`), relative to the current folder
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Output folder (overrides `output_dir`; default: public under the root)
    #[arg(long, global = true, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Base URL the site is published at (overrides `base_url`)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The time to judge freshness at: a date (2026-05-02) or RFC 3339 time; else SOURCE_DATE_EPOCH, else now
    #[arg(long, global = true, value_name = "DATE")]
    pub now: Option<String>,
    /// Include articles with `draft = true`
    #[arg(long, global = true)]
    pub drafts: bool,
    /// Print errors only
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print notes as well as warnings
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new help centre: kbfresh.toml, content/ and a first article
    Init {
        /// Folder to create (may exist if empty)
        dir: PathBuf,
    },
    /// Build the site into the output folder
    Build,
    /// Record that a person checked articles: set `verified` and `describes` in their front matter
    Verify(VerifyArgs),
}

#[derive(Debug, Args, Clone)]
pub struct VerifyArgs {
    /// Article files to mark as verified
    #[arg(required = true, value_name = "ARTICLE")]
    pub articles: Vec<PathBuf>,
    /// Date of the check (default: today, or --now)
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Release the article now describes (default: the newest release)
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    /// Who checked it (recorded as `verified_by`)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Show the change as a diff without writing
    #[arg(long)]
    pub dry_run: bool,
}
