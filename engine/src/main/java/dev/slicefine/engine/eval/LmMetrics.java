package dev.slicefine.engine.eval;

/**
 * Scores of a causal LM: mean next-token cross-entropy over every completion token of the set (token-weighted, as
 * training computes it), perplexity = exp(mean loss), and exact match: the share of examples with a prompt whose
 * greedy completion reproduces the expected completion token for token (null when no example has a prompt).
 */
public record LmMetrics(long examples, long tokens, double meanLoss, double perplexity, Double exactMatch, long exactMatchCount,
                        long exactMatchExamples) {

    /** lossSums / tokens: per example, the summed token loss and the number of completion tokens; exact: null = no prompt. */
    public static LmMetrics compute(double[] lossSums, long[] tokens, Boolean[] exact) {
        double sum = 0;
        long n = 0;
        long hits = 0;
        long withPrompt = 0;
        for (int i = 0; i < lossSums.length; i++) {
            sum += lossSums[i];
            n += tokens[i];
            if (exact[i] != null) {
                withPrompt++;
                if (exact[i]) {
                    hits++;
                }
            }
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        return new LmMetrics(lossSums.length, n, mean, Math.exp(mean), withPrompt == 0 ? null : hits / (double) withPrompt, hits,
                withPrompt);
    }
}
