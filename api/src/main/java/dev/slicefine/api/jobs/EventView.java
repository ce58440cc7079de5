package dev.slicefine.api.jobs;

import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** One job_events row; {@code seq} is gapless per job, the SSE id and the {@code after} cursor. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EventView(long seq, String type, String fromStatus, String toStatus, String code, String message,
                        JsonNode data, Instant createdAt) {}
