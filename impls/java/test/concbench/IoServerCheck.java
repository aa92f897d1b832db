package concbench;

import static concbench.ConformanceTest.require;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Each io-server model serves the workload's contract: the listening line, keep-alive,
 * 200/404/405/400, Connection: close, the delay held by a virtual thread or by one of
 * {@code workers} platform threads, and on SIGTERM the result line, exit 0, within a second.
 */
final class IoServerCheck {
    private IoServerCheck() {}

    /** The checks, by name. */
    static Map<String, ConformanceTest.Check> checks() {
        Map<String, ConformanceTest.Check> checks = new LinkedHashMap<>();
        for (String model : List.of("java-virtual", "java-threads")) {
            checks.put("io-server " + model + " serves and stops on SIGTERM", () -> servesAndStops(model));
        }
        for (String model : List.of("java-virtual", "java-threads")) {
            checks.put("io-server " + model + " keeps 300 idle connections alive", () -> keepsIdle(model, 300));
        }
        checks.put("io-server java-virtual: 10 requests wait their 500 ms delay at once",
                () -> delays("java-virtual", 10, 500, 0, 4_500));
        checks.put("io-server java-threads --workers=1: 3 requests wait their 200 ms one after another",
                () -> delays("java-threads", 3, 200, 600, Long.MAX_VALUE));
        return checks;
    }

    /** One HTTP response: status, headers (lower-case names) and body. */
    record Response(int status, Map<String, String> headers, String body) {}

    /**
     * A running server: its process, its port, and the file its stdout goes to (not a pipe:
     * Process.destroy, which sends SIGTERM, also closes the pipes, before the result line).
     */
    record Server(Process process, int port, Path stdout) implements AutoCloseable {
        static Server start(String model, long delayUs, long cpu, long workers) throws Exception {
            Map<String, Long> p = ConformanceTest.params("delay_us", delayUs, "cpu", cpu, "workers", workers,
                    "alloc", 4096L);
            Path stdout = Files.createTempFile("concbench-java-server", ".txt");
            Process process = Program.builder(Program.argv("io-server", model, p))
                    .redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = "";
            for (long deadline = System.nanoTime() + 20_000_000_000L; !line.endsWith("\n"); Thread.sleep(10)) {
                require(System.nanoTime() < deadline && process.isAlive(), "no listening line: " + line);
                line = Files.readString(stdout);
            }
            @SuppressWarnings("unchecked")
            String address = (String) ((Map<String, Object>) Json.parse(line.strip())).get("listening");
            require(address != null && address.startsWith("127.0.0.1:"), "listening line " + line);
            return new Server(process, Integer.parseInt(address.substring("127.0.0.1:".length())), stdout);
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            Files.deleteIfExists(stdout);
        }
    }

    /** Sends {@code request} (a whole request head) and reads one response. */
    static Response exchange(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(socket.getInputStream());
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        require(statusLine.startsWith("HTTP/1.1 "), "status line " + statusLine);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
        require(length >= 0, "no Content-Length: " + headers);
        byte[] body = in.readNBytes(length);
        require(body.length == length, "body cut short");
        return new Response(status, headers, new String(body, StandardCharsets.US_ASCII));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            require(c >= 0, "connection closed mid-response");
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII).stripTrailing();
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** The requests of the contract on one keep-alive connection, then SIGTERM. */
    private static void servesAndStops(String model) throws Exception {
        long cpu = 1000;
        try (Server server = Server.start(model, 1000, cpu, 2)) {
            checkOpenFilesLimit(server.process().pid());
            int answered = 0;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                for (long id : new long[] {7, 8, Long.parseUnsignedLong("18446744073709551615")}) {
                    Response r = exchange(socket, get("/work?id=" + Long.toUnsignedString(id)));
                    require(r.status() == 200, "id " + id + ": " + r);
                    require(r.body().equals(Long.toUnsignedString(Reference.xsK(id, cpu))), "id " + id + ": " + r);
                    require("text/plain".equals(r.headers().get("content-type")), r.toString());
                    answered++;
                }
                Map<String, Integer> refused = new LinkedHashMap<>();
                refused.put(get("/other?id=1"), 404);
                refused.put(get("/"), 404);
                refused.put("POST /work?id=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 405);
                refused.put(get("/work"), 400);
                refused.put(get("/work?id="), 400);
                refused.put(get("/work?id=abc"), 400);
                refused.put(get("/work?id=+5"), 400);
                refused.put(get("/work?id=-5"), 400);
                refused.put(get("/work?id=18446744073709551616"), 400);
                refused.put(get("/work?name=5"), 400);
                for (Map.Entry<String, Integer> e : refused.entrySet()) {
                    Response r = exchange(socket, e.getKey());
                    require(r.status() == e.getValue(), e.getKey().lines().findFirst().orElse("") + ": " + r);
                }
                // Connection: close is honoured: the answer, then the end of the stream.
                Response last = exchange(socket, "GET /work?id=9 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                require(last.status() == 200, "Connection: close: " + last);
                answered++;
                socket.setSoTimeout(5_000);
                require(socket.getInputStream().read() == -1, "the connection stayed open after Connection: close");
            }
            // An idle keep-alive connection must not keep the server from stopping.
            try (Socket idle = new Socket("127.0.0.1", server.port())) {
                require(exchange(idle, get("/work?id=1")).status() == 200, "second connection");
                answered++;
                stopsOnSigterm(server, answered);
            }
        }
    }

    /**
     * {@code count} connections each get an answer, wait idle while the others get theirs,
     * then get a second answer on the same connection: the server kept them all (the JDK's
     * default keeps 200 idle connections and closes the others).
     */
    private static void keepsIdle(String model, int count) throws Exception {
        try (Server server = Server.start(model, 0, 0, 2)) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    sockets.add(new Socket("127.0.0.1", server.port()));
                }
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < count; i++) {
                        Response r = exchange(sockets.get(i), get("/work?id=" + i));
                        require(r.status() == 200, "round " + round + ", connection " + i + ": " + r);
                    }
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** SIGTERM: exit 0 within a second (two, for a busy machine), the result line last. */
    private static void stopsOnSigterm(Server server, int answered) throws Exception {
        long sent = System.nanoTime();
        server.process().destroy(); // SIGTERM on Linux
        require(server.process().waitFor(2, TimeUnit.SECONDS), "still running 2 s after SIGTERM");
        long tookMs = (System.nanoTime() - sent) / 1_000_000;
        require(server.process().exitValue() == 0, "exit " + server.process().exitValue() + " after SIGTERM");
        Program.Run run = new Program.Run(0, Files.readString(server.stdout()), "");
        require(run.stdout().lines().count() == 2, "stdout after SIGTERM (" + tookMs + " ms): " + run.stdout());
        Map<String, Object> result = run.result();
        require(result.get("checksum").equals(Integer.toString(answered)), "result " + result + ", answered " + answered);
        require(result.get("ops").toString().equals(Integer.toString(answered)), "result " + result);
        require(result.get("metrics") instanceof Map<?, ?> m && m.isEmpty(), "result " + result);
    }

    /** HotSpot raised the soft limit on open files to the hard one (-XX:+MaxFDLimit). */
    private static void checkOpenFilesLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                require(fields[0].equals(fields[1]), "open files: soft " + fields[0] + ", hard " + fields[1]);
                return;
            }
        }
        throw new AssertionError("no open-files line in /proc/" + pid + "/limits");
    }

    /**
     * {@code count} requests on connections of their own, sent at once to a server whose
     * delay is {@code delayMs} (workers = 1), all answered in at least {@code atLeastMs} and
     * at most {@code atMostMs}.
     */
    private static void delays(String model, int count, long delayMs, long atLeastMs, long atMostMs)
            throws Exception {
        try (Server server = Server.start(model, delayMs * 1_000, 0, 1);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sockets.add(new Socket("127.0.0.1", server.port()));
            }
            long start = System.nanoTime();
            List<CompletableFuture<Response>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket socket = sockets.get(i);
                long id = i;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return exchange(socket, get("/work?id=" + id));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            for (int i = 0; i < count; i++) {
                Response r = answers.get(i).get(30, TimeUnit.SECONDS);
                require(r.status() == 200 && r.body().equals(Integer.toString(i)), "request " + i + ": " + r);
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            require(tookMs >= atLeastMs && tookMs <= atMostMs,
                    count + " requests took " + tookMs + " ms, want " + atLeastMs + ".." + atMostMs);
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
