package dev.slicefine.api.evaluations;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An evaluation_predictions row (V5): one example's prediction, idx in dataset order. */
@Entity
@Immutable
@IdClass(EvaluationPredictionEntity.Key.class)
@Table(name = "evaluation_predictions")
class EvaluationPredictionEntity {
    @Id
    private UUID jobId;
    @Id
    private int idx;
    @JdbcTypeCode(SqlTypes.JSON)
    private String data;

    protected EvaluationPredictionEntity() {}

    record Key(UUID jobId, int idx) implements Serializable {}
}
