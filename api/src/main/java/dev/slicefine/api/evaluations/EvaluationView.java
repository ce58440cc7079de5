package dev.slicefine.api.evaluations;

import dev.slicefine.api.jobs.HistoryPage;
import dev.slicefine.api.jobs.JobStatus;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * An evaluation run as clients see it. model_id: the base checkpoint; job_id: the fine-tuning job whose result was
 * evaluated (null for a base model); metrics: null until it succeeds; predictions: only with ?include=predictions,
 * one page of per-example predictions in dataset order.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvaluationView(UUID id, JobStatus status, boolean cancelRequested, UUID modelId, UUID jobId, UUID datasetId,
                             JsonNode config, String task, JsonNode metrics, Error error, int attempt, Instant createdAt,
                             Instant startedAt, Instant finishedAt, HistoryPage<JsonNode> predictions) {
    public record Error(String code, String message) {}
}
