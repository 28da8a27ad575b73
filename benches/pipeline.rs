//! In-process benchmarks on a generated help centre with real git history.
//!
//! `cargo bench --bench pipeline` uses 10,000 articles, 30,000 commits, 60 release tags (generated once
//! into target/bench-corpus, about 15 s). Override with KBFRESH_BENCH_ARTICLES, _COMMITS, _TAGS.

mod support {
    pub mod corpus;
}

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use kbfresh::history::History;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn corpus() -> PathBuf {
    let spec = support::corpus::Spec {
        articles: env("KBFRESH_BENCH_ARTICLES", 10_000),
        commits: env("KBFRESH_BENCH_COMMITS", 30_000),
        tags: env("KBFRESH_BENCH_TAGS", 60),
        sections: 40,
        seed: 1,
    };
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
    support::corpus::ensure(&spec, &base).expect("generate the corpus")
}

fn options(root: &PathBuf) -> kbfresh::Options {
    kbfresh::Options::new(root, kbfresh::parse_now("2026-11-22").expect("date"))
}

fn benches(c: &mut Criterion) {
    let root = corpus();
    let cache = root.join(".kbfresh-cache");
    let opts = options(&root);
    let loaded = kbfresh::load(&opts).expect("corpus loads");
    let site = loaded.site;
    let now = opts.now;

    let mut g = c.benchmark_group("history");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("cold (no cache)", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&cache);
            },
            |()| History::read(&site, None),
            BatchSize::PerIteration,
        )
    });
    History::read(&site, None).0.save_cache();
    g.bench_function("warm (cache at HEAD)", |b| {
        b.iter(|| History::read(&site, None))
    });
    g.finish();

    let (history, _) = History::read(&site, None);
    let mut g = c.benchmark_group("stages");
    g.sample_size(20);
    g.bench_function("freshness (all articles)", |b| {
        b.iter(|| kbfresh::loaded::evaluate_freshness(&site, &history, now))
    });
    // The dashboard's trend: the policy replayed at each of its points (12 at most).
    let times = kbfresh::loaded::trend_times(&history, now);
    g.bench_function(
        format!("freshness trend ({} points, all articles)", times.len()),
        |b| b.iter(|| kbfresh::loaded::freshness_trend(&site, &history, &times)),
    );
    // With and without highlighting: the difference is what syntect costs a build.
    let no_highlight = kbfresh::config::MarkdownConfig {
        highlight: false,
        ..kbfresh::config::MarkdownConfig::DEFAULT
    };
    for (name, options) in [
        (
            "markdown (all articles)",
            kbfresh::config::MarkdownConfig::DEFAULT,
        ),
        ("markdown (all articles, highlighting off)", no_highlight),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                site.articles
                    .iter()
                    .map(|a| {
                        kbfresh::markdown::render(
                            &kbfresh::markdown::Input {
                                file: &a.src.text,
                                body_start: a.src.split.body_start,
                                dir: a.src.dir(),
                                drop_leading_h1: kbfresh::markdown::DropH1::Always,
                                mdx: false,
                                expanded: None,
                                options,
                                labels: &site.languages[a.lang].labels,
                            },
                            &site,
                        )
                        .html
                        .len()
                    })
                    .sum::<usize>()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10).measurement_time(Duration::from_secs(40));
    g.bench_function(
        "load: content+markdown+history+freshness, warm cache",
        |b| b.iter(|| kbfresh::load(&opts).expect("load")),
    );
    let out = tempfile::tempdir().expect("temp dir");
    let mut build_opts = options(&root);
    build_opts.output = Some(out.path().join("public"));
    kbfresh::build(&build_opts).expect("first build");
    g.bench_function("build, warm cache, unchanged output", |b| {
        b.iter(|| kbfresh::build(&build_opts).expect("build"))
    });
    g.finish();

    // Search: terms and text of every article (once per build; serve redoes one article per save),
    // then the index files (every build and every serve save). Sizes: examples/search_size.rs.
    let loaded = kbfresh::load(&opts).expect("load");
    let created = loaded.created();
    let input = loaded.render_input(&created);
    let lang = loaded.site.config.default_language.clone();
    let mut g = c.benchmark_group("search");
    g.sample_size(10);
    g.bench_function("search terms: text and terms of all articles", |b| {
        b.iter(|| kbfresh::loaded::all_article_terms(&loaded.site, &loaded.articles_md))
    });
    let docs = kbfresh::render::search_docs(&input, 0);
    g.bench_function("index files from the docs", |b| {
        b.iter(|| kbfresh::render::search::index_files(&lang, &docs))
    });
    g.finish();
}

fn main() {
    // SAFETY: first thing in `main`: no other thread exists and no repository is open yet.
    unsafe { kbfresh::history::tune_libgit2() };
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
