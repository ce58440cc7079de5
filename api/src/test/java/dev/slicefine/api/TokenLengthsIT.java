package dev.slicefine.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Token-length percentiles of a dataset under a named model's tokenizer, and the bad requests around it. */
class TokenLengthsIT extends ApiTestBase {

    private String readyModel(String key) {
        Http.Multipart body = new Http.Multipart().field("name", "bert-tiny");
        Fixtures.bertTiny().forEach(body::file);
        String id = http.post("/v1/models", key, body).json().get("id").asString();
        Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/models/" + id, key).json(), m -> m.get("status").asString().equals("ready"));
        return id;
    }

    private String readyDataset(String key, String filename, String content) {
        Http.Multipart body = new Http.Multipart().file(filename, content.getBytes(StandardCharsets.UTF_8));
        String id = http.post("/v1/datasets", key, body).json().get("id").asString();
        Fixtures.await(Duration.ofSeconds(30), () -> http.get("/v1/datasets/" + id, key).json(),
                d -> !d.get("status").asString().equals("validating"));
        return id;
    }

    @Test
    void percentilesUnderTheModelsTokenizerAndTruncationCount() {
        TenantKey t = newTenant();
        String model = readyModel(t.key());
        StringBuilder jsonl = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            jsonl.append("{\"text\": \"").append("the slice moves ".repeat(i)).append("\", \"label\": \"").append(i % 2 == 0 ? "a" : "b").append("\"}\n");
        }
        String dataset = readyDataset(t.key(), "lengths.jsonl", jsonl.toString());
        Http.Response r = http.get("/v1/datasets/" + dataset + "/token-lengths?model_id=" + model + "&max_seq_len=16", t.key());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.get("examples").asLong()).isEqualTo(20);
        assertThat(n.get("max_seq_len").asInt()).isEqualTo(16);
        assertThat(n.get("p50").asInt()).isLessThanOrEqualTo(n.get("p90").asInt());
        assertThat(n.get("p90").asInt()).isLessThanOrEqualTo(n.get("p99").asInt());
        assertThat(n.get("p99").asInt()).isLessThanOrEqualTo(n.get("max").asInt());
        assertThat(n.get("max").asInt()).as("[CLS] + 60 words + [SEP] at least").isGreaterThan(40);
        assertThat(n.get("truncated").asLong()).isPositive().isLessThan(20);
    }

    @Test
    void badRequestsAreProblemsWithCodes() {
        TenantKey t = newTenant();
        String model = readyModel(t.key());
        String dataset = readyDataset(t.key(), "ok.jsonl", "{\"text\": \"hi\", \"label\": \"a\"}\n{\"text\": \"yo\", \"label\": \"b\"}\n");
        Http.Response tooShort = http.get("/v1/datasets/" + dataset + "/token-lengths?model_id=" + model + "&max_seq_len=1", t.key());
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.json().get("code").asString()).isEqualTo("invalid_max_seq_len");
        Http.Response noModel = http.get("/v1/datasets/" + dataset + "/token-lengths", t.key());
        assertThat(noModel.status()).isEqualTo(400);
        TenantKey other = newTenant();
        Http.Response cross = http.get("/v1/datasets/" + dataset + "/token-lengths?model_id=" + model, other.key());
        assertThat(cross.status()).isEqualTo(404);
        String invalid = readyDataset(t.key(), "bad.jsonl", "{oops\n");
        Http.Response notReady = http.get("/v1/datasets/" + invalid + "/token-lengths?model_id=" + model, t.key());
        assertThat(notReady.status()).isEqualTo(409);
        assertThat(notReady.json().get("code").asString()).isEqualTo("dataset_not_ready");
    }
}
