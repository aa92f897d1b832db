//! The load generator of the io-server workload: keep-alive HTTP/1.1 connections to a server
//! on 127.0.0.1, closed loop or open loop, every body checked, latencies in an HDR histogram.
//!
//! Open loop measures each latency from the request's *intended* send time (start + i / rate),
//! so a server that stalls is charged for every request that should have gone out meanwhile
//! (no coordinated omission). The load is bounded both by a request count and by a time
//! limit, and it only ever connects to a loopback address.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// How many connections are opened at once (a listen backlog overflows past a few thousand).
const CONNECT_CONCURRENCY: usize = 256;
/// The largest latency the histogram holds (µs); longer ones are clamped into it.
const MAX_LATENCY_US: u64 = 600_000_000;

/// What to send, to whom, and within what bounds.
#[derive(Clone)]
pub struct LoadSpec {
    /// The server's address; it must be on the loopback.
    pub addr: SocketAddr,
    /// Keep-alive connections, all opened before the first request.
    pub connections: usize,
    /// Requests to send in all, across every connection.
    pub requests: u64,
    /// Requests per second for an open loop; 0 for a closed loop.
    pub rate: u64,
    /// The whole load phase stops here, sent or not.
    pub time_limit: Duration,
    /// A request without an answer by then is a timeout (its connection is reopened).
    pub request_timeout: Duration,
    /// Request i asks for id `ids[i % ids.len()]` and must get `bodies[i % ids.len()]`.
    pub ids: Arc<Vec<u64>>,
    /// The body each id must be answered with, index for index with `ids`.
    pub bodies: Arc<Vec<String>>,
    /// Runtime threads, and the CPUs to pin them to.
    pub threads: usize,
    /// The CPUs to pin those threads to; `None` leaves them unpinned.
    pub cpus: Option<Vec<usize>>,
    /// Called once every connection is open, before the first request (to read the server's
    /// memory with all connections idle).
    pub on_connected: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// What the load generator measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Requests answered 200 with the right body.
    pub ok: u64,
    /// Connection failures, bad statuses and wrong bodies.
    pub errors: u64,
    /// Requests unanswered within [`LoadSpec::request_timeout`] (their connection is reopened).
    pub timeouts: u64,
    /// Requests never sent because the time limit came first.
    pub unsent: u64,
    /// The load phase, from the first request to the last answer.
    pub elapsed: Duration,
    /// Latency of each successful request, µs.
    pub latency_us: Histogram<u64>,
    /// The first error seen, for the run's reason.
    pub first_error: Option<String>,
}

impl LoadReport {
    /// Successful requests per second over the load phase.
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Per-connection counts, merged at the end.
struct Tally {
    ok: u64,
    errors: u64,
    timeouts: u64,
    first_error: Option<String>,
}

/// Every connection records into one histogram. One per connection would cost ~170 KiB and
/// ~0.1 ms to set up each: at 1,000 connections the first requests waited ~0.1 s for the
/// others' histograms (1 s at 10,000), a stall that the p99 and the rate then measured.
type Latencies = Arc<Mutex<Histogram<u64>>>;

impl Tally {
    fn new() -> Tally {
        Tally {
            ok: 0,
            errors: 0,
            timeouts: 0,
            first_error: None,
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }
}

/// Runs the load and reports what it measured. Refuses any address off the loopback.
pub fn generate(spec: &LoadSpec) -> Result<LoadReport> {
    if !spec.addr.ip().is_loopback() {
        bail!(
            "the load generator only targets loopback addresses, not {}",
            spec.addr
        );
    }
    raise_open_file_limit();
    let spec = spec.clone();
    if spec.threads <= 1 {
        // One generator CPU: a current-thread runtime on a thread of its own, pinned, like
        // wrk's single event loop (a work-stealing runtime of one worker costs more per
        // request).
        return std::thread::spawn(move || {
            if let Some(cpus) = &spec.cpus {
                let _ = crate::exec::pin_current_thread(cpus);
            }
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the load generator's runtime")?
                .block_on(load(spec))
        })
        .join()
        .unwrap_or_else(|_| bail!("the load generator panicked"));
    }
    let cpus = spec.cpus.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(spec.threads)
        .enable_all()
        .on_thread_start(move || {
            if let Some(cpus) = &cpus {
                let _ = crate::exec::pin_current_thread(cpus);
            }
        })
        .build()
        .context("cannot start the load generator's runtime")?;
    runtime.block_on(load(spec))
}

async fn load(spec: LoadSpec) -> Result<LoadReport> {
    let deadline = Instant::now() + spec.time_limit;
    let mut setup = Tally::new();
    // Open every connection first, so the load phase measures requests, not handshakes.
    let streams = connect_all(&spec, deadline, &mut setup).await;
    if let Some(hook) = &spec.on_connected {
        hook();
    }
    let next = Arc::new(AtomicU64::new(0));
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        spec.ids
            .iter()
            .map(|id| format!("GET /work?id={id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes())
            .collect(),
    );
    let latencies: Latencies = Arc::new(Mutex::new(
        Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid bounds"),
    ));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(streams.len());
    for stream in streams {
        let spec = spec.clone();
        let next = Arc::clone(&next);
        let requests = Arc::clone(&requests);
        let latencies = Arc::clone(&latencies);
        tasks.push(tokio::spawn(async move {
            connection(spec, requests, stream, next, latencies, start, deadline).await
        }));
    }
    let mut total = setup;
    for task in tasks {
        let tally = task.await.context("a load connection panicked")?;
        total.ok += tally.ok;
        total.errors += tally.errors;
        total.timeouts += tally.timeouts;
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
    }
    let elapsed = start.elapsed();
    let latency_us = std::mem::replace(
        &mut *latencies.lock().expect("no recorder panicked"),
        Histogram::new(1).expect("valid"),
    );
    let sent = next.load(Ordering::SeqCst).min(spec.requests);
    Ok(LoadReport {
        ok: total.ok,
        errors: total.errors,
        timeouts: total.timeouts,
        unsent: spec.requests - sent,
        elapsed,
        latency_us,
        first_error: total.first_error,
    })
}

async fn connect_all(spec: &LoadSpec, deadline: Instant, tally: &mut Tally) -> Vec<TcpStream> {
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut pending = Vec::with_capacity(spec.connections);
    for _ in 0..spec.connections {
        let gate = Arc::clone(&gate);
        let addr = spec.addr;
        pending.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.expect("never closed");
            tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await
        }));
    }
    let mut streams = Vec::with_capacity(spec.connections);
    for p in pending {
        match p.await {
            Ok(Ok(Ok(stream))) => {
                let _ = stream.set_nodelay(true);
                streams.push(stream);
            }
            Ok(Ok(Err(e))) => tally.error(format!("cannot connect to {}: {e}", spec.addr)),
            Ok(Err(_)) => tally.error(format!(
                "connecting to {} outlasted the time limit",
                spec.addr
            )),
            Err(e) => tally.error(format!("connect task failed: {e}")),
        }
    }
    streams
}

/// One keep-alive connection: takes the next request index until none are left.
async fn connection(
    spec: LoadSpec,
    requests: Arc<Vec<Vec<u8>>>,
    stream: TcpStream,
    next: Arc<AtomicU64>,
    latencies: Latencies,
    start: Instant,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::new();
    let mut stream = Some(stream);
    let mut buf = Vec::with_capacity(1024);
    // One timer per connection, moved for each request: cheaper than a new one each time.
    let timer = tokio::time::sleep_until(deadline);
    tokio::pin!(timer);
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= spec.requests {
            break;
        }
        let intended = if spec.rate > 0 {
            let at = start
                + Duration::from_nanos((i as u128 * 1_000_000_000 / spec.rate as u128) as u64);
            if at >= deadline {
                break;
            }
            tokio::time::sleep_until(at).await;
            at
        } else {
            now
        };
        let mut conn = match stream.take() {
            Some(s) => s,
            None => match TcpStream::connect(spec.addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    s
                }
                Err(e) => {
                    tally.error(format!("cannot reconnect to {}: {e}", spec.addr));
                    break;
                }
            },
        };
        let slot = (i % spec.ids.len() as u64) as usize;
        timer
            .as_mut()
            .reset((intended.max(now) + spec.request_timeout).min(deadline));
        let answer = tokio::select! {
            biased;
            answer = exchange(&mut conn, &requests[slot], &mut buf) => Some(answer),
            () = &mut timer => None,
        };
        match answer {
            // The connection is dropped; the next request reconnects.
            None => tally.timeouts += 1,
            Some(Err(e)) => tally.error(format!("id {}: {e}", spec.ids[slot])),
            Some(Ok((body, keep_alive))) => {
                if buf[body.clone()] == *spec.bodies[slot].as_bytes() {
                    tally.ok += 1;
                    let us = (Instant::now() - intended).as_micros() as u64;
                    latencies
                        .lock()
                        .expect("no recorder panicked")
                        .saturating_record(us.clamp(1, MAX_LATENCY_US));
                } else {
                    tally.error(format!(
                        "wrong body for id {}: {:?}, expected {:?}",
                        spec.ids[slot],
                        String::from_utf8_lossy(&buf[body]),
                        spec.bodies[slot]
                    ));
                }
                if keep_alive {
                    stream = Some(conn);
                }
            }
        }
    }
    tally
}

/// Sends one request and reads its response into `buf`: (where the body is, whether the
/// connection stays open).
async fn exchange(
    conn: &mut TcpStream,
    request: &[u8],
    buf: &mut Vec<u8>,
) -> std::result::Result<(std::ops::Range<usize>, bool), String> {
    conn.write_all(request)
        .await
        .map_err(|e| format!("send failed: {e}"))?;
    buf.clear();
    let mut searched = 0;
    let head_end = loop {
        if let Some(at) = find(&buf[searched..], b"\r\n\r\n") {
            break searched + at + 4;
        }
        searched = buf.len().saturating_sub(3);
        if buf.len() > 64 * 1024 {
            return Err("response head larger than 64 KiB".into());
        }
        read_more(conn, buf).await?;
    };
    let head = parse_head(&buf[..head_end])?;
    if head.status != 200 {
        return Err(format!("status {}", head.status));
    }
    while buf.len() < head_end + head.content_length {
        read_more(conn, buf).await?;
    }
    Ok((head_end..head_end + head.content_length, head.keep_alive))
}

/// Reads what the connection has into the end of `buf`.
async fn read_more(conn: &mut TcpStream, buf: &mut Vec<u8>) -> std::result::Result<(), String> {
    buf.reserve(4096);
    match conn.read_buf(buf).await {
        Ok(0) => Err("the server closed the connection".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("receive failed: {e}")),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The parts of a response head the generator needs.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    status: u16,
    content_length: usize,
    keep_alive: bool,
}

fn parse_head(head: &[u8]) -> std::result::Result<Head, String> {
    let text = std::str::from_utf8(head).map_err(|_| "response head is not UTF-8".to_string())?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1 response: {status_line:?}"));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut content_length = None;
    let mut keep_alive = version == "HTTP/1.1";
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok();
        } else if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(format!(
                "unsupported transfer-encoding {value:?}: send Content-Length"
            ));
        }
    }
    let content_length = content_length.ok_or("response without Content-Length")?;
    Ok(Head {
        status,
        content_length,
        keep_alive,
    })
}

/// Lifts the soft open-file limit to the hard one: 10,000 connections need 10,000 sockets.
pub fn raise_open_file_limit() {
    // SAFETY: getrlimit/setrlimit on plain structs of our own.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    #[test]
    fn response_heads_parse() {
        let h = parse_head(
            b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            h,
            Head {
                status: 200,
                content_length: 12,
                keep_alive: true
            }
        );
        let h =
            parse_head(b"HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
        assert_eq!(
            h,
            Head {
                status: 404,
                content_length: 0,
                keep_alive: false
            }
        );
        let h = parse_head(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n").unwrap();
        assert!(!h.keep_alive);
        assert!(parse_head(b"HTTP/1.1 200 OK\r\n\r\n")
            .unwrap_err()
            .contains("Content-Length"));
        assert!(parse_head(b"SSH-2.0\r\n\r\n").is_err());
    }

    /// A tiny thread-per-connection server for the generator's own tests: answers `id * 2`,
    /// `delay` after each request, closing after `close_after` answers in all.
    fn test_server(delay: Duration, close_after: Option<u64>) -> SocketAddr {
        test_server_counting(delay, close_after).0
    }

    /// [`test_server`], and how many connections have their server thread running.
    fn test_server_counting(
        delay: Duration,
        close_after: Option<u64>,
    ) -> (SocketAddr, Arc<AtomicU64>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let answered = Arc::new(AtomicU64::new(0));
        let serving = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&serving);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let answered = Arc::clone(&answered);
                let serving = Arc::clone(&serving);
                std::thread::spawn(move || {
                    serving.fetch_add(1, Ordering::SeqCst);
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut conn = conn;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let id: u64 = line
                            .split("id=")
                            .nth(1)
                            .and_then(|r| r.split(' ').next())
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        loop {
                            let mut h = String::new();
                            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                                break;
                            }
                        }
                        if close_after.is_some_and(|n| answered.fetch_add(1, Ordering::SeqCst) >= n)
                        {
                            return;
                        }
                        std::thread::sleep(delay);
                        let body = (id * 2).to_string();
                        let _ = write!(
                            conn,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                    }
                });
            }
        });
        (addr, counted)
    }

    fn spec(addr: SocketAddr, connections: usize, requests: u64, rate: u64) -> LoadSpec {
        let ids: Vec<u64> = (1..=16).collect();
        LoadSpec {
            addr,
            connections,
            requests,
            rate,
            time_limit: Duration::from_secs(20),
            request_timeout: Duration::from_secs(5),
            bodies: Arc::new(ids.iter().map(|i| (i * 2).to_string()).collect()),
            ids: Arc::new(ids),
            threads: 1,
            cpus: None,
            on_connected: None,
        }
    }

    #[test]
    fn a_closed_loop_checks_every_body_and_measures_latency() {
        let addr = test_server(Duration::from_millis(2), None);
        let r = generate(&spec(addr, 4, 200, 0)).unwrap();
        assert_eq!(
            (r.ok, r.errors, r.timeouts, r.unsent),
            (200, 0, 0, 0),
            "{:?}",
            r.first_error
        );
        assert!(
            r.latency_us.value_at_quantile(0.5) >= 2_000,
            "p50 {}",
            r.latency_us.value_at_quantile(0.5)
        );
        // 4 connections waiting 2 ms each: at most 2,000 requests per second.
        assert!(r.rps() <= 2_100.0, "{}", r.rps());
    }

    #[test]
    fn wrong_bodies_are_errors() {
        let addr = test_server(Duration::ZERO, None);
        let mut s = spec(addr, 2, 20, 0);
        s.bodies = Arc::new(vec!["nope".into(); 16]);
        let r = generate(&s).unwrap();
        assert_eq!((r.ok, r.errors), (0, 20));
        assert!(r.first_error.unwrap().contains("wrong body"));
    }

    #[test]
    fn a_server_that_stops_answering_gives_errors_not_a_hang() {
        let addr = test_server(Duration::ZERO, Some(30));
        let r = generate(&spec(addr, 3, 300, 0)).unwrap();
        assert_eq!(r.ok, 30);
        assert!(r.errors > 0, "{r:?}");
    }

    #[test]
    fn an_open_loop_holds_its_rate_and_counts_from_the_intended_time() {
        let addr = test_server(Duration::from_millis(1), None);
        let r = generate(&spec(addr, 8, 200, 1_000)).unwrap();
        assert_eq!(r.ok, 200, "{:?}", r.first_error);
        // 200 requests at 1,000/s take about 0.2 s, not less.
        assert!(r.elapsed >= Duration::from_millis(195), "{:?}", r.elapsed);
        // A single connection cannot keep up with the schedule: latencies grow, and the
        // generator must show it instead of hiding it.
        let slow = generate(&spec(
            test_server(Duration::from_millis(5), None),
            1,
            100,
            1_000,
        ))
        .unwrap();
        assert!(
            slow.latency_us.max() > 100_000,
            "max {} µs",
            slow.latency_us.max()
        );
    }

    #[test]
    fn two_thousand_connections_start_together() {
        // 2,000 connections, one request each, all due within 0.2 s. Nothing may delay the
        // first send: a per-connection setup of 0.1 ms (as one histogram each cost) held every
        // request back 0.2 s, and the median latency showed it.
        // The best of three tries: the other tests of this binary share the two CPUs, and
        // once pushed one try to 102 ms; the bug cost every try 264–290 ms.
        // The kernel completes a connect before the test server has started that
        // connection's thread, so the load waits until all 2,000 threads run: otherwise the
        // server's own thread starts (slow when the host is busy) are in the latency too.
        let (addr, serving) = test_server_counting(Duration::ZERO, None);
        let mut tries = Vec::new();
        for k in 1..=3u64 {
            let counted = Arc::clone(&serving);
            // At most 5 s of the 20 s time limit: a server that never gets there is then
            // measured as it is.
            let ready: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
                let until = Instant::now() + Duration::from_secs(5);
                while counted.load(Ordering::SeqCst) < k * 2_000 && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
            let r = generate(&LoadSpec {
                on_connected: Some(ready),
                ..spec(addr, 2_000, 2_000, 10_000)
            })
            .unwrap();
            assert_eq!(
                r.ok,
                2_000,
                "{r:?}; server threads started: {} of {}",
                serving.load(Ordering::SeqCst),
                k * 2_000
            );
            tries.push(r.latency_us.value_at_quantile(0.5));
            if tries[tries.len() - 1] < 100_000 {
                break;
            }
        }
        // Measured alone: 5–21 ms now, 264–290 ms with a histogram per connection. On
        // 2026-12-02, with the host taking ~20% of the CPU time (steal), the server's own
        // thread starts put 124–226 ms into the p50 until the load waited for them; a 0.1 ms
        // sleep per connection still gives 507–568 ms.
        assert!(tries.iter().any(|&p50| p50 < 100_000), "p50s {tries:?} µs");
    }

    #[test]
    fn only_loopback_is_a_target() {
        let mut s = spec("127.0.0.1:9".parse().unwrap(), 1, 1, 0);
        s.addr = "192.0.2.1:80".parse().unwrap();
        assert!(generate(&s).unwrap_err().to_string().contains("loopback"));
    }
}
