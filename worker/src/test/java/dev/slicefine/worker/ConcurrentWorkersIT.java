package dev.slicefine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.worker.support.WorkerTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Three worker processes (child JVMs, each its own connections) race for twelve queued jobs. */
class ConcurrentWorkersIT extends WorkerTestBase {

    @Test
    void threeWorkersRunTwelveJobsEachExactlyOnce() throws Exception {
        UUID tenant = tenant();
        UUID model = model(tenant);
        UUID data = dataset(tenant, "train.jsonl", sentiment(32));
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            jobs.add(job(tenant, model, data, config(8, 0, 0, null)));
        }
        List<Process> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                workers.add(startWorkerJvm("concurrent-worker-" + i));
            }
            await("all 12 jobs to end", Duration.ofSeconds(150), () -> {
                workers.forEach(w -> {
                    if (!w.isAlive()) {
                        throw new AssertionError("a worker exited with " + w.exitValue());
                    }
                });
                return jdbc().sql("SELECT count(*) FROM jobs WHERE id IN (:ids) AND status IN ('succeeded', 'failed', 'cancelled')")
                        .param("ids", jobs).query(Long.class).single() == 12;
            });
        } finally {
            workers.forEach(Process::destroy); // SIGTERM: a graceful stop
            for (Process w : workers) {
                w.waitFor();
            }
        }

        for (UUID job : jobs) {
            Map<String, Object> row = row(job);
            assertThat(row.get("status")).as("job %s: %s", job, row.get("error_message")).isEqualTo("succeeded");
            assertThat(row.get("attempt")).isEqualTo(1);
            List<String> transitions = events(job).stream().filter(e -> e.get("type").equals("status"))
                    .map(e -> e.get("from_status") + "->" + e.get("to_status")).toList();
            assertThat(transitions).containsExactly("queued->running", "running->succeeded");
            // One run: every training step logged once, all by attempt 1.
            assertThat(jdbc().sql("SELECT step FROM job_metrics WHERE job_id = :j AND split = 'train' ORDER BY id")
                    .param("j", job).query(Long.class).list()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(jdbc().sql("SELECT count(*) FROM job_metrics WHERE job_id = :j AND attempt <> 1").param("j", job)
                    .query(Long.class).single()).isZero();
            assertThat(jdbc().sql("SELECT count(*) FROM artifacts WHERE job_id = :j").param("j", job).query(Long.class).single())
                    .isEqualTo(1);
        }
        // The work was shared: the running events name the worker that claimed each job.
        List<String> owners = jdbc().sql("""
                SELECT DISTINCT data->>'worker' FROM job_events WHERE job_id IN (:ids) AND to_status = 'running'""")
                .param("ids", jobs).query(String.class).list();
        System.out.println("concurrent test: jobs were claimed by " + owners);
        assertThat(owners).hasSizeGreaterThan(1);
    }
}
