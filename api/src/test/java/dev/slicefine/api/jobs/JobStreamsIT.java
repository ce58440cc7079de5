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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-Sent Events of a job's events and metrics: resumption with Last-Event-ID, the end, disconnects. */
class JobStreamsIT extends ApiTestBase {
    private static TenantKey tenant;
    private static String model;
    private static String dataset;

    @Autowired
    JobStreams streams;

    /** One SSE message. */
    record Sse(String id, String event, String data) {}

    @BeforeEach
    void fixtures() {
        if (tenant == null) {
            tenant = newTenant();
            model = JobFixtures.uploadModel(http, tenant.key(), Fixtures.bertTiny());
            dataset = JobFixtures.uploadDataset(http, tenant.key(), "train.jsonl", JobFixtures.labelledJsonl(30), Map.of());
        }
    }

    private String createJob() {
        Http.Response r = http.postJson("/v1/jobs", tenant.key(),
                "{\"model_id\":\"" + model + "\",\"dataset_id\":\"" + dataset + "\",\"train\":{\"max_steps\":3}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private HttpResponse<InputStream> open(String path, String lastEventId) throws Exception {
        var b = http.request(path, tenant.key()).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        return r;
    }

    /** Reads messages until the server ends the stream. */
    private static List<Sse> readAll(InputStream body) throws Exception {
        List<Sse> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id != null || data.length() > 0) {
                        out.add(new Sse(id, event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5));
                }
            }
        }
        return out;
    }

    @Test
    void eventStreamResumesAfterLastEventIdAndEndsWhenTheJobIsDone() throws Exception {
        String job = createJob();
        JobFixtures.markRunning(jdbc, job);
        HttpResponse<InputStream> r = open("/v1/jobs/" + job + "/events", "1");
        CompletableFuture<List<Sse>> all = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(r.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(700);
        JobFixtures.event(jdbc, UUID.fromString(job), "log", null, null);
        JobFixtures.finish(jdbc, job, "succeeded");
        List<Sse> got = all.get(30, TimeUnit.SECONDS);
        assertThat(got.stream().map(Sse::id).toList()).containsExactly("2", "3", "4");
        assertThat(got.stream().map(Sse::event).toList()).containsExactly("status", "log", "status");
        assertThat(Http.JSON.readTree(got.get(2).data()).get("to_status").asString()).isEqualTo("succeeded");

        // A finished job's stream replays what is left and ends at once.
        List<Sse> replay = readAll(open("/v1/jobs/" + job + "/events", "2").body());
        assertThat(replay.stream().map(Sse::id).toList()).containsExactly("3", "4");
        assertThat(readAll(open("/v1/jobs/" + job + "/events?after=3", null).body())).extracting(Sse::id).containsExactly("4");
    }

    @Test
    void metricStreamUsesRowIdsAndResumes() throws Exception {
        String job = createJob();
        JobFixtures.markRunning(jdbc, job);
        long first = JobFixtures.metric(jdbc, job, 1, 2.0);
        long second = JobFixtures.metric(jdbc, job, 2, 1.5);
        long third = JobFixtures.metric(jdbc, job, 3, 1.0);
        JobFixtures.finish(jdbc, job, "succeeded");
        List<Sse> got = readAll(open("/v1/jobs/" + job + "/metrics", Long.toString(first)).body());
        assertThat(got).extracting(Sse::id).containsExactly(Long.toString(second), Long.toString(third));
        assertThat(got).extracting(Sse::event).containsOnly("metric");
        assertThat(Http.JSON.readTree(got.get(1).data()).get("loss").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aClientThatGoesAwayFreesItsStream() throws Exception {
        String job = createJob();
        JobFixtures.markRunning(jdbc, job);
        int before = streams.openStreams();
        HttpResponse<InputStream> r = open("/v1/jobs/" + job + "/events", null);
        Fixtures.await(Duration.ofSeconds(10), streams::openStreams, n -> n == before + 1);
        r.body().close();
        // The next write to the closed connection fails and ends the stream's task.
        Fixtures.await(Duration.ofSeconds(30), () -> {
            JobFixtures.event(jdbc, UUID.fromString(job), "log", null, null);
            return streams.openStreams();
        }, n -> n == before);
    }

    @Test
    void streamsAreScopedToTheTenant() throws Exception {
        String job = createJob();
        TenantKey other = newTenant();
        var resp = HttpClient.newHttpClient().send(http.request("/v1/jobs/" + job + "/events", other.key())
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(404);
    }
}
