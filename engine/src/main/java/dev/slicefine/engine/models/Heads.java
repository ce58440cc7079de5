package dev.slicefine.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.vit.VitConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives a model the classification head a task needs: kept when the checkpoint's head already has these labels,
 * otherwise initialised fresh (normal(0, initializer_range), zero bias, as transformers initialises it). A BERT encoder
 * without a pooler (a sentence-transformers checkpoint) gets a fresh pooler too, trained with the classifier, so the
 * result is a plain BertForSequenceClassification (transformers has no config key for any other pooling).
 */
public final class Heads {
    private Heads() {}

    public static HfModel withClassifier(HfModel model, List<String> labels, long seed) {
        String prefix = model.prefix();
        ModelConfig config = model.config();
        if (config.family() == ModelFamily.LLAMA) {
            throw new IllegalArgumentException("a causal LM has no classification head: use the causal-lm task");
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("classification needs at least 2 labels, got " + labels);
        }
        if (keepsHead(model.head(), config, labels.size())) {
            return model;
        }
        ModelWeights w = model.weights();
        int n = labels.size();
        boolean newPooler = config.family() == ModelFamily.BERT && !w.contains(prefix + "pooler.dense.weight");
        Map<String, long[]> fresh = freshHead(config, prefix, newPooler, n);
        ModelConfig newConfig;
        if (config instanceof BertConfig b) {
            newConfig = b.family() == ModelFamily.ROBERTA ? b.withClassifier(labels, false) : b.withClassifier(labels, newPooler);
        } else {
            newConfig = ((VitConfig) config).withLabels(labels);
        }
        double std = config instanceof BertConfig b ? b.initializerRange() : 0.02;
        NDManager m = w.manager();
        m.getEngine().setRandomSeed((int) seed);
        for (var e : fresh.entrySet()) {
            Shape shape = new Shape(e.getValue());
            NDArray a = e.getKey().endsWith(".bias") ? m.zeros(shape, DataType.FLOAT32) : m.randomNormal(0f, (float) std, shape, DataType.FLOAT32);
            w.put(e.getKey(), a);
        }
        return HfModels.build(newConfig, w, prefix);
    }

    /** Whether a checkpoint's own classification head serves a task with {@code labels} classes (else a fresh one). */
    public static boolean keepsHead(HeadKind head, ModelConfig config, int labels) {
        return head == HeadKind.CLASSIFICATION && config.labels().size() == labels;
    }

    /**
     * The tensors (name, shape) of a fresh classification head over {@code n} labels; {@code newPooler}: a BERT encoder
     * without a pooler gets one, trained with the classifier.
     */
    public static Map<String, long[]> freshHead(ModelConfig config, String prefix, boolean newPooler, int n) {
        long h = config.hiddenSize();
        Map<String, long[]> fresh = new LinkedHashMap<>();
        if (config.family() == ModelFamily.ROBERTA) {
            fresh.put("classifier.dense.weight", new long[] {h, h});
            fresh.put("classifier.dense.bias", new long[] {h});
            fresh.put("classifier.out_proj.weight", new long[] {n, h});
            fresh.put("classifier.out_proj.bias", new long[] {n});
        } else {
            if (newPooler) {
                fresh.put(prefix + "pooler.dense.weight", new long[] {h, h});
                fresh.put(prefix + "pooler.dense.bias", new long[] {h});
            }
            fresh.put("classifier.weight", new long[] {n, h});
            fresh.put("classifier.bias", new long[] {n});
        }
        return fresh;
    }
}
