//! Save-to-reload latency of `kbfresh serve`: starts the release binary on a site, listens on the
//! live-reload socket, saves one article at a time and times each save until the `reload` event.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example gen_corpus -- target/perf/kb-10000
//! cargo run --release --example serve_bench -- target/perf/kb-10000 [SAVES=40]
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Kills the server when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: serve_bench SITE_DIR [SAVES=40]");
        std::process::exit(2);
    };
    let saves: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    // The example lives in target/release/examples/; the binary one folder up.
    let bin = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("kbfresh")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| {
            eprintln!("build the binary first: cargo build --release");
            std::process::exit(2);
        });
    let articles = article_files(&root.join("content"), saves);
    if articles.is_empty() {
        eprintln!("no articles under {}", root.join("content").display());
        std::process::exit(2);
    }

    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kbfresh serve");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let err = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (err_tx, err_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let mut line = String::new();
    out.read_line(&mut line).expect("the URL line");
    let ready = started.elapsed();
    let port: u16 = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let built = err_rx
        .try_iter()
        .find(|l| l.starts_with("Built the site in memory"))
        .unwrap_or_default();
    println!("serving after {:.2} s ({built})", ready.as_secs_f64());

    let events = sse(port);
    let mut latencies = Vec::new();
    for (n, path) in articles.iter().enumerate() {
        let mut text = std::fs::read_to_string(path).expect("read an article");
        text.push_str(&format!("\nEdited by serve_bench, save {n}.\n"));
        // Past the watcher's debounce window, so every save is its own batch.
        std::thread::sleep(Duration::from_millis(250));
        while events.try_recv().is_ok() {}
        let t = Instant::now();
        std::fs::write(path, text).expect("save an article");
        loop {
            match events.recv_timeout(Duration::from_secs(10)) {
                Ok(e) if e == "reload" => break,
                Ok(_) => continue,
                Err(_) => panic!("no reload within 10 s of saving {}", path.display()),
            }
        }
        latencies.push(t.elapsed());
    }
    drop(server);
    let rebuilt: Vec<String> = err_rx
        .try_iter()
        .filter(|l| l.starts_with("Rebuilt"))
        .collect();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} saves: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms (save to `reload` event)",
        latencies.len(),
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(latencies[0]),
        ms(*latencies.last().expect("at least one save"))
    );
    if let Some(last) = rebuilt.last() {
        println!("server said: {last}");
    }
    println!(
        "(the saved articles now end with an extra line: `git checkout -- .` in the site restores them)"
    );
}

/// Up to `n` article files, spread over the sections.
fn article_files(content: &Path, n: usize) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = walk(content)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|f| f != "_index.md")
        })
        .collect();
    all.sort();
    let step = (all.len() / n.max(1)).max(1);
    all.into_iter().step_by(step).take(n).collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The event names from the live-reload stream, on a channel.
fn sse(port: u16) -> mpsc::Receiver<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    write!(
        s,
        "GET /__kbfresh/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("ask for the event stream");
    let (tx, rx) = mpsc::channel();
    let (hello_tx, hello_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut hello = Some(hello_tx);
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if let Some(name) = line.strip_prefix("event: ") {
                if name == "hello"
                    && let Some(h) = hello.take()
                {
                    let _ = h.send(());
                }
                if tx.send(name.to_string()).is_err() {
                    return;
                }
            }
        }
    });
    hello_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server greets the stream");
    rx
}
