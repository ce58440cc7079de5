package dev.slicefine.api.predictions;

import dev.slicefine.api.evaluations.EvaluationsIT;
import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Http;
import dev.slicefine.api.support.ServerProcess;
import dev.slicefine.worker.support.TestDatabase;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Predictions under a small cache budget (300 KB): bert-tiny (121 KB of weights), its fine-tuned result and vit-tiny
 * (100 KB) cannot all stay, so the least recently used goes; llama-tiny (554 KB) never fits and gets 503 +
 * Retry-After, and so does a model that would fit but only by evicting models in use; eight concurrent cold requests
 * share one load.
 */
class PredictionsIT {
    private static final String KEY = ApiTestBase.ADMIN_KEY;

    @TempDir
    Path dataDir;

    private static String texts(String... t) {
        return "{\"inputs\":[" + String.join(",", java.util.Arrays.stream(t).map(s -> "\"" + s + "\"").toList()) + "]}";
    }

    @Test
    void cachesWithinTheBudgetSharesLoadsAndRefusesWhatCannotFit() throws Exception {
        try (ServerProcess server = ServerProcess.start(dataDir, TestDatabase.get().url("predictions_it"),
                "--slicefine.predict.cache-bytes=300KB")) {
            Http http = server.http();
            PredictionCache cache = server.bean(PredictionCache.class);
            String bert = JobFixtures.uploadModel(http, KEY, EvaluationsIT.model("bert-tiny", "wordpiece.json"));
            String data = JobFixtures.uploadDataset(http, KEY, "train.jsonl", JobFixtures.labelledJsonl(48), Map.of());
            String job = EvaluationsIT.train(http, bert, data);

            // eight concurrent cold requests for the job's result: one load, the same answer for all
            long loadsBefore = cache.loads();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> http.postJson("/v1/jobs/" + job + "/predictions", KEY, texts("good fun happy", "bad sad"))));
            }
            List<JsonNode> answers = new ArrayList<>();
            for (Future<Http.Response> f : futures) {
                Http.Response r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                answers.add(r.json());
            }
            pool.shutdown();
            assertThat(cache.loads() - loadsBefore).isEqualTo(1);
            assertThat(answers).allSatisfy(a -> assertThat(a).isEqualTo(answers.get(0)));
            JsonNode first = answers.get(0).get("predictions").get(0);
            assertThat(first.get("probabilities").propertyNames()).containsExactly("l0", "l1", "l2");
            double sum = 0;
            for (String l : List.of("l0", "l1", "l2")) {
                sum += first.get("probabilities").get(l).asDouble();
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
            assertThat(first.get("score").asDouble()).isEqualTo(first.get("probabilities").get(first.get("label").asString()).asDouble());

            // the base model: its own LABEL_* head
            Http.Response base = http.postJson("/v1/models/" + bert + "/predictions", KEY, texts("hello"));
            assertThat(base.status()).as(base.body()).isEqualTo(200);
            assertThat(base.json().get("predictions").get(0).get("label").asString()).startsWith("LABEL_");
            assertThat(cache.keys()).containsExactly("job:" + job, "model:" + bert);

            // vit-tiny images: 121 + 121 + 100 KB > 300 KB, so the least recently used (the job) is evicted
            String vit = JobFixtures.uploadModel(http, KEY, EvaluationsIT.model("vit-tiny", null));
            Http.Multipart images = new Http.Multipart();
            images.file("images", "a.png", png(java.awt.Color.RED));
            images.file("images", "b.png", png(java.awt.Color.BLUE));
            Http.Response vr = http.send(http.request("/v1/models/" + vit + "/predictions", KEY)
                    .header("Content-Type", images.contentType())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(images.bytes())).build());
            assertThat(vr.status()).as(vr.body()).isEqualTo(200);
            assertThat(vr.json().get("predictions")).hasSize(2);
            assertThat(vr.json().get("task").asString()).isEqualTo("image-classification");
            assertThat(cache.keys()).containsExactly("model:" + bert, "model:" + vit);
            assertThat(cache.usedBytes()).isLessThanOrEqualTo(300 * 1024);

            // llama-tiny can never fit: 503 with Retry-After, and nothing already loaded is lost
            String llama = JobFixtures.uploadModel(http, KEY, EvaluationsIT.model("llama-tiny", "bpe.json"));
            Http.Response big = http.postJson("/v1/models/" + llama + "/predictions", KEY, "{\"prompt\":\"hi\"}");
            assertThat(big.status()).as(big.body()).isEqualTo(503);
            assertThat(big.header("Retry-After")).isNotBlank();
            assertThat(big.json().get("code").asString()).isEqualTo("model_too_large");
            assertThat(cache.keys()).containsExactly("model:" + bert, "model:" + vit);

            // both loaded models in use (held as two long requests would hold them): the job's result cannot make room,
            // so it is refused with 503 predict_capacity + Retry-After instead of loading past the budget; once they are
            // released it loads, evicting the least recently used
            try (PredictionCache.Lease a = cache.acquire("model:" + bert, null);
                 PredictionCache.Lease b = cache.acquire("model:" + vit, null)) {
                long loads = cache.loads();
                Http.Response full = http.postJson("/v1/jobs/" + job + "/predictions", KEY, texts("good fun"));
                assertThat(full.status()).as(full.body()).isEqualTo(503);
                assertThat(full.json().get("code").asString()).isEqualTo("predict_capacity");
                assertThat(full.header("Retry-After")).isEqualTo("5");
                assertThat(cache.loads()).isEqualTo(loads);
                assertThat(cache.keys()).containsExactly("model:" + bert, "model:" + vit);
            }
            Http.Response fits = http.postJson("/v1/jobs/" + job + "/predictions", KEY, texts("good fun"));
            assertThat(fits.status()).as(fits.body()).isEqualTo(200);
            assertThat(cache.keys()).containsExactly("model:" + vit, "job:" + job);
            assertThat(cache.usedBytes()).isLessThanOrEqualTo(300 * 1024);

            // bad requests are 4xx problems, another tenant's model is 404
            Http.Response empty = http.postJson("/v1/models/" + bert + "/predictions", KEY, "{\"inputs\":[]}");
            assertThat(empty.status()).isEqualTo(422);
            assertThat(empty.json().get("errors").get(0).get("field").asString()).isEqualTo("inputs");
            String name = "t-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            String tenant = http.postJson("/v1/tenants", KEY, "{\"name\":\"" + name + "\"}").json().get("id").asString();
            String other = http.postJson("/v1/keys", KEY, "{\"name\":\"k\",\"tenant_id\":\"" + tenant + "\"}").json().get("key").asString();
            assertThat(http.postJson("/v1/models/" + bert + "/predictions", other, texts("x")).status()).isEqualTo(404);
            assertThat(http.postJson("/v1/jobs/" + job + "/predictions", other, texts("x")).status()).isEqualTo(404);
        }
    }

    private static byte[] png(java.awt.Color color) throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
