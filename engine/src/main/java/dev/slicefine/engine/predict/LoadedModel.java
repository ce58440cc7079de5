package dev.slicefine.engine.predict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.slicefine.engine.ComputeDevice;
import dev.slicefine.engine.artifact.Merger;
import dev.slicefine.engine.artifact.SliceDiff;
import dev.slicefine.engine.data.ImageSpec;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.io.CheckpointException;
import dev.slicefine.engine.io.Checkpoints;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.Heads;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelConfigs;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.llama.LlamaConfig;
import dev.slicefine.engine.models.vit.VitConfig;
import dev.slicefine.engine.nn.Ops;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A model ready for inference: a base checkpoint, optionally with a result (a SliceFine or head-only slice diff, or a
 * LoRA adapter) merged into its weights in memory, so no merged file is ever written. Owns its native memory: close it to free the weights.
 */
public final class LoadedModel implements AutoCloseable {
    private final NDManager root;
    private final HfModel model;
    private final Task task;
    private final List<String> labels;
    private final TextTokenizer tokenizer;
    private final ImageSpec image;
    private final int padId;
    private final long bytes;

    private LoadedModel(NDManager root, HfModel model, Task task, TextTokenizer tokenizer, ImageSpec image, int padId) {
        this.root = root;
        this.model = model;
        this.task = task;
        this.labels = model.config().labels();
        this.tokenizer = tokenizer;
        this.image = image;
        this.padId = padId;
        this.bytes = model.weights().parameterCount() * Float.BYTES;
    }

    /** The task a checkpoint of this family serves. */
    public static Task taskOf(ModelConfig config) {
        return config.family() == ModelFamily.LLAMA ? Task.CAUSAL_LM
                : config.family() == ModelFamily.VIT ? Task.IMAGE_CLASSIFICATION : Task.TEXT_CLASSIFICATION;
    }

    /**
     * Bytes the loaded model will hold (every tensor widened to float32), read from the checkpoint's headers without
     * loading anything: what a cache needs to decide whether the model fits before paying for the load.
     */
    public static long estimateBytes(Path modelDir) {
        try (TensorSource source = Checkpoints.openTensors(modelDir)) {
            long n = 0;
            for (String name : source.names()) {
                n += source.info(name).numel();
            }
            return n * Float.BYTES;
        }
    }

    /**
     * Loads {@code modelDir} and, when {@code diffDir} is not null, adds the slice diff found there (refusing one made
     * for another base). maxSeqLen truncates text inputs (0: the model's limit is the caller's business).
     */
    public static LoadedModel load(Path modelDir, Path diffDir, int maxSeqLen) {
        return load(modelDir, diffDir, maxSeqLen, ComputeDevice.AUTO);
    }

    /** {@link #load(Path, Path, int)} with the weights on {@code device} (auto is resolved here). */
    public static LoadedModel load(Path modelDir, Path diffDir, int maxSeqLen, ComputeDevice device) {
        ModelConfig config = ModelConfigs.read(modelDir);
        Task task = taskOf(config);
        Merger.Edits diff = diffDir == null ? null : Merger.edits(modelDir, diffDir); // checks the base's sha256
        NDManager root = device.newManager(); // loads the native library first
        JniUtils.setGradMode(false);
        TextTokenizer tokenizer = null;
        try {
            HfModel model = HfModels.load(modelDir, root);
            if (diff != null) {
                model = applyDiff(model, diff, task);
            }
            if (task != Task.CAUSAL_LM && model.head() != HeadKind.CLASSIFICATION) {
                throw new IllegalArgumentException("the model has no classification head: fine-tune it first, or use a "
                        + "checkpoint with id2label and a classifier");
            }
            ImageSpec image = null;
            int pad = 0;
            if (task == Task.IMAGE_CLASSIFICATION) {
                image = ImageSpec.forModel(modelDir, ((VitConfig) config).imageSize());
            } else {
                int limit = config instanceof BertConfig b ? (maxSeqLen > 0 ? Math.min(maxSeqLen, b.maxPositions()) : b.maxPositions()) : 0;
                tokenizer = TextTokenizer.load(modelDir, limit);
                pad = config instanceof BertConfig b ? b.padTokenId() : Math.max(((LlamaConfig) config).padTokenId(), 0);
            }
            return new LoadedModel(root, model, task, tokenizer, image, pad);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            root.close();
            throw e;
        }
    }

    /**
     * Base + result in memory, by the rule the file merge uses ({@link Merger#edits}): a fresh head of the result's
     * labels, then every changed column, row, low-rank update (W + alpha/r B A) and replaced tensor added in.
     */
    private static HfModel applyDiff(HfModel model, Merger.Edits diff, Task task) {
        List<String> labels = diff.labels();
        if (task != Task.CAUSAL_LM && labels.size() >= 2) {
            model = Heads.withClassifier(model, labels, 0);
            if (!model.config().labels().equals(labels)) {
                // the base's head had as many labels: kept as it is, but the diff's names are the truth
                ModelConfig c = model.config();
                ModelConfig named = c instanceof BertConfig b ? b.withClassifier(labels, b.trainPooler())
                        : ((VitConfig) c).withLabels(labels);
                model = HfModels.build(named, model.weights(), model.prefix());
            }
        }
        for (var e : diff.deltas().entrySet()) {
            Merger.Delta d = e.getValue();
            NDArray w = model.weights().getOrNull(e.getKey());
            if (w == null || !Arrays.equals(w.getShape().getShape(), new long[] {d.out(), d.in()})) {
                throw new CheckpointException("the diff changes tensor " + e.getKey() + ", which the model does not have in shape "
                        + d.out() + "x" + d.in());
            }
            float[] values = w.toFloatArray();
            d.applyTo(values);
            Ops.copyInto(w, values);
        }
        for (SliceDiff.Replacement r : diff.replaced().values()) {
            NDArray w = model.weights().getOrNull(r.tensor());
            if (w == null || !Arrays.equals(w.getShape().getShape(), r.shape())) {
                throw new CheckpointException("the diff replaces tensor " + r.tensor() + ", which the model does not have in shape "
                        + Arrays.toString(r.shape()));
            }
            Ops.copyInto(w, r.values());
        }
        return model;
    }

    /**
     * Whether {@code dir} holds a result to add to a base (a SliceFine or head-only slice diff, or a LoRA adapter)
     * rather than a whole checkpoint (a full fine-tuning result).
     */
    public static boolean isDiff(Path dir) {
        return Merger.isDiff(dir);
    }

    public HfModel model() {
        return model;
    }

    public Task task() {
        return task;
    }

    /** Class names in class-id order (empty for a causal LM). */
    public List<String> labels() {
        return labels;
    }

    /** Null for an image model. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Null for a text model. */
    public ImageSpec image() {
        return image;
    }

    public int padId() {
        return padId;
    }

    /** Native bytes held by the weights. */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        root.close();
    }
}
