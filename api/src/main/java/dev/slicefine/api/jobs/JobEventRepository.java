package dev.slicefine.api.jobs;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

/** A job's events in seq order after a cursor (SSE ids and the {@code after} parameter). */
public interface JobEventRepository extends Repository<JobEventEntity, Long> {
    List<JobEventEntity> findByJobIdAndSeqGreaterThanOrderBySeq(UUID jobId, long seq, Limit limit);

    default List<EventView> events(UUID jobId, long afterSeq, int limit) {
        return findByJobIdAndSeqGreaterThanOrderBySeq(jobId, afterSeq, Limit.of(limit)).stream().map(JobEventEntity::view).toList();
    }
}
