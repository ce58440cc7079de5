package dev.slicefine.engine.train;

import ai.djl.ndarray.NDArray;

/** A trainable tensor by a stable name (optimizer state and checkpoints are keyed by it). */
public record Param(String name, NDArray array) {}
