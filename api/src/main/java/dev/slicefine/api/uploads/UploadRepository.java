package dev.slicefine.api.uploads;

import dev.slicefine.api.common.Rows;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
class UploadRepository {
    record UploadRow(UUID id, UUID tenantId, UploadPurpose purpose, String filename, long size,
                     CreateUploadRequest request, String status, UUID resultId, Instant createdAt, Instant updatedAt) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    UploadRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(UUID id, UUID tenantId, CreateUploadRequest request) {
        jdbc.sql("""
                INSERT INTO uploads (id, tenant_id, purpose, filename, total_size, metadata, status)
                VALUES (:id, :t, :purpose, :filename, :size, CAST(:meta AS jsonb), 'open')""")
                .param("id", id).param("t", tenantId).param("purpose", request.purpose().name())
                .param("filename", request.filename()).param("size", request.size())
                .param("meta", json.writeValueAsString(request)).update();
    }

    Optional<UploadRow> find(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT id, tenant_id, purpose, filename, total_size, metadata::text AS meta, status, result_id, created_at, updated_at FROM uploads WHERE id = :id AND tenant_id = :t")
                .param("id", id).param("t", tenantId)
                .query((rs, i) -> new UploadRow(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                        UploadPurpose.valueOf(rs.getString("purpose")), rs.getString("filename"), rs.getLong("total_size"),
                        json.readerFor(CreateUploadRequest.class).without(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(rs.getString("meta")), rs.getString("status"),
                        rs.getObject("result_id", UUID.class), Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at")))
                .optional();
    }

    void touch(UUID id) {
        jdbc.sql("UPDATE uploads SET updated_at = now() WHERE id = :id").param("id", id).update();
    }

    void complete(UUID id, UUID resultId) {
        jdbc.sql("UPDATE uploads SET status = 'completed', result_id = :r, updated_at = now() WHERE id = :id")
                .param("id", id).param("r", resultId).update();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM uploads WHERE id = :id").param("id", id).update();
    }

    List<UUID> openIds() {
        return jdbc.sql("SELECT id FROM uploads WHERE status = 'open'").query(UUID.class).list();
    }

    List<UUID> expired(Duration openFor) {
        return jdbc.sql("SELECT id FROM uploads WHERE updated_at < now() - make_interval(secs => :s)")
                .param("s", (double) openFor.toSeconds()).query(UUID.class).list();
    }
}
