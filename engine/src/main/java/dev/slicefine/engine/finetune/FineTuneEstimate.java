package dev.slicefine.engine.finetune;

import dev.slicefine.engine.config.ConfigErrors;
import dev.slicefine.engine.data.DatasetSplit;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.CheckpointLayout;
import dev.slicefine.engine.models.Heads;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.peft.slice.SliceConfig;
import dev.slicefine.engine.peft.slice.SliceMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a run of a config would train and write, computed before it runs from config.json and the safetensors headers
 * (no weights read): trainable parameters as the run's {@code started} event reports them (the training methods count
 * with the same {@link SliceConfig#sliceParams} / {@code LoraConfig.layerParams} and the same head rule,
 * {@link Heads}), the total parameters of the model being trained (fresh head included), the steps, and
 * {@code diffBytes}: the tensor payload of the result file (diff.safetensors for slicefine / head, the adapter's
 * safetensors for lora, model.safetensors for full as float32), i.e. the file size less its 8-byte length and JSON
 * header. For slicefine the slices visit positions by {@link SliceConfig#openPosition}, one slice per
 * {@code move_steps} steps begun; early stopping and rank decay can only make the real diff smaller.
 */
public record FineTuneEstimate(String method, long trainableParams, long totalParams, int steps, long diffBytes,
                               List<TargetLayer> targetLayers) {
    private static final long F32 = 4;
    private static final long I32 = 4;

    /** One target weight: its trainable values (a slice counts once, in the first mode, as the started event counts). */
    public record TargetLayer(String layer, long[] shape, String mode, int rank, long trainable) {}

    /**
     * What the estimate needs of the training data: examples per label (classification, in label order) or the
     * number of examples (causal LM, labelCounts empty).
     */
    public record DataShape(Map<String, Long> labelCounts, long examples) {}

    public double trainableFraction() {
        return totalParams == 0 ? 0 : trainableParams / (double) totalParams;
    }

    /**
     * {@code separateValidation}: the job has its own validation dataset (then validation_split is not applied, as in
     * {@link FineTuneConfig#toSpec}). Throws {@link dev.slicefine.engine.config.InvalidConfigException} when the config
     * does not fit the model (the same errors as {@link FineTuneConfig#checkAgainstModel}).
     */
    public static FineTuneEstimate of(FineTuneConfig c, Path modelDir, DataShape data, boolean separateValidation) {
        ConfigErrors errors = new ConfigErrors();
        errors.addAll(c.checkAgainstModel(modelDir));
        errors.throwIfAny();
        ModelConfig config = ModelConfigs.read(modelDir);
        Map<String, long[]> loaded;
        Map<String, long[]> head = new LinkedHashMap<>();
        Map<String, long[]> biases = new LinkedHashMap<>();
        Map<String, long[]> linears = FineTuneConfig.linearLayers(config, modelDir);
        List<String> targets = switch (c.method()) {
            case "slicefine" -> FineTuneConfig.select(config, linears, c.slicefine().targets(), "slicefine.targets", errors);
            case "lora" -> FineTuneConfig.select(config, linears, c.lora().targets(), "lora.targets", errors);
            default -> List.of();
        };
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            CheckpointLayout layout = CheckpointLayout.of(config, source);
            loaded = new LinkedHashMap<>(layout.expected());
            if (c.task() != Task.CAUSAL_LM) {
                int n = data.labelCounts().size();
                boolean kept = Heads.keepsHead(layout.head(), config, n);
                boolean newPooler = !kept && config.family() == ModelFamily.BERT
                        && !source.contains(layout.prefix() + "pooler.dense.weight");
                head.putAll(Heads.freshHead(config, layout.prefix(), newPooler, n));
                loaded.putAll(head);
            }
            if (c.method().equals("slicefine") && c.slicefine().bias()) {
                for (String t : targets) {
                    if (source.contains(t + ".bias")) {
                        biases.put(t + ".bias", source.info(t + ".bias").shape());
                    }
                }
            }
        }
        long total = numel(loaded.values());
        int steps = steps(c, data, separateValidation);
        List<TargetLayer> layers = new ArrayList<>();
        long trainable;
        long bytes;
        switch (c.method()) {
            case "slicefine" -> {
                SliceConfig s = c.slicefine();
                SliceMode first = s.modes().get(0);
                trainable = numel(head.values()) + numel(biases.values());
                bytes = (numel(head.values()) + numel(biases.values())) * F32;
                int slices = (steps + s.moveSteps() - 1) / s.moveSteps();
                for (String t : targets) {
                    long[] shape = linears.get(t);
                    long n = SliceConfig.sliceParams(shape[0], shape[1], first, s.rank());
                    trainable += n;
                    layers.add(new TargetLayer(t + ".weight", shape, first.id(), s.rank(), n));
                    bytes += sliceDiffBytes(s, shape, slices);
                }
            }
            case "lora" -> {
                trainable = numel(head.values());
                for (String t : targets) {
                    long[] shape = linears.get(t);
                    long n = c.lora().layerParams(shape[0], shape[1]);
                    trainable += n;
                    layers.add(new TargetLayer(t + ".weight", shape, "lora", c.lora().r(), n));
                }
                bytes = trainable * F32;
            }
            case "full" -> {
                trainable = total;
                bytes = total * F32;
            }
            default -> {
                trainable = numel(head.values());
                bytes = trainable * F32;
            }
        }
        return new FineTuneEstimate(c.method(), trainable, total, steps, bytes, List.copyOf(layers));
    }

    /**
     * The optimizer steps a run of {@code c} on data of this shape takes (what its {@code started} event reports;
     * early stopping can end it sooner): max_steps when set, else epochs x batches of the examples left after the
     * split. The api's job progress uses it for runs that have not started yet.
     */
    public static int steps(FineTuneConfig c, DataShape data, boolean separateValidation) {
        return c.train().totalSteps(stepsPerEpoch(c, data, separateValidation));
    }

    /** Training examples after the split (DatasetSplit's per-group rule), in batches. */
    private static int stepsPerEpoch(FineTuneConfig c, DataShape data, boolean separateValidation) {
        double split = separateValidation ? 0 : c.validationSplit();
        List<Long> groups = c.task() == Task.CAUSAL_LM || data.labelCounts().isEmpty() ? List.of(data.examples())
                : List.copyOf(data.labelCounts().values());
        long rows = 0;
        for (long g : groups) {
            rows += split > 0 ? g - DatasetSplit.testCount(g, split) : g;
        }
        int batch = c.train().batchSize();
        return (int) Math.max(0, (rows + batch - 1) / batch);
    }

    /** The columns / rows {@code slices} consecutive slices visit, stored as F32 values plus an I32 index each. */
    private static long sliceDiffBytes(SliceConfig s, long[] shape, int slices) {
        long out = shape[0];
        long in = shape[1];
        int[] positions = new int[SliceMode.values().length];
        java.util.Arrays.fill(positions, s.position());
        Map<SliceMode, TreeSet<Integer>> visited = new LinkedHashMap<>();
        for (int k = 0; k < slices; k++) {
            SliceMode mode = s.modes().get(k % s.modes().size());
            long dim = mode == SliceMode.ROW ? out : in;
            long extent = SliceConfig.extent(dim, s.maxPosition());
            int p = SliceConfig.openPosition(positions[mode.ordinal()], s.rank(), extent);
            TreeSet<Integer> seen = visited.computeIfAbsent(mode, m -> new TreeSet<>());
            for (int j = 0; j < s.rank(); j++) {
                seen.add(p + j);
            }
            positions[mode.ordinal()] = p + s.rank();
        }
        long bytes = 0;
        for (var e : visited.entrySet()) {
            long length = e.getKey() == SliceMode.COLUMN ? out : in;
            bytes += e.getValue().size() * (length * F32 + I32);
        }
        return bytes;
    }

    private static long numel(Iterable<long[]> shapes) {
        long n = 0;
        for (long[] s : shapes) {
            long x = 1;
            for (long d : s) {
                x *= d;
            }
            n += x;
        }
        return n;
    }
}
