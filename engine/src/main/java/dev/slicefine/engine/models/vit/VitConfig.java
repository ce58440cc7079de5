package dev.slicefine.engine.models.vit;

import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.ConfigJson;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ViT image classifier: patch embedding, CLS token, pre-norm encoder blocks. */
public record VitConfig(
        String architecture,
        int imageSize,
        int patchSize,
        int numChannels,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        String hiddenAct,
        double layerNormEps,
        boolean qkvBias,
        double hiddenDropout,
        double attentionDropout,
        List<String> labels) implements ModelConfig {

    public static VitConfig parse(ConfigJson c) {
        var archs = c.architectures();
        VitConfig cfg = new VitConfig(archs.isEmpty() ? "" : archs.get(0), c.requireInt("image_size"), c.requireInt("patch_size"),
                c.optInt("num_channels", 3), c.requireInt("hidden_size"), c.requireInt("num_hidden_layers"),
                c.requireInt("num_attention_heads"), c.requireInt("intermediate_size"), c.optString("hidden_act", "gelu"),
                c.optDouble("layer_norm_eps", 1e-12), c.optBool("qkv_bias", true),
                c.optDouble("hidden_dropout_prob", 0.0), c.optDouble("attention_probs_dropout_prob", 0.0), c.labels());
        if (cfg.imageSize % cfg.patchSize != 0) {
            throw new ConfigException(c.file() + ": image_size " + cfg.imageSize + " is not a multiple of patch_size " + cfg.patchSize);
        }
        if (cfg.hiddenSize % cfg.numHeads != 0) {
            throw new ConfigException(c.file() + ": hidden_size " + cfg.hiddenSize + " is not divisible by num_attention_heads " + cfg.numHeads);
        }
        if (!cfg.hiddenAct.equals("gelu")) {
            throw new ConfigException(c.file() + ": hidden_act '" + cfg.hiddenAct + "' is not supported for ViT (gelu)");
        }
        return cfg;
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.VIT;
    }

    public VitConfig withLabels(List<String> newLabels) {
        return new VitConfig(architecture, imageSize, patchSize, numChannels, hiddenSize, numLayers, numHeads, intermediateSize,
                hiddenAct, layerNormEps, qkvBias, hiddenDropout, attentionDropout, List.copyOf(newLabels));
    }

    public int numPatches() {
        int n = imageSize / patchSize;
        return n * n;
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    @Override
    public Map<String, long[]> expectedBackboneTensors(String p) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = hiddenSize;
        m.put(p + "embeddings.cls_token", new long[] {1, 1, h});
        m.put(p + "embeddings.position_embeddings", new long[] {1, numPatches() + 1, h});
        m.put(p + "embeddings.patch_embeddings.projection.weight", new long[] {h, numChannels, patchSize, patchSize});
        m.put(p + "embeddings.patch_embeddings.projection.bias", new long[] {h});
        for (int i = 0; i < numLayers; i++) {
            String l = p + "encoder.layer." + i + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                m.put(l + "attention.attention." + qkv + ".weight", new long[] {h, h});
                if (qkvBias) {
                    m.put(l + "attention.attention." + qkv + ".bias", new long[] {h});
                }
            }
            m.put(l + "attention.output.dense.weight", new long[] {h, h});
            m.put(l + "attention.output.dense.bias", new long[] {h});
            m.put(l + "intermediate.dense.weight", new long[] {intermediateSize, h});
            m.put(l + "intermediate.dense.bias", new long[] {intermediateSize});
            m.put(l + "output.dense.weight", new long[] {h, intermediateSize});
            m.put(l + "output.dense.bias", new long[] {h});
            m.put(l + "layernorm_before.weight", new long[] {h});
            m.put(l + "layernorm_before.bias", new long[] {h});
            m.put(l + "layernorm_after.weight", new long[] {h});
            m.put(l + "layernorm_after.bias", new long[] {h});
        }
        m.put(p + "layernorm.weight", new long[] {h});
        m.put(p + "layernorm.bias", new long[] {h});
        return m;
    }
}
