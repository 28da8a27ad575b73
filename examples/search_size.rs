//! Search index size and what typical queries download, on the benchmark corpus (10,000 articles by
//! default, generated into target/bench-corpus like `cargo bench --bench pipeline`) or a site:
//!
//! ```text
//! cargo run --release --example search_size [-- SITE_DIR]
//! ```
//!
//! Queries are resolved the way themes/default/static/search.js resolves them: the manifest, the term
//! shards each query term needs, then the document chunks of the first 8 results (the dropdown).
//! "typed" adds up everything fetched while the query is typed letter by letter (the script caches
//! what it fetched, so each file counts once).

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use kbfresh::render::search;
use kbfresh::sink::OutData;
use serde_json::Value;

const DROPDOWN: usize = 8;

fn main() {
    let root = match std::env::args().nth(1) {
        Some(p) => PathBuf::from(p),
        None => {
            let spec = corpus::Spec {
                articles: 10_000,
                commits: 30_000,
                tags: 60,
                sections: 40,
                seed: 1,
            };
            let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
            corpus::ensure(&spec, &base).expect("generate the corpus")
        }
    };
    let opts = kbfresh::Options::new(&root, kbfresh::parse_now("2026-11-22").expect("date"));
    let loaded = kbfresh::load(&opts).expect("the site loads");
    let created = loaded.created();
    let input = loaded.render_input(&created);
    let lang = loaded.site.config.default_language.clone();

    let t = Instant::now();
    let terms = kbfresh::loaded::all_article_terms(&loaded.site, &loaded.articles_md);
    let t_docs = t.elapsed();
    assert_eq!(terms.len(), loaded.search_terms.len());
    let docs = kbfresh::render::search_docs(&input, 0);
    let t = Instant::now();
    let files = search::index_files(&lang, &docs);
    let t_index = t.elapsed();

    let bytes: HashMap<&str, &[u8]> = files
        .iter()
        .map(|f| match &f.data {
            OutData::Bytes(b) => (f.path.as_str(), b.as_slice()),
            _ => unreachable!("the index is generated"),
        })
        .collect();
    let size = |pred: &dyn Fn(&str) -> bool| -> (usize, usize, usize) {
        let sizes: Vec<usize> = files
            .iter()
            .filter(|f| pred(&f.path))
            .map(|f| bytes[f.path.as_str()].len())
            .collect();
        (
            sizes.len(),
            sizes.iter().sum(),
            sizes.iter().copied().max().unwrap_or(0),
        )
    };
    let (n_all, total, _) = size(&|_| true);
    let (n_t, t_total, t_max) = size(&|p| p.contains("/t/"));
    let (n_d, d_total, d_max) = size(&|p| p.contains("/d/"));
    let manifest_path = format!("search/{lang}/manifest.json");
    println!("{} articles in {}", docs.len(), root.display());
    println!(
        "terms and text of every article: {:.0} ms; index files: {:.0} ms",
        t_docs.as_secs_f64() * 1000.0,
        t_index.as_secs_f64() * 1000.0
    );
    println!(
        "index: {n_all} files, {} (manifest {}; {n_t} term shards, {} total, largest {}; {n_d} document chunks, {} total, largest {})",
        kb(total),
        kb(bytes[manifest_path.as_str()].len()),
        kb(t_total),
        kb(t_max),
        kb(d_total),
        kb(d_max)
    );
    let manifest: Value = serde_json::from_slice(bytes[manifest_path.as_str()]).expect("manifest");
    let dir = format!("search/{lang}/");
    println!(
        "\nquery                     results  files  final query (terms + docs)    typed letter by letter (terms + docs)"
    );
    for q in [
        "refund",
        "reset password",
        "invoice",
        "webhook token",
        "calendar timezone",
        "billing accou",
        "team member permission",
        "revision 4217",
    ] {
        let (hits, fetched) = resolve(&manifest, &bytes, &dir, q);
        let split = |set: &BTreeSet<String>| {
            let part = |kind: &str| -> usize {
                set.iter()
                    .filter(|p| p.contains(kind))
                    .map(|p| bytes[p.as_str()].len())
                    .sum()
            };
            format!("{} + {}", kb(part("/t/")), kb(part("/d/")))
        };
        let final_bytes: usize = fetched.iter().map(|p| bytes[p.as_str()].len()).sum();
        let mut typed = BTreeSet::new();
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len() {
            let prefix: String = chars[..n].iter().collect();
            typed.extend(resolve(&manifest, &bytes, &dir, &prefix).1);
        }
        let typed_bytes: usize = typed.iter().map(|p| bytes[p.as_str()].len()).sum();
        println!(
            "{q:<25} {hits:>7}  {:>5}  {:>9} ({})   {:>9} ({} files: {})",
            fetched.len(),
            kb(final_bytes),
            split(&fetched),
            kb(typed_bytes),
            typed.len(),
            split(&typed)
        );
    }
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

/// The files search.js fetches for `query`, and how many articles match.
fn resolve(
    manifest: &Value,
    bytes: &HashMap<&str, &[u8]>,
    dir: &str,
    query: &str,
) -> (usize, BTreeSet<String>) {
    let lang = manifest["lang"].as_str().unwrap_or("en");
    let firsts: Vec<&str> = manifest["shards"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let chunk = manifest["chunk"].as_u64().unwrap_or(1) as usize;
    let mut fetched = BTreeSet::from([format!("{dir}manifest.json")]);
    let mut qs: Vec<String> = Vec::new();
    for t in search::terms(query, lang) {
        // Same as search.js: on a split index, one-letter words wait for more letters.
        if firsts.len() > 1 && t.chars().count() < 2 && !t.chars().all(search::is_bigram_script) {
            continue;
        }
        if !qs.contains(&t) {
            qs.push(t);
        }
    }
    if qs.is_empty() {
        return (0, fetched);
    }
    let utf16 = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
    let mut per_term: Vec<HashMap<usize, u32>> = Vec::new();
    for q in &qs {
        // Same as Index.prototype.shardsFor.
        let at = firsts
            .iter()
            .rposition(|f| utf16(f) <= utf16(q))
            .unwrap_or(0);
        let mut list = vec![at];
        list.extend((at + 1..firsts.len()).take_while(|&i| firsts[i].starts_with(q.as_str())));
        if list.len() > 3 {
            list.truncate(1);
        }
        let mut scores: HashMap<usize, u32> = HashMap::new();
        for n in list {
            let path = format!("{dir}t/{n}.json");
            let shard: HashMap<String, String> =
                serde_json::from_slice(bytes[path.as_str()]).expect("shard");
            fetched.insert(path);
            for (term, postings) in shard {
                if !term.starts_with(q.as_str()) {
                    continue;
                }
                let exact = if term == *q { 2 } else { 0 };
                for (doc, s) in search::decode_postings(&postings) {
                    let s = u32::from(s);
                    let v = if s >= 8 { 100 } else { 0 } + (s % 8) * 3 + exact;
                    let e = scores.entry(doc).or_insert(v);
                    *e = (*e).max(v);
                }
            }
        }
        per_term.push(scores);
    }
    let mut total: HashMap<usize, (usize, u32)> = HashMap::new();
    for scores in &per_term {
        for (&d, &s) in scores {
            let e = total.entry(d).or_default();
            e.0 += 1;
            e.1 += s;
        }
    }
    let mut docs: Vec<(usize, (usize, u32))> = total.into_iter().collect();
    if docs.iter().any(|(_, (c, _))| *c == per_term.len()) {
        docs.retain(|(_, (c, _))| *c == per_term.len());
    }
    docs.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then(b.1.1.cmp(&a.1.1))
            .then(a.0.cmp(&b.0))
    });
    for (d, _) in docs.iter().take(DROPDOWN) {
        fetched.insert(format!("{dir}d/{}.json", d / chunk));
    }
    (docs.len(), fetched)
}
