package dev.slicefine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.worker.support.WorkerTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A worker JVM is SIGKILLed mid-job, right after its first checkpoint reached the database. Its lease expires, the
 * reaper of another worker returns the job to the queue, that worker restores the checkpoint and finishes the job.
 * How "no step before the checkpoint is trained twice" is checked: every step is logged (log_every 1) with the
 * attempt that trained it (job_metrics.attempt); attempt 2's first step must be checkpoint step + 1, its steps must
 * run contiguously to the end, and every step up to the checkpoint must have exactly one row (attempt 1's).
 */
class CrashResumeIT extends WorkerTestBase {

    @Test
    void aKilledWorkersJobResumesFromItsCheckpointElsewhere() throws Exception {
        UUID tenant = tenant();
        int total = 150;
        UUID job = job(tenant, model(tenant), dataset(tenant, "train.jsonl", sentiment(48)), config(total, 10, 0, null));

        Process child = startWorkerJvm("crash-child");
        try {
            await("the child's first checkpoint", Duration.ofSeconds(120), () -> {
                if (!child.isAlive()) {
                    throw new AssertionError("the child worker exited with " + child.exitValue());
                }
                return jdbc().sql("SELECT count(*) FROM job_events WHERE job_id = :j AND type = 'checkpoint'")
                        .param("j", job).query(Long.class).single() > 0;
            });
            ProcessHandle.of(child.pid()).orElseThrow();
            new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
        assertThat(status(job)).isEqualTo("running");
        int checkpointStep = new ObjectMapper().readTree((String) jdbc().sql("SELECT checkpoint::text FROM jobs WHERE id = :j")
                .param("j", job).query(String.class).single()).get("step").asInt();
        long trainedBeforeKill = jdbc().sql("SELECT max(step) FROM job_metrics WHERE job_id = :j AND attempt = 1")
                .param("j", job).query(Long.class).single();

        startPool(1); // its reaper returns the job once the dead lease (3 s) expires, then it claims it
        awaitStatus(job, "succeeded", Duration.ofSeconds(300)); // 140 steps; minutes on a loaded 2-core machine

        Map<String, Object> row = row(job);
        assertThat(row.get("attempt")).isEqualTo(2);
        List<String> transitions = events(job).stream().filter(e -> e.get("type").equals("status"))
                .map(e -> e.get("from_status") + "->" + e.get("to_status")).toList();
        assertThat(transitions).containsExactly("queued->running", "running->queued", "queued->running", "running->succeeded");
        assertThat(events(job)).anySatisfy(e -> assertThat((String) e.get("message"))
                .isEqualTo("resumed from the checkpoint at step " + checkpointStep));

        List<Long> second = jdbc().sql("SELECT step FROM job_metrics WHERE job_id = :j AND split = 'train' AND attempt = 2 ORDER BY id")
                .param("j", job).query(Long.class).list();
        List<Long> expected = new ArrayList<>();
        for (long s = checkpointStep + 1; s <= total; s++) {
            expected.add(s);
        }
        assertThat(second).containsExactlyElementsOf(expected);
        List<Long> upToCheckpoint = jdbc().sql("""
                SELECT count(*) FROM job_metrics WHERE job_id = :j AND split = 'train' AND step <= :c GROUP BY step ORDER BY step""")
                .param("j", job).param("c", checkpointStep).query(Long.class).list();
        assertThat(upToCheckpoint).hasSize(checkpointStep).containsOnly(1L);
        System.out.printf("crash test: checkpoint at step %d, attempt 1 trained to step %d before SIGKILL, attempt 2 trained %d..%d%n",
                checkpointStep, trainedBeforeKill, second.get(0), second.get(second.size() - 1));
    }
}
