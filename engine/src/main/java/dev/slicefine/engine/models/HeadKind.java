package dev.slicefine.engine.models;

/** The task head a loaded model carries. */
public enum HeadKind {
    /** A sequence or image classifier ({@code classifier*} tensors); trains fully during fine-tuning. */
    CLASSIFICATION,
    /** The causal LM's lm_head (frozen during fine-tuning). */
    CAUSAL_LM,
    /** No head: mean-pooled, L2-normalised sentence embeddings (sentence-transformers checkpoints). */
    EMBEDDING
}
