package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** POST/GET /v1/jobs, cancel, events and metrics as JSON pages; the worker's writes are simulated with SQL. */
class JobsApiIT extends ApiTestBase {
    private static TenantKey tenant;
    private static String model;
    private static String dataset;

    @BeforeEach
    void fixtures() {
        if (tenant == null) {
            tenant = newTenant();
            model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
            dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(60), Map.of());
        }
    }

    private String body(String extra) {
        return "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private Http.Response create(String json) {
        return http.postJson("/v1/jobs", tenant.key(), json);
    }

    private String createQueued() {
        Http.Response r = create(body("\"train\":{\"max_steps\":5}"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    @Test
    void createsAQueuedJobWithItsCompleteConfigAndAStatusEvent() {
        Http.Response r = create(body("\"name\":\"first\",\"priority\":5,\"method\":\"slicefine\","
                + "\"slicefine\":{\"rank\":2,\"targets\":[\"query\"]},\"train\":{\"batch_size\":8,\"epochs\":2}"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode job = r.json();
        assertThat(r.header("Location")).isEqualTo("/v1/jobs/" + job.get("id").asString());
        assertThat(job.get("status").asString()).isEqualTo("queued");
        assertThat(job.get("name").asString()).isEqualTo("first");
        assertThat(job.get("priority").asInt()).isEqualTo(5);
        assertThat(job.get("model_id").asString()).isEqualTo(model);
        assertThat(job.get("config").get("task").asString()).as("task defaults from the bert family").isEqualTo("text-classification");
        assertThat(job.get("config").get("slicefine").get("rank").asInt()).isEqualTo(2);
        assertThat(job.get("config").get("train").get("learning_rate").asDouble()).as("defaults written out").isEqualTo(0.005);
        // 60 rows, batch 8, 2 epochs (validation_split defaults to 0): 2 * ceil(60 / 8) = 16
        assertThat(job.get("progress").get("step").asLong()).isZero();
        assertThat(job.get("progress").get("total_steps").asLong()).isEqualTo(16);
        assertThat(job.get("queued_at").isNull()).isFalse();

        JsonNode events = http.get("/v1/jobs/" + job.get("id").asString() + "/events", tenant.key()).json();
        assertThat(events.get("items")).hasSize(1);
        JsonNode e = events.get("items").get(0);
        assertThat(e.get("seq").asLong()).isEqualTo(1);
        assertThat(e.get("type").asString()).isEqualTo("status");
        assertThat(e.get("from_status").asString()).isEqualTo("validating");
        assertThat(e.get("to_status").asString()).isEqualTo("queued");
    }

    private List<JsonNode> errors(Http.Response r) {
        assertProblem(r, 422, "invalid_job");
        List<JsonNode> list = new ArrayList<>();
        r.json().get("errors").forEach(list::add);
        return list;
    }

    private void assertOneError(String extra, String field, String messagePart) {
        List<JsonNode> errors = errors(create(body(extra)));
        assertThat(errors).as(errors.toString()).hasSize(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(field);
        assertThat(errors.get(0).get("message").asString()).containsIgnoringCase(messagePart);
    }

    @Test
    void everyBadFieldGetsExactlyOneClearError() {
        List<JsonNode> errors = errors(create(body("\"task\":\"summarise\",\"method\":\"magic\",\"validation_split\":1.5,"
                + "\"train\":{\"batch_size\":0,\"learning_rate\":-1,\"optimizer\":\"adam\",\"epochs\":\"three\"},"
                + "\"slicefine\":{\"rank\":0,\"modes\":[\"diagonal\"]},\"lora\":{\"dropout\":1.0},\"webhook_url\":\"ftp://x\",\"colour\":1")));
        assertThat(errors.stream().map(e -> e.get("field").asString()).toList()).containsExactlyInAnyOrder(
                "colour", "task", "method", "validation_split", "webhook_url", "slicefine.rank", "slicefine.modes",
                "lora.dropout", "train.optimizer", "train.learning_rate", "train.epochs", "train.batch_size");
        assertThat(errors).allSatisfy(e -> assertThat(e.get("code").asString()).as(e.toString()).matches("[a-z_]+"));
    }

    @Test
    void eachValidationCaseNamesItsField() {
        assertOneError("\"task\":\"translation\"", "task", "unknown value");
        assertOneError("\"method\":\"qlora\"", "method", "unknown value");
        assertOneError("\"train\":{\"batch_size\":100000}", "train.batch_size", "between");
        assertOneError("\"train\":{\"learning_rate\":0}", "train.learning_rate", "(0, 10]");
        assertOneError("\"slicefine\":{\"rank\":33,\"targets\":[\"query\"]}", "slicefine.rank", "larger than");
        assertOneError("\"slicefine\":{\"targets\":[\"q_proj\"]}", "slicefine.targets", "matches no linear layer");
        assertOneError("\"lora\":{\"targets\":[\"nothing_like_this\"]},\"method\":\"lora\"", "lora.targets", "matches no linear layer");
        // One root cause, one error: a task the model cannot train is not also reported as a dataset mismatch (the CLI,
        // which has no dataset rows, answers the same; see ConfigParityIT).
        assertThat(errors(create(body("\"task\":\"causal-lm\""))).stream().map(e -> e.get("field").asString()))
                .containsExactly("task");
        assertThat(errors(create(body("\"task\":\"image-classification\""))).stream().map(e -> e.get("field").asString()))
                .containsExactly("task");
        assertOneError("\"webhook_url\":\"ftp://example.com/hook\"", "webhook_url", "http");
        assertOneError("\"webhook_url\":\"not a url\"", "webhook_url", "http");
        assertOneError("\"train\":{\"warmup\":3}", "train.warmup", "unknown field");
        assertOneError("\"priority\":1000", "priority", "between");
        List<JsonNode> missing = errors(http.postJson("/v1/jobs", tenant.key(), "{\"dataset_id\":\"" + dataset + "\"}"));
        assertThat(missing.get(0).get("field").asString()).isEqualTo("model_id");
        assertProblem(http.postJson("/v1/jobs", tenant.key(), "{not json"), 400, "malformed_request");
    }

    @Test
    void aPromptCompletionDatasetIsCausalLmAndDoesNotFitTextClassification() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append("{\"prompt\":\"say ").append(i).append("\",\"completion\":\"answer ").append(i).append("\"}\n");
        }
        String pc = JobFixtures.uploadDataset(http, tenant.key(), "pc.jsonl", sb.toString().getBytes(), Map.of());
        assertThat(http.get("/v1/datasets/" + pc, tenant.key()).json().get("task").asString()).isEqualTo("causal-lm");
        List<JsonNode> errors = errors(create("{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + pc
                + "\",\"task\":\"text-classification\"}"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo("dataset_id");
        assertThat(errors.get(0).get("message").asString()).contains("is a causal-lm dataset, which does not fit text-classification");
    }

    @Test
    void aDatasetWithCustomFieldNamesIsAccepted() {
        String custom = JobFixtures.uploadDataset(http, tenant.key(), "custom.csv",
                "sentence,topic\nthe slice moves,a\nweights stay frozen,b\nrows and columns,a\n".getBytes(),
                Map.of("text_field", "sentence", "label_field", "topic"));
        Http.Response r = create("{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + custom
                + "\",\"task\":\"text-classification\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void modelsAndDatasetsMustBeTheCallersAndReady() {
        TenantKey other = newTenant();
        assertProblem(http.postJson("/v1/jobs", other.key(), body("")), 404, "not_found");
        assertProblem(create("{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + UUID.randomUUID() + "\"}"), 404, "not_found");
        Http.Response bad = http.post("/v1/models", tenant.key(), new Http.Multipart()
                .file("config.json", "{\"model_type\":\"bert\"}".getBytes()));
        String invalid = bad.json().get("id").asString();
        Fixtures.await(java.time.Duration.ofSeconds(30), () -> http.get("/v1/models/" + invalid, tenant.key()).json(),
                j -> !j.get("status").asString().equals("validating"));
        assertProblem(create("{\"model_id\":\"" + invalid + "\",\"dataset_id\":\"" + dataset + "\"}"), 409, "model_not_ready");
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyReturnsTheSameJob() throws Exception {
        String key = "retry-" + UUID.randomUUID();
        String json = body("\"train\":{\"max_steps\":3}");
        Http.Response first = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        Http.Response again = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());

        Http.Response different = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body("\"train\":{\"max_steps\":4}"))).build());
        assertProblem(different, 409, "idempotency_conflict");

        // Ten concurrent first attempts with one key: one job.
        String racing = "race-" + UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<Http.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Callable<Http.Response> call = () -> http.send(http.request("/v1/jobs", tenant.key())
                    .header("Content-Type", "application/json").header("Idempotency-Key", racing)
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build());
            answers.add(pool.submit(call));
        }
        List<String> ids = new ArrayList<>();
        int created = 0;
        for (Future<Http.Response> f : answers) {
            Http.Response r = f.get();
            assertThat(r.status()).as(r.body()).isIn(200, 201);
            created += r.status() == 201 ? 1 : 0;
            ids.add(r.json().get("id").asString());
        }
        pool.shutdown();
        assertThat(created).isEqualTo(1);
        assertThat(ids).containsOnly(ids.get(0));
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE idempotency_key = :k").param("k", racing).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyExpiresAfterItsTtlAndThenCreatesANewJob() {
        String key = "expiring-" + UUID.randomUUID();
        String json = body("\"train\":{\"max_steps\":3}");
        Http.Response first = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String id = first.json().get("id").asString();
        // 25 hours later (the default TTL is 24 h): the key no longer names that job
        jdbc.sql("UPDATE jobs SET created_at = now() - interval '25 hours' WHERE id = :id").param("id", UUID.fromString(id)).update();
        Http.Response later = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(later.status()).as(later.body()).isEqualTo(201);
        assertThat(later.json().get("id").asString()).isNotEqualTo(id);
        Http.Response again = http.send(http.request("/v1/jobs", tenant.key()).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(again.status()).as("the new job holds the key now").isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(later.json().get("id").asString());
        assertThat(http.get("/v1/jobs/" + id, tenant.key()).json().get("status").asString()).as("the old job is untouched")
                .isEqualTo("queued");
    }

    @Test
    void aQueuedJobsTotalStepsFollowTheEnginesSplitRule() {
        // 12 rows, 4 per label; validation_split 0.1 holds out max(1, round(0.4)) = 1 per label (the engine's per-label
        // split), so 9 rows train: 9 steps of batch 1. Rows x (1 - split) would say 10.
        String d = JobFixtures.uploadDataset(http, tenant.key(), "twelve.jsonl", JobFixtures.labelledJsonl(12), Map.of());
        Http.Response r = create("{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + d + "\",\"validation_split\":0.1,"
                + "\"train\":{\"batch_size\":1,\"epochs\":1}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("progress").get("total_steps").asLong()).isEqualTo(9);
        String id = r.json().get("id").asString();
        JsonNode listed = null;
        for (JsonNode j : http.get("/v1/jobs?dataset_id=" + d, tenant.key()).json().get("items")) {
            if (j.get("id").asString().equals(id)) {
                listed = j;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("progress").get("total_steps").asLong()).isEqualTo(9);
    }

    @Test
    void listsJobsNewestFirstWithFiltersAndCursor() {
        TenantKey own = newTenant();
        String m = JobFixtures.uploadModel(http, own.key(), Fixtures.bertTiny());
        String d = JobFixtures.uploadDataset(http, own.key(), "d.jsonl", JobFixtures.labelledJsonl(12), Map.of());
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Http.Response r = http.postJson("/v1/jobs", own.key(), "{\"model_id\":\"" + m + "\",\"dataset_id\":\"" + d + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            created.add(0, r.json().get("id").asString());
        }
        http.send(http.request("/v1/jobs/" + created.get(0) + "/cancel", own.key()).POST(HttpRequest.BodyPublishers.noBody()).build());
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = http.get("/v1/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), own.key()).json();
            page.get("items").forEach(j -> seen.add(j.get("id").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created);
        assertThat(http.get("/v1/jobs?status=cancelled", own.key()).json().get("items")).hasSize(1);
        assertThat(http.get("/v1/jobs?status=queued&model_id=" + m + "&dataset_id=" + d, own.key()).json().get("items")).hasSize(4);
        assertThat(http.get("/v1/jobs?model_id=" + model, own.key()).json().get("items")).isEmpty();
        assertProblem(http.get("/v1/jobs?status=paused", own.key()), 400, "invalid_parameter");
        assertProblem(http.get("/v1/jobs?cursor=garbage", own.key()), 400, "invalid_cursor");
    }

    private Http.Response cancel(String id, String key) {
        return http.send(http.request("/v1/jobs/" + id + "/cancel", key).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void cancelStopsQueuedJobsAtOnceAsksRunningOnesAndRefusesFinishedOnes() {
        String queued = createQueued();
        Http.Response r = cancel(queued, tenant.key());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asString()).isEqualTo("cancelled");
        assertThat(r.json().get("finished_at").isNull()).isFalse();
        JsonNode last = http.get("/v1/jobs/" + queued + "/events?after=1", tenant.key()).json().get("items").get(0);
        assertThat(last.get("to_status").asString()).isEqualTo("cancelled");
        assertProblem(cancel(queued, tenant.key()), 409, "job_finished");

        String running = createQueued();
        JobFixtures.markRunning(jdbc, running);
        r = cancel(running, tenant.key());
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().get("status").asString()).isEqualTo("running");
        assertThat(r.json().get("cancel_requested").asBoolean()).isTrue();

        String done = createQueued();
        JobFixtures.markRunning(jdbc, done);
        JobFixtures.finish(jdbc, done, "succeeded");
        assertProblem(cancel(done, tenant.key()), 409, "job_finished");
        assertProblem(cancel(UUID.randomUUID().toString(), tenant.key()), 404, "not_found");
    }

    @Test
    void queuedAndRunningJobsAreGaugesForAutoscaling() {
        String id = createQueued();
        assertThat(gauge("slicefine_jobs_queued")).isEqualTo(count("queued")).isGreaterThanOrEqualTo(1);
        double queued = gauge("slicefine_jobs_queued");
        double running = gauge("slicefine_jobs_running");
        assertThat(running).isEqualTo(count("running"));

        JobFixtures.markRunning(jdbc, id);
        assertThat(gauge("slicefine_jobs_queued")).isEqualTo(queued - 1);
        assertThat(gauge("slicefine_jobs_running")).isEqualTo(running + 1);
    }

    private double count(String status) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE status = :s").param("s", status).query(Long.class).single();
    }

    /** One sample of the Prometheus text format: {@code name value} (no labels on these gauges). */
    private double gauge(String name) {
        Http.Response r = http.get("/actuator/prometheus", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("# TYPE " + name + " gauge");
        return r.body().lines().filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name));
    }

    @Test
    void getShowsProgressEtaLatestMetricsAndErrors() throws Exception {
        String id = createQueued();
        JobFixtures.markRunning(jdbc, id);
        JobFixtures.metric(jdbc, id, 1, 1.2);
        Thread.sleep(200);
        JobFixtures.metric(jdbc, id, 2, 1.0);
        JsonNode job = http.get("/v1/jobs/" + id, tenant.key()).json();
        assertThat(job.get("status").asString()).isEqualTo("running");
        assertThat(job.get("attempt").asInt()).isEqualTo(1);
        assertThat(job.get("progress").get("step").asLong()).isEqualTo(2);
        assertThat(job.get("progress").get("total_steps").asLong()).isEqualTo(5);
        assertThat(job.get("eta_seconds").asDouble()).isGreaterThan(0).isLessThan(60);
        assertThat(job.get("latest_metrics").get("loss").asDouble()).isEqualTo(1.0);
        assertThat(job.get("started_at").isNull()).isFalse();
        // The list computes progress, ETA and latest metrics for a whole page at once: the same view as GET.
        JsonNode listed = null;
        for (JsonNode item : http.get("/v1/jobs?limit=100", tenant.key()).json().get("items")) {
            if (item.get("id").asString().equals(id)) {
                listed = item;
            }
        }
        assertThat(listed).isEqualTo(job);

        jdbc.sql("UPDATE jobs SET status = 'failed', error_code = 'out_of_memory', error_message = 'boom', lease_owner = NULL WHERE id = :id")
                .param("id", UUID.fromString(id)).update();
        JsonNode failed = http.get("/v1/jobs/" + id, tenant.key()).json();
        assertThat(failed.get("error").get("code").asString()).isEqualTo("out_of_memory");
        assertThat(failed.get("error").get("message").asString()).isEqualTo("boom");
        assertThat(failed.get("eta_seconds").isNull()).isTrue();
    }

    @Test
    void eventsAndMetricsArePagedAfterTheLastSeenId() {
        String id = createQueued();
        JobFixtures.markRunning(jdbc, id);
        List<Long> metricIds = new ArrayList<>();
        for (int step = 1; step <= 5; step++) {
            metricIds.add(JobFixtures.metric(jdbc, id, step, 1.0 / step));
        }
        JsonNode page = http.get("/v1/jobs/" + id + "/events?limit=1", tenant.key()).json();
        assertThat(page.get("items")).hasSize(1);
        assertThat(page.get("next_after").asLong()).isEqualTo(1);
        page = http.get("/v1/jobs/" + id + "/events?after=1", tenant.key()).json();
        assertThat(page.get("items").get(0).get("seq").asLong()).isEqualTo(2);
        assertThat(page.get("items").get(0).get("to_status").asString()).isEqualTo("running");

        JsonNode metrics = http.get("/v1/jobs/" + id + "/metrics?after=" + metricIds.get(1) + "&limit=2", tenant.key()).json();
        assertThat(metrics.get("items")).hasSize(2);
        assertThat(metrics.get("items").get(0).get("step").asLong()).isEqualTo(3);
        assertThat(metrics.get("next_after").asLong()).isEqualTo(metricIds.get(3));
        assertProblem(http.get("/v1/jobs/" + id + "/metrics?limit=0", tenant.key()), 400, "invalid_parameter");
    }

    @Test
    void anotherTenantsJobIsNotFoundEverywhere() {
        String id = createQueued();
        TenantKey other = newTenant();
        assertProblem(http.get("/v1/jobs/" + id, other.key()), 404, "not_found");
        assertProblem(cancel(id, other.key()), 404, "not_found");
        assertProblem(http.get("/v1/jobs/" + id + "/events", other.key()), 404, "not_found");
        assertProblem(http.get("/v1/jobs/" + id + "/metrics", other.key()), 404, "not_found");
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts", other.key()), 404, "not_found");
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts/diff", other.key()), 404, "not_found");
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts/merged", other.key()), 404, "not_found");
        assertThat(http.get("/v1/jobs", other.key()).json().get("items")).isEmpty();
        assertProblem(http.get("/v1/jobs/not-a-uuid", tenant.key()), 404, "not_found");
        assertThat(http.get("/v1/jobs/" + id, null).status()).isEqualTo(401);
    }

    @Test
    void artifactsAreNotReadyUntilTheJobSucceeded() {
        String id = createQueued();
        assertThat(http.get("/v1/jobs/" + id + "/artifacts", tenant.key()).json()).isEmpty();
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts/diff", tenant.key()), 409, "artifact_not_ready");
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts/merged", tenant.key()), 409, "artifact_not_ready");
        assertProblem(http.get("/v1/jobs/" + id + "/artifacts/peft", tenant.key()), 409, "artifact_not_ready");
    }
}
