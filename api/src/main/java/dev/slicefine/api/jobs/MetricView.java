package dev.slicefine.api.jobs;

import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One job_metrics row; {@code id} is the SSE id and the {@code after} cursor. {@code attempt}: a resumed attempt
 * re-trains the steps after its checkpoint, so a step can appear once per attempt; keep the newest attempt's rows.
 * {@code throughput} is in {@code throughputUnit}: tokens/s for text, images/s for images ({@code tokensPerSecond} is
 * null for images).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MetricView(long id, long step, Double epoch, String split, Double loss, Double learningRate,
                         Double tokensPerSecond, Double throughput, String throughputUnit, JsonNode evalMetrics, Integer attempt, Instant createdAt) {}
