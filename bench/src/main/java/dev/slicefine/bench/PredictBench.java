package dev.slicefine.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.cli.Args;
import dev.slicefine.engine.cli.Main;
import dev.slicefine.engine.predict.GenerationOptions;
import dev.slicefine.engine.predict.LoadedModel;
import dev.slicefine.engine.predict.Predictor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code slicefine bench predict --shared DIR}: what a prediction costs, on the engine's {@link LoadedModel} and
 * {@link Predictor} as the api's prediction endpoints use them. A head-only classifier is trained on all-MiniLM-L6-v2
 * with a few fortunes8 lines (a diff to merge in memory); then one-text latency p50 / p99 at 1 and 8 concurrent clients,
 * cold (load + merge + first prediction; 8 clients arriving together share one load, as the api's cache does) and warm;
 * batch throughput; and llama-tiny (the shared fixture) generation tokens/s with and without the KV cache.
 */
final class PredictBench {
    static final Set<String> OPTIONS = Set.of("shared", "rounds", "warm", "batch", "clients");
    private static final String TEXT = "The best way to predict the future is to invent it.";

    record Options(Path shared, int rounds, int warm, int batch, int clients) {}

    private PredictBench() {}

    static Options options(Args a) {
        String shared = a.get("shared", null);
        if (shared == null) {
            throw new Args.UsageException("bench predict: --shared DIR is required");
        }
        return new Options(Path.of(shared), a.positiveInt("rounds", 5), a.positiveInt("warm", 200), a.positiveInt("batch", 64),
                a.positiveInt("clients", 8));
    }

    static int run(Args a, PrintStream out, PrintStream err) throws Exception {
        Options o = options(a);
        Path tmp = Files.createTempDirectory("slicefine-bench-predict-");
        try {
            return run(o, tmp, out, err);
        } finally {
            try (var walk = Files.walk(tmp)) {
                for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
        }
    }

    private static int run(Options o, Path tmp, PrintStream out, PrintStream err) throws Exception {
        ObjectNode j = BenchCommand.JSON.createObjectNode();
        j.put("bench", "predict");
        j.put("intra_op_threads", System.getProperty("ai.djl.pytorch.num_threads", ""));
        Path model = QualityBench.modelDir(o.shared());
        Path data = QualityBench.trainFile(o.shared(), "fortunes8");
        if (Files.isDirectory(model) && Files.isRegularFile(data)) {
            classifier(o, model, data, tmp.resolve("diff"), j.putObject("classifier"), out, err);
        } else {
            out.println("bench predict: classifier part skipped: " + model + " or " + data + " is missing");
        }
        Path llama = o.shared().resolve("fixtures").resolve("llama-tiny");
        if (Files.isDirectory(llama)) {
            generation(llama, tmp.resolve("llama"), j.putObject("llama_tiny"), out);
        } else {
            out.println("bench predict: generation part skipped: " + llama + " is missing");
        }
        out.println(j);
        return 0;
    }

    private static void classifier(Options o, Path model, Path data, Path diff, ObjectNode j, PrintStream out, PrintStream err)
            throws Exception {
        int code = Main.run(new String[] {"train", "--model", model.toString(), "--task", "text-classification", "--dataset",
                data.toString(), "--method", "head", "--limit", "64", "--max-steps", "2", "--batch-size", "32",
                "--max-seq-len", "64", "--out", diff.toString(), "--log-every", "100"}, err, err);
        if (code != 0) {
            throw new IllegalStateException("training the head to predict with failed (exit " + code + ")");
        }
        int clients = o.clients();
        List<Double> cold1 = new ArrayList<>();
        List<Double> coldN = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int r = 0; r < o.rounds(); r++) {
                long t0 = System.nanoTime();
                try (LoadedModel m = LoadedModel.load(model, diff, 128)) {
                    new Predictor(m).classify(List.of(TEXT));
                    cold1.add(ms(t0));
                }
                long t1 = System.nanoTime();
                CompletableFuture<LoadedModel> shared = new CompletableFuture<>();
                List<Future<Double>> fs = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    boolean loader = c == 0;
                    fs.add(pool.submit(() -> {
                        if (loader) {
                            try {
                                shared.complete(LoadedModel.load(model, diff, 128));
                            } catch (RuntimeException e) {
                                shared.completeExceptionally(e);
                            }
                        }
                        new Predictor(shared.get()).classify(List.of(TEXT));
                        return ms(t1);
                    }));
                }
                for (Future<Double> f : fs) {
                    coldN.add(f.get());
                }
                shared.get().close();
            }
            try (LoadedModel m = LoadedModel.load(model, diff, 128)) {
                Predictor p = new Predictor(m);
                for (int i = 0; i < 20; i++) {
                    p.classify(List.of(TEXT));
                }
                List<Double> warm1 = new ArrayList<>();
                for (int i = 0; i < o.warm(); i++) {
                    long t = System.nanoTime();
                    p.classify(List.of(TEXT));
                    warm1.add(ms(t));
                }
                List<Future<List<Double>>> fs = new ArrayList<>();
                int each = Math.max(1, o.warm() / clients);
                for (int c = 0; c < clients; c++) {
                    fs.add(pool.submit(() -> {
                        List<Double> l = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            long t = System.nanoTime();
                            p.classify(List.of(TEXT));
                            l.add(ms(t));
                        }
                        return l;
                    }));
                }
                List<Double> warmN = new ArrayList<>();
                for (Future<List<Double>> f : fs) {
                    warmN.addAll(f.get());
                }
                List<String> batch = Collections.nCopies(o.batch(), TEXT);
                p.classify(batch);
                long tb = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    p.classify(batch);
                }
                double perSecond = 5.0 * o.batch() / ((System.nanoTime() - tb) / 1e9);
                out.printf(Locale.ROOT, "all-MiniLM-L6-v2 + head-only diff (%d labels), one text of %d characters: latency ms%n",
                        m.labels().size(), TEXT.length());
                List<List<String>> rows = List.of(
                        row("cold (load + merge + predict)", 1, cold1),
                        row("cold, one shared load", clients, coldN),
                        row("warm", 1, warm1),
                        row("warm", clients, warmN));
                out.print(Stats.table(List.of("case", "clients", "p50 ms", "p99 ms", "n"), rows));
                out.printf(Locale.ROOT, "batch of %d texts: %.1f texts/s%n", o.batch(), perSecond);
                put(j.putObject("cold_1"), cold1);
                put(j.putObject("cold_" + clients), coldN);
                put(j.putObject("warm_1"), warm1);
                put(j.putObject("warm_" + clients), warmN);
                j.put("batch", o.batch());
                j.put("batch_texts_per_second", BenchCommand.round(perSecond));
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void generation(Path llama, Path dir, ObjectNode j, PrintStream out) throws Exception {
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(llama.resolve(f), dir.resolve(f));
        }
        Files.copy(llama.resolveSibling("tokenizers").resolve("bpe.json"), dir.resolve("tokenizer.json"));
        try (LoadedModel m = LoadedModel.load(dir, null, 0)) {
            Predictor p = new Predictor(m);
            long[] prompt = {0, 17, 250, 3, 99, 42};
            p.generate(prompt, new GenerationOptions(120, 1.0, 1.0, 1, List.of()), true); // warm-up
            for (boolean cache : new boolean[] {true, false}) {
                long t = System.nanoTime();
                int tokens = 0;
                for (int i = 0; i < 3; i++) {
                    // sampling at temperature 1: no early end on EOS
                    tokens += p.generate(prompt, new GenerationOptions(120, 1.0, 1.0, i, List.of()), cache).tokens().length;
                }
                double perSecond = tokens / ((System.nanoTime() - t) / 1e9);
                out.printf(Locale.ROOT, "llama-tiny generation %s KV cache: %.0f tokens/s (%d tokens)%n", cache ? "with" : "without",
                        perSecond, tokens);
                j.put(cache ? "tokens_per_second_kv_cache" : "tokens_per_second_no_cache", BenchCommand.round(perSecond));
            }
        }
    }

    private static List<String> row(String what, int clients, List<Double> v) {
        double[] q = quantiles(v);
        return List.of(what, String.valueOf(clients), String.format(Locale.ROOT, "%.1f", q[0]),
                String.format(Locale.ROOT, "%.1f", q[1]), String.valueOf(v.size()));
    }

    private static void put(ObjectNode n, List<Double> v) {
        double[] q = quantiles(v);
        n.put("p50_ms", BenchCommand.round(q[0]));
        n.put("p99_ms", BenchCommand.round(q[1]));
        n.put("n", v.size());
    }

    /** p50 and p99 by the nearest-rank rule on the sorted values. */
    static double[] quantiles(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return new double[] {v.get((int) Math.floor(0.5 * (v.size() - 1))), v.get((int) Math.ceil(0.99 * (v.size() - 1)))};
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
