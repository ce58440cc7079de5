package dev.slicefine.api.artifacts;

import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** An artifacts row; {@code sha256} is the ETag of its download. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ArtifactView(UUID id, UUID jobId, String kind, String filename, long size, String sha256, JsonNode metadata,
                           Instant createdAt, String url) {}
