package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import dev.slicefine.engine.models.HfModel;
import java.util.ArrayList;
import java.util.List;

/** Pieces every training method shares. */
public final class TrainingMethods {
    private TrainingMethods() {}

    /** The classification head trains fully in every method, like PEFT's modules_to_save. */
    public static List<Param> enableHead(HfModel model) {
        List<Param> out = new ArrayList<>();
        for (String name : model.headTensorNames()) {
            NDArray a = model.weights().get(name);
            a.setRequiresGradient(true);
            out.add(new Param(name, a));
        }
        return out;
    }

    public static long size(List<Param> params) {
        return params.stream().mapToLong(p -> p.array().size()).sum();
    }
}
