//! The conventions of a Rust command-line tool: `--version` names the commit it was built from,
//! shell completions and a manual page come from the same definitions as `--help`.

mod common;

use common::kbfresh;

fn stdout(args: &[&str]) -> String {
    let out = kbfresh().args(args).output().expect("run kbfresh");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_version_names_the_commit_of_a_git_checkout() {
    let version = stdout(&["--version"]);
    assert!(
        version.starts_with(&format!("kbfresh {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let head = std::process::Command::new("git")
        .args(["log", "-1", "--format=%h %cs"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    // Built from a crate download (no git) the version stands alone.
    if let Some(head) = head.filter(|h| !h.is_empty()) {
        assert_eq!(
            version.trim(),
            format!("kbfresh {} ({head})", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn completions_for_each_shell_and_a_manual_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        for word in ["kbfresh", "check", "serve", "fail-on", "root"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kbfresh.bash");
    std::fs::write(&file, stdout(&["completions", "bash"])).unwrap();
    let ok = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .expect("bash");
    assert!(ok.success());

    let man = stdout(&["man"]);
    assert!(
        man.starts_with(".ie") && man.contains(".TH kbfresh 1"),
        "{man}"
    );
    for word in ["check", "serve", "history", "completions"] {
        assert!(man.contains(word), "man page: {word}");
    }
    let bad = kbfresh().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values"));
}
