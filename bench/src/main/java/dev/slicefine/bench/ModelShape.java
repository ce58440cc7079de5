package dev.slicefine.bench;

import dev.slicefine.engine.cli.Args;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.HfModels;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.models.ModelWeights;
import dev.slicefine.engine.models.bert.BertConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BertForSequenceClassification of a named shape with random weights, built in memory (normal(0, 0.02) matrices,
 * LayerNorm weights 1, biases 0, pooler + 2-label classifier): what a step costs does not depend on the values.
 */
record ModelShape(String name, int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions, int labels) {
    static final List<String> NAMES = List.of("bert-base", "tiny");

    static ModelShape named(String name) {
        return switch (name) {
            case "bert-base" -> new ModelShape(name, 12, 768, 12, 3072, 30522, 512, 2);
            case "tiny" -> new ModelShape(name, 2, 64, 2, 128, 1000, 512, 2);
            default -> throw new Args.UsageException("step: --model-shape must be one of " + String.join(", ", NAMES) + ", got '" + name + "'");
        };
    }

    String describe() {
        return String.format("%s (%d layers x %d hidden, %d heads, %d intermediate, vocab %d, %d labels)", name, layers, hidden,
                heads, intermediate, vocab, labels);
    }

    BertConfig config() {
        return new BertConfig(ModelFamily.BERT, "BertForSequenceClassification", vocab, hidden, layers, heads, intermediate, "gelu",
                maxPositions, 2, 1e-12, 0, 0.1, 0.1, 0.02, false, labelNames());
    }

    private List<String> labelNames() {
        return java.util.stream.IntStream.range(0, labels).mapToObj(i -> "LABEL_" + i).toList();
    }

    /** Builds the model in a child manager of {@code parent} (closing the model frees it). */
    HfModel build(NDManager parent, long seed) {
        BertConfig config = config();
        NDManager m = parent.newSubManager();
        m.getEngine().setRandomSeed((int) seed);
        Map<String, long[]> shapes = new LinkedHashMap<>(config.expectedBackboneTensors("bert."));
        shapes.put("bert.pooler.dense.weight", new long[] {hidden, hidden});
        shapes.put("bert.pooler.dense.bias", new long[] {hidden});
        shapes.put("classifier.weight", new long[] {labels, hidden});
        shapes.put("classifier.bias", new long[] {labels});
        ModelWeights w = new ModelWeights(m);
        for (var e : shapes.entrySet()) {
            String n = e.getKey();
            Shape s = new Shape(e.getValue());
            if (n.endsWith("LayerNorm.weight")) {
                w.put(n, m.ones(s, DataType.FLOAT32));
            } else if (n.endsWith(".bias")) {
                w.put(n, m.zeros(s, DataType.FLOAT32));
            } else {
                w.put(n, m.randomNormal(0f, 0.02f, s, DataType.FLOAT32));
            }
        }
        return HfModels.build(config, w, "bert.");
    }

    long parameterCount() {
        long n = 0;
        for (long[] s : config().expectedBackboneTensors("bert.").values()) {
            long p = 1;
            for (long d : s) {
                p *= d;
            }
            n += p;
        }
        return n + (long) hidden * hidden + hidden + (long) labels * hidden + labels;
    }
}
