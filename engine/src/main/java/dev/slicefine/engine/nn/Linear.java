package dev.slicefine.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Every Linear of every model goes through this, so training methods (slices, LoRA) can wrap one without the
 * model knowing. Shapes as in PyTorch: weight is (out, in), y = x W^T + b.
 */
public interface Linear {
    NDArray forward(NDArray x);

    /** The frozen base weight (out x in), owned by the model's weights. */
    NDArray weight();

    /** The base bias, or null. */
    NDArray bias();

    default long outFeatures() {
        return weight().getShape().get(0);
    }

    default long inFeatures() {
        return weight().getShape().get(1);
    }
}
