package dev.slicefine.api.datasets;

import dev.slicefine.api.common.ValidationStatus;
import java.time.Instant;
import java.util.UUID;

/** A dataset as clients see it; {@code sha256} is the digest of the uploaded file. */
public record DatasetView(UUID id, String name, DatasetFormat format, ValidationStatus status, String filename,
                          long size, String sha256, String textField, String labelField, DatasetReport report,
                          Instant createdAt, Instant updatedAt) {}
