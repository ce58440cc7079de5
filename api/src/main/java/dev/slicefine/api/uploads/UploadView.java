package dev.slicefine.api.uploads;

import java.time.Instant;
import java.util.UUID;

/** A resumable upload: {@code offset} bytes of {@code size} received; once completed, {@code resultUrl} names the model or dataset. */
public record UploadView(UUID id, UploadPurpose purpose, String filename, long size, long offset, String status,
                         UUID resultId, String resultUrl, Instant createdAt, Instant expiresAt) {}
