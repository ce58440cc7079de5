package dev.slicefine.api.jobs;

import dev.slicefine.api.support.ApiTestBase;
import dev.slicefine.api.support.Fixtures;
import dev.slicefine.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Ready models and datasets for job tests, and the rows a worker would write. */
public final class JobFixtures {
    private JobFixtures() {}

    /** A small labelled JSONL: n rows over three labels. */
    public static byte[] labelledJsonl(int n) {
        String[] words = {"good fun happy", "bad sad awful", "plain neutral okay"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("{\"text\":\"").append(words[i % 3]).append(" number ").append(i).append("\",\"label\":\"l")
                    .append(i % 3).append("\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String uploadModel(Http http, String key, Map<String, byte[]> files) {
        Http.Multipart body = new Http.Multipart();
        files.forEach(body::file);
        Http.Response r = http.post("/v1/models", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return awaitReady(http, key, "/v1/models/" + r.json().get("id").asString());
    }

    public static String uploadDataset(Http http, String key, String filename, byte[] content, Map<String, String> fields) {
        Http.Multipart body = new Http.Multipart();
        fields.forEach(body::field);
        body.file(filename, content);
        Http.Response r = http.post("/v1/datasets", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return awaitReady(http, key, "/v1/datasets/" + r.json().get("id").asString());
    }

    private static String awaitReady(Http http, String key, String path) {
        JsonNode done = Fixtures.await(Duration.ofSeconds(60), () -> http.get(path, key).json(),
                j -> !j.get("status").asString().equals("validating"));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        return done.get("id").asString();
    }

    /** What a worker does when it claims a job. */
    public static void markRunning(JdbcClient jdbc, String jobId) {
        UUID id = UUID.fromString(jobId);
        jdbc.sql("""
                UPDATE jobs SET status = 'running', lease_owner = 'test-worker', lease_expires_at = now() + interval '1 hour',
                       attempt = attempt + 1, started_at = now() WHERE id = :id""").param("id", id).update();
        event(jdbc, id, "status", "queued", "running");
    }

    public static void finish(JdbcClient jdbc, String jobId, String status) {
        UUID id = UUID.fromString(jobId);
        jdbc.sql("UPDATE jobs SET status = :s, finished_at = now(), lease_owner = NULL WHERE id = :id")
                .param("s", status).param("id", id).update();
        event(jdbc, id, "status", "running", status);
    }

    public static long event(JdbcClient jdbc, UUID id, String type, String from, String to) {
        return jdbc.sql("""
                WITH s AS (UPDATE jobs SET last_event_seq = last_event_seq + 1, updated_at = now() WHERE id = :job
                           RETURNING last_event_seq)
                INSERT INTO job_events (job_id, seq, type, from_status, to_status, code, message)
                SELECT :job, last_event_seq, :type, :from, :to, :code, :message FROM s RETURNING seq""").param("job", id).param("type", type).param("from", from)
                .param("to", to).param("code", null).param("message", type + " " + to).query(Long.class).single();
    }

    public static long metric(JdbcClient jdbc, String jobId, long step, double loss) {
        return jdbc.sql("""
                INSERT INTO job_metrics (job_id, step, epoch, loss, learning_rate, tokens_per_second)
                VALUES (:j, :s, 0.5, :l, 0.005, 1000) RETURNING id""")
                .param("j", UUID.fromString(jobId)).param("s", step).param("l", loss).query(Long.class).single();
    }

    public static String adminKey() {
        return ApiTestBase.ADMIN_KEY;
    }
}
