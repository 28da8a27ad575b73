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
        // Cargo reruns a build script whose watched file does not exist on every build, so only
        // files that exist are watched: HEAD, the branch's loose ref, and packed-refs when present.
        let watch = |path: String| {
            if std::path::Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        };
        watch(format!("{dir}/HEAD"));
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch(format!("{dir}/{head}"));
            // A ref packed now is written loose by the next commit: its folder shows that.
            if let Some((folder, _)) = head.rsplit_once('/') {
                watch(format!("{dir}/{folder}"));
            }
        }
        watch(format!("{dir}/packed-refs"));
    }
    println!("cargo:rerun-if-changed=build.rs");
}
