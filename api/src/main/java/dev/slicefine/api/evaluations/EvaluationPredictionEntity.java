package dev.slicefine.api.evaluations;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
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

    static class Key implements Serializable {
        private UUID jobId;
        private int idx;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && idx == k.idx && Objects.equals(jobId, k.jobId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, idx);
        }
    }
}
