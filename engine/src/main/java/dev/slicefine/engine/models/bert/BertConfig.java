package dev.slicefine.engine.models.bert;

import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.ConfigJson;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** BERT and RoBERTa encoders (they share a layout; RoBERTa differs in position ids and its classification head). */
public record BertConfig(
        ModelFamily family,
        String architecture,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        double hiddenDropout,
        double attentionDropout,
        double initializerRange,
        boolean trainPooler,
        List<String> labels) implements ModelConfig {

    public static BertConfig parse(ConfigJson c, ModelFamily family) {
        String act = c.optString("hidden_act", "gelu");
        if (!act.equals("gelu") && !act.equals("relu") && !act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new ConfigException(c.file() + ": hidden_act '" + act + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        }
        String pos = c.optString("position_embedding_type", "absolute");
        if (!pos.equals("absolute")) {
            throw new ConfigException(c.file() + ": position_embedding_type '" + pos + "' is not supported (absolute)");
        }
        var archs = c.architectures();
        BertConfig cfg = new BertConfig(family, archs.isEmpty() ? "" : archs.get(0),
                c.requireInt("vocab_size"), c.requireInt("hidden_size"), c.requireInt("num_hidden_layers"),
                c.requireInt("num_attention_heads"), c.requireInt("intermediate_size"), act,
                c.requireInt("max_position_embeddings"), c.optInt("type_vocab_size", 2),
                c.optDouble("layer_norm_eps", 1e-12), c.optId("pad_token_id", family == ModelFamily.ROBERTA ? 1 : 0),
                c.optDouble("hidden_dropout_prob", 0.1), c.optDouble("attention_probs_dropout_prob", 0.1),
                c.optDouble("initializer_range", 0.02), false, c.labels());
        if (cfg.hiddenSize % cfg.numHeads != 0) {
            throw new ConfigException(c.file() + ": hidden_size " + cfg.hiddenSize + " is not divisible by num_attention_heads " + cfg.numHeads);
        }
        return cfg;
    }

    /**
     * The same encoder with a (new) classification head over these labels; trainPooler: the pooler was initialised for
     * this run (the base had none) and trains with the classifier.
     */
    public BertConfig withClassifier(List<String> newLabels, boolean newPooler) {
        return new BertConfig(family, architecture, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, hiddenAct,
                maxPositions, typeVocabSize, layerNormEps, padTokenId, hiddenDropout, attentionDropout, initializerRange,
                newPooler, List.copyOf(newLabels));
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    @Override
    public Map<String, long[]> expectedBackboneTensors(String p) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = hiddenSize;
        m.put(p + "embeddings.word_embeddings.weight", new long[] {vocabSize, h});
        m.put(p + "embeddings.position_embeddings.weight", new long[] {maxPositions, h});
        m.put(p + "embeddings.token_type_embeddings.weight", new long[] {typeVocabSize, h});
        m.put(p + "embeddings.LayerNorm.weight", new long[] {h});
        m.put(p + "embeddings.LayerNorm.bias", new long[] {h});
        for (int i = 0; i < numLayers; i++) {
            String l = p + "encoder.layer." + i + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                m.put(l + "attention.self." + qkv + ".weight", new long[] {h, h});
                m.put(l + "attention.self." + qkv + ".bias", new long[] {h});
            }
            m.put(l + "attention.output.dense.weight", new long[] {h, h});
            m.put(l + "attention.output.dense.bias", new long[] {h});
            m.put(l + "attention.output.LayerNorm.weight", new long[] {h});
            m.put(l + "attention.output.LayerNorm.bias", new long[] {h});
            m.put(l + "intermediate.dense.weight", new long[] {intermediateSize, h});
            m.put(l + "intermediate.dense.bias", new long[] {intermediateSize});
            m.put(l + "output.dense.weight", new long[] {h, intermediateSize});
            m.put(l + "output.dense.bias", new long[] {h});
            m.put(l + "output.LayerNorm.weight", new long[] {h});
            m.put(l + "output.LayerNorm.bias", new long[] {h});
        }
        return m;
    }
}
