package dev.slicefine.api.jobs;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

interface JobMetricRepository extends Repository<JobMetricEntity, Long> {
    List<JobMetricEntity> findByJobIdAndIdGreaterThanOrderById(UUID jobId, long id, Limit limit);

    /** The newest rows of one split, newest first. */
    List<JobMetricEntity> findByJobIdAndSplitOrderByIdDesc(UUID jobId, String split, Limit limit);

    Optional<JobMetricEntity> findFirstByJobIdOrderByIdDesc(UUID jobId);

    default List<MetricView> metrics(UUID jobId, long afterId, int limit) {
        return findByJobIdAndIdGreaterThanOrderById(jobId, afterId, Limit.of(limit)).stream().map(JobMetricEntity::view).toList();
    }

    /** The newest train metric rows (newest first), for progress and ETA. */
    default List<MetricView> recentTrainMetrics(UUID jobId, int n) {
        return findByJobIdAndSplitOrderByIdDesc(jobId, "train", Limit.of(n)).stream().map(JobMetricEntity::view).toList();
    }

    default Optional<MetricView> latestMetric(UUID jobId) {
        return findFirstByJobIdOrderByIdDesc(jobId).map(JobMetricEntity::view);
    }
}
