package dev.slicefine.api.evaluations;

import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * POST /v1/evaluations: exactly one of model_id (a base model) and job_id (a fine-tuning job's result), the dataset,
 * and optional max_seq_len (1..8192, default 128) and batch_size (1..1024, default 16). Parsing collects one error per
 * bad field in the engine's {@link ConfigErrors}, the words and codes job requests use.
 */
record EvaluationRequest(UUID modelId, UUID jobId, UUID datasetId, int maxSeqLen, int batchSize) {
    /** Both or neither of model_id and job_id. */
    static final String EXACTLY_ONE = "exactly_one_required";

    private static final Set<String> FIELDS = Set.of("model_id", "job_id", "dataset_id", "max_seq_len", "batch_size");

    static EvaluationRequest parse(JsonNode body, ConfigErrors errors) {
        if (body == null || !body.isObject()) {
            errors.add("", ConfigError.WRONG_TYPE, "the body must be a JSON object");
            return null;
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                errors.add(name, ConfigError.UNKNOWN_FIELD, "is not a field of an evaluation ("
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        UUID model = uuid(body, "model_id", errors);
        UUID job = uuid(body, "job_id", errors);
        UUID dataset = uuid(body, "dataset_id", errors);
        if ((model == null) == (job == null) && !body.has("model_id") == !body.has("job_id")) {
            errors.add("model_id", EXACTLY_ONE, "give exactly one of model_id and job_id");
        }
        if (!body.has("dataset_id")) {
            errors.add("dataset_id", ConfigError.REQUIRED, "is required");
        }
        int maxSeqLen = integer(body, "max_seq_len", 128, 1, 8192, errors);
        int batchSize = integer(body, "batch_size", 16, 1, 1024, errors);
        return new EvaluationRequest(model, job, dataset, maxSeqLen, batchSize);
    }

    private static UUID uuid(JsonNode body, String field, ConfigErrors errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return UUID.fromString(v.asString());
        } catch (RuntimeException e) {
            errors.add(field, ConfigError.WRONG_TYPE, "must be a UUID");
            return null;
        }
    }

    private static int integer(JsonNode body, String field, int dflt, int min, int max, ConfigErrors errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            errors.add(field, ConfigError.WRONG_TYPE, "must be an integer");
            return dflt;
        }
        errors.between(field, v.asInt(), min, max);
        return errors.has(field) ? dflt : v.asInt();
    }
}
