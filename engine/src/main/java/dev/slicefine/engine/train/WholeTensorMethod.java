package dev.slicefine.engine.train;

import dev.slicefine.engine.nn.Ops;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicefine.engine.models.HfModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Baselines that train whole tensors in place: {@code full} (every floating tensor of the model, embeddings and norms
 * included) and {@code head} (only the classification head).
 */
public final class WholeTensorMethod implements TrainingMethod {
    private final boolean full;
    private final List<Param> params = new ArrayList<>();

    private WholeTensorMethod(boolean full) {
        this.full = full;
    }

    public static WholeTensorMethod full() {
        return new WholeTensorMethod(true);
    }

    public static WholeTensorMethod headOnly() {
        return new WholeTensorMethod(false);
    }

    @Override
    public String id() {
        return full ? "full" : "head";
    }

    @Override
    public void prepare(HfModel model, NDManager manager) {
        if (full) {
            for (var e : model.weights().asMap().entrySet()) {
                e.getValue().setRequiresGradient(true);
                params.add(new Param(e.getKey(), e.getValue()));
            }
        } else {
            params.addAll(TrainingMethods.enableHead(model));
            if (params.isEmpty()) {
                throw new IllegalArgumentException("head-only training needs a classification head; this model has none");
            }
        }
    }

    @Override
    public List<Param> params() {
        return params;
    }

    @Override
    public StepOutcome afterStep(int step) {
        return StepOutcome.NONE;
    }

    @Override
    public void finish() {}

    @Override
    public long trainableParameterCount() {
        return TrainingMethods.size(params);
    }

    @Override
    public Map<String, NDArray> checkpointTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach(p -> out.put(p.name(), p.array()));
        return out;
    }

    @Override
    public ObjectNode checkpointMeta() {
        return new ObjectMapper().createObjectNode();
    }

    @Override
    public void restore(Map<String, float[]> tensors, ObjectNode meta) {
        for (Param p : params) {
            float[] v = tensors.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("checkpoint has no tensor " + p.name());
            }
            Ops.copyInto(p.array(), v);
        }
    }

    @Override
    public void close() {}
}
