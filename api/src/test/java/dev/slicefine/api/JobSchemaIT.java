package dev.slicefine.api;

import dev.slicefine.api.support.ApiTestBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The jobs schema carries the queue the worker will use: these are the intended statements (claim with
 * FOR UPDATE SKIP LOCKED, lease renewal and expiry, per-job event sequence for SSE Last-Event-ID), run against it.
 */
class JobSchemaIT extends ApiTestBase {

    static final String CLAIM = """
            UPDATE jobs SET status = 'running', lease_owner = :worker, attempt = attempt + 1,
                   lease_expires_at = now() + interval '30 seconds', heartbeat_at = now(),
                   started_at = coalesce(started_at, now()), updated_at = now()
            WHERE id = (SELECT id FROM jobs WHERE status = 'queued'
                        ORDER BY priority DESC, queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id""";

    static final String REQUEUE_EXPIRED = """
            UPDATE jobs SET status = CASE WHEN attempt < max_attempts THEN 'queued' ELSE 'failed' END,
                   lease_owner = NULL, lease_expires_at = NULL, queued_at = now(), updated_at = now(),
                   error_code = CASE WHEN attempt < max_attempts THEN NULL ELSE 'lease_expired' END
            WHERE status = 'running' AND lease_expires_at < now()""";

    static final String APPEND_EVENT = """
            WITH s AS (UPDATE jobs SET last_event_seq = last_event_seq + 1 WHERE id = :job RETURNING last_event_seq)
            INSERT INTO job_events (job_id, seq, type, message) SELECT :job, last_event_seq, :type, :message FROM s
            RETURNING seq""";

    private UUID queuedJob(UUID tenant, int priority) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO jobs (id, tenant_id, status, priority, queued_at) VALUES (:id, :t, 'queued', :p, now())")
                .param("id", id).param("t", tenant).param("p", priority).update();
        return id;
    }

    @Test
    void concurrentWorkersClaimEveryJobExactlyOnce() throws Exception {
        UUID tenant = newTenant().tenantId();
        jdbc.sql("UPDATE jobs SET status = 'cancelled' WHERE status = 'queued'").update(); // other tests' leftovers
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            jobs.add(queuedJob(tenant, i % 3));
        }
        ExecutorService workers = Executors.newFixedThreadPool(5);
        List<Future<List<UUID>>> claims = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            String worker = "w" + w;
            claims.add(workers.submit(() -> {
                List<UUID> mine = new ArrayList<>();
                Optional<UUID> next;
                while ((next = jdbc.sql(CLAIM).param("worker", worker).query(UUID.class).optional()).isPresent()) {
                    mine.add(next.get());
                }
                return mine;
            }));
        }
        List<UUID> claimed = Collections.synchronizedList(new ArrayList<>());
        for (Future<List<UUID>> f : claims) {
            claimed.addAll(f.get());
        }
        workers.shutdown();
        assertThat(claimed).hasSize(30).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(jobs);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t AND status = 'running' AND attempt = 1 AND lease_owner IS NOT NULL")
                .param("t", tenant).query(Long.class).single()).isEqualTo(30);
    }

    @Test
    void expiredLeasesGoBackToTheQueueUntilAttemptsRunOut() {
        UUID tenant = newTenant().tenantId();
        UUID job = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO jobs (id, tenant_id, status, attempt, max_attempts, lease_owner, lease_expires_at)
                VALUES (:id, :t, 'running', 1, 2, 'dead-worker', now() - interval '1 second')""")
                .param("id", job).param("t", tenant).update();
        jdbc.sql(REQUEUE_EXPIRED).update();
        assertThat(status(job)).isEqualTo("queued");
        jdbc.sql("UPDATE jobs SET status = 'running', attempt = 2, lease_owner = 'w', lease_expires_at = now() - interval '1 second' WHERE id = :id")
                .param("id", job).update();
        jdbc.sql(REQUEUE_EXPIRED).update();
        assertThat(status(job)).isEqualTo("failed");
    }

    @Test
    void eventsGetGaplessIncreasingSequenceNumbersPerJob() throws Exception {
        UUID tenant = newTenant().tenantId();
        UUID a = queuedJob(tenant, 0);
        UUID b = queuedJob(tenant, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            UUID job = i % 2 == 0 ? a : b;
            writes.add(pool.submit(() -> jdbc.sql(APPEND_EVENT).param("job", job).param("type", "log").param("message", "m")
                    .query(Long.class).single()));
        }
        for (Future<?> f : writes) {
            f.get();
        }
        pool.shutdown();
        for (UUID job : List.of(a, b)) {
            List<Long> seqs = jdbc.sql("SELECT seq FROM job_events WHERE job_id = :j ORDER BY id").param("j", job).query(Long.class).list();
            assertThat(seqs).hasSize(20);
            assertThat(seqs.stream().sorted().toList()).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
            // Resuming an SSE stream after Last-Event-ID 7:
            assertThat(jdbc.sql("SELECT count(*) FROM job_events WHERE job_id = :j AND seq > 7").param("j", job)
                    .query(Long.class).single()).isEqualTo(13);
        }
    }

    @Test
    void constraintsGuardStatesKindsAndIdempotency() {
        UUID tenant = newTenant().tenantId();
        jdbc.sql("INSERT INTO jobs (id, tenant_id, status, idempotency_key) VALUES (:id, :t, 'validating', 'k1')")
                .param("id", UUID.randomUUID()).param("t", tenant).update();
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO jobs (id, tenant_id, status, idempotency_key) VALUES (:id, :t, 'validating', 'k1')")
                .param("id", UUID.randomUUID()).param("t", tenant).update()).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO jobs (id, tenant_id, status) VALUES (:id, :t, 'running')")
                .param("id", UUID.randomUUID()).param("t", tenant).update()).as("running needs a lease owner")
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO jobs (id, tenant_id, status) VALUES (:id, :t, 'paused')")
                .param("id", UUID.randomUUID()).param("t", tenant).update()).isInstanceOf(DataIntegrityViolationException.class);
        UUID job = queuedJob(tenant, 0);
        jdbc.sql("""
                INSERT INTO job_metrics (job_id, step, loss, learning_rate, tokens_per_second, eval_metrics)
                VALUES (:j, 10, 0.5, 0.001, 1234.5, '{"accuracy": 0.9}')""").param("j", job).update();
        assertThatThrownBy(() -> jdbc.sql("""
                INSERT INTO artifacts (id, tenant_id, job_id, kind, blob_sha256, size, filename)
                VALUES (:id, :t, :j, 'checkpoint', :sha, 1, 'x')""").param("id", UUID.randomUUID()).param("t", tenant)
                .param("j", job).param("sha", "0".repeat(64)).update()).isInstanceOf(DataIntegrityViolationException.class);
    }

    private String status(UUID job) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = :id").param("id", job).query(String.class).single();
    }
}
