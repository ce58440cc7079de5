package dev.slicefine.api.evaluations;

import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A job with held-out data ends with its final evaluation, queued by the worker and linked from the job
 * ({@code evaluation_id}): on its validation_split (the same examples training held out) and on its eval dataset.
 * A LoRA job's result is evaluated and predicted from in memory (W + alpha/r B A), giving what its merged download gives.
 */
class FinalEvaluationIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;

    @TempDir
    Path dataDir;

    private static JsonNode trainAndWait(Http http, String body) {
        Http.Response r = http.postJson("/v1/jobs", KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String job = r.json().get("id").asString();
        JsonNode done = Fixtures.await(Duration.ofMinutes(3), () -> http.get("/v1/jobs/" + job, KEY).json(),
                j -> Set.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        return done;
    }

    /** The job's linked evaluation, after it ended. */
    private static JsonNode finalEvaluation(Http http, JsonNode job) {
        String id = job.get("evaluation_id").asString();
        assertThat(id).isNotBlank();
        JsonNode done = Fixtures.await(Duration.ofMinutes(3), () -> http.get("/v1/evaluations/" + id, KEY).json(),
                j -> Set.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("job_id").asString()).isEqualTo(job.get("id").asString());
        assertThat(done.get("model_id").asString()).isEqualTo(job.get("model_id").asString());
        assertThat(done.get("config").get("final").asBoolean()).isTrue();
        // the succeeded status event names it too
        JsonNode events = http.get("/v1/jobs/" + job.get("id").asString() + "/events", KEY).json().get("items");
        boolean linked = false;
        for (JsonNode e : events) {
            linked |= "succeeded".equals(e.path("to_status").asString("")) && id.equals(e.path("data").path("evaluation_id").asString(""));
        }
        assertThat(linked).as(events.toString()).isTrue();
        return done;
    }

    private static String job(String model, String dataset, String extra) {
        return "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\",\"task\":\"text-classification\","
                + "\"train\":{\"batch_size\":8,\"max_seq_len\":32,\"max_steps\":4,\"learning_rate\":0.05}" + extra + "}";
    }

    @Test
    void jobsWithHeldOutDataEndWithALinkedEvaluationAndLoraResultsEvaluateAndPredict() throws Exception {
        try (ServerProcess server = ServerProcess.start(dataDir, TestDatabase.get().url("final_evaluation_it"))) {
            Http http = server.http();
            String bert = JobFixtures.uploadModel(http, KEY, EvaluationsIT.model("bert-tiny", "wordpiece.json"));
            String trainSet = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
            String evalSet = JobFixtures.uploadDataset(http, KEY, "eval.jsonl", JobFixtures.labelledJsonl(23), Map.of());

            // validation_split 0.25 of 48 examples, 16 per label: 4 of each label held out, evaluated on exactly those 12
            JsonNode split = trainAndWait(http, job(bert, trainSet, ",\"method\":\"slicefine\",\"slicefine\":{\"rank\":2,"
                    + "\"move_steps\":2},\"validation_split\":0.25"));
            JsonNode e1 = finalEvaluation(http, split);
            assertThat(e1.get("dataset_id").asString()).isEqualTo(trainSet);
            assertThat(e1.get("config").get("validation_split").asDouble()).isEqualTo(0.25);
            assertThat(e1.get("metrics").get("examples").asLong()).isEqualTo(12);
            assertThat(e1.get("metrics").get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(e1.get("metrics").get("confusion_matrix").get("labels")).hasSize(3);

            // a LoRA job with an eval dataset: its final evaluation scores the adapter added to the base in memory
            JsonNode lora = trainAndWait(http, job(bert, trainSet, ",\"method\":\"lora\",\"lora\":{\"r\":2,\"alpha\":4},"
                    + "\"eval_dataset_id\":\"" + evalSet + "\""));
            String loraId = lora.get("id").asString();
            JsonNode e2 = finalEvaluation(http, lora);
            assertThat(e2.get("dataset_id").asString()).isEqualTo(evalSet);
            JsonNode m = e2.get("metrics");
            assertThat(m.get("examples").asLong()).isEqualTo(23);
            assertThat(m.get("unknown_label_count").asLong()).isZero();
            assertThat(m.get("accuracy").asDouble()).isBetween(0.0, 1.0);

            // evaluating the LoRA result on request gives the same scores
            Http.Response again = http.postJson("/v1/evaluations", KEY, "{\"job_id\":\"" + loraId + "\",\"dataset_id\":\""
                    + evalSet + "\",\"max_seq_len\":32,\"batch_size\":4}");
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            String againId = again.json().get("id").asString();
            JsonNode e3 = Fixtures.await(Duration.ofMinutes(3), () -> http.get("/v1/evaluations/" + againId, KEY).json(),
                    j -> Set.of("succeeded", "failed", "cancelled").contains(j.get("status").asString()));
            assertThat(e3.get("status").asString()).as(e3.toString()).isEqualTo("succeeded");
            assertThat(e3.get("metrics").get("accuracy").asDouble()).isEqualTo(m.get("accuracy").asDouble());
            assertThat(e3.get("metrics").get("mean_loss").asDouble()).isCloseTo(m.get("mean_loss").asDouble(), within(1e-5));
            // the job's view links its final evaluation, not the one asked for later
            assertThat(http.get("/v1/jobs/" + loraId, KEY).json().get("evaluation_id").asString()).isEqualTo(e2.get("id").asString());

            // predictions from the LoRA result equal those of its merged checkpoint uploaded as a model
            String texts = "{\"inputs\":[\"good fun happy number 7\",\"bad sad awful\",\"plain neutral okay\"]}";
            Http.Response fromJob = http.postJson("/v1/jobs/" + loraId + "/predictions", KEY, texts);
            assertThat(fromJob.status()).as(fromJob.body()).isEqualTo(200);
            HttpResponse<byte[]> zip = HttpClient.newHttpClient().send(
                    http.request("/v1/jobs/" + loraId + "/artifacts/merged", KEY).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(zip.statusCode()).isEqualTo(200);
            String merged = JobFixtures.uploadModel(http, KEY, unzip(zip.body()));
            Http.Response fromMerged = http.postJson("/v1/models/" + merged + "/predictions", KEY, texts);
            assertThat(fromMerged.status()).as(fromMerged.body()).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                JsonNode a = fromJob.json().get("predictions").get(i);
                JsonNode b = fromMerged.json().get("predictions").get(i);
                assertThat(a.get("label").asString()).isEqualTo(b.get("label").asString());
                for (String l : List.of("l0", "l1", "l2")) {
                    assertThat(a.get("probabilities").get(l).asDouble()).as("input %d label %s", i, l)
                            .isCloseTo(b.get("probabilities").get(l).asDouble(), within(1e-5));
                }
            }

            // no held-out data, no final evaluation
            JsonNode plain = trainAndWait(http, job(bert, trainSet, ",\"method\":\"slicefine\""));
            assertThat(plain.get("evaluation_id").isNull()).isTrue();
        }
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }
}
