package dev.slicefine.engine.models;

import dev.slicefine.engine.io.DType;
import dev.slicefine.engine.io.TensorInfo;
import dev.slicefine.engine.io.TensorSource;
import dev.slicefine.engine.models.bert.BertConfig;
import dev.slicefine.engine.models.llama.LlamaConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a checkpoint's tensors against what its config says the model holds: the name prefix, the head, and every
 * missing, unexpected or mis-shaped tensor (problems), plus tensors that are safe to ignore (warnings).
 */
public record CheckpointLayout(String prefix, HeadKind head, Map<String, long[]> expected, Set<String> ignored,
                               List<String> problems, List<String> warnings) {
    private static final Set<DType> FLOATING = EnumSet.of(DType.F64, DType.F32, DType.F16, DType.BF16);

    public boolean valid() {
        return problems.isEmpty();
    }

    /** The tensors to load: every expected one that the checkpoint holds. */
    public Set<String> tensorsToLoad() {
        return expected.keySet();
    }

    public static CheckpointLayout of(ModelConfig config, TensorSource source) {
        String prefix = prefixOf(config, source);
        Map<String, long[]> expected = new LinkedHashMap<>(config.expectedBackboneTensors(prefix));
        HeadKind head = addHead(config, source, prefix, expected);
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> ignored = new LinkedHashSet<>();
        for (var e : expected.entrySet()) {
            if (!source.contains(e.getKey())) {
                problems.add("tensor " + e.getKey() + " is missing (the config needs it with shape " + Arrays.toString(e.getValue()) + ")");
                continue;
            }
            TensorInfo info = source.info(e.getKey());
            if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + Arrays.toString(info.shape()) + " but the config implies "
                        + Arrays.toString(e.getValue()));
            }
            if (!FLOATING.contains(info.dtype())) {
                problems.add("tensor " + e.getKey() + " has dtype " + info.dtype().headerName() + ", a weight must be floating point");
            }
        }
        for (String name : source.names()) {
            if (expected.containsKey(name)) {
                continue;
            }
            if (isHarmless(name, prefix)) {
                ignored.add(name);
                warnings.add("tensor " + name + " is not used by the model and is ignored");
            } else {
                problems.add("tensor " + name + " is unexpected for a " + config.family().modelType() + " checkpoint with this config");
            }
        }
        return new CheckpointLayout(prefix, head, expected, ignored, problems, warnings);
    }

    private static String prefixOf(ModelConfig config, TensorSource source) {
        return switch (config.family()) {
            case BERT -> source.contains("bert.embeddings.word_embeddings.weight") ? "bert." : bare(source, "bert.");
            case ROBERTA -> source.contains("roberta.embeddings.word_embeddings.weight") ? "roberta." : bare(source, "roberta.");
            case VIT -> "vit.";
            case LLAMA -> "model.";
        };
    }

    private static String bare(TensorSource source, String usual) {
        return source.contains("embeddings.word_embeddings.weight") ? "" : usual;
    }

    private static HeadKind addHead(ModelConfig config, TensorSource source, String prefix, Map<String, long[]> expected) {
        long h = config.hiddenSize();
        long labels = config.labels().size(); // as transformers reads config.json: id2label, else num_labels (default 2)
        switch (config.family()) {
            case BERT -> {
                if (source.contains("classifier.weight")) {
                    long n = labels;
                    expected.put(prefix + "pooler.dense.weight", new long[] {h, h});
                    expected.put(prefix + "pooler.dense.bias", new long[] {h});
                    expected.put("classifier.weight", new long[] {n, h});
                    expected.put("classifier.bias", new long[] {n});
                    return HeadKind.CLASSIFICATION;
                }
                if (source.contains(prefix + "pooler.dense.weight")) {
                    // loaded, as BertForSequenceClassification loads it, for a classifier to be put on top
                    expected.put(prefix + "pooler.dense.weight", new long[] {h, h});
                    expected.put(prefix + "pooler.dense.bias", new long[] {h});
                }
                return HeadKind.EMBEDDING;
            }
            case ROBERTA -> {
                if (source.contains("classifier.out_proj.weight")) {
                    long n = labels;
                    expected.put("classifier.dense.weight", new long[] {h, h});
                    expected.put("classifier.dense.bias", new long[] {h});
                    expected.put("classifier.out_proj.weight", new long[] {n, h});
                    expected.put("classifier.out_proj.bias", new long[] {n});
                    return HeadKind.CLASSIFICATION;
                }
                return HeadKind.EMBEDDING;
            }
            case VIT -> {
                if (source.contains("classifier.weight")) {
                    long n = labels;
                    expected.put("classifier.weight", new long[] {n, h});
                    expected.put("classifier.bias", new long[] {n});
                    return HeadKind.CLASSIFICATION;
                }
                return HeadKind.EMBEDDING;
            }
            case LLAMA -> {
                LlamaConfig c = (LlamaConfig) config;
                if (!c.tieWordEmbeddings()) {
                    expected.put("lm_head.weight", new long[] {c.vocabSize(), h});
                }
                return HeadKind.CAUSAL_LM;
            }
        }
        throw new IllegalStateException();
    }

    /** Buffers and pre-training heads that real checkpoints carry and that a fine-tuning run does not use. */
    private static boolean isHarmless(String name, String prefix) {
        return name.endsWith("embeddings.position_ids")
                || name.endsWith("rotary_emb.inv_freq")
                || name.equals("lm_head.weight")
                || name.startsWith("cls.")
                || name.startsWith("lm_head.")
                || name.startsWith(prefix + "pooler.")
                || name.startsWith("pooler.");
    }
}
