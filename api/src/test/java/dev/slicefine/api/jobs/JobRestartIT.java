package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stops the api while jobs are queued and starts a new one on the same data dir and database: the jobs, their
 * configs, events and idempotency keys are all still there and the queue order is unchanged.
 */
class JobRestartIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;

    @TempDir
    Path dataDir;

    @Test
    void queuedJobsSurviveARestart() {
        String url = TestDatabase.get().url("job_restart_it");
        List<String> jobs = new ArrayList<>();
        List<JsonNode> before = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(dataDir, url, "--slicefine.worker.embedded=false")) {
            Http http = server.http();
            String model = JobFixtures.uploadModel(http, KEY, Fixtures.bertTiny());
            String dataset = JobFixtures.uploadDataset(http, KEY, "t.jsonl", JobFixtures.labelledJsonl(20), Map.of());
            for (int i = 0; i < 3; i++) {
                Http.Response r = http.send(http.request("/v1/jobs", KEY).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "restart-" + i)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model_id\":\"" + model + "\",\"dataset_id\":\""
                                + dataset + "\",\"priority\":" + i + ",\"train\":{\"max_steps\":2}}")).build());
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                jobs.add(r.json().get("id").asString());
                before.add(r.json());
            }
        }
        try (ServerProcess server = ServerProcess.start(dataDir, url, "--slicefine.worker.embedded=false")) {
            Http http = server.http();
            for (int i = 0; i < jobs.size(); i++) {
                JsonNode job = http.get("/v1/jobs/" + jobs.get(i), KEY).json();
                assertThat(job.get("status").asString()).isEqualTo("queued");
                assertThat(job.get("config")).isEqualTo(before.get(i).get("config"));
                assertThat(job.get("priority").asInt()).isEqualTo(i);
                assertThat(http.get("/v1/jobs/" + jobs.get(i) + "/events", KEY).json().get("items")).hasSize(1);
            }
            List<String> listed = new ArrayList<>();
            http.get("/v1/jobs?status=queued", KEY).json().get("items").forEach(j -> listed.add(j.get("id").asString()));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(jobs);
            // The idempotency keys still answer with the same jobs.
            Http.Response retry = http.send(http.request("/v1/jobs", KEY).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "restart-0").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"model_id\":\"" + before.get(0).get("model_id").asString() + "\",\"dataset_id\":\""
                                    + before.get(0).get("dataset_id").asString() + "\",\"priority\":0,\"train\":{\"max_steps\":2}}")).build());
            assertThat(retry.status()).as(retry.body()).isEqualTo(200);
            assertThat(retry.json().get("id").asString()).isEqualTo(jobs.get(0));
        }
    }
}
