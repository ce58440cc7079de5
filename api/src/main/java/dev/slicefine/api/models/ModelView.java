package dev.slicefine.api.models;

import dev.slicefine.api.common.ValidationStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A model as clients see it. {@code sha256} is the digest of its manifest (sorted "path sha256" lines);
 * {@code uploadSha256} that of the uploaded archive, when it came as one.
 */
public record ModelView(UUID id, String name, ValidationStatus status, String sourceFormat, String sha256,
                        String uploadSha256, long totalSize, List<ModelFileView> files, ModelReport report,
                        Instant createdAt, Instant updatedAt) {}
