package dev.slicefine.engine.data;

import ai.djl.ndarray.NDArray;
import dev.slicefine.engine.models.ModelInputs;

/**
 * One training or evaluation batch. labels: (B) int64 class ids for classification; (B, S) int64 token ids for a
 * causal LM, -100 where no loss is taken (prompt, padding). tokens: the number of non-padding input tokens.
 */
public record Batch(ModelInputs inputs, NDArray labels, int size, long tokens) {}
