package dev.slicefine.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slicefine.engine.ComputeDevice;
import dev.slicefine.worker.jobs.JobQueue;
import dev.slicefine.worker.run.JobRunner;
import dev.slicefine.worker.support.WorkerTestBase;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The workers table: a pool registers with its resolved device, its heartbeat lists the jobs it runs, a graceful stop
 * marks it stopped; a claimed job is stamped with device and worker; a bad device setting stops the start.
 */
class WorkerRegistryIT extends WorkerTestBase {

    private static Map<String, Object> worker(String id) {
        return jdbc().sql("SELECT *, running_jobs::text AS jobs FROM workers WHERE id = :id").param("id", id).query().singleRow();
    }

    @Test
    void aPoolRegistersBeatsWithItsRunningJobAndIsMarkedStoppedOnStop() {
        UUID tenant = tenant();
        UUID job = job(tenant, model(tenant), dataset(tenant, "train.jsonl", sentiment(48)), config(5000, 0, 1000, null));
        WorkerPool pool = startPool(1);
        Map<String, Object> row = worker(pool.name());
        assertThat(row.get("state")).isEqualTo("running");
        assertThat(row.get("device")).isEqualTo("cpu");
        assertThat(row.get("threads")).isEqualTo(1);
        assertThat(((Number) row.get("pid")).longValue()).isEqualTo(ProcessHandle.current().pid());
        assertThat((String) row.get("host")).isNotBlank();
        assertThat((String) row.get("version")).isNotBlank();
        Timestamp started = (Timestamp) row.get("started_at");

        await("the heartbeat lists the running job", Duration.ofSeconds(60),
                () -> worker(pool.name()).get("jobs").equals("{" + job + "}"));
        assertThat(((Timestamp) worker(pool.name()).get("heartbeat_at"))).isAfter(started);
        Map<String, Object> j = row(job);
        assertThat(j.get("device")).isEqualTo("cpu");
        assertThat(j.get("worker_id")).isEqualTo(pool.name());
        assertThat((String) j.get("lease_owner")).startsWith(pool.name() + ":w");

        pool.stop();
        row = worker(pool.name());
        assertThat(row.get("state")).isEqualTo("stopped");
        assertThat(row.get("stopped_at")).isNotNull();
        assertThat(row.get("jobs")).isEqualTo("{}");
    }

    @Test
    void aGpuThisMachineDoesNotHaveStopsThePoolsStartWithTheSettingNamed() {
        WorkerRegistry missing = new WorkerRegistry(jdbc(), ComputeDevice.parse("cuda:7"));
        WorkerPool pool = new WorkerPool(bean(JobQueue.class), bean(JobRunner.class), 1, Duration.ofSeconds(3),
                Duration.ofMillis(100), Duration.ofMillis(500), missing, Duration.ofMillis(500));
        assertThatThrownBy(pool::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("slicefine.worker.device=cuda:7: device cuda:7 is not available: ")
                .hasMessageEndingWith("; use auto or cpu");
        assertThat(pool.isRunning()).isFalse();
        assertThat(jdbc().sql("SELECT count(*) FROM workers WHERE id = :id").param("id", pool.name()).query(Long.class).single())
                .isZero();
    }

    @Test
    void theDeviceSettingBindsAsATypeAndAMisspellingFailsBindingWithTheChoices() {
        WorkerProperties defaults = Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("slicefine", WorkerProperties.class);
        assertThat(defaults.worker().device()).isEqualTo(ComputeDevice.AUTO);
        WorkerProperties cuda = new Binder(new MapConfigurationPropertySource(Map.of("slicefine.worker.device", "cuda:1")))
                .bindOrCreate("slicefine", WorkerProperties.class);
        assertThat(cuda.worker().device()).isEqualTo(ComputeDevice.cuda(1));
        assertThatThrownBy(() -> new Binder(new MapConfigurationPropertySource(Map.of("slicefine.worker.device", "gpu0")))
                .bindOrCreate("slicefine", WorkerProperties.class))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("slicefine.worker.device")
                .rootCause().hasMessage("device 'gpu0' is not one of auto, cpu, cuda:N (N = 0, 1, ...)");
    }
}
