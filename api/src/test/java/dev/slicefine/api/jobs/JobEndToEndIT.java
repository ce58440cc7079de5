package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import dev.slicefine.engine.artifact.Merger;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path over HTTP with the embedded worker: upload bert-tiny and a labelled JSONL, create a job, follow its
 * events to 'succeeded', download diff, merged and PEFT; the merged checkpoint is byte for byte what the engine's
 * Merger makes from the same diff. And a restart of the api while jobs are queued and running loses none of them.
 */
class JobEndToEndIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;
    private static final Path ENGINE_FIXTURES = Path.of("../engine/src/test/resources/fixtures");
    private static final String JOB = ",\"task\":\"text-classification\",\"method\":\"slicefine\",\"slicefine\":{\"rank\":2,"
            + "\"move_steps\":2},\"train\":{\"batch_size\":8,\"log_every\":1,\"checkpoint_every\":2,\"max_seq_len\":32,\"max_steps\":";

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    private static Map<String, byte[]> bertTiny() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", Files.readAllBytes(ENGINE_FIXTURES.resolve("bert-tiny/config.json")));
        files.put("model.safetensors", Files.readAllBytes(ENGINE_FIXTURES.resolve("bert-tiny/model.safetensors")));
        files.put("tokenizer.json", Files.readAllBytes(ENGINE_FIXTURES.resolve("tokenizers/wordpiece.json")));
        return files;
    }

    private static String createJob(Http http, String model, String dataset, int steps) {
        Http.Response r = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\""
                + JOB + steps + "}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    @Test
    void trainsOverHttpAndTheMergedDownloadEqualsTheEnginesMerge() throws Exception {
        String url = TestDatabase.get().url("job_e2e_it");
        try (ServerProcess server = ServerProcess.start(dataDir, url)) {
            Http http = server.http();
            Map<String, byte[]> files = bertTiny();
            String model = JobFixtures.uploadModel(http, KEY, files);
            String dataset = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
            // The estimate of the same body, made before the job exists, is what the run reports and writes.
            JsonNode estimate = http.postJson("/v1/jobs/estimate", KEY, "{\"model_id\":\"" + model + "\",\"dataset_id\":\""
                    + dataset + "\"" + JOB + 6 + "}}").json();
            String job = createJob(http, model, dataset, 6);

            // Follow the events until the server ends the stream.
            HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job + "/events", KEY)
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            List<JsonNode> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        events.add(Http.JSON.readTree(line.substring(5)));
                    }
                }
            }
            assertThat(events.stream().map(e -> e.get("seq").asLong()).toList())
                    .as("gapless").isEqualTo(java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.get("to_status").asString()).as(events.toString()).isEqualTo("succeeded");
            // typed training events: fields to read, not sentences
            JsonNode listed = http.get("/v1/jobs/" + job + "/events?limit=1000", KEY).json().get("items");
            List<JsonNode> items = new ArrayList<>();
            listed.forEach(items::add);
            assertThat(items.stream().map(e -> e.get("type").asString()).toList())
                    .contains("started", "slice_moved", "checkpoint", "finished", "artifact");
            JsonNode started = items.stream().filter(e -> e.get("type").asString().equals("started")).findFirst().orElseThrow().get("data");
            assertThat(started.get("total_steps").asInt()).isEqualTo(6);
            assertThat(started.get("method").asString()).isEqualTo("slicefine");
            assertThat(started.get("trainable_params").asLong()).isPositive().isEqualTo(estimate.get("trainable_params").asLong());
            assertThat(started.get("total_params").asLong()).isEqualTo(estimate.get("total_params").asLong());
            assertThat(started.get("total_steps").asLong()).isEqualTo(estimate.get("total_steps").asLong());
            List<JsonNode> moves = items.stream().filter(e -> e.get("type").asString().equals("slice_moved")).map(e -> e.get("data")).toList();
            assertThat(moves).hasSize(3); // move_steps 2 in 6 steps
            JsonNode layer = moves.get(1).get("layers").get(0);
            assertThat(layer.get("layer").asString()).startsWith("bert.encoder.layer.0.").endsWith(".weight");
            assertThat(layer.get("mode").asString()).isEqualTo("column");
            assertThat(layer.get("from").asInt()).isEqualTo(2);
            assertThat(layer.get("to").asInt()).isEqualTo(4);
            assertThat(layer.get("rank").asInt()).isEqualTo(2);
            assertThat(layer.get("dim").asInt()).isPositive();
            assertThat(layer.get("delta_norm").asDouble()).isPositive();
            assertThat(moves.get(1).get("step").asInt()).isEqualTo(4);
            assertThat(items.stream().filter(e -> e.get("type").asString().equals("checkpoint")).map(e -> e.get("data").get("step").asInt()))
                    .containsExactly(2, 4);
            JsonNode finished = items.stream().filter(e -> e.get("type").asString().equals("finished")).findFirst().orElseThrow().get("data");
            assertThat(finished.get("reason").asString()).isEqualTo("completed");
            JsonNode metric = http.get("/v1/jobs/" + job + "/metrics", KEY).json().get("items").get(0);
            assertThat(metric.get("throughput_unit").asString()).isEqualTo("tokens/s");
            assertThat(metric.get("throughput").asDouble()).isPositive().isEqualTo(metric.get("tokens_per_second").asDouble());

            JsonNode done = http.get("/v1/jobs/" + job, KEY).json();
            assertThat(done.get("status").asString()).isEqualTo("succeeded");
            assertThat(done.get("progress").get("step").asLong()).isEqualTo(6);
            assertThat(done.get("progress").get("total_steps").asLong()).isEqualTo(6);
            JdbcClient jdbc = server.bean(JdbcClient.class);
            assertThat(jdbc.sql("SELECT count(*) FROM job_metrics WHERE job_id = :j AND split = 'train' AND loss IS NOT NULL")
                    .param("j", UUID.fromString(job)).query(Long.class).single()).isGreaterThanOrEqualTo(6);
            assertThat(http.get("/v1/jobs/" + job + "/metrics", KEY).json().get("items").size()).isGreaterThanOrEqualTo(6);

            Path diff = unzip(download(http, "/v1/jobs/" + job + "/artifacts/diff"), work.resolve("diff"));
            assertThat(diff.resolve("diff.safetensors")).exists();
            long header = java.nio.ByteBuffer.wrap(Files.readAllBytes(diff.resolve("diff.safetensors")), 0, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(Files.size(diff.resolve("diff.safetensors")) - 8 - header).as("tensor payload")
                    .isEqualTo(estimate.get("diff_bytes").asLong());
            Path merged = unzip(download(http, "/v1/jobs/" + job + "/artifacts/merged"), work.resolve("merged"));
            Path base = Files.createDirectories(work.resolve("base"));
            for (var f : files.entrySet()) {
                Files.write(base.resolve(f.getKey()), f.getValue());
            }
            Path expected = work.resolve("expected");
            Merger.merge(base, diff, expected);
            assertThat(Files.readAllBytes(merged.resolve("model.safetensors")))
                    .isEqualTo(Files.readAllBytes(expected.resolve("model.safetensors")));
            assertThat(Files.readString(merged.resolve("config.json"))).isEqualTo(Files.readString(expected.resolve("config.json")));
            Path peft = unzip(download(http, "/v1/jobs/" + job + "/artifacts/peft"), work.resolve("peft"));
            assertThat(peft.resolve("adapter_model.safetensors")).exists();
            assertThat(Files.readString(peft.resolve("adapter_config.json"))).contains("LORA");
        }
    }

    @Test
    void aRestartWhileJobsAreQueuedAndRunningLosesNothing() throws Exception {
        String url = TestDatabase.get().url("job_e2e_restart_it");
        String[] fastLeases = {"--slicefine.worker.lease=3s", "--slicefine.worker.reaper-interval=1s"};
        List<String> jobs = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(dataDir, url, fastLeases)) {
            Http http = server.http();
            String model = JobFixtures.uploadModel(http, KEY, bertTiny());
            String dataset = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
            for (int i = 0; i < 3; i++) {
                jobs.add(createJob(http, model, dataset, 40));
            }
            Fixtures.await(Duration.ofSeconds(120), () -> http.get("/v1/jobs/" + jobs.get(0), KEY).json(),
                    j -> j.get("progress").get("step").asLong() >= 2 || j.get("status").asString().equals("succeeded"));
        }
        try (ServerProcess server = ServerProcess.start(dataDir, url, fastLeases)) {
            Http http = server.http();
            for (String job : jobs) {
                JsonNode done = Fixtures.await(Duration.ofSeconds(240), () -> http.get("/v1/jobs/" + job, KEY).json(),
                        j -> List.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
                assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
                assertThat(done.get("progress").get("step").asLong()).isEqualTo(40);
                assertThat(http.get("/v1/jobs/" + job + "/artifacts", KEY).json().toString()).contains("\"diff\"");
            }
        }
    }

    private static byte[] download(Http http, String path) {
        try {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(http.request(path, KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(path + ": " + new String(r.body())).isEqualTo(200);
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path unzip(byte[] zip, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path target = dir.resolve(e.getName().substring(e.getName().lastIndexOf('/') + 1));
                Files.write(target, in.readAllBytes());
            }
        }
        return dir;
    }
}
