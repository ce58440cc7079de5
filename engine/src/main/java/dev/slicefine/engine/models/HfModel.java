package dev.slicefine.engine.models;

import dev.slicefine.engine.nn.LinearSlot;
import java.util.List;

/** A Hugging Face model running on libtorch through DJL, with tensors named exactly as in its checkpoint. */
public interface HfModel extends AutoCloseable {
    ModelConfig config();

    ModelWeights weights();

    /** The backbone's tensor-name prefix ("bert.", "roberta.", "vit.", "model." or "" for a bare encoder). */
    String prefix();

    HeadKind head();

    /** Names of the head's tensors (trainable during fine-tuning for classifiers; empty otherwise). */
    List<String> headTensorNames();

    /** Every Linear of the backbone and head, in a stable order, by module name. */
    List<LinearSlot> linears();

    /**
     * A forward pass. {@code training} turns dropout on; the caller owns the returned arrays' lifetime (use an NDScope).
     */
    ModelOutput forward(ModelInputs inputs, boolean training);

    @Override
    default void close() {
        weights().close();
    }
}
