package dev.slicefine.bench;

import dev.slicefine.engine.cli.Args;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code slicefine bench step|quality|predict}: step time and peak memory of the fine-tuning methods on a BERT-base-shaped
 * model, held-out accuracy of each method on the shared datasets, and prediction latency ({@link PredictBench}). Exit 0 ok, 1 failed, 2 usage.
 */
public final class BenchCommand {
    static final String USAGE = """
            usage: slicefine bench step [--model-shape bert-base|tiny] [--batch 8] [--seq 128] [--steps 5] [--warmup 2]
                                        [--methods full,lora,slicefine-column,slicefine-row(,head)] [--mode time|rss] [--method X]
                     time: every method in this JVM, interleaved round-robin, median step ms and SliceFine's ratios
                     rss:  one child JVM per method, peak RSS (VmHWM) of each; --method X runs one method alone
                   slicefine bench quality --shared DIR [--datasets fortunes8,spam-assassin] [--methods head,lora,full,slicefine]
                                        [--epochs 4] [--max-seq-len 128] [--batch-size 32] [--limit N] [--out FILE.json]
                                        [--lr-head 2e-3] [--lr-lora 1e-3] [--lr-full 5e-5] [--lr-slicefine 5e-3] [--grad-clip 0]
                     all-MiniLM-L6-v2 fine-tuned per method in its own JVM: accuracy, trainable parameters, time, peak RSS
                   slicefine bench predict --shared DIR [--rounds 5] [--warm 200] [--batch 64] [--clients 8]
                     prediction latency p50/p99 (1 and N clients, cold load + merge and warm), batch texts/s, llama-tiny tokens/s
            """;

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> STEP_OPTIONS = Set.of("model-shape", "batch", "seq", "steps", "warmup", "methods", "mode", "method");

    private BenchCommand() {}

    /** {@code argv[0]} is "bench". */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length < 2 || argv[1].equals("--help") || argv[1].equals("help")) {
            (argv.length < 2 ? err : out).print(USAGE);
            return argv.length < 2 ? 2 : 0;
        }
        try {
            return switch (argv[1]) {
                case "step" -> step(new Args("bench step", argv, 2, STEP_OPTIONS, Set.of()), out, err);
                case "quality" -> QualityBench.run(new Args("bench quality", argv, 2, QualityBench.OPTIONS, Set.of("child")), out, err);
                case "predict" -> predict(new Args("bench predict", argv, 2, PredictBench.OPTIONS, Set.of()), out, err);
                default -> throw new Args.UsageException("bench: unknown subcommand '" + argv[1] + "' (step, quality, predict)");
            };
        } catch (Args.UsageException e) {
            err.println("slicefine " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    private static int predict(Args a, PrintStream out, PrintStream err) {
        try {
            return PredictBench.run(a, out, err);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("bench predict: " + e, e);
        }
    }

    static StepBench.Options stepOptions(Args a) {
        ModelShape shape = ModelShape.named(a.get("model-shape", "bert-base"));
        int seq = a.intAtLeast("seq", 128, 2);
        if (seq > shape.maxPositions()) {
            throw new Args.UsageException("bench step: --seq " + seq + " exceeds the model's " + shape.maxPositions() + " positions");
        }
        List<String> methods = a.has("method") ? a.list("method", null, StepBench.ALL_METHODS)
                : a.list("methods", StepBench.METHODS, StepBench.ALL_METHODS);
        if (a.has("method") && methods.size() != 1) {
            throw new Args.UsageException("bench step: --method takes one method");
        }
        return new StepBench.Options(shape, a.positiveInt("batch", 8), seq, a.positiveInt("steps", 5), a.intAtLeast("warmup", 2, 0), methods);
    }

    private static int step(Args a, PrintStream out, PrintStream err) {
        StepBench.Options o = stepOptions(a);
        String mode = a.choice("mode", "time", "time", "rss");
        if (a.has("method")) {
            return stepSingle(o, out, err);
        }
        return mode.equals("time") ? stepTime(o, out, err) : stepRss(o, a, out, err);
    }

    private static String header(StepBench.Options o, String how) {
        return String.format("bench step: %s, %,d parameters%nbatch %d x %d tokens (mask all 1), AdamW, grad clip 1.0; %d warm-up + %d measured steps per method; %s",
                o.shape().describe(), o.shape().parameterCount(), o.batch(), o.seq(), o.warmup(), o.steps(), how);
    }

    private static int stepTime(StepBench.Options o, PrintStream out, PrintStream err) {
        out.println(header(o, "all methods in one JVM, interleaved round-robin (one step of each method per round)"));
        out.println("threads: " + System.getProperty("ai.djl.pytorch.num_threads", "?") + " intra-op, "
                + System.getProperty("ai.djl.pytorch.num_interop_threads", "?") + " inter-op");
        List<StepBench.MethodResult> results = StepBench.run(o, err);
        out.print(timeReport(o, results));
        return 0;
    }

    /** The table, the ratio lines and the final JSON line of {@code --mode time}. */
    static String timeReport(StepBench.Options o, List<StepBench.MethodResult> results) {
        StringBuilder sb = new StringBuilder();
        List<List<String>> rows = new ArrayList<>();
        Map<String, Double> med = new LinkedHashMap<>();
        for (StepBench.MethodResult r : results) {
            med.put(r.method(), r.medianMs());
            rows.add(List.of(r.method(), Stats.count(r.trainableParameters()), Stats.ms(r.medianMs()), Stats.ms(Stats.min(r.stepMs())),
                    Stats.ms(Stats.max(r.stepMs())), String.valueOf(r.stepMs().size())));
        }
        sb.append(Stats.table(List.of("method", "trainable params", "median ms", "min ms", "max ms", "steps"), rows));
        double col = med.getOrDefault("slicefine-column", Double.NaN);
        double full = med.getOrDefault("full", Double.NaN);
        double lora = med.getOrDefault("lora", Double.NaN);
        sb.append("target (issue): SliceFine column step <= 0.8 x full and <= 1.0 x LoRA\n");
        sb.append(Stats.ratioLine("slicefine-column / full", col, full, 0.8)).append('\n');
        sb.append(Stats.ratioLine("slicefine-column / lora", col, lora, 1.0)).append('\n');
        ObjectNode j = JSON.createObjectNode();
        j.put("bench", "step");
        j.put("mode", "time");
        putOptions(j, o);
        ArrayNode arr = j.putArray("methods");
        for (StepBench.MethodResult r : results) {
            ObjectNode m = arr.addObject();
            m.put("method", r.method());
            m.put("trainable_parameters", r.trainableParameters());
            m.put("median_ms", round(r.medianMs()));
            ArrayNode s = m.putArray("step_ms");
            r.stepMs().forEach(v -> s.add(round(v)));
            ArrayNode w = m.putArray("warmup_ms");
            r.warmupMs().forEach(v -> w.add(round(v)));
        }
        ObjectNode ratios = j.putObject("ratios");
        putRatio(ratios, "slicefine_column_over_full", col, full, 0.8);
        putRatio(ratios, "slicefine_column_over_lora", col, lora, 1.0);
        sb.append(j).append('\n');
        return sb.toString();
    }

    private static void putRatio(ObjectNode n, String key, double num, double den, double target) {
        ObjectNode r = n.putObject(key);
        if (Double.isFinite(num) && Double.isFinite(den) && den > 0) {
            r.put("value", Math.round(num / den * 1000) / 1000.0);
            r.put("met", num / den <= target);
        } else {
            r.putNull("value");
            r.putNull("met");
        }
        r.put("target_max", target);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void putOptions(ObjectNode j, StepBench.Options o) {
        j.put("model_shape", o.shape().name());
        j.put("parameters", o.shape().parameterCount());
        j.put("batch", o.batch());
        j.put("seq", o.seq());
        j.put("warmup", o.warmup());
        j.put("steps", o.steps());
        j.put("intra_op_threads", System.getProperty("ai.djl.pytorch.num_threads", ""));
    }

    /** One method alone in this JVM (the child of --mode rss): step times and this process's peak RSS. */
    private static int stepSingle(StepBench.Options o, PrintStream out, PrintStream err) {
        String method = o.methods().get(0);
        long before = Stats.peakRssKib();
        List<StepBench.MethodResult> results = StepBench.run(o, err);
        StepBench.MethodResult r = results.get(0);
        long peak = Stats.peakRssKib();
        out.printf("%s: median step %s ms over %d steps, peak RSS %s MiB%n", method, Stats.ms(r.medianMs()), r.stepMs().size(), Stats.mib(peak));
        ObjectNode j = JSON.createObjectNode();
        j.put("bench", "step");
        j.put("mode", "single");
        putOptions(j, o);
        j.put("method", method);
        j.put("trainable_parameters", r.trainableParameters());
        j.put("median_ms", round(r.medianMs()));
        ArrayNode s = j.putArray("step_ms");
        r.stepMs().forEach(v -> s.add(round(v)));
        j.put("peak_rss_kib", peak);
        j.put("startup_peak_rss_kib", before);
        out.println(j);
        return 0;
    }

    private static int stepRss(StepBench.Options o, Args a, PrintStream out, PrintStream err) {
        out.println(header(o, "one child JVM per method, peak RSS = VmHWM of the child at its end"));
        List<JsonNode> children = new ArrayList<>();
        boolean failed = false;
        for (String m : o.methods()) {
            List<String> args = new ArrayList<>(List.of("bench", "step", "--method", m, "--model-shape", o.shape().name(),
                    "--batch", String.valueOf(o.batch()), "--seq", String.valueOf(o.seq()), "--steps", String.valueOf(o.steps()),
                    "--warmup", String.valueOf(o.warmup())));
            try {
                ChildJvm.Result r = ChildJvm.run(args, out);
                if (r.exitCode() != 0 || r.json() == null) {
                    err.println("bench step: the child for " + m + " failed (exit " + r.exitCode() + ")");
                    failed = true;
                    children.add(null);
                } else {
                    children.add(r.json());
                }
            } catch (Exception e) {
                err.println("bench step: cannot run the child for " + m + ": " + e);
                failed = true;
                children.add(null);
            }
        }
        out.print(rssReport(o, children));
        return failed ? 1 : 0;
    }

    /** The table, the comparison lines and the final JSON line of {@code --mode rss}; null entries are failed children. */
    static String rssReport(StepBench.Options o, List<JsonNode> children) {
        StringBuilder sb = new StringBuilder();
        List<List<String>> rows = new ArrayList<>();
        Map<String, Long> peak = new LinkedHashMap<>();
        for (int i = 0; i < o.methods().size(); i++) {
            String m = o.methods().get(i);
            JsonNode c = children.get(i);
            if (c == null) {
                rows.add(List.of(m, "-", "-", "-", "failed"));
                continue;
            }
            long kib = c.path("peak_rss_kib").asLong(-1);
            peak.put(m, kib);
            rows.add(List.of(m, Stats.count(c.path("trainable_parameters").asLong(-1)), Stats.mib(kib),
                    Stats.mib(c.path("startup_peak_rss_kib").asLong(-1)), Stats.ms(c.path("median_ms").asDouble(Double.NaN))));
        }
        sb.append(Stats.table(List.of("method", "trainable params", "peak RSS MiB", "at start MiB", "median step ms"), rows));
        ObjectNode j = JSON.createObjectNode();
        j.put("bench", "step");
        j.put("mode", "rss");
        putOptions(j, o);
        ArrayNode arr = j.putArray("methods");
        for (JsonNode c : children) {
            if (c != null) {
                ObjectNode m = arr.addObject();
                for (String k : List.of("method", "trainable_parameters", "peak_rss_kib", "startup_peak_rss_kib", "median_ms")) {
                    m.set(k, c.get(k));
                }
            }
        }
        ObjectNode cmp = j.putObject("comparisons");
        for (String sf : List.of("slicefine-column", "slicefine-row")) {
            for (String other : List.of("lora", "full")) {
                Long a = peak.get(sf);
                Long b = peak.get(other);
                if (a != null && b != null && a > 0 && b > 0) {
                    sb.append(String.format(java.util.Locale.ROOT, "%s peak RSS %s %s's (%s vs %s MiB, %+.0f MiB)%n", sf,
                            a < b ? "below" : "NOT below", other, Stats.mib(a), Stats.mib(b), (a - b) / 1024.0));
                    cmp.put(sf + "_below_" + other, a < b);
                }
            }
        }
        sb.append(j).append('\n');
        return sb.toString();
    }
}
