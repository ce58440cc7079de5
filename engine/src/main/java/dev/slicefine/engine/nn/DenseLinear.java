package dev.slicefine.engine.nn;

import ai.djl.ndarray.NDArray;

/** The plain layer: one fused addmm through libtorch. */
public record DenseLinear(NDArray weight, NDArray bias) implements Linear {
    @Override
    public NDArray forward(NDArray x) {
        return linear(x, weight, bias);
    }

    /** y = x W^T (+ b), bias may be null. */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? ai.djl.nn.core.Linear.linear(x, weight) : ai.djl.nn.core.Linear.linear(x, weight, bias))
                .singletonOrThrow();
    }
}
