package dev.slicefine.api.jobs;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A job as clients see it, in snake_case like its config. {@code progress}, {@code eta_seconds} and
 * {@code latest_metrics} come from the job_metrics rows the worker writes; {@code device} and {@code worker} say where
 * the latest attempt runs or ran (null before a worker claimed it). {@code evaluation_id}: the final evaluation
 * ({@code GET /v1/evaluations/{evaluation_id}}) a succeeded job with an eval dataset or validation_split gets.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobView(UUID id, String name, UUID modelId, UUID datasetId, UUID evalDatasetId, JobStatus status,
                      boolean cancelRequested, int priority, int attempt, int maxAttempts, JsonNode config,
                      Progress progress, Double etaSeconds, MetricView latestMetrics, JobError error,
                      Instant createdAt, Instant queuedAt, Instant startedAt, Instant finishedAt, Instant updatedAt,
                      String device, String worker, UUID evaluationId) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Progress(long step, Long totalSteps) {}

    public record JobError(String code, String message) {}
}
