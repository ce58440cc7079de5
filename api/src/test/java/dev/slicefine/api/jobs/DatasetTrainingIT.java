package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Archives;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dataset the api validates 'ready' is one training reads: every layout (JSONL, CSV, custom field names,
 * prompt/completion, text-only LM, images) is uploaded over HTTP, validated by the engine's reader, and trained one
 * step by the embedded worker on the tiny fixture of its family (bert, llama, vit) to 'succeeded'.
 */
class DatasetTrainingIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;
    private static final Path ENGINE_FIXTURES = Path.of("../engine/src/test/resources/fixtures");

    @TempDir
    static Path dataDir;
    private static ServerProcess server;
    private static Http http;
    private static final Map<String, String> MODELS = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        server = ServerProcess.start(dataDir, TestDatabase.get().url("dataset_training_it"));
        http = server.http();
        // llama-tiny's vocabulary (500) is the fixture BPE tokenizer's: byte-level, <s>=0 <pad>=1 </s>=2.
        MODELS.put("bert", JobFixtures.uploadModel(http, KEY, model("bert-tiny", "tokenizers/wordpiece.json")));
        MODELS.put("llama", JobFixtures.uploadModel(http, KEY, model("llama-tiny", "tokenizers/bpe.json")));
        MODELS.put("vit", JobFixtures.uploadModel(http, KEY, model("vit-tiny", null)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, byte[]> model(String name, String tokenizer) {
        try {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("config.json", Files.readAllBytes(ENGINE_FIXTURES.resolve(name).resolve("config.json")));
            files.put("model.safetensors", Files.readAllBytes(ENGINE_FIXTURES.resolve(name).resolve("model.safetensors")));
            if (tokenizer != null) {
                files.put("tokenizer.json", Files.readAllBytes(ENGINE_FIXTURES.resolve(tokenizer)));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] images() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cat/1.png", Fixtures.png(32, 32, 0xff0000));
        files.put("cat/2.png", Fixtures.png(20, 24, 0xee1100));
        files.put("dog/1.png", Fixtures.png(32, 32, 0x0000ff));
        files.put("dog/2.png", Fixtures.png(40, 32, 0x1100ee));
        return Archives.zip(files);
    }

    /** name, file name, content, upload fields, model family, the task the dataset validates as. */
    static Stream<Arguments> readyDatasets() {
        return Stream.of(
                Arguments.of("jsonl text/label", "a.jsonl", lines(
                        "{\"text\":\"good fun\",\"label\":\"pos\"}", "{\"text\":\"sad awful\",\"label\":\"neg\"}",
                        "{\"text\":\"happy day\",\"label\":\"pos\"}"), Map.of(), "bert", "text-classification"),
                Arguments.of("jsonl integer labels and pairs", "b.jsonl", lines(
                        "{\"text\":\"a cat\",\"text_pair\":\"a pet\",\"label\":1}", "{\"text\":\"a rock\",\"text_pair\":\"a pet\",\"label\":0}"),
                        Map.of(), "bert", "text-classification"),
                Arguments.of("csv text/label", "c.csv", lines("text,label", "\"good, fun\",pos", "sad awful,neg"),
                        Map.of(), "bert", "text-classification"),
                Arguments.of("jsonl custom names", "d.jsonl", lines(
                        "{\"sentence\":\"the slice moves\",\"topic\":\"a\",\"context\":\"rows\"}",
                        "{\"sentence\":\"weights stay frozen\",\"topic\":\"b\"}"),
                        Map.of("text_field", "sentence", "label_field", "topic", "text_pair_field", "context"),
                        "bert", "text-classification"),
                Arguments.of("csv custom names", "e.csv", lines("topic,sentence", "a,the slice moves", "b,weights stay frozen"),
                        Map.of("text_field", "sentence", "label_field", "topic"), "bert", "text-classification"),
                Arguments.of("prompt/completion", "f.jsonl", lines(
                        "{\"prompt\":\"two plus two is\",\"completion\":\" four\"}",
                        "{\"prompt\":\"the sky is\",\"completion\":\" blue\"}"), Map.of(), "llama", "causal-lm"),
                Arguments.of("prompt/completion custom names", "g.jsonl", lines(
                        "{\"question\":\"two plus two is\",\"answer\":\" four\"}"),
                        Map.of("prompt_field", "question", "completion_field", "answer"), "llama", "causal-lm"),
                Arguments.of("text-only LM", "h.jsonl", lines("{\"text\":\"once upon a time\"}", "{\"text\":\"the end\"}"),
                        Map.of(), "llama", "causal-lm"),
                Arguments.of("text-only LM, custom name, task given", "i.jsonl", lines("{\"story\":\"once upon a time\"}"),
                        Map.of("text_field", "story", "task", "causal-lm"), "llama", "causal-lm"),
                Arguments.of("images", "j.zip", images(), Map.of(), "vit", "image-classification"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readyDatasets")
    void everyDatasetThatValidatesReadyTrainsOneStep(String name, String filename, byte[] content, Map<String, String> fields,
                                                     String family, String task) {
        String dataset = JobFixtures.uploadDataset(http, KEY, filename, content, fields);
        assertThat(http.get("/v1/datasets/" + dataset, KEY).json().get("task").asString()).isEqualTo(task);
        Http.Response created = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + MODELS.get(family) + "\",\"dataset_id\":\""
                + dataset + "\",\"task\":\"" + task + "\",\"train\":{\"batch_size\":2,\"max_steps\":1,\"max_seq_len\":16,"
                + "\"log_every\":1}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String job = created.json().get("id").asString();
        JsonNode done = Fixtures.await(Duration.ofSeconds(120), () -> http.get("/v1/jobs/" + job, KEY).json(),
                j -> List.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("progress").get("step").asLong()).isEqualTo(1);
        assertThat(http.get("/v1/jobs/" + job + "/artifacts", KEY).json().toString()).contains("\"diff\"");
    }

    @Test
    void llamaTinyTrainsOnAPromptCompletionUploadAndItsDiffIsACausalLmDiff() throws Exception {
        String dataset = JobFixtures.uploadDataset(http, KEY, "qa.jsonl", lines(
                "{\"prompt\":\"Q: two plus two? A:\",\"completion\":\" four\"}",
                "{\"prompt\":\"Q: sky colour? A:\",\"completion\":\" blue\"}",
                "{\"prompt\":\"Q: grass colour? A:\",\"completion\":\" green\"}"), Map.of());
        // No task in the request: llama's default, causal-lm, which the dataset was inferred to be.
        Http.Response created = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + MODELS.get("llama") + "\",\"dataset_id\":\""
                + dataset + "\",\"train\":{\"batch_size\":3,\"max_steps\":2,\"max_seq_len\":32,\"log_every\":1}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String job = created.json().get("id").asString();
        JsonNode done = Fixtures.await(Duration.ofSeconds(120), () -> http.get("/v1/jobs/" + job, KEY).json(),
                j -> List.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        JsonNode metrics = http.get("/v1/jobs/" + job + "/metrics", KEY).json().get("items");
        assertThat(metrics.size()).isGreaterThanOrEqualTo(2);
        assertThat(metrics.get(0).get("loss").asDouble()).isPositive();
        byte[] zip = java.net.http.HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job + "/artifacts/diff", KEY)
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        String manifest = null;
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().endsWith("manifest.json")) {
                    manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(manifest).isNotNull().contains("llama").contains("causal-lm");
    }

    @Test
    void aJobWhoseTaskDoesNotFitItsDatasetIsRefusedOnDatasetId() {
        String lm = JobFixtures.uploadDataset(http, KEY, "lm.jsonl", lines("{\"text\":\"once upon a time\"}"), Map.of());
        Http.Response r = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + MODELS.get("bert") + "\",\"dataset_id\":\""
                + lm + "\",\"task\":\"text-classification\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        JsonNode errors = r.json().get("errors");
        assertThat(errors.size()).as(r.body()).isEqualTo(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo("dataset_id");
        assertThat(errors.get(0).get("message").asString()).contains("causal-lm dataset");
    }
}
