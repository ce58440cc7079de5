package dev.slicefine.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.models.ModelInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Batches of a {@link Dataset}. Epoch e visits the examples in a Fisher–Yates permutation drawn from
 * {@code new java.util.Random(seed * 31 + e)}, so batch(step) depends only on (seed, step); the last batch of an
 * epoch keeps the remainder. Text is truncated to maxSeqLen and right-padded to the longest example of its batch.
 */
public final class ExampleBatches implements BatchSource {
    /** The label PyTorch's cross-entropy ignores: prompt and padding positions of a causal LM. */
    public static final long IGNORE_INDEX = -100;

    private final Dataset dataset;
    private final int batchSize;
    private final long seed;
    private final int maxSeqLen;
    private final int padId;
    private final boolean pairs;
    private volatile Permutation cached;

    private record Permutation(int epoch, int[] order) {}

    private ExampleBatches(Dataset dataset, int batchSize, long seed, int maxSeqLen, int padId) {
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("the dataset has no example");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.seed = seed;
        this.maxSeqLen = maxSeqLen;
        this.padId = padId;
        this.pairs = dataset.examples().stream().anyMatch(e -> e instanceof Example.Text t && t.tokenTypeIds() != null);
    }

    /**
     * Text batches. maxSeqLen: truncate longer examples (0: never); padId: the tokenizer's pad id, or 0 for a model
     * that has none (LLaMA): padding is masked out of attention and loss either way.
     */
    public static ExampleBatches text(Dataset dataset, int batchSize, long seed, int maxSeqLen, int padId) {
        if (dataset.task() == Task.IMAGE_CLASSIFICATION) {
            throw new IllegalArgumentException("an image dataset has no tokens: use ExampleBatches.images");
        }
        return new ExampleBatches(dataset, batchSize, seed, maxSeqLen, padId);
    }

    public static ExampleBatches images(Dataset dataset, int batchSize, long seed) {
        if (dataset.task() != Task.IMAGE_CLASSIFICATION) {
            throw new IllegalArgumentException("a " + dataset.task().id() + " dataset is text: use ExampleBatches.text");
        }
        return new ExampleBatches(dataset, batchSize, seed, 0, 0);
    }

    @Override
    public int stepsPerEpoch() {
        return (dataset.size() + batchSize - 1) / batchSize;
    }

    @Override
    public int size() {
        return dataset.size();
    }

    public int epochOf(int step) {
        return step / stepsPerEpoch();
    }

    /** The example indices of a training step, in batch order. */
    public int[] indices(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must not be negative, got " + step);
        }
        int[] order = order(epochOf(step));
        int from = (step % stepsPerEpoch()) * batchSize;
        int to = Math.min(order.length, from + batchSize);
        return java.util.Arrays.copyOfRange(order, from, to);
    }

    @Override
    public Batch batch(int step, NDManager manager) {
        return collate(indices(step), manager);
    }

    /** Evaluation: every example once, in dataset order, in {@link #evalSteps()} batches. */
    public int evalSteps() {
        return stepsPerEpoch();
    }

    public Batch evalBatch(int index, NDManager manager) {
        if (index < 0 || index >= evalSteps()) {
            throw new IndexOutOfBoundsException("eval batch " + index + " of " + evalSteps());
        }
        int from = index * batchSize;
        int to = Math.min(dataset.size(), from + batchSize);
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return collate(idx, manager);
    }

    /** All evaluation batches at once (small sets); for large ones, call evalBatch in a scope per batch. */
    public List<Batch> evalBatches(NDManager manager) {
        List<Batch> out = new ArrayList<>(evalSteps());
        for (int i = 0; i < evalSteps(); i++) {
            out.add(evalBatch(i, manager));
        }
        return out;
    }

    /** The permutation of an epoch: Fisher–Yates with java.util.Random(seed * 31 + epoch). */
    int[] order(int epoch) {
        Permutation p = cached;
        if (p != null && p.epoch == epoch) {
            return p.order;
        }
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed * 31 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        cached = new Permutation(epoch, order);
        return order;
    }

    private Batch collate(int[] idx, NDManager m) {
        List<Example> ex = dataset.examples();
        int b = idx.length;
        if (dataset.task() == Task.IMAGE_CLASSIFICATION) {
            Example.Image first = (Example.Image) ex.get(idx[0]);
            int plane = first.pixels().length;
            float[] pixels = new float[b * plane];
            long[] labels = new long[b];
            for (int i = 0; i < b; i++) {
                Example.Image im = (Example.Image) ex.get(idx[i]);
                System.arraycopy(im.pixels(), 0, pixels, i * plane, plane);
                labels[i] = im.label();
            }
            NDArray pv = m.create(pixels, new Shape(b, 3, first.height(), first.width()));
            return new Batch(ModelInputs.image(pv), m.create(labels, new Shape(b)), b, 0);
        }
        long[][] rows = new long[b][];
        int seq = 1;
        for (int i = 0; i < b; i++) {
            rows[i] = truncated(ex.get(idx[i]));
            seq = Math.max(seq, rows[i].length);
        }
        long[] ids = new long[b * seq];
        long[] mask = new long[b * seq];
        long[] types = pairs ? new long[b * seq] : null;
        boolean lm = dataset.task() == Task.CAUSAL_LM;
        long[] labels = lm ? new long[b * seq] : new long[b];
        java.util.Arrays.fill(ids, padId);
        if (lm) {
            java.util.Arrays.fill(labels, IGNORE_INDEX);
        }
        long tokens = 0;
        for (int i = 0; i < b; i++) {
            Example e = ex.get(idx[i]);
            long[] row = rows[i];
            System.arraycopy(row, 0, ids, i * seq, row.length);
            java.util.Arrays.fill(mask, i * seq, i * seq + row.length, 1L);
            tokens += row.length;
            if (e instanceof Example.Text t) {
                labels[i] = t.label();
                if (types != null && t.tokenTypeIds() != null) {
                    long[] tt = keepSuffix(t.tokenTypeIds(), t.specialSuffix());
                    System.arraycopy(tt, 0, types, i * seq, tt.length);
                }
            } else if (e instanceof Example.Lm l) {
                System.arraycopy(l.labels(), 0, labels, i * seq, row.length);
            }
        }
        Shape shape = new Shape(b, seq);
        NDArray typeIds = types == null ? null : m.create(types, shape);
        ModelInputs in = new ModelInputs(m.create(ids, shape), m.create(mask, shape), typeIds, null);
        return new Batch(in, m.create(labels, lm ? shape : new Shape(b)), b, tokens);
    }

    /** Classification keeps the trailing [SEP] as the tokenizer's own truncation would; a causal LM is cut. */
    private long[] truncated(Example e) {
        if (e instanceof Example.Text t) {
            return keepSuffix(t.inputIds(), t.specialSuffix());
        }
        long[] ids = ((Example.Lm) e).inputIds();
        return maxSeqLen > 0 && ids.length > maxSeqLen ? java.util.Arrays.copyOf(ids, maxSeqLen) : ids;
    }

    private long[] keepSuffix(long[] v, int suffix) {
        if (maxSeqLen <= 0 || v.length <= maxSeqLen) {
            return v;
        }
        int keepTail = Math.min(suffix, maxSeqLen);
        long[] out = java.util.Arrays.copyOf(v, maxSeqLen);
        System.arraycopy(v, v.length - keepTail, out, maxSeqLen - keepTail, keepTail);
        return out;
    }
}
