//! Deterministic corpus generator: a git repo with a help centre of N articles in S sections, a product
//! under `src/`, M commits over several years (edits, merges from side branches, renames) and a release
//! tag every K commits. History is written with `git fast-import`, so 30,000 commits take seconds.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub articles: usize,
    pub sections: usize,
    pub commits: usize,
    pub tags: usize,
    pub seed: u64,
}

impl Spec {
    pub fn name(&self) -> String {
        format!(
            "a{}-s{}-c{}-t{}-seed{}",
            self.articles, self.sections, self.commits, self.tags, self.seed
        )
    }
}

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        // SplitMix64: small, fast, and the same sequence on every machine.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

const WORDS: &[&str] = &[
    "account",
    "billing",
    "invoice",
    "refund",
    "password",
    "settings",
    "workspace",
    "export",
    "import",
    "integration",
    "webhook",
    "token",
    "plan",
    "upgrade",
    "team",
    "member",
    "role",
    "permission",
    "report",
    "dashboard",
    "notification",
    "email",
    "mobile",
    "desktop",
    "sync",
    "backup",
    "restore",
    "search",
    "filter",
    "label",
    "project",
    "task",
    "comment",
    "attachment",
    "calendar",
    "reminder",
    "timezone",
];

fn words(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[r.below(WORDS.len())]);
    }
    s
}

fn title(r: &mut Rng) -> String {
    let n = 3 + r.below(3);
    let w = words(r, n);
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn article_path(sections: usize, i: usize) -> String {
    format!("content/section-{:03}/article-{i:05}.md", i % sections)
}

fn product_path(i: usize) -> String {
    format!("src/module-{:02}/file-{i:03}.rs", i % 20)
}

const PRODUCT_FILES: usize = 400;

/// Realistic Markdown: front matter on most, headings, lists, code, a table, links to other articles
/// and their anchors, an image.
fn article_text(spec: &Spec, i: usize, rev: usize, r: &mut Rng) -> String {
    let mut s = String::with_capacity(3000);
    let t = title(r);
    if i % 10 < 6 {
        let _ = writeln!(
            s,
            "+++\ntitle = \"{t}\"\ndescription = \"How to {}\"\nweight = {}",
            words(r, 6),
            i % 50
        );
        let _ = writeln!(
            s,
            "tags = [\"{}\", \"{}\"]",
            WORDS[i % WORDS.len()],
            WORDS[(i / 7) % WORDS.len()]
        );
        if i.is_multiple_of(3) {
            let _ = writeln!(
                s,
                "verified = 20{:02}-{:02}-{:02}",
                22 + (i + rev) % 4,
                1 + (i + rev) % 12,
                1 + (i * 7 + rev) % 28
            );
        }
        if i % 10 == 1 {
            let _ = writeln!(s, "covers = [\"src/module-{:02}/**\"]", i % 20);
        }
        s.push_str("+++\n\n");
    } else {
        let _ = writeln!(s, "# {t}\n");
    }
    let _ = writeln!(s, "{} (revision {rev}).\n", words(r, 25));
    for h in 0..3 {
        let _ = writeln!(s, "## Step {h}: {} {{#step-{h}}}\n", words(r, 3));
        let _ = writeln!(s, "{}.\n", words(r, 30));
        let _ = writeln!(
            s,
            "- {}\n- {}\n- {}\n",
            words(r, 5),
            words(r, 6),
            words(r, 4)
        );
    }
    let other = (i + 1 + r.below(spec.articles - 1)) % spec.articles;
    let other_path = article_path(spec.sections, other);
    let rel = format!("../{}", other_path.trim_start_matches("content/"));
    let _ = writeln!(
        s,
        "See also [{}]({rel}) and [its first step]({rel}#step-0).\n",
        words(r, 2)
    );
    let _ = writeln!(
        s,
        "```sh\nacme {} --{}\n```\n",
        WORDS[r.below(WORDS.len())],
        WORDS[r.below(WORDS.len())]
    );
    let _ = writeln!(
        s,
        "| Setting | Value |\n|---|---|\n| {} | {} |\n| {} | {} |\n",
        words(r, 1),
        r.below(100),
        words(r, 1),
        r.below(100)
    );
    if i.is_multiple_of(5) {
        let _ = writeln!(s, "![Screenshot of {}](screenshot.svg)\n", words(r, 2));
    }
    let _ = writeln!(s, "> [!NOTE]\n> {}.", words(r, 12));
    s
}

fn data(out: &mut Vec<u8>, bytes: &[u8]) {
    let _ = writeln!(out, "data {}", bytes.len());
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

/// Writes the corpus repo into `dir` (which must not exist yet). Returns the number of commits written.
pub fn generate(spec: &Spec, dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    git(dir, &["init", "-q", "-b", "main"])?;
    let mut r = Rng(spec.seed);
    let mut stream: Vec<u8> = Vec::with_capacity(64 << 20);
    let start: i64 = 1_609_459_200; // 2021-01-01
    let span: i64 = 5 * 365 * 86_400;
    let step = span / spec.commits.max(1) as i64;
    let mut mark = 0usize;
    let mut paths: Vec<String> = (0..spec.articles)
        .map(|i| article_path(spec.sections, i))
        .collect();
    let mut revs = vec![0usize; spec.articles];
    // Articles appear over the first half of history: a third at the start, the rest later.
    let initial = spec.articles / 3;
    let mut next_new = initial;
    let tag_every = (spec.commits / spec.tags.max(1)).max(1);
    let (mut major, mut minor, mut patch) = (1u32, 0u32, 0u32);
    let mut written = 0usize;

    let mut commit = |stream: &mut Vec<u8>,
                      branch: &str,
                      time: i64,
                      msg: &str,
                      parents: &[usize],
                      ops: &str|
     -> usize {
        mark += 1;
        let _ = writeln!(stream, "commit refs/heads/{branch}\nmark :{mark}");
        let _ = writeln!(
            stream,
            "author Writer {} <w@example.com> {time} +0000",
            mark % 7
        );
        let _ = writeln!(
            stream,
            "committer Writer {} <w@example.com> {time} +0000",
            mark % 7
        );
        data(stream, msg.as_bytes());
        for (k, p) in parents.iter().enumerate() {
            let _ = writeln!(stream, "{} :{p}", if k == 0 { "from" } else { "merge" });
        }
        stream.extend_from_slice(ops.as_bytes());
        stream.push(b'\n');
        mark
    };

    // Initial commit: product, section indexes, a third of the articles.
    let mut ops = String::new();
    let inline = |ops: &mut String, path: &str, text: &str| {
        let _ = write!(ops, "M 100644 inline {path}\ndata {}\n{text}\n", text.len());
    };
    for p in 0..PRODUCT_FILES {
        inline(
            &mut ops,
            &product_path(p),
            &format!("// {}\nfn f{p}() {{}}\n", words(&mut r, 6)),
        );
    }
    for s in 0..spec.sections {
        inline(
            &mut ops,
            &format!("content/section-{s:03}/_index.md"),
            &format!(
                "+++\ntitle = \"Section {s}\"\nweight = {s}\n+++\n{}\n",
                words(&mut r, 12)
            ),
        );
        if s % 5 == 0 {
            inline(
                &mut ops,
                &format!("content/section-{s:03}/screenshot.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
            );
        }
    }
    for (i, path) in paths.iter().enumerate().take(initial) {
        let t = article_text(spec, i, 0, &mut r);
        inline(&mut ops, path, &t);
    }
    inline(
        &mut ops,
        "kbfresh.toml",
        "title = \"Acme Help\"\nbase_url = \"https://help.acme.test/\"\n",
    );
    let mut main_head = commit(&mut stream, "main", start, "initial import", &[], &ops);
    written += 1;

    for c in 1..spec.commits {
        let time = start + c as i64 * step;
        let mut ops = String::new();
        let roll = r.below(100);
        if next_new < spec.articles
            && (c % 2 == 0)
            && next_new < initial + (spec.articles - initial) * 2 * c / spec.commits + 1
        {
            let t = article_text(spec, next_new, 0, &mut r);
            inline(&mut ops, &paths[next_new], &t);
            next_new += 1;
        } else if roll < 55 && next_new > 0 {
            for _ in 0..=r.below(2) {
                let i = r.below(next_new);
                revs[i] += 1;
                let t = article_text(spec, i, revs[i], &mut r);
                inline(&mut ops, &paths[i], &t);
            }
        } else if roll < 57 && next_new > 0 {
            // A rename inside the article's section.
            let i = r.below(next_new);
            let new_path = paths[i].replace(".md", "-moved.md");
            if !paths[i].ends_with("-moved.md") {
                let _ = writeln!(ops, "R {} {new_path}", paths[i]);
                paths[i] = new_path;
            }
        } else {
            for _ in 0..=r.below(3) {
                let p = r.below(PRODUCT_FILES);
                inline(
                    &mut ops,
                    &product_path(p),
                    &format!("// rev {c}\n// {}\nfn f{p}() {{}}\n", words(&mut r, 8)),
                );
            }
        }
        if ops.is_empty() {
            let p = r.below(PRODUCT_FILES);
            inline(
                &mut ops,
                &product_path(p),
                &format!("// rev {c}\nfn f{p}() {{}}\n"),
            );
        }
        if c % 50 == 25 && next_new > 0 {
            // A side branch from main with this change, merged back right away.
            let side = commit(
                &mut stream,
                "side",
                time - 60,
                &format!("side change {c}"),
                &[main_head],
                &ops,
            );
            main_head = commit(
                &mut stream,
                "main",
                time,
                &format!("Merge branch side-{c}"),
                &[main_head, side],
                "",
            );
            written += 2;
        } else {
            main_head = commit(
                &mut stream,
                "main",
                time,
                &format!("change {c}"),
                &[main_head],
                &ops,
            );
            written += 1;
        }
        if c % tag_every == 0 {
            let roll = r.below(10);
            if roll == 0 {
                major += 1;
                minor = 0;
                patch = 0;
            } else if roll < 4 {
                patch += 1;
            } else {
                minor += 1;
                patch = 0;
            }
            let _ = writeln!(
                stream,
                "reset refs/tags/v{major}.{minor}.{patch}\nfrom :{main_head}\n"
            );
        }
    }
    let _ = writeln!(stream, "done");

    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()?;
    child.stdin.take().expect("stdin").write_all(&stream)?;
    let status = child.wait()?;
    if !status.success() {
        return Err(std::io::Error::other("git fast-import failed"));
    }
    git(dir, &["checkout", "-q", "-f", "main"])?;
    Ok(written)
}

fn git(dir: &Path, args: &[&str]) -> std::io::Result<()> {
    let s = Command::new("git").current_dir(dir).args(args).status()?;
    if s.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("git {args:?} failed")))
    }
}

/// The corpus for `spec` under `base`, generated on first use.
pub fn ensure(spec: &Spec, base: &Path) -> std::io::Result<std::path::PathBuf> {
    let dir = base.join(spec.name());
    if dir.join(".git").is_dir() && dir.join("kbfresh.toml").is_file() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    generate(spec, &dir)?;
    Ok(dir)
}
