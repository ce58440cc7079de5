package dev.slicefine.api.jobs;

import dev.slicefine.api.common.JsonColumns;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A jobs row as the api reads it (training runs and, kind 'evaluate', evaluation runs). Read-only here: rows are
 * created and moved on in SQL ({@link JobRepository}'s native statements, the worker's JobQueue), because each
 * change must be atomic with the queue's claim and written together with its job_events row.
 */
@Entity
@Immutable
@Table(name = "jobs")
public class JobEntity {
    @Id
    private UUID id;
    private UUID tenantId;
    private String kind;
    private UUID modelId;
    private UUID sourceJobId;
    private UUID datasetId;
    private UUID evalDatasetId;
    private String name;
    @Enumerated(EnumType.STRING)
    private JobStatus status;
    private boolean cancelRequested;
    @JdbcTypeCode(SqlTypes.JSON)
    private String config;
    private String idempotencyKey;
    private int priority;
    private int attempt;
    private int maxAttempts;
    private String errorCode;
    private String errorMessage;
    private Instant createdAt;
    private Instant queuedAt;
    private Instant startedAt;
    private Instant finishedAt;
    private Instant updatedAt;
    /** V6: where the latest attempt runs or ran (stamped by the claiming worker). */
    private String device;
    private String workerId;
    /** V7: the final evaluation a succeeded job with held-out data gets. */
    private UUID evaluationId;

    protected JobEntity() {}

    public JobRepository.JobRow row() {
        return new JobRepository.JobRow(id, tenantId, modelId, sourceJobId, datasetId, evalDatasetId, name, status,
                cancelRequested, JsonColumns.tree(config), idempotencyKey, priority, attempt, maxAttempts, errorCode,
                errorMessage, createdAt, queuedAt, startedAt, finishedAt, updatedAt, device, workerId, evaluationId);
    }
}
