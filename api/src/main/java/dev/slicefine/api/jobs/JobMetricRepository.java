package dev.slicefine.api.jobs;

import java.util.Collection;
import java.util.List;
import org.springframework.data.jpa.repository.Query;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

interface JobMetricRepository extends Repository<JobMetricEntity, Long> {
    List<JobMetricEntity> findByJobIdAndIdGreaterThanOrderById(UUID jobId, long id, Limit limit);

    /** The newest rows of one split, newest first. */
    List<JobMetricEntity> findByJobIdAndSplitOrderByIdDesc(UUID jobId, String split, Limit limit);

    Optional<JobMetricEntity> findFirstByJobIdOrderByIdDesc(UUID jobId);

    /**
     * The newest {@code n} train rows of each job, newest first per job: one query for a page of jobs. Native: a
     * window function over the (job_id, id) index.
     */
    @Query(nativeQuery = true, value = """
            SELECT * FROM (SELECT m.*, row_number() OVER (PARTITION BY job_id ORDER BY id DESC) AS newest
                           FROM job_metrics m WHERE job_id IN (:jobIds) AND split = 'train') r
            WHERE newest <= :n ORDER BY job_id, id DESC""")
    List<JobMetricEntity> recentTrainMetrics(Collection<UUID> jobIds, int n);

    /** The newest row of each job. */
    @Query("select m from JobMetricEntity m where m.id in "
            + "(select max(x.id) from JobMetricEntity x where x.jobId in :jobIds group by x.jobId)")
    List<JobMetricEntity> latestMetrics(Collection<UUID> jobIds);

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
