package dev.slicefine.api.evaluations;

import dev.slicefine.api.common.JsonColumns;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import tools.jackson.databind.JsonNode;

/** An evaluation_results row (V5), written by the worker when an evaluation run succeeds. */
@Entity
@Immutable
@Table(name = "evaluation_results")
class EvaluationResultEntity {
    @Id
    private UUID jobId;
    private String task;
    @JdbcTypeCode(SqlTypes.JSON)
    private String metrics;

    protected EvaluationResultEntity() {}

    UUID jobId() {
        return jobId;
    }

    String task() {
        return task;
    }

    JsonNode metrics() {
        return JsonColumns.tree(metrics);
    }
}
