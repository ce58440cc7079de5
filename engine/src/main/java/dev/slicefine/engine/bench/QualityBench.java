package dev.slicefine.engine.bench;

import dev.slicefine.engine.cli.Args;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.finetune.FineTune;
import dev.slicefine.engine.finetune.FineTuneSpec;
import dev.slicefine.engine.peft.lora.LoraConfig;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.train.LrSchedule;
import dev.slicefine.engine.train.TrainConfig;
import dev.slicefine.engine.train.TrainEvent;
import dev.slicefine.engine.train.TrainListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Held-out accuracy, trainable parameters, wall time and peak RSS of head-only, LoRA r8, full and SliceFine (its
 * defaults: column r4, move_steps 50) on all-MiniLM-L6-v2, through {@link FineTune#run} as the launcher runs a job.
 * Each (dataset, method) runs in its own child JVM so the peak RSS is that method's.
 *
 * <p>The recipe follows the spec's anchors ({@code tools/exp_minilm.py}): AdamW, weight decay 0, linear decay with 10 %
 * warm-up, batch 32, max length 128, 4 epochs, no gradient clipping (the recipe has none). Learning rates: head 2e-3
 * (the recipe's), full 5e-5, LoRA 1e-3 (between the recipe's 5e-4 and 2e-3), SliceFine 5e-3 (the spec: SliceFine
 * wants about 5e-3 with AdamW).
 */
final class QualityBench {
    static final Set<String> OPTIONS = Set.of("shared", "datasets", "methods", "epochs", "max-seq-len", "batch-size", "limit", "out",
            "lr-head", "lr-lora", "lr-full", "lr-slicefine", "grad-clip", "dataset", "method", "seed");
    static final List<String> DATASETS = List.of("fortunes8", "spam-assassin");
    static final List<String> METHODS = List.of("head", "lora", "full", "slicefine");
    static final String MODEL = "all-minilm-l6-v2";

    record Options(Path shared, List<String> datasets, List<String> methods, int epochs, int maxSeqLen, int batchSize, int limit,
                   Path out, double lrHead, double lrLora, double lrFull, double lrSlice, double gradClip, long seed) {
        double lr(String method) {
            return switch (method) {
                case "head" -> lrHead;
                case "lora" -> lrLora;
                case "full" -> lrFull;
                default -> lrSlice;
            };
        }
    }

    private QualityBench() {}

    static Options options(Args a) {
        String shared = a.get("shared", null);
        if (shared == null) {
            throw new Args.UsageException("bench quality: --shared DIR is required");
        }
        double clip = a.nonNegativeDouble("grad-clip", 0);
        List<String> datasets = a.has("dataset") ? a.list("dataset", null, DATASETS) : a.list("datasets", DATASETS, DATASETS);
        List<String> methods = a.has("method") ? a.list("method", null, METHODS) : a.list("methods", METHODS, METHODS);
        return new Options(Path.of(shared), datasets, methods, a.positiveInt("epochs", 4), a.intAtLeast("max-seq-len", 128, 2),
                a.positiveInt("batch-size", 32), a.intAtLeast("limit", 0, 0), a.has("out") ? Path.of(a.get("out", "")) : null,
                a.positiveDouble("lr-head", 2e-3), a.positiveDouble("lr-lora", 1e-3), a.positiveDouble("lr-full", 5e-5),
                a.positiveDouble("lr-slicefine", 5e-3), clip, a.intAtLeast("seed", 42, 0));
    }

    static Path modelDir(Path shared) {
        return shared.resolve("models").resolve(MODEL);
    }

    static Path trainFile(Path shared, String dataset) {
        return shared.resolve("datasets").resolve(dataset + ".train.jsonl");
    }

    /** The held-out file: {@code NAME.validation.jsonl} when present, else {@code NAME.test.jsonl}. */
    static Path heldOutFile(Path shared, String dataset) {
        Path v = shared.resolve("datasets").resolve(dataset + ".validation.jsonl");
        return Files.exists(v) ? v : shared.resolve("datasets").resolve(dataset + ".test.jsonl");
    }

    static int run(Args a, PrintStream out, PrintStream err) {
        Options o = options(a);
        if (!Files.isDirectory(o.shared()) || !Files.isDirectory(modelDir(o.shared()))) {
            out.println("bench quality: skipped: the shared folder " + o.shared() + " (with models/" + MODEL
                    + " and datasets/) is not there");
            return 0;
        }
        if (a.flag("child")) {
            if (o.datasets().size() != 1 || o.methods().size() != 1) {
                throw new Args.UsageException("bench quality --child: give one --dataset and one --method");
            }
            return child(o, o.datasets().get(0), o.methods().get(0), out, err);
        }
        out.printf(Locale.ROOT, "bench quality: %s, epochs %d, batch %d, max len %d%s, AdamW wd 0, linear schedule with 10%% warm-up, grad clip %s%n",
                MODEL, o.epochs(), o.batchSize(), o.maxSeqLen(), o.limit() > 0 ? ", first " + o.limit() + " training examples" : "",
                o.gradClip() > 0 ? String.valueOf(o.gradClip()) : "off");
        ObjectNode report = BenchCommand.JSON.createObjectNode();
        report.put("bench", "quality");
        report.put("model", MODEL);
        report.put("epochs", o.epochs());
        report.put("batch_size", o.batchSize());
        report.put("max_seq_len", o.maxSeqLen());
        report.put("limit", o.limit());
        report.put("grad_clip", o.gradClip());
        ArrayNode runs = report.putArray("runs");
        List<JsonNode> results = new ArrayList<>();
        boolean failed = false;
        for (String d : o.datasets()) {
            for (String m : o.methods()) {
                List<String> args = new ArrayList<>(List.of("bench", "quality", "--child", "--shared", o.shared().toString(),
                        "--dataset", d, "--method", m, "--epochs", String.valueOf(o.epochs()), "--max-seq-len", String.valueOf(o.maxSeqLen()),
                        "--batch-size", String.valueOf(o.batchSize()), "--limit", String.valueOf(o.limit()),
                        "--lr-" + m, String.valueOf(o.lr(m)), "--grad-clip", String.valueOf(o.gradClip()), "--seed", String.valueOf(o.seed())));
                out.printf("-- %s / %s (lr %s)%n", d, m, o.lr(m));
                JsonNode r;
                try {
                    ChildJvm.Result c = ChildJvm.run(args, out);
                    r = c.exitCode() == 0 ? c.json() : null;
                    if (r == null) {
                        err.println("bench quality: " + d + " / " + m + " failed (exit " + c.exitCode() + ")");
                    }
                } catch (Exception e) {
                    err.println("bench quality: cannot run " + d + " / " + m + ": " + e);
                    r = null;
                }
                if (r == null) {
                    failed = true;
                    ObjectNode f = BenchCommand.JSON.createObjectNode();
                    f.put("dataset", d);
                    f.put("method", m);
                    f.put("failed", true);
                    r = f;
                }
                results.add(r);
                runs.add(r);
                write(o.out(), report);
            }
        }
        out.print(table(results));
        out.println(report);
        write(o.out(), report);
        return failed ? 1 : 0;
    }

    static String table(List<JsonNode> results) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : results) {
            if (r.path("failed").asBoolean(false)) {
                rows.add(List.of(r.path("dataset").asText(), r.path("method").asText(), "-", "failed", "-", "-", "-", "-", "-"));
                continue;
            }
            rows.add(List.of(r.path("dataset").asText(), r.path("method").asText(), r.path("lr").asText(),
                    String.format(Locale.ROOT, "%.4f", r.path("accuracy").asDouble(Double.NaN)),
                    Stats.count(r.path("trainable_parameters").asLong(-1)), String.valueOf(r.path("steps").asInt()),
                    String.format(Locale.ROOT, "%.1f", r.path("train_seconds").asDouble(Double.NaN)),
                    String.format(Locale.ROOT, "%.1f", r.path("wall_seconds").asDouble(Double.NaN)),
                    Stats.mib(r.path("peak_rss_kib").asLong(-1))));
        }
        return Stats.table(List.of("dataset", "method", "lr", "accuracy", "trainable params", "steps", "train s", "wall s", "peak RSS MiB"), rows);
    }

    private static void write(Path file, ObjectNode report) {
        if (file == null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BenchCommand.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), report);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Non-blank lines of a JSONL file (at most {@code limit} when > 0): the examples the run will see. */
    static int examples(Path file, int limit) {
        try (Stream<String> lines = Files.lines(file)) {
            long n = lines.filter(l -> !l.isBlank()).count();
            return (int) (limit > 0 ? Math.min(n, limit) : n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static TrainConfig trainConfig(Options o, String method, int examples) {
        int total = o.epochs() * Math.max(1, (examples + o.batchSize() - 1) / o.batchSize());
        int warmup = Math.max(1, total / 10);
        return new TrainConfig(Task.TEXT_CLASSIFICATION, "adamw", o.lr(method), 0.0, 0.9, 0.999, 1e-8, LrSchedule.Kind.LINEAR, warmup,
                o.epochs(), 0, o.batchSize(), o.maxSeqLen(), o.gradClip(), 0, 0, 0, 10, o.seed());
    }

    private static int child(Options o, String dataset, String method, PrintStream out, PrintStream err) {
        long t0 = System.nanoTime();
        Path train = trainFile(o.shared(), dataset);
        Path heldOut = heldOutFile(o.shared(), dataset);
        TrainConfig tc = trainConfig(o, method, examples(train, o.limit()));
        Path tmp;
        try {
            tmp = Files.createTempDirectory("slicefine-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            FineTuneSpec spec = new FineTuneSpec(modelDir(o.shared()), train, heldOut, 0, null, method, SliceConfig.defaults(),
                    LoraConfig.defaults(), tc, tmp.resolve("artifact"), null, o.limit());
            String tag = dataset + "/" + method;
            FineTune.Outcome outcome = FineTune.run(spec, new TrainListener() {
                @Override
                public void onEvent(TrainEvent event) {
                    if (event instanceof TrainEvent.StepMetrics m) {
                        err.printf(Locale.ROOT, "[%s] step %d/%d epoch %d loss %.4f lr %.2e %.1f s%n", tag, m.step(), m.totalSteps(),
                                m.epoch(), m.loss(), m.lr(), m.elapsedSeconds());
                    } else if (!(event instanceof TrainEvent.SliceMoved)) {
                        err.printf("[%s] %s %s%n", tag, event.type(), event.data());
                    }
                }
            });
            JsonNode metrics = outcome.manifest().get("metrics");
            ObjectNode j = BenchCommand.JSON.createObjectNode();
            j.put("dataset", dataset);
            j.put("method", method);
            j.put("lr", o.lr(method));
            j.put("held_out", heldOut.getFileName().toString());
            j.put("accuracy", metrics.path("accuracy").asDouble(Double.NaN));
            j.put("eval_loss", metrics.path("eval_loss").asDouble(Double.NaN));
            j.put("final_loss", metrics.path("final_loss").asDouble(Double.NaN));
            j.put("trainable_parameters", metrics.path("trainable_parameters").asLong(-1));
            j.put("steps", metrics.path("steps").asInt());
            j.put("warmup_steps", tc.warmupSteps());
            j.put("train_seconds", BenchCommand.round(metrics.path("train_seconds").asDouble(Double.NaN)));
            j.put("wall_seconds", BenchCommand.round((System.nanoTime() - t0) / 1e9));
            j.put("peak_rss_kib", Stats.peakRssKib());
            out.println(j);
            return 0;
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
