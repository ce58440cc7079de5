package dev.slicefine.engine.data;

import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.util.List;

/**
 * How to read a dataset. tokenizer: required to read a text dataset, optional to validate one (then no token
 * statistics), null for images. maxSeqLen: the model's context, used for the truncation counts (0: no limit).
 * labels: the class names in class-id order, or null to take the distinct labels of the file, sorted (numerically when
 * every label is an integer, so 2 comes before 10). eosId: appended
 * to every causal-LM example when not null. image: required for images. limit: keep at most this many valid
 * examples (0: all). fields: the field names of a text dataset (null: the defaults).
 */
public record DatasetOptions(
        Task task,
        TextTokenizer tokenizer,
        int maxSeqLen,
        List<String> labels,
        Integer eosId,
        ImageSpec image,
        int limit,
        DatasetFields fields) {

    public DatasetOptions {
        if (task == null) {
            throw new IllegalArgumentException("task is required");
        }
        if (maxSeqLen < 0 || limit < 0) {
            throw new IllegalArgumentException("maxSeqLen and limit must not be negative");
        }
        labels = labels == null ? null : List.copyOf(labels);
        fields = fields == null ? DatasetFields.DEFAULTS : fields;
        if (labels != null && labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("the label list has duplicates: " + labels);
        }
    }

    public static DatasetOptions textClassification(TextTokenizer tokenizer, int maxSeqLen) {
        return new DatasetOptions(Task.TEXT_CLASSIFICATION, tokenizer, maxSeqLen, null, null, null, 0, null);
    }

    public static DatasetOptions causalLm(TextTokenizer tokenizer, int maxSeqLen, Integer eosId) {
        return new DatasetOptions(Task.CAUSAL_LM, tokenizer, maxSeqLen, null, eosId, null, 0, null);
    }

    public static DatasetOptions imageClassification(ImageSpec image) {
        return new DatasetOptions(Task.IMAGE_CLASSIFICATION, null, 0, null, null, image, 0, null);
    }

    public DatasetOptions withLabels(List<String> newLabels) {
        return new DatasetOptions(task, tokenizer, maxSeqLen, newLabels, eosId, image, limit, fields);
    }

    /** Options for validating a dataset of a task without a tokenizer (no token statistics) or image spec. */
    public static DatasetOptions validation(Task task, DatasetFields fields) {
        return new DatasetOptions(task, null, 0, null, null, null, 0, fields);
    }

    public DatasetOptions withFields(DatasetFields newFields) {
        return new DatasetOptions(task, tokenizer, maxSeqLen, labels, eosId, image, limit, newFields);
    }

    public DatasetOptions withLimit(int newLimit) {
        return new DatasetOptions(task, tokenizer, maxSeqLen, labels, eosId, image, newLimit, fields);
    }
}
