//! Command-line interface (clap derive). The binary maps it onto the library's commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::FailOn;
use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "kbfresh",
    version = env!("KBFRESH_LONG_VERSION"),
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
    /// Base URL the site is published at (overrides `base_url`)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The time to judge freshness at: a date (2026-05-02) or RFC 3339 time; else SOURCE_DATE_EPOCH, else now
    #[arg(long, global = true, value_name = "DATE")]
    pub now: Option<String>,
    /// Include articles with `draft = true`
    #[arg(long, global = true)]
    pub drafts: bool,
    /// Read history from this file (written by `kbfresh history export`) instead of git: for hosts
    /// that only clone shallowly
    #[arg(long = "history", global = true, value_name = "FILE")]
    pub history_file: Option<PathBuf>,
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
    Build {
        /// Output folder (overrides `output_dir`; default: public under the root)
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Also check external links (over the network); broken ones are warnings
        #[arg(long)]
        check_external: bool,
    },
    /// Check freshness and links for CI: report, and exit 1 when the policy fails
    Check(CheckArgs),
    /// Serve the site from memory while you write: rebuilds on save and reloads the browser
    Serve(ServeArgs),
    /// Record that a person checked articles: set `verified` and `describes` in their front matter
    Verify(VerifyArgs),
    /// Save what builds need from git history, for hosts that only clone shallowly
    #[command(subcommand)]
    History(HistoryCommand),
    /// Print a completion script for a shell (`kbfresh completions bash > ~/.local/share/bash-completion/completions/kbfresh`)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `kbfresh man > ~/.local/share/man/man1/kbfresh.1`
    Man,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Write the history of the checked-out commit to FILE (run where history is whole; build
    /// with `--history FILE` on the host)
    Export {
        /// The file to write (e.g. history.json)
        file: PathBuf,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; 0.0.0.0 shares the site on your network)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one)
    #[arg(long, short, value_name = "PORT", default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Also answer requests for this host name (repeatable); IP addresses, `localhost` and
    /// `*.localhost` are always answered, other names get 403 (DNS rebinding protection)
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
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

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Report format: text, json, junit, github, sarif, markdown, digest, digest-json, translator
    /// (repeatable; each --output after a
    /// --format writes that format to a file, e.g. `--format json --output r.json --format github`)
    #[arg(long, value_name = "FORMAT", action = clap::ArgAction::Append, hide_possible_values = true)]
    pub format: Vec<Format>,
    /// File for the format given just before it (default: standard output)
    #[arg(long, value_name = "FILE", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// What fails the check: stale, expiring, unknown, broken-links, external-links, blocked-links,
    /// warnings, missing-translations
    /// (comma-separated; default from `[check] fail_on`, else stale,broken-links)
    #[arg(long, value_name = "LIST", value_parser = fail_on_list)]
    pub fail_on: Option<FailOnList>,
    /// Skip external links (no network)
    #[arg(long)]
    pub offline: bool,
    /// Check external links again even when the cache says they worked recently
    #[arg(long)]
    pub no_cache: bool,
    /// Only articles changed since this git revision (a pull request's base) can fail; the rest are
    /// still reported
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Only articles owned by this team
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Only articles in this section folder (e.g. billing)
    #[arg(long, value_name = "PATH")]
    pub section: Option<String>,
    /// The review digest's window: what falls due within it (`14d`, `2w`, `14`); alone, prints
    /// the digest (default window of `--format digest`: 14 days)
    #[arg(long, value_name = "DAYS", value_parser = days)]
    pub due_within: Option<u32>,
}

/// `--due-within`: days, as `14`, `14d` or `2w`.
fn days(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (n, unit) = match s.strip_suffix(['d', 'D']) {
        Some(n) => (n, 1),
        None => match s.strip_suffix(['w', 'W']) {
            Some(n) => (n, 7),
            None => (s, 1),
        },
    };
    n.trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("`{s}` is not a number of days: write 14d, 2w or 14"))
}

/// `--fail-on`: names of [`FailOn`], comma-separated; spaces around a name and empty items are
/// ignored, so `--fail-on ""` fails on nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailOnList(pub Vec<FailOn>);

fn fail_on_list(s: &str) -> Result<FailOnList, String> {
    s.split(',')
        .filter(|item| !item.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map(FailOnList)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn check(args: &[&str]) -> Result<CheckArgs, clap::Error> {
        let cli = Cli::try_parse_from(["kbfresh", "check"].iter().chain(args))?;
        match cli.command {
            Command::Check(c) => Ok(c),
            _ => unreachable!(),
        }
    }

    #[test]
    fn formats_and_fail_on_are_typed_by_clap() {
        let c = check(&[
            "--format",
            "json",
            "--format",
            "sarif",
            "--fail-on",
            "stale, broken-links",
        ])
        .unwrap();
        assert_eq!(c.format, [Format::Json, Format::Sarif]);
        assert_eq!(
            c.fail_on,
            Some(FailOnList(vec![FailOn::Stale, FailOn::BrokenLinks]))
        );
        assert_eq!(
            check(&["--fail-on", ""]).unwrap().fail_on,
            Some(FailOnList(vec![]))
        );
        let e = check(&["--format", "yaml"]).unwrap_err().to_string();
        assert!(
            e.contains("possible values: text, json, junit, github, sarif, markdown"),
            "{e}"
        );
        let e = check(&["--fail-on", "stale,bogus"])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`bogus` is not something check can fail on"),
            "{e}"
        );
    }
}
