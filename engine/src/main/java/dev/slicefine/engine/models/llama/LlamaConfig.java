package dev.slicefine.engine.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slicefine.engine.models.ConfigException;
import dev.slicefine.engine.models.ConfigJson;
import dev.slicefine.engine.models.ModelConfig;
import dev.slicefine.engine.models.ModelFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** LLaMA-family causal LM: RMSNorm, RoPE, grouped-query attention, SwiGLU, tied or untied lm_head. */
public record LlamaConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        double rmsNormEps,
        double ropeTheta,
        boolean attentionBias,
        boolean mlpBias,
        boolean tieWordEmbeddings,
        int padTokenId,
        int eosTokenId,
        int maxPositions) implements ModelConfig {

    public static LlamaConfig parse(ConfigJson c) {
        String act = c.optString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ConfigException(c.file() + ": hidden_act '" + act + "' is not supported for LLaMA (silu)");
        }
        double theta = c.optDouble("rope_theta", 10000.0);
        String ropeType = "default";
        JsonNode rope = c.root().get("rope_parameters");
        if (rope == null || rope.isNull()) {
            rope = c.root().get("rope_scaling");
        }
        if (rope != null && rope.isObject()) {
            if (rope.has("rope_theta")) {
                theta = rope.get("rope_theta").asDouble();
            }
            JsonNode t = rope.has("rope_type") ? rope.get("rope_type") : rope.get("type");
            if (t != null && !t.isNull()) {
                ropeType = t.asText();
            }
        }
        if (!ropeType.equals("default")) {
            throw new ConfigException(c.file() + ": rope type '" + ropeType + "' is not supported yet (default)");
        }
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int kv = c.optInt("num_key_value_heads", heads);
        if (heads % kv != 0) {
            throw new ConfigException(c.file() + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kv);
        }
        int headDim = c.optInt("head_dim", hidden / heads);
        if (!c.has("head_dim") && hidden % heads != 0) {
            throw new ConfigException(c.file() + ": hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        var archs = c.architectures();
        return new LlamaConfig(archs.isEmpty() ? "" : archs.get(0), c.requireInt("vocab_size"), hidden,
                c.requireInt("num_hidden_layers"), heads, kv, headDim, c.requireInt("intermediate_size"),
                c.optDouble("rms_norm_eps", 1e-6), theta, c.optBool("attention_bias", false), c.optBool("mlp_bias", false),
                c.optBool("tie_word_embeddings", false), c.optId("pad_token_id", -1), eos(c), c.optInt("max_position_embeddings", 2048));
    }

    /** eos_token_id is an integer or, in newer checkpoints, a list of them (the first is the one to append). */
    private static int eos(ConfigJson c) {
        JsonNode n = c.root().get("eos_token_id");
        if (n != null && n.isArray() && n.size() > 0) {
            return n.get(0).asInt();
        }
        return c.optId("eos_token_id", -1);
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.LLAMA;
    }

    @Override
    public List<String> labels() {
        return List.of();
    }

    @Override
    public Map<String, long[]> expectedBackboneTensors(String p) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = hiddenSize;
        long q = (long) numHeads * headDim;
        long kv = (long) numKvHeads * headDim;
        m.put(p + "embed_tokens.weight", new long[] {vocabSize, h});
        for (int i = 0; i < numLayers; i++) {
            String l = p + "layers." + i + ".";
            m.put(l + "input_layernorm.weight", new long[] {h});
            m.put(l + "post_attention_layernorm.weight", new long[] {h});
            linear(m, l + "self_attn.q_proj", q, h, attentionBias);
            linear(m, l + "self_attn.k_proj", kv, h, attentionBias);
            linear(m, l + "self_attn.v_proj", kv, h, attentionBias);
            linear(m, l + "self_attn.o_proj", h, q, attentionBias);
            linear(m, l + "mlp.gate_proj", intermediateSize, h, mlpBias);
            linear(m, l + "mlp.up_proj", intermediateSize, h, mlpBias);
            linear(m, l + "mlp.down_proj", h, intermediateSize, mlpBias);
        }
        m.put(p + "norm.weight", new long[] {h});
        return m;
    }

    private static void linear(Map<String, long[]> m, String name, long out, long in, boolean bias) {
        m.put(name + ".weight", new long[] {out, in});
        if (bias) {
            m.put(name + ".bias", new long[] {out});
        }
    }
}
