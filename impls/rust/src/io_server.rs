//! io-server: "API gateways: massive connections". An HTTP/1.1 keep-alive server on
//! 127.0.0.1 (a port the system picks): `GET /work?id=I` waits `delay_us` without holding a
//! core (the simulated upstream call), holding `alloc` bytes it allocated and wrote for the
//! request (0: none), then answers `xs^cpu(I)` in decimal. The server says
//! `{"listening": "127.0.0.1:<port>"}`, serves until SIGTERM, then reports the requests it
//! answered with 200 as checksum and ops; `elapsed_ns` runs from listening to SIGTERM. The
//! load generator lives in the harness.

use std::cmp::{Ordering as Order, Reverse};
use std::collections::BinaryHeap;
use std::convert::Infallible;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::unix::AsyncFd;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::oneshot;

use crate::protocol::{tokio_io_runtime, Args, Model, Outcome, Param, Workload, PROGRAM};
use crate::xorshift::xs_k;

/// The io-server workload and its Rust models. `connections`, `requests` and `rate` are
/// the harness's load parameters, never the server's.
pub const WORKLOAD: Workload = Workload {
    name: "io-server",
    params: &[
        Param::new("delay_us", 0, 10_000_000),
        Param::new("cpu", 0, 100_000_000),
        Param::new("workers", 1, 1024),
        Param::new("alloc", 0, 100_000_000),
    ],
    models: &[
        Model::new("rust-threads", threads),
        Model::new("rust-tokio", tokio_inline),
        Model::new("rust-tokio-blocking", tokio_blocking),
    ],
};

/// What every request of a run shares: the work it asks for and the count of answers.
#[derive(Debug)]
struct Work {
    /// The simulated upstream wait.
    delay: Duration,
    /// xorshift64 steps of the CPU part.
    cpu: u64,
    /// Bytes each request allocates and writes, held until it is answered.
    alloc: usize,
    /// Requests answered with 200 so far.
    answered: AtomicU64,
    /// The upstream waits measured so far: their sum in ns, and their count. The wait a
    /// runtime really gives can differ from `delay` (a timer rounded to its tick, a thread
    /// that waits for a core), and the harness reports it beside the figures.
    waited_ns: AtomicU64,
    /// How many waits `waited_ns` adds up.
    waits: AtomicU64,
}

impl Work {
    fn new(args: &Args) -> Arc<Self> {
        Arc::new(Work {
            delay: Duration::from_micros(args.get("delay_us")),
            cpu: args.get("cpu"),
            alloc: args.get_usize("alloc"),
            answered: AtomicU64::new(0),
            waited_ns: AtomicU64::new(0),
            waits: AtomicU64::new(0),
        })
    }

    /// Counts one upstream wait that began at `began` and has just ended.
    fn waited_since(&self, began: Instant) {
        let ns = u64::try_from(began.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.waited_ns.fetch_add(ns, Ordering::Relaxed);
        self.waits.fetch_add(1, Ordering::Relaxed);
    }

    /// A request's own memory: `alloc` bytes from the allocator, each written (not a
    /// zeroed mapping the kernel fills lazily), for the request to hold across its upstream
    /// wait the way a real handler holds its parsed request and buffers. Empty at 0.
    fn request_state(&self) -> Vec<u8> {
        vec![1u8; self.alloc]
    }

    /// Counts one request answered with 200.
    fn answered_one(&self) {
        self.answered.fetch_add(1, Ordering::Relaxed);
    }

    /// The result line of a server that started listening at `listening` and has just
    /// received SIGTERM.
    fn outcome(&self, listening: Instant) -> Outcome {
        let answered = self.answered.load(Ordering::Relaxed);
        let mut outcome = Outcome::since(listening, answered, answered);
        outcome.metrics = vec![
            ("wait_ns_sum", self.waited_ns.load(Ordering::Relaxed)),
            ("waits", self.waits.load(Ordering::Relaxed)),
        ];
        outcome
    }
}

/// Why a request gets no value: the status it is answered with instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// A malformed request, or `/work` without a decimal u64 `id`.
    BadRequest,
    /// A path other than `/work`.
    NotFound,
    /// `/work` with a method other than GET.
    MethodNotAllowed,
}

impl Refusal {
    /// The status code and reason phrase; the phrase is also the response's body.
    fn status(self) -> (u16, &'static str) {
        match self {
            Refusal::BadRequest => (400, "Bad Request"),
            Refusal::NotFound => (404, "Not Found"),
            Refusal::MethodNotAllowed => (405, "Method Not Allowed"),
        }
    }
}

/// The id of a `GET /work?id=I` request, or why the request is refused.
fn route(method: &str, path: &str, query: Option<&str>) -> Result<u64, Refusal> {
    if path != "/work" {
        return Err(Refusal::NotFound);
    }
    if method != "GET" {
        return Err(Refusal::MethodNotAllowed);
    }
    let id = query
        .into_iter()
        .flat_map(|query| query.split('&'))
        .find_map(|pair| pair.strip_prefix("id="))
        .ok_or(Refusal::BadRequest)?;
    // u64's parser also takes a leading '+'; an id is decimal digits only.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::BadRequest);
    }
    id.parse().map_err(|_| Refusal::BadRequest)
}

/// Raises the soft limit on open files to the hard limit: 10,000 connections need more
/// descriptors than the usual soft limit of 1024, and the harness raises none. If the
/// kernel refuses, the old limit stays and accept reports what runs out.
fn raise_open_files_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes into `limit`, which lives for the whole call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return;
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: setrlimit only reads `limit`, which lives for the whole call.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    }
}

/// Binds 127.0.0.1 on a port the system picks, says where on stdout (the harness waits
/// for that line), and returns the listener and the instant it started listening.
fn listen() -> (TcpListener, Instant) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1: {e}"));
    // std listens with a backlog of 128, which thousands of clients connecting at once
    // overflow (each overflow costs a client a one-second SYN retry). Listening again
    // raises it, as Go does, to the system's maximum (the kernel caps it at somaxconn).
    // SAFETY: the descriptor is the bound socket that `listener` owns for the whole call.
    if unsafe { libc::listen(listener.as_raw_fd(), libc::SOMAXCONN) } != 0 {
        let e = io::Error::last_os_error();
        panic!("cannot listen on 127.0.0.1: {e}");
    }
    let listening = Instant::now();
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("cannot read the listening address: {e}"));
    let line = format!("{{\"listening\": \"{address}\"}}");
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .unwrap_or_else(|e| panic!("cannot announce the listening address: {e}"));
    (listener, listening)
}

/// How long an acceptor waits after a failed accept (out of descriptors, say), so that a
/// failure that lasts does not spin a core. Go's net/http backs off the same way.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// Reports a failed accept on stderr and returns how long to wait before the next one.
fn accept_failed(error: &io::Error) -> Duration {
    eprintln!("{PROGRAM}: io-server: cannot accept a connection: {error}");
    ACCEPT_BACKOFF
}

/// SIGTERM, blocked so that it stays pending until [`BlockedSigterm::wait`] takes it.
struct BlockedSigterm {
    set: libc::sigset_t,
}

impl BlockedSigterm {
    /// Blocks SIGTERM in the calling thread and so in every thread it spawns afterwards,
    /// which inherit its mask: call it before spawning any, or SIGTERM may land on a thread
    /// that does not wait for it and end the process with no final line.
    fn block() -> Self {
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set before sigaddset and pthread_sigmask read
        // it; pthread_sigmask changes this thread's mask only and takes a null old mask.
        let set = unsafe {
            libc::sigemptyset(set.as_mut_ptr());
            libc::sigaddset(set.as_mut_ptr(), libc::SIGTERM);
            let set = set.assume_init();
            let error = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            assert_eq!(error, 0, "cannot block SIGTERM");
            set
        };
        BlockedSigterm { set }
    }

    /// Waits until SIGTERM arrives.
    fn wait(&self) {
        let mut signal = 0;
        // SAFETY: the set was initialised in `block`; sigwait writes the signal it took
        // into `signal`, which lives for the whole call.
        let error = unsafe { libc::sigwait(&self.set, &mut signal) };
        assert_eq!(error, 0, "cannot wait for SIGTERM");
    }
}

/// rust-threads: a `std::net::TcpListener` whose acceptor thread spawns one thread per
/// connection; each serves its requests one at a time and sleeps the thread for the delay.
/// `workers` is ignored: there is no pool. The main thread only waits for SIGTERM.
fn threads(args: &Args) -> Outcome {
    raise_open_files_limit();
    let sigterm = BlockedSigterm::block();
    let work = Work::new(args);
    let (listener, listening) = listen();
    let shared = Arc::clone(&work);
    thread::spawn(move || {
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => {
                    let work = Arc::clone(&shared);
                    // A refused thread costs this connection only, not the server.
                    if let Err(e) =
                        thread::Builder::new().spawn(move || serve_connection(&stream, &work))
                    {
                        eprintln!("{PROGRAM}: io-server: cannot start a connection thread: {e}");
                    }
                }
                Err(e) => thread::sleep(accept_failed(&e)),
            }
        }
    });
    sigterm.wait();
    // Returning ends the process, and with it the acceptor and every connection thread,
    // idle keep-alive ones included.
    work.outcome(listening)
}

/// The most a request head (request line and headers) may take.
const MAX_HEAD: u64 = 8 * 1024;

/// What the server acts on in one request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    /// The id asked for, or why the request is refused.
    route: Result<u64, Refusal>,
    /// Whether the connection ends after this response.
    close: bool,
}

impl Head {
    /// A head the server cannot read: answered 400, then the connection ends, since where
    /// the next request starts is unknown.
    const MALFORMED: Head = Head {
        route: Err(Refusal::BadRequest),
        close: true,
    };
}

/// Serves one connection: reads a request, answers it, and so on until the client closes
/// or asks to close, or the connection fails.
fn serve_connection(stream: &TcpStream, work: &Work) {
    // Each response goes out in one write; no reason to let Nagle hold any of it back.
    let _ = stream.set_nodelay(true);
    serve_requests(BufReader::new(stream), stream, work);
}

/// The requests of one connection, read from `reader` and answered on `writer`.
fn serve_requests(mut reader: impl BufRead, mut writer: impl Write, work: &Work) {
    let mut line = String::new();
    let mut response = Vec::new();
    while let Ok(Some(head)) = read_head(&mut reader, &mut line) {
        let answer = head.route.map(|id| {
            let state = work.request_state();
            let began = Instant::now();
            thread::sleep(work.delay);
            work.waited_since(began);
            drop(std::hint::black_box(state));
            xs_k(id, work.cpu)
        });
        response.clear();
        match answer {
            Ok(value) => write_response(&mut response, (200, "OK"), &value.to_string(), head.close),
            Err(refusal) => {
                let (code, reason) = refusal.status();
                write_response(&mut response, (code, reason), reason, head.close);
            }
        }
        // Counted before it is sent: once the client has its answer, a SIGTERM must find it
        // counted (counted after, a thread preempted between the two left the last answer
        // out: "the server counted 999 answers but the generator received 1000").
        if answer.is_ok() {
            work.answered_one();
        }
        if writer.write_all(&response).is_err() {
            return;
        }
        if head.close {
            return;
        }
    }
}

/// Reads one request head with `line` as the buffer. `Ok(None)`: the client closed the
/// connection between requests.
fn read_head(reader: &mut impl BufRead, line: &mut String) -> io::Result<Option<Head>> {
    let mut head = reader.take(MAX_HEAD);
    line.clear();
    if head.read_line(line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_ascii_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(Some(Head::MALFORMED));
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let mut request = Head {
        route: route(method, path, query),
        close: match version {
            "HTTP/1.1" => false,
            "HTTP/1.0" => true,
            _ => return Ok(Some(Head::MALFORMED)),
        },
    };
    loop {
        line.clear();
        head.read_line(line)?;
        // No line end: the head was cut short or is longer than MAX_HEAD.
        let Some(header) = line.strip_suffix('\n') else {
            return Ok(Some(Head::MALFORMED));
        };
        let header = header.strip_suffix('\r').unwrap_or(header);
        if header.is_empty() {
            return Ok(Some(request));
        }
        let Some((name, value)) = header.split_once(':') else {
            return Ok(Some(Head::MALFORMED));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            for option in value.split(',').map(str::trim) {
                if option.eq_ignore_ascii_case("close") {
                    request.close = true;
                } else if option.eq_ignore_ascii_case("keep-alive") {
                    request.close = false;
                }
            }
        } else if (name.eq_ignore_ascii_case("content-length") && value != "0")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            // No request of this workload has a body, and this server does not read one.
            return Ok(Some(Head::MALFORMED));
        }
    }
}

/// Appends a whole response to `out`: status line, headers and the text `body`.
fn write_response(out: &mut Vec<u8>, (code, reason): (u16, &str), body: &str, close: bool) {
    let connection = if close { "Connection: close\r\n" } else { "" };
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {code} {reason}\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\
         {connection}\r\n\
         {body}",
        body.len()
    );
}

/// Where the tokio models compute the CPU part of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CpuPart {
    /// In the handler, on the worker thread that runs the connection's task.
    Inline,
    /// In `tokio::task::spawn_blocking`, off the worker threads.
    Blocking,
}

/// rust-tokio: hyper's HTTP/1 server, the CPU part inline in the handler.
fn tokio_inline(args: &Args) -> Outcome {
    tokio_server(args, CpuPart::Inline)
}

/// rust-tokio-blocking: hyper's HTTP/1 server, the CPU part in spawn_blocking.
fn tokio_blocking(args: &Args) -> Outcome {
    tokio_server(args, CpuPart::Blocking)
}

/// hyper 1 on a tokio runtime of `workers` worker threads: one task per connection, an
/// [`UpstreamTimer`] for the delay, until SIGTERM.
fn tokio_server(args: &Args, cpu_part: CpuPart) -> Outcome {
    raise_open_files_limit();
    let work = Work::new(args);
    let runtime = tokio_io_runtime(args.get_usize("workers"));
    let outcome = runtime.block_on(async {
        // Installed before the server says it listens, so that no SIGTERM can come first.
        let mut sigterm = signal(SignalKind::terminate())
            .unwrap_or_else(|e| panic!("cannot handle SIGTERM: {e}"));
        let timer = UpstreamTimer::start();
        let (listener, listening) = listen();
        listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(listener))
            .map(|listener| tokio::spawn(accept(listener, Arc::clone(&work), timer, cpu_part)))
            .unwrap_or_else(|e| panic!("cannot hand the listener to tokio: {e}"));
        sigterm.recv().await;
        work.outcome(listening)
    });
    // Open connections (idle keep-alive ones included) are dropped, not waited for, and a
    // CPU part still running in the blocking pool is left to the process's exit.
    runtime.shutdown_background();
    outcome
}

/// Accepts connections forever, each served by its own task.
async fn accept(
    listener: tokio::net::TcpListener,
    work: Arc<Work>,
    timer: Arc<UpstreamTimer>,
    cpu_part: CpuPart,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tokio::time::sleep(accept_failed(&e)).await;
                continue;
            }
        };
        // As in rust-threads: each response goes out whole at once.
        let _ = stream.set_nodelay(true);
        let work = Arc::clone(&work);
        let timer = Arc::clone(&timer);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                answer(request, Arc::clone(&work), Arc::clone(&timer), cpu_part)
            });
            // An error is a connection the client broke off: nothing is left to answer.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The tokio models' upstream wait: a one-shot timer of microsecond precision on tokio's
/// own reactor, which holds no thread and no core while it waits.
///
/// tokio's timer keeps a wheel of 1 ms slots and rounds each deadline up to a slot (and its
/// driver parks in whole milliseconds), so its 1 ms sleep gave about 2 ms where Go and
/// `thread::sleep` gave 1.1-1.3 ms. Here one timerfd (CLOCK_MONOTONIC, nanoseconds), read
/// by tokio's reactor through [`AsyncFd`], is armed for the earliest deadline of a heap; a
/// driver task wakes every sleeper that is due and re-arms it for the next. One descriptor
/// for the whole server: a timerfd per sleeper would need one per waiting request, and at
/// 10,000 connections that is past the 20,000 descriptors this machine allows a process.
pub(crate) struct UpstreamTimer {
    /// The timerfd, registered with tokio's reactor.
    fd: AsyncFd<OwnedFd>,
    /// The sleepers, earliest deadline first.
    due: Mutex<Deadlines>,
}

/// The pending deadlines of an [`UpstreamTimer`].
struct Deadlines {
    /// Earliest first.
    heap: BinaryHeap<Reverse<Deadline>>,
    /// The deadline the timerfd is armed for; `None` when it is not armed.
    armed: Option<Instant>,
    /// Orders sleepers of the same deadline by arrival.
    next_seq: u64,
}

/// One sleeper: when it is due, and how to wake it.
struct Deadline {
    at: Instant,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Deadline {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Deadline {}

impl PartialOrd for Deadline {
    fn partial_cmp(&self, other: &Self) -> Option<Order> {
        Some(self.cmp(other))
    }
}

impl Ord for Deadline {
    fn cmp(&self, other: &Self) -> Order {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl UpstreamTimer {
    /// Creates the timer and spawns its driver task; call it inside the runtime.
    pub(crate) fn start() -> Arc<Self> {
        // SAFETY: timerfd_create takes no pointers; a descriptor it returns is ours alone.
        let raw = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if raw < 0 {
            panic!("cannot create a timerfd: {}", io::Error::last_os_error());
        }
        // SAFETY: `raw` is a descriptor just created and owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: the OwnedFd keeps the timerfd open, and the same, until the AsyncFd drops it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
            .unwrap_or_else(|e| panic!("cannot register the timerfd with tokio: {e}"));
        let timer = Arc::new(UpstreamTimer {
            fd,
            due: Mutex::new(Deadlines {
                heap: BinaryHeap::new(),
                armed: None,
                next_seq: 0,
            }),
        });
        tokio::spawn(Arc::clone(&timer).drive());
        timer
    }

    /// Waits `delay` from now.
    pub(crate) async fn sleep(&self, delay: Duration) {
        if delay.is_zero() {
            return;
        }
        let at = Instant::now() + delay;
        let (wake, woken) = oneshot::channel();
        {
            let mut due = self.due.lock().expect("no sleeper panics holding the lock");
            let seq = due.next_seq;
            due.next_seq += 1;
            due.heap.push(Reverse(Deadline { at, seq, wake }));
            if due.armed.is_none_or(|armed| at < armed) {
                self.arm(at);
                due.armed = Some(at);
            }
        }
        // An error means the driver is gone (the runtime is shutting down): nothing to wait for.
        let _ = woken.await;
    }

    /// Arms the timerfd to fire at `at` (relative to now: std's Instant is CLOCK_MONOTONIC
    /// but does not say its raw value).
    fn arm(&self, at: Instant) {
        // A zero it_value would disarm the timer: a deadline already past fires in 1 ns.
        let after = at
            .saturating_duration_since(Instant::now())
            .max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs() as libc::time_t,
                tv_nsec: libc::c_long::from(after.subsec_nanos() as i32),
            },
        };
        // SAFETY: the descriptor is the timerfd this timer owns; `spec` lives for the call
        // and the old value is not asked for.
        let error =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        assert_eq!(
            error,
            0,
            "cannot arm the timerfd: {}",
            io::Error::last_os_error()
        );
    }

    /// The driver: each time the timerfd fires, wakes the sleepers that are due and arms it
    /// for the next.
    async fn drive(self: Arc<Self>) {
        loop {
            let Ok(mut ready) = self.fd.readable().await else {
                return;
            };
            let mut expirations = [0u8; 8];
            // SAFETY: reads at most 8 bytes into the 8-byte buffer; the descriptor is ours.
            // Its result does not matter: the heap says who is due, and a read that found
            // nothing (EAGAIN) only means the readiness was stale.
            unsafe {
                libc::read(
                    self.fd.as_raw_fd(),
                    expirations.as_mut_ptr().cast(),
                    expirations.len(),
                )
            };
            // Safe after the read: a later firing is a new readiness event, which this
            // does not clear (tokio tells them apart by their tick).
            ready.clear_ready();
            let woken: Vec<oneshot::Sender<()>> = {
                let mut due = self.due.lock().expect("no sleeper panics holding the lock");
                let now = Instant::now();
                let mut woken = Vec::new();
                while due.heap.peek().is_some_and(|Reverse(next)| next.at <= now) {
                    let Reverse(deadline) = due.heap.pop().expect("peeked");
                    woken.push(deadline.wake);
                }
                due.armed = due.heap.peek().map(|Reverse(next)| next.at);
                if let Some(at) = due.armed {
                    self.arm(at);
                }
                woken
            };
            for wake in woken {
                // A sleeper whose request was dropped (its client left) has no receiver.
                let _ = wake.send(());
            }
        }
    }
}

/// hyper's handler: one request. hyper adds Content-Length from the body's exact size.
async fn answer(
    request: Request<Incoming>,
    work: Arc<Work>,
    timer: Arc<UpstreamTimer>,
    cpu_part: CpuPart,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let uri = request.uri();
    let id = match route(request.method().as_str(), uri.path(), uri.query()) {
        Ok(id) => id,
        Err(refusal) => {
            let (code, reason) = refusal.status();
            let status = StatusCode::from_u16(code).expect("refusal codes are valid");
            return Ok(text_response(status, reason.into()));
        }
    };
    let state = work.request_state();
    let began = Instant::now();
    timer.sleep(work.delay).await;
    work.waited_since(began);
    drop(std::hint::black_box(state));
    let cpu = work.cpu;
    let value = match cpu_part {
        CpuPart::Inline => xs_k(id, cpu),
        CpuPart::Blocking => tokio::task::spawn_blocking(move || xs_k(id, cpu))
            .await
            .expect("the CPU part panicked"),
    };
    work.answered_one();
    Ok(text_response(StatusCode::OK, value.to_string()))
}

/// A `text/plain` response of `status` with `body`.
fn text_response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, "text/plain".parse().expect("a valid header"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client's side of a connection: what the server's count was as each answer left.
    struct Client<'a> {
        work: &'a Work,
        counted_at_send: Vec<u64>,
    }

    impl Write for Client<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.counted_at_send
                .push(self.work.answered.load(Ordering::Relaxed));
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_request_holds_alloc_bytes_it_wrote() {
        let work = |alloc: usize| Work {
            delay: Duration::ZERO,
            cpu: 0,
            alloc,
            answered: AtomicU64::new(0),
            waited_ns: AtomicU64::new(0),
            waits: AtomicU64::new(0),
        };
        let state = work(100_000).request_state();
        assert_eq!(state.len(), 100_000);
        assert!(state.iter().all(|&b| b == 1), "every byte written");
        assert!(work(0).request_state().is_empty());
    }

    #[test]
    fn an_answer_is_counted_before_it_is_sent() {
        // A SIGTERM that follows the client's last answer must find it counted; a refused
        // request is answered but not counted.
        let work = Work {
            delay: Duration::ZERO,
            cpu: 3,
            alloc: 0,
            answered: AtomicU64::new(0),
            waited_ns: AtomicU64::new(0),
            waits: AtomicU64::new(0),
        };
        let requests = "GET /work?id=1 HTTP/1.1\r\n\r\nGET /nowhere HTTP/1.1\r\n\r\n\
                        GET /work?id=2 HTTP/1.1\r\n\r\n";
        let mut client = Client {
            work: &work,
            counted_at_send: Vec::new(),
        };
        serve_requests(requests.as_bytes(), &mut client, &work);
        assert_eq!(client.counted_at_send, [1, 1, 2]);
        // Only the two routed requests waited for the upstream.
        assert_eq!(work.waits.load(Ordering::Relaxed), 2);
    }

    /// The waits of `sleepers` tasks that each sleep `delay` `rounds` times on one timer.
    fn timed_sleeps(sleepers: usize, rounds: usize, delay: Duration) -> Vec<Duration> {
        tokio_io_runtime(1).block_on(async {
            let timer = UpstreamTimer::start();
            let tasks: Vec<_> = (0..sleepers)
                .map(|_| {
                    let timer = Arc::clone(&timer);
                    tokio::spawn(async move {
                        let mut waits = Vec::with_capacity(rounds);
                        for _ in 0..rounds {
                            let began = Instant::now();
                            timer.sleep(delay).await;
                            waits.push(began.elapsed());
                        }
                        waits
                    })
                })
                .collect();
            let mut waits = Vec::new();
            for task in tasks {
                waits.extend(task.await.expect("a sleeper panicked"));
            }
            waits.sort_unstable();
            waits
        })
    }

    #[test]
    fn the_upstream_timer_waits_the_delay_not_the_next_millisecond() {
        // tokio::time::sleep(1 ms) waits for the wheel's next millisecond slot: about 2 ms.
        // Best of three tries: other tests and programs share this machine's two CPUs.
        let delay = Duration::from_micros(1000);
        let mut medians = Vec::new();
        for _ in 0..3 {
            let waits = timed_sleeps(10, 40, delay);
            assert!(waits[0] >= delay, "woke early: {:?}", waits[0]);
            medians.push(waits[waits.len() / 2]);
            if medians[medians.len() - 1] < Duration::from_micros(1400) {
                return;
            }
        }
        panic!("median waits {medians:?} for a 1 ms delay");
    }

    #[test]
    fn an_earlier_deadline_rearms_the_upstream_timer() {
        // A 30 ms sleeper arms the timerfd first; the 2 ms one that follows must not wait
        // for it.
        let order = tokio_io_runtime(1).block_on(async {
            let timer = UpstreamTimer::start();
            let (sent, mut woken) = tokio::sync::mpsc::unbounded_channel();
            for ms in [30u64, 2, 10] {
                let (timer, sent) = (Arc::clone(&timer), sent.clone());
                tokio::spawn(async move {
                    let began = Instant::now();
                    timer.sleep(Duration::from_millis(ms)).await;
                    let _ = sent.send((ms, began.elapsed()));
                });
                tokio::task::yield_now().await;
            }
            let mut order = Vec::new();
            for _ in 0..3 {
                order.push(woken.recv().await.expect("every sleeper wakes"));
            }
            order
        });
        let ids: Vec<u64> = order.iter().map(|(ms, _)| *ms).collect();
        assert_eq!(ids, [2, 10, 30], "{order:?}");
        assert!(order[0].1 < Duration::from_millis(20), "{order:?}");
    }

    #[test]
    fn routes_only_get_work_with_a_decimal_id() {
        assert_eq!(route("GET", "/work", Some("id=42")), Ok(42));
        assert_eq!(route("GET", "/work", Some("x=1&id=7")), Ok(7));
        assert_eq!(
            route("GET", "/work", Some("id=18446744073709551615")),
            Ok(u64::MAX)
        );
        assert_eq!(route("GET", "/", None), Err(Refusal::NotFound));
        assert_eq!(route("GET", "/work/", Some("id=1")), Err(Refusal::NotFound));
        assert_eq!(
            route("POST", "/work", Some("id=1")),
            Err(Refusal::MethodNotAllowed)
        );
        for query in [
            None,
            Some(""),
            Some("id="),
            Some("id=+1"),
            Some("id=-1"),
            Some("id=abc"),
            Some("id=18446744073709551616"),
            Some("ids=1"),
        ] {
            assert_eq!(
                route("GET", "/work", query),
                Err(Refusal::BadRequest),
                "{query:?}"
            );
        }
    }

    fn head(text: &str) -> Option<Head> {
        let mut line = String::new();
        read_head(&mut text.as_bytes(), &mut line).expect("reading a slice cannot fail")
    }

    #[test]
    fn reads_heads_and_honours_connection_close() {
        let keep = head("GET /work?id=5 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(
            keep,
            Head {
                route: Ok(5),
                close: false
            }
        );
        let close = head("GET /work?id=5 HTTP/1.1\r\nConnection: Close\r\n\r\n").unwrap();
        assert!(close.close);
        let old = head("GET /nope HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(old.route, Err(Refusal::NotFound));
        assert!(old.close);
        let kept_old = head("GET /work?id=1 HTTP/1.0\r\nconnection: keep-alive\n\n").unwrap();
        assert!(!kept_old.close);
        assert_eq!(head(""), None);
    }

    #[test]
    fn refuses_malformed_heads_and_bodies() {
        for text in [
            "GET /work?id=1\r\n\r\n",
            "GET /work?id=1 HTTP/2.0\r\n\r\n",
            "GET /work?id=1 HTTP/1.1\r\nno colon\r\n\r\n",
            "GET /work?id=1 HTTP/1.1\r\nHost: x\r\n",
            "GET /work?id=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            "GET /work?id=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        ] {
            assert_eq!(head(text), Some(Head::MALFORMED), "{text:?}");
        }
        let long = format!("GET /work?id=1 HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(9000));
        assert_eq!(head(&long), Some(Head::MALFORMED));
    }

    #[test]
    fn responses_carry_type_length_and_close() {
        let mut out = Vec::new();
        write_response(&mut out, (200, "OK"), "12345", false);
        assert_eq!(
            out,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n12345"
        );
        out.clear();
        write_response(&mut out, (404, "Not Found"), "Not Found", true);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 9\r\nConnection: close\r\n\r\nNot Found"));
    }
}
