package concbench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command-line protocol every concbench implementation speaks (see impls/README.md):
 * {@code <program> <workload> <model> --<param>=<value> ...} runs one measurement and prints
 * one JSON line; {@code <program> --list} says what is implemented. Bad input of any kind
 * exits 2 with one line on stderr and nothing on stdout.
 */
final class Protocol {
    /** The name that starts every error line. */
    static final String PROGRAM = "concbench-java";

    private Protocol() {}

    /**
     * One integer parameter of a workload and the range every implementation enforces (the
     * min/max of suite/workloads/&lt;workload&gt;.toml). Every maximum fits in a signed long.
     */
    record Param(String name, long min, long max) {}

    /** Runs a workload under one model with validated arguments. */
    @FunctionalInterface
    interface Run {
        /** An exception is an internal failure (exit 1), never bad input. */
        Outcome run(Args args) throws Exception;
    }

    /** One concurrency model of a workload: its id in the suite's catalogue and its code. */
    record Model(String id, Run run) {}

    /** A workload of the suite: its parameters and the Java models that implement it. */
    record Workload(String name, List<Param> params, List<Model> models) {}

    /** The validated parameter values of one run, by name, each within its range. */
    static final class Args {
        private final Map<String, Long> values;

        Args(Map<String, Long> values) {
            this.values = Map.copyOf(values);
        }

        /** The value of parameter {@code name}; a name the workload lacks is a bug. */
        long get(String name) {
            Long value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("the workload has no parameter --" + name);
            }
            return value;
        }

        /**
         * The value of {@code name} as a count of things held in memory or threads started;
         * the suite's ranges make every such count fit in an int.
         */
        int getInt(String name) {
            return Math.toIntExact(get(name));
        }
    }

    /** What one run measured: the last stdout line of the protocol. */
    record Outcome(long checksum, long elapsedNs, long ops, Map<String, Long> metrics) {
        /**
         * The outcome of a run whose clock started at {@code startNanos} (System.nanoTime,
         * monotonic) and whose answer is known now.
         *
         * <p>What the clock covers in Java: the models make their units' code before they
         * start it (a lambda made earlier, or a small class where each unit has values of its
         * own). The first evaluation of a lambda expression links it: the JVM spins a class
         * for it at run time, 3.5 to 10 ms each on this project's VM, a cost the other
         * languages' closures do not have and that is the program's loading, not the model's
         * concurrency. Creating the threads, pools and the virtual-thread scheduler, with the
         * JDK classes they load, is inside, as the protocol says.
         */
        static Outcome since(long startNanos, long checksum, long ops) {
            return new Outcome(checksum, System.nanoTime() - startNanos, ops, Map.of());
        }

        /** This outcome with one more metric, after those it has. */
        Outcome withMetric(String name, long value) {
            Map<String, Long> more = new LinkedHashMap<>(metrics);
            more.put(name, value);
            return new Outcome(checksum, elapsedNs, ops, more);
        }

        /**
         * The result line: {@code {"checksum": "<u64>", "elapsed_ns": .., "ops": .., "metrics":
         * {..}}}. The checksum is a u64 (wrapping arithmetic on a long has the same bits).
         */
        String json() {
            String metricsJson = metrics.entrySet().stream()
                    .map(e -> quoted(e.getKey()) + ": " + Long.toUnsignedString(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
            return "{\"checksum\": \"" + Long.toUnsignedString(checksum) + "\", \"elapsed_ns\": "
                    + elapsedNs + ", \"ops\": " + Long.toUnsignedString(ops) + ", \"metrics\": "
                    + metricsJson + "}";
        }
    }

    /** Bad input: its message is the text after "concbench-java: " on the one stderr line. */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** What the command line asks for: --list, or one model with its arguments. */
    sealed interface Command permits ListRequest, RunRequest {}

    /** {@code --list}: print what is implemented. */
    record ListRequest() implements Command {}

    /** Run one model of one workload with validated arguments. */
    record RunRequest(Model model, Args args) implements Command {}

    /** Parses and validates argv (without the program name) against workloads. */
    static Command parse(List<Workload> workloads, String[] argv) throws UsageError {
        if (argv.length == 0) {
            throw new UsageError("usage: " + PROGRAM + " <workload> <model> --<param>=<value> ... | "
                    + PROGRAM + " --list");
        }
        if (argv[0].equals("--list")) {
            if (argv.length > 1) {
                throw new UsageError("--list takes no arguments, got " + quoted(argv[1]));
            }
            return new ListRequest();
        }
        Workload workload = workloads.stream().filter(w -> w.name().equals(argv[0])).findFirst()
                .orElse(null);
        if (workload == null) {
            String known = workloads.stream().map(Workload::name).collect(Collectors.joining(", "));
            throw new UsageError("unknown workload " + quoted(argv[0]) + " (known: " + known + ")");
        }
        String prefix = workload.name() + ": ";
        String ids = workload.models().stream().map(Model::id).collect(Collectors.joining(", "));
        if (argv.length < 2) {
            throw new UsageError(prefix + "missing the model (one of: " + ids + ")");
        }
        Model model = workload.models().stream().filter(m -> m.id().equals(argv[1])).findFirst()
                .orElse(null);
        if (model == null) {
            throw new UsageError(prefix + "unknown model " + quoted(argv[1]) + " (java models: " + ids + ")");
        }

        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 2; i < argv.length; i++) {
            String arg = argv[i];
            int equals = arg.indexOf('=');
            if (!arg.startsWith("--") || equals < 0) {
                throw new UsageError(prefix + "unexpected argument " + quoted(arg)
                        + " (parameters are --name=value)");
            }
            String name = arg.substring(2, equals);
            String text = arg.substring(equals + 1);
            Param param = workload.params().stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElse(null);
            if (param == null) {
                throw new UsageError(prefix + "unknown parameter --" + escaped(name)
                        + " (expected " + paramList(workload.params()) + ")");
            }
            if (values.containsKey(name)) {
                throw new UsageError(prefix + "--" + name + " is given more than once");
            }
            if (!isDecimal(text)) {
                throw new UsageError(prefix + "--" + name + "=" + escaped(text)
                        + " is not a non-negative integer");
            }
            long value;
            try {
                value = Long.parseUnsignedLong(text);
            } catch (NumberFormatException overflow) {
                // Digits beyond u64 are above every maximum: out of range too.
                throw outOfRange(prefix, param, text);
            }
            if (Long.compareUnsigned(value, param.min()) < 0 || Long.compareUnsigned(value, param.max()) > 0) {
                throw outOfRange(prefix, param, text);
            }
            values.put(name, value);
        }
        List<String> missing = new ArrayList<>();
        for (Param p : workload.params()) {
            if (!values.containsKey(p.name())) {
                missing.add("--" + p.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new UsageError(prefix + "missing " + String.join(", ", missing));
        }
        return new RunRequest(model, new Args(values));
    }

    private static UsageError outOfRange(String prefix, Param param, String text) {
        return new UsageError(prefix + "--" + param.name() + "=" + text + " is out of range ("
                + param.min() + "..=" + param.max() + ")");
    }

    /**
     * Whether {@code text} is one or more ASCII decimal digits, the only spelling of a number
     * the protocol (and io-server's id) accepts: Long.parseUnsignedLong alone also takes a
     * leading '+', and Character.isDigit takes non-ASCII digits.
     */
    static boolean isDecimal(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** "--a, --b": the parameters of a workload, for error lines. */
    private static String paramList(List<Param> params) {
        return params.stream().map(p -> "--" + p.name()).collect(Collectors.joining(", "));
    }

    /** {@code text} as a JSON string in double quotes, so that an error stays on one line. */
    static String quoted(String text) {
        return '"' + escaped(text) + '"';
    }

    /** {@code text} with JSON's escapes for quotes, backslashes and control characters. */
    static String escaped(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** The JDK, as --list reports it: {@code jdk25.0.3} (the java.version property). */
    static String runtime() {
        return "jdk" + System.getProperty("java.version");
    }

    /** The --list line: {@code {"lang": "java", "runtime": "jdk25.0.3", "models": {..}}}. */
    static String listJson(List<Workload> workloads) {
        String models = workloads.stream()
                .map(w -> quoted(w.name()) + ": " + w.models().stream().map(m -> quoted(m.id()))
                        .collect(Collectors.joining(", ", "[", "]")))
                .collect(Collectors.joining(", ", "{", "}"));
        return "{\"lang\": \"java\", \"runtime\": " + quoted(runtime()) + ", \"models\": " + models + "}";
    }

    /**
     * Makes the virtual-thread scheduler a pool of {@code workers} carrier threads, as tokio's
     * runtime is a pool of worker threads. The JDK reads the documented system property
     * jdk.virtualThreadScheduler.parallelism once, when the first virtual thread is created,
     * so this must run before that (each model runs in a process of its own).
     */
    static void useCarriers(int workers) {
        System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(workers));
    }

    /**
     * Ends the process at once with {@code status}, after one stderr line saying why. Used for
     * any failure: a unit left blocked by it must not keep the process alive.
     */
    static void die(Throwable failure) {
        PrintStream err = System.err;
        failure.printStackTrace(err);
        String what = (failure.getClass().getName() + ": " + failure.getMessage()).replace('\n', ' ');
        err.println(PROGRAM + ": internal error: " + what);
        err.flush();
        Runtime.getRuntime().halt(1);
    }

    /**
     * The whole program, given its arguments without the program name: parse, run, print.
     * Returns the exit status: 0 done, 2 bad input; an internal failure, in any thread, ends
     * the process at once with status 1 (the stack trace, then one line).
     */
    static int main(String[] argv, List<Workload> workloads) {
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> die(failure));
        String line;
        try {
            Command command = parse(workloads, argv);
            line = switch (command) {
                case ListRequest list -> listJson(workloads);
                case RunRequest run -> run.model().run().run(run.args()).json();
            };
        } catch (UsageError error) {
            System.err.println(PROGRAM + ": " + error.getMessage());
            return 2;
        } catch (Throwable failure) {
            die(failure);
            return 1; // not reached: die halts
        }
        System.out.println(line);
        System.out.flush();
        if (System.out.checkError()) {
            System.err.println(PROGRAM + ": cannot write the result");
            return 1;
        }
        return 0;
    }
}
