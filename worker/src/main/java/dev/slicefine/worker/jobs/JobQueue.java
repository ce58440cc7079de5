package dev.slicefine.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.slicefine.engine.data.DatasetFields;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue is the {@code jobs} table. Every state change happens in one transaction with its {@code status} event,
 * and only while the caller still holds the lease ({@code lease_owner}), so a worker whose lease was reaped can never
 * overwrite what the next attempt did.
 */
public class JobQueue {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    public JobQueue(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Claims the next queued job (priority, then age) for {@code owner}: running, a fresh lease, attempt + 1. */
    public Optional<ClaimedJob> claim(String owner, Duration lease) {
        return tx.execute(status -> {
            Optional<UUID> id = jdbc.sql("""
                    SELECT id FROM jobs WHERE status = 'queued'
                    ORDER BY priority DESC, queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1""")
                    .query(UUID.class).optional();
            if (id.isEmpty()) {
                return Optional.<ClaimedJob>empty();
            }
            ClaimedJob job = jdbc.sql("""
                    UPDATE jobs SET status = 'running', lease_owner = :owner, attempt = attempt + 1,
                        lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now(),
                        started_at = coalesce(started_at, now()), updated_at = now()
                    WHERE id = :id
                    RETURNING id, tenant_id, model_id, dataset_id, eval_dataset_id, config::text AS config, attempt,
                        max_attempts, checkpoint::text AS checkpoint, lease_owner, kind, source_job_id""")
                    .param("owner", owner).param("lease", lease.toMillis() / 1000.0).param("id", id.get())
                    .query((rs, n) -> new ClaimedJob(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                            rs.getObject("model_id", UUID.class), rs.getObject("dataset_id", UUID.class),
                            rs.getObject("eval_dataset_id", UUID.class), rs.getString("config"), rs.getInt("attempt"),
                            rs.getInt("max_attempts"), rs.getString("checkpoint"), rs.getString("lease_owner"),
                            rs.getString("kind"), rs.getObject("source_job_id", UUID.class)))
                    .single();
            event(job.id(), "status", "queued", "running", null,
                    "attempt " + job.attempt() + " of " + job.maxAttempts() + " started by " + owner,
                    Map.of("attempt", job.attempt(), "worker", owner));
            return Optional.of(job);
        });
    }

    /**
     * Renews the lease. Returns the job's cancel_requested flag, or empty when the lease is no longer ours (reaped,
     * or the job left 'running'): the caller must stop and write nothing more.
     */
    public Optional<Boolean> heartbeat(UUID job, String owner, Duration lease) {
        return jdbc.sql("""
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => :lease), heartbeat_at = now()
                WHERE id = :id AND lease_owner = :owner AND status = 'running'
                RETURNING cancel_requested""")
                .param("lease", lease.toMillis() / 1000.0).param("id", job).param("owner", owner)
                .query(Boolean.class).optional();
    }

    /**
     * Ends a running job held by {@code owner}: succeeded, failed or cancelled (error code and message for failed),
     * with its status event (and an error event when failed). False when the lease was lost meanwhile.
     */
    public boolean finish(UUID job, String owner, JobStatus to, String errorCode, String errorMessage, Map<String, Object> data) {
        Boolean done = tx.execute(status -> {
            int n = jdbc.sql("""
                    UPDATE jobs SET status = :to, error_code = :code, error_message = :msg, finished_at = now(),
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE id = :id AND lease_owner = :owner AND status = 'running'""")
                    .param("to", to.id()).param("code", errorCode).param("msg", errorMessage).param("id", job)
                    .param("owner", owner).update();
            if (n == 0) {
                return false;
            }
            if (errorCode != null) {
                event(job, "error", null, null, errorCode, errorMessage, null);
            }
            event(job, "status", "running", to.id(), errorCode, errorMessage, data);
            return true;
        });
        return Boolean.TRUE.equals(done);
    }

    /**
     * Gives a running job back to the queue (this worker is shutting down, or an infrastructure error that another
     * attempt may not hit); it resumes from its checkpoint. Fails it instead when no attempt is left.
     */
    public boolean requeue(UUID job, String owner, String reasonCode, String reason) {
        Boolean done = tx.execute(status -> {
            Optional<Map<String, Object>> row = jdbc.sql("""
                    SELECT attempt, max_attempts FROM jobs WHERE id = :id AND lease_owner = :owner AND status = 'running'
                    FOR UPDATE""").param("id", job).param("owner", owner).query().listOfRows().stream().findFirst();
            if (row.isEmpty()) {
                return false;
            }
            int attempt = ((Number) row.get().get("attempt")).intValue();
            int max = ((Number) row.get().get("max_attempts")).intValue();
            backToQueueOrFail(job, attempt, max, reasonCode, reason);
            return true;
        });
        return Boolean.TRUE.equals(done);
    }

    /**
     * Returns every running job whose lease expired to the queue (or fails it with {@code max_attempts_exceeded} when
     * its attempts are used up). Safe to run from every worker at once: rows are locked with SKIP LOCKED.
     */
    public int reapExpiredLeases() {
        Integer n = tx.execute(status -> {
            List<Map<String, Object>> expired = jdbc.sql("""
                    SELECT id, attempt, max_attempts, lease_owner FROM jobs
                    WHERE status = 'running' AND lease_expires_at < now()
                    ORDER BY lease_expires_at FOR UPDATE SKIP LOCKED LIMIT 100""").query().listOfRows();
            for (Map<String, Object> r : expired) {
                UUID id = (UUID) r.get("id");
                log.warn("Job {}: the lease of {} expired; returning it to the queue", id, r.get("lease_owner"));
                backToQueueOrFail(id, ((Number) r.get("attempt")).intValue(), ((Number) r.get("max_attempts")).intValue(),
                        "lease_expired", "the lease of worker " + r.get("lease_owner") + " expired (no heartbeat)");
            }
            return expired.size();
        });
        return n == null ? 0 : n;
    }

    private void backToQueueOrFail(UUID job, int attempt, int maxAttempts, String reasonCode, String reason) {
        if (attempt >= maxAttempts) {
            String msg = "attempt " + attempt + " of " + maxAttempts + " ended (" + reason + ") and no attempt is left";
            jdbc.sql("""
                    UPDATE jobs SET status = 'failed', error_code = 'max_attempts_exceeded', error_message = :msg,
                        finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE id = :id""").param("msg", msg).param("id", job).update();
            event(job, "error", null, null, "max_attempts_exceeded", msg, Map.of("reason", reasonCode));
            event(job, "status", "running", "failed", "max_attempts_exceeded", msg, Map.of("attempt", attempt));
        } else {
            jdbc.sql("""
                    UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                    WHERE id = :id""").param("id", job).update();
            event(job, "status", "running", "queued", reasonCode, reason + "; it will resume from its last checkpoint",
                    Map.of("attempt", attempt));
        }
    }

    // ---------------------------------------------------------------- what a running job reads and writes

    /** One file of a model: its path in the model folder and the blob holding its bytes. */
    public record ModelFile(String path, String sha256) {}

    /** A dataset's blob, with the original filename and format (the engine picks its reader by the extension). */
    public record DatasetBlob(String format, String filename, String sha256, DatasetFields fields) {}

    public List<ModelFile> modelFiles(UUID modelId) {
        return jdbc.sql("SELECT path, blob_sha256 FROM model_files WHERE model_id = :m ORDER BY path")
                .param("m", modelId).query((rs, n) -> new ModelFile(rs.getString("path"), rs.getString("blob_sha256")))
                .list();
    }

    public Optional<DatasetBlob> dataset(UUID id) {
        return jdbc.sql("""
                SELECT format, filename, blob_sha256, text_field, label_field, text_pair_field, prompt_field, completion_field
                FROM datasets WHERE id = :id""").param("id", id)
                .query((rs, n) -> new DatasetBlob(rs.getString("format"), rs.getString("filename"), rs.getString("blob_sha256"),
                        new DatasetFields(rs.getString("text_field"), rs.getString("label_field"),
                                rs.getString("text_pair_field"), rs.getString("prompt_field"), rs.getString("completion_field"))))
                .optional();
    }

    /**
     * In the caller's transaction: locks the job row while {@code owner} still holds its lease and returns its
     * checkpoint as JSON text ({@code "null"} when it has none); empty when the lease is lost.
     */
    public Optional<String> lockLeased(UUID job, String owner) {
        return jdbc.sql("""
                SELECT coalesce(checkpoint::text, 'null') FROM jobs
                WHERE id = :id AND lease_owner = :owner AND status = 'running' FOR UPDATE""")
                .param("id", job).param("owner", owner).query(String.class).optional();
    }

    /** Points the job at its latest checkpoint ({@code null}: none); call after {@link #lockLeased} in one transaction. */
    public void setCheckpoint(UUID job, String checkpointJson) {
        jdbc.sql("UPDATE jobs SET checkpoint = CAST(:c AS jsonb), updated_at = now() WHERE id = :id")
                .param("c", checkpointJson).param("id", job).update();
    }

    /** Records a stored artifact of the job (its blob already referenced by the caller, in the same transaction). */
    public void insertArtifact(UUID id, ClaimedJob job, String kind, String sha256, long size, String filename,
                               Map<String, Object> metadata) {
        jdbc.sql("""
                INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename, metadata)
                VALUES (:id, :tenant, :job, :kind, :sha, :size, :filename, CAST(:meta AS jsonb))""")
                .param("id", id).param("tenant", job.tenantId()).param("job", job.id()).param("kind", kind)
                .param("sha", sha256).param("size", size).param("filename", filename).param("meta", json(metadata))
                .update();
    }

    // ---------------------------------------------------------------- evaluation runs (jobs rows of kind 'evaluate')

    /** The job's cancel_requested flag; true when the row is gone. */
    public boolean cancelRequested(UUID job) {
        return jdbc.sql("SELECT cancel_requested FROM jobs WHERE id = :id").param("id", job).query(Boolean.class)
                .optional().orElse(true);
    }

    /** The blob of a job's newest result (its artifact of kind diff), if it has one. */
    public Optional<String> resultBlob(UUID job) {
        return jdbc.sql("SELECT blob_sha256 FROM artifacts WHERE job_id = :j AND kind = 'diff' ORDER BY created_at DESC LIMIT 1")
                .param("j", job).query(String.class).optional();
    }

    /**
     * In the caller's transaction (after {@link #lockLeased}): an evaluation's scores (snake_case JSON) and every
     * example's prediction by its index in the dataset, replacing what an earlier attempt stored.
     */
    public void storeEvaluation(UUID job, String task, String metricsJson, Map<Integer, String> predictionsJson) {
        jdbc.sql("DELETE FROM evaluation_predictions WHERE job_id = :j").param("j", job).update();
        jdbc.sql("""
                INSERT INTO evaluation_results (job_id, task, metrics) VALUES (:j, :task, CAST(:m AS jsonb))
                ON CONFLICT (job_id) DO UPDATE SET task = excluded.task, metrics = excluded.metrics, created_at = now()""")
                .param("j", job).param("task", task).param("m", metricsJson).update();
        predictionsJson.forEach((index, data) ->
                jdbc.sql("INSERT INTO evaluation_predictions (job_id, idx, data) VALUES (:j, :i, CAST(:d AS jsonb))")
                        .param("j", job).param("i", index).param("d", data).update());
    }

    /**
     * In the caller's transaction: queues the final evaluation of a training job that is ending as succeeded (its
     * result on its eval dataset, or on its validation split of the training data, as {@code config} says) and links
     * it from the job ({@code jobs.evaluation_id}). Returns the evaluation's id.
     */
    public UUID queueFinalEvaluation(ClaimedJob job, UUID datasetId, Map<String, Object> config) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO jobs (id, tenant_id, kind, model_id, source_job_id, dataset_id, status, config, queued_at)
                VALUES (:id, :t, 'evaluate', :m, :s, :d, 'queued', CAST(:c AS jsonb), now())""")
                .param("id", id).param("t", job.tenantId()).param("m", job.modelId()).param("s", job.id())
                .param("d", datasetId).param("c", json(config)).update();
        jdbc.sql("UPDATE jobs SET evaluation_id = :e WHERE id = :id").param("e", id).param("id", job.id()).update();
        event(id, "status", "validating", "queued", null, "Final evaluation of job " + job.id() + " queued",
                Map.of("job_id", job.id().toString()));
        return id;
    }

    /** Appends an event with the job's next seq (taken from jobs.last_event_seq, which also serialises writers). */
    public void event(UUID job, String type, String from, String to, String code, String message, Object data) {
        tx.executeWithoutResult(status -> {
            long seq = jdbc.sql("UPDATE jobs SET last_event_seq = last_event_seq + 1 WHERE id = :id RETURNING last_event_seq")
                    .param("id", job).query(Long.class).single();
            jdbc.sql("""
                    INSERT INTO job_events (job_id, seq, type, from_status, to_status, code, message, data)
                    VALUES (:job, :seq, :type, :from, :to, :code, :msg, CAST(:data AS jsonb))""")
                    .param("job", job).param("seq", seq).param("type", type).param("from", from).param("to", to)
                    .param("code", code).param("msg", message).param("data", json(data)).update();
        });
    }

    static String json(Object data) {
        if (data == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(data);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
