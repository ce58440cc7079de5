package dev.slicefine.api.evaluations;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * POST /v1/evaluations: exactly one of model_id (a base model) and job_id (a fine-tuning job's result), the dataset,
 * and optional max_seq_len (1..8192, default 128) and batch_size (1..1024, default 16). Parsing collects one error per
 * bad field instead of stopping at the first.
 */
record EvaluationRequest(UUID modelId, UUID jobId, UUID datasetId, int maxSeqLen, int batchSize) {
    /** One bad field: its JSON name, a stable code and a sentence. */
    record Invalid(String field, String code, String message) {}

    private static final Set<String> FIELDS = Set.of("model_id", "job_id", "dataset_id", "max_seq_len", "batch_size");

    static EvaluationRequest parse(JsonNode body, List<Invalid> errors) {
        if (body == null || !body.isObject()) {
            errors.add(new Invalid("", "not_an_object", "the body must be a JSON object"));
            return null;
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                errors.add(new Invalid(name, "unknown_field", "is not a field of an evaluation (" + String.join(", ", FIELDS.stream().sorted().toList()) + ")"));
            }
        }
        UUID model = uuid(body, "model_id", errors);
        UUID job = uuid(body, "job_id", errors);
        UUID dataset = uuid(body, "dataset_id", errors);
        if ((model == null) == (job == null) && !body.has("model_id") == !body.has("job_id")) {
            errors.add(new Invalid("model_id", "exactly_one_required", "give exactly one of model_id and job_id"));
        }
        if (!body.has("dataset_id")) {
            errors.add(new Invalid("dataset_id", "required", "is required"));
        }
        int maxSeqLen = integer(body, "max_seq_len", 128, 1, 8192, errors);
        int batchSize = integer(body, "batch_size", 16, 1, 1024, errors);
        return new EvaluationRequest(model, job, dataset, maxSeqLen, batchSize);
    }

    private static UUID uuid(JsonNode body, String field, List<Invalid> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return UUID.fromString(v.asString());
        } catch (RuntimeException e) {
            errors.add(new Invalid(field, "invalid_id", "must be an id (a UUID)"));
            return null;
        }
    }

    private static int integer(JsonNode body, String field, int dflt, int min, int max, List<Invalid> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            errors.add(new Invalid(field, "out_of_range", "must be an integer from " + min + " to " + max));
            return dflt;
        }
        return v.asInt();
    }

    static List<Invalid> list() {
        return new ArrayList<>();
    }
}
