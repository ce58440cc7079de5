package dev.slicefine.api.datasets;

import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Rows;
import dev.slicefine.api.common.TenantPageQuery;
import dev.slicefine.api.common.ValidationStatus;
import dev.slicefine.engine.data.DatasetFields;
import dev.slicefine.engine.data.Task;
import dev.slicefine.engine.data.ValidationReport;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Repository;

@Repository
class DatasetRepository {
    private static final String COLUMNS = "id, tenant_id, name, format, status, filename, blob_sha256, size, task, text_field, "
            + "label_field, text_pair_field, prompt_field, completion_field, report::text AS report, created_at, updated_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    private final java.nio.file.Path dataDir;

    DatasetRepository(JdbcClient jdbc, JsonMapper json, dev.slicefine.api.common.SliceFineProperties properties) {
        this.dataDir = properties.dataDir();
        this.jdbc = jdbc;
        this.json = json;
    }

    /** fields: null for an image dataset; task: null to infer it at validation. */
    void insert(UUID id, UUID tenantId, String name, DatasetFormat format, String filename, String sha256, long size,
                Task task, DatasetFields fields) {
        jdbc.sql("""
                INSERT INTO datasets (id, tenant_id, name, format, status, filename, blob_sha256, size, task, text_field,
                                      label_field, text_pair_field, prompt_field, completion_field)
                VALUES (:id, :t, :name, :format, 'validating', :filename, :sha, :size, :task, :text, :label, :pair,
                        :prompt, :completion)""")
                .param("id", id).param("t", tenantId).param("name", name).param("format", format.name())
                .param("filename", filename).param("sha", sha256).param("size", size)
                .param("task", task == null ? null : task.id())
                .param("text", fields == null ? null : fields.text())
                .param("label", fields == null ? null : fields.label())
                .param("pair", fields == null ? null : fields.textPair())
                .param("prompt", fields == null ? null : fields.prompt())
                .param("completion", fields == null ? null : fields.completion()).update();
    }

    Optional<DatasetView> find(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM datasets WHERE id = :id AND tenant_id = :t")
                .param("id", id).param("t", tenantId).query(this::map).optional();
    }

    Optional<DatasetView> findAnyTenant(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM datasets WHERE id = :id").param("id", id).query(this::map).optional();
    }

    /** Locks the row for a delete and returns its blob; empty if it is not the tenant's. */
    Optional<String> lockBlob(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT blob_sha256 FROM datasets WHERE id = :id AND tenant_id = :t FOR UPDATE")
                .param("id", id).param("t", tenantId).query(String.class).optional();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM datasets WHERE id = :id").param("id", id).update();
    }

    List<DatasetView> page(UUID tenantId, ValidationStatus status, DatasetFormat format, String name, Cursor after, int limit) {
        return new TenantPageQuery(COLUMNS, "datasets", tenantId)
                .where("status = :status", "status", status)
                .where("format = :format", "format", format)
                .nameContains(name)
                .list(jdbc, after, limit, this::map);
    }

    List<UUID> validating() {
        return jdbc.sql("SELECT id FROM datasets WHERE status = 'validating' ORDER BY created_at").query(UUID.class).list();
    }

    /** Stores the engine's report and the task it was read for (the uploaded or the inferred one). */
    boolean finishValidation(UUID id, ValidationStatus status, ValidationReport report) {
        return jdbc.sql("""
                UPDATE datasets SET status = :status, task = :task, report = CAST(:report AS jsonb), updated_at = now()
                WHERE id = :id AND status = 'validating'""")
                .param("id", id).param("status", status.name()).param("task", report.task())
                .param("report", dev.slicefine.api.common.ServerPaths.redact(json.writeValueAsString(report), dataDir))
                .update() > 0;
    }

    private DatasetView map(ResultSet rs, int row) throws SQLException {
        String report = rs.getString("report");
        DatasetFormat format = DatasetFormat.valueOf(rs.getString("format"));
        DatasetFields fields = format == DatasetFormat.imagefolder ? null : new DatasetFields(rs.getString("text_field"),
                rs.getString("label_field"), rs.getString("text_pair_field"), rs.getString("prompt_field"),
                rs.getString("completion_field"));
        return new DatasetView(rs.getObject("id", UUID.class), rs.getString("name"), format,
                ValidationStatus.valueOf(rs.getString("status")), rs.getString("filename"), rs.getLong("size"),
                rs.getString("blob_sha256"), rs.getString("task"), fields,
                report == null ? null : json.readerFor(ValidationReport.class)
                        .without(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(report),
                Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"));
    }
}
