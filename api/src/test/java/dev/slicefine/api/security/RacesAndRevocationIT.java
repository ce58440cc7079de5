package dev.slicefine.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slicefine.api.jobs.JobFixtures;
import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Creating a job while its model is deleted, a revoked key's open streams, and the headers on secrets. */
class RacesAndRevocationIT extends ApiTestBase {

    @Test
    void creatingAJobWhileItsModelIsDeletedAnswers404Or409NeverA500() throws Exception {
        TenantKey t = newTenant();
        String dataset = JobFixtures.uploadDataset(http, t.key(), "d.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        for (int i = 0; i < 6; i++) {
            String model = JobFixtures.uploadModel(http, t.key(), Fixtures.bertTiny());
            String body = "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"}";
            CompletableFuture<Http.Response> create = CompletableFuture.supplyAsync(() -> http.postJson("/v1/jobs", t.key(), body));
            CompletableFuture<Http.Response> delete = CompletableFuture.supplyAsync(() -> http.delete("/v1/models/" + model, t.key()));
            Http.Response c = create.get(60, TimeUnit.SECONDS);
            Http.Response d = delete.get(60, TimeUnit.SECONDS);
            assertThat(c.status()).as(c.body()).isIn(201, 404, 409);
            assertThat(d.status()).as(d.body()).isIn(204, 409);
            if (c.status() == 201) {
                assertThat(d.status()).as("a model with a queued job is not deleted").isEqualTo(409);
                http.postJson("/v1/jobs/" + c.json().get("id").asString() + "/cancel", t.key(), "");
                assertThat(http.delete("/v1/models/" + model, t.key()).status()).isEqualTo(204);
            } else {
                assertProblem(c, c.status(), c.status() == 404 ? "not_found" : c.json().get("code").asString());
            }
        }
    }

    @Test
    void aRevokedKeyLosesItsOpenEventStreamWithinSeconds() throws Exception {
        TenantKey t = newTenant();
        String model = JobFixtures.uploadModel(http, t.key(), Fixtures.bertTiny());
        String dataset = JobFixtures.uploadDataset(http, t.key(), "d.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        String job = http.postJson("/v1/jobs", t.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"}")
                .json().get("id").asString();
        Http.Response created = http.postJson("/v1/keys", t.key(), "{\"name\":\"streamer\"}");
        String key = created.json().get("key").asString();
        String keyId = created.json().get("id").asString();

        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job + "/events", key)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).startsWith("id:"); // the 'queued' event: the stream is live

        assertThat(http.delete("/v1/keys/" + keyId, t.key()).status()).isEqualTo(204);
        long revoked = System.nanoTime();
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            StringBuilder sb = new StringBuilder();
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    sb.append(line).append('\n');
                }
            } catch (Exception e) {
                sb.append("closed: ").append(e);
            }
            return sb.toString();
        });
        String tail = rest.get(10, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - revoked) / 1e9;
        assertThat(seconds).as("closed %.1f s after revocation", seconds).isLessThan(6);
        assertThat(tail).contains("event:revoked");
        assertProblem(http.get("/v1/jobs/" + job + "/events", key), 401, "unauthorized");
    }

    @Test
    void secretsAreNeverCachedAndEveryAnswerCarriesSecurityHeaders() {
        TenantKey t = newTenant();
        Http.Response key = http.postJson("/v1/keys", t.key(), "{\"name\":\"k\"}");
        assertThat(key.status()).isEqualTo(201);
        assertThat(key.header("Cache-Control")).contains("no-store");
        for (Http.Response r : new Http.Response[]{key, http.get("/v1/models", t.key()), http.get("/v1/models", null),
                http.get("/actuator/health", null), http.get("/nothing", null)}) {
            assertThat(r.header("X-Content-Type-Options")).as(r.toString()).isEqualTo("nosniff");
            assertThat(r.header("Referrer-Policy")).as(r.toString()).isEqualTo("no-referrer");
        }
    }
}
