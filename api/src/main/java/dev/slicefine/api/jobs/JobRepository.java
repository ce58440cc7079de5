package dev.slicefine.api.jobs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * jobs rows as the api reads them (JPA), and the few writes the api makes to them. Those writes stay native SQL:
 * they race with the worker's queue (FOR UPDATE SKIP LOCKED claims) and with each other, and PostgreSQL decides
 * the race in one statement (ON CONFLICT, a status guard, a row lock, a gapless event seq).
 */
public interface JobRepository extends JpaRepository<JobEntity, UUID>, JpaSpecificationExecutor<JobEntity> {

    /** A jobs row, before progress is added. sourceJobId: the job an evaluation run evaluates. */
    record JobRow(UUID id, UUID tenantId, UUID modelId, UUID sourceJobId, UUID datasetId, UUID evalDatasetId, String name,
                  JobStatus status, boolean cancelRequested, JsonNode config, String idempotencyKey, int priority,
                  int attempt, int maxAttempts, String errorCode, String errorMessage, Instant createdAt,
                  Instant queuedAt, Instant startedAt, Instant finishedAt, Instant updatedAt, String device,
                  String workerId, UUID evaluationId) {}

    Optional<JobEntity> findByIdAndTenantIdAndKind(UUID id, UUID tenantId, String kind);

    Optional<JobEntity> findByTenantIdAndIdempotencyKeyAndKind(UUID tenantId, String idempotencyKey, String kind);

    /** Jobs in one status across every tenant (the partial indexes cover queued and running). */
    long countByStatus(JobStatus status);

    @Query("select j.status from JobEntity j where j.id = :id")
    Optional<JobStatus> statusOf(UUID id);

    /** Locks a tenant's job of one kind (cancel): FOR UPDATE, the lock the worker's claim skips. */
    @Query(nativeQuery = true, value = "SELECT * FROM jobs WHERE id = :id AND tenant_id = :tenantId AND kind = :kind FOR UPDATE")
    Optional<JobEntity> lock(UUID tenantId, UUID id, String kind);

    /** Inserts a queued job; 0 when the tenant already has a job with this idempotency key (ON CONFLICT decides). */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            INSERT INTO jobs (id, tenant_id, model_id, dataset_id, eval_dataset_id, name, status, config,
                              idempotency_key, priority, queued_at)
            VALUES (:id, :tenantId, :modelId, :datasetId, :evalDatasetId, :name, 'queued', CAST(:config AS jsonb),
                    :idempotencyKey, :priority, now())
            ON CONFLICT (tenant_id, idempotency_key) DO NOTHING""")
    int insertQueued(UUID id, UUID tenantId, UUID modelId, UUID datasetId, UUID evalDatasetId, String name,
                     int priority, String config, String idempotencyKey);

    /** Inserts a queued evaluation run (V5: a jobs row of kind 'evaluate'), for the worker's queue to claim. */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            INSERT INTO jobs (id, tenant_id, kind, model_id, source_job_id, dataset_id, status, config, queued_at)
            VALUES (:id, :tenantId, 'evaluate', :modelId, :sourceJobId, :datasetId, 'queued', CAST(:config AS jsonb), now())""")
    void insertQueuedEvaluation(UUID id, UUID tenantId, UUID modelId, UUID sourceJobId, UUID datasetId, String config);

    /** Frees an Idempotency-Key used longer ago than {@code seconds} (its job keeps running, without the key). */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE jobs SET idempotency_key = NULL
            WHERE tenant_id = :tenantId AND idempotency_key = :key AND created_at < now() - make_interval(secs => :seconds)""")
    void expireKey(UUID tenantId, String key, double seconds);

    /** Appends an event with the job's next seq: the counter and the event in one statement, gapless per job. */
    @Transactional
    @Query(nativeQuery = true, value = """
            WITH s AS (UPDATE jobs SET last_event_seq = last_event_seq + 1, updated_at = now() WHERE id = :job
                       RETURNING last_event_seq)
            INSERT INTO job_events (job_id, seq, type, from_status, to_status, code, message)
            SELECT :job, last_event_seq, :type, :from, :to, :code, :message FROM s RETURNING seq""")
    long appendEvent(UUID job, String type, String from, String to, String code, String message);

    /** Cancels a job the worker has not claimed; the status guard loses to a claim that came first. */
    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = """
            UPDATE jobs SET status = 'cancelled', cancel_requested = true, finished_at = now(), updated_at = now(),
                   error_code = 'cancelled', error_message = 'Cancelled before it started'
            WHERE id = :id AND status = 'queued'""")
    void cancelQueued(UUID id);

    @Transactional
    @Modifying
    @Query(nativeQuery = true, value = "UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = :id")
    void requestCancel(UUID id);

    /**
     * [dataset id, valid rows, label distribution as JSON text] from these datasets' validation reports (nulls when
     * unknown). Native: both are fields inside the report's jsonb.
     */
    @Query(nativeQuery = true, value = """
            SELECT id, CAST(report ->> 'valid_examples' AS bigint), CAST(report -> 'label_distribution' AS text)
            FROM datasets WHERE id IN (:ids)""")
    List<Object[]> datasetShapes(Collection<UUID> ids);
}
