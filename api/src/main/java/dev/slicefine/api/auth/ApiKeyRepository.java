package dev.slicefine.api.auth;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiKeyRepository {
    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record KeyRow(UUID id, UUID tenantId, String name, String prefix, byte[] keyHash, boolean admin,
                  Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        ApiKeyView view() {
            return new ApiKeyView(id, tenantId, name, prefix, admin, createdAt, lastUsedAt, revokedAt);
        }
    }

    private static final String COLUMNS = "id, tenant_id, name, prefix, key_hash, admin, created_at, last_used_at, revoked_at";

    List<KeyRow> activeByPrefix(String prefix) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE prefix = :prefix AND revoked_at IS NULL")
                .param("prefix", prefix).query(ApiKeyRepository::map).list();
    }

    Optional<KeyRow> byHash(byte[] hash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = :hash").param("hash", hash)
                .query(ApiKeyRepository::map).optional();
    }

    Optional<KeyRow> byId(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id").param("id", id)
                .query(ApiKeyRepository::map).optional();
    }

    List<KeyRow> byTenant(UUID tenantId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE tenant_id = :t ORDER BY created_at, id")
                .param("t", tenantId).query(ApiKeyRepository::map).list();
    }

    boolean anyActiveAdmin() {
        return jdbc.sql("SELECT count(*) FROM api_keys WHERE admin AND revoked_at IS NULL").query(Long.class).single() > 0;
    }

    void insert(UUID id, UUID tenantId, String name, String prefix, byte[] hash, boolean admin) {
        jdbc.sql("INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, admin) VALUES (:id, :t, :name, :prefix, :hash, :admin)")
                .param("id", id).param("t", tenantId).param("name", name).param("prefix", prefix)
                .param("hash", hash).param("admin", admin).update();
    }

    boolean revoke(UUID id) {
        return jdbc.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
                .param("id", id).update() > 0;
    }

    void touch(UUID id) {
        jdbc.sql("UPDATE api_keys SET last_used_at = now() WHERE id = :id").param("id", id).update();
    }

    private static KeyRow map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new KeyRow(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class), rs.getString("name"),
                rs.getString("prefix"), rs.getBytes("key_hash"), rs.getBoolean("admin"),
                instant(rs, "created_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at"));
    }

    static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
