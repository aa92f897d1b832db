package concbench;

import static concbench.ConformanceTest.require;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bad input is refused the protocol's way: exit 2, nothing on stdout, one stderr line that
 * starts with "concbench-java: ". The ranges of every parameter and each kind of bad input
 * are probed for every workload in this process, through the program's own parser; each kind
 * once more through a real process, since how a usage error ends it is the same for all.
 */
final class BadInput {
    private BadInput() {}

    /** The checks, by name. */
    static Map<String, ConformanceTest.Check> checks() {
        Map<String, ConformanceTest.Check> checks = new LinkedHashMap<>();
        for (Protocol.Workload w : Main.WORKLOADS) {
            checks.put("ranges of " + w.name(), () -> checkRanges(w));
            Map<String, List<String>> bad = kinds(w);
            checks.put(w.name() + ": each kind of bad input is a usage error", () -> {
                for (Map.Entry<String, List<String>> kind : bad.entrySet()) {
                    try {
                        Protocol.parse(Main.WORKLOADS, kind.getValue().toArray(String[]::new));
                        throw new AssertionError(kind.getKey() + " was accepted: " + kind.getValue());
                    } catch (Protocol.UsageError expected) {
                        require(!expected.getMessage().contains("\n"), expected.getMessage());
                    }
                }
            });
        }
        // How a usage error ends the process does not depend on the workload: each kind once.
        Protocol.Workload first = Main.WORKLOADS.get(0);
        kinds(first).forEach((what, argv) -> checks.put("process refuses " + what, () -> refused(argv)));
        Main.WORKLOADS.stream().filter(w -> w.name().equals("io-server")).findFirst().ifPresent(w ->
                checks.put("process refuses io-server with a load parameter",
                        () -> refused(plus(Program.argv(w.name(), w.models().get(0).id(), atMinimum(w)),
                                "--connections=1"))));
        checks.put("process refuses no arguments", () -> refused(List.of()));
        checks.put("process refuses --list with an argument", () -> refused(List.of("--list", "x")));
        return checks;
    }

    /** Each kind of bad input for {@code w}'s first model, by what is wrong. */
    private static Map<String, List<String>> kinds(Protocol.Workload w) {
        List<String> good = Program.argv(w.name(), w.models().get(0).id(), atMinimum(w));
        String last = good.get(good.size() - 1);
        String lastName = last.substring(0, last.indexOf('='));
        List<String> allButLast = good.subList(0, good.size() - 1);
        Map<String, List<String>> bad = new LinkedHashMap<>();
        bad.put("a missing parameter", allButLast);
        bad.put("a repeated parameter", plus(good, last));
        bad.put("an unknown parameter", plus(good, "--bogus=1"));
        bad.put("a non-integer value", plus(allButLast, lastName + "=abc"));
        bad.put("an empty value", plus(allButLast, lastName + "="));
        bad.put("a negative value", plus(allButLast, lastName + "=-1"));
        bad.put("a value with a sign", plus(allButLast, lastName + "=+1"));
        bad.put("a value beyond u64", plus(allButLast, lastName + "=18446744073709551616"));
        bad.put("a stray argument", plus(good, "extra"));
        bad.put("a missing model", good.subList(0, 1));
        bad.put("an unknown model", replaced(good, 1, "no-such-model"));
        bad.put("another language's model", replaced(good, 1, "go-seq"));
        bad.put("an unknown workload", replaced(good, 0, "no-such-workload"));
        if (w.name().equals("io-server")) {
            bad.put("a load parameter", plus(good, "--connections=1"));
        }
        return bad;
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
