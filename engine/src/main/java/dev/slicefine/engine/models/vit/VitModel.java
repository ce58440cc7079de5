package dev.slicefine.engine.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
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
 * ViTForImageClassification: non-overlapping patch embedding (a strided conv, computed as one matmul over patches),
 * CLS token, learned positions, pre-norm blocks, final LayerNorm, classifier on the CLS token.
 */
public final class VitModel implements HfModel {
    private static final String P = "vit.";
    private final VitConfig config;
    private final ModelWeights w;
    private final List<Layer> layers = new ArrayList<>();
    private final List<LinearSlot> linears = new ArrayList<>();
    private final LinearSlot classifier;

    private record Layer(String lnBefore, LinearSlot query, LinearSlot key, LinearSlot value, LinearSlot attnOut,
                         String lnAfter, LinearSlot intermediate, LinearSlot output) {}

    public VitModel(VitConfig config, ModelWeights weights) {
        this.config = config;
        this.w = weights;
        for (int i = 0; i < config.numLayers(); i++) {
            String l = P + "encoder.layer." + i + ".";
            layers.add(new Layer(l + "layernorm_before", slot(l + "attention.attention.query"), slot(l + "attention.attention.key"),
                    slot(l + "attention.attention.value"), slot(l + "attention.output.dense"), l + "layernorm_after",
                    slot(l + "intermediate.dense"), slot(l + "output.dense")));
        }
        classifier = weights.contains("classifier.weight") ? slot("classifier") : null;
    }

    private LinearSlot slot(String module) {
        LinearSlot s = new LinearSlot(module, new DenseLinear(w.get(module + ".weight"), w.getOrNull(module + ".bias")));
        linears.add(s);
        return s;
    }

    @Override
    public VitConfig config() {
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
        return classifier != null ? HeadKind.CLASSIFICATION : HeadKind.EMBEDDING;
    }

    @Override
    public List<String> headTensorNames() {
        return classifier != null ? List.of("classifier.weight", "classifier.bias") : List.of();
    }

    @Override
    public List<LinearSlot> linears() {
        return linears;
    }

    @Override
    public ModelOutput forward(ModelInputs in, boolean training) {
        NDArray px = in.pixelValues();
        Shape s = px.getShape();
        long b = s.get(0);
        long c = config.numChannels();
        long p = config.patchSize();
        long n = config.imageSize() / p;
        if (s.dimension() != 4 || s.get(1) != c || s.get(2) != config.imageSize() || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("pixel_values must be (batch, " + c + ", " + config.imageSize() + ", "
                    + config.imageSize() + "), got " + s);
        }
        long h = config.hiddenSize();
        // (B, C, n, p, n, p) -> (B, n, n, C, p, p) -> (B, n*n, C*p*p): each row is one patch in the conv kernel's order.
        NDArray patches = px.reshape(b, c, n, p, n, p).transpose(0, 2, 4, 1, 3, 5).reshape(b, n * n, c * p * p);
        NDArray kernel = w.get(P + "embeddings.patch_embeddings.projection.weight").reshape(h, c * p * p);
        NDArray x = DenseLinear.linear(patches, kernel, w.get(P + "embeddings.patch_embeddings.projection.bias"));
        NDArray cls = w.get(P + "embeddings.cls_token").broadcast(b, 1, h);
        x = NDArrays.concat(new ai.djl.ndarray.NDList(cls, x), 1).add(w.get(P + "embeddings.position_embeddings"));
        NDArray emb = Ops.dropout(x, config.hiddenDropout(), training);

        double scale = 1.0 / Math.sqrt(config.headDim());
        NDArray hs = emb;
        for (Layer l : layers) {
            NDArray layerIn = hs;
            hs = Ops.scoped(() -> layer(l, layerIn, scale, training));
        }
        NDArray last = layerNorm(hs, P + "layernorm");
        NDArray logits = classifier != null ? classifier.forward(last.get(":, 0, :")) : null;
        return new ModelOutput(logits, emb, last, null);
    }

    private NDArray layer(Layer l, NDArray hs, double scale, boolean training) {
        NDArray normed = layerNorm(hs, l.lnBefore);
        NDArray q = Ops.splitHeads(l.query.forward(normed), config.numHeads(), config.headDim());
        NDArray k = Ops.splitHeads(l.key.forward(normed), config.numHeads(), config.headDim());
        NDArray v = Ops.splitHeads(l.value.forward(normed), config.numHeads(), config.headDim());
        NDArray ctx = Ops.mergeHeads(Ops.attention(q, k, v, null, scale, config.attentionDropout(), training));
        NDArray mid = Ops.dropout(l.attnOut.forward(ctx), config.hiddenDropout(), training).add(hs);
        NDArray inter = Ops.activation(config.hiddenAct(), l.intermediate.forward(layerNorm(mid, l.lnAfter)));
        return Ops.dropout(l.output.forward(inter), config.hiddenDropout(), training).add(mid);
    }

    private NDArray layerNorm(NDArray x, String module) {
        return Ops.layerNorm(x, w.get(module + ".weight"), w.get(module + ".bias"), config.layerNormEps());
    }
}
