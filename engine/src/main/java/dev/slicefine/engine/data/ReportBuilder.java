package dev.slicefine.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates a validation run: issues (the first 100 kept), the label column (its type and distinct values), token
 * lengths. Memory grows with distinct labels and, when a tokenizer is given, one int per example: never with lines.
 */
final class ReportBuilder {
    enum LabelKind { STRING, INTEGER }

    private final List<Issue> issues = new ArrayList<>();
    private long issueCount;
    long totalLines;
    long rows;
    long blankLines;
    long valid;
    String format;
    List<String> columns;
    private final List<Map<String, String>> previews = new ArrayList<>();
    private final List<String> fixedLabels;
    private final Map<String, Long> counts = new TreeMap<>();
    private LabelKind labelKind;
    private boolean tooManyLabels;
    private int labelKindLine;
    private int[] lengths = new int[1024];
    private int lengthCount;
    private long truncated;
    private long noLossTokens;

    ReportBuilder(List<String> fixedLabels) {
        this.fixedLabels = fixedLabels;
    }

    void issue(int line, String field, IssueCode code, String message) {
        issueCount++;
        if (issues.size() < ValidationReport.MAX_ISSUES) {
            issues.add(new Issue(line, field, code, message));
        }
    }

    /** Keeps the first few valid examples, field -> value, for a person to check the fields were read as meant. */
    void preview(String... fieldsAndValues) {
        if (previews.size() < ValidationReport.MAX_PREVIEWS) {
            Map<String, String> cut = new LinkedHashMap<>();
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                String v = fieldsAndValues[i + 1];
                if (v != null) {
                    cut.put(fieldsAndValues[i], v.length() > ValidationReport.MAX_PREVIEW_CHARS
                            ? v.substring(0, ValidationReport.MAX_PREVIEW_CHARS) + "…" : v);
                }
            }
            previews.add(cut);
        }
    }

    long issueCountSoFar() {
        return issueCount;
    }

    boolean hasIssues() {
        return issueCount > 0;
    }

    /**
     * Checks a label's type against the column and, with a fixed label list, that it is known; returns false (after
     * recording the issue) when the example must be dropped.
     */
    boolean acceptLabel(int line, String where, String label, LabelKind kind) {
        if (labelKind == null) {
            labelKind = kind;
            labelKindLine = line;
        } else if (labelKind != kind) {
            issue(line, where, IssueCode.INCONSISTENT_LABEL_TYPE, "label is " + article(kind) + " but the label on line " + labelKindLine + " is "
                    + article(labelKind) + ": a label column must be all strings or all integers");
            return false;
        }
        if (fixedLabels == null && !counts.containsKey(label) && counts.size() >= ValidationReport.MAX_LABELS) {
            if (!tooManyLabels) {
                tooManyLabels = true;
                issue(line, where, IssueCode.TOO_MANY_LABELS, "more than " + ValidationReport.MAX_LABELS
                        + " distinct labels: these look like free text, not classes");
            } else {
                issueCount++;
            }
            return false;
        }
        if (fixedLabels != null && !fixedLabels.contains(label)) {
            issue(line, where, IssueCode.UNKNOWN_LABEL, "unknown label '" + label + "' (the labels are " + fixedLabels + ")");
            return false;
        }
        return true;
    }

    private static String article(LabelKind k) {
        return k == LabelKind.STRING ? "a string" : "an integer";
    }

    /** Records a valid example (label null for a causal LM). */
    void accept(String label) {
        valid++;
        if (label != null) {
            counts.merge(label, 1L, Long::sum);
        }
    }

    void tokens(int length, int maxSeqLen, boolean noLoss) {
        if (lengthCount == lengths.length) {
            lengths = Arrays.copyOf(lengths, lengths.length * 2);
        }
        lengths[lengthCount++] = length;
        if (maxSeqLen > 0 && length > maxSeqLen) {
            truncated++;
        }
        if (noLoss) {
            noLossTokens++;
        }
    }

    /** The label list: the fixed one, else the distinct labels sorted numerically when all are integers, else as text. */
    List<String> labels() {
        if (fixedLabels != null) {
            return fixedLabels;
        }
        List<String> list = new ArrayList<>(counts.keySet());
        if (list.stream().allMatch(ReportBuilder::isInteger)) {
            list.sort((a, b) -> {
                int c = new java.math.BigInteger(a.trim()).compareTo(new java.math.BigInteger(b.trim()));
                return c != 0 ? c : a.compareTo(b);
            });
        }
        return list;
    }

    static boolean isInteger(String s) {
        return s.trim().matches("[+-]?\\d+");
    }

    ValidationReport build(Task task, boolean withTokens, int maxSeqLen) {
        Map<String, Long> dist = new LinkedHashMap<>();
        for (String l : labels()) {
            dist.put(l, counts.getOrDefault(l, 0L));
        }
        ValidationReport.TokenStats stats = null;
        if (withTokens && lengthCount > 0) {
            int[] sorted = Arrays.copyOf(lengths, lengthCount);
            Arrays.sort(sorted);
            stats = new ValidationReport.TokenStats(rank(sorted, 50), rank(sorted, 90), rank(sorted, 99),
                    sorted[sorted.length - 1], maxSeqLen, truncated, noLossTokens);
        }
        String type = task == Task.CAUSAL_LM || labelKind == null ? null : labelKind.name().toLowerCase(java.util.Locale.ROOT);
        return new ValidationReport(task.id(), format, totalLines, rows, valid, Math.max(0, rows - valid), blankLines,
                columns, type, task == Task.CAUSAL_LM ? Map.of() : dist, issues, issueCount, previews, stats);
    }

    /** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
    private static int rank(int[] sorted, int p) {
        int k = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, k - 1)];
    }
}
