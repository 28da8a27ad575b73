//! `kbfresh.toml`: typed and strict. Unknown keys and wrong types are errors with line, column and a hint.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex, closest};

pub const CONFIG_FILE: &str = "kbfresh.toml";
/// Where kbfresh keeps what it computed for the next build (history, external links), under the site root.
pub const CACHE_DIR: &str = ".kbfresh-cache";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub default_language: String,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    /// `None` or `"default"`: the embedded theme; otherwise a theme folder, relative to the site root.
    pub theme: Option<String>,
    pub support: Option<Support>,
    pub freshness: FreshnessConfig,
    pub check: CheckConfig,
    pub dashboard: DashboardConfig,
    pub links: LinksConfig,
    /// `[languages.<code>]`: one content tree per language. Empty: one language, `default_language`.
    pub languages: std::collections::BTreeMap<String, LanguageConfig>,
}

/// `[languages.<code>]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// The language's own name for itself, shown in the switcher: "فارسی", "Deutsch".
    pub name: Option<String>,
    /// The language's content tree, relative to the site root. The default language's defaults to
    /// `content_dir`.
    pub content_dir: Option<PathBuf>,
    /// `"ltr"` or `"rtl"`; inferred from the code (ar, fa, he, ur... are right to left).
    pub direction: Option<String>,
    /// The site title in this language.
    pub title: Option<String>,
}

/// `[links]`: the external link checker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    pub max_concurrency: usize,
    pub max_per_host: usize,
    /// Minimum time between two requests to one host.
    pub min_interval_ms: u64,
    /// `get` (needed to check fragments) or `head` (falls back to GET on 405/501).
    pub method: String,
    /// Seconds per request.
    pub timeout: f64,
    /// Seconds for the whole run.
    pub deadline: f64,
    pub max_redirects: usize,
    pub retries: u32,
    /// Status codes that count as working: numbers or ranges such as "200..=299".
    pub accept: Vec<StatusSpec>,
    /// Regexes of URLs never checked (also one per line in `.kbfreshignore`).
    pub exclude: Vec<String>,
    /// When not empty, only URLs matching one of these are checked.
    pub include: Vec<String>,
    pub allow_private: bool,
    pub user_agent: Option<String>,
    /// How long a success is trusted: seconds, or "30m", "12h", "1d".
    pub cache_max_age: DurationSpec,
    pub hosts: std::collections::BTreeMap<String, HostConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostConfig {
    pub max_concurrency: Option<usize>,
    pub min_interval_ms: Option<u64>,
    /// Extra request headers; `${NAME}` is read from the environment.
    pub headers: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StatusSpec {
    Code(u16),
    Range(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DurationSpec {
    Seconds(u64),
    Text(String),
}

impl Default for LinksConfig {
    fn default() -> Self {
        LinksConfig {
            max_concurrency: 64,
            max_per_host: 4,
            min_interval_ms: 50,
            method: "get".into(),
            timeout: 20.0,
            deadline: 600.0,
            max_redirects: 10,
            retries: 3,
            accept: vec![StatusSpec::Range("200..=299".into())],
            exclude: Vec::new(),
            include: Vec::new(),
            allow_private: false,
            user_agent: None,
            cache_max_age: DurationSpec::Text("1d".into()),
            hosts: Default::default(),
        }
    }
}

fn parse_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once("..=").or_else(|| s.split_once('-')) {
        let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return (a <= b).then_some((a, b));
    }
    let c = s.parse().ok()?;
    Some((c, c))
}

fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

impl LinksConfig {
    pub fn accept_ranges(&self) -> Vec<(u16, u16)> {
        self.accept
            .iter()
            .filter_map(|a| match a {
                StatusSpec::Code(c) => Some((*c, *c)),
                StatusSpec::Range(r) => parse_range(r),
            })
            .collect()
    }

    pub fn cache_max_age_secs(&self) -> u64 {
        match &self.cache_max_age {
            DurationSpec::Seconds(s) => *s,
            DurationSpec::Text(t) => parse_duration(t).unwrap_or(86_400),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// What `check` fails on (see `kbfresh check --help`).
    pub fail_on: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardConfig {
    pub enabled: bool,
    /// Site path of the dashboard, without slashes.
    pub path: String,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            enabled: true,
            path: "_freshness".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Help Centre".into(),
            description: String::new(),
            base_url: "/".into(),
            default_language: "en".into(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            theme: None,
            support: None,
            freshness: FreshnessConfig::default(),
            check: CheckConfig::default(),
            dashboard: DashboardConfig::default(),
            links: LinksConfig::default(),
            languages: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub kind: ChannelKind,
    pub label: String,
    pub url: String,
    #[serde(default)]
    pub hours: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Chat,
    Email,
    Phone,
    Forum,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// Policy knobs that can be set globally, per section (`_index.md`) and per article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    pub max_age_days: Option<u32>,
    pub warn_days: Option<u32>,
    pub grace_days: Option<u32>,
    pub stale_on: Option<Bump>,
}

impl PolicyOverrides {
    /// `self` where set, else `parent`.
    pub fn or(self, parent: PolicyOverrides) -> PolicyOverrides {
        PolicyOverrides {
            max_age_days: self.max_age_days.or(parent.max_age_days),
            warn_days: self.warn_days.or(parent.warn_days),
            grace_days: self.grace_days.or(parent.grace_days),
            stale_on: self.stale_on.or(parent.stale_on),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessConfig {
    pub release_tags: String,
    pub max_age_days: u32,
    pub warn_days: u32,
    pub grace_days: u32,
    pub stale_on: Bump,
    pub edits_count_as_verification: bool,
    pub product_repo: Option<PathBuf>,
    pub ignore_commits: Vec<String>,
    pub ignore_commit_messages: Vec<String>,
    pub allow_shallow: bool,
}

impl Default for FreshnessConfig {
    fn default() -> Self {
        FreshnessConfig {
            release_tags: "v*".into(),
            max_age_days: 365,
            warn_days: 30,
            grace_days: 14,
            stale_on: Bump::Minor,
            edits_count_as_verification: true,
            product_repo: None,
            ignore_commits: Vec::new(),
            ignore_commit_messages: Vec::new(),
            allow_shallow: false,
        }
    }
}

impl FreshnessConfig {
    pub fn policy(&self) -> PolicyOverrides {
        PolicyOverrides {
            max_age_days: Some(self.max_age_days),
            warn_days: Some(self.warn_days),
            grace_days: Some(self.grace_days),
            stale_on: Some(self.stale_on),
        }
    }
}

impl Config {
    /// Loads `kbfresh.toml` from `root`; a missing file means defaults.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        match std::fs::read_to_string(root.join(CONFIG_FILE)) {
            Ok(text) => Config::parse(&text, Path::new(CONFIG_FILE)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(
                Diagnostic::error(format!("cannot read the config file: {e}"))
                    .in_file(CONFIG_FILE)
                    .hint("check the file's permissions"),
            ),
        }
    }

    /// Parses config text; `shown` is the path used in diagnostics.
    pub fn parse(text: &str, shown: &Path) -> Result<Config, Diagnostic> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(&e, text, shown, 0))?;
        config.validate(text, shown)?;
        Ok(config)
    }

    fn validate(&self, text: &str, shown: &Path) -> Result<(), Diagnostic> {
        let at_key = |key: &str| key_position(text, key);
        if !self.base_url.starts_with('/') {
            match url::Url::parse(&self.base_url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                Ok(u) => {
                    let (line, col) = at_key("base_url");
                    return Err(Diagnostic::error(format!(
                        "base_url `{}` must be an http(s) URL, not `{}:`",
                        self.base_url,
                        u.scheme()
                    ))
                    .at(shown, line, col)
                    .hint("write the address the site is published at, e.g. \"https://help.example.com/\", or a path such as \"/help/\""));
                }
                Err(e) => {
                    let (line, col) = at_key("base_url");
                    return Err(Diagnostic::error(format!(
                        "base_url `{}` is not a valid URL: {e}",
                        self.base_url
                    ))
                    .at(shown, line, col)
                    .hint("write the address the site is published at, e.g. \"https://help.example.com/\", or a path such as \"/help/\""));
                }
            }
        }
        for ch in self.support.iter().flat_map(|s| &s.channels) {
            // `javascript:` or `data:` in a footer link would run on every page.
            let scheme = crate::markdown::url_scheme(&ch.url);
            if let Some(scheme) = scheme
                && !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
            {
                let (line, col) = value_position(text, &ch.url).unwrap_or_else(|| at_key("url"));
                return Err(Diagnostic::error(format!(
                    "[[support.channels]] url `{}` must be an http(s), mailto: or tel: address",
                    ch.url
                ))
                .at(shown, line, col)
                .hint("write a web address, an email address or a phone number"));
            }
        }
        if let Err(e) = globset::Glob::new(&self.freshness.release_tags) {
            let (line, col) = at_key("release_tags");
            return Err(
                Diagnostic::error(format!("release_tags is not a valid glob: {e}"))
                    .at(shown, line, col)
                    .hint("use a glob such as \"v*\" or \"release-*\""),
            );
        }
        for item in self.check.fail_on.iter().flatten() {
            if let Err(e) = item.parse::<crate::report::FailOn>() {
                let (line, col) = at_key("fail_on");
                return Err(Diagnostic::error(format!("[check] fail_on: {e}")).at(shown, line, col));
            }
        }
        let dash = self.dashboard.path.trim_matches('/');
        if dash.is_empty()
            || dash
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            let (line, col) = at_key("path");
            return Err(Diagnostic::error(format!(
                "[dashboard] path `{}` is not a site path",
                self.dashboard.path
            ))
            .at(shown, line, col)
            .hint("use a folder name such as \"_freshness\""));
        }
        self.validate_languages(text, shown)?;
        let l = &self.links;
        if !matches!(l.method.as_str(), "get" | "head") {
            let (line, col) = at_key("method");
            return Err(Diagnostic::error(format!(
                "[links] method `{}` must be \"get\" or \"head\"",
                l.method
            ))
            .at(shown, line, col));
        }
        for a in &l.accept {
            if let StatusSpec::Range(r) = a
                && parse_range(r).is_none()
            {
                let (line, col) = at_key("accept");
                return Err(Diagnostic::error(format!(
                    "[links] accept: `{r}` is not a status code or range"
                ))
                .at(shown, line, col)
                .hint("write codes and ranges such as [200, \"300..=399\"]"));
            }
        }
        if let DurationSpec::Text(t) = &l.cache_max_age
            && parse_duration(t).is_none()
        {
            let (line, col) = at_key("cache_max_age");
            return Err(Diagnostic::error(format!(
                "[links] cache_max_age `{t}` is not a duration"
            ))
            .at(shown, line, col)
            .hint("write seconds, or a number with s, m, h or d: \"12h\", \"1d\""));
        }
        for re in l.exclude.iter().chain(&l.include) {
            if let Err(e) = regex::Regex::new(re) {
                let (line, col) = at_key(if l.exclude.contains(re) {
                    "exclude"
                } else {
                    "include"
                });
                return Err(
                    Diagnostic::error(format!("[links] `{re}` is not a valid regex: {e}"))
                        .at(shown, line, col),
                );
            }
        }
        for (key, value) in [("timeout", l.timeout), ("deadline", l.deadline)] {
            if value <= 0.0 {
                let (line, col) = at_key(key);
                return Err(Diagnostic::error(format!(
                    "[links] {key} must be more than 0 seconds, not {value}"
                ))
                .at(shown, line, col)
                .hint(format!("write a number of seconds, e.g. {key} = 20")));
            }
        }
        for re in &self.freshness.ignore_commit_messages {
            if let Err(e) = regex::Regex::new(re) {
                let (line, col) = at_key("ignore_commit_messages");
                return Err(Diagnostic::error(format!(
                    "ignore_commit_messages: `{re}` is not a valid regex: {e}"
                ))
                .at(shown, line, col));
            }
        }
        Ok(())
    }

    /// Absolute base URL (with trailing slash) when configured, for sitemap and canonical links.
    pub fn absolute_base(&self) -> Option<String> {
        if self.base_url.starts_with('/') {
            return None;
        }
        let mut s = self.base_url.clone();
        if !s.ends_with('/') {
            s.push('/');
        }
        Some(s)
    }

    /// The path part of `base_url` without a trailing slash: `""` for a site at the root.
    pub fn base_path(&self) -> String {
        let path = if self.base_url.starts_with('/') {
            self.base_url.clone()
        } else {
            url::Url::parse(&self.base_url)
                .map(|u| u.path().to_string())
                .unwrap_or_default()
        };
        path.trim_end_matches('/').to_string()
    }
}

/// Turns a toml error into a diagnostic at the right place in the file, with a suggestion for unknown keys.
/// `offset` is where `text` starts in the file (front matter inside an article).
pub fn toml_error(e: &toml::de::Error, text: &str, shown: &Path, line_offset: usize) -> Diagnostic {
    let idx = LineIndex::new(text);
    let (line, col) = e.span().map(|s| idx.line_col(s.start)).unwrap_or((0, 0));
    let msg = e.message().trim().to_string();
    let mut d = Diagnostic::error(msg.clone()).at(
        shown,
        if line > 0 { line + line_offset } else { 0 },
        col,
    );
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        d.message = format!("unknown key `{field}`");
        let hint = match closest(field, known.iter().copied()) {
            Some(best) => format!(
                "did you mean `{best}`? Known keys here: {}",
                known.join(", ")
            ),
            None => format!("known keys here: {}", known.join(", ")),
        };
        d = d.hint(hint);
    } else if msg.starts_with("invalid type") || msg.starts_with("unknown variant") {
        d = d.hint("fix the value's type; see the configuration reference in README.md");
    } else {
        d = d.hint("fix the TOML syntax at this position");
    }
    d
}

/// Line and column where a string value is written (the first place it appears), if it does.
fn value_position(text: &str, value: &str) -> Option<(usize, usize)> {
    let at = text.find(value)?;
    let at = text[..at]
        .rfind(['"', '\''])
        .filter(|q| at - q == 1)
        .unwrap_or(at);
    Some(LineIndex::new(text).line_col(at))
}

/// `en`, `fa`, `pt-BR`, `zh-Hans`: a BCP 47 tag of the simple kind (language, then script or region).
fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl Config {
    fn validate_languages(&self, text: &str, shown: &Path) -> Result<(), Diagnostic> {
        let section = |code: &str| {
            let header = format!("[languages.{code}]");
            text.lines()
                .position(|l| l.trim() == header)
                .map(|i| (i + 1, 1))
                .unwrap_or((0, 0))
        };
        if !is_language_code(&self.default_language) {
            let (line, col) = key_position(text, "default_language");
            return Err(Diagnostic::error(format!(
                "default_language `{}` is not a language code",
                self.default_language
            ))
            .at(shown, line, col)
            .hint("write a code such as \"en\", \"fa\" or \"pt-BR\""));
        }
        if self.languages.is_empty() {
            return Ok(());
        }
        if !self.languages.contains_key(&self.default_language) {
            let (line, col) = key_position(text, "default_language");
            return Err(Diagnostic::error(format!(
                "default_language `{}` has no [languages.{}] table",
                self.default_language, self.default_language
            ))
            .at(shown, line, col)
            .hint(format!(
                "add [languages.{}] with its name, or set default_language to one of: {}",
                self.default_language,
                self.languages
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut dirs: Vec<(&str, PathBuf)> = Vec::new();
        for (code, l) in &self.languages {
            let (line, col) = section(code);
            if !is_language_code(code) {
                return Err(Diagnostic::error(format!(
                    "[languages.{code}]: `{code}` is not a language code"
                ))
                .at(shown, line, col)
                .hint("use a code such as \"en\", \"fa\" or \"pt-BR\""));
            }
            if let Some(d) = &l.direction
                && !matches!(d.as_str(), "ltr" | "rtl")
            {
                // The key in this language's table, not the first `direction` of the file.
                let (line, col) = match line {
                    0 => key_position(text, "direction"),
                    _ => {
                        let rest: String =
                            text.lines().skip(line - 1).collect::<Vec<_>>().join("\n");
                        match key_position(&rest, "direction") {
                            (0, _) => (line, col),
                            (l, c) => (line - 1 + l, c),
                        }
                    }
                };
                return Err(Diagnostic::error(format!(
                    "[languages.{code}] direction `{d}` must be \"ltr\" or \"rtl\""
                ))
                .at(shown, line, col)
                .hint("write direction = \"rtl\" for right-to-left scripts, or remove the key"));
            }
            let dir = match (&l.content_dir, *code == self.default_language) {
                (Some(d), _) => d.clone(),
                (None, true) => self.content_dir.clone(),
                (None, false) => {
                    return Err(Diagnostic::error(format!(
                        "[languages.{code}] has no content_dir"
                    ))
                    .at(shown, line, col)
                    .hint(format!(
                        "every translation has its own content tree: content_dir = \"{}.{code}\"",
                        self.content_dir.display()
                    )));
                }
            };
            if let Some((other, _)) = dirs.iter().find(|(_, d)| *d == dir) {
                return Err(Diagnostic::error(format!(
                    "[languages.{code}] and [languages.{other}] share the content folder `{}`",
                    dir.display()
                ))
                .at(shown, line, col)
                .hint("give every language a folder of its own"));
            }
            dirs.push((code, dir));
        }
        Ok(())
    }

    /// The default language's content folder, relative to the root.
    pub fn default_content_dir(&self) -> PathBuf {
        self.languages
            .get(&self.default_language)
            .and_then(|l| l.content_dir.clone())
            .unwrap_or_else(|| self.content_dir.clone())
    }

    /// Every language's code, settings and content folder (relative to the root), default first.
    pub fn language_list(&self) -> Vec<(String, LanguageConfig, PathBuf)> {
        let default = self
            .languages
            .get(&self.default_language)
            .cloned()
            .unwrap_or_default();
        let mut out = vec![(
            self.default_language.clone(),
            default,
            self.default_content_dir(),
        )];
        for (code, l) in &self.languages {
            if *code != self.default_language {
                let dir = l.content_dir.clone().unwrap_or_default();
                out.push((code.clone(), l.clone(), dir));
            }
        }
        out
    }
}

/// Line and column of the value of the first `key = ...` (or `key: ...`), or (0, 0).
pub fn key_position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest_trim = rest.trim_start();
            if rest_trim.starts_with('=') || rest_trim.starts_with(':') {
                let indent = line.len() - trimmed.len();
                let value_at = indent + key.len() + (rest.len() - rest_trim.len()) + 1;
                let after = &line[value_at..];
                let col = value_at + (after.len() - after.trim_start().len());
                return (i + 1, line[..col].chars().count() + 1);
            }
        }
    }
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_file() {
        let c = Config::parse("", Path::new("kbfresh.toml")).unwrap();
        assert_eq!(c.content_dir, PathBuf::from("content"));
        assert_eq!(c.freshness.max_age_days, 365);
        assert_eq!(c.base_path(), "");
    }

    #[test]
    fn unknown_key_names_line_and_closest() {
        let e =
            Config::parse("title = \"x\"\ntitel = \"y\"\n", Path::new("kbfresh.toml")).unwrap_err();
        assert_eq!(e.message, "unknown key `titel`");
        assert_eq!(e.line, 2);
        assert!(e.hint.unwrap().contains("did you mean `title`?"));
    }

    #[test]
    fn unknown_key_in_table() {
        let e = Config::parse("[freshness]\nmax_age = 3\n", Path::new("kbfresh.toml")).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.hint.clone().unwrap().contains("max_age_days"), "{e:?}");
    }

    #[test]
    fn base_url_must_be_http() {
        let e = Config::parse("base_url = \"ftp://x\"\n", Path::new("kbfresh.toml")).unwrap_err();
        assert_eq!((e.line, e.column), (1, 12));
        let c = Config::parse("base_url = \"https://h.example/help/\"", Path::new("k")).unwrap();
        assert_eq!(c.base_path(), "/help");
        assert_eq!(c.absolute_base().unwrap(), "https://h.example/help/");
    }
}
