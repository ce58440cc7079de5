package dev.slicefine.engine.models;

import ai.djl.ndarray.NDArray;

/**
 * One batch, named as transformers names its inputs. Text models use inputIds (B, S) int64 and attentionMask (B, S),
 * with optional tokenTypeIds; image models use pixelValues (B, C, H, W) float32.
 */
public record ModelInputs(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds, NDArray pixelValues) {
    public static ModelInputs text(NDArray inputIds, NDArray attentionMask) {
        return new ModelInputs(inputIds, attentionMask, null, null);
    }

    public static ModelInputs image(NDArray pixelValues) {
        return new ModelInputs(null, null, null, pixelValues);
    }

    public long batchSize() {
        return (inputIds != null ? inputIds : pixelValues).getShape().get(0);
    }
}
