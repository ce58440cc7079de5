package dev.slicefine.api.evaluations;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Results of evaluation runs (the runs themselves are jobs rows of kind 'evaluate': JobRepository). */
interface EvaluationRepository extends JpaRepository<EvaluationResultEntity, UUID> {
    /** Predictions with index > after, in index order, as JSON text. */
    @Query("select p.data from EvaluationPredictionEntity p where p.jobId = :jobId and p.idx > :after order by p.idx")
    List<String> predictions(UUID jobId, int after, Limit limit);
}
