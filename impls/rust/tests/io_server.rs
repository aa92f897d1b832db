//! io-server from outside: each model runs as a real process and is spoken to over raw TCP,
//! several keep-alive requests on each of several connections; every body is checked
//! against xs^cpu(id) computed here, and SIGTERM must end it promptly with the right count.
//! (Refusing the load parameters is checked with every other bad input in protocol.rs.)

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{rust_models, xorshift};
use serde_json::Value;

/// How long a server may take to exit after SIGTERM ("within a second", impls/README.md).
const STOP_WITHIN: Duration = Duration::from_millis(1500);

/// A server process, killed if a test fails before stopping it.
struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl Server {
    /// Starts `model` and reads its `{"listening": "127.0.0.1:<port>"}` line.
    fn start(model: &str, delay_us: u64, cpu: u64, workers: u64) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_concbench-rust"))
            .args([
                "io-server".to_owned(),
                model.to_owned(),
                format!("--delay_us={delay_us}"),
                format!("--cpu={cpu}"),
                format!("--workers={workers}"),
                "--alloc=4096".to_owned(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot start concbench-rust");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("{\"listening\": \"127.0.0.1:")
            .and_then(|rest| rest.strip_suffix("\"}\n"))
            .unwrap_or_else(|| panic!("{model}: unexpected first line {line:?}"));
        let addr = format!("127.0.0.1:{port}").parse().unwrap();
        Server {
            child,
            stdout,
            addr,
        }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// Sends SIGTERM; returns the final line and how long the exit took.
    fn stop(mut self) -> (Value, Duration) {
        let pid = i32::try_from(self.child.id()).unwrap();
        let sent = Instant::now();
        // SAFETY: kill only sends a signal, to our own child, which has not been reaped.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM"
            );
            thread::sleep(Duration::from_millis(5));
        };
        let took = sent.elapsed();
        assert!(status.success(), "{status}");
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest.lines().count(), 1, "{rest:?}");
        (serde_json::from_str(rest.trim_end()).unwrap(), took)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
}

/// What a test checks of a response.
#[derive(Debug)]
struct Response {
    status: u16,
    content_type: Option<String>,
    close: bool,
    body: String,
}

impl Client {
    /// Sends `GET <target>` with `headers` (each ending in CRLF).
    fn send(&mut self, target: &str, headers: &str) {
        let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n");
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
    }

    /// Reads one response, whose length Content-Length must give.
    fn receive(&mut self) -> Response {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let (mut length, mut content_type, mut close) = (None, None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = Some(value.parse::<usize>().unwrap()),
                "content-type" => content_type = Some(value.to_owned()),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.reader.read_exact(&mut body).unwrap();
        Response {
            status,
            content_type,
            close,
            body: String::from_utf8(body).unwrap(),
        }
    }

    fn get(&mut self, target: &str) -> Response {
        self.send(target, "");
        self.receive()
    }

    /// Whether the server has closed the connection (reads end of file).
    fn closed_by_server(&mut self) -> bool {
        let mut byte = [0];
        matches!(self.reader.read(&mut byte), Ok(0))
    }
}

/// Asserts `response` is a 200 whose body is xs^cpu(id).
fn assert_answer(response: &Response, id: u64, cpu: u64) {
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.body, xorshift(id, cpu).to_string(), "id {id}");
    assert_eq!(response.content_type.as_deref(), Some("text/plain"));
}

/// The model's whole life: answers on several keep-alive connections (in turn and at
/// once), refusals that keep the connection, Connection: close, and a count on SIGTERM
/// that an idle keep-alive connection does not delay.
fn serve_and_stop(model: &str) {
    let (delay_us, cpu) = (2000, 1000);
    let delay = Duration::from_micros(delay_us);
    let server = Server::start(model, delay_us, cpu, 2);
    let mut clients: Vec<Client> = (0..3).map(|_| server.connect()).collect();
    let mut answered = 0u64;

    for round in 0..4u64 {
        for (c, client) in (0u64..).zip(&mut clients) {
            let id = [0, 1, 1000 + c, u64::MAX][round as usize];
            let sent = Instant::now();
            let response = client.get(&format!("/work?id={id}"));
            let took = sent.elapsed();
            assert!(
                took >= delay,
                "{model}: answered in {took:?}, before the delay"
            );
            assert_answer(&response, id, cpu);
            answered += 1;
        }
    }

    // One request in flight on every connection at once.
    for (c, client) in (0u64..).zip(&mut clients) {
        client.send(&format!("/work?id={}", 77 + c), "");
    }
    for (c, client) in (0u64..).zip(&mut clients) {
        assert_answer(&client.receive(), 77 + c, cpu);
        answered += 1;
    }

    let client = &mut clients[0];
    for (target, status) in [
        ("/nope", 404),
        ("/", 404),
        ("/work", 400),
        ("/work?id=", 400),
        ("/work?id=abc", 400),
        ("/work?id=-1", 400),
        ("/work?id=18446744073709551616", 400),
    ] {
        let response = client.get(target);
        assert_eq!(response.status, status, "{model} {target}: {response:?}");
    }
    // The refusals kept the connection open.
    assert_answer(&client.get("/work?id=5"), 5, cpu);
    answered += 1;

    let mut closing = server.connect();
    closing.send("/work?id=9", "Connection: close\r\n");
    let response = closing.receive();
    assert_answer(&response, 9, cpu);
    answered += 1;
    assert!(response.close, "{model}: {response:?}");
    assert!(
        closing.closed_by_server(),
        "{model} kept a closed connection"
    );

    // `clients` stay open and idle: the server must not wait for them.
    let (result, took) = server.stop();
    assert!(took < STOP_WITHIN, "{model}: stopped in {took:?}");
    assert_eq!(
        result["checksum"],
        answered.to_string(),
        "{model}: {result}"
    );
    assert_eq!(result["ops"], answered, "{model}: {result}");
    // Every answered request waited for the upstream once, at least the delay.
    assert_eq!(result["metrics"]["waits"], answered, "{model}: {result}");
    assert!(
        result["metrics"]["wait_ns_sum"].as_u64().unwrap() >= answered * delay.as_nanos() as u64,
        "{model}: {result}"
    );
    assert!(
        result["elapsed_ns"].as_u64().unwrap() > 0,
        "{model}: {result}"
    );
    drop(clients);
}

#[test]
fn the_suite_has_three_rust_servers() {
    assert_eq!(
        rust_models("io-server"),
        ["rust-threads", "rust-tokio", "rust-tokio-blocking"]
    );
}

#[test]
fn rust_threads_serves_and_stops() {
    serve_and_stop("rust-threads");
}

#[test]
fn rust_tokio_serves_and_stops() {
    serve_and_stop("rust-tokio");
}

#[test]
fn rust_tokio_blocking_serves_and_stops() {
    serve_and_stop("rust-tokio-blocking");
}

#[test]
fn an_idle_server_stops_at_once_having_answered_nothing() {
    for model in rust_models("io-server") {
        let server = Server::start(&model, 0, 0, 1);
        let (result, took) = server.stop();
        assert!(took < STOP_WITHIN, "{model}: stopped in {took:?}");
        assert_eq!(result["checksum"], "0", "{model}: {result}");
        assert_eq!(result["ops"], 0, "{model}: {result}");
    }
}
