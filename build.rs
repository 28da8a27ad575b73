//! Names the commit the binary was built from in `kbfresh --version` when built from a git
//! checkout (`0.1.0 (abc1234 2026-12-03)`); elsewhere (a crate download) the version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    // Only this package's own repository counts, not one it happens to sit inside.
    let own = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        std::path::Path::new(&top) == std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
    });
    let commit = own
        .then(|| git(&["log", "-1", "--format=%h %cs"]))
        .flatten();
    let full = match commit {
        Some(c) => format!("{version} ({c})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=KBFRESH_LONG_VERSION={full}");
    if own && let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={dir}/{head}");
        }
        println!("cargo:rerun-if-changed={dir}/packed-refs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
