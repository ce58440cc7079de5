package dev.slicefine.api.auth;

import dev.slicefine.api.common.AssignedIdEntity;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An api_keys row (V1): the SHA-256 of the key, never the key. */
@Entity
@Table(name = "api_keys")
class ApiKeyEntity extends AssignedIdEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    private String name;
    private String prefix;
    private byte[] keyHash;
    private boolean admin;
    private Instant lastUsedAt;
    private Instant revokedAt;

    protected ApiKeyEntity() {}

    ApiKeyEntity(UUID id, UUID tenantId, String name, String prefix, byte[] keyHash, boolean admin) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.prefix = prefix;
        this.keyHash = keyHash;
        this.admin = admin;
    }

    @Override
    public UUID getId() {
        return id;
    }

    byte[] keyHash() {
        return keyHash;
    }

    ApiKeyView view() {
        return new ApiKeyView(id, tenantId, name, prefix, admin, createdAt(), lastUsedAt, revokedAt);
    }
}
