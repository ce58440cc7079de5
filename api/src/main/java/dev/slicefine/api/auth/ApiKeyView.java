package dev.slicefine.api.auth;

import java.time.Instant;
import java.util.UUID;

/** A key as listed: never the secret. */
public record ApiKeyView(UUID id, UUID tenantId, String name, String prefix, boolean admin,
                         Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}
