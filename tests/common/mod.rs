//! Fixture builder: a site in a temp folder, optionally a git repo with commits, dates, authors, tags,
//! merges and renames chosen by the test; and a runner for the real `kbfresh` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Site {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        let r = Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        assert!(
            !r.stderr.contains("panicked"),
            "kbfresh panicked:\n{}",
            r.stderr
        );
        r
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every `error:` line of a run's stderr with the indented lines after it (its `help:`), in order.
pub fn error_blocks(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut in_error = false;
    for line in stderr.lines() {
        if line.starts_with("error") {
            blocks.push(line.to_string());
            in_error = true;
        } else if in_error && line.starts_with(' ') {
            if let Some(b) = blocks.last_mut() {
                b.push('\n');
                b.push_str(line);
            }
        } else {
            in_error = false;
        }
    }
    blocks
}

/// Runs kbfresh on a site root that is not a [`Site`] (a clone, a worktree).
pub fn run_at(root: &Path, args: &[&str]) -> Run {
    let mut c = kbfresh();
    c.args(args).arg("--root").arg(root).current_dir(root);
    Run::from(c.output().expect("run kbfresh"))
}

pub fn kbfresh() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kbfresh"));
    c.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    c
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

impl Site {
    pub fn new() -> Site {
        Site {
            dir: tempfile::Builder::new()
                .prefix("kbfresh-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn bytes(&self, rel: &str, data: &[u8]) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path(rel)).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Runs kbfresh with `--root` set to the site.
    pub fn run(&self, args: &[&str]) -> Run {
        run_at(self.root(), args)
    }

    pub fn build(&self) -> Run {
        self.run(&["build", "--now", "2026-11-22"])
    }

    /// `build` with `extra` flags must fail with exit 2, and `check --offline` with the same flags
    /// must fail the same way: exit 2 and the same error lines (each error with its `help:`). The
    /// build's run is returned.
    #[track_caller]
    pub fn build_and_check_fail_with(&self, extra: &[&str]) -> Run {
        let with = |cmd: &str, more: &[&str]| {
            let mut args = vec![cmd];
            args.extend(more);
            args.extend(extra);
            args.extend(["--now", "2026-11-22"]);
            self.run(&args)
        };
        let build = with("build", &[]).fails(2);
        let check = with("check", &["--offline"]);
        assert_eq!(
            check.code, 2,
            "`check` must fail where `build` does\nbuild:\n{}\ncheck:\n{}",
            build.stderr, check.stderr
        );
        assert_eq!(
            error_blocks(&build.stderr),
            error_blocks(&check.stderr),
            "`build` and `check` must report the same errors"
        );
        build
    }

    /// [`Site::build_and_check_fail_with`] without extra flags.
    #[track_caller]
    pub fn build_and_check_fail(&self) -> Run {
        self.build_and_check_fail_with(&[])
    }

    /// The `<main>` element of a built page (pages differ elsewhere only in shared chrome).
    pub fn main_of(&self, rel: &str) -> String {
        let html = self.read(rel);
        let start = html.find("<main").unwrap_or(0);
        let end = html.find("</main>").map(|e| e + 7).unwrap_or(html.len());
        html[start..end].to_string()
    }

    // ---- git ----

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.root(), args, None)
    }

    pub fn git_init(&self) -> &Self {
        self.git(&["init", "-q", "-b", "main"]);
        self
    }

    /// Commits everything at `date` (e.g. "2026-03-01") by `author`.
    pub fn commit_as(&self, msg: &str, date: &str, author: &str) -> String {
        self.git(&["add", "-A"]);
        git_in(
            self.root(),
            &["commit", "-q", "--allow-empty", "-m", msg],
            Some((date, author)),
        );
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    pub fn commit(&self, msg: &str, date: &str) -> String {
        self.commit_as(msg, date, "Ada Writer")
    }

    /// A lightweight tag on HEAD (dated by the commit).
    pub fn tag(&self, name: &str) -> &Self {
        self.git(&["tag", name]);
        self
    }

    /// An annotated tag on HEAD dated `date`.
    pub fn tag_annotated(&self, name: &str, date: &str) -> &Self {
        git_in(
            self.root(),
            &["tag", "-a", name, "-m", name],
            Some((date, "Release Bot")),
        );
        self
    }
}

pub fn git_in(dir: &Path, args: &[&str], when: Option<(&str, &str)>) -> String {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args([
            "-c",
            "core.autocrlf=false",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Ada Writer")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Writer")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com");
    if let Some((date, author)) = when {
        let stamp = if date.contains('T') {
            date.to_string()
        } else {
            format!("{date}T12:00:00Z")
        };
        c.env("GIT_AUTHOR_DATE", &stamp)
            .env("GIT_COMMITTER_DATE", &stamp)
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_COMMITTER_NAME", author);
    }
    let o = c.output().expect("git");
    assert!(
        o.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every file under `dir` with its bytes, for "nothing changed" assertions.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

pub const CONFIG: &str = r#"title = "Acme Help"
description = "Answers for Acme customers"
base_url = "https://help.acme.test/"

[support]
title = "Still need help?"
text = "We answer within a day."
[[support.channels]]
kind = "email"
label = "Email us"
url = "help@acme.test"
hours = "Mon-Fri"
[[support.channels]]
kind = "chat"
label = "Chat"
url = "https://acme.test/chat"
"#;

/// A template of the default theme, to override in a test.
pub fn default_template(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default/templates")
            .join(name),
    )
    .expect("default template")
}

/// `html` with code highlighting's token spans taken out (the code's text as written).
pub fn unhighlighted(html: &str) -> String {
    let token =
        regex::Regex::new(r#"<span class="hl-[a-z-]+">([^<]*)</span>"#).expect("valid regex");
    let mut s = html.to_string();
    // Marked lines hold tokens: two rounds.
    for _ in 0..2 {
        s = token.replace_all(&s, "$1").into_owned();
    }
    s
}
