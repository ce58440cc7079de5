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

/** A job_metrics row (V1, V2), written by the worker. */
@Entity
@Immutable
@Table(name = "job_metrics")
class JobMetricEntity {
    @Id
    private long id;
    private UUID jobId;
    private long step;
    private Double epoch;
    private String split;
    private Double loss;
    private Double learningRate;
    private Double tokensPerSecond;
    private Double throughput;
    private String throughputUnit;
    @JdbcTypeCode(SqlTypes.JSON)
    private String evalMetrics;
    private Integer attempt;
    private Instant createdAt;

    protected JobMetricEntity() {}

    UUID jobId() {
        return jobId;
    }

    MetricView view() {
        return new MetricView(id, step, epoch, split, loss, learningRate, tokensPerSecond, throughput, throughputUnit,
                JsonColumns.tree(evalMetrics), attempt, createdAt);
    }
}
