//! Every input the fuzzers (`fuzz/`) ever crashed on, replayed through the same checks: one folder per
//! target under `tests/fuzz-regressions/`. Add a file there for each crash `cargo fuzz` finds.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let data = std::fs::read(&p).unwrap();
        let name = p.display().to_string();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{name} fails again");
        }
        n += 1;
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}

#[test]
fn frontmatter() {
    replay("frontmatter", kbfresh::fuzzing::frontmatter);
}

#[test]
fn markdown() {
    replay("markdown", kbfresh::fuzzing::markdown);
}

#[test]
fn config() {
    replay("config", kbfresh::fuzzing::config);
}

#[test]
fn verify_edit() {
    replay("verify_edit", kbfresh::fuzzing::verify_edit);
}
