package dev.slicefine.engine.predict;

import dev.slicefine.engine.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prediction latency and generation speed (not part of the test run). Trains a head-only classifier on all-MiniLM-L6-v2
 * with a few fortunes8 lines (a diff to merge in memory), then measures one-text prediction latency p50/p99 with 1 and 8
 * concurrent clients, cold (load + merge + first prediction; 8 clients share one load, as the api's cache does) and warm,
 * batch throughput, and llama-tiny tokens/s with and without the KV cache.
 *
 * Pass "-" as the model to run the llama-tiny part alone.
 *
 * <pre>java -cp "engine/target/classes:engine/target/test-classes:engine/target/lib/*" -Dai.djl.offline=true \
 *   dev.slicefine.engine.predict.PredictBenchmark ../shared/models/all-minilm-l6-v2 ../shared/datasets/fortunes8.train.jsonl</pre>
 */
public final class PredictBenchmark {
    private PredictBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (!args[0].equals("-")) { // "-": the llama-tiny part alone
            classifier(args);
        }
        generation(Path.of(args.length > 2 ? args[2] : "engine/src/test/resources/fixtures/llama-tiny"));
    }

    private static void classifier(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path data = Path.of(args[1]);
        Path tmp = Files.createTempDirectory("predict-bench");
        Path diff = tmp.resolve("diff");
        int code = Main.run(new String[] {"train", "--model", model.toString(), "--task", "text-classification", "--dataset",
                data.toString(), "--method", "head", "--limit", "64", "--max-steps", "2", "--batch-size", "32",
                "--max-seq-len", "64", "--out", diff.toString(), "--log-every", "100"}, System.err, System.err);
        if (code != 0) {
            throw new IllegalStateException("training the head failed");
        }
        String text = "The best way to predict the future is to invent it.";
        int rounds = 5;
        List<Double> cold1 = new ArrayList<>();
        List<Double> cold8 = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            try (LoadedModel m = LoadedModel.load(model, diff, 128)) {
                new Predictor(m).classify(List.of(text));
                cold1.add(ms(t0));
            }
            // 8 clients arrive together at a cold model: one load, shared
            long t1 = System.nanoTime();
            CompletableFuture<LoadedModel> shared = new CompletableFuture<>();
            List<Future<Double>> fs = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int me = c;
                fs.add(pool.submit(() -> {
                    if (me == 0) {
                        shared.complete(LoadedModel.load(model, diff, 128));
                    }
                    new Predictor(shared.get()).classify(List.of(text));
                    return ms(t1);
                }));
            }
            for (Future<Double> f : fs) {
                cold8.add(f.get());
            }
            shared.get().close();
        }
        try (LoadedModel m = LoadedModel.load(model, diff, 128)) {
            Predictor p = new Predictor(m);
            for (int i = 0; i < 20; i++) {
                p.classify(List.of(text));
            }
            List<Double> warm1 = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long t = System.nanoTime();
                p.classify(List.of(text));
                warm1.add(ms(t));
            }
            List<Future<List<Double>>> fs = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                fs.add(pool.submit(() -> {
                    List<Double> l = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        long t = System.nanoTime();
                        p.classify(List.of(text));
                        l.add(ms(t));
                    }
                    return l;
                }));
            }
            List<Double> warm8 = new ArrayList<>();
            for (Future<List<Double>> f : fs) {
                warm8.addAll(f.get());
            }
            List<String> batch = Collections.nCopies(64, text);
            p.classify(batch);
            long tb = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                p.classify(batch);
            }
            double perSecond = 5 * 64 / ((System.nanoTime() - tb) / 1e9);
            System.out.printf("all-MiniLM-L6-v2 + head diff, one text (%d labels): latency ms p50 / p99%n", m.labels().size());
            System.out.printf("  cold (load + merge + predict), 1 client : %s%n", pct(cold1));
            System.out.printf("  cold, 8 concurrent clients (one load)  : %s%n", pct(cold8));
            System.out.printf("  warm, 1 client                         : %s%n", pct(warm1));
            System.out.printf("  warm, 8 concurrent clients             : %s%n", pct(warm8));
            System.out.printf("  batch of 64 texts: %.0f texts/s%n", perSecond);
        }
        pool.shutdown();
    }

    private static void generation(Path llama) throws Exception {
        Path tmp = Files.createTempDirectory("predict-bench");
        Path llamaDir = tmp.resolve("llama");
        Files.createDirectories(llamaDir);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(llama.resolve(f), llamaDir.resolve(f));
        }
        Files.copy(llama.resolveSibling("tokenizers").resolve("bpe.json"), llamaDir.resolve("tokenizer.json"));
        try (LoadedModel m = LoadedModel.load(llamaDir, null, 0)) {
            Predictor p = new Predictor(m);
            long[] prompt = {0, 17, 250, 3, 99, 42};
            GenerationOptions o = new GenerationOptions(120, 1.0, 1.0, 1, List.of()); // sampling: no early EOS stop bias
            p.generate(prompt, o, true);
            for (boolean cache : new boolean[] {true, false}) {
                long t = System.nanoTime();
                int tokens = 0;
                for (int i = 0; i < 3; i++) {
                    tokens += p.generate(prompt, new GenerationOptions(120, 1.0, 1.0, i, List.of()), cache).tokens().length;
                }
                System.out.printf("llama-tiny generation %s KV cache: %.0f tokens/s (%d tokens)%n", cache ? "with" : "without",
                        tokens / ((System.nanoTime() - t) / 1e9), tokens);
            }
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String pct(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        double p50 = v.get((int) Math.floor(0.5 * (v.size() - 1)));
        double p99 = v.get((int) Math.ceil(0.99 * (v.size() - 1)));
        return String.format("%.1f / %.1f (n=%d)", p50, p99, v.size());
    }
}
