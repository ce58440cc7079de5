package dev.slicefine.engine.data;

/** One validated training example, ready to collate (token ids are not yet truncated: batching does that). */
public sealed interface Example {

    /** The class id, or -1 for a causal-LM example. */
    int label();

    /**
     * A text to classify. tokenTypeIds: null unless the example is a pair. specialSuffix: how many special tokens the
     * tokenizer put at the end ([SEP]); truncation keeps them, as the tokenizer's own truncation would.
     */
    record Text(int line, long[] inputIds, long[] tokenTypeIds, int specialSuffix, int label) implements Example {}

    /** A causal-LM sequence; labels are the input ids with -100 on the prompt. */
    record Lm(int line, long[] inputIds, long[] labels) implements Example {
        @Override
        public int label() {
            return -1;
        }
    }

    /** An image as CHW float32 pixel values (3 x height x width); source is its path in the folder or zip. */
    record Image(String source, float[] pixels, int height, int width, int label) implements Example {}
}
