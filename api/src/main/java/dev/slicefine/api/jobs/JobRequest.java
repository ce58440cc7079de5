package dev.slicefine.api.jobs;

import dev.slicefine.engine.config.ConfigError;
import dev.slicefine.engine.config.ConfigErrors;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST /v1/jobs parsed: the resource fields (model_id, dataset_id, eval_dataset_id, name, priority) and everything
 * else as the job config, kept as JSON because that is what jobs.config stores and the worker reads.
 */
record JobRequest(UUID modelId, UUID datasetId, UUID evalDatasetId, String name, int priority, ObjectNode config) {

    static JobRequest parse(JsonNode body, ConfigErrors errors) {
        if (body == null || !body.isObject()) {
            errors.add("", ConfigError.WRONG_TYPE, "the body must be a JSON object");
            return null;
        }
        ObjectNode config = ((ObjectNode) body).deepCopy();
        UUID model = uuid(config.remove("model_id"), "model_id", true, errors);
        UUID dataset = uuid(config.remove("dataset_id"), "dataset_id", true, errors);
        UUID eval = uuid(config.remove("eval_dataset_id"), "eval_dataset_id", false, errors);
        JsonNode nameNode = config.remove("name");
        String name = null;
        if (nameNode != null && !nameNode.isNull()) {
            if (!nameNode.isString() || nameNode.asString().isBlank() || nameNode.asString().length() > 200) {
                errors.add("name", ConfigError.WRONG_TYPE, "must be a non-empty string of at most 200 characters");
            } else {
                name = nameNode.asString().strip();
            }
        }
        JsonNode p = config.remove("priority");
        int priority = 0;
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < -100 || p.asInt() > 100) {
                errors.add("priority", ConfigError.OUT_OF_RANGE, "must be an integer between -100 and 100");
            } else {
                priority = p.asInt();
            }
        }
        return new JobRequest(model, dataset, eval, name, priority, config);
    }

    private static UUID uuid(JsonNode v, String field, boolean required, ConfigErrors errors) {
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(field, ConfigError.REQUIRED, "is required");
            }
            return null;
        }
        try {
            return UUID.fromString(v.asString());
        } catch (RuntimeException e) {
            errors.add(field, ConfigError.WRONG_TYPE, "must be a UUID");
            return null;
        }
    }
}
