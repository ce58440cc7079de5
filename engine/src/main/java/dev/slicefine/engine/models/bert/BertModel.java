package dev.slicefine.engine.models.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.slicefine.engine.models.HeadKind;
import dev.slicefine.engine.models.HfModel;
import dev.slicefine.engine.models.ModelFamily;
import dev.slicefine.engine.models.ModelInputs;
import dev.slicefine.engine.models.ModelOutput;
import dev.slicefine.engine.models.ModelWeights;
import dev.slicefine.engine.nn.DenseLinear;
import dev.slicefine.engine.nn.LinearSlot;
import dev.slicefine.engine.nn.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT and RoBERTa encoders as transformers runs them (eager attention), with BertForSequenceClassification's
 * pooler + classifier, RobertaForSequenceClassification's dense/out_proj head, or mean pooling when there is no head.
 */
public final class BertModel implements HfModel {
    private final BertConfig config;
    private final ModelWeights w;
    private final String prefix;
    private final HeadKind head;
    private final List<Layer> layers = new ArrayList<>();
    private final List<LinearSlot> linears = new ArrayList<>();
    private final List<String> headTensors = new ArrayList<>();
    private LinearSlot pooler;
    private LinearSlot classifier;
    private LinearSlot classifierDense;

    private record Layer(LinearSlot query, LinearSlot key, LinearSlot value, LinearSlot attnOut, String attnLn,
                         LinearSlot intermediate, LinearSlot output, String outLn) {}

    /** prefix is "bert.", "roberta." or "" (a bare encoder checkpoint such as a sentence-transformers model). */
    public BertModel(BertConfig config, ModelWeights weights, String prefix) {
        this.config = config;
        this.w = weights;
        this.prefix = prefix;
        for (int i = 0; i < config.numLayers(); i++) {
            String l = prefix + "encoder.layer." + i + ".";
            layers.add(new Layer(slot(l + "attention.self.query"), slot(l + "attention.self.key"), slot(l + "attention.self.value"),
                    slot(l + "attention.output.dense"), l + "attention.output.LayerNorm",
                    slot(l + "intermediate.dense"), slot(l + "output.dense"), l + "output.LayerNorm"));
        }
        if (config.family() == ModelFamily.ROBERTA && weights.contains("classifier.out_proj.weight")) {
            head = HeadKind.CLASSIFICATION;
            classifierDense = slot("classifier.dense");
            classifier = slot("classifier.out_proj");
            headTensors.addAll(List.of("classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"));
        } else if (config.family() == ModelFamily.BERT && weights.contains("classifier.weight")) {
            head = HeadKind.CLASSIFICATION;
            if (weights.contains(prefix + "pooler.dense.weight")) {
                pooler = slot(prefix + "pooler.dense");
                if (config.trainPooler()) {
                    headTensors.addAll(List.of(prefix + "pooler.dense.weight", prefix + "pooler.dense.bias"));
                }
            }
            classifier = slot("classifier");
            headTensors.addAll(List.of("classifier.weight", "classifier.bias"));
        } else {
            head = HeadKind.EMBEDDING;
        }
    }

    private LinearSlot slot(String module) {
        LinearSlot s = new LinearSlot(module, new DenseLinear(w.get(module + ".weight"), w.getOrNull(module + ".bias")));
        linears.add(s);
        return s;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public ModelWeights weights() {
        return w;
    }

    @Override
    public HeadKind head() {
        return head;
    }

    @Override
    public List<String> headTensorNames() {
        return headTensors;
    }

    @Override
    public List<LinearSlot> linears() {
        return linears;
    }

    @Override
    public ModelOutput forward(ModelInputs in, boolean training) {
        NDArray ids = in.inputIds();
        NDArray mask = in.attentionMask() != null ? in.attentionMask() : ids.onesLike();
        NDArray types = in.tokenTypeIds() != null ? in.tokenTypeIds() : ids.zerosLike();
        NDArray positions = positionIds(ids);

        NDArray emb = embed(w.get(prefix + "embeddings.word_embeddings.weight"), ids)
                .add(embed(w.get(prefix + "embeddings.token_type_embeddings.weight"), types))
                .add(embed(w.get(prefix + "embeddings.position_embeddings.weight"), positions));
        emb = layerNorm(emb, prefix + "embeddings.LayerNorm");
        emb = Ops.dropout(emb, config.hiddenDropout(), training);

        NDArray additive = Ops.paddingMask(mask);
        double scale = 1.0 / Math.sqrt(config.headDim());
        NDArray h = emb;
        for (Layer l : layers) {
            NDArray layerIn = h;
            h = Ops.scoped(() -> layer(l, layerIn, additive, scale, training));
        }

        NDArray logits = null;
        NDArray sentence = null;
        if (head == HeadKind.CLASSIFICATION) {
            NDArray cls = h.get(":, 0, :");
            if (config.family() == ModelFamily.ROBERTA) {
                NDArray x = Ops.dropout(cls, config.hiddenDropout(), training);
                x = classifierDense.forward(x).tanh();
                x = Ops.dropout(x, config.hiddenDropout(), training);
                logits = classifier.forward(x);
            } else {
                NDArray pooled = pooler != null ? pooler.forward(cls).tanh() : cls;
                logits = classifier.forward(Ops.dropout(pooled, config.hiddenDropout(), training));
            }
        } else {
            sentence = meanPool(h, mask);
        }
        return new ModelOutput(logits, emb, h, sentence);
    }

    private NDArray layer(Layer l, NDArray h, NDArray additive, double scale, boolean training) {
        NDArray q = Ops.splitHeads(l.query.forward(h), config.numHeads(), config.headDim());
        NDArray k = Ops.splitHeads(l.key.forward(h), config.numHeads(), config.headDim());
        NDArray v = Ops.splitHeads(l.value.forward(h), config.numHeads(), config.headDim());
        NDArray ctx = Ops.mergeHeads(Ops.attention(q, k, v, additive, scale, config.attentionDropout(), training));
        NDArray a = Ops.dropout(l.attnOut.forward(ctx), config.hiddenDropout(), training);
        NDArray h1 = layerNorm(a.add(h), l.attnLn);
        NDArray inter = Ops.activation(config.hiddenAct(), l.intermediate.forward(h1));
        NDArray o = Ops.dropout(l.output.forward(inter), config.hiddenDropout(), training);
        return layerNorm(o.add(h1), l.outLn);
    }

    /** Mean over the unmasked tokens, then L2-normalised (sentence-transformers' mean pooling + Normalize). */
    public static NDArray meanPool(NDArray hidden, NDArray mask) {
        NDArray m = mask.toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray mean = hidden.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}).maximum(Ops.scalar(m, 1f)));
        NDArray norm = mean.square().sum(new int[] {-1}, true).sqrt().maximum(Ops.scalar(mean, 1e-12f));
        return mean.div(norm);
    }

    private NDArray positionIds(NDArray ids) {
        long seq = ids.getShape().get(1);
        if (config.family() == ModelFamily.ROBERTA) {
            // RoBERTa numbers real tokens from pad+1 and gives padding the pad index.
            NDArray real = ids.neq(config.padTokenId()).toType(DataType.INT64, false);
            return real.cumSum(1).mul(real).add((long) config.padTokenId());
        }
        return ids.getManager().arange(0L, seq, 1L, DataType.INT64).expandDims(0).broadcast(ids.getShape());
    }

    private static NDArray embed(NDArray table, NDArray ids) {
        return table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String module) {
        return Ops.layerNorm(x, w.get(module + ".weight"), w.get(module + ".bias"), config.layerNormEps());
    }
}
