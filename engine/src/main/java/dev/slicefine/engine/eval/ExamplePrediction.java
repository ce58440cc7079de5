package dev.slicefine.engine.eval;

/**
 * What the model did with one evaluation example, enough to recompute every score independently. index: position in
 * the dataset (0-based, file order); line: its line in a text dataset (0 for an image); source: an image's path.
 */
public sealed interface ExamplePrediction {
    int index();

    /** A classified example. label: the gold label (maybe unknown to the model: then known is false and no score). */
    record Classified(int index, int line, String source, String label, boolean known, String predicted, double score,
                      double loss, double[] probabilities) implements ExamplePrediction {}

    /**
     * A causal-LM example: summed next-token loss over its completion tokens and their count; exactMatch: whether the
     * greedy completion reproduces the expected one (null when the example has no prompt).
     */
    record Completion(int index, int line, long tokens, double lossSum, Boolean exactMatch) implements ExamplePrediction {}
}
