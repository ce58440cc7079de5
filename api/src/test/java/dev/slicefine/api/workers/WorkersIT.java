package dev.slicefine.api.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * GET /v1/workers (admin only) lists the workers table with stale workers flagged by heartbeat age; a job shows the
 * device and worker that claimed it; /actuator/prometheus exports slicefine_workers_alive. The workers' writes are
 * done with SQL, as the worker module's registry does them.
 */
class WorkersIT extends ApiTestBase {

    private String worker(String suffix, String device, String state, String heartbeatAgo, UUID... jobs) {
        String id = "host-" + suffix + ":" + (1000 + suffix.length()) + ":pool1:" + UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO workers (id, host, pid, device, version, threads, state, running_jobs, started_at, heartbeat_at,
                                     stopped_at)
                VALUES (:id, :host, 4242, :device, '0.1.0-SNAPSHOT', 1, :state, :jobs, now() - interval '1 hour',
                        now() - CAST(:ago AS interval), CASE WHEN :state = 'stopped' THEN now() END)""")
                .param("id", id).param("host", "host-" + suffix).param("device", device).param("state", state)
                .param("jobs", jobs).param("ago", heartbeatAgo).update();
        return id;
    }

    private static Map<String, JsonNode> byId(JsonNode items) {
        Map<String, JsonNode> m = new HashMap<>();
        items.forEach(w -> m.put(w.get("id").asString(), w));
        return m;
    }

    @Test
    void adminsSeeEveryWorkerWithDeviceRunningJobsAndStaleOnesFlagged() {
        UUID job = UUID.randomUUID();
        String fresh = worker("a", "cuda:0", "running", "1 second", job);
        String silent = worker("b", "cpu", "running", "10 minutes");
        String stopped = worker("c", "cpu", "stopped", "2 hours");

        Http.Response r = http.get("/v1/workers", ADMIN_KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("stale_after_seconds").asLong()).isEqualTo(30); // the default lease
        assertThat(body.get("alive").asInt()).isGreaterThanOrEqualTo(1);
        Map<String, JsonNode> workers = byId(body.get("items"));
        JsonNode a = workers.get(fresh);
        assertThat(a).as(r.body()).isNotNull();
        assertThat(a.get("host").asString()).isEqualTo("host-a");
        assertThat(a.get("pid").asLong()).isEqualTo(4242);
        assertThat(a.get("device").asString()).isEqualTo("cuda:0");
        assertThat(a.get("version").asString()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(a.get("threads").asInt()).isEqualTo(1);
        assertThat(a.get("state").asString()).isEqualTo("running");
        assertThat(a.get("stale").asBoolean()).isFalse();
        assertThat(a.get("running_jobs").get(0).asString()).isEqualTo(job.toString());
        assertThat(a.get("running_job_count").asInt()).isEqualTo(1);
        assertThat(a.get("heartbeat_age_seconds").asDouble()).isBetween(0.5, 25.0);
        assertThat(a.get("started_at").asString()).isNotBlank();
        assertThat(a.get("heartbeat_at").asString()).isNotBlank();
        assertThat(a.get("stopped_at").isNull()).isTrue();

        JsonNode b = workers.get(silent);
        assertThat(b.get("stale").asBoolean()).isTrue();
        assertThat(b.get("heartbeat_age_seconds").asDouble()).isGreaterThan(590);
        assertThat(b.get("running_job_count").asInt()).isZero();
        JsonNode c = workers.get(stopped);
        assertThat(c.get("state").asString()).isEqualTo("stopped");
        assertThat(c.get("stale").asBoolean()).as("a stopped worker is not stale, it said goodbye").isFalse();
        assertThat(c.get("stopped_at").asString()).isNotBlank();
        // newest heartbeat first, and every field snake_case
        assertThat(r.body().indexOf(fresh)).isLessThan(r.body().indexOf(silent));
        assertThat(r.body()).doesNotContain("runningJobs", "heartbeatAt", "staleAfterSeconds");
    }

    @Test
    void aTenantKeyIsRefusedAndNoKeyIsUnauthorised() {
        TenantKey tenant = newTenant();
        assertProblem(http.get("/v1/workers", tenant.key()), 403, "admin_required");
        assertThat(http.get("/v1/workers", null).status()).isEqualTo(401);
    }

    @Test
    void aJobShowsTheDeviceAndWorkerThatClaimedIt() {
        TenantKey tenant = newTenant();
        String model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
        String dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        Http.Response created = http.postJson("/v1/jobs", tenant.key(),
                "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\",\"train\":{\"max_steps\":5}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        JsonNode queued = http.get("/v1/jobs/" + id, tenant.key()).json();
        assertThat(queued.get("device").isNull()).as(queued.toString()).isTrue();
        assertThat(queued.get("worker").isNull()).isTrue();

        JobFixtures.markRunning(jdbc, id);
        jdbc.sql("UPDATE jobs SET device = 'cuda:1', worker_id = 'gpu-node-7:31:pool1' WHERE id = :id")
                .param("id", UUID.fromString(id)).update();
        JsonNode running = http.get("/v1/jobs/" + id, tenant.key()).json();
        assertThat(running.get("device").asString()).isEqualTo("cuda:1");
        assertThat(running.get("worker").asString()).isEqualTo("gpu-node-7:31:pool1");
        JsonNode listed = http.get("/v1/jobs", tenant.key()).json().get("items").get(0);
        assertThat(listed.get("device").asString()).isEqualTo("cuda:1");
    }

    @Test
    void prometheusExportsTheWorkersAliveGauge() {
        worker("p", "cpu", "running", "0 seconds");
        Http.Response prometheus = http.get("/actuator/prometheus", null);
        assertThat(prometheus.status()).isEqualTo(200);
        String line = prometheus.body().lines().filter(l -> l.startsWith("slicefine_workers_alive")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(1.0);
    }
}
