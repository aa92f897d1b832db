//! The load generator of the io-server workload: keep-alive HTTP/1.1 connections to a server
//! on 127.0.0.1, closed loop or open loop, every body checked, latencies in an HDR histogram.
//!
//! A load has two phases. The ramp opens every connection and sends one request on each,
//! then waits. The measured phase starts when every connection has had its first answer (a server's first request on a
//! connection can cost far more than the others: a thread or a goroutine stack to start, a
//! connection's state to build) and lasts at least [`LoadSpec::duration`] and at least
//! [`LoadSpec::requests`] requests. Only the measured phase's requests count in the rate and
//! the latencies; the ramp is reported beside them.
//!
//! Open loop measures each latency from the request's *intended* send time (start of the
//! measured phase + i / rate), so a server that stalls is charged for every request that
//! should have gone out meanwhile (no coordinated omission). The load is bounded by a time
//! limit, and it only ever connects to a loopback address.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, Semaphore};
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
    /// The measured phase sends at least this many requests, across every connection.
    pub requests: u64,
    /// The measured phase lasts at least this long (zero: `requests` alone ends it).
    pub duration: Duration,
    /// Requests per second for an open loop; 0 for a closed loop.
    pub rate: u64,
    /// The whole load stops here, ramp included, sent or not.
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
    /// Called once when the measured phase starts, before its first request (to read the
    /// server's CPU time with the ramp done and nothing in flight).
    pub on_measured: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// What the load generator measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Requests of the measured phase answered 200 with the right body.
    pub ok: u64,
    /// Connection failures, bad statuses and wrong bodies, in either phase.
    pub errors: u64,
    /// Requests unanswered within [`LoadSpec::request_timeout`] (their connection is
    /// reopened), in either phase.
    pub timeouts: u64,
    /// Of the [`LoadSpec::requests`] the measured phase had to send, those it had not sent
    /// when the time limit came.
    pub unsent: u64,
    /// The measured phase: from every connection's first answer until it stopped sending.
    pub elapsed: Duration,
    /// Answers (of either phase) that came within the measured phase: its throughput is
    /// these over `elapsed`.
    pub answered_within: u64,
    /// Latency of each successful request of the measured phase, µs.
    pub latency_us: Histogram<u64>,
    /// The first error seen, for the run's reason.
    pub first_error: Option<String>,
    /// The ramp: from the first request until every connection had its first answer.
    pub ramp: Duration,
    /// Requests of the ramp answered 200 with the right body.
    pub ramp_ok: u64,
}

impl LoadReport {
    /// Requests answered per second over the measured phase. A phase too short to hold an
    /// answer (a count-bound load of one request per connection) counts its own requests'
    /// answers instead.
    pub fn rps(&self) -> f64 {
        let answers = if self.answered_within > 0 {
            self.answered_within
        } else {
            self.ok
        };
        answers as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Per-connection counts, merged at the end.
struct Tally {
    ok: u64,
    ramp_ok: u64,
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
            ramp_ok: 0,
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

/// Where the load is, shared by its connections: the ramp, the measured phase, the counts
/// that end it.
struct Phases {
    /// Connections still waiting for their first answer.
    ramping: AtomicUsize,
    /// When the measured phase started (the last first answer came); `None` during the ramp.
    started: watch::Sender<Option<Instant>>,
    /// When the measured phase stopped sending.
    ended: OnceLock<Instant>,
    /// Requests the measured phase has sent.
    sent: AtomicU64,
    /// The open loop's next schedule slot.
    tickets: AtomicU64,
    /// Answers that came within the measured phase.
    answered_within: AtomicU64,
    /// Requests sent in all, for the id each asks for.
    issued: AtomicU64,
    /// [`LoadSpec::on_measured`].
    on_measured: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Phases {
    fn new(connections: usize, on_measured: Option<Arc<dyn Fn() + Send + Sync>>) -> Phases {
        Phases {
            on_measured,
            ramping: AtomicUsize::new(connections),
            started: watch::Sender::new(None),
            ended: OnceLock::new(),
            sent: AtomicU64::new(0),
            tickets: AtomicU64::new(0),
            answered_within: AtomicU64::new(0),
            issued: AtomicU64::new(0),
        }
    }

    /// A connection has had its first answer (or failed to get one): the last one starts
    /// the measured phase.
    fn arrived(&self) {
        if self.ramping.fetch_sub(1, Ordering::SeqCst) == 1 {
            if let Some(hook) = &self.on_measured {
                hook();
            }
            self.started.send_replace(Some(Instant::now()));
        }
    }

    /// The intended send time of the measured phase's next request, or `None` when the
    /// phase is over (long enough and with enough requests) or its next request is due
    /// only after the deadline.
    fn next_request(
        &self,
        spec: &LoadSpec,
        start: Instant,
        now: Instant,
        deadline: Instant,
    ) -> Option<Instant> {
        let end = start + spec.duration;
        if spec.rate == 0 {
            // Compare and swap: a count-bound phase sends exactly `requests`.
            let mut sent = self.sent.load(Ordering::SeqCst);
            loop {
                if sent >= spec.requests && now >= end {
                    self.ended.get_or_init(|| now);
                    return None;
                }
                match self.sent.compare_exchange_weak(
                    sent,
                    sent + 1,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => return Some(now),
                    Err(current) => sent = current,
                }
            }
        }
        let i = self.tickets.fetch_add(1, Ordering::SeqCst);
        let at =
            start + Duration::from_nanos((i as u128 * 1_000_000_000 / spec.rate as u128) as u64);
        if i >= spec.requests && at >= end {
            // The schedule's end, whenever a connection finds it.
            self.ended.get_or_init(|| {
                let last = start
                    + Duration::from_nanos(
                        (spec.requests as u128 * 1_000_000_000 / spec.rate as u128) as u64,
                    );
                end.max(last)
            });
            return None;
        }
        if at >= deadline {
            return None;
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        Some(at)
    }

    /// Counts an answer that came at `at` if that is within the measured phase.
    fn answered_at(&self, at: Instant) {
        let Some(start) = *self.started.borrow() else {
            return;
        };
        if at >= start && self.ended.get().is_none_or(|end| at <= *end) {
            self.answered_within.fetch_add(1, Ordering::Relaxed);
        }
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
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        spec.ids
            .iter()
            .map(|id| format!("GET /work?id={id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes())
            .collect(),
    );
    let latencies: Latencies = Arc::new(Mutex::new(
        Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid bounds"),
    ));
    let phases = Arc::new(Phases::new(streams.len(), spec.on_measured.clone()));
    let ramp_began = Instant::now();
    let mut tasks = Vec::with_capacity(streams.len());
    for stream in streams {
        let load = Connection {
            spec: spec.clone(),
            requests: Arc::clone(&requests),
            phases: Arc::clone(&phases),
            latencies: Arc::clone(&latencies),
            deadline,
        };
        tasks.push(tokio::spawn(load.run(stream)));
    }
    let mut total = setup;
    for task in tasks {
        let tally = task.await.context("a load connection panicked")?;
        total.ok += tally.ok;
        total.ramp_ok += tally.ramp_ok;
        total.errors += tally.errors;
        total.timeouts += tally.timeouts;
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
    }
    let finished = Instant::now();
    let started = *phases.started.borrow();
    // A phase the time limit cut short ends at the last answer.
    let ended = phases.ended.get().copied().unwrap_or(finished);
    let latency_us = std::mem::replace(
        &mut *latencies.lock().expect("no recorder panicked"),
        Histogram::new(1).expect("valid"),
    );
    let sent = phases.sent.load(Ordering::SeqCst);
    Ok(LoadReport {
        ok: total.ok,
        errors: total.errors,
        timeouts: total.timeouts,
        unsent: spec.requests.saturating_sub(sent),
        elapsed: started.map_or(Duration::ZERO, |s| ended.saturating_duration_since(s)),
        answered_within: phases.answered_within.load(Ordering::SeqCst),
        latency_us,
        first_error: total.first_error,
        ramp: started
            .unwrap_or(finished)
            .saturating_duration_since(ramp_began),
        ramp_ok: total.ramp_ok,
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

/// One keep-alive connection of a load and what it shares with the others.
struct Connection {
    spec: LoadSpec,
    /// The request for each id, index for index with [`LoadSpec::ids`].
    requests: Arc<Vec<Vec<u8>>>,
    phases: Arc<Phases>,
    latencies: Latencies,
    deadline: Instant,
}

/// What a connection sends next.
enum Next {
    /// A ramp request, now.
    Ramp,
    /// A request of the measured phase, intended for this time.
    Measured(Instant),
    /// Nothing more.
    Stop,
}

impl Connection {
    /// Sends requests until the load is over: the ramp's one, then, once every connection
    /// has had its own, the measured phase's.
    async fn run(self, stream: TcpStream) -> Tally {
        let (spec, phases, deadline) = (&self.spec, &self.phases, self.deadline);
        let mut tally = Tally::new();
        let mut stream = Some(stream);
        let mut buf = Vec::with_capacity(1024);
        let mut started = phases.started.subscribe();
        let mut first = true;
        // One timer per connection, moved for each request: cheaper than a new one each time.
        let timer = tokio::time::sleep_until(deadline);
        tokio::pin!(timer);
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let start = *started.borrow_and_update();
            let next = match start {
                Some(start) => phases
                    .next_request(spec, start, now, deadline)
                    .map_or(Next::Stop, Next::Measured),
                None if first => Next::Ramp,
                // The others are still ramping: wait for them. Sending on meanwhile kept a
                // slow starter (py-threads, whose acceptor needs the GIL) from ever
                // finishing its ramp: 3.5 s at 100 connections, against 0.2 s.
                None => {
                    tokio::select! {
                        _ = started.changed() => continue,
                        () = tokio::time::sleep_until(deadline) => break,
                    }
                }
            };
            let intended = match next {
                Next::Stop => break,
                Next::Ramp => now,
                Next::Measured(at) => {
                    if at > now {
                        tokio::time::sleep_until(at).await;
                    }
                    at
                }
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
            let issued = phases.issued.fetch_add(1, Ordering::Relaxed);
            let slot = (issued % spec.ids.len() as u64) as usize;
            timer
                .as_mut()
                .reset((intended.max(now) + spec.request_timeout).min(deadline));
            let answer = tokio::select! {
                biased;
                answer = exchange(&mut conn, &self.requests[slot], &mut buf) => Some(answer),
                () = &mut timer => None,
            };
            match answer {
                // The connection is dropped; the next request reconnects.
                None => tally.timeouts += 1,
                Some(Err(e)) => tally.error(format!("id {}: {e}", spec.ids[slot])),
                Some(Ok((body, keep_alive))) => {
                    let at = Instant::now();
                    if buf[body.clone()] == *spec.bodies[slot].as_bytes() {
                        phases.answered_at(at);
                        if let Next::Measured(_) = next {
                            tally.ok += 1;
                            let us = (at - intended).as_micros() as u64;
                            self.latencies
                                .lock()
                                .expect("no recorder panicked")
                                .saturating_record(us.clamp(1, MAX_LATENCY_US));
                        } else {
                            tally.ramp_ok += 1;
                        }
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
            if std::mem::take(&mut first) {
                phases.arrived();
            }
        }
        // A connection that never got to send still lets the measured phase start.
        if first {
            phases.arrived();
        }
        tally
    }
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
        test_server_counting(delay, Duration::ZERO, close_after).0
    }

    /// [`test_server`], whose first request on each connection waits `first` instead of
    /// `delay`, and how many connections have their server thread running.
    fn test_server_counting(
        delay: Duration,
        first: Duration,
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
                    let _ = conn.set_nodelay(true);
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut conn = conn;
                    let mut wait = first;
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
                        std::thread::sleep(std::mem::replace(&mut wait, delay));
                        let body = (id * 2).to_string();
                        // One write: a head and a body written apart wait ~40 ms for
                        // Nagle and the client's delayed ACK.
                        let response = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = conn.write_all(response.as_bytes());
                    }
                });
            }
        });
        (addr, counted)
    }

    /// A report's counts and times, without its histogram's thousands of buckets.
    fn brief(r: &LoadReport) -> String {
        format!(
            "ok {} ramp_ok {} errors {} timeouts {} unsent {} elapsed {:?} ramp {:?} \
             answered_within {} p50 {} µs max {} µs, first error {:?}",
            r.ok,
            r.ramp_ok,
            r.errors,
            r.timeouts,
            r.unsent,
            r.elapsed,
            r.ramp,
            r.answered_within,
            r.latency_us.value_at_quantile(0.5),
            r.latency_us.max(),
            r.first_error
        )
    }

    fn spec(addr: SocketAddr, connections: usize, requests: u64, rate: u64) -> LoadSpec {
        let ids: Vec<u64> = (1..=16).collect();
        LoadSpec {
            addr,
            connections,
            requests,
            duration: Duration::ZERO,
            rate,
            time_limit: Duration::from_secs(20),
            request_timeout: Duration::from_secs(5),
            bodies: Arc::new(ids.iter().map(|i| (i * 2).to_string()).collect()),
            ids: Arc::new(ids),
            threads: 1,
            cpus: None,
            on_connected: None,
            on_measured: None,
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
        // The 20 measured requests and at least one ramp request per connection.
        assert_eq!((r.ok, r.ramp_ok), (0, 0));
        assert!(r.errors >= 22, "{}", brief(&r));
        assert!(r.first_error.unwrap().contains("wrong body"));
    }

    #[test]
    fn a_server_that_stops_answering_gives_errors_not_a_hang() {
        let addr = test_server(Duration::ZERO, Some(30));
        let r = generate(&spec(addr, 3, 300, 0)).unwrap();
        assert_eq!(r.ok + r.ramp_ok, 30);
        assert!(r.errors > 0, "{}", brief(&r));
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
        let (addr, serving) = test_server_counting(Duration::ZERO, Duration::ZERO, None);
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
                "{}; server threads started: {} of {}",
                brief(&r),
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
    fn the_ramp_is_kept_out_of_the_latencies_and_the_rate() {
        // Each connection's first request takes 300 ms (a thread to start, say), the others
        // 1 ms: measured from the first request, the p99 was the 300 ms.
        let first = Duration::from_millis(300);
        let mut rates = Vec::new();
        // Up to 3 tries, each on a server of its own: beside the rest of the test suite on 2
        // CPUs, one try read 1,213 req/s (2026-12-03); the ramp's share stays what it is.
        for _ in 0..3 {
            let (addr, _) = test_server_counting(Duration::from_millis(1), first, None);
            // 200 requests: the 4 first ones would be 2%, above the p99.
            let r = generate(&spec(addr, 4, 200, 0)).unwrap();
            assert_eq!((r.ok, r.errors, r.timeouts), (200, 0, 0), "{}", brief(&r));
            assert!(r.ramp >= first, "ramp {:?}", r.ramp);
            assert!(r.ramp_ok >= 4, "{}", brief(&r));
            let p99 = r.latency_us.value_at_quantile(0.99);
            assert!(p99 < 100_000, "p99 {p99} µs");
            rates.push(r.rps());
            if r.rps() > 1_500.0 {
                break;
            }
        }
        // 4 connections of ~1 ms each: the rate is the steady one, well above the
        // 200 / 0.35 s that counting the ramp would give.
        assert!(rates.iter().any(|&rps| rps > 1_500.0), "{rates:?} req/s");
    }

    #[test]
    fn a_timed_phase_lasts_its_duration_whatever_the_count() {
        let addr = test_server(Duration::from_millis(1), None);
        let r = generate(&LoadSpec {
            duration: Duration::from_secs(1),
            ..spec(addr, 2, 10, 0)
        })
        .unwrap();
        assert_eq!((r.errors, r.timeouts, r.unsent), (0, 0, 0), "{}", brief(&r));
        assert!(r.elapsed >= Duration::from_secs(1), "{:?}", r.elapsed);
        assert!(r.elapsed < Duration::from_millis(1_500), "{:?}", r.elapsed);
        // Two connections at ~1 ms each, for a second: far more than the floor of 10.
        assert!(r.ok > 500, "{}", brief(&r));
        let steady = r.ok as f64 / r.elapsed.as_secs_f64();
        assert!(
            (r.rps() / steady - 1.0).abs() < 0.05,
            "{} against {steady}",
            r.rps()
        );
    }

    #[test]
    fn an_open_loop_starts_its_schedule_after_the_ramp() {
        // Had the schedule started with the first request, the requests due during the
        // 300 ms ramp would be charged that wait.
        let first = Duration::from_millis(300);
        let (addr, _) = test_server_counting(Duration::from_millis(1), first, None);
        let r = generate(&spec(addr, 8, 200, 1_000)).unwrap();
        assert_eq!((r.ok, r.ramp_ok, r.errors), (200, 8, 0), "{}", brief(&r));
        assert!(r.ramp >= first, "ramp {:?}", r.ramp);
        assert!(
            r.latency_us.max() < 100_000,
            "max {} µs",
            r.latency_us.max()
        );
        assert!(r.elapsed >= Duration::from_millis(195), "{:?}", r.elapsed);
    }

    #[test]
    fn only_loopback_is_a_target() {
        let mut s = spec("127.0.0.1:9".parse().unwrap(), 1, 1, 0);
        s.addr = "192.0.2.1:80".parse().unwrap();
        assert!(generate(&s).unwrap_err().to_string().contains("loopback"));
    }
}
