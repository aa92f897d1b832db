package concbench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import concbench.Protocol.Args;
import concbench.Protocol.Model;
import concbench.Protocol.Outcome;
import concbench.Protocol.Param;
import concbench.Protocol.Workload;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * io-server: "API gateways: massive connections". An HTTP/1.1 keep-alive server on 127.0.0.1
 * (a port the system picks), the JDK's own com.sun.net.httpserver.HttpServer: {@code GET
 * /work?id=I} waits {@code delay_us} without holding a core (the simulated upstream call),
 * then answers xs^cpu(I) in decimal. The server says {@code {"listening":
 * "127.0.0.1:<port>"}}, serves until SIGTERM, then reports the requests it answered with
 * 200 as checksum and ops; elapsed runs from listening to SIGTERM. The load generator lives
 * in the harness.
 *
 * <p>HttpServer has one dispatcher thread that accepts connections and waits (a Selector)
 * for the next request on every idle one; each request is handed to the server's executor,
 * whose thread reads it, runs the handler and writes the response. The models differ in
 * that executor only.
 *
 * <p>10,000 connections need more descriptors than the usual soft limit of 1024: HotSpot
 * raises the soft RLIMIT_NOFILE to the hard limit at start-up (-XX:+MaxFDLimit, on by
 * default), so this file has nothing to add.
 */
final class IoServer {
    private IoServer() {}

    /**
     * The io-server workload and its Java models. connections, requests and rate are the
     * harness's load parameters, never the server's.
     */
    static final Workload WORKLOAD = new Workload("io-server",
            List.of(new Param("delay_us", 0, 10_000_000), new Param("cpu", 0, 100_000_000),
                    new Param("workers", 1, 1024), new Param("alloc", 0, 100_000_000)),
            List.of(new Model("java-virtual", IoServer::virtualThreads),
                    new Model("java-threads", IoServer::platformThreads)));

    /**
     * The listen backlog asked for: the kernel caps it at net.core.somaxconn. The JDK's
     * default of 50 overflows when thousands of clients connect at once (each overflow
     * costs a client a one-second SYN retry); Go and the Rust models listen at the maximum.
     */
    private static final int BACKLOG = Integer.MAX_VALUE;

    /**
     * java-virtual: a virtual thread per request (Executors.newVirtualThreadPerTaskExecutor);
     * Thread.sleep unmounts it, so the delay holds neither a core nor a carrier.
     * {@code workers} is the scheduler's pool of carrier threads, as it is tokio's runtime
     * size in rust-tokio.
     */
    static Outcome virtualThreads(Args args) throws Exception {
        Protocol.useCarriers(args.getInt("workers"));
        return serve(args, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * java-threads: a fixed pool of {@code workers} platform threads
     * (Executors.newFixedThreadPool); a request waits in the pool's queue for a free thread,
     * and the delay's Thread.sleep holds that thread (not a core): at most {@code workers}
     * requests are in their delay at once.
     */
    static Outcome platformThreads(Args args) throws Exception {
        return serve(args, Executors.newFixedThreadPool(args.getInt("workers")));
    }

    /** What every request of a run shares: the work it asks for and the count of answers. */
    private record Work(Duration delay, long cpu, int alloc, AtomicLong answered) {
        /**
         * Answers one exchange: for {@code GET /work?id=I} with a decimal u64 I, the value
         * after the delay; else 404 for another path, 405 for another method, 400 without
         * such an id.
         */
        void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                Long id = null;
                int status;
                if (!exchange.getRequestURI().getPath().equals("/work")) {
                    status = 404;
                } else if (!exchange.getRequestMethod().equals("GET")) {
                    status = 405;
                } else {
                    id = id(exchange);
                    status = id == null ? 400 : 200;
                }
                String body;
                if (id != null) {
                    // The request's own memory (`alloc`), every byte written, held across
                    // the wait: the allocation per request that exercises the collector.
                    byte[] block = alloc > 0 ? new byte[alloc] : null;
                    if (block != null) {
                        java.util.Arrays.fill(block, (byte) 1);
                    }
                    if (!delay.isZero()) {
                        sleep(delay);
                    }
                    body = Long.toUnsignedString(Xorshift.xsK(id, cpu));
                    java.lang.ref.Reference.reachabilityFence(block);
                    // Counted before it is sent: once the client has its answer, a SIGTERM
                    // must find it counted.
                    answered.incrementAndGet();
                } else {
                    body = switch (status) {
                        case 404 -> "Not Found";
                        case 405 -> "Method Not Allowed";
                        default -> "Bad Request";
                    };
                    if (status == 405) {
                        exchange.getResponseHeaders().set("Allow", "GET");
                    }
                }
                byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(status, bytes.length); // sets Content-Length
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        private static void sleep(Duration delay) throws IOException {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted in the delay", e);
            }
        }
    }

    /** The id of the request's first {@code id=} query pair, or null if it is no u64. */
    static Long id(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("id=")) {
                String text = pair.substring(3);
                try {
                    return Protocol.isDecimal(text) ? Long.parseUnsignedLong(text) : null;
                } catch (NumberFormatException aboveU64) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Serves with {@code executor} until SIGTERM. The JVM answers SIGTERM by running its
     * shutdown hooks and then exiting with status 143; this server's hook reads the count
     * and the time, stops the server (closes the listener and every connection, idle
     * keep-alive ones included, without waiting for requests in their delay), prints the
     * result line and halts the JVM with status 0.
     */
    private static Outcome serve(Args args, ExecutorService executor) throws Exception {
        // Read once, when HttpServer's implementation is first loaded (below). Its default
        // keeps 200 idle keep-alive connections and closes any beyond; the workload's clients
        // hold up to 100,000 (jdk.httpserver's documented properties). TCP_NODELAY, as Go and
        // the Rust models set it (a response goes out in one write, so it changes little).
        System.setProperty("sun.net.httpserver.maxIdleConnections", Integer.toString(Integer.MAX_VALUE));
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Work work = new Work(Duration.ofNanos(args.get("delay_us") * 1_000), args.get("cpu"),
                (int) args.get("alloc"), new AtomicLong());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        long listening = System.nanoTime();
        server.createContext("/", work::handle);
        server.setExecutor(executor);
        PrintStream stdout = System.out;
        // Installed before the server says it listens, so that no SIGTERM can come first.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long elapsed = System.nanoTime() - listening;
            long answered = work.answered().get();
            server.stop(0);
            stdout.println(new Outcome(answered, elapsed, answered, Map.of()).json());
            stdout.flush();
            Runtime.getRuntime().halt(0);
        }, "sigterm"));
        server.start();
        stdout.println("{\"listening\": \"127.0.0.1:" + server.getAddress().getPort() + "\"}");
        stdout.flush();
        new CountDownLatch(1).await(); // until SIGTERM ends the process in the hook
        throw new IllegalStateException("the server stopped waiting before SIGTERM");
    }
}
