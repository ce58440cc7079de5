package dev.slicefine.api.auth;

import java.time.Instant;
import java.util.UUID;

/** The answer to key creation: the only time {@code key} is shown. */
public record CreatedKey(UUID id, UUID tenantId, String name, String prefix, boolean admin, Instant createdAt, String key) {}
