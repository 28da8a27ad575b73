//! Search relevance: known-item queries over a generated help centre, run through the theme's own
//! `search.js` in Node (benches/support/search_harness.js), as a reader's browser runs it.
//!
//! `cargo bench --bench relevance` (needs `node` and `git`). KBFRESH_RELEVANCE_ARTICLES sets the
//! size (3,000 by default). Each sampled article is looked for in five ways:
//! - `title`: its title as written;
//! - `question`: a question a customer would type ("how do I reset my password in Zorvex?");
//! - `typo`: two words of its description, one with a typo (one letter changed);
//! - `synonym`: a word its `keywords` give that its text never uses, and its product;
//! - `typed`: its title typed letter by letter (what matters there is the bytes downloaded).
//!
//! It prints success@1, success@5 and MRR per kind, the bytes per query (median and max), and the
//! share of shown results whose snippet highlights a query word.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support {
    pub mod corpus;
}
use support::corpus::Rng;

const VERBS: &[&str] = &[
    "reset",
    "change",
    "export",
    "import",
    "delete",
    "restore",
    "share",
    "connect",
    "disconnect",
    "schedule",
    "cancel",
    "upgrade",
    "download",
    "upload",
    "rename",
    "archive",
    "invite",
    "remove",
    "enable",
    "disable",
    "configure",
    "install",
    "update",
    "verify",
    "transfer",
    "merge",
    "sync",
    "print",
    "filter",
    "approve",
];
/// Objects, each with a word customers use for it that articles do not (the `keywords`).
const OBJECTS: &[(&str, &str)] = &[
    ("password", "passphrase"),
    ("invoice", "bill"),
    ("workspace", "tenant"),
    ("webhook", "callback"),
    ("report", "summary"),
    ("subscription", "plan"),
    ("calendar", "agenda"),
    ("notification", "alert"),
    ("backup", "snapshot"),
    ("attachment", "file"),
    ("dashboard", "overview"),
    ("integration", "connector"),
    ("receipt", "proof"),
    ("profile", "account"),
    ("signature", "autograph"),
    ("template", "blueprint"),
    ("contact", "person"),
    ("domain", "website"),
    ("token", "key"),
    ("refund", "reimbursement"),
    ("theme", "skin"),
    ("language", "locale"),
    ("timezone", "clock"),
    ("permission", "access"),
    ("folder", "directory"),
    ("printer", "device"),
    ("label", "sticker"),
    ("comment", "remark"),
    ("survey", "poll"),
    ("coupon", "voucher"),
    ("shipment", "parcel"),
    ("warehouse", "depot"),
    ("payroll", "salary"),
    ("expense", "cost"),
    ("ticket", "request"),
    ("avatar", "photo"),
    ("channel", "room"),
    ("license", "seat"),
    ("mailbox", "inbox"),
    ("keyboard", "hotkey"),
];
const COMMON: &[&str] = &[
    "open", "click", "select", "choose", "settings", "menu", "page", "button", "save", "next",
    "screen", "list", "option", "field", "enter", "name", "email", "account", "team", "admin",
    "owner", "member", "role", "access", "data", "file", "window", "tab", "panel", "top", "left",
    "right", "bottom", "new", "old", "first", "last", "each", "every", "when", "after", "before",
    "then", "again", "only", "also", "your", "you", "can", "may", "need", "want", "see", "find",
    "show", "hide", "keep", "lose", "work", "start", "stop", "wait", "minutes", "hours", "days",
    "browser", "mobile", "desktop", "app", "version", "release", "plan", "billing", "support",
];
const SYLLABLES: &[&str] = &[
    "dor", "vik", "zan", "mul", "pex", "tor", "bar", "lin", "gor", "fen", "rak", "sol", "tum",
    "quin", "jar", "mok", "nir", "vel", "dax", "kor", "lum", "ser", "wix", "bon", "cal", "hax",
];

fn pseudo(r: &mut Rng, parts: usize) -> String {
    (0..parts).map(|_| r.pick(SYLLABLES)).collect()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct Article {
    path: String,
    title: String,
    verb: &'static str,
    object: usize,
    product: String,
    rare: Vec<String>,
}

fn generate(dir: &Path, n: usize) -> Vec<Article> {
    let mut r = Rng(7);
    let mut products: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    while products.len() < 150 {
        let p = pseudo(&mut r, 2);
        if seen.insert(p.clone()) {
            products.push(p);
        }
    }
    let mut rare_words: Vec<String> = Vec::new();
    while rare_words.len() < 4000 {
        let w = pseudo(&mut r, 3);
        if seen.insert(w.clone()) {
            rare_words.push(w);
        }
    }
    let mut combos = HashSet::new();
    let mut articles = Vec::new();
    let sections = 20;
    while articles.len() < n {
        let (v, o, p) = (
            r.below(VERBS.len()),
            r.below(OBJECTS.len()),
            r.below(products.len()),
        );
        if !combos.insert((v, o, p)) {
            continue;
        }
        let i = articles.len();
        let rare = (0..3)
            .map(|_| rare_words[r.below(rare_words.len())].clone())
            .collect();
        articles.push(Article {
            path: format!("section-{:02}/article-{i:05}.md", i % sections),
            title: format!(
                "{} {} in {}",
                capital(VERBS[v]),
                OBJECTS[o].0,
                capital(&products[p])
            ),
            verb: VERBS[v],
            object: o,
            product: capital(&products[p]),
            rare,
        });
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("content")).expect("corpus dir");
    std::fs::write(
        dir.join("kbfresh.toml"),
        "title = \"Relevance\"\nbase_url = \"https://help.example.com/\"\n",
    )
    .expect("config");
    for s in 0..sections {
        let d = dir.join(format!("content/section-{s:02}"));
        std::fs::create_dir_all(&d).expect("section dir");
        std::fs::write(
            d.join("_index.md"),
            format!("---\ntitle: Section {s}\n---\nArticles of section {s}.\n"),
        )
        .expect("section");
    }
    for a in &articles {
        let mut body = String::new();
        for p in 0..4 {
            let _ = write!(body, "\n## Step {p}\n\n");
            for w in 0..30 {
                let word = if w % 9 == 4 {
                    OBJECTS[r.below(OBJECTS.len())].0.to_string()
                } else if w % 13 == 6 {
                    products[r.below(products.len())].clone()
                } else {
                    r.pick(COMMON).to_string()
                };
                body.push_str(&word);
                body.push_str(if w % 10 == 9 { ". " } else { " " });
            }
            if p == 2 {
                let _ = write!(
                    body,
                    " To {} the {} here, save first.",
                    a.verb, OBJECTS[a.object].0
                );
            }
            body.push('\n');
        }
        let text = format!(
            "---\ntitle: \"{}\"\ndescription: \"When you need to {} a {} in {}: {} {} {}.\"\nkeywords: [\"{}\"]\n---\n{body}",
            a.title,
            a.verb,
            OBJECTS[a.object].0,
            a.product,
            a.rare[0],
            a.rare[1],
            a.rare[2],
            OBJECTS[a.object].1,
        );
        std::fs::write(dir.join("content").join(&a.path), text).expect("article");
    }
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", "2026-06-01T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-06-01T12:00:00Z")
            .stdout(Stdio::null())
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=Bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "-qm",
        "corpus",
    ]);
    articles
}

/// A typo a reader makes: one letter of the word's middle changed.
fn typo(w: &str) -> String {
    let mut c: Vec<char> = w.chars().collect();
    let at = c.len() / 2;
    c[at] = if c[at] == 'e' { 'a' } else { 'e' };
    c.into_iter().collect()
}

fn url_of(path: &str) -> String {
    format!("/{}/", path.trim_end_matches(".md"))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("KBFRESH_RELEVANCE_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join(format!("target/relevance-corpus/a{n}"));
    let articles = generate(&dir, n);
    let opts = kbfresh::Options::new(&dir, kbfresh::parse_now("2026-07-01").expect("date"));
    let t = std::time::Instant::now();
    kbfresh::build(&opts).expect("the corpus builds");
    eprintln!("built {n} articles in {:.1} s", t.elapsed().as_secs_f64());

    // Every 10th article, five queries each.
    let mut queries: Vec<(String, String, serde_json::Value)> = Vec::new();
    for a in articles.iter().step_by(10) {
        let want = url_of(&a.path);
        let (object, synonym) = OBJECTS[a.object];
        let mut add = |kind: &str, q: String, typed: bool| {
            queries.push((
                kind.into(),
                want.clone(),
                serde_json::json!({ "q": q, "typed": typed }),
            ))
        };
        add("title", a.title.clone(), false);
        add(
            "question",
            format!("how do I {} my {object} in {}?", a.verb, a.product),
            false,
        );
        add("typo", format!("{} {}", typo(&a.rare[0]), a.rare[1]), false);
        add("synonym", format!("{synonym} {}", a.product), false);
        add("typed", a.title.to_lowercase(), true);
    }
    let input: Vec<&serde_json::Value> = queries.iter().map(|q| &q.2).collect();
    let mut child = Command::new("node")
        .arg(manifest.join("benches/support/search_harness.js"))
        .arg(manifest.join("themes/default/static/search.js"))
        .arg(dir.join("public/search/en"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run node (the relevance bench needs Node.js)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&input).expect("json").as_bytes())
        .expect("write the queries");
    let out = child.wait_with_output().expect("node");
    assert!(out.status.success(), "the harness failed");
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a result line"))
        .collect();
    assert_eq!(results.len(), queries.len());

    #[derive(Default)]
    struct Tally {
        n: usize,
        at1: usize,
        at5: usize,
        rr: f64,
        bytes: Vec<u64>,
        shown: u64,
        marked: u64,
    }
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    for ((kind, want, _), res) in queries.iter().zip(&results) {
        let t = by_kind.entry(kind.clone()).or_default();
        t.n += 1;
        let rank = res["urls"]
            .as_array()
            .and_then(|u| u.iter().position(|x| x.as_str() == Some(want.as_str())));
        if let Some(r) = rank {
            t.at1 += usize::from(r == 0);
            t.at5 += usize::from(r < 5);
            t.rr += 1.0 / (r as f64 + 1.0);
        }
        t.bytes.push(res["bytes"].as_u64().unwrap_or(0));
        t.shown += res["shown"].as_u64().unwrap_or(0);
        t.marked += res["marked"].as_u64().unwrap_or(0);
    }
    println!("relevance on {n} articles ({} queries)", queries.len());
    println!(
        "{:<9} {:>5} {:>10} {:>10} {:>6} {:>12} {:>10} {:>9}",
        "kind", "n", "success@1", "success@5", "MRR", "bytes median", "bytes max", "snippets"
    );
    for (kind, t) in &mut by_kind {
        t.bytes.sort_unstable();
        let pct = |x: usize| 100.0 * x as f64 / t.n as f64;
        println!(
            "{kind:<9} {:>5} {:>9.1}% {:>9.1}% {:>6.3} {:>12} {:>10} {:>8.1}%",
            t.n,
            pct(t.at1),
            pct(t.at5),
            t.rr / t.n as f64,
            t.bytes[t.bytes.len() / 2],
            t.bytes.last().copied().unwrap_or(0),
            if t.shown == 0 {
                0.0
            } else {
                100.0 * t.marked as f64 / t.shown as f64
            }
        );
    }
}
