package dev.slicefine.api.models;

import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Rows;
import dev.slicefine.api.common.TenantPageQuery;
import dev.slicefine.api.common.ValidationStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Repository;

@Repository
class ModelRepository {
    private static final String COLUMNS = "id, tenant_id, name, status, source_format, sha256, upload_sha256, total_size, report::text AS report, created_at, updated_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    private final java.nio.file.Path dataDir;

    ModelRepository(JdbcClient jdbc, JsonMapper json, dev.slicefine.api.common.SliceFineProperties properties) {
        this.dataDir = properties.dataDir();
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(UUID id, UUID tenantId, String name, String sourceFormat, String sha256, String uploadSha256, long totalSize) {
        jdbc.sql("""
                INSERT INTO models (id, tenant_id, name, status, source_format, sha256, upload_sha256, total_size)
                VALUES (:id, :t, :name, 'validating', :format, :sha, :upload, :size)""")
                .param("id", id).param("t", tenantId).param("name", name).param("format", sourceFormat)
                .param("sha", sha256).param("upload", uploadSha256).param("size", totalSize).update();
    }

    void insertFile(UUID modelId, String path, String sha256, long size) {
        jdbc.sql("INSERT INTO model_files (model_id, path, blob_sha256, size) VALUES (:m, :p, :sha, :size)")
                .param("m", modelId).param("p", path).param("sha", sha256).param("size", size).update();
    }

    Optional<ModelView> find(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM models WHERE id = :id AND tenant_id = :t")
                .param("id", id).param("t", tenantId).query(this::map).optional()
                .map(m -> withFiles(List.of(m)).get(0));
    }

    /** Locks the row for a delete; empty if it is not the tenant's. */
    boolean lock(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT id FROM models WHERE id = :id AND tenant_id = :t FOR UPDATE")
                .param("id", id).param("t", tenantId).query(UUID.class).optional().isPresent();
    }

    List<ModelFileView> files(UUID modelId) {
        return jdbc.sql("SELECT path, size, blob_sha256 FROM model_files WHERE model_id = :m ORDER BY path")
                .param("m", modelId)
                .query((rs, i) -> new ModelFileView(rs.getString("path"), rs.getLong("size"), rs.getString("blob_sha256")))
                .list();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM models WHERE id = :id").param("id", id).update();
    }

    List<ModelView> page(UUID tenantId, ValidationStatus status, String name, Cursor after, int limit) {
        return withFiles(new TenantPageQuery(COLUMNS, "models", tenantId)
                .where("status = :status", "status", status)
                .nameContains(name)
                .list(jdbc, after, limit, this::map));
    }

    List<UUID> validating() {
        return jdbc.sql("SELECT id FROM models WHERE status = 'validating' ORDER BY created_at").query(UUID.class).list();
    }

    Optional<UUID> tenantOf(UUID id) {
        return jdbc.sql("SELECT tenant_id FROM models WHERE id = :id").param("id", id).query(UUID.class).optional();
    }

    /** Records a result; only a model still 'validating' changes, so a deleted or re-validated one is left alone. */
    boolean finishValidation(UUID id, ValidationStatus status, ModelReport report) {
        return jdbc.sql("""
                UPDATE models SET status = :status, report = CAST(:report AS jsonb), updated_at = now()
                WHERE id = :id AND status = 'validating'""")
                .param("id", id).param("status", status.name()).param("report", dev.slicefine.api.common.ServerPaths.redact(json.writeValueAsString(report), dataDir))
                .update() > 0;
    }

    /** Stores what is known so far while the model stays 'validating'. */
    void recordPending(UUID id, ModelReport report) {
        jdbc.sql("UPDATE models SET report = CAST(:report AS jsonb), updated_at = now() WHERE id = :id AND status = 'validating'")
                .param("id", id).param("report", dev.slicefine.api.common.ServerPaths.redact(json.writeValueAsString(report), dataDir)).update();
    }

    private List<ModelView> withFiles(List<ModelView> models) {
        if (models.isEmpty()) {
            return models;
        }
        Map<UUID, List<ModelFileView>> files = new LinkedHashMap<>();
        jdbc.sql("SELECT model_id, path, size, blob_sha256 FROM model_files WHERE model_id = ANY(:ids) ORDER BY path")
                .param("ids", models.stream().map(ModelView::id).toArray(UUID[]::new))
                .query(rs -> {
                    files.computeIfAbsent(rs.getObject("model_id", UUID.class), k -> new ArrayList<>())
                            .add(new ModelFileView(rs.getString("path"), rs.getLong("size"), rs.getString("blob_sha256")));
                });
        return models.stream().map(m -> new ModelView(m.id(), m.name(), m.status(), m.sourceFormat(), m.sha256(),
                m.uploadSha256(), m.totalSize(), files.getOrDefault(m.id(), List.of()), m.report(), m.createdAt(),
                m.updatedAt())).toList();
    }

    private ModelView map(ResultSet rs, int row) throws SQLException {
        String report = rs.getString("report");
        Instant created = Rows.instant(rs, "created_at");
        return new ModelView(rs.getObject("id", UUID.class), rs.getString("name"),
                ValidationStatus.valueOf(rs.getString("status")), rs.getString("source_format"), rs.getString("sha256"),
                rs.getString("upload_sha256"), rs.getLong("total_size"), List.of(),
                report == null ? null : json.readerFor(ModelReport.class).without(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(report), created, Rows.instant(rs, "updated_at"));
    }
}
