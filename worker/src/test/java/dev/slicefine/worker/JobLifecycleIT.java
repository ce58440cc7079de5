package dev.slicefine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.slicefine.worker.run.Webhooks;
import dev.slicefine.storage.BlobStore;
import dev.slicefine.worker.support.WorkerTestBase;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class JobLifecycleIT extends WorkerTestBase {

    @Test
    void aJobRunsFromQueuedToSucceededWithEventsMetricsAndAnArtifact() throws Exception {
        List<String[]> hooks = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            hooks.add(new String[] {new String(body), ex.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER),
                    "sha256=" + Webhooks.sign("test-secret", body)});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        try {
            UUID tenant = tenant();
            UUID job = job(tenant, model(tenant), dataset(tenant, "train.jsonl", sentiment(48)),
                    config(12, 5, "\"webhook_url\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/hook\""));
            startPool(1);
            awaitStatus(job, "succeeded", Duration.ofSeconds(90));

            Map<String, Object> row = row(job);
            assertThat(row.get("attempt")).isEqualTo(1);
            assertThat(row.get("lease_owner")).isNull();
            assertThat(row.get("finished_at")).isNotNull();
            assertThat(row.get("checkpoint")).isNull();

            List<Map<String, Object>> events = events(job);
            assertThat(events).extracting(e -> ((Number) e.get("seq")).longValue())
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
            assertThat(row.get("last_event_seq")).isEqualTo((long) events.size());
            assertThat(events).filteredOn(e -> e.get("type").equals("status"))
                    .extracting(e -> e.get("from_status") + "->" + e.get("to_status"))
                    .containsExactly("queued->running", "running->succeeded");
            assertThat(events).extracting(e -> e.get("type")).contains("started", "slice_moved", "evaluation", "checkpoint",
                    "finished", "artifact").doesNotContain("log");
            // typed rows: the event's fields, not a sentence
            JsonNode started = data(events, "started").get(0);
            assertThat(started.get("total_steps").asInt()).isEqualTo(12);
            assertThat(started.get("method").asText()).isEqualTo("slicefine");
            assertThat(started.get("task").asText()).isEqualTo("text-classification");
            assertThat(started.get("trainable_params").asLong()).isPositive().isLessThan(started.get("total_params").asLong());
            assertThat(started.get("device").asText()).isEqualTo("cpu");
            assertThat(row.get("device")).isEqualTo("cpu");
            assertThat((String) row.get("worker_id")).matches(".+:\\d+:pool\\d+");
            assertThat(started.get("start_step").asInt()).isZero();
            List<JsonNode> moves = data(events, "slice_moved");
            assertThat(moves).hasSize(3); // move_steps 4 in 12 steps: after steps 4, 8 and 12
            JsonNode move = moves.get(0);
            assertThat(move.get("move").asInt()).isEqualTo(1);
            assertThat(move.get("step").asInt()).isEqualTo(4);
            assertThat(move.get("rank").asInt()).isEqualTo(2);
            assertThat(move.get("layers")).hasSizeGreaterThan(1);
            JsonNode layer = move.get("layers").get(0);
            assertThat(layer.get("layer").asText()).startsWith("bert.encoder.layer.0.").endsWith(".weight");
            assertThat(layer.get("mode").asText()).isEqualTo("column");
            assertThat(layer.get("from").asInt()).isZero();
            assertThat(layer.get("to").asInt()).isEqualTo(2);
            assertThat(layer.get("rank").asInt()).isEqualTo(2);
            assertThat(layer.get("dim").asInt()).isEqualTo(32);
            assertThat(layer.get("delta_norm").asDouble()).isPositive();
            assertThat(moves.get(1).get("layers").get(0).get("from").asInt()).isEqualTo(2);
            assertThat(data(events, "checkpoint")).extracting(d -> d.get("step").asInt()).containsExactly(5, 10);
            assertThat(data(events, "evaluation").get(0).get("metrics").has("accuracy")).isTrue();
            JsonNode finished = data(events, "finished").get(0);
            assertThat(finished.get("steps").asInt()).isEqualTo(12);
            assertThat(finished.get("reason").asText()).isEqualTo("completed");
            assertThat(jdbc().sql("SELECT count(*) FROM job_metrics WHERE job_id = :j AND split = 'train' AND throughput > 0 "
                    + "AND throughput_unit = 'tokens/s' AND throughput = tokens_per_second").param("j", job).query(Long.class).single())
                    .isEqualTo(12);

            List<Long> steps = jdbc().sql("SELECT step FROM job_metrics WHERE job_id = :j AND split = 'train' ORDER BY id")
                    .param("j", job).query(Long.class).list();
            assertThat(steps).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList());
            assertThat(jdbc().sql("SELECT count(*) FROM job_metrics WHERE job_id = :j AND split = 'train' AND loss > 0 AND learning_rate > 0 AND tokens_per_second > 0")
                    .param("j", job).query(Long.class).single()).isEqualTo(12);
            assertThat(jdbc().sql("SELECT eval_metrics::text FROM job_metrics WHERE job_id = :j AND split = 'eval' ORDER BY step")
                    .param("j", job).query(String.class).list()).hasSizeGreaterThanOrEqualTo(2).allMatch(m -> m.contains("accuracy"));

            Map<String, Object> artifact = jdbc().sql("SELECT kind, blob_sha256, size, filename, metadata::text AS metadata FROM artifacts WHERE job_id = :j")
                    .param("j", job).query().singleRow();
            assertThat(artifact.get("kind")).isEqualTo("diff");
            assertThat((String) artifact.get("metadata")).contains("diff.safetensors", "manifest.json", "\"method\": \"slicefine\"");
            String sha = (String) artifact.get("blob_sha256");
            assertThat(jdbc().sql("SELECT ref_count FROM blobs WHERE sha256 = :s").param("s", sha).query(Integer.class).single()).isEqualTo(1);
            try (InputStream in = bean(BlobStore.class).open(sha); ZipInputStream zip = new ZipInputStream(in)) {
                List<String> names = new java.util.ArrayList<>();
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    names.add(e.getName());
                }
                assertThat(names).containsExactlyInAnyOrder("diff.safetensors", "manifest.json");
            }
            // Checkpoint blobs were released when the job ended: only the model, dataset and artifact blobs remain referenced.
            assertThat(jdbc().sql("SELECT count(*) FROM blobs WHERE ref_count = 0").query(Long.class).single()).isZero();

            await("the webhook", Duration.ofSeconds(10), () -> !hooks.isEmpty());
            assertThat(hooks.get(0)[0]).isEqualTo("{\"job_id\":\"" + job + "\",\"status\":\"succeeded\",\"error\":null}");
            assertThat(hooks.get(0)[1]).isEqualTo(hooks.get(0)[2]);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aBadDatasetFailsWithItsLineNumberedError() {
        UUID tenant = tenant();
        String lines = sentiment(10) + "{\"text\": \"no label here\"}\n" + sentiment(4);
        UUID job = job(tenant, model(tenant), dataset(tenant, "bad.jsonl", lines), config(5, 0, null));
        startPool(1);
        awaitStatus(job, "failed", Duration.ofSeconds(60));
        Map<String, Object> row = row(job);
        assertThat(row.get("error_code")).isEqualTo("dataset_invalid");
        assertThat((String) row.get("error_message")).contains("line 11").contains("label");
        assertThat(events(job)).filteredOn(e -> e.get("type").equals("error")).singleElement()
                .satisfies(e -> assertThat(e.get("code")).isEqualTo("dataset_invalid"));
        assertThat(row.get("attempt")).isEqualTo(1);
    }

    @Test
    void cancelStopsARunningJobWithinSecondsAndFreesTheWorker() {
        UUID tenant = tenant();
        UUID model = model(tenant);
        UUID data = dataset(tenant, "train.jsonl", sentiment(48));
        UUID longJob = job(tenant, model, data, config(100_000, 0, null));
        startPool(1);
        await("training to start", Duration.ofSeconds(60), () -> jdbc().sql("SELECT count(*) FROM job_metrics WHERE job_id = :j")
                .param("j", longJob).query(Long.class).single() > 3);
        long t0 = System.nanoTime();
        jdbc().sql("UPDATE jobs SET cancel_requested = true WHERE id = :id").param("id", longJob).update();
        awaitStatus(longJob, "cancelled", Duration.ofSeconds(10));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).isLessThan(5);
        assertThat(events(longJob)).filteredOn(e -> e.get("type").equals("status")).last()
                .satisfies(e -> assertThat(e.get("from_status") + "->" + e.get("to_status")).isEqualTo("running->cancelled"));

        UUID next = job(tenant, model, data, config(3, 0, null));
        awaitStatus(next, "succeeded", Duration.ofSeconds(60));
    }

    @Test
    void theReaperReturnsAnExpiredLeaseToTheQueueAndFailsAJobWithoutAttemptsLeft() {
        UUID tenant = tenant();
        UUID retry = UUID.randomUUID();
        UUID spent = UUID.randomUUID();
        for (UUID id : List.of(retry, spent)) {
            jdbc().sql("""
                    INSERT INTO jobs (id, tenant_id, status, attempt, max_attempts, lease_owner, lease_expires_at, queued_at)
                    VALUES (:id, :t, 'running', :a, 3, 'dead-worker', now() - interval '1 second', now())""")
                    .param("id", id).param("t", tenant).param("a", id == retry ? 1 : 3).update();
        }
        UUID alive = UUID.randomUUID();
        jdbc().sql("""
                INSERT INTO jobs (id, tenant_id, status, attempt, lease_owner, lease_expires_at, queued_at)
                VALUES (:id, :t, 'running', 1, 'live-worker', now() + interval '1 minute', now())""")
                .param("id", alive).param("t", tenant).update();

        bean(dev.slicefine.worker.jobs.JobQueue.class).reapExpiredLeases();

        assertThat(status(retry)).isEqualTo("queued");
        assertThat(row(retry).get("lease_owner")).isNull();
        assertThat(events(retry)).singleElement().satisfies(e -> {
            assertThat(e.get("from_status") + "->" + e.get("to_status")).isEqualTo("running->queued");
            assertThat(e.get("code")).isEqualTo("lease_expired");
        });
        assertThat(status(spent)).isEqualTo("failed");
        assertThat(row(spent).get("error_code")).isEqualTo("max_attempts_exceeded");
        assertThat(events(spent)).extracting(e -> e.get("type")).containsExactly("error", "status");
        assertThat(status(alive)).isEqualTo("running");
        jdbc().sql("UPDATE jobs SET status = 'cancelled', lease_owner = NULL WHERE id IN (:ids)")
                .param("ids", List.of(retry, alive)).update();
    }

    @Test
    void aFailedWebhookIsRetriedWithBackoffThenRecordedAsAWarning() throws Exception {
        List<String[]> calls = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            calls.add(new String[] {new String(body), ex.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER),
                    "sha256=" + Webhooks.sign("test-secret", body)});
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
        try {
            UUID tenant = tenant();
            UUID job = job(tenant, model(tenant), dataset(tenant, "bad.jsonl", "{\"text\": 1, \"label\": \"a\"}\n"),
                    config(5, 0, "\"webhook_url\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/hook\""));
            startPool(1);
            awaitStatus(job, "failed", Duration.ofSeconds(60));
            await("the warning event", Duration.ofSeconds(10), () -> events(job).stream().anyMatch(e -> e.get("type").equals("warning")));
            assertThat(calls).hasSize(3).allSatisfy(c -> {
                assertThat(c[1]).isEqualTo(c[2]);
                assertThat(c[0]).startsWith("{\"job_id\":\"" + job + "\",\"status\":\"failed\",\"error\":{\"code\":\"dataset_invalid\"");
            });
            assertThat(events(job)).filteredOn(e -> e.get("type").equals("warning")).singleElement()
                    .satisfies(e -> assertThat((String) e.get("message")).isEqualTo("webhook delivery failed (status 500)"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aStoppingWorkerCheckpointsItsJobAndGivesItBackToTheQueue() {
        UUID tenant = tenant();
        UUID job = job(tenant, model(tenant), dataset(tenant, "train.jsonl", sentiment(48)), config(60, 0, 0, null));
        WorkerPool first = startPool(1);
        await("training to start", Duration.ofSeconds(60), () -> jdbc().sql("SELECT count(*) FROM job_metrics WHERE job_id = :j")
                .param("j", job).query(Long.class).single() > 3);
        first.stop();
        assertThat(status(job)).isEqualTo("queued");
        int step = ((Number) jdbc().sql("SELECT (checkpoint->>'step')::int FROM jobs WHERE id = :j").param("j", job)
                .query(Integer.class).single()).intValue();
        assertThat(step).isGreaterThan(3);

        startPool(1);
        awaitStatus(job, "succeeded", Duration.ofSeconds(240)); // 55 steps; minutes on a loaded 2-core machine
        assertThat(row(job).get("attempt")).isEqualTo(2);
        assertThat(events(job)).anySatisfy(e -> assertThat((String) e.get("message")).isEqualTo("resumed from the checkpoint at step " + step));
        assertThat(jdbc().sql("SELECT min(step) FROM job_metrics WHERE job_id = :j AND attempt = 2").param("j", job)
                .query(Long.class).single()).isEqualTo(step + 1L);
    }

    @Test
    void loraAndHeadJobsStoreTheirOwnOutputFolders() throws Exception {
        UUID tenant = tenant();
        UUID model = model(tenant);
        UUID data = dataset(tenant, "train.jsonl", sentiment(32));
        UUID lora = job(tenant, model, data, """
                {"task": "text-classification", "method": "lora", "lora": {"r": 2, "alpha": 4},
                 "train": {"max_steps": 4, "batch_size": 8, "max_seq_len": 16}}""");
        UUID head = job(tenant, model, data, """
                {"task": "text-classification", "method": "head", "train": {"max_steps": 4, "batch_size": 8, "max_seq_len": 16}}""");
        startPool(1);
        awaitStatus(lora, "succeeded", Duration.ofSeconds(60));
        awaitStatus(head, "succeeded", Duration.ofSeconds(60));
        assertThat(zipEntries(lora)).contains("adapter_config.json", "adapter_model.safetensors", "manifest.json");
        assertThat(zipEntries(head)).containsExactlyInAnyOrder("diff.safetensors", "manifest.json");
    }

    private List<String> zipEntries(UUID job) throws Exception {
        String sha = jdbc().sql("SELECT blob_sha256 FROM artifacts WHERE job_id = :j AND kind = 'diff'").param("j", job)
                .query(String.class).single();
        List<String> names = new java.util.ArrayList<>();
        try (InputStream in = bean(BlobStore.class).open(sha); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static List<JsonNode> data(List<Map<String, Object>> events, String type) {
        return events.stream().filter(e -> e.get("type").equals(type)).map(e -> {
            try {
                return new ObjectMapper().readTree((String) e.get("data"));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).toList();
    }
}
