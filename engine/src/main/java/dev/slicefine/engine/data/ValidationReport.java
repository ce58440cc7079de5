package dev.slicefine.engine.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What validating a dataset found, as the launcher prints it and the API stores and shows it (snake_case JSON).
 * task: the task id it was read for; format: jsonl, csv or imagefolder (null when the file was not read);
 * totalLines: lines read (text files) or files seen (images); rows: lines / CSV records / images with data;
 * invalidRows: rows that gave no example; columns: the CSV header, or the keys of the first JSON object;
 * labelType: string or integer (null for a causal LM); labelDistribution: label -> count in label order;
 * issues: the first {@value #MAX_ISSUES}, issueCount: all of them; previews: the first {@value #MAX_PREVIEWS}
 * valid examples, field -> value (values cut at {@value #MAX_PREVIEW_CHARS} characters); tokens: null when no
 * tokenizer was given or the task has no text.
 */
public record ValidationReport(
        @JsonProperty("task") String task,
        @JsonProperty("format") String format,
        @JsonProperty("total_lines") long totalLines,
        @JsonProperty("rows") long rows,
        @JsonProperty("valid_examples") long validExamples,
        @JsonProperty("invalid_rows") long invalidRows,
        @JsonProperty("blank_lines") long blankLines,
        @JsonProperty("columns") List<String> columns,
        @JsonProperty("label_type") String labelType,
        @JsonProperty("label_distribution") Map<String, Long> labels,
        @JsonProperty("issues") List<Issue> issues,
        @JsonProperty("issue_count") long issueCount,
        @JsonProperty("previews") List<Map<String, String>> previews,
        @JsonProperty("tokens") TokenStats tokens) {

    public static final int MAX_ISSUES = 100;
    public static final int MAX_PREVIEWS = 3;
    public static final int MAX_LABELS = 10_000;
    public static final int MAX_PREVIEW_CHARS = 200;

    public ValidationReport {
        columns = columns == null ? List.of() : List.copyOf(columns);
        issues = issues == null ? List.of() : List.copyOf(issues);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
        previews = previews == null ? List.of() : previews.stream().map(p -> Collections.unmodifiableMap(new LinkedHashMap<>(p))).toList();
    }

    /** A report of counts alone (tests, replayed batches). */
    public static ValidationReport counts(Task task, long examples, Map<String, Long> labels) {
        return new ValidationReport(task.id(), null, examples, examples, examples, 0, 0, List.of(), null, labels,
                List.of(), 0, List.of(), null);
    }

    /** A dataset that could not be read at all: one issue, nothing else. */
    public static ValidationReport failed(Task task, IssueCode code, String message) {
        return new ValidationReport(task == null ? null : task.id(), null, 0, 0, 0, 0, 0, List.of(), null, Map.of(),
                List.of(new Issue(0, null, code, message)), 1, List.of(), null);
    }

    public boolean ok() {
        return issueCount == 0 && validExamples > 0;
    }

    /** Token lengths of the valid examples as the model would see them before truncation (special tokens and EOS
     * included), nearest-rank percentiles. truncated: examples longer than maxSeqLen; noLossTokens: causal-LM
     * examples whose completion starts at or after maxSeqLen, so truncation leaves them nothing to learn from. */
    public record TokenStats(
            @JsonProperty("p50") int p50,
            @JsonProperty("p90") int p90,
            @JsonProperty("p99") int p99,
            @JsonProperty("max") int max,
            @JsonProperty("max_seq_len") int maxSeqLen,
            @JsonProperty("truncated") long truncated,
            @JsonProperty("no_loss_tokens") long noLossTokens) {}
}
