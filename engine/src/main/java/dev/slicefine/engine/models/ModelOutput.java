package dev.slicefine.engine.models;

import ai.djl.ndarray.NDArray;

/**
 * What a forward pass gives: logits as transformers shapes them ((B, labels) for classifiers, (B, S, vocab) for causal
 * LMs; null for an embedding model without a head), the embedding output, the last hidden state, and for embedding
 * models the mean-pooled, L2-normalised sentence embedding.
 */
public record ModelOutput(NDArray logits, NDArray hiddenEmbed, NDArray hiddenLast, NDArray sentenceEmbedding) {}
