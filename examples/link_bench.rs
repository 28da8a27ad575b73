//! External link checker throughput against local servers:
//! `cargo run --release --example link_bench -- [URLS=10000] [HOSTS=100] [LATENCY_MS=20]`.
//! Hosts are distinct loopback addresses (127.0.0.2, 127.0.0.3, ...), each answering after LATENCY_MS;
//! the per-host limits stay at their defaults (4 at a time, 50 ms apart), 64 requests overall.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn serve(listener: TcpListener, latency: Duration) {
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            std::thread::sleep(latency);
            let body = "<html><body><h1 id=\"top\">ok</h1></body></html>";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        });
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let urls = args.first().copied().unwrap_or(10_000) as usize;
    let hosts = args.get(1).copied().unwrap_or(100) as usize;
    let latency = Duration::from_millis(args.get(2).copied().unwrap_or(20));
    let mut bases = Vec::new();
    for h in 0..hosts {
        let addr = format!("127.0.0.{}:0", 2 + h % 250);
        let l = TcpListener::bind(&addr).expect("bind a loopback address");
        bases.push(format!("http://{}", l.local_addr().expect("address")));
        std::thread::spawn(move || serve(l, latency));
    }
    let list: Vec<String> = (0..urls)
        .map(|i| format!("{}/page/{i}", bases[i % hosts]))
        .collect();
    let config = kbfresh::config::LinksConfig {
        allow_private: true,
        ..Default::default()
    };
    let opts = kbfresh::links::external::Options {
        config,
        cache_file: None,
        use_cache: false,
        progress: false,
        want_anchors: Default::default(),
    };
    let start = Instant::now();
    let out = kbfresh::links::external::check(&list, &opts);
    let secs = start.elapsed().as_secs_f64();
    let ok = out
        .values()
        .filter(|o| o.status == kbfresh::links::Status::Ok)
        .count();
    println!(
        "{urls} URLs on {hosts} hosts, {} ms latency: {ok} ok in {secs:.2} s = {:.0} URLs/s; peak RSS {} MiB",
        latency.as_millis(),
        urls as f64 / secs,
        peak_rss_kib() / 1024
    );
}
