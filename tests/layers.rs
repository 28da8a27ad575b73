//! The layers of docs ARCHITECTURE.md, as a test: a module imports only from layers below its own
//! (what a workspace of crates gives Zola, in one crate). Reads every `src/**/*.rs` and fails on a
//! `crate::` path that climbs the table.

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom to top. A module may use modules of lower layers and its own files only; modules of one
/// layer never use each other. The crate root (`crate::Options`, `crate::load`...) is `lib`.
const LAYERS: &[&[&str]] = &[
    // 1. shared utilities
    &["diagnostics", "fasthash", "html", "fsutil"],
    &["url", "sink"],
    // 2. config: every string the user writes becomes a typed value here, once
    &["config"],
    // 3. Markdown and the output writer
    &["markdown", "output"],
    // 4. the site model and the pure policy
    &["content", "freshness"],
    // 5. the stages that read the model
    &["history", "links", "render"],
    // 6. the analysed site
    &["loaded"],
    // 7. reports on it, then the pipeline
    &["report"],
    &["lib"],
    // 8. the commands around the pipeline
    &["serve", "verify", "init", "cli"],
    // fuzz entry points reach into everything
    &["fuzzing"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a source file belongs to: `src/render/search.rs` -> `render`.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    match first.strip_suffix(".rs") {
        Some("lib") => "lib".into(),
        Some(m) => m.into(),
        None => first.into_owned(),
    }
}

/// Every top-level module a file names through `crate::`, with the line it is on: plain paths
/// (`crate::render::Env`), `use crate::x::...`, and grouped `use crate::{a::B, c}`. A path to an
/// item of the root (`crate::Options`, `crate::load`) names `lib`.
fn crate_uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let code: String = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let ident = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(s.to_string(), |e| s[..e].to_string())
    };
    let mut from = 0;
    while let Some(i) = code[from..].find("crate::") {
        let at = from + i;
        from = at + "crate::".len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `kbfresh_crate::` or similar
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group ends at its own `}`, after any nested ones.
            let mut level = 0;
            let end = group
                .char_indices()
                .find(|&(_, ch)| {
                    match ch {
                        '{' => level += 1,
                        '}' if level == 0 => return true,
                        '}' => level -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(group.len(), |(k, _)| k);
            // Only the first segment of each entry of the group: `{a::B, c}` -> a, c.
            let mut depth = 0;
            let mut start = 0;
            let inner = &group[..end];
            for (k, ch) in inner.char_indices().chain([(inner.len(), ',')]) {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let entry = inner[start..k].trim();
                        if !entry.is_empty() {
                            out.push((line_of(at), root_or(ident(entry))));
                        }
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push((line_of(at), root_or(ident(rest))));
        }
    }
    out
}

/// A lowercase first segment that is a module of the table stays; anything else (a type, a
/// function or a constant of the crate root) is `lib`.
fn root_or(segment: String) -> String {
    if layer_of(&segment).is_some() && segment != "lib" {
        segment
    } else {
        "lib".into()
    }
}

#[test]
fn no_import_climbs_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut seen_modules = BTreeSet::new();
    // The binary (main.rs and the modules it declares) uses the library as `kbfresh::`, from above.
    let main = std::fs::read_to_string(src.join("main.rs")).unwrap();
    let mut binary: BTreeSet<std::path::PathBuf> = main
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(|m| format!("{m}.rs").into())
        .collect();
    binary.insert("main.rs".into());
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        if binary.contains(rel) {
            continue;
        }
        let module = module_of(rel);
        seen_modules.insert(module.clone());
        let Some(own) = layer_of(&module) else {
            violations.push(format!(
                "src/{}: module `{module}` is in no layer of the table in tests/layers.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for (line, used) in crate_uses(&text) {
            if used == module {
                continue;
            }
            let theirs = layer_of(&used).expect("root_or returns table modules");
            if theirs >= own {
                violations.push(format!(
                    "src/{}:{line}: `{module}` (row {} of the table) uses `{used}` (row {})",
                    rel.display(),
                    own + 1,
                    theirs + 1
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that climb the layer table (move the shared type down, or the user up):\n{}",
        violations.join("\n")
    );
    assert!(seen_modules.contains("render") && seen_modules.contains("lib"));
}

#[test]
fn the_import_reader_sees_every_form() {
    let uses = crate_uses(
        "use crate::config::Config;\nuse crate::{render::Env, sink};\nlet x = crate::Options::new();\n// crate::serve in a comment\nuse crate::{\n    a::{b, c},\n    history,\n};\n",
    );
    let names: Vec<(usize, &str)> = uses.iter().map(|(l, m)| (*l, m.as_str())).collect();
    assert_eq!(
        names,
        [
            (1, "config"),
            (2, "render"),
            (2, "sink"),
            (3, "lib"),
            (5, "lib"),
            (5, "history"),
        ]
    );
}
