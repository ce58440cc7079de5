package dev.slicefine.api.datasets;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.ValidationReport;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A dataset as clients see it; {@code sha256} is the digest of the uploaded file. task: as uploaded, else inferred
 * when it is validated (null until then); fields: the field names of a text dataset ({@code text_field} ...,
 * null for images); report: the engine's validation report.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DatasetView(UUID id, String name, DatasetFormat format, ValidationStatus status, String filename,
                          long size, String sha256, String task, @JsonUnwrapped DatasetFields fields,
                          ValidationReport report, Instant createdAt, Instant updatedAt) {}
