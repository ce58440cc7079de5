package dev.slicefine.engine.data;

import java.util.List;
import java.util.Map;

/**
 * What validating a dataset found. totalLines: lines read (text files) or files seen (images); issues: the first
 * {@value #MAX_ISSUES}, issueCount: all of them; labels: label -> count in label order (empty for a causal LM);
 * tokens: null when no tokenizer was given or the task has no text.
 */
public record ValidationReport(
        long totalLines,
        long validExamples,
        List<Issue> issues,
        long issueCount,
        Map<String, Long> labels,
        TokenStats tokens) {

    public static final int MAX_ISSUES = 100;

    public ValidationReport {
        issues = List.copyOf(issues);
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
    }

    public boolean ok() {
        return issueCount == 0 && validExamples > 0;
    }

    /**
     * Token lengths of the valid examples as the model would see them before truncation (special tokens and EOS
     * included), nearest-rank percentiles. truncated: examples longer than maxSeqLen; noLossTokens: causal-LM
     * examples whose completion starts at or after maxSeqLen, so truncation leaves them nothing to learn from.
     */
    public record TokenStats(int p50, int p90, int p99, int max, int maxSeqLen, long truncated, long noLossTokens) {}
}
