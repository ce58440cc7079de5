package dev.slicefine.engine.data;

import ai.djl.ndarray.NDManager;

/**
 * Training batches as a pure function of the step number, so a resumed run sees exactly the batches an
 * uninterrupted one would: epoch = step / stepsPerEpoch, and each epoch's order is a permutation seeded by
 * (seed, epoch). Arrays are created in the given manager.
 */
public interface BatchSource {
    int stepsPerEpoch();

    Batch batch(int step, NDManager manager);

    /** Total examples (for the log). */
    int size();
}
