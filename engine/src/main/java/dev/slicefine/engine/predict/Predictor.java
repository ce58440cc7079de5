package dev.slicefine.engine.predict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.slicefine.engine.data.Batch;
import dev.slicefine.engine.data.Dataset;
import dev.slicefine.engine.data.Example;
import dev.slicefine.engine.data.ExampleBatches;
import dev.slicefine.engine.data.ImagePreprocessor;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.llama.KvCache;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.models.llama.LlamaModel;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Inference on a {@link LoadedModel}: class probabilities for texts or images, and causal-LM generation with a KV
 * cache. Safe to call from several threads at once on one model (eval mode, no gradients, per-call scopes).
 */
public final class Predictor {
    private final LoadedModel loaded;

    public Predictor(LoadedModel loaded) {
        this.loaded = loaded;
    }

    /** Softmax of one row of logits, in double precision. */
    public static double[] softmax(float[] logits, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double sum = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[from + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Class probabilities (B x labels) of one collated batch. */
    public double[][] probabilities(ModelInputs inputs) {
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            NDArray logits = loaded.model().forward(inputs, false).logits();
            int n = (int) logits.getShape().get(1);
            float[] flat = logits.toFloatArray();
            double[][] out = new double[flat.length / n][];
            for (int i = 0; i < out.length; i++) {
                out[i] = softmax(flat, i * n, n);
            }
            return out;
        }
    }

    public List<ClassPrediction> classify(List<String> texts) {
        requireTask(Task.TEXT_CLASSIFICATION);
        TextTokenizer tok = loaded.tokenizer();
        List<Example> examples = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            TextTokenizer.Encoded e = tok.encode(texts.get(i)); // truncated by the tokenizer, [SEP] kept
            examples.add(new Example.Text(i + 1, e.ids(), null, 0, 0));
        }
        return classifyExamples(examples, Task.TEXT_CLASSIFICATION);
    }

    public List<ClassPrediction> classifyImages(List<BufferedImage> images) {
        requireTask(Task.IMAGE_CLASSIFICATION);
        List<Example> examples = new ArrayList<>(images.size());
        var spec = loaded.image();
        for (int i = 0; i < images.size(); i++) {
            examples.add(new Example.Image("#" + i, ImagePreprocessor.pixels(images.get(i), spec), spec.height(), spec.width(), 0));
        }
        return classifyExamples(examples, Task.IMAGE_CLASSIFICATION);
    }

    private List<ClassPrediction> classifyExamples(List<Example> examples, Task task) {
        List<String> labels = loaded.labels();
        Dataset d = new Dataset(task, examples, labels, null);
        ExampleBatches batches = task == Task.IMAGE_CLASSIFICATION ? ExampleBatches.images(d, examples.size(), 0)
                : ExampleBatches.text(d, examples.size(), 0, 0, loaded.padId());
        double[][] probs;
        try (NDManager m = loaded.model().weights().manager().newSubManager(); NDScope scope = new NDScope()) {
            Batch b = batches.evalBatch(0, m);
            probs = probabilities(b.inputs());
        }
        List<ClassPrediction> out = new ArrayList<>(probs.length);
        for (double[] p : probs) {
            int best = argMax(p);
            Map<String, Double> all = new LinkedHashMap<>();
            for (int j = 0; j < p.length; j++) {
                all.put(labels.get(j), p[j]);
            }
            out.add(new ClassPrediction(labels.get(best), p[best], all));
        }
        return out;
    }

    public Generation generate(String prompt, GenerationOptions options) {
        requireTask(Task.CAUSAL_LM);
        long[] ids = loaded.tokenizer().encode(prompt).ids();
        return generate(ids, options, true);
    }

    /**
     * Continues the prompt's token ids. withCache false recomputes the whole sequence for every token (the reference the
     * cached path is tested against, and the baseline of the benchmark).
     */
    public Generation generate(long[] promptIds, GenerationOptions options, boolean withCache) {
        requireTask(Task.CAUSAL_LM);
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        JniUtils.setGradMode(false);
        LlamaModel model = (LlamaModel) loaded.model();
        LlamaConfig config = model.config();
        int eos = config.eosTokenId();
        Random random = new Random(options.seed());
        long[] seq = Arrays.copyOf(promptIds, promptIds.length + options.maxNewTokens());
        int len = promptIds.length;
        String finish = "length";
        String text = "";
        long started = System.nanoTime();
        long decodeStart = started;
        try (NDManager m = model.weights().manager().newSubManager(); KvCache cache = new KvCache(m, config.numLayers())) {
            for (int step = 0; step < options.maxNewTokens(); step++) {
                float[] logits;
                try (NDScope scope = new NDScope()) {
                    NDArray out;
                    if (withCache) {
                        long[] fresh = Arrays.copyOfRange(seq, (int) cache.length(), len);
                        out = model.forwardCached(m.create(fresh, new Shape(1, fresh.length)), cache);
                    } else {
                        NDArray ids = m.create(Arrays.copyOf(seq, len), new Shape(1, len));
                        out = model.forward(ModelInputs.text(ids, m.ones(new Shape(1, len), ai.djl.ndarray.types.DataType.INT64)), false).logits();
                    }
                    long s = out.getShape().get(1);
                    logits = out.get(0).get(s - 1).toFloatArray();
                }
                if (step == 0) {
                    decodeStart = System.nanoTime();
                }
                int next = pick(logits, options, random);
                if (next == eos) {
                    finish = "eos";
                    break;
                }
                seq[len++] = next;
                if (!options.stop().isEmpty()) {
                    String sofar = loaded.tokenizer().decode(Arrays.copyOfRange(seq, promptIds.length, len));
                    int at = firstStop(sofar, options.stop());
                    if (at >= 0) {
                        text = sofar.substring(0, at);
                        finish = "stop";
                        break;
                    }
                }
            }
        }
        long[] generated = Arrays.copyOfRange(seq, promptIds.length, len);
        if (!finish.equals("stop")) {
            text = loaded.tokenizer().decode(generated);
        }
        double seconds = (System.nanoTime() - decodeStart) / 1e9;
        double tps = generated.length > 1 && seconds > 0 ? (generated.length - 1) / seconds : 0;
        return new Generation(text, generated, finish, promptIds.length, tps);
    }

    private static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Greedy at temperature 0; otherwise temperature-scaled nucleus sampling. */
    static int pick(float[] logits, GenerationOptions o, Random random) {
        if (o.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        float[] scaled = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            scaled[i] = (float) (logits[i] / o.temperature());
        }
        double[] p = softmax(scaled, 0, scaled.length);
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double mass = 0;
        int keep = 0;
        while (keep < order.length && (keep == 0 || mass < o.topP())) {
            mass += p[order[keep++]];
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < keep; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static int argMax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    private void requireTask(Task task) {
        if (loaded.task() != task) {
            throw new IllegalArgumentException("this model does " + loaded.task().id() + ", not " + task.id());
        }
    }
}
