package dev.slicefine.api.evaluations;

import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Evaluation runs over HTTP with the embedded worker: a fine-tuned job's result and its base on a classification set
 * (scores recomputed from the paged per-example predictions, an unknown label counted), a causal LM (perplexity over
 * completion tokens), cancel, another tenant's 404, bad requests; and predictions from a causal LM.
 */
public class EvaluationsIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;
    static final Path ENGINE_FIXTURES = Path.of("../engine/src/test/resources/fixtures");

    @TempDir
    Path dataDir;

    public static Map<String, byte[]> model(String name, String tokenizer) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", Files.readAllBytes(ENGINE_FIXTURES.resolve(name + "/config.json")));
        files.put("model.safetensors", Files.readAllBytes(ENGINE_FIXTURES.resolve(name + "/model.safetensors")));
        if (tokenizer != null) {
            files.put("tokenizer.json", Files.readAllBytes(ENGINE_FIXTURES.resolve("tokenizers/" + tokenizer)));
        }
        return files;
    }

    public static String train(Http http, String model, String dataset) {
        Http.Response r = http.postJson("/v1/jobs", KEY, "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset
                + "\",\"task\":\"text-classification\",\"method\":\"slicefine\",\"slicefine\":{\"rank\":2,\"move_steps\":2},"
                + "\"train\":{\"batch_size\":8,\"max_seq_len\":32,\"max_steps\":4,\"learning_rate\":0.05}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String job = r.json().get("id").asString();
        JsonNode done = Fixtures.await(Duration.ofMinutes(3), () -> http.get("/v1/jobs/" + job, KEY).json(),
                j -> Set.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        return job;
    }

    private static String evaluate(Http http, String body) {
        Http.Response r = http.postJson("/v1/evaluations", KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("status").asString()).isEqualTo("queued");
        return r.json().get("id").asString();
    }

    private static JsonNode awaitEnd(Http http, String id) {
        return Fixtures.await(Duration.ofMinutes(3), () -> http.get("/v1/evaluations/" + id, KEY).json(),
                j -> Set.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
    }

    /** Every prediction, following the pages. */
    private static List<JsonNode> predictions(Http http, String id, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        String after = "";
        while (true) {
            JsonNode page = http.get("/v1/evaluations/" + id + "?include=predictions&limit=" + pageSize + after, KEY).json()
                    .get("predictions");
            page.get("items").forEach(all::add);
            if (page.get("next_after").isNull()) {
                return all;
            }
            after = "&after=" + page.get("next_after").asLong();
        }
    }

    @Test
    void evaluatesAJobsResultAndItsBaseAndTheScoresMatchThePredictions() throws Exception {
        try (ServerProcess server = ServerProcess.start(dataDir, TestDatabase.get().url("evaluations_it"))) {
            Http http = server.http();
            String bert = JobFixtures.uploadModel(http, KEY, model("bert-tiny", "wordpiece.json"));
            String trainSet = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
            String job = train(http, bert, trainSet);
            byte[] eval = (new String(JobFixtures.labelledJsonl(23), StandardCharsets.UTF_8)
                    + "{\"text\":\"a label the model never saw\",\"label\":\"zzz\"}\n").getBytes(StandardCharsets.UTF_8);
            String evalSet = JobFixtures.uploadDataset(http, KEY, "eval.jsonl", eval, Map.of());

            String fine = evaluate(http, "{\"job_id\":\"" + job + "\",\"dataset_id\":\"" + evalSet + "\",\"batch_size\":5}");
            JsonNode done = awaitEnd(http, fine);
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
            assertThat(done.get("job_id").asString()).isEqualTo(job);
            assertThat(done.get("model_id").asString()).isEqualTo(bert);
            assertThat(done.get("task").asString()).isEqualTo("text-classification");
            JsonNode m = done.get("metrics");
            assertThat(m.get("examples").asLong()).isEqualTo(24);
            assertThat(m.get("evaluated").asLong()).isEqualTo(23);
            assertThat(m.get("unknown_label_count").asLong()).isEqualTo(1);
            assertThat(m.get("unknown_labels").get("zzz").asLong()).isEqualTo(1);

            // recompute accuracy, mean loss and the confusion matrix from the per-example predictions, paged by 7
            List<JsonNode> preds = predictions(http, fine, 7);
            assertThat(preds).hasSize(24);
            assertThat(preds.stream().map(p -> p.get("index").asInt()).toList())
                    .isEqualTo(java.util.stream.IntStream.range(0, 24).boxed().toList());
            List<String> labels = new ArrayList<>();
            m.get("confusion_matrix").get("labels").forEach(l -> labels.add(l.asString()));
            assertThat(labels).containsExactly("l0", "l1", "l2");
            long[][] cm = new long[3][3];
            long correct = 0;
            double loss = 0;
            for (JsonNode p : preds) {
                if (!p.get("known_label").asBoolean()) {
                    assertThat(p.get("label").asString()).isEqualTo("zzz");
                    continue;
                }
                String gold = p.get("label").asString();
                String predicted = p.get("predicted").asString();
                cm[labels.indexOf(gold)][labels.indexOf(predicted)]++;
                correct += gold.equals(predicted) ? 1 : 0;
                double sum = 0;
                for (String l : labels) {
                    sum += p.get("probabilities").get(l).asDouble();
                }
                assertThat(sum).isCloseTo(1.0, within(1e-6));
                loss += -Math.log(p.get("probabilities").get(gold).asDouble());
            }
            assertThat(m.get("accuracy").asDouble()).isCloseTo(correct / 23.0, within(1e-9));
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(loss / 23, within(1e-6));
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(m.get("confusion_matrix").get("rows").get(i).get(j).asLong()).isEqualTo(cm[i][j]);
                }
            }
            assertThat(m.get("per_label")).hasSize(3);
            assertThat(m.get("macro_f1").isNumber()).isTrue();
            assertThat(m.get("weighted_f1").isNumber()).isTrue();

            // the base model with its own (LABEL_*) head knows none of the set's labels: every example is reported
            String base = evaluate(http, "{\"model_id\":\"" + bert + "\",\"dataset_id\":\"" + evalSet + "\"}");
            JsonNode b = awaitEnd(http, base);
            assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("succeeded");
            assertThat(b.get("metrics").get("unknown_label_count").asLong()).isEqualTo(24);
            assertThat(b.get("metrics").get("accuracy").isNull()).isTrue();

            // events: queued -> running -> succeeded, with the evaluation event carrying the metrics
            JsonNode events = http.get("/v1/evaluations/" + fine + "/events", KEY).json().get("items");
            List<String> types = new ArrayList<>();
            events.forEach(e -> types.add(e.get("type").asString() + ":" + e.path("to_status").asString("")));
            assertThat(types).contains("status:queued", "status:running", "evaluation:", "status:succeeded");

            // list, newest first; evaluations are not jobs
            JsonNode list = http.get("/v1/evaluations", KEY).json();
            assertThat(list.get("items").get(0).get("id").asString()).isEqualTo(base);
            // filters: job_id keeps the evaluations of that job's result, model_id those of the base and its results
            List<String> ofJob = new ArrayList<>();
            http.get("/v1/evaluations?job_id=" + job, KEY).json().get("items").forEach(e -> ofJob.add(e.get("id").asString()));
            assertThat(ofJob).contains(fine).doesNotContain(base);
            List<String> ofModel = new ArrayList<>();
            http.get("/v1/evaluations?model_id=" + bert, KEY).json().get("items").forEach(e -> ofModel.add(e.get("id").asString()));
            assertThat(ofModel).contains(fine, base);
            assertThat(http.get("/v1/evaluations?job_id=" + java.util.UUID.randomUUID(), KEY).json().get("items")).isEmpty();
            Http.Response badFilter = http.get("/v1/evaluations?job_id=not-a-uuid", KEY);
            assertThat(badFilter.status()).as(badFilter.body()).isEqualTo(400);
            assertThat(http.get("/v1/jobs/" + fine, KEY).status()).isEqualTo(404);
            http.get("/v1/jobs", KEY).json().get("items").forEach(j -> assertThat(j.get("id").asString()).isNotIn(fine, base));

            // another tenant sees none of it
            String other = otherTenantKey(http);
            assertThat(http.get("/v1/evaluations/" + fine, other).status()).isEqualTo(404);
            assertThat(http.postJson("/v1/evaluations/" + fine + "/cancel", other, "").status()).isEqualTo(404);
            assertThat(http.get("/v1/evaluations/" + fine + "/events", other).status()).isEqualTo(404);
            assertThat(http.get("/v1/evaluations", other).json().get("items")).isEmpty();
            Http.Response foreign = http.postJson("/v1/evaluations", other, "{\"job_id\":\"" + job + "\",\"dataset_id\":\"" + evalSet + "\"}");
            assertThat(foreign.status()).as(foreign.body()).isEqualTo(422);
            assertThat(foreign.body()).contains("job_id").contains("not_found");

            // cancel: a long evaluation (batch 1) is stopped; a finished one cannot be
            byte[] big = JobFixtures.labelledJsonl(3000);
            String bigSet = JobFixtures.uploadDataset(http, KEY, "big.jsonl", big, Map.of());
            String slow = evaluate(http, "{\"job_id\":\"" + job + "\",\"dataset_id\":\"" + bigSet + "\",\"batch_size\":1}");
            Http.Response cancel = http.postJson("/v1/evaluations/" + slow + "/cancel", KEY, "");
            assertThat(cancel.status()).as(cancel.body()).isIn(200, 202);
            JsonNode cancelled = awaitEnd(http, slow);
            assertThat(cancelled.get("status").asString()).as(cancelled.toString()).isEqualTo("cancelled");
            assertThat(cancelled.get("metrics").isNull()).isTrue();
            Http.Response again = http.postJson("/v1/evaluations/" + fine + "/cancel", KEY, "");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.json().get("code").asString()).isEqualTo("evaluation_finished");
        }
    }

    /**
     * A causal-LM dataset. This branch's upload validator reads classification sets only (the engine's reader takes over
     * dataset validation in the datasets change), so the test plays the validator for this file: uploaded, then
     * marked ready. The worker reads it with the engine's reader, which checks every line.
     */
    private static String lmDataset(ServerProcess server, Http http, String lines) {
        Http.Multipart body = new Http.Multipart();
        body.file("lm.jsonl", lines.getBytes(StandardCharsets.UTF_8));
        Http.Response r = http.post("/v1/datasets", KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().get("id").asString();
        Fixtures.await(Duration.ofSeconds(60), () -> http.get("/v1/datasets/" + id, KEY).json(),
                j -> !j.get("status").asString().equals("validating"));
        server.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("UPDATE datasets SET status = 'ready' WHERE id = :id").param("id", java.util.UUID.fromString(id)).update();
        return id;
    }

    private static String otherTenantKey(Http http) {
        String name = "t-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Http.Response tenant = http.postJson("/v1/tenants", KEY, "{\"name\":\"" + name + "\"}");
        Http.Response key = http.postJson("/v1/keys", KEY, "{\"name\":\"k\",\"tenant_id\":\"" + tenant.json().get("id").asString() + "\"}");
        return key.json().get("key").asString();
    }

    @Test
    void evaluatesACausalLmAndGeneratesFromIt() throws Exception {
        try (ServerProcess server = ServerProcess.start(dataDir, TestDatabase.get().url("evaluations_lm_it"))) {
            Http http = server.http();
            String llama = JobFixtures.uploadModel(http, KEY, model("llama-tiny", "bpe.json"));
            Http.Response gen = http.postJson("/v1/models/" + llama + "/predictions", KEY,
                    "{\"prompt\":\"the cat\",\"max_new_tokens\":6}");
            assertThat(gen.status()).as(gen.body()).isEqualTo(200);
            JsonNode g = gen.json();
            assertThat(g.get("task").asString()).isEqualTo("causal-lm");
            assertThat(g.get("tokens").size()).isBetween(1, 6);
            assertThat(g.get("finish_reason").asString()).isIn("length", "eos");
            // greedy is deterministic
            assertThat(http.postJson("/v1/models/" + llama + "/predictions", KEY, "{\"prompt\":\"the cat\",\"max_new_tokens\":6}")
                    .json().get("completion").asString()).isEqualTo(g.get("completion").asString());
            Http.Response bad = http.postJson("/v1/models/" + llama + "/predictions", KEY, "{\"prompt\":\"x\",\"top_p\":2}");
            assertThat(bad.status()).as(bad.body()).isEqualTo(422);
            assertThat(bad.json().get("code").asString()).isEqualTo("invalid_prediction");
            assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("top_p");

            String own = g.get("completion").asString().replace("\\", "\\\\").replace("\"", "\\\"");
            String lines = "{\"prompt\":\"the cat\",\"completion\":\"" + own + "\"}\n"
                    + "{\"prompt\":\"a dog\",\"completion\":\" runs far away\"}\n"
                    + "{\"text\":\"plain text without a prompt\"}\n";
            String set = lmDataset(server, http, lines);
            String id = evaluate(http, "{\"model_id\":\"" + llama + "\",\"dataset_id\":\"" + set + "\",\"batch_size\":2}");
            JsonNode done = awaitEnd(http, id);
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
            JsonNode m = done.get("metrics");
            assertThat(m.get("task").asString()).isEqualTo("causal-lm");
            List<JsonNode> preds = predictions(http, id, 100);
            double sum = 0;
            long tokens = 0;
            for (JsonNode p : preds) {
                sum += p.get("loss_sum").asDouble();
                tokens += p.get("tokens").asLong();
            }
            assertThat(m.get("tokens").asLong()).isEqualTo(tokens);
            assertThat(m.get("mean_loss").asDouble()).isCloseTo(sum / tokens, within(1e-9));
            assertThat(m.get("perplexity").asDouble()).isCloseTo(Math.exp(sum / tokens), within(1e-6));
            assertThat(m.get("exact_match_examples").asLong()).isEqualTo(2);
            assertThat(preds.get(2).get("exact_match").isNull()).isTrue();

            Http.Response invalid = http.postJson("/v1/evaluations", KEY, "{\"model_id\":\"" + llama + "\",\"job_id\":\"" + llama
                    + "\",\"batch_size\":0,\"extra\":1}");
            assertThat(invalid.status()).isEqualTo(422);
            assertThat(invalid.json().get("code").asString()).isEqualTo("invalid_evaluation");
            List<String> fields = new ArrayList<>();
            invalid.json().get("errors").forEach(e -> fields.add(e.get("field").asString()));
            assertThat(fields).contains("extra", "dataset_id", "batch_size");
        }
    }
}
