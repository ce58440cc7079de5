package dev.slicefine.engine.nn;

import java.util.Objects;

/** A named place in a model that holds a Linear; injectors swap the layer in place. */
public final class LinearSlot {
    private final String name;
    private Linear layer;

    public LinearSlot(String name, Linear layer) {
        this.name = name;
        this.layer = Objects.requireNonNull(layer);
    }

    /** The Hugging Face module name, e.g. {@code bert.encoder.layer.0.attention.self.query}. */
    public String name() {
        return name;
    }

    public Linear get() {
        return layer;
    }

    public void set(Linear layer) {
        this.layer = Objects.requireNonNull(layer);
    }

    public ai.djl.ndarray.NDArray forward(ai.djl.ndarray.NDArray x) {
        return layer.forward(x);
    }
}
