package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** A quiet stream still sends keepalive comments (here every 300 ms instead of 15 s). */
@TestPropertySource(properties = "slicefine.jobs.stream.heartbeat=300ms")
class JobStreamHeartbeatIT extends ApiTestBase {

    @Test
    void aQuietStreamSendsKeepaliveComments() throws Exception {
        TenantKey tenant = newTenant();
        String model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
        String dataset = JobFixtures.uploadDataset(http, tenant.key(), "t.jsonl", JobFixtures.labelledJsonl(12), Map.of());
        Http.Response job = http.postJson("/v1/jobs", tenant.key(), "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\"}");
        assertThat(job.status()).as(job.body()).isEqualTo(201);
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job.json().get("id").asString()
                + "/events", tenant.key()).header("Accept", "text/event-stream").header("Last-Event-ID", "1").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (lines.stream().filter(l -> l.startsWith(":")).count() < 2 && (line = in.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(lines).as("no event after seq 1 yet, only comments").filteredOn(l -> !l.isEmpty())
                .allMatch(l -> l.startsWith(":keepalive"));
    }
}
