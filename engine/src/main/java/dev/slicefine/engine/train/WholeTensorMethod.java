package dev.slicefine.engine.train;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.models.HfModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Baselines that train whole tensors in place: {@code full} (every floating tensor of the model, embeddings and norms
 * included) and {@code head} (only the classification head).
 */
public final class WholeTensorMethod implements FixedParamsMethod {
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
    public void close() {}
}
