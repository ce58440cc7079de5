package dev.slicefine.api.evaluations;

import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Rows;
import dev.slicefine.api.common.TenantPageQuery;
import dev.slicefine.api.jobs.JobStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** SQL for evaluation runs: jobs rows of kind 'evaluate' (V5), their results and per-example predictions. */
@Repository
class EvaluationRepository {
    private static final String COLUMNS = "id, tenant_id, model_id, source_job_id, dataset_id, status, cancel_requested, "
            + "config::text AS config, attempt, error_code, error_message, created_at, started_at, finished_at, task, "
            + "metrics::text AS metrics";
    /** Evaluation runs with their results, under unqualified names (for TenantPageQuery). */
    private static final String FROM = "(SELECT j.*, r.task, r.metrics FROM jobs j LEFT JOIN evaluation_results r "
            + "ON r.job_id = j.id WHERE j.kind = 'evaluate') e";

    record Row(UUID id, UUID tenantId, UUID modelId, UUID jobId, UUID datasetId, JobStatus status, boolean cancelRequested,
               JsonNode config, int attempt, String errorCode, String errorMessage, Instant createdAt, Instant startedAt,
               Instant finishedAt, String task, JsonNode metrics) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    EvaluationRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insertQueued(UUID id, UUID tenantId, UUID modelId, UUID sourceJobId, UUID datasetId, JsonNode config) {
        jdbc.sql("""
                INSERT INTO jobs (id, tenant_id, kind, model_id, source_job_id, dataset_id, status, config, queued_at)
                VALUES (:id, :t, 'evaluate', :m, :s, :d, 'queued', CAST(:c AS jsonb), now())""")
                .param("id", id).param("t", tenantId).param("m", modelId).param("s", sourceJobId).param("d", datasetId)
                .param("c", json.writeValueAsString(config)).update();
    }

    Optional<Row> find(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM " + FROM + " WHERE id = :id AND tenant_id = :t")
                .param("id", id).param("t", tenantId).query(this::map).optional();
    }

    /** Locks the row (cancel); false when the tenant has no such evaluation. */
    boolean lock(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT id FROM jobs WHERE id = :id AND tenant_id = :t AND kind = 'evaluate' FOR UPDATE")
                .param("id", id).param("t", tenantId).query(UUID.class).optional().isPresent();
    }

    List<Row> page(UUID tenantId, JobStatus status, Cursor after, int limit) {
        return new TenantPageQuery(COLUMNS, FROM, tenantId)
                .where("status = :status", "status", status == null ? null : status.name())
                .list(jdbc, after, limit, this::map);
    }

    /** Predictions with index > after, in index order. */
    List<JsonNode> predictions(UUID id, int after, int limit) {
        return jdbc.sql("SELECT data::text FROM evaluation_predictions WHERE job_id = :j AND idx > :a ORDER BY idx LIMIT :n")
                .param("j", id).param("a", after).param("n", limit).query((rs, i) -> json.readTree(rs.getString(1))).list();
    }

    /** A tenant's succeeded fine-tuning job: its base model id (null when deleted) and method; empty when none. */
    Optional<UUID[]> succeededJob(UUID tenantId, UUID jobId) {
        return jdbc.sql("SELECT model_id, status FROM jobs WHERE id = :id AND tenant_id = :t AND kind = 'train'")
                .param("id", jobId).param("t", tenantId)
                .query((rs, i) -> new UUID[] {rs.getObject(1, UUID.class), "succeeded".equals(rs.getString(2)) ? jobId : null})
                .optional();
    }

    /** 'ready', 'validating', 'invalid', or empty when the tenant has no such row. */
    Optional<String> status(String table, UUID tenantId, UUID id) {
        return jdbc.sql("SELECT status FROM " + table + " WHERE id = :id AND tenant_id = :t")
                .param("id", id).param("t", tenantId).query(String.class).optional();
    }

    private Row map(ResultSet rs, int n) throws SQLException {
        String metrics = rs.getString("metrics");
        return new Row(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class), rs.getObject("model_id", UUID.class),
                rs.getObject("source_job_id", UUID.class), rs.getObject("dataset_id", UUID.class),
                JobStatus.valueOf(rs.getString("status")), rs.getBoolean("cancel_requested"), json.readTree(rs.getString("config")),
                rs.getInt("attempt"), rs.getString("error_code"), rs.getString("error_message"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"), rs.getString("task"),
                metrics == null ? null : json.readTree(metrics));
    }
}
