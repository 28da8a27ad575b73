//! scripts/action.sh, the logic of the GitHub Action (action.yml), run as the action runs it: the
//! binary's cache key, the release asset's name, the arguments of `kbfresh check` for the action's
//! inputs, the shallow-clone check on a real `git clone --depth 1`, and the outputs and step summary
//! of a real check.

mod common;

use common::{Site, git_in};
use std::path::Path;
use std::process::Command;

struct Script {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `bash scripts/action.sh ARGS` in `dir` with only PATH, HOME and `env` set, so that nothing
/// of a CI runner's own environment (GITHUB_OUTPUT, RUNNER_OS...) gets in.
fn script(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Script {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action.sh");
    let o = Command::new("bash")
        .arg(path)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run bash");
    Script {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A kbfresh source tree at version 9.8.7, as the action's own checkout holds one.
fn source() -> Site {
    let s = Site::new();
    s.file(
        "Cargo.toml",
        "[package]\nname = \"kbfresh\"\nversion = \"9.8.7\"\n\n[dependencies]\nserde = { version = \"1\" }\n",
    )
    .file("Cargo.lock", "version = 4\n")
    .file("src/main.rs", "fn main() {}\n")
    .file("themes/default/templates/page.html", "<main></main>\n");
    s
}

#[test]
fn the_version_is_the_one_in_cargo_toml() {
    let dir = tempfile::tempdir().unwrap();
    let r = script(dir.path(), &[], &["version"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, format!("{}\n", env!("CARGO_PKG_VERSION")));
}

/// The script's `command` on a runner of `os` and `arch`, for the sources at `root`: its output.
fn on_runner(dir: &Path, root: &str, os: &str, arch: &str, command: &str) -> String {
    let r = script(
        dir,
        &[
            ("KB_SOURCE", root),
            ("RUNNER_OS", os),
            ("RUNNER_ARCH", arch),
        ],
        &[command],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout.trim().to_string()
}

#[test]
fn the_cache_key_names_the_version_the_runner_and_the_sources() {
    let src = source();
    let root = src.root().to_str().unwrap();
    let key = |os: &str, arch: &str| on_runner(src.root(), root, os, arch, "cache-key");
    let linux = key("Linux", "X64");
    let hash = linux
        .strip_prefix("kbfresh-9.8.7-Linux-X64-")
        .unwrap_or_else(|| panic!("{linux}"))
        .to_string();
    assert_eq!(hash.len(), 12, "{linux}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{linux}");
    assert_eq!(key("Linux", "X64"), linux, "the same sources, the same key");
    assert_eq!(
        key("macOS", "ARM64"),
        format!("kbfresh-9.8.7-macOS-ARM64-{hash}")
    );

    src.file("src/main.rs", "fn main() { println!(); }\n");
    let changed = key("Linux", "X64");
    assert!(changed.starts_with("kbfresh-9.8.7-Linux-X64-"), "{changed}");
    assert_ne!(changed, linux, "a changed source is another build");
}

#[test]
fn the_release_asset_is_named_by_version_and_target_and_comes_from_the_actions_repository() {
    let src = source();
    let root = src.root().to_str().unwrap();
    let asset = |os: &str, arch: &str| on_runner(src.root(), root, os, arch, "asset");
    assert_eq!(
        asset("Linux", "X64"),
        "kbfresh-9.8.7-x86_64-unknown-linux-gnu.tar.gz"
    );
    assert_eq!(
        asset("Linux", "ARM64"),
        "kbfresh-9.8.7-aarch64-unknown-linux-gnu.tar.gz"
    );
    assert_eq!(
        asset("macOS", "ARM64"),
        "kbfresh-9.8.7-aarch64-apple-darwin.tar.gz"
    );
    assert_eq!(
        asset("Windows", "X64"),
        "kbfresh-9.8.7-x86_64-pc-windows-msvc.tar.gz"
    );
    assert!(asset("Plan9", "X64").is_empty(), "no target, no asset");

    // Used from another repository, the action is checked out in _actions/OWNER/NAME/REF.
    let runner = tempfile::tempdir().unwrap();
    let tool_cache = runner.path().join("hostedtoolcache");
    let action_path = runner.path().join("work/_actions/acme/kbfresh/v9.8.7");
    let remote = script(
        src.root(),
        &[
            ("KB_SOURCE", root),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("RUNNER_TOOL_CACHE", tool_cache.to_str().unwrap()),
            ("GITHUB_ACTION_PATH", action_path.to_str().unwrap()),
        ],
        &["prepare"],
    );
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    let outputs: Vec<&str> = remote.stdout.lines().collect();
    assert!(
        outputs.contains(&"url=https://github.com/acme/kbfresh/releases/download/v9.8.7/kbfresh-9.8.7-x86_64-unknown-linux-gnu.tar.gz"),
        "{}",
        remote.stdout
    );
    assert!(
        outputs.iter().any(|l| l.starts_with(&format!(
            "dir={}/kbfresh/kbfresh-9.8.7-Linux-X64-",
            tool_cache.display()
        ))),
        "{}",
        remote.stdout
    );

    // `uses: ./` has no repository to download from: cargo builds it.
    let local = script(
        src.root(),
        &[
            ("KB_SOURCE", root),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
        ],
        &["prepare"],
    );
    assert_eq!(local.code, 0, "{}", local.stderr);
    assert!(
        local.stdout.lines().any(|l| l == "url="),
        "{}",
        local.stdout
    );
}

#[test]
fn the_inputs_become_the_arguments_of_check_and_quoted_spaces_stay_in_one_argument() {
    let dir = tempfile::tempdir().unwrap();
    let r = script(
        dir.path(),
        &[
            ("KB_ROOT", "help centre"),
            ("KB_FAIL_ON", "stale, broken-links"),
            ("KB_CHANGED_SINCE", "origin/main"),
            ("KB_OFFLINE", "true"),
            (
                "KB_FORMAT",
                "github 'junit=test results/kbfresh.xml',markdown=comment.md",
            ),
            (
                "KB_ARGS",
                r#"--owner "billing team" --section 'getting started' it\'s"#,
            ),
            ("KB_SARIF", "true"),
            ("KB_REPORTS", "/reports"),
        ],
        &["args"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let args: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        args,
        [
            "check",
            "--root",
            "help centre",
            "--fail-on",
            "stale,broken-links",
            "--changed-since",
            "origin/main",
            "--offline",
            "--owner",
            "billing team",
            "--section",
            "getting started",
            "it's",
            "--format",
            "github",
            "--format",
            "junit",
            "--output",
            "test results/kbfresh.xml",
            "--format",
            "markdown",
            "--output",
            "comment.md",
            "--format",
            "sarif",
            "--output",
            "/reports/kbfresh.sarif",
            "--format",
            "json",
            "--output",
            "/reports/kbfresh.json",
        ]
    );

    // Without inputs: the action's own JSON report (for the outputs) and Markdown one (for the
    // summary), and nothing else.
    let r = script(dir.path(), &[("KB_REPORTS", "/reports")], &["args"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let args: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        args,
        [
            "check",
            "--root",
            ".",
            "--format",
            "json",
            "--output",
            "/reports/kbfresh.json",
            "--format",
            "markdown",
            "--output",
            "/reports/kbfresh.md",
        ]
    );
}

#[test]
fn inputs_that_cannot_be_read_are_errors_that_say_why() {
    let dir = tempfile::tempdir().unwrap();
    for (env, says) in [
        (("KB_ARGS", "--owner \"billing"), "unmatched \""),
        (("KB_FORMAT", "json="), "names no file"),
        (("KB_OFFLINE", "yes"), "offline must be true or false"),
    ] {
        let r = script(dir.path(), &[env], &["args"]);
        assert_eq!(r.code, 2, "{env:?}\n{}", r.stdout);
        assert!(r.stderr.contains(says), "{env:?}: {}", r.stderr);
    }
}

#[test]
fn a_shallow_clone_fails_with_fetch_depth_advice_unless_a_history_file_is_given() {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Acme\"\n")
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nOne.\n");
    s.commit("first", "2026-01-05");
    s.file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nTwo.\n");
    s.commit("second", "2026-02-10");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", s.root().display());
    git_in(
        dir.path(),
        &["clone", "-q", "--depth", "1", &url, "site"],
        None,
    );

    let shallow = script(
        dir.path(),
        &[("KB_ROOT", "site"), ("GITHUB_ACTIONS", "true")],
        &["shallow-check"],
    );
    assert_eq!(shallow.code, 1, "{}", shallow.stderr);
    assert!(
        shallow.stderr.contains("is in a shallow clone"),
        "{}",
        shallow.stderr
    );
    assert!(
        shallow.stderr.contains("fetch-depth: 0"),
        "{}",
        shallow.stderr
    );
    assert!(
        shallow
            .stdout
            .starts_with("::error title=kbfresh: shallow clone::"),
        "{}",
        shallow.stdout
    );

    for env in [
        ("KB_HISTORY", "history.json"),
        ("KB_ARGS", "--history history.json"),
    ] {
        let r = script(dir.path(), &[("KB_ROOT", "site"), env], &["shallow-check"]);
        assert_eq!(r.code, 0, "{env:?}: {}", r.stderr);
    }

    let full = script(s.root(), &[], &["shallow-check"]);
    assert_eq!(full.code, 0, "{}", full.stderr);
}

#[test]
fn run_sets_the_outputs_and_writes_the_summary_of_a_real_check() {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", "title = \"Acme\"\n").file(
        "content/billing.md",
        "+++\ntitle = \"Billing\"\n+++\n\nSee [refunds](refunds.md).\n",
    );
    s.commit("first", "2026-11-01");
    let out = tempfile::tempdir().unwrap();
    let outputs = out.path().join("outputs");
    let summary = out.path().join("summary.md");
    let reports = out.path().join("reports");
    let r = script(
        s.root(),
        &[
            ("KB_BIN", env!("CARGO_BIN_EXE_kbfresh")),
            ("KB_FORMAT", "github junit=kbfresh-junit.xml"),
            ("KB_ARGS", "--offline --now 2026-11-22"),
            ("KB_REPORTS", reports.to_str().unwrap()),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        &["run"],
    );
    assert_eq!(
        r.code, 0,
        "run exits 0 whatever the check found\n{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("::error file=content/billing.md,line=5"),
        "{}",
        r.stdout
    );
    assert!(s.exists("kbfresh-junit.xml"));

    let outputs = std::fs::read_to_string(outputs).unwrap();
    for line in [
        "exit-code=1",
        "report-junit=kbfresh-junit.xml",
        "articles=1",
        "fresh=1",
        "stale=0",
        "links-checked=1",
        "links-broken=1",
    ] {
        assert!(
            outputs.lines().any(|l| l == line),
            "no {line} in\n{outputs}"
        );
    }

    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(
        summary.starts_with("## kbfresh check: failed\n"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "| Articles | Fresh | Expiring | Stale | Unknown | Links checked | Broken links |"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("| 1 | 1 | 0 | 0 | 0 | 1 | 1 |"),
        "{summary}"
    );
    assert!(summary.contains("### Broken links"), "{summary}");
    assert!(summary.contains("`refunds.md`"), "{summary}");
    assert_eq!(
        summary.matches("## kbfresh check").count(),
        1,
        "the report's own heading is replaced\n{summary}"
    );
}

#[test]
fn the_summary_of_a_check_that_could_not_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let r = script(dir.path(), &[("KB_ROOT", "docs")], &["summary", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "## kbfresh check (`docs`): could not run (exit 2)\n\nThe error is in this step's log.\n\n"
    );
}
