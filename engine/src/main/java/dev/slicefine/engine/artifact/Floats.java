package dev.slicefine.engine.artifact;

import ai.djl.ndarray.NDManager;
import dev.slicefine.engine.io.TensorSource;

/** Host float copies of one tensor at a time (widened to F32 by the reader). */
final class Floats {
    private Floats() {}

    static float[] read(TensorSource source, String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            return source.load(name, m).toFloatArray();
        }
    }
}
