package dev.slicefine.api.jobs;

import dev.slicefine.api.common.JsonColumns;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A job_events row, read here; appended by {@link JobRepository#appendEvent} and the worker. */
@Entity
@Immutable
@Table(name = "job_events")
class JobEventEntity {
    @Id
    private long id;
    private UUID jobId;
    private long seq;
    private String type;
    private String fromStatus;
    private String toStatus;
    private String code;
    private String message;
    @JdbcTypeCode(SqlTypes.JSON)
    private String data;
    private Instant createdAt;

    protected JobEventEntity() {}

    EventView view() {
        return new EventView(seq, type, fromStatus, toStatus, code, message, JsonColumns.tree(data), createdAt);
    }
}
