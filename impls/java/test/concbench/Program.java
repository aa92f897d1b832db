package concbench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * concbench-java run as the harness runs it: a process of its own (this JVM's java, this
 * test's class path), its exit status, stdout and stderr.
 */
final class Program {
    /** What one run of the program gave. */
    record Run(int exit, String stdout, String stderr) {
        /** The protocol's result line (the last stdout line), parsed. */
        Map<String, Object> result() {
            String[] lines = stdout.strip().split("\n");
            @SuppressWarnings("unchecked")
            Map<String, Object> line = (Map<String, Object>) Json.parse(lines[lines.length - 1]);
            return line;
        }

        /** Everything the run printed, for failure messages. */
        String describe() {
            return "exit " + exit + ", stdout " + Protocol.quoted(stdout) + ", stderr " + Protocol.quoted(stderr);
        }
    }

    private Program() {}

    /** The command that starts concbench-java, before its arguments. */
    static List<String> command() {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this test"));
        return List.of(java, "-cp", System.getProperty("java.class.path"), "concbench.Main");
    }

    /** A ProcessBuilder for concbench-java with {@code args}. */
    static ProcessBuilder builder(List<String> args) {
        List<String> full = new ArrayList<>(command());
        full.addAll(args);
        return new ProcessBuilder(full);
    }

    /** Runs concbench-java with {@code args} to its end (at most a minute). */
    static Run run(List<String> args) throws IOException, InterruptedException {
        File out = File.createTempFile("concbench-java-out", ".txt");
        File err = File.createTempFile("concbench-java-err", ".txt");
        try {
            Process process = builder(args).redirectOutput(out).redirectError(err).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("still running after 60 s: " + args);
            }
            return new Run(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** The command line of {@code model} of {@code workload} with {@code params}. */
    static List<String> argv(String workload, String model, Map<String, Long> params) {
        List<String> args = new ArrayList<>(List.of(workload, model));
        params.forEach((name, value) -> args.add("--" + name + "=" + value));
        return args;
    }
}
