//! Writes a generated help-centre repo for benchmarks:
//! `cargo run --release --example gen_corpus -- OUT_DIR [ARTICLES] [COMMITS] [TAGS] [SECTIONS] [SEED]`

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!(
            "usage: gen_corpus OUT_DIR [ARTICLES=10000] [COMMITS=30000] [TAGS=60] [SECTIONS=40] [SEED=1]"
        );
        std::process::exit(2);
    };
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let spec = corpus::Spec {
        articles: num(1, 10_000),
        commits: num(2, 30_000),
        tags: num(3, 60),
        sections: num(4, 40),
        seed: num(5, 1) as u64,
    };
    let start = std::time::Instant::now();
    match corpus::generate(&spec, std::path::Path::new(out)) {
        Ok(n) => println!(
            "{n} commits, {} articles in {} sections, {} tags: {out} in {:.1} s",
            spec.articles,
            spec.sections,
            spec.tags,
            start.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
