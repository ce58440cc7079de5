package dev.slicefine.api.jobs;

import dev.slicefine.api.common.Cursor;
import dev.slicefine.api.common.Rows;
import dev.slicefine.api.common.TenantPageQuery;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Repository;

/** SQL for jobs, job_events and job_metrics. Every query is scoped to a tenant except those the streams use by id. */
@Repository
public class JobRepository {
    private static final String COLUMNS = "id, tenant_id, model_id, dataset_id, eval_dataset_id, name, status, "
            + "cancel_requested, config::text AS config, idempotency_key, priority, attempt, max_attempts, error_code, "
            + "error_message, created_at, queued_at, started_at, finished_at, updated_at";

    /** A jobs row, before progress is added. */
    public record JobRow(UUID id, UUID tenantId, UUID modelId, UUID datasetId, UUID evalDatasetId, String name,
                         JobStatus status, boolean cancelRequested, JsonNode config, String idempotencyKey, int priority,
                         int attempt, int maxAttempts, String errorCode, String errorMessage, Instant createdAt,
                         Instant queuedAt, Instant startedAt, Instant finishedAt, Instant updatedAt) {}

    static final String APPEND_EVENT = """
            WITH s AS (UPDATE jobs SET last_event_seq = last_event_seq + 1, updated_at = now() WHERE id = :job
                       RETURNING last_event_seq)
            INSERT INTO job_events (job_id, seq, type, from_status, to_status, code, message)
            SELECT :job, last_event_seq, :type, :from, :to, :code, :message FROM s RETURNING seq""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    JobRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Inserts a queued job; false when the tenant already has a job with this idempotency key. */
    boolean insertQueued(UUID id, UUID tenantId, UUID modelId, UUID datasetId, UUID evalDatasetId, String name,
                         int priority, JsonNode config, String idempotencyKey) {
        return jdbc.sql("""
                INSERT INTO jobs (id, tenant_id, model_id, dataset_id, eval_dataset_id, name, status, config,
                                  idempotency_key, priority, queued_at)
                VALUES (:id, :t, :m, :d, :e, :name, 'queued', CAST(:config AS jsonb), :key, :p, now())
                ON CONFLICT (tenant_id, idempotency_key) DO NOTHING""")
                .param("id", id).param("t", tenantId).param("m", modelId).param("d", datasetId).param("e", evalDatasetId)
                .param("name", name).param("config", json.writeValueAsString(config)).param("key", idempotencyKey)
                .param("p", priority).update() > 0;
    }

    /** Jobs in one status across every tenant (the partial indexes cover queued and running). */
    long countWithStatus(JobStatus status) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE status = :s").param("s", status.name()).query(Long.class).single();
    }

    public long appendEvent(UUID jobId, String type, String from, String to, String code, String message) {
        return jdbc.sql(APPEND_EVENT).param("job", jobId).param("type", type).param("from", from).param("to", to)
                .param("code", code).param("message", message).query(Long.class).single();
    }

    Optional<JobRow> find(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id AND tenant_id = :t AND kind = 'train'")
                .param("id", id).param("t", tenantId).query(this::map).optional();
    }

    /** Frees an Idempotency-Key used longer ago than {@code ttl} (its job keeps running, without the key). */
    void expireKey(UUID tenantId, String key, java.time.Duration ttl) {
        jdbc.sql("""
                UPDATE jobs SET idempotency_key = NULL
                WHERE tenant_id = :t AND idempotency_key = :k AND created_at < now() - make_interval(secs => :s)""")
                .param("t", tenantId).param("k", key).param("s", ttl.toMillis() / 1000.0).update();
    }

    Optional<JobRow> findByKey(UUID tenantId, String key) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE tenant_id = :t AND idempotency_key = :k AND kind = 'train'")
                .param("t", tenantId).param("k", key).query(this::map).optional();
    }

    Optional<JobRow> lock(UUID tenantId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id AND tenant_id = :t AND kind = 'train' FOR UPDATE")
                .param("id", id).param("t", tenantId).query(this::map).optional();
    }

    Optional<JobStatus> status(UUID id) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = :id").param("id", id)
                .query((rs, i) -> JobStatus.valueOf(rs.getString(1))).optional();
    }

    public void cancelQueued(UUID id) {
        jdbc.sql("""
                UPDATE jobs SET status = 'cancelled', cancel_requested = true, finished_at = now(), updated_at = now(),
                       error_code = 'cancelled', error_message = 'Cancelled before it started'
                WHERE id = :id AND status = 'queued'""").param("id", id).update();
    }

    public void requestCancel(UUID id) {
        jdbc.sql("UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = :id").param("id", id).update();
    }

    List<JobRow> page(UUID tenantId, JobStatus status, UUID modelId, UUID datasetId, Cursor after, int limit) {
        return new TenantPageQuery(COLUMNS, "jobs", tenantId)
                .where("kind = :kind", "kind", "train") // evaluation runs are jobs rows too (V5): /v1/evaluations
                .where("status = :status", "status", status)
                .where("model_id = :m", "m", modelId)
                .where("(dataset_id = :d OR eval_dataset_id = :d)", "d", datasetId)
                .list(jdbc, after, limit, this::map);
    }

    public List<EventView> events(UUID jobId, long afterSeq, int limit) {
        return jdbc.sql("""
                SELECT seq, type, from_status, to_status, code, message, data::text AS data, created_at
                FROM job_events WHERE job_id = :j AND seq > :after ORDER BY seq LIMIT :limit""")
                .param("j", jobId).param("after", afterSeq).param("limit", limit)
                .query((rs, i) -> new EventView(rs.getLong("seq"), rs.getString("type"), rs.getString("from_status"),
                        rs.getString("to_status"), rs.getString("code"), rs.getString("message"),
                        tree(rs.getString("data")), Rows.instant(rs, "created_at"))).list();
    }

    List<MetricView> metrics(UUID jobId, long afterId, int limit) {
        return jdbc.sql("SELECT " + METRIC_COLUMNS + " FROM job_metrics WHERE job_id = :j AND id > :after ORDER BY id LIMIT :limit")
                .param("j", jobId).param("after", afterId).param("limit", limit).query(this::metric).list();
    }

    private static final String METRIC_COLUMNS = "id, step, epoch, split, loss, learning_rate, tokens_per_second, throughput, throughput_unit, "
            + "eval_metrics::text AS eval_metrics, attempt, created_at";

    /** The newest train metric rows (newest first), for progress and ETA. */
    List<MetricView> recentTrainMetrics(UUID jobId, int n) {
        return jdbc.sql("SELECT " + METRIC_COLUMNS + " FROM job_metrics WHERE job_id = :j AND split = 'train' ORDER BY id DESC LIMIT :n")
                .param("j", jobId).param("n", n).query(this::metric).list();
    }

    Optional<MetricView> latestMetric(UUID jobId) {
        return jdbc.sql("SELECT " + METRIC_COLUMNS + " FROM job_metrics WHERE job_id = :j ORDER BY id DESC LIMIT 1")
                .param("j", jobId).query(this::metric).optional();
    }

    /** The job's final evaluation (queued by the worker when a job with held-out data succeeds), if it has one. */
    Optional<UUID> evaluationId(UUID jobId) {
        return jdbc.sql("SELECT evaluation_id FROM jobs WHERE id = :j AND evaluation_id IS NOT NULL").param("j", jobId)
                .query(UUID.class).optional();
    }

    private MetricView metric(ResultSet rs, int row) throws SQLException {
        return new MetricView(rs.getLong("id"), rs.getLong("step"), (Double) rs.getObject("epoch"), rs.getString("split"),
                (Double) rs.getObject("loss"), (Double) rs.getObject("learning_rate"),
                (Double) rs.getObject("tokens_per_second"), (Double) rs.getObject("throughput"), rs.getString("throughput_unit"),
                tree(rs.getString("eval_metrics")),
                (Integer) rs.getObject("attempt"), Rows.instant(rs, "created_at"));
    }

    private JsonNode tree(String text) {
        return text == null ? null : json.readTree(text);
    }

    private JobRow map(ResultSet rs, int row) throws SQLException {
        return new JobRow(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                rs.getObject("model_id", UUID.class), rs.getObject("dataset_id", UUID.class),
                rs.getObject("eval_dataset_id", UUID.class), rs.getString("name"), JobStatus.valueOf(rs.getString("status")),
                rs.getBoolean("cancel_requested"), tree(rs.getString("config")), rs.getString("idempotency_key"),
                rs.getInt("priority"), rs.getInt("attempt"), rs.getInt("max_attempts"), rs.getString("error_code"),
                rs.getString("error_message"), Rows.instant(rs, "created_at"), Rows.instant(rs, "queued_at"),
                Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"), Rows.instant(rs, "updated_at"));
    }

    /** The valid rows of a dataset from its validation report (null when unknown or deleted). */
    Long datasetRows(UUID datasetId) {
        if (datasetId == null) {
            return null;
        }
        return jdbc.sql("SELECT (report->>'valid_examples')::bigint FROM datasets WHERE id = :id").param("id", datasetId)
                .query(Long.class).optional().orElse(null);
    }
}
