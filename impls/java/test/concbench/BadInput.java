package concbench;

import static concbench.ConformanceTest.require;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bad input is refused the protocol's way: exit 2, nothing on stdout, one stderr line that
 * starts with "concbench-java: ". The ranges of every parameter of every workload are probed
 * in this process through the program's own parser (min - 1 and max + 1, and both ends
 * accepted); each other kind of bad input once per workload through a real process.
 */
final class BadInput {
    private BadInput() {}

    /** The checks, by name. */
    static Map<String, ConformanceTest.Check> checks() {
        Map<String, ConformanceTest.Check> checks = new LinkedHashMap<>();
        for (Protocol.Workload w : Main.WORKLOADS) {
            String model = w.models().get(0).id();
            checks.put("ranges of " + w.name(), () -> checkRanges(w));
            List<String> good = Program.argv(w.name(), model, atMinimum(w));
            String last = good.get(good.size() - 1);
            String lastName = last.substring(0, last.indexOf('='));
            Map<String, List<String>> bad = new LinkedHashMap<>();
            bad.put("missing parameter", good.subList(0, good.size() - 1));
            bad.put("repeated parameter", plus(good, last));
            bad.put("unknown parameter", plus(good, "--bogus=1"));
            bad.put("non-integer value", plus(good.subList(0, good.size() - 1), lastName + "=abc"));
            bad.put("negative value", plus(good.subList(0, good.size() - 1), lastName + "=-1"));
            bad.put("value with a sign", plus(good.subList(0, good.size() - 1), lastName + "=+1"));
            bad.put("value beyond u64", plus(good.subList(0, good.size() - 1), lastName + "=18446744073709551616"));
            bad.put("stray argument", plus(good, "extra"));
            bad.put("unknown model", replaced(good, 1, "no-such-model"));
            bad.put("unknown workload", replaced(good, 0, "no-such-workload"));
            bad.put("another language's model", replaced(good, 1, "go-seq"));
            if (w.name().equals("io-server")) {
                bad.put("a load parameter", plus(good, "--connections=1"));
            }
            bad.forEach((what, argv) -> checks.put(w.name() + ": " + what, () -> refused(argv)));
        }
        checks.put("no arguments", () -> refused(List.of()));
        checks.put("--list with an argument", () -> refused(List.of("--list", "x")));
        return checks;
    }

    /** Every parameter's min and max are accepted and min - 1, max + 1 refused. */
    private static void checkRanges(Protocol.Workload w) throws Exception {
        String model = w.models().get(0).id();
        for (Protocol.Param p : w.params()) {
            Map<String, Long> params = atMinimum(w);
            params.put(p.name(), p.max());
            Protocol.parse(Main.WORKLOADS, Program.argv(w.name(), model, params).toArray(String[]::new));
            for (long value : p.min() > 0 ? new long[] {p.min() - 1, p.max() + 1} : new long[] {p.max() + 1}) {
                params.put(p.name(), value);
                try {
                    Protocol.parse(Main.WORKLOADS, Program.argv(w.name(), model, params).toArray(String[]::new));
                    throw new AssertionError("--" + p.name() + "=" + value + " was accepted");
                } catch (Protocol.UsageError expected) {
                    require(expected.getMessage().contains("out of range"), expected.getMessage());
                }
            }
        }
    }

    /** Every parameter of {@code w} at its minimum. */
    private static Map<String, Long> atMinimum(Protocol.Workload w) {
        Map<String, Long> params = new LinkedHashMap<>();
        w.params().forEach(p -> params.put(p.name(), p.min()));
        return params;
    }

    private static List<String> plus(List<String> argv, String arg) {
        List<String> out = new ArrayList<>(argv);
        out.add(arg);
        return out;
    }

    private static List<String> replaced(List<String> argv, int index, String arg) {
        List<String> out = new ArrayList<>(argv);
        out.set(index, arg);
        return out;
    }

    /** The program, run with {@code argv}, refuses it the protocol's way. */
    static void refused(List<String> argv) throws Exception {
        Program.Run run = Program.run(argv);
        require(run.exit() == 2, run.describe());
        require(run.stdout().isEmpty(), run.describe());
        require(run.stderr().endsWith("\n") && run.stderr().strip().lines().count() == 1, run.describe());
        require(run.stderr().startsWith(Protocol.PROGRAM + ": "), run.describe());
    }
}
