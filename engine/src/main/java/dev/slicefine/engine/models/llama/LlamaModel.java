package dev.slicefine.engine.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.ModelOutput;
import dev.slicefine.engine.models.ModelWeights;
import dev.slicefine.engine.nn.DenseLinear;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.nn.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * LlamaForCausalLM as transformers runs it with eager attention: RMSNorm, rotary positions (rope_theta), grouped-query
 * attention, SwiGLU MLP, causal + padding mask, lm_head tied to the embeddings or not.
 */
public final class LlamaModel implements HfModel {
    private static final String P = "model.";
    private final LlamaConfig config;
    private final ModelWeights w;
    private final List<Layer> layers = new ArrayList<>();
    private final List<LinearSlot> linears = new ArrayList<>();
    private final LinearSlot lmHead;

    private record Layer(String inputNorm, LinearSlot q, LinearSlot k, LinearSlot v, LinearSlot o, String postNorm,
                         LinearSlot gate, LinearSlot up, LinearSlot down) {}

    public LlamaModel(LlamaConfig config, ModelWeights weights) {
        this.config = config;
        this.w = weights;
        for (int i = 0; i < config.numLayers(); i++) {
            String l = P + "layers." + i + ".";
            layers.add(new Layer(l + "input_layernorm", slot(l + "self_attn.q_proj"), slot(l + "self_attn.k_proj"),
                    slot(l + "self_attn.v_proj"), slot(l + "self_attn.o_proj"), l + "post_attention_layernorm",
                    slot(l + "mlp.gate_proj"), slot(l + "mlp.up_proj"), slot(l + "mlp.down_proj")));
        }
        NDArray head = weights.contains("lm_head.weight") ? weights.get("lm_head.weight") : weights.get(P + "embed_tokens.weight");
        lmHead = new LinearSlot("lm_head", new DenseLinear(head, null));
        linears.add(lmHead);
    }

    private LinearSlot slot(String module) {
        LinearSlot s = new LinearSlot(module, new DenseLinear(w.get(module + ".weight"), w.getOrNull(module + ".bias")));
        linears.add(s);
        return s;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public String prefix() {
        return P;
    }

    @Override
    public ModelWeights weights() {
        return w;
    }

    @Override
    public HeadKind head() {
        return HeadKind.CAUSAL_LM;
    }

    @Override
    public List<String> headTensorNames() {
        return List.of();
    }

    @Override
    public List<LinearSlot> linears() {
        return linears;
    }

    @Override
    public ModelOutput forward(ModelInputs in, boolean training) {
        NDArray ids = in.inputIds();
        long b = ids.getShape().get(0);
        long seq = ids.getShape().get(1);
        NDManager mgr = ids.getManager();
        NDArray table = w.get(P + "embed_tokens.weight");
        NDArray emb = table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();

        NDArray[] rope = rotary(mgr, seq);
        NDArray cos = rope[0];
        NDArray sin = rope[1];
        NDArray mask = causalMask(mgr, in.attentionMask(), b, seq);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int d = config.headDim();
        int rep = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(d);

        NDArray h = emb;
        for (Layer l : layers) {
            NDArray layerIn = h;
            h = Ops.scoped(() -> {
                NDArray x = Ops.rmsNorm(layerIn, w.get(l.inputNorm + ".weight"), config.rmsNormEps());
                NDArray q = applyRope(Ops.splitHeads(l.q.forward(x), heads, d), cos, sin);
                NDArray k = repeatKv(applyRope(Ops.splitHeads(l.k.forward(x), kvHeads, d), cos, sin), rep);
                NDArray v = repeatKv(Ops.splitHeads(l.v.forward(x), kvHeads, d), rep);
                NDArray ctx = Ops.mergeHeads(Ops.attention(q, k, v, mask, scale, 0.0, training));
                NDArray mid = layerIn.add(l.o.forward(ctx));
                NDArray y = Ops.rmsNorm(mid, w.get(l.postNorm + ".weight"), config.rmsNormEps());
                return mid.add(l.down.forward(Ops.silu(l.gate.forward(y)).mul(l.up.forward(y))));
            });
        }
        NDArray last = Ops.rmsNorm(h, w.get(P + "norm.weight"), config.rmsNormEps());
        return new ModelOutput(lmHead.forward(last), emb, last, null);
    }

    /**
     * Incremental decoding for generation: runs {@code ids} (1, S) at positions cache.length() .. + S - 1, attending to
     * the cached keys and values of every earlier position, and appends this step's keys and values to the cache. The
     * cost of a step grows with the context only through attention, not through recomputing earlier tokens. Returns
     * the logits (1, S, vocab); the cache's arrays live in the cache's manager.
     */
    public NDArray forwardCached(NDArray ids, KvCache cache) {
        long seq = ids.getShape().get(1);
        long past = cache.length();
        NDManager mgr = ids.getManager();
        NDArray table = w.get(P + "embed_tokens.weight");
        NDArray h = table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        NDArray[] rope = rotary(mgr, past, seq);
        // query i (absolute past + i) sees keys 0 .. past + i
        NDArray qPos = mgr.arange(past, past + seq, 1L, DataType.INT64).expandDims(1);
        NDArray kPos = mgr.arange(0L, past + seq, 1L, DataType.INT64).expandDims(0);
        NDArray mask = kPos.lte(qPos).toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE)
                .reshape(1, 1, seq, past + seq);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int d = config.headDim();
        int rep = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(d);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            NDArray x = Ops.rmsNorm(h, w.get(l.inputNorm + ".weight"), config.rmsNormEps());
            NDArray q = applyRope(Ops.splitHeads(l.q.forward(x), heads, d), rope[0], rope[1]);
            NDArray k = cache.append(i, 0, applyRope(Ops.splitHeads(l.k.forward(x), kvHeads, d), rope[0], rope[1]));
            NDArray v = cache.append(i, 1, Ops.splitHeads(l.v.forward(x), kvHeads, d));
            NDArray ctx = Ops.mergeHeads(Ops.attention(q, repeatKv(k, rep), repeatKv(v, rep), mask, scale, 0.0, false));
            NDArray mid = h.add(l.o.forward(ctx));
            NDArray y = Ops.rmsNorm(mid, w.get(l.postNorm + ".weight"), config.rmsNormEps());
            h = mid.add(l.down.forward(Ops.silu(l.gate.forward(y)).mul(l.up.forward(y))));
        }
        cache.advance(seq);
        return lmHead.forward(Ops.rmsNorm(h, w.get(P + "norm.weight"), config.rmsNormEps()));
    }

    /** cos and sin tables (S, D) for positions 0..S-1, with the frequencies repeated over both halves. */
    private NDArray[] rotary(NDManager mgr, long seq) {
        return rotary(mgr, 0, seq);
    }

    /** cos and sin tables (S, D) for positions start..start+S-1. */
    private NDArray[] rotary(NDManager mgr, long start, long seq) {
        int d = config.headDim();
        NDArray exponents = mgr.arange(0, d, 2, DataType.INT64).toType(DataType.FLOAT32, false).div((float) d);
        NDArray invFreq = mgr.create((float) config.ropeTheta()).pow(exponents).pow(-1f);
        NDArray t = mgr.arange(start, start + seq, 1L, DataType.INT64).toType(DataType.FLOAT32, false);
        NDArray freqs = t.expandDims(1).matMul(invFreq.expandDims(0));
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), -1);
        return new NDArray[] {emb.cos(), emb.sin()};
    }

    private static NDArray applyRope(NDArray x, NDArray cos, NDArray sin) {
        long d = x.getShape().tail();
        NDArray x1 = x.get("..., 0:" + d / 2);
        NDArray x2 = x.get("..., " + d / 2 + ":");
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private static NDArray repeatKv(NDArray x, int rep) {
        if (rep == 1) {
            return x;
        }
        var s = x.getShape();
        return x.expandDims(2).repeat(2, rep).reshape(s.get(0), s.get(1) * rep, s.get(2), s.get(3));
    }

    /** (B, 1, S, S) additive mask: a key is visible when it is not in the future and not padding. */
    private static NDArray causalMask(NDManager mgr, NDArray attentionMask, long b, long seq) {
        NDArray pos = mgr.arange(0L, seq, 1L, DataType.INT64);
        NDArray causal = pos.expandDims(0).lte(pos.expandDims(1)).reshape(1, 1, seq, seq);
        NDArray visible = causal;
        if (attentionMask != null) {
            NDArray keys = attentionMask.toType(DataType.BOOLEAN, false).reshape(b, 1, 1, seq);
            visible = causal.logicalAnd(keys);
        }
        return visible.toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE);
    }
}
