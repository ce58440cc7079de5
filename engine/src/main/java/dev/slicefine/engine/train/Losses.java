package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.slicefine.engine.nn.Ops;

/** Losses exactly as torch.nn.functional.cross_entropy computes them (mean over counted targets). */
public final class Losses {
    public static final long IGNORE = -100;

    private Losses() {}

    /** logits (B, C), labels (B) int64. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(-1);
        NDArray picked = logp.get(new NDIndex().addAllDim().addPickDim(labels.reshape(-1, 1))).reshape(-1);
        return picked.mean().neg();
    }

    /**
     * Next-token loss: logits (B, S, V) at position t predict labels at t+1; labels equal to -100 are not counted.
     */
    public static NDArray causalLm(NDArray logits, NDArray labels) {
        long b = logits.getShape().get(0);
        long s = logits.getShape().get(1);
        long v = logits.getShape().get(2);
        NDArray shiftedLogits = logits.get(":, 0:" + (s - 1) + ", :").reshape(b * (s - 1), v);
        NDArray target = labels.get(":, 1:").reshape(-1);
        NDArray keep = target.neq(IGNORE);
        NDArray safeTarget = target.mul(keep.toType(DataType.INT64, false));
        NDArray logp = shiftedLogits.logSoftmax(-1);
        NDArray picked = logp.get(new NDIndex().addAllDim().addPickDim(safeTarget.reshape(-1, 1))).reshape(-1);
        NDArray weights = keep.toType(DataType.FLOAT32, false);
        float count = weights.sum().getFloat();
        if (count == 0) {
            throw new IllegalArgumentException("a batch has no target tokens (every label is -100)");
        }
        return picked.mul(weights).sum().div(Ops.scalar(picked, count)).neg();
    }
}
