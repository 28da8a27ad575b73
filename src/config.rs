//! `kbfresh.toml`: typed and strict. Unknown keys and wrong types are errors with line, column and a
//! hint. Every value is checked and turned into its type here, once; every value that fails is
//! reported, each at its own key in its own table.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Failure, LineIndex, closest};

pub const CONFIG_FILE: &str = "kbfresh.toml";
/// Where kbfresh keeps what it computed for the next build (history, external links), under the site root.
pub const CACHE_DIR: &str = ".kbfresh-cache";

/// Regexes of URLs the link checker skips, one per line (beside `kbfresh.toml`).
pub const IGNORE_FILE: &str = ".kbfreshignore";

#[derive(Debug, Clone)]
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
    /// `[source]`: the repository the site's files are in, for "Edit this page" and "View source".
    pub source: SourceConfig,
    /// `[feedback]`: "Was this helpful?" on every article, when the table is there.
    pub feedback: Option<FeedbackConfig>,
    /// `image`: the picture shared links show (OpenGraph, Twitter cards) when a page has none.
    pub image: Option<String>,
    pub freshness: FreshnessConfig,
    pub check: CheckConfig,
    pub dashboard: DashboardConfig,
    pub links: LinksConfig,
    /// `[assets]`: which files of the content folder are published.
    pub assets: AssetsConfig,
    /// `[markdown]`: typography switches.
    pub markdown: MarkdownConfig,
    /// `[languages.<code>]`: one content tree per language. Empty: one language, `default_language`.
    pub languages: BTreeMap<String, LanguageConfig>,
    /// `dialect`: whose conventions the content folder follows; `None` is `"auto"` (detected).
    pub dialect: Option<Dialect>,
    /// `[vars]`: values articles write as `{{ vars.name }}`.
    pub vars: BTreeMap<String, String>,
}

/// `dialect = "auto" | "none" | "mdbook" | ...`: the docs tool a content folder was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// kbfresh's own conventions only: no other tool's files are read.
    Plain,
    MdBook,
    MkDocs,
    Docusaurus,
    Hugo,
    Zola,
    VitePress,
    Starlight,
}

impl Dialect {
    pub const ALL: [(&'static str, Dialect); 8] = [
        ("none", Dialect::Plain),
        ("mdbook", Dialect::MdBook),
        ("mkdocs", Dialect::MkDocs),
        ("docusaurus", Dialect::Docusaurus),
        ("hugo", Dialect::Hugo),
        ("zola", Dialect::Zola),
        ("vitepress", Dialect::VitePress),
        ("starlight", Dialect::Starlight),
    ];

    /// The tool's name as its users write it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Plain => "kbfresh",
            Dialect::MdBook => "mdBook",
            Dialect::MkDocs => "MkDocs",
            Dialect::Docusaurus => "Docusaurus",
            Dialect::Hugo => "Hugo",
            Dialect::Zola => "Zola",
            Dialect::VitePress => "VitePress",
            Dialect::Starlight => "Starlight",
        }
    }
}

/// `[languages.<code>]`
#[derive(Debug, Clone, Default)]
pub struct LanguageConfig {
    /// The language's own name for itself, shown in the switcher: "فارسی", "Deutsch".
    pub name: Option<String>,
    /// The language's content tree, relative to the site root. The default language's defaults to
    /// `content_dir`.
    pub content_dir: Option<PathBuf>,
    /// `None`: inferred from the code (ar, fa, he, ur... are right to left).
    pub direction: Option<Direction>,
    /// The site title in this language.
    pub title: Option<String>,
    /// `fallback = true`: an article with no version in this language is served in the default
    /// language under this language's URL, with a "not yet translated" notice.
    pub fallback: bool,
    /// The site description in this language (else the default language's is shown untranslated
    /// nowhere: other languages' pages leave it out).
    pub description: Option<String>,
    /// `[languages.x.support]`: the support block's title and text in this language.
    pub support: LanguageSupport,
}

/// `[languages.x.support]`: what `[support]` says, in another language (its channels are shared).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSupport {
    pub title: Option<String>,
    pub text: Option<String>,
}

/// `direction = "ltr" | "rtl"`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

/// `[links] method = "get" | "head"`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Needed to check fragments.
    Get,
    /// Falls back to GET on 405/501.
    Head,
}

/// `[links]`: the external link checker.
#[derive(Debug, Clone)]
pub struct LinksConfig {
    pub max_concurrency: usize,
    pub max_per_host: usize,
    /// Minimum time between two requests to one host.
    pub min_interval_ms: u64,
    pub method: Method,
    /// Per request (written in seconds).
    pub timeout: Duration,
    /// For the whole run (written in seconds).
    pub deadline: Duration,
    pub max_redirects: usize,
    pub retries: u32,
    /// Status codes that count as working (written as numbers or ranges such as "200..=299").
    pub accept: Vec<RangeInclusive<u16>>,
    /// `exclude` and `include`, and the lines of `.kbfreshignore` when the config was loaded from a
    /// site root.
    pub filter: LinkFilter,
    pub allow_private: bool,
    pub user_agent: Option<String>,
    /// How long a success is trusted (written as seconds, or "30m", "12h", "1d").
    pub cache_max_age: Duration,
    pub hosts: BTreeMap<String, HostConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostConfig {
    pub max_concurrency: Option<usize>,
    pub min_interval_ms: Option<u64>,
    /// Extra request headers; `${NAME}` is read from the environment.
    pub headers: BTreeMap<String, String>,
}

/// Which external URLs are checked, compiled once from `[links] exclude`/`include` and
/// `.kbfreshignore`.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    /// Never checked.
    exclude: Vec<regex::Regex>,
    /// When not empty, only URLs matching one of these are checked.
    include: Vec<regex::Regex>,
}

impl LinkFilter {
    /// Whether the link checker leaves `url` alone.
    pub fn skips(&self, url: &str) -> bool {
        self.exclude.iter().any(|x| x.is_match(url))
            || (!self.include.is_empty() && !self.include.iter().any(|x| x.is_match(url)))
    }

    /// The regexes of an ignore file (`shown` in diagnostics): one per line; blank lines and lines
    /// starting with `#` are skipped. Every bad line is an error at its line.
    pub fn ignore_file(text: &str, shown: &Path) -> Result<Vec<regex::Regex>, Vec<Diagnostic>> {
        let mut regexes = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let pattern = line.trim();
            if pattern.is_empty() || pattern.starts_with('#') {
                continue;
            }
            match regex::Regex::new(pattern) {
                Ok(r) => regexes.push(r),
                Err(e) => {
                    let col = line[..line.len() - line.trim_start().len()].chars().count() + 1;
                    errors.push(
                        Diagnostic::error(format!("`{pattern}` is not a valid regex: {e}"))
                            .at(shown, i + 1, col)
                            .hint(format!("{REGEX_HINT}; one regex of URLs not to check per line, `#` starts a comment line")),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(regexes)
        } else {
            Err(errors)
        }
    }
}

impl Default for LinksConfig {
    fn default() -> Self {
        LinksConfig {
            max_concurrency: 64,
            max_per_host: 4,
            min_interval_ms: 50,
            method: Method::Get,
            timeout: Duration::from_secs(20),
            deadline: Duration::from_secs(600),
            max_redirects: 10,
            retries: 3,
            accept: vec![200..=299],
            filter: LinkFilter::default(),
            allow_private: false,
            user_agent: None,
            cache_max_age: Duration::from_secs(86_400),
            hosts: Default::default(),
        }
    }
}

/// `"200..=299"`, `"200-299"` or `"204"`.
fn parse_range(s: &str) -> Option<RangeInclusive<u16>> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once("..=").or_else(|| s.split_once('-')) {
        let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return (a <= b).then_some(a..=b);
    }
    let c = s.parse().ok()?;
    Some(c..=c)
}

/// `"90"`, `"90s"`, `"30m"`, `"12h"`, `"1d"`.
fn parse_duration(s: &str) -> Option<Duration> {
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
    n.checked_mul(mult).map(Duration::from_secs)
}

/// What `check` can fail on (`[check] fail_on`, `check --fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Stale,
    Expiring,
    Unknown,
    BrokenLinks,
    ExternalLinks,
    BlockedLinks,
    Warnings,
    MissingTranslations,
}

impl FailOn {
    /// What `check` fails on when neither the command line nor the config says.
    pub fn defaults() -> Vec<FailOn> {
        vec![FailOn::Stale, FailOn::BrokenLinks]
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        <FailOn as clap::ValueEnum>::from_str(s, false).map_err(|_| {
            let names: Vec<String> = <FailOn as clap::ValueEnum>::value_variants()
                .iter()
                .filter_map(clap::ValueEnum::to_possible_value)
                .map(|p| p.get_name().to_string())
                .collect();
            format!(
                "`{s}` is not something check can fail on; use {}",
                names.join(", ")
            )
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct CheckConfig {
    /// What `check` fails on (see `kbfresh check --help`).
    pub fail_on: Option<Vec<FailOn>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardConfig {
    pub enabled: bool,
    /// Site path of the dashboard, without slashes.
    pub path: String,
    /// Also publish `freshness.json` at the site root: every article's status, for status pages,
    /// badges and assistants.
    pub json: bool,
    /// The share of articles that should be fresh (0 to 1): every section is shown against it.
    pub target: Option<f64>,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            enabled: true,
            path: "_freshness".into(),
            json: false,
            target: None,
        }
    }
}

/// `[source]`: where the site's files are, for "Edit this page" and "View source" links.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// The repository's web address (`https://github.com/org/docs`).
    pub repo_url: Option<String>,
    pub branch: String,
    /// The site root's folder in the repository (`docs` when kbfresh.toml is in `docs/`).
    pub dir: String,
    /// The edit address, `{path}` being the file's path in the repository; GitHub, GitLab,
    /// Codeberg/Gitea and Bitbucket addresses are known without it.
    pub edit_url: Option<String>,
    /// The address that shows the file, as `edit_url`.
    pub view_url: Option<String>,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            repo_url: None,
            branch: "main".into(),
            dir: String::new(),
            edit_url: None,
            view_url: None,
        }
    }
}

impl SourceConfig {
    /// The edit and view address templates (`{path}` in each), from the settings or the host.
    pub fn templates(&self) -> (Option<String>, Option<String>) {
        let Some(repo) = self.repo_url.as_deref().map(|r| r.trim_end_matches('/')) else {
            return (self.edit_url.clone(), self.view_url.clone());
        };
        let host = url::Url::parse(repo)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let b = &self.branch;
        let known = if host == "github.com" || host.ends_with(".github.com") {
            Some((
                format!("{repo}/edit/{b}/{{path}}"),
                format!("{repo}/blob/{b}/{{path}}"),
            ))
        } else if host.contains("gitlab") {
            Some((
                format!("{repo}/-/edit/{b}/{{path}}"),
                format!("{repo}/-/blob/{b}/{{path}}"),
            ))
        } else if host == "codeberg.org" || host.contains("gitea") || host.contains("forgejo") {
            Some((
                format!("{repo}/_edit/{b}/{{path}}"),
                format!("{repo}/src/branch/{b}/{{path}}"),
            ))
        } else if host == "bitbucket.org" {
            Some((
                format!("{repo}/src/{b}/{{path}}?mode=edit"),
                format!("{repo}/src/{b}/{{path}}"),
            ))
        } else {
            None
        };
        let (edit, view) = known.unzip();
        (
            self.edit_url.clone().or(edit),
            self.view_url.clone().or(view),
        )
    }

    /// A file's path in the repository, from its path relative to the site root.
    pub fn repo_path(&self, rel_to_root: &str) -> String {
        let dir = self.dir.trim_matches('/');
        if dir.is_empty() {
            rel_to_root.to_string()
        } else {
            format!("{dir}/{rel_to_root}")
        }
    }
}

/// `[feedback]`: "Was this helpful?" under every article.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackConfig {
    /// Where the answer is posted (a form POST, or `sendBeacon` with script).
    pub endpoint: Option<String>,
    /// Without `endpoint`: a "Report a problem" link, an issue-tracker address with `{title}`,
    /// `{url}`, `{path}`, `{verified}`, `{version}`, `{lang}` or `{body}`, or a `mailto:` address.
    pub report_url: Option<String>,
}

/// The issue form of a GitHub or GitLab `[source] repo_url`, for "Report a problem" links.
pub fn report_from_repo(source: &SourceConfig) -> Option<String> {
    let repo = source.repo_url.as_deref()?.trim_end_matches('/');
    let host = url::Url::parse(repo).ok()?.host_str()?.to_ascii_lowercase();
    if host == "github.com" {
        Some(format!("{repo}/issues/new?title={{title}}&body={{body}}"))
    } else if host.contains("gitlab") {
        Some(format!(
            "{repo}/-/issues/new?issue[title]={{title}}&issue[description]={{body}}"
        ))
    } else {
        None
    }
}

/// The placeholders a `[feedback] report_url` may hold.
pub const REPORT_PLACEHOLDERS: &[&str] = &[
    "title", "url", "path", "verified", "version", "lang", "body",
];

/// The files an article shows as pictures: replacing one is a change to every article showing it.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "tif", "tiff",
];

/// Files of the content folder that are not Markdown are published when their extension is one
/// of these, or when a page links to them; the rest (`package.json`, scripts, sources) never are.
pub const ASSET_EXTENSIONS: &[&str] = &[
    // images
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff",
    // audio and video, with captions
    "mp4", "webm", "ogv", "mov", "m4v", "mp3", "ogg", "oga", "wav", "m4a", "flac", "vtt", "srt",
    // documents
    "pdf", "epub", "txt", "csv", "xlsx", "docx", "pptx", "odt", "ods", "odp", // fonts
    "woff", "woff2", "ttf", "otf", "eot", // downloads
    "zip", "gz", "tgz", "bz2", "xz", "7z", "dmg", "pkg", "msi", "exe", "deb", "rpm", "apk",
];

/// `[markdown]`: the switches mdBook and Hugo have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// `--` to –, `---` to —, `...` to …, straight quotes to curly ones (never in code, nor in
    /// command-line options such as `--sync`).
    pub smart_punctuation: bool,
    /// `Term` then `: definition` is a definition list.
    pub definition_lists: bool,
    /// Fenced code with a language is highlighted when the page is built.
    pub highlight: bool,
}

impl MarkdownConfig {
    pub const DEFAULT: MarkdownConfig = MarkdownConfig {
        smart_punctuation: true,
        definition_lists: true,
        highlight: true,
    };
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// `[assets]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssetsConfig {
    /// The extensions published without a link (lowercase, no dot); default [`ASSET_EXTENSIONS`].
    pub extensions: Vec<String>,
    /// More extensions, added to `extensions`.
    pub extra_extensions: Vec<String>,
}

impl Default for AssetsConfig {
    fn default() -> Self {
        AssetsConfig {
            extensions: ASSET_EXTENSIONS.iter().map(|e| e.to_string()).collect(),
            extra_extensions: Vec::new(),
        }
    }
}

impl Config {
    /// The site description in language `code` (`default`: whether it is the default language):
    /// its own, else the default language's for the default language only.
    pub fn description_in(&self, code: &str, default: bool) -> Option<&str> {
        let own = self
            .languages
            .get(code)
            .and_then(|l| l.description.as_deref());
        own.or((default && !self.description.is_empty()).then_some(self.description.as_str()))
    }
}

impl AssetsConfig {
    /// Whether a file named `name` is published without a page linking to it.
    pub fn publishes(&self, name: &str) -> bool {
        let Some((_, ext)) = name.rsplit_once('.') else {
            return false;
        };
        let norm = |e: &String| e.trim().trim_start_matches('.').to_ascii_lowercase();
        let ext = ext.to_ascii_lowercase();
        self.extensions
            .iter()
            .chain(&self.extra_extensions)
            .any(|e| norm(e) == ext)
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
            source: SourceConfig::default(),
            feedback: None,
            image: None,
            freshness: FreshnessConfig::default(),
            check: CheckConfig::default(),
            dashboard: DashboardConfig::default(),
            assets: AssetsConfig::default(),
            markdown: MarkdownConfig::default(),
            links: LinksConfig::default(),
            languages: Default::default(),
            dialect: None,
            vars: BTreeMap::new(),
        }
    }
}

/// The file as written: what serde reads before the values are checked and typed. A value left out
/// takes the typed default (`None` here where the typed field has another type).
mod raw {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use serde::Deserialize;

    use super::{
        AssetsConfig, DashboardConfig, FeedbackConfig, FreshnessConfig, HostConfig, MarkdownConfig,
        SourceConfig, Support,
    };

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Config {
        pub title: String,
        pub description: String,
        pub base_url: String,
        pub default_language: String,
        pub content_dir: PathBuf,
        pub output_dir: PathBuf,
        pub theme: Option<String>,
        pub support: Option<Support>,
        pub source: SourceConfig,
        pub feedback: Option<FeedbackConfig>,
        pub image: Option<String>,
        pub freshness: FreshnessConfig,
        pub check: Check,
        pub dashboard: DashboardConfig,
        pub links: Links,
        pub assets: AssetsConfig,
        pub markdown: MarkdownConfig,
        pub languages: BTreeMap<String, Language>,
        pub dialect: Option<String>,
        pub vars: BTreeMap<String, toml::Value>,
    }

    impl Default for Config {
        fn default() -> Self {
            let d = super::Config::default();
            Config {
                title: d.title,
                description: d.description,
                base_url: d.base_url,
                default_language: d.default_language,
                content_dir: d.content_dir,
                output_dir: d.output_dir,
                theme: d.theme,
                support: d.support,
                source: d.source,
                feedback: d.feedback,
                image: d.image,
                freshness: d.freshness,
                check: Check::default(),
                dashboard: d.dashboard,
                assets: d.assets,
                markdown: d.markdown,
                links: Links::default(),
                languages: BTreeMap::new(),
                dialect: None,
                vars: BTreeMap::new(),
            }
        }
    }

    #[derive(Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Language {
        pub name: Option<String>,
        pub content_dir: Option<PathBuf>,
        pub direction: Option<String>,
        pub title: Option<String>,
        pub fallback: bool,
        pub description: Option<String>,
        pub support: super::LanguageSupport,
    }

    #[derive(Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Check {
        pub fail_on: Option<Vec<String>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, default)]
    pub struct Links {
        pub max_concurrency: usize,
        pub max_per_host: usize,
        pub min_interval_ms: u64,
        pub method: Option<String>,
        pub timeout: f64,
        pub deadline: f64,
        pub max_redirects: usize,
        pub retries: u32,
        pub accept: Option<Vec<StatusSpec>>,
        pub exclude: Vec<String>,
        pub include: Vec<String>,
        pub allow_private: bool,
        pub user_agent: Option<String>,
        pub cache_max_age: Option<DurationSpec>,
        pub hosts: BTreeMap<String, HostConfig>,
    }

    impl Default for Links {
        fn default() -> Self {
            let d = super::LinksConfig::default();
            Links {
                max_concurrency: d.max_concurrency,
                max_per_host: d.max_per_host,
                min_interval_ms: d.min_interval_ms,
                method: None,
                timeout: d.timeout.as_secs_f64(),
                deadline: d.deadline.as_secs_f64(),
                max_redirects: d.max_redirects,
                retries: d.retries,
                accept: None,
                exclude: Vec::new(),
                include: Vec::new(),
                allow_private: d.allow_private,
                user_agent: d.user_agent,
                cache_max_age: None,
                hosts: d.hosts,
            }
        }
    }

    /// A status code or a range of them; numbers are checked against `u16` with a located error.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum StatusSpec {
        Code(i64),
        Range(String),
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum DurationSpec {
        Seconds(i64),
        Text(String),
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

/// When readers see a "may be out of date" banner (the team sees every stale article in `check`,
/// the reports and the dashboard either way).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReaderBanner {
    /// Only for what kbfresh knows: a covered path changed, the article passed `max_age_days`,
    /// its original changed, or someone marked it `outdated`. A newer release alone is a quiet
    /// "current version" note.
    #[default]
    Evidence,
    /// On every stale article, a newer release alone included.
    Stale,
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
    /// A glob of the tags that are releases; `None`: the project's own scheme, found from its tags.
    pub release_tags: Option<String>,
    pub max_age_days: u32,
    pub warn_days: u32,
    pub grace_days: u32,
    pub stale_on: Bump,
    pub edits_count_as_verification: bool,
    pub product_repo: Option<PathBuf>,
    pub ignore_commits: Vec<String>,
    pub ignore_commit_messages: Vec<String>,
    pub allow_shallow: bool,
    pub reader_banner: ReaderBanner,
}

impl Default for FreshnessConfig {
    fn default() -> Self {
        FreshnessConfig {
            release_tags: None,
            max_age_days: 365,
            warn_days: 30,
            grace_days: 14,
            stale_on: Bump::Minor,
            edits_count_as_verification: true,
            product_repo: None,
            ignore_commits: Vec::new(),
            ignore_commit_messages: Vec::new(),
            allow_shallow: false,
            reader_banner: ReaderBanner::Evidence,
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
    /// Loads `kbfresh.toml` from `root` (a missing file means defaults) and `.kbfreshignore` beside
    /// it; the errors of both are reported together.
    pub fn load(root: &Path) -> Result<Config, Failure> {
        match Config::load_checked(root)? {
            (config, errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(Failure(errors)),
        }
    }

    /// [`Config::load`] as [`Config::parse_checked`] does it: the config and the errors of the
    /// values (and `.kbfreshignore` lines) that failed a check.
    pub fn load_checked(root: &Path) -> Result<(Config, Vec<Diagnostic>), Failure> {
        let (mut config, mut errors) = match std::fs::read_to_string(root.join(CONFIG_FILE)) {
            Ok(text) => Config::parse_checked(&text, Path::new(CONFIG_FILE))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), Vec::new()),
            Err(e) => {
                return Err(Failure::from(
                    Diagnostic::error(format!("cannot read the config file: {e}"))
                        .in_file(CONFIG_FILE)
                        .hint("check the file's permissions"),
                ));
            }
        };
        match std::fs::read_to_string(root.join(IGNORE_FILE)) {
            Ok(text) => match LinkFilter::ignore_file(&text, Path::new(IGNORE_FILE)) {
                Ok(regexes) => config.links.filter.exclude.extend(regexes),
                Err(e) => errors.extend(e),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => errors.push(
                Diagnostic::error(format!("cannot read the ignore file: {e}"))
                    .in_file(IGNORE_FILE)
                    .hint("check the file's permissions"),
            ),
        }
        Ok((config, errors))
    }

    /// Parses config text; `shown` is the path used in diagnostics. A syntax error, an unknown key or
    /// a value of the wrong type stops at the first; every value that fails a check is reported.
    pub fn parse(text: &str, shown: &Path) -> Result<Config, Failure> {
        match Config::parse_checked(text, shown)? {
            (config, errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(Failure(errors)),
        }
    }

    /// [`Config::parse`], but a file that parses gives its config (each bad value at its default)
    /// with the errors of the values that failed a check, so that the theme can be checked in the
    /// same run. `Err`: the file does not parse (syntax, unknown key, wrong type).
    pub fn parse_checked(text: &str, shown: &Path) -> Result<(Config, Vec<Diagnostic>), Failure> {
        let raw: raw::Config = toml::from_str(text).map_err(|e| toml_error(&e, text, shown, 0))?;
        let mut v = Validator {
            spans: Spans::new(text),
            shown,
            errors: Vec::new(),
        };
        let config = v.config(raw);
        v.errors.sort_by_key(|d| (d.line, d.column));
        Ok((config, v.errors))
    }
}

/// Checks raw values and types them, collecting an error for each one that fails.
struct Validator<'a> {
    spans: Spans<'a>,
    shown: &'a Path,
    errors: Vec<Diagnostic>,
}

const REGEX_HINT: &str =
    "fix the regex or remove it; a literal `(`, `[`, `.` or `?` needs a backslash before it";
const BASE_URL_HINT: &str = "write the address the site is published at, e.g. \"https://help.example.com/\", or a path such as \"/help/\"";

impl Validator<'_> {
    /// `d`, at the value `path` names.
    fn error(&mut self, path: &[Seg], d: Diagnostic) {
        let (line, col) = self.spans.position(path);
        self.errors.push(d.at(self.shown, line, col));
    }

    fn config(&mut self, raw: raw::Config) -> Config {
        self.base_url(&raw.base_url);
        if let Some(s) = &raw.support {
            self.support(s);
        }
        self.source(&raw.source);
        if let Some(f) = &raw.feedback {
            self.feedback(f, &raw.source);
        }
        self.freshness(&raw.freshness);
        self.dashboard(&raw.dashboard);
        let check = self.check(raw.check);
        let languages = self.languages(&raw.default_language, &raw.content_dir, raw.languages);
        let links = self.links(raw.links);
        let dialect = self.dialect(raw.dialect.as_deref());
        let vars = self.vars(raw.vars);
        Config {
            title: raw.title,
            description: raw.description,
            base_url: raw.base_url,
            default_language: raw.default_language,
            content_dir: raw.content_dir,
            output_dir: raw.output_dir,
            theme: raw.theme,
            support: raw.support,
            source: raw.source,
            feedback: raw.feedback,
            image: raw.image,
            freshness: raw.freshness,
            check,
            dashboard: raw.dashboard,
            assets: raw.assets,
            markdown: raw.markdown,
            links,
            languages,
            dialect,
            vars,
        }
    }

    /// `[vars]`: strings, numbers, booleans and dates, each as the text articles show.
    fn vars(&mut self, raw: BTreeMap<String, toml::Value>) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::new();
        for (name, value) in raw {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::Array(_) | toml::Value::Table(_) => {
                    self.error(
                        &[Key("vars"), Key(&name)],
                        Diagnostic::error(format!(
                            "`vars.{name}` is a list or a table: articles can show only a single value"
                        ))
                        .hint("write a string, e.g. support_hours = \"9:00–17:00 CET\""),
                    );
                    continue;
                }
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                self.error(
                    &[Key("vars"), Key(&name)],
                    Diagnostic::error(format!("`{name}` cannot be a variable name"))
                        .hint("use letters, digits, `_` and `-` only"),
                );
                continue;
            }
            vars.insert(name, text);
        }
        vars
    }

    fn dialect(&mut self, value: Option<&str>) -> Option<Dialect> {
        let v = value?;
        if v == "auto" {
            return None;
        }
        if let Some((_, d)) = Dialect::ALL.iter().find(|(n, _)| *n == v) {
            return Some(*d);
        }
        let names: Vec<String> = Dialect::ALL
            .iter()
            .map(|(n, _)| format!("\"{n}\""))
            .collect();
        self.error(
            &[Key("dialect")],
            Diagnostic::error(format!("dialect `{v}` is not one kbfresh knows")).hint(format!(
                "write \"auto\" (the default: found from the tool's files), or one of {}",
                names.join(", ")
            )),
        );
        None
    }

    fn base_url(&mut self, base_url: &str) {
        if base_url.starts_with('/') {
            return;
        }
        let at = [Key("base_url")];
        match url::Url::parse(base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            Ok(u) => self.error(
                &at,
                Diagnostic::error(format!(
                    "base_url `{base_url}` must be an http(s) URL, not `{}:`",
                    u.scheme()
                ))
                .hint(BASE_URL_HINT),
            ),
            Err(e) => self.error(
                &at,
                Diagnostic::error(format!("base_url `{base_url}` is not a valid URL: {e}"))
                    .hint(BASE_URL_HINT),
            ),
        }
    }

    fn support(&mut self, support: &Support) {
        for (i, ch) in support.channels.iter().enumerate() {
            // `javascript:` or `data:` in a footer link would run on every page.
            if let Some(scheme) = crate::url::url_scheme(&ch.url)
                && !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
            {
                self.error(
                    &[Key("support"), Key("channels"), Index(i), Key("url")],
                    Diagnostic::error(format!(
                        "[[support.channels]] url `{}` must be an http(s), mailto: or tel: address",
                        ch.url
                    ))
                    .hint("write a web address, an email address or a phone number"),
                );
            }
        }
    }

    fn source(&mut self, s: &SourceConfig) {
        let web = |u: &str| matches!(crate::url::url_scheme(u).as_deref(), Some("http" | "https"));
        if let Some(r) = &s.repo_url
            && !web(r)
        {
            self.error(
                &[Key("source"), Key("repo_url")],
                Diagnostic::error(format!("[source] repo_url `{r}` is not a web address"))
                    .hint("write the repository's address, e.g. \"https://github.com/org/docs\""),
            );
        }
        for (key, v) in [("edit_url", &s.edit_url), ("view_url", &s.view_url)] {
            if let Some(v) = v
                && (!web(v) || !v.contains("{path}"))
            {
                self.error(
                    &[Key("source"), Key(key)],
                    Diagnostic::error(format!(
                        "[source] {key} `{v}` must be a web address with `{{path}}` in it"
                    ))
                    .hint("e.g. \"https://git.example.com/docs/edit/main/{path}\""),
                );
            }
        }
        if s.repo_url.is_some() && s.templates().0.is_none() {
            self.error(
                &[Key("source"), Key("repo_url")],
                Diagnostic::error(
                    "[source] repo_url is not on a host kbfresh knows (GitHub, GitLab, Codeberg/Gitea, Bitbucket), so it cannot make the edit links",
                )
                .hint("add edit_url = \"https://…/{path}\" (and view_url) to [source]"),
            );
        }
    }

    fn feedback(&mut self, f: &FeedbackConfig, source: &SourceConfig) {
        if let Some(e) = &f.endpoint
            && !(e.starts_with('/')
                || matches!(crate::url::url_scheme(e).as_deref(), Some("http" | "https")))
        {
            self.error(
                &[Key("feedback"), Key("endpoint")],
                Diagnostic::error(format!(
                    "[feedback] endpoint `{e}` must be an http(s) address or a path of the site"
                ))
                .hint("e.g. endpoint = \"https://feedback.example.com/kb\""),
            );
        }
        if let Some(r) = &f.report_url {
            if !matches!(
                crate::url::url_scheme(r).as_deref(),
                Some("http" | "https" | "mailto")
            ) {
                self.error(
                    &[Key("feedback"), Key("report_url")],
                    Diagnostic::error(format!(
                        "[feedback] report_url `{r}` must be an http(s) or mailto: address"
                    ))
                    .hint("e.g. \"https://github.com/org/docs/issues/new?title={title}&body={body}\" or \"mailto:docs@example.com\""),
                );
            }
            let mut rest = r.as_str();
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                let name = &rest[open + 1..open + close];
                if !REPORT_PLACEHOLDERS.contains(&name) {
                    self.error(
                        &[Key("feedback"), Key("report_url")],
                        Diagnostic::error(format!(
                            "[feedback] report_url has `{{{name}}}`, which kbfresh does not fill"
                        ))
                        .hint(format!(
                            "use {}",
                            REPORT_PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
                rest = &rest[open + close + 1..];
            }
        }
        if f.endpoint.is_none() && f.report_url.is_none() && report_from_repo(source).is_none() {
            self.error(
                &[Key("feedback")],
                Diagnostic::error(
                    "[feedback] needs an `endpoint` to post answers to, or a `report_url` for a \"Report a problem\" link",
                )
                .hint("add endpoint = \"https://…\", report_url = \"mailto:docs@example.com\", or a GitHub/GitLab [source] repo_url"),
            );
        }
    }

    fn freshness(&mut self, f: &FreshnessConfig) {
        if let Some(Err(e)) = f.release_tags.as_deref().map(globset::Glob::new) {
            self.error(
                &[Key("freshness"), Key("release_tags")],
                Diagnostic::error(format!("release_tags is not a valid glob: {e}"))
                    .hint("use a glob such as \"v*\" or \"release-*\""),
            );
        }
        for (i, re) in f.ignore_commit_messages.iter().enumerate() {
            if let Err(e) = regex::Regex::new(re) {
                self.error(
                    &[Key("freshness"), Key("ignore_commit_messages"), Index(i)],
                    Diagnostic::error(format!(
                        "ignore_commit_messages: `{re}` is not a valid regex: {e}"
                    ))
                    .hint(REGEX_HINT),
                );
            }
        }
    }

    fn dashboard(&mut self, d: &DashboardConfig) {
        let dash = d.path.trim_matches('/');
        if dash.is_empty()
            || dash
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            self.error(
                &[Key("dashboard"), Key("path")],
                Diagnostic::error(format!("[dashboard] path `{}` is not a site path", d.path))
                    .hint("use a folder name such as \"_freshness\""),
            );
        }
        if let Some(t) = d.target
            && !(t > 0.0 && t <= 1.0)
        {
            self.error(
                &[Key("dashboard"), Key("target")],
                Diagnostic::error(format!(
                    "[dashboard] target = {t}: a share of articles is more than 0 and at most 1"
                ))
                .hint("write 0.95 for 95% of articles fresh"),
            );
        }
    }

    fn check(&mut self, raw: raw::Check) -> CheckConfig {
        let fail_on = raw.fail_on.map(|items| {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.parse::<FailOn>() {
                    Ok(f) => out.push(f),
                    Err(e) => self.error(
                        &[Key("check"), Key("fail_on"), Index(i)],
                        Diagnostic::error(format!("[check] fail_on: {e}"))
                            .hint("`kbfresh check --help` says what each one fails on"),
                    ),
                }
            }
            out
        });
        CheckConfig { fail_on }
    }

    fn languages(
        &mut self,
        default_language: &str,
        content_dir: &Path,
        raw: BTreeMap<String, raw::Language>,
    ) -> BTreeMap<String, LanguageConfig> {
        let default_at = [Key("default_language")];
        if !is_language_code(default_language) {
            self.error(
                &default_at,
                Diagnostic::error(format!(
                    "default_language `{default_language}` is not a language code"
                ))
                .hint("write a code such as \"en\", \"fa\" or \"pt-BR\""),
            );
        } else if !raw.is_empty() && !raw.contains_key(default_language) {
            self.error(
                &default_at,
                Diagnostic::error(format!(
                    "default_language `{default_language}` has no [languages.{default_language}] table"
                ))
                .hint(format!(
                    "add [languages.{default_language}] with its name, or set default_language to one of: {}",
                    raw.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            );
        }
        let mut dirs: Vec<(&str, PathBuf)> = Vec::new();
        let mut out = BTreeMap::new();
        for (code, l) in &raw {
            let table = [Key("languages"), Key(code)];
            if !is_language_code(code) {
                self.error(
                    &table,
                    Diagnostic::error(format!(
                        "[languages.{code}]: `{code}` is not a language code"
                    ))
                    .hint("use a code such as \"en\", \"fa\" or \"pt-BR\""),
                );
            }
            let direction = match l.direction.as_deref() {
                None => None,
                Some("ltr") => Some(Direction::Ltr),
                Some("rtl") => Some(Direction::Rtl),
                Some(d) => {
                    self.error(
                        &[Key("languages"), Key(code), Key("direction")],
                        Diagnostic::error(format!(
                            "[languages.{code}] direction `{d}` must be \"ltr\" or \"rtl\""
                        ))
                        .hint(
                            "write direction = \"rtl\" for right-to-left scripts, or remove the key",
                        ),
                    );
                    None
                }
            };
            if l.fallback && code == default_language {
                self.error(
                    &[Key("languages"), Key(code), Key("fallback")],
                    Diagnostic::error(format!(
                        "[languages.{code}] fallback = true: `{code}` is the default language, the one the others fall back to"
                    ))
                    .hint("set fallback = true on the translations' tables instead, or remove the key"),
                );
            }
            let dir = match (&l.content_dir, code == default_language) {
                (Some(d), _) => Some(d.clone()),
                (None, true) => Some(content_dir.to_path_buf()),
                (None, false) => {
                    self.error(
                        &table,
                        Diagnostic::error(format!("[languages.{code}] has no content_dir"))
                            .hint(format!(
                                "every translation has its own content tree: content_dir = \"{}.{code}\"",
                                content_dir.display()
                            )),
                    );
                    None
                }
            };
            if let Some(dir) = dir {
                if let Some((other, _)) = dirs.iter().find(|(_, d)| *d == dir) {
                    self.error(
                        &[Key("languages"), Key(code), Key("content_dir")],
                        Diagnostic::error(format!(
                            "[languages.{code}] and [languages.{other}] share the content folder `{}`",
                            dir.display()
                        ))
                        .hint("give every language a folder of its own"),
                    );
                }
                dirs.push((code, dir));
            }
            out.insert(
                code.clone(),
                LanguageConfig {
                    name: l.name.clone(),
                    content_dir: l.content_dir.clone(),
                    direction,
                    title: l.title.clone(),
                    fallback: l.fallback,
                    description: l.description.clone(),
                    support: l.support.clone(),
                },
            );
        }
        out
    }

    fn links(&mut self, raw: raw::Links) -> LinksConfig {
        let d = LinksConfig::default();
        let method = match raw.method.as_deref() {
            None => d.method,
            Some("get") => Method::Get,
            Some("head") => Method::Head,
            Some(m) => {
                self.error(
                    &[Key("links"), Key("method")],
                    Diagnostic::error(format!("[links] method `{m}` must be \"get\" or \"head\""))
                        .hint("write \"get\" (needed to check #fragments) or \"head\""),
                );
                d.method
            }
        };
        let accept = match &raw.accept {
            None => d.accept,
            Some(items) => {
                let mut out = Vec::new();
                for (i, a) in items.iter().enumerate() {
                    let range = match a {
                        raw::StatusSpec::Code(c) => u16::try_from(*c).ok().map(|c| c..=c),
                        raw::StatusSpec::Range(r) => parse_range(r),
                    };
                    match range {
                        Some(r) => out.push(r),
                        None => {
                            let shown = match a {
                                raw::StatusSpec::Code(c) => c.to_string(),
                                raw::StatusSpec::Range(r) => r.clone(),
                            };
                            self.error(
                                &[Key("links"), Key("accept"), Index(i)],
                                Diagnostic::error(format!(
                                    "[links] accept: `{shown}` is not a status code or range"
                                ))
                                .hint("write codes and ranges such as [200, \"300..=399\"]"),
                            );
                        }
                    }
                }
                out
            }
        };
        let cache_max_age = match &raw.cache_max_age {
            None => d.cache_max_age,
            Some(spec) => {
                let (parsed, written) = match spec {
                    raw::DurationSpec::Seconds(s) => (
                        u64::try_from(*s).ok().map(Duration::from_secs),
                        s.to_string(),
                    ),
                    raw::DurationSpec::Text(t) => (parse_duration(t), t.clone()),
                };
                parsed.unwrap_or_else(|| {
                    self.error(
                        &[Key("links"), Key("cache_max_age")],
                        Diagnostic::error(format!(
                            "[links] cache_max_age `{written}` is not a duration"
                        ))
                        .hint("write seconds, or a number with s, m, h or d: \"12h\", \"1d\""),
                    );
                    d.cache_max_age
                })
            }
        };
        let exclude = self.regexes("exclude", &raw.exclude);
        let include = self.regexes("include", &raw.include);
        let timeout = self.seconds("timeout", raw.timeout, d.timeout);
        let deadline = self.seconds("deadline", raw.deadline, d.deadline);
        LinksConfig {
            max_concurrency: raw.max_concurrency,
            max_per_host: raw.max_per_host,
            min_interval_ms: raw.min_interval_ms,
            method,
            timeout,
            deadline,
            max_redirects: raw.max_redirects,
            retries: raw.retries,
            accept,
            filter: LinkFilter { exclude, include },
            allow_private: raw.allow_private,
            user_agent: raw.user_agent,
            cache_max_age,
            hosts: raw.hosts,
        }
    }

    /// `[links] <key>` in seconds: more than 0, and few enough for a `Duration`.
    fn seconds(&mut self, key: &str, value: f64, default: Duration) -> Duration {
        match Duration::try_from_secs_f64(value) {
            Ok(d) if value > 0.0 => d,
            _ => {
                self.error(
                    &[Key("links"), Key(key)],
                    Diagnostic::error(format!(
                        "[links] {key} must be more than 0 seconds, not {value}"
                    ))
                    .hint(format!("write a number of seconds, e.g. {key} = 20")),
                );
                default
            }
        }
    }

    /// `[links] <key>`, compiled; each bad one is an error at its item.
    fn regexes(&mut self, key: &str, patterns: &[String]) -> Vec<regex::Regex> {
        let mut out = Vec::new();
        for (i, re) in patterns.iter().enumerate() {
            match regex::Regex::new(re) {
                Ok(r) => out.push(r),
                Err(e) => self.error(
                    &[Key("links"), Key(key), Index(i)],
                    Diagnostic::error(format!("[links] `{re}` is not a valid regex: {e}"))
                        .hint(REGEX_HINT),
                ),
            }
        }
        out
    }
}

impl Config {
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

/// One step of a key path into a TOML document.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

use Seg::{Index, Key};

/// Positions in a TOML text by key path, from toml_edit's spans: a diagnostic points at the key's
/// value in its own table, however the file writes that table (a header, dotted keys, inline).
pub struct Spans<'a> {
    doc: Option<toml_edit::Document<&'a str>>,
    index: LineIndex<'a>,
}

impl<'a> Spans<'a> {
    pub fn new(text: &'a str) -> Spans<'a> {
        Spans {
            doc: toml_edit::Document::parse(text).ok(),
            index: LineIndex::new(text),
        }
    }

    /// 1-based line and column of what `path` names: a value, an array item, or a table's header
    /// (its key where it has none). When it is not written, the nearest table on the path that is;
    /// else (0, 0).
    pub fn position(&self, path: &[Seg]) -> (usize, usize) {
        let Some(doc) = &self.doc else {
            return (0, 0);
        };
        let mut item = doc.as_item();
        let mut found = None;
        for seg in path {
            let (next, key_span) = match *seg {
                Key(k) => match item.as_table_like().and_then(|t| t.get_key_value(k)) {
                    Some((key, next)) => (next, key.span()),
                    None => break,
                },
                Index(i) => match item.get(i) {
                    Some(next) => (next, None),
                    None => break,
                },
            };
            if let Some(span) = next.span().or(key_span) {
                found = Some(span.start);
            }
            item = next;
        }
        found.map_or((0, 0), |at| self.index.line_col(at))
    }

    /// [`Spans::position`] of a path of keys only.
    pub fn key(&self, keys: &[&str]) -> (usize, usize) {
        let path: Vec<Seg> = keys.iter().map(|k| Key(k)).collect();
        self.position(&path)
    }
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

/// Line and column of the value of the first `key = ...` (or `key: ...`), or (0, 0): for front matter,
/// TOML or YAML, whose keys are all at the top. `kbfresh.toml` is located with [`Spans`].
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

    fn errors(text: &str) -> Vec<Diagnostic> {
        Config::parse(text, Path::new("kbfresh.toml"))
            .unwrap_err()
            .0
    }

    fn positions(text: &str) -> Vec<(usize, usize)> {
        errors(text).iter().map(|d| (d.line, d.column)).collect()
    }

    #[test]
    fn defaults_without_file() {
        let c = Config::parse("", Path::new("kbfresh.toml")).unwrap();
        assert_eq!(c.content_dir, PathBuf::from("content"));
        assert_eq!(c.freshness.max_age_days, 365);
        assert_eq!(c.base_path(), "");
        assert_eq!(c.links.method, Method::Get);
        assert_eq!(c.links.accept, vec![200..=299]);
        assert_eq!(c.links.cache_max_age, Duration::from_secs(86_400));
        assert_eq!(c.check.fail_on, None);
    }

    #[test]
    fn unknown_key_names_line_and_closest() {
        let e = &errors("title = \"x\"\ntitel = \"y\"\n")[0];
        assert_eq!(e.message, "unknown key `titel`");
        assert_eq!(e.line, 2);
        assert!(e.hint.clone().unwrap().contains("did you mean `title`?"));
    }

    #[test]
    fn unknown_key_in_table() {
        let e = &errors("[freshness]\nmax_age = 3\n")[0];
        assert_eq!(e.line, 2);
        assert!(e.hint.clone().unwrap().contains("max_age_days"), "{e:?}");
    }

    #[test]
    fn base_url_must_be_http() {
        assert_eq!(positions("base_url = \"ftp://x\"\n"), [(1, 12)]);
        let c = Config::parse("base_url = \"https://h.example/help/\"", Path::new("k")).unwrap();
        assert_eq!(c.base_path(), "/help");
        assert_eq!(c.absolute_base().unwrap(), "https://h.example/help/");
    }

    #[test]
    fn every_error_of_every_table_is_reported_at_its_own_line() {
        let text = "\
base_url = \"ftp://x\"
[links]
method = \"post\"
accept = [200, \"3xx\", 70000]
cache_max_age = \"soon\"
exclude = [\"ok\", \"(\"]

[check]
fail_on = [\"stale\", \"stael\"]
";
        let e = errors(text);
        let got: Vec<(usize, usize, &str)> = e
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(got.len(), 7, "{got:#?}");
        assert_eq!((got[0].0, got[0].1), (1, 12));
        assert!(got[1].2.starts_with("[links] method `post`"), "{got:#?}");
        assert_eq!((got[1].0, got[1].1), (3, 10));
        assert_eq!((got[2].0, got[2].1), (4, 16), "the item, not the key");
        assert!(got[2].2.contains("`3xx`"));
        assert_eq!((got[3].0, got[3].1), (4, 23));
        assert!(got[3].2.contains("`70000`"));
        assert_eq!((got[4].0, got[4].1), (5, 17));
        assert_eq!((got[5].0, got[5].1), (6, 18));
        assert!(got[5].2.contains("`(` is not a valid regex"));
        assert_eq!((got[6].0, got[6].1), (9, 21));
        assert!(got[6].2.starts_with("[check] fail_on: `stael`"));
    }

    #[test]
    fn a_key_two_tables_share_points_into_the_right_one() {
        // `path` and `direction` appear first in other tables; `content_dir` first at the top.
        let text = "\
content_dir = \"docs\"
[dashboard]
enabled = true
path = \"../up\"

[languages.en]
direction = \"ltr\"
content_dir = \"docs\"

[languages.fa]
direction = \"sideways\"
content_dir = \"docs\"
";
        let e = errors(text);
        let got: Vec<(usize, usize, &str)> = e
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].2.starts_with("[dashboard] path"));
        assert_eq!((got[0].0, got[0].1), (4, 8));
        assert!(got[1].2.starts_with("[languages.fa] direction `sideways`"));
        assert_eq!((got[1].0, got[1].1), (11, 13));
        assert!(got[2].2.contains("share the content folder"));
        assert_eq!((got[2].0, got[2].1), (12, 15));
    }

    #[test]
    fn dotted_and_inline_tables_are_located_too() {
        assert_eq!(positions("links = { method = \"post\" }\n"), [(1, 20)]);
        assert_eq!(
            positions("title = \"x\"\nlinks.cache_max_age = \"1y\"\n"),
            [(2, 23)]
        );
        assert_eq!(
            positions(
                "[[support.channels]]\nkind = \"chat\"\nlabel = \"a\"\nurl = \"https://a\"\n[[support.channels]]\nkind = \"chat\"\nlabel = \"b\"\nurl = \"javascript:x\"\n"
            ),
            [(8, 7)]
        );
        // A table the file does not write a key of: its header.
        let e =
            errors("default_language = \"en\"\n[languages.en]\n[languages.fa]\nname = \"فارسی\"\n");
        assert_eq!((e[0].line, e[0].column), (3, 1));
        assert!(e[0].message.contains("has no content_dir"));
    }

    #[test]
    fn values_are_typed_once() {
        let c = Config::parse(
            "[check]\nfail_on = [\"expiring\", \" warnings \"]\n[links]\nmethod = \"head\"\naccept = [204, \"300..=399\", \"400-401\"]\ncache_max_age = \"12h\"\ntimeout = 2.5\nexclude = [\"^https://skip\\\\.example/\"]\ninclude = [\"example\"]\n[languages.fa]\ndirection = \"rtl\"\ncontent_dir = \"c.fa\"\n[languages.en]\n",
            Path::new("kbfresh.toml"),
        )
        .unwrap();
        assert_eq!(
            c.check.fail_on,
            Some(vec![FailOn::Expiring, FailOn::Warnings])
        );
        assert_eq!(c.links.method, Method::Head);
        assert_eq!(c.links.accept, vec![204..=204, 300..=399, 400..=401]);
        assert_eq!(c.links.cache_max_age, Duration::from_secs(12 * 3600));
        assert_eq!(c.links.timeout, Duration::from_millis(2500));
        assert_eq!(c.languages["fa"].direction, Some(Direction::Rtl));
        assert!(c.links.filter.skips("https://skip.example/a"));
        assert!(c.links.filter.skips("https://other.test/"), "not included");
        assert!(!c.links.filter.skips("https://example.org/"));
        let secs = Config::parse("[links]\ncache_max_age = 90", Path::new("k")).unwrap();
        assert_eq!(secs.links.cache_max_age, Duration::from_secs(90));
    }

    #[test]
    fn timeouts_must_be_a_positive_finite_number_of_seconds() {
        assert_eq!(
            positions("[links]\ntimeout = 0\ndeadline = inf\n"),
            [(2, 11), (3, 12)]
        );
        assert_eq!(positions("[links]\ntimeout = nan\n"), [(2, 11)]);
    }

    #[test]
    fn ignore_file_lines_are_compiled_and_located() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join(IGNORE_FILE),
            "# comment\n\n/flaky$\n  (bad\n",
        )
        .unwrap();
        let e = Config::load(root.path()).unwrap_err().0;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].location(), ".kbfreshignore:4:3");
        assert!(e[0].message.starts_with("`(bad` is not a valid regex"));

        std::fs::write(root.path().join(IGNORE_FILE), "/flaky$\n").unwrap();
        std::fs::write(
            root.path().join(CONFIG_FILE),
            "[links]\nexclude = [\"/gone$\"]\n",
        )
        .unwrap();
        let c = Config::load(root.path()).unwrap();
        assert!(c.links.filter.skips("https://a.test/flaky"));
        assert!(c.links.filter.skips("https://a.test/gone"));
        assert!(!c.links.filter.skips("https://a.test/ok"));

        // Errors of both files together.
        std::fs::write(root.path().join(IGNORE_FILE), "(\n").unwrap();
        std::fs::write(root.path().join(CONFIG_FILE), "[links]\nmethod = \"put\"\n").unwrap();
        let e = Config::load(root.path()).unwrap_err().0;
        let at: Vec<String> = e.iter().map(Diagnostic::location).collect();
        assert_eq!(at, ["kbfresh.toml:2:10", ".kbfreshignore:1:1"]);
    }

    #[test]
    fn fail_on_names_are_the_documented_ones() {
        let e = "bogus".parse::<FailOn>().unwrap_err();
        assert_eq!(
            e,
            "`bogus` is not something check can fail on; use stale, expiring, unknown, broken-links, external-links, blocked-links, warnings, missing-translations"
        );
        assert_eq!(
            "missing-translations".parse::<FailOn>(),
            Ok(FailOn::MissingTranslations)
        );
    }

    #[test]
    fn spans_follow_key_paths() {
        let text = "a = 1\n[t]\na = [1, 2]\n[t.u]\nb = { a = 3 }\n";
        let s = Spans::new(text);
        assert_eq!(s.key(&["a"]), (1, 5));
        assert_eq!(s.key(&["t", "a"]), (3, 5));
        assert_eq!(s.position(&[Key("t"), Key("a"), Index(1)]), (3, 9));
        assert_eq!(s.key(&["t", "u", "b", "a"]), (5, 11));
        assert_eq!(s.key(&["t", "u"]), (4, 1));
        assert_eq!(
            s.key(&["t", "missing"]),
            (2, 1),
            "the nearest written table"
        );
        assert_eq!(s.key(&["missing"]), (0, 0));
    }
}
